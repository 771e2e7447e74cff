#!/usr/bin/env bash
# bench/gen_schema.sh N DIR - writes N synthetic tables of 10 columns each
# (every one but the first references the previous table) into DIR.
set -euo pipefail
n=$1; dir=$2
rm -rf "$dir"; mkdir -p "$dir"
for ((i = 1; i <= n; i++)); do
    ref=""
    [ "$i" -gt 1 ] && ref="  - { name: prev_id, type: int64, nullable: true, references: t$((i - 1)).id }"
    cat > "$dir/t$i.yaml" <<YAML
table: t$i
comment: Synthetic table $i.
columns:
  - { name: id, type: int64, primary_key: true, identity: true }
  - { name: name, type: text, max_length: 100 }
  - { name: amount, type: decimal, precision: 12, scale: 2 }
  - { name: created_at, type: timestamp, default: now }
  - { name: active, type: bool, default: true }
  - { name: score, type: float64, nullable: true }
  - { name: data, type: json, nullable: true }
  - { name: code, type: uuid, default: uuid }
  - { name: state, type: enum, values: [a, b, c] }
${ref:-  - { name: extra, type: int32, default: 0 \}}
YAML
done
