/*
 * emit.h - stage 3: one emitter per output kind.  Each renders into an
 * output_set (in memory); nothing touches the disk until output_commit.
 *
 * emit/ owns the output files: the template engine (template.h), one
 * emitter per output kind (emit_ddl.c, emit_c.c, emit_migrations.c) and
 * writing or checking the output folder (output.c).  It may include base/,
 * model/ (model.h, types.h, names.h) and sql/; emitters read the model and
 * never re-check it, and they take every generated C name from names.h.
 */
#ifndef DALC_EMIT_H
#define DALC_EMIT_H

#include <stdbool.h>

#include "model/model.h"
#include "emit/template.h"
#include "base/util.h"

/* One generated file, in memory. */
typedef struct out_file {
    char *name;    /* relative to the output folder: "schema.pg.sql" */
    strbuf body;
} out_file;

/* files[i] are allocated one by one, so the strbuf that output_add returns
 * stays valid (at the same address) until output_free, however many files
 * are added after it. */
typedef struct output_set {
    out_file **files;
    int nfiles, cap;
} output_set;

typedef struct emit_ctx {
    const model *m;
    const tmpl_set *tmpl;
    const char *prefix;     /* --prefix, "" by default */
    const char *schema_dir; /* for banners: "schema" */
    diag_list *d;
    /* The migrations folder embedded by emit_migrations, or NULL: when set,
     * schema.h includes migrations.h too (the umbrella includes everything). */
    const char *migrations_dir;
    /* The typed named queries (check/check.h), or NULL: schema.h includes
     * their headers. */
    const struct q_set *queries;
} emit_ctx;

void output_init(output_set *o);
void output_free(output_set *o);
strbuf *output_add(output_set *o, const char *name); /* NULL on OOM */

/* DDL: schema.pg.sql, schema.sqlite.sql. */
bool emit_ddl(const emit_ctx *cx, output_set *o);
/* The DDL text of one dialect (also embedded in generated C). */
bool emit_ddl_pg(const emit_ctx *cx, strbuf *out);
bool emit_ddl_sqlite(const emit_ctx *cx, strbuf *out);
/* The same without the views (check/ creates them one by one, to position
 * their errors). */
bool emit_ddl_pg_tables(const emit_ctx *cx, strbuf *out);
bool emit_ddl_sqlite_tables(const emit_ctx *cx, strbuf *out);

/* C: <table>.h, <table>.c per table, schema.h, schema.c. */
bool emit_c(const emit_ctx *cx, output_set *o);

/* Named queries: <stem>_queries.h, <stem>_queries.c per query file. */
struct q_set;
bool emit_queries(const emit_ctx *cx, const struct q_set *qs, output_set *o);

/* Schema files from a pulled database (introspect/introspect.h): one
 * <name>.yaml per table and view, written as a person writes them
 * (emit_yaml.c; `dalc pull`). */
struct db_schema;
bool emit_yaml(const struct db_schema *s, output_set *o);

/* Writes o into dir atomically: all files or none; unchanged files keep
 * their mtime; files no longer produced (that dalc wrote: *.sql, *.h, *.c)
 * are removed.  Returns 0, or 3 on I/O error (message in d). */
int output_commit(const output_set *o, const char *dir, diag_list *d);

/* Compares o with dir: lists stale, missing and extra files into report.
 * Returns 0 when identical, 1 otherwise, 3 on I/O error. */
int output_check(const output_set *o, const char *dir, strbuf *report, diag_list *d);

#endif
