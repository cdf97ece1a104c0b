-- revokeReusedRefreshToken: a refresh token that was already spent is presented again. Either its
-- holder or a thief has the successor, and the server cannot tell which: the whole session (every
-- token rotated from the same login, and the access tokens it issued) is revoked.
--
-- Takes:   $1 hash of the presented token
-- Returns: one row (session_id) when a live session was revoked; none otherwise.
-- Locks:   the session's row.
UPDATE sessions s SET revoked_at = now()
FROM refresh_tokens r
WHERE r.token_hash = $1 AND r.used_at IS NOT NULL AND s.id = r.session_id AND s.revoked_at IS NULL
RETURNING s.id AS session_id
