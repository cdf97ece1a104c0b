/**
 * The Concurrency Lab's error codes, kept with the lab so the one error registry can take them in as
 * the lab's group (status, message template, when, details: the registry's fields). Until it does, a
 * LabError carries `statusCode` and `code`, which the app's error handler answers as `{ error, code }`
 * with that status; LAB_MODE_UNAVAILABLE is still thrown as a BookingError for its documented details.
 */
export const LAB_ERRORS = {
  LAB_MODE_UNAVAILABLE: {
    status: 409,
    message: 'mode {mode} is not available on this server: {reason}',
    when: "the chosen mode's service is not configured (`redis-lock` without `REDIS_URL`) or did not answer",
    details: '`mode`, `reason`',
  },
  LAB_BUSY: {
    status: 409,
    message: 'the lab is busy: {reason}',
    when: 'a stress is already running (the lab runs one at a time), or 100 other lab attempts are in flight',
  },
  LAB_UNAVAILABLE: {
    status: 503,
    message: "the lab's database could not be opened",
    when: "the lab's own database (DATA_DIR/lab-db, or its schema on the PostgreSQL server) could not be opened; bookings are not affected",
  },
} as const;

export type LabErrorCode = keyof typeof LAB_ERRORS;

export class LabError extends Error {
  override readonly name = 'LabError';
  readonly statusCode: number;
  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = LAB_ERRORS[code].status;
  }
}
