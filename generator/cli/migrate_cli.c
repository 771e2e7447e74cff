/*
 * migrate_cli.c - `dalc migration new` and `dalc migrate` (see migrate.h,
 * docs/migrations.md).  CLI code: prints to stdout/stderr, returns exit
 * codes (0 ok, 1 failure / invalid schema, 2 usage, 3 I/O).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "dal.h"
#include "dal_migrate.h"
#include "cli/cli.h"
#include "sql/migrate.h"

#define SQL_MAX (64u * 1024u * 1024u)

static const char *const SQL_FILES[2][2] = {{"up.pg.sql", "down.pg.sql"},
                                            {"up.sqlite.sql", "down.sqlite.sql"}};

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "0002_add_tags" -> 2, "add_tags"; false when not a migration folder name. */
static bool parse_mig_name(const char *s, int *version, const char **name)
{
    int v = 0, digits = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (v > 9999999)
            return false;
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (digits < 4 || *p != '_' || !p[1] || v <= 0)
        return false;
    *version = v;
    *name = p + 1;
    return true;
}

static int cmp_entry(const void *a, const void *b)
{
    const mig_entry *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

void mig_list_free(mig_entry *e, int n)
{
    for (int i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].dir);
        for (int d = 0; d < 2; d++)
            for (int k = 0; k < 2; k++)
                free(e[i].sql[d][k]);
    }
    free(e);
}

bool mig_list(const char *dir, bool read_sql, mig_entry **out, int *n, diag_list *d)
{
    *out = NULL;
    *n = 0;
    srcpos at = {dir, 0, 0};
    DIR *dh = opendir(dir);
    if (!dh) {
        if (errno == ENOENT)
            return true;
        return diag_error(d, at, "cannot open migrations folder: %s", strerror(errno));
    }
    int cap = 0;
    bool ok = true;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        int v;
        const char *name;
        if (!parse_mig_name(de->d_name, &v, &name))
            continue;
        char *full = path_join(dir, de->d_name);
        if (!full || !is_dir(full)) {
            free(full);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            mig_entry *p = realloc(*out, (size_t)cap * sizeof *p);
            if (!p) {
                free(full);
                ok = diag_error(d, at, "out of memory");
                break;
            }
            *out = p;
        }
        mig_entry *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        e->version = v;
        e->name = xstrdup(name);
        e->dir = full;
    }
    closedir(dh);
    if (!ok)
        return false;
    if (*n > 1) /* qsort of an empty folder's NULL array is undefined */
        qsort(*out, (size_t)*n, sizeof **out, cmp_entry);
    for (int i = 1; i < *n; i++)
        if ((*out)[i].version == (*out)[i - 1].version) {
            srcpos p = {(*out)[i].dir, 0, 0};
            return diag_error(d, p, "two migrations with version %d", (*out)[i].version);
        }
    if (!read_sql)
        return true;
    for (int i = 0; i < *n; i++) {
        mig_entry *e = &(*out)[i];
        for (int dd = 0; dd < 2; dd++)
            for (int k = 0; k < 2; k++) {
                char *p = path_join(e->dir, SQL_FILES[dd][k]);
                if (!p)
                    return diag_error(d, at, "out of memory");
                size_t len;
                const char *err = NULL;
                e->sql[dd][k] = read_file(p, SQL_MAX, &len, &err);
                free(p);
            }
    }
    return true;
}

bool mig_last_snapshot(const char *migdir, const mig_entry *ents, int nents, model **out,
                       diag_list *d)
{
    *out = NULL;
    /* the newest migration with a snapshot (a hand-written one may have none) */
    char *snap = NULL;
    for (int i = nents - 1; i >= 0 && !snap; i--) {
        snap = path_join(ents[i].dir, "snapshot");
        if (snap && !is_dir(snap)) {
            free(snap);
            snap = NULL;
        }
    }
    srcpos at = {migdir, 0, 0};
    if (!snap)
        return diag_error(d, at, "no migration has a snapshot/ folder to compare with");
    *out = model_load_dir(snap, d);
    if (!*out)
        diag_error(d, at, "cannot read the snapshot of the last migration (%s)", snap);
    char *format = *out ? path_join(snap, MODEL_SNAPSHOT_FORMAT) : NULL;
    if (format) /* none: SQLite's decimal columns are of the older plain TEXT */
        (*out)->sqlite_plain_decimal = access(format, F_OK) != 0;
    free(format);
    free(snap);
    return *out != NULL;
}

/* ---------------------------------------------------------------------- */
/* migration new                                                           */
/* ---------------------------------------------------------------------- */

static bool write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    return fclose(f) == 0 && ok;
}

static bool is_yaml(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Copies every schema file of src into dst (created). */
static bool copy_schema(const char *src, const char *dst)
{
    if (mkdir(dst, 0777) != 0)
        return false;
    DIR *dh = opendir(src);
    if (!dh)
        return false;
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(dh)) != NULL) {
        if (!is_yaml(de->d_name))
            continue;
        char *from = path_join(src, de->d_name), *to = path_join(dst, de->d_name);
        size_t len;
        const char *err;
        char *text = from ? read_file(from, SQL_MAX, &len, &err) : NULL;
        ok = text && to && write_text(to, text, len);
        free(text);
        free(from);
        free(to);
    }
    closedir(dh);
    return ok;
}

/* Removes a temp migration folder we were writing. */
static void remove_tree(const char *dir)
{
    DIR *dh = opendir(dir);
    if (dh) {
        struct dirent *de;
        while ((de = readdir(dh)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char *p = path_join(dir, de->d_name);
            if (!p)
                continue;
            if (is_dir(p))
                remove_tree(p);
            else
                unlink(p);
            free(p);
        }
        closedir(dh);
    }
    rmdir(dir);
}

static bool valid_mig_name(const char *s)
{
    if (!*s || strlen(s) > 100)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

int dalc_migration_new(const cli_args *a)
{
    const char *schema = cli_get(a, "--schema"), *migdir = cli_get(a, "--migrations");
    const char *name = a->pos[0];
    if (!schema)
        schema = "schema";
    if (!migdir)
        migdir = "migrations";
    if (!valid_mig_name(name))
        return cli_usage_error(a, "migration name '%s': use letters, digits, '_' and '-'", name);
    diag_list d;
    diag_init(&d);
    int rc = 0;
    model *cur = NULL, *prev = NULL;
    mig_entry *ents = NULL;
    int nents = 0;
    mig_diff md;
    mig_diff_init(&md);
    char *tmp = NULL, *final = NULL;

    cur = model_load_dir(schema, &d);
    if (!cur) {
        fputs(sb_str(&d.text), stderr);
        rc = 1;
        goto out;
    }
    if (!mig_list(migdir, false, &ents, &nents, &d)) {
        fputs(sb_str(&d.text), stderr);
        rc = 3;
        goto out;
    }
    if (nents > 0 && !mig_last_snapshot(migdir, ents, nents, &prev, &d)) {
        fputs(sb_str(&d.text), stderr);
        rc = 1;
        goto out;
    }
    if (!mig_diff_models(prev, cur, &md)) {
        fprintf(stderr, "dalc: out of memory\n");
        rc = 3;
        goto out;
    }
    if (mig_diff_empty(&md)) {
        printf("no changes: the schema matches the last migration\n");
        goto out;
    }
    int version = nents ? ents[nents - 1].version + 1 : 1;
    char id[160];
    snprintf(id, sizeof id, "%04d_%s", version, name);
    if (!is_dir(migdir) && mkdir(migdir, 0777) != 0) {
        fprintf(stderr, "dalc: cannot create %s: %s\n", migdir, strerror(errno));
        rc = 3;
        goto out;
    }
    tmp = path_join(migdir, ".dalc-new-XXXXXX");
    final = path_join(migdir, id);
    if (!tmp || !final || !mkdtemp(tmp)) {
        fprintf(stderr, "dalc: cannot create a folder in %s: %s\n", migdir, strerror(errno));
        free(tmp);
        tmp = NULL;
        rc = 3;
        goto out;
    }
    bool ok = true;
    for (int dd = 0; dd < 2 && ok; dd++)
        for (int k = 0; k < 2 && ok; k++) {
            strbuf text;
            sb_init(&text);
            mig_file_text(&md, (sql_dialect)dd, k, id, &text);
            char *p = path_join(tmp, SQL_FILES[dd][k]);
            ok = !text.oom && p && write_text(p, sb_str(&text), text.len);
            free(p);
            sb_free(&text);
        }
    char *snapdir = ok ? path_join(tmp, "snapshot") : NULL;
    ok = ok && snapdir && copy_schema(schema, snapdir);
    char *format = ok ? path_join(snapdir, MODEL_SNAPSHOT_FORMAT) : NULL;
    ok = ok && format &&
         write_text(format, MODEL_SNAPSHOT_FORMAT_TEXT, strlen(MODEL_SNAPSHOT_FORMAT_TEXT));
    free(format);
    free(snapdir);
    if (ok && chmod(tmp, 0755) != 0)
        ok = false;
    if (ok && rename(tmp, final) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "dalc: cannot write %s: %s\n", final, strerror(errno));
        remove_tree(tmp);
        rc = 3;
        goto out;
    }
    printf("created %s\n", final);
    for (int dd = 0; dd < 2; dd++)
        for (int k = 0; k < 2; k++)
            if (md.reasons[dd][k].len && (dd == SQL_PG || !md.reasons[SQL_PG][k].len))
                printf("  %s is destructive: %s\n", k ? "down" : "up", sb_str(&md.reasons[dd][k]));
out:
    free(tmp);
    free(final);
    mig_diff_free(&md);
    mig_list_free(ents, nents);
    if (cur)
        model_free(cur);
    if (prev)
        model_free(prev);
    diag_free(&d);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* migrate                                                                 */
/* ---------------------------------------------------------------------- */

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    fputs(line, stdout);
    if (!*line || line[strlen(line) - 1] != '\n')
        fputc('\n', stdout);
    fflush(stdout);
}

/* The exit code of a failed migrate step: a connection lost is an I/O
 * error (3); anything else (a refused or failed migration) 1. */
static int exit_for(dal_status s) { return s == DAL_CONN ? EXIT_IO : EXIT_INVALID; }

static bool parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1000000000)
        return false;
    *out = (int)v;
    return true;
}

static const char *mig_name(const dal_migration *migs, int n, int version)
{
    for (int i = 0; i < n; i++)
        if (migs[i].version == version)
            return migs[i].name;
    return "";
}

int dalc_migrate(const cli_args *a)
{
    const char *url = cli_get(a, "--db"), *migdir = cli_get(a, "--migrations");
    const char *cmd = a->cmd->name + strlen("migrate "), *nstr = a->npos ? a->pos[0] : NULL;
    dal_migrate_opts opts = {0};
    opts.progress = print_line;
    opts.dry_run = cli_has(a, "--dry-run");
    opts.allow_destructive = cli_has(a, "--allow-destructive");
    if (!migdir)
        migdir = "migrations";
    const char *v;
    if ((v = cli_get(a, "--target")) && !parse_int(v, &opts.target))
        return cli_usage_error(a, "--target %s: give a migration version (a number)", v);
    if ((v = cli_get(a, "--lock-timeout")) && !parse_int(v, &opts.lock_timeout_ms))
        return cli_usage_error(a, "--lock-timeout %s: give milliseconds (a number)", v);
    bool is_status = strcmp(cmd, "status") == 0, is_up = strcmp(cmd, "up") == 0,
         is_down = strcmp(cmd, "down") == 0, is_baseline = strcmp(cmd, "baseline") == 0,
         is_repair = strcmp(cmd, "repair") == 0;
    int steps = 1;
    if (nstr && (!parse_int(nstr, &steps) || steps < 1))
        return cli_usage_error(a, "%s: give a number of migrations, 1 or more", nstr);

    /* A folder that does not exist is a mistake (a typo, the wrong working
     * directory), not an empty history: I/O error, exit 3. */
    struct stat dst;
    if (stat(migdir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        fprintf(stderr, "dalc: migrations folder %s: %s\n", migdir,
                stat(migdir, &dst) != 0 ? strerror(errno) : "not a folder");
        return 3;
    }
    diag_list d;
    diag_init(&d);
    mig_entry *ents = NULL;
    int n = 0;
    if (!mig_list(migdir, true, &ents, &n, &d)) {
        fputs(sb_str(&d.text), stderr);
        diag_free(&d);
        return 3;
    }
    diag_free(&d);
    dal_migration *migs = calloc((size_t)n + 1, sizeof *migs);
    dal_migration_state *st = calloc((size_t)n + 1, sizeof *st);
    int rc = 0;
    dal_db *db = NULL;
    if (!migs || !st) {
        fprintf(stderr, "dalc: out of memory\n");
        rc = 3;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        migs[i].version = ents[i].version;
        migs[i].name = ents[i].name;
        migs[i].up_pg = ents[i].sql[SQL_PG][0];
        migs[i].down_pg = ents[i].sql[SQL_PG][1];
        migs[i].up_sqlite = ents[i].sql[SQL_SQLITE][0];
        migs[i].down_sqlite = ents[i].sql[SQL_SQLITE][1];
    }
    /* status and dry runs read only: a SQLite file that does not exist is
     * not created (every migration is pending there). */
    const char *eff = url && *url ? url : getenv("DATABASE_URL");
    if (!eff || !*eff)
        eff = "sqlite:" DAL_DEFAULT_SQLITE_PATH;
    if ((is_status || opts.dry_run) && strncmp(eff, "sqlite:", 7) == 0 && eff[7] &&
        strncmp(eff, "sqlite://", 9) != 0) { /* (dal_open refuses those) */
        char path[4096];
        snprintf(path, sizeof path, "%s", eff + 7);
        char *q = strchr(path, '?');
        if (q)
            *q = '\0';
        struct stat fst;
        if (strcmp(path, ":memory:") != 0 && stat(path, &fst) != 0 && errno == ENOENT) {
            printf("database %s does not exist (not created)%s\n", path,
                   is_status || is_up ? ": every migration is pending" : "");
            if (is_status)
                for (int i = 0; i < n; i++)
                    printf("%04d_%s  pending\n", migs[i].version, migs[i].name);
            else if (is_up)
                for (int i = 0; i < n; i++) {
                    if (opts.target > 0 && migs[i].version > opts.target)
                        break;
                    printf("would apply %04d_%s:\n", migs[i].version, migs[i].name);
                    if (migs[i].up_sqlite)
                        print_line(NULL, migs[i].up_sqlite);
                }
            else
                printf("nothing to %s\n", is_down ? "revert" : is_repair ? "repair" : "record");
            if (n == 0)
                printf("no migrations in %s\n", migdir);
            goto out;
        }
    }
    dal_migrate_report rep = {0, 0};
    opts.report = &rep;
    dal_status s = dal_open(url, &db);
    if (s != DAL_OK) {
        fprintf(stderr, "dalc: cannot open the database: %s\n",
                db ? dal_errmsg(db) : dal_status_name(s));
        rc = s == DAL_MISUSE ? EXIT_USAGE : EXIT_IO;
        goto out;
    }
    if (is_status) {
        int unknown = 0;
        s = dal_migrate_status(db, migs, (size_t)n, st, &unknown);
        if (s != DAL_OK) {
            fprintf(stderr, "dalc: migrate status: %s\n", dal_errmsg(db));
            rc = exit_for(s);
            goto out;
        }
        for (int i = 0; i < n; i++) {
            if (st[i].applied)
                printf("%04d_%s  applied %s%s\n", migs[i].version, migs[i].name, st[i].applied_at,
                       st[i].checksum_mismatch ? "  checksum mismatch: the file changed since it was applied (`dalc migrate repair` accepts an edit that changes nothing)" : "");
            else
                printf("%04d_%s  pending%s\n", migs[i].version, migs[i].name,
                       dal_migration_sql_destructive(
                           dal_migration_up_sql(&migs[i], dal_dialect_of(db)))
                           ? "  (destructive: needs --allow-destructive unless its tables are "
                             "empty)"
                           : "");
            if (st[i].checksum_mismatch)
                rc = exit_for(s);
        }
        if (unknown)
            printf("%d applied migration(s) not found in %s\n", unknown, migdir);
        if (n == 0)
            printf("no migrations in %s\n", migdir);
    } else if (is_up) {
        /* up N: at most N pending migrations, i.e. up to the Nth pending
         * version (unless --target stops earlier). */
        if (nstr) {
            int unknown = 0, left = steps;
            s = dal_migrate_status(db, migs, (size_t)n, st, &unknown);
            if (s != DAL_OK) {
                fprintf(stderr, "dalc: migrate up: %s\n", dal_errmsg(db));
                rc = exit_for(s);
                goto out;
            }
            for (int i = 0; i < n && left > 0; i++) {
                if (!st[i].applied && --left == 0 &&
                    (opts.target == 0 || migs[i].version < opts.target))
                    opts.target = migs[i].version;
            }
        }
        s = dal_migrate_up(db, migs, (size_t)n, &opts);
        if (s != DAL_OK) {
            fprintf(stderr, "dalc: migrate up: %s\n", dal_errmsg(db));
            if (rep.refused_version)
                fprintf(stderr, "dalc: %d migration(s) applied before it; run "
                                "`dalc migrate up --allow-destructive` to apply %04d%s%s\n",
                        rep.done, rep.refused_version, "_",
                        mig_name(migs, n, rep.refused_version));
            rc = exit_for(s);
        }
    } else if (is_repair) {
        s = dal_migrate_repair(db, migs, (size_t)n, &opts);
        if (s != DAL_OK) {
            fprintf(stderr, "dalc: migrate repair: %s\n", dal_errmsg(db));
            rc = exit_for(s);
        }
    } else if (is_baseline) {
        s = dal_migrate_baseline(db, migs, (size_t)n, steps, &opts);
        if (s != DAL_OK) {
            fprintf(stderr, "dalc: migrate baseline: %s\n", dal_errmsg(db));
            rc = exit_for(s);
        }
    } else {
        s = dal_migrate_down(db, migs, (size_t)n, steps, &opts);
        if (s != DAL_OK) {
            fprintf(stderr, "dalc: migrate down: %s\n", dal_errmsg(db));
            if (rep.refused_version)
                fprintf(stderr, "dalc: %d migration(s) reverted before it; run "
                                "`dalc migrate down %d --allow-destructive` to revert %04d_%s\n",
                        rep.done, steps - rep.done, rep.refused_version,
                        mig_name(migs, n, rep.refused_version));
            rc = exit_for(s);
        }
    }
out:
    dal_close(db);
    free(migs);
    free(st);
    mig_list_free(ents, n);
    return rc;
}
