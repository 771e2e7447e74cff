/*
 * generate.c - `dalc generate` and `dalc check` (their options are in the
 * command table, commands.c):
 *
 *   dalc generate [--schema DIR] [--out DIR] [--prefix P] [--templates DIR]
 *                 [--migrations DIR] [--verify URL] [--jobs N]
 *   dalc check    (the same options)
 *
 * Exit codes: 0 success, 1 invalid schema (or template) or stale output,
 * 2 usage error, 3 I/O error.  Diagnostics go to stderr as
 * path:line:column: error: message.
 *
 * Pipeline: model_load_dir -> tmpl_load -> emit_ddl + emit_c +
 * emit_migrations -> output_commit (generate) or output_check (check).
 * The output set streams: each file is compared with the output folder
 * (and written to a temporary when it changed) as soon as it is rendered,
 * the tables' files on --jobs threads; nothing in the folder changes
 * before output_commit.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath */
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "emit/emit.h"
#include "sql/migrate.h"
#include "model/model.h"
#include "model/names.h"
#include "emit/template.h"
#include "base/util.h"
#include "cli/cli.h"

typedef struct opts {
    const char *command;
    const char *schema, *out, *prefix, *templates;
    const char *migrations; /* NULL: "migrations" beside --schema, when that exists */
    const char *verify;     /* --verify URL, else $DALC_VERIFY_URL, else NULL */
    int jobs;               /* --jobs N, else the online CPUs, at most DEFAULT_JOBS */
} opts;

/* The default --jobs at most: beyond a few threads, writing the files and
 * the single-threaded stages dominate. */
#define DEFAULT_JOBS 4
#define MAX_JOBS 64

static bool valid_prefix(const char *p)
{
    if (!*p)
        return true;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Returns -1 when the options are fine, else the exit code. */
static int check_args(const cli_args *a, opts *o)
{
    const char *v;
    if ((v = cli_get(a, "--schema")))
        o->schema = v;
    if ((v = cli_get(a, "--out")))
        o->out = v;
    if ((v = cli_get(a, "--prefix")))
        o->prefix = v;
    o->templates = cli_get(a, "--templates");
    o->migrations = cli_get(a, "--migrations");
    o->verify = cli_get(a, "--verify");
    int j = cli_get_int(a, "--jobs", 1, MAX_JOBS, &o->jobs);
    if (j < 0)
        return cli_usage_error(a, "--jobs %s: give a number of threads from 1 to %d",
                               cli_get(a, "--jobs"), MAX_JOBS);
    if (j == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->jobs = n < 1 ? 1 : n > DEFAULT_JOBS ? DEFAULT_JOBS : (int)n;
    }
    if (!*o->schema || !*o->out)
        return cli_usage_error(a, "--schema and --out need a folder name");
    if (!valid_prefix(o->prefix))
        return cli_usage_error(a,
                               "invalid --prefix %s (letters, digits and '_', not starting "
                               "with a digit)",
                               o->prefix);
    if (!is_dir(o->schema))
        return cli_usage_error(a, "the schema folder %s does not exist (see --schema)",
                               o->schema);
    if (o->templates && !is_dir(o->templates))
        return cli_usage_error(a, "the templates folder %s does not exist", o->templates);
    if (o->migrations && !is_dir(o->migrations))
        return cli_usage_error(a, "the migrations folder %s does not exist", o->migrations);
    return -1;
}

/* The name banners give folder path: its last component ("schema" for
 * "/srv/app/schema/", "./schema" or "schema"), resolved for "." and
 * ".." - never the path itself, which depends on where the tree is. */
static const char *folder_name(const char *path, char *buf, size_t n, const char *fallback)
{
    char *real = NULL;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t blen = len - start;
    const char *base = path + start;
    if (blen == 0 || (blen == 1 && base[0] == '.') || (blen == 2 && strncmp(base, "..", 2) == 0)) {
        real = realpath(path, NULL);
        const char *slash = real ? strrchr(real, '/') : NULL;
        base = slash && slash[1] ? slash + 1 : fallback;
        blen = strlen(base);
    }
    snprintf(buf, n, "%.*s", (int)blen, base);
    free(real);
    return buf;
}

/* Drift: when the schema differs from the snapshot of the newest migration
 * in mdir, a change no migration captures.  Returns the number of
 * statements a new migration would hold (0: none), -1 on error (message
 * in d); prints the first statements. */
static int drift(const model *m, const char *mdir, diag_list *d)
{
    mig_entry *ents = NULL;
    int n = 0, count = 0;
    model *prev = NULL;
    if (!mig_list(mdir, false, &ents, &n, d))
        return -1;
    if (n == 0) {
        mig_list_free(ents, n);
        return 0;
    }
    if (!mig_last_snapshot(mdir, ents, n, &prev, d)) {
        mig_list_free(ents, n);
        return -1;
    }
    mig_diff md;
    mig_diff_init(&md);
    if (!mig_diff_models(prev, m, &md)) {
        count = -1;
    } else if (!mig_diff_empty(&md)) {
        /* the PostgreSQL up statements, one line each (their first line) */
        const char *p = sb_str(&md.sql[SQL_PG][0]);
        for (const char *l = p; *l;) {
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l) : strlen(l);
            bool stmt = !strncmp(l, "CREATE ", 7) || !strncmp(l, "ALTER ", 6) ||
                        !strncmp(l, "DROP ", 5) || !strncmp(l, "COMMENT ", 8) ||
                        !strncmp(l, "UPDATE ", 7) || !strncmp(l, "INSERT ", 7);
            if (stmt && count < 5)
                fprintf(stderr, "  %.*s\n", (int)(len > 100 ? 100 : len), l);
            count += stmt;
            if (!e)
                break;
            l = e + 1;
        }
        if (count > 5)
            fprintf(stderr, "  ... (%d statements in all)\n", count);
        if (count == 0)
            count = 1;
    }
    mig_diff_free(&md);
    model_free(prev);
    mig_list_free(ents, n);
    return count;
}

static void flush_diags(diag_list *d)
{
    if (d->text.len)
        fputs(sb_str(&d->text), stderr);
    sb_clear(&d->text);
}

int dalc_generate(const cli_args *a)
{
    opts o = {a->cmd->name, "schema", "generated", "", NULL, NULL, NULL, 1};
    int rc = check_args(a, &o);
    if (rc >= 0)
        return rc;

    diag_list d;
    diag_init(&d);
    model *m = model_load_dir(o.schema, &d);
    if (!m) {
        flush_diags(&d);
        fprintf(stderr, "dalc: %d error%s; nothing was written\n", d.errors,
                d.errors == 1 ? "" : "s");
        diag_free(&d);
        return EXIT_INVALID;
    }
    tmpl_set *t = tmpl_load(o.templates, &d);
    if (!t) {
        flush_diags(&d);
        fprintf(stderr, "dalc: invalid templates; nothing was written\n");
        model_free(m);
        diag_free(&d);
        return EXIT_INVALID;
    }

    output_set out;
    output_init(&out);
    /* By default the migrations beside the schema folder are embedded
     * (schema -> migrations, app/schema -> app/migrations), never those of
     * another project that happens to be in the current directory. */
    const char *mdir = o.migrations;
    char sibling[4096];
    if (!mdir) {
        int dlen = (int)strlen(o.schema);
        while (dlen > 1 && o.schema[dlen - 1] == '/') /* "schema/" is "schema" */
            dlen--;
        while (dlen > 0 && o.schema[dlen - 1] != '/')
            dlen--;
        if (snprintf(sibling, sizeof sibling, "%.*smigrations", dlen, o.schema) <
                (int)sizeof sibling &&
            is_dir(sibling))
            mdir = sibling;
    }
    c_names_warn_libc(m, m->arena, o.prefix, &d);
    bool drifted = false;
    if (mdir) {
        int nd = drift(m, mdir, &d);
        flush_diags(&d);
        if (nd > 0) {
            fprintf(stderr, "dalc: %s: the schema has changes that no migration in %s captures "
                            "(above, as the next migration would apply them): run `dalc "
                            "migration new NAME`\n",
                    strcmp(o.command, "check") == 0 ? "error" : "warning", mdir);
            drifted = true;
        }
    }
    char schema_name[256], mig_name[256];
    emit_ctx cx = {.m = m,
                   .tmpl = t,
                   .prefix = o.prefix,
                   .schema_dir = folder_name(o.schema, schema_name, sizeof schema_name, "schema"),
                   .d = &d,
                   .migrations_dir =
                       mdir ? folder_name(mdir, mig_name, sizeof mig_name, "migrations") : NULL};
    /* named queries: checked and typed against the schema's SQLite DDL */
    arena *qa = arena_new();
    strbuf ddl;
    sb_init(&ddl);
    bool ok = qa && emit_ddl_sqlite_tables(&cx, &ddl);
    const q_set *qs = ok ? check_queries(qa, m, o.schema, o.prefix, sb_str(&ddl), &d) : NULL;
    sb_free(&ddl);
    ok = ok && qs;
    if (!o.verify && getenv("DALC_VERIFY_URL") && *getenv("DALC_VERIFY_URL"))
        o.verify = getenv("DALC_VERIFY_URL");
    if (ok && !d.errors && o.verify && (qs->nfiles > 0 || qs->nviews > 0)) {
        strbuf pgddl;
        sb_init(&pgddl);
        ok = emit_ddl_pg(&cx, &pgddl) && check_verify_pg(qa, qs, o.verify, sb_str(&pgddl), &d);
        sb_free(&pgddl);
    }
    cx.queries = qs;
    cx.jobs = o.jobs;
    /* When the folder cannot be created, the set stays in memory and
     * output_commit reports it, after any error in the schema. */
    bool gen = strcmp(o.command, "generate") == 0;
    output_stream(&out, o.out, gen ? OUT_COMMIT : OUT_CHECK);
    ok = emit_ddl(&cx, &out) && ok;
    ok = emit_c(&cx, &out) && ok;
    if (mdir)
        ok = emit_migrations(&cx, mdir, &out) && ok;
    if (ok && !d.errors)
        ok = emit_queries(&cx, qs, &out);
    if (!ok || d.errors) {
        flush_diags(&d);
        fprintf(stderr, "dalc: generation failed; nothing was written\n");
        rc = EXIT_INVALID;
    } else if (gen) {
        rc = output_commit(&out, o.out, &d);
        flush_diags(&d);
    } else {
        strbuf report;
        sb_init(&report);
        rc = output_check(&out, o.out, &report, &d);
        flush_diags(&d);
        if (report.len)
            fputs(sb_str(&report), stdout);
        if (rc == 1)
            fprintf(stderr, "dalc: %s is out of date: run dalc generate\n", o.out);
        if (rc == 0 && drifted)
            rc = EXIT_INVALID;
        sb_free(&report);
    }
    output_free(&out);
    arena_free(qa);
    tmpl_free(t);
    model_free(m);
    diag_free(&d);
    return rc;
}
