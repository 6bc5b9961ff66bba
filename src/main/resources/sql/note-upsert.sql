-- Stores a note on a lead, contact, company or customer; a later version of the same note replaces it.
INSERT INTO amo_notes AS t (
    id, account_id, parent_entity, element_id, element_type, note_type, text, params, responsible_user_id,
    created_user_id, created_at, updated_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#parent_entity AS text), CAST(:#element_id AS bigint),
    CAST(:#element_type AS integer), CAST(:#note_type AS text), CAST(:#text AS text), CAST(:#params AS jsonb),
    CAST(:#responsible_user_id AS bigint), CAST(:#created_user_id AS bigint), CAST(:#created_at AS timestamptz),
    CAST(:#version AS timestamptz), CAST(:#action AS text), CAST(:#payload AS jsonb)
ON CONFLICT (id) DO UPDATE SET
    element_id          = CASE WHEN amo_carried(:#present, 'element_id') THEN EXCLUDED.element_id ELSE t.element_id END,
    element_type        = CASE WHEN amo_carried(:#present, 'element_type') THEN EXCLUDED.element_type ELSE t.element_type END,
    note_type           = CASE WHEN amo_carried(:#present, 'note_type') THEN EXCLUDED.note_type ELSE t.note_type END,
    text                = CASE WHEN amo_carried(:#present, 'text') THEN EXCLUDED.text ELSE t.text END,
    params              = CASE WHEN amo_carried(:#present, 'params') THEN EXCLUDED.params ELSE t.params END,
    responsible_user_id = CASE WHEN amo_carried(:#present, 'responsible_user_id') THEN EXCLUDED.responsible_user_id ELSE t.responsible_user_id END,
    created_at          = CASE WHEN amo_carried(:#present, 'created_at') THEN EXCLUDED.created_at ELSE t.created_at END,
    updated_at          = COALESCE(EXCLUDED.updated_at, t.updated_at),
    last_action         = EXCLUDED.last_action,
    payload             = t.payload || EXCLUDED.payload,
    stored_at           = now()
-- newer wins; at the same updated_at only an event the row does not already reflect (so the same event applied by
-- two servers at once, or twice, changes the row once)
WHERE t.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at > t.updated_at
   OR (EXCLUDED.updated_at = t.updated_at AND NOT t.payload @> EXCLUDED.payload)
