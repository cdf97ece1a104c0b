import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { SeatChangeEvent } from '../../domain/booking.ts';
import { LocalEventBus, type EventBus, type SeatChangeListener } from '../../realtime/event-bus.ts';

/**
 * Seat changes shared by every instance over Redis pub/sub. An instance hands its own events to
 * its listeners at once and ignores their echo; events of other instances arrive from Redis.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  private readonly origin = randomUUID();
  private readonly channel: string;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    keyPrefix: string,
    private readonly onError: (e: unknown) => void,
  ) {
    this.channel = `${keyPrefix}seat-events`;
  }

  static async open(options: { url: string; keyPrefix: string; onError?: (e: unknown) => void }): Promise<RedisEventBus> {
    const publisher = new Redis(options.url, { lazyConnect: true });
    const subscriber = publisher.duplicate();
    await Promise.all([publisher.connect(), subscriber.connect()]);
    const bus = new RedisEventBus(publisher, subscriber, options.keyPrefix, options.onError ?? (() => {}));
    subscriber.on('message', (_channel: string, raw: string) => bus.receive(raw));
    await subscriber.subscribe(bus.channel);
    return bus;
  }

  publish(event: SeatChangeEvent): void {
    this.local.publish(event);
    this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, event })).catch(this.onError);
  }

  subscribe(listener: SeatChangeListener): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }

  private receive(raw: string): void {
    try {
      const message = JSON.parse(raw) as { origin: string; event: SeatChangeEvent };
      if (message.origin !== this.origin) this.local.publish(message.event);
    } catch (e) {
      this.onError(e);
    }
  }
}
