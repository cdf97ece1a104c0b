// The admin dashboard: catalog editing with a seat-layout preview, live occupancy over /ws,
// holds with force-release, the payment queue's dead letters with retry, the audit log. The access
// token lives in memory; the refresh token is an httpOnly cookie, so a reload logs in again through
// POST /api/v1/auth/refresh.
import { $, request, say } from './common.js';

const KINDS = ['standard', 'accessible', 'premium', 'blocked'];

const state = {
  token: null,
  user: null,
  occupancy: new Map(), // showtimeId -> { row, seats: Map(seat -> status), ws }
  holdsOf: null,
  movies: [],
};

/** An admin request; an expired access token is renewed once from the refresh cookie. */
async function api(method, path, body) {
  const sent = state.token;
  try {
    return await request(method, path, { body, token: sent });
  } catch (e) {
    if (e.status !== 401 || !sent) throw e;
    // Unless another request renewed the token meanwhile, renew it (one refresh for all of them).
    if (state.token === sent && !(await refresh())) {
      if (state.token === sent) sessionEnded();
      throw new Error('Your session has ended (logged out in another tab, or it ran out). Log in again.');
    }
    return request(method, path, { body, token: state.token });
  }
}

/** Logged out elsewhere or revoked: back to the login form, without the live sockets. */
function sessionEnded() {
  state.token = null;
  state.user = null;
  for (const o of state.occupancy.values()) o.ws?.close();
  state.occupancy.clear();
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
}

async function act(fn, done) {
  try {
    await fn();
    if (done) say(done, true);
  } catch (e) {
    say(e.message);
  }
}

/**
 * A new access token from the refresh cookie. Each refresh token works once and presenting a spent
 * one revokes the session, so requests that fail together share one refresh instead of each
 * sending the cookie (the second would log the admin out).
 */
let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/v1/auth/refresh', { method: 'POST' });
      if (!response.ok) return false;
      const session = await response.json();
      state.token = session.accessToken;
      state.user = session.user;
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function start() {
  if ((await refresh()) && state.user.role === 'admin') return open();
  $('login').hidden = false;
}

async function open() {
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = state.user.email;
  await Promise.all([loadCatalog(), loadOccupancy(), loadPayments(), loadAudit()]);
}

$('login-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    const session = await api('POST', '/api/v1/auth/login', { email: $('login-email').value, password: $('login-password').value });
    if (session.user.role !== 'admin') throw new Error(`${session.user.email} is not an admin`);
    state.token = session.accessToken;
    state.user = session.user;
    say('');
    await open();
  });
};

$('logout').onclick = () =>
  act(async () => {
    await api('POST', '/api/v1/auth/logout');
    location.reload();
  });

// ---- catalog ----

const option = (value, text) => new Option(text, value);
const item = (text) => Object.assign(document.createElement('li'), { textContent: text });

async function loadCatalog() {
  const [{ movies }, { theaters }, { screens }] = await Promise.all([
    api('GET', '/api/v1/admin/movies'),
    api('GET', '/api/v1/admin/theaters'),
    api('GET', '/api/v1/admin/screens'),
  ]);
  state.movies = movies;
  state.screens = screens;
  $('movies').replaceChildren(...movies.map((m) => item(`${m.id}: ${m.title} (${m.durationMinutes} min)`)));
  $('theaters').replaceChildren(...theaters.map((t) => item(`${t.id}: ${t.name}`)));
  $('showtime-movie').replaceChildren(...movies.map((m) => option(m.id, m.title)));
  $('showtime-screen').replaceChildren(...screens.map((s) => option(s.id, `${s.name} (${s.theaterId})`)));
  $('screen-theater').replaceChildren(...theaters.map((t) => option(t.id, t.name)));
  $('screen-pick').replaceChildren(option('', 'new screen'), ...screens.map((s) => option(s.id, `${s.id}: ${s.name}`)));
}

$('movie-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    const id = $('movie-id').value;
    await api('PUT', `/api/v1/admin/movies/${encodeURIComponent(id)}`, { title: $('movie-title').value, durationMinutes: Number($('movie-minutes').value) });
    await Promise.all([loadCatalog(), loadAudit()]);
  }, `Saved movie ${$('movie-id').value}`);
};

$('theater-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    await api('PUT', `/api/v1/admin/theaters/${encodeURIComponent($('theater-id').value)}`, { name: $('theater-name').value });
    await Promise.all([loadCatalog(), loadAudit()]);
  }, `Saved theater ${$('theater-id').value}`);
};

$('showtime-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    const startsAt = new Date($('showtime-starts').value).toISOString();
    // Prices are typed in units (12.50) and sent in cents; none typed keeps the showtime's own.
    const kinds = ['standard', 'premium', 'accessible'];
    const typed = kinds.map((k) => $(`showtime-price-${k}`).value.trim());
    const prices = typed.some((v) => v !== '')
      ? { currency: $('showtime-currency').value.trim().toUpperCase(), ...Object.fromEntries(kinds.map((k, i) => [k, Math.round(Number(typed[i] || 0) * 100)])) }
      : undefined;
    await api('PUT', `/api/v1/admin/showtimes/${encodeURIComponent($('showtime-id').value)}`, { movieId: $('showtime-movie').value, screenId: $('showtime-screen').value, startsAt, ...(prices && { prices }) });
    await Promise.all([loadOccupancy(), loadAudit()]);
  }, `Saved showtime ${$('showtime-id').value}`);
};

// ---- layout editor ----

const rowLabel = (i) => (i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
const listOf = (text) => text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);

function generate() {
  const rows = Number($('gen-rows').value);
  const perRow = Number($('gen-seats').value);
  const aisles = listOf($('gen-aisles').value).map(Number);
  const accessible = new Set(listOf($('gen-accessible').value));
  const premium = new Set(listOf($('gen-premium').value));
  const blocked = new Set(listOf($('gen-blocked').value));
  const layout = { rows: [] };
  for (let r = 0; r < rows; r++) {
    const label = rowLabel(r);
    const seats = [];
    for (let n = 1; n <= perRow; n++) {
      const id = `${label}${n}`;
      const seat = { number: n };
      if (accessible.has(id)) seat.kind = 'accessible';
      else if (premium.has(label)) seat.kind = 'premium';
      if (blocked.has(id)) seat.blocked = true;
      seats.push(seat);
      if (aisles.includes(n) && n < perRow) seats.push(null);
    }
    layout.rows.push({ label, seats });
  }
  setLayout(layout);
}

function setLayout(layout) {
  $('screen-layout').value = JSON.stringify(layout, null, 1).replace(/\n\s+(?=[\d"}\]n])/g, ' ');
  preview();
}

/** Draws the layout as the booking page will; the server's checks (parseLayout) have the last word. */
function preview() {
  let layout;
  try {
    layout = JSON.parse($('screen-layout').value);
    if (!Array.isArray(layout?.rows)) throw new Error('a layout is { "rows": [...] }');
  } catch (e) {
    $('preview-error').textContent = e.message;
    return;
  }
  $('preview-error').textContent = '';
  let seats = 0;
  $('preview').replaceChildren(
    ...layout.rows.map((row, r) => {
      const el = Object.assign(document.createElement('div'), { className: 'row' });
      el.append(Object.assign(document.createElement('span'), { className: 'row-label', textContent: row.label }));
      (row.seats ?? []).forEach((seat, i) => {
        if (seat === null) return el.append(Object.assign(document.createElement('span'), { className: 'gap' }));
        seats++;
        const kind = seat.blocked ? 'blocked' : (seat.kind ?? 'standard');
        const b = Object.assign(document.createElement('button'), { type: 'button', className: `seat ${kind}`, textContent: seat.number, title: `${row.label}${seat.number}: ${kind}` });
        b.dataset.seat = `${row.label}${seat.number}`;
        b.onclick = () => {
          const next = KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length];
          layout.rows[r].seats[i] = { number: seat.number, ...(next !== 'standard' && next !== 'blocked' && { kind: next }), ...(next === 'blocked' && { blocked: true }) };
          setLayout(layout);
        };
        el.append(b);
      });
      return el;
    }),
  );
  $('preview').dataset.seats = String(seats);
}

$('generate').onclick = generate;
$('screen-layout').oninput = preview;
$('screen-pick').onchange = () => {
  const screen = state.screens.find((s) => s.id === $('screen-pick').value);
  if (!screen) return;
  $('screen-id').value = screen.id;
  $('screen-name').value = screen.name;
  $('screen-theater').value = screen.theaterId;
  setLayout({ rows: screen.layout.rows.map((r) => ({ label: r.label, seats: r.seats.map((s) => (s === null ? null : { number: s.number, ...(s.kind !== 'standard' && { kind: s.kind }), ...(s.blocked && { blocked: true }) })) })) });
};

$('screen-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    let layout;
    try {
      layout = JSON.parse($('screen-layout').value);
    } catch {
      throw new Error('the layout is not valid JSON');
    }
    await api('PUT', `/api/v1/admin/screens/${encodeURIComponent($('screen-id').value)}`, { theaterId: $('screen-theater').value, name: $('screen-name').value, layout });
    await Promise.all([loadCatalog(), loadAudit()]);
  }, `Saved screen ${$('screen-id').value}`);
};

// ---- live occupancy ----

const fmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

async function loadOccupancy() {
  const { showtimes } = await api('GET', '/api/v1/admin/occupancy?limit=20');
  for (const o of state.occupancy.values()) o.ws?.close();
  state.occupancy.clear();
  const titles = new Map(state.movies.map((m) => [m.id, m.title]));
  $('occupancy').tBodies[0].replaceChildren(
    ...showtimes.map((s) => {
      const row = document.createElement('tr');
      row.dataset.showtime = s.showtimeId;
      const cell = (text, cls = '') => Object.assign(document.createElement('td'), { textContent: text, className: cls });
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Holds' });
      button.onclick = () => act(() => loadHolds(s.showtimeId));
      const actions = document.createElement('td');
      actions.append(button);
      row.append(cell(s.showtimeId), cell(titles.get(s.movieId) ?? s.movieId), cell(fmt.format(new Date(s.startsAt))));
      for (const k of ['available', 'held', 'booked', 'blocked']) {
        const c = cell(String(s[k]), 'num');
        c.dataset.count = k;
        row.append(c);
      }
      row.append(actions);
      state.occupancy.set(s.showtimeId, { row, seats: new Map(), ws: watch(s.showtimeId) });
      return row;
    }),
  );
}

/** One socket per watched showtime: a snapshot, then deltas; the counts are recomputed from them. */
function watch(showtimeId) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: 'subscribe', showtime: showtimeId }));
    $('occ-live').textContent = 'live';
  };
  let version = -1;
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    const o = state.occupancy.get(showtimeId);
    if (!o || m.showtime !== showtimeId) return;
    if (m.type === 'snapshot') {
      version = m.version;
      o.seats = new Map(m.seats.map((s) => [s.id, s.status]));
    } else if (m.type === 'delta') {
      if (version < 0) return; // a snapshot is on its way
      if (m.version !== version + 1) {
        // A gap: one resubscribe, not one per delta still in flight (the server drops a client that floods it).
        version = -1;
        return ws.send(JSON.stringify({ type: 'subscribe', showtime: showtimeId }));
      }
      version = m.version;
      for (const c of m.changes) o.seats.set(c.seat, c.status);
      if (state.holdsOf === showtimeId) loadHolds(showtimeId).catch(() => {});
    } else return;
    const counts = { available: 0, held: 0, booked: 0, blocked: 0 };
    for (const status of o.seats.values()) counts[status] = (counts[status] ?? 0) + 1;
    for (const c of o.row.querySelectorAll('[data-count]')) c.textContent = String(counts[c.dataset.count]);
  };
  ws.onclose = () => {
    $('occ-live').textContent = 'reconnect by reloading';
  };
  return ws;
}

// ---- holds and force-release ----

async function loadHolds(showtimeId) {
  state.holdsOf = showtimeId;
  $('holds-showtime').textContent = showtimeId;
  const { holds } = await api('GET', `/api/v1/admin/showtimes/${encodeURIComponent(showtimeId)}/holds`);
  $('holds').tBodies[0].replaceChildren(
    ...holds.map((h) => {
      const row = document.createElement('tr');
      row.dataset.hold = h.holdId;
      const cell = (text) => Object.assign(document.createElement('td'), { textContent: text });
      row.append(cell(h.holdId), cell(h.owner), cell(h.seats.join(', ')), cell(h.state), cell(h.expiresAt ? new Date(h.expiresAt).toLocaleTimeString() : ''));
      const actions = document.createElement('td');
      if (h.state === 'held') {
        const b = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Force release' });
        b.onclick = () =>
          act(async () => {
            const reason = $('release-reason').value.trim();
            if (!reason) throw new Error('give a reason for the audit log first');
            await api('POST', `/api/v1/admin/holds/${encodeURIComponent(h.holdId)}/release`, { reason });
            await Promise.all([loadHolds(showtimeId), loadAudit()]);
          }, `Released ${h.seats.join(', ')}`);
        actions.append(b);
      }
      row.append(actions);
      return row;
    }),
  );
}

// ---- payment queue: depth and dead letters ----

async function loadPayments() {
  const [depth, { deadLetters }] = await Promise.all([api('GET', '/api/v1/admin/payments/queue'), api('GET', '/api/v1/admin/payments/dead-letters?limit=100')]);
  $('payments-depth').textContent = `${depth.kind === 'rabbitmq' ? 'RabbitMQ' : 'Embedded (outbox table)'}: ${depth.waiting} waiting, ${depth.inFlight} in flight, ${depth.dead} dead`;
  $('dead-letters').tBodies[0].replaceChildren(
    ...deadLetters.map((d) => {
      const row = document.createElement('tr');
      row.dataset.message = d.id;
      for (const text of [d.id, d.kind, d.orderId, d.subjectId, String(d.attempts), new Date(d.diedAt).toLocaleString(), d.error]) {
        row.append(Object.assign(document.createElement('td'), { textContent: text }));
      }
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Retry' });
      b.setAttribute('aria-label', `Retry message ${d.id} (${d.kind} of order ${d.orderId})`);
      b.onclick = () =>
        act(async () => {
          b.disabled = true;
          await api('POST', `/api/v1/admin/payments/dead-letters/${encodeURIComponent(d.id)}/retry`);
          await Promise.all([loadPayments(), loadAudit()]);
        }, `Message ${d.id} is back in the queue`);
      const actions = document.createElement('td');
      actions.append(b);
      row.append(actions);
      return row;
    }),
  );
}
$('payments-refresh').onclick = () => act(loadPayments);

// ---- audit log ----

async function loadAudit() {
  const { entries } = await api('GET', '/api/v1/admin/audit?limit=50');
  $('audit').tBodies[0].replaceChildren(
    ...entries.map((e) => {
      const row = document.createElement('tr');
      for (const text of [new Date(e.at).toLocaleString(), e.actor, e.action, e.target, JSON.stringify(e.details)]) {
        row.append(Object.assign(document.createElement('td'), { textContent: text }));
      }
      return row;
    }),
  );
}
$('audit-refresh').onclick = () => act(loadAudit);

generate();
start().catch((e) => say(e.message));
