import type { Logger } from '../booking/booking-service.ts';
import type { Config } from '../config.ts';
import type { BoxofficePlugin } from '../plugin.ts';
import type { Db } from '../stores/postgres/db.ts';
import { LAB_SHOWTIMES } from './lab-catalog.ts';
import { BoxofficeError } from '../domain/errors.ts';
import './lab-errors.ts';
import { LabFeed, type LabFeedOptions } from './lab-feed.ts';
import type { LabLocks } from './lab-ports.ts';
import { labRoutes, type LabRoutesOptions } from './lab-routes.ts';
import { LabService } from './lab-service.ts';
import { openLabDb } from './stores/lab-db.ts';
import { MemoryLabLocks } from './stores/memory-lab-locks.ts';
import { PostgresLabStore } from './stores/postgres-lab-store.ts';

export interface LabPluginOptions {
  log?: Logger;
  rateLimit?: LabRoutesOptions['rateLimit'];
  feed?: LabFeedOptions;
}

export interface LabPlugin extends BoxofficePlugin {
  readonly name: 'lab';
  /** The lab, opened on first use: its database, its Redis connection, its seat rows. */
  service(): Promise<LabService>;
  /** The lab's own database (never the booking one), opened on first use like the service. */
  database(): Promise<Db>;
  readonly feed: LabFeed;
}

export type LabConfig = Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir' | 'redisUrl' | 'redisKeyPrefix'>;

/**
 * The Concurrency Lab as a plugin. Nothing is opened until someone uses the lab: its database (a
 * PGlite folder of its own, or its own small pool and schema on a PostgreSQL server; lab-db.ts) costs
 * memory and start-up time that a server whose lab nobody opens should not pay.
 */
export function labPlugin(config: LabConfig, options: LabPluginOptions = {}): LabPlugin {
  const { log } = options;
  let opening: Promise<{ lab: LabService; db: Db }> | undefined;
  const listeners = new Set<(showtimeId: string) => void>();

  const open = async (): Promise<{ lab: LabService; db: Db }> => {
    const db = await openLabDb(config);
    try {
      const { redisLocks, redisUnavailable } = await openRedisLocks(config, log);
      const lab = new LabService({ db: new PostgresLabStore(db), memoryLocks: new MemoryLabLocks(), redisLocks, ...(redisUnavailable && { redisUnavailable }), ...(log && { log }) });
      await lab.init();
      lab.onChange((id) => {
        for (const listener of listeners) listener(id);
      });
      return { lab, db };
    } catch (e) {
      await db.close();
      throw e;
    }
  };
  const opened = (): Promise<{ lab: LabService; db: Db }> =>
    (opening ??= open().catch((e: unknown) => {
      opening = undefined; // the next request tries again
      log?.error({ err: e }, 'the lab could not open its database');
      throw new BoxofficeError('LAB_UNAVAILABLE', "the lab's database could not be opened");
    }));
  const service = async () => (await opened()).lab;
  const feed = new LabFeed(
    {
      isLabShowtime: (id) => LAB_SHOWTIMES.some((s) => s.id === id),
      state: async (id) => (await service()).state(id),
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    log,
    options.feed,
  );
  return {
    name: 'lab',
    service,
    database: async () => (await opened()).db,
    feed,
    routes: (app) => labRoutes(app, { lab: service, feed, ...(options.rateLimit && { rateLimit: options.rateLimit }) }),
    async close() {
      feed.close();
      const open = await opening?.catch(() => undefined);
      opening = undefined;
      if (!open) return;
      await open.lab.close();
      await open.db.close();
    },
  };
}

/**
 * When REDIS_URL is set, a Redis connection of the lab's own (keys under REDIS_KEY_PREFIX + "lab:").
 * A Redis that does not answer makes the redis-lock mode unavailable, with the reason.
 */
async function openRedisLocks(config: LabConfig, log?: Logger): Promise<{ redisLocks: LabLocks | null; redisUnavailable?: string }> {
  if (!config.redisUrl) return { redisLocks: null };
  const { openRedisLabLocks } = await import('./stores/redis-lab-locks.ts');
  try {
    return { redisLocks: await openRedisLabLocks({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix }) };
  } catch (e) {
    log?.warn({ err: e }, 'lab: redis-lock mode unavailable');
    return { redisLocks: null, redisUnavailable: `Redis at ${config.redisUrl} did not answer: ${e instanceof Error ? e.message : String(e)}` };
  }
}
