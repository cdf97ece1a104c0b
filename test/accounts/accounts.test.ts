// Accounts over HTTP on the embedded default: register, log in, refresh, log out, lockout, limits,
// and the password kept only as a scrypt hash (read back from the database).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

describe('accounts', () => {
  let s: TestServer;
  before(async () => {
    // inject() comes from 127.0.0.1: nothing is exempt here, so the limits are the real ones.
    // The throttle's first delay is 30 s here, not 1 s: five scrypt checks on a loaded machine can outlast one second.
    s = await startTestServer(
      { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password' },
      { rateLimits: { ...DEFAULT_RATE_LIMITS, exempt: [], loginsPerMinute: 1000 }, accounts: { pairThrottle: { free: 5, baseMs: 30_000, maxMs: 15 * 60_000 } } },
    );
  });
  after(async () => {
    await s.close();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, ...(payload && { payload }) });
  const refreshCookie = (res: { cookies: unknown[] }) => (res.cookies as { name: string; value: string; httpOnly?: boolean }[]).find((c) => c.name === 'boxoffice_refresh')!;

  it('registers, stores only a scrypt hash, and answers who-am-I', async () => {
    const res = await post('/auth/register', { email: 'Ann@Example.com', password: 'correct horse' });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.user.email, 'ann@example.com');
    assert.equal(body.user.role, 'user');
    assert.equal(JSON.stringify(body).includes('correct horse'), false);
    assert.equal(body.user.passwordHash, undefined);
    const cookie = refreshCookie(res);
    assert.ok(cookie.httpOnly && cookie.value.length > 20);

    const [row] = await s.box.stores.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', ['ann@example.com']);
    assert.match(row!.password_hash, /^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]{43}$/);
    assert.equal(row!.password_hash.includes('correct horse'), false);

    const me = await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.accessToken}` } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.email, 'ann@example.com');
    assert.equal((await post('/auth/register', { email: 'ann@example.com', password: 'another one' })).statusCode, 409);
    assert.equal((await post('/auth/register', { email: 'not-an-email', password: 'another one' })).statusCode, 400);
    assert.equal((await post('/auth/register', { email: 'bo@example.com', password: 'short' })).statusCode, 400);
  });

  it('logs in, refreshes once per refresh token, and logs out', async () => {
    assert.equal((await post('/auth/login', { email: 'ann@example.com', password: 'wrong password' })).statusCode, 401);
    const login = await post('/auth/login', { email: 'ann@example.com', password: 'correct horse' });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = refreshCookie(login);
    const refreshed = await post('/auth/refresh', undefined, { cookie: `boxoffice_refresh=${cookie.value}` });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal((await post('/auth/refresh', undefined, { cookie: `boxoffice_refresh=${cookie.value}` })).statusCode, 401, 'a refresh token works once');
    const next = refreshCookie(refreshed);
    assert.equal((await post('/auth/logout', undefined, { cookie: `boxoffice_refresh=${next.value}` })).statusCode, 204);
    assert.equal((await post('/auth/refresh', undefined, { cookie: `boxoffice_refresh=${next.value}` })).statusCode, 401, 'logged out');
  });

  it('creates the first admin from configuration', async () => {
    const res = await post('/auth/login', { email: 'root@example.com', password: 'admin-password' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().user.role, 'admin');
  });

  it('a user token holds and confirms seats like a guest token, as user:<id>', async () => {
    const { accessToken, user } = (await post('/auth/login', { email: 'ann@example.com', password: 'correct horse' })).json();
    const hold = await post('/showtimes/dune-1/holds', { seats: ['A1'] }, { authorization: `Bearer ${accessToken}` });
    assert.equal(hold.statusCode, 201, hold.body);
    const booking = await post(`/holds/${hold.json().id}/confirm`, undefined, { authorization: `Bearer ${accessToken}` });
    assert.equal(booking.statusCode, 200, booking.body);
    const [row] = await s.box.stores.db.query<{ owner: string }>('SELECT owner FROM bookings WHERE id = $1', [hold.json().id]);
    assert.equal(row!.owner, `user:${user.id}`);
  });

  it('a guest who registers or logs in keeps their holds, within the per-owner limit', async () => {
    const guest = s.tokens.issue().token;
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const h1 = await post('/showtimes/inception-1/holds', { seats: ['B1', 'B2'] }, auth(guest));
    assert.equal(h1.statusCode, 201, h1.body);
    const reg = await post('/auth/register', { email: 'gus@example.com', password: 'gus password', guestToken: guest });
    assert.equal(reg.statusCode, 201, reg.body);
    assert.deepEqual(reg.json().transferredHolds, [h1.json().id]);
    const user = reg.json().accessToken as string;
    const mine = await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/inception-1/holds', headers: auth(user) });
    assert.deepEqual(mine.json().holds.map((h: { id: string }) => h.id), [h1.json().id]);
    assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/inception-1/holds', headers: auth(guest) })).json().holds.length, 0);
    const confirmed = await post(`/holds/${h1.json().id}/confirm`, undefined, auth(user));
    assert.equal(confirmed.statusCode, 200, confirmed.body);

    // The limit (10 seats per owner and showtime) still holds after a move: 9 + 2 > 10 keeps the guest's.
    const held = await post('/showtimes/arrival-1/holds', { seats: ['J1', 'J2', 'J3', 'J4', 'J5', 'J6', 'J7', 'J8', 'J9'] }, auth(user));
    assert.equal(held.statusCode, 201, held.body);
    const guest2 = s.tokens.issue().token;
    const h2 = await post('/showtimes/arrival-1/holds', { seats: ['K1', 'K2'] }, auth(guest2));
    const login = await post('/auth/login', { email: 'gus@example.com', password: 'gus password', guestToken: guest2 });
    assert.equal(login.statusCode, 200, login.body);
    assert.deepEqual(login.json().transferredHolds, []);
    assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-1/holds', headers: auth(guest2) })).json().holds[0].id, h2.json().id);
    assert.equal((await post('/auth/login', { email: 'gus@example.com', password: 'gus password', guestToken: 'forged.token' })).statusCode, 401);
  });

  it('throttles an email from an address after five attempts (429 with Retry-After), even for the right password', async () => {
    await post('/auth/register', { email: 'cy@example.com', password: 'cy password' });
    const wrong = await Promise.all(Array.from({ length: 5 }, () => post('/auth/login', { email: 'cy@example.com', password: 'nope nope' })));
    assert.deepEqual(wrong.map((r) => r.statusCode), [401, 401, 401, 401, 401]);
    const throttled = await post('/auth/login', { email: 'cy@example.com', password: 'cy password' });
    assert.equal(throttled.statusCode, 429, throttled.body);
    assert.equal(throttled.json().code, 'LOGIN_THROTTLED');
    assert.ok(Number(throttled.headers['retry-after']) >= 1);
  });
});

describe('rate limits', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, { rateLimits: { holdsPerMinute: 3, confirmsPerMinute: 2, loginsPerMinute: 2, perIpFactor: 2, exempt: [] } });
  });
  after(async () => {
    await s.close();
  });

  it('answers 429 with Retry-After per user on holds, and per address across users', async () => {
    const ann = s.tokens.issue().token;
    const hold = (token: string, seat: string) =>
      s.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: { authorization: `Bearer ${token}` }, payload: { seats: [seat] } });
    const first = await Promise.all(['F1', 'F2', 'F3', 'F4'].map((seat) => hold(ann, seat)));
    assert.deepEqual(first.map((r) => r.statusCode).sort(), [201, 201, 201, 429]);
    const limited = first.find((r) => r.statusCode === 429)!;
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    // The address allows 3 x 2 = 6 a minute: ann used 4 of them.
    const bob = s.tokens.issue().token;
    const more = await Promise.all(['G1', 'G2', 'G3'].map((seat) => hold(bob, seat)));
    assert.deepEqual(more.map((r) => r.statusCode).sort(), [201, 201, 429]);
  });

  it('limits logins per address and per email', async () => {
    const login = () => s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'x@example.com', password: 'whatever1' } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await login()).statusCode);
    assert.deepEqual(codes, [401, 401, 429]);
  });

  it('does not limit exempt addresses (loopback by default)', async () => {
    const free = await startTestServer({}, { rateLimits: { holdsPerMinute: 1, confirmsPerMinute: 1, loginsPerMinute: 1, perIpFactor: 1, exempt: ['127.0.0.1'] } });
    try {
      const ann = free.tokens.issue().token;
      const res = await Promise.all(['H1', 'H2', 'H3'].map((seat) =>
        free.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: { authorization: `Bearer ${ann}` }, payload: { seats: [seat] } })));
      assert.deepEqual(res.map((r) => r.statusCode), [201, 201, 201]);
    } finally {
      await free.close();
    }
  });
});

describe('security headers and CORS', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, { corsOrigins: ['https://tickets.example.com'] });
  });
  after(async () => {
    await s.close();
  });

  it('sends security headers and a CSP that allows the pages and ws:', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-security-policy']), /connect-src 'self' ws: wss:/);
  });

  it('lets /docs load over plain http from another machine (no upgrade-insecure-requests)', async () => {
    // HOST=0.0.0.0 without TLS: a browser told to upgrade fetches the UI's files over https and
    // shows a blank page. Like the pages' CSP, the API document's leaves that to a TLS proxy.
    for (const url of ['/docs', '/docs/static/index.html', '/docs/static/swagger-initializer.js']) {
      const res = await s.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode < 400, url);
      assert.doesNotMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/, url);
    }
    assert.doesNotMatch(String((await s.app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']), /upgrade-insecure-requests/);
  });

  it('answers CORS only for configured origins', async () => {
    const ok = await s.app.inject({ method: 'GET', url: '/api/v1/movies', headers: { origin: 'https://tickets.example.com' } });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://tickets.example.com');
    const other = await s.app.inject({ method: 'GET', url: '/api/v1/movies', headers: { origin: 'https://evil.example.com' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('has CORS off by default', async () => {
    const plain = await startTestServer();
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/api/v1/movies', headers: { origin: 'https://tickets.example.com' } });
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    } finally {
      await plain.close();
    }
  });
});
