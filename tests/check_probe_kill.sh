#!/usr/bin/env bash
# kill -9 of a process in the middle of insert_many and of a migration, on
# SQLite (tests/probe_kill.c): all or nothing.  check_probe_kill_pg.sh does
# the same on PostgreSQL.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
rc=0
for what in insert_many migrate; do
    "$build/tests/probe_kill" $what "sqlite:$DALC_TEST_TMP/kill.db" || rc=1
done
exit $rc
