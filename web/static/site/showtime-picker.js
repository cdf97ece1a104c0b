// Choosing a showtime: movie cards (title, runtime, rating), the days it plays, and a chip per
// showtime with how full it is. Cards and days are native radio groups (Tab enters a group, arrow keys
// move within it); showtimes are buttons, since choosing one loads its hall. The chosen showtime is in
// the address (?showtime=...), so a reload and Back keep it.
import { el } from '../common.js';
import { money } from '../format.js';

/**
 * @typedef {{ id: string, title: string, durationMinutes: number, rating?: { average: number | null, count: number } }} Movie
 * @typedef {{ id: string, movieId: string, screenId: string, startsAt: string, seatCount: number, seatsLeft?: number | null,
 *   prices: { currency: string, standard: number, premium: number, accessible: number } }} Showtime
 */

/** Under this share of seats left, a showtime is "filling fast". */
const FILLING_FAST = 0.2;
/** How often the chips' seats left are read again while the choice is on screen. */
const REFRESH_MS = 30_000;

const dayKey = (/** @type {Date} */ d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });

/** "Today", "Tomorrow" or "Thu 26 Nov". */
function dayLabel(/** @type {Date} */ d) {
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  if (dayKey(d) === dayKey(today)) return 'Today';
  if (dayKey(d) === dayKey(tomorrow)) return 'Tomorrow';
  return dayFormat.format(d);
}

const runtime = (/** @type {number} */ minutes) => `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;

/** The showtime's fullness: what its chip says and how it looks. */
export function fullness(/** @type {Showtime} */ s) {
  const left = s.seatsLeft ?? s.seatCount;
  if (left <= 0) return { kind: 'sold-out', text: 'Sold out' };
  if (s.seatsLeft != null && left / s.seatCount < FILLING_FAST) return { kind: 'filling', text: `Filling fast · ${left} left` };
  return { kind: 'open', text: `${left} seats left` };
}

const cheapest = (/** @type {Showtime} */ s) => Math.min(...[s.prices.standard, s.prices.premium, s.prices.accessible].filter((p) => p > 0));

/** The showtime in the address, or null. */
export const showtimeInUrl = () => new URL(location.href).searchParams.get('showtime');

/**
 * @param {HTMLElement} root the section the picker draws into
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<any>,
 *   onSelect: (showtime: Showtime, movie: Movie, how: { byPerson: boolean }) => void,
 *   onMovie?: (movie: Movie, showingIt: boolean) => void,
 *   say?: (text: string, ok?: boolean) => void,
 * }} hooks `onMovie`: a movie's card was chosen; `showingIt` is false while the shown showtime is another movie's
 */
export function createShowtimePicker(root, { api, onSelect, onMovie = () => {}, say = () => {} }) {
  /** @type {Map<string, Movie>} */
  const movies = new Map();
  /** @type {Map<string, Showtime>} */
  const showtimes = new Map();
  /** @type {string | null} */
  let movieId = null;
  /** @type {string | null} */
  let day = null;
  /** @type {string | null} */
  let chosen = null;

  const movieGroup = el('div', { class: 'movie-cards', role: 'radiogroup', 'aria-labelledby': 'movies-label' });
  const dayGroup = el('div', { class: 'day-tabs', role: 'radiogroup', 'aria-labelledby': 'days-label' });
  const chipList = el('div', { class: 'showtime-chips' });
  root.replaceChildren(
    el('h2', { id: 'choice-title', class: 'visually-hidden', text: 'Choose a showtime' }),
    el('p', { class: 'choice-label', id: 'movies-label', text: 'Movie' }),
    movieGroup,
    el('div', { class: 'when-row' },
      el('div', {}, el('p', { class: 'choice-label', id: 'days-label', text: 'Day' }), dayGroup),
      el('div', { class: 'chips-box' }, el('p', { class: 'choice-label', id: 'times-label', text: 'Showtime' }), chipList)),
  );

  const showtimesOf = (/** @type {string | null} */ id) =>
    [...showtimes.values()].filter((s) => s.movieId === id).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const daysOf = (/** @type {string | null} */ id) => [...new Set(showtimesOf(id).map((s) => dayKey(new Date(s.startsAt))))];

  function renderMovies() {
    movieGroup.replaceChildren(
      ...[...movies.values()].map((m) => {
        const count = showtimesOf(m.id).length;
        const rating = m.rating?.count ? m.rating : null;
        const input = el('input', { type: 'radio', name: 'movie', value: m.id, id: `movie-${m.id}`, class: 'visually-hidden', checked: m.id === movieId });
        input.addEventListener('change', () => chooseMovie(m.id));
        return el('label', { class: 'movie-card', for: `movie-${m.id}`, 'data-movie': m.id },
          input,
          el('span', { class: 'movie-title', text: m.title }),
          el('span', { class: 'movie-facts' },
            el('span', { text: runtime(m.durationMinutes) }),
            rating && rating.average !== null
              ? el('span', { class: 'rating' }, el('span', { 'aria-hidden': 'true', text: '★ ' }), `${rating.average.toFixed(1)}`, el('span', { class: 'visually-hidden', text: ` out of 5 from ${rating.count} review${rating.count > 1 ? 's' : ''}` }))
              : null,
            el('span', { text: `${count} showtime${count === 1 ? '' : 's'}` })));
      }),
    );
  }

  function renderDays() {
    const days = daysOf(movieId);
    dayGroup.replaceChildren(
      ...days.map((key) => {
        const date = new Date(`${key}T12:00:00`);
        const input = el('input', { type: 'radio', name: 'day', value: key, id: `day-${key}`, class: 'visually-hidden', checked: key === day });
        input.addEventListener('change', () => chooseDay(key));
        return el('label', { class: 'day-tab', for: `day-${key}`, 'data-day': key, title: longDayFormat.format(date) }, input, el('span', { text: dayLabel(date) }));
      }),
    );
  }

  function renderChips() {
    // Every showtime of the movie is drawn; those of other days are hidden (a test or a link can find any).
    chipList.replaceChildren(
      ...daysOf(movieId).map((key) =>
        el('ul', { class: 'chips', 'data-day': key, hidden: key !== day, 'aria-labelledby': 'times-label' },
          showtimesOf(movieId)
            .filter((s) => dayKey(new Date(s.startsAt)) === key)
            .map((s) => {
              const full = fullness(s);
              const start = new Date(s.startsAt);
              const price = cheapest(s);
              const current = s.id === chosen;
              const soldOut = full.kind === 'sold-out';
              return el('li', {},
                el('button', {
                  type: 'button',
                  class: `chip chip-${full.kind}`,
                  'data-showtime': s.id,
                  'data-day': key,
                  'aria-current': current ? 'true' : undefined,
                  'aria-disabled': soldOut ? 'true' : undefined,
                  onclick: () => (soldOut ? say(`The ${timeFormat.format(start)} showtime is sold out: pick another.`) : select(s.id, { push: true })),
                },
                // The name is the visible text (voice control says what it sees), the day added for screen readers.
                el('span', { class: 'visually-hidden', text: `${longDayFormat.format(start)}, ` }),
                el('span', { class: 'chip-time', text: timeFormat.format(start) }),
                el('span', { class: 'visually-hidden', text: ', ' }),
                el('span', { class: 'chip-fill', text: full.text }),
                el('span', { class: 'visually-hidden', text: ', ' }),
                el('span', { class: 'chip-price', text: Number.isFinite(price) ? `from ${money(price, s.prices.currency)}` : 'free' })));
            })),
      ),
    );
  }

  /** Draws it all again; the focus stays on the same card, day or chip. */
  function render() {
    const active = root.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement) : null;
    const again = active?.id ? `#${CSS.escape(active.id)}` : active?.dataset.showtime ? `[data-showtime="${CSS.escape(active.dataset.showtime)}"]` : null;
    renderMovies();
    renderDays();
    renderChips();
    if (again) /** @type {HTMLElement | null} */ (root.querySelector(again))?.focus();
    // On a narrow screen the rows scroll sideways: the chosen card and chip are brought into view.
    showInRow(movieGroup, movieGroup.querySelector('label:has(input:checked)'));
    for (const list of chipList.querySelectorAll('ul:not([hidden])')) showInRow(/** @type {HTMLElement} */ (list), list.querySelector('[aria-current="true"]'));
  }

  /** Scrolls a sideways row (only it, never the page) so that `item` is in view. */
  function showInRow(/** @type {HTMLElement} */ row, /** @type {Element | null} */ item) {
    if (!item) return;
    const r = row.getBoundingClientRect();
    const i = item.getBoundingClientRect();
    if (i.left < r.left || i.right > r.right) row.scrollLeft += i.left - r.left - 8;
  }

  function chooseMovie(/** @type {string} */ id) {
    movieId = id;
    const chosenShowtime = chosen ? showtimes.get(chosen) : null;
    day = chosenShowtime?.movieId === id ? dayKey(new Date(chosenShowtime.startsAt)) : (daysOf(id)[0] ?? null);
    renderDays();
    renderChips();
    const movie = movies.get(id);
    if (movie) onMovie(movie, chosenShowtime?.movieId === id);
  }

  function chooseDay(/** @type {string} */ key) {
    day = key;
    for (const list of chipList.querySelectorAll('ul')) list.hidden = /** @type {HTMLElement} */ (list).dataset.day !== key;
  }

  /**
   * Shows this showtime: its movie's card and day chosen, its chip marked, the address updated (a new
   * history entry when `push`, so Back goes to the one before), and the seat map told.
   *
   * @param {string} id
   * @param {{ push?: boolean, replace?: boolean }} [how]
   */
  function select(id, { push = false, replace = false } = {}) {
    const s = showtimes.get(id);
    if (!s) return false;
    chosen = id;
    movieId = s.movieId;
    day = dayKey(new Date(s.startsAt));
    if (push || replace) {
      const url = new URL(location.href);
      url.searchParams.set('showtime', id);
      if (url.href !== location.href) history[push ? 'pushState' : 'replaceState'](null, '', url);
    }
    render();
    const movie = /** @type {Movie} */ (movies.get(s.movieId) ?? { id: s.movieId, title: s.movieId, durationMinutes: 0 });
    onSelect(s, movie, { byPerson: push });
    return true;
  }

  // Back and Forward move between the showtimes chosen before.
  addEventListener('popstate', () => {
    const id = showtimeInUrl() ?? soonest();
    if (id && id !== chosen) select(id);
  });

  /** The soonest showtime of the first movie: what the site shows when the address names none. */
  function soonest() {
    const first = [...movies.keys()][0];
    return (first && showtimesOf(first)[0]?.id) || null;
  }

  async function load() {
    const [{ movies: list }, { showtimes: all }] = await Promise.all([api('GET', '/api/v1/movies'), api('GET', '/api/v1/showtimes')]);
    movies.clear();
    for (const m of list) movies.set(m.id, m);
    showtimes.clear();
    const now = Date.now();
    for (const s of all) if (Date.parse(s.startsAt) > now - 60 * 60_000) showtimes.set(s.id, s);
    // Movies with showtimes first, in the order of their next showtime.
    const next = (/** @type {string} */ id) => Date.parse(showtimesOf(id)[0]?.startsAt ?? '9999-12-31');
    const sorted = [...movies.values()].sort((a, b) => next(a.id) - next(b.id));
    movies.clear();
    for (const m of sorted) movies.set(m.id, m);
  }

  // How full the showtimes are changes as people book: read it again now and then while it is seen.
  setInterval(() => {
    if (document.visibilityState === 'visible' && root.offsetParent !== null && movies.size) void load().then(render, () => {});
  }, REFRESH_MS);

  return {
    /**
     * Loads the catalog and shows the showtime in the address, else the soonest one (the person sees
     * a hall at once and the picker says which it is).
     */
    async start() {
      await load();
      const wanted = showtimeInUrl();
      if (wanted && showtimes.has(wanted)) return void select(wanted);
      if (wanted) say('That showtime is no longer on: here is the next one.');
      const id = soonest();
      if (id) select(id);
      else render();
    },
    select,
    /** Reloads how full the showtimes are, keeping the choice (and the focus). */
    async refresh() {
      await load();
      render();
    },
    movies,
    showtimes,
    /** The chosen showtime's id. */
    current: () => chosen,
    /** The title of a movie, for texts elsewhere on the site. */
    title: (/** @type {string} */ id) => movies.get(id)?.title ?? id,
  };
}
