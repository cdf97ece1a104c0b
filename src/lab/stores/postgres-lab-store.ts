import type { LabAnomaly, LabBookingRequest, LabBookingRow, LabDatabase, LabSeatRow } from '../lab-ports.ts';
import type { Db, Queryable } from '../../stores/postgres/db.ts';

/*
 * The Concurrency Lab's tables (migrations/0001_lab_tables.sql), in the lab's own database (lab-db.ts). Each method is one of the lab's code paths
 * written plainly, the unsafe one included: it is meant to be wrong, so it can be raced.
 */

const SEAT_COLUMNS = 'seat_id AS seat, status, buyer, version';
const BOOKING_COLUMNS = 'id, booking_id AS "bookingId", seat_id AS seat, buyer, mode, created_at_ms AS at';
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

const INSERT_BOOKINGS = `
  INSERT INTO lab_bookings (booking_id, showtime_id, seat_id, buyer, mode, created_at_ms)
  SELECT $1, $2, seat, $3, $4, ${NOW_MS} FROM unnest($5::text[]) AS seat`;

export class PostgresLabStore implements LabDatabase {
  readonly kind: 'pglite' | 'server';

  constructor(private readonly db: Db) {
    this.kind = db.kind;
  }

  async prepare(showtimeId: string, seats: readonly string[]): Promise<void> {
    await this.db.query(
      'INSERT INTO lab_seats (showtime_id, seat_id) SELECT $1, seat FROM unnest($2::text[]) AS seat ORDER BY seat ON CONFLICT DO NOTHING',
      [showtimeId, [...seats]],
    );
  }

  async reset(showtimeId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM lab_bookings WHERE showtime_id = $1', [showtimeId]);
      await tx.query(
        `UPDATE lab_seats SET status = 'available', buyer = NULL, version = 0
         WHERE seat_id IN (SELECT seat_id FROM lab_seats WHERE showtime_id = $1 ORDER BY seat_id FOR UPDATE) AND showtime_id = $1`,
        [showtimeId],
      );
    });
  }

  readSeats(showtimeId: string, seats: readonly string[]): Promise<LabSeatRow[]> {
    return this.db.query<LabSeatRow>(`SELECT ${SEAT_COLUMNS} FROM lab_seats WHERE showtime_id = $1 AND seat_id = ANY ($2::text[]) ORDER BY seat_id`, [showtimeId, [...seats]]);
  }

  async writeBooking(req: LabBookingRequest): Promise<void> {
    // Two statements and no transaction, no condition on the seat's status: check-then-act.
    await this.db.query(`UPDATE lab_seats SET status = 'booked', buyer = $3, version = version + 1 WHERE showtime_id = $1 AND seat_id = ANY ($2::text[])`, [
      req.showtimeId,
      req.seats,
      req.buyer,
    ]);
    await insertBookings(this.db, req);
  }

  bookForUpdate(req: LabBookingRequest, beforeWrite: () => Promise<void>): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      // Every buyer locks its seats in the same (seat id) order, so two overlapping seat sets can
      // only queue behind each other, never wait for each other in a cycle (no deadlock).
      const rows = await tx.query<LabSeatRow>(
        `SELECT ${SEAT_COLUMNS} FROM lab_seats WHERE showtime_id = $1 AND seat_id = ANY ($2::text[]) ORDER BY seat_id FOR UPDATE`,
        [req.showtimeId, req.seats],
      );
      const taken = rows.filter((r) => r.status === 'booked').map((r) => r.seat);
      if (taken.length > 0) return taken;
      await beforeWrite();
      await tx.query(`UPDATE lab_seats SET status = 'booked', buyer = $3, version = version + 1 WHERE showtime_id = $1 AND seat_id = ANY ($2::text[])`, [
        req.showtimeId,
        req.seats,
        req.buyer,
      ]);
      await insertBookings(tx, req);
      return [];
    });
  }

  async bookIfUnchanged(req: LabBookingRequest, versions: ReadonlyMap<string, number>): Promise<boolean> {
    const conflict = new Error('optimistic conflict');
    try {
      await this.db.transaction(async (tx) => {
        // One seat per statement, in seat order: the row locks an UPDATE takes are then ordered too.
        for (const seat of req.seats) {
          const updated = await tx.query(
            `UPDATE lab_seats SET status = 'booked', buyer = $3, version = version + 1
             WHERE showtime_id = $1 AND seat_id = $2 AND version = $4 AND status = 'available' RETURNING seat_id`,
            [req.showtimeId, seat, req.buyer, versions.get(seat) ?? -1],
          );
          if (updated.length === 0) throw conflict; // rolls back the seats updated so far
        }
        await insertBookings(tx, req);
      });
      return true;
    } catch (e) {
      if (e === conflict) return false;
      throw e;
    }
  }

  seats(showtimeId: string): Promise<LabSeatRow[]> {
    return this.db.query<LabSeatRow>(`SELECT ${SEAT_COLUMNS} FROM lab_seats WHERE showtime_id = $1 ORDER BY seat_id`, [showtimeId]);
  }

  async bookings(showtimeId: string, limit: number): Promise<{ rows: LabBookingRow[]; total: number }> {
    const [rows, [count]] = await Promise.all([
      this.db.query<LabBookingRow>(`SELECT ${BOOKING_COLUMNS} FROM lab_bookings WHERE showtime_id = $1 ORDER BY id DESC LIMIT $2`, [showtimeId, limit]),
      this.db.query<{ total: number }>('SELECT count(*)::int AS total FROM lab_bookings WHERE showtime_id = $1', [showtimeId]),
    ]);
    return { rows, total: count?.total ?? 0 };
  }

  async anomalies(showtimeId: string): Promise<LabAnomaly[]> {
    const rows = await this.db.query<{ seat: string; bookings: LabBookingRow[] }>(
      `SELECT seat_id AS seat,
              json_agg(json_build_object('id', id, 'bookingId', booking_id, 'seat', seat_id, 'buyer', buyer, 'mode', mode, 'at', created_at_ms) ORDER BY id) AS bookings
       FROM lab_bookings WHERE showtime_id = $1
       GROUP BY seat_id HAVING count(*) > 1 ORDER BY seat_id`,
      [showtimeId],
    );
    return rows.map((r) => ({ seat: r.seat, bookings: (typeof r.bookings === 'string' ? JSON.parse(r.bookings) : r.bookings) as LabBookingRow[] }));
  }
}

async function insertBookings(q: Queryable, req: LabBookingRequest): Promise<void> {
  await q.query(INSERT_BOOKINGS, [req.bookingId, req.showtimeId, req.buyer, req.mode, req.seats]);
}
