/*
 * dal_codec.c - text and wire codecs shared by the engines: uuid text <->
 * 16 bytes, PostgreSQL's binary numeric <-> decimal text.  A leaf: standard
 * headers and dal_codec.h only (no connection, no engine).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* for builds without the Makefile (vendoring) */
#endif
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dal_codec.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Canonical 8-4-4-4-12 (any case), or 32 hex digits, or {...}. */
bool dal__parse_uuid(const char *s, size_t len, unsigned char out[16])
{
    if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
        s++;
        len -= 2;
    }
    bool dashed = len == 36;
    if (!dashed && len != 32)
        return false;
    size_t j = 0;
    for (size_t i = 0; i < len;) {
        if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (s[i] != '-')
                return false;
            i++;
            continue;
        }
        int h = hexval((unsigned char)s[i]), l = hexval((unsigned char)s[i + 1]);
        if (h < 0 || l < 0)
            return false;
        out[j++] = (unsigned char)(h * 16 + l);
        i += 2;
    }
    return j == 16;
}

void dal__format_uuid(const unsigned char in[16], char out[37])
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[in[i] >> 4];
        out[o++] = hx[in[i] & 15];
    }
    out[o] = '\0';
}


/* ---------------------------------------------------------------------- */
/* numeric binary -> text                                                  */
/* ---------------------------------------------------------------------- */

size_t dal__numeric_text_size(const unsigned char *p, int len)
{
    if (len < 8)
        return 16;
    int16_t weight = (int16_t)rd16((const char *)p + 2);
    uint16_t dscale = rd16((const char *)p + 6);
    size_t w = weight >= 0 ? (size_t)(weight + 1) * 4 : 1;
    return w + dscale + 16;
}

static void put4(char four[4], int dig)
{
    if (dig < 0 || dig > 9999)
        dig = 0;
    four[0] = (char)('0' + dig / 1000);
    four[1] = (char)('0' + dig / 100 % 10);
    four[2] = (char)('0' + dig / 10 % 10);
    four[3] = (char)('0' + dig % 10);
}

/* PostgreSQL binary numeric -> text exactly as numeric_out writes it. */
void dal__numeric_to_text(const unsigned char *up, int len, char *out, size_t cap, size_t *outlen)
{
    const char *p = (const char *)up;
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < cap)                                                                           \
            out[o++] = (c);                                                                        \
    } while (0)
    if (len < 8) {
        snprintf(out, cap, "NaN");
        *outlen = strlen(out);
        return;
    }
    int ndigits = (int16_t)rd16(p);
    int weight = (int16_t)rd16(p + 2);
    uint16_t sign = rd16(p + 4);
    int dscale = rd16(p + 6);
    if (ndigits < 0 || len < 8 + 2 * ndigits)
        ndigits = 0;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        snprintf(out, cap, "%s", sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity");
        *outlen = strlen(out);
        return;
    }
    if (sign == 0x4000)
        PUT('-');
    if (weight < 0)
        PUT('0');
    else {
        for (int d = 0; d <= weight; d++) {
            int dig = d < ndigits ? (int16_t)rd16(p + 8 + 2 * d) : 0;
            char four[4];
            put4(four, dig);
            int start = 0;
            if (d == 0)
                while (start < 3 && four[start] == '0')
                    start++;
            for (int k = start; k < 4; k++)
                PUT(four[k]);
        }
    }
    if (dscale > 0) {
        PUT('.');
        int written = 0;
        for (int i = 0; written < dscale; i++) {
            int d = weight + 1 + i;
            int dig = d >= 0 && d < ndigits ? (int16_t)rd16(p + 8 + 2 * d) : 0;
            char four[4];
            put4(four, dig);
            for (int k = 0; k < 4 && written < dscale; k++, written++)
                PUT(four[k]);
        }
    }
#undef PUT
    out[o] = '\0';
    *outlen = o;
}

/* ---------------------------------------------------------------------- */
/* decimal text as written (read by both sections below)                   */
/* ---------------------------------------------------------------------- */

/* A finite decimal as written: sign, the digits (m0..m1, '.' skipped), and
 * point = how many of them are before the decimal point (may be < 0 or
 * beyond the digits: the exponent applied), nf = digits after the point as
 * written, minus the exponent (numeric's display scale). */
typedef struct dec_text {
    bool neg;
    const char *m0, *m1, *dot; /* dot: the point's place, or m1 */
    int64_t nd, point, dscale;
} dec_text;

static bool dec_parse(const char *s, size_t len, dec_text *d)
{
    const char *p = s, *end = s + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    d->neg = false;
    if (p < end && (*p == '+' || *p == '-')) {
        d->neg = *p == '-';
        p++;
    }
    d->m0 = p;
    int64_t ni = 0, nf = 0;
    bool dot = false;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9')
            *(dot ? &nf : &ni) += 1;
        else if (*p == '.' && !dot)
            dot = true;
        else
            break;
    }
    d->m1 = p;
    d->dot = d->m0 + ni;
    if (ni + nf == 0)
        return false;
    int64_t e = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end)
            return false;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            e = e * 10 + (*p - '0');
            if (e > 1000)
                return false; /* as numeric_in: exponent beyond +-1000 */
        }
        if (eneg)
            e = -e;
    }
    if (p != end)
        return false;
    d->nd = ni + nf;
    d->point = ni + e;
    d->dscale = nf - e < 0 ? 0 : nf - e;
    return true;
}

/* ---------------------------------------------------------------------- */
/* numeric text -> binary                                                  */
/* ---------------------------------------------------------------------- */

static bool ci_prefix(const char *p, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n != wl)
        return false;
    for (size_t i = 0; i < wl; i++)
        if (tolower((unsigned char)p[i]) != word[i])
            return false;
    return true;
}

static int64_t floordiv4(int64_t k) { return k >= 0 ? k / 4 : -((-k + 3) / 4); }

int dal__numeric_from_text(const char *s, size_t len, unsigned char *out)
{
    static const int pow10[4] = {1, 10, 100, 1000};
    const char *p = s, *end = s + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    size_t rest = (size_t)(end - p);
    uint16_t special = 0;
    if (ci_prefix(p, rest, "nan"))
        special = 0xC000;
    else if (ci_prefix(p, rest, "infinity") || ci_prefix(p, rest, "+infinity") ||
             ci_prefix(p, rest, "inf") || ci_prefix(p, rest, "+inf"))
        special = 0xD000;
    else if (ci_prefix(p, rest, "-infinity") || ci_prefix(p, rest, "-inf"))
        special = 0xF000;
    if (special) {
        be16((char *)out, 0);
        be16((char *)out + 2, 0);
        be16((char *)out + 4, special);
        be16((char *)out + 6, 0);
        return 8;
    }
    dec_text d;
    if (!dec_parse(p, rest, &d))
        return -1;
    if (d.dscale > 0x3FFF)
        return -2;
    const char *m0 = d.m0, *m1 = d.m1;
    int64_t point = d.point, dscale = d.dscale;
    /* digit j (0-based, '.' skipped) has decimal power k = point - 1 - j */
    int64_t j0 = -1, j1 = -1, j = 0;
    for (const char *q = m0; q < m1; q++) {
        if (*q == '.')
            continue;
        if (*q != '0') {
            if (j0 < 0)
                j0 = j;
            j1 = j;
        }
        j++;
    }
    if (j0 < 0) { /* zero (also -0): positive, no digits, the scale kept */
        be16((char *)out, 0);
        be16((char *)out + 2, 0);
        be16((char *)out + 4, 0);
        be16((char *)out + 6, (uint16_t)dscale);
        return 8;
    }
    int64_t weight = floordiv4(point - 1 - j0), glast = floordiv4(point - 1 - j1);
    int64_t ndigits = weight - glast + 1;
    if (weight > 0x7FFF || glast < -0x8000 || ndigits > 0x7FFF)
        return -2;
    unsigned char *dig = out + 8;
    memset(dig, 0, (size_t)ndigits * 2);
    j = 0;
    for (const char *q = m0; q < m1; q++) {
        if (*q == '.')
            continue;
        if (j >= j0 && j <= j1 && *q != '0') {
            int64_t k = point - 1 - j, g = floordiv4(k);
            int64_t idx = weight - g;
            int v = (dig[2 * idx] << 8 | dig[2 * idx + 1]) + (*q - '0') * pow10[k - 4 * g];
            be16((char *)dig + 2 * idx, (uint16_t)v);
        }
        j++;
    }
    be16((char *)out, (uint16_t)ndigits);
    be16((char *)out + 2, (uint16_t)(int16_t)weight);
    be16((char *)out + 4, d.neg ? 0x4000 : 0);
    be16((char *)out + 6, (uint16_t)dscale);
    return (int)(8 + 2 * ndigits);
}

/* ---------------------------------------------------------------------- */
/* decimal text: canonical form, numeric order                             */
/* ---------------------------------------------------------------------- */

/* Digit i of d (0 = the first written), '0' outside the written ones. */
static char dec_digit(const dec_text *d, int64_t i)
{
    if (i < 0 || i >= d->nd)
        return '0';
    const char *q = d->m0 + i;
    return q < d->dot ? *q : q[1];
}

long dal__decimal_canon(const char *s, size_t len, int precision, int scale, char *out, size_t cap)
{
    dec_text d;
    if (!dec_parse(s, len, &d))
        return DAL_DEC_SYNTAX;
    int64_t sc = precision < 0 ? d.dscale : scale < 0 ? 0 : scale;
    if (sc > 0x3FFF)
        return DAL_DEC_RANGE;
    /* the kept digits are positions start .. start + n - 1; position
     * start + n decides the rounding */
    int64_t start = d.point > 0 ? 0 : d.point, nint = d.point > 0 ? d.point : 0;
    int64_t n = nint + sc;
    bool up = dec_digit(&d, start + n) >= '5';
    /* leading zeros of the integer part and whether the result is zero,
     * after the carry of the rounding */
    int64_t lead = 0;
    while (lead < nint && dec_digit(&d, start + lead) == '0')
        lead++;
    bool all9 = true, zero = true;
    for (int64_t k = lead; k < n && (all9 || zero); k++) {
        char c = dec_digit(&d, start + k);
        all9 = all9 && c == '9';
        zero = zero && c == '0';
    }
    bool carry = up && all9; /* 9.995 -> 10.00: one more integer digit */
    if (up)
        zero = false;
    int64_t intdig = nint - lead + (carry ? 1 : 0);
    if (intdig > (precision < 0 ? 131072 : precision - sc))
        return DAL_DEC_RANGE;
    size_t need = (size_t)((!zero && d.neg) + (intdig ? intdig : 1) + (sc ? sc + 1 : 0));
    if (need >= cap)
        return (long)need;
    size_t o = 0;
    if (!zero && d.neg)
        out[o++] = '-';
    /* from the last digit back, the carry of the rounding added; what is
     * left in front is one place for the carry's 1 or the 0 of 0.xx */
    size_t last = need - 1;
    bool c = up;
    for (int64_t k = n - 1; k >= lead; k--) {
        char ch = dec_digit(&d, start + k);
        if (c) {
            c = ch == '9';
            ch = c ? '0' : (char)(ch + 1);
        }
        out[last--] = ch;
        if (sc && k == nint)
            out[last--] = '.';
    }
    if (carry)
        out[o] = '1';
    else if (intdig == 0)
        out[o] = '0';
    out[need] = '\0';
    return (long)need;
}

/* The first significant digit of d (its index), or -1 for zero. */
static int64_t dec_first(const dec_text *d)
{
    for (int64_t i = 0; i < d->nd; i++)
        if (dec_digit(d, i) != '0')
            return i;
    return -1;
}

static int dec_cmp_abs(const dec_text *a, int64_t fa, const dec_text *b, int64_t fb)
{
    /* magnitude: digits before the point counted from the first significant */
    int64_t ma = a->point - fa, mb = b->point - fb;
    if (ma != mb)
        return ma < mb ? -1 : 1;
    for (int64_t k = 0; fa + k < a->nd || fb + k < b->nd; k++) {
        char x = dec_digit(a, fa + k), y = dec_digit(b, fb + k);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

int dal__decimal_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    dec_text x, y;
    bool okx = dec_parse(a, alen, &x), oky = dec_parse(b, blen, &y);
    if (!okx || !oky) {
        if (okx != oky)
            return okx ? -1 : 1;
        int r = memcmp(a, b, alen < blen ? alen : blen);
        return r ? r : alen < blen ? -1 : alen > blen;
    }
    int64_t fx = dec_first(&x), fy = dec_first(&y);
    int sx = fx < 0 ? 0 : x.neg ? -1 : 1, sy = fy < 0 ? 0 : y.neg ? -1 : 1;
    if (sx != sy)
        return sx < sy ? -1 : 1;
    if (sx == 0)
        return 0;
    int r = dec_cmp_abs(&x, fx, &y, fy);
    return sx < 0 ? -r : r;
}

/* ---------------------------------------------------------------------- */
/* UTF-8                                                                   */
/* ---------------------------------------------------------------------- */

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, as PostgreSQL's UTF8 encoding checks it.  (All-ASCII values, the
 * common case, never get here: dal__utf8_ok in dal_codec.h.)  ASCII runs are
 * skipped eight bytes at a time. */
bool dal__utf8_scan(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *e = s + len;
    while (s < e) {
        if (e - s >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            if ((w & DAL__HIGH_BITS_64) == 0) {
                s += 8;
                continue;
            }
        }
        unsigned c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        int n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        }
        else
            return false;
        if (e - s <= n)
            return false;
        if (s[1] < lo || s[1] > hi)
            return false;
        for (int k = 2; k <= n; k++)
            if ((s[k] & 0xC0) != 0x80)
                return false;
        s += n + 1;
    }
    return true;
}
