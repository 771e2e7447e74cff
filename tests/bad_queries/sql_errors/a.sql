-- name: bad_sql :many
SELEC id FROM books;

-- name: unknown_column :many
SELECT id, titel FROM books;

-- name: unknown_table :one
SELECT * FROM bookz WHERE id = :id;

-- name: two_statements :exec
DELETE FROM books; DELETE FROM books;

-- name: bad_kind :all
SELECT id FROM books;

-- name: positional :one
SELECT id FROM books WHERE id = $1;
