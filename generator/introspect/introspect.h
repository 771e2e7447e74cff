/*
 * introspect.h - the front end that reads a live database instead of YAML:
 * `dalc pull` and `dalc diff` (cli/pull.c, cli/diff.c).
 *
 * Pipeline:  database catalog (pg.c: pg_catalog; sqlite.c: sqlite_schema,
 *            the table-valued pragmas and the CREATE text SQLite keeps)
 *         -> db_schema (this file: the schema files as a person would write
 *            them, one db_table or db_view per file, every value already in
 *            its YAML spelling)
 *         -> emit_yaml (emit/emit.h) -> <table>.yaml text
 *         -> (diff) the YAML front end and model_build, like any schema.
 * So a pulled database goes through exactly the rules a hand-written schema
 * does, and what the schema language cannot say is decided here, once:
 * each such thing is a warning (db_schema.warnings) naming the table, the
 * column and what was done.  docs/pull.md lists every mapping.
 *
 * introspect/ reads the catalog through the runtime's public API (dal.h:
 * dal_open, statements, column readers), never through libpq or sqlite3;
 * it may include base/ and the runtime's dal.h and dal_calendar.h.  It
 * knows the schema language's spellings (type names, `now`, `uuid`, action
 * names) but not the model: the model reads what it produces.
 */
#ifndef DALC_INTROSPECT_H
#define DALC_INTROSPECT_H

#include <stdbool.h>

#include "base/util.h"
#include "dal.h"

typedef struct db_column {
    const char *name;
    const char *type;        /* schema type name: "int64", "text", ... */
    const char *sqltype;     /* the type as the database spells it: "character varying(200)" */
    bool nullable, primary_key, identity, unique, auto_update;
    int max_length;          /* 0: none */
    int precision, scale;    /* decimal: -1 when not given */
    const char **values;     /* enum values */
    int nvalues;
    const char *default_;    /* the YAML value ("now", "uuid", "0", "pending", text) or NULL */
    bool default_text;       /* default_ is a string to quote when it looks like another scalar */
    const char *references;  /* "table.column" or NULL */
    const char *on_delete, *on_update; /* "cascade", ...; NULL = no_action */
    const char *check;       /* column CHECK expression or NULL */
    const char *comment;
} db_column;

typedef struct db_index {
    const char *name;        /* NULL when it is the default idx_<table>_<cols> */
    const char **cols;
    int ncols;
    bool unique;
    const char *where;       /* partial index predicate or NULL */
} db_index;

typedef struct db_table {
    const char *name;
    const char *comment;
    db_column *cols;
    int ncols;
    const char **pk;         /* composite primary key (npk > 1); a single column is marked */
    int npk;
    const char ***uniques;   /* composite unique constraints (table-level) */
    int *nunique_cols;
    int nuniques;
    db_index *indexes;
    int nindexes;
    const char **checks;     /* table CHECK expressions */
    int nchecks;
} db_table;

typedef struct db_view {
    const char *name;
    const char *comment;
    const char *sql;         /* the SELECT, without a trailing ';' */
    db_column *cols;         /* `columns:` overrides: expression columns whose type the
                              * database records (PostgreSQL); name and type only */
    int ncols;
} db_view;

typedef struct db_schema {
    arena *a;                /* owns everything below */
    db_table *tables;        /* by name */
    int ntables;
    db_view *views;          /* by name */
    int nviews;
    const char *engine;      /* "postgresql" or "sqlite" */
} db_schema;

/* How introspect_db failed. */
typedef enum db_fail { DB_FAIL_NONE, DB_FAIL_CONNECT, DB_FAIL_READ, DB_FAIL_NOMEM } db_fail;

/* Reads every table and view of the database at url (PostgreSQL: those of
 * current_schema(); SQLite: the main database) into out (allocated in a),
 * skipping dalc's own bookkeeping table.  only/nonly: when nonly > 0, only
 * these tables and views (one that does not exist is an error).  Warnings
 * go into d (diag_warning, position "<table>" or "<table>.<column>");
 * errors too, with the status in *fail.  Never creates a database: a
 * SQLite file that does not exist is a connection failure. */
bool introspect_db(const char *url, const char *const *only, int nonly, arena *a,
                   db_schema *out, diag_list *d, db_fail *fail);

/* introspect_db on an open connection (`dalc diff` reads the schema's own
 * DDL applied to a scratch schema or database this way too). */
bool introspect_conn(dal_db *db, const char *const *only, int nonly, arena *a, db_schema *out,
                     diag_list *d, db_fail *fail);

#endif
