/*
 * build.h - private to model/: the working state of one model_build run,
 * shared by the files that each do one part of it (see model.h for the
 * order of work).  Nothing outside model/ includes this header.
 *
 * Order of work:
 *   1. per file: the table mapping, its columns and table-level keys
 *      (build_table); everything local to one file;
 *   2. across files: duplicate tables (sort_tables), foreign keys
 *      (resolve_refs), automatic FK indexes (auto_indexes), generated SQL
 *      and C names that would collide (check_names), and the dependency
 *      order (order_tables).
 *
 * Errors are collected (several per run); a node that already failed marks
 * what depends on it as unknown, so one mistake gives one message (an
 * unknown type does not also produce a default error, an unknown table does
 * not also produce a type mismatch).
 *
 * Everything, including copies of the strings kept from the YAML tree,
 * lives in the model's arena.
 */
#ifndef DALC_MODEL_BUILD_H
#define DALC_MODEL_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "front/yamltree.h"
#include "model/model.h"


#define MAX_IDENT 63
#define MAX_VARCHAR 10485760
#define MAX_JSON_DEPTH 256

/* ---- per-file working state ------------------------------------------- */

typedef struct csrc {
    const yt_node *map, *name_n, *type_n, *def_n, *refs_n, *ondel_n, *onupd_n;
    const yt_node *identity_n, *pk_n, *unique_n, *nullable_n;
    bool name_ok, type_ok, values_ok, maxlen_ok, decimal_ok;
    const char *ref_table, *ref_col; /* parsed `references`, or NULL */
} csrc;

typedef struct tsrc {
    const char *file;  /* model arena copy of the document path */
    const yt_node *root;
    m_table *t;        /* NULL when the table could not be read at all */
    csrc *cs;
    bool name_ok;
    bool columns_ok;   /* every column readable: references into it can be checked */
    bool keys_ok;      /* primary key and unique constraints read without error */
} tsrc;

typedef struct builder {
    model *m;
    arena *a;
    diag_list *d;
    tsrc *ts;
    int nts;
    /* stems of files that failed to parse: references to them are not
     * reported as unknown */
    const char *const *failed;
    int nfailed;
    tsrc **sorted; /* readable tables by name, for lookups */
    int nsorted;
    bool oom;
} builder;

static inline srcpos P(const tsrc *ts, const yt_node *n)
{
    srcpos p = {ts->file, n ? n->pos.line : 0, n ? n->pos.col : 0};
    return p;
}

/* ERR(node, fmt, ...) reports an error at node of the current file (needs
 * `b` and `ts` in scope) and is false. */
#define ERR(node, ...) diag_error(b->d, P(ts, node), __VA_ARGS__)

/* An arena copy of s (NULL stays NULL); out of memory sets b->oom. */
static inline const char *S(builder *b, const char *s)
{
    if (!s)
        return NULL;
    char *p = arena_strdup(b->a, s);
    if (!p)
        b->oom = true;
    return p;
}

/* n bytes of the arena (at least 1); out of memory sets b->oom. */
static inline void *A(builder *b, size_t n)
{
    void *p = arena_alloc(b->a, n ? n : 1);
    if (!p)
        b->oom = true;
    return p;
}

/* The column list of a key or index on c alone into *cols and *ncols;
 * false when out of memory. */
static inline bool one_column(builder *b, m_column *c, m_column ***cols, int *ncols)
{
    *cols = A(b, sizeof **cols);
    if (!*cols)
        return false;
    (*cols)[0] = c;
    *ncols = 1;
    return true;
}

/* read.c: typed readers of YAML nodes */
const char *kind_name(const yt_node *n);
bool is_null(const yt_node *n);
const char *hint(builder *b, const char *s, const char *const *cands, size_t n);
bool want_kind(builder *b, const tsrc *ts, const yt_node *n, yt_kind k, const char *what);
bool get_str(builder *b, const tsrc *ts, const yt_node *n, const char *what, const char **out);
bool get_bool(builder *b, const tsrc *ts, const yt_node *n, const char *what, bool *out);
bool parse_ll(const char *s, long long *out, bool *overflow);
bool get_int(builder *b, const tsrc *ts, const yt_node *n, const char *what, long long lo, long long hi, int *out);
bool ident_chars_ok(const char *s);
bool get_ident(builder *b, const tsrc *ts, const yt_node *n, const char *what, const char **out);
bool check_keys(builder *b, const tsrc *ts, const yt_node *map, const char *const *allowed, size_t n, const char *what);
const yt_node *get_key_node(const yt_node *map, const char *key);

/* literal.c: literal text */
size_t utf8_len(const char *s);
const char *json_check(const char *s);
const char *parse_date(const char *s, long long *days);
const char *parse_timestamp(const char *s, long long *us);
char *format_timestamp(builder *b, long long us);
bool is_hex(char c);
bool float_syntax(const char *s);

/* defaults.c */
bool check_default(builder *b, const tsrc *ts, m_column *c, const csrc *cs);

/* table.c: one file */
const char *sql_name(builder *b, const char *full);
const char *join_cols(builder *b, const char *pre, m_column **cols, int n, const char *post);
void build_table(builder *b, tsrc *ts, const char *stem);

/* refs.c: across tables */
int cmp_table_name(const void *x, const void *y);
void sort_tables(builder *b);
void resolve_refs(builder *b);
void auto_indexes(builder *b);

/* collisions.c */
void check_names(builder *b);

/* view.c: views (after the tables) */
void build_views(builder *b, const tsrc *vs, int nvs, const char *const *stems);

/* order.c */
void order_tables(builder *b);

#endif
