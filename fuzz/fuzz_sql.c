/*
 * fuzz_sql.c - libFuzzer target for the query-file front end: the input is
 * one .sql file; it is split into queries (headers, doc comments,
 * directives, dialect variants: front/sqlfile.c), and every query's SQL is
 * lexed, each token's position computed.  Everything lives in one arena
 * freed on every path, so leaks show up.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "front/sqlfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    diag_list d;
    diag_init(&d);
    sql_file *f = sql_parse(a, "fuzz.sql", (const char *)data, size, &d);
    for (int i = 0; f && i < f->nqueries; i++) {
        const sql_text *texts[2] = {&f->queries[i].pg, &f->queries[i].sqlite};
        for (int v = 0; v < 2; v++) {
            sql_toks tk;
            if (!texts[v]->text || !sql_lex(a, texts[v]->text, texts[v]->len, &tk))
                continue;
            for (int k = 0; k < tk.n; k++) {
                srcpos p = sql_text_pos(texts[v], tk.v[k].off);
                if (p.line <= 0 || tk.v[k].off + tk.v[k].len > texts[v]->len)
                    __builtin_trap();
            }
        }
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
