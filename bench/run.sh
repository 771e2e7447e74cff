#!/usr/bin/env bash
# bench/run.sh - `make bench`: builds bench/ against code generated from
# bench/schema, starts a private PostgreSQL (tests/pg.sh), and runs every
# benchmark on SQLite (file, WAL) and PostgreSQL (unix socket).  Results go
# to stdout and build/bench/results.md.  Not a test: nothing here asserts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top"
B=build/bench
mkdir -p $B
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null; } \
    || { echo "bench: install the 'time' package (apt-get install time)" >&2; exit 1; }

PG_INC=$(pg_config --includedir)
CFLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -g -D_POSIX_C_SOURCE=200809L"
build/dalc generate --schema bench/schema --out $B/gen
for prog in bench bulk scale; do
    cc $CFLAGS -I"$PG_INC" -Iruntime -I$B/gen bench/$prog.c $B/gen/*.c build/libdal.a \
        -lpq -lsqlite3 -lpthread -lm -o $B/$prog
done
cc $CFLAGS -Iruntime bench/decimal_storage.c build/libdal.a -lsqlite3 -lm -o $B/decimal_storage

tmp=$(mktemp -d /tmp/dalc-bench.XXXXXX); chmod 755 "$tmp"
trap 'tests/pg.sh stop "$tmp/pg" || true; rm -rf "$tmp"' EXIT INT TERM
pg=$(tests/pg.sh start "$tmp/pg")
sq="sqlite:$tmp/bench.db"
out=$B/results.md
{
echo "# dalc benchmarks, $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB;"
echo "$(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/SQLite /'), $(postgres --version 2>/dev/null || /usr/lib/postgresql/*/bin/postgres --version)."
echo
echo "## Generated code vs hand-written baseline"
$B/bench "$sq" "${BENCH_SCALE:-1}"
$B/bench "$pg" "${BENCH_SCALE:-1}"
echo
echo "## Bulk insert"
rm -f "$tmp"/bench.db*
$B/bulk "$sq" "${BULK_SQLITE_ROWS:-1000000}"
$B/bulk "$pg" "${BULK_PG_ROWS:-100000}"
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
    /usr/bin/time -f "%e %M" -o "$tmp/time" build/dalc generate --schema "$tmp/schema$n" --out "$tmp/out$n" >/dev/null
    read -r secs rss < "$tmp/time"
    echo "| $n | $secs | $rss |"
done
echo
echo "## Hostile schema files"
echo
bench/hostile.sh build/dalc
} | tee $out
