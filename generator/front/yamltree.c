/*
 * yamltree.c - YAML text -> yt_node tree (see yamltree.h), with libyaml's
 * event API and an explicit stack (no recursion: the nesting limit is
 * checked before a level is pushed, so hostile nesting ends at once).
 *
 * Everything the tree holds lives in the caller's arena.  The only heap
 * memory besides the arena is libyaml's own, released on every path.
 */
#include "front/yamltree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* A collection being built: its node and a growable child array (in the
 * arena; doubling wastes at most as much as it keeps, and the node limit
 * bounds the total). */
typedef struct frame {
    yt_node *node;
    yt_node **items; /* sequence items, or mapping keys/values alternating */
    int n, cap;
} frame;

typedef struct parse_state {
    arena *a;
    const char *path;
    const char *text;
    size_t len;
    diag_list *d;
    frame stack[YT_MAX_DEPTH];
    int depth;
    long nodes;
} parse_state;

static srcpos mark_pos(const parse_state *ps, yaml_mark_t m)
{
    srcpos p = {ps->path, (int)(m.line + 1 > INT32_MAX ? INT32_MAX : m.line + 1),
                (int)(m.column + 1 > INT32_MAX ? INT32_MAX : m.column + 1)};
    return p;
}

/* Line and column (in characters, like libyaml) of a byte offset. */
static srcpos offset_pos(const parse_state *ps, size_t off)
{
    int line = 1, col = 1;
    if (off > ps->len)
        off = ps->len;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)ps->text[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    srcpos p = {ps->path, line, col};
    return p;
}

static bool oom(parse_state *ps)
{
    srcpos p = {ps->path, 0, 0};
    return diag_error(ps->d, p, "out of memory");
}

static bool frame_push_child(parse_state *ps, frame *f, yt_node *child)
{
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 8;
        yt_node **items = arena_alloc(ps->a, (size_t)cap * sizeof *items);
        if (!items)
            return oom(ps);
        if (f->n)
            memcpy(items, f->items, (size_t)f->n * sizeof *items);
        f->items = items;
        f->cap = cap;
    }
    f->items[f->n++] = child;
    return true;
}

static int cmp_keys(const void *x, const void *y)
{
    const yt_pair *a = x, *b = y;
    int c = strcmp(a->key->value, b->key->value);
    if (c)
        return c;
    if (a->key->pos.line != b->key->pos.line)
        return a->key->pos.line < b->key->pos.line ? -1 : 1;
    return a->key->pos.col < b->key->pos.col ? -1 : a->key->pos.col > b->key->pos.col;
}

/* Moves a finished frame's children into its node; checks duplicate keys
 * (sorted copy, so large mappings stay O(n log n)). */
static bool frame_finish(parse_state *ps, frame *f)
{
    yt_node *n = f->node;
    if (n->kind == YT_SEQUENCE) {
        n->items = f->items;
        n->nitems = f->n;
        return true;
    }
    int np = f->n / 2;
    n->npairs = np;
    if (np == 0)
        return true;
    n->pairs = arena_alloc(ps->a, (size_t)np * sizeof *n->pairs);
    yt_pair *sorted = arena_alloc(ps->a, (size_t)np * sizeof *sorted);
    if (!n->pairs || !sorted)
        return oom(ps);
    for (int i = 0; i < np; i++) {
        n->pairs[i].key = f->items[2 * i];
        n->pairs[i].value = f->items[2 * i + 1];
    }
    memcpy(sorted, n->pairs, (size_t)np * sizeof *sorted);
    qsort(sorted, (size_t)np, sizeof *sorted, cmp_keys);
    for (int i = 1; i < np; i++) {
        if (strcmp(sorted[i].key->value, sorted[i - 1].key->value) == 0) {
            const yt_node *first = sorted[i - 1].key;
            return diag_error(ps->d, sorted[i].key->pos, "duplicate key '%s' (first at line %d)",
                              sorted[i].key->value, first->pos.line);
        }
    }
    return true;
}

static yt_node *new_node(parse_state *ps, yt_kind kind, yaml_mark_t m)
{
    if (++ps->nodes > YT_MAX_NODES) {
        diag_error(ps->d, mark_pos(ps, m), "more than %d YAML nodes", YT_MAX_NODES);
        return NULL;
    }
    yt_node *n = arena_alloc(ps->a, sizeof *n);
    if (!n) {
        oom(ps);
        return NULL;
    }
    n->kind = kind;
    n->pos = mark_pos(ps, m);
    return n;
}

/* Attaches a finished node to the enclosing collection, or makes it the
 * root.  A mapping expecting a key refuses a non-scalar. */
static bool attach(parse_state *ps, yaml_doc *doc, yt_node *n)
{
    if (ps->depth == 0) {
        doc->root = n;
        return true;
    }
    frame *f = &ps->stack[ps->depth - 1];
    return frame_push_child(ps, f, n);
}

static bool expecting_key(const parse_state *ps)
{
    if (ps->depth == 0)
        return false;
    const frame *f = &ps->stack[ps->depth - 1];
    return f->node->kind == YT_MAPPING && f->n % 2 == 0;
}

static bool report_parser_error(parse_state *ps, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        srcpos at = offset_pos(ps, p->problem_offset);
        if (strstr(problem, "UTF-8"))
            return diag_error(ps->d, at, "invalid UTF-8 (%s at byte offset %zu)", problem,
                              p->problem_offset);
        return diag_error(ps->d, at, "invalid input: %s (byte value 0x%02x)", problem,
                          (unsigned)(p->problem_value & 0xFF));
    }
    if (p->error == YAML_MEMORY_ERROR)
        return oom(ps);
    srcpos at = mark_pos(ps, p->problem_mark);
    if (p->context) {
        srcpos c = mark_pos(ps, p->context_mark);
        return diag_error(ps->d, at, "yaml syntax error: %s (%s at line %d)", problem,
                          p->context, c.line);
    }
    return diag_error(ps->d, at, "yaml syntax error: %s", problem);
}

static bool refuse_anchor_tag(parse_state *ps, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag, int implicit)
{
    if (anchor)
        return diag_error(ps->d, mark_pos(ps, ev->start_mark),
                          "anchors are not supported ('&%s')", (const char *)anchor);
    if (tag && !implicit)
        return diag_error(ps->d, mark_pos(ps, ev->start_mark), "tags are not supported ('%s')",
                          (const char *)tag);
    return true;
}

yaml_doc *yt_parse(arena *a, const char *path, const char *text, size_t len, diag_list *d)
{
    parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.path = arena_strdup(a, path);
    ps.text = text;
    ps.len = len;
    ps.d = d;
    if (!ps.path) {
        srcpos p = {path, 0, 0};
        diag_error(d, p, "out of memory");
        return NULL;
    }
    if (len > YT_MAX_BYTES) {
        srcpos p = {ps.path, 0, 0};
        diag_error(d, p, "file is too large (more than %u bytes)", (unsigned)YT_MAX_BYTES);
        return NULL;
    }
    yaml_doc *doc = arena_alloc(a, sizeof *doc);
    if (!doc) {
        oom(&ps);
        return NULL;
    }
    doc->path = ps.path;
    doc->end.file = ps.path;
    doc->end.line = 1;
    doc->end.col = 1;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        oom(&ps);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    bool ok = true, done = false;
    int ndocs = 0;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            ok = report_parser_error(&ps, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            doc->end = mark_pos(&ps, ev.start_mark);
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++ndocs > 1)
                ok = diag_error(d, mark_pos(&ps, ev.start_mark),
                                "more than one YAML document in one file");
            break;
        case YAML_DOCUMENT_END_EVENT:
            doc->end = mark_pos(&ps, ev.end_mark);
            break;
        case YAML_ALIAS_EVENT:
            ok = diag_error(d, mark_pos(&ps, ev.start_mark), "aliases are not supported ('*%s')",
                            (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT: {
            if (!refuse_anchor_tag(&ps, &ev, ev.data.scalar.anchor, ev.data.scalar.tag,
                                   ev.data.scalar.plain_implicit ||
                                       ev.data.scalar.quoted_implicit)) {
                ok = false;
                break;
            }
            const char *v = (const char *)ev.data.scalar.value;
            size_t vlen = ev.data.scalar.length;
            if (memchr(v, '\0', vlen)) {
                ok = diag_error(d, mark_pos(&ps, ev.start_mark),
                                "a string contains a NUL character");
                break;
            }
            yt_node *n = new_node(&ps, YT_SCALAR, ev.start_mark);
            if (!n) {
                ok = false;
                break;
            }
            n->value = arena_strndup(a, v, vlen);
            if (!n->value) {
                ok = oom(&ps);
                break;
            }
            n->len = vlen;
            n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            ok = attach(&ps, doc, n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
            const yaml_char_t *anchor =
                seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            const yaml_char_t *tag = seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag;
            int implicit =
                seq ? ev.data.sequence_start.implicit : ev.data.mapping_start.implicit;
            if (!refuse_anchor_tag(&ps, &ev, anchor, tag, implicit)) {
                ok = false;
                break;
            }
            if (expecting_key(&ps)) {
                ok = diag_error(d, mark_pos(&ps, ev.start_mark),
                                "mapping keys must be plain strings, not a %s",
                                seq ? "sequence" : "mapping");
                break;
            }
            if (ps.depth >= YT_MAX_DEPTH) {
                ok = diag_error(d, mark_pos(&ps, ev.start_mark),
                                "nesting is deeper than %d levels", YT_MAX_DEPTH);
                break;
            }
            yt_node *n = new_node(&ps, seq ? YT_SEQUENCE : YT_MAPPING, ev.start_mark);
            if (!n) {
                ok = false;
                break;
            }
            frame *f = &ps.stack[ps.depth++];
            memset(f, 0, sizeof *f);
            f->node = n;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            frame *f = &ps.stack[--ps.depth];
            ok = frame_finish(&ps, f) && attach(&ps, doc, f->node);
            break;
        }
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok ? doc : NULL;
}

yaml_doc *yt_parse_file(arena *a, const char *path, diag_list *d)
{
    size_t len = 0;
    const char *err = NULL;
    char *text = read_file(path, YT_MAX_BYTES, &len, &err);
    if (!text) {
        srcpos p = {arena_strdup(a, path), 0, 0};
        if (!p.file)
            p.file = path;
        if (err && strcmp(err, "file too large") == 0)
            diag_error(d, p, "file is too large (more than %u bytes)", (unsigned)YT_MAX_BYTES);
        else
            diag_error(d, p, "cannot read file: %s", err ? err : "unknown error");
        return NULL;
    }
    yaml_doc *doc = yt_parse(a, path, text, len, d);
    free(text);
    return doc;
}

yt_node *yt_get(const yt_node *map, const char *key)
{
    if (!map || map->kind != YT_MAPPING)
        return NULL;
    for (int i = 0; i < map->npairs; i++)
        if (map->pairs[i].key->value[0] == key[0] && strcmp(map->pairs[i].key->value, key) == 0)
            return map->pairs[i].value;
    return NULL;
}
