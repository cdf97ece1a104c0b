// The whole checkout on the embedded default, through the in-process payment worker and the simulated
// gateway: paid means booked, a declined card then a good one, the buyer's refund (the gateway's ledger
// shows it), the cancel cutoff, and an admin refund of a paid order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../support/app.ts';

const card = (number: string) => ({ number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' });

interface OrderView {
  id: string;
  state: string;
  bookingId: string | null;
  reason: string | null;
  payments: { id: string; state: string; reason: string | null }[];
  refunds: { id: string; state: string; amount: number }[];
}

describe('checkout end to end', () => {
  let s: TestServer;
  let ann: string;
  let admin: string;

  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', GATEWAY_LATENCY_MS: '1-5', PAYMENT_BACKOFF_MS: '50' });
    ann = s.tokens.issue().token;
    admin = (await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } })).json().accessToken;
  });
  after(async () => {
    await s?.close();
  });

  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
  async function order(showtime: string, seats: string[]): Promise<OrderView> {
    const hold = await call('POST', `/showtimes/${showtime}/holds`, ann, { seats });
    assert.equal(hold.statusCode, 201, hold.body);
    const r = await call('POST', `/holds/${hold.json().id}/checkout`, ann, { email: 'ann@example.com' });
    assert.equal(r.statusCode, 201, r.body);
    return r.json();
  }
  /** Polls the order until `done` says so (the worker is asynchronous). */
  async function until(id: string, done: (o: OrderView) => boolean, timeoutMs = 10_000): Promise<OrderView> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const o = (await call('GET', `/orders/${id}`, ann)).json() as OrderView;
      if (done(o)) return o;
      if (Date.now() > end) assert.fail(`order ${id} did not get there: ${JSON.stringify(o)}`);
      await sleep(25);
    }
  }
  const seatStatus = async (showtime: string, seat: string) =>
    ((await call('GET', `/showtimes/${showtime}/seats`, ann)).json().seats as { id: string; status: string; mine?: boolean }[]).find((x) => x.id === seat);
  const charges = (key: string) => s.box.stores.db.query<{ outcome: string }>("SELECT outcome FROM gateway_charges WHERE idempotency_key = $1", [key]);
  const refunds = (key: string) => s.box.stores.db.query('SELECT 1 FROM gateway_refunds WHERE idempotency_key = $1', [key]);

  it('a successful payment books the seats: the order is paid with one charge in the ledger', async () => {
    const o = await order('arrival-3', ['G1', 'G2']);
    const pay = await call('POST', `/orders/${o.id}/payments`, ann, { card: card('4242424242424242') });
    assert.equal(pay.statusCode, 202, pay.body);
    const paid = await until(o.id, (x) => x.state === 'paid');
    assert.equal(paid.bookingId, (await call('GET', `/orders/${o.id}`, ann)).json().holdId);
    assert.deepEqual(paid.payments.map((p) => p.state), ['succeeded']);
    assert.deepEqual({ ...(await seatStatus('arrival-3', 'G1')) }.status, 'booked');
    assert.deepEqual(await charges(paid.payments[0]!.id), [{ outcome: 'succeeded' }], 'one charge in the ledger');
    assert.equal((await call('POST', `/orders/${o.id}/payments`, ann, { card: card('4242424242424242') })).json().code, 'ORDER_NOT_PAYABLE');
  });

  it('a declined card leaves the order pending payment; another card pays it', async () => {
    const o = await order('arrival-3', ['G3']);
    await call('POST', `/orders/${o.id}/payments`, ann, { card: card('4000000000000002') });
    const declined = await until(o.id, (x) => x.payments[0]?.state === 'declined');
    assert.equal(declined.state, 'pending_payment');
    assert.ok(declined.payments[0]!.reason);
    assert.equal((await call('POST', `/orders/${o.id}/payments`, ann, { card: card('5555555555554444') })).statusCode, 202);
    const paid = await until(o.id, (x) => x.state === 'paid');
    assert.deepEqual(paid.payments.map((p) => p.state), ['declined', 'succeeded']);
    assert.deepEqual(await charges(paid.payments[0]!.id), [{ outcome: 'declined' }], 'a decline moves no money');
    assert.deepEqual(await charges(paid.payments[1]!.id), [{ outcome: 'succeeded' }]);
  });

  it('the buyer cancels a paid order: refunded through the queue, the seats free at once', async () => {
    const o = await order('arrival-3', ['G5']);
    await call('POST', `/orders/${o.id}/payments`, ann, { card: card('4242424242424242') });
    await until(o.id, (x) => x.state === 'paid');
    const cancel = await call('POST', `/orders/${o.id}/cancel`, ann);
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.equal(cancel.json().state, 'refunded');
    assert.equal((await seatStatus('arrival-3', 'G5'))?.status, 'available');
    const refunded = await until(o.id, (x) => x.refunds[0]?.state === 'succeeded');
    assert.equal(refunded.refunds[0]!.amount, 1950, "arrival-3's premium seat");
    assert.equal((await refunds(refunded.refunds[0]!.id)).length, 1, 'the ledger has the refund');
    assert.equal((await call('POST', `/orders/${o.id}/cancel`, ann)).json().code, 'ORDER_NOT_CANCELLABLE');
  });

  it('refuses a buyer cancel within the cutoff before the showtime; an admin still refunds', async () => {
    // arrival-1 starts within two hours (the demo's first showtime); CANCEL_CUTOFF is two hours.
    const o = await order('arrival-1', ['G9']);
    await call('POST', `/orders/${o.id}/payments`, ann, { card: card('4242424242424242') });
    await until(o.id, (x) => x.state === 'paid');
    const late = await call('POST', `/orders/${o.id}/cancel`, ann);
    assert.deepEqual([late.statusCode, late.json().code], [409, 'CANCEL_TOO_LATE']);
    const r = await call('POST', `/admin/orders/${o.id}/cancel`, admin, { reason: 'projector broke' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().state, r.json().reason], ['refunded', 'cancelled by the cinema: projector broke']);
    assert.equal((await seatStatus('arrival-1', 'G9'))?.status, 'available');
    await until(o.id, (x) => x.refunds[0]?.state === 'succeeded');
  });
  it('a guest who checked out and then registers pays the order as the account: the order followed the hold', async () => {
    const guest = s.tokens.issue().token;
    const hold = await call('POST', '/showtimes/arrival-3/holds', guest, { seats: ['H7'] });
    assert.equal(hold.statusCode, 201, hold.body);
    const o = (await call('POST', `/holds/${hold.json().id}/checkout`, guest, { email: 'gus@example.com' })).json() as OrderView;
    const reg = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'gus@example.com', password: 'gus-password', guestToken: guest } });
    assert.equal(reg.statusCode, 201, reg.body);
    const user = reg.json().accessToken as string;
    assert.equal((await call('GET', `/orders/${o.id}`, guest)).statusCode, 404, 'the order is no longer the guest\'s');
    assert.equal((await call('POST', `/orders/${o.id}/payments`, user, { card: card('4242424242424242') })).statusCode, 202);
    const end = Date.now() + 10_000;
    let paid: OrderView;
    for (;;) {
      paid = (await call('GET', `/orders/${o.id}`, user)).json() as OrderView;
      if (paid.state === 'paid' || Date.now() > end) break;
      await sleep(25);
    }
    assert.equal(paid.state, 'paid', JSON.stringify(paid));
    assert.equal(paid.bookingId, hold.json().id, 'the hold itself was confirmed, not a re-hold');
  });
});
