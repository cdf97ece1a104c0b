// Every error answer carries a registered code with the status the registry gives it: Fastify's own
// client errors included, and a 500 says nothing of its cause.
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { errorSpec } from '../../src/domain/errors.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

describe('error answers', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    s.app.get('/test/boom', async () => {
      throw new Error('connection to 10.0.0.7 refused: password authentication failed');
    });
  });
  after(async () => {
    await s.close();
  });

  it('maps Fastify client errors to registered codes', async () => {
    const auth = { authorization: `Bearer ${s.tokens.issue().token}` };
    const url = '/api/v1/showtimes/dune-1/holds';
    const cases: [string, InjectOptions, number, string][] = [
      ['malformed JSON', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"seats": [' }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
      ['empty JSON body', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: '' }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
      ['prototype poisoning', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"seats":["A1"],"__proto__":{"admin":true}}' }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
      ['a text body (Fastify parses text/plain: the schema refuses it)', { method: 'POST', url, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'A1' }, 400, 'INVALID_INPUT'],
      ['a form body', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'seats=A1' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a too large body', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ seats: ['A1'], x: 'x'.repeat(20_000) }) }, 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
      ['no route', { method: 'GET', url: '/api/v1/nowhere' }, 404, 'NOT_FOUND'],
      ['a bug', { method: 'GET', url: '/test/boom' }, 500, 'INTERNAL'],
    ];
    for (const [name, opts, status, code] of cases) {
      const res = await s.app.inject(opts);
      assert.equal(res.statusCode, status, `${name}: ${res.body}`);
      const body = res.json() as { error: string; code: string; details?: unknown };
      assert.equal(body.code, code, `${name}: ${res.body}`);
      assert.equal(errorSpec(body.code)?.status, status, `${name}: ${body.code} is registered with status ${status}`);
      assert.equal(typeof body.error, 'string');
    }
  });

  it('tells nothing of a 500 but that it happened', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/test/boom' });
    assert.deepEqual(res.json(), { error: 'internal error', code: 'INTERNAL' });
  });
});
