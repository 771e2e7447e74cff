-- name: int :exec
-- A C keyword cannot name a function.
DELETE FROM books;

-- name: bool :exec
DELETE FROM books;

-- name: fine :exec
DELETE FROM books;
