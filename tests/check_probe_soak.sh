#!/usr/bin/env bash
# A short concurrency soak on both engines: 6 threads, one pool, 4 s each
# (tests/probe_soak.c; PROBE_THREADS / PROBE_SECONDS make it longer).
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
url=$(probe_db probe_soak)
rc=0
"$build/tests/probe_soak" "sqlite:$DALC_TEST_TMP/soak.db" || rc=1
"$build/tests/probe_soak" "$url" || rc=1
exit $rc
