-- Notifications by SMS, WhatsApp and email: which of them each bidder wants, and what was sent.

ALTER TABLE bidders
  ADD COLUMN notify_channels TEXT[] NOT NULL DEFAULT '{email,sms}'
    CHECK (notify_channels <@ ARRAY['email', 'sms', 'whatsapp']::TEXT[]);

-- One row per notification and channel once the provider accepted it (or refused it for good):
-- a notification the outbox repeats (at least once) is not sent on that channel again.
CREATE TABLE notification_deliveries (
  notification_id BIGINT NOT NULL REFERENCES outbox_events (id),
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
  recipient       TEXT NOT NULL,
  provider_ref    TEXT,
  error           TEXT,
  delivered_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, channel)
);
