import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import type { HoldStore } from '../domain/hold-store.ts';
import { MemoryHoldStore } from './memory/memory-hold-store.ts';
import { PostgresBookingRepository } from './postgres/booking-repository.ts';
import { openDb, type Db } from './postgres/db.ts';
import type { RedisOutages } from './redis/connect.ts';

export interface Stores {
  holds: HoldStore;
  repository: BookingRepository;
  /** The repository's database, for the Concurrency Lab's own tables. */
  db: Db;
  /** Where bookings live, for logs and /readyz: "PGlite in ./data/db" or "PostgreSQL server". */
  describe: string;
  /** Resolves when both stores answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The one switch on HOLD_STORE and DATABASE_URL. */
export async function openStores(
  config: Pick<Config, 'holdStore' | 'redisUrl' | 'redisKeyPrefix' | 'databaseUrl' | 'databaseSchema' | 'dataDir'>,
  options: { redisOutages?: RedisOutages } = {},
): Promise<Stores> {
  const dataDir = join(config.dataDir, 'db');
  const db = await openDb({
    ...(config.databaseUrl ? { url: config.databaseUrl } : { dataDir }),
    ...(config.databaseSchema && { schema: config.databaseSchema }),
  });
  let holds: HoldStore;
  try {
    // Adapters that are not configured are not even loaded.
    if (config.holdStore === 'redis') {
      const { openRedisHoldStore } = await import('./redis/redis-hold-store.ts');
      holds = await openRedisHoldStore({ url: config.redisUrl!, keyPrefix: config.redisKeyPrefix, ...(options.redisOutages && { outages: options.redisOutages }) });
    } else if (config.holdStore === 'postgres') {
      const { PostgresHoldStore } = await import('./postgres/postgres-hold-store.ts');
      holds = new PostgresHoldStore(db);
    } else {
      holds = new MemoryHoldStore();
    }
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    holds,
    repository: new PostgresBookingRepository(db),
    db,
    describe: `holds in ${holds.kind}, bookings in ${db.kind === 'server' ? 'a PostgreSQL server' : `PGlite at ${dataDir}`}`,
    async ping() {
      await Promise.all([db.query('SELECT 1'), holds.ping()]);
    },
    async close() {
      await holds.close();
      await db.close();
    },
  };
}
