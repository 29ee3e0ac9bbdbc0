-- The back office: the legal and commercial rules of a sale (terms, KYC and due-diligence
-- thresholds, paddle ranges, buyer's premium, tax), blocked bidders, consignors, the lifecycle
-- markers the scheduler sets, invoices on the winners, and admin bid cancellations.
-- Money stays BIGINT minor units in the sale's currency; rates are basis points (2500 = 25 %).

ALTER TABLE sales
  -- The terms version a bidder must have accepted (0 = the sale has no terms).
  ADD COLUMN terms_version            INTEGER NOT NULL DEFAULT 0 CHECK (terms_version >= 0),
  -- A bidder whose KYC is not verified may bid up to this; 0 = KYC required to bid at all.
  ADD COLUMN kyc_free_limit_minor     BIGINT NOT NULL DEFAULT 0 CHECK (kyc_free_limit_minor >= 0),
  -- Customer due diligence is required before a bidder's spend in the sale (limit plus linked
  -- purchases) may reach this (EUR 10,000.00 by default).
  ADD COLUMN cdd_threshold_minor      BIGINT NOT NULL DEFAULT 1000000 CHECK (cdd_threshold_minor > 0),
  -- Tiered buyer's premium: [{ "upTo": minor | null, "rateBp": n }, …], marginal bands, last upTo null.
  ADD COLUMN premium_bands            JSONB NOT NULL DEFAULT '[{"upTo":null,"rateBp":2500}]',
  ADD COLUMN tax_rate_bp              INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
  -- What the tax is charged on: the premium only (margin scheme) or hammer and premium.
  ADD COLUMN tax_base                 TEXT NOT NULL DEFAULT 'premium' CHECK (tax_base IN ('premium', 'hammer_and_premium')),
  ADD COLUMN floor_paddle_from        INTEGER NOT NULL DEFAULT 1 CHECK (floor_paddle_from > 0),
  ADD COLUMN floor_paddle_to          INTEGER NOT NULL DEFAULT 999,
  ADD COLUMN online_paddle_from       INTEGER NOT NULL DEFAULT 1000 CHECK (online_paddle_from > 0),
  ADD COLUMN online_paddle_to         INTEGER NOT NULL DEFAULT 9999,
  -- "Closing soon" is announced this long before a timed lot's end.
  ADD COLUMN closing_soon_ms          INTEGER NOT NULL DEFAULT 300000 CHECK (closing_soon_ms >= 0),
  ADD COLUMN opened_at                TIMESTAMPTZ,
  ADD COLUMN closed_at                TIMESTAMPTZ,
  ADD CONSTRAINT sales_floor_paddles CHECK (floor_paddle_to >= floor_paddle_from),
  ADD CONSTRAINT sales_online_paddles CHECK (online_paddle_to >= online_paddle_from),
  ADD CONSTRAINT sales_paddle_ranges_apart
    CHECK (floor_paddle_to < online_paddle_from OR online_paddle_to < floor_paddle_from);

-- Every version of a sale's terms, as published; acceptance names a version.
CREATE TABLE sale_terms (
  sale_id       TEXT NOT NULL REFERENCES sales (id),
  version       INTEGER NOT NULL CHECK (version > 0),
  body          TEXT NOT NULL,
  published_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (sale_id, version)
);

ALTER TABLE lots
  -- The bidder who consigned the lot: never eligible to bid on it.
  ADD COLUMN consignor_id             TEXT REFERENCES bidders (id),
  ADD COLUMN image_url                TEXT,
  -- Overrides the sale's premium bands for this lot (null = the sale's).
  ADD COLUMN premium_bands            JSONB,
  ADD COLUMN closing_soon_sent_at     TIMESTAMPTZ,
  ADD COLUMN finalised_at             TIMESTAMPTZ;

ALTER TABLE bidders
  ADD COLUMN blocked         BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN blocked_reason  TEXT,
  ADD COLUMN cdd_status      TEXT NOT NULL DEFAULT 'none' CHECK (cdd_status IN ('none', 'verified')),
  ADD COLUMN cdd_checked_at  TIMESTAMPTZ;

ALTER TABLE registrations
  ADD COLUMN channel            TEXT NOT NULL DEFAULT 'online' CHECK (channel IN ('online', 'floor')),
  ADD COLUMN invited_at         TIMESTAMPTZ,
  ADD COLUMN terms_version      INTEGER,
  ADD COLUMN terms_accepted_at  TIMESTAMPTZ;

ALTER TABLE winners
  ADD COLUMN sale_id        TEXT,
  ADD COLUMN premium_minor  BIGINT CHECK (premium_minor >= 0),
  ADD COLUMN tax_minor      BIGINT CHECK (tax_minor >= 0),
  ADD COLUMN total_minor    BIGINT CHECK (total_minor >= 0);
CREATE INDEX winners_sale_bidder ON winners (sale_id, bidder_id);

-- The result of every finished lot (sold or not), written once by the finaliser.
CREATE TABLE lot_results (
  lot_id        TEXT PRIMARY KEY REFERENCES lots (id),
  sale_id       TEXT NOT NULL,
  outcome       TEXT NOT NULL CHECK (outcome IN ('sold', 'unsold', 'passed', 'withdrawn', 'cancelled')),
  price_minor   BIGINT NOT NULL CHECK (price_minor >= 0),
  leader_id     TEXT,
  last_seq      BIGINT NOT NULL,
  decided_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An admin's cancellation of a bid: the bid row stays in the ledger; this marks it cancelled.
CREATE TABLE bid_cancellations (
  auction_id      TEXT NOT NULL,
  seq             BIGINT NOT NULL,
  actor           TEXT NOT NULL,
  reason          TEXT NOT NULL,
  cancelled_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  correlation_id  TEXT,
  PRIMARY KEY (auction_id, seq)
);
