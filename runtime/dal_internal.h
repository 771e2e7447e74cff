/*
 * dal_internal.h - private to the runtime sources: the parts of connections
 * and statements every engine shares, the engine interface (dal_engine), the
 * type table, and what the files of each layer offer the layers above
 * (docs/architecture.md).  It includes no client library header: only
 * dal_sqlite.c sees sqlite3.h and only dal_pg.c sees libpq-fe.h.
 */
#ifndef DAL_INTERNAL_H
#define DAL_INTERNAL_H

#include <string.h>

#include "dal.h"
#include "dal_buf.h"
#include "dal_calendar.h"
#include "dal_codec.h"

#define DAL_ERRMSG_MAX 1024
#define DAL_ERRNAME_MAX 128 /* a constraint, table or column name of an error (PostgreSQL: 63) */
#define DAL_PENDING_MSG_MAX 128 /* a bind error's message */

/* One bound parameter (PostgreSQL keeps binds until execution). */
typedef enum dal_pkind {
    DAL_P_NULL, DAL_P_BOOL, DAL_P_INT, DAL_P_FLOAT32, DAL_P_FLOAT64, DAL_P_TEXT,
    DAL_P_DECIMAL, DAL_P_JSON, DAL_P_UUID, DAL_P_BYTES, DAL_P_TIME, DAL_P_DATE,
    DAL_P_INT16, DAL_P_INT32
} dal_pkind;

typedef struct dal_param {
    dal_pkind kind;
    union {
        int64_t i;
        double f;
        struct {
            const char *p;
            size_t len;
        } s;
    } v;
} dal_param;

typedef struct dal_span { /* a variable-length column value, located before copying */
    const char *p;
    size_t len;
    const dal_column *c;  /* its column (text, json, decimal or bytes) */
} dal_span;
/* Pass 1 of dal_read_row per engine: fixed-size values into row; each
 * non-NULL text/json/decimal/bytes value appended to sp[*nvar] (sp has room
 * for every column), *total += len + 1 for each. */

typedef struct dal_engine dal_engine;

/* A statement, the part every engine shares.  Each engine allocates its own
 * struct with this one as its first member (dal_engine.stmt_size) and keeps
 * its handles and buffers there, so the shared layer never sees them. */
struct dal_stmt {
    /* (The fields every execution touches come first, so that with the
     * engine's own hot fields after them they fill two cache lines.) */
    dal_db *db;
    const dal_engine *eng;   /* db->eng, one load closer on the hot paths */
    const dal_query *q;
    int nparams;
    dal_status pending;      /* bind error, returned by the next step */
    bool running;            /* executed, rows may follow */
    bool stats_open;         /* an execution whose stats are not recorded yet */
    bool prepared;           /* the engine has prepared it (PostgreSQL forgets on reconnect) */
    bool stream_req;         /* dal_stmt_stream before this execution */
    bool rows_buffered;      /* the rows are in memory already: row steps are not timed */
    unsigned tweight;        /* this execution's timing weight (dal__time_weight) */
    unsigned ttick;          /* executions of this statement, for timing one in DAL_TIME_SAMPLE */
    unsigned nsteps;         /* steps of this execution (stats sampling) */
    int64_t changes;
    uint64_t elapsed_us;
    char **dec;              /* nparams canonical decimal texts bound (NULL until one is) */
    char *pending_msg;       /* the bind error's message (malloc'd on the first one) */
};
/* The message of st's pending bind error. */
static inline const char *dal__pending_msg(const dal_stmt *st)
{
    return st->pending_msg ? st->pending_msg : "out of memory";
}

typedef struct dal_ins_cache {
    struct dal_ins_cache *next;
    const dal_table *t;
    unsigned flags;          /* 1 upsert, 2 returning, 4 an UPDATE of a column set (dal_row.c) */
    unsigned char *mask;     /* (ncolumns+7)/8 bytes */
    uint64_t mask64;         /* the first 64 bits of mask (the whole mask up to 64 columns) */
    dal_query q;
    int *cols;               /* the bound column indexes: the INSERT's columns, or the
                              * UPDATE's SET columns then its key */
    int ncols;
    int identity;            /* the identity column's index when included (explicit id), else -1 */
    /* PostgreSQL bulk paths, built on first use */
    char *copy_sql;          /* COPY "t" (cols) FROM STDIN (FORMAT binary) */
    dal_query vq;            /* multi-row INSERT ... VALUES of vrows rows */
    int vrows;
} dal_ins_cache;

/* A connection, the part every engine shares; engines embed it first in
 * their own struct (dal_engine.db_size), as for statements. */
struct dal_db {
    /* (The fields every execution touches first: see dal_stmt.) */
    const dal_engine *eng;   /* the engine it was opened with (dal_open.c) */
    dal_dialect dialect;
    dal_status last;
    /* statement cache: open addressing on the dal_query address */
    struct dal_cache_ent {
        const dal_query *q;
        dal_stmt *st;
    } *cache;
    size_t cache_cap, cache_len;
    dal_slow_fn slow_fn;
    dal_log_fn log_fn;
    dal_stats stats;
    char err[DAL_ERRMSG_MAX];
    /* The last error's details (dal_errconstraint and friends): cleared by
     * every recorded error, filled by the engine right after it
     * (dal__err_detail), shown only while last != DAL_OK. */
    int err_code;
    char err_sqlstate[6];
    char err_constraint[DAL_ERRNAME_MAX], err_table[DAL_ERRNAME_MAX], err_column[DAL_ERRNAME_MAX];
    int depth;
    int busy_retries;
    uint64_t slow_threshold;
    void *slow_ctx;
    void *log_ctx;
    unsigned next_stmt_id;
    char stmt_prefix[24];    /* PostgreSQL: "dal_<16 random hex>_", per connection */
    dal_ins_cache *ins;
    bool broken;             /* connection lost: reconnect before next use */
    size_t batch_failed;     /* 1 + the index of the item the last batch failed at; 0: none */
    /* pool bookkeeping */
    int64_t pool_last_used_ms;
    void *pool_next;
};

/* Slow paths kept out of line, so that the hot path they branch from needs
 * no stack frame (GCC and Clang otherwise inline a static function called once). */
/* DAL_COLD marks the error paths (and the functions that record errors):
 * the compiler moves the branches that reach them out of the hot code, so the
 * few cache lines a warm insert or get runs through hold only its own
 * instructions.  SQLite's code around them then stays in the instruction
 * cache (callgrind: a single-row insert missed it 67 times more than the
 * hand-written loop, now 24).  DAL_HOT marks the functions every row or
 * statement runs through (binds, the statement cache, the engines' step,
 * once and row loops): GCC places them together in .text.hot, so they share
 * cache lines with each other wherever the linker puts the runtime's files.
 * DAL_UNLIKELY marks a test whose other branch is the hot path. */
#if defined(__GNUC__)
#define DAL_NOINLINE __attribute__((noinline))
#define DAL_COLD __attribute__((cold))
#define DAL_HOT __attribute__((hot))
#define DAL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DAL_NOINLINE
#define DAL_COLD
#define DAL_HOT
#define DAL_UNLIKELY(x) (x)
#endif

/* dal_error.c (a leaf) */
dal_status dal__err(dal_db *db, dal_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), cold))
#endif
    ;
static inline void dal__ok(dal_db *db) /* success: no error message */
{
    db->err[0] = '\0';
    db->last = DAL_OK;
}
/* The details of the error just recorded with dal__err (any may be 0 or
 * NULL): the engine's code (SQLite extended result code), the SQLSTATE
 * (PostgreSQL), the constraint, table and column it names. */
void dal__err_detail(dal_db *db, int code, const char *sqlstate, const char *constraint,
                     const char *table, const char *column);
void dal__scrub(char *s);
void dal__log(dal_db *db, dal_log_level lvl, const char *msg);

/* dal_stats.c (a leaf) */
uint64_t dal__now_us(void);
void dal__sleep_us(uint64_t us); /* restarts after signals */
/* Statement timing costs two clock reads (~25 ns each on the bench machine),
 * as much as binding a few parameters: while no slow hook is set, one
 * execution in DAL_TIME_SAMPLE of each statement is timed and its time
 * counted that many times (dal_stats.total_us is an estimate; counting per
 * statement, so that a loop of a few statements does not time only one of
 * them); with a slow hook every execution is timed.  Returns the weight of
 * st's execution about to run (0: not timed). */
enum { DAL_TIME_SAMPLE = 16 };
static inline unsigned dal__time_weight(dal_stmt *st)
{
    if (DAL_UNLIKELY(st->db->slow_fn))
        return 1;
    return DAL_UNLIKELY(st->ttick++ % DAL_TIME_SAMPLE == 0) ? DAL_TIME_SAMPLE : 0;
}
/* Row steps of a timed execution are sampled: one in DAL_STEP_SAMPLE is timed
 * and counted that many times (a clock read costs a good part of a row step). */
enum { DAL_STEP_SAMPLE = 16 };
/* Counts one execution; us (when weight > 0) is its time, counted weight times. */
void dal__stats_add(dal_db *db, const char *sql, uint64_t us, unsigned weight, bool failed);
/* dal__stats_add, with the common case (untimed, no logger, success) inline. */
static inline void dal__stats_count(dal_db *db, const char *sql, uint64_t us, unsigned weight,
                                    bool failed)
{
    if (DAL_UNLIKELY(weight || failed || db->log_fn))
        dal__stats_add(db, sql, us, weight, failed);
    else
        db->stats.queries++;
}
/* dal__stats_add with weight 1 (always-timed paths: dal_exec, bulk inserts). */
void dal__stats_record(dal_db *db, const char *sql, uint64_t us, bool failed);


/* How dal_fetch_all reads each row: with values set, the row's nv values
 * into v (the caller's buffer, dal_row_values) and then values(st, v, row);
 * else read(st, row). */
typedef struct dal_reader {
    dal_read_fn read;
    dal_values_fn values;
    dal_value *v;
    int nv;
} dal_reader;

/* Reads one row by r into row, its values (with r->values) already in r->v:
 * the step of the engines' read_rest loops after they have filled r->v. */
static inline dal_status dal__reader_run(dal_stmt *st, const dal_reader *r, void *row)
{
    return r->values ? r->values(st, r->v, row) : r->read(st, row);
}

/* ---------------------------------------------------------------------- */
/* The engine interface                                                    */
/* ---------------------------------------------------------------------- */

/* One table of operations per engine (dal_sqlite.c: dal__sqlite_engine,
 * dal_pg.c: dal__pg_engine), chosen by dal_open from the URL and reached
 * through db->eng / st->eng only, like SQLite's VFS: the shared layer
 * (dal.c, dal_row.c) never names an engine function, and only the engine
 * files include their client library's header.  An operation marked
 * "may be NULL" is skipped (or its generic default used) when absent.
 *
 * Statement operations get a statement prepared by this engine, never
 * NULL; the public functions check their arguments first.  Column readers
 * return "column N is NULL" (DAL_ERROR) for NULL unless said otherwise. */
struct dal_engine {
    const char *name;               /* "sqlite", "postgresql" */
    dal_dialect dialect;
    size_t db_size, stmt_size;      /* the engine's structs, dal_db / dal_stmt first */
    const char *begin_sql;          /* the outermost BEGIN */

    /* connections */
    dal_status (*open)(dal_db *db, const char *url);   /* url without "sqlite:" */
    void (*close)(dal_db *db);      /* also after a failed open */
    dal_status (*exec)(dal_db *db, const char *sql);   /* counted and timed */
    dal_status (*ping)(dal_db *db);
    void *(*native_handle)(dal_db *db);
    bool (*healthy)(dal_db *db);    /* may be NULL (always): the pool's check at release */
    /* may be NULL (never): without a round trip, has the server closed this
     * idle connection (restart, idle timeout, terminated)?  The pool's
     * check at acquire; true leaves it to reconnect on next use */
    bool (*closed)(dal_db *db);
    dal_status (*ensure)(dal_db *db); /* may be NULL: before a statement starts (reconnect) */
    void (*rollback_open)(dal_db *db); /* may be NULL: after the outermost level ended
                                        * in error, end what the engine still has open */
    void (*end_streams)(dal_db *db); /* may be NULL: before the statement cache is cleared */

    /* statements */
    dal_status (*prepare)(dal_db *db, dal_stmt *st); /* sets st->prepared */
    bool (*warm)(dal_stmt *st);     /* may be NULL (always): dal_stmt_start's fast path may reuse it */
    void (*started)(dal_stmt *st);  /* may be NULL: the slow start is about to hand it out */
    void (*forget)(dal_stmt *st);   /* may be NULL: drop results before st->prepared is cleared */
    void (*stmt_free)(dal_stmt *st); /* the engine's part; the struct itself is freed by dal.c */
    /* dal_stmt_step itself (has_row not NULL): the engine's fast path for
     * the next row, dal__step_slow for everything else */
    dal_status (*step)(dal_stmt *st, bool *has_row);
    /* one raw step for dal__step_slow (which does the bookkeeping) */
    dal_status (*exec_step)(dal_stmt *st, bool *has_row);
    void (*done)(dal_stmt *st);     /* end of an execution (reset, clear results) */
    /* may be NULL: run a bound, idle statement start to finish in one step
     * (read NULL: a write; else its first row read, none DAL_NOT_FOUND) */
    dal_status (*once)(dal_stmt *st, dal_read_fn read, void *row);
    /* may be NULL: dal_fetch_all's loop for a running, untimed execution
     * on its first unread row: reads it and every following one as r says
     * into *arr (*cap rows of size bytes, grown as needed, *n of them
     * filled), then ends the execution as dal_stmt_step does after the
     * last row */
    dal_status (*read_rest)(dal_stmt *st, const dal_reader *r, size_t size, char **arr,
                            size_t *n, size_t *cap);

    /* binds: i in 1..nparams checked by the caller for bind; the typed
     * ones check it themselves (their fast path is a tail call) */
    void (*bind)(dal_stmt *st, int i, const dal_param *p);
    void (*bind_null)(dal_stmt *st, int i);
    void (*bind_int)(dal_stmt *st, int i, int64_t v, dal_pkind kind);
    void (*bind_float)(dal_stmt *st, int i, double v, dal_pkind kind);
    void (*bind_text)(dal_stmt *st, int i, const char *v, size_t len); /* v: valid UTF-8 */
    /* a struct's columns, first..first+n-1 within 1..nparams */
    void (*bind_row_cols)(dal_stmt *st, int first, const dal_table *t, const void *row,
                          const int *cols, int n);

    /* column readers */
    int (*ncols)(dal_stmt *st);     /* columns of the current result (0 without one) */
    bool (*is_null)(dal_stmt *st, int col);
    dal_status (*col_int)(dal_stmt *st, int col, int64_t *out);
    dal_status (*col_float)(dal_stmt *st, int col, double *out);
    dal_status (*col_text)(dal_stmt *st, int col, const char **out, size_t *len);
    dal_status (*col_bytes)(dal_stmt *st, int col, const unsigned char **out, size_t *len);
    /* uuid, time, date: the caller has checked the value is not NULL */
    dal_status (*col_uuid)(dal_stmt *st, int col, char out[37]);
    dal_status (*col_time)(dal_stmt *st, int col, dal_time *out);
    dal_status (*col_date)(dal_stmt *st, int col, dal_date *out);
    /* The dal_col_opt_* fast path: 1 NULL, 2 a value of the expected kind
     * read into *out (fixed-size types) or p, len (text, bytes), 0 for
     * the generic path (other kinds, errors, columns out of range). */
    int (*col_opt)(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len);
    dal_status (*row_values)(dal_stmt *st, dal_value *out, int n); /* n checked >= 0 */
    /* pass 1 of dal_read_row (see dal_span below) */
    dal_status (*read_cols)(dal_stmt *st, int first, const dal_table *t, void *row,
                            dal_span *sp, int *nvar, size_t *total);

    /* dal_insert_rows inside the caller's transaction or savepoint */
    dal_status (*insert_rows)(dal_db *db, const dal_table *t, const void *rows, size_t n);
    /* may be NULL (SQLite: the rowid already continues after the largest):
     * rows with explicit values up to max were written into identity column
     * c of t; make the generated ids continue after max */
    dal_status (*identity_written)(dal_db *db, const dal_table *t, const dal_column *c,
                                   int64_t max);

    /* May be NULL (dal_batch.c then opens a transaction or savepoint with
     * dal_begin and runs st once per item).  dal_exec_batch's work: st is
     * started and idle; the caller has checked the arguments and n > 0.
     * Runs st for items (item i at items + i * size, bound by bind), all or
     * nothing at any transaction depth: the engine opens and ends its own
     * transaction (depth 0) or savepoint "dal_sp<depth>" (depth > 0), and
     * leaves nothing applied and the depth unchanged on error.  Sets
     * affected[i] (when not NULL) to item i's changed rows; with need_row an
     * item that changes none fails with DAL_NOT_FOUND (no message: the caller
     * writes it).  On error *failed is the index of the failing item, or
     * DAL_NO_ITEM when the failure is not one item's (the transaction's own
     * statements, the connection); the engine's message is recorded. */
    dal_status (*exec_batch)(dal_stmt *st, dal_bind_item_fn bind, const char *items, size_t size,
                             size_t n, bool need_row, int64_t *affected, size_t *failed);

    /* Room for operations later work adds, each NULL until an engine has it:
     *   describe:   the result columns (names, types) and parameter types of
     *               a prepared statement (PostgreSQL: PQdescribePrepared, SQLite:
     *               sqlite3_column_decltype / parameter count);
     *   introspect: the tables and columns of the live database (PostgreSQL:
     *               information_schema, SQLite: sqlite_schema + pragma table_info).
     * Their signatures are settled with their first user; callers test
     * for NULL, so an engine without one keeps working. */
    void (*describe)(void);
    void (*introspect)(void);
};

/* The engine can run st start to finish in one step (its once operation):
 * an idle statement with no stats entry open. */
static inline bool dal__once_ready(const dal_stmt *st)
{
    return st->eng->once && !st->running && !st->stats_open;
}

extern const dal_engine dal__sqlite_engine;
extern const dal_engine dal__pg_engine;

/* dal.c: ends the level dal_begin opened for an all-or-nothing write:
 * commits it when s is DAL_OK, else rolls it back keeping s and its message. */
dal_status dal__end_level(dal_db *db, dal_status s);
/* dal.c: what the engines use of the shared statement layer */
void dal__cache_clear(dal_db *db, bool finalize); /* finalize: free; else forget (reconnect) */
/* dal_stmt_step's generic path: pending bind errors, timing, stats, then
 * st->eng->exec_step */
dal_status dal__step_slow(dal_stmt *st, bool *has_row);
/* A running execution ended with s (no more rows, or an error). */
dal_status dal__step_finish(dal_stmt *st, dal_status s);
/* The typed readers by field size: an integer column into an integer field
 * of `size` bytes (1: bool, any nonzero true; 2 and 4 range-checked as
 * dal_col_int16/int32), a float column into a float (4) or double (8). */
dal_status dal__col_int_into(dal_stmt *st, int col, void *out, unsigned size);
dal_status dal__col_float_into(dal_stmt *st, int col, void *out, unsigned size);
/* Timestamps and dates inside the supported range (DAL_TIME_MIN..MAX,
 * DAL_DATE_MIN..MAX in dal.h); conversions to PostgreSQL's 2000 epoch cannot
 * overflow inside it. */
#define DAL__TIME_OK(v) ((int64_t)(v) >= DAL_TIME_MIN && (int64_t)(v) <= DAL_TIME_MAX)
#define DAL__DATE_OK(v) ((int64_t)(v) >= DAL_DATE_MIN && (int64_t)(v) <= DAL_DATE_MAX)
/* Records a refused bind as the statement's pending error, reported by the
 * next step; the first one of an execution wins.  Every binder's refusal
 * (range, NaN, UTF-8, enum, NULL bytes, parameter index) goes through it. */
void dal__bind_fail(dal_stmt *st, dal_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), cold))
#endif
    ;
DAL_COLD void dal__range_err(dal_stmt *st, int i, const char *what, int64_t v); /* pending DAL_CHECK */
/* Values the engines would store differently are refused on both with
 * DAL_CHECK before anything is sent: NaN (SQLite turns it into NULL) and
 * text that is not UTF-8 (PostgreSQL rejects it, SQLite would store it;
 * dal__utf8_ok is in dal_codec.h). */
DAL_COLD void dal__value_err(dal_stmt *st, int i, const char *col, const char *what); /* pending DAL_CHECK */
/* Binds decimal text v of column col (NULL: a parameter) in its canonical
 * form for decimal(precision, scale) (-1: no typmod); DAL_CHECK pending for
 * text that is not a finite decimal or does not fit. */
void dal__bind_decimal(dal_stmt *st, int i, const char *col, const char *v, int precision,
                       int scale);
#define NAN_MSG "NaN cannot be stored (SQLite has no NaN; it would become NULL)"
#define UTF8_MSG "text is not valid UTF-8"
/* "column N is NULL" (DAL_ERROR), or DAL_MISUSE for a column past the row. */
dal_status dal__col_null_err(dal_stmt *st, int col);
/* The checked bind: index range, then st->eng->bind (errors wait for the step). */
void dal__bind_p(dal_stmt *st, int i, dal_param p);
dal_status dal__read_enum(dal_db *db, const dal_column *c, const char *p, size_t len, void *f);

/* dal_row.c: the type table.  How a schema type's field is stored in a
 * generated struct and bound, for the generic (descriptor-driven) paths. */
typedef enum dal_tkind {
    DAL_TK_INT,   /* bool, int16/32/64, timestamp, date: an integer of `size` bytes */
    DAL_TK_FLOAT, /* float32/64 */
    DAL_TK_STR,   /* text, decimal, json: char * (NULL for NULL) */
    DAL_TK_BYTES, /* dal_bytes */
    DAL_TK_UUID,  /* char[37] ("" for NULL) */
    DAL_TK_ENUM   /* int, the index into enum_values; bound as its name */
} dal_tkind;
typedef struct dal_type_info {
    const char *name;   /* the schema's name of the type */
    unsigned char size; /* bytes of the struct field */
    unsigned char kind; /* dal_tkind */
    dal_pkind pkind;    /* how a value is bound */
} dal_type_info;
extern const dal_type_info dal__types[]; /* indexed by dal_type */
/* An integer field of size 1, 2, 4 or 8 bytes (bool is 0 or 1), or a float of 4 or 8. */
static inline int64_t dal__load_int(const char *f, unsigned size)
{
    switch (size) {
    case 1: { unsigned char v; memcpy(&v, f, 1); return v; }
    case 2: { int16_t v; memcpy(&v, f, 2); return v; }
    case 4: { int32_t v; memcpy(&v, f, 4); return v; }
    default: { int64_t v; memcpy(&v, f, 8); return v; }
    }
}
/* A string field (text, json, decimal: a char pointer, NULL for NULL). */
static inline const char *dal__str_field(const char *f)
{
    const char *v;
    memcpy(&v, f, sizeof v);
    return v;
}
static inline double dal__load_float(const char *f, unsigned size)
{
    if (size == sizeof(float)) {
        float v;
        memcpy(&v, f, sizeof v);
        return (double)v;
    }
    double v;
    memcpy(&v, f, sizeof v);
    return v;
}

/* dal_row.c: the descriptor code the engines build on */
#define FIELD(row, off) ((const char *)(row) + (off))
#define WFIELD(row, off) ((char *)(row) + (off))
/* A nullable field's has_ flag (true for columns without one). */
static inline bool has_value(const dal_column *c, const void *row)
{
    if (c->has_offset == DAL_NO_HAS)
        return true;
    bool h;
    memcpy(&h, FIELD(row, c->has_offset), sizeof h);
    return h;
}
/* Reads column col into the row's field by the public typed readers (any
 * engine, any storage class): an engine's read_cols falls back to it. */
dal_status dal__read_col_generic(dal_stmt *st, int col, const dal_column *c, void *row,
                                 dal_span *sp, int *nvar, size_t *total);
/* Reads every column of t (result columns first..) by dal__read_col_generic:
 * an engine's read_cols when its result is not the shape it decodes itself. */
dal_status dal__read_cols_generic(dal_stmt *st, int first, const dal_table *t, void *row,
                                  dal_span *sp, int *nvar, size_t *total);

/* dal_fetch_all's array of rows (size bytes each; n filled of cap): room
 * for one more, doubling it when full; DAL_NOMEM recorded on st's
 * connection when that fails (the array is then unchanged). */
dal_status dal__rows_grow(dal_stmt *st, size_t size, char **arr, size_t *cap);
static inline dal_status dal__rows_room(dal_stmt *st, size_t size, char **arr, size_t n,
                                        size_t *cap)
{
    return n < *cap ? DAL_OK : dal__rows_grow(st, size, arr, cap);
}

/* Helpers of the engines' read_cols loops, which keep the span count and the
 * bytes to copy in locals (a store into the row may alias anything, so a
 * counter behind a pointer would be reloaded after every store); inlined,
 * the locals stay in registers. */

/* Sets a nullable field's has_ flag: the column is not NULL. */
static inline void dal__mark_has(const dal_column *c, void *row)
{
    if (c->has_offset != DAL_NO_HAS) {
        bool h = true;
        memcpy((char *)row + c->has_offset, &h, sizeof h);
    }
}

/* Locates a variable-length value of column c, copied into the row's one
 * allocation after the pass (len bytes and a terminating NUL). */
static inline void dal__span_add(dal_span *sp, int *nv, size_t *tot, const dal_column *c,
                                 const char *p, size_t len)
{
    sp[*nv].p = p;
    sp[*nv].len = len;
    sp[*nv].c = c;
    ++*nv;
    *tot += len + 1;
}

/* dal__read_col_generic for one column of the loop, on its local counters. */
static inline dal_status dal__read_col_spill(dal_stmt *st, int col, const dal_column *c,
                                             void *row, dal_span *sp, int *nv, size_t *tot)
{
    int n = *nv;
    size_t t = *tot;
    dal_status s = dal__read_col_generic(st, col, c, row, sp, &n, &t);
    *nv = n;
    *tot = t;
    return s;
}
/* Binds through the public dal_bind_* calls: an engine's bind_row_cols
 * falls back to it for the rare types. */
void dal__bind_cols_generic(dal_stmt *st, int first, const dal_table *t, const void *row,
                            const int *cols, int n);
/* The pending MISUSE of an enum field out of range. */
void dal__enum_range_err(dal_stmt *st, const dal_column *c, int v);
/* The name of enum field f's value, or NULL with that MISUSE pending. */
static inline const char *dal__enum_name(dal_stmt *st, const dal_column *c, const char *f)
{
    int v;
    memcpy(&v, f, sizeof v);
    if (v < 0 || v >= c->enum_count) {
        dal__enum_range_err(st, c, v);
        return NULL;
    }
    return c->enum_values[v];
}
dal_ins_cache *dal__ins_get(dal_db *db, const dal_table *t, const void *row, bool upsert,
                            bool returning);
/* The plain INSERT of rows[k] and, in *end, the end of the run of rows from k
 * that have the same column set (a bulk insert sends each run as one
 * statement kind); NULL with DAL_NOMEM recorded when out of memory. */
dal_ins_cache *dal__ins_run(dal_db *db, const dal_table *t, const char *rows, size_t k,
                            size_t n, size_t *end);
void dal__ins_free(dal_db *db);
void dal__bind_row_cols(dal_stmt *st, int first, const dal_table *t, const void *row,
                        const int *cols, int n);
/* Builds ic->vq once: ic's INSERT with `per` rows of VALUES (DAL_NOMEM). */
dal_status dal__ins_values_query(dal_ins_cache *ic, int per);

#endif
