// Check-in races on a PostgreSQL server (real concurrency over its pool; PGlite's one connection
// would serialise them): of N doors scanning one ticket at once exactly one lets it in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresOrderRepository } from '../../src/stores/postgres/order-repository.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';
import { ADMIN_ENV, insertOrder, loginAdmin } from './checkout-fixtures.ts';

const skip = await postgresSkip();
const DOORS = 60;

describe('check-in races (PostgreSQL server)', { skip }, () => {
  const schema = runId('checkins');
  let s: TestServer;
  let admin: string;
  let sql: pg.Client;
  before(async () => {
    s = await startTestServer({ ...ADMIN_ENV, DATABASE_URL, DATABASE_SCHEMA: schema });
    await s.listen();
    admin = await loginAdmin(s);
    sql = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
    await sql.connect();
  });
  after(async () => {
    await s?.close();
    await sql?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql?.end();
  });

  const codesOf = async (orderId: string) => {
    const order = await new PostgresOrderRepository(s.box.stores.db).getOrder(orderId);
    return s.box.tickets.ticketsOf(order!, new Map()).map((t) => t.code);
  };
  const checkIn = async (code: string) => {
    const res = await fetch(`${s.url}/api/v1/admin/checkins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code, showtimeId: 'dune-1' }),
    });
    return { status: res.status, body: (await res.json()) as { code?: string; details?: { usedAt?: string }; ticket?: { checkedInAt: number } } };
  };

  it(`${DOORS} concurrent check-ins of one ticket: exactly one wins, the others say when it was used`, async () => {
    const orderId = await insertOrder(sql, { showtimeId: 'dune-1', owner: 'guest:race', seats: ['A1'] });
    const [code] = await codesOf(orderId);
    const answers = await Promise.all(Array.from({ length: DOORS }, () => checkIn(code!)));
    const won = answers.filter((a) => a.status === 200);
    assert.equal(won.length, 1, JSON.stringify(answers.map((a) => a.status)));
    const usedAt = new Date(won[0]!.body.ticket!.checkedInAt).toISOString();
    for (const a of answers.filter((x) => x.status !== 200)) {
      assert.equal(a.status, 409);
      assert.equal(a.body.code, 'TICKET_USED');
      assert.equal(a.body.details!.usedAt, usedAt, 'every loser names the winning check-in');
    }
    const { rows } = await sql.query('SELECT ticket_id FROM ticket_checkins WHERE order_id = $1', [orderId]);
    assert.deepEqual(rows, [{ ticket_id: `${orderId}.A1` }]);
  });

  it('a check-in racing a refund either lets the ticket in before the refund or is refused as cancelled', async () => {
    const seats = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'C1', 'C2', 'C3', 'C4'];
    const orders = await Promise.all(seats.map((seat) => insertOrder(sql, { showtimeId: 'dune-1', owner: 'guest:race', seats: [seat] })));
    const results = await Promise.all(
      orders.map(async (orderId) => {
        const [code] = await codesOf(orderId);
        const [door, refund] = await Promise.all([
          checkIn(code!),
          sql.query(`UPDATE orders SET state = 'refunded', updated_at = clock_timestamp() WHERE id = $1 RETURNING (extract(epoch from updated_at) * 1000)::float8 AS at`, [orderId]),
        ]);
        return { orderId, door, refundedAt: refund.rows[0].at as number };
      }),
    );
    for (const { orderId, door, refundedAt } of results) {
      if (door.status === 200) {
        assert.ok(door.body.ticket!.checkedInAt <= refundedAt, `${orderId}: checked in before its refund`);
      } else {
        assert.equal(door.body.code, 'TICKET_CANCELLED', JSON.stringify(door.body));
        const { rows } = await sql.query('SELECT 1 FROM ticket_checkins WHERE order_id = $1', [orderId]);
        assert.equal(rows.length, 0, `${orderId}: a refused check-in wrote nothing`);
      }
    }
  });
});
