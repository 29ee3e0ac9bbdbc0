-- Administrative changes of a timed auction's standing, as the engine recorded them in the decision
-- stream (type 'restate'): an admin cancelled a bid, the standing was recomputed from the remaining
-- bids and set in the engine atomically. Numbered in the auction's seq with the bids and floor
-- actions; append-only like them. The leader's maximum is confidential and not recorded.
CREATE TABLE standing_changes (
  id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  auction_id            TEXT NOT NULL,
  seq                   BIGINT NOT NULL CHECK (seq > 0),
  currency              CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  previous_price_minor  BIGINT NOT NULL CHECK (previous_price_minor >= 0),
  previous_leader_id    TEXT,
  previous_bid_count    BIGINT NOT NULL CHECK (previous_bid_count >= 0),
  price_minor           BIGINT NOT NULL CHECK (price_minor >= 0),
  leader_id             TEXT,
  bid_count             BIGINT NOT NULL CHECK (bid_count >= 0),
  -- Why and who, as the caller of the engine's restate gave them (e.g. 'bid_cancelled:<seq>', an admin id).
  reason                TEXT NOT NULL,
  actor                 TEXT NOT NULL,
  decided_at            TIMESTAMPTZ NOT NULL,
  idempotency_key       TEXT NOT NULL,
  correlation_id        TEXT,
  stream_id             TEXT NOT NULL,
  recorded_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (auction_id, seq)
);
-- Not unique: after a loss of the engine's state a retried restate is decided again (new seq).
CREATE INDEX standing_changes_idempotency ON standing_changes (auction_id, idempotency_key);

CREATE TRIGGER standing_changes_immutable BEFORE UPDATE OR DELETE ON standing_changes
  FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
