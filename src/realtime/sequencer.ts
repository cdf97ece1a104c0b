import type { SeatChangeEvent } from '../domain/booking.ts';

/**
 * Puts each showtime's events back in version order. Concurrent requests finish in any order, and
 * events from other instances arrive over Redis in any order, but clients apply deltas by version.
 * An event that is ahead waits up to `waitMs` for the ones before it; if they never come, it goes
 * out anyway and clients see the gap and resubscribe.
 */
export class Sequencer {
  private readonly showtimes = new Map<string, { next: number; pending: Map<number, SeatChangeEvent>; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly deliver: (event: SeatChangeEvent) => void,
    private readonly waitMs = 150,
  ) {}

  /** A snapshot at `version` was read: the next event to send is version + 1, if nothing came yet. */
  start(showtimeId: string, version: number): void {
    if (!this.showtimes.has(showtimeId)) this.showtimes.set(showtimeId, { next: version + 1, pending: new Map() });
  }

  push(event: SeatChangeEvent): void {
    let st = this.showtimes.get(event.showtimeId);
    if (!st) {
      this.showtimes.set(event.showtimeId, { next: event.version + 1, pending: new Map() });
      this.deliver(event);
      return;
    }
    if (event.version < st.next) return; // already covered by a later event or a snapshot
    st.pending.set(event.version, event);
    this.drain(event.showtimeId);
    if (st.pending.size > 0 && !st.timer) {
      st.timer = setTimeout(() => this.skipGap(event.showtimeId), this.waitMs);
    }
  }

  close(): void {
    for (const st of this.showtimes.values()) clearTimeout(st.timer);
    this.showtimes.clear();
  }

  private drain(showtimeId: string): void {
    const st = this.showtimes.get(showtimeId)!;
    for (let e = st.pending.get(st.next); e; e = st.pending.get(st.next)) {
      st.pending.delete(st.next);
      st.next++;
      this.deliver(e);
    }
    if (st.pending.size === 0 && st.timer) {
      clearTimeout(st.timer);
      delete st.timer;
    }
  }

  private skipGap(showtimeId: string): void {
    const st = this.showtimes.get(showtimeId);
    if (!st) return;
    delete st.timer;
    if (st.pending.size === 0) return;
    st.next = Math.min(...st.pending.keys());
    this.drain(showtimeId);
    if (st.pending.size > 0) st.timer = setTimeout(() => this.skipGap(showtimeId), this.waitMs);
  }
}
