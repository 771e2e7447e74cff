/*
 * probe_pg.c - PostgreSQL reliability probes, driven by tests/check_probe_*.sh.
 *
 *   probe_pg write    writers insert rows through a pool while an event hits
 *                     the server (PROBE_EVENT: "terminate" = pg_terminate_backend
 *                     of every client backend, or a shell command such as
 *                     `tests/pg.sh restart` or a failover script; "setup" only
 *                     creates the tables); then every
 *                     stored row is counted: an acknowledged row must be stored
 *                     exactly once, and no row is ever stored twice.
 *   probe_pg bouncer  two clients doing CRUD through a transaction-mode pooler
 *                     (PROBE_URL), interleaved statement by statement: every
 *                     result must be the client's own.
 *
 * Environment: PROBE_URL (where to write), PROBE_VERIFY_URL (where to count,
 * default PROBE_URL), PROBE_SERVER_URL (the server itself, for "terminate"),
 * PROBE_THREADS, PROBE_BEFORE / PROBE_AFTER (acknowledged rows before the
 * event and after it), PROBE_SETUP=0 (the tables exist already).
 * Figures are printed, never asserted; only the counts are.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "probe.h"

enum { MAX_THREADS = 16, MAX_SEQ = 200000 };

typedef struct wshared {
    dal_pool *pool;
    atomic_bool stop;
    atomic_long acks;
    int threads;
    unsigned char *ack, *doubt; /* [writer][seq] */
    pthread_mutex_t mu;
    double max_outage_ms;
    long failed_calls;
    dal_status first_fail;
    char first_msg[256];
} wshared;

typedef struct warg {
    wshared *sh;
    int id;
} warg;

static void *writer(void *p)
{
    warg *a = p;
    wshared *sh = a->sh;
    double outage_start = -1;
    long fails = 0;
    for (int64_t seq = 0; seq < MAX_SEQ && !atomic_load(&sh->stop);) {
        dal_db *db;
        double t0 = probe_now_ms();
        dal_status s = dal_pool_acquire(sh->pool, &db);
        if (s == DAL_OK) {
            writes w = {.writer = a->id, .seq = seq, .note = "probe"};
            s = writes_insert(db, &w, NULL);
            size_t k = (size_t)a->id * MAX_SEQ + (size_t)seq;
            if (s == DAL_OK)
                sh->ack[k] = 1;
            else
                sh->doubt[k] = 1;
            if (s != DAL_OK) {
                pthread_mutex_lock(&sh->mu);
                if (sh->first_fail == DAL_OK) {
                    sh->first_fail = s;
                    snprintf(sh->first_msg, sizeof sh->first_msg, "%s", dal_errmsg(db));
                }
                pthread_mutex_unlock(&sh->mu);
            }
            dal_pool_release(sh->pool, db);
            seq++;
        }
        if (s == DAL_OK) {
            atomic_fetch_add(&sh->acks, 1);
            if (outage_start >= 0) {
                double len = probe_now_ms() - outage_start;
                pthread_mutex_lock(&sh->mu);
                if (len > sh->max_outage_ms)
                    sh->max_outage_ms = len;
                pthread_mutex_unlock(&sh->mu);
                outage_start = -1;
            }
        } else {
            fails++;
            if (outage_start < 0)
                outage_start = t0;
            probe_sleep_ms(5);
        }
    }
    pthread_mutex_lock(&sh->mu);
    sh->failed_calls += fails;
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

/* Terminates every other client backend of the server. */
static void terminate_backends(void)
{
    dal_db *db;
    const char *url = probe_env("PROBE_SERVER_URL", probe_env("PROBE_URL", test_pg_url()));
    POK(db, dal_open(url, &db));
    POK(db, dal_exec(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"));
    dal_close(db);
}

static long wait_acks(wshared *sh, long want, double timeout_ms)
{
    double end = probe_now_ms() + timeout_ms;
    while (atomic_load(&sh->acks) < want && probe_now_ms() < end)
        probe_sleep_ms(2);
    return atomic_load(&sh->acks);
}

static void test_write(void **state)
{
    (void)state;
    const char *url = probe_env("PROBE_URL", test_pg_url());
    const char *verify = probe_env("PROBE_VERIFY_URL", url);
    const char *event = probe_env("PROBE_EVENT", "terminate");
    int threads = atoi(probe_env("PROBE_THREADS", "4"));
    long before = atol(probe_env("PROBE_BEFORE", "2000"));
    long after = atol(probe_env("PROBE_AFTER", "2000"));
    if (threads < 1 || threads > MAX_THREADS)
        threads = 4;

    dal_db *db;
    if (strcmp(probe_env("PROBE_SETUP", "1"), "0") != 0) {
        POK(db, dal_open(url, &db));
        POK(db, probe_fresh_schema(db));
        dal_close(db);
    }
    if (strcmp(event, "setup") == 0) /* the tables only */
        return;
    wshared sh = {.threads = threads, .first_fail = DAL_OK};
    pthread_mutex_init(&sh.mu, NULL);
    sh.ack = calloc((size_t)threads * MAX_SEQ, 1);
    sh.doubt = calloc((size_t)threads * MAX_SEQ, 1);
    assert_non_null(sh.ack);
    assert_non_null(sh.doubt);
    dal_pool_options po = {.max_size = threads, .acquire_timeout_ms = 2000, .health_check = true};
    dal_status s = dal_pool_open(url, &po, &sh.pool);
    if (s != DAL_OK)
        fail_msg("dal_pool_open: %s", dal_pool_errmsg(sh.pool));
    pthread_t tid[MAX_THREADS];
    warg args[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        args[i] = (warg){&sh, i};
        assert_int_equal(pthread_create(&tid[i], NULL, writer, &args[i]), 0);
    }
    long at_event = wait_acks(&sh, before, 20000);
    double t0 = probe_now_ms();
    if (strcmp(event, "terminate") == 0) {
        terminate_backends();
    } else {
        int rc = system(event);
        if (rc != 0)
            print_error("event command failed (%d): %s\n", rc, event);
    }
    double event_ms = probe_now_ms() - t0;
    long at_end = wait_acks(&sh, atomic_load(&sh.acks) + after, 30000);
    atomic_store(&sh.stop, true);
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    dal_pool_close(sh.pool);

    POK(db, dal_open(verify, &db));
    probe_counts c;
    POK(db, probe_count(db, &c, threads, MAX_SEQ));
    dal_close(db);
    long acked = 0, lost = 0, dup = 0, doubt = 0, doubt_stored = 0, phantom = 0;
    for (int w = 0; w < threads; w++)
        for (int64_t q = 0; q < MAX_SEQ; q++) {
            size_t k = (size_t)w * MAX_SEQ + (size_t)q;
            unsigned n = probe_stored(&c, w, q);
            acked += sh.ack[k];
            doubt += sh.doubt[k];
            if (sh.ack[k] && n == 0)
                lost++;
            if (n > 1)
                dup++;
            if (sh.doubt[k] && n > 0)
                doubt_stored++;
            if (!sh.ack[k] && !sh.doubt[k] && n > 0)
                phantom++;
        }
    printf("probe: event '%s' after %ld acknowledged rows (took %.0f ms)\n", event, at_event,
           event_ms);
    printf("probe: acknowledged=%ld lost=%ld duplicated=%ld in_doubt=%ld (stored %ld) "
           "phantom=%ld stray=%lld failed_calls=%ld recovery_ms=%.0f\n",
           acked, lost, dup, doubt, doubt_stored, phantom, (long long)c.stray, sh.failed_calls,
           sh.max_outage_ms);
    if (sh.first_fail != DAL_OK)
        printf("probe: first failure %s: %s\n", dal_status_name(sh.first_fail), sh.first_msg);
    free(c.n);
    free(sh.ack);
    free(sh.doubt);
    assert_int_equal(lost, 0);
    assert_int_equal(dup, 0);
    assert_int_equal(phantom, 0);
    assert_int_equal(c.stray, 0);
    /* the writers went on after the event: the runtime recovered */
    assert_true(at_end >= at_event + after);
}

/* ---- two clients through a transaction-mode pooler ------------------------ */

/* Named statements of any client on the server connection behind the
 * pooler (with one server connection per pool, every client's). */
static int64_t prepared_on_server(dal_db *db)
{
    static const dal_query q = {
        "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'dal%'", 0};
    dal_stmt *st;
    int64_t n = -1;
    bool has = false;
    if (dal_stmt_start(db, &q, &st) != DAL_OK)
        return -1;
    if (dal_stmt_step(st, &has) == DAL_OK && has)
        dal_col_int64(st, 0, &n);
    dal_stmt_done(st);
    return n;
}

static void test_bouncer(void **state)
{
    (void)state;
    const char *url = probe_env("PROBE_URL", test_pg_url());
    const char *mode = probe_env("PROBE_MODE", "default");
    dal_db *a, *b;
    if (strcmp(mode, "setup") == 0) { /* on the server itself: the tables */
        POK(a, dal_open(url, &a));
        POK(a, probe_fresh_schema(a));
        dal_close(a);
        return;
    }
    POK(a, dal_open(url, &a));
    POK(b, dal_open(url, &b));
    POK(a, dal_exec(a, "DELETE FROM writes"));
    int wrong = 0, errors = 0, hinted = 0;
    enum { N = 300 };
    for (int i = 0; i < N; i++) {
        dal_db *me = i % 2 ? b : a;
        int who = i % 2 ? 2 : 1;
        writes in = {.writer = who, .seq = i, .note = who == 1 ? "from a" : "from b"}, out;
        dal_status s = writes_insert(me, &in, &out);
        if (s != DAL_OK) {
            errors++;
            if (strstr(dal_errmsg(me), "dal_statements=unnamed"))
                hinted++;
            if (errors < 4)
                printf("probe: client %d insert: %s: %s\n", who, dal_status_name(s), dal_errmsg(me));
            continue;
        }
        if (out.writer != who || out.seq != i || strcmp(out.note, in.note) != 0)
            wrong++;
        int64_t id = out.id;
        writes_free(&out);
        /* the other client runs a different statement in between */
        dal_db *other = me == a ? b : a;
        int64_t n;
        s = writes_count(other, &n);
        if (s != DAL_OK)
            errors++;
        else if (n != i + 1)
            wrong++;
        writes got;
        s = writes_get(me, id, &got);
        if (s != DAL_OK) {
            errors++;
            continue;
        }
        if (got.id != id || got.writer != who || got.seq != i)
            wrong++;
        got.note = "updated";
        if (writes_update(me, &got) != DAL_OK)
            errors++;
        writes_free(&got);
        writes_array arr;
        s = writes_list_by_writer_seq(other, 3 - who, i - 1, NULL, 10, &arr);
        if (s == DAL_OK) {
            for (size_t k = 0; k < arr.len; k++)
                if (arr.items[k].writer != 3 - who || arr.items[k].seq != i - 1)
                    wrong++;
            writes_array_free(&arr);
        } else {
            errors++;
        }
    }
    int64_t total = -1;
    POK(a, writes_count(a, &total));
    int64_t prepared = prepared_on_server(a);
    dal_close(a);
    dal_close(b);
    printf("probe: mode %s: %d rounds, wrong results %d, errors %d (with hint %d), "
           "rows %lld, named statements on the server connection %lld\n",
           mode, N, wrong, errors, hinted, (long long)total, (long long)prepared);
    assert_int_equal(wrong, 0);
    if (strcmp(mode, "named") == 0) {
        /* named statements behind a transaction pooler may fail, but only with
         * the hint, and never run another client's statement */
        assert_int_equal(errors, hinted);
    } else {
        assert_int_equal(errors, 0);
        assert_int_equal(total, N);
    }
    if (strcmp(mode, "default") == 0) /* the pooler was detected: unnamed statements */
        assert_int_equal(prepared, 0);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(what, "write") == 0) {
        const struct CMUnitTest t[] = {cmocka_unit_test(test_write)};
        return cmocka_run_group_tests_name(probe_env("PROBE_NAME", "probe_pg_write"), t, NULL, NULL);
    }
    if (strcmp(what, "bouncer") == 0) {
        const struct CMUnitTest t[] = {cmocka_unit_test(test_bouncer)};
        return cmocka_run_group_tests_name(probe_env("PROBE_NAME", "probe_pg_bouncer"), t, NULL, NULL);
    }
    fprintf(stderr, "usage: probe_pg write|bouncer (see the comment at the top)\n");
    return 2;
}
