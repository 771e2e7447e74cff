/*
 * test_views.c - the view of the example schema (schema/active_runs.yaml),
 * on SQLite and on PostgreSQL: _all, _iterate (and stopping early), _count,
 * NULL from its LEFT JOIN, the rows it filters out, a named query that
 * reads the view and returns its struct, misuse.
 */
#include <stdbool.h>
#include <stdint.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

/* A project, job "j" (priority 3, timeout 10 s), an agent, and three runs:
 * pending without agent, running on the agent, completed. */
static void seed(void **state)
{
    projects p = {.slug = "p", .name = "P"}, po;
    OK(projects_insert(E->db, &p, &po));
    jobs j = {.id = "j", .project_id = po.id, .priority = 3, .timeout_s = 10};
    OK(jobs_insert(E->db, &j, NULL));
    projects_free(&po);
    agents a = {.name = "agent-1"}, ao;
    OK(agents_insert(E->db, &a, &ao));
    job_runs r1 = {.job_id = "j", .scheduled_at = 100, .status = JOB_RUNS_STATUS_PENDING};
    OK(job_runs_insert(E->db, &r1, NULL));
    job_runs r2 = {.job_id = "j", .scheduled_at = 200, .status = JOB_RUNS_STATUS_RUNNING,
                   .started_at = 150, .has_started_at = true};
    memcpy(r2.agent_id, ao.id, sizeof r2.agent_id);
    r2.has_agent_id = true;
    OK(job_runs_insert(E->db, &r2, NULL));
    job_runs r3 = {.job_id = "j", .scheduled_at = 300, .status = JOB_RUNS_STATUS_COMPLETED,
                   .started_at = 250, .has_started_at = true, .finished_at = 260,
                   .has_finished_at = true};
    OK(job_runs_insert(E->db, &r3, NULL));
    agents_free(&ao);
}

static int by_time(const void *x, const void *y)
{
    const active_runs *a = x, *b = y;
    return (a->scheduled_at > b->scheduled_at) - (a->scheduled_at < b->scheduled_at);
}

static void test_all_and_count(void **state)
{
    int64_t n = -1;
    OK(active_runs_count(E->db, &n));
    assert_int_equal(n, 0);
    active_runs_array a;
    OK(active_runs_all(E->db, &a));
    assert_int_equal(a.len, 0);
    active_runs_array_free(&a);

    seed(state);
    OK(active_runs_count(E->db, &n));
    assert_int_equal(n, 2);
    OK(active_runs_all(E->db, &a));
    assert_int_equal(a.len, 2);
    qsort(a.items, a.len, sizeof *a.items, by_time);
    assert_string_equal(a.items[0].job_id, "j");
    assert_int_equal(a.items[0].job_priority, 3);
    assert_int_equal(a.items[0].timeout_ms, 10000);
    assert_int_equal(a.items[0].status, JOB_RUNS_STATUS_PENDING);
    assert_int_equal(a.items[0].scheduled_at, 100);
    assert_null(a.items[0].agent_name); /* LEFT JOIN: no agent */
    assert_int_equal(a.items[1].status, JOB_RUNS_STATUS_RUNNING);
    assert_string_equal(a.items[1].agent_name, "agent-1");
    active_runs_array_free(&a);
    assert_null(a.items);
    assert_int_equal(a.len, 0);
}

typedef struct seen {
    int rows, nulls;
    int stop_after;
} seen;

static dal_status on_row(const active_runs *r, void *ctx)
{
    seen *s = ctx;
    s->rows++;
    if (!r->agent_name)
        s->nulls++;
    return s->rows == s->stop_after ? DAL_NOT_FOUND : DAL_OK;
}

static void test_iterate(void **state)
{
    seed(state);
    seen s = {0, 0, 0};
    OK(active_runs_iterate(E->db, on_row, &s));
    assert_int_equal(s.rows, 2);
    assert_int_equal(s.nulls, 1);
    seen t = {0, 0, 1};
    IS(active_runs_iterate(E->db, on_row, &t), DAL_NOT_FOUND);
    assert_int_equal(t.rows, 1);
    /* the connection is usable after stopping early */
    int64_t n = 0;
    OK(active_runs_count(E->db, &n));
    assert_int_equal(n, 2);
}

/* A named query reading the view: its parameter typed from the view's
 * column, its rows the view's struct. */
static void test_named_query(void **state)
{
    seed(state);
    active_runs_array a;
    OK(active_runs_of_job(E->db, "j", &a));
    assert_int_equal(a.len, 2);
    assert_int_equal(a.items[0].scheduled_at, 100);
    assert_null(a.items[0].agent_name);
    assert_int_equal(a.items[0].timeout_ms, 10000);
    assert_string_equal(a.items[1].agent_name, "agent-1");
    active_runs_array_free(&a);
    OK(active_runs_of_job(E->db, "nope", &a));
    assert_int_equal(a.len, 0);
    active_runs_array_free(&a);
}

static void test_misuse(void **state)
{
    assert_int_equal(active_runs_all(NULL, NULL), DAL_MISUSE);
    IS(active_runs_all(E->db, NULL), DAL_MISUSE);
    IS(active_runs_iterate(E->db, NULL, NULL), DAL_MISUSE);
    IS(active_runs_count(E->db, NULL), DAL_MISUSE);
    active_runs_free(NULL);
    active_runs_array_free(NULL);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS T(test_all_and_count), T(test_iterate), T(test_named_query), T(test_misuse)

static int open_sqlite(void **state) { return genv_open(state, false, "views"); }
static int open_pg(void **state) { return genv_open(state, true, "views"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("views/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("views/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
