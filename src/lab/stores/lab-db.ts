import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { openDb, type Db } from '../../stores/postgres/db.ts';

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
export function openLabDb(config: LabDbConfig): Promise<Db> {
  if (config.databaseUrl) {
    return openDb({ url: config.databaseUrl, schema: labSchema(config), poolSize: LAB_POOL_SIZE, migrations: LAB_MIGRATIONS });
  }
  return openDb({ dataDir: join(config.dataDir, 'lab-db'), migrations: LAB_MIGRATIONS });
}

export function labSchema(config: Pick<Config, 'databaseSchema'>): string {
  return `${config.databaseSchema ?? 'boxoffice'}_lab`;
}
