/*
 * scale.c - memory of readings_iterate does not grow with the row count.
 *
 *   scale URL load N     (re)creates readings with N rows (insert_many in chunks)
 *   scale URL iterate    iterates every row; prints rows and peak RSS (KiB)
 *
 * Load and iterate run as separate processes so that the peak RSS of the
 * iterate process is that of iterating alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dal.h"
#include "schema.h"

static void die(dal_db *db, const char *what)
{
    fprintf(stderr, "scale: %s: %s\n", what, db ? dal_errmsg(db) : "");
    exit(1);
}

static dal_status count(const readings *r, void *ctx)
{
    (void)r;
    ++*(long *)ctx;
    return DAL_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: scale URL load N | scale URL iterate\n");
        return 2;
    }
    dal_db *db;
    if (dal_open(argv[1], &db) != DAL_OK)
        die(db, "open");
    if (strcmp(argv[2], "load") == 0 && argc > 3) {
        long n = atol(argv[3]);
        dal_exec(db, "DROP TABLE IF EXISTS \"readings\"");
        if (schema_create(db) != DAL_OK)
            die(db, "schema_create");
        enum { CHUNK = 10000 };
        static readings rows[CHUNK];
        for (long done = 0; done < n;) {
            long k = n - done < CHUNK ? n - done : CHUNK;
            for (long i = 0; i < k; i++) {
                rows[i] = (readings){.sensor = "sensor", .seq = (int32_t)(done + i),
                                     .value = 1.5, .flag = true, .note = "note",
                                     .at = 1700000000000000};
            }
            if (readings_insert_many(db, rows, (size_t)k) != DAL_OK)
                die(db, "insert_many");
            done += k;
        }
    } else {
        long rows = 0;
        if (readings_iterate(db, count, &rows) != DAL_OK)
            die(db, "iterate");
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%ld %ld\n", rows, ru.ru_maxrss);
    }
    dal_close(db);
    return 0;
}
