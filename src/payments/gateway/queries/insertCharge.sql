-- insertCharge: records the charge of an idempotency key, unless that key has one already: the
-- primary key on idempotency_key decides, so of two racing calls with one key exactly one inserts
-- (the other waits for it to commit, then inserts nothing). The outcome follows from the card.
--
-- The caller reads the existing charge in a statement of its own when nothing was inserted: a
-- SELECT in this statement would read the snapshot taken before it waited for the racing insert,
-- and miss that charge.
--
-- Takes:   $1 idempotency key   $2 new charge id   $3 card token   $4 amount   $5 currency
-- Returns: the inserted row (id, token, amount, currency, outcome, decline_reason), or no row when the
--          key had a charge already or the token is unknown.
INSERT INTO gateway_charges (idempotency_key, id, token, amount, currency, outcome, decline_reason)
SELECT $1, $2, c.token, $4, $5,
       CASE WHEN c.behaviour = 'decline' THEN 'declined' ELSE 'succeeded' END,
       c.decline_reason
FROM gateway_cards c
WHERE c.token = $3
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, token, amount, currency, outcome, decline_reason
