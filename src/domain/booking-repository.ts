import type { Booking, Movie, Screen, Showtime, ShowtimeInput, Theater } from './booking.ts';
import type { SeatId } from './layout.ts';

/**
 * Durable bookings and the catalog. Always PostgreSQL (embedded PGlite or a server); the source of
 * truth for confirmed bookings. UNIQUE (showtime_id, seat_id) on booked seats is G1's last line.
 */
export interface BookingRepository {
  listMovies(): Promise<Movie[]>;
  getMovie(id: string): Promise<Movie | null>;
  listShowtimes(filter?: { movieId?: string }): Promise<Showtime[]>;
  getShowtime(id: string): Promise<Showtime | null>;
  saveMovie(movie: Movie): Promise<void>;
  saveTheater(theater: Theater): Promise<void>;
  /**
   * Creates or updates, in one transaction with the screen's showtimes locked: THEATER_NOT_FOUND;
   * LAYOUT_LOCKED when the layout changes and a showtime of the screen has bookings.
   */
  saveScreen(screen: Screen): Promise<void>;
  /**
   * Creates or updates, with the screen locked: MOVIE_NOT_FOUND, SCREEN_NOT_FOUND; SHOWTIME_OVERLAP when
   * another showtime of the screen overlaps it (start to start + the movie's length); LAYOUT_LOCKED
   * when a showtime with bookings would move to another screen.
   */
  saveShowtime(showtime: ShowtimeInput): Promise<void>;
  /** True when the catalog has no movies yet (first start). */
  isEmpty(): Promise<boolean>;

  /**
   * Writes a booking and its seats in one transaction. Idempotent by id: writing the same booking
   * again returns the stored one. A seat already booked under another id fails with SEAT_UNAVAILABLE.
   * The seats are checked against the layout as stored now, serialised with saveScreen and
   * saveShowtime: a seat the layout no longer has fails with SEAT_NOT_FOUND, a blocked one with
   * SEAT_UNAVAILABLE, both with `details.layout` ('removed' | 'blocked'), and nothing is written.
   */
  insertBooking(booking: Omit<Booking, 'createdAt'>): Promise<Booking>;
  getBooking(id: string): Promise<Booking | null>;
  /** The owner's bookings that are not cancelled. */
  bookingsOf(owner: string): Promise<Booking[]>;
  /**
   * Cancels a booking: marks it cancelled (the row stays: an order points at it) and deletes its
   * seats, which frees them for sale, in one statement. Returns the seats freed now (none when it was
   * cancelled before), or null for an unknown booking.
   */
  cancelBooking(id: string): Promise<{ showtimeId: string; seats: SeatId[] } | null>;
  bookedSeats(showtimeId: string): Promise<{ bookingId: string; owner: string; seats: SeatId[] }[]>;
}
