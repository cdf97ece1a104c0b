-- The catalog and confirmed bookings. PostgreSQL is the source of truth for bookings (G7);
-- booked_seats' primary key on (showtime_id, seat_id) is the last line against a double sale (G1).

CREATE TABLE movies (
  id text PRIMARY KEY,
  title text NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes > 0)
);

CREATE TABLE theaters (
  id text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE screens (
  id text PRIMARY KEY,
  theater_id text NOT NULL REFERENCES theaters (id),
  name text NOT NULL,
  layout jsonb NOT NULL
);

CREATE TABLE showtimes (
  id text PRIMARY KEY,
  movie_id text NOT NULL REFERENCES movies (id),
  screen_id text NOT NULL REFERENCES screens (id),
  starts_at timestamptz NOT NULL
);
CREATE INDEX showtimes_movie_idx ON showtimes (movie_id, starts_at);

CREATE TABLE bookings (
  id text PRIMARY KEY,
  showtime_id text NOT NULL REFERENCES showtimes (id),
  owner text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_owner_idx ON bookings (owner, created_at);

CREATE TABLE booked_seats (
  showtime_id text NOT NULL,
  seat_id text NOT NULL,
  booking_id text NOT NULL REFERENCES bookings (id),
  PRIMARY KEY (showtime_id, seat_id)
);
CREATE INDEX booked_seats_booking_idx ON booked_seats (booking_id);
