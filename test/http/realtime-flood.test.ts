// Attack finding 3 (issue 10): a client sending `subscribe` on /ws as fast as it could queued one seat map
// read per message, left the server unready for minutes and grew it past 1.8 GB. The hub now bounds it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeatMap } from '../../src/domain/booking.ts';
import { DEFAULT_SUBSCRIBE_BUDGET } from '../../src/realtime/seat-hub.ts';
import { startTestServer, wsClient, type TestServer } from '../support/app.ts';

type Snapshot = { type: 'snapshot'; showtime: string; version: number; seats: { id: string; status: string; mine?: boolean }[] };

describe('/ws under a subscribe flood (postgres hold store on the embedded database)', () => {
  let s: TestServer;
  let ws: string;
  let reads = 0;
  let gate: Promise<void> | null = null;
  before(async () => {
    s = await startTestServer({ HOLD_STORE: 'postgres' });
    ws = `${(await s.listen()).replace('http', 'ws')}/ws`;
    // Counts the seat map reads the hub asks for; while `gate` is set, each read waits for it.
    const seatMap = s.box.service.seatMap.bind(s.box.service);
    s.box.service.seatMap = async (showtimeId: string): Promise<SeatMap> => {
      reads++;
      if (gate) await gate;
      return seatMap(showtimeId);
    };
  });
  after(async () => {
    await s.close();
  });

  it('drops a client that floods subscribe (1008) and stays ready: /readyz answers, a hold and a confirm succeed', { timeout: 120_000 }, async () => {
    reads = 0;
    const client = await wsClient(ws);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 20_000; i++) client.send({ type: 'subscribe', showtime: i % 2 ? 'inception-1' : 'dune-1' });
    assert.equal(await closed, 1008);
    assert.ok(reads <= DEFAULT_SUBSCRIBE_BUDGET.burst, `${reads} seat map reads for one client`);

    const ready = await s.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    const auth = { authorization: `Bearer ${s.tokens.issue().token}` };
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/dune-1/holds', headers: auth, payload: { seats: ['D6'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    const booking = await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: auth });
    assert.equal(booking.statusCode, 200, booking.body);

    // A well-behaved client on the same server is still served.
    const polite = await wsClient(ws);
    try {
      polite.send({ type: 'subscribe', showtime: 'dune-1' });
      const snapshot = (await polite.next((m) => m.type === 'snapshot')) as Snapshot;
      assert.equal(snapshot.seats.find((x) => x.id === 'D6')?.status, 'booked');
    } finally {
      polite.close();
    }
  });

  it('drops a client that floods any message, pings included', async () => {
    const client = await wsClient(ws);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 5_000; i++) client.send({ type: 'ping' });
    assert.equal(await closed, 1008);
  });

  it('20 clients subscribing to one showtime at once cause one seat map read, each with its own "mine"', async () => {
    const ann = s.tokens.issue();
    const hold = await s.box.service.holdSeats({ showtimeId: 'inception-1', owner: ann.owner, seats: ['C3'] });
    reads = 0;
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const clients = await Promise.all(Array.from({ length: 20 }, () => wsClient(ws)));
    try {
      // Ann's subscribe starts the read (her token is checked first); the others arrive while it waits.
      clients[0]!.send({ type: 'subscribe', showtime: 'inception-1', token: ann.token });
      while (reads === 0) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all(
        clients.slice(1).map(async (c) => {
          c.send({ type: 'subscribe', showtime: 'inception-1' });
          c.send({ type: 'ping' });
          await c.next((m) => m.type === 'pong'); // messages are handled in order: the subscribe is in
        }),
      );
      open();
      const snapshots = (await Promise.all(clients.map((c) => c.next((m) => m.type === 'snapshot')))) as Snapshot[];
      assert.equal(reads, 1);
      assert.ok(snapshots.every((x) => x.showtime === 'inception-1' && x.version === snapshots[0]!.version));
      assert.deepEqual(snapshots.map((x) => x.seats.find((seat) => seat.id === 'C3')?.mine), [true, ...Array(19).fill(false)]);
      // And they all follow the next change as a delta.
      await s.box.service.releaseHold({ holdId: hold.id, owner: ann.owner });
      const deltas = await Promise.all(clients.map((c) => c.next((m) => m.type === 'delta')));
      assert.ok(deltas.every((d) => d.version === snapshots[0]!.version + 1));
    } finally {
      gate = null;
      open();
      for (const c of clients) c.close();
    }
  });
});
