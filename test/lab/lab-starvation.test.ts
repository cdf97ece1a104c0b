// Attack finding 2 (issue 10): one POST /lab/api/stress in for-update mode kept transactions open on the
// booking database, so a real confirm waited 14.7 s (embedded) and a real hold 12.7 s (server, five stresses).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { StressSummary } from '../../src/lab/lab-service.ts';
import type { Queryable } from '../../src/stores/postgres/db.ts';
import type { TestServer } from '../support/app.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';
import { labOf, reset, startLabServer } from './lab-cases.ts';

const SEATS = ['A1', 'A2'];
/** Each winner keeps its transaction open 2 s (PGlite runs them one after the other): the stress lasts seconds, a booking milliseconds. */
const STRESS = { mode: 'for-update', buyers: 1_000, seats: SEATS, delayMs: 2_000, reset: false };

/** Starts the stress and resolves once a lab for-update transaction is open. */
async function stressWithOpenTransaction(s: TestServer) {
  await reset(s); // opens the lab's database, then frees the seats
  const db = await labOf(s).database();
  const transaction = db.transaction.bind(db);
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  db.transaction = (fn) => transaction((tx) => (opened(), fn(tx)));
  let done = false;
  const response = s.app.inject({ method: 'POST', url: '/lab/api/stress', payload: STRESS }).then((r) => ((done = true), r));
  await open;
  return { response, running: () => !done };
}

/** A real guest holds a seat and confirms it through /api/v1. */
async function bookThroughApi(s: TestServer, showtime: string, seat: string): Promise<void> {
  const auth = { authorization: `Bearer ${s.tokens.issue().token}` };
  const hold = await s.app.inject({ method: 'POST', url: `/api/v1/showtimes/${showtime}/holds`, headers: auth, payload: { seats: [seat] } });
  assert.equal(hold.statusCode, 201, hold.body);
  const booking = await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: auth });
  assert.equal(booking.statusCode, 200, booking.body);
  assert.deepEqual(booking.json().seats, [seat]);
}

const labTablesIn = async (db: Queryable) =>
  (await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'lab%' ORDER BY 1")).map((r) => r.table_name);

async function expectStressSummary(response: Promise<{ statusCode: number; body: string; json(): unknown }>): Promise<void> {
  const r = await response;
  assert.equal(r.statusCode, 200, r.body);
  const summary = r.json() as StressSummary;
  assert.deepEqual([summary.won, summary.errors, summary.duplicateBookings], [SEATS.length, 0, 0]);
}

describe('a lab stress never holds up the booking path', () => {
  it('embedded: a hold and a confirm succeed while lab for-update transactions are open; the booking database has no lab tables', { timeout: 120_000 }, async () => {
    const s = await startLabServer();
    try {
      const stress = await stressWithOpenTransaction(s);
      await bookThroughApi(s, 'inception-1', 'E8');
      assert.ok(stress.running(), 'the booking finished while the lab still held its transactions');
      const second = await s.app.inject({ method: 'POST', url: '/lab/api/stress', payload: { ...STRESS, buyers: 5 } });
      assert.equal(second.statusCode, 409, second.body);
      assert.equal(second.json().code, 'LAB_BUSY');
      await expectStressSummary(stress.response);
      assert.deepEqual(await labTablesIn(s.box.stores.db), []);
      assert.deepEqual(await labTablesIn(await labOf(s).database()), ['lab_bookings', 'lab_migrations', 'lab_seats']);
    } finally {
      await s.close();
    }
  });

  describe('on a PostgreSQL server', async () => {
    const skip = await postgresSkip();
    const schema = runId('t_lab_starve');
    after(async () => {
      if (skip) return;
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_lab CASCADE`);
      await client.end();
    });

    it('five stresses: one runs, four are refused, and a real hold and confirm succeed meanwhile in the booking schema', { skip, timeout: 120_000 }, async () => {
      const s = await startLabServer({ DATABASE_URL, DATABASE_SCHEMA: schema, HOLD_STORE: 'postgres', DEMO_CATALOG: 'true' });
      try {
        const stress = await stressWithOpenTransaction(s);
        const others = await Promise.all(Array.from({ length: 4 }, () => s.app.inject({ method: 'POST', url: '/lab/api/stress', payload: STRESS })));
        assert.deepEqual(others.map((r) => [r.statusCode, r.json().code]), Array(4).fill([409, 'LAB_BUSY']));
        await bookThroughApi(s, 'inception-1', 'E8');
        await bookThroughApi(s, 'dune-1', 'B2');
        assert.ok(stress.running(), 'the bookings finished while the lab still held its transactions');
        await expectStressSummary(stress.response);
        assert.deepEqual(await labTablesIn(s.box.stores.db), []);
        const lab = await labOf(s).database();
        assert.deepEqual(await labTablesIn(lab), ['lab_bookings', 'lab_migrations', 'lab_seats']);
        assert.deepEqual(await lab.query('SELECT current_schema() AS schema'), [{ schema: `${schema}_lab` }]);
      } finally {
        await s.close();
      }
    });
  });
});
