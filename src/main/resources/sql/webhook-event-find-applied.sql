-- Has this very event (entity, action, id and version) already been applied from another request?
SELECT count(*) AS applied
FROM webhook_events
WHERE entity = CAST(:#entity AS text)
  AND entity_id = CAST(:#entity_id AS text)
  AND action = CAST(:#action AS text)
  AND version = CAST(:#version AS timestamptz)
  AND outcome IN ('stored', 'stale')
