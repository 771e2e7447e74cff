/*
 * order.c - the dependency order of the tables: the foreign-key graph, its
 * cycles (NOT NULL cycles are errors, others get a deferred foreign key).
 */
#include "model/build.h"

#include <string.h>

/* ---- dependency order ------------------------------------------------------------ */

/* Edges u -> v: table u has an FK to table v (u != v). */
typedef struct graph {
    int n;
    int *head, *next, *to, *col_t, *col_c; /* adjacency lists; edge e: from col (t,c) */
    int nedges;
} graph;

/* Tarjan's SCC without recursion.  comp[v] = component id; returns the
 * number of components.  Edges are filtered by keep(). */
static int scc(builder *b, const graph *g, bool (*keep)(builder *, const graph *, int), int *comp)
{
    int n = g->n;
    int *idx = A(b, (size_t)n * sizeof *idx), *low = A(b, (size_t)n * sizeof *low);
    int *stk = A(b, (size_t)n * sizeof *stk), *cs = A(b, (size_t)n * sizeof *cs);
    int *edge = A(b, (size_t)n * sizeof *edge);
    bool *on = A(b, (size_t)n * sizeof *on);
    if (!idx || !low || !stk || !cs || !edge || !on)
        return 0;
    for (int i = 0; i < n; i++)
        idx[i] = -1;
    int counter = 0, sp = 0, ncomp = 0;
    for (int r = 0; r < n; r++) {
        if (idx[r] >= 0)
            continue;
        int csp = 0;
        cs[csp++] = r;
        idx[r] = low[r] = counter++;
        stk[sp++] = r;
        on[r] = true;
        edge[r] = g->head[r];
        while (csp) {
            int v = cs[csp - 1];
            int e = edge[v];
            if (e >= 0) {
                edge[v] = g->next[e];
                if (!keep(b, g, e))
                    continue;
                int w = g->to[e];
                if (idx[w] < 0) {
                    idx[w] = low[w] = counter++;
                    stk[sp++] = w;
                    on[w] = true;
                    edge[w] = g->head[w];
                    cs[csp++] = w;
                } else if (on[w] && idx[w] < low[v]) {
                    low[v] = idx[w];
                }
                continue;
            }
            if (low[v] == idx[v]) {
                int w;
                do {
                    w = stk[--sp];
                    on[w] = false;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            csp--;
            if (csp) {
                int u = cs[csp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
    return ncomp;
}

static bool keep_notnull(builder *b, const graph *g, int e)
{
    return !b->m->tables[g->col_t[e]]->columns[g->col_c[e]].nullable;
}

/* tables (sorted by name in m->tables on entry) -> m->tables in dependency
 * order; marks cycle-breaking FKs fk_deferred. */
void order_tables(builder *b)
{
    model *m = b->m;
    int n = m->ntables;
    graph g = {0};
    g.n = n;
    int maxe = 0;
    for (int i = 0; i < n; i++)
        maxe += m->tables[i]->ncolumns;
    g.head = A(b, (size_t)n * sizeof(int));
    g.next = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.to = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.col_t = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.col_c = A(b, (size_t)(maxe + 1) * sizeof(int));
    int *comp = A(b, (size_t)n * sizeof(int));
    int *compsz = A(b, (size_t)n * sizeof(int));
    if (!g.head || !g.next || !g.to || !g.col_t || !g.col_c || !comp || !compsz)
        return;
    for (int i = 0; i < n; i++) {
        m->tables[i]->order = i; /* rank by name, for now */
        g.head[i] = -1;
    }
    /* edges added in reverse so adjacency lists come out in column order */
    for (int i = n - 1; i >= 0; i--) {
        m_table *t = m->tables[i];
        for (int j = t->ncolumns - 1; j >= 0; j--) {
            m_column *c = &t->columns[j];
            if (!c->ref_table || c->ref_table == t)
                continue;
            int e = g.nedges++;
            g.to[e] = c->ref_table->order;
            g.col_t[e] = i;
            g.col_c[e] = j;
            g.next[e] = g.head[i];
            g.head[i] = e;
        }
    }
    /* a cycle of NOT NULL foreign keys can never be satisfied */
    int nc = scc(b, &g, keep_notnull, comp);
    for (int k = 0; k < n; k++)
        compsz[k] = 0;
    for (int i = 0; i < n; i++)
        compsz[comp[i]]++;
    bool bad = false;
    for (int k = 0; k < nc; k++) {
        if (compsz[k] < 2)
            continue;
        strbuf sb;
        sb_init(&sb);
        m_table *first = NULL;
        for (int i = 0; i < n; i++) {
            if (comp[i] != k)
                continue;
            if (!first)
                first = m->tables[i];
            sb_printf(&sb, "%s'%s'", sb.len ? ", " : "", m->tables[i]->name);
        }
        diag_error(b->d, first->pos,
                   "foreign keys form a cycle of NOT NULL columns between tables %s (make one "
                   "of them nullable)",
                   sb_str(&sb));
        sb_free(&sb);
        bad = true;
    }
    if (bad)
        return;
    /* Kahn's algorithm, the smallest name first.  When every remaining
     * table waits for another (a cycle through a nullable FK), the first
     * table by name whose remaining dependencies are all nullable is placed
     * anyway and those FKs are deferred: few deferred FKs, deterministic. */
    int *cnt = A(b, (size_t)n * sizeof(int)), *nn = A(b, (size_t)n * sizeof(int));
    int *heap = A(b, (size_t)n * sizeof(int));
    bool *placed = A(b, (size_t)n * sizeof(bool));
    m_table **out = A(b, (size_t)n * sizeof *out);
    /* reverse adjacency: v <- u (u depends on v) */
    int *rhead = A(b, (size_t)n * sizeof(int)), *rnext = A(b, (size_t)(maxe + 1) * sizeof(int));
    if (!cnt || !nn || !heap || !placed || !out || !rhead || !rnext)
        return;
    for (int i = 0; i < n; i++)
        rhead[i] = -1;
    for (int e = 0; e < g.nedges; e++) {
        cnt[g.col_t[e]]++;
        if (!m->tables[g.col_t[e]]->columns[g.col_c[e]].nullable)
            nn[g.col_t[e]]++;
        rnext[e] = rhead[g.to[e]];
        rhead[g.to[e]] = e;
    }
    int hn = 0, no = 0;
#define HPUSH(x)                                                                                   \
    do {                                                                                           \
        int hi_ = hn++;                                                                            \
        heap[hi_] = (x);                                                                           \
        while (hi_ && heap[(hi_ - 1) / 2] > heap[hi_]) {                                           \
            int tmp_ = heap[hi_];                                                                  \
            heap[hi_] = heap[(hi_ - 1) / 2];                                                       \
            heap[(hi_ - 1) / 2] = tmp_;                                                            \
            hi_ = (hi_ - 1) / 2;                                                                   \
        }                                                                                          \
    } while (0)
    for (int i = 0; i < n; i++)
        if (!cnt[i])
            HPUSH(i);
    while (no < n) {
        if (!hn) {
            int u = -1;
            for (int i = 0; i < n && u < 0; i++)
                if (!placed[i] && !nn[i])
                    u = i;
            if (u < 0) { /* cannot happen: NOT NULL cycles were reported above */
                srcpos p = {m->schema_dir, 0, 0};
                diag_error(b->d, p, "internal error: foreign-key cycle left after deferring");
                return;
            }
            m_table *t = m->tables[u];
            for (int e = g.head[u]; e >= 0; e = g.next[e]) {
                if (placed[g.to[e]] || t->columns[g.col_c[e]].fk_deferred)
                    continue;
                t->columns[g.col_c[e]].fk_deferred = true;
                cnt[u]--;
            }
            HPUSH(u);
        }
        int v = heap[0];
        heap[0] = heap[--hn];
        for (int i = 0;;) {
            int l = 2 * i + 1, r = l + 1, s = i;
            if (l < hn && heap[l] < heap[s])
                s = l;
            if (r < hn && heap[r] < heap[s])
                s = r;
            if (s == i)
                break;
            int tmp = heap[i];
            heap[i] = heap[s];
            heap[s] = tmp;
            i = s;
        }
        placed[v] = true;
        out[no++] = m->tables[v];
        for (int e = rhead[v]; e >= 0; e = rnext[e]) {
            int u = g.col_t[e];
            m_column *c = &m->tables[u]->columns[g.col_c[e]];
            if (placed[u])
                continue;
            if (!c->nullable)
                nn[u]--;
            if (c->fk_deferred)
                continue;
            if (--cnt[u] == 0)
                HPUSH(u);
        }
    }
#undef HPUSH
    for (int i = 0; i < n; i++) {
        m->tables[i] = out[i];
        out[i]->order = i;
    }
}

