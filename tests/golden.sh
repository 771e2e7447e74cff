#!/usr/bin/env bash
# tests/golden.sh DALC [update] - the golden files are the committed
# generated/ folder (the example schema's DDL, C and embedded migrations)
# and tests/c_names/golden/ (the C of some tables of tests/c_names/schema,
# whose names are C keywords or the generated functions' own locals):
#   tests/golden.sh build/dalc update   rewrites generated/ (`make golden`)
#   tests/golden.sh build/dalc          compares it (exit 1 and a diff when stale)
# tests/test_ddl.c compares the DDL emitter's output with generated/schema.*.sql
# byte for byte; tests/check_generated.sh runs `dalc check` over the rest.
set -euo pipefail
dalc=${1:?usage: tests/golden.sh DALC [update]}
mode=${2:-compare}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d /tmp/dalc-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$dalc" generate --schema tests/c_names/schema --out "$tmp/names"
if [ "$mode" = update ]; then
    for f in tests/c_names/golden/*; do cp "$tmp/names/$(basename "$f")" "$f"; done
    exec "$dalc" generate --schema schema --out generated
fi
"$dalc" generate --schema schema --out "$tmp/out"
stale=0
diff -ru generated "$tmp/out" || stale=1
for f in tests/c_names/golden/*; do diff -u "$f" "$tmp/names/$(basename "$f")" || stale=1; done
if [ $stale = 1 ]; then
    echo "generated/ or tests/c_names/golden/ is stale: run make golden (and review the diff)" >&2
    exit 1
fi
