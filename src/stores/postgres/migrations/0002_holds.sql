-- The postgres HoldStore (src/stores/postgres/postgres-hold-store.ts): temporary holds as rows with an
-- expiry. Every name starts with hold_ so it never meets the catalog and booking tables of 0001.
-- There are no foreign keys on purpose: a foreign key check takes a KEY SHARE lock on the row it
-- references, and the store's deadlock freedom rests on every lock being taken in one fixed order
-- (hold row, then seats by seat id, then the owner's advisory lock, then the showtime).

-- A row means the store knows the showtime (restore ran); without one the store answers NOT_LOADED.
-- version grows by one per visible change of the showtime's seats; it starts at the clock's ms so
-- it only grows, even across a lost store.
CREATE TABLE hold_showtimes (
  showtime_id text PRIMARY KEY,
  version bigint NOT NULL
);

-- One row per hold. 'expired' rows are tombstones: they hold no seats and are kept until an hour past
-- their expiry so a late confirm hears HOLD_EXPIRED rather than HOLD_NOT_FOUND. Released and aborted holds are deleted.
-- A 'held' row past expires_at_ms no longer occupies its seats, before any sweep (lazy expiry).
CREATE TABLE hold_holds (
  id text PRIMARY KEY,
  showtime_id text NOT NULL,
  owner text NOT NULL,
  seats text[] NOT NULL,
  created_at_ms bigint NOT NULL,
  expires_at_ms bigint NOT NULL,
  state text NOT NULL CHECK (state IN ('held', 'confirming', 'booked', 'expired'))
);
-- The sweeper's queue: live holds by expiry.
CREATE INDEX hold_holds_due_idx ON hold_holds (expires_at_ms) WHERE state IN ('held', 'confirming');
-- The per-owner limit and holdsOf.
CREATE INDEX hold_holds_owner_idx ON hold_holds (showtime_id, owner) WHERE state IN ('held', 'confirming');
-- Forgetting old tombstones.
CREATE INDEX hold_holds_tombstone_idx ON hold_holds (expires_at_ms) WHERE state = 'expired';

-- Seat -> the hold that last took it (NULL: free). The seat row is the lock that serialises everyone
-- who wants the seat; rows are created on first use and never deleted, so the table stays bounded
-- by the showtimes' layouts.
CREATE TABLE hold_seats (
  showtime_id text NOT NULL,
  seat_id text NOT NULL,
  hold_id text,
  PRIMARY KEY (showtime_id, seat_id)
);
