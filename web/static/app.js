// The booking page: the live seat map (live-seat-feed.js + seat-map.js), the person's holds in the
// hold panel (hold-panel.js), and checkout for a priced showtime (checkout.js). The holds come from the
// API, not from this tab's memory: a reload, a second tab or a crashed browser finds them again, and a
// hold ends only by Release, by running out, by its purchase, or by the venue.
import { createCheckout } from './checkout.js';
import { $, el, say } from './common.js';
import { naturalOrder, priceText, reference, when } from './format.js';
import { createHoldPanel } from './hold-panel.js';
import { liveSeatFeed } from './live-seat-feed.js';
import { createSeatMap } from './seat-map.js';
import { mountAccount } from './site/account-dialog.js';
import { session } from './site/account.js';
import { createShowtimePicker, showtimeInUrl } from './site/showtime-picker.js';
import { createSteps } from './site/steps.js';
import { createMyBookings } from './site/my-bookings.js';
import { createHoldBar } from './site/hold-bar.js';

/** @typedef {import('./types.d.ts').Hold} Hold */
/** @typedef {import('./types.d.ts').ShowtimeView} ShowtimeView */
/** @typedef {import('./types.d.ts').Prices} Prices */
/** @typedef {import('./types.d.ts').BestRequest} BestRequest */
/** @typedef {import('./hold-panel.js').Notice} Notice */
/** @typedef {import('./live-seat-feed.js').SeatChangeCause} SeatChangeCause */

const state = {
  /** The bearer token: the session's (site/account.js), a guest's or a signed-in user's. */
  get token() {
    return session.token();
  },
  /** @type {string | null} */
  showtime: null,
  /** The shown showtime's view: movieId, startsAt, prices, layout. @type {ShowtimeView | null} */
  info: null,
  /** seat id -> kind, of the shown showtime */
  kinds: new Map(),
  /** showtime id -> its view (for the label of a hold in another showtime) @type {Map<string, ShowtimeView>} */
  showtimes: new Map(),
  /** @type {Set<string>} */
  selected: new Set(),
  /** The person's live holds, in every showtime. @type {Map<string, Hold>} */
  holds: new Map(),
  /** Holds this tab ended itself (Release, Confirm): their delta needs no explanation. */
  endedHere: new Set(),
  /** What the panel says about the last thing that happened. @type {Notice | null} */
  notice: null,
};

const api = (/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body = undefined) => session.api(method, path, body);

const isFree = (/** @type {Prices | undefined} */ prices) => !prices || (prices.standard === 0 && prices.premium === 0 && prices.accessible === 0);

const checkout = createCheckout({
  api,
  token: () => state.token,
  movieTitle: (id) => picker.title(id),
  holdExtended(holdId, expiresAt) {
    const hold = state.holds.get(holdId);
    if (hold && hold.expiresAt !== expiresAt) {
      hold.expiresAt = expiresAt;
      hold.state = 'confirming';
      renderPanel();
    }
  },
  release: (hold) => act(() => releaseHold(hold)),
  panelClosed: () => renderPanel(),
  ordersChanged: () => myBookings?.render(),
});

const feed = liveSeatFeed({
  token: () => state.token,
  onStatus: (status) => {
    $('live').textContent = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' }[status];
    if (status !== 'live') checkout.following = false;
  },
  onSnapshot: () => {
    forgetLostSelections();
    void reconcile();
    render();
  },
  onDelta: (showtime, changes, cause) => changed(showtime, changes, cause),
  onMessage: (m) => {
    if (m.type === 'following-orders') checkout.following = true;
    else if (m.type === 'order') checkout.changed(m.order);
    else if (m.type === 'error') say(m.error);
  },
});

const map = createSeatMap({
  grid: $('grid'),
  scroller: $('map-scroll'),
  minimap: $('minimap', HTMLCanvasElement),
  zoomIn: $('zoom-in', HTMLButtonElement),
  zoomOut: $('zoom-out', HTMLButtonElement),
  zoomFit: $('zoom-fit', HTMLButtonElement),
  hint: $('map-hint'),
  onToggle: toggle,
});

const panel = createHoldPanel({
  root: $('hold-panel'),
  hold: () => void act(holdSelected),
  confirm: (hold) => void act(() => confirmHold(hold)),
  checkout: (hold) => void act(() => openCheckout(hold)),
  extend: (hold) => void act(() => extendHold(hold)),
  release: (hold) => void act(() => releaseHold(hold)),
  goTo: (hold) => void act(() => goToShowtime(hold.showtimeId).then(() => map.focus())),
});

/** The view of a showtime (cached: its layout and prices do not change while the page is open). */
async function showtimeView(/** @type {string} */ id) {
  let view = state.showtimes.get(id);
  if (!view) {
    view = /** @type {ShowtimeView} */ (await api('GET', `/api/v1/showtimes/${encodeURIComponent(id)}`));
    state.showtimes.set(id, view);
  }
  return view;
}

async function selectShowtime(/** @type {string} */ id) {
  state.showtime = id;
  state.selected.clear();
  feed.show(id);
  const info = await showtimeView(id);
  if (state.showtime !== id) return; // another showtime was picked meanwhile: its answers win
  state.info = info;
  // The map says whose hall it is: choosing another movie's card keeps this map until a showtime is chosen.
  $('seats-for').textContent = `for ${showtimeLabel(id)}`;
  state.kinds = new Map(info.layout.rows.flatMap((r) => r.seats.flatMap((seat) => (seat ? [[seat.id, seat.kind]] : []))));
  map.setLayout(info.layout, info.prices);
  renderPrices();
  render();
  void reconcile();
}

/** Shows another showtime (of a hold there), moving the picker (and the address) to it. */
async function goToShowtime(/** @type {string} */ id) {
  if (state.showtime === id) return;
  await showtimeView(id);
  if (picker.select(id, { push: true })) await shown;
}

// ---- the person's holds, from the API ----

let reconciling = /** @type {Promise<void> | null} */ (null);
let reconcileAgain = false;

/**
 * Reads the person's live holds from the API: every upcoming showtime's (GET /api/v1/holds), or, from
 * a server without it, the shown showtime's. Called at start, after a snapshot (a reconnect), when a
 * seat turns up ours that no known hold has (a second tab held it), and when the tab comes back.
 */
function reconcile() {
  if (reconciling) {
    reconcileAgain = true;
    return reconciling;
  }
  reconciling = (async () => {
    try {
      do {
        reconcileAgain = false;
        await loadHolds();
      } while (reconcileAgain);
    } catch {
      // The next snapshot or delta tries again.
    } finally {
      reconciling = null;
    }
    render();
  })();
  return reconciling;
}

let allHoldsRoute = true;

async function loadHolds() {
  if (!state.token) return;
  /** @type {Hold[]} */
  let holds = [];
  let scope = null; // null: every showtime
  if (allHoldsRoute) {
    try {
      ({ holds } = await api('GET', '/api/v1/holds'));
    } catch (e) {
      if (/** @type {any} */ (e).status !== 404) throw e;
      allHoldsRoute = false;
    }
  }
  if (!allHoldsRoute) {
    if (!state.showtime) return;
    scope = state.showtime;
    ({ holds } = await api('GET', `/api/v1/showtimes/${encodeURIComponent(scope)}/holds`));
  }
  const live = /** @type {Hold[]} */ (holds).filter((h) => h.state === 'held' || h.state === 'confirming');
  for (const h of live) await showtimeView(h.showtimeId).catch(() => null);
  for (const [id, h] of state.holds) if ((scope === null || h.showtimeId === scope) && !live.some((x) => x.id === id)) state.holds.delete(id);
  for (const h of live) {
    if (!state.holds.has(h.id) && state.notice?.kind === 'ended') state.notice = null; // a new hold: the old ending is news no more
    state.holds.set(h.id, h);
  }
}

/** A delta of the shown showtime: seats taken from the selection, and holds of ours that ended. */
function changed(/** @type {string} */ showtime, /** @type {import('./live-seat-feed.js').SeatChangeMessage[]} */ changes, /** @type {SeatChangeCause | undefined} */ cause) {
  const lost = [];
  let unknownHold = false;
  for (const c of changes) {
    if (c.status !== 'available' && !c.mine && state.selected.delete(c.seat)) lost.push(c.seat);
    if (c.status === 'held' && c.mine && ![...state.holds.values()].some((h) => h.seats.includes(c.seat))) unknownHold = true;
  }
  if (lost.length) {
    const left = state.selected.size;
    setNotice({
      kind: 'problem',
      title: `${naturalOrder(lost).join(', ')} ${lost.length > 1 ? 'were' : 'was'} just taken`,
      text: `Someone else took ${lost.length > 1 ? 'them' : 'it'} a moment ago.${left ? ` Your other pick${left > 1 ? 's are' : ' is'} still selected.` : ''}`,
      seats: lost,
      actions: [findTogetherAction(lost.length + left)],
    });
  }
  for (const hold of [...state.holds.values()]) {
    if (hold.showtimeId !== showtime) continue;
    const touched = changes.filter((c) => hold.seats.includes(c.seat));
    if (!touched.length) continue;
    if (touched.every((c) => c.status === 'held' && c.mine)) {
      // Extended (here, in another tab, or by its checkout): the new end.
      const end = Math.max(...touched.map((c) => c.expiresAt ?? hold.expiresAt));
      if (end !== hold.expiresAt) hold.expiresAt = end;
      continue;
    }
    if (cause === 'transfer') {
      // A sign-in (in this tab or another) moved the guest's holds to the account: still held, by
      // the person this page is about to follow, so nothing ended. The holds are read again.
      unknownHold = true;
      continue;
    }
    holdEnded(hold, cause, touched.every((c) => c.status === 'booked' && c.mine));
  }
  if (unknownHold) void reconcile();
  render();
}

/** A hold of ours ended by something this tab did not do: the panel says why. */
function holdEnded(/** @type {Hold} */ hold, /** @type {SeatChangeCause | undefined} */ cause, /** @type {boolean} */ bought) {
  state.holds.delete(hold.id);
  if ((cause === 'confirm' || bought) && feed.showtime === hold.showtimeId) {
    // Bought (here or elsewhere): the seats show as yours even when the delta does not say whose they are.
    for (const seat of hold.seats) if (feed.seats.get(seat)?.status === 'booked') feed.seats.set(seat, { status: 'booked', mine: true });
  }
  if (state.endedHere.delete(hold.id)) return;
  if (checkout.orderOfHold(hold.id) && (cause === 'confirm' || bought)) return; // its checkout shows the tickets
  const seats = naturalOrder(hold.seats);
  const why = cause ?? (bought ? 'confirm' : hold.expiresAt <= Date.now() + 1_000 ? 'expire' : 'release');
  const again = { label: 'Pick seats again', run: pickAgain, primary: true };
  /** @type {Record<string, Notice>} */
  const notices = {
    expire: { kind: 'ended', title: 'Your hold ran out', text: 'The time was up, so the seats went back on sale. Nothing was booked or charged.', seats, actions: [again, findTogetherAction(seats.length)] },
    revoke: { kind: 'ended', title: 'Released by the venue', text: 'The venue released your hold; the seats are no longer yours. Nothing was booked or charged.', seats, actions: [again] },
    confirm: { kind: 'done', title: 'Bought', text: 'These seats are yours (booked from another tab or window).', seats, reference: reference(hold.id), actions: [again] },
    release: { kind: 'ended', title: 'Released', text: 'You released these seats (in another tab or window); they are back on sale.', seats, actions: [again] },
  };
  setNotice(notices[why] ?? notices.release);
}

function setNotice(/** @type {Notice | null} */ notice) {
  state.notice = notice;
  if (notice) say(''); // the panel speaks for it; no stale line at the top
}

function pickAgain() {
  setNotice(null);
  render();
  map.focus();
}

const findTogetherAction = (/** @type {number} */ count) => ({ label: count > 1 ? `Find ${count} seats together` : 'Find me a seat', run: () => void act(() => holdBest({ count: Math.min(10, Math.max(1, count)) })) });

// ---- drawing ----

function render() {
  map.update(feed.showtime === state.showtime ? feed.seats : new Map(), state.selected);
  renderPanel();
}

function showtimeLabel(/** @type {string} */ id) {
  const view = state.showtimes.get(id);
  return view ? `${picker.title(view.movieId)} · ${when(view.startsAt)}` : id;
}

function renderPanel() {
  const picked = [...state.selected];
  const prices = state.info?.prices;
  const total = picked.reduce((sum, id) => sum + (prices?.[state.kinds.get(id)] ?? 0), 0);
  const holds = [...state.holds.values()].sort((a, b) => Number(b.showtimeId === state.showtime) - Number(a.showtimeId === state.showtime) || a.createdAt - b.createdAt);
  panel.render({
    selection: { seats: picked, total, currency: prices?.currency ?? 'EUR', free: isFree(prices) },
    holds: holds.map((hold) => {
      const order = checkout.orderOfHold(hold.id);
      const priced = (hold.total ?? 0) > 0;
      const paying = order?.state === 'pending_payment' && order.payments.at(-1)?.state === 'pending';
      return {
        hold,
        label: showtimeLabel(hold.showtimeId),
        here: hold.showtimeId === state.showtime,
        next: !priced ? 'confirm' : paying ? 'paying' : order ? 'pay' : 'checkout',
        checkoutOpen: checkout.isOpen(hold.id),
      };
    }),
    notice: state.notice,
  });
}

/** What each kind of seat costs, in the legend. */
function renderPrices() {
  const prices = /** @type {ShowtimeView} */ (state.info).prices;
  const free = isFree(prices);
  const item = (/** @type {string} */ kind, /** @type {string} */ words, /** @type {number} */ amount) =>
    el('li', {}, el('span', { class: `swatch kind-${kind}`, 'aria-hidden': 'true', text: kind === 'accessible' ? '♿' : '' }), `${words} `, el('strong', { text: priceText(amount, prices.currency) }));
  $('prices').replaceChildren(
    ...(free ? [el('li', { class: 'free-note', text: 'This showtime is free: hold seats, then confirm.' })] : []),
    item('standard', 'standard', prices.standard),
    item('premium', 'premium', prices.premium),
    item('accessible', 'wheelchair space', prices.accessible),
  );
}

// ---- what the person does ----

function toggle(/** @type {string} */ id, /** @type {import('./seat-map.js').SeatLook} */ look) {
  if (look === 'selected') state.selected.delete(id);
  else if (look === 'available') state.selected.add(id);
  else return say(`Seat ${id} is ${({ mine: 'already held by you', held: 'held by someone else', booked: 'booked', yours: 'already yours', blocked: 'not for sale' })[look] ?? look}.`);
  say('');
  if (state.notice?.kind !== 'problem') setNotice(null);
  render();
}

async function act(/** @type {() => Promise<unknown>} */ fn) {
  try {
    await fn();
  } catch (e) {
    say(/** @type {Error} */ (e).message);
  }
}

/** A new hold of ours: in the panel, on the map, the focus on the panel (a priced one opens checkout). */
function held(/** @type {Hold} */ hold) {
  state.holds.set(hold.id, hold);
  setNotice(null);
  say('');
  for (const seat of hold.seats) {
    state.selected.delete(seat);
    if (feed.showtime === hold.showtimeId) feed.seats.set(seat, { status: 'held', mine: true, expiresAt: hold.expiresAt });
  }
  render();
  // The checkout opens beside the panel once its showtime is shown; it can push the panel up.
  if ((hold.total ?? 0) > 0) void openCheckout(hold, false).then(() => panel.reveal());
  panel.focus();
}

function holdSelected() {
  return holdSeats(naturalOrder([...state.selected]));
}

/** Holds these seats, all or none; when some went a moment before, says which and holds nothing. */
async function holdSeats(/** @type {string[]} */ seats) {
  if (!seats.length || !state.showtime) return;
  try {
    held(await api('POST', `/api/v1/showtimes/${encodeURIComponent(state.showtime)}/holds`, { seats }));
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err.code !== 'SEAT_UNAVAILABLE') throw e;
    // All or none: nothing was held. Say which seats went; keep the others picked.
    const gone = naturalOrder(err.details?.seats ?? []);
    for (const seat of gone) state.selected.delete(seat);
    const left = state.selected.size;
    setNotice({
      kind: 'problem',
      title: 'Nothing was held',
      text: `${gone.length ? `${gone.join(', ')} ${gone.length > 1 ? 'were' : 'was'} taken a moment before you` : 'A seat was taken a moment before you'}, so none of your ${seats.length} seats were held.${left ? ` Your other pick${left > 1 ? 's are' : ' is'} still selected.` : ''}`,
      seats: gone,
      actions: [findTogetherAction(seats.length), { label: 'Pick other seats', run: pickAgain }],
    });
    render();
    panel.focus();
  }
}

/** Best available: the server picks `count` seats (together, unless asked otherwise) and holds them. */
async function holdBest(/** @type {BestRequest} */ best) {
  if (!state.showtime) return;
  try {
    held(await api('POST', `/api/v1/showtimes/${encodeURIComponent(state.showtime)}/holds`, { best: { together: true, ...best } }));
  } catch (e) {
    const err = /** @type {any} */ (e);
    const n = best.count;
    if (err.code === 'NO_SEATS_TOGETHER') {
      const split = naturalOrder(err.details?.split ?? []);
      setNotice({
        kind: 'problem',
        title: `No ${n} seats together`,
        text: `There is no block of ${n} free seats side by side in one row.${split.length ? ` We can hold ${n} seats apart: ${split.join(', ')}.` : ''}`,
        // "Hold them apart" holds the very seats it named (a new pick could differ from what was shown).
        actions: [{ label: 'Hold them apart', primary: true, run: () => void act(() => (split.length ? holdSeats(split) : holdBest({ ...best, together: false }))) }, { label: 'Pick seats myself', run: pickAgain }],
      });
    } else if (err.code === 'NOT_ENOUGH_SEATS') {
      const available = err.details?.available ?? 0;
      setNotice({
        kind: 'problem',
        title: `Not enough seats for ${n}`,
        text: available ? `Only ${available} seat${available > 1 ? 's are' : ' is'} left in this showtime.` : 'This showtime is sold out.',
        actions: available ? [findTogetherAction(Math.min(available, n))] : [],
      });
    } else throw e;
    render();
    panel.focus();
  }
}

async function confirmHold(/** @type {Hold} */ hold) {
  state.endedHere.add(hold.id);
  const booking = await api('POST', `/api/v1/holds/${encodeURIComponent(hold.id)}/confirm`);
  state.holds.delete(hold.id);
  if (feed.showtime === hold.showtimeId) for (const seat of booking.seats) feed.seats.set(seat, { status: 'booked', mine: true });
  setNotice({ kind: 'done', title: 'Booked: enjoy the film!', text: `${showtimeLabel(hold.showtimeId)}. Show the reference at the door; your seats are marked ★ on the map.`, seats: naturalOrder(booking.seats), reference: reference(booking.id), actions: [{ label: 'Book more seats', run: pickAgain }] });
  render();
  panel.focus();
}

async function releaseHold(/** @type {Hold} */ hold) {
  state.endedHere.add(hold.id);
  await api('DELETE', `/api/v1/holds/${encodeURIComponent(hold.id)}`);
  state.holds.delete(hold.id);
  if (feed.showtime === hold.showtimeId) for (const seat of hold.seats) feed.seats.set(seat, { status: 'available', mine: false });
  checkout.closeFor(hold.id);
  setNotice({ kind: 'ended', title: 'Released', text: 'The seats are back on sale.', seats: naturalOrder(hold.seats), actions: [{ label: 'Pick seats again', run: pickAgain, primary: true }] });
  render();
  panel.focus();
}

async function extendHold(/** @type {Hold} */ hold) {
  try {
    const after = await api('POST', `/api/v1/holds/${encodeURIComponent(hold.id)}/extend`);
    Object.assign(hold, after);
    say('');
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err.code === 'HOLD_EXPIRED' || err.code === 'HOLD_NOT_FOUND') return holdEnded(hold, 'expire', false), render();
    setNotice({ kind: 'problem', title: 'Not extended', text: err.message });
  }
  render();
}

async function openCheckout(/** @type {Hold} */ hold, takeFocus = true) {
  await goToShowtime(hold.showtimeId);
  checkout.open(hold, /** @type {ShowtimeView} */ (state.showtimes.get(hold.showtimeId)), { takeFocus });
  renderPanel();
}

// Every second: the countdowns; a hold of a showtime not on the map runs out here (the shown one's
// end comes as an expire delta).
setInterval(() => {
  const now = Date.now();
  for (const hold of [...state.holds.values()]) {
    if (hold.showtimeId !== state.showtime && hold.expiresAt <= now - 2_000 && !checkout.orderOfHold(hold.id)) {
      holdEnded(hold, 'expire', false);
      render();
    }
  }
  panel.tick(now);
}, 1000);

// A tab that comes back (from sleep, or after another tab acted) reads the holds again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void reconcile();
});

/** Seats picked but taken meanwhile (seen in a snapshot after a reconnect) leave the selection. */
function forgetLostSelections() {
  for (const id of [...state.selected]) {
    const s = feed.seats.get(id);
    if (s && s.status !== 'available') state.selected.delete(id);
  }
}

// ---- the page ----

/** The seats or My bookings, by the address's #fragment (so Back and a reload keep the view). */
function showView(/** @type {boolean} */ moveFocus) {
  const orders = location.hash === '#orders';
  $('seats-view').hidden = orders;
  $('orders-view').hidden = !orders;
  for (const [id, on] of /** @type {[string, boolean][]} */ ([['nav-seats', !orders], ['nav-orders', orders]])) {
    if (on) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  say('');
  if (orders && session.token()) void act(async () => myBookings?.load());
  holdBar?.show(orders);
  if (moveFocus) (orders ? $('orders-title') : (document.querySelector(/** @type {'input'} */ ('#showtime-choice input:checked')) ?? $('main'))).focus();
}
addEventListener('hashchange', () => showView(true));

$('skip-to-seats').addEventListener('click', (e) => {
  e.preventDefault();
  if (location.hash === '#orders') location.hash = '';
  map.focus();
});

// "Find me N seats": 1 to 10, of which up to all are wheelchair spaces.
const bestCount = $('best-count', HTMLSelectElement);
const bestAccessible = $('best-accessible', HTMLSelectElement);
bestCount.replaceChildren(...Array.from({ length: 10 }, (_, i) => new Option(String(i + 1), String(i + 1), i === 1, i === 1)));
function accessibleChoices() {
  const n = Number(bestCount.value);
  const was = Math.min(n, Number(bestAccessible.value || 0));
  bestAccessible.replaceChildren(...Array.from({ length: n + 1 }, (_, i) => new Option(i === 0 ? 'none' : String(i), String(i), false, i === was)));
}
accessibleChoices();
bestCount.addEventListener('change', accessibleChoices);
$('best-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const count = Number(bestCount.value);
  const accessible = Number(bestAccessible.value);
  void act(() => holdBest({ count, ...(accessible > 0 && { accessible }) }));
});

// ---- start-up (the site's: the session, the account corner, the showtime picker, the steps) ----

mountAccount($('account'), session, { say, heldSeats: () => [...state.holds.values()].reduce((n, h) => n + h.seats.length, 0) });

/** Signing in, registering or out changes whose seats are `mine` and whose orders these are. */
session.onChange((reason) => {
  if (reason === 'start') return;
  feed.resubscribe();
  feed.followOrders();
  void act(async () => {
    await checkout.load();
    await myBookings?.load();
    await holdBar.refresh();
    await reconcile();
    render();
  });
});

// The step indicator follows what the page shows: a showtime's map (seats), a hold or the checkout
// panel (checkout), the panel's tickets (tickets). It watches the panels rather than being told, so
// the seat map's code needs no calls into it.
const steps = createSteps($('steps'));
function followSteps() {
  const panel = $('checkout');
  // A free showtime's booking ends in the hold panel ("Booked: enjoy the film!"), not in the checkout.
  if ((!panel.hidden && panel.querySelector('.tickets')) || (panel.hidden && state.holds.size === 0 && state.notice?.kind === 'done')) steps.set('tickets');
  else if (!panel.hidden || state.holds.size > 0) steps.set('checkout');
  else steps.set(state.showtime && !$('seat-map').hidden ? 'seats' : 'showtime');
}
new MutationObserver(followSteps).observe($('checkout'), { attributes: true, attributeFilter: ['hidden'], childList: true });
new MutationObserver(followSteps).observe($('hold-panel'), { childList: true, subtree: true });

/** My bookings (#orders): the orders of the checkout module and the free showtimes' bookings. */
/** @type {ReturnType<typeof createMyBookings> | null} */
let myBookings = null;
myBookings = createMyBookings({ checkout, api, movieTitle: (id) => picker.title(id), showtime: (id) => picker.showtimes.get(id) });

/** The hold bar, on My bookings: a live hold stays in sight, with Back to seats and Release. */
const holdBar = createHoldBar($('hold-bar'), {
  // Through the session, so an access token that ran out is renewed from the refresh cookie.
  api,
  hasToken: () => session.token() !== null,
  showtime: (id) => picker.showtimes.get(id),
  movieTitle: (id) => picker.title(id),
  say,
  backToSeats(hold) {
    location.hash = '';
    void act(async () => {
      await goToShowtime(hold.showtimeId);
      map.focus();
    });
  },
  released: () => void reconcile(),
  inCheckout: (hold) => checkout.orderOfHold(hold.id) !== null,
});

/** Settles when the showtime the picker chose last is on the map. */
let shown = Promise.resolve();
const picker = createShowtimePicker($('showtime-choice'), {
  api,
  say,
  onSelect(showtime, _movie, { byPerson }) {
    showMap(true);
    shown = act(async () => {
      await selectShowtime(showtime.id);
      followSteps();
      // Chosen by the person (a click, Enter on a chip): the seat map is next, keyboard included.
      if (byPerson && state.showtime === showtime.id) map.focus();
    });
  },
  // Another movie's card, no showtime of it chosen yet: the hall below is not its hall, so it steps aside.
  onMovie(movie, showingIt) {
    showMap(showingIt);
    $('choose-showtime').textContent = `Choose a showtime of ${movie.title} above: its seats show here.`;
  },
});

/** The seat map, or in its place the line asking for a showtime. */
function showMap(/** @type {boolean} */ on) {
  $('seat-map').hidden = !on;
  $('choose-showtime').hidden = on;
  followSteps();
}

showView(false);

void act(async () => {
  await session.start();
  await picker.start();
  feed.followOrders();
  await myBookings?.load();
  await holdBar.refresh();
  await checkout.load();
  await reconcile();
  await resume();
});

/**
 * After a reload (or in a second tab) the page opens where the person was: the showtime of an order
 * waiting for its payment (with its checkout), else of their newest hold.
 */
async function resume() {
  const order = checkout.resumable();
  if (order) {
    await goToShowtime(order.showtimeId);
    const hold = state.holds.get(order.holdId);
    if (hold) {
      checkout.open(hold, /** @type {ShowtimeView} */ (state.info), { takeFocus: location.hash !== '#orders' });
      renderPanel();
      return;
    }
  }
  const newest = [...state.holds.values()].sort((a, b) => b.createdAt - a.createdAt)[0];
  // The showtime in the address (a link, a reload, Back) wins; else the one of the newest hold.
  if (newest && !showtimeInUrl() && ![...state.holds.values()].some((h) => h.showtimeId === state.showtime)) await goToShowtime(newest.showtimeId);
  render();
}
