/*
 * main.c - the dalc command line: hands the arguments to the command that
 * owns them (cli/cli.h).  This is the only place the generator exits from.
 */
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"

/* `dalc migration ...` / `dalc migrate ...` (generator/migrate_cli.c): the
 * command word may come after options; it is removed from the arguments. */
static int migration_commands(int argc, char **argv)
{
    static const char *const with_value[] = {"--db",     "--migrations", "--schema",
                                             "--target", "--lock-timeout"};
    for (int i = 1; i < argc; i++) {
        bool value = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            value = value || strcmp(argv[i], with_value[k]) == 0;
        if (value) {
            i++;
            continue;
        }
        if (argv[i][0] == '-')
            continue;
        bool mig = strcmp(argv[i], "migration") == 0, run = strcmp(argv[i], "migrate") == 0;
        if (!mig && !run)
            return -1;
        char *rest[256];
        int n = 0;
        for (int j = 1; j < argc && n < 256; j++)
            if (j != i)
                rest[n++] = argv[j];
        return mig ? dalc_migration_new(n, rest) : dalc_migrate(n, rest);
    }
    return -1;
}

/* `dalc pull ...` / `dalc diff ...` (cli/pull.c, cli/diff.c): the first
 * word that is not an option names the command. */
static int introspect_commands(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            if (!strcmp(argv[i], "--db") || !strcmp(argv[i], "--out") ||
                !strcmp(argv[i], "--table") || !strcmp(argv[i], "--schema"))
                i++;
            continue;
        }
        if (!strcmp(argv[i], "pull"))
            return dalc_pull(argc - 1, argv + 1);
        if (!strcmp(argv[i], "diff"))
            return dalc_diff(argc - 1, argv + 1);
        return -1;
    }
    return -1;
}

int main(int argc, char **argv)
{
    int rc = introspect_commands(argc, argv);
    if (rc >= 0)
        return rc;
    rc = migration_commands(argc, argv);
    return rc >= 0 ? rc : dalc_generate(argc, argv);
}
