/*
 * dal_error.c - status names, connection error messages (scrubbed of
 * passwords) and the logger's error line.  A leaf of the runtime: it calls
 * nothing outside this file.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dal_internal.h"

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

/* The message of db's last call: formatted, scrubbed of passwords, and
 * given to the logger when it is an error.  Engine messages (trim) lose
 * their trailing newlines; a caller's own (dal_set_error) is kept as given. */
static dal_status set_msg(dal_db *db, dal_status s, bool trim, const char *fmt, va_list ap)
{
    if (!db)
        return s;
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    db->err_code = 0;
    db->err_sqlstate[0] = db->err_constraint[0] = db->err_table[0] = db->err_column[0] = '\0';
    if (trim) {
        size_t n = strlen(db->err);
        while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
            db->err[--n] = '\0';
    }
    dal__scrub(db->err);
    db->last = s;
    if (s != DAL_OK && s != DAL_NOT_FOUND)
        dal__log(db, DAL_LOG_ERROR, db->err);
    return s;
}

dal_status dal__err(dal_db *db, dal_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s = set_msg(db, s, true, fmt, ap);
    va_end(ap);
    return s;
}

dal_status dal_set_error(dal_db *db, dal_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dal_status s = set_msg(db, status, false, fmt, ap);
    va_end(ap);
    return s;
}

const char *dal_errmsg(const dal_db *db)
{
    if (!db)
        return "no connection (out of memory?)";
    return db->err;
}

static void copy_name(char *dst, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= DAL_ERRNAME_MAX)
        n = DAL_ERRNAME_MAX - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void dal__err_detail(dal_db *db, int code, const char *sqlstate, const char *constraint,
                     const char *table, const char *column)
{
    if (!db)
        return;
    db->err_code = code;
    snprintf(db->err_sqlstate, sizeof db->err_sqlstate, "%s",
             sqlstate && strlen(sqlstate) == 5 ? sqlstate : "");
    copy_name(db->err_constraint, constraint);
    copy_name(db->err_table, table);
    copy_name(db->err_column, column);
}

/* A detail of the last call's error, NULL when it has none (or succeeded). */
static const char *detail(const dal_db *db, const char *field)
{
    return db && db->last != DAL_OK && field[0] ? field : NULL;
}

const char *dal_errconstraint(const dal_db *db) { return db ? detail(db, db->err_constraint) : NULL; }
const char *dal_errtable(const dal_db *db) { return db ? detail(db, db->err_table) : NULL; }
const char *dal_errcolumn(const dal_db *db) { return db ? detail(db, db->err_column) : NULL; }
const char *dal_errsqlstate(const dal_db *db) { return db ? detail(db, db->err_sqlstate) : NULL; }
int dal_errcode(const dal_db *db) { return db && db->last != DAL_OK ? db->err_code : 0; }

void dal__log(dal_db *db, dal_log_level lvl, const char *msg)
{
    if (db && db->log_fn)
        db->log_fn(db->log_ctx, lvl, msg);
}
