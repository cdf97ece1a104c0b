// /docs in Debian's Chromium: Swagger UI under its strict CSP shows the product API first, titled
// Boxoffice, with its favicon, and passes axe but for the rules Swagger UI's own markup breaks.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/app.ts';
import { axeViolations } from '../support/axe.ts';
import { chromiumSkip, launchChromium, OUTPUT } from '../support/browser.ts';

describe('/docs in Chromium', { skip: chromiumSkip() }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const missing: string[] = [];

  before(async () => {
    s = await startTestServer();
    const url = await s.listen();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('response', (r) => void (r.status() >= 400 && missing.push(`${r.status()} ${r.url()}`)));
    await page.goto(`${url}/docs`);
    await page.locator('.opblock-tag').first().waitFor({ timeout: 20_000 });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('is titled Boxoffice, lists the product API first, and loads every file it links (the favicon too)', async () => {
    assert.equal(await page.title(), 'Boxoffice API');
    const tags = await page.locator('.opblock-tag').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-tag')));
    assert.deepEqual(tags.slice(0, 3), ['catalog', 'seats', 'holds']);
    assert.deepEqual(tags.slice(-3), ['firstclick', 'admin', 'lab'].filter((t) => tags.includes(t)));
    await page.locator('.info', { hasText: 'Live seat map' }).waitFor();
    assert.equal(await page.locator('link[rel="icon"]').first().getAttribute('type'), 'image/svg+xml');
    assert.deepEqual(missing, []);
  });

  it('shows a real example for a hold: a demo showtime and two seats', async () => {
    await page.locator('#operations-holds-post_api_v1_showtimes__showtimeId__holds .opblock-summary-control').click();
    const hold = page.locator('#operations-holds-post_api_v1_showtimes__showtimeId__holds');
    await hold.locator('.body-param__example, .microlight', { hasText: '"F10"' }).first().waitFor();
    await hold.getByText('SEAT_UNAVAILABLE').first().waitFor();
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}/docs-page.png`, fullPage: false });
  });

  it('has no accessibility violations but those of Swagger UI markup', async () => {
    const violations = await axeViolations(page, {
      disable: {
        'image-alt': "Swagger UI's top bar draws the logo as an <img> without alt, and @fastify/swagger-ui has no option to give it one",
        'nested-interactive': "Swagger UI's operation header is a button holding the path's deep link and the copy button: the library's structure",
        'target-size': "Swagger UI's deep links in each operation header are one line of text (19 px high); its layout, not ours",
        'select-name': "Swagger UI's menu of a response's examples (one per error code) is a <select> it renders without a label",
      },
    });
    assert.deepEqual(violations, []);
  });
});
