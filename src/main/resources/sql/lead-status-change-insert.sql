-- Records a lead's move between stages. Runs before the lead upsert: a change with a time is recorded once
-- (unique index); one without a time (Digital Pipeline) only if the lead is not already in the new stage.
INSERT INTO amo_lead_status_changes (
    lead_id, old_status_id, status_id, old_pipeline_id, pipeline_id, changed_at, source_action, request_id)
SELECT :#id, CAST(:#old_status_id AS bigint), CAST(:#status_id AS bigint), CAST(:#old_pipeline_id AS bigint),
       CAST(:#pipeline_id AS bigint), CAST(:#version AS timestamptz), CAST(:#action AS text),
       CAST(:#request_id AS uuid)
WHERE CAST(:#version AS timestamptz) IS NOT NULL
   OR NOT EXISTS (SELECT 1 FROM amo_leads l
                  WHERE l.id = :#id
                    AND l.status_id IS NOT DISTINCT FROM CAST(:#status_id AS bigint)
                    AND (CAST(:#pipeline_id AS bigint) IS NULL OR l.pipeline_id = CAST(:#pipeline_id AS bigint)))
ON CONFLICT DO NOTHING
