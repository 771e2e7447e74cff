/*
 * runtime_cli.c - `dalc runtime DIR [--check]`: writes the runtime sources
 * built into this dalc (runtime_files.h) into DIR, so that a project that
 * vendors the runtime gets exactly the one its generated code was made
 * for.  Written like generated code (emit/output.c): all files or none,
 * unchanged files keep their modification time; the folder's other files
 * are never touched.  --check changes nothing and exits 1 when DIR differs.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/runtime_files.h"
#include "emit/emit.h"

int dalc_runtime(const cli_args *a)
{
    const char *dir = a->pos[0];
    if (!*dir)
        return cli_usage_error(a, "dalc runtime needs a folder name");
    output_set out;
    output_init(&out);
    out.keep_others = true;
    int rc = EXIT_OK;
    for (size_t i = 0; i < runtime_nfiles; i++) {
        strbuf *b = output_add(&out, runtime_files[i].name);
        if (!b) {
            fprintf(stderr, "dalc: out of memory\n");
            output_free(&out);
            return EXIT_IO;
        }
        sb_add(b, runtime_files[i].text);
    }
    diag_list d;
    diag_init(&d);
    if (cli_has(a, "--check")) {
        strbuf report;
        sb_init(&report);
        rc = output_check(&out, dir, &report, &d);
        if (report.len)
            fputs(sb_str(&report), stdout);
        if (rc == EXIT_INVALID)
            fprintf(stderr, "dalc: %s is not the runtime of dalc %s: run dalc runtime %s\n", dir,
                    DALC_VERSION, dir);
        sb_free(&report);
    } else {
        rc = output_commit(&out, dir, &d);
    }
    if (d.text.len)
        fputs(sb_str(&d.text), stderr);
    diag_free(&d);
    output_free(&out);
    return rc;
}
