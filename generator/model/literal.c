/*
 * literal.c - validation of literal text: JSON (RFC 8259), dates,
 * timestamps, floats, hex digits.
 */
#include "model/build.h"

#include <string.h>

#include "dal_calendar.h"

/* ---- literal validation --------------------------------------------------- */

/* UTF-8 code points (the text was validated by libyaml). */
size_t utf8_len(const char *s)
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

/* After a number's digits: past an optional exponent (e[-+]digits), NULL
 * when it has no digits. */
static const char *exponent(const char *p)
{
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
    return exponent(p);
}

/* Returns NULL when valid, else a short reason. */
/* An object member's start: past `"key" :` and the spaces after it, or NULL
 * with *err saying what is missing. */
static const char *json_key(const char *p, const char **err)
{
    p = json_string(p);
    if (!p) {
        *err = "expected a string key";
        return NULL;
    }
    p = json_ws(p);
    if (*p != ':') {
        *err = "expected ':'";
        return NULL;
    }
    return json_ws(p + 1);
}

const char *json_check(const char *s)
{
    const char *err = NULL;
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
            if (stack[depth - 1] == '{' && !(p = json_key(p, &err)))
                return err;
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
                if (open == '{' && !(p = json_key(p, &err)))
                    return err;
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

/* The calendar is the runtime's (runtime/dal_calendar.c, a leaf with no dal
 * types), so schema defaults and stored values agree to the day. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    return (long long)dal__days_from_civil((int)y, m, d);
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    unsigned mm, dd;
    dal__civil_from_days((int64_t)z, y, &mm, &dd);
    *m = (int)mm;
    *d = (int)dd;
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
const char *parse_date(const char *s, long long *days)
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
const char *parse_timestamp(const char *s, long long *us)
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

char *format_timestamp(builder *b, long long us)
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

bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Plain decimal number text: [-+]digits[.digits][e[-+]digits] or .digits */
bool float_syntax(const char *s)
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
    p = exponent(p);
    return p && *p == '\0';
}

/* The `default:` of a column whose type (and type parameters) are known. */
