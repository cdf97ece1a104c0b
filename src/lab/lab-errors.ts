/**
 * The Concurrency Lab's error codes, kept with the lab so that one error registry can take them in:
 * each has its HTTP status and the sentence docs/errors.md shows. A LabError carries `statusCode` and
 * `code`, which the app's error handler already answers as `{ error, code }` with that status.
 * LAB_MODE_UNAVAILABLE is still thrown as a BookingError (its `mode` and `reason` details are
 * documented) until the registry replaces BookingError.
 */
export const LAB_ERRORS = {
  LAB_MODE_UNAVAILABLE: { status: 409, doc: "the lab mode needs a service this server does not have (Redis for redis-lock); /lab/api lists each mode's reason" },
  LAB_BUSY: { status: 409, doc: 'the lab already runs a stress (one at a time) or as many attempts as it allows at once; try again when it ends' },
  LAB_UNAVAILABLE: { status: 503, doc: "the lab's own database could not be opened; the booking service is not affected" },
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
