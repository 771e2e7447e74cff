/*
 * dal_buf.c - the growing string of dal_buf.h.
 */
#include "dal_buf.h"

#include <stdlib.h>
#include <string.h>

void dal__sb_add(dal_sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
void dal__sb_str(dal_sbuf *b, const char *s) { dal__sb_add(b, s, strlen(s)); }
void dal__sb_ident(dal_sbuf *b, const char *s)
{
    dal__sb_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            dal__sb_add(b, "\"", 1);
        dal__sb_add(b, s, 1);
    }
    dal__sb_add(b, "\"", 1);
}
