// Every route of the OpenAPI document, sent bodies of the wrong shape (deeply nested, wrong types,
// invalid JSON, other content types) with no token, a guest's and an admin's: never a 5xx, and every
// 4xx in the registry's shape `{ error, code }`. Found by fuzzing issue 10's fixes: a body of 8,000
// nested arrays (16 KB, under the body limit) overflowed the NUL guard's recursion, a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';

const BODIES: (string | undefined)[] = [
  undefined,
  '',
  '{',
  '[]',
  'null',
  '"text"',
  '{"unknown":1}',
  '{"seats":[{"a":1}],"email":{"$gt":""},"password":["x"],"reason":1e308,"buyers":1e308,"rows":[{"label":"\\ud800"}]}',
  '['.repeat(8_000) + ']'.repeat(8_000),
  '{"a":'.repeat(2_600) + '1' + '}'.repeat(2_600),
  `{"rows":${'['.repeat(7_000)}${']'.repeat(7_000)}}`,
];

/** A value for a path parameter, by its name. */
const param = (name: string) => {
  const n = name.toLowerCase();
  if (n.includes('showtime')) return 'inception-1';
  if (n.includes('movie')) return 'inception';
  if (n.includes('seat')) return 'A1';
  if (n.includes('screen')) return 'hall-1';
  return 'x1';
};

describe('every route answers bad bodies with a registered 4xx', () => {
  let s: TestServer;
  let routes: { method: string; url: string }[];
  let auths: (string | undefined)[];
  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', LAB_ENABLED: 'true' });
    const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } });
    assert.equal(login.statusCode, 200, login.body);
    auths = [undefined, `Bearer ${s.tokens.issue().token}`, `Bearer ${login.json().accessToken as string}`];
    const spec = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, (_, name: string) => param(name)) })),
    );
  });
  after(async () => {
    await s.close();
  });

  it('never a 5xx, never a 4xx without a code', async () => {
    assert.ok(routes.length > 30, `the OpenAPI document lists the routes (${routes.length})`);
    const bad: string[] = [];
    const send = async (method: string, url: string, authorization: string | undefined, contentType: string, payload: string | undefined) => {
      const res = await s.app.inject({
        method: method as 'POST',
        url,
        headers: { ...(authorization && { authorization }), ...(payload !== undefined && { 'content-type': contentType }) },
        ...(payload !== undefined && { payload }),
      });
      let code: unknown;
      try {
        code = res.json().code;
      } catch {
        code = undefined;
      }
      if (res.statusCode >= 500 || (res.statusCode >= 400 && typeof code !== 'string')) {
        bad.push(`${res.statusCode} ${method} ${url} ${contentType} ${authorization ? 'token' : '-'} ${String(payload).slice(0, 30)} -> ${res.body.slice(0, 160)}`);
      }
    };
    for (const { method, url } of routes) {
      for (const payload of BODIES) for (const authorization of auths) await send(method, url, authorization, 'application/json', payload);
      for (const contentType of ['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded']) await send(method, url, auths[2], contentType, '{"a":1}');
    }
    assert.deepEqual(bad, []);
  });
});
