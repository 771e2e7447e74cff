/*
 * dal_migrate.h - applies versioned schema migrations (made by
 * `dalc migration new`) to a database; used by `dalc migrate` and by the
 * generated `Pschema_migrate`, `dalc migrate baseline` (adopting a
 * database created without migrations) and `dalc migrate repair` (accepting
 * an edited migration whose effect is unchanged).  See docs/migrations.md.
 *
 * Bookkeeping table (created on first use):
 *   dal_schema_migrations(version integer primary key, name text,
 *                         checksum text,    -- SHA-256 hex of the applied up SQL
 *                         applied_at timestamp)
 *
 * Guarantees:
 *   - each migration runs in its own transaction with its bookkeeping row:
 *     a crash (even SIGKILL) leaves the database at the previous version;
 *   - concurrent migrators serialize (PostgreSQL: pg_advisory_xact_lock under
 *     lock_timeout; SQLite: BEGIN IMMEDIATE, retried until lock_timeout_ms),
 *     and the table is re-read after the lock is taken, so every migration
 *     applies exactly once;
 *   - an applied migration whose up SQL changed is refused (message contains
 *     "checksum"; dal_migrate_repair accepts an edit that changes nothing);
 *     a migration whose SQL has a line starting with "-- destructive" and
 *     whose named tables hold rows is refused unless allow_destructive
 *     (message contains "destructive").
 *   - SQLite: foreign_keys is turned off around each migration (it cannot
 *     change inside a transaction; table rebuilds need it off) and
 *     PRAGMA foreign_key_check must come back empty before the commit.
 * Nothing here prints: progress lines go to the optional callback.
 */
#ifndef DAL_MIGRATE_H
#define DAL_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "dal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One migration, both dialects.  Versions are > 0 and strictly increasing
 * in the arrays given to the functions below.  Strings are only read. */
typedef struct dal_migration {
    int version;            /* 1 for 0001_init */
    const char *name;       /* "init" */
    const char *up_pg, *down_pg;         /* NULL when absent */
    const char *up_sqlite, *down_sqlite; /* NULL when absent */
} dal_migration;

/* A progress line ("applying 0002_add_tags", or, with dry_run, the SQL). */
typedef void (*dal_migrate_progress_fn)(void *ctx, const char *line);

/* What a call did, for callers that want more than the status (may be
 * NULL in the options). */
typedef struct dal_migrate_report {
    int done;            /* migrations applied (up), reverted (down), repaired */
    int refused_version; /* the destructive migration the run stopped at (0: none) */
} dal_migrate_report;

typedef struct dal_migrate_opts {
    bool allow_destructive; /* run migrations marked destructive */
    bool dry_run;           /* report what would run; change nothing */
    int target;             /* up: stop after this version (0 = all) */
    int lock_timeout_ms;    /* waiting for another migrator (0 = 60000) */
    dal_migrate_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    dal_migrate_report *report; /* may be NULL; filled by up, down and repair */
} dal_migrate_opts;

typedef struct dal_migration_state {
    int version;
    bool applied;
    bool checksum_mismatch;  /* applied, but its up SQL changed since */
    char applied_at[40];     /* text as stored, "" when pending */
} dal_migration_state;

/* Applies every pending migration (up to opts->target) in version order,
 * each in its own transaction.  opts may be NULL (defaults).  Returns
 * DAL_OK, DAL_BUSY (lock timeout: the message names the PostgreSQL backend
 * holding the lock), or the error of the failing migration (earlier ones
 * stay applied).
 *
 * Destructive migrations (dal_migration_sql_destructive) are checked at
 * apply time, inside their transaction, after the lock: one whose
 * "-- destructive:" lines name only tables that hold no rows (read under
 * the lock) loses nothing and is applied; otherwise, unless
 * allow_destructive, the run stops there with DAL_MISUSE (message contains
 * "destructive"; report->refused_version names it), the migrations before
 * it staying applied.  See docs/migrations.md for the rule.
 * With dry_run, the SQL of every pending migration is reported (progress),
 * destructive ones included, and nothing changes.
 * When the first migration fails on a database that has tables but no
 * migration history, the message suggests baseline. */
dal_status dal_migrate_up(dal_db *db, const dal_migration *migs, size_t n,
                          const dal_migrate_opts *opts);

/* Reverts the `steps` most recently applied migrations (newest first), each
 * with its down SQL in its own transaction; destructive down SQL follows the
 * same rule as up (stops at the first one that needs approval). */
dal_status dal_migrate_down(dal_db *db, const dal_migration *migs, size_t n, int steps,
                            const dal_migrate_opts *opts);

/* Adopts a database whose schema already matches migrations 1..version (made
 * by schema_create, by hand, or by another tool): records every migration of
 * migs with a version <= `version` as applied (its checksum, applied_at =
 * now) WITHOUT running its SQL, all in one transaction under the same lock
 * as dal_migrate_up.  `version` must be the version of one of migs.
 * Migrations already recorded with the same checksum are kept as they are.
 * Refused (nothing recorded) when one of them is recorded with a different
 * checksum (DAL_ERROR, message contains "checksum"), when a version greater
 * than `version` is recorded (DAL_ERROR, "newer"), or when a migration has no
 * up SQL for db's dialect (DAL_MISUSE).  With opts->dry_run, reports what it
 * would record (progress) and changes nothing, not even creating the
 * bookkeeping table.  The schema itself is not compared: the caller vouches
 * that it matches.  opts may be NULL; target and allow_destructive are
 * ignored. */
dal_status dal_migrate_baseline(dal_db *db, const dal_migration *migs, size_t n, int version,
                                const dal_migrate_opts *opts);

/* For migrations whose up SQL was edited after they were applied: records
 * the new checksum, after checking that the edit changes nothing on this
 * database.  The check re-derives the schema: every recorded migration's up
 * SQL as it is now is run, in version order, on an empty scratch schema
 * (PostgreSQL: a temporary schema inside the transaction, rolled back;
 * SQLite: a private in-memory database), and the tables, columns, defaults,
 * constraints and indexes obtained must equal those of the database; else
 * refused (DAL_ERROR, message contains "differs").  All under the migration
 * lock in one transaction.  Data is not compared: an edit that only adds a
 * data step (a backfill) is accepted, and that step is not run here.
 * Refused too when a recorded version is not in migs (DAL_MISUSE).  With
 * dry_run, checks and reports and records nothing. */
dal_status dal_migrate_repair(dal_db *db, const dal_migration *migs, size_t n,
                              const dal_migrate_opts *opts);

/* Fills out[i] for migs[i] (out has n entries).  *unknown (may be NULL)
 * receives the number of applied versions that are not in migs.  Creates
 * nothing. */
dal_status dal_migrate_status(dal_db *db, const dal_migration *migs, size_t n,
                              dal_migration_state *out, int *unknown);

/* Start-up check: is db at the newest of migs (the migrations a program was
 * compiled with)?  DAL_OK when every migration of migs is applied, with the
 * checksums they were compiled with, and nothing newer is recorded; else
 * DAL_ERROR with a message naming both versions ("database is at migration
 * 0002_x, this program was compiled for 0003_y; run dalc migrate up"; no
 * migration applied; an applied one that differs, "checksum"; newer ones
 * this program does not know).  Only reads: creates nothing, changes
 * nothing. */
dal_status dal_migrate_check(dal_db *db, const dal_migration *migs, size_t n);

/* The up/down SQL of m for db's dialect (NULL when absent). */
const char *dal_migration_up_sql(const dal_migration *m, dal_dialect d);
const char *dal_migration_down_sql(const dal_migration *m, dal_dialect d);

/* True when sql has a line starting with "-- destructive". */
bool dal_migration_sql_destructive(const char *sql);

/* SHA-256 of len bytes as 64 lower-case hex digits + NUL. */
void dal_sha256_hex(const void *data, size_t len, char out[65]);

#ifdef __cplusplus
}
#endif
#endif
