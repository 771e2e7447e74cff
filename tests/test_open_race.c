/*
 * test_open_race.c - regression: two processes opening (and migrating) a
 * fresh SQLite file at once made one fail with "database is locked": the
 * journal-mode switch can return SQLITE_BUSY without the busy handler.
 * Now dal_open retries it within busy_timeout.  Many processes open the
 * same fresh file at the same moment and each writes a row.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "dal.h"

enum { PROCS = 12, ROUNDS = 5 };

static int child(const char *url)
{
    dal_db *db = NULL;
    dal_status s = dal_open(url, &db);
    if (s == DAL_OK)
        s = dal_exec(db, "CREATE TABLE IF NOT EXISTS t (x INTEGER); INSERT INTO t VALUES (1)");
    if (s != DAL_OK)
        fprintf(stderr, "child: %s: %s\n", dal_status_name(s), db ? dal_errmsg(db) : "");
    dal_close(db);
    return s == DAL_OK ? 0 : 1;
}

static void test_fresh_file_many_openers(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char path[1024], name[64], url[1100];
        snprintf(name, sizeof name, "race%d.db", r);
        test_tmp_path(path, sizeof path, name);
        snprintf(url, sizeof url, "sqlite:%s", path);
        pid_t pids[PROCS];
        for (int i = 0; i < PROCS; i++) {
            pids[i] = fork();
            assert_true(pids[i] >= 0);
            if (pids[i] == 0)
                _exit(child(url));
        }
        int failures = 0;
        for (int i = 0; i < PROCS; i++) {
            int st = 0;
            assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
            failures += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        assert_int_equal(failures, 0);
        dal_db *db;
        assert_int_equal(dal_open(url, &db), DAL_OK);
        dal_stmt *st;
        static const dal_query count = {"SELECT count(*) FROM t", 0};
        assert_int_equal(dal_stmt_start(db, &count, &st), DAL_OK);
        bool row;
        assert_int_equal(dal_stmt_step(st, &row), DAL_OK);
        assert_true(row);
        int64_t n = 0;
        assert_int_equal(dal_col_int64(st, 0, &n), DAL_OK);
        dal_stmt_done(st);
        assert_int_equal(n, PROCS);
        dal_close(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fresh_file_many_openers)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
