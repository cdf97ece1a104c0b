import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCurrentShowtime, type Booking, type Hold, type SeatChange, type SeatChangeCause, type SeatMap, type Showtime, type TakenSeat } from '../domain/booking.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import { BoxofficeError, invalidInput, ShowtimeNotLoaded } from '../domain/errors.ts';
import { bestAvailable } from '../domain/best-available.ts';
import type { HoldStore } from '../domain/hold-store.ts';
import '../checkout/checkout-errors.ts';
import { normalizeSeatIds, seatsOf, type Seat, type SeatId } from '../domain/layout.ts';
import { isFree } from '../domain/orders.ts';
import type { EventBus } from '../realtime/event-bus.ts';

export interface BookingLimits {
  /** Seats in one hold. */
  maxSeatsPerHold: number;
  /** Seats one owner may hold at once in one showtime. */
  maxSeatsPerOwner: number;
  /** Life of a hold when the caller does not ask for another. */
  holdTtlMs: number;
  /** A hold is never extended past createdAt + this. */
  maxHoldLifeMs: number;
  /** How long a confirm may take to write its booking before the sweeper looks into it. */
  confirmGraceMs: number;
}

export const DEFAULT_LIMITS: BookingLimits = {
  maxSeatsPerHold: 10,
  maxSeatsPerOwner: 10,
  holdTtlMs: 10 * 60_000,
  maxHoldLifeMs: 30 * 60_000,
  confirmGraceMs: 30_000,
};

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

export const SHOWTIME_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A hold id names its showtime ("dune-1.Xk3..."), so a confirm needs nothing but the hold id. */
const HOLD_ID_PATTERN = /^([a-z0-9][a-z0-9-]{0,63})\.([A-Za-z0-9_-]{6,64})$/;
const MAX_OWNER_LENGTH = 200;
/**
 * How long a showtime's count of free seats is reused. Showtime lists show it for every showtime
 * ("filling fast", "sold out"); under load a list must not cost one store read per showtime per
 * request, and a count a second old is good enough for a chip (the seat map itself is always live).
 */
export const SEATS_LEFT_CACHE_MS = 1_000;
/** A best-available request picks again after a rival took a chosen seat, at most this many times in all. */
export const BEST_AVAILABLE_ATTEMPTS = 5;
/** Seats one best-available request may ask for (and never more than maxSeatsPerHold). */
export const MAX_BEST_COUNT = 10;

/** What a best-available request asks for: `count` seats, `accessible` of them accessible places, in one block or not. */
export interface BestAvailableRequest {
  count: number;
  accessible?: number;
  /** One block of adjacent seats in one row (default); false also takes a split when no block exists. */
  together?: boolean;
}

interface CachedShowtime {
  showtime: Showtime;
  seats: Map<SeatId, Seat>;
}

/**
 * The use cases of booking seats. Knows the ports only: a HoldStore for the hot state, a
 * BookingRepository for the durable truth, an EventBus for every seat change it causes.
 */
export class BookingService {
  private readonly showtimes = new Map<string, CachedShowtime>();
  /** The last seat map built per showtime, with the store's answer it was built from. */
  private readonly maps = new Map<string, { map: SeatMap; taken: TakenSeat[] }>();
  private readonly restoring = new Map<string, Promise<void>>();
  /** Per showtime, its count of free seats (or the read in flight) until `until`. */
  private readonly seatsLeftCache = new Map<string, { until: number; count: Promise<number> }>();
  /** Per showtime, the last best-available pick queued in this process (see holdBest). */
  private readonly picking = new Map<string, Promise<void>>();
  private sweeping = false;

  constructor(
    private readonly deps: {
      holds: HoldStore;
      repository: BookingRepository;
      events: EventBus;
      limits?: BookingLimits;
      log?: Logger;
    },
  ) {}

  get limits(): BookingLimits {
    return this.deps.limits ?? DEFAULT_LIMITS;
  }

  private get log(): Logger {
    return this.deps.log ?? silent;
  }

  async showtime(showtimeId: string): Promise<Showtime> {
    return (await this.cachedShowtime(showtimeId)).showtime;
  }

  /** The showtime a hold id names; an unknown showtime is the hold's HOLD_NOT_FOUND (or INVALID_INPUT for a malformed id). */
  async showtimeOfHold(holdId: string): Promise<Showtime> {
    try {
      return (await this.cachedShowtime(showtimeOfHold(holdId))).showtime;
    } catch (e) {
      throw e instanceof BoxofficeError && e.code === 'SHOWTIME_NOT_FOUND' ? new BoxofficeError('HOLD_NOT_FOUND', { holdId }) : e;
    }
  }

  /** Drops a cached showtime after its catalog entry changed. */
  forgetShowtime(showtimeId: string): void {
    this.showtimes.delete(showtimeId);
    this.maps.delete(showtimeId);
    this.seatsLeftCache.delete(showtimeId);
  }

  /** Drops every cached showtime (the catalog changed, maybe on another instance). */
  forgetShowtimes(): void {
    this.showtimes.clear();
    this.maps.clear();
    this.seatsLeftCache.clear();
  }

  /**
   * Seats available now (neither held, booked nor blocked), at most SEATS_LEFT_CACHE_MS old: one
   * store read per showtime per period, shared by every caller meanwhile (a read in flight too).
   */
  seatsLeft(showtimeId: string): Promise<number> {
    const now = Date.now();
    const cached = this.seatsLeftCache.get(showtimeId);
    if (cached && cached.until > now) return cached.count;
    const count = this.countSeatsLeft(showtimeId);
    this.seatsLeftCache.set(showtimeId, { until: now + SEATS_LEFT_CACHE_MS, count });
    // A failed read is not reused: the next caller tries again.
    count.catch(() => {
      if (this.seatsLeftCache.get(showtimeId)?.count === count) this.seatsLeftCache.delete(showtimeId);
    });
    return count;
  }

  private async countSeatsLeft(showtimeId: string): Promise<number> {
    return (await this.seatMap(showtimeId)).seats.filter((seat) => seat.status === 'available').length;
  }

  /**
   * An admin frees somebody's hold. The release itself is the owner's atomic release step, run
   * with the owner the store reports: it still checks, inside the step, that the hold is held by
   * that owner, so a hold that was confirmed or moved meanwhile is never freed by mistake.
   * Announced as `revoke`, so the owner's page can say the venue released it.
   */
  async forceRelease(holdId: string): Promise<{ hold: Hold; seats: SeatId[] }> {
    const showtimeId = showtimeOfHold(holdId);
    for (let attempt = 0; ; attempt++) {
      const hold = await this.whenLoaded(showtimeId, () => this.deps.holds.getHold(showtimeId, holdId), holdId);
      if (!hold) throw new BoxofficeError('HOLD_NOT_FOUND', { holdId });
      if (hold.state !== 'held') throw new BoxofficeError('HOLD_CONFIRMED', { holdId });
      let released: { seats: SeatId[]; version: number } | null;
      try {
        released = await this.deps.holds.release({ showtimeId, holdId, owner: hold.owner });
      } catch (e) {
        // The hold changed hands between the read and the release (a guest logged in): read again.
        if (e instanceof BoxofficeError && e.code === 'NOT_HOLD_OWNER' && attempt < 3) continue;
        throw e;
      }
      if (!released) throw new BoxofficeError('HOLD_NOT_FOUND', { holdId });
      this.publish(showtimeId, released.version, 'revoke', availableChanges(released.seats));
      return { hold, seats: released.seats };
    }
  }

  /** The caller's hold as the store has it now (expired ones too, until swept): HOLD_NOT_FOUND, NOT_HOLD_OWNER. */
  async holdOf(req: { holdId: string; owner: string }): Promise<Hold> {
    const showtimeId = showtimeOfHold(req.holdId);
    const owner = checkOwner(req.owner);
    const hold = await this.whenLoaded(showtimeId, () => this.deps.holds.getHold(showtimeId, req.holdId), req.holdId);
    if (!hold) throw new BoxofficeError('HOLD_NOT_FOUND', { holdId: req.holdId });
    if (hold.owner !== owner) throw new BoxofficeError('NOT_HOLD_OWNER', { holdId: req.holdId });
    return hold;
  }

  /** A hold of the seats named, or of the best available: exactly one of `seats` and `best`. */
  hold(req: { showtimeId: string; owner: string; seats?: unknown; best?: BestAvailableRequest }): Promise<Hold> {
    if ((req.seats === undefined) === (req.best === undefined)) {
      return Promise.reject(invalidInput('send "seats" (the seats to hold) or "best" (how many seats to find), exactly one of them', { field: 'best' }));
    }
    return req.best !== undefined ? this.holdBest({ ...req, best: req.best }) : this.holdSeats({ ...req, seats: req.seats });
  }

  async holdSeats(req: { showtimeId: string; owner: string; seats: unknown; ttlMs?: number }): Promise<Hold> {
    const { showtime, seats: index } = await this.cachedShowtime(req.showtimeId);
    const owner = checkOwner(req.owner);
    const seats = normalizeSeatIds(req.seats, index, showtime.id, this.limits.maxSeatsPerHold);
    return this.holdChecked(showtime.id, owner, seats, this.checkTtl(req.ttlMs));
  }

  /**
   * Holds the best free seats (src/domain/best-available.ts) through the ordinary all-or-none hold,
   * so the per-owner limit and every store guarantee apply as to any hold. When a rival took a
   * chosen seat between the read and the hold, it pauses a random moment, reads the seats again and
   * picks again, up to BEST_AVAILABLE_ATTEMPTS times; it never holds part of a pick.
   *
   * Picks of one showtime run one at a time in this process: concurrent picks would read the same
   * seats and choose the same best block, and all but one would lose and pick again (a herd on the
   * best block). Across instances the store's atomic hold decides, and the loser picks again.
   * The queue is bounded by the hold rate limits of the callers in it.
   */
  async holdBest(req: { showtimeId: string; owner: string; best: BestAvailableRequest; ttlMs?: number }): Promise<Hold> {
    const { showtime } = await this.cachedShowtime(req.showtimeId);
    const owner = checkOwner(req.owner);
    const { count, accessible, together } = checkBest(req.best, Math.min(MAX_BEST_COUNT, this.limits.maxSeatsPerHold));
    const ttlMs = this.checkTtl(req.ttlMs);
    return this.oneAtATime(showtime.id, async () => {
      let lost: SeatId[] = [];
      for (let attempt = 1; attempt <= BEST_AVAILABLE_ATTEMPTS; attempt++) {
        const { seats: taken } = await this.whenLoaded(showtime.id, () => this.deps.holds.seatStates(showtime.id));
        const pick = bestAvailable(showtime.layout, new Set(taken.map((t) => t.seat)), { count, accessible });
        if (pick.outcome === 'not-enough') {
          const details = { showtimeId: showtime.id, count, accessible, available: pick.available, accessibleAvailable: pick.accessibleAvailable };
          if (pick.available >= count) {
            throw new BoxofficeError('NOT_ENOUGH_SEATS', `showtime ${showtime.id} has ${pick.accessibleAvailable} free accessible places, ${accessible} were asked for`, details);
          }
          throw new BoxofficeError('NOT_ENOUGH_SEATS', details);
        }
        if (pick.outcome === 'split' && together) {
          throw new BoxofficeError('NO_SEATS_TOGETHER', { showtimeId: showtime.id, count, split: pick.seats, groups: pick.groups });
        }
        try {
          return await this.holdChecked(showtime.id, owner, [...pick.seats].sort(), ttlMs);
        } catch (e) {
          if (!(e instanceof BoxofficeError && e.code === 'SEAT_UNAVAILABLE')) throw e;
          lost = (e.details.seats as SeatId[] | undefined) ?? [];
        }
        // Another instance's pick won. Both would read the same seats again at once and collide
        // again: a random pause (up to 2, 4, 8, 16 ms) lets the two fall out of step.
        if (attempt < BEST_AVAILABLE_ATTEMPTS) await sleep(Math.random() * 2 ** attempt);
      }
      throw new BoxofficeError(
        'SEAT_UNAVAILABLE',
        `the best seats of showtime ${showtime.id} were taken by others on each of ${BEST_AVAILABLE_ATTEMPTS} tries; nothing is held, try again`,
        { showtimeId: showtime.id, seats: lost, attempts: BEST_AVAILABLE_ATTEMPTS },
      );
    });
  }

  /** Runs the steps given for one key one after the other, in the order they were given. */
  private async oneAtATime<T>(key: string, step: () => Promise<T>): Promise<T> {
    const run = (this.picking.get(key) ?? Promise.resolve()).then(step);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.picking.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.picking.get(key) === tail) this.picking.delete(key);
    }
  }

  private checkTtl(ttlMs = this.limits.holdTtlMs): number {
    if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > this.limits.maxHoldLifeMs) {
      throw invalidInput(`a hold lasts from 1 ms to ${this.limits.maxHoldLifeMs} ms`);
    }
    return ttlMs;
  }

  /** The hold step itself, for seats already checked against the layout (sorted, unique, not blocked). */
  private async holdChecked(showtimeId: string, owner: string, seats: SeatId[], ttlMs: number): Promise<Hold> {
    const holdId = `${showtimeId}.${randomBytes(12).toString('base64url')}`;
    const { hold, version } = await this.whenLoaded(showtimeId, () =>
      this.deps.holds.hold({ holdId, showtimeId, owner, seats, ttlMs, maxSeatsPerOwner: this.limits.maxSeatsPerOwner }),
    );
    this.publish(showtimeId, version, 'hold', heldChanges(hold));
    return hold;
  }

  /**
   * A guest logged in or registered: their live holds in the given showtimes become the user's,
   * per showtime all or none. A showtime where the user would pass the per-owner limit keeps the
   * guest's holds with the guest (still theirs through the guest token) and is reported as kept.
   */
  async transferHolds(fromOwner: string, toOwner: string, showtimeIds: string[]): Promise<{ moved: Hold[]; kept: string[] }> {
    const from = checkOwner(fromOwner);
    const to = checkOwner(toOwner);
    const moved: Hold[] = [];
    const kept: string[] = [];
    // Showtimes are independent: all at once (on Redis, auto-pipelined into one round trip).
    await Promise.all(
      showtimeIds.map(async (showtimeId) => {
        try {
          const result = await this.whenLoaded(showtimeId, () =>
            this.deps.holds.transferHolds({ showtimeId, fromOwner: from, toOwner: to, maxSeatsPerOwner: this.limits.maxSeatsPerOwner }),
          );
          if (!result) return;
          moved.push(...result.holds);
          this.publish(showtimeId, result.version, 'transfer', result.holds.flatMap(heldChanges));
        } catch (e) {
          if (!(e instanceof BoxofficeError && e.code === 'HOLD_LIMIT_EXCEEDED')) throw e;
          kept.push(showtimeId);
        }
      }),
    );
    return { moved, kept };
  }

  async extendHold(req: { holdId: string; owner: string; ttlMs?: number }): Promise<Hold> {
    const showtimeId = showtimeOfHold(req.holdId);
    const owner = checkOwner(req.owner);
    const ttlMs = req.ttlMs ?? this.limits.holdTtlMs;
    const { hold, version } = await this.whenLoaded(
      showtimeId,
      () => this.deps.holds.extend({ showtimeId, holdId: req.holdId, owner, ttlMs, maxLifeMs: this.limits.maxHoldLifeMs }),
      req.holdId,
    );
    this.publish(showtimeId, version, 'extend', heldChanges(hold));
    return hold;
  }

  /**
   * Idempotent for the owner: releasing a hold that is already gone succeeds. `cause` is what /ws
   * announces: the owner's release, or, for an order's hold, the order's end (its payment window ran
   * out: `expire`; the cinema cancelled it: `revoke`).
   */
  async releaseHold(req: { holdId: string; owner: string; cause?: 'release' | 'expire' | 'revoke' }): Promise<void> {
    const showtimeId = showtimeOfHold(req.holdId);
    const owner = checkOwner(req.owner);
    const released = await this.whenLoaded(showtimeId, () => this.deps.holds.release({ showtimeId, holdId: req.holdId, owner }), req.holdId);
    if (released) this.publish(showtimeId, released.version, req.cause ?? 'release', availableChanges(released.seats));
  }

  /**
   * Turns a hold into a booking (G4). The hold store decides, at the moment of the confirm and on
   * its own clock, that the hold is the caller's and alive, and pins it as `confirming`; only then is
   * the booking written to the database, and only after that do the seats read as booked.
   * Confirming the same hold again returns the same booking.
   */
  async confirmHold(req: { holdId: string; owner: string }): Promise<Booking> {
    const showtimeId = showtimeOfHold(req.holdId);
    const owner = checkOwner(req.owner);
    // A priced seat is sold only through checkout and payment (on every surface: one that knows no
    // prices would give it away). Somebody else's or an unknown hold gets the answer it always got.
    const showtime = await this.showtimeOfHold(req.holdId);
    if (!isFree(showtime.prices)) {
      await this.holdOf({ holdId: req.holdId, owner });
      throw new BoxofficeError('PAYMENT_REQUIRED', { showtimeId, holdId: req.holdId });
    }
    return this.confirmBooking(showtimeId, req.holdId, owner);
  }

  /** The confirm itself, whatever the price: a free hold's, or a paid order's (confirmPaid). */
  private async confirmBooking(showtimeId: string, holdId: string, owner: string): Promise<Booking> {
    const hold = await this.whenLoaded(
      showtimeId,
      () => this.deps.holds.beginConfirm({ showtimeId, holdId, owner, graceMs: this.limits.confirmGraceMs }),
      holdId,
    );
    if (hold.state === 'booked') {
      const existing = await this.deps.repository.getBooking(hold.id);
      if (existing) return existing;
    }
    let booking: Booking;
    try {
      booking = await this.deps.repository.insertBooking({ id: hold.id, showtimeId, owner, seats: hold.seats });
    } catch (e) {
      if (e instanceof BoxofficeError && e.details.layout !== undefined) {
        // An admin may change a layout while holds sit on it (only bookings lock a layout): the
        // database checked the hold's seats against the layout as it is now, and the change won.
        this.forgetShowtime(showtimeId);
        await this.abortConfirm(showtimeId, hold.id);
        const seats = e.details.seats as SeatId[];
        if (e.code === 'SEAT_NOT_FOUND') throw new BoxofficeError('SEAT_NOT_FOUND', `the layout no longer has seat ${seats.join(', ')}; hold ${hold.id} is released`, { seats });
        throw new BoxofficeError('SEAT_UNAVAILABLE', `seat ${seats.join(', ')} was blocked; hold ${hold.id} is released`, { seats });
      }
      if (e instanceof BoxofficeError && e.code === 'SEAT_UNAVAILABLE') {
        // The database has a booking the hold store did not know about (it lost its state):
        // the database wins, and this hold gives its other seats back.
        this.log.warn({ holdId: hold.id, seats: e.details.seats }, 'hold store disagreed with the database; restoring');
        await this.restoreFromDatabase(showtimeId);
        await this.abortConfirm(showtimeId, hold.id);
      }
      throw e;
    }
    await this.markBooked(booking);
    return booking;
  }

  /**
   * Books the seats of an order that has been paid for (the charge succeeded). First the order's
   * own hold is confirmed like any hold (G4). If that hold expired or is gone, the buyer still gets
   * the seats when they are free: they are held again for the owner, under an id derived from the
   * order's hold (`<holdId>-<random>`), and that hold is confirmed; the booking's id is then the new
   * hold's. If somebody else has a seat now, nothing is booked and the taken seats are reported: the
   * caller refunds. Safe to call again for the same order (a redelivered payment message): a booking
   * an earlier call made, or a hold it left unconfirmed, is found by that id and used, never doubled.
   */
  async bookPaidOrder(req: { holdId: string; owner: string; seats: unknown }): Promise<PaidBooking> {
    const showtimeId = showtimeOfHold(req.holdId);
    const owner = checkOwner(req.owner);
    const { showtime, seats: index } = await this.cachedShowtime(showtimeId);
    const seats = normalizeSeatIds(req.seats, index, showtime.id, Number.MAX_SAFE_INTEGER);
    const gone = await this.confirmPaid(req.holdId, owner);
    if (gone !== 'gone') return gone;

    const prefix = `${req.holdId}-`;
    const earlier = await this.earlierRebooking(showtimeId, owner, prefix);
    if (earlier) return earlier;
    const holdId = `${prefix}${randomBytes(6).toString('base64url')}`;
    try {
      const { hold, version } = await this.whenLoaded(showtimeId, () =>
        this.deps.holds.hold({
          holdId,
          showtimeId,
          owner,
          seats,
          ttlMs: this.limits.confirmGraceMs,
          // A paid order is not a new claim on seats: the owner's other holds must not stop it.
          maxSeatsPerOwner: this.limits.maxSeatsPerOwner + seats.length,
        }),
      );
      this.publish(showtimeId, version, 'hold', heldChanges(hold));
    } catch (e) {
      if (!(e instanceof BoxofficeError && e.code === 'SEAT_UNAVAILABLE')) throw e;
      // Maybe taken by this very order: another delivery of its message re-held them just now.
      return (await this.earlierRebooking(showtimeId, owner, prefix)) ?? { outcome: 'taken', seats: (e.details.seats as SeatId[] | undefined) ?? seats };
    }
    const result = await this.confirmPaid(holdId, owner);
    if (result === 'gone') throw new BoxofficeError('HOLD_EXPIRED', { holdId });
    return result;
  }

  /**
   * A booked seat becomes available again (a paid order was cancelled and refunded). The database
   * goes first: it is the truth, and a crash before the store follows leaves the seats reading
   * booked (unsellable, never sold twice) until the cancel is retried or the store is restored.
   * Idempotent: cancelling again frees nothing more. Live on /ws.
   */
  async cancelBooking(bookingId: string): Promise<{ showtimeId: string; seats: SeatId[] }> {
    const showtimeId = showtimeOfHold(bookingId);
    const cancelled = await this.deps.repository.cancelBooking(bookingId);
    if (!cancelled) throw new BoxofficeError('HOLD_NOT_FOUND', `booking ${bookingId} does not exist`, { holdId: bookingId });
    const freed = await this.whenLoaded(showtimeId, () => this.deps.holds.releaseBooking({ showtimeId, bookingId }));
    if (freed) this.publish(showtimeId, freed.version, 'cancel', availableChanges(freed.seats));
    return cancelled;
  }

  /** confirmHold for a paid order: 'gone' when the hold expired or no longer exists, taken seats as an outcome. */
  private async confirmPaid(holdId: string, owner: string): Promise<PaidBooking | 'gone'> {
    try {
      return { outcome: 'booked', booking: await this.confirmBooking(showtimeOfHold(holdId), holdId, owner) };
    } catch (e) {
      if (!(e instanceof BoxofficeError)) throw e;
      if (e.code === 'HOLD_EXPIRED' || e.code === 'HOLD_NOT_FOUND') return 'gone';
      // The database had a booking for a seat, or the layout lost or blocked one: the hold is released.
      if (e.code === 'SEAT_UNAVAILABLE' || e.code === 'SEAT_NOT_FOUND') return { outcome: 'taken', seats: (e.details.seats as SeatId[] | undefined) ?? [] };
      throw e;
    }
  }

  /** A booking, or a live re-hold to confirm, that an earlier bookPaidOrder of the same order left. */
  private async earlierRebooking(showtimeId: string, owner: string, prefix: string): Promise<PaidBooking | null> {
    const booking = (await this.deps.repository.bookingsOf(owner)).find((b) => b.id.startsWith(prefix));
    if (booking) return { outcome: 'booked', booking };
    const hold = (await this.whenLoaded(showtimeId, () => this.deps.holds.holdsOf(showtimeId, owner))).find((h) => h.id.startsWith(prefix));
    if (!hold) return null;
    const result = await this.confirmPaid(hold.id, owner);
    return result === 'gone' ? null : result;
  }

  /**
   * The live seat map. The store is read every time; the map is rebuilt only when what the store
   * said differs from the last build (the seat list of a 500-seat hall is most of a read's cost),
   * so the returned map is shared and must not be changed.
   */
  async seatMap(showtimeId: string): Promise<SeatMap> {
    const { showtime } = await this.cachedShowtime(showtimeId);
    const { version, seats: taken } = await this.whenLoaded(showtimeId, () => this.deps.holds.seatStates(showtimeId));
    const last = this.maps.get(showtimeId);
    if (last && last.map.showtime === showtime && last.map.version === version && sameTaken(last.taken, taken)) return last.map;
    const bySeat = new Map(taken.map((s) => [s.seat, s]));
    const map: SeatMap = {
      showtime,
      version,
      seats: seatsOf(showtime.layout).map((seat) => {
        const state = bySeat.get(seat.id);
        const base = { id: seat.id, row: seat.row, number: seat.number, kind: seat.kind };
        if (seat.blocked) return { ...base, status: 'blocked' };
        if (!state) return { ...base, status: 'available' };
        return {
          ...base,
          status: state.status,
          holdId: state.holdId,
          owner: state.owner,
          ...(state.expiresAt !== null && { expiresAt: state.expiresAt }),
        };
      }),
    };
    this.maps.set(showtimeId, { map, taken });
    return map;
  }

  async holdsOf(showtimeId: string, owner: string): Promise<Hold[]> {
    await this.cachedShowtime(showtimeId);
    const who = checkOwner(owner);
    return (await this.whenLoaded(showtimeId, () => this.deps.holds.holdsOf(showtimeId, who))).filter((h) => h.state !== 'booked');
  }

  /**
   * The owner's live holds (held and not expired, or confirming) in every current showtime
   * (isCurrentShowtime), each with its showtime. One store read per current showtime, all at once
   * (on Redis auto-pipelined into one round trip), each O(the owner's holds there) through the
   * store's per-owner index: the cost grows with the number of current showtimes, not with halls
   * or holds. A showtime the store does not know yet holds nothing: it is skipped, not restored.
   */
  async liveHoldsOf(owner: string, now = Date.now()): Promise<{ hold: Hold; showtime: Showtime }[]> {
    const who = checkOwner(owner);
    const showtimes = (await this.deps.repository.listShowtimes()).filter((s) => isCurrentShowtime(s, now));
    const perShowtime = await Promise.all(
      showtimes.map(async (showtime) => {
        try {
          const holds = await this.deps.holds.holdsOf(showtime.id, who);
          return holds.filter((h) => h.state !== 'booked').map((hold) => ({ hold, showtime }));
        } catch (e) {
          if (e instanceof ShowtimeNotLoaded) return [];
          throw e;
        }
      }),
    );
    return perShowtime.flat().sort((a, b) => a.hold.createdAt - b.hold.createdAt);
  }

  /** How far a hold can be extended: its maximum life from its creation. */
  maxExpiresAt(hold: Pick<Hold, 'createdAt'>): number {
    return hold.createdAt + this.limits.maxHoldLifeMs;
  }

  bookingsOf(owner: string): Promise<Booking[]> {
    return this.deps.repository.bookingsOf(checkOwner(owner));
  }

  /**
   * One pass of the sweeper: announces expired holds, and settles confirms that stalled past their
   * grace (the process died between the store and the database, or the database was slow): a hold
   * whose booking is in the database becomes booked, any other gives its seats back.
   */
  async sweep(limit = 1_000): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const { expired, stalled } = await this.deps.holds.expireDue(limit);
      for (const e of expired) this.publish(e.showtimeId, e.version, 'expire', availableChanges(e.seats));
      for (const s of stalled) {
        const booking = await this.deps.repository.getBooking(s.holdId);
        if (booking) await this.markBooked(booking);
        else await this.abortConfirm(s.showtimeId, s.holdId);
      }
      return expired.length + stalled.length;
    } finally {
      this.sweeping = false;
    }
  }

  /** Sweeps every intervalMs until the returned function is called. */
  startSweeper(intervalMs = 250): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = this.sweep().catch((e: unknown) => {
        // A store outage is logged once where it is noticed, not every 250 ms here.
        if (!(e instanceof BoxofficeError && e.code === 'STORE_UNAVAILABLE')) this.log.error({ err: e }, 'sweep failed');
      });
    }, intervalMs);
    return async () => {
      clearInterval(timer);
      await running;
    };
  }

  private async markBooked(booking: Booking): Promise<void> {
    const { showtimeId } = booking;
    const done = await this.whenLoaded(showtimeId, () => this.deps.holds.completeConfirm({ showtimeId, holdId: booking.id }));
    if (done) {
      this.publish(showtimeId, done.version, 'confirm', bookedChanges(done.seats, booking.owner));
      return;
    }
    // The hold left `confirming` while the booking was being written (the sweeper gave up on it):
    // the booking is durable, so its seats become booked whoever holds them now.
    const restored = await this.deps.holds.restore(showtimeId, [{ bookingId: booking.id, owner: booking.owner, seats: booking.seats }]);
    if (restored.seats.length > 0) this.publish(showtimeId, restored.version, 'confirm', bookedChanges(restored.seats, booking.owner));
  }

  private async abortConfirm(showtimeId: string, holdId: string): Promise<void> {
    const freed = await this.deps.holds.abortConfirm({ showtimeId, holdId });
    if (freed) this.publish(showtimeId, freed.version, 'release', availableChanges(freed.seats));
  }

  /**
   * Runs a store step; if the store does not know the showtime (first use, or Redis lost its data),
   * restores the booked seats from the database and runs the step again.
   */
  private async whenLoaded<T>(showtimeId: string, step: () => Promise<T>, holdId?: string): Promise<T> {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof ShowtimeNotLoaded)) throw e;
    }
    try {
      await this.restoreFromDatabase(showtimeId);
    } catch (e) {
      if (holdId && e instanceof BoxofficeError && e.code === 'SHOWTIME_NOT_FOUND') {
        throw new BoxofficeError('HOLD_NOT_FOUND', { holdId });
      }
      throw e;
    }
    return step();
  }

  private restoreFromDatabase(showtimeId: string): Promise<void> {
    let running = this.restoring.get(showtimeId);
    if (!running) {
      running = (async () => {
        await this.cachedShowtime(showtimeId);
        const bookings = await this.deps.repository.bookedSeats(showtimeId);
        const restored = await this.deps.holds.restore(showtimeId, bookings);
        this.log.info({ showtimeId, bookings: bookings.length }, 'restored booked seats into the hold store');
        if (restored.seats.length > 0) this.publish(showtimeId, restored.version, 'restore', bookedChanges(restored.seats));
      })().finally(() => this.restoring.delete(showtimeId));
      this.restoring.set(showtimeId, running);
    }
    return running;
  }


  private async cachedShowtime(showtimeId: string): Promise<CachedShowtime> {
    if (typeof showtimeId !== 'string' || !SHOWTIME_ID_PATTERN.test(showtimeId)) {
      throw new BoxofficeError('SHOWTIME_NOT_FOUND', `showtime ${JSON.stringify(showtimeId)} does not exist`, { showtimeId });
    }
    let cached = this.showtimes.get(showtimeId);
    if (!cached) {
      const showtime = await this.deps.repository.getShowtime(showtimeId);
      if (!showtime) throw new BoxofficeError('SHOWTIME_NOT_FOUND', { showtimeId });
      cached = { showtime, seats: new Map(seatsOf(showtime.layout).map((s) => [s.id, s])) };
      this.showtimes.set(showtimeId, cached);
    }
    return cached;
  }

  private publish(showtimeId: string, version: number, cause: SeatChangeCause, changes: SeatChange[]): void {
    if (changes.length === 0) return;
    this.deps.events.publish({ showtimeId, version, cause, changes });
  }
}

/** What became of a paid order's seats: booked (this booking), or someone else had them. */
export type PaidBooking = { outcome: 'booked'; booking: Booking } | { outcome: 'taken'; seats: SeatId[] };

export function showtimeOfHold(holdId: unknown): string {
  const match = typeof holdId === 'string' ? HOLD_ID_PATTERN.exec(holdId) : null;
  if (!match) throw new BoxofficeError('HOLD_NOT_FOUND', `hold ${JSON.stringify(holdId)} does not exist`, { holdId });
  return match[1]!;
}

/** A best-available request as the service takes it: every number in range, the defaults filled in. */
function checkBest(best: unknown, maxCount: number): { count: number; accessible: number; together: boolean } {
  if (typeof best !== 'object' || best === null) throw invalidInput('best must be an object like {"count": 2}', { field: 'best' });
  const { count, accessible = 0, together = true } = best as Record<string, unknown>;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > maxCount) {
    throw invalidInput(`best.count must be a whole number from 1 to ${maxCount}`, { field: 'best.count', limit: maxCount });
  }
  if (!Number.isInteger(accessible) || (accessible as number) < 0 || (accessible as number) > (count as number)) {
    throw invalidInput(`best.accessible must be a whole number from 0 to best.count (${count})`, { field: 'best.accessible' });
  }
  if (typeof together !== 'boolean') throw invalidInput('best.together must be true or false', { field: 'best.together' });
  return { count: count as number, accessible: accessible as number, together };
}

function checkOwner(owner: unknown): string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH) {
    throw invalidInput(`an owner is a non-empty string of at most ${MAX_OWNER_LENGTH} characters`);
  }
  return owner;
}

const heldChanges = (hold: Hold): SeatChange[] =>
  hold.seats.map((seat) => ({ seat, status: 'held', expiresAt: hold.expiresAt, owner: hold.owner, holdId: hold.id }));
const availableChanges = (seats: SeatId[]): SeatChange[] => seats.map((seat) => ({ seat, status: 'available' }));
/** Seats that became booked; with the booking's owner, so each viewer's delta says whether they are theirs. */
const bookedChanges = (seats: SeatId[], owner?: string): SeatChange[] => seats.map((seat) => ({ seat, status: 'booked', ...(owner !== undefined && { owner }) }));

/** True when two answers of seatStates list the same seats in the same states, in the same order. */
function sameTaken(a: TakenSeat[], b: TakenSeat[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.seat !== y.seat || x.status !== y.status || x.holdId !== y.holdId || x.owner !== y.owner || x.expiresAt !== y.expiresAt) return false;
  }
  return true;
}
