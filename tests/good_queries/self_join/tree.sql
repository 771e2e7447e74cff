-- name: with_parent :many
-- Every node with its parent's label: the columns of `n` are as declared,
-- those of `p` (the nullable side of the LEFT JOIN) are nullable.
SELECT n.id, n.label, p.id AS parent, p.label AS parent_label
FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id
ORDER BY n.id;

-- name: with_parent_star :many
-- `n.*` stands for the columns of `n`, as declared.
SELECT n.*, p.label AS parent_label
FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id;

-- name: parent_star :many
-- `p.*` stands for the columns of `p`, all nullable (the nullable side);
-- the item after it is `n`'s id, as declared.
SELECT p.*, n.id AS node_id
FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id;
