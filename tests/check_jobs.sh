#!/usr/bin/env bash
# tests/check_jobs.sh BUILD - `dalc generate --jobs N` writes the same files
# for every N: schema/ and a 200-table schema of bench/gen_schema.sh with
# --jobs 1, 2 and 4, byte-compared; and `dalc check` agrees with each.
set -euo pipefail
build=${1:-build/san}
dalc="$build/dalc"
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top"
tmp=${DALC_TEST_TMP:-$(mktemp -d)}/jobs
rm -rf "$tmp"; mkdir -p "$tmp"
bench/gen_schema.sh 200 "$tmp/s200"
fail=0
for schema in schema "$tmp/s200"; do
    name=$(basename "$schema")
    for j in 1 2 4; do
        "$dalc" generate --schema "$schema" --out "$tmp/$name-j$j" --jobs "$j"
        "$dalc" check --schema "$schema" --out "$tmp/$name-j$j" --jobs "$j" > /dev/null ||
            { echo "FAIL: $name: dalc check --jobs $j does not accept what generate --jobs $j wrote"; fail=1; }
    done
    for j in 2 4; do
        if ! diff -r "$tmp/$name-j1" "$tmp/$name-j$j" > /dev/null; then
            echo "FAIL: $name: --jobs $j differs from --jobs 1:"
            diff -rq "$tmp/$name-j1" "$tmp/$name-j$j" | head -5
            fail=1
        fi
    done
    n=$(ls "$tmp/$name-j1" | wc -l)
    echo "$name: $n files, identical for --jobs 1, 2, 4"
done
# a bad value is a usage error
if "$dalc" generate --schema schema --out "$tmp/bad" --jobs 0 2>/dev/null; then
    echo "FAIL: --jobs 0 was accepted"; fail=1
fi
[ -e "$tmp/bad" ] && { echo "FAIL: --jobs 0 created the output folder"; fail=1; }
[ $fail = 0 ] && echo "check_jobs: the output is the same for every --jobs"
exit $fail
