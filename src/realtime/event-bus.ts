import { EventEmitter } from 'node:events';
import type { SeatChangeEvent } from '../domain/booking.ts';

/**
 * Messages for every listener of every instance: seat changes, catalog changes. In one process the
 * local broadcast; scaled out, RedisBroadcast (src/stores/redis/redis-broadcast.ts) over pub/sub.
 */
export interface Broadcast<T> {
  publish(message: T): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (message: T) => void): () => void;
  close(): Promise<void>;
}

/** Carries seat changes from the booking service to whoever pushes them to clients. */
export type EventBus = Broadcast<SeatChangeEvent>;
export type SeatChangeListener = (event: SeatChangeEvent) => void;

/** One process: messages go straight to the listeners of this process. */
export class LocalBroadcast<T> implements Broadcast<T> {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(message: T): void {
    this.emitter.emit('message', message);
  }

  subscribe(listener: (message: T) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
