// Issue 10, finding 11: an access token kept working after logout, and reusing a rotated refresh
// token did not revoke the session it had been rotated into.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountService } from '../../src/accounts/account-service.ts';
import { PostgresAccountRepository } from '../../src/stores/postgres/account-repository.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

describe('sessions', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, ...(payload && { payload }) });
  const me = (accessToken: string) => s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${accessToken}` } });
  const refreshCookie = (res: { cookies: unknown[] }) => (res.cookies as { name: string; value: string }[]).find((c) => c.name === 'boxoffice_refresh')!.value;
  const cookie = (value: string) => ({ cookie: `boxoffice_refresh=${value}` });

  before(async () => {
    assert.equal((await post('/auth/register', { email: 'hal@example.com', password: 'hal password' })).statusCode, 201);
  });

  it('refuses the access token of a session that logged out', async () => {
    const login = await post('/auth/login', { email: 'hal@example.com', password: 'hal password' });
    const other = await post('/auth/login', { email: 'hal@example.com', password: 'hal password' });
    const { accessToken } = login.json();
    assert.equal((await me(accessToken)).statusCode, 200);
    assert.equal((await post('/auth/logout', undefined, cookie(refreshCookie(login)))).statusCode, 204);
    const after = await me(accessToken);
    assert.equal(after.statusCode, 401, 'the access token died with its session');
    assert.equal(after.json().code, 'UNAUTHORIZED');
    const hold = await post('/showtimes/dune-1/holds', { seats: ['A1'] }, { authorization: `Bearer ${accessToken}` });
    assert.equal(hold.statusCode, 401);
    assert.equal((await me(other.json().accessToken)).statusCode, 200, 'another session of the same person lives on');
  });

  it('reusing a spent refresh token revokes the session it was rotated into', async () => {
    const login = await post('/auth/login', { email: 'hal@example.com', password: 'hal password' });
    const first = refreshCookie(login);
    const rotated = await post('/auth/refresh', undefined, cookie(first));
    assert.equal(rotated.statusCode, 200, rotated.body);
    const second = refreshCookie(rotated);
    const { accessToken } = rotated.json();
    assert.equal((await me(accessToken)).statusCode, 200);

    // A thief replays the first token: refused, and the whole family goes.
    assert.equal((await post('/auth/refresh', undefined, cookie(first))).statusCode, 401);
    assert.equal((await post('/auth/refresh', undefined, cookie(second))).statusCode, 401, 'the successor is revoked too');
    assert.equal((await me(accessToken)).statusCode, 401, 'and so are the access tokens of the session');
    assert.equal((await me(login.json().accessToken)).statusCode, 401);
  });

  it('concurrent refreshes with one token: exactly one succeeds', async () => {
    const login = await post('/auth/login', { email: 'hal@example.com', password: 'hal password' });
    const token = refreshCookie(login);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post('/auth/refresh', undefined, cookie(token))));
    assert.equal(answers.filter((r) => r.statusCode === 200).length, 1);
  });

  it('another instance refuses a revoked session within its check time (here 0: at once)', async () => {
    const key = new Uint8Array(32).fill(9);
    const repo = new PostgresAccountRepository(s.box.stores.db);
    const a = new AccountService(repo, key);
    const b = new AccountService(repo, key, { sessionCheckTtlMs: 0 });
    const session = await a.login({ email: 'hal@example.com', password: 'hal password' }, { address: '127.0.0.1' });
    assert.ok(await b.verifyAccessToken(session.accessToken));
    await repo.prune();
    assert.ok(await b.verifyAccessToken(session.accessToken), 'pruning keeps live sessions');
    await a.logout(session.refreshToken);
    assert.equal(await a.verifyAccessToken(session.accessToken), null);
    assert.equal(await b.verifyAccessToken(session.accessToken), null);
  });
});
