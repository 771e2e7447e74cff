/*
 * migrate.h - migrations in the generator: the schema diff (diff.c), the
 * `dalc migration new` / `dalc migrate` commands (migrate_cli.c) and the
 * embedding of migrations into generated C (emit_migrations.c).
 * See docs/migrations.md.
 */
#ifndef DALC_MIGRATE_H
#define DALC_MIGRATE_H

#include <stdbool.h>

#include "sql/ddl.h"
#include "emit/emit.h"
#include "model/model.h"
#include "base/util.h"

/* The SQL between two models, both directions, both dialects. */
typedef struct mig_diff {
    strbuf sql[2][2];     /* [sql_dialect][0 = up, 1 = down]: statements only */
    strbuf reasons[2][2]; /* [sql_dialect][up/down]: destructive reasons, "; "-separated */
    bool sqlite_rebuild;  /* some SQLite step rebuilds a table */
} mig_diff;

void mig_diff_init(mig_diff *m);
void mig_diff_free(mig_diff *m);

/* Diffs old (NULL = empty database) -> new and back.  Renames come from
 * `renamed_from` in new.  Returns false on out-of-memory. */
bool mig_diff_models(const model *old, const model *new_, mig_diff *out);

/* True when the diff holds no statement at all. */
bool mig_diff_empty(const mig_diff *m);

/* One migration file: "-- dalc migration <id>", the destructive header when
 * any, then the statements. */
void mig_file_text(const mig_diff *m, sql_dialect d, int down, const char *id, strbuf *out);

/* Writes migrations.h / migrations.c (the migrations of dir embedded, and
 * `dal_status <prefix>schema_migrate(dal_db *, const dal_migrate_opts *)`)
 * into o.  Nothing is written when dir does not exist. */
bool emit_migrations(const emit_ctx *cx, const char *migrations_dir, output_set *o);

/* A migration folder read from disk (migrate_cli.c). */
typedef struct mig_entry {
    int version;
    char *name;    /* "add_tags" */
    char *dir;     /* "migrations/0002_add_tags" */
    char *sql[2][2]; /* [sql_dialect][up/down], NULL when missing */
} mig_entry;

/* Lists dir's NNNN_name folders in version order.  Returns false with a
 * message in d on error; a missing dir is an empty list. */
bool mig_list(const char *dir, bool read_sql, mig_entry **out, int *n, diag_list *d);
void mig_list_free(mig_entry *e, int n);

/* The schema as of the newest migration of ents (n > 0) that has a
 * snapshot/ folder, into *out; false with a message in d when none has one
 * or it does not load. */
bool mig_last_snapshot(const char *migdir, const mig_entry *ents, int n, model **out,
                       diag_list *d);

#endif
