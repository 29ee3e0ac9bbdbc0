-- The house-set bid confirmation (docs/bidders.md) and per-kind push choices (docs/push-notifications.md).

-- When the bidder's page asks "Confirm bid" first: never, once per lot, or at every bid, for bids of
-- confirm_bids_from_minor and more (NULL: the default, 10,000 whole units of the sale's currency).
ALTER TABLE sales
  ADD COLUMN confirm_bids            TEXT NOT NULL DEFAULT 'once_per_lot'
                                     CHECK (confirm_bids IN ('never', 'once_per_lot', 'every_bid')),
  ADD COLUMN confirm_bids_from_minor BIGINT CHECK (confirm_bids_from_minor >= 0);

-- The kinds of push a bidder turned off (outbid, closing_soon, coming_up, won), for all their devices.
ALTER TABLE bidders
  ADD COLUMN push_muted TEXT[] NOT NULL DEFAULT '{}'
             CHECK (push_muted <@ ARRAY['outbid', 'closing_soon', 'coming_up', 'won']::text[]);
