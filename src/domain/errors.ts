/**
 * The error registry: every code the product reports, with its HTTP status, its message template
 * and what docs/errors.md says about it, in one place. The HTTP error handler answers with the
 * status registered here and docs/errors.md is generated from here (`npm run docs:errors`);
 * test/errors/registry.test.ts fails when either drifts.
 *
 * Codes come in groups. This file defines the core group (booking, accounts, admin); other
 * folders define theirs with `defineErrors` in a file of their own, e.g. src/http/http-errors.ts
 * and the Concurrency Lab's src/lab/lab-errors.ts. A new group is one more line in
 * src/error-groups.ts (so docs/errors.md lists it even when its plugin is off) plus the
 * `declare module` block shown on `ErrorCodes` below (so its codes type-check).
 *
 * Stores return numeric result codes (see StoreCode) and `storeError` turns them into the same
 * BoxofficeError whatever the store, so a message never depends on which HoldStore is running.
 */

/** One code's entry in the registry. */
export interface ErrorSpec {
  /** The HTTP status it answers with (4xx: the caller's mistake or a refusal; 5xx: ours). */
  status: number;
  /** The message when the thrower gives none; `{name}` is replaced by `details.name`. */
  message: string;
  /** When it happens, for people reading docs/errors.md. */
  when: string;
  /** What `details` carries, if anything (ids and numbers safe to show the caller). */
  details?: string;
}

export interface ErrorGroup<C extends string = string> {
  /** A short name, e.g. `core`, `http`, `lab`. */
  name: string;
  /** The heading of the group in docs/errors.md. */
  title: string;
  codes: { readonly [K in C]: ErrorSpec };
}

/** The codes of a group as an object type, for `interface ErrorCodes extends CodesOf<...>`. */
export type CodesOf<G extends ErrorGroup> = { [K in keyof G['codes']]: ErrorSpec };

const registry = new Map<string, ErrorSpec & { group: string }>();
const groups: ErrorGroup[] = [];

/**
 * Registers a group of codes (when its module is imported) and returns it. A code defined twice,
 * in one group or two, is a start-up error: a code means one thing.
 */
export function defineErrors<const C extends Record<string, ErrorSpec>>(name: string, title: string, codes: C): ErrorGroup<keyof C & string> {
  for (const [code, spec] of Object.entries(codes)) {
    const known = registry.get(code);
    if (known) throw new Error(`error code ${code} of group ${name} is already defined by group ${known.group}`);
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`error code ${code} of group ${name} is not UPPER_SNAKE_CASE`);
    registry.set(code, { ...spec, group: name });
  }
  const group: ErrorGroup<keyof C & string> = { name, title, codes };
  groups.push(group as ErrorGroup);
  return group;
}

/** The registry's entry for a code, or undefined when no imported group defines it. */
export function errorSpec(code: string): (ErrorSpec & { group: string }) | undefined {
  return registry.get(code);
}

/** Every group registered so far, in the order their modules were imported. */
export function registeredGroups(): readonly ErrorGroup[] {
  return groups;
}

/** Fills a message template: `{holdId}` becomes details.holdId; a list is joined with ", ". */
export function renderMessage(template: string, details: Details): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = details[key];
    if (value === undefined) return whole;
    return Array.isArray(value) ? value.join(', ') : String(value);
  });
}

export const CORE_ERRORS = defineErrors('core', 'Booking, accounts and admin', {
  INVALID_INPUT: {
    status: 400,
    message: 'the request is not valid',
    when: 'a request that does not fit its schema or the rules: wrong types, an unknown field (named in the message and in `field`), a NUL character in any text, an empty or oversized seat list, a seat listed twice, a malformed seat id',
    details: 'sometimes `field`, `seats`, `limit`',
  },
  UNAUTHORIZED: {
    status: 401,
    message: 'this needs a valid bearer token; get one from POST /api/v1/guests or log in',
    when: 'no bearer token where one is needed, a token this server did not sign, an expired access token or one of a revoked session (logged out, or a spent refresh token was presented again), or a refresh cookie that is missing, used or revoked',
  },
  INVALID_CREDENTIALS: { status: 401, message: 'wrong email or password', when: 'wrong email or password (the same message for both)' },
  FORBIDDEN: { status: 403, message: 'this needs an admin account', when: "an admin route called with a guest's or a user's token" },
  NOT_HOLD_OWNER: { status: 403, message: 'hold {holdId} belongs to someone else', when: "confirm, extend or release of somebody else's hold", details: '`holdId`' },
  MOVIE_NOT_FOUND: { status: 404, message: 'movie {movieId} does not exist', when: 'unknown movie', details: '`movieId`' },
  SHOWTIME_NOT_FOUND: { status: 404, message: 'showtime {showtimeId} does not exist', when: 'unknown showtime', details: '`showtimeId`' },
  THEATER_NOT_FOUND: { status: 404, message: 'theater {theaterId} does not exist', when: 'admin: a screen of an unknown theater', details: '`theaterId`' },
  SCREEN_NOT_FOUND: { status: 404, message: 'screen {screenId} does not exist', when: 'admin: a showtime in an unknown screen', details: '`screenId`' },
  SEAT_NOT_FOUND: {
    status: 404,
    message: 'showtime {showtimeId} has no seat {seats}',
    when: "a seat the showtime's layout does not have; at confirm, a held seat an admin's layout change removed (the hold is released)",
    details: '`seats`',
  },
  HOLD_NOT_FOUND: { status: 404, message: 'hold {holdId} does not exist', when: 'unknown hold (or released)', details: '`holdId`' },
  SEAT_UNAVAILABLE: {
    status: 409,
    message: 'seats {seats} of showtime {showtimeId} are not available',
    when: 'a seat is held, booked or blocked; nothing was held. At confirm: a held seat an admin has blocked since (the hold is released). Best available: rivals took the chosen seats on every one of its tries (`attempts`); nothing was held, asking again may succeed',
    details: '`seats` (the taken ones); for best available also `attempts`',
  },
  NO_SEATS_TOGETHER: {
    status: 409,
    message: 'showtime {showtimeId} has no {count} adjacent free seats in one row',
    when: 'best available with `together` (the default): no block of adjacent free seats (with the accessible places asked for) exists; nothing was held. Ask again with `"together": false` to hold the split',
    details: '`split` (the seats a split pick would take now, not held), `groups` (the same seats as groups of adjacent seats), `count`',
  },
  NOT_ENOUGH_SEATS: {
    status: 409,
    message: 'showtime {showtimeId} has {available} free seats, {count} were asked for',
    when: 'best available: fewer free seats, or fewer free accessible places, than asked for; nothing was held',
    details: '`available` (free seats now), `accessibleAvailable` (free accessible places now), `count`, `accessible`',
  },
  HOLD_LIMIT_EXCEEDED: {
    status: 409,
    message: 'at most {limit} seats may be held by one person for showtime {showtimeId}',
    when: 'the caller (a guest, a user, or a FirstClick `user_id`) would hold more seats in this showtime than allowed (MAX_SEATS_PER_OWNER)',
    details: '`showtimeId`, `limit`',
  },
  HOLD_CONFIRMED: { status: 409, message: 'hold {holdId} is already confirmed', when: 'releasing (or force-releasing) a hold that is already a booking', details: '`holdId`' },
  EMAIL_TAKEN: { status: 409, message: 'this email is registered already', when: 'registering an email that has an account' },
  SHOWTIME_OVERLAP: {
    status: 409,
    message: 'showtime {showtimeId} overlaps showtime {showtimes} in screen {screenId}',
    when: 'admin: another showtime of the screen runs at the same time',
    details: '`screenId`, `showtimes`',
  },
  LAYOUT_LOCKED: {
    status: 409,
    message: 'the layout of screen {screenId} cannot change: showtime {showtimes} has bookings',
    when: 'admin: changing the layout of a screen that has a showtime with bookings, or moving a showtime with bookings to another screen',
    details: '`screenId` and `showtimes`, or `showtimeId`',
  },
  HOLD_EXPIRED: {
    status: 410,
    message: 'hold {holdId} has expired',
    when: 'the hold ran out before the confirm or extend (404 on the FirstClick surface, whose contract says so)',
    details: '`holdId`',
  },
  LOGIN_THROTTLED: {
    status: 429,
    message: 'too many login attempts; try again in {retryAfterSeconds} s',
    when: 'too many login attempts for one email from one address (or from unknown addresses) without a success; each further attempt waits a doubling delay and its password is not checked; `Retry-After` says how long. Unknown emails are answered exactly alike',
    details: '`retryAfterSeconds`',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    message: 'the hold store (Redis) is not answering; try again in a moment',
    when: 'a store the request needs (Redis) is down or unreachable: the request fails at once instead of waiting; the outage is logged once',
  },
});

/**
 * Every code of every group, as a type. A group defined in another folder adds its codes with
 *
 *     declare module '../domain/errors.ts' {
 *       interface ErrorCodes extends CodesOf<typeof LAB_ERRORS> {}
 *     }
 *
 * next to its `defineErrors` call (see src/http/http-errors.ts).
 */
export interface ErrorCodes extends CodesOf<typeof CORE_ERRORS> {}
export type ErrorCode = keyof ErrorCodes & string;

export type Details = Record<string, unknown>;

/**
 * An error the product reports to the caller: a stable code, the status the registry gives it,
 * a message that names the ids involved, and details safe to show. An expected refusal (4xx) is
 * not a bug: it skips capturing a stack trace, which costs more than the rest of the error on
 * the hot path (a 409 for a taken seat). A 5xx keeps its stack for the log.
 */
export class BoxofficeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Ids involved, e.g. the seats that were taken. Safe to show to the caller. */
  readonly details: Details;

  constructor(code: ErrorCode, details?: Details);
  constructor(code: ErrorCode, message: string, details?: Details);
  constructor(code: ErrorCode, messageOrDetails?: string | Details, maybeDetails?: Details) {
    const spec = registry.get(code);
    const details = (typeof messageOrDetails === 'string' ? maybeDetails : messageOrDetails) ?? {};
    const message = typeof messageOrDetails === 'string' ? messageOrDetails : renderMessage(spec?.message ?? code, details);
    // A code no imported group defines is a bug: a 500, with its stack.
    const status = spec?.status ?? 500;
    if (status < 500) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      super(message);
      Error.stackTraceLimit = limit;
    } else {
      super(message);
    }
    this.code = code;
    this.status = status;
    this.details = details;
  }

  override get name(): string {
    return 'BoxofficeError';
  }
}

export const invalidInput = (message: string, details: Details = {}) => new BoxofficeError('INVALID_INPUT', message, details);

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
      return new BoxofficeError(
        'SEAT_UNAVAILABLE',
        `seat${seats.length === 1 ? '' : 's'} ${seats.join(', ')} of showtime ${showtimeId} ${seats.length === 1 ? 'is' : 'are'} not available`,
        { showtimeId, seats: [...seats] },
      );
    case StoreCode.HOLD_LIMIT_EXCEEDED:
      return new BoxofficeError('HOLD_LIMIT_EXCEEDED', { showtimeId, limit: ctx.limit });
    case StoreCode.HOLD_NOT_FOUND:
      return new BoxofficeError('HOLD_NOT_FOUND', { holdId });
    case StoreCode.HOLD_EXPIRED:
      return new BoxofficeError('HOLD_EXPIRED', { holdId });
    case StoreCode.NOT_HOLD_OWNER:
      return new BoxofficeError('NOT_HOLD_OWNER', { holdId });
    case StoreCode.HOLD_CONFIRMED:
      return new BoxofficeError('HOLD_CONFIRMED', { holdId });
    case StoreCode.NOT_LOADED:
      return new ShowtimeNotLoaded(showtimeId);
    default:
      return new Error(`unknown hold store result code ${code} for showtime ${showtimeId}`);
  }
}
