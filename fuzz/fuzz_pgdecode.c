/*
 * fuzz_pgdecode.c - libFuzzer target for the runtime's decoders of
 * PostgreSQL binary values and of the text forms the engines exchange
 * (runtime/dal_codec.c, runtime/dal_calendar.c), without a server.
 *
 * The first byte picks a decoder; the rest is its input:
 *   0  binary numeric -> text (any bytes, as a hostile or broken server could
 *      send); the text must fit the size announced, and when it is a number
 *      it must encode again to a numeric that prints the same text;
 *   1  decimal text -> binary numeric -> text -> binary: the second encoding
 *      equals the first (the printed form is canonical);
 *   2  uuid text -> 16 bytes -> text -> 16 bytes: equal;
 *   3  date and timestamp text -> value -> text -> value: equal;
 *   4  UTF-8 check: never reads past len.
 * Any difference aborts (a finding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dal_calendar.h"
#include "dal_codec.h"

static void numeric_roundtrip(const char *text, size_t len)
{
    unsigned char *a = malloc(8 + 2 * (len / 4 + 3));
    if (!a)
        return;
    int na = dal__numeric_from_text(text, len, a);
    if (na < 0) {
        free(a);
        return;
    }
    size_t cap = dal__numeric_text_size(a, na), outlen = 0;
    char *t = malloc(cap);
    if (!t) {
        free(a);
        return;
    }
    dal__numeric_to_text(a, na, t, cap, &outlen);
    if (outlen >= cap || strlen(t) != outlen)
        abort();
    unsigned char *b = malloc(8 + 2 * (outlen / 4 + 3));
    if (!b)
        abort();
    int nb = dal__numeric_from_text(t, outlen, b);
    if (nb != na || memcmp(a, b, (size_t)na) != 0)
        abort();
    free(b);
    free(t);
    free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    char *text = malloc(n + 1); /* a NUL-terminated copy for the text decoders */
    if (!text)
        return 0;
    memcpy(text, in, n);
    text[n] = '\0';
    switch (data[0] % 5) {
    case 0: {
        if (n > 1 << 16)
            break;
        size_t cap = dal__numeric_text_size((const unsigned char *)in, (int)n), outlen = 0;
        char *t = malloc(cap ? cap : 1);
        if (!t)
            break;
        dal__numeric_to_text((const unsigned char *)in, (int)n, t, cap, &outlen);
        if (cap && (outlen >= cap || strlen(t) != outlen))
            abort();
        if (cap && strcmp(t, "NaN") != 0 && strcmp(t, "Infinity") != 0 &&
            strcmp(t, "-Infinity") != 0 && outlen > 0 && outlen < 4096)
            numeric_roundtrip(t, outlen);
        free(t);
        break;
    }
    case 1:
        if (n < 4096)
            numeric_roundtrip(text, strlen(text));
        break;
    case 2: {
        unsigned char raw[16], raw2[16];
        char s[37];
        if (dal__parse_uuid(text, strlen(text), raw)) {
            dal__format_uuid(raw, s);
            if (!dal__parse_uuid(s, strlen(s), raw2) || memcmp(raw, raw2, 16) != 0)
                abort();
        }
        break;
    }
    case 3: {
        int32_t d, d2;
        int64_t t, t2;
        char s[40];
        size_t l = strlen(text);
        if (l >= 10 && dal__parse_date(text, l, &d)) {
            dal__format_date(d, s);
            if (!dal__parse_date(s, strlen(s), &d2) || d != d2)
                abort();
        }
        if (dal__parse_time(text, l, &t)) {
            dal__format_time(t, s);
            if (!dal__parse_time(s, strlen(s), &t2) || t != t2)
                abort();
        }
        /* the strict reader of dal_time_parse: what it accepts is also
         * engine text, and its own output reads back the same */
        if (dal__parse_rfc3339(text, l, &t)) {
            if (!dal__parse_time(text, l, &t2) || t != t2)
                abort();
            if (t >= -62135596800000000LL && t <= 253402300799999999LL) {
                dal__format_rfc3339(t, s);
                if (!dal__parse_rfc3339(s, strlen(s), &t2) || t != t2)
                    abort();
            }
        }
        break;
    }
    case 4: {
        char *exact = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overread */
        if (exact) {
            memcpy(exact, in, n);
            (void)dal__utf8_ok(exact, n);
            free(exact);
        }
        break;
    }
    }
    free(text);
    return 0;
}
