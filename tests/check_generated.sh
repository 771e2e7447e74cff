#!/usr/bin/env bash
# The committed generated/ must be exactly what this dalc writes from schema/
# (CI regenerates and fails on any difference), and tests/c_names/golden/
# what it writes for those tables of tests/c_names/schema.
set -euo pipefail
build=${1:-build/san}
if ! "$build/dalc" check --schema schema --out generated; then
    echo "generated/ is stale: run 'make generate' and commit the result" >&2
    exit 1
fi
echo "generated/ is up to date"
# tests/c_names/golden: the exact C of tables named like the generated
# functions' locals (a table `items` keeps the C name items)
out=${DALC_TEST_TMP:-$(mktemp -d)}/c_names
"$build/dalc" generate --schema tests/c_names/schema --out "$out"
for f in tests/c_names/golden/*; do
    if ! diff -u "$f" "$out/$(basename "$f")"; then
        echo "tests/c_names/golden is stale: run 'make golden' and review the diff" >&2
        exit 1
    fi
done
echo "tests/c_names/golden is up to date"
