import type { WebSocket } from 'ws';
import type { Logger } from '../booking/booking-service.ts';

/** What the feed needs from the Concurrency Lab (src/lab/lab-service.ts). */
export interface LabSource {
  isLabShowtime(showtimeId: string): boolean;
  state(showtimeId: string): Promise<unknown>;
  onChange(listener: (showtimeId: string) => void): () => void;
}

export interface LabFeedOptions {
  /** At most one push per showtime per this many ms, however many changes (a 1,000-buyer stress). */
  throttleMs?: number;
  /** A push at least this often while someone watches, so expired locks leave the panel. */
  refreshMs?: number;
}

/**
 * The lab's live panels on /ws: a client sends {"type":"lab-subscribe","showtime":"lab-1"} and gets
 * {"type":"lab-state", ...} at once and after changes, throttled. One state read serves every watcher.
 */
export class LabFeed {
  private readonly watchers = new Map<WebSocket, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastPush = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private readonly refresh: NodeJS.Timeout;
  private readonly throttleMs: number;

  constructor(
    private readonly source: LabSource,
    private readonly send: (socket: WebSocket, data: string) => void,
    private readonly log: Logger,
    options: LabFeedOptions = {},
  ) {
    this.throttleMs = options.throttleMs ?? 150;
    this.unsubscribe = source.onChange((id) => this.schedule(id));
    this.refresh = setInterval(() => {
      for (const id of new Set(this.watchers.values())) this.schedule(id);
    }, options.refreshMs ?? 1_000);
    this.refresh.unref();
  }

  /** Resolves to an error message for the client, or null when it is now watching. */
  watch(socket: WebSocket, showtimeId: string): string | null {
    if (!this.source.isLabShowtime(showtimeId)) return `showtime ${showtimeId} is not a lab showtime`;
    this.watchers.set(socket, showtimeId);
    void this.push(showtimeId, [socket]);
    return null;
  }

  unwatch(socket: WebSocket): void {
    this.watchers.delete(socket);
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.refresh);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.watchers.clear();
  }

  private schedule(showtimeId: string): void {
    if (this.timers.has(showtimeId) || ![...this.watchers.values()].includes(showtimeId)) return;
    const wait = Math.max(0, (this.lastPush.get(showtimeId) ?? 0) + this.throttleMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(showtimeId);
      void this.push(showtimeId);
    }, wait);
    timer.unref();
    this.timers.set(showtimeId, timer);
  }

  private async push(showtimeId: string, only?: WebSocket[]): Promise<void> {
    if (!only) this.lastPush.set(showtimeId, Date.now());
    try {
      const message = JSON.stringify({ type: 'lab-state', ...(await this.source.state(showtimeId) as object) });
      const targets = only ?? [...this.watchers].filter(([, id]) => id === showtimeId).map(([s]) => s);
      for (const socket of targets) if (this.watchers.get(socket) === showtimeId) this.send(socket, message);
    } catch (e) {
      this.log.error({ err: e, showtimeId }, 'lab state push failed');
    }
  }
}
