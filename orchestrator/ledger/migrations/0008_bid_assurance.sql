-- How sure the house is that the bidder placed each bid, as the engine recorded it with the decision:
-- 'session' (a signed-in web or API session), 'caller_id' (a text message matched to its bidder by the
-- sender's number alone), 'confirmed' (a text message the sender confirmed with a one-time code sent to
-- their number). NULL on rows recorded before the engine recorded it (the ledger is append-only: not
-- back-filled).
ALTER TABLE bids ADD COLUMN assurance TEXT CHECK (assurance IN ('session', 'caller_id', 'confirmed'));
