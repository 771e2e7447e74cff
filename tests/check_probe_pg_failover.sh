#!/usr/bin/env bash
# Failover to a streaming standby: a private primary and a standby made with
# `pg_basebackup -R` (own data dir and socket); 4 pool threads write through
# the multi-host URL host=primary,standby with target_session_attrs=read-write
# while the primary is shut down (fast: every WAL record reaches the standby
# first) and the standby promoted.  Rows are counted on the promoted standby:
# every acknowledged row stored exactly once; the recovery time is printed.
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
bin=$(pg_bin) || { echo "check_probe_pg_failover: PostgreSQL server binaries not found" >&2; exit 1; }
p="$DALC_TEST_TMP/primary"; s="$DALC_TEST_TMP/standby"
cleanup() {
    [ -f "$s/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$s/data" -m immediate -w stop >/dev/null 2>&1 || true
    tests/pg.sh stop "$p" || true
}
trap cleanup EXIT
purl=$(tests/pg.sh start "$p")
mkdir -p "$s"; [ "$(id -u)" = 0 ] && chown postgres "$s"; chmod 700 "$s"
# the tables exist before the copy
PROBE_URL="$purl" PROBE_EVENT=setup \
    PROBE_NAME=probe_failover_setup "$build/tests/probe_pg" write >/dev/null
as_pg "$bin/pg_basebackup" -D "$s/data" -R -h "$p" -U postgres -X stream >/dev/null
as_pg "$bin/pg_ctl" -D "$s/data" -l "$s/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$s' -c fsync=off -c max_connections=60" start >/dev/null
surl="postgresql:///postgres?host=$s&user=postgres"
murl="postgresql:///postgres?host=$p,$s&user=postgres&target_session_attrs=read-write&connect_timeout=2"
cat > "$DALC_TEST_TMP/failover.sh" <<SH
#!/usr/bin/env bash
set -e
as_pg() { if [ "\$(id -u)" = 0 ]; then runuser -u postgres -- "\$@"; else "\$@"; fi; }
as_pg "$bin/pg_ctl" -D "$p/data" -m fast -w stop >/dev/null
as_pg "$bin/pg_ctl" -D "$s/data" -w promote >/dev/null
SH
PROBE_NAME=probe_pg_failover PROBE_URL="$murl" PROBE_VERIFY_URL="$surl" PROBE_SETUP=0 \
    PROBE_EVENT="bash $DALC_TEST_TMP/failover.sh" "$build/tests/probe_pg" write
