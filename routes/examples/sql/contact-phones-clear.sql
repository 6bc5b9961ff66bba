-- Removes a contact's phone rows before they are written again from amo_contacts.
DELETE FROM contact_phones WHERE contact_id = CAST(:#id AS bigint)
