-- Bidders who sign themselves up (docs/bidders.md). A bidder account's id is its bidders row's id,
-- so nothing links the two but the id. What the bidder asked for is kept beside what the house set.

ALTER TABLE bidders
  -- When the bidder completed their own profile (name, phone, country); NULL = not yet (or staff-made).
  ADD COLUMN profile_completed_at TIMESTAMPTZ;

ALTER TABLE registrations
  -- The limit the bidder asked for when registering (the house approves it, or sets limit_minor).
  ADD COLUMN requested_limit_minor BIGINT CHECK (requested_limit_minor >= 0),
  -- Who asked for the registration: the house (admin API, seed) or the bidder themself.
  ADD COLUMN requested_by TEXT NOT NULL DEFAULT 'house' CHECK (requested_by IN ('house', 'bidder'));
