/*
 * command.h - the command table of dalc and the one option parser every
 * command goes through (command.c).
 *
 * Each command is a row of dalc_commands[]: its name ("generate",
 * "migrate up"), the positional arguments it takes, a one-line summary, a
 * longer description, its options (name, value placeholder, description)
 * and the function that runs it.  `dalc --help`, `dalc COMMAND --help`,
 * the usage lines of errors, "did you mean" suggestions and the bash
 * completion script (`dalc completion bash`) are all made from this table,
 * so they cannot disagree with what the parser accepts.
 *
 * Parsing (cli_main): options may come anywhere, before or after the
 * command words, as "--opt VALUE" or "--opt=VALUE"; "--" ends the options.
 * A handler receives the parsed arguments and returns the exit code
 * (0 success, 1 invalid schema / stale output / differences / refused
 * migration, 2 usage error, 3 I/O error, including a failed connection).
 */
#ifndef DALC_CLI_COMMAND_H
#define DALC_CLI_COMMAND_H

#include <stdbool.h>

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

typedef struct cli_option {
    const char *name; /* "--schema" */
    const char *arg;  /* the value's placeholder ("DIR"), NULL for a flag */
    const char *help; /* one line */
    bool required;
    bool repeat; /* may be given several times (--table A --table B) */
} cli_option;

/* One option given on the command line (in the order given). */
typedef struct cli_given {
    const char *name;  /* the option's name in the table */
    const char *value; /* NULL for a flag */
} cli_given;

struct cli_command;

typedef struct cli_args {
    const struct cli_command *cmd;
    cli_given *opts;
    int nopts;
    char **pos; /* positional arguments after the command words */
    int npos;
} cli_args;

typedef struct cli_command {
    const char *name;    /* one or two words: "generate", "migrate up" */
    const char *args;    /* positional synopsis ("NAME", "[N]"), or NULL */
    int min_args, max_args;
    const char *summary; /* one line, for `dalc --help` */
    const char *detail;  /* paragraphs for `dalc COMMAND --help` */
    const cli_option *opts; /* terminated by {NULL} */
    int (*run)(const cli_args *a);
} cli_command;

extern const cli_command dalc_commands[];
extern const int dalc_ncommands;

/* The last value given for option name (e.g. "--schema"), else NULL. */
const char *cli_get(const cli_args *a, const char *name);
/* Option name as a whole number in [min, max] (digits only): 1 with *out
 * set, 0 when it was not given (*out untouched), -1 when its value is not
 * such a number. */
int cli_get_int(const cli_args *a, const char *name, int min, int max, int *out);
/* True when the flag (or option) name was given. */
bool cli_has(const cli_args *a, const char *name);

/* A usage error of command a->cmd: prints "dalc: error: MESSAGE", the
 * command's usage and where its help is; returns EXIT_USAGE. */
int cli_usage_error(const cli_args *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The whole command line as main received it: parses, prints help,
 * version or usage errors, runs the command; returns the exit code. */
int cli_main(int argc, char **argv);

/* Writes the bash completion script made from the table to stdout. */
int cli_completion_bash(void);

#endif
