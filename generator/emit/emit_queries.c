/*
 * emit_queries.c - the C of named queries: <stem>_queries.h and
 * <stem>_queries.c per query file (docs/queries.md), from the typed
 * queries of check/.  Every line of C comes from a section of
 * templates/c_queries.tmpl; this file computes the names, types, bind
 * lines and hints that fill its slots, and the order of the sections.
 */
#include <string.h>

#include "check/check.h"
#include "emit/emit.h"
#include "emit/template.h"
#include "model/names.h"
#include "model/types.h"

typedef struct qg {
    const emit_ctx *cx;
    arena *a;
    bool ok;
} qg;

static const char *upper_s(arena *a, const char *s)
{
    char *u = c_names_upper(a, s);
    for (char *p = u; p && *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    return u ? u : "";
}

static const char *enum_type(qg *g, const q_type *t)
{
    c_table_names tn;
    if (!c_names_table(NULL, g->a, g->cx->prefix, t->et, NULL, &tn)) {
        g->ok = false;
        return "int";
    }
    return tn.etype[t->ecol];
}

static const char *table_struct(qg *g, const m_table *t)
{
    return c_names_struct(g->a, g->cx->prefix, t);
}

/* A C string literal of sql, one source line per SQL line. */
static void literal(strbuf *sb, const char *sql, const char *indent)
{
    sb_add(sb, indent);
    sb_addc(sb, '"');
    for (const char *p = sql; *p; p++) {
        if (*p == '\n') {
            sb_add(sb, "\\n\"\n");
            sb_add(sb, indent);
            sb_addc(sb, '"');
        } else if (*p == '"' || *p == '\\') {
            sb_addc(sb, '\\');
            sb_addc(sb, *p);
        } else if (*p == '\t')
            sb_add(sb, "\\t");
        else if (*p == '?' && p[1] == '?') /* no trigraphs */
            sb_add(sb, "?\"\"");
        else
            sb_addc(sb, *p);
    }
    sb_addc(sb, '"');
}

static void doc_comment(strbuf *sb, const sql_query *sq, const char *extra)
{
    sb_add(sb, "/**\n");
    for (int i = 0; i < sq->ndoc; i++) {
        const char *l = sq->doc[i];
        sb_add(sb, *l ? " * " : " *");
        for (; *l; l++) { /* a doc line never ends the comment early */
            sb_addc(sb, *l);
            if ((*l == '*' && l[1] == '/') || (*l == '/' && l[1] == '*'))
                sb_addc(sb, ' ');
        }
        sb_addc(sb, '\n');
    }
    if (sq->ndoc)
        sb_add(sb, " *\n");
    /* extra: wrapped at ~96 columns */
    const char *p = extra;
    while (*p) {
        const char *e = p;
        const char *brk = NULL;
        while (*e && e - p < 93) {
            if (*e == ' ')
                brk = e;
            e++;
        }
        if (*e && brk)
            e = brk;
        sb_add(sb, " * ");
        sb_addn(sb, p, (size_t)(e - p));
        sb_addc(sb, '\n');
        p = *e == ' ' ? e + 1 : e;
    }
    sb_add(sb, " */\n");
}

/* The C type of a result field ("dal_time"), and the array suffix for uuid. */
static const char *field_type(qg *g, const q_type *t)
{
    if (t->type == TY_ENUM)
        return enum_type(g, t);
    if (t->type == TY_UUID)
        return "char";
    return type_table[t->type].c_type;
}

/* The C type of a parameter that is not a list: "int64_t", "const char *",
 * "const dal_time *" (nullable value types), an enum type. */
static const char *param_ctype(qg *g, const q_param *p)
{
    const q_type *t = &p->t;
    const char *base = t->type == TY_ENUM ? enum_type(g, t) : type_table[t->type].c_param;
    bool ptr = type_table[t->type].null_rep == NULL_BY_HAS && t->type != TY_UUID;
    if (t->nullable && ptr)
        return arena_printf(g->a, "const %s *", base);
    return base;
}

/* "T name", "T *name" for a C type T; "const T *name" with `ptr_to`. */
static const char *typed_name(qg *g, const char *type, bool ptr_to, const char *name)
{
    size_t n = strlen(type);
    bool star = n && type[n - 1] == '*';
    if (ptr_to)
        return arena_printf(g->a, star ? "%sconst *%s" : "const %s *%s", type, name);
    return arena_printf(g->a, star ? "%s%s" : "%s %s", type, name);
}

/* A parameter declaration. */
static const char *param_decl(qg *g, const q_param *p, const char *name)
{
    const q_type *t = &p->t;
    if (t->list) {
        const char *base = t->type == TY_ENUM ? enum_type(g, t) : type_table[t->type].c_param;
        if (t->type == TY_TEXT || t->type == TY_UUID)
            return arena_printf(g->a, "const char *const *%s; size_t %s_len", name, name);
        return arena_printf(g->a, "const %s *%s; size_t %s_len", base, name, name);
    }
    return typed_name(g, param_ctype(g, p), false, name);
}

static const char *param_name(qg *g, const char *n)
{
    const char *c = c_names_ident(g->a, n);
    if (c_is_local(c) || !strcmp(c, "p") || !strcmp(c, "fn") || !strcmp(c, "ctx") ||
        !strcmp(c, "affected") || !strncmp(c, "dal_", 4) || !strcmp(c, "k") ||
        !strcmp(c, "cap"))
        c = arena_printf(g->a, "%s_", c);
    return c;
}

/* The parameter list after `dal_db *db`, e.g. ", const run_set_status_params *p". */
static const char *params_sig(qg *g, const q_query *q, const char *N)
{
    if (q->nparams == 0)
        return "";
    if (q->nparams == 1) {
        const char *d = param_decl(g, &q->params[0], param_name(g, q->params[0].name));
        /* a list: "T *x; size_t x_len" -> "T *x, size_t x_len" */
        char *s = arena_printf(g->a, ", %s", d);
        char *semi = s ? strchr(s, ';') : NULL;
        if (semi)
            *semi = ',';
        return s;
    }
    return arena_printf(g->a, ", const %s_params *p", N);
}

typedef struct names {
    const char *F;   /* the function ("<query>", a view's "<view>_all") */
    const char *I;   /* its streaming form ("<query>_iterate", "<view>_iterate") */
    const char *N;   /* prefix + name */
    const char *R;   /* the row type */
    const char *RA;  /* its array */
    const char *RT;  /* its dal_table */
    const char *RF;  /* its free function */
    const char *RR;  /* its straight-line reader ("<table>_read_"), or NULL: dal_read_row */
    const char *RV;  /* with RR, the same from the row's values ("<table>_values_") */
} names;

static void query_names(qg *g, const q_query *q, names *n)
{
    n->N = arena_printf(g->a, "%s%s", g->cx->prefix, q->src->name);
    n->F = q->view ? arena_printf(g->a, "%s_all", n->N) : n->N;
    n->I = arena_printf(g->a, "%s_iterate", n->N);
    n->RR = NULL;
    n->RV = NULL;
    if (q->view || q->reuse_view) {
        const char *V = q->view ? n->N : arena_printf(g->a, "%s%s", g->cx->prefix, q->reuse_view);
        n->R = V;
        n->RA = arena_printf(g->a, "%s_array", V);
        n->RT = arena_printf(g->a, "%s_table", V);
        n->RF = arena_printf(g->a, "%s_free", V);
    } else if (q->reuse) {
        const char *T = table_struct(g, q->reuse);
        n->R = T;
        n->RA = arena_printf(g->a, "%s_array", T);
        n->RT = arena_printf(g->a, "%s_table", T);
        n->RF = arena_printf(g->a, "%s_free", T);
        n->RR = arena_printf(g->a, "%s_read_", T);
        n->RV = arena_printf(g->a, "%s_values_", T);
    } else {
        n->R = arena_printf(g->a, "%s_row", n->N);
        n->RA = arena_printf(g->a, "%s_row_array", n->N);
        n->RT = arena_printf(g->a, "%s_row_table_", n->N);
        n->RF = arena_printf(g->a, "%s_row_free", n->N);
    }
}

/* ---- rendering ---------------------------------------------------------- */

/* Renders section `section` of c_queries.tmpl into out. */
static void render(qg *g, const char *section, const tmpl_slot *slots, size_t n, strbuf *out)
{
    if (!tmpl_render(g->cx->tmpl, "c_queries", section, slots, n, out, g->cx->d))
        g->ok = false;
}

/* Copies sb into the arena and frees it; "" (and g->ok false) on error. */
static char *take(qg *g, strbuf *sb)
{
    static char none[1];
    char *s = sb->oom ? NULL : arena_strdup(g->a, sb_str(sb));
    sb_free(sb);
    if (!s) {
        g->ok = false;
        return none;
    }
    return s;
}

/* The rendered text of a section, in the arena. */
static char *text(qg *g, const char *section, const tmpl_slot *slots, size_t n)
{
    strbuf sb;
    sb_init(&sb);
    render(g, section, slots, n, &sb);
    return take(g, &sb);
}

/* The same without its final newline: a part of a line. */
static const char *line(qg *g, const char *section, const tmpl_slot *slots, size_t n)
{
    char *s = text(g, section, slots, n);
    size_t len = strlen(s);
    if (len && s[len - 1] == '\n')
        s[len - 1] = '\0';
    return s;
}

/* Prose (a NAME-doc section): its lines joined with spaces, for doc_comment. */
static const char *prose(qg *g, const char *section, const tmpl_slot *slots, size_t n)
{
    char *s = text(g, section, slots, n);
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return s;
}

#define SLOTS(...) (const tmpl_slot[]){__VA_ARGS__}
#define NSLOTS(...) (sizeof(SLOTS(__VA_ARGS__)) / sizeof(tmpl_slot))

/* RENDER(g, "one", out, {"N", N}, {"R", R}); TEXT, LINE, PROSE return the text. */
#define RENDER(g, section, out, ...)                                                           \
    render((g), (section), SLOTS(__VA_ARGS__), NSLOTS(__VA_ARGS__), (out))
#define TEXT(g, section, ...) text((g), (section), SLOTS(__VA_ARGS__), NSLOTS(__VA_ARGS__))
#define LINE(g, section, ...) line((g), (section), SLOTS(__VA_ARGS__), NSLOTS(__VA_ARGS__))
#define PROSE(g, section, ...) prose((g), (section), SLOTS(__VA_ARGS__), NSLOTS(__VA_ARGS__))

/* The items parameter of q's batch form: "const N_params *items", or an
 * array of its one parameter's C type ("const char *const *items"). */
static const char *batch_items(qg *g, const q_query *q, const names *n)
{
    if (q->nparams >= 2)
        return arena_printf(g->a, "const %s_params *items", n->N);
    return typed_name(g, param_ctype(g, &q->params[0]), true, "items");
}

/* The batch form's prototype, broken before `affected` when it would be long. */
static const char *batch_sig(qg *g, const q_query *q, const names *n)
{
    const char *items = batch_items(g, q, n);
    if (q->kind != Q_EXECROWS)
        return LINE(g, "batch_sig", {"N", n->N}, {"items", items}, {"affected", ""});
    const char *sig = LINE(g, "batch_sig", {"N", n->N}, {"items", items},
                           {"affected", ", int64_t *affected"});
    const char *nl = strchr(sig, '\n');
    if ((nl ? (size_t)(nl - sig) : strlen(sig)) <= 100)
        return sig;
    return LINE(g, "batch_sig", {"N", n->N}, {"items", items},
                {"affected", ",\n    int64_t *affected"});
}

static void emit_batch_decl(qg *g, const q_query *q, const names *n, strbuf *h)
{
    const char *affected = "";
    if (q->kind == Q_EXECROWS)
        affected = arena_printf(g->a, " %s", PROSE(g, "batch_affected-doc", {"N", n->N}));
    sql_query none = {0};
    doc_comment(h, &none,
                PROSE(g, "batch-doc", {"N", n->N}, {"affected", affected ? affected : ""}));
    RENDER(g, "batch", h, {"sig", batch_sig(g, q, n)});
}

/* The field lines of q's own row type. */
static const char *row_fields(qg *g, const q_query *q)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < q->ncols; i++) {
        const q_col *c = &q->cols[i];
        const char *f = c_names_ident(g->a, c->name);
        const char *decl = typed_name(g, field_type(g, &c->t), false,
                                      c->t.type == TY_UUID ? arena_printf(g->a, "%s[37]", f) : f);
        const char *type = c->t.type == TY_ENUM ? "enum" : type_table[c->t.type].name;
        RENDER(g, c->t.nullable ? "field_nullable" : "field", &sb, {"decl", decl},
               {"type", type});
        if (c->t.nullable && type_table[c->t.type].null_rep == NULL_BY_HAS)
            RENDER(g, "field_has", &sb, {"column", c->name}, {"field", f});
    }
    return take(g, &sb);
}

/* The fields of q's params struct. */
static const char *param_fields(qg *g, const q_query *q)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < q->nparams; i++) {
        const q_param *p = &q->params[i];
        const char *name = c_names_ident(g->a, p->name);
        const char *d = param_decl(g, p, name);
        const char *semi = d ? strchr(d, ';') : NULL;
        if (semi) /* a list: "T *x; size_t x_len" */
            RENDER(g, "param_field_list", &sb,
                   {"decl", arena_printf(g->a, "%.*s", (int)(semi - d), d)}, {"name", name});
        else
            RENDER(g, p->t.nullable ? "param_field_nullable" : "param_field", &sb, {"decl", d});
    }
    return take(g, &sb);
}

static void emit_decl(qg *g, const q_query *q, strbuf *h)
{
    names n;
    query_names(g, q, &n);
    const sql_query *sq = q->src;
    bool rows = q->kind == Q_ONE || q->kind == Q_MANY;
    if (rows && !q->reuse && !q->reuse_view) {
        const char *comment = TEXT(g, q->view ? "view_row_comment" : "row_comment",
                                   {"N", n.N}, {"RF", n.RF});
        RENDER(g, "row", h, {"N", n.N}, {"R", n.R}, {"RA", n.RA}, {"RF", n.RF},
               {"comment", comment}, {"fields", row_fields(g, q)});
        if (q->view)
            RENDER(g, "view_descriptor", h, {"R", n.R}, {"RT", n.RT});
    }
    if (q->nparams >= 2)
        RENDER(g, "params", h, {"N", n.N}, {"fields", param_fields(g, q)});
    const char *ps = params_sig(g, q, n.N);
#define DECL(section)                                                                          \
    do {                                                                                       \
        doc_comment(h, sq, PROSE(g, section "-doc", {"N", n.N}, {"F", n.F}, {"R", n.R},        \
                                 {"RA", n.RA}, {"RF", n.RF}));                                 \
        RENDER(g, section, h, {"N", n.N}, {"F", n.F}, {"I", n.I}, {"R", n.R}, {"RA", n.RA},    \
               {"RF", n.RF}, {"params", ps});                                                  \
    } while (0)
    switch (q->kind) {
    case Q_ONE: DECL("one"); break;
    case Q_MANY:
        DECL("many");
        if (q->view)
            RENDER(g, "view_count", h, {"N", n.N});
        break;
    case Q_EXEC: DECL("exec"); break;
    case Q_EXECROWS: DECL("execrows"); break;
    }
#undef DECL
    if (q_has_batch(q))
        emit_batch_decl(g, q, &n, h);
}

static const char *dal_type_name(coltype t)
{
    return type_table[t].dal_type;
}

/* The bind line of parameter p ($n) from expression `v` (a field or argument). */
static void bind_param(qg *g, strbuf *s, const q_param *p, int n, const char *v)
{
    const q_type *t = &p->t;
    const char *i = arena_printf(g->a, "%d", n);
    if (t->list) {
        RENDER(g, "bind_list", s, {"i", i});
        return;
    }
    bool ptr = type_table[t->type].null_rep == NULL_BY_HAS && t->type != TY_UUID;
    bool guard = t->nullable && ptr;
    const char *val = guard ? arena_printf(g->a, "*%s", v) : v;
    const char *section = t->type == TY_ENUM ? "bind_enum" : "bind";
    const char *E = t->type == TY_ENUM ? enum_type(g, t) : "";
    const char *fn = type_table[t->type].bind_fn;
    if (!guard) {
        RENDER(g, section, s, {"i", i}, {"v", val}, {"E", E}, {"fn", fn});
        return;
    }
    const char *bind = LINE(g, section, {"i", i}, {"v", val}, {"E", E}, {"fn", fn});
    RENDER(g, "bind_nullable", s, {"i", i}, {"arg", v}, {"bind", bind});
}

/* Parameter i as the generated function sees it: p->field with two or
 * more parameters, the argument itself with one. */
static const char *param_expr(qg *g, const q_query *q, int i)
{
    return q->nparams >= 2 ? arena_printf(g->a, "p->%s", c_names_ident(g->a, q->params[i].name))
                           : param_name(g, q->params[i].name);
}

/* The binds of q's parameters $1..$n. */
static const char *binds(qg *g, const q_query *q)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < q->nparams; i++)
        bind_param(g, &sb, &q->params[i], i + 1, param_expr(g, q, i));
    return take(g, &sb);
}

/* The :many reader's first capacity: the statement's LIMIT when it is an
 * integer parameter or a number (capped by dal_page_hint), else 16 rows,
 * grown by doubling.  A parameter's capacity is an expression: *cap gets
 * the line that computes it (many_cap) and the capacity is "cap". */
static const char *many_hint(qg *g, const q_query *q, const char **cap)
{
    *cap = "";
    if (q->limit_param >= 0) {
        const q_param *pr = &q->params[q->limit_param];
        coltype ty = pr->t.type;
        if (!pr->t.list && !pr->t.nullable && (ty == TY_INT16 || ty == TY_INT32 || ty == TY_INT64)) {
            const char *v = param_expr(g, q, q->limit_param);
            *cap = TEXT(g, "many_cap",
                        {"hint", arena_printf(g->a, "%s > 0 ? dal_page_hint((size_t)%s) : 16", v, v)});
            return "cap";
        }
    }
    if (q->limit_rows > 0)
        return arena_printf(g->a, "%ld", q->limit_rows < 1024 ? q->limit_rows : 1024);
    return "16";
}

/* The enum name arrays and the functions of q's own row type. */
static void emit_row_functions(qg *g, const q_query *q, const names *n, strbuf *s)
{
    strbuf en, cols;
    sb_init(&en);
    sb_init(&cols);
    for (int i = 0; i < q->ncols; i++) {
        const q_col *c = &q->cols[i];
        const char *idx = arena_printf(g->a, "%d", i);
        const char *names_ = "NULL", *nnames = "0";
        if (c->t.type == TY_ENUM) {
            const m_column *ec = &c->t.et->columns[c->t.ecol];
            strbuf v;
            sb_init(&v);
            sb_addc(&v, '{');
            for (int k = 0; k < ec->nvalues; k++)
                sb_printf(&v, "%s\"%s\"", k ? ", " : "", ec->values[k]);
            sb_addc(&v, '}');
            nnames = arena_printf(g->a, "%d", ec->nvalues);
            RENDER(g, "row_enum", &en, {"N", n->N}, {"i", idx}, {"n", nnames},
                   {"values", take(g, &v)});
            names_ = arena_printf(g->a, "%s_e%d_", n->N, i);
        }
        bool has = c->t.nullable && type_table[c->t.type].null_rep == NULL_BY_HAS;
        RENDER(g, "row_column", &cols, {"column", c->name}, {"type", dal_type_name(c->t.type)},
               {"flags", c->t.nullable ? "DAL_COL_NULLABLE" : "0"}, {"R", n->R},
               {"field", c_names_ident(g->a, c->name)},
               {"has", has ? arena_printf(g->a, "offsetof(%s, has_%s)", n->R, c->name)
                           : "DAL_NO_HAS"},
               {"names", names_}, {"nnames", nnames});
    }
    if (en.oom || cols.oom)
        g->ok = false;
    RENDER(g, "row_functions", s, {"N", n->N}, {"R", n->R}, {"RA", n->RA}, {"RF", n->RF},
           {"RT", n->RT}, {"enums", sb_str(&en)}, {"columns", sb_str(&cols)},
           {"ncols", arena_printf(g->a, "%d", q->ncols)}, {"static", q->view ? "" : "static "},
           {"name", q->src->name});
    sb_free(&en);
    sb_free(&cols);
}

/* The dal_list_* function that adds an element of a list of type t. */
static const char *list_add(coltype t)
{
    switch (t) {
    case TY_BOOL: return "dal_list_bool";
    case TY_TEXT:
    case TY_UUID:
    case TY_ENUM: return "dal_list_text";
    case TY_TIMESTAMP: return "dal_list_time";
    case TY_DATE: return "dal_list_date";
    default: return "dal_list_int64";
    }
}

static void emit_def(qg *g, const q_query *q, strbuf *s)
{
    names n;
    query_names(g, q, &n);
    bool rows = q->kind == Q_ONE || q->kind == Q_MANY;
    if (rows && !q->reuse && !q->reuse_view)
        emit_row_functions(g, q, &n, s);
    strbuf pg, lite;
    sb_init(&pg);
    sb_init(&lite);
    literal(&pg, q->sql_pg, "    ");
    literal(&lite, q->sql_sqlite, "    ");
    if (pg.oom || lite.oom)
        g->ok = false;
    const char *nparams = arena_printf(g->a, "%d", q->nparams);
    RENDER(g, "statements", s, {"N", n.N}, {"sql_pg", sb_str(&pg)},
           {"sql_sqlite", sb_str(&lite)}, {"nparams", nparams});
    sb_free(&pg);
    sb_free(&lite);

    const char *ps = params_sig(g, q, n.N);
    bool batch = q_has_batch(q);
    const char *bl = batch ? NULL : binds(g, q);
    if (batch) {
        const char *unpack;
        if (q->nparams >= 2)
            unpack = TEXT(g, "bind_unpack_params", {"N", n.N});
        else {
            const char *t = param_ctype(g, &q->params[0]);
            unpack = TEXT(g, "bind_unpack_one",
                          {"decl", typed_name(g, t, false, param_name(g, q->params[0].name))},
                          {"cast", typed_name(g, t, true, "")});
        }
        RENDER(g, "bind_fn", s, {"N", n.N}, {"unpack", unpack}, {"binds", binds(g, q)});
        bl = TEXT(g, "bind_call", {"N", n.N},
                  {"arg", q->nparams >= 2 ? "p"
                                          : arena_printf(g->a, "&%s",
                                                         param_name(g, q->params[0].name))});
    }
    for (int it = 0; it < (q->kind == Q_MANY ? 2 : 1); it++) {
        bool iterate = it == 1;
        const char *fn = iterate ? n.I : n.F;
        const char *check_p = q->nparams >= 2 ? TEXT(g, "check_params", {"fn", fn}) : "";
        strbuf lists, fr, fr8;
        sb_init(&lists);
        sb_init(&fr);
        sb_init(&fr8);
        for (int i = 0; i < q->nparams; i++) {
            const q_param *p = &q->params[i];
            if (!p->t.list)
                continue;
            const char *v = param_expr(g, q, i);
            const char *idx = arena_printf(g->a, "%d", i + 1);
            const char *elem = p->t.type == TY_ENUM
                                   ? arena_printf(g->a, "%s_name(%s[k])", enum_type(g, &p->t), v)
                                   : arena_printf(g->a, "%s[k]", v);
            RENDER(g, "list", &lists, {"i", idx}, {"v", v}, {"param", p->name}, {"fn", fn},
                   {"add", list_add(p->t.type)}, {"elem", elem});
            RENDER(g, "list_free", &fr, {"indent", "    "}, {"i", idx});
            RENDER(g, "list_free", &fr8, {"indent", "        "}, {"i", idx});
        }
        if (lists.oom || fr.oom || fr8.oom)
            g->ok = false;
        const char *start = arena_printf(
            g->a, "%s%s", TEXT(g, "start", {"N", n.N}),
            lists.len ? TEXT(g, "start_fail_lists", {"free", sb_str(&fr8)})
                      : TEXT(g, "start_fail", {"N", n.N}));
        const char *reader = n.RR ? n.RR : "NULL";
        const char *section, *cap = "", *hint = "";
        if (iterate)
            section = "iterate_fn";
        else if (q->kind == Q_ONE)
            section = "one_fn";
        else if (q->kind == Q_MANY) {
            section = "many_fn";
            hint = many_hint(g, q, &cap);
        } else if (q->kind == Q_EXECROWS)
            section = "execrows_fn";
        else
            section = "exec_fn";
        const char *read = !iterate ? ""
                           : n.RR   ? TEXT(g, "read_fast", {"reader", n.RR})
                                    : TEXT(g, "read_row", {"RT", n.RT});
        RENDER(g, section, s, {"N", n.N}, {"fn", fn}, {"params", ps}, {"R", n.R},
               {"RA", n.RA}, {"RT", n.RT}, {"reader", reader}, {"check_p", check_p},
               {"lists", sb_str(&lists)}, {"start", start}, {"binds", bl},
               {"free", sb_str(&fr)}, {"cap", cap}, {"hint", hint}, {"read", read},
               {"fetch_all", n.RV ? "dal_fetch_all_values" : "dal_fetch_all_with"},
               {"rows", n.RV ? n.RV : "NULL"});
        sb_free(&lists);
        sb_free(&fr);
        sb_free(&fr8);
    }
    if (batch)
        RENDER(g, "batch_fn", s, {"N", n.N}, {"sig", batch_sig(g, q, &n)},
               {"affected", q->kind == Q_EXECROWS ? "affected" : "NULL"});
    if (q->view)
        RENDER(g, "view_count_fn", s, {"N", n.N}, {"name", q->src->name});
}

/* One header and source pair: the declarations and definitions of n
 * queries (a query file's, or one view's reading). */
static bool emit_pair(const emit_ctx *cx, const q_query *qs_, int nq, const char *source,
                      const char *hn, const char *cn, const char *gstem, output_set *o)
{
    bool ok = true;
    qg g = {cx, arena_new(), true};
    if (!g.a)
        return false;
    strbuf *h = output_add(o, hn), *s = output_add(o, cn);
    if (!h || !s) {
        arena_free(g.a);
        return false;
    }
    /* the tables and views whose types are used */
    strbuf inc;
    sb_init(&inc);
    for (int t = 0; t < cx->m->ntables; t++) {
        const m_table *tb = cx->m->by_name[t];
        bool used = false;
        for (int i = 0; i < nq && !used; i++) {
            const q_query *q = &qs_[i];
            used = q->reuse == tb;
            for (int k = 0; k < q->nparams && !used; k++)
                used = q->params[k].t.et == tb;
            for (int k = 0; k < q->ncols && !used; k++)
                used = q->cols[k].t.et == tb;
        }
        if (used)
            RENDER(&g, "include", &inc, {"name", tb->name});
    }
    for (int v = 0; v < cx->m->nviews; v++) {
        bool used = false;
        for (int i = 0; i < nq && !used; i++)
            used = qs_[i].reuse_view && !strcmp(qs_[i].reuse_view, cx->m->views[v]->name);
        if (used)
            RENDER(&g, "include", &inc, {"name", cx->m->views[v]->name});
    }
    const char *guard = arena_printf(g.a, "DALC_%s%s_H", upper_s(g.a, cx->prefix),
                                     upper_s(g.a, gstem));
    tmpl_slot hs[] = {{"version", DALC_VERSION}, {"source", source},
                      {"guard", guard}, {"file", hn}, {"includes", sb_str(&inc)}};
    ok &= tmpl_render(cx->tmpl, "c_queries", "header_begin", hs, 5, h, cx->d);
    for (int i = 0; i < nq; i++)
        emit_decl(&g, &qs_[i], h);
    ok &= tmpl_render(cx->tmpl, "c_queries", "header_end", hs, 5, h, cx->d);
    tmpl_slot ss[] = {{"version", DALC_VERSION}, {"source", source}, {"header", hn}};
    ok &= tmpl_render(cx->tmpl, "c_queries", "source_begin", ss, 3, s, cx->d);
    for (int i = 0; i < nq; i++)
        emit_def(&g, &qs_[i], s);
    while (s->len > 1 && s->data[s->len - 1] == '\n' && s->data[s->len - 2] == '\n')
        s->data[--s->len] = '\0';
    sb_free(&inc);
    ok &= g.ok && !h->oom && !s->oom;
    arena_free(g.a);
    return ok;
}

bool emit_queries(const emit_ctx *cx, const q_set *qs, output_set *o)
{
    if (!qs)
        return true;
    bool ok = true;
    arena *a = arena_new();
    if (!a)
        return false;
    for (int f = 0; f < qs->nfiles; f++) {
        const q_file *qf = &qs->files[f];
        const char *stem = qf->f->stem;
        ok &= emit_pair(cx, qf->q, qf->n, emit_source_name(cx, a, qf->f->path),
                        arena_printf(a, "%s_queries.h", stem),
                        arena_printf(a, "%s_queries.c", stem),
                        arena_printf(a, "%s_queries", stem), o);
    }
    for (int v = 0; v < qs->nviews; v++) {
        const q_query *q = &qs->views[v];
        const char *N = q->src->name;
        ok &= emit_pair(cx, q, 1, emit_source_name(cx, a, q->view->file),
                        arena_printf(a, "%s.h", N),
                        arena_printf(a, "%s.c", N), N, o);
    }
    arena_free(a);
    return ok;
}
