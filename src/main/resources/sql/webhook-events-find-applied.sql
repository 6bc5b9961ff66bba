-- Which of a request's events were already stored from another request: one query for the whole request.
-- :#keys is a JSON array of {"entity", "entity_id", "action", "version"}; answers their "key" strings.
SELECT DISTINCT k.entity || '|' || k.entity_id || '|' || k.action || '|' || k.version AS key
FROM jsonb_to_recordset(CAST(:#keys AS jsonb)) AS k(entity text, entity_id text, action text, version text)
JOIN webhook_events e
  ON e.entity = k.entity AND e.entity_id = k.entity_id AND e.action = k.action
 AND e.version = CAST(k.version AS timestamptz) AND e.outcome IN ('stored', 'stale')
