-- name: same :one
SELECT id FROM books WHERE id = :id;
