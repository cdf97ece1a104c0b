// The product API over HTTP: every route, every error, and the 10,000-request hot seat.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { InjectOptions } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';

describe('/api/v1', () => {
  let s: TestServer;
  let ann: string;
  let bob: string;
  before(async () => {
    s = await startTestServer();
    ann = s.tokens.issue().token;
    bob = s.tokens.issue().token;
  });
  after(async () => {
    await s.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown) =>
    s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined && { payload: payload as object }),
    });

  it('issues guest tokens', async () => {
    const res = await call('POST', '/guests');
    assert.equal(res.statusCode, 201);
    assert.ok(s.tokens.verify((res.json() as { token: string }).token));
  });

  it('reads the catalog', async () => {
    const movies = (await call('GET', '/movies')).json().movies as { id: string }[];
    assert.ok(movies.some((m) => m.id === 'arrival'));
    const movie = await call('GET', '/movies/arrival');
    assert.equal(movie.statusCode, 200);
    assert.ok(movie.json().showtimes.length >= 2);
    assert.equal((await call('GET', '/movies/nope')).statusCode, 404);
    const showtimes = (await call('GET', '/showtimes?movieId=dune')).json().showtimes as { id: string }[];
    assert.deepEqual(showtimes.map((x) => x.id), ['dune-1']);
    const hall = (await call('GET', '/showtimes/arrival-1')).json();
    assert.equal(hall.rows, 12);
    assert.equal(hall.seatCount, 240);
    assert.equal(hall.layout.rows[0].seats[4], null, 'an aisle after seat 4');
    assert.equal((await call('GET', '/showtimes/nope')).statusCode, 404);
  });

  it('holds, extends, confirms idempotently, and shows "mine" only to the owner', async () => {
    const hold = await call('POST', '/showtimes/inception-1/holds', ann, { seats: ['E7', 'E8'] });
    assert.equal(hold.statusCode, 201, hold.body);
    const h = hold.json();
    assert.deepEqual(h.seats, ['E7', 'E8']);
    assert.equal(h.owner, undefined, 'no identity in responses');
    const ttl = h.expiresAt - Date.now();
    assert.ok(ttl > 9 * 60_000 && ttl <= 10 * 60_000 + 1_000, `a 10-minute hold, got ${ttl} ms`);

    const mineFor = async (token?: string) =>
      ((await call('GET', '/showtimes/inception-1/seats', token)).json().seats as { id: string; mine?: boolean; status: string }[]).find((x) => x.id === 'E7');
    assert.deepEqual([(await mineFor(ann))?.mine, (await mineFor(bob))?.mine, (await mineFor())?.mine], [true, false, false]);
    assert.equal((await mineFor())?.status, 'held');

    const mine = (await call('GET', '/showtimes/inception-1/holds', ann)).json().holds as { id: string }[];
    assert.deepEqual(mine.map((x) => x.id), [h.id]);
    assert.deepEqual((await call('GET', '/showtimes/inception-1/holds', bob)).json().holds, []);

    const extended = await call('POST', `/holds/${h.id}/extend`, ann);
    assert.equal(extended.statusCode, 200);
    assert.ok(extended.json().expiresAt >= h.expiresAt);
    assert.equal((await call('POST', `/holds/${h.id}/extend`, bob)).statusCode, 403);

    assert.equal((await call('POST', `/holds/${h.id}/confirm`, bob)).statusCode, 403);
    const booking = await call('POST', `/holds/${h.id}/confirm`, ann);
    assert.equal(booking.statusCode, 200);
    assert.deepEqual(booking.json().seats, ['E7', 'E8']);
    assert.deepEqual((await call('POST', `/holds/${h.id}/confirm`, ann)).json(), booking.json());
    assert.deepEqual((await call('GET', '/bookings', ann)).json().bookings, [booking.json()]);
    assert.deepEqual((await call('GET', '/bookings', bob)).json().bookings, []);
    assert.equal((await call('DELETE', `/holds/${h.id}`, ann)).statusCode, 409, 'a booking is not released');
    assert.equal((await mineFor(bob))?.status, 'booked');
  });

  it('releases idempotently and for the owner only', async () => {
    const h = (await call('POST', '/showtimes/arrival-2/holds', ann, { seats: ['B2'] })).json();
    assert.equal((await call('DELETE', `/holds/${h.id}`, bob)).statusCode, 403);
    assert.equal((await call('DELETE', `/holds/${h.id}`, ann)).statusCode, 204);
    assert.equal((await call('DELETE', `/holds/${h.id}`, ann)).statusCode, 204);
    assert.equal((await call('POST', '/showtimes/arrival-2/holds', bob, { seats: ['B2'] })).statusCode, 201);
  });

  it('shows the seats left of every listed showtime, at most a second old', async () => {
    type Listed = { id: string; seatCount: number; seatsLeft: number };
    const left = async (url: string) => ((await call('GET', url)).json().showtimes as Listed[]).find((x) => x.id === 'dune-1')!;
    const before = await left('/showtimes');
    assert.equal(before.seatsLeft, before.seatCount, 'dune-1 starts empty');
    assert.equal((await call('GET', '/showtimes/arrival-3')).json().seatsLeft, 238, 'blocked seats are not left: 240 less A1 and A20');
    const hold = (await call('POST', '/showtimes/dune-1/holds', ann, { seats: ['A1', 'A2'] })).json();
    const started = Date.now();
    while ((await left('/movies/dune')).seatsLeft !== before.seatCount - 2) {
      assert.ok(Date.now() - started < 2_500, 'seatsLeft caught up within the cache period');
      await new Promise((r) => setTimeout(r, 50));
    }
    await call('DELETE', `/holds/${hold.id}`, ann);
  });

  it("lists the caller's live holds in every current showtime, each with how far it can be extended", async () => {
    const carl = s.tokens.issue().token;
    assert.deepEqual((await call('GET', '/holds', carl)).json(), { holds: [] });
    assert.equal((await call('GET', '/holds')).statusCode, 401);
    const a = (await call('POST', '/showtimes/dune-1/holds', carl, { seats: ['D5'] })).json();
    const b = (await call('POST', '/showtimes/arrival-1/holds', carl, { seats: ['K9', 'K10'] })).json();
    assert.equal(a.maxExpiresAt, a.createdAt + 30 * 60_000, 'MAX_HOLD_LIFE from its creation');
    await call('POST', '/showtimes/dune-1/holds', bob, { seats: ['D6'] });
    const res = await call('GET', '/holds', carl);
    assert.equal(res.statusCode, 200);
    const holds = res.json().holds as { id: string; showtimeId: string; seats: string[]; maxExpiresAt: number; total: number; currency: string }[];
    assert.deepEqual(holds.map((h) => [h.id, h.showtimeId, h.seats]), [[a.id, 'dune-1', ['D5']], [b.id, 'arrival-1', ['K10', 'K9']]]);
    assert.equal(holds[1]!.total, 2 * 1250);
    assert.equal(holds[1]!.currency, 'EUR');
    assert.equal(holds[1]!.maxExpiresAt, b.maxExpiresAt);
    const extended = (await call('POST', `/holds/${a.id}/extend`, carl)).json();
    assert.equal(extended.maxExpiresAt, a.maxExpiresAt, 'the cap does not move with an extend');
    await call('DELETE', `/holds/${a.id}`, carl);
    assert.deepEqual(((await call('GET', '/holds', carl)).json().holds as { id: string }[]).map((h) => h.id), [b.id]);
  });

  it('refuses bad input with a clear 4xx and JSON, never a 500', async () => {
    const inject = (opts: InjectOptions) => s.app.inject(opts);
    const auth = { authorization: `Bearer ${ann}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const url = '/api/v1/showtimes/arrival-3/holds';
    const cases: [string, InjectOptions, number, string][] = [
      ['no token', { method: 'POST', url, payload: { seats: ['A2'] } }, 401, 'UNAUTHORIZED'],
      ['forged token', { method: 'POST', url, headers: { authorization: `Bearer ${ann.slice(0, -2)}xx` }, payload: { seats: ['A2'] } }, 401, 'UNAUTHORIZED'],
      ['malformed JSON', { method: 'POST', url, headers: json, payload: '{"seats": [' }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
      ['seats is a string', { method: 'POST', url, headers: auth, payload: { seats: 'A2' } }, 400, 'INVALID_INPUT'],
      ['a seat is a number', { method: 'POST', url, headers: auth, payload: { seats: [2] } }, 400, 'INVALID_INPUT'],
      ['no seats', { method: 'POST', url, headers: auth, payload: { seats: [] } }, 400, 'INVALID_INPUT'],
      ['no body', { method: 'POST', url, headers: auth }, 400, 'INVALID_INPUT'],
      ['unknown seat', { method: 'POST', url, headers: auth, payload: { seats: ['Z9'] } }, 404, 'SEAT_NOT_FOUND'],
      ['malformed seat id', { method: 'POST', url, headers: auth, payload: { seats: ['b-4'] } }, 400, 'INVALID_INPUT'],
      ['duplicate seats', { method: 'POST', url, headers: auth, payload: { seats: ['A2', 'A2'] } }, 400, 'INVALID_INPUT'],
      ['too many seats', { method: 'POST', url, headers: auth, payload: { seats: ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11'] } }, 400, 'INVALID_INPUT'],
      ['blocked seat', { method: 'POST', url, headers: auth, payload: { seats: ['A1'] } }, 409, 'SEAT_UNAVAILABLE'],
      ['unknown showtime', { method: 'POST', url: '/api/v1/showtimes/nope/holds', headers: auth, payload: { seats: ['A2'] } }, 404, 'SHOWTIME_NOT_FOUND'],
      ['1 MB body', { method: 'POST', url, headers: json, payload: JSON.stringify({ seats: ['A2'], pad: 'x'.repeat(1 << 20) }) }, 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
      ['unknown hold', { method: 'POST', url: '/api/v1/holds/arrival-3.doesnotexist/confirm', headers: auth }, 404, 'HOLD_NOT_FOUND'],
      ['garbage hold id', { method: 'POST', url: `/api/v1/holds/${encodeURIComponent('../x')}/confirm`, headers: auth }, 404, 'HOLD_NOT_FOUND'],
      // Issue 10, finding 7: a NUL anywhere is refused before any handler runs (it was a 404 here).
      ['NUL in a hold id', { method: 'POST', url: `/api/v1/holds/${encodeURIComponent('\u0000../x')}/confirm`, headers: auth }, 400, 'INVALID_INPUT'],
      ['very long hold id', { method: 'DELETE', url: `/api/v1/holds/${'x'.repeat(300)}`, headers: auth }, 400, 'INVALID_INPUT'],
      ['unknown route', { method: 'GET', url: '/api/v1/nothing' }, 404, 'NOT_FOUND'],
    ];
    for (const [name, opts, status, code] of cases) {
      const res = await inject(opts);
      assert.equal(res.statusCode, status, `${name}: ${res.body}`);
      const body = res.json() as { error: string; code: string };
      assert.equal(typeof body.error, 'string', name);
      assert.equal(body.code, code, `${name}: ${res.body}`);
    }
    const seats = (await call('GET', '/showtimes/arrival-3/seats')).json().seats as { status: string }[];
    assert.equal(seats.filter((x) => x.status === 'held').length, 0, 'nothing was held by a refused request');
  });

  it('names the seats that are taken in a 409', async () => {
    await call('POST', '/showtimes/arrival-3/holds', ann, { seats: ['C5', 'C6'] });
    const res = await call('POST', '/showtimes/arrival-3/holds', bob, { seats: ['C4', 'C5', 'C6', 'C7'] });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json().details.seats, ['C5', 'C6']);
    assert.match(res.json().error, /C5, C6/);
  });

  it('serves the OpenAPI document, its UI, and health checks', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
    assert.equal(doc.openapi.slice(0, 2), '3.');
    for (const path of ['/api/v1/showtimes/{showtimeId}/holds', '/api/v1/holds/{holdId}/confirm', '/movies/{movieId}/seats/{seatId}/hold']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    assert.ok(doc.paths['/api/v1/showtimes/{showtimeId}/holds'].post.requestBody, 'request schemas are in the document');
    assert.equal((await s.app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true);
    assert.deepEqual((await s.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.equal((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const page = await s.app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>Boxoffice/);
    assert.equal((await s.app.inject({ method: 'GET', url: '/static/app.js' })).statusCode, 200);
  });

  it('gives exactly one of 10,000 concurrent holds of one seat over real HTTP', async () => {
    const base = await s.listen();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const body = JSON.stringify({ seats: ['K10'] });
    const post = (token: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${base}/api/v1/showtimes/arrival-2/holds`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const statuses = await Promise.all(Array.from({ length: 10_000 }, () => post(s.tokens.issue().token)));
      const counts = statuses.reduce<Record<number, number>>((c, x) => ({ ...c, [x]: (c[x] ?? 0) + 1 }), {});
      assert.deepEqual(counts, { 201: 1, 409: 9_999 });
      const seats = (await call('GET', '/showtimes/arrival-2/seats')).json().seats as { id: string; status: string }[];
      assert.equal(seats.find((x) => x.id === 'K10')?.status, 'held');
    } finally {
      agent.destroy();
    }
  });
});
