-- The back office's first schema: sales and lots, bidders and their registrations, and the ledger
-- of every engine decision (bids, floor_actions) fed from the per-auction Redis decision streams.
-- Money is always BIGINT minor units plus a CHAR(3) ISO 4217 currency; never NUMERIC or floats.
-- Ledger rows reference auctions and bidders by id without foreign keys: the ledger records what the
-- engine decided, and must accept a decision even before (or without) the back-office row it names.

CREATE TABLE sales (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('timed', 'live')),
  currency    CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status      TEXT NOT NULL DEFAULT 'draft'
              CHECK (status IN ('draft', 'scheduled', 'open', 'closed', 'cancelled')),
  starts_at   TIMESTAMPTZ NOT NULL,
  ends_at     TIMESTAMPTZ,
  timezone    TEXT NOT NULL DEFAULT 'UTC',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A lot is one auction of the engine: lots.id is the engine's auction id.
CREATE TABLE lots (
  id                   TEXT PRIMARY KEY,
  sale_id              TEXT NOT NULL REFERENCES sales (id),
  lot_number           INTEGER NOT NULL CHECK (lot_number > 0),
  title                TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  currency             CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  opening_minor        BIGINT NOT NULL CHECK (opening_minor > 0),
  reserve_minor        BIGINT NOT NULL DEFAULT 0 CHECK (reserve_minor >= 0),
  estimate_low_minor   BIGINT CHECK (estimate_low_minor >= 0),
  estimate_high_minor  BIGINT CHECK (estimate_high_minor >= estimate_low_minor),
  -- [{ "from": minor, "step": minor }, …], as the engine's AuctionSetup.increments
  increments           JSONB NOT NULL DEFAULT '[]',
  status               TEXT NOT NULL DEFAULT 'scheduled'
                       CHECK (status IN ('scheduled', 'open', 'fair_warning', 'on_hold', 'closed', 'sold',
                                         'passed', 'unsold', 'withdrawn', 'cancelled')),
  starts_at            TIMESTAMPTZ,
  ends_at              TIMESTAMPTZ,
  grace_ms             INTEGER NOT NULL DEFAULT 2000 CHECK (grace_ms >= 0),
  soft_close_ms        INTEGER NOT NULL DEFAULT 0 CHECK (soft_close_ms >= 0),
  soft_close_cap_ms    INTEGER NOT NULL DEFAULT 0 CHECK (soft_close_cap_ms >= 0),
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (sale_id, lot_number)
);

CREATE TABLE bidders (
  id              TEXT PRIMARY KEY,
  email           TEXT UNIQUE,
  phone_e164      TEXT UNIQUE CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
  display_name    TEXT NOT NULL,
  country         CHAR(2),
  kyc_status      TEXT NOT NULL DEFAULT 'pending'
                  CHECK (kyc_status IN ('pending', 'verified', 'rejected', 'expired')),
  kyc_checked_at  TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A bidder's approval to bid in one sale, with a paddle number and a spending limit.
CREATE TABLE registrations (
  sale_id      TEXT NOT NULL REFERENCES sales (id),
  bidder_id    TEXT NOT NULL REFERENCES bidders (id),
  paddle       TEXT,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'declined', 'revoked')),
  limit_minor  BIGINT CHECK (limit_minor >= 0),
  currency     CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  approved_at  TIMESTAMPTZ,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (sale_id, bidder_id),
  UNIQUE (sale_id, paddle)
);

-- The immutable ledger of every bid decision, accepted or refused, one row per decision-stream entry.
CREATE TABLE bids (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  auction_id        TEXT NOT NULL,
  seq               BIGINT NOT NULL CHECK (seq > 0),
  bidder_id         TEXT NOT NULL,
  amount_minor      BIGINT NOT NULL CHECK (amount_minor >= 0),
  max_minor         BIGINT CHECK (max_minor >= 0),
  currency          CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  outcome           TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  reason            TEXT,
  kind              TEXT CHECK (kind IN ('bid', 'max_raised', 'absentee')),
  source            TEXT NOT NULL CHECK (source IN ('api', 'floor', 'sms', 'whatsapp')),
  -- The auction after this decision.
  price_minor       BIGINT NOT NULL CHECK (price_minor >= 0),
  leader_id         TEXT,
  price_changed     BOOLEAN NOT NULL,
  ends_at           TIMESTAMPTZ,
  extended          BOOLEAN NOT NULL,
  -- The engine's clock when it decided (Redis TIME): the server time of the bid.
  decided_at        TIMESTAMPTZ NOT NULL,
  idempotency_key   TEXT NOT NULL,
  correlation_id    TEXT,
  paddle            TEXT,
  stream_id         TEXT NOT NULL,
  recorded_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (auction_id, seq),
  CHECK ((outcome = 'accepted') = (reason IS NULL))
);
CREATE UNIQUE INDEX bids_api_idempotency ON bids (auction_id, bidder_id, idempotency_key) WHERE source = 'api';
CREATE INDEX bids_bidder ON bids (bidder_id, decided_at);

-- Every floor action of a live lot (refused ones too), numbered in the same seq as the bids.
CREATE TABLE floor_actions (
  id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  auction_id            TEXT NOT NULL,
  seq                   BIGINT NOT NULL CHECK (seq > 0),
  action                TEXT NOT NULL,
  -- The request as the clerk sent it (paddle, amount, step, message…).
  args                  JSONB NOT NULL,
  outcome               TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  reason                TEXT,
  status                TEXT,
  previous_status       TEXT,
  price_minor           BIGINT NOT NULL CHECK (price_minor >= 0),
  previous_price_minor  BIGINT NOT NULL CHECK (previous_price_minor >= 0),
  leader_id             TEXT,
  leader_kind           TEXT CHECK (leader_kind IN ('bid', 'floor', 'absentee')),
  asking_minor          BIGINT NOT NULL,
  step_minor            BIGINT NOT NULL,
  standing_seq          BIGINT NOT NULL,
  message               TEXT,
  undone_action         TEXT,
  undone_seq            BIGINT,
  decided_at            TIMESTAMPTZ NOT NULL,
  idempotency_key       TEXT NOT NULL,
  correlation_id        TEXT,
  stream_id             TEXT NOT NULL,
  recorded_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (auction_id, seq),
  CHECK ((outcome = 'accepted') = (reason IS NULL))
);

-- The ledger is append-only: corrections are new rows, never edits.
CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER bids_immutable BEFORE UPDATE OR DELETE ON bids
  FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER floor_actions_immutable BEFORE UPDATE OR DELETE ON floor_actions
  FOR EACH ROW EXECUTE FUNCTION ledger_immutable();

-- The result of a lot: one row per sold lot, from the hammer.
CREATE TABLE winners (
  lot_id         TEXT PRIMARY KEY,
  bidder_id      TEXT,
  paddle         TEXT,
  hammer_minor   BIGINT NOT NULL CHECK (hammer_minor > 0),
  currency       CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- The ledger entry (bids.seq or floor_actions.seq) that decided it.
  seq            BIGINT NOT NULL,
  decided_at     TIMESTAMPTZ NOT NULL,
  status         TEXT NOT NULL DEFAULT 'provisional'
                 CHECK (status IN ('provisional', 'confirmed', 'invoiced', 'paid', 'void')),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (bidder_id IS NOT NULL OR paddle IS NOT NULL)
);

-- Transactional outbox: written in the transaction that causes it, delivered (at least once) after.
CREATE TABLE outbox_events (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic         TEXT NOT NULL,
  type          TEXT NOT NULL,
  payload       JSONB NOT NULL,
  dedupe_key    TEXT UNIQUE,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  available_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  published_at  TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox_events (available_at, id) WHERE published_at IS NULL;

CREATE TABLE audit_log (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor           TEXT NOT NULL,
  action          TEXT NOT NULL,
  entity_type     TEXT NOT NULL,
  entity_id       TEXT NOT NULL,
  details         JSONB NOT NULL DEFAULT '{}',
  correlation_id  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at);

-- Where the ledger writer stands in each auction's decision stream. Advanced in the transaction that
-- inserts the entries up to it, and only from the value the writer read (compare-and-set).
CREATE TABLE ledger_cursors (
  auction_id      TEXT PRIMARY KEY,
  last_stream_id  TEXT NOT NULL DEFAULT '0',
  last_seq        BIGINT NOT NULL DEFAULT 0,
  -- Entries applied so far; with the stream's entries-added counter this gives the lag.
  applied         BIGINT NOT NULL DEFAULT 0,
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
