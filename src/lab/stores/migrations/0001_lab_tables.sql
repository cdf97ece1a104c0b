-- The Concurrency Lab's own tables (postgres-lab-store.ts), in the lab's own database: a PGlite folder of
-- its own (DATA_DIR/lab-db) or its own schema on a PostgreSQL server, never the booking database. This
-- set is tracked in lab_migrations there. Every row belongs to a lab showtime (lab-*), so even a lab
-- path that forgot to check cannot write a real showtime's id.

-- One row per seat of a lab showtime: the row FOR UPDATE locks, and the version the optimistic mode
-- compares and bumps. status is what every mode reads before it writes.
CREATE TABLE lab_seats (
  showtime_id text NOT NULL CHECK (showtime_id LIKE 'lab-%'),
  seat_id text NOT NULL,
  status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'booked')),
  buyer text,
  version integer NOT NULL DEFAULT 0,
  PRIMARY KEY (showtime_id, seat_id)
);

-- One row per booked seat. On purpose WITHOUT a unique constraint on (showtime_id, seat_id): the unsafe
-- mode must be able to write real duplicates, which the anomalies report then finds. (The real
-- booked_seats table has that constraint: it is the last line.)
CREATE TABLE lab_bookings (
  id bigserial PRIMARY KEY,
  booking_id text NOT NULL,
  showtime_id text NOT NULL CHECK (showtime_id LIKE 'lab-%'),
  seat_id text NOT NULL,
  buyer text NOT NULL,
  mode text NOT NULL,
  created_at_ms bigint NOT NULL
);
CREATE INDEX lab_bookings_seat_idx ON lab_bookings (showtime_id, seat_id);
