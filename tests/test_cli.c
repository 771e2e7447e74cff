/*
 * test_cli.c - the dalc command line (docs/cli.md), run as a separate
 * process: $DALC_BUILD/dalc, with stdout and stderr redirected into
 * $DALC_TEST_TMP.  Exit codes, option parsing, atomic output (an error
 * leaves the output folder untouched; unchanged files keep their mtime;
 * files dalc no longer produces are removed, nothing else is), `check`
 * reporting stale / missing / extra files, --templates and --prefix.
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char out_text[1 << 16], err_text[1 << 16];

static void read_into(const char *path, char *buf, size_t n)
{
    char *s = test_slurp(path, NULL);
    snprintf(buf, n, "%s", s ? s : "");
    free(s);
}

/* Runs "$DALC_BUILD/dalc ARGS"; returns its exit code, output in out_text
 * and err_text. */
static int dalc(const char *fmt, ...)
{
    char args[4096], cmd[8192], o[1024], e[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    test_tmp_path(o, sizeof o, "stdout.txt");
    test_tmp_path(e, sizeof e, "stderr.txt");
    snprintf(cmd, sizeof cmd, "%s/dalc %s >%s 2>%s </dev/null", test_build_dir(), args, o, e);
    int st = system(cmd);
    read_into(o, out_text, sizeof out_text);
    read_into(e, err_text, sizeof err_text);
    if (st == -1 || !WIFEXITED(st))
        fail_msg("dalc %s did not exit normally (%d)", args, st);
    return WEXITSTATUS(st);
}

static const char *tmp(char *buf, const char *name)
{
    return test_tmp_path(buf, 1024, name);
}

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("failed: %s", cmd);
}

static bool exists(const char *dir, const char *name)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0;
}

/* A snapshot of a folder: "name size mtime.ns\n" per entry, sorted, plus
 * the content hash (FNV) of each file. */
static char *snapshot(const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0)
        return strdup("(missing)");
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, list[i]->d_name);
        struct stat st;
        if (list[i]->d_name[0] != '.' && stat(p, &st) == 0) {
            unsigned long long h = 1469598103934665603ULL;
            size_t flen = 0;
            char *text = S_ISREG(st.st_mode) ? test_slurp(p, &flen) : NULL;
            for (size_t k = 0; text && k < flen; k++)
                h = (h ^ (unsigned char)text[k]) * 1099511628211ULL;
            free(text);
            if (len + 512 > cap) {
                cap *= 2;
                s = realloc(s, cap);
            }
            len += (size_t)snprintf(s + len, cap - len, "%s %lld %lld.%09ld %llx\n",
                                    list[i]->d_name, (long long)st.st_size,
                                    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, h);
        }
        free(list[i]);
    }
    free(list);
    return s;
}

/* Sets every file of dir to an old mtime, so that a rewrite is visible. */
static void age(const char *dir)
{
    sh("find '%s' -type f -exec touch -d '2001-01-01 00:00:00' {} +", dir);
}

static long long mtime_of(const char *dir, const char *name)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    if (stat(p, &st) != 0)
        return -1;
    return (long long)st.st_mtim.tv_sec;
}

/* A private copy of schema/ to edit. */
static const char *schema_copy(char *buf, const char *name)
{
    tmp(buf, name);
    sh("rm -rf '%s' && cp -r schema '%s'", buf, buf);
    return buf;
}

/* ---- usage -------------------------------------------------------------- */

static void test_version_help(void **state)
{
    (void)state;
    assert_int_equal(dalc("--version"), 0);
    assert_non_null(strstr(out_text, "dalc 0."));
    assert_int_equal(dalc("--help"), 0);
    assert_non_null(strstr(out_text, "usage: dalc COMMAND"));
    assert_non_null(strstr(out_text, "\n  generate "));
    assert_string_equal(err_text, "");
    assert_int_equal(dalc("generate --help"), 0);
    assert_non_null(strstr(out_text, "usage: dalc generate"));
    assert_non_null(strstr(out_text, "--templates DIR"));
    assert_string_equal(err_text, "");
}

/* The commands `dalc --help` lists (the lines under "commands:"), each as
 * its words ("migrate up"); returns their count. */
static int listed_commands(char names[][64], int max)
{
    assert_int_equal(dalc("--help"), 0);
    const char *p = strstr(out_text, "\ncommands:\n");
    assert_non_null(p);
    p += strlen("\ncommands:\n");
    int n = 0;
    while (strncmp(p, "  ", 2) == 0 && n < max) {
        if (p[2] != ' ') {
            /* "  migrate up [N]   summary": the words before an argument */
            const char *q = p + 2;
            size_t len = 0;
            while (q[len] && q[len] != '\n' && !(q[len] == ' ' && q[len + 1] == ' ') &&
                   !(q[len] == ' ' && (q[len + 1] == '[' || (q[len + 1] >= 'A' && q[len + 1] <= 'Z'))))
                len++;
            snprintf(names[n++], 64, "%.*s", (int)len, q);
        }
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return n;
}

/* Every command has a --help (exit 0) that shows its usage and every
 * option, each with a description. */
static void test_help_every_command(void **state)
{
    (void)state;
    char names[64][64];
    int n = listed_commands(names, 64);
    assert_true(n >= 12);
    const char *must[] = {"generate", "check", "pull", "diff", "runtime", "migration new",
                          "migrate status", "migrate up", "migrate down", "migrate baseline",
                          "migrate repair", "completion"};
    for (size_t k = 0; k < sizeof must / sizeof must[0]; k++) {
        bool found = false;
        for (int i = 0; i < n; i++)
            found = found || strcmp(names[i], must[k]) == 0;
        if (!found)
            fail_msg("dalc --help does not list %s", must[k]);
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(dalc("%s --help", names[i]), 0);
        char want[128];
        snprintf(want, sizeof want, "usage: dalc %.60s", names[i]);
        if (strncmp(out_text, want, strlen(want)) != 0)
            fail_msg("dalc %s --help starts with: %.80s", names[i], out_text);
        assert_non_null(strstr(out_text, "\noptions:\n  --"));
        assert_non_null(strstr(out_text, "  --help "));
        assert_non_null(strstr(out_text, "exit codes:"));
        assert_string_equal(err_text, "");
        /* every option in the usage line is described below */
        char usage[2048];
        snprintf(usage, sizeof usage, "%.*s", (int)(strstr(out_text, "\n\n") - out_text),
                 out_text);
        for (char *o = strstr(usage, "--"); o; o = strstr(o + 2, "--")) {
            char opt[64], line[80];
            snprintf(opt, sizeof opt, "%.*s", (int)strcspn(o, " ]\n"), o);
            snprintf(line, sizeof line, "\n  %s ", opt);
            if (!strstr(out_text, line))
                fail_msg("dalc %s --help: %s is not described", names[i], opt);
        }
        /* -h and the option after the command words work alike */
        assert_int_equal(dalc("--help %s", names[i]), 0);
        assert_int_equal(dalc("%s -h", names[i]), 0);
    }
    assert_int_equal(dalc("migrate --help"), 0);
    assert_non_null(strstr(out_text, "migrate baseline N"));
    assert_int_equal(dalc("migration --help"), 0);
    assert_non_null(strstr(out_text, "migration new NAME"));
}

/* dalc ARGS is a usage error (exit 2) whose message says msg. */
static void usage_says(const char *args, const char *msg)
{
    assert_int_equal(dalc("%s", args), 2);
    if (!strstr(err_text, msg))
        fail_msg("dalc %s: no \"%s\" in:\n%s", args, msg, err_text);
}

/* Unknown commands list every command; typos get a suggestion; exit 2. */
static void test_unknown_and_suggestions(void **state)
{
    (void)state;
    char names[64][64];
    int n = listed_commands(names, 64);
    usage_says("frobnicate", "unknown command frobnicate");
    assert_null(strstr(err_text, "did you mean"));
    for (int i = 0; i < n; i++) {
        char line[96];
        snprintf(line, sizeof line, "\n  %.60s ", names[i]);
        if (!strstr(err_text, line))
            fail_msg("unknown command: %s is not listed in\n%s", names[i], err_text);
    }
    usage_says("genrate", "unknown command genrate (did you mean generate?)");
    usage_says("migrate upp", "unknown subcommand migrate upp (did you mean up?)");
    assert_non_null(strstr(err_text, "migrate repair"));
    usage_says("migrate", "dalc migrate needs a subcommand");
    usage_says("generate --shema schema",
               "unknown option --shema for dalc generate (did you mean --schema?)");
    usage_says("migrate up --alow-destructive", "(did you mean --allow-destructive?)");
    usage_says("migrate up --dryrun", "(did you mean --dry-run?)");
    usage_says("migration new x --migration m", "(did you mean --migrations?)");
    /* an option of another command is not one of this command's */
    usage_says("migrate status --schema schema",
               "unknown option --schema for dalc migrate status");
    assert_int_equal(dalc("generate --dry-run"), 2);
    /* flags take no value; arguments are counted */
    usage_says("migrate up --dry-run=yes", "--dry-run takes no value");
    usage_says("migrate up 1 2", "unexpected argument 2");
    usage_says("migration new", "dalc migration new needs NAME");
    assert_int_equal(dalc("runtime"), 2);
    usage_says("pull", "dalc pull needs --db URL");
    assert_int_equal(dalc("completion zsh"), 2);
}

/* Exit codes of the migrate commands: a missing --migrations folder and a
 * failed connection are I/O errors (3), a URL of no accepted form a usage
 * error (2) naming the accepted forms; status never creates a database. */
static void test_migrate_exit_codes(void **state)
{
    (void)state;
    char m[1024], db[1024];
    tmp(m, "exit_migrations");
    tmp(db, "exit.db");
    sh("rm -rf '%s' && mkdir -p '%s'", m, m);
    assert_int_equal(dalc("migrate status --db sqlite:%s --migrations %s/nope", db, m), 3);
    assert_non_null(strstr(err_text, "nope"));
    assert_int_equal(dalc("migrate up --db sqlite:%s --migrations %s/nope", db, m), 3);
    assert_int_equal(dalc("migrate status --db 'postgresql:///x?host=/nonexistent-dir' "
                          "--migrations %s",
                          m),
                     3);
    assert_non_null(strstr(err_text, "cannot open the database"));
    assert_int_equal(dalc("migrate up --db 'host=/nonexistent-dir dbname=x' --migrations %s", m),
                     3);
    const char *bad[] = {"mysql://u:pw@h/db", "app.db", "sqlite3:x.db", "file:x.db",
                         "sqlite://exit2.db"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dalc("migrate up --db '%s' --migrations %s", bad[i], m), 2);
        assert_non_null(strstr(err_text, "sqlite:PATH"));
        assert_non_null(strstr(err_text, "postgresql://"));
        assert_null(strstr(err_text, ":pw@"));
        assert_int_equal(dalc("migrate status --db '%s' --migrations %s", bad[i], m), 2);
    }
    assert_int_equal(access("/exit2.db", F_OK), -1);
    assert_int_equal(access("exit2.db", F_OK), -1);
    /* status of a missing file: everything pending, nothing created */
    assert_int_equal(dalc("migrate status --db sqlite:%s --migrations %s", db, m), 0);
    assert_int_equal(access(db, F_OK), -1);
    assert_int_equal(dalc("migrate status --db 'sqlite:%s?busy_timeout=10' --migrations %s", db, m),
                     0);
    assert_int_equal(access(db, F_OK), -1);
    /* generate: a --migrations folder that does not exist is an error */
    char o[1024];
    tmp(o, "exit_out");
    assert_int_equal(dalc("generate --out %s --migrations %s/nope", o, m), 2);
    assert_non_null(strstr(err_text, "does not exist"));
    assert_false(exists(o, "schema.h"));
}

static void test_usage_errors(void **state)
{
    (void)state;
    char o[1024];
    tmp(o, "usage_out");
    assert_int_equal(dalc(""), 2);
    assert_non_null(strstr(err_text, "no command"));
    assert_int_equal(dalc("frobnicate"), 2);
    assert_non_null(strstr(err_text, "unknown command frobnicate"));
    assert_int_equal(dalc("generate --bogus --out %s", o), 2);
    assert_non_null(strstr(err_text, "unknown option --bogus"));
    assert_int_equal(dalc("generate --out"), 2);
    assert_non_null(strstr(err_text, "--out needs a value"));
    assert_int_equal(dalc("generate check --out %s", o), 2);
    assert_int_equal(dalc("generate --schema /nonexistent/schema --out %s", o), 2);
    assert_int_equal(dalc("generate --prefix 9x --out %s", o), 2);
    assert_int_equal(dalc("generate --templates /nonexistent/t --out %s", o), 2);
    assert_non_null(strstr(err_text, "usage:"));
    assert_false(exists(o, "schema.pg.sql")); /* nothing written on a usage error */
}

/* ---- generate ----------------------------------------------------------- */

static void test_generate_any_order(void **state)
{
    (void)state;
    char o[1024], o2[1024];
    tmp(o, "gen/nested/out"); /* created with its parents */
    tmp(o2, "gen_b");
    assert_int_equal(dalc("generate --schema schema --out %s", o), 0);
    assert_true(exists(o, "schema.pg.sql"));
    assert_true(exists(o, "schema.sqlite.sql"));
    assert_true(exists(o, "jobs.h"));
    assert_true(exists(o, "jobs.c"));
    /* options before the command, --opt=value form */
    assert_int_equal(dalc("--out=%s --schema=schema generate", o2), 0);
    char *a = snapshot(o), *b = snapshot(o2);
    /* same names and sizes and content (mtimes differ) */
    sh("diff -r '%s' '%s' >/dev/null", o, o2);
    free(a);
    free(b);
    assert_int_equal(dalc("check --out %s", o), 0);
    assert_string_equal(out_text, "");
}

static void test_unchanged_keep_mtime(void **state)
{
    (void)state;
    char o[1024], s[1024];
    tmp(o, "mtime_out");
    schema_copy(s, "mtime_schema");
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    age(o);
    char *before = snapshot(o);
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    char *after = snapshot(o);
    assert_string_equal(before, after); /* nothing rewritten */
    free(before);
    free(after);

    /* change one table's comment: its files and the DDL change, nothing else */
    sh("sed -i 's/^comment: .*/comment: Changed comment./' '%s/tags.yaml'", s);
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    long long old = mtime_of(o, "jobs.c");
    assert_true(old > 0 && old < 1000000000LL + 100000000LL); /* still 2001 */
    assert_true(mtime_of(o, "schema.pg.sql") > 1500000000LL);
    assert_true(mtime_of(o, "tags.h") > 1500000000LL);
    char *pg = NULL;
    char p[2048];
    snprintf(p, sizeof p, "%s/schema.pg.sql", o);
    pg = test_slurp(p, NULL);
    assert_non_null(strstr(pg, "'Changed comment.'"));
    free(pg);
    /* no temporary files left behind */
    sh("! ls -a '%s' | grep -q dalc-tmp", o);
}

static void test_stale_removed(void **state)
{
    (void)state;
    char o[1024], p[2048];
    tmp(o, "stale_out");
    assert_int_equal(dalc("generate --out %s", o), 0);
    snprintf(p, sizeof p, "%s/old_table.c", o);
    test_write_file(p, "/* generated by dalc 0.0.1 from schema/old_table.yaml, DO NOT EDIT */\n");
    snprintf(p, sizeof p, "%s/old_table.h", o);
    test_write_file(p, "/* generated by dalc 0.0.1 from schema/old_table.yaml, DO NOT EDIT */\n");
    snprintf(p, sizeof p, "%s/hand_written.c", o);
    test_write_file(p, "int x;\n");
    snprintf(p, sizeof p, "%s/notes.txt", o);
    test_write_file(p, "generated by dalc, DO NOT EDIT\n");
    snprintf(p, sizeof p, "%s/jobs.c.dalc-tmp.Ab12Cd", o); /* left by a killed run */
    test_write_file(p, "partial");
    assert_int_equal(dalc("check --out %s", o), 1);
    assert_string_equal(out_text, "extra: old_table.c\nextra: old_table.h\n");
    assert_int_equal(dalc("generate --out %s", o), 0);
    assert_false(exists(o, "old_table.c"));
    assert_false(exists(o, "old_table.h"));
    assert_true(exists(o, "hand_written.c"));
    assert_true(exists(o, "notes.txt"));
    assert_false(exists(o, "jobs.c.dalc-tmp.Ab12Cd"));
    assert_int_equal(dalc("check --out %s", o), 0);
}

static void test_check_reports(void **state)
{
    (void)state;
    char o[1024], p[2048];
    tmp(o, "check_out");
    assert_int_equal(dalc("check --out %s", o), 1); /* nothing there yet */
    assert_non_null(strstr(out_text, "missing: schema.pg.sql\n"));
    assert_non_null(strstr(out_text, "missing: jobs.c\n"));
    assert_int_equal(dalc("generate --out %s", o), 0);
    char *before = snapshot(o);
    snprintf(p, sizeof p, "%s/schema.sqlite.sql", o);
    sh("echo '-- edited' >> '%s'", p);
    snprintf(p, sizeof p, "%s/jobs.h", o);
    unlink(p);
    snprintf(p, sizeof p, "%s/gone.h", o);
    test_write_file(p, "/* generated by dalc 0.1.0 from schema/gone.yaml, DO NOT EDIT */\n");
    char *edited = snapshot(o);
    assert_int_equal(dalc("check --out %s", o), 1);
    assert_string_equal(out_text, "missing: jobs.h\nstale: schema.sqlite.sql\nextra: gone.h\n");
    assert_non_null(strstr(err_text, "out of date"));
    char *after = snapshot(o);
    assert_string_equal(edited, after); /* check changes nothing */
    assert_int_equal(dalc("generate --out %s", o), 0);
    assert_int_equal(dalc("check --out %s", o), 0);
    free(before);
    free(edited);
    free(after);
}

/* ---- atomicity ---------------------------------------------------------- */

static void test_invalid_schema_untouched(void **state)
{
    (void)state;
    char o[1024], s[1024], p[2048];
    tmp(o, "atomic_out");
    schema_copy(s, "atomic_schema");
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    age(o);
    char *before = snapshot(o);
    /* a broken table and a change elsewhere that would rewrite files */
    sh("sed -i 's/^comment: .*/comment: Changed./' '%s/tags.yaml'", s);
    snprintf(p, sizeof p, "%s/zzz.yaml", s);
    test_write_file(p, "table: zzz\ncolumns:\n  - { name: id, type: int65, primary_key: true }\n");
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 1);
    /* path:line:column: error: message */
    char want[4096];
    snprintf(want, sizeof want, "%s:3:", p);
    assert_non_null(strstr(err_text, want));
    assert_non_null(strstr(err_text, ": error: "));
    char *after = snapshot(o);
    assert_string_equal(before, after);
    assert_int_equal(dalc("check --schema %s --out %s", s, o), 1);
    free(before);
    free(after);
}

static void test_io_error_untouched(void **state)
{
    (void)state;
    char o[1024], s[1024], p[2048];
    tmp(o, "io_out");
    schema_copy(s, "io_schema");
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    /* schema.sqlite.sql becomes a directory: the commit must fail before
     * replacing anything, although schema.pg.sql and tags.* changed too */
    snprintf(p, sizeof p, "%s/schema.sqlite.sql", o);
    unlink(p);
    mkdir(p, 0755);
    age(o);
    char *before = snapshot(o);
    sh("sed -i 's/^comment: .*/comment: Changed./' '%s/tags.yaml'", s);
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 3);
    assert_non_null(strstr(err_text, "schema.sqlite.sql"));
    char *after = snapshot(o);
    assert_string_equal(before, after);
    sh("! ls -a '%s' | grep -q dalc-tmp", o);
    free(before);
    free(after);
    rmdir(p);

    /* an output folder that cannot be created */
    char f[1024], sub[1100];
    tmp(f, "io_file");
    test_write_file(f, "x");
    snprintf(sub, sizeof sub, "%s/out", f);
    assert_int_equal(dalc("generate --out %s", sub), 3);
    assert_non_null(strstr(err_text, "cannot create the output folder"));
}

/* ---- templates and prefix ----------------------------------------------- */

static void test_templates_override(void **state)
{
    (void)state;
    char t[1024], o[1024], base[1024], p[2048];
    tmp(t, "tmpl_custom");
    tmp(o, "tmpl_out");
    tmp(base, "tmpl_base");
    sh("rm -rf '%s' && mkdir -p '%s' && cp templates/ddl.pg.tmpl '%s/'", t, t, t);
    snprintf(p, sizeof p, "%s/ddl.pg.tmpl", t);
    sh("sed -i 's/^-- PostgreSQL DDL: .*/-- custom header for {{schema}}/' '%s'", p);
    assert_int_equal(dalc("generate --templates %s --out %s", t, o), 0);
    assert_int_equal(dalc("generate --out %s", base), 0);
    snprintf(p, sizeof p, "%s/schema.pg.sql", o);
    char *pg = test_slurp(p, NULL);
    assert_non_null(strstr(pg, "\n-- custom header for schema\n"));
    free(pg);
    /* only the overridden template changed anything */
    sh("cmp -s '%s/schema.sqlite.sql' '%s/schema.sqlite.sql'", o, base);
    sh("! cmp -s '%s/schema.pg.sql' '%s/schema.pg.sql'", o, base);
    assert_int_equal(dalc("check --templates %s --out %s", t, o), 0);
    assert_int_equal(dalc("check --out %s", o), 1);
    assert_non_null(strstr(out_text, "stale: schema.pg.sql\n"));
    assert_null(strstr(out_text, "schema.sqlite.sql"));

    /* an unknown slot: precise position, nothing written */
    snprintf(p, sizeof p, "%s/ddl.pg.tmpl", t);
    sh("sed -i 's/{{source}}/{{sauce}}/' '%s'", p);
    char *before = snapshot(o);
    assert_int_equal(dalc("generate --templates %s --out %s", t, o), 1);
    char *after = snapshot(o);
    assert_string_equal(before, after);
    free(before);
    free(after);
    int line = 0;
    sh("grep -n '^-- {{sauce}}' '%s' | cut -d: -f1 > '%s/line.txt'", p, t);
    char lp[1100];
    snprintf(lp, sizeof lp, "%s/line.txt", t);
    char *ls = test_slurp(lp, NULL);
    line = atoi(ls);
    free(ls);
    char want[4096];
    snprintf(want, sizeof want,
             "%s:%d:6: error: unknown slot \"sauce\" in section \"table\"", p, line);
    assert_non_null(strstr(err_text, want));
    /* reported once, not once per table */
    const char *nl = strchr(strstr(err_text, want), '\n');
    assert_non_null(nl);
    assert_null(strstr(nl, "\"sauce\""));
}

static void test_prefix(void **state)
{
    (void)state;
    char o[1024], base[1024], p[2048];
    tmp(o, "prefix_out");
    tmp(base, "prefix_base");
    assert_int_equal(dalc("generate --prefix app_ --out %s", o), 0);
    assert_int_equal(dalc("generate --out %s", base), 0);
    snprintf(p, sizeof p, "%s/jobs.h", o);
    char *h = test_slurp(p, NULL);
    assert_non_null(h);
    assert_non_null(strstr(h, "app_jobs"));
    free(h);
    /* the DDL does not depend on the C prefix */
    sh("cmp -s '%s/schema.pg.sql' '%s/schema.pg.sql'", o, base);
    sh("cmp -s '%s/schema.sqlite.sql' '%s/schema.sqlite.sql'", o, base);
    assert_int_equal(dalc("check --prefix app_ --out %s", o), 0);
    assert_int_equal(dalc("check --out %s", o), 1);
}

/* A table whose C type is also a C library name (<time.h>'s time(), struct
 * tm) gets a warning pointing to --prefix; generation still succeeds, and
 * with a prefix that warning goes.  A table named like a standard header
 * (time.h) is warned about whatever the prefix, as its file keeps the name. */
static void test_libc_name_warning(void **state)
{
    (void)state;
    char proj[1024], o[1024];
    tmp(proj, "libc_schema");
    tmp(o, "libc_out");
    sh("rm -rf '%s' && mkdir -p '%s'", proj, proj);
    sh("printf 'table: time\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n' "
       ">'%s/time.yaml'", proj);
    sh("printf 'table: tm\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n' "
       ">'%s/tm.yaml'", proj);
    sh("printf 'table: timer\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n' "
       ">'%s/timer.yaml'", proj);
    assert_int_equal(dalc("generate --schema %s --out %s", proj, o), 0);
    char want[4096];
    snprintf(want, sizeof want,
             "%s/time.yaml:1:8: warning: table 'time' generates time.h, the name of a standard "
             "header: compile with -iquote for the output folder, not -I, or <time.h> finds it\n"
             "%s/time.yaml:1:8: warning: the C type 'time' of table 'time' clashes with the "
             "function time() of <time.h>: code that includes both does not compile (use "
             "--prefix, e.g. --prefix db_)\n"
             "%s/tm.yaml:1:8: warning: the C type 'tm' of table 'tm' clashes with the struct tm "
             "of <time.h>: code that includes both does not compile (use --prefix, e.g. --prefix "
             "db_)\n",
             proj, proj, proj);
    assert_string_equal(err_text, want);
    /* the prefix renames the C names, not the files */
    assert_int_equal(dalc("generate --prefix db_ --schema %s --out %s", proj, o), 0);
    snprintf(want, sizeof want,
             "%s/time.yaml:1:8: warning: table 'time' generates time.h, the name of a standard "
             "header: compile with -iquote for the output folder, not -I, or <time.h> finds it\n",
             proj);
    assert_string_equal(err_text, want);
}

/* Regression: generate embedded the migrations/ folder of the current
 * directory whatever --schema said; the default is now the `migrations`
 * folder beside the schema folder. */
static void test_migrations_beside_schema(void **state)
{
    (void)state;
    char proj[1024], o[1024], o2[1024], p[2048];
    tmp(proj, "proj");
    tmp(o, "mig_out");
    tmp(o2, "mig_out2");
    sh("rm -rf '%s' && mkdir -p '%s' && cp -r tests/c_names/schema '%s/schema'", proj, proj, proj);
    /* cwd (the repo root) has migrations/: not this project's */
    assert_int_equal(dalc("generate --schema %s/schema/ --out %s", proj, o), 0);
    assert_false(exists(o, "migrations.c"));
    snprintf(p, sizeof p, "%s/schema.h", o);
    char *h = test_slurp(p, NULL);
    assert_non_null(h);
    assert_null(strstr(h, "migrations.h"));
    free(h);
    /* the project's own migrations/ beside its schema/ is embedded */
    sh("cp -r migrations '%s/migrations'", proj);
    assert_int_equal(dalc("generate --schema %s/schema --out %s", proj, o2), 0);
    assert_true(exists(o2, "migrations.c"));
    snprintf(p, sizeof p, "%s/schema.h", o2);
    h = test_slurp(p, NULL);
    assert_non_null(h);
    assert_non_null(strstr(h, "#include \"migrations.h\""));
    free(h);
}

/* Enough tables that the commit takes its batched-sync path (> 64 files). */
static void test_many_tables(void **state)
{
    (void)state;
    char s[1024], o[1024], p[2048];
    tmp(s, "many_schema");
    tmp(o, "many_out");
    mkdir(s, 0755);
    for (int i = 0; i < 60; i++) {
        char text[512];
        snprintf(p, sizeof p, "%s/t%02d.yaml", s, i);
        snprintf(text, sizeof text,
                 "table: t%02d\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n"
                 "  - { name: v, type: text, nullable: true }\n",
                 i);
        assert_int_equal(test_write_file(p, text), 0);
    }
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    assert_true(exists(o, "t59.c"));
    assert_int_equal(dalc("check --schema %s --out %s", s, o), 0);
    age(o);
    char *before = snapshot(o);
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    char *after = snapshot(o);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* drop ten tables: their files go */
    sh("rm '%s'/t5*.yaml", s);
    assert_int_equal(dalc("check --schema %s --out %s", s, o), 1);
    assert_non_null(strstr(out_text, "extra: t50.c\n"));
    assert_int_equal(dalc("generate --schema %s --out %s", s, o), 0);
    assert_false(exists(o, "t55.h"));
    assert_true(exists(o, "t49.h"));
    assert_int_equal(dalc("check --schema %s --out %s", s, o), 0);
}

/* `dalc runtime DIR` writes exactly the .c and .h files of runtime/ (as built into
 * this dalc), touches no other file, keeps unchanged files' mtimes;
 * --check says whether DIR holds them. */
static void test_runtime_command(void **state)
{
    (void)state;
    char r[1024];
    tmp(r, "vendored_runtime");
    sh("rm -rf '%s' && mkdir -p '%s'", r, r);
    /* a file of the user's and a generated file in the same folder stay */
    sh("echo 'int mine;' > '%s/mine.c'", r);
    sh("echo '/* generated by dalc 0.1.0 from schema/x.yaml, DO NOT EDIT */' > '%s/x.h'", r);
    assert_int_equal(dalc("runtime --check %s", r), 1);
    assert_non_null(strstr(out_text, "missing: dal.h\n"));
    assert_int_equal(dalc("runtime %s", r), 0);
    assert_string_equal(err_text, "");
    sh("for f in runtime/*.c runtime/*.h; do cmp -s \"$f\" '%s'/\"$(basename \"$f\")\"; done", r);
    sh("test \"$(ls runtime/*.c runtime/*.h | wc -l)\" -eq \"$(ls '%s' | grep -v -e mine.c -e x.h "
       "| wc -l)\"",
       r);
    assert_true(exists(r, "mine.c"));
    assert_true(exists(r, "x.h"));
    assert_int_equal(dalc("runtime --check %s", r), 0);
    assert_string_equal(out_text, "");
    age(r);
    long long before = mtime_of(r, "dal.c");
    assert_int_equal(dalc("runtime %s", r), 0);
    assert_int_equal(mtime_of(r, "dal.c"), before);
    /* an edited and a deleted file are found, and put back */
    sh("echo '/* local edit */' >> '%s/dal_pg.c' && rm '%s/dal_migrate.h'", r, r);
    assert_int_equal(dalc("runtime --check %s", r), 1);
    assert_non_null(strstr(out_text, "missing: dal_migrate.h\n"));
    assert_non_null(strstr(out_text, "stale: dal_pg.c\n"));
    assert_non_null(strstr(err_text, "run dalc runtime"));
    assert_int_equal(dalc("runtime %s", r), 0);
    assert_int_equal(dalc("runtime --check %s", r), 0);
    /* a new folder with its parents; a file in the way is an I/O error */
    char deep[1024];
    tmp(deep, "rt/a/b");
    assert_int_equal(dalc("runtime %s", deep), 0);
    assert_true(exists(deep, "dal.h"));
    char file[1024];
    tmp(file, "rt_file");
    sh("echo x > '%s'", file);
    assert_int_equal(dalc("runtime %s", file), 3);
}

/* The output does not depend on where the tree is or how --schema and
 * --migrations are spelled: banners name the folders by their own name
 * ("from schema/jobs.yaml"), never the path given, so `dalc check` passes
 * on every checkout. */
static void test_output_independent_of_paths(void **state)
{
    (void)state;
    char a[1024], b[1024], o[1024], cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    tmp(a, "checkout_a/app");
    tmp(b, "elsewhere/deeper/checkout_b/app");
    sh("rm -rf '%s' '%s' && mkdir -p '%s' '%s'", a, b, a, b);
    sh("cp -r schema migrations '%s/' && cp -r schema migrations '%s/'", a, b);
    const char *spell[][2] = {
        {"%s/schema", "%s/migrations"},     /* absolute */
        {"%s/schema/", "%s/migrations/"},   /* trailing slash */
        {"%s/./schema//", "%s/./migrations"}, /* dots and doubled slashes */
        {"%s/schema/.", "%s/migrations/."}, /* the folder itself */
    };
    int k = 0;
    for (int where = 0; where < 2; where++)
        for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++) {
            const char *root = where ? b : a;
            char sch[1200], mig[1200], name[64];
            snprintf(sch, sizeof sch, spell[i][0], root);
            snprintf(mig, sizeof mig, spell[i][1], root);
            snprintf(name, sizeof name, "spelled_%d", k++);
            tmp(o, name);
            assert_int_equal(dalc("generate --schema '%s' --migrations '%s' --out %s", sch, mig, o),
                             0);
            /* byte-identical to the committed output made from ./schema */
            sh("diff -r generated '%s' >/dev/null", o);
            assert_int_equal(dalc("check --schema '%s' --migrations '%s' --out generated", sch, mig),
                             0);
        }
    /* relative spellings, from inside the checkout and from its schema folder
     * (with an absolute path to dalc meanwhile) */
    char build[1024], absbuild[2100];
    snprintf(build, sizeof build, "%s", test_build_dir());
    snprintf(absbuild, sizeof absbuild, "%s/%s", cwd, build);
    if (build[0] != '/')
        setenv("DALC_BUILD", absbuild, 1);
    assert_int_equal(chdir(a), 0);
    tmp(o, "spelled_rel");
    assert_int_equal(dalc("generate --schema ./schema/ --out %s", o), 0);
    assert_int_equal(chdir("schema"), 0);
    assert_int_equal(dalc("check --schema . --migrations ../migrations --out %s", o), 0);
    assert_int_equal(chdir(cwd), 0);
    setenv("DALC_BUILD", build, 1);
    sh("diff -r generated '%s' >/dev/null", o);
    /* no machine path anywhere in the output */
    sh("! grep -rl -e '%s' -e '%s' '%s'", a, cwd, o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help_every_command),
        cmocka_unit_test(test_unknown_and_suggestions),
        cmocka_unit_test(test_migrate_exit_codes),
        cmocka_unit_test(test_generate_any_order),
        cmocka_unit_test(test_unchanged_keep_mtime),
        cmocka_unit_test(test_stale_removed),
        cmocka_unit_test(test_check_reports),
        cmocka_unit_test(test_invalid_schema_untouched),
        cmocka_unit_test(test_io_error_untouched),
        cmocka_unit_test(test_templates_override),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_libc_name_warning),
        cmocka_unit_test(test_many_tables),
        cmocka_unit_test(test_migrations_beside_schema),
        cmocka_unit_test(test_runtime_command),
        cmocka_unit_test(test_output_independent_of_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
