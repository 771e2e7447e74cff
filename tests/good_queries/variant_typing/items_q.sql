-- name: item_by_id :one
-- The SQLite variant alone does not type :id (a CAST is no typing context);
-- its use in the PostgreSQL variant does.
-- pg:
SELECT * FROM items WHERE id = :id
-- sqlite:
SELECT * FROM items WHERE id = CAST(:id AS INTEGER)

-- name: rename_item :execrows
-- :name sets a nullable column, so it is nullable (a NULL pointer binds NULL).
UPDATE items SET name = :name WHERE id = :id;
