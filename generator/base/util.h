/*
 * util.h - small pieces every stage of the generator shares: a growable
 * string buffer, an arena for the tree and the model (freed in one call),
 * and the diagnostics list (path:line:column: error: message).
 *
 * Nothing here exits or prints on its own; allocation failure is reported
 * through the return values (strbuf keeps an `oom` flag checked once at the
 * end, so emitters stay readable).
 *
 * base/ owns these building blocks and includes only the C library: every
 * stage may include it, it includes no stage.
 */
#ifndef DALC_UTIL_H
#define DALC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#if defined(__GNUC__)
#define DALC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DALC_PRINTF(f, a)
#endif

#define DALC_VERSION "0.1.0"

/* ---- string buffer ---- */
typedef struct strbuf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len, cap;
    bool oom;   /* an append failed; the content is then incomplete */
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_clear(strbuf *sb);
/* Room for n more bytes (and the NUL) without growing again; false once out
 * of memory. */
bool sb_reserve(strbuf *sb, size_t n);
void sb_addn_slow(strbuf *sb, const char *s, size_t n);
/* n bytes: inline while they fit (the emitters add millions of pieces). */
static inline void sb_addn(strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 <= sb->cap && !sb->oom) {
        memcpy(sb->data + sb->len, s, n);
        sb->len += n;
        sb->data[sb->len] = '\0';
    }
    else
        sb_addn_slow(sb, s, n);
}
static inline void sb_add(strbuf *sb, const char *s) { sb_addn(sb, s, strlen(s)); }
void sb_addc_slow(strbuf *sb, char c);
/* One byte: inline while it fits (the emitters add millions one by one). */
static inline void sb_addc(strbuf *sb, char c)
{
    if (sb->len + 2 <= sb->cap && !sb->oom) {
        sb->data[sb->len++] = c;
        sb->data[sb->len] = '\0';
    }
    else
        sb_addc_slow(sb, c);
}
/* vsnprintf, faster for the plain conversions (%s %.*s %c %d %u %ld %lu
 * %lld %llu %zu %%, no flags or widths); anything else goes to vsnprintf. */
int util_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
void sb_printf(strbuf *sb, const char *fmt, ...) DALC_PRINTF(2, 3);
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
void sb_pad(strbuf *sb, size_t col); /* spaces up to column col of the current line */
const char *sb_str(const strbuf *sb); /* "" when empty */
/* Hands the buffer to the caller (free()); the strbuf is left empty. */
char *sb_take(strbuf *sb);

/* ---- arena ---- */
typedef struct arena arena;
arena *arena_new(void);
void arena_free(arena *a);
/* Empties a for reuse: everything allocated from it is gone, its first
 * block is kept (a loop that builds and drops one item's strings per round
 * reuses the same memory). */
void arena_reset(arena *a);
void *arena_alloc(arena *a, size_t n); /* zeroed; NULL on failure */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) DALC_PRINTF(2, 3);

/* ---- diagnostics ---- */
typedef struct srcpos {
    const char *file; /* path as given on the command line (arena-owned) */
    int line, col;    /* 1-based; 0 when unknown */
} srcpos;

typedef struct diag_list {
    strbuf text; /* every diagnostic, one per line, in report order */
    int errors;
    int max_errors; /* stop collecting after this many (default 100) */
    int warnings;   /* diag_warning calls (not errors: the run still succeeds) */
} diag_list;

void diag_init(diag_list *d);
void diag_free(diag_list *d);
/* Appends "file:line:col: error: message\n" (or "file: error: ..." when the
 * position is unknown).  Returns false, so that callers can write
 * `return diag_error(...)`. */
bool diag_error(diag_list *d, srcpos at, const char *fmt, ...) DALC_PRINTF(3, 4);
/* Appends "file:line:col: warning: message\n": something that works but is
 * likely wrong.  Not counted in errors (at most max_errors are kept). */
void diag_warning(diag_list *d, srcpos at, const char *fmt, ...) DALC_PRINTF(3, 4);

/* ---- names ---- */
/* The closest of candidates to s by edit distance, or NULL when none is
 * near enough to suggest ("did you mean"). */
const char *closest_name(const char *s, const char *const *candidates, size_t n);

/* ---- files ---- */
/* Reads a whole file (at most max bytes; larger is an error).  Returns NULL
 * and sets *err to a static message on failure. */
char *read_file(const char *path, size_t max, size_t *len, const char **err);

#endif
