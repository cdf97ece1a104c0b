import { BookingService, type Logger } from './booking/booking-service.ts';
import { loadDemoCatalog } from './catalog/demo-catalog.ts';
import type { LabLocks } from './lab/lab-ports.ts';
import { LabService } from './lab/lab-service.ts';
import { MemoryLabLocks } from './lab/memory-locks.ts';
import type { Config } from './config.ts';
import { LocalEventBus, type EventBus } from './realtime/event-bus.ts';
import { openStores, type Stores } from './stores/index.ts';
import { PostgresLabStore } from './stores/postgres/lab-store.ts';
import { RedisEventBus } from './stores/redis/redis-event-bus.ts';

export interface Boxoffice {
  service: BookingService;
  events: EventBus;
  stores: Stores;
  /** The Concurrency Lab; undefined when LAB_ENABLED=false. */
  lab?: LabService;
  close(): Promise<void>;
}

/** The composition root: the only place that knows which adapters run. */
export async function startBoxoffice(config: Config, log?: Logger): Promise<Boxoffice> {
  const stores = await openStores(config);
  let events: EventBus;
  try {
    // With Redis configured, every instance sees every change (SPEC.md §2, realtime).
    events = config.redisUrl
      ? await RedisEventBus.open({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, onError: (err) => log?.error({ err }, 'seat event lost') })
      : new LocalEventBus();
  } catch (e) {
    await stores.close();
    throw e;
  }
  const service = new BookingService({ holds: stores.holds, repository: stores.repository, events, limits: config.limits, ...(log && { log }) });
  if (config.demoCatalog && (await stores.repository.isEmpty())) {
    await loadDemoCatalog(stores.repository);
    log?.info({}, 'loaded the demo catalog');
  }
  let lab: LabService | undefined;
  try {
    lab = config.labEnabled ? await startLab(config, stores, log) : undefined;
  } catch (e) {
    await events.close();
    await stores.close();
    throw e;
  }
  const stopSweeper = service.startSweeper();
  return {
    service,
    events,
    stores,
    ...(lab && { lab }),
    async close() {
      await stopSweeper();
      await lab?.close();
      await events.close();
      await stores.close();
    },
  };
}

/**
 * The Concurrency Lab over the repository's database (its own lab_* tables) and, when REDIS_URL is
 * set, a Redis connection of its own (keys under REDIS_KEY_PREFIX + "lab:"). A Redis that does not
 * answer makes the redis-lock mode unavailable, with the reason, rather than stopping the start.
 */
async function startLab(config: Config, stores: Stores, log?: Logger): Promise<LabService> {
  let redisLocks: LabLocks | null = null;
  let redisUnavailable: string | undefined;
  if (config.redisUrl) {
    const { openRedisLabLocks } = await import('./stores/redis/lab-redis-locks.ts');
    try {
      redisLocks = await openRedisLabLocks({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix });
    } catch (e) {
      redisUnavailable = `Redis at ${config.redisUrl} did not answer: ${e instanceof Error ? e.message : String(e)}`;
      log?.warn({ err: e }, 'lab: redis-lock mode unavailable');
    }
  }
  const lab = new LabService({
    db: new PostgresLabStore(stores.db),
    memoryLocks: new MemoryLabLocks(),
    redisLocks,
    ...(redisUnavailable && { redisUnavailable }),
    ...(log && { log }),
  });
  await lab.init();
  return lab;
}
