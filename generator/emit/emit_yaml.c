/*
 * emit_yaml.c - schema files from a pulled database (introspect.h): one
 * <table>.yaml per table and view, laid out the way the project's own
 * schema files are written: one flow mapping per column with the types
 * lined up, keys in a fixed order, block style for a column whose line
 * would be too long, `sql: |` for a view.  Byte-for-byte deterministic: the
 * db_schema is already in name order and catalog order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "introspect/introspect.h"

#define LINE_MAX_COLS 132

static bool is_number_like(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    return *end == '\0';
}

static bool is_keyword(const char *s)
{
    static const char *const kw[] = {"true", "false", "yes", "no", "on", "off", "null",
                                     "y", "n", "~", "now", "uuid"};
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
        const char *a = s, *b = kw[i];
        while (*a && *b && (*a | 0x20) == *b)
            a++, b++;
        if (!*a && !*b)
            return true;
    }
    return false;
}

/* A scalar as YAML: plain when that reads back as the same string, else
 * double-quoted (escapes) or, when it holds a '"' or '\', single-quoted. */
static void scalar(strbuf *sb, const char *s, bool force_quotes, bool text)
{
    bool plain = *s && !force_quotes && !(text && (is_number_like(s) || is_keyword(s)));
    static const char bad_first[] = "-?:,[]{}#&*!|>'\"%@` ";
    if (plain && strchr(bad_first, s[0]))
        plain = false;
    for (const char *p = s; plain && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || strchr(",[]{}:#\"\\", c))
            plain = false;
    }
    if (plain && s[strlen(s) - 1] == ' ')
        plain = false;
    if (plain) {
        sb_add(sb, s);
        return;
    }
    bool special = false;
    for (const char *p = s; *p; p++)
        special = special || (unsigned char)*p < 0x20 || *p == '"' || *p == '\\';
    bool ctrl = false;
    for (const char *p = s; *p; p++)
        ctrl = ctrl || (unsigned char)*p < 0x20;
    if (special && !ctrl) {
        sb_addc(sb, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '\'')
                sb_addc(sb, '\'');
            sb_addc(sb, *p);
        }
        sb_addc(sb, '\'');
        return;
    }
    sb_addc(sb, '"');
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            sb_printf(sb, "\\%c", c);
        else if (c == '\n')
            sb_add(sb, "\\n");
        else if (c == '\t')
            sb_add(sb, "\\t");
        else if (c < 0x20)
            sb_printf(sb, "\\x%02x", c);
        else
            sb_addc(sb, (char)c);
    }
    sb_addc(sb, '"');
}

static void name_list(strbuf *sb, const char *const *names, int n)
{
    sb_addc(sb, '[');
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(sb, ", ");
        scalar(sb, names[i], false, true);
    }
    sb_addc(sb, ']');
}

/* The key: value pairs of a column after its name, each with its separator
 * (", " in a flow mapping, a new line in a block one). */
static void column_pairs(strbuf *sb, const db_column *c, const char *first, const char *sep)
{
#define PAIR(k) sb_printf(sb, "%s%s: ", sep, k)
    sb_printf(sb, "%stype: %s", first, c->type);
    if (c->primary_key) {
        PAIR("primary_key");
        sb_add(sb, "true");
    }
    if (c->identity) {
        PAIR("identity");
        sb_add(sb, "true");
    }
    if (c->nullable && !c->primary_key) {
        PAIR("nullable");
        sb_add(sb, "true");
    }
    if (c->unique) {
        PAIR("unique");
        sb_add(sb, "true");
    }
    if (c->max_length > 0) {
        PAIR("max_length");
        sb_printf(sb, "%d", c->max_length);
    }
    if (c->precision >= 0 && !strcmp(c->type, "decimal")) {
        PAIR("precision");
        sb_printf(sb, "%d", c->precision);
        PAIR("scale");
        sb_printf(sb, "%d", c->scale);
    }
    if (c->nvalues > 0) {
        PAIR("values");
        name_list(sb, c->values, c->nvalues);
    }
    if (c->default_) {
        PAIR("default");
        scalar(sb, c->default_, false, c->default_text);
    }
    if (c->auto_update) {
        PAIR("auto_update");
        sb_add(sb, "now");
    }
    if (c->references) {
        PAIR("references");
        sb_add(sb, c->references);
        if (c->on_delete) {
            PAIR("on_delete");
            sb_add(sb, c->on_delete);
        }
        if (c->on_update) {
            PAIR("on_update");
            sb_add(sb, c->on_update);
        }
    }
    if (c->check) {
        PAIR("check");
        scalar(sb, c->check, true, true);
    }
    if (c->comment) {
        PAIR("comment");
        scalar(sb, c->comment, false, true);
    }
#undef PAIR
}

/* The first lines of a table's or view's file: "table: name" and its
 * comment. */
static void file_head(strbuf *sb, const char *kind, const char *name, const char *comment)
{
    sb_printf(sb, "%s: %s\n", kind, name);
    if (comment) {
        sb_add(sb, "comment: ");
        scalar(sb, comment, false, true);
        sb_addc(sb, '\n');
    }
}

/* Writes t's schema file into sb; false when out of memory. */
static bool table_file(const db_table *t, strbuf *sb)
{
    file_head(sb, "table", t->name, t->comment);
    sb_add(sb, "columns:\n");
    size_t width = 0;
    for (int i = 0; i < t->ncols; i++)
        if (strlen(t->cols[i].name) > width)
            width = strlen(t->cols[i].name);
    strbuf line;
    sb_init(&line);
    for (int i = 0; i < t->ncols; i++) {
        const db_column *c = &t->cols[i];
        sb_clear(&line);
        sb_add(&line, "  - { name: ");
        sb_add(&line, c->name);
        sb_addc(&line, ',');
        sb_pad(&line, 12 + width + 1);
        column_pairs(&line, c, " ", ", ");
        sb_add(&line, " }");
        if (line.len <= LINE_MAX_COLS) {
            sb_add(sb, sb_str(&line));
            sb_addc(sb, '\n');
            continue;
        }
        sb_add(sb, "  - name: ");
        sb_add(sb, c->name);
        column_pairs(sb, c, "\n    ", "\n    ");
        sb_addc(sb, '\n');
    }
    sb_free(&line);
    if (t->npk > 1) {
        sb_add(sb, "primary_key: ");
        name_list(sb, t->pk, t->npk);
        sb_addc(sb, '\n');
    }
    if (t->nuniques) {
        sb_add(sb, "unique:\n");
        for (int i = 0; i < t->nuniques; i++) {
            sb_add(sb, "  - ");
            name_list(sb, t->uniques[i], t->nunique_cols[i]);
            sb_addc(sb, '\n');
        }
    }
    if (t->nindexes) {
        sb_add(sb, "indexes:\n");
        for (int i = 0; i < t->nindexes; i++) {
            const db_index *ix = &t->indexes[i];
            sb_add(sb, "  - { columns: ");
            name_list(sb, ix->cols, ix->ncols);
            if (ix->unique)
                sb_add(sb, ", unique: true");
            if (ix->name) {
                sb_add(sb, ", name: ");
                scalar(sb, ix->name, false, true);
            }
            if (ix->where) {
                sb_add(sb, ", where: ");
                scalar(sb, ix->where, true, true);
            }
            sb_add(sb, " }\n");
        }
    }
    if (t->nchecks) {
        sb_add(sb, "checks:\n");
        for (int i = 0; i < t->nchecks; i++) {
            sb_add(sb, "  - ");
            scalar(sb, t->checks[i], true, true);
            sb_addc(sb, '\n');
        }
    }
    return !sb->oom;
}

/* Writes v's schema file into sb; false when out of memory. */
static bool view_file(const db_view *v, strbuf *sb)
{
    file_head(sb, "view", v->name, v->comment);
    sb_add(sb, "sql: |\n");
    const char *p = v->sql;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            sb_add(sb, "  ");
            sb_addn(sb, p, n);
        }
        sb_addc(sb, '\n');
        if (!e)
            break;
        p = e + 1;
    }
    if (v->ncols) {
        sb_add(sb, "columns:\n");
        for (int i = 0; i < v->ncols; i++)
            sb_printf(sb, "  - { name: %s, type: %s }\n", v->cols[i].name, v->cols[i].type);
    }
    return !sb->oom;
}

/* The file <name>.yaml of o; NULL when out of memory. */
static strbuf *yaml_file(output_set *o, const char *name)
{
    char file[300];
    snprintf(file, sizeof file, "%s.yaml", name);
    return output_add(o, file);
}

bool emit_yaml(const db_schema *s, output_set *o)
{
    for (int i = 0; i < s->ntables; i++) {
        strbuf *sb = yaml_file(o, s->tables[i].name);
        if (!sb || !table_file(&s->tables[i], sb))
            return false;
    }
    for (int i = 0; i < s->nviews; i++) {
        strbuf *sb = yaml_file(o, s->views[i].name);
        if (!sb || !view_file(&s->views[i], sb))
            return false;
    }
    return true;
}
