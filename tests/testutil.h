/*
 * testutil.h - what every test binary shares: cmocka, the harness's
 * environment (tests/run.sh) and small file helpers.
 */
#ifndef DALC_TESTUTIL_H
#define DALC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* $DALC_TEST_PG: libpq URL of the harness's PostgreSQL server. */
static inline const char *test_pg_url(void)
{
    const char *u = getenv("DALC_TEST_PG");
    if (!u || !*u) {
        fprintf(stderr, "DALC_TEST_PG is not set: run the suite with `make test`\n");
        return "postgresql:///postgres";
    }
    return u;
}

/* $DALC_TEST_TMP/name in buf (a fresh scratch dir per test binary). */
static inline const char *test_tmp_path(char *buf, size_t n, const char *name)
{
    const char *t = getenv("DALC_TEST_TMP");
    snprintf(buf, n, "%s/%s", t && *t ? t : "/tmp", name);
    return buf;
}

/* $DALC_BUILD (e.g. build/san). */
static inline const char *test_build_dir(void)
{
    const char *b = getenv("DALC_BUILD");
    return b && *b ? b : "build/san";
}

/* Reads a whole file; NULL when missing.  Caller frees. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static inline int test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

#endif
