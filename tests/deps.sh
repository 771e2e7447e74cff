#!/usr/bin/env bash
# tests/deps.sh [test] - makes sure the build dependencies are there.
# Missing ones are installed with apt-get when we are root on Debian;
# otherwise the script says exactly what to install and fails.
set -euo pipefail
need=()
have_header() { echo "#include <$1>" | ${CC:-cc} -E -x c - -I"$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)" >/dev/null 2>&1; }
have_header yaml.h        || need+=(libyaml-dev)
have_header sqlite3.h     || need+=(libsqlite3-dev)
command -v pg_config >/dev/null 2>&1 && have_header libpq-fe.h || need+=(libpq-dev)
command -v make >/dev/null 2>&1 || need+=(make)
if [ "${1:-}" = test ]; then
    have_header cmocka.h || need+=(libcmocka-dev)
    ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
    command -v clang >/dev/null 2>&1 || need+=(clang)
    command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
    [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null 2>&1 || need+=(pgbouncer)
    # man pages, JSON Schema of table/view files, the installed consumer project
    command -v mandoc >/dev/null 2>&1 || need+=(mandoc)
    /usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 || need+=(python3-jsonschema)
    /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
    command -v cmake >/dev/null 2>&1 || need+=(cmake)
    command -v pkg-config >/dev/null 2>&1 || need+=(pkgconf)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 && exit 0
fi
echo "deps: missing packages; install them with: sudo apt-get install ${need[*]}" >&2
exit 1
