-- Which of a request's events were already stored from another request: one query for the whole request.
-- :#keys is a JSON array of {"entity", "entity_id", "action", "version"}; answers their "key" strings.
-- One index probe per key (LATERAL ... LIMIT 1 on webhook_events_applied_idx): a plain join is planned as a hash
-- join over the whole journal (the function's row estimate is 100), which grows with every event ever stored.
SELECT k.entity || '|' || k.entity_id || '|' || k.action || '|' || k.version AS key
FROM jsonb_to_recordset(CAST(:#keys AS jsonb)) AS k(entity text, entity_id text, action text, version text)
CROSS JOIN LATERAL (
    SELECT 1
    FROM webhook_events e
    WHERE e.entity = k.entity AND e.entity_id = k.entity_id AND e.action = k.action
      AND e.version = CAST(k.version AS timestamptz) AND e.version IS NOT NULL AND e.outcome IN ('stored', 'stale')
    LIMIT 1
) AS applied
