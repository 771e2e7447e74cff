-- name: reading_by_id :one
-- A reading by id, as a named query (the benchmark compares it with the
-- hand-written prepared statement of the same SQL).
SELECT id, sensor, seq, value, flag, note, at FROM readings WHERE id = :id;
