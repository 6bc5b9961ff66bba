-- Writes a contact's phones as amo_contacts holds them now, with a digits-only copy for lookups.
INSERT INTO contact_phones (contact_id, phone, digits)
SELECT c.id, p.phone, regexp_replace(p.phone, '\D', '', 'g')
FROM amo_contacts c, jsonb_array_elements_text(coalesce(c.phones, '[]')) AS p(phone)
WHERE c.id = CAST(:#id AS bigint)
ON CONFLICT DO NOTHING
