-- A dead letter of an extension (direct:after-leads-status, a forward-to-http instance) names its target: the
-- event itself was stored, so a replay sends it to that extension alone. NULL means the store flow.
ALTER TABLE dead_letters ADD COLUMN target text;
