import type { PaymentMessage } from './orders.ts';

/**
 * The queue that carries payment messages from the outbox to the payment worker. Two adapters keep
 * this one contract (test/payments/payment-queue.contract.ts runs against both):
 *   - embedded: the outbox table itself is the queue (rows claimed with FOR UPDATE SKIP LOCKED);
 *   - rabbitmq: a relay publishes outbox rows with publisher confirms to a durable queue; consumers
 *     ack manually with a bounded prefetch; retries wait in delayed retry queues; the last failure
 *     goes to a dead-letter queue.
 * Messages are written to the outbox by the OrderRepository, in the same transaction as the payment
 * or refund they carry (G10); the queue never loses one that was committed.
 *
 * Delivery is at least once: a handler must be idempotent (the gateway's idempotency keys are).
 */
export interface PaymentQueue {
  readonly kind: 'embedded' | 'rabbitmq';

  /**
   * Delivers messages to the handler, at most `prefetch` at once in this process, until the returned
   * stop function is called (it waits for the handlers in flight). A handler that resolves acks the
   * message; one that throws has it retried after a backoff (attempt n waits base * 2^(n-1)), and
   * after `maxAttempts` deliveries it is dead-lettered.
   */
  consume(handler: (message: PaymentMessage) => Promise<void>): Promise<() => Promise<void>>;

  /** Messages that used up their retries, newest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;

  /** Sends a dead letter back to the queue as a first delivery; false when there is no such dead letter. */
  retryDeadLetter(id: string): Promise<boolean>;

  /** Messages waiting (ready or in a retry delay), being processed, and dead. */
  depth(): Promise<QueueDepth>;

  /**
   * Says that a message was just committed to the outbox, so it goes out now rather than at the
   * next poll (a hint: polling alone delivers it too, from any process).
   */
  nudge(): void;

  close(): Promise<void>;
}

export interface QueueDepth {
  waiting: number;
  inFlight: number;
  dead: number;
}

export interface DeadLetter {
  message: PaymentMessage;
  /** Epoch ms. */
  diedAt: number;
  /** The last handler error's message. */
  error: string;
}

export interface QueueSettings {
  /** Deliveries before a message is dead-lettered. */
  maxAttempts: number;
  /** The wait before the first retry; doubles with each further one. */
  backoffMs: number;
  /** Messages one consumer processes at once. */
  prefetch: number;
}

/** The longest retry delay, whatever the settings: a day (RabbitMQ's per-queue TTL must also fit 32 bits). */
export const MAX_BACKOFF_MS = 24 * 3_600_000;

/** The wait after failed delivery `attempt` (1 for the first): base * 2^(attempt-1), at most MAX_BACKOFF_MS. */
export const backoffOf = (settings: Pick<QueueSettings, 'backoffMs'>, attempt: number): number =>
  Math.min(settings.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);

/** What a handler's failure leaves in the dead letter: its message, never a stack (nothing from a card reaches a message). */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 1000) || 'failed';
