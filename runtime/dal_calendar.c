/*
 * dal_calendar.c - the proleptic Gregorian calendar of the runtime: days
 * <-> civil dates, and the text forms of dates and timestamps.  A leaf: it
 * includes only standard headers and knows no dal type, so the generator
 * can link the same code for `default:` values and literals.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "dal_calendar.h"

/* Howard Hinnant's algorithms, proleptic Gregorian. */
int64_t dal__days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int dal__civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
    return 0;
}

static int days_in_month(int y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool dal__parse_date(const char *s, size_t len, int32_t *out)
{
    int y, m, d;
    if (len < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
        return false;
    *out = (int32_t)dal__days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

void dal__format_date(int32_t dd, char out[16])
{
    int y;
    unsigned m, d;
    dal__civil_from_days(dd, &y, &m, &d);
    /* by hand: fast, and no truncation warnings (|y| < 6e6 fits in 16) */
    char *o = out;
    long yy = y;
    if (yy < 0) {
        *o++ = '-';
        yy = -yy;
    }
    char dig[12];
    int nd = 0;
    do {
        dig[nd++] = (char)('0' + yy % 10);
        yy /= 10;
    } while (yy > 0);
    while (nd < 4)
        dig[nd++] = '0';
    while (nd > 0)
        *o++ = dig[--nd];
    *o++ = '-';
    *o++ = (char)('0' + m / 10);
    *o++ = (char)('0' + m % 10);
    *o++ = '-';
    *o++ = (char)('0' + d / 10);
    *o++ = (char)('0' + d % 10);
    *o = '\0';
}

/* The one timestamp reader.  Lenient (engine text): "YYYY-MM-DD" alone, or
 * "YYYY-MM-DD[ Tt]HH:MM:SS[.f...][Z|+HH[[:]MM]|-HH[[:]MM]]" with any number
 * of fraction digits (the first six count) and an optional offset.  Strict
 * (RFC 3339, dal_time_parse): a time of day is required, in range (no leap
 * second), 'T', 't' or ' ' between, one to six fraction digits, and an
 * offset that is 'Z', 'z' or +HH:MM / -HH:MM (hours 0..23, minutes 0..59). */
static bool parse_ts(const char *s, size_t len, bool strict, int64_t *out)
{
    int32_t d;
    if (!dal__parse_date(s, len, &d))
        return false;
    int64_t us = (int64_t)d * 86400 * 1000000;
    if (len == 10 && !strict) {
        *out = us;
        return true;
    }
    int hh, mi, ss;
    if (len < 19 || (s[10] != ' ' && s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' || !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &ss))
        return false;
    if (strict && (hh > 23 || mi > 59 || ss > 59))
        return false;
    us += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        int64_t frac = 0, scale = 100000;
        while (i < len && isdigit((unsigned char)s[i])) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (strict && (i == start || i - start > 6))
            return false;
        us += frac;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z'))
        i++;
    else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh = 0, om = 0;
        i++;
        if (i + 2 > len || !digits(s + i, 2, &oh))
            return false;
        i += 2;
        if (strict) {
            if (i + 3 != len || s[i] != ':' || !digits(s + i + 1, 2, &om) || oh > 23 || om > 59)
                return false;
            i += 3;
        } else {
            if (i < len && s[i] == ':')
                i++;
            if (i + 2 <= len && digits(s + i, 2, &om))
                i += 2;
        }
        us -= sign * ((int64_t)oh * 3600 + om * 60) * 1000000;
    } else if (strict)
        return false;
    if (i != len)
        return false;
    *out = us;
    return true;
}

bool dal__parse_time(const char *s, size_t len, int64_t *out)
{
    return parse_ts(s, len, false, out);
}

bool dal__parse_rfc3339(const char *s, size_t len, int64_t *out)
{
    return parse_ts(s, len, true, out);
}

bool dal__parse_date_exact(const char *s, size_t len, int32_t *out)
{
    return len == 10 && dal__parse_date(s, len, out);
}

/* t as its UTC day and the microseconds into that day (floor division, so
 * that a time before 1970 falls into the day it belongs to). */
static void split_time(int64_t t, int64_t *day, int64_t *rem)
{
    *day = t / 86400000000LL;
    *rem = t % 86400000000LL;
    if (*rem < 0) {
        *rem += 86400000000LL;
        (*day)--;
    }
}

static char *two(char *o, unsigned v)
{
    *o++ = (char)('0' + v / 10 % 10);
    *o++ = (char)('0' + v % 10);
    return o;
}

/* "HH:MM:SS.ffffff" of the microseconds rem into a day; returns the end. */
static char *clock_text(char *o, int64_t rem)
{
    unsigned secs = (unsigned)(rem / 1000000), us = (unsigned)(rem % 1000000);
    o = two(o, secs / 3600);
    *o++ = ':';
    o = two(o, secs / 60 % 60);
    *o++ = ':';
    o = two(o, secs % 60);
    *o++ = '.';
    for (unsigned div = 100000; div > 0; div /= 10)
        *o++ = (char)('0' + us / div % 10);
    return o;
}

/* The date of t, sep, its time of day and zone (the one writer of both
 * timestamp forms). */
static void format_ts(int64_t t, char *out, char sep, const char *zone)
{
    int64_t day, rem;
    split_time(t, &day, &rem);
    dal__format_date((int32_t)day, out);
    size_t n = strlen(out);
    out[n] = sep;
    char *o = clock_text(out + n + 1, rem);
    memcpy(o, zone, strlen(zone) + 1);
}

void dal__format_rfc3339(int64_t t, char out[28]) { format_ts(t, out, 'T', "Z"); }

bool dal__civil_ok(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, (unsigned)m);
}

int64_t dal__realtime_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void dal__format_time(int64_t t, char out[40]) { format_ts(t, out, ' ', "+00"); }
