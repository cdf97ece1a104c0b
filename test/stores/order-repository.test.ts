// The OrderRepository on PGlite and on a PostgreSQL server (a fresh schema per run): the same cases,
// with real concurrency over the server's pool for the races (PGlite's one connection serialises them).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BoxofficeError } from '../../src/domain/errors.ts';
import { gridLayout } from '../../src/domain/layout.ts';
import type { Order, OrderState } from '../../src/domain/orders.ts';
import { PostgresBookingRepository } from '../../src/stores/postgres/booking-repository.ts';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { PostgresOrderRepository } from '../../src/stores/postgres/order-repository.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';

const skip = await postgresSkip();
const MINUTE = 60_000;

const code = (r: PromiseSettledResult<unknown>): string => {
  if (r.status === 'fulfilled') return 'OK';
  if (r.reason instanceof BoxofficeError) return r.reason.code;
  throw r.reason;
};

async function rejects(p: Promise<unknown>, expected: string): Promise<BoxofficeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BoxofficeError, `expected ${expected}, got ${String(e)}`);
    assert.equal(e.code, expected, e.message);
    return e;
  }
  assert.fail(`expected ${expected}, but it succeeded`);
}

function orderRepositoryCases(name: string, open: () => Promise<Db>, { contenders }: { contenders: number }) {
  describe(`OrderRepository: ${name}`, () => {
    let db: Db;
    let repo: PostgresOrderRepository;
    let bookings: PostgresBookingRepository;
    const showtimeId = 'st-orders';

    before(async () => {
      db = await open();
      repo = new PostgresOrderRepository(db);
      bookings = new PostgresBookingRepository(db);
      await bookings.saveTheater({ id: 'th', name: 'Theater' });
      await bookings.saveScreen({ id: 'sc', theaterId: 'th', name: 'One', layout: gridLayout({ rows: 4, seatsPerRow: 8 }) });
      await bookings.saveMovie({ id: 'mv', title: 'Movie', durationMinutes: 100 });
      await bookings.saveShowtime({ id: showtimeId, movieId: 'mv', screenId: 'sc', startsAt: Date.now() + 86_400_000 });
      await bookings.saveShowtime({ id: 'st-other', movieId: 'mv', screenId: 'sc', startsAt: Date.now() + 3 * 86_400_000 });
    });

    const newOrder = (over: Partial<Order> = {}) => {
      const id = `ord_${randomUUID().slice(0, 12)}`;
      return {
        id,
        holdId: `${over.showtimeId ?? showtimeId}.${randomUUID().slice(0, 8)}`,
        showtimeId,
        owner: 'guest:ann',
        email: 'ann@example.com',
        state: 'pending_payment' as OrderState,
        currency: 'EUR',
        total: 2400,
        lines: [
          { seat: 'A1', kind: 'standard' as const, price: 1200 },
          { seat: 'A2', kind: 'standard' as const, price: 1200 },
        ],
        expiresAt: Date.now() + 10 * MINUTE,
        bookingId: null,
        reason: null,
        ...over,
      };
    };
    const card = { brand: 'visa', last4: '4242' };
    const payment = (orderId: string, over: { amount?: number } = {}) => ({
      id: `pay_${randomUUID().slice(0, 12)}`,
      orderId,
      amount: over.amount ?? 2400,
      currency: 'EUR',
      card,
      gatewayToken: `tok_${randomUUID().slice(0, 8)}`,
    });
    const outboxOf = (orderId: string) =>
      db.query<{ id: number; kind: string; subject_id: string }>('SELECT id, kind, subject_id FROM payment_outbox WHERE order_id = $1 ORDER BY id', [orderId]);

    it('creates an order, and a second checkout of the same hold returns the first order', async () => {
      const o = newOrder();
      const first = await repo.createOrder(o);
      assert.equal(first.created, true);
      assert.deepEqual({ ...first.order, createdAt: 0, updatedAt: 0 }, { ...o, createdAt: 0, updatedAt: 0 });
      const again = await repo.createOrder({ ...o, id: 'ord_other', email: 'x@example.com' });
      assert.equal(again.created, false);
      assert.equal(again.order.id, o.id);
      assert.equal(again.order.email, 'ann@example.com');
      assert.deepEqual(await repo.getOrder(o.id), first.order);
      assert.deepEqual(await repo.orderOfHold(o.holdId), first.order);
      assert.equal(await repo.getOrder('ord_unknown'), null);
    });

    it(`${contenders} checkouts of one hold at once make exactly one order`, async () => {
      const holdId = `${showtimeId}.race${randomUUID().slice(0, 6)}`;
      const results = await Promise.all(Array.from({ length: contenders }, (_, i) => repo.createOrder(newOrder({ holdId, id: `ord_race_${holdId}_${i}` }))));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.order.id)).size, 1);
      const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE hold_id = $1', [holdId]);
      assert.equal(count!.n, 1);
    });

    it("lists an owner's orders newest first and searches them for the admin", async () => {
      const owner = `guest:${randomUUID().slice(0, 8)}`;
      const a = (await repo.createOrder(newOrder({ owner, email: `Zed.${owner.slice(6)}@Example.com` }))).order;
      await new Promise((r) => setTimeout(r, 5));
      const b = (await repo.createOrder(newOrder({ owner, showtimeId: 'st-other', lines: [{ seat: 'D7', kind: 'premium', price: 1500 }], total: 1500 }))).order;
      assert.deepEqual((await repo.ordersOf(owner)).map((o) => o.id), [b.id, a.id]);
      assert.deepEqual(await repo.ordersOf('guest:nobody'), []);

      const ids = async (q: Parameters<PostgresOrderRepository['searchOrders']>[0]) => (await repo.searchOrders(q)).map((o) => o.id);
      assert.deepEqual(await ids({ text: `zed.${owner.slice(6)}`, limit: 10 }), [a.id], 'email, case-insensitive substring');
      assert.deepEqual(await ids({ text: b.id, limit: 10 }), [b.id], 'order id');
      assert.deepEqual(await ids({ text: a.holdId, limit: 10 }), [a.id], 'hold id');
      assert.ok((await ids({ text: 'd7', showtimeId: 'st-other', limit: 10 })).includes(b.id), 'seat');
      assert.ok(!(await ids({ showtimeId: showtimeId, limit: 500 })).includes(b.id), 'showtime filter');
      assert.deepEqual(await ids({ text: '%', limit: 10 }), [], 'LIKE wildcards are literal');
      await repo.moveOrder(b.id, ['pending_payment'], 'cancelled', { reason: 'changed my mind' });
      assert.ok((await ids({ state: 'cancelled', limit: 500 })).includes(b.id));
      assert.ok(!(await ids({ state: 'pending_payment', limit: 500 })).includes(b.id));
      assert.equal((await repo.searchOrders({ limit: 1 })).length, 1);
    });

    it('moves an order only from the states it names, with its fields, once', async () => {
      const o = (await repo.createOrder(newOrder())).order;
      await bookings.insertBooking({ id: o.holdId, showtimeId, owner: o.owner, seats: ['A1', 'A2'] });
      assert.equal(await repo.moveOrder(o.id, ['paid'], 'refunded'), null, 'not in from');
      const paid = await repo.moveOrder(o.id, ['pending_payment'], 'paid', { bookingId: o.holdId });
      assert.equal(paid?.state, 'paid');
      assert.equal(paid?.bookingId, o.holdId);
      assert.ok(paid!.updatedAt >= o.updatedAt);
      assert.equal(await repo.moveOrder(o.id, ['pending_payment'], 'expired'), null, 'already moved');
      assert.equal((await repo.getOrder(o.id))?.state, 'paid');
    });

    it('expires an order only when its window is over and no payment is pending', async () => {
      const o = (await repo.createOrder(newOrder({ expiresAt: Date.now() + MINUTE }))).order;
      assert.equal(await repo.moveOrder(o.id, ['pending_payment'], 'expired', { reason: 'late' }), null, 'window still open');
      const p = await repo.addPayment(payment(o.id));
      const later = o.expiresAt + 1;
      assert.ok(!(await repo.duePendingOrders(later, 1000)).some((d) => d.id === o.id), 'a payment is pending: not due');
      assert.equal(await repo.moveOrder(o.id, ['pending_payment'], 'expired', { reason: 'late' }, later), null, 'a payment is pending');
      assert.equal(await repo.settlePayment(p.id, { state: 'declined', reason: 'card_declined' }), true);
      assert.ok(!(await repo.duePendingOrders(o.expiresAt - 1, 1000)).some((d) => d.id === o.id), 'not due before its window ends');
      assert.ok((await repo.duePendingOrders(later, 1000)).some((d) => d.id === o.id));
      const expired = await repo.moveOrder(o.id, ['pending_payment'], 'expired', { reason: 'late' }, later);
      assert.equal(expired?.state, 'expired');
      assert.equal(expired?.reason, 'late');
      assert.ok(!(await repo.duePendingOrders(later, 1000)).some((d) => d.id === o.id));
    });

    it('records a payment and its outbox message together, and refuses one the order cannot take', async () => {
      const o = (await repo.createOrder(newOrder())).order;
      const p = await repo.addPayment(payment(o.id));
      assert.equal(p.state, 'pending');
      assert.deepEqual(p.card, card);
      assert.equal(p.chargeId, null);
      assert.deepEqual(await repo.getPayment(p.id), p);
      const box = await outboxOf(o.id);
      assert.deepEqual(box.map((b) => [b.kind, b.subject_id]), [['charge', p.id]]);
      assert.deepEqual(await repo.outboxMessage(String(box[0]!.id)), { id: String(box[0]!.id), kind: 'charge', orderId: o.id, subjectId: p.id, attempt: 1 });
      assert.equal(await repo.outboxMessage('nope'), null);

      const busy = await rejects(repo.addPayment(payment(o.id)), 'PAYMENT_IN_PROGRESS');
      assert.equal(busy.details.paymentId, p.id);
      assert.equal(await repo.settlePayment(p.id, { state: 'declined', reason: 'card_declined' }), true);
      const second = await repo.addPayment(payment(o.id));
      assert.deepEqual((await repo.paymentsOf(o.id)).map((x) => [x.id, x.state]), [[p.id, 'declined'], [second.id, 'pending']]);

      await rejects(repo.addPayment(payment('ord_nope')), 'ORDER_NOT_FOUND');
      await repo.settlePayment(second.id, { state: 'succeeded', chargeId: 'ch_1' });
      await bookings.insertBooking({ id: o.holdId, showtimeId, owner: o.owner, seats: ['B1'] });
      await repo.moveOrder(o.id, ['pending_payment'], 'paid', { bookingId: o.holdId });
      const notPayable = await rejects(repo.addPayment(payment(o.id)), 'ORDER_NOT_PAYABLE');
      assert.equal(notPayable.details.state, 'paid');

      const late = (await repo.createOrder(newOrder({ expiresAt: Date.now() + MINUTE }))).order;
      const ended = await rejects(repo.addPayment(payment(late.id), late.expiresAt), 'ORDER_NOT_PAYABLE');
      assert.match(ended.message, /window has ended/);
      assert.equal((await outboxOf(late.id)).length, 0, 'nothing written');
      assert.equal((await repo.paymentsOf(late.id)).length, 0);
    });

    it(`${contenders} payments of one order at once: exactly one is recorded, the others are PAYMENT_IN_PROGRESS`, async () => {
      const o = (await repo.createOrder(newOrder())).order;
      const results = await Promise.allSettled(Array.from({ length: contenders }, () => repo.addPayment(payment(o.id))));
      const tally = new Map<string, number>();
      for (const r of results) tally.set(code(r), (tally.get(code(r)) ?? 0) + 1);
      assert.deepEqual(Object.fromEntries(tally), { OK: 1, PAYMENT_IN_PROGRESS: contenders - 1 });
      assert.equal((await repo.paymentsOf(o.id)).length, 1);
      assert.equal((await outboxOf(o.id)).length, 1);
    });

    it('a payment racing the expiry at the end of the window: never a pending payment on an expired order (40 rounds)', async () => {
      // Each side's clock says it is in time (the payment just before the end, the sweep just
      // after): only the order's row lock decides, and exactly one of them wins.
      const tally = new Map<string, number>();
      for (let round = 0; round < 40; round++) {
        const o = (await repo.createOrder(newOrder())).order;
        const [pay, expire] = await Promise.allSettled([
          repo.addPayment(payment(o.id), o.expiresAt - 1),
          repo.moveOrder(o.id, ['pending_payment'], 'expired', { reason: 'late' }, o.expiresAt + 1),
        ]);
        const outcome = `${code(pay)}/${expire.status === 'fulfilled' && expire.value ? 'expired' : 'refused'}`;
        tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
        const now = await repo.getOrder(o.id);
        const payments = await repo.paymentsOf(o.id);
        if (now!.state === 'expired') assert.deepEqual(payments, [], outcome);
        else assert.deepEqual([now!.state, payments.length], ['pending_payment', 1], outcome);
      }
      assert.ok([...tally.keys()].every((k) => k === 'OK/refused' || k === 'ORDER_NOT_PAYABLE/expired'), JSON.stringify([...tally]));
    });

    it('settles a payment once; a failed one may still turn out charged; one success per order', async () => {
      const o = (await repo.createOrder(newOrder())).order;
      const p = await repo.addPayment(payment(o.id));
      assert.equal(await repo.settlePayment(p.id, { state: 'failed', reason: 'gateway unavailable' }), true);
      assert.equal(await repo.settlePayment(p.id, { state: 'declined', reason: 'card_declined' }), false);
      assert.equal(await repo.settlePayment(p.id, { state: 'succeeded', chargeId: 'ch_late' }), true);
      const settled = await repo.getPayment(p.id);
      assert.equal(settled?.state, 'succeeded');
      assert.equal(settled?.chargeId, 'ch_late');
      assert.equal(settled?.reason, null);
      assert.equal(await repo.settlePayment(p.id, { state: 'succeeded', chargeId: 'ch_again' }), false);
      assert.equal((await repo.getPayment(p.id))?.chargeId, 'ch_late');

      const q = await repo.addPayment(payment(o.id));
      await assert.rejects(repo.settlePayment(q.id, { state: 'succeeded', chargeId: 'ch_second' }), 'a second success of one order breaks the unique index');
      assert.equal((await repo.getPayment(q.id))?.state, 'pending');
      assert.equal(await repo.settlePayment('pay_unknown', { state: 'declined', reason: 'x' }), false);
    });

    it('refunds an order with its outbox message in one step, once', async () => {
      const o = (await repo.createOrder(newOrder())).order;
      const p = await repo.addPayment(payment(o.id));
      await repo.settlePayment(p.id, { state: 'succeeded', chargeId: 'ch_r' });
      await bookings.insertBooking({ id: o.holdId, showtimeId, owner: o.owner, seats: ['C1', 'C2'] });
      await repo.moveOrder(o.id, ['pending_payment'], 'paid', { bookingId: o.holdId });

      const refund = (id: string) => ({ id, paymentId: p.id, amount: p.amount, currency: 'EUR' });
      assert.equal(await repo.refundOrder({ orderId: o.id, from: ['pending_payment'], to: 'failed', reason: 'x', refund: refund('ref_no') }), null);
      assert.equal(await repo.getRefund('ref_no'), null, 'nothing written');
      const ids = Array.from({ length: contenders }, (_, i) => `ref_${o.id}_${i}`);
      const results = await Promise.allSettled(ids.map((id) => repo.refundOrder({ orderId: o.id, from: ['paid'], to: 'refunded', reason: 'cancelled by the buyer', refund: refund(id) })));
      const done = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
      assert.equal(done.length, 1, 'exactly one refund wins');
      assert.ok(results.every((r) => r.status === 'fulfilled'), 'the others see the order moved: null, never an error');
      const { order, refund: ref } = done[0]!;
      assert.equal(order.state, 'refunded');
      assert.equal(order.reason, 'cancelled by the buyer');
      assert.equal(order.bookingId, o.holdId);
      assert.deepEqual(
        { ...ref, createdAt: 0, updatedAt: 0 },
        { id: ref.id, orderId: o.id, paymentId: p.id, amount: 2400, currency: 'EUR', state: 'pending', reason: 'cancelled by the buyer', gatewayRefundId: null, createdAt: 0, updatedAt: 0 },
      );
      assert.deepEqual(await repo.getRefund(ref.id), ref);
      assert.deepEqual(await repo.refundsOf(o.id), [ref]);
      assert.deepEqual((await outboxOf(o.id)).map((b) => [b.kind, b.subject_id]), [['charge', p.id], ['refund', ref.id]]);

      assert.equal(await repo.settleRefund(ref.id, { state: 'failed', reason: 'gateway unavailable' }), true);
      assert.equal(await repo.settleRefund(ref.id, { state: 'succeeded', gatewayRefundId: 're_1' }), true);
      assert.equal(await repo.settleRefund(ref.id, { state: 'succeeded', gatewayRefundId: 're_2' }), false);
      const settled = await repo.getRefund(ref.id);
      assert.equal(settled?.state, 'succeeded');
      assert.equal(settled?.gatewayRefundId, 're_1');
    });
  });
}

describe('order repository on PGlite', () => {
  let db: Db | undefined;
  orderRepositoryCases(
    'PGlite',
    async () => {
      db = await openDb({});
      return db;
    },
    { contenders: 20 },
  );
  after(() => db?.close());
});

describe('order repository on a PostgreSQL server', { skip }, () => {
  const schema = runId('t_orders');
  let db: Db | undefined;
  orderRepositoryCases(
    'PostgreSQL server',
    async () => {
      db = await openDb({ url: DATABASE_URL, schema, poolSize: 10 });
      return db;
    },
    { contenders: 40 },
  );
  after(async () => {
    if (!db) return;
    try {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    } finally {
      await db.close();
    }
  });
});
