// A second attack on issue 10's fixes, against the running server: the holes found in the new code,
// each reproduced as it was found. inject() comes from 127.0.0.1, so these servers exempt no address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

describe('the per-email login rate limit does not lock the owner out', () => {
  let s: TestServer;
  before(async () => {
    // The defaults, as a deployment runs them: 10 logins a minute per email, 100 per address.
    s = await startTestServer({}, { rateLimits: { ...DEFAULT_RATE_LIMITS, exempt: [] } });
  });
  after(async () => {
    await s.close();
  });
  const login = (email: string, password: string, remoteAddress: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });

  it('a dozen wrong guesses from one address leave the owner free to log in from theirs', async () => {
    const reg = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: '198.51.100.20', payload: { email: 'owner@example.com', password: 'owner password' } });
    assert.equal(reg.statusCode, 201, reg.body);
    // Ten requests a minute were enough to keep anyone from logging into any account, from anywhere.
    const attacker = [];
    for (let i = 0; i < 12; i++) attacker.push((await login('owner@example.com', `wrong ${i}`, '203.0.113.66')).statusCode);
    assert.ok(attacker.slice(-3).every((c) => c === 429), `the attacker is slowed down: ${attacker.join(' ')}`);
    const owner = await login('owner@example.com', 'owner password', '198.51.100.20');
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('still limits one address guessing at one email', async () => {
    const answers = [];
    for (let i = 0; i < DEFAULT_RATE_LIMITS.loginsPerMinute + 1; i++) answers.push(await login('someone@example.com', `guess ${i}`, '203.0.113.67'));
    const last = answers.at(-1)!;
    assert.equal(last.statusCode, 429, last.body);
  });
});

describe("a URL the router cannot take, or a body nested past the call stack, answers a registered 4xx", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  it('a bad percent-encoding, and a path parameter past the router limit, are registered 4xx codes', async () => {
    // Fastify answered these itself: {"error":"Bad Request","code":"FST_ERR_BAD_URL","message",...},
    // a code docs/errors.md does not have, and the 414 bypassed the schemas' 400.
    for (const url of ['/api/v1/movies/%ff', '/movies/%E0%A4%A/seats', `/api/v1/movies/${'a'.repeat(1_500)}`]) {
      const res = await s.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url.slice(0, 40)}: ${res.body.slice(0, 200)}`);
      const body = res.json();
      assert.ok(['BAD_REQUEST', 'INVALID_INPUT'].includes(body.code), res.body.slice(0, 200));
      assert.equal(typeof body.error, 'string');
      assert.notEqual(body.error, 'Bad Request', 'the message says what is wrong');
      assert.equal(body.statusCode, undefined, "not Fastify's own error body");
    }
  });

  it('a deeply nested body is a 4xx, never a 500: 8,000 nested arrays (16 KB, under the body limit) on routes with and without a body schema', async () => {
    // The NUL guard walked the parsed body recursively: "Maximum call stack size exceeded", a 500.
    const deep = '['.repeat(8_000) + ']'.repeat(8_000);
    const token = s.tokens.issue().token;
    const withNul = `${'['.repeat(8_000)}"\\u0000"${']'.repeat(8_000)}`;
    for (const [url, headers] of [
      ['/api/v1/guests', {}],
      ['/api/v1/auth/logout', {}],
      ['/movies/dune/seats/A1/hold', {}],
      ['/api/v1/showtimes/dune-1/holds', { authorization: `Bearer ${token}` }],
    ] as const) {
      for (const payload of [deep, withNul]) {
        const res = await s.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload });
        assert.ok(res.statusCode < 500, `${url}: ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400) assert.equal(typeof res.json().code, 'string', res.body);
      }
    }
    const nul = await s.app.inject({ method: 'POST', url: '/movies/dune/seats/A1/hold', headers: { 'content-type': 'application/json' }, payload: withNul });
    assert.equal(nul.statusCode, 400, nul.body);
    assert.equal(nul.json().code, 'INVALID_INPUT');
  });
});

describe('behind a reverse proxy (TRUST_PROXY), each client is its own address', () => {
  // Behind nginx every request comes from the proxy's address: one client's wrong guesses
  // throttled the (email, address) pair every other client shares, which is the lockout of
  // finding 5 again, and every per-address limit was shared by the whole site.
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, { rateLimits: { ...DEFAULT_RATE_LIMITS, exempt: [] }, trustProxy: ['127.0.0.1'] });
  });
  after(async () => {
    await s.close();
  });
  const viaProxy = (client: string, email: string, password: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': client }, payload: { email, password } });

  it("an attacker's guesses through the proxy do not throttle the owner coming through the same proxy", async () => {
    const reg = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.30' }, payload: { email: 'proxied@example.com', password: 'owner password' } });
    assert.equal(reg.statusCode, 201, reg.body);
    for (let i = 0; i < 8; i++) await viaProxy('203.0.113.80', 'proxied@example.com', `wrong ${i}`);
    assert.equal((await viaProxy('203.0.113.80', 'proxied@example.com', 'owner password')).statusCode, 429, 'the attacker is throttled');
    const owner = await viaProxy('198.51.100.30', 'proxied@example.com', 'owner password');
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('a forwarded address is trusted only from the proxy', async () => {
    const direct = await s.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.99', headers: { 'x-forwarded-for': '198.51.100.1' } });
    assert.equal(direct.statusCode, 200);
    // Sent by anyone but the proxy, X-Forwarded-For is ignored: an attacker cannot pick its address.
    const guests = [];
    for (let i = 0; i < DEFAULT_RATE_LIMITS.guestsPerMinute + 1; i++) {
      guests.push((await s.app.inject({ method: 'POST', url: '/api/v1/guests', remoteAddress: '203.0.113.99', headers: { 'x-forwarded-for': `198.51.100.${i}` } })).statusCode);
    }
    assert.equal(guests.at(-1), 429, guests.join(' '));
  });
});
