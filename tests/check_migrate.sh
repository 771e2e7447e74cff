#!/usr/bin/env bash
# tests/check_migrate.sh BUILD - the migration commands as a user runs them:
# `dalc migration new`, `dalc migrate status|up|down` (options before or after
# the subcommand, DATABASE_URL), `migrate baseline` of a database made from
# schema.*.sql, destructive refusal, checksum tamper, two
# concurrent `dalc migrate up` processes and one killed with SIGKILL, on
# SQLite and PostgreSQL; and `dalc generate --migrations` compiled into a
# program that migrates itself (schema_migrate).  Run by tests/run.sh.
set -uo pipefail
build=$(cd "${1:-build/san}" && pwd)
dalc="$build/dalc"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=${DALC_TEST_TMP:-$(mktemp -d)}
pg=${DALC_TEST_PG:-}
fails=0
# Until generator/main.c dispatches `migrate`, there is nothing to test here.
probe=$("$dalc" migrate --db sqlite::memory: --migrations "$tmp/none" status 2>&1)
if [[ "$probe" == *"unknown command"* || "$probe" == *"unknown option"* ]]; then
    echo "check_migrate: SKIPPED: this dalc has no migrate command (generator/main.c not hooked)"
    exit 0
fi
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect RC DESCRIPTION -- command...
expect() {
    local want=$1 what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$what: exit $rc, expected $want"; cat "$tmp/out" "$tmp/err" >&2
    else ok "$what"; fi
}

pg_fresh() { # NAME -> prints a URL of a new empty database
    psql "$pg" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null 2>&1 || return 1
    case "$pg" in
        *///postgres*) echo "${pg/\/\/\/postgres/\/\/\/$1}" ;;
        *\?*) echo "$pg&dbname=$1" ;;
        *) echo "$pg?dbname=$1" ;;
    esac
}

# sql URL QUERY -> prints the single value
sql() {
    case "$1" in
        sqlite:*) sqlite3 -cmd ".load $build/dal_decimal" "${1#sqlite:}" "$2" ;;
        *) psql "$1" -At -c "$2" ;;
    esac
}

run_engine() { # NAME URL
    local eng=$1 url=$2 p="$tmp/$1"
    rm -rf "$p"; mkdir -p "$p/schema"; cp schema/*.yaml "$p/schema/"
    cd "$p" || return

    expect 2 "$eng: migrate without a subcommand is a usage error" -- "$dalc" migrate
    expect 0 "$eng: migration new init" -- "$dalc" migration new init
    [ -f migrations/0001_init/up.pg.sql ] && [ -f migrations/0001_init/down.sqlite.sql ] &&
        [ -f migrations/0001_init/snapshot/jobs.yaml ] || fail "$eng: 0001_init files missing"
    expect 0 "$eng: migration new with no change" -- "$dalc" migration new again
    grep -q "no changes" "$tmp/out" || fail "$eng: 'no changes' not printed"
    [ ! -e migrations/0002_again ] || fail "$eng: a migration was written without changes"

    # a mistyped migrations folder is an I/O error (exit 3), not "nothing to apply"
    expect 3 "$eng: up with a missing --migrations folder" -- "$dalc" migrate --db "$url" --migrations migration up
    grep -q "migrations folder migration" "$tmp/err" || fail "$eng: the missing folder is not named"
    expect 3 "$eng: status with a missing --migrations folder" -- "$dalc" migrate --db "$url" --migrations nope status
    if [ "$eng" = sqlite ]; then
        # status and dry runs never create a database
        expect 0 "$eng: status of a missing database file" -- "$dalc" migrate --db "sqlite:$p/none.db" status
        grep -q "0001_init.*pending" "$tmp/out" || fail "$eng: status of a missing file: not pending"
        expect 0 "$eng: dry run on a missing database file" -- "$dalc" migrate --db "sqlite:$p/none.db" up --dry-run
        [ ! -e "$p/none.db" ] || fail "$eng: status or dry run created the database file"
    fi
    expect 0 "$eng: status before up" -- "$dalc" migrate --db "$url" status
    grep -q "0001_init.*pending" "$tmp/out" || fail "$eng: status does not say pending"
    expect 0 "$eng: up (options after the subcommand)" -- "$dalc" migrate up --db "$url"
    expect 0 "$eng: status via DATABASE_URL" -- env DATABASE_URL="$url" "$dalc" migrate status
    grep -q "0001_init.*applied" "$tmp/out" || fail "$eng: status does not say applied"

    # a destructive change: drop tags.color
    sed -i '/name: color/d' schema/tags.yaml
    expect 0 "$eng: migration new drop_color" -- "$dalc" migration new drop_color
    head -3 migrations/0002_drop_color/up.pg.sql | grep -q "^-- destructive" ||
        fail "$eng: destructive header missing"
    # a safe migration before the destructive one is applied; up stops at
    # the destructive one (tags holds a row), naming it and the flag
    sql "$url" "INSERT INTO tags (name, color) VALUES ('red', '#ff0000')" >/dev/null || fail "$eng: insert"
    mkdir -p migrations/0002_add_t && mv migrations/0002_drop_color migrations/0003_drop_color
    for f in up.pg up.sqlite; do echo "CREATE TABLE t_safe (x integer);" >migrations/0002_add_t/$f.sql; done
    for f in down.pg down.sqlite; do echo "DROP TABLE t_safe;" >migrations/0002_add_t/$f.sql; done
    expect 1 "$eng: destructive migration refused" -- "$dalc" migrate up --db "$url"
    grep -q "destructive" "$tmp/err" || fail "$eng: refusal message lacks 'destructive'"
    grep -q "0003_drop_color" "$tmp/err" && grep -q -- "--allow-destructive" "$tmp/err" ||
        fail "$eng: refusal does not name the migration and the flag"
    expect 0 "$eng: status after refusal" -- "$dalc" migrate status --db "$url"
    grep -q "0002_add_t.*applied" "$tmp/out" || fail "$eng: the safe migration before it was not applied"
    grep -q "0003_drop_color.*pending" "$tmp/out" || fail "$eng: 0003 applied despite refusal"
    # --dry-run shows the destructive SQL instead of refusing
    expect 0 "$eng: dry run without --allow-destructive" -- "$dalc" migrate --dry-run --db "$url" up
    grep -q "DROP" "$tmp/out" && grep -q "would apply 0003_drop_color (destructive" "$tmp/out" ||
        fail "$eng: dry run does not show the destructive SQL"
    expect 0 "$eng: down 1 (the safe one)" -- "$dalc" migrate --db "$url" down 1
    rm -rf migrations/0002_add_t && mv migrations/0003_drop_color migrations/0002_drop_color
    expect 0 "$eng: status after refusal" -- "$dalc" migrate status --db "$url"
    grep -q "0002_drop_color.*pending" "$tmp/out" || fail "$eng: 0002 applied despite refusal"
    expect 0 "$eng: dry run" -- "$dalc" migrate --dry-run --allow-destructive --db "$url" up
    grep -q "DROP" "$tmp/out" || fail "$eng: dry run does not show the SQL"
    expect 0 "$eng: destructive allowed" -- "$dalc" migrate --allow-destructive --db "$url" up
    expect 0 "$eng: down 1" -- "$dalc" migrate --db "$url" down 1
    expect 0 "$eng: up again" -- "$dalc" migrate --db "$url" up --allow-destructive
    # up N applies at most N pending migrations
    expect 0 "$eng: down 2" -- "$dalc" migrate --db "$url" down 2 --allow-destructive
    expect 0 "$eng: up 1" -- "$dalc" migrate --db "$url" up 1
    expect 0 "$eng: status after up 1" -- "$dalc" migrate --db "$url" status
    grep -q "0001_init.*applied" "$tmp/out" && grep -q "0002_drop_color.*pending" "$tmp/out" ||
        fail "$eng: up 1 did not apply exactly one migration"
    expect 2 "$eng: up 0 is a usage error" -- "$dalc" migrate --db "$url" up 0
    expect 0 "$eng: up the rest" -- "$dalc" migrate --db "$url" up 5 --allow-destructive

    # checksum
    echo "-- edited" >>migrations/0001_init/up.pg.sql
    echo "-- edited" >>migrations/0001_init/up.sqlite.sql
    expect 1 "$eng: tampered migration refused" -- "$dalc" migrate --db "$url" up
    grep -q "checksum" "$tmp/err" || fail "$eng: tamper message lacks 'checksum'"
    expect 1 "$eng: status flags the tampered migration" -- "$dalc" migrate --db "$url" status
    grep -q "checksum" "$tmp/out" || fail "$eng: status lacks 'checksum'"
    sed -i '$d' migrations/0001_init/up.pg.sql migrations/0001_init/up.sqlite.sql
    expect 0 "$eng: restored" -- "$dalc" migrate --db "$url" status
    # repair: an edit that changes nothing (a comment) is accepted, one that
    # changes the schema is refused
    echo "-- a note added after the fact" >>migrations/0001_init/up.pg.sql
    echo "-- a note added after the fact" >>migrations/0001_init/up.sqlite.sql
    expect 1 "$eng: the edited migration is flagged" -- "$dalc" migrate --db "$url" status
    expect 0 "$eng: repair --dry-run" -- "$dalc" migrate --db "$url" repair --dry-run
    grep -q "would record the new checksum of 0001_init" "$tmp/out" || fail "$eng: repair dry run says nothing"
    expect 1 "$eng: still flagged after the dry run" -- "$dalc" migrate --db "$url" status
    expect 0 "$eng: repair of a comment edit" -- "$dalc" migrate --db "$url" repair
    expect 0 "$eng: status after repair" -- "$dalc" migrate --db "$url" status
    expect 0 "$eng: up after repair" -- "$dalc" migrate --db "$url" up
    echo "CREATE TABLE zz_added (x integer);" >>migrations/0001_init/up.pg.sql
    echo "CREATE TABLE zz_added (x INTEGER);" >>migrations/0001_init/up.sqlite.sql
    expect 1 "$eng: repair of an edit that changes the schema refused" -- "$dalc" migrate --db "$url" repair
    grep -q "differs" "$tmp/err" && grep -q "zz_added" "$tmp/err" || fail "$eng: repair refusal does not say what differs"
    expect 1 "$eng: still flagged after the refusal" -- "$dalc" migrate --db "$url" status
    sed -i '$d' migrations/0001_init/up.pg.sql migrations/0001_init/up.sqlite.sql
    expect 0 "$eng: back to the repaired file" -- "$dalc" migrate --db "$url" status
    sed -i '$d' migrations/0001_init/up.pg.sql migrations/0001_init/up.sqlite.sql
    expect 0 "$eng: repair back to the original file" -- "$dalc" migrate --db "$url" repair
    expect 0 "$eng: status with the original file" -- "$dalc" migrate --db "$url" status
    expect 0 "$eng: repair with nothing to repair" -- "$dalc" migrate --db "$url" repair
    grep -q "nothing to repair" "$tmp/out" || fail "$eng: 'nothing to repair' not printed"

    # generated code that migrates itself
    expect 0 "$eng: generate --migrations" -- "$dalc" generate --schema schema --out gen --migrations migrations
    cat >app.c <<'EOF'
#include <stdio.h>
#include "migrations.h"
int main(int argc, char **argv)
{
    dal_db *db = NULL;
    if (dal_open(argv[1], &db) != DAL_OK) { fprintf(stderr, "%s\n", dal_errmsg(db)); return 2; }
    dal_migrate_opts o = {0};
    o.allow_destructive = argc > 2;
    dal_status s = schema_migrate(db, &o);
    if (s != DAL_OK) fprintf(stderr, "schema_migrate: %s\n", dal_errmsg(db));
    dal_close(db);
    return s == DAL_OK ? 0 : 1;
}
EOF
    if ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L \
        -fsanitize=address,undefined -I"$top/runtime" -Igen app.c gen/migrations.c \
        "$build/libdal.a" -lpq -lsqlite3 -lpthread -lm -o app 2>"$tmp/err"; then
        ok "$eng: generated migrations.c compiles"
    else
        fail "$eng: generated migrations.c does not compile"; cat "$tmp/err" >&2
    fi
    local url2
    if [ "$eng" = sqlite ]; then url2="sqlite:$p/app.db"; else url2=$(pg_fresh dalc_chk_app) || fail "no db"; fi
    # a fresh database: the destructive 0002 drops a column of an empty
    # table, nothing to lose: no allow_destructive needed at start-up
    expect 0 "$eng: schema_migrate on a fresh database (destructive, empty tables)" -- ./app "$url2"
    expect 0 "$eng: schema_migrate again (nothing to do)" -- ./app "$url2"
    expect 0 "$eng: schema_migrate with allow_destructive (nothing to do)" -- ./app "$url2" allow
    [ "$(sql "$url2" 'SELECT count(*) FROM dal_schema_migrations')" = 2 ] ||
        fail "$eng: schema_migrate did not record 2 migrations"
    cd "$top" || return
}

concurrency() { # NAME URL SLOW_PG SLOW_SQLITE
    local eng=$1 url=$2 p="$tmp/conc_$1"
    rm -rf "$p"; mkdir -p "$p/migrations"
    for v in 0001_t 0002_slow 0003_row; do mkdir -p "$p/migrations/$v"; done
    printf 'CREATE TABLE t (x integer);\n' >"$p/migrations/0001_t/up.pg.sql"
    printf 'CREATE TABLE t (x INTEGER);\n' >"$p/migrations/0001_t/up.sqlite.sql"
    printf 'CREATE TABLE t2 (x integer);\nSELECT pg_sleep(%s);\n' "$3" >"$p/migrations/0002_slow/up.pg.sql"
    printf 'CREATE TABLE t2 (x INTEGER);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %s) INSERT INTO t2 SELECT x FROM c;\n' "$4" >"$p/migrations/0002_slow/up.sqlite.sql"
    for d in pg sqlite; do printf 'INSERT INTO t VALUES (3);\n' >"$p/migrations/0003_row/up.$d.sql"; done
    for v in 0001_t 0002_slow 0003_row; do for d in pg sqlite; do echo "SELECT 1;" >"$p/migrations/$v/down.$d.sql"; done; done

    "$dalc" migrate --db "$url" --migrations "$p/migrations" up >"$tmp/a.out" 2>&1 & local a=$!
    "$dalc" migrate --db "$url" --migrations "$p/migrations" up >"$tmp/b.out" 2>&1 & local b=$!
    wait $a; local ra=$?; wait $b; local rb=$?
    if [ $ra = 0 ] && [ $rb = 0 ] && [ "$(sql "$url" 'SELECT count(*) FROM t')" = 1 ] &&
        [ "$(sql "$url" 'SELECT count(*) FROM dal_schema_migrations')" = 3 ]; then
        ok "$eng: two concurrent migrators, each migration applied once"
    else
        fail "$eng: concurrent migrators ($ra, $rb)"; cat "$tmp/a.out" "$tmp/b.out" >&2
    fi
}

# A database made without migrations (schema.*.sql of `dalc generate`, as
# schema_create runs it) adopted with `dalc migrate baseline 1`; then a second
# migration applies on top; and the refusals.
baseline() { # NAME URL
    local eng=$1 url=$2 p="$tmp/base_$1" ext=pg
    [ "$eng" = sqlite ] && ext=sqlite
    rm -rf "$p"; mkdir -p "$p/schema"; cp schema/*.yaml "$p/schema/"
    cd "$p" || return
    expect 0 "$eng: baseline: generate" -- "$dalc" generate --schema schema --out gen
    expect 0 "$eng: baseline: migration new init" -- "$dalc" migration new init
    case "$url" in
        # the sqlite3 shell with the runtime's collation of decimal columns
        sqlite:*) sqlite3 -cmd ".load $build/dal_decimal" "${url#sqlite:}" <gen/schema.sqlite.sql >"$tmp/out" 2>&1 ;;
        *) psql "$url" -q -v ON_ERROR_STOP=1 -f gen/schema.pg.sql >"$tmp/out" 2>&1 ;;
    esac || { fail "$eng: baseline: schema.$ext.sql does not apply"; cat "$tmp/out" >&2; }
    sql "$url" "INSERT INTO tags (name, color) VALUES ('red', '#ff0000')" >/dev/null ||
        fail "$eng: baseline: insert"

    expect 1 "$eng: up on an unbaselined database fails" -- "$dalc" migrate --db "$url" up
    grep -q "baseline" "$tmp/err" || fail "$eng: the error does not hint at baseline"
    expect 2 "$eng: baseline without a version is a usage error" -- "$dalc" migrate --db "$url" baseline
    expect 1 "$eng: baseline at an unknown version refused" -- "$dalc" migrate --db "$url" baseline 9
    expect 0 "$eng: baseline --dry-run" -- "$dalc" migrate --db "$url" baseline 1 --dry-run
    grep -q "would record 0001_init" "$tmp/out" || fail "$eng: dry run does not say what it would record"
    expect 0 "$eng: status after the dry run" -- "$dalc" migrate --db "$url" status
    grep -q "0001_init.*pending" "$tmp/out" || fail "$eng: dry run recorded something"
    expect 0 "$eng: baseline 1" -- "$dalc" migrate baseline 1 --db "$url"
    expect 0 "$eng: status after baseline" -- "$dalc" migrate --db "$url" status
    grep -q "0001_init.*applied" "$tmp/out" || fail "$eng: status does not say applied after baseline"
    [ "$(sql "$url" "SELECT count(*) FROM dal_schema_migrations WHERE version = 1 AND length(checksum) = 64")" = 1 ] ||
        fail "$eng: baseline row missing"
    expect 0 "$eng: baseline 1 again (nothing to do)" -- "$dalc" migrate --db "$url" baseline 1
    expect 0 "$eng: up after baseline (nothing pending)" -- "$dalc" migrate --db "$url" up

    # a second migration applies cleanly on the adopted database
    printf '  - { name: note, type: text, nullable: true, default: none }\n' >>schema/tags.yaml
    expect 0 "$eng: migration new add_note" -- "$dalc" migration new add_note
    expect 0 "$eng: the second migration applies" -- "$dalc" migrate --db "$url" up
    [ "$(sql "$url" "SELECT name || '/' || note FROM tags")" = "red/none" ] ||
        fail "$eng: row or new column missing after the second migration"
    [ "$(sql "$url" 'SELECT max(version) FROM dal_schema_migrations')" = 2 ] || fail "$eng: not at version 2"

    # refusals
    expect 1 "$eng: baseline below a recorded migration refused" -- "$dalc" migrate --db "$url" baseline 1
    grep -q "newer" "$tmp/err" || fail "$eng: refusal message lacks 'newer'"
    echo "-- edited" >>"migrations/0001_init/up.$ext.sql"
    expect 1 "$eng: baseline over a changed migration refused" -- "$dalc" migrate --db "$url" baseline 2
    grep -q "checksum" "$tmp/err" || fail "$eng: refusal message lacks 'checksum'"
    sed -i '$d' "migrations/0001_init/up.$ext.sql"
    [ "$(sql "$url" 'SELECT count(*) FROM dal_schema_migrations')" = 2 ] || fail "$eng: a refusal changed the table"
    cd "$top" || return
}

killed() { # NAME URL SLOW_PG SLOW_SQLITE
    local eng=$1 url=$2 p="$tmp/kill_$1"
    rm -rf "$p"; mkdir -p "$p/migrations"
    for v in 0001_t 0002_slow; do mkdir -p "$p/migrations/$v"; for d in pg sqlite; do echo "SELECT 1;" >"$p/migrations/$v/down.$d.sql"; done; done
    printf 'CREATE TABLE t (x integer);\n' >"$p/migrations/0001_t/up.pg.sql"
    printf 'CREATE TABLE t (x INTEGER);\n' >"$p/migrations/0001_t/up.sqlite.sql"
    printf 'CREATE TABLE t2 (x integer);\nSELECT pg_sleep(CASE WHEN EXISTS (SELECT 1 FROM t) THEN 0 ELSE %s END);\n' "$3" >"$p/migrations/0002_slow/up.pg.sql"
    printf 'CREATE TABLE t2 (x INTEGER);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (CASE WHEN EXISTS (SELECT 1 FROM t) THEN 10 ELSE %s END)) INSERT INTO t2 SELECT x FROM c;\n' "$4" >"$p/migrations/0002_slow/up.sqlite.sql"

    "$dalc" migrate --db "$url" --migrations "$p/migrations" up >"$tmp/k.out" 2>&1 & local k=$!
    for _ in $(seq 100); do grep -q "applying 0002" "$tmp/k.out" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    kill -9 $k; wait $k 2>/dev/null
    local v; v=$(sql "$url" 'SELECT max(version) FROM dal_schema_migrations')
    if [ "$v" = 1 ] && ! sql "$url" 'SELECT count(*) FROM t2' >/dev/null 2>&1; then
        ok "$eng: killed mid-migration: still at version 1"
    else
        fail "$eng: after SIGKILL the database is at version '$v'"
    fi
    sql "$url" 'INSERT INTO t VALUES (1)' >/dev/null
    expect 0 "$eng: the next run completes it" -- "$dalc" migrate --db "$url" --migrations "$p/migrations" up
    [ "$(sql "$url" 'SELECT max(version) FROM dal_schema_migrations')" = 2 ] || fail "$eng: not at version 2"
}

# Decimal columns of a database migrated before values were canonical and
# collated (its last snapshot has no .dalc-format): `migration new` rebuilds
# the SQLite table converting every value with dal_decimal; then SQL over the
# column is in numeric order.
old_decimals() {
    local p="$tmp/olddec" url="sqlite:$tmp/olddec.db"
    rm -rf "$p" "$tmp/olddec.db"; mkdir -p "$p/schema"; cd "$p" || return
    printf 'table: prices\ncolumns:\n  - { name: id, type: int64, primary_key: true, identity: true }\n  - { name: amount, type: decimal, precision: 10, scale: 2 }\n  - { name: any, type: decimal, nullable: true }\n' >schema/prices.yaml
    expect 0 "old decimals: migration new init" -- "$dalc" migration new init
    rm migrations/0001_init/snapshot/.dalc-format
    # the table as an older dalc made it, with values as they were stored
    sqlite3 "$tmp/olddec.db" "CREATE TABLE prices (\"id\" INTEGER PRIMARY KEY NOT NULL, \"amount\" TEXT NOT NULL, \"any\" TEXT) STRICT;
        INSERT INTO prices (amount, \"any\") VALUES ('9.91', ' 1e2 '), ('25.86', '-0.00'), ('1.5', NULL), (' 3.10 ', '5.'), ('1.005', '0.10')"
    expect 0 "old decimals: baseline 1" -- "$dalc" migrate --db "$url" baseline 1
    expect 0 "old decimals: migration new converts" -- "$dalc" migration new decimals
    grep -q 'dal_decimal("amount", 10, 2), dal_decimal("any")' migrations/0002_decimals/up.sqlite.sql ||
        fail "old decimals: up.sqlite.sql does not convert the values"
    [ -f migrations/0002_decimals/snapshot/.dalc-format ] || fail "old decimals: no format in the new snapshot"
    expect 0 "old decimals: migrate up" -- "$dalc" migrate --db "$url" up
    [ "$(sql "$url" "SELECT group_concat(amount, ' ') FROM (SELECT amount FROM prices ORDER BY amount)")" = "1.01 1.50 3.10 9.91 25.86" ] ||
        fail "old decimals: values not canonical or not in numeric order"
    [ "$(sql "$url" "SELECT group_concat(coalesce(\"any\", 'null'), ' ') FROM prices")" = "100 0.00 null 5 0.10" ] ||
        fail "old decimals: unconstrained values not canonical"
    [ "$(sql "$url" "SELECT max(amount) || ' ' || count(*) FILTER (WHERE amount > 5) FROM prices")" = "25.86 2" ] ||
        fail "old decimals: max or comparison not numeric"
    expect 0 "old decimals: nothing left to change" -- "$dalc" migration new again
    grep -q "no changes" "$tmp/out" || fail "old decimals: a second migration was written"
    cd "$top" || return
}
old_decimals

run_engine sqlite "sqlite:$tmp/cli.db"
baseline sqlite "sqlite:$tmp/base.db"
concurrency sqlite "sqlite:$tmp/conc.db" 1 400000
killed sqlite "sqlite:$tmp/kill.db" 30 500000000
if [ -n "$pg" ]; then
    u=$(pg_fresh dalc_chk_cli) && run_engine pg "$u" || fail "pg: no database"
    u=$(pg_fresh dalc_chk_base) && baseline pg "$u" || fail "pg: no database"
    u=$(pg_fresh dalc_chk_conc) && concurrency pg "$u" 1 10 || fail "pg: no database"
    u=$(pg_fresh dalc_chk_kill) && killed pg "$u" 4 10 || fail "pg: no database"
else
    echo "DALC_TEST_PG not set: PostgreSQL part skipped"
fi

[ $fails = 0 ] && echo "check_migrate: all passed" || echo "check_migrate: $fails failure(s)"
[ $fails = 0 ]
