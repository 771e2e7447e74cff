/*
 * names.c - name tables and the C names of a table (names.h).
 */
#include "model/names.h"

#include <stdlib.h>
#include <string.h>

#include "model/types.h"

/* ---- name tables ------------------------------------------------------- */

typedef struct name_def {
    const char *name;
    const char *what;  /* "the struct of table 'a_b'" */
    srcpos pos;
    int seq;           /* insertion order, for stable reports */
    int owner;         /* one report per pair of owners */
    int first;         /* while reporting: the earlier definition */
} name_def;

struct name_table {
    arena *a;
    name_def *v;
    int n, cap;
    int owner;         /* owner of the names added next */
};

name_table *names_new(arena *a)
{
    name_table *nt = arena_alloc(a, sizeof *nt);
    if (nt)
        *nt = (name_table){.a = a};
    return nt;
}

void names_owner(name_table *nt)
{
    nt->owner++;
}

bool names_add(name_table *nt, const char *name, const char *what, srcpos pos)
{
    if (!name || !what)
        return false;
    if (nt->n == nt->cap) {
        int cap = nt->cap ? nt->cap * 2 : 256;
        name_def *v = arena_alloc(nt->a, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        if (nt->n)
            memcpy(v, nt->v, (size_t)nt->n * sizeof *v);
        nt->v = v;
        nt->cap = cap;
    }
    nt->v[nt->n] = (name_def){name, what, pos, nt->n, nt->owner, 0};
    nt->n++;
    return true;
}

static size_t name_hash(const char *s)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int names_report(name_table *nt, diag_list *d, const char *kind)
{
    if (nt->n < 2)
        return 0;
    /* Each later definition of a name is a collision with the first one, in
     * insertion order: one pass over the names with an open-addressing hash
     * table of first definitions (slot = index + 1, 0 = empty). */
    size_t nslot = 1;
    while (nslot < (size_t)nt->n * 2)
        nslot *= 2;
    int *slot = arena_alloc(nt->a, nslot * sizeof *slot);
    name_def *bad = arena_alloc(nt->a, (size_t)nt->n * sizeof *bad);
    const name_def **first = arena_alloc(nt->a, (size_t)nt->n * sizeof *first);
    if (!slot || !bad || !first)
        return 0;
    int nbad = 0;
    for (int i = 0; i < nt->n; i++) {
        size_t h = name_hash(nt->v[i].name) & (nslot - 1);
        while (slot[h] && strcmp(nt->v[slot[h] - 1].name, nt->v[i].name) != 0)
            h = (h + 1) & (nslot - 1);
        if (!slot[h]) {
            slot[h] = i + 1;
            continue;
        }
        bad[nbad] = nt->v[i];
        bad[nbad].first = nbad;
        first[nbad] = &nt->v[slot[h] - 1];
        nbad++;
    }
    int errors = 0;
    for (int i = 0; i < nbad; i++) {
        const name_def *f = first[bad[i].first];
        bool again = false;
        for (int j = 0; j < i && !again; j++) {
            const name_def *g = first[bad[j].first];
            again = (bad[j].owner == bad[i].owner && g->owner == f->owner) ||
                    (bad[j].owner == f->owner && g->owner == bad[i].owner);
        }
        if (again)
            continue;
        diag_error(d, bad[i].pos, "%s name '%s' of %s collides with %s (%s:%d)", kind,
                   bad[i].name, bad[i].what, f->what, f->pos.file, f->pos.line);
        errors++;
    }
    return errors;
}

/* ---- C names ----------------------------------------------------------- */

const char *const c_table_functions[] = {
    "_insert", "_insert_many", "_upsert", "_insert_cols", "_get", "_get_for_update",
    "_update", "_update_cols", "_update_many", "_delete", "_delete_many", "_count",
    "_list", "_iterate", "_copy", "_free", "_array_free", "_read_"};
const int c_table_nfunctions = (int)(sizeof c_table_functions / sizeof *c_table_functions);

const char *c_names_ident(arena *a, const char *name)
{
    return c_is_reserved(name) ? arena_printf(a, "%s_", name) : name;
}

char *c_names_upper(arena *a, const char *s)
{
    char *u = s ? arena_strdup(a, s) : NULL;
    if (u)
        for (char *p = u; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    return u;
}

/* The parameters and locals of generated functions that come into scope
 * before the table's struct type is used in the same scope, so that a table
 * so named would not compile: `dal_db *db` before `const T *in`, `const T
 * *in` before `T *out`, `void *out` before `T *row = out` (T_read_), `const
 * T_cols *cols` before `T *out` (T_insert_cols), `dal_status s`, `st`, `fn`,
 * `ctx` and `has_row` before `T row;` (T_iterate), a named query's `const
 * Q_params *p` before `const T *row`, a batch bind function's `const void *p`
 * before `const T *row = p`.  The other names generated bodies use
 * (`items`, `len`, `row`, `rows`, `n`, `limit`, `after`, ...) never hide the
 * type where it is used, and member names are apart from ordinary
 * identifiers (`typedef struct items_array { items *items; ... }` is valid
 * C), so a table so named keeps its name: tests/c_names/schema has one of
 * each, compiled by tests/check_vendor.sh.  Sorted. */
static const char *const type_hiding[] = {"cols", "ctx", "db",  "fn", "has_row",
                                          "in",   "out", "p",   "s",  "st"};

static bool hides_type(const char *T)
{
    for (size_t i = 0; i < sizeof type_hiding / sizeof *type_hiding; i++)
        if (!strcmp(T, type_hiding[i]))
            return true;
    return false;
}

/* The table's C name: prefix + name, '_' appended when a parameter or local
 * of the generated functions would hide it (hides_type) or when reserved
 * in C. */
static const char *table_cname(arena *a, const char *prefix, const char *name)
{
    const char *T = arena_printf(a, "%s%s", prefix, name);
    if (T && hides_type(T))
        T = arena_printf(a, "%s_", T);
    return T ? c_names_ident(a, T) : NULL;
}

/* A key parameter: the field, '_' appended when it would clash with the
 * generated function's own parameters and locals or with its types. */
static const char *param_name(arena *a, const char *field, const char *T)
{
    if (c_is_local(field) || strcmp(field, T) == 0 || strncmp(field, "dal_", 4) == 0)
        return arena_printf(a, "%s_", field);
    return field;
}

/* "a_b_c" for the columns a, b_c. */
static const char *cols_suffix(arena *a, m_column *const *cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '_');
        sb_add(&sb, cols[i]->name);
    }
    const char *s = sb.oom ? NULL : arena_strdup(a, sb_str(&sb));
    sb_free(&sb);
    return s;
}

static bool seen_cols(const c_key *k, int n, m_column *const *cols, int ncols)
{
    for (int i = 0; i < n; i++)
        if (model_same_cols(cols, ncols, k[i].cols, k[i].n))
            return true;
    return false;
}

static bool add_key(arena *a, const char *T, const char *kind, c_key *k, m_column **cols,
                    int ncols, bool from_index, srcpos pos)
{
    k->cols = cols;
    k->n = ncols;
    k->suffix = cols_suffix(a, cols, ncols);
    k->fn = k->suffix ? arena_printf(a, "%s_%s_%s", T, kind, k->suffix) : NULL;
    k->from_index = from_index;
    k->pos = pos;
    return k->fn != NULL;
}

/* get_by: unique constraints, then unique indexes without WHERE; one per
 * column list and not the primary key's.  A constraint with the SQL name of
 * an earlier one is left out: that is reported once, as an SQL collision. */
static bool table_gets(arena *a, const m_table *t, c_table_names *out)
{
    out->gets = arena_alloc(a, sizeof *out->gets * (size_t)(t->nuniques + t->nindexes + 1));
    if (!out->gets)
        return false;
    for (int j = 0; j < t->nuniques + t->nindexes; j++) {
        bool is_u = j < t->nuniques;
        const m_unique *u = is_u ? &t->uniques[j] : NULL;
        const m_index *ix = is_u ? NULL : &t->indexes[j - t->nuniques];
        if (ix && (!ix->unique || ix->where))
            continue;
        m_column **cols = is_u ? u->cols : ix->cols;
        int ncols = is_u ? u->ncols : ix->ncols;
        const char *sqlname = is_u ? u->name : ix->name;
        bool seen = model_same_cols(cols, ncols, t->pk, t->npk) ||
                    seen_cols(out->gets, out->ngets, cols, ncols);
        for (int k = 0; k < j && !seen; k++) {
            const char *o = k < t->nuniques ? t->uniques[k].name
                                            : t->indexes[k - t->nuniques].name;
            seen = sqlname && o && !strcmp(sqlname, o);
        }
        if (seen)
            continue;
        c_key *k = &out->gets[out->ngets++];
        if (!add_key(a, out->T, "get_by", k, cols, ncols, !is_u, is_u ? u->pos : ix->pos))
            return false;
        k->fn_locked = arena_printf(a, "%s_for_update", k->fn);
        if (!k->fn_locked)
            return false;
    }
    return true;
}

/* list_by: every index, then every foreign key; one per column list. */
static bool table_lists(arena *a, const m_table *t, c_table_names *out)
{
    out->lists = arena_alloc(a, sizeof *out->lists * (size_t)(t->nindexes + t->ncolumns + 1));
    if (!out->lists)
        return false;
    for (int j = 0; j < t->nindexes + t->ncolumns; j++) {
        const m_index *ix = j < t->nindexes ? &t->indexes[j] : NULL;
        m_column **cols;
        int ncols = 1;
        srcpos pos;
        if (ix) {
            cols = ix->cols;
            ncols = ix->ncols;
            pos = ix->pos;
        } else {
            m_column *c = &t->columns[j - t->nindexes];
            if (!c->ref_table)
                continue;
            cols = arena_alloc(a, sizeof *cols);
            if (!cols)
                return false;
            cols[0] = c;
            pos = c->pos;
        }
        bool seen = seen_cols(out->lists, out->nlists, cols, ncols);
        for (int k = 0; ix && k < j && !seen; k++)
            seen = ix->name && t->indexes[k].name && !strcmp(ix->name, t->indexes[k].name);
        if (seen)
            continue;
        if (!add_key(a, out->T, "list_by", &out->lists[out->nlists++], cols, ncols, ix != NULL,
                     pos))
            return false;
    }
    return true;
}

/* Adds the table's global names to nt, in the order of the header. */
static bool add_table(name_table *nt, arena *a, const m_table *t, const bool *enum_ok,
                      const c_table_names *tn)
{
    const char *N = t->name, *T = tn->T;
    bool ok = true;
    names_owner(nt);
    ok &= names_add(nt, T, arena_printf(a, "the struct of table '%s'", N), t->pos);
    ok &= names_add(nt, arena_printf(a, "%s_array", T),
                    arena_printf(a, "the array type of table '%s'", N), t->pos);
    ok &= names_add(nt, arena_printf(a, "%s_cols", T),
                    arena_printf(a, "the column set type of table '%s'", N), t->pos);
    for (int k = 0; k < c_table_nfunctions; k++)
        ok &= names_add(nt, arena_printf(a, "%s%s", T, c_table_functions[k]),
                        arena_printf(a, "a function of table '%s'", N), t->pos);
    for (int k = 0; k < tn->ngets; k++)
        ok &= names_add(nt, tn->gets[k].fn,
                        arena_printf(a, "the lookup function of a unique %s of table '%s'",
                                     tn->gets[k].from_index ? "index" : "constraint", N),
                        tn->gets[k].pos);
    for (int k = 0; k < tn->ngets; k++)
        ok &= names_add(nt, tn->gets[k].fn_locked,
                        arena_printf(a, "the locking lookup function of a unique %s of table "
                                        "'%s'",
                                     tn->gets[k].from_index ? "index" : "constraint", N),
                        tn->gets[k].pos);
    for (int k = 0; k < tn->nlists; k++) {
        const c_key *l = &tn->lists[k];
        ok &= names_add(nt, l->fn,
                        l->from_index
                            ? arena_printf(a, "the list function of an index of table '%s'", N)
                            : arena_printf(a, "the list function of foreign key '%s.%s'", N,
                                           l->cols[0]->name),
                        l->pos);
    }
    ok &= names_add(nt, tn->ncolumns,
                    arena_printf(a, "the column count of table '%s' (in its .c file)", N), t->pos);
    ok &= names_add(nt, tn->column_list,
                    arena_printf(a, "the column list of table '%s' (in its .c file)", N), t->pos);
    for (int j = 0; j < t->ncolumns; j++)
        if (t->columns[j].name)
            ok &= names_add(nt, tn->colidx[j],
                            arena_printf(a, "the index of column '%s.%s' (in its .c file)", N,
                                         t->columns[j].name),
                            t->columns[j].pos);
    for (int j = 0; j < t->ncolumns; j++) {
        const m_column *c = &t->columns[j];
        if (!tn->etype[j] || (enum_ok && !enum_ok[j]))
            continue;
        const char *E = tn->etype[j];
        names_owner(nt);
        ok &= names_add(nt, E, arena_printf(a, "the enum type of column '%s.%s'", N, c->name),
                        c->pos);
        ok &= names_add(nt, arena_printf(a, "%s_name", E),
                        arena_printf(a, "the name function of enum column '%s.%s'", N, c->name),
                        c->pos);
        ok &= names_add(nt, arena_printf(a, "%s_parse", E),
                        arena_printf(a, "the parse function of enum column '%s.%s'", N, c->name),
                        c->pos);
        for (int k = 0; k < c->nvalues; k++)
            ok &= names_add(nt, tn->econst[j][k],
                            arena_printf(a, "the constant for value '%s' of enum column '%s.%s'",
                                         c->values[k], N, c->name),
                            c->pos);
    }
    return ok;
}

bool c_names_table(name_table *nt, arena *a, const char *prefix, const m_table *t,
                   const bool *enum_ok, c_table_names *out)
{
    memset(out, 0, sizeof *out);
    out->t = t;
    out->T = table_cname(a, prefix ? prefix : "", t->name);
    size_t nc = (size_t)t->ncolumns + 1;
    out->field = arena_alloc(a, sizeof *out->field * nc);
    out->param = arena_alloc(a, sizeof *out->param * nc);
    out->etype = arena_alloc(a, sizeof *out->etype * nc);
    out->econst = arena_alloc(a, sizeof *out->econst * nc);
    out->colidx = arena_alloc(a, sizeof *out->colidx * nc);
    const char *TU = c_names_upper(a, out->T);
    if (!out->T || !out->field || !out->param || !out->etype || !out->econst || !out->colidx ||
        !TU)
        return false;
    out->ncolumns = arena_printf(a, "%s_NCOLUMNS", TU);
    out->column_list = arena_printf(a, "%s_COLUMN_LIST", TU);
    if (!out->ncolumns || !out->column_list)
        return false;
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        out->etype[i] = NULL;
        out->econst[i] = NULL;
        if (!c->name) { /* a column whose name was invalid: nothing to name */
            out->field[i] = out->param[i] = out->colidx[i] = "";
            continue;
        }
        if (!(out->colidx[i] = c_names_upper(a, arena_printf(a, "%s_COL_%s", TU, c->name))))
            return false;
        out->field[i] = c_names_ident(a, c->name);
        if (!out->field[i] || !(out->param[i] = param_name(a, out->field[i], out->T)))
            return false;
        if (c->type != TY_ENUM || (enum_ok && !enum_ok[i]))
            continue;
        const char *E = arena_printf(a, "%s_%s", out->T, c->name);
        const char **k = arena_alloc(a, sizeof *k * (size_t)(c->nvalues + 1));
        if (!E || !k)
            return false;
        for (int v = 0; v < c->nvalues; v++)
            if (!(k[v] = c_names_upper(a, arena_printf(a, "%s_%s", E, c->values[v]))))
                return false;
        out->etype[i] = E;
        out->econst[i] = k;
    }
    if (!table_gets(a, t, out) || !table_lists(a, t, out))
        return false;
    return nt ? add_table(nt, a, t, enum_ok, out) : true;
}

const char *c_names_struct(arena *a, const char *prefix, const m_table *t)
{
    return table_cname(a, prefix ? prefix : "", t->name);
}

bool c_names_schema(name_table *nt, srcpos pos)
{
    names_owner(nt);
    return names_add(nt, "schema_create", "the generated schema_create function", pos);
}

/* ---- names the C library declares ------------------------------------- */

/* Identifiers a program may see next to the generated code, where a table's
 * `typedef struct T {...} T;` would not compile: functions, variables and
 * struct tags (the typedef redefines the tag) that ISO C11 and POSIX.1-2017
 * headers declare, plus the glibc ones visible by default (acct, index,
 * rindex, gamma, entry).  Not every name: those a table is plausibly called
 * (nobody names a table strncpy).  Sorted by name. */
static const struct libc_name {
    const char *name, *header, *kind; /* kind: function, variable, struct */
} libc_names[] = {
    {"abort", "<stdlib.h>", "function"},
    {"abs", "<stdlib.h>", "function"},
    {"accept", "<sys/socket.h>", "function"},
    {"access", "<unistd.h>", "function"},
    {"acct", "<unistd.h>", "function"},
    {"addrinfo", "<netdb.h>", "struct"},
    {"alarm", "<unistd.h>", "function"},
    {"bind", "<sys/socket.h>", "function"},
    {"calloc", "<stdlib.h>", "function"},
    {"ceil", "<math.h>", "function"},
    {"chdir", "<unistd.h>", "function"},
    {"chmod", "<sys/stat.h>", "function"},
    {"chown", "<unistd.h>", "function"},
    {"clock", "<time.h>", "function"},
    {"close", "<unistd.h>", "function"},
    {"connect", "<sys/socket.h>", "function"},
    {"cos", "<math.h>", "function"},
    {"creat", "<fcntl.h>", "function"},
    {"crypt", "<unistd.h>", "function"},
    {"ctime", "<time.h>", "function"},
    {"daylight", "<time.h>", "variable"},
    {"dirent", "<dirent.h>", "struct"},
    {"div", "<stdlib.h>", "function"},
    {"dup", "<unistd.h>", "function"},
    {"entry", "<search.h>", "struct"},
    {"environ", "<unistd.h>", "variable"},
    {"exit", "<stdlib.h>", "function"},
    {"exp", "<math.h>", "function"},
    {"fabs", "<math.h>", "function"},
    {"flock", "<fcntl.h>", "struct"},
    {"floor", "<math.h>", "function"},
    {"fork", "<unistd.h>", "function"},
    {"free", "<stdlib.h>", "function"},
    {"gamma", "<math.h>", "function"},
    {"getenv", "<stdlib.h>", "function"},
    {"getline", "<stdio.h>", "function"},
    {"gmtime", "<time.h>", "function"},
    {"group", "<grp.h>", "struct"},
    {"hostent", "<netdb.h>", "struct"},
    {"index", "<string.h>", "function"},
    {"itimerval", "<sys/time.h>", "struct"},
    {"kill", "<signal.h>", "function"},
    {"labs", "<stdlib.h>", "function"},
    {"lconv", "<locale.h>", "struct"},
    {"linger", "<sys/socket.h>", "struct"},
    {"link", "<unistd.h>", "function"},
    {"listen", "<sys/socket.h>", "function"},
    {"localtime", "<time.h>", "function"},
    {"log", "<math.h>", "function"},
    {"lseek", "<unistd.h>", "function"},
    {"malloc", "<stdlib.h>", "function"},
    {"mkdir", "<sys/stat.h>", "function"},
    {"mktime", "<time.h>", "function"},
    {"msghdr", "<sys/socket.h>", "struct"},
    {"nice", "<unistd.h>", "function"},
    {"open", "<fcntl.h>", "function"},
    {"passwd", "<pwd.h>", "struct"},
    {"pause", "<unistd.h>", "function"},
    {"pipe", "<unistd.h>", "function"},
    {"pow", "<math.h>", "function"},
    {"protoent", "<netdb.h>", "struct"},
    {"qsort", "<stdlib.h>", "function"},
    {"raise", "<signal.h>", "function"},
    {"rand", "<stdlib.h>", "function"},
    {"random", "<stdlib.h>", "function"},
    {"read", "<unistd.h>", "function"},
    {"realloc", "<stdlib.h>", "function"},
    {"recv", "<sys/socket.h>", "function"},
    {"remainder", "<math.h>", "function"},
    {"remove", "<stdio.h>", "function"},
    {"rename", "<stdio.h>", "function"},
    {"rindex", "<string.h>", "function"},
    {"rlimit", "<sys/resource.h>", "struct"},
    {"rmdir", "<unistd.h>", "function"},
    {"round", "<math.h>", "function"},
    {"rusage", "<sys/resource.h>", "struct"},
    {"send", "<sys/socket.h>", "function"},
    {"servent", "<netdb.h>", "struct"},
    {"shutdown", "<sys/socket.h>", "function"},
    {"sigaction", "<signal.h>", "struct"},
    {"signal", "<signal.h>", "function"},
    {"sin", "<math.h>", "function"},
    {"sleep", "<unistd.h>", "function"},
    {"socket", "<sys/socket.h>", "function"},
    {"sqrt", "<math.h>", "function"},
    {"srand", "<stdlib.h>", "function"},
    {"stat", "<sys/stat.h>", "struct"},
    {"symlink", "<unistd.h>", "function"},
    {"sync", "<unistd.h>", "function"},
    {"system", "<stdlib.h>", "function"},
    {"tan", "<math.h>", "function"},
    {"time", "<time.h>", "function"},
    {"times", "<sys/times.h>", "function"},
    {"timespec", "<time.h>", "struct"},
    {"timeval", "<sys/time.h>", "struct"},
    {"timezone", "<time.h>", "variable"},
    {"tm", "<time.h>", "struct"},
    {"tms", "<sys/times.h>", "struct"},
    {"trunc", "<math.h>", "function"},
    {"truncate", "<unistd.h>", "function"},
    {"tzname", "<time.h>", "variable"},
    {"umask", "<sys/stat.h>", "function"},
    {"uname", "<sys/utsname.h>", "function"},
    {"unlink", "<unistd.h>", "function"},
    {"utimbuf", "<utime.h>", "struct"},
    {"utsname", "<sys/utsname.h>", "struct"},
    {"write", "<unistd.h>", "function"},
};

const char *c_names_libc_clash(const char *name, const char **what)
{
    for (size_t i = 0; i < sizeof libc_names / sizeof *libc_names; i++)
        if (!strcmp(libc_names[i].name, name)) {
            if (what)
                *what = libc_names[i].kind;
            return libc_names[i].header;
        }
    return NULL;
}

/* Headers of ISO C11 and POSIX.1-2017 (and the runtime's own) that a
 * generated <table>.h would stand in for when the output folder is on the
 * compiler's -I path: -I folders are searched for <...> includes too.
 * Sorted, for bsearch. */
static const char *const std_headers[] = {
    "aio",      "assert",   "complex", "cpio",    "dal",      "dal_migrate", "dirent",
    "dlfcn",    "errno",    "fcntl",   "fenv",    "float",    "fmtmsg",   "fnmatch",
    "ftw",      "glob",     "grp",     "iconv",   "inttypes", "iso646",   "langinfo",
    "libgen",   "limits",   "locale",  "math",    "monetary", "mqueue",   "ndbm",
    "netdb",    "nl_types", "poll",    "pthread", "pwd",      "regex",    "sched",
    "search",   "semaphore", "setjmp", "signal",  "spawn",    "stdalign", "stdarg",
    "stdatomic", "stdbool", "stddef",  "stdint",  "stdio",    "stdlib",   "stdnoreturn",
    "string",   "strings",  "stropts", "syslog",  "tar",      "termios",  "tgmath",
    "threads",  "time",     "trace",   "uchar",   "ulimit",   "unistd",   "utime",
    "utmpx",    "wchar",    "wctype",  "wordexp",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void c_names_warn_libc(const model *m, arena *a, const char *prefix, diag_list *d)
{
    for (int i = 0; i < m->ntables; i++) {
        const m_table *t = m->by_name[i];
        const char *key = t->name;
        if (bsearch(&key, std_headers, sizeof std_headers / sizeof std_headers[0],
                    sizeof std_headers[0], cmp_str))
            diag_warning(d, t->pos,
                         "table '%s' generates %s.h, the name of a standard header: compile "
                         "with -iquote for the output folder, not -I, or <%s.h> finds it",
                         t->name, t->name, t->name);
        const char *T = c_names_struct(a, prefix, t);
        const char *kind = NULL;
        const char *header = T ? c_names_libc_clash(T, &kind) : NULL;
        if (!header)
            continue;
        diag_warning(d, t->pos,
                     "the C type '%s' of table '%s' clashes with the %s %s%s of %s: code "
                     "that includes both does not compile (use --prefix, e.g. --prefix db_)",
                     T, t->name, kind, T, strcmp(kind, "function") ? "" : "()", header);
    }
}
