import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../../booking/booking-service.ts';
import type { PaymentMessage } from '../../domain/orders.ts';
import { backoffOf, errorText, type DeadLetter, type PaymentQueue, type QueueDepth, type QueueSettings } from '../../domain/payment-queue.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { deadLettersOf, queueSql, retryDeadLetterIn } from './embedded-queue.ts';

export interface RabbitQueueOptions extends QueueSettings {
  /** amqp://user:password@host:port/vhost */
  url: string;
  /** Every queue's name starts with it (AMQP_PREFIX): deployments and test runs never share one. */
  prefix: string;
  /** The database that holds payment_outbox: the relay publishes its rows; dead letters are recorded there. */
  db: Db;
  /** The longest wait between two looks for unpublished outbox rows when nothing nudges the relay. Default 1 s. */
  relayPollMs?: number;
  log?: Logger;
}

/** The queues of one prefix; the retry queues are one per distinct delay (attempt 1 .. maxAttempts-1). */
export function queueNames(prefix: string, settings: Pick<QueueSettings, 'maxAttempts' | 'backoffMs'>) {
  const delays = [...new Set(Array.from({ length: settings.maxAttempts - 1 }, (_, i) => backoffOf(settings, i + 1)))];
  return {
    main: `${prefix}payments`,
    dead: `${prefix}payments.dead`,
    retry: (delayMs: number) => `${prefix}payments.retry.${delayMs}ms`,
    retries: delays.map((delayMs) => ({ delayMs, name: `${prefix}payments.retry.${delayMs}ms` })),
  };
}

/** A message on the wire: the outbox row's ids; the delivery's number travels in a header. */
interface WireMessage {
  id: string;
  kind: PaymentMessage['kind'];
  orderId: string;
  subjectId: string;
}
const ATTEMPT_HEADER = 'x-boxoffice-attempt';
const RELAY_BATCH = 100;

interface Consumer {
  handler: (message: PaymentMessage) => Promise<void>;
  channel: Channel | null;
  tag: string | null;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
}

const silent: Logger = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The payment queue on RabbitMQ (amqplib). Messages reach the broker only through the outbox: a
 * relay publishes committed payment_outbox rows on a confirm channel and sets published_at once the
 * broker confirmed them (persistent messages, durable queues: a confirmed message survives a broker
 * restart). Consumers ack by hand with a bounded prefetch. A failed delivery is re-published to the
 * retry queue of its delay (per-queue x-message-ttl, dead-lettering back to the main queue) and
 * acked; the last one is recorded in payment_outbox (dead_at, last_error: the admin's list reads
 * one place for both queues) and nacked into the dead-letter queue. The connection recovers by
 * itself (amqplib's recovery); each reconnection declares the queues again and restarts the
 * consumers; unacked deliveries of the lost connection are redelivered by the broker.
 */
export class RabbitMqPaymentQueue implements PaymentQueue {
  readonly kind = 'rabbitmq';
  readonly names: ReturnType<typeof queueNames>;
  private readonly settings: QueueSettings;
  private readonly db: Db;
  private readonly log: Logger;
  private readonly relayPollMs: number;
  private connection!: RecoveringChannelModel;
  private model: ChannelModel | null = null;
  private publisher: ConfirmChannel | null = null;
  private readonly consumers = new Set<Consumer>();
  private closing = false;
  private wakeRelay = () => {};
  private relayWoken = false;
  private relayRunning: Promise<void> = Promise.resolve();
  private lost = false;

  private constructor(options: RabbitQueueOptions) {
    this.settings = { maxAttempts: options.maxAttempts, backoffMs: options.backoffMs, prefetch: options.prefetch };
    this.names = queueNames(options.prefix, options);
    this.db = options.db;
    this.log = options.log ?? silent;
    this.relayPollMs = options.relayPollMs ?? 1_000;
  }

  /**
   * Connects and starts the relay. Resolves at once, even when RabbitMQ is down: the outbox keeps
   * every payment until the broker is back (G10), and the connection keeps trying.
   */
  static async open(options: RabbitQueueOptions): Promise<RabbitMqPaymentQueue> {
    const queue = new RabbitMqPaymentQueue(options);
    queue.connection = await connect(options.url, {
      timeout: 10_000,
      recovery: { setup: (model: ChannelModel) => queue.setup(model), waitForConnect: false, initialDelay: 200, maxDelay: 5_000 },
    });
    queue.connection.on('error', (err: Error) => queue.log.warn({ err }, 'RabbitMQ connection error'));
    queue.connection.on('disconnect', (err: Error) => queue.disconnected(err));
    queue.connection.on('connect-failed', (err: Error) => {
      if (!queue.lost) queue.log.error({ err }, 'RabbitMQ unreachable: payments wait in the outbox until it answers');
      queue.lost = true;
    });
    queue.relayRunning = queue.relayLoop();
    return queue;
  }

  /** Resolves once connected (tests; the server never waits for the broker). */
  connected(): Promise<unknown> {
    return this.connection.waitForConnect();
  }

  /** After every (re)connection, before the model is handed out: queues, publisher, consumers. */
  private async setup(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on('error', (err: Error) => this.log.warn({ err }, 'RabbitMQ publisher channel error'));
    // A channel that closes while its connection lives (an error of the broker's): reconnect everything.
    publisher.on('close', () => this.channelLost(model));
    const { main, dead, retries } = this.names;
    await publisher.assertQueue(dead, { durable: true });
    await publisher.assertQueue(main, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    for (const { name, delayMs } of retries) {
      // One queue per delay, so every message in it waits the same: no message waits behind a longer one.
      await publisher.assertQueue(name, { durable: true, arguments: { 'x-message-ttl': delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': main } });
    }
    this.model = model;
    this.publisher = publisher;
    for (const consumer of this.consumers) if (!consumer.stopped) await this.startConsumer(consumer, model);
    if (this.lost) this.log.info({}, 'RabbitMQ is back: relaying the outbox');
    this.lost = false;
    this.nudge();
  }

  private disconnected(err: Error): void {
    this.model = null;
    this.publisher = null;
    for (const consumer of this.consumers) {
      consumer.channel = null;
      consumer.tag = null;
    }
    if (!this.closing) {
      this.lost = true;
      this.log.error({ err }, 'RabbitMQ connection lost: reconnecting; payments wait in the outbox meanwhile');
    }
  }

  private channelLost(model: ChannelModel): void {
    if (this.closing || this.model !== model) return;
    model.close().catch(() => {});
  }

  async consume(handler: (message: PaymentMessage) => Promise<void>): Promise<() => Promise<void>> {
    if (this.closing) throw new Error('the payment queue is closed');
    const consumer: Consumer = { handler, channel: null, tag: null, inFlight: new Set(), stopped: false };
    this.consumers.add(consumer);
    if (this.model) await this.startConsumer(consumer, this.model);
    return async () => {
      consumer.stopped = true;
      const { channel, tag } = consumer;
      if (channel && tag) await channel.cancel(tag).catch(() => {});
      await Promise.all(consumer.inFlight);
      if (channel) await channel.close().catch(() => {});
      this.consumers.delete(consumer);
    };
  }

  private async startConsumer(consumer: Consumer, model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.log.warn({ err }, 'RabbitMQ consumer channel error'));
    channel.on('close', () => {
      if (!consumer.stopped) this.channelLost(model);
    });
    await channel.prefetch(this.settings.prefetch);
    consumer.channel = channel;
    const { consumerTag } = await channel.consume(
      this.names.main,
      (msg) => {
        if (!msg) return; // cancelled by the broker (the queue was deleted); a reconnection declares it again
        const delivery: Promise<void> = this.deliver(consumer, channel, msg).finally(() => consumer.inFlight.delete(delivery));
        consumer.inFlight.add(delivery);
      },
      { noAck: false },
    );
    consumer.tag = consumerTag;
  }

  private async deliver(consumer: Consumer, channel: Channel, msg: ConsumeMessage): Promise<void> {
    const message = parse(msg);
    if (!message) {
      this.log.error({ messageId: msg.properties.messageId }, 'payment queue: an unreadable message went to the dead-letter queue');
      settleOnChannel(() => channel.nack(msg, false, false));
      return;
    }
    try {
      await consumer.handler(message);
    } catch (e) {
      await this.failed(channel, msg, message, errorText(e));
      return;
    }
    // Marked done for the admin's depth and for a later switch to the embedded queue; a failure here
    // only costs a redelivery's idempotent no-op, never a lost message.
    await this.db.query('UPDATE payment_outbox SET done_at = now() WHERE id = $1::bigint AND done_at IS NULL', [message.id]).catch((err) => this.log.warn({ err, messageId: message.id }, 'payment queue: cannot mark a message done'));
    settleOnChannel(() => channel.ack(msg));
  }

  private async failed(channel: Channel, msg: ConsumeMessage, message: PaymentMessage, error: string): Promise<void> {
    try {
      if (message.attempt >= this.settings.maxAttempts) {
        // Recorded before the nack: a crash between the two redelivers it, and it dies again.
        await this.db.query(
          'UPDATE payment_outbox SET dead_at = now(), last_error = $3, attempts = $2::int WHERE id = $1::bigint AND dead_at IS NULL AND done_at IS NULL',
          [message.id, message.attempt, error],
        );
        this.log.error({ messageId: message.id, kind: message.kind, orderId: message.orderId, error }, 'payment message dead-lettered');
        settleOnChannel(() => channel.nack(msg, false, false));
      } else {
        const delayMs = backoffOf(this.settings, message.attempt);
        await this.publish(this.names.retry(delayMs), message, message.attempt + 1);
        settleOnChannel(() => channel.ack(msg));
      }
    } catch (err) {
      // Neither recorded nor re-published (the database or the broker is away): back to the queue after a pause.
      this.log.error({ err, messageId: message.id }, 'payment queue: cannot schedule a retry; the message goes back to the queue');
      await sleep(1_000);
      settleOnChannel(() => channel.nack(msg, false, true));
    }
  }

  /** Publishes one message and resolves when the broker confirmed it. */
  private publish(queue: string, message: WireMessage, attempt: number): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return Promise.reject(new Error('RabbitMQ is not connected'));
    return new Promise((resolve, reject) => {
      publisher.sendToQueue(queue, wire(message), properties(message, attempt), (err) => (err ? reject(err instanceof Error ? err : new Error('the broker refused the message')) : resolve()));
    });
  }

  /** Publishes unpublished outbox rows, oldest first, until none is left; then waits for a nudge or the poll. */
  private async relayLoop(): Promise<void> {
    while (!this.closing) {
      this.relayWoken = false;
      let published = 0;
      try {
        published = await this.relayBatch();
      } catch (err) {
        if (!this.lost) this.log.warn({ err }, 'payment relay: a batch did not go out; it is retried');
      }
      if (published === RELAY_BATCH) continue;
      if (this.relayWoken || this.closing) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.relayPollMs);
        const wake = () => done();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeRelay = wake;
      });
      this.wakeRelay = () => {};
    }
  }

  /**
   * One transaction: lock up to RELAY_BATCH unpublished rows (SKIP LOCKED: relays of other processes
   * take others), publish them, wait for the broker's confirms, set published_at. A failure rolls back:
   * the rows are published again (at least once).
   */
  private async relayBatch(): Promise<number> {
    const publisher = this.publisher;
    if (!publisher) return 0;
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; kind: PaymentMessage['kind']; order_id: string; subject_id: string }>(queueSql('claimUnpublishedMessages'), [RELAY_BATCH]);
      if (rows.length === 0) return 0;
      for (const row of rows) {
        const message: WireMessage = { id: row.id, kind: row.kind, orderId: row.order_id, subjectId: row.subject_id };
        publisher.sendToQueue(this.names.main, wire(message), properties(message, 1));
      }
      await publisher.waitForConfirms();
      await tx.query('UPDATE payment_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  nudge(): void {
    this.relayWoken = true;
    this.wakeRelay();
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return deadLettersOf(this.db, limit);
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    // Unpublished again: the relay sends it as a first delivery (and keeps it if the broker is away).
    const retried = await retryDeadLetterIn(this.db, id);
    if (retried) this.nudge();
    return retried;
  }

  async depth(): Promise<QueueDepth> {
    const [row] = await this.db.query<{ open: number; unpublished: number; dead: number }>(queueSql('paymentQueueDepth'));
    const { open, unpublished, dead } = row!;
    const ready = await this.readyOnBroker();
    // Not connected: everything not done is waiting, as far as anyone can tell.
    if (ready === null) return { waiting: open, inFlight: 0, dead };
    const waiting = unpublished + ready;
    return { waiting, inFlight: Math.max(0, open - waiting), dead };
  }

  /** Messages ready in the main queue and waiting in the retry queues, or null when the broker does not answer. */
  private async readyOnBroker(): Promise<number | null> {
    const model = this.model;
    if (!model) return null;
    let channel: Channel | null = null;
    try {
      channel = await model.createChannel();
      channel.on('error', () => {});
      let ready = 0;
      for (const name of [this.names.main, ...this.names.retries.map((r) => r.name)]) ready += (await channel.checkQueue(name)).messageCount;
      return ready;
    } catch {
      return null;
    } finally {
      await channel?.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wakeRelay();
    await this.relayRunning;
    for (const consumer of [...this.consumers]) {
      consumer.stopped = true;
      if (consumer.channel && consumer.tag) await consumer.channel.cancel(consumer.tag).catch(() => {});
    }
    await Promise.all([...this.consumers].flatMap((c) => [...c.inFlight]));
    await this.connection.close().catch(() => {});
  }
}

const wire = (message: WireMessage) => Buffer.from(JSON.stringify({ id: message.id, kind: message.kind, orderId: message.orderId, subjectId: message.subjectId }));

const properties = (message: WireMessage, attempt: number) => ({
  persistent: true,
  contentType: 'application/json',
  messageId: message.id,
  headers: { [ATTEMPT_HEADER]: attempt },
});

function parse(msg: ConsumeMessage): PaymentMessage | null {
  try {
    const body = JSON.parse(msg.content.toString('utf8')) as Partial<WireMessage>;
    const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    const strings = [body.id, body.orderId, body.subjectId].every((v) => typeof v === 'string' && v.length > 0 && v.length <= 200);
    if (!strings || (body.kind !== 'charge' && body.kind !== 'refund') || !Number.isInteger(attempt) || attempt < 1) return null;
    return { id: body.id!, kind: body.kind, orderId: body.orderId!, subjectId: body.subjectId!, attempt };
  } catch {
    return null;
  }
}

/** An ack or nack on a channel that closed meanwhile: nothing to do, the broker redelivers the message. */
function settleOnChannel(settle: () => void): void {
  try {
    settle();
  } catch {
    // IllegalOperationError: channel closed.
  }
}
