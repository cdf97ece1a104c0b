-- moveOrder: moves an order from one of the given states to another, in one guarded statement. Two
-- movers racing (a redelivered payment message, the expiry sweep, a cancel) both wait on the row
-- lock; the second re-checks `state` against the row the first committed and moves nothing.
-- A move to 'expired' also needs the payment window over and no payment pending: a payment being
-- processed settles the order itself. (A cancel does not wait for one: the payment processor
-- refunds a charge that finds its order cancelled.)
--
-- Runs inside moveOrder's transaction, right after
--   SELECT 1 FROM orders WHERE id = $order FOR UPDATE
-- the lock addPayment takes too: this statement's snapshot, taken after the lock, sees a payment
-- an attempt wrote before it committed (a subquery of an UPDATE that waited for the lock would
-- read with the snapshot from before it waited, and miss it).
--
-- Takes:   $1 order id   $2 from (text[])   $3 to   $4 booking id or null (kept when null)
--          $5 reason or null (kept when null)   $6 expires_at epoch ms or null (kept when null)
--          $7 now epoch ms (for the 'expired' guard)
-- Returns: the order's row as it now is, or no row when it was not in one of `from`.
-- Locks:   the order's row (taken before), until the transaction ends.
UPDATE orders o SET
  state = $3,
  booking_id = coalesce($4, o.booking_id),
  reason = coalesce($5, o.reason),
  expires_at = coalesce(to_timestamp($6::float8 / 1000), o.expires_at),
  updated_at = now()
WHERE o.id = $1
  AND o.state = ANY ($2::text[])
  AND ($3 <> 'expired' OR (
    o.expires_at <= to_timestamp($7::float8 / 1000)
    AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = 'pending')
  ))
RETURNING o.id, o.hold_id, o.showtime_id, o.owner, o.email, o.state, o.currency, o.total, o.lines,
  (extract(epoch from o.expires_at) * 1000)::bigint AS expires_at_ms, o.booking_id, o.reason,
  (extract(epoch from o.created_at) * 1000)::bigint AS created_at_ms,
  (extract(epoch from o.updated_at) * 1000)::bigint AS updated_at_ms
