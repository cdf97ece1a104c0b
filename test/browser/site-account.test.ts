// The booking site around the seat map, in Debian's Chromium: choosing a showtime with the keyboard
// alone (movie card, day, showtime chip, then the seat map), the showtime kept in the address across
// a reload and Back, registering, and signing in as a guest who holds seats (the holds stay theirs).
// Pictures at 1366x768 and 390x844 go to test-output/site-*.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, DESKTOP, launchChromium, OUTPUT, PHONE } from '../support/browser.ts';


describe('the booking site: showtime choice and accounts in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let url: string;
  const errors: string[] = [];

  before(async () => {
    s = await startTestServer();
    url = await s.listen();
    browser = await launchChromium();
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  async function open(viewport = DESKTOP, path = '/'): Promise<Page> {
    const page = await (await browser.newContext({ viewport, ...(viewport === PHONE && { isMobile: true, hasTouch: true }) })).newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // A wrong password (401) and a taken email (409) are refused on purpose; anything else is an error of the page.
    page.on('console', (m) => void (m.type() === 'error' && !/status of (401|409)/.test(m.text()) && errors.push(m.text())));
    await page.goto(url + path);
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('[data-seat]').first().waitFor();
    return page;
  }
  const focused = (page: Page) => page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (a instanceof HTMLInputElement && a.type === 'radio') return `${a.name}=${a.value}`;
    return a?.dataset.seat ? `seat ${a.dataset.seat}` : a?.id || a?.dataset.showtime || a?.tagName || '';
  });
  const showtimeInUrl = (page: Page) => page.evaluate(() => new URL(location.href).searchParams.get('showtime'));
  async function shot(page: Page, name: string): Promise<void> {
    const size = page.viewportSize()?.width === PHONE.width ? 'phone' : 'desktop';
    await page.screenshot({ path: `${OUTPUT}/site-${name}-${size}.png`, animations: 'disabled' });
  }

  it('chooses a showtime with the keyboard alone: movie card, day, chip, then the seat map', async () => {
    const page = await open();
    assert.equal(await page.locator('#steps [aria-current="step"]').getAttribute('data-step'), 'seats');
    await shot(page, 'choice');
    // axe (WCAG 2.x A/AA), no rule disabled: the showtime choice above the seat map.
    assert.deepEqual(await axeViolations(page), []);
    // Tab from the top of the page to the movie cards (a radio group: one Tab stop).
    for (let i = 0; i < 20 && !/^movie=/.test(await focused(page)); i++) await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'movie=arrival');
    // Arrow keys move between the cards and choose: Inception, then Dune.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(page), 'movie=dune');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(page), 'movie=inception');
    // Until a showtime of it is chosen, Arrival's hall steps aside and a line asks for a showtime.
    assert.equal(await page.locator('#seat-map').isHidden(), true);
    assert.equal(await page.locator('#choose-showtime').innerText(), 'Choose a showtime of Inception above: its seats show here.');
    assert.equal(await page.locator('#steps [aria-current="step"]').getAttribute('data-step'), 'showtime');
    await shot(page, 'movie-without-showtime');
    await page.keyboard.press('Tab'); // the days: Inception plays on one
    assert.match(await focused(page), /^day=/);
    await page.keyboard.press('Tab'); // its one showtime chip
    assert.equal(await focused(page), 'inception-1');
    await page.keyboard.press('Enter');
    // The seat map is next: the focus is on its one Tab stop, and the address names the showtime.
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.seat !== undefined);
    assert.equal(await showtimeInUrl(page), 'inception-1');
    assert.equal(await page.locator('[data-seat]').count(), 40);
    assert.match(await page.locator('#seats-heading').innerText(), /^Choose your seats for Inception · /);
    assert.equal(await page.locator('[data-showtime="inception-1"]').getAttribute('aria-current'), 'true');
    await shot(page, 'chosen');
    // A reload keeps the showtime; Back goes to the one before.
    await page.reload();
    await page.locator('[data-seat]').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 40);
    assert.equal(await page.locator('label[data-movie="inception"] input').isChecked(), true);
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 240);
    assert.equal(await showtimeInUrl(page), null);
    await page.context().close();
  });

  it("shows a movie's rating and how full a showtime is (filling fast)", async () => {
    // Dune's hall has 24 seats: 20 held leaves 4 (under a fifth), "filling fast".
    for (const row of ['AB', 'CD']) {
      const seats = [...row].flatMap((r) => [1, 2, 3, 4, 5].map((n) => `${r}${n}`));
      await s.box.service.holdSeats({ showtimeId: 'dune-1', owner: s.tokens.issue().owner, seats });
    }
    // A rating shows once a movie has reviews (writing one needs a paid, started showtime: the
    // catalog's answer is given one here instead).
    const page = await open(PHONE);
    await page.context().route('**/api/v1/movies', async (route) => {
      const answer = await (await route.fetch()).json();
      for (const m of answer.movies) if (m.id === 'dune') m.rating = { average: 4.25, count: 8 };
      await route.fulfill({ json: answer });
    });
    await page.reload();
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('label[data-movie="dune"] .rating').waitFor();
    assert.equal(await page.getByRole('radio', { name: /Dune: Part Two.*4\.3 out of 5 from 8 reviews/ }).count(), 1);
    await page.locator('label[data-movie="dune"]').click();
    const chip = page.locator('[data-showtime="dune-1"]');
    await chip.waitFor();
    assert.match(await chip.innerText(), /Filling fast · 4 left/);
    await shot(page, 'filling-fast');
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  it('registers from the header dialog: errors beside the fields, Escape closes, the focus comes back', async () => {
    const page = await open();
    await page.locator('#sign-in').click();
    const dialog = page.getByRole('dialog', { name: 'Sign in' });
    await dialog.waitFor();
    assert.equal(await focused(page), 'account-email');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), 'sign-in');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'New here? Create an account' }).click();
    await page.getByRole('dialog', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    assert.equal(await page.locator('#account-email-error').innerText(), 'This does not look like an email address.');
    assert.equal(await page.locator('#account-password-error').innerText(), 'Use at least 8 characters.');
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'account-email');
    await shot(page, 'register-errors');
    // axe on the open dialog, with its errors shown.
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Email').fill('newbie@example.com');
    await page.getByLabel('Password').fill('a good passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.account-who', { hasText: 'newbie@example.com' }).waitFor();
    assert.match(await page.locator('#message').innerText(), /Account created: signed in as newbie@example.com/);
    // The same email again is refused beside the email field.
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').click();
    await page.getByRole('button', { name: 'New here? Create an account' }).click();
    await page.getByLabel('Email').fill('newbie@example.com');
    await page.getByLabel('Password').fill('a good passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#account-email-error', { hasText: 'has an account already' }).waitFor();
    await page.context().close();
  });

  it('signs a guest in who holds seats: the holds stay theirs, and survive a reload as the user', async () => {
    const res = await fetch(`${url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ann@example.com', password: 'correct horse' }) });
    assert.equal(res.status, 201);
    const page = await open(PHONE, '/?showtime=inception-1');
    await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 40);
    await page.locator('[data-seat="C3"]').click();
    await page.locator('[data-seat="C4"]').click();
    await page.getByRole('button', { name: /^Hold 2 seats/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-seat="C3"]')?.getAttribute('data-state') === 'mine');
    // A wrong password first: said in the dialog, which stays open.
    await page.locator('#sign-in').click();
    await page.getByLabel('Email').fill('ann@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.locator('#account-dialog').getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#account-error', { hasText: 'Wrong email or password.' }).waitFor();
    await shot(page, 'signin-error');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Password').fill('correct horse');
    await page.locator('#account-dialog').getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('.account-who', { hasText: 'ann@example.com' }).waitFor();
    assert.match(await page.locator('#message').innerText(), /Your held seats came with you/);
    // The page follows with the user's token: the seats read as mine, the hold is in the panel.
    await page.waitForFunction(() => document.querySelector('[data-seat="C3"]')?.getAttribute('data-state') === 'mine');
    const user = await page.evaluate(() => JSON.parse(localStorage.getItem('boxoffice.session') ?? 'null')?.user?.email);
    assert.equal(user, 'ann@example.com');
    // A reload renews nothing it need not, and the user is still signed in, holding the seats.
    await page.reload();
    await page.locator('.account-who', { hasText: 'ann@example.com' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-seat="C4"]')?.getAttribute('data-state') === 'mine');
    await shot(page, 'signed-in');
    // An expired access token is renewed from the refresh cookie after a reload.
    await page.evaluate(() => {
      const kept = JSON.parse(localStorage.getItem('boxoffice.session') ?? 'null');
      localStorage.setItem('boxoffice.session', JSON.stringify({ ...kept, expiresAt: Date.now() - 1000 }));
    });
    const renewed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200);
    await page.reload();
    await renewed;
    await page.waitForFunction(() => document.querySelector('[data-seat="C4"]')?.getAttribute('data-state') === 'mine');
    // Signing out: a guest again, and the seats are no longer this browser's.
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-seat="C4"]')?.getAttribute('data-state') === 'held');
    assert.match(await page.locator('#message').innerText(), /Signed out\. You go on as a guest\. The (seat|\d+ seats) you held stays? with your account/);
    await page.context().close();
  });

  it('signing in moves the holds to the account: neither tab says they were released or are back on sale', async () => {
    const res = await fetch(`${url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bo@example.com', password: 'correct horse' }) });
    assert.equal(res.status, 201);
    const context = await browser.newContext({ viewport: DESKTOP });
    // Every text the page ever shows, not only the last one: a wrong notice that a later reload of
    // the holds replaces is still read out by a screen reader and seen for a moment.
    await context.addInitScript(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => {
        const text = document.body?.innerText ?? '';
        for (const words of ['back on sale', 'You released', 'ran out', 'by the venue']) if (text.includes(words) && !seen.includes(words)) seen.push(words);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const tab = async () => {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url + '/?showtime=arrival-2');
      await page.locator('#live', { hasText: 'live' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-seat]').length === 240);
      return page;
    };
    const mine = (page: Page, seat: string) => page.waitForFunction((s) => document.querySelector(`[data-seat="${s}"]`)?.getAttribute('data-state') === 'mine', seat);
    const first = await tab();
    await first.locator('[data-seat="K7"]').click();
    await first.locator('[data-seat="K8"]').click();
    await first.getByRole('button', { name: /^Hold 2 seats/ }).click();
    await mine(first, 'K7');
    const second = await tab();
    await mine(second, 'K7');
    await first.locator('#sign-in').click();
    await first.locator('#account-email').fill('bo@example.com');
    await first.locator('#account-password').fill('correct horse');
    await first.locator('#account-dialog').getByRole('button', { name: 'Sign in', exact: true }).click();
    await first.locator('.account-who', { hasText: 'bo@example.com' }).waitFor();
    await second.locator('.account-who', { hasText: 'bo@example.com' }).waitFor();
    for (const page of [first, second]) {
      await mine(page, 'K8');
      await page.locator('#hold-panel', { hasText: 'K7, K8' }).waitFor();
      assert.deepEqual(await page.evaluate(() => (window as unknown as { seen: string[] }).seen), []);
    }
    await context.close();
  });

  it('raised no error in the pages', () => {
    assert.deepEqual(errors, []);
  });
});
