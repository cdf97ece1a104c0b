-- checkInTicket: checks one ticket (a seat of an order) in at the door, at most once, and only
-- while its order is paid. Decides in one statement; what it returns says why it refused.
--
-- The order row is read FOR SHARE: a refund or cancel (an UPDATE of the row) that is under way
-- makes this wait and then see the order as that UPDATE left it (READ COMMITTED re-reads a locked
-- row), and one that comes later waits for this check-in. Concurrent check-ins of one ticket all
-- share the order row and race on ticket_checkins' primary key: ON CONFLICT DO NOTHING makes the
-- losers wait for the winner's commit and write nothing. A loser's `used_ms` below can miss the
-- winner's row (this statement's snapshot is older than that commit): the caller reads it again.
--
-- Takes:   $1 order id   $2 seat id   $3 showtime id at the door (text, or null: any)
--          $4 who checks in (text)
-- Returns: no row when the order does not exist; else one row: showtime_id, state,
--          kind (null when the order has no such seat), checked_in_ms (bigint: this check-in,
--          null when nothing was written), used_ms (bigint: an earlier check-in, when seen)
-- Locks:   the orders row FOR SHARE, then the ticket_checkins row (insert), until the transaction ends.
WITH target AS (
  SELECT id, showtime_id, state,
    (SELECT l ->> 'kind' FROM jsonb_array_elements(lines) AS l WHERE l ->> 'seat' = $2::text LIMIT 1) AS kind
  FROM orders
  WHERE id = $1
  FOR SHARE
), checked AS (
  INSERT INTO ticket_checkins (ticket_id, order_id, showtime_id, seat_id, checked_in_by)
  SELECT id || '.' || $2::text, id, showtime_id, $2::text, $4
  FROM target
  WHERE kind IS NOT NULL AND state = 'paid' AND ($3::text IS NULL OR showtime_id = $3::text)
  ON CONFLICT (ticket_id) DO NOTHING
  RETURNING checked_in_at
)
SELECT t.showtime_id, t.state, t.kind,
  (SELECT (extract(epoch from checked_in_at) * 1000)::bigint FROM checked) AS checked_in_ms,
  (SELECT (extract(epoch from c.checked_in_at) * 1000)::bigint FROM ticket_checkins c WHERE c.ticket_id = t.id || '.' || $2::text) AS used_ms
FROM target t
