-- settlePaymentMessage: the outcome of one delivery of the embedded queue, in one statement.
--   $1 bigint  the message (outbox row) id
--   $2 int     the delivery's number, as claimed: a consumer whose lease ran out (and whose message
--              was claimed again by another) no longer matches and changes nothing
--   $3 text    'done' (the handler succeeded), 'retry' (it failed: due again after $5 ms) or
--              'dead' (it failed at the last attempt: dead-lettered)
--   $4 text    the handler's error (null for 'done')
--   $5 bigint  the retry delay in ms (only for 'retry')
-- Returns the row's id when it was settled, nothing when the delivery was no longer the caller's.
-- Locks: the one row.
UPDATE payment_outbox
SET done_at = CASE WHEN $3::text = 'done' THEN now() END,
    dead_at = CASE WHEN $3::text = 'dead' THEN now() END,
    next_attempt_at = CASE WHEN $3::text = 'retry' THEN now() + $5::bigint * interval '1 millisecond' ELSE next_attempt_at END,
    last_error = coalesce($4::text, last_error),
    locked_until = NULL
WHERE id = $1::bigint AND attempts = $2::int AND done_at IS NULL AND dead_at IS NULL
RETURNING id
