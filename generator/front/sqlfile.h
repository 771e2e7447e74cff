/*
 * sqlfile.h - stage 1 for query files (schema/NAME.sql): SQL text -> tokens
 * with positions, and a file -> its named queries (docs/queries.md).
 *
 * The lexer knows just enough SQL to find parameters: string literals
 * ('..', E'..', X'..'), quoted identifiers ("..", `..`, [..]), comments
 * (-- and nested block comments), dollar quotes ($tag$..$tag$), `::` casts, numbers,
 * words, `:name` parameters and punctuation.  It never parses SQL grammar:
 * the engines do that at generate time (check/).
 */
#ifndef DALC_SQLFILE_H
#define DALC_SQLFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define SQLF_MAX_BYTES (4u * 1024u * 1024u)

typedef enum sql_tok_kind {
    SQLT_WORD,   /* identifier or keyword, bare */
    SQLT_QIDENT, /* "quoted" identifier (text: without the quotes, "" undoubled) */
    SQLT_STRING, /* a string literal or dollar-quoted string */
    SQLT_NUMBER,
    SQLT_PARAM,  /* :name (text: the name) */
    SQLT_PLACEHOLDER, /* $1, ?, ?1: positional placeholders, not allowed in query files */
    SQLT_CAST,   /* :: */
    SQLT_OP,     /* operator characters: = <> != <= >= < > || + - * / % ... */
    SQLT_PUNCT,  /* ( ) , ; . [ ] */
    SQLT_ERROR   /* an unterminated literal, quoted identifier or comment */
} sql_tok_kind;

typedef struct sql_tok {
    sql_tok_kind kind;
    size_t off, len; /* bytes of the source text */
    const char *text; /* WORD (lower-cased), QIDENT, PARAM: the identifier; else NULL */
} sql_tok;

typedef struct sql_toks {
    sql_tok *v;
    int n;
} sql_toks;

/* Tokens of text[0..len) (comments dropped), allocated in a.  False when out
 * of memory. */
bool sql_lex(arena *a, const char *text, size_t len, sql_toks *out);

/* A piece of SQL text and where it comes from: offset 0 is at `first`, and
 * every later line starts at column cont_col of its line. */
typedef struct sql_text {
    const char *text;
    size_t len;
    srcpos first;
    int cont_col;
} sql_text;

/* The source position of byte off of t. */
srcpos sql_text_pos(const sql_text *t, size_t off);

typedef struct sql_directive {
    bool column;      /* -- column: (else -- param:) */
    const char *name;
    const char *type; /* "int64", "jobs.status", with "[]" stripped */
    bool list;        /* written with [] */
    int null;         /* 0 not given, 1 `null`, -1 `not null` */
    srcpos pos;       /* of the name */
    srcpos type_pos;
} sql_directive;

typedef struct sql_query {
    const char *name;
    const char *kind; /* ":one", ... as written (validated by check/) */
    srcpos pos;       /* of the name */
    srcpos kind_pos;
    const char **doc; /* doc comment lines (without "-- ") */
    int ndoc;
    sql_directive *dirs;
    int ndirs;
    sql_text body;    /* the SQL of both dialects (variants: unused) */
    bool variants;
    sql_text pg, sqlite;
} sql_query;

typedef struct sql_file {
    const char *path;
    const char *stem; /* "runs" for schema/runs.sql */
    sql_query *queries;
    int nqueries;
} sql_file;

/* Splits a query file into its queries; errors (a header or directive that
 * does not parse, SQL before the first header, a bad variant layout) go to d.
 * Returns NULL when the file could not be read at all. */
sql_file *sql_parse(arena *a, const char *path, const char *text, size_t len, diag_list *d);
sql_file *sql_parse_file(arena *a, const char *path, diag_list *d);

#endif
