-- Passkeys (WebAuthn), the staff's TOTP second factor, and sessions waiting for it.
-- Nothing here signs anyone in from a copy of the database: a passkey row holds a public key, a
-- challenge is useless once used or expired, and a TOTP secret is encrypted when ACCOUNTS_TOTP_KEY is set.

CREATE TABLE passkeys (
  -- The credential id the authenticator chose (base64url).
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts (id),
  name          TEXT NOT NULL,
  -- COSE public key, base64url.
  public_key    TEXT NOT NULL,
  -- The authenticator's signature counter: a smaller one than stored means a cloned authenticator.
  sign_count    BIGINT NOT NULL DEFAULT 0,
  transports    TEXT[] NOT NULL DEFAULT '{}',
  backed_up     BOOLEAN NOT NULL DEFAULT false,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at  TIMESTAMPTZ
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- A WebAuthn challenge, kept server-side: short-lived and consumed once.
CREATE TABLE webauthn_challenges (
  id          TEXT PRIMARY KEY,
  challenge   TEXT NOT NULL,
  purpose     TEXT NOT NULL CHECK (purpose IN ('register', 'authenticate')),
  -- Registration only: whose passkey it will be.
  account_id  TEXT REFERENCES accounts (id),
  expires_at  TIMESTAMPTZ NOT NULL,
  used_at     TIMESTAMPTZ
);

CREATE TABLE totp_factors (
  account_id    TEXT PRIMARY KEY REFERENCES accounts (id),
  -- `v1:<iv>:<tag>:<ciphertext>` (AES-256-GCM under ACCOUNTS_TOTP_KEY) or `plain:<base32>`.
  secret        TEXT NOT NULL,
  -- NULL until the person proved, with a code, that their app has it.
  confirmed_at  TIMESTAMPTZ,
  -- The newest time step a code was accepted for: a code works once.
  last_step     BIGINT NOT NULL DEFAULT 0,
  -- Wrong codes in a row, and until when codes are refused after too many.
  failures      INTEGER NOT NULL DEFAULT 0,
  locked_until  TIMESTAMPTZ,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One-time recovery codes for a lost authenticator app: SHA-256 of each, never the code.
CREATE TABLE recovery_codes (
  code_hash   TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts (id),
  used_at     TIMESTAMPTZ
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- A session opened by a link or a passkey for an account with TOTP waits here for the code: it signs
-- nobody in (resolve ignores it) until the second factor clears it.
ALTER TABLE sessions ADD COLUMN pending_factor TEXT CHECK (pending_factor IN ('totp'));
