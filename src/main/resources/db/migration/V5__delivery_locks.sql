-- Finds the accepted request that a delivery re-delivers, after taking the delivery's dedupe locks for the rest of
-- the transaction: its X-Amocrm-Requestid and its body's SHA-256. amoCRM sends a request again when the first
-- delivery is slow to answer, so both can be in flight at once (on one server or on two): the second waits here
-- until the first one's transaction ends, then finds it accepted and is answered as a duplicate, instead of both
-- being stored and journaled as accepted. The locks are taken in one order and first in the transaction, so two
-- deliveries never deadlock on them; the two-key form with the product's own first key keeps them apart from other
-- users' advisory locks. A wait longer than amoCRM's patience fails the request (503, amoCRM retries).
-- VOLATILE and READ COMMITTED on purpose: the lookup after the wait must see what the other transaction committed.
CREATE FUNCTION amo_find_delivered(p_request_id text, p_body_sha256 text, p_window_seconds bigint) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET lock_timeout = '1500ms'
AS $$
DECLARE
    lock_key integer;
    original text;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'amo_find_delivered needs READ COMMITTED, not %', current_setting('transaction_isolation');
    END IF;
    FOR lock_key IN
        SELECT DISTINCT hashtext(k) FROM unnest(ARRAY[p_request_id, p_body_sha256]) AS k WHERE k IS NOT NULL ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(6385007, lock_key);
    END LOOP;
    -- a statement of its own: in READ COMMITTED it sees what the transaction waited for
    SELECT CAST(r.id AS text) INTO original
    FROM webhook_requests r
    WHERE r.outcome = 'accepted'
      AND r.received_at > now() - make_interval(secs => p_window_seconds)
      AND (r.amo_request_id = p_request_id OR r.body_sha256 = p_body_sha256)
    ORDER BY r.received_at
    LIMIT 1;
    RETURN original;
END
$$;
