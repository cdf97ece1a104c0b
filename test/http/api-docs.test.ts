// /docs and what it links to, in process: the OpenAPI document's tags, examples and responses, the
// error table at /docs/errors.md, the WebSocket messages, and the favicon every page links.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { renderErrorsDoc } from '../../src/error-groups.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

type Operation = {
  tags?: string[];
  parameters?: { name: string; in: string; example?: unknown }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { examples?: Record<string, { value: { code: string } }> }> }>;
};

describe('/docs', () => {
  let s: TestServer;
  let doc: { info: { title: string; description: string }; tags: { name: string }[]; paths: Record<string, Record<string, Operation>> };

  before(async () => {
    s = await startTestServer({ LAB_ENABLED: 'true' });
    doc = (await s.app.inject({ url: '/docs/json' })).json();
  });
  after(() => s?.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

  it('is titled Boxoffice, with the product API tags first and every tag used declared', async () => {
    assert.equal(doc.info.title, 'Boxoffice');
    const page = await s.app.inject({ url: '/docs/' });
    assert.match(page.body, /<title>Boxoffice API<\/title>/);
    assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
    const names = doc.tags.map((t) => t.name);
    assert.deepEqual(names.slice(0, 3), ['catalog', 'seats', 'holds']);
    assert.ok(names.indexOf('firstclick') > names.indexOf('operations') && names.indexOf('admin') > names.indexOf('reviews'));
    for (const { name, op } of operations()) for (const tag of op.tags ?? []) assert.ok(names.includes(tag), `${name}: tag ${tag} is declared`);
  });

  it('gives every path parameter and every JSON body a real example', () => {
    for (const { name, op } of operations()) {
      for (const p of op.parameters ?? []) if (p.in === 'path') assert.notEqual(p.example, undefined, `${name}: parameter ${p.name} has an example`);
      const json = op.requestBody?.content['application/json'];
      if (json) assert.notEqual(json.example, undefined, `${name}: the body has an example`);
    }
    const hold = doc.paths['/api/v1/showtimes/{showtimeId}/holds']!.post!;
    assert.equal(hold.parameters?.find((p) => p.name === 'showtimeId')?.example, 'arrival-1');
    assert.deepEqual(hold.requestBody?.content['application/json']?.example, { seats: ['F10', 'F11'] });
  });

  it('describes every response, and each error response that names its codes with an example per code', () => {
    for (const { name, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        assert.notEqual(response.description, 'Default Response', `${name} ${status}`);
        if (Number(status) >= 400 && response.content && /^`[A-Z]/m.test(response.description)) {
          const codes = Object.keys(response.content['application/json']?.examples ?? {});
          assert.ok(codes.length > 0, `${name} ${status} names its codes`);
          for (const code of codes) assert.ok(response.description.includes(`\`${code}\``), `${name} ${status}: ${code}`);
        }
      }
    }
    const conflict = doc.paths['/api/v1/showtimes/{showtimeId}/holds']!.post!.responses['409']!;
    assert.equal(conflict.content?.['application/json']?.examples?.SEAT_UNAVAILABLE?.value.code, 'SEAT_UNAVAILABLE');
  });

  it('documents the WebSocket messages and links the error table', () => {
    for (const text of ['"type":"subscribe"', '"type":"snapshot"', '"type":"delta"', 'cause', '"type":"follow-orders"', '/ws/seats', '/lab/ws', '(/docs/errors.md)']) {
      assert.ok(doc.info.description.includes(text), text);
    }
  });

  it('serves the error table, as docs/errors.md has it', async () => {
    const r = await s.app.inject({ url: '/docs/errors.md' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/markdown/);
    assert.equal(r.body, renderErrorsDoc());
    assert.equal(r.body, await readFile('docs/errors.md', 'utf8'), 'docs/errors.md is current (npm run docs:errors)');
  });

  it('serves the favicon every page links', async () => {
    for (const url of ['/favicon.svg', '/favicon.ico']) {
      const r = await s.app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.headers['content-type'], 'image/svg+xml');
      assert.match(r.body, /^<svg /);
    }
    for (const page of ['/', '/admin', '/lab']) {
      assert.match((await s.app.inject({ url: page })).body, /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml">/, page);
    }
  });
});
