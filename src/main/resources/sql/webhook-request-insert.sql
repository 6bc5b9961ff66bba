-- Journals one request, accepted, duplicate or rejected, with its counts or the reason it was refused.
INSERT INTO webhook_requests (
    id, received_at, amo_request_id, account_id, account_subdomain, body_bytes, body_sha256, outcome, http_status,
    error_code, error, duplicate_of, events, stored, stale, dead_lettered, ignored, duplicates, duration_ms)
VALUES (
    CAST(:#id AS uuid), CAST(:#received_at AS timestamptz), CAST(:#amo_request_id AS text),
    CAST(:#account_id AS bigint), CAST(:#account_subdomain AS text), :#body_bytes, CAST(:#body_sha256 AS text),
    :#outcome, :#http_status, CAST(:#error_code AS text), CAST(:#error AS text), CAST(:#duplicate_of AS uuid), :#events, :#stored, :#stale,
    :#dead_lettered, :#ignored, :#duplicates, CAST(:#duration_ms AS integer))
ON CONFLICT (id) DO NOTHING
