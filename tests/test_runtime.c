/*
 * test_runtime.c - the runtime (runtime/dal.h) on both engines: every type
 * through dal_bind_* / dal_col_*, every status provoked for real,
 * transactions and savepoints, dal_transaction busy retry, stats/hooks/
 * logger, row descriptors (insert/upsert/batch/fetch, column sets past 64
 * columns, copy), unnamed statements,
 * invalid cached plans, password scrubbing, URL forms, bindings cleared
 * by dal_stmt_done.
 * Pool, threads and connection loss are in test_runtime_pool.c.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "dal.h"

typedef struct fx {
    dal_dialect engine;
    dal_db *db;
    char path[512];
} fx;

static fx FX_SQ = {DAL_SQLITE, NULL, ""};
static fx FX_PG = {DAL_POSTGRES, NULL, ""};
static int counter;

static void url_of(fx *f, char *buf, size_t n, const char *extra)
{
    if (f->engine == DAL_SQLITE)
        snprintf(buf, n, "sqlite:%s%s", f->path, extra ? extra : "");
    else
        snprintf(buf, n, "%s%s", test_pg_url(), extra ? extra : "");
}

static int setup(void **state)
{
    fx *f = *state;
    char name[64], url[1024];
    snprintf(name, sizeof name, "rt%d.db", ++counter);
    test_tmp_path(f->path, sizeof f->path, name);
    url_of(f, url, sizeof url, NULL);
    dal_status s = dal_open(url, &f->db);
    if (s != DAL_OK) {
        fprintf(stderr, "open %s: %s\n", url, dal_errmsg(f->db));
        dal_close(f->db);
        f->db = NULL;
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dal_close(f->db);
    f->db = NULL;
    return 0;
}

#define PG(f) ((f)->engine == DAL_POSTGRES)
#define OK(expr)                                                                                   \
    do {                                                                                           \
        dal_status s_ = (expr);                                                                    \
        if (s_ != DAL_OK)                                                                          \
            fprintf(stderr, "%s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #expr,                   \
                    dal_status_name(s_), dal_errmsg(f->db));                                       \
        assert_int_equal(s_, DAL_OK);                                                              \
    } while (0)

static void ddl(fx *f, const char *sq, const char *pg) { OK(dal_exec(f->db, PG(f) ? pg : sq)); }

static dal_time tm(int y, unsigned mo, unsigned d, int h, int mi, int s, int us)
{
    /* days from civil, independent of the runtime's */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000) + us;
}

/* ---------------------------------------------------------------------- */

static const dal_query Q_INS_TYPES = {
    "INSERT INTO rt_types (id, b, i16, i32, i64, f32, f64, dc, txt, js, bin, u, ts, d) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    14};
static const dal_query Q_SEL_TYPES = {
    "SELECT id, b, i16, i32, i64, f32, f64, dc, txt, js, bin, u, ts, d FROM rt_types "
    "WHERE id = $1",
    1};

typedef struct trow {
    bool b;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    const char *dec, *txt, *js;
    dal_bytes bin;
    const char *u;
    dal_time ts;
    dal_date d;
    bool null_scalars;
} trow;

static void put_row(fx *f, int id, const trow *r)
{
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &Q_INS_TYPES, &st));
    dal_bind_int32(st, 1, id);
    if (r->null_scalars) {
        for (int i = 2; i <= 7; i++)
            dal_bind_null(st, i);
        dal_bind_null(st, 13);
        dal_bind_null(st, 14);
    }
    else {
        dal_bind_bool(st, 2, r->b);
        dal_bind_int16(st, 3, r->i16);
        dal_bind_int32(st, 4, r->i32);
        dal_bind_int64(st, 5, r->i64);
        dal_bind_float32(st, 6, r->f32);
        dal_bind_float64(st, 7, r->f64);
        dal_bind_time(st, 13, r->ts);
        dal_bind_date(st, 14, r->d);
    }
    dal_bind_decimal(st, 8, r->dec);
    dal_bind_text(st, 9, r->txt);
    dal_bind_json(st, 10, r->js);
    dal_bind_bytes(st, 11, r->bin);
    dal_bind_uuid(st, 12, r->u);
    bool has;
    OK(dal_stmt_step(st, &has));
    assert_false(has);
    assert_int_equal(dal_stmt_changes(st), 1);
    dal_stmt_done(st);
}

static void check_text(dal_stmt *st, int col, const char *want)
{
    if (!want) {
        assert_true(dal_col_is_null(st, col));
        return;
    }
    assert_false(dal_col_is_null(st, col));
    const char *p;
    size_t n;
    assert_int_equal(dal_col_text(st, col, &p, &n), DAL_OK);
    assert_int_equal(n, strlen(want));
    assert_string_equal(p, want);
}

static void get_row(fx *f, int id, const trow *r, const char *json_want, const char *uuid_want)
{
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &Q_SEL_TYPES, &st));
    dal_bind_int32(st, 1, id);
    bool has;
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    if (r->null_scalars) {
        for (int c = 1; c <= 6; c++)
            assert_true(dal_col_is_null(st, c));
        assert_true(dal_col_is_null(st, 12));
        assert_true(dal_col_is_null(st, 13));
        bool b;
        assert_int_not_equal(dal_col_bool(st, 1, &b), DAL_OK);
    }
    else {
        bool b;
        int16_t i16;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        dal_time ts;
        dal_date d;
        OK(dal_col_bool(st, 1, &b));
        assert_int_equal(b, r->b);
        OK(dal_col_int16(st, 2, &i16));
        assert_int_equal(i16, r->i16);
        OK(dal_col_int32(st, 3, &i32));
        assert_int_equal(i32, r->i32);
        OK(dal_col_int64(st, 4, &i64));
        assert_true(i64 == r->i64);
        OK(dal_col_float32(st, 5, &f32));
        assert_memory_equal(&f32, &r->f32, sizeof f32);
        OK(dal_col_float64(st, 6, &f64));
        if (PG(f) || f64 != 0)
            assert_memory_equal(&f64, &r->f64, sizeof f64); /* bit-exact */
        else
            assert_true(f64 == r->f64);
        OK(dal_col_time(st, 12, &ts));
        assert_true(ts == r->ts);
        OK(dal_col_date(st, 13, &d));
        assert_int_equal(d, r->d);
    }
    check_text(st, 7, r->dec);
    check_text(st, 8, r->txt);
    check_text(st, 9, json_want ? json_want : r->js);
    if (!r->bin.data)
        assert_true(dal_col_is_null(st, 10));
    else {
        const unsigned char *p;
        size_t n;
        assert_false(dal_col_is_null(st, 10));
        OK(dal_col_bytes(st, 10, &p, &n));
        assert_non_null(p);
        assert_int_equal(n, r->bin.len);
        if (n)
            assert_memory_equal(p, r->bin.data, n);
    }
    if (!uuid_want)
        assert_true(dal_col_is_null(st, 11));
    else {
        char u[37];
        OK(dal_col_uuid(st, 11, u));
        assert_string_equal(u, uuid_want);
    }
    OK(dal_stmt_step(st, &has));
    assert_false(has);
    dal_stmt_done(st);
}

static void test_types(void **state)
{
    fx *f = *state;
    ddl(f,
        "DROP TABLE IF EXISTS rt_types; CREATE TABLE rt_types (id INTEGER PRIMARY KEY, b INTEGER, "
        "i16 INTEGER, i32 INTEGER, i64 INTEGER, f32 REAL, f64 REAL, dc TEXT, txt TEXT, js TEXT, "
        "bin BLOB, u TEXT, ts INTEGER, d TEXT)",
        "DROP TABLE IF EXISTS rt_types; CREATE TABLE rt_types (id int PRIMARY KEY, b boolean, "
        "i16 smallint, i32 integer, i64 bigint, f32 real, f64 double precision, dc numeric, "
        "txt text, js jsonb, bin bytea, u uuid, ts timestamptz, d date)");
    static unsigned char zeros[] = {0, 1, 0, 255, 0};
    trow maxr = {true, INT16_MAX, INT32_MAX, INT64_MAX, FLT_MAX, DBL_MAX,
                 "1234567890123456789012345.0123456789", "emoji \xF0\x9F\x98\x80 'q' \"dq\" back\\slash $1",
                 "{\"a\": [1, 2.5, \"x\"]}", {zeros, sizeof zeros},
                 "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", tm(9999, 12, 31, 23, 59, 59, 999999),
                 (dal_date)(tm(9999, 12, 31, 0, 0, 0, 0) / 86400000000LL), false};
    trow minr = {false, INT16_MIN, INT32_MIN, INT64_MIN, -FLT_MIN, -0.0,
                 "-0.000000000000000000000001", "", "[]", {(unsigned char *)"", 0},
                 "00000000-0000-0000-0000-000000000000", tm(1, 1, 1, 0, 0, 0, 0),
                 (dal_date)(tm(1, 1, 1, 0, 0, 0, 0) / 86400000000LL), false};
    trow mid = {true, -1, -1, -1, 0.1f, 0.1, "0.10", "x", "null", {zeros, 1},
                "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", -1, -1, false};
    trow nul = {0};
    nul.null_scalars = true;
    put_row(f, 1, &maxr);
    put_row(f, 2, &minr);
    put_row(f, 3, &mid);
    put_row(f, 4, &nul);
    get_row(f, 1, &maxr, PG(f) ? "{\"a\": [1, 2.5, \"x\"]}" : NULL,
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    get_row(f, 2, &minr, NULL, "00000000-0000-0000-0000-000000000000");
    get_row(f, 3, &mid, NULL, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    get_row(f, 4, &nul, NULL, NULL);
    if (PG(f)) {
        /* timestamps never shift with the session time zone, numeric exact */
        static const dal_query q = {"SELECT ts::text, d::text, $1::numeric, 'NaN'::numeric, "
                                    "'-Infinity'::numeric, 0::numeric, 1e30::numeric, "
                                    "'123.4500'::numeric(10,4) FROM rt_types WHERE id = 3",
                                    1};
        dal_stmt *st;
        OK(dal_stmt_start(f->db, &q, &st));
        dal_bind_decimal(st, 1, "-99999999999999999999.00000000000000000001");
        bool has;
        OK(dal_stmt_step(st, &has));
        assert_true(has);
        check_text(st, 0, "1969-12-31 23:59:59.999999+00");
        check_text(st, 1, "1969-12-31");
        check_text(st, 2, "-99999999999999999999.00000000000000000001");
        check_text(st, 3, "NaN");
        check_text(st, 4, "-Infinity");
        check_text(st, 5, "0");
        check_text(st, 6, "1000000000000000000000000000000");
        check_text(st, 7, "123.4500");
        dal_stmt_done(st);
    }
    /* $n inside a literal is not a parameter */
    static const dal_query ql = {"SELECT '$1' || $1, \"txt\" FROM rt_types WHERE id = $2", 2};
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &ql, &st));
    dal_bind_text(st, 1, "a");
    dal_bind_int64(st, 2, 3);
    bool has;
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    check_text(st, 0, "$1a");
    check_text(st, 1, "x");
    dal_stmt_done(st);
    /* bad uuid: remembered, returned by step */
    OK(dal_stmt_start(f->db, &Q_SEL_TYPES, &st));
    dal_bind_uuid(st, 1, "not-a-uuid");
    assert_int_equal(dal_stmt_step(st, &has), DAL_ERROR);
    dal_stmt_done(st);
}

/* ---------------------------------------------------------------------- */

static dal_status exec_q(fx *f, const dal_query *q, int64_t a, int64_t b)
{
    dal_stmt *st;
    dal_status s = dal_stmt_start(f->db, q, &st);
    if (s != DAL_OK)
        return s;
    if (q->nparams >= 1)
        dal_bind_int64(st, 1, a);
    if (q->nparams >= 2)
        dal_bind_int64(st, 2, b);
    bool has;
    s = dal_stmt_step(st, &has);
    dal_stmt_done(st);
    return s;
}

typedef struct dl_arg {
    dal_db *db;
    dal_status s;
    char msg[512];
} dl_arg;

static void *dl_thread(void *p)
{
    dl_arg *a = p;
    a->s = dal_exec(a->db, "UPDATE rt_parent SET v = 8 WHERE id = 9");
    snprintf(a->msg, sizeof a->msg, "%s", dal_errmsg(a->db));
    return NULL;
}

static void test_statuses(void **state)
{
    fx *f = *state;
    ddl(f,
        "DROP TABLE IF EXISTS rt_child; DROP TABLE IF EXISTS rt_parent;"
        "CREATE TABLE rt_parent (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CONSTRAINT v_pos "
        "CHECK (v > 0), u INTEGER UNIQUE);"
        "CREATE TABLE rt_child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES rt_parent(id))",
        "DROP TABLE IF EXISTS rt_child; DROP TABLE IF EXISTS rt_parent;"
        "CREATE TABLE rt_parent (id bigint PRIMARY KEY, v bigint NOT NULL CONSTRAINT v_pos "
        "CHECK (v > 0), u bigint UNIQUE);"
        "CREATE TABLE rt_child (id bigint PRIMARY KEY, p bigint REFERENCES rt_parent(id))");
    static const dal_query ins = {"INSERT INTO rt_parent (id, v) VALUES ($1, $2)", 2};
    static const dal_query insu = {"INSERT INTO rt_parent (id, v, u) VALUES ($1, 1, $2)", 2};
    static const dal_query insc = {"INSERT INTO rt_child (id, p) VALUES ($1, $2)", 2};
    static const dal_query insn = {"INSERT INTO rt_parent (id, v) VALUES ($1, NULL)", 1};
    OK(exec_q(f, &ins, 1, 1));
    assert_int_equal(exec_q(f, &ins, 1, 1), DAL_DUPLICATE);
    assert_non_null(strstr(dal_errmsg(f->db), PG(f) ? "rt_parent_pkey" : "rt_parent.id"));
    OK(exec_q(f, &insu, 2, 7));
    assert_int_equal(exec_q(f, &insu, 3, 7), DAL_DUPLICATE);
    assert_int_equal(exec_q(f, &insc, 1, 99), DAL_FOREIGN_KEY);
    if (PG(f))
        assert_non_null(strstr(dal_errmsg(f->db), "rt_child_p_fkey"));
    assert_int_equal(exec_q(f, &ins, 4, -5), DAL_CHECK);
    assert_non_null(strstr(dal_errmsg(f->db), "v_pos"));
    assert_int_equal(exec_q(f, &insn, 5, 0), DAL_NOT_NULL);
    assert_non_null(strstr(dal_errmsg(f->db), "v"));
    /* error, misuse */
    assert_int_equal(dal_exec(f->db, "SELEC nonsense"), DAL_ERROR);
    assert_true(strlen(dal_errmsg(f->db)) > 0);
    assert_int_equal(dal_commit(f->db), DAL_MISUSE);
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &ins, &st));
    dal_bind_int64(st, 3, 1);
    bool has;
    assert_int_equal(dal_stmt_step(st, &has), DAL_MISUSE);
    dal_stmt_done(st);
    static const dal_query none = {"SELECT id FROM rt_parent WHERE id = $1", 1};
    assert_int_equal(exec_q(f, &none, 42, 0), DAL_OK);
    OK(exec_q(f, &none, 1, 0));
    assert_string_equal(dal_errmsg(f->db), "");
    /* not found through fetch_one */
    static const dal_column cols[] = {{"id", DAL_T_INT64, DAL_COL_PK, 0, DAL_NO_HAS, NULL, 0}};
    struct {
        int64_t id;
        void *dal_mem_;
    } row;
    static const dal_table t = {"rt_parent", sizeof row, sizeof(int64_t), cols, 1};
    OK(dal_stmt_start(f->db, &none, &st));
    dal_bind_int64(st, 1, 42);
    assert_int_equal(dal_fetch_one(st, &t, &row), DAL_NOT_FOUND);
    OK(dal_stmt_start(f->db, &none, &st));
    dal_bind_int64(st, 1, 1);
    OK(dal_fetch_one(st, &t, &row));
    assert_int_equal(row.id, 1);
    dal_row_free(&t, &row);
    /* conn */
    dal_db *bad = NULL;
    char url[600];
    if (PG(f))
        snprintf(url, sizeof url, "postgresql:///postgres?host=/nonexistent-dir&user=x");
    else
        snprintf(url, sizeof url, "sqlite:/nonexistent-dir/x.db");
    assert_int_equal(dal_open(url, &bad), DAL_CONN);
    assert_true(strlen(dal_errmsg(bad)) > 0);
    dal_close(bad);
    /* busy: a second connection waits for a lock held by the first */
    dal_db *other = NULL;
    url_of(f, url, sizeof url, PG(f) ? "" : "?busy_timeout=20");
    assert_int_equal(dal_open(url, &other), DAL_OK);
    OK(dal_begin(f->db));
    OK(dal_exec(f->db, "UPDATE rt_parent SET v = 2 WHERE id = 1"));
    if (PG(f)) {
        assert_int_equal(dal_exec(other, "SET lock_timeout = '20ms'"), DAL_OK);
        assert_int_equal(dal_exec(other, "UPDATE rt_parent SET v = 3 WHERE id = 1"), DAL_BUSY);
        assert_non_null(strstr(dal_errmsg(other), "55P03"));
    }
    else {
        assert_int_equal(dal_begin(other), DAL_BUSY);
        assert_int_equal(dal_tx_depth(other), 0);
    }
    OK(dal_rollback(f->db));
    if (PG(f)) {
        /* serialization failure (40001) and statement timeout (57014) */
        assert_int_equal(dal_exec(f->db, "BEGIN ISOLATION LEVEL REPEATABLE READ; "
                                         "SELECT * FROM rt_parent"),
                         DAL_OK);
        assert_int_equal(dal_exec(other, "UPDATE rt_parent SET v = 5 WHERE id = 1"), DAL_OK);
        assert_int_equal(dal_exec(f->db, "UPDATE rt_parent SET v = 6 WHERE id = 1"), DAL_BUSY);
        assert_non_null(strstr(dal_errmsg(f->db), "40001"));
        OK(dal_exec(f->db, "ROLLBACK"));
        assert_int_equal(dal_exec(other, "SET statement_timeout = '10ms'"), DAL_OK);
        assert_int_equal(dal_exec(other, "SELECT pg_sleep(2)"), DAL_BUSY);
        assert_non_null(strstr(dal_errmsg(other), "57014"));
        /* deadlock (40P01) */
        assert_int_equal(dal_exec(other, "SET statement_timeout = 0; SET lock_timeout = 0; SET deadlock_timeout = '50ms'"),
                         DAL_OK);
        OK(dal_exec(f->db, "SET deadlock_timeout = '50ms'; INSERT INTO rt_parent (id, v) VALUES (9, 1)"));
        OK(dal_begin(f->db));
        OK(dal_exec(f->db, "UPDATE rt_parent SET v = 7 WHERE id = 1"));
        assert_int_equal(dal_begin(other), DAL_OK);
        assert_int_equal(dal_exec(other, "UPDATE rt_parent SET v = 7 WHERE id = 9"), DAL_OK);
        dl_arg a = {f->db, DAL_OK, ""};
        pthread_t th;
        pthread_create(&th, NULL, dl_thread, &a);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        dal_status sb = dal_exec(other, "UPDATE rt_parent SET v = 8 WHERE id = 1");
        char bmsg[512];
        snprintf(bmsg, sizeof bmsg, "%s", dal_errmsg(other));
        if (sb != DAL_OK)
            assert_int_equal(dal_rollback(other), DAL_OK); /* lets the thread go on */
        pthread_join(th, NULL);
        assert_true((sb == DAL_BUSY) != (a.s == DAL_BUSY)); /* exactly one victim */
        if (!strstr(sb == DAL_BUSY ? bmsg : a.msg, "40P01"))
            fprintf(stderr, "deadlock: [%s] [%s]\n", bmsg, a.msg);
        assert_non_null(strstr(sb == DAL_BUSY ? bmsg : a.msg, "40P01"));
        dal_rollback(f->db);
        if (dal_tx_depth(other) > 0)
            dal_rollback(other);
    }
    else {
        /* out of memory, for real: a hard heap limit */
        sqlite3_int64 old = sqlite3_hard_heap_limit64(-1);
        sqlite3_hard_heap_limit64(8 * 1024 * 1024);
        assert_int_equal(dal_exec(f->db, "SELECT randomblob(50000000)"), DAL_NOMEM);
        sqlite3_hard_heap_limit64(old);
        assert_int_equal(dal_exec(f->db, "SELECT randomblob(10)"), DAL_OK);
        /* misuse from the engine: a parameter index out of range */
        static const dal_query q1 = {"SELECT $1", 1};
        dal_stmt *st1;
        OK(dal_stmt_start(f->db, &q1, &st1));
        dal_bind_int64(st1, 1, 1);
        bool h1;
        OK(dal_stmt_step(st1, &h1));
        dal_stmt_done(st1);
    }
    dal_close(other);
}

/* ---------------------------------------------------------------------- */

static int64_t count_rows(fx *f, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    dal_query q = {sql, 0};
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &q, &st));
    bool has;
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    int64_t n;
    OK(dal_col_int64(st, 0, &n));
    dal_stmt_done(st);
    return n;
}

static dal_status tx_fail_twice(dal_db *db, void *ctx)
{
    int *n = ctx;
    (*n)++;
    dal_status s = dal_exec(db, "INSERT INTO rt_tx (id) VALUES (100)");
    if (s != DAL_OK)
        return s;
    return *n <= 2 ? dal_set_error(db, DAL_BUSY, "simulated busy") : DAL_OK;
}

static dal_status tx_dup(dal_db *db, void *ctx)
{
    (void)ctx;
    dal_status s = dal_exec(db, "INSERT INTO rt_tx (id) VALUES (200)");
    if (s != DAL_OK)
        return s;
    return dal_exec(db, "INSERT INTO rt_tx (id) VALUES (200)");
}

typedef struct holder {
    char url[600];
    int hold_ms;
    bool pg;
    volatile int locked;
} holder;

static void *hold_lock(void *arg)
{
    holder *h = arg;
    dal_db *db = NULL;
    if (dal_open(h->url, &db) != DAL_OK) {
        h->locked = -1;
        dal_close(db);
        return NULL;
    }
    dal_begin(db);
    dal_exec(db, "UPDATE rt_tx SET id = id WHERE id = 1");
    h->locked = 1;
    struct timespec ts = {0, (long)h->hold_ms * 1000000L};
    nanosleep(&ts, NULL);
    dal_commit(db);
    dal_close(db);
    return NULL;
}

static dal_status tx_update(dal_db *db, void *ctx)
{
    int *n = ctx;
    (*n)++;
    return dal_exec(db, "UPDATE rt_tx SET id = 1 WHERE id = 1");
}

static dal_status tx_leaves_open(dal_db *db, void *ctx)
{
    (void)ctx;
    dal_status s = dal_begin(db);
    if (s == DAL_OK)
        s = dal_exec(db, "INSERT INTO rt_tx (id) VALUES (300)");
    return s;
}

static void test_transactions(void **state)
{
    fx *f = *state;
    ddl(f, "DROP TABLE IF EXISTS rt_tx; CREATE TABLE rt_tx (id INTEGER PRIMARY KEY)",
        "DROP TABLE IF EXISTS rt_tx; CREATE TABLE rt_tx (id int PRIMARY KEY)");
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (1)"));
    assert_int_equal(dal_tx_depth(f->db), 0);
    OK(dal_begin(f->db));
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (2)"));
    OK(dal_begin(f->db));
    assert_int_equal(dal_tx_depth(f->db), 2);
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (3)"));
    assert_int_equal(dal_exec(f->db, "INSERT INTO rt_tx VALUES (3)"), DAL_DUPLICATE);
    OK(dal_rollback(f->db)); /* savepoint: 3 gone, 2 stays, tx usable again */
    OK(dal_begin(f->db));
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (4)"));
    OK(dal_commit(f->db));
    OK(dal_commit(f->db));
    assert_int_equal(dal_tx_depth(f->db), 0);
    assert_int_equal(count_rows(f, "rt_tx"), 3);
    OK(dal_begin(f->db));
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (5)"));
    OK(dal_rollback(f->db));
    assert_int_equal(count_rows(f, "rt_tx"), 3);
    assert_int_equal(dal_rollback(f->db), DAL_MISUSE);
    /* a failed statement inside: PostgreSQL aborts the transaction, and its
     * COMMIT must not pass for a success */
    OK(dal_begin(f->db));
    OK(dal_exec(f->db, "INSERT INTO rt_tx VALUES (6)"));
    assert_int_equal(dal_exec(f->db, "INSERT INTO rt_tx VALUES (6)"), DAL_DUPLICATE);
    if (PG(f)) {
        assert_int_equal(dal_commit(f->db), DAL_ERROR);
        assert_non_null(strstr(dal_errmsg(f->db), "rolled back"));
        assert_int_equal(count_rows(f, "rt_tx"), 3);
    }
    else {
        OK(dal_commit(f->db)); /* SQLite: only the failed statement is undone */
        OK(dal_exec(f->db, "DELETE FROM rt_tx WHERE id = 6"));
    }
    assert_int_equal(dal_tx_depth(f->db), 0);

    /* dal_transaction: retried on DAL_BUSY, rolled back each time */
    int n = 0;
    OK(dal_transaction(f->db, tx_fail_twice, &n));
    assert_int_equal(n, 3);
    assert_int_equal(count_rows(f, "rt_tx"), 4);
    dal_set_busy_retries(f->db, 1);
    n = -10;
    assert_int_equal(dal_transaction(f->db, tx_fail_twice, &n), DAL_DUPLICATE);
    dal_set_busy_retries(f->db, 0);
    OK(dal_exec(f->db, "DELETE FROM rt_tx WHERE id = 100"));
    n = 0;
    assert_int_equal(dal_transaction(f->db, tx_fail_twice, &n), DAL_BUSY);
    assert_int_equal(n, 1);
    assert_int_equal(dal_tx_depth(f->db), 0);
    assert_int_equal(dal_transaction(f->db, tx_leaves_open, NULL), DAL_MISUSE);
    assert_int_equal(dal_tx_depth(f->db), 0);
    assert_int_equal(dal_transaction(f->db, tx_dup, NULL), DAL_DUPLICATE);
    assert_int_equal(count_rows(f, "rt_tx"), 3);
    assert_int_equal(dal_tx_depth(f->db), 0);

    /* real busy: another connection holds the lock for 150 ms */
    holder h = {.hold_ms = 150, .pg = PG(f)};
    url_of(f, h.url, sizeof h.url, NULL);
    dal_db *db2 = NULL;
    char url[700];
    url_of(f, url, sizeof url, PG(f) ? "" : "?busy_timeout=5");
    OK(dal_open(url, &db2));
    if (PG(f))
        assert_int_equal(dal_exec(db2, "SET lock_timeout = '5ms'"), DAL_OK);
    pthread_t th;
    pthread_create(&th, NULL, hold_lock, &h);
    while (h.locked == 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(h.locked, 1);
    dal_set_busy_retries(db2, 12);
    n = 0;
    dal_status s = dal_transaction(db2, tx_update, &n);
    if (s != DAL_OK)
        fprintf(stderr, "busy retry: %s\n", dal_errmsg(db2));
    assert_int_equal(s, DAL_OK);
    if (PG(f))
        assert_true(n >= 2); /* SQLite fails at BEGIN IMMEDIATE, before fn */
    pthread_join(th, NULL);
    dal_close(db2);
}

/* ---------------------------------------------------------------------- */

typedef struct seen {
    int slow, debug, error, info;
    char last_sql[256];
} seen;

static void on_slow(void *ctx, const char *sql, uint64_t us)
{
    seen *s = ctx;
    (void)us;
    s->slow++;
    snprintf(s->last_sql, sizeof s->last_sql, "%s", sql);
}

static void on_log(void *ctx, dal_log_level lvl, const char *msg)
{
    seen *s = ctx;
    assert_non_null(msg);
    if (lvl == DAL_LOG_DEBUG)
        s->debug++;
    else if (lvl == DAL_LOG_ERROR)
        s->error++;
    else
        s->info++;
}

static void test_observability(void **state)
{
    fx *f = *state;
    seen sn = {0};
    dal_reset_stats(f->db);
    dal_set_slow_hook(f->db, 0, on_slow, &sn);
    dal_set_logger(f->db, on_log, &sn);
    static const dal_query q = {"SELECT $1 + 1", 1};
    assert_int_equal(exec_q(f, &q, 1, 0), DAL_OK);
    assert_int_equal(exec_q(f, &q, 2, 0), DAL_OK);
    assert_int_equal(dal_exec(f->db, "SELECT nope FROM nowhere"), DAL_ERROR);
    dal_stats st;
    dal_get_stats(f->db, &st);
    assert_int_equal(st.queries, 3);
    assert_int_equal(st.errors, 1);
    assert_true(st.total_us >= st.max_us);
    assert_int_equal(sn.slow, 3);
    assert_string_equal(sn.last_sql, "SELECT nope FROM nowhere");
    assert_int_equal(sn.debug, 3);
    assert_int_equal(sn.error, 1);
    /* a high threshold: no calls; NULL hooks turn them off */
    dal_set_slow_hook(f->db, 60u * 1000000u, on_slow, &sn);
    assert_int_equal(exec_q(f, &q, 1, 0), DAL_OK);
    assert_int_equal(sn.slow, 3);
    dal_set_slow_hook(f->db, 0, NULL, NULL);
    dal_set_logger(f->db, NULL, NULL);
    assert_int_equal(exec_q(f, &q, 1, 0), DAL_OK);
    assert_int_equal(sn.debug, 4);
    dal_reset_stats(f->db);
    dal_get_stats(f->db, &st);
    assert_int_equal(st.queries, 0);
}

/* Without a slow hook one execution in 16 is timed (its time counted 16
 * times): every execution is still counted, and the estimate stays coherent. */
static void test_sampled_timing(void **state)
{
    fx *f = *state;
    dal_reset_stats(f->db);
    static const dal_query q = {"SELECT $1 + 1", 1};
    for (int i = 0; i < 40; i++)
        OK(exec_q(f, &q, i, 0));
    static const dal_query none = {"SELECT 1 WHERE 1 = 0", 0};
    for (int i = 0; i < 40; i++) {
        dal_stmt *st;
        OK(dal_stmt_start(f->db, &none, &st));
        assert_int_equal(dal_stmt_exec(st, NULL), DAL_OK);
    }
    dal_stats st;
    dal_get_stats(f->db, &st);
    assert_int_equal(st.queries, 80);
    assert_int_equal(st.errors, 0);
    assert_true(st.total_us >= st.max_us);
    /* a slow hook switches to timing every execution */
    seen sn = {0};
    dal_set_slow_hook(f->db, 0, on_slow, &sn);
    for (int i = 0; i < 5; i++)
        OK(exec_q(f, &q, i, 0));
    assert_int_equal(sn.slow, 5);
    dal_set_slow_hook(f->db, 0, NULL, NULL);
}

/* Regression (review of the row-step fast paths): a successful row step
 * clears the last error, as every successful call does; dal_set_error
 * reports errors to the logger like the runtime's own errors. */
static void test_row_step_clears_error(void **state)
{
    fx *f = *state;
    ddl(f, "DROP TABLE IF EXISTS rt_three; CREATE TABLE rt_three (v INTEGER NOT NULL);"
           "INSERT INTO rt_three VALUES (1), (2), (3)",
        "DROP TABLE IF EXISTS rt_three; CREATE TABLE rt_three (v integer NOT NULL);"
        "INSERT INTO rt_three VALUES (1), (2), (3)");
    static const dal_query q = {"SELECT v FROM rt_three ORDER BY v", 0};
    for (int stream = 0; stream < 2; stream++) {
        for (int i = 0; i < 40; i++) { /* timed and untimed executions alike */
            dal_stmt *st;
            OK(dal_stmt_start(f->db, &q, &st));
            if (stream)
                dal_stmt_stream(st);
            bool has = false;
            int64_t v = 0, sum = 0;
            OK(dal_stmt_step(st, &has));
            while (has) {
                OK(dal_col_int64(st, 0, &v));
                sum += v;
                assert_int_equal(dal_set_error(f->db, DAL_NOT_FOUND, "stale"), DAL_NOT_FOUND);
                OK(dal_stmt_step(st, &has));
                assert_string_equal(dal_errmsg(f->db), "");
            }
            assert_int_equal(sum, 6);
            dal_stmt_done(st);
        }
    }
    seen sn = {0};
    dal_set_logger(f->db, on_log, &sn);
    assert_int_equal(dal_set_error(f->db, DAL_MISUSE, "boom"), DAL_MISUSE);
    assert_int_equal(dal_set_error(f->db, DAL_NOT_FOUND, "no row"), DAL_NOT_FOUND);
    dal_set_logger(f->db, NULL, NULL);
    assert_int_equal(sn.error, 1);
}

/* dal_fetch_one_with runs a SQLite statement in one step (dal__sq_once):
 * its row, no row, a bind error and an engine error must all leave the
 * statement reusable, like the generic path does on PostgreSQL. */
static dal_status read_two(dal_stmt *st, void *row)
{
    int64_t *v = row;
    dal_status s = dal_col_int64(st, 0, &v[0]);
    return s != DAL_OK ? s : dal_col_int64(st, 1, &v[1]);
}

/* dal_fetch_all_values: the runtime fetches each row's values (SQLite: in
 * its own row loop) and hands them to the decoder. */
typedef struct wide_row {
    int64_t sum;
    int64_t first;
    void *dal_mem_;
} wide_row;

static dal_status sum_values(dal_stmt *st, dal_value *v, void *out)
{
    wide_row *r = out;
    (void)st;
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 40; i++) {
        if (v[i].kind != DAL_V_INT)
            return DAL_ERROR;
        r->sum += v[i].i;
    }
    r->first = v[0].i;
    return r->first == 13 ? DAL_CHECK : DAL_OK; /* a decoder's refusal mid-list */
}

/* q started with its three parameters bound to a, b, c. */
static dal_stmt *start3(fx *f, const dal_query *q, int64_t a, int64_t b, int64_t c)
{
    dal_stmt *st;
    OK(dal_stmt_start(f->db, q, &st));
    dal_bind_int64(st, 1, a);
    dal_bind_int64(st, 2, b);
    dal_bind_int64(st, 3, c);
    return st;
}

static void test_fetch_all_values(void **state)
{
    fx *f = *state;
    /* 40 columns: more than the runtime keeps on its stack */
    static dal_column cols[40];
    for (int i = 0; i < 40; i++)
        cols[i] = (dal_column){.name = "c", .type = DAL_T_INT64, .has_offset = DAL_NO_HAS};
    const dal_table t = {"wide", sizeof(wide_row), offsetof(wide_row, dal_mem_), cols, 40};
    char sql[1024];
    int len = snprintf(sql, sizeof sql, "SELECT n");
    for (int i = 1; i < 40; i++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, ", n * %d", i + 1);
    snprintf(sql + len, sizeof sql - (size_t)len,
             " FROM (SELECT CAST($1 AS bigint) AS n UNION ALL SELECT CAST($2 AS bigint)"
             " UNION ALL SELECT CAST($3 AS bigint)) AS x ORDER BY n");
    dal_query q = {sql, 3};
    dal_stmt *st;
    void *items = NULL;
    size_t n = 0;
    st = start3(f, &q, 1, 2, 3);
    OK(dal_fetch_all_values(st, &t, sum_values, 1, &items, &n));
    assert_int_equal(n, 3);
    wide_row *rows = items;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(rows[k].first, k + 1);
        assert_int_equal(rows[k].sum, (k + 1) * 820); /* 1 + 2 + ... + 40 */
    }
    free(items);
    /* the decoder refuses the second row: nothing is returned */
    items = NULL;
    n = 7;
    st = start3(f, &q, 1, 13, 20);
    assert_int_equal(dal_fetch_all_values(st, &t, sum_values, 0, &items, &n), DAL_CHECK);
    assert_null(items);
    assert_int_equal(n, 7);
    /* more values asked than the row has */
    static const dal_query two = {"SELECT 1, 2", 0};
    OK(dal_stmt_start(f->db, &two, &st));
    assert_int_equal(dal_fetch_all_values(st, &t, sum_values, 0, &items, &n), DAL_MISUSE);
    assert_null(items);
    /* no decoder */
    OK(dal_stmt_start(f->db, &two, &st));
    assert_int_equal(dal_fetch_all_values(st, &t, NULL, 0, &items, &n), DAL_MISUSE);
    assert_int_equal(dal_fetch_all_values(NULL, &t, sum_values, 0, &items, &n), DAL_MISUSE);
    /* the statement is reusable after each of them */
    st = start3(f, &q, 4, 5, 6);
    OK(dal_fetch_all_values(st, &t, sum_values, 0, &items, &n));
    assert_int_equal(n, 3);
    assert_int_equal(((wide_row *)items)[2].sum, 6 * 820);
    free(items);
    /* streamed (PostgreSQL: a result per row): the same rows, the same refusal */
    st = start3(f, &q, 7, 8, 9);
    dal_stmt_stream(st);
    OK(dal_fetch_all_values(st, &t, sum_values, 0, &items, &n));
    assert_int_equal(n, 3);
    assert_int_equal(((wide_row *)items)[1].sum, 8 * 820);
    free(items);
    items = NULL;
    n = 7;
    st = start3(f, &q, 1, 13, 20);
    dal_stmt_stream(st);
    assert_int_equal(dal_fetch_all_values(st, &t, sum_values, 0, &items, &n), DAL_CHECK);
    assert_null(items);
    assert_int_equal(n, 7);
    OK(dal_exec(f->db, "SELECT 1")); /* the stream was ended */
}

static void test_fetch_one_with(void **state)
{
    fx *f = *state;
    static const dal_query q = {"SELECT $1 + 1, $2 * 2 WHERE $1 > 0", 2};
    static const dal_query bad = {"SELECT abs(CAST($1 AS bigint)), 0", 1};
    dal_stmt *st;
    int64_t v[2] = {0, 0};
    assert_ptr_equal(dal_stmt_db(NULL), NULL);
    /* the engine's own handle */
    assert_null(dal_native_handle(NULL));
    void *h = dal_native_handle(f->db);
    assert_non_null(h);
    if (PG(f))
        assert_int_equal(PQstatus((PGconn *)h), CONNECTION_OK);
    else
        assert_int_equal(sqlite3_get_autocommit((sqlite3 *)h), 1);
    for (int round = 0; round < 2; round++) {
        OK(dal_stmt_start(f->db, &q, &st));
        assert_ptr_equal(dal_stmt_db(st), f->db);
        dal_bind_int64(st, 1, 41);
        dal_bind_int64(st, 2, 21);
        OK(dal_fetch_one_with(st, NULL, read_two, v));
        assert_int_equal(v[0], 42);
        assert_int_equal(v[1], 42);
        assert_string_equal(dal_errmsg(f->db), "");
        OK(dal_stmt_start(f->db, &q, &st));
        dal_bind_int64(st, 1, -1);
        dal_bind_int64(st, 2, 0);
        assert_int_equal(dal_fetch_one_with(st, NULL, read_two, v), DAL_NOT_FOUND);
        OK(dal_stmt_start(f->db, &q, &st));
        dal_bind_int64(st, 3, 1); /* out of range: reported by the fetch */
        assert_int_equal(dal_fetch_one_with(st, NULL, read_two, v), DAL_MISUSE);
        assert_non_null(strstr(dal_errmsg(f->db), "parameter 3"));
    }
    /* an error raised by the engine while stepping (integer overflow) */
    OK(dal_stmt_start(f->db, &bad, &st));
    dal_bind_int64(st, 1, INT64_MIN);
    assert_int_equal(dal_fetch_one_with(st, NULL, read_two, v), DAL_ERROR);
    assert_string_not_equal(dal_errmsg(f->db), "");
    OK(dal_stmt_start(f->db, &q, &st));
    dal_bind_int64(st, 1, 1);
    dal_bind_int64(st, 2, 5);
    OK(dal_fetch_one_with(st, NULL, read_two, v));
    assert_int_equal(v[1], 10);
    /* a bind in the middle of an execution: SQLite refuses it (reported at
     * the next step, not lost by the binds' fast path); PostgreSQL has
     * already sent the parameters and keeps the new value for next time */
    bool has = false;
    OK(dal_stmt_start(f->db, &q, &st));
    dal_bind_int64(st, 1, 1);
    dal_bind_int64(st, 2, 5);
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    dal_bind_int64(st, 2, 6);
    dal_status s = dal_stmt_step(st, &has);
    if (PG(f))
        assert_int_equal(s, DAL_OK);
    else
        assert_int_equal(s, DAL_MISUSE);
    dal_stmt_done(st);
}

/* ---------------------------------------------------------------------- */

typedef enum color { COLOR_RED, COLOR_GREEN, COLOR_BLUE } color;
static const char *const color_names[] = {"red", "green", "blue"};

typedef struct item {
    int64_t id;
    char *name;
    bool has_qty;
    int32_t qty;
    color c;
    dal_bytes blob;
    char ref[37];
    dal_time at;
    char *price;
    void *dal_mem_;
} item;

static const dal_column item_cols[] = {
    {"id", DAL_T_INT64, DAL_COL_PK | DAL_COL_DEFAULT | DAL_COL_IDENTITY, offsetof(item, id),
     DAL_NO_HAS, NULL, 0},
    {"name", DAL_T_TEXT, 0, offsetof(item, name), DAL_NO_HAS, NULL, 0},
    {"qty", DAL_T_INT32, DAL_COL_NULLABLE, offsetof(item, qty), offsetof(item, has_qty), NULL, 0},
    {"c", DAL_T_ENUM, DAL_COL_DEFAULT, offsetof(item, c), DAL_NO_HAS, color_names, 3},
    {"blob", DAL_T_BYTES, DAL_COL_NULLABLE, offsetof(item, blob), DAL_NO_HAS, NULL, 0},
    {"ref", DAL_T_UUID, DAL_COL_NULLABLE, offsetof(item, ref), DAL_NO_HAS, NULL, 0},
    {"at", DAL_T_TIME, DAL_COL_DEFAULT, offsetof(item, at), DAL_NO_HAS, NULL, 0},
    {"price", DAL_T_DECIMAL, DAL_COL_NULLABLE, offsetof(item, price), DAL_NO_HAS, NULL, 0},
};
static const dal_table item_table = {"rt items", sizeof(item), offsetof(item, dal_mem_),
                                     item_cols, 8};

/* A dal_read_fn: the row by its descriptor. */
static dal_status read_item(dal_stmt *st, void *out)
{
    return dal_read_row(st, 0, &item_table, out);
}

static void test_rows(void **state)
{
    fx *f = *state;
    ddl(f,
        "DROP TABLE IF EXISTS \"rt items\"; CREATE TABLE \"rt items\" (id INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, qty INTEGER, c TEXT NOT NULL DEFAULT 'blue' CHECK (c IN "
        "('red','green','blue')), blob BLOB, ref TEXT, at INTEGER NOT NULL DEFAULT 42, price TEXT)",
        "DROP TABLE IF EXISTS \"rt items\"; CREATE TABLE \"rt items\" (id bigint GENERATED BY "
        "DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, qty integer, c text NOT NULL "
        "DEFAULT 'blue' CHECK (c IN ('red','green','blue')), blob bytea, ref uuid, at "
        "timestamptz NOT NULL DEFAULT '1970-01-01 00:00:00.000042+00', price numeric)");
    item in = {0}, out = {0};
    in.name = "first";
    in.blob = (dal_bytes){(unsigned char *)"", 0};
    OK(dal_insert_row(f->db, &item_table, &in, &out, false));
    assert_int_equal(out.id, 1);
    assert_string_equal(out.name, "first");
    assert_false(out.has_qty);
    assert_int_equal(out.c, COLOR_BLUE); /* zero: left out, default filled */
    assert_non_null(out.blob.data);      /* empty, not NULL */
    assert_int_equal(out.blob.len, 0);
    assert_string_equal(out.ref, "");
    assert_true(out.at == 42);
    assert_null(out.price);
    assert_non_null(out.dal_mem_);
    dal_row_free(&item_table, &out);
    assert_null(out.name);

    item in2 = {0};
    in2.id = 10;
    in2.name = "second";
    in2.has_qty = true;
    in2.qty = 0;
    in2.c = COLOR_GREEN;
    in2.blob = (dal_bytes){(unsigned char *)"a\0b", 3};
    snprintf(in2.ref, sizeof in2.ref, "%s", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    in2.at = -1000001;
    in2.price = "12345678901234567890.12345";
    OK(dal_insert_row(f->db, &item_table, &in2, &out, false));
    assert_int_equal(out.id, 10);
    assert_true(out.has_qty);
    assert_int_equal(out.qty, 0);
    assert_int_equal(out.c, COLOR_GREEN);
    assert_int_equal(out.blob.len, 3);
    assert_memory_equal(out.blob.data, "a\0b", 3);
    assert_string_equal(out.ref, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_true(out.at == -1000001);
    assert_string_equal(out.price, "12345678901234567890.12345");
    dal_row_free(&item_table, &out);
    assert_int_equal(dal_insert_row(f->db, &item_table, &in2, NULL, false), DAL_DUPLICATE);

    /* upsert: update on conflict, returning the stored row */
    in2.name = "second v2";
    in2.has_qty = false;
    OK(dal_insert_row(f->db, &item_table, &in2, &out, true));
    assert_string_equal(out.name, "second v2");
    assert_false(out.has_qty);
    dal_row_free(&item_table, &out);
    OK(dal_insert_row(f->db, &item_table, &in2, NULL, true));

    /* enum out of range: misuse; CHECK violation via raw SQL */
    in2.c = (color)7;
    assert_int_equal(dal_insert_row(f->db, &item_table, &in2, NULL, true), DAL_MISUSE);
    assert_int_equal(dal_exec(f->db, "INSERT INTO \"rt items\" (id, name, c) VALUES (50, 'x', 'pink')"),
                     DAL_CHECK);

    /* batch: all or nothing */
    enum { N = 1000 };
    item *rows = calloc(N, sizeof *rows);
    char (*names)[16] = calloc(N, 16);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], 16, "n%d", i);
        rows[i].id = 1000 + i;
        rows[i].name = names[i];
        rows[i].c = (color)(i % 3);
        rows[i].has_qty = i % 2;
        rows[i].qty = i;
    }
    rows[N - 1].id = 1000; /* duplicate: nothing inserted */
    assert_int_equal(dal_insert_rows(f->db, &item_table, rows, N), DAL_DUPLICATE);
    assert_int_equal(count_rows(f, "\"rt items\""), 2);
    assert_int_equal(dal_tx_depth(f->db), 0);
    rows[N - 1].id = 1000 + N - 1;
    OK(dal_insert_rows(f->db, &item_table, rows, N));
    assert_int_equal(count_rows(f, "\"rt items\""), N + 2);
    /* inside an outer transaction: savepoint */
    OK(dal_begin(f->db));
    for (int i = 0; i < N; i++)
        rows[i].id += 10000;
    OK(dal_insert_rows(f->db, &item_table, rows, 10));
    OK(dal_rollback(f->db));
    assert_int_equal(count_rows(f, "\"rt items\""), N + 2);

    /* fetch_all in key order */
    static const dal_query qall = {"SELECT id, name, qty, c, blob, ref, at, price FROM \"rt items\" "
                                   "WHERE id >= $1 ORDER BY id",
                                   1};
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &qall, &st));
    dal_bind_int64(st, 1, 1000);
    void *items = NULL;
    size_t len = 0;
    OK(dal_fetch_all(st, &item_table, 10, &items, &len));
    assert_int_equal(len, N);
    item *it = items;
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(it[i].id, 1000 + (int64_t)i);
        assert_string_equal(it[i].name, names[i]);
        assert_int_equal(it[i].c, i % 3 == 0 ? COLOR_BLUE : (color)(i % 3)); /* zero: default */
        assert_int_equal(it[i].has_qty, (bool)(i % 2));
        assert_null(it[i].blob.data);
        assert_true(it[i].at == 42);
        dal_row_free(&item_table, &it[i]);
    }
    free(items);
    /* streaming */
    OK(dal_stmt_start(f->db, &qall, &st));
    dal_bind_int64(st, 1, 1000);
    dal_stmt_stream(st);
    bool has;
    int cnt = 0;
    while (dal_stmt_step(st, &has) == DAL_OK && has) {
        OK(dal_read_row(st, 0, &item_table, &out));
        dal_row_free(&item_table, &out);
        if (++cnt == 5)
            break; /* leave early: done drains */
    }
    dal_stmt_done(st);
    assert_int_equal(cnt, 5);
    /* dal_fetch_all_with, buffered and streamed: every row, in order */
    for (int streamed = 0; streamed < 2; streamed++) {
        OK(dal_stmt_start(f->db, &qall, &st));
        dal_bind_int64(st, 1, 1000);
        if (streamed)
            dal_stmt_stream(st);
        OK(dal_fetch_all_with(st, &item_table, read_item, 0, &items, &len));
        assert_int_equal(len, N);
        it = items;
        for (size_t i = 0; i < len; i++) {
            assert_int_equal(it[i].id, 1000 + (int64_t)i);
            dal_row_free(&item_table, &it[i]);
        }
        free(items);
    }
    /* streaming with other statements run inside the loop (iterate callbacks) */
    OK(dal_stmt_start(f->db, &qall, &st));
    dal_bind_int64(st, 1, 1000);
    dal_stmt_stream(st);
    cnt = 0;
    int64_t sum = 0;
    dal_status ss;
    while ((ss = dal_stmt_step(st, &has)) == DAL_OK && has) {
        int64_t id;
        OK(dal_col_int64(st, 0, &id));
        sum += id;
        if (cnt++ % 100 == 0) {
            assert_int_equal(count_rows(f, "\"rt items\""), N + 2);
            OK(dal_exec(f->db, "SELECT 1"));
        }
    }
    OK(ss);
    dal_stmt_done(st);
    assert_int_equal(cnt, N);
    assert_true(sum == (int64_t)N * 1000 + (int64_t)N * (N - 1) / 2);
    assert_int_equal(count_rows(f, "\"rt items\""), N + 2);
    /* unknown enum text -> DAL_ERROR, row zeroed */
    OK(dal_exec(f->db, PG(f) ? "ALTER TABLE \"rt items\" DROP CONSTRAINT \"rt items_c_check\"; "
                               "INSERT INTO \"rt items\" (id, name, c) VALUES (5000, 'x', 'pink')"
                             : "PRAGMA ignore_check_constraints=ON; INSERT INTO \"rt items\" (id, "
                               "name, c) VALUES (5000, 'x', 'pink')"));
    OK(dal_stmt_start(f->db, &qall, &st));
    dal_bind_int64(st, 1, 5000);
    assert_int_equal(dal_fetch_one(st, &item_table, &out), DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(f->db), "pink"));
    assert_null(out.dal_mem_);
    free(rows);
    free(names);
}

/* ---------------------------------------------------------------------- */

static void test_urls(void **state)
{
    fx *f = *state;
    char url[700], path[600];
    dal_db *db = NULL;
    if (!PG(f)) {
        /* options */
        snprintf(url, sizeof url, "sqlite:%s?journal_mode=delete&busy_timeout=100&cache_size=-2000",
                 f->path);
        dal_close(f->db);
        f->db = NULL;
        OK(dal_open(url, &db));
        static const dal_query jm = {"PRAGMA journal_mode", 0};
        static const dal_query fk = {"PRAGMA foreign_keys", 0};
        dal_stmt *st;
        bool has;
        assert_int_equal(dal_stmt_start(db, &jm, &st), DAL_OK);
        assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
        const char *p;
        size_t n;
        assert_int_equal(dal_col_text(st, 0, &p, &n), DAL_OK);
        assert_string_equal(p, "delete");
        dal_stmt_done(st);
        assert_int_equal(dal_stmt_start(db, &fk, &st), DAL_OK);
        assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
        int64_t v;
        assert_int_equal(dal_col_int64(st, 0, &v), DAL_OK);
        assert_int_equal(v, 1);
        dal_stmt_done(st);
        dal_close(db);
        snprintf(url, sizeof url, "sqlite:%s?bogus=1", f->path);
        assert_int_equal(dal_open(url, &db), DAL_MISUSE);
        dal_close(db);
        snprintf(url, sizeof url, "sqlite:%s?synchronous=off;drop", f->path);
        assert_int_equal(dal_open(url, &db), DAL_MISUSE);
        dal_close(db);
        OK(dal_open("sqlite::memory:", &db));
        assert_int_equal(dal_dialect_of(db), DAL_SQLITE);
        dal_close(db);
        /* NULL: DATABASE_URL, else dalc.db in the current directory */
        test_tmp_path(path, sizeof path, "env.db");
        snprintf(url, sizeof url, "sqlite:%s", path);
        setenv("DATABASE_URL", url, 1);
        OK(dal_open(NULL, &db));
        dal_close(db);
        assert_int_equal(access(path, F_OK), 0);
        unsetenv("DATABASE_URL");
        char cwd[1024];
        assert_non_null(getcwd(cwd, sizeof cwd));
        test_tmp_path(path, sizeof path, "");
        assert_int_equal(chdir(path), 0);
        OK(dal_open(NULL, &db));
        dal_close(db);
        assert_int_equal(access(DAL_DEFAULT_SQLITE_PATH, F_OK), 0);
        assert_int_equal(chdir(cwd), 0);
        return;
    }
    /* PostgreSQL: conninfo form, passwords never echoed */
    const char *pg = test_pg_url();
    const char *host = strstr(pg, "host=");
    assert_non_null(host);
    char hostdir[512];
    snprintf(hostdir, sizeof hostdir, "%.*s", (int)strcspn(host + 5, "&"), host + 5);
    snprintf(url, sizeof url, "host=%s user=postgres dbname=postgres", hostdir);
    OK(dal_open(url, &db));
    assert_int_equal(dal_dialect_of(db), DAL_POSTGRES);
    dal_close(db);
    const char *bad[] = {
        "postgresql://alice:s3cretpw@/nodb?host=/nonexistent-dir",
        "host=/nonexistent-dir user=alice password=s3cretpw dbname=x",
        "host=/nonexistent-dir user=alice password='s3cret pw' dbname=x",
        "postgresql:///x?host=/nonexistent-dir&password=s3cretpw",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dal_open(bad[i], &db), DAL_CONN);
        assert_null(strstr(dal_errmsg(db), "s3cret"));
        dal_set_error(db, DAL_ERROR, "echo %s", bad[i]);
        assert_null(strstr(dal_errmsg(db), "s3cret"));
        dal_close(db);
    }
    assert_int_equal(dal_open("postgresql:///x?host=/nonexistent-dir&dal_statements=bogus", &db),
                     DAL_MISUSE);
    dal_close(db);
}

/* ---------------------------------------------------------------------- */

static void test_unnamed(void **state)
{
    fx *f = *state;
    char url[700];
    dal_close(f->db);
    f->db = NULL;
    url_of(f, url, sizeof url, "&dal_statements=unnamed");
    OK(dal_open(url, &f->db));
    ddl(f, "",
        "DROP TABLE IF EXISTS rt_types; CREATE TABLE rt_types (id int PRIMARY KEY, b boolean, "
        "i16 smallint, i32 integer, i64 bigint, f32 real, f64 double precision, dc numeric, "
        "txt text, js jsonb, bin bytea, u uuid, ts timestamptz, d date)");
    static unsigned char zeros[] = {0, 1, 0};
    trow r = {true, 7, -7, INT64_MIN, 1.5f, -2.25, "99999999999999999999999.5", "t\\'x", "{}",
              {zeros, 3}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", tm(1900, 2, 28, 1, 2, 3, 4),
              -25000, false};
    put_row(f, 1, &r);
    put_row(f, 1 + 1, &r);
    get_row(f, 1, &r, NULL, r.u);
    get_row(f, 2, &r, NULL, r.u);
    static const dal_query q = {"SELECT count(*) FROM pg_prepared_statements", 0};
    dal_stmt *st;
    OK(dal_stmt_start(f->db, &q, &st));
    bool has;
    OK(dal_stmt_step(st, &has));
    int64_t n = -1;
    OK(dal_col_int64(st, 0, &n));
    assert_int_equal(n, 0);
    dal_stmt_done(st);
    /* also a conninfo string */
    const char *host = strstr(test_pg_url(), "host=");
    char ci[700];
    snprintf(ci, sizeof ci, "dal_statements=unnamed host=%.*s user=postgres dbname=postgres",
             (int)strcspn(host + 5, "&"), host + 5);
    dal_db *db = NULL;
    assert_int_equal(dal_open(ci, &db), DAL_OK);
    dal_close(db);
    /* batches work in unnamed mode too */
    ddl(f, "",
        "DROP TABLE IF EXISTS \"rt items\"; CREATE TABLE \"rt items\" (id bigint GENERATED BY "
        "DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, qty integer, c text NOT NULL "
        "DEFAULT 'blue', blob bytea, ref uuid, at timestamptz NOT NULL DEFAULT now(), price "
        "numeric)");
    item rows[3] = {{.id = 1, .name = "a"}, {.id = 2, .name = "b", .has_qty = true, .qty = 5},
                    {.id = 3, .name = "c", .price = "1.25"}};
    OK(dal_insert_rows(f->db, &item_table, rows, 3));
    assert_int_equal(count_rows(f, "\"rt items\""), 3);
}

static void test_cached_plan(void **state)
{
    fx *f = *state;
    ddl(f, "DROP TABLE IF EXISTS rt_plan; CREATE TABLE rt_plan (id INTEGER PRIMARY KEY, a TEXT)",
        "DROP TABLE IF EXISTS rt_plan; CREATE TABLE rt_plan (id int PRIMARY KEY, a text)");
    OK(dal_exec(f->db, "INSERT INTO rt_plan VALUES (1, 'x')"));
    static const dal_query q = {"SELECT * FROM rt_plan WHERE id = $1", 1};
    dal_stmt *st;
    bool has;
    for (int round = 0; round < 3; round++) {
        if (round == 1)
            OK(dal_exec(f->db, "ALTER TABLE rt_plan ADD COLUMN b integer DEFAULT 5"));
        if (round == 2) {
            /* inside a transaction the error is returned, not retried */
            OK(dal_exec(f->db, "ALTER TABLE rt_plan ADD COLUMN c integer DEFAULT 6"));
            OK(dal_begin(f->db));
            OK(dal_stmt_start(f->db, &q, &st));
            dal_bind_int32(st, 1, 1);
            dal_status s = dal_stmt_step(st, &has);
            dal_stmt_done(st);
            if (PG(f)) {
                assert_int_equal(s, DAL_ERROR);
                assert_non_null(strstr(dal_errmsg(f->db), "cached plan"));
            }
            else
                assert_int_equal(s, DAL_OK); /* SQLite re-prepares by itself */
            OK(dal_rollback(f->db));
        }
        OK(dal_stmt_start(f->db, &q, &st));
        dal_bind_int32(st, 1, 1);
        OK(dal_stmt_step(st, &has));
        assert_true(has);
        check_text(st, 1, "x");
        if (round >= 1) {
            int32_t b;
            OK(dal_col_int32(st, 2, &b));
            assert_int_equal(b, 5);
        }
        dal_stmt_done(st);
    }
    /* Regression (review): a streamed statement whose plan went stale fails
     * once (it is not retried: rows may have been delivered), then the next
     * use prepares it again instead of failing until a reconnect. */
    static const dal_query all = {"SELECT * FROM rt_plan ORDER BY id", 0};
    for (int round = 0; round < 3; round++) {
        if (round == 1)
            OK(dal_exec(f->db, PG(f) ? "ALTER TABLE rt_plan ALTER COLUMN b TYPE bigint"
                                     : "ALTER TABLE rt_plan ADD COLUMN d integer"));
        OK(dal_stmt_start(f->db, &all, &st));
        dal_stmt_stream(st);
        dal_status s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
        if (round == 1 && PG(f)) {
            assert_int_equal(s, DAL_ERROR);
            continue;
        }
        OK(s);
        assert_true(has);
    }
}

/* Column sets past 64 columns (the cache key is then the whole byte mask,
 * not one word): dal_insert_cols and dal_update_cols on a 70-column table
 * whose columns but the key default to 7. */
#define WIDE 70
typedef struct wide {
    int64_t c[WIDE];
    void *mem;
} wide;

static void test_wide_cols(void **state)
{
    fx *f = *state;
    static char names[WIDE][8];
    static dal_column cols[WIDE];
    char sql[4096];
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "DROP TABLE IF EXISTS wide_cols;" /* test_bulk has a "wide" */
                                " CREATE TABLE wide_cols (c0 bigint PRIMARY KEY");
    for (int k = 0; k < WIDE; k++) {
        snprintf(names[k], sizeof names[k], "c%d", k);
        cols[k] = (dal_column){names[k], DAL_T_INT64, k ? DAL_COL_DEFAULT : DAL_COL_PK,
                               offsetof(wide, c) + (size_t)k * sizeof(int64_t), DAL_NO_HAS,
                               NULL, 0};
        if (k)
            n += (size_t)snprintf(sql + n, sizeof sql - n, ", c%d bigint NOT NULL DEFAULT 7", k);
    }
    snprintf(sql + n, sizeof sql - n, ")");
    OK(dal_exec(f->db, sql));
    const dal_table t = {"wide_cols", sizeof(wide), offsetof(wide, mem), cols, WIDE};

    /* two sets alike in their first 64 columns: two statements */
    bool a[WIDE] = {[0] = true, [65] = true}, b[WIDE] = {[0] = true, [66] = true};
    wide in, out;
    memset(&in, 0, sizeof in);
    OK(dal_insert_cols(f->db, &t, &in, a, &out));
    assert_int_equal(out.c[65], 0);
    assert_int_equal(out.c[66], 7);
    assert_int_equal(out.c[1], 7);
    in.c[0] = 1;
    OK(dal_insert_cols(f->db, &t, &in, b, &out));
    assert_int_equal(out.c[65], 7);
    assert_int_equal(out.c[66], 0);
    in.c[0] = 2;
    OK(dal_insert_cols(f->db, &t, &in, a, NULL)); /* the first set again: its statement */

    /* update: only the set's columns, the key from the row */
    wide up;
    memset(&up, 0, sizeof up);
    up.c[0] = 1;
    up.c[69] = 42;
    up.c[3] = 5;
    bool u[WIDE] = {[0] = true, [3] = true, [69] = true};
    int64_t changes = -1;
    OK(dal_update_cols(f->db, &t, &up, u, &changes));
    assert_int_equal(changes, 1);
    dal_stmt *st;
    static const dal_query q = {"SELECT c3, c66, c69, c68 FROM wide_cols WHERE c0 = 1", 0};
    OK(dal_stmt_start(f->db, &q, &st));
    bool has = false;
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    int64_t v[4];
    for (int k = 0; k < 4; k++)
        OK(dal_col_int64(st, k, &v[k]));
    dal_stmt_done(st);
    assert_int_equal(v[0], 5);
    assert_int_equal(v[1], 0);
    assert_int_equal(v[2], 42);
    assert_int_equal(v[3], 7);
    up.c[0] = 99;
    OK(dal_update_cols(f->db, &t, &up, u, &changes));
    assert_int_equal(changes, 0);
    bool keys[WIDE] = {[0] = true};
    assert_int_equal(dal_update_cols(f->db, &t, &up, keys, NULL), DAL_MISUSE);
    assert_int_equal(dal_update_cols(f->db, &t, &up, NULL, NULL), DAL_MISUSE);
    assert_int_equal(dal_insert_cols(f->db, &t, &up, NULL, NULL), DAL_MISUSE);
    assert_int_equal(dal_insert_cols(NULL, &t, &up, a, NULL), DAL_MISUSE);

    /* dal_row_copy of a row without variable-length data */
    wide cp;
    assert_int_equal(dal_row_copy(&t, &out, &cp), DAL_OK);
    assert_null(cp.mem);
    assert_int_equal(cp.c[66], 0);
    assert_int_equal(cp.c[65], 7);
    dal_row_free(&t, &cp);
    dal_row_free(&t, &out);
}

/* Regression: dal_stmt_done clears the bindings on both engines, so a
 * parameter the next execution leaves unbound is NULL, never the previous
 * value, and never a pointer into memory the caller has freed since (ASan
 * would see that read).  Covers the read path, dal_stmt_exec (SQLite's
 * single-step path), numbers, and a statement of more than 64 parameters. */
/* Steps st to its first row: column 0 is want, column 1 NULL. */
static void want_text_null(fx *f, dal_stmt *st, const char *want)
{
    bool has;
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    const char *p;
    size_t n;
    OK(dal_col_text(st, 0, &p, &n));
    assert_string_equal(p, want);
    assert_true(dal_col_is_null(st, 1));
}

static void sel3_unbound(fx *f, const dal_query *q, bool bind3)
{
    dal_stmt *st;
    OK(dal_stmt_start(f->db, q, &st));
    dal_bind_text(st, 1, "a");
    if (bind3)
        dal_bind_int64(st, 3, 9);
    want_text_null(f, st, "a");
    assert_true(dal_col_is_null(st, 2) != bind3);
    dal_stmt_done(st);
}

static void test_bindings_cleared(void **state)
{
    fx *f = *state;
    static const dal_query q = {"SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS bigint)", 3};
    dal_stmt *st;
    bool has;
    for (int round = 0; round < 2; round++) {
        char *heap = strdup("freed after the first execution");
        assert_non_null(heap);
        OK(dal_stmt_start(f->db, &q, &st));
        dal_bind_text(st, 1, "x");
        dal_bind_text(st, 2, heap);
        dal_bind_int64(st, 3, 7);
        OK(dal_stmt_step(st, &has));
        assert_true(has);
        dal_stmt_done(st);
        free(heap);
        sel3_unbound(f, &q, round == 1);
    }
    /* numbers only: cleared as well */
    OK(dal_stmt_start(f->db, &q, &st));
    dal_bind_null(st, 1);
    dal_bind_int64(st, 3, 7);
    OK(dal_stmt_step(st, &has));
    dal_stmt_done(st);
    sel3_unbound(f, &q, false);

    /* dal_stmt_exec */
    OK(dal_exec(f->db, "DROP TABLE IF EXISTS rt_unbound"));
    OK(dal_exec(f->db, "CREATE TABLE rt_unbound (k integer, a text, b text)"));
    static const dal_query ins = {"INSERT INTO rt_unbound (k, a, b) VALUES ($1, $2, $3)", 3};
    char *heap = strdup("freed");
    assert_non_null(heap);
    OK(dal_stmt_start(f->db, &ins, &st));
    dal_bind_int64(st, 1, 1);
    dal_bind_text(st, 2, heap);
    dal_bind_text(st, 3, heap);
    OK(dal_stmt_exec(st, NULL));
    free(heap);
    OK(dal_stmt_start(f->db, &ins, &st));
    dal_bind_int64(st, 1, 2);
    dal_bind_text(st, 2, "kept");
    OK(dal_stmt_exec(st, NULL));
    static const dal_query sel = {"SELECT a, b FROM rt_unbound WHERE k = 2", 0};
    OK(dal_stmt_start(f->db, &sel, &st));
    want_text_null(f, st, "kept");
    dal_stmt_done(st);

    /* 65 parameters: $2..$64 only typed by the WHERE clause */
    char sql[4096];
    int len = snprintf(sql, sizeof sql, "SELECT CAST($1 AS text), CAST($65 AS text) WHERE 1 = 1");
    for (int i = 2; i <= 64; i++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, " OR CAST($%d AS text) IS NULL", i);
    dal_query wide = {sql, 65};
    heap = strdup("freed");
    assert_non_null(heap);
    OK(dal_stmt_start(f->db, &wide, &st));
    for (int i = 1; i <= 65; i++)
        dal_bind_text(st, i, heap);
    OK(dal_stmt_step(st, &has));
    dal_stmt_done(st);
    free(heap);
    OK(dal_stmt_start(f->db, &wide, &st));
    dal_bind_text(st, 1, "a");
    want_text_null(f, st, "a");
    dal_stmt_done(st);

    /* 65 parameters, numbers only: no text bound, still cleared */
    char sql2[4096];
    len = snprintf(sql2, sizeof sql2, "SELECT CAST($1 AS bigint), CAST($65 AS bigint) WHERE 1 = 1");
    for (int i = 2; i <= 64; i++)
        len += snprintf(sql2 + len, sizeof sql2 - (size_t)len, " OR CAST($%d AS bigint) IS NULL", i);
    dal_query wide_num = {sql2, 65};
    OK(dal_stmt_start(f->db, &wide_num, &st));
    for (int i = 1; i <= 65; i++)
        dal_bind_int64(st, i, i);
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    int64_t v;
    OK(dal_col_int64(st, 1, &v));
    assert_int_equal(v, 65);
    dal_stmt_done(st);
    OK(dal_stmt_start(f->db, &wide_num, &st));
    dal_bind_int64(st, 1, 11);
    OK(dal_stmt_step(st, &has));
    assert_true(has);
    OK(dal_col_int64(st, 0, &v));
    assert_int_equal(v, 11);
    assert_true(dal_col_is_null(st, 1));
    dal_stmt_done(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &FX_SQ),                         \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &FX_PG)
        BOTH(test_types),
        BOTH(test_statuses),
        BOTH(test_transactions),
        BOTH(test_observability),
        BOTH(test_sampled_timing),
        BOTH(test_fetch_one_with),
        BOTH(test_row_step_clears_error),
        BOTH(test_rows),
        BOTH(test_urls),
        BOTH(test_cached_plan),
        BOTH(test_wide_cols),
        BOTH(test_bindings_cleared),
        BOTH(test_fetch_all_values),
        cmocka_unit_test_prestate_setup_teardown(test_unnamed, setup, teardown, &FX_PG),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
