// The booking page in Debian's Chromium: two independent people watching the same showtime.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { chromiumSkip, launchChromium, OUTPUT } from '../support/browser.ts';
import { chooseShowtime } from '../support/site.ts';

describe('booking page in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  before(async () => {
    s = await startTestServer();
    const url = await s.listen();
    browser = await launchChromium();
    alice = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    bob = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    for (const page of [alice, bob]) {
      await page.goto(url);
      await page.locator('#live', { hasText: 'live' }).waitFor();
      await page.locator('[data-seat="D5"]').waitFor();
    }
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const seat = (page: Page, id: string) => page.locator(`[data-seat="${id}"]`);
  /** Waits until the seat shows `state`, and says how long that took. */
  async function seen(page: Page, id: string, state: string, timeout = 1_000): Promise<void> {
    await page.waitForFunction(([i, st]) => document.querySelector(`[data-seat="${i}"]`)?.getAttribute('data-state') === st, [id, state], { timeout });
  }

  /** Shows `showtime` of `movie` and waits for its seat map (`seats` of them). */
  async function show(page: Page, movie: string, showtime: string, seats: number): Promise<void> {
    await chooseShowtime(page, showtime);
    await page.waitForFunction((n) => document.querySelectorAll('[data-seat]').length === n, seats);
    await page.locator('#live', { hasText: 'live' }).waitFor();
  }

  it('shows a hold to the other person within a second, then the booking to both', async () => {
    // A free showtime: its hold is confirmed directly (a priced one goes through checkout-page.test.ts).
    for (const page of [alice, bob]) await show(page, 'inception', 'inception-1', 40);
    assert.match(await alice.locator('#prices').innerText(), /This showtime is free/);
    await seat(alice, 'D5').click();
    await seat(alice, 'D6').click();
    assert.equal(await seat(alice, 'D5').getAttribute('aria-pressed'), 'true');
    await alice.getByRole('button', { name: 'Hold 2 seats' }).click();
    await seen(alice, 'D5', 'mine');
    await seen(bob, 'D5', 'held');
    await seen(bob, 'D6', 'held');
    assert.match((await seat(bob, 'D5').getAttribute('aria-label')) ?? '', /held by someone else/);
    await alice.locator('.countdown').waitFor();
    assert.match(await alice.locator('.countdown').innerText(), /^(10:00|9:5\d)$/);

    await alice.getByRole('button', { name: 'Confirm booking' }).click();
    await seen(alice, 'D5', 'booked');
    await seen(bob, 'D5', 'booked');
    await seen(bob, 'D6', 'booked');
    await alice.locator('#message', { hasText: 'Booked D5, D6' }).waitFor();
    for (const page of [alice, bob]) await show(page, 'arrival', 'arrival-1', 240);
  });

  it('sends a hold of a priced showtime to checkout instead of confirming it', async () => {
    await seat(alice, 'D5').click();
    assert.match(await alice.locator('#selection').innerText(), /Selected: D5 · total €12\.50/);
    await alice.getByRole('button', { name: 'Hold 1 seat' }).click();
    await alice.locator('#checkout h2', { hasText: 'Check out' }).waitFor();
    assert.equal(await alice.locator('.hold button.confirm').count(), 0);
    await alice.getByRole('button', { name: 'Release', exact: true }).click();
    await seen(bob, 'D5', 'available');
    assert.equal(await alice.locator('#checkout').isHidden(), true);
  });

  it('frees a released seat in both pages', async () => {
    await seat(bob, 'E2').click();
    await bob.getByRole('button', { name: 'Hold 1 seat' }).click();
    await seen(alice, 'E2', 'held');
    await bob.getByRole('button', { name: 'Release', exact: true }).click();
    await seen(bob, 'E2', 'available');
    await seen(alice, 'E2', 'available');
  });

  it('frees an expired hold in both pages', async () => {
    const token = await alice.evaluate(() => localStorage.getItem('boxoffice.guestToken'));
    const owner = s.tokens.verify(token ?? '');
    assert.ok(owner);
    await s.box.service.holdSeats({ showtimeId: 'arrival-1', owner, seats: ['G9'], ttlMs: 700 });
    await seen(alice, 'G9', 'mine');
    await seen(bob, 'G9', 'held');
    await seen(alice, 'G9', 'available', 2_000);
    await seen(bob, 'G9', 'available', 1_000);
  });

  it('tells a person clearly when a seat they picked is taken by someone else', async () => {
    await seat(bob, 'H12').click();
    await seen(bob, 'H12', 'selected');
    await seat(alice, 'H12').click();
    await alice.getByRole('button', { name: 'Hold 1 seat' }).click();
    await bob.locator('#message', { hasText: 'H12 was just taken by someone else' }).waitFor({ timeout: 1_000 });
    await seen(bob, 'H12', 'held');
    await mkdir(OUTPUT, { recursive: true });
    await alice.screenshot({ path: `${OUTPUT}/booking-page.png`, fullPage: true });
    await bob.screenshot({ path: `${OUTPUT}/booking-page-phone.png`, fullPage: true });
  });

  it('gives the seats back when the page is closed', async () => {
    const carol = await (await browser.newContext()).newPage();
    await carol.goto(s.url);
    await carol.locator('#live', { hasText: 'live' }).waitFor();
    await carol.locator('[data-seat="K7"]').click();
    await carol.getByRole('button', { name: 'Hold 1 seat' }).click();
    await seen(alice, 'K7', 'held');
    await carol.close({ runBeforeUnload: true });
    await seen(alice, 'K7', 'available', 2_000);
  });

  it('stays live while someone arrows through the pickers with the keyboard', async () => {
    // Every change of the pickers shows another showtime. The server closes a socket that subscribes
    // more than 10 times at once or 2 a second after that (1008), so the page must not send one
    // subscribe per key press, and a late answer for a showtime left behind must not win.
    const page = await (await browser.newContext()).newPage();
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(s.url);
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('[data-seat="D5"]').waitFor();
    // Choosing showtimes one after the other as fast as the clicks go (each click shows another hall).
    const chip = async (id: string) => {
      const movie = id.replace(/-\d+$/, '');
      await page.locator(`label[data-movie="${movie}"]`).click();
      await page.locator(`label[data-day="${await page.locator(`[data-showtime="${id}"]`).getAttribute('data-day')}"]`).click();
      await page.locator(`[data-showtime="${id}"]`).click();
    };
    for (let i = 0; i < 3; i++) for (const id of ['dune-1', 'arrival-1', 'inception-1']) await chip(id);
    await chip('arrival-2');
    await page.waitForTimeout(1_500); // what the server does with the subscribes already sent
    assert.equal(sockets, 1, 'the server closed the page\'s socket');
    assert.equal(await page.locator('#live').innerText(), 'live');
    const showtime = await page.evaluate(() => new URL(location.href).searchParams.get('showtime'));
    assert.equal(showtime, 'arrival-2');
    const { showtimes } = await (await fetch(`${s.url}/api/v1/showtimes?movieId=arrival`)).json();
    assert.equal(await page.locator('[data-seat]').count(), showtimes.find((x: { id: string }) => x.id === showtime).seatCount);
    const owner = s.tokens.verify(await alice.evaluate(() => localStorage.getItem('boxoffice.guestToken') ?? '') ?? '');
    assert.ok(owner);
    await s.box.service.holdSeats({ showtimeId: showtime, owner, seats: ['B7'] });
    await seen(page, 'B7', 'held');
    await page.close();
  });

  it('loads without an error in the console', async () => {
    // A browser of its own: Chromium asks for /favicon.ico once per browser, not per context.
    const own = await launchChromium();
    const page = await (await own.newContext()).newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url);
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('[data-seat="D5"]').waitFor();
    await page.waitForTimeout(1_000); // the icon request the browser makes by itself (404 without one)
    await own.close();
    assert.deepEqual(errors, []);
  });

  it('is operable with the keyboard', async () => {
    await seat(alice, 'J3').focus();
    await alice.keyboard.press('Enter');
    await seen(alice, 'J3', 'selected');
    await alice.keyboard.press('Enter');
    await seen(alice, 'J3', 'available');
  });
});
