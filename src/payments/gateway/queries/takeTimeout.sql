-- takeTimeout: counts one more timeout for an idempotency key of a time_out card, while the key has
-- timed out fewer times than the card says; one statement, so racing calls never over-count.
--
-- Takes:   $1 idempotency key   $2 card token
-- Returns: one row (count) when this call is to time out; no row when the card does not time out or
--          the key has had all its timeouts.
INSERT INTO gateway_timeouts (idempotency_key, count)
SELECT $1, 1 FROM gateway_cards WHERE token = $2 AND behaviour = 'time_out' AND timeouts > 0
ON CONFLICT (idempotency_key) DO UPDATE SET count = gateway_timeouts.count + 1
  WHERE gateway_timeouts.count < (SELECT timeouts FROM gateway_cards WHERE token = $2)
RETURNING count
