/*
 * runtime_files.h - the runtime sources (every .c and .h file of runtime/) built
 * into dalc by generator/embed/embed.c, for `dalc runtime DIR`.
 */
#ifndef DALC_CLI_RUNTIME_FILES_H
#define DALC_CLI_RUNTIME_FILES_H

#include <stddef.h>

typedef struct runtime_file {
    const char *name; /* "dal.c" */
    const char *text; /* the file's content */
} runtime_file;

/* runtime_nfiles entries, then {NULL, NULL}; sorted by name. */
extern const runtime_file runtime_files[];
extern const size_t runtime_nfiles;

#endif
