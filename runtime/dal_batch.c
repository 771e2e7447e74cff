/*
 * dal_batch.c - dal_exec_batch: one statement run for many parameter sets,
 * all or nothing.  The engine's exec_batch does the work when it has one
 * (PostgreSQL: one pipeline); otherwise (SQLite) the statement is stepped
 * once per item inside dal_begin / dal_commit.  Either way the failing
 * item's index is kept for dal_batch_failed and named in the message.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <stdio.h>
#include <string.h>

#include "dal_internal.h"

size_t dal_batch_failed(const dal_db *db)
{
    return db && db->batch_failed ? db->batch_failed - 1 : DAL_NO_ITEM;
}

/* The generic batch: a transaction (or savepoint) around one execution per
 * item, on the statement cache's warm path. */
static dal_status batch_loop(dal_db *db, const dal_query *q, dal_bind_item_fn bind,
                             const char *items, size_t size, size_t n, bool need_row,
                             int64_t *affected, size_t *failed)
{
    dal_status s = dal_begin(db);
    if (s != DAL_OK)
        return s;
    for (size_t i = 0; i < n && s == DAL_OK; i++) {
        dal_stmt *st = NULL;
        s = dal_stmt_start(db, q, &st);
        if (s != DAL_OK)
            break;
        bind(st, items + i * size);
        int64_t changes = 0;
        s = dal_stmt_exec(st, &changes);
        if (s == DAL_OK && need_row && changes == 0)
            s = DAL_NOT_FOUND;
        if (s != DAL_OK)
            *failed = i;
        else if (affected)
            affected[i] = changes;
    }
    return dal__end_level(db, s);
}

dal_status dal_exec_batch(dal_db *db, const char *what, const dal_query *q, dal_bind_item_fn bind,
                          const void *items, size_t size, size_t n, unsigned flags,
                          int64_t *affected)
{
    if (!db)
        return DAL_MISUSE;
    db->batch_failed = 0;
    if (!what)
        what = "dal_exec_batch";
    if (!q || !bind || size == 0)
        return dal__err(db, DAL_MISUSE, "%s: bad arguments", what);
    if (!items && n > 0)
        return dal__err(db, DAL_MISUSE, "%s: the array of %zu items is NULL", what, n);
    if (affected)
        memset(affected, 0, n * sizeof *affected);
    if (n == 0) {
        dal__ok(db);
        return DAL_OK;
    }
    bool need_row = flags & DAL_BATCH_NEED_ROW;
    size_t failed = DAL_NO_ITEM;
    dal_status s;
    if (db->eng->exec_batch) {
        dal_stmt *st = NULL;
        s = dal_stmt_start(db, q, &st);
        if (s == DAL_OK)
            s = db->eng->exec_batch(st, bind, items, size, n, need_row, affected, &failed);
    }
    else
        s = batch_loop(db, q, bind, items, size, n, need_row, affected, &failed);
    if (s == DAL_OK) {
        dal__ok(db);
        return DAL_OK;
    }
    if (affected)
        memset(affected, 0, n * sizeof *affected);
    if (failed == DAL_NO_ITEM)
        return s;
    db->batch_failed = failed + 1;
    if (s == DAL_NOT_FOUND)
        return dal_set_error(db, s, "%s: items[%zu]: no row matches (none of the %zu items was "
                                    "applied)", what, failed, n);
    /* the engine's message (already given to the logger), named after the item */
    char keep[DAL_ERRMSG_MAX];
    memcpy(keep, db->err, sizeof keep);
    if (snprintf(db->err, sizeof db->err, "%s: items[%zu]: %s (none of the %zu items was applied)",
                 what, failed, keep, n) < 0)
        db->err[0] = '\0';
    db->last = s;
    return s;
}
