import pino from 'pino';
import { startBoxoffice, type Boxoffice } from './boxoffice.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildApp } from './http/app.ts';
import { StoreUnreachable, withoutPassword } from './stores/unreachable.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`boxoffice: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.logLevel });
  let box: Boxoffice;
  try {
    box = await startBoxoffice(config, log);
  } catch (e) {
    if (e instanceof StoreUnreachable) {
      const [setting, url] = e.store === 'redis' ? [config.redisSetting, config.redisUrl] : ['DATABASE_URL', config.databaseUrl];
      console.error(`boxoffice: cannot connect to ${setting} (${withoutPassword(url ?? e.url)}): ${e.message}`);
      process.exit(1);
    }
    // The data folder (embedded database, token secret) cannot be created or written: a file, read-only, no permission.
    if (isSystemError(e) && typeof e.path === 'string' && e.path.startsWith(config.dataDir)) {
      console.error(`boxoffice: cannot use DATA_DIR (${config.dataDir}): ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const app = await buildApp(box, { firstClick: config.firstClick, logger: log, corsOrigins: config.corsOrigins, trustProxy: config.trustProxy, secureCookies: config.secureCookies, rateLimits: config.rateLimits });
  app.server.headersTimeout = 10_000;
  app.server.requestTimeout = 30_000;
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    if (isSystemError(e) && ['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES'].includes(e.code ?? '')) {
      console.error(`boxoffice: cannot listen on ${config.host}:${config.port} (HOST, PORT): ${e.message}`);
      await box.close().catch(() => {});
      process.exit(1);
    }
    throw e;
  }
  const { port } = app.server.address() as { port: number }; // PORT=0 picks a free one
  log.info({ stores: box.stores.describe }, `Boxoffice is serving http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests, closes sockets
      await box.close(); // sweeper, event bus, stores
      log.info({}, 'stopped');
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

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

await main();
