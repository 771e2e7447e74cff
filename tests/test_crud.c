/*
 * test_crud.c - every generated function of the example schema (schema/),
 * on SQLite and on PostgreSQL: inserts with defaults, get/get_by, update,
 * delete, count, list/list_by with keyset pagination across pages,
 * iterate, upsert, insert_many, every error status, cascades and set-null,
 * transactions around generated calls, argument checks.
 */
#include <stdbool.h>
#include <time.h>

#include "genenv.h"

#define E ((genv *)*state)
#define OK(expr) EXPECT(E->db, expr, DAL_OK)
#define IS(expr, want) EXPECT(E->db, expr, want)

/* ---- helpers ---------------------------------------------------------- */

static int64_t new_project(void **state, const char *slug)
{
    projects in = {.slug = (char *)slug, .name = "Project"};
    projects out;
    OK(projects_insert(E->db, &in, &out));
    int64_t id = out.id;
    projects_free(&out);
    return id;
}

static void new_job(void **state, const char *id, int64_t project, const char *parent)
{
    jobs in = {.id = (char *)id, .project_id = project, .parent_id = (char *)parent};
    OK(jobs_insert(E->db, &in, NULL));
}

static int64_t new_run(void **state, const char *job, dal_time at)
{
    job_runs in = {.job_id = (char *)job, .scheduled_at = at};
    job_runs out;
    OK(job_runs_insert(E->db, &in, &out));
    int64_t id = out.id;
    job_runs_free(&out);
    return id;
}

static void new_agent(void **state, const char *name, char id[37])
{
    agents in = {.name = (char *)name};
    agents out;
    OK(agents_insert(E->db, &in, &out));
    memcpy(id, out.id, 37);
    agents_free(&out);
}

static int64_t count_of(void **state, dal_status (*fn)(dal_db *, int64_t *))
{
    int64_t n = -1;
    OK(fn(E->db, &n));
    return n;
}

static dal_time now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (dal_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

/* ---- insert ----------------------------------------------------------- */

static void test_insert_defaults(void **state)
{
    dal_time before = now_us() - 5 * 1000000;
    projects p = {.slug = "p1", .name = "One"};
    projects sp;
    OK(projects_insert(E->db, &p, &sp));
    assert_true(sp.id > 0);
    assert_string_equal(sp.slug, "p1");
    assert_string_equal(sp.name, "One");
    assert_non_null(sp.budget);
    assert_string_equal(sp.budget, "0.00");
    assert_false(sp.archived);
    dal_date today = (dal_date)(now_us() / 86400000000LL);
    assert_true(sp.started_on >= today - 1 && sp.started_on <= today + 1);
    int64_t pid = sp.id;
    projects_free(&sp);
    assert_null(sp.slug); /* free zeroes */

    /* a second identity value is a new one */
    projects p2 = {.slug = "p2", .name = "Two"}, sp2;
    OK(projects_insert(E->db, &p2, &sp2));
    assert_true(sp2.id != pid);
    projects_free(&sp2);

    /* explicit identity value */
    projects p3 = {.id = 1000, .slug = "p3", .name = "Three", .budget = "12.50"}, sp3;
    OK(projects_insert(E->db, &p3, &sp3));
    assert_int_equal(sp3.id, 1000);
    assert_string_equal(sp3.budget, "12.50");
    projects_free(&sp3);

    /* uuid default, enum default, bool default true, timestamp default now */
    agents a = {.name = "a1", .capacity = 3};
    agents sa;
    OK(agents_insert(E->db, &a, &sa));
    assert_true(is_uuid(sa.id));
    assert_int_equal(sa.kind, AGENTS_KIND_WORKER);
    assert_int_equal(sa.capacity, 3);
    assert_true(sa.active);
    assert_null(sa.labels);
    assert_false(sa.has_current_run_id);
    assert_false(sa.has_last_seen_at);
    assert_true(sa.created_at >= before && sa.created_at <= now_us() + 5 * 1000000);
    agents_free(&sa);

    /* int16 default 1 */
    agents a2 = {.name = "a2"}, sa2;
    OK(agents_insert(E->db, &a2, &sa2));
    assert_int_equal(sa2.capacity, 1);
    agents_free(&sa2);

    /* text pk chosen by the caller; defaults of jobs */
    new_job(state, "j1", pid, NULL);
    jobs j;
    OK(jobs_get(E->db, "j1", &j));
    assert_int_equal(j.priority, 0);
    assert_int_equal(j.timeout_s, 3600);
    assert_true(j.weight == 1.0f);
    assert_true(j.enabled);
    assert_null(j.parent_id);
    assert_null(j.group);
    assert_false(j.has_owner_agent);
    jobs_free(&j);

    /* job_runs: identity, uuid default, enum default, int32 default */
    job_runs r = {.job_id = "j1", .scheduled_at = 123456789};
    job_runs sr;
    OK(job_runs_insert(E->db, &r, &sr));
    assert_true(sr.id > 0);
    assert_true(is_uuid(sr.run_key));
    assert_int_equal(sr.status, JOB_RUNS_STATUS_PENDING);
    assert_int_equal(sr.attempt, 1);
    assert_int_equal(sr.scheduled_at, 123456789);
    assert_false(sr.has_started_at);
    assert_false(sr.has_agent_id);
    assert_null(sr.output);
    job_runs_free(&sr);

    /* non-zero values given for defaulted columns are stored */
    job_runs r2 = {.job_id = "j1",
                   .scheduled_at = 5,
                   .status = JOB_RUNS_STATUS_FAILED,
                   .attempt = 7,
                   .run_key = "0f0e0d0c-0b0a-4908-8706-050403020100"};
    OK(job_runs_insert(E->db, &r2, &sr));
    assert_int_equal(sr.status, JOB_RUNS_STATUS_FAILED);
    assert_int_equal(sr.attempt, 7);
    assert_string_equal(sr.run_key, "0f0e0d0c-0b0a-4908-8706-050403020100");
    job_runs_free(&sr);

    /* out == NULL */
    tags t = {.name = "red", .color = "#ff0000"};
    OK(tags_insert(E->db, &t, NULL));
    assert_int_equal(count_of(state, tags_count), 1);
}

/* ---- get, get_by ------------------------------------------------------ */

static void test_get(void **state)
{
    int64_t pid = new_project(state, "acme");
    projects p;
    OK(projects_get(E->db, pid, &p));
    assert_string_equal(p.slug, "acme");
    projects_free(&p);

    memset(&p, 0x5a, sizeof p);
    IS(projects_get(E->db, pid + 1000, &p), DAL_NOT_FOUND);
    assert_null(p.slug); /* zeroed on error */
    assert_int_equal(p.id, 0);
    projects_free(&p);

    OK(projects_get_by_slug(E->db, "acme", &p));
    assert_int_equal(p.id, pid);
    projects_free(&p);
    IS(projects_get_by_slug(E->db, "nope", &p), DAL_NOT_FOUND);

    char aid[37];
    new_agent(state, "agent-x", aid);
    agents a;
    OK(agents_get(E->db, aid, &a));
    assert_string_equal(a.name, "agent-x");
    agents_free(&a);
    OK(agents_get_by_name(E->db, "agent-x", &a));
    assert_string_equal(a.id, aid);
    agents_free(&a);
    IS(agents_get(E->db, "00000000-0000-4000-8000-000000000000", &a), DAL_NOT_FOUND);

    new_job(state, "build", pid, NULL);
    int64_t rid = new_run(state, "build", 42);
    job_runs r;
    OK(job_runs_get(E->db, rid, &r));
    char key[37];
    memcpy(key, r.run_key, 37);
    job_runs_free(&r);
    OK(job_runs_get_by_run_key(E->db, key, &r));
    assert_int_equal(r.id, rid);
    job_runs_free(&r);
    OK(job_runs_get_by_job_id_scheduled_at(E->db, "build", 42, &r));
    assert_int_equal(r.id, rid);
    job_runs_free(&r);
    IS(job_runs_get_by_job_id_scheduled_at(E->db, "build", 43, &r), DAL_NOT_FOUND);

    events ev = {.run_id = rid, .seq = 3, .message = "hello"};
    events sev;
    OK(events_insert(E->db, &ev, &sev));
    assert_int_equal(sev.level, EVENTS_LEVEL_INFO);
    events_free(&sev);
    OK(events_get_by_run_id_seq(E->db, rid, 3, &sev));
    assert_string_equal(sev.message, "hello");
    int64_t eid = sev.id;
    events_free(&sev);
    OK(events_get(E->db, eid, &sev));
    events_free(&sev);

    tags t = {.name = "blue"}, st;
    OK(tags_insert(E->db, &t, &st));
    tags_free(&st);
    OK(tags_get_by_name(E->db, "blue", &st));
    assert_null(st.color);
    int32_t tid = st.id;
    tags_free(&st);
    OK(tags_get(E->db, tid, &st));
    tags_free(&st);

    /* composite primary keys */
    job_tags jt = {.job_id = "build", .tag_id = tid, .order = 2};
    OK(job_tags_insert(E->db, &jt, NULL));
    job_tags sjt;
    OK(job_tags_get(E->db, "build", tid, &sjt));
    assert_int_equal(sjt.order, 2);
    job_tags_free(&sjt);
    IS(job_tags_get(E->db, "build", tid + 1, &sjt), DAL_NOT_FOUND);

    unsigned char sha[4] = {1, 2, 3, 4};
    artifacts art = {.run_id = rid, .path = "out/log.txt", .size = 10, .sha256 = {sha, 4}};
    artifacts sart;
    OK(artifacts_insert(E->db, &art, &sart));
    assert_string_equal(sart.content_type, "application/octet-stream");
    artifacts_free(&sart);
    OK(artifacts_get(E->db, rid, "out/log.txt", &sart));
    assert_int_equal(sart.sha256.len, 4);
    assert_memory_equal(sart.sha256.data, sha, 4);
    artifacts_free(&sart);

    metrics m = {.run_id = rid, .name = "cpu", .recorded_on = 19000, .value = 0.5};
    OK(metrics_insert(E->db, &m, NULL));
    metrics sm;
    OK(metrics_get(E->db, rid, "cpu", 19000, &sm));
    assert_true(sm.value == 0.5);
    assert_null(sm.unit);
    metrics_free(&sm);
    IS(metrics_get(E->db, rid, "cpu", 19001, &sm), DAL_NOT_FOUND);
}

/* ---- update, delete, count -------------------------------------------- */

static void test_update_delete(void **state)
{
    int64_t pid = new_project(state, "u");
    new_job(state, "a", pid, NULL);
    new_job(state, "b", pid, NULL);
    char aid[37];
    new_agent(state, "ag", aid);

    jobs j;
    OK(jobs_get(E->db, "b", &j));
    j.parent_id = "a";
    j.group = "grp";
    j.priority = -3;
    j.schedule = "* * * * *";
    j.enabled = false;
    memcpy(j.owner_agent, aid, 37);
    j.has_owner_agent = true;
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    OK(jobs_get(E->db, "b", &j));
    assert_string_equal(j.parent_id, "a");
    assert_string_equal(j.group, "grp");
    assert_int_equal(j.priority, -3);
    assert_false(j.enabled);
    assert_true(j.has_owner_agent);
    assert_string_equal(j.owner_agent, aid);

    /* back to NULL */
    j.parent_id = NULL;
    j.group = NULL;
    j.has_owner_agent = false;
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    OK(jobs_get(E->db, "b", &j));
    assert_null(j.parent_id);
    assert_null(j.group);
    assert_false(j.has_owner_agent);

    /* no such row */
    j.id = "zzz";
    IS(jobs_update(E->db, &j), DAL_NOT_FOUND);
    assert_true(strlen(dal_errmsg(E->db)) > 0);
    j.id = NULL; /* the row's memory is still its own */
    jobs_free(&j);

    /* composite key, a column named like a keyword ("order") */
    tags t = {.name = "t"}, st;
    OK(tags_insert(E->db, &t, &st));
    job_tags jt = {.job_id = "a", .tag_id = st.id, .order = 1};
    OK(job_tags_insert(E->db, &jt, NULL));
    jt.order = 9;
    jt.added_at = 1000000;
    OK(job_tags_update(E->db, &jt));
    job_tags sjt;
    OK(job_tags_get(E->db, "a", st.id, &sjt));
    assert_int_equal(sjt.order, 9);
    assert_int_equal(sjt.added_at, 1000000);
    job_tags_free(&sjt);
    jt.job_id = "b";
    IS(job_tags_update(E->db, &jt), DAL_NOT_FOUND);

    assert_int_equal(count_of(state, jobs_count), 2);
    OK(jobs_delete(E->db, "b"));
    IS(jobs_delete(E->db, "b"), DAL_NOT_FOUND);
    assert_int_equal(count_of(state, jobs_count), 1);
    OK(job_tags_delete(E->db, "a", st.id));
    IS(job_tags_delete(E->db, "a", st.id), DAL_NOT_FOUND);
    OK(tags_delete(E->db, st.id));
    tags_free(&st);
    OK(agents_delete(E->db, aid));
    IS(agents_delete(E->db, aid), DAL_NOT_FOUND);
    assert_int_equal(count_of(state, agents_count), 0);
    assert_int_equal(count_of(state, events_count), 0);
    assert_int_equal(count_of(state, artifacts_count), 0);
    assert_int_equal(count_of(state, metrics_count), 0);
    assert_int_equal(count_of(state, job_runs_count), 0);
    assert_int_equal(count_of(state, job_tags_count), 0);
    assert_int_equal(count_of(state, projects_count), 1);
}

/* ---- list, pagination ------------------------------------------------- */

/* A list longer than its first allocation (1,024 rows for a huge limit),
 * and on SQLite a row that fails to read after others were read (the
 * engine's own row loop): the whole list fails and owns nothing, the
 * statement is reusable, and under ASan nothing leaks. */
static void test_list_long(void **state)
{
    enum { N = 1100 };
    static char names[N][16];
    static tags rows[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "long%04d", i);
        rows[i] = (tags){.name = names[i]};
    }
    OK(tags_insert_many(E->db, rows, N));
    tags_array page;
    OK(tags_list(E->db, NULL, (size_t)-1, &page));
    assert_int_equal(page.len, N);
    for (size_t i = 0; i < page.len; i++)
        assert_string_equal(page.items[i].name, names[i]);
    tags_array_free(&page);
    if (!E->pg) { /* PostgreSQL's int4 cannot hold it */
        OK(dal_exec(E->db, "PRAGMA ignore_check_constraints = ON"));
        OK(dal_exec(E->db, "UPDATE tags SET id = 5000000000 WHERE name = 'long0700'"));
        OK(dal_exec(E->db, "PRAGMA ignore_check_constraints = OFF"));
        IS(tags_list(E->db, NULL, (size_t)-1, &page), DAL_ERROR);
        assert_null(page.items);
        assert_int_equal(page.len, 0);
        OK(dal_exec(E->db, "UPDATE tags SET id = 70000 WHERE name = 'long0700'"));
    }
    OK(tags_list(E->db, NULL, 2000, &page));
    assert_int_equal(page.len, N);
    tags_array_free(&page);
}

static void test_list_pages(void **state)
{
    enum { N = 25 };
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "tag%02d", i);
        tags t = {.name = name};
        OK(tags_insert(E->db, &t, NULL));
    }
    tags_array page;
    tags last = {0};
    const tags *after = NULL;
    size_t sizes[8], npages = 0, total = 0;
    int32_t prev = INT32_MIN;
    for (;;) {
        OK(tags_list(E->db, after, 10, &page));
        assert_true(npages < 8);
        sizes[npages++] = page.len;
        if (page.len == 0)
            break;
        for (size_t i = 0; i < page.len; i++) {
            assert_true(page.items[i].id > prev);
            prev = page.items[i].id;
        }
        total += page.len;
        last.id = page.items[page.len - 1].id;
        after = &last;
        tags_array_free(&page);
        assert_null(page.items);
        assert_int_equal(page.len, 0);
    }
    assert_int_equal(npages, 4);
    assert_int_equal(sizes[0], 10);
    assert_int_equal(sizes[1], 10);
    assert_int_equal(sizes[2], 5);
    assert_int_equal(sizes[3], 0);
    assert_int_equal(total, N);

    /* a page exactly at the end, limit 0, a huge limit */
    OK(tags_list(E->db, NULL, 25, &page));
    assert_int_equal(page.len, 25);
    last.id = page.items[24].id;
    tags_array_free(&page);
    OK(tags_list(E->db, &last, 25, &page));
    assert_int_equal(page.len, 0);
    OK(tags_list(E->db, NULL, 0, &page));
    assert_int_equal(page.len, 0);
    tags_array_free(&page);
    OK(tags_list(E->db, NULL, (size_t)-1, &page));
    assert_int_equal(page.len, 25);
    tags_array_free(&page);

    /* a three-column primary key: (run_id, name, recorded_on) */
    int64_t pid = new_project(state, "m");
    new_job(state, "j", pid, NULL);
    int64_t r1 = new_run(state, "j", 1), r2 = new_run(state, "j", 2);
    const char *names[3] = {"cpu", "mem", "disk"};
    int n = 0;
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < 3; k++)
            for (int d = 0; d < 2; d++) {
                metrics m = {.run_id = r ? r2 : r1,
                             .name = (char *)names[k],
                             .recorded_on = 100 - d,
                             .value = n++};
                OK(metrics_insert(E->db, &m, NULL));
            }
    metrics_array mp;
    metrics mlast = {0};
    const metrics *mafter = NULL;
    int seen = 0, pages = 0;
    int64_t prun = INT64_MIN;
    char pname[16] = "";
    dal_date pday = INT32_MIN;
    for (;;) {
        OK(metrics_list(E->db, mafter, 5, &mp));
        pages++;
        if (mp.len == 0)
            break;
        for (size_t i = 0; i < mp.len; i++) {
            const metrics *m = &mp.items[i];
            int c = m->run_id != prun ? (m->run_id > prun ? 1 : -1) : strcmp(m->name, pname);
            if (c == 0)
                c = m->recorded_on > pday ? 1 : -1;
            assert_true(c > 0);
            prun = m->run_id;
            snprintf(pname, sizeof pname, "%s", m->name);
            pday = m->recorded_on;
            seen++;
        }
        metrics_free(&mlast);
        mlast.run_id = mp.items[mp.len - 1].run_id;
        mlast.name = pname; /* only the key fields of `after` are read */
        mlast.recorded_on = mp.items[mp.len - 1].recorded_on;
        mafter = &mlast;
        metrics_array_free(&mp);
    }
    assert_int_equal(seen, 12);
    assert_int_equal(pages, 4);
}

static void test_list_by(void **state)
{
    int64_t p1 = new_project(state, "p1"), p2 = new_project(state, "p2");
    new_job(state, "root", p1, NULL);
    new_job(state, "child1", p1, "root");
    new_job(state, "child2", p1, "root");
    new_job(state, "other", p2, NULL);
    jobs j;
    OK(jobs_get(E->db, "child2", &j));
    j.priority = 7;
    j.schedule = "@daily";
    OK(jobs_update(E->db, &j));
    jobs_free(&j);

    jobs_array ja;
    OK(jobs_list_by_project_id(E->db, p1, NULL, 100, &ja));
    assert_int_equal(ja.len, 3);
    assert_string_equal(ja.items[0].id, "child1"); /* text primary-key order */
    assert_string_equal(ja.items[1].id, "child2");
    assert_string_equal(ja.items[2].id, "root");
    jobs_array_free(&ja);
    OK(jobs_list_by_project_id_priority(E->db, p1, 7, NULL, 100, &ja));
    assert_int_equal(ja.len, 1);
    assert_string_equal(ja.items[0].id, "child2");
    jobs_array_free(&ja);
    OK(jobs_list_by_parent_id(E->db, "root", NULL, 1, &ja));
    assert_int_equal(ja.len, 1);
    jobs after = {.id = ja.items[0].id};
    jobs_array ja2;
    OK(jobs_list_by_parent_id(E->db, "root", &after, 1, &ja2));
    assert_int_equal(ja2.len, 1);
    assert_string_not_equal(ja2.items[0].id, ja.items[0].id);
    jobs_array_free(&ja);
    jobs_array_free(&ja2);
    OK(jobs_list_by_parent_id(E->db, NULL, NULL, 10, &ja)); /* = NULL matches nothing */
    assert_int_equal(ja.len, 0);
    jobs_array_free(&ja);
    OK(jobs_list_by_schedule(E->db, "@daily", NULL, 10, &ja));
    assert_int_equal(ja.len, 1);
    jobs_array_free(&ja);

    char aid[37];
    new_agent(state, "ag", aid);
    OK(jobs_get(E->db, "other", &j));
    memcpy(j.owner_agent, aid, 37);
    j.has_owner_agent = true;
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    OK(jobs_list_by_owner_agent(E->db, aid, NULL, 10, &ja));
    assert_int_equal(ja.len, 1);
    assert_string_equal(ja.items[0].id, "other");
    jobs_array_free(&ja);

    /* five runs of root, pages of two; a run of another job in between */
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = new_run(state, "root", 1000 + i);
        if (i == 2)
            new_run(state, "other", 1000 + i);
    }
    job_runs_array ra;
    job_runs rlast = {0};
    const job_runs *rafter = NULL;
    int got = 0, pages = 0;
    for (;;) {
        OK(job_runs_list_by_job_id(E->db, "root", rafter, 2, &ra));
        pages++;
        if (ra.len == 0)
            break;
        assert_true(ra.len <= 2);
        for (size_t i = 0; i < ra.len; i++) {
            assert_int_equal(ra.items[i].id, ids[got]);
            assert_string_equal(ra.items[i].job_id, "root");
            got++;
        }
        rlast.id = ra.items[ra.len - 1].id;
        rafter = &rlast;
        job_runs_array_free(&ra);
    }
    assert_int_equal(got, 5);
    assert_int_equal(pages, 4);

    /* enum key parameter */
    job_runs r;
    OK(job_runs_get(E->db, ids[1], &r));
    r.status = JOB_RUNS_STATUS_RUNNING;
    r.started_at = 5000;
    r.has_started_at = true;
    memcpy(r.agent_id, aid, 37);
    r.has_agent_id = true;
    OK(job_runs_update(E->db, &r));
    job_runs_free(&r);
    OK(job_runs_list_by_status_scheduled_at(E->db, JOB_RUNS_STATUS_RUNNING, 1001, NULL, 10, &ra));
    assert_int_equal(ra.len, 1);
    assert_int_equal(ra.items[0].id, ids[1]);
    job_runs_array_free(&ra);
    OK(job_runs_list_by_status_scheduled_at(E->db, JOB_RUNS_STATUS_PENDING, 1001, NULL, 10, &ra));
    assert_int_equal(ra.len, 0);
    job_runs_array_free(&ra);
    OK(job_runs_list_by_started_at(E->db, 5000, NULL, 10, &ra));
    assert_int_equal(ra.len, 1);
    job_runs_array_free(&ra);
    OK(job_runs_list_by_agent_id(E->db, aid, NULL, 10, &ra));
    assert_int_equal(ra.len, 1);
    job_runs_array_free(&ra);

    agents a;
    OK(agents_get(E->db, aid, &a));
    a.current_run_id = ids[1];
    a.has_current_run_id = true;
    OK(agents_update(E->db, &a));
    agents_free(&a);
    agents_array aa;
    OK(agents_list_by_current_run_id(E->db, ids[1], NULL, 10, &aa));
    assert_int_equal(aa.len, 1);
    agents_array_free(&aa);
    OK(agents_list(E->db, NULL, 10, &aa));
    assert_int_equal(aa.len, 1);
    agents_array_free(&aa);

    for (int i = 0; i < 3; i++) {
        events ev = {.run_id = ids[0], .seq = i, .message = "m"};
        OK(events_insert(E->db, &ev, NULL));
    }
    events_array ea;
    OK(events_list_by_run_id(E->db, ids[0], NULL, 10, &ea));
    assert_int_equal(ea.len, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ea.items[i].seq, (int)i);
    events mid = {.id = ea.items[0].id};
    events_array_free(&ea);
    OK(events_list_by_run_id(E->db, ids[0], &mid, 10, &ea));
    assert_int_equal(ea.len, 2);
    events_array_free(&ea);

    unsigned char sha[1] = {0};
    artifacts art = {.run_id = ids[0], .path = "a", .size = 1, .sha256 = {sha, 1}};
    OK(artifacts_insert(E->db, &art, NULL));
    art.path = "b";
    OK(artifacts_insert(E->db, &art, NULL));
    artifacts_array aa2;
    OK(artifacts_list_by_run_id(E->db, ids[0], NULL, 10, &aa2));
    assert_int_equal(aa2.len, 2);
    artifacts_array_free(&aa2);

    metrics m = {.run_id = ids[0], .name = "cpu", .recorded_on = 7, .value = 1};
    OK(metrics_insert(E->db, &m, NULL));
    m.run_id = ids[1];
    OK(metrics_insert(E->db, &m, NULL));
    metrics_array ma;
    OK(metrics_list_by_name_recorded_on(E->db, "cpu", 7, NULL, 10, &ma));
    assert_int_equal(ma.len, 2);
    metrics_array_free(&ma);
    OK(metrics_list_by_run_id(E->db, ids[1], NULL, 10, &ma));
    assert_int_equal(ma.len, 1);
    metrics_array_free(&ma);

    tags t = {.name = "x"}, st;
    OK(tags_insert(E->db, &t, &st));
    job_tags jt = {.job_id = "root", .tag_id = st.id};
    OK(job_tags_insert(E->db, &jt, NULL));
    jt.job_id = "other";
    OK(job_tags_insert(E->db, &jt, NULL));
    job_tags_array jta;
    OK(job_tags_list_by_tag_id(E->db, st.id, NULL, 10, &jta));
    assert_int_equal(jta.len, 2);
    job_tags_array_free(&jta);
    OK(job_tags_list_by_job_id(E->db, "root", NULL, 10, &jta));
    assert_int_equal(jta.len, 1);
    job_tags_array_free(&jta);
    tags_free(&st);

    projects_array pa;
    OK(projects_list(E->db, NULL, 10, &pa));
    assert_int_equal(pa.len, 2);
    projects_array_free(&pa);
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors(void **state)
{
    int64_t pid = new_project(state, "dup");

    projects p = {.slug = "dup", .name = "again"};
    IS(projects_insert(E->db, &p, NULL), DAL_DUPLICATE);
    assert_true(strlen(dal_errmsg(E->db)) > 0);
    new_job(state, "j", pid, NULL);
    jobs j = {.id = "j", .project_id = pid};
    IS(jobs_insert(E->db, &j, NULL), DAL_DUPLICATE);
    int64_t rid = new_run(state, "j", 10);
    job_runs r = {.job_id = "j", .scheduled_at = 10};
    IS(job_runs_insert(E->db, &r, NULL), DAL_DUPLICATE); /* unique (job_id, scheduled_at) */
    (void)rid;

    /* foreign keys */
    jobs orphan = {.id = "orphan", .project_id = pid + 999};
    jobs out;
    memset(&out, 0x5a, sizeof out);
    IS(jobs_insert(E->db, &orphan, &out), DAL_FOREIGN_KEY);
    assert_null(out.id); /* zeroed on error */
    jobs_free(&out);
    job_runs r2 = {.job_id = "nope", .scheduled_at = 1};
    IS(job_runs_insert(E->db, &r2, NULL), DAL_FOREIGN_KEY);
    jobs self = {.id = "s", .project_id = pid, .parent_id = "no-parent"};
    IS(jobs_insert(E->db, &self, NULL), DAL_FOREIGN_KEY);

    /* checks: column check, table check, max_length */
    agents a = {.name = "big", .capacity = 1000};
    IS(agents_insert(E->db, &a, NULL), DAL_CHECK);
    jobs bad = {.id = "t", .project_id = pid, .timeout_s = -1};
    IS(jobs_insert(E->db, &bad, NULL), DAL_CHECK);
    job_runs r3 = {.job_id = "j", .scheduled_at = 11, .finished_at = 5, .has_finished_at = true};
    IS(job_runs_insert(E->db, &r3, NULL), DAL_CHECK);
    tags t = {.name = "x", .color = "red"};
    IS(tags_insert(E->db, &t, NULL), DAL_CHECK);
    char longname[80];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    tags t2 = {.name = longname};
    IS(tags_insert(E->db, &t2, NULL), DAL_CHECK);
    projects empty = {.slug = "", .name = "x"};
    IS(projects_insert(E->db, &empty, NULL), DAL_CHECK);

    /* not null */
    projects nn = {.slug = "nn"};
    IS(projects_insert(E->db, &nn, NULL), DAL_NOT_NULL);
    projects nn2 = {.name = "no slug"};
    IS(projects_insert(E->db, &nn2, NULL), DAL_NOT_NULL);
    events ev = {.run_id = rid, .seq = 1};
    IS(events_insert(E->db, &ev, NULL), DAL_NOT_NULL);

    /* update into a duplicate / a missing parent */
    int64_t pid2 = new_project(state, "dup2");
    projects pp;
    OK(projects_get(E->db, pid2, &pp));
    char *own = pp.slug;
    pp.slug = "dup";
    IS(projects_update(E->db, &pp), DAL_DUPLICATE);
    pp.slug = own;
    projects_free(&pp);
    OK(jobs_get(E->db, "j", &out));
    out.project_id = pid + 12345;
    IS(jobs_update(E->db, &out), DAL_FOREIGN_KEY);
    jobs_free(&out);

    /* nothing of that was stored; the connection still works */
    assert_int_equal(count_of(state, projects_count), 2);
    assert_int_equal(count_of(state, jobs_count), 1);
    assert_int_equal(count_of(state, job_runs_count), 1);
    assert_int_equal(count_of(state, agents_count), 0);
}

/* ---- cascades and set null -------------------------------------------- */

static void test_cascades(void **state)
{
    int64_t pid = new_project(state, "c");
    new_job(state, "parent", pid, NULL);
    new_job(state, "child", pid, "parent");
    char aid[37];
    new_agent(state, "ag", aid);
    int64_t rid = new_run(state, "child", 1);
    int64_t rid2 = new_run(state, "child", 2);

    job_runs r;
    OK(job_runs_get(E->db, rid, &r));
    memcpy(r.agent_id, aid, 37);
    r.has_agent_id = true;
    OK(job_runs_update(E->db, &r));
    job_runs_free(&r);
    jobs j;
    OK(jobs_get(E->db, "child", &j));
    memcpy(j.owner_agent, aid, 37);
    j.has_owner_agent = true;
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    agents a;
    OK(agents_get(E->db, aid, &a));
    a.current_run_id = rid;
    a.has_current_run_id = true;
    OK(agents_update(E->db, &a));
    agents_free(&a);

    events ev = {.run_id = rid, .seq = 0, .message = "x"};
    OK(events_insert(E->db, &ev, NULL));
    unsigned char sha[2] = {9, 9};
    artifacts art = {.run_id = rid, .path = "p", .size = 2, .sha256 = {sha, 2}};
    OK(artifacts_insert(E->db, &art, NULL));
    metrics m = {.run_id = rid, .name = "n", .recorded_on = 1, .value = 2};
    OK(metrics_insert(E->db, &m, NULL));

    /* set null: the run's agent, the job's owner */
    OK(agents_delete(E->db, aid));
    OK(job_runs_get(E->db, rid, &r));
    assert_false(r.has_agent_id);
    job_runs_free(&r);
    OK(jobs_get(E->db, "child", &j));
    assert_false(j.has_owner_agent);
    jobs_free(&j);

    /* set null on the self-reference */
    OK(jobs_delete(E->db, "parent"));
    OK(jobs_get(E->db, "child", &j));
    assert_null(j.parent_id);
    jobs_free(&j);

    /* set null: agent -> run */
    new_agent(state, "ag2", aid);
    OK(agents_get(E->db, aid, &a));
    a.current_run_id = rid2;
    a.has_current_run_id = true;
    OK(agents_update(E->db, &a));
    agents_free(&a);
    OK(job_runs_delete(E->db, rid2));
    OK(agents_get(E->db, aid, &a));
    assert_false(a.has_current_run_id);
    agents_free(&a);

    /* cascade: deleting the run deletes its events, artifacts, metrics */
    assert_int_equal(count_of(state, events_count), 1);
    OK(job_runs_delete(E->db, rid));
    assert_int_equal(count_of(state, events_count), 0);
    assert_int_equal(count_of(state, artifacts_count), 0);
    assert_int_equal(count_of(state, metrics_count), 0);

    /* cascade two levels: project -> jobs -> runs -> events */
    int64_t rid3 = new_run(state, "child", 3);
    ev.run_id = rid3;
    OK(events_insert(E->db, &ev, NULL));
    tags t = {.name = "t"}, st;
    OK(tags_insert(E->db, &t, &st));
    job_tags jt = {.job_id = "child", .tag_id = st.id};
    OK(job_tags_insert(E->db, &jt, NULL));
    OK(projects_delete(E->db, pid));
    assert_int_equal(count_of(state, jobs_count), 0);
    assert_int_equal(count_of(state, job_runs_count), 0);
    assert_int_equal(count_of(state, events_count), 0);
    assert_int_equal(count_of(state, job_tags_count), 0);
    assert_int_equal(count_of(state, tags_count), 1);
    tags_free(&st);
}

/* ---- transactions ----------------------------------------------------- */

/* dal_transaction callbacks: two inserts, the second may fail. */
typedef struct tx_ctx {
    int64_t project;
    const char *second;
} tx_ctx;

static dal_status two_jobs(dal_db *db, void *p)
{
    tx_ctx *c = p;
    jobs a = {.id = "tx-a", .project_id = c->project};
    dal_status s = jobs_insert(db, &a, NULL);
    if (s != DAL_OK)
        return s;
    jobs b = {.id = (char *)c->second, .project_id = c->project};
    return jobs_insert(db, &b, NULL);
}

static void test_transactions(void **state)
{
    int64_t pid = new_project(state, "tx");

    OK(dal_begin(E->db));
    new_job(state, "rolled-back", pid, NULL);
    OK(dal_rollback(E->db));
    jobs j;
    IS(jobs_get(E->db, "rolled-back", &j), DAL_NOT_FOUND);

    OK(dal_begin(E->db));
    new_job(state, "committed", pid, NULL);
    OK(dal_commit(E->db));
    OK(jobs_get(E->db, "committed", &j));
    jobs_free(&j);

    /* nested: the inner level is a savepoint */
    OK(dal_begin(E->db));
    new_job(state, "outer", pid, NULL);
    OK(dal_begin(E->db));
    new_job(state, "inner", pid, NULL);
    OK(dal_rollback(E->db));
    OK(dal_commit(E->db));
    OK(jobs_get(E->db, "outer", &j));
    jobs_free(&j);
    IS(jobs_get(E->db, "inner", &j), DAL_NOT_FOUND);

    /* an error inside a savepoint leaves the outer transaction usable */
    OK(dal_begin(E->db));
    new_job(state, "before", pid, NULL);
    OK(dal_begin(E->db));
    jobs dup = {.id = "before", .project_id = pid};
    IS(jobs_insert(E->db, &dup, NULL), DAL_DUPLICATE);
    OK(dal_rollback(E->db));
    new_job(state, "after", pid, NULL);
    OK(dal_commit(E->db));
    OK(jobs_get(E->db, "before", &j));
    jobs_free(&j);
    OK(jobs_get(E->db, "after", &j));
    jobs_free(&j);

    /* dal_transaction: all or nothing around generated calls */
    tx_ctx c = {pid, "tx-a"}; /* the second insert is a duplicate of the first */
    IS(dal_transaction(E->db, two_jobs, &c), DAL_DUPLICATE);
    IS(jobs_get(E->db, "tx-a", &j), DAL_NOT_FOUND);
    c.second = "tx-b";
    OK(dal_transaction(E->db, two_jobs, &c));
    OK(jobs_get(E->db, "tx-b", &j));
    jobs_free(&j);
    OK(jobs_delete(E->db, "tx-a"));
    OK(jobs_delete(E->db, "tx-b"));

    /* reads inside a transaction see its writes; a list too */
    OK(dal_begin(E->db));
    OK(jobs_delete(E->db, "after"));
    jobs_array ja;
    OK(jobs_list(E->db, NULL, 100, &ja));
    assert_int_equal(ja.len, 3);
    jobs_array_free(&ja);
    OK(dal_rollback(E->db));
    assert_int_equal(count_of(state, jobs_count), 4);
}

/* ---- insert_many ------------------------------------------------------ */

static void test_insert_many(void **state)
{
    tags ok[3] = {{.name = "a"}, {.name = "b", .color = "#000000"}, {.name = "c"}};
    OK(tags_insert_many(E->db, ok, 3));
    assert_int_equal(count_of(state, tags_count), 3);
    OK(tags_insert_many(E->db, NULL, 0));
    OK(tags_insert_many(E->db, ok, 0));

    /* the last row is a duplicate: none is stored */
    tags bad[3] = {{.name = "x"}, {.name = "y"}, {.name = "a"}};
    IS(tags_insert_many(E->db, bad, 3), DAL_DUPLICATE);
    assert_int_equal(count_of(state, tags_count), 3);
    tags t;
    IS(tags_get_by_name(E->db, "x", &t), DAL_NOT_FOUND);
    /* a duplicate inside the batch itself */
    tags bad2[2] = {{.name = "z"}, {.name = "z"}};
    IS(tags_insert_many(E->db, bad2, 2), DAL_DUPLICATE);
    /* a check violation in the middle */
    tags bad3[3] = {{.name = "p"}, {.name = "q", .color = "bad"}, {.name = "r"}};
    IS(tags_insert_many(E->db, bad3, 3), DAL_CHECK);
    assert_int_equal(count_of(state, tags_count), 3);

    /* inside the caller's transaction: only the batch is undone */
    OK(dal_begin(E->db));
    tags one = {.name = "one"};
    OK(tags_insert(E->db, &one, NULL));
    IS(tags_insert_many(E->db, bad, 3), DAL_DUPLICATE);
    tags two = {.name = "two"};
    OK(tags_insert(E->db, &two, NULL));
    OK(dal_commit(E->db));
    assert_int_equal(count_of(state, tags_count), 5);

    /* many rows, with generated ids and defaults */
    int64_t pid = new_project(state, "many");
    new_job(state, "j", pid, NULL);
    int64_t rid = new_run(state, "j", 1);
    enum { N = 1000 };
    events *evs = calloc(N, sizeof *evs);
    assert_non_null(evs);
    for (int i = 0; i < N; i++) {
        evs[i].run_id = rid;
        evs[i].seq = i;
        evs[i].message = i % 2 ? "odd" : "even";
        evs[i].level = i % 3 ? EVENTS_LEVEL_WARN : EVENTS_LEVEL_DEBUG; /* debug = zero = default */
    }
    OK(events_insert_many(E->db, evs, N));
    free(evs);
    assert_int_equal(count_of(state, events_count), N);
    events e;
    OK(events_get_by_run_id_seq(E->db, rid, 999, &e));
    assert_string_equal(e.message, "odd");
    assert_int_equal(e.level, EVENTS_LEVEL_INFO); /* the zero value took the default */
    events_free(&e);
    OK(events_get_by_run_id_seq(E->db, rid, 1, &e));
    assert_int_equal(e.level, EVENTS_LEVEL_WARN);
    events_free(&e);
}

/* ---- upsert ----------------------------------------------------------- */

static void test_upsert(void **state)
{
    int64_t pid = new_project(state, "up");
    jobs j = {.id = "u", .project_id = pid, .priority = 1};
    jobs out;
    OK(jobs_upsert(E->db, &j, &out));
    assert_int_equal(out.priority, 1);
    assert_int_equal(out.timeout_s, 3600);
    jobs_free(&out);
    j.priority = 2;
    j.group = "g";
    OK(jobs_upsert(E->db, &j, &out));
    assert_int_equal(out.priority, 2);
    assert_string_equal(out.group, "g");
    jobs_free(&out);
    OK(jobs_upsert(E->db, &j, NULL));
    assert_int_equal(count_of(state, jobs_count), 1);

    /* upsert into a unique conflict that is not the primary key */
    projects p = {.id = pid + 50, .slug = "up", .name = "x"};
    IS(projects_upsert(E->db, &p, NULL), DAL_DUPLICATE);

    /* composite key */
    tags t = {.name = "t"}, st;
    OK(tags_insert(E->db, &t, &st));
    job_tags jt = {.job_id = "u", .tag_id = st.id, .order = 3};
    OK(job_tags_upsert(E->db, &jt, NULL));
    jt.order = 4;
    job_tags sjt;
    OK(job_tags_upsert(E->db, &jt, &sjt));
    assert_int_equal(sjt.order, 4);
    job_tags_free(&sjt);
    assert_int_equal(count_of(state, job_tags_count), 1);
    tags_free(&st);
}

/* ---- iterate ---------------------------------------------------------- */

typedef struct iter_ctx {
    int calls, stop_at;
    int32_t prev;
    bool ordered;
} iter_ctx;

static dal_status on_tag(const tags *t, void *p)
{
    iter_ctx *c = p;
    c->calls++;
    if (t->id <= c->prev || !t->name)
        c->ordered = false;
    c->prev = t->id;
    return c->calls == c->stop_at ? DAL_BUSY : DAL_OK;
}

static void test_iterate(void **state)
{
    iter_ctx c = {0, -1, INT32_MIN, true};
    OK(tags_iterate(E->db, on_tag, &c));
    assert_int_equal(c.calls, 0);
    for (int i = 0; i < 50; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", 49 - i);
        tags t = {.name = name};
        OK(tags_insert(E->db, &t, NULL));
    }
    c = (iter_ctx){0, -1, INT32_MIN, true};
    OK(tags_iterate(E->db, on_tag, &c));
    assert_int_equal(c.calls, 50);
    assert_true(c.ordered);

    /* early stop: fn's status comes back, no more calls */
    c = (iter_ctx){0, 3, INT32_MIN, true};
    IS(tags_iterate(E->db, on_tag, &c), DAL_BUSY);
    assert_int_equal(c.calls, 3);

    /* the connection is usable right after */
    assert_int_equal(count_of(state, tags_count), 50);
    c = (iter_ctx){0, 1, INT32_MIN, true};
    IS(tags_iterate(E->db, on_tag, &c), DAL_BUSY);
    OK(dal_begin(E->db));
    c = (iter_ctx){0, -1, INT32_MIN, true};
    OK(tags_iterate(E->db, on_tag, &c));
    assert_int_equal(c.calls, 50);
    OK(dal_commit(E->db));
}

/* ---- enums, arguments ------------------------------------------------- */

static void test_enums(void **state)
{
    (void)state;
    assert_string_equal(job_runs_status_name(JOB_RUNS_STATUS_PENDING), "pending");
    assert_string_equal(job_runs_status_name(JOB_RUNS_STATUS_CANCELLED), "cancelled");
    assert_null(job_runs_status_name((job_runs_status)5));
    assert_null(job_runs_status_name((job_runs_status)-1));
    job_runs_status s = JOB_RUNS_STATUS_RUNNING;
    assert_int_equal(job_runs_status_parse("failed", &s), DAL_OK);
    assert_int_equal(s, JOB_RUNS_STATUS_FAILED);
    assert_int_equal(job_runs_status_parse("FAILED", &s), DAL_NOT_FOUND);
    assert_int_equal(s, JOB_RUNS_STATUS_FAILED);
    assert_int_equal(job_runs_status_parse(NULL, &s), DAL_MISUSE);
    assert_int_equal(job_runs_status_parse("failed", NULL), DAL_MISUSE);
    agents_kind k;
    assert_int_equal(agents_kind_parse("scheduler", &k), DAL_OK);
    assert_int_equal(k, AGENTS_KIND_SCHEDULER);
    assert_string_equal(events_level_name(EVENTS_LEVEL_ERROR), "error");
}

static void test_misuse(void **state)
{
    projects p = {.slug = "s", .name = "n"};
    projects_array pa = {0};
    int64_t n;
    assert_int_equal(projects_insert(NULL, &p, NULL), DAL_MISUSE);
    assert_int_equal(projects_get(NULL, 1, &p), DAL_MISUSE);
    assert_int_equal(projects_count(NULL, &n), DAL_MISUSE);
    assert_int_equal(projects_list(NULL, NULL, 1, &pa), DAL_MISUSE);
    assert_int_equal(projects_delete(NULL, 1), DAL_MISUSE);
    assert_int_equal(projects_update(NULL, &p), DAL_MISUSE);
    IS(projects_insert(E->db, NULL, NULL), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "projects_insert"));
    IS(projects_insert(E->db, &p, &p), DAL_MISUSE);
    IS(projects_upsert(E->db, NULL, NULL), DAL_MISUSE);
    IS(projects_insert_many(E->db, NULL, 2), DAL_MISUSE);
    IS(projects_get(E->db, 1, NULL), DAL_MISUSE);
    IS(projects_get_by_slug(E->db, "s", NULL), DAL_MISUSE);
    IS(projects_update(E->db, NULL), DAL_MISUSE);
    IS(projects_count(E->db, NULL), DAL_MISUSE);
    IS(projects_list(E->db, NULL, 1, NULL), DAL_MISUSE);
    IS(projects_iterate(E->db, NULL, NULL), DAL_MISUSE);
    projects_free(NULL);
    projects_array_free(NULL);
    projects zero = {0};
    projects_free(&zero);
    projects_array_free(&pa);
    /* freeing a hand-built row leaves the caller's strings alone */
    projects mine = {.slug = "mine", .name = "mine"};
    projects_free(&mine);
    assert_int_equal(count_of(state, projects_count), 0);
}

/* ---- get_for_update --------------------------------------------------- */

/* A second connection to the same database, whose lock waits give up
 * quickly (DAL_BUSY) instead of blocking the test. */
static dal_db *second_connection(void **state)
{
    dal_db *b = NULL;
    char url[8192];
    if (E->pg) {
        snprintf(url, sizeof url, "%s", test_pg_url());
    } else {
        char path[4096];
        test_tmp_path(path, sizeof path, "crud.db");
        snprintf(url, sizeof url, "sqlite:%s?busy_timeout=50", path);
    }
    EXPECT(b, dal_open(url, &b), DAL_OK);
    if (E->pg)
        EXPECT(b, dal_exec(b, "SET search_path TO \"crud\"; SET lock_timeout = '100ms'"), DAL_OK);
    return b;
}

static void test_get_for_update(void **state)
{
    int64_t pid = new_project(state, "fu");
    new_job(state, "a", pid, NULL);
    jobs j;

    /* outside a transaction: DAL_MISUSE, saying why */
    IS(jobs_get_for_update(E->db, "a", &j), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "jobs_get_for_update: not in a transaction"));
    tags t;
    IS(tags_get_by_name_for_update(E->db, "x", &t), DAL_MISUSE);

    /* read-modify-write: A holds the row while B tries to change it */
    dal_db *b = second_connection(state);
    OK(dal_begin(E->db));
    OK(jobs_get_for_update(E->db, "a", &j));
    assert_string_equal(j.id, "a");
    if (E->pg) {
        /* B's UPDATE of the row waits for A's lock: with lock_timeout it
         * gives up (DAL_BUSY), and so does B's own locking read */
        EXPECT(b, dal_exec(b, "UPDATE jobs SET priority = 1 WHERE id = 'a'"), DAL_BUSY);
        EXPECT(b, dal_begin(b), DAL_OK);
        jobs jb;
        EXPECT(b, jobs_get_for_update(b, "a", &jb), DAL_BUSY);
        EXPECT(b, dal_rollback(b), DAL_OK);
        EXPECT(b, jobs_get(b, "a", &jb), DAL_OK); /* a plain read does not wait */
        jobs_free(&jb);
    } else {
        /* SQLite: A's BEGIN IMMEDIATE keeps every other writer out */
        EXPECT(b, dal_begin(b), DAL_BUSY);
        EXPECT(b, dal_exec(b, "UPDATE jobs SET priority = 1 WHERE id = 'a'"), DAL_BUSY);
    }
    j.priority = j.priority + 5;
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    OK(dal_commit(E->db));

    /* once A committed, B's update goes through, over A's value */
    EXPECT(b, dal_exec(b, "UPDATE jobs SET priority = priority + 1 WHERE id = 'a'"), DAL_OK);
    OK(jobs_get(E->db, "a", &j));
    assert_int_equal(j.priority, 6);
    jobs_free(&j);
    dal_close(b);

    /* a missing row: DAL_NOT_FOUND, *out zeroed; by a unique key too */
    OK(dal_begin(E->db));
    IS(jobs_get_for_update(E->db, "nope", &j), DAL_NOT_FOUND);
    assert_null(j.id);
    IS(tags_get_by_name_for_update(E->db, "nope", &t), DAL_NOT_FOUND);
    OK(dal_rollback(E->db));
}

/* ---- auto_update ------------------------------------------------------ */

static dal_time updated_at_of(void **state, const char *id)
{
    jobs j;
    OK(jobs_get(E->db, id, &j));
    dal_time t = j.updated_at;
    jobs_free(&j);
    return t;
}

/* jobs.updated_at (auto_update: now) moves on every UPDATE that does not
 * set it, whatever sends the UPDATE; one that sets it keeps its value. */
static void test_auto_update(void **state)
{
    const char *old = E->pg ? "'1970-01-01 00:00:01+00'" : "1000000";
    const dal_time old_us = 1000000, later_us = 2000000;
    char sql[256];
    int64_t pid = new_project(state, "au");
    new_job(state, "a", pid, NULL);
    dal_time before = now_us() - 5 * 1000000;

    /* an UPDATE that sets the column keeps the given value */
    snprintf(sql, sizeof sql, "UPDATE jobs SET updated_at = %s WHERE id = 'a'", old);
    OK(dal_exec(E->db, sql));
    assert_true(updated_at_of(state, "a") == old_us);

    /* the generated update leaves the column out: the database sets it */
    jobs j;
    OK(jobs_get(E->db, "a", &j));
    j.priority = 7;
    j.updated_at = later_us; /* not written */
    OK(jobs_update(E->db, &j));
    jobs_free(&j);
    dal_time t = updated_at_of(state, "a");
    assert_true(t >= before && t <= now_us() + 5 * 1000000);

    /* raw SQL that does not name the column */
    OK(dal_exec(E->db, sql));
    OK(dal_exec(E->db, "UPDATE jobs SET priority = 8 WHERE id = 'a'"));
    assert_true(updated_at_of(state, "a") >= before);

    /* setting it to the value it has counts as not changing it */
    OK(dal_exec(E->db, sql));
    OK(dal_exec(E->db, "UPDATE jobs SET priority = 9, updated_at = updated_at WHERE id = 'a'"));
    assert_true(updated_at_of(state, "a") >= before);

    /* a new value given by the UPDATE is kept */
    snprintf(sql, sizeof sql, "UPDATE jobs SET priority = 10, updated_at = %s WHERE id = 'a'",
             E->pg ? "'1970-01-01 00:00:02+00'" : "2000000");
    OK(dal_exec(E->db, sql));
    assert_true(updated_at_of(state, "a") == later_us);

    /* SQLite with recursive_triggers on: the trigger's own UPDATE ends */
    if (!E->pg) {
        OK(dal_exec(E->db, "PRAGMA recursive_triggers = ON"));
        OK(dal_exec(E->db, "UPDATE jobs SET priority = 11 WHERE id = 'a'"));
        assert_true(updated_at_of(state, "a") >= before);
        OK(dal_exec(E->db, "PRAGMA recursive_triggers = OFF"));
    }

    /* insert still takes a given value, or the default */
    jobs in = {.id = (char *)"b", .project_id = pid, .updated_at = old_us}, out;
    OK(jobs_insert(E->db, &in, &out));
    assert_true(out.updated_at == old_us);
    jobs_free(&out);
}

/* ---- column sets: insert_cols, update_cols ---------------------------- */

/* Values equal to the zero of their type are stored over a different
 * default when their column is in the set; columns outside it are left to
 * the database. */
static void test_insert_cols(void **state)
{
    /* bool false over default true, timestamp 0 over default now, a has_
     * flag false (NULL) in a nullable column; kind and capacity outside the
     * set take their defaults although their fields are not zero */
    agents a = {.name = "a1", .active = false, .created_at = 0, .has_last_seen_at = false,
                .kind = AGENTS_KIND_SCHEDULER, .capacity = 9};
    agents sa;
    OK(agents_insert_cols(E->db, &a,
                          &(agents_cols){.name = true, .active = true, .created_at = true,
                                         .last_seen_at = true},
                          &sa));
    assert_true(is_uuid(sa.id)); /* outside the set: its default */
    assert_string_equal(sa.name, "a1");
    assert_false(sa.active);
    assert_int_equal(sa.created_at, 0);
    assert_false(sa.has_last_seen_at);
    assert_int_equal(sa.kind, AGENTS_KIND_WORKER);
    assert_int_equal(sa.capacity, 1);
    agents_free(&sa);
    /* the plain insert of the same row elides active and created_at */
    a.name = "a2";
    OK(agents_insert(E->db, &a, &sa));
    assert_true(sa.active);
    assert_true(sa.created_at > 0);
    assert_int_equal(sa.kind, AGENTS_KIND_SCHEDULER);
    agents_free(&sa);

    /* NULL over a non-NULL default (decimal, NULL pointer); an explicit
     * identity value; out NULL */
    projects p = {.id = 500, .slug = "p", .name = "P", .budget = NULL};
    OK(projects_insert_cols(E->db, &p,
                            &(projects_cols){.id = true, .slug = true, .name = true,
                                             .budget = true},
                            NULL));
    projects sp;
    OK(projects_get(E->db, 500, &sp));
    assert_null(sp.budget);
    assert_false(sp.archived);
    projects_free(&sp);
    p = (projects){.slug = "q", .name = "Q", .budget = "7.25", .archived = true};
    OK(projects_insert_cols(E->db, &p, &(projects_cols){.slug = true, .name = true}, &sp));
    assert_true(sp.id > 0 && sp.id != 500); /* identity outside the set: generated */
    assert_string_equal(sp.budget, "0.00");
    assert_false(sp.archived);
    int64_t pid = sp.id;
    projects_free(&sp);

    /* an enum's first value over a different default */
    new_job(state, "j", pid, NULL);
    int64_t rid = new_run(state, "j", 1);
    events ev = {.run_id = rid, .seq = 0, .level = EVENTS_LEVEL_DEBUG, .message = "m"};
    events sev;
    OK(events_insert_cols(E->db, &ev,
                          &(events_cols){.run_id = true, .seq = true, .level = true,
                                         .message = true},
                          &sev));
    assert_int_equal(sev.level, EVENTS_LEVEL_DEBUG);
    assert_int_equal(sev.seq, 0);
    assert_null(sev.payload.data);
    events_free(&sev);

    /* bytes {NULL, 0} in a NOT NULL column: empty bytes, as insert does */
    artifacts art = {.run_id = rid, .path = "x", .size = 0};
    artifacts sart;
    OK(artifacts_insert_cols(E->db, &art,
                             &(artifacts_cols){.run_id = true, .path = true, .size = true,
                                               .sha256 = true},
                             &sart));
    assert_non_null(sart.sha256.data);
    assert_int_equal(sart.sha256.len, 0);
    assert_string_equal(sart.content_type, "application/octet-stream");
    artifacts_free(&sart);

    /* a NOT NULL column without default outside the set; the empty set
     * (INSERT ... DEFAULT VALUES) */
    tags t = {.name = "t", .color = "#000000"};
    IS(tags_insert_cols(E->db, &t, &(tags_cols){.color = true}, NULL), DAL_NOT_NULL);
    IS(tags_insert_cols(E->db, &t, &(tags_cols){0}, NULL), DAL_NOT_NULL);
    /* a NULL pointer in a NOT NULL column of the set */
    t.name = NULL;
    IS(tags_insert_cols(E->db, &t, &(tags_cols){.name = true}, NULL), DAL_NOT_NULL);
    t.name = "t";
    OK(tags_insert_cols(E->db, &t, &(tags_cols){.name = true}, NULL));
    assert_int_equal(count_of(state, tags_count), 1);
    /* the same set again (the cached statement), then a different one */
    t.name = "u";
    OK(tags_insert_cols(E->db, &t, &(tags_cols){.name = true}, NULL));
    t.name = "v";
    tags st;
    OK(tags_insert_cols(E->db, &t, &(tags_cols){.name = true, .color = true}, &st));
    assert_string_equal(st.color, "#000000");
    tags_free(&st);
    IS(tags_insert_cols(E->db, &t, &(tags_cols){.name = true}, NULL), DAL_DUPLICATE);

    /* misuse */
    assert_int_equal(tags_insert_cols(NULL, &t, &(tags_cols){.name = true}, NULL), DAL_MISUSE);
    IS(tags_insert_cols(E->db, &t, NULL, NULL), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "tags_insert_cols"));
    IS(tags_insert_cols(E->db, NULL, &(tags_cols){.name = true}, NULL), DAL_MISUSE);
    IS(tags_insert_cols(E->db, &t, &(tags_cols){.name = true}, &t), DAL_MISUSE);
    /* an enum value out of range in the set */
    ev.level = (events_level)42;
    ev.seq = 1;
    IS(events_insert_cols(E->db, &ev,
                          &(events_cols){.run_id = true, .seq = true, .level = true,
                                         .message = true},
                          NULL),
       DAL_MISUSE);
    assert_int_equal(count_of(state, tags_count), 3);
}

/* Partial updates: only the set's columns change. */
static void test_update_cols(void **state)
{
    int64_t pid = new_project(state, "uc");
    char agent[37];
    new_agent(state, "ag", agent);
    jobs in = {.id = "a", .project_id = pid, .group = "g", .priority = 5, .timeout_s = 60,
               .schedule = "* * * * *", .has_owner_agent = true};
    memcpy(in.owner_agent, agent, sizeof agent);
    jobs before;
    OK(jobs_insert(E->db, &in, &before));

    /* a row holding only the key and the new values: nothing else is written */
    jobs j = {.id = "a", .priority = 0, .enabled = false};
    OK(jobs_update_cols(E->db, &j, &(jobs_cols){.priority = true, .enabled = true}));
    jobs after;
    OK(jobs_get(E->db, "a", &after));
    assert_int_equal(after.priority, 0);
    assert_false(after.enabled);
    assert_int_equal(after.project_id, pid);
    assert_string_equal(after.group, "g");
    assert_int_equal(after.timeout_s, 60);
    assert_string_equal(after.schedule, "* * * * *");
    assert_true(after.has_owner_agent);
    assert_string_equal(after.owner_agent, agent);
    assert_int_equal(after.created_at, before.created_at);
    jobs_free(&after);

    /* NULL through a NULL pointer and a has_ flag; key columns in the set
     * are ignored */
    OK(jobs_update_cols(E->db, &j,
                        &(jobs_cols){.id = true, .schedule = true, .owner_agent = true}));
    OK(jobs_get(E->db, "a", &after));
    assert_null(after.schedule);
    assert_false(after.has_owner_agent);
    assert_string_equal(after.group, "g");
    assert_int_equal(after.priority, 0);
    jobs_free(&after);

    /* updated_at (auto_update): set by the database when outside the set,
     * kept when the set gives it another value */
    dal_time t0 = now_us() - 5 * 1000000;
    j.updated_at = 1000000;
    OK(jobs_update_cols(E->db, &j, &(jobs_cols){.updated_at = true}));
    assert_true(updated_at_of(state, "a") == 1000000);
    j.timeout_s = 30;
    OK(jobs_update_cols(E->db, &j, &(jobs_cols){.timeout_s = true}));
    assert_true(updated_at_of(state, "a") >= t0);
    /* created_at, usually written by nobody, can be set on purpose */
    j.created_at = 42;
    OK(jobs_update_cols(E->db, &j, &(jobs_cols){.created_at = true}));
    OK(jobs_get(E->db, "a", &after));
    assert_int_equal(after.created_at, 42);
    assert_int_equal(after.timeout_s, 30);
    jobs_free(&after);
    jobs_free(&before);

    /* a composite key; an enum and a nullable value column */
    int64_t rid = new_run(state, "a", 7);
    job_runs r = {.id = rid, .status = JOB_RUNS_STATUS_RUNNING, .started_at = 99,
                  .has_started_at = true};
    OK(job_runs_update_cols(E->db, &r,
                            &(job_runs_cols){.status = true, .started_at = true}));
    job_runs sr;
    OK(job_runs_get(E->db, rid, &sr));
    assert_int_equal(sr.status, JOB_RUNS_STATUS_RUNNING);
    assert_int_equal(sr.started_at, 99);
    assert_int_equal(sr.scheduled_at, 7);
    assert_int_equal(sr.attempt, 1);
    job_runs_free(&sr);
    unsigned char sha[2] = {0, 1};
    artifacts art = {.run_id = rid, .path = "p", .size = 2, .sha256 = {sha, 2}};
    OK(artifacts_insert(E->db, &art, NULL));
    artifacts au = {.run_id = rid, .path = "p", .content_type = "text/plain"};
    OK(artifacts_update_cols(E->db, &au, &(artifacts_cols){.content_type = true}));
    artifacts sart;
    OK(artifacts_get(E->db, rid, "p", &sart));
    assert_string_equal(sart.content_type, "text/plain");
    assert_int_equal(sart.size, 2);
    assert_int_equal(sart.sha256.len, 2);
    artifacts_free(&sart);

    /* no row with that key; an empty set; a set of key columns only */
    jobs none = {.id = "none"};
    IS(jobs_update_cols(E->db, &none, &(jobs_cols){.priority = true}), DAL_NOT_FOUND);
    assert_string_equal(dal_errmsg(E->db), "jobs_update_cols: no row");
    IS(jobs_update_cols(E->db, &j, &(jobs_cols){0}), DAL_MISUSE);
    IS(artifacts_update_cols(E->db, &au, &(artifacts_cols){.run_id = true, .path = true}),
       DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "no column to set"));
    /* constraint errors as for update */
    j.timeout_s = 0;
    IS(jobs_update_cols(E->db, &j, &(jobs_cols){.timeout_s = true}), DAL_CHECK);
    j.project_id = 0;
    IS(jobs_update_cols(E->db, &j, &(jobs_cols){.project_id = true}), DAL_FOREIGN_KEY);

    /* misuse */
    assert_int_equal(jobs_update_cols(NULL, &j, &(jobs_cols){.priority = true}), DAL_MISUSE);
    IS(jobs_update_cols(E->db, NULL, &(jobs_cols){.priority = true}), DAL_MISUSE);
    IS(jobs_update_cols(E->db, &j, NULL), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(E->db), "jobs_update_cols"));
    r.status = (job_runs_status)-1;
    IS(job_runs_update_cols(E->db, &r, &(job_runs_cols){.status = true}), DAL_MISUSE);

    /* inside a transaction, rolled back */
    OK(dal_begin(E->db));
    j.priority = 3;
    OK(jobs_update_cols(E->db, &j, &(jobs_cols){.priority = true}));
    OK(dal_rollback(E->db));
    OK(jobs_get(E->db, "a", &after));
    assert_int_equal(after.priority, 0);
    jobs_free(&after);
}

/* ---- copy ------------------------------------------------------------- */

typedef struct copy_ctx {
    events kept[8];
    size_t n;
} copy_ctx;

static dal_status keep_event(const events *row, void *ctx)
{
    copy_ctx *c = ctx;
    return events_copy(row, &c->kept[c->n++]);
}

/* The rows an iterate callback gets are lent: their text and bytes point
 * into the statement's current row (nothing allocated, dal_mem_ NULL), with
 * the values a get returns, empty and NULL ones included. */
static dal_status check_lent(const events *row, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    assert_null(row->dal_mem_);
    if (row->seq == 1) {
        assert_string_equal(row->message, "first");
        assert_int_equal(row->payload.len, 3);
        assert_memory_equal(row->payload.data, "\0\xff\0", 3);
    } else if (row->seq == 2) {
        assert_string_equal(row->message, "");
        assert_non_null(row->payload.data);
        assert_int_equal(row->payload.len, 0);
    } else {
        assert_string_equal(row->message, "third");
        assert_null(row->payload.data);
        assert_int_equal(row->payload.len, 0);
    }
    return DAL_OK;
}

/* A row given to an iterate callback outlives the iteration as a copy
 * (ASan would see a use of freed memory if it were not deep). */
static void test_copy(void **state)
{
    int64_t pid = new_project(state, "cp");
    new_job(state, "j", pid, NULL);
    int64_t rid = new_run(state, "j", 1);
    unsigned char bin[3] = {0, 0xff, 0};
    events e1 = {.run_id = rid, .seq = 1, .message = "first", .payload = {bin, 3}};
    events e2 = {.run_id = rid, .seq = 2, .message = "", .payload = {(unsigned char *)"", 0}};
    events e3 = {.run_id = rid, .seq = 3, .message = "third", .level = EVENTS_LEVEL_ERROR};
    OK(events_insert(E->db, &e1, NULL));
    OK(events_insert(E->db, &e2, NULL));
    OK(events_insert(E->db, &e3, NULL));
    int calls = 0;
    OK(events_iterate(E->db, check_lent, &calls));
    assert_int_equal(calls, 3);
    copy_ctx c = {0};
    OK(events_iterate(E->db, keep_event, &c));
    assert_int_equal(c.n, 3);
    assert_string_equal(c.kept[0].message, "first");
    assert_int_equal(c.kept[0].payload.len, 3);
    assert_memory_equal(c.kept[0].payload.data, bin, 3);
    assert_int_equal(c.kept[0].level, EVENTS_LEVEL_INFO);
    assert_string_equal(c.kept[1].message, "");
    assert_non_null(c.kept[1].payload.data); /* empty bytes, not NULL */
    assert_int_equal(c.kept[1].payload.len, 0);
    assert_string_equal(c.kept[2].message, "third");
    assert_null(c.kept[2].payload.data); /* NULL stays NULL */
    assert_int_equal(c.kept[2].level, EVENTS_LEVEL_ERROR);
    assert_int_equal(c.kept[2].run_id, rid);
    for (size_t i = 0; i < c.n; i++)
        events_free(&c.kept[i]);

    /* a row built by hand: the copy owns its strings, the source keeps its own */
    char name[] = "Project", slug[] = "hand";
    projects p = {.id = 7, .slug = slug, .name = name, .budget = "1.50", .started_on = 3};
    projects cp;
    OK(projects_copy(&p, &cp));
    assert_true(cp.slug != slug && cp.name != name);
    name[0] = 'X';
    assert_string_equal(cp.name, "Project");
    assert_string_equal(cp.slug, "hand");
    assert_string_equal(cp.budget, "1.50");
    assert_int_equal(cp.id, 7);
    assert_int_equal(cp.started_on, 3);
    assert_non_null(cp.dal_mem_);
    /* a copy of a copy, stored like any row */
    projects cp2;
    OK(projects_copy(&cp, &cp2));
    projects_free(&cp);
    OK(projects_insert(E->db, &cp2, NULL));
    projects_free(&cp2);
    projects got;
    OK(projects_get(E->db, 7, &got));
    assert_string_equal(got.name, "Project");
    projects_free(&got);

    /* a row without strings owns no memory; a row read from the database */
    metrics m = {.run_id = rid, .name = NULL, .value = 2.5}, mc;
    OK(metrics_copy(&m, &mc));
    assert_null(mc.dal_mem_);
    assert_true(mc.value == 2.5);
    metrics_free(&mc);

    /* misuse: nothing is copied, out is zeroed */
    events bad = {.message = "x", .payload = {NULL, 4}}, out = {.seq = 5};
    assert_int_equal(events_copy(&bad, &out), DAL_MISUSE);
    assert_int_equal(out.seq, 0);
    assert_null(out.dal_mem_);
    assert_int_equal(events_copy(NULL, &out), DAL_MISUSE);
    assert_int_equal(events_copy(&e1, NULL), DAL_MISUSE);
    assert_int_equal(events_copy(&e1, &e1), DAL_MISUSE);
    assert_string_equal(e1.message, "first"); /* in == out is left alone */
}

#define T(f) cmocka_unit_test_setup(f, genv_clean)
#define TESTS                                                                                      \
    T(test_insert_defaults), T(test_get), T(test_update_delete), T(test_list_pages), T(test_list_long),               \
        T(test_list_by), T(test_errors), T(test_cascades), T(test_transactions),                   \
        T(test_insert_many), T(test_upsert), T(test_iterate), T(test_enums), T(test_misuse),  \
        T(test_auto_update), T(test_get_for_update), T(test_insert_cols), T(test_update_cols), \
        T(test_copy)

static int open_sqlite(void **state) { return genv_open(state, false, "crud"); }
static int open_pg(void **state) { return genv_open(state, true, "crud"); }

int main(void)
{
    const struct CMUnitTest tests[] = {TESTS};
    int failed = cmocka_run_group_tests_name("crud/sqlite", tests, open_sqlite, genv_close);
    failed += cmocka_run_group_tests_name("crud/postgres", tests, open_pg, genv_close);
    return failed ? 1 : 0;
}
