/*
 * probe.h - what the reliability probes (tests/probe_*.c, driven by
 * tests/check_probe_*.sh) share: cmocka, a monotonic clock, the probe
 * schema (tests/probe_schema) created in a fresh database, and the count
 * of stored rows per (writer, seq) that tells lost from duplicated rows.
 */
#ifndef DALC_PROBE_H
#define DALC_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "schema.h"

/* Fails the test, showing the engine's message, unless expr gives want. */
#define PEXPECT(db, expr, want)                                                                    \
    do {                                                                                           \
        dal_status s_ = (expr);                                                                    \
        if (s_ != (want)) {                                                                        \
            print_error("%s:%d: %s -> %s, expected %s: %s\n", __FILE__, __LINE__, #expr,          \
                        dal_status_name(s_), dal_status_name(want), dal_errmsg(db));               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define POK(db, expr) PEXPECT(db, expr, DAL_OK)

static inline double probe_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void probe_sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1e3), (long)((ms - (time_t)(ms / 1e3) * 1e3) * 1e6)};
    nanosleep(&ts, NULL);
}

/* The probe's first argument, or a default. */
static inline const char *probe_env(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Drops the probe tables and creates them again. */
static inline dal_status probe_fresh_schema(dal_db *db)
{
    dal_status s = dal_exec(db, dal_dialect_of(db) == DAL_POSTGRES
                                    ? "SET client_min_messages TO warning; "
                                      "DROP TABLE IF EXISTS writes, alltypes CASCADE"
                                    : "DROP TABLE IF EXISTS writes; DROP TABLE IF EXISTS alltypes");
    return s == DAL_OK ? schema_create(db) : s;
}

/* Stored rows per (writer, seq): counts[writer][seq]. */
typedef struct probe_counts {
    int writers;
    int64_t max_seq;
    unsigned short *n; /* writers * max_seq entries */
    int64_t stray;     /* rows outside the ranges */
    int64_t total;
} probe_counts;

static inline dal_status probe_count_cb(const writes *w, void *ctx)
{
    probe_counts *c = ctx;
    c->total++;
    if (w->writer < 0 || w->writer >= c->writers || w->seq < 0 || w->seq >= c->max_seq) {
        c->stray++;
        return DAL_OK;
    }
    unsigned short *p = &c->n[(size_t)w->writer * (size_t)c->max_seq + (size_t)w->seq];
    if (*p < 65535)
        (*p)++;
    return DAL_OK;
}

static inline dal_status probe_count(dal_db *db, probe_counts *c, int writers, int64_t max_seq)
{
    c->writers = writers;
    c->max_seq = max_seq;
    c->stray = c->total = 0;
    c->n = calloc((size_t)writers * (size_t)max_seq, sizeof *c->n);
    if (!c->n)
        return DAL_NOMEM;
    return writes_iterate(db, probe_count_cb, c);
}

static inline unsigned probe_stored(const probe_counts *c, int writer, int64_t seq)
{
    return c->n[(size_t)writer * (size_t)c->max_seq + (size_t)seq];
}

#endif
