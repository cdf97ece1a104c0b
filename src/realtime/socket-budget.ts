import type { WebSocket } from 'ws';

/**
 * What one WebSocket client may ask of the server: a token bucket per client, `burst` messages at
 * once, refilled at `perSecond`. A client that overdraws it is dropped with POLICY_VIOLATION, so the
 * work one socket can queue (snapshot reads, token checks) stays bounded however fast it sends.
 * Also what bounds a peer the other way, shared by the seat hub and the lab's feed: a slow reader is
 * dropped (sendBounded), a silent one too (pingOrDrop).
 */
export interface Budget {
  burst: number;
  perSecond: number;
}

/** WebSocket close code 1008: the peer broke the server's policy (here: sent too much). */
export const POLICY_VIOLATION = 1008;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly budget: Budget,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = budget.burst;
    this.last = now();
  }

  /** Spends one token; false when there is none left. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.budget.burst, this.tokens + ((now - this.last) / 1000) * this.budget.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A peer we ping: `alive` is set again by its pong. */
export interface Pinged {
  socket: WebSocket;
  alive: boolean;
}

/**
 * Sends unless the peer is too slow: one whose unsent data passes `maxBuffered` bytes is dropped
 * rather than allowed to grow the server's memory.
 */
export function sendBounded(socket: WebSocket, data: string, maxBuffered: number): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > maxBuffered) {
    socket.terminate();
    return;
  }
  socket.send(data);
}

/** One heartbeat: drops the peers that did not answer the last ping, pings the others. */
export function pingOrDrop(peers: Iterable<Pinged>): void {
  for (const peer of peers) {
    if (!peer.alive) {
      peer.socket.terminate();
      continue;
    }
    peer.alive = false;
    peer.socket.ping();
  }
}
