-- Invite-only (closed-door) sales: a sale's visibility, and the invitations that let a bidder see it.
-- An invitation is by email; its link's token is stored as its SHA-256 only (like sign-in links).

ALTER TABLE sales ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
  CHECK (visibility IN ('public', 'invite_only'));

CREATE TABLE sale_invitations (
  id          TEXT PRIMARY KEY,
  sale_id     TEXT NOT NULL REFERENCES sales (id),
  email       TEXT NOT NULL,
  -- SHA-256 (hex) of the link's 32 random bytes; a re-sent invitation gets a new one.
  token_hash  TEXT NOT NULL UNIQUE,
  invited_by  TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at  TIMESTAMPTZ NOT NULL,
  -- Set when the link is followed: the account it signed in (created if the address had none).
  accepted_at TIMESTAMPTZ,
  account_id  TEXT REFERENCES accounts (id),
  revoked_at  TIMESTAMPTZ,
  revoked_by  TEXT
);
-- One live invitation per sale and address, whatever its case.
CREATE UNIQUE INDEX sale_invitations_live ON sale_invitations (sale_id, lower(email)) WHERE revoked_at IS NULL;
CREATE INDEX sale_invitations_email ON sale_invitations (lower(email)) WHERE revoked_at IS NULL;
