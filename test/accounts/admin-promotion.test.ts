// Issue 10, finding 4: an account registered with an email before the operator chose it as
// ADMIN_EMAIL must not become an admin with the registrant's password; the start says so.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBoxoffice } from '../../src/boxoffice.ts';
import { loadConfig } from '../../src/config.ts';

describe('the configured admin', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-admin-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('never promotes an account whose password is not ADMIN_PASSWORD, and logs an error at start', async () => {
    const first = await startBoxoffice(loadConfig({ DATA_DIR: dataDir }));
    try {
      await first.accounts.register({ email: 'boss@example.com', password: 'attacker password' });
      await first.accounts.register({ email: 'ops@example.com', password: 'operator password' });
    } finally {
      await first.close();
    }

    const logged: { level: string; msg: string }[] = [];
    const log = {
      info: (_o: object, msg = '') => logged.push({ level: 'info', msg }),
      warn: (_o: object, msg = '') => logged.push({ level: 'warn', msg }),
      error: (_o: object, msg = '') => logged.push({ level: 'error', msg }),
    };
    const box = await startBoxoffice(loadConfig({ DATA_DIR: dataDir, ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'operator secret' }), log);
    try {
      const attacker = await box.accounts.login({ email: 'boss@example.com', password: 'attacker password' }, { address: '192.0.2.1' });
      assert.equal(attacker.user.role, 'user', 'the registrant did not become an admin');
      await assert.rejects(box.accounts.login({ email: 'boss@example.com', password: 'operator secret' }, { address: '192.0.2.2' }), { code: 'INVALID_CREDENTIALS' });
      const error = logged.find((l) => l.level === 'error');
      assert.ok(error, `an error at start; logged ${JSON.stringify(logged)}`);
      assert.match(error.msg, /boss@example\.com.*NOT made an admin/);

      // An account whose password is ADMIN_PASSWORD is the operator's own: promoted.
      assert.equal(await box.accounts.ensureAdmin('ops@example.com', 'operator password'), 'promoted');
      assert.equal((await box.accounts.login({ email: 'ops@example.com', password: 'operator password' }, { address: '192.0.2.3' })).user.role, 'admin');
    } finally {
      await box.close();
    }
  });
});
