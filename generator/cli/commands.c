/*
 * commands.c - the command table (command.h): every command of dalc, its
 * help text and options, and the function that runs it.  Help, usage
 * errors and the bash completion are made from this table; an option name
 * has the same meaning (flag or value) in every command that has it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/command.h"

/* ---- options shared by several commands -------------------------------- */

#define OPT_SCHEMA {"--schema", "DIR", "the schema folder (default: schema)", false, false}
#define OPT_OUT {"--out", "DIR", "the output folder (default: generated)", false, false}
#define OPT_PREFIX                                                                             \
    {"--prefix", "P", "prefix of every generated C name (letters, digits, '_'; default: none)", \
     false, false}
#define OPT_TEMPLATES                                                                          \
    {"--templates", "DIR", "read NAME.tmpl templates from DIR instead of the built-in ones",    \
     false, false}
#define OPT_GEN_MIGRATIONS                                                                     \
    {"--migrations", "DIR",                                                                    \
     "embed the migrations of DIR (migrations.c/.h, schema_migrate); default: the folder "     \
     "`migrations` beside the schema folder, when it exists",                                  \
     false, false}
#define OPT_VERIFY                                                                             \
    {"--verify", "URL",                                                                        \
     "also check the named queries and views on this PostgreSQL server, in a transaction "     \
     "that is rolled back (default: $DALC_VERIFY_URL)",                                        \
     false, false}
#define OPT_JOBS                                                                               \
    {"--jobs", "N",                                                                            \
     "render the tables' C files on N threads (default: the online CPUs, at most 4; 1: no "   \
     "threads); the output is the same for every N",                                          \
     false, false}
#define OPT_DB                                                                                 \
    {"--db", "URL", "the database (default: $DATABASE_URL, else sqlite:dalc.db)", false, false}
#define OPT_MIGRATIONS                                                                         \
    {"--migrations", "DIR", "the migrations folder (default: migrations); it must exist",      \
     false, false}
#define OPT_DRY_RUN {"--dry-run", NULL, "print what would be done, change nothing", false, false}
#define OPT_DESTRUCTIVE                                                                        \
    {"--allow-destructive", NULL,                                                              \
     "also run destructive steps (dropping a table or column, ...) on tables that hold rows", \
     false, false}
#define OPT_LOCK_TIMEOUT                                                                       \
    {"--lock-timeout", "MS",                                                                   \
     "wait at most MS milliseconds for the migration lock (default: 60000)", false, false}
#define OPT_HELP {"--help", NULL, "show this help", false, false}
#define OPT_END {NULL, NULL, NULL, false, false}

/* ---- generate, check --------------------------------------------------- */

static const cli_option GENERATE_OPTS[] = {OPT_SCHEMA,         OPT_OUT,    OPT_PREFIX,
                                           OPT_TEMPLATES,      OPT_GEN_MIGRATIONS,
                                           OPT_VERIFY,         OPT_JOBS,   OPT_HELP,
                                           OPT_END};

/* ---- pull, diff (pull.c, diff.c; docs/pull.md) -------------------------- */

static const cli_option PULL_OPTS[] = {
    {"--db", "URL",
     "the database: sqlite:PATH, postgres://..., postgresql://... or a libpq key=value string "
     "(a SQLite file is opened read-only)",
     true, false},
    {"--out", "DIR",
     "the folder to write into (default: schema; created when missing; other files in it are "
     "left alone)",
     false, false},
    {"--table", "NAME", "pull only this table or view", false, true},
    OPT_HELP,
    OPT_END};
static const cli_option DIFF_OPTS[] = {
    {"--db", "URL", "the database to compare (sqlite:PATH, postgres://..., key=value)", true,
     false},
    OPT_SCHEMA, OPT_HELP, OPT_END};

/* ---- runtime, completion ----------------------------------------------- */

static const cli_option RUNTIME_OPTS[] = {
    {"--check", NULL,
     "change nothing; exit 1 when DIR does not hold exactly these runtime sources", false,
     false},
    OPT_HELP,
    OPT_END};
static const cli_option HELP_ONLY[] = {OPT_HELP, OPT_END};

static int run_completion(const cli_args *a)
{
    if (strcmp(a->pos[0], "bash") != 0)
        return cli_usage_error(a, "no completion for shell %s (bash is supported)", a->pos[0]);
    return cli_completion_bash();
}

/* ---- migrations -------------------------------------------------------- */

static const cli_option MIGRATION_NEW_OPTS[] = {
    OPT_SCHEMA,
    {"--migrations", "DIR", "the migrations folder (default: migrations; created if missing)",
     false, false},
    OPT_HELP,
    OPT_END};
static const cli_option MIGRATE_OPTS[] = {OPT_DB,      OPT_MIGRATIONS,   OPT_DRY_RUN,
                                          OPT_DESTRUCTIVE, OPT_LOCK_TIMEOUT, OPT_HELP,
                                          OPT_END};
static const cli_option MIGRATE_UP_OPTS[] = {
    OPT_DB,
    OPT_MIGRATIONS,
    OPT_DRY_RUN,
    OPT_DESTRUCTIVE,
    {"--target", "VERSION", "stop after migration VERSION", false, false},
    OPT_LOCK_TIMEOUT,
    OPT_HELP,
    OPT_END};
static const cli_option MIGRATE_STATUS_OPTS[] = {OPT_DB, OPT_MIGRATIONS, OPT_HELP, OPT_END};
static const cli_option MIGRATE_RECORD_OPTS[] = {OPT_DB,           OPT_MIGRATIONS, OPT_DRY_RUN,
                                                 OPT_LOCK_TIMEOUT, OPT_HELP,       OPT_END};

#define MIGRATE_DETAIL_TAIL                                                                    \
    "\nThe database is --db URL, else $DATABASE_URL, else sqlite:dalc.db.  A --migrations "     \
    "folder that does not exist is an error (exit 3), not an empty history.  See "              \
    "docs/migrations.md.\n"

const cli_command dalc_commands[] = {
    {"generate", NULL, 0, 0, "write the SQL and C generated from the schema",
     "Reads the schema folder (tables and views as *.yaml, named queries as *.sql) and "
     "writes the DDL for PostgreSQL and SQLite and the C code into the output folder: all "
     "files or none; files whose content did not change keep their modification time; files "
     "dalc wrote before and no longer produces are removed.\n",
     GENERATE_OPTS, dalc_generate},
    {"check", NULL, 0, 0, "exit 1 when the output folder is not what generate would write",
     "Changes nothing.  Exits 0 when the output folder holds exactly what `dalc generate` "
     "would write, else 1, listing the stale, missing and extra files (for CI and pre-commit "
     "hooks).\n",
     GENERATE_OPTS, dalc_generate},
    {"pull", NULL, 0, 0, "write YAML schema files for the tables and views of a live database",
     "Reads the tables and views of a live PostgreSQL or SQLite database and writes one "
     "schema file per table and view into DIR, as a person writes them.  What the schema "
     "language cannot say is printed as a warning naming the table and column and what was "
     "done (see docs/pull.md).  Exits 1 when the files were written but need edits before "
     "they load, 3 when the database cannot be read.\n",
     PULL_OPTS, dalc_pull},
    {"diff", NULL, 0, 0, "compare a live database with the schema (exit 1 when they differ)",
     "Compares a live database with the schema and prints what differs, one line per "
     "difference (`table T: column C: ...`).  The schema's DDL is applied to a scratch place "
     "on the same engine (PostgreSQL: a schema inside a transaction that is rolled back; "
     "SQLite: an in-memory database) and both are read the same way.  Exits 0 when they "
     "match, 1 when anything differs (or the schema is invalid), 3 when the database cannot "
     "be read.\n",
     DIFF_OPTS, dalc_diff},
    {"runtime", "DIR", 1, 1, "write the runtime sources that match this dalc into DIR",
     "Writes the runtime (dal.h, dal_migrate.h and the dal*.c files the generated code "
     "compiles against) as built into this dalc into DIR, created if needed.  Files whose "
     "content did not change keep their modification time; no other file is touched.  A "
     "project that vendors the runtime needs only the dalc binary:\n"
     "\n"
     "  dalc generate --out generated && dalc runtime runtime\n"
     "  cc -Iruntime -Igenerated runtime/*.c generated/*.c app.c \\\n"
     "     -I$(pg_config --includedir) -lpq -lsqlite3 -lpthread -lm\n",
     RUNTIME_OPTS, dalc_runtime},
    {"migration new", "NAME", 1, 1, "write the next migration from the schema's changes",
     "Compares the schema folder with the snapshot of the newest migration and writes "
     "migrations/NNNN_NAME/ (up and down SQL for PostgreSQL and SQLite, and a snapshot of the "
     "schema).  NAME: letters, digits, '_' and '-'.  Destructive steps are listed.\n",
     MIGRATION_NEW_OPTS, dalc_migration_new},
    {"migrate status", NULL, 0, 0, "list the migrations: applied (and when) or pending",
     "One line per migration: applied (with its time) or pending.  Never creates a database: "
     "a SQLite file that does not exist has every migration pending.  Exits 1 when an applied "
     "migration's file changed since it was applied.\n" MIGRATE_DETAIL_TAIL,
     MIGRATE_STATUS_OPTS, dalc_migrate},
    {"migrate up", "[N]", 0, 1, "apply the pending migrations (at most N)",
     "Applies the pending migrations in order (at most N of them, or up to --target), each in "
     "a transaction, under a lock so that concurrent runs apply each migration once.  A "
     "destructive step on a table that holds rows stops it before that migration, naming the "
     "step: rerun with --allow-destructive to apply it.\n" MIGRATE_DETAIL_TAIL,
     MIGRATE_UP_OPTS, dalc_migrate},
    {"migrate down", "[N]", 0, 1, "revert the newest N applied migrations (default 1)",
     "Runs the down SQL of the newest N applied migrations (default 1), newest first.  A "
     "destructive step on a table that holds rows stops it, naming the step: rerun with "
     "--allow-destructive.\n" MIGRATE_DETAIL_TAIL,
     MIGRATE_OPTS, dalc_migrate},
    {"migrate baseline", "N", 1, 1, "record migrations 1..N as applied without running them",
     "Adopts a database made by schema_create, from schema.*.sql or by hand, whose schema "
     "matches migration N: records migrations 1..N as applied without running them.\n"
         MIGRATE_DETAIL_TAIL,
     MIGRATE_RECORD_OPTS, dalc_migrate},
    {"migrate repair", NULL, 0, 0, "accept applied migrations edited without changing their effect",
     "Records the new checksums of applied migrations whose files were edited (a comment, "
     "formatting) after re-deriving the schema they give and comparing it with the "
     "database's; refuses an edit that changes the schema.\n" MIGRATE_DETAIL_TAIL,
     MIGRATE_RECORD_OPTS, dalc_migrate},
    {"completion", "SHELL", 1, 1, "print the shell completion script (bash)",
     "Prints a completion script for SHELL (bash) made from this dalc's commands and options:\n"
     "\n"
     "  source <(dalc completion bash)\n"
     "\n"
     "or install it as /usr/share/bash-completion/completions/dalc.\n",
     HELP_ONLY, run_completion},
};
const int dalc_ncommands = (int)(sizeof dalc_commands / sizeof dalc_commands[0]);
