/*
 * model.c - stage 2: parsed YAML documents -> validated, resolved model
 * (model.h).  Every rule of docs/schema.md is checked here, so emitters never
 * re-check anything.
 *
 * Order of work:
 *   1. per file: the table mapping, its columns and table-level keys
 *      (build_table); everything local to one file;
 *   2. across files: duplicate tables, foreign keys (resolve_refs),
 *      automatic FK indexes, generated SQL and C names that would collide
 *      (check_names), and the dependency order (order_tables).
 *
 * Errors are collected (several per run); a node that already failed marks
 * what depends on it as unknown, so one mistake gives one message (an
 * unknown type does not also produce a default error, an unknown table does
 * not also produce a type mismatch).
 *
 * Everything, including copies of the strings kept from the YAML tree,
 * lives in the model's arena.
 */
#include "model/model.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "front/yamltree.h"

#define MAX_IDENT 63
#define MAX_VARCHAR 10485760
#define MAX_JSON_DEPTH 256

/* ---- per-file working state ------------------------------------------- */

typedef struct csrc {
    const yt_node *map, *name_n, *type_n, *def_n, *refs_n, *ondel_n, *onupd_n;
    const yt_node *identity_n, *pk_n, *unique_n, *nullable_n;
    bool name_ok, type_ok, values_ok, maxlen_ok, decimal_ok;
    const char *ref_table, *ref_col; /* parsed `references`, or NULL */
} csrc;

typedef struct tsrc {
    const char *file;  /* model arena copy of the document path */
    const yt_node *root;
    m_table *t;        /* NULL when the table could not be read at all */
    csrc *cs;
    bool name_ok;
    bool columns_ok;   /* every column readable: references into it can be checked */
    bool keys_ok;      /* primary key and unique constraints read without error */
} tsrc;

typedef struct builder {
    model *m;
    arena *a;
    diag_list *d;
    tsrc *ts;
    int nts;
    /* stems of files that failed to parse: references to them are not
     * reported as unknown */
    const char *const *failed;
    int nfailed;
    tsrc **sorted; /* readable tables by name, for lookups */
    int nsorted;
    bool oom;
} builder;

static srcpos P(const tsrc *ts, const yt_node *n)
{
    srcpos p = {ts->file, n ? n->pos.line : 0, n ? n->pos.col : 0};
    return p;
}

#define ERR(node, ...) diag_error(b->d, P(ts, node), __VA_ARGS__)

static const char *S(builder *b, const char *s)
{
    if (!s)
        return NULL;
    char *p = arena_strdup(b->a, s);
    if (!p)
        b->oom = true;
    return p;
}

static void *A(builder *b, size_t n)
{
    void *p = arena_alloc(b->a, n ? n : 1);
    if (!p)
        b->oom = true;
    return p;
}

static const char *kind_name(const yt_node *n)
{
    switch (n->kind) {
    case YT_SEQUENCE:
        return "a sequence";
    case YT_MAPPING:
        return "a mapping";
    default:
        return "a scalar";
    }
}

static bool is_null(const yt_node *n)
{
    if (n->kind != YT_SCALAR || n->quoted)
        return false;
    const char *v = n->value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

/* " (did you mean 'x'?)" or "" (static buffer per call site is avoided:
 * the hint is built into the arena). */
static bool anagram(const char *x, const char *y)
{
    if (strlen(x) != strlen(y))
        return false;
    int cnt[256] = {0};
    for (; *x; x++, y++) {
        cnt[(unsigned char)*x]++;
        cnt[(unsigned char)*y]--;
    }
    for (int i = 0; i < 256; i++)
        if (cnt[i])
            return false;
    return true;
}

static const char *hint(builder *b, const char *s, const char *const *cands, size_t n)
{
    const char *c = NULL;
    /* a swapped pair of letters ('int46') is the likeliest typo: prefer it
     * over another candidate at the same distance ('int16') */
    for (size_t i = 0; i < n && !c; i++)
        if (cands[i] && anagram(s, cands[i]) && closest_name(s, &cands[i], 1))
            c = cands[i];
    if (!c)
        c = closest_name(s, cands, n);
    if (!c)
        return "";
    const char *h = arena_printf(b->a, " (did you mean '%s'?)", c);
    return h ? h : "";
}

/* ---- small typed readers ------------------------------------------------ */

static bool want_kind(builder *b, const tsrc *ts, const yt_node *n, yt_kind k, const char *what)
{
    if (n->kind == k)
        return true;
    static const char *const names[] = {"a string", "a sequence", "a mapping"};
    return ERR(n, "expected %s for %s, got %s", names[k], what, kind_name(n));
}

static bool get_str(builder *b, const tsrc *ts, const yt_node *n, const char *what,
                    const char **out)
{
    if (!want_kind(b, ts, n, YT_SCALAR, what))
        return false;
    if (is_null(n))
        return ERR(n, "expected a string for %s, got nothing", what);
    *out = S(b, n->value);
    return *out != NULL;
}

static bool get_bool(builder *b, const tsrc *ts, const yt_node *n, const char *what, bool *out)
{
    if (n->kind == YT_SCALAR && !n->quoted) {
        const char *v = n->value;
        if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
            *out = true;
            return true;
        }
        if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
            *out = false;
            return true;
        }
    }
    if (n->kind != YT_SCALAR)
        return ERR(n, "expected true or false for %s, got %s", what, kind_name(n));
    return ERR(n, "expected true or false for %s, got '%s'", what, n->value);
}

/* Strict decimal integer: optional sign, digits, no spaces.  False on
 * syntax error; *overflow set when out of long long range. */
static bool parse_ll(const char *s, long long *out, bool *overflow)
{
    *overflow = false;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        *overflow = true;
    *out = v;
    return true;
}

static bool get_int(builder *b, const tsrc *ts, const yt_node *n, const char *what, long long lo,
                    long long hi, int *out)
{
    if (n->kind != YT_SCALAR)
        return ERR(n, "expected an integer for %s, got %s", what, kind_name(n));
    long long v;
    bool ovf;
    if (!parse_ll(n->value, &v, &ovf))
        return ERR(n, "expected an integer for %s, got '%s'", what, n->value);
    if (ovf || v < lo || v > hi)
        return ERR(n, "%s must be between %lld and %lld, got %s", what, lo, hi, n->value);
    *out = (int)v;
    return true;
}

static bool ident_chars_ok(const char *s)
{
    if (!*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static bool get_ident(builder *b, const tsrc *ts, const yt_node *n, const char *what,
                      const char **out)
{
    const char *an = strchr("aeiou", what[0]) ? "an" : "a";
    if (n->kind != YT_SCALAR)
        return ERR(n, "expected %s %s, got %s", an, what, kind_name(n));
    if (is_null(n))
        return ERR(n, "expected %s %s, got nothing", an, what);
    if (!ident_chars_ok(n->value))
        return ERR(n,
                   "invalid %s '%s' (use lower-case letters, digits and '_', not starting "
                   "with a digit)",
                   what, n->value);
    if (n->len > MAX_IDENT)
        return ERR(n, "%s '%s' is too long (%zu bytes, at most %d)", what, n->value, n->len,
                   MAX_IDENT);
    *out = S(b, n->value);
    return *out != NULL;
}

/* The generated C code appends '_' to a name that is reserved in C or used
 * by its own function bodies (types.h: c_is_reserved, c_is_local);
 * collisions are checked on the names it will really use. */
static bool is_c_reserved(const char *s) { return c_is_reserved(s) || c_is_local(s); }

/* Key checking: every key of map must be in allowed. */
static bool check_keys(builder *b, const tsrc *ts, const yt_node *map, const char *const *allowed,
                       size_t n, const char *what)
{
    bool ok = true;
    for (int i = 0; i < map->npairs; i++) {
        const yt_node *k = map->pairs[i].key;
        bool found = false;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(k->value, allowed[j]))
                found = true;
        if (!found)
            ok = ERR(k, "unknown %s key '%s'%s", what, k->value, hint(b, k->value, allowed, n));
    }
    return ok;
}

static const yt_node *get_key_node(const yt_node *map, const char *key)
{
    for (int i = 0; i < map->npairs; i++)
        if (!strcmp(map->pairs[i].key->value, key))
            return map->pairs[i].key;
    return NULL;
}

/* ---- literal validation --------------------------------------------------- */

/* UTF-8 code points (the text was validated by libyaml). */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* JSON (RFC 8259) validator without recursion: an explicit stack of open
 * containers, bounded depth. */
static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p != '"')
        return NULL;
    p++;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                if (!strncmp(p + 1, "0000", 4))
                    return NULL; /* PostgreSQL jsonb refuses \u0000 */
                for (int i = 1; i <= 4; i++) {
                    char h = p[i];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return NULL;
                }
                p += 5;
                continue;
            }
            if (!*p || !strchr("\"\\/bfnrt", *p))
                return NULL;
        }
        p++;
    }
}

static const char *json_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

/* Returns NULL when valid, else a short reason. */
static const char *json_check(const char *s)
{
    char stack[MAX_JSON_DEPTH];
    int depth = 0;
    const char *p = json_ws(s);
    for (;;) {
        /* expect a value */
        if (*p == '{' || *p == '[') {
            if (depth == MAX_JSON_DEPTH)
                return "nested too deeply";
            stack[depth++] = *p;
            p = json_ws(p + 1);
            if ((stack[depth - 1] == '{' && *p == '}') || (stack[depth - 1] == '[' && *p == ']')) {
                depth--;
                p++;
                goto after_value;
            }
            if (stack[depth - 1] == '{') {
                p = json_string(p);
                if (!p)
                    return "expected a string key";
                p = json_ws(p);
                if (*p != ':')
                    return "expected ':'";
                p = json_ws(p + 1);
            }
            continue;
        }
        if (*p == '"')
            p = json_string(p);
        else if (*p == '-' || (*p >= '0' && *p <= '9'))
            p = json_number(p);
        else if (!strncmp(p, "true", 4))
            p += 4;
        else if (!strncmp(p, "false", 5))
            p += 5;
        else if (!strncmp(p, "null", 4))
            p += 4;
        else
            return *p ? "unexpected character" : "unexpected end";
        if (!p)
            return "invalid string or number";
    after_value:
        p = json_ws(p);
        for (;;) {
            if (depth == 0)
                return *p ? "text after the value" : NULL;
            char open = stack[depth - 1];
            if (*p == ',') {
                p = json_ws(p + 1);
                if (open == '{') {
                    p = json_string(p);
                    if (!p)
                        return "expected a string key";
                    p = json_ws(p);
                    if (*p != ':')
                        return "expected ':'";
                    p = json_ws(p + 1);
                }
                break; /* next value */
            }
            if ((open == '{' && *p == '}') || (open == '[' && *p == ']')) {
                depth--;
                p = json_ws(p + 1);
                continue;
            }
            return *p ? "expected ',' or a closing bracket" : "unexpected end";
        }
    }
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int num(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* 'YYYY-MM-DD' -> days; NULL or a reason. */
static const char *parse_date(const char *s, long long *days)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return "expected 'YYYY-MM-DD'";
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return "expected 'YYYY-MM-DD'";
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return "no such date";
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return NULL;
}

/* 'YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)' -> microseconds (UTC). */
static const char *parse_timestamp(const char *s, long long *us)
{
    long long days;
    const char *why = parse_date(s, &days);
    if (why)
        return strcmp(why, "no such date") ? "expected 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z' or an "
                                             "offset like '+02:00'"
                                           : why;
    const char *p = s + 10;
    if (!*p)
        return "a time of day and a time zone ('Z' or '+HH:MM') are required";
    if (*p != 'T' && *p != 't' && *p != ' ')
        return "expected 'T' after the date";
    p++;
    if (strlen(p) < 8 || p[2] != ':' || p[5] != ':')
        return "expected 'HH:MM:SS' after the date";
    int hh = num(p, 2), mi = num(p + 3, 2), ss = num(p + 6, 2);
    if (hh < 0 || mi < 0 || ss < 0)
        return "expected 'HH:MM:SS' after the date";
    if (hh > 23 || mi > 59 || ss > 59)
        return "no such time of day";
    p += 8;
    long long frac = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (++nd > 6)
                return "at most 6 fractional digits (microseconds)";
            frac = frac * 10 + (*p - '0');
            p++;
        }
        if (nd == 0)
            return "expected digits after '.'";
        for (; nd < 6; nd++)
            frac *= 10;
    }
    long long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh = num(p, 2), om = 0;
        if (oh < 0)
            return "expected a time zone offset like '+02:00'";
        p += 2;
        if (*p == ':') {
            om = num(p + 1, 2);
            p += 3;
        } else if (*p) {
            om = num(p, 2);
            p += 2;
        }
        if (om < 0 || oh > 23 || om > 59)
            return "expected a time zone offset like '+02:00'";
        off = sign * (oh * 60LL + om) * 60;
    } else if (!*p) {
        return "a time zone is required ('Z' or an offset like '+02:00')";
    } else {
        return "unexpected text after the time";
    }
    if (*p)
        return "unexpected text after the time zone";
    long long secs = days * 86400 + hh * 3600LL + mi * 60LL + ss - off;
    /* 0001-01-01 .. 9999-12-31 in UTC */
    if (secs < days_from_civil(1, 1, 1) * 86400 || secs >= days_from_civil(10000, 1, 1) * 86400)
        return "out of range in UTC (years 1 to 9999)";
    *us = secs * 1000000 + frac;
    return NULL;
}

static char *format_timestamp(builder *b, long long us)
{
    long long secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    long long frac = us - secs * 1000000;
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    long long rem = secs - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char *s = arena_printf(b->a, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", y, m, d,
                           (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac);
    if (!s)
        b->oom = true;
    return s;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Plain decimal number text: [-+]digits[.digits][e[-+]digits] or .digits */
static bool float_syntax(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    int nd = 0;
    while (*p >= '0' && *p <= '9')
        p++, nd++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, nd++;
    }
    if (!nd)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* The `default:` of a column whose type (and type parameters) are known. */
static bool check_default(builder *b, const tsrc *ts, m_column *c, const csrc *cs)
{
    const yt_node *n = cs->def_n;
    const char *tn = type_table[c->type].name;
    if (n->kind != YT_SCALAR) {
        if (c->type == TY_JSON)
            return ERR(n, "expected a string for 'default', got %s (write a JSON default as "
                          "a quoted string, e.g. '{}')",
                       kind_name(n));
        return ERR(n, "expected a %s literal for 'default', got %s", tn, kind_name(n));
    }
    if (is_null(n))
        return ERR(n, "'default' needs a value (a nullable column is NULL without a default)");
    const char *v = n->value;
    bool text_like = c->type == TY_TEXT || c->type == TY_ENUM;
    if (!strcmp(v, "now") && !type_table[c->type].default_now && !text_like)
        return ERR(n, "default 'now' is only allowed on timestamp and date columns (column "
                      "'%s' is %s)",
                   c->name, tn);
    if (!strcmp(v, "uuid") && !type_table[c->type].default_uuid && !text_like)
        return ERR(n, "default 'uuid' is only allowed on uuid columns (column '%s' is %s)",
                   c->name, tn);
    if (!strcmp(v, "now") && type_table[c->type].default_now) {
        c->def = DEF_NOW;
        return true;
    }
    if (!strcmp(v, "uuid") && type_table[c->type].default_uuid) {
        c->def = DEF_UUID;
        return true;
    }
    c->def = DEF_LITERAL;
    switch (c->type) {
    case TY_BOOL:
        if (!n->quoted && (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))) {
            c->default_value = "true";
            c->default_int = 1;
            return true;
        }
        if (!n->quoted && (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))) {
            c->default_value = "false";
            return true;
        }
        return ERR(n, "invalid bool default '%s' (expected true or false)", v);
    case TY_INT16:
    case TY_INT32:
    case TY_INT64: {
        long long x;
        bool ovf;
        if (!parse_ll(v, &x, &ovf))
            return ERR(n, "invalid %s default '%s' (expected an integer)", tn, v);
        long long lo = c->type == TY_INT16 ? INT16_MIN : c->type == TY_INT32 ? INT32_MIN : INT64_MIN;
        long long hi = c->type == TY_INT16 ? INT16_MAX : c->type == TY_INT32 ? INT32_MAX : INT64_MAX;
        if (ovf || x < lo || x > hi)
            return ERR(n, "default %s is out of range for %s (%lld to %lld)", v, tn, lo, hi);
        c->default_int = x;
        c->default_value = arena_printf(b->a, "%lld", x);
        return true;
    }
    case TY_FLOAT32:
    case TY_FLOAT64: {
        if (!float_syntax(v))
            return ERR(n, "invalid %s default '%s' (expected a decimal number like 1.5 or 2e-3)",
                       tn, v);
        double x = strtod(v, NULL);
        if (!isfinite(x) || (c->type == TY_FLOAT32 && fabs(x) > FLT_MAX))
            return ERR(n, "default %s is out of range for %s", v, tn);
        /* a digit on both sides of the point, no '+': valid C, SQL and JSON */
        strbuf nb;
        sb_init(&nb);
        const char *p = v;
        if (*p == '+' || *p == '-') {
            if (*p == '-')
                sb_addc(&nb, '-');
            p++;
        }
        if (*p == '.')
            sb_addc(&nb, '0');
        for (; *p; p++) {
            sb_addc(&nb, *p);
            if (*p == '.' && !(p[1] >= '0' && p[1] <= '9'))
                sb_addc(&nb, '0');
        }
        c->default_value = nb.oom ? NULL : S(b, sb_str(&nb));
        sb_free(&nb);
        if (!c->default_value)
            b->oom = true;
        return c->default_value != NULL;
    }
    case TY_DECIMAL: {
        const char *p = v;
        bool neg = false;
        if (*p == '-' || *p == '+')
            neg = *p++ == '-';
        const char *ip = p;
        while (*p >= '0' && *p <= '9')
            p++;
        size_t ni = (size_t)(p - ip);
        const char *fp = NULL;
        size_t nf = 0;
        if (*p == '.') {
            fp = ++p;
            while (*p >= '0' && *p <= '9')
                p++;
            nf = (size_t)(p - fp);
        }
        if (*p || (ni == 0 && nf == 0))
            return ERR(n, "invalid decimal default '%s' (expected digits like 12.50)", v);
        while (ni > 1 && *ip == '0')
            ip++, ni--;
        size_t sig = (ni == 1 && *ip == '0') ? 0 : ni;
        if (c->precision > 0) {
            int scale = c->scale > 0 ? c->scale : 0;
            if (nf > (size_t)scale)
                return ERR(n, "default %s has more than %d digits after the point (scale %d)",
                           v, scale, scale);
            if (sig > (size_t)(c->precision - scale))
                return ERR(n,
                           "default %s has too many digits before the point for "
                           "precision %d, scale %d",
                           v, c->precision, scale);
        }
        bool zero = true;
        for (size_t i = 0; i < ni; i++)
            if (ip[i] != '0')
                zero = false;
        for (size_t i = 0; i < nf; i++)
            if (fp[i] != '0')
                zero = false;
        c->default_value = arena_printf(b->a, "%s%.*s%s%.*s", neg && !zero ? "-" : "",
                                        ni ? (int)ni : 1, ni ? ip : "0", nf ? "." : "", (int)nf,
                                        fp ? fp : "");
        return true;
    }
    case TY_TEXT:
        if (c->max_length > 0 && utf8_len(v) > (size_t)c->max_length)
            return ERR(n, "default is longer than max_length %d (%zu characters)", c->max_length,
                       utf8_len(v));
        c->default_value = S(b, v);
        return true;
    case TY_JSON: {
        const char *why = json_check(v);
        if (why)
            return ERR(n, "invalid JSON default: %s", why);
        c->default_value = S(b, v);
        return true;
    }
    case TY_BYTES: {
        if (v[0] != '\\' || v[1] != 'x')
            return ERR(n, "invalid bytes default (expected hex digits after \\x, e.g. "
                          "'\\x00ff')");
        size_t hl = strlen(v + 2);
        if (hl % 2)
            return ERR(n, "invalid bytes default (odd number of hex digits)");
        char *h = A(b, hl + 1);
        if (!h)
            return false;
        for (size_t i = 0; i < hl; i++) {
            char ch = v[2 + i];
            if (!is_hex(ch))
                return ERR(n, "invalid bytes default ('%c' is not a hex digit)", ch);
            h[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
        }
        c->default_value = h;
        return true;
    }
    case TY_UUID: {
        static const int dash[] = {8, 13, 18, 23};
        bool ok = strlen(v) == 36;
        for (int i = 0; ok && i < 36; i++) {
            bool want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];
            ok = want_dash ? v[i] == '-' : is_hex(v[i]);
        }
        if (!ok)
            return ERR(n, "invalid uuid default '%s' (expected "
                          "'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' or uuid)",
                       v);
        char *u = A(b, 37);
        if (!u)
            return false;
        for (int i = 0; i < 36; i++)
            u[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i]);
        c->default_value = u;
        return true;
    }
    case TY_TIMESTAMP: {
        long long us;
        const char *why = parse_timestamp(v, &us);
        if (why)
            return ERR(n, "invalid timestamp default '%s': %s", v, why);
        c->default_int = us;
        c->default_value = format_timestamp(b, us);
        return true;
    }
    case TY_DATE: {
        long long days;
        const char *why = strlen(v) == 10 ? parse_date(v, &days) : "expected 'YYYY-MM-DD'";
        if (why)
            return ERR(n, "invalid date default '%s': %s", v, why);
        c->default_int = days;
        c->default_value = S(b, v);
        return true;
    }
    case TY_ENUM:
        for (int i = 0; i < c->nvalues; i++) {
            if (!strcmp(c->values[i], v)) {
                c->default_int = i;
                c->default_value = c->values[i];
                return true;
            }
        }
        return ERR(n, "default '%s' is not one of the values of enum column '%s'%s", v, c->name,
                   hint(b, v, c->values, (size_t)c->nvalues));
    case TY_COUNT:
        break;
    }
    return false;
}

/* ---- one table (one file) ---------------------------------------------------- */

static const char *const table_keys[] = {"table",  "comment", "columns", "primary_key",
                                         "unique", "indexes", "checks",  "renamed_from"};
static const char *const column_keys[] = {
    "name",      "type",   "nullable", "primary_key", "identity",   "unique",
    "default",   "max_length", "precision", "scale",   "values",     "references",
    "on_delete", "on_update",  "check",     "comment", "renamed_from"};
static const char *const index_keys[] = {"columns", "unique", "name", "where"};
static const char *const fk_action_names[] = {"no_action", "restrict", "cascade", "set_null",
                                              "set_default"};

static bool get_action(builder *b, const tsrc *ts, const yt_node *n, const char *what,
                       fk_action *out)
{
    if (n->kind != YT_SCALAR || is_null(n))
        return ERR(n, "expected one of cascade, set_null, set_default, restrict, no_action for "
                      "'%s'",
                   what);
    for (int i = 0; i < 5; i++) {
        if (!strcmp(n->value, fk_action_names[i])) {
            *out = (fk_action)i;
            return true;
        }
    }
    const char *h = hint(b, n->value, fk_action_names, 5);
    if (*h)
        return ERR(n, "unknown %s action '%s'%s", what, n->value, h);
    return ERR(n, "unknown %s action '%s' (expected cascade, set_null, set_default, restrict or "
                  "no_action)",
               what, n->value);
}

/* Reads one column mapping into c.  Type parameters first, so the default
 * is checked against them. */
static void build_column(builder *b, tsrc *ts, m_table *t, m_column *c, csrc *cs,
                         const yt_node *map)
{
    cs->map = map;
    c->pos = P(ts, map);
    c->precision = c->scale = -1;
    check_keys(b, ts, map, column_keys, sizeof column_keys / sizeof *column_keys, "column");

    const yt_node *n;
    if ((n = yt_get(map, "name"))) {
        cs->name_n = n;
        cs->name_ok = get_ident(b, ts, n, "column name", &c->name);
        if (cs->name_ok && !strcmp(c->name, "dal_mem_")) {
            cs->name_ok = false;
            ERR(n, "column name 'dal_mem_' is reserved (a field the runtime adds to every row)");
        }
    } else {
        ERR(map, "column is missing required key 'name'");
    }
    const char *cname = c->name ? c->name : "?";

    if ((n = yt_get(map, "type"))) {
        cs->type_n = n;
        if (n->kind != YT_SCALAR || is_null(n)) {
            ERR(n, "expected a type name for 'type', got %s", is_null(n) ? "nothing" : kind_name(n));
        } else if (type_lookup(n->value, &c->type)) {
            cs->type_ok = true;
        } else {
            ERR(n, "unknown type '%s'%s", n->value, hint(b, n->value, type_names, TY_COUNT));
        }
    } else {
        ERR(map, "column '%s' is missing required key 'type'", cname);
    }

    if ((n = yt_get(map, "nullable"))) {
        cs->nullable_n = n;
        get_bool(b, ts, n, "'nullable'", &c->nullable);
    }
    if ((n = yt_get(map, "primary_key"))) {
        cs->pk_n = n;
        get_bool(b, ts, n, "'primary_key'", &c->primary_key);
        if (c->primary_key && c->nullable)
            ERR(n, "a primary-key column cannot be nullable (column '%s')", cname);
    }
    if ((n = yt_get(map, "identity"))) {
        cs->identity_n = n;
        get_bool(b, ts, n, "'identity'", &c->identity);
    }
    if ((n = yt_get(map, "unique"))) {
        cs->unique_n = n;
        get_bool(b, ts, n, "'unique'", &c->unique);
    }
    if ((n = yt_get(map, "check")))
        get_str(b, ts, n, "'check'", &c->check);
    if ((n = yt_get(map, "comment")))
        get_str(b, ts, n, "'comment'", &c->comment);
    if ((n = yt_get(map, "renamed_from")))
        get_ident(b, ts, n, "renamed_from name", &c->renamed_from);

    /* type parameters */
    cs->maxlen_ok = cs->decimal_ok = true;
    if ((n = yt_get(map, "max_length"))) {
        int v = 0;
        if (cs->type_ok && c->type != TY_TEXT) {
            ERR(get_key_node(map, "max_length"),
                "'max_length' is only allowed on text columns (column '%s' is %s)", cname,
                type_table[c->type].name);
        } else if (!get_int(b, ts, n, "'max_length'", 1, MAX_VARCHAR, &v)) {
            cs->maxlen_ok = false;
        } else {
            c->max_length = v;
        }
    }
    const yt_node *pn = yt_get(map, "precision"), *sn = yt_get(map, "scale");
    if ((pn || sn) && cs->type_ok && c->type != TY_DECIMAL) {
        ERR(get_key_node(map, pn ? "precision" : "scale"),
            "'%s' is only allowed on decimal columns (column '%s' is %s)",
            pn ? "precision" : "scale", cname, type_table[c->type].name);
    } else {
        if (pn && !get_int(b, ts, pn, "'precision'", 1, 1000, &c->precision))
            cs->decimal_ok = false;
        if (sn && !get_int(b, ts, sn, "'scale'", 0, 1000, &c->scale))
            cs->decimal_ok = false;
        if (cs->decimal_ok && sn && !pn) {
            cs->decimal_ok = ERR(get_key_node(map, "scale"), "'scale' needs 'precision'");
        } else if (cs->decimal_ok && pn && sn && c->scale > c->precision) {
            cs->decimal_ok = ERR(sn, "scale %d is larger than precision %d", c->scale,
                                 c->precision);
        }
    }
    cs->values_ok = true;
    if ((n = yt_get(map, "values"))) {
        if (cs->type_ok && c->type != TY_ENUM) {
            ERR(get_key_node(map, "values"),
                "'values' is only allowed on enum columns (column '%s' is %s)", cname,
                type_table[c->type].name);
        } else if (!want_kind(b, ts, n, YT_SEQUENCE, "'values'")) {
            cs->values_ok = false;
        } else if (n->nitems == 0) {
            cs->values_ok = ERR(n, "'values' must not be empty");
        } else {
            c->values = A(b, (size_t)n->nitems * sizeof *c->values);
            if (!c->values)
                return;
            for (int i = 0; i < n->nitems; i++) {
                const char *v = NULL;
                if (!get_ident(b, ts, n->items[i], "enum value", &v)) {
                    cs->values_ok = false;
                    continue;
                }
                for (int j = 0; j < c->nvalues; j++)
                    if (!strcmp(c->values[j], v)) {
                        cs->values_ok = ERR(n->items[i], "duplicate enum value '%s'", v);
                        v = NULL;
                        break;
                    }
                if (v)
                    c->values[c->nvalues++] = v;
            }
        }
    } else if (cs->type_ok && c->type == TY_ENUM) {
        cs->values_ok = ERR(cs->type_n, "enum column '%s' needs 'values'", cname);
    }

    if ((n = yt_get(map, "default"))) {
        cs->def_n = n;
        if (c->identity && cs->identity_n)
            ERR(n, "column '%s' cannot have both 'identity' and 'default'", cname);
        else if (cs->type_ok && cs->values_ok && cs->maxlen_ok && cs->decimal_ok)
            check_default(b, ts, c, cs);
    }

    if ((n = yt_get(map, "references"))) {
        cs->refs_n = n;
        if (n->kind != YT_SCALAR || is_null(n)) {
            ERR(n, "expected '<table>.<column>' for 'references', got %s",
                is_null(n) ? "nothing" : kind_name(n));
        } else {
            const char *dot = strchr(n->value, '.');
            if (!dot || strchr(dot + 1, '.') || dot == n->value || !dot[1]) {
                ERR(n, "expected '<table>.<column>' for 'references', got '%s'", n->value);
            } else {
                cs->ref_table = arena_strndup(b->a, n->value, (size_t)(dot - n->value));
                cs->ref_col = S(b, dot + 1);
                if (cs->ref_table && (!ident_chars_ok(cs->ref_table) ||
                                      !ident_chars_ok(cs->ref_col))) {
                    ERR(n, "invalid reference '%s' (expected '<table>.<column>')", n->value);
                    cs->ref_table = cs->ref_col = NULL;
                }
            }
        }
    }
    if ((n = yt_get(map, "on_delete"))) {
        cs->ondel_n = n;
        if (!cs->refs_n)
            ERR(get_key_node(map, "on_delete"), "'on_delete' needs 'references'");
        else
            get_action(b, ts, n, "on_delete", &c->on_delete);
    }
    if ((n = yt_get(map, "on_update"))) {
        cs->onupd_n = n;
        if (!cs->refs_n)
            ERR(get_key_node(map, "on_update"), "'on_update' needs 'references'");
        else
            get_action(b, ts, n, "on_update", &c->on_update);
    }
    (void)t;
}

/* Derived SQL names longer than 63 bytes (PostgreSQL truncates them) are
 * shortened deterministically: 54 bytes + '_' + 8 hex digits of a hash. */
const char *model_sql_name(arena *a, const char *full)
{
    size_t len = strlen(full);
    if (len <= MAX_IDENT)
        return full;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)full[i]) * 16777619u;
    return arena_printf(a, "%.54s_%08x", full, (unsigned)h);
}

static const char *sql_name(builder *b, const char *full)
{
    if (!full) {
        b->oom = true;
        return NULL;
    }
    const char *s = model_sql_name(b->a, full);
    if (!s)
        b->oom = true;
    return s;
}

static const char *join_cols(builder *b, const char *pre, m_column **cols, int n, const char *post)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, pre);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '_');
        sb_add(&sb, cols[i]->name);
    }
    sb_add(&sb, post);
    const char *r = sb.oom ? NULL : arena_strdup(b->a, sb_str(&sb));
    sb_free(&sb);
    if (!r)
        b->oom = true;
    return r;
}

/* A list of column names (primary_key, unique entry, index columns).
 * Returns false (after reporting) when any is unknown or repeated. */
static bool column_list(builder *b, const tsrc *ts, const m_table *t, const yt_node *n,
                        const char *what, m_column ***out, int *nout)
{
    if (!want_kind(b, ts, n, YT_SEQUENCE, what))
        return false;
    if (n->nitems == 0)
        return ERR(n, "%s must list at least one column", what);
    m_column **cols = A(b, (size_t)n->nitems * sizeof *cols);
    if (!cols)
        return false;
    const char **names = A(b, (size_t)t->ncolumns * sizeof *names);
    if (!names)
        return false;
    for (int i = 0; i < t->ncolumns; i++)
        names[i] = t->columns[i].name;
    bool ok = true;
    for (int i = 0; i < n->nitems; i++) {
        const yt_node *it = n->items[i];
        if (it->kind != YT_SCALAR || is_null(it)) {
            ok = ERR(it, "expected a column name in %s, got %s", what,
                     is_null(it) ? "nothing" : kind_name(it));
            continue;
        }
        m_column *c = table_find_column(t, it->value);
        if (!c && !ts->columns_ok) {
            ok = false; /* the column itself was reported */
            continue;
        }
        if (!c) {
            ok = ERR(it, "%s names unknown column '%s'%s", what, it->value,
                     hint(b, it->value, names, (size_t)t->ncolumns));
            continue;
        }
        for (int j = 0; j < i; j++)
            if (cols[j] == c)
                ok = ERR(it, "column '%s' appears twice in %s", c->name, what);
        cols[i] = c;
    }
    *out = cols;
    *nout = n->nitems;
    return ok;
}

bool model_same_cols(m_column *const *a, int na, m_column *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static void build_table(builder *b, tsrc *ts, const char *stem)
{
    const yt_node *root = ts->root;
    if (!root || (root->kind == YT_SCALAR && is_null(root))) {
        srcpos p = {ts->file, 1, 1};
        diag_error(b->d, p, "empty schema file (expected a mapping with 'table' and 'columns')");
        return;
    }
    if (root->kind != YT_MAPPING) {
        ERR(root, "expected a mapping with 'table' and 'columns' at the top of the file, got %s",
            kind_name(root));
        return;
    }
    m_table *t = A(b, sizeof *t);
    if (!t)
        return;
    ts->t = t;
    t->file = ts->file;
    t->file_stem = S(b, stem);
    t->pos = P(ts, root);
    check_keys(b, ts, root, table_keys, sizeof table_keys / sizeof *table_keys, "table");

    const yt_node *n;
    if ((n = yt_get(root, "table"))) {
        t->pos = P(ts, n);
        if (get_ident(b, ts, n, "table name", &t->name)) {
            if (strcmp(t->name, stem) != 0) {
                ERR(n, "table '%s' must be defined in a file named '%s.yaml' (the file name and "
                       "the table name differ)",
                    t->name, t->name);
            } else if (!strcmp(t->name, "schema") || !strcmp(t->name, "dal") ||
                       !strncmp(t->name, "dal_", 4)) {
                ERR(n, "table name '%s' is reserved (the generated schema.h and the dal_ "
                       "runtime use it)",
                    t->name);
            } else {
                ts->name_ok = true;
            }
        }
    } else {
        ERR(root, "missing required key 'table'");
    }
    if (!ts->name_ok)
        t->name = NULL;
    if ((n = yt_get(root, "comment")))
        get_str(b, ts, n, "'comment'", &t->comment);
    if ((n = yt_get(root, "renamed_from")))
        get_ident(b, ts, n, "renamed_from name", &t->renamed_from);

    /* columns */
    const yt_node *cols = yt_get(root, "columns");
    ts->columns_ok = false;
    if (!cols) {
        ERR(root, "missing required key 'columns'");
    } else if (want_kind(b, ts, cols, YT_SEQUENCE, "'columns'")) {
        if (cols->nitems == 0) {
            ERR(cols, "'columns' must list at least one column");
        } else if (cols->nitems > MODEL_MAX_COLUMNS) {
            /* PostgreSQL's own limit; it also keeps the per-table checks
             * below (duplicate names, ...) cheap on hostile input. */
            ERR(cols, "table has %d columns; at most %d are allowed (PostgreSQL's limit)",
                cols->nitems, MODEL_MAX_COLUMNS);
        } else {
            ts->columns_ok = true;
            t->columns = A(b, (size_t)cols->nitems * sizeof *t->columns);
            ts->cs = A(b, (size_t)cols->nitems * sizeof *ts->cs);
            if (!t->columns || !ts->cs)
                return;
            for (int i = 0; i < cols->nitems; i++) {
                const yt_node *cm = cols->items[i];
                if (!want_kind(b, ts, cm, YT_MAPPING, "a column")) {
                    ts->columns_ok = false;
                    continue;
                }
                m_column *c = &t->columns[t->ncolumns];
                csrc *cs = &ts->cs[t->ncolumns];
                build_column(b, ts, t, c, cs, cm);
                if (!cs->name_ok) {
                    ts->columns_ok = false;
                    memset(c, 0, sizeof *c);
                    memset(cs, 0, sizeof *cs);
                    continue;
                }
                bool dup = false;
                for (int j = 0; j < t->ncolumns; j++) {
                    if (!strcmp(t->columns[j].name, c->name)) {
                        ERR(cs->name_n, "duplicate column '%s' (first at line %d)", c->name,
                            t->columns[j].pos.line);
                        dup = true;
                        break;
                    }
                }
                if (dup) {
                    memset(c, 0, sizeof *c);
                    memset(cs, 0, sizeof *cs);
                    continue;
                }
                c->index = t->ncolumns++;
            }
        }
    }
    if (!t->columns) {
        /* nothing to resolve names against; still report misshapen keys */
        const yt_node *x;
        if ((x = yt_get(root, "primary_key")))
            want_kind(b, ts, x, YT_SEQUENCE, "'primary_key'");
        if ((x = yt_get(root, "unique")))
            want_kind(b, ts, x, YT_SEQUENCE, "'unique' (a list of column lists)");
        if ((x = yt_get(root, "indexes")))
            want_kind(b, ts, x, YT_SEQUENCE, "'indexes'");
        if ((x = yt_get(root, "checks")))
            want_kind(b, ts, x, YT_SEQUENCE, "'checks'");
        return;
    }

    /* `has_x` beside a nullable value column `x` */
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        if (strncmp(c->name, "has_", 4) != 0)
            continue;
        m_column *x = table_find_column(t, c->name + 4);
        if (x && ts->cs[x->index].type_ok && x->nullable &&
            type_table[x->type].null_rep == NULL_BY_HAS)
            ERR(ts->cs[i].name_n,
                "column '%s' collides with the C field '%s' that marks nullable column '%s' as "
                "set",
                c->name, c->name, x->name);
    }

    /* primary key */
    int ncolpk = 0;
    const m_column *first_pk = NULL;
    for (int i = 0; i < t->ncolumns; i++) {
        if (!t->columns[i].primary_key)
            continue;
        if (++ncolpk == 1)
            first_pk = &t->columns[i];
        else
            ERR(ts->cs[i].pk_n,
                "more than one column has 'primary_key: true' (first: '%s' at line %d); list a "
                "composite key in the table's 'primary_key'",
                first_pk->name, first_pk->pos.line);
    }
    const yt_node *tpk = yt_get(root, "primary_key");
    bool pk_ok = ncolpk <= 1;
    ts->keys_ok = ts->columns_ok;
    if (tpk) {
        if (ncolpk) {
            pk_ok = ERR(get_key_node(root, "primary_key"),
                        "the primary key is given twice: by 'primary_key: true' on column '%s' "
                        "(line %d) and by the table's 'primary_key'",
                        first_pk->name, first_pk->pos.line);
        } else if (column_list(b, ts, t, tpk, "'primary_key'", &t->pk, &t->npk)) {
            for (int i = 0; i < t->npk; i++) {
                t->pk[i]->primary_key = true;
                if (t->pk[i]->nullable)
                    pk_ok = ERR(tpk->items[i], "a primary-key column cannot be nullable (column "
                                               "'%s')",
                                t->pk[i]->name);
            }
        } else {
            pk_ok = false;
            t->npk = 0;
        }
    } else if (ncolpk == 1) {
        t->pk = A(b, sizeof *t->pk);
        if (!t->pk)
            return;
        t->pk[0] = (m_column *)first_pk;
        t->npk = 1;
    } else if (ncolpk == 0 && ts->columns_ok) {
        pk_ok = ERR(root, "table '%s' has no primary key (mark a column 'primary_key: true' or "
                          "list the key in 'primary_key')",
                    ts->name_ok ? t->name : stem);
    }
    if (!pk_ok)
        ts->keys_ok = false;
    /* identity */
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        const csrc *cs = &ts->cs[i];
        if (!c->identity)
            continue;
        if (cs->type_ok && c->type != TY_INT32 && c->type != TY_INT64)
            ERR(cs->identity_n, "'identity' needs an int32 or int64 column (column '%s' is %s)",
                c->name, type_table[c->type].name);
        else if (pk_ok && (t->npk != 1 || t->pk[0] != c))
            ERR(cs->identity_n, "'identity' is only allowed on a single-column primary key "
                                "(column '%s')",
                c->name);
    }

    /* unique constraints: column-level first, then table-level */
    const yt_node *un = yt_get(root, "unique");
    int maxu = t->ncolumns + (un && un->kind == YT_SEQUENCE ? un->nitems : 0);
    t->uniques = A(b, (size_t)maxu * sizeof *t->uniques);
    if (!t->uniques)
        return;
    for (int i = 0; i < t->ncolumns; i++) {
        m_column *c = &t->columns[i];
        if (!c->unique)
            continue;
        m_unique *u = &t->uniques[t->nuniques++];
        u->cols = A(b, sizeof *u->cols);
        if (!u->cols)
            return;
        u->cols[0] = c;
        u->ncols = 1;
        u->from_column = true;
        u->pos = P(ts, ts->cs[i].unique_n);
    }
    if (un && want_kind(b, ts, un, YT_SEQUENCE, "'unique' (a list of column lists)")) {
        for (int i = 0; i < un->nitems; i++) {
            const yt_node *it = un->items[i];
            if (it->kind != YT_SEQUENCE) {
                ERR(it, "expected a list of column names in 'unique', got %s (each entry of "
                        "'unique' is one constraint, e.g. [a, b])",
                    kind_name(it));
                continue;
            }
            m_unique *u = &t->uniques[t->nuniques];
            memset(u, 0, sizeof *u);
            if (!column_list(b, ts, t, it, "'unique'", &u->cols, &u->ncols)) {
                ts->keys_ok = false;
                continue;
            }
            u->pos = P(ts, it);
            t->nuniques++;
        }
    }
    /* a constraint on the same columns as an earlier one is reported and
     * dropped (its names would collide too) */
    int nu = 0;
    for (int i = 0; i < t->nuniques; i++) {
        m_unique *u = &t->uniques[i];
        bool dup = false;
        for (int j = 0; j < nu && !dup; j++) {
            if (model_same_cols(u->cols, u->ncols, t->uniques[j].cols, t->uniques[j].ncols)) {
                diag_error(b->d, u->pos, "duplicate unique constraint on %s (first at line %d)",
                           join_cols(b, "(", u->cols, u->ncols, ")"), t->uniques[j].pos.line);
                dup = true;
            }
        }
        if (!dup)
            t->uniques[nu++] = *u;
    }
    t->nuniques = nu;
    if (ts->name_ok)
        for (int i = 0; i < t->nuniques; i++)
            t->uniques[i].name = sql_name(
                b, arena_printf(b->a, "%s_%s", t->name,
                                join_cols(b, "", t->uniques[i].cols, t->uniques[i].ncols, "_key")));

    /* indexes (automatic ones are added after references are resolved) */
    const yt_node *ixn = yt_get(root, "indexes");
    int maxi = t->ncolumns + (ixn && ixn->kind == YT_SEQUENCE ? ixn->nitems : 0);
    t->indexes = A(b, (size_t)maxi * sizeof *t->indexes);
    if (!t->indexes)
        return;
    if (ixn && want_kind(b, ts, ixn, YT_SEQUENCE, "'indexes'")) {
        for (int i = 0; i < ixn->nitems; i++) {
            const yt_node *im = ixn->items[i];
            if (!want_kind(b, ts, im, YT_MAPPING, "an index")) 
                continue;
            check_keys(b, ts, im, index_keys, sizeof index_keys / sizeof *index_keys, "index");
            m_index *ix = &t->indexes[t->nindexes];
            memset(ix, 0, sizeof *ix); /* a failed entry may have used the slot */
            ix->pos = P(ts, im);
            bool ok = true;
            const yt_node *cn = yt_get(im, "columns");
            if (!cn)
                ok = ERR(im, "index is missing required key 'columns'");
            else if (!column_list(b, ts, t, cn, "index 'columns'", &ix->cols, &ix->ncols))
                ok = false;
            if ((n = yt_get(im, "unique")) && !get_bool(b, ts, n, "'unique'", &ix->unique))
                ok = false;
            if ((n = yt_get(im, "where")) && !get_str(b, ts, n, "'where'", &ix->where))
                ok = false;
            if ((n = yt_get(im, "name")) && !get_ident(b, ts, n, "index name", &ix->name))
                ok = false;
            if (!ok)
                continue;
            for (int j = 0; j < t->nindexes; j++) {
                if (model_same_cols(ix->cols, ix->ncols, t->indexes[j].cols, t->indexes[j].ncols) &&
                    !ix->where == !t->indexes[j].where && ix->unique == t->indexes[j].unique &&
                    (!ix->where || !strcmp(ix->where, t->indexes[j].where))) {
                    ERR(im, "index on %s duplicates the index at line %d",
                        join_cols(b, "(", ix->cols, ix->ncols, ")"), t->indexes[j].pos.line);
                    ok = false;
                    break;
                }
            }
            if (!ok)
                continue;
            if (!ix->name && ts->name_ok)
                ix->name = sql_name(
                    b, join_cols(b, arena_printf(b->a, "idx_%s_", t->name), ix->cols, ix->ncols, ""));
            t->nindexes++;
        }
    }

    /* checks */
    const yt_node *ck = yt_get(root, "checks");
    if (ck && want_kind(b, ts, ck, YT_SEQUENCE, "'checks'")) {
        t->checks = A(b, (size_t)(ck->nitems ? ck->nitems : 1) * sizeof *t->checks);
        if (!t->checks)
            return;
        for (int i = 0; i < ck->nitems; i++) {
            m_check *c = &t->checks[t->nchecks];
            memset(c, 0, sizeof *c);
            if (!get_str(b, ts, ck->items[i], "a check (an SQL boolean expression)", &c->expr))
                continue;
            c->pos = P(ts, ck->items[i]);
            if (ts->name_ok)
                c->name = sql_name(b, arena_printf(b->a, "%s_check_%d", t->name, t->nchecks + 1));
            t->nchecks++;
        }
    }
}

/* ---- across tables ---------------------------------------------------------------- */

static int cmp_table_name(const void *x, const void *y)
{
    const m_table *a = *(m_table *const *)x, *b = *(m_table *const *)y;
    return strcmp(a->name, b->name);
}

static bool is_failed_stem(const builder *b, const char *name)
{
    for (int i = 0; i < b->nfailed; i++)
        if (!strcmp(b->failed[i], name))
            return true;
    return false;
}

static tsrc *find_src(builder *b, const char *name)
{
    int lo = 0, hi = b->nsorted - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(b->sorted[mid]->t->name, name);
        if (!c)
            return b->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int cmp_src(const void *x, const void *y)
{
    const tsrc *a = *(tsrc *const *)x, *b = *(tsrc *const *)y;
    int c = strcmp(a->t->name, b->t->name);
    return c ? c : (a > b) - (a < b); /* same name: file order */
}

/* Sorts the readable tables by name; a name defined twice (jobs.yaml
 * beside jobs.yml) is reported at the later file and left out. */
static void sort_tables(builder *b)
{
    b->sorted = A(b, (size_t)(b->nts ? b->nts : 1) * sizeof *b->sorted);
    if (!b->sorted)
        return;
    int n = 0;
    for (int i = 0; i < b->nts; i++)
        if (b->ts[i].t && b->ts[i].name_ok)
            b->sorted[n++] = &b->ts[i];
    qsort(b->sorted, (size_t)n, sizeof *b->sorted, cmp_src);
    int k = 0;
    for (int i = 0; i < n; i++) {
        tsrc *ts = b->sorted[i];
        if (k && !strcmp(b->sorted[k - 1]->t->name, ts->t->name)) {
            diag_error(b->d, ts->t->pos, "duplicate table '%s' (also defined in %s)", ts->t->name,
                       b->sorted[k - 1]->file);
            ts->name_ok = false;
            continue;
        }
        b->sorted[k++] = ts;
    }
    b->nsorted = k;
}

/* Is c the sole primary-key column or covered by a one-column unique? */
static bool single_unique(const m_table *t, const m_column *c)
{
    if (t->npk == 1 && t->pk[0] == c)
        return true;
    for (int i = 0; i < t->nuniques; i++)
        if (t->uniques[i].ncols == 1 && t->uniques[i].cols[0] == c)
            return true;
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].unique && !t->indexes[i].where && t->indexes[i].ncols == 1 &&
            t->indexes[i].cols[0] == c)
            return true;
    return false;
}

static void resolve_refs(builder *b)
{
    const char **tnames = A(b, (size_t)(b->nts ? b->nts : 1) * sizeof *tnames);
    if (!tnames)
        return;
    int ntn = 0;
    for (int i = 0; i < b->nts; i++)
        if (b->ts[i].t && b->ts[i].name_ok)
            tnames[ntn++] = b->ts[i].t->name;
    for (int i = 0; i < b->nts; i++) {
        tsrc *ts = &b->ts[i];
        m_table *t = ts->t;
        if (!t)
            continue;
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            csrc *cs = &ts->cs[j];
            if (!cs->ref_table)
                continue;
            const yt_node *n = cs->refs_n;
            tsrc *rs = find_src(b, cs->ref_table);
            if (!rs) {
                if (!is_failed_stem(b, cs->ref_table))
                    ERR(n, "'%s' references unknown table '%s'%s", n->value, cs->ref_table,
                        hint(b, cs->ref_table, tnames, (size_t)ntn));
                continue;
            }
            m_table *rt = rs->t;
            m_column *rc = table_find_column(rt, cs->ref_col);
            if (!rc) {
                if (rs->columns_ok) {
                    const char **cn = A(b, (size_t)rt->ncolumns * sizeof *cn);
                    if (!cn)
                        return;
                    for (int k = 0; k < rt->ncolumns; k++)
                        cn[k] = rt->columns[k].name;
                    ERR(n, "'%s' references unknown column '%s' of table '%s'%s", n->value,
                        cs->ref_col, rt->name, hint(b, cs->ref_col, cn, (size_t)rt->ncolumns));
                }
                continue;
            }
            if (!rs->keys_ok)
                continue;
            if (!single_unique(rt, rc)) {
                ERR(n,
                    "'%s' must be the primary key of table '%s' or unique (a foreign key needs "
                    "a single-column primary key or unique constraint)",
                    n->value, rt->name);
                continue;
            }
            const csrc *rcs = &rs->cs[rc->index];
            if (cs->type_ok && rcs->type_ok) {
                if (c->type != rc->type) {
                    ERR(n, "type mismatch: column '%s' is %s but '%s' is %s", c->name,
                        type_table[c->type].name, n->value, type_table[rc->type].name);
                    continue;
                }
                if (c->type == TY_ENUM && cs->values_ok && rcs->values_ok) {
                    bool same = c->nvalues == rc->nvalues;
                    for (int k = 0; same && k < c->nvalues; k++)
                        same = !strcmp(c->values[k], rc->values[k]);
                    if (!same) {
                        ERR(n, "enum column '%s' must have the same values as '%s' (in the same "
                               "order)",
                            c->name, n->value);
                        continue;
                    }
                }
            }
            c->ref_table = rt;
            c->ref_column = rc;
        }
        /* FK actions need the column's own facts */
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            csrc *cs = &ts->cs[j];
            if (!cs->refs_n)
                continue;
            const yt_node *an[2] = {cs->ondel_n, cs->onupd_n};
            fk_action ac[2] = {c->on_delete, c->on_update};
            for (int k = 0; k < 2; k++) {
                if (!an[k])
                    continue;
                if (ac[k] == FK_SET_NULL && !c->nullable)
                    ERR(an[k], "%s: set_null needs a nullable column ('%s' is not nullable)",
                        k ? "on_update" : "on_delete", c->name);
                if (ac[k] == FK_SET_DEFAULT && !cs->def_n)
                    ERR(an[k], "%s: set_default needs a 'default' on column '%s'",
                        k ? "on_update" : "on_delete", c->name);
            }
        }
    }
}

/* Every FK column that does not lead the primary key, a unique constraint
 * or an index gets an index idx_<table>_<col>. */
static void auto_indexes(builder *b)
{
    for (int i = 0; i < b->nts; i++) {
        m_table *t = b->ts[i].t;
        if (!t || !b->ts[i].name_ok || !t->indexes)
            continue;
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            if (!c->ref_table)
                continue;
            bool led = t->npk > 0 && t->pk[0] == c;
            for (int k = 0; !led && k < t->nuniques; k++)
                led = t->uniques[k].cols[0] == c;
            for (int k = 0; !led && k < t->nindexes; k++)
                led = t->indexes[k].cols[0] == c && !t->indexes[k].where;
            if (led)
                continue;
            m_index *ix = &t->indexes[t->nindexes++];
            ix->cols = A(b, sizeof *ix->cols);
            if (!ix->cols)
                return;
            ix->cols[0] = c;
            ix->ncols = 1;
            ix->automatic = true;
            ix->pos = c->pos;
            /* a declared (partial) index may already have the default name */
            const char *name = arena_printf(b->a, "idx_%s_%s", t->name, c->name);
            for (int k = 0; name && k < t->nindexes - 1; k++)
                if (t->indexes[k].name && !strcmp(t->indexes[k].name, name)) {
                    name = arena_printf(b->a, "idx_%s_%s_fk", t->name, c->name);
                    break;
                }
            ix->name = name ? sql_name(b, name) : NULL;
            if (!name)
                b->oom = true;
        }
    }
}

/* ---- generated names that would collide ---------------------------------------- */

typedef struct sym {
    const char *name;
    const char *what; /* "the struct of table 'a_b'" */
    srcpos pos;
    int seq;          /* insertion order, for stable reports */
    int group;        /* symbols of the same group may repeat (same function) */
    int owner;        /* table or enum column: one report per pair of owners */
} sym;

typedef struct symtab {
    sym *v;
    int n, cap;
    int owner;        /* owner of the symbols added next */
} symtab;

static void sym_add(builder *b, symtab *st, const char *name, const char *what, srcpos pos,
                    int group)
{
    if (!name || !what)
        return;
    if (st->n == st->cap) {
        int cap = st->cap ? st->cap * 2 : 256;
        sym *v = A(b, (size_t)cap * sizeof *v);
        if (!v)
            return;
        if (st->n)
            memcpy(v, st->v, (size_t)st->n * sizeof *v);
        st->v = v;
        st->cap = cap;
    }
    sym *s = &st->v[st->n];
    s->name = name;
    s->what = what;
    s->pos = pos;
    s->seq = st->n;
    s->group = group;
    s->owner = st->owner;
    st->n++;
}

static int cmp_sym(const void *x, const void *y)
{
    const sym *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_sym_seq(const void *x, const void *y)
{
    const sym *a = x, *b = y;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Reports every name defined twice (at the later definition), in the order
 * the later definitions were added. */
static void sym_report(builder *b, symtab *st, const char *kind)
{
    if (st->n < 2)
        return;
    qsort(st->v, (size_t)st->n, sizeof *st->v, cmp_sym);
    sym *bad = A(b, (size_t)st->n * sizeof *bad);
    const sym **first = A(b, (size_t)st->n * sizeof *first);
    if (!bad || !first)
        return;
    int nbad = 0;
    for (int i = 1; i < st->n; i++) {
        int f = i - 1;
        while (f > 0 && !strcmp(st->v[f - 1].name, st->v[i].name))
            f--;
        if (strcmp(st->v[f].name, st->v[i].name) != 0)
            continue;
        if (st->v[i].group && st->v[i].group == st->v[f].group)
            continue;
        bad[nbad] = st->v[i];
        first[nbad] = &st->v[f];
        /* stash the index of the first definition in group */
        bad[nbad].group = nbad;
        nbad++;
    }
    qsort(bad, (size_t)nbad, sizeof *bad, cmp_sym_seq);
    for (int i = 0; i < nbad; i++) {
        const sym *f = first[bad[i].group];
        bool again = false;
        for (int j = 0; j < i && !again; j++) {
            const sym *g = first[bad[j].group];
            again = (bad[j].owner == bad[i].owner && g->owner == f->owner) ||
                    (bad[j].owner == f->owner && g->owner == bad[i].owner);
        }
        if (again)
            continue;
        diag_error(b->d, bad[i].pos, "%s name '%s' of %s collides with %s (%s:%d)", kind,
                   bad[i].name, bad[i].what, f->what, f->pos.file, f->pos.line);
    }
}

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

static void check_names(builder *b)
{
    symtab sq = {0}, cs = {0};
    arena *a = b->a;
    for (int i = 0; i < b->nts; i++) {
        tsrc *ts = &b->ts[i];
        m_table *t = ts->t;
        if (!t || !ts->name_ok)
            continue;
        const char *T = t->name;
        const char *CT = is_c_reserved(T) ? arena_printf(a, "%s_", T) : T;
        if (!CT)
            return;
        sq.owner = cs.owner = (i + 1) * 1000000;
        /* SQL: relations (tables, indexes, the indexes behind unique and
         * primary-key constraints, identity sequences) share one namespace */
        sym_add(b, &sq, T, arena_printf(a, "table '%s'", T), t->pos, 0);
        if (t->npk)
            sym_add(b, &sq, sql_name(b, arena_printf(a, "%s_pkey", T)),
                    arena_printf(a, "the primary key of table '%s'", T), t->pos, 0);
        for (int j = 0; j < t->nuniques; j++)
            sym_add(b, &sq, t->uniques[j].name,
                    arena_printf(a, "a unique constraint of table '%s'", T), t->uniques[j].pos, 0);
        for (int j = 0; j < t->nindexes; j++)
            sym_add(b, &sq, t->indexes[j].name,
                    arena_printf(a, "an index of table '%s'", T), t->indexes[j].pos, 0);
        for (int j = 0; j < t->ncolumns; j++)
            if (t->columns[j].identity)
                sym_add(b, &sq, sql_name(b, arena_printf(a, "%s_%s_seq", T, t->columns[j].name)),
                        arena_printf(a, "the identity sequence of column '%s.%s'", T,
                                     t->columns[j].name),
                        t->columns[j].pos, 0);

        /* C: every generated global symbol (c-api.md) */
        static const char *const fns[] = {"_array", "_insert", "_insert_many", "_upsert", "_get",
                                          "_update", "_delete", "_count", "_list", "_iterate",
                                          "_free", "_array_free"};
        sym_add(b, &cs, CT, arena_printf(a, "the struct of table '%s'", T), t->pos, 0);
        for (size_t k = 0; k < sizeof fns / sizeof *fns; k++)
            sym_add(b, &cs, arena_printf(a, "%s%s", CT, fns[k]),
                    arena_printf(a, "%s of table '%s'",
                                 k == 0 ? "the array type" : "a function", T),
                    t->pos, 0);
        /* get_by: unique constraints and unique indexes without WHERE, one
         * per column list, not the primary key's (emit_c.c) */
        int nk = t->nuniques + t->nindexes + t->ncolumns;
        m_column ***kc = A(b, (size_t)(nk ? nk : 1) * sizeof *kc);
        int *kn = A(b, (size_t)(nk ? nk : 1) * sizeof *kn);
        if (!kc || !kn)
            return;
        int nget = 0;
        for (int j = 0; j < t->nuniques + t->nindexes; j++) {
            bool is_u = j < t->nuniques;
            const m_unique *u = is_u ? &t->uniques[j] : NULL;
            const m_index *ix = is_u ? NULL : &t->indexes[j - t->nuniques];
            if (ix && (!ix->unique || ix->where))
                continue;
            m_column **cols = is_u ? u->cols : ix->cols;
            int ncols = is_u ? u->ncols : ix->ncols;
            const char *sqlname = is_u ? u->name : ix->name;
            bool seen = model_same_cols(cols, ncols, t->pk, t->npk);
            for (int k = 0; k < nget && !seen; k++)
                seen = model_same_cols(cols, ncols, kc[k], kn[k]);
            /* the same SQL name as an earlier constraint: reported once, as SQL */
            for (int k = 0; k < j && !seen; k++) {
                const char *o = k < t->nuniques ? t->uniques[k].name
                                                : t->indexes[k - t->nuniques].name;
                seen = sqlname && o && !strcmp(sqlname, o);
            }
            if (seen)
                continue;
            kc[nget] = cols;
            kn[nget++] = ncols;
            sym_add(b, &cs, join_cols(b, arena_printf(a, "%s_get_by_", CT), cols, ncols, ""),
                    arena_printf(a, "the lookup function of a unique %s of table '%s'",
                                 is_u ? "constraint" : "index", T),
                    is_u ? u->pos : ix->pos, 0);
        }
        /* list_by: every index, then every foreign key, one per column list */
        int nlist = 0;
        for (int j = 0; j < t->nindexes + t->ncolumns; j++) {
            const m_index *ix = j < t->nindexes ? &t->indexes[j] : NULL;
            m_column **cols;
            int ncols = 1;
            if (ix) {
                cols = ix->cols;
                ncols = ix->ncols;
            } else {
                m_column *c = &t->columns[j - t->nindexes];
                if (!c->ref_table)
                    continue;
                cols = A(b, sizeof *cols);
                if (!cols)
                    return;
                cols[0] = c;
            }
            bool seen = false;
            for (int k = 0; k < nlist && !seen; k++)
                seen = model_same_cols(cols, ncols, kc[k], kn[k]);
            for (int k = 0; ix && k < j && !seen; k++)
                seen = ix->name && t->indexes[k].name && !strcmp(ix->name, t->indexes[k].name);
            if (seen)
                continue;
            kc[nlist] = cols;
            kn[nlist++] = ncols;
            sym_add(b, &cs, join_cols(b, arena_printf(a, "%s_list_by_", CT), cols, ncols, ""),
                    ix ? arena_printf(a, "the list function of an index of table '%s'", T)
                       : arena_printf(a, "the list function of foreign key '%s.%s'", T,
                                      cols[0]->name),
                    ix ? ix->pos : cols[0]->pos, 0);
        }
        for (int j = 0; j < t->ncolumns; j++) {
            const m_column *c = &t->columns[j];
            if (c->type != TY_ENUM || !ts->cs[j].type_ok || !ts->cs[j].values_ok)
                continue;
            cs.owner = (i + 1) * 1000000 + j + 1;
            sym_add(b, &cs, arena_printf(a, "%s_%s", CT, c->name),
                    arena_printf(a, "the enum type of column '%s.%s'", T, c->name), c->pos, 0);
            sym_add(b, &cs, arena_printf(a, "%s_%s_name", CT, c->name),
                    arena_printf(a, "the name function of enum column '%s.%s'", T, c->name),
                    c->pos, 0);
            sym_add(b, &cs, arena_printf(a, "%s_%s_parse", CT, c->name),
                    arena_printf(a, "the parse function of enum column '%s.%s'", T, c->name),
                    c->pos, 0);
            for (int k = 0; k < c->nvalues; k++) {
                char *e = arena_printf(a, "%s_%s_%s", CT, c->name, c->values[k]);
                if (!e)
                    continue;
                upper(e);
                sym_add(b, &cs, e,
                        arena_printf(a, "the constant for value '%s' of enum column '%s.%s'",
                                     c->values[k], T, c->name),
                        c->pos, 0);
            }
        }
    }
    cs.owner = -1;
    sym_add(b, &cs, "schema_create", "the generated schema_create function",
            (srcpos){b->m->schema_dir, 0, 0}, 0);
    sym_report(b, &sq, "SQL");
    sym_report(b, &cs, "generated C");
}

/* ---- dependency order ------------------------------------------------------------ */

/* Edges u -> v: table u has an FK to table v (u != v). */
typedef struct graph {
    int n;
    int *head, *next, *to, *col_t, *col_c; /* adjacency lists; edge e: from col (t,c) */
    int nedges;
} graph;

/* Tarjan's SCC without recursion.  comp[v] = component id; returns the
 * number of components.  Edges are filtered by keep(). */
static int scc(builder *b, const graph *g, bool (*keep)(builder *, const graph *, int), int *comp)
{
    int n = g->n;
    int *idx = A(b, (size_t)n * sizeof *idx), *low = A(b, (size_t)n * sizeof *low);
    int *stk = A(b, (size_t)n * sizeof *stk), *cs = A(b, (size_t)n * sizeof *cs);
    int *edge = A(b, (size_t)n * sizeof *edge);
    bool *on = A(b, (size_t)n * sizeof *on);
    if (!idx || !low || !stk || !cs || !edge || !on)
        return 0;
    for (int i = 0; i < n; i++)
        idx[i] = -1;
    int counter = 0, sp = 0, ncomp = 0;
    for (int r = 0; r < n; r++) {
        if (idx[r] >= 0)
            continue;
        int csp = 0;
        cs[csp++] = r;
        idx[r] = low[r] = counter++;
        stk[sp++] = r;
        on[r] = true;
        edge[r] = g->head[r];
        while (csp) {
            int v = cs[csp - 1];
            int e = edge[v];
            if (e >= 0) {
                edge[v] = g->next[e];
                if (!keep(b, g, e))
                    continue;
                int w = g->to[e];
                if (idx[w] < 0) {
                    idx[w] = low[w] = counter++;
                    stk[sp++] = w;
                    on[w] = true;
                    edge[w] = g->head[w];
                    cs[csp++] = w;
                } else if (on[w] && idx[w] < low[v]) {
                    low[v] = idx[w];
                }
                continue;
            }
            if (low[v] == idx[v]) {
                int w;
                do {
                    w = stk[--sp];
                    on[w] = false;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            csp--;
            if (csp) {
                int u = cs[csp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
    return ncomp;
}

static bool keep_notnull(builder *b, const graph *g, int e)
{
    return !b->m->tables[g->col_t[e]]->columns[g->col_c[e]].nullable;
}

/* tables (sorted by name in m->tables on entry) -> m->tables in dependency
 * order; marks cycle-breaking FKs fk_deferred. */
static void order_tables(builder *b)
{
    model *m = b->m;
    int n = m->ntables;
    graph g = {0};
    g.n = n;
    int maxe = 0;
    for (int i = 0; i < n; i++)
        maxe += m->tables[i]->ncolumns;
    g.head = A(b, (size_t)n * sizeof(int));
    g.next = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.to = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.col_t = A(b, (size_t)(maxe + 1) * sizeof(int));
    g.col_c = A(b, (size_t)(maxe + 1) * sizeof(int));
    int *comp = A(b, (size_t)n * sizeof(int));
    int *compsz = A(b, (size_t)n * sizeof(int));
    if (!g.head || !g.next || !g.to || !g.col_t || !g.col_c || !comp || !compsz)
        return;
    for (int i = 0; i < n; i++) {
        m->tables[i]->order = i; /* rank by name, for now */
        g.head[i] = -1;
    }
    /* edges added in reverse so adjacency lists come out in column order */
    for (int i = n - 1; i >= 0; i--) {
        m_table *t = m->tables[i];
        for (int j = t->ncolumns - 1; j >= 0; j--) {
            m_column *c = &t->columns[j];
            if (!c->ref_table || c->ref_table == t)
                continue;
            int e = g.nedges++;
            g.to[e] = c->ref_table->order;
            g.col_t[e] = i;
            g.col_c[e] = j;
            g.next[e] = g.head[i];
            g.head[i] = e;
        }
    }
    /* a cycle of NOT NULL foreign keys can never be satisfied */
    int nc = scc(b, &g, keep_notnull, comp);
    for (int k = 0; k < n; k++)
        compsz[k] = 0;
    for (int i = 0; i < n; i++)
        compsz[comp[i]]++;
    bool bad = false;
    for (int k = 0; k < nc; k++) {
        if (compsz[k] < 2)
            continue;
        strbuf sb;
        sb_init(&sb);
        m_table *first = NULL;
        for (int i = 0; i < n; i++) {
            if (comp[i] != k)
                continue;
            if (!first)
                first = m->tables[i];
            sb_printf(&sb, "%s'%s'", sb.len ? ", " : "", m->tables[i]->name);
        }
        diag_error(b->d, first->pos,
                   "foreign keys form a cycle of NOT NULL columns between tables %s (make one "
                   "of them nullable)",
                   sb_str(&sb));
        sb_free(&sb);
        bad = true;
    }
    if (bad)
        return;
    /* Kahn's algorithm, the smallest name first.  When every remaining
     * table waits for another (a cycle through a nullable FK), the first
     * table by name whose remaining dependencies are all nullable is placed
     * anyway and those FKs are deferred: few deferred FKs, deterministic. */
    int *cnt = A(b, (size_t)n * sizeof(int)), *nn = A(b, (size_t)n * sizeof(int));
    int *heap = A(b, (size_t)n * sizeof(int));
    bool *placed = A(b, (size_t)n * sizeof(bool));
    m_table **out = A(b, (size_t)n * sizeof *out);
    /* reverse adjacency: v <- u (u depends on v) */
    int *rhead = A(b, (size_t)n * sizeof(int)), *rnext = A(b, (size_t)(maxe + 1) * sizeof(int));
    if (!cnt || !nn || !heap || !placed || !out || !rhead || !rnext)
        return;
    for (int i = 0; i < n; i++)
        rhead[i] = -1;
    for (int e = 0; e < g.nedges; e++) {
        cnt[g.col_t[e]]++;
        if (!m->tables[g.col_t[e]]->columns[g.col_c[e]].nullable)
            nn[g.col_t[e]]++;
        rnext[e] = rhead[g.to[e]];
        rhead[g.to[e]] = e;
    }
    int hn = 0, no = 0;
#define HPUSH(x)                                                                                   \
    do {                                                                                           \
        int hi_ = hn++;                                                                            \
        heap[hi_] = (x);                                                                           \
        while (hi_ && heap[(hi_ - 1) / 2] > heap[hi_]) {                                           \
            int tmp_ = heap[hi_];                                                                  \
            heap[hi_] = heap[(hi_ - 1) / 2];                                                       \
            heap[(hi_ - 1) / 2] = tmp_;                                                            \
            hi_ = (hi_ - 1) / 2;                                                                   \
        }                                                                                          \
    } while (0)
    for (int i = 0; i < n; i++)
        if (!cnt[i])
            HPUSH(i);
    while (no < n) {
        if (!hn) {
            int u = -1;
            for (int i = 0; i < n && u < 0; i++)
                if (!placed[i] && !nn[i])
                    u = i;
            if (u < 0) { /* cannot happen: NOT NULL cycles were reported above */
                srcpos p = {m->schema_dir, 0, 0};
                diag_error(b->d, p, "internal error: foreign-key cycle left after deferring");
                return;
            }
            m_table *t = m->tables[u];
            for (int e = g.head[u]; e >= 0; e = g.next[e]) {
                if (placed[g.to[e]] || t->columns[g.col_c[e]].fk_deferred)
                    continue;
                t->columns[g.col_c[e]].fk_deferred = true;
                cnt[u]--;
            }
            HPUSH(u);
        }
        int v = heap[0];
        heap[0] = heap[--hn];
        for (int i = 0;;) {
            int l = 2 * i + 1, r = l + 1, s = i;
            if (l < hn && heap[l] < heap[s])
                s = l;
            if (r < hn && heap[r] < heap[s])
                s = r;
            if (s == i)
                break;
            int tmp = heap[i];
            heap[i] = heap[s];
            heap[s] = tmp;
            i = s;
        }
        placed[v] = true;
        out[no++] = m->tables[v];
        for (int e = rhead[v]; e >= 0; e = rnext[e]) {
            int u = g.col_t[e];
            m_column *c = &m->tables[u]->columns[g.col_c[e]];
            if (placed[u])
                continue;
            if (!c->nullable)
                nn[u]--;
            if (c->fk_deferred)
                continue;
            if (--cnt[u] == 0)
                HPUSH(u);
        }
    }
#undef HPUSH
    for (int i = 0; i < n; i++) {
        m->tables[i] = out[i];
        out[i]->order = i;
    }
}

/* ---- entry points ---------------------------------------------------------------- */

static const char *path_stem(builder *b, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *s = arena_strndup(b->a, base, n);
    if (!s)
        b->oom = true;
    return s ? s : "";
}

static model *build(yaml_doc *const *docs, int ndocs, const char *schema_dir, diag_list *d,
                    arena *a, const char *const *failed, int nfailed)
{
    int errors0 = d->errors;
    model *m = arena_alloc(a, sizeof *m);
    if (!m) {
        arena_free(a);
        return NULL;
    }
    m->arena = a;
    builder bb = {0}, *b = &bb;
    b->m = m;
    b->a = a;
    b->d = d;
    b->failed = failed;
    b->nfailed = nfailed;
    m->schema_dir = S(b, schema_dir ? schema_dir : "schema");
    b->ts = A(b, (size_t)(ndocs ? ndocs : 1) * sizeof *b->ts);
    if (!b->ts || !m->schema_dir)
        goto fail;
    b->nts = ndocs;
    for (int i = 0; i < ndocs; i++) {
        tsrc *ts = &b->ts[i];
        ts->file = S(b, docs[i]->path ? docs[i]->path : "?");
        if (!ts->file)
            goto fail;
        ts->root = docs[i]->root;
        build_table(b, ts, path_stem(b, ts->file));
        if (b->oom)
            goto fail;
    }
    sort_tables(b);
    resolve_refs(b);
    auto_indexes(b);
    check_names(b);
    if (b->oom)
        goto fail;
    if (d->errors == errors0 && ndocs == 0 && nfailed == 0) {
        srcpos p = {m->schema_dir, 0, 0};
        diag_error(d, p, "no schema files (*.yaml, *.yml) in this folder");
    }
    if (d->errors != errors0 || nfailed > 0)
        goto out;
    m->ntables = ndocs;
    m->tables = A(b, (size_t)ndocs * sizeof *m->tables);
    m->by_name = A(b, (size_t)ndocs * sizeof *m->by_name);
    if (!m->tables || !m->by_name)
        goto fail;
    for (int i = 0; i < ndocs; i++)
        m->by_name[i] = b->ts[i].t;
    qsort(m->by_name, (size_t)ndocs, sizeof *m->by_name, cmp_table_name);
    memcpy(m->tables, m->by_name, (size_t)ndocs * sizeof *m->tables);
    order_tables(b);
    if (b->oom)
        goto fail;
    if (d->errors == errors0)
        return m;
    goto out;
fail : {
    srcpos p = {schema_dir ? schema_dir : "schema", 0, 0};
    diag_error(d, p, "out of memory");
}
out:
    arena_free(a);
    return NULL;
}

model *model_build(struct yaml_doc *const *docs, int ndocs, const char *schema_dir, diag_list *d)
{
    arena *a = arena_new();
    if (!a) {
        srcpos p = {schema_dir ? schema_dir : "schema", 0, 0};
        diag_error(d, p, "out of memory");
        return NULL;
    }
    return build(docs, ndocs, schema_dir, d, a, NULL, 0);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool schema_file_name(const char *s)
{
    size_t n = strlen(s);
    if (s[0] == '.')
        return false;
    return (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml"));
}

model *model_load_dir(const char *dir, diag_list *d)
{
    srcpos dp = {dir, 0, 0};
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_error(d, dp, "cannot open schema folder: %s", strerror(errno));
        return NULL;
    }
    arena *a = arena_new();
    if (!a) {
        closedir(dh);
        diag_error(d, dp, "out of memory");
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!schema_file_name(de->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **p = arena_alloc(a, nc * sizeof *p);
            if (!p) {
                oom = true;
                break;
            }
            if (n)
                memcpy(p, names, n * sizeof *p);
            names = p;
            cap = nc;
        }
        names[n] = arena_strdup(a, de->d_name);
        if (!names[n]) {
            oom = true;
            break;
        }
        n++;
    }
    closedir(dh);
    if (oom || n > INT_MAX / 2) {
        diag_error(d, dp, "out of memory");
        arena_free(a);
        return NULL;
    }
    if (n == 0) {
        diag_error(d, dp, "no schema files (*.yaml, *.yml) in this folder");
        arena_free(a);
        return NULL;
    }
    qsort(names, n, sizeof *names, cmp_str);
    size_t dl = strlen(dir);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    yaml_doc **docs = arena_alloc(a, n * sizeof *docs);
    const char **failed = arena_alloc(a, n * sizeof *failed);
    if (!docs || !failed) {
        diag_error(d, dp, "out of memory");
        arena_free(a);
        return NULL;
    }
    int nd = 0, nf = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = arena_printf(a, "%s%s%s", dir, slash ? "" : "/", names[i]);
        if (!path) {
            diag_error(d, dp, "out of memory");
            arena_free(a);
            return NULL;
        }
        yaml_doc *doc = yt_parse_file(a, path, d);
        if (doc) {
            docs[nd++] = doc;
        } else {
            const char *dot = strrchr(names[i], '.');
            failed[nf++] = arena_strndup(a, names[i], (size_t)(dot - names[i]));
        }
    }
    return build(docs, nd, dir, d, a, failed, nf);
}

void model_free(model *m)
{
    if (m)
        arena_free(m->arena);
}

m_table *model_find_table(const model *m, const char *name)
{
    int lo = 0, hi = m->ntables - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(m->by_name[mid]->name, name);
        if (!c)
            return m->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

m_column *table_find_column(const m_table *t, const char *name)
{
    for (int i = 0; i < t->ncolumns; i++)
        if (t->columns[i].name && !strcmp(t->columns[i].name, name))
            return &t->columns[i];
    return NULL;
}
