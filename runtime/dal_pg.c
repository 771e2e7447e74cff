/*
 * dal_pg.c - the PostgreSQL engine of the runtime (libpq).
 *
 * Named prepared statements "dal_<n>" (prepared and described once per
 * connection, so that every bind is converted to the parameter type the
 * server inferred), or unnamed statements (PQexecParams each time, typed by
 * the bind calls) with dal_statements=unnamed.  Parameters go in binary for
 * bool, ints, floats, bytea, uuid, timestamp(tz) and date, as text otherwise;
 * results always come back in binary and are decoded per column type.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    dal_status s = dal__pg_status(ss, prim);
    if (PQstatus(db->pg) == CONNECTION_BAD) {
        db->broken = true;
        s = DAL_CONN;
    }
    if (prim)
        return dal__err(db, s, "%s%s%s%s%s [%s]", prim, cons ? " (constraint " : "",
                        cons ? cons : "", cons ? ")" : "", detail ? "" : "", ss ? ss : "");
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
    const char *keys[] = {"dbname", "client_encoding", NULL};
    const char *vals[] = {ci, "UTF8", NULL};
    db->pg = PQconnectdbParams(keys, vals, 1);
    free(ci);
    if (!db->pg)
        return dal__err(db, DAL_NOMEM, "out of memory");
    PQsetNoticeProcessor(db->pg, on_notice, db);
    if (PQstatus(db->pg) != CONNECTION_OK)
        return dal__err(db, DAL_CONN, "cannot connect to PostgreSQL: %s", PQerrorMessage(db->pg));
    return session_setup(db);
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
    snprintf(st->name, sizeof st->name, "dal_%u", ++db->next_stmt_id);
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

static void be16(char *b, uint16_t v)
{
    b[0] = (char)(v >> 8);
    b[1] = (char)v;
}
static void be32(char *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static void be64(char *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static uint16_t rd16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)(u[0] << 8 | u[1]);
}
static uint32_t rd32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}
static uint64_t rd64(const char *p) { return (uint64_t)rd32(p) << 32 | rd32(p + 4); }

static void fmt_double(char *b, size_t n, double v, bool f32)
{
    if (isnan(v))
        snprintf(b, n, "NaN");
    else if (isinf(v))
        snprintf(b, n, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(b, n, f32 ? "%.9g" : "%.17g", v);
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Fills the wire arrays from st->params. */
static void build_params(dal_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        const dal_param *p = &st->params[i];
        Oid srv = st->server_types ? st->server_types[i] : 0;
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
            int64_t us = is_date ? p->v.i * 86400000000LL : p->v.i;
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
    st->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
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
                set_changes(st, r);
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
    else
        s = pg_error(db, r);
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

static bool is_texty(Oid t)
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
        else
            *out = x + PG_EPOCH_US;
        return DAL_OK;
    }
    if (t == OID_DATE && n == 4) {
        *out = ((int64_t)(int32_t)rd32(v) + PG_EPOCH_DAYS) * 86400000000LL;
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
        *out = (dal_date)((int32_t)rd32(v) + PG_EPOCH_DAYS);
        return DAL_OK;
    }
    if ((t == OID_TIMESTAMPTZ || t == OID_TIMESTAMP) && n == 8) {
        *out = (dal_date)floordiv((int64_t)rd64(v) + PG_EPOCH_US, 86400000000LL);
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
