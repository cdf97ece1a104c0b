// The hold panel of the booking page: always on screen (a side panel on a desktop, a bar at the bottom
// of a phone), it shows what the person picked, what they hold (seats in natural order, count, total,
// the time left and the next action), why a hold ended, and the confirmation of a purchase. The time
// left turns urgent under a minute (colour, icon and words), and a polite live region tells screen
// readers at 2 minutes, 1 minute and 30 seconds, not every second.
import { el } from './common.js';
import { clock, money, naturalOrder } from './format.js';

/** @typedef {import('./types.d.ts').Hold} Hold */
/**
 * @typedef {{ label: string, run: () => void, primary?: boolean }} PanelAction
 * @typedef {{ hold: Hold, label: string, here: boolean, next: 'confirm' | 'checkout' | 'pay' | 'paying', checkoutOpen: boolean }} HeldView
 * @typedef {{ kind: 'ended' | 'problem' | 'done', title: string, text: string, seats?: string[], reference?: string, actions?: PanelAction[] }} Notice
 * @typedef {{ selection: { seats: string[], total: number, currency: string, free: boolean }, holds: HeldView[], notice: Notice | null }} PanelModel
 */

/** When the time left is read out (seconds), and how. */
const MOMENTS = [
  [120, '2 minutes'],
  [60, '1 minute'],
  [30, '30 seconds'],
];
const URGENT_MS = 60_000;

/** "Seat J9" / "3 seats: J9, J10, J11" */
export const countedSeats = (/** @type {string[]} */ seats) => (seats.length === 1 ? `Seat ${seats[0]}` : `${seats.length} seats: ${naturalOrder(seats).join(', ')}`);

/**
 * @param {{
 *   root: HTMLElement,
 *   hold: () => void,
 *   confirm: (hold: Hold) => void,
 *   checkout: (hold: Hold) => void,
 *   extend: (hold: Hold) => void,
 *   release: (hold: Hold) => void,
 *   goTo: (hold: Hold) => void,
 * }} hooks
 */
export function createHoldPanel({ root, hold, confirm, checkout, extend, release, goTo }) {
  const title = el('h2', { id: 'hold-title', tabindex: '-1', text: 'Your seats' });
  const body = el('div', { class: 'hold-body' });
  const notice = el('div', { id: 'hold-notice', class: 'notice', role: 'status' });
  const picks = el('div', { class: 'picks' });
  const holdButton = el('button', { id: 'hold', type: 'button', class: 'primary', disabled: true, text: 'Hold seats', onclick: () => hold() });
  const announcer = el('p', { id: 'hold-announce', class: 'visually-hidden', 'aria-live': 'polite' });
  root.replaceChildren(title, notice, body, el('div', { class: 'pick-row' }, picks, holdButton), announcer);

  /** @type {PanelModel | null} */
  let model = null;
  let key = '';
  /** hold id -> the moments already read out (or already past when the hold was first shown). */
  const said = new Map();

  /** Draws the model (nothing changes on the page when it is the same as before). */
  function render(/** @type {PanelModel} */ next) {
    model = next;
    const nextKey = JSON.stringify(next, (k, v) => (k === 'actions' ? v?.map((/** @type {PanelAction} */ a) => a.label) : v));
    if (nextKey === key) return tick(Date.now());
    key = nextKey;
    const focusedAction = root.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement).dataset.action : undefined;

    const { selection, holds } = next;
    root.classList.toggle('has-hold', holds.length > 0);
    body.replaceChildren(...holds.map(holdCard));

    const seats = naturalOrder(selection.seats);
    picks.replaceChildren(seats.length
      ? el('p', { class: 'pick-what' }, `Selected: ${countedSeats(seats)}`, selection.free ? '' : el('span', { class: 'nowrap' }, ' · ', el('strong', { text: money(selection.total, selection.currency) })))
      : el('p', { class: 'pick-what muted', text: holds.length ? 'Pick more seats on the map to hold them too.' : 'No seats yet: pick them on the map, or let us find them.' }));
    holdButton.disabled = seats.length === 0;
    root.classList.toggle('has-picks', seats.length > 0);
    root.classList.toggle('has-notice', next.notice !== null);
    holdButton.textContent = seats.length ? `Hold ${seats.length} seat${seats.length > 1 ? 's' : ''}` : 'Hold seats';

    renderNotice(next.notice);
    title.textContent = next.notice?.kind === 'done' ? 'Booked' : holds.length ? `You hold ${holds.reduce((n, h) => n + h.hold.seats.length, 0)} seat${holds.length === 1 && holds[0].hold.seats.length === 1 ? '' : 's'}` : 'Your seats';
    tick(Date.now());
    if (focusedAction) /** @type {HTMLElement | null} */ (root.querySelector(`[data-action="${CSS.escape(focusedAction)}"]`))?.focus();
  }

  function renderNotice(/** @type {Notice | null} */ n) {
    notice.className = `notice${n ? ` notice-${n.kind}` : ''}`;
    if (!n) return void notice.replaceChildren();
    notice.replaceChildren(...[
      el('h3', { class: 'notice-title', tabindex: '-1' }, el('span', { class: 'notice-icon', 'aria-hidden': 'true', text: n.kind === 'done' ? '✓' : n.kind === 'ended' ? '×' : '!' }), ' ', n.title),
      n.reference ? el('p', { class: 'reference' }, 'Booking reference ', el('strong', { class: 'ref', text: n.reference })) : null,
      n.seats?.length ? el('p', { class: 'notice-seats', text: countedSeats(n.seats) }) : null,
      el('p', { class: 'notice-text', text: n.text }),
      n.actions?.length ? el('p', { class: 'notice-actions' }, n.actions.map((a, i) => el('button', { type: 'button', class: a.primary ? 'primary' : '', 'data-action': `notice-${i}`, text: a.label, onclick: a.run }))) : null,
    ].filter((n) => n !== null));
  }

  function holdCard(/** @type {HeldView} */ view) {
    const { hold: h } = view;
    const seats = naturalOrder(h.seats);
    const priced = (h.total ?? 0) > 0;
    /** @type {HTMLElement[]} */
    const actions = [];
    const id = h.id;
    if (!view.here) actions.push(el('button', { type: 'button', 'data-action': `go-${id}`, text: 'Back to these seats', onclick: () => goTo(h) }));
    if (view.next === 'confirm') actions.push(el('button', { type: 'button', class: 'primary confirm', 'data-action': `confirm-${id}`, text: 'Confirm booking', onclick: () => confirm(h) }));
    else if (view.next === 'paying') actions.push(el('span', { class: 'below', text: 'Paying…' }));
    else actions.push(el('button', { type: 'button', class: 'primary checkout', 'data-action': `checkout-${id}`, text: view.next === 'pay' ? `Pay ${money(h.total ?? 0, h.currency ?? 'EUR')}` : 'Check out', onclick: () => checkout(h) }));
    if (view.next !== 'paying' && view.next !== 'pay') {
      const capped = h.maxExpiresAt !== undefined && h.maxExpiresAt - h.expiresAt < 1_000;
      actions.push(el('button', { type: 'button', class: 'extend', 'data-action': `extend-${id}`, disabled: capped, title: capped ? 'This hold cannot be extended any further' : undefined, text: capped ? 'Extended to the limit' : 'Extend', onclick: () => extend(h) }));
      actions.push(el('button', { type: 'button', class: 'release', 'data-action': `release-${id}`, text: 'Release', onclick: () => release(h) }));
    }
    return el('div', { class: 'hold-card', 'data-hold': id },
      el('p', { class: 'hold-what' }, el('strong', { text: view.label }), view.here ? '' : el('span', { class: 'elsewhere', text: ' (another showtime)' })),
      el('p', { class: 'hold-seats' }, countedSeats(seats), priced ? el('span', { class: 'nowrap' }, ' · ', el('strong', { class: 'hold-total', text: money(h.total ?? 0, h.currency ?? 'EUR') })) : el('span', { class: 'nowrap', text: ' · free' })),
      el('p', { class: 'hold-time' },
        el('span', { class: 'time-icon', 'aria-hidden': 'true' }), ' ',
        el('span', { class: 'countdown', role: 'timer', text: clock(h.expiresAt - Date.now()) }), ' left',
        el('span', { class: 'urgent-words', text: ' · under a minute: act now' })),
      el('div', { class: 'timebar', 'aria-hidden': 'true' }, el('span', { class: 'timebar-fill' })),
      el('div', { class: 'hold-actions' }, actions));
  }

  /** Every second: the countdowns, the urgent look, and the read-out moments. */
  function tick(/** @type {number} */ now) {
    if (!model) return;
    for (const view of model.holds) {
      const card = /** @type {HTMLElement | null} */ (body.querySelector(`[data-hold="${CSS.escape(view.hold.id)}"]`));
      if (!card) continue;
      const left = view.hold.expiresAt - now;
      /** @type {HTMLElement} */ (card.querySelector('.countdown')).textContent = clock(left);
      const urgent = left < URGENT_MS;
      card.classList.toggle('urgent', urgent);
      /** @type {HTMLElement} */ (card.querySelector('.time-icon')).textContent = urgent ? '⚠' : '';
      const life = Math.max(1, view.hold.expiresAt - view.hold.createdAt);
      /** @type {HTMLElement} */ (card.querySelector('.timebar-fill')).style.width = `${Math.max(0, Math.min(100, (left / life) * 100))}%`;
      announce(view, left);
    }
  }

  function announce(/** @type {HeldView} */ view, /** @type {number} */ left) {
    let done = said.get(view.hold.id);
    if (!done) {
      // A hold first seen with 1:10 left is not told "2 minutes" late.
      done = new Set(MOMENTS.filter(([s]) => left <= /** @type {number} */ (s) * 1000).map(([s]) => s));
      said.set(view.hold.id, done);
      return;
    }
    for (const [s, words] of MOMENTS) {
      if (left <= /** @type {number} */ (s) * 1000 && left > 0 && !done.has(s)) {
        for (const [t] of MOMENTS) if (/** @type {number} */ (t) >= /** @type {number} */ (s)) done.add(t);
        announcer.textContent = `${words} left to keep ${view.hold.seats.length === 1 ? 'seat' : 'seats'} ${naturalOrder(view.hold.seats).join(', ')}.`;
      }
    }
    if (left > 120_000) done.clear(); // extended: the moments come again
  }

  return {
    render,
    tick,
    /** Moves the focus to the panel (after a hold): its notice when it has one, else its title. */
    focus() {
      const target = /** @type {HTMLElement | null} */ (notice.querySelector('.notice-title')) ?? title;
      target.focus();
      this.reveal();
    },
    /**
     * Beside a tall checkout, with the page scrolled to its end, the sticky side column sits partly
     * above the window (its grid ends there) and the panel's title is out of sight: scroll the page
     * back until the panel's top shows (scrollIntoView does not move the page for a sticky element).
     */
    reveal() {
      const top = root.getBoundingClientRect().top;
      if (top < 0) scrollBy(0, top - 12);
    },
    /** What the panel read out last (tests and the curious). */
    get announced() {
      return announcer.textContent ?? '';
    },
  };
}
