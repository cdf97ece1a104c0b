// The booking page in Debian's Chromium: two people (a desktop and a phone) on the same showtimes.
// The hold panel survives a reload, says why a hold ended (ran out, released by the venue), never
// shrinks a group hold silently, finds seats by itself, and the whole booking works with the keyboard.
// Screenshots (colour and greyscale, 1366x768 and 390x844) go to test-output/booking-*.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, DESKTOP, launchChromium, OUTPUT, PHONE, screenshots } from '../support/browser.ts';
import { chooseShowtime, seatState } from '../support/site.ts';


describe('booking page in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let alice: Page; // a desktop
  let bob: Page; // a phone
  const errors: string[] = [];

  before(async () => {
    s = await startTestServer();
    const url = await s.listen();
    browser = await launchChromium();
    alice = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    bob = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })).newPage();
    for (const page of [alice, bob]) {
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await ready(page);
    }
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  async function ready(page: Page): Promise<void> {
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('[data-seat="D5"]').waitFor();
  }
  const seat = (page: Page, id: string) => page.locator(`[data-seat="${id}"]`);
  /** Shows `showtime` of `movie` and waits for its seat map (`seats` of them). */
  async function show(page: Page, movie: string, showtime: string, seats: number): Promise<void> {
    await chooseShowtime(page, showtime);
    await page.waitForFunction((n) => document.querySelectorAll('[data-seat]').length === n, seats);
    await page.waitForFunction(() => document.querySelector('[data-seat]')?.getAttribute('data-state') !== null);
  }
  const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');
  const ownerOf = async (page: Page) => {
    const owner = s.tokens.verify((await page.evaluate(() => localStorage.getItem('boxoffice.guestToken'))) ?? '');
    assert.ok(owner);
    return owner;
  };
  /** Pictures of the page at both sizes, in colour and in greyscale (the states must read without colour). */
  const shot = (page: Page, name: string) => screenshots(page, `booking-${name}`, { grey: true });

  it('holds seats of a free showtime, shows them in the panel with the time, and confirms with a reference', async () => {
    for (const page of [alice, bob]) await show(page, 'inception', 'inception-1', 40);
    assert.match(await alice.locator('#prices').innerText(), /This showtime is free/);
    await shot(bob, 'start');
    await seat(alice, 'D5').click();
    await seat(alice, 'D6').click();
    assert.equal(await seat(alice, 'D5').getAttribute('aria-pressed'), 'true');
    assert.match(await alice.locator('#hold-panel').innerText(), /Selected: 2 seats: D5, D6/);
    await alice.getByRole('button', { name: 'Hold 2 seats' }).click();
    await seatState(alice, 'D5', 'mine');
    await seatState(bob, 'D6', 'held');
    assert.match((await seat(bob, 'D5').getAttribute('aria-label')) ?? '', /held by someone else/);
    // The focus is on the panel, which says what is held and for how long.
    assert.equal(await alice.evaluate(() => document.activeElement?.id), 'hold-title');
    const card = alice.locator('.hold-card');
    assert.match(await card.innerText(), /2 seats: D5, D6/);
    assert.match(await card.locator('.countdown').innerText(), /^(10:00|9:5\d)$/);
    await shot(alice, 'held');
    // axe (WCAG 2.x A/AA), no rule disabled: the page with a selection, a hold and a rival's hold.
    await seat(bob, 'E1').click();
    assert.deepEqual(await axeViolations(alice), []);
    assert.deepEqual(await axeViolations(bob), []);
    await seat(bob, 'E1').click();
    await alice.getByRole('button', { name: 'Confirm booking' }).click();
    await alice.locator('.notice-done').waitFor();
    assert.match(await focusedText(alice), /Booked/);
    assert.match(await alice.locator('.notice-done').innerText(), /Booking reference\s+\S{6,}[\s\S]*2 seats: D5, D6/);
    // The step indicator ends on Tickets for a free booking too (it went back to Seats).
    await alice.waitForFunction(() => document.querySelector('#steps [aria-current="step"]')?.getAttribute('data-step') === 'tickets', null, { timeout: 2_000 });
    await seatState(alice, 'D5', 'yours');
    await seatState(bob, 'D5', 'booked');
    assert.match((await seat(alice, 'D5').getAttribute('aria-label')) ?? '', /booked by you/);
    await shot(alice, 'booked');
    assert.deepEqual(await axeViolations(alice), []);
  });

  it('keeps a hold through a reload and in a second tab', async () => {
    await show(alice, 'arrival', 'arrival-1', 240);
    await seat(alice, 'J10').click();
    await seat(alice, 'J9').click();
    await alice.getByRole('button', { name: 'Hold 2 seats' }).click();
    await alice.locator('.hold-card').waitFor();
    assert.match(await alice.locator('.hold-card').innerText(), /2 seats: J9, J10 · €25\.00/);
    await alice.reload();
    await ready(alice);
    await alice.locator('.hold-card', { hasText: 'J9, J10' }).waitFor();
    await seatState(alice, 'J9', 'mine');
    assert.equal(await alice.evaluate(() => new URL(location.href).searchParams.get('showtime')), 'arrival-1');
    // A second tab of the same person shows it too, with its showtime.
    const tab = await alice.context().newPage();
    await tab.goto(s.url);
    await tab.locator('.hold-card', { hasText: 'J9, J10' }).waitFor();
    assert.match(await tab.locator('.hold-card .hold-what').innerText(), /Arrival/);
    // Released in the other tab: this one says so, and the panel is clear.
    await tab.locator('.hold-card .release').click();
    await alice.locator('.notice-ended', { hasText: 'Released' }).waitFor();
    assert.equal(await alice.locator('.hold-card').count(), 0);
    await tab.close();
  });

  it('turns urgent under a minute, reads out the time at 30 s, and says when a hold ran out', async () => {
    const owner = await ownerOf(alice);
    const urgent = await s.box.service.holdSeats({ showtimeId: 'arrival-1', owner, seats: ['G9'], ttlMs: 31_500 });
    await alice.locator('.hold-card.urgent', { hasText: 'G9' }).waitFor();
    assert.match(await alice.locator('.hold-card.urgent').innerText(), /under a minute/);
    await alice.locator('#hold-announce', { hasText: '30 seconds left to keep seat G9' }).waitFor({ timeout: 4_000 });
    await shot(alice, 'urgent');
    // Extend: back to a full hold (up to the server's cap), no longer urgent.
    await alice.locator('.hold-card', { hasText: 'G9' }).getByRole('button', { name: 'Extend' }).click();
    await alice.locator('.hold-card:not(.urgent)', { hasText: 'G9' }).waitFor();
    assert.match(await alice.locator('.hold-card .countdown').innerText(), /^(10:00|9:5\d)$/);
    await s.box.service.releaseHold({ holdId: urgent.id, owner });
    await s.box.service.holdSeats({ showtimeId: 'arrival-1', owner, seats: ['G10'], ttlMs: 800 });
    await seatState(alice, 'G10', 'mine');
    await alice.locator('.notice-ended', { hasText: 'ran out' }).waitFor({ timeout: 3_000 });
    assert.equal(await alice.locator('.hold-card').count(), 0);
    assert.match(await alice.locator('#hold-notice').innerText(), /G10/);
    await shot(alice, 'expired');
    assert.deepEqual(await axeViolations(alice), []);
  });

  it('says when the venue force-released a hold', async () => {
    const owner = await ownerOf(alice);
    const hold = await s.box.service.holdSeats({ showtimeId: 'arrival-1', owner, seats: ['H3', 'H4'] });
    await alice.locator('.hold-card', { hasText: 'H3, H4' }).waitFor();
    await s.box.service.forceRelease(hold.id);
    await alice.locator('.notice-ended', { hasText: 'Released by the venue' }).waitFor();
    assert.equal(await alice.locator('.hold-card').count(), 0);
  });

  it('holds nothing when one seat of a group was taken a moment before, and says which', async () => {
    const rival = await ownerOf(bob);
    for (const id of ['K5', 'K6', 'K7']) await seat(alice, id).click();
    // The rival takes K6 just as Alice's request leaves, before any delta could reach her page.
    let taken: { id: string } | undefined;
    await alice.route('**/api/v1/showtimes/arrival-1/holds', async (route) => {
      if (route.request().method() === 'POST') taken = await s.box.service.holdSeats({ showtimeId: 'arrival-1', owner: rival, seats: ['K6'] });
      await route.continue();
    });
    await alice.getByRole('button', { name: 'Hold 3 seats' }).click();
    await alice.locator('.notice-problem', { hasText: 'Nothing was held' }).waitFor();
    await alice.unroute('**/api/v1/showtimes/arrival-1/holds');
    assert.match(await alice.locator('.notice-problem').innerText(), /K6 was taken a moment before you/);
    assert.equal(await alice.locator('.hold-card').count(), 0);
    for (const id of ['K5', 'K7']) assert.equal(await seat(alice, id).getAttribute('data-state'), 'selected');
    assert.equal(await alice.getByRole('button', { name: 'Find 3 seats together' }).count(), 1);
    await shot(alice, 'group-lost');
    for (const id of ['K5', 'K7']) await seat(alice, id).click();
    await s.box.service.releaseHold({ holdId: taken!.id, owner: rival });
  });

  it('finds seats from the page, and says when none are together or too few are left', async () => {
    // The 409s are the server's contract (README); answered here so the page's words are checked.
    await alice.route('**/api/v1/showtimes/arrival-1/holds', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'no block', code: 'NO_SEATS_TOGETHER', details: { split: ['C1', 'C2', 'E7', 'E8'] } }) })
        : route.continue());
    await alice.selectOption('#best-count', '4');
    await alice.getByRole('button', { name: 'Find seats' }).click();
    await alice.locator('.notice-problem', { hasText: 'No 4 seats together' }).waitFor();
    assert.match(await alice.locator('.notice-problem').innerText(), /hold 4 seats apart: C1, C2, E7, E8/);
    await alice.unroute('**/api/v1/showtimes/arrival-1/holds');
    // "Hold them apart" holds the very seats the notice named, not a new pick.
    const sent: unknown[] = [];
    alice.on('request', (r) => void (r.method() === 'POST' && r.url().endsWith('/holds') && sent.push(r.postDataJSON())));
    await alice.getByRole('button', { name: 'Hold them apart' }).click();
    await alice.locator('.hold-card').waitFor();
    assert.deepEqual(sent.at(-1), { seats: ['C1', 'C2', 'E7', 'E8'] });
    assert.match(await alice.locator('.hold-card .hold-seats').innerText(), /^4 seats: C1, C2, E7, E8/);
    await alice.locator('.hold-card .release').click();
    await alice.locator('.hold-card').waitFor({ state: 'detached' });
    await alice.route('**/api/v1/showtimes/arrival-1/holds', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'too few', code: 'NOT_ENOUGH_SEATS', details: { available: 3 } }) })
        : route.continue());
    await alice.getByRole('button', { name: 'Find seats' }).click();
    await alice.locator('.notice-problem', { hasText: 'Only 3 seats are left' }).waitFor();
    await alice.unroute('**/api/v1/showtimes/arrival-1/holds');
    // And for real: the server picks 2 seats together and holds them.
    await alice.selectOption('#best-count', '2');
    await alice.getByRole('button', { name: 'Find seats' }).click();
    await alice.locator('.hold-card').waitFor();
    assert.deepEqual(sent.at(-1), { best: { together: true, count: 2 } });
    assert.match(await alice.locator('.hold-card .hold-seats').innerText(), /^2 seats: ([A-Z])(\d+), \1\d+/);
    await alice.locator('.hold-card .release').click();
    await alice.locator('.notice-ended').waitFor();
  });

  it('books with the keyboard alone: skip link, arrows, Space, Hold, Confirm, then the confirmation', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    // The showtime comes from the address (the site's picker is tested by keyboard in site-account.test.ts).
    await page.goto(`${s.url}/?showtime=inception-1`);
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 40 && document.querySelector('[data-seat]')?.getAttribute('data-state') !== null);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip-to-seats');
    await page.keyboard.press('Enter');
    const cursor = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.seat);
    assert.equal(await cursor(), 'A1');
    await page.keyboard.press('End');
    assert.equal(await cursor(), 'A8');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.equal(await cursor(), 'C2');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await seatState(page, 'C3', 'selected');
    // One Tab leaves the map (one Tab stop), the next reaches Hold.
    for (let i = 0; i < 10 && !(await focusedText(page)).startsWith('Hold 2'); i++) await page.keyboard.press('Tab');
    assert.equal(await focusedText(page), 'Hold 2 seats');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'hold-title');
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(page), 'Confirm booking');
    await page.keyboard.press('Enter');
    await page.locator('.notice-done').waitFor();
    assert.match(await focusedText(page), /Booked/);
    assert.match(await page.locator('.notice-done').innerText(), /Booking reference[\s\S]*2 seats: C2, C3/);
    await page.close();
  });

  it('fits a large hall on a phone, zooms to seats a finger can tap, and keeps the panel on screen', async () => {
    await show(bob, 'arrival', 'arrival-2', 240);
    const box = async () => (await seat(bob, 'F10').boundingBox())!;
    assert.ok((await box()).width < 32);
    // Square at the fitted size too (the phone's 2.5rem minimum for buttons once made seats slivers).
    assert.ok(Math.abs((await box()).height - (await box()).width) <= 1, `a seat is square: ${JSON.stringify(await box())}`);
    // Zoom out is disabled at the fit, so the hint does not offer it.
    if (await bob.locator('#map-hint').isVisible()) assert.doesNotMatch(await bob.locator('#map-hint').innerText(), /zoom out/i);
    await seat(bob, 'F10').tap();
    const panel = (await bob.locator('#hold-panel').boundingBox())!;
    assert.ok(panel.y + panel.height <= PHONE.height + 1 && panel.y > PHONE.height / 2, 'the panel is a bar at the bottom of the screen');
    await bob.getByRole('button', { name: 'Zoom in' }).tap();
    assert.ok((await box()).width >= 32);
    assert.equal(await bob.locator('#map-hint').isVisible(), true);
    assert.match(await bob.locator('#map-hint').innerText(), /swipe/i);
    assert.equal(await bob.locator('#minimap').isVisible(), true, 'a mini-map of the zoomed hall');
    await bob.getByRole('button', { name: 'Hold 1 seat' }).tap();
    await bob.locator('.hold-card').waitFor();
    await shot(bob, 'held');
    await bob.locator('.hold-card .release').tap();
    await bob.locator('.notice-ended').waitFor();
  });

  it('stays live while someone arrows through the pickers with the keyboard', async () => {
    // The server closes a socket that subscribes more than 10 times at once or 2 a second after that
    // (1008), so the page must not send one subscribe per key press.
    const page = await (await browser.newContext()).newPage();
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(s.url);
    await ready(page);
    // Showtimes chosen one after the other as fast as the clicks go (each shows another hall).
    const chip = async (id: string) => {
      await page.locator(`label[data-movie="${id.replace(/-\d+$/, '')}"]`).click();
      await page.locator(`label[data-day="${await page.locator(`[data-showtime="${id}"]`).getAttribute('data-day')}"]`).click();
      await page.locator(`[data-showtime="${id}"]`).click();
    };
    for (let i = 0; i < 3; i++) for (const id of ['dune-1', 'arrival-1', 'inception-1']) await chip(id);
    await chip('arrival-2');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('showtime') === 'arrival-2');
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 240);
    const owner = await ownerOf(alice);
    await s.box.service.holdSeats({ showtimeId: 'arrival-2', owner, seats: ['B7'] });
    await seatState(page, 'B7', 'held', 3_000);
    assert.equal(sockets, 1, "the server closed the page's socket");
    await page.close();
  });

  it('raised no error in the pages', () => {
    assert.deepEqual(errors, []);
  });
});
