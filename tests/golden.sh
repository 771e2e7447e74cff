#!/usr/bin/env bash
# tests/golden.sh DALC [update] - the golden DDL files of the example schema.
#   tests/golden.sh build/dalc update   rewrites tests/golden/ from schema/
#   tests/golden.sh build/dalc          compares them (exit 1 and a diff when stale)
# (`make golden` runs the first form.)  tests/test_ddl.c compares the emitter's
# output with the same files byte for byte.
set -euo pipefail
dalc=${1:?usage: tests/golden.sh DALC [update]}
mode=${2:-compare}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d /tmp/dalc-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$dalc" generate --schema schema --out "$tmp/out"
files="schema.pg.sql schema.sqlite.sql"
if [ "$mode" = update ]; then
    mkdir -p tests/golden
    for f in $files; do
        if ! cmp -s "$tmp/out/$f" "tests/golden/$f"; then
            cp "$tmp/out/$f" "tests/golden/$f"
            echo "updated tests/golden/$f"
        fi
    done
    exit 0
fi
rc=0
for f in $files; do
    if ! diff -u "tests/golden/$f" "$tmp/out/$f"; then
        echo "tests/golden/$f is stale: run make golden (and review the diff)" >&2
        rc=1
    fi
done
exit $rc
