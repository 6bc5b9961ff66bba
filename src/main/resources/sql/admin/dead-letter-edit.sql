-- An operator corrects the payload of a pending dead letter; the previous version is kept in its history.
UPDATE dead_letters
SET payload = CAST(:payload AS jsonb),
    history = history || jsonb_build_array(jsonb_build_object(
        'at', now(), 'action', 'edit', 'previous', payload, 'by', CAST(:by AS text)))
WHERE id = :id AND status = 'pending'
