/*
 * yamltree.h - stage 1 of the pipeline: YAML text -> a tree of nodes that
 * remember where they came from (libyaml marks, 1-based line and column).
 *
 * Hostile input is bounded here, before anything else sees it: aliases are
 * refused (no alias bombs), nesting deeper than YT_MAX_DEPTH, files larger
 * than YT_MAX_BYTES, more than YT_MAX_NODES nodes, invalid UTF-8 and
 * multi-document streams are errors with a position.
 *
 * front/ owns reading the schema's text (libyaml) and knows nothing of
 * tables or types; it may include base/ only.  model/ reads the tree.
 */
#ifndef DALC_YAMLTREE_H
#define DALC_YAMLTREE_H

#include <stddef.h>

#include "base/util.h"

#define YT_MAX_DEPTH 64
#define YT_MAX_BYTES (4u * 1024u * 1024u)
#define YT_MAX_NODES 200000

typedef enum yt_kind { YT_SCALAR, YT_SEQUENCE, YT_MAPPING } yt_kind;

typedef struct yt_node yt_node;
typedef struct yt_pair {
    yt_node *key; /* always a scalar (non-scalar keys are rejected) */
    yt_node *value;
} yt_pair;

struct yt_node {
    yt_kind kind;
    srcpos pos;           /* start mark of the node */
    /* YT_SCALAR */
    const char *value;    /* NUL-terminated; scalars containing NUL are rejected */
    size_t len;
    int quoted;           /* 1 when written '...' or "..." or as a block scalar (never a bool/number/null) */
    /* YT_SEQUENCE */
    yt_node **items;
    int nitems;
    /* YT_MAPPING (duplicate keys are rejected) */
    yt_pair *pairs;
    int npairs;
};

typedef struct yaml_doc {
    const char *path; /* as given */
    yt_node *root;    /* NULL for an empty file (reported by the model) */
    srcpos end;       /* position just past the last token, for "empty file" */
} yaml_doc;

/* Parses text (len bytes) read from path into a document allocated in a.
 * Returns NULL after reporting into d. */
yaml_doc *yt_parse(arena *a, const char *path, const char *text, size_t len, diag_list *d);

/* Reads and parses a file. */
yaml_doc *yt_parse_file(arena *a, const char *path, diag_list *d);

/* Mapping lookup: the value for key, or NULL. */
yt_node *yt_get(const yt_node *map, const char *key);

#endif
