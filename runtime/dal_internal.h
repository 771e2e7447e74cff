/*
 * dal_internal.h - private to the runtime sources: the connection and statement
 * structs and the per-engine entry points that dal.c dispatches to.
 */
#ifndef DAL_INTERNAL_H
#define DAL_INTERNAL_H

#include <limits.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "dal.h"

#define DAL_ERRMSG_MAX 1024

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

struct dal_stmt {
    dal_db *db;
    const dal_query *q;
    int nparams;
    dal_status pending;      /* bind error, returned by the next step */
    char pending_msg[128];
    bool running;            /* executed, rows may follow */
    bool stats_open;         /* an execution whose stats are not recorded yet */
    unsigned tweight;        /* this execution's timing weight (dal__time_weight) */
    unsigned ttick;          /* executions of this statement, for timing one in DAL_TIME_SAMPLE */
    uint64_t elapsed_us;
    unsigned nsteps;         /* steps of this execution (stats sampling) */
    int64_t changes;
    /* SQLite */
    sqlite3_stmt *ss;
    int sq_ncols;            /* sqlite3_column_count, at prepare */
    bool sq_ptrs;            /* a binding points into caller memory (SQLITE_STATIC) */
    bool need_reset;         /* stepped since the last reset */
    char *scratch;           /* nparams * 40 bytes: uuid/date text for binds */
    /* PostgreSQL */
    char name[40];           /* <db->stmt_prefix><n>: unique per connection */
    bool prepared;
    bool streaming, stream_req;
    Oid *server_types;       /* from describe (named), NULL otherwise */
    dal_param *params;
    Oid *types;
    const char **values;
    int *lengths, *formats;
    char (*pbuf)[48];        /* per-param wire buffer */
    PGresult *res;
    int row, nrows;
    /* a streaming statement detached by another statement: its remaining
     * single-row results, buffered, then its final status */
    bool detached;
    PGresult **rest;
    int nrest, prest, caprest;
    dal_status rest_status;
    char *rest_msg;
    Oid *ftypes;             /* result column types (load_ftypes: per prepare, or per execution if unnamed) */
    unsigned char *fclass;   /* their decoding class (dal_pg.c), same length */
    int nftypes, capftypes;
    bool ftypes_valid;
    char **colbuf;           /* per-column decode buffers (numeric text, uuid) */
    size_t *colcap;
    int ncolbuf;
};

typedef struct dal_ins_cache {
    struct dal_ins_cache *next;
    const dal_table *t;
    unsigned flags;          /* 1 upsert, 2 returning */
    unsigned char *mask;     /* (ncolumns+7)/8 bytes */
    uint64_t mask64;         /* the first 64 bits of mask (the whole mask up to 64 columns) */
    dal_query q;
    int *cols;               /* the included column indexes */
    int ncols;
    /* PostgreSQL bulk paths, built on first use */
    char *copy_sql;          /* COPY "t" (cols) FROM STDIN (FORMAT binary) */
    dal_query vq;            /* multi-row INSERT ... VALUES of vrows rows */
    int vrows;
} dal_ins_cache;

struct dal_db {
    dal_dialect dialect;
    char err[DAL_ERRMSG_MAX];
    dal_status last;
    int depth;
    int busy_retries;
    dal_stats stats;
    uint64_t slow_threshold;
    dal_slow_fn slow_fn;
    void *slow_ctx;
    dal_log_fn log_fn;
    void *log_ctx;
    /* statement cache: open addressing on the dal_query address */
    struct dal_cache_ent {
        const dal_query *q;
        dal_stmt *st;
    } *cache;
    size_t cache_cap, cache_len;
    unsigned next_stmt_id;
    char stmt_prefix[24];    /* PostgreSQL: "dal_<16 random hex>_", per connection */
    dal_ins_cache *ins;
    dal_stmt *streaming;     /* PostgreSQL: statement in single-row mode */
    /* engines */
    sqlite3 *sq;
    PGconn *pg;
    bool unnamed;
    bool broken;             /* connection lost: reconnect before next use */
    /* pool bookkeeping */
    int64_t pool_last_used_ms;
    void *pool_next;
};

/* Slow paths kept out of line, so that the hot path they branch from needs
 * no stack frame (GCC and Clang otherwise inline a static function called once). */
#if defined(__GNUC__)
#define DAL_NOINLINE __attribute__((noinline))
#else
#define DAL_NOINLINE
#endif

/* dal.c */
dal_status dal__err(dal_db *db, dal_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void dal__ok(dal_db *db) /* success: no error message */
{
    db->err[0] = '\0';
    db->last = DAL_OK;
}
void dal__scrub(char *s);
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
    if (st->db->slow_fn)
        return 1;
    return st->ttick++ % DAL_TIME_SAMPLE == 0 ? DAL_TIME_SAMPLE : 0;
}
/* Counts one execution; us (when weight > 0) is its time, counted weight times. */
void dal__stats_add(dal_db *db, const char *sql, uint64_t us, unsigned weight, bool failed);
/* dal__stats_add, with the common case (untimed, no logger, success) inline. */
static inline void dal__stats_count(dal_db *db, const char *sql, uint64_t us, unsigned weight,
                                    bool failed)
{
    if (weight || failed || db->log_fn)
        dal__stats_add(db, sql, us, weight, failed);
    else
        db->stats.queries++;
}
/* dal__stats_add with weight 1 (always-timed paths: dal_exec, bulk inserts). */
void dal__stats_record(dal_db *db, const char *sql, uint64_t us, bool failed);
void dal__log(dal_db *db, dal_log_level lvl, const char *msg);
void dal__cache_clear(dal_db *db, bool finalize);
void dal__stmt_free(dal_stmt *st);
int dal__civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
int64_t dal__days_from_civil(int y, unsigned m, unsigned d);
bool dal__parse_date(const char *s, size_t len, dal_date *out);
void dal__format_date(dal_date d, char out[16]);
bool dal__parse_uuid(const char *s, size_t len, unsigned char out[16]);
void dal__format_uuid(const unsigned char in[16], char out[37]);
bool dal__parse_time(const char *s, size_t len, dal_time *out);
void dal__format_time(dal_time t, char out[40]);

/* dal_sqlite.c */
dal_status dal__sq_open(dal_db *db, const char *spec);
void dal__sq_close(dal_db *db);
dal_status dal__sq_exec(dal_db *db, const char *sql);
dal_status dal__sq_prepare(dal_db *db, dal_stmt *st);
dal_status dal__sq_step(dal_stmt *st, bool *has_row);
/* The end of an execution: sqlite3_step returned rc (not SQLITE_ROW). */
dal_status dal__sq_stepped(dal_stmt *st, int rc);
void dal__sq_done(dal_stmt *st);
void dal__sq_bind(dal_stmt *st, int i, const dal_param *p);
void dal__sq_bind_failed(dal_stmt *st, int i, int rc); /* records a bind error as pending */
int dal__pg_ncols(dal_stmt *st); /* columns of the current result, 0 without one */
/* Timestamps and dates inside the supported range (DAL_TIME_MIN..MAX,
 * DAL_DATE_MIN..MAX in dal.h); conversions to PostgreSQL's 2000 epoch cannot
 * overflow inside it. */
#define DAL__TIME_OK(v) ((int64_t)(v) >= DAL_TIME_MIN && (int64_t)(v) <= DAL_TIME_MAX)
#define DAL__DATE_OK(v) ((int64_t)(v) >= DAL_DATE_MIN && (int64_t)(v) <= DAL_DATE_MAX)
void dal__range_err(dal_stmt *st, int i, const char *what, int64_t v); /* pending DAL_CHECK */

/* Values the engines would store differently are refused on both with
 * DAL_CHECK before anything is sent: NaN (SQLite turns it into NULL) and
 * text that is not UTF-8 (PostgreSQL rejects it, SQLite would store it). */
bool dal__utf8_ok(const char *s, size_t len);
void dal__value_err(dal_stmt *st, int i, const char *col, const char *what); /* pending DAL_CHECK */
#define NAN_MSG "NaN cannot be stored (SQLite has no NaN; it would become NULL)"
#define UTF8_MSG "text is not valid UTF-8"
/* sqlite3_bind_text's length argument for a string of len bytes */
#define DAL__SQ_LEN(len) ((len) > (size_t)INT_MAX ? -1 : (int)(len))
/* step + done of a statement run in one step (see dal_sqlite.c) */
dal_status dal__sq_once(dal_stmt *st, dal_read_fn read, void *row);
bool dal__sq_is_null(dal_stmt *st, int col);
dal_status dal__sq_col_int(dal_stmt *st, int col, int64_t *out);
dal_status dal__sq_col_float(dal_stmt *st, int col, double *out);
dal_status dal__sq_col_text(dal_stmt *st, int col, const char **out, size_t *len);
dal_status dal__sq_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len);
dal_status dal__sq_col_time(dal_stmt *st, int col, dal_time *out);
dal_status dal__sq_col_date(dal_stmt *st, int col, dal_date *out);
dal_status dal__sq_status(int rc);

/* dal_pg.c */
dal_status dal__pg_open(dal_db *db, const char *conninfo);
void dal__pg_close(dal_db *db);
dal_status dal__pg_ensure(dal_db *db);
void dal__pg_detach(dal_db *db);
dal_status dal__pg_exec(dal_db *db, const char *sql);
dal_status dal__pg_ping(dal_db *db);
dal_status dal__pg_prepare(dal_db *db, dal_stmt *st);
dal_status dal__pg_step(dal_stmt *st, bool *has_row);
void dal__pg_done(dal_stmt *st);
bool dal__pg_is_null(dal_stmt *st, int col);
dal_status dal__pg_col_int(dal_stmt *st, int col, int64_t *out);
dal_status dal__pg_col_float(dal_stmt *st, int col, double *out);
dal_status dal__pg_col_text(dal_stmt *st, int col, const char **out, size_t *len);
dal_status dal__pg_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len);
dal_status dal__pg_col_uuid(dal_stmt *st, int col, char out[37]);
dal_status dal__pg_col_time(dal_stmt *st, int col, dal_time *out);
dal_status dal__pg_col_date(dal_stmt *st, int col, dal_date *out);
dal_status dal__pg_insert_batch(dal_db *db, dal_stmt **sts, const dal_table *t,
                                const void *rows, size_t n, dal_ins_cache **ics);
/* dal_insert_rows on SQLite, inside the caller's transaction/savepoint. */
dal_status dal__sq_insert_rows(dal_db *db, const dal_table *t, const void *rows, size_t n);
/* dal_insert_rows on PostgreSQL, inside the caller's transaction/savepoint:
 * runs of rows with the same column set go through binary COPY (or the
 * method chosen by $DAL_PG_BULK: copy, values, pipeline). */
dal_status dal__pg_insert_rows(dal_db *db, const dal_table *t, const void *rows, size_t n);
/* Decimal text -> PostgreSQL binary numeric; returns bytes written to out
 * (room for 8 + 2 * (strlen(s) / 4 + 3) bytes), or -1 (not a number) or -2
 * (out of the numeric range). */
int dal__numeric_from_text(const char *s, size_t len, unsigned char *out);
dal_status dal__pg_status(const char *sqlstate, const char *msg);
void dal__numeric_to_text(const unsigned char *p, int len, char *out, size_t cap, size_t *outlen);
size_t dal__numeric_text_size(const unsigned char *p, int len);

/* for the descriptor code */
typedef struct dal_span { /* a variable-length column value, located before copying */
    const char *p;
    size_t len;
    const dal_column *c;  /* its column (text, json, decimal or bytes) */
} dal_span;
/* Pass 1 of dal_read_row per engine: fixed-size values into row; each
 * non-NULL text/json/decimal/bytes value appended to sp[*nvar] (sp has room
 * for every column), *total += len + 1 for each. */
dal_status dal__sq_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total);
dal_status dal__pg_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total);
dal_status dal__read_col_generic(dal_stmt *st, int col, const dal_column *c, void *row,
                                 dal_span *sp, int *nvar, size_t *total);
dal_status dal__pg_row_values(dal_stmt *st, dal_value *out, int n);
int dal__pg_opt(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len);
dal_status dal__read_enum(dal_db *db, const dal_column *c, const char *p, size_t len, void *f);
dal_ins_cache *dal__ins_get(dal_db *db, const dal_table *t, const void *row, bool upsert,
                            bool returning);
void dal__bind_row_cols(dal_stmt *st, int first, const dal_table *t, const void *row,
                        const int *cols, int n);
/* Builds ic->vq once: ic's INSERT with `per` rows of VALUES (DAL_NOMEM). */
dal_status dal__ins_values_query(dal_ins_cache *ic, int per);
/* Appends "name" (double quotes doubled) to a growing string; false on OOM. */
typedef struct dal_sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} dal_sbuf;
void dal__sb_add(dal_sbuf *b, const char *s, size_t n);
void dal__sb_str(dal_sbuf *b, const char *s);
void dal__sb_ident(dal_sbuf *b, const char *s);

#endif
