// The postgres hold store on the embedded PGlite: the same contract as on a PostgreSQL server
// (postgres-hold-store.test.ts), in a file of its own so the two run side by side.
import { after, describe } from 'node:test';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { PostgresHoldStore } from '../../src/stores/postgres/postgres-hold-store.ts';
import { holdStoreContract } from './hold-store.contract.ts';

describe('postgres hold store on PGlite', () => {
  let db: Db | undefined;
  holdStoreContract(
    'postgres on PGlite',
    async () => {
      db = await openDb({});
      return new PostgresHoldStore(db);
    },
    { contenders: 2_000 },
  );
  after(() => db?.close());
});
