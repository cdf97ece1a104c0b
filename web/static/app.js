// The booking page: live seat map over /ws (snapshot + versioned deltas), holds through /api/v1.
import { $, request, say } from './common.js';

const TOKEN_KEY = 'boxoffice.guestToken';

const state = {
  token: null,
  showtime: null,
  layout: null,
  version: -1,
  seats: new Map(), // id -> { status, mine, expiresAt }
  selected: new Set(),
  holds: new Map(), // id -> hold
  ws: null,
};

const api = (method, path, body) => request(method, path, { body, token: state.token });

async function ensureToken() {
  state.token = localStorage.getItem(TOKEN_KEY);
  if (state.token) {
    try {
      await api('GET', '/api/v1/bookings');
      return;
    } catch {
      state.token = null; // signed by another server; get a new one
    }
  }
  state.token = (await api('POST', '/api/v1/guests')).token;
  localStorage.setItem(TOKEN_KEY, state.token);
}

async function loadMovies() {
  const { movies } = await api('GET', '/api/v1/movies');
  $('movie').replaceChildren(...movies.map((m) => new Option(m.title, m.id)));
  await loadShowtimes();
}

async function loadShowtimes() {
  const movieId = $('movie').value;
  const { showtimes } = await api('GET', `/api/v1/showtimes?movieId=${encodeURIComponent(movieId)}`);
  if ($('movie').value !== movieId) return; // another movie was picked meanwhile
  const fmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  $('showtime').replaceChildren(...showtimes.map((s) => new Option(`${fmt.format(new Date(s.startsAt))} · ${s.seatCount} seats`, s.id)));
  await selectShowtime($('showtime').value);
}

async function selectShowtime(id) {
  state.showtime = id;
  state.selected.clear();
  state.seats.clear();
  state.version = -1;
  const { layout } = await api('GET', `/api/v1/showtimes/${encodeURIComponent(id)}`);
  const { holds } = await api('GET', `/api/v1/showtimes/${encodeURIComponent(id)}/holds`);
  if (state.showtime !== id) return; // another showtime was picked meanwhile: its answers win
  state.layout = layout;
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
  };
  ws.onclose = () => {
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
          b.setAttribute('aria-label', `Row ${row.label} seat ${seat.number}${seat.kind !== 'standard' ? `, ${seat.kind}` : ''}, ${describe[cls]}`);
          b.setAttribute('aria-pressed', String(cls === 'selected'));
          if (cls !== 'available' && cls !== 'selected') b.setAttribute('aria-disabled', 'true');
          b.onclick = () => toggle(seat.id, cls);
          el.append(b);
        }
        return el;
      }),
    );
    if (focused) grid.querySelector(`[data-seat="${focused}"]`)?.focus();
  }
  const picked = [...state.selected].sort();
  $('selection').textContent = picked.length ? `Selected: ${picked.join(', ')}` : 'Select seats on the map.';
  $('hold').disabled = picked.length === 0;
  $('hold').textContent = picked.length ? `Hold ${picked.length} seat${picked.length > 1 ? 's' : ''}` : 'Hold seats';
  renderHolds();
}

function toggle(id, cls) {
  if (cls === 'selected') state.selected.delete(id);
  else if (cls === 'available') state.selected.add(id);
  else return say(`Seat ${id} is ${describe[cls]}.`);
  say('');
  render();
  document.querySelector(`[data-seat="${id}"]`)?.focus();
}

function renderHolds() {
  const now = Date.now();
  $('holds').replaceChildren(
    ...[...state.holds.values()].map((hold) => {
      const el = document.createElement('div');
      el.className = 'hold';
      el.dataset.hold = hold.id;
      const text = document.createElement('span');
      text.innerHTML = `${hold.seats.length > 1 ? 'Seats' : 'Seat'} <strong></strong> held for you: <span class="countdown" role="timer"></span>`;
      text.querySelector('strong').textContent = hold.seats.join(', ');
      text.querySelector('.countdown').textContent = timeLeft(hold, now);
      const confirm = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Confirm booking', className: 'confirm' });
      confirm.onclick = () => act(() => confirmHold(hold));
      const release = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Release', className: 'release' });
      release.onclick = () => act(() => releaseHold(hold));
      el.append(text, confirm, release);
      return el;
    }),
  );
}

const seatsAre = (seats) => (seats.length > 1 ? `Seats ${seats.join(', ')} are` : `Seat ${seats[0]} is`);

function timeLeft(hold, now) {
  const left = Math.max(0, Math.round((hold.expiresAt - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

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
  render();
}

// Leaving the page gives the seats back at once instead of after the hold runs out.
addEventListener('pagehide', () => {
  for (const hold of state.holds.values()) {
    fetch(`/api/v1/holds/${encodeURIComponent(hold.id)}`, { method: 'DELETE', keepalive: true, headers: { authorization: `Bearer ${state.token}` } });
  }
});

setInterval(() => {
  const now = Date.now();
  let gone = false;
  for (const [id, hold] of state.holds) {
    if (hold.expiresAt <= now) gone = state.holds.delete(id);
    const countdown = document.querySelector(`[data-hold="${CSS.escape(id)}"] .countdown`);
    if (countdown) countdown.textContent = timeLeft(hold, now);
  }
  if (gone) {
    say('Your hold ran out and the seats went back on sale.');
    renderHolds();
  }
}, 1000);

$('movie').onchange = () => act(loadShowtimes);
$('showtime').onchange = () => act(() => selectShowtime($('showtime').value));
$('hold').onclick = holdSelected;

act(async () => {
  await ensureToken();
  connect();
  await loadMovies();
});
