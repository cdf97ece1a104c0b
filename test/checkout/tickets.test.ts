// Tickets of paid orders (written with plain SQL, as the payment flow leaves them) over HTTP on the
// embedded default: the tickets an order view shows, the QR code for the buyer only, and check-in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresOrderRepository } from '../../src/stores/postgres/order-repository.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ADMIN_ENV, auth, insertOrder, loginAdmin } from './checkout-fixtures.ts';

describe('tickets', () => {
  let s: TestServer;
  let admin: string;
  const buyer = { token: '', owner: '' };
  before(async () => {
    s = await startTestServer(ADMIN_ENV);
    admin = await loginAdmin(s);
    Object.assign(buyer, s.tokens.issue());
  });
  after(async () => {
    await s.close();
  });

  const db = () => s.box.stores.db;
  const checkIn = (payload: object, token = admin) => s.app.inject({ method: 'POST', url: '/api/v1/admin/checkins', headers: auth(token), payload });
  const qr = (orderId: string, seat: string, token?: string) =>
    s.app.inject({ method: 'GET', url: `/api/v1/orders/${orderId}/tickets/${seat}/qr.svg`, headers: token ? auth(token) : {} });
  // What the order view does: the order, its check-ins, its tickets.
  const ticketsOf = async (orderId: string) => {
    const order = await new PostgresOrderRepository(db()).getOrder(orderId);
    return s.box.tickets.ticketsOf(order!, await s.box.tickets.checkinsOf([orderId]));
  };

  it('derives one ticket per seat of a paid order, none of an unpaid one', async () => {
    const paid = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['A1', 'A2'] });
    const tickets = await ticketsOf(paid);
    assert.deepEqual(tickets.map((t) => [t.id, t.seat, t.kind, t.checkedInAt]), [[`${paid}.A1`, 'A1', 'standard', null], [`${paid}.A2`, 'A2', 'standard', null]]);
    assert.notEqual(tickets[0]!.code, tickets[1]!.code);
    const pending = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['A3'], state: 'pending_payment' });
    assert.deepEqual(await ticketsOf(pending), []);
  });

  it("serves a ticket's QR code as SVG to its buyer only; 404 to anyone else", async () => {
    const orderId = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['B1'] });
    const res = await qr(orderId, 'B1', buyer.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
    assert.match(res.body, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((await qr(orderId, 'B1')).statusCode, 401);
    const stranger = await qr(orderId, 'B1', s.tokens.issue().token);
    assert.equal(stranger.statusCode, 404);
    assert.equal(stranger.json().code, 'ORDER_NOT_FOUND');
    // An admin is not the buyer either: the QR code is the buyer's.
    assert.equal((await qr(orderId, 'B1', admin)).json().code, 'ORDER_NOT_FOUND');
    assert.equal((await qr('ord_nosuchorder', 'B1', buyer.token)).json().code, 'ORDER_NOT_FOUND');
    for (const seat of ['B2', 'zz', 'B1x']) {
      const r = await qr(orderId, seat, buyer.token);
      assert.equal(r.statusCode, 404, seat);
      assert.equal(r.json().code, 'TICKET_NOT_FOUND');
    }
    const refunded = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['B3'], state: 'refunded' });
    assert.equal((await qr(refunded, 'B3', buyer.token)).json().code, 'TICKET_NOT_FOUND');
  });

  it('checks a ticket in once, answering with the ticket, seat, showtime and movie; the second time says when it was used', async () => {
    const orderId = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['C4', 'C5'] });
    const [ticket] = await ticketsOf(orderId);
    const first = await checkIn({ code: ticket!.code, showtimeId: 'inception-1' });
    assert.equal(first.statusCode, 200, first.body);
    const body = first.json();
    assert.equal(body.ticket.id, `${orderId}.C4`);
    assert.equal(body.orderId, orderId);
    assert.deepEqual(body.seat, { id: 'C4', row: 'C', number: 4, kind: 'standard' });
    assert.equal(body.showtime.id, 'inception-1');
    assert.deepEqual(body.movie, { id: 'inception', title: 'Inception', durationMinutes: 148 });
    assert.equal(typeof body.ticket.checkedInAt, 'number');
    assert.equal(body.ticket.qr, `/api/v1/orders/${orderId}/tickets/C4/qr.svg`);

    const again = await checkIn({ code: ticket!.code });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'TICKET_USED');
    assert.equal(again.json().details.usedAt, new Date(body.ticket.checkedInAt).toISOString());
    assert.match(again.json().error, /already used at/);

    // The order view's tickets show it; the other seat is still unused.
    const after = await ticketsOf(orderId);
    assert.deepEqual(after.map((t) => t.checkedInAt), [body.ticket.checkedInAt, null]);
    assert.equal((await checkIn({ code: after[1]!.code })).statusCode, 200, 'without showtimeId any door takes it');
  });

  it('refuses forged codes, another showtime, and orders that are not paid', async () => {
    const orderId = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['D1'] });
    const [ticket] = await ticketsOf(orderId);
    const code = ticket!.code;
    for (const forged of [code.replace('.D1.', '.D2.'), `${code.slice(0, -2)}xx`, 'hello', `ord_x.D1.${'A'.repeat(22)}`]) {
      const res = await checkIn({ code: forged });
      assert.equal(res.statusCode, 400, forged);
      assert.equal(res.json().code, 'TICKET_INVALID');
    }
    const wrong = await checkIn({ code, showtimeId: 'dune-1' });
    assert.equal(wrong.statusCode, 409);
    assert.equal(wrong.json().code, 'TICKET_WRONG_SHOWTIME');
    assert.deepEqual(wrong.json().details, { ticketId: `${orderId}.D1`, ticketShowtimeId: 'inception-1', showtimeId: 'dune-1' });

    await db().query(`UPDATE orders SET state = 'refunded' WHERE id = $1`, [orderId]);
    const cancelled = await checkIn({ code, showtimeId: 'inception-1' });
    assert.equal(cancelled.statusCode, 409);
    assert.equal(cancelled.json().code, 'TICKET_CANCELLED');
    assert.equal(cancelled.json().details.state, 'refunded');
    const rows = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_checkins WHERE order_id = $1', [orderId]);
    assert.equal(rows[0]!.n, 0, 'no refused check-in wrote anything');
  });

  it('lets only admins check tickets in', async () => {
    const orderId = await insertOrder(db(), { showtimeId: 'inception-1', owner: buyer.owner, seats: ['E1'] });
    const [ticket] = await ticketsOf(orderId);
    assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/admin/checkins', payload: { code: ticket!.code } })).statusCode, 401);
    const asBuyer = await checkIn({ code: ticket!.code }, buyer.token);
    assert.equal(asBuyer.statusCode, 403);
    assert.equal((await checkIn({ code: ticket!.code })).statusCode, 200, 'still unused after the refusals');
  });
});
