import { BoxofficeError, invalidInput } from './errors.ts';

/** A seat id is a row label and a seat number: "B4", "AA12". */
export type SeatId = string;
export const SEAT_ID_PATTERN = /^[A-Z]{1,2}[1-9][0-9]{0,2}$/;
export const SEAT_KINDS = ['standard', 'accessible', 'premium'] as const;
export type SeatKind = (typeof SEAT_KINDS)[number];

export interface Seat {
  id: SeatId;
  row: string;
  number: number;
  kind: SeatKind;
  /** Blocked seats are drawn but never sold (broken, reserved for staff, distancing). */
  blocked: boolean;
}

export interface Row {
  label: string;
  /** Left to right; `null` is a gap (an aisle) in the drawing. */
  seats: (Seat | null)[];
}

export interface SeatLayout {
  rows: Row[];
}

/** The stored and transported form of a layout: what admins write. */
export interface LayoutInput {
  rows: { label: string; seats: ({ number: number; kind?: SeatKind; blocked?: boolean } | null)[] }[];
}

const ROW_LABEL = /^[A-Z]{1,2}$/;

/** Validates a layout written by hand; every problem is an INVALID_INPUT naming the row or seat. */
export function parseLayout(input: LayoutInput): SeatLayout {
  if (!input || !Array.isArray(input.rows) || input.rows.length === 0) {
    throw invalidInput('a layout needs at least one row');
  }
  const labels = new Set<string>();
  const rows = input.rows.map((row): Row => {
    if (typeof row?.label !== 'string' || !ROW_LABEL.test(row.label)) {
      throw invalidInput(`row label ${JSON.stringify(row?.label)} must be one or two capital letters`);
    }
    if (labels.has(row.label)) throw invalidInput(`row ${row.label} appears twice`);
    labels.add(row.label);
    if (!Array.isArray(row.seats) || !row.seats.some((s) => s !== null)) {
      throw invalidInput(`row ${row.label} has no seats`);
    }
    const numbers = new Set<number>();
    const seats = row.seats.map((s): Seat | null => {
      if (s === null) return null;
      const id = `${row.label}${s.number}`;
      if (!Number.isInteger(s.number) || s.number < 1 || s.number > 999) {
        throw invalidInput(`seat number ${JSON.stringify(s.number)} in row ${row.label} must be an integer from 1 to 999`);
      }
      if (numbers.has(s.number)) throw invalidInput(`seat ${id} appears twice`);
      numbers.add(s.number);
      const kind = s.kind ?? 'standard';
      if (!SEAT_KINDS.includes(kind)) throw invalidInput(`seat ${id} has unknown kind ${JSON.stringify(kind)}`);
      return { id, row: row.label, number: s.number, kind, blocked: s.blocked === true };
    });
    return { label: row.label, seats };
  });
  return { rows };
}

export function layoutToInput(layout: SeatLayout): LayoutInput {
  return {
    rows: layout.rows.map((r) => ({
      label: r.label,
      seats: r.seats.map((s) =>
        s === null ? null : { number: s.number, ...(s.kind !== 'standard' && { kind: s.kind }), ...(s.blocked && { blocked: true }) },
      ),
    })),
  };
}

/** Row labels A..Z, then AA, AB ... */
export function rowLabel(index: number): string {
  const letter = (i: number) => String.fromCharCode(65 + i);
  return index < 26 ? letter(index) : letter(Math.floor(index / 26) - 1) + letter(index % 26);
}

export interface GridOptions {
  rows: number;
  seatsPerRow: number;
  /** Seat numbers after which an aisle gap is drawn. */
  aislesAfter?: number[];
  accessible?: SeatId[];
  premiumRows?: string[];
  blocked?: SeatId[];
}

/** A rectangular hall, the common case; seats numbered 1..n from the left in every row. */
export function gridLayout(o: GridOptions): SeatLayout {
  const rows: LayoutInput['rows'] = [];
  for (let r = 0; r < o.rows; r++) {
    const label = rowLabel(r);
    const seats: LayoutInput['rows'][number]['seats'] = [];
    for (let n = 1; n <= o.seatsPerRow; n++) {
      const id = `${label}${n}`;
      const kind: SeatKind = o.accessible?.includes(id) ? 'accessible' : o.premiumRows?.includes(label) ? 'premium' : 'standard';
      seats.push({ number: n, kind, blocked: o.blocked?.includes(id) ?? false });
      if (o.aislesAfter?.includes(n) && n < o.seatsPerRow) seats.push(null);
    }
    rows.push({ label, seats });
  }
  return parseLayout({ rows });
}

export function seatsOf(layout: SeatLayout): Seat[] {
  return layout.rows.flatMap((r) => r.seats.filter((s): s is Seat => s !== null));
}

export function layoutSize(layout: SeatLayout): { rows: number; seatsPerRow: number; seats: number } {
  const seats = seatsOf(layout);
  return {
    rows: layout.rows.length,
    seatsPerRow: Math.max(...layout.rows.map((r) => r.seats.filter((s) => s !== null).length)),
    seats: seats.length,
  };
}

/**
 * Checks a requested seat list against a layout and returns it in the canonical order every store
 * locks in (sorted), so two overlapping requests always take their seats in the same order.
 */
export function normalizeSeatIds(
  input: unknown,
  seatIndex: ReadonlyMap<SeatId, Seat>,
  showtimeId: string,
  maxSeats: number,
): SeatId[] {
  if (!Array.isArray(input) || input.length === 0) throw invalidInput('seats must be a non-empty list of seat ids');
  if (input.length > maxSeats) {
    throw invalidInput(`at most ${maxSeats} seats can be held at once, ${input.length} were requested`, { limit: maxSeats });
  }
  const seen = new Set<SeatId>();
  for (const id of input) {
    if (typeof id !== 'string' || !SEAT_ID_PATTERN.test(id)) {
      throw invalidInput(`${JSON.stringify(id)} is not a seat id (a row letter and a number, like "B4")`);
    }
    if (seen.has(id)) throw invalidInput(`seat ${id} is listed twice`, { seats: [id] });
    seen.add(id);
  }
  const unknown = [...seen].filter((id) => !seatIndex.has(id));
  if (unknown.length > 0) {
    throw new BoxofficeError('SEAT_NOT_FOUND', `showtime ${showtimeId} has no seat ${unknown.join(', ')}`, { showtimeId, seats: unknown });
  }
  const blocked = [...seen].filter((id) => seatIndex.get(id)!.blocked);
  if (blocked.length > 0) {
    throw new BoxofficeError('SEAT_UNAVAILABLE', `seat ${blocked.join(', ')} of showtime ${showtimeId} is blocked and not for sale`, { showtimeId, seats: blocked });
  }
  return [...seen].sort();
}
