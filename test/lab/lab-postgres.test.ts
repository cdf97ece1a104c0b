// The lab's database modes on a real PostgreSQL server, where FOR UPDATE row locks and concurrent
// transactions really compete (PGlite runs one transaction at a time). One schema per run, dropped.
import { after } from 'node:test';
import pg from 'pg';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';
import { safeModeCases } from './lab-cases.ts';

const schema = runId('t_lab_pg');

safeModeCases('PostgreSQL server', () => ({ DATABASE_URL, DATABASE_SCHEMA: schema, DEMO_CATALOG: 'true', LAB_ENABLED: 'true' }), ['for-update', 'optimistic', 'memory-lock'], postgresSkip);

after(async () => {
  if (await postgresSkip()) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${schema}_lab CASCADE`);
  await client.end();
});
