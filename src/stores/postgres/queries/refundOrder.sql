-- refundOrder: moves an order out of one of the given states and records a pending refund of one of
-- its payments together with the outbox message that carries the refund to the payment worker, all
-- in one statement: the order never reads refunded (or failed) without the refund on its way (G9,
-- G10), and a second caller (a redelivery, a cancel racing another) moves and refunds nothing.
--
-- Takes:   $1 order id   $2 from (text[])   $3 to   $4 reason   $5 refund id   $6 payment id
--          $7 amount   $8 currency
-- Returns: the order's row as it now is plus the refund's columns (prefixed r_), or no row when
--          the order was not in one of `from`.
-- Locks:   the order's row (the UPDATE; a racing mover waits, then re-checks `state`), the new
--          refund and outbox rows.
-- Fails:   unique violation on refunds.payment_id when the payment was refunded before.
WITH moved AS (
  UPDATE orders SET state = $3, reason = $4, updated_at = now()
  WHERE id = $1 AND state = ANY ($2::text[])
  RETURNING id, hold_id, showtime_id, owner, email, state, currency, total, lines,
    (extract(epoch from expires_at) * 1000)::bigint AS expires_at_ms, booking_id, reason,
    (extract(epoch from created_at) * 1000)::bigint AS created_at_ms,
    (extract(epoch from updated_at) * 1000)::bigint AS updated_at_ms
), refund AS (
  INSERT INTO refunds (id, order_id, payment_id, amount, currency, state, reason)
  SELECT $5, id, $6, $7, $8, 'pending', $4 FROM moved
  RETURNING id, order_id, payment_id, amount, currency, state, reason, gateway_refund_id,
    (extract(epoch from created_at) * 1000)::bigint AS created_at_ms,
    (extract(epoch from updated_at) * 1000)::bigint AS updated_at_ms
), box AS (
  INSERT INTO payment_outbox (kind, order_id, subject_id)
  SELECT 'refund', order_id, id FROM refund
)
SELECT m.*, r.id AS r_id, r.order_id AS r_order_id, r.payment_id AS r_payment_id, r.amount AS r_amount,
  r.currency AS r_currency, r.state AS r_state, r.reason AS r_reason, r.gateway_refund_id AS r_gateway_refund_id,
  r.created_at_ms AS r_created_at_ms, r.updated_at_ms AS r_updated_at_ms
FROM moved m JOIN refund r ON r.order_id = m.id
