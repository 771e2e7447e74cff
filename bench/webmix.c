/*
 * webmix.c - a web-request mix through dal_pool: every request acquires a
 * connection, runs one generated call (80% readings_get by a random id, 15%
 * readings_update of a random row, 5% readings_insert) and releases it.
 * Three pool settings are compared in one process, on the same server and
 * table, in interleaved blocks (so drift and bursts of load hit each alike):
 *
 *   default        health_check on, ping_after_idle_ms 0 (= 1000 ms)
 *   ping always    health_check on, ping_after_idle_ms -1: a round trip on
 *                  every acquire (what the pool did before)
 *   check off      health_check off
 *
 * Printed per thread count: requests/s, p50/p99/p99.9 latency of a request
 * (acquire to release), and each setting's throughput over "check off" (the
 * median of the per-round ratios, with their interquartile range).
 *
 *   webmix URL [seconds per setting and thread count, default 10] [threads...]
 *                                  (default thread counts: 1 4)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dal.h"
#include "schema.h"

#define BENCH_NAME "webmix"
#include "bench_util.h"

#define ROWS 10000
#define ROUNDS 10
enum { SET_DEFAULT, SET_PING, SET_OFF, NSETS };
static const char *const set_name[NSETS] = {"pool defaults", "ping on every acquire",
                                            "health check off"};
static const int set_ping_after[NSETS] = {0, -1, 0};

typedef struct lat {
    double *v;
    size_t n, cap;
} lat;

static void lat_add(lat *l, double x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 65536;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            die("realloc", "out of memory");
    }
    l->v[l->n++] = x;
}

typedef struct worker {
    pthread_t th;
    dal_pool *pool;
    double until;
    uint64_t rng;
    lat *lat;            /* this worker's own list */
    int64_t min_id, nids; /* gets and updates pick min_id .. min_id + nids - 1 */
    uint64_t done;
    const char *fail;
} worker;

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char *one_request(dal_db *db, worker *w)
{
    uint64_t r = next_rand(&w->rng);
    unsigned pct = (unsigned)(r % 100);
    int64_t id = w->min_id + (int64_t)((r >> 8) % (uint64_t)w->nids);
    readings row;
    if (pct < 80) {
        dal_status s = readings_get(db, id, &row);
        if (s != DAL_OK)
            return s == DAL_NOT_FOUND ? "get: not found" : dal_errmsg(db);
        readings_free(&row);
        return NULL;
    }
    char sensor[32];
    snprintf(sensor, sizeof sensor, "sensor-%" PRIu64, (r >> 20) % 100);
    row = (readings){.id = id, .sensor = sensor, .seq = (int32_t)(r >> 32), .value = 0.5,
                     .flag = (r >> 40) & 1, .note = pct < 95 ? "updated" : NULL,
                     .at = 1700000000000000 + (int64_t)(r >> 24)};
    if (pct >= 95)
        row.id = 0; /* the identity gives it */
    dal_status s = pct < 95 ? readings_update(db, &row) : readings_insert(db, &row, NULL);
    return s == DAL_OK ? NULL : dal_errmsg(db);
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    double t = now_s();
    while (t < w->until) {
        dal_db *db = NULL;
        dal_status s = dal_pool_acquire(w->pool, &db);
        if (s != DAL_OK) {
            w->fail = dal_pool_errmsg(w->pool);
            return NULL;
        }
        const char *err = one_request(db, w);
        dal_pool_release(w->pool, db);
        if (err) {
            w->fail = err;
            return NULL;
        }
        double t2 = now_s();
        lat_add(w->lat, t2 - t);
        w->done++;
        t = t2;
    }
    return NULL;
}

/* One block: `threads` workers on `pool` for `secs`; returns requests/s. */
static int64_t min_id, nids;

static double block(dal_pool *pool, int threads, double secs, lat *lats, uint64_t seed)
{
    worker w[64];
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.pool = pool, .until = t0 + secs, .rng = seed * 64 + (uint64_t)i + 1,
                        .lat = &lats[i], .min_id = min_id, .nids = nids};
        if (pthread_create(&w[i].th, NULL, run_worker, &w[i]) != 0)
            die("pthread_create", "failed");
    }
    uint64_t n = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].th, NULL);
        if (w[i].fail)
            die("request", w[i].fail);
        n += w[i].done;
    }
    return (double)n / (now_s() - t0);
}

static double pct(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i];
}

static void load(const char *url)
{
    dal_db *db = NULL;
    if (dal_open(url, &db) != DAL_OK)
        die("open", dal_errmsg(db));
    dal_exec(db, "DROP TABLE IF EXISTS \"readings\"");
    if (schema_create(db) != DAL_OK)
        die("schema_create", dal_errmsg(db));
    /* one by one (identity ids), in one transaction */
    if (dal_begin(db) != DAL_OK)
        die("begin", dal_errmsg(db));
    for (int i = 0; i < ROWS; i++) {
        readings r = {.sensor = "sensor", .seq = i, .value = i * 0.5, .flag = i & 1,
                      .note = "n", .at = 1700000000000000 + i};
        if (readings_insert(db, &r, NULL) != DAL_OK)
            die("load", dal_errmsg(db));
    }
    if (dal_commit(db) != DAL_OK)
        die("commit", dal_errmsg(db));
    dal_close(db);
}

/* The ids the gets and updates pick from (identity keeps counting after a
 * DELETE, so read the range back). */
static void id_range(const char *url)
{
    static const dal_query q = {"SELECT min(\"id\"), max(\"id\") FROM \"readings\"", 0};
    dal_db *db = NULL;
    dal_stmt *st = NULL;
    bool has = false;
    int64_t lo = 0, hi = 0;
    if (dal_open(url, &db) != DAL_OK || dal_stmt_start(db, &q, &st) != DAL_OK ||
        dal_stmt_step(st, &has) != DAL_OK || !has || dal_col_int64(st, 0, &lo) != DAL_OK ||
        dal_col_int64(st, 1, &hi) != DAL_OK)
        die("id range", dal_errmsg(db));
    dal_stmt_done(st);
    dal_close(db);
    min_id = lo;
    nids = hi - lo + 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage", "webmix URL [seconds] [threads...]");
    const char *url = argv[1];
    double secs = argc > 2 ? atof(argv[2]) : 10;
    int tcounts[8] = {1, 4}, ntc = 2;
    if (argc > 3) {
        ntc = 0;
        for (int i = 3; i < argc && ntc < 8; i++)
            tcounts[ntc++] = atoi(argv[i]);
    }
    load(url);
    id_range(url);
    printf("\nWeb-request mix through dal_pool (%s): 80%% get by id, 15%% update, 5%% insert; "
           "%d rounds of %.1f s per setting, interleaved; latency = acquire to release.\n\n",
           strncmp(url, "sqlite", 6) == 0 ? "SQLite" : "PostgreSQL", ROUNDS, secs / ROUNDS);
    for (int t = 0; t < ntc; t++) {
        int threads = tcounts[t] < 1 ? 1 : tcounts[t] > 64 ? 64 : tcounts[t];
        dal_pool *pools[NSETS];
        lat lats[NSETS][64];
        memset(lats, 0, sizeof lats);
        double tput[NSETS][ROUNDS], ratio[NSETS][ROUNDS], total[NSETS] = {0};
        for (int k = 0; k < NSETS; k++) {
            dal_pool_options o = {.max_size = threads, .acquire_timeout_ms = 10000,
                                  .max_idle_ms = 0, .health_check = k != SET_OFF,
                                  .ping_after_idle_ms = set_ping_after[k]};
            if (dal_pool_open(url, &o, &pools[k]) != DAL_OK)
                die("pool", dal_pool_errmsg(pools[k]));
            lat warm[64] = {{0}};
            block(pools[k], threads, 0.2, warm, 99); /* opens the connections */
            for (int i = 0; i < threads; i++)
                free(warm[i].v);
        }
        for (int r = 0; r < ROUNDS; r++) {
            for (int j = 0; j < NSETS; j++) {
                int k = (j + r) % NSETS; /* rotate which setting goes first */
                tput[k][r] = block(pools[k], threads, secs / ROUNDS, lats[k],
                                   (uint64_t)(r * NSETS + j));
                total[k] += tput[k][r];
            }
            for (int k = 0; k < NSETS; k++)
                ratio[k][r] = tput[k][r] / tput[SET_OFF][r];
        }
        if (t == 0) { /* the check's own cost: acquire + release alone, one thread */
            printf("\nacquire + release with no request (1 thread, median of 5 runs of 20,000):");
            for (int k = 0; k < NSETS; k++) {
                double ns[5];
                for (int r = 0; r < 5; r++) {
                    double t0 = now_s();
                    for (int i = 0; i < 20000; i++) {
                        dal_db *db = NULL;
                        if (dal_pool_acquire(pools[k], &db) != DAL_OK)
                            die("acquire", dal_pool_errmsg(pools[k]));
                        dal_pool_release(pools[k], db);
                    }
                    ns[r] = (now_s() - t0) / 20000 * 1e9;
                }
                qsort(ns, 5, sizeof ns[0], cmp_double);
                printf("%s %s %.0f ns", k ? "," : "", set_name[k], ns[2]);
            }
            printf(".\n\n| threads | pool setting | requests/s | p50 us | p99 us | p99.9 us | "
                   "throughput / check off (IQR) |\n|---|---|---:|---:|---:|---:|---|\n");
        }
        for (int k = 0; k < NSETS; k++) {
            lat all = {0};
            for (int i = 0; i < threads; i++) {
                for (size_t j = 0; j < lats[k][i].n; j++)
                    lat_add(&all, lats[k][i].v[j]);
                free(lats[k][i].v);
            }
            qsort(all.v, all.n, sizeof *all.v, cmp_double);
            qsort(ratio[k], ROUNDS, sizeof ratio[k][0], cmp_double);
            printf("| %d | %s | %.0f | %.1f | %.1f | %.1f | %.3f (%.3f-%.3f) |\n", threads,
                   set_name[k], total[k] / ROUNDS, pct(all.v, all.n, 0.5) * 1e6,
                   pct(all.v, all.n, 0.99) * 1e6, pct(all.v, all.n, 0.999) * 1e6,
                   (ratio[k][ROUNDS / 2 - 1] + ratio[k][ROUNDS / 2]) / 2, ratio[k][ROUNDS / 4],
                   ratio[k][ROUNDS - 1 - ROUNDS / 4]);
            free(all.v);
            dal_pool_close(pools[k]);
        }
    }
    return 0;
}
