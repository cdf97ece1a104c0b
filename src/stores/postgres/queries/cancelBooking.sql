-- cancelBooking: cancels a booking in one statement: the bookings row stays (an order points at it)
-- with cancelled_at set the first time, and its booked_seats rows are deleted, which frees the seats
-- for sale (UNIQUE (showtime_id, seat_id) on booked_seats is what a new booking meets). Idempotent:
-- a second call finds no seats to delete and keeps the first cancelled_at.
--
-- Takes:   $1 booking id
-- Returns: one row (showtime_id, seats: text[] of the seats freed now, sorted), or no row for an
--          unknown booking.
-- Locks:   the bookings row, then its booked_seats rows (deleted). A racing insertBooking of the
--          same id does nothing (ON CONFLICT on the id), so it cannot bring the seats back.
WITH b AS (
  UPDATE bookings SET cancelled_at = coalesce(cancelled_at, now())
  WHERE id = $1
  RETURNING id, showtime_id
), freed AS (
  DELETE FROM booked_seats WHERE booking_id IN (SELECT id FROM b) RETURNING seat_id
)
SELECT b.showtime_id, array(SELECT seat_id FROM freed ORDER BY seat_id) AS seats FROM b
