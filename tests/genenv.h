/*
 * genenv.h - what the tests of generated code (test_crud.c, test_roundtrip.c)
 * share: a connection to either engine with the example schema created in
 * an empty database, and a way to empty every table between tests.
 *
 * SQLite: a fresh file in $DALC_TEST_TMP.  PostgreSQL: a fresh schema
 * (dropped first) on $DALC_TEST_PG, selected with search_path.
 */
#ifndef DALC_GENENV_H
#define DALC_GENENV_H

#include <stdbool.h>

#include "testutil.h"

#include "schema.h"

typedef struct genv {
    dal_db *db;
    bool pg;
} genv;

/* Fails the test, showing the engine's message, unless expr gives want. */
#define EXPECT(db, expr, want)                                                                     \
    do {                                                                                           \
        dal_status s_ = (expr);                                                                    \
        if (s_ != (want)) {                                                                        \
            print_error("%s:%d: %s -> %s, expected %s: %s\n", __FILE__, __LINE__, #expr,          \
                        dal_status_name(s_), dal_status_name(want), dal_errmsg(db));               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static inline int genv_open(void **state, bool pg, const char *name)
{
    genv *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->pg = pg;
    char url[8192], path[4096];
    if (pg) {
        snprintf(url, sizeof url, "%s", test_pg_url());
    } else {
        char file[256];
        snprintf(file, sizeof file, "%s.db", name);
        test_tmp_path(path, sizeof path, file);
        remove(path);
        snprintf(url, sizeof url, "sqlite:%s", path);
    }
    dal_status s = dal_open(url, &e->db);
    if (s != DAL_OK) {
        fprintf(stderr, "genv_open: %s: %s\n", dal_status_name(s),
                e->db ? dal_errmsg(e->db) : "");
        dal_close(e->db);
        free(e);
        return -1;
    }
    if (pg) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS \"%s\" CASCADE; CREATE SCHEMA \"%s\"; "
                 "SET search_path TO \"%s\"",
                 name, name, name);
        s = dal_exec(e->db, sql);
    }
    if (s == DAL_OK)
        s = schema_create(e->db);
    if (s != DAL_OK) {
        fprintf(stderr, "genv_open: schema: %s: %s\n", dal_status_name(s), dal_errmsg(e->db));
        dal_close(e->db);
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}

static inline int genv_close(void **state)
{
    genv *e = *state;
    if (e) {
        dal_close(e->db);
        free(e);
    }
    *state = NULL;
    return 0;
}

/* Empties every table (children first; every foreign key of the example
 * schema cascades or sets NULL, so any order works). */
static inline int genv_clean(void **state)
{
    genv *e = *state;
    while (dal_tx_depth(e->db) > 0)
        dal_rollback(e->db);
    for (int i = SCHEMA_NTABLES - 1; i >= 0; i--) {
        char sql[256];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", schema_tables[i]->name);
        if (dal_exec(e->db, sql) != DAL_OK) {
            fprintf(stderr, "genv_clean: %s\n", dal_errmsg(e->db));
            return -1;
        }
    }
    return 0;
}

#endif
