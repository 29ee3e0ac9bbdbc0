-- Web Push (docs/push-notifications.md): a bidder's browsers that asked to be told of outbids,
-- closing lots and wins. One row per browser subscription; the endpoint is the push service's URL
-- for that browser and is unique world-wide. A 404/410 from the push service deletes the row.

CREATE TABLE push_subscriptions (
  id              BIGSERIAL PRIMARY KEY,
  bidder_id       TEXT NOT NULL REFERENCES bidders (id) ON DELETE CASCADE,
  endpoint        TEXT NOT NULL UNIQUE,
  -- The browser's ECDH P-256 public key (65 bytes) and auth secret (16 bytes), base64url.
  p256dh          TEXT NOT NULL,
  auth            TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_success_at TIMESTAMPTZ,
  -- Failed sends since the last success (transient ones: the push service down, 5xx, 429).
  failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0)
);
CREATE INDEX push_subscriptions_bidder ON push_subscriptions (bidder_id);

-- One row per notification and subscription once the push service took it (or refused it for
-- good): the outbox delivers at least once, and a repeat finds the row and sends nothing.
CREATE TABLE push_deliveries (
  notification_id BIGINT NOT NULL REFERENCES outbox_events (id),
  subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  status          INTEGER NOT NULL,
  error           TEXT,
  delivered_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, subscription_id)
);
