/*
 * dal_sqlite.c - the SQLite engine of the runtime.
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

#include "dal_internal.h"

dal_status dal__sq_status(int rc)
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

static dal_status sq_err(dal_db *db, int rc)
{
    return dal__err(db, dal__sq_status(rc), "%s", sqlite3_errmsg(db->sq));
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

dal_status dal__sq_open(dal_db *db, const char *spec)
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
    int rc = sqlite3_open_v2(path, &db->sq, flags, NULL);
    if (rc != SQLITE_OK) {
        dal_status s;
        if (!db->sq)
            s = dal__err(db, DAL_NOMEM, "out of memory");
        else
            s = dal__err(db, dal__sq_status(sqlite3_extended_errcode(db->sq)),
                         "cannot open sqlite database %s: %s", path, sqlite3_errmsg(db->sq));
        free(path);
        return s;
    }
    free(path);
    sqlite3_extended_result_codes(db->sq, 1);
    sqlite3_busy_timeout(db->sq, atoi(opts[0].val));
    char sql[512];
    bool ro = strcmp(mode, "ro") == 0;
    if (!ro) {
        snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", opts[1].val);
        rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return sq_err(db, sqlite3_extended_errcode(db->sq));
    }
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous=%s; PRAGMA foreign_keys=%s; PRAGMA temp_store=%s; "
             "PRAGMA cache_size=%s",
             opts[2].val, opts[3].val, opts[4].val, opts[5].val);
    rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_err(db, sqlite3_extended_errcode(db->sq));
    return DAL_OK;
}

void dal__sq_close(dal_db *db)
{
    if (db->sq)
        sqlite3_close_v2(db->sq);
    db->sq = NULL;
}

dal_status dal__sq_exec(dal_db *db, const char *sql)
{
    uint64_t t0 = dal__now_us();
    char *msg = NULL;
    int rc = sqlite3_exec(db->sq, sql, NULL, NULL, &msg);
    dal_status s = DAL_OK;
    if (rc != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(db->sq);
        s = dal__err(db, dal__sq_status(ext ? ext : rc), "%s",
                     msg ? msg : sqlite3_errstr(rc));
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

dal_status dal__sq_prepare(dal_db *db, dal_stmt *st)
{
    char *sql = rewrite_params(st->q->sql);
    if (!sql)
        return dal__err(db, DAL_NOMEM, "out of memory");
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->ss, &tail);
    if (rc != SQLITE_OK) {
        dal_status s = dal__err(db, dal__sq_status(sqlite3_extended_errcode(db->sq)),
                                "%s (in: %.200s)", sqlite3_errmsg(db->sq), st->q->sql);
        free(sql);
        return s;
    }
    while (tail && *tail && (isspace((unsigned char)*tail) || *tail == ';'))
        tail++;
    bool extra = tail && *tail;
    free(sql);
    if (!st->ss)
        return dal__err(db, DAL_MISUSE, "empty statement");
    if (extra)
        return dal__err(db, DAL_MISUSE, "dal_query holds more than one statement");
    if (sqlite3_bind_parameter_count(st->ss) > st->nparams)
        return dal__err(db, DAL_MISUSE, "statement has %d parameters, dal_query says %d",
                        sqlite3_bind_parameter_count(st->ss), st->nparams);
    if (st->nparams > 0) {
        st->scratch = malloc((size_t)st->nparams * 40);
        if (!st->scratch)
            return dal__err(db, DAL_NOMEM, "out of memory");
    }
    return DAL_OK;
}

void dal__sq_bind(dal_stmt *st, int i, const dal_param *p)
{
    sqlite3_stmt *s = st->ss;
    int rc = SQLITE_OK;
    char *scr = st->scratch + (size_t)(i - 1) * 40;
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
    if (rc != SQLITE_OK && st->pending == DAL_OK) {
        st->pending = rc == SQLITE_TOOBIG ? DAL_ERROR : rc == SQLITE_NOMEM ? DAL_NOMEM
                                                                              : DAL_MISUSE;
        snprintf(st->pending_msg, sizeof st->pending_msg, "bind parameter %d: %s", i,
                 sqlite3_errstr(rc));
    }
}

dal_status dal__sq_step(dal_stmt *st, bool *has_row)
{
    int rc = sqlite3_step(st->ss);
    st->need_reset = true;
    if (rc == SQLITE_ROW) {
        st->running = true;
        *has_row = true;
        return DAL_OK;
    }
    st->running = false;
    if (rc == SQLITE_DONE) {
        if (!sqlite3_stmt_readonly(st->ss))
            st->changes = (int64_t)sqlite3_changes64(st->db->sq);
        return DAL_OK; /* finished; dal_stmt_done resets it */
    }
    int ext = sqlite3_extended_errcode(st->db->sq);
    dal_status s = dal__err(st->db, dal__sq_status(ext ? ext : rc), "%s", sqlite3_errmsg(st->db->sq));
    sqlite3_reset(st->ss);
    st->need_reset = false;
    return s;
}

void dal__sq_done(dal_stmt *st)
{
    if (st->need_reset)
        sqlite3_reset(st->ss);
    st->need_reset = false;
    if (st->nparams > 0)
        sqlite3_clear_bindings(st->ss);
}

bool dal__sq_is_null(dal_stmt *st, int col)
{
    return sqlite3_column_type(st->ss, col) == SQLITE_NULL;
}

static dal_status null_err(dal_stmt *st, int col)
{
    return dal__err(st->db, DAL_ERROR, "column %d is NULL", col);
}

dal_status dal__sq_col_int(dal_stmt *st, int col, int64_t *out)
{
    int t = sqlite3_column_type(st->ss, col);
    if (t == SQLITE_NULL)
        return null_err(st, col);
    if (t == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(st->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_FLOAT) {
        double d = sqlite3_column_double(st->ss, col);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return DAL_OK;
        }
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(st->ss, col);
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

dal_status dal__sq_col_float(dal_stmt *st, int col, double *out)
{
    int t = sqlite3_column_type(st->ss, col);
    if (t == SQLITE_NULL)
        return null_err(st, col);
    if (t == SQLITE_FLOAT || t == SQLITE_INTEGER) {
        *out = sqlite3_column_double(st->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(st->ss, col);
        char *end;
        double d = p ? strtod(p, &end) : 0;
        if (p && *p && !*end) {
            *out = d;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a number", col);
}

dal_status dal__sq_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    const char *p = (const char *)sqlite3_column_text(st->ss, col);
    if (!p) {
        *out = NULL;
        *len = 0;
        if (sqlite3_column_type(st->ss, col) == SQLITE_NULL)
            return null_err(st, col);
        return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
    }
    *out = p;
    *len = (size_t)sqlite3_column_bytes(st->ss, col);
    return DAL_OK;
}

dal_status dal__sq_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    const unsigned char *p = sqlite3_column_blob(st->ss, col);
    int n = sqlite3_column_bytes(st->ss, col);
    if (!p) {
        *out = NULL;
        *len = 0;
        if (sqlite3_column_type(st->ss, col) == SQLITE_NULL)
            return null_err(st, col);
        if (n != 0)
            return dal__err(st->db, DAL_NOMEM, "out of memory reading column %d", col);
        p = (const unsigned char *)""; /* an empty blob is not NULL */
    }
    *out = p;
    *len = (size_t)n;
    return DAL_OK;
}

dal_status dal__sq_col_time(dal_stmt *st, int col, dal_time *out)
{
    int t = sqlite3_column_type(st->ss, col);
    if (t == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(st->ss, col);
        return DAL_OK;
    }
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(st->ss, col);
        if (p && dal__parse_time(p, (size_t)sqlite3_column_bytes(st->ss, col), out))
            return DAL_OK;
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a timestamp", col);
}

dal_status dal__sq_col_date(dal_stmt *st, int col, dal_date *out)
{
    int t = sqlite3_column_type(st->ss, col);
    if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(st->ss, col);
        int n = sqlite3_column_bytes(st->ss, col);
        if (p && n == 10 && dal__parse_date(p, 10, out))
            return DAL_OK;
    }
    if (t == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(st->ss, col);
        if (v >= INT32_MIN && v <= INT32_MAX) {
            *out = (dal_date)v;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d is not a date", col);
}
