-- name: same :one
SELECT id FROM books WHERE id = :id;

-- name: books_get :one
SELECT id FROM books WHERE id = :id;

-- name: Bad-Name :one
SELECT id FROM books;
