/*
 * defaults.c - a column's `default:`, checked against its type and
 * normalized (model.h: m_column.default_value).
 */
#include "model/build.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool check_default(builder *b, const tsrc *ts, m_column *c, const csrc *cs)
{
    const yt_node *n = cs->def_n;
    const char *tn = type_table[c->type].name;
    if (n->kind != YT_SCALAR) {
        if (c->type == TY_JSON)
            return ERR(n, "expected a string for 'default', got %s (write a JSON default as "
                          "a quoted string, e.g. '{}')",
                       kind_name(n));
        return ERR(n, "expected a %s literal for 'default', got %s", tn, kind_name(n));
    }
    if (is_null(n))
        return ERR(n, "'default' needs a value (a nullable column is NULL without a default)");
    const char *v = n->value;
    bool text_like = c->type == TY_TEXT || c->type == TY_ENUM;
    if (!strcmp(v, "now") && !type_table[c->type].default_now && !text_like)
        return ERR(n, "default 'now' is only allowed on timestamp and date columns (column "
                      "'%s' is %s)",
                   c->name, tn);
    if (!strcmp(v, "uuid") && !type_table[c->type].default_uuid && !text_like)
        return ERR(n, "default 'uuid' is only allowed on uuid columns (column '%s' is %s)",
                   c->name, tn);
    if (!strcmp(v, "now") && type_table[c->type].default_now) {
        c->def = DEF_NOW;
        return true;
    }
    if (!strcmp(v, "uuid") && type_table[c->type].default_uuid) {
        c->def = DEF_UUID;
        return true;
    }
    c->def = DEF_LITERAL;
    switch (c->type) {
    case TY_BOOL:
        if (!n->quoted && (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))) {
            c->default_value = "true";
            c->default_int = 1;
            return true;
        }
        if (!n->quoted && (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))) {
            c->default_value = "false";
            return true;
        }
        return ERR(n, "invalid bool default '%s' (expected true or false)", v);
    case TY_INT16:
    case TY_INT32:
    case TY_INT64: {
        long long x;
        bool ovf;
        if (!parse_ll(v, &x, &ovf))
            return ERR(n, "invalid %s default '%s' (expected an integer)", tn, v);
        long long lo = c->type == TY_INT16 ? INT16_MIN : c->type == TY_INT32 ? INT32_MIN : INT64_MIN;
        long long hi = c->type == TY_INT16 ? INT16_MAX : c->type == TY_INT32 ? INT32_MAX : INT64_MAX;
        if (ovf || x < lo || x > hi)
            return ERR(n, "default %s is out of range for %s (%lld to %lld)", v, tn, lo, hi);
        c->default_int = x;
        c->default_value = arena_printf(b->a, "%lld", x);
        return true;
    }
    case TY_FLOAT32:
    case TY_FLOAT64: {
        if (!float_syntax(v))
            return ERR(n, "invalid %s default '%s' (expected a decimal number like 1.5 or 2e-3)",
                       tn, v);
        double x = strtod(v, NULL);
        if (!isfinite(x) || (c->type == TY_FLOAT32 && fabs(x) > FLT_MAX))
            return ERR(n, "default %s is out of range for %s", v, tn);
        /* a digit on both sides of the point, no '+': valid C, SQL and JSON */
        strbuf nb;
        sb_init(&nb);
        const char *p = v;
        if (*p == '+' || *p == '-') {
            if (*p == '-')
                sb_addc(&nb, '-');
            p++;
        }
        if (*p == '.')
            sb_addc(&nb, '0');
        for (; *p; p++) {
            sb_addc(&nb, *p);
            if (*p == '.' && !(p[1] >= '0' && p[1] <= '9'))
                sb_addc(&nb, '0');
        }
        c->default_value = nb.oom ? NULL : S(b, sb_str(&nb));
        sb_free(&nb);
        if (!c->default_value)
            b->oom = true;
        return c->default_value != NULL;
    }
    case TY_DECIMAL: {
        const char *p = v;
        bool neg = false;
        if (*p == '-' || *p == '+')
            neg = *p++ == '-';
        const char *ip = p;
        while (*p >= '0' && *p <= '9')
            p++;
        size_t ni = (size_t)(p - ip);
        const char *fp = NULL;
        size_t nf = 0;
        if (*p == '.') {
            fp = ++p;
            while (*p >= '0' && *p <= '9')
                p++;
            nf = (size_t)(p - fp);
        }
        if (*p || (ni == 0 && nf == 0))
            return ERR(n, "invalid decimal default '%s' (expected digits like 12.50)", v);
        while (ni > 1 && *ip == '0')
            ip++, ni--;
        size_t sig = (ni == 1 && *ip == '0') ? 0 : ni;
        if (c->precision > 0) {
            int scale = c->scale > 0 ? c->scale : 0;
            if (nf > (size_t)scale)
                return ERR(n, "default %s has more than %d digits after the point (scale %d)",
                           v, scale, scale);
            if (sig > (size_t)(c->precision - scale))
                return ERR(n,
                           "default %s has too many digits before the point for "
                           "precision %d, scale %d",
                           v, c->precision, scale);
        }
        bool zero = true;
        for (size_t i = 0; i < ni; i++)
            if (ip[i] != '0')
                zero = false;
        for (size_t i = 0; i < nf; i++)
            if (fp[i] != '0')
                zero = false;
        c->default_value = arena_printf(b->a, "%s%.*s%s%.*s", neg && !zero ? "-" : "",
                                        ni ? (int)ni : 1, ni ? ip : "0", nf ? "." : "", (int)nf,
                                        fp ? fp : "");
        return true;
    }
    case TY_TEXT:
        if (c->max_length > 0 && utf8_len(v) > (size_t)c->max_length)
            return ERR(n, "default is longer than max_length %d (%zu characters)", c->max_length,
                       utf8_len(v));
        c->default_value = S(b, v);
        return true;
    case TY_JSON: {
        const char *why = json_check(v);
        if (why)
            return ERR(n, "invalid JSON default: %s", why);
        c->default_value = S(b, v);
        return true;
    }
    case TY_BYTES: {
        if (v[0] != '\\' || v[1] != 'x')
            return ERR(n, "invalid bytes default (expected hex digits after \\x, e.g. "
                          "'\\x00ff')");
        size_t hl = strlen(v + 2);
        if (hl % 2)
            return ERR(n, "invalid bytes default (odd number of hex digits)");
        char *h = A(b, hl + 1);
        if (!h)
            return false;
        for (size_t i = 0; i < hl; i++) {
            char ch = v[2 + i];
            if (!is_hex(ch))
                return ERR(n, "invalid bytes default ('%c' is not a hex digit)", ch);
            h[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
        }
        c->default_value = h;
        return true;
    }
    case TY_UUID: {
        static const int dash[] = {8, 13, 18, 23};
        bool ok = strlen(v) == 36;
        for (int i = 0; ok && i < 36; i++) {
            bool want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];
            ok = want_dash ? v[i] == '-' : is_hex(v[i]);
        }
        if (!ok)
            return ERR(n, "invalid uuid default '%s' (expected "
                          "'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' or uuid)",
                       v);
        char *u = A(b, 37);
        if (!u)
            return false;
        for (int i = 0; i < 36; i++)
            u[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i]);
        c->default_value = u;
        return true;
    }
    case TY_TIMESTAMP: {
        long long us;
        const char *why = parse_timestamp(v, &us);
        if (why)
            return ERR(n, "invalid timestamp default '%s': %s", v, why);
        c->default_int = us;
        c->default_value = format_timestamp(b, us);
        return true;
    }
    case TY_DATE: {
        long long days;
        const char *why = strlen(v) == 10 ? parse_date(v, &days) : "expected 'YYYY-MM-DD'";
        if (why)
            return ERR(n, "invalid date default '%s': %s", v, why);
        c->default_int = days;
        c->default_value = S(b, v);
        return true;
    }
    case TY_ENUM:
        for (int i = 0; i < c->nvalues; i++) {
            if (!strcmp(c->values[i], v)) {
                c->default_int = i;
                c->default_value = c->values[i];
                return true;
            }
        }
        return ERR(n, "default '%s' is not one of the values of enum column '%s'%s", v, c->name,
                   hint(b, v, c->values, (size_t)c->nvalues));
    case TY_COUNT:
        break;
    }
    return false;
}

