-- amoCRM's integration disconnect hook: the account that switched the integration off, and when.
CREATE TABLE amo_disconnects (
    id          bigserial   PRIMARY KEY,
    account_id  text        NOT NULL,
    client_uuid text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
