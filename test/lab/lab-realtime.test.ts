import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LabState } from '../../src/lab/lab-service.ts';
import { wsClient, type TestServer } from '../support/app.ts';
import { labOf, startLabServer, stress } from './lab-cases.ts';

describe('lab panels over /lab/ws', () => {
  let s: TestServer;
  let url: string;
  before(async () => {
    s = await startLabServer();
    url = (await s.listen()).replace('http', 'ws');
  });
  after(async () => {
    await s?.close();
  });

  it('pushes the lab state on lab-subscribe and after a race: locks with ttl, bookings, anomalies, log', async () => {
    const ws = await wsClient(`${url}/lab/ws`);
    try {
      ws.send({ type: 'lab-subscribe', showtime: 'lab-1' });
      const first = await ws.next((m) => m.type === 'lab-state');
      assert.equal(first.showtime, 'lab-1');
      const race = await fetch(`${url.replace('ws', 'http')}/lab/api/race`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'memory-lock', delayMs: 20, buyers: [{ buyer: 'alice', seats: ['D4'] }, { buyer: 'bob', seats: ['D4'] }] }),
      });
      assert.equal(race.status, 200);
      const state = (await ws.next((m) => m.type === 'lab-state' && (m as unknown as LabState).bookings.total === 1)) as unknown as LabState;
      assert.equal(state.locks.memory.length, 1);
      assert.ok(state.locks.memory[0]!.ttlMs > 25_000 && state.locks.memory[0]!.ttlMs <= 30_000);
      assert.equal(state.locks.redis, null);
      assert.equal(state.bookings.rows[0]!.seat, 'D4');
      assert.deepEqual(state.anomalies, []);
      assert.ok(state.log.some((e) => e.event === 'attempt.won') && state.log.some((e) => e.event === 'attempt.refused'));
    } finally {
      ws.close();
    }
  });

  it('throttles pushes during a 1,000-buyer stress', async () => {
    const ws = await wsClient(`${url}/lab/ws`);
    try {
      ws.send({ type: 'lab-subscribe', showtime: 'lab-1' });
      await ws.next((m) => m.type === 'lab-state');
      const before = ws.messages.length;
      const summary = await stress(s, { mode: 'unsafe', buyers: 1_000, seats: ['C1', 'C2'], delayMs: 50 });
      await ws.next((m) => m.type === 'lab-state' && (m as unknown as LabState).bookings.total === summary.bookings);
      const pushes = ws.messages.length - before + 1;
      // 1,000 attempts each change the state; at most one push per 150 ms (+ the refresh and the last one).
      assert.ok(pushes <= summary.elapsedMs / 150 + 4, `${pushes} pushes in ${summary.elapsedMs} ms`);
      assert.ok(summary.duplicateBookings > 0);
    } finally {
      ws.close();
    }
  });

  it('refuses a real showtime on /lab/ws, and the seat hub on /ws knows no lab message', async () => {
    const ws = await wsClient(`${url}/lab/ws`);
    const seats = await wsClient(`${url}/ws`);
    try {
      ws.send({ type: 'lab-subscribe', showtime: 'dune-1' });
      const error = await ws.next((m) => m.type === 'error');
      assert.equal(error.code, 'SHOWTIME_NOT_FOUND');
      ws.send({ type: 'subscribe', showtime: 'dune-1' });
      assert.equal((await ws.next((m) => m.type === 'error')).code, 'INVALID_INPUT');
      ws.send({ type: 'lab-subscribe', showtime: 'lab-1' });
      await ws.next((m) => m.type === 'lab-state');
      ws.send({ type: 'ping' });
      await ws.next((m) => m.type === 'pong');
      seats.send({ type: 'lab-subscribe', showtime: 'lab-1' });
      assert.equal((await seats.next((m) => m.type === 'error')).code, 'INVALID_INPUT');
    } finally {
      ws.close();
      seats.close();
    }
  });

  it('drops a client that floods lab-subscribe, after one state read for all it asked', async () => {
    const service = await labOf(s).service();
    const realState = service.state.bind(service);
    let reads = 0;
    service.state = (id) => {
      reads++;
      return realState(id);
    };
    const ws = await wsClient(`${url}/lab/ws`);
    const closed = new Promise<number>((resolve) => ws.socket.once('close', (code) => resolve(code)));
    try {
      for (let i = 0; i < 5_000; i++) ws.send({ type: 'lab-subscribe', showtime: 'lab-1' });
      assert.equal(await closed, 1008);
      assert.ok(reads <= 2, `${reads} state reads for one flooding client`);
    } finally {
      service.state = realState;
      ws.close();
    }
  });
});
