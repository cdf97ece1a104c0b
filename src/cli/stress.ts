import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HttpClient, percentile } from './http-client.ts';

export interface StressOptions {
  url: string;
  showtime: string;
  buyers: number;
  /** hot: everyone wants one seat; random: 1-3 random seats; row: two neighbours in one row. */
  target: 'hot' | 'random' | 'row';
  seat?: string;
  row?: string;
  durationMs: number;
  /** The operator owns a target that is not this machine. */
  ownTarget: boolean;
}

export interface StressResult {
  attempts: number;
  winners: number;
  conflicts: number;
  errors: number;
  bookedSeats: number;
  /** Seats sold twice, or sold but not booked in the final seat map: must stay empty. */
  problems: string[];
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  elapsedMs: number;
}

export const LIMITS = { buyers: 10_000, durationMs: 600_000 };

/** Loopback only, unless the operator says the target is theirs (they may load only what they own). */
export async function checkTarget(url: string, ownTarget: boolean): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const loopback = addresses.every((a) => a === '::1' || /^127\./.test(a) || a === '::ffff:127.0.0.1');
  if (!loopback && !ownTarget) {
    throw new Error(`${host} is not this machine (loopback); pass --i-own-the-target if you own ${url} and mean to load it`);
  }
}

/** The simulated gateway's card that always succeeds: a priced showtime is bought, not confirmed. */
const TEST_CARD = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: '123' };

/**
 * Simulated buyers: each takes a guest token, then holds and confirms (a free showtime) or checks out
 * and pays by the gateway's test card, waiting for the payment's outcome (a priced one), until the
 * time is up.
 */
export async function stress(o: StressOptions, progress: (line: string, done: boolean) => void = () => {}): Promise<StressResult> {
  if (!Number.isInteger(o.buyers) || o.buyers < 1 || o.buyers > LIMITS.buyers) throw new Error(`buyers must be 1 to ${LIMITS.buyers}`);
  if (!(o.durationMs > 0 && o.durationMs <= LIMITS.durationMs)) throw new Error(`duration must be above 0 and at most ${LIMITS.durationMs / 1000} s`);
  await checkTarget(o.url, o.ownTarget);
  const client = new HttpClient(o.url, Math.min(o.buyers, 512));
  try {
    const showtime = await client.request('GET', `/api/v1/showtimes/${encodeURIComponent(o.showtime)}`);
    if (showtime.status !== 200) throw new Error(`showtime ${o.showtime}: ${JSON.stringify(showtime.body)}`);
    const { layout, prices } = showtime.body as {
      layout: { rows: { label: string; seats: ({ id: string; blocked: boolean } | null)[] }[] };
      prices?: { standard: number; premium: number; accessible: number };
    };
    const priced = prices !== undefined && (prices.standard > 0 || prices.premium > 0 || prices.accessible > 0);
    const rows = layout.rows.map((r) => ({ label: r.label, seats: r.seats.filter((s) => s !== null && !s.blocked).map((s) => s!.id) }));
    const all = rows.flatMap((r) => r.seats);
    const hot = o.seat ?? all[Math.floor(all.length / 2)]!;
    const row = rows.find((r) => r.label === (o.row ?? rows[Math.floor(rows.length / 2)]!.label));
    if (o.target === 'hot' && !all.includes(hot)) throw new Error(`showtime ${o.showtime} has no seat ${hot} for sale`);
    if (o.target === 'row' && (!row || row.seats.length < 2)) throw new Error(`showtime ${o.showtime} has no row ${o.row} with two seats`);
    const pick = (): string[] => {
      if (o.target === 'hot') return [hot];
      if (o.target === 'row') {
        const i = Math.floor(Math.random() * (row!.seats.length - 1));
        return [row!.seats[i]!, row!.seats[i + 1]!];
      }
      const n = 1 + Math.floor(Math.random() * 3);
      const chosen = new Set<string>();
      while (chosen.size < Math.min(n, all.length)) chosen.add(all[Math.floor(Math.random() * all.length)]!);
      return [...chosen];
    };

    const r = { attempts: 0, winners: 0, conflicts: 0, errors: 0 };
    const latencies: number[] = [];
    const booked = new Map<string, string[]>(); // seat -> booking ids
    const started = performance.now();
    const deadline = started + o.durationMs;
    const line = () =>
      `${bar((performance.now() - started) / o.durationMs)} ${((performance.now() - started) / 1000).toFixed(1)}s/${o.durationMs / 1000}s  attempts ${r.attempts}  winners ${r.winners}  conflicts ${r.conflicts}  errors ${r.errors}`;
    const ticker = setInterval(() => progress(line(), false), 200);

    const confirm = async (token: string, holdId: string) => {
      const res = await client.request('POST', `/api/v1/holds/${encodeURIComponent(holdId)}/confirm`, { token });
      return res.status === 200 ? { bookingId: holdId, seats: (res.body as { seats: string[] }).seats } : null;
    };
    /** Checkout, payment, and the wait for the worker's outcome: the seats of a paid order, or null. */
    const buy = async (token: string, holdId: string) => {
      const order = await client.request('POST', `/api/v1/holds/${encodeURIComponent(holdId)}/checkout`, { token, body: { email: 'stress@example.com' } });
      if (order.status !== 201) return null;
      const orderId = (order.body as { id: string }).id;
      const pay = await client.request('POST', `/api/v1/orders/${encodeURIComponent(orderId)}/payments`, { token, body: { card: TEST_CARD } });
      if (pay.status !== 202) return null;
      for (const until = performance.now() + 60_000; performance.now() < until; ) {
        await new Promise((res) => setTimeout(res, 50));
        const now = await client.request('GET', `/api/v1/orders/${encodeURIComponent(orderId)}`, { token });
        const o = now.body as { state: string; bookingId: string | null; lines: { seat: string }[] };
        if (o.state === 'paid') return { bookingId: o.bookingId!, seats: o.lines.map((l) => l.seat) };
        if (o.state !== 'pending_payment') return null;
      }
      return null;
    };

    const buyer = async () => {
      let token: string | undefined;
      try {
        const guest = await client.request('POST', '/api/v1/guests');
        token = (guest.body as { token?: string }).token;
      } catch {
        // counted below
      }
      if (!token) {
        r.errors++;
        return;
      }
      while (performance.now() < deadline) {
        r.attempts++;
        try {
          const hold = await client.request('POST', `/api/v1/showtimes/${encodeURIComponent(o.showtime)}/holds`, { token, body: { seats: pick() } });
          latencies.push(hold.ms);
          if (hold.status === 409) {
            r.conflicts++;
            if (o.target === 'hot' || booked.size >= all.length) await new Promise((res) => setTimeout(res, 5));
            continue;
          }
          if (hold.status !== 201) {
            r.errors++;
            continue;
          }
          r.winners++;
          const holdId = (hold.body as { id: string }).id;
          const sold = priced ? await buy(token, holdId) : await confirm(token, holdId);
          if (!sold) {
            r.errors++;
            continue;
          }
          for (const seat of sold.seats) booked.set(seat, [...(booked.get(seat) ?? []), sold.bookingId]);
        } catch {
          r.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: o.buyers }, buyer));
    clearInterval(ticker);
    const elapsedMs = performance.now() - started;
    progress(line(), true);

    // The final word is the server's seat map: every seat we were sold is booked there, once.
    const map = await client.request('GET', `/api/v1/showtimes/${encodeURIComponent(o.showtime)}/seats`);
    const seats = (map.body as { seats: { id: string; status: string }[] }).seats;
    const status = new Map(seats.map((s) => [s.id, s.status]));
    const problems = [...booked].filter(([seat, ids]) => ids.length > 1 || status.get(seat) !== 'booked').map(([seat]) => seat);
    if (status.size !== seats.length) problems.push('(a seat is listed twice in the seat map)');
    return {
      ...r,
      bookedSeats: booked.size,
      problems,
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
      elapsedMs,
    };
  } finally {
    client.close();
  }
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatStress(o: StressOptions, r: StressResult): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  return [
    `stress: ${o.buyers} buyers, ${o.target} seats of ${o.showtime} at ${o.url}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `  attempts   ${r.attempts} (${(r.attempts / (r.elapsedMs / 1000)).toFixed(0)}/s)`,
    `  winners    ${r.winners}`,
    `  conflicts  ${r.conflicts}`,
    `  errors     ${r.errors}`,
    `  latency    p50 ${ms(r.latencyMs.p50)}  p90 ${ms(r.latencyMs.p90)}  p99 ${ms(r.latencyMs.p99)}  max ${ms(r.latencyMs.max)}`,
    `  seat map   ${r.bookedSeats} seats sold to these buyers; ${r.problems.length === 0 ? 'no seat has two bookings' : `PROBLEM with ${r.problems.join(', ')}`}`,
  ].join('\n');
}
