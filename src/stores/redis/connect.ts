import { Redis } from 'ioredis';

/**
 * A connected client, or the real reason it could not connect: ioredis's connect() rejects with a
 * bare "Connection is closed" while the cause (ECONNREFUSED ...) arrives as an error event.
 * Commands issued in the same tick share one write (auto-pipelining), which is what lets a rush of
 * holds through one connection.
 */
export async function connectRedis(url: string, keyPrefix?: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, enableAutoPipelining: true, ...(keyPrefix !== undefined && { keyPrefix }) });
  let cause: unknown;
  const onError = (e: unknown) => (cause ??= e);
  client.on('error', onError);
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw cause ?? e;
  } finally {
    client.off('error', onError);
  }
  return client;
}
