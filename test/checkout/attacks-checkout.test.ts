// The attack on issue 11's checkout, each hole reproduced as it was found against a running server:
// a priced seat confirmed for free through the FirstClick surface. inject() comes from 127.0.0.1, so no limit gets in the way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ADMIN_ENV, auth } from './checkout-fixtures.ts';

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
