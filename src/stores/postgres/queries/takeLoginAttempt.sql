-- takeLoginAttempt: counts one login attempt against a throttle key BEFORE the password is checked,
-- and says whether it may be checked now. The first `free` attempts since the last success pass at
-- once; the one that reaches `free` sets a delay of base_ms, and each further attempt let through
-- doubles it, up to max_ms. An attempt refused for the delay changes nothing (it is not counted,
-- so hammering does not push the delay further).
--
-- Atomic in one statement: INSERT ... ON CONFLICT DO UPDATE takes the key's row lock, and a
-- concurrent attempt waiting on it re-checks the WHERE against the newest row, so N parallel
-- guesses are counted N times and at most `free` of them are ever checked before the delay.
--
-- Takes:   $1 key (text, a SHA-256)   $2 free (int)   $3 base_ms (float8)   $4 max_ms (float8)
-- Returns: one row: taken (bool), trusted (bool, the key's trusted flag when taken),
--          retry_ms (bigint, how long until the next attempt may be checked, when not taken)
-- Locks:   the key's row in login_throttles, until the statement ends (it runs on its own).
WITH taken AS (
  INSERT INTO login_throttles AS t (key, attempts, next_at)
  VALUES ($1, 1, CASE WHEN 1 >= $2::int THEN now() + make_interval(secs => $3::float8 / 1000) ELSE now() END)
  ON CONFLICT (key) DO UPDATE SET
    attempts = t.attempts + 1,
    next_at = CASE
      WHEN t.attempts + 1 >= $2::int
        THEN now() + make_interval(secs => least($4::float8, $3::float8 * power(2, t.attempts + 1 - $2::int)) / 1000)
      ELSE t.next_at
    END,
    updated_at = now()
  WHERE t.attempts < $2::int OR t.next_at <= now()
  RETURNING t.trusted
)
SELECT
  EXISTS (SELECT 1 FROM taken) AS taken,
  coalesce((SELECT trusted FROM taken), false) AS trusted,
  coalesce((SELECT ceil(extract(epoch from t.next_at - now()) * 1000)::bigint FROM login_throttles t WHERE t.key = $1), 0) AS retry_ms
