/*
 * bench.c - generated code against a hand-written baseline, in one process.
 *
 * The baseline is what a careful C programmer writes by hand with sqlite3 or
 * libpq: the same SQL, the same bindings (binary parameters and results on
 * PostgreSQL, like the runtime), statements prepared once, and the same
 * copying of every column into the same struct, on the runtime's own
 * connection.  Each round is cut into slices; in a slice both sides run the
 * same batch back to back (alternating which goes first), so that drift
 * and bursts of load hit both alike.  We report the median time per
 * operation and the ratio generated/baseline: the median of the per-slice
 * ratios, with their interquartile range (run_op).
 *
 *   bench URL [scale]      scale 1 = default sizes; smaller for a quick look
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET: pinning (pin_pg) */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "dal.h"
#include "schema.h"

#define BENCH_NAME "bench"
#include "bench_util.h"

#define ROUNDS 11
#define SLICES 10

/* CPU time of this thread: unlike wall time it does not count the time
 * other processes hold the CPU (this 2-core machine is shared), nor I/O
 * waits.  On PostgreSQL it is the client's side only. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void check(dal_db *db, dal_status s, const char *what)
{
    if (s != DAL_OK)
        die(what, dal_errmsg(db));
}

/* ---- the SQL both sides run (the generated code's SQL, see build/bench/gen/readings.c) ---- */
#define COLS "\"id\", \"sensor\", \"seq\", \"value\", \"flag\", \"note\", \"at\""
static const char *SQL_INSERT =
    "INSERT INTO \"readings\" (\"sensor\", \"seq\", \"value\", \"flag\", \"note\", \"at\") "
    "VALUES ($1, $2, $3, $4, $5, $6)";
static const char *SQL_GET = "SELECT " COLS " FROM \"readings\" WHERE \"id\" = $1";
static const char *SQL_UPDATE = "UPDATE \"readings\" SET \"sensor\" = $1, \"seq\" = $2, "
                                "\"value\" = $3, \"flag\" = $4, \"note\" = $5, \"at\" = $6 "
                                "WHERE \"id\" = $7";
static const char *SQL_PAGE =
    "SELECT " COLS " FROM \"readings\" WHERE \"id\" > $1 ORDER BY \"id\" LIMIT $2";
static const char *SQL_ALL = "SELECT " COLS " FROM \"readings\" ORDER BY \"id\"";
static const char *SQL_SETV = "UPDATE \"readings\" SET \"value\" = $1 WHERE \"id\" = $2";

/* A row as the baseline builds it: the generated struct, filled by hand. */
static void fill(readings *r, int64_t i, char *sensor, char *note)
{
    memset(r, 0, sizeof *r);
    snprintf(sensor, 32, "sensor-%" PRId64, i % 100);
    r->sensor = sensor;
    r->seq = (int32_t)i;
    r->value = (double)i * 0.25;
    r->flag = (i & 1) != 0;
    r->note = (i % 3) ? note : NULL;
    r->at = 1700000000000000 + i;
}

/* The baseline's one-allocation copy of text columns, as careful code does. */
static void own_texts(readings *r, const char *sensor, size_t slen, const char *note,
                      size_t nlen)
{
    char *m = malloc(slen + 1 + (note ? nlen + 1 : 0));
    if (!m)
        die("malloc", strerror(errno));
    memcpy(m, sensor, slen);
    m[slen] = '\0';
    r->sensor = m;
    if (note) {
        r->note = m + slen + 1;
        memcpy(r->note, note, nlen);
        r->note[nlen] = '\0';
    } else {
        r->note = NULL;
    }
    r->dal_mem_ = m;
}

/* ======================= SQLite baseline ============================== */

typedef struct sq_base {
    sqlite3 *db;
    sqlite3_stmt *ins, *get, *upd, *page, *all, *setv;
} sq_base;

static sqlite3_stmt *sq_prep(sqlite3 *db, const char *sql)
{
    /* Same placeholder rewrite as the runtime: $n -> ?n. */
    char buf[1024];
    size_t j = 0;
    for (size_t i = 0; sql[i] && j < sizeof buf - 1; i++)
        buf[j++] = sql[i] == '$' ? '?' : sql[i];
    buf[j] = '\0';
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db, buf, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die("sqlite prepare", sqlite3_errmsg(db));
    return st;
}

/* The baseline runs on the runtime's own connection (dal_native_handle):
 * same file handle, page cache and pragmas, so only the code differs. */
static void sq_open(sq_base *b, dal_db *db)
{
    b->db = dal_native_handle(db);
    b->ins = sq_prep(b->db, SQL_INSERT);
    b->get = sq_prep(b->db, SQL_GET);
    b->upd = sq_prep(b->db, SQL_UPDATE);
    b->page = sq_prep(b->db, SQL_PAGE);
    b->all = sq_prep(b->db, SQL_ALL);
    b->setv = sq_prep(b->db, SQL_SETV);
}

static void sq_close(sq_base *b)
{
    sqlite3_finalize(b->ins);
    sqlite3_finalize(b->get);
    sqlite3_finalize(b->upd);
    sqlite3_finalize(b->page);
    sqlite3_finalize(b->all);
    sqlite3_finalize(b->setv);
}

static void sq_bind_row(sqlite3_stmt *st, int first, const readings *r)
{
    sqlite3_bind_text(st, first, r->sensor, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, first + 1, r->seq);
    sqlite3_bind_double(st, first + 2, r->value);
    sqlite3_bind_int(st, first + 3, r->flag);
    if (r->note)
        sqlite3_bind_text(st, first + 4, r->note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, first + 4);
    sqlite3_bind_int64(st, first + 5, r->at);
}

static void sq_read_row(sqlite3_stmt *st, readings *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    const char *s = (const char *)sqlite3_column_text(st, 1);
    size_t slen = (size_t)sqlite3_column_bytes(st, 1);
    r->seq = sqlite3_column_int(st, 2);
    r->value = sqlite3_column_double(st, 3);
    r->flag = sqlite3_column_int(st, 4) != 0;
    const char *n = sqlite3_column_type(st, 5) == SQLITE_NULL
                        ? NULL
                        : (const char *)sqlite3_column_text(st, 5);
    size_t nlen = n ? (size_t)sqlite3_column_bytes(st, 5) : 0;
    r->at = sqlite3_column_int64(st, 6);
    own_texts(r, s, slen, n, nlen);
}

static void sq_step_done(sq_base *b, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die("sqlite step", sqlite3_errmsg(b->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* ======================= PostgreSQL baseline ========================== */

typedef struct pg_base {
    PGconn *c;
    int result_format; /* 1 binary (as the runtime), 0 text (to show what binary buys) */
} pg_base;


static void pg_ok(pg_base *b, PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) != want)
        die(what, PQerrorMessage(b->c));
}

static void pg_prep(pg_base *b, const char *name, const char *sql, int n, const Oid *types)
{
    PGresult *r = PQprepare(b->c, name, sql, n, types);
    pg_ok(b, r, PGRES_COMMAND_OK, name);
    PQclear(r);
}

/* The runtime's own connection (dal_native_handle): the same backend and
 * socket for both sides.  With two connections the two server processes
 * land on different cores relative to the client, which was seen to make
 * one side's round trips 2x slower for a whole run. */
static void pg_open(pg_base *b, dal_db *db)
{
    b->c = dal_native_handle(db);
    static const Oid row_types[] = {25, 23, 701, 16, 25, 1184};
    static const Oid upd_types[] = {25, 23, 701, 16, 25, 1184, 20};
    static const Oid get_types[] = {20};
    static const Oid page_types[] = {20, 20};
    pg_prep(b, "b_ins", SQL_INSERT, 6, row_types);
    pg_prep(b, "b_get", SQL_GET, 1, get_types);
    pg_prep(b, "b_upd", SQL_UPDATE, 7, upd_types);
    pg_prep(b, "b_page", SQL_PAGE, 2, page_types);
    pg_prep(b, "b_all", SQL_ALL, 0, NULL);
    static const Oid setv_types[] = {701, 20};
    pg_prep(b, "b_setv", SQL_SETV, 2, setv_types);
}

/* Binary parameters of a row's non-key columns (then the key), in the SQL's order. */
typedef struct pg_params {
    char seq[4], value[8], flag[1], at[8], id[8];
    const char *vals[7];
    int lens[7], fmts[7];
} pg_params;

static void pg_row_params(pg_params *p, const readings *r, bool with_id)
{
    int k = 0;
    p->vals[k] = r->sensor, p->lens[k] = 0, p->fmts[k++] = 0;
    put32(p->seq, (uint32_t)r->seq);
    p->vals[k] = p->seq, p->lens[k] = 4, p->fmts[k++] = 1;
    uint64_t bits;
    memcpy(&bits, &r->value, 8);
    put64(p->value, bits);
    p->vals[k] = p->value, p->lens[k] = 8, p->fmts[k++] = 1;
    p->flag[0] = r->flag;
    p->vals[k] = p->flag, p->lens[k] = 1, p->fmts[k++] = 1;
    p->vals[k] = r->note, p->lens[k] = 0, p->fmts[k++] = 0;
    put64(p->at, (uint64_t)(r->at - PG_EPOCH_US));
    p->vals[k] = p->at, p->lens[k] = 8, p->fmts[k++] = 1;
    if (with_id) { /* the key is the last parameter ($7) */
        put64(p->id, (uint64_t)r->id);
        p->vals[k] = p->id, p->lens[k] = 8, p->fmts[k++] = 1;
    }
}

static void pg_read_row(pg_base *b, PGresult *res, int row, readings *r)
{
    memset(r, 0, sizeof *r);
    if (b->result_format) {
        r->id = (int64_t)get64(PQgetvalue(res, row, 0));
        r->seq = (int32_t)get32(PQgetvalue(res, row, 2));
        uint64_t bits = get64(PQgetvalue(res, row, 3));
        memcpy(&r->value, &bits, 8);
        r->flag = PQgetvalue(res, row, 4)[0] != 0;
        r->at = (int64_t)get64(PQgetvalue(res, row, 6)) + PG_EPOCH_US;
    } else {
        r->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
        r->seq = (int32_t)strtol(PQgetvalue(res, row, 2), NULL, 10);
        r->value = strtod(PQgetvalue(res, row, 3), NULL);
        r->flag = PQgetvalue(res, row, 4)[0] == 't';
        /* Text timestamps would need a full parser; the text-format run
         * only measures transfer + decode of the other columns. */
        r->at = 0;
    }
    const char *n = PQgetisnull(res, row, 5) ? NULL : PQgetvalue(res, row, 5);
    own_texts(r, PQgetvalue(res, row, 1), (size_t)PQgetlength(res, row, 1), n,
              n ? (size_t)PQgetlength(res, row, 5) : 0);
}

/* PostgreSQL: the client on one core and its server process on another
 * (when there are two and we may: root, or the server's owner).  Left to the
 * scheduler, the two migrate between cores during the run and a round trip
 * moves by 2-5x, which drowns a few percent of client work. */
static void pin_pg(PGconn *c)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || getenv("BENCH_NO_PIN"))
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return;
    CPU_ZERO(&set);
    CPU_SET(1, &set);
    if (sched_setaffinity((pid_t)PQbackendPID(c), sizeof set, &set) != 0)
        fprintf(stderr, "bench: cannot pin the server process (%s); not pinned\n",
                strerror(errno));
}

/* ======================= the operations =============================== */

typedef struct bench_ctx {
    dal_db *db;
    bool pg;
    sq_base sq;
    pg_base pgb;
    int64_t next;      /* next row number to insert */
    int64_t max_id;    /* ids are 1..max_id after setup */
    int64_t version;   /* bumped by every update run: each writes new values */
    int n_insert, n_get, n_update, n_pages;
    int from, n;       /* the slice an operation function runs: operations from..from+n-1 */
} bench_ctx;

static char NOTE[] = "a note with some text in it";

static void gen_insert(bench_ctx *c)
{
    char sensor[32];
    readings r;
    check(c->db, dal_begin(c->db), "begin");
    for (int i = 0; i < c->n; i++) {
        fill(&r, c->next++, sensor, NOTE);
        check(c->db, readings_insert(c->db, &r, NULL), "insert");
    }
    check(c->db, dal_commit(c->db), "commit");
}

static void base_insert(bench_ctx *c)
{
    char sensor[32];
    readings r;
    if (!c->pg) {
        sqlite3_exec(c->sq.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (int i = 0; i < c->n; i++) {
            fill(&r, c->next++, sensor, NOTE);
            sq_bind_row(c->sq.ins, 1, &r);
            sq_step_done(&c->sq, c->sq.ins);
        }
        sqlite3_exec(c->sq.db, "COMMIT", NULL, NULL, NULL);
        return;
    }
    PQclear(PQexec(c->pgb.c, "BEGIN"));
    pg_params p;
    for (int i = 0; i < c->n; i++) {
        fill(&r, c->next++, sensor, NOTE);
        pg_row_params(&p, &r, false);
        PGresult *res = PQexecPrepared(c->pgb.c, "b_ins", 6, p.vals, p.lens, p.fmts, 1);
        pg_ok(&c->pgb, res, PGRES_COMMAND_OK, "insert");
        PQclear(res);
    }
    PQclear(PQexec(c->pgb.c, "COMMIT"));
}

static int64_t pick(bench_ctx *c, int i) { return 1 + (int64_t)((uint64_t)i * 2654435761u % (uint64_t)c->max_id); }

static volatile int64_t sink;

static void gen_get(bench_ctx *c)
{
    readings r;
    for (int i = c->from; i < c->from + c->n; i++) {
        check(c->db, readings_get(c->db, pick(c, i), &r), "get");
        sink += r.seq;
        readings_free(&r);
    }
}

static void named_get(bench_ctx *c)
{
    readings r;
    for (int i = c->from; i < c->from + c->n; i++) {
        check(c->db, reading_by_id(c->db, pick(c, i), &r), "reading_by_id");
        sink += r.seq;
        readings_free(&r);
    }
}

static void base_get(bench_ctx *c)
{
    readings r;
    for (int i = c->from; i < c->from + c->n; i++) {
        int64_t id = pick(c, i);
        if (!c->pg) {
            sqlite3_bind_int64(c->sq.get, 1, id);
            if (sqlite3_step(c->sq.get) != SQLITE_ROW)
                die("get", sqlite3_errmsg(c->sq.db));
            sq_read_row(c->sq.get, &r);
            sqlite3_reset(c->sq.get);
        } else {
            char idb[8];
            put64(idb, (uint64_t)id);
            const char *v[1] = {idb};
            int l[1] = {8}, f[1] = {1};
            PGresult *res = PQexecPrepared(c->pgb.c, "b_get", 1, v, l, f, c->pgb.result_format);
            pg_ok(&c->pgb, res, PGRES_TUPLES_OK, "get");
            if (PQntuples(res) != 1)
                die("get", "no row");
            pg_read_row(&c->pgb, res, 0, &r);
            PQclear(res);
        }
        sink += r.seq;
        free(r.dal_mem_);
    }
}

/* Each update run (either side) writes values the rows do not hold yet:
 * SQLite skips writing a page whose content an UPDATE leaves unchanged, so
 * repeating the previous run's values would measure no write at all. */
static void gen_update(bench_ctx *c)
{
    char sensor[32];
    readings r;
    int64_t v = ++c->version;
    for (int i = c->from; i < c->from + c->n; i++) {
        fill(&r, i + v * 1000003, sensor, NOTE);
        r.id = pick(c, i);
        check(c->db, readings_update(c->db, &r), "update");
    }
}

static void base_update(bench_ctx *c)
{
    char sensor[32];
    readings r;
    int64_t v = ++c->version;
    for (int i = c->from; i < c->from + c->n; i++) {
        fill(&r, i + v * 1000003, sensor, NOTE);
        r.id = pick(c, i);
        if (!c->pg) {
            sq_bind_row(c->sq.upd, 1, &r);
            sqlite3_bind_int64(c->sq.upd, 7, r.id);
            sq_step_done(&c->sq, c->sq.upd);
            if (sqlite3_changes(c->sq.db) != 1)
                die("update", "no row");
        } else {
            pg_params p;
            pg_row_params(&p, &r, true);
            PGresult *res = PQexecPrepared(c->pgb.c, "b_upd", 7, p.vals, p.lens, p.fmts, 1);
            pg_ok(&c->pgb, res, PGRES_COMMAND_OK, "update");
            if (strcmp(PQcmdTuples(res), "1") != 0)
                die("update", "no row");
            PQclear(res);
        }
    }
}

static void gen_pages(bench_ctx *c)
{
    for (int i = c->from; i < c->from + c->n; i++) {
        readings after = {0};
        after.id = pick(c, i) % (c->max_id - 200 > 0 ? c->max_id - 200 : 1);
        readings_array a;
        check(c->db, readings_list(c->db, &after, 100, &a), "list");
        sink += (int64_t)a.len;
        readings_array_free(&a);
    }
}

static void base_pages(bench_ctx *c)
{
    for (int i = c->from; i < c->from + c->n; i++) {
        int64_t after = pick(c, i) % (c->max_id - 200 > 0 ? c->max_id - 200 : 1);
        size_t cap = 100, len = 0;
        readings *items = malloc(cap * sizeof *items);
        if (!c->pg) {
            sqlite3_bind_int64(c->sq.page, 1, after);
            sqlite3_bind_int64(c->sq.page, 2, 100);
            while (sqlite3_step(c->sq.page) == SQLITE_ROW)
                sq_read_row(c->sq.page, &items[len++]);
            sqlite3_reset(c->sq.page);
        } else {
            char a[8], l[8];
            put64(a, (uint64_t)after);
            put64(l, 100);
            const char *v[2] = {a, l};
            int ls[2] = {8, 8}, f[2] = {1, 1};
            PGresult *res = PQexecPrepared(c->pgb.c, "b_page", 2, v, ls, f, c->pgb.result_format);
            pg_ok(&c->pgb, res, PGRES_TUPLES_OK, "page");
            for (int k = 0; k < PQntuples(res); k++)
                pg_read_row(&c->pgb, res, k, &items[len++]);
            PQclear(res);
        }
        sink += (int64_t)len;
        for (size_t k = 0; k < len; k++)
            free(items[k].dal_mem_);
        free(items);
    }
}

/* The named :many and :exec queries against the same statements by hand. */
static void named_pages(bench_ctx *c)
{
    for (int i = c->from; i < c->from + c->n; i++) {
        int64_t after = pick(c, i) % (c->max_id - 200 > 0 ? c->max_id - 200 : 1);
        readings_array a;
        check(c->db, readings_after(c->db, &(readings_after_params){.after = after, .n = 100}, &a),
              "readings_after");
        sink += (int64_t)a.len;
        readings_array_free(&a);
    }
}

static void named_setv(bench_ctx *c)
{
    int64_t v = ++c->version, n;
    for (int i = c->from; i < c->from + c->n; i++) {
        check(c->db, reading_set_value(c->db, &(reading_set_value_params){
                  .value = (double)(i + v * 1000003), .id = pick(c, i)}, &n), "reading_set_value");
        if (n != 1)
            die("reading_set_value", "no row");
    }
}

static void base_setv(bench_ctx *c)
{
    int64_t v = ++c->version;
    for (int i = c->from; i < c->from + c->n; i++) {
        double value = (double)(i + v * 1000003);
        int64_t id = pick(c, i);
        if (!c->pg) {
            sqlite3_bind_double(c->sq.setv, 1, value);
            sqlite3_bind_int64(c->sq.setv, 2, id);
            sq_step_done(&c->sq, c->sq.setv);
            if (sqlite3_changes(c->sq.db) != 1)
                die("set value", "no row");
        } else {
            char vb[8], ib[8];
            uint64_t u;
            memcpy(&u, &value, 8);
            put64(vb, u);
            put64(ib, (uint64_t)id);
            const char *vals[2] = {vb, ib};
            int l[2] = {8, 8}, f[2] = {1, 1};
            PGresult *res = PQexecPrepared(c->pgb.c, "b_setv", 2, vals, l, f, 1);
            pg_ok(&c->pgb, res, PGRES_COMMAND_OK, "set value");
            if (strcmp(PQcmdTuples(res), "1") != 0)
                die("set value", "no row");
            PQclear(res);
        }
    }
}

static dal_status count_row(const readings *r, void *ctx)
{
    *(int64_t *)ctx += r->seq;
    return DAL_OK;
}

static void gen_iterate(bench_ctx *c)
{
    int64_t total = 0;
    check(c->db, readings_iterate(c->db, count_row, &total), "iterate");
    sink += total;
}

static void base_iterate(bench_ctx *c)
{
    int64_t total = 0;
    readings r;
    if (!c->pg) {
        while (sqlite3_step(c->sq.all) == SQLITE_ROW) {
            sq_read_row(c->sq.all, &r);
            count_row(&r, &total);
            free(r.dal_mem_);
        }
        sqlite3_reset(c->sq.all);
    } else {
        if (!PQsendQueryPrepared(c->pgb.c, "b_all", 0, NULL, NULL, NULL, c->pgb.result_format))
            die("iterate", PQerrorMessage(c->pgb.c));
        PQsetSingleRowMode(c->pgb.c);
        PGresult *res;
        while ((res = PQgetResult(c->pgb.c)) != NULL) {
            if (PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
                pg_read_row(&c->pgb, res, 0, &r);
                count_row(&r, &total);
                free(r.dal_mem_);
            } else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                die("iterate", PQerrorMessage(c->pgb.c));
            }
            PQclear(res);
        }
    }
    sink += total;
}

typedef struct op {
    const char *name;
    void (*gen)(bench_ctx *);
    void (*base)(bench_ctx *);
    int slices; /* each round is cut into this many gen/base pairs */
    bool whole; /* each slice runs the whole operation (iterate) */
} op;

/* A round runs per_round operations on each side, cut into o->slices
 * slices: each slice runs a batch on one side then the same batch on the
 * other (alternating which goes first).  The two batches of a slice run
 * within milliseconds of each other, so a burst of load from other
 * processes (this machine is shared: a PostgreSQL round trip was seen to
 * move by 5x within a minute) falls on both alike; the reported ratio is
 * the median of the ROUNDS * slices per-slice ratios, and the times are the
 * medians of the per-round times. */
static void run_op(bench_ctx *c, const op *o, int per_round, FILE *out)
{
    enum { MAXS = ROUNDS * SLICES };
    double g[ROUNDS], b[ROUNDS], q[MAXS], qc[MAXS];
    int slices = o->slices > 0 && (o->whole || o->slices <= per_round) ? o->slices : 1, nq = 0;
    if (slices > SLICES)
        slices = SLICES;
    for (int r = 0; r < ROUNDS; r++) {
        double wall[2] = {0, 0};
        for (int sl = 0; sl < slices; sl++) {
            c->from = o->whole ? 0 : (int)((int64_t)per_round * sl / slices);
            c->n = o->whole ? per_round : (int)((int64_t)per_round * (sl + 1) / slices) - c->from;
            double w[2] = {0, 0}, cpu[2] = {0, 0};
            for (int k = 0; k < 2; k++) {
                bool gen_turn = (r + sl + k) % 2 == 0;
                /* Start each side with an empty WAL: otherwise whichever side's
                 * commit crosses the auto-checkpoint threshold pays for it. */
                if (!c->pg)
                    check(c->db, dal_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
                double t0 = now_s(), c0 = cpu_s();
                (gen_turn ? o->gen : o->base)(c);
                w[gen_turn] = now_s() - t0;
                cpu[gen_turn] = cpu_s() - c0;
            }
            wall[0] += w[0];
            wall[1] += w[1];
            q[nq] = w[1] / w[0];
            qc[nq++] = cpu[1] / cpu[0];
        }
        double ops = o->whole ? (double)per_round * slices : per_round;
        g[r] = wall[1] * 1e9 / ops;
        b[r] = wall[0] * 1e9 / ops;
    }
    double mg = median(g, ROUNDS), mb = median(b, ROUNDS), mq = median(q, nq);
    double q1 = q[nq / 4], q3 = q[(3 * nq) / 4]; /* q is sorted by median() */
    double mqc = median(qc, nq);
    fprintf(out, "| %-24s | %10.0f | %10.0f | %5.3f | %5.3f-%5.3f | %5.3f |\n", o->name, mb, mg,
            mq, q1, q3, mqc);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench URL [scale]\n");
        return 2;
    }
    const char *url = argv[1];
    double scale = argc > 2 ? atof(argv[2]) : 1.0;
    /* BENCH_SQLITE_GLOBAL=1: SQLite's memory statistics off, set at start-up
     * (dal_sqlite_global_init); =SIZE,COUNT also sets the lookaside */
    const char *sg = getenv("BENCH_SQLITE_GLOBAL");
    if (sg && *sg) {
        dal_sqlite_global g = {0};
        if (strchr(sg, ','))
            sscanf(sg, "%d,%d", &g.lookaside_slot_size, &g.lookaside_slots);
        if (dal_sqlite_global_init(&g) != DAL_OK)
            die("dal_sqlite_global_init", "refused");
        printf("\n(SQLite global settings: memory statistics off, lookaside %s)\n",
               strchr(sg, ',') ? sg : "default");
    }
    bench_ctx c = {0};
    check(c.db, dal_open(url, &c.db), "open");
    c.pg = dal_dialect_of(c.db) == DAL_POSTGRES;
    dal_exec(c.db, "DROP TABLE IF EXISTS \"readings\"");
    check(c.db, schema_create(c.db), "schema_create");
    if (c.pg) {
        c.pgb.result_format = 1;
        pg_open(&c.pgb, c.db);
        pin_pg(c.pgb.c);
    } else {
        sq_open(&c.sq, c.db);
    }
    c.next = 1;
    c.n_insert = (int)((c.pg ? 5000 : 50000) * scale);
    c.n_get = (int)((c.pg ? 5000 : 100000) * scale);
    c.n_update = (int)((c.pg ? 3000 : 50000) * scale);
    c.n_pages = (int)((c.pg ? 500 : 2000) * scale);

    printf("\n%s (%s), %d rounds of %d interleaved slices (iterate: 4 whole runs per round), "
           "wall ns per operation (median of the rounds); ratio = generated/baseline, median "
           "of the per-slice ratios of wall time, their interquartile range, and the median "
           "ratio of this thread's CPU time%s\n\n",
           c.pg ? "PostgreSQL" : "SQLite", c.pg ? "unix socket" : "file, WAL", ROUNDS, SLICES,
           c.pg ? " (the client side only)" : "");
    printf("| %-24s | %10s | %10s | %5s | %11s | %5s |\n", "operation", "baseline", "generated",
           "ratio", "ratio IQR", "CPU ratio");
    printf("|%s|%s|%s|%s|%s|%s|\n", "--------------------------", "-----------:", "-----------:",
           "------:", "------------:", "----------:");
    op insert = {"insert (1 tx per slice)", gen_insert, base_insert, SLICES, false};
    run_op(&c, &insert, c.n_insert, stdout);
    c.max_id = c.next - 1;
    op get = {"get by primary key", gen_get, base_get, SLICES, false};
    run_op(&c, &get, c.n_get, stdout);
    op named = {"named query get by id", named_get, base_get, SLICES, false};
    run_op(&c, &named, c.n_get, stdout);
    op upd = {"update", gen_update, base_update, SLICES, false};
    run_op(&c, &upd, c.n_update, stdout);
    op pages = {"list a page of 100", gen_pages, base_pages, SLICES, false};
    run_op(&c, &pages, c.n_pages, stdout);
    op npages = {"named query :many page", named_pages, base_pages, SLICES, false};
    run_op(&c, &npages, c.n_pages, stdout);
    op nsetv = {"named query :exec update", named_setv, base_setv, SLICES, false};
    run_op(&c, &nsetv, c.n_update, stdout);
    op iter = {"iterate all (per row)", gen_iterate, base_iterate, 4, true};
    run_op(&c, &iter, (int)c.max_id, stdout);
    if (c.pg && !getenv("BENCH_NO_FORMATS")) { /* (skipped under callgrind) */
        /* What binary results buy: the baseline in text format. */
        printf("\nPostgreSQL result format, hand-written code, ns per operation:\n\n");
        printf("| %-24s | %10s | %10s | %5s |\n", "operation", "text", "binary", "ratio");
        printf("|%s|%s|%s|%s|\n", "--------------------------", "------------",
               "------------", "-------");
        op bget = {"get by primary key", base_get, base_get, 1, false};
        op bpages = {"list a page of 100", base_pages, base_pages, 1, false};
        op biter = {"iterate all (per row)", base_iterate, base_iterate, 1, false};
        const op *bops[] = {&bget, &bpages, &biter};
        int per[] = {c.n_get, c.n_pages, (int)c.max_id};
        for (int i = 0; i < 3; i++) {
            double t[2][ROUNDS];
            for (int r = 0; r < ROUNDS; r++)
                for (int f = 0; f < 2; f++) {
                    c.pgb.result_format = f;
                    c.from = 0;
                    c.n = per[i];
                    double t0 = now_s();
                    bops[i]->base(&c);
                    t[f][r] = (now_s() - t0) * 1e9 / per[i];
                }
            double mt = median(t[0], ROUNDS), mb = median(t[1], ROUNDS);
            printf("| %-24s | %10.0f | %10.0f | %5.3f |\n", bops[i]->name, mt, mb, mb / mt);
        }
        c.pgb.result_format = 1;
    }
    if (!c.pg)
        sq_close(&c.sq);
    dal_close(c.db);
    return 0;
}
