import type { Seat, SeatId, SeatLayout } from './layout.ts';

/**
 * Best available: which free seats to offer someone who asks for "N seats" rather than picking
 * them. A pure function of the layout and the seats taken now; the booking service holds its
 * answer through the ordinary all-or-none hold and asks again if a rival was faster.
 *
 * Words used here:
 * - Adjacent: next to each other in one row's drawing. A `null` in a layout row is an aisle or gap:
 *   seats on its two sides are not adjacent.
 * - Free: not blocked, not held, not booked. A free run is a maximal row of adjacent free seats,
 *   ended on each side by a taken or blocked seat, an aisle or the row's end.
 * - Orphan: a single free seat left between the chosen block and the end of its free run
 *   (seats.io's "no orphan seats"): nobody asking for two seats can use it.
 * - Centre of the hall: the sweet-spot row, SWEET_SPOT of the way back from the screen (the
 *   first row of the layout is nearest the screen), and in each row the middle of that row's
 *   drawing (aisles included, so a centre aisle is the middle). A block's distance from it is
 *   |row - sweet-spot row| + |block's middle - row's middle| / 2: one row off the sweet spot
 *   weighs as much as two seats off the middle.
 *
 * A together block is chosen by, in this order: (1) exactly `accessible` accessible seats if
 * possible, otherwise the fewest extra (accessible places are kept for those who need them; fewer
 * than asked is never chosen); (2) no orphan if any block leaves none; (3) nearest the centre;
 * (4) the front-most row, then the left-most block (so the answer is deterministic).
 *
 * When no together block exists the answer is the best split: the fewest groups (each group as
 * large as the free runs allow), the first group chosen as a block is, the others as near the first
 * as possible (same measure, around the first group instead of the centre), each avoiding orphans
 * where it can.
 */

export interface BestRequest {
  /** Seats wanted, 1..10 (the caller checks the range). */
  count: number;
  /** How many of them must be accessible places, 0..count. */
  accessible: number;
}

export type BestPick =
  /** One block of adjacent seats in one row. */
  | { outcome: 'together'; seats: SeatId[] }
  /** No together block exists: the best split, as groups of adjacent seats (seats is all of them). */
  | { outcome: 'split'; seats: SeatId[]; groups: SeatId[][] }
  /** Fewer free seats (or free accessible places) than asked for. */
  | { outcome: 'not-enough'; available: number; accessibleAvailable: number };

/** The sweet-spot row, as a fraction of the way from the first row (at the screen) to the last. */
export const SWEET_SPOT = 0.6;

/** A maximal run of adjacent free seats in one row. */
interface FreeRun {
  rowIndex: number;
  /** Half the row's drawing width: its middle, in positions (aisles count as positions). */
  rowMiddle: number;
  seats: Seat[];
  /** Each seat's position in its row's drawing. */
  positions: number[];
}

interface Window {
  run: FreeRun;
  start: number;
  size: number;
  accessibleIn: number;
  orphan: boolean;
  middle: number;
}

/** Chooses the best seats for the request; see the comment at the top of this file. */
export function bestAvailable(layout: SeatLayout, taken: ReadonlySet<SeatId>, req: BestRequest): BestPick {
  let runs = freeRuns(layout, taken);
  const free = runs.flatMap((r) => r.seats);
  const accessibleAvailable = free.filter((s) => s.kind === 'accessible').length;
  if (free.length < req.count || accessibleAvailable < req.accessible) {
    return { outcome: 'not-enough', available: free.length, accessibleAvailable };
  }
  const sweetRow = SWEET_SPOT * (layout.rows.length - 1);
  const together = bestWindow(runs, req.count, { need: req.accessible, strict: true }, (w) => centreDistance(w, sweetRow));
  if (together) return { outcome: 'together', seats: seatsOfWindow(together) };

  // No block: the fewest groups, each as large as a free run allows, near the first one.
  const chosen = new Set(taken);
  const groups: Seat[][] = [];
  let remaining = req.count;
  let need = req.accessible;
  let anchor: { row: number; middle: number } | null = null;
  while (remaining > 0) {
    const size = Math.min(remaining, Math.max(...runs.map((r) => r.seats.length)));
    const from = anchor;
    const distance = (w: Window) =>
      from === null ? centreDistance(w, sweetRow) : Math.abs(w.run.rowIndex - from.row) + Math.abs(w.middle - from.middle) / 2;
    const w = bestWindow(runs, size, { need: Math.min(need, size), strict: false }, distance)!;
    anchor ??= { row: w.run.rowIndex, middle: w.middle };
    const seats = w.run.seats.slice(w.start, w.start + w.size);
    groups.push(seats);
    need -= Math.min(need, w.accessibleIn);
    remaining -= size;
    for (const s of seats) chosen.add(s.id);
    runs = freeRuns(layout, chosen);
  }
  // The groups missed accessible places that are free elsewhere (only in runs too short for a
  // group): each takes the place of a standard seat from the last groups.
  for (; need > 0; need--) {
    const place = runs
      .flatMap((r) => r.seats.map((seat, i) => ({ seat, r, i })))
      .filter((x) => x.seat.kind === 'accessible')
      .sort((a, b) => Math.abs(a.r.rowIndex - sweetRow) - Math.abs(b.r.rowIndex - sweetRow))[0]!;
    const last = [...groups].reverse().find((g) => g.some((s) => s.kind !== 'accessible'))!;
    // From an end of the group where it can, so what stays of it is still adjacent.
    const dropAt = last.at(-1)!.kind !== 'accessible' ? last.length - 1 : last.findIndex((s) => s.kind !== 'accessible');
    last.splice(dropAt, 1);
    groups.push([place.seat]);
    chosen.add(place.seat.id);
    runs = freeRuns(layout, chosen);
  }
  const nonEmpty = groups.filter((g) => g.length > 0).map((g) => g.map((s) => s.id));
  return { outcome: 'split', seats: nonEmpty.flat(), groups: nonEmpty };
}

/** The maximal runs of adjacent free seats of every row, front row first, left to right. */
export function freeRuns(layout: SeatLayout, taken: ReadonlySet<SeatId>): FreeRun[] {
  const runs: FreeRun[] = [];
  layout.rows.forEach((row, rowIndex) => {
    const rowMiddle = (row.seats.length - 1) / 2;
    let current: FreeRun | null = null;
    row.seats.forEach((seat, position) => {
      if (seat === null || seat.blocked || taken.has(seat.id)) {
        current = null;
        return;
      }
      if (!current) runs.push((current = { rowIndex, rowMiddle, seats: [], positions: [] }));
      current.seats.push(seat);
      current.positions.push(position);
    });
  });
  return runs;
}

/**
 * The best window of `size` adjacent free seats. `strict`: only windows with at least `need`
 * accessible places; otherwise any, those short of `need` ranked after the rest.
 */
function bestWindow(runs: FreeRun[], size: number, acc: { need: number; strict: boolean }, distance: (w: Window) => number): Window | null {
  let best: { w: Window; key: number[] } | null = null;
  for (const run of runs) {
    const n = run.seats.length;
    if (n < size) continue;
    let accessibleIn = run.seats.slice(0, size).filter((s) => s.kind === 'accessible').length;
    for (let start = 0; start + size <= n; start++) {
      if (start > 0) {
        accessibleIn += (run.seats[start + size - 1]!.kind === 'accessible' ? 1 : 0) - (run.seats[start - 1]!.kind === 'accessible' ? 1 : 0);
      }
      if (acc.strict && accessibleIn < acc.need) continue;
      const w: Window = {
        run,
        start,
        size,
        accessibleIn,
        orphan: start === 1 || n - start - size === 1,
        middle: (run.positions[start]! + run.positions[start + size - 1]!) / 2,
      };
      const short = Math.max(0, acc.need - accessibleIn);
      const extra = Math.max(0, accessibleIn - acc.need);
      const key = [short, extra, w.orphan ? 1 : 0, distance(w), run.rowIndex, run.positions[start]!];
      if (!best || lessThan(key, best.key)) best = { w, key };
    }
  }
  return best?.w ?? null;
}

function centreDistance(w: Window, sweetRow: number): number {
  return Math.abs(w.run.rowIndex - sweetRow) + Math.abs(w.middle - w.run.rowMiddle) / 2;
}

function seatsOfWindow(w: Window): SeatId[] {
  return w.run.seats.slice(w.start, w.start + w.size).map((s) => s.id);
}

function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return false;
}
