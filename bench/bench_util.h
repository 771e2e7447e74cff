/*
 * bench_util.h - what the benchmark programs share: clocks, medians, dying
 * with a message, and the big-endian encoding of PostgreSQL's binary
 * protocol that the hand-written baselines write themselves.
 * Define BENCH_NAME ("bench", "bulk") before including it.
 */
#ifndef DALC_BENCH_UTIL_H
#define DALC_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in Unix microseconds */

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static inline void die(const char *what, const char *msg)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, msg);
    exit(1);
}

static inline void put64(char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static inline void put32(char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static inline void put16(char *p, uint16_t v)
{
    p[0] = (char)(v >> 8);
    p[1] = (char)(v & 0xff);
}

static inline uint64_t get64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

static inline uint32_t get32(const char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

#endif
