-- Delivery receipts: what the provider last said of a message it took (queued, sent, delivered, read,
-- undelivered, failed), found by the provider's reference.
ALTER TABLE notification_deliveries
  ADD COLUMN status    TEXT,
  ADD COLUMN status_at TIMESTAMPTZ;
CREATE INDEX notification_deliveries_provider_ref ON notification_deliveries (provider_ref)
  WHERE provider_ref IS NOT NULL;
