/*
 * dal.c - the engine-independent part of the runtime: errors, URL dispatch,
 * statistics and hooks, transactions, the statement cache, typed binds and
 * reads dispatched to the engine, date/time/uuid conversions.
 * Row descriptors live in dal_row.c, engines in dal_sqlite.c and dal_pg.c.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dal_internal.h"

/* ---------------------------------------------------------------------- */
/* errors                                                                  */
/* ---------------------------------------------------------------------- */

static const char *const status_names[] = {
    "DAL_OK", "DAL_NOT_FOUND", "DAL_DUPLICATE", "DAL_FOREIGN_KEY", "DAL_CHECK", "DAL_NOT_NULL",
    "DAL_BUSY", "DAL_CONN", "DAL_MISUSE", "DAL_NOMEM", "DAL_ERROR",
};

const char *dal_status_name(dal_status s)
{
    if ((int)s < 0 || (size_t)s >= sizeof status_names / sizeof status_names[0])
        return "DAL_UNKNOWN";
    return status_names[s];
}

/* Removes passwords in place: the value of password=... (conninfo or URL
 * query) and the pass of scheme://user:pass@host. */
void dal__scrub(char *s)
{
    if (!s)
        return;
    /* user:pass@ after :// */
    for (char *p = strstr(s, "://"); p; p = strstr(p + 3, "://")) {
        char *a = p + 3;
        char *end = a + strcspn(a, "/?# \t'\"");
        char *at = NULL;
        for (char *q = a; q < end; q++)
            if (*q == '@')
                at = q;
        if (!at)
            continue;
        char *colon = memchr(a, ':', (size_t)(at - a));
        if (!colon)
            continue;
        const char *stars = "***";
        size_t keep = strlen(at);
        if ((size_t)(at - colon - 1) >= 3) {
            memcpy(colon + 1, stars, 3);
            memmove(colon + 4, at, keep + 1);
        }
        else {
            /* short password: still replace with *** (may grow by <=3, fine
             * only if room; just blank it to avoid overflow) */
            memmove(colon + 1, at, keep + 1);
        }
    }
    for (char *p = s; *p; p++) {
        if (strncasecmp(p, "password", 8) != 0)
            continue;
        char *q = p + 8;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != '=')
            continue;
        q++;
        while (*q == ' ' || *q == '\t')
            q++;
        char *v = q;
        if (*v == '\'') {
            char *e = v + 1;
            while (*e && *e != '\'') {
                if (*e == '\\' && e[1])
                    e++;
                e++;
            }
            if (*e)
                e++;
            q = e;
        }
        else
            q = v + strcspn(v, " \t&'\"\n");
        size_t vlen = (size_t)(q - v);
        if (vlen >= 3) {
            memcpy(v, "***", 3);
            memmove(v + 3, q, strlen(q) + 1);
        }
        else
            memmove(v, q, strlen(q) + 1);
        p = v;
    }
}

dal_status dal__err(dal_db *db, dal_status s, const char *fmt, ...)
{
    if (!db)
        return s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    /* trim trailing newlines of engine messages */
    size_t n = strlen(db->err);
    while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
        db->err[--n] = '\0';
    dal__scrub(db->err);
    db->last = s;
    if (s != DAL_OK && s != DAL_NOT_FOUND)
        dal__log(db, DAL_LOG_ERROR, db->err);
    return s;
}

dal_status dal_set_error(dal_db *db, dal_status status, const char *fmt, ...)
{
    if (!db)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    dal__scrub(db->err);
    db->last = status;
    if (status != DAL_OK && status != DAL_NOT_FOUND) /* as dal__err: the logger sees errors */
        dal__log(db, DAL_LOG_ERROR, db->err);
    return status;
}


const char *dal_errmsg(const dal_db *db)
{
    if (!db)
        return "no connection (out of memory?)";
    return db->err;
}

/* ---------------------------------------------------------------------- */
/* stats, hooks, logger                                                    */
/* ---------------------------------------------------------------------- */

uint64_t dal__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void dal__log(dal_db *db, dal_log_level lvl, const char *msg)
{
    if (db && db->log_fn)
        db->log_fn(db->log_ctx, lvl, msg);
}

void dal__stats_add(dal_db *db, const char *sql, uint64_t us, unsigned weight, bool failed)
{
    db->stats.queries++;
    if (failed)
        db->stats.errors++;
    if (weight) {
        db->stats.total_us += us * weight;
        if (us > db->stats.max_us)
            db->stats.max_us = us;
        if (db->slow_fn && us >= db->slow_threshold)
            db->slow_fn(db->slow_ctx, sql, us);
    }
    if (db->log_fn)
        db->log_fn(db->log_ctx, DAL_LOG_DEBUG, sql);
}

void dal__stats_record(dal_db *db, const char *sql, uint64_t us, bool failed)
{
    dal__stats_add(db, sql, us, 1, failed);
}

void dal_get_stats(const dal_db *db, dal_stats *out)
{
    if (!out)
        return;
    if (!db) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = db->stats;
}

void dal_reset_stats(dal_db *db)
{
    if (db)
        memset(&db->stats, 0, sizeof db->stats);
}

void dal_set_slow_hook(dal_db *db, uint64_t threshold_us, dal_slow_fn fn, void *ctx)
{
    if (!db)
        return;
    db->slow_threshold = threshold_us;
    db->slow_fn = fn;
    db->slow_ctx = ctx;
}

void dal_set_logger(dal_db *db, dal_log_fn fn, void *ctx)
{
    if (!db)
        return;
    db->log_fn = fn;
    db->log_ctx = ctx;
}

/* ---------------------------------------------------------------------- */
/* connections                                                             */
/* ---------------------------------------------------------------------- */

dal_status dal_open(const char *url, dal_db **out)
{
    if (!out)
        return DAL_MISUSE;
    *out = NULL;
    if (!url || !*url) {
        const char *env = getenv("DATABASE_URL");
        url = env && *env ? env : "sqlite:" DAL_DEFAULT_SQLITE_PATH;
    }
    dal_db *db = calloc(1, sizeof *db);
    if (!db)
        return DAL_NOMEM;
    db->busy_retries = 5;
    *out = db;
    dal_status s;
    if (strncmp(url, "sqlite:", 7) == 0) {
        db->dialect = DAL_SQLITE;
        s = dal__sq_open(db, url + 7);
    }
    else {
        db->dialect = DAL_POSTGRES;
        s = dal__pg_open(db, url);
    }
    if (s == DAL_OK)
        dal__ok(db);
    return s;
}

void dal_close(dal_db *db)
{
    if (!db)
        return;
    dal__cache_clear(db, true);
    free(db->cache);
    dal_ins_cache *ic = db->ins;
    while (ic) {
        dal_ins_cache *n = ic->next;
        free((char *)ic->q.sql);
        free(ic->copy_sql);
        free((char *)ic->vq.sql);
        free(ic->mask);
        free(ic->cols);
        free(ic);
        ic = n;
    }
    if (db->dialect == DAL_SQLITE)
        dal__sq_close(db);
    else
        dal__pg_close(db);
    free(db);
}

dal_dialect dal_dialect_of(const dal_db *db) { return db ? db->dialect : DAL_SQLITE; }

void *dal_native_handle(dal_db *db)
{
    if (!db)
        return NULL;
    return db->dialect == DAL_SQLITE ? (void *)db->sq : (void *)db->pg;
}

dal_status dal_exec(dal_db *db, const char *sql)
{
    if (!db)
        return DAL_MISUSE;
    if (!sql)
        return dal__err(db, DAL_MISUSE, "dal_exec: sql is NULL");
    dal_status s = db->dialect == DAL_SQLITE ? dal__sq_exec(db, sql) : dal__pg_exec(db, sql);
    if (s == DAL_OK)
        dal__ok(db);
    return s;
}

dal_status dal_ping(dal_db *db)
{
    if (!db)
        return DAL_MISUSE;
    if (db->dialect == DAL_SQLITE) {
        int rc = sqlite3_exec(db->sq, "SELECT 1", NULL, NULL, NULL);
        return rc == SQLITE_OK ? DAL_OK
                               : dal__err(db, dal__sq_status(sqlite3_extended_errcode(db->sq)),
                                          "%s", sqlite3_errmsg(db->sq));
    }
    return dal__pg_ping(db);
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
        snprintf(sql, sizeof sql, "%s", db->dialect == DAL_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
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
        if (db->dialect == DAL_SQLITE && sqlite3_get_autocommit(db->sq) == 0)
            dal__sq_exec(db, "ROLLBACK");
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
    if (db->dialect == DAL_SQLITE && db->depth == 0 && sqlite3_get_autocommit(db->sq) == 0)
        dal__sq_exec(db, "ROLLBACK");
    return s;
}

void dal_set_busy_retries(dal_db *db, int retries)
{
    if (db)
        db->busy_retries = retries < 0 ? 0 : retries;
}

void dal__sleep_us(uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
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

void dal__stmt_free(dal_stmt *st)
{
    if (!st)
        return;
    if (st->ss)
        sqlite3_finalize(st->ss);
    if (st->res)
        PQclear(st->res);
    for (int i = st->prest; i < st->nrest; i++)
        PQclear(st->rest[i]);
    free(st->rest);
    free(st->rest_msg);
    for (int i = 0; i < st->ncolbuf; i++)
        free(st->colbuf[i]);
    free(st->colbuf);
    free(st->colcap);
    free(st->scratch);
    free(st->server_types);
    free(st->ftypes);
    free(st->fclass);
    free(st->params);
    free(st->types);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->pbuf);
    free(st);
}

/* finalize: free statements; otherwise only mark PostgreSQL ones as not
 * prepared (after a reconnect). */
void dal__cache_clear(dal_db *db, bool finalize)
{
    if (db->streaming) {
        dal_stmt_done(db->streaming);
        db->streaming = NULL;
    }
    for (size_t i = 0; i < db->cache_cap; i++) {
        dal_stmt *st = db->cache[i].st;
        if (!st)
            continue;
        if (finalize) {
            dal__stmt_free(st);
            db->cache[i].st = NULL;
            db->cache[i].q = NULL;
        }
        else {
            if (st->res) {
                PQclear(st->res);
                st->res = NULL;
            }
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

DAL_NOINLINE static dal_status stmt_start_slow(dal_db *db, const dal_query *q, dal_stmt **out);

/* The statement cache hit of an idle statement in its home slot (on
 * PostgreSQL: prepared, on a healthy connection with no stream open): the
 * path every generated function takes once warm, so it comes first. */
dal_status dal_stmt_start(dal_db *db, const dal_query *q, dal_stmt **out)
{
    if (db && q && out && db->cache_cap) {
        struct dal_cache_ent *e = &db->cache[hash_ptr(q) & (db->cache_cap - 1)];
        if (e->q == q && !e->st->running && !e->st->stats_open &&
            (db->dialect == DAL_SQLITE ||
             (e->st->prepared && !db->streaming && !db->broken &&
              PQstatus(db->pg) == CONNECTION_OK))) {
            dal_stmt *st = e->st;
            st->pending = DAL_OK;
            st->changes = 0;
            *out = st;
            return DAL_OK;
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
    if (db->dialect == DAL_POSTGRES) {
        dal_status s = dal__pg_ensure(db);
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
        st = calloc(1, sizeof *st);
        if (!st)
            return dal__err(db, DAL_NOMEM, "out of memory");
        st->db = db;
        st->q = q;
        st->nparams = q->nparams;
        dal_status s = db->dialect == DAL_SQLITE ? dal__sq_prepare(db, st) : dal__pg_prepare(db, st);
        if (s != DAL_OK) {
            dal__stmt_free(st);
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
        if (db->dialect == DAL_POSTGRES && !st->prepared) {
            dal_status s = dal__pg_prepare(db, st);
            if (s != DAL_OK)
                return s;
        }
    }
    if (db->dialect == DAL_POSTGRES && db->streaming && db->streaming != st)
        dal__pg_detach(db);
    st->pending = DAL_OK;
    st->changes = 0;
    *out = st;
    return DAL_OK;
}

static void stats_close(dal_stmt *st, bool failed)
{
    if (!st->stats_open)
        return;
    st->stats_open = false;
    dal__stats_count(st->db, st->q->sql, st->elapsed_us, st->tweight, failed);
}

/* Row steps of a timed execution are sampled: one in DAL_STEP_SAMPLE is timed
 * and counted that many times (a clock read costs a good part of a row step). */
enum { DAL_STEP_SAMPLE = 16 };

DAL_NOINLINE static dal_status step_slow(dal_stmt *st, bool *has_row);
DAL_NOINLINE static dal_status step_end(dal_stmt *st, int rc);
DAL_NOINLINE static dal_status step_finish(dal_stmt *st, dal_status s);

/* The next row of a running, untimed execution (the hot path of list and
 * iterate) is one sqlite3_step, an index increment (buffered PostgreSQL
 * result) or one PQgetResult (stream); everything else is step_slow. */
dal_status dal_stmt_step(dal_stmt *st, bool *has_row)
{
    if (st && has_row && st->running && st->pending == DAL_OK && !st->tweight) {
        if (st->ss) {
            int rc = sqlite3_step(st->ss);
            *has_row = rc == SQLITE_ROW;
            if (rc != SQLITE_ROW)
                return step_end(st, rc);
            dal__ok(st->db);
            return DAL_OK;
        }
        /* PostgreSQL: the next row of a buffered result, or of a stream */
        if (!st->streaming && st->row + 1 < st->nrows) {
            st->row++;
            *has_row = true;
            dal__ok(st->db);
            return DAL_OK;
        }
        if (st->streaming) {
            *has_row = false;
            dal_status s = dal__pg_step(st, has_row);
            if (s != DAL_OK || !*has_row)
                return step_finish(st, s);
            dal__ok(st->db);
            return DAL_OK;
        }
    }
    return step_slow(st, has_row);
}

/* A running execution ended (no more rows, or an error). */
static dal_status step_finish(dal_stmt *st, dal_status s)
{
    stats_close(st, s != DAL_OK);
    if (s == DAL_OK)
        dal__ok(st->db);
    return s;
}

/* A running SQLite execution's step returned rc, not SQLITE_ROW. */
static dal_status step_end(dal_stmt *st, int rc)
{
    return step_finish(st, dal__sq_stepped(st, rc));
}

static dal_status step_slow(dal_stmt *st, bool *has_row)
{
    bool dummy;
    if (!has_row)
        has_row = &dummy;
    *has_row = false;
    if (!st)
        return DAL_MISUSE;
    dal_db *db = st->db;
    dal_status s;
    /* a timed execution's next SQLite row: sampled */
    if (st->running && st->ss && st->pending == DAL_OK) {
        bool timed = ++st->nsteps % DAL_STEP_SAMPLE == 0;
        uint64_t t0 = timed ? dal__now_us() : 0;
        int rc = sqlite3_step(st->ss);
        if (timed)
            st->elapsed_us += (dal__now_us() - t0) * DAL_STEP_SAMPLE;
        *has_row = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW)
            return step_end(st, rc);
        dal__ok(db);
        return DAL_OK;
    }
    if (st->pending != DAL_OK) {
        s = st->pending;
        dal__err(db, s, "%s", st->pending_msg);
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
    else if (!st->tweight || (!st->ss && !st->streaming))
        timed = false;
    else {
        timed = ++st->nsteps % DAL_STEP_SAMPLE == 0;
        weight = DAL_STEP_SAMPLE;
    }
    uint64_t t0 = timed ? dal__now_us() : 0;
    s = db->dialect == DAL_SQLITE ? dal__sq_step(st, has_row) : dal__pg_step(st, has_row);
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

void dal_stmt_done(dal_stmt *st)
{
    if (!st)
        return;
    stats_close(st, false);
    if (st->db->dialect == DAL_SQLITE)
        dal__sq_done(st);
    else
        dal__pg_done(st);
    st->running = false;
    st->stream_req = false;
    st->pending = DAL_OK;
}

dal_status dal_stmt_exec(dal_stmt *st, int64_t *changes)
{
    if (!changes && st && st->ss && !st->running && !st->stats_open)
        return dal__sq_once(st, NULL, NULL); /* the single-row insert's hot path */
    if (changes)
        *changes = 0;
    if (!st)
        return DAL_MISUSE;
    dal_status s;
    if (st->ss && !st->running && !st->stats_open)
        s = dal__sq_once(st, NULL, NULL);
    else {
        bool has = false;
        s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
    }
    if (s == DAL_OK && changes)
        *changes = st->changes;
    return s;
}

/* ---------------------------------------------------------------------- */
/* binds                                                                   */
/* ---------------------------------------------------------------------- */

DAL_NOINLINE static void bind_p(dal_stmt *st, int i, dal_param p)
{
    if (!st)
        return;
    if (i < 1 || i > st->nparams) {
        if (st->pending == DAL_OK) {
            st->pending = DAL_MISUSE;
            snprintf(st->pending_msg, sizeof st->pending_msg,
                     "bind: parameter %d out of range 1..%d", i, st->nparams);
        }
        return;
    }
    if (st->ss)
        dal__sq_bind(st, i, &p);
    else
        st->params[i - 1] = p;
}

/* SQLite fast path of the binds (what dal__sq_bind does, without building a
 * dal_param): a statement reset since its last step, and an index in range.
 * There the number binds cannot fail (sqlite3_bind_* fail only with
 * SQLITE_MISUSE on a statement not reset, SQLITE_RANGE, and for text and
 * blobs SQLITE_TOOBIG or SQLITE_NOMEM), so SQ_BIND_NUM does not test their
 * result and compiles to a tail call; text is still checked (SQ_BIND).
 * Anything else goes through bind_p, which reports errors at the step. */
static inline bool sq_fast(dal_stmt *st, int i)
{
    return st && st->ss && !st->need_reset && (unsigned)i - 1u < (unsigned)st->nparams;
}
#define SQ_BIND_NUM(call) ((void)(call))
#define SQ_BIND(call)                                                                          \
    do {                                                                                       \
        int rc_ = (call);                                                                      \
        if (rc_ != SQLITE_OK)                                                                  \
            dal__sq_bind_failed(st, i, rc_);                                                   \
    } while (0)

void dal_bind_null(dal_stmt *st, int i)
{
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_null(st->ss, i));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_NULL});
}
void dal_bind_bool(dal_stmt *st, int i, bool v)
{
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_int64(st->ss, i, v ? 1 : 0));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_BOOL, .v.i = v ? 1 : 0});
}
void dal_bind_int16(dal_stmt *st, int i, int16_t v)
{
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_int64(st->ss, i, v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_INT16, .v.i = v});
}
void dal_bind_int32(dal_stmt *st, int i, int32_t v)
{
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_int64(st->ss, i, v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_INT32, .v.i = v});
}
void dal_bind_int64(dal_stmt *st, int i, int64_t v)
{
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_int64(st->ss, i, v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_INT, .v.i = v});
}
void dal_bind_float32(dal_stmt *st, int i, float v)
{
    if (v != v) {
        dal__value_err(st, i, NULL, NAN_MSG);
        return;
    }
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_double(st->ss, i, (double)v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_FLOAT32, .v.f = (double)v});
}
void dal_bind_float64(dal_stmt *st, int i, double v)
{
    if (v != v) {
        dal__value_err(st, i, NULL, NAN_MSG);
        return;
    }
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_double(st->ss, i, (double)v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_FLOAT64, .v.f = v});
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
    bind_p(st, i, (dal_param){.kind = k, .v.s = {v, len}});
}
void dal_bind_text(dal_stmt *st, int i, const char *v)
{
    if (v && sq_fast(st, i)) {
        size_t len = strlen(v);
        if (!dal__utf8_ok(v, len)) {
            dal__value_err(st, i, NULL, UTF8_MSG);
            return;
        }
        st->sq_ptrs = true;
        SQ_BIND(sqlite3_bind_text(st->ss, i, v, DAL__SQ_LEN(len), SQLITE_STATIC));
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
    if (st && st->pending == DAL_OK) {
        st->pending = DAL_MISUSE;
        snprintf(st->pending_msg, sizeof st->pending_msg,
                 "bind: parameter %d: enum value %d out of range", i, v);
    }
}
void dal_bind_decimal(dal_stmt *st, int i, const char *v) { bind_str(st, i, DAL_P_DECIMAL, v); }
void dal_bind_json(dal_stmt *st, int i, const char *v) { bind_str(st, i, DAL_P_JSON, v); }
void dal_bind_uuid(dal_stmt *st, int i, const char *v)
{
    if (!v || !*v) {
        dal_bind_null(st, i);
        return;
    }
    unsigned char raw[16];
    if (!dal__parse_uuid(v, strlen(v), raw)) {
        if (st && st->pending == DAL_OK) {
            st->pending = DAL_ERROR;
            snprintf(st->pending_msg, sizeof st->pending_msg,
                     "bind: parameter %d is not a valid uuid", i);
        }
        return;
    }
    bind_str(st, i, DAL_P_UUID, v);
}
void dal_bind_bytes(dal_stmt *st, int i, dal_bytes v)
{
    if (!v.data && v.len != 0) {
        /* Misuse: never read len bytes from a NULL pointer. */
        if (st && st->pending == DAL_OK) {
            st->pending = DAL_MISUSE;
            snprintf(st->pending_msg, sizeof st->pending_msg,
                     "bind: parameter %d: bytes with a NULL pointer and length %zu", i, v.len);
        }
        return;
    }
    if (!v.data) {
        dal_bind_null(st, i);
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_BYTES, .v.s = {(const char *)v.data, v.len}});
}
/* Records a timestamp or date outside the supported range (dal.h) as the
 * statement's pending error: the same DAL_CHECK on both engines, before
 * anything reaches the engine. */
void dal__range_err(dal_stmt *st, int i, const char *what, int64_t v)
{
    if (st && st->pending == DAL_OK) {
        st->pending = DAL_CHECK;
        snprintf(st->pending_msg, sizeof st->pending_msg,
                 "bind: parameter %d: %s %lld is outside the supported range (years 1 to 9999)",
                 i, what, (long long)v);
    }
}
/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, as PostgreSQL's UTF8 encoding checks it.  ASCII runs are
 * skipped eight bytes at a time. */
bool dal__utf8_ok(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *e = s + len;
    while (s < e) {
        if (e - s >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                s += 8;
                continue;
            }
        }
        unsigned c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        int n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        }
        else
            return false;
        if (e - s <= n)
            return false;
        if (s[1] < lo || s[1] > hi)
            return false;
        for (int k = 2; k <= n; k++)
            if ((s[k] & 0xC0) != 0x80)
                return false;
        s += n + 1;
    }
    return true;
}

void dal__value_err(dal_stmt *st, int i, const char *col, const char *what)
{
    if (st && st->pending == DAL_OK) {
        st->pending = DAL_CHECK;
        if (col)
            snprintf(st->pending_msg, sizeof st->pending_msg, "column %s: %s", col, what);
        else
            snprintf(st->pending_msg, sizeof st->pending_msg, "bind: parameter %d: %s", i, what);
    }
}

void dal_bind_time(dal_stmt *st, int i, dal_time v)
{
    if (!DAL__TIME_OK(v)) {
        dal__range_err(st, i, "timestamp", v);
        return;
    }
    if (sq_fast(st, i)) {
        SQ_BIND_NUM(sqlite3_bind_int64(st->ss, i, v));
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_TIME, .v.i = v});
}
void dal_bind_date(dal_stmt *st, int i, dal_date v)
{
    if (!DAL__DATE_OK(v)) {
        dal__range_err(st, i, "date", v);
        return;
    }
    bind_p(st, i, (dal_param){.kind = DAL_P_DATE, .v.i = v});
}

/* ---------------------------------------------------------------------- */
/* column readers                                                          */
/* ---------------------------------------------------------------------- */

#define IS_SQ(st) ((st)->ss != NULL)

static dal_status col_null_err(dal_stmt *st, int col)
{
    int n = st->ss ? st->sq_ncols : dal__pg_ncols(st);
    if (col < 0 || col >= n)
        return dal__err(st->db, DAL_MISUSE, "column %d out of range (the row has %d columns)",
                        col, n);
    return dal__err(st->db, DAL_ERROR, "column %d is NULL", col);
}

bool dal_col_is_null(dal_stmt *st, int col)
{
    if (!st)
        return true;
    return IS_SQ(st) ? dal__sq_is_null(st, col) : dal__pg_is_null(st, col);
}

static dal_status col_int(dal_stmt *st, int col, int64_t *v)
{
    if (!st || !v)
        return DAL_MISUSE;
    if (IS_SQ(st))
        return dal__sq_col_int(st, col, v); /* checks NULL itself */
    if (dal__pg_is_null(st, col))
        return col_null_err(st, col);
    return dal__pg_col_int(st, col, v);
}

dal_status dal_col_bool(dal_stmt *st, int col, bool *out)
{
    int64_t v;
    dal_status s = col_int(st, col, &v);
    if (s == DAL_OK)
        *out = v != 0;
    return s;
}

dal_status dal_col_int16(dal_stmt *st, int col, int16_t *out)
{
    int64_t v;
    dal_status s = col_int(st, col, &v);
    if (s != DAL_OK)
        return s;
    if (v < INT16_MIN || v > INT16_MAX)
        return dal__err(st->db, DAL_ERROR, "column %d: %lld out of range for int16", col,
                        (long long)v);
    *out = (int16_t)v;
    return DAL_OK;
}

dal_status dal_col_int32(dal_stmt *st, int col, int32_t *out)
{
    int64_t v;
    dal_status s = col_int(st, col, &v);
    if (s != DAL_OK)
        return s;
    if (v < INT32_MIN || v > INT32_MAX)
        return dal__err(st->db, DAL_ERROR, "column %d: %lld out of range for int32", col,
                        (long long)v);
    *out = (int32_t)v;
    return DAL_OK;
}

dal_status dal_col_int64(dal_stmt *st, int col, int64_t *out) { return col_int(st, col, out); }

dal_status dal_col_float64(dal_stmt *st, int col, double *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (IS_SQ(st))
        return dal__sq_col_float(st, col, out);
    if (dal__pg_is_null(st, col))
        return col_null_err(st, col);
    return dal__pg_col_float(st, col, out);
}

dal_status dal_col_float32(dal_stmt *st, int col, float *out)
{
    double d;
    dal_status s = dal_col_float64(st, col, &d);
    if (s == DAL_OK)
        *out = (float)d;
    return s;
}

dal_status dal_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    if (!st || !out)
        return DAL_MISUSE;
    size_t dummy;
    if (!len)
        len = &dummy;
    if (IS_SQ(st))
        return dal__sq_col_text(st, col, out, len);
    if (dal__pg_is_null(st, col)) {
        *out = NULL;
        *len = 0;
        return col_null_err(st, col);
    }
    return IS_SQ(st) ? dal__sq_col_text(st, col, out, len) : dal__pg_col_text(st, col, out, len);
}

dal_status dal_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    if (!st || !out || !len)
        return DAL_MISUSE;
    if (IS_SQ(st))
        return dal__sq_col_bytes(st, col, out, len);
    if (dal__pg_is_null(st, col)) {
        *out = NULL;
        *len = 0;
        return col_null_err(st, col);
    }
    return IS_SQ(st) ? dal__sq_col_bytes(st, col, out, len) : dal__pg_col_bytes(st, col, out, len);
}

dal_status dal_col_uuid(dal_stmt *st, int col, char out[37])
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col)) {
        out[0] = '\0';
        return col_null_err(st, col);
    }
    if (!IS_SQ(st))
        return dal__pg_col_uuid(st, col, out);
    const char *p;
    size_t n;
    bool blob = sqlite3_column_type(st->ss, col) == SQLITE_BLOB;
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

dal_status dal_col_time(dal_stmt *st, int col, dal_time *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col))
        return col_null_err(st, col);
    return IS_SQ(st) ? dal__sq_col_time(st, col, out) : dal__pg_col_time(st, col, out);
}

dal_status dal_col_date(dal_stmt *st, int col, dal_date *out)
{
    if (!st || !out)
        return DAL_MISUSE;
    if (dal_col_is_null(st, col))
        return col_null_err(st, col);
    return IS_SQ(st) ? dal__sq_col_date(st, col, out) : dal__pg_col_date(st, col, out);
}

/* ---------------------------------------------------------------------- */
/* conversions                                                             */
/* ---------------------------------------------------------------------- */

/* Howard Hinnant's algorithms, proleptic Gregorian. */
int64_t dal__days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int dal__civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
    return 0;
}

static int days_in_month(int y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool dal__parse_date(const char *s, size_t len, dal_date *out)
{
    int y, m, d;
    if (len < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
        return false;
    *out = (dal_date)dal__days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

void dal__format_date(dal_date dd, char out[16])
{
    int y;
    unsigned m, d;
    dal__civil_from_days(dd, &y, &m, &d);
    /* by hand: fast, and no truncation warnings (|y| < 6e6 fits in 16) */
    char *o = out;
    long yy = y;
    if (yy < 0) {
        *o++ = '-';
        yy = -yy;
    }
    char dig[12];
    int nd = 0;
    do {
        dig[nd++] = (char)('0' + yy % 10);
        yy /= 10;
    } while (yy > 0);
    while (nd < 4)
        dig[nd++] = '0';
    while (nd > 0)
        *o++ = dig[--nd];
    *o++ = '-';
    *o++ = (char)('0' + m / 10);
    *o++ = (char)('0' + m % 10);
    *o++ = '-';
    *o++ = (char)('0' + d / 10);
    *o++ = (char)('0' + d % 10);
    *o = '\0';
}

/* "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|+HH[:MM]|-HH[:MM]]" */
bool dal__parse_time(const char *s, size_t len, dal_time *out)
{
    dal_date d;
    if (!dal__parse_date(s, len, &d))
        return false;
    int64_t us = (int64_t)d * 86400 * 1000000;
    if (len == 10) {
        *out = us;
        return true;
    }
    int hh, mi, ss;
    if (len < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
        !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &ss))
        return false;
    us += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        i++;
        int64_t frac = 0, scale = 100000;
        while (i < len && isdigit((unsigned char)s[i])) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        us += frac;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z'))
        i++;
    else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh = 0, om = 0;
        i++;
        if (i + 2 > len || !digits(s + i, 2, &oh))
            return false;
        i += 2;
        if (i < len && s[i] == ':')
            i++;
        if (i + 2 <= len && digits(s + i, 2, &om))
            i += 2;
        us -= sign * ((int64_t)oh * 3600 + om * 60) * 1000000;
    }
    if (i != len)
        return false;
    *out = us;
    return true;
}

void dal__format_time(dal_time t, char out[40])
{
    int64_t day = t / 86400000000LL, rem = t % 86400000000LL;
    if (rem < 0) {
        rem += 86400000000LL;
        day--;
    }
    char ds[16];
    dal__format_date((dal_date)day, ds);
    int64_t secs = rem / 1000000;
    snprintf(out, 40, "%s %02d:%02d:%02d.%06d+00", ds, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), (int)(rem % 1000000));
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Canonical 8-4-4-4-12 (any case), or 32 hex digits, or {...}. */
bool dal__parse_uuid(const char *s, size_t len, unsigned char out[16])
{
    if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
        s++;
        len -= 2;
    }
    bool dashed = len == 36;
    if (!dashed && len != 32)
        return false;
    size_t j = 0;
    for (size_t i = 0; i < len;) {
        if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (s[i] != '-')
                return false;
            i++;
            continue;
        }
        int h = hexval((unsigned char)s[i]), l = hexval((unsigned char)s[i + 1]);
        if (h < 0 || l < 0)
            return false;
        out[j++] = (unsigned char)(h * 16 + l);
        i += 2;
    }
    return j == 16;
}

void dal__format_uuid(const unsigned char in[16], char out[37])
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[in[i] >> 4];
        out[o++] = hx[in[i] & 15];
    }
    out[o] = '\0';
}

/* ---------------------------------------------------------------------- */
/* straight-line readers (generated per-table row readers)                 */
/* ---------------------------------------------------------------------- */

/* The SQLite value of column col, or NULL for the slow path (PostgreSQL, a
 * column out of range).  *ct is its storage class. */
static inline sqlite3_value *sq_value(dal_stmt *st, int col, int *ct)
{
    if (!st || !st->ss || col < 0 || col >= st->sq_ncols)
        return NULL;
    sqlite3_value *v = sqlite3_column_value(st->ss, col);
    *ct = sqlite3_value_type(v);
    return v;
}

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

/* The SQLite fast path: NULL, or the expected storage class. */
#define OPT_FAST(cond, expr)                                                                   \
    do {                                                                                       \
        int ct_;                                                                               \
        sqlite3_value *v_ = sq_value(st, col, &ct_);                                           \
        if (v_ && out) {                                                                       \
            if (ct_ == SQLITE_NULL) {                                                          \
                *out = 0;                                                                      \
                if (has)                                                                       \
                    *has = false;                                                              \
                return DAL_OK;                                                                 \
            }                                                                                  \
            if (cond) {                                                                        \
                *out = expr;                                                                   \
                if (has)                                                                       \
                    *has = true;                                                               \
                return DAL_OK;                                                                 \
            }                                                                                  \
        }                                                                                      \
    } while (0)

/* The PostgreSQL fast path (dal__pg_opt): NULL, or the expected wire type. */
#define OPT_PG(type, zero)                                                                     \
    do {                                                                                       \
        if (st && !st->ss && out) {                                                            \
            int h_ = dal__pg_opt(st, col, type, out, NULL, NULL);                              \
            if (h_) {                                                                          \
                if (h_ == 1)                                                                   \
                    *out = zero;                                                               \
                if (has)                                                                       \
                    *has = h_ == 2;                                                            \
                return DAL_OK;                                                                 \
            }                                                                                  \
        }                                                                                      \
    } while (0)

dal_status dal_col_opt_bool(dal_stmt *st, int col, bool *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_INTEGER, sqlite3_value_int64(v_) != 0);
    OPT_PG(DAL_T_BOOL, false);
    OPT_SLOW(dal_col_bool, false);
}

dal_status dal_col_opt_int16(dal_stmt *st, int col, int16_t *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_INTEGER && sqlite3_value_int64(v_) >= INT16_MIN &&
                 sqlite3_value_int64(v_) <= INT16_MAX,
             (int16_t)sqlite3_value_int64(v_));
    OPT_PG(DAL_T_INT16, 0);
    OPT_SLOW(dal_col_int16, 0);
}

dal_status dal_col_opt_int32(dal_stmt *st, int col, int32_t *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_INTEGER && sqlite3_value_int64(v_) >= INT32_MIN &&
                 sqlite3_value_int64(v_) <= INT32_MAX,
             (int32_t)sqlite3_value_int64(v_));
    OPT_PG(DAL_T_INT32, 0);
    OPT_SLOW(dal_col_int32, 0);
}

dal_status dal_col_opt_int64(dal_stmt *st, int col, int64_t *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_INTEGER, sqlite3_value_int64(v_));
    OPT_PG(DAL_T_INT64, 0);
    OPT_SLOW(dal_col_int64, 0);
}

dal_status dal_col_opt_float32(dal_stmt *st, int col, float *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_FLOAT || ct_ == SQLITE_INTEGER, (float)sqlite3_value_double(v_));
    OPT_PG(DAL_T_FLOAT32, 0);
    OPT_SLOW(dal_col_float32, 0);
}

dal_status dal_col_opt_float64(dal_stmt *st, int col, double *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_FLOAT || ct_ == SQLITE_INTEGER, sqlite3_value_double(v_));
    OPT_PG(DAL_T_FLOAT64, 0);
    OPT_SLOW(dal_col_float64, 0);
}

dal_status dal_col_opt_time(dal_stmt *st, int col, dal_time *out, bool *has)
{
    OPT_FAST(ct_ == SQLITE_INTEGER, sqlite3_value_int64(v_));
    OPT_PG(DAL_T_TIME, 0);
    OPT_SLOW(dal_col_time, 0);
}

dal_status dal_col_opt_date(dal_stmt *st, int col, dal_date *out, bool *has)
{
    OPT_PG(DAL_T_DATE, 0);
    OPT_SLOW(dal_col_date, 0);
}

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
    int ct;
    sqlite3_value *v = sq_value(st, col, &ct);
    if (v) {
        if (ct == SQLITE_NULL)
            return DAL_OK;
        const char *p = (const char *)sqlite3_value_text(v);
        if (!p)
            return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
        *out = p;
        *len = (size_t)sqlite3_value_bytes(v);
        return DAL_OK;
    }
    if (!st->ss) {
        int h = dal__pg_opt(st, col, DAL_T_TEXT, NULL, out, len);
        if (h)
            return DAL_OK;
    }
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
    int ct;
    sqlite3_value *v = sq_value(st, col, &ct);
    if (v) {
        if (ct == SQLITE_NULL)
            return DAL_OK;
        const unsigned char *p = sqlite3_value_blob(v);
        size_t n = (size_t)sqlite3_value_bytes(v);
        if (!p) {
            if (n != 0)
                return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
            p = (const unsigned char *)""; /* an empty blob is not NULL */
        }
        *out = p;
        *len = n;
        return DAL_OK;
    }
    if (!st->ss) {
        const char *p = NULL;
        int h = dal__pg_opt(st, col, DAL_T_BYTES, NULL, &p, len);
        if (h == 2)
            *out = (const unsigned char *)p;
        if (h)
            return DAL_OK;
    }
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

dal_status dal_row_values(dal_stmt *st, dal_value *out, int n)
{
    if (!st)
        return DAL_MISUSE;
    if (!out || n < 0)
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: bad arguments");
    if (!st->ss)
        return dal__pg_row_values(st, out, n);
    if (n > st->sq_ncols)
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: %d columns asked, %d in the row", n,
                        st->sq_ncols);
    sqlite3_stmt *ss = st->ss;
    for (int k = 0; k < n; k++) {
        dal_value *o = &out[k];
        sqlite3_value *v = sqlite3_column_value(ss, k);
        o->p = NULL; /* (len is only meaningful with p) */
        switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER:
            o->kind = DAL_V_INT;
            o->i = sqlite3_value_int64(v);
            break;
        case SQLITE_FLOAT:
            o->kind = DAL_V_FLOAT;
            o->f = sqlite3_value_double(v);
            break;
        case SQLITE_TEXT:
            o->kind = DAL_V_TEXT;
            o->p = (const char *)sqlite3_value_text(v);
            if (!o->p)
                return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", k);
            o->len = (size_t)sqlite3_value_bytes(v);
            break;
        case SQLITE_BLOB:
            o->kind = DAL_V_BYTES;
            o->p = sqlite3_value_blob(v);
            o->len = (size_t)sqlite3_value_bytes(v);
            if (!o->p) {
                if (o->len != 0)
                    return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", k);
                o->p = ""; /* an empty blob is not NULL */
            }
            break;
        default:
            o->kind = DAL_V_NULL;
            break;
        }
    }
    return DAL_OK;
}
