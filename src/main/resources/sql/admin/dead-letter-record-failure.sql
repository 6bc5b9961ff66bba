-- A replay failed again: one more attempt, the new error, and the row stays pending.
UPDATE dead_letters
SET attempts       = attempts + 1,
    error_class    = CAST(:error_class AS text),
    error_message  = CAST(:error_message AS text),
    root_cause     = CAST(:root_cause AS text),
    last_failed_at = now(),
    history        = history || jsonb_build_array(jsonb_build_object(
        'at', now(), 'action', 'replay', 'result', 'failed', 'error', CAST(:error_message AS text),
        'by', CAST(:by AS text)))
WHERE id = :id AND status = 'pending'
