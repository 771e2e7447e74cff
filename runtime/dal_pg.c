/*
 * dal_pg.c - the PostgreSQL engine of the runtime (libpq).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dal_internal.h"

enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_CHAR = 18, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21,
    OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26, OID_JSON = 114, OID_FLOAT4 = 700,
    OID_FLOAT8 = 701, OID_UNKNOWN = 705, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_DATE = 1082,
    OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_UUID = 2950,
    OID_JSONB = 3802
};

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 - 1970-01-01 in us */
#define PG_EPOCH_DAYS 10957

/* ---------------------------------------------------------------------- */
/* errors                                                                  */
/* ---------------------------------------------------------------------- */

dal_status dal__pg_status(const char *ss, const char *msg)
{
    if (!ss || strlen(ss) != 5)
        return DAL_ERROR;
    if (!strcmp(ss, "23505") || !strcmp(ss, "23P01"))
        return DAL_DUPLICATE;
    if (!strcmp(ss, "23503"))
        return DAL_FOREIGN_KEY;
    if (!strcmp(ss, "23514") || !strcmp(ss, "22001"))
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
    if (PQstatus(db->pg) == CONNECTION_BAD) {
        db->broken = true;
        s = DAL_CONN;
    }
    /* 26000 (no such prepared statement) and 42P05 (already exists) on a
     * named statement: the server connection changed under us. */
    const char *hint = "";
    if (ss && !db->unnamed && (!strcmp(ss, "26000") || !strcmp(ss, "42P05")))
        hint = "; the connection seems to go through a pooler in transaction mode (such as "
               "PgBouncer): add dal_statements=unnamed to the URL";
    if (prim)
        return dal__err(db, s, "%s%s%s%s [%s]%s", prim, cons ? " (constraint " : "",
                        cons ? cons : "", cons ? ")" : "", ss ? ss : "", hint);
    const char *m = res ? PQresultErrorMessage(res) : "";
    if (!m || !*m)
        m = PQerrorMessage(db->pg);
    if (s == DAL_ERROR && !ss && PQstatus(db->pg) != CONNECTION_OK) {
        db->broken = true;
        s = DAL_CONN;
    }
    return dal__err(db, s, "%s", m && *m ? m : "unknown PostgreSQL error");
}

/* ---------------------------------------------------------------------- */
/* connections                                                             */
/* ---------------------------------------------------------------------- */

static dal_status session_setup(dal_db *db)
{
    const char *tz = PQparameterStatus(db->pg, "TimeZone");
    if (tz && strcmp(tz, "UTC") == 0)
        return DAL_OK;
    PGresult *r = PQexec(db->pg, "SET TimeZone TO 'UTC'");
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
    snprintf(db->stmt_prefix, sizeof db->stmt_prefix, "dal_%016llx_", (unsigned long long)r);
}

/* A pooler that hands out server connections per transaction answers the
 * startup with its own backend key: the pid it gives differs from the pid
 * of the server process that runs our queries.  Named statements cannot
 * work there (each lives in one server process), so unnamed ones are used. */
static dal_status detect_pooler(dal_db *db)
{
    PGresult *r = PQexec(db->pg, "SELECT pg_backend_pid()");
    dal_status s = DAL_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        s = pg_error(db, r);
    else if (atoi(PQgetvalue(r, 0, 0)) != PQbackendPID(db->pg)) {
        db->unnamed = true;
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

dal_status dal__pg_open(dal_db *db, const char *url)
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
    db->unnamed = strcmp(val, "unnamed") == 0;
    bool explicit_named = strcmp(val, "named") == 0;
    stmt_prefix(db);
    const char *keys[] = {"dbname", "client_encoding", NULL};
    const char *vals[] = {ci, "UTF8", NULL};
    db->pg = PQconnectdbParams(keys, vals, 1);
    if (!db->pg) {
        free(ci);
        return dal__err(db, DAL_NOMEM, "out of memory");
    }
    PQsetNoticeProcessor(db->pg, on_notice, db);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        char msg[DAL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
        scrub_password(ci, msg, sizeof msg);
        free(ci);
        size_t ml = strlen(msg);
        while (ml > 0 && msg[ml - 1] == '\n')
            msg[--ml] = '\0';
        return dal__err(db, DAL_CONN, "cannot connect to PostgreSQL: %s", msg);
    }
    free(ci);
    dal_status s = session_setup(db);
    if (s == DAL_OK && !db->unnamed && !explicit_named)
        s = detect_pooler(db);
    return s;
}

void dal__pg_close(dal_db *db)
{
    if (db->pg)
        PQfinish(db->pg);
    db->pg = NULL;
}

dal_status dal__pg_ensure(dal_db *db)
{
    if (!db->pg)
        return dal__err(db, DAL_CONN, "not connected");
    if (!db->broken && PQstatus(db->pg) == CONNECTION_OK)
        return DAL_OK;
    if (db->depth > 0)
        return dal__err(db, DAL_CONN, "connection lost inside a transaction: roll it back");
    db->streaming = NULL;
    dal__cache_clear(db, false);
    PQreset(db->pg);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        db->broken = true;
        return dal__err(db, DAL_CONN, "reconnect failed: %s", PQerrorMessage(db->pg));
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

dal_status dal__pg_exec(dal_db *db, const char *sql)
{
    dal_status s = dal__pg_ensure(db);
    if (s != DAL_OK)
        return s;
    dal__pg_detach(db);
    uint64_t t0 = dal__now_us();
    PGresult *r = PQexec(db->pg, sql);
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

dal_status dal__pg_ping(dal_db *db)
{
    dal_status s = dal__pg_ensure(db);
    if (s != DAL_OK)
        return s;
    dal__pg_detach(db);
    PGresult *r = PQexec(db->pg, "");
    s = result_ok(db, r);
    PQclear(r);
    return s;
}

/* ---------------------------------------------------------------------- */
/* statements                                                              */
/* ---------------------------------------------------------------------- */

dal_status dal__pg_prepare(dal_db *db, dal_stmt *st)
{
    int n = st->nparams;
    st->ftypes_valid = false; /* result types are read again after a (re)prepare */
    if (n > 0 && !st->params) {
        st->params = calloc((size_t)n, sizeof *st->params);
        st->types = calloc((size_t)n, sizeof *st->types);
        st->values = calloc((size_t)n, sizeof *st->values);
        st->lengths = calloc((size_t)n, sizeof *st->lengths);
        st->formats = calloc((size_t)n, sizeof *st->formats);
        st->pbuf = calloc((size_t)n, sizeof *st->pbuf);
        if (!st->params || !st->types || !st->values || !st->lengths || !st->formats || !st->pbuf)
            return dal__err(db, DAL_NOMEM, "out of memory");
    }
    if (db->unnamed) {
        st->prepared = true;
        return DAL_OK;
    }
    snprintf(st->name, sizeof st->name, "%s%u", db->stmt_prefix, ++db->next_stmt_id);
    PGresult *r = PQprepare(db->pg, st->name, st->q->sql, 0, NULL);
    dal_status s = result_ok(db, r);
    if (s != DAL_OK) {
        char keep[DAL_ERRMSG_MAX];
        snprintf(keep, sizeof keep, "%s", db->err);
        PQclear(r);
        return dal__err(db, s, "%s (in: %.200s)", keep, st->q->sql);
    }
    PQclear(r);
    r = PQdescribePrepared(db->pg, st->name);
    s = result_ok(db, r);
    if (s == DAL_OK) {
        int np = PQnparams(r);
        if (np > n)
            s = dal__err(db, DAL_MISUSE, "statement has %d parameters, dal_query says %d", np, n);
        else if (n > 0) {
            free(st->server_types);
            st->server_types = calloc((size_t)n, sizeof(Oid));
            if (!st->server_types)
                s = dal__err(db, DAL_NOMEM, "out of memory");
            else
                for (int i = 0; i < np; i++)
                    st->server_types[i] = PQparamtype(r, i);
        }
    }
    PQclear(r);
    if (s == DAL_OK)
        st->prepared = true;
    return s;
}

static inline void be16(char *b, uint16_t v)
{
    b[0] = (char)(v >> 8);
    b[1] = (char)v;
}
static inline void be32(char *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static inline void be64(char *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static inline uint16_t rd16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)(u[0] << 8 | u[1]);
}
static inline uint32_t rd32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}
static inline uint64_t rd64(const char *p) { return (uint64_t)rd32(p) << 32 | rd32(p + 4); }

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
    char *b = st->pbuf[i];
    Oid want;
    int len;
    switch (p->kind) {
    case DAL_P_NULL:
        st->types[i] = 0;
        st->values[i] = NULL;
        st->lengths[i] = 0;
        st->formats[i] = 0;
        return true;
    case DAL_P_TEXT:
        st->types[i] = 0;
        st->values[i] = p->v.s.p;
        st->lengths[i] = 0;
        st->formats[i] = 0;
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
    st->types[i] = want;
    st->values[i] = b;
    st->lengths[i] = len;
    st->formats[i] = 1;
    return true;
}

/* Fills the wire arrays from st->params. */
static void build_params(dal_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        const dal_param *p = &st->params[i];
        Oid srv = st->server_types ? st->server_types[i] : 0;
        if (fast_param(st, i, p, srv))
            continue;
        char *b = st->pbuf[i];
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
                    snprintf(b, sizeof st->pbuf[i], "%s", v ? "true" : "false");
                else
                    snprintf(b, sizeof st->pbuf[i], "%lld", (long long)v);
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
                fmt_double(b, sizeof st->pbuf[i], p->v.f, p->kind == DAL_P_FLOAT32);
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
        st->types[i] = fmt == 0 ? 0 : want;
        st->values[i] = val;
        st->lengths[i] = len;
        st->formats[i] = fmt;
    }
}

static PGresult *pg_exec_once(dal_stmt *st)
{
    dal_db *db = st->db;
    if (db->unnamed)
        return PQexecParams(db->pg, st->q->sql, st->nparams, st->types, st->values, st->lengths,
                            st->formats, 1);
    return PQexecPrepared(db->pg, st->name, st->nparams, st->values, st->lengths, st->formats,
                          1);
}

static int pg_send(dal_stmt *st)
{
    dal_db *db = st->db;
    if (db->unnamed)
        return PQsendQueryParams(db->pg, st->q->sql, st->nparams, st->types, st->values,
                                 st->lengths, st->formats, 1);
    return PQsendQueryPrepared(db->pg, st->name, st->nparams, st->values, st->lengths,
                               st->formats, 1);
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
    while ((r = PQgetResult(db->pg)) != NULL)
        PQclear(r);
}

static void free_rest(dal_stmt *st)
{
    for (int i = st->prest; i < st->nrest; i++)
        PQclear(st->rest[i]);
    free(st->rest);
    free(st->rest_msg);
    st->rest = NULL;
    st->rest_msg = NULL;
    st->nrest = st->prest = st->caprest = 0;
    st->rest_status = DAL_OK;
    st->detached = false;
}

/* Another statement needs the connection while one streams: read the rest
 * of the streaming result into memory so that it can still be stepped
 * (e.g. queries inside an iterate callback). */
void dal__pg_detach(dal_db *db)
{
    dal_stmt *st = db->streaming;
    if (!st)
        return;
    db->streaming = NULL;
    if (!st->running || !st->streaming)
        return;
    st->detached = true;
    PGresult *r;
    while ((r = PQgetResult(db->pg)) != NULL) {
        ExecStatusType es = PQresultStatus(r);
        if (es == PGRES_SINGLE_TUPLE && st->rest_status == DAL_OK) {
            if (st->nrest == st->caprest) {
                int nc = st->caprest ? st->caprest * 2 : 64;
                PGresult **n = realloc(st->rest, (size_t)nc * sizeof *n);
                if (!n) {
                    PQclear(r);
                    st->rest_status = DAL_NOMEM;
                    continue;
                }
                st->rest = n;
                st->caprest = nc;
            }
            st->rest[st->nrest++] = r;
            continue;
        }
        if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK)
            set_changes(st, r);
        else if (es != PGRES_SINGLE_TUPLE && st->rest_status == DAL_OK) {
            st->rest_status = pg_error(db, r);
            st->rest_msg = strdup(db->err);
        }
        PQclear(r);
    }
    if (PQstatus(db->pg) != CONNECTION_OK && st->rest_status == DAL_OK) {
        db->broken = true;
        st->rest_status = DAL_CONN;
        st->rest_msg = strdup("connection lost");
    }
}

dal_status dal__pg_step(dal_stmt *st, bool *has_row)
{
    dal_db *db = st->db;
    if (!st->running) {
        /* A named statement's result types stay those of its prepare (a
         * change of them fails with 0A000 and re-prepares); an unnamed
         * one's are read from every result. */
        if (db->unnamed)
            st->ftypes_valid = false;
        if (st->res) {
            PQclear(st->res);
            st->res = NULL;
        }
        if (db->streaming && db->streaming != st)
            dal__pg_detach(db);
        if (db->broken || PQstatus(db->pg) != CONNECTION_OK) {
            db->broken = true;
            return dal__err(db, DAL_CONN, "connection lost");
        }
        build_params(st);
        if (st->stream_req) {
            if (!pg_send(st)) {
                if (PQstatus(db->pg) != CONNECTION_OK)
                    db->broken = true;
                return dal__err(db, db->broken ? DAL_CONN : DAL_ERROR, "%s",
                                PQerrorMessage(db->pg));
            }
            PQsetSingleRowMode(db->pg);
            st->streaming = true;
            st->running = true;
            db->streaming = st;
        }
        else {
            PGresult *r = pg_exec_once(st);
            ExecStatusType es = PQresultStatus(r);
            if (es == PGRES_FATAL_ERROR && db->depth == 0 && !db->unnamed && is_stale_plan(r) &&
                PQstatus(db->pg) == CONNECTION_OK) {
                /* the server rejected it before running it: re-prepare, retry once */
                PQclear(r);
                char dsql[64];
                snprintf(dsql, sizeof dsql, "DEALLOCATE %s", st->name);
                PGresult *d = PQexec(db->pg, dsql);
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
                st->res = r;
                st->nrows = PQntuples(r);
                st->row = -1;
                st->running = true;
                st->changes = st->nrows; /* what PQcmdTuples says for SELECT and RETURNING */
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
    if (!st->streaming) {
        st->row++;
        if (st->row < st->nrows) {
            *has_row = true;
            return DAL_OK;
        }
        PQclear(st->res);
        st->res = NULL;
        st->running = false;
        return DAL_OK;
    }
    /* single-row mode */
    if (st->res) {
        PQclear(st->res);
        st->res = NULL;
    }
    if (st->detached) {
        if (st->prest < st->nrest) {
            st->res = st->rest[st->prest++];
            *has_row = true;
            return DAL_OK;
        }
        dal_status s = st->rest_status;
        if (s != DAL_OK)
            dal__err(db, s, "%s", st->rest_msg ? st->rest_msg : "error");
        free_rest(st);
        st->running = false;
        st->streaming = false;
        return s;
    }
    PGresult *r = PQgetResult(db->pg);
    ExecStatusType es = PQresultStatus(r);
    if (r && es == PGRES_SINGLE_TUPLE) {
        st->res = r;
        *has_row = true;
        return DAL_OK;
    }
    dal_status s = DAL_OK;
    if (!r) {
        if (PQstatus(db->pg) != CONNECTION_OK)
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
    st->streaming = false;
    db->streaming = NULL;
    return s;
}

void dal__pg_done(dal_stmt *st)
{
    dal_db *db = st->db;
    if (st->detached)
        free_rest(st);
    if (st->res) {
        PQclear(st->res);
        st->res = NULL;
    }
    if (st->streaming) {
        if (st->running && db->pg && PQstatus(db->pg) == CONNECTION_OK)
            drain(db);
        st->streaming = false;
        if (db->streaming == st)
            db->streaming = NULL;
    }
    st->running = false;
    st->nrows = 0;
}

/* ---------------------------------------------------------------------- */
/* column readers                                                          */
/* ---------------------------------------------------------------------- */

static int cur_row(const dal_stmt *st) { return st->streaming ? 0 : st->row; }

static bool col_ok(dal_stmt *st, int col)
{
    return st->res && col >= 0 && col < PQnfields(st->res) && cur_row(st) >= 0 &&
           cur_row(st) < PQntuples(st->res);
}

int dal__pg_ncols(dal_stmt *st) { return st->res ? PQnfields(st->res) : 0; }

bool dal__pg_is_null(dal_stmt *st, int col)
{
    if (!col_ok(st, col))
        return true;
    return PQgetisnull(st->res, cur_row(st), col) != 0;
}

static char *colbuf(dal_stmt *st, int col, size_t need)
{
    if (col >= st->ncolbuf) {
        int n = PQnfields(st->res);
        if (n <= col)
            n = col + 1;
        char **b = realloc(st->colbuf, (size_t)n * sizeof *b);
        if (!b)
            return NULL;
        st->colbuf = b;
        size_t *c = realloc(st->colcap, (size_t)n * sizeof *c);
        if (!c)
            return NULL;
        st->colcap = c;
        for (int i = st->ncolbuf; i < n; i++) {
            st->colbuf[i] = NULL;
            st->colcap[i] = 0;
        }
        st->ncolbuf = n;
    }
    if (st->colcap[col] < need) {
        char *p = realloc(st->colbuf[col], need);
        if (!p)
            return NULL;
        st->colbuf[col] = p;
        st->colcap[col] = need;
    }
    return st->colbuf[col];
}

size_t dal__numeric_text_size(const unsigned char *p, int len)
{
    if (len < 8)
        return 16;
    int16_t weight = (int16_t)rd16((const char *)p + 2);
    uint16_t dscale = rd16((const char *)p + 6);
    size_t w = weight >= 0 ? (size_t)(weight + 1) * 4 : 1;
    return w + dscale + 16;
}

static void put4(char four[4], int dig)
{
    if (dig < 0 || dig > 9999)
        dig = 0;
    four[0] = (char)('0' + dig / 1000);
    four[1] = (char)('0' + dig / 100 % 10);
    four[2] = (char)('0' + dig / 10 % 10);
    four[3] = (char)('0' + dig % 10);
}

/* PostgreSQL binary numeric -> text exactly as numeric_out writes it. */
void dal__numeric_to_text(const unsigned char *up, int len, char *out, size_t cap, size_t *outlen)
{
    const char *p = (const char *)up;
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < cap)                                                                           \
            out[o++] = (c);                                                                        \
    } while (0)
    if (len < 8) {
        snprintf(out, cap, "NaN");
        *outlen = strlen(out);
        return;
    }
    int ndigits = (int16_t)rd16(p);
    int weight = (int16_t)rd16(p + 2);
    uint16_t sign = rd16(p + 4);
    int dscale = rd16(p + 6);
    if (ndigits < 0 || len < 8 + 2 * ndigits)
        ndigits = 0;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        snprintf(out, cap, "%s", sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity");
        *outlen = strlen(out);
        return;
    }
    if (sign == 0x4000)
        PUT('-');
    if (weight < 0)
        PUT('0');
    else {
        for (int d = 0; d <= weight; d++) {
            int dig = d < ndigits ? (int16_t)rd16(p + 8 + 2 * d) : 0;
            char four[4];
            put4(four, dig);
            int start = 0;
            if (d == 0)
                while (start < 3 && four[start] == '0')
                    start++;
            for (int k = start; k < 4; k++)
                PUT(four[k]);
        }
    }
    if (dscale > 0) {
        PUT('.');
        int written = 0;
        for (int i = 0; written < dscale; i++) {
            int d = weight + 1 + i;
            int dig = d >= 0 && d < ndigits ? (int16_t)rd16(p + 8 + 2 * d) : 0;
            char four[4];
            put4(four, dig);
            for (int k = 0; k < 4 && written < dscale; k++, written++)
                PUT(four[k]);
        }
    }
#undef PUT
    out[o] = '\0';
    *outlen = o;
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
    const unsigned char *v = (const unsigned char *)PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
    size_t need = dal__numeric_text_size(v, n);
    char *b = colbuf(st, col, need);
    if (!b)
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    dal__numeric_to_text(v, n, b, need, len);
    *out = b;
    return DAL_OK;
}

dal_status dal__pg_col_int(dal_stmt *st, int col, int64_t *out)
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
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

dal_status dal__pg_col_float(dal_stmt *st, int col, double *out)
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
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

dal_status dal__pg_col_text(dal_stmt *st, int col, const char **out, size_t *len)
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
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

dal_status dal__pg_col_bytes(dal_stmt *st, int col, const unsigned char **out, size_t *len)
{
    const char *p;
    dal_status s = dal__pg_col_text(st, col, &p, len);
    *out = (const unsigned char *)p;
    return s;
}

dal_status dal__pg_col_uuid(dal_stmt *st, int col, char out[37])
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
    unsigned char raw[16];
    if (t == OID_UUID && n == 16)
        memcpy(raw, v, 16);
    else if (!(is_texty(t) && dal__parse_uuid(v, (size_t)n, raw)))
        return dal__err(st->db, DAL_ERROR, "column %d is not a uuid", col);
    dal__format_uuid(raw, out);
    return DAL_OK;
}

dal_status dal__pg_col_time(dal_stmt *st, int col, dal_time *out)
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
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

dal_status dal__pg_col_date(dal_stmt *st, int col, dal_date *out)
{
    int r = cur_row(st);
    Oid t = PQftype(st->res, col);
    const char *v = PQgetvalue(st->res, r, col);
    int n = PQgetlength(st->res, r, col);
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

dal_status dal__pg_insert_batch(dal_db *db, dal_stmt **sts, const dal_table *t, const void *rows,
                                size_t n, dal_ins_cache **ics)
{
    uint64_t t0 = dal__now_us();
    dal_status s = DAL_OK;
    for (size_t base = 0; base < n && s == DAL_OK; base += PIPE_CHUNK) {
        size_t end = base + PIPE_CHUNK < n ? base + PIPE_CHUNK : n;
        if (!PQenterPipelineMode(db->pg))
            return dal__err(db, DAL_ERROR, "cannot enter pipeline mode: %s", PQerrorMessage(db->pg));
        size_t sent = 0;
        for (size_t k = base; k < end; k++) {
            dal_stmt *st = sts[k];
            const void *row = (const char *)rows + k * t->size;
            st->pending = DAL_OK;
            dal__bind_row_cols(st, 1, t, row, ics[k]->cols, ics[k]->ncols);
            if (st->pending != DAL_OK) {
                s = dal__err(db, st->pending, "%s", st->pending_msg);
                st->pending = DAL_OK;
                break;
            }
            build_params(st);
            if (!pg_send(st)) {
                s = pg_error(db, NULL);
                break;
            }
            sent++;
        }
        if (!PQpipelineSync(db->pg) && s == DAL_OK)
            s = pg_error(db, NULL);
        /* read every result: each query's result then NULL, then the sync */
        bool lost = false;
        for (size_t k = 0; k < sent && !lost; k++) {
            PGresult *r = PQgetResult(db->pg);
            if (!r) {
                lost = true;
                break;
            }
            ExecStatusType es = PQresultStatus(r);
            if (es == PGRES_FATAL_ERROR && s == DAL_OK)
                s = pg_error(db, r);
            PQclear(r);
            r = PQgetResult(db->pg);
            if (r)
                PQclear(r);
        }
        if (!lost) {
            PGresult *r = PQgetResult(db->pg);
            while (r && PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
                PQclear(r);
                r = PQgetResult(db->pg);
            }
            if (r)
                PQclear(r);
            else
                lost = true;
        }
        if (lost || PQstatus(db->pg) != CONNECTION_OK) {
            db->broken = true;
            if (s == DAL_OK || s != DAL_CONN)
                s = dal__err(db, DAL_CONN, "connection lost during batch insert");
        }
        else
            PQexitPipelineMode(db->pg);
    }
    dal__stats_record(db, n ? sts[0]->q->sql : "", dal__now_us() - t0, s != DAL_OK);
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
    PGresult *res = st->res;
    int nf = PQnfields(res);
    if (nf > st->capftypes) {
        Oid *nt = realloc(st->ftypes, (size_t)nf * sizeof *nt);
        if (!nt)
            return false;
        st->ftypes = nt;
        unsigned char *nc = realloc(st->fclass, (size_t)nf);
        if (!nc)
            return false;
        st->fclass = nc;
        st->capftypes = nf;
    }
    for (int i = 0; i < nf; i++) {
        st->ftypes[i] = PQftype(res, i);
        st->fclass[i] = fclass_of(st->ftypes[i]);
    }
    st->nftypes = nf;
    st->ftypes_valid = true;
    return true;
}

/* Fast path of the dal_col_opt_* readers: the column's binary value decoded
 * in place when it has the wire type `type` expects.  Returns 0 when not
 * handled (the caller takes the generic readers), 1 for NULL (nothing
 * stored), 2 with the value stored into *out (fixed-size types, the field's
 * C type) or *p and *len (text, json, enum, bytes: not owned). */
int dal__pg_opt(dal_stmt *st, int col, dal_type type, void *out, const char **p, size_t *len)
{
    PGresult *res = st->res;
    int r = cur_row(st);
    if (!res || col < 0 || r < 0 || (st->ftypes_valid ? col >= st->nftypes : col >= PQnfields(res)) ||
        r >= PQntuples(res))
        return 0;
    if (!st->ftypes_valid && !load_ftypes(st))
        return 0;
    int n = PQgetlength(res, r, col);
    if (n == 0 && PQgetisnull(res, r, col))
        return 1;
    Oid ft = st->ftypes[col];
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

/* dal_row_values on PostgreSQL: binary values classified by result type. */
dal_status dal__pg_row_values(dal_stmt *st, dal_value *out, int n)
{
    PGresult *res = st->res;
    int r = cur_row(st);
    if (!res || r < 0 || r >= PQntuples(res) || n > PQnfields(res))
        return dal__err(st->db, DAL_MISUSE, "dal_row_values: no row, or fewer than %d columns", n);
    if (!st->ftypes_valid && !load_ftypes(st))
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    const unsigned char *fclass = st->fclass;
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
                continue;
            }
            break;
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
    return DAL_OK;
}

/* Decodes the binary wire format directly when the result column has the
 * type the field expects; anything else goes to the generic readers. */
dal_status dal__pg_read_cols(dal_stmt *st, int first, const dal_table *t, void *row,
                             dal_span *sp, int *nvar, size_t *total)
{
    PGresult *res = st->res;
    int n = t->ncolumns, r = cur_row(st);
    if (!res || r < 0 || r >= PQntuples(res) || first + n > PQnfields(res)) {
        for (int k = 0; k < n; k++) {
            dal_status s = dal__read_col_generic(st, first + k, &t->columns[k], row, sp, nvar, total);
            if (s != DAL_OK)
                return s;
        }
        return DAL_OK;
    }
    if (!st->ftypes_valid && !load_ftypes(st))
        return dal__err(st->db, DAL_NOMEM, "out of memory");
    const Oid *ftypes = st->ftypes;
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
        if (c->has_offset != DAL_NO_HAS) {
            bool h = true;
            memcpy((char *)row + c->has_offset, &h, sizeof h);
        }
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
            sp[nv].p = v;
            sp[nv].len = (size_t)len;
            sp[nv].c = c;
            nv++;
            tot += (size_t)len + 1;
            continue;
        case DAL_T_DECIMAL:
            break; /* binary numeric -> text: the generic reader */
        }
        *nvar = nv;
        *total = tot;
        dal_status s = dal__read_col_generic(st, col, c, row, sp, nvar, total);
        if (s != DAL_OK)
            return s;
        nv = *nvar;
        tot = *total;
    }
    *nvar = nv;
    *total = tot;
    return DAL_OK;
}

/* ---------------------------------------------------------------------- */
/* numeric text -> binary                                                  */
/* ---------------------------------------------------------------------- */

static bool ci_prefix(const char *p, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n != wl)
        return false;
    for (size_t i = 0; i < wl; i++)
        if (tolower((unsigned char)p[i]) != word[i])
            return false;
    return true;
}

static int64_t floordiv4(int64_t k) { return k >= 0 ? k / 4 : -((-k + 3) / 4); }

int dal__numeric_from_text(const char *s, size_t len, unsigned char *out)
{
    static const int pow10[4] = {1, 10, 100, 1000};
    const char *p = s, *end = s + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    size_t rest = (size_t)(end - p);
    uint16_t special = 0;
    if (ci_prefix(p, rest, "nan"))
        special = 0xC000;
    else if (ci_prefix(p, rest, "infinity") || ci_prefix(p, rest, "+infinity") ||
             ci_prefix(p, rest, "inf") || ci_prefix(p, rest, "+inf"))
        special = 0xD000;
    else if (ci_prefix(p, rest, "-infinity") || ci_prefix(p, rest, "-inf"))
        special = 0xF000;
    if (special) {
        be16((char *)out, 0);
        be16((char *)out + 2, 0);
        be16((char *)out + 4, special);
        be16((char *)out + 6, 0);
        return 8;
    }
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    /* mantissa: digits [. digits] */
    const char *m0 = p;
    int64_t ni = 0, nf = 0;
    bool dot = false;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (dot)
                nf++;
            else
                ni++;
        }
        else if (*p == '.' && !dot)
            dot = true;
        else
            break;
    }
    const char *m1 = p;
    if (ni + nf == 0)
        return -1;
    int64_t e = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end)
            return -1;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            e = e * 10 + (*p - '0');
            if (e > 1000)
                return -1; /* as numeric_in: exponent beyond +-1000 */
        }
        if (eneg)
            e = -e;
    }
    if (p != end)
        return -1;
    int64_t dscale = nf - e < 0 ? 0 : nf - e;
    if (dscale > 0x3FFF)
        return -2;
    /* digit j (0-based, '.' skipped) has decimal power k = point - 1 - j */
    int64_t point = ni + e, j0 = -1, j1 = -1, j = 0;
    for (const char *q = m0; q < m1; q++) {
        if (*q == '.')
            continue;
        if (*q != '0') {
            if (j0 < 0)
                j0 = j;
            j1 = j;
        }
        j++;
    }
    if (j0 < 0) { /* zero (also -0): positive, no digits, the scale kept */
        be16((char *)out, 0);
        be16((char *)out + 2, 0);
        be16((char *)out + 4, 0);
        be16((char *)out + 6, (uint16_t)dscale);
        return 8;
    }
    int64_t weight = floordiv4(point - 1 - j0), glast = floordiv4(point - 1 - j1);
    int64_t ndigits = weight - glast + 1;
    if (weight > 0x7FFF || glast < -0x8000 || ndigits > 0x7FFF)
        return -2;
    unsigned char *dig = out + 8;
    memset(dig, 0, (size_t)ndigits * 2);
    j = 0;
    for (const char *q = m0; q < m1; q++) {
        if (*q == '.')
            continue;
        if (j >= j0 && j <= j1 && *q != '0') {
            int64_t k = point - 1 - j, g = floordiv4(k);
            int64_t idx = weight - g;
            int v = (dig[2 * idx] << 8 | dig[2 * idx + 1]) + (*q - '0') * pow10[k - 4 * g];
            be16((char *)dig + 2 * idx, (uint16_t)v);
        }
        j++;
    }
    be16((char *)out, (uint16_t)ndigits);
    be16((char *)out + 2, (uint16_t)(int16_t)weight);
    be16((char *)out + 4, neg ? 0x4000 : 0);
    be16((char *)out + 6, (uint16_t)dscale);
    return (int)(8 + 2 * ndigits);
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
    if (b->len && PQputCopyData(db->pg, b->p, (int)b->len) != 1)
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
    const dal_param *p = &st->params[i];
    bool bound = p->kind == DAL_P_TEXT || p->kind == DAL_P_DECIMAL || p->kind == DAL_P_JSON ||
                 p->kind == DAL_P_UUID;
    return bound && st->values[i] == p->v.s.p ? p->v.s.len : strlen(st->values[i]);
}

/* Appends one COPY tuple from the statement's built parameters. */
static dal_status copy_tuple(dal_db *db, dal_stmt *st, const dal_table *t,
                             const dal_ins_cache *ic, cbuf *b)
{
    int n = st->nparams;
    size_t need = 2;
    for (int i = 0; i < n; i++) {
        const char *v = st->values[i];
        size_t l = !v ? 0 : st->formats[i] ? (size_t)st->lengths[i] : text_len(st, i);
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
        const char *v = st->values[i];
        if (!v) {
            be32(o, 0xFFFFFFFFu);
            o += 4;
            continue;
        }
        if (st->formats[i]) {
            be32(o, (uint32_t)st->lengths[i]);
            if (st->lengths[i])
                memcpy(o + 4, v, (size_t)st->lengths[i]);
            o += 4 + st->lengths[i];
            continue;
        }
        size_t l = text_len(st, i);
        Oid srv = st->server_types[i];
        if (srv == OID_NUMERIC) {
            int w = dal__numeric_from_text(v, l, (unsigned char *)o + 4);
            if (w < 0)
                return dal__err(db, DAL_ERROR, "column %s: %s: \"%.60s\"",
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
        case ENC_BOOL: {
            bool v;
            memcpy(&v, f, sizeof v);
            be32(o, 1);
            o[4] = v ? 1 : 0;
            o += 5;
            break;
        }
        case ENC_INT2: {
            int16_t v;
            memcpy(&v, f, sizeof v);
            be32(o, 2);
            be16(o + 4, (uint16_t)v);
            o += 6;
            break;
        }
        case ENC_INT4: {
            int32_t v;
            memcpy(&v, f, sizeof v);
            be32(o, 4);
            be32(o + 4, (uint32_t)v);
            o += 8;
            break;
        }
        case ENC_INT8: {
            int64_t v;
            memcpy(&v, f, sizeof v);
            be32(o, 8);
            be64(o + 4, (uint64_t)v);
            o += 12;
            break;
        }
        case ENC_FLOAT4: {
            uint32_t v;
            float fv;
            memcpy(&fv, f, sizeof fv);
            if (fv != fv)
                return dal__err(db, DAL_CHECK, "column %s: %s", c->name, NAN_MSG);
            memcpy(&v, f, sizeof v);
            be32(o, 4);
            be32(o + 4, v);
            o += 8;
            break;
        }
        case ENC_FLOAT8: {
            uint64_t v;
            double dv;
            memcpy(&dv, f, sizeof dv);
            if (dv != dv)
                return dal__err(db, DAL_CHECK, "column %s: %s", c->name, NAN_MSG);
            memcpy(&v, f, sizeof v);
            be32(o, 8);
            be64(o + 4, v);
            o += 12;
            break;
        }
        case ENC_TIME: {
            int64_t v;
            memcpy(&v, f, sizeof v);
            if (!DAL__TIME_OK(v))
                return dal__err(db, DAL_CHECK,
                                "column %s: timestamp %lld is outside the supported range "
                                "(years 1 to 9999)",
                                c->name, (long long)v);
            be32(o, 8);
            be64(o + 4, (uint64_t)(v - PG_EPOCH_US));
            o += 12;
            break;
        }
        case ENC_TEXT: {
            const char *v;
            memcpy(&v, f, sizeof v);
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
    if (PQputCopyEnd(db->pg, abort_msg) != 1)
        s = pg_error(db, NULL);
    PGresult *r;
    for (int guard = 0; (r = PQgetResult(db->pg)) != NULL; guard++) {
        ExecStatusType es = PQresultStatus(r);
        if (s == DAL_OK && !abort_msg && es != PGRES_COMMAND_OK)
            s = pg_error(db, r);
        PQclear(r);
        if (es == PGRES_COPY_IN || guard > 16 || PQstatus(db->pg) != CONNECTION_OK) {
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
    bool ok = st->server_types != NULL && ic->ncols > 0, direct = true;
    unsigned char enc_local[64], *enc = ic->ncols <= 64 ? enc_local : NULL;
    for (int i = 0; ok && i < ic->ncols; i++) {
        const dal_column *c = &t->columns[ic->cols[i]];
        ok = copy_encodable(c->type, st->server_types[i]);
        int e = direct_encoder(c->type, st->server_types[i]);
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
    PGresult *r = PQexec(db->pg, ic->copy_sql);
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
            s = dal__err(db, st->pending, "%s", st->pending_msg);
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
 * 1000 rows (65535 parameters at most); the remainder pipelined. */
static dal_status values_run(dal_db *db, const dal_table *t, dal_ins_cache *ic, const char *rows,
                             size_t n)
{
    int per = ic->ncols > 0 ? 65535 / ic->ncols : 0;
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

dal_status dal__pg_insert_rows(dal_db *db, const dal_table *t, const void *rowsv, size_t n)
{
    const char *rows = rowsv;
    bulk_method m = bulk_method_env();
    if (db->unnamed && m != BULK_VALUES)
        m = BULK_PIPELINE; /* COPY needs the column types of a prepared INSERT */
    cbuf b = {0};
    dal_status s = DAL_OK;
    size_t k = 0, pending = (size_t)-1; /* first row of a run of short runs */
    while (k < n && s == DAL_OK) {
        dal_ins_cache *ic = dal__ins_get(db, t, rows + k * t->size, false, false);
        if (!ic) {
            s = dal__err(db, DAL_NOMEM, "out of memory");
            break;
        }
        size_t j = k + 1;
        while (j < n && dal__ins_get(db, t, rows + j * t->size, false, false) == ic)
            j++;
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
