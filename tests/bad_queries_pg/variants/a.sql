-- name: variant_columns :many
-- pg:
SELECT id, name AS title FROM books WHERE name ILIKE :pattern
-- sqlite:
SELECT id, name FROM books WHERE name LIKE :pattern

-- name: pg_only_error :many
-- pg:
SELECT id FROM books WHERE nme ILIKE :pattern
-- sqlite:
SELECT id FROM books WHERE name LIKE :pattern

-- name: wrong_type :one
-- column: n int32
SELECT count(*) AS n FROM books;
