import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildApp } from './http/app.ts';
import { closeOnSignals, isSystemError, startOrExit } from './process-lifecycle.ts';

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
  const box = await startOrExit(config, log, 'boxoffice');
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

  closeOnSignals(log, 'shutting down: finishing in-flight requests', 15_000, async () => {
    await app.close(); // stops accepting, waits for in-flight requests, closes sockets
    await box.close(); // sweeper, event bus, stores
  });
}

await main();
