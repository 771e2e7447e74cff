/*
 * dal_sqlite.c - the SQLite engine of the runtime: the operations of
 * dal__sqlite_engine (end of this file), the only file that includes sqlite3.h.
 *
 * Storage of schema types (see docs/runtime.md): bool/ints INTEGER, floats
 * REAL, decimal/text/json/enum TEXT, bytes BLOB, uuid TEXT (lower-case
 * canonical), timestamp INTEGER (microseconds since 1970 UTC), date TEXT
 * 'YYYY-MM-DD'.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dal_internal.h"
#include "dal_sqlite_decimal.h"

/* The engine's connection and statement: the shared parts first. */
typedef struct sq_db {
    dal_db base;
    sqlite3 *sq;
} sq_db;

typedef struct sq_stmt {
    dal_stmt base;
    sqlite3_stmt *ss;
    sqlite3 *sq;             /* its connection's (SQDB(db)->sq, in the same cache line) */
    int ncols;               /* sqlite3_column_count, at prepare */
    bool need_reset;         /* stepped since the last reset */
    bool unbound_null;       /* the bindings count as cleared: see sq_bound */
    bool wide;               /* more than 64 parameters: cleared at once */
    uint64_t bound;          /* bit i - 1: parameter i bound since they were */
    char *scratch;           /* nparams * 40 bytes: uuid/date text for binds */
} sq_stmt;

#define SQDB(db) ((sq_db *)(db))
#define SQ(st) ((sq_stmt *)(st))
/* sqlite3_bind_text's length argument for a string of len bytes */
#define DAL__SQ_LEN(len) ((len) > (size_t)INT_MAX ? -1 : (int)(len))

static dal_status dal__sq_stepped(dal_stmt *st, int rc);
static void dal__sq_done(dal_stmt *st);
DAL_COLD static void dal__sq_bind_failed(dal_stmt *st, int i, int rc);

static dal_status dal__sq_status(int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return DAL_OK;
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
        return DAL_DUPLICATE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return DAL_FOREIGN_KEY;
    case SQLITE_CONSTRAINT_CHECK:
        return DAL_CHECK;
    case SQLITE_CONSTRAINT_NOTNULL:
        return DAL_NOT_NULL;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DAL_BUSY;
    case SQLITE_NOMEM:
        return DAL_NOMEM;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
        return DAL_CONN;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
        return DAL_MISUSE;
    default:
        return DAL_ERROR;
    }
}

/* ---- error details: SQLite's constraint messages read back into the
 * names PostgreSQL reports for the same violation ---------------------- */

/* The name the schema's DDL gives a derived constraint: as is up to 63 bytes,
 * else its first 54 bytes, '_' and the FNV-1a hash of the whole name in 8
 * hex digits (the generator's model_sql_name, so PostgreSQL holds the same). */
static void derived_name(char *out, size_t n, const char *full)
{
    size_t len = strlen(full);
    if (len <= 63 && len < n) {
        memcpy(out, full, len + 1);
        return;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)full[i]) * 16777619u;
    snprintf(out, n, "%.54s_%08x", full, (unsigned)h);
}

/* The unique index of table whose columns are cols ("a,b"): a declared
 * index's own name into out; false when it is none (the table's own UNIQUE
 * constraint, whose name is derived) or cannot be told. */
static bool unique_index_name(dal_db *db, const char *table, const char *cols, char *out,
                              size_t n)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(SQDB(db)->sq,
                           "SELECT il.name, il.origin, ii.name FROM pragma_index_list(?1) AS il, "
                           "pragma_index_info(il.name) AS ii WHERE il.\"unique\" "
                           "ORDER BY il.seq, ii.seqno",
                           -1, &q, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    char cur[DAL_ERRNAME_MAX] = "", origin[4] = "", got[4 * DAL_ERRNAME_MAX] = "";
    bool found = false, from_table = false;
    for (int rc = sqlite3_step(q);; rc = sqlite3_step(q)) {
        const char *ix = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (!ix || strcmp(ix, cur) != 0) { /* one index's columns are complete */
            if (cur[0] && !strcmp(got, cols)) {
                if (strcmp(origin, "c") != 0)
                    from_table = true;
                else if (!found) {
                    snprintf(out, n, "%s", cur);
                    found = true;
                }
            }
            if (!ix)
                break;
            snprintf(cur, sizeof cur, "%s", ix);
            const char *o = (const char *)sqlite3_column_text(q, 1);
            snprintf(origin, sizeof origin, "%s", o ? o : "");
            got[0] = '\0';
        }
        const char *col = (const char *)sqlite3_column_text(q, 2);
        size_t gl = strlen(got);
        snprintf(got + gl, sizeof got - gl, "%s%s", gl ? "," : "", col ? col : "");
    }
    sqlite3_finalize(q);
    return found && !from_table;
}

/* Details of a failed call (rc: the extended code, msg: SQLite's message).
 * "UNIQUE constraint failed: t.a, t.b" gives table t and the constraint
 * t_pkey (a primary key), the declared unique index's name or t_a_b_key;
 * "... failed: index 'x'" (an index on expressions) gives x;
 * "NOT NULL constraint failed: t.a" gives table t and column a.  FOREIGN KEY
 * and CHECK messages name neither (SQLite reports no more). */
static void sq_detail(dal_db *db, int rc, const char *msg)
{
    char table[DAL_ERRNAME_MAX] = "", col[DAL_ERRNAME_MAX] = "", cons[DAL_ERRNAME_MAX] = "";
    static const char uq[] = "UNIQUE constraint failed: ", nn[] = "NOT NULL constraint failed: ";
    const char *p = NULL;
    bool unique = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
    if (msg && unique && !strncmp(msg, uq, sizeof uq - 1))
        p = msg + sizeof uq - 1;
    else if (msg && rc == SQLITE_CONSTRAINT_NOTNULL && !strncmp(msg, nn, sizeof nn - 1))
        p = msg + sizeof nn - 1;
    if (p && !strncmp(p, "index '", 7)) {
        snprintf(cons, sizeof cons, "%.*s", (int)strcspn(p + 7, "'"), p + 7);
        p = NULL;
    }
    /* "t.a, t.b": the table, and the columns as "a,b" and "a_b" */
    char cols[4 * DAL_ERRNAME_MAX] = "", under[4 * DAL_ERRNAME_MAX] = "";
    while (p && *p) {
        const char *dot = strchr(p, '.'), *end = strstr(p, ", ");
        if (!end)
            end = p + strlen(p);
        if (!dot || dot > end)
            break;
        snprintf(table, sizeof table, "%.*s", (int)(dot - p), p);
        snprintf(col, sizeof col, "%.*s", (int)(end - dot - 1), dot + 1);
        size_t cl = strlen(cols), ul = strlen(under);
        snprintf(cols + cl, sizeof cols - cl, "%s%s", cl ? "," : "", col);
        snprintf(under + ul, sizeof under - ul, "_%s", col);
        p = *end ? end + 2 : end;
    }
    if (unique && table[0]) {
        char full[6 * DAL_ERRNAME_MAX];
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) /* "t_pkey", cut as PostgreSQL cuts names */
            snprintf(cons, sizeof cons, "%.58s_pkey", table);
        else if (!unique_index_name(db, table, cols, cons, sizeof cons)) {
            snprintf(full, sizeof full, "%s%s_key", table, under);
            derived_name(cons, sizeof cons, full);
        }
    }
    dal__err_detail(db, rc, NULL, cons, table, rc == SQLITE_CONSTRAINT_NOTNULL ? col : NULL);
}

/* Records SQLite's error rc (an extended code) with message msg and its details. */
static dal_status sq_fail(dal_db *db, int rc, const char *msg)
{
    dal_status s = dal__err(db, dal__sq_status(rc), "%s", msg);
    sq_detail(db, rc, msg);
    return s;
}

DAL_COLD static dal_status sq_err(dal_db *db, int rc)
{
    return sq_fail(db, rc, sqlite3_errmsg(SQDB(db)->sq));
}

/* A failed sqlite3_step (rc): its extended code when there is one. */
DAL_COLD static dal_status step_err(dal_db *db, int rc)
{
    int ext = sqlite3_extended_errcode(SQDB(db)->sq);
    return sq_err(db, ext ? ext : rc);
}

static bool opt_value_ok(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && *v != '-' && *v != '_')
            return false;
    return true;
}

/* sqlite3_exec for the pragmas run at open.  Switching the journal mode
 * needs a lock, and SQLite can return SQLITE_BUSY there without calling the
 * busy handler (processes opening a fresh file at once, WAL recovery); a
 * regression seen with two concurrent `dalc migrate up`.  Retries with
 * backoff within the busy timeout. */
static int exec_retry(sqlite3 *sq, const char *sql, int timeout_ms)
{
    uint64_t deadline = dal__now_us() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
    uint64_t pause = 1000;
    int rc;
    while (((rc = sqlite3_exec(sq, sql, NULL, NULL, NULL)) & 0xff) == SQLITE_BUSY &&
           dal__now_us() < deadline) {
        dal__sleep_us(pause);
        pause = pause < 50000 ? pause * 2 : pause;
    }
    return rc;
}

static dal_status dal__sq_open(dal_db *db, const char *spec)
{
    char *path = strdup(spec);
    if (!path)
        return dal__err(db, DAL_NOMEM, "out of memory");
    char *q = strchr(path, '?');
    if (q)
        *q++ = '\0';
    struct {
        const char *key;
        char val[32];
    } opts[] = {
        {"busy_timeout", "5000"}, {"journal_mode", "wal"}, {"synchronous", "normal"},
        {"foreign_keys", "on"},   {"temp_store", "memory"}, {"cache_size", "-64000"},
        {"mode", "rwc"},
    };
    enum { NOPT = sizeof opts / sizeof opts[0] };
    while (q && *q) {
        char *amp = strchr(q, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(q, '=');
        if (!eq) {
            dal_status s = dal__err(db, DAL_MISUSE, "sqlite url: option '%s' has no value", q);
            free(path);
            return s;
        }
        *eq = '\0';
        int k = -1;
        for (int i = 0; i < NOPT; i++)
            if (strcmp(opts[i].key, q) == 0)
                k = i;
        if (k < 0 || !opt_value_ok(eq + 1) || strlen(eq + 1) >= sizeof opts[0].val) {
            dal_status s = dal__err(db, DAL_MISUSE, "sqlite url: bad option %s=%s", q, eq + 1);
            free(path);
            return s;
        }
        snprintf(opts[k].val, sizeof opts[k].val, "%s", eq + 1);
        q = amp ? amp + 1 : NULL;
    }
    int flags = SQLITE_OPEN_NOMUTEX;
    const char *mode = opts[6].val;
    if (strcmp(mode, "ro") == 0)
        flags |= SQLITE_OPEN_READONLY;
    else if (strcmp(mode, "rw") == 0)
        flags |= SQLITE_OPEN_READWRITE;
    else if (strcmp(mode, "rwc") == 0)
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    else {
        free(path);
        return dal__err(db, DAL_MISUSE, "sqlite url: mode must be ro, rw or rwc");
    }
    if (!*path) {
        free(path);
        return dal__err(db, DAL_MISUSE, "sqlite url: empty path");
    }
    int rc = sqlite3_open_v2(path, &SQDB(db)->sq, flags, NULL);
    if (rc != SQLITE_OK) {
        dal_status s;
        if (!SQDB(db)->sq)
            s = dal__err(db, DAL_NOMEM, "out of memory");
        else {
            int ext = sqlite3_extended_errcode(SQDB(db)->sq);
            s = dal__err(db, dal__sq_status(ext), "cannot open sqlite database %s: %s", path,
                         sqlite3_errmsg(SQDB(db)->sq));
            dal__err_detail(db, ext, NULL, NULL, NULL, NULL);
        }
        free(path);
        return s;
    }
    free(path);
    sqlite3_extended_result_codes(SQDB(db)->sq, 1);
    if (dal__sq_decimal_register(SQDB(db)->sq) != SQLITE_OK)
        return sq_err(db, sqlite3_extended_errcode(SQDB(db)->sq));
    sqlite3_busy_timeout(SQDB(db)->sq, atoi(opts[0].val));
    char sql[512];
    /* A file the process may not write is opened read-only by SQLite even
     * in mode rw/rwc: then the journal mode cannot (and need not) be set,
     * reads work and writes fail with "readonly". */
    bool ro = strcmp(mode, "ro") == 0 || sqlite3_db_readonly(SQDB(db)->sq, "main") == 1;
    if (!ro) {
        snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", opts[1].val);
        if ((rc = exec_retry(SQDB(db)->sq, sql, atoi(opts[0].val))) != SQLITE_OK &&
            (sqlite3_extended_errcode(SQDB(db)->sq) & 0xff) != SQLITE_READONLY)
            return sq_err(db, sqlite3_extended_errcode(SQDB(db)->sq));
    }
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous=%s; PRAGMA foreign_keys=%s; PRAGMA temp_store=%s; "
             "PRAGMA cache_size=%s",
             opts[2].val, opts[3].val, opts[4].val, opts[5].val);
    if ((rc = exec_retry(SQDB(db)->sq, sql, atoi(opts[0].val))) != SQLITE_OK)
        return sq_err(db, sqlite3_extended_errcode(SQDB(db)->sq));
    return DAL_OK;
}

dal_status dal_sqlite_global_init(const dal_sqlite_global *opts)
{
    dal_sqlite_global o = opts ? *opts : (dal_sqlite_global){0};
    if (o.lookaside_slot_size < 0 || o.lookaside_slots < 0)
        return DAL_MISUSE;
    int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, o.memstatus ? 1 : 0);
    if (rc == SQLITE_OK && (o.lookaside_slot_size > 0 || o.lookaside_slots > 0))
        rc = sqlite3_config(SQLITE_CONFIG_LOOKASIDE, o.lookaside_slot_size, o.lookaside_slots);
    if (rc == SQLITE_OK)
        rc = sqlite3_initialize();
    return rc == SQLITE_OK ? DAL_OK : rc == SQLITE_NOMEM ? DAL_NOMEM : DAL_MISUSE;
}

static void dal__sq_close(dal_db *db)
{
    if (SQDB(db)->sq)
        sqlite3_close_v2(SQDB(db)->sq);
    SQDB(db)->sq = NULL;
}

static dal_status dal__sq_exec(dal_db *db, const char *sql)
{
    uint64_t t0 = dal__now_us();
    char *msg = NULL;
    int rc = sqlite3_exec(SQDB(db)->sq, sql, NULL, NULL, &msg);
    dal_status s = DAL_OK;
    if (rc != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(SQDB(db)->sq);
        s = sq_fail(db, ext ? ext : rc, msg ? msg : sqlite3_errstr(rc));
    }
    sqlite3_free(msg);
    dal__stats_record(db, sql, dal__now_us() - t0, s != DAL_OK);
    return s;
}

/* $n -> ?n outside string literals, quoted identifiers and comments. */
static char *rewrite_params(const char *sql)
{
    size_t n = strlen(sql);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = sql[i];
        if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            out[o++] = sql[i++];
            while (i < n) {
                out[o++] = sql[i];
                if (sql[i] == close) {
                    if (close != ']' && i + 1 < n && sql[i + 1] == close) {
                        out[o++] = sql[++i];
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
        }
        else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                out[o++] = sql[i++];
        }
        else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            out[o++] = sql[i++];
            out[o++] = sql[i++];
            while (i < n) {
                if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
                    out[o++] = sql[i++];
                    out[o++] = sql[i++];
                    break;
                }
                out[o++] = sql[i++];
            }
        }
        else if (c == '$' && i + 1 < n && isdigit((unsigned char)sql[i + 1])) {
            out[o++] = '?';
            i++;
        }
        else
            out[o++] = sql[i++];
    }
    out[o] = '\0';
    return out;
}

static dal_status dal__sq_prepare(dal_db *db, dal_stmt *st)
{
    char *sql = rewrite_params(st->q->sql);
    if (!sql)
        return dal__err(db, DAL_NOMEM, "out of memory");
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(SQDB(db)->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &SQ(st)->ss, &tail);
    if (rc != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(SQDB(db)->sq);
        dal_status s = dal__err(db, dal__sq_status(ext), "%s (in: %.200s)",
                                sqlite3_errmsg(SQDB(db)->sq), st->q->sql);
        dal__err_detail(db, ext, NULL, NULL, NULL, NULL);
        free(sql);
        return s;
    }
    while (tail && *tail && (isspace((unsigned char)*tail) || *tail == ';'))
        tail++;
    bool extra = tail && *tail;
    free(sql);
    if (!SQ(st)->ss)
        return dal__err(db, DAL_MISUSE, "empty statement");
    if (extra)
        return dal__err(db, DAL_MISUSE, "dal_query holds more than one statement");
    if (sqlite3_bind_parameter_count(SQ(st)->ss) > st->nparams)
        return dal__err(db, DAL_MISUSE, "statement has %d parameters, dal_query says %d",
                        sqlite3_bind_parameter_count(SQ(st)->ss), st->nparams);
    SQ(st)->ncols = sqlite3_column_count(SQ(st)->ss);
    SQ(st)->wide = st->nparams > 64;
    SQ(st)->sq = SQDB(db)->sq;
    if (st->nparams > 0) {
        SQ(st)->scratch = malloc((size_t)st->nparams * 40);
        if (!SQ(st)->scratch)
            return dal__err(db, DAL_NOMEM, "out of memory");
    }
    st->prepared = true;
    return DAL_OK;
}

/* dal_stmt_done clears the bindings lazily: it does not call
 * sqlite3_clear_bindings (about 2% of a single-row insert), the bindings
 * merely count as cleared from then on, and every bind records its
 * parameter in `bound`.  The next execution's first step binds NULL to each
 * parameter not bound again (sq_settle), which is what clearing would have
 * left there, so no step ever reads memory the caller may have freed since.
 * Generated code binds every parameter, so there that test is one
 * comparison.  (SQLite reads a binding only in sqlite3_step.) */
static inline void sq_bound(dal_stmt *st, int i)
{
    SQ(st)->bound |= (uint64_t)1 << ((unsigned)(i - 1) & 63u);
}

DAL_NOINLINE static void sq_settle_slow(dal_stmt *st)
{
    for (int i = 1; i <= st->nparams; i++)
        if (!(SQ(st)->bound >> (i - 1) & 1u))
            (void)sqlite3_bind_null(SQ(st)->ss, i);
    SQ(st)->unbound_null = false;
}

static inline void sq_settle(dal_stmt *st)
{
    if (SQ(st)->unbound_null) {
        uint64_t all = st->nparams == 64 ? ~(uint64_t)0 : ((uint64_t)1 << st->nparams) - 1u;
        if (SQ(st)->bound == all)
            SQ(st)->unbound_null = false;
        else
            sq_settle_slow(st);
    }
}

static void dal__sq_bind(dal_stmt *st, int i, const dal_param *p)
{
    sqlite3_stmt *s = SQ(st)->ss;
    int rc = SQLITE_OK;
    char *scr = SQ(st)->scratch + (size_t)(i - 1) * 40;
    sq_bound(st, i);
    switch (p->kind) {
    case DAL_P_NULL:
        rc = sqlite3_bind_null(s, i);
        break;
    case DAL_P_BOOL:
    case DAL_P_INT:
    case DAL_P_INT16:
    case DAL_P_INT32:
    case DAL_P_TIME:
        rc = sqlite3_bind_int64(s, i, p->v.i);
        break;
    case DAL_P_FLOAT32:
    case DAL_P_FLOAT64:
        rc = sqlite3_bind_double(s, i, p->v.f);
        break;
    case DAL_P_TEXT:
    case DAL_P_DECIMAL:
    case DAL_P_JSON:
        if (p->v.s.len > INT_MAX)
            rc = SQLITE_TOOBIG;
        else
            rc = sqlite3_bind_text(s, i, p->v.s.p, (int)p->v.s.len, SQLITE_STATIC);
        break;
    case DAL_P_UUID: {
        unsigned char raw[16];
        if (!dal__parse_uuid(p->v.s.p, p->v.s.len, raw)) {
            rc = SQLITE_MISMATCH;
            break;
        }
        dal__format_uuid(raw, scr);
        rc = sqlite3_bind_text(s, i, scr, 36, SQLITE_STATIC);
        break;
    }
    case DAL_P_BYTES:
        if (p->v.s.len == 0)
            rc = sqlite3_bind_zeroblob(s, i, 0);
        else if (p->v.s.len > INT_MAX)
            rc = SQLITE_TOOBIG;
        else
            rc = sqlite3_bind_blob(s, i, p->v.s.p, (int)p->v.s.len, SQLITE_STATIC);
        break;
    case DAL_P_DATE:
        dal__format_date((dal_date)p->v.i, scr);
        rc = sqlite3_bind_text(s, i, scr, -1, SQLITE_STATIC);
        break;
    }
    if (rc != SQLITE_OK)
        dal__sq_bind_failed(st, i, rc);
}

static void dal__sq_bind_failed(dal_stmt *st, int i, int rc)
{
    dal__bind_fail(st, rc == SQLITE_TOOBIG ? DAL_ERROR : rc == SQLITE_NOMEM ? DAL_NOMEM : DAL_MISUSE,
                   "bind parameter %d: %s", i, sqlite3_errstr(rc));
}

static dal_status dal__sq_step(dal_stmt *st, bool *has_row)
{
    if (!st->running)
        sq_settle(st);
    int rc = sqlite3_step(SQ(st)->ss);
    SQ(st)->need_reset = true;
    if (rc == SQLITE_ROW) {
        st->running = true;
        *has_row = true;
        return DAL_OK;
    }
    return dal__sq_stepped(st, rc);
}

static dal_status dal__sq_stepped(dal_stmt *st, int rc)
{
    st->running = false;
    if (rc == SQLITE_DONE) {
        if (!sqlite3_stmt_readonly(SQ(st)->ss))
            st->changes = (int64_t)sqlite3_changes64(SQDB(st->db)->sq);
        return DAL_OK; /* finished; dal_stmt_done resets it */
    }
    dal_status s = step_err(st->db, rc);
    sqlite3_reset(SQ(st)->ss);
    SQ(st)->need_reset = false;
    return s;
}

DAL_HOT static void dal__sq_done(dal_stmt *st)
{
    if (SQ(st)->need_reset)
        sqlite3_reset(SQ(st)->ss);
    SQ(st)->need_reset = false;
    /* The bindings are cleared: lazily (see sq_bound), a statement of more
     * than 64 parameters at once. */
    if (!SQ(st)->wide) {
        SQ(st)->unbound_null = true;
        SQ(st)->bound = 0;
    }
    else
        sqlite3_clear_bindings(SQ(st)->ss);
}

static bool dal__sq_is_null(dal_stmt *st, int col)
{
    return sqlite3_column_type(SQ(st)->ss, col) == SQLITE_NULL;
}


static dal_status dal__sq_col_int(dal_stmt *st, int col, int64_t *out)
{
    int t = sqlite3_column_type(SQ(st)->ss, col);
    if (t == SQLITE_NULL)
        return dal__col_null_err(st, col);
    if (t == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(SQ(st)->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_FLOAT) {
        double d = sqlite3_column_double(SQ(st)->ss, col);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return DAL_OK;
        }
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(SQ(st)->ss, col);
        if (p && (strcmp(p, "true") == 0 || strcmp(p, "t") == 0)) {
            *out = 1;
            return DAL_OK;
        }
        if (p && (strcmp(p, "false") == 0 || strcmp(p, "f") == 0)) {
            *out = 0;
            return DAL_OK;
        }
        char *end;
        long long v = p ? strtoll(p, &end, 10) : 0;
        if (p && *p && !*end) {
            *out = v;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not an integer", col);
}

static dal_status dal__sq_col_float(dal_stmt *st, int col, double *out)
{
    int t = sqlite3_column_type(SQ(st)->ss, col);
    if (t == SQLITE_NULL)
        return dal__col_null_err(st, col);
    if (t == SQLITE_FLOAT || t == SQLITE_INTEGER) {
        *out = sqlite3_column_double(SQ(st)->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(SQ(st)->ss, col);
        char *end;
        double d = p ? strtod(p, &end) : 0;
        if (p && *p && !*end) {
            *out = d;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a number", col);
}

static dal_status dal__sq_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    const char *p = (const char *)sqlite3_column_text(SQ(st)->ss, col);
    if (!p) {
        *out = NULL;
        *len = 0;
        if (sqlite3_column_type(SQ(st)->ss, col) == SQLITE_NULL)
            return dal__col_null_err(st, col);
        return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
    }
    *out = p;
    *len = (size_t)sqlite3_column_bytes(SQ(st)->ss, col);
    return DAL_OK;
}

static dal_status dal__sq_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    const unsigned char *p = sqlite3_column_blob(SQ(st)->ss, col);
    int n = sqlite3_column_bytes(SQ(st)->ss, col);
    if (!p) {
        *out = NULL;
        *len = 0;
        if (sqlite3_column_type(SQ(st)->ss, col) == SQLITE_NULL)
            return dal__col_null_err(st, col);
        if (n != 0)
            return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
        p = (const unsigned char *)""; /* an empty blob is not NULL */
    }
    *out = p;
    *len = (size_t)n;
    return DAL_OK;
}

static dal_status dal__sq_col_time(dal_stmt *st, int col, dal_time *out)
{
    int t = sqlite3_column_type(SQ(st)->ss, col);
    if (t == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(SQ(st)->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(SQ(st)->ss, col);
        if (p && dal__parse_time(p, (size_t)sqlite3_column_bytes(SQ(st)->ss, col), out))
            return DAL_OK;
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a timestamp", col);
}

static dal_status dal__sq_col_date(dal_stmt *st, int col, dal_date *out)
{
    int t = sqlite3_column_type(SQ(st)->ss, col);
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(SQ(st)->ss, col);
        int n = sqlite3_column_bytes(SQ(st)->ss, col);
        if (p && n == 10 && dal__parse_date(p, 10, out))
            return DAL_OK;
    }
    if (t == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(SQ(st)->ss, col);
        if (v >= INT32_MIN && v <= INT32_MAX) {
            *out = (dal_date)v;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a date", col);
}

/* ---------------------------------------------------------------------- */
/* row reading (pass 1 of dal_read_row)                                    */
/* ---------------------------------------------------------------------- */

/* One sqlite3_column_value per column, then the cheap sqlite3_value_*
 * accessors (no mutex, no malloc-failure check per call): the connection is
 * used by one thread, so the unprotected value is safe to read.  Storage
 * classes other than the expected one go to the generic typed readers. */
static dal_status dal__sq_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total)
{
    sqlite3_stmt *ss = SQ(st)->ss;
    int n = t->ncolumns;
    if (first + n > SQ(st)->ncols) {
        return dal__read_cols_generic(st, first, t, row, sp, nvar, total);
    }
    const dal_column *columns = t->columns;
    int nv = *nvar; /* in locals: stores into the row may alias anything */
    size_t tot = *total;
    for (int k = 0; k < n; k++) {
        const dal_column *c = &columns[k];
        int col = first + k;
        char *f = (char *)row + c->offset;
        sqlite3_value *v = sqlite3_column_value(ss, col);
        int ct = sqlite3_value_type(v);
        if (ct == SQLITE_NULL)
            continue; /* zero value, has_ false */
        dal__mark_has(c, row);
        switch (c->type) {
        case DAL_T_INT64:
        case DAL_T_TIME:
            if (ct == SQLITE_INTEGER) {
                int64_t x = sqlite3_value_int64(v);
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_INT32:
            if (ct == SQLITE_INTEGER) {
                int64_t x = sqlite3_value_int64(v);
                if (x >= INT32_MIN && x <= INT32_MAX) {
                    int32_t y = (int32_t)x;
                    memcpy(f, &y, sizeof y);
                    continue;
                }
            }
            break;
        case DAL_T_INT16:
            if (ct == SQLITE_INTEGER) {
                int64_t x = sqlite3_value_int64(v);
                if (x >= INT16_MIN && x <= INT16_MAX) {
                    int16_t y = (int16_t)x;
                    memcpy(f, &y, sizeof y);
                    continue;
                }
            }
            break;
        case DAL_T_BOOL:
            if (ct == SQLITE_INTEGER) {
                bool b = sqlite3_value_int64(v) != 0;
                memcpy(f, &b, sizeof b);
                continue;
            }
            break;
        case DAL_T_FLOAT64:
            if (ct == SQLITE_FLOAT || ct == SQLITE_INTEGER) {
                double d = sqlite3_value_double(v);
                memcpy(f, &d, sizeof d);
                continue;
            }
            break;
        case DAL_T_FLOAT32:
            if (ct == SQLITE_FLOAT || ct == SQLITE_INTEGER) {
                float x = (float)sqlite3_value_double(v);
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_TEXT:
        case DAL_T_DECIMAL:
        case DAL_T_JSON:
        case DAL_T_ENUM: {
            const char *p = (const char *)sqlite3_value_text(v);
            if (!p)
                return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
            size_t len = (size_t)sqlite3_value_bytes(v);
            if (c->type == DAL_T_ENUM) {
                dal_status s = dal__read_enum(st->db, c, p, len, f);
                if (s != DAL_OK)
                    return s;
                continue;
            }
            dal__span_add(sp, &nv, &tot, c, p, len);
            continue;
        }
        case DAL_T_BYTES: {
            const char *p = sqlite3_value_blob(v);
            size_t len = (size_t)sqlite3_value_bytes(v);
            if (!p) {
                if (len != 0)
                    return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
                p = ""; /* an empty blob is not NULL */
            }
            dal__span_add(sp, &nv, &tot, c, p, len);
            continue;
        }
        case DAL_T_UUID:
        case DAL_T_DATE:
            break;
        }
        dal_status s = dal__read_col_spill(st, col, c, row, sp, &nv, &tot);
        if (s != DAL_OK)
            return s;
    }
    *nvar = nv;
    *total = tot;
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* bulk insert                                                             */
/* ---------------------------------------------------------------------- */

/* Steps a bound INSERT once and resets it (bindings stay, overwritten by
 * the next rows). */
static dal_status step_insert(dal_db *db, dal_stmt *st)
{
    if (st->pending != DAL_OK) {
        dal_status s = dal__err(db, st->pending, "%s", dal__pending_msg(st));
        st->pending = DAL_OK;
        return s;
    }
    sq_settle(st);
    int rc = sqlite3_step(SQ(st)->ss);
    if (rc != SQLITE_DONE) {
        dal_status s = step_err(db, rc);
        sqlite3_reset(SQ(st)->ss);
        return s;
    }
    sqlite3_reset(SQ(st)->ss);
    return DAL_OK;
}

#define SQ_BULK_ROWS 32 /* rows per multi-row INSERT */

/* Runs of rows with the same column set go in multi-row INSERT ... VALUES
 * statements of SQ_BULK_ROWS rows (fewer statement executions than a
 * prepared loop, same work per row otherwise), the remainder through the
 * single-row INSERT; the batch counts as one statement in the stats. */
static dal_status dal__sq_insert_rows(dal_db *db, const dal_table *t, const void *rowsv, size_t n)
{
    const char *rows = rowsv;
    uint64_t t0 = dal__now_us();
    dal_status s = DAL_OK;
    const char *sql = "";
    size_t k = 0;
    while (k < n && s == DAL_OK) {
        size_t j;
        dal_ins_cache *ic = dal__ins_run(db, t, rows, k, n, &j);
        if (!ic) {
            s = DAL_NOMEM;
            break;
        }
        /* within the connection's variable limit (32766 unless built otherwise) */
        int per = ic->ncols > 0 ? sqlite3_limit(SQDB(db)->sq, SQLITE_LIMIT_VARIABLE_NUMBER, -1) /
                                      ic->ncols
                                : 0;
        if (per > SQ_BULK_ROWS)
            per = SQ_BULK_ROWS;
        dal_stmt *st = NULL;
        if (per > 1 && j - k >= (size_t)per) {
            if (dal__ins_values_query(ic, per) != DAL_OK) {
                s = dal__err(db, DAL_NOMEM, "out of memory");
                break;
            }
            s = dal_stmt_start(db, &ic->vq, &st);
            sql = ic->vq.sql;
            for (; s == DAL_OK && j - k >= (size_t)ic->vrows; k += (size_t)ic->vrows) {
                for (int r = 0; r < ic->vrows; r++)
                    dal__bind_row_cols(st, 1 + r * ic->ncols, t, rows + (k + (size_t)r) * t->size,
                                       ic->cols, ic->ncols);
                s = step_insert(db, st);
            }
            if (st) {
                SQ(st)->need_reset = false;
                dal__sq_done(st);
            }
        }
        if (s != DAL_OK || k == j)
            continue;
        s = dal_stmt_start(db, &ic->q, &st);
        if (sql[0] == '\0')
            sql = ic->q.sql;
        for (; s == DAL_OK && k < j; k++) {
            dal__bind_row_cols(st, 1, t, rows + k * t->size, ic->cols, ic->ncols);
            s = step_insert(db, st);
        }
        if (st) {
            SQ(st)->need_reset = false;
            dal__sq_done(st);
        }
    }
    dal__stats_record(db, sql, dal__now_us() - t0, s != DAL_OK);
    return s;
}

/* The end of a once execution (dal__sq_once below): rc is the step's result,
 * us and weight the timing for the stats (0 when untimed). */
static inline dal_status once_end(dal_stmt *st, dal_read_fn read, void *row, int rc,
                                  uint64_t us, unsigned weight)
{
    dal_db *db = st->db;
    dal_status s = DAL_OK;
    bool failed = false;
    if (rc == SQLITE_DONE && !read)
        st->changes = (int64_t)sqlite3_changes64(SQ(st)->sq);
    else if (rc == SQLITE_ROW && read)
        s = read(st, row);
    else if (rc == SQLITE_ROW)
        st->changes = (int64_t)sqlite3_changes64(SQ(st)->sq);
    else if (rc == SQLITE_DONE)
        s = dal__err(db, DAL_NOT_FOUND, "dal_fetch_one: no row");
    else {
        s = step_err(db, rc);
        failed = true;
    }
    SQ(st)->need_reset = true;
    dal__sq_done(st);
    st->running = false;
    dal__stats_count(db, st->q->sql, us, weight, failed);
    if (s == DAL_OK)
        dal__ok(db);
    return s;
}

DAL_COLD DAL_NOINLINE static dal_status once_pending(dal_stmt *st)
{
    dal_status s = dal__err(st->db, st->pending, "%s", dal__pending_msg(st));
    st->pending = DAL_OK;
    dal__sq_done(st);
    return s;
}

DAL_NOINLINE static dal_status once_timed(dal_stmt *st, dal_read_fn read, void *row,
                                          unsigned weight)
{
    uint64_t t0 = dal__now_us();
    int rc = sqlite3_step(SQ(st)->ss);
    return once_end(st, read, row, rc, dal__now_us() - t0, weight);
}

/* A bound statement run start to finish in one step: what dal_stmt_step +
 * dal_stmt_done do for it, without their generic bookkeeping (the hot path
 * of single-row inserts, updates, deletes and gets).  With read NULL it is a
 * write: a row (RETURNING) or none both succeed.  With read, its first row
 * is read into row and no row is DAL_NOT_FOUND.
 *
 * The untimed, successful execution is the one every row pays for, so it
 * alone is inline in dal__sq_once: a pending bind error, a timed execution
 * (one in DAL_TIME_SAMPLE, or every one with a slow-query hook) and a failed
 * step go out of line.  SQLite's insert path already overflows the
 * instruction cache, so each cache line of ours that an insert runs through
 * costs about one miss, its own or SQLite's (callgrind's cache model). */
DAL_HOT static dal_status dal__sq_once(dal_stmt *st, dal_read_fn read, void *row)
{
    if (DAL_UNLIKELY(st->pending != DAL_OK))
        return once_pending(st);
    sq_settle(st);
    unsigned weight = dal__time_weight(st);
    if (DAL_UNLIKELY(weight))
        return once_timed(st, read, row, weight);
    return once_end(st, read, row, sqlite3_step(SQ(st)->ss), 0, 0);
}

/* ---------------------------------------------------------------------- */
/* binds                                                                   */
/* ---------------------------------------------------------------------- */

/* SQLite: straight to sqlite3_bind_* (SQLITE_STATIC: no copy). */
static void bind_cols_sq(dal_stmt *st, int first, const dal_table *t, const void *row,
                         const int *cols, int n)
{
    sqlite3_stmt *ss = SQ(st)->ss;
    const dal_column *columns = t->columns;
    for (int k = 0; k < n; k++) {
        const dal_column *c = &columns[cols ? cols[k] : k];
        const char *f = FIELD(row, c->offset);
        int i = first + k, rc;
        sq_bound(st, i);
        if (!has_value(c, row)) {
            rc = sqlite3_bind_null(ss, i);
            goto check;
        }
        switch (c->type) {
        case DAL_T_BOOL: {
            bool v;
            memcpy(&v, f, sizeof v);
            rc = sqlite3_bind_int(ss, i, v ? 1 : 0);
            goto check;
        }
        case DAL_T_INT16: {
            int16_t v;
            memcpy(&v, f, sizeof v);
            rc = sqlite3_bind_int(ss, i, v);
            goto check;
        }
        case DAL_T_INT32: {
            int32_t v;
            memcpy(&v, f, sizeof v);
            rc = sqlite3_bind_int(ss, i, v);
            goto check;
        }
        case DAL_T_INT64:
        case DAL_T_TIME: {
            int64_t v;
            memcpy(&v, f, sizeof v);
            if (c->type == DAL_T_TIME && !DAL__TIME_OK(v)) {
                dal__range_err(st, i, "timestamp", v);
                continue;
            }
            rc = sqlite3_bind_int64(ss, i, v);
            goto check;
        }
        case DAL_T_FLOAT32: {
            float v;
            memcpy(&v, f, sizeof v);
            if (v != v) {
                dal__value_err(st, i, c->name, NAN_MSG);
                continue;
            }
            rc = sqlite3_bind_double(ss, i, (double)v);
            goto check;
        }
        case DAL_T_FLOAT64: {
            double v;
            memcpy(&v, f, sizeof v);
            if (v != v) {
                dal__value_err(st, i, c->name, NAN_MSG);
                continue;
            }
            rc = sqlite3_bind_double(ss, i, v);
            goto check;
        }
        case DAL_T_DECIMAL: {
            const char *v = dal__str_field(f);
            dal__bind_decimal(st, i, c->name, v, DAL_COL_PRECISION(c->flags),
                              DAL_COL_SCALE(c->flags));
            continue;
        }
        case DAL_T_TEXT:
        case DAL_T_JSON: {
            const char *v = dal__str_field(f);
            if (!v) {
                rc = sqlite3_bind_null(ss, i);
                goto check;
            }
            size_t len = strlen(v);
            if (!dal__utf8_ok(v, len)) {
                dal__value_err(st, i, c->name, UTF8_MSG);
                continue;
            }
            rc = sqlite3_bind_text(ss, i, v, DAL__SQ_LEN(len), SQLITE_STATIC);
            goto check;
        }
        case DAL_T_ENUM: {
            const char *name = dal__enum_name(st, c, f);
            if (!name)
                continue;
            rc = sqlite3_bind_text(ss, i, name, -1, SQLITE_STATIC);
            goto check;
        }
        case DAL_T_BYTES:
        case DAL_T_UUID:
        case DAL_T_DATE:
            break;
        }
        {
            int one = cols ? cols[k] : k;
            dal__bind_cols_generic(st, i, t, row, &one, 1);
        }
        continue;
    check:
        if (rc != SQLITE_OK)
            dal__sq_bind_failed(st, i, rc);
    }
}


/* The binds' fast path (what dal__sq_bind does, without building a
 * dal_param): a statement reset since its last step, and an index in range.
 * There the number binds cannot fail (sqlite3_bind_* fail only with
 * SQLITE_MISUSE on a statement not reset, SQLITE_RANGE, and for text and
 * blobs SQLITE_TOOBIG or SQLITE_NOMEM), so their result is not tested and
 * they compile to tail calls; text is still checked.  Anything else goes
 * through dal__bind_p, which reports errors at the step. */
static inline bool sq_fast(dal_stmt *st, int i)
{
    return !SQ(st)->need_reset && (unsigned)i - 1u < (unsigned)st->nparams;
}

DAL_HOT static void sq_bind_null(dal_stmt *st, int i)
{
    if (sq_fast(st, i)) {
        sq_bound(st, i);
        (void)sqlite3_bind_null(SQ(st)->ss, i);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_NULL});
}

DAL_HOT static void sq_bind_int(dal_stmt *st, int i, int64_t v, dal_pkind kind)
{
    if (sq_fast(st, i)) {
        sq_bound(st, i);
        (void)sqlite3_bind_int64(SQ(st)->ss, i, v);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = kind, .v.i = v});
}

DAL_HOT static void sq_bind_float(dal_stmt *st, int i, double v, dal_pkind kind)
{
    if (sq_fast(st, i)) {
        sq_bound(st, i);
        (void)sqlite3_bind_double(SQ(st)->ss, i, v);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = kind, .v.f = v});
}

/* (Out of line, so that the fast path below builds no dal_param frame.) */
DAL_COLD DAL_NOINLINE static void sq_bind_text_p(dal_stmt *st, int i, const char *v, size_t len)
{
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_TEXT, .v.s = {v, len}});
}

DAL_HOT static void sq_bind_text(dal_stmt *st, int i, const char *v, size_t len)
{
    if (!sq_fast(st, i)) {
        sq_bind_text_p(st, i, v, len);
        return;
    }
    sq_bound(st, i);
    int rc = sqlite3_bind_text(SQ(st)->ss, i, v, DAL__SQ_LEN(len), SQLITE_STATIC);
    if (rc != SQLITE_OK)
        dal__sq_bind_failed(st, i, rc);
}

static int sq_ncols(dal_stmt *st) { return SQ(st)->ncols; }

/* ---------------------------------------------------------------------- */
/* steps                                                                   */
/* ---------------------------------------------------------------------- */

DAL_NOINLINE static dal_status step_end(dal_stmt *st, int rc)
{
    return dal__step_finish(st, dal__sq_stepped(st, rc));
}

DAL_NOINLINE static dal_status step_timed(dal_stmt *st, bool *has_row);

/* dal_stmt_step: the next row of a running, untimed execution is one
 * sqlite3_step (no stack frame needed); a timed one samples its rows. */
DAL_HOT static dal_status sq_step_op(dal_stmt *st, bool *has_row)
{
    if (st->running && st->pending == DAL_OK) {
        if (st->tweight)
            return step_timed(st, has_row);
        int rc = sqlite3_step(SQ(st)->ss);
        *has_row = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW)
            return step_end(st, rc);
        dal__ok(st->db);
        return DAL_OK;
    }
    return dal__step_slow(st, has_row);
}

/* dal_fetch_all's rows: one sqlite3_step per row, with none of
 * dal_stmt_step's per-row bookkeeping. */
static inline dal_status sq_values(dal_stmt *st, dal_value *out, int n);
static dal_status sq_values_fit(dal_stmt *st, int n);

DAL_HOT static dal_status sq_read_rest(dal_stmt *st, const dal_reader *r, size_t size,
                                       char **arr, size_t *n, size_t *cap)
{
    sqlite3_stmt *ss = SQ(st)->ss;
    if (r->values && sq_values_fit(st, r->nv) != DAL_OK)
        return DAL_MISUSE;
    for (;;) {
        dal_status s = dal__rows_room(st, size, arr, *n, cap);
        if (s != DAL_OK)
            return s;
        /* the values read here: no call per row to get them */
        if (r->values && (s = sq_values(st, r->v, r->nv)) != DAL_OK)
            return s;
        if ((s = dal__reader_run(st, r, *arr + *n * size)) != DAL_OK)
            return s;
        ++*n;
        int rc = sqlite3_step(ss);
        if (rc != SQLITE_ROW)
            return step_end(st, rc);
    }
}

static dal_status step_timed(dal_stmt *st, bool *has_row)
{
    bool timed = ++st->nsteps % DAL_STEP_SAMPLE == 0;
    uint64_t t0 = timed ? dal__now_us() : 0;
    int rc = sqlite3_step(SQ(st)->ss);
    if (timed)
        st->elapsed_us += (dal__now_us() - t0) * DAL_STEP_SAMPLE;
    *has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW)
        return step_end(st, rc);
    dal__ok(st->db);
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* readers                                                                 */
/* ---------------------------------------------------------------------- */

static dal_status sq_col_uuid(dal_stmt *st, int col, char out[37])
{
    const char *p;
    size_t n;
    bool blob = sqlite3_column_type(SQ(st)->ss, col) == SQLITE_BLOB;
    dal_status s = blob ? dal__sq_col_bytes(st, col, (const unsigned char **)&p, &n)
                        : dal__sq_col_text(st, col, &p, &n);
    if (s != DAL_OK)
        return s;
    unsigned char raw[16];
    if (blob && n == 16)
        memcpy(raw, p, 16);
    else if (!dal__parse_uuid(p, n, raw))
        return dal__err(st->db, DAL_ERROR, "column %d is not a uuid", col);
    dal__format_uuid(raw, out);
    return DAL_OK;
}

/* The dal_col_opt_* fast path: NULL, or the expected storage class. */
static int sq_col_opt(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len)
{
    if (col < 0 || col >= SQ(st)->ncols)
        return 0;
    sqlite3_value *v = sqlite3_column_value(SQ(st)->ss, col);
    int ct = sqlite3_value_type(v);
    if (ct == SQLITE_NULL) {
        switch (type) {
        case DAL_T_BOOL: *(bool *)out = false; break;
        case DAL_T_INT16: *(int16_t *)out = 0; break;
        case DAL_T_INT32: *(int32_t *)out = 0; break;
        case DAL_T_INT64: case DAL_T_TIME: *(int64_t *)out = 0; break;
        case DAL_T_FLOAT32: *(float *)out = 0; break;
        case DAL_T_FLOAT64: *(double *)out = 0; break;
        case DAL_T_TEXT: case DAL_T_BYTES: break; /* the caller zeroed p/len */
        default: return 0; /* date, uuid...: the generic path */
        }
        return 1;
    }
    int64_t x;
    switch (type) {
    case DAL_T_BOOL:
        if (ct != SQLITE_INTEGER)
            return 0;
        *(bool *)out = sqlite3_value_int64(v) != 0;
        return 2;
    case DAL_T_INT16:
        if (ct != SQLITE_INTEGER || (x = sqlite3_value_int64(v)) < INT16_MIN || x > INT16_MAX)
            return 0;
        *(int16_t *)out = (int16_t)x;
        return 2;
    case DAL_T_INT32:
        if (ct != SQLITE_INTEGER || (x = sqlite3_value_int64(v)) < INT32_MIN || x > INT32_MAX)
            return 0;
        *(int32_t *)out = (int32_t)x;
        return 2;
    case DAL_T_INT64:
    case DAL_T_TIME:
        if (ct != SQLITE_INTEGER)
            return 0;
        *(int64_t *)out = sqlite3_value_int64(v);
        return 2;
    case DAL_T_FLOAT32:
        if (ct != SQLITE_FLOAT && ct != SQLITE_INTEGER)
            return 0;
        *(float *)out = (float)sqlite3_value_double(v);
        return 2;
    case DAL_T_FLOAT64:
        if (ct != SQLITE_FLOAT && ct != SQLITE_INTEGER)
            return 0;
        *(double *)out = sqlite3_value_double(v);
        return 2;
    case DAL_T_TEXT: {
        const char *t = (const char *)sqlite3_value_text(v);
        if (!t)
            return 0; /* out of memory: the generic reader reports it */
        *p = t;
        *len = (size_t)sqlite3_value_bytes(v);
        return 2;
    }
    case DAL_T_BYTES: {
        const char *b = sqlite3_value_blob(v);
        size_t n = (size_t)sqlite3_value_bytes(v);
        if (!b) {
            if (n != 0)
                return 0;
            b = ""; /* an empty blob is not NULL */
        }
        *p = b;
        *len = n;
        return 2;
    }
    default:
        return 0;
    }
}

/* The first n values of the current row (n checked against the columns),
 * inline in sq_read_rest's row loop. */
static inline dal_status sq_values(dal_stmt *st, dal_value *out, int n)
{
    sqlite3_stmt *ss = SQ(st)->ss;
    /* Tests in the order of how common the storage class is, not a switch:
     * its jump table costs more than two compares. */
    for (int k = 0; k < n; k++) {
        dal_value *o = &out[k];
        sqlite3_value *v = sqlite3_column_value(ss, k);
        int t = sqlite3_value_type(v);
        if (t == SQLITE_INTEGER) {
            o->kind = DAL_V_INT;
            o->i = sqlite3_value_int64(v);
        }
        else if (t == SQLITE_TEXT) {
            o->kind = DAL_V_TEXT;
            o->p = (const char *)sqlite3_value_text(v);
            if (!o->p)
                return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", k);
            o->len = (size_t)sqlite3_value_bytes(v);
        }
        else if (t == SQLITE_FLOAT) {
            o->kind = DAL_V_FLOAT;
            o->f = sqlite3_value_double(v);
        }
        else if (t == SQLITE_BLOB) {
            o->kind = DAL_V_BYTES;
            o->p = sqlite3_value_blob(v);
            o->len = (size_t)sqlite3_value_bytes(v);
            if (!o->p) {
                if (o->len != 0)
                    return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", k);
                o->p = ""; /* an empty blob is not NULL */
            }
        }
        else {
            o->kind = DAL_V_NULL;
            o->p = NULL; /* (len is only meaningful with p) */
        }
    }
    return DAL_OK;
}

/* DAL_MISUSE (with its message) when the row has fewer than n columns. */
static dal_status sq_values_fit(dal_stmt *st, int n)
{
    if (n > SQ(st)->ncols)
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: %d columns asked, %d in the row", n,
                        SQ(st)->ncols);
    return DAL_OK;
}

DAL_HOT static dal_status sq_row_values(dal_stmt *st, dal_value *out, int n)
{
    dal_status s = sq_values_fit(st, n);
    return s != DAL_OK ? s : sq_values(st, out, n);
}

/* ---------------------------------------------------------------------- */
/* connections                                                             */
/* ---------------------------------------------------------------------- */

static dal_status sq_ping(dal_db *db)
{
    int rc = sqlite3_exec(SQDB(db)->sq, "SELECT 1", NULL, NULL, NULL);
    return rc == SQLITE_OK ? DAL_OK : sq_err(db, sqlite3_extended_errcode(SQDB(db)->sq));
}

static void *sq_native(dal_db *db) { return SQDB(db)->sq; }

/* A failed outermost COMMIT (or a ROLLBACK that left one open): SQLite may
 * keep the transaction open, the runtime's depth says it ended. */
static void sq_rollback_open(dal_db *db)
{
    if (sqlite3_get_autocommit(SQDB(db)->sq) == 0)
        dal__sq_exec(db, "ROLLBACK");
}

static void sq_stmt_free(dal_stmt *st)
{
    if (SQ(st)->ss)
        sqlite3_finalize(SQ(st)->ss);
    free(SQ(st)->scratch);
}

const dal_engine dal__sqlite_engine = {
    .name = "sqlite",
    .dialect = DAL_SQLITE,
    .db_size = sizeof(sq_db),
    .stmt_size = sizeof(sq_stmt),
    .begin_sql = "BEGIN IMMEDIATE", /* the write lock up front: busy waits never deadlock */
    .open = dal__sq_open,
    .close = dal__sq_close,
    .exec = dal__sq_exec,
    .ping = sq_ping,
    .native_handle = sq_native,
    .rollback_open = sq_rollback_open,
    .prepare = dal__sq_prepare,
    .stmt_free = sq_stmt_free,
    .step = sq_step_op,
    .exec_step = dal__sq_step,
    .done = dal__sq_done,
    .once = dal__sq_once,
    .read_rest = sq_read_rest,
    .bind = dal__sq_bind,
    .bind_null = sq_bind_null,
    .bind_int = sq_bind_int,
    .bind_float = sq_bind_float,
    .bind_text = sq_bind_text,
    .bind_row_cols = bind_cols_sq,
    .ncols = sq_ncols,
    .is_null = dal__sq_is_null,
    .col_int = dal__sq_col_int,
    .col_float = dal__sq_col_float,
    .col_text = dal__sq_col_text,
    .col_bytes = dal__sq_col_bytes,
    .col_uuid = sq_col_uuid,
    .col_time = dal__sq_col_time,
    .col_date = dal__sq_col_date,
    .col_opt = sq_col_opt,
    .row_values = sq_row_values,
    .read_cols = dal__sq_read_cols,
    .insert_rows = dal__sq_insert_rows,
};
