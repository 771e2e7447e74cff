/*
 * cli.h - the commands of dalc, one function each, run through the command
 * table (command.h, commands.c) by main.c.
 *
 * cli/ owns everything the user types and reads: options, usage text, exit
 * codes, printing diagnostics.  It is the top of the generator and may
 * include every other stage (base, front, model, sql, emit) and the
 * runtime's dal.h / dal_migrate.h (`dalc migrate` applies migrations);
 * nothing includes cli/ but main.c.  No command exits: each returns its
 * exit code (0 success, 1 invalid schema, stale output, differences or
 * refused migration, 2 usage error, 3 I/O error, a failed connection
 * included).  Each receives the arguments the shared parser checked
 * against its row of the table.
 */
#ifndef DALC_CLI_H
#define DALC_CLI_H

#include <stdbool.h>

#include "cli/command.h"

/* `dalc generate` and `dalc check` (generate.c). */
int dalc_generate(const cli_args *a);

/* `dalc migration new NAME` (migrate_cli.c). */
int dalc_migration_new(const cli_args *a);

/* `dalc migrate status|up|down|baseline|repair` (migrate_cli.c). */
int dalc_migrate(const cli_args *a);

/* `dalc runtime DIR` (runtime_cli.c). */
int dalc_runtime(const cli_args *a);

/* `dalc pull --db URL [--out DIR] [--table NAME ...]` (pull.c). */
int dalc_pull(const cli_args *a);

/* `dalc diff --db URL [--schema DIR]` (diff.c). */
int dalc_diff(const cli_args *a);

#endif
