// The Concurrency Lab page in Debian's Chromium: a race in unsafe mode double-books, a safe one does not.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { chromiumSkip, launchChromium, OUTPUT } from '../support/browser.ts';

describe('Concurrency Lab page in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    s = await startTestServer({}, { lab: { rateLimit: { max: 10_000 } } });
    const url = await s.listen();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'Concurrency Lab →' }).click();
    await page.waitForURL('**/lab');
    await page.locator('#live', { hasText: 'live' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const result = (buyer: string) => page.locator(`.buyer[data-buyer="${buyer}"] .result`);

  it('races in unsafe mode: two winners and the anomaly', async () => {
    await page.getByRole('radio', { name: /Unsafe/ }).check();
    await page.getByLabel('Delay between read and write').fill('100');
    await page.getByRole('button', { name: 'Race Alice and Bob' }).click();
    await result('alice').and(page.locator('[data-outcome="won"]')).waitFor();
    await result('bob').and(page.locator('[data-outcome="won"]')).waitFor();
    await page.locator('#message', { hasText: '2 winners for the same seat' }).waitFor();
    await page.locator('#anomalies .anomaly', { hasText: 'A1: 2 bookings' }).waitFor();
    assert.equal(await page.locator('.buyer[data-buyer="alice"] [data-seat="A1"]').getAttribute('data-state'), 'double');
    assert.equal(await page.locator('#bookings tbody tr.dup').count(), 2);
  });

  it('unavailable modes are shown with the reason, not hidden', async () => {
    const redis = page.getByRole('radio', { name: /Redis SET NX EX/ });
    assert.equal(await redis.isDisabled(), true);
    await page.locator('.modes .why', { hasText: 'REDIS_URL is not set' }).waitFor();
  });

  it('after a reset, races in a safe mode: one winner, no anomaly', async () => {
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator('#anomalies', { hasText: 'None' }).waitFor();
    await page.getByRole('radio', { name: /FOR UPDATE/ }).check();
    // Hand-picked: both buyers want B2 and B3, chosen with the keyboard.
    for (const buyer of ['alice', 'bob']) {
      for (const seat of ['B2', 'B3']) {
        await page.locator(`.buyer[data-buyer="${buyer}"] [data-seat="${seat}"]`).focus();
        await page.keyboard.press('Enter');
      }
    }
    assert.equal(await page.locator('.buyer[data-buyer="bob"] [data-seat="B3"]').getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Race Alice and Bob' }).click();
    await page.locator('#message', { hasText: '1 winner in' }).waitFor();
    const outcomes = [await result('alice').getAttribute('data-outcome'), await result('bob').getAttribute('data-outcome')].sort();
    assert.deepEqual(outcomes, ['refused', 'won']);
    await page.locator('#anomalies', { hasText: 'None' }).waitFor();
    await page.locator('#bookings tbody tr').nth(1).waitFor();
    assert.equal(await page.locator('#bookings tbody tr').count(), 2); // B2 and B3, once each
    assert.equal(await page.locator('#bookings tbody tr.dup').count(), 0);
  });

  it('runs a stress in the safe mode and shows the counts; screenshots', async () => {
    await page.getByRole('radio', { name: /Memory lock/ }).check();
    await page.getByLabel('Buyers', { exact: true }).fill('300');
    await page.getByRole('button', { name: 'Run stress' }).click();
    await page.locator('.stress-table', { hasText: 'duplicate bookings' }).waitFor({ timeout: 10_000 });
    const text = await page.locator('.stress-table').innerText();
    assert.match(text, /won\s+1\b/);
    assert.match(text, /refused\s+299\b/);
    assert.match(text, /duplicate bookings\s+0\b/);
    await page.locator('#locks li', { hasText: 'A1' }).waitFor();
    // Back to the unsafe race for the picture: both winners, the anomaly, the log.
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('radio', { name: /Unsafe/ }).check();
    await page.getByRole('button', { name: 'Race Alice and Bob' }).click();
    await page.locator('#anomalies .anomaly').waitFor();
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}/lab-page.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUTPUT}/lab-page-phone.png`, fullPage: true });
  });

  it('links back to the booking page', async () => {
    await page.getByRole('link', { name: '← Booking page' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  });
});
