import { EventEmitter } from 'node:events';
import type { SeatChangeEvent } from '../domain/booking.ts';

export type SeatChangeListener = (event: SeatChangeEvent) => void;

/** Carries seat changes from the booking service to whoever pushes them to clients. */
export interface EventBus {
  publish(event: SeatChangeEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: SeatChangeListener): () => void;
  close(): Promise<void>;
}

/** One process: events go straight to the listeners of this process. */
export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: SeatChangeEvent): void {
    this.emitter.emit('seats', event);
  }

  subscribe(listener: SeatChangeListener): () => void {
    this.emitter.on('seats', listener);
    return () => this.emitter.off('seats', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
