#!/usr/bin/env bash
# A PostgreSQL restart (tests/pg.sh restart) while 4 pool threads insert rows:
# every acknowledged row is stored exactly once, the writers recover.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
url=$(probe_db probe_restart)
PROBE_NAME=probe_pg_restart PROBE_URL="$url" \
    PROBE_EVENT="tests/pg.sh restart $DALC_TEST_PGDIR" "$build/tests/probe_pg" write
