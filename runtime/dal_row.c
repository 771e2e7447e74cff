/*
 * dal_row.c - row descriptors: generic bind/read of a generated struct,
 * fetch helpers and descriptor-driven INSERT / upsert / batched insert.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dal_internal.h"

/* The runtime's type table: what the generic paths need to know of each
 * schema type, in one place (the engines' hot paths keep their own switches,
 * which the compiler turns into jump tables with the conversion inline). */
const dal_type_info dal__types[] = {
    [DAL_T_BOOL] = {"bool", sizeof(bool), DAL_TK_INT, DAL_P_BOOL},
    [DAL_T_INT16] = {"int16", sizeof(int16_t), DAL_TK_INT, DAL_P_INT16},
    [DAL_T_INT32] = {"int32", sizeof(int32_t), DAL_TK_INT, DAL_P_INT32},
    [DAL_T_INT64] = {"int64", sizeof(int64_t), DAL_TK_INT, DAL_P_INT},
    [DAL_T_FLOAT32] = {"float32", sizeof(float), DAL_TK_FLOAT, DAL_P_FLOAT32},
    [DAL_T_FLOAT64] = {"float64", sizeof(double), DAL_TK_FLOAT, DAL_P_FLOAT64},
    [DAL_T_DECIMAL] = {"decimal", sizeof(char *), DAL_TK_STR, DAL_P_DECIMAL},
    [DAL_T_TEXT] = {"text", sizeof(char *), DAL_TK_STR, DAL_P_TEXT},
    [DAL_T_JSON] = {"json", sizeof(char *), DAL_TK_STR, DAL_P_JSON},
    [DAL_T_BYTES] = {"bytes", sizeof(dal_bytes), DAL_TK_BYTES, DAL_P_BYTES},
    [DAL_T_UUID] = {"uuid", 37, DAL_TK_UUID, DAL_P_UUID},
    [DAL_T_TIME] = {"timestamp", sizeof(dal_time), DAL_TK_INT, DAL_P_TIME},
    [DAL_T_DATE] = {"date", sizeof(dal_date), DAL_TK_INT, DAL_P_DATE},
    [DAL_T_ENUM] = {"enum", sizeof(int), DAL_TK_ENUM, DAL_P_TEXT},
};

/* Through the public dal_bind_* calls (so that every check they make
 * applies): any engine, any parameter range (out-of-range indexes are
 * reported by the next step). */
void dal__bind_cols_generic(dal_stmt *st, int first, const dal_table *t, const void *row,
                            const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        const dal_column *c = &t->columns[cols ? cols[k] : k];
        const dal_type_info *ti = &dal__types[c->type];
        int i = first + k;
        const char *f = FIELD(row, c->offset);
        if (!has_value(c, row)) {
            dal_bind_null(st, i);
            continue;
        }
        switch (ti->kind) {
        case DAL_TK_INT: {
            int64_t v = dal__load_int(f, ti->size);
            if (ti->pkind == DAL_P_TIME)
                dal_bind_time(st, i, v);
            else if (ti->pkind == DAL_P_DATE)
                dal_bind_date(st, i, (dal_date)v);
            else
                st->eng->bind_int(st, i, ti->pkind == DAL_P_BOOL ? v != 0 : v, ti->pkind);
            break;
        }
        case DAL_TK_FLOAT: {
            double v = dal__load_float(f, ti->size);
            if (v != v)
                dal__value_err(st, i, NULL, NAN_MSG);
            else
                st->eng->bind_float(st, i, v, ti->pkind);
            break;
        }
        case DAL_TK_STR: {
            const char *v = dal__str_field(f);
            if (ti->pkind == DAL_P_TEXT)
                dal_bind_text(st, i, v);
            else if (ti->pkind == DAL_P_DECIMAL)
                dal__bind_decimal(st, i, c->name, v, DAL_COL_PRECISION(c->flags),
                                  DAL_COL_SCALE(c->flags));
            else
                dal_bind_json(st, i, v);
            break;
        }
        case DAL_TK_BYTES: {
            dal_bytes v;
            memcpy(&v, f, sizeof v);
            if (!v.data && v.len != 0) {
                /* Misuse: never read len bytes from a NULL pointer. */
                dal__bind_fail(st, DAL_MISUSE, "column %s: bytes with a NULL pointer and length %zu",
                               c->name, v.len);
                break;
            }
            if (!v.data && !(c->flags & DAL_COL_NULLABLE))
                v.data = (unsigned char *)""; /* NOT NULL, {NULL, 0}: empty, not NULL */
            dal_bind_bytes(st, i, v);
            break;
        }
        case DAL_TK_UUID:
            dal_bind_uuid(st, i, f);
            break;
        case DAL_TK_ENUM: {
            const char *name = dal__enum_name(st, c, f);
            if (name)
                dal_bind_text(st, i, name);
            break;
        }
        }
    }
}

void dal__enum_range_err(dal_stmt *st, const dal_column *c, int v)
{
    dal__bind_fail(st, DAL_MISUSE, "column %s: enum value %d out of range", c->name, v);
}

void dal__bind_row_cols(dal_stmt *st, int first, const dal_table *t, const void *row,
                        const int *cols, int n)
{
    if (first < 1 || n < 0 || first - 1 > st->nparams - n)
        dal__bind_cols_generic(st, first, t, row, cols, n);
    else
        st->eng->bind_row_cols(st, first, t, row, cols, n);
}

void dal_bind_row(dal_stmt *st, int first, const dal_table *t, const void *row, const int *cols,
                  int n)
{
    if (!st || !t || !row)
        return;
    dal__bind_row_cols(st, first, t, row, cols, n);
}

/* Reads column `col` into field f by the generic typed readers (any engine,
 * any storage class); a variable-length value is only located (sp), copied
 * later into the row's one allocation.  A fixed-size value is read straight
 * into its field, which has the reader's type and alignment (it is a member of
 * the row's struct). */
dal_status dal__read_col_generic(dal_stmt *st, int col, const dal_column *c, void *row,
                                 dal_span *spans, int *nvar, size_t *total)
{
    char *f = WFIELD(row, c->offset);
    dal_span *sp = &spans[*nvar];
    sp->p = NULL;
    sp->len = 0;
    sp->c = c;
    if (dal_col_is_null(st, col))
        return DAL_OK; /* NULL: zero value, has_ false (also for a NOT NULL field of an outer join) */
    dal__mark_has(c, row);
    dal_status s = DAL_OK;
    switch (c->type) {
    case DAL_T_BOOL:
    case DAL_T_INT16:
    case DAL_T_INT32:
    case DAL_T_INT64:
        s = dal__col_int_into(st, col, f, dal__types[c->type].size);
        break;
    case DAL_T_FLOAT32:
    case DAL_T_FLOAT64:
        s = dal__col_float_into(st, col, f, dal__types[c->type].size);
        break;
    case DAL_T_DECIMAL:
    case DAL_T_TEXT:
    case DAL_T_JSON:
        s = dal_col_text(st, col, &sp->p, &sp->len);
        if (s == DAL_OK) {
            *total += sp->len + 1;
            ++*nvar;
        }
        break;
    case DAL_T_BYTES: {
        const unsigned char *b = NULL;
        s = dal_col_bytes(st, col, &b, &sp->len);
        if (s == DAL_OK) {
            sp->p = b ? (const char *)b : "";
            *total += sp->len + 1;
            ++*nvar;
        }
        break;
    }
    case DAL_T_UUID:
        s = dal_col_uuid(st, col, f);
        break;
    case DAL_T_TIME:
        s = dal_col_time(st, col, (dal_time *)(void *)f);
        break;
    case DAL_T_DATE:
        s = dal_col_date(st, col, (dal_date *)(void *)f);
        break;
    case DAL_T_ENUM: {
        const char *p;
        size_t len;
        s = dal_col_text(st, col, &p, &len);
        if (s == DAL_OK)
            s = dal__read_enum(st->db, c, p, len, f);
        break;
    }
    }
    return s;
}

dal_status dal__read_cols_generic(dal_stmt *st, int first, const dal_table *t, void *row,
                                  dal_span *sp, int *nvar, size_t *total)
{
    for (int k = 0; k < t->ncolumns; k++) {
        dal_status s = dal__read_col_generic(st, first + k, &t->columns[k], row, sp, nvar, total);
        if (s != DAL_OK)
            return s;
    }
    return DAL_OK;
}

dal_status dal_read_row(dal_stmt *st, int first, const dal_table *t, void *row)
{
    if (!st || !t || !row || first < 0)
        return st ? dal__err(st->db, DAL_MISUSE, "dal_read_row: bad arguments") : DAL_MISUSE;
    memset(row, 0, t->size);
    int n = t->ncolumns;
    dal_span local[32], *sp = local;
    if (n > 32) {
        sp = calloc((size_t)n, sizeof *sp);
        if (!sp)
            return dal__err(st->db, DAL_NOMEM, "out of memory");
    }
    /* pass 1: fixed-size values into the row, variable-length ones located */
    size_t total = 0;
    int nvar = 0;
    dal_status s = st->eng->read_cols(st, first, t, row, sp, &nvar, &total);
    /* pass 2: one allocation for every text/json/decimal/bytes value */
    char *mem = NULL;
    if (s == DAL_OK && nvar > 0) {
        mem = malloc(total);
        if (!mem)
            s = dal__err(st->db, DAL_NOMEM, "out of memory");
        char *m = mem;
        for (int k = 0; k < nvar && s == DAL_OK; k++) {
            const dal_column *c = sp[k].c;
            size_t len = sp[k].len;
            memcpy(m, sp[k].p, len);
            m[len] = '\0';
            if (c->type == DAL_T_BYTES) {
                dal_bytes b = {(unsigned char *)m, len};
                memcpy(WFIELD(row, c->offset), &b, sizeof b);
            }
            else
                memcpy(WFIELD(row, c->offset), &m, sizeof m);
            m += len + 1;
        }
    }
    if (sp != local)
        free(sp);
    if (s != DAL_OK) {
        free(mem);
        memset(row, 0, t->size);
        return s;
    }
    memcpy(WFIELD(row, t->mem_offset), &mem, sizeof mem);
    return DAL_OK;
}

void dal_row_free(const dal_table *t, void *row)
{
    if (!t || !row)
        return;
    void *mem;
    memcpy(&mem, FIELD(row, t->mem_offset), sizeof mem);
    free(mem);
    memset(row, 0, t->size);
}

dal_status dal_row_copy(const dal_table *t, const void *src, void *dst)
{
    if (!t || !src || !dst || src == dst)
        return DAL_MISUSE;
    memset(dst, 0, t->size);
    /* pass 1: the size of every text/json/decimal/bytes value, terminator included */
    size_t total = 0;
    for (int k = 0; k < t->ncolumns; k++) {
        const dal_column *c = &t->columns[k];
        const char *f = FIELD(src, c->offset);
        size_t len;
        if (dal__types[c->type].kind == DAL_TK_STR) {
            const char *v = dal__str_field(f);
            if (!v)
                continue;
            len = strlen(v);
        } else if (dal__types[c->type].kind == DAL_TK_BYTES) {
            dal_bytes v;
            memcpy(&v, f, sizeof v);
            if (!v.data && v.len != 0)
                return DAL_MISUSE; /* never read len bytes from a NULL pointer */
            if (!v.data)
                continue;
            len = v.len;
        } else
            continue;
        if (len >= SIZE_MAX - total)
            return DAL_NOMEM;
        total += len + 1;
    }
    char *mem = NULL;
    if (total > 0 && !(mem = malloc(total)))
        return DAL_NOMEM;
    /* pass 2: the struct as it is, then each value moved into the one allocation */
    memcpy(dst, src, t->size);
    char *m = mem;
    for (int k = 0; k < t->ncolumns; k++) {
        const dal_column *c = &t->columns[k];
        char *f = WFIELD(dst, c->offset);
        if (dal__types[c->type].kind == DAL_TK_STR) {
            const char *v = dal__str_field(f);
            if (!v)
                continue;
            size_t len = strlen(v);
            memcpy(m, v, len + 1);
            memcpy(f, &m, sizeof m);
            m += len + 1;
        } else if (dal__types[c->type].kind == DAL_TK_BYTES) {
            dal_bytes v;
            memcpy(&v, f, sizeof v);
            if (!v.data)
                continue;
            if (v.len)
                memcpy(m, v.data, v.len);
            m[v.len] = '\0';
            v.data = (unsigned char *)m;
            memcpy(f, &v, sizeof v);
            m += v.len + 1;
        }
    }
    memcpy(WFIELD(dst, t->mem_offset), &mem, sizeof mem);
    return DAL_OK;
}

static inline bool field_zero(const dal_column *c, const void *row);

bool dal_field_is_zero(const dal_column *c, const void *row)
{
    if (!c || !row)
        return true;
    return field_zero(c, row);
}

static inline bool field_zero(const dal_column *c, const void *row)
{
    if (c->has_offset != DAL_NO_HAS && !has_value(c, row))
        return true;
    if (c->has_offset != DAL_NO_HAS)
        return false; /* explicitly set, even to 0 */
    const dal_type_info *ti = &dal__types[c->type];
    const char *f = FIELD(row, c->offset);
    switch (ti->kind) {
    case DAL_TK_INT:
    case DAL_TK_ENUM:
        return dal__load_int(f, ti->size) == 0;
    case DAL_TK_FLOAT:
        return dal__load_float(f, ti->size) == 0;
    case DAL_TK_STR: {
        const char *v = dal__str_field(f);
        return v == NULL;
    }
    case DAL_TK_BYTES: {
        dal_bytes v;
        memcpy(&v, f, sizeof v);
        return v.data == NULL;
    }
    case DAL_TK_UUID:
        return f[0] == '\0';
    }
    return false;
}

dal_status dal_fetch_all(dal_stmt *st, const dal_table *t, size_t size_hint, void **items,
                         size_t *len)
{
    return dal_fetch_all_with(st, t, NULL, size_hint, items, len);
}

DAL_NOINLINE dal_status dal__rows_grow(dal_stmt *st, size_t size, char **arr, size_t *cap)
{
    char *na = realloc(*arr, *cap * 2 * size);
    if (!na)
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    *arr = na;
    *cap *= 2;
    return DAL_OK;
}

/* One row by r, outside the engine's row loop. */
static dal_status read_one(dal_stmt *st, const dal_table *t, const dal_reader *r, void *row)
{
    if (r->values) {
        dal_status s = dal_row_values(st, r->v, r->nv);
        if (s != DAL_OK)
            return s;
        return r->values(st, r->v, row);
    }
    return r->read ? r->read(st, row) : dal_read_row(st, 0, t, row);
}

/* dal_fetch_all_with and dal_fetch_all_values (t, items and len checked). */
DAL_HOT static dal_status fetch_all(dal_stmt *st, const dal_table *t, const dal_reader *r,
                                    size_t size_hint, void **items, size_t *len)
{
    size_t cap = size_hint ? size_hint : 16, n = 0;
    if (cap > 1024 * 1024)
        cap = 1024 * 1024;
    char *arr = malloc(cap * t->size);
    dal_status s = arr ? DAL_OK : dal__err(st->db, DAL_NOMEM, "out of memory");
    for (;;) {
        if (s != DAL_OK)
            break;
        bool has = false;
        s = dal_stmt_step(st, &has);
        if (s != DAL_OK || !has)
            break;
        if ((r->read || r->values) && st->eng->read_rest && st->running && !st->tweight) {
            s = st->eng->read_rest(st, r, t->size, &arr, &n, &cap);
            break;
        }
        if ((s = dal__rows_room(st, t->size, &arr, n, &cap)) != DAL_OK)
            break;
        s = read_one(st, t, r, arr + n * t->size);
        if (s == DAL_OK)
            n++;
    }
    dal_stmt_done(st);
    if (s != DAL_OK) {
        for (size_t i = 0; i < n; i++)
            dal_row_free(t, arr + i * t->size);
        free(arr);
        return s;
    }
    if (n == 0) {
        free(arr);
        arr = NULL;
    }
    *items = arr;
    *len = n;
    return DAL_OK;
}

dal_status dal_fetch_all_with(dal_stmt *st, const dal_table *t, dal_read_fn read,
                              size_t size_hint, void **items, size_t *len)
{
    if (!st || !t || !items || !len) {
        dal_stmt_done(st);
        return st ? dal__err(st->db, DAL_MISUSE, "dal_fetch_all: bad arguments") : DAL_MISUSE;
    }
    dal_reader r = {read, NULL, NULL, 0};
    return fetch_all(st, t, &r, size_hint, items, len);
}

/* Values of rows up to this many columns live on the stack. */
enum { FETCH_VALUES_STACK = 32 };

DAL_HOT dal_status dal_fetch_all_values(dal_stmt *st, const dal_table *t,
                                        dal_values_fn values, size_t size_hint, void **items,
                                        size_t *len)
{
    if (!st || !t || !values || t->ncolumns < 0 || !items || !len) {
        dal_stmt_done(st);
        return st ? dal__err(st->db, DAL_MISUSE, "dal_fetch_all_values: bad arguments")
                  : DAL_MISUSE;
    }
    dal_value stack[FETCH_VALUES_STACK], *v = stack;
    if (t->ncolumns > FETCH_VALUES_STACK && !(v = malloc((size_t)t->ncolumns * sizeof *v))) {
        dal_stmt_done(st);
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    }
    dal_reader r = {NULL, values, v, t->ncolumns};
    dal_status s = fetch_all(st, t, &r, size_hint, items, len);
    if (v != stack)
        free(v);
    return s;
}

dal_status dal_fetch_one(dal_stmt *st, const dal_table *t, void *row)
{
    return dal_fetch_one_with(st, t, NULL, row);
}

DAL_HOT dal_status dal_fetch_one_with(dal_stmt *st, const dal_table *t, dal_read_fn read,
                                      void *row)
{
    if (!st || (!t && !read) || !row) {
        dal_stmt_done(st);
        return st ? dal__err(st->db, DAL_MISUSE, "dal_fetch_one: bad arguments") : DAL_MISUSE;
    }
    if (read && dal__once_ready(st))
        return st->eng->once(st, read, row);
    bool has = false;
    dal_status s = dal_stmt_step(st, &has);
    if (s == DAL_OK && !has)
        s = dal__err(st->db, DAL_NOT_FOUND, "dal_fetch_one: no row");
    if (s == DAL_OK)
        s = read ? read(st, row) : dal_read_row(st, 0, t, row);
    dal_stmt_done(st);
    return s;
}

/* ---------------------------------------------------------------------- */
/* descriptor-driven INSERT                                                */
/* ---------------------------------------------------------------------- */

/* What a cache entry's statement is (dal_ins_cache.flags). */
enum {
    INS_UPSERT = 1u,    /* INSERT ... ON CONFLICT (primary key) DO UPDATE */
    INS_RETURNING = 2u, /* ... RETURNING every column */
    INS_UPDATE = 4u,    /* UPDATE of a column set by primary key (dal_update_cols) */
};

/* Whether the statement names column k of t: an UPDATE the non-key columns
 * of the set; an INSERT with a set (dal_insert_cols) the set's columns; a
 * plain INSERT every column but the defaulted ones whose field is zero
 * (default elision). */
static inline bool stmt_names(const dal_column *c, int k, const void *row, const bool *cols,
                              unsigned flags)
{
    if (flags & INS_UPDATE)
        return cols[k] && !(c->flags & DAL_COL_PK);
    if (cols)
        return cols[k];
    return !(c->flags & DAL_COL_DEFAULT) || !field_zero(c, row);
}

/* db's entry for (t, flags, column mask), moved to the front of the list;
 * NULL when there is none.  Up to 64 columns m64 is the whole mask and
 * mask is NULL; past 64, mask (mbytes) is compared. */
static inline dal_ins_cache *cache_find(dal_db *db, const dal_table *t, unsigned flags,
                                        uint64_t m64, const unsigned char *mask, size_t mbytes)
{
    dal_ins_cache *prev = NULL;
    for (dal_ins_cache *ic = db->ins; ic; prev = ic, ic = ic->next) {
        if (ic->t == t && ic->flags == flags &&
            (mask ? memcmp(ic->mask, mask, mbytes) == 0 : ic->mask64 == m64)) {
            if (prev) { /* move to front */
                prev->next = ic->next;
                ic->next = db->ins;
                db->ins = ic;
            }
            return ic;
        }
    }
    return NULL;
}

/* "name = EXCLUDED.name" in an upsert's SET list, after a comma but for the
 * first (*nset counts them). */
static void set_excluded(dal_sbuf *b, int *nset, const char *name)
{
    if ((*nset)++)
        dal__sb_str(b, ", ");
    dal__sb_ident(b, name);
    dal__sb_str(b, " = EXCLUDED.");
    dal__sb_ident(b, name);
}

/* INSERT INTO "t" (<ic's columns>) VALUES ($1, ...) [ON CONFLICT ...] [RETURNING ...] */
static void insert_sql(dal_sbuf *b, const dal_table *t, const dal_ins_cache *ic)
{
    char num[24];
    dal__sb_str(b, "INSERT INTO ");
    dal__sb_ident(b, t->name);
    if (ic->ncols == 0)
        dal__sb_str(b, " DEFAULT VALUES");
    else {
        dal__sb_str(b, " (");
        for (int k = 0; k < ic->ncols; k++) {
            if (k)
                dal__sb_str(b, ", ");
            dal__sb_ident(b, t->columns[ic->cols[k]].name);
        }
        dal__sb_str(b, ") VALUES (");
        for (int k = 0; k < ic->ncols; k++) {
            snprintf(num, sizeof num, "%s$%d", k ? ", " : "", k + 1);
            dal__sb_str(b, num);
        }
        dal__sb_str(b, ")");
    }
    if (ic->flags & INS_UPSERT) {
        dal__sb_str(b, " ON CONFLICT (");
        int npk = 0;
        for (int k = 0; k < t->ncolumns; k++)
            if (t->columns[k].flags & DAL_COL_PK) {
                if (npk++)
                    dal__sb_str(b, ", ");
                dal__sb_ident(b, t->columns[k].name);
            }
        dal__sb_str(b, ") DO UPDATE SET ");
        int nset = 0;
        for (int k = 0; k < ic->ncols; k++) {
            const dal_column *c = &t->columns[ic->cols[k]];
            if (!(c->flags & DAL_COL_PK))
                set_excluded(b, &nset, c->name);
        }
        if (nset == 0) /* only key columns: a no-op update, so RETURNING still gives the row */
            for (int k = 0; k < t->ncolumns; k++)
                if (t->columns[k].flags & DAL_COL_PK)
                    set_excluded(b, &nset, t->columns[k].name);
    }
    if (ic->flags & INS_RETURNING) {
        dal__sb_str(b, " RETURNING ");
        for (int k = 0; k < t->ncolumns; k++) {
            if (k)
                dal__sb_str(b, ", ");
            dal__sb_ident(b, t->columns[k].name);
        }
    }
}

/* UPDATE "t" SET "a" = $1, ... WHERE "k" = $n+1 AND ...: ic->cols holds the
 * nset SET columns, then the key columns. */
static void update_sql(dal_sbuf *b, const dal_table *t, const dal_ins_cache *ic, int nset)
{
    char num[24];
    dal__sb_str(b, "UPDATE ");
    dal__sb_ident(b, t->name);
    for (int k = 0; k < ic->ncols; k++) {
        dal__sb_str(b, k == 0 ? " SET " : k == nset ? " WHERE " : k < nset ? ", " : " AND ");
        dal__sb_ident(b, t->columns[ic->cols[k]].name);
        snprintf(num, sizeof num, " = $%d", k + 1);
        dal__sb_str(b, num);
    }
}

/* A new entry for mask (mbytes bytes, m64 its first 64 bits), its SQL built,
 * put first in db's list; NULL when out of memory. */
static dal_ins_cache *cache_add(dal_db *db, const dal_table *t, unsigned flags,
                                const unsigned char *mask, size_t mbytes, uint64_t m64)
{
    dal_ins_cache *ic = calloc(1, sizeof *ic);
    if (!ic)
        return NULL;
    ic->t = t;
    ic->flags = flags;
    ic->mask64 = m64;
    ic->mask = malloc(mbytes ? mbytes : 1);
    ic->cols = malloc(((size_t)t->ncolumns + 1) * sizeof(int));
    if (!ic->mask || !ic->cols) {
        free(ic->mask);
        free(ic->cols);
        free(ic);
        return NULL;
    }
    memcpy(ic->mask, mask, mbytes);
    ic->identity = -1;
    for (int k = 0; k < t->ncolumns; k++)
        if (ic->mask[k / 8] & (1u << (k % 8))) {
            ic->cols[ic->ncols++] = k;
            if (t->columns[k].flags & DAL_COL_IDENTITY)
                ic->identity = k;
        }
    dal_sbuf b = {0};
    if (flags & INS_UPDATE) {
        int nset = ic->ncols; /* then the key, bound after the SET values */
        for (int k = 0; k < t->ncolumns; k++)
            if (t->columns[k].flags & DAL_COL_PK)
                ic->cols[ic->ncols++] = k;
        update_sql(&b, t, ic, nset);
    } else
        insert_sql(&b, t, ic);
    if (b.oom) {
        free(b.p);
        free(ic->mask);
        free(ic->cols);
        free(ic);
        return NULL;
    }
    ic->q.sql = b.p;
    ic->q.nparams = ic->ncols;
    ic->next = db->ins;
    db->ins = ic;
    return ic;
}

/* The cached statement of flags for row (and cols, the column set of
 * dal_insert_cols / dal_update_cols, else NULL): looked up by the mask of
 * the columns it names, built on first use. */
static dal_ins_cache *cache_get(dal_db *db, const dal_table *t, const void *row,
                                const bool *cols, unsigned flags)
{
    const dal_column *columns = t->columns;
    if (t->ncolumns <= 64) {
        /* fast path: the mask in one word, the most recent entry first */
        uint64_t m = 0;
        for (int k = 0; k < t->ncolumns; k++)
            if (stmt_names(&columns[k], k, row, cols, flags))
                m |= (uint64_t)1 << k;
        dal_ins_cache *ic = cache_find(db, t, flags, m, NULL, 0);
        if (ic)
            return ic;
    }
    size_t mbytes = ((size_t)t->ncolumns + 7) / 8;
    unsigned char local[64], *mask = local;
    if (mbytes > sizeof local) {
        mask = malloc(mbytes);
        if (!mask)
            return NULL;
    }
    memset(mask, 0, mbytes);
    uint64_t m64 = 0;
    for (int k = 0; k < t->ncolumns; k++) {
        if (stmt_names(&columns[k], k, row, cols, flags)) {
            mask[k / 8] |= (unsigned char)(1u << (k % 8));
            if (k < 64)
                m64 |= (uint64_t)1 << k;
        }
    }
    dal_ins_cache *ic = NULL;
    if (t->ncolumns > 64)
        ic = cache_find(db, t, flags, m64, mask, mbytes);
    if (!ic)
        ic = cache_add(db, t, flags, mask, mbytes, m64);
    if (mask != local)
        free(mask);
    return ic;
}

dal_ins_cache *dal__ins_get(dal_db *db, const dal_table *t, const void *row, bool upsert,
                            bool returning)
{
    unsigned flags = (upsert ? INS_UPSERT : 0u) | (returning ? INS_RETURNING : 0u);
    if (t->ncolumns <= 64) {
        /* the hot path of insert and of every row of a bulk insert: the
         * default elision mask in one word, without cache_get's set tests */
        uint64_t m = 0;
        for (int k = 0; k < t->ncolumns; k++) {
            const dal_column *c = &t->columns[k];
            if (!(c->flags & DAL_COL_DEFAULT) || !field_zero(c, row))
                m |= (uint64_t)1 << k;
        }
        dal_ins_cache *ic = cache_find(db, t, flags, m, NULL, 0);
        if (ic)
            return ic;
    }
    return cache_get(db, t, row, NULL, flags);
}

dal_ins_cache *dal__ins_run(dal_db *db, const dal_table *t, const char *rows, size_t k,
                            size_t n, size_t *end)
{
    dal_ins_cache *ic = dal__ins_get(db, t, rows + k * t->size, false, false);
    if (!ic) {
        dal__err(db, DAL_NOMEM, "out of memory");
        return NULL;
    }
    size_t j = k + 1;
    while (j < n && dal__ins_get(db, t, rows + j * t->size, false, false) == ic)
        j++;
    *end = j;
    return ic;
}

void dal__ins_free(dal_db *db)
{
    dal_ins_cache *ic = db->ins;
    while (ic) {
        dal_ins_cache *n = ic->next;
        free((char *)ic->q.sql);
        free(ic->copy_sql);
        free((char *)ic->vq.sql);
        free(ic->mask);
        free(ic->cols);
        free(ic);
        ic = n;
    }
    db->ins = NULL;
}

static bool has_pk(const dal_table *t)
{
    for (int k = 0; k < t->ncolumns; k++)
        if (t->columns[k].flags & DAL_COL_PK)
            return true;
    return false;
}

/* *st: the cached statement of flags for row (and cols), started, with
 * row's fields bound. */
static dal_status cache_start(dal_db *db, const dal_table *t, const void *row, const bool *cols,
                              unsigned flags, dal_stmt **st, dal_ins_cache **icp)
{
    dal_ins_cache *ic = cols ? cache_get(db, t, row, cols, flags)
                             : dal__ins_get(db, t, row, flags & INS_UPSERT, flags & INS_RETURNING);
    if (!ic)
        return dal__err(db, DAL_NOMEM, "out of memory");
    if (icp)
        *icp = ic;
    dal_status s = dal_stmt_start(db, &ic->q, st);
    if (s == DAL_OK)
        dal__bind_row_cols(*st, 1, t, row, ic->cols, ic->ncols);
    return s;
}

/* dal_insert_row, and with cols dal_insert_cols: the arguments checked. */
static dal_status insert_row(dal_db *db, const dal_table *t, const void *in, const bool *cols,
                             void *out, bool upsert)
{
    if (upsert && !has_pk(t))
        return dal__err(db, DAL_MISUSE, "upsert into %s: table has no primary key", t->name);
    dal_stmt *st;
    dal_ins_cache *ic;
    dal_status s = cache_start(db, t, in, cols,
                               (upsert ? INS_UPSERT : 0u) | (out ? INS_RETURNING : 0u), &st, &ic);
    if (s != DAL_OK)
        return s;
    if (out)
        s = dal_fetch_one(st, t, out);
    else if (st->eng->once)
        s = st->eng->once(st, NULL, NULL);
    else {
        bool has;
        s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
    }
    /* an explicit identity value (only then: generated ids cost nothing) */
    if (s == DAL_OK && ic->identity >= 0 && db->eng->identity_written) {
        const dal_column *c = &t->columns[ic->identity];
        int64_t id = dal__load_int(FIELD(in, c->offset), dal__types[c->type].size);
        s = db->eng->identity_written(db, t, c, id);
        if (s != DAL_OK && out)
            dal_row_free(t, out);
    }
    return s;
}

dal_status dal_insert_row(dal_db *db, const dal_table *t, const void *in, void *out, bool upsert)
{
    if (!db)
        return DAL_MISUSE;
    if (!t || !in || out == in)
        return dal__err(db, DAL_MISUSE, "dal_insert_row: bad arguments");
    return insert_row(db, t, in, NULL, out, upsert);
}

dal_status dal_insert_cols(dal_db *db, const dal_table *t, const void *in, const bool *cols,
                           void *out)
{
    if (!db)
        return DAL_MISUSE;
    if (!t || !in || !cols || out == in)
        return dal__err(db, DAL_MISUSE, "dal_insert_cols: bad arguments");
    return insert_row(db, t, in, cols, out, false);
}

dal_status dal_update_cols(dal_db *db, const dal_table *t, const void *row, const bool *cols,
                           int64_t *changes)
{
    if (changes)
        *changes = 0;
    if (!db)
        return DAL_MISUSE;
    if (!t || !row || !cols)
        return dal__err(db, DAL_MISUSE, "dal_update_cols: bad arguments");
    if (!has_pk(t))
        return dal__err(db, DAL_MISUSE, "update of %s: table has no primary key", t->name);
    int nset = 0;
    for (int k = 0; k < t->ncolumns; k++)
        nset += cols[k] && !(t->columns[k].flags & DAL_COL_PK);
    if (nset == 0)
        return dal__err(db, DAL_MISUSE,
                        "update of %s: no column to set (the set is empty or has key columns only)",
                        t->name);
    dal_stmt *st;
    dal_status s = cache_start(db, t, row, cols, INS_UPDATE, &st, NULL);
    return s == DAL_OK ? dal_stmt_exec(st, changes) : s;
}

/* After dal_insert_rows: the largest explicit identity value of rows, if
 * any, handed to the engine (PostgreSQL advances the sequence). */
static dal_status identity_after_rows(dal_db *db, const dal_table *t, const char *rows, size_t n)
{
    const dal_column *c = NULL;
    for (int k = 0; k < t->ncolumns && !c; k++)
        if (t->columns[k].flags & DAL_COL_IDENTITY)
            c = &t->columns[k];
    if (!c)
        return DAL_OK;
    size_t size = dal__types[c->type].size;
    int64_t max = 0;
    for (size_t r = 0; r < n; r++) {
        int64_t id = dal__load_int(rows + r * t->size + c->offset, size);
        if (id > max)
            max = id;
    }
    return max > 0 ? db->eng->identity_written(db, t, c, max) : DAL_OK;
}

dal_status dal_insert_rows(dal_db *db, const dal_table *t, const void *rows, size_t n)
{
    if (!db)
        return DAL_MISUSE;
    if (!t || (!rows && n))
        return dal__err(db, DAL_MISUSE, "dal_insert_rows: bad arguments");
    if (n == 0) {
        dal__ok(db); /* success clears the last message, as every call does */
        return DAL_OK;
    }
    dal_status s = dal_begin(db);
    if (s != DAL_OK)
        return s;
    s = db->eng->insert_rows(db, t, rows, n);
    if (s == DAL_OK && db->eng->identity_written)
        s = identity_after_rows(db, t, rows, n);
    return dal__end_level(db, s);
}

/* Builds ic->vq once: ic's INSERT with `per` rows of VALUES. */
dal_status dal__ins_values_query(dal_ins_cache *ic, int per)
{
    if (ic->vq.sql)
        return DAL_OK;
    dal_sbuf q = {0};
    const char *single = ic->q.sql; /* INSERT INTO "t" (...) VALUES ($1, ...) */
    const char *values = strstr(single, ") VALUES (");
    if (!values || ic->ncols == 0)
        return DAL_MISUSE;
    dal__sb_add(&q, single, (size_t)(values - single) + strlen(") VALUES "));
    char num[24];
    for (int r = 0; r < per; r++) {
        dal__sb_str(&q, r ? ", (" : "(");
        for (int c = 0; c < ic->ncols; c++) {
            snprintf(num, sizeof num, "%s$%d", c ? ", " : "", r * ic->ncols + c + 1);
            dal__sb_str(&q, num);
        }
        dal__sb_str(&q, ")");
    }
    if (q.oom) {
        free(q.p);
        return DAL_NOMEM;
    }
    ic->vq.sql = q.p;
    ic->vq.nparams = per * ic->ncols;
    ic->vrows = per;
    return DAL_OK;
}
