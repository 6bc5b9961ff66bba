-- Tasks: task[add|update|delete|responsible] (amoCRM uses the singular key).
CREATE TABLE amo_tasks (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    element_id          bigint,
    element_type        integer,     -- 1 contact, 2 lead, 3 company, 12 customer
    task_type           text,
    text                text,
    status              integer,     -- 1 done, 0 open
    result              text,
    complete_till       timestamptz,
    responsible_user_id bigint,
    created_user_id     bigint,
    modified_user_id    bigint,
    created_at          timestamptz,
    updated_at          timestamptz,
    deleted_at          timestamptz,
    last_action         text        NOT NULL,
    payload             jsonb       NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX amo_tasks_element_idx ON amo_tasks (element_type, element_id);

-- Notes on leads, contacts, companies and customers (leads[note][0][note][...]).
CREATE TABLE amo_notes (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    parent_entity       text        NOT NULL,  -- lead, contact, company, customer (from the webhook key)
    element_id          bigint,
    element_type        integer,
    note_type           text,
    text                text,
    params              jsonb,
    responsible_user_id bigint,
    created_user_id     bigint,
    created_at          timestamptz,           -- from created_at (unix); date_create is a local-time string
    updated_at          timestamptz,
    last_action         text        NOT NULL,
    payload             jsonb       NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX amo_notes_parent_idx ON amo_notes (parent_entity, element_id);

-- Incoming leads waiting in "Unsorted", keyed by uid; accepting or declining one is recorded, not deleted.
CREATE TABLE amo_unsorted (
    uid              text        PRIMARY KEY,
    account_id       bigint,
    category         text,
    source           text,
    source_uid       text,
    source_id        bigint,
    pipeline_id      bigint,
    lead_id          bigint,
    contact_ids      jsonb,
    source_data      jsonb,
    created_at       timestamptz,
    status           text        NOT NULL CHECK (status IN ('new', 'accepted', 'declined', 'deleted')),
    accepted_lead_id bigint,
    decided_at       timestamptz,
    last_action      text        NOT NULL,
    payload          jsonb       NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now()
);

-- Incoming chat messages (message[add]); a message never changes, so the first delivery wins.
CREATE TABLE amo_messages (
    id          text        PRIMARY KEY,
    account_id  bigint,
    chat_id     text,
    talk_id     bigint,
    contact_id  bigint,
    element_id  bigint,
    entity_type text,
    text        text,
    author      jsonb,
    attachment  jsonb,
    origin      text,
    created_at  timestamptz,
    payload     jsonb       NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX amo_messages_talk_idx ON amo_messages (talk_id);
CREATE INDEX amo_messages_contact_idx ON amo_messages (contact_id);

-- Conversations (talk[add|update]), keyed by talk_id.
CREATE TABLE amo_talks (
    id          bigint      PRIMARY KEY,
    account_id  bigint,
    chat_id     text,
    contact_id  bigint,
    entity_id   bigint,
    entity_type text,
    is_in_work  boolean,
    is_read     boolean,
    rate        integer,
    origin      text,
    created_at  timestamptz,
    updated_at  timestamptz,
    last_action text        NOT NULL,
    payload     jsonb       NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now()
);

-- Customers (periodic purchases); amoCRM's field set is unconfirmed, so the full event stays in payload.
CREATE TABLE amo_customers (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    name                text,
    status_id           bigint,
    next_price          numeric,
    next_date           timestamptz,
    periodicity         integer,
    responsible_user_id bigint,
    created_user_id     bigint,
    modified_user_id    bigint,
    created_at          timestamptz,
    updated_at          timestamptz,
    custom_fields       jsonb,
    tags                jsonb,
    deleted_at          timestamptz,
    last_action         text        NOT NULL,
    payload             jsonb       NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now()
);

-- The same event delivered in different requests is applied once: found by entity, action, id and version.
CREATE INDEX webhook_events_applied_idx ON webhook_events (entity, entity_id, action, version)
    WHERE version IS NOT NULL AND outcome IN ('stored', 'stale');
