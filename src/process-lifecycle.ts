import type { Logger } from 'pino';
import { startBoxoffice, type Boxoffice } from './boxoffice.ts';
import type { Config } from './config.ts';
import { StoreUnreachable, withoutPassword } from './stores/unreachable.ts';

/**
 * What the server and the worker processes share about living as a process: starting the
 * composition root with a one-line reason on stderr when it cannot, and closing on SIGTERM/SIGINT.
 */

/** Starts Boxoffice, or exits 1 naming the store it cannot reach or the DATA_DIR it cannot use. */
export async function startOrExit(config: Config, log: Logger, name: string): Promise<Boxoffice> {
  try {
    return await startBoxoffice(config, log);
  } catch (e) {
    if (e instanceof StoreUnreachable) {
      const [setting, url] = e.store === 'redis' ? [config.redisSetting, config.redisUrl] : ['DATABASE_URL', config.databaseUrl];
      console.error(`${name}: cannot connect to ${setting} (${withoutPassword(url ?? e.url)}): ${e.message}`);
      process.exit(1);
    }
    // The data folder (embedded database, token secret) cannot be created or written: a file, read-only, no permission.
    if (isSystemError(e) && typeof e.path === 'string' && e.path.startsWith(config.dataDir)) {
      console.error(`${name}: cannot use DATA_DIR (${config.dataDir}): ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

/** On SIGTERM or SIGINT: logs `message`, runs `close` once, exits 0; exits 1 when it fails or takes over `forceMs`. */
export function closeOnSignals(log: Logger, message: string, forceMs: number, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, message);
    const force = setTimeout(() => process.exit(1), forceMs).unref();
    try {
      await close();
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

export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}
