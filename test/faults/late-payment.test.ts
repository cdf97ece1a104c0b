// A payment that goes through just after its order's hold expired: with the seats still free the order
// is booked on a new hold; with a rival holding them (all, or one of two) the charge is refunded and the
// order fails, and no seat is left half taken. The flaky card (three timeouts) makes the charge late.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../support/app.ts';
import { Buyer, CARDS, sharedServices, type OrderView } from '../support/checkout-buyers.ts';
import { checkCheckoutInvariants, waitUntilSettled } from '../support/checkout-invariants.ts';
import { postgresSkip, redisSkip } from '../support/services.ts';

const skip = (await postgresSkip()) || (await redisSkip());
const SHOWTIME = 'arrival-2';

/** A rival who keeps trying to hold `seats` until they are free (the first buyer's hold expired), then buys them. */
async function rival(s: TestServer, seats: string[], deadline: number): Promise<{ buyer: Buyer; order: OrderView; heldAt: number }> {
  const buyer = Buyer.of(s);
  for (;;) {
    const order = await buyer.order(SHOWTIME, seats);
    if (order) {
      const heldAt = Date.now();
      await buyer.pay(order.id, CARDS.good);
      return { buyer, order, heldAt };
    }
    assert.ok(Date.now() < deadline, `seats ${seats.join(',')} never came free`);
    await sleep(20);
  }
}

describe('a payment succeeding just after the hold expired', { skip }, () => {
  it('books the seats when they are still free; refunds and fails the order when a rival has them', { timeout: 60_000 }, async (t) => {
    // Windows of 3 s; the flaky card times out three times (1 s each) with backoff before it charges: ~4-6 s.
    const svc = sharedServices('t_fault_late', { HOLD_STORE: 'redis', HOLD_TTL: '3', PAYMENT_WINDOW: '3', GATEWAY_LATENCY_MS: '200-1000', PAYMENT_BACKOFF_MS: '100' });
    const s = await startTestServer(svc.env);
    try {
      await s.listen();
      const [ann, bob, cat] = [Buyer.of(s), Buyer.of(s), Buyer.of(s)];
      const start = Date.now();
      const [annOrder, bobOrder, catOrder] = await Promise.all([ann.order(SHOWTIME, ['L5', 'L6']), bob.order(SHOWTIME, ['L8', 'L9']), cat.order(SHOWTIME, ['L11', 'L12'])]);
      await Promise.all([ann.pay(annOrder!.id, CARDS.flaky, '003'), bob.pay(bobOrder!.id, CARDS.flaky, '003'), cat.pay(catOrder!.id, CARDS.flaky, '003')]);
      // Rita wants both of Bob's seats, Ray one of Cat's; nobody wants Ann's.
      const [rita, ray] = await Promise.all([rival(s, ['L8', 'L9'], start + 10_000), rival(s, ['L12'], start + 10_000)]);
      const settleMs = await waitUntilSettled(s.box, 30_000, { allSettled: true });
      const [annNow, bobNow, catNow] = await Promise.all([ann.get(annOrder!.id), bob.get(bobOrder!.id), cat.get(catOrder!.id)]);
      const [ritaNow, rayNow] = await Promise.all([rita.buyer.get(rita.order.id), ray.buyer.get(ray.order.id)]);
      const charged = await s.box.stores.db.query<{ key: string; at: number }>('SELECT idempotency_key AS key, (extract(epoch from created_at) * 1000)::float8 AS at FROM gateway_charges');
      const chargedAt = (o: OrderView) => Math.round(charged.find((c) => c.key === o.payments[0]!.id)!.at);
      t.diagnostic(`windows ended ${annOrder!.expiresAt - start} ms in; charges ${[annNow, bobNow, catNow].map((o) => chargedAt(o) - start).join(', ')} ms in; rivals held at ${rita.heldAt - start}, ${ray.heldAt - start} ms; settled ${Date.now() - start} ms in (${settleMs} ms of waiting)`);
      for (const o of [annNow, bobNow, catNow]) assert.ok(chargedAt(o) > o.expiresAt, `the charge came after the window of ${o.id} ended`);

      assert.equal(annNow.state, 'paid', JSON.stringify(annNow));
      assert.ok(annNow.bookingId!.startsWith(`${annNow.holdId}-`), 'booked on a new hold: its own had expired');
      assert.deepEqual([bobNow.state, catNow.state], ['failed', 'failed']);
      assert.match(bobNow.reason!, /L8, L9 went to someone else/);
      assert.match(catNow.reason!, /L12 went to someone else/);
      for (const o of [bobNow, catNow]) assert.deepEqual(o.refunds.map((r) => r.state), ['succeeded']);
      assert.deepEqual([ritaNow.state, rayNow.state], ['paid', 'paid']);
      const seats = (await s.app.inject({ url: `/api/v1/showtimes/${SHOWTIME}/seats` })).json().seats as { id: string; status: string }[];
      const status = (id: string) => seats.find((x) => x.id === id)!.status;
      assert.deepEqual(['L5', 'L6', 'L8', 'L9', 'L11', 'L12'].map(status), ['booked', 'booked', 'booked', 'booked', 'available', 'booked'], "Cat's other seat is free again");

      const summary = await checkCheckoutInvariants(s.box);
      t.diagnostic(JSON.stringify(summary));
      assert.equal(summary.charges, 5);
      assert.equal(summary.refunds, 2);
      assert.equal(summary.bookedSeats, 5);
    } finally {
      await s.close();
      await svc.drop();
    }
  });
});
