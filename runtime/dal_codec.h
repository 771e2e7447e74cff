/*
 * dal_codec.h - codecs shared by the engines (uuid text, PostgreSQL binary
 * numeric <-> decimal text, big-endian integers of wire formats).  A leaf:
 * standard headers only.
 */
#ifndef DAL_CODEC_H
#define DAL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Canonical 8-4-4-4-12 (any case), 32 hex digits, or {...} -> 16 bytes. */
bool dal__parse_uuid(const char *s, size_t len, unsigned char out[16]);
/* 16 bytes -> lower-case canonical 8-4-4-4-12. */
void dal__format_uuid(const unsigned char in[16], char out[37]);

/* Decimal text -> PostgreSQL binary numeric; returns bytes written to out
 * (room for 8 + 2 * (strlen(s) / 4 + 3) bytes), or -1 (not a number) or -2
 * (out of the numeric range). */
int dal__numeric_from_text(const char *s, size_t len, unsigned char *out);
/* PostgreSQL binary numeric -> exactly the text numeric_out prints. */
void dal__numeric_to_text(const unsigned char *p, int len, char *out, size_t cap, size_t *outlen);
/* Room dal__numeric_to_text needs for p, its NUL included. */
size_t dal__numeric_text_size(const unsigned char *p, int len);

/* Decimal text -> its canonical form for a column decimal(precision, scale):
 * what PostgreSQL's numeric_out prints for the value stored in
 * numeric(precision, scale).  Accepts numeric_in's syntax (surrounding
 * blanks, a sign, digits with one optional point, an exponent up to +-1000)
 * but not NaN or infinities; rounds to scale half away from zero; writes
 * no sign for zero.  precision < 0: no typmod (numeric), the value keeps the
 * scale it was written with (1.50 stays 1.50, 1e2 is 100).  Returns the
 * canonical length (written with its NUL when < cap, like snprintf), or
 * DAL_DEC_SYNTAX, or DAL_DEC_RANGE (more integer digits than
 * precision - scale, or beyond numeric's range). */
#define DAL_DEC_SYNTAX (-1)
#define DAL_DEC_RANGE (-2)
long dal__decimal_canon(const char *s, size_t len, int precision, int scale, char *out, size_t cap);
/* Numeric order of two decimal texts (any form dal__decimal_canon accepts);
 * text that is not a finite decimal sorts after every number, bytewise:
 * a total order (SQLite's collation of decimal columns). */
int dal__decimal_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* The high bit of each of the eight bytes of a word: ASCII has none. */
#define DAL__HIGH_BITS_64 0x8080808080808080ull

/* Strict UTF-8 (RFC 3629), as PostgreSQL's UTF8 encoding checks it.  The
 * all-ASCII test, the common case, is inline: every bound text runs it, and
 * as a call into this file it cost a single-row insert on SQLite more wall
 * time than its few instructions (the check left out entirely: 1.054 ->
 * 1.041 against the hand-written loop in one build), because the insert's
 * hot code spread over one more place.  Text with any other byte goes to
 * dal__utf8_scan. */
bool dal__utf8_scan(const char *s, size_t len);
static inline bool dal__utf8_ok(const char *str, size_t len)
{
    /* Whole words, the last one overlapping the previous so that no
     * byte-by-byte tail is needed (every read stays inside the value). */
    const unsigned char *s = (const unsigned char *)str;
    if (len >= 8) {
        uint64_t w, acc = 0;
        const unsigned char *e = s + len;
        for (; e - s > 8; s += 8) {
            memcpy(&w, s, 8);
            acc |= w;
        }
        memcpy(&w, e - 8, 8);
        return ((acc | w) & DAL__HIGH_BITS_64) == 0 || dal__utf8_scan(str, len);
    }
    unsigned acc = 0;
    for (size_t k = 0; k < len; k++)
        acc |= s[k];
    return acc < 0x80 || dal__utf8_scan(str, len);
}

/* Big-endian integers (PostgreSQL's binary formats). */
static inline void be16(char *b, uint16_t v)
{
    b[0] = (char)(v >> 8);
    b[1] = (char)v;
}
static inline void be32(char *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static inline void be64(char *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (char)(v & 0xff);
}
static inline uint16_t rd16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)(u[0] << 8 | u[1]);
}
static inline uint32_t rd32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}
static inline uint64_t rd64(const char *p) { return (uint64_t)rd32(p) << 32 | rd32(p + 4); }

#endif
