// The attack on issue 11's checkout, each hole reproduced as it was found against a running server:
// a priced seat confirmed for free through the FirstClick surface, and a seat of a showtime that
// had started sold (and paid) anyway. inject() comes from 127.0.0.1, so no limit gets in the way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ADMIN_ENV, auth, loginAdmin } from './checkout-fixtures.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer(ADMIN_ENV);
});
after(async () => {
  await s.close();
});

const seatOf = async (movie: string, seat: string) =>
  ((await s.app.inject({ method: 'GET', url: `/movies/${movie}/seats` })).json() as { seat_id: string; status: string }[]).find((x) => x.seat_id === seat);

describe('the FirstClick surface does not give priced seats away', () => {
  it('a FirstClick confirm of a hold in a priced showtime is 402 PAYMENT_REQUIRED, and the seat is not booked', async () => {
    // Arrival's first showtime (what FirstClick's /movies/arrival stands for) has prices.
    const showtime = (await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-1' })).json();
    assert.ok(showtime.prices.standard > 0, 'arrival-1 is priced');
    const held = await s.app.inject({ method: 'POST', url: '/movies/arrival/seats/C5/hold', payload: { user_id: 'eve' } });
    assert.equal(held.statusCode, 200, held.body);
    const { session_id } = held.json() as { session_id: string };

    const confirm = await s.app.inject({ method: 'PUT', url: `/sessions/${session_id}/confirm`, payload: { user_id: 'eve' } });
    assert.equal(confirm.statusCode, 402, `it was 204: a 12.50 EUR seat booked for nothing. ${confirm.body}`);
    assert.equal(confirm.json().code, 'PAYMENT_REQUIRED');
    assert.equal(typeof confirm.json().error, 'string', 'a FirstClick client reads `error`');
    assert.equal((await seatOf('arrival', 'C5'))?.status, 'hold', 'C5 is still only held');
    assert.deepEqual(await s.box.service.bookingsOf('fc:eve'), [], 'no booking was written');

    // Somebody else's session still answers as it did (403), not with a price.
    assert.equal((await s.app.inject({ method: 'PUT', url: `/sessions/${session_id}/confirm`, payload: { user_id: 'mallory' } })).statusCode, 403);
    assert.equal((await s.app.inject({ method: 'PUT', url: '/sessions/arrival-1.unknownhold/confirm', payload: { user_id: 'eve' } })).statusCode, 404);
  });

  it('a free showtime (inception) still confirms directly', async () => {
    const { session_id } = (await s.app.inject({ method: 'POST', url: '/movies/inception/seats/E4/hold', payload: { user_id: 'fred' } })).json() as { session_id: string };
    assert.equal((await s.app.inject({ method: 'PUT', url: `/sessions/${session_id}/confirm`, payload: { user_id: 'fred' } })).statusCode, 204);
    assert.equal((await seatOf('inception', 'E4'))?.status, 'confirmed');
  });
});

describe('a showtime that has started is not sold', () => {
  it('checking out a hold of a started showtime is 409 SHOWTIME_STARTED, and no order is written', async () => {
    await s.box.stores.db.query(
      `INSERT INTO showtimes (id, movie_id, screen_id, starts_at, prices)
       VALUES ('dune-started', 'dune', 'screen-dune', now() - interval '3 hours', '{"currency": "EUR", "standard": 900, "premium": 1200, "accessible": 700}')`,
    );
    const guest = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-started/holds', headers: auth(guest), payload: { seats: ['B2'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    const checkout = await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/checkout`, headers: auth(guest), payload: { email: 'late@example.com' } });
    // It was 201: the order took a card and was paid, for a seat three hours into a film, and the
    // paid order of a started showtime let its buyer review the movie at once.
    assert.equal(checkout.statusCode, 409, checkout.body);
    assert.equal(checkout.json().code, 'SHOWTIME_STARTED');
    const [row] = await s.box.stores.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE showtime_id = 'dune-started'`);
    assert.equal(row!.n, 0);
  });
});

describe('a showtime is free or priced, never partly free', () => {
  it('refuses prices with some kinds at 0 (a hold of those seats would be an order of 0 asking for a card), and changes nothing', async () => {
    const admin = await loginAdmin(s);
    const before = (await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-2' })).json();
    const payload = { movieId: 'arrival', screenId: before.screenId, startsAt: before.startsAt, prices: { currency: 'EUR', standard: 1250, premium: 0, accessible: 0 } };
    const r = await s.app.inject({ method: 'PUT', url: '/api/v1/admin/showtimes/arrival-2', headers: auth(admin), payload });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().code, 'INVALID_INPUT');
    assert.match(r.json().error, /accessible, premium are 0/);
    assert.deepEqual((await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-2' })).json().prices, before.prices);
    const free = await s.app.inject({ method: 'PUT', url: '/api/v1/admin/showtimes/arrival-2', headers: auth(admin), payload: { ...payload, prices: { currency: 'EUR', standard: 0, premium: 0, accessible: 0 } } });
    assert.equal(free.statusCode, 200, free.body);
  });
});
