/*
 * cli.h - the commands of dalc, one function each, called by main.c.
 *
 * cli/ owns everything the user types and reads: options, usage text, exit
 * codes, printing diagnostics.  It is the top of the generator and may
 * include every other stage (base, front, model, sql, emit) and the
 * runtime's dal.h / dal_migrate.h (`dalc migrate` applies migrations);
 * nothing includes cli/ but main.c.  No command exits: each returns its
 * exit code (0 success, 1 invalid schema, stale output or refused
 * migration, 2 usage error, 3 I/O error).
 */
#ifndef DALC_CLI_H
#define DALC_CLI_H

#include <stdbool.h>

/* `dalc generate|check [--schema DIR] [--out DIR] [--prefix P]
 * [--templates DIR] [--migrations DIR]`, `--help`, `--version`
 * (generate.c): argv as main received it. */
int dalc_generate(int argc, char **argv);

/* `dalc migration new NAME [--schema DIR] [--migrations DIR]`
 * (migrate_cli.c): argv holds every argument but the program name and the
 * word "migration" (options anywhere). */
int dalc_migration_new(int argc, char **argv);

/* `dalc migrate [--db URL] [--migrations DIR] status|up|down [N]|baseline N
 *  [--dry-run] [--allow-destructive] [--target V]`: everything after
 * "migrate". */
int dalc_migrate(int argc, char **argv);

/* `dalc pull --db URL [--out DIR] [--table NAME ...]` (pull.c): argv holds
 * every argument but the program name. */
int dalc_pull(int argc, char **argv);

/* `dalc diff --db URL [--schema DIR]` (diff.c): argv as for dalc_pull. */
int dalc_diff(int argc, char **argv);

/* Option `name` at argv[*i] as "--name VALUE" (advancing *i) or
 * "--name=VALUE": 1 and *value set, 0 when argv[*i] is another word, -1 when
 * the value is missing (pull.c; shared by pull and diff). */
int cli_option(int argc, char **argv, int *i, const char *name, const char **value);

#endif
