import { randomBytes } from 'node:crypto';
import type { Logger } from '../booking/booking-service.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import './lab-errors.ts'; // registers LAB_MODE_UNAVAILABLE
import { LAB_SHOWTIMES, labSeatsOf, type LabShowtime } from './lab-catalog.ts';
import { LAB_EXPLANATIONS, LAST_LINE } from './lab-explanations.ts';
import { forUpdateMode, LAB_LOCK_TTL_MS, LAB_MODES, lockMode, optimisticMode, unsafeMode, type LabMode, type LabModeName, type LabPhaseName } from './lab-modes.ts';
import type { LabAnomaly, LabBookingRow, LabDatabase, LabLock, LabLocks, LabSeatRow } from './lab-ports.ts';

export interface LabServiceDeps {
  db: LabDatabase;
  memoryLocks: LabLocks;
  /** null when REDIS_URL is not set or Redis did not answer; `redisUnavailable` says which. */
  redisLocks: LabLocks | null;
  redisUnavailable?: string;
  log?: Logger;
}

export interface LabModeInfo {
  name: LabModeName;
  title: string;
  safe: boolean;
  available: boolean;
  /** Why the mode cannot run here. */
  reason?: string;
  /** Where its locks and rows live on this server. */
  store: string;
  explanation: string;
}

export interface AttemptResult {
  buyer: string;
  seats: string[];
  outcome: 'won' | 'refused' | 'error';
  reason?: string;
  bookingId?: string;
  retries?: number;
  ms: number;
}

export interface LabEvent {
  at: number;
  event: string;
  mode?: string;
  buyer?: string;
  seats?: string[];
  outcome?: string;
  reason?: string;
  ms?: number;
  /** An attempt's start (epoch ms) and the phases it went through, in ms from that start. */
  startedAt?: number;
  phases?: { phase: LabPhaseName; atMs: number }[];
  [key: string]: unknown;
}

export interface StressSummary {
  showtime: string;
  mode: LabModeName;
  buyers: number;
  seats: string[];
  seatsPerBuyer: number;
  delayMs: number;
  won: number;
  refused: number;
  errors: number;
  /** Bookings of these seats beyond the first, per seat, summed: 0 unless something double-sold. */
  duplicateBookings: number;
  bookings: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  elapsedMs: number;
}

export interface LabState {
  showtime: string;
  at: number;
  locks: { memory: LabLock[]; redis: LabLock[] | null };
  seats: LabSeatRow[];
  bookings: { rows: LabBookingRow[]; total: number };
  anomalies: LabAnomaly[];
  log: LabEvent[];
}

/**
 * What one request may ask of the lab. A stress runs alone (LAB_BUSY while one runs), and single
 * bookings and races share `maxAttemptsInFlight`: the lab's work at any moment is bounded, and it
 * runs on the lab's own database connections (lab-db.ts), so it cannot starve the booking path.
 */
export const LAB_LIMITS = { maxSeatsPerBuyer: 6, maxDelayMs: 2_000, maxRaceBuyers: 10, maxStressBuyers: 1_000, maxAttemptsInFlight: 100, defaultDelayMs: 100 } as const;
const BUYER = /^[a-z0-9][a-z0-9-]{0,31}$/;
const LOG_SIZE = 200;
const BOOKINGS_SHOWN = 100;

/**
 * The Concurrency Lab: books seats of its own showtimes through one of several modes, each a real
 * code path against a real store, and reports what happened (anomalies, outcomes, latencies). It
 * only ever writes the lab's own database and keys (src/lab/stores).
 */
export class LabService {
  private readonly modes = new Map<LabModeName, LabMode>();
  private readonly events: LabEvent[] = [];
  private readonly listeners = new Set<(showtimeId: string) => void>();
  private stressRunning = false;
  private attemptsInFlight = 0;

  constructor(private readonly deps: LabServiceDeps) {
    const { db, memoryLocks, redisLocks } = deps;
    for (const mode of [unsafeMode(db), lockMode('memory-lock', memoryLocks, db), forUpdateMode(db), optimisticMode(db)]) this.modes.set(mode.name, mode);
    if (redisLocks) this.modes.set('redis-lock', lockMode('redis-lock', redisLocks, db));
  }

  /** Creates the lab showtimes' seat rows. */
  async init(): Promise<void> {
    for (const st of LAB_SHOWTIMES) await this.deps.db.prepare(st.id, labSeatsOf(st));
  }

  describe(): { showtimes: readonly LabShowtime[]; modes: LabModeInfo[]; limits: typeof LAB_LIMITS; lockTtlMs: number; lastLine: string } {
    const database = this.deps.db.kind === 'server' ? 'PostgreSQL server' : 'PGlite (embedded PostgreSQL)';
    const stores: Record<LabModeName, string> = {
      unsafe: `${database}: lab_seats, lab_bookings`,
      'memory-lock': `locks in this process's memory; bookings in ${database}`,
      'redis-lock': `locks in Redis; bookings in ${database}`,
      'for-update': `${database}: lab_seats rows`,
      optimistic: `${database}: lab_seats.version`,
    };
    const modes = LAB_MODES.map((name): LabModeInfo => {
      const available = this.modes.has(name);
      const { title, safe, text } = LAB_EXPLANATIONS[name];
      const pglite = this.deps.db.kind === 'pglite' && name === 'for-update' ? ` ${LAB_EXPLANATIONS.pgliteNote}` : '';
      return {
        name,
        title,
        safe,
        available,
        ...(!available && { reason: this.deps.redisUnavailable ?? 'REDIS_URL is not set' }),
        store: stores[name],
        explanation: text + pglite,
      };
    });
    return { showtimes: LAB_SHOWTIMES, modes, limits: LAB_LIMITS, lockTtlMs: LAB_LOCK_TTL_MS, lastLine: LAST_LINE };
  }

  /** One buyer books seats in one mode. A refusal is an outcome, not an error. */
  async attempt(req: { showtime: string; mode: string; buyer: string; seats: string[]; delayMs?: number }): Promise<AttemptResult> {
    const showtime = this.showtime(req.showtime);
    const mode = this.mode(req.mode);
    const seats = this.seats(showtime, req.seats);
    const buyer = this.buyer(req.buyer);
    const delayMs = this.delay(req.delayMs);
    const result = await this.bounded(1, () => this.run(mode, showtime.id, buyer, seats, delayMs));
    this.changed(showtime.id);
    return result;
  }

  /** Several buyers fire at the same instant (Promise.all of real attempts). */
  async race(req: { showtime: string; mode: string; delayMs?: number; buyers: { buyer: string; seats: string[] }[] }): Promise<AttemptResult[]> {
    const showtime = this.showtime(req.showtime);
    const mode = this.mode(req.mode);
    const delayMs = this.delay(req.delayMs);
    if (!Array.isArray(req.buyers) || req.buyers.length < 1 || req.buyers.length > LAB_LIMITS.maxRaceBuyers) {
      throw invalidInput(`a race has 1 to ${LAB_LIMITS.maxRaceBuyers} buyers`);
    }
    const buyers = req.buyers.map((b) => ({ buyer: this.buyer(b.buyer), seats: this.seats(showtime, b.seats) }));
    if (new Set(buyers.map((b) => b.buyer)).size !== buyers.length) throw invalidInput('each buyer of a race has its own name');
    this.record({ event: 'race.start', mode: mode.name, buyers: buyers.map((b) => b.buyer), delayMs });
    const results = await this.bounded(buyers.length, () => Promise.all(buyers.map((b) => this.run(mode, showtime.id, b.buyer, b.seats, delayMs))));
    this.changed(showtime.id);
    return results;
  }

  /** N buyers at once against a few seats: buyer i wants `seatsPerBuyer` seats from seat i on (cyclically). */
  async stress(req: { showtime: string; mode: string; buyers: number; seats: string[]; seatsPerBuyer?: number; delayMs?: number; reset?: boolean }): Promise<StressSummary> {
    const showtime = this.showtime(req.showtime);
    const mode = this.mode(req.mode);
    const delayMs = this.delay(req.delayMs);
    const seats = this.seats(showtime, req.seats);
    const perBuyer = req.seatsPerBuyer ?? 1;
    if (!Number.isInteger(req.buyers) || req.buyers < 1 || req.buyers > LAB_LIMITS.maxStressBuyers) throw invalidInput(`buyers must be 1 to ${LAB_LIMITS.maxStressBuyers}`);
    if (!Number.isInteger(perBuyer) || perBuyer < 1 || perBuyer > seats.length) throw invalidInput(`seatsPerBuyer must be 1 to ${seats.length} (the seats given)`);
    if (this.stressRunning) throw new BoxofficeError('LAB_BUSY', 'the lab is busy: a stress is running, and it runs one at a time');
    this.stressRunning = true;
    try {
      return await this.runStress(showtime, mode, req.buyers, seats, perBuyer, delayMs, req.reset ?? true);
    } finally {
      this.stressRunning = false;
    }
  }

  private async runStress(showtime: LabShowtime, mode: LabMode, buyers: number, seats: string[], perBuyer: number, delayMs: number, reset: boolean): Promise<StressSummary> {
    if (reset) await this.resetShowtime(showtime);
    this.record({ event: 'stress.start', mode: mode.name, buyers, seats, seatsPerBuyer: perBuyer, delayMs });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: buyers }, (_, i) => {
        const wanted = Array.from({ length: perBuyer }, (_, k) => seats[(i + k) % seats.length]!).sort();
        return this.run(mode, showtime.id, `buyer-${i + 1}`, wanted, delayMs);
      }),
    );
    const elapsedMs = round(performance.now() - started);
    const anomalies = (await this.deps.db.anomalies(showtime.id)).filter((a) => seats.includes(a.seat));
    const { total } = await this.deps.db.bookings(showtime.id, 0);
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const count = (o: AttemptResult['outcome']) => results.filter((r) => r.outcome === o).length;
    const summary: StressSummary = {
      showtime: showtime.id,
      mode: mode.name,
      buyers,
      seats,
      seatsPerBuyer: perBuyer,
      delayMs,
      won: count('won'),
      refused: count('refused'),
      errors: count('error'),
      duplicateBookings: anomalies.reduce((sum, a) => sum + a.bookings.length - 1, 0),
      bookings: total,
      latencyMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
      elapsedMs,
    };
    const { latencyMs, ...rest } = summary;
    this.record({ event: 'stress.done', ...rest, p99: latencyMs.p99 }, true);
    this.changed(showtime.id);
    return summary;
  }

  async reset(showtimeId: string): Promise<void> {
    const showtime = this.showtime(showtimeId);
    await this.resetShowtime(showtime);
    this.changed(showtime.id);
  }

  async anomalies(showtimeId: string): Promise<LabAnomaly[]> {
    return this.deps.db.anomalies(this.showtime(showtimeId).id);
  }

  async state(showtimeId: string): Promise<LabState> {
    const showtime = this.showtime(showtimeId);
    const all = labSeatsOf(showtime);
    const [memory, redis, seats, bookings, anomalies] = await Promise.all([
      this.deps.memoryLocks.read(showtime.id, all),
      this.deps.redisLocks ? this.deps.redisLocks.read(showtime.id, all) : null,
      this.deps.db.seats(showtime.id),
      this.deps.db.bookings(showtime.id, BOOKINGS_SHOWN),
      this.deps.db.anomalies(showtime.id),
    ]);
    return { showtime: showtime.id, at: Date.now(), locks: { memory, redis }, seats, bookings, anomalies, log: this.events.slice(-50) };
  }

  /** True for the lab's own showtimes only. */
  isLabShowtime(showtimeId: string): boolean {
    return LAB_SHOWTIMES.some((s) => s.id === showtimeId);
  }

  /** Calls `listener` with the showtime id after every change; returns the unsubscribe. */
  onChange(listener: (showtimeId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.deps.memoryLocks.close();
    await this.deps.redisLocks?.close();
  }

  private async run(mode: LabMode, showtimeId: string, buyer: string, seats: string[], delayMs: number): Promise<AttemptResult> {
    const bookingId = `${buyer}-${randomBytes(4).toString('hex')}`;
    const startedAt = Date.now();
    const started = performance.now();
    const phases: { phase: LabPhaseName; atMs: number }[] = [];
    const mark = (phase: LabPhaseName) => void phases.push({ phase, atMs: round(performance.now() - started) });
    let result: AttemptResult;
    try {
      const outcome = await mode.book({ showtimeId, seats, buyer, bookingId, mode: mode.name, delayMs, mark });
      const ms = round(performance.now() - started);
      const retries = outcome.retries ? { retries: outcome.retries } : {};
      result = outcome.won ? { buyer, seats, outcome: 'won', bookingId, ms, ...retries } : { buyer, seats, outcome: 'refused', reason: outcome.reason, ms, ...retries };
    } catch (e) {
      // A lab attempt that fails is an outcome to count (a deadlock would show up here), not a 500.
      this.deps.log?.error({ err: e, mode: mode.name, buyer, seats }, 'lab attempt failed');
      result = { buyer, seats, outcome: 'error', reason: e instanceof Error ? e.message.slice(0, 200) : 'unknown error', ms: round(performance.now() - started) };
    }
    const { seats: _s, ...fields } = result;
    this.record({ event: `attempt.${result.outcome}`, mode: mode.name, seats, ...fields, startedAt, phases });
    this.changed(showtimeId);
    return result;
  }

  /** Runs `n` attempts of a booking or a race, or refuses them when the lab already runs its share. */
  private async bounded<T>(n: number, fn: () => Promise<T>): Promise<T> {
    if (this.attemptsInFlight + n > LAB_LIMITS.maxAttemptsInFlight) {
      throw new BoxofficeError('LAB_BUSY', `the lab is busy: ${this.attemptsInFlight} attempts are in flight, at most ${LAB_LIMITS.maxAttemptsInFlight} at once besides a stress`);
    }
    this.attemptsInFlight += n;
    try {
      return await fn();
    } finally {
      this.attemptsInFlight -= n;
    }
  }

  private async resetShowtime(showtime: LabShowtime): Promise<void> {
    const seats = labSeatsOf(showtime);
    await Promise.all([this.deps.db.reset(showtime.id), this.deps.memoryLocks.clear(showtime.id, seats), this.deps.redisLocks?.clear(showtime.id, seats)]);
    this.record({ event: 'reset', showtime: showtime.id }, true);
  }

  /** Keeps the event for the log panel; summaries also go to the server's log. */
  private record(event: { event: string; [key: string]: unknown }, toServerLog = false): void {
    const entry: LabEvent = { at: Date.now(), ...event };
    this.events.push(entry);
    if (this.events.length > LOG_SIZE) this.events.splice(0, this.events.length - LOG_SIZE);
    if (toServerLog || event.event === 'race.start') this.deps.log?.info({ lab: entry }, `lab ${event.event}`);
  }

  private changed(showtimeId: string): void {
    for (const listener of this.listeners) listener(showtimeId);
  }

  private showtime(id: unknown): LabShowtime {
    const showtime = LAB_SHOWTIMES.find((s) => s.id === id);
    if (!showtime) {
      // The lab's isolation: whatever the id, only lab showtimes are ever touched.
      throw new BoxofficeError('SHOWTIME_NOT_FOUND', `showtime ${String(id)} is not a lab showtime; the lab books ${LAB_SHOWTIMES.map((s) => s.id).join(', ')} only`, {
        showtimeId: String(id),
      });
    }
    return showtime;
  }

  private mode(name: unknown): LabMode {
    if (!LAB_MODES.includes(name as LabModeName)) throw invalidInput(`mode must be one of ${LAB_MODES.join(', ')}`);
    const mode = this.modes.get(name as LabModeName);
    if (!mode) {
      const reason = this.deps.redisUnavailable ?? 'REDIS_URL is not set';
      throw new BoxofficeError('LAB_MODE_UNAVAILABLE', { mode: name, reason });
    }
    return mode;
  }

  private seats(showtime: LabShowtime, seats: unknown): string[] {
    if (!Array.isArray(seats) || seats.length < 1 || seats.length > LAB_LIMITS.maxSeatsPerBuyer) throw invalidInput(`give 1 to ${LAB_LIMITS.maxSeatsPerBuyer} seats`);
    if (new Set(seats).size !== seats.length) throw invalidInput('a seat is listed twice', { seats });
    const known = new Set(labSeatsOf(showtime));
    const unknown = seats.filter((s) => !known.has(s));
    if (unknown.length) throw new BoxofficeError('SEAT_NOT_FOUND', `${unknown.join(', ')} not in ${showtime.id}`, { seats: unknown });
    return [...(seats as string[])].sort();
  }

  private buyer(name: unknown): string {
    if (typeof name !== 'string' || !BUYER.test(name)) throw invalidInput(`a buyer name is 1 to 32 of a-z, 0-9 and -, not ${JSON.stringify(name)}`);
    return name;
  }

  private delay(ms: unknown): number {
    if (ms === undefined) return LAB_LIMITS.defaultDelayMs;
    if (!Number.isInteger(ms) || (ms as number) < 0 || (ms as number) > LAB_LIMITS.maxDelayMs) throw invalidInput(`delayMs must be an integer from 0 to ${LAB_LIMITS.maxDelayMs}`);
    return ms as number;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
