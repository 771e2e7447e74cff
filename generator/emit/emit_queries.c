/*
 * emit_queries.c - the C of named queries: <stem>_queries.h and
 * <stem>_queries.c per query file (docs/queries.md), from the typed
 * queries of check/.  Layout around the declarations comes from
 * templates/c_queries.tmpl.
 */
#include <string.h>

#include "check/check.h"
#include "emit/emit.h"
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
} names;

static void query_names(qg *g, const q_query *q, names *n)
{
    n->N = arena_printf(g->a, "%s%s", g->cx->prefix, q->src->name);
    n->F = q->view ? arena_printf(g->a, "%s_all", n->N) : n->N;
    n->I = arena_printf(g->a, "%s_iterate", n->N);
    n->RR = NULL;
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
    } else {
        n->R = arena_printf(g->a, "%s_row", n->N);
        n->RA = arena_printf(g->a, "%s_row_array", n->N);
        n->RT = arena_printf(g->a, "%s_row_table_", n->N);
        n->RF = arena_printf(g->a, "%s_row_free", n->N);
    }
}

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
    const char *sig = arena_printf(g->a, "dal_status %s_batch(dal_db *db, %s, size_t n", n->N,
                                   batch_items(g, q, n));
    if (q->kind != Q_EXECROWS)
        return arena_printf(g->a, "%s)", sig);
    bool wrap = sig && strlen(sig) + strlen(", int64_t *affected)") > 100;
    return arena_printf(g->a, "%s,%sint64_t *affected)", sig, wrap ? "\n    " : " ");
}

static void emit_batch_decl(qg *g, const q_query *q, const names *n, strbuf *h)
{
    const char *doc = arena_printf(
        g->a,
        "%s for each of items[0..n-1], all or nothing: inside one transaction (a savepoint "
        "within the caller's), so that after an error none of them is applied. PostgreSQL "
        "sends them in one pipeline (one round trip); SQLite runs the prepared statement once "
        "per item.%s On error the status is the failing item's and dal_batch_failed(db) its "
        "index. n == 0 is DAL_OK. items are only read; nothing is kept.",
        n->N, q->kind == Q_EXECROWS ? " affected (may be NULL) has n entries: the rows each "
                                      "item changed (all 0 on error)." : "");
    sql_query none = {0};
    doc_comment(h, &none, doc ? doc : "");
    sb_printf(h, "%s;\n\n", batch_sig(g, q, n));
}

static void emit_decl(qg *g, const q_query *q, strbuf *h)
{
    names n;
    query_names(g, q, &n);
    const sql_query *sq = q->src;
    bool rows = q->kind == Q_ONE || q->kind == Q_MANY;
    if (rows && !q->reuse && !q->reuse_view) {
        if (q->view)
            sb_printf(h, "/** A row of view %s: one allocation per row (%s frees it). */\n",
                      n.N, n.RF);
        else
            sb_printf(h, "/** A result row of %s: one allocation per row (%s frees it). */\n",
                      n.N, n.RF);
        sb_printf(h, "typedef struct %s {\n", n.R);
        for (int i = 0; i < q->ncols; i++) {
            const q_col *c = &q->cols[i];
            const char *f = c_names_ident(g->a, c->name);
            const char *ft = field_type(g, &c->t);
            size_t fl = strlen(ft);
            sb_printf(h, "    %s%s%s; /* %s%s */\n", ft, fl && ft[fl - 1] == '*' ? "" : " ",
                      c->t.type == TY_UUID
                          ? arena_printf(g->a, "%s[37]", f) : f,
                      c->t.type == TY_ENUM ? "enum" : type_table[c->t.type].name,
                      c->t.nullable ? ", nullable" : "");
            if (c->t.nullable && type_table[c->t.type].null_rep == NULL_BY_HAS)
                sb_printf(h, "    bool has_%s; /* false: %s is NULL */\n", c->name, f);
        }
        sb_add(h, "    void *dal_mem_; /* private: the row's one allocation */\n");
        sb_printf(h, "} %s;\n\n", n.R);
        sb_printf(h, "/** Rows of %s; owns its rows and items (free with %s_free). */\n", n.N,
                  n.RA);
        sb_printf(h, "typedef struct %s {\n    %s *items;\n    size_t len;\n} %s;\n\n", n.RA,
                  n.R, n.RA);
        sb_printf(h, "/** Frees what *row owns (not the struct itself) and zeroes it; NULL is a "
                     "no-op. */\nvoid %s(%s *row);\n\n", n.RF, n.R);
        sb_printf(h, "/** Frees every row and the items array; leaves *a {NULL, 0}. */\n"
                     "void %s_free(%s *a);\n\n", n.RA, n.RA);
        if (q->view)
            sb_printf(h, "/** The layout of %s for the runtime's generic readers. */\n"
                         "extern const dal_table %s;\n\n", n.R, n.RT);
    }
    if (q->nparams >= 2) {
        sb_printf(h, "/** The parameters of %s, in order of first appearance. */\n", n.N);
        sb_printf(h, "typedef struct %s_params {\n", n.N);
        for (int i = 0; i < q->nparams; i++) {
            const char *d = param_decl(g, &q->params[i], c_names_ident(g->a, q->params[i].name));
            char *semi = d ? strchr(d, ';') : NULL;
            if (semi) {
                sb_printf(h, "    %.*s;\n    %s;\n", (int)(semi - d), d, semi + 2);
            } else
                sb_printf(h, "    %s;%s\n", d,
                          q->params[i].t.nullable ? " /* NULL binds NULL */" : "");
        }
        sb_printf(h, "} %s_params;\n\n", n.N);
    }
    const char *ps = params_sig(g, q, n.N);
    const char *own;
    switch (q->kind) {
    case Q_ONE:
        own = arena_printf(g->a,
                           "Reads the first row into *out; DAL_NOT_FOUND when there is none. "
                           "On DAL_OK *out owns its memory (release with %s); on any error it is "
                           "zeroed and owns nothing. Parameters are only read.", n.RF);
        doc_comment(h, sq, own);
        sb_printf(h, "dal_status %s(dal_db *db%s, %s *out);\n\n", n.N, ps, n.R);
        break;
    case Q_MANY:
        own = arena_printf(g->a,
                           "Fills *out with every row. On DAL_OK *out owns its rows (release "
                           "with %s_free); on error it is {NULL, 0}. Parameters are only read.",
                           n.RA);
        doc_comment(h, sq, own);
        sb_printf(h, "dal_status %s(dal_db *db%s, %s *out);\n\n", n.F, ps, n.RA);
        sb_printf(h, "/**\n * %s, streamed: calls fn once per row (the row is valid only during "
                     "the call and\n * owned by the library); stops early and returns fn's "
                     "status when fn returns\n * anything but DAL_OK. Constant memory whatever "
                     "the number of rows.\n */\n", n.F);
        sb_printf(h, "dal_status %s(dal_db *db%s, dal_status (*fn)(const %s *row, void "
                     "*ctx),\n    void *ctx);\n\n", n.I, ps, n.R);
        if (q->view)
            sb_printf(h, "/** Sets *out to the number of rows of view %s (0 on error). */\n"
                         "dal_status %s_count(dal_db *db, int64_t *out);\n\n", n.N, n.N);
        break;
    case Q_EXEC:
        doc_comment(h, sq, "Runs the statement. Parameters are only read; nothing is kept.");
        sb_printf(h, "dal_status %s(dal_db *db%s);\n\n", n.N, ps);
        break;
    case Q_EXECROWS:
        doc_comment(h, sq, "Runs the statement and sets *affected (when not NULL) to the number "
                           "of rows it changed. Parameters are only read; nothing is kept.");
        sb_printf(h, "dal_status %s(dal_db *db%s, int64_t *affected);\n\n", n.N, ps);
        break;
    }
    if (q_has_batch(q))
        emit_batch_decl(g, q, &n, h);
}

static const char *dal_type_name(coltype t)
{
    return type_table[t].dal_type;
}

/* Binds parameter i (1-based n) from expression `v` (a field or argument). */
static void bind_param(qg *g, strbuf *s, const q_param *p, int n, const char *v)
{
    const q_type *t = &p->t;
    const char *bind = type_table[t->type].bind_fn;
    if (t->list) {
        sb_printf(s, "    dal_bind_text(st, %d, l%d.text);\n", n, n);
        return;
    }
    bool ptr = type_table[t->type].null_rep == NULL_BY_HAS && t->type != TY_UUID;
    const char *val = v;
    if (t->nullable && ptr) {
        sb_printf(s, "    if (!%s)\n        dal_bind_null(st, %d);\n    else\n    ", v, n);
        val = arena_printf(g->a, "*%s", v);
    }
    if (t->type == TY_ENUM)
        sb_printf(s, "    dal_bind_enum(st, %d, %s_name(%s), (int)%s);\n", n, enum_type(g, t),
                  val, val);
    else
        sb_printf(s, "    %s(st, %d, %s);\n", bind, n, val);
}

/* The binds of q's parameters $1..$n: from p->field with two or more, from
 * the argument itself with one. */
/* Parameter i as the generated function sees it: p->field with two or
 * more parameters, the argument itself with one. */
static const char *param_expr(qg *g, const q_query *q, int i)
{
    return q->nparams >= 2 ? arena_printf(g->a, "p->%s", c_names_ident(g->a, q->params[i].name))
                           : param_name(g, q->params[i].name);
}

static void emit_binds(qg *g, const q_query *q, strbuf *s)
{
    for (int i = 0; i < q->nparams; i++)
        bind_param(g, s, &q->params[i], i + 1, param_expr(g, q, i));
}

/* The :many reader's first capacity: the statement's LIMIT when it is an
 * integer parameter or a number (capped by dal_page_hint), else 16 rows,
 * grown by doubling. */
static const char *many_hint(qg *g, const q_query *q)
{
    if (q->limit_param >= 0) {
        const q_param *pr = &q->params[q->limit_param];
        coltype ty = pr->t.type;
        if (!pr->t.list && !pr->t.nullable && (ty == TY_INT16 || ty == TY_INT32 || ty == TY_INT64)) {
            const char *v = param_expr(g, q, q->limit_param);
            return arena_printf(g->a, "%s > 0 ? dal_page_hint((size_t)%s) : 16", v, v);
        }
    }
    if (q->limit_rows > 0)
        return arena_printf(g->a, "%ld", q->limit_rows < 1024 ? q->limit_rows : 1024);
    return "16";
}

static void emit_def(qg *g, const q_query *q, strbuf *s)
{
    names n;
    query_names(g, q, &n);
    bool rows = q->kind == Q_ONE || q->kind == Q_MANY;
    if (rows && !q->reuse && !q->reuse_view) {
        for (int i = 0; i < q->ncols; i++) {
            const q_col *c = &q->cols[i];
            if (c->t.type != TY_ENUM)
                continue;
            const m_column *ec = &c->t.et->columns[c->t.ecol];
            sb_printf(s, "static const char *const %s_e%d_[%d] = {", n.N, i, ec->nvalues);
            for (int k = 0; k < ec->nvalues; k++)
                sb_printf(s, "%s\"%s\"", k ? ", " : "", ec->values[k]);
            sb_add(s, "};\n");
        }
        sb_printf(s, "static const dal_column %s_columns_[%d] = {\n", n.N, q->ncols);
        for (int i = 0; i < q->ncols; i++) {
            const q_col *c = &q->cols[i];
            const char *f = c_names_ident(g->a, c->name);
            bool has = c->t.nullable && type_table[c->t.type].null_rep == NULL_BY_HAS;
            sb_printf(s, "    {\"%s\", %s, %s, offsetof(%s, %s), ", c->name,
                      dal_type_name(c->t.type), c->t.nullable ? "DAL_COL_NULLABLE" : "0", n.R,
                      f);
            if (has)
                sb_printf(s, "offsetof(%s, has_%s), ", n.R, c->name);
            else
                sb_add(s, "DAL_NO_HAS, ");
            if (c->t.type == TY_ENUM)
                sb_printf(s, "%s_e%d_, %d},\n", n.N, i,
                          c->t.et->columns[c->t.ecol].nvalues);
            else
                sb_add(s, "NULL, 0},\n");
        }
        sb_add(s, "};\n\n");
        sb_printf(s, "%sconst dal_table %s = {\n    \"%s\", sizeof(%s), offsetof(%s, "
                     "dal_mem_), %s_columns_, %d,\n};\n\n",
                  q->view ? "" : "static ", n.RT, q->src->name, n.R, n.R, n.N, q->ncols);
        sb_printf(s, "void %s(%s *row)\n{\n    if (row) {\n        free(row->dal_mem_);\n"
                     "        memset(row, 0, sizeof *row);\n    }\n}\n\n", n.RF, n.R);
        sb_printf(s, "void %s_free(%s *a)\n{\n    if (!a)\n        return;\n    for (size_t i "
                     "= 0; i < a->len; i++)\n        free(a->items[i].dal_mem_);\n"
                     "    free(a->items);\n    a->items = NULL;\n    a->len = 0;\n}\n\n",
                  n.RA, n.RA);
    }
    sb_printf(s, "static const dal_query %s_pg_ = {\n", n.N);
    literal(s, q->sql_pg, "    ");
    sb_printf(s, ",\n    %d,\n};\n\n", q->nparams);
    sb_printf(s, "static const dal_query %s_sqlite_ = {\n", n.N);
    literal(s, q->sql_sqlite, "    ");
    sb_printf(s, ",\n    %d,\n};\n\n", q->nparams);

    const char *ps = params_sig(g, q, n.N);
    bool batch = q_has_batch(q);
    if (batch) {
        sb_printf(s, "static void %s_bind_(dal_stmt *st, const void *v)\n{\n", n.N);
        if (q->nparams >= 2)
            sb_printf(s, "    const %s_params *p = v;\n", n.N);
        else {
            const char *t = param_ctype(g, &q->params[0]);
            sb_printf(s, "    %s = *(%s;\n",
                      typed_name(g, t, false, param_name(g, q->params[0].name)),
                      typed_name(g, t, true, ")v"));
        }
        emit_binds(g, q, s);
        sb_add(s, "}\n\n");
    }
    for (int it = 0; it < (q->kind == Q_MANY ? 2 : 1); it++) {
        bool iterate = it == 1;
        const char *fn = iterate ? n.I : n.F;
        sb_printf(s, "dal_status %s(dal_db *db%s", fn, ps);
        if (iterate)
            sb_printf(s, ", dal_status (*fn)(const %s *row, void *ctx),\n    void *ctx)\n{\n",
                      n.R);
        else if (q->kind == Q_ONE)
            sb_printf(s, ", %s *out)\n{\n", n.R);
        else if (q->kind == Q_MANY)
            sb_printf(s, ", %s *out)\n{\n", n.RA);
        else if (q->kind == Q_EXECROWS)
            sb_add(s, ", int64_t *affected)\n{\n");
        else
            sb_add(s, ")\n{\n");
        sb_add(s, "    if (!db)\n        return DAL_MISUSE;\n");
        if (q->kind == Q_EXECROWS)
            sb_add(s, "    if (affected)\n        *affected = 0;\n");
        if (q->nparams >= 2)
            sb_printf(s, "    if (!p)\n        return dal_set_error(db, DAL_MISUSE, \"%s: p is "
                         "NULL\");\n", fn);
        if (iterate)
            sb_printf(s, "    if (!fn)\n        return dal_set_error(db, DAL_MISUSE, \"%s: fn "
                         "is NULL\");\n", fn);
        else if (rows)
            sb_printf(s, "    if (!out)\n        return dal_set_error(db, DAL_MISUSE, \"%s: out "
                         "is NULL\");\n    memset(out, 0, sizeof *out);\n", fn);
        bool lists = false;
        for (int i = 0; i < q->nparams; i++) {
            const q_param *p = &q->params[i];
            if (!p->t.list)
                continue;
            lists = true;
            const char *v = q->nparams >= 2
                                ? arena_printf(g->a, "p->%s", c_names_ident(g->a, p->name))
                                : param_name(g, p->name);
            sb_printf(s, "    if (!%s && %s_len > 0)\n        return dal_set_error(db, "
                         "DAL_MISUSE, \"%s: %s is NULL\");\n", v, v, fn, p->name);
            sb_printf(s, "    dal_list l%d;\n    dal_list_init(&l%d, db);\n", i + 1, i + 1);
            const char *add;
            switch (p->t.type) {
            case TY_BOOL: add = "dal_list_bool(&l%d, %s[k]);"; break;
            case TY_TEXT:
            case TY_UUID: add = "dal_list_text(&l%d, %s[k]);"; break;
            case TY_TIMESTAMP: add = "dal_list_time(&l%d, %s[k]);"; break;
            case TY_DATE: add = "dal_list_date(&l%d, %s[k]);"; break;
            case TY_ENUM: add = NULL; break;
            default: add = "dal_list_int64(&l%d, %s[k]);"; break;
            }
            sb_printf(s, "    for (size_t k = 0; k < %s_len; k++)\n        ", v);
            if (add)
                sb_printf(s, add, i + 1, v);
            else
                sb_printf(s, "dal_list_text(&l%d, %s_name(%s[k]));", i + 1,
                          enum_type(g, &p->t), v);
            sb_printf(s, "\n    dal_status ls%d = dal_list_finish(&l%d, db, \"%s\");\n    if "
                         "(ls%d != DAL_OK)\n        return ls%d;\n",
                      i + 1, i + 1, fn, i + 1, i + 1);
        }
        sb_printf(s, "    dal_stmt *st = NULL;\n    dal_status s = dal_stmt_start(db, "
                     "dal_dialect_of(db) == DAL_POSTGRES ? &%s_pg_ : &%s_sqlite_, &st);\n",
                  n.N, n.N);
        strbuf fr;
        sb_init(&fr);
        for (int i = 0; i < q->nparams; i++)
            if (q->params[i].t.list)
                sb_printf(&fr, "    dal_list_free(&l%d);\n", i + 1);
        if (lists) {
            sb_add(s, "    if (s != DAL_OK) {\n");
            for (int i = 0; i < q->nparams; i++)
                if (q->params[i].t.list)
                    sb_printf(s, "        dal_list_free(&l%d);\n", i + 1);
            sb_add(s, "        return s;\n    }\n");
        }
        else
            sb_add(s, "    if (s != DAL_OK)\n        return s;\n");
        if (batch)
            sb_printf(s, "    %s_bind_(st, %s%s);\n", n.N, q->nparams >= 2 ? "" : "&",
                      q->nparams >= 2 ? "p" : param_name(g, q->params[0].name));
        else
            emit_binds(g, q, s);
        if (iterate) {
            sb_printf(s, "    dal_stmt_stream(st);\n    for (;;) {\n        bool has_row = "
                         "false;\n        s = dal_stmt_step(st, &has_row);\n        if (s != "
                         "DAL_OK || !has_row)\n            break;\n        %s row;\n",
                      n.R);
            if (n.RR)
                sb_printf(s, "        s = %s(st, &row);\n", n.RR);
            else
                sb_printf(s, "        s = dal_read_row(st, 0, &%s, &row);\n", n.RT);
            sb_add(s, "        if (s != DAL_OK)\n            break;\n        s = fn(&row, ctx);\n"
                      "        free(row.dal_mem_);\n        if (s != DAL_OK)\n            break;\n"
                      "    }\n    dal_stmt_done(st);\n");
        } else if (q->kind == Q_ONE) {
            sb_printf(s, "    s = dal_fetch_one_with(st, &%s, %s, out);\n    if (s == "
                         "DAL_NOT_FOUND)\n        s = dal_set_error(db, s, \"%s: no row\");\n",
                      n.RT, n.RR ? n.RR : "NULL", fn);
        } else if (q->kind == Q_MANY) {
            const char *hint = many_hint(g, q);
            sb_add(s, "    void *items = NULL;\n    size_t len = 0;\n");
            if (strlen(hint) > 4) { /* an expression: a line of its own */
                sb_printf(s, "    size_t cap = %s; /* the LIMIT */\n", hint);
                hint = "cap";
            }
            sb_printf(s, "    s = dal_fetch_all_with(st, &%s, %s, %s, &items, &len);\n    if (s == "
                         "DAL_OK) {\n        out->items = items;\n        out->len = len;\n    "
                         "}\n", n.RT, n.RR ? n.RR : "NULL", hint);
        } else if (q->kind == Q_EXECROWS) {
            sb_add(s, "    int64_t changes = 0;\n    s = dal_stmt_exec(st, &changes);\n    if "
                      "(affected)\n        *affected = changes;\n");
        } else {
            sb_add(s, "    s = dal_stmt_exec(st, NULL);\n");
        }
        sb_add(s, sb_str(&fr));
        sb_free(&fr);
        sb_add(s, "    return s;\n}\n\n");
    }
    if (batch)
        sb_printf(s, "%s\n{\n    return dal_exec_batch(db, \"%s_batch\",\n"
                     "                          dal_dialect_of(db) == DAL_POSTGRES ? &%s_pg_ : "
                     "&%s_sqlite_,\n                          %s_bind_, items, sizeof *items, n, "
                     "0, %s);\n}\n\n",
                  batch_sig(g, q, &n), n.N, n.N, n.N, n.N,
                  q->kind == Q_EXECROWS ? "affected" : "NULL");
    if (q->view) {
        sb_printf(s, "static const dal_query %s_count_q_ = {\n    \"SELECT count(*) FROM "
                     "\\\"%s\\\"\",\n    0,\n};\n\n", n.N, q->src->name);
        sb_printf(s, "dal_status %s_count(dal_db *db, int64_t *out)\n{\n    if (!db)\n"
                     "        return DAL_MISUSE;\n    if (!out)\n        return "
                     "dal_set_error(db, DAL_MISUSE, \"%s_count: out is NULL\");\n"
                     "    *out = 0;\n    dal_stmt *st = NULL;\n    dal_status s = "
                     "dal_stmt_start(db, &%s_count_q_, &st);\n    if (s != DAL_OK)\n"
                     "        return s;\n    bool has_row = false;\n    s = dal_stmt_step(st, "
                     "&has_row);\n    if (s == DAL_OK && !has_row)\n        s = "
                     "dal_set_error(db, DAL_ERROR, \"%s_count: no result row\");\n    if (s == "
                     "DAL_OK)\n        s = dal_col_int64(st, 0, out);\n    dal_stmt_done(st);\n"
                     "    return s;\n}\n\n",
                  n.N, n.N, n.N, n.N);
    }
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
            sb_printf(&inc, "#include \"%s.h\"\n", tb->name);
    }
    for (int v = 0; v < cx->m->nviews; v++) {
        bool used = false;
        for (int i = 0; i < nq && !used; i++)
            used = qs_[i].reuse_view && !strcmp(qs_[i].reuse_view, cx->m->views[v]->name);
        if (used)
            sb_printf(&inc, "#include \"%s.h\"\n", cx->m->views[v]->name);
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
