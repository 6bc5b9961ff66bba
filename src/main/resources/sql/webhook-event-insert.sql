-- Journals one event with its outcome (stored, stale, dead-lettered, ignored); ignored events keep their payload.
INSERT INTO webhook_events (request_id, topic, entity, action, entity_id, version, outcome, payload)
VALUES (CAST(:#request_id AS uuid), :#topic, :#entity, :#action, CAST(:#entity_id AS text),
        CAST(:#version AS timestamptz), :#outcome, CAST(:#payload AS jsonb))
