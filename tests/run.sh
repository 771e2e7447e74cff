#!/usr/bin/env bash
# tests/run.sh BUILD - runs the whole suite against the binaries in BUILD
# (made by `make test`): starts a private PostgreSQL, runs every test binary
# and script, stops the server whatever happens, and ends with one
# "N passed, N failed" line.
set -uo pipefail
build=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tmp=$(mktemp -d /tmp/dalc-test.XXXXXX)
chmod 755 "$tmp"
pgdir="$tmp/pg"
cleanup() { tests/pg.sh stop "$pgdir" || true; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

if ! url=$(tests/pg.sh start "$pgdir"); then
    echo "tests/run.sh: could not start PostgreSQL (see above)" >&2
    exit 1
fi
export DALC_TEST_PG="$url" DALC_TEST_PGDIR="$pgdir" DALC_BUILD="$build"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset DATABASE_URL

passed=0; failed=0; failed_names=()
run_one() { # name command...
    local name=$1; shift
    local t="$tmp/work/$name"; rm -rf "$t"; mkdir -p "$t"; chmod 777 "$t"
    echo "=== $name"
    if DALC_TEST_TMP="$t" "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failed_names+=("$name")
    fi
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in tests/check_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s" .sh)" bash "$s" "$build"
done

echo
[ "$failed" -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
