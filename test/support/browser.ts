// Debian's Chromium through playwright-core, started the way this machine's closed network needs.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where browser tests leave their screenshots. */
export const OUTPUT = 'test-output';

/** False when Chromium is there, else the reason a browser suite is skipped (fails under REQUIRE_SERVICES=1). */
export function chromiumSkip(): false | string {
  if (existsSync(CHROMIUM)) return false;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${reason}, and REQUIRE_SERVICES=1 requires it`);
  console.log(`# SKIPPED: ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The two viewports the site is looked at in: a laptop and a phone. */
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** Two frames after a resize: the page is laid out and painted at the new size before a picture. */
export async function nextPaint(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/**
 * Pictures of the page at its own size, then at the other one (desktop or phone), as
 * `${OUTPUT}/${name}-desktop.png` and `-phone.png`; with `grey`, each also in greyscale (`-grey.png`:
 * the states must read without colour). The page gets its own size back.
 */
export async function screenshots(page: Page, name: string, { grey = false, fullPage = false } = {}): Promise<void> {
  const own = page.viewportSize() ?? DESKTOP;
  for (const size of own.width === PHONE.width ? [PHONE, DESKTOP] : [DESKTOP, PHONE]) {
    if (size.width !== page.viewportSize()?.width) {
      await page.setViewportSize(size);
      await nextPaint(page);
    }
    const path = `${OUTPUT}/${name}-${size === PHONE ? 'phone' : 'desktop'}`;
    await page.screenshot({ path: `${path}.png`, fullPage, animations: 'disabled' });
    if (!grey) continue;
    await page.evaluate(() => { document.documentElement.style.filter = 'grayscale(1)'; });
    await page.screenshot({ path: `${path}-grey.png`, fullPage, animations: 'disabled' });
    await page.evaluate(() => { document.documentElement.style.filter = ''; });
  }
  await page.setViewportSize(own);
}
