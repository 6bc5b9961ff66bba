-- Soft-deletes a contact. The delete's time is its own updated_at/last_modified when it
-- carries one, else when it was received; a delete older than the row's latest update does not delete it.
INSERT INTO amo_contacts AS t (id, account_id, deleted_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint),
    COALESCE(CAST(:#version AS timestamptz), CAST(:#received_at AS timestamptz)), 'delete', CAST(:#payload AS jsonb)
ON CONFLICT (id) DO UPDATE SET
    deleted_at  = COALESCE(t.deleted_at, EXCLUDED.deleted_at),
    last_action = 'delete',
    stored_at   = now()
WHERE t.updated_at IS NULL OR EXCLUDED.deleted_at >= t.updated_at
