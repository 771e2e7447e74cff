/*
 * probe_kill.c - `kill -9` of a process in the middle of writing, on SQLite
 * and PostgreSQL: a child runs one insert_many of PROBE_ROWS rows (or one
 * migration that creates and fills a table), the parent kills it at 20%,
 * 50% and 80% of the time an undisturbed run takes, then checks that the
 * database holds all of it or nothing (and, after a killed migration, that
 * `migrate up` applies it again from the start).
 *
 *   probe_kill insert_many URL
 *   probe_kill migrate URL
 *
 * URL is `sqlite:PATH` (the file is removed first) or a PostgreSQL URL.
 */
#include <signal.h>
#include <sys/wait.h>

#include "probe.h"

#include "dal_migrate.h"

static const char *url;
static bool pg;
static int64_t nrows;

static const dal_migration big_migration[] = {{
    1,
    "big",
    "CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL);"
    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;"
    "CREATE INDEX big_v ON big (v);",
    "DROP TABLE big;",
    "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
    "INSERT INTO big SELECT x, hex(randomblob(16)) FROM c;"
    "CREATE INDEX big_v ON big (v);",
    "DROP TABLE big;",
}};
enum { BIG_ROWS = 200000 };

static void remove_sqlite(void)
{
    if (pg)
        return;
    char p[4200];
    const char *path = url + strlen("sqlite:");
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        remove(p);
    }
}

/* A fresh database: SQLite file removed, PostgreSQL tables dropped. */
static void fresh(bool migrate)
{
    remove_sqlite();
    dal_db *db;
    POK(db, dal_open(url, &db));
    if (migrate)
        POK(db, dal_exec(db, pg ? "SET client_min_messages TO warning; DROP TABLE IF EXISTS big, "
                                  "dal_schema_migrations"
                                : "SELECT 1"));
    else
        POK(db, probe_fresh_schema(db));
    dal_close(db);
}

/* The child: signals 'r' when about to write, 'd' when the write returned OK. */
static void child(int fd, bool migrate)
{
    dal_db *db;
    if (dal_open(url, &db) != DAL_OK)
        _exit(3);
    dal_status s;
    if (migrate) {
        dal_migrate_opts o = {0};
        if (write(fd, "r", 1) != 1)
            _exit(4);
        s = dal_migrate_up(db, big_migration, 1, &o);
    } else {
        writes *rows = calloc((size_t)nrows, sizeof *rows);
        if (!rows)
            _exit(5);
        for (int64_t i = 0; i < nrows; i++)
            rows[i] = (writes){.writer = 1, .seq = i, .note = "kill -9 probe row"};
        if (write(fd, "r", 1) != 1)
            _exit(4);
        s = writes_insert_many(db, rows, (size_t)nrows);
    }
    if (s == DAL_OK && write(fd, "d", 1) != 1)
        _exit(4);
    _exit(s == DAL_OK ? 0 : 6);
}

/* Runs the child; kill_ms < 0: let it finish.  Returns the elapsed ms from
 * 'r' to the end; *done: the child reported success. */
static double run(bool migrate, double kill_ms, bool *done)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], migrate);
    }
    close(fds[1]);
    char c = 0;
    assert_int_equal(read(fds[0], &c, 1), 1);
    assert_int_equal(c, 'r');
    double t0 = probe_now_ms();
    if (kill_ms >= 0) {
        probe_sleep_ms(kill_ms);
        kill(pid, SIGKILL);
    }
    int st;
    waitpid(pid, &st, 0);
    double el = probe_now_ms() - t0;
    *done = read(fds[0], &c, 1) == 1 && c == 'd';
    close(fds[0]);
    if (kill_ms < 0)
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return el;
}

/* PostgreSQL: waits until the killed client's backend has gone (it rolls back
 * once it sees the closed socket), so what we count is final. */
static void settle(dal_db *db)
{
    if (!pg)
        return;
    static const dal_query q = {
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        0};
    for (int i = 0; i < 3000; i++) {
        dal_stmt *st;
        bool has;
        int64_t n = -1;
        POK(db, dal_stmt_start(db, &q, &st));
        POK(db, dal_stmt_step(st, &has));
        dal_col_int64(st, 0, &n);
        dal_stmt_done(st);
        if (n == 0)
            return;
        probe_sleep_ms(10);
    }
    fail_msg("the killed client's backend is still there after 30 s");
}

static int64_t count_sql(dal_db *db, const char *sql, dal_status *s)
{
    dal_query q = {sql, 0};
    dal_stmt *st;
    bool has = false;
    int64_t n = -1;
    if ((*s = dal_stmt_start(db, &q, &st)) != DAL_OK)
        return -1;
    if ((*s = dal_stmt_step(st, &has)) == DAL_OK && has)
        dal_col_int64(st, 0, &n);
    dal_stmt_done(st);
    return n;
}

static void integrity(dal_db *db)
{
    if (pg)
        return;
    static const dal_query q = {"PRAGMA integrity_check", 0};
    dal_stmt *st;
    bool has;
    POK(db, dal_stmt_start(db, &q, &st));
    POK(db, dal_stmt_step(st, &has));
    assert_true(has);
    const char *t = NULL;
    size_t tl = 0;
    dal_col_text(st, 0, &t, &tl);
    assert_string_equal(t, "ok");
    dal_stmt_done(st);
}

static void test_insert_many(void **state)
{
    (void)state;
    bool done;
    fresh(false);
    double full = run(false, -1, &done);
    dal_db *db;
    int64_t n;
    POK(db, dal_open(url, &db));
    POK(db, writes_count(db, &n));
    dal_close(db);
    assert_int_equal(n, nrows);
    printf("probe: %s insert_many of %lld rows, undisturbed: %.0f ms\n", pg ? "PostgreSQL" : "SQLite",
           (long long)nrows, full);
    const double at[] = {0.2, 0.5, 0.8};
    for (int i = 0; i < 3; i++) {
        fresh(false);
        double el = run(false, full * at[i], &done);
        POK(db, dal_open(url, &db));
        settle(db);
        integrity(db);
        POK(db, writes_count(db, &n));
        probe_counts c;
        POK(db, probe_count(db, &c, 2, nrows));
        long dup = 0;
        for (int64_t q = 0; q < nrows; q++)
            dup += probe_stored(&c, 1, q) > 1;
        free(c.n);
        dal_close(db);
        printf("probe: killed after %.0f ms (child %s): %lld of %lld rows stored, %ld duplicated\n",
               el, done ? "had finished" : "was writing", (long long)n, (long long)nrows, dup);
        assert_true(n == 0 || n == nrows);
        assert_int_equal(dup, 0);
        if (done)
            assert_int_equal(n, nrows);
    }
}

static void test_migrate(void **state)
{
    (void)state;
    bool done;
    fresh(true);
    double full = run(true, -1, &done);
    printf("probe: %s migration creating %d rows, undisturbed: %.0f ms\n", pg ? "PostgreSQL" : "SQLite",
           BIG_ROWS, full);
    const double at[] = {0.2, 0.5, 0.8};
    dal_db *db;
    dal_status s;
    for (int i = 0; i < 3; i++) {
        fresh(true);
        double el = run(true, full * at[i], &done);
        POK(db, dal_open(url, &db));
        settle(db);
        integrity(db);
        dal_migration_state ms = {0};
        int unknown = 0;
        s = dal_migrate_status(db, big_migration, 1, &ms, &unknown);
        bool applied = s == DAL_OK && ms.applied;
        int64_t n = count_sql(db, "SELECT count(*) FROM big", &s);
        printf("probe: migration killed after %.0f ms (child %s): %s, table big %s\n", el,
               done ? "had finished" : "was migrating", applied ? "applied" : "not applied",
               n >= 0 ? "exists" : "absent");
        if (applied || done) {
            assert_true(applied);
            assert_int_equal(n, BIG_ROWS);
        } else {
            assert_true(n < 0); /* nothing of it: no table, no bookkeeping row */
        }
        if (!applied && i == 2) { /* and it applies again from the start */
            dal_migrate_opts o = {0};
            POK(db, dal_migrate_up(db, big_migration, 1, &o));
            assert_int_equal(count_sql(db, "SELECT count(*) FROM big", &s), BIG_ROWS);
        }
        dal_close(db);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: probe_kill insert_many|migrate URL\n");
        return 2;
    }
    url = argv[2];
    pg = strncmp(url, "sqlite:", 7) != 0;
    nrows = atoll(probe_env("PROBE_ROWS", "200000"));
    char name[64];
    snprintf(name, sizeof name, "probe_kill_%s_%s", argv[1], pg ? "pg" : "sqlite");
    if (strcmp(argv[1], "insert_many") == 0) {
        const struct CMUnitTest t[] = {cmocka_unit_test(test_insert_many)};
        return cmocka_run_group_tests_name(name, t, NULL, NULL);
    }
    if (strcmp(argv[1], "migrate") == 0) {
        const struct CMUnitTest t[] = {cmocka_unit_test(test_migrate)};
        return cmocka_run_group_tests_name(name, t, NULL, NULL);
    }
    fprintf(stderr, "usage: probe_kill insert_many|migrate URL\n");
    return 2;
}
