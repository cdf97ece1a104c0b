// The Concurrency Lab page: two buyers, modes, live panels over /lab/ws (lab-subscribe), stress control.
import { $, request, say } from './common.js';

const SHOWTIME = 'lab-1';
const BUYERS = ['alice', 'bob'];
const NAMES = { alice: 'Alice', bob: 'Bob' };

const lab = {
  info: null,
  mode: 'unsafe',
  state: null,
  receivedAt: 0,
  selected: { alice: new Set(), bob: new Set() },
  busy: false,
};

const api = (method, path, body) => request(method, path, { body });

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const buyerBox = (buyer) => document.querySelector(`.buyer[data-buyer="${buyer}"]`);
const delay = () => Number($('delay').value) || 0;
const modeInfo = () => lab.info.modes.find((m) => m.name === lab.mode);

function renderModes() {
  const box = $('modes');
  for (const m of lab.info.modes) {
    const input = el('input', { type: 'radio', name: 'mode', value: m.name, checked: m.name === lab.mode, disabled: !m.available });
    input.addEventListener('change', () => {
      lab.mode = m.name;
      renderExplanation();
    });
    const label = el('label', { className: m.available ? '' : 'unavailable' }, input, m.title);
    if (!m.available) label.append(el('span', { className: 'why' }, `unavailable: ${m.reason}`));
    box.append(label);
  }
  $('explanations').replaceChildren(
    ...lab.info.modes.flatMap((m) => [el('dt', {}, m.title, m.available ? '' : ' (unavailable here)'), el('dd', {}, m.explanation, ' ', el('span', { className: 'muted' }, `Runs on: ${m.store}.`))]),
  );
  $('last-line').replaceChildren(el('strong', {}, 'The last line. '), lab.info.lastLine);
  renderExplanation();
}

function renderExplanation() {
  const m = modeInfo();
  $('explanation').textContent = `${m.title}: ${m.explanation}`;
}

/** Seat -> { buyers: [...], status } from the database panel's data. */
function seatFacts() {
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
    const grid = buyerBox(buyer).querySelector('.lab-grid');
    if (!grid.childElementCount) {
      for (const row of lab.info.showtimes[0].rows) {
        const line = el('div', { className: 'row' }, el('span', { className: 'row-label', ariaHidden: 'true' }, row.label));
        for (const id of row.seats) {
          const seat = el('button', { type: 'button', className: 'seat', textContent: id.slice(1) });
          seat.dataset.seat = id;
          seat.addEventListener('click', () => toggle(buyer, id));
          line.append(seat);
        }
        grid.append(line);
      }
    }
    for (const seat of grid.querySelectorAll('.seat')) {
      const id = seat.dataset.seat;
      const f = facts.get(id) ?? { status: 'available', buyers: [] };
      const lock = locks.find((l) => l.seat === id && l.owner !== buyer);
      let state = 'available';
      let label = 'available';
      if (f.buyers.length > 1) [state, label] = ['double', `booked ${f.buyers.length} times: ${f.buyers.map((b) => NAMES[b] ?? b).join(', ')}`];
      else if (f.status === 'booked') [state, label] = f.buyers[0] === buyer ? ['booked-mine', 'booked by you'] : ['booked', `booked by ${NAMES[f.buyers[0]] ?? f.buyers[0] ?? 'someone'}`];
      else if (lock) [state, label] = ['locked', `locked by ${NAMES[lock.owner] ?? lock.owner}`];
      else if (lab.selected[buyer].has(id)) [state, label] = ['selected', 'selected'];
      seat.className = `seat ${state === 'selected' ? 'selected' : state}`;
      seat.dataset.state = state;
      seat.setAttribute('aria-pressed', String(lab.selected[buyer].has(id)));
      seat.setAttribute('aria-label', `${id}, ${label}`);
    }
    const n = lab.selected[buyer].size;
    const book = buyerBox(buyer).querySelector('.book');
    book.disabled = n === 0 || lab.busy;
    book.textContent = n ? `Book ${n} seat${n === 1 ? '' : 's'} for ${NAMES[buyer]}` : `Book for ${NAMES[buyer]}`;
  }
}

function toggle(buyer, id) {
  const set = lab.selected[buyer];
  if (set.has(id)) set.delete(id);
  else if (set.size < lab.info.limits.maxSeatsPerBuyer) set.add(id);
  renderSeats();
}

function showResult(r) {
  const p = buyerBox(r.buyer).querySelector('.result');
  p.className = `result ${r.outcome}`;
  p.textContent =
    r.outcome === 'won' ? `${NAMES[r.buyer]} won ${r.seats.join(', ')} (${Math.round(r.ms)} ms)` : `${NAMES[r.buyer]} ${r.outcome === 'refused' ? 'refused' : 'error'}: ${r.reason} (${Math.round(r.ms)} ms)`;
  p.dataset.outcome = r.outcome;
}

async function busy(fn) {
  lab.busy = true;
  for (const b of document.querySelectorAll('button')) if (!b.classList.contains('seat')) b.disabled = true;
  try {
    await fn();
  } catch (e) {
    say(e.message);
  } finally {
    lab.busy = false;
    for (const b of document.querySelectorAll('button')) b.disabled = false;
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
  const { results } = await api('POST', '/lab/api/race', { showtime: SHOWTIME, mode: lab.mode, delayMs: delay(), buyers });
  results.forEach(showResult);
  lab.selected.alice.clear();
  lab.selected.bob.clear();
  const winners = results.filter((r) => r.outcome === 'won').length;
  const overlap = buyers[0].seats.some((s) => buyers[1].seats.includes(s));
  if (winners > 1 && overlap) say(`${winners} winners for the same seat: a double booking (see Anomalies).`);
  else say(`${winners} winner${winners === 1 ? '' : 's'} in ${modeInfo().title}.`, true);
  await refresh();
}

async function bookOne(buyer) {
  const seats = [...lab.selected[buyer]];
  const result = await api('POST', '/lab/api/book', { showtime: SHOWTIME, mode: lab.mode, buyer, seats, delayMs: delay() });
  showResult(result);
  lab.selected[buyer].clear();
  await refresh();
}

async function stress() {
  const seats = $('stress-seats').value.split(',');
  const body = { showtime: SHOWTIME, mode: lab.mode, delayMs: delay(), buyers: Number($('stress-buyers').value), seats, seatsPerBuyer: Math.min(Number($('stress-per-buyer').value) || 1, seats.length) };
  $('stress-result').textContent = `running ${body.buyers} buyers…`;
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
  $('stress-result').replaceChildren(el('table', { className: 'stress-table' }, el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, String(v)))))));
  await refresh();
}

function renderPanels() {
  const s = lab.state;
  if (!s) return;
  renderLocks();
  $('anomalies').replaceChildren(
    s.anomalies.length
      ? el('ul', {}, ...s.anomalies.map((a) => el('li', { className: 'anomaly' }, `${a.seat}: ${a.bookings.length} bookings (${a.bookings.map((b) => `${NAMES[b.buyer] ?? b.buyer} #${b.id}`).join(', ')})`)))
      : el('p', { className: 'muted' }, 'None: every seat has at most one booking.'),
  );
  const dup = new Set(s.anomalies.map((a) => a.seat));
  const rows = s.bookings.rows.map((b) => el('tr', { className: dup.has(b.seat) ? 'dup' : '' }, ...[b.id, b.seat, NAMES[b.buyer] ?? b.buyer, b.mode, b.bookingId].map((v) => el('td', {}, String(v)))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colSpan: 5, className: 'muted' }, 'No bookings.')));
  if (s.bookings.total > s.bookings.rows.length) rows.push(el('tr', {}, el('td', { colSpan: 5, className: 'muted' }, `… ${s.bookings.total - s.bookings.rows.length} older rows`)));
  $('bookings').tBodies[0].replaceChildren(...rows);
  const time = (t) => new Date(t).toISOString().slice(11, 23);
  $('log').textContent = s.log.map(({ at, event, ...rest }) => `${time(at)} ${event} ${JSON.stringify(rest)}`).reverse().join('\n') || 'No events yet.';
  renderSeats();
}

function renderLocks() {
  const s = lab.state;
  const elapsed = Date.now() - lab.receivedAt;
  const list = (locks) => {
    const live = locks.map((l) => ({ ...l, left: l.ttlMs - elapsed })).filter((l) => l.left > 0);
    return live.length ? el('ul', {}, ...live.map((l) => el('li', {}, `${l.seat} → ${NAMES[l.owner] ?? l.owner} `, el('span', { className: 'ttl' }, `${(l.left / 1000).toFixed(1)} s`)))) : el('p', { className: 'muted' }, 'no locks');
  };
  $('locks').replaceChildren(
    el('h3', {}, 'memory'),
    list(s.locks.memory),
    el('h3', {}, 'Redis'),
    s.locks.redis ? list(s.locks.redis) : el('p', { className: 'muted' }, 'not configured'),
  );
}

async function refresh() {
  lab.state = await api('GET', `/lab/api/state?showtime=${SHOWTIME}`);
  lab.receivedAt = Date.now();
  renderPanels();
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lab/ws`);
  ws.addEventListener('open', () => {
    $('live').textContent = 'live';
    ws.send(JSON.stringify({ type: 'lab-subscribe', showtime: SHOWTIME }));
  });
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    if (m.type !== 'lab-state') return;
    lab.state = m;
    lab.receivedAt = Date.now();
    renderPanels();
  });
  ws.addEventListener('close', () => {
    $('live').textContent = 'reconnecting…';
    setTimeout(connect, 1000);
  });
}

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
        const p = buyerBox(b).querySelector('.result');
        p.className = 'result';
        p.textContent = 'Pick seats, or press Race.';
        delete p.dataset.outcome;
      }
      say('Reset: no bookings, no locks.', true);
      await refresh();
    }),
  );
  for (const b of BUYERS) buyerBox(b).querySelector('.book').addEventListener('click', () => busy(() => bookOne(b)));
  $('stress-run').addEventListener('click', () => busy(stress));
  setInterval(() => lab.state && renderLocks(), 200);
  await refresh();
  connect();
}

main().catch((e) => say(e.message));
