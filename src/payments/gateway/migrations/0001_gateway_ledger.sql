-- The simulated card gateway's own books (simulated-gateway.ts): the cards it tokenized, every charge
-- and refund it made, and its per-key fault counters. Tracked in gateway_migrations, apart from the
-- core's schema_migrations: Boxoffice's own tables never point into these, as they could not into a
-- real gateway's. Tests read these tables to check G9 at the gateway, not in Boxoffice's view.

-- A tokenized card. The card number is NOT kept (nor the cvc): only what a receipt shows (brand, last
-- four) and what the simulation needs, which tokenize derives from the test card's number.
CREATE TABLE gateway_cards (
  token text PRIMARY KEY,
  brand text NOT NULL,
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month smallint NOT NULL,
  exp_year smallint NOT NULL,
  -- succeed | decline (with decline_reason) | time_out (`timeouts` times per idempotency key, then
  -- succeed) | lose_answer (charges, then loses the answer once per idempotency key)
  behaviour text NOT NULL CHECK (behaviour IN ('succeed', 'decline', 'time_out', 'lose_answer')),
  decline_reason text CHECK ((behaviour = 'decline') = (decline_reason IS NOT NULL)),
  timeouts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every charge attempt the gateway answered, one per idempotency key: the primary key is what makes
-- the same key never charge twice, even when two deliveries of one message race.
CREATE TABLE gateway_charges (
  idempotency_key text PRIMARY KEY,
  id text NOT NULL UNIQUE,
  token text NOT NULL REFERENCES gateway_cards (token),
  amount integer NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  -- Money moved only when succeeded; a declined attempt is kept so the same key gets the same answer.
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
  decline_reason text CHECK ((outcome = 'declined') = (decline_reason IS NOT NULL)),
  -- lose_answer cards: the answer of this key was lost once already.
  answer_lost boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Full refunds: at most one per charge (charge_id UNIQUE), one per idempotency key.
CREATE TABLE gateway_refunds (
  idempotency_key text PRIMARY KEY,
  id text NOT NULL UNIQUE,
  charge_id text NOT NULL UNIQUE REFERENCES gateway_charges (id),
  amount integer NOT NULL CHECK (amount >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- time_out cards: how many times a charge under this key has timed out so far.
CREATE TABLE gateway_timeouts (
  idempotency_key text PRIMARY KEY,
  count integer NOT NULL
);
