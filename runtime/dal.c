/*
 * dal.c - the shared statement layer: exec and ping, transactions, the
 * statement cache, the generic step (pending bind errors, timing, stats),
 * typed binds and column readers.  It reaches the engine only through the
 * connection's table of operations (db->eng, st->eng; see dal_internal.h and
 * docs/architecture.md), never by name.  Row descriptors live in dal_row.c,
 * the engines in dal_sqlite.c and dal_pg.c, opening in dal_open.c.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dal_internal.h"

/* ---------------------------------------------------------------------- */
/* connections                                                             */
/* ---------------------------------------------------------------------- */

dal_dialect dal_dialect_of(const dal_db *db) { return db ? db->dialect : DAL_SQLITE; }

void *dal_native_handle(dal_db *db)
{
    if (!db)
        return NULL;
    return db->eng->native_handle(db);
}

dal_status dal_exec(dal_db *db, const char *sql)
{
    if (!db)
        return DAL_MISUSE;
    if (!sql)
        return dal__err(db, DAL_MISUSE, "dal_exec: sql is NULL");
    dal_status s = db->eng->exec(db, sql);
    if (s == DAL_OK)
        dal__ok(db);
    return s;
}

dal_status dal_ping(dal_db *db)
{
    if (!db)
        return DAL_MISUSE;
    return db->eng->ping(db);
}

/* ---------------------------------------------------------------------- */
/* transactions                                                            */
/* ---------------------------------------------------------------------- */

int dal_tx_depth(const dal_db *db) { return db ? db->depth : 0; }

dal_status dal_begin(dal_db *db)
{
    if (!db)
        return DAL_MISUSE;
    char sql[64];
    if (db->depth == 0)
        snprintf(sql, sizeof sql, "%s", db->eng->begin_sql);
    else
        snprintf(sql, sizeof sql, "SAVEPOINT dal_sp%d", db->depth);
    dal_status s = dal_exec(db, sql);
    if (s == DAL_OK)
        db->depth++;
    return s;
}

dal_status dal_commit(dal_db *db)
{
    if (!db)
        return DAL_MISUSE;
    if (db->depth <= 0)
        return dal__err(db, DAL_MISUSE, "dal_commit: no transaction");
    if (db->broken) {
        db->depth--;
        return dal__err(db, DAL_CONN, "connection lost inside the transaction");
    }
    char sql[64];
    if (db->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT dal_sp%d", db->depth - 1);
    dal_status s = dal_exec(db, sql);
    if (s == DAL_OK) {
        db->depth--;
        return s;
    }
    if (db->depth == 1) {
        /* a failed COMMIT ends the transaction: roll back what is left */
        char keep[DAL_ERRMSG_MAX];
        memcpy(keep, db->err, sizeof keep);
        if (db->eng->rollback_open)
            db->eng->rollback_open(db);
        memcpy(db->err, keep, sizeof keep);
        db->last = s;
        db->depth = 0;
    }
    return s;
}

dal_status dal_rollback(dal_db *db)
{
    if (!db)
        return DAL_MISUSE;
    if (db->depth <= 0)
        return dal__err(db, DAL_MISUSE, "dal_rollback: no transaction");
    if (db->broken) {
        db->depth--;
        return DAL_OK; /* the server already rolled it back */
    }
    char sql[96];
    if (db->depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT dal_sp%d; RELEASE SAVEPOINT dal_sp%d",
                 db->depth - 1, db->depth - 1);
    dal_status s = dal_exec(db, sql);
    if (s == DAL_OK || db->depth == 1)
        db->depth--;
    if (db->depth == 0 && db->eng->rollback_open)
        db->eng->rollback_open(db);
    return s;
}

dal_status dal__end_level(dal_db *db, dal_status s)
{
    if (s == DAL_OK)
        return dal_commit(db);
    char keep[DAL_ERRMSG_MAX];
    memcpy(keep, db->err, sizeof keep);
    dal_rollback(db);
    memcpy(db->err, keep, sizeof keep);
    db->last = s;
    return s;
}

void dal_set_busy_retries(dal_db *db, int retries)
{
    if (db)
        db->busy_retries = retries < 0 ? 0 : retries;
}

dal_status dal_transaction(dal_db *db, dal_tx_fn fn, void *ctx)
{
    if (!db || !fn)
        return db ? dal__err(db, DAL_MISUSE, "dal_transaction: fn is NULL") : DAL_MISUSE;
    bool outer = db->depth == 0;
    uint64_t backoff = 1000;
    unsigned seed = (unsigned)(uintptr_t)db ^ (unsigned)dal__now_us();
    for (int attempt = 0;; attempt++) {
        int base = db->depth;
        dal_status s = dal_begin(db);
        if (s == DAL_OK) {
            s = fn(db, ctx);
            if (db->depth > base + 1) {
                /* fn left inner levels open: roll them back, it is a bug */
                while (db->depth > base + 1)
                    if (dal_rollback(db) != DAL_OK)
                        break;
                if (s == DAL_OK)
                    s = dal__err(db, DAL_MISUSE, "dal_transaction: fn left a transaction open");
            }
            if (db->depth <= base) {
                /* fn ended our level itself */
                if (s == DAL_OK)
                    s = dal__err(db, DAL_MISUSE, "dal_transaction: fn ended the transaction");
            }
            else if (s == DAL_OK) {
                s = dal_commit(db);
            }
            else {
                char keep[DAL_ERRMSG_MAX];
                dal_status last = db->last;
                memcpy(keep, db->err, sizeof keep);
                if (db->depth > base)
                    dal_rollback(db);
                memcpy(db->err, keep, sizeof keep);
                db->last = last;
            }
        }
        if (s != DAL_BUSY || !outer || attempt >= db->busy_retries)
            return s;
        /* exponential backoff with jitter: 1 ms, 2 ms, 4 ms ... (cap 200 ms) */
        seed = seed * 1103515245u + 12345u;
        uint64_t j = backoff / 2 + (seed >> 8) % (backoff / 2 + 1);
        dal__sleep_us(j);
        if (backoff < 200000)
            backoff *= 2;
    }
}

/* ---------------------------------------------------------------------- */
/* statement cache                                                         */
/* ---------------------------------------------------------------------- */

static size_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static void stmt_free(dal_stmt *st)
{
    if (!st)
        return;
    st->eng->stmt_free(st);
    if (st->dec)
        for (int i = 0; i < st->nparams; i++)
            free(st->dec[i]);
    free(st->dec);
    free(st->pending_msg);
    free(st);
}

/* finalize: free statements; otherwise only mark PostgreSQL ones as not
 * prepared (after a reconnect). */
void dal__cache_clear(dal_db *db, bool finalize)
{
    if (db->eng->end_streams)
        db->eng->end_streams(db);
    for (size_t i = 0; i < db->cache_cap; i++) {
        dal_stmt *st = db->cache[i].st;
        if (!st)
            continue;
        if (finalize) {
            stmt_free(st);
            db->cache[i].st = NULL;
            db->cache[i].q = NULL;
        }
        else {
            if (st->eng->forget)
                st->eng->forget(st);
            st->running = false;
            st->prepared = false;
        }
    }
    if (finalize)
        db->cache_len = 0;
}

static dal_status cache_grow(dal_db *db)
{
    size_t ncap = db->cache_cap ? db->cache_cap * 2 : 64;
    struct dal_cache_ent *n = calloc(ncap, sizeof *n);
    if (!n)
        return DAL_NOMEM;
    for (size_t i = 0; i < db->cache_cap; i++) {
        if (!db->cache[i].q)
            continue;
        size_t h = hash_ptr(db->cache[i].q) & (ncap - 1);
        while (n[h].q)
            h = (h + 1) & (ncap - 1);
        n[h] = db->cache[i];
    }
    free(db->cache);
    db->cache = n;
    db->cache_cap = ncap;
    return DAL_OK;
}

DAL_COLD DAL_NOINLINE static dal_status stmt_start_slow(dal_db *db, const dal_query *q, dal_stmt **out);

static inline dal_status stmt_reuse(dal_stmt *st, dal_stmt **out)
{
    st->pending = DAL_OK;
    st->changes = 0;
    *out = st;
    return DAL_OK;
}

/* The cache hit on an engine that checks its statements first (PostgreSQL:
 * prepared, on a healthy connection with no stream open); out of line, so
 * that the SQLite hit below needs no stack frame. */
DAL_HOT DAL_NOINLINE static dal_status stmt_start_warm(dal_db *db, const dal_query *q,
                                                       dal_stmt *st, dal_stmt **out)
{
    return db->eng->warm(st) ? stmt_reuse(st, out) : stmt_start_slow(db, q, out);
}

/* The statement cache hit of an idle statement in its home slot: the path
 * every generated function takes once warm, so it comes first. */
DAL_HOT dal_status dal_stmt_start(dal_db *db, const dal_query *q, dal_stmt **out)
{
    if (db && q && out && db->cache_cap) {
        struct dal_cache_ent *e = &db->cache[hash_ptr(q) & (db->cache_cap - 1)];
        dal_stmt *st = e->st;
        if (e->q == q && !st->running && !st->stats_open) {
            if (db->eng->warm)
                return stmt_start_warm(db, q, st, out);
            return stmt_reuse(st, out);
        }
    }
    return stmt_start_slow(db, q, out);
}

static dal_status stmt_start_slow(dal_db *db, const dal_query *q, dal_stmt **out)
{
    if (out)
        *out = NULL;
    if (!db)
        return DAL_MISUSE;
    if (!q || !q->sql || !out || q->nparams < 0)
        return dal__err(db, DAL_MISUSE, "dal_stmt_start: bad arguments");
    if (db->eng->ensure) {
        dal_status s = db->eng->ensure(db);
        if (s != DAL_OK)
            return s;
    }
    dal_stmt *st = NULL;
    if (db->cache_cap) {
        size_t h = hash_ptr(q) & (db->cache_cap - 1);
        while (db->cache[h].q) {
            if (db->cache[h].q == q) {
                st = db->cache[h].st;
                break;
            }
            h = (h + 1) & (db->cache_cap - 1);
        }
    }
    if (!st) {
        if ((db->cache_len + 1) * 2 > db->cache_cap && cache_grow(db) != DAL_OK)
            return dal__err(db, DAL_NOMEM, "out of memory");
        st = calloc(1, db->eng->stmt_size);
        if (!st)
            return dal__err(db, DAL_NOMEM, "out of memory");
        st->db = db;
        st->eng = db->eng;
        st->q = q;
        st->nparams = q->nparams;
        dal_status s = db->eng->prepare(db, st);
        if (s != DAL_OK) {
            stmt_free(st);
            return s;
        }
        size_t h = hash_ptr(q) & (db->cache_cap - 1);
        while (db->cache[h].q)
            h = (h + 1) & (db->cache_cap - 1);
        db->cache[h].q = q;
        db->cache[h].st = st;
        db->cache_len++;
    }
    else {
        if (st->running || st->stats_open)
            dal_stmt_done(st);
        if (!st->prepared) {
            dal_status s = db->eng->prepare(db, st);
            if (s != DAL_OK)
                return s;
        }
    }
    if (db->eng->started)
        db->eng->started(st);
    return stmt_reuse(st, out);
}

static void stats_close(dal_stmt *st, bool failed)
{
    if (!st->stats_open)
        return;
    st->stats_open = false;
    dal__stats_count(st->db, st->q->sql, st->elapsed_us, st->tweight, failed);
}


/* The next row of a running, untimed execution (the hot path of list and
 * iterate) is the engine's: one sqlite3_step, an index increment (buffered
 * PostgreSQL result) or one PQgetResult (stream), each engine's step
 * ending in dal__step_slow for everything else. */
DAL_HOT dal_status dal_stmt_step(dal_stmt *st, bool *has_row)
{
    if (st && has_row)
        return st->eng->step(st, has_row);
    return dal__step_slow(st, has_row);
}

/* A running execution ended (no more rows, or an error). */
dal_status dal__step_finish(dal_stmt *st, dal_status s)
{
    stats_close(st, s != DAL_OK);
    if (s == DAL_OK)
        dal__ok(st->db);
    return s;
}

dal_status dal__step_slow(dal_stmt *st, bool *has_row)
{
    bool dummy;
    if (!has_row)
        has_row = &dummy;
    *has_row = false;
    if (!st)
        return DAL_MISUSE;
    dal_db *db = st->db;
    dal_status s;
    if (st->pending != DAL_OK) {
        s = st->pending;
        dal__err(db, s, "%s", dal__pending_msg(st));
        dal_stmt_done(st);
        return s;
    }
    /* Timing (dal__time_weight): the first step of an execution runs the
     * statement and is timed when the execution is; further row steps are
     * sampled, and rows of a buffered PostgreSQL result cost no engine time
     * and are not timed. */
    bool timed;
    uint64_t weight = 1;
    if (!st->running) {
        st->stats_open = true;
        st->elapsed_us = 0;
        st->nsteps = 0;
        st->tweight = dal__time_weight(st);
        timed = st->tweight != 0;
    }
    else if (!st->tweight || st->rows_buffered)
        timed = false;
    else {
        timed = ++st->nsteps % DAL_STEP_SAMPLE == 0;
        weight = DAL_STEP_SAMPLE;
    }
    uint64_t t0 = timed ? dal__now_us() : 0;
    s = st->eng->exec_step(st, has_row);
    if (timed)
        st->elapsed_us += (dal__now_us() - t0) * weight;
    if (s != DAL_OK || !*has_row)
        stats_close(st, s != DAL_OK);
    if (s == DAL_OK)
        dal__ok(db);
    return s;
}

void dal_stmt_stream(dal_stmt *st)
{
    if (st)
        st->stream_req = true;
}

int64_t dal_stmt_changes(dal_stmt *st) { return st ? st->changes : 0; }

DAL_HOT void dal_stmt_done(dal_stmt *st)
{
    if (!st)
        return;
    stats_close(st, false);
    st->eng->done(st);
    st->running = false;
    st->stream_req = false;
    st->pending = DAL_OK;
}

/* dal_stmt_exec's every case but the hot one (a write whose change count is
 * not asked for, run by the engine's once): out of line, so that the hot
 * one stays a single cache line (see dal__sq_once). */
DAL_NOINLINE static dal_status stmt_exec_rest(dal_stmt *st, int64_t *changes)
{
    if (changes)
        *changes = 0;
    if (!st)
        return DAL_MISUSE;
    dal_status s;
    if (dal__once_ready(st))
        s = st->eng->once(st, NULL, NULL);
    else {
        bool has = false;
        s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
    }
    if (s == DAL_OK && changes)
        *changes = st->changes;
    return s;
}

DAL_HOT dal_status dal_stmt_exec(dal_stmt *st, int64_t *changes)
{
    if (!changes && st && dal__once_ready(st))
        return st->eng->once(st, NULL, NULL); /* the single-row insert's hot path */
    return stmt_exec_rest(st, changes);
}

/* ---------------------------------------------------------------------- */
/* binds                                                                   */
/* ---------------------------------------------------------------------- */

void dal__bind_fail(dal_stmt *st, dal_status s, const char *fmt, ...)
{
    if (!st || st->pending != DAL_OK)
        return;
    st->pending = s;
    if (!st->pending_msg && !(st->pending_msg = malloc(DAL_PENDING_MSG_MAX))) {
        st->pending = DAL_NOMEM; /* dal__pending_msg says so */
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->pending_msg, DAL_PENDING_MSG_MAX, fmt, ap);
    va_end(ap);
}

void dal__bind_p(dal_stmt *st, int i, dal_param p)
{
    if (!st)
        return;
    if (i < 1 || i > st->nparams) {
        dal__bind_fail(st, DAL_MISUSE, "bind: parameter %d out of range 1..%d", i, st->nparams);
        return;
    }
    st->eng->bind(st, i, &p);
}

/* The typed binds go straight to the engine (its fast path is a tail call
 * into the client library); the engine falls back to dal__bind_p. */
DAL_HOT void dal_bind_null(dal_stmt *st, int i)
{
    if (st)
        st->eng->bind_null(st, i);
}
DAL_HOT void dal_bind_bool(dal_stmt *st, int i, bool v)
{
    if (st)
        st->eng->bind_int(st, i, v ? 1 : 0, DAL_P_BOOL);
}
DAL_HOT void dal_bind_int16(dal_stmt *st, int i, int16_t v)
{
    if (st)
        st->eng->bind_int(st, i, v, DAL_P_INT16);
}
DAL_HOT void dal_bind_int32(dal_stmt *st, int i, int32_t v)
{
    if (st)
        st->eng->bind_int(st, i, v, DAL_P_INT32);
}
DAL_HOT void dal_bind_int64(dal_stmt *st, int i, int64_t v)
{
    if (st)
        st->eng->bind_int(st, i, v, DAL_P_INT);
}
DAL_HOT void dal_bind_float32(dal_stmt *st, int i, float v)
{
    if (v != v) {
        dal__value_err(st, i, NULL, NAN_MSG);
        return;
    }
    if (st)
        st->eng->bind_float(st, i, (double)v, DAL_P_FLOAT32);
}
DAL_HOT void dal_bind_float64(dal_stmt *st, int i, double v)
{
    if (v != v) {
        dal__value_err(st, i, NULL, NAN_MSG);
        return;
    }
    if (st)
        st->eng->bind_float(st, i, v, DAL_P_FLOAT64);
}
DAL_NOINLINE static void bind_str(dal_stmt *st, int i, dal_pkind k, const char *v)
{
    if (!v) {
        dal_bind_null(st, i);
        return;
    }
    size_t len = strlen(v);
    if (!dal__utf8_ok(v, len)) {
        dal__value_err(st, i, NULL, UTF8_MSG);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = k, .v.s = {v, len}});
}
DAL_HOT void dal_bind_text(dal_stmt *st, int i, const char *v)
{
    if (v && st) {
        size_t len = strlen(v);
        if (!dal__utf8_ok(v, len)) {
            dal__value_err(st, i, NULL, UTF8_MSG);
            return;
        }
        st->eng->bind_text(st, i, v, len);
        return;
    }
    bind_str(st, i, DAL_P_TEXT, v);
}
void dal_bind_enum(dal_stmt *st, int i, const char *name, int v)
{
    if (name) {
        dal_bind_text(st, i, name);
        return;
    }
    dal__bind_fail(st, DAL_MISUSE, "bind: parameter %d: enum value %d out of range", i, v);
}
void dal_bind_decimal(dal_stmt *st, int i, const char *v) { dal__bind_decimal(st, i, NULL, v, -1, -1); }
void dal_bind_decimal_as(dal_stmt *st, int i, const char *v, int precision, int scale)
{
    dal__bind_decimal(st, i, NULL, v, precision < 0 ? -1 : precision, scale < 0 ? 0 : scale);
}

/* The canonical text goes in the statement's slot for parameter i, kept
 * until that parameter is bound again or the statement is freed (both
 * engines may read it up to the execution); a value already canonical is
 * bound as it is. */
void dal__bind_decimal(dal_stmt *st, int i, const char *col, const char *v, int precision,
                       int scale)
{
    if (!v || !st) {
        dal_bind_null(st, i);
        return;
    }
    if (i < 1 || i > st->nparams) {
        dal__bind_fail(st, DAL_MISUSE, "bind: parameter %d out of range 1..%d", i, st->nparams);
        return;
    }
    size_t len = strlen(v);
    if (!dal__utf8_ok(v, len)) {
        dal__value_err(st, i, col, UTF8_MSG);
        return;
    }
    char local[64];
    long n = dal__decimal_canon(v, len, precision, scale, local, sizeof local);
    if (n < 0) {
        char what[160], type[40] = "decimal";
        if (precision >= 0)
            snprintf(type, sizeof type, "decimal(%d,%d)", precision, scale);
        snprintf(what, sizeof what, n == DAL_DEC_SYNTAX ? "\"%.60s\" is not a decimal number"
                                                       : "\"%.60s\" is out of range for %s",
                 v, type);
        dal__value_err(st, i, col, what);
        return;
    }
    const char *p = v;
    if ((size_t)n != len || memcmp(local, v, len) != 0) {
        if (!st->dec && !(st->dec = calloc((size_t)st->nparams, sizeof *st->dec))) {
            dal__bind_fail(st, DAL_NOMEM, "out of memory");
            return;
        }
        char *slot = realloc(st->dec[i - 1], (size_t)n + 1);
        if (!slot) {
            dal__bind_fail(st, DAL_NOMEM, "out of memory");
            return;
        }
        st->dec[i - 1] = slot;
        if ((size_t)n < sizeof local)
            memcpy(slot, local, (size_t)n + 1);
        else
            dal__decimal_canon(v, len, precision, scale, slot, (size_t)n + 1);
        p = slot;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_DECIMAL, .v.s = {p, (size_t)n}});
}
void dal_bind_json(dal_stmt *st, int i, const char *v) { bind_str(st, i, DAL_P_JSON, v); }
void dal_bind_uuid(dal_stmt *st, int i, const char *v)
{
    if (!v || !*v) {
        dal_bind_null(st, i);
        return;
    }
    unsigned char raw[16];
    if (!dal__parse_uuid(v, strlen(v), raw)) {
        dal__bind_fail(st, DAL_ERROR, "bind: parameter %d is not a valid uuid", i);
        return;
    }
    bind_str(st, i, DAL_P_UUID, v);
}
void dal_bind_bytes(dal_stmt *st, int i, dal_bytes v)
{
    if (!v.data && v.len != 0) {
        /* Misuse: never read len bytes from a NULL pointer. */
        dal__bind_fail(st, DAL_MISUSE, "bind: parameter %d: bytes with a NULL pointer and length %zu",
                       i, v.len);
        return;
    }
    if (!v.data) {
        dal_bind_null(st, i);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_BYTES, .v.s = {(const char *)v.data, v.len}});
}
/* Records a timestamp or date outside the supported range (dal.h) as the
 * statement's pending error: the same DAL_CHECK on both engines, before
 * anything reaches the engine. */
void dal__range_err(dal_stmt *st, int i, const char *what, int64_t v)
{
    dal__bind_fail(st, DAL_CHECK,
                   "bind: parameter %d: %s %lld is outside the supported range (years 1 to 9999)",
                   i, what, (long long)v);
}
void dal__value_err(dal_stmt *st, int i, const char *col, const char *what)
{
    if (col)
        dal__bind_fail(st, DAL_CHECK, "column %s: %s", col, what);
    else
        dal__bind_fail(st, DAL_CHECK, "bind: parameter %d: %s", i, what);
}

DAL_HOT void dal_bind_time(dal_stmt *st, int i, dal_time v)
{
    if (!DAL__TIME_OK(v)) {
        dal__range_err(st, i, "timestamp", v);
        return;
    }
    if (st)
        st->eng->bind_int(st, i, v, DAL_P_TIME);
}
void dal_bind_date(dal_stmt *st, int i, dal_date v)
{
    if (!DAL__DATE_OK(v)) {
        dal__range_err(st, i, "date", v);
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_DATE, .v.i = v});
}

/* ---------------------------------------------------------------------- */
/* column readers                                                          */
/* ---------------------------------------------------------------------- */

/* A NULL value, or a column past the row (misuse, not "NULL"). */
dal_status dal__col_null_err(dal_stmt *st, int col)
{
    int n = st->eng->ncols(st);
    if (col < 0 || col >= n)
        return dal__err(st->db, DAL_MISUSE, "column %d out of range (the row has %d columns)",
                        col, n);
    return dal__err(st->db, DAL_ERROR, "column %d is NULL", col);
}

bool dal_col_is_null(dal_stmt *st, int col)
{
    if (!st)
        return true;
    return st->eng->is_null(st, col);
}

static dal_status col_int(dal_stmt *st, int col, int64_t *v)
{
    if (!st || !v)
        return DAL_MISUSE;
    return st->eng->col_int(st, col, v);
}

dal_status dal__col_int_into(dal_stmt *st, int col, void *out, unsigned size)
{
    int64_t v;
    dal_status s = out ? col_int(st, col, &v) : DAL_MISUSE;
    if (s != DAL_OK)
        return s;
    int64_t max = size == 2 ? INT16_MAX : size == 4 ? INT32_MAX : INT64_MAX;
    if (size > 1 && (v < -max - 1 || v > max))
        return dal__err(st->db, DAL_ERROR, "column %d: %lld out of range for int%u", col,
                        (long long)v, size * 8);
    switch (size) {
    case 1: { bool b = v != 0; memcpy(out, &b, sizeof b); break; }
    case 2: { int16_t x = (int16_t)v; memcpy(out, &x, sizeof x); break; }
    case 4: { int32_t x = (int32_t)v; memcpy(out, &x, sizeof x); break; }
    default: memcpy(out, &v, sizeof v); break;
    }
    return DAL_OK;
}

dal_status dal_col_bool(dal_stmt *st, int col, bool *out)
{
    return dal__col_int_into(st, col, out, sizeof *out);
}

dal_status dal_col_int16(dal_stmt *st, int col, int16_t *out)
{
    return dal__col_int_into(st, col, out, sizeof *out);
}

dal_status dal_col_int32(dal_stmt *st, int col, int32_t *out)
{
    return dal__col_int_into(st, col, out, sizeof *out);
}

dal_status dal_col_int64(dal_stmt *st, int col, int64_t *out) { return col_int(st, col, out); }

dal_status dal_col_float64(dal_stmt *st, int col, double *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    return st->eng->col_float(st, col, out);
}

dal_status dal__col_float_into(dal_stmt *st, int col, void *out, unsigned size)
{
    double d;
    dal_status s = out ? dal_col_float64(st, col, &d) : DAL_MISUSE;
    if (s != DAL_OK)
        return s;
    if (size == sizeof(float)) {
        float f = (float)d;
        memcpy(out, &f, sizeof f);
    }
    else
        memcpy(out, &d, sizeof d);
    return DAL_OK;
}

dal_status dal_col_float32(dal_stmt *st, int col, float *out)
{
    return dal__col_float_into(st, col, out, sizeof *out);
}

dal_status dal_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    if (!st || !out)
        return DAL_MISUSE;
    size_t dummy;
    return st->eng->col_text(st, col, out, len ? len : &dummy);
}

dal_status dal_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    if (!st || !out || !len)
        return DAL_MISUSE;
    return st->eng->col_bytes(st, col, out, len);
}

dal_status dal_col_uuid(dal_stmt *st, int col, char out[37])
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col)) {
        out[0] = '\0';
        return dal__col_null_err(st, col);
    }
    return st->eng->col_uuid(st, col, out);
}

dal_status dal_col_time(dal_stmt *st, int col, dal_time *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col))
        return dal__col_null_err(st, col);
    return st->eng->col_time(st, col, out);
}

dal_status dal_col_date(dal_stmt *st, int col, dal_date *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col))
        return dal__col_null_err(st, col);
    return st->eng->col_date(st, col, out);
}

/* ---------------------------------------------------------------------- */
/* straight-line readers (generated per-table row readers)                 */
/* ---------------------------------------------------------------------- */

/* Slow path of every fixed-size reader: the NULL test, then the typed reader. */
#define OPT_SLOW(reader, zero)                                                                 \
    do {                                                                                       \
        if (!st || !out)                                                                       \
            return DAL_MISUSE;                                                                 \
        if (dal_col_is_null(st, col)) {                                                        \
            *out = zero;                                                                       \
            if (has)                                                                           \
                *has = false;                                                                  \
            return DAL_OK;                                                                     \
        }                                                                                      \
        if (has)                                                                               \
            *has = true;                                                                       \
        return reader(st, col, out);                                                           \
    } while (0)

/* The engine's fast path (dal_engine.col_opt): NULL, or the expected kind. */
#define OPT_FAST(type, zero)                                                                   \
    do {                                                                                       \
        if (st && out) {                                                                       \
            int h_ = st->eng->col_opt(st, col, type, out, NULL, NULL);                         \
            if (h_) {                                                                          \
                if (h_ == 1)                                                                   \
                    *out = zero;                                                               \
                if (has)                                                                       \
                    *has = h_ == 2;                                                            \
                return DAL_OK;                                                                 \
            }                                                                                  \
        }                                                                                      \
    } while (0)

/* The fixed-size optional readers, dal_col_opt_bool .. dal_col_opt_date
 * (declared in dal.h): the engine's fast path, else the NULL test and the
 * typed reader dal_col_<name>. */
#define DEFINE_COL_OPT(name, ctype, type, zero)                                                \
    dal_status dal_col_opt_##name(dal_stmt *st, int col, ctype *out, bool *has)                \
    {                                                                                          \
        OPT_FAST(type, zero);                                                                  \
        OPT_SLOW(dal_col_##name, zero);                                                        \
    }

DEFINE_COL_OPT(bool, bool, DAL_T_BOOL, false)
DEFINE_COL_OPT(int16, int16_t, DAL_T_INT16, 0)
DEFINE_COL_OPT(int32, int32_t, DAL_T_INT32, 0)
DEFINE_COL_OPT(int64, int64_t, DAL_T_INT64, 0)
DEFINE_COL_OPT(float32, float, DAL_T_FLOAT32, 0)
DEFINE_COL_OPT(float64, double, DAL_T_FLOAT64, 0)
DEFINE_COL_OPT(time, dal_time, DAL_T_TIME, 0)
DEFINE_COL_OPT(date, dal_date, DAL_T_DATE, 0)

dal_status dal_col_opt_uuid(dal_stmt *st, int col, char out[37], bool *has)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col)) {
        out[0] = '\0';
        if (has)
            *has = false;
        return DAL_OK;
    }
    if (has)
        *has = true;
    return dal_col_uuid(st, col, out);
}

dal_status dal_col_opt_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    if (!st || !out || !len)
        return DAL_MISUSE;
    *out = NULL;
    *len = 0;
    if (st->eng->col_opt(st, col, DAL_T_TEXT, NULL, out, len))
        return DAL_OK;
    if (dal_col_is_null(st, col))
        return DAL_OK;
    return dal_col_text(st, col, out, len);
}

dal_status dal_col_opt_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    if (!st || !out || !len)
        return DAL_MISUSE;
    *out = NULL;
    *len = 0;
    const char *p = NULL;
    int h = st->eng->col_opt(st, col, DAL_T_BYTES, NULL, &p, len);
    if (h == 2)
        *out = (const unsigned char *)p;
    if (h)
        return DAL_OK;
    if (dal_col_is_null(st, col))
        return DAL_OK;
    dal_status s = dal_col_bytes(st, col, out, len);
    if (s == DAL_OK && !*out)
        *out = (const unsigned char *)"";
    return s;
}

dal_status dal_col_opt_enum(dal_stmt *st, int col, const dal_column *c, int *out, bool *has)
{
    if (!st || !c || !out)
        return DAL_MISUSE;
    *out = 0;
    if (has)
        *has = false;
    const char *p;
    size_t len;
    dal_status s = dal_col_opt_text(st, col, &p, &len);
    if (s != DAL_OK || !p)
        return s;
    if (has)
        *has = true;
    return dal__read_enum(st->db, c, p, len, out);
}

dal_db *dal_stmt_db(const dal_stmt *st) { return st ? st->db : NULL; }

void *dal_stmt_alloc(dal_stmt *st, size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p && st)
        dal__err(st->db, DAL_NOMEM, "out of memory");
    return p;
}

DAL_HOT dal_status dal_row_values(dal_stmt *st, dal_value *out, int n)
{
    if (!st)
        return DAL_MISUSE;
    if (!out || n < 0)
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: bad arguments");
    return st->eng->row_values(st, out, n);
}

/* Matches an enum value name; stores the C enum value into f. */
dal_status dal__read_enum(dal_db *db, const dal_column *c, const char *p, size_t len, void *f)
{
    for (int e = 0; e < c->enum_count; e++) {
        const char *name = c->enum_values[e];
        if (strlen(name) == len && memcmp(name, p, len) == 0) {
            memcpy(f, &e, sizeof e);
            return DAL_OK;
        }
    }
    return dal__err(db, DAL_ERROR, "column %s: unknown enum value '%.*s'", c->name,
                    len > 100 ? 100 : (int)len, p);
}
