-- A replay went through the routes: the dead letter is done, and its history says what the replay did.
UPDATE dead_letters
SET status  = 'replayed',
    history = history || jsonb_build_array(jsonb_build_object(
        'at', now(), 'action', 'replay', 'result', 'replayed', 'outcome', CAST(:outcome AS text),
        'by', CAST(:by AS text)))
WHERE id = :id
