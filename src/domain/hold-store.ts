import type { Hold, TakenSeat } from './booking.ts';
import type { SeatId } from './layout.ts';

/**
 * The contract every hold store keeps, in booking words. Each method is one atomic step on the
 * store's own clock: ownership and expiry are checked inside the step that changes state, never in
 * a read before it. Failures are thrown as the errors of `storeError` (identical for every store).
 *
 * A store may not know a showtime yet (first use, or Redis lost its data): then every method that
 * needs the showtime's state throws ShowtimeNotLoaded, and the caller answers with `restore`, which
 * marks the seats already booked in the database and makes the showtime known.
 *
 * Every change of what a seat looks like to a buyer increments the showtime's version by one.
 */
export interface HoldStore {
  readonly kind: 'memory' | 'redis' | 'postgres';

  /** All or nothing: takes every seat for a new hold, or fails with SEAT_UNAVAILABLE naming the taken seats. */
  hold(req: {
    holdId: string;
    showtimeId: string;
    owner: string;
    /** Sorted, unique, validated against the layout. */
    seats: SeatId[];
    ttlMs: number;
    /** Seats one owner may hold in this showtime at once, this hold included. */
    maxSeatsPerOwner: number;
  }): Promise<{ hold: Hold; version: number }>;

  /** Moves the expiry to now + ttlMs, but never past createdAt + maxLifeMs. */
  extend(req: { showtimeId: string; holdId: string; owner: string; ttlMs: number; maxLifeMs: number }): Promise<{
    hold: Hold;
    version: number;
  }>;

  /** Frees the seats. Releasing a hold that is already gone (released, expired) is not an error. */
  release(req: { showtimeId: string; holdId: string; owner: string }): Promise<{ seats: SeatId[]; version: number } | null>;

  /**
   * The moment of truth for a confirm (G4): checks owner and expiry and, in the same step, moves the
   * hold to `confirming` for graceMs, so it can no longer expire while the booking is written.
   * A hold that is already `confirming` or `booked` is returned as it is (a retried confirm).
   */
  beginConfirm(req: { showtimeId: string; holdId: string; owner: string; graceMs: number }): Promise<Hold>;

  /** After the booking is durable: the hold's seats become booked for good. */
  completeConfirm(req: { showtimeId: string; holdId: string }): Promise<{ seats: SeatId[]; version: number } | null>;

  /** A confirm that never reached the database: frees the seats of a `confirming` hold. */
  abortConfirm(req: { showtimeId: string; holdId: string }): Promise<{ seats: SeatId[]; version: number } | null>;

  /**
   * A booking was cancelled in the database (its seats deleted there): its seats become available
   * here too. Only a `booked` hold is freed; anything else (unknown, held, confirming) is left as it
   * is and answers null, so a retried cancel changes nothing.
   */
  releaseBooking(req: { showtimeId: string; bookingId: string }): Promise<{ seats: SeatId[]; version: number } | null>;

  /**
   * Gives every live `held` hold of `fromOwner` in the showtime to `toOwner` (a guest who logs in
   * keeps their seats), all or none: fails with HOLD_LIMIT_EXCEEDED, moving nothing, when toOwner
   * would then hold more than maxSeatsPerOwner seats. Confirming holds stay where they are.
   * Returns null when there was nothing to move (the version does not change).
   */
  transferHolds(req: { showtimeId: string; fromOwner: string; toOwner: string; maxSeatsPerOwner: number }): Promise<{ holds: Hold[]; version: number } | null>;

  /** The seats of a showtime that are not available, with the version they were read at. */
  seatStates(showtimeId: string): Promise<{ version: number; seats: TakenSeat[] }>;

  getHold(showtimeId: string, holdId: string): Promise<Hold | null>;

  holdsOf(showtimeId: string, owner: string): Promise<Hold[]>;

  /** Marks booked seats from the database and makes the showtime known. Idempotent. */
  restore(
    showtimeId: string,
    bookings: { bookingId: string; owner: string; seats: SeatId[] }[],
  ): Promise<{ seats: SeatId[]; version: number }>;

  /**
   * Frees holds whose time is up (at most `limit` per call) and reports them, so expiries can be
   * announced. Also reports `confirming` holds whose grace ran out: the caller decides, from the
   * database, whether to complete or abort them.
   */
  expireDue(limit: number): Promise<{
    expired: { showtimeId: string; holdId: string; seats: SeatId[]; version: number }[];
    stalled: { showtimeId: string; holdId: string }[];
  }>;

  /** Resolves when the store answers (for readiness checks). */
  ping(): Promise<void>;

  close(): Promise<void>;
}
