-- Dead letters per entity and status, for the depth gauge.
SELECT entity, status, count(*) AS depth FROM dead_letters GROUP BY entity, status
