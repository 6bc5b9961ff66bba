-- Recipe table: one row per contact and phone number.
CREATE TABLE IF NOT EXISTS contact_phones (
    contact_id bigint NOT NULL,
    phone      text   NOT NULL,
    digits     text   NOT NULL,
    PRIMARY KEY (contact_id, phone)
)
