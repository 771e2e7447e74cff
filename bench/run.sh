#!/usr/bin/env bash
# bench/run.sh - `make bench`: builds bench/ against code generated from
# bench/schema, starts a private PostgreSQL (tests/pg.sh), and runs every
# benchmark on SQLite (file, WAL) and PostgreSQL (unix socket).  Results go
# to stdout and build/bench/results.md.  Not a test: nothing here asserts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top"
T=${DALC_B:-build}   # the build to measure (make bench B=...)
B=$T/bench
mkdir -p $B
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null; } \
    || { echo "bench: install the 'time' package (apt-get install time)" >&2; exit 1; }

PG_INC=$(pg_config --includedir)
CFLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -g -D_POSIX_C_SOURCE=200809L"
$T/dalc generate --schema bench/schema --out $B/gen
sq_inc=${SQLITE_SRC:+-I$(dirname "$SQLITE_SRC")}   # make SQLITE_SRC=...: its sqlite3.h
cc $CFLAGS $sq_inc bench/sqlite_flags.c -lsqlite3 -o $B/sqlite_flags
for prog in bulk scale webmix batch; do
    cc $CFLAGS $sq_inc -I"$PG_INC" -Iruntime -I$B/gen bench/$prog.c $B/gen/*.c $T/libdal.a \
        -lpq -lsqlite3 -lpthread -lm -o $B/$prog
done
cc $CFLAGS -Iruntime bench/decimal_storage.c build/libdal.a -lsqlite3 -lm -o $B/decimal_storage

# bench/bench for SQLite, in BENCH_PROCS link orders (7 unless set): the same
# objects, the runtime's taken out of libdal.a, linked in a different order
# each time (a fixed shuffle per order, so every run of make bench builds
# the same binaries).  Where the linker puts the hot functions decides which
# of them share instruction-cache sets with SQLite's own hot code, and that
# alone moves a ratio by several percent (measured: the same code gave
# insert ratios 1.045-1.050 and list-a-page ratios 1.032-1.046 in four link
# orders, and in a later run of five orders 1.032-1.067 and 1.027-1.081),
# so one binary measures its layout as much as its code.  Process
# p runs order p, and bench/median.sh reports the median.
procs=${BENCH_PROCS:-7}
objs=$B/objs; rm -rf $objs; mkdir -p $objs/rt
lib=$(cd "$T" && pwd)/libdal.a; (cd $objs/rt && ar x "$lib")
for f in bench/bench.c $B/gen/*.c; do
    cc $CFLAGS $sq_inc -I"$PG_INC" -Iruntime -I$B/gen -c "$f" -o $objs/$(basename "$f" .c).o
done
# bench/bench itself (PostgreSQL, and by hand): the objects in their own order
cc $objs/*.o $T/libdal.a -lpq -lsqlite3 -lpthread -lm -o $B/bench
for p in $(seq "$procs"); do
    # shellcheck disable=SC2046 # one word per object file
    cc $(ls $objs/*.o $objs/rt/*.o | shuf --random-source=<(yes "$p")) \
        -lpq -lsqlite3 -lpthread -lm -o $B/bench.order$p
done

tmp=$(mktemp -d /tmp/dalc-bench.XXXXXX); chmod 755 "$tmp"
trap 'tests/pg.sh stop "$tmp/pg" || true; tests/pg.sh stop "$tmp/pgsync" || true; rm -rf "$tmp"' EXIT INT TERM
pg=$(tests/pg.sh start "$tmp/pg")
pgsync=$(DALC_PG_FSYNC=on tests/pg.sh start "$tmp/pgsync") # users run with fsync on
sq="sqlite:$tmp/bench.db"
out=$B/results.md
{
echo "# dalc benchmarks, $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB;"
echo "$(if [ -n "${SQLITE_SRC:-}" ]; then sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/SQLite \1 (amalgamation)/p' "$(dirname "$SQLITE_SRC")/sqlite3.h"; else sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/SQLite /'; fi), $(postgres --version 2>/dev/null || /usr/lib/postgresql/*/bin/postgres --version)."
echo
echo "## Generated code vs hand-written baseline"
# SQLite: one process per link order (see above), merged (bench/median.sh)
sq_bench() {
    for p in $(seq "$procs"); do
        rm -f "$tmp"/bench.db*
        $B/bench.order$p "$sq" "${BENCH_SQLITE_SCALE:-${BENCH_SCALE:-0.6}}" > "$tmp/proc$p"
    done
    bench/median.sh "$tmp"/proc*
    rm -f "$tmp"/proc*
}
sq_bench
BENCH_SQLITE_GLOBAL=1 sq_bench   # dal_sqlite_global_init
# PostgreSQL: BENCH_PG_PROCS processes (5 unless set), merged the same way.
# A round trip varies from slice to slice far more than the client's code
# costs (one process's slices spread by 0.80-1.33 on an insert), and one
# process's median of them still moved an operation by 4 points between
# two runs of the same code; the median of several processes moves less.
pg_bench() {
    for p in $(seq "${BENCH_PG_PROCS:-5}"); do
        $B/bench "$1" "${BENCH_SCALE:-1}" > "$tmp/proc$p"
    done
    MEDIAN_OF="the same binary" bench/median.sh "$tmp"/proc*
    rm -f "$tmp"/proc*
}
pg_bench "$pg"
echo
echo "## SQLite's own settings on the hand-written loop (bench/sqlite_flags.c)"
echo
echo "20,000 single-row inserts in one transaction, then 20,000 gets by primary key; one setting per process (the global ones hold for the whole process), 3 runs each, the run with the median insert time:"
echo
echo "| setting | insert ns | get ns |"
echo "|---|---:|---:|"
for set in default nomutex fullmutex memstatus0 lookaside; do
    for r in 1 2 3; do $B/sqlite_flags $set "$tmp/flags.db"; done |
        sed -n 's/.*: insert \([0-9]*\) ns, get \([0-9]*\) ns.*/\1 \2/p' | sort -n | sed -n 2p |
        { read -r i g; echo "| $set | $i | $g |"; }
done
echo
echo "## Bulk insert"
rm -f "$tmp"/bench.db*
$B/bulk "$sq" "${BULK_SQLITE_ROWS:-1000000}"
$B/bulk "$pg" "${BULK_PG_ROWS:-100000}"
echo
echo "## Web-request mix through the pool"
$B/webmix "$pg" "${WEBMIX_SECONDS:-10}" 1 4
echo
echo "## Batches against loops of single statements"
$B/batch "$sq" "${BATCH_ITEMS:-1000}"
$B/batch "$pg" "${BATCH_ITEMS:-1000}"
echo
echo "## PostgreSQL with fsync on"
echo
echo "The sections above run PostgreSQL with fsync=off; the same benchmarks on a server"
echo "with fsync on (its default, as users run it):"
pg_bench "$pgsync"
$B/bulk "$pgsync" "${BULK_PG_ROWS:-100000}"
$B/batch "$pgsync" "${BATCH_ITEMS:-1000}"
echo
echo "## SQLite storage of decimal columns (docs/types.md)"
echo
$B/decimal_storage "$tmp/decimal.db" "${DECIMAL_ROWS:-200000}"
echo
echo "## Iterate: peak RSS against row count"
echo
echo "SQLite's page cache is part of the process: with the runtime's default"
echo "cache_size (64 MB) RSS grows with the file up to that bound; with SQLite's own"
echo "default (cache_size=-2000, 2 MB) it is flat."
echo
echo "| engine | rows | peak RSS (KiB) |"
echo "|---|---|---|"
for n in 100000 1000000; do
    rm -f "$tmp"/bench.db*
    $B/scale "$sq" load $n
    for url in "$sq" "$sq?cache_size=-2000" "$pg"; do
        [ "$url" = "$pg" ] && $B/scale "$url" load $n
        read -r rows rss < <($B/scale "$url" iterate)
        case $url in
            "$pg") name=postgresql ;;
            *cache_size*) name="sqlite, cache_size=-2000" ;;
            *) name="sqlite, default cache (64 MB)" ;;
        esac
        echo "| $name | $rows | $rss |"
    done
done
echo
echo "## dalc generate on synthetic schemas (10 columns per table)"
echo
echo "| tables | seconds | peak RSS (KiB) |"
echo "|---|---|---|"
for n in 100 1000 5000; do
    bench/gen_schema.sh $n "$tmp/schema$n"
    /usr/bin/time -f "%e %M" -o "$tmp/time" $T/dalc generate --schema "$tmp/schema$n" --out "$tmp/out$n" >/dev/null
    read -r secs rss < "$tmp/time"
    echo "| $n | $secs | $rss |"
done
if [ -d /dev/shm ]; then  # tmpfs: the generator without the file system's cost; best of 5
    shm=$(mktemp -d /dev/shm/dalc-bench.XXXXXX)
    for n in 1000 5000; do
        for r in 1 2 3 4 5; do
            rm -rf "$shm/out"
            /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" $T/dalc generate --schema "$tmp/schema$n" --out "$shm/out" >/dev/null
            cat "$tmp/time"
        done | sort -n | head -1 | { read -r secs user sys rss; echo "| $n, to tmpfs (best of 5; user $user s, sys $sys s) | $secs | $rss |"; }
    done
    rm -rf "$shm"
fi
echo
echo "## Hostile schema files"
echo
bench/hostile.sh $T/dalc
} | tee $out
