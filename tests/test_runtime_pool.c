/*
 * test_runtime_pool.c - dal_pool with 8 threads hammering one pool on each
 * engine, acquire timeout, idle expiry, stats; PostgreSQL connection loss
 * (tests/pg.sh restart mid-run): the call in flight fails with DAL_CONN,
 * the next call reconnects and succeeds, nothing is retried silently.
 */
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "dal.h"

enum { THREADS = 8, OPS = 150 };

typedef struct shared {
    dal_pool *pool;
    int failures;
    pthread_mutex_t mu;
} shared;

typedef struct targ {
    shared *sh;
    int id;
} targ;

static dal_status insert_one(dal_db *db, void *ctx)
{
    static const dal_query q = {"INSERT INTO rt_pool (t, n) VALUES ($1, $2)", 2};
    static const dal_query sel = {"SELECT count(*) FROM rt_pool WHERE t = $1", 1};
    int *v = ctx;
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &q, &st);
    if (s != DAL_OK)
        return s;
    dal_bind_int32(st, 1, v[0]);
    dal_bind_int32(st, 2, v[1]);
    bool has;
    s = dal_stmt_step(st, &has);
    dal_stmt_done(st);
    if (s != DAL_OK)
        return s;
    s = dal_stmt_start(db, &sel, &st);
    if (s != DAL_OK)
        return s;
    dal_bind_int32(st, 1, v[0]);
    s = dal_stmt_step(st, &has);
    int64_t n = 0;
    if (s == DAL_OK && has)
        s = dal_col_int64(st, 0, &n);
    dal_stmt_done(st);
    if (s == DAL_OK && n != v[1] + 1)
        return DAL_ERROR;
    return s;
}

static void *worker(void *arg)
{
    targ *a = arg;
    for (int i = 0; i < OPS; i++) {
        dal_db *db = NULL;
        dal_status s = dal_pool_acquire(a->sh->pool, &db);
        if (s == DAL_OK) {
            int v[2] = {a->id, i};
            s = dal_transaction(db, insert_one, v);
            if (s != DAL_OK)
                fprintf(stderr, "worker %d op %d: %s: %s\n", a->id, i, dal_status_name(s),
                        dal_errmsg(db));
            dal_pool_release(a->sh->pool, db);
        }
        else
            fprintf(stderr, "acquire: %s %s\n", dal_status_name(s), dal_pool_errmsg(a->sh->pool));
        if (s != DAL_OK) {
            pthread_mutex_lock(&a->sh->mu);
            a->sh->failures++;
            pthread_mutex_unlock(&a->sh->mu);
        }
    }
    return NULL;
}

static void hammer(const char *url, bool pg)
{
    dal_db *db = NULL;
    assert_int_equal(dal_open(url, &db), DAL_OK);
    assert_int_equal(dal_exec(db, pg ? "DROP TABLE IF EXISTS rt_pool; CREATE TABLE rt_pool (t int, n int, "
                                       "PRIMARY KEY (t, n))"
                                     : "DROP TABLE IF EXISTS rt_pool; CREATE TABLE rt_pool (t INTEGER, "
                                       "n INTEGER, PRIMARY KEY (t, n))"),
                     DAL_OK);
    dal_close(db);
    shared sh = {0};
    pthread_mutex_init(&sh.mu, NULL);
    dal_pool_options o = {4, 10000, 60000, true, 0};
    assert_int_equal(dal_pool_open(url, &o, &sh.pool), DAL_OK);
    pthread_t th[THREADS];
    targ args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (targ){&sh, i};
        pthread_create(&th[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(sh.failures, 0);
    dal_pool_stats ps;
    dal_pool_get_stats(sh.pool, &ps);
    assert_int_equal(ps.in_use, 0);
    assert_int_equal(ps.waiting, 0);
    assert_true(ps.total <= 4 && ps.total >= 1);
    assert_int_equal(ps.idle, ps.total);
    /* every row is there */
    assert_int_equal(dal_pool_acquire(sh.pool, &db), DAL_OK);
    static const dal_query cnt = {"SELECT count(*) FROM rt_pool", 0};
    dal_stmt *st;
    bool has;
    int64_t n = 0;
    assert_int_equal(dal_stmt_start(db, &cnt, &st), DAL_OK);
    assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
    assert_int_equal(dal_col_int64(st, 0, &n), DAL_OK);
    dal_stmt_done(st);
    assert_int_equal(n, THREADS * OPS);
    /* a connection left in a transaction is rolled back on release */
    assert_int_equal(dal_begin(db), DAL_OK);
    assert_int_equal(dal_exec(db, "DELETE FROM rt_pool"), DAL_OK);
    dal_pool_release(sh.pool, db);
    assert_int_equal(dal_pool_acquire(sh.pool, &db), DAL_OK);
    assert_int_equal(dal_tx_depth(db), 0);
    assert_int_equal(dal_stmt_start(db, &cnt, &st), DAL_OK);
    assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
    assert_int_equal(dal_col_int64(st, 0, &n), DAL_OK);
    dal_stmt_done(st);
    assert_int_equal(n, THREADS * OPS);
    dal_pool_release(sh.pool, db);
    dal_pool_close(sh.pool);
    pthread_mutex_destroy(&sh.mu);
}

static void sq_url(char *buf, size_t n, const char *name)
{
    char path[512];
    test_tmp_path(path, sizeof path, name);
    snprintf(buf, n, "sqlite:%s", path);
}

static void test_pool_sqlite(void **state)
{
    (void)state;
    char url[600];
    sq_url(url, sizeof url, "pool.db");
    hammer(url, false);
}

static void test_pool_pg(void **state)
{
    (void)state;
    hammer(test_pg_url(), true);
}

static void timeouts(const char *url)
{
    dal_pool *p = NULL;
    dal_pool_options o = {1, 50, 100, true, 0};
    assert_int_equal(dal_pool_open(url, &o, &p), DAL_OK);
    dal_db *a = NULL, *b = NULL;
    assert_int_equal(dal_pool_acquire(p, &a), DAL_OK);
    assert_int_equal(dal_pool_acquire(p, &b), DAL_BUSY);
    assert_null(b);
    assert_non_null(strstr(dal_pool_errmsg(p), "timed out"));
    dal_pool_stats ps;
    dal_pool_get_stats(p, &ps);
    assert_int_equal(ps.total, 1);
    assert_int_equal(ps.in_use, 1);
    dal_pool_release(p, a);
    /* idle expiry: after max_idle the connection is replaced */
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(dal_pool_acquire(p, &b), DAL_OK);
    assert_true(a != b || a == b); /* may reuse the address; just must work */
    assert_int_equal(dal_ping(b), DAL_OK);
    dal_pool_release(p, b);
    dal_pool_get_stats(p, &ps);
    assert_int_equal(ps.total, 1);
    assert_int_equal(ps.idle, 1);
    dal_pool_close(p);
    /* bad URL: fails at open, with a message */
    p = NULL;
    dal_status s = dal_pool_open(strncmp(url, "sqlite:", 7) == 0 ? "sqlite:/nonexistent-dir/x.db"
                                                                 : "host=/nonexistent-dir user=u password=pw123456",
                                 NULL, &p);
    assert_int_equal(s, DAL_CONN);
    assert_true(strlen(dal_pool_errmsg(p)) > 0);
    assert_null(strstr(dal_pool_errmsg(p), "pw123456"));
    dal_pool_close(p);
}

static void test_pool_timeouts(void **state)
{
    (void)state;
    char url[600];
    sq_url(url, sizeof url, "pool2.db");
    timeouts(url);
    timeouts(test_pg_url());
}

/* ---------------------------------------------------------------------- */

static int restart_server(void) { return system("tests/pg.sh restart"); }

static dal_status one(dal_db *db, int64_t *out)
{
    static const dal_query q = {"SELECT $1::bigint + count(*) FROM rt_loss", 1};
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &q, &st);
    if (s != DAL_OK)
        return s;
    dal_bind_int64(st, 1, 41);
    bool has;
    s = dal_stmt_step(st, &has);
    if (s == DAL_OK && has)
        s = dal_col_int64(st, 0, out);
    dal_stmt_done(st);
    return s;
}

typedef struct logcount {
    int info;
} logcount;

static void on_log(void *ctx, dal_log_level lvl, const char *msg)
{
    (void)msg;
    if (lvl == DAL_LOG_INFO)
        ((logcount *)ctx)->info++;
}

static void test_connection_loss(void **state)
{
    (void)state;
    dal_db *db = NULL;
    assert_int_equal(dal_open(test_pg_url(), &db), DAL_OK);
    logcount lc = {0};
    dal_set_logger(db, on_log, &lc);
    assert_int_equal(dal_exec(db, "DROP TABLE IF EXISTS rt_loss; CREATE TABLE rt_loss (id int)"),
                     DAL_OK);
    int64_t v = 0;
    assert_int_equal(one(db, &v), DAL_OK);
    assert_int_equal(v, 41);

    /* 1: between two statements outside a transaction */
    assert_int_equal(restart_server(), 0);
    v = 0;
    dal_status s = one(db, &v);
    assert_int_equal(s, DAL_CONN); /* the call in flight fails: never retried silently */
    assert_int_equal(one(db, &v), DAL_OK); /* reconnects, re-prepares */
    assert_int_equal(v, 41);
    assert_int_equal(lc.info, 1);

    /* 2: inside a transaction: every call fails until the rollback */
    assert_int_equal(dal_begin(db), DAL_OK);
    assert_int_equal(dal_exec(db, "INSERT INTO rt_loss VALUES (1)"), DAL_OK);
    assert_int_equal(restart_server(), 0);
    assert_int_equal(dal_exec(db, "INSERT INTO rt_loss VALUES (2)"), DAL_CONN);
    assert_int_equal(one(db, &v), DAL_CONN);
    assert_int_equal(dal_commit(db), DAL_CONN);
    assert_int_equal(dal_tx_depth(db), 0);
    assert_int_equal(one(db, &v), DAL_OK);
    assert_int_equal(v, 41); /* the insert was lost with the transaction */

    /* 3: a pool hands out healthy connections after a restart */
    dal_pool *p = NULL;
    assert_int_equal(dal_pool_open(test_pg_url(), NULL, &p), DAL_OK);
    dal_db *a = NULL, *b = NULL;
    assert_int_equal(dal_pool_acquire(p, &a), DAL_OK);
    assert_int_equal(dal_pool_acquire(p, &b), DAL_OK);
    assert_int_equal(one(a, &v), DAL_OK);
    dal_pool_release(p, a);
    assert_int_equal(restart_server(), 0);
    assert_int_equal(one(b, &v), DAL_CONN);
    dal_pool_release(p, b); /* broken: closed */
    assert_int_equal(dal_pool_acquire(p, &a), DAL_OK); /* health check reconnects */
    assert_int_equal(one(a, &v), DAL_OK);
    dal_pool_release(p, a);
    dal_pool_close(p);

    /* 4: a batch insert (pipeline) across a restart: DAL_CONN, nothing
     * half-done; the retry by the application succeeds */
    typedef struct lrow {
        int32_t id;
        void *dal_mem_;
    } lrow;
    static const dal_column lcols[] = {{"id", DAL_T_INT32, 0, 0, DAL_NO_HAS, NULL, 0}};
    static const dal_table lt = {"rt_loss", sizeof(lrow), offsetof(lrow, dal_mem_), lcols, 1};
    lrow rows[600];
    for (int i = 0; i < 600; i++)
        rows[i] = (lrow){i, NULL};
    assert_int_equal(one(db, &v), DAL_CONN); /* db saw the restart of step 3 too */
    assert_int_equal(dal_insert_rows(db, &lt, rows, 600), DAL_OK);
    assert_int_equal(one(db, &v), DAL_OK);
    assert_int_equal(v, 641);
    assert_int_equal(restart_server(), 0);
    assert_int_equal(dal_insert_rows(db, &lt, rows, 600), DAL_CONN);
    assert_int_equal(dal_tx_depth(db), 0);
    assert_int_equal(dal_insert_rows(db, &lt, rows, 600), DAL_OK);
    assert_int_equal(one(db, &v), DAL_OK);
    assert_int_equal(v, 1241);

    dal_close(db);
}

/* A server restart between acquires: every connection the pool hands out
 * afterwards works on its first call, whether the pool pings it (idle
 * longer than ping_after_idle_ms, or -1: always) or only checks without a
 * round trip that the server has not closed it (a threshold no test run
 * reaches).  Nothing here depends on how long the restart takes. */
static void restart_between_acquires(int ping_after_idle_ms)
{
    dal_pool *p = NULL;
    dal_pool_options o = {.max_size = 3, .acquire_timeout_ms = 10000, .max_idle_ms = 0,
                          .health_check = true, .ping_after_idle_ms = ping_after_idle_ms};
    assert_int_equal(dal_pool_open(test_pg_url(), &o, &p), DAL_OK);
    dal_db *c[3];
    int64_t v = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            assert_int_equal(dal_pool_acquire(p, &c[i]), DAL_OK);
            v = 0;
            assert_int_equal(one(c[i], &v), DAL_OK);
            assert_int_equal(v, 41);
        }
        for (int i = 0; i < 3; i++)
            dal_pool_release(p, c[i]);
        assert_int_equal(restart_server(), 0);
    }
    /* and one at a time: the same connection, again and again */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(dal_pool_acquire(p, &c[0]), DAL_OK);
        assert_int_equal(one(c[0], &v), DAL_OK);
        dal_pool_release(p, c[0]);
    }
    dal_pool_stats ps;
    dal_pool_get_stats(p, &ps);
    assert_int_equal(ps.in_use, 0);
    assert_true(ps.total <= 3);
    dal_pool_close(p);
}

static void test_restart_between_acquires(void **state)
{
    (void)state;
    dal_db *db = NULL;
    assert_int_equal(dal_open(test_pg_url(), &db), DAL_OK);
    assert_int_equal(dal_exec(db, "DROP TABLE IF EXISTS rt_loss; CREATE TABLE rt_loss (id int)"),
                     DAL_OK);
    dal_close(db);
    restart_between_acquires(3600 * 1000); /* the check without a round trip */
    restart_between_acquires(-1);          /* a ping on every acquire */
    restart_between_acquires(0);           /* the default */
}

/* The option on SQLite (no server to lose): every setting hands out working
 * connections. */
static void test_ping_after_idle_sqlite(void **state)
{
    (void)state;
    char url[600];
    sq_url(url, sizeof url, "pool3.db");
    int settings[] = {0, -1, 3600 * 1000};
    for (int k = 0; k < 3; k++) {
        dal_pool *p = NULL;
        dal_pool_options o = {.max_size = 2, .acquire_timeout_ms = 1000, .health_check = true,
                              .ping_after_idle_ms = settings[k]};
        assert_int_equal(dal_pool_open(url, &o, &p), DAL_OK);
        for (int i = 0; i < 3; i++) {
            dal_db *db = NULL;
            assert_int_equal(dal_pool_acquire(p, &db), DAL_OK);
            assert_int_equal(dal_exec(db, "SELECT 1"), DAL_OK);
            dal_pool_release(p, db);
        }
        dal_pool_close(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_sqlite),
        cmocka_unit_test(test_pool_pg),
        cmocka_unit_test(test_pool_timeouts),
        cmocka_unit_test(test_connection_loss),
        cmocka_unit_test(test_restart_between_acquires),
        cmocka_unit_test(test_ping_after_idle_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
