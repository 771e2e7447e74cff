/*
 * ddl.h - DDL fragments of one table, column or index, for each dialect.
 * Used by the migration diff (diff.c) to write ALTER / CREATE statements
 * and SQLite table rebuilds, and by emit_ddl.c for schema.*.sql (the lines
 * of every CREATE TABLE come from ddl_table_lines), so both always produce
 * the same tables.
 *
 * sql/ owns the SQL text the generator writes (DDL, the migration diff and
 * migration files, migrate.h); it may include base/ and model/.  It
 * renders no template and writes no file: emit/ and cli/ do.
 *
 * Conventions (both dialects): identifiers are always double-quoted;
 * every statement ends with ";\n".  Constraint names on PostgreSQL:
 *   primary key  <table>_pkey          unique      m_unique.name
 *   foreign key  <table>_<col>_fkey    column check <table>_<col>_check
 *   enum values  <table>_<col>_values  table check m_check.name
 */
#ifndef DALC_DDL_H
#define DALC_DDL_H

#include <stdbool.h>

#include "model/model.h"
#include "base/util.h"

typedef enum sql_dialect { SQL_PG = 0, SQL_SQLITE = 1 } sql_dialect;

void ddl_ident(strbuf *sb, const char *name);          /* "name" */
void ddl_literal(strbuf *sb, const char *text);        /* 'te''xt' */
/* SQL text from a pattern, as PostgreSQL's format(): %I an identifier
 * (ddl_ident), %L a literal (ddl_literal; NULL gives NULL), %s text as it
 * is, %% a '%'.  Every argument is a string (the macro's array checks that
 * at compile time); their number must match the pattern's.  Not
 * DALC_PRINTF: %I and %L are no printf conversions.
 *   DDL_SQL(sb, "DROP TRIGGER %I ON %I;\n", name, table);                */
void ddl_format(strbuf *sb, const char *fmt, const char *const *args, size_t nargs);
#define DDL_SQL(sb, fmt, ...)                                                                  \
    ddl_format((sb), (fmt), (const char *const[]){__VA_ARGS__},                               \
               sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
void ddl_values_expr(strbuf *sb, const m_column *c);  /* "col" IN ('a', 'b'): an enum's CHECK */
void ddl_col_list(strbuf *sb, m_column *const *cols, int n); /* ("a", "b") */
/* A type's SQLite CHECK (type_info.sqlite_check, %1$s the column) for col. */
void ddl_type_check(strbuf *sb, const char *fmt, const char *col);

/* Column type: bigint, varchar(100), numeric(20,2) / INTEGER, TEXT... */
void ddl_column_type(sql_dialect d, const m_column *c, strbuf *sb);
/* The expression after DEFAULT; false (nothing written) when none. */
bool ddl_default_expr(sql_dialect d, const m_column *c, strbuf *sb);
/* SQLite: true when the default is a constant (ALTER TABLE ADD COLUMN ok). */
bool ddl_default_is_constant(const m_column *c);

/* One column definition as inside CREATE TABLE ("name" type NOT NULL ...).
 * PostgreSQL: with its checks; primary key, unique and foreign key are table
 * constraints.  SQLite: with its checks and (with_fk) the inline REFERENCES;
 * an identity column is "INTEGER PRIMARY KEY". */
void ddl_column_def(sql_dialect d, const m_table *t, const m_column *c, bool with_fk,
                    strbuf *sb);

/* What follows the type in ddl_column_def: " NOT NULL DEFAULT ... CHECK ..."
 * (leading space) or nothing. */
void ddl_column_attrs(sql_dialect d, const m_table *t, const m_column *c, bool with_fk,
                      strbuf *sb);

/* COMMENT ON TABLE "t" (col NULL) or COLUMN "t"."col" IS 'comment' (NULL:
 * IS NULL, the comment dropped); PostgreSQL only. */
void ddl_comment_pg(const char *table, const char *col, const char *comment, strbuf *sb);

/* REFERENCES "t" ("c") [ON DELETE ..] [ON UPDATE ..] */
void ddl_references(const m_column *c, strbuf *sb);

/* One line inside CREATE TABLE, as ddl_table_lines hands it over. */
typedef enum ddl_line_kind { DDL_COLUMN, DDL_CONSTRAINT } ddl_line_kind;
typedef struct ddl_line {
    ddl_line_kind kind;
    const char *name;    /* column: quoted, padded so that the types line up;
                          * constraint: its quoted name */
    const char *text;    /* column: its type, padded when attributes follow;
                          * constraint: "PRIMARY KEY (...)", "UNIQUE (...)",
                          * "FOREIGN KEY (...) REFERENCES ...", "CHECK (...)" */
    const char *attrs;   /* column: " NOT NULL DEFAULT ..." or ""; constraint: "" */
    const char *comment; /* column: the schema comment, or NULL */
    bool last;           /* the last line of the table (no comma) */
} ddl_line;
typedef void (*ddl_line_fn)(void *ctx, const ddl_line *line);

/* The lines of t's CREATE TABLE, in order: every column, then the primary
 * key (not on SQLite when it is the identity column's INTEGER PRIMARY KEY),
 * unique constraints, foreign keys (PostgreSQL; not those marked
 * fk_deferred, see ddl_add_fk_pg), table checks.  The one place that
 * decides what a table is made of: ddl_create_table writes the lines in
 * the layout of schema.*.sql, the DDL emitter renders them through its
 * templates.  The strings live until fn returns. */
void ddl_table_lines(sql_dialect d, const m_table *t, ddl_line_fn fn, void *ctx);

/* CREATE TABLE (as_name, or t->name when NULL) with ddl_table_lines, laid
 * out like schema.*.sql without comments (migrations). */
void ddl_create_table(sql_dialect d, const m_table *t, const char *as_name, strbuf *sb);
void ddl_create_index(sql_dialect d, const m_table *t, const m_index *ix, strbuf *sb);
/* ALTER TABLE "t" ADD CONSTRAINT "t_c_fkey" FOREIGN KEY ("c") REFERENCES ... */
void ddl_add_fk_pg(const m_table *t, const m_column *c, strbuf *sb);
/* COMMENT ON TABLE/COLUMN for every comment of t. */
void ddl_comments_pg(const m_table *t, strbuf *sb);

/* `auto_update: now` (one trigger per such column c of table t):
 *   name       <table>_<col>_auto_update (both dialects; longer than 63
 *              bytes: shortened like model_sql_name), written into buf
 *   PostgreSQL CREATE FUNCTION "<name>"() (plpgsql, BEFORE UPDATE ... FOR
 *              EACH ROW: NEW.col := now() / CURRENT_DATE when NEW.col IS
 *              NOT DISTINCT FROM OLD.col) and CREATE TRIGGER "<name>"
 *   SQLite     CREATE TRIGGER "<name>" AFTER UPDATE ... WHEN NEW.col IS
 *              OLD.col: UPDATE t SET col = <now> WHERE <primary key> =
 *              NEW.<primary key> AND col IS NOT <now> (the last condition
 *              ends the recursion when recursive_triggers is on)
 * The "now" expressions are those of `default: now`. */
const char *ddl_trigger_name(char *buf, const char *table, const char *col);
/* The trigger (and on PostgreSQL its function) of c; nothing when c is not
 * auto_update. */
void ddl_create_trigger(sql_dialect d, const m_table *t, const m_column *c, strbuf *sb);
/* ddl_create_trigger for every column of t. */
void ddl_create_triggers(sql_dialect d, const m_table *t, strbuf *sb);
/* Drops the trigger of column col created for table name from (and on
 * PostgreSQL its function); on_table is the table's name now (after a
 * rename).  on_table NULL: the table is gone (PostgreSQL: only the
 * function is left to drop; SQLite: nothing). */
void ddl_drop_trigger(sql_dialect d, const char *from, const char *col, const char *on_table,
                      strbuf *sb);

/* Constraint names (PostgreSQL) written into buf (n >= 200 is enough). */
#define DDL_NAME_MAX 200
const char *ddl_fk_name(char *buf, const char *table, const char *col);
const char *ddl_check_name(char *buf, const char *table, const char *col);
const char *ddl_values_name(char *buf, const char *table, const char *col);
const char *ddl_pkey_name(char *buf, const char *table);

#endif
