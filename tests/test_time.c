/*
 * test_time.c - the time helpers of dal.h (dal_time_now, civil parts,
 * RFC 3339 text, dates <-> timestamps): every day of years 1..9999 against
 * a naive calendar, every boundary (year 1 and 9999, leap days of 1900,
 * 2000, 2100 and 2400, times before 1970, the last microsecond of a day),
 * offsets, fractions and a table of bad inputs with their status, round
 * trips both ways, and the boundary values stored and read back on both
 * engines.
 */
#include <stdbool.h>

#include "testutil.h"

#include "dal.h"

#define US_DAY 86400000000LL

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int mdays(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Every day from 0001-01-01 to 9999-12-31, counted one by one: the civil
 * parts, the text and back agree with the day number. */
static void test_every_day(void **state)
{
    (void)state;
    int32_t n = DAL_DATE_MIN;
    for (int y = 1; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= mdays(y, m); d++, n++) {
                dal_date got;
                if (dal_date_from_civil(y, m, d, &got) != DAL_OK || got != n)
                    fail_msg("%04d-%02d-%02d: got %d, want %d", y, m, d, (int)got, (int)n);
                int yy, mm, dd;
                if (dal_date_to_civil(n, &yy, &mm, &dd) != DAL_OK || yy != y || mm != m || dd != d)
                    fail_msg("day %d: %d-%d-%d", (int)n, yy, mm, dd);
                char want[48], buf[DAL_DATE_TEXT_SIZE];
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                assert_int_equal(dal_date_format(n, buf, sizeof buf), DAL_OK);
                assert_string_equal(buf, want);
                assert_int_equal(dal_date_parse(want, &got), DAL_OK);
                assert_int_equal(got, n);
                dal_time t;
                assert_int_equal(dal_date_to_time(n, &t), DAL_OK);
                assert_true(t == (int64_t)n * US_DAY);
                dal_date back;
                assert_int_equal(dal_time_to_date(t + US_DAY - 1, &back), DAL_OK);
                assert_int_equal(back, n);
            }
            /* the day after the month's last is refused */
            dal_date got = 12345;
            assert_int_equal(dal_date_from_civil(y, m, mdays(y, m) + 1, &got), DAL_CHECK);
            assert_int_equal(got, 12345);
        }
    }
    assert_int_equal(n - 1, DAL_DATE_MAX);
}

typedef struct known {
    const char *text; /* as dal_time_format writes it */
    int64_t t;
} known;

static const known KNOWN[] = {
    {"1970-01-01T00:00:00.000000Z", 0},
    {"1970-01-01T00:00:00.000001Z", 1},
    {"1969-12-31T23:59:59.999999Z", -1},
    {"1969-12-31T00:00:00.000000Z", -US_DAY},
    {"1969-12-30T23:59:59.999999Z", -US_DAY - 1},
    {"0001-01-01T00:00:00.000000Z", DAL_TIME_MIN},
    {"0001-01-01T00:00:00.000001Z", DAL_TIME_MIN + 1},
    {"9999-12-31T23:59:59.999999Z", DAL_TIME_MAX},
    {"9999-12-31T00:00:00.000000Z", DAL_TIME_MAX + 1 - US_DAY},
    {"2000-01-01T00:00:00.000000Z", 946684800000000LL},
    {"2000-02-29T12:00:00.000000Z", 951825600000000LL},
    {"1900-03-01T00:00:00.000000Z", -2203891200000000LL},
    {"1900-02-28T23:59:59.999999Z", -2203891200000001LL},
    {"2100-03-01T00:00:00.000000Z", 4107542400000000LL},
    {"2038-01-19T03:14:08.000000Z", 2147483648000000LL},
    {"2026-12-01T19:42:32.242000Z", 1796154152242000LL},
};

static void test_known_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++) {
        char buf[DAL_TIME_TEXT_SIZE];
        assert_int_equal(dal_time_format(KNOWN[i].t, buf, sizeof buf), DAL_OK);
        assert_string_equal(buf, KNOWN[i].text);
        dal_time t;
        assert_int_equal(dal_time_parse(KNOWN[i].text, &t), DAL_OK);
        assert_true(t == KNOWN[i].t);
    }
}

/* Leap days: 1900 and 2100 have none, 2000 and 2400 have one, year 4 is the
 * first leap year and year 1 none. */
static void test_leap_days(void **state)
{
    (void)state;
    static const struct { int y; bool leap; } L[] = {
        {1, false}, {4, true}, {100, false}, {400, true}, {1900, false}, {2000, true},
        {2024, true}, {2026, false}, {2100, false}, {2400, true}, {9996, true}, {9999, false},
    };
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        dal_date d;
        assert_int_equal(dal_date_from_civil(L[i].y, 2, 29, &d), L[i].leap ? DAL_OK : DAL_CHECK);
        char s[40];
        snprintf(s, sizeof s, "%04d-02-29", L[i].y);
        assert_int_equal(dal_date_parse(s, &d), L[i].leap ? DAL_OK : DAL_CHECK);
        snprintf(s, sizeof s, "%04d-02-29T00:00:00Z", L[i].y);
        dal_time t;
        assert_int_equal(dal_time_parse(s, &t), L[i].leap ? DAL_OK : DAL_CHECK);
        dal_civil c = {L[i].y, 2, 29, 23, 59, 59, 999999};
        assert_int_equal(dal_time_from_civil(&c, &t), L[i].leap ? DAL_OK : DAL_CHECK);
        if (L[i].leap) {
            dal_civil back;
            assert_int_equal(dal_time_to_civil(t, &back), DAL_OK);
            assert_memory_equal(&back, &c, sizeof c);
        }
    }
}

/* Accepted spellings, with the instant each one is. */
static void test_parse_forms(void **state)
{
    (void)state;
    static const known OK[] = {
        {"2026-12-01T19:42:32Z", 1796154152000000LL},
        {"2026-12-01t19:42:32z", 1796154152000000LL},
        {"2026-12-01 19:42:32Z", 1796154152000000LL},
        {"2026-12-01T19:42:32.2Z", 1796154152200000LL},
        {"2026-12-01T19:42:32.24Z", 1796154152240000LL},
        {"2026-12-01T19:42:32.242Z", 1796154152242000LL},
        {"2026-12-01T19:42:32.000001Z", 1796154152000001LL},
        {"2026-12-01T19:42:32.999999Z", 1796154152999999LL},
        {"2026-12-01T19:42:32+00:00", 1796154152000000LL},
        {"2026-12-01T19:42:32-00:00", 1796154152000000LL},
        {"2026-12-02T01:12:32+05:30", 1796154152000000LL},
        {"2026-12-01T09:42:32.242-10:00", 1796154152242000LL},
        {"2026-12-02T19:41:32+23:59", 1796154152000000LL},
        {"0001-01-01T00:59:59.999999+00:59", DAL_TIME_MIN + 59999999},
        {"0000-12-31T23:00:00-01:00", DAL_TIME_MIN},         /* year 0 text, year 1 instant */
        {"9999-12-31T23:59:59.999999+00:00", DAL_TIME_MAX},
        {"9999-12-31T22:59:59.999999-01:00", DAL_TIME_MAX},
        {"1969-12-31T23:59:59.999999Z", -1},
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
        dal_time t = 0;
        if (dal_time_parse(OK[i].text, &t) != DAL_OK || t != OK[i].t)
            fail_msg("%s: got %lld, want %lld", OK[i].text, (long long)t, (long long)OK[i].t);
    }
}

/* Refused text: every one DAL_CHECK, *out untouched. */
static void test_parse_bad(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "",
        "2026",
        "2026-12-01",                       /* a date is not an instant */
        "2026-12-01T19:42Z",                /* seconds are required */
        "2026-12-01T19:42:32",              /* no offset */
        "2026-12-01T19:42:32.242",          /* no offset */
        " 2026-12-01T19:42:32Z",
        "2026-12-01T19:42:32Z ",
        "2026-12-01T19:42:32Z\n",
        "2026-12-01X19:42:32Z",
        "2026-12-01T19:42:32.Z",            /* a point needs digits */
        "2026-12-01T19:42:32.1234567Z",     /* more than microseconds */
        "2026-12-01T19:42:32,5Z",
        "2026-12-01T24:00:00Z",
        "2026-12-01T23:60:00Z",
        "2026-12-01T23:59:60Z",             /* no leap seconds */
        "2026-12-01T19:42:32+05",
        "2026-12-01T19:42:32+0530",
        "2026-12-01T19:42:32+5:30",
        "2026-12-01T19:42:32+24:00",
        "2026-12-01T19:42:32+05:60",
        "2026-12-01T19:42:32+05:30:00",
        "2026-12-01T19:42:32ZZ",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-12-00T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "26-12-01T19:42:32Z",
        "+2026-12-01T19:42:32Z",
        "-0001-12-01T19:42:32Z",
        "10000-01-01T00:00:00Z",
        "2026-1-01T00:00:00Z",
        "2026-12-1T00:00:00Z",
        "2026-12-01T1:42:32Z",
        "0000-01-01T00:00:00Z",             /* before year 1 */
        "0000-12-31T23:59:59.999999Z",
        "0001-01-01T00:00:00+00:01",        /* 0000-12-31T23:59Z */
        "9999-12-31T23:59:59.999999-00:01", /* past 9999 */
        "2026-12-01T19:42:32\xc2\xa0Z",
        "２０２６-12-01T19:42:32Z",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        dal_time t = 42;
        dal_status s = dal_time_parse(BAD[i], &t);
        if (s != DAL_CHECK || t != 42)
            fail_msg("'%s': %s, out %lld", BAD[i], dal_status_name(s), (long long)t);
    }
    /* an embedded NUL ends the string: what follows is not read */
    dal_time t;
    assert_int_equal(dal_time_parse("2026-12-01T19:42:32Z\0garbage", &t), DAL_OK);

    static const char *const BAD_DATES[] = {
        "", "2026-12", "2026-12-01T00:00:00Z", "2026-12-01 ", " 2026-12-01", "2026-12-1",
        "2026/12/01", "2026-13-01", "2026-02-29", "0000-01-01", "10000-01-01", "-001-01-01",
        "2026-12-32", "2026-04-31", "abcd-ef-gh",
    };
    for (size_t i = 0; i < sizeof BAD_DATES / sizeof BAD_DATES[0]; i++) {
        dal_date d = 42;
        dal_status s = dal_date_parse(BAD_DATES[i], &d);
        if (s != DAL_CHECK || d != 42)
            fail_msg("date '%s': %s", BAD_DATES[i], dal_status_name(s));
    }
    assert_int_equal(dal_date_parse("0001-01-01", &(dal_date){0}), DAL_OK);
    assert_int_equal(dal_date_parse("9999-12-31", &(dal_date){0}), DAL_OK);
}

/* Out of range values and misuse, for every helper. */
static void test_ranges_and_misuse(void **state)
{
    (void)state;
    char buf[DAL_TIME_TEXT_SIZE] = "x";
    static const int64_t OUT_T[] = {DAL_TIME_MIN - 1, DAL_TIME_MAX + 1, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof OUT_T / sizeof OUT_T[0]; i++) {
        strcpy(buf, "x");
        assert_int_equal(dal_time_format(OUT_T[i], buf, sizeof buf), DAL_CHECK);
        assert_string_equal(buf, "");
        dal_civil c;
        assert_int_equal(dal_time_to_civil(OUT_T[i], &c), DAL_CHECK);
        dal_date d = 7;
        assert_int_equal(dal_time_to_date(OUT_T[i], &d), DAL_CHECK);
        assert_int_equal(d, 7);
    }
    static const int32_t OUT_D[] = {DAL_DATE_MIN - 1, DAL_DATE_MAX + 1, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof OUT_D / sizeof OUT_D[0]; i++) {
        char db[DAL_DATE_TEXT_SIZE];
        assert_int_equal(dal_date_format(OUT_D[i], db, sizeof db), DAL_CHECK);
        assert_string_equal(db, "");
        int y, m, d;
        assert_int_equal(dal_date_to_civil(OUT_D[i], &y, &m, &d), DAL_CHECK);
        dal_time t = 7;
        assert_int_equal(dal_date_to_time(OUT_D[i], &t), DAL_CHECK);
        assert_true(t == 7);
    }
    /* buffers: exactly big enough works, one byte less is misuse */
    strcpy(buf, "x");
    assert_int_equal(dal_time_format(0, buf, DAL_TIME_TEXT_SIZE - 1), DAL_MISUSE);
    assert_string_equal(buf, "");
    assert_int_equal(dal_time_format(DAL_TIME_MAX, buf, DAL_TIME_TEXT_SIZE), DAL_OK);
    assert_int_equal(strlen(buf), DAL_TIME_TEXT_SIZE - 1);
    char db[DAL_DATE_TEXT_SIZE];
    assert_int_equal(dal_date_format(0, db, DAL_DATE_TEXT_SIZE - 1), DAL_MISUSE);
    assert_int_equal(dal_date_format(0, db, DAL_DATE_TEXT_SIZE), DAL_OK);
    assert_string_equal(db, "1970-01-01");
    assert_int_equal(dal_time_format(0, NULL, 100), DAL_MISUSE);
    assert_int_equal(dal_time_format(0, buf, 0), DAL_MISUSE);
    assert_int_equal(dal_date_format(0, NULL, 100), DAL_MISUSE);
    /* NULL pointers */
    dal_time t;
    dal_date d;
    dal_civil c = {2026, 1, 1, 0, 0, 0, 0};
    int y, m, dd;
    assert_int_equal(dal_time_parse(NULL, &t), DAL_MISUSE);
    assert_int_equal(dal_time_parse("2026-12-01T19:42:32Z", NULL), DAL_MISUSE);
    assert_int_equal(dal_date_parse(NULL, &d), DAL_MISUSE);
    assert_int_equal(dal_date_parse("2026-12-01", NULL), DAL_MISUSE);
    assert_int_equal(dal_time_from_civil(NULL, &t), DAL_MISUSE);
    assert_int_equal(dal_time_from_civil(&c, NULL), DAL_MISUSE);
    assert_int_equal(dal_time_to_civil(0, NULL), DAL_MISUSE);
    assert_int_equal(dal_date_from_civil(2026, 1, 1, NULL), DAL_MISUSE);
    assert_int_equal(dal_date_to_civil(0, NULL, &m, &dd), DAL_MISUSE);
    assert_int_equal(dal_date_to_civil(0, &y, NULL, &dd), DAL_MISUSE);
    assert_int_equal(dal_date_to_civil(0, &y, &m, NULL), DAL_MISUSE);
    assert_int_equal(dal_time_to_date(0, NULL), DAL_MISUSE);
    assert_int_equal(dal_date_to_time(0, NULL), DAL_MISUSE);
    /* civil fields out of range */
    static const dal_civil BADC[] = {
        {0, 1, 1, 0, 0, 0, 0},        {10000, 1, 1, 0, 0, 0, 0},     {-1, 1, 1, 0, 0, 0, 0},
        {2026, 0, 1, 0, 0, 0, 0},     {2026, 13, 1, 0, 0, 0, 0},     {2026, 1, 0, 0, 0, 0, 0},
        {2026, 1, 32, 0, 0, 0, 0},    {2026, 4, 31, 0, 0, 0, 0},     {2026, 1, 1, -1, 0, 0, 0},
        {2026, 1, 1, 24, 0, 0, 0},    {2026, 1, 1, 0, -1, 0, 0},     {2026, 1, 1, 0, 60, 0, 0},
        {2026, 1, 1, 0, 0, -1, 0},    {2026, 1, 1, 0, 0, 60, 0},     {2026, 1, 1, 0, 0, 0, -1},
        {2026, 1, 1, 0, 0, 0, 1000000}, {INT32_MIN, INT32_MIN, INT32_MIN, 0, 0, 0, 0},
        {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX},
    };
    for (size_t i = 0; i < sizeof BADC / sizeof BADC[0]; i++) {
        t = 7;
        assert_int_equal(dal_time_from_civil(&BADC[i], &t), DAL_CHECK);
        assert_true(t == 7);
    }
    assert_int_equal(dal_date_from_civil(2026, 2, 29, &d), DAL_CHECK);
    assert_int_equal(dal_date_from_civil(INT32_MAX, 12, 31, &d), DAL_CHECK);
    /* the civil limits are the range's */
    dal_civil lo = {1, 1, 1, 0, 0, 0, 0}, hi = {9999, 12, 31, 23, 59, 59, 999999};
    assert_int_equal(dal_time_from_civil(&lo, &t), DAL_OK);
    assert_true(t == DAL_TIME_MIN);
    assert_int_equal(dal_time_from_civil(&hi, &t), DAL_OK);
    assert_true(t == DAL_TIME_MAX);
    assert_int_equal(dal_date_from_civil(1, 1, 1, &d), DAL_OK);
    assert_int_equal(d, DAL_DATE_MIN);
    assert_int_equal(dal_date_from_civil(9999, 12, 31, &d), DAL_OK);
    assert_int_equal(d, DAL_DATE_MAX);
}

/* Times before 1970 belong to the day they fall in, to the microsecond. */
static void test_negative_times(void **state)
{
    (void)state;
    static const struct { int64_t t; dal_civil c; } N[] = {
        {-1, {1969, 12, 31, 23, 59, 59, 999999}},
        {-999999, {1969, 12, 31, 23, 59, 59, 1}},
        {-1000000, {1969, 12, 31, 23, 59, 59, 0}},
        {-1000001, {1969, 12, 31, 23, 59, 58, 999999}},
        {-US_DAY, {1969, 12, 31, 0, 0, 0, 0}},
        {-US_DAY - 1, {1969, 12, 30, 23, 59, 59, 999999}},
        {DAL_TIME_MIN, {1, 1, 1, 0, 0, 0, 0}},
        {DAL_TIME_MIN + US_DAY - 1, {1, 1, 1, 23, 59, 59, 999999}},
    };
    for (size_t i = 0; i < sizeof N / sizeof N[0]; i++) {
        dal_civil c;
        assert_int_equal(dal_time_to_civil(N[i].t, &c), DAL_OK);
        assert_memory_equal(&c, &N[i].c, sizeof c);
        dal_time back;
        assert_int_equal(dal_time_from_civil(&c, &back), DAL_OK);
        assert_true(back == N[i].t);
        dal_date d, want;
        assert_int_equal(dal_time_to_date(N[i].t, &d), DAL_OK);
        assert_int_equal(dal_date_from_civil(c.year, c.month, c.day, &want), DAL_OK);
        assert_int_equal(d, want);
    }
}

/* A spread of instants over the whole range (a fixed pseudo-random
 * sequence, plus every microsecond around day and second boundaries):
 * text -> time -> text and time -> civil -> time give back the same. */
static void test_round_trips(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    const uint64_t span = (uint64_t)(DAL_TIME_MAX - DAL_TIME_MIN) + 1;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t;
        if (i < 2000) /* around midnights and second boundaries */
            t = (int64_t)(x % 7000 - 3500) * US_DAY + (int64_t)(i % 5) - 2 +
                (i % 2 ? 1000000 : 0);
        else
            t = DAL_TIME_MIN + (int64_t)(x % span);
        char buf[DAL_TIME_TEXT_SIZE];
        assert_int_equal(dal_time_format(t, buf, sizeof buf), DAL_OK);
        assert_int_equal(strlen(buf), 27);
        dal_time back;
        if (dal_time_parse(buf, &back) != DAL_OK || back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, buf, (long long)back);
        dal_civil c;
        assert_int_equal(dal_time_to_civil(t, &c), DAL_OK);
        assert_int_equal(dal_time_from_civil(&c, &back), DAL_OK);
        assert_true(back == t);
        /* the text says the civil parts */
        char want[128];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month,
                 c.day, c.hour, c.minute, c.second, c.microsecond);
        assert_string_equal(buf, want);
    }
}

static void test_now(void **state)
{
    (void)state;
    dal_time a = dal_time_now(), b = dal_time_now();
    dal_civil c;
    assert_int_equal(dal_time_to_civil(a, &c), DAL_OK);
    assert_true(c.year >= 2024 && c.year < 9999);
    assert_true(b >= a - 1000000); /* the wall clock may step, not by seconds here */
}

/* The boundary values stored and read back through both engines keep
 * their text (the engines' own conversions agree with the helpers). */
static void engine_round_trip(const char *url)
{
    dal_db *db = NULL;
    assert_int_equal(dal_open(url, &db), DAL_OK);
    bool pg = dal_dialect_of(db) == DAL_POSTGRES;
    assert_int_equal(dal_exec(db, pg ? "CREATE TEMP TABLE tt (t timestamptz, d date)"
                                     : "CREATE TEMP TABLE tt (t INTEGER, d TEXT)"),
                     DAL_OK);
    static const dal_query ins = {"INSERT INTO tt (t, d) VALUES ($1, $2)", 2};
    static const dal_query sel = {"SELECT t, d FROM tt", 0};
    static const char *const T[] = {
        "0001-01-01T00:00:00.000000Z", "0001-01-01T00:00:00.000001Z",
        "1899-12-31T23:59:59.999999Z", "1900-02-28T12:00:00.500000Z",
        "1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00.000000Z",
        "2000-02-29T23:59:59.999999Z", "2100-02-28T00:00:00.000001Z",
        "9999-12-31T23:59:59.999999Z",
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        dal_time t;
        dal_date d;
        assert_int_equal(dal_time_parse(T[i], &t), DAL_OK);
        assert_int_equal(dal_time_to_date(t, &d), DAL_OK);
        assert_int_equal(dal_exec(db, "DELETE FROM tt"), DAL_OK);
        dal_stmt *st;
        assert_int_equal(dal_stmt_start(db, &ins, &st), DAL_OK);
        dal_bind_time(st, 1, t);
        dal_bind_date(st, 2, d);
        assert_int_equal(dal_stmt_exec(st, NULL), DAL_OK);
        assert_int_equal(dal_stmt_start(db, &sel, &st), DAL_OK);
        bool has;
        assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
        assert_true(has);
        dal_time rt;
        dal_date rd;
        assert_int_equal(dal_col_time(st, 0, &rt), DAL_OK);
        assert_int_equal(dal_col_date(st, 1, &rd), DAL_OK);
        dal_stmt_done(st);
        char buf[DAL_TIME_TEXT_SIZE], dbuf[DAL_DATE_TEXT_SIZE];
        assert_int_equal(dal_time_format(rt, buf, sizeof buf), DAL_OK);
        assert_string_equal(buf, T[i]);
        assert_int_equal(dal_date_format(rd, dbuf, sizeof dbuf), DAL_OK);
        assert_memory_equal(dbuf, T[i], 10);
    }
    dal_close(db);
}

static void test_engines_sqlite(void **state)
{
    (void)state;
    char path[512], url[600];
    test_tmp_path(path, sizeof path, "time.db");
    snprintf(url, sizeof url, "sqlite:%s", path);
    engine_round_trip(url);
}

static void test_engines_pg(void **state)
{
    (void)state;
    engine_round_trip(test_pg_url());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_day),      cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_leap_days),      cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_bad),      cmocka_unit_test(test_ranges_and_misuse),
        cmocka_unit_test(test_negative_times), cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_now),            cmocka_unit_test(test_engines_sqlite),
        cmocka_unit_test(test_engines_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
