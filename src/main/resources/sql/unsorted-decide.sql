-- Records that an unsorted lead left "Unsorted": accepted (with the lead it became), declined, or deleted.
-- The first decision stands; a re-delivered one changes nothing.
INSERT INTO amo_unsorted AS t (uid, account_id, lead_id, status, accepted_lead_id, decided_at, last_action, payload)
SELECT
    :#id, CAST(:#account_id AS bigint), CAST(:#lead_id AS bigint), CAST(:#status AS text),
    CAST(:#accepted_lead_id AS bigint), CAST(:#received_at AS timestamptz), 'delete', CAST(:#payload AS jsonb)
ON CONFLICT (uid) DO UPDATE SET
    status           = EXCLUDED.status,
    accepted_lead_id = COALESCE(EXCLUDED.accepted_lead_id, t.accepted_lead_id),
    decided_at       = EXCLUDED.decided_at,
    last_action      = 'delete',
    payload          = t.payload || EXCLUDED.payload,
    stored_at        = now()
WHERE t.status = 'new'
