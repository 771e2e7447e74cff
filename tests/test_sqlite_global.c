/*
 * test_sqlite_global.c - dal_sqlite_global_init: SQLite's process-wide
 * settings made at start-up (its own process: SQLite takes them only before
 * it initializes).  Memory statistics off and a custom lookaside, then
 * connections on both engines work as usual; a second call, made too late,
 * is refused with DAL_MISUSE; bad arguments likewise.
 */
#include <sqlite3.h>

#include "testutil.h"

#include "dal.h"

static void roundtrip(const char *url)
{
    dal_db *db = NULL;
    assert_int_equal(dal_open(url, &db), DAL_OK);
    assert_int_equal(dal_exec(db, "DROP TABLE IF EXISTS sg; CREATE TABLE sg (id int, t text)"),
                     DAL_OK);
    static const dal_query ins = {"INSERT INTO sg (id, t) VALUES ($1, $2)", 2};
    static const dal_query sel = {"SELECT t FROM sg WHERE id = $1", 1};
    for (int i = 0; i < 200; i++) {
        dal_stmt *st = NULL;
        assert_int_equal(dal_stmt_start(db, &ins, &st), DAL_OK);
        dal_bind_int32(st, 1, i);
        dal_bind_text(st, 2, "a value long enough to need an allocation of its own");
        assert_int_equal(dal_stmt_exec(st, NULL), DAL_OK);
    }
    dal_stmt *st = NULL;
    bool has = false;
    const char *t = NULL;
    size_t len = 0;
    assert_int_equal(dal_stmt_start(db, &sel, &st), DAL_OK);
    dal_bind_int32(st, 1, 199);
    assert_int_equal(dal_stmt_step(st, &has), DAL_OK);
    assert_true(has);
    assert_int_equal(dal_col_text(st, 0, &t, &len), DAL_OK);
    assert_string_equal(t, "a value long enough to need an allocation of its own");
    dal_stmt_done(st);
    dal_close(db);
}

static void test_global_init(void **state)
{
    (void)state;
    /* bad arguments change nothing and leave SQLite uninitialized */
    dal_sqlite_global bad = {.lookaside_slot_size = -1};
    assert_int_equal(dal_sqlite_global_init(&bad), DAL_MISUSE);

    dal_sqlite_global g = {.memstatus = false, .lookaside_slot_size = 256, .lookaside_slots = 200};
    assert_int_equal(dal_sqlite_global_init(&g), DAL_OK);

    char path[512], url[600];
    test_tmp_path(path, sizeof path, "global.db");
    snprintf(url, sizeof url, "sqlite:%s", path);
    roundtrip(url);
    /* memory statistics are off: SQLite counted nothing */
    assert_int_equal(sqlite3_memory_used(), 0);
    /* PostgreSQL is not concerned */
    roundtrip(test_pg_url());

    /* too late: SQLite is initialized and in use */
    assert_int_equal(dal_sqlite_global_init(NULL), DAL_MISUSE);
    roundtrip(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
