/*
 * test_errors.c - error details a program can act on (dal_errconstraint,
 * dal_errtable, dal_errcolumn, dal_errsqlstate, dal_errcode) and the one
 * NOT_FOUND message, on SQLite and on PostgreSQL with the example schema:
 * the same violation gives the same constraint name on both engines (each
 * of the two unique constraints of job_runs, primary keys, a declared
 * unique index, a derived name past 63 bytes), NOT NULL names its table and
 * column, FOREIGN KEY and CHECK name theirs on PostgreSQL, and a success
 * clears every detail.
 */
#include <stdbool.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

static int setup_sq(void **state) { return genv_open(state, false, "test_errors"); }
static int setup_pg(void **state) { return genv_open(state, true, "test_errors"); }

static void str_eq(const char *got, const char *want, const char *what)
{
    if (!want && !got)
        return;
    if (!want || !got || strcmp(got, want) != 0)
        fail_msg("%s: got %s%s%s, want %s%s%s", what, got ? "'" : "", got ? got : "NULL",
                 got ? "'" : "", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
}

/* The details after a failed call: constraint, table, column, and the
 * engine's code (sqlstate on PostgreSQL, extended code on SQLite). */
static void expect_detail(void **state, const char *cons, const char *table, const char *col,
                          const char *sqlstate, int sqlite_code)
{
    dal_db *db = E->db;
    str_eq(dal_errconstraint(db), cons, "constraint");
    str_eq(dal_errtable(db), table, "table");
    str_eq(dal_errcolumn(db), col, "column");
    if (E->pg) {
        str_eq(dal_errsqlstate(db), sqlstate, "sqlstate");
        assert_int_equal(dal_errcode(db), 0);
    } else {
        assert_null(dal_errsqlstate(db));
        assert_int_equal(dal_errcode(db), sqlite_code);
    }
}

static void expect_none(void **state)
{
    assert_null(dal_errconstraint(E->db));
    assert_null(dal_errtable(E->db));
    assert_null(dal_errcolumn(E->db));
    assert_null(dal_errsqlstate(E->db));
    assert_int_equal(dal_errcode(E->db), 0);
}

enum { SQ_UNIQUE = 2067, SQ_PK = 1555, SQ_NOTNULL = 1299, SQ_FK = 787, SQ_CHECK = 275 };

static int64_t new_project(void **state, const char *slug)
{
    projects in = {.slug = (char *)slug, .name = "P"}, out;
    OK(projects_insert(E->db, &in, &out));
    int64_t id = out.id;
    projects_free(&out);
    return id;
}

/* Two unique constraints of one table: two names, equal on both engines. */
static void test_two_unique_constraints(void **state)
{
    int64_t pid = new_project(state, "p");
    jobs j = {.id = "j", .project_id = pid};
    OK(jobs_insert(E->db, &j, NULL));
    job_runs r = {.job_id = "j", .scheduled_at = 10}, out;
    OK(job_runs_insert(E->db, &r, &out));
    expect_none(state);

    job_runs same_key = {.job_id = "j", .scheduled_at = 11};
    memcpy(same_key.run_key, out.run_key, sizeof out.run_key);
    IS(job_runs_insert(E->db, &same_key, NULL), DAL_DUPLICATE);
    expect_detail(state, "job_runs_run_key_key", "job_runs", NULL, "23505", SQ_UNIQUE);

    job_runs same_slot = {.job_id = "j", .scheduled_at = 10};
    IS(job_runs_insert(E->db, &same_slot, NULL), DAL_DUPLICATE);
    expect_detail(state, "job_runs_job_id_scheduled_at_key", "job_runs", NULL, "23505",
                  SQ_UNIQUE);

    /* the primary key, an identity and a text one */
    job_runs same_id = {.id = out.id, .job_id = "j", .scheduled_at = 12};
    IS(job_runs_insert(E->db, &same_id, NULL), DAL_DUPLICATE);
    expect_detail(state, "job_runs_pkey", "job_runs", NULL, "23505", SQ_PK);
    IS(jobs_insert(E->db, &j, NULL), DAL_DUPLICATE);
    expect_detail(state, "jobs_pkey", "jobs", NULL, "23505", SQ_PK);

    /* through update, and through dal_exec */
    new_project(state, "q");
    projects pp;
    OK(projects_get_by_slug(E->db, "q", &pp));
    char *own = pp.slug;
    pp.slug = "p";
    IS(projects_update(E->db, &pp), DAL_DUPLICATE);
    expect_detail(state, "projects_slug_key", "projects", NULL, "23505", SQ_UNIQUE);
    pp.slug = own;
    projects_free(&pp);
    IS(dal_exec(E->db, "UPDATE projects SET slug = 'p' WHERE slug = 'q'"), DAL_DUPLICATE);
    expect_detail(state, "projects_slug_key", "projects", NULL, "23505", SQ_UNIQUE);

    /* a success clears them */
    OK(dal_exec(E->db, "SELECT 1"));
    expect_none(state);
    job_runs_free(&out);
}

/* NOT NULL: the table and the column, no constraint, on both. */
static void test_not_null(void **state)
{
    projects nn = {.slug = "nn"};
    IS(projects_insert(E->db, &nn, NULL), DAL_NOT_NULL);
    expect_detail(state, NULL, "projects", "name", "23502", SQ_NOTNULL);
    IS(dal_exec(E->db, "INSERT INTO projects (slug, name) VALUES (NULL, 'x')"), DAL_NOT_NULL);
    expect_detail(state, NULL, "projects", "slug", "23502", SQ_NOTNULL);
}

/* FOREIGN KEY and CHECK: PostgreSQL names the constraint and the table;
 * SQLite reports neither, only its code. */
static void test_fk_and_check(void **state)
{
    int64_t pid = new_project(state, "p");
    jobs orphan = {.id = "o", .project_id = pid + 999};
    IS(jobs_insert(E->db, &orphan, NULL), DAL_FOREIGN_KEY);
    if (E->pg)
        expect_detail(state, "jobs_project_id_fkey", "jobs", NULL, "23503", 0);
    else
        expect_detail(state, NULL, NULL, NULL, NULL, SQ_FK);
    jobs bad = {.id = "t", .project_id = pid, .timeout_s = -1};
    IS(jobs_insert(E->db, &bad, NULL), DAL_CHECK);
    if (E->pg)
        expect_detail(state, "jobs_timeout_s_check", "jobs", NULL, "23514", 0);
    else
        expect_detail(state, NULL, NULL, NULL, NULL, SQ_CHECK);
    /* errors of the runtime itself carry no engine detail */
    IS(projects_get(E->db, 1, NULL), DAL_MISUSE);
    expect_none(state);
}

/* Names the runtime derives on SQLite: a declared unique index keeps its
 * name, a derived name longer than 63 bytes is hashed as the generator
 * hashes it (the DDL below is what dalc writes for such tables). */
static void test_index_and_long_names(void **state)
{
    static const char long_t[] = "a_table_with_a_rather_long_name_for_testing";
    static const char long_c[] = "a_column_with_a_long_name_too";
    /* "<t>_<c>_key" is 73 bytes: its first 54 bytes, '_', FNV-1a of it all */
    char full[128], want[128];
    snprintf(full, sizeof full, "%s_%s_key", long_t, long_c);
    uint32_t h = 2166136261u;
    for (const char *p = full; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    snprintf(want, sizeof want, "%.54s_%08x", full, (unsigned)h);
    char sql[1024];
    if (E->pg)
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s (id int8 NOT NULL, %s text NOT NULL, "
                 "CONSTRAINT %s_pkey PRIMARY KEY (id), CONSTRAINT \"%s\" UNIQUE (%s));"
                 "CREATE TABLE ix (a int8 NOT NULL, b int8 NOT NULL, CONSTRAINT ix_pkey PRIMARY KEY (a));"
                 "CREATE UNIQUE INDEX ix_b_once ON ix (b)",
                 long_t, long_c, long_t, want, long_c);
    else
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s (id INTEGER NOT NULL, %s TEXT NOT NULL, "
                 "PRIMARY KEY (id), UNIQUE (%s)) STRICT;"
                 "CREATE TABLE ix (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a)) STRICT;"
                 "CREATE UNIQUE INDEX ix_b_once ON ix (b)",
                 long_t, long_c, long_c);
    OK(dal_exec(E->db, sql));
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (1, 'x'), (2, 'x')", long_t);
    IS(dal_exec(E->db, sql), DAL_DUPLICATE);
    expect_detail(state, want, long_t, NULL, "23505", SQ_UNIQUE);
    IS(dal_exec(E->db, "INSERT INTO ix VALUES (1, 1), (2, 1)"), DAL_DUPLICATE);
    expect_detail(state, "ix_b_once", "ix", NULL, "23505", SQ_UNIQUE);
    IS(dal_exec(E->db, "INSERT INTO ix VALUES (3, 3), (3, 4)"), DAL_DUPLICATE);
    expect_detail(state, "ix_pkey", "ix", NULL, "23505", SQ_PK);
    snprintf(sql, sizeof sql, "DROP TABLE %s; DROP TABLE ix", long_t);
    OK(dal_exec(E->db, sql));
}

/* Every NOT_FOUND of generated code says "<function>: no row". */
static void test_not_found_message(void **state)
{
    projects p;
    IS(projects_get(E->db, 424242, &p), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_get: no row");
    expect_none(state);
    IS(projects_get_by_slug(E->db, "none", &p), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_get_by_slug: no row");
    OK(dal_begin(E->db));
    IS(projects_get_for_update(E->db, 424242, &p), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_get_for_update: no row");
    OK(dal_rollback(E->db));
    projects ghost = {.id = 424242, .slug = "g", .name = "g"};
    IS(projects_update(E->db, &ghost), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_update: no row");
    projects_cols only_name = {.name = true};
    IS(projects_update_cols(E->db, &ghost, &only_name), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_update_cols: no row");
    IS(projects_delete(E->db, 424242), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "projects_delete: no row");
    dal_time now = 1;
    claim_next_run_params cp = {.now = &now, .agent = NULL};
    claim_next_run_row cr;
    IS(claim_next_run(E->db, &cp, &cr), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "claim_next_run: no row");
    expect_none(state);
}

static void test_null_db(void **state)
{
    (void)state;
    assert_null(dal_errconstraint(NULL));
    assert_null(dal_errtable(NULL));
    assert_null(dal_errcolumn(NULL));
    assert_null(dal_errsqlstate(NULL));
    assert_int_equal(dal_errcode(NULL), 0);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
static const struct CMUnitTest tests[] = {
    T(test_two_unique_constraints), T(test_not_null),          T(test_fk_and_check),
    T(test_index_and_long_names),   T(test_not_found_message), T(test_null_db),
};

int main(void)
{
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup_sq, genv_close);
    failed += cmocka_run_group_tests_name("postgresql", tests, setup_pg, genv_close);
    return failed;
}
