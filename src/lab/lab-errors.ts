import { defineErrors, type CodesOf } from '../domain/errors.ts';

/** The Concurrency Lab's own codes: registered with the lab, listed in docs/errors.md even when it is off. */
export const LAB_ERRORS = defineErrors('lab', 'Concurrency Lab', {
  LAB_MODE_UNAVAILABLE: {
    status: 409,
    message: 'mode {mode} is not available on this server: {reason}',
    when: "the chosen mode's service is not configured (`redis-lock` without `REDIS_URL`) or did not answer",
    details: '`mode`, `reason`',
  },
  LAB_BUSY: {
    status: 409,
    message: 'the lab is busy',
    when: 'a stress is already running (the lab runs one at a time), or 100 other lab attempts are in flight',
  },
  LAB_UNAVAILABLE: {
    status: 503,
    message: "the lab's database could not be opened",
    when: "the lab's own database (DATA_DIR/lab-db, or its schema on the PostgreSQL server) could not be opened; bookings are not affected",
  },
});

declare module '../domain/errors.ts' {
  interface ErrorCodes extends CodesOf<typeof LAB_ERRORS> {}
}
