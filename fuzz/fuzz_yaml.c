/*
 * fuzz_yaml.c - libFuzzer target for the front end: the input is one
 * schema file; it is parsed (yamltree.c) and, when it parses, validated
 * (model.c).  Everything is freed on every path, so leaks show up.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "yamltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    diag_list d;
    diag_init(&d);
    d.max_errors = 1000;
    /* The stem "t" lets a schema whose table is `t` pass the file-name rule,
     * so the fuzzer reaches the cross-table checks. */
    yaml_doc *doc = yt_parse(a, "fuzz/t.yaml", (const char *)data, size, &d);
    if (doc) {
        yaml_doc *docs[1] = {doc};
        model *m = model_build(docs, 1, "fuzz", &d);
        model_free(m);
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
