// The hold bar: on every view of the site that is not the seat map itself (whose hold panel says it
// all), a live hold is never out of sight: "You hold 3 seats for Arrival, Thu 20:00, 8:12 left
// [Back to seats] [Release]". It reads the person's holds from GET /api/v1/holds when shown and every
// few seconds while shown, and counts down every second.
import { el } from '../common.js';
import { clock, naturalOrder } from '../format.js';

/** @typedef {import('../types.d.ts').Hold} Hold */

const REFRESH_MS = 5_000;
const startFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/**
 * @param {HTMLElement} root
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<any>,
 *   hasToken: () => boolean,
 *   showtime: (showtimeId: string) => { movieId: string, startsAt: string } | undefined,
 *   movieTitle: (movieId: string) => string,
 *   backToSeats: (hold: Hold) => void,
 *   released?: (hold: Hold) => void,
 *   say?: (text: string, ok?: boolean) => void,
 *   inCheckout?: (hold: Hold) => boolean,
 * }} hooks inCheckout: the hold has an order (checked out): its order below offers Pay and Cancel
 *   order, so the bar offers no Release (releasing would leave the order waiting without its seats)
 */
export function createHoldBar(root, hooks) {
  /** @type {Hold[]} */
  let holds = [];
  let shown = false;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  let lastLoad = 0;
  let key = '';

  async function load() {
    if (!hooks.hasToken()) return;
    lastLoad = Date.now();
    try {
      const answer = await hooks.api('GET', '/api/v1/holds');
      holds = answer.holds.filter((/** @type {Hold} */ h) => h.state === 'held' || h.state === 'confirming');
    } catch {
      // An older server (404) or the network: keep what was shown; the next tick tries again.
    }
    render();
  }

  function label(/** @type {Hold} */ hold) {
    const showtime = hooks.showtime(hold.showtimeId);
    const n = hold.seats.length;
    const what = showtime ? `${hooks.movieTitle(showtime.movieId)}, ${startFormat.format(new Date(showtime.startsAt))}` : hold.showtimeId;
    return `You hold ${n} seat${n === 1 ? '' : 's'} (${naturalOrder(hold.seats).join(', ')}) for ${what}`;
  }

  function render() {
    const now = Date.now();
    const live = holds.filter((h) => h.expiresAt > now);
    const next = live.map((h) => `${h.id}:${h.expiresAt}:${hooks.inCheckout?.(h) ? 'order' : ''}`).join(',');
    root.hidden = !shown || live.length === 0;
    if (next !== key) {
      key = next;
      const focusedHold = root.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement).closest('[data-hold]')?.getAttribute('data-hold') : null;
      root.replaceChildren(
        ...live.map((hold) =>
          el('div', { class: 'hold-bar-item', 'data-hold': hold.id, role: 'group', 'aria-label': 'Seats you hold' },
            el('p', { class: 'hold-bar-text' },
              `${label(hold)}, `,
              el('span', { class: 'hold-bar-left', 'data-ends': String(hold.expiresAt) }, el('span', { class: 'countdown', text: clock(hold.expiresAt - now) }), ' left')),
            el('span', { class: 'hold-bar-actions' },
              el('button', { type: 'button', class: 'primary back-to-seats', text: 'Back to seats', onclick: () => hooks.backToSeats(hold) }),
              hooks.inCheckout?.(hold) ? null : el('button', { type: 'button', class: 'release', text: 'Release', 'aria-label': `Release ${naturalOrder(hold.seats).join(', ')}`, onclick: () => void release(hold) }))),
        ),
      );
      // A hold that ended while its button had the focus: the focus goes to the next one, or the title.
      if (focusedHold && !root.querySelector(`[data-hold="${CSS.escape(focusedHold)}"]`)) /** @type {HTMLElement | null} */ (root.querySelector('button') ?? document.getElementById('orders-title'))?.focus();
    }
    for (const node of root.querySelectorAll('[data-ends]')) {
      const left = Number(/** @type {HTMLElement} */ (node).dataset.ends) - now;
      node.classList.toggle('urgent', left < 60_000);
      const countdown = node.querySelector('.countdown');
      if (countdown) countdown.textContent = clock(left);
    }
  }

  async function release(/** @type {Hold} */ hold) {
    try {
      await hooks.api('DELETE', `/api/v1/holds/${encodeURIComponent(hold.id)}`);
      holds = holds.filter((h) => h.id !== hold.id);
      hooks.say?.(`Released ${naturalOrder(hold.seats).join(', ')}: ${hold.seats.length > 1 ? 'they are' : 'it is'} back on sale.`, true);
      hooks.released?.(hold);
    } catch (/** @type {any} */ e) {
      hooks.say?.(e.message);
      await load();
    }
    render();
  }

  return {
    /** Shows the bar (on a view without the seat map) or hides it. */
    show(/** @type {boolean} */ on) {
      shown = on;
      clearInterval(ticker);
      if (!on) return void (root.hidden = true);
      void load();
      ticker = setInterval(() => {
        if (Date.now() - lastLoad >= REFRESH_MS) void load();
        else render();
      }, 1_000);
    },
    /** Reads the holds again now (after a sign in, say). */
    refresh: () => (shown ? load() : Promise.resolve()),
  };
}
