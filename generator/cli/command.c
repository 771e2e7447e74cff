/*
 * command.c - the one option parser of dalc, the help texts and the bash
 * completion script, all made from the command table (commands.c,
 * command.h).
 */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/command.h"

/* ---- the table ---------------------------------------------------------- */

/* Words of a command name: "migrate up" has 2. */
static int name_words(const char *name)
{
    int n = 1;
    for (const char *p = name; *p; p++)
        n += *p == ' ';
    return n;
}

/* The nth word of name, copied into buf. */
static const char *name_word(const char *name, int nth, char *buf, size_t n)
{
    for (; nth > 0 && name; nth--) {
        name = strchr(name, ' ');
        name = name ? name + 1 : NULL;
    }
    if (!name)
        return "";
    size_t len = strcspn(name, " ");
    snprintf(buf, n, "%.*s", (int)len, name);
    return buf;
}

static bool first_word_is(const cli_command *c, const char *w)
{
    size_t n = strlen(w);
    return strncmp(c->name, w, n) == 0 && (c->name[n] == ' ' || c->name[n] == '\0');
}

/* A group is the first word of two-word commands ("migrate"). */
static bool is_group(const char *w)
{
    for (int i = 0; i < dalc_ncommands; i++)
        if (name_words(dalc_commands[i].name) > 1 && first_word_is(&dalc_commands[i], w))
            return true;
    return false;
}

static const cli_option *find_option(const cli_option *opts, const char *name, size_t len)
{
    for (const cli_option *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* The option of that name in any command (to know whether it takes a value
 * before the command is known). */
static const cli_option *any_option(const char *name, size_t len)
{
    for (int i = 0; i < dalc_ncommands; i++) {
        const cli_option *o = find_option(dalc_commands[i].opts, name, len);
        if (o)
            return o;
    }
    return NULL;
}

/* ---- did you mean ------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* The best suggestion so far for a mistyped word. */
typedef struct suggestion {
    char text[64]; /* "" while none is close enough */
    size_t dist;
} suggestion;

/* Keeps cand when it is closer to word than the suggestion so far (and
 * close enough to be a typo). */
static void closer(const char *word, const char *cand, suggestion *best)
{
    size_t d = edit_distance(word, cand);
    size_t limit = 1 + strlen(word) / 4;
    if (d <= limit && (!best->text[0] || d < best->dist)) {
        snprintf(best->text, sizeof best->text, "%s", cand);
        best->dist = d;
    }
}

/* ---- output ------------------------------------------------------------- */

#define NBSP '\001'

/* Prints text wrapped at 79 columns, continuation lines indented by
 * indent (the first line continues at column col).  A line of text that
 * starts with a space is printed as it is (an example). */
static void wrap(FILE *f, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            fputc('\n', f);
            p++;
            col = 0;
            continue;
        }
        if (col == 0 && *p == ' ') {
            size_t n = strcspn(p, "\n");
            fprintf(f, "%.*s", (int)n, p);
            p += n;
            col = (int)n;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t n = strcspn(p, " \n");
        if (col == 0 && indent > 0) {
            col = fprintf(f, "%*s", indent, "");
        } else if (col > indent) {
            if (col + 1 + (int)n > 79) {
                fprintf(f, "\n%*s", indent, "");
                col = indent;
            } else {
                fputc(' ', f);
                col++;
            }
        }
        for (size_t k = 0; k < n; k++) /* NBSP: a space that does not break */
            fputc(p[k] == NBSP ? ' ' : p[k], f);
        col += (int)n;
        p += n;
    }
}

/* "usage: dalc migrate up [--db URL] ... [N]" */
static void print_usage(FILE *f, const cli_command *c)
{
    strbuf s;
    sb_init(&s);
    for (const cli_option *o = c->opts; o->name; o++) {
        if (strcmp(o->name, "--help") == 0)
            continue;
        sb_printf(&s, " %s%s%s%s%s%s", o->required ? "" : "[", o->name, o->arg ? "\001" : "",
                  o->arg ? o->arg : "", o->required ? "" : "]", o->repeat ? "..." : "");
    }
    if (c->args)
        sb_printf(&s, " %s", c->args);
    int col = fprintf(f, "usage: dalc %s ", c->name);
    wrap(f, sb_str(&s), col, col);
    fputc('\n', f);
    sb_free(&s);
}

static void print_command_list(FILE *f, const char *group)
{
    for (int i = 0; i < dalc_ncommands; i++) {
        const cli_command *c = &dalc_commands[i];
        if (group && !first_word_is(c, group))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", c->name, c->args ? " " : "", c->args ? c->args : "");
        int col = fprintf(f, "  %-22s ", head);
        if (col > 25) {
            fprintf(f, "\n%25s", "");
            col = 25;
        }
        wrap(f, c->summary, col, 25);
        fputc('\n', f);
    }
}

static const char EXIT_CODES[] =
    "exit codes: 0 success; 1 invalid schema, stale output, differences found or a refused "
    "migration; 2 usage error; 3 I/O error (files, or the connection to a database)\n";

static void print_help(void)
{
    printf("usage: dalc COMMAND [OPTIONS]   (options before or after the command)\n"
           "       dalc COMMAND --help | dalc --help | dalc --version\n\n");
    wrap(stdout,
         "dalc compiles a YAML schema (one schema/<table>.yaml per table or view, named "
         "queries in schema/*.sql) into SQL DDL for PostgreSQL and SQLite and C code "
         "(structs, row mapping, CRUD and query functions) that compiles against its small "
         "runtime.\n",
         0, 0);
    printf("\ncommands:\n");
    print_command_list(stdout, NULL);
    printf("\nRun `dalc COMMAND --help` for the options of a command.\n\n");
    wrap(stdout, EXIT_CODES, 0, 0);
}

static void print_command_help(const cli_command *c)
{
    print_usage(stdout, c);
    printf("\n");
    wrap(stdout, c->detail, 0, 0);
    printf("\noptions:\n");
    for (const cli_option *o = c->opts; o->name; o++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        int col = printf("  %-22s ", head);
        if (col > 25) {
            printf("\n%25s", "");
            col = 25;
        }
        strbuf h;
        sb_init(&h);
        sb_printf(&h, "%s%s%s", o->help, o->required ? " (required)" : "",
                  o->repeat ? " (may be repeated)" : "");
        wrap(stdout, sb_str(&h), col, 25);
        sb_free(&h);
        printf("\n");
    }
    printf("\n");
    wrap(stdout, EXIT_CODES, 0, 0);
}

static void print_group_help(FILE *f, const char *group)
{
    fprintf(f, "usage: dalc %s SUBCOMMAND [OPTIONS]\n\nsubcommands:\n", group);
    print_command_list(f, group);
    fprintf(f, "\nRun `dalc %s SUBCOMMAND --help` for its options.\n", group);
}

static int top_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int top_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dalc: error: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: dalc COMMAND [OPTIONS]; the commands are:\n");
    print_command_list(stderr, NULL);
    fprintf(stderr, "Run `dalc COMMAND --help` for the options of a command.\n");
    return EXIT_USAGE;
}

int cli_usage_error(const cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dalc: error: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage(stderr, a->cmd);
    fprintf(stderr, "Run `dalc %s --help` for its options.\n", a->cmd->name);
    return EXIT_USAGE;
}

/* ---- parsed arguments --------------------------------------------------- */

const char *cli_get(const cli_args *a, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0)
            v = a->opts[i].value;
    return v;
}

bool cli_has(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0)
            return true;
    return false;
}

int cli_get_int(const cli_args *a, const char *name, int min, int max, int *out)
{
    const char *v = cli_get(a, name);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    /* digits only: no sign, no spaces, nothing after */
    if (*v < '0' || *v > '9' || errno || *end || n < min || n > max)
        return -1;
    *out = (int)n;
    return 1;
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct raw_opt {
    const char *arg;   /* as typed: "--schema=x" or "--schema" */
    size_t name_len;   /* of the name part */
    const char *value; /* NULL for a flag */
} raw_opt;

/* Resolves the command from the words; sets *nused to the words it took.
 * NULL when no command matches. */
static const cli_command *resolve(char **words, int nwords, int *nused)
{
    const cli_command *best = NULL;
    int bestn = 0;
    for (int i = 0; i < dalc_ncommands; i++) {
        const cli_command *c = &dalc_commands[i];
        int n = name_words(c->name);
        if (n > nwords || n <= bestn)
            continue;
        bool match = true;
        for (int w = 0; w < n && match; w++) {
            char buf[64];
            match = strcmp(name_word(c->name, w, buf, sizeof buf), words[w]) == 0;
        }
        if (match) {
            best = c;
            bestn = n;
        }
    }
    *nused = bestn;
    return best;
}

static int unknown_command(char **words, int nwords, bool help)
{
    if (is_group(words[0])) {
        if (nwords == 1 && help) {
            print_group_help(stdout, words[0]);
            return EXIT_OK;
        }
        suggestion best = {"", 0};
        char buf[64];
        for (int i = 0; nwords > 1 && i < dalc_ncommands; i++)
            if (first_word_is(&dalc_commands[i], words[0]))
                closer(words[1], name_word(dalc_commands[i].name, 1, buf, sizeof buf), &best);
        if (nwords == 1)
            fprintf(stderr, "dalc: error: dalc %s needs a subcommand\n", words[0]);
        else
            fprintf(stderr, "dalc: error: unknown subcommand %s %s%s%s%s\n", words[0], words[1],
                    best.text[0] ? " (did you mean " : "", best.text,
                    best.text[0] ? "?)" : "");
        print_group_help(stderr, words[0]);
        return EXIT_USAGE;
    }
    suggestion best = {"", 0};
    char buf[64];
    for (int i = 0; i < dalc_ncommands; i++)
        closer(words[0], name_word(dalc_commands[i].name, 0, buf, sizeof buf), &best);
    char sugg[96] = "";
    if (best.text[0])
        snprintf(sugg, sizeof sugg, " (did you mean %s?)", best.text);
    return top_usage_error("unknown command %s%s", words[0], sugg);
}

/* Checks the options against the command's; fills a->opts. */
static int check_options(cli_args *a, const raw_opt *raw, int nraw)
{
    const cli_command *c = a->cmd;
    for (int i = 0; i < nraw; i++) {
        const raw_opt *r = &raw[i];
        const cli_option *o = find_option(c->opts, r->arg, r->name_len);
        if (!o) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)r->name_len, r->arg);
            suggestion best = {"", 0};
            for (const cli_option *k = c->opts; k->name; k++)
                closer(name, k->name, &best);
            if (best.text[0])
                return cli_usage_error(a, "unknown option %s for dalc %s (did you mean %s?)",
                                       name, c->name, best.text);
            return cli_usage_error(a, "unknown option %s for dalc %s", name, c->name);
        }
        a->opts[a->nopts].name = o->name;
        a->opts[a->nopts].value = r->value;
        a->nopts++;
    }
    for (const cli_option *o = c->opts; o->name; o++)
        if (o->required && !cli_has(a, o->name))
            return cli_usage_error(a, "dalc %s needs %s %s", c->name, o->name, o->arg);
    if (a->npos < c->min_args)
        return cli_usage_error(a, "dalc %s needs %s", c->name, c->args);
    if (a->npos > c->max_args)
        return cli_usage_error(a, "unexpected argument %s (dalc %s takes %s)",
                               a->pos[c->max_args], c->name,
                               c->args ? c->args : "no arguments");
    return -1;
}

static int parse_and_run(int argc, char **argv, raw_opt *raw, char **words)
{
    int nraw = 0, nwords = 0;
    bool help = false, version = false, dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (dashdash || s[0] != '-' || s[1] == '\0') {
            words[nwords++] = argv[i];
            continue;
        }
        if (strcmp(s, "--") == 0) {
            dashdash = true;
            continue;
        }
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            help = true;
            continue;
        }
        if (strcmp(s, "--version") == 0) {
            version = true;
            continue;
        }
        const char *eq = strchr(s, '=');
        size_t len = eq ? (size_t)(eq - s) : strlen(s);
        const cli_option *o = any_option(s, len);
        raw_opt *r = &raw[nraw++];
        r->arg = s;
        r->name_len = len;
        r->value = eq ? eq + 1 : NULL;
        if (o && o->arg && !eq) {
            if (i + 1 >= argc)
                return top_usage_error("option %s needs a value (%s)", o->name, o->arg);
            r->value = argv[++i];
        } else if (o && !o->arg && eq) {
            return top_usage_error("option %s takes no value", o->name);
        }
    }
    if (version && !help) {
        printf("dalc %s\n", DALC_VERSION);
        return EXIT_OK;
    }
    if (nwords == 0) {
        if (help) {
            print_help();
            return EXIT_OK;
        }
        return top_usage_error("no command given");
    }
    int used;
    cli_args a = {.opts = NULL};
    a.cmd = resolve(words, nwords, &used);
    if (!a.cmd)
        return unknown_command(words, nwords, help);
    if (help) {
        print_command_help(a.cmd);
        return EXIT_OK;
    }
    a.pos = words + used;
    a.npos = nwords - used;
    a.opts = malloc(((size_t)nraw + 1) * sizeof *a.opts);
    if (!a.opts) {
        fprintf(stderr, "dalc: out of memory\n");
        return EXIT_IO;
    }
    int rc = check_options(&a, raw, nraw);
    if (rc < 0)
        rc = a.cmd->run(&a);
    free(a.opts);
    return rc;
}

int cli_main(int argc, char **argv)
{
    raw_opt *raw = malloc(((size_t)argc + 1) * sizeof *raw);
    char **words = malloc(((size_t)argc + 1) * sizeof *words);
    int rc;
    if (!raw || !words) {
        fprintf(stderr, "dalc: out of memory\n");
        rc = EXIT_IO;
    } else {
        rc = parse_and_run(argc, argv, raw, words);
    }
    free(raw);
    free(words);
    return rc;
}

/* ---- bash completion ---------------------------------------------------- */

/* The options of c, space separated. */
static void option_names(strbuf *s, const cli_option *opts)
{
    for (const cli_option *o = opts; o->name; o++)
        sb_printf(s, "%s%s", s->len ? " " : "", o->name);
}

/* Options that take a value, by kind: folders, or anything else. */
static void value_options(strbuf *dirs, strbuf *other)
{
    for (int i = 0; i < dalc_ncommands; i++)
        for (const cli_option *o = dalc_commands[i].opts; o->name; o++) {
            if (!o->arg)
                continue;
            strbuf *s = strcmp(o->arg, "DIR") == 0 ? dirs : other;
            char pat[80];
            snprintf(pat, sizeof pat, "|%s|", o->name);
            strbuf probe;
            sb_init(&probe);
            sb_printf(&probe, "|%s|", sb_str(s));
            bool dup = strstr(sb_str(&probe), pat) != NULL;
            sb_free(&probe);
            if (!dup)
                sb_printf(s, "%s%s", s->len ? "|" : "", o->name);
        }
}

int cli_completion_bash(void)
{
    strbuf dirs, other, s;
    sb_init(&dirs);
    sb_init(&other);
    sb_init(&s);
    value_options(&dirs, &other);
    printf("# bash completion for dalc %s, made by `dalc completion bash` from its command "
           "table\n"
           "_dalc() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" cmd=\"\" i w\n"
           "    [ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    # the words before the cursor that are neither options nor their values\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=${COMP_WORDS[i]}\n"
           "        case $w in\n"
           "            %s|%s) ((i++)) ;;\n"
           "            -*) ;;\n"
           "            *) cmd=\"${cmd:+$cmd }$w\" ;;\n"
           "        esac\n"
           "    done\n"
           "    case $prev in\n"
           "        %s) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
           "        %s) COMPREPLY=(); return ;;\n"
           "    esac\n"
           "    local words=\"\" opts=\"--help --version\" dirs=\"\"\n"
           "    case $cmd in\n",
           DALC_VERSION, sb_str(&dirs), sb_str(&other), sb_str(&dirs), sb_str(&other));
    /* top level: the first word of every command */
    sb_clear(&s);
    char buf[64];
    for (int i = 0; i < dalc_ncommands; i++) {
        const char *w = name_word(dalc_commands[i].name, 0, buf, sizeof buf);
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = first_word_is(&dalc_commands[j], w);
        if (!seen)
            sb_printf(&s, "%s%s", s.len ? " " : "", w);
    }
    printf("        \"\") words=\"%s\" ;;\n", sb_str(&s));
    /* two-word commands first: "migrate up ..." before the group "migrate" */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < dalc_ncommands; i++) {
            const cli_command *c = &dalc_commands[i];
            if ((name_words(c->name) > 1) != (pass == 0))
                continue;
            sb_clear(&s);
            option_names(&s, c->opts);
            printf("        \"%s\"|\"%s \"*) opts=\"%s\"%s ;;\n", c->name, c->name, sb_str(&s),
                   !c->args                        ? ""
                   : strcmp(c->args, "DIR") == 0   ? "; dirs=1"
                   : strcmp(c->args, "SHELL") == 0 ? "; words=bash"
                                                   : "");
        }
    /* groups: their subcommands */
    for (int i = 0; i < dalc_ncommands; i++) {
        const cli_command *c = &dalc_commands[i];
        if (name_words(c->name) < 2)
            continue;
        const char *g = name_word(c->name, 0, buf, sizeof buf);
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = name_words(dalc_commands[j].name) > 1 && first_word_is(&dalc_commands[j], g);
        if (seen)
            continue;
        sb_clear(&s);
        for (int j = i; j < dalc_ncommands; j++) {
            char b2[64];
            if (name_words(dalc_commands[j].name) > 1 && first_word_is(&dalc_commands[j], g))
                sb_printf(&s, "%s%s", s.len ? " " : "",
                          name_word(dalc_commands[j].name, 1, b2, sizeof b2));
        }
        printf("        \"%s\") words=\"%s\" ;;\n", g, sb_str(&s));
    }
    printf("    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
           "    elif [ -n \"$words\" ]; then\n"
           "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
           "    elif [ -n \"$dirs\" ]; then\n"
           "        COMPREPLY=($(compgen -d -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=()\n"
           "    fi\n"
           "}\n"
           "complete -F _dalc dalc\n");
    sb_free(&dirs);
    sb_free(&other);
    sb_free(&s);
    return EXIT_OK;
}
