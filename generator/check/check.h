/*
 * check.h - typing and checking named queries against real engines
 * (docs/queries.md).  check/ owns every engine access of the generator: it
 * loads the schema's SQLite DDL into an in-memory database, prepares every
 * query there, types parameters (directives, then the SQL around them) and
 * result columns (the origin table and column SQLite reports, outer joins,
 * count(...), directives), and rewrites each query into the SQL that runs
 * on each engine.  It may include base/, front/, model/ and sql/.
 */
#ifndef DALC_CHECK_H
#define DALC_CHECK_H

#include <stdbool.h>

#include "base/util.h"
#include "front/sqlfile.h"
#include "model/model.h"

typedef enum q_kind { Q_ONE, Q_MANY, Q_EXEC, Q_EXECROWS } q_kind;

/* A parameter's or result column's type. */
typedef struct q_type {
    coltype type;
    const m_table *et; /* enum: the table whose column's C enum is used */
    int ecol;          /* enum: that column's index */
    bool nullable;
    bool list;         /* parameters: a list (pointer and length) */
} q_type;

typedef struct q_param {
    const char *name;
    q_type t;
    srcpos pos; /* first use */
} q_param;

typedef struct q_col {
    const char *name;
    q_type t;
    const char *otable, *ocol; /* the table column it comes from, or NULL */
} q_col;

typedef struct q_query {
    const sql_query *src;
    const sql_file *file;
    q_kind kind;
    q_param *params; /* in order of first appearance; bound as 1..n */
    int nparams;
    q_col *cols;
    int ncols;
    const m_table *reuse; /* the table whose struct the result is, or NULL */
    const char *reuse_view; /* the view whose struct the result is, or NULL */
    const m_view *view;   /* a view's own reading (check_queries: q_set.views) */
    /* :many: the LIMIT at the top level of the statement, for the result
     * array's first capacity: the parameter's index (-1: none), or the
     * number written (0: none) */
    int limit_param;
    long limit_rows;
    const char *sql_pg, *sql_sqlite;
    /* where the copied text of sql_pg starts in the pg variant, to map a
     * server's error position back into the file */
    size_t *pg_in, *pg_out;
    int pg_nsegs;
} q_query;

/* Whether q has a batch form, <name>_batch (docs/queries.md): an :exec or
 * :execrows query with parameters, none of them a list. */
bool q_has_batch(const q_query *q);

typedef struct q_file {
    const sql_file *f;
    q_query *q;
    int n;
} q_file;

typedef struct q_set {
    q_file *files; /* in name order */
    int nfiles;
    q_query *views; /* every view of the model that checked, in dependency order,
                     * typed like a :many query; sql_* read the whole view */
    int nviews;
} q_set;

/* Reads every *.sql file of schema_dir, checks and types its queries
 * against sqlite_ddl (the schema's SQLite DDL without its views: the views
 * are checked, typed and created here first).  Errors go to d; returns
 * NULL on out of memory only (check d->errors). */
q_set *check_queries(arena *a, const model *m, const char *schema_dir, const char *prefix,
                     const char *sqlite_ddl, diag_list *d);

/* With --verify URL: applies pg_ddl (the schema's PostgreSQL DDL) in a
 * transaction inside a temporary schema on the server, prepares every query
 * there with the parameter types dalc inferred, checks the result columns
 * the server describes against dalc's types, and rolls everything back.
 * Errors go to d (positioned at the server's error position).  False when
 * anything was reported. */
bool check_verify_pg(arena *a, const q_set *qs, const char *url, const char *pg_ddl,
                     diag_list *d);

#endif
