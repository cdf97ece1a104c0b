import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LabModeInfo } from '../../src/lab/lab-service.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { labOf, labState, parallelBuyers, reset, safeModeCases, startLabServer, stress } from './lab-cases.ts';

describe('lab unsafe mode (embedded PGlite)', () => {
  let s: TestServer;
  before(async () => {
    s = await startLabServer();
  });
  after(async () => {
    await s?.close();
  });

  it('describes every mode, redis-lock unavailable with its reason when REDIS_URL is not set', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/lab/api' });
    assert.equal(r.statusCode, 200);
    const { modes, showtimes } = r.json() as { modes: LabModeInfo[]; showtimes: { id: string }[] };
    assert.deepEqual(modes.map((m) => m.name), ['unsafe', 'memory-lock', 'redis-lock', 'for-update', 'optimistic']);
    const redis = modes.find((m) => m.name === 'redis-lock')!;
    assert.equal(redis.available, false);
    assert.match(redis.reason ?? '', /REDIS_URL/);
    assert.ok(modes.filter((m) => m.name !== 'redis-lock').every((m) => m.available && m.explanation.length > 50));
    assert.match(modes.find((m) => m.name === 'for-update')!.explanation, /PGlite.*one transaction at a time/);
    assert.deepEqual(showtimes.map((x) => x.id), ['lab-1']);
    const refused = await s.app.inject({ method: 'POST', url: '/lab/api/book', payload: { mode: 'redis-lock', buyer: 'alice', seats: ['A1'] } });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'LAB_MODE_UNAVAILABLE');
  });

  it('20 parallel unsafe buyers of one seat with a 100 ms delay make several bookings, and the report lists them', async () => {
    await reset(s);
    const started = performance.now();
    const results = await parallelBuyers(s, 'unsafe', 20, ['A1']);
    console.log(`# timing PGlite unsafe 20 buyers: ${Math.round(performance.now() - started)} ms`);
    const winners = results.filter((r) => r.outcome === 'won').length;
    assert.ok(winners > 1, `winners: ${winners}`);
    const { anomalies } = (await s.app.inject({ method: 'GET', url: '/lab/api/anomalies' })).json() as { anomalies: { seat: string; bookings: { buyer: string; seat: string }[] }[] };
    assert.equal(anomalies.length, 1);
    assert.equal(anomalies[0]!.seat, 'A1');
    assert.equal(anomalies[0]!.bookings.length, winners);
    assert.equal(new Set(anomalies[0]!.bookings.map((b) => b.buyer)).size, winners);
    assert.equal((await labState(s)).bookings.total, winners);
  });

  it('500 parallel unsafe buyers: duplicates counted by the stress control', async () => {
    const summary = await stress(s, { mode: 'unsafe', buyers: 500, seats: ['A2'], delayMs: 100 });
    console.log(`# timing PGlite unsafe 500 buyers: ${summary.elapsedMs} ms`);
    assert.ok(summary.duplicateBookings > 0);
    assert.equal(summary.duplicateBookings, summary.bookings - 1);
    assert.equal(summary.errors, 0);
    assert.ok(summary.latencyMs.p50 <= summary.latencyMs.p90 && summary.latencyMs.p90 <= summary.latencyMs.p99 && summary.latencyMs.p99 <= summary.latencyMs.max);
  });

  it('reset deletes the bookings and frees the seats', async () => {
    await reset(s);
    const state = await labState(s);
    assert.equal(state.bookings.total, 0);
    assert.deepEqual(state.anomalies, []);
    assert.ok(state.seats.every((x) => x.status === 'available' && x.version === 0));
    assert.equal(state.seats.length, 24);
  });
});

safeModeCases('PGlite', () => ({}), ['memory-lock', 'for-update', 'optimistic'], async () => false);

describe('lab isolation', () => {
  let s: TestServer;
  before(async () => {
    s = await startLabServer();
  });
  after(async () => {
    await s?.close();
  });

  it('cannot book, race, stress, reset or read a real showtime', async () => {
    const attempts = [
      { method: 'POST', url: '/lab/api/book', payload: { showtime: 'dune-1', mode: 'unsafe', buyer: 'mallory', seats: ['A1'], delayMs: 0 } },
      { method: 'POST', url: '/lab/api/race', payload: { showtime: 'dune-1', mode: 'unsafe', buyers: [{ buyer: 'mallory', seats: ['A1'] }] } },
      { method: 'POST', url: '/lab/api/stress', payload: { showtime: 'dune-1', mode: 'unsafe', buyers: 5, seats: ['A1'] } },
      { method: 'POST', url: '/lab/api/reset', payload: { showtime: 'dune-1' } },
      { method: 'GET', url: '/lab/api/state?showtime=dune-1' },
      { method: 'GET', url: '/lab/api/anomalies?showtime=inception-1' },
    ] as const;
    for (const a of attempts) {
      const r = await s.app.inject(a);
      assert.equal(r.statusCode, 404, `${a.url}: ${r.body}`);
      assert.equal(r.json().code, 'SHOWTIME_NOT_FOUND');
      assert.match(r.json().error, /not a lab showtime/);
    }
    const map = await s.box.service.seatMap('dune-1');
    assert.ok(map.seats.every((x) => x.status === 'available'));
    assert.deepEqual(await s.box.stores.db.query("SELECT * FROM booked_seats WHERE showtime_id = 'dune-1'"), []);
    const db = await labOf(s).database();
    assert.deepEqual(await db.query("SELECT * FROM lab_bookings WHERE showtime_id NOT LIKE 'lab-%'"), []);
    // And the lab's tables refuse a non-lab showtime even to a path that forgot to check.
    await assert.rejects(db.query("INSERT INTO lab_bookings (booking_id, showtime_id, seat_id, buyer, mode, created_at_ms) VALUES ('x', 'dune-1', 'A1', 'm', 'unsafe', 0)"), /check constraint/);
  });

  it('runs at most 100 attempts besides a stress: past that, 409 LAB_BUSY', async () => {
    const lab = await labOf(s).service();
    const buyers = Array.from({ length: 10 }, (_, i) => ({ buyer: `b${i}`, seats: ['D5'] }));
    // Each call counts its attempts before its first await: 100 are in flight once these return.
    const races = Array.from({ length: 10 }, () => lab.race({ showtime: 'lab-1', mode: 'unsafe', delayMs: 200, buyers }));
    const refused = await s.app.inject({ method: 'POST', url: '/lab/api/book', payload: { mode: 'unsafe', buyer: 'late', seats: ['D6'] } });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'LAB_BUSY');
    assert.equal((await Promise.all(races)).flat().length, 100);
    const accepted = await s.app.inject({ method: 'POST', url: '/lab/api/book', payload: { mode: 'unsafe', buyer: 'late', seats: ['D6'], delayMs: 0 } });
    assert.equal(accepted.statusCode, 200, accepted.body);
  });

  it('answers bad input with a clear 4xx, never a 500', async () => {
    const bad: [string, unknown, number][] = [
      ['/lab/api/book', { buyer: 'alice', seats: ['A1'] }, 400],
      ['/lab/api/book', { mode: 'yolo', buyer: 'alice', seats: ['A1'] }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: [] }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: ['A1', 'A1'] }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: ['Z9'] }, 404],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'Alice!', seats: ['A1'] }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: 'A1' }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: ['A1'], delayMs: 60_000 }, 400],
      ['/lab/api/book', { mode: 'unsafe', buyer: 'alice', seats: ['A1'], delayMs: '100' }, 400],
      ['/lab/api/race', { mode: 'unsafe', buyers: [] }, 400],
      ['/lab/api/race', { mode: 'unsafe', buyers: [{ buyer: 'a', seats: ['A1'] }, { buyer: 'a', seats: ['A2'] }] }, 400],
      ['/lab/api/stress', { mode: 'unsafe', buyers: 1001, seats: ['A1'] }, 400],
      ['/lab/api/stress', { mode: 'unsafe', buyers: 0, seats: ['A1'] }, 400],
      ['/lab/api/stress', { mode: 'unsafe', buyers: 10, seats: ['A1'], seatsPerBuyer: 2 }, 400],
      ['/lab/api/stress', { mode: 'unsafe', buyers: 10.5, seats: ['A1'] }, 400],
      ['/lab/api/reset', { showtime: 'x'.repeat(100) }, 400],
    ];
    for (const [url, payload, status] of bad) {
      const r = await s.app.inject({ method: 'POST', url, payload: payload as object });
      assert.equal(r.statusCode, status, `${url} ${JSON.stringify(payload)}: ${r.body}`);
      assert.ok(r.json().code && r.json().error, r.body);
    }
    const malformed = await s.app.inject({ method: 'POST', url: '/lab/api/book', headers: { 'content-type': 'application/json' }, payload: '{"mode":' });
    assert.equal(malformed.statusCode, 400);
    const noBody = await s.app.inject({ method: 'POST', url: '/lab/api/reset' });
    assert.equal(noBody.statusCode, 204, noBody.body);
  });
});

describe('lab rate limit', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, { lab: { rateLimit: { max: 3, timeWindowMs: 60_000 } } });
  });
  after(async () => {
    await s?.close();
  });

  it('answers 429 with Retry-After past the limit, on lab routes only', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await s.app.inject({ method: 'POST', url: '/lab/api/reset', payload: {} })).statusCode, 204);
    const limited = await s.app.inject({ method: 'POST', url: '/lab/api/reset', payload: {} });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0, JSON.stringify(limited.headers));
    // Reads have their own, larger budget; the rest of the server has none.
    assert.equal((await s.app.inject({ method: 'GET', url: '/lab/api' })).statusCode, 200);
    for (let i = 0; i < 20; i++) assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/movies' })).statusCode, 200);
  });
});

describe('LAB_ENABLED=false', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ LAB_ENABLED: 'false' });
  });
  after(async () => {
    await s?.close();
  });

  it('answers 404 on every lab route and leaves the rest alone', async () => {
    assert.deepEqual(s.box.plugins, []);
    for (const [method, url] of [['GET', '/lab'], ['GET', '/lab/ws'], ['GET', '/lab/api'], ['GET', '/lab/api/state'], ['POST', '/lab/api/race'], ['POST', '/lab/api/stress'], ['POST', '/lab/api/reset']] as const) {
      const r = await s.app.inject({ method, url, ...(method === 'POST' && { payload: { mode: 'unsafe', buyers: [{ buyer: 'a', seats: ['A1'] }] } }) });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.equal(r.json().code, 'NOT_FOUND');
    }
    assert.equal((await s.app.inject({ method: 'GET', url: '/' })).statusCode, 200);
  });
});
