// The seat map of the booking page: one button per seat, built once per layout and updated in place
// (so the focus and the scroll stay put while deltas arrive), one Tab stop for the whole hall (arrow
// keys move between seats, skipping aisles; Home/End go to a row's ends), zoom by buttons and pinch,
// and a mini-map of the hall when it is wider than the screen. Every state has a shape as well as a
// colour (see style.css): a check for selected, hatching for held by others, a cross for booked, a
// star for your own booked seats, a struck-out blocked seat.

/** @typedef {import('./types.d.ts').Layout} Layout */
/** @typedef {import('./types.d.ts').LayoutSeat} LayoutSeat */
/** @typedef {import('./types.d.ts').Prices} Prices */
/** @typedef {import('./live-seat-feed.js').LiveSeat} LiveSeat */
/** @typedef {'available' | 'selected' | 'mine' | 'held' | 'booked' | 'yours' | 'blocked'} SeatLook */

/** How each look reads in a seat's accessible name. */
export const LOOK_WORDS = {
  available: 'available',
  selected: 'selected',
  mine: 'held by you',
  held: 'held by someone else',
  booked: 'booked',
  yours: 'booked by you',
  blocked: 'not for sale',
};

/** The glyph a seat shows for its look (the seat's number when null). */
const GLYPH = { selected: '✓', booked: '✕', yours: '★', held: '', blocked: '' };

const KEYS = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'];
const MIN_SEAT = 12;
const MAX_SEAT = 48;
/** A phone's zoomed-in seat: big enough to tap. */
const TAP_SEAT = 32;


/**
 * @param {{
 *   grid: HTMLElement,
 *   scroller: HTMLElement,
 *   minimap: HTMLCanvasElement,
 *   zoomIn: HTMLButtonElement,
 *   zoomOut: HTMLButtonElement,
 *   zoomFit: HTMLButtonElement,
 *   hint: HTMLElement,
 *   onToggle: (id: string, look: SeatLook) => void,
 * }} parts
 */
export function createSeatMap({ grid, scroller, minimap, zoomIn, zoomOut, zoomFit, hint, onToggle }) {
  /** @type {Layout | null} */
  let layout = null;
  /** @type {Map<string, HTMLButtonElement>} */
  const buttons = new Map();
  /** @type {Map<string, { seat: LayoutSeat, row: string }>} */
  const seatsById = new Map();
  /** @type {Map<string, SeatLook>} */
  const looks = new Map();
  /** @type {string | null} */
  let cursor = null;
  let size = 32;
  let fitted = true;
  /** @type {Prices | null} */
  let prices = null;

  /** @param {string} id */
  const button = (id) => buttons.get(id) ?? null;

  /** Builds the hall's buttons (once per layout). */
  function setLayout(/** @type {Layout} */ next, /** @type {Prices | null} */ nextPrices) {
    layout = next;
    prices = nextPrices;
    buttons.clear();
    seatsById.clear();
    looks.clear();
    cursor = null;
    grid.replaceChildren(
      ...next.rows.map((row) => {
        const line = document.createElement('div');
        line.className = 'row';
        line.setAttribute('role', 'presentation');
        const label = document.createElement('span');
        label.className = 'row-label';
        label.setAttribute('aria-hidden', 'true');
        label.textContent = row.label;
        line.append(label);
        for (const seat of row.seats) {
          if (seat === null) {
            const gap = document.createElement('span');
            gap.className = 'gap';
            line.append(gap);
            continue;
          }
          const b = document.createElement('button');
          b.type = 'button';
          b.dataset.seat = seat.id;
          b.tabIndex = -1;
          b.addEventListener('click', () => onToggle(seat.id, looks.get(seat.id) ?? 'available'));
          const glyph = document.createElement('span');
          glyph.className = 'glyph';
          glyph.setAttribute('aria-hidden', 'true');
          b.append(glyph);
          buttons.set(seat.id, b);
          seatsById.set(seat.id, { seat, row: row.label });
          line.append(b);
        }
        const end = label.cloneNode(true);
        line.append(end);
        return line;
      }),
    );
    fitted = true;
    layoutZoom();
  }

  /** ", €12.50" for a seat of this kind (nothing for a free showtime). */
  function priceWords(/** @type {string} */ kind) {
    if (!prices || (prices.standard === 0 && prices.premium === 0 && prices.accessible === 0)) return '';
    const amount = prices[kind];
    return typeof amount === 'number' ? `, ${new Intl.NumberFormat(undefined, { style: 'currency', currency: prices.currency }).format(amount / 100)}` : '';
  }

  /**
   * Shows every seat's state: `live` from the feed, `selected` by the person.
   * @param {Map<string, LiveSeat>} live
   * @param {Set<string>} selected
   */
  function update(live, selected) {
    for (const [id, b] of buttons) {
      const { seat, row } = /** @type {{ seat: LayoutSeat, row: string }} */ (seatsById.get(id));
      const look = lookOf(seat, live.get(id), selected.has(id));
      if (looks.get(id) === look && b.dataset.state) continue;
      looks.set(id, look);
      b.className = `seat ${look} ${seat.kind}`;
      b.dataset.state = look;
      const kind = seat.kind === 'accessible' ? ', wheelchair space' : seat.kind === 'premium' ? ', premium' : '';
      b.setAttribute('aria-label', `Row ${row} seat ${seat.number}${kind}${priceWords(seat.kind)}, ${LOOK_WORDS[look]}`);
      b.setAttribute('aria-pressed', String(look === 'selected'));
      if (look === 'available' || look === 'selected') b.removeAttribute('aria-disabled');
      else b.setAttribute('aria-disabled', 'true');
      const glyph = /** @type {HTMLElement} */ (b.firstElementChild);
      glyph.textContent = GLYPH[look] ?? (seat.kind === 'accessible' && look === 'available' ? '♿' : String(seat.number));
    }
    setCursor(cursor);
    drawMinimap();
  }

  /** @returns {SeatLook} */
  function lookOf(/** @type {LayoutSeat} */ seat, /** @type {LiveSeat | undefined} */ s, /** @type {boolean} */ picked) {
    if (seat.blocked || s?.status === 'blocked') return 'blocked';
    if (picked) return 'selected';
    if (!s || s.status === 'available') return 'available';
    if (s.status === 'held') return s.mine ? 'mine' : 'held';
    if (s.status === 'booked') return s.mine ? 'yours' : 'booked';
    return 'available';
  }

  // ---- the one Tab stop ----

  /** Moves the map's Tab stop to this seat, or to the first selected or available seat. */
  function setCursor(/** @type {string | null} */ id) {
    /** @type {HTMLButtonElement | null} */
    let next = id && looks.get(id) !== 'blocked' ? button(id) : null;
    next ||= grid.querySelector('.seat.selected') ?? grid.querySelector('.seat.available') ?? grid.querySelector('.seat:not(.blocked)');
    for (const b of grid.querySelectorAll('.seat[tabindex="0"]')) if (b !== next) /** @type {HTMLElement} */ (b).tabIndex = -1;
    if (next) next.tabIndex = 0;
    cursor = next?.dataset.seat ?? null;
  }

  /** The seat an arrow key (or Home/End) leads to from `id`, or null at the map's edge. */
  function seatFrom(/** @type {string} */ id, /** @type {string} */ key) {
    if (!layout) return null;
    const rows = layout.rows.map((r) => r.seats.map((s) => (s && !s.blocked && looks.get(s.id) !== 'blocked' ? s.id : null)));
    const r = rows.findIndex((row) => row.includes(id));
    if (r < 0) return null;
    const c = rows[r].indexOf(id);
    const inRow = (/** @type {(string | null)[]} */ row, /** @type {number} */ from, /** @type {number} */ step) => {
      for (let i = from; i >= 0 && i < row.length; i += step) if (row[i]) return row[i];
      return null;
    };
    if (key === 'ArrowLeft') return inRow(rows[r], c - 1, -1);
    if (key === 'ArrowRight') return inRow(rows[r], c + 1, 1);
    if (key === 'Home') return inRow(rows[r], 0, 1);
    if (key === 'End') return inRow(rows[r], rows[r].length - 1, -1);
    const step = key === 'ArrowUp' ? -1 : 1;
    // The nearest seat of the next row that has one, by column (an aisle or a blocked seat is skipped).
    for (let rr = r + step; rr >= 0 && rr < rows.length; rr += step) {
      for (let d = 0; d < rows[rr].length; d++) {
        const hit = rows[rr][c - d] ?? rows[rr][c + d];
        if (hit) return hit;
      }
    }
    return null;
  }

  grid.addEventListener('keydown', (e) => {
    const id = /** @type {HTMLElement} */ (e.target).dataset?.seat;
    if (!id || !KEYS.includes(e.key)) return;
    e.preventDefault(); // arrows would scroll the page
    const next = seatFrom(id, e.key);
    if (next) focusSeat(next);
  });
  grid.addEventListener('focusin', (e) => {
    const id = /** @type {HTMLElement} */ (e.target).dataset?.seat;
    if (id) setCursor(id);
  });

  /** Focuses a seat (scrolling it into view in a zoomed hall). */
  function focusSeat(/** @type {string} */ id) {
    setCursor(id);
    const b = button(id);
    b?.focus();
    b?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  // ---- zoom, pinch, mini-map ----

  /** The seat size at which the widest row fits the scroller's width. */
  function fitSize() {
    if (!layout) return 32;
    const columns = Math.max(...layout.rows.map((r) => r.seats.length));
    // Per column a seat and a 3 px gap; two row labels; the scroller's padding.
    const room = scroller.clientWidth - 16;
    const wide = Math.floor((room - 2 * 22 - 3 * (columns + 2)) / columns);
    // On a desktop the hall also fits the window's height, when that leaves seats big enough to click.
    const top = scroller.getBoundingClientRect().top + scrollY;
    const tall = Math.floor((innerHeight - Math.min(top, 260) - 90) / layout.rows.length - 4);
    return innerWidth > 960 && tall >= 24 ? Math.min(wide, tall) : wide;
  }

  function layoutZoom() {
    if (fitted) size = Math.max(MIN_SEAT, Math.min(36, fitSize()));
    size = Math.max(MIN_SEAT, Math.min(MAX_SEAT, size));
    grid.style.setProperty('--seat', `${size}px`);
    grid.classList.toggle('tiny', size < 20);
    zoomOut.disabled = size <= MIN_SEAT || fitted;
    zoomIn.disabled = size >= MAX_SEAT;
    zoomFit.disabled = fitted;
    requestAnimationFrame(() => {
      const wide = scroller.scrollWidth > scroller.clientWidth + 1;
      const finger = matchMedia('(pointer: coarse)').matches || innerWidth < 640;
      hint.hidden = !wide && !(finger && size < TAP_SEAT);
      const small = finger && size < TAP_SEAT;
      // "Zoom out" only when it can (at the smallest size a large hall still overflows a phone).
      hint.textContent = !wide
        ? 'Seats are small here: zoom in (+, or pinch) to tap them easily.'
        : !zoomOut.disabled
          ? 'The hall is wider than the screen: swipe sideways to see it all, or zoom out.'
          : `The hall is wider than the screen: swipe sideways to see it all${small ? '; zoom in (+, or pinch) to tap seats easily' : ''}.`;
      minimap.hidden = !wide;
      drawMinimap();
    });
  }

  function zoomTo(/** @type {number} */ next) {
    const centre = (scroller.scrollLeft + scroller.clientWidth / 2) / Math.max(1, scroller.scrollWidth);
    size = next;
    fitted = false;
    layoutZoom();
    scroller.scrollLeft = centre * scroller.scrollWidth - scroller.clientWidth / 2;
  }

  // One step in reaches a size a finger can tap.
  zoomIn.addEventListener('click', () => zoomTo(size < TAP_SEAT ? TAP_SEAT : Math.round(size * 1.25)));
  zoomOut.addEventListener('click', () => {
    const next = Math.round(size / 1.25);
    if (next <= fitSize()) {
      fitted = true;
      layoutZoom();
    } else zoomTo(next);
  });
  zoomFit.addEventListener('click', () => {
    fitted = true;
    layoutZoom();
  });
  addEventListener('resize', () => layoutZoom());

  // Pinch: two fingers on the hall scale the seats (the page itself does not zoom there).
  /** @type {Map<number, { x: number, y: number }>} */
  const touches = new Map();
  let pinchFrom = 0;
  let sizeFrom = size;
  const spread = () => {
    const [a, b] = [...touches.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  scroller.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'touch') return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (touches.size === 2) {
      pinchFrom = spread();
      sizeFrom = size;
    }
  });
  scroller.addEventListener('pointermove', (e) => {
    if (!touches.has(e.pointerId)) return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (touches.size === 2 && pinchFrom > 0) zoomTo(Math.round(sizeFrom * (spread() / pinchFrom)));
  });
  for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
    scroller.addEventListener(type, (e) => {
      touches.delete(/** @type {PointerEvent} */ (e).pointerId);
      if (touches.size < 2) pinchFrom = 0;
    });
  }

  scroller.addEventListener('scroll', () => drawMinimap(), { passive: true });

  const MINI_COLOURS = { available: '#ffffff', selected: '#0b5cad', mine: '#1b5e20', held: '#b07d00', booked: '#5f6368', yours: '#1b5e20', blocked: '#dddddd' };

  /** The whole hall in small, with the part on screen framed; a tap there scrolls to it. */
  function drawMinimap() {
    if (minimap.hidden || !layout) return;
    const ctx = minimap.getContext('2d');
    if (!ctx) return;
    const columns = Math.max(...layout.rows.map((r) => r.seats.length));
    const cell = Math.max(2, Math.floor(120 / columns));
    minimap.width = columns * cell + 4;
    minimap.height = layout.rows.length * cell + 4;
    ctx.fillStyle = '#f0f0f0';
    ctx.fillRect(0, 0, minimap.width, minimap.height);
    layout.rows.forEach((row, r) => row.seats.forEach((seat, c) => {
      if (!seat) return;
      ctx.fillStyle = MINI_COLOURS[looks.get(seat.id) ?? 'available'];
      ctx.fillRect(2 + c * cell, 2 + r * cell, cell - 1, cell - 1);
    }));
    const w = minimap.width - 4;
    ctx.strokeStyle = '#b71c1c';
    ctx.lineWidth = 2;
    ctx.strokeRect(2 + (scroller.scrollLeft / scroller.scrollWidth) * w, 1, (scroller.clientWidth / scroller.scrollWidth) * w, minimap.height - 2);
  }
  minimap.addEventListener('click', (e) => {
    const x = (e.offsetX / minimap.clientWidth) * scroller.scrollWidth;
    scroller.scrollLeft = x - scroller.clientWidth / 2;
  });

  return {
    setLayout,
    update,
    /** The seat the map's Tab stop is on. */
    get cursor() {
      return cursor;
    },
    focusSeat,
    /** Focuses the map's Tab stop (a selected or available seat). */
    focus() {
      setCursor(cursor);
      if (cursor) focusSeat(cursor);
    },
    has: (/** @type {string} */ id) => buttons.has(id),
    look: (/** @type {string} */ id) => looks.get(id) ?? null,
  };
}
