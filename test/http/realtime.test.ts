// The live seat map over /ws: snapshot + versioned deltas, expiries within a second, resync after
// a gap, slow clients dropped, and changes crossing instances over Redis.
// serial: expiries announced within a second, a 300 ms heartbeat that must be answered
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresSkip, redisSkip } from '../support/services.ts';
import { startTestServer, startTwoInstances, wsClient, type TestServer } from '../support/app.ts';

type Message = Record<string, unknown> & { version?: number; changes?: { seat: string; status: string; mine?: boolean; expiresAt?: number }[] };

describe('/ws seat map subscriptions', () => {
  let s: TestServer;
  let ws: string;
  before(async () => {
    s = await startTestServer({}, { maxBufferedBytes: 64 * 1024, heartbeatMs: 300 });
    ws = `${(await s.listen()).replace('http', 'ws')}/ws`;
  });
  after(async () => {
    await s.close();
  });

  it('sends a snapshot, then each change as a delta with the next version', async () => {
    const ann = s.tokens.issue().token;
    const client = await wsClient(ws);
    try {
      client.send({ type: 'subscribe', showtime: 'inception-1', token: ann });
      const snapshot = (await client.next((m) => m.type === 'snapshot')) as Message & { seats: unknown[] };
      assert.equal(snapshot.showtime, 'inception-1');
      assert.equal(snapshot.seats.length, 40);
      const res = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/inception-1/holds', headers: { authorization: `Bearer ${ann}` }, payload: { seats: ['A1', 'A2'] } });
      assert.equal(res.statusCode, 201);
      const delta = (await client.next((m) => m.type === 'delta')) as Message;
      assert.equal(delta.version, snapshot.version! + 1);
      assert.equal(delta.cause, 'hold');
      assert.deepEqual(delta.changes, [
        { seat: 'A1', status: 'held', expiresAt: res.json().expiresAt, mine: true },
        { seat: 'A2', status: 'held', expiresAt: res.json().expiresAt, mine: true },
      ]);
      await s.app.inject({ method: 'DELETE', url: `/api/v1/holds/${res.json().id}`, headers: { authorization: `Bearer ${ann}` } });
      const release = (await client.next((m) => m.type === 'delta')) as Message;
      assert.equal(release.version, snapshot.version! + 2);
      assert.equal(release.cause, 'release');
      assert.deepEqual(release.changes?.map((c) => c.status), ['available', 'available']);
    } finally {
      client.close();
    }
  });

  it("announces a confirm as the buyer's own seats to the buyer, and as someone else's to others", async () => {
    const ann = s.tokens.issue().token;
    const buyer = await wsClient(ws);
    const other = await wsClient(ws);
    try {
      buyer.send({ type: 'subscribe', showtime: 'inception-1', token: ann });
      other.send({ type: 'subscribe', showtime: 'inception-1', token: s.tokens.issue().token });
      await buyer.next((m) => m.type === 'snapshot');
      await other.next((m) => m.type === 'snapshot');
      const auth = { authorization: `Bearer ${ann}` };
      const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/inception-1/holds', headers: auth, payload: { seats: ['E5'] } });
      assert.equal(hold.statusCode, 201);
      assert.equal((await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: auth })).statusCode, 200);
      const confirmed = (await buyer.next((m) => m.type === 'delta' && m.cause === 'confirm')) as Message;
      assert.deepEqual(confirmed.changes, [{ seat: 'E5', status: 'booked', mine: true }]);
      const seen = (await other.next((m) => m.type === 'delta' && m.cause === 'confirm')) as Message;
      assert.deepEqual(seen.changes, [{ seat: 'E5', status: 'booked', mine: false }]);
    } finally {
      buyer.close();
      other.close();
    }
  });

  it('shows another person\'s hold without "mine", and announces its expiry within a second', async () => {
    const client = await wsClient(ws);
    try {
      client.send({ type: 'subscribe', showtime: 'dune-1', token: s.tokens.issue().token });
      await client.next((m) => m.type === 'snapshot');
      const hold = await s.box.service.holdSeats({ showtimeId: 'dune-1', owner: 'guest:other', seats: ['B3'], ttlMs: 300 });
      const held = (await client.next((m) => m.type === 'delta')) as Message;
      assert.deepEqual(held.changes, [{ seat: 'B3', status: 'held', expiresAt: hold.expiresAt, mine: false }]);
      const freed = (await client.next((m) => m.type === 'delta', 2_000)) as Message;
      const late = Date.now() - hold.expiresAt;
      assert.deepEqual(freed.changes, [{ seat: 'B3', status: 'available' }]);
      assert.equal(freed.cause, 'expire');
      assert.equal(freed.version, held.version! + 1);
      assert.ok(late < 1_000, `expiry announced ${late} ms after the hold ran out`);
    } finally {
      client.close();
    }
  });

  it('keeps deltas in version order and lets a client resync after a gap', async () => {
    const client = await wsClient(ws);
    try {
      client.send({ type: 'subscribe', showtime: 'arrival-3' });
      const snapshot = (await client.next((m) => m.type === 'snapshot')) as Message;
      const v = snapshot.version!;
      const event = (version: number, seat: string) => ({ showtimeId: 'arrival-3', version, cause: 'hold' as const, changes: [{ seat, status: 'held' as const }] });
      // Two requests that finished in the other order: the second waits for the first.
      s.box.events.publish(event(v + 2, 'B2'));
      s.box.events.publish(event(v + 1, 'B1'));
      assert.equal(((await client.next((m) => m.type === 'delta')) as Message).version, v + 1);
      assert.equal(((await client.next((m) => m.type === 'delta')) as Message).version, v + 2);
      // An event that never comes: the next one is sent anyway, the client sees the gap and resubscribes.
      s.box.events.publish(event(v + 4, 'B4'));
      const after = (await client.next((m) => m.type === 'delta')) as Message;
      assert.equal(after.version, v + 4);
      client.send({ type: 'subscribe', showtime: 'arrival-3' });
      const again = (await client.next((m) => m.type === 'snapshot')) as Message;
      assert.ok(again.version! >= v, 'a fresh snapshot after the resync');
    } finally {
      client.close();
    }
  });

  it('answers bad messages and unknown showtimes with an error message, and pings', async () => {
    const client = await wsClient(ws);
    try {
      client.socket.send('not json');
      assert.equal((await client.next((m) => m.type === 'error')).code, 'INVALID_INPUT');
      client.send({ type: 'subscribe', showtime: 'nope' });
      assert.equal((await client.next((m) => m.type === 'error')).code, 'SHOWTIME_NOT_FOUND');
      client.send({ type: 'subscribe', showtime: 'dune-1', token: 'forged.token' });
      assert.equal((await client.next((m) => m.type === 'error')).code, 'UNAUTHORIZED');
      client.send({ type: 'ping' });
      await client.next((m) => m.type === 'pong');
    } finally {
      client.close();
    }
  });

  it('keeps a peer that answers pings and drops one that does not', async () => {
    const lively = await wsClient(ws);
    const dead = await wsClient(`${ws}/seats`);
    try {
      const closed = new Promise<void>((resolve) => dead.socket.once('close', () => resolve()));
      // A peer that vanished without a goodbye: it reads nothing, so it answers no ping.
      (dead.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const before = s.box.hub.connections;
      await sleep(1_000);
      assert.equal(s.box.hub.connections, before - 1, 'the silent peer was dropped');
      assert.equal(lively.socket.readyState, lively.socket.OPEN, 'the answering peer stays');
      dead.socket.terminate();
      await closed;
    } finally {
      lively.close();
    }
  });

  it('drops a client that stops reading instead of buffering for it without bound', async () => {
    const client = await wsClient(ws);
    client.send({ type: 'subscribe', showtime: 'arrival-1' });
    const snapshot = (await client.next((m) => m.type === 'snapshot')) as Message;
    const closed = new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
    // Stop reading: the kernel buffers fill, then the server's own buffer passes its limit.
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const changes = Array.from({ length: 200 }, (_, i) => ({ seat: `S${i}`, status: 'held' as const }));
    let version = snapshot.version!;
    const deadline = Date.now() + 10_000;
    while (s.box.hub.connections > 0 && Date.now() < deadline) {
      for (let i = 0; i < 200; i++) s.box.events.publish({ showtimeId: 'arrival-1', version: ++version, cause: 'hold', changes });
      await sleep(5);
    }
    assert.equal(s.box.hub.connections, 0, 'the slow client was dropped');
    client.socket.terminate();
    await closed;
  });
});

const skip = (await redisSkip()) || (await postgresSkip());
describe('two instances sharing Redis and PostgreSQL', { skip }, () => {
  let pair: Awaited<ReturnType<typeof startTwoInstances>>;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    pair = await startTwoInstances('t_two');
    ({ a, b } = pair);
  });
  after(async () => {
    await pair?.close();
  });

  it('pushes a change made on instance A to a client of instance B', async () => {
    const client = await wsClient(`${(await b.listen()).replace('http', 'ws')}/ws`);
    const firstClick = await wsClient(`${b.url.replace('http', 'ws')}/ws/seats`);
    try {
      client.send({ type: 'subscribe', showtime: 'dune-1' });
      const snapshot = (await client.next((m) => m.type === 'snapshot')) as Message;
      const token = a.tokens.issue().token;
      const res = await a.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-1/holds', headers: { authorization: `Bearer ${token}` }, payload: { seats: ['D1'] } });
      assert.equal(res.statusCode, 201, res.body);
      const delta = (await client.next((m) => m.type === 'delta')) as Message;
      assert.equal(delta.version, snapshot.version! + 1);
      assert.deepEqual(delta.changes?.map((c) => [c.seat, c.status]), [['D1', 'held']]);
      await firstClick.next((m) => m.type === 'SEATS_UPDATED' && m.movie_id === 'dune');
      // And B refuses the seat A holds: one hold store for both.
      const rival = await b.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-1/holds', headers: { authorization: `Bearer ${b.tokens.issue().token}` }, payload: { seats: ['D1'] } });
      assert.equal(rival.statusCode, 409);
    } finally {
      client.close();
      firstClick.close();
    }
  });
});
