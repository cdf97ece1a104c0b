-- paymentQueueDepth: the outbox's messages by where they are, for the admin (one scan of the rows
-- not done; dead rows through their index).
-- Returns one row: waiting (not done, not dead, nobody's lease running), leased (a consumer's lease
-- running), unpublished (not yet confirmed by RabbitMQ, not done, not dead), open (not done, not
-- dead), dead.
-- Locks: none.
SELECT
  count(*) FILTER (WHERE done_at IS NULL AND dead_at IS NULL AND (locked_until IS NULL OR locked_until <= now()))::int AS waiting,
  count(*) FILTER (WHERE done_at IS NULL AND dead_at IS NULL AND locked_until > now())::int AS leased,
  count(*) FILTER (WHERE done_at IS NULL AND dead_at IS NULL AND published_at IS NULL)::int AS unpublished,
  count(*) FILTER (WHERE done_at IS NULL AND dead_at IS NULL)::int AS open,
  count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead
FROM payment_outbox
WHERE done_at IS NULL
