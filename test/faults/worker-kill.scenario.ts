// The worker killed with SIGKILL in the middle of payments, then restarted (issue 11's first fault),
// on either queue: servers with PAYMENT_WORKER=false, the worker as its own process (src/worker.ts),
// a slow gateway so the kill lands while charges are in flight.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { queueNames } from '../../src/payments/queue/rabbitmq-queue.ts';
import { startTestServer, SECRET } from '../support/app.ts';
import { Buyer, CARDS, sharedServices, startWorkerProcess, type WorkerProcess } from '../support/checkout-buyers.ts';
import { checkCheckoutInvariants, waitUntilSettled } from '../support/checkout-invariants.ts';
import { AMQP_URL } from '../support/services.ts';

const PAYING = 20;
const DECLINED = 2;
const BACKOFF_MS = 200;

export async function workerKilledMidPayment(t: TestContext, queue: 'embedded' | 'rabbitmq'): Promise<void> {
  const svc = sharedServices(`t_fault_kill_${queue}`, {
    HOLD_STORE: queue === 'embedded' ? 'postgres' : 'redis',
    PAYMENT_WORKER: 'false',
    GATEWAY_LATENCY_MS: '400-1200',
    PAYMENT_BACKOFF_MS: String(BACKOFF_MS),
    PAYMENT_PREFETCH: '8',
    TOKEN_SECRET: SECRET.toString(),
    ...(queue === 'rabbitmq' && { AMQP_URL }),
  });
  const s = await startTestServer(svc.env);
  const workers: WorkerProcess[] = [];
  try {
    await s.listen();
    const db = s.box.stores.db;
    // Two seats each in rows C to E of arrival-2; two buyers' cards are declined (their orders stay live).
    const seatsOf = (i: number) => [1, 2].map((n) => `${'CDE'[i % 3]}${2 * Math.floor(i / 3) + n}`);
    const buyers = Array.from({ length: PAYING + DECLINED }, () => Buyer.of(s));
    const orders = await Promise.all(
      buyers.map(async (b, i) => {
        const o = (await b.order('arrival-2', seatsOf(i)))!;
        await b.pay(o.id, i < PAYING ? CARDS.good : CARDS.declined);
        return o;
      }),
    );
    assert.equal(orders.length, PAYING + DECLINED);
    const [queued] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM payment_outbox WHERE done_at IS NULL');
    assert.equal(queued!.n, PAYING + DECLINED, 'every payment waits in the outbox: no worker runs in the server');

    const first = startWorkerProcess(svc.env);
    workers.push(first);
    await first.running();
    // Kill the moment the gateway has charged a payment whose order is not booked yet: mid-payment.
    const progress = async () =>
      (
        await db.query<{ charged: number; recorded: number; paid: number; pending: number }>(
          `SELECT (SELECT count(*) FROM gateway_charges WHERE outcome = 'succeeded')::int AS charged,
                  (SELECT count(*) FROM payments WHERE state = 'succeeded')::int AS recorded,
                  (SELECT count(*) FROM orders WHERE state = 'paid')::int AS paid,
                  (SELECT count(*) FROM payments WHERE state = 'pending')::int AS pending`,
        )
      )[0]!;
    const deadline = Date.now() + 20_000;
    let atKill = await progress();
    while (atKill.charged <= atKill.paid) {
      assert.ok(Date.now() < deadline, `no charge within 20 s:\n${first.output()}`);
      await sleep(5);
      atKill = await progress();
    }
    const killedAt = Date.now();
    assert.equal(await first.kill('SIGKILL'), 'SIGKILL');
    const afterKill = await progress();
    t.diagnostic(`${queue}: killed with ${atKill.charged} charged, ${atKill.recorded} recorded, ${atKill.paid} paid, ${atKill.pending} pending; the ledger then had ${afterKill.charged} charges for ${afterKill.paid} paid orders`);
    assert.ok(afterKill.pending > 0, 'the kill left payments in the middle');

    const second = startWorkerProcess(svc.env);
    workers.push(second);
    await second.running();
    const settleMs = await waitUntilSettled(s.box, 50_000);
    const summary = await checkCheckoutInvariants(s.box);
    t.diagnostic(`${queue}: settled ${Date.now() - killedAt} ms after the kill (${settleMs} ms after the restart): ${JSON.stringify(summary)}`);
    assert.deepEqual(summary.byState, { paid: PAYING, pending_payment: DECLINED });
    assert.equal(summary.charges, PAYING, 'one charge per paid order, none twice');
    assert.equal(summary.declines, DECLINED);
    assert.equal(summary.refunds, 0);
    assert.equal(summary.bookedSeats, 2 * PAYING);
    // The embedded queue counts deliveries in the outbox (RabbitMQ keeps its own count).
    if (queue === 'embedded') assert.ok(summary.deliveries > PAYING + DECLINED, 'the messages in flight at the kill were delivered again');
    for (const [i, o] of orders.entries()) {
      const seen = await buyers[i]!.get(o.id);
      assert.equal(seen.state, i < PAYING ? 'paid' : 'pending_payment');
    }
  } finally {
    const closing = Date.now();
    for (const w of workers) await w.kill('SIGTERM');
    t.diagnostic(`workers stopped in ${Date.now() - closing} ms`);
    await s.close();
    t.diagnostic(`server closed in ${Date.now() - closing} ms`);
    await svc.drop();
    if (queue === 'rabbitmq') {
      const admin = await connect(AMQP_URL);
      const channel = await admin.createChannel();
      const names = queueNames(svc.env.AMQP_PREFIX!, { maxAttempts: 6, backoffMs: BACKOFF_MS });
      for (const name of [names.main, names.dead, ...names.retries.map((r) => r.name)]) await channel.deleteQueue(name).catch(() => {});
      await admin.close();
    }
  }
}
