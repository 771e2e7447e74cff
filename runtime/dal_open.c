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

dal_status dal_open(const char *url, dal_db **out)
{
    if (!out)
        return DAL_MISUSE;
    *out = NULL;
    if (!url || !*url) {
        const char *env = getenv("DATABASE_URL");
        url = env && *env ? env : "sqlite:" DAL_DEFAULT_SQLITE_PATH;
    }
    /* sqlite:... is SQLite; anything else goes to libpq unchanged */
    bool sqlite = strncmp(url, "sqlite:", 7) == 0;
    const dal_engine *eng = sqlite ? &dal__sqlite_engine : &dal__pg_engine;
    dal_db *db = calloc(1, eng->db_size);
    if (!db)
        return DAL_NOMEM;
    db->eng = eng;
    db->dialect = eng->dialect;
    db->busy_retries = 5;
    *out = db;
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
