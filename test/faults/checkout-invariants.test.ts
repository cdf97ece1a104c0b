// The checker the fault tests end with must itself fail when an invariant is broken: each case breaks
// one (a charge nobody owns, a seat the database lost, a paid order's charge refunded) and expects it named.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';
import { Buyer, CARDS } from '../support/checkout-buyers.ts';
import { checkCheckoutInvariants, waitUntilSettled } from '../support/checkout-invariants.ts';

describe('the checkout invariant checker', () => {
  let s: TestServer;
  let paidOrder: string;
  before(async () => {
    s = await startTestServer({ GATEWAY_LATENCY_MS: '1-5' });
    await s.listen();
    const b = Buyer.of(s);
    const o = (await b.order('arrival-2', ['E1', 'E2']))!;
    await b.pay(o.id, CARDS.good);
    await waitUntilSettled(s.box, 10_000, { allSettled: true });
    paidOrder = o.id;
  });
  after(async () => {
    await s?.close();
  });
  const db = () => s.box.stores.db;

  it('passes on a clean run', async () => {
    const summary = await checkCheckoutInvariants(s.box);
    assert.deepEqual([summary.byState, summary.charges, summary.bookedSeats], [{ paid: 1 }, 1, 2]);
  });

  it('names a charge that belongs to no payment', async () => {
    const [card] = await db().query<{ token: string }>('SELECT token FROM gateway_cards LIMIT 1');
    await db().query(`INSERT INTO gateway_charges (idempotency_key, id, token, amount, currency, outcome) VALUES ('pay_ghost', 'ch_ghost', $1, 100, 'EUR', 'succeeded')`, [card!.token]);
    try {
      await assert.rejects(checkCheckoutInvariants(s.box), /charge ch_ghost \(key pay_ghost\) belongs to no payment/);
    } finally {
      await db().query(`DELETE FROM gateway_charges WHERE id = 'ch_ghost'`);
    }
  });

  it('names a seat booked in the hold store that the database lost', async () => {
    const [row] = await db().query<{ booking_id: string }>(`DELETE FROM booked_seats WHERE showtime_id = 'arrival-2' AND seat_id = 'E1' RETURNING booking_id`);
    try {
      await assert.rejects(checkCheckoutInvariants(s.box), /seat E1 of arrival-2 is booked in the hold store .* but not in the database/);
    } finally {
      await db().query(`INSERT INTO booked_seats (showtime_id, seat_id, booking_id) VALUES ('arrival-2', 'E1', $1)`, [row!.booking_id]);
    }
  });

  it("names a paid order whose charge was refunded at the gateway", async () => {
    const [charge] = await db().query<{ id: string }>(`SELECT c.id FROM gateway_charges c JOIN payments p ON p.id = c.idempotency_key WHERE p.order_id = $1`, [paidOrder]);
    await db().query(`INSERT INTO gateway_refunds (idempotency_key, id, charge_id, amount) VALUES ('ref_ghost', 're_ghost', $1, 2500)`, [charge!.id]);
    try {
      await assert.rejects(checkCheckoutInvariants(s.box), new RegExp(`paid order ${paidOrder} has 1 successful charges, 0 not refunded[\\s\\S]*ledger refund ref_ghost is no refund of Boxoffice`));
    } finally {
      await db().query(`DELETE FROM gateway_refunds WHERE id = 're_ghost'`);
    }
  });
});
