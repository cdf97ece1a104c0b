// Issue 10's attack findings 1, 7 and 9, each reproduced as it was found: FirstClick past every
// limit with made-up user_ids, NUL bytes reaching PostgreSQL, and unlimited extends and guest tokens.
// inject() comes from 127.0.0.1, so these servers exempt no address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const statuses = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('finding 1: the FirstClick surface counts against the same limits as /api/v1', () => {
  let s: TestServer;
  // 2 holds a minute per person, 2 x 3 = 6 per address.
  const rateLimits = { holdsPerMinute: 2, confirmsPerMinute: 2, perIpFactor: 3, exempt: [] };
  before(async () => {
    s = await startTestServer({}, { rateLimits });
  });
  after(async () => {
    await s.close();
  });
  const fcHold = (seat: string, userId: string, movie = 'arrival') => s.app.inject({ method: 'POST', url: `/movies/${movie}/seats/${seat}/hold`, payload: { user_id: userId } });

  it('stops one address holding seats with made-up user_ids, and shares the budget with /api/v1', async () => {
    const seats = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10'];
    const answers = [];
    for (const [i, seat] of seats.entries()) answers.push(await fcHold(seat, `made-up-${i}`));
    assert.deepEqual(statuses(answers), [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    const limited = answers[6]!;
    assert.equal(typeof limited.json().error, 'string', 'a FirstClick client reads `error`');
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const held = (await s.app.inject({ method: 'GET', url: '/movies/arrival/seats' })).json() as unknown[];
    assert.equal(held.length, 6, 'only the allowed holds took seats');

    const api = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-2/holds', headers: bearer(s.tokens.issue().token), payload: { seats: ['C1'] } });
    assert.equal(api.statusCode, 429, 'the address spent its hold budget on the FirstClick surface');
  });
});

describe('finding 1: per user_id, FirstClick holds and confirms are limited and capped like a person', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ MAX_SEATS_PER_OWNER: '3' }, { rateLimits: { holdsPerMinute: 4, confirmsPerMinute: 1, perIpFactor: 100, exempt: [] } });
  });
  after(async () => {
    await s.close();
  });
  const fcHold = (seat: string, userId: string) => s.app.inject({ method: 'POST', url: `/movies/inception/seats/${seat}/hold`, payload: { user_id: userId } });

  it('caps the seats one user_id holds in a movie (MAX_SEATS_PER_OWNER), then limits its holds a minute', async () => {
    const answers = [];
    for (const seat of ['A1', 'A2', 'A3', 'A4', 'A5']) answers.push(await fcHold(seat, 'greedy'));
    assert.deepEqual(statuses(answers), [200, 200, 200, 409, 429]);
    assert.equal(answers[3]!.json().code, 'HOLD_LIMIT_EXCEEDED');
    assert.equal((await fcHold('A6', 'someone-else')).statusCode, 200, 'another user_id has its own budget');
  });

  it('limits confirms per user_id', async () => {
    const one = (await fcHold('C1', 'closer')).json() as { session_id: string };
    const two = (await fcHold('C2', 'closer')).json() as { session_id: string };
    const confirm = (session: string) => s.app.inject({ method: 'PUT', url: `/sessions/${session}/confirm`, payload: { user_id: 'closer' } });
    assert.equal((await confirm(one.session_id)).statusCode, 204);
    const second = await confirm(two.session_id);
    assert.equal(second.statusCode, 429, second.body);
  });

  it('still accepts fields FirstClick clients may send besides user_id (Gin ignores them)', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/movies/inception/seats/D1/hold', payload: { user_id: 'chatty', movie_id: 'inception', client: 'v1' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(Object.keys(res.json()).sort(), ['expires_at', 'movie_id', 'seat_id', 'session_id']);
  });
});

// One embedded server with an admin, for the NUL and unknown-field cases (they touch different seats).
let withAdmin: TestServer;
let adminToken: string;
before(async () => {
  withAdmin = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password' });
  adminToken = (await withAdmin.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } })).json().accessToken;
});
after(async () => {
  await withAdmin.close();
});

describe('finding 7: a NUL byte in a path, query or body is a 400 before any handler runs', () => {
  const refused = (res: { statusCode: number; body: string; json(): { code: string } }, what: string) => {
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    assert.equal(res.json().code, 'INVALID_INPUT', what);
  };
  const seatOf = async (movie: string, seat: string) => ((await withAdmin.app.inject({ method: 'GET', url: `/movies/${movie}/seats` })).json() as { seat_id: string; status: string }[]).find((x) => x.seat_id === seat);

  it('in a path and a query string', async () => {
    refused(await withAdmin.app.inject({ method: 'GET', url: '/api/v1/movies/%00' }), 'GET /api/v1/movies/%00');
    refused(await withAdmin.app.inject({ method: 'GET', url: '/api/v1/showtimes?movieId=dune%00' }), 'a query');
    refused(await withAdmin.app.inject({ method: 'GET', url: '/movies/dune%00/seats' }), 'a FirstClick path');
  });

  it("in a login's email", async () => {
    refused(await withAdmin.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root\u0000@example.com', password: 'admin-password' } }), 'login');
    refused(await withAdmin.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'new@example.com', password: 'pass\u0000word' } }), 'register');
  });

  it('in a FirstClick user_id: nothing is held, and a confirm leaves the seat held, not confirming', async () => {
    refused(await withAdmin.app.inject({ method: 'POST', url: '/movies/dune/seats/A1/hold', payload: { user_id: 'eve\u0000' } }), 'hold');
    assert.equal(await seatOf('dune', 'A1'), undefined, 'A1 was not held');

    const { session_id } = (await withAdmin.app.inject({ method: 'POST', url: '/movies/dune/seats/A2/hold', payload: { user_id: 'ann' } })).json() as { session_id: string };
    refused(await withAdmin.app.inject({ method: 'PUT', url: `/sessions/${session_id}/confirm`, payload: { user_id: 'ann\u0000' } }), 'confirm');
    const [hold] = await withAdmin.box.service.holdsOf('dune-1', 'fc:ann');
    assert.equal(hold?.state, 'held', 'the refused confirm did not start confirming');
    assert.equal((await withAdmin.app.inject({ method: 'PUT', url: `/sessions/${session_id}/confirm`, payload: { user_id: 'ann' } })).statusCode, 204);
  });

  it("in an admin's force-release reason: the seats stay held and the audit log is unchanged", async () => {
    const guest = withAdmin.tokens.issue().token;
    const hold = await withAdmin.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: bearer(guest), payload: { seats: ['E5'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    const holdId = hold.json().id as string;
    const auditBefore = (await withAdmin.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=1000', headers: bearer(adminToken) })).json().entries.length as number;

    const release = (reason: string) => withAdmin.app.inject({ method: 'POST', url: `/api/v1/admin/holds/${holdId}/release`, headers: bearer(adminToken), payload: { reason } });
    refused(await release('card declined\u0000'), 'force-release');
    const seat = ((await withAdmin.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-1/seats' })).json().seats as { id: string; status: string }[]).find((x) => x.id === 'E5');
    assert.equal(seat?.status, 'held', 'no seat was freed');
    const auditAfter = (await withAdmin.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=1000', headers: bearer(adminToken) })).json().entries.length as number;
    assert.equal(auditAfter, auditBefore, 'no audit entry, and none missing');
    assert.equal((await release('card declined')).statusCode, 200, 'the same release without the NUL works');
  });

  it('in a field name, and deep in a body', async () => {
    refused(await withAdmin.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: bearer(withAdmin.tokens.issue().token), payload: { seats: ['F1'], 'x\u0000': 1 } }), 'a key');
    const deep = await withAdmin.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: bearer(withAdmin.tokens.issue().token), payload: { seats: ['F1', 'F\u00002'] } });
    refused(deep, 'a seat id');
    assert.equal(deep.json().details.field, 'seats/1');
  });
});

describe('finding 9: extends and guest tokens are rate limited', () => {
  let s: TestServer;
  before(async () => {
    // Holds: 1 a minute per person, 1 x 3 = 3 per address. Guest tokens: 12 per address.
    s = await startTestServer({}, { rateLimits: { ...DEFAULT_RATE_LIMITS, holdsPerMinute: 1, extendsPerMinute: 2, guestsPerMinute: 12, perIpFactor: 3, exempt: [] } });
  });
  after(async () => {
    await s.close();
  });

  it('limits extends per caller', async () => {
    const ann = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-1/holds', headers: bearer(ann), payload: { seats: ['B1'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    const extend = () => s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/extend`, headers: bearer(ann) });
    const answers = [await extend(), await extend(), await extend()];
    assert.deepEqual(statuses(answers), [200, 200, 429]);
    assert.equal(answers[2]!.json().code, 'RATE_LIMITED');
  });

  it('limits guest tokens per address, and minted guests do not multiply the holds of an address', async () => {
    const minted = [];
    for (let i = 0; i < 14; i++) minted.push(await s.app.inject({ method: 'POST', url: '/api/v1/guests' }));
    const codes = statuses(minted);
    assert.deepEqual(codes, [...Array(12).fill(201), 429, 429]);
    const tokens = minted.filter((r) => r.statusCode === 201).map((r) => r.json().token as string);

    // Each guest is a new person to the per-person limit; the address is not. One was spent above.
    const holds = await Promise.all(tokens.map((t, i) => s.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: bearer(t), payload: { seats: [`G${i + 1}`] } })));
    const held = statuses(holds);
    assert.equal(count(held, 201), 2, `the address had 3 holds a minute and used 1: ${held.join(' ')}`);
    assert.equal(count(held, 429), tokens.length - 2);
    const map = (await s.app.inject({ method: 'GET', url: '/api/v1/showtimes/arrival-1/seats' })).json().seats as { status: string }[];
    assert.equal(map.filter((x) => x.status === 'held').length, 2);
  });
});

describe('unknown fields on /api/v1', () => {

  it('are refused with a 400 that names the field, where they used to be dropped silently', async () => {
    const hold = await withAdmin.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-1/holds', headers: bearer(withAdmin.tokens.issue().token), payload: { seats: ['A1'], ttl: 3600 } });
    assert.equal(hold.statusCode, 400, hold.body);
    assert.equal(hold.json().code, 'INVALID_INPUT');
    assert.match(hold.json().error, /unknown field "ttl"/);
    assert.equal(hold.json().details.field, 'ttl');

    const login = await withAdmin.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password', role: 'admin' } });
    assert.equal(login.statusCode, 400);
    assert.equal(login.json().details.field, 'role');

    const layout = { rows: [{ label: 'A', seats: [{ number: 1, price: 12 }] }] };
    const screen = await withAdmin.app.inject({ method: 'PUT', url: '/api/v1/admin/screens/x-1', headers: bearer(adminToken), payload: { theaterId: 'central', name: 'X', layout } });
    assert.equal(screen.statusCode, 400, screen.body);
    assert.equal(screen.json().details.field, 'layout/rows/0/seats/0/price');
  });

  it('documents every error status of a route in the OpenAPI document', async () => {
    const doc = (await withAdmin.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const confirm = doc.paths['/api/v1/holds/{holdId}/confirm'].post;
    assert.deepEqual(Object.keys(confirm.responses).sort(), ['200', '400', '401', '402', '403', '404', '409', '410', '429', '503']);
    assert.match(confirm.responses['410'].description, /HOLD_EXPIRED/);
    assert.match(confirm.responses['402'].description, /PAYMENT_REQUIRED/);
    assert.ok(doc.paths['/api/v1/admin/holds/{holdId}/release'].post.responses['200'].content, 'admin answers have schemas');
  });
});
