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

int dalc_pull(const cli_args *args)
{
    const char *url = cli_get(args, "--db"), *out = cli_get(args, "--out");
    const char *tables[MAX_TABLES];
    int ntables = 0;
    if (!out)
        out = "schema";
    for (int i = 0; i < args->nopts; i++)
        if (strcmp(args->opts[i].name, "--table") == 0) {
            if (ntables == MAX_TABLES)
                return cli_usage_error(args, "at most %d --table options", MAX_TABLES);
            tables[ntables++] = args->opts[i].value;
        }
    if (!*url)
        return cli_usage_error(args, "dalc pull needs --db URL");
    if (!*out)
        return cli_usage_error(args, "--out needs a folder name");
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
