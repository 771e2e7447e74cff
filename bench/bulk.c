/*
 * bulk.c - bulk loading: readings_insert_many against row-at-a-time inserts
 * in one transaction and against the engine's fastest raw path (PostgreSQL
 * COPY FROM STDIN in binary; SQLite a hand-written prepared loop), all in
 * one process, alternating rounds, medians.
 *
 *   bulk URL [rows]        default 100000 rows on PostgreSQL, 1000000 on SQLite
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "dal.h"
#include "schema.h"

#define BENCH_NAME "bulk"
#include "bench_util.h"

#define ROUNDS 5

static readings *make_rows(size_t n, char (*sensors)[32])
{
    readings *rows = calloc(n, sizeof *rows);
    if (!rows)
        die("calloc", "out of memory");
    for (size_t i = 0; i < n; i++) {
        snprintf(sensors[i % 100], 32, "sensor-%zu", i % 100);
        rows[i].sensor = sensors[i % 100];
        rows[i].seq = (int32_t)i;
        rows[i].value = (double)i * 0.5;
        rows[i].flag = i & 1;
        rows[i].note = (i % 3) ? "bulk note" : NULL;
        rows[i].at = 1700000000000000 + (int64_t)i;
    }
    return rows;
}

static void reset(dal_db *db)
{
    if (dal_exec(db, "DELETE FROM \"readings\"") != DAL_OK)
        die("reset", dal_errmsg(db));
}

/* ---- the contenders ---- */

static void gen_many(dal_db *db, const readings *rows, size_t n)
{
    if (readings_insert_many(db, rows, n) != DAL_OK)
        die("insert_many", dal_errmsg(db));
}

static void gen_row_at_a_time(dal_db *db, const readings *rows, size_t n)
{
    if (dal_begin(db) != DAL_OK)
        die("begin", dal_errmsg(db));
    for (size_t i = 0; i < n; i++)
        if (readings_insert(db, &rows[i], NULL) != DAL_OK)
            die("insert", dal_errmsg(db));
    if (dal_commit(db) != DAL_OK)
        die("commit", dal_errmsg(db));
}

/* Raw binary COPY, as hand-written as it gets. */
static void pg_copy(PGconn *c, const readings *rows, size_t n)
{
    PGresult *r = PQexec(c, "COPY \"readings\" (\"sensor\", \"seq\", \"value\", \"flag\", "
                            "\"note\", \"at\") FROM STDIN (FORMAT binary)");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        die("copy", PQerrorMessage(c));
    PQclear(r);
    static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    memcpy(buf, header, 19);
    len = 19;
    for (size_t i = 0; i < n; i++) {
        const readings *x = &rows[i];
        size_t sl = strlen(x->sensor), nl = x->note ? strlen(x->note) : 0;
        if (len + 64 + sl + nl > cap) {
            if (PQputCopyData(c, buf, (int)len) != 1)
                die("copy", PQerrorMessage(c));
            len = 0;
        }
        char *p = buf + len;
        put16(p, 6), p += 2;
        put32(p, (uint32_t)sl), p += 4, memcpy(p, x->sensor, sl), p += sl;
        put32(p, 4), p += 4, put32(p, (uint32_t)x->seq), p += 4;
        uint64_t bits;
        memcpy(&bits, &x->value, 8);
        put32(p, 8), p += 4, put64(p, bits), p += 8;
        put32(p, 1), p += 4, *p++ = (char)x->flag;
        if (x->note)
            put32(p, (uint32_t)nl), p += 4, memcpy(p, x->note, nl), p += nl;
        else
            put32(p, 0xffffffffu), p += 4;
        put32(p, 8), p += 4, put64(p, (uint64_t)(x->at - PG_EPOCH_US)), p += 8;
        len = (size_t)(p - buf);
    }
    put16(buf + len, 0xffff);
    len += 2;
    if (PQputCopyData(c, buf, (int)len) != 1 || PQputCopyEnd(c, NULL) != 1)
        die("copy", PQerrorMessage(c));
    free(buf);
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("copy", PQerrorMessage(c));
        PQclear(r);
    }
}

static void sq_loop(sqlite3 *db, const readings *rows, size_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db,
                           "INSERT INTO \"readings\" (\"sensor\", \"seq\", \"value\", \"flag\", "
                           "\"note\", \"at\") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        const readings *x = &rows[i];
        sqlite3_bind_text(st, 1, x->sensor, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, x->seq);
        sqlite3_bind_double(st, 3, x->value);
        sqlite3_bind_int(st, 4, x->flag);
        if (x->note)
            sqlite3_bind_text(st, 5, x->note, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_int64(st, 6, x->at);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("step", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("commit", sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bulk URL [rows]\n");
        return 2;
    }
    const char *url = argv[1];
    dal_db *db;
    if (dal_open(url, &db) != DAL_OK)
        die("open", dal_errmsg(db));
    bool pg = dal_dialect_of(db) == DAL_POSTGRES;
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : pg ? 100000 : 1000000;
    dal_exec(db, "DROP TABLE IF EXISTS \"readings\"");
    if (schema_create(db) != DAL_OK)
        die("schema_create", dal_errmsg(db));
    static char sensors[100][32];
    readings *rows = make_rows(n, sensors);

    PGconn *pc = NULL;
    sqlite3 *sq = NULL;
    if (pg) {
        pc = PQconnectdb(url);
        if (PQstatus(pc) != CONNECTION_OK)
            die("connect", PQerrorMessage(pc));
        PQclear(PQexec(pc, "SET TimeZone = 'UTC'"));
    } else {
        if (sqlite3_open_v2(url + strlen("sqlite:"), &sq,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK)
            die("open", sqlite3_errmsg(sq));
        sqlite3_exec(sq, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                         "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
                         "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-64000",
                     NULL, NULL, NULL);
    }

    /* On PostgreSQL also the runtime's other bulk methods, chosen with
     * $DAL_PG_BULK (the default is binary COPY). */
    enum { MANY, ROWWISE, RAW, MANY_VALUES, MANY_PIPE, NC };
    const char *names[NC] = {"readings_insert_many", "readings_insert, one tx",
                             pg ? "raw COPY FROM STDIN (binary)" : "hand-written prepared loop",
                             "insert_many, multi-row VALUES", "insert_many, pipeline"};
    int nc = pg ? NC : RAW + 1;
    double t[NC][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < nc; k++) {
            int which = (k + r) % nc;
            /* Row-at-a-time on PostgreSQL is slow; one round of a tenth
             * of the rows, scaled, is enough to show the factor. */
            size_t rows_n = which == ROWWISE && pg ? n / 10 : n;
            reset(db);
            double t0 = now_s();
            if (which == MANY)
                gen_many(db, rows, rows_n);
            else if (which == MANY_VALUES || which == MANY_PIPE) {
                setenv("DAL_PG_BULK", which == MANY_VALUES ? "values" : "pipeline", 1);
                gen_many(db, rows, rows_n);
                unsetenv("DAL_PG_BULK");
            }
            else if (which == ROWWISE)
                gen_row_at_a_time(db, rows, rows_n);
            else if (pg)
                pg_copy(pc, rows, rows_n);
            else
                sq_loop(sq, rows, rows_n);
            t[which][r] = (now_s() - t0) * ((double)n / (double)rows_n);
        }
    }
    double med[NC];
    for (int k = 0; k < nc; k++) {
        qsort(t[k], ROUNDS, sizeof(double), cmp_double);
        med[k] = t[k][ROUNDS / 2];
    }
    printf("\n%s bulk load of %zu rows, medians of %d rounds\n\n", pg ? "PostgreSQL" : "SQLite",
           n, ROUNDS);
    printf("| %-30s | %9s | %12s |\n", "method", "seconds", "rows/s");
    printf("|--------------------------------|-----------|--------------|\n");
    for (int k = 0; k < nc; k++)
        printf("| %-30s | %9.3f | %12.0f |\n", names[k], med[k], (double)n / med[k]);
    printf("\ninsert_many vs row-at-a-time: %.1fx faster\n", med[ROWWISE] / med[MANY]);
    printf("insert_many / %s: %.3f\n", pg ? "COPY" : "hand-written loop", med[MANY] / med[RAW]);

    free(rows);
    if (pc)
        PQfinish(pc);
    if (sq)
        sqlite3_close(sq);
    dal_close(db);
    return 0;
}
