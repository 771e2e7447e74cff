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

#define FIELD(row, off) ((const char *)(row) + (off))
#define WFIELD(row, off) ((char *)(row) + (off))

static bool has_value(const dal_column *c, const void *row)
{
    if (c->has_offset == DAL_NO_HAS)
        return true;
    bool h;
    memcpy(&h, FIELD(row, c->has_offset), sizeof h);
    return h;
}

void dal__bind_row_cols(dal_stmt *st, int first, const dal_table *t, const void *row,
                        const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        const dal_column *c = &t->columns[cols ? cols[k] : k];
        int i = first + k;
        const char *f = FIELD(row, c->offset);
        if (!has_value(c, row)) {
            dal_bind_null(st, i);
            continue;
        }
        switch (c->type) {
        case DAL_T_BOOL: {
            bool v;
            memcpy(&v, f, sizeof v);
            dal_bind_bool(st, i, v);
            break;
        }
        case DAL_T_INT16: {
            int16_t v;
            memcpy(&v, f, sizeof v);
            dal_bind_int16(st, i, v);
            break;
        }
        case DAL_T_INT32: {
            int32_t v;
            memcpy(&v, f, sizeof v);
            dal_bind_int32(st, i, v);
            break;
        }
        case DAL_T_INT64: {
            int64_t v;
            memcpy(&v, f, sizeof v);
            dal_bind_int64(st, i, v);
            break;
        }
        case DAL_T_FLOAT32: {
            float v;
            memcpy(&v, f, sizeof v);
            dal_bind_float32(st, i, v);
            break;
        }
        case DAL_T_FLOAT64: {
            double v;
            memcpy(&v, f, sizeof v);
            dal_bind_float64(st, i, v);
            break;
        }
        case DAL_T_DECIMAL:
        case DAL_T_TEXT:
        case DAL_T_JSON: {
            const char *v;
            memcpy(&v, f, sizeof v);
            if (c->type == DAL_T_TEXT)
                dal_bind_text(st, i, v);
            else if (c->type == DAL_T_DECIMAL)
                dal_bind_decimal(st, i, v);
            else
                dal_bind_json(st, i, v);
            break;
        }
        case DAL_T_BYTES: {
            dal_bytes v;
            memcpy(&v, f, sizeof v);
            if (!v.data && !(c->flags & DAL_COL_NULLABLE))
                v.data = (unsigned char *)""; /* NOT NULL: empty, not NULL */
            dal_bind_bytes(st, i, v);
            break;
        }
        case DAL_T_UUID:
            dal_bind_uuid(st, i, f);
            break;
        case DAL_T_TIME: {
            dal_time v;
            memcpy(&v, f, sizeof v);
            dal_bind_time(st, i, v);
            break;
        }
        case DAL_T_DATE: {
            dal_date v;
            memcpy(&v, f, sizeof v);
            dal_bind_date(st, i, v);
            break;
        }
        case DAL_T_ENUM: {
            int v;
            memcpy(&v, f, sizeof v);
            if (v < 0 || v >= c->enum_count) {
                if (st->pending == DAL_OK) {
                    st->pending = DAL_MISUSE;
                    snprintf(st->pending_msg, sizeof st->pending_msg,
                             "column %s: enum value %d out of range", c->name, v);
                }
                break;
            }
            dal_bind_text(st, i, c->enum_values[v]);
            break;
        }
        }
    }
}

void dal_bind_row(dal_stmt *st, int first, const dal_table *t, const void *row, const int *cols,
                  int n)
{
    if (!st || !t || !row)
        return;
    dal__bind_row_cols(st, first, t, row, cols, n);
}

static bool is_var(dal_type t)
{
    return t == DAL_T_DECIMAL || t == DAL_T_TEXT || t == DAL_T_JSON || t == DAL_T_BYTES;
}

dal_status dal_read_row(dal_stmt *st, int first, const dal_table *t, void *row)
{
    if (!st || !t || !row)
        return st ? dal__err(st->db, DAL_MISUSE, "dal_read_row: bad arguments") : DAL_MISUSE;
    memset(row, 0, t->size);
    int n = t->ncolumns;
    struct span {
        const char *p;
        size_t len;
    } local[32], *sp = local;
    if (n > 32) {
        sp = calloc((size_t)n, sizeof *sp);
        if (!sp)
            return dal__err(st->db, DAL_NOMEM, "out of memory");
    }
    dal_status s = DAL_OK;
    size_t total = 0;
    /* pass 1: sizes of the variable-length columns */
    for (int k = 0; k < n && s == DAL_OK; k++) {
        const dal_column *c = &t->columns[k];
        sp[k].p = NULL;
        sp[k].len = 0;
        if (!is_var(c->type) || dal_col_is_null(st, first + k))
            continue;
        if (c->type == DAL_T_BYTES) {
            const unsigned char *b;
            s = dal_col_bytes(st, first + k, &b, &sp[k].len);
            sp[k].p = (const char *)b;
        }
        else
            s = dal_col_text(st, first + k, &sp[k].p, &sp[k].len);
        total += sp[k].len + 1;
    }
    char *mem = NULL;
    if (s == DAL_OK && total > 0) {
        mem = malloc(total);
        if (!mem)
            s = dal__err(st->db, DAL_NOMEM, "out of memory");
    }
    size_t used = 0;
    for (int k = 0; k < n && s == DAL_OK; k++) {
        const dal_column *c = &t->columns[k];
        int col = first + k;
        char *f = WFIELD(row, c->offset);
        int ct = st->ss ? sqlite3_column_type(st->ss, col) : -1;
        if (st->ss ? ct == SQLITE_NULL : dal_col_is_null(st, col))
            continue; /* NULL: zero value, has_ false (also for a NOT NULL field of an outer join) */
        if (c->has_offset != DAL_NO_HAS) {
            bool h = true;
            memcpy(WFIELD(row, c->has_offset), &h, sizeof h);
        }
        /* SQLite fast paths: one sqlite3_column_type per column */
        if (ct == SQLITE_INTEGER && (c->type == DAL_T_INT64 || c->type == DAL_T_TIME)) {
            int64_t v = sqlite3_column_int64(st->ss, col);
            memcpy(f, &v, sizeof v);
            continue;
        }
        if (ct == SQLITE_INTEGER && c->type == DAL_T_INT32) {
            int64_t v = sqlite3_column_int64(st->ss, col);
            if (v >= INT32_MIN && v <= INT32_MAX) {
                int32_t x = (int32_t)v;
                memcpy(f, &x, sizeof x);
                continue;
            }
        }
        if (ct == SQLITE_INTEGER && c->type == DAL_T_BOOL) {
            bool v = sqlite3_column_int64(st->ss, col) != 0;
            memcpy(f, &v, sizeof v);
            continue;
        }
        if (ct == SQLITE_FLOAT && c->type == DAL_T_FLOAT64) {
            double v = sqlite3_column_double(st->ss, col);
            memcpy(f, &v, sizeof v);
            continue;
        }
        switch (c->type) {
        case DAL_T_BOOL: {
            bool v = false;
            s = dal_col_bool(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_INT16: {
            int16_t v = 0;
            s = dal_col_int16(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_INT32: {
            int32_t v = 0;
            s = dal_col_int32(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_INT64: {
            int64_t v = 0;
            s = dal_col_int64(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_FLOAT32: {
            float v = 0;
            s = dal_col_float32(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_FLOAT64: {
            double v = 0;
            s = dal_col_float64(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_DECIMAL:
        case DAL_T_TEXT:
        case DAL_T_JSON: {
            char *p = mem + used;
            if (sp[k].len)
                memcpy(p, sp[k].p, sp[k].len);
            p[sp[k].len] = '\0';
            used += sp[k].len + 1;
            memcpy(f, &p, sizeof p);
            break;
        }
        case DAL_T_BYTES: {
            dal_bytes b = {(unsigned char *)mem + used, sp[k].len};
            if (sp[k].len)
                memcpy(b.data, sp[k].p, sp[k].len);
            b.data[sp[k].len] = 0;
            used += sp[k].len + 1;
            memcpy(f, &b, sizeof b);
            break;
        }
        case DAL_T_UUID:
            s = dal_col_uuid(st, col, f);
            break;
        case DAL_T_TIME: {
            dal_time v = 0;
            s = dal_col_time(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_DATE: {
            dal_date v = 0;
            s = dal_col_date(st, col, &v);
            memcpy(f, &v, sizeof v);
            break;
        }
        case DAL_T_ENUM: {
            const char *p;
            size_t len;
            s = dal_col_text(st, col, &p, &len);
            if (s != DAL_OK)
                break;
            int v = -1;
            for (int e = 0; e < c->enum_count; e++)
                if (strlen(c->enum_values[e]) == len && memcmp(c->enum_values[e], p, len) == 0) {
                    v = e;
                    break;
                }
            if (v < 0) {
                s = dal__err(st->db, DAL_ERROR, "column %s: unknown enum value '%.*s'", c->name,
                             len > 100 ? 100 : (int)len, p);
                break;
            }
            memcpy(f, &v, sizeof v);
            break;
        }
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

bool dal_field_is_zero(const dal_column *c, const void *row)
{
    if (!c || !row)
        return true;
    if (c->has_offset != DAL_NO_HAS && !has_value(c, row))
        return true;
    if (c->has_offset != DAL_NO_HAS)
        return false; /* explicitly set, even to 0 */
    const char *f = FIELD(row, c->offset);
    switch (c->type) {
    case DAL_T_BOOL: {
        bool v;
        memcpy(&v, f, sizeof v);
        return !v;
    }
    case DAL_T_INT16: {
        int16_t v;
        memcpy(&v, f, sizeof v);
        return v == 0;
    }
    case DAL_T_INT32:
    case DAL_T_DATE:
    case DAL_T_ENUM: {
        int32_t v;
        memcpy(&v, f, sizeof v);
        return v == 0;
    }
    case DAL_T_INT64:
    case DAL_T_TIME: {
        int64_t v;
        memcpy(&v, f, sizeof v);
        return v == 0;
    }
    case DAL_T_FLOAT32: {
        float v;
        memcpy(&v, f, sizeof v);
        return v == 0;
    }
    case DAL_T_FLOAT64: {
        double v;
        memcpy(&v, f, sizeof v);
        return v == 0;
    }
    case DAL_T_DECIMAL:
    case DAL_T_TEXT:
    case DAL_T_JSON: {
        const char *v;
        memcpy(&v, f, sizeof v);
        return v == NULL;
    }
    case DAL_T_BYTES: {
        dal_bytes v;
        memcpy(&v, f, sizeof v);
        return v.data == NULL;
    }
    case DAL_T_UUID:
        return f[0] == '\0';
    }
    return false;
}

dal_status dal_fetch_all(dal_stmt *st, const dal_table *t, size_t size_hint, void **items,
                         size_t *len)
{
    if (!st || !t || !items || !len) {
        dal_stmt_done(st);
        return st ? dal__err(st->db, DAL_MISUSE, "dal_fetch_all: bad arguments") : DAL_MISUSE;
    }
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
        if (n == cap) {
            char *na = realloc(arr, cap * 2 * t->size);
            if (!na) {
                s = dal__err(st->db, DAL_NOMEM, "out of memory");
                break;
            }
            arr = na;
            cap *= 2;
        }
        s = dal_read_row(st, 0, t, arr + n * t->size);
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

dal_status dal_fetch_one(dal_stmt *st, const dal_table *t, void *row)
{
    if (!st || !t || !row) {
        dal_stmt_done(st);
        return st ? dal__err(st->db, DAL_MISUSE, "dal_fetch_one: bad arguments") : DAL_MISUSE;
    }
    bool has = false;
    dal_status s = dal_stmt_step(st, &has);
    if (s == DAL_OK && !has)
        s = dal__err(st->db, DAL_NOT_FOUND, "no row");
    if (s == DAL_OK)
        s = dal_read_row(st, 0, t, row);
    dal_stmt_done(st);
    return s;
}

/* ---------------------------------------------------------------------- */
/* descriptor-driven INSERT                                                */
/* ---------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_ident(sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            sb_add(b, "\"", 1);
        sb_add(b, s, 1);
    }
    sb_add(b, "\"", 1);
}

dal_ins_cache *dal__ins_get(dal_db *db, const dal_table *t, const void *row, bool upsert,
                            bool returning)
{
    size_t mbytes = ((size_t)t->ncolumns + 7) / 8;
    unsigned char local[64], *mask = local;
    if (mbytes > sizeof local) {
        mask = malloc(mbytes);
        if (!mask)
            return NULL;
    }
    memset(mask, 0, mbytes);
    for (int k = 0; k < t->ncolumns; k++) {
        const dal_column *c = &t->columns[k];
        bool include = !(c->flags & DAL_COL_DEFAULT) || !dal_field_is_zero(c, row);
        if (include)
            mask[k / 8] |= (unsigned char)(1u << (k % 8));
    }
    unsigned flags = (upsert ? 1u : 0u) | (returning ? 2u : 0u);
    dal_ins_cache *prev = NULL;
    for (dal_ins_cache *ic = db->ins; ic; prev = ic, ic = ic->next) {
        if (ic->t == t && ic->flags == flags && memcmp(ic->mask, mask, mbytes) == 0) {
            if (prev) { /* move to front */
                prev->next = ic->next;
                ic->next = db->ins;
                db->ins = ic;
            }
            if (mask != local)
                free(mask);
            return ic;
        }
    }
    dal_ins_cache *ic = calloc(1, sizeof *ic);
    if (!ic) {
        if (mask != local)
            free(mask);
        return NULL;
    }
    ic->t = t;
    ic->flags = flags;
    ic->mask = malloc(mbytes ? mbytes : 1);
    ic->cols = malloc(((size_t)t->ncolumns + 1) * sizeof(int));
    if (!ic->mask || !ic->cols) {
        free(ic->mask);
        free(ic->cols);
        free(ic);
        if (mask != local)
            free(mask);
        return NULL;
    }
    memcpy(ic->mask, mask, mbytes);
    if (mask != local)
        free(mask);
    for (int k = 0; k < t->ncolumns; k++)
        if (ic->mask[k / 8] & (1u << (k % 8)))
            ic->cols[ic->ncols++] = k;
    sbuf b = {0};
    char num[24];
    sb_str(&b, "INSERT INTO ");
    sb_ident(&b, t->name);
    if (ic->ncols == 0)
        sb_str(&b, " DEFAULT VALUES");
    else {
        sb_str(&b, " (");
        for (int k = 0; k < ic->ncols; k++) {
            if (k)
                sb_str(&b, ", ");
            sb_ident(&b, t->columns[ic->cols[k]].name);
        }
        sb_str(&b, ") VALUES (");
        for (int k = 0; k < ic->ncols; k++) {
            snprintf(num, sizeof num, "%s$%d", k ? ", " : "", k + 1);
            sb_str(&b, num);
        }
        sb_str(&b, ")");
    }
    if (upsert) {
        sb_str(&b, " ON CONFLICT (");
        int npk = 0;
        for (int k = 0; k < t->ncolumns; k++)
            if (t->columns[k].flags & DAL_COL_PK) {
                if (npk++)
                    sb_str(&b, ", ");
                sb_ident(&b, t->columns[k].name);
            }
        sb_str(&b, ") DO UPDATE SET ");
        int nset = 0;
        for (int k = 0; k < ic->ncols; k++) {
            const dal_column *c = &t->columns[ic->cols[k]];
            if (c->flags & DAL_COL_PK)
                continue;
            if (nset++)
                sb_str(&b, ", ");
            sb_ident(&b, c->name);
            sb_str(&b, " = EXCLUDED.");
            sb_ident(&b, c->name);
        }
        if (nset == 0) /* only key columns: a no-op update, so RETURNING still gives the row */
            for (int k = 0; k < t->ncolumns; k++)
                if (t->columns[k].flags & DAL_COL_PK) {
                    if (nset++)
                        sb_str(&b, ", ");
                    sb_ident(&b, t->columns[k].name);
                    sb_str(&b, " = EXCLUDED.");
                    sb_ident(&b, t->columns[k].name);
                }
    }
    if (returning) {
        sb_str(&b, " RETURNING ");
        for (int k = 0; k < t->ncolumns; k++) {
            if (k)
                sb_str(&b, ", ");
            sb_ident(&b, t->columns[k].name);
        }
    }
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

static bool has_pk(const dal_table *t)
{
    for (int k = 0; k < t->ncolumns; k++)
        if (t->columns[k].flags & DAL_COL_PK)
            return true;
    return false;
}

dal_status dal_insert_row(dal_db *db, const dal_table *t, const void *in, void *out, bool upsert)
{
    if (!db)
        return DAL_MISUSE;
    if (!t || !in || out == in)
        return dal__err(db, DAL_MISUSE, "dal_insert_row: bad arguments");
    if (upsert && !has_pk(t))
        return dal__err(db, DAL_MISUSE, "upsert into %s: table has no primary key", t->name);
    dal_ins_cache *ic = dal__ins_get(db, t, in, upsert, out != NULL);
    if (!ic)
        return dal__err(db, DAL_NOMEM, "out of memory");
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &ic->q, &st);
    if (s != DAL_OK)
        return s;
    dal__bind_row_cols(st, 1, t, in, ic->cols, ic->ncols);
    if (out)
        return dal_fetch_one(st, t, out);
    bool has;
    s = dal_stmt_step(st, &has);
    dal_stmt_done(st);
    return s;
}

dal_status dal_insert_rows(dal_db *db, const dal_table *t, const void *rows, size_t n)
{
    if (!db)
        return DAL_MISUSE;
    if (!t || (!rows && n))
        return dal__err(db, DAL_MISUSE, "dal_insert_rows: bad arguments");
    if (n == 0)
        return DAL_OK;
    dal_status s = dal_begin(db);
    if (s != DAL_OK)
        return s;
    if (db->dialect == DAL_SQLITE) {
        for (size_t k = 0; k < n && s == DAL_OK; k++)
            s = dal_insert_row(db, t, (const char *)rows + k * t->size, NULL, false);
    }
    else {
        dal_stmt **sts = malloc(n * sizeof *sts);
        dal_ins_cache **ics = malloc(n * sizeof *ics);
        if (!sts || !ics)
            s = dal__err(db, DAL_NOMEM, "out of memory");
        for (size_t k = 0; k < n && s == DAL_OK; k++) {
            ics[k] = dal__ins_get(db, t, (const char *)rows + k * t->size, false, false);
            if (!ics[k]) {
                s = dal__err(db, DAL_NOMEM, "out of memory");
                break;
            }
            if (k > 0 && ics[k] == ics[k - 1])
                sts[k] = sts[k - 1];
            else
                s = dal_stmt_start(db, &ics[k]->q, &sts[k]);
        }
        if (s == DAL_OK)
            s = dal__pg_insert_batch(db, sts, t, rows, n, ics);
        free(sts);
        free(ics);
    }
    if (s == DAL_OK)
        return dal_commit(db);
    char keep[DAL_ERRMSG_MAX];
    memcpy(keep, db->err, sizeof keep);
    dal_rollback(db);
    memcpy(db->err, keep, sizeof keep);
    db->last = s;
    return s;
}
