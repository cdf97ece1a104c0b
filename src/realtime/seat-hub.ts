import type { WebSocket } from 'ws';
import type { BookingService, Logger } from '../booking/booking-service.ts';
import type { SeatChangeEvent } from '../domain/booking.ts';
import { BoxofficeError } from '../domain/errors.ts';
import type { EventBus } from './event-bus.ts';
import { LabFeed, type LabFeedOptions, type LabSource } from './lab-feed.ts';
import { deltaMessage, parseClientMessage } from './messages.ts';
import { Sequencer } from './sequencer.ts';

interface Subscriber {
  socket: WebSocket;
  showtimeId: string | null;
  viewer: string | null;
  /** The version the client has; null while its snapshot is being read. */
  version: number | null;
  /** Events that arrived while the snapshot was being read. */
  queued: SeatChangeEvent[];
  alive: boolean;
}

export interface SeatHubOptions {
  service: BookingService;
  events: EventBus;
  /** The owner a token stands for, or null. */
  verifyToken: (token: string) => Promise<string | null>;
  /** The snapshot of a seat map as a client sees it. */
  snapshot: (showtimeId: string, viewer: string | null) => Promise<unknown>;
  log: Logger;
  /** A client whose unsent data passes this is too slow and is dropped. */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** The Concurrency Lab, when it is switched on: its panels are served on the same socket. */
  lab?: LabSource;
  labFeed?: LabFeedOptions;
}

/**
 * Pushes seat changes to WebSocket clients: FirstClick's SEATS_UPDATED to /ws/seats, and
 * snapshot + versioned deltas to subscribers of one showtime on /ws.
 */
export class SeatHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly firstClick = new Set<{ socket: WebSocket; alive: boolean }>();
  private readonly movieOf = new Map<string, string>();
  private readonly sequencer: Sequencer;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly lab: LabFeed | null;

  constructor(private readonly o: SeatHubOptions) {
    this.maxBuffered = o.maxBufferedBytes ?? 1 << 20;
    this.sequencer = new Sequencer((e) => this.deliver(e));
    this.unsubscribe = o.events.subscribe((e) => this.sequencer.push(e));
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
    this.lab = o.lab ? new LabFeed(o.lab, (socket, data) => this.send(socket, data), o.log, o.labFeed) : null;
  }

  get connections(): number {
    return this.subscribers.size + this.firstClick.size;
  }

  attachFirstClick(socket: WebSocket): void {
    const client = { socket, alive: true };
    this.firstClick.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.firstClick.delete(client));
    socket.on('error', () => socket.terminate());
  }

  attach(socket: WebSocket): void {
    const sub: Subscriber = { socket, showtimeId: null, viewer: null, version: null, queued: [], alive: true };
    this.subscribers.add(sub);
    socket.on('pong', () => (sub.alive = true));
    socket.on('close', () => {
      this.subscribers.delete(sub);
      this.lab?.unwatch(socket);
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', (raw) => {
      const message = parseClientMessage(raw.toString());
      if (!message) return this.send(sub.socket, JSON.stringify({ type: 'error', code: 'INVALID_INPUT', error: 'messages are {"type":"subscribe","showtime":"<id>","token"?:"<guest token>"}, {"type":"unsubscribe"} or {"type":"ping"}' }));
      if (message.type === 'ping') return this.send(sub.socket, '{"type":"pong"}');
      if (message.type === 'unsubscribe') {
        sub.showtimeId = null;
        return;
      }
      if (message.type === 'lab-unsubscribe') return this.lab?.unwatch(socket);
      if (message.type === 'lab-subscribe') {
        const error = this.lab ? this.lab.watch(socket, message.showtime) : 'the Concurrency Lab is switched off (LAB_ENABLED=false)';
        if (error) this.send(socket, JSON.stringify({ type: 'error', code: this.lab ? 'SHOWTIME_NOT_FOUND' : 'NOT_FOUND', error }));
        return;
      }
      void this.subscribe(sub, message.showtime, message.token);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.lab?.close();
    this.sequencer.close();
    for (const c of [...this.subscribers, ...this.firstClick]) c.socket.close(1001, 'server shutting down');
  }

  private async subscribe(sub: Subscriber, showtimeId: string, token: string | undefined): Promise<void> {
    const viewer = token ? await this.o.verifyToken(token) : null;
    if (token && !viewer) return this.send(sub.socket, JSON.stringify({ type: 'error', code: 'UNAUTHORIZED', error: 'the token is not valid' }));
    sub.showtimeId = showtimeId;
    sub.viewer = viewer;
    sub.version = null;
    sub.queued = [];
    try {
      const snapshot = (await this.o.snapshot(showtimeId, viewer)) as { version: number };
      if (sub.showtimeId !== showtimeId) return; // resubscribed meanwhile
      sub.version = snapshot.version;
      this.sequencer.start(showtimeId, snapshot.version);
      this.send(sub.socket, JSON.stringify({ type: 'snapshot', showtime: showtimeId, ...snapshot }));
      const queued = sub.queued;
      sub.queued = [];
      for (const e of queued) this.deliverTo(sub, e);
    } catch (e) {
      sub.showtimeId = null;
      const body = e instanceof BoxofficeError ? { code: e.code, error: e.message } : { code: 'INTERNAL', error: 'could not read the seat map' };
      if (!(e instanceof BoxofficeError)) this.o.log.error({ err: e }, 'snapshot failed');
      this.send(sub.socket, JSON.stringify({ type: 'error', ...body }));
    }
  }

  private deliver(event: SeatChangeEvent): void {
    // One serialisation for everybody who does not own the change, one for its owner
    // (the changes of one event belong to one hold, so to one owner).
    const owner = event.changes[0]?.owner ?? null;
    let forOthers: string | undefined;
    let forOwner: string | undefined;
    for (const sub of this.subscribers) {
      if (sub.showtimeId !== event.showtimeId) continue;
      if (sub.version === null) {
        sub.queued.push(event);
        continue;
      }
      if (event.version <= sub.version) continue;
      sub.version = event.version;
      if (sub.viewer !== null && sub.viewer === owner) this.send(sub.socket, (forOwner ??= deltaMessage(event, sub.viewer)));
      else this.send(sub.socket, (forOthers ??= deltaMessage(event, null)));
    }
    if (this.firstClick.size > 0) void this.announceToFirstClick(event.showtimeId);
  }

  private deliverTo(sub: Subscriber, event: SeatChangeEvent): void {
    if (sub.version === null || event.version <= sub.version) return;
    sub.version = event.version;
    this.send(sub.socket, deltaMessage(event, sub.viewer));
  }

  private async announceToFirstClick(showtimeId: string): Promise<void> {
    let movieId = this.movieOf.get(showtimeId);
    if (!movieId) {
      try {
        movieId = (await this.o.service.showtime(showtimeId)).movieId;
      } catch {
        return;
      }
      this.movieOf.set(showtimeId, movieId);
    }
    const message = JSON.stringify({ type: 'SEATS_UPDATED', movie_id: movieId, ts: Date.now() });
    for (const client of this.firstClick) this.send(client.socket, message);
  }

  private send(socket: WebSocket, data: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBuffered) {
      // A client that cannot keep up is dropped rather than allowed to grow our memory.
      socket.terminate();
      return;
    }
    socket.send(data);
  }

  private beat(): void {
    for (const c of [...this.subscribers, ...this.firstClick]) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}
