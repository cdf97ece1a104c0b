// Issue 10, finding 5: parallel guesses bypassed the five-wrong-passwords lockout, the lockout let
// anyone lock any account, and unknown emails answered differently from known ones. These tests
// send the attacks: every attempt is counted atomically before the password is checked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountService } from '../../src/accounts/account-service.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/config.ts';
import { PostgresAccountRepository } from '../../src/stores/postgres/account-repository.ts';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';

const skipServer = await postgresSkip();

describe('login throttle', () => {
  let s: TestServer;
  before(async () => {
    // A first delay of 30 s rather than 1 s: counting who was checked must not depend on how fast this machine hashes.
    s = await startTestServer({}, { rateLimits: { ...DEFAULT_RATE_LIMITS, exempt: [], loginsPerMinute: 100_000 }, accounts: { pairThrottle: { free: 5, baseMs: 30_000, maxMs: 15 * 60_000 } } });
  });
  after(async () => {
    await s.close();
  });

  const login = (email: string, password: string, remoteAddress: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });
  const register = async (email: string, password: string) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: '198.51.100.200', payload: { email, password } });
    assert.equal(res.statusCode, 201, res.body);
  };

  it('59 wrong passwords and the right one at once: exactly five are checked, none logs in', async () => {
    await register('dee@example.com', 'dee password');
    const guesses = [...Array.from({ length: 59 }, (_, i) => `wrong guess ${i}`), 'dee password'];
    const answers = await Promise.all(guesses.map((p) => login('dee@example.com', p, '203.0.113.1')));
    const statuses = answers.map((r) => r.statusCode);
    // Counted before the check, atomically: however many arrive at once, five passwords are checked.
    assert.equal(statuses.filter((c) => c !== 429).length, 5, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses[59], 429, 'the right password, sent with the wrong ones, did not log in');
    assert.ok(!statuses.includes(200));
    for (const r of answers.filter((a) => a.statusCode === 429)) {
      assert.equal(r.json().code, 'LOGIN_THROTTLED');
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    // The right password from the same address waits too; the password is not even checked.
    assert.equal((await login('dee@example.com', 'dee password', '203.0.113.1')).statusCode, 429);
  });

  it('the owner logs in from another address while an attacker is throttled', async () => {
    await register('eve@example.com', 'eve password');
    for (let i = 0; i < 8; i++) await login('eve@example.com', `wrong ${i}`, '203.0.113.2');
    assert.equal((await login('eve@example.com', 'eve password', '203.0.113.2')).statusCode, 429);
    const owner = await login('eve@example.com', 'eve password', '198.51.100.7');
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('answers unknown and known emails alike, attempt for attempt', async () => {
    await register('fay@example.com', 'fay password');
    const run = async (email: string, address: string) => {
      const out = [];
      for (let i = 0; i < 7; i++) {
        const r = await login(email, 'not the password', address);
        out.push({ status: r.statusCode, code: r.json().code, error: r.json().error, retryAfter: r.headers['retry-after'] });
      }
      return out;
    };
    const known = await run('fay@example.com', '203.0.113.3');
    const unknown = await run('nobody-here@example.com', '203.0.113.4');
    // The wait counts down in real time, and a password check can take seconds on a loaded machine: the two
    // runs must say the same thing, with waits that differ by no more than the time between them.
    const seconds = (a: { retryAfter?: string | string[] }) => Number(a.retryAfter ?? 0);
    const wording = (a: { error: string; retryAfter?: string | string[] }) => ({ ...a, error: a.error.replace(/\d+ s/, 'N s'), retryAfter: undefined });
    assert.deepEqual(unknown.map(wording), known.map(wording));
    for (const [i, a] of known.entries()) {
      assert.ok(Math.abs(seconds(a) - seconds(unknown[i]!)) <= 10, `attempt ${i + 1}: waits ${a.retryAfter} and ${unknown[i]!.retryAfter}`);
      if (a.retryAfter) assert.match(a.error, new RegExp(`try again in ${a.retryAfter} s`));
    }
    assert.deepEqual(known.map((a) => a.status), [401, 401, 401, 401, 401, 429, 429]);
    assert.equal(known[0]!.code, 'INVALID_CREDENTIALS');
  });

  it('guesses spread over many addresses are slowed per email, but not from an address the owner used', async () => {
    // Its own service over the same database, with a per-email bound small enough to reach here.
    const accounts = new AccountService(new PostgresAccountRepository(s.box.stores.db), new Uint8Array(32).fill(7), {
      emailThrottle: { free: 6, baseMs: 60_000, maxMs: 60_000 },
    });
    await accounts.register({ email: 'gil@example.com', password: 'gil password' });
    await accounts.login({ email: 'gil@example.com', password: 'gil password' }, { address: '198.51.100.9' });
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      codes.push(await accounts.login({ email: 'gil@example.com', password: 'guess' }, { address: `203.0.113.${100 + i}` }).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      ));
    }
    // Six guesses from new addresses are checked, then the email waits a minute for every new address.
    assert.deepEqual(codes, [...Array(6).fill('INVALID_CREDENTIALS'), ...Array(4).fill('LOGIN_THROTTLED')]);
    await assert.rejects(accounts.login({ email: 'gil@example.com', password: 'gil password' }, { address: '198.51.100.10' }), { code: 'LOGIN_THROTTLED' });
    const owner = await accounts.login({ email: 'gil@example.com', password: 'gil password' }, { address: '198.51.100.9' });
    assert.equal(owner.user.email, 'gil@example.com', 'the owner, at an address that logged in before, is not locked out');
  });
});

describe('login throttle on a PostgreSQL server (a pool of connections, real row locks)', { skip: skipServer }, () => {
  let db: Db;
  const schema = runId('t_throttle');
  before(async () => {
    db = await openDb({ url: DATABASE_URL, schema, poolSize: 20 });
  });
  after(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  it('59 wrong passwords and the right one at once: exactly five are checked, none logs in', async () => {
    // A delay far longer than the test, so the count is about atomicity, not about how fast 60 logins run.
    const accounts = new AccountService(new PostgresAccountRepository(db), new Uint8Array(32).fill(3), { pairThrottle: { free: 5, baseMs: 600_000, maxMs: 600_000 } });
    await accounts.register({ email: 'ivy@example.com', password: 'ivy password' });
    const guesses = [...Array.from({ length: 59 }, (_, i) => `wrong guess ${i}`), 'ivy password'];
    const answers = await Promise.all(
      guesses.map((password) => accounts.login({ email: 'ivy@example.com', password }, { address: '203.0.113.50' }).then(() => 'OK', (e: { code: string }) => e.code)),
    );
    assert.equal(answers.filter((a) => a !== 'LOGIN_THROTTLED').length, 5, answers.join(' '));
    assert.equal(answers[59], 'LOGIN_THROTTLED');
    const [row] = await db.query<{ attempts: number }>('SELECT max(attempts) AS attempts FROM login_throttles');
    assert.equal(row!.attempts, 5, 'each attempt that was let through was counted, none twice, none lost');
  });
});
