/*
 * dal_buf.h - a growing NUL-terminated string, for the SQL text the runtime
 * builds (INSERT and COPY statements, schema dumps of the migrator).  A leaf:
 * standard headers only.  Out of memory is sticky: once `oom` is set every
 * append is a no-op, so callers check it once at the end.
 */
#ifndef DAL_BUF_H
#define DAL_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dal_sbuf {
    char *p;          /* NUL-terminated once anything was appended; free() it */
    size_t len, cap;
    bool oom;
} dal_sbuf;

void dal__sb_add(dal_sbuf *b, const char *s, size_t n);
void dal__sb_str(dal_sbuf *b, const char *s);
/* Appends "s" with double quotes doubled (an SQL identifier). */
void dal__sb_ident(dal_sbuf *b, const char *s);

#endif
