#!/usr/bin/env bash
# A real PgBouncer in transaction pool mode (one server connection per pool,
# so every client shares it) in front of the harness server, on a private
# unix socket.  Two clients interleave CRUD statement by statement:
#   - with dal_statements=unnamed in the URL;
#   - with the default settings (the runtime must detect the pooler);
#   - with dal_statements=named (failures allowed, but only with the hint,
#     and never a result of the other client's statement).
set -euo pipefail
. "$(dirname "$0")/probe_lib.sh"
bouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$bouncer" ] || { echo "check_probe_pgbouncer: pgbouncer not found: apt-get install pgbouncer" >&2; exit 1; }
url=$(probe_db probe_bouncer)
pgdir=$DALC_TEST_PGDIR
d="$DALC_TEST_TMP/bouncer"
mkdir -p "$d"; chmod 777 "$d"
echo '"postgres" ""' > "$d/users.txt"
cat > "$d/pgbouncer.ini" <<INI
[databases]
probe_bouncer = host=$pgdir port=5432 dbname=probe_bouncer user=postgres
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $d
auth_type = trust
auth_file = $d/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
INI
chmod 644 "$d"/*
stop() { [ -f "$d/pgbouncer.pid" ] && kill "$(cat "$d/pgbouncer.pid")" 2>/dev/null || true; }
trap stop EXIT
as_pg "$bouncer" -d "$d/pgbouncer.ini"
for _ in $(seq 100); do [ -S "$d/.s.PGSQL.6432" ] && break; sleep 0.05; done
[ -S "$d/.s.PGSQL.6432" ] || { cat "$d/pgbouncer.log" >&2; exit 1; }
burl="postgresql:///probe_bouncer?host=$d&port=6432&user=postgres"
# the tables, made on the server directly
PROBE_URL="$url" PROBE_MODE=setup PROBE_NAME=probe_bouncer_setup "$build/tests/probe_pg" bouncer >/dev/null
PROBE_NAME=probe_pgbouncer_unnamed PROBE_MODE=unnamed PROBE_URL="$burl&dal_statements=unnamed" \
    "$build/tests/probe_pg" bouncer
PROBE_NAME=probe_pgbouncer_default PROBE_MODE=default PROBE_URL="$burl" "$build/tests/probe_pg" bouncer
PROBE_NAME=probe_pgbouncer_named PROBE_MODE=named PROBE_URL="$burl&dal_statements=named" \
    "$build/tests/probe_pg" bouncer
