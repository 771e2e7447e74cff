/*
 * refs.c - across tables: duplicate tables, foreign keys, automatic
 * foreign-key indexes.
 */
#include "model/build.h"

#include <stdlib.h>
#include <string.h>

/* ---- across tables ---------------------------------------------------------------- */

int cmp_table_name(const void *x, const void *y)
{
    const m_table *a = *(m_table *const *)x, *b = *(m_table *const *)y;
    return strcmp(a->name, b->name);
}

static bool is_failed_stem(const builder *b, const char *name)
{
    for (int i = 0; i < b->nfailed; i++)
        if (!strcmp(b->failed[i], name))
            return true;
    return false;
}

static int cmp_name_src(const void *name, const void *elem)
{
    return strcmp(name, (*(tsrc *const *)elem)->t->name);
}

static tsrc *find_src(builder *b, const char *name)
{
    tsrc **p = bsearch(name, b->sorted, (size_t)b->nsorted, sizeof *b->sorted, cmp_name_src);
    return p ? *p : NULL;
}

static int cmp_src(const void *x, const void *y)
{
    const tsrc *a = *(tsrc *const *)x, *b = *(tsrc *const *)y;
    int c = strcmp(a->t->name, b->t->name);
    return c ? c : (a > b) - (a < b); /* same name: file order */
}

/* Sorts the readable tables by name; a name defined twice (jobs.yaml
 * beside jobs.yml) is reported at the later file and left out. */
void sort_tables(builder *b)
{
    b->sorted = A(b, (size_t)(b->nts ? b->nts : 1) * sizeof *b->sorted);
    if (!b->sorted)
        return;
    int n = 0;
    for (int i = 0; i < b->nts; i++)
        if (b->ts[i].t && b->ts[i].name_ok)
            b->sorted[n++] = &b->ts[i];
    qsort(b->sorted, (size_t)n, sizeof *b->sorted, cmp_src);
    int k = 0;
    for (int i = 0; i < n; i++) {
        tsrc *ts = b->sorted[i];
        if (k && !strcmp(b->sorted[k - 1]->t->name, ts->t->name)) {
            diag_error(b->d, ts->t->pos, "duplicate table '%s' (also defined in %s)", ts->t->name,
                       b->sorted[k - 1]->file);
            ts->name_ok = false;
            continue;
        }
        b->sorted[k++] = ts;
    }
    b->nsorted = k;
}

/* Is c the sole primary-key column or covered by a one-column unique? */
static bool single_unique(const m_table *t, const m_column *c)
{
    if (t->npk == 1 && t->pk[0] == c)
        return true;
    for (int i = 0; i < t->nuniques; i++)
        if (t->uniques[i].ncols == 1 && t->uniques[i].cols[0] == c)
            return true;
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].unique && !t->indexes[i].where && t->indexes[i].ncols == 1 &&
            t->indexes[i].cols[0] == c)
            return true;
    return false;
}

void resolve_refs(builder *b)
{
    const char **tnames = A(b, (size_t)(b->nts ? b->nts : 1) * sizeof *tnames);
    if (!tnames)
        return;
    int ntn = 0;
    for (int i = 0; i < b->nts; i++)
        if (b->ts[i].t && b->ts[i].name_ok)
            tnames[ntn++] = b->ts[i].t->name;
    for (int i = 0; i < b->nts; i++) {
        tsrc *ts = &b->ts[i];
        m_table *t = ts->t;
        if (!t)
            continue;
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            csrc *cs = &ts->cs[j];
            if (!cs->ref_table)
                continue;
            const yt_node *n = cs->refs_n;
            tsrc *rs = find_src(b, cs->ref_table);
            if (!rs) {
                if (!is_failed_stem(b, cs->ref_table))
                    ERR(n, "'%s' references unknown table '%s'%s", n->value, cs->ref_table,
                        hint(b, cs->ref_table, tnames, (size_t)ntn));
                continue;
            }
            m_table *rt = rs->t;
            m_column *rc = table_find_column(rt, cs->ref_col);
            if (!rc) {
                if (rs->columns_ok) {
                    const char **cn = A(b, (size_t)rt->ncolumns * sizeof *cn);
                    if (!cn)
                        return;
                    for (int k = 0; k < rt->ncolumns; k++)
                        cn[k] = rt->columns[k].name;
                    ERR(n, "'%s' references unknown column '%s' of table '%s'%s", n->value,
                        cs->ref_col, rt->name, hint(b, cs->ref_col, cn, (size_t)rt->ncolumns));
                }
                continue;
            }
            if (!rs->keys_ok)
                continue;
            if (!single_unique(rt, rc)) {
                ERR(n,
                    "'%s' must be the primary key of table '%s' or unique (a foreign key needs "
                    "a single-column primary key or unique constraint)",
                    n->value, rt->name);
                continue;
            }
            const csrc *rcs = &rs->cs[rc->index];
            if (cs->type_ok && rcs->type_ok) {
                if (c->type != rc->type) {
                    ERR(n, "type mismatch: column '%s' is %s but '%s' is %s", c->name,
                        type_table[c->type].name, n->value, type_table[rc->type].name);
                    continue;
                }
                if (c->type == TY_ENUM && cs->values_ok && rcs->values_ok) {
                    bool same = c->nvalues == rc->nvalues;
                    for (int k = 0; same && k < c->nvalues; k++)
                        same = !strcmp(c->values[k], rc->values[k]);
                    if (!same) {
                        ERR(n, "enum column '%s' must have the same values as '%s' (in the same "
                               "order)",
                            c->name, n->value);
                        continue;
                    }
                }
            }
            c->ref_table = rt;
            c->ref_column = rc;
        }
        /* FK actions need the column's own facts */
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            csrc *cs = &ts->cs[j];
            if (!cs->refs_n)
                continue;
            const yt_node *an[2] = {cs->ondel_n, cs->onupd_n};
            fk_action ac[2] = {c->on_delete, c->on_update};
            for (int k = 0; k < 2; k++) {
                if (!an[k])
                    continue;
                if (ac[k] == FK_SET_NULL && !c->nullable)
                    ERR(an[k], "%s: set_null needs a nullable column ('%s' is not nullable)",
                        k ? "on_update" : "on_delete", c->name);
                if (ac[k] == FK_SET_DEFAULT && !cs->def_n)
                    ERR(an[k], "%s: set_default needs a 'default' on column '%s'",
                        k ? "on_update" : "on_delete", c->name);
            }
        }
    }
}

/* Every FK column that does not lead the primary key, a unique constraint
 * or an index gets an index idx_<table>_<col>. */
void auto_indexes(builder *b)
{
    for (int i = 0; i < b->nts; i++) {
        m_table *t = b->ts[i].t;
        if (!t || !b->ts[i].name_ok || !t->indexes)
            continue;
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            if (!c->ref_table)
                continue;
            bool led = t->npk > 0 && t->pk[0] == c;
            for (int k = 0; !led && k < t->nuniques; k++)
                led = t->uniques[k].cols[0] == c;
            for (int k = 0; !led && k < t->nindexes; k++)
                led = t->indexes[k].cols[0] == c && !t->indexes[k].where;
            if (led)
                continue;
            m_index *ix = &t->indexes[t->nindexes++];
            if (!one_column(b, c, &ix->cols, &ix->ncols))
                return;
            ix->automatic = true;
            ix->pos = c->pos;
            /* a declared (partial) index may already have the default name */
            const char *name = arena_printf(b->a, "idx_%s_%s", t->name, c->name);
            for (int k = 0; name && k < t->nindexes - 1; k++)
                if (t->indexes[k].name && !strcmp(t->indexes[k].name, name)) {
                    name = arena_printf(b->a, "idx_%s_%s_fk", t->name, c->name);
                    break;
                }
            ix->name = name ? sql_name(b, name) : NULL;
            if (!name)
                b->oom = true;
        }
    }
}

