/*
 * emit_ddl.c - schema.pg.sql and schema.sqlite.sql from the model.
 *
 * The layout lives in templates/ddl.pg.tmpl and templates/ddl.sqlite.tmpl;
 * this file computes the slot values: quoted identifiers, column types,
 * attributes (NOT NULL, identity, DEFAULT, CHECK, REFERENCES), constraint
 * definitions and index column lists, with the column and type columns
 * padded so that each table reads as a table.  Column types, attributes
 * and REFERENCES clauses come from generator/ddl.h, shared with the
 * migration diff, so schema_create and migrations agree.  The model is validated, so
 * nothing is re-checked here.  Output depends only on the model and the
 * templates: tables in m->tables order (foreign-key dependency order),
 * columns, constraints and indexes in model order, no timestamps.
 *
 * Constraint names (both dialects; SQLite leaves table constraints
 * unnamed, as generator/ddl.c does for migrations):
 *   primary key  <table>_pkey          unique       m_unique.name
 *   foreign key  <table>_<col>_fkey    column check <table>_<col>_check
 *   enum values  <table>_<col>_values  table check  m_check.name
 */
#include <stdio.h>
#include <string.h>

#include "sql/ddl.h"
#include "emit/emit.h"
#include "model/model.h"
#include "emit/template.h"
#include "model/types.h"
#include "base/util.h"

#define NSLOTS(x) (sizeof(x) / sizeof((x)[0]))

typedef struct gen {
    const emit_ctx *cx;
    const char *file; /* "ddl.pg" / "ddl.sqlite" */
    bool pg;
    bool ok;
    /* scratch buffers reused for every table and column */
    strbuf name, type, attrs, def, lines, comment, tmp;
} gen;

static void render(gen *g, const char *section, const tmpl_slot *slots, size_t n, strbuf *out)
{
    if (!tmpl_render(g->cx->tmpl, g->file, section, slots, n, out, g->cx->d))
        g->ok = false;
}

#define RENDER(g, section, out, ...)                                                           \
    do {                                                                                       \
        const tmpl_slot slots_[] = {__VA_ARGS__};                                              \
        render((g), (section), slots_, NSLOTS(slots_), (out));                                 \
    } while (0)

/* ---- fragments ---------------------------------------------------------- */

static void ident(strbuf *sb, const char *name) { ddl_ident(sb, name); }

/* A constraint name: <a>_<b>_<suffix>, quoted. */
static void ident3(strbuf *sb, const char *a, const char *b, const char *suffix)
{
    sb_addc(sb, '"');
    sb_add(sb, a);
    if (b) {
        sb_addc(sb, '_');
        sb_add(sb, b);
    }
    sb_addc(sb, '_');
    sb_add(sb, suffix);
    sb_addc(sb, '"');
}

static void literal(strbuf *sb, const char *text) { ddl_literal(sb, text); }

static void col_list(strbuf *sb, m_column *const *cols, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(sb, ", ");
        ident(sb, cols[i]->name);
    }
}

/* Column types, defaults, CHECKs and REFERENCES come from generator/ddl.c,
 * shared with the migration diff (so that schema_create and migrations
 * always agree). */
static sql_dialect dialect(const gen *g) { return g->pg ? SQL_PG : SQL_SQLITE; }

static void column_type(const gen *g, const m_column *c, strbuf *sb)
{
    ddl_column_type(dialect(g), c, sb);
}

static bool identity_pk(const m_table *t)
{
    return t->npk == 1 && t->pk[0]->identity;
}

/* " NOT NULL GENERATED ... DEFAULT ... CHECK ..." (leading space) or "". */
static void column_attrs(gen *g, const m_table *t, const m_column *c, strbuf *sb)
{
    ddl_column_attrs(dialect(g), t, c, true, sb);
}

/* Renders one section per line of a (possibly multi-line) comment. */
static void comment_lines(gen *g, const char *section, const char *text, strbuf *out)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        sb_clear(&g->tmp);
        sb_addn(&g->tmp, p, n);
        if (n > 0 || nl) /* keep inner blank lines, drop a trailing one */
            RENDER(g, section, out, {"text", sb_str(&g->tmp)});
        if (!nl || !nl[1])
            break;
        p = nl + 1;
    }
}

static void constraint_line(gen *g, const char *name, const char *def, bool last)
{
    RENDER(g, "constraint", &g->lines, {"name", name}, {"definition", def},
           {"comma", last ? "" : ","});
}

/* The constraint lines of t: primary key, uniques, foreign keys (PostgreSQL,
 * not deferred), table checks.  Counts them when count_only. */
static int constraints(gen *g, const m_table *t, bool count_only)
{
    int n = 0, total = count_only ? 0 : constraints(g, t, true);
    strbuf nm, df;
    sb_init(&nm);
    sb_init(&df);
#define EMIT()                                                                                 \
    do {                                                                                       \
        n++;                                                                                   \
        if (!count_only)                                                                       \
            constraint_line(g, sb_str(&nm), sb_str(&df), n == total);                          \
        sb_clear(&nm);                                                                         \
        sb_clear(&df);                                                                         \
    } while (0)
    if (g->pg || !identity_pk(t)) {
        ident3(&nm, t->name, NULL, "pkey");
        sb_add(&df, "PRIMARY KEY (");
        col_list(&df, t->pk, t->npk);
        sb_add(&df, ")");
        EMIT();
    }
    for (int i = 0; i < t->nuniques; i++) {
        ident(&nm, t->uniques[i].name);
        sb_add(&df, "UNIQUE (");
        col_list(&df, t->uniques[i].cols, t->uniques[i].ncols);
        sb_add(&df, ")");
        EMIT();
    }
    if (g->pg) {
        for (int i = 0; i < t->ncolumns; i++) {
            const m_column *c = &t->columns[i];
            if (!c->ref_table || c->fk_deferred)
                continue;
            ident3(&nm, t->name, c->name, "fkey");
            sb_add(&df, "FOREIGN KEY (");
            ident(&df, c->name);
            sb_add(&df, ") ");
            ddl_references(c, &df);
            EMIT();
        }
    }
    for (int i = 0; i < t->nchecks; i++) {
        ident(&nm, t->checks[i].name);
        sb_printf(&df, "CHECK (%s)", t->checks[i].expr);
        EMIT();
    }
#undef EMIT
    if (nm.oom || df.oom)
        g->ok = false;
    sb_free(&nm);
    sb_free(&df);
    return n;
}

static size_t quoted_len(const char *s)
{
    size_t n = 2;
    for (; *s; s++)
        n += *s == '"' ? 2 : 1;
    return n;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void table(gen *g, const m_table *t, const char *schema, strbuf *out)
{
    /* widths of the name and type columns */
    size_t wname = 0, wtype = 0;
    for (int i = 0; i < t->ncolumns; i++) {
        size_t n = quoted_len(t->columns[i].name);
        if (n > wname)
            wname = n;
        sb_clear(&g->type);
        column_type(g, &t->columns[i], &g->type);
        if (g->type.len > wtype)
            wtype = g->type.len;
    }
    int ncons = constraints(g, t, true);

    sb_clear(&g->lines);
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        if (!g->pg && c->comment)
            comment_lines(g, "column_comment", c->comment, &g->lines);
        sb_clear(&g->name);
        ident(&g->name, c->name);
        while (g->name.len < wname && !g->name.oom)
            sb_addc(&g->name, ' ');
        sb_clear(&g->attrs);
        column_attrs(g, t, c, &g->attrs);
        sb_clear(&g->type);
        column_type(g, c, &g->type);
        if (g->attrs.len)
            while (g->type.len < wtype && !g->type.oom)
                sb_addc(&g->type, ' ');
        bool last = i == t->ncolumns - 1 && ncons == 0;
        RENDER(g, "column", &g->lines, {"name", sb_str(&g->name)}, {"type", sb_str(&g->type)},
               {"attrs", sb_str(&g->attrs)}, {"comma", last ? "" : ","});
    }
    constraints(g, t, false);

    sb_clear(&g->name);
    ident(&g->name, t->name);
    sb_clear(&g->tmp);
    sb_printf(&g->tmp, "%s/%s", schema, base_name(t->file ? t->file : t->name));
    strbuf source = g->tmp;
    sb_init(&g->tmp);
    sb_clear(&g->comment);
    if (!g->pg && t->comment)
        comment_lines(g, "table_comment", t->comment, &g->comment);
    RENDER(g, "table", out, {"table", sb_str(&g->name)}, {"source", sb_str(&source)},
           {"comment", sb_str(&g->comment)}, {"lines", sb_str(&g->lines)});
    sb_free(&source);

    for (int i = 0; i < t->nindexes; i++) {
        const m_index *ix = &t->indexes[i];
        sb_clear(&g->attrs);
        ident(&g->attrs, ix->name);
        sb_clear(&g->type);
        col_list(&g->type, ix->cols, ix->ncols);
        sb_clear(&g->def);
        if (ix->where)
            sb_printf(&g->def, " WHERE %s", ix->where);
        RENDER(g, "index", out, {"unique", ix->unique ? "UNIQUE " : ""},
               {"name", sb_str(&g->attrs)}, {"table", sb_str(&g->name)},
               {"columns", sb_str(&g->type)}, {"where", sb_str(&g->def)});
    }

    if (g->pg) {
        if (t->comment) {
            sb_clear(&g->def);
            literal(&g->def, t->comment);
            RENDER(g, "table_comment", out, {"table", sb_str(&g->name)},
                   {"comment", sb_str(&g->def)});
        }
        for (int i = 0; i < t->ncolumns; i++) {
            const m_column *c = &t->columns[i];
            if (!c->comment)
                continue;
            sb_clear(&g->def);
            literal(&g->def, c->comment);
            sb_clear(&g->attrs);
            ident(&g->attrs, c->name);
            RENDER(g, "column_comment", out, {"table", sb_str(&g->name)},
                   {"column", sb_str(&g->attrs)}, {"comment", sb_str(&g->def)});
        }
    }
}

static void deferred_fks(gen *g, const model *m, strbuf *out)
{
    bool any = false;
    for (int i = 0; i < m->ntables; i++) {
        const m_table *t = m->tables[i];
        for (int j = 0; j < t->ncolumns; j++) {
            const m_column *c = &t->columns[j];
            if (!c->ref_table || !c->fk_deferred)
                continue;
            if (!any)
                RENDER(g, "deferred_begin", out, {"version", DALC_VERSION});
            any = true;
            sb_clear(&g->name);
            ident(&g->name, t->name);
            sb_clear(&g->attrs);
            ident3(&g->attrs, t->name, c->name, "fkey");
            sb_clear(&g->type);
            ident(&g->type, c->name);
            sb_clear(&g->def);
            ddl_references(c, &g->def);
            RENDER(g, "deferred_fk", out, {"table", sb_str(&g->name)},
                   {"name", sb_str(&g->attrs)}, {"column", sb_str(&g->type)},
                   {"references", sb_str(&g->def)});
        }
    }
}

static bool emit_dialect(const emit_ctx *cx, bool pg, strbuf *out)
{
    gen g;
    memset(&g, 0, sizeof g);
    g.cx = cx;
    g.pg = pg;
    g.file = pg ? "ddl.pg" : "ddl.sqlite";
    g.ok = true;
    sb_init(&g.name);
    sb_init(&g.type);
    sb_init(&g.attrs);
    sb_init(&g.def);
    sb_init(&g.lines);
    sb_init(&g.comment);
    sb_init(&g.tmp);

    /* "schema", without trailing slashes (the banner adds one) */
    const char *dir = cx->schema_dir && *cx->schema_dir ? cx->schema_dir : "schema";
    size_t dn = strlen(dir);
    while (dn > 1 && dir[dn - 1] == '/')
        dn--;
    strbuf schema;
    sb_init(&schema);
    sb_addn(&schema, dir, dn);

    RENDER(&g, "header", out, {"version", DALC_VERSION}, {"schema", sb_str(&schema)});
    for (int i = 0; i < cx->m->ntables; i++)
        table(&g, cx->m->tables[i], sb_str(&schema), out);
    if (pg)
        deferred_fks(&g, cx->m, out);

    bool oom = g.name.oom || g.type.oom || g.attrs.oom || g.def.oom || g.lines.oom ||
               g.comment.oom || g.tmp.oom || schema.oom || out->oom;
    if (oom) {
        srcpos at = {"schema", 0, 0};
        diag_error(cx->d, at, "out of memory");
        g.ok = false;
    }
    sb_free(&g.name);
    sb_free(&g.type);
    sb_free(&g.attrs);
    sb_free(&g.def);
    sb_free(&g.lines);
    sb_free(&g.comment);
    sb_free(&g.tmp);
    sb_free(&schema);
    return g.ok;
}

bool emit_ddl_pg(const emit_ctx *cx, strbuf *out) { return emit_dialect(cx, true, out); }

bool emit_ddl_sqlite(const emit_ctx *cx, strbuf *out) { return emit_dialect(cx, false, out); }

bool emit_ddl(const emit_ctx *cx, output_set *o)
{
    strbuf *pg = output_add(o, "schema.pg.sql");
    strbuf *lite = output_add(o, "schema.sqlite.sql");
    if (!pg || !lite) {
        srcpos at = {"schema", 0, 0};
        return diag_error(cx->d, at, "out of memory");
    }
    bool ok = emit_ddl_pg(cx, pg);
    return emit_ddl_sqlite(cx, lite) && ok;
}
