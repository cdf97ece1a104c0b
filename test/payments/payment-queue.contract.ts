// The one contract every PaymentQueue keeps: the same cases and assertions for the embedded queue
// (PGlite and a PostgreSQL server) and RabbitMQ. Each queue's test file calls paymentQueueContract
// with a harness; messages are outbox rows written with plain SQL, as the OrderRepository writes them.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresBookingRepository } from '../../src/stores/postgres/booking-repository.ts';
import { loadDemoCatalog } from '../../src/catalog/demo-catalog.ts';
import type { PaymentMessage } from '../../src/domain/orders.ts';
import type { PaymentQueue, QueueSettings } from '../../src/domain/payment-queue.ts';
import type { Db } from '../../src/stores/postgres/db.ts';

export interface QueueHarness {
  /** The database of payment_outbox (migrated). */
  db: Db;
  /** A queue over the run's store; several may be open at once, as several worker processes. */
  open(settings: QueueSettings): Promise<PaymentQueue>;
  /** A queue that kill() takes down the way kill -9 takes a worker: no ack, no goodbye; its deliveries stay unacknowledged. */
  openDoomed(settings: QueueSettings): Promise<{ queue: PaymentQueue; kill(): Promise<void> }>;
  /** Empties the queue between cases (outbox rows, and the broker's queues). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Small and quick, so retries and deaths happen within a test. */
export const SETTINGS: QueueSettings = { maxAttempts: 3, backoffMs: 150, prefetch: 2 };

export async function loadCatalog(db: Db): Promise<void> {
  await loadDemoCatalog(new PostgresBookingRepository(db));
}

let orders = 0;
/** Writes an order and its outbox message, as addPayment does (one transaction); returns the message id. */
export async function enqueue(db: Db, kind: PaymentMessage['kind'] = 'charge'): Promise<{ id: string; orderId: string; subjectId: string }> {
  const orderId = `ord_contract_${process.pid}_${++orders}_${Date.now()}`;
  const subjectId = `${kind === 'charge' ? 'pay' : 'ref'}_${orders}`;
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO orders (id, hold_id, showtime_id, owner, email, state, currency, total, lines, expires_at)
       VALUES ($1, $1, 'dune-1', 'guest:contract', 'buyer@example.com', 'pending_payment', 'EUR', 1200, '[{"seat":"A1","kind":"standard","price":1200}]', now() + interval '10 minutes')`,
      [orderId],
    );
    const [row] = await tx.query<{ id: string }>(`INSERT INTO payment_outbox (kind, order_id, subject_id) VALUES ($1, $2, $3) RETURNING id::text AS id`, [kind, orderId, subjectId]);
    return { id: row!.id, orderId, subjectId };
  });
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`not within ${ms / 1000} s: ${what}`);
    await sleep(20);
  }
}

/** A handler that keeps every delivery until released, and counts them. */
function gate() {
  const seen: PaymentMessage[] = [];
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  let active = 0;
  let maxActive = 0;
  return {
    seen,
    release,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
    handler: async (message: PaymentMessage) => {
      seen.push(message);
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        await open;
      } finally {
        active--;
      }
    },
  };
}

export function paymentQueueContract(name: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`PaymentQueue contract: ${name}`, () => {
    let h: QueueHarness;
    const opened: PaymentQueue[] = [];
    const open = async (settings = SETTINGS) => {
      const queue = await h.open(settings);
      opened.push(queue);
      return queue;
    };
    before(async () => {
      h = await makeHarness();
    });
    beforeEach(async () => {
      for (const queue of opened.splice(0)) await queue.close();
      await h.reset();
    });
    after(async () => {
      for (const queue of opened.splice(0)) await queue.close();
      await h.close();
    });

    it('delivers each committed message once, with its ids and attempt 1, and an acked message never comes back', async () => {
      const queue = await open();
      const sent = [await enqueue(h.db), await enqueue(h.db, 'refund'), await enqueue(h.db)];
      queue.nudge();
      const seen: PaymentMessage[] = [];
      await queue.consume(async (m) => void seen.push(m));
      await eventually('three deliveries', () => seen.length >= 3);
      assert.deepEqual(
        seen.map((m) => [m.id, m.kind, m.orderId, m.subjectId, m.attempt]).sort(),
        sent.map((s, i) => [s.id, i === 1 ? 'refund' : 'charge', s.orderId, s.subjectId, 1]).sort(),
      );
      await eventually('nothing left', async () => {
        const d = await queue.depth();
        return d.waiting === 0 && d.inFlight === 0 && d.dead === 0;
      });
      await sleep(600);
      assert.equal(seen.length, 3, 'an acked message was delivered again');
    });

    it('delivers again a message whose consumer died without acking it (at least once)', async () => {
      const doomed = await h.openDoomed(SETTINGS);
      const sent = await enqueue(h.db);
      doomed.queue.nudge();
      const dying = gate();
      await doomed.queue.consume(dying.handler);
      await eventually('the doomed consumer got it', () => dying.seen.length === 1);
      await doomed.kill();

      const queue = await open();
      const seen: PaymentMessage[] = [];
      await queue.consume(async (m) => void seen.push(m));
      const again = await eventually('redelivered to a live consumer', () => seen[0], 15_000);
      assert.equal(again.id, sent.id);
      assert.equal(again.subjectId, sent.subjectId);
      await eventually('settled', async () => (await queue.depth()).waiting + (await queue.depth()).inFlight === 0);
      dying.release();
      await doomed.queue.close();
    });

    it('retries a failed message after a backoff that doubles, then succeeds', async () => {
      const queue = await open();
      const sent = await enqueue(h.db);
      queue.nudge();
      const times: number[] = [];
      const attempts: number[] = [];
      await queue.consume(async (m) => {
        times.push(Date.now());
        attempts.push(m.attempt);
        if (m.attempt < 3) throw new Error(`gateway timeout ${m.attempt}`);
      });
      await eventually('three deliveries', () => times.length >= 3);
      assert.deepEqual(attempts, [1, 2, 3]);
      const [first, second] = [times[1]! - times[0]!, times[2]! - times[1]!];
      assert.ok(first >= SETTINGS.backoffMs - 10, `first retry after ${first} ms, before the ${SETTINGS.backoffMs} ms backoff`);
      assert.ok(second >= 2 * SETTINGS.backoffMs - 10, `second retry after ${second} ms, before the ${2 * SETTINGS.backoffMs} ms backoff`);
      await eventually('done', async () => (await queue.depth()).waiting === 0 && (await queue.depth()).inFlight === 0);
      assert.deepEqual(await queue.deadLetters(10), []);
      await sleep(300);
      assert.equal(times.length, 3, `message ${sent.id} was delivered after it succeeded`);
    });

    it('dead-letters a message after maxAttempts deliveries, with the last error, and delivers it no more', async () => {
      const queue = await open();
      const sent = await enqueue(h.db);
      queue.nudge();
      const attempts: number[] = [];
      await queue.consume(async (m) => {
        attempts.push(m.attempt);
        throw new Error(`the gateway is on fire (${m.attempt})`);
      });
      const [dead] = await eventually('a dead letter', async () => {
        const list = await queue.deadLetters(10);
        return list.length > 0 && list;
      });
      assert.equal(dead!.message.id, sent.id);
      assert.equal(dead!.message.orderId, sent.orderId);
      assert.equal(dead!.message.subjectId, sent.subjectId);
      assert.equal(dead!.message.attempt, SETTINGS.maxAttempts);
      assert.equal(dead!.error, 'the gateway is on fire (3)');
      assert.ok(Math.abs(dead!.diedAt - Date.now()) < 10_000);
      assert.deepEqual(attempts, [1, 2, 3]);
      await eventually('depth counts it dead', async () => {
        const d = await queue.depth();
        return d.dead === 1 && d.waiting === 0 && d.inFlight === 0;
      });
      await sleep(4 * SETTINGS.backoffMs);
      assert.deepEqual(attempts, [1, 2, 3], 'a dead letter was delivered again');
    });

    it('sends a dead letter back as a first delivery on retry, once', async () => {
      const queue = await open();
      const sent = await enqueue(h.db);
      queue.nudge();
      let healthy = false;
      const seen: PaymentMessage[] = [];
      await queue.consume(async (m) => {
        seen.push(m);
        if (!healthy) throw new Error('down');
      });
      await eventually('dead', async () => (await queue.deadLetters(10)).length === 1);
      healthy = true;
      assert.equal(await queue.retryDeadLetter('123456789'), false, 'an unknown id');
      assert.equal(await queue.retryDeadLetter('not-a-number'), false, 'a malformed id');
      assert.equal(await queue.retryDeadLetter(sent.id), true);
      assert.equal(await queue.retryDeadLetter(sent.id), false, 'the second retry of one dead letter');
      const again = await eventually('delivered again', () => seen[SETTINGS.maxAttempts]);
      assert.equal(again.id, sent.id);
      assert.equal(again.attempt, 1);
      await eventually('done, not dead', async () => {
        const d = await queue.depth();
        return d.dead === 0 && d.waiting === 0 && d.inFlight === 0;
      });
      assert.deepEqual(await queue.deadLetters(10), []);
      assert.equal(await queue.retryDeadLetter(sent.id), false, 'a retried message that succeeded is no dead letter');
    });

    it('runs at most `prefetch` handlers at once per consumer, and reports them in flight', async () => {
      const queue = await open();
      for (let i = 0; i < 5; i++) await enqueue(h.db);
      queue.nudge();
      const g = gate();
      await queue.consume(g.handler);
      await eventually('prefetch deliveries', () => g.active === SETTINGS.prefetch);
      await sleep(400);
      assert.equal(g.maxActive, SETTINGS.prefetch);
      await eventually('depth shows 2 in flight, 3 waiting', async () => {
        const d = await queue.depth();
        return d.inFlight === 2 && d.waiting === 3 && d;
      });
      g.release();
      await eventually('all five', () => g.seen.length === 5);
      assert.equal(g.maxActive, SETTINGS.prefetch);
      await eventually('empty', async () => {
        const d = await queue.depth();
        return d.inFlight === 0 && d.waiting === 0;
      });
    });

    it('several consumers share the messages: none is processed twice, none twice at once', async () => {
      const queues = [await open(), await open(), await open()];
      const sent = new Set<string>();
      for (let i = 0; i < 30; i++) sent.add((await enqueue(h.db)).id);
      const processed = new Map<string, number>();
      const active = new Set<string>();
      let overlaps = 0;
      const byConsumer = [0, 0, 0];
      for (const [i, queue] of queues.entries()) {
        await queue.consume(async (m) => {
          if (active.has(m.id)) overlaps++;
          active.add(m.id);
          byConsumer[i]!++;
          await sleep(5 + Math.random() * 20);
          active.delete(m.id);
          processed.set(m.id, (processed.get(m.id) ?? 0) + 1);
        });
        queue.nudge();
      }
      await eventually('all thirty', () => processed.size === 30, 20_000);
      await sleep(300);
      assert.equal(overlaps, 0, 'one message was processed by two consumers at once');
      assert.deepEqual([...processed.keys()].sort(), [...sent].sort());
      assert.deepEqual([...processed.values()].filter((n) => n !== 1), [], 'a message was processed twice without a failure');
      assert.ok(byConsumer.filter((n) => n > 0).length >= 2, `one consumer did all the work: ${byConsumer}`);
    });

    it('counts waiting messages before anyone consumes, and the stop function waits for handlers in flight', async () => {
      const queue = await open();
      for (let i = 0; i < 4; i++) await enqueue(h.db);
      queue.nudge();
      await eventually('four waiting', async () => {
        const d = await queue.depth();
        return d.waiting === 4 && d.inFlight === 0 && d.dead === 0;
      });
      let finished = 0;
      let started = 0;
      const stop = await queue.consume(async () => {
        started++;
        await sleep(300);
        finished++;
      });
      await eventually('started', () => started > 0);
      await stop();
      assert.equal(finished, started, 'stop() returned before its handlers finished');
      await sleep(300);
      assert.equal(started, finished, 'a stopped consumer still got messages');
      const d = await eventually('the rest still waiting', async () => {
        const d = await queue.depth();
        return d.inFlight === 0 && d;
      });
      assert.equal(d.waiting, 4 - finished);
    });
  });
}
