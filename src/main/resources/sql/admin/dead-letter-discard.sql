-- An operator gives up on a pending dead letter, with a reason kept in its history.
UPDATE dead_letters
SET status  = 'discarded',
    history = history || jsonb_build_array(jsonb_build_object(
        'at', now(), 'action', 'discard', 'reason', CAST(:reason AS text), 'by', CAST(:by AS text)))
WHERE id = :id AND status = 'pending'
