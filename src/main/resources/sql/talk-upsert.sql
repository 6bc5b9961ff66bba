-- Applies a conversation add/update by talk_id: only the columns the event carried, newer wins.
INSERT INTO amo_talks AS t (
    id, account_id, chat_id, contact_id, entity_id, entity_type, is_in_work, is_read, rate, origin, created_at,
    updated_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#chat_id AS text), CAST(:#contact_id AS bigint),
    CAST(:#entity_id AS bigint), CAST(:#entity_type AS text), CAST(:#is_in_work AS boolean),
    CAST(:#is_read AS boolean), CAST(:#rate AS integer), CAST(:#origin AS text), CAST(:#created_at AS timestamptz),
    CAST(:#version AS timestamptz), CAST(:#action AS text), CAST(:#payload AS jsonb)
ON CONFLICT (id) DO UPDATE SET
    chat_id     = CASE WHEN amo_carried(:#present, 'chat_id') THEN EXCLUDED.chat_id ELSE t.chat_id END,
    contact_id  = CASE WHEN amo_carried(:#present, 'contact_id') THEN EXCLUDED.contact_id ELSE t.contact_id END,
    entity_id   = CASE WHEN amo_carried(:#present, 'entity_id') THEN EXCLUDED.entity_id ELSE t.entity_id END,
    entity_type = CASE WHEN amo_carried(:#present, 'entity_type') THEN EXCLUDED.entity_type ELSE t.entity_type END,
    is_in_work  = CASE WHEN amo_carried(:#present, 'is_in_work') THEN EXCLUDED.is_in_work ELSE t.is_in_work END,
    is_read     = CASE WHEN amo_carried(:#present, 'is_read') THEN EXCLUDED.is_read ELSE t.is_read END,
    rate        = CASE WHEN amo_carried(:#present, 'rate') THEN EXCLUDED.rate ELSE t.rate END,
    origin      = CASE WHEN amo_carried(:#present, 'origin') THEN EXCLUDED.origin ELSE t.origin END,
    created_at  = CASE WHEN amo_carried(:#present, 'created_at') THEN EXCLUDED.created_at ELSE t.created_at END,
    updated_at  = COALESCE(EXCLUDED.updated_at, t.updated_at),
    last_action = EXCLUDED.last_action,
    payload     = t.payload || EXCLUDED.payload,
    stored_at   = now()
-- newer wins; at the same updated_at only an event the row does not already reflect (so the same event applied by
-- two servers at once, or twice, changes the row once)
WHERE t.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at > t.updated_at
   OR (EXCLUDED.updated_at = t.updated_at AND NOT t.payload @> EXCLUDED.payload)
