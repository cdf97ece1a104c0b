import { BookingService, type Logger } from './booking/booking-service.ts';
import { loadDemoCatalog } from './catalog/demo-catalog.ts';
import type { Config } from './config.ts';
import { LocalEventBus, type EventBus } from './realtime/event-bus.ts';
import { openStores, type Stores } from './stores/index.ts';
import { RedisEventBus } from './stores/redis/redis-event-bus.ts';

export interface Boxoffice {
  service: BookingService;
  events: EventBus;
  stores: Stores;
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
  const stopSweeper = service.startSweeper();
  return {
    service,
    events,
    stores,
    async close() {
      await stopSweeper();
      await events.close();
      await stores.close();
    },
  };
}
