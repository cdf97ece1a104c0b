-- upsertReview: writes a user's review of a movie, or rewrites their earlier one, only when they
-- may review it: a paid order of theirs (owner 'user:<id>'; refunded, cancelled and failed orders
-- do not count) for a showtime of the movie that started before `now`. The check and the write
-- are one statement: two first reviews sent at once end as one row (UNIQUE (movie_id, user_id)).
-- A rewrite keeps the review's id, creation time and hidden_at: editing does not undo a hide.
--
-- Takes:   $1 review id (used when new)   $2 movie id   $3 user id   $4 stars (1-5)   $5 text
--          $6 now (epoch ms)
-- Returns: no row when the user may not review the movie; else the review's row, with
--          created (bool: true when this statement inserted it)
-- Locks:   the reviews row (insert or update), until the statement ends.
INSERT INTO reviews AS r (id, movie_id, user_id, stars, text)
SELECT $1, $2, $3, $4, $5
WHERE EXISTS (
  SELECT 1
  FROM orders o
  JOIN showtimes s ON s.id = o.showtime_id
  WHERE o.owner = 'user:' || $3::text
    AND o.state = 'paid'
    AND s.movie_id = $2
    AND s.starts_at <= to_timestamp($6::float8 / 1000)
)
ON CONFLICT (movie_id, user_id) DO UPDATE SET stars = excluded.stars, text = excluded.text, updated_at = now()
RETURNING r.id, r.movie_id, r.user_id, r.stars, r.text, r.hidden_at IS NOT NULL AS hidden,
  (extract(epoch from r.created_at) * 1000)::bigint AS created_ms,
  (extract(epoch from r.updated_at) * 1000)::bigint AS updated_ms,
  (xmax = 0) AS created
