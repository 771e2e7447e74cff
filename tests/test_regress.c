/*
 * test_regress.c - one regression test per fixed bug, each on SQLite and on
 * PostgreSQL through the generated code of the example schema:
 *
 *   - a bytes value {NULL, len > 0} is DAL_MISUSE on every write path, and
 *     nothing is read from the NULL pointer or stored;
 *   - timestamps and dates outside years 1..9999 are DAL_CHECK on both
 *     engines on every write path; the range ends round-trip exactly, and
 *     a value beyond the range stored by raw SQL is an error, not a wrap;
 *   - prepared statement names are unique per connection (two connections
 *     never share a name), so a pooler cannot run another client's statement;
 *   - a password in a malformed connection URL never appears in dal_errmsg;
 *   - insert_many of no rows clears the last message; an out-of-range enum
 *     key is DAL_MISUSE; text that is not UTF-8 and NaN are DAL_CHECK on
 *     both engines; a column index past the last column is DAL_MISUSE;
 *   - a typed column reader given a NULL out pointer is DAL_MISUSE (four of
 *     them wrote through it);
 *   - after explicit identity values (insert, insert_many, upsert) the next
 *     generated id follows the largest on PostgreSQL too (was DAL_DUPLICATE).
 */
#include <stdbool.h>
#include <math.h>
#include <stdint.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

static int64_t new_run(void **state)
{
    projects p = {.slug = "regress", .name = "Regress"};
    projects sp;
    OK(projects_insert(E->db, &p, &sp));
    jobs j = {.id = "rj", .project_id = sp.id};
    projects_free(&sp);
    OK(jobs_insert(E->db, &j, NULL));
    job_runs r = {.job_id = "rj", .scheduled_at = 0};
    job_runs sr;
    OK(job_runs_insert(E->db, &r, &sr));
    int64_t id = sr.id;
    job_runs_free(&sr);
    return id;
}

static int64_t count_artifacts(void **state)
{
    int64_t n = -1;
    OK(artifacts_count(E->db, &n));
    return n;
}

/* {NULL, 32} for the NOT NULL bytes column artifacts.sha256. */
static void test_bytes_null_pointer_with_length(void **state)
{
    int64_t run = new_run(state);
    artifacts a = {.run_id = run, .path = "a", .size = 1, .sha256 = {NULL, 32}};
    artifacts out;
    IS(artifacts_insert(E->db, &a, NULL), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "NULL pointer"));
    IS(artifacts_insert(E->db, &a, &out), DAL_MISUSE);
    IS(artifacts_upsert(E->db, &a, NULL), DAL_MISUSE);
    assert_int_equal(count_artifacts(state), 0);

    /* update: a stored row keeps its value */
    unsigned char sum[4] = {1, 2, 3, 4};
    artifacts good = {.run_id = run, .path = "a", .size = 1, .sha256 = {sum, 4}};
    OK(artifacts_insert(E->db, &good, NULL));
    IS(artifacts_update(E->db, &a), DAL_MISUSE);
    OK(artifacts_get(E->db, run, "a", &out));
    assert_int_equal(out.sha256.len, 4);
    assert_memory_equal(out.sha256.data, sum, 4);
    artifacts_free(&out);

    /* insert_many, by every PostgreSQL method and SQLite's loop: all or
     * nothing (20 rows take the COPY path when it is chosen automatically) */
    static const char *const methods[] = {"", "copy", "values", "pipeline"};
    enum { N = 20 };
    artifacts rows[N];
    char paths[N][16];
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        for (int i = 0; i < N; i++) {
            snprintf(paths[i], sizeof paths[i], "m%zu-%d", m, i);
            rows[i] = (artifacts){.run_id = run, .path = paths[i], .size = i, .sha256 = {sum, 4}};
        }
        rows[N - 1].sha256 = (dal_bytes){NULL, 1u << 30}; /* would segfault if read */
        if (*methods[m])
            setenv("DAL_PG_BULK", methods[m], 1);
        IS(artifacts_insert_many(E->db, rows, N), DAL_MISUSE);
        unsetenv("DAL_PG_BULK");
        assert_int_equal(count_artifacts(state), 1);
    }

    /* {NULL, 0} is still the empty value for a NOT NULL column */
    artifacts empty = {.run_id = run, .path = "e", .size = 0, .sha256 = {NULL, 0}};
    OK(artifacts_insert(E->db, &empty, NULL));
    OK(artifacts_get(E->db, run, "e", &out));
    assert_non_null(out.sha256.data);
    assert_int_equal(out.sha256.len, 0);
    artifacts_free(&out);

    /* dal_bind_bytes itself */
    static const dal_query q = {"SELECT count(*) FROM artifacts WHERE sha256 = $1", 1};
    dal_stmt *st;
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_bytes(st, 1, (dal_bytes){NULL, 8});
    bool row;
    IS(dal_stmt_step(st, &row), DAL_MISUSE);
    dal_stmt_done(st);
}

static void test_time_range(void **state)
{
    int64_t run = new_run(state);
    job_runs out;
    OK(job_runs_get(E->db, run, &out));
    job_runs r = out;

    /* the ends of the range survive, on every path */
    const dal_time ends[] = {DAL_TIME_MIN, DAL_TIME_MAX, -1, 0};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        r.scheduled_at = ends[i];
        OK(job_runs_update(E->db, &r));
        job_runs got;
        OK(job_runs_get(E->db, run, &got));
        assert_true(got.scheduled_at == ends[i]);
        job_runs_free(&got);
    }

    /* beyond it: DAL_CHECK on update, insert, insert with out, insert_many */
    const dal_time bad[] = {DAL_TIME_MIN - 1, DAL_TIME_MAX + 1, INT64_MIN + 1, INT64_MIN,
                            INT64_MAX, INT64_MAX - 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r.scheduled_at = bad[i];
        IS(job_runs_update(E->db, &r), DAL_CHECK);
        assert_non_null(strstr(dal_errmsg(E->db), "outside the supported range"));
        job_runs in = {.job_id = "rj", .scheduled_at = bad[i]}, o2;
        IS(job_runs_insert(E->db, &in, NULL), DAL_CHECK);
        IS(job_runs_insert(E->db, &in, &o2), DAL_CHECK);
        in.has_started_at = true;
        in.started_at = bad[i];
        in.scheduled_at = 0;
        IS(job_runs_insert(E->db, &in, NULL), DAL_CHECK);
    }
    static const char *const methods[] = {"", "copy", "values", "pipeline"};
    enum { N = 20 };
    job_runs rows[N];
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        for (int i = 0; i < N; i++)
            rows[i] = (job_runs){.job_id = "rj", .scheduled_at = 1000 + i};
        rows[N / 2].scheduled_at = INT64_MIN + 1;
        if (*methods[m])
            setenv("DAL_PG_BULK", methods[m], 1);
        IS(job_runs_insert_many(E->db, rows, N), DAL_CHECK);
        unsetenv("DAL_PG_BULK");
    }
    int64_t n = -1;
    OK(job_runs_count(E->db, &n));
    assert_int_equal(n, 1);
    job_runs got;
    OK(job_runs_get(E->db, run, &got));
    assert_true(got.scheduled_at == 0); /* the last good value */
    job_runs_free(&got);
    job_runs_free(&out);

    /* dates */
    static const dal_query q = {"SELECT $1", 1};
    dal_stmt *st;
    bool row;
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_date(st, 1, DAL_DATE_MAX + 1);
    IS(dal_stmt_step(st, &row), DAL_CHECK);
    dal_stmt_done(st);
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_date(st, 1, INT32_MIN);
    IS(dal_stmt_step(st, &row), DAL_CHECK);
    dal_stmt_done(st);

    /* PostgreSQL: a value the server holds beyond year 9999 reads as an
     * error (it used to overflow on the shift to the 1970 epoch) */
    if (E->pg) {
        OK(dal_exec(E->db, "UPDATE job_runs SET scheduled_at = '294270-01-01 00:00:00+00'"));
        IS(job_runs_get(E->db, run, &got), DAL_ERROR);
        assert_non_null(strstr(dal_errmsg(E->db), "supported range"));
        static const dal_query qd = {"SELECT '5000000-01-01'::date", 0};
        dal_date d;
        OK(dal_stmt_start(E->db, &qd, &st));
        OK(dal_stmt_step(st, &row));
        IS(dal_col_date(st, 0, &d), DAL_ERROR);
        dal_stmt_done(st);
        OK(dal_exec(E->db, "UPDATE job_runs SET scheduled_at = 'infinity'"));
        OK(job_runs_get(E->db, run, &got));
        assert_true(got.scheduled_at == INT64_MAX);
        job_runs_free(&got);
    }
}

/* Named statements: two connections never use the same name. */
static void test_statement_names_unique(void **state)
{
    if (!E->pg)
        skip();
    dal_db *other = NULL;
    char url[8192];
    snprintf(url, sizeof url, "%s", test_pg_url());
    assert_int_equal(dal_open(url, &other), DAL_OK);
    assert_int_equal(dal_exec(other, "SET search_path TO regress"), DAL_OK);
    int64_t n;
    OK(projects_count(E->db, &n));
    assert_int_equal(projects_count(other, &n), DAL_OK);
    static const dal_query q = {
        "SELECT coalesce(string_agg(name, ','), '') FROM pg_prepared_statements", 0};
    char names[2][512];
    dal_db *dbs[2] = {E->db, other};
    for (int k = 0; k < 2; k++) {
        dal_stmt *st;
        bool row;
        assert_int_equal(dal_stmt_start(dbs[k], &q, &st), DAL_OK);
        assert_int_equal(dal_stmt_step(st, &row), DAL_OK);
        const char *t;
        size_t len;
        assert_int_equal(dal_col_text(st, 0, &t, &len), DAL_OK);
        snprintf(names[k], sizeof names[k], "%s", t);
        dal_stmt_done(st);
    }
    /* every name is dal_<16 hex>_<n>, and no name of one is in the other */
    for (int k = 0; k < 2; k++) {
        char *save = NULL, buf[sizeof names[k]];
        memcpy(buf, names[k], sizeof buf);
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (!(strncmp(tok, "dal_", 4) == 0 && strlen(tok) >= 22 && tok[20] == '_')) {
                print_error("unexpected statement name %s\n", tok);
                fail();
            }
            assert_null(strstr(names[1 - k], tok));
        }
    }
    assert_null(strstr(names[0], "dal_1,"));
    dal_close(other);
}

/* A password never appears in an error message about the URL. */
static void test_password_not_in_errors(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "postgresql://u:S3cret%zzPass@localhost/db",
        "postgresql://u@localhost/db?password=S3cret%zzPass",
        "postgresql://u@localhost/db?sslmode=disable&password=S3cret%zzPass",
        "postgres://u:S3cret%zzPass@/db?host=/nonexistent",
        "postgresql://u:ab%zz@localhost/db",
        "host=localhost password=S3cret%zzPass dbname",
        "host=localhost password='S3cret zzPass' port=x",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        dal_db *db = NULL;
        dal_status s = dal_open(urls[i], &db);
        assert_int_not_equal(s, DAL_OK);
        const char *m = dal_errmsg(db);
        if (strstr(m, "S3cret") || strstr(m, "zzPass") || strstr(m, "ab%zz")) {
            print_error("password leaked for %s: %s\n", urls[i], m);
            fail();
        }
        dal_close(db);
    }
}


/* insert_many of nothing succeeds and clears the last message. */
static void test_insert_many_empty_clears_errmsg(void **state)
{
    IS(projects_insert(E->db, NULL, NULL), DAL_MISUSE);
    assert_string_not_equal(dal_errmsg(E->db), "");
    OK(projects_insert_many(E->db, NULL, 0));
    assert_string_equal(dal_errmsg(E->db), "");
}

/* An out-of-range enum key is DAL_MISUSE, as it is for insert and update. */
static void test_list_by_enum_out_of_range(void **state)
{
    job_runs_array a = {0};
    IS(job_runs_list_by_status_scheduled_at(E->db, (job_runs_status)99, 0, NULL, 10, &a),
       DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "out of range"));
    assert_int_equal(a.len, 0);
    IS(job_runs_list_by_status_scheduled_at(E->db, (job_runs_status)-1, 0, NULL, 10, &a),
       DAL_MISUSE);
    OK(job_runs_list_by_status_scheduled_at(E->db, JOB_RUNS_STATUS_PENDING, 0, NULL, 10, &a));
    job_runs_array_free(&a);
}

/* Text that is not UTF-8 and NaN floats: DAL_CHECK on both engines, on
 * every write path, nothing stored. */
static void test_invalid_utf8_and_nan(void **state)
{
    static const char *const bad[] = {
        "\xff", "a\xc3", "\xc0\xaf" /* overlong */, "\xed\xa0\x80" /* surrogate */,
        "\xf4\x90\x80\x80" /* above U+10FFFF */, "ok \xe2\x82", "\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        projects p = {.slug = "utf", .name = (char *)bad[i]};
        IS(projects_insert(E->db, &p, NULL), DAL_CHECK);
        assert_non_null(strstr(dal_errmsg(E->db), "UTF-8"));
        projects rows[20];
        char slugs[20][16];
        for (int k = 0; k < 20; k++) {
            snprintf(slugs[k], sizeof slugs[k], "s%d", k);
            rows[k] = (projects){.slug = slugs[k], .name = k == 7 ? (char *)bad[i] : "fine"};
        }
        IS(projects_insert_many(E->db, rows, 20), DAL_CHECK);
        IS(projects_get_by_slug(E->db, bad[i], &p), DAL_CHECK);
    }
    int64_t n = -1;
    OK(projects_count(E->db, &n));
    assert_int_equal(n, 0);
    /* valid 4-byte UTF-8 and every boundary form are stored */
    const char *good = "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf \xc2\x80 \xe0\xa0\x80";
    projects p = {.slug = "good", .name = (char *)good}, out;
    OK(projects_insert(E->db, &p, &out));
    assert_string_equal(out.name, good);
    projects_free(&out);

    /* NaN: metrics.value is a float64 */
    static const dal_query q = {"SELECT $1", 1};
    dal_stmt *st;
    bool row;
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_float64(st, 1, NAN);
    IS(dal_stmt_step(st, &row), DAL_CHECK);
    assert_non_null(strstr(dal_errmsg(E->db), "NaN"));
    dal_stmt_done(st);
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_float32(st, 1, NAN);
    IS(dal_stmt_step(st, &row), DAL_CHECK);
    dal_stmt_done(st);
    OK(dal_stmt_start(E->db, &q, &st));
    dal_bind_float64(st, 1, INFINITY); /* infinities are stored by both */
    OK(dal_stmt_step(st, &row));
    dal_stmt_done(st);
}

/* A column index past the last column is misuse, not "NULL". */
static void test_column_out_of_range(void **state)
{
    static const dal_query q = {"SELECT 1, 2", 0};
    dal_stmt *st;
    bool row;
    int64_t v;
    OK(dal_stmt_start(E->db, &q, &st));
    OK(dal_stmt_step(st, &row));
    assert_true(row);
    OK(dal_col_int64(st, 1, &v));
    IS(dal_col_int64(st, 2, &v), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "out of range"));
    IS(dal_col_int64(st, -1, &v), DAL_MISUSE);
    double d;
    IS(dal_col_float64(st, 5, &d), DAL_MISUSE);
    dal_stmt_done(st);
}

/* The typed readers with a NULL out pointer are DAL_MISUSE (dal_col_bool,
 * dal_col_int16, dal_col_int32 and dal_col_float32 wrote through it). */
static void test_reader_null_out(void **state)
{
    static const dal_query q = {"SELECT 1, 2, 3, CAST(4.5 AS DOUBLE PRECISION)", 0};
    dal_stmt *st;
    bool row;
    OK(dal_stmt_start(E->db, &q, &st));
    OK(dal_stmt_step(st, &row));
    assert_true(row);
    IS(dal_col_bool(st, 0, NULL), DAL_MISUSE);
    IS(dal_col_int16(st, 1, NULL), DAL_MISUSE);
    IS(dal_col_int32(st, 2, NULL), DAL_MISUSE);
    IS(dal_col_int64(st, 2, NULL), DAL_MISUSE);
    IS(dal_col_float32(st, 3, NULL), DAL_MISUSE);
    IS(dal_col_float64(st, 3, NULL), DAL_MISUSE);
    int16_t i16 = 0;
    OK(dal_col_int16(st, 1, &i16));
    assert_int_equal(i16, 2);
    float f = 0;
    OK(dal_col_float32(st, 3, &f));
    assert_true(f == 4.5f);
    dal_stmt_done(st);
}

/* The id the next insert without one gets. */
static int64_t next_generated_id(void **state, char *slug)
{
    projects p = {.slug = slug, .name = "generated"}, out;
    OK(projects_insert(E->db, &p, &out));
    int64_t id = out.id;
    projects_free(&out);
    return id;
}

/* After rows with explicit identity values, the next generated id follows
 * the largest on both engines (PostgreSQL's sequence was left behind, so
 * the next insert was DAL_DUPLICATE), for insert (with and without out),
 * insert_many by every method, and upsert; a smaller explicit id does not
 * move it back. */
static void test_identity_after_explicit_ids(void **state)
{
    projects p = {.id = 1000, .slug = "e1000", .name = "explicit"}, out;
    OK(projects_insert(E->db, &p, NULL));
    assert_true(next_generated_id(state, (char *)"g1") == 1001);
    p = (projects){.id = 2000, .slug = "e2000", .name = "explicit"};
    OK(projects_insert(E->db, &p, &out));
    assert_true(out.id == 2000);
    projects_free(&out);
    assert_true(next_generated_id(state, (char *)"g2") == 2001);

    static const char *const methods[] = {"", "copy", "values", "pipeline"};
    enum { N = 40 };
    projects rows[N];
    char slugs[N][16];
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        int64_t base = 10000 * (int64_t)(m + 1);
        for (int i = 0; i < N; i++) {
            snprintf(slugs[i], sizeof slugs[i], "m%zu-%d", m, i);
            rows[i] = (projects){.id = base + N - i, .slug = slugs[i], .name = "many"};
        }
        rows[3].id = 0; /* one generated among them: SQLite gives it the largest id so
                           far + 1, PostgreSQL the sequence's next; after, both continue
                           after the largest */
        if (*methods[m])
            setenv("DAL_PG_BULK", methods[m], 1);
        OK(projects_insert_many(E->db, rows, N));
        unsetenv("DAL_PG_BULK");
        char slug[16];
        snprintf(slug, sizeof slug, "gm%zu", m);
        int64_t next = next_generated_id(state, slug);
        assert_true(next == base + N + 1 || (!E->pg && next == base + N + 2));
    }

    p = (projects){.id = 90000, .slug = "u90000", .name = "upserted"};
    OK(projects_upsert(E->db, &p, NULL));
    assert_true(next_generated_id(state, (char *)"g3") == 90001);
    p.name = "updated"; /* the conflict path: nothing moves */
    OK(projects_upsert(E->db, &p, NULL));
    assert_true(next_generated_id(state, (char *)"g4") == 90002);

    p = (projects){.id = 5, .slug = "e5", .name = "small"};
    OK(projects_insert(E->db, &p, NULL));
    assert_true(next_generated_id(state, (char *)"g5") == 90003);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS                                                                                      \
    T(test_bytes_null_pointer_with_length), T(test_time_range), T(test_statement_names_unique),    \
        T(test_password_not_in_errors), T(test_insert_many_empty_clears_errmsg),                 \
        T(test_list_by_enum_out_of_range), T(test_invalid_utf8_and_nan),                           \
        T(test_column_out_of_range), T(test_reader_null_out),                                  \
        T(test_identity_after_explicit_ids)

static int open_sqlite(void **state) { return genv_open(state, false, "regress"); }
static int open_pg(void **state) { return genv_open(state, true, "regress"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("regress/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("regress/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
