/*
 * names.h - the global names of the generated code, decided in one place.
 *
 * Which C identifiers exist for a table (its struct, array type, functions,
 * get_by/list_by lookups, enum types and constants), and what its fields and
 * key parameters are called, is computed here once: the model checks them
 * for collisions while it validates the schema, and the C emitter renders
 * exactly these names (it never works a name out itself).
 *
 * A name table (name_table) collects names of one namespace, each with what
 * it names and where it comes from, and reports every name defined twice.
 * The model fills one for SQL relation names and one for C names; a stage
 * that generates more global C names (named queries: `<name>`,
 * `<name>_iterate`, `<name>_params`, `<name>_row`, ...) adds them to a table
 * holding the tables' C names (c_names_table for each table, then
 * names_add) and gets one diagnostic per collision at the later name's
 * position:
 *
 *     name_table *nt = names_new(a);
 *     for (int i = 0; i < m->ntables; i++)
 *         c_names_table(nt, a, "", m->tables[i], NULL, &tn);
 *     names_owner(nt);
 *     names_add(nt, "order_totals", "named query 'order_totals'", pos);
 *     names_report(nt, d, "generated C");
 *
 * Collisions are checked without the --prefix: it stands in front of every
 * name alike.  Everything is allocated in the arena given.
 */
#ifndef DALC_MODEL_NAMES_H
#define DALC_MODEL_NAMES_H

#include <stdbool.h>

#include "base/util.h"
#include "model/model.h"

/* ---- name tables ------------------------------------------------------- */

typedef struct name_table name_table;

/* An empty table (NULL when out of memory). */
name_table *names_new(arena *a);

/* Starts a new owner for the names added next (a table, an enum column, a
 * query...): of the collisions between the same two owners only the first
 * is reported. */
void names_owner(name_table *nt);

/* Adds a name; `what` says what it names ("a function of table 'jobs'"),
 * pos where it is defined.  Does nothing when name or what is NULL (an
 * allocation that failed).  False when out of memory. */
bool names_add(name_table *nt, const char *name, const char *what, srcpos pos);

/* Reports every name defined twice, at the later definition and in the
 * order those were added:
 *   "<kind> name 'x' of <what> collides with <what> (<file>:<line>)".
 * Returns the number of errors reported. */
int names_report(name_table *nt, diag_list *d, const char *kind);

/* ---- the C names of one table ----------------------------------------- */

/* A get_by or list_by lookup: its key columns and its function. */
typedef struct c_key {
    m_column **cols;
    int n;
    const char *suffix;  /* "job_id_scheduled_at" */
    const char *fn;      /* "<T>_get_by_<suffix>" or "<T>_list_by_<suffix>" */
    const char *fn_locked; /* get_by: "<T>_get_by_<suffix>_for_update" (locks the row) */
    bool from_index;     /* get_by: a unique index, not a unique constraint;
                          * list_by: an index, not a foreign key */
    srcpos pos;          /* the constraint, index or column it comes from */
} c_key;

typedef struct c_table_names {
    const m_table *t;
    const char *T;         /* prefix + table, '_' appended when reserved in C: the
                            * struct type and the start of every function name */
    const char **field;    /* per column: the struct field */
    const char **param;    /* per column: the key parameter */
    const char **etype;    /* per column: the enum type (enum columns), else NULL */
    const char ***econst;  /* per column: the enum constants in value order, else NULL */
    const char **colidx;   /* per column: its index constant in <table>.c ("JOBS_COL_ID") */
    const char *ncolumns;  /* the number of columns, a constant in <table>.c ("JOBS_NCOLUMNS") */
    const char *column_list; /* the macro of the SELECT list in <table>.c ("JOBS_COLUMN_LIST") */
    c_key *gets;           /* get_by: unique constraints, then unique indexes without
                            * WHERE; one per column list, not the primary key's */
    int ngets;
    c_key *lists;          /* list_by: indexes, then foreign keys; one per column list */
    int nlists;
} c_table_names;

/* The functions every table has, in the order of the header: "_insert",
 * "_get", ... (the struct itself, "_array" and "_cols" are types). */
extern const char *const c_table_functions[];
extern const int c_table_nfunctions;

/* Computes the C names of table t with `prefix` in front into *out.
 * enum_ok, when not NULL, says per column whether an enum column is valid
 * enough to have names (while a schema with errors is checked); NULL: all.
 * When nt is not NULL, every global name is added to it (the table and each
 * enum column its own owner).  False when out of memory. */
bool c_names_table(name_table *nt, arena *a, const char *prefix, const m_table *t,
                   const bool *enum_ok, c_table_names *out);

/* The table's struct type: c_table_names.T alone. */
const char *c_names_struct(arena *a, const char *prefix, const m_table *t);

/* When `name` (a generated struct type: c_table_names.T) is also declared
 * by a C or POSIX header, so that a program including both does not
 * compile: the header ("<time.h>") and what it declares there ("the
 * function time"); else NULL. */
const char *c_names_libc_clash(const char *name, const char **what);

/* Warns (diag_warning, at the table) about every table of m whose struct
 * type with `prefix` clashes with the C library (c_names_libc_clash). */
void c_names_warn_libc(const struct model *m, arena *a, const char *prefix, diag_list *d);

/* Adds the schema-wide names (schema_create) to nt; pos: the schema folder. */
bool c_names_schema(name_table *nt, srcpos pos);

/* A schema identifier as a C identifier: itself, or with '_' appended when
 * reserved in C (a column `default` is the field `default_`). */
const char *c_names_ident(arena *a, const char *name);

/* An enum constant: `s` upper-cased. */
char *c_names_upper(arena *a, const char *s);

#endif
