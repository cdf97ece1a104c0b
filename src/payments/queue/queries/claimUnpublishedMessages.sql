-- claimUnpublishedMessages: the RabbitMQ relay's batch: outbox rows not yet confirmed by the broker.
--   $1 int  how many at most
-- Returns id, kind, order_id, subject_id, oldest first.
-- Locks: the rows, FOR UPDATE SKIP LOCKED, held by the relay's transaction until the broker confirmed
-- every message and published_at is set: relays in several processes never publish one row twice
-- (a crash before the commit publishes it again: at least once, which the handler tolerates).
SELECT id::text AS id, kind, order_id, subject_id
FROM payment_outbox
WHERE published_at IS NULL AND done_at IS NULL AND dead_at IS NULL
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
