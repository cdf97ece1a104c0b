// The admin's view of the payment queue over HTTP (depth, dead letters, retry with an audit line),
// and the composition root's payment worker: started in the server with a handler unless PAYMENT_WORKER=false.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBoxoffice } from '../../src/boxoffice.ts';
import { loadConfig } from '../../src/config.ts';
import type { PaymentMessage } from '../../src/domain/orders.ts';
import { startTestServer, SECRET, type TestServer } from '../support/app.ts';
import { seedPglite } from '../support/pglite.ts';
import { enqueue } from './payment-queue.contract.ts';

async function until<T>(what: string, probe: () => Promise<T | false> | T | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== false) return value;
    if (Date.now() > deadline) assert.fail(`not within ${ms / 1000} s: ${what}`);
    await sleep(25);
  }
}

describe('/api/v1/admin/payments', () => {
  let s: TestServer;
  let admin: string;
  let user: string;
  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', PAYMENT_MAX_ATTEMPTS: '2', PAYMENT_BACKOFF_MS: '20', PAYMENT_WORKER: 'false' });
    admin = (await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } })).json().accessToken;
    user = (await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'ann@example.com', password: 'ann password' } })).json().accessToken;
  });
  after(() => s.close());

  const call = (method: 'GET' | 'POST', url: string, token?: string) =>
    s.app.inject({ method, url: `/api/v1/admin/payments${url}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  for (const [method, url] of [['GET', '/queue'], ['GET', '/dead-letters'], ['POST', '/dead-letters/1/retry']] as const) {
    it(`${method} ${url}: 401 without a token, 403 for a user or a guest`, async () => {
      assert.equal((await call(method, url)).json().code, 'UNAUTHORIZED');
      assert.equal((await call(method, url, user)).json().code, 'FORBIDDEN');
      assert.equal((await call(method, url, s.tokens.issue().token)).statusCode, 403);
    });
  }

  it('lists a message that used up its retries, retries it once (audit-logged), and shows the depth', async () => {
    const empty = await call('GET', '/queue', admin);
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json(), { kind: 'embedded', waiting: 0, inFlight: 0, dead: 0 });

    const queue = s.box.payments.queue;
    const sent = await enqueue(s.box.stores.db, 'refund');
    assert.equal((await call('GET', '/queue', admin)).json().waiting, 1);
    let healthy = false;
    const seen: PaymentMessage[] = [];
    const stop = await queue.consume(async (m) => {
      seen.push(m);
      if (!healthy) throw new Error('the gateway said 503');
    });
    try {
      queue.nudge();
      const [dead] = await until('dead-lettered', async () => {
        const list = (await call('GET', '/dead-letters', admin)).json().deadLetters;
        return list.length > 0 && list;
      });
      assert.equal(dead.id, sent.id);
      assert.equal(dead.kind, 'refund');
      assert.equal(dead.orderId, sent.orderId);
      assert.equal(dead.subjectId, sent.subjectId);
      assert.equal(dead.attempts, 2);
      assert.equal(dead.error, 'the gateway said 503');
      assert.equal(typeof dead.diedAt, 'number');
      assert.deepEqual((await call('GET', '/queue', admin)).json(), { kind: 'embedded', waiting: 0, inFlight: 0, dead: 1 });

      healthy = true;
      const retried = await call('POST', `/dead-letters/${sent.id}/retry`, admin);
      assert.equal(retried.statusCode, 200, retried.body);
      assert.deepEqual(retried.json(), { id: sent.id, retried: true });
      const again = await call('POST', `/dead-letters/${sent.id}/retry`, admin);
      assert.equal(again.statusCode, 404, again.body);
      assert.equal(again.json().code, 'DEAD_LETTER_NOT_FOUND');
      assert.equal(again.json().details.messageId, sent.id);
      await until('delivered again as a first delivery', () => seen.length === 3 && seen[2]!.attempt === 1);
      await until('empty', async () => (await call('GET', '/queue', admin)).json().dead === 0);
      assert.deepEqual((await call('GET', '/dead-letters', admin)).json().deadLetters, []);
      const audit = (await s.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { authorization: `Bearer ${admin}` } })).json();
      const line = audit.entries.find((e: { action: string }) => e.action === 'payment.dead-letter.retry');
      assert.ok(line, JSON.stringify(audit));
      assert.equal(line.target, sent.id);
      assert.match(line.actor, /root@example\.com/);
    } finally {
      await stop();
    }
  });

  it('answers 404 for a malformed or unknown id, and 400 naming a bad limit', async () => {
    for (const id of ['abc', '99999999', '1e5', '-1']) {
      const r = await call('POST', `/dead-letters/${id}/retry`, admin);
      assert.equal(r.statusCode, 404, `${id}: ${r.body}`);
      assert.equal(r.json().code, 'DEAD_LETTER_NOT_FOUND');
    }
    const bad = await call('GET', '/dead-letters?limit=lots', admin);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, 'INVALID_INPUT');
    assert.match(bad.body, /limit/);
  });
});

describe('the payment worker of the composition root', () => {
  for (const [setting, runs] of [['true', true], ['false', false]] as const) {
    it(`PAYMENT_WORKER=${setting}: the server's worker ${runs ? 'processes' : 'leaves'} committed messages`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'boxoffice-worker-'));
      await seedPglite(join(dir, 'db'));
      const seen: PaymentMessage[] = [];
      const box = await startBoxoffice(loadConfig({ DATA_DIR: dir, DEMO_CATALOG: 'true', TOKEN_SECRET: SECRET.toString(), PAYMENT_WORKER: setting }), undefined, {
        paymentHandler: async (m) => void seen.push(m),
      });
      try {
        assert.equal(box.payments.worker, runs);
        const sent = await enqueue(box.stores.db);
        box.payments.queue.nudge();
        if (runs) {
          await until('processed', () => seen.length === 1);
          assert.equal(seen[0]!.id, sent.id);
          await until('done', async () => (await box.payments.queue.depth()).waiting === 0 && (await box.payments.queue.depth()).inFlight === 0);
        } else {
          await sleep(1_000);
          assert.equal(seen.length, 0);
          assert.equal((await box.payments.queue.depth()).waiting, 1);
        }
      } finally {
        await box.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
