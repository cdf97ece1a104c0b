// The booking page's checkout in Debian's Chromium, through the in-process payment worker and the
// simulated gateway: a paid order ends with QR tickets, a declined card lets the person try another,
// and My bookings refunds a paid order (another person then sees its seats free). Each step is
// photographed at 1366x768 and 390x844 into test-output/checkout-*.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, DESKTOP, launchChromium, OUTPUT, PHONE, screenshots } from '../support/browser.ts';
import { chooseShowtime, seatState } from '../support/site.ts';

const EXPIRY = `12/${String(new Date().getFullYear() + 2).slice(-2)}`;

describe('checkout on the booking page in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let ann: Page; // on a desktop
  let bob: Page; // on a phone
  const errors: string[] = [];
  let orderFrames = 0;

  before(async () => {
    // Realistic gateway latency, so the page shows a payment being processed.
    s = await startTestServer({ GATEWAY_LATENCY_MS: '800-1200', PAYMENT_BACKOFF_MS: '50' });
    const url = await s.listen();
    browser = await launchChromium();
    ann = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    bob = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })).newPage();
    ann.on('websocket', (ws) => ws.on('framereceived', (f) => void (typeof f.payload === 'string' && f.payload.startsWith('{"type":"order"') && orderFrames++)));
    for (const page of [ann, bob]) {
      page.on('pageerror', (e) => errors.push(e.message));
      // The card number that fails its check digit is refused on purpose (400); anything else is an error.
      page.on('console', (m) => void (m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(m.text())));
      await page.goto(url);
      await page.locator('#live', { hasText: 'live' }).waitFor();
      await page.locator('[data-seat="D5"]').waitFor();
    }
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The page at both sizes (a desktop page is narrowed to a phone's width for its second picture). */
  const shot = (page: Page, name: string) => screenshots(page, `checkout-${name}`, { fullPage: true });
  async function pick(page: Page, showtime: string, seats: string[]): Promise<void> {
    await chooseShowtime(page, showtime);
    await page.locator('[data-seat="B7"]').waitFor();
    for (const id of seats) await page.locator(`[data-seat="${id}"]`).click();
  }
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.className || '');
  async function fillCard(page: Page, scope: string, number: string): Promise<void> {
    await page.locator(`${scope} input[name="number"]`).fill(number);
    await page.locator(`${scope} input[name="expiry"]`).fill(EXPIRY);
    await page.locator(`${scope} input[name="cvc"]`).fill('123');
  }
  const state = (page: Page, id: string) => page.locator(`[data-seat="${id}"]`).getAttribute('data-state');

  it('shows prices, checks the hold out, pays, and ends with QR tickets', async () => {
    await pick(bob, 'arrival-3', []);
    await pick(ann, 'arrival-3', ['E5', 'E6']);
    assert.match(await ann.locator('#prices').innerText(), /standard\s+€14\.50[\s\S]*premium\s+€19\.50[\s\S]*wheelchair space\s+€9\.50/);
    assert.match(await ann.locator('#hold-panel').innerText(), /Selected: 2 seats: E5, E6 · €29\.00/);
    assert.match((await ann.locator('[data-seat="E5"]').getAttribute('aria-label')) ?? '', /€14\.50, selected/);
    await shot(ann, '1-seats');

    // From the end of the page (as after tabbing past the map): the checkout opening beside the panel
    // must not leave the focused panel title above the window.
    await ann.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await ann.getByRole('button', { name: 'Hold 2 seats' }).click();
    await ann.locator('#checkout h2', { hasText: 'Check out' }).waitFor();
    assert.equal(await focused(ann), 'hold-title', 'the focus moves to the hold panel');
    await ann.waitForFunction(() => document.getElementById('hold-title')!.getBoundingClientRect().top >= 0, null, { timeout: 2_000 });
    assert.match(await ann.locator('.hold-card').innerText(), /2 seats: E5, E6 · €29\.00/);
    await ann.locator('.hold-card').getByRole('button', { name: 'Check out' }).click();
    assert.equal(await focused(ann), 'checkout-email', 'Check out moves the focus to the checkout form');
    // axe (WCAG 2.x A/AA), no rule disabled: the checkout panel beside the map.
    assert.deepEqual(await axeViolations(ann), []);
    assert.match(await ann.locator('#checkout .lines').innerText(), /E5\s+standard\s+€14\.50[\s\S]*Total\s+€29\.00/);
    assert.match(await ann.locator('#checkout .hint').innerText(), /4242 4242 4242 4242 pays/);
    await seatState(bob, 'E5', 'held');

    // A wrong form is said in words beside the field, and nothing is sent.
    await ann.keyboard.type('ann@example');
    await ann.getByRole('button', { name: 'Pay €29.00' }).click();
    assert.equal(await ann.locator('#checkout-email-error').innerText(), 'This does not look like an email address.');
    assert.equal(await focused(ann), 'checkout-email');
    await ann.locator('#checkout-email').fill('ann@example.com');
    await fillCard(ann, '#checkout', '4242 4242 4242 4241'); // fails Luhn: the server says which field
    await ann.getByRole('button', { name: 'Pay €29.00' }).click();
    await ann.locator('#checkout-number-error', { hasText: 'check digit' }).waitFor();
    assert.equal(await focused(ann), 'checkout-number');
    await shot(ann, '2-checkout-form');

    await ann.locator('#checkout-number').fill('4242 4242 4242 4242');
    await ann.locator('#checkout-number').press('Enter');
    await ann.locator('#checkout .processing', { hasText: 'Paying €29.00 with Visa ending 4242' }).waitFor();
    await shot(ann, '3-processing');
    await ann.locator('#checkout h2', { hasText: 'Your tickets' }).waitFor({ timeout: 10_000 });
    assert.equal(await focused(ann), 'checkout-title', 'the focus moves to the result');
    assert.match(await ann.locator('#checkout .reference').innerText(), /Booking reference \S{6,}/);
    assert.ok(orderFrames > 0, 'the outcome came over /ws (follow-orders)');
    const qr = ann.locator('#checkout img.qr').first();
    await ann.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('#checkout img.qr');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const src = (await qr.getAttribute('src')) ?? '';
    const svg = /^data:image\/svg\+xml;base64,(.+)$/.exec(src);
    assert.ok(svg, `a data: URL of an SVG, not ${src.slice(0, 40)}`);
    assert.match(Buffer.from(svg[1]!, 'base64').toString('utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    assert.equal(await ann.locator('#checkout .ticket').count(), 2);
    assert.match(await ann.locator('#checkout .ticket').first().innerText(), /Seat E5[\s\S]*Code ord_/);
    await seatState(ann, 'E5', 'yours');
    await seatState(bob, 'E5', 'booked');
    await shot(ann, '4-tickets');
    assert.deepEqual(await axeViolations(ann), []);
  });

  it('says why a card was declined and takes another while the hold lasts', async () => {
    await pick(bob, 'arrival-1', ['C4']);
    await bob.getByRole('button', { name: 'Hold 1 seat' }).click();
    await bob.locator('#checkout h2', { hasText: 'Check out' }).waitFor();
    await bob.locator('.hold-card').getByRole('button', { name: 'Check out' }).click();
    assert.equal(await focused(bob), 'checkout-email');
    await bob.locator('#checkout-email').fill('bob@example.com');
    await fillCard(bob, '#checkout', '4000 0000 0000 9995');
    await bob.getByRole('button', { name: 'Pay €12.50' }).click();
    await bob.locator('#checkout h2', { hasText: 'Try another card' }).waitFor({ timeout: 10_000 });
    assert.equal(await bob.locator('#checkout .form-error').innerText(), 'Visa ending 9995 did not go through: the card has insufficient funds. Try another card.');
    assert.equal(await focused(bob), 'checkout-number', 'the focus is back on the card number');
    assert.match(await bob.locator('#checkout .window').innerText(), /held for you for \d+:\d\d more/);
    assert.equal(await state(bob, 'C4'), 'mine');
    await shot(bob, '5-declined');

    await fillCard(bob, '#checkout', '5555 5555 5555 4444');
    await bob.getByRole('button', { name: 'Pay €12.50' }).click();
    await bob.locator('#checkout h2', { hasText: 'Your tickets' }).waitFor({ timeout: 10_000 });
    assert.match(await bob.locator('#checkout .paid').innerText(), /Paid €12\.50 with Mastercard ending 4444/);
    await seatState(bob, 'C4', 'yours');
  });

  it('pays a pending order from My bookings with another card', async () => {
    await pick(bob, 'arrival-2', ['D3']);
    await bob.getByRole('button', { name: 'Hold 1 seat' }).click();
    await bob.locator('#checkout-email').waitFor();
    await fillCard(bob, '#checkout', '4000 0000 0000 0002');
    await bob.getByRole('button', { name: 'Pay €12.50' }).click();
    await bob.locator('#checkout h2', { hasText: 'Try another card' }).waitFor({ timeout: 10_000 });

    await bob.locator('#nav-orders').click();
    assert.equal(await focused(bob), 'orders-title');
    const entry = bob.locator('.order[data-state="pending_payment"]');
    assert.match(await entry.innerText(), /Waiting for payment[\s\S]*Seat D3 · €12\.50[\s\S]*Last try: Visa ending 0002, the card was declined/);
    assert.match(await bob.locator('.order[data-state="paid"]').innerText(), /Arrival[\s\S]*Paid[\s\S]*Seat C4 · €12\.50/);
    await entry.getByRole('button', { name: 'Pay €12.50' }).click();
    assert.equal(await focused(bob), `order-${await entry.getAttribute('data-order')}-number`);
    await fillCard(bob, '.order[data-state="pending_payment"]', '4242424242424242');
    await shot(bob, '6-my-orders-pay');
    await entry.getByRole('button', { name: 'Pay €12.50' }).click();
    await bob.locator('.order[data-state="paid"]').nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await bob.locator('.order[data-state="pending_payment"]').count(), 0);
  });

  it('cancels a paid order from My bookings: refunded, and its seats free on another page', async () => {
    await bob.locator('#nav-seats').click();
    await pick(bob, 'arrival-3', []);
    await seatState(bob, 'E5', 'booked');
    await ann.locator('#nav-orders').click();
    const entry = ann.locator('.order[data-state="paid"]');
    await entry.waitFor();
    assert.match(await entry.innerText(), /Arrival[\s\S]*Paid[\s\S]*Seats E5, E6 · €29\.00[\s\S]*Paid with Visa ending 4242/);
    await entry.getByText('Tickets (2)').click();
    await ann.waitForFunction(() => document.querySelector<HTMLImageElement>('.order img.qr')?.src.startsWith('data:image/svg+xml'));
    await shot(ann, '7-my-orders');

    await entry.getByRole('button', { name: 'Cancel and refund' }).click();
    assert.equal(await focused(ann), 'confirm-refund danger');
    assert.match(await entry.innerText(), /Cancel seats e5, e6 and refund €29\.00 to your card\?/i);
    await ann.keyboard.press('Enter');
    const refunded = ann.locator('.order[data-state="refunded"]');
    await refunded.waitFor();
    assert.match(await refunded.locator('.badge').innerText(), /^Refunded$/);
    await refunded.locator('.order-status', { hasText: '€29.00 refunded to your card.' }).waitFor({ timeout: 10_000 });
    await ann.locator('#message', { hasText: 'Order cancelled' }).waitFor();
    await seatState(bob, 'E5', 'available');
    await seatState(bob, 'E6', 'available');
    await shot(ann, '8-refunded');
  });

  it('learns the outcome by polling the order when the socket never connects', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    // A WebSocket that never opens: no seat feed, no follow-orders.
    await page.addInitScript(() => {
      (window as unknown as { WebSocket: unknown }).WebSocket = class { static OPEN = 1; readyState = 0; send() {} close() {} };
    });
    await page.goto(s.url);
    await page.locator('[data-seat="D5"]').waitFor();
    assert.equal(await page.locator('#live').innerText(), 'connecting…');
    await pick(page, 'arrival-2', ['J9']);
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.locator('#checkout-email').fill('carol@example.com');
    await fillCard(page, '#checkout', '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay €12.50' }).click();
    await page.locator('#checkout h2', { hasText: 'Your tickets' }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('loads without an error in the console', () => {
    assert.deepEqual(errors, []);
  });
});
