// The admin API over HTTP on real stores: every route with no token, a user token and an admin
// token; layout and showtime rules; force-release seen by a WebSocket client and in the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, startTwoInstances, wsClient, type TestServer } from '../support/app.ts';
import { postgresSkip, redisSkip } from '../support/services.ts';

const ROUTES: { method: 'GET' | 'PUT' | 'POST'; url: string; payload?: object; ok: number }[] = [
  { method: 'GET', url: '/movies', ok: 200 },
  { method: 'GET', url: '/theaters', ok: 200 },
  { method: 'GET', url: '/screens', ok: 200 },
  { method: 'GET', url: '/showtimes', ok: 200 },
  { method: 'PUT', url: '/movies/tenet', payload: { title: 'Tenet', durationMinutes: 150 }, ok: 200 },
  { method: 'PUT', url: '/theaters/annex', payload: { name: 'Annex' }, ok: 200 },
  { method: 'PUT', url: '/screens/annex-1', payload: { theaterId: 'annex', name: 'Annex 1', layout: { rows: [{ label: 'A', seats: [{ number: 1 }, { number: 2 }, null, { number: 3, kind: 'accessible' }] }, { label: 'B', seats: [{ number: 1, blocked: true }, { number: 2, kind: 'premium' }] }] } }, ok: 200 },
  { method: 'PUT', url: '/showtimes/tenet-1', payload: { movieId: 'tenet', screenId: 'annex-1', startsAt: '2099-01-01T18:00:00Z' }, ok: 200 },
  { method: 'GET', url: '/occupancy', ok: 200 },
  { method: 'GET', url: '/showtimes/tenet-1/occupancy', ok: 200 },
  { method: 'GET', url: '/showtimes/tenet-1/holds', ok: 200 },
  { method: 'POST', url: '/holds/tenet-1.nosuchhold1/release', payload: { reason: 'test' }, ok: 404 },
  { method: 'GET', url: '/audit', ok: 200 },
];

describe('/api/v1/admin', () => {
  let s: TestServer;
  let admin: string;
  let user: string;
  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password' });
    const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } });
    admin = login.json().accessToken;
    const reg = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'ann@example.com', password: 'ann password' } });
    user = reg.json().accessToken;
  });
  after(async () => {
    await s.close();
  });

  const call = (method: 'GET' | 'PUT' | 'POST', url: string, token?: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1/admin${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload && { payload }) });

  for (const r of ROUTES) {
    it(`${r.method} ${r.url}: 401 without a token, 403 for a user or a guest, ${r.ok} for an admin`, async () => {
      const none = await call(r.method, r.url, undefined, r.payload);
      assert.equal(none.statusCode, 401, none.body);
      assert.equal(none.json().code, 'UNAUTHORIZED');
      assert.equal((await call(r.method, r.url, 'not.a.token', r.payload)).statusCode, 401);
      const asUser = await call(r.method, r.url, user, r.payload);
      assert.equal(asUser.statusCode, 403, asUser.body);
      assert.equal(asUser.json().code, 'FORBIDDEN');
      assert.equal((await call(r.method, r.url, s.tokens.issue().token, r.payload)).statusCode, 403);
      const asAdmin = await call(r.method, r.url, admin, r.payload);
      assert.equal(asAdmin.statusCode, r.ok, asAdmin.body);
    });
  }

  it('makes a new showtime bookable at once, with the layout it was given', async () => {
    const map = await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/tenet-1/seats' });
    assert.equal(map.statusCode, 200, map.body);
    const seats = map.json().seats as { id: string; status: string; kind: string }[];
    assert.deepEqual(seats.map((x) => `${x.id}:${x.status}:${x.kind}`), ['A1:available:standard', 'A2:available:standard', 'A3:available:accessible', 'B1:blocked:standard', 'B2:available:premium']);
    const movies = (await s.app.inject({ method: 'GET', url: '/api/v1/movies' })).json().movies as { id: string }[];
    assert.ok(movies.some((m) => m.id === 'tenet'), 'the cached catalog was invalidated');
  });

  it('refuses bad layouts with a 400 that names the problem', async () => {
    const cases: [object, RegExp][] = [
      [{ rows: [] }, /at least one row/],
      [{ rows: [{ label: 'A', seats: [{ number: 1 }, { number: 1 }] }] }, /seat A1 appears twice/],
      [{ rows: [{ label: 'A', seats: [] }] }, /row A has no seats/],
      [{ rows: [{ label: 'A', seats: [null, null] }] }, /row A has no seats/],
      [{ rows: [{ label: 'a1', seats: [{ number: 1 }] }] }, /row label "a1"/],
      [{ rows: [{ label: 'A', seats: [{ number: 1 }] }, { label: 'A', seats: [{ number: 2 }] }] }, /row A appears twice/],
      [{ rows: [{ label: 'A', seats: [{ number: 0 }] }] }, /seat number 0 in row A/],
      [{ rows: [{ label: 'A', seats: [{ number: 1, kind: 'sofa' }] }] }, /unknown kind "sofa"/],
    ];
    for (const [layout, message] of cases) {
      const res = await call('PUT', '/screens/bad-1', admin, { theaterId: 'annex', name: 'Bad', layout });
      assert.equal(res.statusCode, 400, `${JSON.stringify(layout)}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_INPUT');
      assert.match(res.json().error, message);
    }
    assert.equal((await call('GET', '/screens', admin)).json().screens.some((x: { id: string }) => x.id === 'bad-1'), false);
    const noTheater = await call('PUT', '/screens/bad-2', admin, { theaterId: 'nowhere', name: 'Bad', layout: { rows: [{ label: 'A', seats: [{ number: 1 }] }] } });
    assert.equal(noTheater.statusCode, 404);
    assert.equal(noTheater.json().code, 'THEATER_NOT_FOUND');
  });

  it('refuses an overlapping showtime in the same screen, and allows it in another', async () => {
    // tenet-1 runs 18:00-20:30 on annex-1.
    const overlap = await call('PUT', '/showtimes/tenet-2', admin, { movieId: 'tenet', screenId: 'annex-1', startsAt: '2099-01-01T20:00:00Z' });
    assert.equal(overlap.statusCode, 409, overlap.body);
    assert.equal(overlap.json().code, 'SHOWTIME_OVERLAP');
    assert.deepEqual(overlap.json().details.showtimes, ['tenet-1']);
    const before = await call('PUT', '/showtimes/tenet-0', admin, { movieId: 'tenet', screenId: 'annex-1', startsAt: '2099-01-01T16:00:00Z' });
    assert.equal(before.statusCode, 409, 'ends at 18:30, after tenet-1 starts');
    const after = await call('PUT', '/showtimes/tenet-2', admin, { movieId: 'tenet', screenId: 'annex-1', startsAt: '2099-01-01T20:30:00Z' });
    assert.equal(after.statusCode, 200, after.body);
    const elsewhere = await call('PUT', '/showtimes/tenet-3', admin, { movieId: 'tenet', screenId: 'hall-1', startsAt: '2099-01-01T20:00:00Z' });
    assert.equal(elsewhere.statusCode, 200, elsewhere.body);
    const unknown = await call('PUT', '/showtimes/tenet-4', admin, { movieId: 'tenet', screenId: 'no-screen', startsAt: '2099-01-02T20:00:00Z' });
    assert.equal(unknown.json().code, 'SCREEN_NOT_FOUND');
  });

  it('refuses overlapping showtimes created at the same instant: exactly one wins', async () => {
    await call('PUT', '/screens/race-1', admin, { theaterId: 'annex', name: 'Race', layout: { rows: [{ label: 'A', seats: [{ number: 1 }] }] } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('PUT', `/showtimes/race-${i}`, admin, { movieId: 'tenet', screenId: 'race-1', startsAt: `2099-02-01T18:${String(i).padStart(2, '0')}:00Z` })),
    );
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, ...Array(19).fill(409)]);
    const [row] = await s.box.stores.db.query<{ n: number }>("SELECT count(*)::int AS n FROM showtimes WHERE screen_id = 'race-1'");
    assert.equal(row!.n, 1);
  });

  it("refuses to change a screen's layout once one of its showtimes has bookings", async () => {
    const layout = (n: number) => ({ rows: [{ label: 'A', seats: Array.from({ length: n }, (_, i) => ({ number: i + 1 })) }] });
    assert.equal((await call('PUT', '/screens/small-1', admin, { theaterId: 'annex', name: 'Small', layout: layout(4) })).statusCode, 200);
    assert.equal((await call('PUT', '/showtimes/small-show', admin, { movieId: 'tenet', screenId: 'small-1', startsAt: '2099-03-01T18:00:00Z' })).statusCode, 200);
    assert.equal((await call('PUT', '/screens/small-1', admin, { theaterId: 'annex', name: 'Small', layout: layout(5) })).statusCode, 200, 'no bookings yet');

    const guest = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/small-show/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: ['A5'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    assert.equal((await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: { authorization: `Bearer ${guest}` } })).statusCode, 200);

    const locked = await call('PUT', '/screens/small-1', admin, { theaterId: 'annex', name: 'Small', layout: layout(4) });
    assert.equal(locked.statusCode, 409, locked.body);
    assert.equal(locked.json().code, 'LAYOUT_LOCKED');
    assert.deepEqual(locked.json().details.showtimes, ['small-show']);
    assert.equal((await call('PUT', '/screens/small-1', admin, { theaterId: 'annex', name: 'Small, renamed', layout: layout(5) })).statusCode, 200, 'same layout, new name');
    const seats = (await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/small-show/seats' })).json().seats as { id: string }[];
    assert.equal(seats.length, 5);
    const moved = await call('PUT', '/showtimes/small-show', admin, { movieId: 'tenet', screenId: 'annex-1', startsAt: '2099-03-05T18:00:00Z' });
    assert.equal(moved.json().code, 'LAYOUT_LOCKED', 'a booked showtime cannot move to another screen');
  });

  it('never books a held seat that a layout change removed or blocked: the confirm fails and frees the hold', async () => {
    const layout = (n: number, blocked: number[] = []) => ({ rows: [{ label: 'A', seats: Array.from({ length: n }, (_, i) => ({ number: i + 1, ...(blocked.includes(i + 1) && { blocked: true }) })) }] });
    assert.equal((await call('PUT', '/screens/shrink-1', admin, { theaterId: 'annex', name: 'Shrink', layout: layout(4) })).statusCode, 200);
    assert.equal((await call('PUT', '/showtimes/shrink-show', admin, { movieId: 'tenet', screenId: 'shrink-1', startsAt: '2099-04-01T18:00:00Z' })).statusCode, 200);
    const guest = s.tokens.issue().token;
    const auth = { authorization: `Bearer ${guest}` };
    const holdOf = async (seats: string[]) => (await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/shrink-show/holds', headers: auth, payload: { seats } })).json().id as string;
    const confirm = (id: string) => s.app.inject({ method: 'POST', url: `/api/v1/holds/${id}/confirm`, headers: auth });

    const onRemoved = await holdOf(['A3', 'A4']);
    assert.equal((await call('PUT', '/screens/shrink-1', admin, { theaterId: 'annex', name: 'Shrink', layout: layout(3) })).statusCode, 200, 'holds do not lock a layout');
    const removed = await confirm(onRemoved);
    assert.equal(removed.statusCode, 404, removed.body);
    assert.equal(removed.json().code, 'SEAT_NOT_FOUND');
    assert.deepEqual(removed.json().details.seats, ['A4']);

    const onBlocked = await holdOf(['A3']); // A3 is free again: the failed confirm released its hold
    assert.equal((await call('PUT', '/screens/shrink-1', admin, { theaterId: 'annex', name: 'Shrink', layout: layout(3, [3]) })).statusCode, 200);
    const blocked = await confirm(onBlocked);
    assert.equal(blocked.statusCode, 409, blocked.body);
    assert.equal(blocked.json().code, 'SEAT_UNAVAILABLE');
    const [row] = await s.box.stores.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bookings WHERE showtime_id = 'shrink-show'");
    assert.equal(row!.n, 0, 'no booking was written');
  });

  it('counts occupancy: available, held, booked, blocked, and booked seats per kind', async () => {
    const guest = s.tokens.issue().token;
    const h1 = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/tenet-1/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: ['B2'] } });
    await s.app.inject({ method: 'POST', url: `/api/v1/holds/${h1.json().id}/confirm`, headers: { authorization: `Bearer ${guest}` } });
    await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/tenet-1/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: ['A1', 'A2'] } });
    const o = (await call('GET', '/showtimes/tenet-1/occupancy', admin)).json();
    assert.deepEqual(
      { total: o.total, available: o.available, held: o.held, booked: o.booked, blocked: o.blocked, premium: o.bookedByKind.premium },
      { total: 5, available: 1, held: 2, booked: 1, blocked: 1, premium: 1 },
    );
    const upcoming = (await call('GET', '/occupancy', admin)).json().showtimes as { showtimeId: string }[];
    assert.ok(upcoming.some((x) => x.showtimeId === 'tenet-1'));
  });

  it('force-releases a hold: the seats are free, /ws clients see it, the audit log says who, what and why', async () => {
    const guest = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/tenet-1/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: ['A3'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    const holdId = hold.json().id as string;
    const holds = (await call('GET', '/showtimes/tenet-1/holds', admin)).json().holds as { holdId: string; owner: string; seats: string[] }[];
    assert.ok(holds.some((h) => h.holdId === holdId && h.owner.startsWith('guest:') && h.seats.join() === 'A3'));

    const url = await s.listen();
    const ws = await wsClient(`${url.replace('http', 'ws')}/ws`);
    try {
      ws.send({ type: 'subscribe', showtime: 'tenet-1' });
      await ws.next((m) => m.type === 'snapshot');
      const missing = await call('POST', `/holds/${holdId}/release`, admin, { reason: '' });
      assert.equal(missing.statusCode, 400);
      const res = await call('POST', `/holds/${holdId}/release`, admin, { reason: 'customer called: card declined' });
      assert.equal(res.statusCode, 200, res.body);
      const delta = await ws.next((m) => m.type === 'delta');
      assert.deepEqual(delta.changes, [{ seat: 'A3', status: 'available' }]);
      assert.equal(delta.cause, 'revoke', "an admin's release is a revoke, so the owner's page can say the venue released it");
    } finally {
      ws.close();
    }
    const seat = ((await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/tenet-1/seats' })).json().seats as { id: string; status: string }[]).find((x) => x.id === 'A3');
    assert.equal(seat?.status, 'available');
    const again = await call('POST', `/holds/${holdId}/release`, admin, { reason: 'again' });
    assert.equal(again.statusCode, 404);

    const entries = (await call('GET', '/audit?limit=5', admin)).json().entries as { actor: string; action: string; target: string; details: Record<string, unknown>; at: number }[];
    const entry = entries.find((e) => e.action === 'hold.force-release')!;
    assert.equal(entry.target, holdId);
    assert.match(entry.actor, /^root@example\.com \(user:/);
    assert.equal(entry.details.reason, 'customer called: card declined');
    assert.deepEqual(entry.details.seats, ['A3']);
    assert.ok(Math.abs(entry.at - Date.now()) < 60_000);
    // The owner's own release afterwards is the idempotent no-op it always was.
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/v1/holds/${holdId}`, headers: { authorization: `Bearer ${guest}` } })).statusCode, 204);
  });

  it('refuses to force-release a booking', async () => {
    const guest = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/tenet-2/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: ['A1'] } });
    await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: { authorization: `Bearer ${guest}` } });
    const res = await call('POST', `/holds/${hold.json().id}/release`, admin, { reason: 'no' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'HOLD_CONFIRMED');
  });

  it('writes every catalog change to the audit log', async () => {
    const actions = ((await call('GET', '/audit?limit=1000', admin)).json().entries as { action: string; target: string }[]).map((e) => `${e.action} ${e.target}`);
    for (const a of ['movie.save tenet', 'theater.save annex', 'screen.save annex-1', 'showtime.save tenet-1']) assert.ok(actions.includes(a), a);
  });
});

const skip = (await redisSkip()) || (await postgresSkip());
describe('two instances sharing Redis and PostgreSQL: catalog caches and rate limits', { skip }, () => {
  let pair: Awaited<ReturnType<typeof startTwoInstances>>;
  let a: TestServer;
  let b: TestServer;
  let admin: string;
  before(async () => {
    const rateLimits = { holdsPerMinute: 2, confirmsPerMinute: 2, loginsPerMinute: 5, perIpFactor: 100, exempt: [] };
    pair = await startTwoInstances('t_cat', { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password' }, { rateLimits });
    ({ a, b } = pair);
    admin = (await a.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } })).json().accessToken;
  });
  after(async () => {
    await pair?.close();
  });

  const onA = (url: string, payload: object) => a.app.inject({ method: 'PUT', url: `/api/v1/admin${url}`, headers: { authorization: `Bearer ${admin}` }, payload });
  const onB = async (url: string) => (await b.app.inject({ method: 'GET', url: `/api/v1${url}` })).json();
  /** B's answer once it satisfies `ok`: the invalidation crosses Redis pub/sub, so it may take a moment. */
  async function eventuallyOnB<T>(url: string, ok: (body: T) => boolean): Promise<T> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const body = (await onB(url)) as T;
      if (ok(body) || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("drops instance B's cached movies when an admin adds one on instance A", async () => {
    const before = (await onB('/movies')) as { movies: { id: string }[] };
    assert.ok(!before.movies.some((m) => m.id === 'heat'));
    assert.equal((await onA('/movies/heat', { title: 'Heat', durationMinutes: 170 })).statusCode, 200);
    const after = await eventuallyOnB<{ movies: { id: string }[] }>('/movies', (x) => x.movies.some((m) => m.id === 'heat'));
    assert.ok(after.movies.some((m) => m.id === 'heat'), 'B still serves the movies it had cached');
  });

  it("drops instance B's cached layout when an admin changes a screen on instance A", async () => {
    const layout = (n: number) => ({ rows: [{ label: 'A', seats: Array.from({ length: n }, (_, i) => ({ number: i + 1 })) }] });
    assert.equal((await onA('/screens/small', { theaterId: 'central', name: 'Small', layout: layout(2) })).statusCode, 200);
    assert.equal((await onA('/showtimes/heat-1', { movieId: 'heat', screenId: 'small', startsAt: '2099-03-01T20:00:00Z' })).statusCode, 200);
    const seats = async () => (await eventuallyOnB<{ seats?: unknown[] }>('/showtimes/heat-1/seats', (x) => Array.isArray(x.seats))).seats ?? [];
    assert.equal((await seats()).length, 2);
    assert.equal((await onA('/screens/small', { theaterId: 'central', name: 'Small', layout: layout(3) })).statusCode, 200);
    const grown = await eventuallyOnB<{ seats: unknown[] }>('/showtimes/heat-1/seats', (x) => x.seats.length === 3);
    assert.equal(grown.seats.length, 3, 'B still serves the layout it had cached');
  });

  it('counts a caller\'s holds against one limit on every instance', async () => {
    const guest = a.tokens.issue().token; // both instances accept it: one TOKEN_SECRET
    const hold = (on: TestServer, seat: string) =>
      on.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: { authorization: `Bearer ${guest}` }, payload: { seats: [seat] } });
    assert.equal((await hold(a, 'H1')).statusCode, 201);
    assert.equal((await hold(b, 'H2')).statusCode, 201);
    const third = await hold(a, 'H3');
    assert.equal(third.statusCode, 429, third.body);
    assert.equal(third.json().code, 'RATE_LIMITED');
  });
});
