/*
 * dal_calendar.h - days <-> civil dates (proleptic Gregorian) and the text
 * forms of dates and timestamps.  A leaf: standard headers only, no dal
 * types (a date is int32_t days since 1970-01-01, a timestamp int64_t
 * microseconds since 1970-01-01T00:00:00Z), so that code outside the
 * runtime (the generator) can link it too.
 */
#ifndef DAL_CALENDAR_H
#define DAL_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of y-m-d, and back (Howard Hinnant's algorithms). */
int64_t dal__days_from_civil(int y, unsigned m, unsigned d);
int dal__civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* "YYYY-MM-DD" (the first 10 bytes of s; a valid calendar day). */
bool dal__parse_date(const char *s, size_t len, int32_t *out);
/* "YYYY-MM-DD" (a sign and more digits outside years 0..9999). */
void dal__format_date(int32_t d, char out[16]);
/* "YYYY-MM-DD[ Tt]HH:MM:SS[.ffffff][Z|+HH[:MM]|-HH[:MM]]", or a bare date. */
bool dal__parse_time(const char *s, size_t len, int64_t *out);
/* "YYYY-MM-DD HH:MM:SS.ffffff+00" (UTC). */
void dal__format_time(int64_t t, char out[40]);

/* The strict forms of the public time helpers (dal_time_parse and friends
 * in dal.h check the range on top):
 *   dal__parse_rfc3339: "YYYY-MM-DD(T|t| )HH:MM:SS[.f{1,6}](Z|z|+HH:MM|-HH:MM)",
 *     every field in range (no hour 24, no leap second);
 *   dal__parse_date_exact: exactly "YYYY-MM-DD", a valid calendar day;
 *   dal__format_rfc3339: "YYYY-MM-DDTHH:MM:SS.ffffffZ" (27 bytes + NUL for
 *     years 0..9999);
 *   dal__civil_ok: m is 1..12 and d a day of that month of year y;
 *   dal__realtime_us: the wall clock, microseconds since 1970 (0 if unreadable). */
bool dal__parse_rfc3339(const char *s, size_t len, int64_t *out);
bool dal__parse_date_exact(const char *s, size_t len, int32_t *out);
void dal__format_rfc3339(int64_t t, char out[28]);
bool dal__civil_ok(int y, int m, int d);
int64_t dal__realtime_us(void);

#endif
