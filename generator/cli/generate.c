/*
 * generate.c - `dalc generate`, `dalc check`, `--help` and `--version`
 * (spec/cli.md):
 *
 *   dalc generate [--schema DIR] [--out DIR] [--prefix P] [--templates DIR]
 *   dalc check    [--schema DIR] [--out DIR] [--prefix P] [--templates DIR]
 *
 * Options may come in any order, before or after the command, as
 * "--opt VALUE" or "--opt=VALUE".  Exit codes: 0 success, 1 invalid schema
 * (or template) or stale output, 2 usage error, 3 I/O error.  Diagnostics
 * go to stderr as path:line:column: error: message.
 *
 * Pipeline: model_load_dir -> tmpl_load -> emit_ddl + emit_c +
 * emit_migrations (all in memory) -> output_commit (generate) or
 * output_check (check).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check/check.h"
#include "emit/emit.h"
#include "sql/migrate.h"
#include "model/model.h"
#include "model/names.h"
#include "emit/template.h"
#include "base/util.h"
#include "cli/cli.h"

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char USAGE[] =
    "usage: dalc generate [--schema DIR] [--out DIR] [--prefix P] [--templates DIR]\n"
    "       dalc check    [--schema DIR] [--out DIR] [--prefix P] [--templates DIR]\n"
    "                     [--migrations DIR] [--verify URL]   (generate and check)\n"
    "       dalc migration new NAME [--schema DIR] [--migrations DIR]\n"
    "       dalc migrate [--db URL] [--migrations DIR] status|up [N]|down [N]|baseline N|repair\n"
    "                    [--dry-run] [--allow-destructive] [--target V] [--lock-timeout MS]\n"
    "       dalc pull --db URL [--out DIR] [--table NAME ...]\n"
    "       dalc diff --db URL [--schema DIR]\n"
    "       dalc --help | --version\n";

static const char HELP[] =
    "\n"
    "dalc compiles a YAML schema (one schema/<table>.yaml per table) into SQL DDL for\n"
    "PostgreSQL and SQLite and C code (structs, row mapping, CRUD functions).\n"
    "\n"
    "commands:\n"
    "  generate         write every output file (all or none; unchanged files keep\n"
    "                   their mtime; files dalc wrote before and no longer produces\n"
    "                   are removed)\n"
    "  check            change nothing; exit 0 when the output folder is exactly what\n"
    "                   generate would write, else 1 and list stale, missing and\n"
    "                   extra files\n"
    "  migration new    write migrations/NNNN_NAME/ (up/down SQL for both engines and a\n"
    "                   snapshot of the schema) from the changes since the last one\n"
    "  migrate          status | up [N] | down [N]: apply (at most N) or revert (N,\n"
    "                   default 1) migrations on --db\n"
    "                   (default $DATABASE_URL, else sqlite:dalc.db); see docs/migrations.md\n"
    "                   baseline N: record migrations 1..N as applied without running\n"
    "                   them (a database made by schema_create or by hand)\n"
    "                   repair: accept applied migrations edited without changing their\n"
    "                   effect (re-derives the schema and compares)\n"
    "  pull             write schema files for the tables and views of a live database\n"
    "                   (see dalc pull --help, docs/pull.md)\n"
    "  diff             print what differs between a live database and the schema\n"
    "                   (exit 1 when anything does; see dalc diff --help)\n"
    "\n"
    "options:\n"
    "  --schema DIR     the schema folder (default: schema)\n"
    "  --out DIR        the output folder (default: generated)\n"
    "  --prefix P       prefix of every generated C name (default: none)\n"
    "  --templates DIR  read NAME.tmpl templates from DIR instead of the built-in ones\n"
    "  --migrations DIR embed the migrations of DIR (migrations.c/.h, schema_migrate);\n"
    "                   default: the folder `migrations` beside the schema folder,\n"
    "                   when it exists\n"
    "  --verify URL     also check the named queries on this PostgreSQL server (in a\n"
    "                   transaction that is rolled back; default $DALC_VERIFY_URL)\n"
    "  --help           this text\n"
    "  --version        the dalc version\n"
    "\n"
    "exit codes: 0 success, 1 invalid schema or stale output, 2 usage error, 3 I/O error\n";

typedef struct opts {
    const char *command;
    const char *schema, *out, *prefix, *templates;
    const char *migrations; /* NULL: "migrations" beside --schema, when that exists */
    const char *verify;     /* --verify URL, else $DALC_VERIFY_URL, else NULL */
} opts;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dalc: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return EXIT_USAGE;
}

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

/* Returns -1 when the options are fine, else the exit code. */
static int parse_args(int argc, char **argv, opts *o)
{
    static const struct {
        const char *name;
        size_t off;
    } OPTS[] = {
        {"--schema", offsetof(opts, schema)},
        {"--out", offsetof(opts, out)},
        {"--prefix", offsetof(opts, prefix)},
        {"--templates", offsetof(opts, templates)},
        {"--migrations", offsetof(opts, migrations)},
        {"--verify", offsetof(opts, verify)},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("%s%s", USAGE, HELP);
            return EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("dalc %s\n", DALC_VERSION);
            return EXIT_OK;
        }
        if (a[0] == '-') {
            size_t k;
            const char *value = NULL;
            for (k = 0; k < sizeof OPTS / sizeof OPTS[0]; k++) {
                size_t n = strlen(OPTS[k].name);
                if (strcmp(a, OPTS[k].name) == 0) {
                    if (i + 1 >= argc)
                        return usage_error("option %s needs a value", a);
                    value = argv[++i];
                    break;
                }
                if (strncmp(a, OPTS[k].name, n) == 0 && a[n] == '=') {
                    value = a + n + 1;
                    break;
                }
            }
            if (k == sizeof OPTS / sizeof OPTS[0])
                return usage_error("unknown option %s", a);
            *(const char **)((char *)o + OPTS[k].off) = value;
            continue;
        }
        if (o->command)
            return usage_error("unexpected argument %s (one command only)", a);
        if (strcmp(a, "generate") != 0 && strcmp(a, "check") != 0)
            return usage_error("unknown command %s (generate or check)", a);
        o->command = a;
    }
    if (!o->command)
        return usage_error("%s", "no command given");
    if (!*o->schema || !*o->out)
        return usage_error("%s", "--schema and --out need a folder name");
    if (!valid_prefix(o->prefix))
        return usage_error("invalid --prefix %s (letters, digits and '_', not starting with a "
                           "digit)",
                           o->prefix);
    struct stat st;
    if (stat(o->schema, &st) != 0 || !S_ISDIR(st.st_mode))
        return usage_error("the schema folder %s does not exist (see --schema)", o->schema);
    if (o->templates && (stat(o->templates, &st) != 0 || !S_ISDIR(st.st_mode)))
        return usage_error("the templates folder %s does not exist", o->templates);
    if (o->migrations && (stat(o->migrations, &st) != 0 || !S_ISDIR(st.st_mode)))
        return usage_error("the migrations folder %s does not exist", o->migrations);
    return -1;
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

int dalc_generate(int argc, char **argv)
{
    opts o = {NULL, "schema", "generated", "", NULL, NULL, NULL};
    int rc = parse_args(argc, argv, &o);
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
    struct stat st;
    if (!mdir) {
        int dlen = (int)strlen(o.schema);
        while (dlen > 1 && o.schema[dlen - 1] == '/') /* "schema/" is "schema" */
            dlen--;
        while (dlen > 0 && o.schema[dlen - 1] != '/')
            dlen--;
        if (snprintf(sibling, sizeof sibling, "%.*smigrations", dlen, o.schema) <
                (int)sizeof sibling &&
            stat(sibling, &st) == 0 && S_ISDIR(st.st_mode))
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
    emit_ctx cx = {.m = m, .tmpl = t, .prefix = o.prefix, .schema_dir = o.schema, .d = &d,
                   .migrations_dir = mdir};
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
    } else if (strcmp(o.command, "generate") == 0) {
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
