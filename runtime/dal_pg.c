/*
 * dal_pg.c - the PostgreSQL engine of the runtime (libpq): the operations of
 * dal__pg_engine (end of this file), the only file that includes libpq-fe.h.
 *
 * Named prepared statements "dal_<random>_<n>" (prepared and described once
 * per connection, so that every bind is converted to the parameter type the
 * server inferred), or unnamed statements (PQexecParams each time, typed by
 * the bind calls) with dal_statements=unnamed.  The random part is drawn per
 * connection: behind a pooler that shares server connections between
 * clients, one client's name can never run another client's statement.  A
 * transaction-mode pooler is detected at open (the backend's pid differs from
 * the one the connection was given) and then unnamed statements are used
 * unless the URL says dal_statements=named.  Parameters go in binary for
 * bool, ints, floats, bytea, uuid, timestamp(tz) and date, as text otherwise;
 * results always come back in binary and are decoded per column type.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "dal_internal.h"

/* The engine's connection and statement: the shared parts first. */
typedef struct pg_db {
    dal_db base;
    PGconn *pg;
    bool unnamed;            /* dal_statements=unnamed (or a pooler): no named prepared statements */
    char stmt_prefix[24];    /* "dal_<16 random hex>_", per connection */
    dal_stmt *streaming;     /* the statement in single-row mode */
} pg_db;

typedef struct pg_stmt {
    dal_stmt base;
    char name[40];           /* <stmt_prefix><n>: unique per connection */
    bool streaming;
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
    unsigned char *fclass;   /* their decoding class, same length */
    int nftypes, capftypes;
    bool ftypes_valid;
    char **colbuf;           /* per-column decode buffers (numeric text, uuid) */
    size_t *colcap;
    int ncolbuf;
} pg_stmt;

#define PGDB(db) ((pg_db *)(db))
#define PG(st) ((pg_stmt *)(st))

static dal_status dal__pg_status(const char *ss, const char *msg);
static dal_status dal__pg_open(dal_db *db, const char *url);
static void dal__pg_close(dal_db *db);
static dal_status dal__pg_ensure(dal_db *db);
static dal_status dal__pg_exec(dal_db *db, const char *sql);
static dal_status dal__pg_ping(dal_db *db);
static dal_status dal__pg_prepare(dal_db *db, dal_stmt *st);
static void dal__pg_detach(dal_db *db);
static dal_status dal__pg_step(dal_stmt *st, bool *has_row);
static void dal__pg_done(dal_stmt *st);
static bool dal__pg_is_null(dal_stmt *st, int col);
static dal_status dal__pg_col_int(dal_stmt *st, int col, int64_t *out);
static dal_status dal__pg_col_float(dal_stmt *st, int col, double *out);
static dal_status dal__pg_col_text(dal_stmt *st, int col, const char **out, size_t *len);
static dal_status dal__pg_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len);
static dal_status dal__pg_col_uuid(dal_stmt *st, int col, char out[37]);
static dal_status dal__pg_col_time(dal_stmt *st, int col, dal_time *out);
static dal_status dal__pg_col_date(dal_stmt *st, int col, dal_date *out);
static dal_status dal__pg_insert_batch(dal_db *db, dal_stmt **sts, const dal_table *t, const void *rows,
                                size_t n, dal_ins_cache **ics);
static int dal__pg_opt(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len);
static dal_status dal__pg_row_values(dal_stmt *st, dal_value *out, int n);
static dal_status dal__pg_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total);
static dal_status dal__pg_insert_rows(dal_db *db, const dal_table *t, const void *rowsv, size_t n);

enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_CHAR = 18, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21,
    OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26, OID_JSON = 114, OID_FLOAT4 = 700,
    OID_FLOAT8 = 701, OID_UNKNOWN = 705, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_DATE = 1082,
    OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_UUID = 2950,
    OID_JSONB = 3802
};

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 - 1970-01-01 in us */
#define PG_EPOCH_DAYS 10957
/* Parameters per prepared statement.  The protocol counts them in 16 bits
 * (65535), but describing a prepared statement returns 4 bytes a parameter,
 * and libpq drops the connection ("lost synchronization with server") on a
 * ParameterDescription longer than 30000 bytes: (30000 - 6) / 4. */
#define PG_MAX_PARAMS 7498

/* ---------------------------------------------------------------------- */
/* errors                                                                  */
/* ---------------------------------------------------------------------- */

static dal_status dal__pg_status(const char *ss, const char *msg)
{
    if (!ss || strlen(ss) != 5)
        return DAL_ERROR;
    if (!strcmp(ss, "23505") || !strcmp(ss, "23P01"))
        return DAL_DUPLICATE;
    if (!strcmp(ss, "23503"))
        return DAL_FOREIGN_KEY;
    if (!strcmp(ss, "23514") || !strcmp(ss, "22001"))
        return DAL_CHECK;
    /* a value too large for numeric(p,s): DAL_CHECK, as the runtime's own
     * decimal check (22003 is also integer overflow in SQL: DAL_ERROR, as
     * on SQLite) */
    if (!strcmp(ss, "22003") && msg && strstr(msg, "numeric field overflow"))
        return DAL_CHECK;
    if (!strcmp(ss, "23502"))
        return DAL_NOT_NULL;
    if (!strcmp(ss, "40001") || !strcmp(ss, "40P01") || !strcmp(ss, "55P03") ||
        !strcmp(ss, "57014"))
        return DAL_BUSY;
    if (!strncmp(ss, "08", 2) || !strcmp(ss, "57P01") || !strcmp(ss, "57P02") ||
        !strcmp(ss, "57P03") || !strcmp(ss, "53300"))
        return DAL_CONN;
    if (!strcmp(ss, "53200"))
        return DAL_NOMEM;
    if (!strcmp(ss, "22P02") && msg && strstr(msg, "enum"))
        return DAL_CHECK;
    return DAL_ERROR;
}

/* Records the error of res (or of the connection when res has none). */
static dal_status pg_error(dal_db *db, const PGresult *res)
{
    const char *ss = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    dal_status s = dal__pg_status(ss, prim);
    if (PQstatus(PGDB(db)->pg) == CONNECTION_BAD) {
        db->broken = true;
        s = DAL_CONN;
    }
    /* 26000 (no such prepared statement) and 42P05 (already exists) on a
     * named statement: the server connection changed under us. */
    const char *hint = "";
    if (ss && !PGDB(db)->unnamed && (!strcmp(ss, "26000") || !strcmp(ss, "42P05")))
        hint = "; the connection seems to go through a pooler in transaction mode (such as "
               "PgBouncer): add dal_statements=unnamed to the URL";
    if (prim)
        dal__err(db, s, "%s%s%s%s [%s]%s", prim, cons ? " (constraint " : "", cons ? cons : "",
                 cons ? ")" : "", ss ? ss : "", hint);
    else {
        const char *m = res ? PQresultErrorMessage(res) : "";
        if (!m || !*m)
            m = PQerrorMessage(PGDB(db)->pg);
        if (s == DAL_ERROR && !ss && PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
            db->broken = true;
            s = DAL_CONN;
        }
        dal__err(db, s, "%s", m && *m ? m : "unknown PostgreSQL error");
    }
    /* the column only where SQLite can say it too (NOT NULL) */
    dal__err_detail(db, 0, ss, cons, res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL,
                    res && s == DAL_NOT_NULL ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME)
                                             : NULL);
    return s;
}

/* ---------------------------------------------------------------------- */
/* connections                                                             */
/* ---------------------------------------------------------------------- */

static dal_status session_setup(dal_db *db)
{
    const char *tz = PQparameterStatus(PGDB(db)->pg, "TimeZone");
    if (tz && strcmp(tz, "UTC") == 0)
        return DAL_OK;
    PGresult *r = PQexec(PGDB(db)->pg, "SET TimeZone TO 'UTC'");
    dal_status s = DAL_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        s = pg_error(db, r);
    PQclear(r);
    return s;
}

/* Removes the dalc-only key dal_statements=VALUE from a URL query or a
 * conninfo string; returns the value (or NULL) in *val. */
static char *strip_dal_key(const char *url, char val[16], bool *bad)
{
    char *s = strdup(url);
    val[0] = '\0';
    *bad = false;
    if (!s)
        return NULL;
    char *k = strstr(s, "dal_statements");
    if (!k)
        return s;
    char *p = k + strlen("dal_statements");
    while (*p == ' ')
        p++;
    if (*p != '=') {
        *bad = true;
        return s;
    }
    p++;
    while (*p == ' ')
        p++;
    size_t vl = strcspn(p, "& \t");
    if (vl >= 16) {
        *bad = true;
        return s;
    }
    memcpy(val, p, vl);
    val[vl] = '\0';
    char *end = p + vl;
    /* remove with one separator */
    if (k > s && (k[-1] == '&')) {
        k--;
    }
    else if (*end == '&' || *end == ' ' || *end == '\t') {
        end++;
    }
    else if (k > s && k[-1] == '?') {
        k--; /* the only query parameter */
    }
    memmove(k, end, strlen(end) + 1);
    return s;
}

/* Server notices (NOTICE, WARNING) go to the logger, never to stderr. */
static void on_notice(void *arg, const char *msg)
{
    dal_db *db = arg;
    if (!db->log_fn)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", msg);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    dal__log(db, DAL_LOG_DEBUG, buf);
}

/* 16 random hex digits per connection for statement names: from
 * /dev/urandom, or (where it cannot be read) from the clock, the pid and an
 * address, which still differ between any two live connections. */
static void stmt_prefix(dal_db *db)
{
    uint64_t r = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, &r, sizeof r) != (ssize_t)sizeof r)
            r = 0;
        close(fd);
    }
    if (r == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec << 20 ^
            (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)db;
    }
    snprintf(PGDB(db)->stmt_prefix, sizeof PGDB(db)->stmt_prefix, "dal_%016llx_", (unsigned long long)r);
}

/* A pooler that hands out server connections per transaction answers the
 * startup with its own backend key: the pid it gives differs from the pid
 * of the server process that runs our queries.  Named statements cannot
 * work there (each lives in one server process), so unnamed ones are used. */
static dal_status detect_pooler(dal_db *db)
{
    PGresult *r = PQexec(PGDB(db)->pg, "SELECT pg_backend_pid()");
    dal_status s = DAL_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        s = pg_error(db, r);
    else if (atoi(PQgetvalue(r, 0, 0)) != PQbackendPID(PGDB(db)->pg)) {
        PGDB(db)->unnamed = true;
        dal__log(db, DAL_LOG_INFO,
                 "PostgreSQL: the connection goes through a pooler (backend pid differs): "
                 "using unnamed statements, as with dal_statements=unnamed");
    }
    PQclear(r);
    return s;
}

/* Removes every occurrence of `secret` (len >= 1) from msg in place. */
static void cut_secret(char *msg, const char *secret, size_t len)
{
    if (len == 0)
        return;
    char *p;
    while ((p = strstr(msg, secret)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + len, strlen(p + len) + 1);
    }
}

/* Copies the value of a password in url (a URI's user:password@ or
 * ?password=, or a conninfo's password=value / password='value') into out;
 * empty when there is none. */
static void find_password(const char *url, char *out, size_t cap)
{
    out[0] = '\0';
    const char *v = NULL;
    size_t n = 0;
    const char *scheme = strstr(url, "://");
    if (scheme && (!strncmp(url, "postgres", 8))) {
        const char *auth = scheme + 3;
        size_t alen = strcspn(auth, "@/?");
        const char *colon = memchr(auth, ':', alen);
        if (auth[alen] == '@' && colon) {
            v = colon + 1;
            n = (size_t)(auth + alen - v);
        }
    }
    const char *k = strstr(url, "password");
    if (!v && k) {
        const char *p = k + 8;
        while (*p == ' ')
            p++;
        if (*p == '=') {
            p++;
            while (*p == ' ')
                p++;
            if (*p == '\'') {
                v = p + 1;
                n = strcspn(v, "'");
            }
            else {
                v = p;
                n = strcspn(v, "& \t");
            }
        }
    }
    if (v && n > 0) {
        if (n >= cap)
            n = cap - 1;
        memcpy(out, v, n);
        out[n] = '\0';
    }
}

/* What libpq says about a URL or conninfo it could not use can quote the
 * password (a malformed percent-escape in it, say): every form of it is
 * removed from msg, raw and percent-decoded.  A password shorter than four
 * characters would cut ordinary words, so then libpq's text is withheld. */
static void scrub_password(const char *url, char *msg, size_t cap)
{
    char pw[256], dec[256];
    find_password(url, pw, sizeof pw);
    if (!pw[0])
        return;
    size_t n = 0;
    for (size_t i = 0; pw[i] && n + 1 < sizeof dec; i++) {
        if (pw[i] == '%' && isxdigit((unsigned char)pw[i + 1]) &&
            isxdigit((unsigned char)pw[i + 2])) {
            char hex[3] = {pw[i + 1], pw[i + 2], 0};
            dec[n++] = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        else
            dec[n++] = pw[i];
    }
    dec[n] = '\0';
    size_t pl = strlen(pw);
    if (pl < 4 || n < 4) {
        if (strstr(msg, pw) || (n && strstr(msg, dec)))
            snprintf(msg, cap, "the connection string is not valid (details withheld: they "
                               "would show the password)");
        return;
    }
    cut_secret(msg, pw, pl);
    cut_secret(msg, dec, n);
}

static dal_status dal__pg_open(dal_db *db, const char *url)
{
    char val[16];
    bool bad;
    char *ci = strip_dal_key(url, val, &bad);
    if (!ci)
        return dal__err(db, DAL_NOMEM, "out of memory");
    if (bad || (val[0] && strcmp(val, "unnamed") != 0 && strcmp(val, "named") != 0)) {
        free(ci);
        return dal__err(db, DAL_MISUSE, "dal_statements must be named or unnamed");
    }
    PGDB(db)->unnamed = strcmp(val, "unnamed") == 0;
    bool explicit_named = strcmp(val, "named") == 0;
    stmt_prefix(db);
    const char *keys[] = {"dbname", "client_encoding", NULL};
    const char *vals[] = {ci, "UTF8", NULL};
    PGDB(db)->pg = PQconnectdbParams(keys, vals, 1);
    if (!PGDB(db)->pg) {
        free(ci);
        return dal__err(db, DAL_NOMEM, "out of memory");
    }
    PQsetNoticeProcessor(PGDB(db)->pg, on_notice, db);
    if (PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
        char msg[DAL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(PGDB(db)->pg));
        scrub_password(ci, msg, sizeof msg);
        free(ci);
        size_t ml = strlen(msg);
        while (ml > 0 && msg[ml - 1] == '\n')
            msg[--ml] = '\0';
        return dal__err(db, DAL_CONN, "cannot connect to PostgreSQL: %s", msg);
    }
    free(ci);
    dal_status s = session_setup(db);
    if (s == DAL_OK && !PGDB(db)->unnamed && !explicit_named)
        s = detect_pooler(db);
    return s;
}

static void dal__pg_close(dal_db *db)
{
    if (PGDB(db)->pg)
        PQfinish(PGDB(db)->pg);
    PGDB(db)->pg = NULL;
}

static dal_status dal__pg_ensure(dal_db *db)
{
    if (!PGDB(db)->pg)
        return dal__err(db, DAL_CONN, "not connected");
    if (!db->broken && PQstatus(PGDB(db)->pg) == CONNECTION_OK)
        return DAL_OK;
    if (db->depth > 0)
        return dal__err(db, DAL_CONN, "connection lost inside a transaction: roll it back");
    PGDB(db)->streaming = NULL;
    dal__cache_clear(db, false);
    PQreset(PGDB(db)->pg);
    if (PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
        db->broken = true;
        return dal__err(db, DAL_CONN, "reconnect failed: %s", PQerrorMessage(PGDB(db)->pg));
    }
    db->broken = false;
    dal__log(db, DAL_LOG_INFO, "reconnected to PostgreSQL");
    return session_setup(db);
}

static dal_status result_ok(dal_db *db, PGresult *r)
{
    switch (PQresultStatus(r)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
    case PGRES_SINGLE_TUPLE:
        return DAL_OK;
    default:
        return pg_error(db, r);
    }
}

static dal_status dal__pg_exec(dal_db *db, const char *sql)
{
    dal_status s = dal__pg_ensure(db);
    if (s != DAL_OK)
        return s;
    dal__pg_detach(db);
    uint64_t t0 = dal__now_us();
    PGresult *r = PQexec(PGDB(db)->pg, sql);
    s = result_ok(db, r);
    /* COMMIT of an aborted transaction "succeeds" as ROLLBACK: report it */
    if (s == DAL_OK && strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        s = dal__err(db, DAL_ERROR,
                     "COMMIT rolled back: the transaction had failed (a statement in it "
                     "returned an error)");
    PQclear(r);
    dal__stats_record(db, sql, dal__now_us() - t0, s != DAL_OK);
    return s;
}

static dal_status dal__pg_ping(dal_db *db)
{
    dal_status s = dal__pg_ensure(db);
    if (s != DAL_OK)
        return s;
    dal__pg_detach(db);
    PGresult *r = PQexec(PGDB(db)->pg, "");
    s = result_ok(db, r);
    PQclear(r);
    return s;
}

/* ---------------------------------------------------------------------- */
/* statements                                                              */
/* ---------------------------------------------------------------------- */

static dal_status dal__pg_prepare(dal_db *db, dal_stmt *st)
{
    int n = st->nparams;
    PG(st)->ftypes_valid = false; /* result types are read again after a (re)prepare */
    if (n > 0 && !PG(st)->params) {
        PG(st)->params = calloc((size_t)n, sizeof *PG(st)->params);
        PG(st)->types = calloc((size_t)n, sizeof *PG(st)->types);
        PG(st)->values = calloc((size_t)n, sizeof *PG(st)->values);
        PG(st)->lengths = calloc((size_t)n, sizeof *PG(st)->lengths);
        PG(st)->formats = calloc((size_t)n, sizeof *PG(st)->formats);
        PG(st)->pbuf = calloc((size_t)n, sizeof *PG(st)->pbuf);
        if (!PG(st)->params || !PG(st)->types || !PG(st)->values || !PG(st)->lengths || !PG(st)->formats || !PG(st)->pbuf)
            return dal__err(db, DAL_NOMEM, "out of memory");
    }
    if (PGDB(db)->unnamed) {
        st->prepared = true;
        return DAL_OK;
    }
    snprintf(PG(st)->name, sizeof PG(st)->name, "%s%u", PGDB(db)->stmt_prefix, ++db->next_stmt_id);
    PGresult *r = PQprepare(PGDB(db)->pg, PG(st)->name, st->q->sql, 0, NULL);
    dal_status s = result_ok(db, r);
    if (s != DAL_OK) {
        char keep[DAL_ERRMSG_MAX];
        snprintf(keep, sizeof keep, "%s", db->err);
        PQclear(r);
        return dal__err(db, s, "%s (in: %.200s)", keep, st->q->sql);
    }
    PQclear(r);
    if (n > PG_MAX_PARAMS) /* libpq would lose the connection reading the description */
        return dal__err(db, DAL_MISUSE, "statement has %d parameters; at most %d are allowed",
                        n, PG_MAX_PARAMS);
    r = PQdescribePrepared(PGDB(db)->pg, PG(st)->name);
    s = result_ok(db, r);
    if (s == DAL_OK) {
        int np = PQnparams(r);
        if (np > n)
            s = dal__err(db, DAL_MISUSE, "statement has %d parameters, dal_query says %d", np, n);
        else if (n > 0) {
            free(PG(st)->server_types);
            PG(st)->server_types = calloc((size_t)n, sizeof(Oid));
            if (!PG(st)->server_types)
                s = dal__err(db, DAL_NOMEM, "out of memory");
            else
                for (int i = 0; i < np; i++)
                    PG(st)->server_types[i] = PQparamtype(r, i);
        }
    }
    PQclear(r);
    if (s == DAL_OK)
        st->prepared = true;
    return s;
}


static void fmt_double(char *b, size_t n, double v, bool f32)
{
    if (isnan(v))
        snprintf(b, n, "NaN");
    else if (isinf(v))
        snprintf(b, n, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(b, n, f32 ? "%.9g" : "%.17g", v);
}

/* A timestamp read from the server (microseconds since 2000-01-01) inside the
 * supported range; only then is the shift to the 1970 epoch done, so it
 * cannot overflow. */
static inline bool pg_time_ok(int64_t x)
{
    return x >= DAL_TIME_MIN - PG_EPOCH_US && x <= DAL_TIME_MAX - PG_EPOCH_US;
}

static dal_status range_read_err(dal_stmt *st, int col, const char *what)
{
    return dal__err(st->db, DAL_ERROR,
                    "column %d: %s outside the supported range (years 1 to 9999)", col, what);
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* The common parameter: its server type (0 when not known) is its own
 * binary type, or it is text or NULL.  Returns false for anything else. */
static inline bool fast_param(dal_stmt *st, int i, const dal_param *p, Oid srv)
{
    char *b = PG(st)->pbuf[i];
    Oid want;
    int len;
    switch (p->kind) {
    case DAL_P_NULL:
        PG(st)->types[i] = 0;
        PG(st)->values[i] = NULL;
        PG(st)->lengths[i] = 0;
        PG(st)->formats[i] = 0;
        return true;
    case DAL_P_TEXT:
        PG(st)->types[i] = 0;
        PG(st)->values[i] = p->v.s.p;
        PG(st)->lengths[i] = 0;
        PG(st)->formats[i] = 0;
        return true;
    case DAL_P_INT:
        if (srv && srv != OID_INT8)
            return false;
        be64(b, (uint64_t)p->v.i);
        want = OID_INT8, len = 8;
        break;
    case DAL_P_INT32:
        if ((srv && srv != OID_INT4) || p->v.i < INT32_MIN || p->v.i > INT32_MAX)
            return false;
        be32(b, (uint32_t)(int32_t)p->v.i);
        want = OID_INT4, len = 4;
        break;
    case DAL_P_BOOL:
        if (srv && srv != OID_BOOL)
            return false;
        b[0] = (char)(p->v.i != 0);
        want = OID_BOOL, len = 1;
        break;
    case DAL_P_FLOAT64: {
        if (srv && srv != OID_FLOAT8)
            return false;
        uint64_t u;
        memcpy(&u, &p->v.f, 8);
        be64(b, u);
        want = OID_FLOAT8, len = 8;
        break;
    }
    case DAL_P_TIME:
        if ((srv && srv != OID_TIMESTAMPTZ && srv != OID_TIMESTAMP) || !DAL__TIME_OK(p->v.i))
            return false;
        be64(b, (uint64_t)(p->v.i - PG_EPOCH_US));
        want = srv ? srv : OID_TIMESTAMPTZ, len = 8;
        break;
    default:
        return false;
    }
    PG(st)->types[i] = want;
    PG(st)->values[i] = b;
    PG(st)->lengths[i] = len;
    PG(st)->formats[i] = 1;
    return true;
}

/* Fills the wire arrays from PG(st)->params. */
static void build_params(dal_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        const dal_param *p = &PG(st)->params[i];
        Oid srv = PG(st)->server_types ? PG(st)->server_types[i] : 0;
        if (fast_param(st, i, p, srv))
            continue;
        char *b = PG(st)->pbuf[i];
        Oid want = 0;
        int fmt = 1, len = 0;
        const char *val = b;
        switch (p->kind) {
        case DAL_P_NULL:
            val = NULL;
            fmt = 0;
            break;
        case DAL_P_BOOL:
        case DAL_P_INT16:
        case DAL_P_INT32:
        case DAL_P_INT: {
            Oid nat = p->kind == DAL_P_BOOL ? OID_BOOL : p->kind == DAL_P_INT16 ? OID_INT2
                      : p->kind == DAL_P_INT32 ? OID_INT4 : OID_INT8;
            want = srv ? srv : nat;
            int64_t v = p->v.i;
            if (want == OID_INT2 && v >= INT16_MIN && v <= INT16_MAX) {
                be16(b, (uint16_t)(int16_t)v);
                len = 2;
            }
            else if (want == OID_INT4 && v >= INT32_MIN && v <= INT32_MAX) {
                be32(b, (uint32_t)(int32_t)v);
                len = 4;
            }
            else if (want == OID_INT8) {
                be64(b, (uint64_t)v);
                len = 8;
            }
            else if (want == OID_BOOL && (v == 0 || v == 1)) {
                b[0] = (char)v;
                len = 1;
            }
            else if (want == OID_FLOAT8) {
                double d = (double)v;
                uint64_t u;
                memcpy(&u, &d, 8);
                be64(b, u);
                len = 8;
            }
            else {
                fmt = 0;
                if (p->kind == DAL_P_BOOL)
                    snprintf(b, sizeof PG(st)->pbuf[i], "%s", v ? "true" : "false");
                else
                    snprintf(b, sizeof PG(st)->pbuf[i], "%lld", (long long)v);
            }
            break;
        }
        case DAL_P_FLOAT32:
        case DAL_P_FLOAT64: {
            want = srv ? srv : p->kind == DAL_P_FLOAT32 ? OID_FLOAT4 : OID_FLOAT8;
            if (want == OID_FLOAT8) {
                uint64_t u;
                memcpy(&u, &p->v.f, 8);
                be64(b, u);
                len = 8;
            }
            else if (want == OID_FLOAT4) {
                float f = (float)p->v.f;
                uint32_t u;
                memcpy(&u, &f, 4);
                be32(b, u);
                len = 4;
            }
            else {
                fmt = 0;
                fmt_double(b, sizeof PG(st)->pbuf[i], p->v.f, p->kind == DAL_P_FLOAT32);
            }
            break;
        }
        case DAL_P_TEXT:
        case DAL_P_DECIMAL:
        case DAL_P_JSON:
            want = srv;
            fmt = 0;
            val = p->v.s.p;
            break;
        case DAL_P_UUID:
            want = srv ? srv : OID_UUID;
            if (want == OID_UUID) {
                dal__parse_uuid(p->v.s.p, p->v.s.len, (unsigned char *)b);
                len = 16;
            }
            else {
                fmt = 0;
                val = p->v.s.p;
            }
            break;
        case DAL_P_BYTES:
            want = srv ? srv : OID_BYTEA;
            val = p->v.s.p;
            len = (int)p->v.s.len;
            break;
        case DAL_P_TIME:
        case DAL_P_DATE: {
            bool is_date = p->kind == DAL_P_DATE;
            want = srv ? srv : is_date ? OID_DATE : OID_TIMESTAMPTZ;
            /* Binders admit only the supported range (dal.h), so neither the
             * day -> microsecond product nor the epoch shift can overflow. */
            int64_t us = 0;
            if (want == OID_TIMESTAMPTZ || want == OID_TIMESTAMP)
                us = is_date ? p->v.i * 86400000000LL : p->v.i;
            if (want == OID_TIMESTAMPTZ || want == OID_TIMESTAMP) {
                be64(b, (uint64_t)(us - PG_EPOCH_US));
                len = 8;
            }
            else if (want == OID_DATE) {
                int64_t d = is_date ? p->v.i : floordiv(p->v.i, 86400000000LL);
                be32(b, (uint32_t)(int32_t)(d - PG_EPOCH_DAYS));
                len = 4;
            }
            else {
                fmt = 0;
                if (is_date)
                    dal__format_date((dal_date)p->v.i, b);
                else
                    dal__format_time(p->v.i, b);
            }
            break;
        }
        }
        PG(st)->types[i] = fmt == 0 ? 0 : want;
        PG(st)->values[i] = val;
        PG(st)->lengths[i] = len;
        PG(st)->formats[i] = fmt;
    }
}

static PGresult *pg_exec_once(dal_stmt *st)
{
    dal_db *db = st->db;
    if (PGDB(db)->unnamed)
        return PQexecParams(PGDB(db)->pg, st->q->sql, st->nparams, PG(st)->types, PG(st)->values, PG(st)->lengths,
                            PG(st)->formats, 1);
    return PQexecPrepared(PGDB(db)->pg, PG(st)->name, st->nparams, PG(st)->values, PG(st)->lengths, PG(st)->formats,
                          1);
}

static int pg_send(dal_stmt *st)
{
    dal_db *db = st->db;
    if (PGDB(db)->unnamed)
        return PQsendQueryParams(PGDB(db)->pg, st->q->sql, st->nparams, PG(st)->types, PG(st)->values,
                                 PG(st)->lengths, PG(st)->formats, 1);
    return PQsendQueryPrepared(PGDB(db)->pg, PG(st)->name, st->nparams, PG(st)->values, PG(st)->lengths,
                               PG(st)->formats, 1);
}

static bool is_stale_plan(const PGresult *r)
{
    const char *ss = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (!ss)
        return false;
    if (!strcmp(ss, "26000"))
        return true;
    return !strcmp(ss, "0A000") && m && strstr(m, "cached plan");
}

static void set_changes(dal_stmt *st, const PGresult *r)
{
    const char *ct = PQcmdTuples((PGresult *)r);
    int64_t v = 0;
    for (; ct && *ct >= '0' && *ct <= '9'; ct++)
        v = v * 10 + (*ct - '0');
    st->changes = v;
}

static void drain(dal_db *db)
{
    PGresult *r;
    while ((r = PQgetResult(PGDB(db)->pg)) != NULL)
        PQclear(r);
}

static void free_rest(dal_stmt *st)
{
    for (int i = PG(st)->prest; i < PG(st)->nrest; i++)
        PQclear(PG(st)->rest[i]);
    free(PG(st)->rest);
    free(PG(st)->rest_msg);
    PG(st)->rest = NULL;
    PG(st)->rest_msg = NULL;
    PG(st)->nrest = PG(st)->prest = PG(st)->caprest = 0;
    PG(st)->rest_status = DAL_OK;
    PG(st)->detached = false;
}

/* Another statement needs the connection while one streams: read the rest
 * of the streaming result into memory so that it can still be stepped
 * (e.g. queries inside an iterate callback). */
static void dal__pg_detach(dal_db *db)
{
    dal_stmt *st = PGDB(db)->streaming;
    if (!st)
        return;
    PGDB(db)->streaming = NULL;
    if (!st->running || !PG(st)->streaming)
        return;
    PG(st)->detached = true;
    PGresult *r;
    while ((r = PQgetResult(PGDB(db)->pg)) != NULL) {
        ExecStatusType es = PQresultStatus(r);
        if (es == PGRES_SINGLE_TUPLE && PG(st)->rest_status == DAL_OK) {
            if (PG(st)->nrest == PG(st)->caprest) {
                int nc = PG(st)->caprest ? PG(st)->caprest * 2 : 64;
                PGresult **n = realloc(PG(st)->rest, (size_t)nc * sizeof *n);
                if (!n) {
                    PQclear(r);
                    PG(st)->rest_status = DAL_NOMEM;
                    continue;
                }
                PG(st)->rest = n;
                PG(st)->caprest = nc;
            }
            PG(st)->rest[PG(st)->nrest++] = r;
            continue;
        }
        if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK)
            set_changes(st, r);
        else if (es != PGRES_SINGLE_TUPLE && PG(st)->rest_status == DAL_OK) {
            PG(st)->rest_status = pg_error(db, r);
            PG(st)->rest_msg = strdup(db->err);
        }
        PQclear(r);
    }
    if (PQstatus(PGDB(db)->pg) != CONNECTION_OK && PG(st)->rest_status == DAL_OK) {
        db->broken = true;
        PG(st)->rest_status = DAL_CONN;
        PG(st)->rest_msg = strdup("connection lost");
    }
}

static dal_status dal__pg_step(dal_stmt *st, bool *has_row)
{
    dal_db *db = st->db;
    if (!st->running) {
        /* A named statement's result types stay those of its prepare (a
         * change of them fails with 0A000 and re-prepares); an unnamed
         * one's are read from every result. */
        if (PGDB(db)->unnamed)
            PG(st)->ftypes_valid = false;
        if (PG(st)->res) {
            PQclear(PG(st)->res);
            PG(st)->res = NULL;
        }
        if (PGDB(db)->streaming && PGDB(db)->streaming != st)
            dal__pg_detach(db);
        if (db->broken || PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
            db->broken = true;
            return dal__err(db, DAL_CONN, "connection lost");
        }
        build_params(st);
        if (st->stream_req) {
            if (!pg_send(st)) {
                if (PQstatus(PGDB(db)->pg) != CONNECTION_OK)
                    db->broken = true;
                return dal__err(db, db->broken ? DAL_CONN : DAL_ERROR, "%s",
                                PQerrorMessage(PGDB(db)->pg));
            }
            PQsetSingleRowMode(PGDB(db)->pg);
            PG(st)->streaming = true;
            st->running = true;
            PGDB(db)->streaming = st;
        }
        else {
            PGresult *r = pg_exec_once(st);
            ExecStatusType es = PQresultStatus(r);
            if (es == PGRES_FATAL_ERROR && db->depth == 0 && !PGDB(db)->unnamed && is_stale_plan(r) &&
                PQstatus(PGDB(db)->pg) == CONNECTION_OK) {
                /* the server rejected it before running it: re-prepare, retry once */
                PQclear(r);
                char dsql[64];
                snprintf(dsql, sizeof dsql, "DEALLOCATE %s", PG(st)->name);
                PGresult *d = PQexec(PGDB(db)->pg, dsql);
                PQclear(d);
                st->prepared = false;
                dal_status s = dal__pg_prepare(db, st);
                if (s != DAL_OK)
                    return s;
                build_params(st);
                r = pg_exec_once(st);
                es = PQresultStatus(r);
            }
            else if (es == PGRES_FATAL_ERROR && is_stale_plan(r)) {
                /* inside a transaction: report; re-prepare on next use */
                st->prepared = false;
            }
            if (es == PGRES_TUPLES_OK) {
                PG(st)->res = r;
                PG(st)->nrows = PQntuples(r);
                PG(st)->row = -1;
                st->running = true;
                st->changes = PG(st)->nrows; /* what PQcmdTuples says for SELECT and RETURNING */
            }
            else if (es == PGRES_COMMAND_OK) {
                set_changes(st, r);
                PQclear(r);
                return DAL_OK;
            }
            else {
                dal_status s = r ? pg_error(db, r) : pg_error(db, NULL);
                PQclear(r);
                return s;
            }
        }
    }
    if (!PG(st)->streaming) {
        PG(st)->row++;
        if (PG(st)->row < PG(st)->nrows) {
            *has_row = true;
            return DAL_OK;
        }
        PQclear(PG(st)->res);
        PG(st)->res = NULL;
        st->running = false;
        return DAL_OK;
    }
    /* single-row mode */
    if (PG(st)->res) {
        PQclear(PG(st)->res);
        PG(st)->res = NULL;
    }
    if (PG(st)->detached) {
        if (PG(st)->prest < PG(st)->nrest) {
            PG(st)->res = PG(st)->rest[PG(st)->prest++];
            *has_row = true;
            return DAL_OK;
        }
        dal_status s = PG(st)->rest_status;
        if (s != DAL_OK)
            dal__err(db, s, "%s", PG(st)->rest_msg ? PG(st)->rest_msg : "error");
        free_rest(st);
        st->running = false;
        PG(st)->streaming = false;
        return s;
    }
    PGresult *r = PQgetResult(PGDB(db)->pg);
    ExecStatusType es = PQresultStatus(r);
    if (r && es == PGRES_SINGLE_TUPLE) {
        PG(st)->res = r;
        *has_row = true;
        return DAL_OK;
    }
    dal_status s = DAL_OK;
    if (!r) {
        if (PQstatus(PGDB(db)->pg) != CONNECTION_OK)
            db->broken = true;
        s = db->broken ? dal__err(db, DAL_CONN, "connection lost") : DAL_OK;
    }
    else if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK)
        set_changes(st, r);
    else {
        s = pg_error(db, r);
        /* a stream is not retried (rows may have reached the caller), but
         * the next use prepares the statement again */
        if (is_stale_plan(r))
            st->prepared = false;
    }
    PQclear(r);
    drain(db);
    st->running = false;
    PG(st)->streaming = false;
    PGDB(db)->streaming = NULL;
    return s;
}

DAL_HOT static void dal__pg_done(dal_stmt *st)
{
    dal_db *db = st->db;
    if (PG(st)->detached)
        free_rest(st);
    if (PG(st)->res) {
        PQclear(PG(st)->res);
        PG(st)->res = NULL;
    }
    if (PG(st)->streaming) {
        if (st->running && PGDB(db)->pg && PQstatus(PGDB(db)->pg) == CONNECTION_OK)
            drain(db);
        PG(st)->streaming = false;
        if (PGDB(db)->streaming == st)
            PGDB(db)->streaming = NULL;
    }
    st->running = false;
    PG(st)->nrows = 0;
    /* The bindings are cleared: a parameter the next execution does not
     * bind is NULL, as on SQLite, and no pointer into the caller's memory
     * outlives the execution. */
    for (int i = 0; PG(st)->params && i < st->nparams; i++)
        PG(st)->params[i].kind = DAL_P_NULL;
}

/* ---------------------------------------------------------------------- */
/* column readers                                                          */
/* ---------------------------------------------------------------------- */

static int cur_row(const dal_stmt *st) { return PG(st)->streaming ? 0 : PG(st)->row; }

static bool col_ok(dal_stmt *st, int col)
{
    return PG(st)->res && col >= 0 && col < PQnfields(PG(st)->res) && cur_row(st) >= 0 &&
           cur_row(st) < PQntuples(PG(st)->res);
}

static bool dal__pg_is_null(dal_stmt *st, int col)
{
    if (!col_ok(st, col))
        return true;
    return PQgetisnull(PG(st)->res, cur_row(st), col) != 0;
}

static char *colbuf(dal_stmt *st, int col, size_t need)
{
    if (col >= PG(st)->ncolbuf) {
        int n = PQnfields(PG(st)->res);
        if (n <= col)
            n = col + 1;
        char **b = realloc(PG(st)->colbuf, (size_t)n * sizeof *b);
        if (!b)
            return NULL;
        PG(st)->colbuf = b;
        size_t *c = realloc(PG(st)->colcap, (size_t)n * sizeof *c);
        if (!c)
            return NULL;
        PG(st)->colcap = c;
        for (int i = PG(st)->ncolbuf; i < n; i++) {
            PG(st)->colbuf[i] = NULL;
            PG(st)->colcap[i] = 0;
        }
        PG(st)->ncolbuf = n;
    }
    if (PG(st)->colcap[col] < need) {
        char *p = realloc(PG(st)->colbuf[col], need);
        if (!p)
            return NULL;
        PG(st)->colbuf[col] = p;
        PG(st)->colcap[col] = need;
    }
    return PG(st)->colbuf[col];
}

static inline bool is_texty(Oid t)
{
    switch (t) {
    case OID_BOOL: case OID_BYTEA: case OID_INT8: case OID_INT2: case OID_INT4: case OID_OID:
    case OID_FLOAT4: case OID_FLOAT8: case OID_DATE: case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
    case OID_NUMERIC: case OID_UUID: case OID_JSONB:
        return false;
    default:
        return true; /* text, varchar, bpchar, name, char, json, enums, unknown ... */
    }
}

static dal_status numeric_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    int r = cur_row(st);
    const unsigned char *v = (const unsigned char *)PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    size_t need = dal__numeric_text_size(v, n);
    char *b = colbuf(st, col, need);
    if (!b)
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    dal__numeric_to_text(v, n, b, need, len);
    *out = b;
    return DAL_OK;
}

static dal_status dal__pg_col_int(dal_stmt *st, int col, int64_t *out)
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    switch (t) {
    case OID_BOOL:
        if (n == 1) {
            *out = v[0] != 0;
            return DAL_OK;
        }
        break;
    case OID_INT2:
        if (n == 2) {
            *out = (int16_t)rd16(v);
            return DAL_OK;
        }
        break;
    case OID_INT4:
    case OID_OID:
        if (n == 4) {
            *out = t == OID_OID ? (int64_t)rd32(v) : (int32_t)rd32(v);
            return DAL_OK;
        }
        break;
    case OID_INT8:
        if (n == 8) {
            *out = (int64_t)rd64(v);
            return DAL_OK;
        }
        break;
    case OID_FLOAT8:
    case OID_FLOAT4: {
        double d;
        if (dal__pg_col_float(st, col, &d) == DAL_OK && d >= -9223372036854775808.0 &&
            d < 9223372036854775808.0 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return DAL_OK;
        }
        break;
    }
    default: {
        const char *s;
        size_t l;
        if (t == OID_NUMERIC) {
            if (numeric_text(st, col, &s, &l) != DAL_OK)
                return DAL_NOMEM;
        }
        else if (is_texty(t))
            s = v;
        else
            break;
        char *end;
        long long x = strtoll(s, &end, 10);
        if (*s && !*end) {
            *out = x;
            return DAL_OK;
        }
        if (!strcmp(s, "t") || !strcmp(s, "true")) {
            *out = 1;
            return DAL_OK;
        }
        if (!strcmp(s, "f") || !strcmp(s, "false")) {
            *out = 0;
            return DAL_OK;
        }
        break;
    }
    }
    return dal__err(st->db, DAL_ERROR, "column %d (type oid %u) is not an integer", col,
                    (unsigned)t);
}

static dal_status dal__pg_col_float(dal_stmt *st, int col, double *out)
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    if (t == OID_FLOAT8 && n == 8) {
        uint64_t u = rd64(v);
        memcpy(out, &u, 8);
        return DAL_OK;
    }
    if (t == OID_FLOAT4 && n == 4) {
        uint32_t u = rd32(v);
        float f;
        memcpy(&f, &u, 4);
        *out = f;
        return DAL_OK;
    }
    if (t == OID_INT2 || t == OID_INT4 || t == OID_INT8) {
        int64_t i;
        dal_status s = dal__pg_col_int(st, col, &i);
        if (s == DAL_OK)
            *out = (double)i;
        return s;
    }
    const char *s = NULL;
    size_t l;
    if (t == OID_NUMERIC) {
        if (numeric_text(st, col, &s, &l) != DAL_OK)
            return DAL_NOMEM;
    }
    else if (is_texty(t))
        s = v;
    if (s) {
        char *end;
        double d = strtod(s, &end);
        if (*s && !*end) {
            *out = d;
            return DAL_OK;
        }
    }
    return dal__err(st->db, DAL_ERROR, "column %d (type oid %u) is not a number", col,
                    (unsigned)t);
}

static dal_status dal__pg_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    if (is_texty(t) || t == OID_BYTEA) {
        *out = v;
        *len = (size_t)n;
        return DAL_OK;
    }
    if (t == OID_JSONB) {
        if (n < 1 || v[0] != 1)
            return dal__err(st->db, DAL_ERROR, "column %d: unknown jsonb version", col);
        *out = v + 1;
        *len = (size_t)n - 1;
        return DAL_OK;
    }
    if (t == OID_NUMERIC)
        return numeric_text(st, col, out, len);
    char *b = colbuf(st, col, 48);
    if (!b)
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    dal_status s = DAL_OK;
    if (t == OID_UUID) {
        if (n != 16)
            return dal__err(st->db, DAL_ERROR, "column %d: bad uuid", col);
        dal__format_uuid((const unsigned char *)v, b);
    }
    else if (t == OID_FLOAT4 || t == OID_FLOAT8) {
        double d;
        s = dal__pg_col_float(st, col, &d);
        if (s == DAL_OK)
            fmt_double(b, 48, d, t == OID_FLOAT4);
    }
    else if (t == OID_BOOL)
        snprintf(b, 48, "%s", v[0] ? "true" : "false");
    else if (t == OID_DATE) {
        dal_date d;
        s = dal__pg_col_date(st, col, &d);
        if (s == DAL_OK)
            dal__format_date(d, b);
    }
    else if (t == OID_TIMESTAMP || t == OID_TIMESTAMPTZ) {
        dal_time tm;
        s = dal__pg_col_time(st, col, &tm);
        if (s == DAL_OK)
            dal__format_time(tm, b);
    }
    else {
        int64_t i;
        s = dal__pg_col_int(st, col, &i);
        if (s == DAL_OK)
            snprintf(b, 48, "%lld", (long long)i);
    }
    if (s != DAL_OK)
        return s;
    *out = b;
    *len = strlen(b);
    return DAL_OK;
}

static dal_status dal__pg_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    const char *p;
    dal_status s = dal__pg_col_text(st, col, &p, len);
    *out = (const unsigned char *)p;
    return s;
}

static dal_status dal__pg_col_uuid(dal_stmt *st, int col, char out[37])
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    unsigned char raw[16];
    if (t == OID_UUID && n == 16)
        memcpy(raw, v, 16);
    else if (!(is_texty(t) && dal__parse_uuid(v, (size_t)n, raw)))
        return dal__err(st->db, DAL_ERROR, "column %d is not a uuid", col);
    dal__format_uuid(raw, out);
    return DAL_OK;
}

static dal_status dal__pg_col_time(dal_stmt *st, int col, dal_time *out)
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    if ((t == OID_TIMESTAMPTZ || t == OID_TIMESTAMP) && n == 8) {
        int64_t x = (int64_t)rd64(v);
        if (x == INT64_MAX || x == INT64_MIN)
            *out = x; /* infinity */
        else if (pg_time_ok(x))
            *out = x + PG_EPOCH_US;
        else
            return range_read_err(st, col, "timestamp");
        return DAL_OK;
    }
    if (t == OID_DATE && n == 4) {
        int64_t d = (int64_t)(int32_t)rd32(v) + PG_EPOCH_DAYS;
        if (!DAL__DATE_OK(d))
            return range_read_err(st, col, "date");
        *out = d * 86400000000LL;
        return DAL_OK;
    }
    if (t == OID_INT8 || t == OID_INT4)
        return dal__pg_col_int(st, col, out);
    if (is_texty(t) && dal__parse_time(v, (size_t)n, out))
        return DAL_OK;
    return dal__err(st->db, DAL_ERROR, "column %d is not a timestamp", col);
}

static dal_status dal__pg_col_date(dal_stmt *st, int col, dal_date *out)
{
    int r = cur_row(st);
    Oid t = PQftype(PG(st)->res, col);
    const char *v = PQgetvalue(PG(st)->res, r, col);
    int n = PQgetlength(PG(st)->res, r, col);
    if (t == OID_DATE && n == 4) {
        int64_t d = (int64_t)(int32_t)rd32(v) + PG_EPOCH_DAYS;
        if (!DAL__DATE_OK(d))
            return range_read_err(st, col, "date");
        *out = (dal_date)d;
        return DAL_OK;
    }
    if ((t == OID_TIMESTAMPTZ || t == OID_TIMESTAMP) && n == 8) {
        int64_t x = (int64_t)rd64(v);
        if (!pg_time_ok(x))
            return range_read_err(st, col, "timestamp");
        *out = (dal_date)floordiv(x + PG_EPOCH_US, 86400000000LL);
        return DAL_OK;
    }
    if (is_texty(t) && n >= 10 && dal__parse_date(v, (size_t)n, out))
        return DAL_OK;
    return dal__err(st->db, DAL_ERROR, "column %d is not a date", col);
}

/* ---------------------------------------------------------------------- */
/* batched insert (pipeline mode)                                          */
/* ---------------------------------------------------------------------- */

#define PIPE_CHUNK 256

/* Queues st's bound execution in the open pipeline; a bind the runtime
 * refused is returned (and nothing of it sent), as is a failure to send. */
static dal_status pipe_send_bound(dal_stmt *st)
{
    if (st->pending != DAL_OK) {
        dal_status s = dal__err(st->db, st->pending, "%s", dal__pending_msg(st));
        st->pending = DAL_OK;
        return s;
    }
    build_params(st);
    return pg_send(st) ? DAL_OK : pg_error(st->db, NULL);
}

/* Reads up to the pipeline's sync point; false when the connection ended first. */
static bool pipe_read_sync(dal_db *db)
{
    PGresult *r = PQgetResult(PGDB(db)->pg);
    while (r && PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
        PQclear(r);
        r = PQgetResult(PGDB(db)->pg);
    }
    if (!r)
        return false;
    PQclear(r);
    return true;
}

static dal_status dal__pg_insert_batch(dal_db *db, dal_stmt **sts, const dal_table *t, const void *rows,
                                size_t n, dal_ins_cache **ics)
{
    uint64_t t0 = dal__now_us();
    dal_status s = DAL_OK;
    for (size_t base = 0; base < n && s == DAL_OK; base += PIPE_CHUNK) {
        size_t end = base + PIPE_CHUNK < n ? base + PIPE_CHUNK : n;
        if (!PQenterPipelineMode(PGDB(db)->pg))
            return dal__err(db, DAL_ERROR, "cannot enter pipeline mode: %s", PQerrorMessage(PGDB(db)->pg));
        size_t sent = 0;
        for (size_t k = base; k < end; k++) {
            dal_stmt *st = sts[k];
            const void *row = (const char *)rows + k * t->size;
            st->pending = DAL_OK;
            dal__bind_row_cols(st, 1, t, row, ics[k]->cols, ics[k]->ncols);
            s = pipe_send_bound(st);
            if (s != DAL_OK)
                break;
            sent++;
        }
        if (!PQpipelineSync(PGDB(db)->pg) && s == DAL_OK)
            s = pg_error(db, NULL);
        /* read every result: each query's result then NULL, then the sync */
        bool lost = false;
        for (size_t k = 0; k < sent && !lost; k++) {
            PGresult *r = PQgetResult(PGDB(db)->pg);
            if (!r) {
                lost = true;
                break;
            }
            ExecStatusType es = PQresultStatus(r);
            if (es == PGRES_FATAL_ERROR && s == DAL_OK)
                s = pg_error(db, r);
            PQclear(r);
            r = PQgetResult(PGDB(db)->pg);
            if (r)
                PQclear(r);
        }
        if (!lost)
            lost = !pipe_read_sync(db);
        if (lost || PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
            db->broken = true;
            if (s == DAL_OK || s != DAL_CONN)
                s = dal__err(db, DAL_CONN, "connection lost during batch insert");
        }
        else
            PQexitPipelineMode(PGDB(db)->pg);
    }
    dal__stats_record(db, n ? sts[0]->q->sql : "", dal__now_us() - t0, s != DAL_OK);
    return s;
}

/* ---------------------------------------------------------------------- */
/* batches (dal_exec_batch): one pipeline                                  */
/* ---------------------------------------------------------------------- */

/* The statements that open, end and undo a batch at transaction depth d:
 * its own transaction, or a savepoint named like dal_begin's. */
typedef struct batch_tx {
    char open[48], close[48], undo[112];
} batch_tx;

static void batch_tx_sql(batch_tx *t, int d)
{
    if (d == 0) {
        snprintf(t->open, sizeof t->open, "BEGIN");
        snprintf(t->close, sizeof t->close, "COMMIT");
        snprintf(t->undo, sizeof t->undo, "ROLLBACK");
        return;
    }
    snprintf(t->open, sizeof t->open, "SAVEPOINT dal_sp%d", d);
    snprintf(t->close, sizeof t->close, "RELEASE SAVEPOINT dal_sp%d", d);
    snprintf(t->undo, sizeof t->undo, "ROLLBACK TO SAVEPOINT dal_sp%d; RELEASE SAVEPOINT dal_sp%d",
             d, d);
}

/* A statement without parameters, queued in the pipeline. */
static bool pipe_sql(dal_db *db, const char *sql)
{
    return PQsendQueryParams(PGDB(db)->pg, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Runs st once per item in one pipeline: the open statement (BEGIN or
 * SAVEPOINT), every item, the close (COMMIT or RELEASE; without need_row
 * only, whose counts are checked first) and one sync: one round trip.  The
 * server skips whatever follows an error up to the sync, so after a failure
 * the transaction or savepoint is undone with one more statement. */
static dal_status dal__pg_exec_batch(dal_stmt *st, dal_bind_item_fn bind, const char *items,
                                     size_t size, size_t n, bool need_row, int64_t *affected,
                                     size_t *failed)
{
    dal_db *db = st->db;
    PGconn *c = PGDB(db)->pg;
    uint64_t t0 = dal__now_us();
    batch_tx tx;
    batch_tx_sql(&tx, db->depth);
    if (!PQenterPipelineMode(c))
        return dal__err(db, DAL_ERROR, "cannot enter pipeline mode: %s", PQerrorMessage(c));
    dal_status s = DAL_OK;
    size_t sent = 0;
    if (!pipe_sql(db, tx.open))
        s = pg_error(db, NULL);
    for (size_t i = 0; i < n && s == DAL_OK; i++) {
        st->pending = DAL_OK;
        bind(st, items + i * size);
        bool refused = st->pending != DAL_OK; /* a value the binds refused: that item's error */
        s = pipe_send_bound(st);
        if (s != DAL_OK) {
            if (refused)
                *failed = i;
            break;
        }
        sent++;
    }
    bool close_sent = false;
    if (s == DAL_OK && !need_row) {
        close_sent = pipe_sql(db, tx.close);
        if (!close_sent)
            s = pg_error(db, NULL);
    }
    if (!PQpipelineSync(c) && s == DAL_OK)
        s = pg_error(db, NULL);
    /* the results in order (open, the items, close), each followed by a
     * NULL, then the sync */
    bool lost = false, opened = false, closed = false;
    size_t nres = 1 + sent + (close_sent ? 1 : 0);
    for (size_t k = 0; k < nres && !lost; k++) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            lost = true;
            break;
        }
        ExecStatusType es = PQresultStatus(r);
        bool ok = es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK;
        bool item = k > 0 && k <= sent;
        if (k == 0)
            opened = ok;
        else if (!item) /* a failed COMMIT has ended the transaction */
            closed = ok || (db->depth == 0 && es == PGRES_FATAL_ERROR);
        else if (ok) {
            set_changes(st, r);
            if (affected)
                affected[k - 1] = st->changes;
            if (need_row && st->changes == 0 && s == DAL_OK) {
                s = DAL_NOT_FOUND;
                *failed = k - 1;
            }
        }
        if (es == PGRES_FATAL_ERROR && s == DAL_OK) {
            s = pg_error(db, r);
            if (item)
                *failed = k - 1;
        }
        PQclear(r);
        r = PQgetResult(c);
        if (r)
            PQclear(r);
    }
    if (!lost)
        lost = !pipe_read_sync(db);
    if (lost || PQstatus(c) != CONNECTION_OK) {
        db->broken = true;
        if (s == DAL_OK || s != DAL_CONN)
            s = dal__err(db, DAL_CONN, "connection lost during a batch");
        *failed = DAL_NO_ITEM;
    }
    else {
        PQexitPipelineMode(c);
        if (s == DAL_OK && !close_sent) {
            s = dal__pg_exec(db, tx.close);
            closed = s == DAL_OK || db->depth == 0;
        }
        if (opened && !closed) {
            char keep[DAL_ERRMSG_MAX];
            memcpy(keep, db->err, sizeof keep);
            dal_status us = dal__pg_exec(db, tx.undo);
            if (us == DAL_CONN)
                s = us;
            else
                memcpy(db->err, keep, sizeof keep);
            db->last = s;
        }
    }
    dal__stats_record(db, st->q->sql, dal__now_us() - t0, s != DAL_OK);
    return s;
}

/* ---------------------------------------------------------------------- */
/* row reading (pass 1 of dal_read_row)                                    */
/* ---------------------------------------------------------------------- */

/* How dal__pg_row_values decodes a result column, from its type: found
 * once per execution, so that a row costs one switch per value. */
enum {
    FC_OTHER, FC_INT8, FC_INT4, FC_INT2, FC_BOOL, FC_FLOAT8, FC_FLOAT4, FC_TIME, FC_BYTEA,
    FC_JSONB, FC_TEXT
};

static unsigned char fclass_of(Oid t)
{
    switch (t) {
    case OID_INT8: return FC_INT8;
    case OID_INT4: return FC_INT4;
    case OID_INT2: return FC_INT2;
    case OID_BOOL: return FC_BOOL;
    case OID_FLOAT8: return FC_FLOAT8;
    case OID_FLOAT4: return FC_FLOAT4;
    case OID_TIMESTAMP: case OID_TIMESTAMPTZ: return FC_TIME;
    case OID_BYTEA: return FC_BYTEA;
    case OID_JSONB: return FC_JSONB;
    default: return is_texty(t) ? FC_TEXT : FC_OTHER;
    }
}

/* The result column types and their classes: read once per prepare of a
 * named statement, once per execution of an unnamed one (dal__pg_step). */
static bool load_ftypes(dal_stmt *st)
{
    PGresult *res = PG(st)->res;
    int nf = PQnfields(res);
    if (nf > PG(st)->capftypes) {
        Oid *nt = realloc(PG(st)->ftypes, (size_t)nf * sizeof *nt);
        if (!nt)
            return false;
        PG(st)->ftypes = nt;
        unsigned char *nc = realloc(PG(st)->fclass, (size_t)nf);
        if (!nc)
            return false;
        PG(st)->fclass = nc;
        PG(st)->capftypes = nf;
    }
    for (int i = 0; i < nf; i++) {
        PG(st)->ftypes[i] = PQftype(res, i);
        PG(st)->fclass[i] = fclass_of(PG(st)->ftypes[i]);
    }
    PG(st)->nftypes = nf;
    PG(st)->ftypes_valid = true;
    return true;
}

/* Fast path of the dal_col_opt_* readers: the column's binary value decoded
 * in place when it has the wire type `type` expects.  Returns 0 when not
 * handled (the caller takes the generic readers), 1 for NULL (nothing
 * stored), 2 with the value stored into *out (fixed-size types, the field's
 * C type) or *p and *len (text, json, enum, bytes: not owned). */
static int dal__pg_opt(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len)
{
    PGresult *res = PG(st)->res;
    int r = cur_row(st);
    if (!res || col < 0 || r < 0 || (PG(st)->ftypes_valid ? col >= PG(st)->nftypes : col >= PQnfields(res)) ||
        r >= PQntuples(res))
        return 0;
    if (!PG(st)->ftypes_valid && !load_ftypes(st))
        return 0;
    int n = PQgetlength(res, r, col);
    if (n == 0 && PQgetisnull(res, r, col))
        return 1;
    Oid ft = PG(st)->ftypes[col];
    const char *v = PQgetvalue(res, r, col);
    switch (type) {
    case DAL_T_INT64:
        if (ft == OID_INT8 && n == 8) {
            int64_t x = (int64_t)rd64(v);
            memcpy(out, &x, sizeof x);
            return 2;
        }
        return 0;
    case DAL_T_INT32:
        if (ft == OID_INT4 && n == 4) {
            int32_t x = (int32_t)rd32(v);
            memcpy(out, &x, sizeof x);
            return 2;
        }
        return 0;
    case DAL_T_INT16:
        if (ft == OID_INT2 && n == 2) {
            int16_t x = (int16_t)rd16(v);
            memcpy(out, &x, sizeof x);
            return 2;
        }
        return 0;
    case DAL_T_BOOL:
        if (ft == OID_BOOL && n == 1) {
            bool b = v[0] != 0;
            memcpy(out, &b, sizeof b);
            return 2;
        }
        return 0;
    case DAL_T_FLOAT64:
        if (ft == OID_FLOAT8 && n == 8) {
            uint64_t u = rd64(v);
            memcpy(out, &u, sizeof u);
            return 2;
        }
        return 0;
    case DAL_T_FLOAT32:
        if (ft == OID_FLOAT4 && n == 4) {
            uint32_t u = rd32(v);
            memcpy(out, &u, sizeof u);
            return 2;
        }
        return 0;
    case DAL_T_TIME:
        if ((ft == OID_TIMESTAMPTZ || ft == OID_TIMESTAMP) && n == 8) {
            int64_t x = (int64_t)rd64(v);
            if (x != INT64_MAX && x != INT64_MIN) { /* else +-infinity, kept */
                if (!pg_time_ok(x))
                    return 0; /* the generic reader reports it */
                x += PG_EPOCH_US;
            }
            memcpy(out, &x, sizeof x);
            return 2;
        }
        return 0;
    case DAL_T_DATE:
        if (ft == OID_DATE && n == 4) {
            int64_t d64 = (int64_t)(int32_t)rd32(v) + PG_EPOCH_DAYS;
            if (!DAL__DATE_OK(d64))
                return 0; /* the generic reader reports it */
            dal_date d = (dal_date)d64;
            memcpy(out, &d, sizeof d);
            return 2;
        }
        return 0;
    case DAL_T_TEXT:
    case DAL_T_JSON:
    case DAL_T_ENUM:
    case DAL_T_BYTES:
        if (ft == OID_JSONB && type != DAL_T_BYTES) {
            if (n < 1 || v[0] != 1)
                return 0; /* the generic reader reports it */
            v++;
            n--;
        }
        else if (!is_texty(ft) && !(ft == OID_BYTEA && type == DAL_T_BYTES))
            return 0;
        *p = v;
        *len = (size_t)n;
        return 2;
    case DAL_T_DECIMAL:
    case DAL_T_UUID:
        return 0;
    }
    return 0;
}

/* The n values of row r of res, classified by result type (fclass): the
 * loop of dal_row_values, which pg_read_rest runs without its per-row
 * checks.  (Forcing it inline into pg_read_rest saved under one instruction
 * a row.) */
static inline void pg_values(PGresult *res, int r, const unsigned char *fclass, dal_value *out,
                             int n)
{
    for (int k = 0; k < n; k++) {
        dal_value *o = &out[k];
        int len = PQgetlength(res, r, k);
        const char *v = PQgetvalue(res, r, k);
        /* A value of the expected size is decoded; anything else (NULL has
         * length 0) falls through to the NULL test below. */
        switch (fclass[k]) {
        case FC_INT8:
            if (len == 8) {
                o->kind = DAL_V_INT;
                o->i = (int64_t)rd64(v);
                continue;
            }
            break;
        case FC_INT4:
            if (len == 4) {
                o->kind = DAL_V_INT;
                o->i = (int32_t)rd32(v);
                continue;
            }
            break;
        case FC_INT2:
            if (len == 2) {
                o->kind = DAL_V_INT;
                o->i = (int16_t)rd16(v);
                continue;
            }
            break;
        case FC_BOOL:
            if (len == 1) {
                o->kind = DAL_V_INT;
                o->i = v[0] != 0;
                continue;
            }
            break;
        case FC_FLOAT8:
            if (len == 8) {
                uint64_t u = rd64(v);
                o->kind = DAL_V_FLOAT;
                memcpy(&o->f, &u, sizeof u);
                continue;
            }
            break;
        case FC_FLOAT4:
            if (len == 4) {
                uint32_t u = rd32(v);
                float f;
                memcpy(&f, &u, sizeof f);
                o->kind = DAL_V_FLOAT;
                o->f = f;
                continue;
            }
            break;
        case FC_TIME:
            if (len == 8) {
                int64_t x = (int64_t)rd64(v);
                if (x != INT64_MAX && x != INT64_MIN) { /* else +-infinity, kept */
                    if (!pg_time_ok(x))
                        break; /* the generic reader reports it */
                    x += PG_EPOCH_US;
                }
                o->kind = DAL_V_TIME;
                o->i = x;
                continue;
            }
            break;
        case FC_BYTEA:
        case FC_TEXT:
            /* an empty value is one too: only PQgetisnull tells it from NULL */
            if (len > 0 || !PQgetisnull(res, r, k)) {
                o->kind = fclass[k] == FC_TEXT ? DAL_V_TEXT : DAL_V_BYTES;
                o->p = v;
                o->len = (size_t)len;
            }
            else {
                o->kind = DAL_V_NULL;
                o->p = NULL;
                o->len = 0;
            }
            continue;
        case FC_JSONB:
            if (len >= 1 && v[0] == 1) {
                o->kind = DAL_V_TEXT;
                o->p = v + 1;
                o->len = (size_t)len - 1;
                continue;
            }
            break;
        default:
            break;
        }
        o->p = NULL;
        o->len = 0;
        o->kind = len == 0 && PQgetisnull(res, r, k) ? DAL_V_NULL : DAL_V_OTHER;
    }
}

/* Whether res has a row r and at least n columns, the classes of which are
 * loaded: what dal_row_values checks once per row, pg_read_rest once. */
static dal_status pg_values_fit(dal_stmt *st, int r, int n)
{
    PGresult *res = PG(st)->res;
    if (!res || r < 0 || r >= PQntuples(res) || n > PQnfields(res))
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: no row, or fewer than %d columns", n);
    if (!PG(st)->ftypes_valid && !load_ftypes(st))
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    return DAL_OK;
}

/* dal_row_values on PostgreSQL: binary values classified by result type. */
DAL_HOT static dal_status dal__pg_row_values(dal_stmt *st, dal_value *out, int n)
{
    int r = cur_row(st);
    dal_status s = pg_values_fit(st, r, n);
    if (s == DAL_OK)
        pg_values(PG(st)->res, r, PG(st)->fclass, out, n);
    return s;
}

DAL_HOT static dal_status pg_step_op(dal_stmt *st, bool *has_row);

/* Moves a buffered result to its next row, if it has one: the whole of a
 * row step there (pg_step_op, pg_read_rest). */
static inline bool pg_next_buffered(dal_stmt *st)
{
    if (PG(st)->streaming || PG(st)->row + 1 >= PG(st)->nrows)
        return false;
    PG(st)->row++;
    return true;
}

/* dal_fetch_all's rows: those of a buffered result read in one loop, with
 * none of dal_stmt_step's per-row bookkeeping and the result's shape checked
 * once; a stream's rows (and the end of the result) through pg_step_op. */
DAL_HOT static dal_status pg_read_rest(dal_stmt *st, const dal_reader *r, size_t size,
                                       char **arr, size_t *n, size_t *cap)
{
    dal_status s;
    if (r->values && (s = pg_values_fit(st, cur_row(st), r->nv)) != DAL_OK)
        return s;
    for (;;) {
        if ((s = dal__rows_room(st, size, arr, *n, cap)) != DAL_OK)
            return s;
        if (r->values)
            pg_values(PG(st)->res, cur_row(st), PG(st)->fclass, r->v, r->nv);
        if ((s = dal__reader_run(st, r, *arr + *n * size)) != DAL_OK)
            return s;
        ++*n;
        if (pg_next_buffered(st))
            continue;
        bool has = false;
        if ((s = pg_step_op(st, &has)) != DAL_OK || !has)
            return s;
        if (r->values && PG(st)->streaming && (s = pg_values_fit(st, cur_row(st), r->nv)) != DAL_OK)
            return s;
    }
}

/* Decodes the binary wire format directly when the result column has the
 * type the field expects; anything else goes to the generic readers. */
static dal_status dal__pg_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total)
{
    PGresult *res = PG(st)->res;
    int n = t->ncolumns, r = cur_row(st);
    if (!res || r < 0 || r >= PQntuples(res) || first + n > PQnfields(res)) {
        return dal__read_cols_generic(st, first, t, row, sp, nvar, total);
    }
    if (!PG(st)->ftypes_valid && !load_ftypes(st))
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    const Oid *ftypes = PG(st)->ftypes;
    const dal_column *columns = t->columns;
    int nv = *nvar; /* in locals: stores into the row may alias anything */
    size_t tot = *total;
    for (int k = 0; k < n; k++) {
        const dal_column *c = &columns[k];
        int col = first + k;
        char *f = (char *)row + c->offset;
        int len = PQgetlength(res, r, col);
        if (len == 0 && PQgetisnull(res, r, col)) /* (a NULL has length 0) */
            continue;                             /* zero value, has_ false */
        dal__mark_has(c, row);
        Oid ft = ftypes[col];
        const char *v = PQgetvalue(res, r, col);
        switch (c->type) {
        case DAL_T_INT64:
            if (ft == OID_INT8 && len == 8) {
                int64_t x = (int64_t)rd64(v);
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_INT32:
            if (ft == OID_INT4 && len == 4) {
                int32_t x = (int32_t)rd32(v);
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_INT16:
            if (ft == OID_INT2 && len == 2) {
                int16_t x = (int16_t)rd16(v);
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_BOOL:
            if (ft == OID_BOOL && len == 1) {
                bool b = v[0] != 0;
                memcpy(f, &b, sizeof b);
                continue;
            }
            break;
        case DAL_T_FLOAT64:
            if (ft == OID_FLOAT8 && len == 8) {
                uint64_t u = rd64(v);
                memcpy(f, &u, sizeof u);
                continue;
            }
            break;
        case DAL_T_FLOAT32:
            if (ft == OID_FLOAT4 && len == 4) {
                uint32_t u = rd32(v);
                memcpy(f, &u, sizeof u);
                continue;
            }
            break;
        case DAL_T_TIME:
            if ((ft == OID_TIMESTAMPTZ || ft == OID_TIMESTAMP) && len == 8) {
                int64_t x = (int64_t)rd64(v);
                if (x != INT64_MAX && x != INT64_MIN) { /* else +-infinity, kept */
                    if (!pg_time_ok(x))
                        break; /* the generic reader reports it */
                    x += PG_EPOCH_US;
                }
                memcpy(f, &x, sizeof x);
                continue;
            }
            break;
        case DAL_T_DATE:
            if (ft == OID_DATE && len == 4) {
                int64_t d64 = (int64_t)(int32_t)rd32(v) + PG_EPOCH_DAYS;
                if (!DAL__DATE_OK(d64))
                    break; /* the generic reader reports it */
                dal_date d = (dal_date)d64;
                memcpy(f, &d, sizeof d);
                continue;
            }
            break;
        case DAL_T_UUID:
            if (ft == OID_UUID && len == 16) {
                dal__format_uuid((const unsigned char *)v, f);
                continue;
            }
            break;
        case DAL_T_TEXT:
        case DAL_T_JSON:
        case DAL_T_ENUM:
        case DAL_T_BYTES:
            if (ft == OID_JSONB && c->type != DAL_T_BYTES) {
                if (len < 1 || v[0] != 1)
                    break; /* the generic reader reports it */
                v++;
                len--;
            }
            else if (!is_texty(ft) && !(ft == OID_BYTEA && c->type == DAL_T_BYTES))
                break;
            if (c->type == DAL_T_ENUM) {
                dal_status s = dal__read_enum(st->db, c, v, (size_t)len, f);
                if (s != DAL_OK)
                    return s;
                continue;
            }
            dal__span_add(sp, &nv, &tot, c, v, (size_t)len);
            continue;
        case DAL_T_DECIMAL:
            break; /* binary numeric -> text: the generic reader */
        }
        dal_status s = dal__read_col_spill(st, col, c, row, sp, &nv, &tot);
        if (s != DAL_OK)
            return s;
    }
    *nvar = nv;
    *total = tot;
    return DAL_OK;
}


/* ---------------------------------------------------------------------- */
/* bulk insert: binary COPY, multi-row VALUES, pipeline                    */
/* ---------------------------------------------------------------------- */

typedef enum bulk_method { BULK_AUTO, BULK_COPY, BULK_VALUES, BULK_PIPELINE } bulk_method;

/* $DAL_PG_BULK (copy, values, pipeline) forces one method, for benchmarks
 * and tests; unset: COPY for runs of COPY_MIN_ROWS rows or more, pipeline
 * for shorter runs. */
static bulk_method bulk_method_env(void)
{
    const char *m = getenv("DAL_PG_BULK");
    if (!m || !*m)
        return BULK_AUTO;
    if (!strcmp(m, "copy"))
        return BULK_COPY;
    if (!strcmp(m, "values"))
        return BULK_VALUES;
    if (!strcmp(m, "pipeline"))
        return BULK_PIPELINE;
    return BULK_AUTO;
}

#define COPY_MIN_ROWS 16
#define COPY_FLUSH (256 * 1024)

/* Can a value of C type ct go to a column of server type srv in binary
 * COPY (through the parameter encoders, plus numeric/jsonb/text below)? */
static bool copy_encodable(dal_type ct, Oid srv)
{
    bool is_int = ct == DAL_T_INT16 || ct == DAL_T_INT32 || ct == DAL_T_INT64;
    bool is_float = ct == DAL_T_FLOAT32 || ct == DAL_T_FLOAT64;
    switch (srv) {
    case 0:
        return false;
    case OID_BOOL:
        return ct == DAL_T_BOOL;
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return is_int || ct == DAL_T_BOOL;
    case OID_FLOAT8:
        return is_float || is_int;
    case OID_FLOAT4:
        return is_float;
    case OID_NUMERIC:
        return is_int || is_float || ct == DAL_T_DECIMAL || ct == DAL_T_TEXT;
    case OID_BYTEA:
        return ct == DAL_T_BYTES;
    case OID_UUID:
        return ct == DAL_T_UUID;
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
    case OID_DATE:
        return ct == DAL_T_TIME || ct == DAL_T_DATE;
    case OID_JSONB:
        return ct == DAL_T_JSON || ct == DAL_T_TEXT || ct == DAL_T_DECIMAL;
    case OID_CHAR: /* binary "char" is one byte, not text */
        return false;
    default:
        return is_texty(srv);
    }
}

typedef struct cbuf {
    char *p;
    size_t len, cap;
} cbuf;

static dal_status cb_flush(dal_db *db, cbuf *b)
{
    if (b->len && PQputCopyData(PGDB(db)->pg, b->p, (int)b->len) != 1)
        return pg_error(db, NULL);
    b->len = 0;
    return DAL_OK;
}

/* Room for need more bytes (flushing first when the buffer is full). */
static dal_status cb_room(dal_db *db, cbuf *b, size_t need)
{
    if (b->len + need <= b->cap)
        return DAL_OK;
    dal_status s = cb_flush(db, b);
    if (s != DAL_OK || need <= b->cap)
        return s;
    size_t nc = b->cap ? b->cap : COPY_FLUSH;
    while (nc < need)
        nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np)
        return dal__err(db, DAL_NOMEM, "out of memory");
    b->p = np;
    b->cap = nc;
    return DAL_OK;
}

/* Length of text parameter i as build_params left it (not NUL-free bytes:
 * the bound string, or text it formatted into the parameter buffer). */
static size_t text_len(const dal_stmt *st, int i)
{
    const dal_param *p = &PG(st)->params[i];
    bool bound = p->kind == DAL_P_TEXT || p->kind == DAL_P_DECIMAL || p->kind == DAL_P_JSON ||
                 p->kind == DAL_P_UUID;
    return bound && PG(st)->values[i] == p->v.s.p ? p->v.s.len : strlen(PG(st)->values[i]);
}

/* Appends one COPY tuple from the statement's built parameters. */
static dal_status copy_tuple(dal_db *db, dal_stmt *st, const dal_table *t,
                             const dal_ins_cache *ic, cbuf *b)
{
    int n = st->nparams;
    size_t need = 2;
    for (int i = 0; i < n; i++) {
        const char *v = PG(st)->values[i];
        size_t l = !v ? 0 : PG(st)->formats[i] ? (size_t)PG(st)->lengths[i] : text_len(st, i);
        if (l > INT32_MAX - 64)
            return dal__err(db, DAL_ERROR, "column %s: value too large",
                            t->columns[ic->cols[i]].name);
        need += 4 + l + 16;
    }
    dal_status s = cb_room(db, b, need);
    if (s != DAL_OK)
        return s;
    char *o = b->p + b->len;
    be16(o, (uint16_t)n);
    o += 2;
    for (int i = 0; i < n; i++) {
        const char *v = PG(st)->values[i];
        if (!v) {
            be32(o, 0xFFFFFFFFu);
            o += 4;
            continue;
        }
        if (PG(st)->formats[i]) {
            be32(o, (uint32_t)PG(st)->lengths[i]);
            if (PG(st)->lengths[i])
                memcpy(o + 4, v, (size_t)PG(st)->lengths[i]);
            o += 4 + PG(st)->lengths[i];
            continue;
        }
        size_t l = text_len(st, i);
        Oid srv = PG(st)->server_types[i];
        if (srv == OID_NUMERIC) {
            int w = dal__numeric_from_text(v, l, (unsigned char *)o + 4);
            if (w < 0)
                return dal__err(db, DAL_CHECK, "column %s: %s: \"%.60s\"",
                                t->columns[ic->cols[i]].name,
                                w == -1 ? "invalid input syntax for type numeric"
                                        : "value overflows numeric format",
                                v);
            be32(o, (uint32_t)w);
            o += 4 + w;
        }
        else if (srv == OID_JSONB) {
            be32(o, (uint32_t)(l + 1));
            o[4] = 1; /* jsonb binary format version */
            memcpy(o + 5, v, l);
            o += 5 + l;
        }
        else if (is_texty(srv) && srv != OID_CHAR) {
            be32(o, (uint32_t)l);
            memcpy(o + 4, v, l);
            o += 4 + l;
        }
        else /* e.g. an integer out of the column type's range */
            return dal__err(db, DAL_ERROR, "column %s: value \"%.60s\" out of range for its type",
                            t->columns[ic->cols[i]].name, v);
    }
    b->len = (size_t)(o - b->p);
    return DAL_OK;
}

/* Direct encoders (field -> COPY binary) for the common exact matches of C
 * type and column type; 0 = through the parameter encoders. */
enum { ENC_GENERIC, ENC_BOOL, ENC_INT2, ENC_INT4, ENC_INT8, ENC_FLOAT4, ENC_FLOAT8, ENC_TIME,
       ENC_TEXT, ENC_ENUM };

static int direct_encoder(dal_type ct, Oid srv)
{
    switch (ct) {
    case DAL_T_BOOL:
        return srv == OID_BOOL ? ENC_BOOL : ENC_GENERIC;
    case DAL_T_INT16:
        return srv == OID_INT2 ? ENC_INT2 : ENC_GENERIC;
    case DAL_T_INT32:
        return srv == OID_INT4 ? ENC_INT4 : ENC_GENERIC;
    case DAL_T_INT64:
        return srv == OID_INT8 ? ENC_INT8 : ENC_GENERIC;
    case DAL_T_FLOAT32:
        return srv == OID_FLOAT4 ? ENC_FLOAT4 : ENC_GENERIC;
    case DAL_T_FLOAT64:
        return srv == OID_FLOAT8 ? ENC_FLOAT8 : ENC_GENERIC;
    case DAL_T_TIME:
        return srv == OID_TIMESTAMPTZ || srv == OID_TIMESTAMP ? ENC_TIME : ENC_GENERIC;
    case DAL_T_TEXT:
    case DAL_T_JSON:
        return is_texty(srv) && srv != OID_CHAR ? ENC_TEXT : ENC_GENERIC;
    case DAL_T_ENUM:
        return is_texty(srv) && srv != OID_CHAR ? ENC_ENUM : ENC_GENERIC;
    default:
        return ENC_GENERIC;
    }
}

/* One fixed-size COPY field: its 4-byte length, then `size` bytes of v in
 * network order; returns the byte after it.  Inlined with a constant size,
 * the switch folds away. */
static inline char *put_fixed(char *o, uint64_t v, uint32_t size)
{
    be32(o, size);
    switch (size) {
    case 1:
        o[4] = (char)v;
        break;
    case 2:
        be16(o + 4, (uint16_t)v);
        break;
    case 4:
        be32(o + 4, (uint32_t)v);
        break;
    default:
        be64(o + 4, v);
        break;
    }
    return o + 4 + size;
}

/* One COPY tuple straight from the row's fields (every column has a direct
 * encoder in enc[]). */
static dal_status copy_tuple_direct(dal_db *db, const dal_table *t, const dal_ins_cache *ic,
                                    const unsigned char *enc, const char *row, cbuf *b)
{
    int n = ic->ncols;
    size_t need = 2 + (size_t)n * 12;
    const dal_column *columns = t->columns;
    for (int i = 0; i < n; i++)
        if (enc[i] == ENC_TEXT) {
            const char *v;
            memcpy(&v, row + columns[ic->cols[i]].offset, sizeof v);
            if (v)
                need += strlen(v);
        }
        else if (enc[i] == ENC_ENUM)
            need += 64;
    dal_status s = cb_room(db, b, need);
    if (s != DAL_OK)
        return s;
    char *o = b->p + b->len;
    be16(o, (uint16_t)n);
    o += 2;
    for (int i = 0; i < n; i++) {
        const dal_column *c = &columns[ic->cols[i]];
        const char *f = row + c->offset;
        if (c->has_offset != DAL_NO_HAS) {
            bool h;
            memcpy(&h, row + c->has_offset, sizeof h);
            if (!h) {
                be32(o, 0xFFFFFFFFu);
                o += 4;
                continue;
            }
        }
        switch (enc[i]) {
        case ENC_BOOL:
            o = put_fixed(o, dal__load_int(f, 1) != 0, 1);
            break;
        case ENC_INT2:
            o = put_fixed(o, (uint16_t)dal__load_int(f, 2), 2);
            break;
        case ENC_INT4:
            o = put_fixed(o, (uint32_t)dal__load_int(f, 4), 4);
            break;
        case ENC_INT8:
            o = put_fixed(o, (uint64_t)dal__load_int(f, 8), 8);
            break;
        case ENC_FLOAT4: {
            float v;
            memcpy(&v, f, sizeof v);
            if (v != v)
                return dal__err(db, DAL_CHECK, "column %s: %s", c->name, NAN_MSG);
            o = put_fixed(o, (uint32_t)dal__load_int(f, 4), 4); /* the float's bits */
            break;
        }
        case ENC_FLOAT8: {
            double v;
            memcpy(&v, f, sizeof v);
            if (v != v)
                return dal__err(db, DAL_CHECK, "column %s: %s", c->name, NAN_MSG);
            o = put_fixed(o, (uint64_t)dal__load_int(f, 8), 8); /* the double's bits */
            break;
        }
        case ENC_TIME: {
            int64_t v = dal__load_int(f, 8);
            if (!DAL__TIME_OK(v))
                return dal__err(db, DAL_CHECK,
                                "column %s: timestamp %lld is outside the supported range "
                                "(years 1 to 9999)",
                                c->name, (long long)v);
            o = put_fixed(o, (uint64_t)(v - PG_EPOCH_US), 8);
            break;
        }
        case ENC_TEXT: {
            const char *v = dal__str_field(f);
            if (!v) {
                be32(o, 0xFFFFFFFFu);
                o += 4;
                break;
            }
            size_t l = strlen(v);
            if (!dal__utf8_ok(v, l))
                return dal__err(db, DAL_CHECK, "column %s: %s", c->name, UTF8_MSG);
            be32(o, (uint32_t)l);
            memcpy(o + 4, v, l);
            o += 4 + l;
            break;
        }
        case ENC_ENUM: {
            int v;
            memcpy(&v, f, sizeof v);
            if (v < 0 || v >= c->enum_count)
                return dal__err(db, DAL_MISUSE, "column %s: enum value %d out of range", c->name,
                                v);
            const char *name = c->enum_values[v];
            size_t l = strlen(name);
            if (l > 60)
                l = 60; /* room reserved above; longer names take the generic path */
            be32(o, (uint32_t)l);
            memcpy(o + 4, name, l);
            o += 4 + l;
            break;
        }
        }
    }
    b->len = (size_t)(o - b->p);
    return DAL_OK;
}

/* Ends a COPY IN (aborting it with abort_msg when not NULL) and reads its
 * result; returns the server's status (DAL_OK when aborted). */
static dal_status copy_finish(dal_db *db, const char *abort_msg)
{
    dal_status s = DAL_OK;
    if (PQputCopyEnd(PGDB(db)->pg, abort_msg) != 1)
        s = pg_error(db, NULL);
    PGresult *r;
    for (int guard = 0; (r = PQgetResult(PGDB(db)->pg)) != NULL; guard++) {
        ExecStatusType es = PQresultStatus(r);
        if (s == DAL_OK && !abort_msg && es != PGRES_COMMAND_OK)
            s = pg_error(db, r);
        PQclear(r);
        if (es == PGRES_COPY_IN || guard > 16 || PQstatus(PGDB(db)->pg) != CONNECTION_OK) {
            db->broken = true;
            return dal__err(db, DAL_CONN, "connection lost during COPY");
        }
    }
    return s;
}

/* One binary COPY of rows[0..n-1] (all of column set ic).  *fallback is set
 * (nothing sent) when a column cannot be encoded for COPY. */
static dal_status copy_run(dal_db *db, const dal_table *t, dal_ins_cache *ic, const char *rows,
                           size_t n, cbuf *b, bool *fallback)
{
    *fallback = false;
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &ic->q, &st); /* prepared: the column types */
    if (s != DAL_OK)
        return s;
    bool ok = PG(st)->server_types != NULL && ic->ncols > 0, direct = true;
    unsigned char enc_local[64], *enc = ic->ncols <= 64 ? enc_local : NULL;
    for (int i = 0; ok && i < ic->ncols; i++) {
        const dal_column *c = &t->columns[ic->cols[i]];
        ok = copy_encodable(c->type, PG(st)->server_types[i]);
        int e = direct_encoder(c->type, PG(st)->server_types[i]);
        if (e == ENC_ENUM)
            for (int v = 0; v < c->enum_count; v++)
                if (strlen(c->enum_values[v]) > 60)
                    e = ENC_GENERIC;
        if (enc && e != ENC_GENERIC)
            enc[i] = (unsigned char)e;
        else
            direct = false;
    }
    if (!ok) {
        dal_stmt_done(st);
        *fallback = true;
        return DAL_OK;
    }
    if (!ic->copy_sql) {
        dal_sbuf q = {0};
        dal__sb_str(&q, "COPY ");
        dal__sb_ident(&q, t->name);
        dal__sb_str(&q, " (");
        for (int i = 0; i < ic->ncols; i++) {
            if (i)
                dal__sb_str(&q, ", ");
            dal__sb_ident(&q, t->columns[ic->cols[i]].name);
        }
        dal__sb_str(&q, ") FROM STDIN (FORMAT binary)");
        if (q.oom) {
            free(q.p);
            dal_stmt_done(st);
            return dal__err(db, DAL_NOMEM, "out of memory");
        }
        ic->copy_sql = q.p;
    }
    if (!b->p) {
        b->p = malloc(COPY_FLUSH);
        if (!b->p) {
            dal_stmt_done(st);
            return dal__err(db, DAL_NOMEM, "out of memory");
        }
        b->cap = COPY_FLUSH;
    }
    uint64_t t0 = dal__now_us();
    PGresult *r = PQexec(PGDB(db)->pg, ic->copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        s = pg_error(db, r);
        PQclear(r);
        dal_stmt_done(st);
        dal__stats_record(db, ic->copy_sql, dal__now_us() - t0, true);
        return s;
    }
    PQclear(r);
    static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    b->len = 0;
    memcpy(b->p, header, sizeof header);
    b->len = sizeof header;
    for (size_t k = 0; direct && k < n && s == DAL_OK; k++)
        s = copy_tuple_direct(db, t, ic, enc, rows + k * t->size, b);
    for (size_t k = 0; !direct && k < n && s == DAL_OK; k++) {
        st->pending = DAL_OK;
        dal__bind_row_cols(st, 1, t, rows + k * t->size, ic->cols, ic->ncols);
        if (st->pending != DAL_OK) {
            s = dal__err(db, st->pending, "%s", dal__pending_msg(st));
            st->pending = DAL_OK;
            break;
        }
        build_params(st);
        s = copy_tuple(db, st, t, ic, b);
    }
    if (s == DAL_OK)
        s = cb_room(db, b, 2);
    if (s == DAL_OK) {
        be16(b->p + b->len, 0xFFFF); /* trailer */
        b->len += 2;
        s = cb_flush(db, b);
    }
    if (s == DAL_OK)
        s = copy_finish(db, NULL);
    else if (s != DAL_CONN) {
        char keep[DAL_ERRMSG_MAX];
        memcpy(keep, db->err, sizeof keep);
        dal_status fs = copy_finish(db, "aborted by the client (dal_insert_rows)");
        if (fs == DAL_CONN)
            s = fs;
        else
            memcpy(db->err, keep, sizeof keep);
        db->last = s;
    }
    b->len = 0;
    dal_stmt_done(st);
    dal__stats_record(db, ic->copy_sql, dal__now_us() - t0, s != DAL_OK);
    return s;
}

/* Rows [a, b) through the pipelined single-row INSERTs. */
static dal_status pipeline_rows(dal_db *db, const dal_table *t, const char *rows, size_t a,
                                size_t b)
{
    size_t n = b - a;
    if (n == 0)
        return DAL_OK;
    dal_stmt **sts = malloc(n * sizeof *sts);
    dal_ins_cache **ics = malloc(n * sizeof *ics);
    dal_status s = DAL_OK;
    if (!sts || !ics)
        s = dal__err(db, DAL_NOMEM, "out of memory");
    for (size_t k = 0; k < n && s == DAL_OK; k++) {
        ics[k] = dal__ins_get(db, t, rows + (a + k) * t->size, false, false);
        if (!ics[k]) {
            s = dal__err(db, DAL_NOMEM, "out of memory");
            break;
        }
        if (k > 0 && ics[k] == ics[k - 1])
            sts[k] = sts[k - 1];
        else
            s = dal_stmt_start(db, &ics[k]->q, &sts[k]);
    }
    if (s == DAL_OK)
        s = dal__pg_insert_batch(db, sts, t, rows + a * t->size, n, ics);
    free(sts);
    free(ics);
    return s;
}

/* Rows of one column set in multi-row INSERT ... VALUES statements of up to
 * 1000 rows and PG_MAX_PARAMS parameters (4 rows of the widest table); the
 * remainder pipelined. */
static dal_status values_run(dal_db *db, const dal_table *t, dal_ins_cache *ic, const char *rows,
                             size_t n)
{
    int per = ic->ncols > 0 ? PG_MAX_PARAMS / ic->ncols : 0;
    if (per > 1000)
        per = 1000;
    size_t full = per > 1 ? n / (size_t)per * (size_t)per : 0;
    if (full && dal__ins_values_query(ic, per) != DAL_OK)
        return dal__err(db, DAL_NOMEM, "out of memory");
    dal_status s = DAL_OK;
    for (size_t k = 0; k < full && s == DAL_OK; k += (size_t)ic->vrows) {
        dal_stmt *st;
        s = dal_stmt_start(db, &ic->vq, &st);
        if (s != DAL_OK)
            break;
        for (int r = 0; r < ic->vrows; r++)
            dal__bind_row_cols(st, 1 + r * ic->ncols, t, rows + (k + (size_t)r) * t->size,
                               ic->cols, ic->ncols);
        bool has;
        s = dal_stmt_step(st, &has);
        dal_stmt_done(st);
    }
    if (s == DAL_OK)
        s = pipeline_rows(db, t, rows, full, n);
    return s;
}

static dal_status dal__pg_insert_rows(dal_db *db, const dal_table *t, const void *rowsv, size_t n)
{
    const char *rows = rowsv;
    bulk_method m = bulk_method_env();
    if (PGDB(db)->unnamed && m != BULK_VALUES)
        m = BULK_PIPELINE; /* COPY needs the column types of a prepared INSERT */
    cbuf b = {0};
    dal_status s = DAL_OK;
    size_t k = 0, pending = (size_t)-1; /* first row of a run of short runs */
    while (k < n && s == DAL_OK) {
        size_t j;
        dal_ins_cache *ic = dal__ins_run(db, t, rows, k, n, &j);
        if (!ic) {
            s = DAL_NOMEM;
            break;
        }
        bool pipe = m == BULK_PIPELINE || ic->ncols == 0 ||
                    (m == BULK_AUTO && j - k < COPY_MIN_ROWS);
        if (pipe) {
            if (pending == (size_t)-1)
                pending = k;
            k = j;
            continue;
        }
        if (pending != (size_t)-1) {
            s = pipeline_rows(db, t, rows, pending, k);
            pending = (size_t)-1;
            if (s != DAL_OK)
                break;
        }
        if (m == BULK_VALUES)
            s = values_run(db, t, ic, rows + k * t->size, j - k);
        else {
            bool fallback;
            s = copy_run(db, t, ic, rows + k * t->size, j - k, &b, &fallback);
            if (s == DAL_OK && fallback)
                s = pipeline_rows(db, t, rows, k, j);
        }
        k = j;
    }
    if (s == DAL_OK && pending != (size_t)-1)
        s = pipeline_rows(db, t, rows, pending, n);
    free(b.p);
    return s;
}

/* After rows with explicit identity values up to max: the column's
 * sequence is moved to max when it is behind it, so the next generated id
 * is max + 1, as SQLite's rowid continues after the largest.  A sequence
 * never called (pg_sequence_last_value NULL) is behind any id >= 1; a column
 * without a sequence (pg_get_serial_sequence NULL) is left alone, and so
 * is one at the sequence's maximum (it would exhaust it; SQLite picks an
 * unused rowid then).  Not a lock: see docs/runtime.md for two sessions
 * racing. */
static const dal_query PG_IDENTITY_Q = {
    "SELECT setval(s::regclass, $3) FROM pg_get_serial_sequence($1, $2) AS s "
    "WHERE $3 > coalesce(pg_sequence_last_value(s::regclass), 0) "
    "AND $3 < (SELECT seqmax FROM pg_sequence WHERE seqrelid = s::regclass)",
    3,
};

static dal_status dal__pg_identity_written(dal_db *db, const dal_table *t, const dal_column *c,
                                           int64_t max)
{
    dal_sbuf name = {0}; /* the table name quoted, as pg_get_serial_sequence parses it */
    dal__sb_ident(&name, t->name);
    if (name.oom) {
        free(name.p);
        return dal__err(db, DAL_NOMEM, "out of memory");
    }
    dal_stmt *st;
    dal_status s = dal_stmt_start(db, &PG_IDENTITY_Q, &st);
    if (s == DAL_OK) {
        dal_bind_text(st, 1, name.p);
        dal_bind_text(st, 2, c->name);
        dal_bind_int64(st, 3, max);
        s = dal_stmt_exec(st, NULL);
    }
    free(name.p);
    return s;
}

/* ---------------------------------------------------------------------- */
/* the engine's operations                                                 */
/* ---------------------------------------------------------------------- */

/* PostgreSQL: the parameters go straight into the statement's dal_param
 * array (what dal_bind_* do, without the per-call checks); the rare types
 * take the generic path. */
static void bind_cols_pg(dal_stmt *st, int first, const dal_table *t, const void *row,
                         const int *cols, int n)
{
    const dal_column *columns = t->columns;
    dal_param *params = PG(st)->params + (first - 1);
    for (int k = 0; k < n; k++) {
        const dal_column *c = &columns[cols ? cols[k] : k];
        const char *f = FIELD(row, c->offset);
        dal_param *p = &params[k];
        if (!has_value(c, row)) {
            p->kind = DAL_P_NULL;
            continue;
        }
        switch (c->type) {
        case DAL_T_BOOL: {
            bool v;
            memcpy(&v, f, sizeof v);
            p->kind = DAL_P_BOOL;
            p->v.i = v ? 1 : 0;
            continue;
        }
        case DAL_T_INT16: {
            int16_t v;
            memcpy(&v, f, sizeof v);
            p->kind = DAL_P_INT16;
            p->v.i = v;
            continue;
        }
        case DAL_T_INT32: {
            int32_t v;
            memcpy(&v, f, sizeof v);
            p->kind = DAL_P_INT32;
            p->v.i = v;
            continue;
        }
        case DAL_T_INT64:
        case DAL_T_TIME: {
            int64_t v;
            memcpy(&v, f, sizeof v);
            if (c->type == DAL_T_TIME && !DAL__TIME_OK(v)) {
                dal__range_err(st, first + k, "timestamp", v);
                continue;
            }
            p->kind = c->type == DAL_T_TIME ? DAL_P_TIME : DAL_P_INT;
            p->v.i = v;
            continue;
        }
        case DAL_T_FLOAT32: {
            float v;
            memcpy(&v, f, sizeof v);
            if (v != v) {
                dal__value_err(st, first + k, c->name, NAN_MSG);
                continue;
            }
            p->kind = DAL_P_FLOAT32;
            p->v.f = (double)v;
            continue;
        }
        case DAL_T_FLOAT64: {
            double v;
            memcpy(&v, f, sizeof v);
            if (v != v) {
                dal__value_err(st, first + k, c->name, NAN_MSG);
                continue;
            }
            p->kind = DAL_P_FLOAT64;
            p->v.f = v;
            continue;
        }
        case DAL_T_DECIMAL: {
            const char *v = dal__str_field(f);
            dal__bind_decimal(st, first + k, c->name, v, DAL_COL_PRECISION(c->flags),
                              DAL_COL_SCALE(c->flags));
            continue;
        }
        case DAL_T_TEXT:
        case DAL_T_JSON: {
            const char *v = dal__str_field(f);
            if (!v) {
                p->kind = DAL_P_NULL;
                continue;
            }
            size_t len = strlen(v);
            if (!dal__utf8_ok(v, len)) {
                dal__value_err(st, first + k, c->name, UTF8_MSG);
                continue;
            }
            p->kind = c->type == DAL_T_TEXT ? DAL_P_TEXT : DAL_P_JSON;
            p->v.s.p = v;
            p->v.s.len = len;
            continue;
        }
        case DAL_T_ENUM: {
            const char *name = dal__enum_name(st, c, f);
            if (name) {
                p->kind = DAL_P_TEXT;
                p->v.s.p = name;
                p->v.s.len = strlen(name);
            }
            continue;
        }
        case DAL_T_BYTES:
        case DAL_T_UUID:
        case DAL_T_DATE:
            break;
        }
        int one = cols ? cols[k] : k;
        dal__bind_cols_generic(st, first + k, t, row, &one, 1);
    }
}


static void pg_bind_row_cols(dal_stmt *st, int first, const dal_table *t, const void *row,
                             const int *cols, int n)
{
    if (PG(st)->params)
        bind_cols_pg(st, first, t, row, cols, n);
    else
        dal__bind_cols_generic(st, first, t, row, cols, n);
}

/* Binds are stored until the execution: straight into the parameter array
 * when the index is in range, else through dal__bind_p (which reports it). */
static void pg_bind(dal_stmt *st, int i, const dal_param *p) { PG(st)->params[i - 1] = *p; }

DAL_HOT static void pg_bind_null(dal_stmt *st, int i)
{
    if ((unsigned)i - 1u < (unsigned)st->nparams) {
        PG(st)->params[i - 1].kind = DAL_P_NULL;
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_NULL});
}

DAL_HOT static void pg_bind_int(dal_stmt *st, int i, int64_t v, dal_pkind kind)
{
    if ((unsigned)i - 1u < (unsigned)st->nparams) {
        dal_param *p = &PG(st)->params[i - 1];
        p->kind = kind;
        p->v.i = v;
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = kind, .v.i = v});
}

DAL_HOT static void pg_bind_float(dal_stmt *st, int i, double v, dal_pkind kind)
{
    if ((unsigned)i - 1u < (unsigned)st->nparams) {
        dal_param *p = &PG(st)->params[i - 1];
        p->kind = kind;
        p->v.f = v;
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = kind, .v.f = v});
}

DAL_HOT static void pg_bind_text(dal_stmt *st, int i, const char *v, size_t len)
{
    if ((unsigned)i - 1u < (unsigned)st->nparams) {
        dal_param *p = &PG(st)->params[i - 1];
        p->kind = DAL_P_TEXT;
        p->v.s.p = v;
        p->v.s.len = len;
        return;
    }
    dal__bind_p(st, i, (dal_param){.kind = DAL_P_TEXT, .v.s = {v, len}});
}

static int pg_ncols(dal_stmt *st) { return PG(st)->res ? PQnfields(PG(st)->res) : 0; }

/* dal_stmt_step: the next row of a buffered result is an index increment,
 * of a stream one PQgetResult; everything else is dal__step_slow. */
DAL_HOT static dal_status pg_step_op(dal_stmt *st, bool *has_row)
{
    if (st->running && st->pending == DAL_OK && !st->tweight) {
        if (pg_next_buffered(st)) {
            *has_row = true;
            dal__ok(st->db);
            return DAL_OK;
        }
        if (PG(st)->streaming) {
            *has_row = false;
            dal_status s = dal__pg_step(st, has_row);
            if (s != DAL_OK || !*has_row)
                return dal__step_finish(st, s);
            dal__ok(st->db);
            return DAL_OK;
        }
    }
    return dal__step_slow(st, has_row);
}

DAL_HOT static dal_status pg_exec_step(dal_stmt *st, bool *has_row)
{
    dal_status s = dal__pg_step(st, has_row);
    st->rows_buffered = !PG(st)->streaming; /* rows of a buffered result are not timed */
    return s;
}

/* dal_stmt_start's fast path: prepared, on a healthy connection with no
 * stream open (anything else needs the slow path's checks). */
DAL_HOT static bool pg_warm(dal_stmt *st)
{
    dal_db *db = st->db;
    return st->prepared && !PGDB(db)->streaming && !db->broken &&
           PQstatus(PGDB(db)->pg) == CONNECTION_OK;
}

/* Another statement starts while one streams: the stream is read into
 * memory first (the connection carries one result at a time). */
static void pg_started(dal_stmt *st)
{
    dal_db *db = st->db;
    if (PGDB(db)->streaming && PGDB(db)->streaming != st)
        dal__pg_detach(db);
}

static void pg_forget(dal_stmt *st)
{
    if (PG(st)->res) {
        PQclear(PG(st)->res);
        PG(st)->res = NULL;
    }
}

static void pg_end_streams(dal_db *db)
{
    if (PGDB(db)->streaming) {
        dal_stmt_done(PGDB(db)->streaming);
        PGDB(db)->streaming = NULL;
    }
}

static void pg_stmt_free(dal_stmt *st)
{
    if (PG(st)->res)
        PQclear(PG(st)->res);
    for (int i = PG(st)->prest; i < PG(st)->nrest; i++)
        PQclear(PG(st)->rest[i]);
    free(PG(st)->rest);
    free(PG(st)->rest_msg);
    for (int i = 0; i < PG(st)->ncolbuf; i++)
        free(PG(st)->colbuf[i]);
    free(PG(st)->colbuf);
    free(PG(st)->colcap);
    free(PG(st)->server_types);
    free(PG(st)->ftypes);
    free(PG(st)->fclass);
    free(PG(st)->params);
    free(PG(st)->types);
    free(PG(st)->values);
    free(PG(st)->lengths);
    free(PG(st)->formats);
    free(PG(st)->pbuf);
}

static bool pg_healthy(dal_db *db)
{
    return PGDB(db)->pg && PQstatus(PGDB(db)->pg) == CONNECTION_OK;
}

/* An idle connection has nothing to read unless the server said something
 * on its own: a NOTIFY, a parameter change, or the FATAL error and end of
 * stream of a restart, a terminated backend or an idle timeout.  One poll()
 * without waiting tells, and PQconsumeInput reads what came: a closed
 * stream leaves the connection CONNECTION_BAD. */
static bool pg_closed(dal_db *db)
{
    PGconn *c = PGDB(db)->pg;
    if (!c || db->broken || PQstatus(c) != CONNECTION_OK)
        return true;
    struct pollfd pfd = {PQsocket(c), POLLIN, 0};
    if (pfd.fd < 0)
        return true;
    /* the FATAL message comes first (libpq hands it to the notice
     * processor and stays CONNECTION_OK), the end of stream after it */
    for (int i = 0; i < 4 && poll(&pfd, 1, 0) > 0; i++) {
        if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK) {
            db->broken = true;
            return true;
        }
    }
    return false;
}

static void *pg_native(dal_db *db) { return PGDB(db)->pg; }


static dal_status pg_col_int(dal_stmt *st, int col, int64_t *out)
{
    return dal__pg_is_null(st, col) ? dal__col_null_err(st, col) : dal__pg_col_int(st, col, out);
}

static dal_status pg_col_float(dal_stmt *st, int col, double *out)
{
    return dal__pg_is_null(st, col) ? dal__col_null_err(st, col) : dal__pg_col_float(st, col, out);
}

static dal_status pg_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    if (dal__pg_is_null(st, col)) {
        *out = NULL;
        *len = 0;
        return dal__col_null_err(st, col);
    }
    return dal__pg_col_text(st, col, out, len);
}

static dal_status pg_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    if (dal__pg_is_null(st, col)) {
        *out = NULL;
        *len = 0;
        return dal__col_null_err(st, col);
    }
    return dal__pg_col_bytes(st, col, out, len);
}

const dal_engine dal__pg_engine = {
    .name = "postgresql",
    .dialect = DAL_POSTGRES,
    .db_size = sizeof(pg_db),
    .stmt_size = sizeof(pg_stmt),
    .begin_sql = "BEGIN",
    .open = dal__pg_open,
    .close = dal__pg_close,
    .exec = dal__pg_exec,
    .ping = dal__pg_ping,
    .native_handle = pg_native,
    .healthy = pg_healthy,
    .closed = pg_closed,
    .ensure = dal__pg_ensure,
    .end_streams = pg_end_streams,
    .prepare = dal__pg_prepare,
    .warm = pg_warm,
    .started = pg_started,
    .forget = pg_forget,
    .stmt_free = pg_stmt_free,
    .step = pg_step_op,
    .exec_step = pg_exec_step,
    .done = dal__pg_done,
    .bind = pg_bind,
    .bind_null = pg_bind_null,
    .bind_int = pg_bind_int,
    .bind_float = pg_bind_float,
    .bind_text = pg_bind_text,
    .bind_row_cols = pg_bind_row_cols,
    .ncols = pg_ncols,
    .is_null = dal__pg_is_null,
    .col_int = pg_col_int,
    .col_float = pg_col_float,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .col_uuid = dal__pg_col_uuid,
    .col_time = dal__pg_col_time,
    .col_date = dal__pg_col_date,
    .col_opt = dal__pg_opt,
    .row_values = dal__pg_row_values,
    .read_rest = pg_read_rest,
    .read_cols = dal__pg_read_cols,
    .insert_rows = dal__pg_insert_rows,
    .exec_batch = dal__pg_exec_batch,
    .identity_written = dal__pg_identity_written,
};
