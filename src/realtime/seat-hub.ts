import type { WebSocket } from 'ws';
import type { Logger } from '../booking/booking-service.ts';
import type { SeatChangeEvent, SeatMap } from '../domain/booking.ts';
import { BoxofficeError } from '../domain/errors.ts';
import type { Broadcast, EventBus } from './event-bus.ts';
import { deltaMessage, parseClientMessage } from './messages.ts';
import { Sequencer } from './sequencer.ts';
import { pingOrDrop, POLICY_VIOLATION, sendBounded, TokenBucket, type Budget } from './socket-budget.ts';

interface Subscriber {
  socket: WebSocket;
  showtimeId: string | null;
  viewer: string | null;
  /** The version the client has; null while its snapshot is being read. */
  version: number | null;
  /** Bumped by every subscribe and unsubscribe: the late answer to an older one is dropped. */
  generation: number;
  messages: TokenBucket;
  subscribes: TokenBucket;
  /** Closed for sending too much: whatever it still sends is ignored. */
  dropped: boolean;
  alive: boolean;
  /** The owner whose orders it follows (follow-orders), or null. */
  following: string | null;
  /** Per order, the updatedAt of the last view sent: a slower read of an older state is not sent after a newer one. */
  sentOrders: Map<string, number>;
}

/** An order changed: its owner's followers get its view. */
export interface OrderChangeEvent {
  orderId: string;
  owner: string;
}

/** One seat map read in flight for a showtime, shared by everyone who subscribes meanwhile. */
interface SnapshotRead {
  showtimeId: string;
  waiters: Set<Subscriber>;
  /** Events delivered while the read ran: each waiter replays those newer than the map it gets. */
  delivered: SeatChangeEvent[];
}

export interface SeatHubOptions {
  events: EventBus;
  /** The owner a token stands for, or null. */
  verifyToken: (token: string) => Promise<string | null>;
  /** Reads a showtime's seat map; one read serves every client that subscribes while it runs. */
  readSeatMap: (showtimeId: string) => Promise<SeatMap>;
  /** A seat map as one viewer sees it (its own holds marked "mine"): the body of a snapshot. */
  view: (map: SeatMap, viewer: string | null) => { version: number };
  /** The movie a showtime belongs to, for FirstClick's SEATS_UPDATED. */
  movieOf: (showtimeId: string) => Promise<string>;
  log?: Logger;
  /** A client whose unsent data passes this is too slow and is dropped. */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** Every message a client sends, of any type (default 60 at once, 20 a second). */
  messageBudget?: Budget;
  /** Subscribes, which may each cost a seat map read (default 10 at once, 2 a second). */
  subscribeBudget?: Budget;
  /** Order changes, and the view of an order for its owner (null when gone or not theirs): follow-orders. */
  orders?: { changes: Broadcast<OrderChangeEvent>; view: (orderId: string, owner: string) => Promise<{ updatedAt: number } | null> };
}

export const DEFAULT_MESSAGE_BUDGET: Budget = { burst: 60, perSecond: 20 };
export const DEFAULT_SUBSCRIBE_BUDGET: Budget = { burst: 10, perSecond: 2 };

const USAGE =
  'messages are {"type":"subscribe","showtime":"<id>","token"?:"<guest token>"}, {"type":"unsubscribe"}, {"type":"follow-orders","token":"<guest or access token>"} or {"type":"ping"}';

/**
 * Pushes seat changes to WebSocket clients: FirstClick's SEATS_UPDATED to /ws/seats, and
 * snapshot + versioned deltas to subscribers of one showtime on /ws. Built by the composition root.
 *
 * The work one client can make the server do is bounded: its messages and its subscribes each have a
 * budget (overdrawn: closed with 1008), and a showtime's seat map is read at most once at a time
 * however many clients ask for it.
 */
export class SeatHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly firstClick = new Set<{ socket: WebSocket; alive: boolean }>();
  private readonly movies = new Map<string, string>();
  private readonly reads = new Map<string, SnapshotRead>();
  private readonly sequencer: Sequencer;
  private readonly unsubscribe: () => void;
  private readonly unfollow: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;

  constructor(private readonly o: SeatHubOptions) {
    this.maxBuffered = o.maxBufferedBytes ?? 1 << 20;
    this.sequencer = new Sequencer((e) => this.deliver(e));
    this.unsubscribe = o.events.subscribe((e) => this.sequencer.push(e));
    this.unfollow = o.orders?.changes.subscribe((c) => void this.deliverOrder(c)) ?? (() => {});
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
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
    const sub: Subscriber = {
      socket,
      showtimeId: null,
      viewer: null,
      version: null,
      generation: 0,
      messages: new TokenBucket(this.o.messageBudget ?? DEFAULT_MESSAGE_BUDGET),
      subscribes: new TokenBucket(this.o.subscribeBudget ?? DEFAULT_SUBSCRIBE_BUDGET),
      dropped: false,
      alive: true,
      following: null,
      sentOrders: new Map(),
    };
    this.subscribers.add(sub);
    socket.on('pong', () => (sub.alive = true));
    socket.on('close', () => this.subscribers.delete(sub));
    socket.on('error', () => socket.terminate());
    socket.on('message', (raw) => {
      if (sub.dropped) return;
      if (!sub.messages.take()) return this.drop(sub, 'too many messages');
      const message = parseClientMessage(raw.toString());
      if (!message) return this.send(socket, JSON.stringify({ type: 'error', code: 'INVALID_INPUT', error: USAGE }));
      if (message.type === 'ping') return this.send(socket, '{"type":"pong"}');
      if (message.type === 'unsubscribe') {
        sub.generation++;
        sub.showtimeId = null;
        return;
      }
      if (!sub.subscribes.take()) return this.drop(sub, 'too many subscribes');
      if (message.type === 'follow-orders') return void this.follow(sub, message.token);
      void this.subscribe(sub, message.showtime, message.token);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.unfollow();
    this.sequencer.close();
    for (const c of [...this.subscribers, ...this.firstClick]) c.socket.close(1001, 'server shutting down');
  }

  private async subscribe(sub: Subscriber, showtimeId: string, token: string | undefined): Promise<void> {
    const generation = ++sub.generation;
    const viewer = token ? await this.o.verifyToken(token) : null;
    if (generation !== sub.generation || sub.dropped) return; // resubscribed or dropped meanwhile
    if (token && !viewer) return this.send(sub.socket, JSON.stringify({ type: 'error', code: 'UNAUTHORIZED', error: 'the token is not valid' }));
    sub.showtimeId = showtimeId;
    sub.viewer = viewer;
    sub.version = null;
    const running = this.reads.get(showtimeId);
    if (running) {
      running.waiters.add(sub);
      return;
    }
    const read: SnapshotRead = { showtimeId, waiters: new Set([sub]), delivered: [] };
    this.reads.set(showtimeId, read);
    try {
      this.answer(read, await this.o.readSeatMap(showtimeId));
    } catch (e) {
      this.fail(read, e);
    }
  }

  /** From now on the socket gets the view of each of the token's owner's orders whenever it changes. */
  private async follow(sub: Subscriber, token: string): Promise<void> {
    if (!this.o.orders) return this.send(sub.socket, JSON.stringify({ type: 'error', code: 'INVALID_INPUT', error: 'orders are not served here' }));
    const owner = await this.o.verifyToken(token);
    if (sub.dropped) return;
    if (!owner) return this.send(sub.socket, JSON.stringify({ type: 'error', code: 'UNAUTHORIZED', error: 'the token is not valid' }));
    if (sub.following !== owner) sub.sentOrders.clear();
    sub.following = owner;
    this.send(sub.socket, '{"type":"following-orders"}');
  }

  private async deliverOrder(change: OrderChangeEvent): Promise<void> {
    const followers = [...this.subscribers].filter((s) => s.following === change.owner && !s.dropped);
    if (followers.length === 0) return;
    let order: { updatedAt: number } | null;
    try {
      order = await this.o.orders!.view(change.orderId, change.owner);
    } catch (e) {
      this.o.log?.error({ err: e, orderId: change.orderId }, 'could not read a changed order');
      return;
    }
    if (!order) return;
    const message = JSON.stringify({ type: 'order', order });
    for (const sub of followers) {
      if (sub.following !== change.owner || sub.dropped || !this.subscribers.has(sub)) continue;
      const last = sub.sentOrders.get(change.orderId);
      if (last !== undefined && order.updatedAt < last) continue;
      sub.sentOrders.set(change.orderId, order.updatedAt);
      this.send(sub.socket, message);
    }
  }

  /** Sends each waiter that still wants this showtime its snapshot, then what changed since. */
  private answer(read: SnapshotRead, map: SeatMap): void {
    this.reads.delete(read.showtimeId);
    this.sequencer.start(read.showtimeId, map.version);
    let forAnyone: string | undefined;
    for (const sub of read.waiters) {
      if (!this.waiting(sub, read)) continue;
      sub.version = map.version;
      const snapshot = (viewer: string | null) => JSON.stringify({ type: 'snapshot', showtime: read.showtimeId, ...this.o.view(map, viewer) });
      this.send(sub.socket, sub.viewer === null ? (forAnyone ??= snapshot(null)) : snapshot(sub.viewer));
      for (const e of read.delivered) this.deliverTo(sub, e);
    }
  }

  private fail(read: SnapshotRead, e: unknown): void {
    this.reads.delete(read.showtimeId);
    const body = e instanceof BoxofficeError ? { code: e.code, error: e.message } : { code: 'INTERNAL', error: 'could not read the seat map' };
    if (!(e instanceof BoxofficeError)) this.o.log?.error({ err: e, showtimeId: read.showtimeId }, 'snapshot failed');
    const message = JSON.stringify({ type: 'error', ...body });
    for (const sub of read.waiters) {
      if (!this.waiting(sub, read)) continue;
      sub.showtimeId = null;
      this.send(sub.socket, message);
    }
  }

  /** Still subscribed to the read's showtime, still without a snapshot, still connected. */
  private waiting(sub: Subscriber, read: SnapshotRead): boolean {
    return sub.showtimeId === read.showtimeId && sub.version === null && !sub.dropped && this.subscribers.has(sub);
  }

  private drop(sub: Subscriber, reason: string): void {
    sub.dropped = true;
    sub.showtimeId = null;
    this.o.log?.warn({ reason }, 'dropped a WebSocket client');
    sub.socket.close(POLICY_VIOLATION, reason);
  }

  private deliver(event: SeatChangeEvent): void {
    this.reads.get(event.showtimeId)?.delivered.push(event);
    // One serialisation for everybody who does not own the change, one for its owner
    // (the changes of one event belong to one hold, so to one owner).
    const owner = event.changes[0]?.owner ?? null;
    let forOthers: string | undefined;
    let forOwner: string | undefined;
    for (const sub of this.subscribers) {
      if (sub.showtimeId !== event.showtimeId || sub.version === null || event.version <= sub.version) continue;
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
    let movieId = this.movies.get(showtimeId);
    if (!movieId) {
      try {
        movieId = await this.o.movieOf(showtimeId);
      } catch {
        return;
      }
      this.movies.set(showtimeId, movieId);
    }
    const message = JSON.stringify({ type: 'SEATS_UPDATED', movie_id: movieId, ts: Date.now() });
    for (const client of this.firstClick) this.send(client.socket, message);
  }

  private send(socket: WebSocket, data: string): void {
    sendBounded(socket, data, this.maxBuffered);
  }

  private beat(): void {
    pingOrDrop([...this.subscribers, ...this.firstClick]);
  }
}
