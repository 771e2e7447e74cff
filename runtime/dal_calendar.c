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
#include <stdio.h>

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

/* "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|+HH[:MM]|-HH[:MM]]" */
bool dal__parse_time(const char *s, size_t len, int64_t *out)
{
    int32_t d;
    if (!dal__parse_date(s, len, &d))
        return false;
    int64_t us = (int64_t)d * 86400 * 1000000;
    if (len == 10) {
        *out = us;
        return true;
    }
    int hh, mi, ss;
    if (len < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
        !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &ss))
        return false;
    us += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        i++;
        int64_t frac = 0, scale = 100000;
        while (i < len && isdigit((unsigned char)s[i])) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
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
        if (i < len && s[i] == ':')
            i++;
        if (i + 2 <= len && digits(s + i, 2, &om))
            i += 2;
        us -= sign * ((int64_t)oh * 3600 + om * 60) * 1000000;
    }
    if (i != len)
        return false;
    *out = us;
    return true;
}

void dal__format_time(int64_t t, char out[40])
{
    int64_t day = t / 86400000000LL, rem = t % 86400000000LL;
    if (rem < 0) {
        rem += 86400000000LL;
        day--;
    }
    char ds[16];
    dal__format_date((int32_t)day, ds);
    int64_t secs = rem / 1000000;
    snprintf(out, 40, "%s %02d:%02d:%02d.%06d+00", ds, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), (int)(rem % 1000000));
}
