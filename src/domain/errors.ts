/**
 * Every failure the product reports has a stable code. Stores return numeric result codes
 * (see StoreCode) and `storeError` turns them into the same BookingError whatever the store,
 * so a message never depends on which HoldStore is running. docs/errors.md lists the codes.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'MOVIE_NOT_FOUND'
  | 'SHOWTIME_NOT_FOUND'
  | 'SEAT_NOT_FOUND'
  | 'SEAT_UNAVAILABLE'
  | 'HOLD_LIMIT_EXCEEDED'
  | 'HOLD_NOT_FOUND'
  | 'HOLD_EXPIRED'
  | 'HOLD_CONFIRMED'
  | 'NOT_HOLD_OWNER'
  /** Accounts and admin. */
  | 'FORBIDDEN'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'EMAIL_TAKEN'
  | 'THEATER_NOT_FOUND'
  | 'SCREEN_NOT_FOUND'
  | 'SHOWTIME_OVERLAP'
  | 'LAYOUT_LOCKED'
  /** Concurrency Lab: the mode's service (Redis) is not configured or did not answer. */
  | 'LAB_MODE_UNAVAILABLE'
  /** A store the request needs (Redis) is not answering: try again shortly. */
  | 'STORE_UNAVAILABLE';

export class BookingError extends Error {
  override readonly name = 'BookingError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Ids involved, e.g. the seats that were taken. Safe to show to the caller. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const invalidInput = (message: string, details: Record<string, unknown> = {}) =>
  new BookingError('INVALID_INPUT', message, details);

/** Result codes shared by every HoldStore (Lua scripts, SQL and memory alike). */
export const StoreCode = {
  OK: 1,
  SEAT_UNAVAILABLE: -1,
  HOLD_LIMIT_EXCEEDED: -2,
  HOLD_NOT_FOUND: -3,
  HOLD_EXPIRED: -4,
  NOT_HOLD_OWNER: -5,
  HOLD_CONFIRMED: -6,
  /** The store has no state for this showtime yet (first use, or Redis lost its data). */
  NOT_LOADED: -7,
} as const;
export type StoreCode = (typeof StoreCode)[keyof typeof StoreCode];

export class ShowtimeNotLoaded extends Error {
  constructor(readonly showtimeId: string) {
    super(`hold store has no state for showtime ${showtimeId}`);
  }
}

export interface StoreErrorContext {
  showtimeId: string;
  holdId?: string;
  /** Seats named by the store: the taken ones for SEAT_UNAVAILABLE. */
  seats?: readonly string[];
  limit?: number;
}

/** The one mapper from store result codes to errors. */
export function storeError(code: number, ctx: StoreErrorContext): Error {
  const { showtimeId, holdId = '', seats = [] } = ctx;
  switch (code) {
    case StoreCode.SEAT_UNAVAILABLE:
      return new BookingError(
        'SEAT_UNAVAILABLE',
        `seat${seats.length === 1 ? '' : 's'} ${seats.join(', ')} of showtime ${showtimeId} ${seats.length === 1 ? 'is' : 'are'} not available`,
        { showtimeId, seats: [...seats] },
      );
    case StoreCode.HOLD_LIMIT_EXCEEDED:
      return new BookingError(
        'HOLD_LIMIT_EXCEEDED',
        `at most ${ctx.limit} seats may be held by one person for showtime ${showtimeId}`,
        { showtimeId, limit: ctx.limit },
      );
    case StoreCode.HOLD_NOT_FOUND:
      return new BookingError('HOLD_NOT_FOUND', `hold ${holdId} does not exist`, { holdId });
    case StoreCode.HOLD_EXPIRED:
      return new BookingError('HOLD_EXPIRED', `hold ${holdId} has expired`, { holdId });
    case StoreCode.NOT_HOLD_OWNER:
      return new BookingError('NOT_HOLD_OWNER', `hold ${holdId} belongs to someone else`, { holdId });
    case StoreCode.HOLD_CONFIRMED:
      return new BookingError('HOLD_CONFIRMED', `hold ${holdId} is already confirmed`, { holdId });
    case StoreCode.NOT_LOADED:
      return new ShowtimeNotLoaded(showtimeId);
    default:
      return new Error(`unknown hold store result code ${code} for showtime ${showtimeId}`);
  }
}
