// The payment queue's handler, called directly with the messages the outbox holds (no queue), on the
// embedded stores (memory holds, PGlite) with the simulated gateway on the same database. Every case
// checks the gateway's own ledger: one charge per paid order, a refund for each charge that could not
// become a booking, never a second charge for a redelivered message.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPaymentProcessor, type PaymentProcessor } from '../../src/checkout/payment-processor.ts';
import type { Order, PaymentMessage } from '../../src/domain/orders.ts';
import { GatewayUnavailable } from '../../src/domain/payment-gateway.ts';
import { SimulatedGateway } from '../../src/payments/gateway/simulated-gateway.ts';
import { PostgresOrderRepository } from '../../src/stores/postgres/order-repository.ts';
import { openHarness, type Harness } from '../support/harness.ts';

const PRICE = 1250;
const MAX_ATTEMPTS = 4;
const id = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

describe('payment processor', () => {
  let h: Harness;
  let orders: PostgresOrderRepository;
  let gateway: SimulatedGateway;
  let processor: PaymentProcessor;
  const changes: string[] = [];

  before(async () => {
    h = await openHarness('memory', { confirmGraceMs: 2_000 });
    orders = new PostgresOrderRepository(h.stores.db);
    gateway = await SimulatedGateway.open(h.stores.db, { latencyMs: [0, 3] });
    processor = createPaymentProcessor({ orders, gateway, bookings: h.service, maxAttempts: MAX_ATTEMPTS, onOrderChange: (orderId) => changes.push(orderId) });
  });
  after(() => h?.close());

  async function checkout(owner: string, seats: string[], opts: { showtimeId?: string; ttlMs?: number } = {}): Promise<Order> {
    const showtimeId = opts.showtimeId ?? (await h.showtime());
    const hold = await h.service.holdSeats({ showtimeId, owner, seats, ...(opts.ttlMs && { ttlMs: opts.ttlMs }) });
    const { order } = await orders.createOrder({
      id: id('ord'),
      holdId: hold.id,
      showtimeId,
      owner,
      email: `${owner}@example.com`,
      state: 'pending_payment',
      currency: 'EUR',
      total: PRICE * seats.length,
      lines: hold.seats.map((seat) => ({ seat, kind: 'standard', price: PRICE })),
      // The payment window outlives a short test hold, so an expired hold can still be paid for.
      expiresAt: Date.now() + 60_000,
      bookingId: null,
      reason: null,
    });
    return order;
  }

  /** What POST /orders/:id/payments does: tokenize, then the payment and its outbox message in one step. */
  async function pay(order: Order, number: string, cvc = '123'): Promise<PaymentMessage> {
    const card = await gateway.tokenize({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc });
    const payment = await orders.addPayment({ id: id('pay'), orderId: order.id, amount: order.total, currency: order.currency, card: { brand: card.brand, last4: card.last4 }, gatewayToken: card.token });
    return message('charge', payment.id);
  }

  async function message(kind: 'charge' | 'refund', subjectId: string): Promise<PaymentMessage> {
    const [row] = await h.stores.db.query<{ id: number; order_id: string }>('SELECT id, order_id FROM payment_outbox WHERE kind = $1 AND subject_id = $2', [kind, subjectId]);
    assert.ok(row, `an outbox message for ${kind} ${subjectId}`);
    return { id: String(row.id), kind, orderId: row.order_id, subjectId, attempt: 1 };
  }

  /** Delivers like the queue: again (attempt + 1) while the handler throws GatewayUnavailable. */
  async function deliver(m: PaymentMessage): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        await processor.handle({ ...m, attempt });
        return attempt;
      } catch (e) {
        if (!(e instanceof GatewayUnavailable) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  async function deliverRefunds(order: Order): Promise<void> {
    for (const refund of await orders.refundsOf(order.id)) await deliver(await message('refund', refund.id));
  }

  /** The gateway's books for an order's payments: successful charges and refunds. */
  async function ledgerOf(order: Order) {
    const keys = new Set((await orders.paymentsOf(order.id)).map((p) => p.id));
    const ledger = await gateway.ledger();
    const charges = ledger.charges.filter((c) => keys.has(c.idempotencyKey) && c.outcome === 'succeeded');
    const chargeIds = new Set(charges.map((c) => c.id));
    return { charges, refunds: ledger.refunds.filter((r) => chargeIds.has(r.chargeId)) };
  }

  const state = async (order: Order) => (await orders.getOrder(order.id))!;

  it('charges a good card once, books the hold, and moves the order to paid; redeliveries charge nothing more', async () => {
    const order = await checkout('guest:ann', ['A1', 'A2']);
    const m = await pay(order, '4242424242424242');
    await deliver(m);
    const paid = await state(order);
    assert.deepEqual([paid.state, paid.bookingId], ['paid', order.holdId]);
    const [payment] = await orders.paymentsOf(order.id);
    assert.equal(payment!.state, 'succeeded');
    // Redelivered, one after another and several at once.
    await deliver(m);
    await Promise.all(Array.from({ length: 5 }, () => deliver(m)));
    const { charges, refunds } = await ledgerOf(order);
    assert.equal(charges.length, 1);
    assert.deepEqual([charges[0]!.idempotencyKey, charges[0]!.amount, charges[0]!.id], [payment!.id, 2 * PRICE, payment!.chargeId]);
    assert.equal(refunds.length, 0);
    assert.deepEqual((await h.stores.repository.getBooking(order.holdId))?.seats, ['A1', 'A2']);
    assert.ok(changes.includes(order.id), 'the order change was announced');
  });

  it('leaves the order pending after a declined card; another card then pays it once', async () => {
    const order = await checkout('guest:bob', ['A3']);
    await deliver(await pay(order, '4000000000009995'));
    assert.equal((await state(order)).state, 'pending_payment');
    const [declined] = await orders.paymentsOf(order.id);
    assert.deepEqual([declined!.state, declined!.reason], ['declined', 'the card has insufficient funds']);
    await deliver(await pay(order, '5555555555554444'));
    assert.equal((await state(order)).state, 'paid');
    assert.equal((await ledgerOf(order)).charges.length, 1);
  });

  it('retries a gateway that times out, and charges once when it answers', async () => {
    const order = await checkout('guest:cat', ['A4']);
    const attempts = await deliver(await pay(order, '4000000000000119', '003'));
    assert.equal(attempts, 4, 'three timeouts, then the charge');
    assert.equal((await state(order)).state, 'paid');
    assert.equal((await ledgerOf(order)).charges.length, 1);
  });

  it('charges once when the answer of a successful charge was lost: the retry finds the charge', async () => {
    const order = await checkout('guest:dan', ['A5']);
    const m = await pay(order, '4000000000000259');
    await assert.rejects(processor.handle(m), GatewayUnavailable);
    assert.equal((await ledgerOf(order)).charges.length, 1, 'charged although the answer was lost');
    assert.equal((await state(order)).state, 'pending_payment');
    await processor.handle({ ...m, attempt: 2 });
    assert.equal((await state(order)).state, 'paid');
    assert.equal((await ledgerOf(order)).charges.length, 1);
  });

  it('books a paid order whose hold expired while its seats are still free', async () => {
    const order = await checkout('guest:eve', ['B1', 'B2'], { ttlMs: 100 });
    await sleep(200);
    await deliver(await pay(order, '4242424242424242'));
    const paid = await state(order);
    assert.equal(paid.state, 'paid');
    assert.ok(paid.bookingId?.startsWith(`${order.holdId}-`), String(paid.bookingId));
    assert.deepEqual((await h.stores.repository.getBooking(paid.bookingId!))?.seats, ['B1', 'B2']);
    assert.equal((await ledgerOf(order)).charges.length, 1);
  });

  it('refunds the charge and fails the order when its hold expired and a rival has a seat', async () => {
    const order = await checkout('guest:fay', ['B3', 'B4'], { ttlMs: 100 });
    await sleep(200);
    const rival = await h.service.holdSeats({ showtimeId: order.showtimeId, owner: 'guest:rival', seats: ['B4'] });
    await deliver(await pay(order, '4242424242424242'));
    const failed = await state(order);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /B4/);
    const [refund] = await orders.refundsOf(order.id);
    assert.equal(refund?.state, 'pending');
    assert.equal((await ledgerOf(order)).refunds.length, 0, 'the refund message does the gateway refund');
    await deliverRefunds(order);
    await deliverRefunds(order); // redelivered: refunds nothing more
    const { charges, refunds } = await ledgerOf(order);
    assert.equal(charges.length, 1);
    assert.deepEqual(refunds.map((r) => [r.chargeId, r.amount, r.idempotencyKey]), [[charges[0]!.id, 2 * PRICE, refund!.id]]);
    assert.equal((await orders.getRefund(refund!.id))?.state, 'succeeded');
    assert.deepEqual((await h.stores.repository.bookedSeats(order.showtimeId)).map((b) => b.owner), [], 'nothing booked for the buyer');
    assert.equal((await h.service.confirmHold({ holdId: rival.id, owner: 'guest:rival' })).id, rival.id, 'the rival keeps the seat');
  });

  it('gives one seat to exactly one of ten buyers whose holds expired and who all pay at once; the others are refunded', async () => {
    const showtimeId = await h.showtime();
    const buyers: Order[] = [];
    for (let i = 0; i < 10; i++) {
      buyers.push(await checkout(`guest:racer${i}`, ['C1'], { showtimeId, ttlMs: 50 }));
      await sleep(80);
    }
    const messages = await Promise.all(buyers.map((o) => pay(o, '4242424242424242')));
    await Promise.all(messages.map((m) => deliver(m)));
    const states = await Promise.all(buyers.map(state));
    assert.equal(states.filter((o) => o.state === 'paid').length, 1, states.map((o) => o.state).join());
    assert.equal(states.filter((o) => o.state === 'failed').length, 9);
    await Promise.all(buyers.map(deliverRefunds));
    const ledgers = await Promise.all(buyers.map(ledgerOf));
    assert.equal(ledgers.reduce((n, l) => n + l.charges.length, 0), 10, 'each buyer charged once');
    states.forEach((o, i) => assert.equal(ledgers[i]!.refunds.length, o.state === 'failed' ? 1 : 0, `buyer ${i} (${o.state})`));
    const booked = await h.stores.repository.bookedSeats(showtimeId);
    assert.deepEqual(booked.map((b) => [b.bookingId, b.seats]), [[states.find((o) => o.state === 'paid')!.bookingId, ['C1']]]);
  });

  it('refunds a charge whose order was cancelled while the payment was on its way, and frees nothing twice', async () => {
    const order = await checkout('guest:gus', ['A6']);
    const m = await pay(order, '4242424242424242');
    assert.ok(await orders.moveOrder(order.id, ['pending_payment'], 'cancelled', { reason: 'cancelled by an admin' }));
    await deliver(m);
    const cancelled = await state(order);
    assert.deepEqual([cancelled.state, cancelled.reason], ['cancelled', 'cancelled by an admin']);
    const [payment] = await orders.paymentsOf(order.id);
    assert.equal(payment!.state, 'failed', 'the order ended first: the attempt failed');
    assert.equal((await ledgerOf(order)).charges.length, 0, 'nothing charged for an order that had ended');
  });

  it('refunds a lost-answer charge found on a delivery after the order was cancelled', async () => {
    const order = await checkout('guest:hal', ['A7']);
    const m = await pay(order, '4000000000000259');
    await assert.rejects(processor.handle(m), GatewayUnavailable);
    assert.ok(await orders.moveOrder(order.id, ['pending_payment'], 'cancelled', { reason: 'cancelled by an admin' }));
    await processor.handle({ ...m, attempt: 2 });
    await deliverRefunds(order);
    const { charges, refunds } = await ledgerOf(order);
    assert.equal(charges.length, 1);
    assert.equal(refunds.length, 1, 'the charge went back');
    assert.equal((await state(order)).state, 'cancelled');
  });

  it('marks a payment failed on its last delivery, and at expiry books it when the gateway charged after all', async () => {
    const order = await checkout('guest:ida', ['A8']);
    const m = await pay(order, '4000000000000259');
    await assert.rejects(processor.handle({ ...m, attempt: MAX_ATTEMPTS }), GatewayUnavailable);
    const [payment] = await orders.paymentsOf(order.id);
    assert.equal(payment!.state, 'failed');
    assert.equal((await state(order)).state, 'pending_payment');
    const settled = await processor.checkBeforeExpiry(order.id);
    assert.equal(settled?.state, 'paid');
    assert.equal((await orders.getPayment(payment!.id))?.state, 'succeeded');
    assert.equal((await ledgerOf(order)).charges.length, 1);
  });

  it('lets an order expire when its failed payment charged nothing', async () => {
    const order = await checkout('guest:jon', ['A9']);
    const m = await pay(order, '4000000000000119', '999');
    await assert.rejects(deliver(m), GatewayUnavailable);
    assert.equal((await orders.paymentsOf(order.id))[0]!.state, 'failed');
    assert.equal(await processor.checkBeforeExpiry(order.id), null);
    assert.equal((await ledgerOf(order)).charges.length, 0);
  });

  it('pays with an earlier failed attempt that was charged after all, instead of charging a second card', async () => {
    const order = await checkout('guest:kim', ['A10']);
    const lost = await pay(order, '4000000000000259');
    await assert.rejects(processor.handle({ ...lost, attempt: MAX_ATTEMPTS }), GatewayUnavailable);
    await deliver(await pay(order, '4242424242424242'));
    assert.equal((await state(order)).state, 'paid');
    const payments = await orders.paymentsOf(order.id);
    assert.deepEqual(payments.map((p) => p.state), ['succeeded', 'failed']);
    assert.equal((await ledgerOf(order)).charges.length, 1, 'the buyer is charged once');
  });

  it('refunds a cancelled paid order through the refund message, once', async () => {
    const order = await checkout('guest:lou', ['B5']);
    await deliver(await pay(order, '4242424242424242'));
    const [payment] = await orders.paymentsOf(order.id);
    // What the order service's cancel does: the refund and its message, then the seats back.
    const done = await orders.refundOrder({ orderId: order.id, from: ['paid'], to: 'refunded', reason: 'cancelled by the buyer', refund: { id: id('ref'), paymentId: payment!.id, amount: payment!.amount, currency: payment!.currency } });
    assert.ok(done);
    await h.service.cancelBooking(order.holdId);
    const m = await message('refund', done.refund.id);
    await Promise.all([deliver(m), deliver(m), deliver(m)]);
    assert.equal((await orders.getRefund(done.refund.id))?.state, 'succeeded');
    const { charges, refunds } = await ledgerOf(order);
    assert.equal(charges.length, 1);
    assert.equal(refunds.length, 1);
    assert.equal((await h.service.seatMap(order.showtimeId)).seats.find((s) => s.id === 'B5')?.status, 'available');
  });
});
