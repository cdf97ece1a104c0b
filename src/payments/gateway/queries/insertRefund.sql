-- insertRefund: refunds a successful charge in full, once per idempotency key. Of two racing calls
-- with one key exactly one inserts; a second key for the same charge violates charge_id's UNIQUE
-- (one full refund per charge).
--
-- Takes:   $1 idempotency key   $2 new refund id   $3 charge id   $4 amount (must be the charge's)
-- Returns: the inserted row (id, charge_id, amount), or no row when the key had a refund already or
--          the charge is unknown, not succeeded, or of another amount (the caller finds out which).
-- Fails:   unique violation on charge_id when the charge was refunded under another key.
INSERT INTO gateway_refunds (idempotency_key, id, charge_id, amount)
SELECT $1, $2, ch.id, ch.amount
FROM gateway_charges ch
WHERE ch.id = $3 AND ch.outcome = 'succeeded' AND ch.amount = $4
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, charge_id, amount
