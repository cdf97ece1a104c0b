// My bookings and the hold bar in Debian's Chromium: a free booking and a paid order (with its QR
// tickets, arriving live while the list is open) each with a booking reference, the list kept across
// a reload and readable on a phone, and the hold bar's Release and Back to seats.
// Pictures at 1366x768 and 390x844 go to test-output/site-bookings-*.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, DESKTOP, launchChromium, OUTPUT, PHONE, screenshots } from '../support/browser.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };

describe('My bookings and the hold bar in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let url: string;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    s = await startTestServer({ PAYMENT_BACKOFF_MS: '50' });
    url = await s.listen();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${url}/?showtime=inception-1`);
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 40);
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The page's own API calls, with its guest token. */
  async function asPage(method: string, path: string, body?: unknown) {
    const token = await page.evaluate(() => localStorage.getItem('boxoffice.guestToken'));
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const data = res.status === 204 ? null : await res.json();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }
  const shot = (name: string) => screenshots(page, `site-bookings-${name}`, { fullPage: true });
  const entry = (id: string) => page.locator(`#order-list > [data-order="${id}"]`);

  it('lists a free booking and a paid order with references and tickets, live, and after a reload', async () => {
    // A free booking, from the page.
    await page.locator('[data-seat="C3"]').click();
    await page.locator('[data-seat="C4"]').click();
    await page.getByRole('button', { name: /^Hold 2 seats/ }).click();
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.waitForFunction(() => document.querySelector('[data-seat="C3"]')?.getAttribute('data-state') !== 'mine');
    const { bookings } = await asPage('GET', '/api/v1/bookings');
    assert.equal(bookings.length, 1);
    // My bookings, from the header.
    await page.locator('#nav-orders').click();
    await entry(bookings[0].id).waitFor();
    assert.match(await entry(bookings[0].id).innerText(), /Inception[\s\S]*Booked[\s\S]*Seats C3, C4 · free[\s\S]*Booking reference [\w-]{8}/);
    // A priced order paid while the list is open: it turns up, then turns paid with its QR tickets.
    const hold = await asPage('POST', '/api/v1/showtimes/arrival-3/holds', { seats: ['F10', 'F11'] });
    const order = await asPage('POST', `/api/v1/holds/${hold.id}/checkout`, { email: 'ann@example.com' });
    await asPage('POST', `/api/v1/orders/${order.id}/payments`, { card: CARD });
    await entry(order.id).locator('.badge', { hasText: 'Paid' }).waitFor({ timeout: 10_000 });
    assert.match(await entry(order.id).innerText(), /Arrival[\s\S]*Seats F10, F11 · €39\.00[\s\S]*Booking reference/);
    await entry(order.id).locator('summary', { hasText: 'Tickets (2)' }).click();
    await page.waitForFunction((id) => [...document.querySelectorAll<HTMLImageElement>(`[data-order="${id}"] img.qr`)].every((img) => img.src.startsWith('data:image/')), order.id);
    assert.equal(await page.locator('#orders-count').innerText(), ' (2)');
    await shot('list');
    // axe (WCAG 2.x A/AA), no rule disabled: My bookings with a paid order's tickets open.
    assert.deepEqual(await axeViolations(page), []);
    // A reload keeps the view and the list.
    await page.reload();
    await entry(order.id).waitFor();
    assert.equal(await page.locator('#orders-view').isVisible(), true);
    assert.equal(await page.locator('#seats-view').isVisible(), false);
    await entry(bookings[0].id).waitFor();
    // On a phone: nothing wider than the screen.
    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0);
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize(DESKTOP);
  });

  it('shows a live hold in the hold bar: Release gives it back, Back to seats goes to its showtime', async () => {
    const first = await asPage('POST', '/api/v1/showtimes/arrival-1/holds', { seats: ['J9', 'J10'] });
    const bar = page.locator('#hold-bar');
    await bar.locator(`[data-hold="${first.id}"]`).waitFor({ timeout: 8_000 });
    assert.match(await bar.innerText(), /You hold 2 seats \(J9, J10\) for Arrival, .+, \d+:\d\d left/);
    // Once the page's clocks have ticked, the bar still reads "m:ss left" (the checkout's ticker once
    // overwrote it with a bare time).
    const before = await bar.locator('.hold-bar-left').innerText();
    await page.waitForFunction((t) => document.querySelector('#hold-bar .hold-bar-left')?.textContent !== t, before, { timeout: 5_000 });
    assert.match(await bar.locator('.hold-bar-left').innerText(), /^\d+:\d\d left$/);
    await shot('hold-bar');
    assert.deepEqual(await axeViolations(page), []);
    await bar.getByRole('button', { name: 'Release J9, J10' }).click();
    await bar.waitFor({ state: 'hidden' });
    assert.match(await page.locator('#message').innerText(), /Released J9, J10/);
    const { holds } = await asPage('GET', '/api/v1/holds');
    assert.equal(holds.length, 0);
    // A checked-out hold: its order below offers Pay and Cancel order, so the bar offers no Release
    // (releasing the hold would leave the order waiting without its seats).
    const paying = await asPage('POST', '/api/v1/showtimes/arrival-1/holds', { seats: ['J12'] });
    const order = await asPage('POST', `/api/v1/holds/${paying.id}/checkout`, { email: 'bar@example.com' });
    const item = bar.locator(`[data-hold="${paying.id}"]`);
    await item.getByRole('button', { name: 'Back to seats' }).waitFor({ timeout: 8_000 });
    await page.waitForFunction((id) => !document.querySelector(`#hold-bar [data-hold="${id}"] .release`), paying.id, { timeout: 8_000 });
    await asPage('POST', `/api/v1/orders/${order.id}/cancel`, {});
    await item.waitFor({ state: 'detached', timeout: 8_000 });
    // Another hold: Back to seats shows its showtime's map, the seats ours, the focus on the map.
    const second = await asPage('POST', '/api/v1/showtimes/arrival-2/holds', { seats: ['E5'] });
    await bar.locator(`[data-hold="${second.id}"]`).waitFor({ timeout: 8_000 });
    await bar.getByRole('button', { name: 'Back to seats' }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('showtime') === 'arrival-2');
    await page.waitForFunction(() => document.querySelector('[data-seat="E5"]')?.getAttribute('data-state') === 'mine');
    assert.equal(await page.locator('#seats-view').isVisible(), true);
    assert.equal(await bar.isVisible(), false);
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.seat !== undefined);
  });

  it('raised no error in the page', () => {
    assert.deepEqual(errors, []);
  });
});
