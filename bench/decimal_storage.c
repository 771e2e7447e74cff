/*
 * decimal_storage.c - how a decimal(p,s) column could be stored in SQLite,
 * measured: each candidate gets the same rows (a deterministic mix of
 * values of decimal(12,2), some written in non-canonical forms), then
 *
 *   - correctness of SQL over the column against the exact answer (the
 *     values as integer cents): max, min, sum, count(c > 5), ORDER BY;
 *   - the cost of writing N rows (one transaction, one prepared INSERT)
 *     and of reading them back as canonical text, and of ORDER BY / max;
 *   - the largest number of significant digits that round-trips exactly.
 *
 * Usage: decimal_storage FILE.db [N].  Not a test: it prints a table
 * (docs/types.md quotes it).
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "decimal_storage"
#include "bench_util.h"
#include "dal_codec.h"

enum kind { K_TEXT_RAW, K_TEXT, K_TEXT_COLL, K_REAL, K_INT, K_NUMERIC };
static const char *const kind_names[] = {
    "TEXT as given", "TEXT canonical", "TEXT canonical + COLLATE decimal",
    "REAL, formatted to scale on read", "INTEGER scaled by 10^s", "NUMERIC affinity (not STRICT)",
};
static const char *const kind_ddl[] = {
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c TEXT NOT NULL) STRICT",
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c TEXT NOT NULL) STRICT",
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c TEXT NOT NULL COLLATE decimal) STRICT",
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c REAL NOT NULL) STRICT",
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c INTEGER NOT NULL) STRICT",
    "CREATE TABLE d (id INTEGER PRIMARY KEY, c NUMERIC NOT NULL)",
};

static int coll(void *u, int na, const void *a, int nb, const void *b)
{
    (void)u;
    return dal__decimal_cmp(a, (size_t)na, b, (size_t)nb);
}

static void check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(what, sqlite3_errmsg(db));
}

static void exec(sqlite3 *db, const char *sql) { check(db, sqlite3_exec(db, sql, 0, 0, 0), sql); }

/* cents -> "-123.45" */
static void cents_text(int64_t v, char *out, size_t cap)
{
    uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
    snprintf(out, cap, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
}

/* How value i is written by the application: canonical, or another form
 * of the same number (kind TEXT as given stores what it gets). */
static void written_form(int64_t v, int i, char *out, size_t cap)
{
    char canon[40];
    cents_text(v, canon, sizeof canon);
    if (i % 4 == 1 && v % 10 == 0) { /* 1.50 written as 1.5 */
        snprintf(out, cap, "%s", canon);
        out[strlen(out) - 1] = '\0';
    } else if (i % 4 == 2) /* with blanks */
        snprintf(out, cap, " %s ", canon);
    else
        snprintf(out, cap, "%s", canon);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The stored value of row `col` read back as canonical decimal(12,2) text. */
static void read_canon(sqlite3_stmt *s, int col, enum kind k, char *out, size_t cap)
{
    if (k == K_REAL || (k == K_NUMERIC && sqlite3_column_type(s, col) == SQLITE_FLOAT))
        snprintf(out, cap, "%.2f", sqlite3_column_double(s, col));
    else if (k == K_INT)
        cents_text(sqlite3_column_int64(s, col), out, cap);
    else if (k == K_NUMERIC)
        snprintf(out, cap, "%" PRId64 ".00", (int64_t)sqlite3_column_int64(s, col));
    else {
        const char *t = (const char *)sqlite3_column_text(s, col);
        long n = dal__decimal_canon(t, strlen(t), 12, 2, out, cap);
        if (n < 0)
            snprintf(out, cap, "?");
    }
}

static void bind_value(sqlite3_stmt *s, enum kind k, int64_t v, int i)
{
    char t[48];
    if (k == K_TEXT_RAW)
        written_form(v, i, t, sizeof t);
    else
        cents_text(v, t, sizeof t);
    if (k == K_REAL)
        sqlite3_bind_double(s, 1, (double)v / 100);
    else if (k == K_INT)
        sqlite3_bind_int64(s, 1, v);
    else
        sqlite3_bind_text(s, 1, t, -1, SQLITE_TRANSIENT);
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    check(db, sqlite3_prepare_v2(db, sql, -1, &s, NULL), sql);
    check(db, sqlite3_step(s), sql);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void one_text(sqlite3 *db, const char *sql, enum kind k, char *out, size_t cap)
{
    sqlite3_stmt *s;
    check(db, sqlite3_prepare_v2(db, sql, -1, &s, NULL), sql);
    check(db, sqlite3_step(s), sql);
    if (sqlite3_column_type(s, 0) == SQLITE_TEXT && k != K_TEXT_RAW && k != K_TEXT &&
        k != K_TEXT_COLL)
        snprintf(out, cap, "%s", sqlite3_column_text(s, 0));
    else if (k == K_INT && strstr(sql, "sum"))
        cents_text(sqlite3_column_int64(s, 0), out, cap);
    else if (strstr(sql, "sum") && k != K_INT)
        snprintf(out, cap, "%.2f", sqlite3_column_double(s, 0)); /* sum is REAL */
    else
        read_canon(s, 0, k, out, cap);
    sqlite3_finalize(s);
}

/* The largest count of significant digits (scale 2) that round-trips. */
static int digits_exact(sqlite3 *db, enum kind k)
{
    int best = 0;
    for (int nd = 3; nd <= 60; nd++) {
        char in[80], got[96];
        for (int j = 0; j < nd; j++)
            in[j + (j >= nd - 2)] = (char)('1' + (j * 7 + 3) % 9);
        in[nd - 2] = '.';
        in[nd + 1] = '\0';
        exec(db, "DELETE FROM d");
        sqlite3_stmt *s;
        check(db, sqlite3_prepare_v2(db, "INSERT INTO d (c) VALUES (?1)", -1, &s, NULL), "ins");
        if (k == K_REAL)
            sqlite3_bind_double(s, 1, strtod(in, NULL));
        else if (k == K_INT) {
            if (nd > 18) { /* past int64 */
                sqlite3_finalize(s);
                break;
            }
            char digits[80];
            size_t o = 0;
            for (const char *p = in; *p; p++)
                if (*p != '.')
                    digits[o++] = *p;
            digits[o] = '\0';
            sqlite3_bind_int64(s, 1, strtoll(digits, NULL, 10));
        } else
            sqlite3_bind_text(s, 1, in, -1, SQLITE_TRANSIENT);
        check(db, sqlite3_step(s), "ins");
        sqlite3_finalize(s);
        check(db, sqlite3_prepare_v2(db, "SELECT c FROM d", -1, &s, NULL), "sel");
        check(db, sqlite3_step(s), "sel");
        if (k == K_REAL || (k == K_NUMERIC && sqlite3_column_type(s, 0) == SQLITE_FLOAT))
            snprintf(got, sizeof got, "%.2f", sqlite3_column_double(s, 0));
        else if (k == K_INT) {
            int64_t v = sqlite3_column_int64(s, 0);
            snprintf(got, sizeof got, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
        } else
            snprintf(got, sizeof got, "%s", sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        if (strcmp(in, got) != 0)
            break;
        best = nd;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage", "decimal_storage FILE.db [N]");
    int n = argc > 2 ? atoi(argv[2]) : 200000;
    int64_t *v = malloc((size_t)n * sizeof *v), *sorted = malloc((size_t)n * sizeof *v);
    uint64_t x = 88172645463325252ull;
    int64_t exact_sum = 0, above5 = 0;
    for (int i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t mag = (int64_t)(x % 5);                 /* 0.xx .. 9999999.xx */
        int64_t m = mag == 0 ? 100 : mag == 1 ? 10000 : mag == 2 ? 100000 : mag == 3 ? 10000000 : 1000000000;
        v[i] = (int64_t)(x >> 20) % m * (x & 1 ? -1 : 1);
        exact_sum += v[i];
        above5 += v[i] > 500;
        sorted[i] = v[i];
    }
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_i64);
    char emax[40], emin[40], esum[40];
    cents_text(sorted[n - 1], emax, sizeof emax);
    cents_text(sorted[0], emin, sizeof emin);
    cents_text(exact_sum, esum, sizeof esum);
    printf("%d rows of decimal(12,2); exact: max %s, min %s, sum %s, count(c > 5) %" PRId64 "\n\n",
           n, emax, emin, esum, above5);
    printf("| storage | max | min | sum | count(c > 5) | ORDER BY rows in place | insert us/row "
           "| read us/row | ORDER BY ms | max ms | exact digits |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < 6; k++) {
        remove(argv[1]);
        sqlite3 *db;
        check(NULL, sqlite3_open(argv[1], &db), "open");
        sqlite3_create_collation(db, "decimal", SQLITE_UTF8, NULL, coll);
        exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
        exec(db, kind_ddl[k]);
        sqlite3_stmt *s;
        double t0 = now_s();
        exec(db, "BEGIN");
        check(db, sqlite3_prepare_v2(db, "INSERT INTO d (c) VALUES (?1)", -1, &s, NULL), "ins");
        for (int i = 0; i < n; i++) {
            bind_value(s, (enum kind)k, v[i], i);
            check(db, sqlite3_step(s), "insert");
            sqlite3_reset(s);
        }
        sqlite3_finalize(s);
        exec(db, "COMMIT");
        double t_ins = now_s() - t0;
        t0 = now_s();
        check(db, sqlite3_prepare_v2(db, "SELECT c FROM d", -1, &s, NULL), "sel");
        char buf[64];
        size_t total = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            read_canon(s, 0, (enum kind)k, buf, sizeof buf);
            total += strlen(buf);
        }
        sqlite3_finalize(s);
        double t_read = now_s() - t0;
        char gmax[48], gmin[48], gsum[48];
        one_text(db, "SELECT max(c) FROM d", (enum kind)k, gmax, sizeof gmax);
        one_text(db, "SELECT min(c) FROM d", (enum kind)k, gmin, sizeof gmin);
        one_text(db, "SELECT sum(c) FROM d", (enum kind)k, gsum, sizeof gsum);
        int64_t cnt = one_int(db, k == K_INT ? "SELECT count(*) FROM d WHERE c > 500"
                                             : "SELECT count(*) FROM d WHERE c > 5");
        t0 = now_s();
        check(db, sqlite3_prepare_v2(db, "SELECT c FROM d ORDER BY c", -1, &s, NULL), "ord");
        int inplace = 0, i = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            char want[40];
            read_canon(s, 0, (enum kind)k, buf, sizeof buf);
            cents_text(sorted[i++], want, sizeof want);
            inplace += strcmp(buf, want) == 0;
        }
        sqlite3_finalize(s);
        double t_ord = now_s() - t0;
        t0 = now_s();
        for (int r = 0; r < 10; r++)
            one_text(db, "SELECT max(c) FROM d", (enum kind)k, buf, sizeof buf);
        double t_max = (now_s() - t0) / 10;
        if (k == K_INT) { /* the SQL sees cents: what a user's query gets */
            snprintf(gmax, sizeof gmax, "%" PRId64, one_int(db, "SELECT max(c) FROM d"));
            snprintf(gmin, sizeof gmin, "%" PRId64, one_int(db, "SELECT min(c) FROM d"));
            snprintf(gsum, sizeof gsum, "%" PRId64, one_int(db, "SELECT sum(c) FROM d"));
            cnt = one_int(db, "SELECT count(*) FROM d WHERE c > 5");
        }
        int exact = digits_exact(db, (enum kind)k);
        printf("| %s | %s%s | %s%s | %s%s | %" PRId64 "%s | %d of %d | %.2f | %.2f | %.0f | %.1f | %d%s |\n",
               kind_names[k], gmax, strcmp(gmax, emax) ? " ✗" : " ✓", gmin,
               strcmp(gmin, emin) ? " ✗" : " ✓", gsum, strcmp(gsum, esum) ? " ✗" : " ✓", cnt,
               cnt != above5 ? " ✗" : " ✓", inplace, n, t_ins * 1e6 / n, t_read * 1e6 / n,
               t_ord * 1e3, t_max * 1e3, exact, exact >= 60 ? "+" : "");
        (void)total;
        sqlite3_close(db);
    }
    remove(argv[1]);
    free(v);
    free(sorted);
    return 0;
}
