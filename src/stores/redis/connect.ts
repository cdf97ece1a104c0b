import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { BoxofficeError } from '../../domain/errors.ts';
import { StoreUnreachable, withoutPassword } from '../unreachable.ts';

export interface OutageLog {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Says once when Redis goes away and once when it is back, however many clients notice (the hold
 * store's, the shared one, each pub/sub subscriber), so an outage is two lines, not one per request.
 */
export class RedisOutages {
  private readonly down = new Set<Redis>();
  private since = 0;

  constructor(private readonly log: OutageLog) {}

  /** The client must have been connected by connectRedis (its 'error' events are already handled). */
  watch(client: Redis, url: string): void {
    // 'reconnecting' comes only after a connection was lost without quit() or disconnect().
    client.on('reconnecting', () => {
      if (this.down.size === 0) {
        this.since = Date.now();
        this.log.error({ redis: withoutPassword(url) }, 'Redis connection lost: requests that need Redis answer 503 STORE_UNAVAILABLE until it is back');
      }
      this.down.add(client);
    });
    client.on('ready', () => {
      if (this.down.delete(client) && this.down.size === 0) {
        this.log.info({ redis: withoutPassword(url), downMs: Date.now() - this.since }, 'Redis is back');
      }
    });
    client.on('end', () => this.down.delete(client));
  }
}

const outagesOf = new WeakMap<Redis, { outages: RedisOutages; url: string }>();

/**
 * Fail fast while Redis is away: a command is refused at once (no offline queue) and a command in
 * flight when the connection drops fails at once (no retries), rather than waiting through the
 * reconnects; redisUnavailable() turns those failures into 503s. Reconnects never stop, at most a
 * second apart, so service resumes by itself.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
};

/**
 * A connected client, or StoreUnreachable with the real reason: ioredis's connect() rejects with a
 * bare "Connection is closed" while the cause (ECONNREFUSED ...) arrives as an error event.
 * Commands issued in the same tick share one write (auto-pipelining), which is what lets a rush of
 * holds through one connection. With `outages`, a lost connection is logged (once, across clients).
 */
export async function connectRedis(url: string, keyPrefix?: string, outages?: RedisOutages): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, enableAutoPipelining: true, ...FAIL_FAST, ...(keyPrefix !== undefined && { keyPrefix }) });
  return start(client, url, outages);
}

/** A second connection like `client` (a pub/sub subscriber), watched by the same outage log. */
export function duplicateRedis(client: Redis, overrides: Partial<RedisOptions> = {}): Promise<Redis> {
  const watched = outagesOf.get(client);
  return start(client.duplicate({ lazyConnect: true, ...overrides }), watched?.url ?? 'redis', watched?.outages);
}

async function start(client: Redis, url: string, outages: RedisOutages | undefined): Promise<Redis> {
  // Always listened to: without a listener ioredis prints every reconnect failure as "Unhandled error
  // event". A lost connection is reported by RedisOutages and each command's own failure.
  client.on('error', () => {});
  let cause: unknown;
  const onError = (e: unknown) => (cause ??= e);
  client.on('error', onError);
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw new StoreUnreachable('redis', url, cause ?? e);
  } finally {
    client.off('error', onError);
  }
  if (outages) {
    outages.watch(client, url);
    outagesOf.set(client, { outages, url });
  }
  return client;
}

/**
 * A Redis failure as the caller should hear it: Redis's own answer (a ReplyError, a bug in a script)
 * stays as it is; anything else means the command never got an answer, and is STORE_UNAVAILABLE.
 */
export function redisUnavailable(e: unknown): unknown {
  if (e instanceof ReplyError || e instanceof BoxofficeError) return e;
  return new BoxofficeError('STORE_UNAVAILABLE', 'the hold store (Redis) is not answering; try again in a moment');
}
