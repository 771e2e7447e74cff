/*
 * test_batch.c - batches on SQLite and on PostgreSQL: the named queries'
 * <query>_batch and the tables' update_many / delete_many.  Success with
 * the rows each item changed, a failure in the middle (a duplicate, a CHECK,
 * a value the runtime refuses, a key that matches no row) leaving nothing
 * applied with the same status and failing index on both engines, n == 0,
 * NULL arguments, inside and outside a caller's transaction, and a batch of
 * 5,000 items (more than libpq sends in one buffer).
 */
#include <stdbool.h>
#include <stdint.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

enum { NRUNS = 10 };

/* Job "j" with NRUNS runs scheduled at 1000, 2000, ...; their ids in ids. */
static void setup_runs(void **state, int64_t ids[NRUNS])
{
    projects p = {.slug = "p", .name = "P"};
    projects pout;
    OK(projects_insert(E->db, &p, &pout));
    jobs j = {.id = "j", .project_id = pout.id};
    OK(jobs_insert(E->db, &j, NULL));
    projects_free(&pout);
    for (int i = 0; i < NRUNS; i++) {
        job_runs out;
        OK(add_run(E->db, &(add_run_params){.job_id = "j", .scheduled_at = 1000 * (i + 1)}, &out));
        ids[i] = out.id;
        job_runs_free(&out);
    }
}

static job_runs_status status_of(void **state, int64_t id)
{
    job_runs r;
    OK(job_runs_get(E->db, id, &r));
    job_runs_status st = r.status;
    job_runs_free(&r);
    return st;
}

static dal_time scheduled_of(void **state, int64_t id)
{
    job_runs r;
    OK(job_runs_get(E->db, id, &r));
    dal_time t = r.scheduled_at;
    job_runs_free(&r);
    return t;
}

static void test_success_and_counts(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    run_set_status_params items[NRUNS + 1];
    for (int i = 0; i < NRUNS; i++)
        items[i] = (run_set_status_params){.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[i]};
    items[NRUNS] = (run_set_status_params){.status = JOB_RUNS_STATUS_FAILED, .run_id = -1};
    int64_t affected[NRUNS + 1];
    memset(affected, 0x55, sizeof affected);
    OK(run_set_status_batch(E->db, items, NRUNS + 1, affected));
    assert_int_equal(dal_batch_failed(E->db), DAL_NO_ITEM);
    assert_string_equal(dal_errmsg(E->db), "");
    for (int i = 0; i < NRUNS; i++) {
        assert_int_equal(affected[i], 1);
        assert_int_equal(status_of(state, ids[i]), JOB_RUNS_STATUS_RUNNING);
    }
    assert_int_equal(affected[NRUNS], 0); /* matched no row: fine for :execrows */
    assert_int_equal(dal_tx_depth(E->db), 0);

    /* one parameter: the items are its values */
    OK(finish_run(E->db, &(finish_run_params){.status = JOB_RUNS_STATUS_COMPLETED, .id = ids[0]}));
    dal_time befores[3] = {0, 1500, 99999};
    int64_t del[3];
    OK(delete_old_runs_batch(E->db, befores, 3, del));
    assert_int_equal(del[0] + del[1] + del[2], 0); /* no run has finished_at set */
    OK(delete_old_runs_batch(E->db, befores, 3, NULL));

    /* :exec, without counts */
    finish_run_params fin[2] = {
        {.status = JOB_RUNS_STATUS_COMPLETED, .finished_at = NULL, .output = "{\"a\": 1}",
         .error = "it's", .id = ids[1]},
        {.status = JOB_RUNS_STATUS_FAILED, .finished_at = NULL, .error = NULL, .id = ids[2]},
    };
    OK(finish_run_batch(E->db, fin, 2));
    assert_int_equal(status_of(state, ids[1]), JOB_RUNS_STATUS_COMPLETED);
    assert_int_equal(status_of(state, ids[2]), JOB_RUNS_STATUS_FAILED);
}

/* A duplicate at item 7: DAL_DUPLICATE, index 7, nothing applied. */
static void test_duplicate_in_the_middle(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    reschedule_run_params items[NRUNS];
    for (int i = 0; i < NRUNS; i++)
        items[i] = (reschedule_run_params){.scheduled_at = 100000 + i, .id = ids[i]};
    items[7].scheduled_at = 1000 * 10; /* the time of run 9, which item 9 moves only later */
    int64_t affected[NRUNS];
    IS(reschedule_run_batch(E->db, items, NRUNS, affected), DAL_DUPLICATE);
    assert_int_equal(dal_batch_failed(E->db), 7);
    assert_non_null(strstr(dal_errmsg(E->db), "reschedule_run_batch: items[7]: "));
    assert_non_null(strstr(dal_errmsg(E->db), "none of the 10 items was applied"));
    for (int i = 0; i < NRUNS; i++) {
        assert_int_equal(affected[i], 0);
        assert_int_equal(scheduled_of(state, ids[i]), 1000 * (i + 1));
    }
    assert_int_equal(dal_tx_depth(E->db), 0);
    /* the connection goes on: the same batch without the clash */
    items[7].scheduled_at = 100007;
    OK(reschedule_run_batch(E->db, items, NRUNS, affected));
    for (int i = 0; i < NRUNS; i++)
        assert_int_equal(scheduled_of(state, ids[i]), 100000 + i);
    assert_int_equal(dal_batch_failed(E->db), DAL_NO_ITEM);
}

/* A CHECK the database refuses (finished without a start) at item 3, and
 * a value the runtime refuses before sending anything (text that is not
 * UTF-8) at item 4: the same status and index on both engines. */
static void test_check_and_refused_value(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    dal_time t = 42;
    finish_run_params fin[5];
    for (int i = 0; i < 5; i++)
        fin[i] = (finish_run_params){.status = JOB_RUNS_STATUS_COMPLETED, .id = ids[i]};
    fin[3].finished_at = &t;
    IS(finish_run_batch(E->db, fin, 5), DAL_CHECK);
    assert_int_equal(dal_batch_failed(E->db), 3);
    for (int i = 0; i < 5; i++)
        assert_int_equal(status_of(state, ids[i]), JOB_RUNS_STATUS_PENDING);

    fin[3].finished_at = NULL;
    fin[4].error = "bad \xff utf-8";
    IS(finish_run_batch(E->db, fin, 5), DAL_CHECK);
    assert_int_equal(dal_batch_failed(E->db), 4);
    assert_non_null(strstr(dal_errmsg(E->db), "finish_run_batch: items[4]: "));
    for (int i = 0; i < 5; i++)
        assert_int_equal(status_of(state, ids[i]), JOB_RUNS_STATUS_PENDING);

    /* an enum value out of range is refused too (DAL_MISUSE, like the single call) */
    run_set_status_params rs[3] = {{.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[0]},
                                   {.status = (job_runs_status)99, .run_id = ids[1]},
                                   {.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[2]}};
    IS(run_set_status(E->db, &rs[1], NULL), DAL_MISUSE);
    IS(run_set_status_batch(E->db, rs, 3, NULL), DAL_MISUSE);
    assert_int_equal(dal_batch_failed(E->db), 1);
    assert_int_equal(status_of(state, ids[0]), JOB_RUNS_STATUS_PENDING);
}

static void test_empty_and_null(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    OK(run_set_status_batch(E->db, NULL, 0, NULL));
    int64_t affected[1] = {7};
    run_set_status_params one = {.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[0]};
    OK(run_set_status_batch(E->db, &one, 0, affected));
    assert_int_equal(affected[0], 7); /* n entries: none written */
    OK(job_runs_update_many(E->db, NULL, 0));
    OK(jobs_delete_many(E->db, NULL, 0));
    assert_int_equal(status_of(state, ids[0]), JOB_RUNS_STATUS_PENDING);

    assert_int_equal(run_set_status_batch(NULL, &one, 1, NULL), DAL_MISUSE);
    assert_int_equal(job_runs_update_many(NULL, NULL, 0), DAL_MISUSE);
    IS(run_set_status_batch(E->db, NULL, 1, NULL), DAL_MISUSE);
    assert_int_equal(dal_batch_failed(E->db), DAL_NO_ITEM);
    IS(job_runs_update_many(E->db, NULL, 2), DAL_MISUSE);
    IS(job_tags_delete_many(E->db, NULL, 1), DAL_MISUSE);
    IS(dal_exec_batch(E->db, "x", NULL, NULL, &one, sizeof one, 1, 0, NULL), DAL_MISUSE);
    assert_int_equal(dal_batch_failed(NULL), DAL_NO_ITEM);
}

/* Inside the caller's transaction a batch is a savepoint: its failure
 * leaves the transaction going, with what came before it. */
static void test_inside_a_transaction(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    OK(dal_begin(E->db));
    OK(run_set_status(E->db, &(run_set_status_params){.status = JOB_RUNS_STATUS_CANCELLED,
                                                       .run_id = ids[9]}, NULL));
    reschedule_run_params items[3] = {{.scheduled_at = 1, .id = ids[0]},
                                      {.scheduled_at = 2, .id = ids[1]},
                                      {.scheduled_at = 1000 * 5, .id = ids[2]}}; /* run 4's */
    IS(reschedule_run_batch(E->db, items, 3, NULL), DAL_DUPLICATE);
    assert_int_equal(dal_batch_failed(E->db), 2);
    assert_int_equal(dal_tx_depth(E->db), 1);
    assert_int_equal(scheduled_of(state, ids[0]), 1000); /* usable: not an aborted transaction */
    items[2].scheduled_at = 3;
    int64_t affected[3];
    OK(reschedule_run_batch(E->db, items, 3, affected));
    assert_int_equal(affected[0] + affected[1] + affected[2], 3);
    assert_int_equal(dal_tx_depth(E->db), 1);
    OK(dal_commit(E->db));
    assert_int_equal(status_of(state, ids[9]), JOB_RUNS_STATUS_CANCELLED);
    assert_int_equal(scheduled_of(state, ids[2]), 3);

    /* a batch that succeeded is undone with the caller's rollback */
    OK(dal_begin(E->db));
    OK(job_runs_delete_many(E->db, ids, 5));
    int64_t n = -1;
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, NRUNS - 5);
    OK(dal_rollback(E->db));
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, NRUNS);

    /* nested one level deeper */
    OK(dal_begin(E->db));
    OK(dal_begin(E->db));
    IS(job_runs_delete_many(E->db, (int64_t[]){ids[0], -5}, 2), DAL_NOT_FOUND);
    assert_int_equal(dal_batch_failed(E->db), 1);
    assert_int_equal(dal_tx_depth(E->db), 2);
    OK(dal_commit(E->db));
    OK(dal_commit(E->db));
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, NRUNS);
}

static void test_update_and_delete_many(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    job_runs rows[NRUNS];
    for (int i = 0; i < NRUNS; i++)
        OK(job_runs_get(E->db, ids[i], &rows[i]));
    for (int i = 0; i < NRUNS; i++) {
        rows[i].attempt = 2 + i;
        rows[i].error = (char *)"retried";
    }
    OK(job_runs_update_many(E->db, rows, NRUNS));
    for (int i = 0; i < NRUNS; i++) {
        job_runs r;
        OK(job_runs_get(E->db, ids[i], &r));
        assert_int_equal(r.attempt, 2 + i);
        assert_string_equal(r.error, "retried");
        job_runs_free(&r);
    }
    /* a row that is not there: DAL_NOT_FOUND at its index, nothing updated */
    int64_t keep = rows[3].id;
    rows[3].id = -3;
    for (int i = 0; i < NRUNS; i++)
        rows[i].attempt = 50;
    IS(job_runs_update_many(E->db, rows, NRUNS), DAL_NOT_FOUND);
    assert_int_equal(dal_batch_failed(E->db), 3);
    assert_non_null(strstr(dal_errmsg(E->db), "job_runs_update_many: items[3]: no row matches"));
    job_runs r;
    OK(job_runs_get(E->db, ids[0], &r));
    assert_int_equal(r.attempt, 2);
    job_runs_free(&r);
    /* a CHECK (attempt >= 1) at item 6 */
    rows[3].id = keep;
    rows[6].attempt = 0;
    IS(job_runs_update_many(E->db, rows, NRUNS), DAL_CHECK);
    assert_int_equal(dal_batch_failed(E->db), 6);
    OK(job_runs_get(E->db, ids[0], &r));
    assert_int_equal(r.attempt, 2);
    job_runs_free(&r);
    /* a duplicate (job_id, scheduled_at) at item 7 */
    rows[6].attempt = 1;
    rows[7].scheduled_at = rows[8].scheduled_at;
    IS(job_runs_update_many(E->db, rows, NRUNS), DAL_DUPLICATE);
    assert_int_equal(dal_batch_failed(E->db), 7);
    for (int i = 0; i < NRUNS; i++)
        job_runs_free(&rows[i]);

    /* delete_many: one-column keys */
    IS(job_runs_delete_many(E->db, (int64_t[]){ids[0], ids[1], ids[0]}, 3), DAL_NOT_FOUND);
    assert_int_equal(dal_batch_failed(E->db), 2); /* deleted by item 0 already */
    int64_t n = -1;
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, NRUNS);
    OK(job_runs_delete_many(E->db, ids, 4));
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, NRUNS - 4);

    /* text keys, and a composite key given as rows */
    tags t1 = {.name = "a"}, t2 = {.name = "b"}, o1, o2;
    OK(tags_insert(E->db, &t1, &o1));
    OK(tags_insert(E->db, &t2, &o2));
    job_tags jt[2] = {{.job_id = "j", .tag_id = o1.id}, {.job_id = "j", .tag_id = o2.id}};
    OK(job_tags_insert_many(E->db, jt, 2));
    job_tags back[2] = {{.job_id = "j", .tag_id = o2.id}, {.job_id = "nope", .tag_id = o1.id}};
    IS(job_tags_delete_many(E->db, back, 2), DAL_NOT_FOUND);
    assert_int_equal(dal_batch_failed(E->db), 1);
    OK(job_tags_count(E->db, &n));
    assert_int_equal(n, 2);
    OK(job_tags_delete_many(E->db, jt, 2));
    OK(job_tags_count(E->db, &n));
    assert_int_equal(n, 0);
    tags_free(&o1);
    tags_free(&o2);
    const char *jobs_gone[1] = {"j"};
    OK(jobs_delete_many(E->db, jobs_gone, 1));
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, 0); /* cascaded */
    IS(jobs_delete_many(E->db, jobs_gone, 1), DAL_NOT_FOUND);
    assert_int_equal(dal_batch_failed(E->db), 0);
}

/* More items than one buffer of the pipeline holds: every one applied,
 * every count read; then the same with the failure near the end. */
static void test_large_batch(void **state)
{
    enum { N = 5000 };
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    job_runs *rows = calloc(N, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < N; i++) {
        rows[i].job_id = (char *)"j";
        rows[i].scheduled_at = 1000000 + i;
    }
    OK(job_runs_insert_many(E->db, rows, N));
    free(rows);
    job_runs_array page;
    OK(job_runs_list_by_job_id(E->db, "j", NULL, N + NRUNS, &page));
    assert_int_equal(page.len, N + NRUNS);
    run_set_status_params *items = calloc(page.len, sizeof *items);
    int64_t *affected = calloc(page.len, sizeof *affected);
    assert_non_null(items);
    assert_non_null(affected);
    for (size_t i = 0; i < page.len; i++)
        items[i] = (run_set_status_params){.status = JOB_RUNS_STATUS_RUNNING,
                                           .run_id = page.items[i].id};
    items[page.len - 2].status = (job_runs_status)-1;
    IS(run_set_status_batch(E->db, items, page.len, affected), DAL_MISUSE);
    assert_int_equal(dal_batch_failed(E->db), page.len - 2);
    items[page.len - 2].status = JOB_RUNS_STATUS_FAILED;
    OK(run_set_status_batch(E->db, items, page.len, affected));
    int64_t sum = 0;
    for (size_t i = 0; i < page.len; i++)
        sum += affected[i];
    assert_int_equal(sum, N + NRUNS);
    runs_per_status_row_array ps;
    OK(runs_per_status(E->db, &ps));
    assert_int_equal(ps.len, 2);
    assert_int_equal(ps.items[0].status, JOB_RUNS_STATUS_FAILED);
    assert_int_equal(ps.items[0].runs, 1);
    assert_int_equal(ps.items[1].status, JOB_RUNS_STATUS_RUNNING);
    assert_int_equal(ps.items[1].runs, N + NRUNS - 1);
    runs_per_status_row_array_free(&ps);
    free(items);
    free(affected);
    job_runs_array_free(&page);
}

/* A batch counts as one statement in the stats; after a failed batch the
 * next statements run as usual. */
static void test_stats_and_after(void **state)
{
    int64_t ids[NRUNS];
    setup_runs(state, ids);
    dal_reset_stats(E->db);
    run_set_status_params items[2] = {{.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[0]},
                                      {.status = JOB_RUNS_STATUS_RUNNING, .run_id = ids[1]}};
    OK(run_set_status_batch(E->db, items, 2, NULL));
    dal_stats st;
    dal_get_stats(E->db, &st);
    assert_true(st.queries >= 1);
    assert_int_equal(st.errors, 0);
    IS(job_runs_delete_many(E->db, (int64_t[]){-1}, 1), DAL_NOT_FOUND);
    OK(job_runs_delete(E->db, ids[0]));
    assert_int_equal(dal_batch_failed(E->db), 0); /* kept until the next batch */
    OK(job_runs_delete_many(E->db, (int64_t[]){ids[1]}, 1));
    assert_int_equal(dal_batch_failed(E->db), DAL_NO_ITEM);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS                                                                                      \
    T(test_success_and_counts), T(test_duplicate_in_the_middle),                                  \
        T(test_check_and_refused_value), T(test_empty_and_null), T(test_inside_a_transaction),    \
        T(test_update_and_delete_many), T(test_large_batch), T(test_stats_and_after)

static int open_sqlite(void **state) { return genv_open(state, false, "batch"); }
static int open_pg(void **state) { return genv_open(state, true, "batch"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("batch/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("batch/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
