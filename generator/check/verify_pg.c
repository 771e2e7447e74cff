/*
 * verify_pg.c - `--verify URL`: every named query prepared on a PostgreSQL
 * server inside a transaction that is rolled back (check.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "check/check.h"
#include "model/types.h"

/* The server type of a parameter (a list: its array type). */
static Oid param_oid(const q_type *t)
{
    static const Oid scalar[TY_COUNT] = {
        [TY_BOOL] = 16,       [TY_INT16] = 21,   [TY_INT32] = 23, [TY_INT64] = 20,
        [TY_FLOAT32] = 700,   [TY_FLOAT64] = 701, [TY_DECIMAL] = 1700, [TY_TEXT] = 25,
        [TY_JSON] = 3802,     [TY_BYTES] = 17,   [TY_UUID] = 2950, [TY_TIMESTAMP] = 1184,
        [TY_DATE] = 1082,     [TY_ENUM] = 25};
    static const Oid array[TY_COUNT] = {
        [TY_BOOL] = 1000, [TY_INT16] = 1005, [TY_INT32] = 1007, [TY_INT64] = 1016,
        [TY_TEXT] = 1009, [TY_UUID] = 2951,  [TY_TIMESTAMP] = 1185, [TY_DATE] = 1182,
        [TY_ENUM] = 1009};
    return t->list ? array[t->type] : scalar[t->type];
}

/* Whether a result column of server type oid reads into dalc's type. */
static bool result_ok(coltype t, Oid oid)
{
    switch (t) {
    case TY_BOOL: return oid == 16;
    case TY_INT16: return oid == 21;
    case TY_INT32: return oid == 23 || oid == 21;
    case TY_INT64: return oid == 20 || oid == 23 || oid == 21;
    case TY_FLOAT32: return oid == 700;
    case TY_FLOAT64: return oid == 701 || oid == 700;
    case TY_DECIMAL: return oid == 1700;
    case TY_TEXT:
    case TY_ENUM: return oid == 25 || oid == 1043 || oid == 1042 || oid == 19;
    case TY_JSON: return oid == 3802 || oid == 114;
    case TY_BYTES: return oid == 17;
    case TY_UUID: return oid == 2950;
    case TY_TIMESTAMP: return oid == 1184 || oid == 1114;
    case TY_DATE: return oid == 1082;
    default: return false;
    }
}

static bool run(PGconn *c, const char *sql, char *err, size_t n)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, n, "%s", PQresultErrorMessage(r));
    PQclear(r);
    size_t l = strlen(err);
    while (l && (err[l - 1] == '\n' || err[l - 1] == ' '))
        err[--l] = '\0';
    return ok;
}

static const char *type_name(PGconn *c, Oid oid, char *buf, size_t n)
{
    char o[16];
    snprintf(o, sizeof o, "%u", oid);
    const char *v[1] = {o};
    PGresult *r = PQexecParams(c, "SELECT format_type($1::oid, NULL)", 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(buf, n, "%s", PQgetvalue(r, 0, 0));
    else
        snprintf(buf, n, "type %u", oid);
    PQclear(r);
    return buf;
}

/* Byte offset in s of 1-based character position pos (UTF-8). */
static size_t char_off(const char *s, long pos)
{
    size_t i = 0;
    for (long k = 1; k < pos && s[i]; k++) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static void verify_query(PGconn *c, const q_query *q, diag_list *d)
{
    const sql_query *sq = q->src;
    Oid types[256];
    int np = q->nparams < 256 ? q->nparams : 256;
    for (int i = 0; i < np; i++)
        types[i] = param_oid(&q->params[i].t);
    char err[2048] = "";
    run(c, "SAVEPOINT dalc_q", err, sizeof err);
    PGresult *r = PQprepare(c, "", q->sql_pg, np, types);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        const char *ps = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        srcpos at = sq->pos;
        if (ps) {
            size_t off = char_off(q->sql_pg, atol(ps));
            size_t in = 0;
            for (int i = 0; i < q->pg_nsegs; i++)
                if (q->pg_out[i] <= off)
                    in = q->pg_in[i] + (off - q->pg_out[i]);
            at = sql_text_pos(&sq->pg, in);
        }
        diag_error(d, at, "%s (PostgreSQL)", m ? m : "prepare failed");
        PQclear(r);
        run(c, "ROLLBACK TO SAVEPOINT dalc_q", err, sizeof err);
        return;
    }
    PQclear(r);
    r = PQdescribePrepared(c, "");
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        int nf = PQnfields(r);
        if (nf != q->ncols)
            diag_error(d, sq->pos,
                       "query '%s' returns %d columns on PostgreSQL and %d on SQLite", sq->name,
                       nf, q->ncols);
        for (int i = 0; i < nf && i < q->ncols; i++) {
            const q_col *col = &q->cols[i];
            const char *fn = PQfname(r, i);
            if (strcmp(fn, col->name))
                diag_error(d, sq->pos,
                           "result column %d of query '%s' is '%s' on PostgreSQL and '%s' on "
                           "SQLite",
                           i + 1, sq->name, fn, col->name);
            else if (!result_ok(col->t.type, PQftype(r, i))) {
                char tn[128];
                diag_error(d, sq->pos,
                           "result column '%s' of query '%s' is %s on PostgreSQL, which does "
                           "not read as %s: write `-- column: %s <type>` or cast it",
                           col->name, sq->name, type_name(c, PQftype(r, i), tn, sizeof tn),
                           type_table[col->t.type].name, col->name);
            }
        }
    }
    PQclear(r);
    run(c, "RELEASE SAVEPOINT dalc_q", err, sizeof err);
}

bool check_verify_pg(arena *a, const q_set *qs, const char *url, const char *pg_ddl,
                     diag_list *d)
{
    (void)a;
    int errors0 = d->errors;
    srcpos none = {"--verify", 0, 0};
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        char m[1024];
        snprintf(m, sizeof m, "%s", PQerrorMessage(c));
        m[strcspn(m, "\n")] = '\0';
        diag_error(d, none, "cannot connect to the PostgreSQL server to verify against: %s", m);
        PQfinish(c);
        return false;
    }
    char err[2048] = "", sql[256];
    snprintf(sql, sizeof sql,
             "BEGIN; SET LOCAL client_min_messages TO warning; CREATE SCHEMA dalc_verify_%ld; "
             "SET LOCAL search_path TO dalc_verify_%ld",
             (long)getpid(), (long)getpid());
    if (!run(c, sql, err, sizeof err) || !run(c, pg_ddl, err, sizeof err)) {
        diag_error(d, none, "the schema's PostgreSQL DDL does not load: %s", err);
    } else {
        for (int f = 0; f < qs->nfiles; f++)
            for (int i = 0; i < qs->files[f].n; i++)
                if (qs->files[f].q[i].sql_pg)
                    verify_query(c, &qs->files[f].q[i], d);
    }
    run(c, "ROLLBACK", err, sizeof err);
    PQfinish(c);
    return d->errors == errors0;
}
