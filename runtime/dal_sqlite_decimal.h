/*
 * dal_sqlite_decimal.h - what SQLite needs for decimal columns: the
 * dal_decimal collation (numeric order) and the dal_decimal() function
 * (canonical form), written once for the two places that register them:
 * the runtime's connections (dal_sqlite.c, after sqlite3.h) and the
 * loadable extension for other SQLite programs (ext/dal_decimal.c, after
 * sqlite3ext.h).  Static functions only; needs dal_codec.h.
 */
#ifndef DAL_SQLITE_DECIMAL_H
#define DAL_SQLITE_DECIMAL_H

#include "dal_codec.h"

/* The collation of decimal columns (TEXT COLLATE dal_decimal): numeric
 * order, so <, ORDER BY, min, max, GROUP BY and indexes see numbers. */
static int sq_decimal_coll(void *u, int na, const void *a, int nb, const void *b)
{
    (void)u;
    return dal__decimal_cmp(a, (size_t)na, b, (size_t)nb);
}

/* dal_decimal(x) / dal_decimal(x, precision, scale): x in the canonical form
 * the runtime stores (NULL stays NULL); an error for text that is not a
 * finite decimal or does not fit.  Migrations use it to convert values
 * written before the runtime canonicalized them. */
static void sq_decimal_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    int p = argc == 3 ? sqlite3_value_int(argv[1]) : -1, sc = argc == 3 ? sqlite3_value_int(argv[2]) : -1;
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    if (!v) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    long n = dal__decimal_canon(v, len, p, sc, NULL, 0);
    char *out = n >= 0 ? sqlite3_malloc64((sqlite3_uint64)n + 1) : NULL;
    if (n < 0) {
        char *msg = sqlite3_mprintf("dal_decimal: \"%.60s\" %s", v,
                                    n == DAL_DEC_SYNTAX ? "is not a decimal number"
                                                        : "is out of range");
        sqlite3_result_error(cx, msg ? msg : "dal_decimal: bad value", -1);
        sqlite3_free(msg);
        return;
    }
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    dal__decimal_canon(v, len, p, sc, out, (size_t)n + 1);
    sqlite3_result_text(cx, out, (int)n, sqlite3_free);
}

/* Registers both on a connection (docs/types.md). */
static int dal__sq_decimal_register(sqlite3 *sq)
{
    int rc = sqlite3_create_collation_v2(sq, "dal_decimal", SQLITE_UTF8, NULL, sq_decimal_coll,
                                         NULL);
    for (int argc = 1; rc == SQLITE_OK && argc <= 3; argc += 2)
        rc = sqlite3_create_function_v2(sq, "dal_decimal", argc,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sq_decimal_fn,
                                        NULL, NULL, NULL);
    return rc;
}

#endif
