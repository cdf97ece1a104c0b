import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { closeOnSignals, startOrExit } from './process-lifecycle.ts';

/**
 * `npm run worker`: a payment worker in a process of its own, beside the servers (PAYMENT_WORKER=false
 * on them, or not: any number of workers share the queue). It runs the same composition root as the
 * server, without HTTP, so it books, refunds and announces changes exactly as an in-process worker does.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    // The embedded stores live inside one process: a worker of its own must share them through servers.
    if (!config.databaseUrl) throw new ConfigError('npm run worker needs DATABASE_URL: a worker process shares the orders with the servers through a PostgreSQL server (the embedded PGlite belongs to one process; without DATABASE_URL, run the worker inside the server: PAYMENT_WORKER=true, the default)');
    if (config.holdStore === 'memory') throw new ConfigError('npm run worker needs HOLD_STORE=redis or postgres: a paid order books its seats in the hold store, which the memory store keeps inside the server process');
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`boxoffice worker: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.logLevel, base: { role: 'payment-worker' } });
  const box = await startOrExit({ ...config, checkout: { ...config.checkout, inProcessWorker: true } }, log, 'boxoffice worker');
  if (!config.redisUrl) log.warn({}, 'without REDIS_URL, order and seat changes made here reach the servers\' /ws clients only when they poll');
  log.info({ queue: box.payments.queue.kind, stores: box.stores.describe }, 'payment worker running');

  closeOnSignals(log, 'payment worker stopping: finishing the messages in flight', 30_000, () => box.close());
}

await main();
