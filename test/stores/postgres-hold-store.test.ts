import { after, describe } from 'node:test';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { PostgresHoldStore } from '../../src/stores/postgres/postgres-hold-store.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';
import { holdStoreContract } from './hold-store.contract.ts';

const skip = await postgresSkip();
const schema = runId('t_pg_holds');

describe('postgres hold store on a PostgreSQL server', { skip }, () => {
  let db: Db | undefined;
  holdStoreContract(
    'postgres',
    async () => {
      db = await openDb({ url: DATABASE_URL, schema });
      return new PostgresHoldStore(db);
    },
    { contenders: 2_000 },
  );
  after(async () => {
    if (!db) return;
    try {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    } finally {
      await db.close();
    }
  });
});
