/*
 * probe_soak.c - a short concurrency soak on each engine: PROBE_THREADS
 * threads (default 6) share one pool for PROBE_SECONDS (default 4) and each
 * inserts, reads back, updates and deletes its own rows; at the end every
 * thread's surviving rows are exactly the ones it kept, with its last note.
 *
 *   probe_soak URL        (sqlite:PATH or a PostgreSQL URL)
 */
#include <pthread.h>
#include <stdatomic.h>

#include "probe.h"

enum { MAX_THREADS = 16, MAX_OPS = 200000 };

typedef struct soak {
    dal_pool *pool;
    double end_ms;
    atomic_long ops, errors;
    int64_t kept[MAX_THREADS];
    char first_err[256];
    pthread_mutex_t mu;
} soak;

typedef struct sarg {
    soak *s;
    int id;
} sarg;

static void err(soak *s, dal_db *db, const char *what, dal_status st)
{
    atomic_fetch_add(&s->errors, 1);
    pthread_mutex_lock(&s->mu);
    if (!s->first_err[0])
        snprintf(s->first_err, sizeof s->first_err, "%s: %s: %s", what, dal_status_name(st),
                 db ? dal_errmsg(db) : dal_pool_errmsg(s->pool));
    pthread_mutex_unlock(&s->mu);
}

static void *worker(void *p)
{
    sarg *a = p;
    soak *s = a->s;
    for (int64_t seq = 0; seq < MAX_OPS && probe_now_ms() < s->end_ms; seq++) {
        dal_db *db;
        dal_status st = dal_pool_acquire(s->pool, &db);
        if (st != DAL_OK) {
            err(s, NULL, "acquire", st);
            continue;
        }
        writes in = {.writer = a->id, .seq = seq, .note = "new"}, out;
        if ((st = writes_insert(db, &in, &out)) != DAL_OK) {
            err(s, db, "insert", st);
            dal_pool_release(s->pool, db);
            continue;
        }
        writes got;
        if ((st = writes_get(db, out.id, &got)) != DAL_OK || got.writer != a->id || got.seq != seq)
            err(s, db, "get", st);
        else
            writes_free(&got);
        out.note = "kept";
        if ((st = writes_update(db, &out)) != DAL_OK)
            err(s, db, "update", st);
        if (seq % 3 == 0) {
            if ((st = writes_delete(db, out.id)) != DAL_OK)
                err(s, db, "delete", st);
        } else {
            s->kept[a->id]++;
        }
        out.note = NULL;
        writes_free(&out);
        dal_pool_release(s->pool, db);
        atomic_fetch_add(&s->ops, 1);
    }
    return NULL;
}

typedef struct vctx {
    int64_t per[MAX_THREADS];
    int64_t bad;
} vctx;

static dal_status verify_cb(const writes *w, void *ctx)
{
    vctx *v = ctx;
    if (w->writer < 0 || w->writer >= MAX_THREADS || strcmp(w->note, "kept") != 0 || w->seq % 3 == 0)
        v->bad++;
    else
        v->per[w->writer]++;
    return DAL_OK;
}

static const char *url;

static void test_soak(void **state)
{
    (void)state;
    int threads = atoi(probe_env("PROBE_THREADS", "6"));
    double secs = atof(probe_env("PROBE_SECONDS", "4"));
    if (threads < 1 || threads > MAX_THREADS)
        threads = 6;
    dal_db *db;
    POK(db, dal_open(url, &db));
    POK(db, probe_fresh_schema(db));
    dal_close(db);
    static soak s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    dal_pool_options po = {.max_size = threads, .acquire_timeout_ms = 10000, .health_check = true};
    if (dal_pool_open(url, &po, &s.pool) != DAL_OK)
        fail_msg("dal_pool_open: %s", dal_pool_errmsg(s.pool));
    s.end_ms = probe_now_ms() + secs * 1e3;
    pthread_t tid[MAX_THREADS];
    sarg args[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        args[i] = (sarg){&s, i};
        assert_int_equal(pthread_create(&tid[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    dal_pool_close(s.pool);
    POK(db, dal_open(url, &db));
    vctx v = {0};
    POK(db, writes_iterate(db, verify_cb, &v));
    dal_close(db);
    long mismatched = 0;
    for (int i = 0; i < threads; i++)
        mismatched += v.per[i] != s.kept[i];
    printf("probe: %s soak: %d threads x %.0f s: %ld operations (insert+get+update[+delete]), "
           "%ld errors, %lld unexpected rows, %ld threads with a wrong row count%s%s\n",
           strncmp(url, "sqlite:", 7) == 0 ? "SQLite" : "PostgreSQL", threads, secs,
           atomic_load(&s.ops), atomic_load(&s.errors), (long long)v.bad, mismatched,
           s.first_err[0] ? "; first error: " : "", s.first_err);
    assert_int_equal(atomic_load(&s.errors), 0);
    assert_int_equal(v.bad, 0);
    assert_int_equal(mismatched, 0);
    assert_true(atomic_load(&s.ops) > 0);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: probe_soak URL\n");
        return 2;
    }
    url = argv[1];
    const struct CMUnitTest t[] = {cmocka_unit_test(test_soak)};
    return cmocka_run_group_tests_name(strncmp(url, "sqlite:", 7) == 0 ? "probe_soak_sqlite" : "probe_soak_pg", t, NULL, NULL);
}
