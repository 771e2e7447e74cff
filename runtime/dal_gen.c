/*
 * dal_gen.c - helpers for generated code (dal.h, the last block): what each
 * generated table file would otherwise carry a copy of.  Uses only the
 * public API of dal.h.
 */
#include "dal.h"

#include <stdint.h>
#include <string.h>

int64_t dal_page_limit(size_t limit)
{
    return limit < (size_t)INT64_MAX ? (int64_t)limit : INT64_MAX;
}

size_t dal_page_hint(size_t limit)
{
    return limit < 1024 ? limit : 1024;
}

dal_status dal_enum_parse(const char *const *names, int count, const char *s, int *out)
{
    if (!s || !out)
        return DAL_MISUSE;
    for (int i = 0; i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return DAL_OK;
        }
    }
    return DAL_NOT_FOUND;
}
