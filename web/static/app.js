// The booking page: live seat map over /ws (snapshot + versioned deltas), holds through /api/v1;
// a priced showtime's hold goes on to checkout (checkout.js), a free one is confirmed directly.
import { createCheckout } from './checkout.js';
import { $, el, say } from './common.js';
import { clock, money, priceText, seatsText } from './format.js';
import { mountAccount } from './site/account-dialog.js';
import { session } from './site/account.js';
import { createShowtimePicker } from './site/showtime-picker.js';
import { createSteps } from './site/steps.js';

const state = {
  /** The bearer token: the session's (site/account.js), a guest's or a signed-in user's. */
  get token() {
    return session.token();
  },
  showtime: null,
  /** The shown showtime's view: movieId, startsAt, prices. */
  info: null,
  layout: null,
  kinds: new Map(), // seat id -> kind
  version: -1,
  seats: new Map(), // id -> { status, mine, expiresAt }
  selected: new Set(),
  holds: new Map(), // id -> hold
  /** The seat the map's one Tab stop is on (arrow keys move it). */
  cursor: null,
  ws: null,
};

const api = (method, path, body) => session.api(method, path, body);

const isFree = (prices) => prices.standard === 0 && prices.premium === 0 && prices.accessible === 0;

const checkout = createCheckout({
  api,
  token: () => state.token,
  movieTitle: (id) => picker.title(id),
  holdExtended(holdId, expiresAt) {
    const hold = state.holds.get(holdId);
    if (hold && hold.expiresAt !== expiresAt) {
      hold.expiresAt = expiresAt;
      renderHolds();
    }
  },
  release: (hold) => act(() => releaseHold(hold)),
  panelClosed: () => renderHolds(),
});

async function selectShowtime(id) {
  state.showtime = id;
  state.cursor = null;
  state.selected.clear();
  state.seats.clear();
  state.version = -1;
  const info = await api('GET', `/api/v1/showtimes/${encodeURIComponent(id)}`);
  const { holds } = await api('GET', `/api/v1/showtimes/${encodeURIComponent(id)}/holds`);
  if (state.showtime !== id) return; // another showtime was picked meanwhile: its answers win
  state.info = info;
  state.layout = info.layout;
  state.kinds = new Map(info.layout.rows.flatMap((r) => r.seats.filter(Boolean).map((seat) => [seat.id, seat.kind])));
  renderPrices();
  state.holds = new Map(holds.map((h) => [h.id, h]));
  subscribe();
  render();
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  state.ws = ws;
  ws.onopen = () => {
    $('live').textContent = 'live';
    subscribe();
    if (state.token) ws.send(JSON.stringify({ type: 'follow-orders', token: state.token }));
  };
  ws.onclose = () => {
    checkout.following = false;
    $('live').textContent = 'reconnecting…';
    setTimeout(connect, 1000);
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'snapshot' && m.showtime === state.showtime) {
      state.version = m.version;
      state.seats = new Map(m.seats.map((s) => [s.id, { status: s.status, mine: !!s.mine, expiresAt: s.expiresAt }]));
      render();
    } else if (m.type === 'delta' && m.showtime === state.showtime) {
      if (state.version < 0) return; // snapshot still on its way
      if (m.version !== state.version + 1) return subscribe(); // a gap: start again from a snapshot
      state.version = m.version;
      const lost = [];
      for (const c of m.changes) {
        state.seats.set(c.seat, { status: c.status, mine: !!c.mine, expiresAt: c.expiresAt });
        if (c.status !== 'available' && !c.mine && state.selected.delete(c.seat)) lost.push(c.seat);
      }
      if (lost.length) say(`Sorry, ${lost.join(', ')} ${lost.length > 1 ? 'were' : 'was'} just taken by someone else. Pick other seats.`);
      forgetGoneHolds();
      render();
    } else if (m.type === 'following-orders') {
      checkout.following = true;
    } else if (m.type === 'order') {
      checkout.changed(m.order);
    } else if (m.type === 'error') {
      say(m.error);
    }
  };
}

// The server closes a socket that subscribes more than 10 times at once or 2 a second after that
// (1008). Arrowing through the pickers changes the showtime on every key press, so subscribes are
// coalesced: at most one every 600 ms, for the showtime shown when it is sent.
const SUBSCRIBE_GAP_MS = 600;
let subscribeTimer = null;
let lastSubscribe = -Infinity;

function subscribe() {
  state.version = -1; // deltas wait for the snapshot of the subscribe below
  if (subscribeTimer !== null) return;
  subscribeTimer = setTimeout(() => {
    subscribeTimer = null;
    if (state.ws?.readyState !== WebSocket.OPEN || !state.showtime) return;
    lastSubscribe = Date.now();
    state.version = -1;
    state.ws.send(JSON.stringify({ type: 'subscribe', showtime: state.showtime, token: state.token }));
  }, Math.max(0, lastSubscribe + SUBSCRIBE_GAP_MS - Date.now()));
}

/** A hold whose seats no longer read as mine (expired elsewhere, released in another tab) is gone. */
function forgetGoneHolds() {
  for (const [id, hold] of state.holds) {
    if (!hold.seats.some((s) => state.seats.get(s)?.mine && state.seats.get(s)?.status === 'held')) state.holds.delete(id);
  }
}

function seatClass(seat) {
  if (seat.blocked) return 'blocked';
  if (state.selected.has(seat.id)) return 'selected';
  const s = state.seats.get(seat.id);
  if (!s || s.status === 'available') return 'available';
  if (s.status === 'held') return s.mine ? 'mine' : 'held';
  return s.status === 'booked' ? 'booked' : 'available';
}

const describe = { available: 'available', selected: 'selected', mine: 'held by you', held: 'held by someone else', booked: 'booked', blocked: 'not for sale' };

function render() {
  const grid = $('grid');
  const focused = document.activeElement?.dataset?.seat;
  if (state.layout) {
    grid.replaceChildren(
      ...state.layout.rows.map((row) => {
        const el = document.createElement('div');
        el.className = 'row';
        const label = document.createElement('span');
        label.className = 'row-label';
        label.textContent = row.label;
        el.append(label);
        for (const seat of row.seats) {
          if (seat === null) {
            el.append(Object.assign(document.createElement('span'), { className: 'gap' }));
            continue;
          }
          const cls = seatClass(seat);
          const b = document.createElement('button');
          b.type = 'button';
          b.className = `seat ${cls} ${seat.kind}`;
          b.textContent = seat.number;
          b.dataset.seat = seat.id;
          b.dataset.state = cls;
          b.setAttribute('aria-label', `Row ${row.label} seat ${seat.number}${seat.kind !== 'standard' ? `, ${seat.kind}` : ''}${priceLabel(seat.kind)}, ${describe[cls]}`);
          b.setAttribute('aria-pressed', String(cls === 'selected'));
          if (cls !== 'available' && cls !== 'selected') b.setAttribute('aria-disabled', 'true');
          b.onclick = () => toggle(seat.id, cls);
          b.tabIndex = -1;
          el.append(b);
        }
        return el;
      }),
    );
    setCursor(focused ?? state.cursor);
    if (focused) grid.querySelector(`[data-seat="${focused}"]`)?.focus();
  }
  const picked = [...state.selected].sort();
  const total = picked.reduce((sum, id) => sum + (state.info?.prices[state.kinds.get(id)] ?? 0), 0);
  const cost = state.info && !isFree(state.info.prices) ? ` · total ${money(total, state.info.prices.currency)}` : '';
  $('selection').textContent = picked.length ? `Selected: ${picked.join(', ')}${cost}` : 'Select seats on the map.';
  $('hold').disabled = picked.length === 0;
  $('hold').textContent = picked.length ? `Hold ${picked.length} seat${picked.length > 1 ? 's' : ''}` : 'Hold seats';
  renderHolds();
}

// The map is one Tab stop (240 seats would be 240 of them); arrow keys move between its seats.
/** Moves the map's Tab stop to this seat, or to the first selected or available seat when it is not on the map. */
function setCursor(id) {
  const grid = $('grid');
  let next = id && grid.querySelector(`.seat:not(.blocked)[data-seat="${CSS.escape(id)}"]`);
  next ||= grid.querySelector('.seat.selected') ?? grid.querySelector('.seat.available') ?? grid.querySelector('.seat:not(.blocked)');
  for (const b of grid.querySelectorAll('.seat[tabindex="0"]')) if (b !== next) b.tabIndex = -1;
  if (next) next.tabIndex = 0;
  state.cursor = next?.dataset.seat ?? null;
}

/** The seat an arrow key (or Home/End) leads to from `id`, or null at the map's edge. */
function seatFrom(id, key) {
  const rows = state.layout.rows.map((r) => r.seats.map((s) => (s && !s.blocked ? s.id : null)));
  const r = rows.findIndex((row) => row.includes(id));
  if (r < 0) return null;
  const c = rows[r].indexOf(id);
  const inRow = (row, from, step) => { for (let i = from; i >= 0 && i < row.length; i += step) if (row[i]) return row[i]; return null; };
  if (key === 'ArrowLeft') return inRow(rows[r], c - 1, -1);
  if (key === 'ArrowRight') return inRow(rows[r], c + 1, 1);
  if (key === 'Home') return inRow(rows[r], 0, 1);
  if (key === 'End') return inRow(rows[r], rows[r].length - 1, -1);
  const step = key === 'ArrowUp' ? -1 : key === 'ArrowDown' ? 1 : 0;
  // The nearest seat of the next row that has one, by column (an aisle or a blocked seat is skipped).
  for (let rr = r + step; step && rr >= 0 && rr < rows.length; rr += step) {
    for (let d = 0; d < rows[rr].length; d++) {
      const hit = rows[rr][c - d] ?? rows[rr][c + d];
      if (hit) return hit;
    }
  }
  return null;
}

$('grid').addEventListener('keydown', (e) => {
  const id = e.target.dataset?.seat;
  if (!id || !['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) return;
  e.preventDefault(); // arrows would scroll the page
  const next = seatFrom(id, e.key);
  if (!next) return;
  setCursor(next);
  $('grid').querySelector(`[data-seat="${CSS.escape(next)}"]`)?.focus();
});
$('grid').addEventListener('focusin', (e) => {
  if (e.target.dataset?.seat) setCursor(e.target.dataset.seat);
});

function toggle(id, cls) {
  if (cls === 'selected') state.selected.delete(id);
  else if (cls === 'available') state.selected.add(id);
  else return say(`Seat ${id} is ${describe[cls]}.`);
  say('');
  render();
  document.querySelector(`[data-seat="${id}"]`)?.focus();
}

/** ", €12.50" for a seat of this kind in the shown showtime (nothing when it is free). */
function priceLabel(kind) {
  const prices = state.info?.prices;
  return prices && !isFree(prices) ? `, ${money(prices[kind], prices.currency)}` : '';
}

/** What each kind of seat costs, beside the legend. */
function renderPrices() {
  const { prices } = state.info;
  if (isFree(prices)) {
    $('prices').replaceChildren(el('li', { text: 'This showtime is free: hold seats, then confirm.' }), el('li', {}, el('span', { class: 'swatch premium' }), 'premium'), el('li', { text: '♿ accessible' }));
    return;
  }
  $('prices').replaceChildren(
    el('li', {}, el('span', { class: 'swatch standard' }), 'standard ', el('strong', { text: priceText(prices.standard, prices.currency) })),
    el('li', {}, el('span', { class: 'swatch premium' }), 'premium ', el('strong', { text: priceText(prices.premium, prices.currency) })),
    el('li', {}, '♿ accessible ', el('strong', { text: priceText(prices.accessible, prices.currency) })),
  );
}

function renderHolds() {
  const now = Date.now();
  $('holds').replaceChildren(
    ...[...state.holds.values()].map((hold) => {
      const priced = hold.total > 0;
      const order = checkout.orderOfHold(hold.id);
      const text = el('span', {},
        `${seatsText(hold.seats)} held for you: `,
        el('span', { class: 'countdown', role: 'timer', text: clock(hold.expiresAt - now) }),
        priced ? ` · ${money(hold.total, hold.currency)}` : '');
      const buttons = priced
        ? [checkout.isOpen(hold.id) ? el('span', { class: 'below', text: order ? 'Pay below.' : 'Check out below.' }) : el('button', { type: 'button', class: 'checkout', text: order ? 'Pay' : 'Check out', onclick: () => { checkout.open(hold, state.info); renderHolds(); } })]
        : [el('button', { type: 'button', class: 'confirm', text: 'Confirm booking', onclick: () => act(() => confirmHold(hold)) })];
      if (!order) buttons.push(el('button', { type: 'button', class: 'release', text: 'Release', onclick: () => act(() => releaseHold(hold)) }));
      return el('div', { class: 'hold', 'data-hold': hold.id }, text, ...buttons);
    }),
  );
}

const seatsAre = (seats) => `${seatsText(seats)} ${seats.length > 1 ? 'are' : 'is'}`;

async function act(fn) {
  try {
    await fn();
  } catch (e) {
    say(friendly(e));
  }
}

function friendly(e) {
  if (e.code === 'SEAT_UNAVAILABLE') return `Sorry, ${e.details?.seats?.join(', ') ?? 'a seat'} ${e.details?.seats?.length > 1 ? 'were' : 'was'} just taken by someone else. Pick other seats.`;
  if (e.code === 'HOLD_EXPIRED') return 'Your hold ran out and the seats went back on sale. Please pick them again.';
  if (e.code === 'HOLD_LIMIT_EXCEEDED') return e.message;
  return e.message;
}

async function holdSelected() {
  const seats = [...state.selected].sort();
  try {
    const hold = await api('POST', `/api/v1/showtimes/${encodeURIComponent(state.showtime)}/holds`, { seats });
    state.holds.set(hold.id, hold);
    state.selected.clear();
    for (const seat of hold.seats) state.seats.set(seat, { status: 'held', mine: true, expiresAt: hold.expiresAt });
    if (hold.total > 0) {
      say('');
      render();
      checkout.open(hold, state.info); // and the focus goes to its form
      renderHolds();
      return;
    }
    say(`${seatsAre(hold.seats)} yours for now. Confirm to book ${hold.seats.length > 1 ? 'them' : 'it'}.`, true);
  } catch (e) {
    for (const seat of e.details?.seats ?? []) state.selected.delete(seat);
    say(friendly(e));
  }
  render();
}

async function confirmHold(hold) {
  const booking = await api('POST', `/api/v1/holds/${encodeURIComponent(hold.id)}/confirm`);
  state.holds.delete(hold.id);
  for (const seat of booking.seats) state.seats.set(seat, { status: 'booked', mine: true });
  say(`Booked ${booking.seats.join(', ')}. Enjoy the film!`, true);
  render();
}

async function releaseHold(hold) {
  await api('DELETE', `/api/v1/holds/${encodeURIComponent(hold.id)}`);
  state.holds.delete(hold.id);
  for (const seat of hold.seats) state.seats.set(seat, { status: 'available' });
  say(`Released ${hold.seats.join(', ')}.`, true);
  const fromPanel = checkout.closeFor(hold.id);
  render();
  if (fromPanel) $('grid').querySelector(`[data-seat="${hold.seats[0]}"]`)?.focus();
}

// Leaving the page gives the seats back at once instead of after the hold runs out.
addEventListener('pagehide', () => {
  for (const hold of state.holds.values()) {
    if (checkout.orderOfHold(hold.id)) continue; // its order keeps it while it is paid, on this page or under My orders
    fetch(`/api/v1/holds/${encodeURIComponent(hold.id)}`, { method: 'DELETE', keepalive: true, headers: { authorization: `Bearer ${state.token}` } });
  }
});

setInterval(() => {
  const now = Date.now();
  let gone = false;
  for (const [id, hold] of state.holds) {
    if (hold.expiresAt <= now) gone = state.holds.delete(id);
    const countdown = document.querySelector(`[data-hold="${CSS.escape(id)}"] .countdown`);
    if (countdown) countdown.textContent = clock(hold.expiresAt - now);
  }
  if (gone) {
    say('Your hold ran out and the seats went back on sale.');
    renderHolds();
  }
}, 1000);

/** The seats or My orders, by the address's #fragment (so Back and a reload keep the view). */
function showView(moveFocus) {
  const orders = location.hash === '#orders';
  $('seats-view').hidden = orders;
  $('orders-view').hidden = !orders;
  for (const [id, on] of [['nav-seats', !orders], ['nav-orders', orders]]) {
    if (on) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  say('');
  if (moveFocus) (orders ? $('orders-title') : (document.querySelector('#showtime-choice input:checked') ?? $('main'))).focus();
}
addEventListener('hashchange', () => showView(true));
showView(false);

$('hold').onclick = holdSelected;

// ---- start-up (owned by the site: the session, the header's account corner) ----

mountAccount($('account'), session, { say });

// The step indicator follows what the page shows: a showtime's map (seats), a hold or the checkout
// panel (checkout), the panel's tickets (tickets). It watches the panels rather than being told, so
// the seat map's code needs no calls into it.
const steps = createSteps($('steps'));
const followSteps = () => {
  const panel = $('checkout');
  if (!panel.hidden && panel.querySelector('.tickets')) steps.set('tickets');
  else if (!panel.hidden || $('holds').querySelector('.hold')) steps.set('checkout');
  else steps.set(state.showtime ? 'seats' : 'showtime');
};
new MutationObserver(followSteps).observe($('checkout'), { attributes: true, attributeFilter: ['hidden'], childList: true });
new MutationObserver(followSteps).observe($('holds'), { childList: true });

/** Settles when the showtime the picker chose last is on the map. */
let shown = Promise.resolve();
const picker = createShowtimePicker($('showtime-choice'), {
  api,
  say,
  onSelect(showtime, _movie, { byPerson }) {
    shown = act(async () => {
      await selectShowtime(showtime.id);
      followSteps();
      // Chosen by the person (a click, Enter on a chip): the seat map is next, keyboard included.
      if (byPerson && state.showtime === showtime.id) $('grid').querySelector(/** @type {'button'} */ ('.seat[tabindex="0"]'))?.focus();
    });
  },
});

/** Signing in, registering or out changes whose seats are `mine`: follow the new identity. */
session.onChange((reason) => {
  if (reason === 'start') return;
  act(async () => {
    if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: 'follow-orders', token: state.token }));
    if (state.showtime) await selectShowtime(state.showtime);
    await checkout.load();
    renderHolds();
  });
});

act(async () => {
  await session.start();
  connect();
  await picker.start();
  await checkout.load();
  renderHolds();
  await resumeCheckout();
});

/**
 * After a reload (or in a second tab) an order still waiting for its payment opens again where it
 * was: its showtime on the map and its checkout panel, instead of the first showtime with no sign of it.
 */
async function resumeCheckout() {
  const order = checkout.resumable();
  if (!order) return;
  if (state.showtime !== order.showtimeId && picker.select(order.showtimeId, { replace: true })) await shown;
  const hold = state.holds.get(order.holdId);
  if (!hold || state.showtime !== order.showtimeId) {
    say('You have an order waiting for payment: see My orders.');
    return;
  }
  checkout.open(hold, state.info, { takeFocus: location.hash !== '#orders' });
  renderHolds();
}
