#!/usr/bin/env bash
# pg_terminate_backend of every client backend while 4 pool threads insert
# rows: every acknowledged row is stored exactly once, the writers recover.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
url=$(probe_db probe_terminate)
PROBE_NAME=probe_pg_terminate PROBE_URL="$url" PROBE_SERVER_URL="$DALC_TEST_PG" \
    PROBE_EVENT=terminate "$build/tests/probe_pg" write
