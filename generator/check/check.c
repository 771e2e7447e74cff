/*
 * check.c - named queries: reading, typing, checking on SQLite, rewriting
 * (check.h).
 */
#include "check/check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "dal_sqlite_decimal.h" /* the runtime's collation of decimal columns */

#include "model/names.h"
#include "model/types.h"

typedef struct ck {
    arena *a;
    const model *m;
    diag_list *d;
    sqlite3 *db;
    const char *prefix;
    const q_set *s; /* the views typed so far */
    bool view;      /* checking a view's SELECT (messages name its `columns`) */
} ck;

/* ---- table references of a statement ------------------------------------ */

typedef struct tref {
    const m_table *t;   /* NULL: not a table of the schema (CTE, subquery) */
    const char *alias;  /* or the name */
    bool nullable;      /* on the nullable side of an outer join */
    const char *name;   /* as written (a view's name, when t is NULL) */
    const model *m;     /* for a view's columns: their tables */
    const q_query *vq;  /* a view of the schema (typed before), or NULL */
} tref;

static bool tok_is(const sql_toks *tk, int i, const char *w)
{
    return i >= 0 && i < tk->n && tk->v[i].kind == SQLT_WORD && !strcmp(tk->v[i].text, w);
}

static bool tok_punct(const sql_toks *tk, const char *src, int i, char c)
{
    return i >= 0 && i < tk->n && tk->v[i].kind == SQLT_PUNCT && src[tk->v[i].off] == c;
}

static bool tok_name(const sql_toks *tk, int i)
{
    return i >= 0 && i < tk->n && (tk->v[i].kind == SQLT_WORD || tk->v[i].kind == SQLT_QIDENT);
}

static const char *const NOT_ALIAS[] = {
    "where", "join", "left", "right", "full", "inner", "outer", "cross", "on", "using", "set",
    "values", "group", "order", "limit", "offset", "natural", "returning", "union", "select",
    "having", "window", "except", "intersect", "for", "default", "as", "lateral", "do",
    "and", "or"};

static bool not_alias(const char *w)
{
    for (size_t i = 0; i < sizeof NOT_ALIAS / sizeof *NOT_ALIAS; i++)
        if (!strcmp(w, NOT_ALIAS[i]))
            return true;
    return false;
}

static int find_refs(ck *c, const sql_toks *tk, const char *src, tref *out, int max)
{
    int n = 0;
    for (int i = 0; i < tk->n && n < max; i++) {
        bool from = tok_is(tk, i, "from") || tok_is(tk, i, "join") || tok_is(tk, i, "update") ||
                    tok_is(tk, i, "into");
        if (!from)
            continue;
        bool left = false, right = false, full = false;
        if (tok_is(tk, i, "join")) {
            int k = i - 1;
            if (tok_is(tk, k, "outer"))
                k--;
            left = tok_is(tk, k, "left");
            right = tok_is(tk, k, "right");
            full = tok_is(tk, k, "full");
        }
        for (int j = i + 1;;) {
            if (!tok_name(tk, j))
                break;
            const char *name = tk->v[j].text;
            if (tok_is(tk, j, "lateral") || tok_is(tk, j, "only"))
                break;
            if (tok_punct(tk, src, j + 1, '.') && tok_name(tk, j + 2)) {
                j += 2;
                name = tk->v[j].text;
            }
            tref r = {model_find_table(c->m, name), name, left || full, name, c->m, NULL};
            for (int v = 0; !r.t && c->s && v < c->s->nviews; v++)
                if (!strcmp(c->s->views[v].src->name, name))
                    r.vq = &c->s->views[v];
            int k = j + 1;
            if (tok_is(tk, k, "as"))
                k++;
            if (tok_name(tk, k) && !(tk->v[k].kind == SQLT_WORD && not_alias(tk->v[k].text))) {
                r.alias = tk->v[k].text;
                k++;
            }
            if (right || full)
                for (int p = 0; p < n; p++)
                    out[p].nullable = true;
            if (n < max)
                out[n++] = r;
            if (tok_punct(tk, src, k, ',') && tok_is(tk, i, "from"))
                j = k + 1;
            else
                break;
        }
    }
    return n;
}

/* ---- types -------------------------------------------------------------- */

static q_type col_type(const m_table *t, const m_column *col, bool nullable)
{
    q_type q = {col->type, NULL, 0, nullable, false};
    if (col->type == TY_ENUM) {
        q.et = t;
        q.ecol = col->index;
    }
    return q;
}

static bool same_type(const q_type *a, const q_type *b)
{
    return a->type == b->type && a->list == b->list &&
           (a->type != TY_ENUM || (a->et == b->et && a->ecol == b->ecol));
}

static const char *type_text(ck *c, const q_type *t)
{
    const char *base = t->type == TY_ENUM && t->et
                           ? arena_printf(c->a, "%s.%s", t->et->name,
                                          t->et->columns[t->ecol].name)
                           : type_table[t->type].name;
    return t->list ? arena_printf(c->a, "%s[]", base) : base;
}

/* Resolves a directive's type ("int64", "jobs.status"). */
static bool directive_type(ck *c, const sql_directive *dv, q_type *out)
{
    memset(out, 0, sizeof *out);
    const char *dot = strchr(dv->type, '.');
    if (dot) {
        char *tn = arena_strndup(c->a, dv->type, (size_t)(dot - dv->type));
        const m_table *t = tn ? model_find_table(c->m, tn) : NULL;
        if (!t)
            return diag_error(c->d, dv->type_pos, "unknown table '%s' in type '%s'",
                              tn ? tn : "", dv->type);
        const m_column *col = table_find_column(t, dot + 1);
        if (!col)
            return diag_error(c->d, dv->type_pos, "table '%s' has no column '%s'", t->name,
                              dot + 1);
        *out = col_type(t, col, false);
    } else if (!type_lookup(dv->type, &out->type)) {
        const char *h = closest_name(dv->type, type_names, TY_COUNT);
        if (h)
            return diag_error(c->d, dv->type_pos, "unknown type '%s' (did you mean '%s'?)",
                              dv->type, h);
        return diag_error(c->d, dv->type_pos, "unknown type '%s'", dv->type);
    } else if (out->type == TY_ENUM) {
        return diag_error(c->d, dv->type_pos,
                          "an enum type is named by its column: write <table>.<column>");
    }
    out->list = dv->list;
    out->nullable = dv->null == 1;
    return true;
}

/* ---- parameters --------------------------------------------------------- */

typedef struct use {
    int param;        /* index into params */
    int tok;
    bool list_ctx;    /* `col IN (:p)` */
    bool not_in;
    bool typed;
    q_type t;
} use;

/* The column named by tokens ending at e (c or q.c), resolved through the
 * statement's table references. */
static const m_column *column_at(const sql_toks *tk, const char *src, int e, const tref *refs,
                                 int nrefs, const m_table **tab)
{
    if (!tok_name(tk, e))
        return NULL;
    const char *cn = tk->v[e].text;
    if (tk->v[e].kind == SQLT_WORD && (not_alias(cn) || !strcmp(cn, "null") ||
                                       !strcmp(cn, "not") || !strcmp(cn, "true") ||
                                       !strcmp(cn, "false")))
        return NULL;
    const char *q = NULL;
    if (tok_punct(tk, src, e - 1, '.') && tok_name(tk, e - 2))
        q = tk->v[e - 2].text;
    const m_column *found = NULL;
    for (int i = 0; i < nrefs; i++) {
        if (!refs[i].t && refs[i].vq) {
            /* a view's column: the table column it comes from */
            if (q && strcmp(refs[i].alias, q) && strcmp(refs[i].name, q))
                continue;
            for (int k = 0; k < refs[i].vq->ncols; k++) {
                const q_col *vc = &refs[i].vq->cols[k];
                if (strcmp(vc->name, cn) || !vc->otable)
                    continue;
                const m_table *vt = model_find_table(refs[i].m, vc->otable);
                const m_column *col = vt ? table_find_column(vt, vc->ocol) : NULL;
                if (col && !found) {
                    found = col;
                    *tab = vt;
                } else if (col && (found->type != col->type || found->type == TY_ENUM))
                    return NULL; /* ambiguous */
            }
            continue;
        }
        if (!refs[i].t)
            continue;
        if (q && strcmp(refs[i].alias, q) && strcmp(refs[i].t->name, q))
            continue;
        const m_column *col = table_find_column(refs[i].t, cn);
        if (!col)
            continue;
        if (found && (found->type != col->type || *tab != refs[i].t))
            if (found->type != col->type || found->type == TY_ENUM)
                return NULL; /* ambiguous */
        if (!found) {
            found = col;
            *tab = refs[i].t;
        }
    }
    return found;
}

static const char *const CMP_OPS[] = {"=", "<>", "!=", "<", "<=", ">", ">="};

static bool is_cmp(const sql_toks *tk, const char *src, int i)
{
    if (i < 0 || i >= tk->n)
        return false;
    if (tk->v[i].kind == SQLT_OP) {
        for (size_t k = 0; k < sizeof CMP_OPS / sizeof *CMP_OPS; k++)
            if (tk->v[i].len == strlen(CMP_OPS[k]) &&
                !memcmp(src + tk->v[i].off, CMP_OPS[k], tk->v[i].len))
                return true;
        return false;
    }
    return tok_is(tk, i, "like") || tok_is(tk, i, "ilike") || tok_is(tk, i, "is");
}

/* True when token i sits in an UPDATE's SET list (depth 0 of its parens). */
static bool in_set(const sql_toks *tk, const char *src, int i)
{
    int depth = 0;
    for (int k = i - 1; k >= 0; k--) {
        if (tok_punct(tk, src, k, ')'))
            depth++;
        else if (tok_punct(tk, src, k, '('))
            depth--;
        if (depth)
            continue;
        if (tok_is(tk, k, "set"))
            return true;
        if (tok_is(tk, k, "where") || tok_is(tk, k, "from") || tok_is(tk, k, "returning") ||
            tok_is(tk, k, "values") || tok_is(tk, k, "select") || tok_is(tk, k, "on"))
            return false;
    }
    return false;
}

/* Types the use of a parameter at token i from the SQL around it. */
static void infer_use(const sql_toks *tk, const char *src, int i, const tref *refs, int nrefs,
                      use *u)
{
    const m_table *t = NULL;
    const m_column *col = NULL;
    bool setter = false;
    if (tok_is(tk, i - 1, "limit") || tok_is(tk, i - 1, "offset")) {
        u->typed = true;
        u->t = (q_type){TY_INT64, NULL, 0, false, false};
        return;
    }
    if (tok_punct(tk, src, i - 1, '(') && tok_is(tk, i - 2, "in") &&
        tok_punct(tk, src, i + 1, ')')) {
        col = column_at(tk, src, tok_is(tk, i - 3, "not") ? i - 4 : i - 3, refs, nrefs, &t);
        u->list_ctx = true;
        u->not_in = tok_is(tk, i - 3, "not");
    } else if (is_cmp(tk, src, i - 1)) {
        int e = i - 2;
        if (tok_is(tk, i - 1, "is") && tok_is(tk, e, "not"))
            e--;
        if ((tok_is(tk, i - 1, "like") || tok_is(tk, i - 1, "ilike")) && tok_is(tk, e, "not"))
            e--;
        col = column_at(tk, src, e, refs, nrefs, &t);
        setter = col && tok_punct(tk, src, e + 1, 0) == false && in_set(tk, src, i);
    } else if (tok_is(tk, i - 1, "between")) {
        col = column_at(tk, src, tok_is(tk, i - 2, "not") ? i - 3 : i - 2, refs, nrefs, &t);
    } else if (tok_is(tk, i - 1, "and") && tok_is(tk, i - 3, "between")) {
        col = column_at(tk, src, tok_is(tk, i - 4, "not") ? i - 5 : i - 4, refs, nrefs, &t);
    }
    if (!col && is_cmp(tk, src, i + 1) && !tok_is(tk, i + 1, "is")) {
        int e = i + 2;
        if (tok_name(tk, e) && tok_punct(tk, src, e + 1, '.') && tok_name(tk, e + 2))
            e += 2;
        col = column_at(tk, src, e, refs, nrefs, &t);
    }
    if (!col) {
        /* INSERT INTO t (c1, ...) VALUES (..., :p, ...) */
        int depth = 0, k, item = 0;
        for (k = i - 1; k >= 0; k--) {
            if (tok_punct(tk, src, k, ')'))
                depth++;
            else if (tok_punct(tk, src, k, '(')) {
                if (depth == 0)
                    break;
                depth--;
            } else if (depth == 0 && tok_punct(tk, src, k, ','))
                item++;
        }
        bool single = (tok_punct(tk, src, i - 1, '(') || tok_punct(tk, src, i - 1, ',')) &&
                      (tok_punct(tk, src, i + 1, ')') || tok_punct(tk, src, i + 1, ','));
        int vk = k - 1;
        while (single && vk >= 0 && tok_punct(tk, src, vk, ',')) {
            /* an earlier tuple of a multi-row VALUES: skip back over it */
            int dd = 0, m;
            for (m = vk - 1; m >= 0; m--) {
                if (tok_punct(tk, src, m, ')'))
                    dd++;
                else if (tok_punct(tk, src, m, '(') && --dd == 0)
                    break;
            }
            vk = m - 1;
        }
        if (single && k > 0 && tok_is(tk, vk, "values") && tok_punct(tk, src, vk - 1, ')')) {
            int cl = vk - 1, op;
            int dd = 0;
            for (op = cl; op >= 0; op--) {
                if (tok_punct(tk, src, op, ')'))
                    dd++;
                else if (tok_punct(tk, src, op, '(') && --dd == 0)
                    break;
            }
            /* columns op+1 .. cl-1, comma separated */
            int ci = 0;
            for (int m = op + 1; m < cl; m++) {
                if (tok_punct(tk, src, m, ','))
                    ci++;
                else if (ci == item && tok_name(tk, m) && op >= 2 && tok_name(tk, op - 1)) {
                    const m_table *it = NULL;
                    for (int r = 0; r < nrefs; r++)
                        if (refs[r].t && (!strcmp(refs[r].alias, tk->v[op - 1].text) ||
                                          !strcmp(refs[r].t->name, tk->v[op - 1].text)))
                            it = refs[r].t;
                    if (it && (col = table_find_column(it, tk->v[m].text))) {
                        t = it;
                        setter = true;
                    }
                }
            }
        }
    }
    if (col) {
        u->typed = true;
        u->t = col_type(t, col, setter && col->nullable);
        u->t.list = u->list_ctx;
    }
}

/* ---- rewriting ---------------------------------------------------------- */

typedef struct seg {
    size_t in, out;
} seg;

typedef struct rewritten {
    char *sql;
    seg *segs; /* where copied text starts, to map engine offsets back */
    int nsegs;
} rewritten;

static size_t map_back(const rewritten *r, size_t off)
{
    size_t best = 0;
    for (int i = 0; i < r->nsegs; i++)
        if (r->segs[i].out <= off)
            best = r->segs[i].in + (off - r->segs[i].out);
    return best;
}

/* The SQL of one dialect: parameters numbered in order of first appearance,
 * PostgreSQL's cast to their type, lists as one bound parameter. */
static bool rewrite(ck *c, const char *src, size_t len, const sql_toks *tk, const use *uses,
                    const q_param *params, bool pg, rewritten *out)
{
    strbuf sb;
    sb_init(&sb);
    out->segs = arena_alloc(c->a, (size_t)(tk->n * 2 + 2) * sizeof *out->segs);
    out->nsegs = 0;
    if (!out->segs)
        return false;
    /* the text without its trailing `;` and spaces */
    size_t end = len;
    if (tk->n && tok_punct(tk, src, tk->n - 1, ';'))
        end = tk->v[tk->n - 1].off;
    while (end > 0 && (src[end - 1] == ' ' || src[end - 1] == '\n' || src[end - 1] == '\t' ||
                       src[end - 1] == '\r'))
        end--;
    size_t at = 0;
    /* leading blank lines */
    while (at < end && (src[at] == '\n' || src[at] == ' ' || src[at] == '\r' || src[at] == '\t'))
        at++;
    int ui = 0;
    for (int i = 0; i < tk->n; i++) {
        if (tk->v[i].kind != SQLT_PARAM)
            continue;
        const use *u = &uses[ui++];
        const q_param *p = &params[u->param];
        int n = u->param + 1;
        size_t from = tk->v[i].off, to = from + tk->v[i].len;
        bool list = p->t.list && u->list_ctx;
        if (list) {
            int k = i - 2; /* `in` */
            if (u->not_in && pg)
                k--;
            from = tk->v[k].off;
            to = tk->v[i + 1].off + 1;
        }
        out->segs[out->nsegs++] = (seg){at, sb.len};
        sb_addn(&sb, src + at, from - at);
        out->segs[out->nsegs++] = (seg){from, sb.len};
        const char *cast = type_table[p->t.type].pg_sql;
        if (list && pg)
            sb_printf(&sb, "%s($%d::%s[])", u->not_in ? "<> ALL" : "= ANY", n, cast);
        else if (list)
            sb_printf(&sb, "IN (SELECT value FROM json_each(?%d))", n);
        else if (pg)
            sb_printf(&sb, "$%d::%s", n, cast);
        else
            sb_printf(&sb, "?%d", n);
        at = to;
    }
    out->segs[out->nsegs++] = (seg){at, sb.len};
    if (end > at)
        sb_addn(&sb, src + at, end - at);
    out->sql = sb.oom ? NULL : arena_strdup(c->a, sb_str(&sb));
    sb_free(&sb);
    return out->sql != NULL;
}

/* ---- one query ---------------------------------------------------------- */

static const char *const KINDS[] = {":one", ":many", ":exec", ":execrows"};

static bool ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* The select-list item named `name` is count(...): "count(*)" as written,
 * or an alias of a count(...) item. */
static bool is_count(const sql_toks *tk, const char *src, const char *name)
{
    if (!strncasecmp(name, "count(", 6))
        return true;
    for (int i = 0; i + 1 < tk->n; i++) {
        if (!tok_is(tk, i, "count") || !tok_punct(tk, src, i + 1, '('))
            continue;
        if (i > 0 && !tok_punct(tk, src, i - 1, ',') && !tok_is(tk, i - 1, "select") &&
            !tok_is(tk, i - 1, "returning"))
            continue;
        int d = 0, k;
        for (k = i + 1; k < tk->n; k++) {
            if (tok_punct(tk, src, k, '('))
                d++;
            else if (tok_punct(tk, src, k, ')') && --d == 0)
                break;
        }
        k++;
        if (tok_is(tk, k, "as"))
            k++;
        if (tok_name(tk, k) && !strcmp(tk->v[k].text, name))
            return true;
    }
    return false;
}

/* True when token i is `*` (an operator token). */
static bool tok_star(const sql_toks *tk, const char *src, int i)
{
    return i >= 0 && i < tk->n && tk->v[i].kind == SQLT_OP && tk->v[i].len == 1 &&
           src[tk->v[i].off] == '*';
}

/* The table qualifier of result column `index` when the statement's top-level
 * SELECT (or RETURNING) list item of that position is a plain qualified
 * column (`a.id`, `a.id AS x`) or comes from `a.*` (a table of the schema),
 * else NULL (also when a bare `*` makes positions unknowable).  It tells which of several references to one table a column
 * comes from (a self-join where one side is on the nullable side). */
static const char *item_qualifier(const sql_toks *tk, const char *src, int index,
                                  const tref *refs, int nrefs)
{
    int i = 0, depth = 0;
    for (; i < tk->n; i++) {
        if (tok_punct(tk, src, i, '('))
            depth++;
        else if (tok_punct(tk, src, i, ')'))
            depth--;
        else if (depth == 0 && (tok_is(tk, i, "select") || tok_is(tk, i, "returning")))
            break;
    }
    if (i == tk->n)
        return NULL;
    i++;
    if (tok_is(tk, i, "distinct") || tok_is(tk, i, "all"))
        i++;
    const char *found = NULL;
    for (int pos = 0, start = i; i <= tk->n; i++) {
        bool end = i == tk->n || tok_is(tk, i, "from") || tok_is(tk, i, "where") ||
                   tok_is(tk, i, "group") || tok_is(tk, i, "order") || tok_is(tk, i, "limit") ||
                   tok_is(tk, i, "union") || tok_is(tk, i, "having") || tok_is(tk, i, "window");
        if (i < tk->n && tok_punct(tk, src, i, '('))
            depth++;
        else if (i < tk->n && tok_punct(tk, src, i, ')'))
            depth--;
        if (i < tk->n && i == start && depth == 0 && tok_star(tk, src, i))
            return NULL; /* `*`: positions are not items */
        if (depth != 0 || !(end || tok_punct(tk, src, i, ',')))
            continue;
        int width = 1;
        if (i - start == 3 && tok_name(tk, start) && tok_punct(tk, src, start + 1, '.') &&
            tok_star(tk, src, start + 2)) {
            /* `a.*`: every column of the table a names, qualified by a */
            width = 0;
            for (int r = 0; r < nrefs && !width; r++)
                if (refs[r].t && refs[r].alias && !strcmp(refs[r].alias, tk->v[start].text))
                    width = refs[r].t->ncolumns;
            if (!width)
                return NULL;
            if (index >= pos && index < pos + width)
                found = tk->v[start].text;
        } else if (pos == index && i - start >= 3 && tok_name(tk, start) &&
                   tok_punct(tk, src, start + 1, '.') && tok_name(tk, start + 2) &&
                   (i - start == 3 || tok_is(tk, start + 3, "as") ||
                    (i - start == 4 && tok_name(tk, start + 3)))) {
            found = tk->v[start].text;
        }
        pos += width;
        start = i + 1;
        if (end)
            break;
    }
    return found;
}

static void engine_error(ck *c, const sql_text *body, const rewritten *rw, const char *msg,
                         int off)
{
    size_t in = off >= 0 ? map_back(rw, (size_t)off) : 0;
    /* skip leading blank lines of the body to point at the SQL */
    if (off < 0)
        while (in < body->len && (body->text[in] == '\n' || body->text[in] == ' '))
            in++;
    diag_error(c->d, sql_text_pos(body, in), "%s", msg);
}

/* The LIMIT of the statement itself (not of a subquery: parentheses
 * nest), when it is a parameter or a number: the :many reader's first
 * capacity (docs/queries.md). */
static void find_limit(const sql_toks *tk, q_query *q)
{
    int depth = 0;
    for (int i = 0; i + 1 < tk->n; i++) {
        const sql_tok *t = &tk->v[i], *next = &tk->v[i + 1];
        char ch = t->kind == SQLT_PUNCT && t->len == 1 ? q->src->sqlite.text[t->off] : 0;
        depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        if (depth != 0 || t->kind != SQLT_WORD || strcmp(t->text, "limit") != 0)
            continue;
        if (next->kind == SQLT_PARAM) {
            for (int p = 0; p < q->nparams; p++)
                if (!strcmp(q->params[p].name, next->text))
                    q->limit_param = p;
        }
        else if (next->kind == SQLT_NUMBER) {
            char num[16];
            size_t n = next->len < sizeof num - 1 ? next->len : sizeof num - 1;
            memcpy(num, q->src->sqlite.text + next->off, n);
            num[n] = '\0';
            q->limit_rows = strtol(num, NULL, 10);
        }
    }
}

static void check_query(ck *c, const sql_file *f, const sql_query *sq, q_query *q)
{
    memset(q, 0, sizeof *q);
    q->limit_param = -1;
    q->src = sq;
    q->file = f;
    int k;
    for (k = 0; k < 4 && strcmp(sq->kind, KINDS[k]); k++)
        ;
    if (k == 4) {
        diag_error(c->d, sq->kind_pos, "unknown query kind '%s' (:one, :many, :exec or "
                                        ":execrows)", sq->kind);
        return;
    }
    q->kind = (q_kind)k;
    int errors0 = c->d->errors;
    /* tokens of both variants */
    const sql_text *texts[2] = {&sq->sqlite, &sq->pg};
    sql_toks tks[2];
    int nv = sq->variants ? 2 : 1;
    for (int v = 0; v < nv; v++) {
        if (!sql_lex(c->a, texts[v]->text, texts[v]->len, &tks[v]))
            return;
        const sql_toks *tk = &tks[v];
        const char *src = texts[v]->text;
        if (tk->n == 0 || (tk->n == 1 && tok_punct(tk, src, 0, ';'))) {
            diag_error(c->d, sq->pos, "query '%s' has no SQL", sq->name);
            return;
        }
        for (int i = 0; i < tk->n; i++) {
            srcpos p = sql_text_pos(texts[v], tk->v[i].off);
            if (tk->v[i].kind == SQLT_ERROR)
                diag_error(c->d, p, "unterminated string, quoted identifier or comment");
            else if (tk->v[i].kind == SQLT_PLACEHOLDER)
                diag_error(c->d, p, "write parameters as :name, not $1 or ?");
            else if (tok_punct(tk, src, i, ';') && i + 1 < tk->n)
                diag_error(c->d, p, "a query is one statement: this ';' ends query '%s' "
                                    "before the end of its SQL", sq->name);
        }
    }
    if (c->d->errors != errors0)
        return;
    /* the engine's own errors first: SQLite takes :name parameters as they
     * are written, so its offsets point straight into the file */
    {
        sqlite3_stmt *raw = NULL;
        if (sqlite3_prepare_v2(c->db, sq->sqlite.text, (int)sq->sqlite.len, &raw, NULL) !=
            SQLITE_OK) {
            int off = sqlite3_error_offset(c->db);
            size_t in = off >= 0 ? (size_t)off : 0;
            if (off < 0)
                while (in < sq->sqlite.len && (sq->sqlite.text[in] == '\n' ||
                                               sq->sqlite.text[in] == ' '))
                    in++;
            diag_error(c->d, sql_text_pos(&sq->sqlite, in), "%s", sqlite3_errmsg(c->db));
            return;
        }
        sqlite3_finalize(raw);
    }
    /* parameters, in order of first appearance (SQLite variant) */
    const sql_toks *tk = &tks[0];
    const char *src = sq->sqlite.text;
    int nuse = 0;
    for (int i = 0; i < tk->n; i++)
        nuse += tk->v[i].kind == SQLT_PARAM;
    use *uses = arena_alloc(c->a, (size_t)(nuse + 1) * sizeof *uses);
    q->params = arena_alloc(c->a, (size_t)(nuse + 1) * sizeof *q->params);
    bool *typed = arena_alloc(c->a, (size_t)(nuse + 1) * sizeof *typed);
    bool *from_dir = arena_alloc(c->a, (size_t)(nuse + 1) * sizeof *from_dir);
    srcpos *tpos = arena_alloc(c->a, (size_t)(nuse + 1) * sizeof *tpos);
    tref refs[64];
    if (!uses || !q->params || !typed || !from_dir || !tpos)
        return;
    int nrefs = find_refs(c, tk, src, refs, 64);
    int ui = 0;
    for (int i = 0; i < tk->n; i++) {
        if (tk->v[i].kind != SQLT_PARAM)
            continue;
        int p;
        for (p = 0; p < q->nparams && strcmp(q->params[p].name, tk->v[i].text); p++)
            ;
        if (p == q->nparams) {
            q->params[p] = (q_param){tk->v[i].text, {0}, sql_text_pos(&sq->sqlite, tk->v[i].off)};
            q->nparams++;
        }
        use *u = &uses[ui++];
        memset(u, 0, sizeof *u);
        u->param = p;
        u->tok = i;
        infer_use(tk, src, i, refs, nrefs, u);
    }
    find_limit(tk, q);
    /* directives */
    for (int j = 0; j < sq->ndirs; j++) {
        const sql_directive *dv = &sq->dirs[j];
        if (dv->column)
            continue;
        int p;
        for (p = 0; p < q->nparams && strcmp(q->params[p].name, dv->name); p++)
            ;
        if (p == q->nparams) {
            diag_error(c->d, dv->pos, "query '%s' has no parameter :%s", sq->name, dv->name);
            continue;
        }
        q_type t;
        if (!directive_type(c, dv, &t))
            continue;
        if (t.list && (t.type == TY_FLOAT32 || t.type == TY_FLOAT64 || t.type == TY_DECIMAL ||
                       t.type == TY_JSON || t.type == TY_BYTES)) {
            diag_error(c->d, dv->type_pos, "list parameters of type %s are not supported",
                       type_table[t.type].name);
            continue;
        }
        q->params[p].t = t;
        typed[p] = from_dir[p] = true;
    }
    for (int u = 0; u < nuse; u++) {
        int p = uses[u].param;
        if (from_dir[p] || !uses[u].typed)
            continue;
        srcpos at = sql_text_pos(&sq->sqlite, tk->v[uses[u].tok].off);
        if (!typed[p]) {
            q->params[p].t = uses[u].t;
            typed[p] = true;
            tpos[p] = at;
        } else if (!same_type(&q->params[p].t, &uses[u].t)) {
            diag_error(c->d, at,
                       "parameter :%s is used as %s here and as %s at line %d: write `-- param: "
                       "%s <type>`",
                       q->params[p].name, type_text(c, &uses[u].t), type_text(c, &q->params[p].t),
                       tpos[p].line, q->params[p].name);
            typed[p] = true;
            from_dir[p] = true; /* one message */
        } else if (uses[u].t.nullable)
            q->params[p].t.nullable = true;
    }
    if (sq->variants) {
        /* a parameter the sqlite variant leaves untyped (`CAST(:id AS INTEGER)`)
         * is typed by its uses in the pg variant (`id = :id`) */
        const sql_toks *tp = &tks[1];
        tref r2[64];
        int nr2 = find_refs(c, tp, sq->pg.text, r2, 64);
        for (int i = 0; i < tp->n; i++) {
            if (tp->v[i].kind != SQLT_PARAM)
                continue;
            int p;
            for (p = 0; p < q->nparams && strcmp(q->params[p].name, tp->v[i].text); p++)
                ;
            if (p == q->nparams || typed[p])
                continue;
            use u2;
            memset(&u2, 0, sizeof u2);
            u2.param = p;
            u2.tok = i;
            infer_use(tp, sq->pg.text, i, r2, nr2, &u2);
            if (u2.typed) {
                q->params[p].t = u2.t;
                typed[p] = true;
            }
        }
    }
    for (int p = 0; p < q->nparams; p++)
        if (!typed[p])
            diag_error(c->d, q->params[p].pos,
                       "cannot infer the type of parameter :%s: write `-- param: %s <type>` "
                       "(or `%s <type> null`)",
                       q->params[p].name, q->params[p].name, q->params[p].name);
    for (int u = 0; u < nuse; u++) {
        const q_param *p = &q->params[uses[u].param];
        if (p->t.list && !uses[u].list_ctx && typed[uses[u].param]) {
            diag_error(c->d, sql_text_pos(&sq->sqlite, tk->v[uses[u].tok].off),
                       "list parameter :%s can only be used as `<column> IN (:%s)`", p->name,
                       p->name);
            break;
        }
    }
    /* the other variant has the same parameters */
    if (sq->variants) {
        const sql_toks *tp = &tks[1];
        int np = 0;
        const char *seen[256];
        for (int i = 0; i < tp->n; i++) {
            if (tp->v[i].kind != SQLT_PARAM)
                continue;
            int s;
            for (s = 0; s < np && strcmp(seen[s], tp->v[i].text); s++)
                ;
            if (s < np)
                continue;
            if (np < 256)
                seen[np++] = tp->v[i].text;
            bool known = false;
            for (int p = 0; p < q->nparams; p++)
                known = known || !strcmp(q->params[p].name, tp->v[i].text);
            if (!known)
                diag_error(c->d, sql_text_pos(&sq->pg, tp->v[i].off),
                           "parameter :%s of the pg variant is not in the sqlite variant "
                           "(both variants take the same parameters)",
                           tp->v[i].text);
        }
        for (int p = 0; p < q->nparams; p++) {
            bool known = false;
            for (int s = 0; s < np; s++)
                known = known || !strcmp(seen[s], q->params[p].name);
            if (!known)
                diag_error(c->d, q->params[p].pos,
                           "parameter :%s of the sqlite variant is not in the pg variant "
                           "(both variants take the same parameters)",
                           q->params[p].name);
        }
    }
    if (c->d->errors != errors0)
        return;
    /* the rewritten SQL of both dialects */
    rewritten rs, rp;
    if (!rewrite(c, src, sq->sqlite.len, tk, uses, q->params, false, &rs))
        return;
    q->sql_sqlite = rs.sql;
    if (sq->variants) {
        /* the pg variant's uses, typed like the sqlite variant's */
        const sql_toks *tp = &tks[1];
        int n2 = 0;
        for (int i = 0; i < tp->n; i++)
            n2 += tp->v[i].kind == SQLT_PARAM;
        use *u2 = arena_alloc(c->a, (size_t)(n2 + 1) * sizeof *u2);
        tref r2[64];
        int nr2 = find_refs(c, tp, sq->pg.text, r2, 64);
        if (!u2)
            return;
        int k2 = 0;
        for (int i = 0; i < tp->n; i++) {
            if (tp->v[i].kind != SQLT_PARAM)
                continue;
            memset(&u2[k2], 0, sizeof *u2);
            for (int p = 0; p < q->nparams; p++)
                if (!strcmp(q->params[p].name, tp->v[i].text))
                    u2[k2].param = p;
            infer_use(tp, sq->pg.text, i, r2, nr2, &u2[k2]);
            k2++;
        }
        if (!rewrite(c, sq->pg.text, sq->pg.len, tp, u2, q->params, true, &rp))
            return;
    } else if (!rewrite(c, src, sq->sqlite.len, tk, uses, q->params, true, &rp))
        return;
    q->sql_pg = rp.sql;
    q->pg_nsegs = rp.nsegs;
    q->pg_in = arena_alloc(c->a, (size_t)(rp.nsegs + 1) * sizeof *q->pg_in);
    q->pg_out = arena_alloc(c->a, (size_t)(rp.nsegs + 1) * sizeof *q->pg_out);
    if (!q->pg_in || !q->pg_out)
        return;
    for (int i = 0; i < rp.nsegs; i++) {
        q->pg_in[i] = rp.segs[i].in;
        q->pg_out[i] = rp.segs[i].out;
    }

    /* prepare on SQLite */
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(c->db, rs.sql, -1, &st, &tail) != SQLITE_OK) {
        engine_error(c, &sq->sqlite, &rs, sqlite3_errmsg(c->db), sqlite3_error_offset(c->db));
        return;
    }
    int nc = sqlite3_column_count(st);
    if ((q->kind == Q_ONE || q->kind == Q_MANY) && nc == 0)
        diag_error(c->d, sq->kind_pos, "query '%s' is %s but returns no columns (use :exec or "
                                       ":execrows)", sq->name, sq->kind);
    if ((q->kind == Q_EXEC || q->kind == Q_EXECROWS) && nc > 0)
        diag_error(c->d, sq->kind_pos, "query '%s' is %s but returns columns (use :one or "
                                       ":many)", sq->name, sq->kind);
    q->cols = arena_alloc(c->a, (size_t)(nc + 1) * sizeof *q->cols);
    if (!q->cols) {
        sqlite3_finalize(st);
        return;
    }
    for (int i = 0; i < nc && (q->kind == Q_ONE || q->kind == Q_MANY); i++) {
        const char *name = arena_strdup(c->a, sqlite3_column_name(st, i));
        const char *tn = sqlite3_column_table_name(st, i);
        const char *cn = sqlite3_column_origin_name(st, i);
        q_col *qc = &q->cols[q->ncols++];
        qc->name = name;
        bool typed_col = false;
        const sql_directive *dv = NULL;
        for (int j = 0; j < sq->ndirs; j++)
            if (sq->dirs[j].column && !strcmp(sq->dirs[j].name, name))
                dv = &sq->dirs[j];
        if (!ident_ok(name)) {
            diag_error(c->d, sq->pos,
                       "result column '%s' of %s '%s' is not an identifier: name it with AS",
                       name, c->view ? "view" : "query", sq->name);
            continue;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(q->cols[j].name, name)) {
                diag_error(c->d, sq->pos,
                           "%s '%s' returns two columns named '%s': give one another name "
                           "with AS",
                           c->view ? "view" : "query", sq->name, name);
                break;
            }
        if (tn && cn) {
            const m_table *t = model_find_table(c->m, tn);
            const m_column *col = t ? table_find_column(t, cn) : NULL;
            if (col) {
                bool nul = col->nullable;
                const char *qual = item_qualifier(tk, src, i, refs, nrefs);
                bool by_qual = false;
                for (int r = 0; qual && r < nrefs; r++)
                    if (refs[r].t == t && refs[r].alias && !strcmp(refs[r].alias, qual)) {
                        by_qual = true;
                        nul = nul || refs[r].nullable;
                    }
                for (int r = 0; r < nrefs; r++) {
                    if (!by_qual && refs[r].t == t && refs[r].nullable)
                        nul = true;
                    /* through a view: SQLite reports the view's underlying
                     * column; the view may make it nullable (outer join) */
                    for (int v = 0; !refs[r].t && c->s && v < c->s->nviews; v++) {
                        const q_query *vq = &c->s->views[v];
                        if (strcmp(vq->src->name, refs[r].name))
                            continue;
                        for (int k = 0; k < vq->ncols; k++)
                            if (vq->cols[k].otable && !strcmp(vq->cols[k].otable, tn) &&
                                !strcmp(vq->cols[k].ocol, cn) &&
                                (vq->cols[k].t.nullable || refs[r].nullable))
                                nul = true;
                    }
                }
                qc->t = col_type(t, col, nul);
                qc->otable = t->name;
                qc->ocol = col->name;
                typed_col = true;
            }
        }
        /* a view's column that is not a table's (an expression): the view's type */
        for (int r = 0; !typed_col && r < nrefs; r++)
            for (int k = 0; refs[r].vq && k < refs[r].vq->ncols && !typed_col; k++)
                if (!strcmp(refs[r].vq->cols[k].name, name) && !refs[r].vq->cols[k].otable) {
                    qc->t = refs[r].vq->cols[k].t;
                    qc->t.nullable = qc->t.nullable || refs[r].nullable;
                    typed_col = true;
                }
        if (!typed_col && is_count(tk, src, name)) {
            qc->t = (q_type){TY_INT64, NULL, 0, false, false};
            typed_col = true;
        }
        if (dv) {
            q_type t;
            if (directive_type(c, dv, &t)) {
                if (dv->list)
                    diag_error(c->d, dv->type_pos, "a result column cannot be a list");
                if (dv->null == 0 && typed_col)
                    t.nullable = qc->t.nullable;
                qc->t = t;
            }
            typed_col = true;
        }
        if (!typed_col && c->view)
            diag_error(c->d, sq->pos,
                       "cannot infer the type of column '%s' of view '%s': add `- { name: %s, "
                       "type: <type> }` to its 'columns' (with `null: true` when it can be NULL)",
                       name, sq->name, name);
        else if (!typed_col)
            diag_error(c->d, sq->pos,
                       "cannot infer the type of result column '%s' of query '%s': write `-- "
                       "column: %s <type>` (add `null` when it can be NULL)",
                       name, sq->name, name);
    }
    for (int j = 0; j < sq->ndirs; j++) {
        if (!sq->dirs[j].column)
            continue;
        bool found = false;
        for (int i = 0; i < q->ncols; i++)
            found = found || !strcmp(q->cols[i].name, sq->dirs[j].name);
        if (!found)
            diag_error(c->d, sq->dirs[j].pos, "%s '%s' returns no column '%s'",
                       c->view ? "view" : "query", sq->name,
                       sq->dirs[j].name);
    }
    sqlite3_finalize(st);
    /* a view's struct, when the columns are exactly the view's */
    for (int v = 0; c->s && v < c->s->nviews && q->ncols > 0; v++) {
        const q_query *vq = &c->s->views[v];
        if (vq->ncols != q->ncols)
            continue;
        bool same = true;
        for (int i = 0; i < q->ncols && same; i++)
            same = !strcmp(q->cols[i].name, vq->cols[i].name) &&
                   same_type(&vq->cols[i].t, &q->cols[i].t) &&
                   vq->cols[i].t.nullable == q->cols[i].t.nullable;
        if (same) {
            q->reuse_view = vq->src->name;
            return;
        }
    }
    /* a table's struct, when the columns are exactly the table's */
    for (int t = 0; t < c->m->ntables && q->ncols > 0; t++) {
        const m_table *tb = c->m->by_name[t];
        if (tb->ncolumns != q->ncols)
            continue;
        bool same = true;
        for (int i = 0; i < q->ncols && same; i++) {
            q_type ct = col_type(tb, &tb->columns[i], tb->columns[i].nullable);
            same = !strcmp(q->cols[i].name, tb->columns[i].name) &&
                   same_type(&ct, &q->cols[i].t) && ct.nullable == q->cols[i].t.nullable;
        }
        if (same) {
            q->reuse = tb;
            break;
        }
    }
}

/* ---- views -------------------------------------------------------------- */

/* Types every view like a :many query (in dependency order, each created in
 * the database once its SELECT checked), and gives its C functions the
 * statement that reads the whole view. */
static void check_views(ck *c, q_set *s, name_table *nt)
{
    const model *m = c->m;
    s->views = arena_alloc(c->a, (size_t)(m->nviews + 1) * sizeof *s->views);
    if (!s->views)
        return;
    for (int i = 0; i < m->nviews; i++) {
        const m_view *v = m->views[i];
        sql_file *f = arena_alloc(c->a, sizeof *f);
        sql_query *sq = arena_alloc(c->a, sizeof *sq);
        if (!f || !sq)
            return;
        f->path = v->file;
        f->stem = v->name;
        f->queries = sq;
        f->nqueries = 1;
        sq->name = v->name;
        sq->kind = ":many";
        sq->pos = sq->kind_pos = v->pos;
        sq->dirs = v->cols;
        sq->ndirs = v->ncols;
        sq->pg = v->sql[0];
        sq->sqlite = v->sql[1];
        sq->body = v->sql[1];
        sq->variants = v->sql[0].text != v->sql[1].text;
        if (v->comment) {
            sq->doc = arena_alloc(c->a, sizeof *sq->doc);
            if (sq->doc) {
                sq->doc[0] = v->comment;
                sq->ndoc = 1;
            }
        }
        int errors0 = c->d->errors;
        q_query *q = &s->views[s->nviews];
        c->view = true;
        check_query(c, f, sq, q);
        c->view = false;
        q->reuse = NULL;
        q->reuse_view = NULL;
        q->view = v;
        if (q->nparams > 0)
            diag_error(c->d, q->params[0].pos, "a view takes no parameters");
        if (c->d->errors != errors0)
            continue;
        strbuf sb;
        sb_init(&sb);
        sb_add(&sb, "CREATE VIEW \"");
        sb_add(&sb, v->name);
        sb_add(&sb, "\" AS\n");
        sb_addn(&sb, v->sql[1].text, v->sql[1].len);
        char *err = NULL;
        if (sqlite3_exec(c->db, sb_str(&sb), NULL, NULL, &err) != SQLITE_OK)
            diag_error(c->d, v->pos, "view '%s' cannot be created: %s", v->name,
                       err ? err : "");
        sqlite3_free(err);
        /* what the C functions run: every column of the view */
        sb_clear(&sb);
        sb_add(&sb, "SELECT ");
        for (int k = 0; k < q->ncols; k++)
            sb_printf(&sb, "%s\"%s\"", k ? ", " : "", q->cols[k].name);
        sb_printf(&sb, " FROM \"%s\"", v->name);
        q->sql_pg = arena_strdup(c->a, sb_str(&sb));
        q->sql_sqlite = q->sql_pg;
        q->pg_nsegs = 0;
        sb_free(&sb);
        s->nviews++;
        if (nt) {
            const char *N = v->name;
            const char *what = arena_printf(c->a, "view '%s'", N);
            names_owner(nt);
            names_add(nt, N, what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_array", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_free", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_array_free", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_all", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_iterate", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_count", N), what, v->pos);
            names_add(nt, arena_printf(c->a, "%s_table", N), what, v->pos);
        }
    }
}

/* ---- files -------------------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

bool q_has_batch(const q_query *q)
{
    if ((q->kind != Q_EXEC && q->kind != Q_EXECROWS) || q->nparams == 0)
        return false;
    for (int i = 0; i < q->nparams; i++)
        if (q->params[i].t.list)
            return false;
    return true;
}

q_set *check_queries(arena *a, const model *m, const char *dir, const char *prefix,
                     const char *sqlite_ddl, diag_list *d)
{
    q_set *s = arena_alloc(a, sizeof *s);
    if (!s)
        return NULL;
    DIR *dh = opendir(dir);
    char *names[4096];
    int n = 0;
    struct dirent *de;
    while (dh && (de = readdir(dh)) && n < 4096) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".sql") && de->d_name[0] != '.')
            names[n++] = arena_strdup(a, de->d_name);
    }
    if (dh)
        closedir(dh);
    if (n == 0 && m->nviews == 0)
        return s;
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    ck c = {a, m, d, NULL, prefix, s, false};
    if (sqlite3_open(":memory:", &c.db) != SQLITE_OK ||
        dal__sq_decimal_register(c.db) != SQLITE_OK) {
        diag_error(d, (srcpos){dir, 0, 0}, "cannot open an in-memory SQLite database");
        sqlite3_close(c.db);
        return s;
    }
    char *err = NULL;
    if (sqlite3_exec(c.db, sqlite_ddl, NULL, NULL, &err) != SQLITE_OK) {
        diag_error(d, (srcpos){dir, 0, 0}, "the schema's SQLite DDL does not load: %s",
                   err ? err : "");
        sqlite3_free(err);
        sqlite3_close(c.db);
        return s;
    }
    s->files = arena_alloc(a, (size_t)(n + 1) * sizeof *s->files);
    if (!s->files) {
        sqlite3_close(c.db);
        return NULL;
    }
    size_t dl = strlen(dir);
    /* the C names of the tables, for collisions */
    name_table *nt = names_new(a);
    for (int i = 0; nt && i < m->ntables; i++) {
        c_table_names tn;
        c_names_table(nt, a, "", m->tables[i], NULL, &tn);
    }
    if (nt)
        c_names_schema(nt, (srcpos){dir, 0, 0});
    check_views(&c, s, nt);
    for (int i = 0; i < n; i++) {
        const char *path = arena_printf(a, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                                        names[i]);
        sql_file *f = path ? sql_parse_file(a, path, d) : NULL;
        if (!f)
            continue;
        q_file *qf = &s->files[s->nfiles++];
        qf->f = f;
        qf->q = arena_alloc(a, (size_t)(f->nqueries + 1) * sizeof *qf->q);
        if (!qf->q)
            break;
        if (nt) {
            names_owner(nt);
            names_add(nt, arena_printf(a, "%s_queries", f->stem),
                      arena_printf(a, "the header of query file '%s'", path),
                      (srcpos){path, 1, 1});
        }
        for (int j = 0; j < f->nqueries; j++) {
            const sql_query *sq = &f->queries[j];
            if (!sq->name)
                continue;
            if (!ident_ok(sq->name)) {
                diag_error(d, sq->pos, "invalid query name '%s' (lower-case letters, digits and "
                                       "'_', starting with a letter or '_', at most 63 bytes)",
                           sq->name);
                continue;
            }
            if (c_is_reserved(sq->name)) {
                diag_error(d, sq->pos,
                           "query name '%s' is reserved in C (a keyword, or a name of the "
                           "headers generated code includes): choose another name",
                           sq->name);
                continue;
            }
            check_query(&c, f, sq, &qf->q[qf->n]);
            q_query *q = &qf->q[qf->n++];
            if (nt) {
                const char *N = sq->name;
                const char *what = arena_printf(a, "named query '%s'", N);
                names_owner(nt);
                names_add(nt, N, what, sq->pos);
                if (q->kind == Q_MANY)
                    names_add(nt, arena_printf(a, "%s_iterate", N), what, sq->pos);
                if (q->nparams >= 2)
                    names_add(nt, arena_printf(a, "%s_params", N), what, sq->pos);
                if (q_has_batch(q))
                    names_add(nt, arena_printf(a, "%s_batch", N), what, sq->pos);
                if (!q->reuse && !q->reuse_view && q->ncols > 0) {
                    names_add(nt, arena_printf(a, "%s_row", N), what, sq->pos);
                    names_add(nt, arena_printf(a, "%s_row_array", N), what, sq->pos);
                    names_add(nt, arena_printf(a, "%s_row_free", N), what, sq->pos);
                    names_add(nt, arena_printf(a, "%s_row_array_free", N), what, sq->pos);
                }
            }
        }
    }
    if (nt)
        names_report(nt, d, "generated C");
    sqlite3_close(c.db);
    return s;
}
