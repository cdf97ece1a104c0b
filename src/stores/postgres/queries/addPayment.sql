-- addPayment: records a payment attempt and the outbox message that carries it to the payment
-- worker, in one statement (G10: a crash can never keep one without the other), unless the order
-- cannot take a payment now.
--
-- Runs inside addPayment's transaction, right after
--   SELECT ... FROM orders WHERE id = $order FOR UPDATE
-- That lock serialises every attempt of one order, and this statement, being a statement of its
-- own, reads with a snapshot taken after the lock: it sees a payment another attempt wrote before
-- it committed. (A CTE that locked and read at once would read with the snapshot from before it
-- waited, and let two attempts both pass the "none pending" check.)
--
-- Takes:   $1 payment id   $2 order id   $3 amount   $4 currency   $5 card brand   $6 card last4
--          $7 gateway token   $8 now epoch ms (the payment window is open while expires_at > now)
-- Returns: one row: status ('ok' | 'not_found' | 'not_payable' | 'in_progress'), state (the
--          order's), pending_id (the pending payment, for in_progress), and the payment's columns
--          when ok.
-- Locks:   (the order row, taken before), the new payment and outbox rows.
WITH o AS (
  SELECT id, state, expires_at > to_timestamp($8::float8 / 1000) AS open FROM orders WHERE id = $2
), pending AS (
  SELECT id FROM payments WHERE order_id = $2 AND state = 'pending' ORDER BY created_at LIMIT 1
), verdict AS (
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM o) THEN 'not_found'
    WHEN (SELECT state FROM o) <> 'pending_payment' OR NOT (SELECT open FROM o) THEN 'not_payable'
    WHEN EXISTS (SELECT 1 FROM pending) THEN 'in_progress'
    ELSE 'ok'
  END AS status
), pay AS (
  INSERT INTO payments (id, order_id, state, amount, currency, card_brand, card_last4, gateway_token)
  SELECT $1, $2, 'pending', $3, $4, $5, $6, $7 FROM verdict WHERE status = 'ok'
  RETURNING id, order_id, state, amount, currency, card_brand, card_last4, gateway_token, charge_id, reason,
    (extract(epoch from created_at) * 1000)::bigint AS created_at_ms,
    (extract(epoch from updated_at) * 1000)::bigint AS updated_at_ms
), box AS (
  INSERT INTO payment_outbox (kind, order_id, subject_id)
  SELECT 'charge', order_id, id FROM pay
)
SELECT v.status, (SELECT state FROM o) AS order_state, (SELECT id FROM pending) AS pending_id, pay.*
FROM verdict v LEFT JOIN pay ON true
