-- Login throttling and revocable sessions (src/stores/postgres/account-repository.ts; issue 10,
-- findings 5 and 11). Replaces the per-account lockout, which anyone could trigger, and the refresh
-- token table, which knew no sessions: everyone logs in once more after this migration.

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- One row per throttle key, the SHA-256 of ["pair", email, address] or ["email", email]: unknown
-- emails are throttled exactly like known ones, and no raw input is stored.
CREATE TABLE login_throttles (
  key text PRIMARY KEY,
  -- attempts since the last success, counted before the password is checked
  attempts integer NOT NULL,
  -- no further attempt is checked before this
  next_at timestamptz NOT NULL,
  -- a (email, address) pair that has logged in: exempt from the per-email bound
  trusted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_throttles_updated_idx ON login_throttles (updated_at);

DROP TABLE user_sessions;

-- A session is one login and every refresh token rotated from it (a token family). Its id is in
-- every access token it issued (`sid`), so revoking it ends the access tokens too.
CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are random; only their SHA-256 is kept. A used token stays (used_at set) until it
-- expires, so presenting it again is recognised as reuse and revokes its session.
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
