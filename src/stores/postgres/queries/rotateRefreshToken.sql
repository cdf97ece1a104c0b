-- rotateRefreshToken: spends a live refresh token of a live session and issues its successor in the
-- same session, in one statement. A token is spent once: of two concurrent refreshes with it, the
-- second waits on the row lock, then re-checks `used_at IS NULL` on the newest row and gets nothing.
-- The spent row is kept (used_at set) so a later reuse is recognised (revokeReusedRefreshToken).
--
-- Takes:   $1 hash of the presented token   $2 hash of its successor   $3 successor's expiry (epoch ms)
-- Returns: one row (session_id, user_id) when the token was spent; none otherwise.
-- Locks:   the presented token's row; then inserts the successor's.
WITH spent AS (
  UPDATE refresh_tokens r SET used_at = now()
  FROM sessions s
  WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
    AND s.id = r.session_id AND s.revoked_at IS NULL
  RETURNING r.session_id, s.user_id
), issued AS (
  INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
  SELECT $2, session_id, to_timestamp($3::float8 / 1000.0) FROM spent
  RETURNING session_id
)
SELECT spent.session_id, spent.user_id FROM spent JOIN issued USING (session_id)
