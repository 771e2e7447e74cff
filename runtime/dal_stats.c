/*
 * dal_stats.c - per-connection statistics, the slow-query hook, the logger
 * setting and the clocks they use.  A leaf of the runtime: it calls
 * nothing outside this file.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dal_internal.h"

uint64_t dal__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void dal__stats_add(dal_db *db, const char *sql, uint64_t us, unsigned weight, bool failed)
{
    db->stats.queries++;
    if (failed)
        db->stats.errors++;
    if (weight) {
        db->stats.total_us += us * weight;
        if (us > db->stats.max_us)
            db->stats.max_us = us;
        if (db->slow_fn && us >= db->slow_threshold)
            db->slow_fn(db->slow_ctx, sql, us);
    }
    if (db->log_fn)
        db->log_fn(db->log_ctx, DAL_LOG_DEBUG, sql);
}

void dal__stats_record(dal_db *db, const char *sql, uint64_t us, bool failed)
{
    dal__stats_add(db, sql, us, 1, failed);
}

void dal_get_stats(const dal_db *db, dal_stats *out)
{
    if (!out)
        return;
    if (!db) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = db->stats;
}

void dal_reset_stats(dal_db *db)
{
    if (db)
        memset(&db->stats, 0, sizeof db->stats);
}

void dal_set_slow_hook(dal_db *db, uint64_t threshold_us, dal_slow_fn fn, void *ctx)
{
    if (!db)
        return;
    db->slow_threshold = threshold_us;
    db->slow_fn = fn;
    db->slow_ctx = ctx;
}

void dal_set_logger(dal_db *db, dal_log_fn fn, void *ctx)
{
    if (!db)
        return;
    db->log_fn = fn;
    db->log_ctx = ctx;
}

void dal__sleep_us(uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
