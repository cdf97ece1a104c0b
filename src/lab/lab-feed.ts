import type { WebSocket } from 'ws';
import type { Logger } from '../booking/booking-service.ts';
import { pingOrDrop, POLICY_VIOLATION, sendBounded, TokenBucket, type Budget } from '../realtime/socket-budget.ts';
import { LAB_USAGE, parseLabMessage } from './lab-messages.ts';

/** What the feed needs from the Concurrency Lab (lab-service.ts, opened on first use). */
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
  heartbeatMs?: number;
  /** A watcher whose unsent data passes this is too slow and is dropped. */
  maxBufferedBytes?: number;
  /** Messages one client may send (default 30 at once, 10 a second); overdrawn: closed with 1008. */
  messageBudget?: Budget;
}

interface Watcher {
  socket: WebSocket;
  showtimeId: string | null;
  budget: TokenBucket;
  alive: boolean;
}

/**
 * The lab's live panels on its own socket, /lab/ws (lab-messages.ts): the seat hub knows nothing of
 * the lab. One state read per showtime is in flight at a time and serves every watcher that asks
 * meanwhile; pushes are throttled; a client that sends too much is dropped.
 */
export class LabFeed {
  private readonly watchers = new Set<Watcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastPush = new Map<string, number>();
  private readonly reads = new Map<string, Promise<string>>();
  private readonly unsubscribe: () => void;
  private readonly refresh: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly throttleMs: number;

  constructor(
    private readonly source: LabSource,
    private readonly log: Logger | undefined,
    private readonly options: LabFeedOptions = {},
  ) {
    this.throttleMs = options.throttleMs ?? 150;
    this.unsubscribe = source.onChange((id) => this.schedule(id));
    this.refresh = setInterval(() => {
      for (const id of this.watched()) this.schedule(id);
    }, options.refreshMs ?? 1_000);
    this.refresh.unref();
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  attach(socket: WebSocket): void {
    const watcher: Watcher = { socket, showtimeId: null, budget: new TokenBucket(this.options.messageBudget ?? { burst: 30, perSecond: 10 }), alive: true };
    this.watchers.add(watcher);
    socket.on('pong', () => (watcher.alive = true));
    socket.on('close', () => this.watchers.delete(watcher));
    socket.on('error', () => socket.terminate());
    socket.on('message', (raw) => {
      if (!this.watchers.has(watcher)) return;
      if (!watcher.budget.take()) {
        this.watchers.delete(watcher);
        socket.close(POLICY_VIOLATION, 'too many messages');
        return;
      }
      const message = parseLabMessage(raw.toString());
      if (!message) return this.send(socket, JSON.stringify({ type: 'error', code: 'INVALID_INPUT', error: LAB_USAGE }));
      if (message.type === 'ping') return this.send(socket, '{"type":"pong"}');
      if (message.type === 'lab-unsubscribe') {
        watcher.showtimeId = null;
        return;
      }
      if (!this.source.isLabShowtime(message.showtime)) {
        return this.send(socket, JSON.stringify({ type: 'error', code: 'SHOWTIME_NOT_FOUND', error: `showtime ${message.showtime} is not a lab showtime` }));
      }
      watcher.showtimeId = message.showtime;
      void this.push(message.showtime, watcher);
    });
  }

  get connections(): number {
    return this.watchers.size;
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.refresh);
    clearInterval(this.heartbeat);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.watchers) w.socket.close(1001, 'server shutting down');
    this.watchers.clear();
  }

  private watched(): Set<string> {
    const ids = new Set<string>();
    for (const w of this.watchers) if (w.showtimeId) ids.add(w.showtimeId);
    return ids;
  }

  private schedule(showtimeId: string): void {
    if (this.timers.has(showtimeId) || !this.watched().has(showtimeId)) return;
    const wait = Math.max(0, (this.lastPush.get(showtimeId) ?? 0) + this.throttleMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(showtimeId);
      void this.push(showtimeId);
    }, wait);
    timer.unref();
    this.timers.set(showtimeId, timer);
  }

  /** The state message, read once however many ask while the read runs. */
  private message(showtimeId: string): Promise<string> {
    let read = this.reads.get(showtimeId);
    if (!read) {
      read = this.source
        .state(showtimeId)
        .then((state) => JSON.stringify({ type: 'lab-state', ...(state as object) }))
        .finally(() => this.reads.delete(showtimeId));
      this.reads.set(showtimeId, read);
    }
    return read;
  }

  /** To one new watcher, or (throttled) to every watcher of the showtime. */
  private async push(showtimeId: string, only?: Watcher): Promise<void> {
    if (!only) this.lastPush.set(showtimeId, Date.now());
    try {
      const message = await this.message(showtimeId);
      for (const w of only ? [only] : this.watchers) if (w.showtimeId === showtimeId && this.watchers.has(w)) this.send(w.socket, message);
    } catch (e) {
      this.log?.error({ err: e, showtimeId }, 'lab state push failed');
      if (only) this.send(only.socket, JSON.stringify({ type: 'error', code: 'LAB_UNAVAILABLE', error: 'the lab state could not be read' }));
    }
  }

  private send(socket: WebSocket, data: string): void {
    sendBounded(socket, data, this.options.maxBufferedBytes ?? 1 << 20);
  }

  private beat(): void {
    pingOrDrop(this.watchers);
  }
}
