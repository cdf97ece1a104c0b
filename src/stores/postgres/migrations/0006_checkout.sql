-- Checkout (issue 11): prices, orders, payments, refunds, the payment outbox, ticket check-ins and
-- reviews. Orders, payments and refunds are never deleted: they change state (pretix's rule).
-- Amounts are integer minor units (cents) of the order's ISO 4217 currency.

-- A price per seat kind; existing showtimes are free (all 0) until an admin prices them.
ALTER TABLE showtimes ADD COLUMN prices jsonb NOT NULL DEFAULT '{"currency": "EUR", "standard": 0, "premium": 0, "accessible": 0}';

-- A cancelled booking keeps its row (the order points at it); its seats are deleted from
-- booked_seats, which frees them for sale again.
ALTER TABLE bookings ADD COLUMN cancelled_at timestamptz;

CREATE TABLE orders (
  id text PRIMARY KEY,
  -- One order per hold: a second checkout of the hold returns the first order.
  hold_id text NOT NULL UNIQUE,
  showtime_id text NOT NULL REFERENCES showtimes (id),
  owner text NOT NULL,
  email text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending_payment', 'paid', 'failed', 'expired', 'refunded', 'cancelled')),
  currency text NOT NULL,
  total integer NOT NULL CHECK (total >= 0),
  -- [{"seat", "kind", "price"}] in seat order; fixed at checkout.
  lines jsonb NOT NULL,
  -- The end of the payment window.
  expires_at timestamptz NOT NULL,
  booking_id text REFERENCES bookings (id),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_owner_idx ON orders (owner, created_at DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC);
CREATE INDEX orders_showtime_idx ON orders (showtime_id, created_at DESC);
CREATE INDEX orders_email_idx ON orders (lower(email));
CREATE INDEX orders_due_idx ON orders (expires_at) WHERE state = 'pending_payment';

CREATE TABLE payments (
  -- Also the idempotency key of the charge at the gateway.
  id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  state text NOT NULL CHECK (state IN ('pending', 'succeeded', 'declined', 'failed')),
  amount integer NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  -- What is kept of a card: never its number (G9).
  card_brand text NOT NULL,
  card_last4 text NOT NULL CHECK (card_last4 ~ '^[0-9]{4}$'),
  gateway_token text NOT NULL,
  charge_id text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_order_idx ON payments (order_id, created_at);
-- At most one successful charge per order (G9's last line in Boxoffice's own books).
CREATE UNIQUE INDEX payments_one_success_idx ON payments (order_id) WHERE state = 'succeeded';

CREATE TABLE refunds (
  -- Also the idempotency key of the refund at the gateway.
  id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  -- Full refunds only: one per payment.
  payment_id text NOT NULL UNIQUE REFERENCES payments (id),
  amount integer NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
  reason text NOT NULL,
  gateway_refund_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order_idx ON refunds (order_id);

-- The transactional outbox: a payment's or refund's message, written in the same transaction as the
-- payment or refund (G10). The embedded queue delivers from this table; with RabbitMQ a relay
-- publishes each row and records when the broker confirmed it.
CREATE TABLE payment_outbox (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('charge', 'refund')),
  order_id text NOT NULL REFERENCES orders (id),
  -- The payment's id for a charge, the refund's for a refund.
  subject_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- RabbitMQ: when the broker confirmed the message.
  published_at timestamptz,
  -- The embedded queue's delivery state (RabbitMQ keeps its own, except `dead_at`/`last_error`,
  -- which record dead letters for the admin's list on both queues).
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  done_at timestamptz,
  dead_at timestamptz,
  last_error text
);
CREATE INDEX payment_outbox_due_idx ON payment_outbox (next_attempt_at) WHERE done_at IS NULL AND dead_at IS NULL;
CREATE INDEX payment_outbox_unpublished_idx ON payment_outbox (id) WHERE published_at IS NULL;
CREATE INDEX payment_outbox_dead_idx ON payment_outbox (dead_at DESC) WHERE dead_at IS NOT NULL;

-- A ticket is a seat of a paid order (id "<order id>.<seat>"); a row here means it was used at the door.
CREATE TABLE ticket_checkins (
  ticket_id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  showtime_id text NOT NULL,
  seat_id text NOT NULL,
  checked_in_at timestamptz NOT NULL DEFAULT now(),
  checked_in_by text NOT NULL
);

CREATE TABLE reviews (
  id text PRIMARY KEY,
  movie_id text NOT NULL REFERENCES movies (id),
  user_id text NOT NULL REFERENCES users (id),
  stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
  text text NOT NULL CHECK (length(text) <= 2000),
  hidden_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (movie_id, user_id)
);
CREATE INDEX reviews_movie_idx ON reviews (movie_id, created_at DESC);
