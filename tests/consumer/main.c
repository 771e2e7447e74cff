/*
 * main.c - the consumer project of tests/check_install.sh: built from an
 * installed dalc (make fragment or CMake package), it inserts a note into
 * a SQLite database and reads it back.  Usage: app PATH.db
 */
#include <stdio.h>
#include <string.h>

#include "schema.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH.db\n", argv[0]);
        return 2;
    }
    char url[4096];
    snprintf(url, sizeof url, "sqlite:%s", argv[1]);
    dal_db *db = NULL;
    dal_status s = dal_open(url, &db);
    if (s == DAL_OK)
        s = schema_create(db);
    notes in = {.title = "from an installed dalc"}, out = {0}, got = {0};
    if (s == DAL_OK)
        s = notes_insert(db, &in, &out);
    if (s == DAL_OK)
        s = notes_get(db, out.id, &got);
    if (s != DAL_OK) {
        fprintf(stderr, "consumer: %s: %s\n", dal_status_name(s), db ? dal_errmsg(db) : "");
        dal_close(db);
        return 1;
    }
    printf("note %lld: %s (done: %s)\n", (long long)got.id, got.title, got.done ? "yes" : "no");
    int rc = strcmp(got.title, in.title) == 0 && !got.done ? 0 : 1;
    notes_free(&out);
    notes_free(&got);
    dal_close(db);
    return rc;
}
