-- Every webhook request, accepted or rejected: the operator's first place to look.
CREATE TABLE webhook_requests (
    id                uuid        PRIMARY KEY,
    received_at       timestamptz NOT NULL,
    amo_request_id    text,
    account_id        bigint,
    account_subdomain text,
    body_bytes        bigint      NOT NULL,
    body_sha256       text,
    outcome           text        NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'duplicate')),
    http_status       integer     NOT NULL,
    error_code        text,
    error             text,
    duplicate_of      uuid,
    events            integer     NOT NULL DEFAULT 0,
    stored            integer     NOT NULL DEFAULT 0,
    stale             integer     NOT NULL DEFAULT 0,
    dead_lettered     integer     NOT NULL DEFAULT 0,
    ignored           integer     NOT NULL DEFAULT 0,
    duplicates        integer     NOT NULL DEFAULT 0,
    duration_ms       integer,
    answered_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_requests_received_at_idx ON webhook_requests (received_at);
CREATE INDEX webhook_requests_body_sha256_idx ON webhook_requests (body_sha256, received_at);
CREATE INDEX webhook_requests_amo_request_id_idx ON webhook_requests (amo_request_id) WHERE amo_request_id IS NOT NULL;

-- One row per event with what became of it; events the server does not model keep their payload here.
CREATE TABLE webhook_events (
    id          bigserial   PRIMARY KEY,
    request_id  uuid        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    topic       text        NOT NULL,
    entity      text        NOT NULL,
    action      text        NOT NULL,
    entity_id   text,
    version     timestamptz,
    outcome     text        NOT NULL CHECK (outcome IN ('stored', 'stale', 'dead-lettered', 'ignored', 'duplicate')),
    payload     jsonb
);
CREATE INDEX webhook_events_request_idx ON webhook_events (request_id);
CREATE INDEX webhook_events_entity_idx ON webhook_events (entity, entity_id);

CREATE TABLE amo_leads (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    name                text,
    status_id           bigint,
    pipeline_id         bigint,
    price               numeric,
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
CREATE INDEX amo_leads_stage_idx ON amo_leads (pipeline_id, status_id);

CREATE TABLE amo_contacts (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    name                text,
    company_name        text,
    linked_company_id   bigint,
    responsible_user_id bigint,
    created_user_id     bigint,
    modified_user_id    bigint,
    created_at          timestamptz,
    updated_at          timestamptz,
    phones              jsonb,
    emails              jsonb,
    linked_leads        jsonb,
    custom_fields       jsonb,
    tags                jsonb,
    deleted_at          timestamptz,
    last_action         text        NOT NULL,
    payload             jsonb       NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX amo_contacts_phones_idx ON amo_contacts USING gin (phones);
CREATE INDEX amo_contacts_emails_idx ON amo_contacts USING gin (emails);

CREATE TABLE amo_companies (
    id                  bigint      PRIMARY KEY,
    account_id          bigint,
    name                text,
    responsible_user_id bigint,
    created_user_id     bigint,
    modified_user_id    bigint,
    created_at          timestamptz,
    updated_at          timestamptz,
    phones              jsonb,
    emails              jsonb,
    linked_leads        jsonb,
    custom_fields       jsonb,
    tags                jsonb,
    deleted_at          timestamptz,
    last_action         text        NOT NULL,
    payload             jsonb       NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now()
);

-- The stage history of leads: one row per move between statuses or pipelines.
CREATE TABLE amo_lead_status_changes (
    id              bigserial   PRIMARY KEY,
    lead_id         bigint      NOT NULL,
    old_status_id   bigint,
    status_id       bigint,
    old_pipeline_id bigint,
    pipeline_id     bigint,
    changed_at      timestamptz,
    source_action   text        NOT NULL,
    request_id      uuid        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
-- A timed change is recorded once however often it is delivered.
CREATE UNIQUE INDEX amo_lead_status_changes_once_idx
    ON amo_lead_status_changes (lead_id, old_status_id, status_id, old_pipeline_id, pipeline_id, changed_at)
    NULLS NOT DISTINCT WHERE changed_at IS NOT NULL;
CREATE INDEX amo_lead_status_changes_lead_idx ON amo_lead_status_changes (lead_id, recorded_at);

-- Events that failed to store, with their original payload, so nothing acknowledged is ever lost.
CREATE TABLE dead_letters (
    id              bigserial   PRIMARY KEY,
    request_id      uuid        NOT NULL,
    amo_request_id  text,
    topic           text        NOT NULL,
    entity          text        NOT NULL,
    action          text        NOT NULL,
    entity_id       text,
    payload         jsonb       NOT NULL,
    error_class     text        NOT NULL,
    error_message   text,
    root_cause      text,
    route_id        text,        -- the route whose dead-letter channel caught it
    failed_endpoint text,        -- the endpoint being called when it failed (direct://store-lead, sql://...)
    attempts        integer     NOT NULL DEFAULT 1,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replayed', 'discarded')),
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    history         jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX dead_letters_status_idx ON dead_letters (status, entity, action);

-- Whether an event carried a column: upserts change only what the event carried (see sql/*-upsert.sql).
CREATE FUNCTION amo_carried(present text, col text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT col = ANY (string_to_array(present, ',')) $$;
