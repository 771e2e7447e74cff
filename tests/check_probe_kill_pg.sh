#!/usr/bin/env bash
# kill -9 of a process in the middle of insert_many (COPY) and of a
# migration, on PostgreSQL (tests/probe_kill.c): all or nothing.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
url=$(probe_db probe_kill)
rc=0
for what in insert_many migrate; do
    "$build/tests/probe_kill" $what "$url" || rc=1
done
exit $rc
