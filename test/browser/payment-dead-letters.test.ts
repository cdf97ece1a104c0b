// The dashboard's payment queue section in Debian's Chromium: a payment message that used up its
// retries is listed with its error, and its Retry button sends it back to the worker (audit-logged).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { PaymentMessage } from '../../src/domain/orders.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { chromiumSkip, launchChromium } from '../support/browser.ts';
import { enqueue } from '../payments/payment-queue.contract.ts';

describe('payment dead letters on the admin dashboard in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let admin: Page;
  let stop: () => Promise<void>;
  const errors: string[] = [];
  let healthy = false;
  const seen: PaymentMessage[] = [];

  before(async () => {
    s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', PAYMENT_MAX_ATTEMPTS: '2', PAYMENT_BACKOFF_MS: '20', PAYMENT_WORKER: 'false' });
    const url = await s.listen();
    // The server's own worker is off: this test's handler is the only consumer.
    stop = await s.box.payments.queue.consume(async (m) => {
      seen.push(m);
      if (!healthy) throw new Error('gateway unavailable (test)');
    });
    browser = await launchChromium();
    admin = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    admin.on('pageerror', (e) => errors.push(e.message));
    await admin.goto(`${url}/admin`);
    await admin.getByLabel('Email').fill('root@example.com');
    await admin.getByLabel('Password').fill('admin-password');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.locator('#who', { hasText: 'root@example.com' }).waitFor();
  });
  after(async () => {
    await stop?.();
    await browser?.close();
    await s?.close();
  });

  it('lists a dead letter, retries it with its button, and the worker gets it again', async () => {
    await admin.locator('#payments-depth', { hasText: 'Embedded (outbox table): 0 waiting, 0 in flight, 0 dead' }).waitFor();
    const sent = await enqueue(s.box.stores.db);
    s.box.payments.queue.nudge();
    for (let i = 0; i < 200 && (await s.box.payments.queue.depth()).dead === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await admin.locator('#payments-refresh').click();
    const row = admin.locator(`#dead-letters tr[data-message="${sent.id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /gateway unavailable \(test\)/);
    assert.match(await row.innerText(), new RegExp(sent.orderId));
    await admin.locator('#payments-depth', { hasText: '1 dead' }).waitFor();

    healthy = true;
    await row.getByRole('button', { name: `Retry message ${sent.id}` }).click();
    await admin.locator('#payments-status', { hasText: `Message ${sent.id} is back in the queue` }).waitFor();
    await row.waitFor({ state: 'detached' });
    await admin.locator('#audit tbody tr', { hasText: 'payment.dead-letter.retry' }).waitFor();
    for (let i = 0; i < 200 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(seen.map((m) => m.attempt), [1, 2, 1]);
    assert.deepEqual(errors, []);
  });
});
