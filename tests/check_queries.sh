#!/usr/bin/env bash
# tests/check_queries.sh BUILD - every tests/bad_queries/<case>/ is a schema
# folder with query files and expected.txt, the exact diagnostics of
# `dalc generate` on it; the run must fail with them and write nothing.
# Every tests/good_queries/<case>/ must generate, and each file of its
# expected/ folder must equal the generated file of that name (typing cases).
set -uo pipefail
build=${1:-build/san}
dalc="$build/dalc"
tmp=$(mktemp -d /tmp/dalc-badq.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
for dir in tests/bad_queries/*/; do
    case=${dir%/}
    out="$tmp/$(basename "$case")"
    if "$dalc" generate --schema "$case" --out "$out" 2>"$tmp/stderr"; then
        echo "FAIL: $case: dalc generate succeeded"; fail=1; continue
    fi
    if ! diff -u "$case/expected.txt" "$tmp/stderr"; then
        echo "FAIL: $case: diagnostics differ"; fail=1
    fi
    if [ -e "$out" ]; then
        echo "FAIL: $case: something was written"; fail=1
    fi
done
for dir in tests/good_queries/*/; do
    case=${dir%/}
    out="$tmp/good-$(basename "$case")"
    if ! "$dalc" generate --schema "$case" --out "$out" 2>"$tmp/stderr"; then
        echo "FAIL: $case: dalc generate failed:"; cat "$tmp/stderr"; fail=1; continue
    fi
    for want in "$case"/expected/*; do
        if ! diff -u "$want" "$out/$(basename "$want")"; then
            echo "FAIL: $case: $(basename "$want") differs"; fail=1
        fi
    done
done
[ "$fail" -eq 0 ] && echo "bad and good query cases: ok"
exit "$fail"
