/*
 * sqlite_flags.c - what SQLite's own settings cost, measured on the
 * hand-written loop (the engine's part of a dalc insert or get): N
 * single-row inserts in one transaction, then N gets by primary key, on the
 * bench's readings table (file, WAL, synchronous=normal).  One setting per
 * run, since the global ones hold for the whole process:
 *
 *   sqlite_flags SETTING FILE [N]
 *     default     sqlite3_open_v2 flags READWRITE|CREATE (the library's own mode)
 *     nomutex     + SQLITE_OPEN_NOMUTEX (what the runtime opens with)
 *     fullmutex   + SQLITE_OPEN_FULLMUTEX
 *     memstatus0  nomutex, and sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) first
 *     lookaside   memstatus0, and a lookaside of 512 slots of 256 bytes
 *
 * Prints wall ns per insert and per get; for exact counts run it under
 *   valgrind --tool=callgrind --toggle-collect=work ./sqlite_flags SETTING FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define BENCH_NAME "sqlite_flags"
#include "bench_util.h"

static sqlite3 *db;
static sqlite3_stmt *ins, *get;
static double t_ins, t_get;

static void ok(int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(what, sqlite3_errmsg(db));
}

/* The measured part (callgrind --toggle-collect=work). */
void work(int n);
void work(int n)
{
    double t0 = now_s();
    ok(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
    for (int i = 0; i < n; i++) {
        char sensor[32];
        snprintf(sensor, sizeof sensor, "sensor-%d", i % 100);
        sqlite3_bind_text(ins, 1, sensor, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 2, i);
        sqlite3_bind_double(ins, 3, i * 0.25);
        sqlite3_bind_int(ins, 4, i & 1);
        sqlite3_bind_text(ins, 5, "a note", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 6, 1700000000000000LL + i);
        ok(sqlite3_step(ins), "insert");
        sqlite3_reset(ins);
    }
    ok(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    double t1 = now_s();
    long long sum = 0;
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int64(get, 1, 1 + (i * 7919LL) % n);
        if (sqlite3_step(get) == SQLITE_ROW) {
            sum += sqlite3_column_int64(get, 0) + sqlite3_column_bytes(get, 1);
            sum += sqlite3_column_int(get, 2) + (long long)sqlite3_column_double(get, 3);
        }
        sqlite3_reset(get);
    }
    t_ins = (t1 - t0) / n * 1e9;
    t_get = (now_s() - t1) / n * 1e9;
    if (sum == 42)
        puts("");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        die("usage", "sqlite_flags default|nomutex|fullmutex|memstatus0|lookaside FILE [N]");
    const char *set = argv[1];
    int n = argc > 3 ? atoi(argv[3]) : 20000;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (strcmp(set, "fullmutex") == 0)
        flags |= SQLITE_OPEN_FULLMUTEX;
    else if (strcmp(set, "default") != 0)
        flags |= SQLITE_OPEN_NOMUTEX;
    if (strcmp(set, "memstatus0") == 0 || strcmp(set, "lookaside") == 0)
        if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
            die("config", "memstatus refused");
    if (strcmp(set, "lookaside") == 0)
        if (sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 256, 512) != SQLITE_OK)
            die("config", "lookaside refused");
    remove(argv[2]);
    if (sqlite3_open_v2(argv[2], &db, flags, NULL) != SQLITE_OK)
        die("open", sqlite3_errmsg(db));
    ok(sqlite3_exec(db,
                    "PRAGMA journal_mode=wal; PRAGMA synchronous=normal; "
                    "CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, "
                    "seq INTEGER NOT NULL, value REAL NOT NULL, flag INTEGER NOT NULL, "
                    "note TEXT, at INTEGER NOT NULL)",
                    NULL, NULL, NULL),
       "schema");
    ok(sqlite3_prepare_v2(db,
                          "INSERT INTO readings (sensor, seq, value, flag, note, at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          -1, &ins, NULL),
       "prepare insert");
    ok(sqlite3_prepare_v2(db, "SELECT id, sensor, seq, value, flag, note, at FROM readings "
                              "WHERE id = ?",
                          -1, &get, NULL),
       "prepare get");
    work(n);
    printf("%s (SQLite %s): insert %.0f ns, get %.0f ns\n", set, sqlite3_libversion(), t_ins,
           t_get);
    sqlite3_finalize(ins);
    sqlite3_finalize(get);
    sqlite3_close(db);
    return 0;
}
