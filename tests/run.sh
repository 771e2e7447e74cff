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

# Counts: a cmocka binary counts its test cases (from its summary lines);
# a check script counts one.  A binary that dies before its summary counts
# as one failure.
passed=0; failed=0; failed_names=()
# DALC_ONLY="name ..." runs only those tests (e.g. DALC_ONLY=check_probe_pg_restart).
run_one() { # name command...
    local name=$1; shift
    if [ -n "${DALC_ONLY:-}" ]; then
        case " $DALC_ONLY " in *" $name "*) ;; *) return 0 ;; esac
    fi
    local t="$tmp/work/$name"; rm -rf "$t"; mkdir -p "$t"; chmod 777 "$t"
    local log="$tmp/work/$name.log"
    echo "=== $name"
    DALC_TEST_TMP="$t" "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local p f
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        if [ "$rc" -eq 0 ]; then p=1; else f=1; fi
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    passed=$((passed + p)); failed=$((failed + f))
    [ "$rc" -ne 0 ] && failed_names+=("$name")
    return 0
}

# VALGRIND=1 (make valgrind) runs every test binary under memcheck; any
# error or leak fails it.
vg=()
if [ -n "${VALGRIND:-}" ]; then
    command -v valgrind >/dev/null || { echo "tests/run.sh: install valgrind (apt-get install valgrind)" >&2; exit 1; }
    vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
        --suppressions=tests/valgrind.supp)
fi
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "${vg[@]}" "$t"
done
for s in tests/check_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s" .sh)" bash "$s" "$build"
done

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_names[@]} -eq 0 ]
