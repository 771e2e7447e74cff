/*
 * dal_open.c - opening and closing connections: the one place that knows
 * which engines exist.  dal_open picks the engine from the URL and hands the
 * connection its table of operations (dal_engine); from then on the shared
 * layer reaches the engine through that table only.  Top of the runtime's
 * layers (docs/architecture.md): nothing below calls into this file.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <stdlib.h>
#include <string.h>

#include "dal_internal.h"

typedef enum url_kind { URL_SQLITE, URL_PG, URL_BAD } url_kind;

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A libpq conninfo string starts with a keyword and '=' ("host=/tmp ..."). */
static bool is_conninfo(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    const char *k = s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
           *s == '_')
        s++;
    if (s == k)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '=';
}

/* Which engine url names.  Only the documented forms are accepted: anything
 * else would reach libpq and fail there as a socket error, or (sqlite://)
 * name a file nobody meant. */
static url_kind classify(const char *url)
{
    if (starts_with(url, "sqlite:"))
        return url[7] && !starts_with(url + 7, "//") ? URL_SQLITE : URL_BAD;
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://") || is_conninfo(url))
        return URL_PG;
    return URL_BAD;
}

#define ACCEPTED                                                                               \
    "the accepted forms are sqlite:PATH (sqlite:app.db, sqlite:/var/lib/app.db), "             \
    "sqlite::memory:, postgresql://..., postgres://... and libpq key=value strings "           \
    "(host=... dbname=...)"

/* The message for a refused URL; it names the scheme only, never what
 * follows it (a password may). */
static dal_status refuse(dal_db *db, const char *url)
{
    if (starts_with(url, "sqlite://"))
        return dal__err(db, DAL_MISUSE,
                        "unsupported database URL sqlite://...: write sqlite:PATH (sqlite:app.db "
                        "is app.db in the current directory); %s",
                        ACCEPTED);
    if (strcmp(url, "sqlite:") == 0)
        return dal__err(db, DAL_MISUSE, "database URL sqlite: names no file; %s", ACCEPTED);
    size_t scheme = strcspn(url, ":/@?= \t");
    bool filelike = (scheme == 4 && strncmp(url, "file", 4) == 0) ||
                    (scheme == 7 && strncmp(url, "sqlite3", 7) == 0);
    if (url[scheme] == ':' && scheme > 0 && scheme <= 20)
        return dal__err(db, DAL_MISUSE, "unsupported database URL scheme %.*s:%s; %s",
                        (int)scheme, url, filelike ? " (for a SQLite file write sqlite:PATH)" : "",
                        ACCEPTED);
    if (!strpbrk(url, "@=:") && strlen(url) <= 200)
        return dal__err(db, DAL_MISUSE,
                        "\"%s\" is not a database URL (for a SQLite file write sqlite:%s); %s",
                        url, url, ACCEPTED);
    return dal__err(db, DAL_MISUSE, "unsupported database URL; %s", ACCEPTED);
}

dal_status dal_open(const char *url, dal_db **out)
{
    if (!out)
        return DAL_MISUSE;
    *out = NULL;
    if (!url || !*url) {
        const char *env = getenv("DATABASE_URL");
        url = env && *env ? env : "sqlite:" DAL_DEFAULT_SQLITE_PATH;
    }
    url_kind kind = classify(url);
    bool sqlite = kind != URL_PG; /* a refused URL gets an unopened SQLite handle */
    const dal_engine *eng = sqlite ? &dal__sqlite_engine : &dal__pg_engine;
    dal_db *db = calloc(1, eng->db_size);
    if (!db)
        return DAL_NOMEM;
    db->eng = eng;
    db->dialect = eng->dialect;
    db->busy_retries = 5;
    *out = db;
    if (kind == URL_BAD)
        return refuse(db, url);
    dal_status s = eng->open(db, sqlite ? url + 7 : url);
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
    dal__ins_free(db);
    db->eng->close(db);
    free(db);
}
