/*
 * probe_sqlite.c - SQLite when the storage misbehaves:
 *   full      rows are inserted until the filesystem (PROBE_FULL_DIR, a small
 *             tmpfs made by the script) or `PRAGMA max_page_count` is full:
 *             the status is DAL_ERROR ("full"), every acknowledged row is
 *             still there after reopening, and writing works again once
 *             space is freed;
 *   readonly  a `mode=ro` URL, and a file without write permission opened by
 *             a user who may not write it: reads work, writes fail, nothing
 *             stored changes;
 *   corrupt   a file whose header, or whose data pages, are overwritten:
 *             opening or reading fails with a status, never a crash.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "probe.h"

static char dir[4000];

static void path_in(char *buf, size_t n, const char *base, const char *name)
{
    snprintf(buf, n, "%s/%s", base, name);
}

static int64_t fill(dal_db *db, int64_t limit, dal_status *last)
{
    int64_t acked = 0;
    char note[600];
    memset(note, 'x', sizeof note - 1);
    note[sizeof note - 1] = '\0';
    for (int64_t i = 0; i < limit; i++) {
        writes w = {.writer = 1, .seq = i, .note = note};
        *last = writes_insert(db, &w, NULL);
        if (*last != DAL_OK)
            break;
        acked++;
    }
    return acked;
}

static void test_full(void **state)
{
    (void)state;
    const char *fd = getenv("PROBE_FULL_DIR");
    char path[4200], url[4400];
    path_in(path, sizeof path, fd && *fd ? fd : dir, "full.db");
    remove(path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    char ballast[4200];
    path_in(ballast, sizeof ballast, fd && *fd ? fd : dir, "ballast");
    if (fd && *fd) { /* room to free once the filesystem is full */
        FILE *b = fopen(ballast, "wb");
        assert_non_null(b);
        static char zero[65536];
        for (int i = 0; i < 4; i++)
            fwrite(zero, 1, sizeof zero, b);
        fclose(b);
    }
    dal_db *db;
    POK(db, dal_open(url, &db));
    POK(db, probe_fresh_schema(db));
    if (!(fd && *fd))
        POK(db, dal_exec(db, "PRAGMA max_page_count = 200"));
    dal_status last = DAL_OK;
    int64_t acked = fill(db, 1000000, &last);
    printf("probe: %s full after %lld rows: %s: %s\n", fd && *fd ? "filesystem" : "max_page_count",
           (long long)acked, dal_status_name(last), dal_errmsg(db));
    assert_int_equal(last, DAL_ERROR);
    assert_non_null(strstr(dal_errmsg(db), "full"));
    /* a batch fails as a whole */
    writes batch[50];
    for (int i = 0; i < 50; i++)
        batch[i] = (writes){.writer = 2, .seq = i, .note = "batch"};
    dal_status bs = writes_insert_many(db, batch, 50);
    printf("probe: insert_many on the full database: %s\n", dal_status_name(bs));
    assert_int_not_equal(bs, DAL_OK);
    dal_close(db);
    POK(db, dal_open(url, &db));
    probe_counts c;
    POK(db, probe_count(db, &c, 3, 1000000));
    long lost = 0;
    for (int64_t q = 0; q < acked; q++)
        lost += probe_stored(&c, 1, q) != 1;
    long batch_rows = 0;
    for (int q = 0; q < 50; q++)
        batch_rows += probe_stored(&c, 2, q);
    printf("probe: after reopening: %lld rows, acknowledged %lld, lost %ld, batch rows %ld\n",
           (long long)c.total, (long long)acked, lost, batch_rows);
    free(c.n);
    assert_int_equal(lost, 0);
    assert_int_equal(batch_rows, 0);
    /* free some room: writing works again */
    if (!(fd && *fd))
        POK(db, dal_exec(db, "PRAGMA max_page_count = 100000"));
    else
        remove(ballast);
    writes w = {.writer = 1, .seq = 999999, .note = "after"};
    POK(db, writes_insert(db, &w, NULL));
    dal_close(db);
}

static void seed(const char *path, int rows)
{
    char url[4400];
    snprintf(url, sizeof url, "sqlite:%s", path);
    remove(path);
    dal_db *db;
    POK(db, dal_open(url, &db));
    POK(db, probe_fresh_schema(db));
    writes *w = calloc((size_t)rows, sizeof *w);
    for (int i = 0; i < rows; i++)
        w[i] = (writes){.writer = 1, .seq = i, .note = "seeded row, long enough to fill pages"};
    POK(db, writes_insert_many(db, w, (size_t)rows));
    free(w);
    /* everything in the main file, no -wal left */
    POK(db, dal_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE"));
    dal_close(db);
}

/* Opens url, counts the rows, tries one insert; returns the statuses. */
static void try_db(const char *url, dal_status *open_s, dal_status *read_s, int64_t *n,
                   dal_status *write_s, char *msg, size_t msgn)
{
    dal_db *db = NULL;
    *n = -1;
    *read_s = *write_s = DAL_ERROR;
    *open_s = dal_open(url, &db);
    snprintf(msg, msgn, "%s", db ? dal_errmsg(db) : "");
    if (*open_s == DAL_OK) {
        *read_s = writes_count(db, n);
        if (*read_s != DAL_OK)
            snprintf(msg, msgn, "%s", dal_errmsg(db));
        writes w = {.writer = 9, .seq = 1, .note = "must not be stored"};
        *write_s = writes_insert(db, &w, NULL);
        if (*write_s != DAL_OK && *read_s == DAL_OK)
            snprintf(msg, msgn, "%s", dal_errmsg(db));
    }
    dal_close(db);
}

static void test_readonly(void **state)
{
    (void)state;
    char path[4200], url[4400], msg[512];
    path_in(path, sizeof path, dir, "ro.db");
    seed(path, 1000);
    dal_status o, r, w;
    int64_t n;
    snprintf(url, sizeof url, "sqlite:%s?mode=ro", path);
    try_db(url, &o, &r, &n, &w, msg, sizeof msg);
    printf("probe: mode=ro: open %s, read %s (%lld rows), write %s: %s\n", dal_status_name(o),
           dal_status_name(r), (long long)n, dal_status_name(w), msg);
    assert_int_equal(o, DAL_OK);
    assert_int_equal(r, DAL_OK);
    assert_int_equal(n, 1000);
    assert_int_equal(w, DAL_ERROR);
    assert_non_null(strstr(msg, "readonly"));

    /* a file (and folder) the process may not write: as root, a child
     * process switches to nobody first, as root may write anything */
    char sub[4100], rpath[4200];
    path_in(sub, sizeof sub, dir, "rodir");
    mkdir(sub, 0755);
    path_in(rpath, sizeof rpath, sub, "ro.db");
    seed(rpath, 1000);
    chmod(rpath, 0444);
    chmod(sub, 0555);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        snprintf(url, sizeof url, "sqlite:%s", rpath);
        try_db(url, &o, &r, &n, &w, msg, sizeof msg);
        char line[700];
        int len = snprintf(line, sizeof line, "%d %d %lld %d %s", (int)o, (int)r, (long long)n,
                           (int)w, msg);
        if (write(fds[1], line, (size_t)len) != len)
            _exit(4);
        _exit(0);
    }
    close(fds[1]);
    char line[700] = {0};
    ssize_t got = read(fds[0], line, sizeof line - 1);
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    chmod(sub, 0755);
    assert_true(got > 0);
    int oi, ri, wi, off = 0;
    long long nn;
    assert_int_equal(sscanf(line, "%d %d %lld %d %n", &oi, &ri, &nn, &wi, &off), 4);
    printf("probe: file without write permission (journal_mode=wal default): open %s, read %s "
           "(%lld rows), write %s: %s\n",
           dal_status_name((dal_status)oi), dal_status_name((dal_status)ri), nn,
           dal_status_name((dal_status)wi), line + off);
    /* it opens read-only by itself (the journal mode is left as it is) */
    assert_int_equal(oi, DAL_OK);
    assert_int_equal(ri, DAL_OK);
    assert_int_equal(nn, 1000);
    assert_int_not_equal(wi, DAL_OK);
    /* nothing changed */
    snprintf(url, sizeof url, "sqlite:%s?mode=ro", rpath);
    try_db(url, &o, &r, &n, &w, msg, sizeof msg);
    assert_int_equal(r, DAL_OK);
    assert_int_equal(n, 1000);
}

static void corrupt(const char *path, off_t at, size_t len)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7 + 13);
    while (len > 0) {
        size_t k = len < sizeof junk ? len : sizeof junk;
        assert_int_equal(pwrite(fd, junk, k, at), (ssize_t)k);
        at += (off_t)k;
        len -= k;
    }
    close(fd);
}

static void test_corrupt(void **state)
{
    (void)state;
    char path[4200], url[4400], msg[512];
    dal_status o, r, w;
    int64_t n;
    path_in(path, sizeof path, dir, "corrupt.db");
    snprintf(url, sizeof url, "sqlite:%s", path);

    seed(path, 5000);
    corrupt(path, 0, 100); /* the header */
    try_db(url, &o, &r, &n, &w, msg, sizeof msg);
    printf("probe: header overwritten: open %s, read %s, write %s: %s\n", dal_status_name(o),
           dal_status_name(r), dal_status_name(w), msg);
    assert_true(o != DAL_OK || r != DAL_OK);
    assert_true(o == DAL_CONN || r == DAL_CONN);

    seed(path, 5000);
    struct stat sb;
    stat(path, &sb);
    corrupt(path, sb.st_size / 2, 16384); /* data and index pages */
    try_db(url, &o, &r, &n, &w, msg, sizeof msg);
    printf("probe: pages overwritten: open %s, read %s (%lld rows), write %s: %s\n",
           dal_status_name(o), dal_status_name(r), (long long)n, dal_status_name(w), msg);
    assert_int_equal(o, DAL_OK);
    assert_true(r == DAL_ERROR || w == DAL_ERROR);
    assert_non_null(strstr(msg, "malformed"));

    seed(path, 5000);
    assert_int_equal(truncate(path, sb.st_size / 3), 0);
    try_db(url, &o, &r, &n, &w, msg, sizeof msg);
    printf("probe: truncated to a third: open %s, read %s (%lld rows), write %s: %s\n",
           dal_status_name(o), dal_status_name(r), (long long)n, dal_status_name(w), msg);
    assert_true(r != DAL_OK || w != DAL_OK);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_tmp_path(dir, sizeof dir, "probe_sqlite");
    mkdir(dir, 0777);
    chmod(dir, 0777);
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_corrupt),
    };
    return cmocka_run_group_tests_name("probe_sqlite", t, NULL, NULL);
}
