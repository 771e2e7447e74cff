#!/usr/bin/env bash
# The pool tests (tests/test_runtime_pool.c: 8 threads on one pool per
# engine, a PostgreSQL restart mid-run) built with ThreadSanitizer (clang,
# no ASan) and run against the harness server; any data race fails.
# `make tsan` runs only this.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
cc=$(command -v clang || echo gcc)
out="$DALC_TEST_TMP/tsan"
mkdir -p "$out"
pg_inc=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=thread -D_POSIX_C_SOURCE=200809L \
    -I"$pg_inc" -Iruntime -Itests runtime/*.c tests/test_runtime_pool.c \
    -lcmocka -lpq -lsqlite3 -lpthread -lm -o "$out/test_runtime_pool"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" "$out/test_runtime_pool"
