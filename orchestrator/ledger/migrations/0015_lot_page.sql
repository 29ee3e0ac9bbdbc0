-- The bidder's lot page (docs/bidders.md): a lot's condition report, and each bidder's watch list.

ALTER TABLE lots ADD COLUMN condition_report TEXT;

-- Lots a bidder stars to follow. Keyed by the bidder's id (an account's id is its bidder's); the
-- lot must exist. A bidder's list is read whole, newest first.
CREATE TABLE watchlist (
  bidder_id  TEXT NOT NULL,
  lot_id     TEXT NOT NULL REFERENCES lots (id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (bidder_id, lot_id)
);
