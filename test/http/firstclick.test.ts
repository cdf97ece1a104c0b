// The FirstClick compatibility contract (SPEC.md §4): a client written for FirstClick works unchanged.
// serial: an expiry announced within a second
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, wsClient, type TestServer } from '../support/app.ts';

describe('FirstClick compatibility surface', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    s.app.inject({ method, url, ...(payload !== undefined && { payload: payload as object }) });

  it('lists the movies with their hall size', async () => {
    const res = await call('GET', '/movies');
    assert.equal(res.statusCode, 200);
    const movies = res.json() as { id: string; title: string; rows: number; seats_per_row: number }[];
    assert.deepEqual(movies.find((m) => m.id === 'inception'), { id: 'inception', title: 'Inception', rows: 5, seats_per_row: 8 });
    assert.deepEqual(movies.find((m) => m.id === 'dune'), { id: 'dune', title: 'Dune: Part Two', rows: 4, seats_per_row: 6 });
  });

  it('holds a seat for 20 seconds, confirms it for its user only, and lists it', async () => {
    const before = Date.now();
    const hold = await call('POST', '/movies/inception/seats/B4/hold', { user_id: 'abc123' });
    assert.equal(hold.statusCode, 200);
    const body = hold.json() as { session_id: string; movie_id: string; seat_id: string; expires_at: number };
    assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'movie_id', 'seat_id', 'session_id']);
    assert.equal(body.movie_id, 'inception');
    assert.equal(body.seat_id, 'B4');
    assert.ok(Math.abs(body.expires_at - (before + 20_000)) < 2_000, `expires_at ${body.expires_at - before} ms ahead`);

    const taken = await call('POST', '/movies/inception/seats/B4/hold', { user_id: 'someone-else' });
    assert.equal(taken.statusCode, 409);
    assert.equal(typeof taken.json().error, 'string');

    const seats = (await call('GET', '/movies/inception/seats')).json() as Record<string, unknown>[];
    assert.deepEqual(seats, [{ seat_id: 'B4', status: 'hold', booked: true, confirmed: false, user_id: 'abc123', expires_at: body.expires_at }]);

    assert.equal((await call('PUT', `/sessions/${body.session_id}/confirm`, { user_id: 'someone-else' })).statusCode, 403);
    assert.equal((await call('PUT', `/sessions/${body.session_id}/confirm`, {})).statusCode, 400);
    const confirm = await call('PUT', `/sessions/${body.session_id}/confirm`, { user_id: 'abc123' });
    assert.equal(confirm.statusCode, 204);
    assert.equal(confirm.body, '');
    const after = (await call('GET', '/movies/inception/seats')).json() as Record<string, unknown>[];
    assert.deepEqual(after, [{ seat_id: 'B4', status: 'confirmed', booked: true, confirmed: true, user_id: 'abc123' }]);
    assert.equal((await call('POST', '/movies/inception/seats/B4/hold', { user_id: 'late' })).statusCode, 409);
  });

  it('releases with 204, also when already released, and only for its user', async () => {
    const { session_id } = (await call('POST', '/movies/dune/seats/A1/hold', { user_id: 'u1' })).json() as { session_id: string };
    assert.equal((await call('DELETE', `/sessions/${session_id}`, { user_id: 'u2' })).statusCode, 403);
    assert.equal((await call('DELETE', `/sessions/${session_id}`, { user_id: 'u1' })).statusCode, 204);
    assert.equal((await call('DELETE', `/sessions/${session_id}`, { user_id: 'u1' })).statusCode, 204);
    assert.equal((await call('DELETE', `/sessions/${session_id}`, {})).statusCode, 400);
    assert.deepEqual((await call('GET', '/movies/dune/seats')).json(), []);
  });

  it('answers bad requests with the contract statuses and a JSON error', async () => {
    const cases: [Parameters<typeof call>, number][] = [
      [['POST', '/movies/inception/seats/C3/hold', {}], 400],
      [['POST', '/movies/inception/seats/C3/hold', { user_id: 7 }], 400],
      [['POST', '/movies/inception/seats/Z99/hold', { user_id: 'u' }], 404],
      [['POST', '/movies/inception/seats/not-a-seat/hold', { user_id: 'u' }], 404],
      [['POST', '/movies/nope/seats/A1/hold', { user_id: 'u' }], 404],
      [['GET', '/movies/nope/seats'], 404],
      [['PUT', '/sessions/nope/confirm', { user_id: 'u' }], 404],
      [['PUT', '/sessions/inception-1.doesnotexist/confirm', { user_id: 'u' }], 404],
    ];
    for (const [args, status] of cases) {
      const res = await call(...args);
      assert.equal(res.statusCode, status, `${args[0]} ${args[1]}: ${res.body}`);
      assert.equal(typeof res.json().error, 'string');
    }
  });

  it('answers 404 for a session that expired', async () => {
    const hold = await s.box.service.holdSeats({ showtimeId: 'dune-1', owner: 'fc:slow', seats: ['D6'], ttlMs: 50 });
    await sleep(100);
    const res = await call('PUT', `/sessions/${hold.id}/confirm`, { user_id: 'slow' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().error, /expired/);
  });

  it('sends SEATS_UPDATED with the right movie_id for holds, confirms, releases and expiries', async () => {
    const url = await s.listen();
    const ws = await wsClient(`${url.replace('http', 'ws')}/ws/seats`);
    try {
      const isUpdate = (movie: string) => (m: Record<string, unknown>) => m.type === 'SEATS_UPDATED' && m.movie_id === movie;
      const { session_id } = (await call('POST', '/movies/dune/seats/C2/hold', { user_id: 'w' })).json() as { session_id: string };
      const first = await ws.next(isUpdate('dune'));
      assert.equal(typeof first.ts, 'number');
      await call('PUT', `/sessions/${session_id}/confirm`, { user_id: 'w' });
      await ws.next(isUpdate('dune'));
      const other = (await call('POST', '/movies/inception/seats/E8/hold', { user_id: 'w' })).json() as { session_id: string };
      await ws.next(isUpdate('inception'));
      await call('DELETE', `/sessions/${other.session_id}`, { user_id: 'w' });
      await ws.next(isUpdate('inception'));
      await s.box.service.holdSeats({ showtimeId: 'dune-1', owner: 'fc:w', seats: ['C3'], ttlMs: 200 });
      await ws.next(isUpdate('dune'));
      const expiredAt = Date.now() + 200;
      await ws.next(isUpdate('dune'), 2_000);
      assert.ok(Date.now() - expiredAt < 1_000, 'the expiry is announced within a second');
    } finally {
      ws.close();
    }
  });
});
