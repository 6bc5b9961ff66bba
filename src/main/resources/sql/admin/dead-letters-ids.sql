-- The ids of the pending dead letters matching the operator's filters, oldest first (what a bulk replay replays).
SELECT id
FROM dead_letters
WHERE status = 'pending'
  AND (CAST(:entity AS text) IS NULL OR entity = CAST(:entity AS text))
  AND (CAST(:action AS text) IS NULL OR action = CAST(:action AS text))
  AND (CAST(:error AS text) IS NULL
       OR error_message ILIKE '%' || CAST(:error AS text) || '%'
       OR error_class ILIKE '%' || CAST(:error AS text) || '%'
       OR root_cause ILIKE '%' || CAST(:error AS text) || '%')
  AND (CAST(:since AS timestamptz) IS NULL OR last_failed_at >= CAST(:since AS timestamptz))
  AND (CAST(:until AS timestamptz) IS NULL OR last_failed_at < CAST(:until AS timestamptz))
ORDER BY id
