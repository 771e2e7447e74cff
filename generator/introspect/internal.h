/*
 * internal.h - what the two catalog readers (pg.c, sqlite.c) share
 * (common.c): growing arrays in the schema's arena, warnings that name the
 * table and column, the reading of SQL expressions (token level, no
 * grammar), and the last steps that turn catalog facts into the way a
 * person writes a schema file.  Private to introspect/.
 */
#ifndef DALC_INTROSPECT_INTERNAL_H
#define DALC_INTROSPECT_INTERNAL_H

#include <stdint.h>

#include "dal.h"
#include "front/sqlfile.h"
#include "introspect/introspect.h"
#include "model/types.h"

typedef struct ib {
    arena *a;
    diag_list *d;
    dal_db *db;
    bool oom;
    db_fail *fail;
} ib;

/* Makes room for one more element of size sz in *arr (n used, *cap
 * allocated; arena memory, copied on growth) and returns it zeroed, or
 * NULL (b->oom) when out of memory. */
void *ib_push(ib *b, void *arr, int n, int *cap, size_t sz);
#define IB_PUSH(b, arr, n, cap) ib_push((b), &(arr), (n), &(cap), sizeof *(arr))
/* ib_push that also counts the new element in *n (arrays whose count is
 * their own, not shared with a parallel array). */
void *ib_append(ib *b, void *arr, int *n, int *cap, size_t sz);
#define IB_APPEND(b, arr, n, cap) ib_append((b), &(arr), &(n), &(cap), sizeof *(arr))

char *ib_str(ib *b, const char *s);
char *ib_strn(ib *b, const char *s, size_t n);

/* "<table>.<column>: warning: ..." (col NULL: "<table>: warning: ..."). */
void ib_warn(ib *b, const char *table, const char *col, const char *fmt, ...) DALC_PRINTF(4, 5);

/* A read of the catalog failed: the error (with dal_errmsg) into d. */
bool ib_fail(ib *b, dal_status s, const char *what);

/* A catalog query: starts q with the text parameter arg (or none when NULL). */
bool ib_query(ib *b, const dal_query *q, const char *arg, dal_stmt **st);
/* The next row of a catalog query: true while there is one, *s the
 * status for ib_done.  The read loop of every query is
 *     while (ib_next(st, &s)) { ... }
 *     return ib_done(b, st, s, "what");                                    */
bool ib_next(dal_stmt *st, dal_status *s);
/* Ends a query read with ib_next: st released; false, with the error into
 * d naming what was read, when the rows stopped on an error. */
bool ib_done(ib *b, dal_stmt *st, dal_status s, const char *what);
/* Column col of the current row as text in the arena ("" for NULL). */
char *ib_col(ib *b, dal_stmt *st, int col);
int64_t ib_col_int(dal_stmt *st, int col);

/* PostgreSQL's printed expressions made to read like written ones and to
 * run on both engines: casts dropped ('a'::text -> 'a'), `= ANY (ARRAY[..])`
 * -> `IN (..)` (`<> ALL` -> NOT IN), parentheses around the whole
 * expression or a single name removed.  The result is in the arena. */
char *expr_tidy(ib *b, const char *expr);

/* True when expr is `col IN ('v1', 'v2', ...)` (col bare or quoted, in
 * parentheses or not) and every value is an identifier: the values, in
 * order, into *vals. */
bool expr_enum_values(ib *b, const char *expr, const char *col, const char ***vals, int *n);

/* The text inside a SQL string literal token ('it''s' -> it's). */
char *sql_unquote(ib *b, const char *lit, size_t len);

/* A list the catalog query joined with char(1): "a\1b\1c" -> {"a", "b",
 * "c"} (*n 3); "" -> NULL (*n 0). */
const char **ib_split(ib *b, const char *s, int *n);

bool is_ident(const char *s);

/* True when the SELECT list of a view's sql gives column col as a plain
 * column reference (`x.c`, `x.c AS col`, `c`): dalc generate types those from
 * their table; an expression needs a `columns:` override. */
bool view_item_is_column(ib *b, const char *sql, const char *col);

db_column *ib_column(db_table *t, const char *name); /* NULL when t has none */
/* True when name is to be pulled (nonly == 0: everything but the
 * migrations table). */
bool ib_wanted(const char *name, const char *const *only, int nonly);
/* A trigger of table t: dalc's `<table>_<col>_auto_update` marks its column
 * auto_update; any other is skipped with a warning. */
void ib_trigger(ib *b, db_table *t, const char *name);
/* Every trigger of table t, named by column 0 of query q (its parameter:
 * the table's name), through ib_trigger. */
bool ib_read_triggers(ib *b, db_table *t, const dal_query *q);

/* A table or view of out named name (cap: the capacity of its array); NULL
 * when out of memory.  A table's name that is not a schema identifier is
 * warned about. */
db_table *ib_add_table(ib *b, db_schema *out, int *cap, const char *name);
db_view *ib_add_view(ib *b, db_schema *out, int *cap, const char *name);
/* A unique key of t (caps: the capacities of t->uniques and
 * t->nunique_cols, zero at first); false when out of memory. */
bool ib_add_unique(ib *b, db_table *t, const char **cols, int ncols, int caps[2]);
/* An index of t (cap: the capacity of t->indexes); NULL when out of memory. */
db_index *ib_add_index(ib *b, db_table *t, int *cap, const char *name, const char **cols,
                       int ncols, bool unique);

/* The end of every table: a single-column primary key and unique key go to
 * their column, an index that the schema would create by itself for a
 * foreign key is left to it, the default index name is not written. */
void ib_finish_table(ib *b, db_table *t);

/* The literal of default expression e, in the forms both engines print
 * alike, into *lit: e itself when it is a number (signed, or with an
 * exponent) or a single number or word; a string literal's text, unquoted
 * (*is_string); else NULL.  tk: e's tokens, for the forms that only one
 * engine prints.  False when out of memory. */
bool ib_default_literal(ib *b, const char *e, sql_toks *tk, const char **lit, bool *is_string);

/* A default written as the schema language spells it, for column c of type
 * c->type, from a literal (unquoted text, a number, true/false); false when
 * it cannot be one (the caller warns). */
bool ib_literal_default(ib *b, db_column *c, const char *value, bool is_string);

bool introspect_pg(ib *b, const char *const *only, int nonly, db_schema *out);
bool introspect_sqlite(ib *b, const char *const *only, int nonly, db_schema *out);

#endif
