/*
 * test_decimal.c - decimal values behave the same on SQLite and PostgreSQL
 * (docs/types.md): a table of inputs written into projects.budget
 * (decimal(20,2)) through insert, update and insert_many, and bound as an
 * unconstrained decimal parameter, on both engines at once, compared value
 * for value with each other and with the expected canonical text (or
 * DAL_CHECK); then SQL over the column in named queries (comparison with a
 * parameter, ORDER BY, min, max, sum) gives the same answers on both.
 */
#include <stdbool.h>

#include "genenv.h"
#include "runs_queries.h"

#include "dal_codec.h"

typedef struct both {
    genv *e[2]; /* [0] SQLite, [1] PostgreSQL */
} both;

#define B ((both *)*state)
#define ON(k, expr, want) EXPECT(B->e[k]->db, expr, want)

static int open_both(void **state)
{
    both *b = calloc(1, sizeof *b);
    void *s = NULL;
    if (!b || genv_open(&s, false, "decimal") != 0)
        return -1;
    b->e[0] = s;
    if (genv_open(&s, true, "decimal") != 0)
        return -1;
    b->e[1] = s;
    *state = b;
    return 0;
}

static int close_both(void **state)
{
    both *b = *state;
    for (int k = 0; k < 2; k++) {
        void *s = b->e[k];
        genv_close(&s);
    }
    free(b);
    return 0;
}

static int clean_both(void **state)
{
    for (int k = 0; k < 2; k++) {
        void *s = B->e[k];
        if (genv_clean(&s) != 0)
            return -1;
    }
    return 0;
}

/* An input and what decimal(20,2) makes of it (NULL: DAL_CHECK), and what
 * an unconstrained decimal parameter makes of it. */
typedef struct dcase {
    const char *in, *scaled, *plain;
} dcase;

static const dcase CASES[] = {
    /* valid, canonical already */
    {"12.50", "12.50", "12.50"},
    {"0.00", "0.00", "0.00"},
    {"-7.25", "-7.25", "-7.25"},
    /* scale filled, rounding half away from zero */
    {"1.5", "1.50", "1.5"},
    {"0.999", "1.00", "0.999"},
    {"1.005", "1.01", "1.005"},
    {"-1.005", "-1.01", "-1.005"},
    {"1.0049", "1.00", "1.0049"},
    {"9.995", "10.00", "9.995"},
    {"0.004", "0.00", "0.004"},
    {"-0.004", "0.00", "-0.004"},
    {"-0.005", "-0.01", "-0.005"},
    /* blanks, signs, points, exponents */
    {" 3.10 ", "3.10", "3.10"},
    {"\t42\n", "42.00", "42"},
    {"+7", "7.00", "7"},
    {".5", "0.50", "0.5"},
    {"5.", "5.00", "5"},
    {"1e2", "100.00", "100"},
    {"1.5E-3", "0.00", "0.0015"},
    {"2.5e+1", "25.00", "25"},
    {"000012.3400", "12.34", "12.3400"},
    /* negative zero */
    {"-0", "0.00", "0"},
    {"-0.00", "0.00", "0.00"},
    {"-0e5", "0.00", "0"},
    /* the edge of decimal(20,2): 18 integer digits */
    {"999999999999999999.99", "999999999999999999.99", "999999999999999999.99"},
    {"-999999999999999999.994", "-999999999999999999.99", "-999999999999999999.994"},
    /* overflow: more integer digits than 20 - 2, also after rounding */
    {"1000000000000000000", NULL, "1000000000000000000"},
    {"999999999999999999.995", NULL, "999999999999999999.995"},
    {"123456789012345678901.00", NULL, "123456789012345678901.00"},
    {"1e18", NULL, "1000000000000000000"},
    /* huge precision */
    {"0.00000000000000000000000000000000000000001", "0.00",
     "0.00000000000000000000000000000000000000001"},
    {"12345678901234567.8949999999999999999999", "12345678901234567.89",
     "12345678901234567.8949999999999999999999"},
    /* garbage: not a finite decimal number */
    {"abc", NULL, NULL},
    {"", NULL, NULL},
    {"   ", NULL, NULL},
    {"1.2.3", NULL, NULL},
    {"--1", NULL, NULL},
    {"1e", NULL, NULL},
    {"0x10", NULL, NULL},
    {"1,5", NULL, NULL},
    {"1 000", NULL, NULL},
    {"NaN", NULL, NULL},
    {"Infinity", NULL, NULL},
    {"-inf", NULL, NULL},
    {"1e1001", NULL, NULL},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* The stored budget of the project with this slug on engine k. */
static void budget_of(void **state, int k, const char *slug, char *out, size_t cap)
{
    projects p;
    ON(k, projects_get_by_slug(B->e[k]->db, slug, &p), DAL_OK);
    snprintf(out, cap, "%s", p.budget ? p.budget : "(null)");
    projects_free(&p);
}

static void test_table_of_inputs(void **state)
{
    for (size_t i = 0; i < NCASES; i++) {
        const dcase *c = &CASES[i];
        char slug[32], got[2][128];
        snprintf(slug, sizeof slug, "c%zu", i);
        for (int k = 0; k < 2; k++) {
            dal_db *db = B->e[k]->db;
            /* insert */
            projects p = {.slug = slug, .name = "n", .budget = (char *)c->in};
            dal_status want = c->scaled ? DAL_OK : DAL_CHECK;
            dal_status s = projects_insert(db, &p, NULL);
            if (s != want)
                fprintf(stderr, "%s insert '%s': %s %s\n", k ? "pg" : "sqlite", c->in,
                        dal_status_name(s), dal_errmsg(db));
            assert_int_equal(s, want);
            if (!c->scaled) {
                assert_non_null(strstr(dal_errmsg(db), "budget"));
                /* update of an existing row: the same status, the row unchanged */
                projects q = {.slug = slug, .name = "n", .budget = "1"};
                ON(k, projects_insert(db, &q, NULL), DAL_OK);
                budget_of(state, k, slug, got[k], sizeof got[k]);
                ON(k, projects_get_by_slug(db, slug, &q), DAL_OK);
                char *keep = q.budget;
                q.budget = (char *)c->in;
                ON(k, projects_update(db, &q), DAL_CHECK);
                q.budget = keep;
                projects_free(&q);
                budget_of(state, k, slug, got[k], sizeof got[k]);
                assert_string_equal(got[k], "1.00");
            } else {
                budget_of(state, k, slug, got[k], sizeof got[k]);
                /* update with the input again: the same value */
                projects q;
                ON(k, projects_get_by_slug(db, slug, &q), DAL_OK);
                char *keep = q.budget;
                q.budget = (char *)c->in;
                ON(k, projects_update(db, &q), DAL_OK);
                q.budget = keep;
                projects_free(&q);
                char again[128];
                budget_of(state, k, slug, again, sizeof again);
                assert_string_equal(again, got[k]);
            }
            /* an unconstrained decimal parameter */
            static const dal_query echo = {"SELECT $1", 1};
            dal_stmt *st;
            ON(k, dal_stmt_start(db, &echo, &st), DAL_OK);
            dal_bind_decimal(st, 1, c->in);
            bool row;
            s = dal_stmt_step(st, &row);
            assert_int_equal(s, c->plain ? DAL_OK : DAL_CHECK);
            if (c->plain) {
                const char *t;
                size_t len;
                ON(k, dal_col_text(st, 0, &t, &len), DAL_OK);
                assert_string_equal(t, c->plain);
            }
            dal_stmt_done(st);
            if (k == 1 && c->plain) { /* the form is PostgreSQL's own numeric_out */
                static const dal_query pgnum = {"SELECT ($1::text)::numeric::text", 1};
                ON(k, dal_stmt_start(db, &pgnum, &st), DAL_OK);
                dal_bind_text(st, 1, c->in);
                ON(k, dal_stmt_step(st, &row), DAL_OK);
                const char *t;
                size_t len;
                ON(k, dal_col_text(st, 0, &t, &len), DAL_OK);
                assert_string_equal(t, c->plain);
                dal_stmt_done(st);
                /* and the rounding PostgreSQL's numeric(20,2), or its overflow */
                static const dal_query pgnum2 = {"SELECT ($1::text)::numeric(20,2)::text", 1};
                ON(k, dal_stmt_start(db, &pgnum2, &st), DAL_OK);
                dal_bind_text(st, 1, c->in);
                ON(k, dal_stmt_step(st, &row), c->scaled ? DAL_OK : DAL_CHECK);
                if (c->scaled) {
                    ON(k, dal_col_text(st, 0, &t, &len), DAL_OK);
                    assert_string_equal(t, c->scaled);
                }
                dal_stmt_done(st);
            }
        }
        /* value for value: the engines agree, and with the table */
        assert_string_equal(got[0], got[1]);
        if (c->scaled)
            assert_string_equal(got[0], c->scaled);
    }

    /* insert_many: every valid input in one call (COPY on PostgreSQL), the
     * same values; one bad value fails the whole call on both */
    projects rows[NCASES];
    char slugs[NCASES][32];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; i++)
        if (CASES[i].scaled) {
            snprintf(slugs[n], sizeof slugs[n], "m%zu", i);
            rows[n] = (projects){.slug = slugs[n], .name = "m", .budget = (char *)CASES[i].in};
            n++;
        }
    for (int k = 0; k < 2; k++) {
        ON(k, projects_insert_many(B->e[k]->db, rows, n), DAL_OK);
        for (size_t i = 0, r = 0; i < NCASES; i++) {
            if (!CASES[i].scaled)
                continue;
            char got[128];
            budget_of(state, k, slugs[r++], got, sizeof got);
            assert_string_equal(got, CASES[i].scaled);
        }
    }
    for (int k = 0; k < 2; k++) {
        for (size_t r = 0; r < n; r++)
            slugs[r][0] = 'x';
        rows[n / 2].budget = "12345678901234567890";
        ON(k, projects_insert_many(B->e[k]->db, rows, n), DAL_CHECK);
        rows[n / 2].budget = "1";
        int64_t count = -1;
        ON(k, projects_count(B->e[k]->db, &count), DAL_OK);
        assert_true(count == (int64_t)(NCASES + n));
    }
}

/* SQL over the column: comparison with a parameter (and the text and
 * numeric orders disagree on these values), ORDER BY, min, max, sum. */
static void test_sql_over_decimals(void **state)
{
    static const char *const values[] = {"9.91", "25.86", "5", "4.99", "100", "-3.5",
                                         "0.10", "1000000.01", "-0.01", "13.86", "5.01"};
    enum { NV = sizeof values / sizeof values[0] };
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < NV; i++) {
            char slug[16];
            snprintf(slug, sizeof slug, "s%02d", i);
            projects p = {.slug = slug, .name = "n", .budget = (char *)values[i]};
            ON(k, projects_insert(B->e[k]->db, &p, NULL), DAL_OK);
        }
    static const char *const above5[] = {"1000000.01", "100.00", "25.86", "13.86", "9.91",
                                         "5.01"};
    for (int k = 0; k < 2; k++) {
        projects_by_budget_row_array a;
        ON(k, projects_by_budget(B->e[k]->db, "5", &a), DAL_OK);
        assert_int_equal(a.len, 6);
        for (size_t i = 0; i < a.len; i++)
            assert_string_equal(a.items[i].budget, above5[i]);
        projects_by_budget_row_array_free(&a);
        ON(k, projects_by_budget(B->e[k]->db, "1e3", &a), DAL_OK); /* any decimal form */
        assert_int_equal(a.len, 1);
        projects_by_budget_row_array_free(&a);
        ON(k, projects_by_budget(B->e[k]->db, "five", &a), DAL_CHECK);

        budget_stats_row r;
        ON(k, budget_stats(B->e[k]->db, "5.00", &r), DAL_OK);
        assert_string_equal(r.top, "1000000.01");
        assert_string_equal(r.bottom, "-3.50");
        /* sum: exact on PostgreSQL, a double on SQLite (exact to 15 digits):
         * equal once brought to the scale */
        char total[64];
        assert_true(dal__decimal_canon(r.total, strlen(r.total), 20, 2, total, sizeof total) > 0);
        assert_string_equal(total, "1000161.23");
        assert_true(r.has_above && r.above == 6);
        budget_stats_row_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_of_inputs, clean_both),
        cmocka_unit_test_setup(test_sql_over_decimals, clean_both),
    };
    return cmocka_run_group_tests_name("decimal/both engines", tests, open_both, close_both);
}
