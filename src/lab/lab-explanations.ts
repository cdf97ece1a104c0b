import type { LabModeName } from './lab-modes.ts';

/** The short explanations the lab page shows next to each mode. */
export const LAB_EXPLANATIONS: Record<LabModeName, { title: string; safe: boolean; text: string }> & { pgliteNote: string } = {
  unsafe: {
    title: 'Unsafe: check, wait, write',
    safe: false,
    text:
      'Reads the seat, waits the delay, then writes the booking: no lock, no transaction, no UNIQUE constraint. ' +
      'Every buyer that read "available" before the first write also writes, so one seat gets several bookings.',
  },
  'memory-lock': {
    title: 'Memory lock (pessimistic)',
    safe: true,
    text:
      'A seat lock with a time to live in this process: check and set run with no await between them, and Node runs ' +
      'JavaScript on one thread, so only one buyer gets the lock. Correct on one instance only: a second app process has its own memory.',
  },
  'redis-lock': {
    title: 'Redis SET NX EX (pessimistic)',
    safe: true,
    text:
      'SET seat owner NX EX 30 sets the key only if it does Not eXist and lets it EXpire by itself, so an abandoned hold frees ' +
      'itself. Redis runs one command at a time: exactly one buyer gets OK, the others nil. Several seats are locked by one Lua ' +
      'script, all or none. Shared by every app instance.',
  },
  'for-update': {
    title: 'PostgreSQL SELECT … FOR UPDATE (pessimistic)',
    safe: true,
    text:
      'One transaction locks the seat rows, checks them, writes and commits; a rival blocks on the row lock and then sees the ' +
      'booking. Seats are locked in seat-id order: if one buyer locked A1 then A2 while another locked A2 then A1, each would wait ' +
      'for the other forever (a deadlock). One order makes them queue instead.',
  },
  optimistic: {
    title: 'Optimistic: version column with retry',
    safe: true,
    text:
      'Reads each seat with its version and takes no lock; the write is UPDATE … WHERE version = <read version>. If another buyer ' +
      'wrote first, no row matches, the transaction rolls back and the buyer reads again (and sees the seat booked). Cheap when ' +
      'conflicts are rare; on an opening-night rush most buyers pay for a retry.',
  },
  pgliteNote: 'Here the database is the embedded PGlite, which runs one transaction at a time, so this mode is trivially safe; on a PostgreSQL server the row locks do the work.',
};

/** Shown once under the modes: why a constraint still matters when every path above is right. */
export const LAST_LINE =
  'A UNIQUE constraint on (showtime, seat) is the last line: a path that forgets its lock still cannot store a second booking. ' +
  "The lab's lab_bookings table has none on purpose, so the unsafe mode's duplicates are real rows.";
