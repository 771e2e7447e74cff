/*
 * fuzz_yaml.c - libFuzzer target for the front end and the emitters: the
 * input is one schema file; it is parsed (yamltree.c) and, when it parses,
 * validated (generator/model/); when the model builds, the DDL and C emitters render
 * it in memory (emit_ddl.c, emit_c.c, with the built-in templates) into an
 * output_set that is never written.  Everything is freed on every path, so
 * leaks show up.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>

#include "emit/emit.h"
#include "model/model.h"
#include "emit/template.h"
#include "front/yamltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Renders m with both emitters; the output stays in memory. */
static void emit_all(const model *m, diag_list *d)
{
    tmpl_set *t = tmpl_load(NULL, d);
    if (!t)
        return;
    output_set out;
    output_init(&out);
    emit_ctx cx = {.m = m, .tmpl = t, .prefix = "", .schema_dir = "fuzz", .d = d};
    emit_ddl(&cx, &out);
    emit_c(&cx, &out);
    output_free(&out);
    tmpl_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    diag_list d;
    diag_init(&d);
    d.max_errors = 1000;
    /* The stem "t" lets a schema whose table is `t` pass the file-name rule,
     * so the fuzzer reaches the cross-table checks and the emitters. */
    yaml_doc *doc = yt_parse(a, "fuzz/t.yaml", (const char *)data, size, &d);
    if (doc) {
        yaml_doc *docs[1] = {doc};
        model *m = model_build(docs, 1, "fuzz", &d);
        if (m)
            emit_all(m, &d);
        model_free(m);
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
