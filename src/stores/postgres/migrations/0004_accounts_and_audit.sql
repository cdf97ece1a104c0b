-- Accounts (src/stores/postgres/account-repository.ts) and the admin audit log.
-- A password is stored only as its scrypt hash (`scrypt$N$r$p$salt$hash`), never in the clear.

CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Login lockout: failures since the last success, and until when logins are refused.
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz
);

-- Refresh tokens are random; only their SHA-256 is kept, so a database leak does not leak sessions.
CREATE TABLE user_sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);

-- Who did what when, for every admin change and force-release.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

CREATE INDEX showtimes_screen_idx ON showtimes (screen_id, starts_at);
