/*
 * dal_list.c - list parameters of named queries (`<column> IN (:ids)`):
 * the whole list travels as ONE bound text parameter, whatever its length:
 * a PostgreSQL array literal ('{1,2,3}', for `= ANY($n::bigint[])`) or a
 * JSON array for SQLite ('[1,2,3]', for `IN (SELECT value FROM
 * json_each(?n))`).  Built on the public API of dal.h and the leaf dal_buf.h.
 */
#include "dal.h"
#include "dal_buf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends n bytes through the runtime's string buffer, on the list's own
 * fields (dal_list is public; a failure is kept in l->failed). */
static void put(dal_list *l, const char *s, size_t n)
{
    if (l->failed)
        return;
    dal_sbuf b = {l->text, l->len, l->cap, false};
    dal__sb_add(&b, s, n);
    if (b.oom) {
        l->failed = DAL_NOMEM;
        return;
    }
    l->text = b.p;
    l->len = b.len;
    l->cap = b.cap;
}

static void sep(dal_list *l)
{
    if (l->n++ > 0)
        put(l, ",", 1);
}

void dal_list_init(dal_list *l, const dal_db *db)
{
    memset(l, 0, sizeof *l);
    l->pg = dal_dialect_of(db) == DAL_POSTGRES;
}

void dal_list_int64(dal_list *l, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%" PRId64, v);
    sep(l);
    put(l, b, (size_t)n);
}

void dal_list_bool(dal_list *l, bool v)
{
    sep(l);
    if (l->pg)
        put(l, v ? "t" : "f", 1);
    else
        put(l, v ? "1" : "0", 1);
}

void dal_list_text(dal_list *l, const char *s)
{
    if (!s) {
        if (!l->failed)
            l->failed = DAL_MISUSE;
        return;
    }
    sep(l);
    put(l, "\"", 1);
    for (const char *p = s; *p && !l->failed; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(l, e, 2);
        } else if (!l->pg && c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            put(l, e, 6);
        } else
            put(l, (const char *)p, 1);
    }
    put(l, "\"", 1);
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* days since 1970-01-01 -> y, m, d (proleptic Gregorian) */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

void dal_list_date(dal_list *l, dal_date v)
{
    if (v < DAL_DATE_MIN || v > DAL_DATE_MAX) {
        if (!l->failed)
            l->failed = DAL_CHECK;
        return;
    }
    int y, m, d;
    civil(v, &y, &m, &d);
    char b[16];
    int n = snprintf(b, sizeof b, "\"%04d-%02d-%02d\"", y, m, d);
    sep(l);
    put(l, b, (size_t)n);
}

void dal_list_time(dal_list *l, dal_time v)
{
    if (v < DAL_TIME_MIN || v > DAL_TIME_MAX) {
        if (!l->failed)
            l->failed = DAL_CHECK;
        return;
    }
    if (!l->pg) { /* SQLite stores microseconds since 1970 */
        dal_list_int64(l, v);
        return;
    }
    int64_t days = floordiv(v, 86400000000LL);
    int64_t us = v - days * 86400000000LL;
    int y, m, d;
    civil(days, &y, &m, &d);
    char b[48];
    int n = snprintf(b, sizeof b, "\"%04d-%02d-%02d %02d:%02d:%02d.%06d+00\"", y, m, d,
                     (int)(us / 3600000000LL), (int)(us / 60000000LL % 60),
                     (int)(us / 1000000 % 60), (int)(us % 1000000));
    sep(l);
    put(l, b, (size_t)n);
}

dal_status dal_list_finish(dal_list *l, dal_db *db, const char *fn)
{
    put(l, "  ", 2); /* room for the brackets: {..} or [..] */
    if (!l->failed) {
        memmove(l->text + 1, l->text, l->len - 2);
        l->text[0] = l->pg ? '{' : '[';
        l->text[l->len - 1] = l->pg ? '}' : ']';
        return DAL_OK;
    }
    dal_status s = (dal_status)l->failed;
    const char *why = s == DAL_NOMEM ? "out of memory"
                      : s == DAL_CHECK ? "a list element is out of the supported range"
                                       : "a list element is NULL or out of range";
    dal_list_free(l);
    return dal_set_error(db, s, "%s: %s", fn, why);
}

void dal_list_free(dal_list *l)
{
    free(l->text);
    memset(l, 0, sizeof *l);
}
