import { setTimeout as sleep } from 'node:timers/promises';
import type { LabBookingRequest, LabDatabase, LabLocks } from './lab-ports.ts';

export const LAB_MODES = ['unsafe', 'memory-lock', 'redis-lock', 'for-update', 'optimistic'] as const;
export type LabModeName = (typeof LAB_MODES)[number];

export type LabPhaseName = 'read' | 'wait' | 'write';

export interface LabAttempt extends LabBookingRequest {
  /** The window between reading the seats and writing the booking. */
  delayMs: number;
  /** Called as the attempt enters each phase (the lab page draws them as a timeline). */
  mark?: (phase: LabPhaseName) => void;
}

export type LabOutcome = { won: true; retries?: number } | { won: false; reason: string; retries?: number };

/** One way of booking seats. Every mode reads, waits `delayMs`, writes; they differ in what guards that. */
export interface LabMode {
  readonly name: LabModeName;
  book(attempt: LabAttempt): Promise<LabOutcome>;
}

/** How long a lock mode's seat lock lives: the "hold" of SET NX EX. Far above any lab delay. */
export const LAB_LOCK_TTL_MS = 30_000;
/** The optimistic mode gives up after this many version conflicts in a row. */
const MAX_OPTIMISTIC_TRIES = 10;

const takenReason = (seats: string[]) => `${seats.join(', ')} already booked`;

/** Check-then-act with nothing in between to stop a rival: duplicates really happen. */
export function unsafeMode(db: LabDatabase): LabMode {
  return {
    name: 'unsafe',
    async book(a) {
      a.mark?.('read');
      const booked = (await db.readSeats(a.showtimeId, a.seats)).filter((r) => r.status === 'booked').map((r) => r.seat);
      if (booked.length) return { won: false, reason: takenReason(booked) };
      a.mark?.('wait');
      await sleep(a.delayMs); // every rival that read "available" meanwhile will write too
      a.mark?.('write');
      await db.writeBooking(a);
      return { won: true };
    },
  };
}

/** Pessimistic, outside the database: a seat lock with a time to live guards the check and the write. */
export function lockMode(name: 'memory-lock' | 'redis-lock', locks: LabLocks, db: LabDatabase): LabMode {
  return {
    name,
    async book(a) {
      a.mark?.('read');
      const locked = await locks.tryLock(a.showtimeId, a.seats, a.buyer, LAB_LOCK_TTL_MS);
      if (locked.length) return { won: false, reason: `${locked.join(', ')} locked by another buyer` };
      // Whoever writes a seat's booking holds its lock, so this read cannot be overtaken.
      const booked = (await db.readSeats(a.showtimeId, a.seats)).filter((r) => r.status === 'booked').map((r) => r.seat);
      if (booked.length) {
        await locks.unlock(a.showtimeId, a.seats, a.buyer);
        return { won: false, reason: takenReason(booked) };
      }
      a.mark?.('wait');
      await sleep(a.delayMs);
      a.mark?.('write');
      await db.writeBooking(a);
      // The lock stays until it expires: it is the winner's hold while they pay.
      return { won: true };
    },
  };
}

/** Pessimistic, in the database: SELECT ... FOR UPDATE in seat order, in one transaction. */
export function forUpdateMode(db: LabDatabase): LabMode {
  return {
    name: 'for-update',
    async book(a) {
      a.mark?.('read'); // SELECT ... FOR UPDATE: a rival's row lock makes this read wait
      const booked = await db.bookForUpdate(a, async () => {
        a.mark?.('wait');
        await sleep(a.delayMs);
        a.mark?.('write');
      });
      return booked.length ? { won: false, reason: takenReason(booked) } : { won: true };
    },
  };
}

/** Optimistic: read the versions, write only if they are unchanged, read again on a conflict. */
export function optimisticMode(db: LabDatabase): LabMode {
  return {
    name: 'optimistic',
    async book(a) {
      for (let retries = 0; retries < MAX_OPTIMISTIC_TRIES; retries++) {
        a.mark?.('read');
        const rows = await db.readSeats(a.showtimeId, a.seats);
        const booked = rows.filter((r) => r.status === 'booked').map((r) => r.seat);
        if (booked.length) return { won: false, reason: takenReason(booked), retries };
        a.mark?.('wait');
        await sleep(a.delayMs);
        a.mark?.('write');
        if (await db.bookIfUnchanged(a, new Map(rows.map((r) => [r.seat, r.version])))) return { won: true, retries };
      }
      return { won: false, reason: `gave up after ${MAX_OPTIMISTIC_TRIES} version conflicts`, retries: MAX_OPTIMISTIC_TRIES };
    },
  };
}
