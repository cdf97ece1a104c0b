// The Concurrency Lab page in Debian's Chromium: a race in unsafe mode double-books, a safe one does not,
// and the timeline shows why (the two buyers' read-to-write windows overlap, or do not).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, launchChromium, OUTPUT } from '../support/browser.ts';

describe('Concurrency Lab page in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    s = await startTestServer({}, { lab: { rateLimit: { max: 10_000 } } });
    const url = await s.listen();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.setDefaultTimeout(5_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`)));
    await page.goto(`${url}/lab`);
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 20_000 }); // the lab's database opens on first use
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

  it('draws the race as one lane per buyer: read, wait, write, with the overlap shaded', async () => {
    const lanes = page.locator('#timeline .lane');
    assert.equal(await lanes.count(), 2);
    for (const buyer of ['alice', 'bob']) {
      const phases = await page.locator(`#timeline .lane[data-buyer="${buyer}"] .phase`).evaluateAll((bars) => bars.map((b) => b.getAttribute('data-phase')));
      assert.deepEqual(phases, ['read', 'wait', 'write'], buyer);
      assert.match(await page.locator(`#timeline .lane[data-buyer="${buyer}"] [role="img"]`).getAttribute('aria-label') ?? '', /: read \d+ ms to \d+ ms, wait \d+ ms to \d+ ms, write .*; won$/);
    }
    // Both read "available" before either wrote: the 100 ms waits overlap, and the page says so.
    assert.equal(await page.locator('#timeline .lane[data-buyer="alice"] .overlap').count(), 1);
    await page.locator('.timeline-says[data-overlap="true"]', { hasText: 'both buyers had read the seat' }).waitFor();
    await page.locator('.lab-legend', { hasText: 'booked twice' }).waitFor();
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
    // The row lock made the loser's read wait for the winner's write: no window where both had read.
    await page.locator('.timeline-says[data-overlap="false"]').waitFor();
    assert.equal(await page.locator('#timeline .overlap').count(), 0);
  });

  it('reconnects its socket by itself after it dropped, and follows on', async () => {
    for (const socket of s.app.websocketServer.clients) socket.terminate();
    await page.locator('#live', { hasText: 'reconnecting' }).waitFor();
    await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 10_000 });
    await s.app.inject({ method: 'POST', url: '/lab/api/book', payload: { showtime: 'lab-1', mode: 'unsafe', buyer: 'bob', seats: ['C1'], delayMs: 0 } });
    await page.locator('.buyer[data-buyer="alice"] [data-seat="C1"][data-state="booked"]').waitFor();
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
    await page.locator('.timeline-says[data-overlap="true"]').waitFor();
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}/lab-page.png`, fullPage: true });
    await page.locator('.timeline-panel').screenshot({ path: `${OUTPUT}/lab-timeline.png` });
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUTPUT}/lab-page-phone.png`, fullPage: true });
    await page.locator('.timeline-panel').screenshot({ path: `${OUTPUT}/lab-timeline-phone.png` });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scrolling of the page');
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize({ width: 1366, height: 768 });
    assert.deepEqual(errors, []);
  });

  it('links back to the booking page', async () => {
    assert.equal(await page.getByRole('link', { name: '← Booking page' }).getAttribute('href'), '/');
  });
});
