/*
 * sqlfile.c - the SQL lexer and query-file reader (sqlfile.h).
 */
#include "front/sqlfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool word_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool word_char(char c)
{
    return word_start(c) || isdigit((unsigned char)c) || c == '$';
}

static bool push(arena *a, sql_toks *t, int *cap, sql_tok k)
{
    if (t->n == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        sql_tok *v = arena_alloc(a, (size_t)nc * sizeof *v);
        if (!v)
            return false;
        if (t->n)
            memcpy(v, t->v, (size_t)t->n * sizeof *v);
        t->v = v;
        *cap = nc;
    }
    t->v[t->n++] = k;
    return true;
}

bool sql_lex(arena *a, const char *s, size_t n, sql_toks *out)
{
    out->v = NULL;
    out->n = 0;
    int cap = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        size_t st = i;
        sql_tok k = {SQLT_PUNCT, i, 1, NULL};
        if (isspace((unsigned char)c)) {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            int depth = 0;
            bool closed = false;
            while (i < n) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0) {
                        closed = true;
                        break;
                    }
                } else
                    i++;
            }
            if (!closed) {
                k.kind = SQLT_ERROR;
                k.len = i - st;
                if (!push(a, out, &cap, k))
                    return false;
            }
            continue;
        }
        if (c == '\'' || ((c == 'E' || c == 'e' || c == 'X' || c == 'x' || c == 'B' ||
                           c == 'b') && i + 1 < n && s[i + 1] == '\'')) {
            bool esc = c == 'E' || c == 'e';
            if (c != '\'')
                i++;
            i++;
            bool closed = false;
            while (i < n) {
                if (esc && s[i] == '\\' && i + 1 < n) {
                    i += 2;
                    continue;
                }
                if (s[i] == '\'') {
                    if (i + 1 < n && s[i + 1] == '\'') {
                        i += 2;
                        continue;
                    }
                    i++;
                    closed = true;
                    break;
                }
                i++;
            }
            k.kind = closed ? SQLT_STRING : SQLT_ERROR;
            k.len = i - st;
        } else if (c == '"' || c == '`' || c == '[') {
            /* [ is a quoted identifier only for SQLite; as punctuation it
             * is an array subscript: treat "[" followed by a word and "]"
             * as punctuation (subscripts hold expressions, rarely words) */
            if (c == '[') {
                k.kind = SQLT_PUNCT;
                i++;
                k.len = 1;
                if (!push(a, out, &cap, k))
                    return false;
                continue;
            }
            char close = c;
            i++;
            bool closed = false;
            strbuf sb;
            sb_init(&sb);
            while (i < n) {
                if (s[i] == close) {
                    if (i + 1 < n && s[i + 1] == close) {
                        sb_addc(&sb, close);
                        i += 2;
                        continue;
                    }
                    i++;
                    closed = true;
                    break;
                }
                sb_addc(&sb, s[i++]);
            }
            k.kind = closed ? SQLT_QIDENT : SQLT_ERROR;
            k.len = i - st;
            k.text = arena_strdup(a, sb_str(&sb));
            bool oom = sb.oom || !k.text;
            sb_free(&sb);
            if (oom)
                return false;
        } else if (c == '$' && i + 1 < n && isdigit((unsigned char)s[i + 1])) {
            i++;
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
            k.kind = SQLT_PLACEHOLDER;
            k.len = i - st;
        } else if (c == '$') {
            /* $tag$ ... $tag$ */
            size_t j = i + 1;
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
                j++;
            if (j < n && s[j] == '$') {
                size_t tl = j - i + 1;
                const char *tag = s + i;
                size_t e = j + 1;
                bool closed = false;
                while (e + tl <= n) {
                    if (!memcmp(s + e, tag, tl)) {
                        closed = true;
                        e += tl;
                        break;
                    }
                    e++;
                }
                k.kind = closed ? SQLT_STRING : SQLT_ERROR;
                i = closed ? e : n;
                k.len = i - st;
            } else {
                k.kind = SQLT_OP;
                i++;
            }
        } else if (c == '?') {
            i++;
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
            k.kind = SQLT_PLACEHOLDER;
            k.len = i - st;
        } else if (c == ':' && i + 1 < n && s[i + 1] == ':') {
            k.kind = SQLT_CAST;
            k.len = 2;
            i += 2;
        } else if (c == ':' && i + 1 < n && word_start(s[i + 1])) {
            i++;
            while (i < n && (word_char(s[i]) && s[i] != '$'))
                i++;
            k.kind = SQLT_PARAM;
            k.len = i - st;
            k.text = arena_strndup(a, s + st + 1, i - st - 1);
            if (!k.text)
                return false;
        } else if (word_start(c)) {
            while (i < n && word_char(s[i]))
                i++;
            k.kind = SQLT_WORD;
            k.len = i - st;
            char *w = arena_strndup(a, s + st, i - st);
            if (!w)
                return false;
            for (char *p = w; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            k.text = w;
        } else if (isdigit((unsigned char)c) || (c == '.' && i + 1 < n &&
                                                 isdigit((unsigned char)s[i + 1]))) {
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.'))
                i++;
            k.kind = SQLT_NUMBER;
            k.len = i - st;
        } else if (strchr("(),;.[]", c)) {
            i++;
        } else {
            k.kind = SQLT_OP;
            while (i < n && strchr("+-*/<>=~!@#%^&|`?", s[i]) && !(s[i] == '-' && i + 1 < n &&
                                                                   s[i + 1] == '-'))
                i++;
            if (i == st)
                i++;
            k.len = i - st;
        }
        if (!push(a, out, &cap, k))
            return false;
    }
    return true;
}

srcpos sql_text_pos(const sql_text *t, size_t off)
{
    srcpos p = t->first;
    size_t ls = 0;
    int nl = 0;
    for (size_t i = 0; i < off && i < t->len; i++)
        if (t->text[i] == '\n') {
            nl++;
            ls = i + 1;
        }
    if (nl == 0) {
        p.col = t->first.col + (int)off;
    } else {
        p.line = t->first.line + nl;
        p.col = t->cont_col + (int)(off - ls);
    }
    return p;
}

/* ---- the file ------------------------------------------------------------ */

typedef struct line {
    const char *s;
    size_t len;  /* without the newline */
    size_t off;  /* in the file */
} line;

/* When l is a comment line "-- key: rest", returns rest (after spaces) and
 * its column; key is matched case-sensitively. */
static const char *comment_key(const line *l, const char *key, int *col)
{
    size_t i = 0;
    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    if (i + 2 > l->len || l->s[i] != '-' || l->s[i + 1] != '-')
        return NULL;
    i += 2;
    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    size_t kl = strlen(key);
    if (i + kl > l->len || memcmp(l->s + i, key, kl) != 0)
        return NULL;
    i += kl;
    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    if (col)
        *col = (int)i + 1;
    return l->s + i;
}

static bool is_comment(const line *l)
{
    size_t i = 0;
    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    return i + 1 < l->len + 1 && i + 2 <= l->len && l->s[i] == '-' && l->s[i + 1] == '-';
}

static bool is_blank(const line *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (!isspace((unsigned char)l->s[i]))
            return false;
    return true;
}

/* Splits "word word ..." of rest[0..end) into at most 4 words. */
static int words(const char *s, size_t n, const char *w[4], size_t wl[4], size_t woff[4])
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < 5) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t st = i;
        while (i < n && !isspace((unsigned char)s[i]))
            i++;
        if (k == 4)
            return 5;
        w[k] = s + st;
        wl[k] = i - st;
        woff[k] = st;
        k++;
    }
    return k;
}

static sql_text text_of(arena *a, const char *path, const line *ls, int from, int to)
{
    sql_text t = {"", 0, {path, from + 1, 1}, 1};
    if (from >= to)
        return t;
    size_t s = ls[from].off, e = ls[to - 1].off + ls[to - 1].len;
    char *c = arena_strndup(a, ls[from].s, e - s);
    if (c) {
        t.text = c;
        t.len = e - s;
    }
    return t;
}

static bool sql_text_blank(const sql_text *t)
{
    for (size_t i = 0; i < t->len; i++)
        if (!isspace((unsigned char)t->text[i]))
            return false;
    return true;
}

sql_file *sql_parse(arena *a, const char *path, const char *text, size_t len, diag_list *d)
{
    sql_file *f = arena_alloc(a, sizeof *f);
    if (!f)
        return NULL;
    f->path = arena_strdup(a, path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    f->stem = arena_strndup(a, base, dot ? (size_t)(dot - base) : strlen(base));
    if (memchr(text, '\0', len)) {
        diag_error(d, (srcpos){f->path, 0, 0}, "the file contains a NUL byte");
        return f;
    }
    int nl = 1;
    for (size_t i = 0; i < len; i++)
        nl += text[i] == '\n';
    line *ls = arena_alloc(a, (size_t)nl * sizeof *ls);
    if (!ls || !f->path || !f->stem)
        return NULL;
    int n = 0;
    for (size_t i = 0; i <= len;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t l = e - i;
        if (l && text[i + l - 1] == '\r')
            l--;
        ls[n++] = (line){text + i, l, i};
        i = e + 1;
        if (e >= len)
            break;
    }
    /* headers */
    int nq = 0;
    for (int i = 0; i < n; i++)
        if (comment_key(&ls[i], "name:", NULL))
            nq++;
    f->queries = arena_alloc(a, (size_t)(nq + 1) * sizeof *f->queries);
    if (!f->queries)
        return NULL;
    int i = 0;
    while (i < n && !comment_key(&ls[i], "name:", NULL)) {
        if (!is_comment(&ls[i]) && !is_blank(&ls[i])) {
            diag_error(d, (srcpos){f->path, i + 1, 1},
                       "SQL before the first query header (start each query with "
                       "`-- name: <name> :one|:many|:exec|:execrows`)");
            break;
        }
        i++;
    }
    while (i < n && !comment_key(&ls[i], "name:", NULL))
        i++;
    while (i < n) {
        int col = 0;
        const char *rest = comment_key(&ls[i], "name:", &col);
        sql_query *q = &f->queries[f->nqueries++];
        memset(q, 0, sizeof *q);
        size_t rl = ls[i].len - (size_t)(rest - ls[i].s);
        const char *w[4];
        size_t wl[4], wo[4];
        int nw = words(rest, rl, w, wl, wo);
        q->pos = (srcpos){f->path, i + 1, col};
        if (nw != 2) {
            diag_error(d, q->pos, "a query header is `-- name: <name> <kind>` with a kind of "
                                  ":one, :many, :exec or :execrows");
            q->name = NULL;
        } else {
            q->name = arena_strndup(a, w[0], wl[0]);
            q->kind = arena_strndup(a, w[1], wl[1]);
            q->kind_pos = (srcpos){f->path, i + 1, col + (int)wo[1]};
        }
        int j = i + 1;
        q->doc = arena_alloc(a, (size_t)(n - j + 1) * sizeof *q->doc);
        q->dirs = arena_alloc(a, (size_t)(n - j + 1) * sizeof *q->dirs);
        if (!q->doc || !q->dirs)
            return NULL;
        for (; j < n && is_comment(&ls[j]) && !comment_key(&ls[j], "name:", NULL) &&
               !comment_key(&ls[j], "pg:", NULL) && !comment_key(&ls[j], "sqlite:", NULL);
             j++) {
            int dc = 0;
            bool is_col = false;
            const char *dr = comment_key(&ls[j], "param:", &dc);
            if (!dr && (dr = comment_key(&ls[j], "column:", &dc)))
                is_col = true;
            if (dr) {
                size_t dl = ls[j].len - (size_t)(dr - ls[j].s);
                nw = words(dr, dl, w, wl, wo);
                sql_directive *dv = &q->dirs[q->ndirs];
                memset(dv, 0, sizeof *dv);
                dv->column = is_col;
                dv->pos = (srcpos){f->path, j + 1, dc};
                bool ok = nw >= 2 && nw <= 4;
                if (ok && nw == 3)
                    ok = (wl[2] == 4 && !memcmp(w[2], "null", 4));
                if (ok && nw == 4)
                    ok = is_col && wl[2] == 3 && !memcmp(w[2], "not", 3) && wl[3] == 4 &&
                         !memcmp(w[3], "null", 4);
                if (!ok) {
                    diag_error(d, dv->pos,
                               is_col ? "a column directive is `-- column: <name> <type> [null "
                                        "| not null]`"
                                      : "a parameter directive is `-- param: <name> <type>[[]] "
                                        "[null]`");
                    continue;
                }
                dv->name = arena_strndup(a, w[0], wl[0]);
                size_t tl = wl[1];
                if (tl > 2 && w[1][tl - 2] == '[' && w[1][tl - 1] == ']') {
                    dv->list = true;
                    tl -= 2;
                }
                dv->type = arena_strndup(a, w[1], tl);
                dv->type_pos = (srcpos){f->path, j + 1, dc + (int)wo[1]};
                dv->null = nw == 3 ? 1 : nw == 4 ? -1 : 0;
                q->ndirs++;
                continue;
            }
            /* a doc line: "-- text" without the marker and one space */
            size_t k = 0;
            while (k < ls[j].len && (ls[j].s[k] == ' ' || ls[j].s[k] == '\t'))
                k++;
            k += 2;
            if (k < ls[j].len && ls[j].s[k] == ' ')
                k++;
            q->doc[q->ndoc++] = arena_strndup(a, ls[j].s + k, ls[j].len - k);
        }
        int end = j;
        while (end < n && !comment_key(&ls[end], "name:", NULL))
            end++;
        int pgl = -1, sql = -1;
        for (int k = j; k < end; k++) {
            if (comment_key(&ls[k], "pg:", NULL)) {
                if (pgl >= 0)
                    diag_error(d, (srcpos){f->path, k + 1, 1}, "a second `-- pg:` variant");
                pgl = k;
            } else if (comment_key(&ls[k], "sqlite:", NULL)) {
                if (sql >= 0)
                    diag_error(d, (srcpos){f->path, k + 1, 1}, "a second `-- sqlite:` variant");
                sql = k;
            }
        }
        if (pgl >= 0 || sql >= 0) {
            q->variants = true;
            int first = pgl >= 0 && (sql < 0 || pgl < sql) ? pgl : sql;
            sql_text pre = text_of(a, f->path, ls, j, first);
            if (pgl < 0 || sql < 0)
                diag_error(d, q->pos, "query '%s' has a `-- %s:` variant but no `-- %s:` one",
                           q->name ? q->name : "?", pgl >= 0 ? "pg" : "sqlite",
                           pgl >= 0 ? "sqlite" : "pg");
            else if (!sql_text_blank(&pre))
                diag_error(d, (srcpos){f->path, j + 1, 1},
                           "with dialect variants, all of a query's SQL goes under `-- pg:` "
                           "and `-- sqlite:`");
            else {
                int pe = sql > pgl ? sql : end, se = pgl > sql ? pgl : end;
                q->pg = text_of(a, f->path, ls, pgl + 1, pe);
                q->sqlite = text_of(a, f->path, ls, sql + 1, se);
            }
            q->body = q->sqlite;
        } else {
            q->body = text_of(a, f->path, ls, j, end);
            q->pg = q->sqlite = q->body;
        }
        i = end;
    }
    return f;
}

sql_file *sql_parse_file(arena *a, const char *path, diag_list *d)
{
    size_t len = 0;
    const char *err = NULL;
    char *text = read_file(path, SQLF_MAX_BYTES, &len, &err);
    if (!text) {
        diag_error(d, (srcpos){path, 0, 0}, "%s", err ? err : "cannot read the file");
        return NULL;
    }
    sql_file *f = sql_parse(a, path, text, len, d);
    free(text);
    return f;
}
