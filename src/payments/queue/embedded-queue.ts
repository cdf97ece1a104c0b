import type { Logger } from '../../booking/booking-service.ts';
import type { PaymentMessage } from '../../domain/orders.ts';
import { backoffOf, errorText, type DeadLetter, type PaymentQueue, type QueueDepth, type QueueSettings } from '../../domain/payment-queue.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { queriesIn } from '../../stores/postgres/queries.ts';

export const queueSql = queriesIn(new URL('./queries/', import.meta.url));

export interface EmbeddedQueueOptions extends QueueSettings {
  /** The database that holds payment_outbox (PGlite or a server): the queue is that table. */
  db: Queryable;
  /**
   * How long a delivery stays its consumer's. Renewed every third of it while the handler runs, so
   * it runs out only when the consumer is gone (crashed, killed, lost the database): the message is
   * then delivered again. Default 10 s (renewed every third of it while the handler runs).
   */
  leaseMs?: number;
  /** The longest wait between two looks at the table when nothing wakes a consumer. Default 500 ms. */
  pollMs?: number;
  log?: Logger;
}

interface ClaimedRow {
  id: string;
  kind: PaymentMessage['kind'];
  order_id: string;
  subject_id: string;
  attempts: number;
}

const toMessage = (row: ClaimedRow): PaymentMessage => ({ id: row.id, kind: row.kind, orderId: row.order_id, subjectId: row.subject_id, attempt: row.attempts });

const silent: Logger = { info() {}, warn() {}, error() {} };

/**
 * The embedded payment queue: payment_outbox is the queue. Consumers in any number of processes
 * claim due rows with FOR UPDATE SKIP LOCKED and a lease (claimPaymentMessages.sql), and settle each
 * delivery in one fenced statement (settlePaymentMessage.sql). Nothing is held in memory that a crash
 * could lose: a committed row is delivered until it is done or dead.
 */
export class EmbeddedPaymentQueue implements PaymentQueue {
  readonly kind = 'embedded';
  private readonly db: Queryable;
  private readonly settings: QueueSettings;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly log: Logger;
  /** Wakes every consumer of this process that sleeps between polls. */
  private readonly sleepers = new Set<() => void>();
  private readonly consumers = new Set<() => Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(options: EmbeddedQueueOptions) {
    this.db = options.db;
    this.settings = { maxAttempts: options.maxAttempts, backoffMs: options.backoffMs, prefetch: options.prefetch };
    this.leaseMs = options.leaseMs ?? 10_000;
    this.pollMs = options.pollMs ?? 500;
    this.log = options.log ?? silent;
  }

  async consume(handler: (message: PaymentMessage) => Promise<void>): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('the payment queue is closed');
    let stopped = false;
    const inFlight = new Set<Promise<void>>();
    // A wake that comes while the loop is claiming is kept, so the next sleep returns at once.
    let woken = false;
    let endSleep: (() => void) | null = null;
    const wake = () => {
      woken = true;
      endSleep?.();
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          endSleep = null;
          resolve();
        }
        endSleep = done;
      });
    const sleeper = () => wake();
    this.sleepers.add(sleeper);

    const loop = async () => {
      while (!stopped) {
        woken = false;
        const room = this.settings.prefetch - inFlight.size;
        let claimed: ClaimedRow[] = [];
        if (room > 0) {
          try {
            claimed = await this.db.query<ClaimedRow>(queueSql('claimPaymentMessages'), [room, this.leaseMs]);
          } catch (err) {
            this.log.error({ err }, 'payment queue: cannot claim messages; trying again');
          }
          for (const row of claimed) {
            const delivery: Promise<void> = this.deliver(row, handler).finally(() => {
              inFlight.delete(delivery);
              wake();
            });
            inFlight.add(delivery);
          }
        }
        // A full batch may mean more are due: look again at once. Otherwise wait for a nudge, a
        // finished handler (a free slot), a retry coming due, or the poll.
        if (room > 0 && claimed.length === room) continue;
        if (!stopped) await sleep(this.pollMs);
      }
    };
    const running = loop();
    const stop = async () => {
      stopped = true;
      wake();
      await running;
      await Promise.all(inFlight);
      this.sleepers.delete(sleeper);
      this.consumers.delete(stop);
    };
    this.consumers.add(stop);
    return stop;
  }

  /** Runs the handler on one claimed delivery, keeps its lease alive meanwhile, and settles it. */
  private async deliver(row: ClaimedRow, handler: (message: PaymentMessage) => Promise<void>): Promise<void> {
    const message = toMessage(row);
    const { maxAttempts } = this.settings;
    if (message.attempt > maxAttempts) {
      // Its last delivery's consumer died (lease ran out): a message that kills its worker is not run again.
      await this.settle(message, 'dead', `the worker stopped during delivery ${maxAttempts} of ${maxAttempts} (its lease ran out)`, 0);
      return;
    }
    const renew = setInterval(() => {
      this.db
        .query('UPDATE payment_outbox SET locked_until = now() + $3::bigint * interval \'1 millisecond\' WHERE id = $1::bigint AND attempts = $2::int AND done_at IS NULL AND dead_at IS NULL', [message.id, message.attempt, this.leaseMs])
        .catch((err) => this.log.error({ err, messageId: message.id }, 'payment queue: cannot renew a lease'));
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    try {
      await handler(message);
      clearInterval(renew);
      await this.settle(message, 'done', null, 0);
    } catch (e) {
      clearInterval(renew);
      if (message.attempt >= maxAttempts) {
        await this.settle(message, 'dead', errorText(e), 0);
      } else {
        const delay = backoffOf(this.settings, message.attempt);
        await this.settle(message, 'retry', errorText(e), delay);
        this.wakeAfter(delay);
      }
    }
  }

  private async settle(message: PaymentMessage, outcome: 'done' | 'retry' | 'dead', error: string | null, delayMs: number): Promise<void> {
    try {
      const rows = await this.db.query(queueSql('settlePaymentMessage'), [message.id, message.attempt, outcome, error, delayMs]);
      if (rows.length === 0) this.log.warn({ messageId: message.id, attempt: message.attempt }, 'payment queue: a delivery outlived its lease; the message was delivered again');
      if (outcome === 'dead') this.log.error({ messageId: message.id, kind: message.kind, orderId: message.orderId, error }, 'payment message dead-lettered');
    } catch (err) {
      // Not settled: its lease runs out and it is delivered again (at least once).
      this.log.error({ err, messageId: message.id }, 'payment queue: cannot settle a delivery');
    }
  }

  /** Wakes this process's consumers when a retry it scheduled comes due, rather than at the next poll. */
  private wakeAfter(ms: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.nudge();
    }, ms + 5);
    timer.unref();
    this.timers.add(timer);
  }

  nudge(): void {
    for (const wake of this.sleepers) wake();
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return deadLettersOf(this.db, limit);
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const retried = await retryDeadLetterIn(this.db, id);
    if (retried) this.nudge();
    return retried;
  }

  async depth(): Promise<QueueDepth> {
    const [row] = await this.db.query<{ waiting: number; leased: number; dead: number }>(queueSql('paymentQueueDepth'));
    return { waiting: row!.waiting, inFlight: row!.leased, dead: row!.dead };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.consumers].map((stop) => stop()));
  }
}

/** Dead letters as the admin sees them, newest first: both queues record them in payment_outbox. */
/**
 * Puts a dead letter back in the outbox as a first delivery (unpublished, for RabbitMQ's relay);
 * false when `id` is no dead letter. Both queues' retryDeadLetter.
 */
export async function retryDeadLetterIn(db: Queryable, id: string): Promise<boolean> {
  if (!/^[0-9]{1,18}$/.test(id)) return false;
  return (await db.query(queueSql('retryDeadLetter'), [id])).length > 0;
}

export async function deadLettersOf(db: Queryable, limit: number): Promise<DeadLetter[]> {
  const rows = await db.query<ClaimedRow & { dead_at: Date | string; last_error: string | null }>(
    `SELECT id::text AS id, kind, order_id, subject_id, attempts, dead_at, last_error
     FROM payment_outbox WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({ message: toMessage(row), diedAt: new Date(row.dead_at).getTime(), error: row.last_error ?? '' }));
}
