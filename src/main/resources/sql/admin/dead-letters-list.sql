-- Dead letters matching the operator's filters (any filter may be null), newest first, one page.
SELECT id, request_id, amo_request_id, topic, entity, action, entity_id, error_class, error_message, root_cause,
       route_id, failed_endpoint, target, attempts, status, first_failed_at, last_failed_at
FROM dead_letters
WHERE (CAST(:status AS text) IS NULL OR status = CAST(:status AS text))
  AND (CAST(:entity AS text) IS NULL OR entity = CAST(:entity AS text))
  AND (CAST(:action AS text) IS NULL OR action = CAST(:action AS text))
  AND (CAST(:error AS text) IS NULL
       OR error_message ILIKE '%' || CAST(:error AS text) || '%'
       OR error_class ILIKE '%' || CAST(:error AS text) || '%'
       OR root_cause ILIKE '%' || CAST(:error AS text) || '%')
  AND (CAST(:since AS timestamptz) IS NULL OR last_failed_at >= CAST(:since AS timestamptz))
  AND (CAST(:until AS timestamptz) IS NULL OR last_failed_at < CAST(:until AS timestamptz))
ORDER BY id DESC
LIMIT :limit OFFSET :offset
