#!/usr/bin/env bash
# tests/check_pull.sh BUILD - `dalc pull`, `dalc diff` and drift detection as a
# user runs them, on SQLite and PostgreSQL:
#   - round trip of every schema of the project's tests: generate -> apply the
#     DDL -> pull -> generate.  SQLite keeps the CREATE text, so the DDL is
#     identical (table comments aside: SQLite keeps none).  PostgreSQL prints
#     expressions its own way (CHECK, index predicates, defaults, view bodies),
#     so there the pulled schema must be a fixed point: applying its DDL and
#     pulling again gives the same files, and the same DDL;
#   - a hand-written schema per engine (tests/pull/seed.*.sql) pulled into the
#     expected files and warnings (tests/pull/expected.*), compared exactly;
#   - diff: identical (0), differences (1, the expected lines), connection
#     failure (3), usage (2);
#   - drift: check/generate with a migrations folder, with and without schema
#     changes that no migration captures.
# Run by tests/run.sh.  DALC_GOLDEN=1 rewrites tests/pull/expected.*.
set -uo pipefail
build=$(cd "${1:-build/san}" && pwd)
dalc="$build/dalc"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=${DALC_TEST_TMP:-$(mktemp -d)}
pg=${DALC_TEST_PG:-}
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

pg_fresh() { # NAME -> prints a URL of a new empty database
    psql "$pg" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null 2>&1 || return 1
    case "$pg" in
        *///postgres*) echo "${pg/\/\/\/postgres/\/\/\/$1}" ;;
        *\?*) echo "$pg&dbname=$1" ;;
        *) echo "$pg?dbname=$1" ;;
    esac
}

# apply ENGINE DDL_FILE NAME -> prints the URL of a new database holding it
apply() {
    local eng=$1 ddl=$2 name=$3
    if [ "$eng" = sqlite ]; then
        rm -f "$tmp/$name.db"
        sqlite3 -cmd ".load $build/dal_decimal" "$tmp/$name.db" <"$ddl" >/dev/null || return 1
        echo "sqlite:$tmp/$name.db"
    else
        local url; url=$(pg_fresh "$name") || return 1
        psql "$url" -q -v ON_ERROR_STOP=1 -f "$ddl" >/dev/null 2>&1 || return 1
        echo "$url"
    fi
}

# the DDL without its comment lines (banner, file names; SQLite's table comments)
ddl_body() { grep -v '^--' "$1"; }

# SQLite: views whose expression columns need `columns:` overrides keep them
# (SQLite does not record their types; PostgreSQL does, and pull writes them)
keep_view_overrides() { # SRC DST
    local f
    for f in "$1"/*.yaml "$1"/*.yml; do
        [ -f "$f" ] || continue
        if grep -q '^view:' "$f" && grep -q '^columns:' "$f"; then
            cp "$f" "$2/$(basename "${f%.*}").yaml"
        fi
    done
}

roundtrip() { # ENGINE SCHEMA_DIR
    local eng=$1 src=$2 tag w url url2 ext
    tag=rt_$(echo "$src" | tr -c 'a-z0-9\n' _)
    w="$tmp/$eng.$tag"; rm -rf "$w"; mkdir -p "$w"
    ext=$([ "$eng" = sqlite ] && echo sqlite || echo pg)
    "$dalc" generate --schema "$src" --out "$w/g1" >/dev/null 2>"$w/err" || { fail "$eng $src: generate"; cat "$w/err" >&2; return; }
    url=$(apply "$eng" "$w/g1/schema.$ext.sql" "${tag}_1") || { fail "$eng $src: apply"; return; }
    "$dalc" pull --db "$url" --out "$w/s2" >/dev/null 2>"$w/pull.err" || { fail "$eng $src: pull"; cat "$w/pull.err" >&2; return; }
    cp "$src"/*.sql "$w/s2/" 2>/dev/null
    [ "$eng" = sqlite ] && keep_view_overrides "$src" "$w/s2"
    "$dalc" generate --schema "$w/s2" --out "$w/g2" >/dev/null 2>"$w/err" || { fail "$eng $src: generate the pulled schema"; cat "$w/err" >&2; return; }
    if [ "$eng" = sqlite ]; then
        if diff <(ddl_body "$w/g1/schema.sqlite.sql") <(ddl_body "$w/g2/schema.sqlite.sql") >"$w/ddl.diff"; then
            ok "sqlite $src: generate -> apply -> pull -> generate gives the same DDL"
        else
            fail "sqlite $src: the DDL differs after a pull"; cat "$w/ddl.diff" >&2
        fi
        return
    fi
    url2=$(apply pg "$w/g2/schema.pg.sql" "${tag}_2") || { fail "pg $src: apply the pulled schema's DDL"; return; }
    "$dalc" pull --db "$url2" --out "$w/s3" >/dev/null 2>&1 || { fail "pg $src: second pull"; return; }
    if diff -r -x '*.sql' "$w/s2" "$w/s3" >"$w/yaml.diff"; then
        ok "pg $src: the pulled schema applied and pulled again gives the same files"
    else
        fail "pg $src: a second pull differs"; cat "$w/yaml.diff" >&2
    fi
    cp "$src"/*.sql "$w/s3/" 2>/dev/null
    "$dalc" generate --schema "$w/s3" --out "$w/g3" >/dev/null 2>&1
    if diff <(ddl_body "$w/g2/schema.pg.sql") <(ddl_body "$w/g3/schema.pg.sql") >"$w/ddl.diff"; then
        ok "pg $src: the same DDL after a second round trip"
    else
        fail "pg $src: the DDL differs after a second round trip"; cat "$w/ddl.diff" >&2
    fi
}

engines=(sqlite)
[ -n "$pg" ] && engines+=(pg)
schemas=(schema tests/probe_schema bench/schema)
for d in tests/good/*/; do schemas+=("${d%/}"); done
for eng in "${engines[@]}"; do
    for s in "${schemas[@]}"; do roundtrip "$eng" "$s"; done
done

# ---- hand-written schemas: expected files and warnings, exactly ----
seed() { # ENGINE
    local eng=$1 url w exp
    w="$tmp/seed.$eng"; rm -rf "$w"; mkdir -p "$w"
    exp="tests/pull/expected.$eng"
    url=$(apply "$eng" "tests/pull/seed.$eng.sql" "seed_$eng") || { fail "$eng: apply the seed"; return; }
    (cd "$w" && "$dalc" pull --db "$url" --out out >stdout 2>warnings.txt); local rc=$?
    [ "$rc" = 0 ] || fail "$eng seed: pull exit $rc"
    cp "$w/warnings.txt" "$w/out/"
    if [ "${DALC_GOLDEN:-}" = 1 ]; then rm -rf "$exp"; cp -r "$w/out" "$exp"; fi
    if diff -r "$exp" "$w/out" >"$w/diff"; then
        ok "$eng seed: the expected schema files and warnings"
    else
        fail "$eng seed: output differs from $exp"; cat "$w/diff" >&2
    fi
    "$dalc" generate --schema "$w/out" --out "$w/gen" >/dev/null 2>"$w/err" ||
        { fail "$eng seed: the pulled schema does not generate"; cat "$w/err" >&2; }
    (cd "$w" && "$dalc" pull --db "$url" --out one --table users >/dev/null 2>&1)
    [ "$(ls "$w/one")" = users.yaml ] && ok "$eng seed: --table pulls only that table" ||
        fail "$eng seed: --table users wrote $(ls "$w/one")"
}
for eng in "${engines[@]}"; do seed "$eng"; done

# ---- diff ----
expect() { # RC WHAT -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then fail "$what: exit $rc, expected $want"; cat "$tmp/out" "$tmp/err" >&2
    else ok "$what"; fi
}
for eng in "${engines[@]}"; do
    ext=$([ "$eng" = sqlite ] && echo sqlite || echo pg)
    url=$(apply "$eng" "$top/generated/schema.$ext.sql" "diff_$eng") || { fail "$eng: apply for diff"; continue; }
    expect 0 "$eng diff: a database made from the schema is identical" -- "$dalc" diff --db "$url" --schema schema
    if [ "$eng" = sqlite ]; then
        sqlite3 -cmd ".load $build/dal_decimal" "${url#sqlite:}" "ALTER TABLE tags ADD COLUMN x TEXT; DROP INDEX idx_jobs_schedule; DROP VIEW active_runs"
        want=$'table jobs: index idx_jobs_schedule: missing in the database\ntable tags: column x: not in the schema\nview active_runs: missing in the database'
    else
        psql "$url" -q -c 'ALTER TABLE jobs ALTER COLUMN "group" TYPE varchar(200); ALTER TABLE tags ALTER COLUMN color SET NOT NULL; DROP TABLE job_tags'
        want=$'table job_tags: missing in the database\ntable jobs: column group: type text, database has character varying(200)\ntable tags: column color: nullable, database has NOT NULL'
    fi
    expect 1 "$eng diff: differences exit 1" -- "$dalc" diff --db "$url" --schema schema
    [ "$(cat "$tmp/out")" = "$want" ] && ok "$eng diff: one line per difference" ||
        { fail "$eng diff: printed"; cat "$tmp/out" >&2; }
done
expect 3 "diff: a SQLite file that does not exist is a connection failure" -- "$dalc" diff --db "sqlite:$tmp/none.db"
[ ! -e "$tmp/none.db" ] && ok "diff: the missing file is not created" || fail "diff created $tmp/none.db"
if [ -n "$pg" ]; then
    expect 3 "diff: a PostgreSQL database that does not exist is a connection failure" -- "$dalc" diff --db "${pg/\/\/\/postgres/\/\/\/no_such_db}"
fi
expect 2 "diff without --db is a usage error" -- "$dalc" diff
expect 2 "pull without --db is a usage error" -- "$dalc" pull
expect 2 "pull with an unknown option is a usage error" -- "$dalc" pull --db sqlite::memory: --tables x
expect 0 "pull --help" -- "$dalc" pull --help
grep -q -- '--table NAME' "$tmp/out" || fail "pull --help lists --table"
expect 0 "diff --help" -- "$dalc" diff --help
expect 3 "pull: a SQLite file that does not exist" -- "$dalc" pull --db "sqlite:$tmp/none.db" --out "$tmp/x"

# ---- drift: changes no migration captures ----
p="$tmp/drift"; rm -rf "$p"; mkdir -p "$p"; cp -r schema migrations "$p/"
(cd "$p" && "$dalc" generate --out gen >/dev/null 2>&1)
expect 0 "drift: schema and migrations agree" -- bash -c "cd '$p' && '$dalc' check --out gen"
sed -i 's/^  - { name: color,.*$/&\n  - { name: extra, type: text, nullable: true }/' "$p/schema/tags.yaml"
(cd "$p" && "$dalc" generate --out gen >"$tmp/out" 2>"$tmp/err"); rc=$?
[ "$rc" = 0 ] && grep -q 'warning: the schema has changes that no migration in .*migrations captures.*run `dalc migration new NAME`' "$tmp/err" &&
    grep -q 'ALTER TABLE "tags" ADD COLUMN "extra" text;' "$tmp/err" &&
    ok "drift: generate warns and names the change" || { fail "drift: generate (exit $rc)"; cat "$tmp/err" >&2; }
expect 1 "drift: check fails on a change no migration captures" -- bash -c "cd '$p' && '$dalc' check --out gen"
grep -q 'error: the schema has changes that no migration' "$tmp/err" || { fail "drift: check message"; cat "$tmp/err" >&2; }
(cd "$p" && "$dalc" migration new add_extra >/dev/null 2>&1 && "$dalc" generate --out gen >/dev/null 2>&1)
expect 0 "drift: none once a migration captures it" -- bash -c "cd '$p' && '$dalc' check --out gen"

echo "check_pull: $fails failure(s)"
[ "$fails" = 0 ]
