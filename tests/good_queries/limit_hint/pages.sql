-- name: first_nodes :many
-- LIMIT with a parameter: the result array starts with room for that many
-- rows (at most 1024), so a full page is read without growing it.
SELECT * FROM nodes ORDER BY id LIMIT :cap;

-- name: nodes_after :many
-- The same with two parameters.
SELECT * FROM nodes WHERE id > :after ORDER BY id LIMIT :n;

-- name: top_five :many
-- A written LIMIT: room for five rows.
SELECT * FROM nodes ORDER BY id LIMIT 5;

-- name: many_nodes :many
-- A written LIMIT beyond 1024: room for 1024 rows first.
SELECT * FROM nodes ORDER BY id LIMIT 5000;

-- name: children_of_first :many
-- Only the statement's own LIMIT counts, not a subquery's: 16 rows first.
SELECT * FROM nodes WHERE parent_id = (SELECT id FROM nodes ORDER BY id LIMIT 1);
