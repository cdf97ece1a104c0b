// The booking site's showtime choice, for browser tests: choose a showtime as a person would (its
// movie's card, its day, its chip), and wait until its hall is on the seat map.
import type { Page } from 'playwright-core';

/** Chooses `showtime` in the picker (movie card, day tab, showtime chip) and waits for its seat map. */
export async function chooseShowtime(page: Page, showtime: string): Promise<void> {
  const chip = page.locator(`[data-showtime="${showtime}"]`);
  if ((await chip.count()) === 0) {
    const movie = await page.evaluate(async (id) => (await (await fetch(`/api/v1/showtimes/${encodeURIComponent(id)}`)).json()).movieId as string, showtime);
    await page.locator(`label[data-movie="${movie}"]`).click();
  }
  const day = await chip.getAttribute('data-day');
  await page.locator(`label[data-day="${day}"]`).click();
  await chip.click();
  await page.waitForFunction((id) => new URL(location.href).searchParams.get('showtime') === id && document.querySelector('#grid [data-seat]') !== null && document.querySelector(`[data-showtime="${id}"][aria-current="true"]`) !== null, showtime);
}

/** Waits until seat `id` on the map reads `state` (its data-state: available, selected, mine, held, booked, ...). */
export async function seatState(page: Page, id: string, state: string, timeout = 2_000): Promise<void> {
  await page.waitForFunction(([i, st]) => document.querySelector(`[data-seat="${i}"]`)?.getAttribute('data-state') === st, [id, state], { timeout });
}
