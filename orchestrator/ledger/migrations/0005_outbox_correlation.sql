-- The correlation id of what caused a notification (the winning bid's, an admin request's), so one
-- id follows a bid from the gateway through the engine and the ledger to the message sent about it.
ALTER TABLE outbox_events ADD COLUMN correlation_id TEXT;
