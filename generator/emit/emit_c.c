/*
 * emit_c.c - the C emitter: per table <table>.h and <table>.c, plus the
 * umbrella schema.h and schema.c (docs/generated-code.md).
 *
 * The layout of every generated file lives in the templates (c_header,
 * c_source, c_schema); this file only computes the values of their slots:
 * names, parameter lists, bind calls and the SQL text of each statement,
 * already formatted as C.  Output depends on nothing but the model, the
 * prefix and the templates, so it is byte-for-byte deterministic.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "emit/emit.h"
#include "model/model.h"
#include "model/names.h"
#include "emit/template.h"
#include "model/types.h"
#include "base/util.h"

#define WIDTH 100 /* line length of the generated code */

typedef struct gen {
    const emit_ctx *cx;
    arena *a;
    bool ok;
    const char *column_list; /* the table's SELECT list macro (COLUMN_LIST_MARK) */
    diag_list *d;            /* cx->d, or the table's own list (emit_c's threads) */
} gen;

#define NSLOTS(x) (sizeof(x) / sizeof((x)[0]))

static void render(gen *g, const char *file, const char *section, const tmpl_slot *slots,
                   size_t n, strbuf *out)
{
    if (!tmpl_render(g->cx->tmpl, file, section, slots, n, out, g->d))
        g->ok = false;
}

/* RENDER(g, "c_source", "get", out, {"T", T}, {"fn", fn}) */
#define RENDER(g, file, section, out, ...)                                                         \
    do {                                                                                           \
        const tmpl_slot slots_[] = {__VA_ARGS__};                                                  \
        render((g), (file), (section), slots_, NSLOTS(slots_), (out));                             \
    } while (0)

/* Copies a strbuf into the arena and clears it. */
static const char *take(gen *g, strbuf *sb)
{
    if (sb->oom)
        g->ok = false;
    const char *s = arena_strdup(g->a, sb_str(sb));
    if (!s)
        g->ok = false;
    sb_clear(sb);
    return s ? s : "";
}

static const char *fmt(gen *g, const char *f, ...) DALC_PRINTF(2, 3);
static const char *fmt(gen *g, const char *f, ...)
{
    /* one formatting into a stack buffer for the usual short result, then
     * one copy into the arena (no heap strbuf) */
    char buf[256];
    va_list ap;
    va_start(ap, f);
    int n = util_vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : arena_alloc(g->a, (size_t)n + 1);
    if (!s) {
        g->ok = false;
        return "";
    }
    if ((size_t)n < sizeof buf) {
        memcpy(s, buf, (size_t)n + 1);
    } else {
        va_start(ap, f);
        util_vsnprintf(s, (size_t)n + 1, f, ap);
        va_end(ap);
    }
    return s;
}

/* Appends c: inline while there is room (the hot path of the per-byte
 * loops below), else through sb_addc. */
static inline void put(strbuf *sb, char c)
{
    if (sb->len + 2 <= sb->cap && !sb->oom) {
        sb->data[sb->len++] = c;
        sb->data[sb->len] = '\0';
    } else {
        sb_addc(sb, c);
    }
}

/* Appends n spaces (what "%*s" with "" would print). */
static void add_spaces(strbuf *sb, int n)
{
    static const char sp[] = "                                "; /* 32 */
    while (n > 0) {
        int k = n < 32 ? n : 32;
        sb_addn(sb, sp, (size_t)k);
        n -= k;
    }
}

static const char *upper(gen *g, const char *s)
{
    char *u = arena_strdup(g->a, s);
    if (!u) {
        g->ok = false;
        return "";
    }
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* ---------------------------------------------------------------------- */
/* Text formatting: comments and string literals                           */
/* ---------------------------------------------------------------------- */

/* Appends s to sb with what would end or confuse a C comment defused:
 * comment delimiters and trigraph starts. */
static void add_comment_text(strbuf *sb, const char *s, size_t n)
{
    size_t run = 0; /* start of the bytes not yet appended */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '*' && c != '/' && c != '?' && c != '\\')
            continue;
        char next = i + 1 < n ? s[i + 1] : '\0';
        if ((c == '*' && next == '/') || (c == '/' && next == '*') || (c == '?' && next == '?') ||
            (c == '\\' && (next == '\0' || next == '\n'))) { /* the last: no line splice */
            sb_addn(sb, s + run, i + 1 - run);
            put(sb, ' ');
            run = i + 1;
        }
    }
    if (n > run)
        sb_addn(sb, s + run, n - run);
}

/* A doc comment for `text` (may hold several lines), indented by `indent`
 * spaces, wrapped at WIDTH, ending with a newline.  Empty text gives "". */
static const char *doc_comment(gen *g, const char *text, int indent)
{
    if (!text || !*text)
        return "";
    strbuf sb;
    sb_init(&sb);
    size_t tl = strlen(text);
    while (tl > 0 && (text[tl - 1] == '\n' || text[tl - 1] == ' '))
        tl--;
    bool one_line = memchr(text, '\n', tl) == NULL && (size_t)indent + 8 + tl <= WIDTH;
    if (one_line) {
        add_spaces(&sb, indent);
        sb_add(&sb, "/** ");
        add_comment_text(&sb, text, tl);
        sb_add(&sb, " */\n");
    } else {
        add_spaces(&sb, indent);
        sb_add(&sb, "/**\n");
        const char *p = text, *end = text + tl;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            /* word-wrap this source line */
            if (le == p) {
                add_spaces(&sb, indent);
                sb_add(&sb, " *\n");
            }
            while (p < le) {
                size_t room = WIDTH - (size_t)indent - 3;
                const char *cut = le;
                if ((size_t)(le - p) > room) {
                    cut = p + room;
                    while (cut > p && *cut != ' ')
                        cut--;
                    if (cut == p) { /* one long word */
                        cut = p + room;
                        while (cut < le && *cut != ' ')
                            cut++;
                    }
                }
                add_spaces(&sb, indent);
                sb_add(&sb, " * ");
                add_comment_text(&sb, p, (size_t)(cut - p));
                put(&sb, '\n');
                p = cut;
                while (p < le && *p == ' ')
                    p++;
            }
            p = nl ? nl + 1 : end;
        }
        add_spaces(&sb, indent);
        sb_add(&sb, " */\n");
    }
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* Joins the lines of each paragraph (paragraphs are separated by blank
 * lines) so that doc_comment can wrap them at WIDTH. */
static const char *reflow(gen *g, const char *text)
{
    strbuf sb;
    sb_init(&sb);
    const char *p = text;
    bool para_open = false;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n == 0) {
            if (para_open)
                sb_add(&sb, "\n\n");
            para_open = false;
        } else {
            if (para_open)
                sb_addc(&sb, ' ');
            for (size_t i = 0; i < n; i++) /* runs of spaces become one */
                if (p[i] != ' ' || (i > 0 && p[i - 1] != ' '))
                    put(&sb, p[i]);
            para_open = true;
        }
        p = nl ? nl + 1 : p + n;
    }
    while (sb.len > 0 && sb.data[sb.len - 1] == '\n')
        sb.data[--sb.len] = '\0';
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* Renders section NAME-doc as a doc comment, then section NAME. */
static void render_fn(gen *g, const char *file, const char *section, const tmpl_slot *slots,
                      size_t n, strbuf *out)
{
    strbuf prose;
    sb_init(&prose);
    char docname[128];
    snprintf(docname, sizeof docname, "%s-doc", section);
    render(g, file, docname, slots, n, &prose);
    if (prose.oom)
        g->ok = false;
    sb_add(out, doc_comment(g, reflow(g, sb_str(&prose)), 0));
    sb_free(&prose);
    render(g, file, section, slots, n, out);
}

#define RENDER_FN(g, file, section, out, ...)                                                      \
    do {                                                                                           \
        const tmpl_slot slots_[] = {__VA_ARGS__};                                                  \
        render_fn((g), (file), (section), slots_, NSLOTS(slots_), (out));                          \
    } while (0)

/* The C spelling of one byte inside a string literal. */
static void add_literal_char(strbuf *sb, const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': sb_addn(sb, "\\\"", 2); break;
    case '\\': sb_addn(sb, "\\\\", 2); break;
    case '\n': sb_addn(sb, "\\n", 2); break;
    case '\t': sb_addn(sb, "\\t", 2); break;
    case '?':
        if (i > 0 && s[i - 1] == '?')
            sb_addn(sb, "\\?", 2); /* no trigraphs */
        else
            put(sb, '?');
        break;
    default:
        if (c < 32 || c > 126) {
            char oct[5] = {'\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
                           (char)('0' + (c & 7)), '\0'};
            sb_addn(sb, oct, 4);
        } else {
            put(sb, (char)c);
        }
    }
}

/* How many bytes add_literal_char writes for s[i]. */
static size_t literal_char_len(const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"':
    case '\\':
    case '\n':
    case '\t': return 2;
    case '?': return i > 0 && s[i - 1] == '?' ? 2 : 1;
    default: return c < 32 || c > 126 ? 4 : 1;
    }
}

/* Appends text as C string literals, one or more per line, each line
 * indented by `indent` and at most WIDTH columns (`tail` extra columns
 * reserved on the last line, e.g. for ",").  Lines of text end their
 * literal; long lines are split after a space.  No final newline. */
/* In SQL given to add_literal: a space where a long statement should
 * start a new line (before FROM, WHERE, ...). */
#define SOFT_BREAK "\001"
/* In SQL given to add_literal: the table's SELECT list, written as its
 * macro between two literals ("SELECT " JOBS_COLUMN_LIST " FROM ..."). */
#define COLUMN_LIST_MARK "\002"

/* Appends text as C string literals, one or more per line, each line
 * indented by `indent` and at most WIDTH columns (`tail` extra columns
 * reserved on the last line, e.g. for ",").  Lines of text end their
 * literal; long lines are split after a space, and at every SOFT_BREAK when
 * the whole text does not fit on one line.  No final newline. */
static void add_literal(strbuf *sb, const char *text, int indent, int tail, const char *mark)
{
    size_t mark_len = mark ? strlen(mark) + 4 : 0; /* `" NAME "` */
    size_t n = strlen(text);
    size_t limit = WIDTH - (size_t)indent - 2 - (size_t)tail;
    bool soft = memchr(text, '\n', n) != NULL;
    size_t all_len = 0;
    for (size_t i = 0; i < n && !soft; i++)
        soft = (all_len += text[i] == COLUMN_LIST_MARK[0] ? mark_len : literal_char_len(text, i)) >
               limit;
    if (n == 0) {
        add_spaces(sb, indent);
        sb_addn(sb, "\"\"", 2);
        return;
    }
    size_t i = 0;
    bool first = true;
    strbuf piece; /* one output line, reused */
    sb_init(&piece);
    while (i < n) {
        /* one output line: from i up to the line's end or the last fitting space */
        sb_clear(&piece);
        size_t width = 0, j = i, cut = 0, cut_width = 0;
        bool forced = false;
        while (j < n) {
            unsigned char ch = (unsigned char)text[j];
            if (ch >= 32 && ch <= 126 && ch != '"' && ch != '\\' && ch != '?') {
                /* the common case: a byte that stands for itself */
                put(&piece, (char)ch);
                width++;
                j++;
                if (ch == ' ' && width <= limit) {
                    cut = j;
                    cut_width = piece.len;
                }
                if (width > limit && cut > i)
                    break;
                continue;
            }
            size_t before = piece.len;
            if (text[j] == COLUMN_LIST_MARK[0] && mark) {
                sb_printf(&piece, "\" %s \"", mark);
                width += mark_len;
                j++;
                continue;
            }
            if (text[j] == SOFT_BREAK[0]) {
                put(&piece, ' ');
                width++;
                j++;
                if (soft && j - 1 > i) {
                    forced = true;
                    break;
                }
                continue;
            }
            add_literal_char(&piece, text, j);
            width += piece.len - before;
            j++;
            if (text[j - 1] == '\n' && (width <= limit || cut <= i))
                break;
            if (text[j - 1] == ' ' && width <= limit) {
                cut = j;
                cut_width = piece.len;
            }
            if (width > limit && cut > i)
                break;
        }
        if (!forced && width > limit && cut > i) {
            j = cut;
            piece.len = cut_width;
            piece.data[piece.len] = '\0';
        }
        if (!first)
            put(sb, '\n');
        first = false;
        add_spaces(sb, indent);
        put(sb, '"');
        sb_addn(sb, sb_str(&piece), piece.len);
        put(sb, '"');
        if (piece.oom)
            sb->oom = true;
        i = j;
    }
    sb_free(&piece);
}

static const char *literal(gen *g, const char *text, int indent, int tail)
{
    strbuf sb;
    sb_init(&sb);
    add_literal(&sb, text, indent, tail, g->column_list);
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* Re-breaks one code line longer than WIDTH the way clang-format would:
 * after the commas of its first bracket (continuation lines aligned just
 * after that bracket), or, for a line that is itself a list (the rest of an
 * initializer), after its top-level commas.  Comments are left alone. */
/* The index of the quote closing the string literal opened at line[i]
 * (n when it does not close on this line). */
static size_t string_end(const char *line, size_t n, size_t i)
{
    for (i++; i < n && line[i] != '"'; i++)
        if (line[i] == '\\')
            i++;
    return i;
}

static void wrap_line(strbuf *out, const char *line, size_t n)
{
    size_t ind = 0;
    while (ind < n && line[ind] == ' ')
        ind++;
    if (n <= WIDTH || ind == n || line[ind] == '*' ||
        (line[ind] == '/' && ind + 1 < n && line[ind + 1] == '*')) {
        sb_addn(out, line, n);
        sb_addc(out, '\n');
        return;
    }
    /* which depth to break at, and where continuation lines start */
    int base = -1, depth = 0;
    size_t align = 0;
    for (size_t i = ind; i < n && base < 0; i++) {
        char c = line[i];
        if (c == '"') {
            i = string_end(line, n, i);
        } else if (c == '(' || c == '{' || c == '[') {
            base = 1;
            align = i + 1;
        } else if (c == ',' && i + 1 < n && line[i + 1] == ' ') {
            base = 0;
            align = ind;
        }
    }
    if (base < 0) {
        sb_addn(out, line, n);
        sb_addc(out, '\n');
        return;
    }
    if (align > WIDTH - 30)
        align = ind + 8;
    /* the commas (followed by a space) at that depth, outside strings */
    size_t *cuts = malloc(sizeof(size_t) * (n + 1));
    size_t ncuts = 0;
    if (!cuts) {
        out->oom = true;
        return;
    }
    depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        if (c == '"') {
            i = string_end(line, n, i);
        } else if (c == '(' || c == '{' || c == '[') {
            depth++;
        } else if (c == ')' || c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == base && i + 1 < n && line[i + 1] == ' ') {
            cuts[ncuts++] = i;
        }
    }
    /* greedy: break at a comma when the text up to the next one (or the end) would not fit */
    size_t from = 0, col = 0;
    for (size_t k = 0; k < ncuts; k++) {
        size_t next = k + 1 < ncuts ? cuts[k + 1] + 1 : n;
        if (col + (next - from) > WIDTH) {
            sb_addn(out, line + from, cuts[k] + 1 - from);
            sb_addc(out, '\n');
            sb_printf(out, "%*s", (int)align, "");
            from = cuts[k] + 2;
            col = align;
        }
    }
    sb_addn(out, line + from, n - from);
    sb_addc(out, '\n');
    free(cuts);
}

static void wrap_code(strbuf *body)
{
    /* most bodies have no line longer than WIDTH: then they stay as they are */
    const char *p = sb_str(body), *end = p + body->len;
    bool any_long = false;
    for (const char *q = p; q < end && !any_long;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl)
            break; /* a last line without newline is never re-broken */
        any_long = (size_t)(nl - q) > WIDTH;
        q = nl + 1;
    }
    if (!any_long)
        return;
    strbuf out;
    sb_init(&out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (nl)
            wrap_line(&out, p, n);
        else
            sb_addn(&out, p, n);
        p += n + (nl ? 1 : 0);
    }
    bool oom = out.oom || body->oom;
    sb_free(body);
    *body = out;
    body->oom = oom;
}

/* ---------------------------------------------------------------------- */
/* Per-table names                                                         */
/* ---------------------------------------------------------------------- */

/* A table's names (model/names.h) and the SQL its statements share. */
typedef struct tinfo {
    c_table_names n;     /* every C name of the table */
    const m_table *t;
    const char *select;  /* the SELECT list: COLUMN_LIST_MARK */
    const char *order;   /* primary key columns for ORDER BY */
} tinfo;

static const char *quoted_list(gen *g, m_column **cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++)
        sb_printf(&sb, "%s\"%s\"", i ? ", " : "", cols[i]->name);
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

static bool tinfo_init(gen *g, const m_table *t, tinfo *ti)
{
    memset(ti, 0, sizeof *ti);
    if (!c_names_table(NULL, g->a, g->cx->prefix, t, NULL, &ti->n))
        return g->ok = false;
    ti->t = t;
    ti->select = COLUMN_LIST_MARK;
    ti->order = quoted_list(g, t->pk, t->npk);
    return g->ok;
}

/* ---------------------------------------------------------------------- */
/* Pieces of functions                                                     */
/* ---------------------------------------------------------------------- */

/* "int64_t x" / "const char *x" for a key parameter. */
static const char *param_decl(gen *g, const tinfo *ti, const m_column *c)
{
    const char *type = c->type == TY_ENUM ? ti->n.etype[c->index] : type_table[c->type].c_param;
    size_t n = strlen(type);
    const char *sep = n && type[n - 1] == '*' ? "" : " ";
    return fmt(g, "%s%s%s", type, sep, ti->n.param[c->index]);
}

/* ", int64_t a, const char *b" */
static const char *params_of(gen *g, const tinfo *ti, m_column **cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++)
        sb_printf(&sb, ", %s", param_decl(g, ti, cols[i]));
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* "    dal_bind_int64(st, 1, a);\n..." */
/* "dal_bind_int64(st, 3, x)": the value x of column c bound to $i; an enum
 * by its name (dal_bind_enum reports a value out of range). */
static const char *bind_call(gen *g, const tinfo *ti, const m_column *c, int i, const char *x)
{
    if (c->type == TY_ENUM)
        return fmt(g, "dal_bind_enum(st, %d, %s_name(%s), (int)%s)", i, ti->n.etype[c->index], x,
                   x);
    return fmt(g, "%s(st, %d, %s)", type_table[c->type].bind_fn, i, x);
}

/* "    dal_bind_int64(st, 1, a);\n...": the key parameters cols to $first... */
static const char *binds_of(gen *g, const tinfo *ti, m_column **cols, int n, int first)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++) {
        const char *param = ti->n.param[cols[i]->index];
        sb_printf(&sb, "    %s;\n", bind_call(g, ti, cols[i], first + i, param));
    }
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* Straight-line binds of row's fields to $1..$n (cols in parameter order),
 * a NULL by its has_ flag, bytes through dal_bind_row (types.h: bind_by_row):
 * what dal_bind_row(st, 1, &T_table, row, cols, n) does. */
static const char *row_binds(gen *g, const tinfo *ti, m_column **cols, int n, const char *var,
                             int indent)
{
    strbuf sb;
    sb_init(&sb);
    for (int k = 0; k < n; k++) {
        const m_column *c = cols[k];
        const char *f = ti->n.field[c->index];
        const char *bind = bind_call(g, ti, c, k + 1, fmt(g, "%s->%s", var, f));
        if (c->type == TY_DECIMAL && c->precision >= 0) /* a value: to the column's scale */
            bind = fmt(g, "dal_bind_decimal_as(st, %d, %s->%s, %d, %d)", k + 1, var, f,
                       c->precision, c->scale < 0 ? 0 : c->scale);
        int w = indent;
        if (type_table[c->type].bind_by_row)
            sb_printf(&sb, "%*sdal_bind_row(st, %d, &%s_table, %s, (const int[]){%s}, 1);\n", w,
                      "", k + 1, ti->n.T, var, ti->n.colidx[c->index]);
        else if (c->nullable && type_table[c->type].null_rep == NULL_BY_HAS)
            sb_printf(&sb,
                      "%*sif (%s->has_%s)\n"
                      "%*s    %s;\n"
                      "%*selse\n"
                      "%*s    dal_bind_null(st, %d);\n",
                      w, "", var, f, w, "", bind, w, "", w, "", k + 1);
        else
            sb_printf(&sb, "%*s%s;\n", w, "", bind);
    }
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

static const char *query(gen *g, strbuf *src, const char *name, const char *sql, int nparams);

/* The C test that column c of `in` holds its zero value (what
 * dal_field_is_zero says): such a defaulted column is left out of INSERT. */
static const char *zero_test(gen *g, const tinfo *ti, const m_column *c)
{
    const char *f = ti->n.field[c->index];
    if (c->nullable && type_table[c->type].null_rep == NULL_BY_HAS)
        return fmt(g, "!in->has_%s", f);
    if (c->type == TY_ENUM)
        return fmt(g, "in->%s == %s", f, ti->n.econst[c->index][0]);
    return fmt(g, type_table[c->type].zero_test, f);
}

/* insert's straight-line path: when every defaulted column of `in` is zero
 * (so left out) and no row is returned, a static INSERT of the other
 * columns bound field by field; "" when the table has no such columns. */
static const char *fast_insert(gen *g, const tinfo *ti, strbuf *src)
{
    const m_table *t = ti->t;
    m_column **cols = arena_alloc(g->a, sizeof(m_column *) * (size_t)(t->ncolumns + 1));
    if (!cols) {
        g->ok = false;
        return "";
    }
    int n = 0;
    strbuf cond, sql;
    sb_init(&cond);
    sb_init(&sql);
    sb_add(&cond, "!out");
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        if (c->def != DEF_NONE || c->identity)
            sb_printf(&cond, " &&\n        %s", zero_test(g, ti, c));
        else
            cols[n++] = &t->columns[i];
    }
    const char *r = "";
    if (n > 0) {
        sb_printf(&sql, "INSERT INTO \"%s\" (", t->name);
        for (int i = 0; i < n; i++)
            sb_printf(&sql, "%s\"%s\"", i ? ", " : "", cols[i]->name);
        sb_add(&sql, ")" SOFT_BREAK "VALUES (");
        for (int i = 0; i < n; i++)
            sb_printf(&sql, "%s$%d", i ? ", " : "", i + 1);
        sb_add(&sql, ")");
        const char *q = query(g, src, fmt(g, "%s_insert_q", ti->n.T), sb_str(&sql), n);
        r = fmt(g,
                "    if (%s) {\n"
                "        /* every defaulted column zero, so left out: bound field by field */\n"
                "        dal_stmt *st = NULL;\n"
                "        dal_status s = dal_stmt_start(db, &%s, &st);\n"
                "        if (s != DAL_OK)\n"
                "            return s;\n"
                "%s"
                "        return dal_stmt_exec(st, NULL);\n"
                "    }\n",
                sb_str(&cond), q, row_binds(g, ti, cols, n, "in", 8));
    }
    if (cond.oom || sql.oom)
        g->ok = false;
    sb_free(&cond);
    sb_free(&sql);
    return r;
}

/* "\"a\" = $1 AND \"b\" = $2" */
static void add_where_eq(strbuf *sb, m_column **cols, int n, int first)
{
    for (int i = 0; i < n; i++)
        sb_printf(sb, "%s\"%s\" = $%d", i ? " AND " : "", cols[i]->name, first + i);
}

/* Keyset condition on the primary key: "\"id\" > $3" or "(\"a\", \"b\") > ($3, $4)". */
static void add_after(strbuf *sb, const m_table *t, int first)
{
    if (t->npk == 1) {
        sb_printf(sb, "\"%s\" > $%d", t->pk[0]->name, first);
        return;
    }
    sb_addc(sb, '(');
    for (int i = 0; i < t->npk; i++)
        sb_printf(sb, "%s\"%s\"", i ? ", " : "", t->pk[i]->name);
    sb_add(sb, ") > (");
    for (int i = 0; i < t->npk; i++)
        sb_printf(sb, "%s$%d", i ? ", " : "", first + i);
    sb_addc(sb, ')');
}

/* "a and b" / "a, b and c" for documentation. */
static const char *names_of(gen *g, m_column **cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(&sb, i == n - 1 ? " and " : ", ");
        sb_add(&sb, cols[i]->name);
    }
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* Emits `static const dal_query name = {sql, nparams};` into src. */
static const char *query(gen *g, strbuf *src, const char *name, const char *sql, int nparams)
{
    RENDER(g, "c_source", "query", src, {"name", name}, {"sql", literal(g, sql, 4, 1)},
           {"nparams", fmt(g, "%d", nparams)});
    return name;
}

/* "{0, 2}" index list of columns */
static const char *index_list(gen *g, const tinfo *ti, m_column **cols, int n)
{
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '{');
    for (int i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", ti->n.colidx[cols[i]->index]);
    sb_addc(&sb, '}');
    const char *s = take(g, &sb);
    sb_free(&sb);
    return s;
}

/* ---------------------------------------------------------------------- */
/* Header and source of one table                                          */
/* ---------------------------------------------------------------------- */

const char *emit_source_name(const emit_ctx *cx, arena *a, const char *file)
{
    const char *dir = cx->schema_dir ? cx->schema_dir : "schema";
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    return arena_printf(a, "%.*s/%s", (int)dl, dir, base);
}

static const char *banner_source(gen *g, const m_table *t)
{
    return emit_source_name(g->cx, g->a, t->file);
}

/* The trailing comment of a field: its SQL facts. */
static const char *field_facts(gen *g, const m_column *c)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, type_table[c->type].name);
    if (c->type == TY_TEXT && c->max_length > 0)
        sb_printf(&sb, "(%d)", c->max_length);
    if (c->type == TY_DECIMAL && c->precision >= 0)
        sb_printf(&sb, "(%d,%d)", c->precision, c->scale < 0 ? 0 : c->scale);
    if (c->primary_key)
        sb_add(&sb, ", primary key");
    if (c->identity)
        sb_add(&sb, ", identity");
    if (c->unique)
        sb_add(&sb, ", unique");
    if (c->nullable)
        sb_add(&sb, type_table[c->type].null_rep == NULL_BY_POINTER ? ", nullable (NULL pointer)"
                    : type_table[c->type].null_rep == NULL_BY_DATA  ? ", nullable (.data NULL)"
                                                                    : ", nullable (has_ flag)");
    if (c->def == DEF_NOW)
        sb_add(&sb, ", default now");
    else if (c->def == DEF_UUID)
        sb_add(&sb, ", default random uuid");
    else if (c->def == DEF_LITERAL && c->default_value) {
        size_t n = strlen(c->default_value);
        if (n <= 40 && !strchr(c->default_value, '\n'))
            sb_printf(&sb, ", default %s", c->default_value);
        else
            sb_add(&sb, ", has a default");
    }
    if (c->auto_update)
        sb_add(&sb, ", set on every update");
    if (c->ref_table)
        sb_printf(&sb, ", references %s.%s", c->ref_table->name, c->ref_column->name);
    strbuf out;
    sb_init(&out);
    add_comment_text(&out, sb_str(&sb), sb.len);
    sb_free(&sb);
    const char *s = take(g, &out);
    sb_free(&out);
    return s;
}

static const char *field_decl(gen *g, const tinfo *ti, const m_column *c)
{
    const char *f = ti->n.field[c->index];
    if (c->type == TY_UUID)
        return fmt(g, "char %s[37];", f);
    if (c->type == TY_ENUM)
        return fmt(g, "%s %s;", ti->n.etype[c->index], f);
    const char *type = type_table[c->type].c_type;
    size_t n = strlen(type);
    return fmt(g, "%s%s%s;", type, n && type[n - 1] == '*' ? "" : " ", f);
}

static void emit_enums(gen *g, const tinfo *ti, strbuf *h, strbuf *src)
{
    const m_table *t = ti->t;
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        if (c->type != TY_ENUM)
            continue;
        const char *E = ti->n.etype[i];
        const char *const *K = ti->n.econst[i];
        strbuf vals, names;
        sb_init(&vals);
        sb_init(&names);
        for (int v = 0; v < c->nvalues; v++) {
            sb_printf(&vals, "    %s,\n", K[v]);
            sb_printf(&names, "    \"%s\",\n", c->values[v]);
        }
        const char *values = take(g, &vals), *namelist = take(g, &names);
        sb_free(&vals);
        sb_free(&names);
        const char *doc = doc_comment(
            g, fmt(g, "Values of %s.%s, stored as their lower-case names.%s%s", t->name, c->name,
                   c->comment ? " " : "", c->comment ? c->comment : ""),
            0);
        const char *FIRST = K[0];
        RENDER(g, "c_header", "enum", h, {"E", E}, {"doc", doc}, {"values", values},
               {"first", c->values[0]}, {"FIRST", FIRST});
        RENDER_FN(g, "c_header", "enum_name", h, {"E", E}, {"first", c->values[0]},
                  {"FIRST", FIRST});
        RENDER_FN(g, "c_header", "enum_parse", h, {"E", E}, {"first", c->values[0]},
                  {"FIRST", FIRST});
        RENDER(g, "c_source", "enum", src, {"E", E}, {"names", namelist},
               {"LAST", K[c->nvalues - 1]});
    }
}

/* One struct member: its declaration and trailing comment, and the doc
 * comment (or "") above it. */
typedef struct member {
    const char *doc, *decl, *note;
} member;

static void emit_struct(gen *g, const tinfo *ti, strbuf *h)
{
    const m_table *t = ti->t;
    member *ms = arena_alloc(g->a, sizeof(member) * (size_t)(2 * t->ncolumns + 1));
    if (!ms) {
        g->ok = false;
        return;
    }
    int n = 0;
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        ms[n++] = (member){doc_comment(g, c->comment, 4), field_decl(g, ti, c),
                           field_facts(g, c)};
        if (c->nullable && type_table[c->type].null_rep == NULL_BY_HAS)
            ms[n++] = (member){"", fmt(g, "bool has_%s;", ti->n.field[i]),
                               fmt(g, "false: %s is NULL", c->name)};
    }
    ms[n++] = (member){"", "void *dal_mem_;", "private: the row's one allocation (dal_row_free)"};
    /* trailing comments aligned as clang-format does: within each run of
     * members that no doc comment interrupts */
    strbuf fields;
    sb_init(&fields);
    for (int i = 0; i < n;) {
        int end = i + 1;
        while (end < n && !*ms[end].doc)
            end++;
        size_t col = 0;
        for (int k = i; k < end; k++)
            if (strlen(ms[k].decl) > col)
                col = strlen(ms[k].decl);
        for (int k = i; k < end; k++) {
            sb_add(&fields, ms[k].doc);
            sb_add(&fields, "    ");
            sb_add(&fields, ms[k].decl);
            sb_pad(&fields, 4 + col);
            sb_add(&fields, " /* ");
            sb_add(&fields, ms[k].note);
            sb_add(&fields, " */\n");
        }
        i = end;
    }
    const char *fl = take(g, &fields);
    sb_free(&fields);
    const char *doc = doc_comment(
        g, fmt(g, "%s%sA row of table %s (primary key: %s).", t->comment ? t->comment : "",
               t->comment ? "\n\n" : "", t->name, names_of(g, t->pk, t->npk)),
        0);
    RENDER(g, "c_header", "struct", h, {"T", ti->n.T}, {"doc", doc}, {"fields", fl},
           {"table", t->name});
    RENDER_FN(g, "c_header", "array", h, {"T", ti->n.T}, {"table", t->name});
    RENDER_FN(g, "c_header", "descriptor", h, {"T", ti->n.T}, {"table", t->name});
}

static void emit_descriptor(gen *g, const tinfo *ti, strbuf *src)
{
    const m_table *t = ti->t;
    strbuf rows, idx;
    sb_init(&rows);
    sb_init(&idx);
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        strbuf flags;
        sb_init(&flags);
        if (c->primary_key)
            sb_add(&flags, "DAL_COL_PK");
        if (c->nullable)
            sb_printf(&flags, "%sDAL_COL_NULLABLE", flags.len ? " | " : "");
        if (c->def != DEF_NONE || c->identity)
            sb_printf(&flags, "%sDAL_COL_DEFAULT", flags.len ? " | " : "");
        if (c->identity)
            sb_printf(&flags, "%sDAL_COL_IDENTITY", flags.len ? " | " : "");
        if (c->type == TY_DECIMAL && c->precision >= 0)
            sb_printf(&flags, "%sDAL_COL_DECIMAL(%d, %d)", flags.len ? " | " : "", c->precision,
                      c->scale < 0 ? 0 : c->scale);
        if (!flags.len)
            sb_add(&flags, "0");
        const char *has = c->nullable && type_table[c->type].null_rep == NULL_BY_HAS
                              ? fmt(g, "offsetof(%s, has_%s)", ti->n.T, ti->n.field[i])
                              : "DAL_NO_HAS";
        const char *ev = c->type == TY_ENUM ? fmt(g, "%s_names_", ti->n.etype[i]) : "NULL";
        const char *en =
            c->type == TY_ENUM ? fmt(g, "%s + 1", ti->n.econst[i][c->nvalues - 1]) : "0";
        sb_printf(&rows, "    {\"%s\", %s, %s, offsetof(%s, %s), %s, %s, %s},\n", c->name,
                  type_table[c->type].dal_type, sb_str(&flags), ti->n.T, ti->n.field[i], has, ev,
                  en);
        sb_printf(&idx, "    %s,\n", ti->n.colidx[i]);
        sb_free(&flags);
    }
    const char *rl = take(g, &rows), *il = take(g, &idx);
    sb_free(&rows);
    sb_free(&idx);
    m_column **all = arena_alloc(g->a, sizeof(m_column *) * (size_t)(t->ncolumns + 1));
    if (!all) {
        g->ok = false;
        return;
    }
    for (int i = 0; i < t->ncolumns; i++)
        all[i] = &t->columns[i];
    /* the macro's string literals, each line ending with a backslash */
    strbuf list;
    sb_init(&list);
    add_literal(&list, quoted_list(g, all, t->ncolumns), 4, 2, NULL);
    strbuf macro;
    sb_init(&macro);
    for (const char *p = sb_str(&list); *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sb_add(&macro, " \\\n");
        sb_addn(&macro, p, n);
        p += n + (nl != NULL);
    }
    sb_free(&list);
    RENDER(g, "c_source", "descriptor", src, {"T", ti->n.T}, {"table", t->name}, {"columns", rl},
           {"indexes", il}, {"NCOLUMNS", ti->n.ncolumns}, {"COLUMN_LIST", ti->n.column_list},
           {"column_list", take(g, &macro)}, {"ncolumns", ti->n.ncolumns},
           {"pk", index_list(g, ti, t->pk, t->npk)},
           {"npk", fmt(g, "%d", t->npk)});
    sb_free(&macro);
}

/* The table's straight-line row reader (T_decode_, behind T_read_ and
 * T_values_): the row's values, fetched by one dal_row_values call, each
 * converted inline when it has the kind the field expects (else the column's
 * dal_col_opt_* reader), then one allocation for every text/bytes value. */
/* After a call that set s: leave through fail unless it is DAL_OK. */
#define FAIL_IF "    if (s != DAL_OK)\n        goto fail;\n"
#define FAIL_IF_NESTED "        if (s != DAL_OK)\n            goto fail;\n"

static void emit_reader(gen *g, const tinfo *ti, strbuf *src)
{
    const m_table *t = ti->t;
    strbuf locals, reads, copies, lent, enums;
    int nspans = 0; /* text and bytes columns */
    sb_init(&locals);
    sb_init(&reads);
    sb_init(&lent);
    sb_init(&copies);
    sb_init(&enums);
    bool val = false; /* some column reads through `val` */
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        const char *f = ti->n.field[i], *C = ti->n.colidx[i];
        bool has_flag = c->nullable && type_table[c->type].null_rep == NULL_BY_HAS;
        const char *has = has_flag ? fmt(g, "&row->has_%s", f) : "NULL";
        const char *cond = NULL, *expr = NULL, *slow = NULL;
        sb_printf(&reads, "    /* %s */\n", c->name);
        const type_info *ty = &type_table[c->type];
        switch (ty->read) {
        case READ_VALUE:
            cond = ty->read_fast;
            expr = ty->read_value;
            slow = ty->col_reader;
            break;
        case READ_CALL:
            sb_printf(&reads, "    s = dal_col_opt_%s(st, %s, %s, %s);\n" FAIL_IF,
                      ty->col_reader, C, fmt(g, ty->read_value, f), has);
            break;
        case READ_ENUM:
            sb_printf(&locals, "    int %s_ = 0;\n", f);
            sb_printf(&reads,
                      "    s = dal_col_opt_enum(st, %s, &%s_columns_[%s], &%s_, %s);\n" FAIL_IF, C,
                      ti->n.T, C, f, has);
            sb_printf(&enums, "    row->%s = (%s)%s_;\n", f, ti->n.etype[i], f);
            break;
        case READ_SPAN: {
            bool bytes = ty->null_rep == NULL_BY_DATA;
            val = true;
            sb_printf(&reads, "    val = &v[%s];\n", C);
            if (bytes)
                sb_printf(&reads,
                          "    if (val->kind != DAL_V_BYTES && val->kind != DAL_V_NULL) {\n"
                          "        const unsigned char *b = NULL;\n"
                          "        s = dal_col_opt_bytes(st, %s, &b, &val->len);\n"
                          FAIL_IF_NESTED
                          "        val->p = (const char *)b;\n"
                          "    }\n", C);
            else
                sb_printf(&reads,
                          "    if (val->kind != DAL_V_TEXT && val->kind != DAL_V_NULL) {\n"
                          "        s = dal_col_opt_text(st, %s, &val->p, &val->len);\n"
                          FAIL_IF_NESTED
                          "    }\n", C);
            sb_add(&reads, "    size += val->p ? val->len + 1 : 0;\n");
            nspans++;
            if (bytes)
                sb_printf(&lent,
                          "        if (v[%s].p) {\n"
                          "            row->%s.data = (unsigned char *)v[%s].p;\n"
                          "            row->%s.len = v[%s].len;\n"
                          "        }\n",
                          C, f, C, f, C);
            else
                sb_printf(&lent, "        row->%s = (char *)v[%s].p;\n", f, C);
            sb_printf(&copies,
                      "        val = &v[%s];\n"
                      "        if (val->p) {\n"
                      "            memcpy(m, val->p, val->len);\n"
                      "            m[val->len] = '\\0';\n",
                      C);
            if (bytes)
                sb_printf(&copies,
                          "            row->%s.data = (unsigned char *)m;\n"
                          "            row->%s.len = val->len;\n",
                          f, f);
            else
                sb_printf(&copies, "            row->%s = m;\n", f);
            sb_add(&copies, "            m += val->len + 1;\n        }\n");
            break;
        }
        }
        if (cond) {
            val = true;
            sb_printf(&reads, "    val = &v[%s];\n", C);
            sb_printf(&reads, "    if (%s) {\n        row->%s = %s;\n", cond, f, expr);
            if (has_flag)
                sb_printf(&reads, "        row->has_%s = true;\n", f);
            sb_printf(&reads,
                      "    } else if (val->kind != DAL_V_NULL) {\n"
                      "        s = dal_col_opt_%s(st, %s, &row->%s, %s);\n"
                      FAIL_IF_NESTED
                      "    }\n",
                      slow, C, f, has);
        }
    }
    if (val)
        sb_add(&locals, "    dal_value *val;\n");
    strbuf borrow, copy;
    sb_init(&borrow);
    sb_init(&copy);
    if (!val)
        sb_add(&borrow, "    (void)v; /* every column read by its dal_col_opt_* reader */\n");
    if (nspans == 0) {
        sb_add(&borrow, "    (void)copy; /* no text or bytes values */\n");
    } else {
        sb_add(&locals, "    size_t size = 0; /* of the text and bytes values */\n");
        sb_add(&borrow, "    if (!copy) { /* the statement's memory, read-only */\n");
        sb_add(&borrow, sb_str(&lent));
        sb_add(&borrow, "        return DAL_OK;\n    }\n");
        sb_add(&copy, "    if (size > 0) {\n"
                      "        char *m = malloc(size);\n"
                      "        if (!m) {\n"
                      "            s = dal_set_error(dal_stmt_db(st), DAL_NOMEM, \"out of memory\");\n"
                      "            goto fail;\n"
                      "        }\n"
                      "        row->dal_mem_ = m;\n");
        sb_add(&copy, sb_str(&copies));
        sb_add(&copy, "    }\n");
    }
    if (locals.oom || reads.oom || copies.oom || lent.oom || enums.oom || borrow.oom ||
        copy.oom)
        g->ok = false;
    RENDER(g, "c_source", "reader", src, {"T", ti->n.T}, {"NCOLUMNS", ti->n.ncolumns},
           {"locals", take(g, &locals)}, {"reads", take(g, &reads)}, {"enums", take(g, &enums)},
           {"borrow", take(g, &borrow)}, {"copy", take(g, &copy)});
    sb_free(&locals);
    sb_free(&reads);
    sb_free(&copies);
    sb_free(&lent);
    sb_free(&enums);
    sb_free(&borrow);
    sb_free(&copy);
}

static void emit_get(gen *g, const tinfo *ti, const c_key *k, bool is_pk, strbuf *h,
                     strbuf *src)
{
    const m_table *t = ti->t;
    const char *fn = is_pk ? fmt(g, "%s_get", ti->n.T) : k->fn;
    strbuf sql;
    sb_init(&sql);
    sb_printf(&sql, "SELECT %s" SOFT_BREAK "FROM \"%s\"" SOFT_BREAK "WHERE ", ti->select,
              t->name);
    add_where_eq(&sql, k->cols, k->n, 1);
    const char *q = query(g, src, fmt(g, "%s_q", fn), take(g, &sql), k->n);
    sb_free(&sql);
    const char *params = params_of(g, ti, k->cols, k->n);
    const char *what = is_pk ? fmt(g, "primary key (%s)", names_of(g, k->cols, k->n))
                             : fmt(g, "unique key (%s)", names_of(g, k->cols, k->n));
    const char *binds = binds_of(g, ti, k->cols, k->n, 1);
    RENDER_FN(g, "c_header", "get", h, {"T", ti->n.T}, {"fn", fn}, {"params", params},
              {"key", what});
    RENDER(g, "c_source", "get", src, {"T", ti->n.T}, {"fn", fn}, {"params", params},
           {"query", q}, {"binds", binds});

    /* the same read locking the row: SELECT ... FOR UPDATE on PostgreSQL;
     * SQLite's write transaction (BEGIN IMMEDIATE) already holds the lock */
    const char *lfn = is_pk ? fmt(g, "%s_get_for_update", ti->n.T) : k->fn_locked;
    sb_init(&sql);
    sb_printf(&sql, "SELECT %s" SOFT_BREAK "FROM \"%s\"" SOFT_BREAK "WHERE ", ti->select,
              t->name);
    add_where_eq(&sql, k->cols, k->n, 1);
    sb_add(&sql, SOFT_BREAK "FOR UPDATE");
    const char *lq = query(g, src, fmt(g, "%s_pg_q", lfn), take(g, &sql), k->n);
    sb_free(&sql);
    RENDER_FN(g, "c_header", "get_for_update", h, {"T", ti->n.T}, {"fn", lfn},
              {"params", params}, {"key", what}, {"get", fn});
    RENDER(g, "c_source", "get_for_update", src, {"T", ti->n.T}, {"fn", lfn},
           {"params", params}, {"pg_query", lq}, {"query", q}, {"binds", binds});
}

static void emit_list(gen *g, const tinfo *ti, const c_key *k, strbuf *h, strbuf *src)
{
    const m_table *t = ti->t;
    int nk = k ? k->n : 0;
    const char *fn = k ? k->fn : fmt(g, "%s_list", ti->n.T);
    strbuf sql;
    sb_init(&sql);
    sb_printf(&sql, "SELECT %s" SOFT_BREAK "FROM \"%s\"", ti->select, t->name);
    if (k) {
        sb_add(&sql, SOFT_BREAK "WHERE ");
        add_where_eq(&sql, k->cols, k->n, 1);
    }
    size_t base = sql.len;
    sb_printf(&sql, SOFT_BREAK "ORDER BY %s LIMIT $%d", ti->order, nk + 1);
    const char *first = query(g, src, fmt(g, "%s_first_q", fn), sb_str(&sql), nk + 1);
    sql.len = base;
    sql.data[base] = '\0';
    sb_add(&sql, k ? " AND " : SOFT_BREAK "WHERE ");
    add_after(&sql, t, nk + 1);
    sb_printf(&sql, SOFT_BREAK "ORDER BY %s LIMIT $%d", ti->order, nk + t->npk + 1);
    const char *next = query(g, src, fmt(g, "%s_next_q", fn), sb_str(&sql), nk + t->npk + 1);
    if (sql.oom)
        g->ok = false;
    sb_free(&sql);
    const char *params = k ? params_of(g, ti, k->cols, k->n) : "";
    const char *doc_where = "";
    if (k) {
        bool nullable = false;
        for (int i = 0; i < k->n; i++)
            nullable = nullable || k->cols[i]->nullable;
        doc_where = fmt(g, " whose %s %s", names_of(g, k->cols, k->n),
                        k->n == 1 ? "equals the argument" : "equal the arguments");
        if (nullable)
            doc_where = fmt(g, "%s (compared with =: a NULL argument matches no row)", doc_where);
    }
    RENDER_FN(g, "c_header", "list", h, {"T", ti->n.T}, {"fn", fn}, {"params", params},
           {"where", doc_where}, {"pk", names_of(g, t->pk, t->npk)});
    RENDER(g, "c_source", "list", src, {"T", ti->n.T}, {"fn", fn}, {"params", params},
           {"first_q", first}, {"next_q", next},
           {"binds", k ? binds_of(g, ti, k->cols, k->n, 1) : ""},
           {"after_param", fmt(g, "%d", nk + 1)}, {"npk", fmt(g, "%d", t->npk)},
           {"limit_first", fmt(g, "%d", nk + 1)},
           {"limit_next", fmt(g, "%d", nk + t->npk + 1)});
}

/* ---------------------------------------------------------------------- */
/* Column sets (T_cols, T_insert_cols, T_update_cols) and T_copy           */
/* ---------------------------------------------------------------------- */

/* The header's T_cols: one bool per column, named like the row's field. */
static void emit_cols_type(gen *g, const tinfo *ti, strbuf *h)
{
    const m_table *t = ti->t;
    strbuf flags;
    sb_init(&flags);
    int example = -1; /* the first non-key column with a default, else the first non-key one */
    for (int i = 0; i < t->ncolumns; i++) {
        const m_column *c = &t->columns[i];
        sb_printf(&flags, "    bool %s;\n", ti->n.field[i]);
        if (c->primary_key || c->identity)
            continue;
        if (example < 0 || (c->def != DEF_NONE && t->columns[example].def == DEF_NONE))
            example = i;
    }
    const char *fl = take(g, &flags);
    sb_free(&flags);
    RENDER_FN(g, "c_header", "cols", h, {"T", ti->n.T}, {"flags", fl},
              {"example", ti->n.field[example < 0 ? 0 : example]});
}

static void emit_insert_cols(gen *g, const tinfo *ti, strbuf *h, strbuf *src)
{
    RENDER_FN(g, "c_header", "insert_cols", h, {"T", ti->n.T});
    RENDER(g, "c_source", "insert_cols", src, {"T", ti->n.T}, {"NCOLUMNS", ti->n.ncolumns});
}

static void emit_update_cols(gen *g, const tinfo *ti, strbuf *h, strbuf *src)
{
    const m_table *t = ti->t;
    const char *auto_doc = "";
    for (int i = 0; i < t->ncolumns; i++)
        if (t->columns[i].auto_update)
            auto_doc = fmt(g, "%s  %s, unless the set gives it a value other than the one it "
                              "holds, is set to the current time by the database "
                              "(auto_update).",
                           auto_doc, t->columns[i].name);
    RENDER_FN(g, "c_header", "update_cols", h, {"T", ti->n.T},
              {"pk", names_of(g, t->pk, t->npk)}, {"auto", auto_doc});
    RENDER(g, "c_source", "update_cols", src, {"T", ti->n.T});
}

static void emit_copy(gen *g, const tinfo *ti, strbuf *h, strbuf *src)
{
    RENDER_FN(g, "c_header", "copy", h, {"T", ti->n.T});
    RENDER(g, "c_source", "copy", src, {"T", ti->n.T});
}

/* delete_many: an array of key values for a one-column primary key, of rows
 * (key fields read) for a composite one; its bind function reads one item. */
static void emit_delete_many(gen *g, const tinfo *ti, const char *dq, strbuf *h, strbuf *src)
{
    const m_table *t = ti->t;
    const char *keys, *arr, *what, *key_binds;
    if (t->npk == 1) {
        const m_column *c = t->pk[0];
        const char *type = c->type == TY_ENUM ? ti->n.etype[c->index] : type_table[c->type].c_param;
        size_t tl = strlen(type);
        bool star = tl && type[tl - 1] == '*';
        const char *param = ti->n.param[c->index];
        arr = "keys";
        keys = fmt(g, star ? "%sconst *keys" : "const %s *keys", type);
        what = "the primary key values";
        key_binds = fmt(g, star ? "    %s%s = *(%sconst *)p;\n%s" : "    %s %s = *(const %s *)p;\n%s",
                        type, param, type, binds_of(g, ti, t->pk, 1, 1));
    } else {
        arr = "rows";
        keys = fmt(g, "const %s *rows", ti->n.T);
        what = "rows, of which only the primary key fields are read";
        key_binds = fmt(g, "    const %s *row = p;\n%s", ti->n.T,
                        row_binds(g, ti, t->pk, t->npk, "row", 4));
    }
    RENDER_FN(g, "c_header", "delete_many", h, {"T", ti->n.T}, {"keys", keys}, {"arr", arr},
              {"what", what});
    RENDER(g, "c_source", "delete_many", src, {"T", ti->n.T}, {"keys", keys}, {"arr", arr},
           {"query", dq}, {"key_binds", key_binds});
}

/* Renders <table>.h into h and <table>.c into src. */
static void emit_table(gen *g, const m_table *t, strbuf *h, strbuf *src)
{
    tinfo ti;
    if (!tinfo_init(g, t, &ti))
        return;
    g->column_list = ti.n.column_list;
    const char *source = banner_source(g, t);
    const char *hname = fmt(g, "%s.h", t->name);
    const char *guard = fmt(g, "DALC_%s_H", upper(g, fmt(g, "%s%s", g->cx->prefix, t->name)));
    const char *pk_params = params_of(g, &ti, t->pk, t->npk);
    const char *pk_names = names_of(g, t->pk, t->npk);

    RENDER(g, "c_header", "begin", h, {"version", DALC_VERSION}, {"source", source},
           {"guard", guard}, {"file", hname});
    RENDER(g, "c_source", "begin", src, {"version", DALC_VERSION}, {"source", source},
           {"header", hname});

    emit_enums(g, &ti, h, src);
    emit_struct(g, &ti, h);
    emit_cols_type(g, &ti, h);
    emit_descriptor(g, &ti, src);
    emit_reader(g, &ti, src);

    /* insert, insert_many, upsert */
    RENDER_FN(g, "c_header", "insert", h, {"T", ti.n.T});
    RENDER_FN(g, "c_header", "insert_many", h, {"T", ti.n.T});
    RENDER_FN(g, "c_header", "upsert", h, {"T", ti.n.T});
    RENDER(g, "c_source", "insert", src, {"T", ti.n.T}, {"fast_insert", fast_insert(g, &ti, src)});
    emit_insert_cols(g, &ti, h, src);

    /* get, get_by */
    c_key pk = {.cols = t->pk, .n = t->npk};
    emit_get(g, &ti, &pk, true, h, src);
    for (int i = 0; i < ti.n.ngets; i++)
        emit_get(g, &ti, &ti.n.gets[i], false, h, src);

    /* update: every non-key column by primary key, except `auto_update: now`
     * columns (their trigger sets them; a table of key columns only sets its
     * key to itself, so that update still reports NOT_FOUND) */
    m_column **setc = arena_alloc(g->a, sizeof(m_column *) * (size_t)(t->ncolumns + t->npk + 1));
    if (!setc) {
        g->ok = false;
        return;
    }
    int nset = 0;
    for (int i = 0; i < t->ncolumns; i++)
        if (!t->columns[i].primary_key && !t->columns[i].auto_update)
            setc[nset++] = &t->columns[i];
    if (nset == 0)
        for (int i = 0; i < t->npk; i++)
            setc[nset++] = t->pk[i];
    strbuf sql;
    sb_init(&sql);
    sb_printf(&sql, "UPDATE \"%s\" SET ", t->name);
    for (int i = 0; i < nset; i++)
        sb_printf(&sql, "%s\"%s\" = $%d", i ? ", " : "", setc[i]->name, i + 1);
    sb_add(&sql, SOFT_BREAK "WHERE ");
    add_where_eq(&sql, t->pk, t->npk, nset + 1);
    const char *uq = query(g, src, fmt(g, "%s_update_q", ti.n.T), take(g, &sql), nset + t->npk);
    for (int i = 0; i < t->npk; i++)
        setc[nset + i] = t->pk[i];
    const char *auto_doc = "";
    for (int i = 0; i < t->ncolumns; i++)
        if (t->columns[i].auto_update)
            auto_doc = fmt(g, "%s  %s is not set: the database sets it to the current time on "
                              "every UPDATE that does not change it (auto_update).",
                           auto_doc, t->columns[i].name);
    RENDER_FN(g, "c_header", "update", h, {"T", ti.n.T}, {"pk", pk_names}, {"auto", auto_doc});
    RENDER(g, "c_source", "update", src, {"T", ti.n.T}, {"query", uq},
           {"row_binds", row_binds(g, &ti, setc, nset + t->npk, "row", 4)});
    emit_update_cols(g, &ti, h, src);
    RENDER_FN(g, "c_header", "update_many", h, {"T", ti.n.T});
    RENDER(g, "c_source", "update_many", src, {"T", ti.n.T}, {"query", uq});

    /* delete */
    sb_printf(&sql, "DELETE FROM \"%s\" WHERE ", t->name);
    add_where_eq(&sql, t->pk, t->npk, 1);
    const char *dq = query(g, src, fmt(g, "%s_delete_q", ti.n.T), take(g, &sql), t->npk);
    RENDER_FN(g, "c_header", "delete", h, {"T", ti.n.T}, {"params", pk_params}, {"pk", pk_names});
    RENDER(g, "c_source", "delete", src, {"T", ti.n.T}, {"params", pk_params}, {"query", dq},
           {"binds", binds_of(g, &ti, t->pk, t->npk, 1)}, {"table", t->name});
    emit_delete_many(g, &ti, dq, h, src);

    /* count */
    sb_printf(&sql, "SELECT count(*) FROM \"%s\"", t->name);
    const char *cq = query(g, src, fmt(g, "%s_count_q", ti.n.T), take(g, &sql), 0);
    RENDER_FN(g, "c_header", "count", h, {"T", ti.n.T});
    RENDER(g, "c_source", "count", src, {"T", ti.n.T}, {"query", cq});

    /* list, list_by */
    emit_list(g, &ti, NULL, h, src);
    for (int i = 0; i < ti.n.nlists; i++)
        emit_list(g, &ti, &ti.n.lists[i], h, src);

    /* iterate */
    sb_printf(&sql, "SELECT %s" SOFT_BREAK "FROM \"%s\"" SOFT_BREAK "ORDER BY %s", ti.select,
              t->name, ti.order);
    const char *iq = query(g, src, fmt(g, "%s_iterate_q", ti.n.T), take(g, &sql), 0);
    sb_free(&sql);
    RENDER_FN(g, "c_header", "iterate", h, {"T", ti.n.T}, {"pk", pk_names});
    RENDER(g, "c_source", "iterate", src, {"T", ti.n.T}, {"NCOLUMNS", ti.n.ncolumns}, {"query", iq});

    emit_copy(g, &ti, h, src);

    /* free */
    RENDER_FN(g, "c_header", "free", h, {"T", ti.n.T});
    RENDER_FN(g, "c_header", "array_free", h, {"T", ti.n.T});
    RENDER(g, "c_source", "free", src, {"T", ti.n.T});
    RENDER(g, "c_header", "end", h, {"guard", guard});
    wrap_code(h);
    wrap_code(src);
    if (h->oom || src->oom)
        g->ok = false;
}

/* ---------------------------------------------------------------------- */
/* schema.h, schema.c                                                      */
/* ---------------------------------------------------------------------- */

static void emit_schema(gen *g, output_set *o)
{
    const model *m = g->cx->m;
    const char *P = g->cx->prefix;
    strbuf *h = output_add(o, "schema.h");
    strbuf *src = output_add(o, "schema.c");
    if (!h || !src) {
        g->ok = false;
        return;
    }
    const char *dir = g->cx->schema_dir ? g->cx->schema_dir : "schema";
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < m->ntables; i++)
        sb_printf(&sb, "#include \"%s.h\"\n", m->by_name[i]->name);
    if (g->cx->migrations_dir)
        sb_add(&sb, "#include \"migrations.h\"\n");
    for (int i = 0; g->cx->queries && i < g->cx->queries->nfiles; i++)
        sb_printf(&sb, "#include \"%s_queries.h\"\n", g->cx->queries->files[i].f->stem);
    for (int i = 0; g->cx->queries && i < g->cx->queries->nviews; i++)
        sb_printf(&sb, "#include \"%s.h\"\n", g->cx->queries->views[i].src->name);
    const char *includes = take(g, &sb);
    for (int i = 0; i < m->ntables; i++)
        sb_printf(&sb, "    &%s_table,\n", c_names_struct(g->a, P, m->tables[i]));
    const char *tables = take(g, &sb);

    /* the DDL of both dialects as C literals: megabytes for a big schema,
     * so kept in buffers freed right after use rather than in the arena */
    strbuf pg, sqlite;
    sb_init(&pg);
    sb_init(&sqlite);
    if (!emit_ddl_pg(g->cx, &sb))
        g->ok = false;
    add_literal(&pg, sb_str(&sb), 4, 1, NULL);
    sb_clear(&sb);
    if (!emit_ddl_sqlite(g->cx, &sb))
        g->ok = false;
    add_literal(&sqlite, sb_str(&sb), 4, 1, NULL);
    if (sb.oom || pg.oom || sqlite.oom)
        g->ok = false;
    sb_free(&sb);

    const char *guard = fmt(g, "DALC_%sSCHEMA_H", upper(g, P));
    const char *PU = upper(g, P), *nt = fmt(g, "%d", m->ntables);
    RENDER(g, "c_schema", "header", h, {"version", DALC_VERSION}, {"source", dir},
           {"guard", guard}, {"includes", includes});
    RENDER_FN(g, "c_schema", "create", h, {"P", P});
    RENDER_FN(g, "c_schema", "sql", h, {"P", P});
    RENDER_FN(g, "c_schema", "tables", h, {"P", P}, {"PU", PU}, {"ntables", nt});
    RENDER(g, "c_schema", "header_end", h, {"guard", guard});
    RENDER(g, "c_schema", "source", src, {"version", DALC_VERSION}, {"source", dir}, {"P", P},
           {"pg_sql", sb_str(&pg)}, {"sqlite_sql", sb_str(&sqlite)}, {"tables", tables},
           {"ntables", fmt(g, "%d", m->ntables)});
    sb_free(&pg);
    sb_free(&sqlite);
    wrap_code(h);
    wrap_code(src);
    if (h->oom || src->oom)
        g->ok = false;
}

/* ---------------------------------------------------------------------- */
/* The tables, on cx->jobs threads                                         */
/* ---------------------------------------------------------------------- */

/* Each table is independent: its strings live in the arena of the thread
 * rendering it (reset after every table), its text in the thread's two
 * buffers until output_put hands it over, its diagnostics in a list of its
 * own.  The files were added to the output set in table order beforehand,
 * and the diagnostics are merged in table order afterwards, up to the first
 * table that failed (where a single thread stops), so the output and the
 * messages are the same for any number of threads. */
typedef struct table_result {
    bool ok;
    diag_list d;
} table_result;

typedef struct table_jobs {
    const emit_ctx *cx;
    output_set *o;
    strbuf **bodies;      /* [2 * i]: <table>.h, [2 * i + 1]: <table>.c */
    table_result *res;
    atomic_int next;      /* the next table to take */
    atomic_int failed;    /* the first table that failed so far, else ntables */
} table_jobs;

static void *table_worker(void *arg)
{
    table_jobs *j = arg;
    const model *m = j->cx->m;
    arena *a = arena_new();
    strbuf h, src;
    sb_init(&h);
    sb_init(&src);
    for (;;) {
        int i = atomic_fetch_add(&j->next, 1);
        /* tables after a failed one are not needed: nothing is written */
        if (i >= m->ntables || i > atomic_load(&j->failed))
            break;
        gen g = {j->cx, a, a != NULL, NULL, &j->res[i].d};
        if (a)
            emit_table(&g, m->by_name[i], &h, &src);
        if (g.ok) {
            output_put(j->o, j->bodies[2 * i], &h);
            output_put(j->o, j->bodies[2 * i + 1], &src);
        } else {
            sb_clear(&h);
            sb_clear(&src);
            int f = atomic_load(&j->failed);
            while (i < f && !atomic_compare_exchange_weak(&j->failed, &f, i))
                ;
        }
        j->res[i].ok = g.ok;
        if (a)
            arena_reset(a);
    }
    sb_free(&h);
    sb_free(&src);
    arena_free(a);
    return NULL;
}

static bool emit_tables(gen *g, output_set *o)
{
    const emit_ctx *cx = g->cx;
    int n = cx->m->ntables;
    table_jobs j = {.cx = cx, .o = o};
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, n);
    j.bodies = malloc(2 * ((size_t)n + 1) * sizeof *j.bodies);
    j.res = calloc((size_t)n + 1, sizeof *j.res);
    bool ok = j.bodies && j.res;
    for (int i = 0; i < n && ok; i++) {
        const char *name = cx->m->by_name[i]->name;
        j.bodies[2 * i] = output_add(o, fmt(g, "%s.h", name));
        j.bodies[2 * i + 1] = output_add(o, fmt(g, "%s.c", name));
        ok = j.bodies[2 * i] && j.bodies[2 * i + 1];
        /* as if the table reported into cx->d itself */
        diag_init(&j.res[i].d);
        j.res[i].d.errors = cx->d->errors;
        j.res[i].d.warnings = cx->d->warnings;
        j.res[i].d.max_errors = cx->d->max_errors;
    }
    if (!ok) {
        free(j.bodies);
        free(j.res);
        return false;
    }
    int nthreads = cx->jobs < n ? cx->jobs : n;
    pthread_t th[64];
    int started = 0;
    for (int k = 1; k < nthreads && k < 64; k++) {
        if (pthread_create(&th[started], NULL, table_worker, &j) != 0)
            break; /* fewer threads: the same output */
        started++;
    }
    table_worker(&j);
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    /* the tables' diagnostics up to the first failed table, in table order */
    int failed = atomic_load(&j.failed);
    int errors = cx->d->errors, warnings = cx->d->warnings;
    for (int i = 0; i < n; i++) {
        diag_list *td = &j.res[i].d;
        if (i <= failed) {
            sb_addn(&cx->d->text, sb_str(&td->text), td->text.len);
            cx->d->errors += td->errors - errors;
            cx->d->warnings += td->warnings - warnings;
        }
        diag_free(td);
    }
    free(j.bodies);
    free(j.res);
    return failed >= n;
}

bool emit_c(const emit_ctx *cx, output_set *o)
{
    gen g = {cx, arena_new(), true, NULL, cx->d};
    if (!g.a)
        return false;
    int errors = cx->d->errors;
    g.ok = emit_tables(&g, o);
    if (g.ok)
        emit_schema(&g, o);
    arena_free(g.a);
    return g.ok && cx->d->errors == errors;
}
