-- Soft-deletes a contact; the first delete time is kept.
INSERT INTO amo_contacts AS t (id, account_id, deleted_at, last_action, payload)
VALUES (:#id, CAST(:#account_id AS bigint), CAST(:#received_at AS timestamptz), 'delete', CAST(:#payload AS jsonb))
ON CONFLICT (id) DO UPDATE SET
    deleted_at  = COALESCE(t.deleted_at, EXCLUDED.deleted_at),
    last_action = 'delete',
    stored_at   = now()
