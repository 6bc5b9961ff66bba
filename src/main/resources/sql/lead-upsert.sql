-- Applies a lead add/update/status/responsible/restore: insert, or update only the columns the event carried,
-- and only when the event is at least as new as the row (updated_at); restore clears deleted_at.
INSERT INTO amo_leads AS t (
    id, account_id, name, status_id, pipeline_id, price, responsible_user_id, created_user_id, modified_user_id,
    created_at, updated_at, custom_fields, tags, deleted_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#name AS text), CAST(:#status_id AS bigint),
    CAST(:#pipeline_id AS bigint), CAST(:#price AS numeric), CAST(:#responsible_user_id AS bigint),
    CAST(:#created_user_id AS bigint), CAST(:#modified_user_id AS bigint), CAST(:#created_at AS timestamptz),
    CAST(:#version AS timestamptz), CAST(:#custom_fields AS jsonb), CAST(:#tags AS jsonb), NULL,
    CAST(:#action AS text), CAST(:#payload AS jsonb)
ON CONFLICT (id) DO UPDATE SET
    account_id          = CASE WHEN amo_carried(:#present, 'account_id') THEN EXCLUDED.account_id ELSE t.account_id END,
    name                = CASE WHEN amo_carried(:#present, 'name') THEN EXCLUDED.name ELSE t.name END,
    status_id           = CASE WHEN amo_carried(:#present, 'status_id') THEN EXCLUDED.status_id ELSE t.status_id END,
    pipeline_id         = CASE WHEN amo_carried(:#present, 'pipeline_id') THEN EXCLUDED.pipeline_id ELSE t.pipeline_id END,
    price               = CASE WHEN amo_carried(:#present, 'price') THEN EXCLUDED.price ELSE t.price END,
    responsible_user_id = CASE WHEN amo_carried(:#present, 'responsible_user_id') THEN EXCLUDED.responsible_user_id ELSE t.responsible_user_id END,
    created_user_id     = CASE WHEN amo_carried(:#present, 'created_user_id') THEN EXCLUDED.created_user_id ELSE t.created_user_id END,
    modified_user_id    = CASE WHEN amo_carried(:#present, 'modified_user_id') THEN EXCLUDED.modified_user_id ELSE t.modified_user_id END,
    created_at          = CASE WHEN amo_carried(:#present, 'created_at') THEN EXCLUDED.created_at ELSE t.created_at END,
    custom_fields       = CASE WHEN amo_carried(:#present, 'custom_fields') THEN EXCLUDED.custom_fields ELSE t.custom_fields END,
    tags                = CASE WHEN amo_carried(:#present, 'tags') THEN EXCLUDED.tags ELSE t.tags END,
    updated_at          = COALESCE(EXCLUDED.updated_at, t.updated_at),
    deleted_at          = CASE WHEN EXCLUDED.last_action = 'restore' THEN NULL ELSE t.deleted_at END,
    last_action         = EXCLUDED.last_action,
    payload             = t.payload || EXCLUDED.payload,
    stored_at           = now()
-- newer wins; at the same updated_at only an event the row does not already reflect (so the same event applied by
-- two servers at once, or twice, changes the row once)
WHERE t.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at > t.updated_at
   OR (EXCLUDED.updated_at = t.updated_at AND NOT t.payload @> EXCLUDED.payload)
