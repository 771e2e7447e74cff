/*
 * fuzz_roundtrip.c - differential round trip through the generated code
 * (libFuzzer).  Each input becomes up to 64 rows of the table `alltypes`
 * (tests/probe_schema/alltypes.yaml: every dalc type, nullable and not),
 * biased to the edges: integer limits, the ends of the supported timestamp
 * and date range and just past them, pre-1970 values, NaN, +-inf, -0.0,
 * decimals at the precision/scale limit, empty vs NULL, invalid and 4-byte
 * UTF-8, bytes with NULs, uuids in any case and invalid, enums out of range.
 * Every row is inserted (RETURNING) on SQLite and on PostgreSQL
 * ($DALC_TEST_PG, else SQLite alone) and read back with get.  A finding
 * aborts: a status that differs between the engines, or a value read back
 * that differs from the one written beyond the documented canonicalisation:
 *   - uuid comes back lower-case;
 *   - -0.0 may come back as 0.0 on SQLite;
 *   - json is generated in jsonb normal form (PostgreSQL normalises).
 * Decimals are generated in canonical form with the column's scale.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static dal_db *sq, *pg;
static int64_t next_id = 1;
static unsigned long long rows_done, rows_ok;

typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

static unsigned u8(src *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

static uint64_t u64(src *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u8(s);
    return v;
}

static void die(const char *what, const alltypes *r)
{
    fprintf(stderr, "FINDING: %s (row id %lld)\n", what, (long long)r->id);
    abort();
}

static void open_all(void)
{
    if (dal_open("sqlite::memory:", &sq) != DAL_OK || schema_create(sq) != DAL_OK) {
        fprintf(stderr, "fuzz_roundtrip: sqlite: %s\n", dal_errmsg(sq));
        exit(1);
    }
    const char *u = getenv("DALC_TEST_PG");
    if (!u || !*u) {
        fprintf(stderr, "fuzz_roundtrip: DALC_TEST_PG not set: SQLite only\n");
        return;
    }
    if (dal_open(u, &pg) != DAL_OK ||
        dal_exec(pg, "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS fuzz_rt CASCADE; "
                     "CREATE SCHEMA fuzz_rt; SET search_path TO fuzz_rt") != DAL_OK ||
        schema_create(pg) != DAL_OK) {
        fprintf(stderr, "fuzz_roundtrip: PostgreSQL: %s\n", dal_errmsg(pg));
        exit(1);
    }
}

static void report(void)
{
    fprintf(stderr, "fuzz_roundtrip: %llu rows, %llu stored and read back on %s\n", rows_done,
            rows_ok, pg ? "both engines" : "SQLite");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    open_all();
    atexit(report);
    return 0;
}

/* ---- value generators ----------------------------------------------------- */

static int64_t gen_i64(src *s)
{
    static const int64_t e[] = {0, 1, -1, INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1,
                                INT32_MIN, INT32_MAX, (int64_t)1 << 53, -((int64_t)1 << 53) - 1};
    unsigned k = u8(s);
    return k < 128 ? e[k % (sizeof e / sizeof e[0])] : (int64_t)u64(s);
}

static double gen_f64(src *s)
{
    static const double e[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, DBL_MIN, DBL_MAX,
                               -DBL_MAX, 5e-324, 0.1, 1e308, -1e-308};
    unsigned k = u8(s);
    if (k < 128)
        return e[k % (sizeof e / sizeof e[0])];
    uint64_t b = u64(s);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float gen_f32(src *s)
{
    static const float e[] = {0.0f, -0.0f, 1.0f, INFINITY, -INFINITY, NAN, FLT_MIN, FLT_MAX,
                              -FLT_MAX, 1e-45f, 0.1f};
    unsigned k = u8(s);
    if (k < 128)
        return e[k % (sizeof e / sizeof e[0])];
    uint32_t b = (uint32_t)u64(s);
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* Supported range: years 1..9999 (docs/types.md). */
#define TS_MIN (-62135596800000000LL)
#define TS_MAX (253402300799999999LL)
#define DT_MIN (-719162)
#define DT_MAX (2932896)

static dal_time gen_ts(src *s)
{
    static const int64_t e[] = {0, -1, 1, TS_MIN, TS_MAX, TS_MIN - 1, TS_MAX + 1, INT64_MIN,
                                INT64_MAX, -86400000000LL, 946684800000000LL, 946684799999999LL};
    unsigned k = u8(s);
    if (k < 128)
        return e[k % (sizeof e / sizeof e[0])];
    return TS_MIN + (int64_t)(u64(s) % (uint64_t)(TS_MAX - TS_MIN + 1));
}

static dal_date gen_dt(src *s)
{
    static const int32_t e[] = {0, -1, DT_MIN, DT_MAX, DT_MIN - 1, DT_MAX + 1, INT32_MIN, INT32_MAX,
                                10957, -25567};
    unsigned k = u8(s);
    if (k < 128)
        return e[k % (sizeof e / sizeof e[0])];
    return DT_MIN + (int32_t)(u64(s) % (uint64_t)(DT_MAX - DT_MIN + 1));
}

/* Decimal text in canonical form: up to `ip` integer digits, exactly `sc`
 * fraction digits (sc < 0: 0..6 of them). */
static void gen_dec(src *s, char *buf, int ip, int sc)
{
    unsigned k = u8(s);
    char *p = buf;
    int ni = 1 + (int)(u8(s) % (unsigned)ip);
    int nf = sc >= 0 ? sc : (int)(u8(s) % 7);
    if (k % 4 == 0) { /* at the limit */
        ni = ip;
        nf = sc >= 0 ? sc : 6;
    }
    bool zero = true;
    char digs[64];
    for (int i = 0; i < ni + nf; i++) {
        digs[i] = (char)('0' + (k % 4 == 0 ? 9 : u8(s) % 10));
        if (digs[i] != '0')
            zero = false;
    }
    if (ni > 1 && digs[0] == '0')
        digs[0] = '1', zero = false;
    if (!zero && (k & 0x10))
        *p++ = '-';
    memcpy(p, digs, (size_t)ni);
    p += ni;
    if (nf > 0) {
        *p++ = '.';
        memcpy(p, digs + ni, (size_t)nf);
        p += nf;
    }
    *p = '\0';
}

static const char *const jsons[] = {
    "{}", "[]", "null", "true", "0", "-1.5", "\"x\"", "{\"a\": 1}", "[1, \"two\", null]",
    "{\"a\": [1, 2], \"b\": {\"c\": \"\xc3\xa9\"}}", "\"\xf0\x9f\x98\x80\"", "{\"a\": \"it's\"}",
};

/* Text: from the input (any bytes but NUL), or edges. */
static void gen_text(src *s, char *buf, size_t cap)
{
    static const char *const e[] = {"", "a", "\xf0\x9f\x98\x80", "\xc3\xa9", "\xff", "\xc3",
                                    "\xed\xa0\x80", "\xf4\x90\x80\x80", "it's \"q\" \\ $1 ?", "\t\n"};
    unsigned k = u8(s);
    if (k < 100) {
        snprintf(buf, cap, "%s", e[k % (sizeof e / sizeof e[0])]);
        return;
    }
    size_t n = u8(s) % 40, i = 0;
    for (; i < n && i + 1 < cap; i++) {
        unsigned c = u8(s);
        buf[i] = (char)(c ? c : 'z');
    }
    buf[i] = '\0';
}

static void gen_uuid(src *s, char *out)
{
    static const char hex[] = "0123456789abcdef", HEX[] = "0123456789ABCDEF";
    unsigned k = u8(s);
    const char *h = k & 1 ? HEX : hex;
    int j = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[j++] = '-';
        out[j++] = h[u8(s) % 16];
    }
    out[j] = '\0';
    if (k % 16 == 2)
        out[5] = 'z'; /* invalid */
}

/* ---- comparison ------------------------------------------------------------ */

static bool same_f64(double a, double b, bool sqlite)
{
    if (isnan(a))
        return isnan(b);
    if (a == 0 && b == 0 && sqlite)
        return true;
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool same_f32(float a, float b, bool sqlite)
{
    if (isnan(a))
        return isnan(b);
    if (a == 0 && b == 0 && sqlite)
        return true;
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_bytes(dal_bytes a, dal_bytes b, bool nullable)
{
    if (nullable && (!a.data || !b.data))
        return !a.data && !b.data;
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

static bool same_uuid(const char *in, const char *out)
{
    for (int i = 0; i < 37; i++) {
        char c = in[i] >= 'A' && in[i] <= 'F' ? (char)(in[i] + 32) : in[i];
        if (c != out[i])
            return false;
        if (!c)
            return true;
    }
    return true;
}

static const char *diff(const alltypes *a, const alltypes *b, bool sqlite)
{
#define V(f) if (a->f != b->f) return #f
#define H(f) if (a->has_##f != b->has_##f || (a->has_##f && a->f != b->f)) return #f
    V(id); V(b); H(bn); V(i16); H(i16n); V(i32); H(i32n); V(i64); H(i64n);
    if (!same_f32(a->f32, b->f32, sqlite)) return "f32";
    if (a->has_f32n != b->has_f32n || (a->has_f32n && !same_f32(a->f32n, b->f32n, sqlite))) return "f32n";
    if (!same_f64(a->f64, b->f64, sqlite)) return "f64";
    if (a->has_f64n != b->has_f64n || (a->has_f64n && !same_f64(a->f64n, b->f64n, sqlite))) return "f64n";
    if (!same_str(a->d, b->d)) return "d";
    if (!same_str(a->dn, b->dn)) return "dn";
    if (!same_str(a->t, b->t)) return "t";
    if (!same_str(a->tn, b->tn)) return "tn";
    if (!same_str(a->j, b->j)) return "j";
    if (!same_str(a->jn, b->jn)) return "jn";
    if (!same_bytes(a->by, b->by, false)) return "by";
    if (!same_bytes(a->byn, b->byn, true)) return "byn";
    if (!same_uuid(a->u, b->u)) return "u";
    if (a->has_un != b->has_un || (a->has_un && !same_uuid(a->un, b->un))) return "un";
    V(ts); H(tsn); V(dt); H(dtn); V(e); H(en);
#undef V
#undef H
    return NULL;
}

static void dump(const alltypes *r)
{
    fprintf(stderr,
            "  b=%d i16=%d i32=%d i64=%lld f32=%a f64=%a d=%s dn=%s t=[%s] tn=[%s] j=%s "
            "by.len=%zu byn.data=%p u=%s un=%s(%d) ts=%lld tsn=%lld(%d) dt=%d dtn=%d(%d) e=%d en=%d(%d)\n",
            r->b, r->i16, r->i32, (long long)r->i64, (double)r->f32, r->f64, r->d,
            r->dn ? r->dn : "NULL", r->t, r->tn ? r->tn : "NULL", r->j, r->by.len,
            (void *)r->byn.data, r->u, r->un, r->has_un, (long long)r->ts, (long long)r->tsn,
            r->has_tsn, r->dt, r->dtn, r->has_dtn, (int)r->e, (int)r->en, r->has_en);
}

static void check_one(const alltypes *in)
{
    alltypes o1, o2;
    dal_status s1 = alltypes_insert(sq, in, &o1);
    dal_status s2 = pg ? alltypes_insert(pg, in, &o2) : s1;
    rows_done++;
    if (s1 != s2) {
        fprintf(stderr, "SQLite %s: %s\nPostgreSQL %s: %s\n", dal_status_name(s1), dal_errmsg(sq),
                dal_status_name(s2), dal_errmsg(pg));
        dump(in);
        die("status differs between the engines", in);
    }
    if (s1 != DAL_OK)
        return;
    rows_ok++;
    const char *f;
    if ((f = diff(in, &o1, true)) != NULL) {
        fprintf(stderr, "SQLite returned a different %s\n", f);
        dump(in);
        dump(&o1);
        die("SQLite round trip", in);
    }
    alltypes g;
    if (alltypes_get(sq, in->id, &g) != DAL_OK || (f = diff(in, &g, true)) != NULL)
        die("SQLite get", in);
    alltypes_free(&g);
    alltypes_free(&o1);
    if (!pg)
        return;
    if ((f = diff(in, &o2, false)) != NULL) {
        fprintf(stderr, "PostgreSQL returned a different %s\n", f);
        dump(in);
        dump(&o2);
        die("PostgreSQL round trip", in);
    }
    if (alltypes_get(pg, in->id, &g) != DAL_OK || (f = diff(in, &g, false)) != NULL)
        die("PostgreSQL get", in);
    alltypes_free(&g);
    alltypes_free(&o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    src s = {data, size};
    int rows = 1 + (int)(u8(&s) % 64);
    for (int r = 0; r < rows && s.n > 0; r++) {
        char d[64], dn[64], t[64], tn[64];
        unsigned char by[32], byn[32];
        alltypes in = {.id = next_id++};
        unsigned nulls = u8(&s) | u8(&s) << 8;
        in.b = u8(&s) & 1;
        in.has_bn = nulls & 1, in.bn = u8(&s) & 1;
        in.i16 = (int16_t)gen_i64(&s);
        in.has_i16n = nulls & 2, in.i16n = (int16_t)gen_i64(&s);
        in.i32 = (int32_t)gen_i64(&s);
        in.has_i32n = nulls & 4, in.i32n = (int32_t)gen_i64(&s);
        in.i64 = gen_i64(&s);
        in.has_i64n = nulls & 8, in.i64n = gen_i64(&s);
        in.f32 = gen_f32(&s);
        in.has_f32n = nulls & 16, in.f32n = gen_f32(&s);
        in.f64 = gen_f64(&s);
        in.has_f64n = nulls & 32, in.f64n = gen_f64(&s);
        gen_dec(&s, d, 16, 4);
        in.d = d;
        gen_dec(&s, dn, 30, -1);
        in.dn = nulls & 64 ? dn : NULL;
        gen_text(&s, t, sizeof t);
        in.t = t;
        gen_text(&s, tn, sizeof tn);
        in.tn = nulls & 128 ? tn : NULL;
        unsigned jk = u8(&s);
        in.j = (char *)jsons[jk % (sizeof jsons / sizeof jsons[0])];
        in.jn = nulls & 256 ? (char *)jsons[(jk / 16) % (sizeof jsons / sizeof jsons[0])] : NULL;
        size_t bl = u8(&s) % sizeof by;
        for (size_t i = 0; i < bl; i++)
            by[i] = (unsigned char)u8(&s);
        in.by = (dal_bytes){by, bl};
        size_t bnl = u8(&s) % sizeof byn;
        for (size_t i = 0; i < bnl; i++)
            byn[i] = (unsigned char)u8(&s);
        in.byn = nulls & 512 ? (dal_bytes){byn, bnl} : (dal_bytes){NULL, 0};
        gen_uuid(&s, in.u);
        in.has_un = nulls & 1024;
        gen_uuid(&s, in.un);
        in.ts = gen_ts(&s);
        in.has_tsn = nulls & 2048, in.tsn = gen_ts(&s);
        in.dt = gen_dt(&s);
        in.has_dtn = nulls & 4096, in.dtn = gen_dt(&s);
        unsigned ek = u8(&s);
        in.e = (alltypes_e)(ek < 250 ? ek % 3 : ek - 250 + 3);
        in.has_en = nulls & 8192, in.en = (alltypes_en)(u8(&s) % 4);
        check_one(&in);
    }
    static unsigned long long next_report = 100000;
    if (rows_done >= next_report && (next_report += 100000))
        fprintf(stderr, "fuzz_roundtrip: %llu rows (%llu stored on %s)\n", rows_done, rows_ok,
                pg ? "both engines" : "SQLite");
    return 0;
}
