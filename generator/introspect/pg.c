/*
 * pg.c - a PostgreSQL database's tables and views (those of current_schema())
 * read from pg_catalog into a db_schema.  Expressions come as PostgreSQL
 * prints them (pg_get_expr, pg_get_constraintdef, pg_get_viewdef), made
 * readable by expr_tidy.  See docs/pull.md for every mapping.
 */
#include "introspect/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define SEP "chr(1)"

static const dal_query Q_SETUP = {"SET TimeZone = 'UTC'", 0};

static const dal_query Q_RELS = {
    "SELECT c.relname::text, c.relkind::text, coalesce(obj_description(c.oid, 'pg_class'), ''),"
    " CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid, true) ELSE '' END,"
    " c.relispartition::text"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    " ORDER BY c.relname",
    0};

static const dal_query Q_COLUMNS = {
    "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), t.typtype::text,"
    " a.attnotnull::text, a.attidentity::text, coalesce(pg_get_expr(d.adbin, d.adrelid), ''),"
    " coalesce(col_description(c.oid, a.attnum), ''),"
    " array_to_string(ARRAY(SELECT e.enumlabel::text FROM pg_enum e"
    "   WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder), " SEP "),"
    " a.attgenerated::text,"
    " CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE '' END"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0"
    " AND NOT a.attisdropped ORDER BY a.attnum",
    1};

static const dal_query Q_CONSTRAINTS = {
    "SELECT con.conname::text, con.contype::text, pg_get_constraintdef(con.oid, true),"
    " array_to_string(ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)"
    "   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o), " SEP "),"
    " coalesce(fc.relname::text, ''),"
    " array_to_string(ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)"
    "   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o), " SEP "),"
    " con.confdeltype::text, con.confupdtype::text, con.condeferrable::text"
    " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class fc ON fc.oid = con.confrelid"
    " WHERE n.nspname = current_schema() AND c.relname = $1 ORDER BY con.oid",
    1};

static const dal_query Q_INDEXES = {
    "SELECT i.relname::text, x.indisunique::text, coalesce(pg_get_expr(x.indpred, x.indrelid), ''),"
    " array_to_string(ARRAY(SELECT coalesce(a.attname::text, '') FROM unnest(x.indkey::int2[])"
    "   WITH ORDINALITY k(n, o) LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid"
    "   AND a.attnum = k.n ORDER BY k.o), " SEP "),"
    " (x.indexprs IS NOT NULL)::text, am.amname::text,"
    " EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid"
    "   AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))::text,"
    " EXISTS (SELECT 1 FROM unnest(x.indoption::int2[]) AS o(v) WHERE o.v <> 0)::text"
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam"
    " WHERE n.nspname = current_schema() AND c.relname = $1 ORDER BY i.oid",
    1};

/* A view's columns and their types. */
static const dal_query Q_VIEW_COLUMNS = {
    "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), t.typtype::text"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0"
    " ORDER BY a.attnum",
    1};

static const dal_query Q_TRIGGERS = {
    "SELECT t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relname = $1 AND NOT t.tgisinternal"
    " ORDER BY t.tgname",
    1};

/* format_type's spelling -> schema type (with length, precision, scale). */
static void map_type(ib *b, const char *table, db_column *c, const char *ft, const char *typtype,
                     const char *enums)
{
    static const struct {
        const char *pg, *schema, *note;
    } exact[] = {
        {"boolean", "bool", NULL},
        {"smallint", "int16", NULL},
        {"integer", "int32", NULL},
        {"bigint", "int64", NULL},
        {"real", "float32", NULL},
        {"double precision", "float64", NULL},
        {"text", "text", NULL},
        {"jsonb", "json", NULL},
        {"json", "json", "json pulled as json: dalc declares it jsonb (the text is normalised, "
                         "key order and duplicate keys are not kept)"},
        {"bytea", "bytes", NULL},
        {"uuid", "uuid", NULL},
        {"timestamp with time zone", "timestamp", NULL},
        {"timestamp without time zone", "timestamp",
         "timestamp without time zone pulled as timestamp: dalc declares it timestamptz "
         "(values are read as UTC)"},
        {"date", "date", NULL},
        {"numeric", "decimal", NULL},
        {"character varying", "text",
         "character varying without a length pulled as text"},
    };
    c->precision = c->scale = -1;
    if (strcmp(typtype, "e") == 0) {
        c->type = "enum";
        c->values = ib_split(b, enums, &c->nvalues);
        bool idents = c->nvalues > 0;
        for (int i = 0; i < c->nvalues; i++)
            idents = idents && is_ident(c->values[i]);
        if (!idents) {
            c->type = "text";
            c->values = NULL;
            c->nvalues = 0;
            ib_warn(b, table, c->name,
                    "native enum type %s has values that are not identifiers: pulled as text", ft);
            return;
        }
        ib_warn(b, table, c->name,
                "native enum type %s pulled as enum: dalc declares it text with a CHECK of its "
                "values",
                ft);
        return;
    }
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (strcmp(ft, exact[i].pg) == 0) {
            c->type = exact[i].schema;
            if (exact[i].note)
                ib_warn(b, table, c->name, "%s", exact[i].note);
            return;
        }
    int x = 0, y = 0;
    char tail;
    if (sscanf(ft, "character varying(%d%c", &x, &tail) == 2 && tail == ')') {
        c->type = "text";
        c->max_length = x;
        return;
    }
    if (sscanf(ft, "character(%d%c", &x, &tail) == 2 && tail == ')') {
        c->type = "text";
        c->max_length = x;
        ib_warn(b, table, c->name,
                "character(%d) pulled as text with max_length %d: values are no longer "
                "padded with blanks",
                x, x);
        return;
    }
    if (sscanf(ft, "numeric(%d,%d%c", &x, &y, &tail) == 3 && tail == ')') {
        c->type = "decimal";
        c->precision = x;
        c->scale = y;
        return;
    }
    if (strncmp(ft, "timestamp(", 10) == 0 || strncmp(ft, "timestamp with", 14) == 0 ||
        strncmp(ft, "timestamp without", 17) == 0) {
        c->type = "timestamp";
        ib_warn(b, table, c->name, "%s pulled as timestamp: dalc declares it timestamptz "
                                   "(microseconds, UTC)", ft);
        return;
    }
    c->type = "text";
    ib_warn(b, table, c->name,
            "type %s has no schema type: pulled as text (the column holds its text form "
            "only after a migration)",
            ft);
}

/* A column default as PostgreSQL prints it -> the schema's spelling. */
static void map_default(ib *b, const char *table, db_column *c, const char *expr,
                        const char *typtype)
{
    if (!*expr)
        return;
    const char *e = expr_tidy(b, expr);
    if (!e)
        return;
    bool ts = strcmp(c->type, "timestamp") == 0, date = strcmp(c->type, "date") == 0;
    if (strncmp(e, "nextval(", 8) == 0) {
        c->identity = true; /* checked by the caller: a single int primary key */
        return;
    }
    if ((ts || date) && (!strcmp(e, "now()") || !strcmp(e, "CURRENT_TIMESTAMP") ||
                         !strcmp(e, "transaction_timestamp()") ||
                         (date && !strcmp(e, "CURRENT_DATE")))) {
        c->default_ = "now";
        if (strcmp(e, date ? "CURRENT_DATE" : "now()") != 0)
            ib_warn(b, table, c->name, "default %s pulled as now", e);
        return;
    }
    if (strcmp(c->type, "uuid") == 0 &&
        (!strcmp(e, "gen_random_uuid()") || !strcmp(e, "uuid_generate_v4()"))) {
        c->default_ = "uuid";
        if (strcmp(e, "gen_random_uuid()") != 0)
            ib_warn(b, table, c->name, "default %s pulled as uuid (gen_random_uuid())", e);
        return;
    }
    sql_toks tk;
    const char *lit;
    bool str;
    if (!ib_default_literal(b, e, &tk, &lit, &str))
        return;
    if (!lit && tk.n == 2 && tk.v[0].kind == SQLT_OP && tk.v[1].kind == SQLT_NUMBER &&
        strncmp(e, "-", 1) == 0)
        lit = arena_printf(b->a, "-%.*s", (int)tk.v[1].len, e + tk.v[1].off);
    if (lit && ts && str) {
        /* "2024-01-02 03:04:05.5+00" (TimeZone UTC) */
        char *iso = ib_str(b, lit);
        char *sp = iso ? strchr(iso, ' ') : NULL;
        if (sp)
            *sp = 'T';
        size_t n = iso ? strlen(iso) : 0;
        if (n > 3 && (iso[n - 3] == '+' || iso[n - 3] == '-'))
            iso = arena_printf(b->a, "%s:00", iso);
        lit = iso;
    }
    if (strcmp(c->type, "enum") == 0 && str && strcmp(typtype, "e") == 0) {
        c->default_ = lit;
        c->default_text = true;
        return;
    }
    if (lit && ib_literal_default(b, c, lit, str))
        return;
    ib_warn(b, table, c->name, "default %s cannot be written in the schema: dropped", e);
}

static const char *action_name(char code)
{
    switch (code) {
    case 'r': return "restrict";
    case 'c': return "cascade";
    case 'n': return "set_null";
    case 'd': return "set_default";
    default: return NULL;
    }
}


static bool read_columns(ib *b, db_table *t)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_COLUMNS, t->name, &st))
        return false;
    int cap = 0;
    dal_status s;
    char **typtypes = NULL, **defaults = NULL;
    int tcap = 0, dcap = 0, nt = 0, nd = 0;
    while (ib_next(st, &s)) {
        db_column *c = IB_PUSH(b, t->cols, t->ncols, cap);
        char **tt = IB_PUSH(b, typtypes, nt, tcap);
        char **dd = IB_PUSH(b, defaults, nd, dcap);
        if (!c || !tt || !dd)
            break;
        t->ncols++, nt++, nd++;
        c->name = ib_col(b, st, 0);
        char *ft = ib_col(b, st, 1);
        *tt = ib_col(b, st, 2);
        c->nullable = strcmp(ib_col(b, st, 3), "true") != 0;
        char *ident = ib_col(b, st, 4);
        *dd = ib_col(b, st, 5);
        char *comment = ib_col(b, st, 6);
        char *enums = ib_col(b, st, 7);
        char *generated = ib_col(b, st, 8);
        char *base = ib_col(b, st, 9);
        if (!is_ident(c->name))
            ib_warn(b, t->name, c->name, "the name is not a schema identifier "
                                         "([a-z_][a-z0-9_]*): the schema will not load");
        if (strcmp(*tt, "d") == 0) {
            ib_warn(b, t->name, c->name, "domain %s pulled as its type %s (the domain's "
                                         "constraints are not kept)", ft, base);
            ft = base;
            *tt = "b";
        }
        c->sqltype = ft;
        map_type(b, t->name, c, ft, *tt, enums);
        if (*comment)
            c->comment = comment;
        if (*ident) {
            c->identity = true;
            if (strcmp(ident, "a") == 0)
                ib_warn(b, t->name, c->name, "GENERATED ALWAYS AS IDENTITY pulled as identity "
                                             "(GENERATED BY DEFAULT)");
        }
        if (*generated) {
            ib_warn(b, t->name, c->name, "generated column (%s) pulled as a plain column: "
                                         "the expression is not kept", *dd);
            *dd = "";
        }
    }
    if (!ib_done(b, st, s, "columns"))
        return false;
    for (int i = 0; i < t->ncols; i++) {
        db_column *c = &t->cols[i];
        bool serial = strncmp(defaults[i], "nextval(", 8) == 0;
        map_default(b, t->name, c, defaults[i], typtypes[i]);
        if (serial)
            ib_warn(b, t->name, c->name, "serial (DEFAULT %s) pulled as identity (GENERATED "
                                         "BY DEFAULT AS IDENTITY; the sequence is not kept)",
                    defaults[i]);
    }
    return true;
}

/* A CHECK constraint: the enum values of its column, its column check, or
 * a table check. */
static void add_check(ib *b, db_table *t, const char *conname, const char *def,
                      const char **cols, int ncols, int *check_cap)
{
    const char *e = def;
    if (strncmp(e, "CHECK ", 6) == 0)
        e += 6;
    e = expr_tidy(b, e);
    if (!e)
        return;
    size_t tl = strlen(t->name);
    db_column *c = ncols == 1 ? ib_column(t, cols[0]) : NULL;
    const char **vals;
    int nv;
    if (c && (strcmp(c->type, "text") == 0 || strcmp(c->type, "enum") == 0) &&
        c->max_length == 0 && expr_enum_values(b, e, c->name, &vals, &nv)) {
        if (strcmp(c->type, "enum") == 0) {
            ib_warn(b, t->name, c->name, "CHECK %s on a native enum: dropped", e);
            return;
        }
        c->type = "enum";
        c->values = vals;
        c->nvalues = nv;
        return;
    }
    if (c && !c->check && strncmp(conname, t->name, tl) == 0 && conname[tl] == '_' &&
        strncmp(conname + tl + 1, c->name, strlen(c->name)) == 0 &&
        strcmp(conname + tl + 1 + strlen(c->name), "_check") == 0) {
        c->check = e;
        return;
    }
    const char **slot = IB_APPEND(b, t->checks, t->nchecks, *check_cap);
    if (!slot)
        return;
    *slot = e;
    const char *want = arena_printf(b->a, "%s_check_%d", t->name, t->nchecks);
    if (want && strcmp(conname, model_sql_name(b->a, want)) != 0)
        ib_warn(b, t->name, NULL, "check constraint %s pulled as a table check (dalc names it "
                                  "%s)", conname, model_sql_name(b->a, want));
}

static bool read_constraints(ib *b, db_table *t)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_CONSTRAINTS, t->name, &st))
        return false;
    int ucaps[2] = {0, 0}, ccap = 0;
    dal_status s;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0), *type = ib_col(b, st, 1), *def = ib_col(b, st, 2);
        int ncols, nref;
        const char **cols = ib_split(b, ib_col(b, st, 3), &ncols);
        char *reft = ib_col(b, st, 4);
        const char **refc = ib_split(b, ib_col(b, st, 5), &nref);
        char *del = ib_col(b, st, 6), *upd = ib_col(b, st, 7), *deferrable = ib_col(b, st, 8);
        if (b->oom)
            break;
        if (!strcmp(type, "p")) {
            t->pk = cols;
            t->npk = ncols;
        } else if (!strcmp(type, "u")) {
            if (!ib_add_unique(b, t, cols, ncols, ucaps))
                break;
        } else if (!strcmp(type, "f")) {
            if (ncols != 1) {
                ib_warn(b, t->name, NULL, "foreign key %s (%s) has %d columns: skipped (the "
                                          "schema has single-column foreign keys)",
                        name, def, ncols);
                continue;
            }
            db_column *c = ib_column(t, cols[0]);
            if (!c)
                continue;
            c->references = arena_printf(b->a, "%s.%s", reft, refc ? refc[0] : "");
            c->on_delete = action_name(*del);
            c->on_update = action_name(*upd);
            if (!strcmp(deferrable, "true"))
                ib_warn(b, t->name, c->name, "DEFERRABLE foreign key %s pulled as not "
                                             "deferrable", name);
        } else if (!strcmp(type, "c")) {
            add_check(b, t, name, def, cols, ncols, &ccap);
        } else {
            ib_warn(b, t->name, NULL, "constraint %s (%s) cannot be written in the schema: "
                                      "skipped", name, def);
        }
    }
    return ib_done(b, st, s, "constraints");
}

static bool read_indexes(ib *b, db_table *t)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_INDEXES, t->name, &st))
        return false;
    int cap = 0;
    dal_status s;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0), *uniq = ib_col(b, st, 1), *pred = ib_col(b, st, 2);
        int ncols;
        const char **cols = ib_split(b, ib_col(b, st, 3), &ncols);
        char *exprs = ib_col(b, st, 4), *am = ib_col(b, st, 5), *backs = ib_col(b, st, 6);
        char *opts = ib_col(b, st, 7);
        if (b->oom)
            break;
        if (!strcmp(backs, "true"))
            continue; /* the index of a primary key or unique constraint */
        if (!strcmp(exprs, "true") || strcmp(am, "btree") != 0) {
            ib_warn(b, t->name, NULL, "index %s (%s) cannot be written in the schema: skipped",
                    name, !strcmp(exprs, "true") ? "on an expression" : am);
            continue;
        }
        if (!strcmp(opts, "true"))
            ib_warn(b, t->name, NULL, "index %s: DESC / NULLS order pulled as the default "
                                      "order", name);
        db_index *ix = ib_add_index(b, t, &cap, name, cols, ncols, !strcmp(uniq, "true"));
        if (!ix)
            break;
        ix->where = *pred ? expr_tidy(b, pred) : NULL;
    }
    return ib_done(b, st, s, "indexes");
}

/* The types of a view's expression columns, as `columns:` overrides (a
 * native enum or a type without a schema type is left to dalc generate). */
static bool read_view_columns(ib *b, db_view *v)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_VIEW_COLUMNS, v->name, &st))
        return false;
    int cap = 0;
    dal_status s;
    diag_list quiet; /* a view column's type notes repeat its table's */
    diag_init(&quiet);
    diag_list *loud = b->d;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0), *ft = ib_col(b, st, 1), *tt = ib_col(b, st, 2);
        if (strcmp(tt, "b") != 0 || view_item_is_column(b, v->sql, name))
            continue;
        db_column c;
        memset(&c, 0, sizeof c);
        c.name = name;
        b->d = &quiet;
        map_type(b, v->name, &c, ft, tt, "");
        b->d = loud;
        if (quiet.warnings && !strcmp(c.type, "text") && strcmp(ft, "text") != 0) {
            quiet.warnings = 0;
            continue;
        }
        quiet.warnings = 0;
        db_column *slot = IB_APPEND(b, v->cols, v->ncols, cap);
        if (!slot)
            break;
        *slot = c;
    }
    diag_free(&quiet);
    return ib_done(b, st, s, "view columns");
}

/* identity only on a single-column int32/int64 primary key */
static void check_identity(ib *b, db_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        db_column *c = &t->cols[i];
        if (!c->identity)
            continue;
        bool ok = (!strcmp(c->type, "int32") || !strcmp(c->type, "int64")) && t->npk == 1 &&
                  !strcmp(t->pk[0], c->name);
        if (!ok) {
            c->identity = false;
            ib_warn(b, t->name, c->name, "identity or sequence default on a column that is not "
                                         "a single int32/int64 primary key: dropped");
        }
    }
}

bool introspect_pg(ib *b, const char *const *only, int nonly, db_schema *out)
{
    out->engine = "postgresql";
    dal_stmt *st;
    dal_status s = dal_stmt_start(b->db, &Q_SETUP, &st);
    if (s == DAL_OK)
        s = dal_stmt_exec(st, NULL);
    if (s != DAL_OK)
        return ib_fail(b, s, "the catalog");
    if (!ib_query(b, &Q_RELS, NULL, &st))
        return false;
    int tcap = 0, vcap = 0;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0), *kind = ib_col(b, st, 1), *comment = ib_col(b, st, 2);
        char *viewdef = ib_col(b, st, 3), *part = ib_col(b, st, 4);
        if (b->oom)
            break;
        if (!ib_wanted(name, only, nonly))
            continue;
        if (!strcmp(part, "true")) {
            ib_warn(b, name, NULL, "a partition: skipped (its parent table is pulled)");
            continue;
        }
        if (!strcmp(kind, "v")) {
            db_view *v = ib_add_view(b, out, &vcap, name);
            if (!v)
                break;
            v->comment = *comment ? comment : NULL;
            size_t n = strlen(viewdef);
            while (n && (viewdef[n - 1] == ';' || viewdef[n - 1] == '\n' || viewdef[n - 1] == ' '))
                n--;
            const char *sql = viewdef;
            while (*sql == ' ')
                sql++, n--;
            v->sql = expr_tidy(b, ib_strn(b, sql, n));
            continue;
        }
        if (strcmp(kind, "r") != 0 && strcmp(kind, "p") != 0) {
            ib_warn(b, name, NULL, "%s cannot be written in the schema: skipped",
                    !strcmp(kind, "m") ? "materialized view" : "foreign table");
            continue;
        }
        db_table *t = ib_add_table(b, out, &tcap, name);
        if (!t)
            break;
        t->comment = *comment ? comment : NULL;
    }
    if (!ib_done(b, st, s, "tables"))
        return false;
    for (int i = 0; i < out->nviews && !b->oom; i++)
        if (!read_view_columns(b, &out->views[i]))
            return false;
    for (int i = 0; i < out->ntables && !b->oom; i++) {
        db_table *t = &out->tables[i];
        if (!read_columns(b, t) || !read_constraints(b, t) || !read_indexes(b, t) ||
            !ib_read_triggers(b, t, &Q_TRIGGERS))
            return false;
        if (t->npk == 0)
            ib_warn(b, t->name, NULL, "no primary key: the schema needs one (add primary_key)");
        check_identity(b, t);
        ib_finish_table(b, t);
    }
    return !b->oom;
}
