-- insertBooking: writes a booking and all its seats, or nothing, after checking the seats against
-- the showtime's layout as it is now in the database (not as an app instance cached it). Idempotent
-- by booking id: a booking written before is left as it is (no created_at returned).
--
-- Runs inside the booking's transaction, right after
--   SELECT 1 FROM showtimes WHERE id = $showtime FOR SHARE
-- That lock is what makes the layout check hold against an admin's change (issue 10, finding 6).
-- Lock order, the same in every writer, so none can deadlock:
--   admin, saveScreen:     the screens row FOR UPDATE, then its showtimes rows FOR UPDATE (by id),
--                          then, in a statement of its own, it looks for bookings
--   admin, saveShowtime:   the (new) screens row FOR UPDATE, then the showtime row FOR UPDATE,
--                          then, in a statement of its own, it looks for bookings
--   booking (this):        the showtime row FOR SHARE, nothing else waited for
-- The admin's look for bookings must be a statement after its lock: a statement that locks and
-- reads in one (a subquery) reads with the snapshot it took before it waited, and misses the
-- booking it waited for.
-- Either the admin's change commits first: the booking waits on the showtime row, then this
-- statement (a new snapshot under READ COMMITTED) reads the new layout and refuses the seats; or
-- the booking commits first: the admin waits on the showtime row, then sees the booking and
-- answers LAYOUT_LOCKED. Both never succeed.
--
-- Takes:   $1 booking id   $2 showtime id   $3 owner   $4 seat ids (text[])
-- Returns: one row: created_at_ms (null when nothing was written: refused, or written before),
--          removed (text[], seats the layout no longer has), blocked (text[], seats it blocks)
-- Fails:   unique violation on booked_seats' primary key when another booking has a seat (G1).
WITH layout AS (
  -- Only the rows the booking has seats in are expanded, not the whole hall.
  SELECT (r ->> 'label') || (seat ->> 'number') AS seat_id, coalesce((seat ->> 'blocked')::boolean, false) AS blocked
  FROM showtimes s
  JOIN screens sc ON sc.id = s.screen_id
  CROSS JOIN LATERAL jsonb_array_elements(sc.layout -> 'rows') AS r
  CROSS JOIN LATERAL jsonb_array_elements(r -> 'seats') AS seat
  WHERE s.id = $2
    AND r ->> 'label' IN (SELECT substring(w from '^[A-Z]+') FROM unnest($4::text[]) AS w)
    AND jsonb_typeof(seat) = 'object'
), wanted AS (
  SELECT w.seat_id, l.seat_id IS NULL AS removed, coalesce(l.blocked, false) AS blocked
  FROM unnest($4::text[]) AS w (seat_id)
  LEFT JOIN layout l USING (seat_id)
), booking AS (
  INSERT INTO bookings (id, showtime_id, owner)
  SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM wanted WHERE removed OR blocked)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, created_at
), seats AS (
  -- Runs whether or not the SELECT below reads it (a data-modifying WITH always runs to completion).
  INSERT INTO booked_seats (showtime_id, seat_id, booking_id)
  SELECT $2, unnest($4::text[]), id FROM booking
)
SELECT
  (SELECT (extract(epoch from created_at) * 1000)::bigint FROM booking) AS created_at_ms,
  array(SELECT seat_id FROM wanted WHERE removed ORDER BY seat_id) AS removed,
  array(SELECT seat_id FROM wanted WHERE blocked AND NOT removed ORDER BY seat_id) AS blocked
