/*
 * emit_migrations.c - migrations.h / migrations.c: the migrations of a
 * migrations folder embedded in generated C, with <P>schema_migrate()
 * (templates/migrations.tmpl; see migrate.h and docs/migrations.md).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sql/migrate.h"

/* text as indented C string literals, one per line of SQL. */
static void c_literal(const char *text, strbuf *out)
{
    if (!*text) {
        sb_add(out, "    \"\"");
        return;
    }
    const char *p = text;
    bool first = true;
    while (*p) {
        if (!first)
            sb_addc(out, '\n');
        first = false;
        sb_add(out, "    \"");
        while (*p && *p != '\n') {
            unsigned char c = (unsigned char)*p++;
            if (c == '"' || c == '\\')
                sb_printf(out, "\\%c", c);
            else if (c == '\t')
                sb_add(out, "\\t");
            else if (c < 0x20 || c == 0x7f || c == '?')
                sb_printf(out, "\\%03o", c); /* '?' too: no trigraphs */
            else
                sb_addc(out, (char)c);
        }
        if (*p == '\n') {
            sb_add(out, "\\n");
            p++;
        }
        sb_addc(out, '"');
    }
}

static bool render(const emit_ctx *cx, const char *section, const tmpl_slot *slots, size_t n,
                   strbuf *out)
{
    return tmpl_render(cx->tmpl, "migrations", section, slots, n, out, cx->d);
}

bool emit_migrations(const emit_ctx *cx, const char *dir, output_set *o)
{
    struct stat st;
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return true;
    mig_entry *ents = NULL;
    int n = 0;
    if (!mig_list(dir, true, &ents, &n, cx->d))
        return false;
    const char *P = cx->prefix ? cx->prefix : "";
    bool ok = true;
    strbuf guard, nbuf, sql, entries;
    sb_init(&guard);
    sb_init(&nbuf);
    sb_init(&sql);
    sb_init(&entries);
    sb_add(&guard, "DALC_GEN_");
    for (const char *p = P; *p; p++)
        sb_addc(&guard, (char)toupper((unsigned char)*p));
    sb_add(&guard, "MIGRATIONS_H");
    sb_printf(&nbuf, "%d", n);
    static const char *const kinds[2][2] = {{"up_pg", "down_pg"}, {"up_sqlite", "down_sqlite"}};
    static const char *const files[2][2] = {{"up.pg.sql", "down.pg.sql"},
                                            {"up.sqlite.sql", "down.sqlite.sql"}};
    for (int i = 0; i < n && ok; i++) {
        mig_entry *e = &ents[i];
        char ident[2][2][64];
        for (int d = 0; d < 2 && ok; d++)
            for (int k = 0; k < 2 && ok; k++) {
                if (!e->sql[d][k]) {
                    snprintf(ident[d][k], sizeof ident[d][k], "NULL");
                    continue;
                }
                snprintf(ident[d][k], sizeof ident[d][k], "m%04d_%s", e->version, kinds[d][k]);
                strbuf text, file;
                sb_init(&text);
                sb_init(&file);
                c_literal(e->sql[d][k], &text);
                const char *base = strrchr(e->dir, '/');
                sb_printf(&file, "%s/%s", base ? base + 1 : e->dir, files[d][k]);
                tmpl_slot s[] = {{"file", sb_str(&file)},
                                 {"ident", ident[d][k]},
                                 {"text", sb_str(&text)}};
                ok = render(cx, "sql", s, sizeof s / sizeof s[0], &sql);
                sb_free(&text);
                sb_free(&file);
            }
        strbuf nm;
        sb_init(&nm);
        for (const char *p = e->name; *p; p++) {
            if (*p == '"' || *p == '\\')
                sb_addc(&nm, '\\');
            sb_addc(&nm, *p);
        }
        sb_printf(&entries, "    {%d, \"%s\", %s, %s, %s, %s},\n", e->version, sb_str(&nm),
                  ident[0][0], ident[0][1], ident[1][0], ident[1][1]);
        sb_free(&nm);
    }
    if (ok) {
        tmpl_slot s[] = {{"version", DALC_VERSION},
                         {"source", cx->migrations_dir ? cx->migrations_dir : "migrations"},
                         {"P", P},                  {"guard", sb_str(&guard)},
                         {"n", sb_str(&nbuf)},      {"sql", sb_str(&sql)},
                         {"entries", sb_str(&entries)}};
        strbuf *h = output_add(o, "migrations.h");
        strbuf *c = output_add(o, "migrations.c");
        ok = h && c && render(cx, "header", s, sizeof s / sizeof s[0], h) &&
             render(cx, "source", s, sizeof s / sizeof s[0], c);
        if (ok && (h->oom || c->oom))
            ok = false;
    }
    sb_free(&guard);
    sb_free(&nbuf);
    sb_free(&sql);
    sb_free(&entries);
    mig_list_free(ents, n);
    return ok;
}
