// exclusive: stops RabbitMQ (rabbitmqctl stop_app) for a few seconds; every other RabbitMQ user of the machine loses it too.
// RabbitMQ unreachable while buyers pay and cancel: payments are accepted (202) and kept in the outbox,
// nothing is charged meanwhile, and once the broker is back every attempt and refund is processed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { queueNames } from '../../src/payments/queue/rabbitmq-queue.ts';
import { startTestServer } from '../support/app.ts';
import { Buyer, CARDS, sharedServices } from '../support/checkout-buyers.ts';
import { checkCheckoutInvariants, waitUntilSettled } from '../support/checkout-invariants.ts';
import { AMQP_URL, postgresSkip, rabbitSkip, redisSkip } from '../support/services.ts';

const run = promisify(execFile);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });
const skip =
  (await postgresSkip()) ||
  (await redisSkip()) ||
  (await rabbitSkip()) ||
  (await rabbitmqctl('status').then(
    () => false,
    (e: Error) => `rabbitmqctl does not work here (${e.message.split('\n')[0]}): outage test skipped`,
  ));
if (typeof skip === 'string' && skip.startsWith('rabbitmqctl')) console.log(`# SKIPPED: ${skip}`);

const PAYING = 10;
const BACKOFF_MS = 100;

describe('RabbitMQ unreachable for a while', { skip }, () => {
  it('keeps payments and refunds in the outbox, then processes every one of them once', { timeout: 90_000 }, async (t) => {
    const svc = sharedServices('t_fault_amqp_down', { HOLD_STORE: 'redis', AMQP_URL, GATEWAY_LATENCY_MS: '50-150', PAYMENT_BACKOFF_MS: String(BACKOFF_MS) });
    const s = await startTestServer(svc.env);
    let stopped = false;
    try {
      await s.listen();
      const db = s.box.stores.db;
      // Before the outage: one order paid through the broker (it is up and consumed), to be cancelled during it.
      const early = Buyer.of(s);
      const earlyOrder = (await early.order('arrival-3', ['B1', 'B2']))!;
      await early.pay(earlyOrder.id, CARDS.good);
      await waitUntilSettled(s.box, 15_000, { allSettled: true });

      await rabbitmqctl('stop_app');
      stopped = true;
      const downAt = Date.now();
      const buyers = Array.from({ length: PAYING + 1 }, () => Buyer.of(s));
      const orders = await Promise.all(
        buyers.map(async (b, i) => {
          const o = (await b.order('arrival-3', [`C${i + 1}`]))!;
          await b.pay(o.id, i < PAYING ? CARDS.good : CARDS.declined);
          return o;
        }),
      );
      const cancel = await early.call('POST', `/orders/${earlyOrder.id}/cancel`);
      assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
      assert.equal(cancel.body.state, 'refunded');
      await sleep(2_000);
      const [held] = await db.query<{ unpublished: number; pending: number; refunds: number; charges: number }>(
        `SELECT (SELECT count(*) FROM payment_outbox WHERE published_at IS NULL AND done_at IS NULL)::int AS unpublished,
                (SELECT count(*) FROM payments WHERE state = 'pending')::int AS pending,
                (SELECT count(*) FROM refunds WHERE state = 'pending')::int AS refunds,
                (SELECT count(*) FROM gateway_charges)::int AS charges`,
      );
      assert.deepEqual(held, { unpublished: PAYING + 2, pending: PAYING + 1, refunds: 1, charges: 1 }, 'the outbox keeps every attempt and the refund; nothing is charged');
      for (const [i, o] of orders.entries()) assert.equal((await buyers[i]!.get(o.id)).state, 'pending_payment');

      await rabbitmqctl('start_app');
      stopped = false;
      const upAt = Date.now();
      const settleMs = await waitUntilSettled(s.box, 45_000);
      const summary = await checkCheckoutInvariants(s.box);
      t.diagnostic(`broker down ${upAt - downAt} ms with ${PAYING + 2} messages in the outbox; settled ${settleMs} ms after start_app: ${JSON.stringify(summary)}`);
      assert.deepEqual(summary.byState, { paid: PAYING, refunded: 1, pending_payment: 1 });
      assert.equal(summary.charges, PAYING + 1);
      assert.equal(summary.declines, 1);
      assert.equal(summary.refunds, 1);
      assert.equal(summary.bookedSeats, PAYING);
    } finally {
      if (stopped) await rabbitmqctl('start_app');
      await s.close();
      await svc.drop();
      const admin = await connect(AMQP_URL);
      const channel = await admin.createChannel();
      const names = queueNames(svc.env.AMQP_PREFIX!, { maxAttempts: 6, backoffMs: BACKOFF_MS });
      for (const name of [names.main, names.dead, ...names.retries.map((r) => r.name)]) await channel.deleteQueue(name).catch(() => {});
      await admin.close();
    }
  });
});
