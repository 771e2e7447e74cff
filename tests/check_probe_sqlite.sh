#!/usr/bin/env bash
# SQLite on a full filesystem (a 2 MB tmpfs when this machine lets us mount
# one, otherwise PRAGMA max_page_count), read-only and corrupted files
# (tests/probe_sqlite.c).
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
m="$DALC_TEST_TMP/tmpfs"
mkdir -p "$m"
unset PROBE_FULL_DIR
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m,mode=0777 tmpfs "$m" 2>/dev/null; then
    trap 'umount "$m" 2>/dev/null || true' EXIT
    export PROBE_FULL_DIR="$m"
else
    echo "check_probe_sqlite: cannot mount a tmpfs here; filling the database with PRAGMA max_page_count"
fi
"$build/tests/probe_sqlite"
