// The embedded payment queue (payment_outbox as the queue) keeps the PaymentQueue contract on the
// embedded PGlite and on a PostgreSQL server (several consumers there are several pool connections).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { QueueSettings } from '../../src/domain/payment-queue.ts';
import { EmbeddedPaymentQueue } from '../../src/payments/queue/embedded-queue.ts';
import { openDb, type Db, type Queryable } from '../../src/stores/postgres/db.ts';
import { seedPglite } from '../support/pglite.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';
import { loadCatalog, paymentQueueContract, type QueueHarness } from './payment-queue.contract.ts';

/** Short, so a dead consumer's message comes back within a test; renewed every third, so a live one keeps it. */
const LEASE_MS = 1_200;
const POLL_MS = 50;

function harness(db: Db, cleanup: () => Promise<void>): QueueHarness {
  const open = (settings: QueueSettings, on: Queryable = db) => new EmbeddedPaymentQueue({ ...settings, db: on, leaseMs: LEASE_MS, pollMs: POLL_MS });
  return {
    db,
    open: async (settings) => open(settings),
    async openDoomed(settings) {
      // A worker killed with -9 says nothing more to the database: every statement of this queue
      // fails from kill() on, so its lease runs out and nothing acks its delivery.
      let dead = false;
      const severed: Queryable = { query: (text, params) => (dead ? Promise.reject(new Error('the worker is dead')) : db.query(text, params)) };
      return {
        queue: open(settings, severed),
        async kill() {
          dead = true;
        },
      };
    },
    async reset() {
      await db.query('DELETE FROM payment_outbox');
      await db.query('DELETE FROM orders');
    },
    close: cleanup,
  };
}

describe('embedded payment queue on PGlite', () => {
  paymentQueueContract('embedded on PGlite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'boxoffice-queue-'));
    await seedPglite(join(dir, 'db'));
    const db = await openDb({ dataDir: join(dir, 'db') });
    await loadCatalog(db);
    return harness(db, async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });
  });
});

const skip = await postgresSkip();
describe('embedded payment queue on a PostgreSQL server', { skip }, () => {
  paymentQueueContract('embedded on PostgreSQL', async () => {
    const schema = runId('t_queue');
    const db = await openDb({ url: DATABASE_URL, schema, poolSize: 12 });
    await loadCatalog(db);
    return harness(db, async () => {
      try {
        await db.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await db.close();
      }
    });
  });
});
