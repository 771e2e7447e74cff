#!/usr/bin/env bash
# tests/check_verify.sh BUILD - `--verify` against the harness's PostgreSQL
# ($DALC_TEST_PG): the example schema's queries pass and leave nothing on the
# server; every tests/bad_queries_pg/<case>/ fails with exactly its
# expected.txt and writes nothing.
set -uo pipefail
build=${1:-build/san}
dalc="$build/dalc"
url=${DALC_TEST_PG:?run the suite with make test}
tmp=$(mktemp -d /tmp/dalc-verify.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
if ! "$dalc" generate --schema schema --out "$tmp/gen" --verify "$url"; then
    echo "FAIL: schema/ does not verify on PostgreSQL"; fail=1
fi
if ! DALC_VERIFY_URL="$url" "$dalc" check --schema schema --out "$tmp/gen"; then
    echo "FAIL: dalc check with DALC_VERIFY_URL"; fail=1
fi
left=$(psql "$url" -Atc "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dalc_verify%'" 2>/dev/null || echo 0)
[ "$left" = 0 ] || { echo "FAIL: --verify left $left schema(s) on the server"; fail=1; }
for dir in tests/bad_queries_pg/*/; do
    case=${dir%/}
    out="$tmp/$(basename "$case")"
    if "$dalc" generate --schema "$case" --out "$out" --verify "$url" 2>"$tmp/stderr"; then
        echo "FAIL: $case: dalc generate --verify succeeded"; fail=1; continue
    fi
    diff -u "$case/expected.txt" "$tmp/stderr" || { echo "FAIL: $case: diagnostics differ"; fail=1; }
    [ -e "$out" ] && { echo "FAIL: $case: something was written"; fail=1; }
done
"$dalc" generate --schema schema --out "$tmp/x" --verify "postgresql:///nosuchdb?host=/nonexistent" 2>"$tmp/stderr"
[ $? -eq 1 ] && grep -q "^--verify: error: cannot connect" "$tmp/stderr" || { echo "FAIL: a bad --verify URL"; cat "$tmp/stderr"; fail=1; }
[ "$fail" -eq 0 ] && echo "verify: ok"
exit "$fail"
