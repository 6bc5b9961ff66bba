-- Applies a task add/update/responsible: insert, or update only the columns the event carried,
-- and only when the event is at least as new as the row (updated_at); restore clears deleted_at.
INSERT INTO amo_tasks AS t (
    id, account_id, element_id, element_type, task_type, text, status, result, complete_till, responsible_user_id, created_user_id, modified_user_id, created_at, updated_at, deleted_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#element_id AS bigint), CAST(:#element_type AS integer), CAST(:#task_type AS text), CAST(:#text AS text), CAST(:#status AS integer), CAST(:#result AS text), CAST(:#complete_till AS timestamptz), CAST(:#responsible_user_id AS bigint), CAST(:#created_user_id AS bigint), CAST(:#modified_user_id AS bigint), CAST(:#created_at AS timestamptz), CAST(:#version AS timestamptz), NULL, CAST(:#action AS text), CAST(:#payload AS jsonb)
ON CONFLICT (id) DO UPDATE SET
    account_id          = CASE WHEN amo_carried(:#present, 'account_id') THEN EXCLUDED.account_id ELSE t.account_id END,
    element_id          = CASE WHEN amo_carried(:#present, 'element_id') THEN EXCLUDED.element_id ELSE t.element_id END,
    element_type        = CASE WHEN amo_carried(:#present, 'element_type') THEN EXCLUDED.element_type ELSE t.element_type END,
    task_type           = CASE WHEN amo_carried(:#present, 'task_type') THEN EXCLUDED.task_type ELSE t.task_type END,
    text                = CASE WHEN amo_carried(:#present, 'text') THEN EXCLUDED.text ELSE t.text END,
    status              = CASE WHEN amo_carried(:#present, 'status') THEN EXCLUDED.status ELSE t.status END,
    result              = CASE WHEN amo_carried(:#present, 'result') THEN EXCLUDED.result ELSE t.result END,
    complete_till       = CASE WHEN amo_carried(:#present, 'complete_till') THEN EXCLUDED.complete_till ELSE t.complete_till END,
    responsible_user_id = CASE WHEN amo_carried(:#present, 'responsible_user_id') THEN EXCLUDED.responsible_user_id ELSE t.responsible_user_id END,
    created_user_id     = CASE WHEN amo_carried(:#present, 'created_user_id') THEN EXCLUDED.created_user_id ELSE t.created_user_id END,
    modified_user_id    = CASE WHEN amo_carried(:#present, 'modified_user_id') THEN EXCLUDED.modified_user_id ELSE t.modified_user_id END,
    created_at          = CASE WHEN amo_carried(:#present, 'created_at') THEN EXCLUDED.created_at ELSE t.created_at END,
    updated_at          = COALESCE(EXCLUDED.updated_at, t.updated_at),
    deleted_at          = CASE WHEN EXCLUDED.last_action = 'restore' THEN NULL ELSE t.deleted_at END,
    last_action         = EXCLUDED.last_action,
    payload             = t.payload || EXCLUDED.payload,
    stored_at           = now()
-- newer wins; at the same updated_at only an event the row does not already reflect (so the same event applied by
-- two servers at once, or twice, changes the row once)
WHERE t.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at > t.updated_at
   OR (EXCLUDED.updated_at = t.updated_at AND NOT t.payload @> EXCLUDED.payload)
