-- Keeps an event that failed to store (or an extension that failed on a stored event), with its original payload,
-- the error and the route it failed in.
INSERT INTO dead_letters (
    request_id, amo_request_id, topic, entity, action, entity_id, payload, error_class, error_message, root_cause,
    route_id, failed_endpoint, attempts, target)
VALUES (
    CAST(:#request_id AS uuid), CAST(:#amo_request_id AS text), :#topic, :#entity, :#action,
    CAST(:#entity_id AS text), CAST(:#payload AS jsonb), :#error_class, CAST(:#error_message AS text),
    CAST(:#root_cause AS text), CAST(:#route_id AS text), CAST(:#failed_endpoint AS text),
    :#attempts, CAST(:#target AS text))
