// Checkout and orders over HTTP on the embedded default: checkout of a hold, reading orders, paying
// (recorded and queued; the outcome is the payment worker's), cancelling, the admin's list and cancel,
// the expiry sweep, /ws follow-orders, PAYMENT_REQUIRED on confirm, and bad input answered with 4xx.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { startTestServer, wsClient, type TestServer } from '../support/app.ts';

const card = (number = '4242424242424242', over: Record<string, unknown> = {}) => ({ number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', ...over });

describe('checkout and orders over HTTP', () => {
  let s: TestServer;
  let ann: string;
  let bob: string;
  let admin: string;

  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', PAYMENT_WINDOW: '900', GATEWAY_LATENCY_MS: '0-0' });
    ann = s.tokens.issue().token;
    bob = s.tokens.issue().token;
    const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } });
    admin = login.json().accessToken;
  });
  after(async () => {
    await s?.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: unknown) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }) });
  const hold = async (token: string, seats: string[], showtime = 'arrival-1') => {
    const r = await call('POST', `/showtimes/${showtime}/holds`, token, { seats });
    assert.equal(r.statusCode, 201, r.body);
    return r.json() as { id: string; expiresAt: number; total: number; currency: string; lines: { seat: string; kind: string; price: number }[] };
  };
  const checkout = (holdId: string, token: string, email: unknown = 'ann@example.com') => call('POST', `/holds/${holdId}/checkout`, token, { email });
  const seatStatus = async (showtime: string, seat: string) =>
    ((await call('GET', `/showtimes/${showtime}/seats`)).json().seats as { id: string; status: string }[]).find((x) => x.id === seat)?.status;

  it('prices the seat map and holds of a priced showtime', async () => {
    const map = (await call('GET', '/showtimes/arrival-1/seats')).json();
    assert.deepEqual(map.prices, { currency: 'EUR', standard: 1250, premium: 1750, accessible: 950 });
    const price = (id: string) => map.seats.find((x: { id: string }) => x.id === id).price;
    assert.deepEqual([price('C3'), price('G7'), price('L1')], [1250, 1750, 950]);
    assert.deepEqual((await call('GET', '/showtimes/arrival-1')).json().prices, map.prices);
    assert.equal((await call('GET', '/showtimes/inception-1')).json().prices.standard, 0, "FirstClick's showtimes stay free");
    const h = await hold(ann, ['L1', 'C3', 'G7']);
    assert.equal(h.total, 1250 + 1750 + 950);
    assert.equal(h.currency, 'EUR');
    assert.deepEqual(h.lines.map((l) => l.seat), ['C3', 'G7', 'L1']);
    await call('DELETE', `/holds/${h.id}`, ann);
  });

  it('checks a hold out into an order pending payment, extending the hold to the payment window; a second checkout is the same order', async () => {
    const h = await hold(ann, ['C10', 'G10']);
    const before = Date.now();
    const first = await checkout(h.id, ann, '  Ann@Example.com ');
    assert.equal(first.statusCode, 201, first.body);
    const order = first.json();
    assert.match(order.id, /^ord_/);
    assert.equal(order.state, 'pending_payment');
    assert.equal(order.email, 'Ann@Example.com');
    assert.equal(order.showtimeId, 'arrival-1');
    assert.equal(order.movieId, 'arrival');
    assert.equal(order.total, 1250 + 1750);
    assert.deepEqual(order.lines, [
      { seat: 'C10', kind: 'standard', price: 1250 },
      { seat: 'G10', kind: 'premium', price: 1750 },
    ]);
    assert.deepEqual([order.payments, order.refunds, order.tickets, order.bookingId], [[], [], [], null]);
    assert.ok(order.expiresAt >= before + 899_000 && order.expiresAt <= Date.now() + 900_000, 'PAYMENT_WINDOW=900 s');
    const mine = (await call('GET', '/showtimes/arrival-1/holds', ann)).json().holds.find((x: { id: string }) => x.id === h.id);
    assert.equal(mine.expiresAt, order.expiresAt, 'the hold lasts as long as the window');

    const again = await checkout(h.id, ann, 'other@example.com');
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, order.id);
    assert.equal(again.json().email, 'Ann@Example.com');

    assert.deepEqual((await call('GET', `/orders/${order.id}`, ann)).json(), order);
    const confirm = await call('POST', `/holds/${h.id}/confirm`, ann);
    assert.equal(confirm.statusCode, 402, 'a priced seat is sold through checkout only');
    assert.equal(confirm.json().code, 'PAYMENT_REQUIRED');
    assert.equal((await call('POST', `/holds/${h.id}/confirm`, bob)).statusCode, 403, "somebody else's hold answers as before");
  });

  it('refuses bad checkouts with a 4xx that says why', async () => {
    const h = await hold(ann, ['D1']);
    const cases: [string, Promise<{ statusCode: number; json(): { code: string; error: string } }>, number, string, RegExp?][] = [
      ['bad email', checkout(h.id, ann, 'not-an-email'), 400, 'INVALID_INPUT', /email/],
      ['empty email', checkout(h.id, ann, ''), 400, 'INVALID_INPUT', /email/],
      ['email not a string', checkout(h.id, ann, 42), 400, 'INVALID_INPUT', /email/],
      ['no body', call('POST', `/holds/${h.id}/checkout`, ann), 400, 'INVALID_INPUT'],
      ['unknown field', call('POST', `/holds/${h.id}/checkout`, ann, { email: 'a@b.co', total: 0 }), 400, 'INVALID_INPUT', /total/],
      ['no token', call('POST', `/holds/${h.id}/checkout`, undefined, { email: 'a@b.co' }), 401, 'UNAUTHORIZED'],
      ["somebody else's hold", checkout(h.id, bob), 404, 'HOLD_NOT_FOUND'],
      ['unknown hold', checkout('arrival-1.doesnotexist', ann), 404, 'HOLD_NOT_FOUND'],
      ['hold of an unknown showtime', checkout('nope-9.doesnotexist', ann), 404, 'HOLD_NOT_FOUND'],
      ['garbage hold id', checkout(encodeURIComponent('../x'), ann), 404, 'HOLD_NOT_FOUND'],
    ];
    for (const [what, response, status, code, message] of cases) {
      const r = await response;
      assert.equal(r.statusCode, status, `${what}: ${JSON.stringify(r.json())}`);
      assert.equal(r.json().code, code, what);
      if (message) assert.match(r.json().error, message, what);
    }
    const free = await hold(ann, ['A1'], 'inception-1');
    const r = await checkout(free.id, ann);
    assert.equal(r.statusCode, 409);
    assert.equal(r.json().code, 'SHOWTIME_FREE');
    assert.equal((await call('POST', `/holds/${free.id}/confirm`, ann)).statusCode, 200, 'a free showtime confirms directly');
    // An order exists for nobody's hold after all that.
    assert.deepEqual((await call('GET', '/orders', bob)).json().orders, []);
  });

  it('answers an expired hold with 409 (or 404 once the sweeper removed it)', async () => {
    const short = await s.box.service.holdSeats({ showtimeId: 'arrival-2', owner: s.tokens.verify(ann)!, seats: ['E5'], ttlMs: 20 });
    await new Promise((r) => setTimeout(r, 40));
    const r = await checkout(short.id, ann);
    assert.ok(
      (r.statusCode === 409 && r.json().code === 'CHECKOUT_HOLD_EXPIRED') || (r.statusCode === 404 && r.json().code === 'HOLD_NOT_FOUND'),
      r.body,
    );
  });

  it("lists the caller's orders newest first; somebody else's or an unknown order is 404", async () => {
    const a = (await checkout((await hold(bob, ['H1'])).id, bob, 'bob@example.com')).json();
    const b = (await checkout((await hold(bob, ['H2'])).id, bob, 'bob@example.com')).json();
    assert.deepEqual((await call('GET', '/orders', bob)).json().orders.map((o: { id: string }) => o.id), [b.id, a.id]);
    for (const [what, url, token] of [
      ["somebody else's", `/orders/${a.id}`, ann],
      ['unknown', '/orders/ord_doesnotexist', bob],
      ['garbage id', `/orders/${encodeURIComponent('../../x')}`, bob],
    ] as const) {
      const r = await call('GET', url, token);
      assert.equal(r.statusCode, 404, what);
      assert.equal(r.json().code, 'ORDER_NOT_FOUND', what);
    }
    assert.equal((await call('GET', '/orders')).statusCode, 401);
  });

  it('records a payment at once (202, card kept as brand and last four), one at a time, and refuses bad cards naming the field', async () => {
    const order = (await checkout((await hold(ann, ['J5', 'J6'])).id, ann)).json();
    const pay = (body: unknown, token = ann) => call('POST', `/orders/${order.id}/payments`, token, body);
    const bad: [string, unknown, string][] = [
      ['a number failing Luhn', { card: card('4242424242424241') }, 'card.number'],
      ['letters in the number', { card: card('4242abcd42424242') }, 'card.number'],
      ['no cvc', { card: { number: '4242424242424242', expMonth: 12, expYear: 2040 } }, 'cvc'],
      ['month 13', { card: card(undefined, { expMonth: 13 }) }, 'expMonth'],
      ['month as a string', { card: card(undefined, { expMonth: '12' }) }, 'expMonth'],
      ['no card', {}, 'card'],
      ['an unknown field', { card: card(), amount: 1 }, 'amount'],
    ];
    for (const [what, body, field] of bad) {
      const r = await pay(body);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(r.json().code, 'INVALID_INPUT', what);
      assert.ok(r.body.includes(field), `${what}: names ${field}: ${r.body}`);
      assert.ok(!r.body.includes('424242424242'), `${what}: never echoes the number`);
    }
    const expired = await pay({ card: card(undefined, { expYear: 2001 }) });
    assert.equal(expired.statusCode, 400, expired.body);

    assert.equal((await pay({ card: card() }, bob)).statusCode, 404, "somebody else's order");
    // The test card that times out as many times as its cvc says: the attempt stays pending a while.
    const ok = await pay({ card: card('4000 0000 0000 0119', { cvc: '009' }) });
    assert.equal(ok.statusCode, 202, ok.body);
    const { payment, order: after } = ok.json();
    assert.match(payment.id, /^pay_/);
    assert.deepEqual([payment.state, payment.amount, payment.currency, payment.card], ['pending', 2500, 'EUR', { brand: 'visa', last4: '0119' }]);
    assert.deepEqual(after.payments.map((p: { id: string }) => p.id), [payment.id]);

    const second = await pay({ card: card('5555555555554444') });
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().code, 'PAYMENT_IN_PROGRESS');
    const cancel = await call('POST', `/orders/${order.id}/cancel`, ann);
    assert.equal(cancel.statusCode, 409, 'no cancel while a payment is being processed');
    assert.equal(cancel.json().code, 'PAYMENT_IN_PROGRESS');

    // The card number is nowhere in Boxoffice's database: only the token, brand and last four.
    const rows = await s.box.stores.db.query('SELECT p.*, o.* FROM payments p JOIN payment_outbox o ON o.subject_id = p.id');
    assert.ok(rows.length >= 1);
    assert.ok(!JSON.stringify(rows).includes('4000000000000119'));
    assert.ok(!JSON.stringify(rows).includes('400000000000'));
  });

  it('cancels an unpaid order: the seats are free at once, and a final order cannot be cancelled or paid', async () => {
    const order = (await checkout((await hold(ann, ['K3'])).id, ann)).json();
    assert.equal(await seatStatus('arrival-1', 'K3'), 'held');
    assert.equal((await call('POST', `/orders/${order.id}/cancel`, bob)).statusCode, 404);
    const r = await call('POST', `/orders/${order.id}/cancel`, ann);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().state, 'cancelled');
    assert.equal(r.json().reason, 'cancelled by the buyer');
    assert.equal(await seatStatus('arrival-1', 'K3'), 'available');
    const again = await call('POST', `/orders/${order.id}/cancel`, ann);
    assert.deepEqual([again.statusCode, again.json().code], [409, 'ORDER_NOT_CANCELLABLE']);
    const pay = await call('POST', `/orders/${order.id}/payments`, ann, { card: card() });
    assert.deepEqual([pay.statusCode, pay.json().code], [409, 'ORDER_NOT_PAYABLE']);
  });

  it('releasing a checked-out hold cancels its order with it, never leaving it pending with its seats given away', async () => {
    const held = await hold(ann, ['K4']);
    const order = (await checkout(held.id, ann)).json();
    assert.equal((await call('DELETE', `/holds/${held.id}`, bob)).statusCode, 403, "somebody else's release changes nothing");
    assert.equal((await call('GET', `/orders/${order.id}`, ann)).json().state, 'pending_payment');
    const released = await call('DELETE', `/holds/${held.id}`, ann);
    assert.equal(released.statusCode, 204, released.body);
    const now = (await call('GET', `/orders/${order.id}`, ann)).json();
    assert.deepEqual([now.state, now.reason], ['cancelled', 'cancelled by the buyer']);
    assert.equal(await seatStatus('arrival-1', 'K4'), 'available');
    assert.equal((await call('DELETE', `/holds/${held.id}`, ann)).statusCode, 204, 'releasing again is still idempotent');
  });

  it('lets an admin list, search and cancel orders with a reason, in the audit log', async () => {
    const order = (await checkout((await hold(bob, ['K7', 'K8'])).id, bob, 'search.me@example.com')).json();
    const list = (query: string, token = admin) => call('GET', `/admin/orders${query}`, token);
    assert.equal((await list('', bob)).statusCode, 403);
    assert.equal((await list('')).statusCode, 200);
    const found = (await list('?q=SEARCH.me')).json().orders;
    assert.deepEqual(found.map((o: { id: string }) => o.id), [order.id]);
    assert.match(found[0].owner, /^guest:/);
    assert.deepEqual((await list(`?q=K8&showtime=arrival-1&state=pending_payment`)).json().orders.map((o: { id: string }) => o.id), [order.id]);
    assert.deepEqual((await list('?q=K8&state=cancelled')).json().orders, []);
    assert.equal((await list('?limit=1')).json().orders.length, 1);
    for (const q of ['?state=lost', '?limit=-1', '?limit=abc', `?q=${'x'.repeat(300)}`]) assert.equal((await list(q)).statusCode, 400, q);

    const cancel = (body: unknown, id = order.id, token = admin) => call('POST', `/admin/orders/${id}/cancel`, token, body);
    assert.equal((await cancel({ reason: 'x' }, order.id, bob)).statusCode, 403);
    assert.equal((await cancel({})).statusCode, 400);
    assert.equal((await cancel({ reason: '' })).statusCode, 400);
    assert.equal((await cancel({ reason: 'x' }, 'ord_nope')).statusCode, 404);
    const r = await cancel({ reason: 'screening moved' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().state, r.json().reason], ['cancelled', 'cancelled by the cinema: screening moved']);
    assert.equal(await seatStatus('arrival-1', 'K7'), 'available');
    const audit = (await call('GET', '/admin/audit', admin)).json().entries as { action: string; target: string; actor: string; details: { reason: string } }[];
    const entry = audit.find((e) => e.action === 'order.cancel' && e.target === order.id);
    assert.ok(entry, 'audit-logged');
    assert.equal(entry.details.reason, 'screening moved');
    assert.match(entry.actor, /root@example.com/);
  });

  it('follows the caller\'s orders on /ws: following-orders, then every change of one of them', async () => {
    await s.listen();
    const ws = await wsClient(`${s.url.replace('http', 'ws')}/ws`);
    const other = await wsClient(`${s.url.replace('http', 'ws')}/ws`);
    try {
      ws.send({ type: 'follow-orders', token: 'forged.token' });
      assert.equal((await ws.next((m) => m.type === 'error')).code, 'UNAUTHORIZED');
      ws.send({ type: 'follow-orders', token: ann });
      await ws.next((m) => m.type === 'following-orders');
      other.send({ type: 'follow-orders', token: bob });
      await other.next((m) => m.type === 'following-orders');

      const h = await hold(ann, ['B15']);
      const created = (await checkout(h.id, ann)).json();
      const seen = (await ws.next((m) => m.type === 'order')).order as { id: string; state: string };
      assert.deepEqual([seen.id, seen.state], [created.id, 'pending_payment']);
      await call('POST', `/orders/${created.id}/payments`, ann, { card: card() });
      const paid = (await ws.next((m) => m.type === 'order' && (m.order as { state: string }).state === 'paid', 10_000)).order as { id: string; payments: { state: string }[] };
      assert.deepEqual([paid.id, paid.payments.map((p) => p.state)], [created.id, ['succeeded']]);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(other.messages.filter((m) => m.type === 'order'), [], "nobody else's orders");
    } finally {
      ws.close();
      other.close();
    }
  });
});

describe('an order not paid in time', () => {
  let s: TestServer;
  before(async () => {
    // A hold's expiry never moves earlier: the hold itself is short, so the window is too.
    s = await startTestServer({ HOLD_TTL: '2', PAYMENT_WINDOW: '2' });
  });
  after(async () => {
    await s?.close();
  });

  it('expires with its seats released, live on /ws', async () => {
    await s.listen();
    const token = s.tokens.issue().token;
    const auth = { authorization: `Bearer ${token}` };
    const ws = await wsClient(`${s.url.replace('http', 'ws')}/ws`);
    try {
      ws.send({ type: 'follow-orders', token });
      await ws.next((m) => m.type === 'following-orders');
      ws.send({ type: 'subscribe', showtime: 'arrival-3' });
      await ws.next((m) => m.type === 'snapshot');
      const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-3/holds', headers: auth, payload: { seats: ['F5'] } });
      const order = (await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/checkout`, headers: auth, payload: { email: 'late@example.com' } })).json();
      assert.equal(order.state, 'pending_payment');
      assert.ok(order.expiresAt <= Date.now() + 2_000);
      const expired = (await ws.next((m) => m.type === 'order' && (m.order as { state: string }).state === 'expired', 5_000)).order as { id: string; reason: string };
      assert.deepEqual([expired.id, expired.reason], [order.id, 'not paid in time']);
      const freed = await ws.next((m) => m.type === 'delta' && (m.changes as { seat: string; status: string }[]).some((c) => c.seat === 'F5' && c.status === 'available'), 3_000);
      assert.equal(freed.cause, 'expire', 'for the buyer the hold ran out, whichever sweep freed it');
      const late = await s.app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/payments`, headers: auth, payload: { card: card() } });
      assert.deepEqual([late.statusCode, late.json().code], [409, 'ORDER_NOT_PAYABLE']);
    } finally {
      ws.close();
    }
  });
});
