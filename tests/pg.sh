#!/usr/bin/env bash
# tests/pg.sh - a private PostgreSQL server for the test suite.
#
#   tests/pg.sh start DIR    initdb + start in DIR, unix socket in DIR only; prints the URL
#   tests/pg.sh stop DIR     fast shutdown (no-op when not running)
#   tests/pg.sh restart [DIR] restart (DIR defaults to $DALC_TEST_PGDIR); for connection-loss tests
#
# The server runs with fsync=off (tests need no durability); DALC_PG_FSYNC=on
# starts it with fsync on, as production servers run (`make bench` measures both).
#
# As root the server runs as the `postgres` user (runuser), as PostgreSQL
# refuses to run as root.  Nothing listens on TCP.
set -euo pipefail

find_bin() {
    local b
    for b in "$(command -v pg_ctl 2>/dev/null || true)" /usr/lib/postgresql/*/bin/pg_ctl; do
        if [ -x "$b" ]; then dirname "$b"; return 0; fi
    done
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-${DALC_TEST_PGDIR:-}}
fsync=${DALC_PG_FSYNC:-off}
case $fsync in on|off) ;; *) echo "tests/pg.sh: DALC_PG_FSYNC is on or off" >&2; exit 2 ;; esac
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: tests/pg.sh start|stop|restart DIR" >&2; exit 2; }

if ! bin=$(find_bin); then
    echo "tests/pg.sh: PostgreSQL server binaries not found: apt-get install postgresql" >&2
    exit 1
fi

case "$cmd" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "tests/pg.sh: no 'postgres' user: apt-get install postgresql" >&2; exit 1; }
        chown postgres "$dir"
        chmod 700 "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=$fsync -c max_connections=60" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql:///postgres?host=$dir&user=postgres"
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=$fsync -c max_connections=60" restart >/dev/null
    ;;
*) echo "usage: tests/pg.sh start|stop|restart DIR" >&2; exit 2 ;;
esac
