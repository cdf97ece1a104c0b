// The admin dashboard: catalog editing with a seat-layout preview, live occupancy over /ws,
// holds with force-release, the payment queue's dead letters with retry, the audit log. The access
// token lives in memory; the refresh token is an httpOnly cookie, so a reload logs in again through
// POST /api/v1/auth/refresh. What an action answers (saved, or the server's error) is shown beside
// the form or table that caused it.
import { $, el, messageOf, request, say } from './common.js';
import { when } from './format.js';
import { liveSeatFeed } from './live-seat-feed.js';

/** @typedef {import('./types.d.ts').Movie} Movie */
/** @typedef {import('./types.d.ts').Theater} Theater */
/** @typedef {import('./types.d.ts').Screen} Screen */
/** @typedef {import('./types.d.ts').Session} Session */
/** @typedef {import('./types.d.ts').Occupancy} Occupancy */
/** @typedef {import('./types.d.ts').AdminHold} AdminHold */
/** @typedef {import('./types.d.ts').AuditEntry} AuditEntry */
/** @typedef {import('./types.d.ts').QueueDepth} QueueDepth */
/** @typedef {import('./types.d.ts').DeadLetter} DeadLetter */
/** @typedef {import('./types.d.ts').LayoutInput} LayoutInput */
/** @typedef {import('./types.d.ts').LayoutSeatInput} LayoutSeatInput */
/** @typedef {import('./live-seat-feed.js').FeedStatus} FeedStatus */
/** @typedef {ReturnType<typeof liveSeatFeed>} Feed */

const KINDS = ['standard', 'accessible', 'premium', 'blocked'];
const COUNTS = /** @type {const} */ (['available', 'held', 'booked', 'blocked']);

const state = {
  /** @type {string | null} */
  token: null,
  /** @type {Session['user'] | null} */
  user: null,
  /** showtimeId -> its table row and the feed that keeps its counts live. @type {Map<string, { row: HTMLTableRowElement, feed: Feed, status: FeedStatus }>} */
  occupancy: new Map(),
  /** @type {string | null} */
  holdsOf: null,
  /** @type {Movie[]} */
  movies: [],
  /** @type {Screen[]} */
  screens: [],
};

/**
 * An admin request; an expired access token is renewed once from the refresh cookie.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
async function api(method, path, body) {
  const sent = state.token;
  try {
    return await request(method, path, { body, token: sent });
  } catch (e) {
    if (/** @type {import('./common.js').ApiError} */ (e).status !== 401 || !sent) throw e;
    // Unless another request renewed the token meanwhile, renew it (one refresh for all of them).
    if (state.token === sent && !(await refresh())) {
      if (state.token === sent) sessionEnded();
      throw Object.assign(new Error('Your session has ended (logged out in another tab, or it ran out). Log in again.'), { sessionEnded: true });
    }
    return request(method, path, { body, token: state.token });
  }
}

/** Logged out elsewhere or revoked: back to the login form, without the live sockets. */
function sessionEnded() {
  state.token = null;
  state.user = null;
  unwatchAll();
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
}

/**
 * Shows a message in a status line (green when ok; empty hides it).
 * @param {HTMLElement} line
 * @param {string} text
 */
function tell(line, text, ok = false) {
  line.textContent = text;
  line.classList.toggle('ok', ok);
  line.hidden = !text;
}

/**
 * Runs an action and says how it went in `line`, the status line beside what caused it: the text
 * the action resolves with when it worked, the server's message when not. A session that ended is
 * said at the top, above the login form.
 * @param {() => Promise<string | void>} fn
 * @param {HTMLElement} [line]
 */
async function act(fn, line = $('message')) {
  tell(line, '');
  try {
    const done = await fn();
    if (done) tell(line, done, true);
  } catch (e) {
    tell(e instanceof Error && 'sessionEnded' in e ? $('message') : line, messageOf(e));
  }
}

/**
 * A new access token from the refresh cookie. Each refresh token works once and presenting a spent
 * one revokes the session, so requests that fail together share one refresh instead of each
 * sending the cookie (the second would log the admin out).
 * @type {Promise<boolean> | null}
 */
let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/v1/auth/refresh', { method: 'POST' });
      if (!response.ok) return false;
      /** @type {Session} */
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
  if ((await refresh()) && state.user?.role === 'admin') return open();
  $('login').hidden = false;
}

async function open() {
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = state.user?.email ?? '';
  await Promise.all([loadCatalog(), loadOccupancy(), loadPayments(), loadAudit()]);
}

/**
 * Wires a form's submit to an action whose outcome shows in the form's own status line.
 * @param {string} name the form is #<name>-form, its status line #<name>-status
 * @param {() => Promise<string | void>} fn resolves with what to say when it worked
 */
function onSubmit(name, fn) {
  const line = $(`${name}-status`);
  $(`${name}-form`, HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    act(fn, line);
  });
}

const value = (/** @type {string} */ id) => $(id, HTMLInputElement).value;

onSubmit('login', async () => {
  /** @type {Session} */
  const session = await api('POST', '/api/v1/auth/login', { email: value('login-email'), password: value('login-password') });
  if (session.user.role !== 'admin') throw new Error(`${session.user.email} is not an admin`);
  state.token = session.accessToken;
  state.user = session.user;
  say('');
  await open();
  $('occ-title').focus(); // the login form is gone: the dashboard's first heading, not the page body
});

$('logout').onclick = () =>
  act(async () => {
    await api('POST', '/api/v1/auth/logout');
    location.reload();
  });

// ---- catalog ----

const option = (/** @type {string} */ v, /** @type {string} */ text) => new Option(text, v);

async function loadCatalog() {
  /** @type {[{ movies: Movie[] }, { theaters: Theater[] }, { screens: Screen[] }]} */
  const [{ movies }, { theaters }, { screens }] = await Promise.all([
    api('GET', '/api/v1/admin/movies'),
    api('GET', '/api/v1/admin/theaters'),
    api('GET', '/api/v1/admin/screens'),
  ]);
  state.movies = movies;
  state.screens = screens;
  $('movies').replaceChildren(...movies.map((m) => el('li', { text: `${m.id}: ${m.title} (${m.durationMinutes} min)` })));
  $('theaters').replaceChildren(...theaters.map((t) => el('li', { text: `${t.id}: ${t.name}` })));
  $('showtime-movie').replaceChildren(...movies.map((m) => option(m.id, m.title)));
  $('showtime-screen').replaceChildren(...screens.map((s) => option(s.id, `${s.name} (${s.theaterId})`)));
  $('screen-theater').replaceChildren(...theaters.map((t) => option(t.id, t.name)));
  $('screen-pick').replaceChildren(option('', 'new screen'), ...screens.map((s) => option(s.id, `${s.id}: ${s.name}`)));
}

onSubmit('movie', async () => {
  const id = value('movie-id');
  await api('PUT', `/api/v1/admin/movies/${encodeURIComponent(id)}`, { title: value('movie-title'), durationMinutes: Number(value('movie-minutes')) });
  await Promise.all([loadCatalog(), loadAudit()]);
  return `Saved movie ${id}`;
});

onSubmit('theater', async () => {
  const id = value('theater-id');
  await api('PUT', `/api/v1/admin/theaters/${encodeURIComponent(id)}`, { name: value('theater-name') });
  await Promise.all([loadCatalog(), loadAudit()]);
  return `Saved theater ${id}`;
});

onSubmit('showtime', async () => {
  const id = value('showtime-id');
  const startsAt = new Date(value('showtime-starts')).toISOString();
  // Prices are typed in units (12.50) and sent in cents; none typed keeps the showtime's own.
  const kinds = ['standard', 'premium', 'accessible'];
  const typed = kinds.map((k) => value(`showtime-price-${k}`).trim());
  const prices = typed.some((v) => v !== '')
    ? { currency: value('showtime-currency').trim().toUpperCase(), ...Object.fromEntries(kinds.map((k, i) => [k, Math.round(Number(typed[i] || 0) * 100)])) }
    : undefined;
  const movieId = $('showtime-movie', HTMLSelectElement).value;
  const screenId = $('showtime-screen', HTMLSelectElement).value;
  await api('PUT', `/api/v1/admin/showtimes/${encodeURIComponent(id)}`, { movieId, screenId, startsAt, ...(prices && { prices }) });
  await Promise.all([loadOccupancy(), loadAudit()]);
  return `Saved showtime ${id}`;
});

// ---- layout editor ----

const rowLabel = (/** @type {number} */ i) => (i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
const listOf = (/** @type {string} */ text) => text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
const layoutText = () => $('screen-layout', HTMLTextAreaElement);

function generate() {
  const rows = Number(value('gen-rows'));
  const perRow = Number(value('gen-seats'));
  const aisles = listOf(value('gen-aisles')).map(Number);
  const accessible = new Set(listOf(value('gen-accessible')));
  const premium = new Set(listOf(value('gen-premium')));
  const blocked = new Set(listOf(value('gen-blocked')));
  /** @type {LayoutInput} */
  const layout = { rows: [] };
  for (let r = 0; r < rows; r++) {
    const label = rowLabel(r);
    /** @type {(LayoutSeatInput | null)[]} */
    const seats = [];
    for (let n = 1; n <= perRow; n++) {
      const id = `${label}${n}`;
      /** @type {LayoutSeatInput} */
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

/** @param {LayoutInput} layout */
function setLayout(layout) {
  layoutText().value = JSON.stringify(layout, null, 1).replace(/\n\s+(?=[\d"}\]n])/g, ' ');
  preview();
}

/** @param {string} text */
function layoutError(text) {
  $('preview-error').textContent = text;
  layoutText().setAttribute('aria-invalid', String(!!text));
}

/**
 * Draws the layout as the booking page will, with the seats listed twice marked (the server refuses
 * such a layout); the server's checks (parseLayout) have the last word.
 */
function preview() {
  /** @type {LayoutInput} */
  let layout;
  try {
    layout = JSON.parse(layoutText().value);
    if (!Array.isArray(layout?.rows)) throw new Error('a layout is { "rows": [...] }');
  } catch (e) {
    return layoutError(`The layout is not valid: ${messageOf(e)}`);
  }
  /** @type {Map<string, number>} */
  const times = new Map();
  for (const row of layout.rows) for (const seat of row.seats ?? []) if (seat) times.set(`${row.label}${seat.number}`, (times.get(`${row.label}${seat.number}`) ?? 0) + 1);
  const twice = [...times].filter(([, n]) => n > 1).map(([id]) => id);
  layoutError(twice.length ? `${twice.length === 1 ? 'Seat' : 'Seats'} ${twice.join(', ')} ${twice.length === 1 ? 'is' : 'are'} listed more than once (marked): each seat number once per row, each row label once.` : '');
  let seats = 0;
  $('preview').replaceChildren(
    ...layout.rows.map((row, r) =>
      el(
        'div',
        { class: 'preview-row' },
        el('span', { class: 'preview-label', 'aria-hidden': 'true', text: row.label }),
        (row.seats ?? []).map((seat, i) => {
          if (seat === null) return el('span', { class: 'preview-gap' });
          seats++;
          const id = `${row.label}${seat.number}`;
          const kind = seat.blocked ? 'blocked' : (seat.kind ?? 'standard');
          const duplicate = (times.get(id) ?? 0) > 1;
          return el('button', {
            type: 'button',
            class: `preview-seat ${kind}${duplicate ? ' duplicate' : ''}`,
            text: String(seat.number),
            'aria-label': `Row ${row.label} seat ${seat.number}, ${kind}${duplicate ? ', listed more than once' : ''}`,
            'data-seat': id,
            onclick: () => {
              const next = KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length];
              layout.rows[r].seats[i] = { number: seat.number, ...(next !== 'standard' && next !== 'blocked' && { kind: /** @type {LayoutSeatInput['kind']} */ (next) }), ...(next === 'blocked' && { blocked: true }) };
              setLayout(layout);
              /** @type {HTMLElement | null} */ ($('preview').querySelector(`[data-seat="${id}"]`))?.focus(); // the redraw replaced the button
            },
          });
        }),
      ),
    ),
  );
  $('preview').dataset.seats = String(seats);
}

$('generate').onclick = generate;
layoutText().oninput = preview;
$('screen-pick').onchange = () => {
  const screen = state.screens.find((s) => s.id === $('screen-pick', HTMLSelectElement).value);
  if (!screen) return;
  $('screen-id', HTMLInputElement).value = screen.id;
  $('screen-name', HTMLInputElement).value = screen.name;
  $('screen-theater', HTMLSelectElement).value = screen.theaterId;
  setLayout({ rows: screen.layout.rows.map((r) => ({ label: r.label, seats: r.seats.map((s) => (s === null ? null : { number: s.number, ...(s.kind !== 'standard' && { kind: s.kind }), ...(s.blocked && { blocked: true }) })) })) });
};

onSubmit('screen', async () => {
  const id = value('screen-id');
  let layout;
  try {
    layout = JSON.parse(layoutText().value);
  } catch {
    layoutText().focus();
    throw new Error('The layout is not valid JSON: fix it in the Layout JSON box (the preview says where).');
  }
  await api('PUT', `/api/v1/admin/screens/${encodeURIComponent(id)}`, { theaterId: $('screen-theater', HTMLSelectElement).value, name: value('screen-name'), layout });
  await Promise.all([loadCatalog(), loadAudit()]);
  return `Saved screen ${id}`;
});

// ---- live occupancy ----

function unwatchAll() {
  for (const o of state.occupancy.values()) o.feed.close();
  state.occupancy.clear();
  liveStatus();
}

/** "live" once every watched showtime's socket is up; "reconnecting…" while one is not. */
function liveStatus() {
  const statuses = [...state.occupancy.values()].map((o) => o.status);
  $('occ-live').textContent = !statuses.length ? '' : statuses.every((s) => s === 'live') ? 'live' : statuses.includes('reconnecting') ? 'reconnecting…' : 'connecting…';
}

async function loadOccupancy() {
  /** @type {{ showtimes: Occupancy[] }} */
  const { showtimes } = await api('GET', '/api/v1/admin/occupancy?limit=20');
  unwatchAll();
  const titles = new Map(state.movies.map((m) => [m.id, m.title]));
  $('occupancy', HTMLTableElement).tBodies[0].replaceChildren(
    ...showtimes.map((s) => {
      const row = el(
        'tr',
        { 'data-showtime': s.showtimeId },
        el('th', { scope: 'row', 'data-label': 'Showtime', text: s.showtimeId }),
        el('td', { 'data-label': 'Movie', text: titles.get(s.movieId) ?? s.movieId }),
        el('td', { 'data-label': 'Starts', text: when(s.startsAt) }),
        COUNTS.map((k) => el('td', { class: 'num', 'data-label': k[0].toUpperCase() + k.slice(1), 'data-count': k, text: String(s[k]) })),
        el('td', {}, el('button', { type: 'button', text: 'Holds', 'aria-label': `Holds of ${s.showtimeId}`, onclick: () => act(() => loadHolds(s.showtimeId), $('holds-status')) })),
      );
      state.occupancy.set(s.showtimeId, { row, feed: watch(s.showtimeId), status: 'connecting' });
      return row;
    }),
  );
  liveStatus();
}

/**
 * One live seat feed per watched showtime (a socket each, reconnecting by itself): the counts are
 * recounted from its seats after the snapshot and every delta.
 * @param {string} showtimeId
 */
function watch(showtimeId) {
  const recount = () => {
    const o = state.occupancy.get(showtimeId);
    if (!o) return;
    const counts = { available: 0, held: 0, booked: 0, blocked: 0 };
    for (const seat of o.feed.seats.values()) counts[seat.status]++;
    for (const c of o.row.querySelectorAll('[data-count]')) c.textContent = String(counts[/** @type {HTMLElement} */ (c).dataset.count ?? '']);
  };
  const feed = liveSeatFeed({
    onSnapshot: recount,
    onDelta: () => {
      recount();
      if (state.holdsOf === showtimeId) loadHolds(showtimeId).catch((e) => tell($('holds-status'), messageOf(e)));
    },
    onStatus: (status) => {
      const o = state.occupancy.get(showtimeId);
      if (o) o.status = status;
      liveStatus();
    },
  });
  feed.show(showtimeId);
  return feed;
}

// ---- holds and force-release ----

/** @param {string} showtimeId */
async function loadHolds(showtimeId) {
  state.holdsOf = showtimeId;
  $('holds-showtime').textContent = showtimeId;
  /** @type {{ holds: AdminHold[] }} */
  const { holds } = await api('GET', `/api/v1/admin/showtimes/${encodeURIComponent(showtimeId)}/holds`);
  const line = $('holds-status');
  $('holds', HTMLTableElement).tBodies[0].replaceChildren(
    ...holds.map((h) =>
      el(
        'tr',
        { 'data-hold': h.holdId },
        [h.holdId, h.owner, h.seats.join(', '), h.state, h.expiresAt ? new Date(h.expiresAt).toLocaleTimeString() : ''].map((text) => el('td', { text })),
        el(
          'td',
          {},
          h.state === 'held' &&
            el('button', {
              type: 'button',
              text: 'Force release',
              'aria-label': `Force release ${h.seats.join(', ')}`,
              onclick: () =>
                act(
                  async () => {
                    const reason = value('release-reason').trim();
                    if (!reason) {
                      $('release-reason').focus();
                      throw new Error('Give a reason for the audit log first.');
                    }
                    await api('POST', `/api/v1/admin/holds/${encodeURIComponent(h.holdId)}/release`, { reason });
                    await Promise.all([loadHolds(showtimeId), loadAudit()]);
                    return `Released ${h.seats.join(', ')}`;
                  },
                  line,
                ),
            }),
        ),
      ),
    ),
  );
  if (!holds.length) $('holds', HTMLTableElement).tBodies[0].append(el('tr', {}, el('td', { colSpan: 6, class: 'muted', text: `No holds on ${showtimeId}.` })));
}

// ---- payment queue: depth and dead letters ----

async function loadPayments() {
  /** @type {[QueueDepth, { deadLetters: DeadLetter[] }]} */
  const [depth, { deadLetters }] = await Promise.all([api('GET', '/api/v1/admin/payments/queue'), api('GET', '/api/v1/admin/payments/dead-letters?limit=100')]);
  $('payments-depth').textContent = `${depth.kind === 'rabbitmq' ? 'RabbitMQ' : 'Embedded (outbox table)'}: ${depth.waiting} waiting, ${depth.inFlight} in flight, ${depth.dead} dead`;
  const line = $('payments-status');
  $('dead-letters', HTMLTableElement).tBodies[0].replaceChildren(
    ...deadLetters.map((d) => {
      const retry = el('button', {
        type: 'button',
        text: 'Retry',
        'aria-label': `Retry message ${d.id} (${d.kind} of order ${d.orderId})`,
        onclick: () =>
          act(
            async () => {
              retry.disabled = true;
              await api('POST', `/api/v1/admin/payments/dead-letters/${encodeURIComponent(d.id)}/retry`);
              await Promise.all([loadPayments(), loadAudit()]);
              return `Message ${d.id} is back in the queue`;
            },
            line,
          ),
      });
      return el(
        'tr',
        { 'data-message': d.id },
        [d.id, d.kind, d.orderId, d.subjectId, String(d.attempts), new Date(d.diedAt).toLocaleString(), d.error].map((text) => el('td', { text })),
        el('td', {}, retry),
      );
    }),
  );
}
$('payments-refresh').onclick = () => act(loadPayments, $('payments-status'));

// ---- audit log ----

async function loadAudit() {
  /** @type {{ entries: AuditEntry[] }} */
  const { entries } = await api('GET', '/api/v1/admin/audit?limit=50');
  $('audit', HTMLTableElement).tBodies[0].replaceChildren(
    ...entries.map((e) => el('tr', {}, [new Date(e.at).toLocaleString(), e.actor, e.action, e.target, JSON.stringify(e.details)].map((text) => el('td', { text })))),
  );
}
$('audit-refresh').onclick = () => act(loadAudit);

generate();
start().catch((e) => say(messageOf(e)));
