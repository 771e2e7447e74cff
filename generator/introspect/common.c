/*
 * common.c - what pg.c and sqlite.c share (internal.h), and introspect_db,
 * which opens the database and hands it to the reader of its engine.
 */
#include "introspect/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/model.h"

void *ib_push(ib *b, void *arrp, int n, int *cap, size_t sz)
{
    char *arr;
    memcpy(&arr, arrp, sizeof arr);
    if (n >= *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        char *p = arena_alloc(b->a, (size_t)ncap * sz);
        if (!p) {
            b->oom = true;
            return NULL;
        }
        if (n)
            memcpy(p, arr, (size_t)n * sz);
        arr = p;
        *cap = ncap;
        memcpy(arrp, &arr, sizeof arr);
    }
    memset(arr + (size_t)n * sz, 0, sz);
    return arr + (size_t)n * sz;
}

void *ib_append(ib *b, void *arrp, int *n, int *cap, size_t sz)
{
    void *p = ib_push(b, arrp, *n, cap, sz);
    if (p)
        (*n)++;
    return p;
}

char *ib_str(ib *b, const char *s)
{
    char *p = arena_strdup(b->a, s ? s : "");
    if (!p)
        b->oom = true;
    return p;
}

char *ib_strn(ib *b, const char *s, size_t n)
{
    char *p = arena_strndup(b->a, s, n);
    if (!p)
        b->oom = true;
    return p;
}

void ib_warn(ib *b, const char *table, const char *col, const char *fmt, ...)
{
    char where[300], msg[1200];
    if (col)
        snprintf(where, sizeof where, "%s.%s", table, col);
    else
        snprintf(where, sizeof where, "%s", table);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srcpos at = {where, 0, 0};
    diag_warning(b->d, at, "%s", msg);
}

bool ib_fail(ib *b, dal_status s, const char *what)
{
    srcpos at = {"dalc", 0, 0};
    *b->fail = s == DAL_CONN ? DB_FAIL_CONNECT : s == DAL_NOMEM ? DB_FAIL_NOMEM : DB_FAIL_READ;
    return diag_error(b->d, at, "reading %s: %s (%s)", what, dal_errmsg(b->db),
                      dal_status_name(s));
}

bool ib_query(ib *b, const dal_query *q, const char *arg, dal_stmt **st)
{
    dal_status s = dal_stmt_start(b->db, q, st);
    if (s != DAL_OK)
        return ib_fail(b, s, "the catalog");
    if (arg)
        dal_bind_text(*st, 1, arg);
    return true;
}

bool ib_next(dal_stmt *st, dal_status *s)
{
    bool row = false;
    *s = dal_stmt_step(st, &row);
    return *s == DAL_OK && row;
}

bool ib_done(ib *b, dal_stmt *st, dal_status s, const char *what)
{
    dal_stmt_done(st);
    return s == DAL_OK || ib_fail(b, s, what);
}

char *ib_col(ib *b, dal_stmt *st, int col)
{
    const char *v = NULL;
    size_t len = 0;
    if (dal_col_opt_text(st, col, &v, &len) != DAL_OK || !v)
        return ib_str(b, "");
    return ib_strn(b, v, len);
}

int64_t ib_col_int(dal_stmt *st, int col)
{
    int64_t v = 0;
    bool has = false;
    dal_col_opt_int64(st, col, &v, &has);
    return has ? v : 0;
}

/* "a\1b\1c" -> {"a", "b", "c"} */
const char **ib_split(ib *b, const char *s, int *n)
{
    *n = 0;
    if (!*s)
        return NULL;
    int cnt = 1;
    for (const char *p = s; *p; p++)
        cnt += *p == '\1';
    const char **v = arena_alloc(b->a, (size_t)cnt * sizeof *v);
    if (!v) {
        b->oom = true;
        return NULL;
    }
    for (const char *p = s;;) {
        const char *e = strchr(p, '\1');
        v[(*n)++] = ib_strn(b, p, e ? (size_t)(e - p) : strlen(p));
        if (!e)
            break;
        p = e + 1;
    }
    return v;
}

bool is_ident(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return n <= 63;
}

char *sql_unquote(ib *b, const char *lit, size_t len)
{
    strbuf sb;
    sb_init(&sb);
    size_t i = 0;
    if (len && (lit[0] == 'E' || lit[0] == 'e' || lit[0] == 'X' || lit[0] == 'x'))
        i = 1;
    if (i < len && lit[i] == '\'')
        i++;
    for (; i < len; i++) {
        if (lit[i] == '\'') {
            if (i + 1 < len && lit[i + 1] == '\'') {
                sb_addc(&sb, '\'');
                i++;
                continue;
            }
            break;
        }
        sb_addc(&sb, lit[i]);
    }
    char *r = ib_str(b, sb_str(&sb));
    sb_free(&sb);
    return r;
}

static bool tok_is(const char *src, const sql_tok *t, sql_tok_kind k, const char *s)
{
    if (t->kind != k)
        return false;
    if (t->text)
        return strcmp(t->text, s) == 0;
    return t->len == strlen(s) && memcmp(src + t->off, s, t->len) == 0;
}

/* Index of the token closing the bracket opened at i ("(" or "["), or -1. */
static int closing(const char *src, const sql_toks *tk, int i)
{
    int depth = 0;
    for (int j = i; j < tk->n; j++) {
        const sql_tok *t = &tk->v[j];
        if (tok_is(src, t, SQLT_PUNCT, "(") || tok_is(src, t, SQLT_PUNCT, "["))
            depth++;
        else if (tok_is(src, t, SQLT_PUNCT, ")") || tok_is(src, t, SQLT_PUNCT, "]"))
            if (--depth == 0)
                return j;
    }
    return -1;
}

/* The type words after a `::` cast starting at token i: the index past them. */
static int skip_cast_type(const char *src, const sql_toks *tk, int i)
{
    static const char *const more[] = {"varying", "precision", "with", "without", "time",
                                       "zone"};
    if (i >= tk->n || (tk->v[i].kind != SQLT_WORD && tk->v[i].kind != SQLT_QIDENT))
        return i;
    i++;
    while (i < tk->n && tk->v[i].kind == SQLT_WORD) {
        bool m = false;
        for (size_t k = 0; k < sizeof more / sizeof *more; k++)
            m = m || strcmp(tk->v[i].text, more[k]) == 0;
        if (!m)
            break;
        i++;
    }
    if (i < tk->n && tok_is(src, &tk->v[i], SQLT_PUNCT, "(")) {
        int j = closing(src, tk, i);
        if (j > 0)
            i = j + 1;
    }
    while (i + 1 < tk->n && tok_is(src, &tk->v[i], SQLT_PUNCT, "[") &&
           tok_is(src, &tk->v[i + 1], SQLT_PUNCT, "]"))
        i += 2;
    return i;
}

char *expr_tidy(ib *b, const char *expr)
{
    sql_toks tk;
    size_t len = strlen(expr);
    if (!sql_lex(b->a, expr, len, &tk)) {
        b->oom = true;
        return ib_str(b, expr);
    }
    const char **repl = arena_alloc(b->a, (size_t)(tk.n + 1) * sizeof *repl);
    if (!repl) {
        b->oom = true;
        return ib_str(b, expr);
    }
    static const char DROP[] = "";
    for (int i = 0; i < tk.n; i++) {
        const sql_tok *t = &tk.v[i];
        if (t->kind == SQLT_CAST) {
            int j = skip_cast_type(expr, &tk, i + 1);
            for (int k = i; k < j; k++)
                repl[k] = DROP;
            i = j - 1;
            continue;
        }
        /* = ANY (ARRAY[...]) -> IN (...);  <> ALL (ARRAY[...]) -> NOT IN (...) */
        bool any = tok_is(expr, t, SQLT_OP, "=") && i + 1 < tk.n &&
                   tok_is(expr, &tk.v[i + 1], SQLT_WORD, "any");
        bool all = (tok_is(expr, t, SQLT_OP, "<>") || tok_is(expr, t, SQLT_OP, "!=")) &&
                   i + 1 < tk.n && tok_is(expr, &tk.v[i + 1], SQLT_WORD, "all");
        if ((any || all) && i + 4 < tk.n && tok_is(expr, &tk.v[i + 2], SQLT_PUNCT, "(") &&
            tok_is(expr, &tk.v[i + 3], SQLT_WORD, "array") &&
            tok_is(expr, &tk.v[i + 4], SQLT_PUNCT, "[")) {
            int close_br = closing(expr, &tk, i + 4), close_p = closing(expr, &tk, i + 2);
            if (close_br > 0 && close_p == close_br + 1) {
                repl[i] = any ? "IN (" : "NOT IN (";
                repl[i + 1] = repl[i + 2] = repl[i + 3] = repl[i + 4] = DROP;
                repl[close_br] = ")";
                repl[close_p] = DROP;
                /* the first element follows "(" without a space */
                i += 4;
            }
        }
    }
    /* parentheses around one name: (kind) -> kind, unless a function call */
    for (int i = 0; i + 2 < tk.n; i++) {
        if (repl[i] || !tok_is(expr, &tk.v[i], SQLT_PUNCT, "(") ||
            !(tk.v[i + 1].kind == SQLT_WORD || tk.v[i + 1].kind == SQLT_QIDENT) || repl[i + 1])
            continue;
        int j = i + 2;
        while (j < tk.n && repl[j] == DROP)
            j++;
        if (j >= tk.n || repl[j] || !tok_is(expr, &tk.v[j], SQLT_PUNCT, ")"))
            continue;
        if (i > 0 && (tk.v[i - 1].kind == SQLT_WORD || tk.v[i - 1].kind == SQLT_QIDENT) &&
            !repl[i - 1])
            continue;
        repl[i] = repl[j] = DROP;
    }
    strbuf sb;
    sb_init(&sb);
    size_t prev = 0;
    bool glue = false; /* after a replacement ending in "(": no space before the next token */
    for (int i = 0; i < tk.n; i++) {
        const sql_tok *t = &tk.v[i];
        if (repl[i] == DROP) {
            prev = t->off + t->len;
            continue;
        }
        if (!glue && sb.len)
            sb_addn(&sb, expr + prev, t->off - prev);
        glue = false;
        if (repl[i]) {
            sb_add(&sb, repl[i]);
            glue = repl[i][strlen(repl[i]) - 1] == '(';
        } else {
            sb_addn(&sb, expr + t->off, t->len);
        }
        prev = t->off + t->len;
    }
    char *r = ib_str(b, sb_str(&sb));
    sb_free(&sb);
    /* parentheses around the whole expression */
    for (;;) {
        sql_toks t2;
        size_t n = strlen(r);
        if (n < 2 || !sql_lex(b->a, r, n, &t2) || t2.n < 2 ||
            !tok_is(r, &t2.v[0], SQLT_PUNCT, "(") || closing(r, &t2, 0) != t2.n - 1)
            break;
        const sql_tok *last = &t2.v[t2.n - 1];
        r = ib_strn(b, r + t2.v[1].off, last->off - t2.v[1].off);
        while (r && *r && r[strlen(r) - 1] == ' ')
            r[strlen(r) - 1] = '\0';
        if (!r)
            break;
    }
    return r;
}

bool expr_enum_values(ib *b, const char *expr, const char *col, const char ***vals, int *n)
{
    sql_toks tk;
    if (!sql_lex(b->a, expr, strlen(expr), &tk))
        return false;
    int i = 0;
    while (i < tk.n && tok_is(expr, &tk.v[i], SQLT_PUNCT, "("))
        i++;
    int open = i;
    if (i >= tk.n || !(tk.v[i].kind == SQLT_WORD || tk.v[i].kind == SQLT_QIDENT) ||
        strcmp(tk.v[i].text, col) != 0)
        return false;
    i++;
    for (int k = 0; k < open; k++, i++)
        if (i >= tk.n || !tok_is(expr, &tk.v[i], SQLT_PUNCT, ")"))
            return false;
    if (i + 1 >= tk.n || !tok_is(expr, &tk.v[i], SQLT_WORD, "in") ||
        !tok_is(expr, &tk.v[i + 1], SQLT_PUNCT, "("))
        return false;
    i += 2;
    const char **v = arena_alloc(b->a, (size_t)tk.n * sizeof *v);
    int nv = 0;
    if (!v)
        return false;
    for (;;) {
        if (i >= tk.n || tk.v[i].kind != SQLT_STRING)
            return false;
        v[nv] = sql_unquote(b, expr + tk.v[i].off, tk.v[i].len);
        if (!is_ident(v[nv]))
            return false;
        for (int k = 0; k < nv; k++)
            if (strcmp(v[k], v[nv]) == 0)
                return false;
        nv++;
        i++;
        if (i < tk.n && tok_is(expr, &tk.v[i], SQLT_PUNCT, ",")) {
            i++;
            continue;
        }
        break;
    }
    if (i != tk.n - 1 || !tok_is(expr, &tk.v[i], SQLT_PUNCT, ")"))
        return false;
    *vals = v;
    *n = nv;
    return true;
}

bool view_item_is_column(ib *b, const char *sql, const char *col)
{
    sql_toks tk;
    if (!sql_lex(b->a, sql, strlen(sql), &tk))
        return false;
    int i = 0;
    if (i < tk.n && tok_is(sql, &tk.v[i], SQLT_WORD, "select"))
        i++;
    if (i < tk.n && tok_is(sql, &tk.v[i], SQLT_WORD, "distinct"))
        i++;
    while (i < tk.n) {
        /* one item: [start, end) at depth 0 */
        int start = i, depth = 0;
        for (; i < tk.n; i++) {
            const sql_tok *t = &tk.v[i];
            if (tok_is(sql, t, SQLT_PUNCT, "(") || tok_is(sql, t, SQLT_PUNCT, "["))
                depth++;
            else if (tok_is(sql, t, SQLT_PUNCT, ")") || tok_is(sql, t, SQLT_PUNCT, "]"))
                depth--;
            else if (depth == 0 && (tok_is(sql, t, SQLT_PUNCT, ",") ||
                                    tok_is(sql, t, SQLT_WORD, "from")))
                break;
        }
        int end = i;
        const char *name = NULL;
        int body_end = end;
        if (end - start >= 2 && tok_is(sql, &tk.v[end - 2], SQLT_WORD, "as")) {
            name = tk.v[end - 1].text;
            body_end = end - 2;
        } else if (end > start) {
            name = tk.v[end - 1].text;
        }
        if (name && !strcmp(name, col)) {
            /* a plain column: name, or qualifier . name */
            bool plain = body_end > start;
            for (int k = start; plain && k < body_end; k++) {
                bool word = tk.v[k].kind == SQLT_WORD || tk.v[k].kind == SQLT_QIDENT;
                plain = (k - start) % 2 == 0 ? word : tok_is(sql, &tk.v[k], SQLT_PUNCT, ".");
            }
            return plain && (body_end - start) % 2 == 1;
        }
        if (i >= tk.n || tok_is(sql, &tk.v[i], SQLT_WORD, "from"))
            break;
        i++;
    }
    return false;
}

bool ib_default_literal(ib *b, const char *e, sql_toks *tk, const char **lit, bool *is_string)
{
    *lit = NULL;
    *is_string = false;
    if (!sql_lex(b->a, e, strlen(e), tk)) {
        b->oom = true;
        return false;
    }
    char *num_end;
    strtod(e, &num_end);
    if (!*num_end) {
        *lit = e; /* a number, signed or with an exponent */
    } else if (tk->n == 1 && tk->v[0].kind == SQLT_STRING) {
        *lit = sql_unquote(b, e + tk->v[0].off, tk->v[0].len);
        *is_string = true;
    } else if (tk->n == 1 && (tk->v[0].kind == SQLT_NUMBER || tk->v[0].kind == SQLT_WORD)) {
        *lit = e;
    }
    return true;
}

bool ib_literal_default(ib *b, db_column *c, const char *value, bool is_string)
{
    coltype t;
    if (!type_lookup(c->type, &t))
        return false;
    switch (t) {
    case TY_BOOL:
        if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "t") ||
            !strcmp(value, "TRUE"))
            c->default_ = "true";
        else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "f") ||
                 !strcmp(value, "FALSE"))
            c->default_ = "false";
        else
            return false;
        return true;
    case TY_INT16:
    case TY_INT32:
    case TY_INT64:
    case TY_FLOAT32:
    case TY_FLOAT64: {
        if (!*value)
            return false;
        char *end;
        strtod(value, &end);
        if (*end)
            return false;
        c->default_ = ib_str(b, value);
        return true;
    }
    case TY_DECIMAL:
        c->default_ = ib_str(b, value);
        c->default_text = true;
        return true;
    case TY_BYTES:
        if (!is_string)
            return false;
        c->default_ = ib_str(b, value);
        c->default_text = true;
        return true;
    default:
        if (!is_string)
            return false;
        c->default_ = ib_str(b, value);
        c->default_text = true;
        return true;
    }
}

static bool col_is(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

db_column *ib_column(db_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (col_is(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

bool ib_wanted(const char *name, const char *const *only, int nonly)
{
    if (strcmp(name, "dal_schema_migrations") == 0)
        return false; /* the runtime's own table, made by dalc migrate */
    if (nonly == 0)
        return true;
    for (int i = 0; i < nonly; i++)
        if (strcmp(only[i], name) == 0)
            return true;
    return false;
}

void ib_trigger(ib *b, db_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++) {
        db_column *c = &t->cols[i];
        const char *want = arena_printf(b->a, "%s_%s_auto_update", t->name, c->name);
        if (want && strcmp(model_sql_name(b->a, want), name) == 0 &&
            (!strcmp(c->type, "timestamp") || !strcmp(c->type, "date"))) {
            c->auto_update = true;
            return;
        }
    }
    ib_warn(b, t->name, NULL, "trigger %s cannot be written in the schema: skipped", name);
}

bool ib_read_triggers(ib *b, db_table *t, const dal_query *q)
{
    dal_stmt *st;
    if (!ib_query(b, q, t->name, &st))
        return false;
    dal_status s;
    while (ib_next(st, &s))
        ib_trigger(b, t, ib_col(b, st, 0));
    return ib_done(b, st, s, "triggers");
}

db_table *ib_add_table(ib *b, db_schema *out, int *cap, const char *name)
{
    db_table *t = IB_APPEND(b, out->tables, out->ntables, *cap);
    if (t)
        t->name = name;
    if (t && !is_ident(name))
        ib_warn(b, name, NULL, "the name is not a schema identifier ([a-z_][a-z0-9_]*): "
                               "the schema will not load");
    return t;
}

db_view *ib_add_view(ib *b, db_schema *out, int *cap, const char *name)
{
    db_view *v = IB_APPEND(b, out->views, out->nviews, *cap);
    if (v)
        v->name = name;
    return v;
}

bool ib_add_unique(ib *b, db_table *t, const char **cols, int ncols, int caps[2])
{
    const char ***u = IB_PUSH(b, t->uniques, t->nuniques, caps[0]);
    int *n = IB_PUSH(b, t->nunique_cols, t->nuniques, caps[1]);
    if (!u || !n)
        return false;
    *u = cols;
    *n = ncols;
    t->nuniques++;
    return true;
}

db_index *ib_add_index(ib *b, db_table *t, int *cap, const char *name, const char **cols,
                       int ncols, bool unique)
{
    db_index *ix = IB_APPEND(b, t->indexes, t->nindexes, *cap);
    if (ix)
        *ix = (db_index){.name = name, .cols = cols, .ncols = ncols, .unique = unique};
    return ix;
}

/* The name the schema gives an index on cols when `name` is not written. */
static const char *default_index_name(ib *b, const db_table *t, const char *const *cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "idx_%s", t->name);
    for (int i = 0; i < n; i++)
        sb_printf(&sb, "_%s", cols[i]);
    const char *full = ib_str(b, sb_str(&sb));
    const char *r = full ? model_sql_name(b->a, full) : NULL;
    sb_free(&sb);
    if (!r)
        b->oom = true;
    return r;
}

void ib_finish_table(ib *b, db_table *t)
{
    if (t->npk == 1) {
        db_column *c = ib_column(t, t->pk[0]);
        if (c)
            c->primary_key = true;
        t->npk = 0;
    }
    /* single-column unique constraints become `unique: true` */
    int keep = 0;
    for (int i = 0; i < t->nuniques; i++) {
        db_column *c = t->nunique_cols[i] == 1 ? ib_column(t, t->uniques[i][0]) : NULL;
        if (c && !c->unique) {
            c->unique = true;
            continue;
        }
        t->uniques[keep] = t->uniques[i];
        t->nunique_cols[keep] = t->nunique_cols[i];
        keep++;
    }
    t->nuniques = keep;
    /* the automatic index of a foreign-key column, at the end of the list,
     * is what the schema creates by itself: not written */
    while (t->nindexes > 0) {
        db_index *ix = &t->indexes[t->nindexes - 1];
        db_column *c = ix->ncols == 1 ? ib_column(t, ix->cols[0]) : NULL;
        if (!c || ix->unique || ix->where || !c->references)
            break;
        const char *auto_name = arena_printf(b->a, "idx_%s_%s", t->name, c->name);
        const char *auto_fk = arena_printf(b->a, "idx_%s_%s_fk", t->name, c->name);
        const char *nm = ix->name ? ix->name : default_index_name(b, t, ix->cols, 1);
        if (!auto_name || !auto_fk || !nm ||
            (strcmp(nm, model_sql_name(b->a, auto_name)) != 0 &&
             strcmp(nm, model_sql_name(b->a, auto_fk)) != 0))
            break;
        bool led = c->primary_key || (t->npk > 0 && col_is(t->pk[0], c->name)) || c->unique;
        for (int k = 0; !led && k < t->nuniques; k++)
            led = col_is(t->uniques[k][0], c->name);
        for (int k = 0; !led && k < t->nindexes - 1; k++)
            led = col_is(t->indexes[k].cols[0], c->name) && !t->indexes[k].where;
        if (led)
            break;
        t->nindexes--;
    }
    for (int i = 0; i < t->nindexes; i++) {
        db_index *ix = &t->indexes[i];
        const char *def = default_index_name(b, t, ix->cols, ix->ncols);
        if (ix->name && def && strcmp(ix->name, def) == 0)
            ix->name = NULL;
    }
}

static int cmp_table(const void *x, const void *y)
{
    return strcmp(((const db_table *)x)->name, ((const db_table *)y)->name);
}

static int cmp_view(const void *x, const void *y)
{
    return strcmp(((const db_view *)x)->name, ((const db_view *)y)->name);
}

bool introspect_db(const char *url, const char *const *only, int nonly, arena *a,
                   db_schema *out, diag_list *d, db_fail *fail)
{
    memset(out, 0, sizeof *out);
    out->a = a;
    *fail = DB_FAIL_NONE;
    srcpos at = {"dalc", 0, 0};
    bool sqlite = strncmp(url, "sqlite:", 7) == 0;
    strbuf u;
    sb_init(&u);
    sb_add(&u, url);
    if (sqlite && strcmp(url, "sqlite::memory:") != 0) {
        /* read only, and never create the file */
        const char *path = url + 7;
        size_t plen = strcspn(path, "?");
        char *p = arena_strndup(a, path, plen);
        struct stat st;
        if (p && stat(p, &st) != 0) {
            *fail = DB_FAIL_CONNECT;
            sb_free(&u);
            return diag_error(d, at, "database %s does not exist", p);
        }
        if (!strstr(url, "mode="))
            sb_add(&u, strchr(url, '?') ? "&mode=ro" : "?mode=ro");
    }
    dal_db *db = NULL;
    dal_status s = dal_open(sb_str(&u), &db);
    sb_free(&u);
    if (s != DAL_OK) {
        *fail = DB_FAIL_CONNECT;
        diag_error(d, at, "cannot connect: %s (%s)", db ? dal_errmsg(db) : "out of memory",
                   dal_status_name(s));
        dal_close(db);
        return false;
    }
    bool ok = introspect_conn(db, only, nonly, a, out, d, fail);
    dal_close(db);
    return ok;
}

bool introspect_conn(dal_db *db, const char *const *only, int nonly, arena *a, db_schema *out,
                     diag_list *d, db_fail *fail)
{
    memset(out, 0, sizeof *out);
    out->a = a;
    *fail = DB_FAIL_NONE;
    srcpos at = {"dalc", 0, 0};
    ib b = {.a = a, .d = d, .db = db, .fail = fail};
    bool ok = dal_dialect_of(db) == DAL_SQLITE ? introspect_sqlite(&b, only, nonly, out)
                                               : introspect_pg(&b, only, nonly, out);
    if (b.oom) {
        *fail = DB_FAIL_NOMEM;
        return diag_error(d, at, "out of memory");
    }
    if (!ok)
        return false;
    if (out->ntables > 1)
        qsort(out->tables, (size_t)out->ntables, sizeof *out->tables, cmp_table);
    if (out->nviews > 1)
        qsort(out->views, (size_t)out->nviews, sizeof *out->views, cmp_view);
    for (int i = 0; i < nonly; i++) {
        bool found = false;
        for (int k = 0; !found && k < out->ntables; k++)
            found = strcmp(out->tables[k].name, only[i]) == 0;
        for (int k = 0; !found && k < out->nviews; k++)
            found = strcmp(out->views[k].name, only[i]) == 0;
        if (!found) {
            *fail = DB_FAIL_READ;
            ok = diag_error(d, at, "no table or view named %s in the database", only[i]);
        }
    }
    return ok;
}
