import { LRUCache } from 'lru-cache';
import type { Booking, Movie, Screen, Showtime, ShowtimeInput, Theater } from '../domain/booking.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import type { Broadcast } from '../realtime/event-bus.ts';

/** A change to the catalog (movies, theaters, screens, showtimes): every instance drops its cache. */
export interface CatalogChange {
  /** What changed, e.g. `screen.save studio-1`: for the logs. */
  what: string;
}

/** Entries kept at most: far more than a chain's live catalog, far less than memory to spare. */
export const CATALOG_CACHE_ENTRIES = 2_000;

/**
 * Catalog reads (movies, showtimes) cached in process, emptied whenever any instance announces a
 * change on the broadcast. Bookings pass straight through: they are never cached.
 *
 * Anyone may ask for any id without a token, so the cache must not grow with what is asked: a miss
 * (an unknown id, an empty filtered list) is never kept, and the hits are an LRU of bounded size.
 */
export class CachedBookingRepository implements BookingRepository {
  private readonly cache: LRUCache<string, Promise<unknown>>;
  /** Bumped on every invalidation, so a read that started before it does not refill the cache. */
  private generation = 0;

  constructor(
    private readonly inner: BookingRepository,
    private readonly changes: Broadcast<CatalogChange>,
    maxEntries = CATALOG_CACHE_ENTRIES,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
    changes.subscribe(() => this.clear());
  }

  /** Entries cached now (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  /** Empties this instance's cache and tells the others. */
  invalidate(what: string): void {
    this.changes.publish({ what });
  }

  private clear(): void {
    this.generation++;
    this.cache.clear();
  }

  /**
   * Concurrent reads of one key share one promise while it is in flight; once it settles, it stays
   * only if it is a hit read in the current generation.
   */
  private cached<T>(key: string, read: () => Promise<T>, isMiss: (value: T) => boolean): Promise<T> {
    const hit = this.cache.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const generation = this.generation;
    const value = read();
    this.cache.set(key, value);
    const forget = () => this.cache.peek(key) === value && this.cache.delete(key);
    value.then(
      (v) => (isMiss(v) || generation !== this.generation) && forget(),
      forget,
    );
    return value;
  }

  listMovies(): Promise<Movie[]> {
    return this.cached('movies', () => this.inner.listMovies(), () => false);
  }
  getMovie(id: string): Promise<Movie | null> {
    return this.cached(`movie:${id}`, () => this.inner.getMovie(id), (m) => m === null);
  }
  listShowtimes(filter: { movieId?: string } = {}): Promise<Showtime[]> {
    return this.cached(`showtimes:${filter.movieId ?? ''}`, () => this.inner.listShowtimes(filter), (list) => filter.movieId !== undefined && list.length === 0);
  }
  getShowtime(id: string): Promise<Showtime | null> {
    return this.cached(`showtime:${id}`, () => this.inner.getShowtime(id), (s) => s === null);
  }
  async saveMovie(movie: Movie): Promise<void> {
    await this.inner.saveMovie(movie);
    this.invalidate(`movie.save ${movie.id}`);
  }
  async saveTheater(theater: Theater): Promise<void> {
    await this.inner.saveTheater(theater);
    this.invalidate(`theater.save ${theater.id}`);
  }
  async saveScreen(screen: Screen): Promise<void> {
    await this.inner.saveScreen(screen);
    this.invalidate(`screen.save ${screen.id}`);
  }
  async saveShowtime(showtime: ShowtimeInput): Promise<void> {
    await this.inner.saveShowtime(showtime);
    this.invalidate(`showtime.save ${showtime.id}`);
  }
  isEmpty(): Promise<boolean> {
    return this.inner.isEmpty();
  }
  insertBooking(booking: Omit<Booking, 'createdAt'>): Promise<Booking> {
    return this.inner.insertBooking(booking);
  }
  getBooking(id: string): Promise<Booking | null> {
    return this.inner.getBooking(id);
  }
  bookingsOf(owner: string): Promise<Booking[]> {
    return this.inner.bookingsOf(owner);
  }
  cancelBooking(id: string) {
    return this.inner.cancelBooking(id);
  }
  bookedSeats(showtimeId: string) {
    return this.inner.bookedSeats(showtimeId);
  }
}
