/*
 * batch.c - batches against loops of single statements: the named query
 * reading_set_value (UPDATE readings SET value = :value WHERE id = :id) for
 * ITEMS rows as reading_set_value_batch, as a loop of reading_set_value
 * calls each in its own transaction (autocommit), and as the same loop
 * inside one transaction; and readings_update_many against a loop of
 * readings_update in one transaction.  Every run writes new values; the
 * contenders alternate within each round; medians of the rounds.
 *
 *   batch URL [items] [rounds]     default 1000 items, 11 rounds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dal.h"
#include "schema.h"

#define BENCH_NAME "batch"
#include "bench_util.h"

enum { NCONT = 5 };

typedef struct ctx {
    dal_db *db;
    size_t n;
    int64_t version;
    reading_set_value_params *items;
    readings *rows;
} ctx;

static void check(dal_db *db, dal_status s, const char *what)
{
    if (s != DAL_OK)
        die(what, dal_errmsg(db));
}

static void next_values(ctx *c)
{
    c->version++;
    for (size_t i = 0; i < c->n; i++) {
        c->items[i].value = (double)c->version * 1e6 + (double)i;
        c->rows[i].value = c->items[i].value;
    }
}

static void run_batch(ctx *c)
{
    check(c->db, reading_set_value_batch(c->db, c->items, c->n, NULL), "batch");
}

static void run_loop(ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        check(c->db, reading_set_value(c->db, &c->items[i], NULL), "reading_set_value");
}

static void run_loop_tx(ctx *c)
{
    check(c->db, dal_begin(c->db), "begin");
    run_loop(c);
    check(c->db, dal_commit(c->db), "commit");
}

static void run_update_many(ctx *c)
{
    check(c->db, readings_update_many(c->db, c->rows, c->n), "update_many");
}

static void run_update_loop_tx(ctx *c)
{
    check(c->db, dal_begin(c->db), "begin");
    for (size_t i = 0; i < c->n; i++)
        check(c->db, readings_update(c->db, &c->rows[i]), "update");
    check(c->db, dal_commit(c->db), "commit");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: batch URL [items] [rounds]\n");
        return 2;
    }
    size_t n = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 1000;
    int rounds = argc > 3 ? atoi(argv[3]) : 11;
    if (n == 0 || rounds < 1 || rounds > 101)
        die("arguments", "items > 0, 1 <= rounds <= 101");
    ctx c = {.n = n};
    if (dal_open(argv[1], &c.db) != DAL_OK)
        die("open", c.db ? dal_errmsg(c.db) : "out of memory");
    dal_exec(c.db, "DROP TABLE IF EXISTS \"readings\"");
    check(c.db, schema_create(c.db), "schema_create");
    c.items = calloc(n, sizeof *c.items);
    c.rows = calloc(n, sizeof *c.rows);
    if (!c.items || !c.rows)
        die("calloc", "out of memory");
    for (size_t i = 0; i < n; i++)
        c.rows[i] = (readings){.sensor = "s", .seq = (int32_t)i, .at = 1700000000000000};
    check(c.db, readings_insert_many(c.db, c.rows, n), "insert_many");
    readings_array all;
    check(c.db, readings_list(c.db, NULL, n, &all), "list");
    if (all.len != n)
        die("list", "not every row");
    for (size_t i = 0; i < n; i++) {
        c.items[i].id = all.items[i].id;
        c.rows[i] = all.items[i]; /* shares the page's strings until the end */
    }

    static const struct {
        const char *name;
        void (*run)(ctx *);
    } cont[NCONT] = {
        {"reading_set_value_batch", run_batch},
        {"loop of reading_set_value, autocommit", run_loop},
        {"loop of reading_set_value, one transaction", run_loop_tx},
        {"readings_update_many", run_update_many},
        {"loop of readings_update, one transaction", run_update_loop_tx},
    };
    double t[NCONT][101];
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < NCONT; k++) {
            int j = (k + r) % NCONT; /* rotate which goes first */
            next_values(&c);
            double t0 = now_s();
            cont[j].run(&c);
            t[j][r] = now_s() - t0;
        }
    double med[NCONT];
    for (int k = 0; k < NCONT; k++) {
        qsort(t[k], (size_t)rounds, sizeof t[k][0], cmp_double);
        med[k] = t[k][rounds / 2];
    }
    const char *engine = dal_dialect_of(c.db) == DAL_POSTGRES ? "PostgreSQL" : "SQLite";
    printf("\n%s, %zu items per run, median of %d rounds:\n\n", engine, n, rounds);
    printf("| %-44s | %10s | %10s | %14s |\n", "method", "ms per run", "us per item",
           "time / batch's");
    printf("|%s|%s|%s|%s|\n", "----------------------------------------------", "-----------:",
           "-----------:", "---------------:");
    for (int k = 0; k < NCONT; k++) {
        double base = k < 3 ? med[0] : med[3];
        printf("| %-44s | %10.2f | %10.2f | %14.2f |\n", cont[k].name, med[k] * 1e3,
               med[k] * 1e6 / (double)n, med[k] / base);
    }
    readings_array_free(&all);
    free(c.items);
    free(c.rows);
    dal_close(c.db);
    return 0;
}
