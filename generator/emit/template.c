/*
 * template.c - the template engine of template.h.
 *
 * A file is parsed once, when loaded, into sections; each section is a
 * list of parts: literal text or a slot reference (with the slot's
 * line:column in the template, for diagnostics).  Rendering walks the parts
 * and appends; a slot is looked up among the few values the emitter passes,
 * starting with the index that matched last time (emitters pass their
 * slots in the same order on every call), so rendering the same section for
 * thousands of tables costs a memcpy per part.  A loaded set is shared by
 * the threads emit_c renders tables on: the hint is the only thing
 * rendering writes, and it is atomic (a stale hint only costs a search).
 *
 * Syntax (see template.h):
 *   "@@ name"  starts a section (name: letters, digits, '_', '-', '.');
 *   "@@#..."   a comment line, dropped wherever it appears;
 *   "{{slot}}" a placeholder (spaces inside the braces are allowed);
 *   any other text is copied.  Text before the first section may only be
 *   blank.  An unterminated "{{", an empty or invalid slot name, a bad
 *   section line or a duplicate section is an error when loading; an
 *   unknown slot or section is an error when rendering, reported at the
 *   position in the template file.
 */
#include "emit/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TMPL_MAX_BYTES (1u << 20)

typedef struct tpart {
    const char *text; /* literal text, or the slot name */
    size_t len;
    bool is_slot;
    int line, col;    /* of the slot, in the template file */
    atomic_size_t hint; /* index of the slot that matched last time */
} tpart;

typedef struct tsection {
    const char *name;
    int line;         /* of the "@@ name" line */
    tpart *parts;
    size_t nparts;
} tsection;

struct tmpl_file {
    const char *name; /* "ddl.pg" */
    const char *path; /* "templates/ddl.pg.tmpl" (built-in) or DIR/ddl.pg.tmpl */
    tsection *sections;
    size_t nsections;
};

struct tmpl_set {
    arena *a;
    tmpl_file *files;
    size_t nfiles;
};

/* ---- parsing ------------------------------------------------------------ */

typedef struct parser {
    arena *a;
    tmpl_file *f;
    diag_list *d;
    size_t cap_sections, cap_parts;
    bool ok;
} parser;

static bool grow(arena *a, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, ncap * elem);
    if (!p)
        return false;
    if (*arr)
        memcpy(p, *arr, n * elem);
    *arr = p;
    *cap = ncap;
    return true;
}

static tpart *new_part(parser *p)
{
    tsection *s = &p->f->sections[p->f->nsections - 1];
    if (!grow(p->a, (void **)&s->parts, &p->cap_parts, s->nparts, sizeof(tpart)))
        return NULL;
    tpart *t = &s->parts[s->nparts++];
    memset(t, 0, sizeof *t);
    atomic_init(&t->hint, 0);
    return t;
}

static bool add_text(parser *p, const char *s, size_t n)
{
    if (n == 0)
        return true;
    tsection *sec = &p->f->sections[p->f->nsections - 1];
    /* Merge with the previous literal when it is adjacent in memory. */
    if (sec->nparts) {
        tpart *last = &sec->parts[sec->nparts - 1];
        if (!last->is_slot && last->text + last->len == s) {
            last->len += n;
            return true;
        }
    }
    tpart *t = new_part(p);
    if (!t)
        return false;
    t->text = s;
    t->len = n;
    return true;
}

static bool oom(parser *p)
{
    srcpos at = {p->f->path, 0, 0};
    p->ok = false;
    return diag_error(p->d, at, "out of memory");
}

static bool is_name_char(char c, bool section)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (section && (c == '-' || c == '.'));
}

/* One content line (with its newline, if any) of the current section. */
static void parse_line(parser *p, const char *s, size_t n, int line)
{
    size_t i = 0, start = 0;
    while (i < n) {
        if (s[i] == '{' && i + 1 < n && s[i + 1] == '{') {
            if (!add_text(p, s + start, i - start)) {
                oom(p);
                return;
            }
            int col = (int)i + 1;
            size_t j = i + 2;
            while (j + 1 < n && !(s[j] == '}' && s[j + 1] == '}'))
                j++;
            if (j + 1 >= n) {
                srcpos at = {p->f->path, line, col};
                diag_error(p->d, at, "unterminated \"{{\": a slot ends with \"}}\" on the same line");
                p->ok = false;
                return;
            }
            size_t a = i + 2, b = j;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            bool valid = a < b;
            for (size_t k = a; k < b; k++)
                if (!is_name_char(s[k], false))
                    valid = false;
            if (!valid) {
                srcpos at = {p->f->path, line, col};
                diag_error(p->d, at, "invalid slot name \"%.*s\" (letters, digits and '_')",
                           (int)(j - i - 2), s + i + 2);
                p->ok = false;
            } else {
                tpart *t = new_part(p);
                if (!t) {
                    oom(p);
                    return;
                }
                t->is_slot = true;
                t->text = arena_strndup(p->a, s + a, b - a);
                if (!t->text) {
                    oom(p);
                    return;
                }
                t->len = b - a;
                t->line = line;
                t->col = col + (int)(a - i);
            }
            i = j + 2;
            start = i;
        } else {
            i++;
        }
    }
    if (!add_text(p, s + start, n - start))
        oom(p);
}

static void start_section(parser *p, const char *s, size_t n, int line)
{
    /* s is the line after "@@" without its newline */
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
        b--;
    bool valid = a < b && a > 0;
    for (size_t k = a; k < b; k++)
        if (!is_name_char(s[k], true))
            valid = false;
    if (!valid) {
        srcpos at = {p->f->path, line, 1};
        diag_error(p->d, at,
                   "bad section line: expected \"@@ name\" (letters, digits, '_', '-', '.') or "
                   "an \"@@#\" comment");
        p->ok = false;
        return;
    }
    for (size_t i = 0; i < p->f->nsections; i++) {
        const tsection *o = &p->f->sections[i];
        if (strlen(o->name) == b - a && memcmp(o->name, s + a, b - a) == 0) {
            srcpos at = {p->f->path, line, (int)a + 3};
            diag_error(p->d, at, "duplicate section \"%s\" (first at line %d)", o->name, o->line);
            p->ok = false;
            return;
        }
    }
    if (!grow(p->a, (void **)&p->f->sections, &p->cap_sections, p->f->nsections,
              sizeof(tsection))) {
        oom(p);
        return;
    }
    tsection *sec = &p->f->sections[p->f->nsections++];
    memset(sec, 0, sizeof *sec);
    sec->name = arena_strndup(p->a, s + a, b - a);
    sec->line = line;
    p->cap_parts = 0;
    if (!sec->name)
        oom(p);
}

/* Parses text (arena-owned, NUL-terminated) into f. */
static bool parse_file(arena *a, tmpl_file *f, const char *text, size_t len, diag_list *d)
{
    parser p = {a, f, d, 0, 0, true};
    int line = 0;
    bool in_section_error = false; /* after a bad section line: skip its body */
    size_t i = 0;
    while (i < len && p.ok) {
        line++;
        const char *s = text + i;
        const char *nl = memchr(s, '\n', len - i);
        size_t n = nl ? (size_t)(nl - s) + 1 : len - i; /* with the newline */
        i += n;
        if (n >= 2 && s[0] == '@' && s[1] == '@') {
            if (n >= 3 && s[2] == '#')
                continue;
            size_t body = n - (nl ? 1 : 0);
            start_section(&p, s + 2, body - 2, line);
            in_section_error = !p.ok;
            continue;
        }
        if (in_section_error)
            continue;
        if (f->nsections == 0) {
            bool blank = true;
            for (size_t k = 0; k < n; k++)
                if (s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && s[k] != '\r')
                    blank = false;
            if (!blank) {
                srcpos at = {f->path, line, 1};
                diag_error(d, at, "text before the first section (start one with \"@@ name\")");
                p.ok = false;
            }
            continue;
        }
        parse_line(&p, s, n, line);
    }
    return p.ok;
}

/* ---- loading ------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int find_builtin(const char *name, size_t n)
{
    for (size_t i = 0; i < tmpl_nbuiltins; i++)
        if (strlen(tmpl_builtins[i].name) == n && memcmp(tmpl_builtins[i].name, name, n) == 0)
            return (int)i;
    return -1;
}

tmpl_set *tmpl_load(const char *dir, diag_list *d)
{
    arena *a = arena_new();
    tmpl_set *s = a ? arena_alloc(a, sizeof *s) : NULL;
    if (s)
        s->files = arena_alloc(a, (tmpl_nbuiltins ? tmpl_nbuiltins : 1) * sizeof(tmpl_file));
    if (!s || !s->files) {
        srcpos at = {"templates", 0, 0};
        diag_error(d, at, "out of memory");
        arena_free(a);
        return NULL;
    }
    s->a = a;
    bool ok = true;
    /* Which built-ins the directory overrides; unknown *.tmpl files are errors. */
    bool *override = arena_alloc(a, (tmpl_nbuiltins ? tmpl_nbuiltins : 1) * sizeof(bool));
    if (!override) {
        arena_free(a);
        return NULL;
    }
    if (dir) {
        DIR *dh = opendir(dir);
        if (!dh) {
            srcpos at = {dir, 0, 0};
            diag_error(d, at, "cannot open the templates folder: %s", strerror(errno));
            arena_free(a);
            return NULL;
        }
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            if (e->d_name[0] == '.' || !ends_with(e->d_name, ".tmpl"))
                continue;
            size_t n = strlen(e->d_name) - 5;
            int k = find_builtin(e->d_name, n);
            if (k < 0) {
                srcpos at = {arena_printf(a, "%s/%s", dir, e->d_name), 0, 0};
                strbuf known;
                sb_init(&known);
                for (size_t i = 0; i < tmpl_nbuiltins; i++)
                    sb_printf(&known, "%s%s.tmpl", i ? ", " : "", tmpl_builtins[i].name);
                diag_error(d, at, "no template of this name is used (known: %s)", sb_str(&known));
                sb_free(&known);
                ok = false;
                continue;
            }
            override[k] = true;
        }
        closedir(dh);
    }
    for (size_t i = 0; i < tmpl_nbuiltins; i++) {
        tmpl_file *f = &s->files[s->nfiles++];
        f->name = tmpl_builtins[i].name;
        const char *text;
        size_t len;
        if (override[i]) {
            f->path = arena_printf(a, "%s/%s.tmpl", dir, f->name);
            const char *err = NULL;
            char *buf = f->path ? read_file(f->path, TMPL_MAX_BYTES, &len, &err) : NULL;
            if (!buf) {
                srcpos at = {f->path ? f->path : dir, 0, 0};
                diag_error(d, at, "cannot read: %s", err ? err : "out of memory");
                ok = false;
                continue;
            }
            char *copy = arena_strndup(a, buf, len);
            free(buf);
            if (!copy || strlen(copy) != len) {
                srcpos at = {f->path, 0, 0};
                diag_error(d, at, copy ? "template contains a NUL byte" : "out of memory");
                ok = false;
                continue;
            }
            text = copy;
        } else {
            f->path = arena_printf(a, "templates/%s.tmpl", f->name);
            text = tmpl_builtins[i].text;
            len = strlen(text);
        }
        if (!f->path || !parse_file(a, f, text, len, d))
            ok = false;
    }
    if (!ok) {
        arena_free(a);
        return NULL;
    }
    return s;
}

void tmpl_free(tmpl_set *s)
{
    if (s)
        arena_free(s->a);
}

/* ---- rendering ---------------------------------------------------------- */

static const tmpl_file *find_file(const tmpl_set *s, const char *name)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].name[0] == name[0] && strcmp(s->files[i].name, name) == 0)
            return &s->files[i];
    return NULL;
}

static const tsection *find_section(const tmpl_file *f, const char *name)
{
    for (size_t i = 0; i < f->nsections; i++)
        if (f->sections[i].name[0] == name[0] && strcmp(f->sections[i].name, name) == 0)
            return &f->sections[i];
    return NULL;
}

/* True when d already holds a line starting with prefix: a part's unknown
 * slot is reported once per diagnostics list (not once per process, so
 * that emit_c's per-table lists, merged in table order, read the same as
 * one list). */
static bool reported(const diag_list *d, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = sb_str(&d->text); *l;) {
        if (strncmp(l, prefix, n) == 0)
            return true;
        l = strchr(l, '\n');
        if (!l)
            break;
        l++;
    }
    return false;
}

static bool slot_is(const tmpl_slot *sl, const tpart *p)
{
    return sl->name[0] == p->text[0] && strcmp(sl->name, p->text) == 0;
}

bool tmpl_render(const tmpl_set *s, const char *file, const char *section,
                 const tmpl_slot *slots, size_t nslots, strbuf *out, diag_list *d)
{
    const tmpl_file *f = find_file(s, file);
    if (!f) {
        srcpos at = {file, 0, 0};
        return diag_error(d, at, "internal error: no template file \"%s\"", file);
    }
    const tsection *sec = find_section(f, section);
    if (!sec) {
        srcpos at = {f->path, 1, 1};
        return diag_error(d, at, "the template has no section \"%s\" (it must keep every section "
                                 "of the built-in one)",
                          section);
    }
    bool ok = true;
    for (size_t i = 0; i < sec->nparts; i++) {
        tpart *p = &sec->parts[i];
        if (!p->is_slot) {
            sb_addn(out, p->text, p->len);
            continue;
        }
        const tmpl_slot *hit = NULL;
        size_t hint = atomic_load_explicit(&p->hint, memory_order_relaxed);
        if (hint < nslots && slot_is(&slots[hint], p)) {
            hit = &slots[hint];
        } else {
            for (size_t k = 0; k < nslots; k++) {
                if (slot_is(&slots[k], p)) {
                    hit = &slots[k];
                    atomic_store_explicit(&p->hint, k, memory_order_relaxed);
                    break;
                }
            }
        }
        if (hit) {
            if (hit->value)
                sb_add(out, hit->value);
            continue;
        }
        ok = false;
        char prefix[512];
        snprintf(prefix, sizeof prefix, "%s:%d:%d: error: unknown slot ", f->path, p->line,
                 p->col);
        if (!reported(d, prefix)) {
            srcpos at = {f->path, p->line, p->col};
            strbuf known;
            sb_init(&known);
            for (size_t k = 0; k < nslots; k++)
                sb_printf(&known, "%s%s", k ? ", " : "", slots[k].name);
            diag_error(d, at, "unknown slot \"%s\" in section \"%s\" (known here: %s)", p->text,
                       section, nslots ? sb_str(&known) : "none");
            sb_free(&known);
        }
    }
    if (out->oom) {
        srcpos at = {f->path, sec->line, 1};
        return diag_error(d, at, "out of memory");
    }
    return ok;
}
