/*
 * tsan_refresh.c - h5rd_dataset_refresh under concurrency (include/h5rd.h, src/api/api_refresh.c).
 *
 * A copy of fixtures/swmr/swmr_a.h5 (a SWMR writer's file after 32 rows) is opened live; reader
 * threads read two datasets of it (unfiltered and gzip, extensible-array indexes) through ONE
 * handle each, while a refresher thread calls h5rd_dataset_refresh on those handles in a loop
 * and the main thread overwrites the file in place with swmr_b.h5's bytes (the same file after
 * 64 rows; fixtures/gen/gen_swmr.py), in a writer's order: the appended bytes first, then the
 * index metadata rewritten in place, the object headers (the dataspace) last, a few bytes at a
 * time so that readers and refreshes meet torn, checksum-failing metadata.
 *
 * Every call must see the old state or the new one, exactly: the extent is 32 or 64 rows, the
 * chunk count 4 or 8, a read of rows [0, n) for the n just reported equals the writer's data,
 * and a read of the whole dataset into a 64-row buffer fills rows 32..63 entirely (new state)
 * or not at all (old state), never part. Refreshes must not fail (torn metadata is read again).
 * After the rewrite a refresh gives the new state. Repeated ROUNDS times. Under ThreadSanitizer
 * in CI (a plain program: criterion cannot start under TSan). Prints "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "h5rd.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define A_PATH H5RD_SOURCE_DIR "/fixtures/swmr/swmr_a.h5"
#define B_PATH H5RD_SOURCE_DIR "/fixtures/swmr/swmr_b.h5"
#define NREADERS 3
#define ROUNDS 8
#define ROWS_A 32
#define ROWS_B 64

struct shared {
    h5rd_obj *x, *z;
    atomic_int stop;
    atomic_int bad;
    atomic_long reads, refreshes, saw_new;
};

static void fail(struct shared *s, const char *what, long v)
{
    if (atomic_fetch_add(&s->bad, 1) < 10) {
        fprintf(stderr, "tsan_refresh: %s (%ld)\n", what, v);
    }
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)len);
    if (p != NULL && fread(p, 1, (size_t)len, fp) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(fp);
    *n = (size_t)len;
    return p;
}

static int x_ok(const int32_t *v, uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i < to; i++) {
        for (uint64_t j = 0; j < 4; j++) {
            if (v[i * 4 + j] != (int32_t)(i * 4 + j)) {
                return 0;
            }
        }
    }
    return 1;
}

static int z_ok(const double *v, uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i < to; i++) {
        for (uint64_t j = 0; j < 3; j++) {
            if (v[i * 3 + j] != (double)i + (double)j / 8.0) {
                return 0;
            }
        }
    }
    return 1;
}

/* 1 when every byte of p[0..n) is 'b'. */
static int all_bytes(const void *p, size_t n, uint8_t b)
{
    const uint8_t *q = p;
    for (size_t k = 0; k < n; k++) {
        if (q[k] != b) {
            return 0;
        }
    }
    return 1;
}

static void check_dataset(struct shared *s, h5rd_obj *d, int is_x)
{
    const uint64_t cols = is_x ? 4 : 3, esize = is_x ? 4 : 8;
    union {
        int32_t i[ROWS_B * 4];
        double f[ROWS_B * 3];
    } buf;
    struct h5rd_error err;
    struct h5rd_space sp;
    if (h5rd_dataset_get_space(d, &sp, &err) != H5RD_OK || sp.rank != 2 || sp.dims[1] != cols ||
        (sp.dims[0] != ROWS_A && sp.dims[0] != ROWS_B)) {
        fail(s, "get_space: not 32 or 64 rows", (long)sp.dims[0]);
        return;
    }
    uint64_t n = sp.dims[0];
    if (n == ROWS_B) {
        atomic_fetch_add(&s->saw_new, 1);
    }
    /* rows [0, n): valid in this state and every later one of an appended dataset */
    uint64_t start[2] = {0, 0}, count[2] = {n, cols};
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, 2, start, NULL, count, NULL, 0, NULL};
    if (h5rd_dataset_read(d, &sel, NULL, &buf, (size_t)(n * cols * esize), NULL, &err) != H5RD_OK) {
        fail(s, err.what != NULL ? err.what : "hyperslab read failed", (long)err.code);
        return;
    }
    if (is_x ? !x_ok(buf.i, 0, n) : !z_ok(buf.f, 0, n)) {
        fail(s, "hyperslab read: wrong values", (long)n);
    }
    /* the whole dataset, whatever state the read takes: old (32 rows) or new (64) */
    memset(&buf, 0xA5, sizeof buf);
    if (h5rd_dataset_read(d, NULL, NULL, &buf, (size_t)(ROWS_B * cols * esize), NULL, &err) !=
        H5RD_OK) {
        fail(s, err.what != NULL ? err.what : "whole read failed", (long)err.code);
        return;
    }
    const uint8_t *tail = (const uint8_t *)&buf + ROWS_A * cols * esize;
    size_t tail_n = (size_t)((ROWS_B - ROWS_A) * cols * esize);
    int head_ok = is_x ? x_ok(buf.i, 0, ROWS_A) : z_ok(buf.f, 0, ROWS_A);
    int tail_new = is_x ? x_ok(buf.i, ROWS_A, ROWS_B) : z_ok(buf.f, ROWS_A, ROWS_B);
    if (!head_ok || !(tail_new || all_bytes(tail, tail_n, 0xA5))) {
        fail(s, "whole read: neither the old nor the new state", (long)is_x);
    }
    uint64_t nchunks = 0;
    if (h5rd_dataset_get_nchunks(d, &nchunks, &err) != H5RD_OK ||
        (nchunks != ROWS_A / 8 && nchunks != ROWS_B / 8)) {
        fail(s, "get_nchunks: not 4 or 8", (long)nchunks);
    }
    atomic_fetch_add(&s->reads, 1);
}

static void *reader(void *arg)
{
    struct shared *s = arg;
    while (!atomic_load(&s->stop)) {
        check_dataset(s, s->x, 1);
        check_dataset(s, s->z, 0);
        sched_yield();
    }
    return NULL;
}

static void *refresher(void *arg)
{
    struct shared *s = arg;
    while (!atomic_load(&s->stop)) {
        struct h5rd_error err;
        if (h5rd_dataset_refresh(s->x, &err) != H5RD_OK ||
            h5rd_dataset_refresh(s->z, &err) != H5RD_OK) {
            fail(s, err.what != NULL ? err.what : "refresh failed", (long)err.code);
        }
        atomic_fetch_add(&s->refreshes, 1);
        sched_yield();
    }
    return NULL;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* Writes b[from, to) over the file in pieces of 7 bytes, yielding between them: readers meet
 * blocks part written. (Readers yield too, so that on a loaded machine the writer is not
 * starved: a block left torn longer than the library's retries last, about 1 s, is reported
 * as a checksum error, by design.) */
static int put(int fd, const uint8_t *b, size_t from, size_t to)
{
    for (size_t k = from; k < to; k += 7) {
        size_t n = to - k < 7 ? to - k : 7;
        if (pwrite(fd, b + k, n, (off_t)k) != (ssize_t)n) {
            return -1;
        }
        sched_yield();
    }
    return 0;
}

/* Size of object header chunk 0 (prefix, messages, checksum) of the v2 header at 'addr' in a,
 * or 0 when it is not one. */
static size_t ohdr_chunk0(const uint8_t *a, size_t n, uint64_t addr)
{
    if (addr + 16 > n || memcmp(a + addr, "OHDR", 4) != 0) {
        return 0;
    }
    uint8_t flags = a[addr + 5];
    size_t at = (size_t)addr + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    size_t w = (size_t)1 << (flags & 3), size = 0;
    for (size_t k = 0; k < w; k++) {
        size |= (size_t)a[at + k] << (8 * k);
    }
    return (at + w - (size_t)addr) + size + 4;
}

/* Overwrites the file (a copy of a) with b as a SWMR writer orders its writes: what b appends,
 * then every differing range outside the two object headers, then the headers. */
static int rewrite(int fd, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                   const uint64_t hdr[2], const size_t hdr_n[2])
{
    if (pwrite(fd, b + na, nb - na, (off_t)na) != (ssize_t)(nb - na)) {
        return -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < na;) {
            if (a[k] == b[k]) {
                k++;
                continue;
            }
            size_t e = k;
            while (e < na && a[e] != b[e]) {
                e++;
            }
            int in_hdr = 0;
            for (int h = 0; h < 2; h++) {
                in_hdr |= k >= hdr[h] && k < hdr[h] + hdr_n[h];
            }
            if (in_hdr == pass && put(fd, b, k, e) != 0) {
                return -1;
            }
            k = e;
        }
    }
    return 0;
}

static int round_trip(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, int round,
                      long *stats)
{
    char path[] = "/tmp/h5rd_tsan_refresh_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, a, na) != (ssize_t)na) {
        fprintf(stderr, "tsan_refresh: cannot write a temporary file\n");
        return 1;
    }
    struct h5rd_open_opts o;
    h5rd_open_opts_init(&o);
    o.flags = H5RD_OPEN_LIVE;
    if (round % 3 == 1) {
        o.chunk_cache_nbytes = 0;
    }
    struct h5rd_error err;
    h5rd_file *f = NULL;
    struct shared s;
    memset(&s, 0, sizeof s);
    int bad = 1;
    if (h5rd_file_open(path, &o, &f, &err) != H5RD_OK ||
        h5rd_obj_open(f, "/x", &s.x, &err) != H5RD_OK ||
        h5rd_obj_open(f, "/z", &s.z, &err) != H5RD_OK) {
        fprintf(stderr, "tsan_refresh: open: %s\n", err.what);
        goto out;
    }
    uint64_t hdr[2] = {h5rd_obj_get_addr(s.x), h5rd_obj_get_addr(s.z)};
    size_t hdr_n[2] = {ohdr_chunk0(a, na, hdr[0]), ohdr_chunk0(a, na, hdr[1])};
    if (hdr_n[0] == 0 || hdr_n[1] == 0) {
        fprintf(stderr, "tsan_refresh: the datasets' headers are not v2 object headers\n");
        goto out;
    }
    atomic_init(&s.stop, 0);
    pthread_t t[NREADERS + 1];
    for (int k = 0; k < NREADERS; k++) {
        pthread_create(&t[k], NULL, reader, &s);
    }
    pthread_create(&t[NREADERS], NULL, refresher, &s);
    sleep_us(2000 + 1000 * (round % 4));
    int wrc = rewrite(fd, a, na, b, nb, hdr, hdr_n);
    sleep_us(20000);
    atomic_store(&s.stop, 1);
    for (int k = 0; k <= NREADERS; k++) {
        pthread_join(t[k], NULL);
    }
    if (wrc != 0) {
        fprintf(stderr, "tsan_refresh: cannot rewrite the temporary file\n");
        goto out;
    }
    /* after the writer: a refresh gives the new state, whole */
    if (h5rd_dataset_refresh(s.x, &err) != H5RD_OK || h5rd_dataset_refresh(s.z, &err) != H5RD_OK) {
        fail(&s, "final refresh failed", (long)err.code);
    } else {
        struct h5rd_space sp;
        for (int k = 0; k < 2; k++) {
            if (h5rd_dataset_get_space(k ? s.z : s.x, &sp, &err) != H5RD_OK ||
                sp.dims[0] != ROWS_B) {
                fail(&s, "after the rewrite: not 64 rows", (long)sp.dims[0]);
            }
        }
        long before = atomic_load(&s.saw_new);
        check_dataset(&s, s.x, 1);
        check_dataset(&s, s.z, 0);
        if (atomic_load(&s.saw_new) != before + 2) {
            fail(&s, "after the rewrite: a read saw the old state", 0);
        }
    }
    stats[0] += atomic_load(&s.reads);
    stats[1] += atomic_load(&s.refreshes);
    stats[2] += atomic_load(&s.saw_new);
    bad = atomic_load(&s.bad);
out:
    h5rd_obj_close(s.x);
    h5rd_obj_close(s.z);
    h5rd_file_close(f);
    close(fd);
    unlink(path);
    return bad;
}

int main(void)
{
    size_t na = 0, nb = 0;
    uint8_t *a = slurp(A_PATH, &na), *b = slurp(B_PATH, &nb);
    if (a == NULL || b == NULL || nb < na) {
        fprintf(stderr, "tsan_refresh: cannot read %s / %s\n", A_PATH, B_PATH);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    int passed = 0, failed = 0;
    long stats[3] = {0, 0, 0};
    for (int r = 0; r < ROUNDS; r++) {
        if (round_trip(a, na, b, nb, r, stats) == 0) {
            passed++;
        } else {
            failed++;
        }
    }
    fprintf(stderr, "tsan_refresh: %ld checked reads (%ld of the new state), %ld refreshes\n",
            stats[0], stats[2], stats[1]);
    free(a);
    free(b);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
