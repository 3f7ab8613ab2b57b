/*
 * tsan_chunk_cache.c - the decoded-chunk cache of a dataset handle (src/read/read.c) under
 * concurrency: 8 threads read every row of filtered chunked datasets, each in its own order,
 * through ONE handle, while the handle's caches are taken and given back with atomic
 * exchanges. Every row must equal the same row of a whole read. Run with the default cache,
 * with caches of 1 to 13 chunks (constant eviction) and with none. Under ThreadSanitizer in CI
 * (a plain program: criterion cannot start under TSan). Exit 0 on success.
 */
#define _POSIX_C_SOURCE 200809L

#include "h5rd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8
#define FILE_PATH H5RD_SOURCE_DIR "/tests/data/read/read_latest.h5"

static const char *const g_paths[] = {"/chunked_gzip_shuf_f32", "/chunked_be_i32",
                                      "/edge_unfiltered", "/sparse_default", "/unlim_2"};

struct job {
    const h5rd_obj *d;
    const uint8_t *whole;
    uint64_t rows, cols, esize;
    uint32_t seed;
    int bad;
};

static void *reader(void *arg)
{
    struct job *j = arg;
    uint8_t *row = malloc((size_t)(j->cols * j->esize));
    for (int pass = 0; pass < 3; pass++) {
        for (uint64_t k = 0; k < j->rows; k++) {
            /* each thread its own order: a stride coprime with nothing in particular */
            uint64_t r = (k * (2 * (uint64_t)j->seed + 1) + (uint64_t)pass) % j->rows;
            uint64_t start[2] = {r, 0}, count[2] = {1, j->cols};
            struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, 2, start, NULL, count, NULL, 0, NULL};
            struct h5rd_error e;
            if (h5rd_dataset_read(j->d, &sel, NULL, row, (size_t)(j->cols * j->esize), NULL, &e) !=
                    H5RD_OK ||
                memcmp(row, j->whole + r * j->cols * j->esize, (size_t)(j->cols * j->esize)) != 0) {
                j->bad++;
            }
        }
    }
    free(row);
    return NULL;
}

static int check(const char *path, uint64_t cache_nbytes)
{
    struct h5rd_open_opts o;
    h5rd_open_opts_init(&o);
    o.chunk_cache_nbytes = cache_nbytes;
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    struct h5rd_error e;
    if (h5rd_file_open(FILE_PATH, &o, &f, &e) != H5RD_OK || h5rd_obj_open(f, path, &d, &e) != H5RD_OK) {
        fprintf(stderr, "FAIL: open %s: %s\n", path, e.what);
        return 1;
    }
    struct h5rd_space space;
    uint64_t np = 0, es = 0;
    if (h5rd_dataset_get_space(d, &space, NULL) != H5RD_OK ||
        h5rd_selection_get_npoints(d, NULL, &np, NULL) != H5RD_OK ||
        h5rd_dataset_get_elem_nbytes(d, NULL, &es, NULL) != H5RD_OK || space.rank != 2) {
        fprintf(stderr, "FAIL: %s: info\n", path);
        return 1;
    }
    uint8_t *whole = malloc((size_t)(np * es));
    if (h5rd_dataset_read(d, NULL, NULL, whole, (size_t)(np * es), NULL, &e) != H5RD_OK) {
        fprintf(stderr, "FAIL: %s: whole read: %s\n", path, e.what);
        return 1;
    }
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (uint32_t t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){d, whole, space.dims[0], space.dims[1], es, t, 0};
        pthread_create(&th[t], NULL, reader, &jobs[t]);
    }
    int bad = 0;
    for (uint32_t t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        bad += jobs[t].bad;
    }
    if (bad != 0) {
        fprintf(stderr, "FAIL: %s (cache %llu bytes): %d rows differ\n", path,
                (unsigned long long)cache_nbytes, bad);
    }
    free(whole);
    h5rd_obj_close(d);
    h5rd_file_close(f);
    return bad != 0;
}

int main(void)
{
    int failed = 0, passed = 0;
    const uint64_t caches[] = {4u << 20, 1, 0}; /* default, smaller than any chunk, none */
    for (size_t i = 0; i < sizeof g_paths / sizeof g_paths[0]; i++) {
        for (size_t c = 0; c < 3; c++) {
            if (check(g_paths[i], caches[c]) != 0) {
                failed++;
            } else {
                passed++;
            }
        }
    }
    /* Caches of 1, 2, 3, 5, 7 and 13 chunks of the 20 (rows touch 5 each): every new chunk
     * evicts one, exercising the clock and the removal of keys from the cache's hash index. */
    const uint64_t nchunks[] = {1, 2, 3, 5, 7, 13};
    for (size_t k = 0; k < sizeof nchunks / sizeof nchunks[0]; k++) {
        if (check("/chunked_gzip_shuf_f32", nchunks[k] * 16 * 8 * 8) != 0) {
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
