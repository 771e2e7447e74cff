#!/usr/bin/env bash
# Warnings are errors with both compilers: gcc builds everything in `make
# test`; this compiles the generator, the runtime, the templates' output and
# the tests once more with clang under the same flags.
set -euo pipefail
build=${1:-build/san}
command -v clang >/dev/null || { echo "check_clang: install clang (apt-get install clang)" >&2; exit 1; }
flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L
       -I"$(pg_config --includedir)" -Iruntime -Igenerator -Itests -I"$build/gen" -fsyntax-only)
n=0
for f in generator/*.c generator/*/*.c runtime/*.c "$build"/gen/*.c tests/test_*.c examples/*.c; do
    clang "${flags[@]}" "$f"
    n=$((n + 1))
done
# the reliability probes use their own schema (tests/probe_schema)
for f in tests/probe_*.c "$build"/probegen/*.c; do
    clang "${flags[@]/-I$build\/gen/-I$build/probegen}" "$f"
    n=$((n + 1))
done
echo "check_clang: $n files compile with clang -Werror"
