-- Takes a pending dead letter for replay; another server replaying at the same time skips it (row lock).
SELECT id, payload::text AS payload, attempts, target
FROM dead_letters
WHERE id = :id AND status = 'pending'
FOR UPDATE SKIP LOCKED
