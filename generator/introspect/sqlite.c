/*
 * sqlite.c - a SQLite database's tables and views read into a db_schema:
 * columns, keys, foreign keys and indexes from the table-valued pragmas,
 * CHECK expressions, inline primary keys and `--` comments from the CREATE
 * TABLE text SQLite keeps (verbatim) in sqlite_master.  The SQLite types of
 * dalc's own DDL are recognised by the CHECKs and defaults it writes
 * (sql/ddl.h, model/types.h); the type names of a hand-written table by
 * their usual spellings.  See docs/pull.md for every mapping.
 */
#include "introspect/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dal_calendar.h"
#include "model/model.h"
#include "sql/ddl.h"

static const dal_query Q_OBJECTS = {
    "SELECT type, name, coalesce(sql, '') FROM sqlite_master"
    " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    " ORDER BY name",
    0};

static const dal_query Q_COLUMNS = {
    "SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk, hidden"
    " FROM pragma_table_xinfo($1) ORDER BY cid",
    1};

static const dal_query Q_FKS = {
    "SELECT id, seq, \"table\", coalesce(\"to\", ''), \"from\", on_update, on_delete"
    " FROM pragma_foreign_key_list($1) ORDER BY id, seq",
    1};

static const dal_query Q_INDEXES = {
    "SELECT il.name, il.\"unique\", il.origin, coalesce(m.sql, ''),"
    " (SELECT count(*) FROM pragma_index_info(il.name) ii WHERE ii.name IS NULL),"
    " (SELECT group_concat(name, char(1)) FROM"
    "   (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno))"
    " FROM pragma_index_list($1) il"
    " LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = il.name"
    " ORDER BY coalesce(m.rowid, 0), il.seq",
    1};

static const dal_query Q_VIEW_COLUMNS = {"SELECT name FROM pragma_table_info($1) ORDER BY cid",
                                          1};

static const dal_query Q_TRIGGERS = {
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1 ORDER BY name", 1};

/* What the CREATE TABLE text says about one column. */
typedef struct col_text {
    const char *name;
    const char **checks;
    int nchecks;
    bool inline_pk, autoincrement;
    bool decimal; /* COLLATE dal_decimal: a dalc decimal column (docs/types.md) */
    const char *comment;
} col_text;

typedef struct table_text {
    col_text *cols;
    int ncols;
    const char **checks; /* table CHECKs */
    int nchecks;
    bool strict;
} table_text;

static bool is_word(const sql_tok *t, const char *w)
{
    return t->kind == SQLT_WORD && strcmp(t->text, w) == 0;
}

static bool is_punct(const char *src, const sql_tok *t, char c)
{
    return t->kind == SQLT_PUNCT && t->len == 1 && src[t->off] == c;
}

static int match_paren(const char *src, const sql_toks *tk, int i)
{
    int depth = 0;
    for (int j = i; j < tk->n; j++) {
        if (is_punct(src, &tk->v[j], '('))
            depth++;
        else if (is_punct(src, &tk->v[j], ')') && --depth == 0)
            return j;
    }
    return -1;
}

/* The `--` comment lines of src[from, to): leading ones (on their own
 * lines) into *lead, one after code on the first line into *trail. */
static void gap_comments(ib *b, const char *src, size_t from, size_t to, const char **lead,
                         const char **trail)
{
    strbuf sb;
    sb_init(&sb);
    bool first_line = true;
    for (size_t p = from; p < to;) {
        size_t e = p;
        while (e < to && src[e] != '\n')
            e++;
        size_t q = p;
        while (q < e && (src[q] == ' ' || src[q] == '\t'))
            q++;
        if (e - q >= 2 && src[q] == '-' && src[q + 1] == '-') {
            q += 2;
            if (q < e && src[q] == ' ')
                q++;
            size_t n = e - q;
            while (n && (src[q + n - 1] == ' ' || src[q + n - 1] == '\r'))
                n--;
            if (first_line && from > 0 && src[from - 1] != '\n' && trail) {
                *trail = ib_strn(b, src + q, n);
            } else {
                if (sb.len)
                    sb_addc(&sb, '\n');
                sb_addn(&sb, src + q, n);
            }
        }
        first_line = false;
        p = e + 1;
    }
    if (sb.len)
        *lead = ib_str(b, sb_str(&sb));
    sb_free(&sb);
}

static bool parse_create(ib *b, const char *sql, table_text *tt)
{
    memset(tt, 0, sizeof *tt);
    sql_toks tk;
    if (!sql_lex(b->a, sql, strlen(sql), &tk))
        return !(b->oom = true);
    int open = 0;
    while (open < tk.n && !is_punct(sql, &tk.v[open], '('))
        open++;
    int close = open < tk.n ? match_paren(sql, &tk, open) : -1;
    if (close < 0)
        return false;
    for (int i = close + 1; i < tk.n; i++)
        if (is_word(&tk.v[i], "strict"))
            tt->strict = true;
    int ccap = 0, kcap = 0;
    int start = open + 1;
    col_text *prev = NULL;
    while (start < close) {
        int end = start, depth = 0;
        for (; end < close; end++) {
            if (is_punct(sql, &tk.v[end], '('))
                depth++;
            else if (is_punct(sql, &tk.v[end], ')'))
                depth--;
            else if (depth == 0 && is_punct(sql, &tk.v[end], ','))
                break;
        }
        const sql_tok *f = &tk.v[start];
        const char *lead = NULL, *trail = NULL;
        size_t gap_from = tk.v[start - 1].off + tk.v[start - 1].len;
        gap_comments(b, sql, gap_from, f->off, &lead, &trail);
        if (trail && prev && !prev->comment)
            prev->comment = trail;
        bool constraint = f->kind == SQLT_WORD &&
                          (is_word(f, "constraint") || is_word(f, "primary") ||
                           is_word(f, "unique") || is_word(f, "check") || is_word(f, "foreign"));
        col_text *c = NULL;
        if (!constraint) {
            c = ib_push(b, &tt->cols, tt->ncols, &ccap, sizeof *tt->cols);
            if (!c)
                return false;
            tt->ncols++;
            c->name = f->text;
            c->comment = lead;
        }
        int kc = 0;
        for (int i = start; i < end; i++) {
            if (c && is_word(&tk.v[i], "primary") && i + 1 < end && is_word(&tk.v[i + 1], "key"))
                c->inline_pk = true;
            if (c && is_word(&tk.v[i], "autoincrement"))
                c->autoincrement = true;
            if (c && is_word(&tk.v[i], "collate") && i + 1 < end &&
                is_word(&tk.v[i + 1], "dal_decimal"))
                c->decimal = true;
            if (is_word(&tk.v[i], "check") && i + 1 < end && is_punct(sql, &tk.v[i + 1], '(')) {
                int j = match_paren(sql, &tk, i + 1);
                if (j < 0 || i + 2 > j)
                    continue;
                size_t from = tk.v[i + 2].off, to = tk.v[j].off;
                while (to > from && sql[to - 1] == ' ')
                    to--;
                const char *e = ib_strn(b, sql + from, to - from);
                if (c) {
                    const char **slot = ib_push(b, &c->checks, c->nchecks, &kc, sizeof *slot);
                    if (slot)
                        *slot = e, c->nchecks++;
                } else {
                    const char **slot = ib_push(b, &tt->checks, tt->nchecks, &kcap, sizeof *slot);
                    if (slot)
                        *slot = e, tt->nchecks++;
                }
                i = j;
            }
        }
        prev = c;
        start = end + 1;
        if (end >= close) {
            /* a trailing comment after the last definition */
            const char *l2 = NULL, *t2 = NULL;
            gap_comments(b, sql, tk.v[end - 1].off + tk.v[end - 1].len, tk.v[close].off, &l2,
                         &t2);
            if (t2 && c && !c->comment)
                c->comment = t2;
        }
    }
    return !b->oom;
}

/* dalc's own SQLite DDL for default kind def on a column of type ty. */
static bool is_dalc_default(const char *dflt, coltype ty, default_kind def)
{
    m_column c;
    memset(&c, 0, sizeof c);
    c.type = ty;
    c.def = def;
    strbuf sb;
    sb_init(&sb);
    ddl_default_expr(SQL_SQLITE, &c, &sb);
    /* the pragma gives "(expr)" without its parentheses */
    const char *e = sb_str(&sb);
    size_t n = strlen(e), dn = strlen(dflt);
    bool same = strcmp(e, dflt) == 0 ||
                (n == dn + 2 && e[0] == '(' && e[n - 1] == ')' && !strncmp(e + 1, dflt, dn));
    sb_free(&sb);
    return same;
}

static bool type_check_is(const char *expr, coltype ty, const char *col)
{
    if (!type_table[ty].sqlite_check)
        return false;
    strbuf sb;
    sb_init(&sb);
    ddl_type_check(&sb, type_table[ty].sqlite_check, col);
    bool same = strcmp(sb_str(&sb), expr) == 0;
    sb_free(&sb);
    return same;
}

/* `length("col") <= N`: N, else 0. */
static int length_check(const char *expr, const char *col)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "length(");
    ddl_ident(&sb, col);
    sb_add(&sb, ") <= ");
    int n = 0;
    if (strncmp(expr, sb_str(&sb), sb.len) == 0) {
        const char *p = expr + sb.len;
        char *end;
        long v = strtol(p, &end, 10);
        if (end != p && !*end && v > 0 && v < 1000000000)
            n = (int)v;
    }
    sb_free(&sb);
    return n;
}

/* A declared type of a table that is not STRICT (or not dalc's) -> schema type. */
static void map_declared(ib *b, const char *table, db_column *c, const char *decl, bool strict)
{
    char up[128];
    size_t n = 0;
    for (; decl[n] && n + 1 < sizeof up; n++)
        up[n] = (char)toupper((unsigned char)decl[n]);
    up[n] = '\0';
    char word[128];
    int x = -1, y = -1;
    if (sscanf(up, "%127[A-Z ](%d,%d)", word, &x, &y) < 1)
        word[0] = '\0';
    size_t wl = strlen(word);
    while (wl && word[wl - 1] == ' ')
        word[--wl] = '\0';
    if (!strcmp(word, "INTEGER") || !strcmp(word, "INT") || !strcmp(word, "BIGINT") ||
        !strcmp(word, "INT8")) {
        c->type = "int64";
        if (strcmp(word, "INTEGER") != 0)
            ib_warn(b, table, c->name, "%s pulled as int64 (INTEGER)", decl);
    } else if (!strcmp(word, "SMALLINT") || !strcmp(word, "TINYINT") || !strcmp(word, "INT2")) {
        c->type = "int16";
        ib_warn(b, table, c->name, "%s pulled as int16: dalc adds a CHECK of its range", decl);
    } else if (!strcmp(word, "MEDIUMINT") || !strcmp(word, "INT4")) {
        c->type = "int32";
        ib_warn(b, table, c->name, "%s pulled as int32: dalc adds a CHECK of its range", decl);
    } else if (!strcmp(word, "BOOLEAN") || !strcmp(word, "BOOL")) {
        c->type = "bool";
        ib_warn(b, table, c->name, "%s pulled as bool: dalc declares it INTEGER with "
                                   "CHECK (%s IN (0, 1))", decl, c->name);
    } else if (!strcmp(word, "TEXT") || !strcmp(word, "CLOB") || !strcmp(word, "STRING")) {
        c->type = "text";
    } else if (strstr(word, "CHAR")) {
        c->type = "text";
        if (x > 0) {
            c->max_length = x;
            ib_warn(b, table, c->name, "%s pulled as text with max_length %d: SQLite did not "
                                       "enforce the length, dalc adds a CHECK", decl, x);
        } else if (strcmp(word, "TEXT") != 0) {
            ib_warn(b, table, c->name, "%s pulled as text", decl);
        }
    } else if (!strcmp(word, "REAL") || !strcmp(word, "DOUBLE") || !strcmp(word, "FLOAT") ||
               !strcmp(word, "DOUBLE PRECISION")) {
        c->type = "float64";
        if (strcmp(word, "REAL") != 0)
            ib_warn(b, table, c->name, "%s pulled as float64 (REAL)", decl);
    } else if (!strcmp(word, "DECIMAL") || !strcmp(word, "NUMERIC")) {
        c->type = "decimal";
        if (x > 0) {
            c->precision = x;
            c->scale = y >= 0 ? y : 0;
        }
        ib_warn(b, table, c->name, "%s pulled as decimal: dalc stores decimals as exact TEXT "
                                   "(numbers stored before are read as text only after a "
                                   "migration)", decl);
    } else if (!strcmp(word, "BLOB")) {
        c->type = "bytes";
    } else if (!strcmp(word, "DATETIME") || !strcmp(word, "TIMESTAMP")) {
        c->type = "timestamp";
        ib_warn(b, table, c->name, "%s pulled as timestamp: dalc stores INTEGER microseconds "
                                   "since 1970 UTC (text values stored before are not read)",
                decl);
    } else if (!strcmp(word, "DATE")) {
        c->type = "date";
        ib_warn(b, table, c->name, "DATE pulled as date: dalc declares it TEXT 'YYYY-MM-DD' "
                                   "with a CHECK of that form");
    } else if (!strcmp(word, "UUID")) {
        c->type = "uuid";
        ib_warn(b, table, c->name, "UUID pulled as uuid: dalc declares it TEXT with a CHECK "
                                   "of the canonical lower-case form");
    } else if (!strcmp(word, "JSON") || !strcmp(word, "JSONB")) {
        c->type = "json";
        ib_warn(b, table, c->name, "%s pulled as json: dalc declares it TEXT with CHECK "
                                   "(json_valid(...))", decl);
    } else {
        c->type = "text";
        ib_warn(b, table, c->name, "type %s has no schema type: pulled as text",
                *decl ? decl : "(none)");
    }
    (void)strict;
}

/* The micro-second integer of a timestamp default -> its schema text. */
static const char *time_text(ib *b, long long us)
{
    char buf[40];
    dal__format_time(us, buf); /* "YYYY-MM-DD HH:MM:SS.ffffff+00" */
    char *sp = strchr(buf, ' ');
    if (sp)
        *sp = 'T';
    size_t n = strlen(buf);
    if (n > 3 && !strcmp(buf + n - 3, "+00"))
        strcpy(buf + n - 3, "Z");
    return ib_str(b, buf);
}

static void map_default(ib *b, const char *table, db_column *c, const char *dflt)
{
    if (!*dflt || !strcmp(dflt, "NULL"))
        return;
    coltype ty;
    if (!type_lookup(c->type, &ty))
        return;
    if ((ty == TY_TIMESTAMP || ty == TY_DATE) && is_dalc_default(dflt, ty, DEF_NOW)) {
        c->default_ = "now";
        return;
    }
    if (ty == TY_UUID && is_dalc_default(dflt, ty, DEF_UUID)) {
        c->default_ = "uuid";
        return;
    }
    if ((ty == TY_TIMESTAMP && !strcmp(dflt, "CURRENT_TIMESTAMP")) ||
        (ty == TY_DATE && !strcmp(dflt, "CURRENT_DATE"))) {
        c->default_ = "now";
        ib_warn(b, table, c->name, "default %s pulled as now (dalc's own expression of the "
                                   "current time)", dflt);
        return;
    }
    sql_toks tk;
    const char *lit;
    bool str;
    if (!ib_default_literal(b, dflt, &tk, &lit, &str))
        return;
    if (str && (dflt[0] == 'X' || dflt[0] == 'x')) {
        /* a blob X'0A': the schema spells its bytes \x0a */
        char *h = ib_str(b, lit);
        for (char *p = h; p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        lit = arena_printf(b->a, "\\x%s", h ? h : "");
    } else if (!lit && tk.n == 2 && dflt[0] == '-' && tk.v[1].kind == SQLT_NUMBER) {
        lit = dflt;
    }
    if (lit && ty == TY_TIMESTAMP && !str) {
        char *end;
        long long us = strtoll(lit, &end, 10);
        lit = *end ? NULL : time_text(b, us);
        str = true;
    }
    if (lit && ty == TY_BOOL && !str && (!strcmp(lit, "TRUE") || !strcmp(lit, "FALSE")))
        lit = !strcmp(lit, "TRUE") ? "true" : "false";
    if (lit && ib_literal_default(b, c, lit, str))
        return;
    ib_warn(b, table, c->name, "default %s cannot be written in the schema: dropped", dflt);
}

static const char *action_name(const char *a)
{
    if (!strcmp(a, "CASCADE"))
        return "cascade";
    if (!strcmp(a, "SET NULL"))
        return "set_null";
    if (!strcmp(a, "SET DEFAULT"))
        return "set_default";
    if (!strcmp(a, "RESTRICT"))
        return "restrict";
    return NULL;
}


/* Type, key, checks and default of every column. */
static bool read_columns(ib *b, db_table *t, const table_text *tt)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_COLUMNS, t->name, &st))
        return false;
    int cap = 0, pkcap = 0, ccap = 0;
    dal_status s;
    const char **dflts = NULL;
    int dcap = 0, nd = 0;
    int *pkpos = NULL, pcap2 = 0;
    while (ib_next(st, &s)) {
        db_column *c = IB_PUSH(b, t->cols, t->ncols, cap);
        const char **dd = IB_PUSH(b, dflts, nd, dcap);
        if (!c || !dd)
            break;
        t->ncols++, nd++;
        c->name = ib_col(b, st, 0);
        c->type = c->sqltype = ib_col(b, st, 1); /* declared; mapped below */
        c->nullable = ib_col_int(st, 2) == 0;
        *dd = ib_col(b, st, 3);
        int pk = (int)ib_col_int(st, 4);
        c->precision = c->scale = -1;
        if (ib_col_int(st, 5) != 0)
            ib_warn(b, t->name, c->name, "generated column pulled as a plain column: the "
                                         "expression is not kept");
        int *p2 = IB_PUSH(b, pkpos, t->ncols - 1, pcap2); /* key position, by column */
        if (!p2)
            break;
        *p2 = pk;
    }
    if (!ib_done(b, st, s, "columns"))
        return false;
    if (b->oom)
        return false;
    /* primary key in key order */
    for (int k = 1; k <= t->ncols; k++)
        for (int i = 0; i < t->ncols; i++)
            if (pkpos[i] == k) {
                const char **slot = IB_APPEND(b, t->pk, t->npk, pkcap);
                if (slot)
                    *slot = t->cols[i].name;
            }
    for (int i = 0; i < t->ncols; i++) {
        db_column *c = &t->cols[i];
        const col_text *ct = i < tt->ncols ? &tt->cols[i] : NULL;
        const char *decl = c->type;
        char up[32];
        size_t n = 0;
        for (; decl[n] && n + 1 < sizeof up; n++)
            up[n] = (char)toupper((unsigned char)decl[n]);
        up[n] = '\0';
        coltype evidence = TY_COUNT;
        const char *user_check = NULL;
        int maxlen = 0;
        const char *maxlen_expr = NULL;
        const char **vals = NULL, *vals_expr = NULL;
        int nvals = 0;
        for (int k = 0; ct && k < ct->nchecks; k++) {
            const char *e = ct->checks[k];
            bool typed = false;
            for (int ty = 0; ty < TY_COUNT && !typed; ty++)
                if (type_check_is(e, (coltype)ty, c->name)) {
                    evidence = (coltype)ty;
                    typed = true;
                }
            if (typed)
                continue;
            int ml = length_check(e, c->name);
            if (ml > 0 && !maxlen) {
                maxlen = ml;
                maxlen_expr = e;
                continue;
            }
            if (!vals && expr_enum_values(b, e, c->name, &vals, &nvals)) {
                vals_expr = e;
                continue;
            }
            if (!user_check) {
                user_check = e;
                continue;
            }
            const char **slot = IB_APPEND(b, t->checks, t->nchecks, ccap);
            if (slot) {
                *slot = e;
                ib_warn(b, t->name, c->name, "a second CHECK (%s) pulled as a table check", e);
            }
        }
        bool dalc_type = !strcmp(up, "INTEGER") || !strcmp(up, "TEXT") || !strcmp(up, "REAL") ||
                         !strcmp(up, "BLOB") || !strcmp(up, "ANY");
        if (dalc_type && tt->strict) {
            if (!strcmp(up, "INTEGER")) {
                c->type = evidence == TY_BOOL || evidence == TY_INT16 || evidence == TY_INT32
                              ? type_table[evidence].name
                              : is_dalc_default(dflts[i], TY_TIMESTAMP, DEF_NOW) ? "timestamp"
                                                                                 : "int64";
            } else if (!strcmp(up, "TEXT")) {
                c->type = evidence == TY_JSON || evidence == TY_UUID || evidence == TY_DATE
                              ? type_table[evidence].name
                          : ct && ct->decimal ? "decimal" /* its precision is not in SQLite */
                                              : "text";
            } else if (!strcmp(up, "REAL")) {
                c->type = "float64";
            } else if (!strcmp(up, "BLOB")) {
                c->type = "bytes";
            } else {
                c->type = "text";
                ib_warn(b, t->name, c->name, "ANY pulled as text");
            }
        } else {
            map_declared(b, t->name, c, decl, tt->strict);
            if (evidence != TY_COUNT && !strcmp(c->type, "int64") &&
                (evidence == TY_BOOL || evidence == TY_INT16 || evidence == TY_INT32))
                c->type = type_table[evidence].name;
        }
        if (maxlen && !strcmp(c->type, "text") && !c->max_length)
            c->max_length = maxlen;
        else if (maxlen && !user_check)
            user_check = maxlen_expr; /* a length CHECK on another type stays a check */
        if (vals && !strcmp(c->type, "text") && !c->max_length) {
            c->type = "enum";
            c->values = vals;
            c->nvalues = nvals;
        } else if (vals && !user_check) {
            user_check = vals_expr;
        } else if (vals) {
            const char **slot = IB_APPEND(b, t->checks, t->nchecks, ccap);
            if (slot)
                *slot = vals_expr;
        }
        c->check = user_check;
        if (ct && ct->comment)
            c->comment = ct->comment;
        bool int_type = !strcmp(c->type, "int64") || !strcmp(c->type, "int32");
        if (ct && ct->inline_pk && t->npk == 1 && !strcmp(up, "INTEGER") && int_type) {
            c->identity = true;
            if (ct->autoincrement)
                ib_warn(b, t->name, c->name, "AUTOINCREMENT pulled as identity (INTEGER "
                                             "PRIMARY KEY: the id of a deleted last row may "
                                             "be used again)");
        }
        map_default(b, t->name, c, dflts[i]);
    }
    return !b->oom;
}

static bool read_fks(ib *b, db_table *t)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_FKS, t->name, &st))
        return false;
    dal_status s;
    while (ib_next(st, &s)) {
        int64_t id = ib_col_int(st, 0), seq = ib_col_int(st, 1);
        char *reft = ib_col(b, st, 2), *to = ib_col(b, st, 3), *from = ib_col(b, st, 4);
        char *upd = ib_col(b, st, 5), *del = ib_col(b, st, 6);
        db_column *c = ib_column(t, from);
        if (seq > 0 || !c) {
            if (seq == 1)
                ib_warn(b, t->name, NULL, "foreign key %lld to %s has several columns: "
                                          "skipped", (long long)id, reft);
            if (c)
                c->references = NULL;
            continue;
        }
        c->references = *to ? arena_printf(b->a, "%s.%s", reft, to)
                            : arena_printf(b->a, "%s.?", reft);
        c->on_delete = action_name(del);
        c->on_update = action_name(upd);
    }
    return ib_done(b, st, s, "foreign keys");
}

/* The primary key of table name (for a REFERENCES without a column). */
static const char *pk_of(const db_schema *out, const char *name)
{
    for (int i = 0; i < out->ntables; i++) {
        const db_table *t = &out->tables[i];
        if (strcmp(t->name, name) != 0)
            continue;
        if (t->npk == 1)
            return t->pk[0];
        for (int k = 0; k < t->ncols; k++)
            if (t->cols[k].primary_key)
                return t->cols[k].name;
    }
    return NULL;
}

/* The text of a CREATE statement after its first word `word` (that is not
 * its last token), without a trailing ';', into *out (NULL when there is
 * none); false when sql does not lex. */
static bool text_after(ib *b, const char *sql, const char *word, const char **out)
{
    *out = NULL;
    sql_toks tk;
    if (!sql_lex(b->a, sql, strlen(sql), &tk))
        return false;
    for (int i = 0; i + 1 < tk.n; i++)
        if (is_word(&tk.v[i], word)) {
            const char *p = sql + tk.v[i + 1].off;
            size_t n = strlen(p);
            while (n && (p[n - 1] == ';' || p[n - 1] == ' ' || p[n - 1] == '\n'))
                n--;
            *out = ib_strn(b, p, n);
            break;
        }
    return true;
}

static bool read_indexes(ib *b, db_table *t)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_INDEXES, t->name, &st))
        return false;
    int cap = 0, ucaps[2] = {0, 0};
    dal_status s;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0);
        bool uniq = ib_col_int(st, 1) != 0;
        char *origin = ib_col(b, st, 2), *sql = ib_col(b, st, 3);
        bool expr = ib_col_int(st, 4) > 0;
        int ncols;
        const char **cols = ib_split(b, ib_col(b, st, 5), &ncols);
        if (b->oom)
            break;
        if (!strcmp(origin, "pk"))
            continue;
        if (!strcmp(origin, "u")) {
            if (!ib_add_unique(b, t, cols, ncols, ucaps))
                break;
            continue;
        }
        if (expr) {
            ib_warn(b, t->name, NULL, "index %s is on an expression: skipped", name);
            continue;
        }
        db_index *ix = ib_add_index(b, t, &cap, name, cols, ncols, uniq);
        if (!ix)
            break;
        if (*sql) /* the predicate: the text after the WHERE of the CREATE INDEX */
            text_after(b, sql, "where", &ix->where);
    }
    return ib_done(b, st, s, "indexes");
}

/* SQLite records no type for a view's expression columns: each gets a
 * warning (dalc generate asks for its `columns:` override). */
static bool warn_view_columns(ib *b, const db_view *v)
{
    dal_stmt *st;
    if (!ib_query(b, &Q_VIEW_COLUMNS, v->name, &st))
        return false;
    dal_status s;
    while (ib_next(st, &s)) {
        char *name = ib_col(b, st, 0);
        if (!view_item_is_column(b, v->sql, name))
            ib_warn(b, v->name, name, "an expression: SQLite does not record its type; "
                                      "add `- { name: %s, type: <type> }` to the view's columns "
                                      "when dalc generate asks for it", name);
    }
    return ib_done(b, st, s, "view columns");
}

/* CREATE VIEW name AS <select>: the select. */
static const char *view_select(ib *b, const char *sql)
{
    const char *select;
    if (!text_after(b, sql, "as", &select))
        return NULL;
    return select ? select : ib_str(b, sql);
}


bool introspect_sqlite(ib *b, const char *const *only, int nonly, db_schema *out)
{
    out->engine = "sqlite";
    dal_stmt *st;
    if (!ib_query(b, &Q_OBJECTS, NULL, &st))
        return false;
    int tcap = 0, vcap = 0, scap = 0;
    const char **sqls = NULL;
    int nsql = 0;
    dal_status s;
    while (ib_next(st, &s)) {
        char *type = ib_col(b, st, 0), *name = ib_col(b, st, 1), *sql = ib_col(b, st, 2);
        if (b->oom)
            break;
        if (!ib_wanted(name, only, nonly))
            continue;
        if (!strcmp(type, "view")) {
            db_view *v = ib_add_view(b, out, &vcap, name);
            if (!v)
                break;
            v->sql = view_select(b, sql);
            continue;
        }
        if (strstr(sql, "VIRTUAL TABLE") || strstr(sql, "virtual table")) {
            ib_warn(b, name, NULL, "virtual table cannot be written in the schema: skipped");
            continue;
        }
        const char **sq = IB_PUSH(b, sqls, nsql, scap); /* sqls[i]: tables[i]'s CREATE */
        if (!sq || !ib_add_table(b, out, &tcap, name))
            break;
        nsql++;
        *sq = sql;
    }
    if (!ib_done(b, st, s, "tables"))
        return false;
    for (int i = 0; i < out->ntables && !b->oom; i++) {
        db_table *t = &out->tables[i];
        table_text tt;
        if (!parse_create(b, sqls[i], &tt)) {
            ib_warn(b, t->name, NULL, "its CREATE TABLE text could not be read: checks and "
                                      "comments are not pulled");
            memset(&tt, 0, sizeof tt);
            tt.strict = true;
        }
        if (!tt.strict)
            ib_warn(b, t->name, NULL, "not a STRICT table: dalc declares it STRICT, with the "
                                      "column types below");
        if (!read_columns(b, t, &tt) || !read_fks(b, t) || !read_indexes(b, t) ||
            !ib_read_triggers(b, t, &Q_TRIGGERS))
            return false;
        int ccap = t->nchecks;
        for (int k = 0; k < tt.nchecks; k++) {
            const char **slot = IB_APPEND(b, t->checks, t->nchecks, ccap);
            if (slot)
                *slot = tt.checks[k];
        }
        if (t->npk == 0)
            ib_warn(b, t->name, NULL, "no primary key: the schema needs one (add primary_key)");
    }
    /* REFERENCES t without a column: t's primary key */
    for (int i = 0; i < out->ntables; i++)
        for (int k = 0; k < out->tables[i].ncols; k++) {
            db_column *c = &out->tables[i].cols[k];
            size_t n = c->references ? strlen(c->references) : 0;
            if (n > 2 && !strcmp(c->references + n - 2, ".?")) {
                char *tn = ib_strn(b, c->references, n - 2);
                const char *pk = tn ? pk_of(out, tn) : NULL;
                c->references = pk ? arena_printf(b->a, "%s.%s", tn, pk) : NULL;
            }
        }
    for (int i = 0; i < out->ntables; i++)
        ib_finish_table(b, &out->tables[i]);
    for (int i = 0; i < out->nviews && !b->oom; i++)
        if (!warn_view_columns(b, &out->views[i]))
            return false;
    return !b->oom;
}
