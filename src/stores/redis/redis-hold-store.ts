import { Redis, type Cluster } from 'ioredis';
import { connectRedis, redisUnavailable, type RedisOutages } from './connect.ts';
import type { Hold, TakenSeat } from '../../domain/booking.ts';
import { StoreCode, storeError } from '../../domain/errors.ts';
import type { HoldStore } from '../../domain/hold-store.ts';
import type { SeatId } from '../../domain/layout.ts';
import { EXPIRING_KEY, expiringMember, parseExpiringMember, showtimeBase } from './keys.ts';
import { defineScripts, runScript, type ScriptArg, type ScriptName } from './scripts.ts';

/** How long an expired hold is remembered, so a late confirm hears HOLD_EXPIRED rather than HOLD_NOT_FOUND. */
const TOMBSTONE_MS = 60 * 60 * 1000;
/** A stalled confirm is reported again after this long if nobody resolved it. */
const STALLED_RETRY_MS = 1000;

type ExpireDue = Awaited<ReturnType<HoldStore['expireDue']>>;

export interface RedisHoldStoreOptions {
  /** close() quits the client only when the store created it. */
  ownsClient?: boolean;
  /**
   * File expiries in the global index inside the step's script (atomic, no extra round trip). Only
   * a single Redis can: on a Cluster the index is in another slot, so it is written after the step.
   * Defaults to true for a single Redis, false for a Cluster.
   */
  indexInScript?: boolean;
}

/**
 * Holds in Redis: one Lua script per operation, so each check and its write are one atomic step on
 * Redis's clock, in one round trip. Keys: keys.ts; scripts: commands/*.lua.
 */
export class RedisHoldStore implements HoldStore {
  readonly kind = 'redis';
  private readonly ownsClient: boolean;
  private readonly indexInScript: boolean;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisHoldStoreOptions = {},
  ) {
    defineScripts(client);
    this.ownsClient = options.ownsClient ?? false;
    this.indexInScript = options.indexInScript ?? !client.isCluster;
  }

  async hold(req: Parameters<HoldStore['hold']>[0]) {
    const reply = await this.stepAndIndex('holdSeats', req.showtimeId, req.holdId, [
      req.holdId,
      req.owner,
      req.ttlMs,
      req.maxSeatsPerOwner,
      TOMBSTONE_MS,
      expiringMember(req.showtimeId, req.holdId),
      ...req.seats,
    ]);
    const code = int(reply[0]);
    if (code !== StoreCode.OK) {
      throw storeError(code, { showtimeId: req.showtimeId, seats: reply.slice(1).map(str), limit: req.maxSeatsPerOwner });
    }
    return { hold: holdFrom(req.showtimeId, req.holdId, req.owner, reply, 2), version: int(reply[1]) };
  }

  async extend(req: Parameters<HoldStore['extend']>[0]) {
    const reply = await this.stepAndIndex('extendHold', req.showtimeId, req.holdId, [
      req.holdId,
      req.owner,
      req.ttlMs,
      req.maxLifeMs,
      TOMBSTONE_MS,
      expiringMember(req.showtimeId, req.holdId),
    ]);
    this.check(reply, req);
    return { hold: holdFrom(req.showtimeId, req.holdId, req.owner, reply, 2), version: int(reply[1]) };
  }

  async release(req: Parameters<HoldStore['release']>[0]) {
    const reply = await this.run('releaseHold', req.showtimeId, [req.holdId, req.owner]);
    this.check(reply, req);
    return seatsChanged(reply);
  }

  async beginConfirm(req: Parameters<HoldStore['beginConfirm']>[0]) {
    const reply = await this.stepAndIndex('beginConfirm', req.showtimeId, req.holdId, [
      req.holdId,
      req.owner,
      req.graceMs,
      expiringMember(req.showtimeId, req.holdId),
    ]);
    this.check(reply, req);
    return holdFrom(req.showtimeId, req.holdId, req.owner, reply, 1);
  }

  async completeConfirm(req: Parameters<HoldStore['completeConfirm']>[0]) {
    const reply = await this.run('completeConfirm', req.showtimeId, [req.holdId]);
    this.check(reply, req);
    return seatsChanged(reply);
  }

  async abortConfirm(req: Parameters<HoldStore['abortConfirm']>[0]) {
    const reply = await this.run('freeHoldIn', req.showtimeId, [req.holdId, 'confirming']);
    this.check(reply, req);
    return seatsChanged(reply);
  }

  async releaseBooking(req: Parameters<HoldStore['releaseBooking']>[0]) {
    const reply = await this.run('freeHoldIn', req.showtimeId, [req.bookingId, 'booked']);
    this.check(reply, req);
    return seatsChanged(reply);
  }

  async transferHolds(req: Parameters<HoldStore['transferHolds']>[0]) {
    const reply = await this.run('transferHolds', req.showtimeId, [req.fromOwner, req.toOwner, req.maxSeatsPerOwner]);
    const code = int(reply[0]);
    if (code !== StoreCode.OK) throw storeError(code, { showtimeId: req.showtimeId, limit: req.maxSeatsPerOwner });
    if (reply.length === 1) return null;
    const holds: Hold[] = [];
    for (let i = 2; i < reply.length; i += 5) holds.push(holdFrom(req.showtimeId, str(reply[i]), req.toOwner, reply, i + 1));
    return { holds, version: int(reply[1]) };
  }

  async seatStates(showtimeId: string) {
    const reply = await this.run('readSeats', showtimeId, []);
    this.check(reply, { showtimeId });
    const seats: TakenSeat[] = [];
    for (let i = 2; i < reply.length; i += 5) {
      const booked = str(reply[i + 1]) === 'booked';
      seats.push({
        seat: str(reply[i]),
        status: booked ? 'booked' : 'held',
        holdId: str(reply[i + 2]),
        owner: str(reply[i + 3]),
        expiresAt: booked ? null : int(reply[i + 4]),
      });
    }
    return { version: int(reply[1]), seats };
  }

  async getHold(showtimeId: string, holdId: string) {
    const reply = await this.run('getHold', showtimeId, [holdId]);
    this.check(reply, { showtimeId, holdId });
    return reply.length === 1 ? null : holdFrom(showtimeId, holdId, str(reply[1]), reply, 2);
  }

  async holdsOf(showtimeId: string, owner: string) {
    const reply = await this.run('ownerHolds', showtimeId, [owner]);
    this.check(reply, { showtimeId });
    const holds: Hold[] = [];
    for (let i = 1; i < reply.length; i += 5) holds.push(holdFrom(showtimeId, str(reply[i]), owner, reply, i + 1));
    // A set has no order; oldest first is what a person expects to see.
    return holds.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async restore(showtimeId: string, bookings: Parameters<HoldStore['restore']>[1]) {
    const args = bookings.flatMap((b) => [b.bookingId, b.owner, b.seats.join(',')]);
    const reply = await this.run('restoreShowtime', showtimeId, args);
    this.check(reply, { showtimeId });
    return { seats: reply.slice(2).map(str), version: int(reply[1]) };
  }

  /**
   * One sweep: reads the due entries of the global index, lets each showtime's expireHolds script
   * judge its holds (it is the arbiter when several instances sweep at once, so each expiry is
   * reported once), then settles the entries it read. Round trips: one to read, one per showtime
   * (sent together), one to settle. A showtime whose step fails keeps its entries, so the next
   * sweep retries it, and does not cost the other showtimes their reports.
   */
  async expireDue(limit: number): Promise<ExpireDue> {
    const due = list(await runScript(this.client, 'collectDue', [EXPIRING_KEY], [limit]), 'collectDue');
    const byShowtime = new Map<string, { member: string; score: string; holdId: string }[]>();
    const settle: ScriptArg[] = [];
    for (let i = 0; i < due.length; i += 2) {
      const member = str(due[i]);
      const score = str(due[i + 1]);
      const parsed = parseExpiringMember(member);
      if (!parsed) {
        settle.push(member, score, '');
        continue;
      }
      let entries = byShowtime.get(parsed.showtimeId);
      if (!entries) byShowtime.set(parsed.showtimeId, (entries = []));
      entries.push({ member, score, holdId: parsed.holdId });
    }

    const expired: ExpireDue['expired'] = [];
    const stalled: ExpireDue['stalled'] = [];
    const sweeps = await Promise.allSettled(
      [...byShowtime].map(async ([showtimeId, entries]) => {
        const reply = await this.run('expireHolds', showtimeId, [TOMBSTONE_MS, STALLED_RETRY_MS, ...entries.map((e) => e.holdId)]);
        if (int(reply[0]) === StoreCode.NOT_LOADED) {
          // Redis lost the showtime: none of its holds exists any more, so nothing is due.
          for (const e of entries) settle.push(e.member, e.score, '');
          return;
        }
        this.check(reply, { showtimeId });
        entries.forEach((entry, i) => {
          const outcome = list(reply[i + 1], 'expireHolds');
          const { holdId } = entry;
          switch (str(outcome[0])) {
            case 'e': {
              const seats = str(outcome[3]);
              expired.push({ showtimeId, holdId, seats: seats ? seats.split(',') : [], version: int(outcome[2]) });
              settle.push(entry.member, entry.score, '');
              break;
            }
            case 's':
              stalled.push({ showtimeId, holdId });
              settle.push(entry.member, entry.score, int(outcome[2]));
              break;
            case 'l':
              settle.push(entry.member, entry.score, int(outcome[2]));
              break;
            default:
              settle.push(entry.member, entry.score, '');
          }
        });
      }),
    );
    if (settle.length > 0) await runScript(this.client, 'settleExpiring', [EXPIRING_KEY], settle);
    const failed = sweeps.find((s) => s.status === 'rejected');
    if (failed && expired.length + stalled.length === 0) throw failed.reason;
    return { expired, stalled };
  }

  async ping() {
    await this.client.ping().catch((e: unknown) => {
      throw redisUnavailable(e);
    });
  }

  async close() {
    if (this.ownsClient) await this.client.quit();
  }

  private async run(name: ScriptName, showtimeId: string, args: ScriptArg[]): Promise<unknown[]> {
    return list(await runScript(this.client, name, [showtimeBase(showtimeId)], args), name);
  }

  /**
   * Runs a step that may leave a hold live with a new expiry (hold, extend, beginConfirm); the
   * expiry must reach the global index the sweeper reads. On a single Redis the script files it
   * itself (KEYS[2]): one round trip, atomic with the step. On a Cluster the index is in another
   * slot, so a successful step is followed by ZADD LT: a second round trip, and LT because two of
   * them may arrive out of order (the sweeper then finds the real expiry in the hold and moves the
   * entry there).
   */
  private async stepAndIndex(name: ScriptName, showtimeId: string, holdId: string, args: ScriptArg[]): Promise<unknown[]> {
    const base = showtimeBase(showtimeId);
    if (this.indexInScript) return list(await runScript(this.client, name, [base, EXPIRING_KEY], args), name);
    const reply = list(await runScript(this.client, name, [base], args), name);
    const state = reply[0] === StoreCode.OK ? reply[reply.length - 1] : undefined;
    if (state === 'held' || state === 'confirming') {
      const expiresAt = int(reply[reply.length - 2]);
      // The step has happened, so a failure here must not turn its answer into an error: lazy
      // expiry keeps the seats right without the index; only this expiry's announcement is lost.
      await this.client.zadd(EXPIRING_KEY, 'LT', expiresAt, expiringMember(showtimeId, holdId)).catch(() => undefined);
    }
    return reply;
  }

  /** Throws the store error of a script's result code, if it is not OK. */
  private check(reply: unknown[], ctx: { showtimeId: string; holdId?: string }): void {
    const code = int(reply[0]);
    if (code !== StoreCode.OK) throw storeError(code, ctx);
  }
}

/** A store on a client of its own; every key under `keyPrefix`, which must not contain `{`. */
export async function openRedisHoldStore(options: { url: string; keyPrefix?: string; outages?: RedisOutages }): Promise<RedisHoldStore> {
  return new RedisHoldStore(await connectRedis(options.url, options.keyPrefix, options.outages), { ownsClient: true });
}

/** `{ OK, version, seat... }` -> the seats and version; `{ OK }` -> null (nothing changed). */
function seatsChanged(reply: unknown[]): { seats: SeatId[]; version: number } | null {
  return reply.length === 1 ? null : { seats: reply.slice(2).map(str), version: int(reply[1]) };
}

/** A hold from a script reply whose fields from `at` are seatsCsv, createdAt, expiresAt, state. */
function holdFrom(showtimeId: string, id: string, owner: string, reply: unknown[], at: number): Hold {
  return {
    id,
    showtimeId,
    owner,
    seats: str(reply[at]).split(','),
    createdAt: int(reply[at + 1]),
    expiresAt: int(reply[at + 2]),
    state: holdState(reply[at + 3]),
  };
}

function holdState(value: unknown): Hold['state'] {
  if (value === 'held' || value === 'confirming' || value === 'booked') return value;
  throw new Error(`unexpected hold state ${String(value)} from Redis`);
}

function list(reply: unknown, script: string): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected reply from Redis script ${script}: ${String(reply)}`);
  return reply;
}

function int(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw new Error(`expected an integer from Redis, got ${String(value)}`);
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new Error(`expected a string from Redis, got ${String(value)}`);
}
