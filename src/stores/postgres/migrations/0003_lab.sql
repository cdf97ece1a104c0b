-- The Concurrency Lab's own tables (src/stores/postgres/lab-store.ts). Every name starts with lab_ and
-- every row belongs to a lab showtime (lab-*): the lab never reads or writes the catalog, bookings or
-- hold tables, so nothing it does can sell a real seat.

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
