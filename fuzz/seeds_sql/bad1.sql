-- name: untypable_param :many
SELECT id FROM books WHERE length(name) > :n;

-- name: untypable_column :many
SELECT id, upper(name) AS shout FROM books;

-- name: conflicting :many
SELECT id FROM books WHERE id = :x OR name = :x;

-- name: duplicate_columns :many
SELECT a.id, b.id FROM books a JOIN books b ON b.id = a.id;

-- name: not_identifier :many
SELECT max(id) FROM books;

-- name: bad_directive :one
-- param: id int46
SELECT id FROM books WHERE id = :id;

-- name: variant_params :many
-- pg:
SELECT id FROM books WHERE name ILIKE :pattern
-- sqlite:
SELECT id FROM books WHERE name LIKE :pat

-- name: list_misuse :many
-- param: ids int64[]
SELECT id FROM books WHERE id = :ids;
