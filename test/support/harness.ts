import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BookingService, DEFAULT_LIMITS, type BookingLimits } from '../../src/booking/booking-service.ts';
import type { SeatChangeEvent } from '../../src/domain/booking.ts';
import { gridLayout } from '../../src/domain/layout.ts';
import { LocalBroadcast } from '../../src/realtime/event-bus.ts';
import { openStores, type Stores } from '../../src/stores/index.ts';
import { seedPglite } from './pglite.ts';
import { DATABASE_URL, REDIS_URL, runId } from './services.ts';

export type StoreKind = 'memory' | 'redis' | 'postgres';

export interface Harness {
  service: BookingService;
  stores: Stores;
  events: SeatChangeEvent[];
  /** A showtime of 3 rows x 10 seats, new for each call. */
  showtime(): Promise<string>;
  /** Deletes every Redis key of this run, as a Redis restart without persistence would. */
  flushRedis(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A booking service on real stores: memory holds with PGlite bookings (the embedded default), or
 * Redis / PostgreSQL holds with bookings on the PostgreSQL server, in a schema and key prefix of
 * their own.
 */
export async function openHarness(kind: StoreKind, limits: Partial<BookingLimits> = {}): Promise<Harness> {
  const id = runId(`t_${kind}`);
  const dataDir = kind === 'memory' ? await mkdtemp(join(tmpdir(), 'boxoffice-')) : tmpdir();
  if (kind === 'memory') await seedPglite(join(dataDir, 'db')); // the embedded database's folder
  const keyPrefix = `${id}:`;
  const stores = await openStores({
    holdStore: kind,
    redisUrl: REDIS_URL,
    redisKeyPrefix: keyPrefix,
    databaseUrl: kind === 'memory' ? undefined : DATABASE_URL,
    databaseSchema: kind === 'memory' ? undefined : id,
    dataDir,
  });
  const bus = new LocalBroadcast<SeatChangeEvent>();
  const events: SeatChangeEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const service = new BookingService({ holds: stores.holds, repository: stores.repository, events: bus, limits: { ...DEFAULT_LIMITS, ...limits } });
  await stores.repository.saveTheater({ id: 'test', name: 'Test theater' });
  await stores.repository.saveScreen({ id: 'test-screen', theaterId: 'test', name: 'Test screen', layout: gridLayout({ rows: 3, seatsPerRow: 10, blocked: ['C10'] }) });
  await stores.repository.saveMovie({ id: 'test-movie', title: 'Test Movie', durationMinutes: 100 });
  let n = 0;

  async function flushRedis(): Promise<void> {
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  }

  return {
    service,
    stores,
    events,
    async showtime() {
      const showtimeId = `${id.replace(/_/g, '-')}-${++n}`;
      // A day apart: showtimes of one screen must not overlap.
      await stores.repository.saveShowtime({ id: showtimeId, movieId: 'test-movie', screenId: 'test-screen', startsAt: Date.now() + n * 86_400_000 });
      return showtimeId;
    },
    flushRedis,
    async close() {
      await stores.close();
      await bus.close();
      if (kind === 'memory') await rm(dataDir, { recursive: true, force: true });
      if (kind === 'redis') await flushRedis();
      if (kind !== 'memory') {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
        await client.end();
      }
    },
  };
}
