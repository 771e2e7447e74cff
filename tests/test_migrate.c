/*
 * test_migrate.c - migrations end to end, on SQLite and PostgreSQL:
 * `dalc migration new` (dalc_migration_new) on a copy of schema/ edited
 * between steps, `dalc migrate` (dalc_migrate) to apply, with data in every
 * table checked after each step; destructive refusal/approval; checksum
 * tamper; down; the SQLite rebuild keeping FKs and indexes; two concurrent
 * migrators; a migrator killed with SIGKILL mid-migration; schema_create vs
 * migrate-from-empty compared by introspection; baseline of a database made
 * by schema_create.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "dal.h"
#include "dal_migrate.h"
#include "cli/cli.h"
#include "sql/migrate.h"
#include "schema.h"

/* ---------------------------------------------------------------------- */
/* helpers                                                                 */
/* ---------------------------------------------------------------------- */

typedef struct eng {
    bool pg;
    char url[2048];
    char proj[1024]; /* scratch project: proj/schema, proj/migrations */
} eng;

static void sh(const char *fmt, ...) DALC_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

/* progress lines of the runner, collected */
static char g_progress[65536];

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    size_t n = strlen(g_progress);
    snprintf(g_progress + n, sizeof g_progress - n, "%s\n", line);
}

static void must(dal_db *db, dal_status s, const char *what)
{
    if (s != DAL_OK)
        fail_msg("%s: %s: %s", what, dal_status_name(s), db ? dal_errmsg(db) : "");
}

/* A fresh engine: SQLite file or a new PostgreSQL database named tag. */
static void eng_init(eng *e, bool pg, const char *tag)
{
    memset(e, 0, sizeof *e);
    e->pg = pg;
    char buf[64];
    snprintf(buf, sizeof buf, "%s_%s", tag, pg ? "pg" : "sqlite");
    test_tmp_path(e->proj, sizeof e->proj, buf);
    sh("rm -rf '%s' && mkdir -p '%s/schema' && cp schema/*.yaml '%s/schema/'", e->proj, e->proj,
       e->proj);
    if (!pg) {
        snprintf(e->url, sizeof e->url, "sqlite:%s/db.sqlite", e->proj);
        return;
    }
    const char *base = test_pg_url();
    dal_db *db = NULL;
    must(db, dal_open(base, &db), "open PostgreSQL");
    char sql[600];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"dalc_%s\"", buf);
    must(db, dal_exec(db, sql), sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"dalc_%s\"", buf);
    must(db, dal_exec(db, sql), sql);
    dal_close(db);
    /* the harness URL is postgresql:///postgres?host=...: swap the database */
    const char *p = strstr(base, "///postgres");
    if (p)
        snprintf(e->url, sizeof e->url, "%.*s///dalc_%s%s", (int)(p - base), base, buf,
                 p + strlen("///postgres"));
    else
        snprintf(e->url, sizeof e->url, "%s%sdbname=dalc_%s", base, strchr(base, '?') ? "&" : "?",
                 buf);
}

static int mig_new(const eng *e, const char *name)
{
    char schema[1100], mig[1100];
    snprintf(schema, sizeof schema, "%s/schema", e->proj);
    snprintf(mig, sizeof mig, "%s/migrations", e->proj);
    char *argv[] = {"new", (char *)name, "--schema", schema, "--migrations", mig};
    return dalc_migration_new(6, argv);
}

/* dalc migrate --db URL --migrations DIR a1 [a2 [a3]] */
static int mig_run(const eng *e, const char *a1, const char *a2, const char *a3)
{
    char mig[1100];
    snprintf(mig, sizeof mig, "%s/migrations", e->proj);
    char *argv[8] = {"--db", (char *)e->url, "--migrations", mig, (char *)a1};
    int argc = 5;
    if (a2)
        argv[argc++] = (char *)a2;
    if (a3)
        argv[argc++] = (char *)a3;
    fflush(stdout);
    return dalc_migrate(argc, argv);
}

static dal_db *eng_open(const eng *e)
{
    dal_db *db = NULL;
    must(db, dal_open(e->url, &db), "open");
    must(db,
         dal_exec(db, e->pg ? "CREATE TEMP TABLE IF NOT EXISTS dalc_assert (ok boolean CHECK (ok))"
                            : "CREATE TEMP TABLE IF NOT EXISTS dalc_assert (ok INTEGER CHECK (ok))"),
         "assert table");
    return db;
}

static void exec_ok(dal_db *db, const char *sql)
{
    must(db, dal_exec(db, sql), sql);
}

/* true when cond (an SQL boolean) holds; never fails the test. */
static bool probe(dal_db *db, const char *cond)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "INSERT INTO dalc_assert SELECT coalesce((%s), false)", cond);
    return dal_exec(db, sql) == DAL_OK;
}

#define CHECK(db, cond)                                                                       \
    do {                                                                                       \
        if (!probe((db), (cond)))                                                              \
            fail_msg("%s:%d: not true in the database: %s (%s)", __FILE__, __LINE__, (cond),   \
                     dal_errmsg(db));                                                          \
    } while (0)

#define FAILS(db, sql)                                                                         \
    do {                                                                                       \
        if (dal_exec((db), (sql)) == DAL_OK)                                                   \
            fail_msg("%s:%d: should have failed: %s", __FILE__, __LINE__, (sql));              \
    } while (0)

static void write_schema(const eng *e, const char *file, const char *text)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/schema/%s", e->proj, file);
    assert_int_equal(test_write_file(p, text), 0);
}

static void rm_schema(const eng *e, const char *file)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/schema/%s", e->proj, file);
    assert_true(unlink(p) == 0 || errno == ENOENT);
}

static int count_migrations(const eng *e)
{
    char mig[1100];
    snprintf(mig, sizeof mig, "%s/migrations", e->proj);
    mig_entry *m;
    int n;
    diag_list d;
    diag_init(&d);
    assert_true(mig_list(mig, false, &m, &n, &d));
    mig_list_free(m, n);
    diag_free(&d);
    return n;
}

/* The migrations of e as the runtime sees them (for messages). */
typedef struct loaded {
    mig_entry *ents;
    int n;
    dal_migration *migs;
} loaded;

static void load(const eng *e, loaded *l)
{
    char mig[1100];
    snprintf(mig, sizeof mig, "%s/migrations", e->proj);
    diag_list d;
    diag_init(&d);
    assert_true(mig_list(mig, true, &l->ents, &l->n, &d));
    diag_free(&d);
    l->migs = calloc((size_t)l->n + 1, sizeof *l->migs);
    for (int i = 0; i < l->n; i++) {
        l->migs[i] = (dal_migration){l->ents[i].version,      l->ents[i].name,
                                     l->ents[i].sql[0][0],    l->ents[i].sql[0][1],
                                     l->ents[i].sql[1][0],    l->ents[i].sql[1][1]};
    }
}

static void unload(loaded *l)
{
    mig_list_free(l->ents, l->n);
    free(l->migs);
}

/* ---------------------------------------------------------------------- */
/* the multi-step evolution                                                */
/* ---------------------------------------------------------------------- */

static void seed(const eng *e, dal_db *db)
{
    bool pg = e->pg;
    exec_ok(db, pg ? "INSERT INTO projects (id, slug, name, budget, started_on, archived) VALUES "
                     "(1, 'alpha', 'Alpha', 12.50, '2024-01-02', false), "
                     "(2, 'beta', 'Beta', NULL, '2024-02-03', true)"
                   : "INSERT INTO projects (id, slug, name, budget, started_on, archived) VALUES "
                     "(1, 'alpha', 'Alpha', '12.50', '2024-01-02', 0), "
                     "(2, 'beta', 'Beta', NULL, '2024-02-03', 1)");
    exec_ok(db, "INSERT INTO tags (id, name, color) VALUES (1, 'red', '#ff0000'), (2, 'blue', NULL)");
    exec_ok(db, pg ? "INSERT INTO agents (id, name, kind, capacity, active, labels) VALUES "
                     "('11111111-1111-4111-8111-111111111111', 'agent-1', 'worker', 4, true, "
                     "'{\"zone\": \"a\"}')"
                   : "INSERT INTO agents (id, name, kind, capacity, active, labels) VALUES "
                     "('11111111-1111-4111-8111-111111111111', 'agent-1', 'worker', 4, 1, "
                     "'{\"zone\": \"a\"}')");
    exec_ok(db, pg ? "INSERT INTO jobs (id, project_id, parent_id, \"group\", priority, timeout_s, "
                     "weight, schedule, enabled, owner_agent) VALUES "
                     "('job-a', 1, NULL, 'ops', 3, 60, 1.5, '* * * * *', true, "
                     "'11111111-1111-4111-8111-111111111111'), "
                     "('job-b', 1, 'job-a', NULL, 0, 3600, 1.0, NULL, false, NULL)"
                   : "INSERT INTO jobs (id, project_id, parent_id, \"group\", priority, timeout_s, "
                     "weight, schedule, enabled, owner_agent) VALUES "
                     "('job-a', 1, NULL, 'ops', 3, 60, 1.5, '* * * * *', 1, "
                     "'11111111-1111-4111-8111-111111111111'), "
                     "('job-b', 1, 'job-a', NULL, 0, 3600, 1.0, NULL, 0, NULL)");
    exec_ok(db, pg ? "INSERT INTO job_runs (id, job_id, run_key, scheduled_at, started_at, status, "
                     "attempt, agent_id, output, error) VALUES "
                     "(1, 'job-a', '22222222-2222-4222-8222-222222222222', '2024-05-01 10:00:00+00', "
                     "'2024-05-01 10:00:01+00', 'running', 1, '11111111-1111-4111-8111-111111111111', "
                     "'{\"ok\": true}', NULL), "
                     "(2, 'job-b', '33333333-3333-4333-8333-333333333333', '2024-05-02 10:00:00+00', "
                     "NULL, 'pending', 2, NULL, NULL, 'boom')"
                   : "INSERT INTO job_runs (id, job_id, run_key, scheduled_at, started_at, status, "
                     "attempt, agent_id, output, error) VALUES "
                     "(1, 'job-a', '22222222-2222-4222-8222-222222222222', 1714557600000000, "
                     "1714557601000000, 'running', 1, '11111111-1111-4111-8111-111111111111', "
                     "'{\"ok\": true}', NULL), "
                     "(2, 'job-b', '33333333-3333-4333-8333-333333333333', 1714644000000000, "
                     "NULL, 'pending', 2, NULL, NULL, 'boom')");
    exec_ok(db, "UPDATE agents SET current_run_id = 1");
    exec_ok(db, pg ? "INSERT INTO artifacts (run_id, path, size, sha256) VALUES "
                     "(1, 'out/log.txt', 42, '\\xdeadbeef')"
                   : "INSERT INTO artifacts (run_id, path, size, sha256) VALUES "
                     "(1, 'out/log.txt', 42, X'deadbeef')");
    exec_ok(db, pg ? "INSERT INTO events (id, run_id, seq, level, message, payload) VALUES "
                     "(1, 1, 0, 'info', 'started', '\\x00ff'), (2, 1, 1, 'warn', 'slow', NULL)"
                   : "INSERT INTO events (id, run_id, seq, level, message, payload) VALUES "
                     "(1, 1, 0, 'info', 'started', X'00ff'), (2, 1, 1, 'warn', 'slow', NULL)");
    exec_ok(db, "INSERT INTO job_tags (job_id, tag_id, \"order\") VALUES ('job-a', 1, 2), "
                "('job-a', 2, 1)");
    exec_ok(db, "INSERT INTO metrics (run_id, name, recorded_on, value, unit) VALUES "
                "(1, 'cpu', '2024-05-01', 0.75, 'ratio'), (1, 'mem', '2024-05-01', 512, NULL)");
}

/* Rows and values present at every step (metrics/group renamed at step >= 1). */
static void check_data(const eng *e, dal_db *db, int step)
{
    (void)e;
    const char *metrics = step >= 1 ? "run_metrics" : "metrics";
    const char *group = step >= 1 ? "team" : "\"group\"";
    char q[512];
    CHECK(db, "(SELECT count(*) FROM projects) = 2");
    CHECK(db, "(SELECT name FROM projects WHERE id = 1) = 'Alpha'");
    CHECK(db, "(SELECT slug FROM projects WHERE id = 2) = 'beta'");
    CHECK(db, "(SELECT budget FROM projects WHERE id = 2) IS NULL");
    CHECK(db, "(SELECT count(*) FROM tags) = 2");
    CHECK(db, "(SELECT name FROM tags WHERE id = 2) = 'blue'");
    CHECK(db, "(SELECT count(*) FROM agents) = 1");
    CHECK(db, "(SELECT capacity FROM agents) = 4");
    CHECK(db, "(SELECT current_run_id FROM agents) = 1");
    CHECK(db, "(SELECT labels FROM agents) IS NOT NULL");
    CHECK(db, "(SELECT count(*) FROM jobs) = 2");
    snprintf(q, sizeof q, "(SELECT %s FROM jobs WHERE id = 'job-a') = 'ops'", group);
    CHECK(db, q);
    CHECK(db, "(SELECT parent_id FROM jobs WHERE id = 'job-b') = 'job-a'");
    CHECK(db, "(SELECT timeout_s FROM jobs WHERE id = 'job-a') = 60");
    CHECK(db, "(SELECT priority FROM jobs WHERE id = 'job-a') = 3");
    CHECK(db, "(SELECT count(*) FROM job_runs) = 2");
    CHECK(db, "(SELECT error FROM job_runs WHERE id = 2) = 'boom'");
    CHECK(db, "(SELECT attempt FROM job_runs WHERE id = 2) = 2");
    CHECK(db, "(SELECT count(*) FROM job_runs WHERE id = 2 AND output IS NULL AND started_at IS NULL) "
              "= 1");
    CHECK(db, "(SELECT count(*) FROM job_runs WHERE id = 1 AND output IS NOT NULL) = 1");
    CHECK(db, "(SELECT count(*) FROM artifacts) = 1");
    CHECK(db, "(SELECT length(sha256) FROM artifacts) = 4");
    CHECK(db, "(SELECT count(*) FROM events) = 2");
    CHECK(db, "(SELECT length(payload) FROM events WHERE id = 1) = 2");
    CHECK(db, "(SELECT message FROM events WHERE id = 2) = 'slow'");
    CHECK(db, "(SELECT count(*) FROM job_tags) = 2");
    CHECK(db, "(SELECT \"order\" FROM job_tags WHERE tag_id = 1) = 2");
    snprintf(q, sizeof q, "(SELECT count(*) FROM %s) = 2", metrics);
    CHECK(db, q);
    snprintf(q, sizeof q, "(SELECT value FROM %s WHERE name = 'cpu') = 0.75", metrics);
    CHECK(db, q);
}

static const char LABELS_YAML[] =
    "table: labels\n"
    "columns:\n"
    "  - { name: id, type: int64, primary_key: true, identity: true }\n"
    "  - { name: project_id, type: int64, references: projects.id, on_delete: cascade }\n"
    "  - { name: label, type: text, max_length: 40 }\n"
    "unique:\n"
    "  - [project_id, label]\n";

static const char PROJECTS1_YAML[] =
    "table: projects\n"
    "comment: A group of jobs with a shared budget.\n"
    "columns:\n"
    "  - { name: id,         type: int64, primary_key: true, identity: true }\n"
    "  - { name: slug,       type: text, unique: true, max_length: 63, check: \"slug <> ''\" }\n"
    "  - { name: name,       type: text, unique: true }\n"
    "  - { name: budget,     type: decimal, precision: 20, scale: 2, nullable: true, default: "
    "\"0.00\", comment: Monthly budget in euros; NULL means unlimited. }\n"
    "  - { name: started_on, type: date, default: now }\n"
    "  - { name: archived,   type: bool, default: false }\n"
    "  - { name: description, type: text, nullable: true }\n"
    "  - { name: max_jobs,   type: int32, default: 10 }\n"
    "  - { name: created_at, type: timestamp, default: now }\n"
    "  - { name: tier,       type: enum, values: [free, pro], default: free }\n";

static const char RUN_METRICS_YAML[] =
    "table: run_metrics\n"
    "renamed_from: metrics\n"
    "comment: Numeric measurements of a run, one per name and day.\n"
    "columns:\n"
    "  - { name: run_id,      type: int64, references: job_runs.id, on_delete: cascade }\n"
    "  - { name: name,        type: text }\n"
    "  - { name: recorded_on, type: date }\n"
    "  - { name: value,       type: float64 }\n"
    "  - { name: unit,        type: text, default: count }\n"
    "primary_key: [run_id, name, recorded_on]\n";

static const char JOBS1_YAML[] =
    "table: jobs\n"
    "comment: A job definition; each execution is a job_run.\n"
    "columns:\n"
    "  - { name: id,          type: text, primary_key: true, max_length: 200, comment: Stable job "
    "key chosen by the user. }\n"
    "  - { name: project_id,  type: int64, references: projects.id, on_delete: cascade }\n"
    "  - { name: parent_id,   type: text, nullable: true, references: jobs.id, on_delete: "
    "set_null, comment: The job this one was split from. }\n"
    "  - { name: team,        type: text, nullable: true, renamed_from: group }\n"
    "  - { name: priority,    type: int16, default: 5 }\n"
    "  - { name: timeout_s,   type: int32, default: 3600, check: \"timeout_s > 0\" }\n"
    "  - { name: weight,      type: float32, default: 1.0 }\n"
    "  - { name: schedule,    type: text, nullable: true, comment: Cron expression; NULL for "
    "manual jobs. }\n"
    "  - { name: enabled,     type: bool, default: true }\n"
    "  - { name: owner_agent, type: uuid, nullable: true, references: agents.id, on_delete: "
    "set_null }\n"
    "  - { name: created_at,  type: timestamp, default: now }\n"
    "  - { name: updated_at,  type: timestamp, default: now, auto_update: now }\n"
    "indexes:\n"
    "  - { columns: [project_id, priority] }\n"
    "  - { columns: [schedule], where: \"schedule IS NOT NULL AND enabled\" }\n"
    "  - { columns: [enabled] }\n";

static const char TAGS1_YAML[] =
    "table: tags\n"
    "comment: Labels that can be attached to jobs.\n"
    "columns:\n"
    "  - { name: id,    type: int32, primary_key: true, identity: true }\n"
    "  - { name: name,  type: text, unique: true, max_length: 80 }\n"
    "  - { name: color, type: text, nullable: true, check: \"length(color) = 7\", comment: \"Hex "
    "colour like #1f77b4.\" }\n"
    "  - { name: project_id, type: int64, nullable: true, references: projects.id, on_delete: "
    "set_null }\n";

static const char TAGS2_YAML[] =
    "table: tags\n"
    "comment: Labels that can be attached to jobs.\n"
    "columns:\n"
    "  - { name: id,    type: int32, primary_key: true, identity: true }\n"
    "  - { name: name,  type: text, unique: true, max_length: 80 }\n"
    "  - { name: project_id, type: int64, nullable: true, references: projects.id, on_delete: "
    "set_null }\n";

static const char EVENTS1_YAML[] =
    "table: events\n"
    "comment: Log lines and state changes emitted by a run, in order.\n"
    "columns:\n"
    "  - { name: id,      type: int64, primary_key: true, identity: true }\n"
    "  - { name: run_id,  type: int64, references: job_runs.id, on_delete: cascade }\n"
    "  - { name: seq,     type: int32, check: \"seq >= 0 AND seq < 1000000\" }\n"
    "  - name: level\n"
    "    type: enum\n"
    "    values: [debug, info, warn, error]\n"
    "    default: info\n"
    "  - { name: message, type: text }\n"
    "  - { name: payload, type: bytes, nullable: true, comment: Raw bytes attached to the event. }\n"
    "  - { name: at,      type: timestamp, default: now }\n"
    "unique:\n"
    "  - [run_id, seq]\n"
    "indexes:\n"
    "  - { columns: [level] }\n";

static const char ARTIFACTS1_YAML[] =
    "table: artifacts\n"
    "comment: Files produced by a run, keyed by their path within the run.\n"
    "columns:\n"
    "  - { name: run_id,       type: int64, references: job_runs.id, on_delete: cascade }\n"
    "  - { name: path,         type: text }\n"
    "  - { name: size,         type: int64, check: \"size >= 0\" }\n"
    "  - { name: sha256,       type: bytes }\n"
    "  - { name: content_type, type: text, nullable: true, default: application/octet-stream }\n"
    "  - { name: created_at,   type: timestamp, default: now }\n"
    "primary_key: [run_id, path]\n";

/* job_runs.yaml with the status values given. */
static void write_job_runs(const eng *e, const char *values)
{
    char text[2048];
    snprintf(text, sizeof text,
             "table: job_runs\n"
             "comment: One execution of a job.\n"
             "columns:\n"
             "  - { name: id,           type: int64, primary_key: true, identity: true }\n"
             "  - { name: job_id,       type: text, references: jobs.id, on_delete: cascade }\n"
             "  - { name: run_key,      type: uuid, unique: true, default: uuid }\n"
             "  - { name: scheduled_at, type: timestamp }\n"
             "  - { name: started_at,   type: timestamp, nullable: true }\n"
             "  - { name: finished_at,  type: timestamp, nullable: true }\n"
             "  - name: status\n"
             "    type: enum\n"
             "    values: [%s]\n"
             "    default: pending\n"
             "  - { name: attempt,      type: int32, default: 1, check: \"attempt >= 1\" }\n"
             "  - { name: agent_id,     type: uuid, nullable: true, references: agents.id, "
             "on_delete: set_null }\n"
             "  - { name: output,       type: json, nullable: true }\n"
             "  - { name: error,        type: text, nullable: true, max_length: 4000 }\n"
             "unique:\n"
             "  - [job_id, scheduled_at]\n"
             "indexes:\n"
             "  - { columns: [status, scheduled_at] }\n"
             "  - { columns: [started_at], where: \"started_at IS NOT NULL\" }\n"
             "checks:\n"
             "  - \"finished_at IS NULL OR started_at IS NOT NULL\"\n",
             values);
    write_schema(e, "job_runs.yaml", text);
}

/* FKs and indexes of the tables SQLite rebuilt are still there and enforced. */
static void check_integrity(const eng *e, dal_db *db)
{
    if (e->pg) {
        CHECK(db, "(SELECT count(*) FROM pg_constraint WHERE conname = 'job_runs_job_id_fkey') = 1");
        CHECK(db, "(SELECT count(*) FROM pg_constraint WHERE conname = 'jobs_project_id_fkey') = 1");
        CHECK(db, "(SELECT count(*) FROM pg_indexes WHERE indexname = "
                  "'idx_jobs_project_id_priority') = 1");
    } else {
        CHECK(db, "(SELECT count(*) FROM pragma_foreign_key_list('job_runs') WHERE \"table\" = "
                  "'jobs') = 1");
        CHECK(db, "(SELECT count(*) FROM pragma_foreign_key_list('jobs') WHERE \"table\" = "
                  "'projects') = 1");
        CHECK(db, "(SELECT count(*) FROM pragma_index_list('jobs') WHERE name = "
                  "'idx_jobs_project_id_priority') = 1");
        CHECK(db, "(SELECT count(*) FROM pragma_foreign_key_check) = 0");
    }
    FAILS(db, e->pg ? "INSERT INTO job_runs (job_id, scheduled_at) VALUES ('nope', now())"
                    : "INSERT INTO job_runs (job_id, scheduled_at) VALUES ('nope', 1)");
    FAILS(db, "INSERT INTO jobs (id, project_id) VALUES ('job-x', 99)");
}

static void evolution(bool pg)
{
    eng e;
    eng_init(&e, pg, "evo");
    /* step 0: the example schema */
    assert_int_equal(mig_new(&e, "init"), 0);
    assert_int_equal(count_migrations(&e), 1);
    assert_int_equal(mig_new(&e, "nothing"), 0); /* no changes: nothing written */
    assert_int_equal(count_migrations(&e), 1);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    assert_int_equal(mig_run(&e, "status", NULL, NULL), 0);
    dal_db *db = eng_open(&e);
    seed(&e, db);
    check_data(&e, db, 0);

    /* step 1: add table, columns of each kind, nullability/default/max_length/check
     * changes, unique/index/FK added, an index dropped, an enum value added, a table
     * and a column renamed */
    write_schema(&e, "labels.yaml", LABELS_YAML);
    write_schema(&e, "projects.yaml", PROJECTS1_YAML);
    rm_schema(&e, "metrics.yaml");
    write_schema(&e, "run_metrics.yaml", RUN_METRICS_YAML);
    write_schema(&e, "jobs.yaml", JOBS1_YAML);
    write_schema(&e, "tags.yaml", TAGS1_YAML);
    write_schema(&e, "events.yaml", EVENTS1_YAML);
    write_schema(&e, "artifacts.yaml", ARTIFACTS1_YAML);
    write_job_runs(&e, "pending, running, completed, failed, cancelled, skipped");
    assert_int_equal(mig_new(&e, "grow"), 0);
    assert_int_equal(count_migrations(&e), 2);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    check_data(&e, db, 1);
    check_integrity(&e, db);
    /* job_runs was rebuilt on SQLite: the view reading it was dropped and made again */
    CHECK(db, "(SELECT count(*) FROM active_runs) = (SELECT count(*) FROM job_runs WHERE "
              "status IN ('pending', 'running'))");
    CHECK(db, pg ? "(SELECT count(*) FROM pg_trigger WHERE tgname = 'jobs_updated_at_auto_update') = 1"
                 : "(SELECT count(*) FROM sqlite_master WHERE name = 'jobs_updated_at_auto_update') = 1");
    CHECK(db, "(SELECT unit FROM run_metrics WHERE name = 'mem') = 'count'");
    CHECK(db, "(SELECT unit FROM run_metrics WHERE name = 'cpu') = 'ratio'");
    CHECK(db, "(SELECT max_jobs FROM projects WHERE id = 2) = 10");
    CHECK(db, "(SELECT tier FROM projects WHERE id = 1) = 'free'");
    CHECK(db, "(SELECT count(*) FROM projects WHERE description IS NULL) = 2");
    CHECK(db, "(SELECT count(*) FROM tags WHERE project_id IS NULL) = 2");
    FAILS(db, "INSERT INTO projects (slug, name) VALUES ('gamma', 'Alpha')"); /* new unique */
    FAILS(db, "INSERT INTO events (run_id, seq, message) VALUES (1, 2000000, 'x')"); /* check */
    FAILS(db, "UPDATE tags SET project_id = 77 WHERE id = 1");                    /* new FK */
    exec_ok(db, "UPDATE job_runs SET status = 'skipped' WHERE id = 2");           /* enum */
    exec_ok(db, "UPDATE job_runs SET status = 'pending' WHERE id = 2");
    exec_ok(db, "UPDATE tags SET name = 'a-name-longer-than-fifty-characters-xxxxxxxxxxxxxxxxxxxxxx' "
                "WHERE id = 2");
    exec_ok(db, "UPDATE tags SET name = 'blue' WHERE id = 2");
    exec_ok(db, "UPDATE artifacts SET content_type = NULL"); /* now nullable */
    exec_ok(db, "UPDATE artifacts SET content_type = 'text/plain'");
    exec_ok(db, "INSERT INTO labels (project_id, label) VALUES (1, 'x')");
    FAILS(db, "INSERT INTO labels (project_id, label) VALUES (1, 'x')");
    exec_ok(db, "INSERT INTO jobs (id, project_id) VALUES ('job-c', 2)");
    CHECK(db, "(SELECT priority FROM jobs WHERE id = 'job-c') = 5"); /* new default */
    exec_ok(db, "DELETE FROM jobs WHERE id = 'job-c'");
    if (pg)
        CHECK(db, "(SELECT count(*) FROM pg_indexes WHERE indexname = "
                  "'idx_metrics_name_recorded_on') = 0");
    else
        CHECK(db, "(SELECT count(*) FROM sqlite_master WHERE name = "
                  "'idx_metrics_name_recorded_on') = 0");

    /* step 2: destructive: a column and a table dropped, an enum value removed */
    write_schema(&e, "tags.yaml", TAGS2_YAML);
    rm_schema(&e, "labels.yaml");
    write_job_runs(&e, "pending, running, completed, failed, skipped");
    assert_int_equal(mig_new(&e, "shrink"), 0);
    assert_int_equal(count_migrations(&e), 3);
    assert_int_not_equal(mig_run(&e, "up", NULL, NULL), 0); /* refused */
    exec_ok(db, "SELECT color FROM tags");                    /* untouched */
    {
        loaded l;
        load(&e, &l);
        dal_db *m = NULL;
        must(m, dal_open(e.url, &m), "open");
        assert_int_not_equal(dal_migrate_up(m, l.migs, (size_t)l.n, NULL), DAL_OK);
        assert_non_null(strstr(dal_errmsg(m), "destructive"));
        dal_close(m);
        unload(&l);
    }
    assert_int_equal(mig_run(&e, "up", "--allow-destructive", NULL), 0);
    FAILS(db, "SELECT color FROM tags");
    FAILS(db, "SELECT * FROM labels");
    FAILS(db, "UPDATE job_runs SET status = 'cancelled' WHERE id = 2");
    check_data(&e, db, 2);
    check_integrity(&e, db);

    /* down: 0003 (adds back: not destructive), then 0002 (destructive) */
    assert_int_equal(mig_run(&e, "down", NULL, NULL), 0);
    exec_ok(db, "SELECT color FROM tags");
    exec_ok(db, "SELECT * FROM labels");
    check_data(&e, db, 1);
    assert_int_not_equal(mig_run(&e, "down", "1", NULL), 0); /* 0002 down drops things */
    assert_int_equal(mig_run(&e, "down", "1", "--allow-destructive"), 0);
    check_data(&e, db, 0);
    check_integrity(&e, db);
    exec_ok(db, "SELECT * FROM metrics");
    FAILS(db, "SELECT * FROM run_metrics");
    /* and up again to the latest */
    assert_int_equal(mig_run(&e, "up", "--allow-destructive", NULL), 0);
    check_data(&e, db, 2);
    check_integrity(&e, db);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0); /* nothing to do */

    /* checksum: an applied migration's file changed */
    char path[1200];
    snprintf(path, sizeof path, "%s/migrations/0001_init/up.%s.sql", e.proj, pg ? "pg" : "sqlite");
    sh("cp '%s' '%s.orig' && echo '-- tampered' >> '%s'", path, path, path);
    assert_int_not_equal(mig_run(&e, "status", NULL, NULL), 0);
    assert_int_not_equal(mig_run(&e, "up", NULL, NULL), 0);
    {
        loaded l;
        load(&e, &l);
        dal_db *m = NULL;
        must(m, dal_open(e.url, &m), "open");
        assert_int_not_equal(dal_migrate_up(m, l.migs, (size_t)l.n, NULL), DAL_OK);
        assert_non_null(strstr(dal_errmsg(m), "checksum"));
        dal_close(m);
        unload(&l);
    }
    sh("mv '%s.orig' '%s'", path, path);
    assert_int_equal(mig_run(&e, "status", NULL, NULL), 0);
    dal_close(db);
}

static void test_evolution_sqlite(void **state)
{
    (void)state;
    evolution(false);
}

static void test_evolution_pg(void **state)
{
    (void)state;
    evolution(true);
}

/* ---------------------------------------------------------------------- */
/* hand-written migrations: concurrency and SIGKILL                        */
/* ---------------------------------------------------------------------- */

static void write_mig(const eng *e, const char *id, const char *up_pg, const char *up_sqlite,
                      const char *down)
{
    char dir[1200], p[1300];
    snprintf(dir, sizeof dir, "%s/migrations/%s", e->proj, id);
    sh("mkdir -p '%s'", dir);
    snprintf(p, sizeof p, "%s/up.pg.sql", dir);
    assert_int_equal(test_write_file(p, up_pg), 0);
    snprintf(p, sizeof p, "%s/up.sqlite.sql", dir);
    assert_int_equal(test_write_file(p, up_sqlite), 0);
    snprintf(p, sizeof p, "%s/down.pg.sql", dir);
    assert_int_equal(test_write_file(p, down), 0);
    snprintf(p, sizeof p, "%s/down.sqlite.sql", dir);
    assert_int_equal(test_write_file(p, down), 0);
}

/* 0001 creates t; 0002 creates t2 then runs a statement as slow as the
 * slowcfg table says; 0003 inserts one row into t. */
static void slow_migrations(eng *e, const char *tag)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/migrations", e->proj);
    sh("rm -rf '%s'", dir);
    write_mig(e, "0001_t", "CREATE TABLE t (x integer);\n", "CREATE TABLE t (x INTEGER);\n",
              "DROP TABLE t;\n");
    write_mig(e, "0002_slow",
              "CREATE TABLE t2 (x integer);\nSELECT pg_sleep((SELECT n FROM slowcfg));\n",
              "CREATE TABLE t2 (x INTEGER);\n"
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
              "(SELECT n FROM slowcfg)) INSERT INTO t2 SELECT x FROM c;\n",
              "DROP TABLE t2;\n");
    write_mig(e, "0003_row", "INSERT INTO t VALUES (3);\n", "INSERT INTO t VALUES (3);\n",
              "DELETE FROM t;\n");
    (void)tag;
}

static pid_t spawn_up(const eng *e)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc = mig_run(e, "up", NULL, NULL);
        fflush(stdout);
        _exit(rc);
    }
    return pid;
}

static int wait_rc(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void concurrent(bool pg)
{
    eng e;
    eng_init(&e, pg, "conc");
    slow_migrations(&e, "conc");
    dal_db *db = eng_open(&e);
    exec_ok(db, pg ? "CREATE TABLE slowcfg (n float8)" : "CREATE TABLE slowcfg (n INTEGER)");
    exec_ok(db, pg ? "INSERT INTO slowcfg VALUES (1)" : "INSERT INTO slowcfg VALUES (400000)");
    pid_t a = spawn_up(&e), b = spawn_up(&e);
    assert_int_equal(wait_rc(a), 0);
    assert_int_equal(wait_rc(b), 0);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 3");
    CHECK(db, "(SELECT count(*) FROM t) = 1"); /* 0003 applied exactly once */
    CHECK(db, "(SELECT min(version) FROM dal_schema_migrations) = 1");
    assert_int_equal(mig_run(&e, "status", NULL, NULL), 0);
    dal_close(db);
}

static void test_concurrent_sqlite(void **state)
{
    (void)state;
    concurrent(false);
}

static void test_concurrent_pg(void **state)
{
    (void)state;
    concurrent(true);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void killed(bool pg)
{
    eng e;
    eng_init(&e, pg, "kill");
    slow_migrations(&e, "kill");
    dal_db *db = eng_open(&e);
    exec_ok(db, pg ? "CREATE TABLE slowcfg (n float8)" : "CREATE TABLE slowcfg (n INTEGER)");
    exec_ok(db, pg ? "INSERT INTO slowcfg VALUES (4)" : "INSERT INTO slowcfg VALUES (500000000)");
    pid_t pid = spawn_up(&e);
    /* wait until 0001 is applied, then let 0002 run a little */
    bool started = false;
    for (int i = 0; i < 400 && !started; i++) {
        started = probe(db, "(SELECT count(*) FROM dal_schema_migrations) = 1");
        if (!started)
            sleep_ms(25);
    }
    assert_true(started);
    sleep_ms(800);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(wait_rc(pid), 128 + SIGKILL);
    /* the database is at version 1: 0002's table does not exist */
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 1");
    CHECK(db, "(SELECT max(version) FROM dal_schema_migrations) = 1");
    FAILS(db, "SELECT * FROM t2");
    /* the next run completes it (PostgreSQL: after the orphaned backend ends) */
    exec_ok(db, pg ? "UPDATE slowcfg SET n = 0" : "UPDATE slowcfg SET n = 10");
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 3");
    CHECK(db, "(SELECT count(*) FROM t) = 1");
    CHECK(db, "(SELECT count(*) FROM t2) <= 10");
    dal_close(db);
}

static void test_killed_sqlite(void **state)
{
    (void)state;
    killed(false);
}

static void test_killed_pg(void **state)
{
    (void)state;
    killed(true);
}

/* ---------------------------------------------------------------------- */
/* schema_create vs migrate from empty                                     */
/* ---------------------------------------------------------------------- */

static const dal_query Q_DUMP_SQLITE = {
    "SELECT m.name || '|col|' || p.name || '|' || p.type || '|' || p.\"notnull\" || '|' || "
    "coalesce(p.dflt_value, '~') || '|' || p.pk "
    "FROM sqlite_master m JOIN pragma_table_info(m.name) p "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'dal_schema_migrations' "
    "UNION ALL SELECT m.name || '|idx|' || il.name || '|' || il.\"unique\" || '|' || il.partial "
    "|| '|' || (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii) "
    "FROM sqlite_master m JOIN pragma_index_list(m.name) il "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'dal_schema_migrations' "
    "UNION ALL SELECT m.name || '|fk|' || fk.\"from\" || '|' || fk.\"table\" || '|' || fk.\"to\" "
    "|| '|' || fk.on_delete || '|' || fk.on_update "
    "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) fk "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'dal_schema_migrations' "
    "ORDER BY 1",
    0};

static const dal_query Q_DUMP_PG = {
    "SELECT table_name || '|col|' || column_name || '|' || data_type || '|' || "
    "coalesce(character_maximum_length::text, '') || '|' || is_nullable || '|' || "
    "coalesce(column_default, '~') || '|' || is_identity "
    "FROM information_schema.columns WHERE table_schema = 'public' "
    "AND table_name <> 'dal_schema_migrations' "
    "UNION ALL SELECT conrelid::regclass::text || '|con|' || conname || '|' || "
    "pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
    "AND conrelid <> 0 AND conrelid::regclass::text <> 'dal_schema_migrations' "
    "UNION ALL SELECT tablename || '|idx|' || indexname || '|' || indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' AND tablename <> 'dal_schema_migrations' "
    "UNION ALL SELECT c.relname || '|comment|' || coalesce(obj_description(c.oid, 'pg_class'), '') "
    "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
    "AND c.relname <> 'dal_schema_migrations' "
    "UNION ALL SELECT c.relname || '|colcomment|' || a.attname || '|' || "
    "coalesce(col_description(c.oid, a.attnum), '') FROM pg_class c JOIN pg_attribute a "
    "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
    "AND c.relname <> 'dal_schema_migrations' "
    "ORDER BY 1",
    0};

static char *dump(const eng *e)
{
    dal_db *db = NULL;
    must(db, dal_open(e->url, &db), "open");
    dal_stmt *st;
    must(db, dal_stmt_start(db, e->pg ? &Q_DUMP_PG : &Q_DUMP_SQLITE, &st), "dump");
    strbuf out;
    sb_init(&out);
    for (;;) {
        bool has = false;
        must(db, dal_stmt_step(st, &has), "dump step");
        if (!has)
            break;
        const char *t;
        size_t len;
        must(db, dal_col_text(st, 0, &t, &len), "dump col");
        sb_addn(&out, t, len);
        sb_addc(&out, '\n');
    }
    dal_stmt_done(st);
    dal_close(db);
    return sb_take(&out);
}

static void create_vs_migrate(bool pg)
{
    eng a, b;
    eng_init(&a, pg, "create");
    eng_init(&b, pg, "migrated");
    dal_db *db = NULL;
    must(db, dal_open(a.url, &db), "open");
    must(db, schema_create(db), "schema_create");
    dal_close(db);
    assert_int_equal(mig_new(&b, "init"), 0);
    assert_int_equal(mig_run(&b, "up", NULL, NULL), 0);
    char *da = dump(&a), *dbm = dump(&b);
    if (strcmp(da, dbm) != 0) {
        fprintf(stderr, "--- schema_create:\n%s--- migrate:\n%s", da, dbm);
        fail_msg("schema_create and migrate from empty differ");
    }
    assert_true(strlen(da) > 100);
    free(da);
    free(dbm);
}

static void test_create_vs_migrate_sqlite(void **state)
{
    (void)state;
    create_vs_migrate(false);
}

static void test_create_vs_migrate_pg(void **state)
{
    (void)state;
    create_vs_migrate(true);
}

/* The schema files of evolution step 1 (2 adds the destructive edits). */
static void write_step(const eng *e, int step)
{
    if (step >= 1) {
        write_schema(e, "labels.yaml", LABELS_YAML);
        write_schema(e, "projects.yaml", PROJECTS1_YAML);
        rm_schema(e, "metrics.yaml");
        write_schema(e, "run_metrics.yaml", RUN_METRICS_YAML);
        write_schema(e, "jobs.yaml", JOBS1_YAML);
        write_schema(e, "tags.yaml", TAGS1_YAML);
        write_schema(e, "events.yaml", EVENTS1_YAML);
        write_schema(e, "artifacts.yaml", ARTIFACTS1_YAML);
        write_job_runs(e, "pending, running, completed, failed, cancelled, skipped");
    }
    if (step >= 2) {
        write_schema(e, "tags.yaml", TAGS2_YAML);
        rm_schema(e, "labels.yaml");
        write_job_runs(e, "pending, running, completed, failed, skipped");
    }
}

/* e's database has the same schema as a fresh one migrated in one step to
 * the schema of `step`. */
static void same_as_fresh(const eng *e, int step, const char *tag)
{
    eng f;
    eng_init(&f, e->pg, tag);
    write_step(&f, step);
    assert_int_equal(mig_new(&f, "all"), 0);
    assert_int_equal(mig_run(&f, "up", NULL, NULL), 0);
    char *de = dump(e), *df = dump(&f);
    if (strcmp(de, df) != 0) {
        fprintf(stderr, "--- migrated step by step:\n%s--- fresh:\n%s", de, df);
        fail_msg("step %d: the migrated and the fresh schemas differ", step);
    }
    free(de);
    free(df);
}

/* An evolved database (up and down) equals one migrated in one step. */
static void evolved_vs_fresh(bool pg)
{
    eng a;
    eng_init(&a, pg, "evolved");
    assert_int_equal(mig_new(&a, "init"), 0);
    write_step(&a, 1);
    assert_int_equal(mig_new(&a, "grow"), 0);
    assert_int_equal(mig_run(&a, "up", NULL, NULL), 0);
    same_as_fresh(&a, 1, "fresh1");
    write_step(&a, 2);
    assert_int_equal(mig_new(&a, "shrink"), 0);
    assert_int_equal(mig_run(&a, "up", "--allow-destructive", NULL), 0);
    same_as_fresh(&a, 2, "fresh2");
    assert_int_equal(mig_run(&a, "down", "1", NULL), 0);
    same_as_fresh(&a, 1, "fresh1b");
    assert_int_equal(mig_run(&a, "down", "1", "--allow-destructive"), 0);
    same_as_fresh(&a, 0, "fresh0");
}

static void test_evolved_vs_fresh_sqlite(void **state)
{
    (void)state;
    evolved_vs_fresh(false);
}

static void test_evolved_vs_fresh_pg(void **state)
{
    (void)state;
    evolved_vs_fresh(true);
}

/* generated Pschema_migrate over embedded migrations: emit_migrations output
 * is compiled by check_migrate.sh; here the runtime entry point itself. */
static void test_runtime_api(void **state)
{
    (void)state;
    static const dal_migration migs[] = {
        {1, "a", "CREATE TABLE a (x integer);\n", "DROP TABLE a;\n",
         "CREATE TABLE a (x INTEGER);\n", "DROP TABLE a;\n"},
        {2, "b", "-- destructive: drop a\nDROP TABLE a;\n", "CREATE TABLE a (x integer);\n",
         "-- destructive: drop a\nDROP TABLE a;\n", "CREATE TABLE a (x INTEGER);\n"},
    };
    char path[600];
    char url[700];
    snprintf(url, sizeof url, "sqlite:%s", test_tmp_path(path, sizeof path, "api.sqlite"));
    dal_db *db = NULL;
    must(db, dal_open(url, &db), "open");
    dal_migration_state st[2];
    int unknown = -1;
    must(db, dal_migrate_status(db, migs, 2, st, &unknown), "status");
    assert_false(st[0].applied);
    assert_int_equal(unknown, 0);
    dal_migrate_opts o = {0};
    o.target = 1;
    must(db, dal_migrate_up(db, migs, 2, &o), "up to 1");
    must(db, dal_migrate_status(db, migs, 2, st, NULL), "status");
    assert_true(st[0].applied);
    assert_false(st[1].applied);
    assert_int_equal(dal_migrate_up(db, migs, 2, NULL), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(db), "destructive"));
    o.target = 0;
    o.dry_run = true;
    o.allow_destructive = true;
    must(db, dal_migrate_up(db, migs, 2, &o), "dry run");
    must(db, dal_migrate_status(db, migs, 2, st, NULL), "status");
    assert_false(st[1].applied);
    o.dry_run = false;
    must(db, dal_migrate_up(db, migs, 2, &o), "up");
    must(db, dal_migrate_status(db, migs, 2, st, NULL), "status");
    assert_true(st[1].applied);
    must(db, dal_migrate_down(db, migs, 2, 2, &o), "down 2");
    must(db, dal_migrate_status(db, migs, 2, st, NULL), "status");
    assert_false(st[0].applied);
    dal_close(db);
    char hex[65];
    dal_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---------------------------------------------------------------------- */
/* schema_check: the start-up check of generated code                      */
/* ---------------------------------------------------------------------- */

static void startup_check(bool pg)
{
    eng e;
    eng_init(&e, pg, "startup_check");
    dal_db *db = NULL;
    must(db, dal_open(e.url, &db), "open");
    assert_true(SCHEMA_NMIGRATIONS >= 2);
    char want[200], at[500];
    const dal_migration *last = &schema_migrations[SCHEMA_NMIGRATIONS - 1];
    const dal_migration *prev = &schema_migrations[SCHEMA_NMIGRATIONS - 2];
    snprintf(want, sizeof want, "this program was compiled for %04d_%s; run dalc migrate up",
             last->version, last->name);
    /* an empty database: nothing applied */
    assert_int_equal(schema_check(db), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "database has no migration applied"));
    assert_non_null(strstr(dal_errmsg(db), want));
    /* one migration behind */
    dal_migrate_opts o = {0};
    o.target = prev->version;
    must(db, dal_migrate_up(db, schema_migrations, SCHEMA_NMIGRATIONS, &o), "up to N-1");
    assert_int_equal(schema_check(db), DAL_ERROR);
    snprintf(at, sizeof at, "database is at migration %04d_%s, %s", prev->version, prev->name,
             want);
    assert_string_equal(dal_errmsg(db), at);
    /* up to date: no drift */
    must(db, schema_migrate(db, NULL), "migrate");
    must(db, schema_check(db), "check after migrate");
    /* a newer migration recorded by a newer build */
    exec_ok(db, "INSERT INTO dal_schema_migrations (version, name, checksum, applied_at)"
                " VALUES (9999, 'future', 'x', '2030-01-01 00:00:00+00')");
    assert_int_equal(schema_check(db), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "newer than this program knows"));
    dal_close(db);
}

static void test_startup_check_sqlite(void **state)
{
    (void)state;
    startup_check(false);
}

static void test_startup_check_pg(void **state)
{
    (void)state;
    startup_check(true);
}

/* ---------------------------------------------------------------------- */
/* baseline: adopting a database made by schema_create                     */
/* ---------------------------------------------------------------------- */

static void baseline(bool pg)
{
    eng e;
    eng_init(&e, pg, "baseline");
    dal_db *db = eng_open(&e);
    must(db, schema_create(db), "schema_create");
    seed(&e, db);
    assert_int_equal(mig_new(&e, "init"), 0);

    /* without a baseline, up tries to create the tables again and fails,
     * recording nothing (the bookkeeping table too was rolled back) */
    assert_int_not_equal(mig_run(&e, "up", NULL, NULL), 0);
    FAILS(db, "SELECT * FROM dal_schema_migrations");
    {
        loaded l0;
        load(&e, &l0);
        assert_int_not_equal(dal_migrate_up(db, l0.migs, (size_t)l0.n, NULL), DAL_OK);
        assert_non_null(strstr(dal_errmsg(db), "baseline"));
        unload(&l0);
    }

    /* refusals that change nothing: no such version; dry run */
    assert_int_not_equal(mig_run(&e, "baseline", "7", NULL), 0);
    assert_int_not_equal(mig_run(&e, "baseline", NULL, NULL), 0);
    assert_int_equal(mig_run(&e, "baseline", "1", "--dry-run"), 0);
    FAILS(db, "SELECT * FROM dal_schema_migrations"); /* not even created */

    assert_int_equal(mig_run(&e, "baseline", "1", NULL), 0);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 1");
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations WHERE version = 1 AND name = 'init' "
              "AND length(checksum) = 64 AND applied_at IS NOT NULL) = 1");
    loaded l;
    load(&e, &l);
    dal_migration_state st[4];
    must(db, dal_migrate_status(db, l.migs, (size_t)l.n, st, NULL), "status");
    assert_true(st[0].applied);
    assert_false(st[0].checksum_mismatch);
    unload(&l);
    /* again: nothing to do, not an error */
    assert_int_equal(mig_run(&e, "baseline", "1", NULL), 0);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 1");
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0); /* nothing pending */
    check_data(&e, db, 0);

    /* a second migration applies cleanly on top, data kept, and the result
     * equals a database migrated from empty */
    write_step(&e, 1);
    assert_int_equal(mig_new(&e, "grow"), 0);
    assert_int_equal(mig_run(&e, "status", NULL, NULL), 0);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 2");
    check_data(&e, db, 1);
    same_as_fresh(&e, 1, "baseline_fresh");

    /* refusals, nothing recorded or changed */
    load(&e, &l);
    assert_int_equal(l.n, 2);
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 2");
    assert_int_equal(dal_migrate_baseline(db, l.migs, 2, 1, NULL), DAL_ERROR); /* 2 recorded */
    assert_non_null(strstr(dal_errmsg(db), "newer"));
    assert_int_equal(mig_run(&e, "baseline", "1", NULL), 1);
    assert_int_equal(dal_migrate_baseline(db, l.migs, 2, 3, NULL), DAL_MISUSE); /* no 0003 */
    dal_migration tampered[2] = {l.migs[0], l.migs[1]};
    if (pg)
        tampered[0].up_pg = "CREATE TABLE x (y integer);\n";
    else
        tampered[0].up_sqlite = "CREATE TABLE x (y INTEGER);\n";
    assert_int_equal(dal_migrate_baseline(db, tampered, 2, 2, NULL), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "checksum"));
    dal_migrate_opts o = {0};
    o.dry_run = true;
    assert_int_equal(dal_migrate_baseline(db, tampered, 2, 2, &o), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "checksum"));
    must(db, dal_migrate_baseline(db, l.migs, 2, 2, NULL), "baseline at the current version");
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 2");

    /* partly recorded: baseline 2 on a database at 1 records only 0002 */
    o.dry_run = false;
    o.allow_destructive = true; /* reverting 0002 drops what it added */
    must(db, dal_migrate_down(db, l.migs, 2, 1, &o), "down 1");
    CHECK(db, "(SELECT max(version) FROM dal_schema_migrations) = 1");
    exec_ok(db, "UPDATE dal_schema_migrations SET name = 'kept'");
    must(db, dal_migrate_baseline(db, l.migs, 2, 2, NULL), "baseline 2");
    CHECK(db, "(SELECT count(*) FROM dal_schema_migrations) = 2");
    CHECK(db, "(SELECT name FROM dal_schema_migrations WHERE version = 1) = 'kept'");
    CHECK(db, "(SELECT name FROM dal_schema_migrations WHERE version = 2) = 'grow'");
    unload(&l);
    check_data(&e, db, 0);
    dal_close(db);
}

static void test_baseline_sqlite(void **state)
{
    (void)state;
    baseline(false);
}

static void test_baseline_pg(void **state)
{
    (void)state;
    baseline(true);
}

/* ---------------------------------------------------------------------- */
/* less common changes: PK type widened + identity, text -> enum, decimal  */
/* precision, FK action, unique narrowed, defaults of several types        */
/* ---------------------------------------------------------------------- */

static void odd_v1(const eng *e)
{
    sh("rm -f '%s'/schema/*.yaml", e->proj);
    write_schema(e, "a.yaml",
                 "table: a\n"
                 "columns:\n"
                 "  - { name: id, type: int32, primary_key: true }\n"
                 "  - { name: code, type: text }\n"
                 "  - { name: kind, type: text, default: x }\n"
                 "  - { name: n, type: int32, nullable: true }\n"
                 "  - { name: b_id, type: int64, nullable: true, references: b.id }\n"
                 "  - { name: amount, type: decimal, precision: 10, scale: 2, default: \"1.50\" }\n"
                 "  - { name: flag, type: bool, default: true }\n"
                 "  - { name: payload, type: bytes, nullable: true }\n"
                 "  - { name: at, type: timestamp, nullable: true }\n"
                 "  - { name: day, type: date, nullable: true }\n"
                 "unique:\n"
                 "  - [code, kind]\n");
    write_schema(e, "b.yaml",
                 "table: b\n"
                 "columns:\n"
                 "  - { name: id, type: int64, primary_key: true }\n"
                 "  - { name: a_id, type: int32, nullable: true, references: a.id }\n");
}

static void odd_v2(const eng *e)
{
    sh("rm -f '%s'/schema/*.yaml", e->proj);
    write_schema(e, "a.yaml",
                 "table: a\n"
                 "columns:\n"
                 "  - { name: id, type: int64, primary_key: true, identity: true }\n"
                 "  - { name: code, type: text }\n"
                 "  - { name: kind, type: enum, values: [x, y], default: x }\n"
                 "  - { name: n, type: int64, nullable: true }\n"
                 "  - { name: b_id, type: int64, nullable: true, references: b.id, on_delete: "
                 "set_null }\n"
                 "  - { name: amount, type: decimal, precision: 12, scale: 2, default: \"2.50\" }\n"
                 "  - { name: flag, type: bool, default: false }\n"
                 "  - { name: payload, type: bytes, nullable: true, default: \"\\\\x00ff\" }\n"
                 "  - { name: at, type: timestamp, default: now }\n"
                 "  - { name: day, type: date, nullable: true, default: \"2024-01-01\" }\n"
                 "unique:\n"
                 "  - [code]\n");
    write_schema(e, "b.yaml",
                 "table: b\n"
                 "columns:\n"
                 "  - { name: id, type: int64, primary_key: true }\n"
                 "  - { name: a_id, type: int64, nullable: true, references: a.id }\n");
}

static void same_as_fresh_fn(const eng *e, void (*write)(const eng *), const char *tag)
{
    eng f;
    eng_init(&f, e->pg, tag);
    write(&f);
    assert_int_equal(mig_new(&f, "all"), 0);
    assert_int_equal(mig_run(&f, "up", NULL, NULL), 0);
    char *de = dump(e), *df = dump(&f);
    if (strcmp(de, df) != 0) {
        fprintf(stderr, "--- migrated:\n%s--- fresh:\n%s", de, df);
        fail_msg("%s: the migrated and the fresh schemas differ", tag);
    }
    free(de);
    free(df);
}

static void odd_changes(bool pg)
{
    eng e;
    eng_init(&e, pg, "odd");
    odd_v1(&e);
    assert_int_equal(mig_new(&e, "v1"), 0);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    dal_db *db = eng_open(&e);
    exec_ok(db, pg ? "INSERT INTO a (id, code, kind, n, amount, flag, payload, at, day) VALUES "
                     "(1, 'c', 'x', 5, 2.25, true, '\\x01', '2024-05-01 10:00:00+00', "
                     "'2024-02-02')"
                   : "INSERT INTO a (id, code, kind, n, amount, flag, payload, at, day) VALUES "
                     "(1, 'c', 'x', 5, '2.25', 1, X'01', 1714557600000000, '2024-02-02')");
    exec_ok(db, "INSERT INTO b (id, a_id) VALUES (10, 1)");
    exec_ok(db, "UPDATE a SET b_id = 10");

    odd_v2(&e);
    assert_int_equal(mig_new(&e, "v2"), 0);
    assert_int_not_equal(mig_run(&e, "up", NULL, NULL), 0); /* text -> enum narrows */
    assert_int_equal(mig_run(&e, "up", "--allow-destructive", NULL), 0);
    CHECK(db, "(SELECT count(*) FROM a) = 1");
    CHECK(db, "(SELECT code FROM a WHERE id = 1) = 'c'");
    CHECK(db, "(SELECT kind FROM a WHERE id = 1) = 'x'");
    CHECK(db, "(SELECT n FROM a WHERE id = 1) = 5");
    CHECK(db, "(SELECT CAST(amount AS TEXT) FROM a WHERE id = 1) = '2.25'");
    CHECK(db, "(SELECT length(payload) FROM a WHERE id = 1) = 1");
    CHECK(db, "(SELECT day FROM a WHERE id = 1) = '2024-02-02'");
    CHECK(db, "(SELECT b_id FROM a WHERE id = 1) = 10");
    CHECK(db, "(SELECT a_id FROM b WHERE id = 10) = 1");
    exec_ok(db, "INSERT INTO a (code) VALUES ('d')"); /* identity + new defaults */
    CHECK(db, "(SELECT id FROM a WHERE code = 'd') = 2");
    CHECK(db, "(SELECT CAST(amount AS TEXT) FROM a WHERE code = 'd') = '2.50'");
    CHECK(db, "(SELECT length(payload) FROM a WHERE code = 'd') = 2");
    CHECK(db, "(SELECT count(*) FROM a WHERE code = 'd' AND at IS NOT NULL) = 1");
    FAILS(db, "INSERT INTO a (code, kind) VALUES ('e', 'z')"); /* enum */
    FAILS(db, "INSERT INTO a (code, kind) VALUES ('d', 'y')"); /* unique (code) */
    exec_ok(db, "DELETE FROM b");                               /* on_delete set_null */
    CHECK(db, "(SELECT b_id FROM a WHERE id = 1) IS NULL");
    same_as_fresh_fn(&e, odd_v2, "odd_fresh2");

    exec_ok(db, "DELETE FROM a WHERE code = 'd'");
    assert_int_equal(mig_run(&e, "down", "1", "--allow-destructive"), 0);
    CHECK(db, "(SELECT count(*) FROM a) = 1");
    CHECK(db, "(SELECT n FROM a WHERE id = 1) = 5");
    same_as_fresh_fn(&e, odd_v1, "odd_fresh1");
    dal_close(db);
}

static void test_odd_changes_sqlite(void **state)
{
    (void)state;
    odd_changes(false);
}

static void test_odd_changes_pg(void **state)
{
    (void)state;
    odd_changes(true);
}

/* `auto_update: now`: migrations add the trigger, keep it through a SQLite
 * rebuild of the table, and drop it (and PostgreSQL's function) again. */
static void auto_v(const eng *e, int v)
{
    sh("rm -f '%s'/schema/*.yaml", e->proj);
    char text[1024];
    snprintf(text, sizeof text,
             "table: t\n"
             "columns:\n"
             "  - { name: id, type: int64, primary_key: true }\n"
             "  - { name: n, type: int32, default: 0 }\n"
             "  - { name: at, type: timestamp, default: now%s }\n"
             "  - { name: day, type: date, nullable: true%s }\n"
             "%s",
             v >= 2 ? ", auto_update: now" : "", v >= 2 ? ", auto_update: now" : "",
             v >= 3 ? "  - { name: since, type: timestamp, default: now }\n" : "");
    write_schema(e, "t.yaml", text);
}

/* Sets t.at and t.day to old values, updates n, and checks whether they moved. */
static void auto_check(const eng *e, dal_db *db, bool moves)
{
    exec_ok(db, e->pg ? "UPDATE t SET at = '2000-01-01 00:00:00+00', day = '2000-01-01'"
                      : "UPDATE t SET at = 946684800000000, day = '2000-01-01'");
    exec_ok(db, "UPDATE t SET n = n + 1");
    const char *old = e->pg ? "'2000-01-01 00:00:00+00'" : "946684800000000";
    char cond[256];
    snprintf(cond, sizeof cond, "(SELECT at FROM t WHERE id = 1) %s %s", moves ? ">" : "=", old);
    CHECK(db, cond);
    snprintf(cond, sizeof cond, "(SELECT day FROM t WHERE id = 1) %s '2000-01-01'",
             moves ? ">" : "=");
    CHECK(db, cond);
}

static void auto_v3(const eng *e) { auto_v(e, 3); }

static void auto_update_mig(bool pg)
{
    eng e;
    eng_init(&e, pg, "autoupd");
    auto_v(&e, 1);
    assert_int_equal(mig_new(&e, "v1"), 0);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    dal_db *db = eng_open(&e);
    exec_ok(db, "INSERT INTO t (id) VALUES (1)");
    auto_check(&e, db, false);

    auto_v(&e, 2); /* the trigger */
    assert_int_equal(mig_new(&e, "v2"), 0);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    auto_check(&e, db, true);

    auto_v(&e, 3); /* a column with a non-constant default: SQLite rebuilds t */
    assert_int_equal(mig_new(&e, "v3"), 0);
    assert_int_equal(mig_run(&e, "up", NULL, NULL), 0);
    auto_check(&e, db, true);
    CHECK(db, pg ? "(SELECT count(*) FROM pg_trigger WHERE tgname = 't_at_auto_update') = 1"
                 : "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                   "name = 't_at_auto_update') = 1");
    same_as_fresh_fn(&e, auto_v3, "autoupd_fresh3");

    assert_int_equal(mig_run(&e, "down", "2", "--allow-destructive"), 0);
    auto_check(&e, db, false);
    CHECK(db, pg ? "(SELECT count(*) FROM pg_trigger WHERE tgname = 't_at_auto_update') = 0 AND "
                   "(SELECT count(*) FROM pg_proc WHERE proname = 't_at_auto_update') = 0"
                 : "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger') = 0");
    dal_close(db);
}

static void test_auto_update_sqlite(void **state)
{
    (void)state;
    auto_update_mig(false);
}

static void test_auto_update_pg(void **state)
{
    (void)state;
    auto_update_mig(true);
}

/* A migrator that cannot get the lock within lock_timeout_ms gives up with
 * DAL_BUSY and changes nothing. */
static void lock_timeout(bool pg)
{
    static const dal_migration migs[] = {
        {1, "a", "CREATE TABLE a (x integer);\n", "DROP TABLE a;\n",
         "CREATE TABLE a (x INTEGER);\n", "DROP TABLE a;\n"},
    };
    eng e;
    eng_init(&e, pg, "lock");
    char url[2100];
    snprintf(url, sizeof url, "%s%s", e.url, pg ? "" : "?busy_timeout=50");
    dal_db *holder = NULL, *db = NULL;
    must(holder, dal_open(url, &holder), "open");
    must(db, dal_open(url, &db), "open");
    if (pg)
        exec_ok(holder, "SELECT pg_advisory_lock(7233459834587965810)");
    else
        must(holder, dal_begin(holder), "begin");
    dal_migrate_opts o = {0};
    o.lock_timeout_ms = 300;
    o.progress = capture;
    g_progress[0] = '\0';
    assert_int_equal(dal_migrate_up(db, migs, 1, &o), DAL_BUSY);
    if (pg) {
        /* the waiting migrator names the backend holding the lock */
        exec_ok(holder, "CREATE TEMP TABLE me AS SELECT pg_backend_pid() AS pid");
        static const dal_query q = {"SELECT pid FROM me", 0};
        dal_stmt *st;
        must(holder, dal_stmt_start(holder, &q, &st), "pid");
        bool has = false;
        int64_t pid = 0;
        must(holder, dal_stmt_step(st, &has), "pid");
        must(holder, dal_col_int64(st, 0, &pid), "pid");
        dal_stmt_done(st);
        char want[64];
        snprintf(want, sizeof want, "backend pid %lld", (long long)pid);
        if (!strstr(dal_errmsg(db), want) || !strstr(g_progress, want) ||
            !strstr(dal_errmsg(db), "since"))
            fail_msg("lock holder not named: %s / %s", dal_errmsg(db), g_progress);
    }
    o.progress = NULL;
    if (pg)
        exec_ok(holder, "SELECT pg_advisory_unlock(7233459834587965810)");
    else
        must(holder, dal_rollback(holder), "rollback");
    must(db, dal_migrate_up(db, migs, 1, &o), "up after the lock was released");
    dal_close(holder);
    dal_close(db);
}

static void test_lock_timeout_sqlite(void **state)
{
    (void)state;
    lock_timeout(false);
}

static void test_lock_timeout_pg(void **state)
{
    (void)state;
    lock_timeout(true);
}


/* ---------------------------------------------------------------------- */
/* destructive migrations as a new user meets them                         */
/* ---------------------------------------------------------------------- */


/* up applies the safe migrations before a destructive one and stops there
 * (report names it); --dry-run shows the destructive SQL instead of
 * refusing; a destructive step on tables without rows applies without
 * approval (also when the table was renamed by the same migration). */
static void destructive_flow(bool pg)
{
    static const dal_migration migs[] = {
        {1, "t", "CREATE TABLE a (x integer);\nCREATE TABLE b (x integer);\n", "SELECT 1;\n",
         "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (x INTEGER);\n", "SELECT 1;\n"},
        {2, "safe", "CREATE TABLE c (x integer, y integer);\n", "DROP TABLE c;\n",
         "CREATE TABLE c (x INTEGER, y INTEGER);\n", "DROP TABLE c;\n"},
        {3, "drop_b", "-- destructive: drop table b\nDROP TABLE \"b\";\n",
         "CREATE TABLE b (x integer);\n", "-- destructive: drop table b\nDROP TABLE \"b\";\n",
         "CREATE TABLE b (x INTEGER);\n"},
        {4, "after", "CREATE TABLE e (x integer);\n", "DROP TABLE e;\n",
         "CREATE TABLE e (x INTEGER);\n", "DROP TABLE e;\n"},
        {5, "rename_drop",
         "ALTER TABLE \"c\" RENAME TO \"d\";\n-- destructive: drop column d.y\n"
         "ALTER TABLE \"d\" DROP COLUMN \"y\";\n",
         "SELECT 1;\n",
         "ALTER TABLE \"c\" RENAME TO \"d\";\n-- destructive: drop column d.y\n"
         "ALTER TABLE \"d\" DROP COLUMN \"y\";\n",
         "SELECT 1;\n"},
    };
    eng e;
    eng_init(&e, pg, "destr");
    dal_db *db = eng_open(&e);
    dal_migrate_report rep = {0, 0};
    dal_migrate_opts o = {0};
    o.report = &rep;
    o.target = 1;
    must(db, dal_migrate_up(db, migs, 5, &o), "up to 1");
    exec_ok(db, "INSERT INTO b VALUES (1)");
    o.target = 0;
    /* stops at 0003 (b holds a row) after applying 0002 */
    assert_int_equal(dal_migrate_up(db, migs, 5, &o), DAL_MISUSE);
    assert_non_null(strstr(dal_errmsg(db), "destructive"));
    assert_non_null(strstr(dal_errmsg(db), "0003_drop_b"));
    assert_int_equal(rep.refused_version, 3);
    assert_int_equal(rep.done, 1);
    dal_migration_state st[5];
    must(db, dal_migrate_status(db, migs, 5, st, NULL), "status");
    assert_true(st[1].applied);
    assert_false(st[2].applied);
    assert_false(st[3].applied);
    exec_ok(db, "SELECT * FROM b");
    /* dry run: the destructive SQL is shown, nothing changes */
    g_progress[0] = '\0';
    o.dry_run = true;
    o.progress = capture;
    must(db, dal_migrate_up(db, migs, 5, &o), "dry run");
    assert_non_null(strstr(g_progress, "DROP TABLE \"b\""));
    assert_non_null(strstr(g_progress, "would apply 0003_drop_b (destructive"));
    assert_non_null(strstr(g_progress, "would apply 0004_after"));
    must(db, dal_migrate_status(db, migs, 5, st, NULL), "status");
    assert_false(st[2].applied);
    o.dry_run = false;
    o.progress = NULL;
    /* 0005 renames c (with a row) to d and drops a column of it: refused */
    exec_ok(db, "INSERT INTO c VALUES (1, 2)");
    exec_ok(db, "DELETE FROM b");
    assert_int_equal(dal_migrate_up(db, migs, 5, &o), DAL_MISUSE);
    assert_int_equal(rep.refused_version, 5);
    assert_non_null(strstr(dal_errmsg(db), "table c holds rows"));
    must(db, dal_migrate_status(db, migs, 5, st, NULL), "status");
    assert_true(st[2].applied); /* b was empty: no approval needed */
    assert_true(st[3].applied);
    assert_false(st[4].applied);
    FAILS(db, "SELECT * FROM b");
    exec_ok(db, "DELETE FROM c");
    must(db, dal_migrate_up(db, migs, 5, &o), "up: c is empty now");
    assert_int_equal(rep.refused_version, 0);
    exec_ok(db, "SELECT x FROM d");
    FAILS(db, "SELECT y FROM d");
    dal_close(db);
}

static void test_destructive_flow_sqlite(void **state)
{
    (void)state;
    destructive_flow(false);
}

static void test_destructive_flow_pg(void **state)
{
    (void)state;
    destructive_flow(true);
}

/* repair: an edit without effect is accepted (checksum updated), one that
 * changes the schema is refused, and so is a database with a table no
 * migration made; the scratch schema leaves nothing behind. */
static void repair_api(bool pg)
{
    eng e;
    eng_init(&e, pg, "repair");
    dal_db *db = eng_open(&e);
    dal_migration m = {1, "a", "CREATE TABLE a (x integer);\n", "DROP TABLE a;\n",
                       "CREATE TABLE a (x INTEGER);\n", "DROP TABLE a;\n"};
    must(db, dal_migrate_up(db, &m, 1, NULL), "up");
    exec_ok(db, "INSERT INTO a VALUES (1)");
    dal_migration_state st;
    dal_migration note = m;
    note.up_pg = "-- a note\nCREATE TABLE a (\n    x integer\n);\n";
    note.up_sqlite = "-- a note\nCREATE TABLE a (\n    x INTEGER\n);\n";
    must(db, dal_migrate_status(db, &note, 1, &st, NULL), "status");
    assert_true(st.checksum_mismatch);
    dal_migrate_report rep = {0, 0};
    dal_migrate_opts o = {0};
    o.report = &rep;
    must(db, dal_migrate_repair(db, &note, 1, &o), "repair of a comment edit");
    assert_int_equal(rep.done, 1);
    must(db, dal_migrate_status(db, &note, 1, &st, NULL), "status");
    assert_false(st.checksum_mismatch);
    must(db, dal_migrate_up(db, &note, 1, NULL), "up after repair");
    CHECK(db, "(SELECT count(*) FROM a) = 1");
    dal_migration grown = m;
    grown.up_pg = "CREATE TABLE a (x integer, y integer);\n";
    grown.up_sqlite = "CREATE TABLE a (x INTEGER, y INTEGER);\n";
    assert_int_equal(dal_migrate_repair(db, &grown, 1, NULL), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "differs"));
    must(db, dal_migrate_status(db, &grown, 1, &st, NULL), "status");
    assert_true(st.checksum_mismatch);
    exec_ok(db, "CREATE TABLE handmade (x integer)");
    assert_int_equal(dal_migrate_repair(db, &m, 1, NULL), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "handmade"));
    exec_ok(db, "DROP TABLE handmade");
    must(db, dal_migrate_repair(db, &m, 1, NULL), "repair back to the original");
    must(db, dal_migrate_status(db, &m, 1, &st, NULL), "status");
    assert_false(st.checksum_mismatch);
    if (pg)
        CHECK(db, "(SELECT count(*) FROM pg_namespace WHERE nspname = 'dal_repair_scratch') = 0");
    CHECK(db, "(SELECT count(*) FROM a) = 1");
    dal_close(db);
}

static void test_repair_sqlite(void **state)
{
    (void)state;
    repair_api(false);
}

static void test_repair_pg(void **state)
{
    (void)state;
    repair_api(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runtime_api),
        cmocka_unit_test(test_evolution_sqlite),
        cmocka_unit_test(test_evolution_pg),
        cmocka_unit_test(test_create_vs_migrate_sqlite),
        cmocka_unit_test(test_create_vs_migrate_pg),
        cmocka_unit_test(test_evolved_vs_fresh_sqlite),
        cmocka_unit_test(test_evolved_vs_fresh_pg),
        cmocka_unit_test(test_concurrent_sqlite),
        cmocka_unit_test(test_concurrent_pg),
        cmocka_unit_test(test_killed_sqlite),
        cmocka_unit_test(test_killed_pg),
        cmocka_unit_test(test_odd_changes_sqlite),
        cmocka_unit_test(test_odd_changes_pg),
        cmocka_unit_test(test_auto_update_sqlite),
        cmocka_unit_test(test_auto_update_pg),
        cmocka_unit_test(test_lock_timeout_sqlite),
        cmocka_unit_test(test_lock_timeout_pg),
        cmocka_unit_test(test_baseline_sqlite),
        cmocka_unit_test(test_baseline_pg),
        cmocka_unit_test(test_destructive_flow_sqlite),
        cmocka_unit_test(test_destructive_flow_pg),
        cmocka_unit_test(test_repair_sqlite),
        cmocka_unit_test(test_repair_pg),
        cmocka_unit_test(test_startup_check_sqlite),
        cmocka_unit_test(test_startup_check_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
