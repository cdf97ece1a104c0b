-- loginSucceeded: the password was right. Both throttle keys start over, and the (email, address)
-- pair becomes trusted: exempt from the per-email bound, so however many addresses guess at an
-- email, its owner still logs in from an address they used before.
--
-- Takes:   $1 the pair key   $2 the email key
-- Returns: nothing
-- Locks:   the two rows, in one statement.
UPDATE login_throttles
SET attempts = 0, next_at = now(), trusted = trusted OR key = $1, updated_at = now()
WHERE key IN ($1, $2)
