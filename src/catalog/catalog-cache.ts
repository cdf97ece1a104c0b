import type { Booking, Movie, Screen, Showtime, Theater } from '../domain/booking.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import type { Broadcast } from '../realtime/event-bus.ts';

/** A change to the catalog (movies, theaters, screens, showtimes): every instance drops its cache. */
export interface CatalogChange {
  /** What changed, e.g. `screen.save studio-1`: for the logs. */
  what: string;
}

/**
 * Catalog reads (movies, showtimes) cached in process, emptied whenever any instance announces a
 * change on the broadcast. Bookings pass straight through: they are never cached.
 */
export class CachedBookingRepository implements BookingRepository {
  private readonly cache = new Map<string, Promise<unknown>>();
  /** Bumped on every invalidation, so a read that started before it does not refill the cache. */
  private generation = 0;

  constructor(
    private readonly inner: BookingRepository,
    private readonly changes: Broadcast<CatalogChange>,
  ) {
    changes.subscribe(() => this.clear());
  }

  /** Empties this instance's cache and tells the others. */
  invalidate(what: string): void {
    this.changes.publish({ what });
  }

  private clear(): void {
    this.generation++;
    this.cache.clear();
  }

  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const generation = this.generation;
    const value = read();
    this.cache.set(key, value);
    value.then(
      () => generation !== this.generation && this.cache.get(key) === value && this.cache.delete(key),
      () => this.cache.get(key) === value && this.cache.delete(key),
    );
    return value;
  }

  listMovies(): Promise<Movie[]> {
    return this.cached('movies', () => this.inner.listMovies());
  }
  getMovie(id: string): Promise<Movie | null> {
    return this.cached(`movie:${id}`, () => this.inner.getMovie(id));
  }
  listShowtimes(filter: { movieId?: string } = {}): Promise<Showtime[]> {
    return this.cached(`showtimes:${filter.movieId ?? ''}`, () => this.inner.listShowtimes(filter));
  }
  getShowtime(id: string): Promise<Showtime | null> {
    return this.cached(`showtime:${id}`, () => this.inner.getShowtime(id));
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
  async saveShowtime(showtime: Omit<Showtime, 'layout'>): Promise<void> {
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
  bookedSeats(showtimeId: string) {
    return this.inner.bookedSeats(showtimeId);
  }
}
