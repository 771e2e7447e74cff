#!/usr/bin/env bash
# tests/check_layers.sh - the runtime's layering (docs/architecture.md):
#
#  1. the include graph of runtime/*.[ch] (`#include "..."`) has no cycle;
#  2. libpq-fe.h is included by dal_pg.c only, sqlite3.h by dal_sqlite.c only;
#  3. the leaves dal_buf.[ch], dal_calendar.[ch] and dal_codec.[ch] include standard
#     headers only (besides their own header);
#  4. the call graph between runtime files has no cycle: every runtime/*.c
#     is compiled on its own and `nm` tells which file defines and which
#     references each external symbol; file A -> file B when A references a
#     symbol B defines.  Calls through the engine's table of operations are
#     not references, which is the point of it: the generic layer reaches an
#     engine only through the table its connection was opened with.
#
# Cycles are found with tsort(1), which names the files of a loop.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top"
tmp=$(mktemp -d /tmp/dalc-layers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

# 1. includes
: > "$tmp/inc"
for f in runtime/*.c runtime/*.h; do
    b=$(basename "$f")
    echo "$b $b" >> "$tmp/inc"
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r h; do echo "$b $h"; done >> "$tmp/inc"
done
if ! tsort "$tmp/inc" > /dev/null 2> "$tmp/inc.err"; then
    echo "check_layers: include cycle:"; cat "$tmp/inc.err"; fail=1
fi

# 2. engine headers
for pair in "libpq-fe.h:dal_pg.c" "sqlite3.h:dal_sqlite.c"; do
    h=${pair%%:*}; only=${pair#*:}
    bad=$(grep -l "^[[:space:]]*#[[:space:]]*include[[:space:]]*<$h>" runtime/*.c runtime/*.h |
          grep -v "runtime/$only\$" || true)
    if [ -n "$bad" ]; then
        echo "check_layers: $h included outside $only: $bad"; fail=1
    fi
done

# 3. leaves
for f in runtime/dal_buf.[ch] runtime/dal_calendar.[ch] runtime/dal_codec.[ch]; do
    own=$(basename "${f%.*}").h
    bad=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
          grep -vx "$own" || true)
    if [ -n "$bad" ]; then
        echo "check_layers: leaf $f includes $bad"; fail=1
    fi
done

# 4. calls
cc=${CC:-cc}
flags=(-std=c11 -D_POSIX_C_SOURCE=200809L -I"$(pg_config --includedir)" -Iruntime -O0 -c)
: > "$tmp/def"; : > "$tmp/ref"
for f in runtime/*.c; do
    b=$(basename "$f" .c)
    "$cc" "${flags[@]}" "$f" -o "$tmp/$b.o"
    nm "$tmp/$b.o" | awk -v f="$b" '$1 != "U" && NF == 3 && $2 ~ /[TDRBCG]/ {print $3, f}' >> "$tmp/def"
    nm "$tmp/$b.o" | awk -v f="$b" '$1 == "U" {print $2, f}' >> "$tmp/ref"
done
sort -u "$tmp/def" -o "$tmp/def"
dups=$(awk '{print $1}' "$tmp/def" | uniq -d)
if [ -n "$dups" ]; then
    echo "check_layers: symbols defined twice: $dups"; fail=1
fi
sort -u "$tmp/ref" | join - "$tmp/def" | awk '$2 != $3 {print $2, $3}' | sort -u > "$tmp/calls"
awk '{print $2".c", $2".c"}' "$tmp/def" | sort -u >> "$tmp/calls.t"
awk '{print $1".c", $2".c"}' "$tmp/calls" >> "$tmp/calls.t"
if ! tsort "$tmp/calls.t" > /dev/null 2> "$tmp/calls.err"; then
    echo "check_layers: call cycle between runtime files:"; cat "$tmp/calls.err"
    echo "  (file -> file it calls)"; sed 's/^/  /' "$tmp/calls"; fail=1
fi

[ "$fail" -eq 0 ] || exit 1
echo "check_layers: no include cycle, engine headers in their engine only, leaves standalone,"
echo "  $(wc -l < "$tmp/calls") file-to-file call edges between $(ls runtime/*.c | wc -l) files, no cycle"
[ -n "${LAYERS_VERBOSE:-}" ] && sed 's/^/  /' "$tmp/calls"
exit 0
