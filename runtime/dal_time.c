/*
 * dal_time.c - the public time helpers of dal.h (now, civil parts, RFC 3339
 * text, dates <-> timestamps): range checks and statuses over the
 * calendar of the leaf dal_calendar.c, which does the arithmetic and the
 * text.  No connection, no engine: the same result everywhere.
 */
#include "dal_internal.h"

#define US_PER_DAY 86400000000LL

dal_time dal_time_now(void) { return (dal_time)dal__realtime_us(); }

dal_status dal_date_from_civil(int year, int month, int day, dal_date *out)
{
    if (!out)
        return DAL_MISUSE;
    if (year < 1 || year > 9999 || !dal__civil_ok(year, month, day))
        return DAL_CHECK;
    *out = (dal_date)dal__days_from_civil(year, (unsigned)month, (unsigned)day);
    return DAL_OK;
}

dal_status dal_date_to_civil(dal_date d, int *year, int *month, int *day)
{
    if (!year || !month || !day)
        return DAL_MISUSE;
    if (!DAL__DATE_OK(d))
        return DAL_CHECK;
    unsigned m, dd;
    dal__civil_from_days(d, year, &m, &dd);
    *month = (int)m;
    *day = (int)dd;
    return DAL_OK;
}

dal_status dal_time_from_civil(const dal_civil *c, dal_time *out)
{
    if (!c || !out)
        return DAL_MISUSE;
    dal_date d;
    dal_status s = dal_date_from_civil(c->year, c->month, c->day, &d);
    if (s != DAL_OK)
        return s;
    if (c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 ||
        c->second > 59 || c->microsecond < 0 || c->microsecond > 999999)
        return DAL_CHECK;
    *out = (dal_time)d * US_PER_DAY +
           ((int64_t)c->hour * 3600 + c->minute * 60 + c->second) * 1000000 + c->microsecond;
    return DAL_OK;
}

dal_status dal_time_to_civil(dal_time t, dal_civil *out)
{
    if (!out)
        return DAL_MISUSE;
    if (!DAL__TIME_OK(t))
        return DAL_CHECK;
    dal_date d;
    dal_time_to_date(t, &d);
    int64_t rem = t - (int64_t)d * US_PER_DAY, secs = rem / 1000000;
    dal_date_to_civil(d, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->microsecond = (int)(rem % 1000000);
    return DAL_OK;
}

dal_status dal_time_to_date(dal_time t, dal_date *out)
{
    if (!out)
        return DAL_MISUSE;
    if (!DAL__TIME_OK(t))
        return DAL_CHECK;
    int64_t day = t / US_PER_DAY;
    if (t % US_PER_DAY < 0)
        day--;
    *out = (dal_date)day;
    return DAL_OK;
}

dal_status dal_date_to_time(dal_date d, dal_time *out)
{
    if (!out)
        return DAL_MISUSE;
    if (!DAL__DATE_OK(d))
        return DAL_CHECK;
    *out = (dal_time)d * US_PER_DAY;
    return DAL_OK;
}

/* The checks both formatters share: buf of at least need bytes ("" on any
 * error when there is room), the value inside the range. */
static dal_status format_check(char *buf, size_t size, size_t need, bool in_range)
{
    dal_status s = !buf || size < need ? DAL_MISUSE : in_range ? DAL_OK : DAL_CHECK;
    if (s != DAL_OK && buf && size > 0)
        buf[0] = '\0';
    return s;
}

dal_status dal_time_format(dal_time t, char *buf, size_t size)
{
    dal_status s = format_check(buf, size, DAL_TIME_TEXT_SIZE, DAL__TIME_OK(t));
    if (s == DAL_OK)
        dal__format_rfc3339(t, buf);
    return s;
}

dal_status dal_date_format(dal_date d, char *buf, size_t size)
{
    dal_status s = format_check(buf, size, DAL_DATE_TEXT_SIZE, DAL__DATE_OK(d));
    if (s == DAL_OK) {
        char tmp[16];
        dal__format_date(d, tmp);
        memcpy(buf, tmp, DAL_DATE_TEXT_SIZE);
    }
    return s;
}

dal_status dal_time_parse(const char *s, dal_time *out)
{
    if (!s || !out)
        return DAL_MISUSE;
    int64_t t;
    if (!dal__parse_rfc3339(s, strlen(s), &t) || !DAL__TIME_OK(t))
        return DAL_CHECK;
    *out = t;
    return DAL_OK;
}

dal_status dal_date_parse(const char *s, dal_date *out)
{
    if (!s || !out)
        return DAL_MISUSE;
    int32_t d;
    if (!dal__parse_date_exact(s, strlen(s), &d) || !DAL__DATE_OK(d))
        return DAL_CHECK;
    *out = d;
    return DAL_OK;
}
