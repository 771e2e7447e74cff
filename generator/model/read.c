/*
 * read.c - typed readers of YAML nodes (strings, booleans, integers,
 * identifiers, mapping keys) with the schema's error messages and
 * "did you mean" hints.
 */
#include "model/build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *kind_name(const yt_node *n)
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

bool is_null(const yt_node *n)
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

const char *hint(builder *b, const char *s, const char *const *cands, size_t n)
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

bool want_kind(builder *b, const tsrc *ts, const yt_node *n, yt_kind k, const char *what)
{
    if (n->kind == k)
        return true;
    static const char *const names[] = {"a string", "a sequence", "a mapping"};
    return ERR(n, "expected %s for %s, got %s", names[k], what, kind_name(n));
}

bool get_str(builder *b, const tsrc *ts, const yt_node *n, const char *what,
                    const char **out)
{
    if (!want_kind(b, ts, n, YT_SCALAR, what))
        return false;
    if (is_null(n))
        return ERR(n, "expected a string for %s, got nothing", what);
    *out = S(b, n->value);
    return *out != NULL;
}

bool get_bool(builder *b, const tsrc *ts, const yt_node *n, const char *what, bool *out)
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
bool parse_ll(const char *s, long long *out, bool *overflow)
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

bool get_int(builder *b, const tsrc *ts, const yt_node *n, const char *what, long long lo,
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

bool ident_chars_ok(const char *s)
{
    if (!*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

bool get_ident(builder *b, const tsrc *ts, const yt_node *n, const char *what,
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

/* Key checking: every key of map must be in allowed. */
bool check_keys(builder *b, const tsrc *ts, const yt_node *map, const char *const *allowed,
                       size_t n, const char *what)
{
    bool ok = true;
    for (int i = 0; i < map->npairs; i++) {
        const yt_node *k = map->pairs[i].key;
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = k->value[0] == allowed[j][0] && !strcmp(k->value, allowed[j]);
        if (!found)
            ok = ERR(k, "unknown %s key '%s'%s", what, k->value, hint(b, k->value, allowed, n));
    }
    return ok;
}

const yt_node *get_key_node(const yt_node *map, const char *key)
{
    for (int i = 0; i < map->npairs; i++)
        if (map->pairs[i].key->value[0] == key[0] && !strcmp(map->pairs[i].key->value, key))
            return map->pairs[i].key;
    return NULL;
}
