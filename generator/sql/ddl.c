/*
 * ddl.c - DDL fragments per dialect (see ddl.h).
 */
#include "sql/ddl.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/types.h"

/* s between two q's, every q inside doubled: SQL's one escaping rule for
 * identifiers ("...") and string literals ('...'). */
static void quoted(strbuf *sb, const char *s, char q)
{
    sb_addc(sb, q);
    for (const char *p = s; *p; p++) {
        if (*p == q)
            sb_addc(sb, q);
        sb_addc(sb, *p);
    }
    sb_addc(sb, q);
}

void ddl_ident(strbuf *sb, const char *name) { quoted(sb, name, '"'); }

void ddl_literal(strbuf *sb, const char *text) { quoted(sb, text, '\''); }

void ddl_format(strbuf *sb, const char *fmt, const char *const *args, size_t nargs)
{
    size_t used = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            sb_addc(sb, *p);
            continue;
        }
        char conv = *++p;
        if (conv == '%') {
            sb_addc(sb, '%');
            continue;
        }
        /* a pattern that does not fit its arguments is the caller's mistake */
        assert(used < nargs && (conv == 'I' || conv == 'L' || conv == 's'));
        if (used >= nargs || !conv)
            break;
        const char *arg = args[used++];
        if (conv == 'I')
            ddl_ident(sb, arg);
        else if (conv == 'L' && !arg)
            sb_add(sb, "NULL");
        else if (conv == 'L')
            ddl_literal(sb, arg);
        else
            sb_add(sb, arg);
    }
    assert(used == nargs);
}

const char *ddl_fk_name(char *buf, const char *table, const char *col)
{
    snprintf(buf, DDL_NAME_MAX, "%s_%s_fkey", table, col);
    return buf;
}

const char *ddl_check_name(char *buf, const char *table, const char *col)
{
    snprintf(buf, DDL_NAME_MAX, "%s_%s_check", table, col);
    return buf;
}

const char *ddl_values_name(char *buf, const char *table, const char *col)
{
    snprintf(buf, DDL_NAME_MAX, "%s_%s_values", table, col);
    return buf;
}

const char *ddl_trigger_name(char *buf, const char *table, const char *col)
{
    char full[2 * DDL_NAME_MAX];
    int n = snprintf(full, sizeof full, "%s_%s_auto_update", table, col);
    if (n >= 0 && n <= 63) { /* PostgreSQL's identifier limit */
        memcpy(buf, full, (size_t)n + 1);
        return buf;
    }
    uint32_t h = 2166136261u; /* FNV-1a, as model_sql_name */
    for (const char *p = full; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    snprintf(buf, DDL_NAME_MAX, "%.54s_%08x", full, (unsigned)h);
    return buf;
}

const char *ddl_pkey_name(char *buf, const char *table)
{
    snprintf(buf, DDL_NAME_MAX, "%s_pkey", table);
    return buf;
}

void ddl_column_type(sql_dialect d, const m_column *c, strbuf *sb)
{
    const type_info *ti = &type_table[c->type];
    if (d == SQL_SQLITE) {
        sb_add(sb, ti->sqlite_sql);
        return;
    }
    if (c->type == TY_TEXT && c->max_length > 0)
        sb_printf(sb, "varchar(%d)", c->max_length);
    else if (c->type == TY_DECIMAL && c->precision >= 0 && c->scale >= 0)
        sb_printf(sb, "numeric(%d,%d)", c->precision, c->scale);
    else if (c->type == TY_DECIMAL && c->precision >= 0)
        sb_printf(sb, "numeric(%d)", c->precision);
    else
        sb_add(sb, ti->pg_sql);
}

/* Same expressions as emit_ddl.c (schema_create and migrations must agree). */
#define SQLITE_NOW_US                                                                         \
    "(CAST(strftime('%s','now') AS INTEGER) * 1000000 + "                                      \
    "CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000)"
#define SQLITE_UUID4                                                                       \
    "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "          \
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) " \
    "|| substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))"

/* The current time for a timestamp or date column (`default: now`,
 * `auto_update: now`). */
static const char *now_expr(sql_dialect d, const m_column *c)
{
    if (d == SQL_PG)
        return c->type == TY_DATE ? "CURRENT_DATE" : "now()";
    return c->type == TY_DATE ? "(date('now'))" : SQLITE_NOW_US;
}

void ddl_create_trigger(sql_dialect d, const m_table *t, const m_column *c, strbuf *sb)
{
    if (!c->auto_update)
        return;
    char nm[DDL_NAME_MAX];
    ddl_trigger_name(nm, t->name, c->name);
    const char *col = c->name, *now = now_expr(d, c);
    if (d == SQL_PG) {
        DDL_SQL(sb,
                "CREATE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "BEGIN\n"
                "    IF NEW.%I IS NOT DISTINCT FROM OLD.%I THEN\n"
                "        NEW.%I := %s;\n"
                "    END IF;\n"
                "    RETURN NEW;\n"
                "END\n"
                "$$;\n",
                nm, col, col, col, now);
        DDL_SQL(sb, "CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION %I();\n",
                nm, t->name, nm);
        return;
    }
    DDL_SQL(sb,
            "CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW WHEN NEW.%I IS OLD.%I\n"
            "BEGIN\n"
            "    UPDATE %I SET %I = %s\n"
            "    WHERE ",
            nm, t->name, col, col, t->name, col, now);
    for (int i = 0; i < t->npk; i++)
        DDL_SQL(sb, i ? " AND %I = NEW.%I" : "%I = NEW.%I", t->pk[i]->name, t->pk[i]->name);
    DDL_SQL(sb, " AND %I IS NOT %s;\nEND;\n", col, now);
}

void ddl_create_triggers(sql_dialect d, const m_table *t, strbuf *sb)
{
    for (int i = 0; i < t->ncolumns; i++)
        ddl_create_trigger(d, t, &t->columns[i], sb);
}

void ddl_drop_trigger(sql_dialect d, const char *from, const char *col, const char *on_table,
                      strbuf *sb)
{
    char nm[DDL_NAME_MAX];
    ddl_trigger_name(nm, from, col);
    if (d == SQL_SQLITE) {
        if (on_table)
            DDL_SQL(sb, "DROP TRIGGER %I;\n", nm);
        return;
    }
    if (on_table)
        DDL_SQL(sb, "DROP TRIGGER %I ON %I;\n", nm, on_table);
    DDL_SQL(sb, "DROP FUNCTION %I();\n", nm);
}

bool ddl_default_is_constant(const m_column *c)
{
    return c->def == DEF_NONE || c->def == DEF_LITERAL;
}

/* A literal of c's type: '2024-01-02'::date on PostgreSQL (the cast names
 * the column's own type, so the literal is read as one), '2024-01-02' on
 * SQLite. */
static void typed_literal(sql_dialect d, const m_column *c, const char *v, strbuf *sb)
{
    ddl_literal(sb, v);
    if (d == SQL_PG)
        sb_printf(sb, "::%s", type_table[c->type].pg_sql);
}

bool ddl_default_expr(sql_dialect d, const m_column *c, strbuf *sb)
{
    switch (c->def) {
    case DEF_NONE:
        return false;
    case DEF_NOW:
        sb_add(sb, now_expr(d, c));
        return true;
    case DEF_UUID:
        sb_add(sb, d == SQL_PG ? "gen_random_uuid()" : SQLITE_UUID4);
        return true;
    case DEF_LITERAL:
        break;
    }
    const char *v = c->default_value ? c->default_value : "";
    switch (c->type) {
    case TY_BOOL:
        if (d == SQL_PG)
            sb_add(sb, strcmp(v, "true") == 0 ? "true" : "false");
        else
            sb_add(sb, strcmp(v, "true") == 0 ? "1" : "0");
        break;
    case TY_INT16:
    case TY_INT32:
    case TY_INT64:
    case TY_FLOAT32:
    case TY_FLOAT64:
        sb_add(sb, v);
        break;
    case TY_DECIMAL:
        if (d == SQL_PG)
            sb_add(sb, v);
        else
            ddl_literal(sb, v);
        break;
    case TY_BYTES:
        sb_printf(sb, d == SQL_PG ? "'\\x%s'::bytea" : "X'%s'", v);
        break;
    case TY_TIMESTAMP:
        if (d == SQL_PG)
            typed_literal(d, c, v, sb);
        else
            sb_printf(sb, "%lld", c->default_int);
        break;
    case TY_DATE:
    case TY_JSON:
    case TY_UUID:
        typed_literal(d, c, v, sb);
        break;
    default: /* text, enum */
        ddl_literal(sb, v);
        break;
    }
    return true;
}

static const char *fk_action_sql(fk_action a)
{
    switch (a) {
    case FK_RESTRICT:
        return "RESTRICT";
    case FK_CASCADE:
        return "CASCADE";
    case FK_SET_NULL:
        return "SET NULL";
    case FK_SET_DEFAULT:
        return "SET DEFAULT";
    case FK_NO_ACTION:
        break;
    }
    return NULL;
}

void ddl_references(const m_column *c, strbuf *sb)
{
    DDL_SQL(sb, "REFERENCES %I (%I)", c->ref_table->name, c->ref_column->name);
    const char *a = fk_action_sql(c->on_delete);
    if (a)
        sb_printf(sb, " ON DELETE %s", a);
    a = fk_action_sql(c->on_update);
    if (a)
        sb_printf(sb, " ON UPDATE %s", a);
}

/* Replaces every %1$s of fmt by the quoted column. */
void ddl_type_check(strbuf *sb, const char *fmt, const char *col)
{
    for (const char *p = fmt; *p;) {
        if (strncmp(p, "%1$s", 4) == 0) {
            ddl_ident(sb, col);
            p += 4;
        } else {
            sb_addc(sb, *p++);
        }
    }
}

void ddl_values_expr(strbuf *sb, const m_column *c)
{
    DDL_SQL(sb, "%I IN (", c->name);
    for (int i = 0; i < c->nvalues; i++)
        DDL_SQL(sb, i ? ", %L" : "%L", c->values[i]);
    sb_add(sb, ")");
}

void ddl_column_def(sql_dialect d, const m_table *t, const m_column *c, bool with_fk,
                    strbuf *sb)
{
    ddl_ident(sb, c->name);
    sb_addc(sb, ' ');
    ddl_column_type(d, c, sb);
    ddl_column_attrs(d, t, c, with_fk, sb);
}

void ddl_column_attrs(sql_dialect d, const m_table *t, const m_column *c, bool with_fk,
                      strbuf *sb)
{
    char nm[DDL_NAME_MAX];
    bool not_null = !c->nullable || c->primary_key;
    if (d == SQL_PG) {
        if (not_null)
            sb_add(sb, " NOT NULL");
        if (c->identity)
            sb_add(sb, " GENERATED BY DEFAULT AS IDENTITY");
        if (c->def != DEF_NONE) {
            sb_add(sb, " DEFAULT ");
            ddl_default_expr(d, c, sb);
        }
        if (c->type == TY_ENUM) {
            DDL_SQL(sb, " CONSTRAINT %I CHECK (", ddl_values_name(nm, t->name, c->name));
            ddl_values_expr(sb, c);
            sb_add(sb, ")");
        }
        if (c->check)
            DDL_SQL(sb, " CONSTRAINT %I CHECK (%s)", ddl_check_name(nm, t->name, c->name),
                    c->check);
        return;
    }
    if (type_table[c->type].sqlite_collate)
        sb_printf(sb, " COLLATE %s", type_table[c->type].sqlite_collate);
    if (c->identity && t->npk == 1 && t->pk[0] == c)
        sb_add(sb, " PRIMARY KEY");
    if (not_null)
        sb_add(sb, " NOT NULL");
    if (c->def != DEF_NONE) {
        sb_add(sb, " DEFAULT ");
        ddl_default_expr(d, c, sb);
    }
    const type_info *ti = &type_table[c->type];
    if (ti->sqlite_check) {
        sb_add(sb, " CHECK (");
        ddl_type_check(sb, ti->sqlite_check, c->name);
        sb_add(sb, ")");
    }
    if (c->type == TY_TEXT && c->max_length > 0) {
        sb_add(sb, " CHECK (length(");
        ddl_ident(sb, c->name);
        sb_printf(sb, ") <= %d)", c->max_length);
    }
    if (c->type == TY_ENUM) {
        sb_add(sb, " CHECK (");
        ddl_values_expr(sb, c);
        sb_add(sb, ")");
    }
    if (c->check)
        sb_printf(sb, " CHECK (%s)", c->check);
    if (with_fk && c->ref_table) {
        sb_addc(sb, ' ');
        ddl_references(c, sb);
    }
}

void ddl_col_list(strbuf *sb, m_column *const *cols, int n)
{
    sb_add(sb, "(");
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(sb, ", ");
        ddl_ident(sb, cols[i]->name);
    }
    sb_add(sb, ")");
}

static bool identity_pk(const m_table *t)
{
    return t->npk == 1 && t->pk[0]->identity;
}

/* Appends n spaces. */
static void pad(strbuf *sb, size_t n)
{
    while (n-- > 0 && !sb->oom)
        sb_addc(sb, ' ');
}

void ddl_table_lines(sql_dialect d, const m_table *t, ddl_line_fn fn, void *ctx)
{
    char nm[DDL_NAME_MAX];
    /* names and types padded into columns (the type only when attributes
     * follow) */
    size_t wname = 0, wtype = 0;
    strbuf name, type, attrs, def;
    sb_init(&name);
    sb_init(&type);
    sb_init(&attrs);
    sb_init(&def);
    for (int i = 0; i < t->ncolumns; i++) {
        sb_clear(&name);
        ddl_ident(&name, t->columns[i].name);
        if (name.len > wname)
            wname = name.len;
        sb_clear(&type);
        ddl_column_type(d, &t->columns[i], &type);
        if (type.len > wtype)
            wtype = type.len;
    }
    bool pk = d == SQL_PG || !identity_pk(t);
    int nfk = 0;
    for (int i = 0; d == SQL_PG && i < t->ncolumns; i++)
        nfk += t->columns[i].ref_table && !t->columns[i].fk_deferred;
    int nlines = t->ncolumns + pk + t->nuniques + nfk + t->nchecks, at = 0;
    ddl_line l;
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        sb_clear(&name);
        ddl_ident(&name, c->name);
        pad(&name, wname - name.len);
        sb_clear(&attrs);
        ddl_column_attrs(d, t, c, true, &attrs);
        sb_clear(&type);
        ddl_column_type(d, c, &type);
        if (attrs.len)
            pad(&type, wtype - type.len);
        l = (ddl_line){DDL_COLUMN, sb_str(&name), sb_str(&type), sb_str(&attrs), c->comment,
                       ++at == nlines};
        fn(ctx, &l);
    }
#define CONSTRAINT()                                                                           \
    do {                                                                                       \
        l = (ddl_line){DDL_CONSTRAINT, sb_str(&name), sb_str(&def), "", NULL, ++at == nlines}; \
        fn(ctx, &l);                                                                           \
        sb_clear(&name);                                                                       \
        sb_clear(&def);                                                                        \
    } while (0)
    sb_clear(&name);
    sb_clear(&def);
    if (pk) {
        ddl_ident(&name, ddl_pkey_name(nm, t->name));
        sb_add(&def, "PRIMARY KEY ");
        ddl_col_list(&def, t->pk, t->npk);
        CONSTRAINT();
    }
    for (int i = 0; i < t->nuniques; i++) {
        ddl_ident(&name, t->uniques[i].name);
        sb_add(&def, "UNIQUE ");
        ddl_col_list(&def, t->uniques[i].cols, t->uniques[i].ncols);
        CONSTRAINT();
    }
    for (int i = 0; d == SQL_PG && i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        if (!c->ref_table || c->fk_deferred)
            continue;
        ddl_ident(&name, ddl_fk_name(nm, t->name, c->name));
        DDL_SQL(&def, "FOREIGN KEY (%I) ", c->name);
        ddl_references(c, &def);
        CONSTRAINT();
    }
    for (int i = 0; i < t->nchecks; i++) {
        ddl_ident(&name, t->checks[i].name);
        sb_printf(&def, "CHECK (%s)", t->checks[i].expr);
        CONSTRAINT();
    }
#undef CONSTRAINT
    sb_free(&name);
    sb_free(&type);
    sb_free(&attrs);
    sb_free(&def);
}

/* ddl_create_table's line writer: the layout of schema.*.sql without
 * comments. */
typedef struct plain_ctx {
    sql_dialect d;
    strbuf *sb;
} plain_ctx;

static void plain_line(void *ctx, const ddl_line *l)
{
    plain_ctx *p = ctx;
    sb_add(p->sb, "    ");
    if (l->kind == DDL_COLUMN) {
        sb_printf(p->sb, "%s %s%s", l->name, l->text, l->attrs);
    } else {
        if (p->d == SQL_PG)
            sb_printf(p->sb, "CONSTRAINT %s ", l->name);
        sb_add(p->sb, l->text);
    }
    sb_add(p->sb, l->last ? "\n" : ",\n");
}

void ddl_create_table(sql_dialect d, const m_table *t, const char *as_name, strbuf *sb)
{
    DDL_SQL(sb, "CREATE TABLE %I (\n", as_name ? as_name : t->name);
    plain_ctx p = {d, sb};
    ddl_table_lines(d, t, plain_line, &p);
    sb_add(sb, d == SQL_PG ? ");\n" : ") STRICT;\n");
}

void ddl_create_index(sql_dialect d, const m_table *t, const m_index *ix, strbuf *sb)
{
    (void)d;
    DDL_SQL(sb, "CREATE %sINDEX %I ON %I ", ix->unique ? "UNIQUE " : "", ix->name, t->name);
    ddl_col_list(sb, ix->cols, ix->ncols);
    if (ix->where)
        sb_printf(sb, " WHERE %s", ix->where);
    sb_add(sb, ";\n");
}

void ddl_add_fk_pg(const m_table *t, const m_column *c, strbuf *sb)
{
    char nm[DDL_NAME_MAX];
    DDL_SQL(sb, "ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) ", t->name,
            ddl_fk_name(nm, t->name, c->name), c->name);
    ddl_references(c, sb);
    sb_add(sb, ";\n");
}

void ddl_comment_pg(const char *table, const char *col, const char *comment, strbuf *sb)
{
    if (col)
        DDL_SQL(sb, "COMMENT ON COLUMN %I.%I IS %L;\n", table, col, comment);
    else
        DDL_SQL(sb, "COMMENT ON TABLE %I IS %L;\n", table, comment);
}

void ddl_comments_pg(const m_table *t, strbuf *sb)
{
    if (t->comment)
        ddl_comment_pg(t->name, NULL, t->comment, sb);
    for (int i = 0; i < t->ncolumns; i++)
        if (t->columns[i].comment)
            ddl_comment_pg(t->name, t->columns[i].name, t->columns[i].comment, sb);
}
