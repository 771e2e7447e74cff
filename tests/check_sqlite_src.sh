#!/usr/bin/env bash
# tests/check_sqlite_src.sh BUILD - `make SQLITE_SRC=path/sqlite3.c`: the
# runtime built against an SQLite amalgamation the user supplies.  Builds
# dalc and libdal.a that way in a folder of its own, then the demo program
# (examples/demo.c on code generated from schema/), runs it on SQLite, and
# checks that the SQLite it ran is the amalgamation (its version, and no
# libsqlite3.so loaded).  The amalgamation is not part of the repository:
# set DALC_SQLITE_SRC=path/sqlite3.c (its sqlite3.h beside it); without it
# the check is skipped.  Run by tests/run.sh with cwd = repo root.
set -euo pipefail
src=${DALC_SQLITE_SRC:-}
if [ -z "$src" ] || [ ! -f "$src" ] || [ ! -f "$(dirname "$src")/sqlite3.h" ]; then
    echo "check_sqlite_src: skipped: no SQLite amalgamation (set DALC_SQLITE_SRC=path/sqlite3.c, with its sqlite3.h beside it)"
    exit 0
fi
work=${DALC_TEST_TMP:-$(mktemp -d)}/sqlite_src
rm -rf "$work"; mkdir -p "$work"
say() { echo "check_sqlite_src: $*"; }

# -O0: the amalgamation compiles in seconds; speed is make bench's business
make --no-print-directory -j2 B="$work/b" SQLITE_SRC="$src" CFLAGS="-O0 -g" all >"$work/make.log" 2>&1 \
    || { cat "$work/make.log"; say "FAIL: make SQLITE_SRC=$src"; exit 1; }
"$work/b/dalc" generate --schema schema --out "$work/gen"
pg_inc=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L -I"$(dirname "$src")"
       -I"$pg_inc" -Iruntime -I"$work/gen")
cc "${flags[@]}" examples/demo.c "$work/gen"/*.c "$work/b/libdal.a" -lpq -lpthread -lm -o "$work/demo"
cat >"$work/version.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "dal.h"
int main(void)
{
    dal_db *db = NULL;
    if (dal_open("sqlite::memory:", &db) != DAL_OK)
        return 1;
    dal_close(db);
    printf("%s %s\n", sqlite3_libversion(), SQLITE_VERSION);
    return strcmp(sqlite3_libversion(), SQLITE_VERSION) != 0;
}
EOF
cc "${flags[@]}" "$work/version.c" "$work/b/libdal.a" -lpq -lpthread -lm -o "$work/version"

fail=0
if ! (cd "$work" && ./demo >"$work/demo.log" 2>&1); then
    cat "$work/demo.log"; say "FAIL: the demo built against the amalgamation"; fail=1
fi
if ! v=$("$work/version"); then
    say "FAIL: linked SQLite is not the amalgamation's ($v)"; fail=1
fi
if ldd "$work/demo" | grep -q libsqlite3; then
    say "FAIL: the demo still loads the system libsqlite3"; fail=1
fi
if ldd "$work/b/dalc" | grep -q libsqlite3; then
    say "FAIL: dalc still loads the system libsqlite3"; fail=1
fi
[ $fail -eq 0 ] && say "ok (SQLite ${v%% *} from $src)"
exit $fail
