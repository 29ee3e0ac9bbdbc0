-- People who sign in: the house's staff and its bidders, their one-time email links and their sessions.
-- Tokens are never stored: a link's and a session's row holds the SHA-256 of the secret it was given,
-- so a copy of the database signs no one in.

CREATE TABLE accounts (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('staff', 'bidder')),
  email      TEXT NOT NULL,
  name       TEXT NOT NULL,
  -- Staff only: admin runs the back office, auctioneer the floor. Bidders have none.
  roles      TEXT[] NOT NULL DEFAULT '{}'
    CHECK (roles <@ ARRAY['admin', 'auctioneer']::TEXT[]),
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (kind = 'staff' OR cardinality(roles) = 0)
);
-- One account per address, whatever its case.
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE sign_in_links (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ
);
CREATE INDEX sign_in_links_account ON sign_in_links (account_id);

CREATE TABLE sessions (
  -- SHA-256 (hex) of the cookie's 32 random bytes.
  id           TEXT PRIMARY KEY,
  -- What people and the admin see and revoke by: never the secret or its hash.
  ref          TEXT NOT NULL UNIQUE,
  account_id   TEXT NOT NULL REFERENCES accounts (id),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen    TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at   TIMESTAMPTZ NOT NULL,
  revoked_at   TIMESTAMPTZ,
  user_agent   TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);
