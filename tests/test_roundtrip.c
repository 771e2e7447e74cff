/*
 * test_roundtrip.c - every value the spec lists goes through generated code
 * and comes back exactly, on SQLite and on PostgreSQL: read back by
 * RETURNING (insert's out) and again by get (and list where it matters).
 *
 * int64/int32/int16 extremes, microsecond timestamps before 1970 and up to
 * 9999-12-31T23:59:59.999999, dates from year 1 to 9999, UTF-8 with quotes,
 * backslashes and emoji, SQL and placeholders in text, bytes with zero
 * bytes, empty string vs NULL, 20-digit decimals, bit-exact float32/float64,
 * uuids, json (in PostgreSQL's jsonb normal form, which both engines keep).
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ---------------------------------------------------------- */

static int64_t the_project(void **state)
{
    static int n;
    char slug[16];
    snprintf(slug, sizeof slug, "p%d", ++n);
    projects in = {.slug = slug, .name = "p"}, out;
    OK(projects_insert(E->db, &in, &out));
    int64_t id = out.id;
    projects_free(&out);
    return id;
}

static void the_job(void **state, const char *id)
{
    jobs in = {.id = (char *)id, .project_id = the_project(state)};
    OK(jobs_insert(E->db, &in, NULL));
}

static int64_t the_run(void **state)
{
    the_job(state, "j");
    job_runs in = {.job_id = "j", .scheduled_at = 1}, out;
    OK(job_runs_insert(E->db, &in, &out));
    int64_t id = out.id;
    job_runs_free(&out);
    return id;
}

/* ---- integers ---------------------------------------------------------- */

static void test_int64(void **state)
{
    const int64_t ids[] = {INT64_MIN, INT64_MIN + 1, -1, 1, INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < N_OF(ids); i++) {
        char slug[32];
        snprintf(slug, sizeof slug, "s%zu", i);
        projects in = {.id = ids[i], .slug = slug, .name = "p"}, out;
        OK(projects_insert(E->db, &in, &out));
        assert_int_equal(out.id, ids[i]);
        projects_free(&out);
        OK(projects_get(E->db, ids[i], &out));
        assert_int_equal(out.id, ids[i]);
        projects_free(&out);
    }
    /* keyset pagination over the extremes, in order */
    projects_array pa;
    OK(projects_list(E->db, NULL, 100, &pa));
    assert_int_equal(pa.len, N_OF(ids));
    for (size_t i = 0; i < pa.len; i++)
        assert_int_equal(pa.items[i].id, ids[i]);
    projects_array_free(&pa);
    projects after = {.id = INT64_MIN};
    OK(projects_list(E->db, &after, 2, &pa));
    assert_int_equal(pa.len, 2);
    assert_int_equal(pa.items[0].id, INT64_MIN + 1);
    projects_array_free(&pa);

    /* as a foreign key and as a plain column */
    jobs j = {.id = "j", .project_id = INT64_MIN};
    OK(jobs_insert(E->db, &j, NULL));
    jobs_array ja;
    OK(jobs_list_by_project_id(E->db, INT64_MIN, NULL, 10, &ja));
    assert_int_equal(ja.len, 1);
    jobs_array_free(&ja);
    job_runs r = {.id = INT64_MAX, .job_id = "j", .scheduled_at = 1}, ro;
    OK(job_runs_insert(E->db, &r, &ro));
    assert_int_equal(ro.id, INT64_MAX);
    job_runs_free(&ro);
    const int64_t sizes[] = {0, 1, INT64_MAX};
    unsigned char b = 1;
    for (size_t i = 0; i < N_OF(sizes); i++) {
        char path[8];
        snprintf(path, sizeof path, "f%zu", i);
        artifacts a = {.run_id = INT64_MAX, .path = path, .size = sizes[i], .sha256 = {&b, 1}};
        artifacts ao;
        OK(artifacts_insert(E->db, &a, &ao));
        assert_int_equal(ao.size, sizes[i]);
        artifacts_free(&ao);
        OK(artifacts_get(E->db, INT64_MAX, path, &ao));
        assert_int_equal(ao.size, sizes[i]);
        artifacts_free(&ao);
    }
    agents ag = {.name = "a", .current_run_id = INT64_MAX, .has_current_run_id = true}, ago;
    OK(agents_insert(E->db, &ag, &ago));
    assert_true(ago.has_current_run_id);
    assert_int_equal(ago.current_run_id, INT64_MAX);
    agents_free(&ago);
    /* generated ids continue after the largest explicit one (INT64_MAX - 1
     * above): one is left; give the next tests' generated ids room again
     * (SQLite starts over by itself once the rows are deleted) */
    if (E->pg)
        OK(dal_exec(E->db, "ALTER TABLE projects ALTER COLUMN id RESTART"));
}

static void test_int32_int16(void **state)
{
    const int32_t ids[] = {INT32_MIN, -1, 1, INT32_MAX};
    for (size_t i = 0; i < N_OF(ids); i++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", i);
        tags t = {.id = ids[i], .name = name}, to;
        OK(tags_insert(E->db, &t, &to));
        assert_int_equal(to.id, ids[i]);
        tags_free(&to);
        OK(tags_get(E->db, ids[i], &to));
        assert_int_equal(to.id, ids[i]);
        tags_free(&to);
    }
    the_job(state, "j");
    const int16_t orders[] = {INT16_MIN, -1, INT16_MAX, 1};
    for (size_t i = 0; i < N_OF(ids); i++) {
        job_tags jt = {.job_id = "j", .tag_id = ids[i], .order = orders[i]}, jo;
        OK(job_tags_insert(E->db, &jt, &jo));
        assert_int_equal(jo.tag_id, ids[i]);
        assert_int_equal(jo.order, orders[i]);
        job_tags_free(&jo);
        OK(job_tags_get(E->db, "j", ids[i], &jo));
        assert_int_equal(jo.order, orders[i]);
        job_tags_free(&jo);
    }
    job_tags_array ja;
    OK(job_tags_list_by_tag_id(E->db, INT32_MIN, NULL, 10, &ja));
    assert_int_equal(ja.len, 1);
    assert_int_equal(ja.items[0].order, INT16_MIN);
    job_tags_array_free(&ja);

    int64_t pid = the_project(state);
    const int16_t prio[] = {INT16_MIN, INT16_MAX};
    const int32_t timeouts[] = {1, INT32_MAX};
    for (size_t i = 0; i < 2; i++) {
        char id[8];
        snprintf(id, sizeof id, "k%zu", i);
        jobs j = {.id = id, .project_id = pid, .priority = prio[i], .timeout_s = timeouts[i]}, jo;
        OK(jobs_insert(E->db, &j, &jo));
        assert_int_equal(jo.priority, prio[i]);
        assert_int_equal(jo.timeout_s, timeouts[i]);
        jobs_free(&jo);
        jobs_array a;
        OK(jobs_list_by_project_id_priority(E->db, pid, prio[i], NULL, 10, &a));
        assert_int_equal(a.len, 1);
        assert_string_equal(a.items[0].id, id);
        jobs_array_free(&a);
    }
    int64_t rid;
    {
        job_runs r = {.job_id = "j", .scheduled_at = 1, .attempt = INT32_MAX}, ro;
        OK(job_runs_insert(E->db, &r, &ro));
        assert_int_equal(ro.attempt, INT32_MAX);
        rid = ro.id;
        job_runs_free(&ro);
    }
    events ev = {.run_id = rid, .seq = INT32_MAX, .message = "m"}, eo;
    OK(events_insert(E->db, &ev, &eo));
    assert_int_equal(eo.seq, INT32_MAX);
    events_free(&eo);
}

/* ---- floats ------------------------------------------------------------ */

static void test_floats(void **state)
{
    int64_t rid = the_run(state);
    const double d[] = {0.1,     1.0 / 3.0, -2.5,     DBL_MAX,  -DBL_MAX,        DBL_MIN,
                        4.9e-324, 1e300,    -1e-300,  3.141592653589793,     123456789.123456789, 0.0,
                        INFINITY, -INFINITY};
    for (size_t i = 0; i < N_OF(d); i++) {
        char name[8];
        snprintf(name, sizeof name, "m%zu", i);
        metrics m = {.run_id = rid, .name = name, .recorded_on = 1, .value = d[i]}, mo;
        OK(metrics_insert(E->db, &m, &mo));
        if (memcmp(&mo.value, &d[i], sizeof(double)) != 0) {
            print_error("float64 %.17g came back as %.17g (RETURNING)\n", d[i], mo.value);
            fail();
        }
        metrics_free(&mo);
        OK(metrics_get(E->db, rid, name, 1, &mo));
        if (memcmp(&mo.value, &d[i], sizeof(double)) != 0) {
            print_error("float64 %.17g came back as %.17g (get)\n", d[i], mo.value);
            fail();
        }
        metrics_free(&mo);
    }
    int64_t pid = the_project(state);
    const float f[] = {0.1f, -1.5f, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-45f, 3.14159274f, 16777217.0f};
    for (size_t i = 0; i < N_OF(f); i++) {
        char id[8];
        snprintf(id, sizeof id, "f%zu", i);
        jobs j = {.id = id, .project_id = pid, .weight = f[i]}, jo;
        OK(jobs_insert(E->db, &j, &jo));
        if (memcmp(&jo.weight, &f[i], sizeof(float)) != 0) {
            print_error("float32 %.9g came back as %.9g\n", (double)f[i], (double)jo.weight);
            fail();
        }
        jobs_free(&jo);
        OK(jobs_get(E->db, id, &jo));
        assert_true(memcmp(&jo.weight, &f[i], sizeof(float)) == 0);
        jobs_free(&jo);
    }
}

/* ---- decimal ----------------------------------------------------------- */

static void test_decimal(void **state)
{
    /* numeric(20,2): 20 significant digits */
    const char *vals[] = {"999999999999999999.99", "-999999999999999999.99",
                          "123456789012345678.90", "0.01", "-0.01", "1.00", "100000000000000000.00"};
    for (size_t i = 0; i < N_OF(vals); i++) {
        char slug[16];
        snprintf(slug, sizeof slug, "d%zu", i);
        projects p = {.slug = slug, .name = "d", .budget = (char *)vals[i]}, po;
        OK(projects_insert(E->db, &p, &po));
        assert_non_null(po.budget);
        assert_string_equal(po.budget, vals[i]);
        int64_t id = po.id;
        projects_free(&po);
        OK(projects_get(E->db, id, &po));
        assert_string_equal(po.budget, vals[i]);
        /* NULL (unlimited) is distinct from zero: set by update (insert elides NULL) */
        po.budget = NULL;
        OK(projects_update(E->db, &po));
        projects_free(&po);
        OK(projects_get(E->db, id, &po));
        assert_null(po.budget);
        projects_free(&po);
    }
}

/* ---- text, json -------------------------------------------------------- */

static const char *const texts[] = {
    "",
    " ",
    "plain",
    "it's \"quoted\" `back` 'single'",
    "back\\slash \\\\ \\n \\x00 \\' end\\",
    "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80 \xf0\x9d\x84\x9e \xe4\xb8\xad\xe6\x96\x87",
    "'); DROP TABLE \"jobs\"; --",
    "$1 $2 ?1 ? :name @p %s %d {{slot}}",
    "line1\nline2\r\n\ttabbed",
    "NULL",
};

static void test_text(void **state)
{
    int64_t pid = the_project(state);
    for (size_t i = 0; i < N_OF(texts); i++) {
        char id[8];
        snprintf(id, sizeof id, "t%zu", i);
        jobs j = {.id = id, .project_id = pid, .group = (char *)texts[i],
                  .schedule = (char *)texts[i]};
        jobs jo;
        OK(jobs_insert(E->db, &j, &jo));
        assert_non_null(jo.group);
        assert_string_equal(jo.group, texts[i]);
        assert_string_equal(jo.schedule, texts[i]);
        jobs_free(&jo);
        OK(jobs_get(E->db, id, &jo));
        assert_non_null(jo.group);
        assert_string_equal(jo.group, texts[i]);
        jobs_free(&jo);
        /* as a key: primary key and list_by parameter */
        if (texts[i][0] != '\0') {
            jobs k = {.id = (char *)texts[i], .project_id = pid, .parent_id = id};
            OK(jobs_insert(E->db, &k, NULL));
            OK(jobs_get(E->db, texts[i], &jo));
            assert_string_equal(jo.id, texts[i]);
            jobs_free(&jo);
            jobs_array a;
            OK(jobs_list_by_schedule(E->db, texts[i], NULL, 10, &a));
            assert_int_equal(a.len, 1);
            jobs_array_free(&a);
            OK(jobs_list_by_parent_id(E->db, id, NULL, 10, &a));
            assert_int_equal(a.len, 1);
            assert_string_equal(a.items[0].id, texts[i]);
            jobs_array_free(&a);
        }
    }
    /* empty string and NULL are different */
    jobs e = {.id = "empty", .project_id = pid, .group = ""}, n = {.id = "null", .project_id = pid};
    OK(jobs_insert(E->db, &e, NULL));
    OK(jobs_insert(E->db, &n, NULL));
    jobs jo;
    OK(jobs_get(E->db, "empty", &jo));
    assert_non_null(jo.group);
    assert_string_equal(jo.group, "");
    jobs_free(&jo);
    OK(jobs_get(E->db, "null", &jo));
    assert_null(jo.group);
    jobs_free(&jo);

    /* a long text */
    size_t len = 300000;
    char *big = malloc(len + 1);
    assert_non_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)('a' + i % 26);
    big[len] = '\0';
    jobs b = {.id = "big", .project_id = pid, .group = big};
    OK(jobs_insert(E->db, &b, &jo));
    assert_int_equal(strlen(jo.group), len);
    assert_true(strcmp(jo.group, big) == 0);
    jobs_free(&jo);
    free(big);
}

static void test_json(void **state)
{
    /* jsonb normal form: ", " and ": " separators, keys by length then bytes */
    const char *docs[] = {
        "{}", "[]", "null", "true", "0", "-12.5", "\"s\"",
        "{\"a\": [1, 2.5, \"x\\\"y\\\\z\"], \"b\": {\"c\": null}}",
        "[\"h\xc3\xa9llo \xf0\x9f\x98\x80\", \"'); DROP TABLE x; --\"]",
    };
    for (size_t i = 0; i < N_OF(docs); i++) {
        char name[8];
        snprintf(name, sizeof name, "a%zu", i);
        agents a = {.name = name, .labels = (char *)docs[i]}, ao;
        OK(agents_insert(E->db, &a, &ao));
        assert_non_null(ao.labels);
        assert_string_equal(ao.labels, docs[i]);
        char id[37];
        memcpy(id, ao.id, 37);
        agents_free(&ao);
        OK(agents_get(E->db, id, &ao));
        assert_string_equal(ao.labels, docs[i]);
        agents_free(&ao);
    }
    agents a = {.name = "none"}, ao;
    OK(agents_insert(E->db, &a, &ao));
    assert_null(ao.labels); /* SQL NULL, not JSON null */
    agents_free(&ao);
}

/* ---- bytes ------------------------------------------------------------- */

static void test_bytes(void **state)
{
    int64_t rid = the_run(state);
    unsigned char all[256], zeros[3] = {0, 0, 0}, one[1] = {0};
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    struct {
        unsigned char *p;
        size_t n;
    } cases[] = {{all, 256}, {zeros, 3}, {one, 1}, {all + 1, 255}};
    for (size_t i = 0; i < N_OF(cases); i++) {
        char path[8];
        snprintf(path, sizeof path, "b%zu", i);
        artifacts a = {.run_id = rid, .path = path, .size = 1, .sha256 = {cases[i].p, cases[i].n}};
        artifacts ao;
        OK(artifacts_insert(E->db, &a, &ao));
        assert_int_equal(ao.sha256.len, cases[i].n);
        assert_memory_equal(ao.sha256.data, cases[i].p, cases[i].n);
        artifacts_free(&ao);
        OK(artifacts_get(E->db, rid, path, &ao));
        assert_int_equal(ao.sha256.len, cases[i].n);
        assert_memory_equal(ao.sha256.data, cases[i].p, cases[i].n);
        artifacts_free(&ao);
    }
    /* empty bytes (data not NULL, len 0) vs NULL */
    unsigned char dummy = 0;
    events e1 = {.run_id = rid, .seq = 1, .message = "empty", .payload = {&dummy, 0}};
    events e2 = {.run_id = rid, .seq = 2, .message = "null"};
    events e3 = {.run_id = rid, .seq = 3, .message = "zeros", .payload = {zeros, 3}};
    events eo;
    OK(events_insert(E->db, &e1, &eo));
    assert_non_null(eo.payload.data);
    assert_int_equal(eo.payload.len, 0);
    events_free(&eo);
    OK(events_get_by_run_id_seq(E->db, rid, 1, &eo));
    assert_non_null(eo.payload.data);
    assert_int_equal(eo.payload.len, 0);
    events_free(&eo);
    OK(events_insert(E->db, &e2, &eo));
    assert_null(eo.payload.data);
    events_free(&eo);
    OK(events_insert(E->db, &e3, &eo));
    assert_int_equal(eo.payload.len, 3);
    assert_memory_equal(eo.payload.data, zeros, 3);
    events_free(&eo);

    /* bytes as a key parameter: none in the example schema; list pages of bytes rows */
    events_array ea;
    OK(events_list_by_run_id(E->db, rid, NULL, 10, &ea));
    assert_int_equal(ea.len, 3);
    assert_null(ea.items[1].payload.data);
    assert_memory_equal(ea.items[2].payload.data, zeros, 3);
    events_array_free(&ea);
}

/* ---- uuid -------------------------------------------------------------- */

static void test_uuid(void **state)
{
    const char *ids[] = {"00000000-0000-0000-0000-000000000001",
                         "ffffffff-ffff-ffff-ffff-ffffffffffff",
                         "123e4567-e89b-42d3-a456-426614174000"};
    for (size_t i = 0; i < N_OF(ids); i++) {
        char name[8];
        snprintf(name, sizeof name, "u%zu", i);
        agents a = {.name = name}, ao;
        memcpy(a.id, ids[i], 37);
        OK(agents_insert(E->db, &a, &ao));
        assert_string_equal(ao.id, ids[i]);
        agents_free(&ao);
        OK(agents_get(E->db, ids[i], &ao));
        assert_string_equal(ao.id, ids[i]);
        agents_free(&ao);
    }
    /* nullable uuid: has_ flag */
    int64_t pid = the_project(state);
    jobs j = {.id = "j", .project_id = pid, .has_owner_agent = true}, jo;
    memcpy(j.owner_agent, ids[1], 37);
    OK(jobs_insert(E->db, &j, &jo));
    assert_true(jo.has_owner_agent);
    assert_string_equal(jo.owner_agent, ids[1]);
    jobs_free(&jo);
    jobs k = {.id = "k", .project_id = pid}, ko;
    OK(jobs_insert(E->db, &k, &ko));
    assert_false(ko.has_owner_agent);
    jobs_free(&ko);
    agents_array aa;
    OK(agents_list(E->db, NULL, 10, &aa));
    assert_int_equal(aa.len, 3);
    assert_string_equal(aa.items[0].id, ids[0]);
    assert_string_equal(aa.items[2].id, ids[1]); /* uuid order = text order */
    agents_array_free(&aa);
}

/* ---- timestamps, dates ------------------------------------------------- */

#define US 1000000LL

static void test_time(void **state)
{
    the_job(state, "j");
    const dal_time ts[] = {
        -62135596800LL * US,          /* 0001-01-01T00:00:00Z */
        -62135596800LL * US + 1,      /* 0001-01-01T00:00:00.000001Z */
        -2208988800LL * US - 1,       /* 1899-12-31T23:59:59.999999Z */
        -1,                           /* 1969-12-31T23:59:59.999999Z */
        -123456789,                   /* before 1970 with microseconds */
        0,                            /* the epoch: a value, not "unset" (no default) */
        1,
        946684800LL * US,             /* 2000-01-01 (PostgreSQL's epoch) */
        1234567890123456LL,
        253402300799LL * US + 999999, /* 9999-12-31T23:59:59.999999Z */
    };
    for (size_t i = 0; i < N_OF(ts); i++) {
        job_runs r = {.job_id = "j", .scheduled_at = ts[i], .started_at = ts[i],
                      .has_started_at = true};
        job_runs ro;
        OK(job_runs_insert(E->db, &r, &ro));
        if (ro.scheduled_at != ts[i] || ro.started_at != ts[i] || !ro.has_started_at) {
            print_error("timestamp %lld came back as %lld / %lld\n", (long long)ts[i],
                        (long long)ro.scheduled_at, (long long)ro.started_at);
            fail();
        }
        int64_t id = ro.id;
        job_runs_free(&ro);
        OK(job_runs_get(E->db, id, &ro));
        assert_int_equal(ro.scheduled_at, ts[i]);
        job_runs_free(&ro);
        OK(job_runs_get_by_job_id_scheduled_at(E->db, "j", ts[i], &ro));
        assert_int_equal(ro.id, id);
        job_runs_free(&ro);
        job_runs_array a;
        OK(job_runs_list_by_started_at(E->db, ts[i], NULL, 10, &a));
        assert_int_equal(a.len, 1);
        job_runs_array_free(&a);
    }
    /* nullable timestamp: has_ false is NULL even with a value in the field */
    job_runs r = {.job_id = "j", .scheduled_at = 77, .started_at = 5, .has_started_at = false};
    job_runs ro;
    OK(job_runs_insert(E->db, &r, &ro));
    assert_false(ro.has_started_at);
    job_runs_free(&ro);
}

static void test_date(void **state)
{
    int64_t rid = the_run(state);
    const dal_date days[] = {-719162, -719161, -25568, -1, 0, 1, 10957, 19000, 2932896};
    /* 0001-01-01, 0001-01-02, 1899-12-31, 1969-12-31, 1970-01-01, ..., 9999-12-31 */
    for (size_t i = 0; i < N_OF(days); i++) {
        metrics m = {.run_id = rid, .name = "x", .recorded_on = days[i], .value = 1}, mo;
        OK(metrics_insert(E->db, &m, &mo));
        assert_int_equal(mo.recorded_on, days[i]);
        metrics_free(&mo);
        OK(metrics_get(E->db, rid, "x", days[i], &mo));
        assert_int_equal(mo.recorded_on, days[i]);
        metrics_free(&mo);
    }
    /* dates sort correctly on both engines (text on SQLite) */
    metrics_array ma;
    OK(metrics_list_by_name_recorded_on(E->db, "x", -719162, NULL, 10, &ma));
    assert_int_equal(ma.len, 1);
    metrics_array_free(&ma);
    OK(metrics_list(E->db, NULL, 100, &ma));
    assert_int_equal(ma.len, N_OF(days));
    for (size_t i = 0; i < ma.len; i++)
        assert_int_equal(ma.items[i].recorded_on, days[i]);
    metrics_array_free(&ma);
    projects p = {.slug = "d", .name = "d", .started_on = -719162}, po;
    OK(projects_insert(E->db, &p, &po));
    assert_int_equal(po.started_on, -719162);
    projects_free(&po);
}

/* ---- bool, enum -------------------------------------------------------- */

static void test_bool_enum(void **state)
{
    /* false is the zero value: insert leaves it to the default (true); update stores it */
    agents a = {.name = "b", .active = false}, ao;
    OK(agents_insert(E->db, &a, &ao));
    assert_true(ao.active);
    ao.active = false;
    OK(agents_update(E->db, &ao));
    char id[37];
    memcpy(id, ao.id, 37);
    agents_free(&ao);
    OK(agents_get(E->db, id, &ao));
    assert_false(ao.active);
    agents_free(&ao);

    int64_t rid = the_run(state);
    job_runs r;
    OK(job_runs_get(E->db, rid, &r));
    for (int v = 0; v < 5; v++) {
        r.status = (job_runs_status)v;
        OK(job_runs_update(E->db, &r));
        job_runs back;
        OK(job_runs_get(E->db, rid, &back));
        assert_int_equal(back.status, v);
        job_runs_free(&back);
        job_runs_array ja;
        OK(job_runs_list_by_status_scheduled_at(E->db, (job_runs_status)v, 1, NULL, 10, &ja));
        assert_int_equal(ja.len, 1);
        job_runs_array_free(&ja);
    }
    job_runs_free(&r);
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS                                                                                      \
    T(test_int64), T(test_int32_int16), T(test_floats), T(test_decimal), T(test_text),             \
        T(test_json), T(test_bytes), T(test_uuid), T(test_time), T(test_date), T(test_bool_enum)

static int open_sqlite(void **state) { return genv_open(state, false, "roundtrip"); }
static int open_pg(void **state) { return genv_open(state, true, "roundtrip"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("roundtrip/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("roundtrip/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
