/*
 * test_diag.c - the front end's diagnostics (yamltree.c, model.c): every
 * class of error gives its exact message at the offending YAML node, several
 * per run, without cascades; hostile input ends quickly with an error; valid
 * schemas build into the expected model.
 *
 * Each tests/bad/<case>/ is a schema folder plus expected.txt, the exact
 * diagnostics text (paths as passed to model_load_dir: "tests/bad/<case>").
 * Hostile inputs are written to $DALC_TEST_TMP at run time.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "model/model.h"
#include "front/yamltree.h"

/* ---- helpers ------------------------------------------------------------ */

/* Loads dir, expects failure, returns the diagnostics text (caller frees). */
static char *load_fails(const char *dir)
{
    diag_list d;
    diag_init(&d);
    model *m = model_load_dir(dir, &d);
    if (m) {
        model_free(m);
        diag_free(&d);
        fail_msg("%s: expected errors, the schema was accepted", dir);
    }
    assert_true(d.errors > 0);
    return sb_take(&d.text);
}

/* No timing here: tests assert behaviour only (how fast hostile inputs are
 * rejected is measured by `make bench`, section "hostile inputs"). */
static void expect_dir_text(const char *dir, const char *expected)
{
    char *got = load_fails(dir);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "--- expected\n%s--- got\n%s", expected, got);
        free(got);
        fail_msg("%s: diagnostics differ", dir);
    }
    free(got);
}

static char *tmp_dir(const char *name)
{
    char buf[4096];
    test_tmp_path(buf, sizeof buf, name);
    mkdir(buf, 0755);
    return strdup(buf);
}

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Writes text as dir/file and checks the one-line diagnostic
 * "<dir>/<file>:<where>: error: <msg>" (where = "L:C" or "" for none). */
static void expect_file_error(const char *case_name, const char *file, const char *data,
                              size_t n, const char *where, const char *msg)
{
    char *dir = tmp_dir(case_name);
    char path[4096], want[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    write_bytes(path, data, n);
    if (*where)
        snprintf(want, sizeof want, "%s:%s: error: %s\n", path, where, msg);
    else
        snprintf(want, sizeof want, "%s: error: %s\n", path, msg);
    expect_dir_text(dir, want);
    free(dir);
}

/* ---- every tests/bad/<case> ----------------------------------------------- */

static void test_bad_case(void **state)
{
    const char *name = *state;
    char dir[512], exp[600];
    snprintf(dir, sizeof dir, "tests/bad/%s", name);
    snprintf(exp, sizeof exp, "%s/expected.txt", dir);
    char *expected = test_slurp(exp, NULL);
    if (!expected)
        fail_msg("missing %s", exp);
    expect_dir_text(dir, expected);
    free(expected);
}

/* Every case folder has a test below (a new folder must be listed). */
static const char *const bad_cases[] = {
    "alias", "anchor", "auto_update", "c_name_collision", "complex_key", "defaults", "duplicate_column",
    "duplicate_key", "duplicate_table", "duplicate_unique", "empty_columns", "file_name",
    "fk_actions", "identifiers", "identity", "indexes", "missing_keys", "multi_document",
    "no_cascade", "no_primary_key", "not_null_cycle", "null_values", "pk_nullable",
    "primary_key_table", "primary_key_twice", "ref_type_mismatch", "renamed_from",
    "reserved_tables", "sql_name_collision", "tag", "top_level", "type_params", "unknown_keys",
    "unknown_ref_column", "unknown_ref_table", "unknown_type", "yaml_shapes", "yaml_shapes2",
    "views", "yaml_syntax",
};

static void test_bad_cases_listed(void **state)
{
    (void)state;
    /* every folder under tests/bad is in bad_cases (besides empty_dir) */
    FILE *p = popen("ls tests/bad", "r");
    assert_non_null(p);
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strcmp(line, "empty_dir"))
            continue;
        bool found = false;
        for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++)
            if (!strcmp(bad_cases[i], line))
                found = true;
        if (!found)
            fail_msg("tests/bad/%s is not listed in test_diag.c", line);
        n++;
    }
    pclose(p);
    assert_int_equal(n, (int)(sizeof bad_cases / sizeof *bad_cases));
}

/* ---- folders ------------------------------------------------------------------ */

static void test_missing_dir(void **state)
{
    (void)state;
    expect_dir_text("tests/bad/no_such_folder",
                    "tests/bad/no_such_folder: error: cannot open schema folder: No such file or "
                    "directory\n");
}

static void test_empty_dir(void **state)
{
    (void)state;
    char *dir = tmp_dir("empty_dir");
    char path[4096], want[8192];
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    write_bytes(path, "x", 1); /* not a schema file */
    snprintf(want, sizeof want, "%s: error: no schema files (*.yaml, *.yml) in this folder\n",
             dir);
    expect_dir_text(dir, want);
    free(dir);
}

/* ---- hostile input ------------------------------------------------------------- */

static void test_billion_laughs(void **state)
{
    (void)state;
    const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    expect_file_error("bomb", "bomb.yaml", bomb, strlen(bomb), "1:4",
                      "anchors are not supported ('&a')");
    /* aliases without anchors are refused too */
    const char *alias = "table: *x\n";
    expect_file_error("alias", "t.yaml", alias, strlen(alias), "1:8",
                      "aliases are not supported ('*x')");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *buf = malloc(2 * depth + 1);
    assert_non_null(buf);
    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    buf[2 * depth] = '\n';
    expect_file_error("deep", "t.yaml", buf, 2 * depth + 1, "1:65",
                      "nesting is deeper than 64 levels");
    /* block style too */
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 200; i++) {
        sb_pad(&sb, (size_t)i);
        sb_printf(&sb, "k%d:\n", i);
    }
    expect_file_error("deep_block", "t.yaml", sb_str(&sb), sb.len, "65:65",
                      "nesting is deeper than 64 levels");
    sb_free(&sb);
    free(buf);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char text[] = "table: t\ncomment: \"ab\xff\xfe\"\n";
    expect_file_error("utf8", "t.yaml", text, sizeof text - 1, "2:13",
                      "invalid UTF-8 (invalid leading UTF-8 octet at byte offset 21)");
    const char trunc[] = "table: t\ncomment: caf\xc3";
    expect_file_error("utf8_trunc", "t.yaml", trunc, sizeof trunc - 1, "2:13",
                      "invalid UTF-8 (incomplete UTF-8 octet sequence at byte offset 21)");
}

static void test_empty_file(void **state)
{
    (void)state;
    expect_file_error("empty", "t.yaml", "", 0, "1:1",
                      "empty schema file (expected a mapping with 'table' and 'columns')");
    const char *comments = "# nothing here\n\n";
    expect_file_error("comments", "t.yaml", comments, strlen(comments), "1:1",
                      "empty schema file (expected a mapping with 'table' and 'columns')");
}

static void test_big_file(void **state)
{
    (void)state;
    size_t n = 10u * 1024u * 1024u;
    char *buf = malloc(n);
    assert_non_null(buf);
    const char *row = "  - { name: c, type: int64 }\n";
    size_t rl = strlen(row);
    for (size_t i = 0; i < n; i++)
        buf[i] = row[i % rl];
    memcpy(buf, "table: t\ncolumns:\n", 18);
    expect_file_error("big", "t.yaml", buf, n, "", "file is too large (more than 4194304 bytes)");
    /* yt_parse refuses the same before looking at the text */
    arena *a = arena_new();
    diag_list d;
    diag_init(&d);
    assert_null(yt_parse(a, "mem.yaml", buf, YT_MAX_BYTES + 1, &d));
    assert_string_equal(sb_str(&d.text),
                        "mem.yaml: error: file is too large (more than 4194304 bytes)\n");
    diag_free(&d);
    arena_free(a);
    free(buf);
}

static void test_too_many_nodes(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '[');
    for (int i = 0; i <= YT_MAX_NODES; i++)
        sb_add(&sb, i ? ",1" : "1");
    sb_add(&sb, "]\n");
    assert_false(sb.oom);
    expect_file_error("nodes", "t.yaml", sb_str(&sb), sb.len, "1:400000",
                      "more than 200000 YAML nodes");
    sb_free(&sb);
}

/* Regression: duplicate-column checks are quadratic in the column count, so
 * a 4 MiB file of 25,000 columns took 8 s; tables are now capped at
 * PostgreSQL's 1,600 columns with a precise error. */
static void test_too_many_columns(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "table: t\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n");
    for (int i = 1; i <= MODEL_MAX_COLUMNS; i++)
        sb_printf(&sb, "  - { name: c%d, type: text }\n", i);
    assert_false(sb.oom);
    expect_file_error("wide", "t.yaml", sb_str(&sb), sb.len, "3:3",
                      "table has 1601 columns; at most 1600 are allowed (PostgreSQL's limit)");
    sb_free(&sb);
}

static void test_long_name(void **state)
{
    (void)state;
    char name[71], file[80], text[256], msg[256];
    memset(name, 'a', 70);
    name[70] = '\0';
    snprintf(file, sizeof file, "%s.yaml", name);
    snprintf(text, sizeof text, "table: %s\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n",
             name);
    snprintf(msg, sizeof msg, "table name '%s' is too long (70 bytes, at most 63)", name);
    expect_file_error("long", file, text, strlen(text), "1:8", msg);
}

static void test_nul_in_string(void **state)
{
    (void)state;
    const char *text = "table: \"a\\0b\"\n";
    expect_file_error("nul", "t.yaml", text, strlen(text), "1:8",
                      "a string contains a NUL character");
}

static void test_many_errors_capped(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "table: t\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n");
    for (int i = 0; i < 500; i++)
        sb_printf(&sb, "  - { name: c%d, type: nope }\n", i);
    char *dir = tmp_dir("many");
    char path[4096];
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    write_bytes(path, sb_str(&sb), sb.len);
    diag_list d;
    diag_init(&d);
    assert_null(model_load_dir(dir, &d));
    assert_int_equal(d.errors, 500);
    assert_non_null(strstr(sb_str(&d.text), "error: too many errors, stopping\n"));
    diag_free(&d);
    sb_free(&sb);
    free(dir);
}

/* ---- yamltree API ----------------------------------------------------------------- */

static void test_yaml_tree(void **state)
{
    (void)state;
    arena *a = arena_new();
    diag_list d;
    diag_init(&d);
    const char *text = "# c\ntable: t\nlist: [a, 'b', \"c\"]\nmap:\n  k: |\n    block\n";
    yaml_doc *doc = yt_parse(a, "x.yaml", text, strlen(text), &d);
    assert_non_null(doc);
    assert_int_equal(d.errors, 0);
    assert_int_equal(doc->root->kind, YT_MAPPING);
    assert_int_equal(doc->root->npairs, 3);
    yt_node *t = yt_get(doc->root, "table");
    assert_string_equal(t->value, "t");
    assert_int_equal(t->pos.line, 2);
    assert_int_equal(t->pos.col, 8);
    assert_int_equal(t->quoted, 0);
    yt_node *l = yt_get(doc->root, "list");
    assert_int_equal(l->kind, YT_SEQUENCE);
    assert_int_equal(l->nitems, 3);
    assert_int_equal(l->items[1]->quoted, 1);
    assert_int_equal(l->items[2]->pos.col, 16);
    yt_node *k = yt_get(yt_get(doc->root, "map"), "k");
    assert_string_equal(k->value, "block\n");
    assert_int_equal(k->quoted, 1);
    assert_null(yt_get(doc->root, "nope"));
    assert_null(yt_get(k, "x"));
    diag_free(&d);
    arena_free(a);
}

/* ---- valid schemas ------------------------------------------------------------------- */

static model *load_ok(const char *dir)
{
    diag_list d;
    diag_init(&d);
    model *m = model_load_dir(dir, &d);
    if (!m)
        fail_msg("%s: %s", dir, sb_str(&d.text));
    assert_int_equal(d.errors, 0);
    diag_free(&d);
    return m;
}

static void test_good_cycle(void **state)
{
    (void)state;
    model *m = load_ok("tests/good/cycle");
    assert_int_equal(m->ntables, 4);
    /* dependency order: genres has no FK; authors -> books is nullable, so
     * the cycle authors <-> books is broken there */
    const char *order[] = {"genres", "authors", "books", "reviews"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(m->tables[i]->name, order[i]);
        assert_int_equal(m->tables[i]->order, i);
    }
    const char *by_name[] = {"authors", "books", "genres", "reviews"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(m->by_name[i]->name, by_name[i]);
    m_table *authors = model_find_table(m, "authors");
    m_table *books = model_find_table(m, "books");
    m_table *genres = model_find_table(m, "genres");
    m_table *reviews = model_find_table(m, "reviews");
    assert_non_null(authors);
    assert_null(model_find_table(m, "nope"));
    assert_string_equal(authors->file, "tests/good/cycle/authors.yaml");
    assert_string_equal(authors->file_stem, "authors");
    assert_string_equal(authors->comment, "People who write books.");
    assert_string_equal(genres->file, "tests/good/cycle/genres.yml");
    assert_string_equal(genres->renamed_from, "categories");

    m_column *fav = table_find_column(authors, "favorite_book_id");
    m_column *mentor = table_find_column(authors, "mentor_id");
    assert_true(fav->fk_deferred);
    assert_ptr_equal(fav->ref_table, books);
    assert_ptr_equal(fav->ref_column, table_find_column(books, "id"));
    assert_int_equal(fav->on_delete, FK_SET_NULL);
    assert_false(mentor->fk_deferred); /* self-reference: inline */
    assert_ptr_equal(mentor->ref_table, authors);
    m_column *aid = table_find_column(books, "author_id");
    assert_false(aid->fk_deferred);
    assert_int_equal(aid->on_delete, FK_CASCADE);
    assert_int_equal(aid->on_update, FK_NO_ACTION);
    assert_string_equal(table_find_column(books, "title")->renamed_from, "name");
    assert_null(table_find_column(books, "nope"));

    /* primary keys, identity */
    assert_int_equal(authors->npk, 1);
    assert_true(authors->columns[0].identity);
    assert_int_equal(reviews->npk, 2);
    assert_string_equal(reviews->pk[0]->name, "book_id");
    assert_string_equal(reviews->pk[1]->name, "author_id");

    /* unique constraints: column-level first, then table-level */
    assert_int_equal(authors->nuniques, 1);
    assert_string_equal(authors->uniques[0].name, "authors_name_key");
    assert_true(authors->uniques[0].from_column);
    assert_int_equal(books->nuniques, 2);
    assert_string_equal(books->uniques[0].name, "books_isbn_key");
    assert_string_equal(books->uniques[1].name, "books_author_id_title_key");
    assert_false(books->uniques[1].from_column);

    /* indexes: declared first, then automatic FK indexes */
    assert_int_equal(authors->nindexes, 2);
    assert_string_equal(authors->indexes[0].name, "idx_authors_favorite_book_id");
    assert_true(authors->indexes[0].automatic);
    assert_string_equal(authors->indexes[1].name, "idx_authors_mentor_id");
    /* author_id leads a unique constraint; genre has only a partial index */
    assert_int_equal(books->nindexes, 2);
    assert_string_equal(books->indexes[0].name, "idx_books_genre");
    assert_string_equal(books->indexes[0].where, "genre <> 'misc'");
    assert_false(books->indexes[0].automatic);
    assert_string_equal(books->indexes[1].name, "idx_books_genre_fk");
    assert_true(books->indexes[1].automatic);
    /* book_id leads the primary key */
    assert_int_equal(reviews->nindexes, 1);
    assert_string_equal(reviews->indexes[0].name, "idx_reviews_author_id");
    assert_int_equal(reviews->nchecks, 1);
    assert_string_equal(reviews->checks[0].name, "reviews_check_1");
    assert_string_equal(reviews->checks[0].expr, "stars > 0");
    assert_string_equal(table_find_column(reviews, "stars")->check, "stars BETWEEN 1 AND 5");

    m_column *order_col = table_find_column(genres, "order");
    assert_int_equal(order_col->def, DEF_LITERAL);
    assert_string_equal(order_col->default_value, "0");
    assert_int_equal(table_find_column(books, "isbn")->max_length, 17);
    assert_int_equal(table_find_column(books, "isbn")->precision, -1);
    model_free(m);
}

/* Views come in dependency order (the views their SQL names), not by name;
 * the SQL keeps its text minus the trailing ';' and where it starts in the file. */
static void test_good_views(void **state)
{
    (void)state;
    model *m = load_ok("tests/good/views");
    assert_int_equal(m->ntables, 1);
    assert_int_equal(m->nviews, 3);
    assert_string_equal(m->views[0]->name, "z_base");
    assert_string_equal(m->views[1]->name, "m_mid");
    assert_string_equal(m->views[2]->name, "a_top");
    assert_int_equal(m->views[2]->ndeps, 1);
    assert_ptr_equal(m->views[2]->deps[0], m->views[1]);
    assert_ptr_equal(model_find_view(m, "m_mid"), m->views[1]);
    assert_null(model_find_view(m, "items"));
    const m_view *top = m->views[2];
    assert_string_equal(top->comment, "Reads the view m_mid, so it comes after it.");
    assert_int_equal(top->sql[1].len, strlen("SELECT id, label FROM m_mid WHERE id < 10"));
    assert_int_equal(top->sql[1].first.line, 3);
    assert_int_equal(top->sql[1].first.col, 6);
    const m_view *base = m->views[0];
    assert_int_equal(base->sql[0].first.line, 3); /* a block scalar: the line after | */
    assert_int_equal(base->sql[0].first.col, 3);
    assert_int_equal(base->ncols, 1);
    assert_int_equal(base->cols[0].null, 1);
    model_free(m);
}

static void test_good_defaults(void **state)
{
    (void)state;
    model *m = load_ok("tests/good/defaults");
    m_table *t = model_find_table(m, "values");
    assert_non_null(t);
    struct {
        const char *col;
        default_kind kind;
        const char *value;
        long long i;
    } want[] = {
        {"id", DEF_UUID, NULL, 0},
        {"b", DEF_LITERAL, "true", 1},
        {"i16", DEF_LITERAL, "-32768", -32768},
        {"i32", DEF_LITERAL, "2147483647", 2147483647},
        {"i64", DEF_LITERAL, "-9223372036854775808", INT64_MIN},
        {"f32", DEF_LITERAL, "1.5", 0},
        {"f64", DEF_LITERAL, "-2.5e-3", 0},
        {"d", DEF_LITERAL, "-7.50", 0},
        {"d0", DEF_LITERAL, "0.00", 0},
        {"t", DEF_LITERAL, "\xc3\xa9\xf0\x9f\x98\x80", 0},
        {"t2", DEF_LITERAL, "now", 0},
        {"t3", DEF_LITERAL, "", 0},
        {"j", DEF_LITERAL, "{\"a\": [1, 2.5e3, null, true, \"x\\u00e9\"], \"b\": {}}", 0},
        {"by", DEF_LITERAL, "deadbeef00", 0},
        {"u", DEF_LITERAL, "123e4567-e89b-12d3-a456-426614174000", 0},
        {"ts", DEF_LITERAL, "2024-01-02T01:04:05.500000Z", 1704157445500000LL},
        {"ts0", DEF_LITERAL, "1969-12-31T23:59:59.999999Z", -1},
        {"tsn", DEF_NOW, NULL, 0},
        {"dt", DEF_LITERAL, "1969-12-31", -1},
        {"dtn", DEF_NOW, NULL, 0},
        {"e", DEF_LITERAL, "high", 2},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        m_column *c = table_find_column(t, want[i].col);
        assert_non_null(c);
        if (c->def != want[i].kind)
            fail_msg("column %s: def %d, want %d", want[i].col, c->def, want[i].kind);
        if (want[i].value)
            assert_string_equal(c->default_value, want[i].value);
        if (want[i].i)
            assert_int_equal(c->default_int, want[i].i);
    }
    assert_true(table_find_column(t, "dtn")->auto_update); /* auto_update: now */
    assert_false(table_find_column(t, "tsn")->auto_update);
    m_column *d = table_find_column(t, "d");
    assert_int_equal(d->precision, 6);
    assert_int_equal(d->scale, 2);
    m_column *e = table_find_column(t, "e");
    assert_int_equal(e->nvalues, 3);
    assert_string_equal(e->values[1], "mid");
    /* a derived name over 63 bytes is shortened with a hash */
    m_index *ix = &t->indexes[0];
    assert_true(ix->automatic);
    assert_int_equal(strlen(ix->name), 63);
    assert_memory_equal(ix->name, "idx_values_long_name_that_goes_on_and_on_and_on_and_on_", 55);
    model_free(m);
}

static void test_project_schema(void **state)
{
    (void)state;
    model *m = load_ok("schema");
    assert_int_equal(m->ntables, 9);
    /* referenced tables come first */
    for (int i = 0; i < m->ntables; i++) {
        m_table *t = m->tables[i];
        for (int j = 0; j < t->ncolumns; j++) {
            m_column *c = &t->columns[j];
            if (c->ref_table && c->ref_table != t && !c->fk_deferred)
                assert_true(c->ref_table->order < t->order);
        }
    }
    model_free(m);
}

static void test_model_build_direct(void **state)
{
    (void)state;
    arena *a = arena_new();
    diag_list d;
    diag_init(&d);
    const char *x = "table: x\ncolumns:\n  - { name: id, type: int32, primary_key: true }\n";
    const char *y = "table: y\ncolumns:\n  - { name: x_id, type: int32, primary_key: true, "
                    "references: x.id }\n";
    yaml_doc *docs[2] = {yt_parse(a, "s/y.yaml", y, strlen(y), &d),
                         yt_parse(a, "s/x.yaml", x, strlen(x), &d)};
    assert_non_null(docs[0]);
    assert_non_null(docs[1]);
    model *m = model_build(docs, 2, "s", &d);
    assert_non_null(m);
    arena_free(a); /* the model keeps no pointer into the documents */
    assert_string_equal(m->tables[0]->name, "x");
    assert_string_equal(m->tables[1]->name, "y");
    assert_string_equal(m->tables[1]->file, "s/y.yaml");
    assert_int_equal(m->tables[1]->nindexes, 0); /* x_id leads the primary key */
    assert_string_equal(m->schema_dir, "s");
    model_free(m);
    assert_null(model_build(NULL, 0, "s", &d));
    assert_string_equal(sb_str(&d.text), "s: error: no schema files (*.yaml, *.yml) in this folder\n");
    diag_free(&d);
}

int main(void)
{
    enum { NBAD = sizeof bad_cases / sizeof *bad_cases };
    struct CMUnitTest tests[NBAD + 32];
    size_t n = 0;
    for (size_t i = 0; i < NBAD; i++) {
        struct CMUnitTest t = {bad_cases[i], test_bad_case, NULL, NULL, (void *)bad_cases[i]};
        tests[n++] = t;
    }
#define ADD(f)                                                                                     \
    do {                                                                                           \
        struct CMUnitTest t_ = cmocka_unit_test(f);                                                \
        tests[n++] = t_;                                                                           \
    } while (0)
    ADD(test_bad_cases_listed);
    ADD(test_missing_dir);
    ADD(test_empty_dir);
    ADD(test_billion_laughs);
    ADD(test_deep_nesting);
    ADD(test_invalid_utf8);
    ADD(test_empty_file);
    ADD(test_big_file);
    ADD(test_too_many_nodes);
    ADD(test_too_many_columns);
    ADD(test_long_name);
    ADD(test_nul_in_string);
    ADD(test_many_errors_capped);
    ADD(test_yaml_tree);
    ADD(test_good_cycle);
    ADD(test_good_views);
    ADD(test_good_defaults);
    ADD(test_project_schema);
    ADD(test_model_build_direct);
#undef ADD
    return _cmocka_run_group_tests("test_diag", tests, n, NULL, NULL);
}
