-- loseAnswer: for a lose_answer card, marks the successful charge of an idempotency key as having
-- lost its answer, the first time only (the guarded update lets one call through, whatever races).
--
-- Takes:   $1 idempotency key
-- Returns: one row (id) when this call's answer is to be lost; no row otherwise.
UPDATE gateway_charges ch SET answer_lost = true
FROM gateway_cards c
WHERE ch.idempotency_key = $1 AND ch.outcome = 'succeeded' AND NOT ch.answer_lost
  AND c.token = ch.token AND c.behaviour = 'lose_answer'
RETURNING ch.id
