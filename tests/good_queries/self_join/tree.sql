-- name: with_parent :many
-- Every node with its parent's label: the columns of `n` are as declared,
-- those of `p` (the nullable side of the LEFT JOIN) are nullable.
SELECT n.id, n.label, p.id AS parent, p.label AS parent_label
FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id
ORDER BY n.id;

-- name: with_parent_star :many
-- With `*` the positions of the items are unknown: every column of a table
-- that is also on the nullable side is nullable.
SELECT n.*, p.label AS parent_label
FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id;
