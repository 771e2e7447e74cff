/*
 * dal_migrate.c - the migration runner (see dal_migrate.h, docs/migrations.md).
 *
 * Every step that changes the database follows one pattern:
 *   [SQLite: PRAGMA foreign_keys=OFF]   (impossible inside a transaction)
 *   BEGIN (SQLite: IMMEDIATE = write lock; retried until lock_timeout_ms)
 *   [PostgreSQL: SET LOCAL lock_timeout; SELECT pg_advisory_xact_lock(K)]
 *   CREATE TABLE IF NOT EXISTS dal_schema_migrations
 *   re-read this version's row (another migrator may have done it meanwhile)
 *   run the SQL; [SQLite: PRAGMA foreign_key_check must be empty]
 *   insert (up) / delete (down) the bookkeeping row
 *   COMMIT
 *   [SQLite: restore foreign_keys]
 * so a crash at any point leaves the previous version, and each migration
 * applies exactly once.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep: builds without the Makefile (vendoring) */
#endif
#include "dal_migrate.h"
#include "dal_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* SHA-256 (FIPS 180-4)                                                    */
/* ---------------------------------------------------------------------- */

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t total;
    unsigned char buf[64];
    size_t nbuf;
} sha256_ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + ch + K256[i] + w[i];
        uint32_t s0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
        uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
        uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

static void sha256_update(sha256_ctx *c, const unsigned char *p, size_t n)
{
    c->total += n;
    while (n > 0) {
        size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take;
        p += take;
        n -= take;
        if (c->nbuf == 64) {
            sha256_block(c, c->buf);
            c->nbuf = 0;
        }
    }
}

void dal_sha256_hex(const void *data, size_t len, char out[65])
{
    sha256_ctx c = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                     0x1f83d9ab, 0x5be0cd19},
                    0,
                    {0},
                    0};
    sha256_update(&c, data, len);
    uint64_t bits = c.total * 8;
    unsigned char pad[72];
    size_t npad = (c.nbuf < 56 ? 56 - c.nbuf : 120 - c.nbuf);
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(&c, pad, npad + 8);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) {
            unsigned v = (c.h[i] >> (24 - 8 * j)) & 0xff;
            out[i * 8 + j * 2] = hex[v >> 4];
            out[i * 8 + j * 2 + 1] = hex[v & 15];
        }
    out[64] = '\0';
}

/* ---------------------------------------------------------------------- */
/* helpers                                                                 */
/* ---------------------------------------------------------------------- */

const char *dal_migration_up_sql(const dal_migration *m, dal_dialect d)
{
    return d == DAL_POSTGRES ? m->up_pg : m->up_sqlite;
}

const char *dal_migration_down_sql(const dal_migration *m, dal_dialect d)
{
    return d == DAL_POSTGRES ? m->down_pg : m->down_sqlite;
}

bool dal_migration_sql_destructive(const char *sql)
{
    if (!sql)
        return false;
    for (const char *p = sql; p && *p;) {
        if (strncmp(p, "-- destructive", 14) == 0)
            return true;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return false;
}

static void progress(const dal_migrate_opts *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void progress(const dal_migrate_opts *o, const char *fmt, ...)
{
    if (!o || !o->progress)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    o->progress(o->progress_ctx, buf);
}

static dal_status query_int(dal_db *db, const dal_query *q, const char *p1, int64_t *out);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Rolls back (when a transaction is open) keeping the first error's message. */
static dal_status fail(dal_db *db, dal_status s, const char *what)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", dal_errmsg(db));
    if (dal_tx_depth(db) > 0)
        dal_rollback(db);
    if (s == DAL_OK)
        s = DAL_ERROR;
    if (what)
        return dal_set_error(db, s, "%s: %s", what, msg);
    return dal_set_error(db, s, "%s", msg);
}

static const dal_query Q_EXISTS_SQLITE = {
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'dal_schema_migrations'",
    0};
static const dal_query Q_EXISTS_PG = {
    "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'dal_schema_migrations' "
    "AND schemaname = current_schema()",
    0};
static const dal_query Q_LIST = {
    "SELECT version, checksum, applied_at FROM dal_schema_migrations "
    "ORDER BY version",
    0};
static const dal_query Q_ONE = {
    "SELECT checksum FROM dal_schema_migrations WHERE version = $1", 1};
static const dal_query Q_INSERT = {
    "INSERT INTO dal_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3};
static const dal_query Q_DELETE = {"DELETE FROM dal_schema_migrations WHERE version = $1", 1};
static const dal_query Q_FK_STATE = {"PRAGMA foreign_keys", 0};
static const dal_query Q_FK_CHECK = {"PRAGMA foreign_key_check", 0};

static const char CREATE_PG[] =
    "CREATE TABLE IF NOT EXISTS dal_schema_migrations (\n"
    "    version bigint PRIMARY KEY,\n"
    "    name text NOT NULL,\n"
    "    checksum text NOT NULL,\n"
    "    applied_at timestamptz NOT NULL DEFAULT now()\n"
    ")";
static const char CREATE_SQLITE[] =
    "CREATE TABLE IF NOT EXISTS dal_schema_migrations (\n"
    "    version INTEGER PRIMARY KEY,\n"
    "    name TEXT NOT NULL,\n"
    "    checksum TEXT NOT NULL,\n"
    "    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
    ")";

/* PostgreSQL advisory lock key: "dalcmigr" */
#define LOCK_KEY "7233459834587965810"
/* the same key as pg_locks shows it: classid = high 32 bits, objid = low */
#define LOCK_CLASSID "1684171109"
#define LOCK_OBJID "564914546"

static dal_status table_exists(dal_db *db, bool *out)
{
    const dal_query *q = dal_dialect_of(db) == DAL_POSTGRES ? &Q_EXISTS_PG : &Q_EXISTS_SQLITE;
    int64_t n;
    dal_status s = query_int(db, q, NULL, &n);
    *out = n > 0;
    return s;
}

typedef struct applied_row {
    int64_t version;
    char checksum[65];
    char applied_at[40];
} applied_row;

/* Reads every row (table must exist).  *rows owned by the caller. */
static dal_status read_applied(dal_db *db, applied_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &Q_LIST, &st);
    if (s != DAL_OK)
        return s;
    size_t cap = 0;
    for (;;) {
        bool has = false;
        s = dal_stmt_step(st, &has);
        if (s != DAL_OK || !has)
            break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            applied_row *p = realloc(*rows, cap * sizeof *p);
            if (!p) {
                s = dal_set_error(db, DAL_NOMEM, "out of memory");
                break;
            }
            *rows = p;
        }
        applied_row *r = &(*rows)[*n];
        memset(r, 0, sizeof *r);
        const char *t;
        size_t len;
        if ((s = dal_col_int64(st, 0, &r->version)) != DAL_OK)
            break;
        if ((s = dal_col_text(st, 1, &t, &len)) != DAL_OK)
            break;
        snprintf(r->checksum, sizeof r->checksum, "%.*s", (int)len, t);
        /* one form on both engines (PostgreSQL stores a timestamptz, SQLite
         * text): RFC 3339 UTC with microseconds, or the text as stored when
         * it is no timestamp */
        dal_time at;
        if (!dal_col_is_null(st, 2) &&
            (dal_col_time(st, 2, &at) != DAL_OK ||
             dal_time_format(at, r->applied_at, sizeof r->applied_at) != DAL_OK)) {
            if ((s = dal_col_text(st, 2, &t, &len)) != DAL_OK)
                break;
            snprintf(r->applied_at, sizeof r->applied_at, "%.*s", (int)len, t);
        }
        (*n)++;
    }
    dal_stmt_done(st);
    if (s != DAL_OK) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return s;
}

static const applied_row *find_applied(const applied_row *rows, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].version == v)
            return &rows[i];
    return NULL;
}

static const dal_migration *find_mig(const dal_migration *migs, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (migs[i].version == v)
            return &migs[i];
    return NULL;
}

/* The checksum recorded for m: the SHA-256 of its up SQL for dialect d
 * (of "" when it has none). */
static const char *up_checksum(const dal_migration *m, dal_dialect d, char sum[65])
{
    const char *up = dal_migration_up_sql(m, d);
    dal_sha256_hex(up ? up : "", up ? strlen(up) : 0, sum);
    return up;
}

/* SQLite foreign_keys state before we turned it off (restored by unlock). */
typedef struct lock_state {
    bool sqlite;
    bool fk_was_on;
} lock_state;

static dal_status sqlite_fk_state(dal_db *db, bool *on)
{
    int64_t v;
    dal_status s = query_int(db, &Q_FK_STATE, NULL, &v);
    *on = v != 0;
    return s;
}

/* PostgreSQL: who holds the migration lock, for messages: "PostgreSQL
 * backend pid P (user U, transaction since T, state S, query: Q)" from
 * pg_locks and pg_stat_activity (fields the role may not see are left out). */
static void lock_holder(dal_db *db, char *out, size_t cap)
{
    static const dal_query q = {
        "SELECT l.pid, coalesce(a.usename::text, ''), "
        "coalesce(to_char(coalesce(a.xact_start, a.backend_start) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD HH24:MI:SS') || ' UTC', ''), "
        "coalesce(a.state, ''), coalesce(left(regexp_replace(a.query, '\\s+', ' ', 'g'), 100), ''), "
        "CASE WHEN a.xact_start IS NULL THEN 0 ELSE 1 END "
        "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " LOCK_CLASSID
        " AND l.objid = " LOCK_OBJID " AND l.objsubid = 1 AND l.database = (SELECT oid FROM "
        "pg_catalog.pg_database WHERE datname = current_database()) ORDER BY l.pid LIMIT 1",
        0};
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
    snprintf(out, cap, "another migrator (it could not be identified)");
    dal_stmt *st;
    if (dal_stmt_start(db, &q, &st) != DAL_OK) {
        if (keep[0])
            dal_set_error(db, DAL_ERROR, "%s", keep);
        return;
    }
    bool has = false;
    if (dal_stmt_step(st, &has) == DAL_OK && has) {
        int64_t pid = 0, in_tx = 0;
        const char *f[4] = {"", "", "", ""};
        size_t fl[4] = {0, 0, 0, 0};
        dal_col_int64(st, 0, &pid);
        for (int i = 0; i < 4; i++)
            if (dal_col_text(st, i + 1, &f[i], &fl[i]) != DAL_OK)
                fl[i] = 0;
        dal_col_int64(st, 5, &in_tx);
        char user[80] = "", since[80] = "", state[80] = "", query[160] = "";
        if (fl[0])
            snprintf(user, sizeof user, ", user %.*s", (int)fl[0], f[0]);
        if (fl[1])
            snprintf(since, sizeof since, ", %s since %.*s",
                     in_tx ? "transaction" : "connection", (int)fl[1], f[1]);
        if (fl[2])
            snprintf(state, sizeof state, ", %.*s", (int)fl[2], f[2]);
        if (fl[3])
            snprintf(query, sizeof query, ", query: %.*s", (int)fl[3], f[3]);
        snprintf(out, cap, "PostgreSQL backend pid %lld%s%s%s%s", (long long)pid, user, since,
                 state, query);
    }
    dal_stmt_done(st);
    if (keep[0])
        dal_set_error(db, DAL_ERROR, "%s", keep);
}

/* BEGIN + lock + bookkeeping table.  On failure nothing is left open. */
static dal_status lock_begin(dal_db *db, const dal_migrate_opts *o, lock_state *ls)
{
    int timeout = o && o->lock_timeout_ms > 0 ? o->lock_timeout_ms : 60000;
    ls->sqlite = dal_dialect_of(db) == DAL_SQLITE;
    ls->fk_was_on = false;
    dal_status s;
    if (ls->sqlite) {
        if ((s = sqlite_fk_state(db, &ls->fk_was_on)) != DAL_OK)
            return fail(db, s, "reading PRAGMA foreign_keys");
        if (ls->fk_was_on && (s = dal_exec(db, "PRAGMA foreign_keys = OFF")) != DAL_OK)
            return fail(db, s, "PRAGMA foreign_keys = OFF");
        int64_t deadline = now_ms() + timeout;
        for (;;) {
            s = dal_begin(db);
            if (s == DAL_OK)
                break;
            if (s != DAL_BUSY || now_ms() >= deadline) {
                if (ls->fk_was_on)
                    dal_exec(db, "PRAGMA foreign_keys = ON");
                return dal_set_error(db, s == DAL_BUSY ? DAL_BUSY : s,
                                     "could not take the migration lock (another migrator?) "
                                     "within %d ms",
                                     timeout);
            }
            sleep_ms(20);
        }
    } else {
        if ((s = dal_begin(db)) != DAL_OK)
            return fail(db, s, "BEGIN");
        static const dal_query try_lock = {
            "SELECT CASE WHEN pg_try_advisory_xact_lock(" LOCK_KEY ") THEN 1 ELSE 0 END", 0};
        int64_t got = 0;
        s = query_int(db, &try_lock, NULL, &got);
        if (s != DAL_OK)
            return fail(db, s, "taking the migration lock");
        if (!got) {
            char who[400];
            lock_holder(db, who, sizeof who);
            progress(o, "waiting up to %d ms for the migration lock, held by %s", timeout, who);
            char sql[128];
            snprintf(sql, sizeof sql, "SET LOCAL lock_timeout = %d", timeout);
            if ((s = dal_exec(db, sql)) != DAL_OK)
                return fail(db, s, "SET lock_timeout");
            s = dal_exec(db, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")");
            if (s != DAL_OK) {
                char msg[1024];
                snprintf(msg, sizeof msg, "%s", dal_errmsg(db));
                dal_rollback(db);
                if (s == DAL_CONN)
                    return dal_set_error(db, DAL_CONN, "taking the migration lock: %s", msg);
                lock_holder(db, who, sizeof who);
                return dal_set_error(db, DAL_BUSY,
                                     "could not take the migration lock within %d ms: it is held "
                                     "by %s (a killed migrator's backend keeps it until its "
                                     "statement ends; pg_terminate_backend(pid) ends it now)",
                                     timeout, who);
            }
            if ((s = dal_exec(db, "SET LOCAL lock_timeout = DEFAULT")) != DAL_OK)
                return fail(db, s, "SET lock_timeout");
        }
    }
    if (!ls->sqlite && (s = dal_exec(db, "SET LOCAL client_min_messages = warning")) != DAL_OK)
        return fail(db, s, "SET client_min_messages");
    s = dal_exec(db, ls->sqlite ? CREATE_SQLITE : CREATE_PG);
    if (s != DAL_OK) {
        s = fail(db, s, "creating dal_schema_migrations");
        if (ls->sqlite && ls->fk_was_on)
            dal_exec(db, "PRAGMA foreign_keys = ON");
    }
    return s;
}

/* After COMMIT or ROLLBACK: restore SQLite foreign_keys. */
static void unlock_after(dal_db *db, const lock_state *ls)
{
    if (ls->sqlite && ls->fk_was_on && dal_tx_depth(db) == 0) {
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
        dal_exec(db, "PRAGMA foreign_keys = ON");
        if (keep[0])
            dal_set_error(db, DAL_ERROR, "%s", keep);
    }
}

static dal_status rollback_unlock(dal_db *db, const lock_state *ls, dal_status s, const char *what)
{
    s = fail(db, s, what);
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
    unlock_after(db, ls);
    return dal_set_error(db, s, "%s", keep);
}

/* A recorded migration whose SQL no longer matches its checksum: every
 * runner refuses it with this one message (it contains "checksum"). */
static dal_status checksum_error(dal_db *db, const dal_migration *m)
{
    return dal_set_error(db, DAL_ERROR,
                         "migration %04d_%s was applied with a different checksum "
                         "(its SQL changed since)",
                         m->version, m->name);
}

/* Inside the transaction: the checksum recorded for version v ("" = none). */
static dal_status read_one(dal_db *db, int64_t v, char checksum[65], bool *found)
{
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &Q_ONE, &st);
    if (s != DAL_OK)
        return s;
    dal_bind_int64(st, 1, v);
    bool has = false;
    *found = false;
    checksum[0] = '\0';
    s = dal_stmt_step(st, &has);
    if (s == DAL_OK && has) {
        const char *t;
        size_t len;
        s = dal_col_text(st, 0, &t, &len);
        if (s == DAL_OK) {
            snprintf(checksum, 65, "%.*s", (int)len, t);
            *found = true;
        }
    }
    dal_stmt_done(st);
    return s;
}

static dal_status fk_check(dal_db *db)
{
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &Q_FK_CHECK, &st);
    if (s != DAL_OK)
        return s;
    bool has = false;
    s = dal_stmt_step(st, &has);
    if (s == DAL_OK && has) {
        const char *t = "?";
        size_t len = 1;
        dal_col_text(st, 0, &t, &len);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)len, t);
        dal_stmt_done(st);
        return dal_set_error(db, DAL_FOREIGN_KEY,
                             "PRAGMA foreign_key_check: a row of \"%s\" violates a foreign key",
                             name);
    }
    dal_stmt_done(st);
    return s;
}

static dal_status check_order(dal_db *db, const dal_migration *migs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= 0 || (i > 0 && migs[i].version <= migs[i - 1].version))
            return dal_set_error(db, DAL_MISUSE,
                                 "migrations must have increasing versions > 0 (at %d)",
                                 migs[i].version);
    }
    if (dal_tx_depth(db) > 0)
        return dal_set_error(db, DAL_MISUSE, "migrations cannot run inside a transaction");
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* destructive steps: which tables they name, whether those hold rows      */
/* ---------------------------------------------------------------------- */

/* A static query (the statement cache keys on its address) returning one
 * int64 (0 when no row or NULL); p1 binds $1 when q has a parameter. */
static dal_status query_int(dal_db *db, const dal_query *q, const char *p1, int64_t *out)
{
    dal_stmt *st;
    *out = 0;
    dal_status s = dal_stmt_start(db, q, &st);
    if (s != DAL_OK)
        return s;
    if (q->nparams > 0)
        dal_bind_text(st, 1, p1);
    bool has = false;
    s = dal_stmt_step(st, &has);
    if (s == DAL_OK && has && !dal_col_is_null(st, 0))
        s = dal_col_int64(st, 0, out);
    dal_stmt_done(st);
    return s;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Reads an identifier (bare, or "quoted" without embedded quotes) at *p into
 * out; advances *p.  False when there is none. */
static bool read_ident(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    bool quoted = *s == '"';
    if (quoted)
        s++;
    size_t n = 0;
    while (ident_char(s[n]))
        n++;
    if (n == 0 || n >= cap || (quoted && s[n] != '"'))
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = s + n + (quoted ? 1 : 0);
    return true;
}

/* The table a reason written by `dalc migration new` names:
 *   drop table T | drop column T.C | type of T.C changes ... |
 *   max_length of T.C narrows ... | T.C becomes NOT NULL ... |
 *   enum values removed from T.C: ... | add NOT NULL column T.C ...
 * False when the reason has none of these forms. */
static bool reason_table(const char *r, size_t len, char *out, size_t cap)
{
    static const char *const prefixes[] = {"drop table ", "drop column ", "type of ",
                                           "max_length of ", "enum values removed from ",
                                           "add NOT NULL column "};
    char buf[512];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, r, len);
    buf[len] = '\0';
    const char *p = buf;
    size_t k;
    for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
        if (strncmp(p, prefixes[k], strlen(prefixes[k])) == 0)
            break;
    bool table_only = k == 0;
    if (k < sizeof prefixes / sizeof prefixes[0])
        p += strlen(prefixes[k]);
    else if (!strstr(p, " becomes NOT NULL"))
        return false;
    if (!read_ident(&p, out, cap))
        return false;
    if (table_only)
        return *p == '\0';
    return *p == '.'; /* T.C */
}

#define MAX_NAMED 64
#define NAME_CAP 128

typedef struct named_tables {
    int n;
    char name[MAX_NAMED][NAME_CAP];
    bool unreadable; /* a reason names no table dalc can check */
    char reasons[512];
} named_tables;

static void add_name(named_tables *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0)
            return;
    if (t->n == MAX_NAMED) {
        t->unreadable = true;
        return;
    }
    snprintf(t->name[t->n++], NAME_CAP, "%s", name);
}

/* Every table the "-- destructive:" lines of sql name (reasons split on
 * "; "), and the first line's reasons for messages. */
static void destructive_tables(const char *sql, named_tables *t)
{
    memset(t, 0, sizeof *t);
    for (const char *p = sql; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (strncmp(p, "-- destructive", 14) == 0) {
            const char *r = p + 14, *end = p + len;
            if (r < end && *r == ':')
                r++;
            while (r < end && *r == ' ')
                r++;
            if (!t->reasons[0])
                snprintf(t->reasons, sizeof t->reasons, "%.*s", (int)(end - r), r);
            if (r >= end)
                t->unreadable = true;
            while (r < end) {
                const char *semi = r;
                while (semi < end && !(semi[0] == ';' && semi + 1 < end && semi[1] == ' '))
                    semi++;
                char name[NAME_CAP];
                size_t rl = (size_t)(semi - r);
                while (rl > 0 && (r[rl - 1] == ' ' || r[rl - 1] == '\r' || r[rl - 1] == ';'))
                    rl--;
                if (reason_table(r, rl, name, sizeof name))
                    add_name(t, name);
                else
                    t->unreadable = true;
                r = semi < end ? semi + 2 : end;
            }
        }
        p = eol ? eol + 1 : NULL;
    }
}

/* Tables renamed to `to` by an `ALTER TABLE x RENAME TO to` of sql. */
static void rename_sources(const char *sql, const char *to, named_tables *out)
{
    memset(out, 0, sizeof *out);
    for (const char *p = strstr(sql, "ALTER TABLE "); p; p = strstr(p + 1, "ALTER TABLE ")) {
        const char *q = p + 12;
        char from[NAME_CAP], dst[NAME_CAP];
        if (!read_ident(&q, from, sizeof from) || strncmp(q, " RENAME TO ", 11) != 0)
            continue;
        q += 11;
        if (read_ident(&q, dst, sizeof dst) && strcmp(dst, to) == 0)
            add_name(out, from);
    }
}

static dal_status table_named_exists(dal_db *db, const char *name, bool *out)
{
    static const dal_query pg = {"SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = $1 "
                                 "AND schemaname = current_schema()",
                                 1};
    static const dal_query sq = {
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1", 1};
    int64_t n = 0;
    dal_status s = query_int(db, dal_dialect_of(db) == DAL_POSTGRES ? &pg : &sq, name, &n);
    *out = n > 0;
    return s;
}

/* Whether table `name` holds a row.  The table name cannot be a parameter
 * and statements are cached by address, so the answer goes through a
 * temporary table written by dal_exec and read by a static query. */
static dal_status table_has_rows(dal_db *db, const char *name, bool *out)
{
    static const dal_query pg = {"SELECT n FROM pg_temp.dal_migrate_probe", 0};
    static const dal_query sq = {"SELECT n FROM temp.dal_migrate_probe", 0};
    bool ispg = dal_dialect_of(db) == DAL_POSTGRES;
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE IF NOT EXISTS dal_migrate_probe (n bigint);\n"
             "DELETE FROM %s.dal_migrate_probe;\n"
             "INSERT INTO %s.dal_migrate_probe SELECT count(*) FROM "
             "(SELECT 1 FROM \"%s\" LIMIT 1) AS x",
             ispg ? "pg_temp" : "temp", ispg ? "pg_temp" : "temp", name);
    *out = true;
    dal_status s = dal_exec(db, sql);
    if (s != DAL_OK)
        return s;
    int64_t n = 1;
    s = query_int(db, ispg ? &pg : &sq, NULL, &n);
    *out = n > 0;
    return s;
}

/* Whether the destructive steps of sql may lose data on db now: true unless
 * every table they name (or, when it does not exist yet, every table the
 * migration renames to that name) exists and holds no rows.  why receives
 * the reason.  lock: PostgreSQL, inside the migration's transaction: lock
 * each table first so no row arrives between the check and the step. */
static dal_status may_lose_data(dal_db *db, const char *sql, bool lock, bool *lose, char *why,
                                size_t whycap)
{
    named_tables t;
    destructive_tables(sql, &t);
    *lose = true;
    if (t.unreadable || t.n == 0) {
        snprintf(why, whycap, "%s; a destructive line names no table dalc can check",
                 t.reasons[0] ? t.reasons : "destructive");
        return DAL_OK;
    }
    bool pg = dal_dialect_of(db) == DAL_POSTGRES;
    for (int i = 0; i < t.n; i++) {
        named_tables cand;
        rename_sources(sql, t.name[i], &cand);
        add_name(&cand, t.name[i]);
        int found = 0;
        for (int j = 0; j < cand.n; j++) {
            bool ex = false;
            dal_status s = table_named_exists(db, cand.name[j], &ex);
            if (s != DAL_OK)
                return s;
            if (!ex)
                continue;
            found++;
            char q[256];
            if (pg && lock) {
                snprintf(q, sizeof q, "LOCK TABLE \"%s\" IN ACCESS EXCLUSIVE MODE", cand.name[j]);
                if ((s = dal_exec(db, q)) != DAL_OK)
                    return s;
            }
            bool rows = true;
            if ((s = table_has_rows(db, cand.name[j], &rows)) != DAL_OK)
                return s;
            if (rows) {
                snprintf(why, whycap, "%s; table %s holds rows", t.reasons, cand.name[j]);
                return DAL_OK;
            }
        }
        if (!found) {
            snprintf(why, whycap, "%s; table %s does not exist before it", t.reasons, t.name[i]);
            return DAL_OK;
        }
    }
    *lose = false;
    snprintf(why, whycap, "%s; its tables hold no rows", t.reasons);
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* status                                                                  */
/* ---------------------------------------------------------------------- */

dal_status dal_migrate_status(dal_db *db, const dal_migration *migs, size_t n,
                              dal_migration_state *out, int *unknown)
{
    if (!db || (n && (!migs || !out)))
        return db ? dal_set_error(db, DAL_MISUSE, "dal_migrate_status: NULL argument")
                  : DAL_MISUSE;
    dal_dialect d = dal_dialect_of(db);
    bool exists = false;
    dal_status s = table_exists(db, &exists);
    if (s != DAL_OK)
        return s;
    applied_row *rows = NULL;
    size_t nrows = 0;
    if (exists && (s = read_applied(db, &rows, &nrows)) != DAL_OK)
        return s;
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].version = migs[i].version;
        const applied_row *r = find_applied(rows, nrows, migs[i].version);
        if (r) {
            out[i].applied = true;
            snprintf(out[i].applied_at, sizeof out[i].applied_at, "%s", r->applied_at);
            char sum[65];
            up_checksum(&migs[i], d, sum);
            out[i].checksum_mismatch = strcmp(sum, r->checksum) != 0;
        }
    }
    if (unknown) {
        int u = 0;
        for (size_t j = 0; j < nrows; j++) {
            bool known = false;
            for (size_t i = 0; i < n && !known; i++)
                known = migs[i].version == rows[j].version;
            u += !known;
        }
        *unknown = u;
    }
    free(rows);
    return DAL_OK;
}

dal_status dal_migrate_check(dal_db *db, const dal_migration *migs, size_t n)
{
    if (!db || (n && !migs))
        return db ? dal_set_error(db, DAL_MISUSE, "dal_migrate_check: NULL argument")
                  : DAL_MISUSE;
    if (n == 0)
        return DAL_OK;
    dal_migration_state *st = calloc(n, sizeof *st);
    if (!st)
        return dal_set_error(db, DAL_NOMEM, "dal_migrate_check: out of memory");
    int unknown = 0;
    dal_status s = dal_migrate_status(db, migs, n, st, &unknown);
    if (s != DAL_OK) {
        free(st);
        return s;
    }
    const dal_migration *want = &migs[n - 1], *at = NULL;
    size_t pending = 0;
    for (size_t i = 0; i < n; i++) {
        if (st[i].applied)
            at = &migs[i];
        else
            pending++;
        if (st[i].checksum_mismatch) {
            s = dal_set_error(db, DAL_ERROR,
                              "migration %04d_%s applied to the database differs from the one "
                              "this program was compiled with (checksum); run dalc migrate "
                              "status",
                              migs[i].version, migs[i].name);
            free(st);
            return s;
        }
    }
    free(st);
    if (unknown > 0)
        return dal_set_error(db, DAL_ERROR,
                             "database has %d migration(s) newer than this program knows; this "
                             "program was compiled for %04d_%s: run a newer build",
                             unknown, want->version, want->name);
    if (pending == 0)
        return DAL_OK;
    if (!at)
        return dal_set_error(db, DAL_ERROR,
                             "database has no migration applied, this program was compiled for "
                             "%04d_%s; run dalc migrate up",
                             want->version, want->name);
    return dal_set_error(db, DAL_ERROR,
                         "database is at migration %04d_%s, this program was compiled for "
                         "%04d_%s; run dalc migrate up",
                         at->version, at->name, want->version, want->name);
}

/* ---------------------------------------------------------------------- */
/* up                                                                      */
/* ---------------------------------------------------------------------- */

/* Inside the migration's transaction: may sql (destructive) run?  *refuse
 * is set when it may lose data and destructive migrations are not allowed;
 * the refusal message is then set. */
static dal_status destructive_gate(dal_db *db, const dal_migration *m, const char *sql, bool down,
                                   const dal_migrate_opts *o, bool *refuse)
{
    *refuse = false;
    if (!dal_migration_sql_destructive(sql))
        return DAL_OK;
    if (o && o->allow_destructive) {
        progress(o, "%s %04d_%s: destructive, allowed", down ? "reverting" : "applying",
                 m->version, m->name);
        return DAL_OK;
    }
    bool lose = true;
    char why[700];
    dal_status s = may_lose_data(db, sql, true, &lose, why, sizeof why);
    if (s != DAL_OK)
        return s;
    if (!lose) {
        progress(o, "%04d_%s is destructive (%s): nothing to lose, %s it", m->version, m->name,
                 why, down ? "reverting" : "applying");
        return DAL_OK;
    }
    *refuse = true;
    if (o && o->report)
        o->report->refused_version = m->version;
    return dal_set_error(db, DAL_MISUSE,
                         "%smigration %04d_%s is destructive and may lose data (%s); stopped "
                         "before it: allow destructive migrations to %s it",
                         down ? "reverting " : "", m->version, m->name, why,
                         down ? "revert" : "apply");
}

/* Applies (down: reverts) one migration in its own transaction, under the
 * migration lock: skipped when it is already applied (down: not applied),
 * refused when it is destructive and not allowed, recorded in (down: removed
 * from) dal_schema_migrations in the same transaction as its SQL. */
static dal_status run_one(dal_db *db, const dal_migration *m, const char *sql, const char *sum,
                          const dal_migrate_opts *o, bool down, bool *skipped)
{
    lock_state ls;
    *skipped = false;
    dal_status s = lock_begin(db, o, &ls);
    if (s != DAL_OK)
        return s;
    char have[65];
    bool found = false;
    if ((s = read_one(db, m->version, have, &found)) != DAL_OK)
        return rollback_unlock(db, &ls, s, "reading dal_schema_migrations");
    if (found && strcmp(have, sum) != 0) {
        dal_rollback(db);
        unlock_after(db, &ls);
        return checksum_error(db, m);
    }
    if (found != down) {
        dal_rollback(db);
        unlock_after(db, &ls);
        *skipped = true;
        return DAL_OK;
    }
    bool refuse = false;
    if ((s = destructive_gate(db, m, sql, down, o, &refuse)) != DAL_OK || refuse) {
        if (refuse) {
            char keep[1024];
            snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
            dal_rollback(db);
            unlock_after(db, &ls);
            return dal_set_error(db, DAL_MISUSE, "%s", keep);
        }
        return rollback_unlock(db, &ls, s, "checking the destructive steps");
    }
    progress(o, "%s %04d_%s", down ? "reverting" : "applying", m->version, m->name);
    char what[160];
    snprintf(what, sizeof what, "%smigration %04d_%s failed", down ? "reverting " : "",
             m->version, m->name);
    if ((s = dal_exec(db, sql)) != DAL_OK)
        return rollback_unlock(db, &ls, s, what);
    if (ls.sqlite && (s = fk_check(db)) != DAL_OK)
        return rollback_unlock(db, &ls, s, what);
    const char *record = down ? what : "recording the migration";
    dal_stmt *st;
    if ((s = dal_stmt_start(db, down ? &Q_DELETE : &Q_INSERT, &st)) != DAL_OK)
        return rollback_unlock(db, &ls, s, record);
    dal_bind_int64(st, 1, m->version);
    if (!down) {
        dal_bind_text(st, 2, m->name ? m->name : "");
        dal_bind_text(st, 3, sum);
    }
    bool has;
    s = dal_stmt_step(st, &has);
    dal_stmt_done(st);
    if (s != DAL_OK)
        return rollback_unlock(db, &ls, s, record);
    if ((s = dal_commit(db)) != DAL_OK)
        return rollback_unlock(db, &ls, s, what);
    unlock_after(db, &ls);
    return DAL_OK;
}

/* The first migration failed on a database without migration history: when
 * it has tables already (made by schema_create, from schema.*.sql or by
 * hand), say that baseline adopts it. */
static void baseline_hint(dal_db *db, dal_status s)
{
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
    static const dal_query pg = {
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'dal_schema_migrations'",
        0};
    static const dal_query sq = {
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
        "'sqlite\\_%' ESCAPE '\\' AND name <> 'dal_schema_migrations'",
        0};
    int64_t tables = 0;
    dal_status q = query_int(db, dal_dialect_of(db) == DAL_POSTGRES ? &pg : &sq, NULL, &tables);
    if (q != DAL_OK || tables == 0) {
        dal_set_error(db, s, "%s", keep);
        return;
    }
    dal_set_error(db, s,
                  "%s\nThe database already has %lld table(s) but no migration history: if it "
                  "was made by schema_create (or from schema.*.sql, or by hand) and its schema "
                  "matches migration N, adopt it with baseline (`dalc migrate baseline N`, or "
                  "dal_migrate_baseline) instead of running the migrations that made it",
                  keep, (long long)tables);
}

/* --dry-run of one step (verb "apply" or "revert", done "applies" or
 * "reverts"): says what a real run would do, destructive steps included with
 * whether their tables hold rows now, then shows the SQL. */
static dal_status dry_run_step(dal_db *db, const dal_migrate_opts *o, const dal_migration *m,
                               const char *sql, const char *verb, const char *done)
{
    if (dal_migration_sql_destructive(sql) && !o->allow_destructive) {
        bool lose = true;
        char why[700];
        dal_status s = may_lose_data(db, sql, false, &lose, why, sizeof why);
        if (s != DAL_OK)
            return s;
        if (lose)
            progress(o, "would %s %04d_%s (destructive: %s; a real run stops here unless "
                        "destructive migrations are allowed):",
                     verb, m->version, m->name, why);
        else
            progress(o, "would %s %04d_%s (destructive: %s; a real run %s it if they still "
                        "hold none then):",
                     verb, m->version, m->name, why, done);
    } else
        progress(o, "would %s %04d_%s:", verb, m->version, m->name);
    if (o->progress)
        o->progress(o->progress_ctx, sql);
    return DAL_OK;
}

dal_status dal_migrate_up(dal_db *db, const dal_migration *migs, size_t n,
                          const dal_migrate_opts *o)
{
    if (!db)
        return DAL_MISUSE;
    dal_status s = check_order(db, migs, n);
    if (s != DAL_OK)
        return s;
    dal_dialect d = dal_dialect_of(db);
    dal_migration_state *st = calloc(n ? n : 1, sizeof *st);
    if (!st)
        return dal_set_error(db, DAL_NOMEM, "out of memory");
    int unknown = 0;
    if ((s = dal_migrate_status(db, migs, n, st, &unknown)) != DAL_OK) {
        free(st);
        return s;
    }
    /* Refuse up front: a changed applied migration, a missing SQL.  The
     * destructive check runs per migration, inside its transaction. */
    bool history = false;
    for (size_t i = 0; i < n; i++) {
        const dal_migration *m = &migs[i];
        if (st[i].applied) {
            history = true;
            if (st[i].checksum_mismatch) {
                free(st);
                return checksum_error(db, m);
            }
            continue;
        }
        if (o && o->target > 0 && m->version > o->target)
            continue;
        const char *sql = dal_migration_up_sql(m, d);
        if (!sql) {
            free(st);
            return dal_set_error(db, DAL_MISUSE, "migration %04d_%s has no %s SQL",
                                 m->version, m->name, d == DAL_POSTGRES ? "PostgreSQL" : "SQLite");
        }
    }
    if (unknown > 0)
        history = true;
    int done = 0;
    if (o && o->report)
        *o->report = (dal_migrate_report){0, 0};
    for (size_t i = 0; i < n; i++) {
        const dal_migration *m = &migs[i];
        if (st[i].applied || (o && o->target > 0 && m->version > o->target))
            continue;
        char sum[65];
        const char *sql = up_checksum(m, d, sum);
        if (o && o->dry_run) {
            if ((s = dry_run_step(db, o, m, sql, "apply", "applies")) != DAL_OK) {
                free(st);
                return s;
            }
            continue;
        }
        bool skipped = false;
        if ((s = run_one(db, m, sql, sum, o, false, &skipped)) != DAL_OK) {
            free(st);
            if (s != DAL_MISUSE && s != DAL_BUSY && s != DAL_CONN && !history && done == 0)
                baseline_hint(db, s);
            else if (s == DAL_MISUSE && o && o->report && o->report->refused_version == m->version)
                progress(o, "applied %d migration(s); stopped at %04d_%s (destructive)", done,
                         m->version, m->name);
            return s;
        }
        if (skipped)
            progress(o, "%04d_%s was applied meanwhile by another migrator", m->version, m->name);
        else {
            done++;
            if (o && o->report)
                o->report->done = done;
        }
    }
    free(st);
    if (!(o && o->dry_run))
    {
        if (done)
            progress(o, "applied %d migration(s)", done);
        else
            progress(o, "nothing to apply");
    }
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* down                                                                    */
/* ---------------------------------------------------------------------- */

dal_status dal_migrate_down(dal_db *db, const dal_migration *migs, size_t n, int steps,
                            const dal_migrate_opts *o)
{
    if (!db)
        return DAL_MISUSE;
    dal_status s = check_order(db, migs, n);
    if (s != DAL_OK)
        return s;
    if (steps <= 0)
        return dal_set_error(db, DAL_MISUSE, "down: steps must be > 0");
    dal_dialect d = dal_dialect_of(db);
    bool exists = false;
    if ((s = table_exists(db, &exists)) != DAL_OK)
        return s;
    if (!exists) {
        progress(o, "nothing to revert");
        return DAL_OK;
    }
    applied_row *rows = NULL;
    size_t nrows = 0;
    if ((s = read_applied(db, &rows, &nrows)) != DAL_OK)
        return s;
    /* The newest `steps` applied versions, newest first; all checked first. */
    int take = steps < (int)nrows ? steps : (int)nrows;
    for (int k = 0; k < take; k++) {
        const applied_row *r = &rows[nrows - 1 - (size_t)k];
        const dal_migration *m = find_mig(migs, n, r->version);
        if (!m) {
            long long v = (long long)r->version;
            free(rows);
            return dal_set_error(db, DAL_MISUSE,
                                 "applied migration version %lld is unknown here; cannot revert it",
                                 v);
        }
        char sum[65];
        up_checksum(m, d, sum);
        if (strcmp(sum, r->checksum) != 0) {
            free(rows);
            return checksum_error(db, m);
        }
        if (!dal_migration_down_sql(m, d)) {
            free(rows);
            return dal_set_error(db, DAL_MISUSE, "migration %04d_%s has no down SQL",
                                 m->version, m->name);
        }
    }
    if (o && o->report)
        *o->report = (dal_migrate_report){0, 0};
    for (int k = 0; k < take; k++) {
        const dal_migration *m = find_mig(migs, n, rows[nrows - 1 - (size_t)k].version);
        const char *down = dal_migration_down_sql(m, d);
        char sum[65];
        up_checksum(m, d, sum);
        if (o && o->dry_run) {
            if ((s = dry_run_step(db, o, m, down, "revert", "reverts")) != DAL_OK) {
                free(rows);
                return s;
            }
            continue;
        }
        bool skipped;
        if ((s = run_one(db, m, down, sum, o, true, &skipped)) != DAL_OK) {
            free(rows);
            return s;
        }
        if (!skipped && o && o->report)
            o->report->done++;
    }
    if (take == 0)
        progress(o, "nothing to revert");
    free(rows);
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* baseline                                                                */
/* ---------------------------------------------------------------------- */

/* Checks the recorded rows against a baseline at `version`; *todo receives
 * how many migrations would be recorded. */
static dal_status baseline_check(dal_db *db, const dal_migration *migs, size_t n, int version,
                                 const applied_row *rows, size_t nrows, int *todo)
{
    dal_dialect d = dal_dialect_of(db);
    *todo = 0;
    for (size_t j = 0; j < nrows; j++) {
        if (rows[j].version <= version)
            continue;
        const dal_migration *m = find_mig(migs, n, rows[j].version);
        return dal_set_error(db, DAL_ERROR,
                             "cannot baseline at version %d: the newer migration %04lld%s%s is "
                             "already recorded as applied",
                             version, (long long)rows[j].version, m ? "_" : "",
                             m && m->name ? m->name : "");
    }
    for (size_t i = 0; i < n && migs[i].version <= version; i++) {
        const dal_migration *m = &migs[i];
        const char *up = dal_migration_up_sql(m, d);
        if (!up)
            return dal_set_error(db, DAL_MISUSE, "migration %04d_%s has no %s SQL", m->version,
                                 m->name, d == DAL_POSTGRES ? "PostgreSQL" : "SQLite");
        const applied_row *r = find_applied(rows, nrows, m->version);
        if (!r) {
            (*todo)++;
            continue;
        }
        char sum[65];
        dal_sha256_hex(up, strlen(up), sum);
        if (strcmp(sum, r->checksum) != 0)
            return dal_set_error(db, DAL_ERROR,
                                 "cannot baseline: migration %04d_%s is already recorded with a "
                                 "different checksum (its SQL changed since it was applied)",
                                 m->version, m->name);
    }
    return DAL_OK;
}

/* Inserts the bookkeeping row of m (inside the transaction). */
static dal_status record_one(dal_db *db, const dal_migration *m, const char *sum)
{
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &Q_INSERT, &st);
    if (s != DAL_OK)
        return s;
    dal_bind_int64(st, 1, m->version);
    dal_bind_text(st, 2, m->name ? m->name : "");
    dal_bind_text(st, 3, sum);
    bool has;
    s = dal_stmt_step(st, &has);
    dal_stmt_done(st);
    return s;
}

dal_status dal_migrate_baseline(dal_db *db, const dal_migration *migs, size_t n, int version,
                                const dal_migrate_opts *o)
{
    if (!db)
        return DAL_MISUSE;
    if (n && !migs)
        return dal_set_error(db, DAL_MISUSE, "dal_migrate_baseline: NULL argument");
    dal_status s = check_order(db, migs, n);
    if (s != DAL_OK)
        return s;
    if (version <= 0 || !find_mig(migs, n, version))
        return dal_set_error(db, DAL_MISUSE, "there is no migration with version %d to baseline at",
                             version);
    dal_dialect d = dal_dialect_of(db);
    applied_row *rows = NULL;
    size_t nrows = 0;
    int todo = 0;

    if (o && o->dry_run) {
        bool exists = false;
        if ((s = table_exists(db, &exists)) != DAL_OK)
            return s;
        if (exists && (s = read_applied(db, &rows, &nrows)) != DAL_OK)
            return s;
        s = baseline_check(db, migs, n, version, rows, nrows, &todo);
        if (s == DAL_OK) {
            for (size_t i = 0; i < n && migs[i].version <= version; i++)
                if (!find_applied(rows, nrows, migs[i].version))
                    progress(o, "would record %04d_%s as applied (without running it)",
                             migs[i].version, migs[i].name);
            if (!todo)
                progress(o, "nothing to record: migrations up to %04d are already recorded",
                         version);
        }
        free(rows);
        return s;
    }

    lock_state ls;
    if ((s = lock_begin(db, o, &ls)) != DAL_OK)
        return s;
    /* under the lock: the rows as they are now (another migrator may have
     * applied something meanwhile) */
    if ((s = read_applied(db, &rows, &nrows)) != DAL_OK)
        return rollback_unlock(db, &ls, s, "reading dal_schema_migrations");
    if ((s = baseline_check(db, migs, n, version, rows, nrows, &todo)) != DAL_OK) {
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", dal_errmsg(db));
        free(rows);
        dal_rollback(db);
        unlock_after(db, &ls);
        return dal_set_error(db, s, "%s", keep);
    }
    for (size_t i = 0; i < n && migs[i].version <= version; i++) {
        const dal_migration *m = &migs[i];
        if (find_applied(rows, nrows, m->version))
            continue;
        char sum[65];
        up_checksum(m, d, sum);
        if ((s = record_one(db, m, sum)) != DAL_OK) {
            free(rows);
            return rollback_unlock(db, &ls, s, "recording the baseline");
        }
    }
    if ((s = dal_commit(db)) != DAL_OK) {
        free(rows);
        return rollback_unlock(db, &ls, s, "recording the baseline");
    }
    unlock_after(db, &ls);
    for (size_t i = 0; i < n && migs[i].version <= version; i++)
        if (!find_applied(rows, nrows, migs[i].version))
            progress(o, "recorded %04d_%s as applied (not run)", migs[i].version, migs[i].name);
    if (todo)
        progress(o, "baseline at %04d: %d migration(s) recorded", version, todo);
    else
        progress(o, "nothing to record: migrations up to %04d are already recorded", version);
    free(rows);
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* repair: accept an edited migration whose effect is unchanged            */
/* ---------------------------------------------------------------------- */

/* SQL text without "--" comments, whitespace runs as one space, none after
 * "(" or before ")" and ",": the same definition written with other
 * spacing or comments compares equal. */
static void sb_add_normalized(dal_sbuf *b, const char *s, size_t n)
{
    bool space = false;
    char prev = '\0', quote = '\0';
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quote) {
            dal__sb_add(b, &c, 1);
            if (c == quote)
                quote = '\0';
            prev = c;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            space = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && prev && prev != '(' && c != ')' && c != ',')
            dal__sb_add(b, " ", 1);
        space = false;
        if (c == '\'' || c == '"')
            quote = c;
        dal__sb_add(b, &c, 1);
        prev = c;
    }
}

static const dal_query Q_SCHEMA_PG = {
    "SELECT table_name || '|col|' || column_name || '|' || data_type || '|' || "
    "coalesce(character_maximum_length::text, '') || '|' || coalesce(numeric_precision::text, '') "
    "|| ',' || coalesce(numeric_scale::text, '') || '|' || is_nullable || '|' || "
    "coalesce(column_default, '~') || '|' || is_identity "
    "FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND table_name <> 'dal_schema_migrations' "
    "UNION ALL SELECT c.relname || '|con|' || co.conname || '|' || pg_get_constraintdef(co.oid) "
    "FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid "
    "WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = "
    "current_schema()) AND c.relname <> 'dal_schema_migrations' "
    "UNION ALL SELECT tablename || '|idx|' || indexname || '|' || replace(indexdef, ' ON ' || "
    "quote_ident(schemaname) || '.', ' ON ') FROM pg_catalog.pg_indexes "
    "WHERE schemaname = current_schema() AND tablename <> 'dal_schema_migrations' "
    "UNION ALL SELECT c.relname || '|' || c.relkind::text || '|' || "
    "coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_catalog.pg_class c "
    "WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = "
    "current_schema()) AND c.relkind IN ('r', 'v', 'm', 'p') AND c.relname <> "
    "'dal_schema_migrations' "
    "UNION ALL SELECT c.relname || '|colcomment|' || a.attname || '|' || "
    "coalesce(col_description(c.oid, a.attnum), '') FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT "
    "a.attisdropped WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE "
    "nspname = current_schema()) AND c.relkind = 'r' AND c.relname <> 'dal_schema_migrations' "
    "ORDER BY 1",
    0};

static const dal_query Q_SCHEMA_SQLITE = {
    "SELECT type || '|' || name || '|' || tbl_name || '|' || coalesce(sql, '') FROM sqlite_master "
    "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'dal_schema_migrations' "
    "ORDER BY type, name",
    0};

/* One line per table, column, constraint, index (and comment) of db's
 * schema (PostgreSQL: current_schema()), sorted. */
static dal_status schema_dump(dal_db *db, dal_sbuf *out)
{
    bool pg = dal_dialect_of(db) == DAL_POSTGRES;
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, pg ? &Q_SCHEMA_PG : &Q_SCHEMA_SQLITE, &st);
    if (s != DAL_OK)
        return s;
    for (;;) {
        bool has = false;
        if ((s = dal_stmt_step(st, &has)) != DAL_OK || !has)
            break;
        const char *t;
        size_t len;
        if ((s = dal_col_text(st, 0, &t, &len)) != DAL_OK)
            break;
        sb_add_normalized(out, t, len);
        dal__sb_add(out, "\n", 1);
    }
    dal_stmt_done(st);
    if (s == DAL_OK && out->oom)
        s = dal_set_error(db, DAL_NOMEM, "out of memory");
    return s;
}

/* True when the line [l, l+len) is one of the lines of text. */
static bool has_line(const char *text, const char *l, size_t len)
{
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && memcmp(p, l, len) == 0)
            return true;
        p += n + (e ? 1 : 0);
    }
    return false;
}

/* A line of a that b lacks (true when there is one), for the message. */
static bool missing_line(const char *a, const char *b, const char **l, size_t *len)
{
    for (const char *p = a; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!has_line(b, p, n)) {
            *l = p;
            *len = n;
            return true;
        }
        p += n + (e ? 1 : 0);
    }
    return false;
}

/* The first difference between the database's dump a and the derived b. */
static void first_difference(const char *a, const char *b, char *out, size_t cap)
{
    const char *l = "";
    size_t n = 0;
    if (missing_line(b, a, &l, &n))
        snprintf(out, cap, "the migrations give \"%.*s\", which the database lacks",
                 (int)(n > 240 ? 240 : n), l);
    else if (missing_line(a, b, &l, &n))
        snprintf(out, cap, "the database has \"%.*s\", which the migrations do not give",
                 (int)(n > 240 ? 240 : n), l);
    else
        snprintf(out, cap, "the same definitions in another order or number");
}

/* Runs the recorded migrations (their up SQL as it is now) on an empty
 * scratch schema and dumps it.  PostgreSQL: inside the open transaction, in
 * a savepoint rolled back before returning; SQLite: a private in-memory
 * database. */
static dal_status rederive(dal_db *db, const dal_migration *migs, size_t n,
                           const applied_row *rows, size_t nrows, dal_sbuf *out)
{
    dal_dialect d = dal_dialect_of(db);
    dal_migration *sub = calloc(nrows ? nrows : 1, sizeof *sub);
    if (!sub)
        return dal_set_error(db, DAL_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (find_applied(rows, nrows, migs[i].version))
            sub[k++] = migs[i];
    dal_status s;
    char msg[1200];
    if (d == DAL_SQLITE) {
        dal_db *scratch = NULL;
        s = dal_open("sqlite::memory:", &scratch);
        if (s == DAL_OK) {
            dal_migrate_opts so = {0};
            so.allow_destructive = true;
            s = dal_migrate_up(scratch, sub, k, &so);
            if (s == DAL_OK)
                s = schema_dump(scratch, out);
        }
        snprintf(msg, sizeof msg, "%s", scratch ? dal_errmsg(scratch) : "out of memory");
        dal_close(scratch);
        free(sub);
        if (s != DAL_OK)
            return dal_set_error(db, s, "re-deriving the schema on an empty database: %s", msg);
        return DAL_OK;
    }
    s = dal_exec(db, "SAVEPOINT dal_repair;\n"
                     "CREATE SCHEMA dal_repair_scratch;\n"
                     "SET LOCAL search_path = dal_repair_scratch");
    for (size_t i = 0; s == DAL_OK && i < k; i++) {
        s = dal_exec(db, dal_migration_up_sql(&sub[i], d));
        if (s != DAL_OK) {
            snprintf(msg, sizeof msg, "%s", dal_errmsg(db));
            dal_set_error(db, s, "migration %04d_%s fails on an empty schema: %s",
                          sub[i].version, sub[i].name, msg);
        }
    }
    if (s == DAL_OK)
        s = schema_dump(db, out);
    snprintf(msg, sizeof msg, "%s", dal_errmsg(db));
    dal_status r = dal_exec(db, "ROLLBACK TO SAVEPOINT dal_repair;\nRELEASE SAVEPOINT dal_repair");
    free(sub);
    if (s != DAL_OK)
        return dal_set_error(db, s, "re-deriving the schema: %s", msg);
    return r;
}

dal_status dal_migrate_repair(dal_db *db, const dal_migration *migs, size_t n,
                              const dal_migrate_opts *o)
{
    if (!db)
        return DAL_MISUSE;
    if (n && !migs)
        return dal_set_error(db, DAL_MISUSE, "dal_migrate_repair: NULL argument");
    dal_status s = check_order(db, migs, n);
    if (s != DAL_OK)
        return s;
    if (o && o->report)
        *o->report = (dal_migrate_report){0, 0};
    bool exists = false;
    if ((s = table_exists(db, &exists)) != DAL_OK)
        return s;
    if (!exists) {
        progress(o, "nothing to repair: no migration is recorded");
        return DAL_OK;
    }
    dal_dialect d = dal_dialect_of(db);
    lock_state ls;
    if ((s = lock_begin(db, o, &ls)) != DAL_OK)
        return s;
    applied_row *rows = NULL;
    size_t nrows = 0;
    dal_sbuf live = {0}, derived = {0};
    char msg[1400];
    if ((s = read_applied(db, &rows, &nrows)) != DAL_OK)
        return rollback_unlock(db, &ls, s, "reading dal_schema_migrations");
    int changed = 0;
    for (size_t j = 0; j < nrows; j++) {
        const dal_migration *m = find_mig(migs, n, rows[j].version);
        const char *up = m ? dal_migration_up_sql(m, d) : NULL;
        if (!up) {
            s = dal_set_error(db, DAL_MISUSE,
                              "cannot repair: the recorded migration %04lld %s, so the schema "
                              "cannot be re-derived",
                              (long long)rows[j].version,
                              m ? "has no SQL for this engine" : "is not in the migrations");
            goto refuse;
        }
        char sum[65];
        dal_sha256_hex(up, strlen(up), sum);
        changed += strcmp(sum, rows[j].checksum) != 0;
    }
    if (!changed) {
        free(rows);
        dal_rollback(db);
        unlock_after(db, &ls);
        progress(o, "nothing to repair: every recorded migration matches its checksum");
        return DAL_OK;
    }
    if ((s = schema_dump(db, &live)) != DAL_OK)
        goto refuse;
    if ((s = rederive(db, migs, n, rows, nrows, &derived)) != DAL_OK)
        goto refuse;
    if (strcmp(live.p ? live.p : "", derived.p ? derived.p : "") != 0) {
        char diff[600];
        first_difference(live.p ? live.p : "", derived.p ? derived.p : "", diff, sizeof diff);
        s = dal_set_error(db, DAL_ERROR,
                          "cannot repair: the schema the migrations give as they are now differs "
                          "from this database's (%s); revert the edit, or write a new migration "
                          "for the change",
                          diff);
        goto refuse;
    }
    for (size_t j = 0; j < nrows; j++) {
        const dal_migration *m = find_mig(migs, n, rows[j].version);
        char sum[65];
        up_checksum(m, d, sum);
        if (strcmp(sum, rows[j].checksum) == 0)
            continue;
        if (o && o->dry_run) {
            progress(o, "would record the new checksum of %04d_%s (its effect is unchanged)",
                     m->version, m->name);
            continue;
        }
        static const dal_query upd = {
            "UPDATE dal_schema_migrations SET checksum = $1 WHERE version = $2", 2};
        dal_stmt *st;
        if ((s = dal_stmt_start(db, &upd, &st)) != DAL_OK)
            goto refuse;
        dal_bind_text(st, 1, sum);
        dal_bind_int64(st, 2, m->version);
        bool has;
        s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
        if (s != DAL_OK)
            goto refuse;
        progress(o, "recorded the new checksum of %04d_%s (its effect is unchanged)", m->version,
                 m->name);
        if (o && o->report)
            o->report->done++;
    }
    free(rows);
    free(live.p);
    free(derived.p);
    if (o && o->dry_run) {
        dal_rollback(db);
        unlock_after(db, &ls);
        return DAL_OK;
    }
    if ((s = dal_commit(db)) != DAL_OK)
        return rollback_unlock(db, &ls, s, "recording the new checksums");
    unlock_after(db, &ls);
    return DAL_OK;
refuse:
    snprintf(msg, sizeof msg, "%s", dal_errmsg(db));
    free(rows);
    free(live.p);
    free(derived.p);
    dal_rollback(db);
    unlock_after(db, &ls);
    return dal_set_error(db, s, "%s", msg);
}
