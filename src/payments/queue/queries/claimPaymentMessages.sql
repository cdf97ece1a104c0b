-- claimPaymentMessages: the embedded queue's delivery. Takes up to $1 messages that are due (not
-- done, not dead, their retry delay over, nobody's lease running) and leases them to the caller for
-- $2 ms, counting the delivery.
--   $1 int     how many at most (the consumer's free prefetch slots)
--   $2 bigint  lease in ms; the consumer renews it while its handler runs, so a lease runs out only
--              when the consumer stopped (crashed, killed): the message is then delivered again
-- Returns id, kind, order_id, subject_id, attempts (this delivery's number, 1 for the first; above the
-- queue's maxAttempts when the last delivery's consumer died: the caller dead-letters it).
-- Locks: the claimed rows, FOR UPDATE SKIP LOCKED, oldest due first: consumers in any number of
-- processes never wait for each other and never take the same row. The lease, not the row lock,
-- keeps the message theirs after this statement commits.
UPDATE payment_outbox o
SET attempts = o.attempts + 1,
    locked_until = now() + $2::bigint * interval '1 millisecond'
WHERE o.id IN (
  SELECT id FROM payment_outbox
  WHERE done_at IS NULL AND dead_at IS NULL
    AND next_attempt_at <= now()
    AND (locked_until IS NULL OR locked_until <= now())
  ORDER BY next_attempt_at, id
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
RETURNING o.id::text AS id, o.kind, o.order_id, o.subject_id, o.attempts
