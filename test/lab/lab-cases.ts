// The Concurrency Lab's race cases, shared by every store the lab runs on (PGlite, a PostgreSQL
// server, Redis): real parallel requests against the real app, then the totals read back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LabModeName } from '../../src/lab/lab-modes.ts';
import type { LabPlugin } from '../../src/lab/lab-plugin.ts';
import type { LabState, StressSummary } from '../../src/lab/lab-service.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/** High enough that no suite trips the lab's rate limit by accident (lab-api.test.ts tests it). */
export const NO_LIMIT = { lab: { rateLimit: { max: 1_000_000 } } };

/**
 * A server with the lab on (it is off by default once REDIS_URL or DATABASE_URL is set), and the lab
 * already open: it opens its database on first use, which the tests should not wait for at random.
 */
export async function startLabServer(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ LAB_ENABLED: 'true', ...env }, NO_LIMIT);
  await labOf(s).service();
  return s;
}

export function labOf(s: TestServer): LabPlugin {
  const lab = s.box.plugins.find((p): p is LabPlugin => p.name === 'lab');
  assert.ok(lab, 'the lab plugin is registered');
  return lab;
}

export async function reset(s: TestServer): Promise<void> {
  const r = await s.app.inject({ method: 'POST', url: '/lab/api/reset', payload: {} });
  assert.equal(r.statusCode, 204, r.body);
}

export async function labState(s: TestServer): Promise<LabState> {
  return (await s.app.inject({ method: 'GET', url: '/lab/api/state' })).json();
}

/** n buyers, each its own HTTP request, all in flight at once. */
export async function parallelBuyers(s: TestServer, mode: LabModeName, n: number, seats: string[], delayMs = 100) {
  const responses = await Promise.all(
    Array.from({ length: n }, (_, i) => s.app.inject({ method: 'POST', url: '/lab/api/book', payload: { mode, buyer: `buyer-${i}`, seats, delayMs } })),
  );
  for (const r of responses) assert.equal(r.statusCode, 200, r.body);
  return responses.map((r) => r.json() as { outcome: string });
}

export async function stress(s: TestServer, body: Record<string, unknown>): Promise<StressSummary> {
  const r = await s.app.inject({ method: 'POST', url: '/lab/api/stress', payload: body });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

const timing = (label: string, ms: number) => console.log(`# timing ${label}: ${Math.round(ms)} ms`);

/** Every safe mode in `modes`: one seat, one booking, an empty anomalies report, at 20 and 500 buyers. */
export function safeModeCases(label: string, env: () => Record<string, string>, modes: LabModeName[], skip: () => Promise<false | string>): void {
  describe(`lab safe modes on ${label}`, async () => {
    const skipped = await skip();
    let s: TestServer;
    before(async () => {
      if (!skipped) s = await startLabServer(env());
    });
    after(async () => {
      await s?.close();
    });

    for (const mode of modes) {
      it(`${mode}: 20 parallel buyers of one seat, 100 ms delay: exactly one booking`, { skip: skipped }, async () => {
        await reset(s);
        const started = performance.now();
        const results = await parallelBuyers(s, mode, 20, ['B3']);
        timing(`${label} ${mode} 20 buyers`, performance.now() - started);
        assert.equal(results.filter((r) => r.outcome === 'won').length, 1);
        assert.equal(results.filter((r) => r.outcome === 'refused').length, 19);
        const state = await labState(s);
        assert.equal(state.bookings.total, 1);
        assert.deepEqual(state.anomalies, []);
        assert.equal(state.seats.find((x) => x.seat === 'B3')?.status, 'booked');
      });

      it(`${mode}: 500 parallel buyers of one seat: exactly one booking`, { skip: skipped }, async () => {
        const summary = await stress(s, { mode, buyers: 500, seats: ['C4'], delayMs: 100 });
        timing(`${label} ${mode} 500 buyers (elapsed ${summary.elapsedMs} ms, p99 ${summary.latencyMs.p99} ms)`, summary.elapsedMs);
        assert.deepEqual([summary.won, summary.refused, summary.errors, summary.duplicateBookings, summary.bookings], [1, 499, 0, 0, 1]);
        assert.deepEqual((await labState(s)).anomalies, []);
      });
    }

    if (modes.includes('for-update')) {
      it('for-update: overlapping multi-seat races never deadlock and never double-sell', { skip: skipped }, async () => {
        // Buyer i wants 3 of A1..A5 starting at the i-th: every set overlaps its neighbours'.
        for (let round = 0; round < 3; round++) {
          const summary = await stress(s, { mode: 'for-update', buyers: 200, seats: ['A1', 'A2', 'A3', 'A4', 'A5'], seatsPerBuyer: 3, delayMs: 5 });
          assert.equal(summary.errors, 0, 'an error here would be a deadlock');
          assert.equal(summary.duplicateBookings, 0);
          assert.equal(summary.won, 1, 'any two 3-seat sets of 5 seats overlap: one buyer wins');
          const state = await labState(s);
          assert.deepEqual(state.anomalies, []);
          assert.equal(state.bookings.total, 3);
        }
        // Two buyers whose seat lists are given in opposite orders: the lab sorts them, so they queue.
        await reset(s);
        const r = await s.app.inject({
          method: 'POST',
          url: '/lab/api/race',
          payload: { mode: 'for-update', delayMs: 50, buyers: [{ buyer: 'alice', seats: ['D1', 'D2', 'D3'] }, { buyer: 'bob', seats: ['D3', 'D2', 'D1'] }] },
        });
        assert.equal(r.statusCode, 200, r.body);
        const outcomes = (r.json() as { results: { outcome: string }[] }).results.map((x) => x.outcome).sort();
        assert.deepEqual(outcomes, ['refused', 'won']);
      });
    }
  });
}
