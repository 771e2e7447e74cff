/*
 * view.c - views: a schema file with `view:` instead of `table:` (its keys,
 * its SQL per dialect with where the text starts in the file, its column
 * overrides) and the dependency order of the views.  The SQL itself is
 * checked and typed by check/ on the engines.
 */
#include "model/build.h"

#include <stdlib.h>
#include <string.h>

static const char *const view_keys[] = {"view", "comment", "sql", "columns"};
static const char *const sql_keys[] = {"pg", "sqlite"};
static const char *const vcol_keys[] = {"name", "type", "null"};

/* Where the text of scalar n starts in the file and where its later lines
 * start: a block scalar (| or >) starts on the next line at its
 * indentation; a quoted one just after its quote. */
static void text_start(builder *b, const tsrc *ts, const yt_node *n, const char *file_text,
                       sql_text *t)
{
    t->text = n->value;
    t->len = n->len;
    t->first = P(ts, n);
    t->cont_col = n->pos.col;
    if (!file_text)
        return;
    (void)b;
    /* the start of line n->pos.line */
    const char *p = file_text;
    for (int l = 1; l < n->pos.line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || (size_t)(n->pos.col - 1) > strlen(p))
        return;
    char c = p[n->pos.col - 1];
    if (c == '|' || c == '>') {
        const char *q = strchr(p, '\n');
        while (q) { /* the first line that is not blank gives the indentation */
            q++;
            int ind = 0;
            while (q[ind] == ' ')
                ind++;
            if (q[ind] != '\n' && q[ind] != '\r') {
                if (q[ind] == '\0')
                    break;
                t->first = (srcpos){ts->file, n->pos.line + 1, ind + 1};
                t->cont_col = ind + 1;
                return;
            }
            q = strchr(q, '\n');
        }
    } else if (c == '"' || c == '\'') {
        t->first.col++;
    }
}

static void trim_sql(sql_text *t)
{
    size_t n = t->len;
    for (;;) {
        while (n > 0 && strchr(" \t\r\n", t->text[n - 1]))
            n--;
        if (n > 0 && t->text[n - 1] == ';')
            n--;
        else
            break;
    }
    t->len = n;
}

static void read_columns(builder *b, const tsrc *ts, const yt_node *cols, m_view *v)
{
    if (!want_kind(b, ts, cols, YT_SEQUENCE, "'columns'"))
        return;
    v->cols = A(b, (size_t)(cols->nitems + 1) * sizeof *v->cols);
    if (!v->cols)
        return;
    for (int i = 0; i < cols->nitems; i++) {
        const yt_node *cm = cols->items[i];
        if (!want_kind(b, ts, cm, YT_MAPPING, "a view column"))
            continue;
        check_keys(b, ts, cm, vcol_keys, sizeof vcol_keys / sizeof *vcol_keys, "view column");
        sql_directive dv = {0};
        dv.column = true;
        const yt_node *nn = yt_get(cm, "name"), *tn = yt_get(cm, "type"), *un = yt_get(cm, "null");
        bool ok = true;
        if (!nn)
            ok = ERR(cm, "view column is missing required key 'name'");
        else if (!get_ident(b, ts, nn, "column name", &dv.name))
            ok = false;
        if (!tn)
            ok = ERR(cm, "view column is missing required key 'type'");
        else if (!get_str(b, ts, tn, "'type'", &dv.type))
            ok = false;
        if (un) {
            bool nul = false;
            if (get_bool(b, ts, un, "'null'", &nul))
                dv.null = nul ? 1 : -1;
            else
                ok = false;
        }
        if (!ok)
            continue;
        dv.pos = P(ts, nn);
        dv.type_pos = P(ts, tn);
        for (int j = 0; j < v->ncols; j++)
            if (!strcmp(v->cols[j].name, dv.name)) {
                ERR(nn, "duplicate view column '%s'", dv.name);
                ok = false;
            }
        if (ok)
            v->cols[v->ncols++] = dv;
    }
}

static m_view *build_view(builder *b, const tsrc *ts, const char *stem)
{
    const yt_node *root = ts->root;
    m_view *v = A(b, sizeof *v);
    if (!v)
        return NULL;
    v->file = ts->file;
    v->pos = P(ts, root);
    bool ok = check_keys(b, ts, root, view_keys, sizeof view_keys / sizeof *view_keys, "view");
    const yt_node *n = yt_get(root, "view");
    v->pos = P(ts, n);
    if (get_ident(b, ts, n, "view name", &v->name)) {
        if (strcmp(v->name, stem) != 0) {
            ok = ERR(n, "view '%s' must be defined in a file named '%s.yaml' (the file name and "
                        "the view name differ)",
                     v->name, v->name);
        } else if (!strcmp(v->name, "schema") || !strcmp(v->name, "dal") ||
                   !strncmp(v->name, "dal_", 4)) {
            ok = ERR(n, "view name '%s' is reserved (the generated schema.h and the dal_ runtime "
                        "use it)",
                     v->name);
        }
    } else
        ok = false;
    if ((n = yt_get(root, "comment")) && !get_str(b, ts, n, "'comment'", &v->comment))
        ok = false;
    size_t flen = 0;
    const char *err = NULL;
    char *text = read_file(ts->file, YT_MAX_BYTES, &flen, &err);
    const yt_node *sq = yt_get(root, "sql");
    if (!sq) {
        ok = ERR(root, "missing required key 'sql'");
    } else if (sq->kind == YT_SCALAR) {
        const char *s;
        if (get_str(b, ts, sq, "'sql'", &s)) {
            text_start(b, ts, sq, text, &v->sql[0]);
            v->sql[1] = v->sql[0];
        } else
            ok = false;
    } else if (sq->kind == YT_MAPPING) {
        ok &= check_keys(b, ts, sq, sql_keys, 2, "sql");
        for (int d = 0; d < 2; d++) {
            const yt_node *dn = yt_get(sq, sql_keys[d]);
            const char *s;
            if (!dn)
                ok = ERR(sq, "'sql' is missing required key '%s' (give both 'pg' and 'sqlite', "
                             "or one string for both)",
                         sql_keys[d]);
            else if (get_str(b, ts, dn, d ? "'sql.sqlite'" : "'sql.pg'", &s))
                text_start(b, ts, dn, text, &v->sql[d]);
            else
                ok = false;
        }
    } else {
        ok = ERR(sq, "'sql' must be a string or a mapping with 'pg' and 'sqlite', got %s",
                 kind_name(sq));
    }
    free(text);
    for (int d = 0; d < 2; d++) {
        trim_sql(&v->sql[d]);
        if (ok && v->sql[d].len == 0)
            ok = ERR(sq, "view '%s' has no SQL", v->name);
    }
    if ((n = yt_get(root, "columns")))
        read_columns(b, ts, n, v);
    return ok ? v : NULL;
}

static int cmp_view(const void *x, const void *y)
{
    return strcmp((*(m_view *const *)x)->name, (*(m_view *const *)y)->name);
}

void build_views(builder *b, const tsrc *vs, int nvs, const char *const *stems)
{
    model *m = b->m;
    m_view **all = A(b, (size_t)(nvs + 1) * sizeof *all);
    if (!all)
        return;
    int n = 0;
    for (int i = 0; i < nvs; i++) {
        m_view *v = build_view(b, &vs[i], stems[i]);
        if (b->oom)
            return;
        if (!v)
            continue;
        bool dup = false;
        for (int j = 0; j < n && !dup; j++)
            if (!strcmp(all[j]->name, v->name)) {
                diag_error(b->d, v->pos, "duplicate view '%s' (also defined in %s)", v->name,
                           all[j]->file);
                dup = true;
            }
        for (int t = 0; t < b->nts && !dup; t++)
            if (b->ts[t].t && b->ts[t].name_ok && !strcmp(b->ts[t].t->name, v->name)) {
                diag_error(b->d, v->pos, "view '%s' has the name of a table (defined in %s)",
                           v->name, b->ts[t].file);
                dup = true;
            }
        if (!dup)
            all[n++] = v;
    }
    qsort(all, (size_t)n, sizeof *all, cmp_view);
    /* dependencies: the names of other views among the SQL's words */
    for (int i = 0; i < n; i++) {
        m_view *v = all[i];
        v->deps = A(b, (size_t)(n + 1) * sizeof *v->deps);
        if (!v->deps)
            return;
        for (int d = 0; d < 2; d++) {
            sql_toks tk;
            if (!sql_lex(b->a, v->sql[d].text, v->sql[d].len, &tk)) {
                b->oom = true;
                return;
            }
            for (int k = 0; k < tk.n; k++) {
                if ((tk.v[k].kind != SQLT_WORD && tk.v[k].kind != SQLT_QIDENT) ||
                    !tk.v[k].text)
                    continue;
                for (int j = 0; j < n; j++) {
                    bool have = false;
                    for (int e = 0; e < v->ndeps; e++)
                        have = have || v->deps[e] == all[j];
                    if (j != i && !have && !strcmp(all[j]->name, tk.v[k].text))
                        v->deps[v->ndeps++] = all[j];
                }
            }
        }
    }
    /* dependency order, ties by name */
    m->views = A(b, (size_t)(n + 1) * sizeof *m->views);
    bool *placed = A(b, (size_t)(n + 1) * sizeof *placed);
    if (!m->views || !placed)
        return;
    int np = 0;
    while (np < n) {
        int pick = -1;
        for (int i = 0; i < n && pick < 0; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            for (int e = 0; e < all[i]->ndeps && ready; e++)
                for (int j = 0; j < n; j++)
                    if (all[j] == all[i]->deps[e] && !placed[j])
                        ready = false;
            if (ready)
                pick = i;
        }
        if (pick < 0) {
            for (int i = 0; i < n; i++)
                if (!placed[i]) {
                    diag_error(b->d, all[i]->pos,
                               "view '%s' reads itself through other views (a cycle)",
                               all[i]->name);
                    break;
                }
            return;
        }
        placed[pick] = true;
        m->views[np++] = all[pick];
    }
    m->nviews = n;
}

m_view *model_find_view(const model *m, const char *name)
{
    for (int i = 0; i < m->nviews; i++)
        if (!strcmp(m->views[i]->name, name))
            return m->views[i];
    return NULL;
}
