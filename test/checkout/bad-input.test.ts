// Bad input to the ticket and review routes: every case is a 400 that names the field (or the
// registered ticket code), never a 500 and never a write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ADMIN_ENV, auth, insertOrder, insertShowtime, loginAdmin, register } from './checkout-fixtures.ts';

describe('tickets and reviews: bad input', () => {
  let s: TestServer;
  let admin: string;
  let user: { token: string; owner: string };
  before(async () => {
    s = await startTestServer(ADMIN_ENV);
    admin = await loginAdmin(s);
    await insertShowtime(s.box.stores.db, 'dune-past', 'dune', 'screen-dune', 2);
    user = await register(s, 'eve@example.com');
    await insertOrder(s.box.stores.db, { showtimeId: 'dune-past', owner: user.owner, seats: ['A1'] });
  });
  after(async () => {
    await s.close();
  });

  const send = (method: 'PUT' | 'POST', url: string, token: string, payload: unknown) =>
    s.app.inject({ method, url, headers: { ...auth(token), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
  const expect400 = async (res: Awaited<ReturnType<typeof send>>, field: string, what: string) => {
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    const body = res.json();
    assert.equal(body.code, 'INVALID_INPUT', what);
    assert.ok(body.error.includes(field) || body.details?.field === field, `${what}: "${body.error}" names ${field}`);
  };

  it('a review: stars a whole number from 1 to 5, text a string of at most 2,000 characters, no NUL, no other field', async () => {
    const cases: [unknown, string][] = [
      [{ stars: 0 }, 'stars'],
      [{ stars: 6 }, 'stars'],
      [{ stars: 4.5 }, 'stars'],
      [{ stars: '5' }, 'stars'],
      [{ stars: null }, 'stars'],
      [{ stars: [5] }, 'stars'],
      [{ text: 'no stars' }, 'stars'],
      [{ stars: 5, text: 'x'.repeat(2001) }, 'text'],
      [{ stars: 5, text: 42 }, 'text'],
      [{ stars: 5, text: { a: 1 } }, 'text'],
      [{ stars: 5, text: 'a\u0000b' }, 'text'],
      [{ stars: 5, author: 'someone else' }, 'author'],
      [[{ stars: 5 }], 'body'],
      ['5', 'body'],
    ];
    for (const [payload, field] of cases) await expect400(await send('PUT', '/api/v1/movies/dune/review', user.token, payload), field, JSON.stringify(payload));
    const rows = await s.box.stores.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reviews');
    assert.equal(rows[0]!.n, 0, 'nothing was written');
    // 2,000 characters, not bytes or UTF-16 units: 2,000 emoji fit.
    const long = await send('PUT', '/api/v1/movies/dune/review', user.token, { stars: 5, text: '🎬'.repeat(2000) });
    assert.equal(long.statusCode, 201, long.body);
    assert.equal([...long.json().review.text].length, 2000);
  });

  it('a hide needs a reason (a non-empty string) and nothing else', async () => {
    const [review] = await s.box.stores.db.query<{ id: string }>('SELECT id FROM reviews LIMIT 1');
    for (const [payload, field] of [[{}, 'reason'], [{ reason: '' }, 'reason'], [{ reason: 7 }, 'reason'], [{ reason: 'x\u0000' }, 'reason'], [{ reason: 'ok', extra: 1 }, 'extra']] as const) {
      await expect400(await send('POST', `/api/v1/admin/reviews/${review!.id}/hide`, admin, payload), field, JSON.stringify(payload));
    }
    await expect400(await send('POST', `/api/v1/admin/reviews/${'r'.repeat(300)}/hide`, admin, { reason: 'x' }), 'id', 'a long id');
  });

  it('a check-in: code a string, showtimeId a string, nothing else; a code that is not ours is TICKET_INVALID', async () => {
    const cases: [unknown, string][] = [
      [{}, 'code'],
      [{ code: 5 }, 'code'],
      [{ code: '' }, 'code'],
      [{ code: 'x'.repeat(201) }, 'code'],
      [{ code: 'a\u0000b' }, 'code'],
      [{ code: 'abc', showtimeId: 7 }, 'showtimeId'],
      [{ code: 'abc', showtimeId: '' }, 'showtimeId'],
      [{ code: 'abc', seat: 'A1' }, 'seat'],
    ];
    for (const [payload, field] of cases) await expect400(await send('POST', '/api/v1/admin/checkins', admin, payload), field, JSON.stringify(payload));
    for (const code of ['not a ticket', 'ord_a.A1.short', '🎟️']) {
      const res = await send('POST', '/api/v1/admin/checkins', admin, { code });
      assert.equal(res.statusCode, 400, code);
      assert.equal(res.json().code, 'TICKET_INVALID');
    }
    const rows = await s.box.stores.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_checkins');
    assert.equal(rows[0]!.n, 0);
  });

  it('a QR code of a malformed order or seat is a 400 or a 404, never a 500', async () => {
    for (const url of [`/api/v1/orders/${'o'.repeat(300)}/tickets/A1/qr.svg`, '/api/v1/orders/ord_x/tickets/AAAAAAAAAAAA/qr.svg', '/api/v1/orders/%00/tickets/A1/qr.svg', '/api/v1/orders/ord_x/tickets/%E2%82/qr.svg']) {
      const res = await s.app.inject({ method: 'GET', url, headers: auth(user.token) });
      assert.ok(res.statusCode === 400 || res.statusCode === 404, `${url}: ${res.statusCode} ${res.body}`);
    }
  });
});
