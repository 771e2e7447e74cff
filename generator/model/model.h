/*
 * model.h - the validated, resolved schema: what the emitters read.
 *
 * Pipeline:  yaml_tree (yamltree.h: YAML -> nodes with positions)
 *         -> model_build (this file: validate, resolve references, order)
 *         -> emitters (emit.h: one per output kind).
 *
 * Everything lives in the model's arena and is freed by model_free.  Once
 * model_build returned a model, every invariant below holds, so emitters
 * never re-check the schema.
 *
 * model/ owns every rule of the schema language, the type table (types.h)
 * and the names of the generated C API (names.h); it may include base/,
 * front/ and the runtime's leaf dal_calendar.h (dates and timestamps).  Other stages include model.h, types.h and names.h, never
 * build.h (the working state of one build, private to model/).  Its files,
 * in the order a build runs: table.c (one file: columns via read.c's YAML
 * readers, defaults.c, literal.c), refs.c (duplicate tables, foreign keys,
 * automatic indexes), collisions.c (SQL and C names, names.c), order.c
 * (dependency order), view.c (views, after the tables), load.c (the entry
 * points below).
 */
#ifndef DALC_MODEL_H
#define DALC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/types.h"
#include "base/util.h"
#include "front/sqlfile.h"

/* At most this many columns per table: PostgreSQL's limit (SQLite's
 * default is 2000). */
#define MODEL_MAX_COLUMNS 1600

typedef enum fk_action {
    FK_NO_ACTION, /* default */
    FK_RESTRICT,
    FK_CASCADE,
    FK_SET_NULL,
    FK_SET_DEFAULT
} fk_action;

typedef enum default_kind {
    DEF_NONE,
    DEF_LITERAL, /* default_value holds the literal (see below) */
    DEF_NOW,     /* timestamp/date: current time */
    DEF_UUID     /* uuid: random version-4 UUID */
} default_kind;

struct m_table;

typedef struct m_column {
    const char *name;
    srcpos pos;           /* the column's mapping */
    coltype type;
    bool nullable;
    bool primary_key;     /* part of the table's primary key (column- or table-level) */
    bool identity;
    bool unique;          /* column-level unique: true */
    default_kind def;
    bool auto_update;     /* `auto_update: now`: a trigger sets it on every UPDATE that
                           * does not change it (timestamp, date; sql/ddl.h) */
    /* DEF_LITERAL, normalized text of the literal:
     *   bool "true"/"false"; ints canonical decimal; floats as written (validated);
     *   decimal canonical digits; text/json the string itself (unquoted, json validated);
     *   uuid lower-case canonical; timestamp "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC);
     *   date "YYYY-MM-DD"; enum the value name.  bytes: hex digits (from a "\x.." literal). */
    const char *default_value;
    long long default_int;     /* ints, timestamp (us since epoch), date (days), enum (index) */
    int max_length;       /* text: 0 = none */
    int precision, scale; /* decimal: -1 = not given */
    const char **values;  /* enum values */
    int nvalues;
    /* foreign key (ref_table == NULL when none) */
    struct m_table *ref_table;
    struct m_column *ref_column;
    fk_action on_delete, on_update;
    bool fk_deferred;     /* PostgreSQL: emitted later as ALTER TABLE ADD CONSTRAINT (cycle) */
    const char *check;    /* column CHECK expression, or NULL */
    const char *comment;  /* or NULL */
    const char *renamed_from; /* `renamed_from:` (migrations: the column's previous name), or NULL */
    int index;            /* position in the table */
} m_column;

typedef struct m_unique {
    const char *name;     /* constraint name: <table>_<col>_<col>_key */
    m_column **cols;
    int ncols;
    bool from_column;     /* came from a column's `unique: true` */
    srcpos pos;
} m_unique;

typedef struct m_index {
    const char *name;     /* given, or idx_<table>_<col>_<col> */
    m_column **cols;
    int ncols;
    bool unique;
    const char *where;    /* partial index predicate, or NULL */
    bool automatic;       /* created for a foreign key */
    srcpos pos;
} m_index;

typedef struct m_check {
    const char *name;     /* <table>_check_<n> for table checks */
    const char *expr;
    srcpos pos;
} m_check;

typedef struct m_table {
    const char *name;
    const char *file;     /* schema file path as read */
    const char *file_stem;/* "jobs" */
    srcpos pos;
    const char *comment;
    const char *renamed_from; /* `renamed_from:` (migrations: the table's previous name), or NULL */
    m_column *columns;    /* array, schema order */
    int ncolumns;
    m_column **pk;        /* primary-key columns in key order */
    int npk;
    m_unique *uniques;    /* column-level first (in column order), then table-level */
    int nuniques;
    m_index *indexes;     /* declared first, then automatic FK indexes */
    int nindexes;
    m_check *checks;
    int nchecks;
    int order;            /* position in dependency order */
} m_table;

/* A view (a YAML file with `view:` instead of `table:`): its SELECT, per
 * dialect, with where each text starts in the YAML file (for positioned
 * errors), and the `columns` overrides, which read like `-- column:`. */
typedef struct m_view {
    const char *name;
    const char *file;     /* schema file path as read */
    srcpos pos;           /* the `view` value */
    const char *comment;  /* or NULL */
    sql_text sql[2];      /* [0] PostgreSQL, [1] SQLite (the same text when one string);
                           * no trailing ';' or blank */
    sql_directive *cols;  /* column overrides (column = true) */
    int ncols;
    struct m_view **deps; /* views its SQL reads */
    int ndeps;
} m_view;

typedef struct model {
    arena *arena;
    m_view **views;       /* in dependency order (ties by name) */
    int nviews;
    m_table **tables;     /* in FK dependency order (ties by name) */
    int ntables;
    m_table **by_name;    /* same tables sorted by name */
    const char *schema_dir;
    /* A migration snapshot from before decimal columns were canonical text
     * with SQLite's dal_decimal collation (its folder has no
     * MODEL_SNAPSHOT_FORMAT file): migrating from it rebuilds SQLite tables
     * with decimal columns.  Set by the caller; false from model_load_dir. */
    bool sqlite_plain_decimal;
} model;

/* The file a migration snapshot holds beside its YAML: the storage format
 * of the schema it records (docs/migrations.md). */
#define MODEL_SNAPSHOT_FORMAT ".dalc-format"
#define MODEL_SNAPSHOT_FORMAT_TEXT "2 decimal columns: canonical TEXT COLLATE dal_decimal on SQLite\n"

struct yaml_doc;

/* Reads every *.yaml / *.yml file of dir (in name order), parses and
 * validates them.  Returns NULL when any error was reported into d. */
model *model_load_dir(const char *dir, diag_list *d);

/* Builds the model from already parsed documents (for tests and fuzzing). */
model *model_build(struct yaml_doc *const *docs, int ndocs, const char *schema_dir, diag_list *d);

void model_free(model *m);

m_table *model_find_table(const model *m, const char *name);
m_view *model_find_view(const model *m, const char *name);

/* A derived SQL name that fits PostgreSQL's 63-byte limit: full itself when
 * short enough, else its first 54 bytes + '_' + 8 hex digits of a hash of
 * the whole name (deterministic; used for unique, index and check names).
 * Allocated in a (NULL on failure). */
const char *model_sql_name(arena *a, const char *full);
m_column *table_find_column(const m_table *t, const char *name);

/* True when two column lists are the same columns in the same order. */
bool model_same_cols(m_column *const *a, int na, m_column *const *b, int nb);

#endif
