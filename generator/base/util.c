/*
 * util.c - string buffer, arena, diagnostics, "did you mean", file reading.
 */
#include "base/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- formatting --------------------------------------------------------- */

/* Appends l bytes of s at *n, as far as cap allows (room for the NUL kept). */
static void put_run(char *buf, size_t cap, size_t *n, const char *s, size_t l)
{
    if (cap > 0 && *n < cap - 1) {
        size_t room = cap - 1 - *n;
        memcpy(buf + *n, s, l < room ? l : room);
    }
    *n += l;
}

static void put_uint(char *buf, size_t cap, size_t *n, unsigned long long v, bool neg)
{
    char d[24];
    size_t i = sizeof d;
    do
        d[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    if (neg)
        d[--i] = '-';
    put_run(buf, cap, n, d + i, sizeof d - i);
}

static void put_int(char *buf, size_t cap, size_t *n, long long v)
{
    put_uint(buf, cap, n, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
}

/* Only %s %.*s %c %d %u %ld %lu %lld %llu %zu %% (no flags or widths):
 * what the emitters print by the million.  False for anything else. */
static bool simple_format(const char *f)
{
    for (const char *p = f; (p = strchr(p, '%')) != NULL;) {
        p++;
        if (p[0] == '.' && p[1] == '*' && p[2] == 's')
            p += 3;
        else if (*p == 's' || *p == 'c' || *p == 'd' || *p == 'u' || *p == '%')
            p++;
        else if (p[0] == 'z' && p[1] == 'u')
            p += 2;
        else if (p[0] == 'l' && (p[1] == 'd' || p[1] == 'u'))
            p += 2;
        else if (p[0] == 'l' && p[1] == 'l' && (p[2] == 'd' || p[2] == 'u'))
            p += 3;
        else
            return false;
    }
    return true;
}

int util_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (!simple_format(fmt))
        return vsnprintf(buf, cap, fmt, ap);
    size_t n = 0;
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            const char *q = strchr(p, '%');
            size_t l = q ? (size_t)(q - p) : strlen(p);
            put_run(buf, cap, &n, p, l);
            p += l;
            continue;
        }
        p++;
        switch (*p) {
        case '%':
            put_run(buf, cap, &n, "%", 1);
            p++;
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_run(buf, cap, &n, &c, 1);
            p++;
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            put_run(buf, cap, &n, s, strlen(s));
            p++;
            break;
        }
        case '.': { /* %.*s */
            int prec = va_arg(ap, int);
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = prec < 0 || prec >= 6 ? "(null)" : "";
            put_run(buf, cap, &n, s, prec < 0 ? strlen(s) : strnlen(s, (size_t)prec));
            p += 3;
            break;
        }
        case 'd':
            put_int(buf, cap, &n, va_arg(ap, int));
            p++;
            break;
        case 'u':
            put_uint(buf, cap, &n, va_arg(ap, unsigned), false);
            p++;
            break;
        case 'z':
            put_uint(buf, cap, &n, va_arg(ap, size_t), false);
            p += 2;
            break;
        default: /* 'l' */
            if (p[1] == 'l') {
                if (p[2] == 'd')
                    put_int(buf, cap, &n, va_arg(ap, long long));
                else
                    put_uint(buf, cap, &n, va_arg(ap, unsigned long long), false);
                p += 3;
            }
            else {
                if (p[1] == 'd')
                    put_int(buf, cap, &n, va_arg(ap, long));
                else
                    put_uint(buf, cap, &n, va_arg(ap, unsigned long), false);
                p += 2;
            }
            break;
        }
    }
    if (cap > 0)
        buf[n < cap ? n : cap - 1] = '\0';
    return n > INT32_MAX ? -1 : (int)n;
}

/* ---- string buffer ---------------------------------------------------- */

void sb_init(strbuf *sb) { memset(sb, 0, sizeof *sb); }

void sb_free(strbuf *sb)
{
    free(sb->data);
    sb_init(sb);
}

void sb_clear(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
bool sb_reserve(strbuf *sb, size_t n)
{
    if (sb->oom)
        return false;
    if (sb->len + n + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 1024;
    while (cap < sb->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            sb->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(sb->data, cap);
    if (!p) {
        sb->oom = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void sb_addn_slow(strbuf *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_addc_slow(strbuf *sb, char c) { sb_addn(sb, &c, 1); }

void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    if (sb->oom)
        return;
    /* Format straight into the spare room; only when it does not fit, grow
     * and format again (emitters print millions of short pieces). */
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = sb->cap > sb->len ? sb->cap - sb->len : 0;
    int n = util_vsnprintf(room ? sb->data + sb->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        sb->oom = true;
        return;
    }
    if ((size_t)n >= room) {
        if (!sb_reserve(sb, (size_t)n))
            return;
        util_vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    }
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_pad(strbuf *sb, size_t col)
{
    size_t start = sb->len;
    while (start > 0 && sb->data[start - 1] != '\n')
        start--;
    for (size_t cur = sb->len - start; cur < col; cur++)
        sb_addc(sb, ' ');
}

const char *sb_str(const strbuf *sb) { return sb->data ? sb->data : ""; }

char *sb_take(strbuf *sb)
{
    char *p = sb->data;
    if (!p)
        p = calloc(1, 1);
    sb_init(sb);
    return p;
}

/* ---- arena -------------------------------------------------------------
 * Blocks of at least 64 KiB, bump allocation, 16-byte alignment.  The
 * whole tree and model of a run live here and die together. */

/* An ordinary block's bytes; a larger allocation gets a block of its own. */
#define ARENA_BLOCK 65536

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
} arena_block;

struct arena {
    arena_block *head;
};

arena *arena_new(void) { return calloc(1, sizeof(arena)); }

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void arena_reset(arena *a)
{
    arena_block *keep = NULL;
    arena_block *b = a->head;
    /* keep the head block if it is an ordinary one, free the rest */
    if (b && b->size == ARENA_BLOCK) {
        keep = b;
        b = b->next;
    }
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
}

/* n bytes of uninitialised arena memory */
static void *arena_alloc_raw(arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    n = (n + align - 1) / align * align;
    arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof(arena_block) + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        /* A big one-off block goes behind the head so the head keeps
         * serving small allocations. */
        if (a->head && n > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_raw(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(arena *a, const char *fmt, ...)
{
    /* the usual short result formatted once, into a stack buffer */
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = util_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    if (!p)
        return NULL;
    if ((size_t)n < sizeof buf) {
        memcpy(p, buf, (size_t)n + 1);
        return p;
    }
    va_start(ap, fmt);
    util_vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- diagnostics ------------------------------------------------------- */

void diag_init(diag_list *d)
{
    sb_init(&d->text);
    d->errors = 0;
    d->warnings = 0;
    d->max_errors = 100;
}

void diag_free(diag_list *d) { sb_free(&d->text); }

/* One diagnostic line: "file:line:col: severity: message" (without a line
 * when at has none). */
static void diag_line(diag_list *d, srcpos at, const char *severity, const char *fmt,
                      va_list ap) DALC_PRINTF(4, 0);
static void diag_line(diag_list *d, srcpos at, const char *severity, const char *fmt,
                      va_list ap)
{
    const char *file = at.file ? at.file : "dalc";
    if (at.line > 0)
        sb_printf(&d->text, "%s:%d:%d: %s: ", file, at.line, at.col, severity);
    else
        sb_printf(&d->text, "%s: %s: ", file, severity);
    sb_vprintf(&d->text, fmt, ap);
    sb_addc(&d->text, '\n');
}

bool diag_error(diag_list *d, srcpos at, const char *fmt, ...)
{
    d->errors++;
    if (d->errors > d->max_errors)
        return false;
    if (d->errors == d->max_errors) {
        sb_printf(&d->text, "%s: error: too many errors, stopping\n", at.file ? at.file : "dalc");
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    diag_line(d, at, "error", fmt, ap);
    va_end(ap);
    return false;
}

void diag_warning(diag_list *d, srcpos at, const char *fmt, ...)
{
    if (++d->warnings > d->max_errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_line(d, at, "warning", fmt, ap);
    va_end(ap);
}

/* ---- "did you mean" ---------------------------------------------------- */

/* Optimal string alignment distance (a transposition counts as one edit),
 * for short names only. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *closest_name(const char *s, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t len = strlen(s);
    /* Allow about one edit per three characters, at least one. */
    size_t limit = len / 3 < 1 ? 1 : len / 3;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t dist = edit_distance(s, candidates[i]);
        if (dist <= limit && dist < best_d) {
            best = candidates[i];
            best_d = dist;
        }
    }
    return best;
}

/* ---- files -------------------------------------------------------------- */

char *read_file(const char *path, size_t max, size_t *len, const char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        *err = strerror(errno);
        fclose(f);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        *err = "is a directory";
        fclose(f);
        return NULL;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
        *err = "file too large";
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        *err = "out of memory";
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    /* The file may have grown or shrunk since fstat: read what is there,
     * up to the limit. */
    if (got == size && fgetc(f) != EOF) {
        *err = "file too large";
        free(buf);
        fclose(f);
        return NULL;
    }
    if (ferror(f)) {
        *err = strerror(errno);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}
