import type { SeatId, SeatKind, SeatLayout } from './layout.ts';
import type { Prices } from './orders.ts';

export interface Movie {
  id: string;
  title: string;
  durationMinutes: number;
}

export interface Theater {
  id: string;
  name: string;
}

export interface Screen {
  id: string;
  theaterId: string;
  name: string;
  layout: SeatLayout;
}

export interface Showtime {
  id: string;
  movieId: string;
  screenId: string;
  /** Epoch milliseconds. */
  startsAt: number;
  layout: SeatLayout;
  /** A price per seat kind; all 0 is a free showtime (confirmed without checkout). */
  prices: Prices;
}

/**
 * A showtime whose holds still matter to their owner: it starts later, or started at most this long
 * ago. A guest who signs in keeps their holds in these (HoldTransferService), and GET /api/v1/holds
 * lists the caller's holds in these, so the two always agree.
 */
export const CURRENT_SHOWTIME_WINDOW_MS = 24 * 3600_000;

export function isCurrentShowtime(showtime: Pick<Showtime, 'startsAt'>, now: number): boolean {
  return showtime.startsAt >= now - CURRENT_SHOWTIME_WINDOW_MS;
}

/** What saveShowtime takes: without prices, a new showtime is free and an existing one keeps its own. */
export type ShowtimeInput = Omit<Showtime, 'layout' | 'prices'> & { prices?: Prices };

/**
 * A hold is a set of seats of one showtime kept for one owner until `expiresAt` (epoch ms, on the
 * hold store's clock). `confirming` means a confirm passed the ownership and expiry check and the
 * booking is being written; `booked` means the booking is durable.
 */
export interface Hold {
  id: string;
  showtimeId: string;
  owner: string;
  seats: SeatId[];
  createdAt: number;
  expiresAt: number;
  state: 'held' | 'confirming' | 'booked';
}

/** A confirmed booking. Its id is the id of the hold it was confirmed from. */
export interface Booking {
  id: string;
  showtimeId: string;
  owner: string;
  seats: SeatId[];
  createdAt: number;
}

export type SeatStatus = 'available' | 'held' | 'booked';

/** A seat that is not available, as a hold store sees it. */
export interface TakenSeat {
  seat: SeatId;
  status: 'held' | 'booked';
  holdId: string;
  owner: string;
  /** Epoch ms; null for booked seats. */
  expiresAt: number | null;
}

export interface SeatChange {
  seat: SeatId;
  status: SeatStatus;
  expiresAt?: number;
  /** Internal: who holds it; the HTTP layer turns it into a "mine" flag and never shows it. */
  owner?: string;
  holdId?: string;
}

/**
 * Why seats changed, sent with every delta on /ws so a page can say why a hold ended: `release` is
 * the owner's (or a confirm that could not be written), `revoke` the venue's (an admin's
 * force-release, or the cinema cancelling an unpaid order), `expire` the hold or its order's payment
 * window ran out, `confirm` it became a booking, `cancel` a booking was cancelled, `restore` booked
 * seats were reloaded from the database, `transfer` a guest's holds became an account's.
 */
export const SEAT_CHANGE_CAUSES = ['hold', 'extend', 'release', 'revoke', 'confirm', 'expire', 'restore', 'transfer', 'cancel'] as const;
export type SeatChangeCause = (typeof SEAT_CHANGE_CAUSES)[number];

/** Emitted for every change of a showtime's seats; `version` grows by one per change, per showtime. */
export interface SeatChangeEvent {
  showtimeId: string;
  version: number;
  cause: SeatChangeCause;
  changes: SeatChange[];
}

export interface SeatMapSeat {
  id: SeatId;
  row: string;
  number: number;
  kind: SeatKind;
  status: SeatStatus | 'blocked';
  holdId?: string;
  owner?: string;
  expiresAt?: number;
}

export interface SeatMap {
  showtime: Showtime;
  version: number;
  seats: SeatMapSeat[];
}
