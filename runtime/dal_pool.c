/*
 * dal_pool.c - a thread-safe connection pool (pthread mutex + condition).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dal_internal.h"

struct dal_pool {
    char *url;
    dal_pool_options o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dal_db *idle; /* LIFO through pool_next */
    int nidle, total, in_use, waiting;
    char err[DAL_ERRMSG_MAX];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_err(dal_pool *p, const char *msg)
{
    snprintf(p->err, sizeof p->err, "%s", msg ? msg : "");
}

dal_status dal_pool_open(const char *url, const dal_pool_options *opts, dal_pool **out)
{
    if (!out)
        return DAL_MISUSE;
    *out = NULL;
    dal_pool *p = calloc(1, sizeof *p);
    if (!p)
        return DAL_NOMEM;
    p->o = (dal_pool_options){8, 5000, 60000, true, 1000};
    if (opts) {
        p->o = *opts;
        if (p->o.max_size <= 0)
            p->o.max_size = 8;
        if (p->o.acquire_timeout_ms < 0)
            p->o.acquire_timeout_ms = 0;
        if (p->o.max_idle_ms < 0)
            p->o.max_idle_ms = 0;
        if (p->o.ping_after_idle_ms == 0)
            p->o.ping_after_idle_ms = 1000;
    }
    if (url) {
        p->url = strdup(url);
        if (!p->url) {
            free(p);
            return DAL_NOMEM;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    *out = p;
    /* one connection up front, so that a bad URL fails here */
    dal_db *db = NULL;
    dal_status s = dal_open(p->url, &db);
    if (s != DAL_OK) {
        set_err(p, dal_errmsg(db));
        dal_close(db);
        return s;
    }
    db->pool_last_used_ms = now_ms();
    db->pool_next = NULL;
    p->idle = db;
    p->nidle = 1;
    p->total = 1;
    return DAL_OK;
}

const char *dal_pool_errmsg(dal_pool *p)
{
    return p ? p->err : "";
}

/* Unlinks idle connections older than max_idle (keeps them for closing
 * outside the lock in *dead). Called with the lock held. */
static void prune(dal_pool *p, dal_db **dead)
{
    if (p->o.max_idle_ms <= 0)
        return;
    int64_t now = now_ms();
    dal_db **pp = &p->idle;
    while (*pp) {
        dal_db *d = *pp;
        if (now - d->pool_last_used_ms > p->o.max_idle_ms) {
            *pp = d->pool_next;
            d->pool_next = *dead;
            *dead = d;
            p->nidle--;
            p->total--;
        }
        else
            pp = (dal_db **)&d->pool_next;
    }
}

/* health_check: a round trip only for a connection idle long enough to
 * have gone stale unnoticed (a dropped network path, a pooler's timeout);
 * one used recently is handed out unless the server has closed it, which
 * the engine tells without a round trip.  A closed one is reconnected by
 * dal_ping.  A connection that dies after the check fails its first call
 * with DAL_CONN, is marked broken and reconnects on its next use (or is
 * closed by dal_pool_release): it never fails twice. */
static bool usable(const dal_pool *p, dal_db *db)
{
    if (now_ms() - db->pool_last_used_ms <= p->o.ping_after_idle_ms &&
        !(db->eng->closed && db->eng->closed(db)))
        return true;
    return dal_ping(db) == DAL_OK;
}

static void close_list(dal_db *d)
{
    while (d) {
        dal_db *n = d->pool_next;
        dal_close(d);
        d = n;
    }
}

dal_status dal_pool_acquire(dal_pool *p, dal_db **out)
{
    if (!out)
        return DAL_MISUSE;
    *out = NULL;
    if (!p)
        return DAL_MISUSE;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += p->o.acquire_timeout_ms / 1000;
    deadline.tv_nsec += (long)(p->o.acquire_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        dal_db *dead = NULL;
        prune(p, &dead);
        if (dead) {
            pthread_mutex_unlock(&p->mu);
            close_list(dead);
            pthread_mutex_lock(&p->mu);
            continue;
        }
        if (p->idle) {
            dal_db *db = p->idle;
            p->idle = db->pool_next;
            db->pool_next = NULL;
            p->nidle--;
            p->in_use++;
            pthread_mutex_unlock(&p->mu);
            if (p->o.health_check && !usable(p, db)) {
                dal_close(db);
                pthread_mutex_lock(&p->mu);
                p->in_use--;
                p->total--;
                continue;
            }
            *out = db;
            return DAL_OK;
        }
        if (p->total < p->o.max_size) {
            p->total++;
            p->in_use++;
            pthread_mutex_unlock(&p->mu);
            dal_db *db = NULL;
            dal_status s = dal_open(p->url, &db);
            if (s != DAL_OK) {
                pthread_mutex_lock(&p->mu);
                set_err(p, dal_errmsg(db));
                p->total--;
                p->in_use--;
                pthread_cond_signal(&p->cv);
                pthread_mutex_unlock(&p->mu);
                dal_close(db);
                return s;
            }
            *out = db;
            return DAL_OK;
        }
        p->waiting++;
        int rc = pthread_cond_timedwait(&p->cv, &p->mu, &deadline);
        p->waiting--;
        if (rc == ETIMEDOUT) {
            set_err(p, "pool: timed out waiting for a connection");
            pthread_mutex_unlock(&p->mu);
            return DAL_BUSY;
        }
    }
}

void dal_pool_release(dal_pool *p, dal_db *db)
{
    if (!p || !db)
        return;
    while (db->depth > 0) {
        if (dal_rollback(db) != DAL_OK && db->depth > 0) {
            db->broken = true;
            break;
        }
    }
    bool bad = db->broken || (db->eng->healthy && !db->eng->healthy(db));
    if (bad) {
        dal_close(db);
        pthread_mutex_lock(&p->mu);
        p->in_use--;
        p->total--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return;
    }
    db->pool_last_used_ms = now_ms();
    pthread_mutex_lock(&p->mu);
    db->pool_next = p->idle;
    p->idle = db;
    p->nidle++;
    p->in_use--;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void dal_pool_get_stats(dal_pool *p, dal_pool_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    out->total = p->total;
    out->idle = p->nidle;
    out->in_use = p->in_use;
    out->waiting = p->waiting;
    pthread_mutex_unlock(&p->mu);
}

void dal_pool_close(dal_pool *p)
{
    if (!p)
        return;
    close_list(p->idle);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->url);
    free(p);
}
