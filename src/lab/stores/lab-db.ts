import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Config } from '../../config.ts';
import { openDb, type Db, type Queryable } from '../../stores/postgres/db.ts';

/** The lab's migrations, tracked apart from the core's so a booking database never gets lab tables. */
const LAB_MIGRATIONS = { folder: new URL('./migrations/', import.meta.url), table: 'lab_migrations', lockId: 7262010 };
/** Lab transactions wait on row locks on purpose (for-update mode); they do it on these connections only. */
const LAB_POOL_SIZE = 3;

export type LabDbConfig = Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>;

/**
 * The lab's own database, never the booking path's connections: on a PostgreSQL server a small pool
 * of its own in schema `<DATABASE_SCHEMA or boxoffice>_lab`; embedded, a PGlite instance of its own
 * in DATA_DIR/lab-db (a folder rather than memory: an in-memory PGlite runs initdb in RAM and costs
 * about 600 MB, a folder about 160 MB once created).
 */
export async function openLabDb(config: LabDbConfig): Promise<Db> {
  if (config.databaseUrl) {
    return openDb({ url: config.databaseUrl, schema: labSchema(config), poolSize: LAB_POOL_SIZE, migrations: LAB_MIGRATIONS });
  }
  return yielding(await openDb({ dataDir: join(config.dataDir, 'lab-db'), migrations: LAB_MIGRATIONS }));
}

/**
 * PGlite runs each statement on this thread, and statements queued together (a 1,000-buyer stress
 * queues thousands) would run back to back without letting the event loop serve a request: measured,
 * up to 500 ms. Here each lab statement starts one turn of the event loop after the previous one
 * started, so the booking path's requests run in between. (Only the starts are spaced, never
 * chained on completion: a statement inside a transaction never waits behind one outside it.)
 */
function yielding(db: Db): Db {
  let turn: Promise<unknown> = Promise.resolve();
  const nextStart = () => (turn = turn.then(() => nextTurn()));
  const polite = (q: Queryable): Queryable => ({
    query: async (text, params) => {
      await nextStart();
      return q.query(text, params);
    },
  });
  return { ...polite(db), kind: db.kind, transaction: (fn) => db.transaction((tx) => fn(polite(tx))), close: () => db.close() };
}

export function labSchema(config: Pick<Config, 'databaseSchema'>): string {
  return `${config.databaseSchema ?? 'boxoffice'}_lab`;
}
