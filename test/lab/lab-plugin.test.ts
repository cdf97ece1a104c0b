import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBoxoffice } from '../../src/boxoffice.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import type { LabPlugin } from '../../src/lab/lab-plugin.ts';
import { openStores } from '../../src/stores/index.ts';

describe('the lab as a plugin', () => {
  it('is on by default only for the embedded default; LAB_ENABLED wins', () => {
    assert.equal(loadConfig({}).labEnabled, true);
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).labEnabled, false);
    assert.equal(loadConfig({ REDIS_ADDR: '127.0.0.1:6379' }).labEnabled, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/test' }).labEnabled, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/test', LAB_ENABLED: 'true' }).labEnabled, true);
    assert.equal(loadConfig({ LAB_ENABLED: 'false' }).labEnabled, false);
  });

  it('opens its own database in DATA_DIR/lab-db on first use, never at start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-lab-'));
    const box = await startBoxoffice(loadConfig({ DATA_DIR: dataDir }));
    const app = await buildApp(box, { firstClick: true });
    try {
      assert.deepEqual(box.plugins.map((p) => p.name), ['lab']);
      assert.equal(existsSync(join(dataDir, 'lab-db')), false, 'nothing opened before the lab is used');
      assert.equal((await app.inject({ method: 'GET', url: '/lab' })).statusCode, 200);
      assert.equal(existsSync(join(dataDir, 'lab-db')), false, 'the page alone opens nothing');
      assert.equal((await app.inject({ method: 'GET', url: '/lab/api' })).statusCode, 200);
      assert.equal(existsSync(join(dataDir, 'lab-db')), true);
      const lab = await (box.plugins[0] as LabPlugin).database();
      assert.deepEqual(await lab.query('SELECT name FROM lab_migrations'), [{ name: '0001_lab_tables.sql' }]);
      const core = await box.stores.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      assert.ok(core.some((r) => r.name === '0003_lab.sql'), 'core 0003 stays as an applied, empty marker');
      assert.deepEqual(await box.stores.db.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'lab%'"), []);
    } finally {
      await app.close();
      await box.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves a database that ran the old core 0003 (with its lab tables) working and untouched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-lab-old-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    try {
      // What 0003 used to create in every booking database.
      const before = await openStores(config);
      await before.db.query("CREATE TABLE lab_seats (showtime_id text NOT NULL CHECK (showtime_id LIKE 'lab-%'), seat_id text NOT NULL, PRIMARY KEY (showtime_id, seat_id))");
      await before.db.query("INSERT INTO lab_seats VALUES ('lab-1', 'A1')");
      await before.close();

      const box = await startBoxoffice(config);
      try {
        assert.deepEqual(await box.stores.db.query('SELECT showtime_id, seat_id FROM lab_seats'), [{ showtime_id: 'lab-1', seat_id: 'A1' }]);
        assert.equal((await box.service.seatMap('dune-1')).seats.length, 24);
      } finally {
        await box.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
