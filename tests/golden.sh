#!/usr/bin/env bash
# tests/golden.sh DALC [update] - the golden files are the committed
# generated/ folder (the example schema's DDL, C and embedded migrations):
#   tests/golden.sh build/dalc update   rewrites generated/ (`make golden`)
#   tests/golden.sh build/dalc          compares it (exit 1 and a diff when stale)
# tests/test_ddl.c compares the DDL emitter's output with generated/schema.*.sql
# byte for byte; tests/check_generated.sh runs `dalc check` over the rest.
set -euo pipefail
dalc=${1:?usage: tests/golden.sh DALC [update]}
mode=${2:-compare}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$mode" = update ]; then
    exec "$dalc" generate --schema schema --out generated
fi
tmp=$(mktemp -d /tmp/dalc-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$dalc" generate --schema schema --out "$tmp/out"
if ! diff -ru generated "$tmp/out"; then
    echo "generated/ is stale: run make golden (and review the diff)" >&2
    exit 1
fi
