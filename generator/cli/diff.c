/*
 * diff.c - `dalc diff --db URL [--schema DIR]`: what differs between a live
 * database and the schema, one line per difference, path-like:
 *
 *   table users: column email: type text, database has character varying(200)
 *
 * Both sides are read by the same introspection (introspect/): the live
 * database as it is, and the schema's own DDL applied to a scratch place
 * on the same engine (PostgreSQL: a schema created inside a transaction
 * that is rolled back; SQLite: an in-memory database).  So both are spelled
 * by the engine the same way (PostgreSQL's printed expressions, SQLite's
 * kept text) and only real differences show.  docs/pull.md.
 *
 * Exit codes: 0 identical, 1 differences (or an invalid schema), 2 usage,
 * 3 connection failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "emit/emit.h"
#include "emit/template.h"
#include "introspect/introspect.h"
#include "model/model.h"

typedef struct differ {
    strbuf out;
    int n;
} differ;

static void line(differ *df, const char *fmt, ...) DALC_PRINTF(2, 3);
static void line(differ *df, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&df->out, fmt, ap);
    va_end(ap);
    sb_addc(&df->out, '\n');
    df->n++;
}

static const char *or_none(const char *s) { return s ? s : "none"; }

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void names(strbuf *sb, const char *const *v, int n)
{
    sb_clear(sb);
    sb_addc(sb, '(');
    for (int i = 0; i < n; i++)
        sb_printf(sb, "%s%s", i ? ", " : "", v[i]);
    sb_addc(sb, ')');
}

static const db_column *find_col(const db_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

static void diff_column(differ *df, const char *t, const db_column *w, const db_column *h)
{
    const char *c = w->name;
#define DIFF_STR(field, what)                                                               \
    if (!same(w->field, h->field))                                                          \
        line(df, "table %s: column %s: " what " %s, database has %s", t, c, or_none(w->field), \
             or_none(h->field));
#define DIFF_BOOL(field, yes, no)                                                           \
    if (w->field != h->field)                                                               \
        line(df, "table %s: column %s: %s, database has %s", t, c, w->field ? yes : no,     \
             h->field ? yes : no);
    if (!same(w->sqltype, h->sqltype))
        line(df, "table %s: column %s: type %s, database has %s", t, c, w->sqltype, h->sqltype);
    else if (!same(w->type, h->type))
        line(df, "table %s: column %s: type %s, database has %s", t, c, w->type, h->type);
    else if (w->max_length != h->max_length)
        line(df, "table %s: column %s: max_length %d, database has %d", t, c, w->max_length,
             h->max_length);
    DIFF_BOOL(nullable, "nullable", "NOT NULL")
    DIFF_BOOL(primary_key, "primary key", "not primary key")
    DIFF_BOOL(identity, "identity", "no identity")
    DIFF_BOOL(unique, "unique", "not unique")
    DIFF_BOOL(auto_update, "auto_update now", "no auto_update")
    DIFF_STR(default_, "default")
    DIFF_STR(references, "references")
    DIFF_STR(on_delete, "on_delete")
    DIFF_STR(on_update, "on_update")
    DIFF_STR(check, "check")
    DIFF_STR(comment, "comment")
    bool vals = w->nvalues == h->nvalues;
    for (int i = 0; vals && i < w->nvalues; i++)
        vals = !strcmp(w->values[i], h->values[i]);
    if (!vals) {
        strbuf a, b;
        sb_init(&a);
        sb_init(&b);
        names(&a, w->values, w->nvalues);
        names(&b, h->values, h->nvalues);
        line(df, "table %s: column %s: values %s, database has %s", t, c, sb_str(&a),
             sb_str(&b));
        sb_free(&a);
        sb_free(&b);
    }
#undef DIFF_STR
#undef DIFF_BOOL
}

static bool same_list(const char *const *a, int na, const char *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static const char *index_name(const db_table *t, const db_index *ix, strbuf *sb)
{
    if (ix->name)
        return ix->name;
    sb_clear(sb);
    sb_printf(sb, "idx_%s", t->name);
    for (int i = 0; i < ix->ncols; i++)
        sb_printf(sb, "_%s", ix->cols[i]);
    return sb_str(sb);
}

static void diff_table(differ *df, const db_table *w, const db_table *h)
{
    const char *t = w->name;
    strbuf a, b;
    sb_init(&a);
    sb_init(&b);
    if (!same(w->comment, h->comment))
        line(df, "table %s: comment %s, database has %s", t, or_none(w->comment),
             or_none(h->comment));
    for (int i = 0; i < w->ncols; i++) {
        const db_column *hc = find_col(h, w->cols[i].name);
        if (!hc)
            line(df, "table %s: column %s: missing in the database", t, w->cols[i].name);
        else
            diff_column(df, t, &w->cols[i], hc);
    }
    for (int i = 0; i < h->ncols; i++)
        if (!find_col(w, h->cols[i].name))
            line(df, "table %s: column %s: not in the schema", t, h->cols[i].name);
    if (!same_list(w->pk, w->npk, h->pk, h->npk)) {
        names(&a, w->pk, w->npk);
        names(&b, h->pk, h->npk);
        line(df, "table %s: primary key %s, database has %s", t, sb_str(&a), sb_str(&b));
    }
    for (int pass = 0; pass < 2; pass++) {
        const db_table *x = pass ? h : w, *y = pass ? w : h;
        for (int i = 0; i < x->nuniques; i++) {
            bool found = false;
            for (int k = 0; !found && k < y->nuniques; k++)
                found = same_list(x->uniques[i], x->nunique_cols[i], y->uniques[k],
                                  y->nunique_cols[k]);
            if (!found) {
                names(&a, x->uniques[i], x->nunique_cols[i]);
                line(df, "table %s: unique %s: %s", t, sb_str(&a),
                     pass ? "not in the schema" : "missing in the database");
            }
        }
        for (int i = 0; i < x->nchecks; i++) {
            bool found = false;
            for (int k = 0; !found && k < y->nchecks; k++)
                found = !strcmp(x->checks[i], y->checks[k]);
            if (!found)
                line(df, "table %s: check (%s): %s", t, x->checks[i],
                     pass ? "not in the schema" : "missing in the database");
        }
        for (int i = 0; i < x->nindexes; i++) {
            const db_index *xi = &x->indexes[i];
            strbuf nm;
            sb_init(&nm);
            sb_add(&nm, index_name(x, xi, &a));
            const char *xn = sb_str(&nm);
            const db_index *yi = NULL;
            for (int k = 0; !yi && k < y->nindexes; k++)
                if (!strcmp(index_name(y, &y->indexes[k], &b), xn))
                    yi = &y->indexes[k];
            if (!yi) {
                line(df, "table %s: index %s: %s", t, xn,
                     pass ? "not in the schema" : "missing in the database");
            }
            if (!yi || pass) {
                sb_free(&nm);
                continue;
            }
            if (!same_list(xi->cols, xi->ncols, yi->cols, yi->ncols)) {
                names(&a, xi->cols, xi->ncols);
                names(&b, yi->cols, yi->ncols);
                line(df, "table %s: index %s: columns %s, database has %s", t, xn, sb_str(&a),
                     sb_str(&b));
            }
            if (xi->unique != yi->unique)
                line(df, "table %s: index %s: %s, database has %s", t, xn,
                     xi->unique ? "unique" : "not unique", yi->unique ? "unique" : "not unique");
            if (!same(xi->where, yi->where))
                line(df, "table %s: index %s: where %s, database has %s", t, xn,
                     or_none(xi->where), or_none(yi->where));
            sb_free(&nm);
        }
    }
    sb_free(&a);
    sb_free(&b);
}

static const db_table *find_table(const db_schema *s, const char *name)
{
    for (int i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

static const db_view *find_view(const db_schema *s, const char *name)
{
    for (int i = 0; i < s->nviews; i++)
        if (!strcmp(s->views[i].name, name))
            return &s->views[i];
    return NULL;
}

/* want: the schema applied to scratch; have: the live database. */
static void diff_schemas(differ *df, const db_schema *want, const db_schema *have)
{
    for (int i = 0; i < want->ntables; i++) {
        const db_table *w = &want->tables[i], *h = find_table(have, w->name);
        if (h)
            diff_table(df, w, h);
        else
            line(df, "table %s: missing in the database", w->name);
    }
    for (int k = 0; k < have->ntables; k++)
        if (!find_table(want, have->tables[k].name))
            line(df, "table %s: not in the schema", have->tables[k].name);
    for (int i = 0; i < want->nviews; i++) {
        const db_view *w = &want->views[i], *h = find_view(have, w->name);
        if (!h)
            line(df, "view %s: missing in the database", w->name);
        else if (strcmp(h->sql, w->sql) != 0)
            line(df, "view %s: sql differs", h->name);
        else if (!same(h->comment, w->comment))
            line(df, "view %s: comment %s, database has %s", h->name, or_none(w->comment),
                 or_none(h->comment));
    }
    for (int k = 0; k < have->nviews; k++)
        if (!find_view(want, have->views[k].name))
            line(df, "view %s: not in the schema", have->views[k].name);
}

/* The schema's DDL for db's engine, applied to a scratch place and read
 * back into want. */
static bool read_schema_side(dal_db *db, const model *m, const char *schema, arena *a,
                             db_schema *want, diag_list *d)
{
    srcpos at = {"dalc", 0, 0};
    tmpl_set *tm = tmpl_load(NULL, d);
    if (!tm)
        return false;
    emit_ctx cx = {.m = m, .tmpl = tm, .prefix = "", .schema_dir = schema, .d = d};
    bool pg = dal_dialect_of(db) == DAL_POSTGRES;
    strbuf ddl;
    sb_init(&ddl);
    bool ok = pg ? emit_ddl_pg(&cx, &ddl) : emit_ddl_sqlite(&cx, &ddl);
    tmpl_free(tm);
    db_fail fail;
    diag_list quiet; /* the mapping's warnings are the same on both sides */
    diag_init(&quiet);
    if (ok && pg) {
        ok = dal_exec(db, "BEGIN; CREATE SCHEMA dalc_diff_scratch;"
                          " SET LOCAL search_path TO dalc_diff_scratch, public") == DAL_OK;
        ok = ok && dal_exec(db, sb_str(&ddl)) == DAL_OK;
        if (!ok)
            diag_error(d, at, "applying the schema's DDL to a scratch schema: %s",
                       dal_errmsg(db));
        ok = ok && introspect_conn(db, NULL, 0, a, want, &quiet, &fail);
        dal_exec(db, "ROLLBACK");
    } else if (ok) {
        dal_db *mem = NULL;
        ok = dal_open("sqlite::memory:", &mem) == DAL_OK && dal_exec(mem, sb_str(&ddl)) == DAL_OK;
        if (!ok)
            diag_error(d, at, "applying the schema's DDL to an in-memory SQLite: %s",
                       mem ? dal_errmsg(mem) : "out of memory");
        ok = ok && introspect_conn(mem, NULL, 0, a, want, &quiet, &fail);
        dal_close(mem);
    }
    if (quiet.errors)
        sb_add(&d->text, sb_str(&quiet.text)), d->errors += quiet.errors;
    diag_free(&quiet);
    sb_free(&ddl);
    return ok;
}

int dalc_diff(const cli_args *args)
{
    const char *url = cli_get(args, "--db"), *schema = cli_get(args, "--schema");
    if (!schema)
        schema = "schema";
    if (!*url)
        return cli_usage_error(args, "dalc diff needs --db URL");
    diag_list d;
    diag_init(&d);
    int rc = 0;
    model *m = model_load_dir(schema, &d);
    if (!m) {
        fputs(sb_str(&d.text), stderr);
        diag_free(&d);
        return 1;
    }
    arena *a = arena_new();
    db_schema have, want;
    db_fail fail = DB_FAIL_NOMEM;
    diag_list quiet;
    diag_init(&quiet);
    if (!a || !introspect_db(url, NULL, 0, a, &have, &quiet, &fail)) {
        fputs(sb_str(&quiet.text), stderr);
        rc = fail == DB_FAIL_READ ? 1 : 3;
        goto done;
    }
    dal_db *db = NULL;
    bool sqlite = !strncmp(url, "sqlite:", 7);
    if (dal_open(sqlite ? "sqlite::memory:" : url, &db) != DAL_OK ||
        !read_schema_side(db, m, schema, a, &want, &d)) {
        fputs(sb_str(&d.text), stderr);
        if (db && !d.errors)
            fprintf(stderr, "dalc: %s\n", dal_errmsg(db));
        dal_close(db);
        rc = 3;
        goto done;
    }
    dal_close(db);
    differ df;
    sb_init(&df.out);
    df.n = 0;
    diff_schemas(&df, &want, &have);
    fputs(sb_str(&df.out), stdout);
    if (df.n) {
        fprintf(stderr, "dalc: %d difference%s between %s and the database\n", df.n,
                df.n == 1 ? "" : "s", schema);
        rc = 1;
    }
    sb_free(&df.out);
done:
    diag_free(&quiet);
    arena_free(a);
    model_free(m);
    diag_free(&d);
    return rc;
}
