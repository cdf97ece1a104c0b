-- retryDeadLetter: an admin sends a dead letter back as a first delivery (both queues: the embedded
-- one claims it again; RabbitMQ's relay publishes it again, as it is unpublished once more).
--   $1 bigint  the message (outbox row) id
-- Returns the row's id, or nothing when it is not (or no longer) dead.
-- Locks: the one row; two admins clicking "retry" at once: one wins, the other gets nothing.
UPDATE payment_outbox
SET dead_at = NULL,
    last_error = NULL,
    attempts = 0,
    next_attempt_at = now(),
    locked_until = NULL,
    published_at = NULL
WHERE id = $1::bigint AND dead_at IS NOT NULL
RETURNING id
