import pino from 'pino';
import { startBoxoffice, type Boxoffice } from './boxoffice.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { StoreUnreachable, withoutPassword } from './stores/unreachable.ts';

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
  let box: Boxoffice;
  try {
    box = await startBoxoffice({ ...config, checkout: { ...config.checkout, inProcessWorker: true } }, log);
  } catch (e) {
    if (e instanceof StoreUnreachable) {
      const [setting, url] = e.store === 'redis' ? [config.redisSetting, config.redisUrl] : ['DATABASE_URL', config.databaseUrl];
      console.error(`boxoffice worker: cannot connect to ${setting} (${withoutPassword(url ?? e.url)}): ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  if (!box.payments.worker) {
    console.error('boxoffice worker: this build has no payment processor to run');
    await box.close();
    process.exit(1);
  }
  if (!config.redisUrl) log.warn({}, 'without REDIS_URL, order and seat changes made here reach the servers\' /ws clients only when they poll');
  log.info({ queue: box.payments.queue.kind, stores: box.stores.describe }, 'payment worker running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'payment worker stopping: finishing the messages in flight');
    const force = setTimeout(() => process.exit(1), 30_000).unref();
    try {
      await box.close();
      clearTimeout(force);
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
