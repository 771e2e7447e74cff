/*
 * load.c - the entry points: reading the schema folder, model_build,
 * model_free and the lookups.
 */
#include "model/build.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- entry points ---------------------------------------------------------------- */

static const char *path_stem(builder *b, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *s = arena_strndup(b->a, base, n);
    if (!s)
        b->oom = true;
    return s ? s : "";
}

static model *build(yaml_doc *const *docs, int ndocs, const char *schema_dir, diag_list *d,
                    arena *a, const char *const *failed, int nfailed)
{
    int errors0 = d->errors;
    model *m = arena_alloc(a, sizeof *m);
    if (!m) {
        arena_free(a);
        return NULL;
    }
    m->arena = a;
    builder bb = {0}, *b = &bb;
    b->m = m;
    b->a = a;
    b->d = d;
    b->failed = failed;
    b->nfailed = nfailed;
    m->schema_dir = S(b, schema_dir ? schema_dir : "schema");
    b->ts = A(b, (size_t)(ndocs ? ndocs : 1) * sizeof *b->ts);
    if (!b->ts || !m->schema_dir)
        goto fail;
    tsrc *vs = A(b, (size_t)(ndocs ? ndocs : 1) * sizeof *vs);
    const char **vstems = A(b, (size_t)(ndocs ? ndocs : 1) * sizeof *vstems);
    if (!vs || !vstems)
        goto fail;
    int nvs = 0, ndocs_all = ndocs;
    ndocs = 0;
    for (int i = 0; i < ndocs_all; i++) {
        const yt_node *root = docs[i]->root;
        bool view = root && root->kind == YT_MAPPING && yt_get(root, "view");
        tsrc *ts = view ? &vs[nvs++] : &b->ts[ndocs++];
        ts->file = S(b, docs[i]->path ? docs[i]->path : "?");
        if (!ts->file)
            goto fail;
        ts->root = root;
        if (view) {
            vstems[nvs - 1] = path_stem(b, ts->file);
            continue;
        }
        b->nts = ndocs;
        build_table(b, ts, path_stem(b, ts->file));
        if (b->oom)
            goto fail;
    }
    b->nts = ndocs;
    sort_tables(b);
    resolve_refs(b);
    auto_indexes(b);
    check_names(b);
    if (b->oom)
        goto fail;
    build_views(b, vs, nvs, vstems);
    if (b->oom)
        goto fail;
    if (d->errors == errors0 && ndocs == 0 && nvs == 0 && nfailed == 0) {
        srcpos p = {m->schema_dir, 0, 0};
        diag_error(d, p, "no schema files (*.yaml, *.yml) in this folder");
    }
    if (d->errors != errors0 || nfailed > 0)
        goto out;
    m->ntables = ndocs;
    m->tables = A(b, (size_t)ndocs * sizeof *m->tables);
    m->by_name = A(b, (size_t)ndocs * sizeof *m->by_name);
    if (!m->tables || !m->by_name)
        goto fail;
    for (int i = 0; i < ndocs; i++)
        m->by_name[i] = b->ts[i].t;
    qsort(m->by_name, (size_t)ndocs, sizeof *m->by_name, cmp_table_name);
    memcpy(m->tables, m->by_name, (size_t)ndocs * sizeof *m->tables);
    order_tables(b);
    if (b->oom)
        goto fail;
    if (d->errors == errors0)
        return m;
    goto out;
fail : {
    srcpos p = {schema_dir ? schema_dir : "schema", 0, 0};
    diag_error(d, p, "out of memory");
}
out:
    arena_free(a);
    return NULL;
}

model *model_build(struct yaml_doc *const *docs, int ndocs, const char *schema_dir, diag_list *d)
{
    arena *a = arena_new();
    if (!a) {
        srcpos p = {schema_dir ? schema_dir : "schema", 0, 0};
        diag_error(d, p, "out of memory");
        return NULL;
    }
    return build(docs, ndocs, schema_dir, d, a, NULL, 0);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool schema_file_name(const char *s)
{
    size_t n = strlen(s);
    if (s[0] == '.')
        return false;
    return (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml"));
}

model *model_load_dir(const char *dir, diag_list *d)
{
    srcpos dp = {dir, 0, 0};
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_error(d, dp, "cannot open schema folder: %s", strerror(errno));
        return NULL;
    }
    arena *a = arena_new();
    if (!a) {
        closedir(dh);
        diag_error(d, dp, "out of memory");
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!schema_file_name(de->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **p = arena_alloc(a, nc * sizeof *p);
            if (!p) {
                oom = true;
                break;
            }
            if (n)
                memcpy(p, names, n * sizeof *p);
            names = p;
            cap = nc;
        }
        names[n] = arena_strdup(a, de->d_name);
        if (!names[n]) {
            oom = true;
            break;
        }
        n++;
    }
    closedir(dh);
    if (oom || n > INT_MAX / 2) {
        diag_error(d, dp, "out of memory");
        arena_free(a);
        return NULL;
    }
    if (n == 0) {
        diag_error(d, dp, "no schema files (*.yaml, *.yml) in this folder");
        arena_free(a);
        return NULL;
    }
    qsort(names, n, sizeof *names, cmp_str);
    size_t dl = strlen(dir);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    yaml_doc **docs = arena_alloc(a, n * sizeof *docs);
    const char **failed = arena_alloc(a, n * sizeof *failed);
    if (!docs || !failed) {
        diag_error(d, dp, "out of memory");
        arena_free(a);
        return NULL;
    }
    int nd = 0, nf = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = arena_printf(a, "%s%s%s", dir, slash ? "" : "/", names[i]);
        if (!path) {
            diag_error(d, dp, "out of memory");
            arena_free(a);
            return NULL;
        }
        yaml_doc *doc = yt_parse_file(a, path, d);
        if (doc) {
            docs[nd++] = doc;
        } else {
            const char *dot = strrchr(names[i], '.');
            failed[nf++] = arena_strndup(a, names[i], (size_t)(dot - names[i]));
        }
    }
    return build(docs, nd, dir, d, a, failed, nf);
}

void model_free(model *m)
{
    if (m)
        arena_free(m->arena);
}

static int cmp_name_table(const void *name, const void *elem)
{
    return strcmp(name, (*(m_table *const *)elem)->name);
}

m_table *model_find_table(const model *m, const char *name)
{
    m_table **p = bsearch(name, m->by_name, (size_t)m->ntables, sizeof *m->by_name,
                          cmp_name_table);
    return p ? *p : NULL;
}

m_column *table_find_column(const m_table *t, const char *name)
{
    for (int i = 0; i < t->ncolumns; i++)
        if (t->columns[i].name && !strcmp(t->columns[i].name, name))
            return &t->columns[i];
    return NULL;
}
