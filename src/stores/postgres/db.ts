import { PGlite } from '@electric-sql/pglite';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import pg from 'pg';
import { StoreUnreachable } from '../unreachable.ts';

/** The part of a connection that runs SQL: a pool, a PGlite instance or an open transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

/**
 * PostgreSQL, embedded or a server, behind one small interface so the repository and the postgres
 * hold store run the same SQL on both.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'server';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://... of a server; without it the embedded PGlite is used. */
  url?: string;
  /** PGlite's folder; without it PGlite keeps everything in memory. */
  dataDir?: string;
  /** Schema for every table (created when missing); tests use one per run. */
  schema?: string;
  /** Connections in the server pool. */
  poolSize?: number;
  /** The migrations to apply: the core's by default; a plugin passes its own set. */
  migrations?: MigrationSet;
}

/** A folder of NNNN_*.sql files, the table that records which ran, and the advisory lock that serialises them. */
export interface MigrationSet {
  folder: URL;
  table: string;
  lockId: number;
}

const CORE_MIGRATIONS: MigrationSet = { folder: new URL('./migrations/', import.meta.url), table: 'schema_migrations', lockId: 7262001 };

const INT8 = 20;
/** bigint columns hold epoch milliseconds and counters, all far below 2^53. */
const parseInt8 = (value: string) => Number(value);

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDb(options: DbOptions): Promise<Db> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`schema name ${JSON.stringify(options.schema)} must match ${SCHEMA_NAME}`);
  }
  const db = options.url ? await openServer(options.url, options) : await openPglite(options);
  await migrate(db, options.migrations ?? CORE_MIGRATIONS);
  return db;
}

async function openServer(url: string, options: DbOptions): Promise<Db> {
  // One connection first, so a server that does not answer (or refuses the login) is reported as such.
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
  } catch (e) {
    await admin.end().catch(() => {});
    throw new StoreUnreachable('postgres', url, e);
  }
  try {
    if (options.schema) await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
    types: { getTypeParser: (oid, format) => (oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
  });
  return {
    kind: 'server',
    ...run(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(run(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(options: DbOptions): Promise<Db> {
  // PGlite creates only the last folder of its path: DATA_DIR itself may not exist yet (a fresh clone).
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const lite = await PGlite.create({ ...(options.dataDir && { dataDir: options.dataDir }), parsers: { [INT8]: parseInt8 } });
  if (options.schema) {
    await lite.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}`);
  }
  return {
    kind: 'pglite',
    query: async <R>(text: string, params?: unknown[]) => (await lite.query<R>(text, params)).rows,
    // PGlite runs one statement at a time; its transaction() holds the connection for the callback.
    transaction: (fn) => lite.transaction((tx) => fn({ query: async <R>(t: string, p?: unknown[]) => (await tx.query<R>(t, p)).rows })),
    close: () => lite.close(),
  };
}

/**
 * Applies the set's NNNN_*.sql in order, each once, under an advisory lock so instances take turns.
 * Exported for a plugin whose tables live beside the core's on the same connection (the simulated
 * payment gateway's ledger).
 */
export async function migrate(db: Db, set: MigrationSet): Promise<void> {
  const files = (await readdir(set.folder)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${set.lockId})`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${set.table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ name: string }>(`SELECT name FROM ${set.table}`)).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await execScript(tx, await readFile(new URL(file, set.folder), 'utf8'));
      await tx.query(`INSERT INTO ${set.table} (name) VALUES ($1)`, [file]);
    }
  });
}

/** Runs a migration file statement by statement (statements end with a semicolon at a line's end). */
async function execScript(tx: Queryable, sql: string): Promise<void> {
  for (const statement of sql.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean)) {
    await tx.query(statement);
  }
}

/** PostgreSQL's error code of a unique violation. */
export const isUniqueViolation = (e: unknown): boolean => (e as { code?: string } | null)?.code === '23505';
