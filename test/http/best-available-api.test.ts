// POST /api/v1/showtimes/:id/holds with {"best": ...} over HTTP: the answers a page gets (201, both
// 409s with their details, the per-owner limit, bad input) on a small hall drawn for the purpose.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLayout } from '../../src/domain/layout.ts';
import { FREE_PRICES } from '../../src/domain/orders.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

const seats = (n: number, accessible: number[] = []) => Array.from({ length: n }, (_, i) => ({ number: i + 1, ...(accessible.includes(i + 1) && { kind: 'accessible' as const }) }));

describe('best available over /api/v1', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    // A: 6 seats; B: 3 seats, an aisle, 3 seats, B1 an accessible place; C: 6 seats. 18 seats in all.
    const b = seats(6, [1]);
    const layout = parseLayout({ rows: [{ label: 'A', seats: seats(6) }, { label: 'B', seats: [...b.slice(0, 3), null, ...b.slice(3)] }, { label: 'C', seats: seats(6) }] });
    await s.box.catalog.saveScreen({ id: 'small', theaterId: 'central', name: 'Small', layout });
    await s.box.catalog.saveShowtime({ id: 'small-1', movieId: 'dune', screenId: 'small', startsAt: Date.now() + 10 * 3_600_000, prices: FREE_PRICES });
  });
  after(async () => {
    await s?.close();
  });

  const post = (token: string, payload: unknown) =>
    s.app.inject({ method: 'POST', url: '/api/v1/showtimes/small-1/holds', headers: { authorization: `Bearer ${token}` }, payload: payload as object });
  const free = async () =>
    ((await s.app.inject({ url: '/api/v1/showtimes/small-1/seats' })).json().seats as { id: string; status: string }[]).filter((x) => x.status === 'available').length;

  it('holds the best block, with accessible places when asked, as an ordinary hold', async () => {
    const ann = await post(s.tokens.issue().token, { best: { count: 2 } });
    assert.equal(ann.statusCode, 201, ann.body);
    // Row B is nearest the sweet spot but every pair in its runs of three strands a seat: row C's middle.
    assert.deepEqual(ann.json().seats, ['C3', 'C4']);
    assert.equal(typeof ann.json().maxExpiresAt, 'number');
    const bob = await post(s.tokens.issue().token, { best: { count: 2, accessible: 1 } });
    assert.equal(bob.statusCode, 201, bob.body);
    assert.deepEqual(bob.json().seats, ['B1', 'B2']);
    assert.equal(await free(), 14);
  });

  it('answers 409 NO_SEATS_TOGETHER with the split, holding nothing, and holds the split when asked', async () => {
    const carl = s.tokens.issue().token;
    const refused = await post(carl, { best: { count: 7 } });
    assert.equal(refused.statusCode, 409, refused.body);
    const body = refused.json() as { code: string; details: { split: string[]; groups: string[][] } };
    assert.equal(body.code, 'NO_SEATS_TOGETHER');
    assert.equal(body.details.split.length, 7);
    assert.deepEqual(body.details.groups.flat(), body.details.split);
    assert.equal(await free(), 14, 'nothing was held');
    const apart = await post(carl, { best: { count: 7, together: false } });
    assert.equal(apart.statusCode, 201, apart.body);
    assert.deepEqual([...apart.json().seats].sort(), [...body.details.split].sort(), 'the split it offered');
    assert.equal(await free(), 7);
    // The per-owner limit (10 seats a showtime) applies as to any hold.
    const more = await post(carl, { best: { count: 4, together: false } });
    assert.equal(more.statusCode, 409, more.body);
    assert.equal(more.json().code, 'HOLD_LIMIT_EXCEEDED');
  });

  it('answers 409 NOT_ENOUGH_SEATS with what is available', async () => {
    const dan = s.tokens.issue().token;
    const many = await post(dan, { best: { count: 8, together: false } });
    assert.equal(many.statusCode, 409, many.body);
    assert.equal(many.json().code, 'NOT_ENOUGH_SEATS');
    assert.equal(many.json().details.available, 7);
    const accessible = await post(dan, { best: { count: 1, accessible: 1 } });
    assert.equal(accessible.statusCode, 409, accessible.body);
    assert.equal(accessible.json().code, 'NOT_ENOUGH_SEATS');
    assert.equal(accessible.json().details.accessibleAvailable, 0);
    assert.match(accessible.json().error, /accessible/);
  });

  it('refuses a bad request with a 400 that says what is wrong, never a 500', async () => {
    const eve = s.tokens.issue().token;
    const cases: [string, unknown, string][] = [
      ['both seats and best', { seats: ['A1'], best: { count: 1 } }, 'exactly one'],
      ['neither', {}, 'exactly one'],
      ['count 0', { best: { count: 0 } }, 'count'],
      ['count 11', { best: { count: 11 } }, 'count'],
      ['count 2.5', { best: { count: 2.5 } }, 'count'],
      ['no count', { best: { accessible: 1 } }, 'count'],
      ['more accessible than seats', { best: { count: 2, accessible: 3 } }, 'accessible'],
      ['negative accessible', { best: { count: 2, accessible: -1 } }, 'accessible'],
      ['together a string', { best: { count: 2, together: 'yes' } }, 'together'],
      ['an unknown field', { best: { count: 2, rows: 'front' } }, 'rows'],
      ['best a number', { best: 3 }, 'best'],
    ];
    for (const [name, payload, says] of cases) {
      const res = await post(eve, payload);
      assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_INPUT', `${name}: ${res.body}`);
      assert.match(res.json().error, new RegExp(says), `${name}: ${res.body}`);
    }
    assert.equal(await free(), 7, 'nothing was held');
  });

  it('gives 200 concurrent requests over real HTTP holds that never overlap, in a hall of 150', async () => {
    // The service-level race (test/booking/best-available-race.test.ts) checks each pick against what
    // it read; this one sends the requests through a listening server, as browsers would.
    await s.box.catalog.saveScreen({ id: 'race', theaterId: 'central', name: 'Race', layout: parseLayout({ rows: Array.from({ length: 10 }, (_, r) => ({ label: String.fromCharCode(65 + r), seats: seats(15) })) }) });
    await s.box.catalog.saveShowtime({ id: 'race-1', movieId: 'dune', screenId: 'race', startsAt: Date.now() + 20 * 3_600_000, prices: FREE_PRICES });
    const base = await s.listen();
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await fetch(`${base}/api/v1/showtimes/race-1/holds`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.tokens.issue().token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ best: { count: 1 + (i % 5) } }),
        });
        return { status: res.status, body: (await res.json()) as { seats?: string[]; code?: string } };
      }),
    );
    const held = answers.filter((a) => a.status === 201).flatMap((a) => a.body.seats!);
    assert.equal(new Set(held).size, held.length, 'a seat in two holds');
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 409, JSON.stringify(a.body));
      assert.ok(['NO_SEATS_TOGETHER', 'NOT_ENOUGH_SEATS', 'SEAT_UNAVAILABLE'].includes(a.body.code!), JSON.stringify(a.body));
    }
    for (const a of answers.filter((x) => x.status === 201)) {
      const [row] = a.body.seats!.map((x) => x[0]);
      const numbers = a.body.seats!.map((x) => Number(x.slice(1))).sort((p, q) => p - q);
      assert.ok(a.body.seats!.every((x) => x[0] === row) && numbers.every((n, k) => k === 0 || n === numbers[k - 1]! + 1), `not a block: ${a.body.seats}`);
    }
    const map = (await s.app.inject({ url: '/api/v1/showtimes/race-1/seats' })).json().seats as { id: string; status: string }[];
    assert.deepEqual(map.filter((x) => x.status === 'held').map((x) => x.id).sort(), [...held].sort());
    assert.equal(held.length + map.filter((x) => x.status === 'available').length, 150);
  });

  it('documents best available in OpenAPI, with examples and both 409s', async () => {
    const doc = (await s.app.inject({ url: '/docs/json' })).json();
    const op = doc.paths['/api/v1/showtimes/{showtimeId}/holds'].post;
    const json = op.requestBody.content['application/json'];
    assert.ok(json.schema.properties.best, 'best in the body schema');
    assert.ok(JSON.stringify(json).includes('"count":3'), `an example with best: ${JSON.stringify(json).slice(0, 400)}`);
    assert.match(op.responses['409'].description, /NO_SEATS_TOGETHER/);
    assert.match(op.responses['409'].description, /NOT_ENOUGH_SEATS/);
  });
});
