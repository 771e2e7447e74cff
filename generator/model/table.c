/*
 * table.c - one schema file: the table mapping, its columns, primary key,
 * unique constraints, indexes and checks.
 */
#include "model/build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one table (one file) ---------------------------------------------------- */

static const char *const table_keys[] = {"table",  "comment", "columns", "primary_key",
                                         "unique", "indexes", "checks",  "renamed_from"};
static const char *const column_keys[] = {
    "name",      "type",   "nullable", "primary_key", "identity",   "unique",
    "default",   "max_length", "precision", "scale",   "values",     "references",
    "on_delete", "on_update",  "check",     "comment", "renamed_from", "auto_update"};
static const char *const index_keys[] = {"columns", "unique", "name", "where"};
static const char *const fk_action_names[] = {"no_action", "restrict", "cascade", "set_null",
                                              "set_default"};

static bool get_action(builder *b, const tsrc *ts, const yt_node *n, const char *what,
                       fk_action *out)
{
    if (n->kind != YT_SCALAR || is_null(n))
        return ERR(n, "expected one of cascade, set_null, set_default, restrict, no_action for "
                      "'%s'",
                   what);
    for (int i = 0; i < 5; i++) {
        if (!strcmp(n->value, fk_action_names[i])) {
            *out = (fk_action)i;
            return true;
        }
    }
    const char *h = hint(b, n->value, fk_action_names, 5);
    if (*h)
        return ERR(n, "unknown %s action '%s'%s", what, n->value, h);
    return ERR(n, "unknown %s action '%s' (expected cascade, set_null, set_default, restrict or "
                  "no_action)",
               what, n->value);
}

/* on_delete or on_update (key) of a column, which needs 'references': the
 * action into *out, the node into *node. */
static void column_action(builder *b, const tsrc *ts, const yt_node *map, const csrc *cs,
                          const char *key, const yt_node **node, fk_action *out)
{
    const yt_node *n = yt_get(map, key);
    if (!n)
        return;
    *node = n;
    if (!cs->refs_n)
        ERR(get_key_node(map, key), "'%s' needs 'references'", key);
    else
        get_action(b, ts, n, key, out);
}

/* A true/false key of a column: its value into *v and its node into *node
 * (later rules about the key point at it); NULL when it is not written. */
static const yt_node *column_flag(builder *b, tsrc *ts, const yt_node *map, const char *key,
                                  const yt_node **node, bool *v)
{
    const yt_node *n = yt_get(map, key);
    if (n) {
        char what[32]; /* "'nullable'", as get_bool names it */
        snprintf(what, sizeof what, "'%s'", key);
        *node = n;
        get_bool(b, ts, n, what, v);
    }
    return n;
}

/* Reads one column mapping into c.  Type parameters first, so the default
 * is checked against them. */
static void build_column(builder *b, tsrc *ts, m_table *t, m_column *c, csrc *cs,
                         const yt_node *map)
{
    cs->map = map;
    c->pos = P(ts, map);
    c->precision = c->scale = -1;
    check_keys(b, ts, map, column_keys, sizeof column_keys / sizeof *column_keys, "column");

    const yt_node *n;
    if ((n = yt_get(map, "name"))) {
        cs->name_n = n;
        cs->name_ok = get_ident(b, ts, n, "column name", &c->name);
        if (cs->name_ok && !strcmp(c->name, "dal_mem_")) {
            cs->name_ok = false;
            ERR(n, "column name 'dal_mem_' is reserved (a field the runtime adds to every row)");
        }
    } else {
        ERR(map, "column is missing required key 'name'");
    }
    const char *cname = c->name ? c->name : "?";

    if ((n = yt_get(map, "type"))) {
        cs->type_n = n;
        if (n->kind != YT_SCALAR || is_null(n)) {
            ERR(n, "expected a type name for 'type', got %s", is_null(n) ? "nothing" : kind_name(n));
        } else if (type_lookup(n->value, &c->type)) {
            cs->type_ok = true;
        } else {
            ERR(n, "unknown type '%s'%s", n->value, hint(b, n->value, type_names, TY_COUNT));
        }
    } else {
        ERR(map, "column '%s' is missing required key 'type'", cname);
    }

    column_flag(b, ts, map, "nullable", &cs->nullable_n, &c->nullable);
    if (column_flag(b, ts, map, "primary_key", &cs->pk_n, &c->primary_key) &&
        c->primary_key && c->nullable)
        ERR(cs->pk_n, "a primary-key column cannot be nullable (column '%s')", cname);
    column_flag(b, ts, map, "identity", &cs->identity_n, &c->identity);
    column_flag(b, ts, map, "unique", &cs->unique_n, &c->unique);
    if ((n = yt_get(map, "check")))
        get_str(b, ts, n, "'check'", &c->check);
    if ((n = yt_get(map, "comment")))
        get_str(b, ts, n, "'comment'", &c->comment);
    if ((n = yt_get(map, "renamed_from")))
        get_ident(b, ts, n, "renamed_from name", &c->renamed_from);

    /* type parameters */
    cs->maxlen_ok = cs->decimal_ok = true;
    if ((n = yt_get(map, "max_length"))) {
        int v = 0;
        if (cs->type_ok && c->type != TY_TEXT) {
            ERR(get_key_node(map, "max_length"),
                "'max_length' is only allowed on text columns (column '%s' is %s)", cname,
                type_table[c->type].name);
        } else if (!get_int(b, ts, n, "'max_length'", 1, MAX_VARCHAR, &v)) {
            cs->maxlen_ok = false;
        } else {
            c->max_length = v;
        }
    }
    const yt_node *pn = yt_get(map, "precision"), *sn = yt_get(map, "scale");
    if ((pn || sn) && cs->type_ok && c->type != TY_DECIMAL) {
        ERR(get_key_node(map, pn ? "precision" : "scale"),
            "'%s' is only allowed on decimal columns (column '%s' is %s)",
            pn ? "precision" : "scale", cname, type_table[c->type].name);
    } else {
        if (pn && !get_int(b, ts, pn, "'precision'", 1, 1000, &c->precision))
            cs->decimal_ok = false;
        if (sn && !get_int(b, ts, sn, "'scale'", 0, 1000, &c->scale))
            cs->decimal_ok = false;
        if (cs->decimal_ok && sn && !pn) {
            cs->decimal_ok = ERR(get_key_node(map, "scale"), "'scale' needs 'precision'");
        } else if (cs->decimal_ok && pn && sn && c->scale > c->precision) {
            cs->decimal_ok = ERR(sn, "scale %d is larger than precision %d", c->scale,
                                 c->precision);
        }
    }
    cs->values_ok = true;
    if ((n = yt_get(map, "values"))) {
        if (cs->type_ok && c->type != TY_ENUM) {
            ERR(get_key_node(map, "values"),
                "'values' is only allowed on enum columns (column '%s' is %s)", cname,
                type_table[c->type].name);
        } else if (!want_kind(b, ts, n, YT_SEQUENCE, "'values'")) {
            cs->values_ok = false;
        } else if (n->nitems == 0) {
            cs->values_ok = ERR(n, "'values' must not be empty");
        } else {
            c->values = A(b, (size_t)n->nitems * sizeof *c->values);
            if (!c->values)
                return;
            for (int i = 0; i < n->nitems; i++) {
                const char *v = NULL;
                if (!get_ident(b, ts, n->items[i], "enum value", &v)) {
                    cs->values_ok = false;
                    continue;
                }
                for (int j = 0; j < c->nvalues; j++)
                    if (!strcmp(c->values[j], v)) {
                        cs->values_ok = ERR(n->items[i], "duplicate enum value '%s'", v);
                        v = NULL;
                        break;
                    }
                if (v)
                    c->values[c->nvalues++] = v;
            }
        }
    } else if (cs->type_ok && c->type == TY_ENUM) {
        cs->values_ok = ERR(cs->type_n, "enum column '%s' needs 'values'", cname);
    }

    if ((n = yt_get(map, "default"))) {
        cs->def_n = n;
        if (c->identity && cs->identity_n)
            ERR(n, "column '%s' cannot have both 'identity' and 'default'", cname);
        else if (cs->type_ok && cs->values_ok && cs->maxlen_ok && cs->decimal_ok)
            check_default(b, ts, c, cs);
    }

    if ((n = yt_get(map, "auto_update"))) {
        if (n->kind != YT_SCALAR || is_null(n)) {
            ERR(n, "expected 'now' for 'auto_update', got %s",
                is_null(n) ? "nothing" : kind_name(n));
        } else if (strcmp(n->value, "now") != 0) {
            ERR(n, "expected 'now' for 'auto_update' (its only value), got '%s'", n->value);
        } else if (cs->type_ok && c->type != TY_TIMESTAMP && c->type != TY_DATE) {
            ERR(get_key_node(map, "auto_update"),
                "'auto_update' is only allowed on timestamp and date columns (column '%s' is "
                "%s)",
                cname, type_table[c->type].name);
        } else {
            c->auto_update = true;
        }
    }

    if ((n = yt_get(map, "references"))) {
        cs->refs_n = n;
        if (n->kind != YT_SCALAR || is_null(n)) {
            ERR(n, "expected '<table>.<column>' for 'references', got %s",
                is_null(n) ? "nothing" : kind_name(n));
        } else {
            const char *dot = strchr(n->value, '.');
            if (!dot || strchr(dot + 1, '.') || dot == n->value || !dot[1]) {
                ERR(n, "expected '<table>.<column>' for 'references', got '%s'", n->value);
            } else {
                cs->ref_table = arena_strndup(b->a, n->value, (size_t)(dot - n->value));
                cs->ref_col = S(b, dot + 1);
                if (cs->ref_table && (!ident_chars_ok(cs->ref_table) ||
                                      !ident_chars_ok(cs->ref_col))) {
                    ERR(n, "invalid reference '%s' (expected '<table>.<column>')", n->value);
                    cs->ref_table = cs->ref_col = NULL;
                }
            }
        }
    }
    column_action(b, ts, map, cs, "on_delete", &cs->ondel_n, &c->on_delete);
    column_action(b, ts, map, cs, "on_update", &cs->onupd_n, &c->on_update);
    (void)t;
}

/* Derived SQL names longer than 63 bytes (PostgreSQL truncates them) are
 * shortened deterministically: 54 bytes + '_' + 8 hex digits of a hash. */
const char *model_sql_name(arena *a, const char *full)
{
    size_t len = strlen(full);
    if (len <= MAX_IDENT)
        return full;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)full[i]) * 16777619u;
    return arena_printf(a, "%.54s_%08x", full, (unsigned)h);
}

const char *sql_name(builder *b, const char *full)
{
    if (!full) {
        b->oom = true;
        return NULL;
    }
    const char *s = model_sql_name(b->a, full);
    if (!s)
        b->oom = true;
    return s;
}

const char *join_cols(builder *b, const char *pre, m_column **cols, int n, const char *post)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, pre);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '_');
        sb_add(&sb, cols[i]->name);
    }
    sb_add(&sb, post);
    const char *r = sb.oom ? NULL : arena_strdup(b->a, sb_str(&sb));
    sb_free(&sb);
    if (!r)
        b->oom = true;
    return r;
}

/* A list of column names (primary_key, unique entry, index columns).
 * Returns false (after reporting) when any is unknown or repeated. */
static bool column_list(builder *b, const tsrc *ts, const m_table *t, const yt_node *n,
                        const char *what, m_column ***out, int *nout)
{
    if (!want_kind(b, ts, n, YT_SEQUENCE, what))
        return false;
    if (n->nitems == 0)
        return ERR(n, "%s must list at least one column", what);
    m_column **cols = A(b, (size_t)n->nitems * sizeof *cols);
    if (!cols)
        return false;
    const char **names = A(b, (size_t)t->ncolumns * sizeof *names);
    if (!names)
        return false;
    for (int i = 0; i < t->ncolumns; i++)
        names[i] = t->columns[i].name;
    bool ok = true;
    for (int i = 0; i < n->nitems; i++) {
        const yt_node *it = n->items[i];
        if (it->kind != YT_SCALAR || is_null(it)) {
            ok = ERR(it, "expected a column name in %s, got %s", what,
                     is_null(it) ? "nothing" : kind_name(it));
            continue;
        }
        m_column *c = table_find_column(t, it->value);
        if (!c && !ts->columns_ok) {
            ok = false; /* the column itself was reported */
            continue;
        }
        if (!c) {
            ok = ERR(it, "%s names unknown column '%s'%s", what, it->value,
                     hint(b, it->value, names, (size_t)t->ncolumns));
            continue;
        }
        for (int j = 0; j < i; j++)
            if (cols[j] == c)
                ok = ERR(it, "column '%s' appears twice in %s", c->name, what);
        cols[i] = c;
    }
    *out = cols;
    *nout = n->nitems;
    return ok;
}

bool model_same_cols(m_column *const *a, int na, m_column *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

void build_table(builder *b, tsrc *ts, const char *stem)
{
    const yt_node *root = ts->root;
    if (!root || (root->kind == YT_SCALAR && is_null(root))) {
        srcpos p = {ts->file, 1, 1};
        diag_error(b->d, p, "empty schema file (expected a mapping with 'table' and 'columns')");
        return;
    }
    if (root->kind != YT_MAPPING) {
        ERR(root, "expected a mapping with 'table' and 'columns' at the top of the file, got %s",
            kind_name(root));
        return;
    }
    m_table *t = A(b, sizeof *t);
    if (!t)
        return;
    ts->t = t;
    t->file = ts->file;
    t->file_stem = S(b, stem);
    t->pos = P(ts, root);
    check_keys(b, ts, root, table_keys, sizeof table_keys / sizeof *table_keys, "table");

    const yt_node *n;
    if ((n = yt_get(root, "table"))) {
        t->pos = P(ts, n);
        if (get_ident(b, ts, n, "table name", &t->name)) {
            if (strcmp(t->name, stem) != 0) {
                ERR(n, "table '%s' must be defined in a file named '%s.yaml' (the file name and "
                       "the table name differ)",
                    t->name, t->name);
            } else if (!strcmp(t->name, "schema") || !strcmp(t->name, "dal") ||
                       !strncmp(t->name, "dal_", 4)) {
                ERR(n, "table name '%s' is reserved (the generated schema.h and the dal_ "
                       "runtime use it)",
                    t->name);
            } else {
                ts->name_ok = true;
            }
        }
    } else {
        ERR(root, "missing required key 'table'");
    }
    if (!ts->name_ok)
        t->name = NULL;
    if ((n = yt_get(root, "comment")))
        get_str(b, ts, n, "'comment'", &t->comment);
    if ((n = yt_get(root, "renamed_from")))
        get_ident(b, ts, n, "renamed_from name", &t->renamed_from);

    /* columns */
    const yt_node *cols = yt_get(root, "columns");
    ts->columns_ok = false;
    if (!cols) {
        ERR(root, "missing required key 'columns'");
    } else if (want_kind(b, ts, cols, YT_SEQUENCE, "'columns'")) {
        if (cols->nitems == 0) {
            ERR(cols, "'columns' must list at least one column");
        } else if (cols->nitems > MODEL_MAX_COLUMNS) {
            /* PostgreSQL's own limit; it also keeps the per-table checks
             * below (duplicate names, ...) cheap on hostile input. */
            ERR(cols, "table has %d columns; at most %d are allowed (PostgreSQL's limit)",
                cols->nitems, MODEL_MAX_COLUMNS);
        } else {
            ts->columns_ok = true;
            t->columns = A(b, (size_t)cols->nitems * sizeof *t->columns);
            ts->cs = A(b, (size_t)cols->nitems * sizeof *ts->cs);
            if (!t->columns || !ts->cs)
                return;
            for (int i = 0; i < cols->nitems; i++) {
                const yt_node *cm = cols->items[i];
                if (!want_kind(b, ts, cm, YT_MAPPING, "a column")) {
                    ts->columns_ok = false;
                    continue;
                }
                m_column *c = &t->columns[t->ncolumns];
                csrc *cs = &ts->cs[t->ncolumns];
                build_column(b, ts, t, c, cs, cm);
                if (!cs->name_ok) {
                    ts->columns_ok = false;
                    memset(c, 0, sizeof *c);
                    memset(cs, 0, sizeof *cs);
                    continue;
                }
                bool dup = false;
                for (int j = 0; j < t->ncolumns; j++) {
                    if (!strcmp(t->columns[j].name, c->name)) {
                        ERR(cs->name_n, "duplicate column '%s' (first at line %d)", c->name,
                            t->columns[j].pos.line);
                        dup = true;
                        break;
                    }
                }
                if (dup) {
                    memset(c, 0, sizeof *c);
                    memset(cs, 0, sizeof *cs);
                    continue;
                }
                c->index = t->ncolumns++;
            }
        }
    }
    if (!t->columns) {
        /* nothing to resolve names against; still report misshapen keys */
        const yt_node *x;
        if ((x = yt_get(root, "primary_key")))
            want_kind(b, ts, x, YT_SEQUENCE, "'primary_key'");
        if ((x = yt_get(root, "unique")))
            want_kind(b, ts, x, YT_SEQUENCE, "'unique' (a list of column lists)");
        if ((x = yt_get(root, "indexes")))
            want_kind(b, ts, x, YT_SEQUENCE, "'indexes'");
        if ((x = yt_get(root, "checks")))
            want_kind(b, ts, x, YT_SEQUENCE, "'checks'");
        return;
    }

    /* `has_x` beside a nullable value column `x` */
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        if (strncmp(c->name, "has_", 4) != 0)
            continue;
        m_column *x = table_find_column(t, c->name + 4);
        if (x && ts->cs[x->index].type_ok && x->nullable &&
            type_table[x->type].null_rep == NULL_BY_HAS)
            ERR(ts->cs[i].name_n,
                "column '%s' collides with the C field '%s' that marks nullable column '%s' as "
                "set",
                c->name, c->name, x->name);
    }

    /* primary key */
    int ncolpk = 0;
    const m_column *first_pk = NULL;
    for (int i = 0; i < t->ncolumns; i++) {
        if (!t->columns[i].primary_key)
            continue;
        if (++ncolpk == 1)
            first_pk = &t->columns[i];
        else
            ERR(ts->cs[i].pk_n,
                "more than one column has 'primary_key: true' (first: '%s' at line %d); list a "
                "composite key in the table's 'primary_key'",
                first_pk->name, first_pk->pos.line);
    }
    const yt_node *tpk = yt_get(root, "primary_key");
    bool pk_ok = ncolpk <= 1;
    ts->keys_ok = ts->columns_ok;
    if (tpk) {
        if (ncolpk) {
            pk_ok = ERR(get_key_node(root, "primary_key"),
                        "the primary key is given twice: by 'primary_key: true' on column '%s' "
                        "(line %d) and by the table's 'primary_key'",
                        first_pk->name, first_pk->pos.line);
        } else if (column_list(b, ts, t, tpk, "'primary_key'", &t->pk, &t->npk)) {
            for (int i = 0; i < t->npk; i++) {
                t->pk[i]->primary_key = true;
                if (t->pk[i]->nullable)
                    pk_ok = ERR(tpk->items[i], "a primary-key column cannot be nullable (column "
                                               "'%s')",
                                t->pk[i]->name);
            }
        } else {
            pk_ok = false;
            t->npk = 0;
        }
    } else if (ncolpk == 1) {
        t->pk = A(b, sizeof *t->pk);
        if (!t->pk)
            return;
        t->pk[0] = (m_column *)first_pk;
        t->npk = 1;
    } else if (ncolpk == 0 && ts->columns_ok) {
        pk_ok = ERR(root, "table '%s' has no primary key (mark a column 'primary_key: true' or "
                          "list the key in 'primary_key')",
                    ts->name_ok ? t->name : stem);
    }
    if (!pk_ok)
        ts->keys_ok = false;
    /* identity */
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        const csrc *cs = &ts->cs[i];
        if (!c->identity)
            continue;
        if (cs->type_ok && c->type != TY_INT32 && c->type != TY_INT64)
            ERR(cs->identity_n, "'identity' needs an int32 or int64 column (column '%s' is %s)",
                c->name, type_table[c->type].name);
        else if (pk_ok && (t->npk != 1 || t->pk[0] != c))
            ERR(cs->identity_n, "'identity' is only allowed on a single-column primary key "
                                "(column '%s')",
                c->name);
    }

    /* unique constraints: column-level first, then table-level */
    const yt_node *un = yt_get(root, "unique");
    int maxu = t->ncolumns + (un && un->kind == YT_SEQUENCE ? un->nitems : 0);
    t->uniques = A(b, (size_t)maxu * sizeof *t->uniques);
    if (!t->uniques)
        return;
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        if (!c->unique)
            continue;
        m_unique *u = &t->uniques[t->nuniques++];
        if (!one_column(b, c, &u->cols, &u->ncols))
            return;
        u->from_column = true;
        u->pos = P(ts, ts->cs[i].unique_n);
    }
    if (un && want_kind(b, ts, un, YT_SEQUENCE, "'unique' (a list of column lists)")) {
        for (int i = 0; i < un->nitems; i++) {
            const yt_node *it = un->items[i];
            if (it->kind != YT_SEQUENCE) {
                ERR(it, "expected a list of column names in 'unique', got %s (each entry of "
                        "'unique' is one constraint, e.g. [a, b])",
                    kind_name(it));
                continue;
            }
            m_unique *u = &t->uniques[t->nuniques];
            memset(u, 0, sizeof *u);
            if (!column_list(b, ts, t, it, "'unique'", &u->cols, &u->ncols)) {
                ts->keys_ok = false;
                continue;
            }
            u->pos = P(ts, it);
            t->nuniques++;
        }
    }
    /* a constraint on the same columns as an earlier one is reported and
     * dropped (its names would collide too) */
    int nu = 0;
    for (int i = 0; i < t->nuniques; i++) {
        m_unique *u = &t->uniques[i];
        bool dup = false;
        for (int j = 0; j < nu && !dup; j++) {
            if (model_same_cols(u->cols, u->ncols, t->uniques[j].cols, t->uniques[j].ncols)) {
                diag_error(b->d, u->pos, "duplicate unique constraint on %s (first at line %d)",
                           join_cols(b, "(", u->cols, u->ncols, ")"), t->uniques[j].pos.line);
                dup = true;
            }
        }
        if (!dup)
            t->uniques[nu++] = *u;
    }
    t->nuniques = nu;
    if (ts->name_ok)
        for (int i = 0; i < t->nuniques; i++)
            t->uniques[i].name = sql_name(
                b, arena_printf(b->a, "%s_%s", t->name,
                                join_cols(b, "", t->uniques[i].cols, t->uniques[i].ncols, "_key")));

    /* indexes (automatic ones are added after references are resolved) */
    const yt_node *ixn = yt_get(root, "indexes");
    int maxi = t->ncolumns + (ixn && ixn->kind == YT_SEQUENCE ? ixn->nitems : 0);
    t->indexes = A(b, (size_t)maxi * sizeof *t->indexes);
    if (!t->indexes)
        return;
    if (ixn && want_kind(b, ts, ixn, YT_SEQUENCE, "'indexes'")) {
        for (int i = 0; i < ixn->nitems; i++) {
            const yt_node *im = ixn->items[i];
            if (!want_kind(b, ts, im, YT_MAPPING, "an index")) 
                continue;
            check_keys(b, ts, im, index_keys, sizeof index_keys / sizeof *index_keys, "index");
            m_index *ix = &t->indexes[t->nindexes];
            memset(ix, 0, sizeof *ix); /* a failed entry may have used the slot */
            ix->pos = P(ts, im);
            bool ok = true;
            const yt_node *cn = yt_get(im, "columns");
            if (!cn)
                ok = ERR(im, "index is missing required key 'columns'");
            else if (!column_list(b, ts, t, cn, "index 'columns'", &ix->cols, &ix->ncols))
                ok = false;
            if ((n = yt_get(im, "unique")) && !get_bool(b, ts, n, "'unique'", &ix->unique))
                ok = false;
            if ((n = yt_get(im, "where")) && !get_str(b, ts, n, "'where'", &ix->where))
                ok = false;
            if ((n = yt_get(im, "name")) && !get_ident(b, ts, n, "index name", &ix->name))
                ok = false;
            if (!ok)
                continue;
            for (int j = 0; j < t->nindexes; j++) {
                if (model_same_cols(ix->cols, ix->ncols, t->indexes[j].cols, t->indexes[j].ncols) &&
                    !ix->where == !t->indexes[j].where && ix->unique == t->indexes[j].unique &&
                    (!ix->where || !strcmp(ix->where, t->indexes[j].where))) {
                    ERR(im, "index on %s duplicates the index at line %d",
                        join_cols(b, "(", ix->cols, ix->ncols, ")"), t->indexes[j].pos.line);
                    ok = false;
                    break;
                }
            }
            if (!ok)
                continue;
            if (!ix->name && ts->name_ok)
                ix->name = sql_name(
                    b, join_cols(b, arena_printf(b->a, "idx_%s_", t->name), ix->cols, ix->ncols, ""));
            t->nindexes++;
        }
    }

    /* checks */
    const yt_node *ck = yt_get(root, "checks");
    if (ck && want_kind(b, ts, ck, YT_SEQUENCE, "'checks'")) {
        t->checks = A(b, (size_t)(ck->nitems ? ck->nitems : 1) * sizeof *t->checks);
        if (!t->checks)
            return;
        for (int i = 0; i < ck->nitems; i++) {
            m_check *c = &t->checks[t->nchecks];
            memset(c, 0, sizeof *c);
            if (!get_str(b, ts, ck->items[i], "a check (an SQL boolean expression)", &c->expr))
                continue;
            c->pos = P(ts, ck->items[i]);
            if (ts->name_ok)
                c->name = sql_name(b, arena_printf(b->a, "%s_check_%d", t->name, t->nchecks + 1));
            t->nchecks++;
        }
    }
}

