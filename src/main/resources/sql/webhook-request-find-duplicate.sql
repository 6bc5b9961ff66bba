-- Finds the accepted request that this one re-delivers: the same X-Amocrm-Requestid, or the same body bytes,
-- within the dedupe window (amoCRM retries for about an hour and a half). Runs first in the request's transaction
-- and holds the delivery's locks until it ends, so a re-delivery arriving meanwhile waits and then finds it
-- (amo_find_delivered, db/migration/V5__delivery_locks.sql).
SELECT amo_find_delivered(CAST(:#amo_request_id AS text), CAST(:#body_sha256 AS text),
                          CAST(:#window_seconds AS bigint)) AS id
