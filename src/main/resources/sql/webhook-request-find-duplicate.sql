-- Finds the accepted request that this one re-delivers: the same X-Amocrm-Requestid, or the same body bytes,
-- within the dedupe window (amoCRM retries for about an hour and a half).
SELECT CAST(id AS text) AS id
FROM webhook_requests
WHERE outcome = 'accepted'
  AND received_at > now() - make_interval(secs => CAST(:#window_seconds AS bigint))
  AND (amo_request_id = CAST(:#amo_request_id AS text) OR body_sha256 = CAST(:#body_sha256 AS text))
ORDER BY received_at
LIMIT 1
