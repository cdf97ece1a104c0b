// The Concurrency Lab page: two buyers, modes, live panels over /lab/ws (lab-subscribe), the last race
// as a timeline (one lane per buyer: read, wait, write, with the window where both had read shaded),
// and the stress control.
import { $, el, messageOf, request, say } from './common.js';
import { reconnectingSocket } from './live-seat-feed.js';

/** @typedef {import('./types.d.ts').LabInfo} LabInfo */
/** @typedef {import('./types.d.ts').LabModeInfo} LabModeInfo */
/** @typedef {import('./types.d.ts').LabState} LabState */
/** @typedef {import('./types.d.ts').LabEvent} LabEvent */
/** @typedef {import('./types.d.ts').LabLock} LabLock */
/** @typedef {import('./types.d.ts').AttemptResult} AttemptResult */
/** @typedef {import('./types.d.ts').StressSummary} StressSummary */

const SHOWTIME = 'lab-1';
const BUYERS = /** @type {const} */ (['alice', 'bob']);
/** @typedef {typeof BUYERS[number]} Buyer */
/** @type {Record<string, string>} */
const NAMES = { alice: 'Alice', bob: 'Bob' };
const nameOf = (/** @type {string} */ buyer) => NAMES[buyer] ?? buyer;

const lab = {
  /** Set by main() before anything draws. */
  info: /** @type {LabInfo} */ (/** @type {unknown} */ (null)),
  mode: 'unsafe',
  /** @type {LabState | null} */
  state: null,
  receivedAt: 0,
  /** @type {Record<Buyer, Set<string>>} */
  selected: { alice: new Set(), bob: new Set() },
  busy: false,
};

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
const api = (method, path, body) => request(method, path, { body });

const buyerBox = (/** @type {Buyer} */ buyer) => /** @type {HTMLElement} */ (document.querySelector(`.buyer[data-buyer="${buyer}"]`));
const resultOf = (/** @type {string} */ buyer) => /** @type {HTMLElement} */ (buyerBox(/** @type {Buyer} */ (buyer)).querySelector('.result'));
const bookButton = (/** @type {Buyer} */ buyer) => /** @type {HTMLButtonElement} */ (buyerBox(buyer).querySelector('.book'));
const delay = () => Number($('delay', HTMLInputElement).value) || 0;
const modeInfo = () => /** @type {LabModeInfo} */ (lab.info.modes.find((m) => m.name === lab.mode));

function renderModes() {
  const box = $('modes');
  for (const m of lab.info.modes) {
    const input = el('input', { type: 'radio', name: 'mode', value: m.name, checked: m.name === lab.mode, disabled: !m.available });
    input.addEventListener('change', () => {
      lab.mode = m.name;
      renderExplanation();
    });
    box.append(el('label', { class: m.available ? '' : 'unavailable' }, input, m.title, !m.available && el('span', { class: 'why', text: `unavailable: ${m.reason}` })));
  }
  $('explanations').replaceChildren(
    ...lab.info.modes.flatMap((m) => [el('dt', {}, m.title, m.available ? '' : ' (unavailable here)'), el('dd', {}, m.explanation, ' ', el('span', { class: 'muted', text: `Runs on: ${m.store}.` }))]),
  );
  $('last-line').replaceChildren(el('strong', { text: 'The last line. ' }), lab.info.lastLine);
  renderExplanation();
}

function renderExplanation() {
  const m = modeInfo();
  $('explanation').textContent = `${m.title}: ${m.explanation}`;
}

/** Seat -> its status and who booked it, from the database panel's data. */
function seatFacts() {
  /** @type {Map<string, { status: string, buyers: string[] }>} */
  const facts = new Map();
  for (const s of lab.state?.seats ?? []) facts.set(s.seat, { status: s.status, buyers: s.buyer ? [s.buyer] : [] });
  for (const a of lab.state?.anomalies ?? []) {
    const f = facts.get(a.seat);
    if (f) f.buyers = a.bookings.map((b) => b.buyer);
  }
  return facts;
}

function renderSeats() {
  const facts = seatFacts();
  const locks = [...(lab.state?.locks.memory ?? []), ...(lab.state?.locks.redis ?? [])];
  for (const buyer of BUYERS) {
    const grid = /** @type {HTMLElement} */ (buyerBox(buyer).querySelector('.lab-grid'));
    if (!grid.childElementCount) {
      for (const row of lab.info.showtimes[0].rows) {
        grid.append(
          el(
            'div',
            { class: 'lab-row' },
            el('span', { class: 'lab-row-label', 'aria-hidden': 'true', text: row.label }),
            row.seats.map((id) => el('button', { type: 'button', class: 'lab-seat', text: id.slice(1), 'data-seat': id, onclick: () => toggle(buyer, id) })),
          ),
        );
      }
    }
    for (const seat of /** @type {NodeListOf<HTMLButtonElement>} */ (grid.querySelectorAll('.lab-seat'))) {
      const id = seat.dataset.seat ?? '';
      const f = facts.get(id) ?? { status: 'available', buyers: [] };
      const lock = locks.find((l) => l.seat === id && l.owner !== buyer);
      let state = 'available';
      let label = 'available';
      if (f.buyers.length > 1) [state, label] = ['double', `booked ${f.buyers.length} times: ${f.buyers.map(nameOf).join(', ')}`];
      else if (f.status === 'booked') [state, label] = f.buyers[0] === buyer ? ['booked-mine', 'booked by you'] : ['booked', `booked by ${f.buyers[0] ? nameOf(f.buyers[0]) : 'someone'}`];
      else if (lock) [state, label] = ['locked', `locked by ${nameOf(lock.owner)}`];
      else if (lab.selected[buyer].has(id)) [state, label] = ['selected', 'picked'];
      seat.className = `lab-seat ${state}`;
      seat.dataset.state = state;
      seat.setAttribute('aria-pressed', String(lab.selected[buyer].has(id)));
      seat.setAttribute('aria-label', `Row ${id[0]} seat ${id.slice(1)}, ${label}`);
    }
    const n = lab.selected[buyer].size;
    const book = bookButton(buyer);
    book.disabled = n === 0 || lab.busy;
    book.textContent = n ? `Book ${n} seat${n === 1 ? '' : 's'} for ${NAMES[buyer]}` : `Book for ${NAMES[buyer]}`;
  }
}

/**
 * @param {Buyer} buyer
 * @param {string} id
 */
function toggle(buyer, id) {
  const set = lab.selected[buyer];
  if (set.has(id)) set.delete(id);
  else if (set.size < lab.info.limits.maxSeatsPerBuyer) set.add(id);
  renderSeats();
}

/** @param {AttemptResult} r */
function showResult(r) {
  const p = resultOf(r.buyer);
  p.className = `result ${r.outcome}`;
  p.textContent = r.outcome === 'won' ? `${nameOf(r.buyer)} won ${r.seats.join(', ')} (${Math.round(r.ms)} ms)` : `${nameOf(r.buyer)} ${r.outcome === 'refused' ? 'refused' : 'error'}: ${r.reason} (${Math.round(r.ms)} ms)`;
  p.dataset.outcome = r.outcome;
}

/** @param {() => Promise<void>} fn */
async function busy(fn) {
  lab.busy = true;
  const buttons = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('button:not(.lab-seat)')]);
  for (const b of buttons) b.disabled = true;
  try {
    await fn();
  } catch (e) {
    say(messageOf(e));
  } finally {
    lab.busy = false;
    for (const b of buttons) b.disabled = false;
    renderSeats();
  }
}

function firstFreeSeat() {
  const facts = seatFacts();
  return lab.info.showtimes[0].rows.flatMap((r) => r.seats).find((id) => facts.get(id)?.status !== 'booked') ?? 'A1';
}

async function race() {
  const a = [...lab.selected.alice];
  const b = [...lab.selected.bob];
  const fallback = a.length ? a : b.length ? b : [firstFreeSeat()];
  const buyers = [
    { buyer: 'alice', seats: a.length ? a : fallback },
    { buyer: 'bob', seats: b.length ? b : fallback },
  ];
  say('');
  /** @type {{ results: AttemptResult[] }} */
  const { results } = await api('POST', '/lab/api/race', { showtime: SHOWTIME, mode: lab.mode, delayMs: delay(), buyers });
  results.forEach(showResult);
  lab.selected.alice.clear();
  lab.selected.bob.clear();
  const winners = results.filter((r) => r.outcome === 'won').length;
  const overlap = buyers[0].seats.some((s) => buyers[1].seats.includes(s));
  if (winners > 1 && overlap) say(`${winners} winners for the same seat: a double booking (see Anomalies and the timeline).`);
  else say(`${winners} winner${winners === 1 ? '' : 's'} in ${modeInfo().title}.`, true);
  await refresh();
}

/** @param {Buyer} buyer */
async function bookOne(buyer) {
  const seats = [...lab.selected[buyer]];
  /** @type {AttemptResult} */
  const result = await api('POST', '/lab/api/book', { showtime: SHOWTIME, mode: lab.mode, buyer, seats, delayMs: delay() });
  showResult(result);
  lab.selected[buyer].clear();
  await refresh();
}

async function stress() {
  const seats = $('stress-seats', HTMLSelectElement).value.split(',');
  const body = {
    showtime: SHOWTIME,
    mode: lab.mode,
    delayMs: delay(),
    buyers: Number($('stress-buyers', HTMLInputElement).value),
    seats,
    seatsPerBuyer: Math.min(Number($('stress-per-buyer', HTMLInputElement).value) || 1, seats.length),
  };
  $('stress-result').textContent = `running ${body.buyers} buyers…`;
  /** @type {StressSummary} */
  const r = await api('POST', '/lab/api/stress', body);
  const rows = [
    ['mode', modeInfo().title],
    ['won', r.won],
    ['refused', r.refused],
    ['errors', r.errors],
    ['duplicate bookings', r.duplicateBookings],
    ['latency p50 / p90 / p99 / max', `${r.latencyMs.p50} / ${r.latencyMs.p90} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms`],
    ['elapsed', `${r.elapsedMs} ms`],
  ];
  $('stress-result').replaceChildren(el('table', { class: 'stress-table' }, el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', text: String(k) }), el('td', { text: String(v) }))))));
  await refresh();
}

function renderPanels() {
  const s = lab.state;
  if (!s) return;
  renderLocks();
  $('anomalies').replaceChildren(
    s.anomalies.length
      ? el('ul', {}, s.anomalies.map((a) => el('li', { class: 'anomaly', text: `${a.seat}: ${a.bookings.length} bookings (${a.bookings.map((b) => `${nameOf(b.buyer)} #${b.id}`).join(', ')})` })))
      : el('p', { class: 'muted', text: 'None: every seat has at most one booking.' }),
  );
  const dup = new Set(s.anomalies.map((a) => a.seat));
  const rows = s.bookings.rows.map((b) => el('tr', { class: dup.has(b.seat) ? 'dup' : '' }, [b.id, b.seat, nameOf(b.buyer), b.mode, b.bookingId].map((v) => el('td', { text: String(v) }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: 'No bookings.' })));
  if (s.bookings.total > s.bookings.rows.length) rows.push(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: `… ${s.bookings.total - s.bookings.rows.length} older rows` })));
  $('bookings', HTMLTableElement).tBodies[0].replaceChildren(...rows);
  const time = (/** @type {number} */ t) => new Date(t).toISOString().slice(11, 23);
  $('log').textContent =
    s.log
      .map(({ at, event, phases, startedAt, ...rest }) => `${time(at)} ${event} ${JSON.stringify(rest)}`)
      .reverse()
      .join('\n') || 'No events yet.';
  renderTimeline(s.log);
  renderSeats();
}

function renderLocks() {
  const s = /** @type {LabState} */ (lab.state);
  const elapsed = Date.now() - lab.receivedAt;
  const list = (/** @type {LabLock[]} */ locks) => {
    const live = locks.map((l) => ({ ...l, left: l.ttlMs - elapsed })).filter((l) => l.left > 0);
    return live.length
      ? el('ul', {}, live.map((l) => el('li', {}, `${l.seat} → ${nameOf(l.owner)} `, el('span', { class: 'ttl', text: `${(l.left / 1000).toFixed(1)} s` }))))
      : el('p', { class: 'muted', text: 'no locks' });
  };
  $('locks').replaceChildren(el('h3', { text: 'memory' }), list(s.locks.memory), el('h3', { text: 'Redis' }), s.locks.redis ? list(s.locks.redis) : el('p', { class: 'muted', text: 'not configured' }));
}

// ---- the timeline of the last race ----

/** @typedef {{ phase: string, from: number, to: number }} Span */

/**
 * The attempts of the last race in the log (after its race.start, before anything else started),
 * each as spans from the race's first start, in ms.
 * @param {LabEvent[]} log
 */
function lastRace(log) {
  const start = log.map((e) => e.event).lastIndexOf('race.start');
  if (start < 0) return null;
  const attempts = [];
  for (const e of log.slice(start + 1)) {
    if (!e.event.startsWith('attempt.')) break;
    if (e.buyer && e.startedAt !== undefined && e.phases && e.ms !== undefined) attempts.push(/** @type {Required<LabEvent>} */ (e));
  }
  if (!attempts.length) return null;
  const t0 = Math.min(...attempts.map((a) => a.startedAt));
  const lanes = attempts.map((a) => {
    const offset = a.startedAt - t0;
    /** @type {Span[]} */
    const spans = a.phases.map((p, i) => ({ phase: p.phase, from: offset + p.atMs, to: offset + (a.phases[i + 1]?.atMs ?? a.ms) }));
    return { buyer: a.buyer, outcome: a.outcome, reason: a.reason, spans, end: offset + a.ms };
  });
  return { mode: attempts[0].mode, delayMs: /** @type {number | undefined} */ (log[start].delayMs), lanes, end: Math.max(...lanes.map((l) => l.end), 1) };
}

/**
 * Where two buyers had both read and neither written: the intersections of their wait spans.
 * @param {Span[][]} waits each buyer's wait spans
 */
function overlaps(waits) {
  /** @type {{ from: number, to: number }[]} */
  const found = [];
  for (let i = 0; i < waits.length; i++)
    for (let j = i + 1; j < waits.length; j++)
      for (const a of waits[i]) for (const b of waits[j]) if (Math.min(a.to, b.to) > Math.max(a.from, b.from)) found.push({ from: Math.max(a.from, b.from), to: Math.min(a.to, b.to) });
  return found;
}

/** @param {LabEvent[]} log */
function renderTimeline(log) {
  const race = lastRace(log);
  if (!race) return;
  const pct = (/** @type {number} */ ms) => `${((ms / race.end) * 100).toFixed(2)}%`;
  const windows = overlaps(race.lanes.map((l) => l.spans.filter((s) => s.phase === 'wait')));
  const ms = (/** @type {number} */ n) => `${Math.round(n)} ms`;
  const shaded = () =>
    windows.map((w) => {
      const band = el('span', { class: 'overlap', 'aria-hidden': 'true' });
      band.style.left = pct(w.from);
      band.style.width = pct(w.to - w.from);
      return band;
    });
  const lanes = race.lanes.map((lane) => {
    const track = el('div', { class: 'track', 'data-buyer': lane.buyer }, shaded());
    for (const s of lane.spans) {
      const bar = el('span', { class: `phase ${s.phase}`, 'data-phase': s.phase, title: `${s.phase} ${ms(s.from)}–${ms(s.to)}` });
      bar.style.left = pct(s.from);
      bar.style.width = `max(2px, ${pct(s.to - s.from)})`;
      track.append(bar);
    }
    const said = lane.spans.map((s) => `${s.phase} ${ms(s.from)} to ${ms(s.to)}`).join(', ');
    const outcome = lane.outcome;
    return el(
      'li',
      { class: 'lane', 'data-buyer': lane.buyer, 'data-outcome': outcome },
      el('span', { class: 'lane-name', text: nameOf(lane.buyer) }),
      el('div', { class: 'track-box', role: 'img', 'aria-label': `${nameOf(lane.buyer)}: ${said}; ${outcome}` }, track),
      el('span', { class: `lane-outcome ${outcome}`, text: outcome }),
    );
  });
  const both = windows.length
    ? `Shaded: for ${ms(windows.reduce((sum, w) => sum + w.to - w.from, 0))} both buyers had read the seat and neither had written. Whatever one wrote, the other did not see.`
    : 'No overlap: a buyer read only after the other had written, or was turned away before reading.';
  $('timeline').replaceChildren(
    el('p', { class: 'timeline-mode', text: `${lab.info.modes.find((m) => m.name === race.mode)?.title ?? race.mode}, delay ${race.delayMs ?? '?'} ms` }),
    el('ol', { class: 'lanes' }, lanes),
    el('div', { class: 'axis', 'aria-hidden': 'true' }, el('span', { text: '0 ms' }), el('span', { text: ms(race.end) })),
    el('p', { class: 'timeline-says', 'data-overlap': String(windows.length > 0), text: both }),
  );
}

async function refresh() {
  lab.state = await api('GET', `/lab/api/state?showtime=${SHOWTIME}`);
  lab.receivedAt = Date.now();
  renderPanels();
}

const STATUS_WORDS = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };

async function main() {
  lab.info = await api('GET', '/lab/api');
  renderModes();
  renderSeats();
  $('race').addEventListener('click', () => busy(race));
  $('reset').addEventListener('click', () =>
    busy(async () => {
      await api('POST', '/lab/api/reset', { showtime: SHOWTIME });
      for (const b of BUYERS) {
        lab.selected[b].clear();
        const p = resultOf(b);
        p.className = 'result';
        p.textContent = 'Pick seats, or press Race.';
        delete p.dataset.outcome;
      }
      say('Reset: no bookings, no locks.', true);
      await refresh();
    }),
  );
  for (const b of BUYERS) bookButton(b).addEventListener('click', () => busy(() => bookOne(b)));
  $('stress-run').addEventListener('click', () => busy(stress));
  setInterval(() => lab.state && renderLocks(), 200);
  await refresh();
  reconnectingSocket('/lab/ws', {
    onOpen: (send) => send({ type: 'lab-subscribe', showtime: SHOWTIME }),
    onMessage(m) {
      if (m.type !== 'lab-state') return;
      lab.state = m;
      lab.receivedAt = Date.now();
      renderPanels();
    },
    onStatus: (status) => ($('live').textContent = STATUS_WORDS[status]),
  });
}

main().catch((e) => say(messageOf(e)));
