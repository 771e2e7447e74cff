/*
 * diff.c - the SQL that takes a database from one model to another
 * (see migrate.h and docs/migrations.md).
 *
 * Tables and columns are paired by name, or through `renamed_from` on the
 * newer side.  Constraints are compared by a signature written in the names
 * of the target side, so a rename alone never rebuilds anything.
 *
 * PostgreSQL order: drop changed auto_update triggers; renames; drop changed
 * constraints and indexes; drop tables; create tables; drop/add/alter
 * columns; add constraints, FKs, indexes and triggers; comments.  SQLite:
 * drop changed triggers; renames (RENAME TO / RENAME COLUMN), then per
 * table either ADD COLUMN + index and trigger changes, or the 12-step rebuild
 * (CREATE "t__dalc_new", INSERT ... SELECT, DROP, RENAME, indexes, triggers), run by
 * dal_migrate with foreign_keys off and a foreign_key_check before commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ddl.h"
#include "sql/migrate.h"
#include "model/types.h"

typedef struct tpair {
    const m_table *a, *b; /* from, to */
} tpair;
typedef struct cpair {
    const m_column *a, *b;
} cpair;

typedef struct dctx {
    sql_dialect d;
    const model *from, *to; /* from may be empty (NULL tables) */
    tpair *tp;
    int ntp;
    cpair *cp;
    int ncp;
    strbuf *out;
    strbuf *reasons;
    bool rebuild;
} dctx;

void mig_diff_init(mig_diff *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            sb_init(&m->sql[i][j]);
            sb_init(&m->reasons[i][j]);
        }
}

void mig_diff_free(mig_diff *m)
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            sb_free(&m->sql[i][j]);
            sb_free(&m->reasons[i][j]);
        }
}

bool mig_diff_empty(const mig_diff *m)
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (m->sql[i][j].len)
                return false;
    return true;
}

/* ---- pairing ---- */

/* The table paired with t: the new one of an old t, or with back the old one
 * of a new t; NULL when t has none (created or dropped). */
static const m_table *map_t(const dctx *x, const m_table *t, bool back)
{
    for (int i = 0; i < x->ntp; i++)
        if ((back ? x->tp[i].b : x->tp[i].a) == t)
            return back ? x->tp[i].a : x->tp[i].b;
    return NULL;
}

/* The same for columns. */
static const m_column *map_c(const dctx *x, const m_column *c, bool back)
{
    for (int i = 0; i < x->ncp; i++)
        if ((back ? x->cp[i].b : x->cp[i].a) == c)
            return back ? x->cp[i].a : x->cp[i].b;
    return NULL;
}

static const m_table *find_t(const model *m, const char *name)
{
    if (!m || !name)
        return NULL;
    for (int i = 0; i < m->ntables; i++)
        if (strcmp(m->tables[i]->name, name) == 0)
            return m->tables[i];
    return NULL;
}

static const m_column *find_c(const m_table *t, const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i].name, name) == 0)
            return &t->columns[i];
    return NULL;
}

/* Pairs old -> new (renamed_from read on new). */
static bool build_pairs(const model *old, const model *new_, tpair **tp, int *ntp, cpair **cp,
                        int *ncp)
{
    int maxc = 0;
    for (int i = 0; i < new_->ntables; i++)
        maxc += new_->tables[i]->ncolumns;
    *tp = calloc((size_t)new_->ntables + 1, sizeof **tp);
    *cp = calloc((size_t)maxc + 1, sizeof **cp);
    *ntp = *ncp = 0;
    if (!*tp || !*cp)
        return false;
    for (int i = 0; i < new_->ntables; i++) {
        const m_table *b = new_->tables[i];
        const m_table *a = find_t(old, b->name);
        if (!a && b->renamed_from && !find_t(new_, b->renamed_from))
            a = find_t(old, b->renamed_from);
        if (!a)
            continue;
        (*tp)[(*ntp)++] = (tpair){a, b};
        for (int j = 0; j < b->ncolumns; j++) {
            const m_column *bc = &b->columns[j];
            const m_column *ac = find_c(a, bc->name);
            if (!ac && bc->renamed_from && !find_c(b, bc->renamed_from))
                ac = find_c(a, bc->renamed_from);
            if (ac)
                (*cp)[(*ncp)++] = (cpair){ac, bc};
        }
    }
    return true;
}

/* ---- output helpers ---- */

static void destructive(dctx *x, const char *fmt, ...) DALC_PRINTF(2, 3);
static void destructive(dctx *x, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sb_printf(x->out, "-- destructive: %s\n", buf);
    if (x->reasons->len)
        sb_add(x->reasons, "; ");
    sb_add(x->reasons, buf);
}

static void alter(dctx *x, const m_table *t)
{
    DDL_SQL(x->out, "ALTER TABLE %I ", t->name);
}

static void alter_col(dctx *x, const m_table *t, const m_column *c)
{
    alter(x, t);
    DDL_SQL(x->out, "ALTER COLUMN %I ", c->name);
}

/* Name of a from-side column in to-side terms ("!name" when it vanishes). */
static void to_name(const dctx *x, const m_column *a, strbuf *sb)
{
    const m_column *b = map_c(x, a, false);
    if (b)
        sb_add(sb, b->name);
    else {
        sb_addc(sb, '!');
        sb_add(sb, a->name);
    }
}

static void sig_cols(const dctx *x, bool from, m_column *const *cols, int n, strbuf *sb)
{
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(sb, ',');
        if (from)
            to_name(x, cols[i], sb);
        else
            sb_add(sb, cols[i]->name);
    }
}

/* A signature: an object's text once the renames of the diff are undone
 * (from: the object is on the from side); an object of the from side and
 * one of the to side are the same when their signatures are.  Each of
 * these takes the object its name says. */
typedef void sig_fn(const dctx *x, bool from, const void *item, strbuf *sb);

static void sig_fk(const dctx *x, bool from, const void *item, strbuf *sb)
{
    const m_column *c = item;
    if (!c->ref_table)
        return;
    if (from) {
        const m_table *rt = map_t(x, c->ref_table, false);
        if (!rt) {
            sb_printf(sb, "!%s", c->ref_table->name);
            return;
        }
        sb_add(sb, rt->name);
        sb_addc(sb, '.');
        to_name(x, c->ref_column, sb);
    } else {
        sb_printf(sb, "%s.%s", c->ref_table->name, c->ref_column->name);
    }
    sb_printf(sb, "|%d|%d", (int)c->on_delete, (int)c->on_update);
}

static void sig_index(const dctx *x, bool from, const void *item, strbuf *sb)
{
    const m_index *ix = item;
    sb_printf(sb, "%d|", ix->unique);
    sig_cols(x, from, ix->cols, ix->ncols, sb);
    sb_printf(sb, "|%s", ix->where ? ix->where : "");
}

static void sig_unique(const dctx *x, bool from, const void *item, strbuf *sb)
{
    const m_unique *u = item;
    sig_cols(x, from, u->cols, u->ncols, sb);
}

static void sig_pk(const dctx *x, bool from, const void *item, strbuf *sb)
{
    const m_table *t = item;
    sig_cols(x, from, t->pk, t->npk, sb);
}

/* True when from-side a and to-side b have the same signature. */
static bool sig_same(const dctx *x, sig_fn *sig, const void *a, const void *b)
{
    strbuf sa, sbb;
    sb_init(&sa);
    sb_init(&sbb);
    sig(x, true, a, &sa);
    sig(x, false, b, &sbb);
    bool same = strcmp(sb_str(&sa), sb_str(&sbb)) == 0;
    sb_free(&sa);
    sb_free(&sbb);
    return same;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool fk_same(const dctx *x, const m_column *a, const m_column *b)
{
    return sig_same(x, sig_fk, a, b);
}

static bool pk_same(const dctx *x, const m_table *a, const m_table *b)
{
    return sig_same(x, sig_pk, a, b);
}

/* Index of the to-side unique matching from-side unique u, or -1. */
static int match_unique(const dctx *x, const m_unique *u, const m_table *b)
{
    for (int i = 0; i < b->nuniques; i++)
        if (sig_same(x, sig_unique, u, &b->uniques[i]))
            return i;
    return -1;
}

static int match_index(const dctx *x, const m_index *ix, const m_table *b)
{
    for (int i = 0; i < b->nindexes; i++)
        if (sig_same(x, sig_index, ix, &b->indexes[i]))
            return i;
    return -1;
}

static bool values_same(const m_column *a, const m_column *b)
{
    if ((a->type == TY_ENUM) != (b->type == TY_ENUM))
        return false;
    if (a->type != TY_ENUM)
        return true;
    if (a->nvalues != b->nvalues)
        return false;
    for (int i = 0; i < a->nvalues; i++)
        if (strcmp(a->values[i], b->values[i]) != 0)
            return false;
    return true;
}

static bool checks_same(const m_table *a, const m_table *b)
{
    if (a->nchecks != b->nchecks)
        return false;
    for (int i = 0; i < a->nchecks; i++)
        if (strcmp(a->checks[i].expr, b->checks[i].expr) != 0)
            return false;
    return true;
}

static bool type_same(const m_column *a, const m_column *b)
{
    if (a->type != b->type)
        return false;
    if (a->type == TY_DECIMAL && (a->precision != b->precision || a->scale != b->scale))
        return false;
    return true;
}

static bool default_same(const m_column *a, const m_column *b)
{
    if (a->def != b->def)
        return false;
    return a->def != DEF_LITERAL || str_eq(a->default_value, b->default_value);
}

/* Enum values of a that b lacks, comma-separated into sb; false when none. */
static bool removed_values(const m_column *a, const m_column *b, strbuf *sb)
{
    bool any = false;
    if (a->type != TY_ENUM || b->type != TY_ENUM)
        return false;
    for (int i = 0; i < a->nvalues; i++) {
        bool found = false;
        for (int j = 0; j < b->nvalues && !found; j++)
            found = strcmp(a->values[i], b->values[j]) == 0;
        if (!found) {
            if (any)
                sb_add(sb, ", ");
            sb_add(sb, a->values[i]);
            any = true;
        }
    }
    return any;
}

static bool col_changed(const dctx *x, const m_column *a, const m_column *b)
{
    return !type_same(a, b) || a->max_length != b->max_length || !default_same(a, b) ||
           a->nullable != b->nullable || a->identity != b->identity || !str_eq(a->check, b->check) ||
           !values_same(a, b) || !fk_same(x, a, b);
}

/* A type change that keeps every value: a wider integer or float, enum or
 * uuid to text, decimal with more digits on both sides. */
static bool type_widens(const m_column *a, const m_column *b)
{
    coltype x = a->type, y = b->type;
    if (x == TY_INT16 && (y == TY_INT32 || y == TY_INT64))
        return true;
    if (x == TY_INT32 && y == TY_INT64)
        return true;
    if (x == TY_FLOAT32 && y == TY_FLOAT64)
        return true;
    if ((x == TY_ENUM || x == TY_UUID) && y == TY_TEXT && b->max_length == 0)
        return true;
    if (x == TY_DECIMAL && y == TY_DECIMAL)
        return b->precision < 0 ||
               (a->precision >= 0 && b->precision - (b->scale > 0 ? b->scale : 0) >=
                                          a->precision - (a->scale > 0 ? a->scale : 0) &&
                (b->scale > 0 ? b->scale : 0) >= (a->scale > 0 ? a->scale : 0));
    return false;
}

/* Marks what is destructive in changing column a into b. */
static void col_destructive(dctx *x, const m_table *tb, const m_column *a, const m_column *b)
{
    if (!type_same(a, b) && !type_widens(a, b))
        destructive(x, "type of %s.%s changes from %s to %s", tb->name, b->name,
                    type_table[a->type].name, type_table[b->type].name);
    else if (b->type == TY_TEXT && b->max_length > 0 &&
             (a->max_length == 0 || b->max_length < a->max_length))
        destructive(x, "max_length of %s.%s narrows to %d", tb->name, b->name, b->max_length);
    if (a->nullable && !b->nullable && b->def == DEF_NONE)
        destructive(x, "%s.%s becomes NOT NULL without a default (fails if it holds NULLs)",
                    tb->name, b->name);
    strbuf rv;
    sb_init(&rv);
    if (removed_values(a, b, &rv))
        destructive(x, "enum values removed from %s.%s: %s", tb->name, b->name, sb_str(&rv));
    sb_free(&rv);
}

/* ---------------------------------------------------------------------- */
/* PostgreSQL                                                              */
/* ---------------------------------------------------------------------- */

static void pg_rename_constraint(dctx *x, const m_table *b, const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return;
    alter(x, b);
    DDL_SQL(x->out, "RENAME CONSTRAINT %I TO %I;\n", from, to);
}

static void pg_drop_constraint(dctx *x, const m_table *b, const char *name)
{
    alter(x, b);
    DDL_SQL(x->out, "DROP CONSTRAINT %I;\n", name);
}

static void pg_add_check(dctx *x, const m_table *b, const char *name, const char *expr)
{
    alter(x, b);
    DDL_SQL(x->out, "ADD CONSTRAINT %I CHECK (%s);\n", name, expr);
}

/* Phase 2 for one pair: drop what changed, rename what merely moved. */
static void pg_drop_changed(dctx *x, const m_table *a, const m_table *b)
{
    char n1[DDL_NAME_MAX], n2[DDL_NAME_MAX];
    for (int i = 0; i < a->ncolumns; i++) {
        const m_column *ac = &a->columns[i];
        const m_column *bc = map_c(x, ac, false);
        /* FK */
        if (ac->ref_table) {
            if (bc && fk_same(x, ac, bc))
                pg_rename_constraint(x, b, ddl_fk_name(n1, a->name, ac->name),
                                     ddl_fk_name(n2, b->name, bc->name));
            else
                pg_drop_constraint(x, b, ddl_fk_name(n1, a->name, ac->name));
        }
        /* column check, enum values */
        if (ac->check) {
            if (bc && str_eq(ac->check, bc->check))
                pg_rename_constraint(x, b, ddl_check_name(n1, a->name, ac->name),
                                     ddl_check_name(n2, b->name, bc->name));
            else if (bc)
                pg_drop_constraint(x, b, ddl_check_name(n1, a->name, ac->name));
        }
        if (ac->type == TY_ENUM) {
            if (bc && values_same(ac, bc))
                pg_rename_constraint(x, b, ddl_values_name(n1, a->name, ac->name),
                                     ddl_values_name(n2, b->name, bc->name));
            else if (bc)
                pg_drop_constraint(x, b, ddl_values_name(n1, a->name, ac->name));
        }
    }
    /* indexes */
    for (int i = 0; i < a->nindexes; i++) {
        int j = match_index(x, &a->indexes[i], b);
        if (j >= 0) {
            if (strcmp(a->indexes[i].name, b->indexes[j].name) != 0)
                DDL_SQL(x->out, "ALTER INDEX %I RENAME TO %I;\n", a->indexes[i].name,
                        b->indexes[j].name);
        } else {
            DDL_SQL(x->out, "DROP INDEX %I;\n", a->indexes[i].name);
        }
    }
    /* uniques */
    for (int i = 0; i < a->nuniques; i++) {
        int j = match_unique(x, &a->uniques[i], b);
        if (j >= 0)
            pg_rename_constraint(x, b, a->uniques[i].name, b->uniques[j].name);
        else
            pg_drop_constraint(x, b, a->uniques[i].name);
    }
    /* primary key */
    if (pk_same(x, a, b))
        pg_rename_constraint(x, b, ddl_pkey_name(n1, a->name), ddl_pkey_name(n2, b->name));
    else
        pg_drop_constraint(x, b, ddl_pkey_name(n1, a->name));
    /* table checks */
    if (checks_same(a, b)) {
        for (int i = 0; i < a->nchecks; i++)
            pg_rename_constraint(x, b, a->checks[i].name, b->checks[i].name);
    } else {
        for (int i = 0; i < a->nchecks; i++)
            pg_drop_constraint(x, b, a->checks[i].name);
    }
}

static void pg_alter_column(dctx *x, const m_table *b, const m_column *a, const m_column *bc)
{
    strbuf *o = x->out;
    strbuf ta, tb2;
    sb_init(&ta);
    sb_init(&tb2);
    ddl_column_type(SQL_PG, a, &ta);
    ddl_column_type(SQL_PG, bc, &tb2);
    bool pg_type_changes = strcmp(sb_str(&ta), sb_str(&tb2)) != 0;
    sb_free(&ta);
    sb_free(&tb2);
    if (pg_type_changes) {
        alter_col(x, b, bc);
        sb_add(o, "TYPE ");
        ddl_column_type(SQL_PG, bc, o);
        if (!type_same(a, bc)) {
            DDL_SQL(o, " USING %I::", bc->name);
            ddl_column_type(SQL_PG, bc, o);
        }
        sb_add(o, ";\n");
    }
    if (!default_same(a, bc) || (!type_same(a, bc) && bc->def != DEF_NONE)) {
        alter_col(x, b, bc);
        if (bc->def == DEF_NONE) {
            sb_add(o, "DROP DEFAULT;\n");
        } else {
            sb_add(o, "SET DEFAULT ");
            ddl_default_expr(SQL_PG, bc, o);
            sb_add(o, ";\n");
        }
    }
    if (a->identity && !bc->identity) {
        alter_col(x, b, bc);
        sb_add(o, "DROP IDENTITY IF EXISTS;\n");
    }
    if (a->nullable != bc->nullable) {
        if (!bc->nullable && bc->def != DEF_NONE) {
            DDL_SQL(o, "UPDATE %I SET %I = ", b->name, bc->name);
            ddl_default_expr(SQL_PG, bc, o);
            DDL_SQL(o, " WHERE %I IS NULL;\n", bc->name);
        }
        alter_col(x, b, bc);
        sb_add(o, bc->nullable ? "DROP NOT NULL;\n" : "SET NOT NULL;\n");
    }
    if (!a->identity && bc->identity) {
        alter_col(x, b, bc);
        sb_add(o, "ADD GENERATED BY DEFAULT AS IDENTITY;\n");
        strbuf q; /* pg_get_serial_sequence takes the table as a quoted name */
        sb_init(&q);
        ddl_ident(&q, b->name);
        DDL_SQL(o, "SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, "
                   "false) FROM %I;\n",
                sb_str(&q), bc->name, bc->name, b->name);
        sb_free(&q);
    }
}

static void pg_add_new(dctx *x, const m_table *a, const m_table *b)
{
    char nm[DDL_NAME_MAX];
    strbuf *o = x->out;
    if (!pk_same(x, a, b)) {
        alter(x, b);
        DDL_SQL(o, "ADD CONSTRAINT %I PRIMARY KEY ", ddl_pkey_name(nm, b->name));
        ddl_col_list(o, b->pk, b->npk);
        sb_add(o, ";\n");
    }
    for (int i = 0; i < b->nuniques; i++) {
        bool found = false;
        for (int j = 0; j < a->nuniques && !found; j++)
            found = match_unique(x, &a->uniques[j], b) == i;
        if (found)
            continue;
        alter(x, b);
        DDL_SQL(o, "ADD CONSTRAINT %I UNIQUE ", b->uniques[i].name);
        ddl_col_list(o, b->uniques[i].cols, b->uniques[i].ncols);
        sb_add(o, ";\n");
    }
    for (int i = 0; i < b->ncolumns; i++) {
        const m_column *bc = &b->columns[i];
        const m_column *ac = map_c(x, bc, true);
        if (!ac)
            continue; /* added: checks inline, FK below */
        if (bc->check && !str_eq(ac->check, bc->check))
            pg_add_check(x, b, ddl_check_name(nm, b->name, bc->name), bc->check);
        if (bc->type == TY_ENUM && !values_same(ac, bc)) {
            strbuf e;
            sb_init(&e);
            ddl_values_expr(&e, bc);
            pg_add_check(x, b, ddl_values_name(nm, b->name, bc->name), sb_str(&e));
            sb_free(&e);
        }
    }
    if (!checks_same(a, b))
        for (int i = 0; i < b->nchecks; i++)
            pg_add_check(x, b, b->checks[i].name, b->checks[i].expr);
    for (int i = 0; i < b->ncolumns; i++) {
        const m_column *bc = &b->columns[i];
        const m_column *ac = map_c(x, bc, true);
        if (bc->ref_table && (!ac || !fk_same(x, ac, bc)))
            ddl_add_fk_pg(b, bc, o);
    }
    for (int i = 0; i < b->nindexes; i++) {
        bool found = false;
        for (int j = 0; j < a->nindexes && !found; j++)
            found = match_index(x, &a->indexes[j], b) == i;
        if (!found)
            ddl_create_index(SQL_PG, b, &b->indexes[i], o);
    }
}

static void pg_comments(dctx *x, const m_table *a, const m_table *b)
{
    strbuf *o = x->out;
    if (!str_eq(a->comment, b->comment))
        ddl_comment_pg(b->name, NULL, b->comment, o);
    for (int i = 0; i < b->ncolumns; i++) {
        const m_column *bc = &b->columns[i];
        const m_column *ac = map_c(x, bc, true);
        if (!str_eq(ac ? ac->comment : NULL, bc->comment))
            ddl_comment_pg(b->name, bc->name, bc->comment, o);
    }
}

/* ---- `auto_update: now` triggers (sql/ddl.h: ddl_create_trigger) -------- */

/* The trigger of ac (a column of a) stays as it is: the table and the column
 * keep their names and the column stays auto_update with the same type.
 * Any other old trigger is dropped first (before renames and column drops:
 * it names the column) and the new one created once its columns exist. */
static bool trigger_kept(const dctx *x, const m_table *a, const m_column *ac)
{
    const m_table *b = map_t(x, a, false);
    const m_column *bc = map_c(x, ac, false);
    return ac->auto_update && b && bc && bc->auto_update && ac->type == bc->type &&
           !strcmp(a->name, b->name) && !strcmp(ac->name, bc->name);
}

static void drop_old_triggers(dctx *x)
{
    int nfrom = x->from ? x->from->ntables : 0;
    for (int i = 0; i < nfrom; i++) {
        const m_table *a = x->from->tables[i];
        for (int j = 0; j < a->ncolumns; j++)
            if (a->columns[j].auto_update && !trigger_kept(x, a, &a->columns[j]))
                ddl_drop_trigger(x->d, a->name, a->columns[j].name, a->name, x->out);
    }
}

/* The triggers of b (all of them when all is set: a new or rebuilt table). */
static void create_new_triggers(dctx *x, const m_table *b, bool all)
{
    const m_table *a = map_t(x, b, true);
    for (int j = 0; j < b->ncolumns; j++) {
        const m_column *bc = &b->columns[j];
        const m_column *ac = a ? map_c(x, bc, true) : NULL;
        if (bc->auto_update && (all || !ac || !trigger_kept(x, a, ac)))
            ddl_create_trigger(x->d, b, bc, x->out);
    }
}

/* DROP TABLE for every table of the old schema the new one lacks, in
 * reverse dependency order (both dialects). */
static void drop_removed_tables(dctx *x)
{
    int nfrom = x->from ? x->from->ntables : 0;
    for (int i = nfrom - 1; i >= 0; i--) {
        const m_table *a = x->from->tables[i];
        if (map_t(x, a, false))
            continue;
        destructive(x, "drop table %s", a->name);
        DDL_SQL(x->out, "DROP TABLE %I;\n", a->name);
    }
}

/* CREATE TABLE and its indexes for every new table, in dependency order. */
static void create_added_tables(dctx *x, sql_dialect d)
{
    for (int i = 0; i < x->to->ntables; i++) {
        const m_table *b = x->to->tables[i];
        if (map_t(x, b, true))
            continue;
        ddl_create_table(d, b, NULL, x->out);
        for (int j = 0; j < b->nindexes; j++)
            ddl_create_index(d, b, &b->indexes[j], x->out);
        if (d == SQL_SQLITE)
            create_new_triggers(x, b, true); /* PostgreSQL: with the other tables' (step 6) */
    }
}

/* ALTER TABLE "a" RENAME TO "b" when the table was renamed. */
static void rename_table(strbuf *o, const m_table *a, const m_table *b)
{
    if (strcmp(a->name, b->name) != 0)
        DDL_SQL(o, "ALTER TABLE %I RENAME TO %I;\n", a->name, b->name);
}

/* ALTER TABLE "t" RENAME COLUMN "from" TO "to". */
static void rename_column(dctx *x, const m_table *t, const char *from, const char *to)
{
    alter(x, t);
    DDL_SQL(x->out, "RENAME COLUMN %I TO %I;\n", from, to);
}

static void diff_pg(dctx *x)
{
    strbuf *o = x->out;
    const model *from = x->from, *to = x->to;
    int nfrom = from ? from->ntables : 0;
    /* 0. triggers that change */
    drop_old_triggers(x);
    /* 1. renames */
    for (int i = 0; i < x->ntp; i++) {
        const m_table *a = x->tp[i].a, *b = x->tp[i].b;
        rename_table(o, a, b);
    }
    for (int i = 0; i < x->ncp; i++) {
        const m_column *a = x->cp[i].a, *b = x->cp[i].b;
        if (strcmp(a->name, b->name) != 0) {
            const m_table *tb = NULL;
            for (int k = 0; k < x->ntp && !tb; k++)
                if (b >= x->tp[k].b->columns && b < x->tp[k].b->columns + x->tp[k].b->ncolumns)
                    tb = x->tp[k].b;
            rename_column(x, tb, a->name, b->name);
        }
    }
    /* 2. drop changed constraints */
    for (int i = 0; i < x->ntp; i++)
        pg_drop_changed(x, x->tp[i].a, x->tp[i].b);
    /* 3. drop tables (their deferred FKs first, then reverse dependency order) */
    for (int i = 0; i < nfrom; i++) {
        const m_table *a = from->tables[i];
        if (map_t(x, a, false))
            continue;
        char nm[DDL_NAME_MAX];
        for (int j = 0; j < a->ncolumns; j++)
            if (a->columns[j].ref_table && a->columns[j].fk_deferred)
                DDL_SQL(o, "ALTER TABLE %I DROP CONSTRAINT %I;\n", a->name,
                        ddl_fk_name(nm, a->name, a->columns[j].name));
    }
    drop_removed_tables(x);
    /* 4. create tables */
    create_added_tables(x, SQL_PG);
    /* 5. columns */
    for (int i = 0; i < x->ntp; i++) {
        const m_table *a = x->tp[i].a, *b = x->tp[i].b;
        for (int j = 0; j < a->ncolumns; j++) {
            const m_column *ac = &a->columns[j];
            if (map_c(x, ac, false))
                continue;
            destructive(x, "drop column %s.%s", b->name, ac->name);
            alter(x, b);
            DDL_SQL(o, "DROP COLUMN %I;\n", ac->name);
        }
        for (int j = 0; j < b->ncolumns; j++) {
            const m_column *bc = &b->columns[j];
            const m_column *ac = map_c(x, bc, true);
            if (!ac) {
                if (!bc->nullable && bc->def == DEF_NONE && !bc->identity)
                    destructive(x, "add NOT NULL column %s.%s without a default (fails on a "
                                   "non-empty table)",
                                b->name, bc->name);
                alter(x, b);
                sb_add(o, "ADD COLUMN ");
                ddl_column_def(SQL_PG, b, bc, false, o);
                sb_add(o, ";\n");
            } else if (col_changed(x, ac, bc)) {
                col_destructive(x, b, ac, bc);
                pg_alter_column(x, b, ac, bc);
            }
        }
    }
    /* 6. constraints, FKs, indexes */
    for (int i = 0; i < x->ntp; i++)
        pg_add_new(x, x->tp[i].a, x->tp[i].b);
    for (int i = 0; i < to->ntables; i++) {
        const m_table *b = to->tables[i];
        if (map_t(x, b, true))
            continue;
        for (int j = 0; j < b->ncolumns; j++)
            if (b->columns[j].ref_table && b->columns[j].fk_deferred)
                ddl_add_fk_pg(b, &b->columns[j], o);
    }
    for (int i = 0; i < to->ntables; i++)
        create_new_triggers(x, to->tables[i], false);
    /* 7. comments */
    for (int i = 0; i < to->ntables; i++) {
        const m_table *b = to->tables[i];
        const m_table *a = map_t(x, b, true);
        if (a)
            pg_comments(x, a, b);
        else
            ddl_comments_pg(b, o);
    }
}

/* ---------------------------------------------------------------------- */
/* SQLite                                                                  */
/* ---------------------------------------------------------------------- */

static bool in_unique(const m_table *t, const m_column *c)
{
    for (int i = 0; i < t->nuniques; i++)
        for (int j = 0; j < t->uniques[i].ncols; j++)
            if (t->uniques[i].cols[j] == c)
                return true;
    return false;
}

/* ALTER TABLE ADD COLUMN can add c (https://sqlite.org/lang_altertable.html). */
static bool sqlite_addable(const m_table *b, const m_column *c)
{
    if (c->primary_key || c->identity || in_unique(b, c))
        return false;
    if (!ddl_default_is_constant(c))
        return false;
    if (!c->nullable && c->def == DEF_NONE)
        return false;
    if (c->ref_table && c->def != DEF_NONE)
        return false;
    return true;
}

static bool uniques_same(const dctx *x, const m_table *a, const m_table *b)
{
    if (a->nuniques != b->nuniques)
        return false;
    for (int i = 0; i < a->nuniques; i++)
        if (match_unique(x, &a->uniques[i], b) < 0)
            return false;
    return true;
}

static bool mentions(const char *expr, const char *name)
{
    return expr && strstr(expr, name) != NULL;
}

/* ALTER TABLE DROP COLUMN can drop c of a (SQLite 3.35+): not a key, not
 * unique, indexed or a foreign key, named in no other CHECK or index
 * predicate (a conservative text search). */
static bool sqlite_droppable(const m_table *a, const m_column *c)
{
    if (c->primary_key || c->ref_table || in_unique(a, c))
        return false;
    for (int i = 0; i < a->nindexes; i++) {
        if (mentions(a->indexes[i].where, c->name))
            return false;
        for (int j = 0; j < a->indexes[i].ncols; j++)
            if (a->indexes[i].cols[j] == c)
                return false;
    }
    for (int i = 0; i < a->nchecks; i++)
        if (mentions(a->checks[i].expr, c->name))
            return false;
    for (int i = 0; i < a->ncolumns; i++)
        if (&a->columns[i] != c && mentions(a->columns[i].check, c->name))
            return false;
    return true;
}

/* Column bc of the new table gets the values of decimal column ac written
 * before the runtime canonicalized them (a snapshot of the old format):
 * the rebuild converts them with dal_decimal (runtime/dal_sqlite.c). */
static bool sqlite_old_decimal(const dctx *x, const m_column *ac, const m_column *bc)
{
    return x->from->sqlite_plain_decimal && ac && ac->type == TY_DECIMAL &&
           bc->type == TY_DECIMAL;
}

static bool sqlite_needs_rebuild(const dctx *x, const m_table *a, const m_table *b)
{
    for (int i = 0; i < a->ncolumns; i++)
        if (!map_c(x, &a->columns[i], false) && !sqlite_droppable(a, &a->columns[i]))
            return true; /* dropped column */
    for (int i = 0; i < b->ncolumns; i++) {
        const m_column *bc = &b->columns[i];
        const m_column *ac = map_c(x, bc, true);
        if (ac ? col_changed(x, ac, bc) || sqlite_old_decimal(x, ac, bc) : !sqlite_addable(b, bc))
            return true;
    }
    return !pk_same(x, a, b) || !uniques_same(x, a, b) || !checks_same(a, b);
}

static void sqlite_rebuild(dctx *x, const m_table *b)
{
    strbuf *o = x->out;
    char tmp[DDL_NAME_MAX];
    snprintf(tmp, sizeof tmp, "%s__dalc_new", b->name);
    x->rebuild = true;
    sb_printf(o, "-- rebuild of %s (https://sqlite.org/lang_altertable.html#otheralter)\n",
              b->name);
    ddl_create_table(SQL_SQLITE, b, tmp, o);
    strbuf cols, sel;
    sb_init(&cols);
    sb_init(&sel);
    for (int i = 0; i < b->ncolumns; i++) {
        const m_column *bc = &b->columns[i];
        const m_column *ac = map_c(x, bc, true);
        if (!ac)
            continue;
        if (cols.len) {
            sb_add(&cols, ", ");
            sb_add(&sel, ", ");
        }
        ddl_ident(&cols, bc->name);
        bool cast = strcmp(type_table[ac->type].sqlite_sql, type_table[bc->type].sqlite_sql) != 0;
        bool fill = ac->nullable && !bc->nullable && bc->def != DEF_NONE;
        if (fill)
            sb_add(&sel, "coalesce(");
        bool canon = sqlite_old_decimal(x, ac, bc);
        if (cast)
            sb_add(&sel, "CAST(");
        if (canon)
            sb_add(&sel, "dal_decimal(");
        ddl_ident(&sel, bc->name);
        if (canon && bc->precision >= 0)
            sb_printf(&sel, ", %d, %d", bc->precision, bc->scale < 0 ? 0 : bc->scale);
        if (canon)
            sb_add(&sel, ")");
        if (cast)
            sb_printf(&sel, " AS %s)", type_table[bc->type].sqlite_sql);
        if (fill) {
            sb_add(&sel, ", ");
            ddl_default_expr(SQL_SQLITE, bc, &sel);
            sb_add(&sel, ")");
        }
    }
    if (cols.len)
        DDL_SQL(o, "INSERT INTO %I (%s) SELECT %s FROM %I;\n", tmp, sb_str(&cols), sb_str(&sel),
                b->name);
    sb_free(&cols);
    sb_free(&sel);
    DDL_SQL(o, "DROP TABLE %I;\nALTER TABLE %I RENAME TO %I;\n", b->name, tmp, b->name);
    for (int i = 0; i < b->nindexes; i++)
        ddl_create_index(SQL_SQLITE, b, &b->indexes[i], o);
}

static void diff_sqlite(dctx *x)
{
    strbuf *o = x->out;
    /* 0. triggers that change (a rebuilt table's go with its DROP TABLE) */
    drop_old_triggers(x);
    /* 1. renames */
    for (int i = 0; i < x->ntp; i++) {
        const m_table *a = x->tp[i].a, *b = x->tp[i].b;
        rename_table(o, a, b);
        for (int j = 0; j < b->ncolumns; j++) {
            const m_column *bc = &b->columns[j];
            const m_column *ac = map_c(x, bc, true);
            if (ac && strcmp(ac->name, bc->name) != 0)
                rename_column(x, b, ac->name, bc->name);
        }
    }
    /* 2. drop tables */
    drop_removed_tables(x);
    /* 3. create tables */
    create_added_tables(x, SQL_SQLITE);
    /* 4. changed tables */
    for (int i = 0; i < x->ntp; i++) {
        const m_table *a = x->tp[i].a, *b = x->tp[i].b;
        /* destructive marks (same rules as PostgreSQL) */
        for (int j = 0; j < a->ncolumns; j++)
            if (!map_c(x, &a->columns[j], false))
                destructive(x, "drop column %s.%s", b->name, a->columns[j].name);
        for (int j = 0; j < b->ncolumns; j++) {
            const m_column *bc = &b->columns[j];
            const m_column *ac = map_c(x, bc, true);
            if (!ac && !bc->nullable && bc->def == DEF_NONE && !bc->identity)
                destructive(x, "add NOT NULL column %s.%s without a default (fails on a "
                               "non-empty table)",
                            b->name, bc->name);
            else if (ac && col_changed(x, ac, bc))
                col_destructive(x, b, ac, bc);
        }
        if (sqlite_needs_rebuild(x, a, b)) {
            sqlite_rebuild(x, b);
            create_new_triggers(x, b, true); /* DROP TABLE dropped them all */
            continue;
        }
        for (int j = 0; j < a->nindexes; j++) {
            int k = match_index(x, &a->indexes[j], b);
            if (k < 0 || strcmp(a->indexes[j].name, b->indexes[k].name) != 0)
                DDL_SQL(o, "DROP INDEX %I;\n", a->indexes[j].name);
        }
        for (int j = 0; j < a->ncolumns; j++) {
            if (map_c(x, &a->columns[j], false))
                continue;
            alter(x, b);
            DDL_SQL(o, "DROP COLUMN %I;\n", a->columns[j].name);
        }
        for (int j = 0; j < b->ncolumns; j++) {
            const m_column *bc = &b->columns[j];
            if (map_c(x, bc, true))
                continue;
            alter(x, b);
            sb_add(o, "ADD COLUMN ");
            ddl_column_def(SQL_SQLITE, b, bc, true, o);
            sb_add(o, ";\n");
        }
        for (int k = 0; k < b->nindexes; k++) {
            bool keep = false;
            for (int j = 0; j < a->nindexes && !keep; j++)
                keep = match_index(x, &a->indexes[j], b) == k &&
                       strcmp(a->indexes[j].name, b->indexes[k].name) == 0;
            if (!keep)
                ddl_create_index(SQL_SQLITE, b, &b->indexes[k], o);
        }
        create_new_triggers(x, b, false);
    }
}

/* ---------------------------------------------------------------------- */

/* ---- views --------------------------------------------------------------
 * The simple rule: when any view changed (added, dropped, another SQL or
 * comment), or the tables change at all while views exist, every view of
 * the old schema is dropped first (reverse dependency order) and every view
 * of the new one created at the end.  A view holds no data: dropping it is
 * never destructive, and no table step (a SQLite rebuild, a PostgreSQL
 * column drop or type change) ever meets a view that reads its table. */

static bool text_eq(const sql_text *a, const sql_text *b)
{
    return a->len == b->len && !memcmp(a->text, b->text, a->len);
}

static bool views_same(sql_dialect d, const model *a, const model *b)
{
    if (a->nviews != b->nviews)
        return false;
    for (int i = 0; i < a->nviews; i++) {
        const m_view *va = a->views[i], *vb = b->views[i];
        if (strcmp(va->name, vb->name) || !text_eq(&va->sql[d], &vb->sql[d]))
            return false;
        if (d == SQL_PG && !str_eq(va->comment, vb->comment))
            return false;
    }
    return true;
}

static void drop_views(const model *m, strbuf *o)
{
    for (int i = m->nviews - 1; i >= 0; i--)
        DDL_SQL(o, "DROP VIEW IF EXISTS %I;\n", m->views[i]->name);
}

static void create_views(sql_dialect d, const model *m, strbuf *o)
{
    for (int i = 0; i < m->nviews; i++) {
        const m_view *v = m->views[i];
        DDL_SQL(o, "CREATE VIEW %I AS\n", v->name);
        sb_addn(o, v->sql[d].text, v->sql[d].len);
        sb_add(o, ";\n");
        if (d == SQL_PG && v->comment)
            DDL_SQL(o, "COMMENT ON VIEW %I IS %L;\n", v->name, v->comment);
    }
}

static bool diff_one(sql_dialect d, const model *from, const model *to, tpair *tp, int ntp,
                     cpair *cp, int ncp, strbuf *out, strbuf *reasons, bool *rebuild)
{
    strbuf tables;
    sb_init(&tables);
    dctx x = {d, from, to, tp, ntp, cp, ncp, &tables, reasons, false};
    if (d == SQL_PG)
        diff_pg(&x);
    else
        diff_sqlite(&x);
    if (x.rebuild)
        *rebuild = true;
    bool redo = !views_same(d, from, to) ||
                (tables.len > 0 && (from->nviews > 0 || to->nviews > 0));
    if (redo)
        drop_views(from, out);
    sb_add(out, sb_str(&tables));
    if (redo)
        create_views(d, to, out);
    bool ok = !out->oom && !reasons->oom && !tables.oom;
    sb_free(&tables);
    return ok;
}

bool mig_diff_models(const model *old, const model *new_, mig_diff *out)
{
    tpair *tp = NULL;
    cpair *cp = NULL;
    int ntp = 0, ncp = 0;
    static const model empty = {0};
    const model *from = old ? old : &empty;
    bool ok = build_pairs(from, new_, &tp, &ntp, &cp, &ncp);
    if (ok) {
        for (int d = 0; d < 2; d++)
            ok = ok && diff_one((sql_dialect)d, from, new_, tp, ntp, cp, ncp, &out->sql[d][0],
                                &out->reasons[d][0], &out->sqlite_rebuild);
        /* down: the same pairs, reversed */
        for (int i = 0; i < ntp; i++)
            tp[i] = (tpair){tp[i].b, tp[i].a};
        for (int i = 0; i < ncp; i++)
            cp[i] = (cpair){cp[i].b, cp[i].a};
        for (int d = 0; d < 2; d++)
            ok = ok && diff_one((sql_dialect)d, new_, from, tp, ntp, cp, ncp, &out->sql[d][1],
                                &out->reasons[d][1], &out->sqlite_rebuild);
    }
    free(tp);
    free(cp);
    return ok;
}

void mig_file_text(const mig_diff *m, sql_dialect d, int down, const char *id, strbuf *out)
{
    sb_printf(out, "-- dalc migration %s (%s, %s)\n", id, down ? "down" : "up",
              d == SQL_PG ? "PostgreSQL" : "SQLite");
    if (m->reasons[d][down].len)
        sb_printf(out, "-- destructive: %s\n", sb_str(&m->reasons[d][down]));
    if (d == SQL_SQLITE)
        sb_add(out, "-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check "
                    "before COMMIT\n");
    sb_add(out, "\n");
    sb_add(out, sb_str(&m->sql[d][down]));
}
