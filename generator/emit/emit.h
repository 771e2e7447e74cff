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

/* One generated file, in memory until it is finished (output_put, or at
 * output_commit / output_check at the latest). */
typedef struct out_file {
    char *name;    /* relative to the output folder: "schema.pg.sql" */
    strbuf body;
    /* Once finished (compared with the output folder): what was found. */
    bool done;
    int state;     /* OUT_SAME, OUT_CHANGED, ... (output.c) */
    int err;       /* errno of a failure */
    char *tmp;     /* the temporary written for a changed file (output_commit) */
} out_file;

/* What output_stream makes the set do with each finished file. */
typedef enum out_mode {
    OUT_MEMORY, /* keep it (the default): output_commit or output_check does it all */
    OUT_COMMIT, /* compare it with the output folder, write a temporary when it changed */
    OUT_CHECK   /* compare it with the output folder */
} out_mode;

/* files[i] are allocated one by one, so the strbuf that output_add returns
 * stays valid (at the same address) until output_free, however many files
 * are added after it. */
typedef struct output_set {
    out_file **files;
    int nfiles, cap;
    /* Leave the folder's other files alone: output_commit removes none and
     * output_check reports none as extra (`dalc runtime DIR`). */
    bool keep_others;
    /* Streaming (output_stream): the output folder, the mode, the first
     * folder output_stream created (removed again unless committed). */
    char *dir;
    out_mode mode;
    char *made;
    bool committed;
} output_set;

typedef struct emit_ctx {
    const model *m;
    const tmpl_set *tmpl;
    const char *prefix;     /* --prefix, "" by default */
    /* The schema folder as banners name it: its own name ("schema"), never
     * the path it was given by, so that the output is the same wherever the
     * tree is and however --schema was spelled. */
    const char *schema_dir;
    diag_list *d;
    /* The name (as schema_dir) of the migrations folder embedded by
     * emit_migrations, or NULL: when set, schema.h includes migrations.h too
     * (the umbrella includes everything) and migrations.c/.h name it. */
    const char *migrations_dir;
    /* The typed named queries (check/check.h), or NULL: schema.h includes
     * their headers. */
    const struct q_set *queries;
    /* Threads emit_c renders the tables' files on (--jobs); 0 or 1: none,
     * everything on the calling thread.  The output is the same for every
     * value. */
    int jobs;
} emit_ctx;

void output_init(output_set *o);
/* Frees o; temporaries of a streaming commit that was never committed are
 * removed (and the folder output_stream created, when still empty). */
void output_free(output_set *o);
strbuf *output_add(output_set *o, const char *name); /* NULL on OOM */

/* Streaming: from now on a file is finished as soon as its emitter hands it
 * over (output_put): compared with dir and, for OUT_COMMIT, written to a
 * temporary file beside its target when it changed; its text is then
 * dropped, so peak memory is one file per emitting thread, not the whole
 * output.  Nothing in dir changes before output_commit (OUT_COMMIT creates
 * dir when missing, and output_free removes it again).  Returns false when
 * dir cannot be created: o then stays in memory and output_commit reports
 * the error. */
bool output_stream(output_set *o, const char *dir, out_mode mode);
/* The text of the file whose body output_add returned is text: finishes
 * the file (streaming) or moves text into body.  text is left empty, its
 * buffer kept for the next file.  Safe to call from several threads at
 * once for different files. */
void output_put(output_set *o, strbuf *body, strbuf *text);

/* DDL: schema.pg.sql, schema.sqlite.sql. */
bool emit_ddl(const emit_ctx *cx, output_set *o);
/* The DDL text of one dialect (also embedded in generated C). */
bool emit_ddl_pg(const emit_ctx *cx, strbuf *out);
bool emit_ddl_sqlite(const emit_ctx *cx, strbuf *out);
/* The same without the views (check/ creates them one by one, to position
 * their errors). */
bool emit_ddl_pg_tables(const emit_ctx *cx, strbuf *out);
bool emit_ddl_sqlite_tables(const emit_ctx *cx, strbuf *out);

/* "schema/jobs.yaml" for file ".../anywhere/schema/jobs.yaml": the name a
 * banner gives a schema file (cx->schema_dir, then the file's own name),
 * in a. */
const char *emit_source_name(const emit_ctx *cx, arena *a, const char *file);

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
 * are removed, unless o->keep_others.  Returns 0, or 3 on I/O error (message in d). */
int output_commit(output_set *o, const char *dir, diag_list *d);

/* Compares o with dir: lists stale, missing and extra files into report.
 * Returns 0 when identical, 1 otherwise, 3 on I/O error. */
int output_check(output_set *o, const char *dir, strbuf *report, diag_list *d);

#endif
