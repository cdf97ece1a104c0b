import type { Booking, Movie, Screen, Showtime, ShowtimeInput, Theater } from '../../domain/booking.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import { BoxofficeError, storeError, StoreCode } from '../../domain/errors.ts';
import { layoutToInput, parseLayout, type LayoutInput } from '../../domain/layout.ts';
import type { Prices } from '../../domain/orders.ts';
import { isUniqueViolation, type Db } from './db.ts';
import { query } from './queries.ts';

interface ShowtimeRow {
  id: string;
  movie_id: string;
  screen_id: string;
  starts_at_ms: number;
  layout: LayoutInput;
  prices: Prices;
}

interface BookingRow {
  id: string;
  showtime_id: string;
  owner: string;
  seats: string[];
  created_at_ms: number;
}

const SHOWTIME_SELECT = `
  SELECT s.id, s.movie_id, s.screen_id, (extract(epoch from s.starts_at) * 1000)::bigint AS starts_at_ms, sc.layout, s.prices
  FROM showtimes s JOIN screens sc ON sc.id = s.screen_id`;

const BOOKING_SELECT = `
  SELECT b.id, b.showtime_id, b.owner, (extract(epoch from b.created_at) * 1000)::bigint AS created_at_ms,
         array(SELECT seat_id FROM booked_seats bs WHERE bs.booking_id = b.id ORDER BY seat_id) AS seats
  FROM bookings b`;

const toShowtime = (r: ShowtimeRow): Showtime => ({
  id: r.id,
  movieId: r.movie_id,
  screenId: r.screen_id,
  startsAt: r.starts_at_ms,
  layout: parseLayout(r.layout),
  prices: r.prices,
});

const toBooking = (r: BookingRow): Booking => ({
  id: r.id,
  showtimeId: r.showtime_id,
  owner: r.owner,
  seats: r.seats,
  createdAt: r.created_at_ms,
});

/** The database connection belongs to the composition root, which closes it. */
export class PostgresBookingRepository implements BookingRepository {
  constructor(private readonly db: Db) {}

  async listMovies(): Promise<Movie[]> {
    const rows = await this.db.query<{ id: string; title: string; duration_minutes: number }>(
      'SELECT id, title, duration_minutes FROM movies ORDER BY title',
    );
    return rows.map((r) => ({ id: r.id, title: r.title, durationMinutes: r.duration_minutes }));
  }

  async getMovie(id: string): Promise<Movie | null> {
    const [r] = await this.db.query<{ id: string; title: string; duration_minutes: number }>(
      'SELECT id, title, duration_minutes FROM movies WHERE id = $1',
      [id],
    );
    return r ? { id: r.id, title: r.title, durationMinutes: r.duration_minutes } : null;
  }

  async listShowtimes(filter: { movieId?: string } = {}): Promise<Showtime[]> {
    const rows = filter.movieId
      ? await this.db.query<ShowtimeRow>(`${SHOWTIME_SELECT} WHERE s.movie_id = $1 ORDER BY s.starts_at, s.id`, [filter.movieId])
      : await this.db.query<ShowtimeRow>(`${SHOWTIME_SELECT} ORDER BY s.starts_at, s.id`);
    return rows.map(toShowtime);
  }

  async getShowtime(id: string): Promise<Showtime | null> {
    const [r] = await this.db.query<ShowtimeRow>(`${SHOWTIME_SELECT} WHERE s.id = $1`, [id]);
    return r ? toShowtime(r) : null;
  }

  async saveMovie(m: Movie): Promise<void> {
    await this.db.query(
      `INSERT INTO movies (id, title, duration_minutes) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, duration_minutes = excluded.duration_minutes`,
      [m.id, m.title, m.durationMinutes],
    );
  }

  async saveTheater(t: Theater): Promise<void> {
    await this.db.query('INSERT INTO theaters (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [t.id, t.name]);
  }

  async saveScreen(s: Screen): Promise<void> {
    const layout = JSON.stringify(layoutToInput(s.layout));
    await this.db.transaction(async (tx) => {
      const [theater] = await tx.query('SELECT 1 FROM theaters WHERE id = $1', [s.theaterId]);
      if (!theater) throw new BoxofficeError('THEATER_NOT_FOUND', { theaterId: s.theaterId });
      // The screen row's lock also serialises this with saveShowtime of the same screen.
      const [current] = await tx.query<{ same: boolean }>('SELECT layout = $2::jsonb AS same FROM screens WHERE id = $1 FOR UPDATE', [s.id, layout]);
      if (current && !current.same) {
        // A booking's transaction holds its showtime row FOR SHARE while it checks the layout and
        // writes (insertBooking.sql): locking the screen's showtimes FOR UPDATE waits for a booking
        // being written, so the check below sees it, and a booking that comes later waits for this
        // change and checks the new layout.
        await tx.query('SELECT id FROM showtimes WHERE screen_id = $1 ORDER BY id FOR UPDATE', [s.id]);
        const booked = await tx.query<{ id: string }>(
          'SELECT DISTINCT s.id FROM showtimes s JOIN bookings b ON b.showtime_id = s.id WHERE s.screen_id = $1 ORDER BY s.id',
          [s.id],
        );
        if (booked.length > 0) {
          const ids = booked.map((b) => b.id);
          throw new BoxofficeError('LAYOUT_LOCKED', { screenId: s.id, showtimes: ids });
        }
      }
      await tx.query(
        `INSERT INTO screens (id, theater_id, name, layout) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET theater_id = excluded.theater_id, name = excluded.name, layout = excluded.layout`,
        [s.id, s.theaterId, s.name, layout],
      );
    });
  }

  async saveShowtime(s: ShowtimeInput): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [movie] = await tx.query<{ duration_minutes: number }>('SELECT duration_minutes FROM movies WHERE id = $1', [s.movieId]);
      if (!movie) throw new BoxofficeError('MOVIE_NOT_FOUND', { movieId: s.movieId });
      // Locking the screen row serialises every change of this screen's showtimes, so two
      // overlapping showtimes created at once cannot both pass the check below.
      const [screen] = await tx.query('SELECT 1 FROM screens WHERE id = $1 FOR UPDATE', [s.screenId]);
      if (!screen) throw new BoxofficeError('SCREEN_NOT_FOUND', `screen ${s.screenId} does not exist`, { screenId: s.screenId });
      // Lock first, look for bookings after, in a statement of its own: its fresh snapshot sees a
      // booking that held the showtime row (insertBooking.sql) until it committed.
      const [existing] = await tx.query<{ screen_id: string }>('SELECT screen_id FROM showtimes WHERE id = $1 FOR UPDATE', [s.id]);
      const [booked] = existing && existing.screen_id !== s.screenId ? await tx.query('SELECT 1 FROM bookings WHERE showtime_id = $1 LIMIT 1', [s.id]) : [];
      if (booked) {
        throw new BoxofficeError('LAYOUT_LOCKED', `showtime ${s.id} has bookings and cannot move to another screen`, { showtimeId: s.id });
      }
      const overlapping = await tx.query<{ id: string }>(
        `SELECT o.id FROM showtimes o JOIN movies m ON m.id = o.movie_id
         WHERE o.screen_id = $1 AND o.id <> $2
           AND o.starts_at < to_timestamp($3 / 1000.0) + make_interval(mins => $4)
           AND o.starts_at + make_interval(mins => m.duration_minutes) > to_timestamp($3 / 1000.0)
         ORDER BY o.starts_at`,
        [s.screenId, s.id, s.startsAt, movie.duration_minutes],
      );
      if (overlapping.length > 0) {
        const ids = overlapping.map((o) => o.id);
        throw new BoxofficeError('SHOWTIME_OVERLAP', `showtime ${s.id} overlaps showtime ${ids.join(', ')} in screen ${s.screenId}`, { screenId: s.screenId, showtimes: ids });
      }
      await tx.query(
        `INSERT INTO showtimes (id, movie_id, screen_id, starts_at, prices)
         VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), coalesce($5::jsonb, '{"currency": "EUR", "standard": 0, "premium": 0, "accessible": 0}'))
         ON CONFLICT (id) DO UPDATE SET movie_id = excluded.movie_id, screen_id = excluded.screen_id, starts_at = excluded.starts_at,
           prices = coalesce($5::jsonb, showtimes.prices)`,
        [s.id, s.movieId, s.screenId, s.startsAt, s.prices ? JSON.stringify(s.prices) : null],
      );
    });
  }

  async isEmpty(): Promise<boolean> {
    const [r] = await this.db.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM movies) AS empty');
    return r!.empty;
  }

  /**
   * One transaction: lock the showtime row FOR SHARE, then one statement that checks the seats
   * against the current layout and writes the booking with all its seats (insertBooking.sql, whose
   * header gives the lock order shared with saveScreen and saveShowtime).
   */
  async insertBooking(b: Omit<Booking, 'createdAt'>): Promise<Booking> {
    let row: { created_at_ms: number | null; removed: string[]; blocked: string[] };
    try {
      row = await this.db.transaction(async (tx) => {
        await tx.query('SELECT 1 FROM showtimes WHERE id = $1 FOR SHARE', [b.showtimeId]);
        const [r] = await tx.query<{ created_at_ms: number | null; removed: string[]; blocked: string[] }>(query('insertBooking'), [b.id, b.showtimeId, b.owner, b.seats]);
        return r!;
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const taken = await this.db.query<{ seat_id: string }>(
        'SELECT seat_id FROM booked_seats WHERE showtime_id = $1 AND seat_id = ANY($2::text[]) AND booking_id <> $3 ORDER BY seat_id',
        [b.showtimeId, b.seats, b.id],
      );
      throw storeError(StoreCode.SEAT_UNAVAILABLE, { showtimeId: b.showtimeId, seats: taken.map((t) => t.seat_id) });
    }
    if (row.removed.length > 0) {
      throw new BoxofficeError('SEAT_NOT_FOUND', `showtime ${b.showtimeId} has no seat ${row.removed.join(', ')}`, { showtimeId: b.showtimeId, seats: row.removed, layout: 'removed' });
    }
    if (row.blocked.length > 0) {
      throw new BoxofficeError('SEAT_UNAVAILABLE', `seat ${row.blocked.join(', ')} of showtime ${b.showtimeId} is blocked and not for sale`, { showtimeId: b.showtimeId, seats: row.blocked, layout: 'blocked' });
    }
    if (row.created_at_ms != null) return { ...b, seats: [...b.seats].sort(), createdAt: row.created_at_ms };
    // Written before (a retried confirm): the stored booking is the answer.
    return (await this.getBooking(b.id))!;
  }

  async getBooking(id: string): Promise<Booking | null> {
    const [row] = await this.db.query<BookingRow>(`${BOOKING_SELECT} WHERE b.id = $1`, [id]);
    return row ? toBooking(row) : null;
  }

  async bookingsOf(owner: string): Promise<Booking[]> {
    const rows = await this.db.query<BookingRow>(`${BOOKING_SELECT} WHERE b.owner = $1 AND b.cancelled_at IS NULL ORDER BY b.created_at, b.id`, [owner]);
    return rows.map(toBooking);
  }

  async bookedSeats(showtimeId: string): Promise<{ bookingId: string; owner: string; seats: string[] }[]> {
    const rows = await this.db.query<{ id: string; owner: string; seats: string[] }>(
      `SELECT b.id, b.owner, array_agg(bs.seat_id ORDER BY bs.seat_id) AS seats
       FROM bookings b JOIN booked_seats bs ON bs.booking_id = b.id
       WHERE b.showtime_id = $1 GROUP BY b.id, b.owner ORDER BY b.id`,
      [showtimeId],
    );
    return rows.map((r) => ({ bookingId: r.id, owner: r.owner, seats: r.seats }));
  }

  async cancelBooking(id: string): Promise<{ showtimeId: string; seats: string[] } | null> {
    const [row] = await this.db.query<{ showtime_id: string; seats: string[] }>(query('cancelBooking'), [id]);
    return row ? { showtimeId: row.showtime_id, seats: row.seats } : null;
  }
}

