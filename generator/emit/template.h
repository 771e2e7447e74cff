/*
 * template.h - the template files that drive every emitter.
 *
 * A template file (templates/NAME.tmpl, compiled into the binary; read from
 * --templates DIR instead when given) is a list of named sections:
 *
 *   @@ section-name
 *   text with {{slot}} placeholders
 *   @@ next-section
 *
 * Lines starting with "@@#" are comments (each file documents its slots that
 * way).  Rendering a section replaces every {{slot}} with the value given by
 * the emitter; an unknown slot is an error reported as template:line:col, so
 * a user's customised template can never silently drop output.  The text of
 * a section ends with the newline before the next "@@" line.
 */
#ifndef DALC_TEMPLATE_H
#define DALC_TEMPLATE_H

#include <stddef.h>

#include "base/util.h"

typedef struct tmpl_file tmpl_file;
typedef struct tmpl_set tmpl_set;

typedef struct tmpl_slot {
    const char *name;
    const char *value;
} tmpl_slot;

/* Loads the built-in templates, or those of dir (every NAME.tmpl there
 * overrides the built-in of the same name).  Errors go to d. */
tmpl_set *tmpl_load(const char *dir, diag_list *d);
void tmpl_free(tmpl_set *s);

/* Renders section `section` of template file `file` ("ddl.pg") into out. */
bool tmpl_render(const tmpl_set *s, const char *file, const char *section,
                 const tmpl_slot *slots, size_t nslots, strbuf *out, diag_list *d);

/* Built-in templates, generated at build time from templates/ (embed.c). */
typedef struct tmpl_builtin {
    const char *name; /* "ddl.pg" for templates/ddl.pg.tmpl */
    const char *text;
} tmpl_builtin;
extern const tmpl_builtin tmpl_builtins[];
extern const size_t tmpl_nbuiltins;

#endif
