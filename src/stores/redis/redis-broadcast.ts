import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LocalBroadcast, type Broadcast } from '../../realtime/event-bus.ts';
import { duplicateRedis } from './connect.ts';

/**
 * A broadcast shared by every instance over one Redis pub/sub channel. An instance hands its own
 * messages to its listeners at once and ignores their echo; other instances' arrive from Redis.
 * Publishes go through the caller's client (it stays theirs); the subscriber connection is ours.
 */
export class RedisBroadcast<T> implements Broadcast<T> {
  private readonly local = new LocalBroadcast<T>();
  private readonly origin = randomUUID();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly onError: (e: unknown) => void,
  ) {}

  static async open<T>(options: { client: Redis; channel: string; onError?: (e: unknown) => void }): Promise<RedisBroadcast<T>> {
    const subscriber = await duplicateRedis(options.client, { enableAutoPipelining: false });
    const broadcast = new RedisBroadcast<T>(options.client, subscriber, options.channel, options.onError ?? (() => {}));
    subscriber.on('message', (_channel: string, raw: string) => broadcast.receive(raw));
    try {
      await subscriber.subscribe(options.channel);
    } catch (e) {
      subscriber.disconnect();
      throw e;
    }
    return broadcast;
  }

  publish(message: T): void {
    this.local.publish(message);
    // While Redis is away every publish fails at once; the outage itself is logged once (connect.ts).
    this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, message })).catch((e: unknown) => {
      if (this.publisher.status === 'ready') this.onError(e);
    });
  }

  subscribe(listener: (message: T) => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
  }

  private receive(raw: string): void {
    try {
      const { origin, message } = JSON.parse(raw) as { origin: string; message: T };
      if (origin !== this.origin) this.local.publish(message);
    } catch (e) {
      this.onError(e);
    }
  }
}
