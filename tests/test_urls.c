/*
 * test_urls.c - the database URLs dal_open accepts (docs/runtime.md): only
 * sqlite:PATH (relative or absolute), sqlite::memory:, postgres://,
 * postgresql:// and libpq key=value strings.  Anything else is DAL_MISUSE
 * before any engine is touched, with a message that lists the accepted
 * forms, names no password and creates no file (sqlite://app.db used to
 * create /app.db).  dal_pool_open refuses the same URLs.
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dal.h"
#include "testutil.h"

/* The files of dir (none: 0). */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Opens url, expects DAL_OK on the given dialect, runs a query. */
static void open_ok(const char *url, dal_dialect want)
{
    dal_db *db = NULL;
    dal_status s = dal_open(url, &db);
    if (s != DAL_OK)
        fail_msg("dal_open(%s): %s: %s", url, dal_status_name(s), dal_errmsg(db));
    assert_int_equal(dal_dialect_of(db), want);
    assert_int_equal(dal_exec(db, "SELECT 1"), DAL_OK);
    dal_close(db);
}

/* A scratch folder, made the current directory (relative paths land there). */
static void enter_scratch(char *cwd, size_t n, const char *name)
{
    char dir[1024];
    assert_non_null(getcwd(cwd, n));
    test_tmp_path(dir, sizeof dir, name);
    mkdir(dir, 0755);
    assert_int_equal(chdir(dir), 0);
}

static void test_sqlite_forms(void **state)
{
    (void)state;
    char cwd[1024], abs[1200], url[1300];
    enter_scratch(cwd, sizeof cwd, "sqlite_forms");
    open_ok("sqlite:rel.db", DAL_SQLITE);
    assert_int_equal(access("rel.db", F_OK), 0);
    mkdir("sub", 0755);
    open_ok("sqlite:sub/nested.db", DAL_SQLITE);
    assert_int_equal(access("sub/nested.db", F_OK), 0);
    open_ok("sqlite:./dot.db?busy_timeout=100&journal_mode=delete", DAL_SQLITE);
    assert_int_equal(access("dot.db", F_OK), 0);
    assert_non_null(getcwd(abs, sizeof abs));
    snprintf(url, sizeof url, "sqlite:%s/abs.db", abs);
    open_ok(url, DAL_SQLITE);
    assert_int_equal(access("abs.db", F_OK), 0);
    open_ok("sqlite::memory:", DAL_SQLITE);
    assert_int_equal(access(":memory:", F_OK), -1);
    assert_int_equal(chdir(cwd), 0);
}

static void test_pg_forms(void **state)
{
    (void)state;
    const char *pg = test_pg_url(); /* postgresql:///postgres?host=DIR&user=postgres */
    const char *host = strstr(pg, "host=");
    assert_non_null(host);
    char hostdir[512], url[1024];
    snprintf(hostdir, sizeof hostdir, "%.*s", (int)strcspn(host + 5, "&"), host + 5);
    open_ok(pg, DAL_POSTGRES);
    assert_int_equal(strncmp(pg, "postgresql://", 13), 0);
    snprintf(url, sizeof url, "postgres://%s", pg + 13);
    open_ok(url, DAL_POSTGRES);
    snprintf(url, sizeof url, "host=%s user=postgres dbname=postgres", hostdir);
    open_ok(url, DAL_POSTGRES);
    snprintf(url, sizeof url, "  dbname = postgres host=%s user=postgres", hostdir);
    open_ok(url, DAL_POSTGRES);
    snprintf(url, sizeof url, "host='%s' user=postgres dbname=postgres", hostdir);
    open_ok(url, DAL_POSTGRES);
    /* accepted forms that fail to connect are connection errors, not misuse */
    dal_db *db = NULL;
    assert_int_equal(dal_open("postgresql:///x?host=/nonexistent-dir", &db), DAL_CONN);
    dal_close(db);
    assert_int_equal(dal_open("host=/nonexistent-dir dbname=x", &db), DAL_CONN);
    dal_close(db);
}

/* Every refused URL: DAL_MISUSE, the accepted forms in the message, no
 * password, no file anywhere; the pool refuses them too. */
static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* SQLite-looking */
        "app.db", "./app.db", "/tmp/dalc-test-no-such/app.db", "sqlite3:app.db",
        "sqlite3://app.db", "file:app.db", "file:///tmp/app.db", "sqlite://app.db",
        "sqlite:///abs.db", "sqlite:", "SQLITE:app.db",
        /* server-looking */
        "mysql://alice:s3cretpw@localhost/db", "mariadb://h/db", "pg://localhost/db",
        "postgresql:/db", "postgres:db", "POSTGRESQL://localhost/db", "redis://h",
        "localhost:5432", "alice:s3cretpw@localhost", "=value", " ", "host", "dbname",
    };
    char cwd[1024];
    bool root_had_app = access("/app.db", F_OK) == 0;
    enter_scratch(cwd, sizeof cwd, "refused");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dal_db *db = NULL;
        dal_status s = dal_open(bad[i], &db);
        if (s != DAL_MISUSE)
            fail_msg("dal_open(\"%s\"): %s (%s), want DAL_MISUSE", bad[i], dal_status_name(s),
                     dal_errmsg(db));
        const char *m = dal_errmsg(db);
        if (!strstr(m, "sqlite:PATH") || !strstr(m, "sqlite::memory:") ||
            !strstr(m, "postgresql://") || !strstr(m, "postgres://") || !strstr(m, "key=value"))
            fail_msg("dal_open(\"%s\"): the message does not list the accepted forms: %s",
                     bad[i], m);
        assert_null(strstr(m, "s3cret"));
        dal_close(db);
        dal_pool *p = NULL;
        assert_int_equal(dal_pool_open(bad[i], NULL, &p), DAL_MISUSE);
        assert_non_null(strstr(dal_pool_errmsg(p), "sqlite:PATH"));
        dal_pool_close(p);
    }
    /* hints that say what to write instead */
    dal_db *db = NULL;
    assert_int_equal(dal_open("sqlite://app.db", &db), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(db), "write sqlite:PATH"));
    dal_close(db);
    assert_int_equal(dal_open("app.db", &db), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(db), "write sqlite:app.db"));
    dal_close(db);
    assert_int_equal(dal_open("mysql://alice:s3cretpw@localhost/db", &db), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(db), "scheme mysql:"));
    dal_close(db);
    /* no file was created, here or at the root */
    assert_int_equal(count_files("."), 0);
    if (!root_had_app)
        assert_int_equal(access("/app.db", F_OK), -1);
    assert_int_equal(access("/abs.db", F_OK), -1);
    assert_int_equal(chdir(cwd), 0);
    /* DATABASE_URL goes through the same check */
    setenv("DATABASE_URL", "app.db", 1);
    assert_int_equal(dal_open(NULL, &db), DAL_MISUSE);
    dal_close(db);
    unsetenv("DATABASE_URL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_forms),
        cmocka_unit_test(test_pg_forms),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
