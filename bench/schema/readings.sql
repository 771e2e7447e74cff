-- name: reading_by_id :one
-- A reading by id, as a named query (the benchmark compares it with the
-- hand-written prepared statement of the same SQL).
SELECT id, sensor, seq, value, flag, note, at FROM readings WHERE id = :id;

-- name: readings_after :many
-- A page of readings after an id, as a named query (compared with the
-- hand-written prepared statement of the same SQL).
SELECT id, sensor, seq, value, flag, note, at FROM readings WHERE id > :after ORDER BY id LIMIT :n;

-- name: reading_set_value :execrows
-- Sets one reading's value: the :exec row of the benchmark, and what the
-- batch benchmark (bench/batch.c) runs in a batch and in a loop.
UPDATE readings SET value = :value WHERE id = :id;
