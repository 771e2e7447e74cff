/*
 * pull.c - `dalc pull --db URL [--out DIR] [--table NAME ...]`: writes one
 * schema file per table and view of a live database (introspect/ reads
 * it, emit_yaml writes it), prints a warning for everything the schema
 * language cannot say, then loads what it wrote like any schema so that a
 * file that would not load is reported now.  docs/pull.md.
 *
 * Exit codes: 0 written, 1 written but the schema does not load as it is,
 * 2 usage error, 3 connection failure or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "emit/emit.h"
#include "front/yamltree.h"
#include "introspect/introspect.h"
#include "model/model.h"

#define MAX_TABLES 256

static const char PULL_USAGE[] = "usage: dalc pull --db URL [--out DIR] [--table NAME ...]\n";

static const char PULL_HELP[] =
    "\n"
    "Reads the tables and views of a live PostgreSQL or SQLite database and writes one\n"
    "schema file per table and view into DIR (default: schema), as a person writes them.\n"
    "What the schema language cannot say is printed as a warning naming the table and\n"
    "column and what was done (see docs/pull.md).\n"
    "\n"
    "options:\n"
    "  --db URL        the database: sqlite:PATH, postgres://..., postgresql://... or a\n"
    "                  libpq key=value string (a SQLite file is opened read-only)\n"
    "  --out DIR       the folder to write into (default: schema; created when missing;\n"
    "                  other files in it are left alone)\n"
    "  --table NAME    pull only this table or view (repeatable)\n"
    "  --help          this text\n"
    "\n"
    "exit codes: 0 written, 1 written but the files need edits before they load,\n"
    "            2 usage error, 3 connection failure or I/O error\n";

int cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strcmp(a, name) == 0) {
        if (*i + 1 >= argc)
            return -1;
        *value = argv[++*i];
        return 1;
    }
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    return 0;
}

static bool write_file(const char *dir, const char *name, const strbuf *body)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.dalc-tmp", dir, name);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return false;
    bool ok = fwrite(body->data ? body->data : "", 1, body->len, f) == body->len;
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok)
        unlink(tmp);
    return ok;
}

int dalc_pull(int argc, char **argv)
{
    const char *url = NULL, *out = "schema";
    const char *tables[MAX_TABLES];
    int ntables = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int r;
        if (!strcmp(a, "pull"))
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("%s%s", PULL_USAGE, PULL_HELP);
            return 0;
        }
        if ((r = cli_option(argc, argv, &i, "--db", &v)) != 0 ||
            (r = cli_option(argc, argv, &i, "--out", &v)) != 0 ||
            (r = cli_option(argc, argv, &i, "--table", &v)) != 0) {
            if (r < 0) {
                fprintf(stderr, "dalc: error: option %s needs a value\n%s", a, PULL_USAGE);
                return 2;
            }
            if (!strncmp(a, "--db", 4))
                url = v;
            else if (!strncmp(a, "--out", 5))
                out = v;
            else if (ntables < MAX_TABLES)
                tables[ntables++] = v;
            else {
                fprintf(stderr, "dalc: error: at most %d --table options\n", MAX_TABLES);
                return 2;
            }
            continue;
        }
        fprintf(stderr, "dalc: error: %s %s\n%s", a[0] == '-' ? "unknown option" : "unexpected "
                "argument", a, PULL_USAGE);
        return 2;
    }
    if (!url || !*url) {
        fprintf(stderr, "dalc: error: pull needs --db URL\n%s", PULL_USAGE);
        return 2;
    }
    if (!*out) {
        fprintf(stderr, "dalc: error: --out needs a folder name\n%s", PULL_USAGE);
        return 2;
    }
    diag_list d;
    diag_init(&d);
    arena *a = arena_new();
    db_schema s;
    db_fail fail = DB_FAIL_NOMEM;
    int rc = 0;
    output_set o;
    output_init(&o);
    if (!a || !introspect_db(url, tables, ntables, a, &s, &d, &fail)) {
        fputs(sb_str(&d.text), stderr);
        rc = fail == DB_FAIL_CONNECT || fail == DB_FAIL_NOMEM ? 3 : 1;
        goto done;
    }
    fputs(sb_str(&d.text), stderr);
    sb_clear(&d.text);
    int warnings = d.warnings;
    if (!emit_yaml(&s, &o)) {
        fprintf(stderr, "dalc: out of memory\n");
        rc = 3;
        goto done;
    }
    struct stat st;
    if (stat(out, &st) != 0 && mkdir(out, 0777) != 0) {
        fprintf(stderr, "dalc: cannot create %s: %s\n", out, strerror(errno));
        rc = 3;
        goto done;
    }
    for (int i = 0; i < o.nfiles; i++)
        if (!write_file(out, o.files[i]->name, &o.files[i]->body)) {
            fprintf(stderr, "dalc: cannot write %s/%s: %s\n", out, o.files[i]->name,
                    strerror(errno));
            rc = 3;
            goto done;
        }
    /* what was written must load like any schema: parse and build it from
     * memory (the folder may hold other files) */
    yaml_doc **docs = arena_alloc(a, (size_t)(o.nfiles + 1) * sizeof *docs);
    int ndocs = 0;
    diag_list md;
    diag_init(&md);
    for (int i = 0; docs && i < o.nfiles; i++) {
        const char *path = arena_printf(a, "%s/%s", out, o.files[i]->name);
        yaml_doc *doc = path ? yt_parse(a, path, o.files[i]->body.data, o.files[i]->body.len,
                                        &md)
                             : NULL;
        if (doc)
            docs[ndocs++] = doc;
    }
    model *m = docs && !md.errors && ntables == 0 ? model_build(docs, ndocs, out, &md) : NULL;
    if (md.errors) {
        fputs(sb_str(&md.text), stderr);
        fprintf(stderr, "dalc: the files in %s need edits before the schema loads (see above)\n",
                out);
        rc = 1;
    }
    model_free(m);
    diag_free(&md);
    fprintf(stderr, "dalc: pulled %d table%s and %d view%s into %s/", s.ntables,
            s.ntables == 1 ? "" : "s", s.nviews, s.nviews == 1 ? "" : "s", out);
    if (warnings)
        fprintf(stderr, " (%d warning%s)", warnings, warnings == 1 ? "" : "s");
    fprintf(stderr, "\n");
done:
    output_free(&o);
    arena_free(a);
    diag_free(&d);
    return rc;
}
