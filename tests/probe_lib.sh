# tests/probe_lib.sh - sourced by tests/check_probe_*.sh (run by tests/run.sh,
# which exports DALC_TEST_PG, DALC_TEST_PGDIR and DALC_TEST_TMP).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
build=${1:-${DALC_BUILD:-build/san}}
: "${DALC_TEST_TMP:=$(mktemp -d /tmp/dalc-probe.XXXXXX)}"

pg_bin() {
    local b
    for b in "$(command -v pg_ctl 2>/dev/null || true)" /usr/lib/postgresql/*/bin/pg_ctl; do
        [ -x "$b" ] || continue
        b=$(readlink -f "$b")
        if [ -x "$(dirname "$b")/pg_basebackup" ]; then dirname "$b"; return 0; fi
    done
    return 1
}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# probe_db NAME [URL]: a fresh database NAME on the server of URL (default the
# harness server); prints its URL.
probe_db() {
    local name=$1 url=${2:-$DALC_TEST_PG}
    psql -X -q -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages TO warning" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "${url/\/\/\/postgres?//\/\/$name?}"
}
