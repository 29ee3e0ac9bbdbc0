-- Identity verification (KYC) by an external provider: one row per check we asked the provider for,
-- and every result webhook we accepted (for idempotency: the provider may deliver an event twice).
-- bidders.kyc_status / kyc_checked_at (0001) stay the bidder's current standing; these tables are how
-- it got there.

CREATE TABLE kyc_checks (
  -- Ours, generated before the provider is called, and sent to it as the Idempotency-Key: a retried
  -- start of the same check never creates a second check at the provider.
  id                TEXT PRIMARY KEY,
  bidder_id         TEXT NOT NULL REFERENCES bidders (id),
  provider          TEXT NOT NULL,
  -- The provider's id of the check; NULL until the provider has answered the start.
  provider_ref      TEXT UNIQUE,
  -- requested: sent to the provider, no result yet; error: the start failed (provider refused or
  -- unreachable), nothing runs at the provider as far as we know.
  status            TEXT NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested', 'verified', 'rejected', 'expired', 'error')),
  reason            TEXT,
  verification_url  TEXT,
  requested_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- The provider's time of the result (not ours): results older than this one are ignored.
  completed_at      TIMESTAMPTZ,
  correlation_id    TEXT,
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((status IN ('requested', 'error')) OR completed_at IS NOT NULL)
);
CREATE INDEX kyc_checks_bidder ON kyc_checks (bidder_id, requested_at);

-- Webhook events accepted, by the provider's event id: a repeat delivery is answered and has no effect.
CREATE TABLE kyc_webhook_events (
  provider     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  payload      JSONB NOT NULL,
  PRIMARY KEY (provider, event_id)
);
