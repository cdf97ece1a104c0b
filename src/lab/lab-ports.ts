/**
 * What the Concurrency Lab needs from the stores, in the lab's words. The adapters live under
 * src/stores (postgres/lab-store.ts, redis/lab-redis-locks.ts) and src/lab/memory-locks.ts; the
 * composition root picks them. None of them ever touches a real showtime's tables or keys.
 */

export interface LabSeatRow {
  seat: string;
  status: 'available' | 'booked';
  /** The last buyer written to the seat row (in unsafe mode, the last of several). */
  buyer: string | null;
  version: number;
}

export interface LabBookingRow {
  id: number;
  bookingId: string;
  seat: string;
  buyer: string;
  mode: string;
  /** Epoch ms. */
  at: number;
}

/** A seat with more than one booking: the double sale the safe modes prevent. */
export interface LabAnomaly {
  seat: string;
  bookings: LabBookingRow[];
}

export interface LabBookingRequest {
  showtimeId: string;
  /** Sorted and unique. */
  seats: string[];
  buyer: string;
  bookingId: string;
  mode: string;
}

/** The lab's tables (lab_seats, lab_bookings), embedded PGlite or a PostgreSQL server. */
export interface LabDatabase {
  readonly kind: 'pglite' | 'server';
  /** Creates the seat rows of a lab showtime that are missing. */
  prepare(showtimeId: string, seats: readonly string[]): Promise<void>;
  /** Deletes the showtime's bookings and frees its seats. */
  reset(showtimeId: string): Promise<void>;
  /** A plain read: no lock, no transaction. */
  readSeats(showtimeId: string, seats: readonly string[]): Promise<LabSeatRow[]>;
  /** The unsafe write: marks the seats booked and inserts bookings, checking nothing. */
  writeBooking(req: LabBookingRequest): Promise<void>;
  /**
   * Pessimistic: one transaction that locks the seat rows with SELECT ... FOR UPDATE in seat order,
   * checks them, runs `beforeWrite` (the lab's delay) still holding the locks, then writes.
   * Resolves with the seats that were already booked (empty: booked now).
   */
  bookForUpdate(req: LabBookingRequest, beforeWrite: () => Promise<void>): Promise<string[]>;
  /**
   * Optimistic: writes only if every seat still has the version it was read with (one transaction,
   * seats updated in seat order). False when another buyer changed one first: nothing written.
   */
  bookIfUnchanged(req: LabBookingRequest, versions: ReadonlyMap<string, number>): Promise<boolean>;
  seats(showtimeId: string): Promise<LabSeatRow[]>;
  /** The newest `limit` bookings (newest first) and how many there are in all. */
  bookings(showtimeId: string, limit: number): Promise<{ rows: LabBookingRow[]; total: number }>;
  anomalies(showtimeId: string): Promise<LabAnomaly[]>;
}

export interface LabLock {
  seat: string;
  owner: string;
  /** Milliseconds to live. */
  ttlMs: number;
}

/** Seat locks with a time to live: in process memory, or Redis (SET NX EX). */
export interface LabLocks {
  readonly kind: 'memory' | 'redis';
  /** Locks every seat for `owner`, or none. Resolves with the seats someone else holds (empty: locked). */
  tryLock(showtimeId: string, seats: readonly string[], owner: string, ttlMs: number): Promise<string[]>;
  /** Unlocks the seats that `owner` still holds. */
  unlock(showtimeId: string, seats: readonly string[], owner: string): Promise<void>;
  /** The live locks among `seats`. */
  read(showtimeId: string, seats: readonly string[]): Promise<LabLock[]>;
  clear(showtimeId: string, seats: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
