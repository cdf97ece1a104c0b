import type { Hold, TakenSeat } from '../../domain/booking.ts';
import { StoreCode, storeError } from '../../domain/errors.ts';
import type { HoldStore } from '../../domain/hold-store.ts';
import type { SeatId } from '../../domain/layout.ts';
import { MinHeap } from './min-heap.ts';

/** How long an expired hold is remembered, so a late confirm hears HOLD_EXPIRED rather than HOLD_NOT_FOUND. */
const EXPIRED_MEMORY_MS = 60 * 60 * 1000;
/** A stalled confirm is reported again after this long if nobody resolved it. */
const STALLED_RETRY_MS = 1000;

interface ShowtimeState {
  version: number;
  /** Seat -> the hold that last took it. A `held` hold past its expiry no longer counts. */
  seats: Map<SeatId, Hold>;
  holds: Map<string, Hold>;
  /** Owner -> ids of their live holds, for the per-owner limit. */
  byOwner: Map<string, Set<string>>;
  /** Hold id -> { owner, expiredAt } of holds that ran out. */
  expired: Map<string, { owner: string; at: number }>;
}

/**
 * The embedded default. Node runs JavaScript on one thread, so each method below is atomic as long
 * as it never awaits between its check and its write: none of them awaits at all.
 */
export class MemoryHoldStore implements HoldStore {
  readonly kind = 'memory';
  private readonly showtimes = new Map<string, ShowtimeState>();
  private readonly expiries = new MinHeap<{ showtimeId: string; holdId: string }>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async hold(req: Parameters<HoldStore['hold']>[0]) {
    const st = this.state(req.showtimeId);
    const now = this.now();
    const taken = req.seats.filter((seat) => isTaken(st.seats.get(seat), now));
    if (taken.length > 0) throw storeError(StoreCode.SEAT_UNAVAILABLE, { showtimeId: req.showtimeId, seats: taken });
    if (this.seatsHeldBy(st, req.owner, now) + req.seats.length > req.maxSeatsPerOwner) {
      throw storeError(StoreCode.HOLD_LIMIT_EXCEEDED, { showtimeId: req.showtimeId, limit: req.maxSeatsPerOwner });
    }
    const hold: Hold = {
      id: req.holdId,
      showtimeId: req.showtimeId,
      owner: req.owner,
      seats: [...req.seats],
      createdAt: now,
      expiresAt: now + req.ttlMs,
      state: 'held',
    };
    for (const seat of hold.seats) st.seats.set(seat, hold);
    st.holds.set(hold.id, hold);
    let owned = st.byOwner.get(hold.owner);
    if (!owned) st.byOwner.set(hold.owner, (owned = new Set()));
    owned.add(hold.id);
    this.expiries.push(hold.expiresAt, { showtimeId: hold.showtimeId, holdId: hold.id });
    return { hold: { ...hold, seats: [...hold.seats] }, version: ++st.version };
  }

  async extend(req: Parameters<HoldStore['extend']>[0]) {
    const st = this.state(req.showtimeId);
    const now = this.now();
    const hold = this.ownedHold(st, req);
    if (hold.state !== 'held') throw storeError(StoreCode.HOLD_CONFIRMED, req);
    if (hold.expiresAt <= now) throw storeError(StoreCode.HOLD_EXPIRED, req);
    // No new expiry entry: the hold's earlier entry reschedules it when it comes due (expireDue),
    // so a hold has a bounded number of entries however often it is extended.
    hold.expiresAt = Math.max(hold.expiresAt, Math.min(now + req.ttlMs, hold.createdAt + req.maxLifeMs));
    return { hold: copy(hold), version: ++st.version };
  }

  async release(req: Parameters<HoldStore['release']>[0]) {
    const st = this.state(req.showtimeId);
    const hold = st.holds.get(req.holdId);
    if (!hold) {
      const gone = st.expired.get(req.holdId);
      if (gone && gone.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
      return null;
    }
    if (hold.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
    if (hold.state !== 'held') throw storeError(StoreCode.HOLD_CONFIRMED, req);
    return this.free(st, hold);
  }

  async beginConfirm(req: Parameters<HoldStore['beginConfirm']>[0]) {
    const st = this.state(req.showtimeId);
    const now = this.now();
    const hold = this.ownedHold(st, req);
    if (hold.state === 'held') {
      if (hold.expiresAt <= now) throw storeError(StoreCode.HOLD_EXPIRED, req);
      hold.state = 'confirming';
      hold.expiresAt = now + req.graceMs;
      this.expiries.push(hold.expiresAt, { showtimeId: hold.showtimeId, holdId: hold.id });
    }
    return copy(hold);
  }

  async completeConfirm(req: Parameters<HoldStore['completeConfirm']>[0]) {
    const st = this.state(req.showtimeId);
    const hold = st.holds.get(req.holdId);
    if (!hold || hold.state !== 'confirming') return null;
    hold.state = 'booked';
    this.forgetOwned(st, hold);
    // The booking is durable: it wins over anything the store believes about these seats.
    for (const seat of hold.seats) st.seats.set(seat, hold);
    return { seats: [...hold.seats], version: ++st.version };
  }

  async abortConfirm(req: Parameters<HoldStore['abortConfirm']>[0]) {
    const st = this.state(req.showtimeId);
    const hold = st.holds.get(req.holdId);
    if (!hold || hold.state !== 'confirming') return null;
    return this.free(st, hold);
  }

  async releaseBooking(req: Parameters<HoldStore['releaseBooking']>[0]) {
    const st = this.state(req.showtimeId);
    const hold = st.holds.get(req.bookingId);
    if (!hold || hold.state !== 'booked') return null;
    return this.free(st, hold);
  }

  async transferHolds(req: Parameters<HoldStore['transferHolds']>[0]) {
    const st = this.state(req.showtimeId);
    const now = this.now();
    const moving = [...(st.byOwner.get(req.fromOwner) ?? [])].map((id) => st.holds.get(id)!).filter((h) => h.state === 'held' && h.expiresAt > now);
    if (moving.length === 0 || req.fromOwner === req.toOwner) return null;
    const seats = moving.reduce((n, h) => n + h.seats.length, 0);
    if (this.seatsHeldBy(st, req.toOwner, now) + seats > req.maxSeatsPerOwner) {
      throw storeError(StoreCode.HOLD_LIMIT_EXCEEDED, { showtimeId: req.showtimeId, limit: req.maxSeatsPerOwner });
    }
    let owned = st.byOwner.get(req.toOwner);
    if (!owned) st.byOwner.set(req.toOwner, (owned = new Set()));
    for (const hold of moving) {
      this.forgetOwned(st, hold);
      // The seat map points at the hold object itself, so its seats change hands with it.
      hold.owner = req.toOwner;
      owned.add(hold.id);
    }
    return { holds: moving.map(copy), version: ++st.version };
  }

  async seatStates(showtimeId: string) {
    const st = this.state(showtimeId);
    const now = this.now();
    const seats: TakenSeat[] = [];
    for (const [seat, hold] of st.seats) {
      if (!isTaken(hold, now)) continue;
      const booked = hold.state === 'booked';
      seats.push({
        seat,
        status: booked ? 'booked' : 'held',
        holdId: hold.id,
        owner: hold.owner,
        expiresAt: booked ? null : hold.expiresAt,
      });
    }
    return { version: st.version, seats };
  }

  async getHold(showtimeId: string, holdId: string) {
    const hold = this.state(showtimeId).holds.get(holdId);
    return hold ? copy(hold) : null;
  }

  async holdsOf(showtimeId: string, owner: string) {
    const st = this.state(showtimeId);
    const now = this.now();
    return [...(st.byOwner.get(owner) ?? [])]
      .map((id) => st.holds.get(id)!)
      .filter((h) => h.state !== 'held' || h.expiresAt > now)
      .map(copy);
  }

  async restore(showtimeId: string, bookings: Parameters<HoldStore['restore']>[1]) {
    let st = this.showtimes.get(showtimeId);
    if (!st) {
      // Versions only grow, also across a restart that lost the store: start from the clock.
      st = { version: this.now(), seats: new Map(), holds: new Map(), byOwner: new Map(), expired: new Map() };
      this.showtimes.set(showtimeId, st);
    }
    const changed: SeatId[] = [];
    for (const b of bookings) {
      const existing = st.holds.get(b.bookingId);
      if (existing?.state === 'booked') continue;
      const hold: Hold = { id: b.bookingId, showtimeId, owner: b.owner, seats: [...b.seats], createdAt: this.now(), expiresAt: 0, state: 'booked' };
      if (existing) this.forgetOwned(st, existing);
      st.holds.set(hold.id, hold);
      for (const seat of hold.seats) {
        st.seats.set(seat, hold);
        changed.push(seat);
      }
    }
    return { seats: changed, version: changed.length > 0 ? ++st.version : st.version };
  }

  async expireDue(limit: number) {
    const now = this.now();
    const expired: Awaited<ReturnType<HoldStore['expireDue']>>['expired'] = [];
    const stalled: Awaited<ReturnType<HoldStore['expireDue']>>['stalled'] = [];
    while (expired.length + stalled.length < limit && (this.expiries.peekKey() ?? Infinity) <= now) {
      const { showtimeId, holdId } = this.expiries.pop()!;
      const st = this.showtimes.get(showtimeId);
      const hold = st?.holds.get(holdId);
      // Entries outlive extends and releases: act only on a hold whose current expiry has passed,
      // and move the entry of an extended hold to its new expiry.
      if (!st || !hold) continue;
      if (hold.expiresAt > now) {
        if (hold.state === 'held') this.expiries.push(hold.expiresAt, { showtimeId, holdId });
        continue;
      }
      if (hold.state === 'held') {
        const { seats, version } = this.free(st, hold);
        st.expired.set(holdId, { owner: hold.owner, at: now });
        expired.push({ showtimeId, holdId, seats, version });
      } else if (hold.state === 'confirming') {
        stalled.push({ showtimeId, holdId });
        this.expiries.push(now + STALLED_RETRY_MS, { showtimeId, holdId });
      }
    }
    this.forgetOldExpiries(now);
    return { expired, stalled };
  }

  /** Entries in the expiry queue (one per live hold, plus stalled confirms): bounded by the holds. */
  get pendingExpiries(): number {
    return this.expiries.size;
  }

  async ping() {}

  async close() {
    this.showtimes.clear();
  }

  private state(showtimeId: string): ShowtimeState {
    const st = this.showtimes.get(showtimeId);
    if (!st) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
    return st;
  }

  private ownedHold(st: ShowtimeState, req: { showtimeId: string; holdId: string; owner: string }): Hold {
    const hold = st.holds.get(req.holdId);
    if (!hold) {
      const gone = st.expired.get(req.holdId);
      if (!gone) throw storeError(StoreCode.HOLD_NOT_FOUND, req);
      throw storeError(gone.owner === req.owner ? StoreCode.HOLD_EXPIRED : StoreCode.NOT_HOLD_OWNER, req);
    }
    if (hold.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
    return hold;
  }

  private seatsHeldBy(st: ShowtimeState, owner: string, now: number): number {
    let count = 0;
    for (const id of st.byOwner.get(owner) ?? []) {
      const hold = st.holds.get(id)!;
      if (hold.state !== 'held' || hold.expiresAt > now) count += hold.seats.length;
    }
    return count;
  }

  /** Frees the seats that still belong to the hold (an expired hold may have lost some already). */
  private free(st: ShowtimeState, hold: Hold): { seats: SeatId[]; version: number } {
    const seats = hold.seats.filter((seat) => st.seats.get(seat) === hold);
    for (const seat of seats) st.seats.delete(seat);
    st.holds.delete(hold.id);
    this.forgetOwned(st, hold);
    return { seats, version: ++st.version };
  }

  private forgetOwned(st: ShowtimeState, hold: Hold): void {
    const owned = st.byOwner.get(hold.owner);
    owned?.delete(hold.id);
    if (owned?.size === 0) st.byOwner.delete(hold.owner);
  }

  private forgetOldExpiries(now: number): void {
    for (const st of this.showtimes.values()) {
      for (const [id, gone] of st.expired) {
        if (now - gone.at < EXPIRED_MEMORY_MS) break; // insertion order is expiry order
        st.expired.delete(id);
      }
    }
  }
}

function isTaken(hold: Hold | undefined, now: number): hold is Hold {
  return hold !== undefined && (hold.state !== 'held' || hold.expiresAt > now);
}

function copy(hold: Hold): Hold {
  return { ...hold, seats: [...hold.seats] };
}
