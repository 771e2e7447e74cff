/*
 * test_queries.c - every named query of schema/runs.sql, on SQLite and on
 * PostgreSQL: typed parameters and results, NULL and hostile values, empty
 * results, a 3,000-element list and an empty one, dialect variants (the
 * SKIP LOCKED claim from two connections at once on PostgreSQL).
 */
#include <stdbool.h>
#include <stdint.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

static const char *const HOSTILE = "it's \"quoted\" \\ '; DROP TABLE job_runs; -- \xf0\x9f\x9a\x80";

static void setup_job(void **state, const char *job)
{
    projects p = {.slug = "p", .name = "P"};
    projects out;
    if (projects_get_by_slug(E->db, "p", &out) != DAL_OK)
        OK(projects_insert(E->db, &p, &out));
    jobs j = {.id = (char *)job, .project_id = out.id};
    OK(jobs_insert(E->db, &j, NULL));
    projects_free(&out);
}

static int64_t run_at(void **state, const char *job, dal_time at)
{
    job_runs out;
    OK(add_run(E->db, &(add_run_params){.job_id = job, .scheduled_at = at}, &out));
    assert_string_equal(out.job_id, job);
    assert_int_equal(out.scheduled_at, at);
    assert_int_equal(out.status, JOB_RUNS_STATUS_PENDING);
    int64_t id = out.id;
    job_runs_free(&out);
    return id;
}

static void test_latest_and_status(void **state)
{
    setup_job(state, HOSTILE);
    job_runs_array a;
    OK(latest_runs(E->db, &(latest_runs_params){.job_id = HOSTILE, .n = 10}, &a));
    assert_int_equal(a.len, 0);
    job_runs_array_free(&a);
    int64_t r1 = run_at(state, HOSTILE, -86400000000LL * 400); /* before 1970 */
    int64_t r2 = run_at(state, HOSTILE, 1000);
    OK(latest_runs(E->db, &(latest_runs_params){.job_id = HOSTILE, .n = 10}, &a));
    assert_int_equal(a.len, 2);
    assert_int_equal(a.items[0].id, r2);
    assert_int_equal(a.items[1].id, r1);
    assert_int_equal(a.items[1].scheduled_at, -86400000000LL * 400);
    job_runs_array_free(&a);
    OK(latest_runs(E->db, &(latest_runs_params){.job_id = HOSTILE, .n = 1}, &a));
    assert_int_equal(a.len, 1);
    job_runs_array_free(&a);
    int64_t n = -1;
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_FAILED,
                                                       .run_id = r1}, &n));
    assert_int_equal(n, 1);
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_FAILED,
                                                       .run_id = INT64_MIN}, &n));
    assert_int_equal(n, 0);
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_FAILED,
                                                       .run_id = r1}, NULL));
    runs_per_status_row_array ps;
    OK(runs_per_status(E->db, &ps));
    assert_int_equal(ps.len, 2);
    /* ordered by the stored names: "failed" < "pending" */
    assert_int_equal(ps.items[0].status, JOB_RUNS_STATUS_FAILED);
    assert_int_equal(ps.items[0].runs, 1);
    assert_int_equal(ps.items[1].status, JOB_RUNS_STATUS_PENDING);
    runs_per_status_row_array_free(&ps);
    count_runs_since_row c;
    OK(count_runs_since(E->db, &(count_runs_since_params){.from_time = DAL_TIME_MIN,
                                                          .to_time = 0}, &c));
    assert_int_equal(c.n, 1);
    runs_per_status_row_free(NULL);
}

static dal_status count_cb(const job_runs *row, void *ctx)
{
    (void)row;
    (*(int *)ctx)++;
    return DAL_OK;
}

static void test_iterate_finish(void **state)
{
    setup_job(state, "j");
    int64_t r = run_at(state, "j", 5);
    int n = 0;
    OK(latest_runs_iterate(E->db, &(latest_runs_params){.job_id = "j", .n = 5}, count_cb, &n));
    assert_int_equal(n, 1);
    OK(finish_run(E->db, &(finish_run_params){.status = JOB_RUNS_STATUS_COMPLETED,
                                               .finished_at = NULL, .output = "{\"a\": 1}",
                                               .error = HOSTILE, .id = r}));
    job_runs got;
    OK(job_runs_get(E->db, r, &got));
    assert_string_equal(got.error, HOSTILE);
    assert_false(got.has_finished_at);
    assert_int_equal(got.status, JOB_RUNS_STATUS_COMPLETED);
    job_runs_free(&got);
    dal_time t = 77;
    claim_next_run_row c;
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_PENDING,
                                                       .run_id = r}, NULL));
    OK(claim_next_run(E->db, &(claim_next_run_params){.now = &t}, &c));
    claim_next_run_row_free(&c);
    OK(finish_run(E->db, &(finish_run_params){.status = JOB_RUNS_STATUS_FAILED,
                                               .finished_at = &t, .id = r}));
    OK(job_runs_get(E->db, r, &got));
    assert_true(got.has_finished_at);
    assert_int_equal(got.finished_at, 77);
    assert_null(got.error);
    job_runs_free(&got);
    int64_t del = 0;
    OK(delete_old_runs(E->db, 78, &del));
    assert_int_equal(del, 1);
    OK(delete_old_runs(E->db, 78, &del));
    assert_int_equal(del, 0);
}

static void test_optional_filter_and_join(void **state)
{
    setup_job(state, "j");
    int64_t r1 = run_at(state, "j", 1), r2 = run_at(state, "j", 2);
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_RUNNING,
                                                       .run_id = r2}, NULL));
    find_runs_row_array a;
    OK(find_runs(E->db, &(find_runs_params){.job_id = "j", .status = NULL}, &a));
    assert_int_equal(a.len, 2);
    find_runs_row_array_free(&a);
    job_runs_status st = JOB_RUNS_STATUS_RUNNING;
    OK(find_runs(E->db, &(find_runs_params){.job_id = "j", .status = &st}, &a));
    assert_int_equal(a.len, 1);
    assert_int_equal(a.items[0].id, r2);
    assert_int_equal(a.items[0].attempt, 1);
    find_runs_row_array_free(&a);
    runs_with_jobs_row_array w;
    OK(runs_with_jobs(E->db, 0, &w));
    assert_int_equal(w.len, 2);
    assert_int_equal(w.items[0].id, r1);
    assert_string_equal(w.items[0].job_id, "j");
    assert_null(w.items[0].schedule);
    assert_null(w.items[0].agent_name); /* outer join: no agent */
    runs_with_jobs_row_array_free(&w);
    OK(runs_with_jobs(E->db, 1000, &w));
    assert_int_equal(w.len, 0);
    runs_with_jobs_row_array_free(&w);
}

static void test_lists(void **state)
{
    setup_job(state, "j");
    enum { N = 3000 };
    int64_t *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    int64_t want[3];
    for (int i = 0; i < 3; i++)
        want[i] = run_at(state, "j", i);
    for (int i = 0; i < N; i++)
        ids[i] = i < 3 ? want[i] : INT64_MIN + i;
    runs_by_ids_row_array a;
    OK(runs_by_ids(E->db, ids, N, &a));
    assert_int_equal(a.len, 3);
    assert_int_equal(a.items[2].id, want[2]);
    runs_by_ids_row_array_free(&a);
    OK(runs_by_ids(E->db, ids, 0, &a));
    assert_int_equal(a.len, 0);
    runs_by_ids_row_array_free(&a);
    OK(runs_by_ids(E->db, NULL, 0, &a));
    assert_int_equal(a.len, 0);
    IS(runs_by_ids(E->db, NULL, 2, &a), DAL_MISUSE);
    free(ids);
    job_runs_status sts[2] = {JOB_RUNS_STATUS_FAILED, JOB_RUNS_STATUS_PENDING};
    runs_in_statuses_row_array b;
    OK(runs_in_statuses(E->db, sts, 2, &b));
    assert_int_equal(b.len, 3);
    runs_in_statuses_row_array_free(&b);
    OK(runs_in_statuses(E->db, sts, 1, &b));
    assert_int_equal(b.len, 0);
    runs_in_statuses_row_array_free(&b);
    job_runs_status bad = (job_runs_status)99;
    IS(runs_in_statuses(E->db, &bad, 1, &b), DAL_MISUSE);
}

static void test_claim(void **state)
{
    setup_job(state, "j");
    claim_next_run_row c;
    dal_time now = 123;
    IS(claim_next_run(E->db, &(claim_next_run_params){.now = &now, .agent = NULL}, &c),
       DAL_NOT_FOUND);
    int64_t r1 = run_at(state, "j", 10);
    run_at(state, "j", 20);
    OK(claim_next_run(E->db, &(claim_next_run_params){.now = &now, .agent = NULL}, &c));
    assert_int_equal(c.id, r1);
    assert_int_equal(c.status, JOB_RUNS_STATUS_RUNNING);
    assert_true(c.has_started_at);
    assert_int_equal(c.started_at, 123);
    claim_next_run_row_free(&c);
    if (!E->pg)
        return;
    /* two connections, each inside a transaction: the second skips the
     * row the first locked */
    dal_db *db2 = NULL;
    assert_int_equal(dal_open(test_pg_url(), &db2), DAL_OK);
    assert_int_equal(dal_exec(db2, "SET search_path TO queries"), DAL_OK);
    int64_t r3 = run_at(state, "j", 30);
    OK(dal_begin(E->db));
    assert_int_equal(dal_begin(db2), DAL_OK);
    claim_next_run_row a, b;
    OK(claim_next_run(E->db, &(claim_next_run_params){.now = &now}, &a));
    assert_int_equal(claim_next_run(db2, &(claim_next_run_params){.now = &now}, &b), DAL_OK);
    assert_true(a.id != b.id);
    assert_true(b.id == r3 || a.id == r3);
    claim_next_run_row_free(&a);
    claim_next_run_row_free(&b);
    OK(dal_commit(E->db));
    assert_int_equal(dal_commit(db2), DAL_OK);
    IS(claim_next_run(E->db, &(claim_next_run_params){.now = &now}, &a), DAL_NOT_FOUND);
    dal_close(db2);
}

/* auto_update: an UPDATE from a named query refreshes jobs.updated_at, as
 * the trigger does for any UPDATE that does not set the column itself. */
static void test_auto_update_named_query(void **state)
{
    projects p = {.slug = "au", .name = "AU"}, pout;
    OK(projects_insert(E->db, &p, &pout));
    const dal_time old = 86400LL * 1000000; /* 1970-01-02 */
    jobs j = {.id = "au", .project_id = pout.id, .updated_at = old};
    projects_free(&pout);
    OK(jobs_insert(E->db, &j, NULL));
    jobs got;
    OK(jobs_get(E->db, "au", &got));
    assert_true(got.updated_at == old); /* a given value is stored on insert */
    jobs_free(&got);
    int64_t n = -1;
    OK(set_job_enabled(E->db, &(set_job_enabled_params){.enabled = false, .id = "au"}, &n));
    assert_int_equal(n, 1);
    OK(jobs_get(E->db, "au", &got));
    assert_false(got.enabled);
    assert_true(got.updated_at > old + 365LL * 86400 * 1000000); /* now, not 1970 */
    jobs_free(&got);
}

static void test_misuse(void **state)
{
    assert_int_equal(latest_runs(NULL, NULL, NULL), DAL_MISUSE);
    IS(latest_runs(E->db, NULL, NULL), DAL_MISUSE);
    IS(runs_per_status(E->db, NULL), DAL_MISUSE);
    IS(runs_per_status_iterate(E->db, NULL, NULL), DAL_MISUSE);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS                                                                                      \
    T(test_latest_and_status), T(test_iterate_finish), T(test_optional_filter_and_join),         \
        T(test_lists), T(test_claim), T(test_auto_update_named_query), T(test_misuse)

static int open_sqlite(void **state) { return genv_open(state, false, "queries"); }
static int open_pg(void **state) { return genv_open(state, true, "queries"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("queries/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("queries/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
