// The gateway charges the card and its answer is lost (test card 4000000000000259): the redelivered
// message must find the charge under the payment's idempotency key, not charge again; and when the
// answer is lost on the last delivery, the charge found later (another card, or the window's end) pays.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { connect } from 'amqplib';
import { queueNames } from '../../src/payments/queue/rabbitmq-queue.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { Buyer, CARDS, sharedServices } from '../support/checkout-buyers.ts';
import { checkCheckoutInvariants, waitUntilSettled } from '../support/checkout-invariants.ts';
import { AMQP_URL, postgresSkip, rabbitSkip, redisSkip } from '../support/services.ts';

const skip = (await postgresSkip()) || (await redisSkip());
const noRabbit = await rabbitSkip();
const ORDERS = 8;

async function withServer(label: string, env: Record<string, string>, run: (s: TestServer) => Promise<void>): Promise<void> {
  const svc = sharedServices(label, { HOLD_STORE: 'redis', GATEWAY_LATENCY_MS: '50-150', PAYMENT_BACKOFF_MS: '100', ...env });
  const s = await startTestServer(svc.env);
  try {
    await s.listen();
    await run(s);
  } finally {
    await s.close();
    await svc.drop();
    if (env.AMQP_URL) {
      const admin = await connect(AMQP_URL);
      const channel = await admin.createChannel();
      const names = queueNames(svc.env.AMQP_PREFIX!, { maxAttempts: Number(env.PAYMENT_MAX_ATTEMPTS ?? 6), backoffMs: 100 });
      for (const name of [names.main, names.dead, ...names.retries.map((r) => r.name)]) await channel.deleteQueue(name).catch(() => {});
      await admin.close();
    }
  }
}

async function lostAnswers(t: TestContext, s: TestServer, queue: string): Promise<void> {
  const buyers = Array.from({ length: ORDERS }, () => Buyer.of(s));
  const started = Date.now();
  const orders = await Promise.all(
    buyers.map(async (b, i) => {
      const o = (await b.order('arrival-2', [`J${i + 1}`]))!;
      await b.pay(o.id, CARDS.loseAnswer);
      return o;
    }),
  );
  const settleMs = await waitUntilSettled(s.box, 20_000, { allSettled: true });
  const summary = await checkCheckoutInvariants(s.box);
  t.diagnostic(`${queue}: ${ORDERS} answers lost, settled in ${Date.now() - started} ms (${settleMs} ms after the last 202): ${JSON.stringify(summary)}`);
  assert.deepEqual(summary.byState, { paid: ORDERS });
  assert.equal(summary.charges, ORDERS, 'the redelivery found the charge: one per order');
  assert.equal(summary.refunds, 0);
  for (const [i, o] of orders.entries()) assert.deepEqual((await buyers[i]!.get(o.id)).payments.map((p) => p.state), ['succeeded']);
  if (queue === 'embedded') {
    const attempts = await s.box.stores.db.query<{ attempts: number }>("SELECT attempts FROM payment_outbox WHERE kind = 'charge'");
    assert.deepEqual(attempts.map((a) => a.attempts), Array(ORDERS).fill(2), 'each message was delivered twice');
  }
}

describe('the gateway loses the answer after a successful charge', { skip }, () => {
  it('embedded queue: the redelivery finds the charge, charges nobody twice', { timeout: 40_000 }, (t) =>
    withServer('t_fault_lost_emb', {}, (s) => lostAnswers(t, s, 'embedded')));

  it('RabbitMQ: the retried message finds the charge, charges nobody twice', { skip: noRabbit, timeout: 40_000 }, (t) =>
    withServer('t_fault_lost_amqp', { AMQP_URL }, (s) => lostAnswers(t, s, 'rabbitmq')));

  it('lost on the last delivery: the charge found later pays the order, by another card or at the window end', { timeout: 40_000 }, (t) =>
    withServer('t_fault_lost_last', { PAYMENT_MAX_ATTEMPTS: '1', HOLD_TTL: '2', PAYMENT_WINDOW: '4' }, async (s) => {
      const ann = Buyer.of(s);
      const bob = Buyer.of(s);
      const annOrder = (await ann.order('arrival-2', ['K1', 'K2']))!;
      const bobOrder = (await bob.order('arrival-2', ['K3']))!;
      const annFirst = await ann.pay(annOrder.id, CARDS.loseAnswer);
      const bobFirst = await bob.pay(bobOrder.id, CARDS.loseAnswer);
      await waitUntilSettled(s.box, 10_000);
      // Given up after its one delivery: the payment reads failed, the message is a dead letter.
      assert.equal((await ann.get(annOrder.id)).payments[0]!.state, 'failed');
      assert.equal((await s.box.payments.queue.deadLetters(10)).length, 2);
      // Ann tries another card: the earlier attempt's charge pays the order, the new one charges nothing.
      const annSecond = await ann.pay(annOrder.id, CARDS.good);
      // Bob does nothing: at the window's end the gateway is asked, and his charge pays the order.
      const settleMs = await waitUntilSettled(s.box, 15_000, { allSettled: true });
      const annNow = await ann.get(annOrder.id);
      const bobNow = await bob.get(bobOrder.id);
      assert.equal(annNow.state, 'paid');
      assert.deepEqual(Object.fromEntries(annNow.payments.map((p) => [p.id, p.state])), { [annFirst]: 'succeeded', [annSecond]: 'failed' });
      assert.equal(bobNow.state, 'paid', `bob's order: ${JSON.stringify(bobNow)}`);
      assert.deepEqual(bobNow.payments.map((p) => [p.id, p.state]), [[bobFirst, 'succeeded']]);
      const summary = await checkCheckoutInvariants(s.box, { allowDeadLetters: true });
      t.diagnostic(`last delivery lost: settled ${settleMs} ms after the second card; ${JSON.stringify(summary)}`);
      assert.equal(summary.charges, 2, "ann's second card was never charged");
    }));
});
