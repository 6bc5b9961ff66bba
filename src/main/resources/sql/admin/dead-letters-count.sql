-- How many dead letters match the operator's filters (the same filters as dead-letters-list.sql).
SELECT count(*)
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
