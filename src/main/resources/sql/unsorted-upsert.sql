-- Stores an incoming (unsorted) lead by uid; an add or update never reopens one already accepted or declined.
INSERT INTO amo_unsorted AS t (
    uid, account_id, category, source, source_uid, source_id, pipeline_id, lead_id, contact_ids, source_data,
    created_at, status, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#category AS text), CAST(:#source AS text), CAST(:#source_uid AS text),
    CAST(:#source_id AS bigint), CAST(:#pipeline_id AS bigint), CAST(:#lead_id AS bigint),
    CAST(:#contact_ids AS jsonb), CAST(:#source_data AS jsonb), CAST(:#created_at AS timestamptz), 'new',
    CAST(:#action AS text), CAST(:#payload AS jsonb)
ON CONFLICT (uid) DO UPDATE SET
    category    = CASE WHEN amo_carried(:#present, 'category') THEN EXCLUDED.category ELSE t.category END,
    source      = CASE WHEN amo_carried(:#present, 'source') THEN EXCLUDED.source ELSE t.source END,
    source_uid  = CASE WHEN amo_carried(:#present, 'source_uid') THEN EXCLUDED.source_uid ELSE t.source_uid END,
    source_id   = CASE WHEN amo_carried(:#present, 'source_id') THEN EXCLUDED.source_id ELSE t.source_id END,
    pipeline_id = CASE WHEN amo_carried(:#present, 'pipeline_id') THEN EXCLUDED.pipeline_id ELSE t.pipeline_id END,
    lead_id     = CASE WHEN amo_carried(:#present, 'lead_id') THEN EXCLUDED.lead_id ELSE t.lead_id END,
    contact_ids = CASE WHEN amo_carried(:#present, 'contact_ids') THEN EXCLUDED.contact_ids ELSE t.contact_ids END,
    source_data = CASE WHEN amo_carried(:#present, 'source_data') THEN EXCLUDED.source_data ELSE t.source_data END,
    created_at  = CASE WHEN amo_carried(:#present, 'created_at') THEN EXCLUDED.created_at ELSE t.created_at END,
    last_action = EXCLUDED.last_action,
    payload     = t.payload || EXCLUDED.payload,
    stored_at   = now()
WHERE t.status = 'new'
