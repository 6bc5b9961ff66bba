-- One dead letter with its payload and history.
SELECT id, request_id, amo_request_id, topic, entity, action, entity_id, payload::text AS payload, error_class,
       error_message, root_cause, route_id, failed_endpoint, target, attempts, status, first_failed_at, last_failed_at,
       history::text AS history
FROM dead_letters
WHERE id = :id
