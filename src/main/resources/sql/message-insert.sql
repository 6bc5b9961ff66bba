-- Stores an incoming chat message; a message never changes, so a re-delivery changes nothing.
INSERT INTO amo_messages (
    id, account_id, chat_id, talk_id, contact_id, element_id, entity_type, text, author, attachment, origin,
    created_at, payload)
VALUES (
    :#id, CAST(:#account_id AS bigint), CAST(:#chat_id AS text), CAST(:#talk_id AS bigint),
    CAST(:#contact_id AS bigint), CAST(:#element_id AS bigint), CAST(:#entity_type AS text), CAST(:#text AS text),
    CAST(:#author AS jsonb), CAST(:#attachment AS jsonb), CAST(:#origin AS text), CAST(:#created_at AS timestamptz),
    CAST(:#payload AS jsonb))
ON CONFLICT (id) DO NOTHING
