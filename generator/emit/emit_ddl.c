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
 *   auto_update  <table>_<col>_auto_update (trigger; PostgreSQL also its function)
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

static void col_list(strbuf *sb, m_column *const *cols, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(sb, ", ");
        ddl_ident(sb, cols[i]->name);
    }
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

/* Renders one line of CREATE TABLE (sql/ddl.h: ddl_table_lines) into
 * g->lines: a column with its SQLite comment, or a constraint. */
static void table_line(void *ctx, const ddl_line *l)
{
    gen *g = ctx;
    const char *comma = l->last ? "" : ",";
    if (l->kind == DDL_CONSTRAINT) {
        RENDER(g, "constraint", &g->lines, {"name", l->name}, {"definition", l->text},
               {"comma", comma});
        return;
    }
    if (!g->pg && l->comment)
        comment_lines(g, "column_comment", l->comment, &g->lines);
    RENDER(g, "column", &g->lines, {"name", l->name}, {"type", l->text}, {"attrs", l->attrs},
           {"comma", comma});
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void table(gen *g, const m_table *t, const char *schema, strbuf *out)
{
    sb_clear(&g->lines);
    ddl_table_lines(g->pg ? SQL_PG : SQL_SQLITE, t, table_line, g);

    sb_clear(&g->name);
    ddl_ident(&g->name, t->name);
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
        ddl_ident(&g->attrs, ix->name);
        sb_clear(&g->type);
        col_list(&g->type, ix->cols, ix->ncols);
        sb_clear(&g->def);
        if (ix->where)
            sb_printf(&g->def, " WHERE %s", ix->where);
        RENDER(g, "index", out, {"unique", ix->unique ? "UNIQUE " : ""},
               {"name", sb_str(&g->attrs)}, {"table", sb_str(&g->name)},
               {"columns", sb_str(&g->type)}, {"where", sb_str(&g->def)});
    }

    /* `auto_update: now` triggers (sql/ddl.h: ddl_create_trigger) */
    for (int i = 0; i < t->ncolumns; i++) {
        if (!t->columns[i].auto_update)
            continue;
        sb_clear(&g->def);
        ddl_create_trigger(g->pg ? SQL_PG : SQL_SQLITE, t, &t->columns[i], &g->def);
        if (g->def.len > 0 && g->def.data[g->def.len - 1] == '\n')
            g->def.data[--g->def.len] = '\0'; /* the template ends the line */
        sb_clear(&g->attrs);
        ddl_ident(&g->attrs, t->columns[i].name);
        RENDER(g, "trigger", out, {"table", sb_str(&g->name)}, {"column", sb_str(&g->attrs)},
               {"statements", sb_str(&g->def)});
    }

    if (g->pg) {
        if (t->comment) {
            sb_clear(&g->def);
            ddl_literal(&g->def, t->comment);
            RENDER(g, "table_comment", out, {"table", sb_str(&g->name)},
                   {"comment", sb_str(&g->def)});
        }
        for (int i = 0; i < t->ncolumns; i++) {
            const m_column *c = &t->columns[i];
            if (!c->comment)
                continue;
            sb_clear(&g->def);
            ddl_literal(&g->def, c->comment);
            sb_clear(&g->attrs);
            ddl_ident(&g->attrs, c->name);
            RENDER(g, "column_comment", out, {"table", sb_str(&g->name)},
                   {"column", sb_str(&g->attrs)}, {"comment", sb_str(&g->def)});
        }
    }
}

static void deferred_fks(gen *g, const model *m, strbuf *out)
{
    char nm[DDL_NAME_MAX];
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
            ddl_ident(&g->name, t->name);
            sb_clear(&g->attrs);
            ddl_ident(&g->attrs, ddl_fk_name(nm, t->name, c->name));
            sb_clear(&g->type);
            ddl_ident(&g->type, c->name);
            sb_clear(&g->def);
            ddl_references(c, &g->def);
            RENDER(g, "deferred_fk", out, {"table", sb_str(&g->name)},
                   {"name", sb_str(&g->attrs)}, {"column", sb_str(&g->type)},
                   {"references", sb_str(&g->def)});
        }
    }
}

/* CREATE VIEW (and on PostgreSQL COMMENT ON VIEW) for every view, in
 * dependency order, after every table. */
static void views(gen *g, const model *m, const char *schema, strbuf *out)
{
    for (int i = 0; i < m->nviews; i++) {
        const m_view *v = m->views[i];
        sb_clear(&g->name);
        ddl_ident(&g->name, v->name);
        sb_clear(&g->attrs);
        sb_printf(&g->attrs, "%s/%s", schema, base_name(v->file));
        sb_clear(&g->def);
        const sql_text *t = &v->sql[g->pg ? 0 : 1];
        sb_addn(&g->def, t->text, t->len);
        sb_clear(&g->comment);
        if (!g->pg && v->comment)
            comment_lines(g, "table_comment", v->comment, &g->comment);
        RENDER(g, "view", out, {"view", sb_str(&g->name)}, {"file", sb_str(&g->attrs)},
               {"comment", sb_str(&g->comment)}, {"sql", sb_str(&g->def)});
        if (g->pg && v->comment) {
            sb_clear(&g->def);
            ddl_literal(&g->def, v->comment);
            RENDER(g, "view_comment", out, {"view", sb_str(&g->name)},
                   {"comment", sb_str(&g->def)});
        }
    }
}

static bool emit_dialect(const emit_ctx *cx, bool pg, bool with_views, strbuf *out)
{
    gen g;
    memset(&g, 0, sizeof g);
    g.cx = cx;
    g.pg = pg;
    g.file = pg ? "ddl.pg" : "ddl.sqlite";
    g.ok = true;
    strbuf schema;
    /* every buffer of this run: initialised, checked for out of memory and
     * freed together */
    strbuf *const bufs[] = {&g.name, &g.type, &g.attrs, &g.def, &g.lines, &g.comment, &g.tmp,
                            &schema};
    const size_t nbufs = sizeof bufs / sizeof *bufs;
    for (size_t i = 0; i < nbufs; i++)
        sb_init(bufs[i]);

    /* "schema", without trailing slashes (the banner adds one) */
    const char *dir = cx->schema_dir && *cx->schema_dir ? cx->schema_dir : "schema";
    size_t dn = strlen(dir);
    while (dn > 1 && dir[dn - 1] == '/')
        dn--;
    sb_addn(&schema, dir, dn);

    RENDER(&g, "header", out, {"version", DALC_VERSION}, {"schema", sb_str(&schema)});
    for (int i = 0; i < cx->m->ntables; i++)
        table(&g, cx->m->tables[i], sb_str(&schema), out);
    if (pg)
        deferred_fks(&g, cx->m, out);
    if (with_views)
        views(&g, cx->m, sb_str(&schema), out);

    bool oom = out->oom;
    for (size_t i = 0; i < nbufs; i++)
        oom = oom || bufs[i]->oom;
    if (oom) {
        srcpos at = {"schema", 0, 0};
        diag_error(cx->d, at, "out of memory");
        g.ok = false;
    }
    for (size_t i = 0; i < nbufs; i++)
        sb_free(bufs[i]);
    return g.ok;
}

bool emit_ddl_pg(const emit_ctx *cx, strbuf *out) { return emit_dialect(cx, true, true, out); }

bool emit_ddl_sqlite(const emit_ctx *cx, strbuf *out) { return emit_dialect(cx, false, true, out); }

bool emit_ddl_pg_tables(const emit_ctx *cx, strbuf *out)
{
    return emit_dialect(cx, true, false, out);
}

bool emit_ddl_sqlite_tables(const emit_ctx *cx, strbuf *out)
{
    return emit_dialect(cx, false, false, out);
}

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
