/*
 * tsan_vds_threads.c - 8 threads read one virtual dataset handle at once (whole reads, windows
 * across mappings, numeric memory types, decoding threads inside each source read), for the
 * fixtures in fixtures/vds (gzip and bitshuffle+LZ4 sources, nested and printf mappings,
 * external links). Every thread must get exactly the bytes a single thread gets. Meant to run
 * under ThreadSanitizer (build with -DH5RD_SANITIZE=thread): the sources are shared read-only
 * handles opened with the dataset, so there must be no data race and no lock.
 *
 * A plain program rather than a criterion test: criterion cannot start under
 * ThreadSanitizer ("Could not initialize inheritable arena"). Exit 0 on success;
 * the last line is "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "h5rd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS 6
#define VDS_DIR H5RD_SOURCE_DIR "/fixtures/vds/h5/"

struct job {
    const h5rd_obj *d;
    struct h5rd_space sp;
    const struct h5rd_memtype *mt;
    uint64_t es;
    const uint8_t *full;   /* single-threaded whole read */
    uint64_t nbytes;
    int bad;
};

/* A window: the middle half of each dimension. */
static void window(const struct h5rd_space *sp, uint64_t *start, uint64_t *count)
{
    for (uint32_t k = 0; k < sp->rank; k++) {
        start[k] = sp->dims[k] / 4;
        count[k] = sp->dims[k] - 2 * start[k];
    }
}

static void *worker(void *arg)
{
    struct job *j = arg;
    uint8_t *buf = malloc(j->nbytes + 1);
    uint8_t *win = malloc(j->nbytes + 1);
    if (buf == NULL || win == NULL) {
        j->bad++;
        free(buf);
        free(win);
        return NULL;
    }
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    uint32_t r = j->sp.rank;
    uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    window(&j->sp, start, count);
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, r, start, NULL, count, NULL, 0, NULL};
    for (int i = 0; i < ROUNDS; i++) {
        ro.nthreads = (uint32_t)(i % 3);
        if (h5rd_dataset_read(j->d, NULL, j->mt, buf, j->nbytes, &ro, NULL) != H5RD_OK ||
            memcmp(buf, j->full, j->nbytes) != 0) {
            j->bad++;
        }
        if (h5rd_dataset_read(j->d, &sel, j->mt, win, j->nbytes, &ro, NULL) != H5RD_OK) {
            j->bad++;
            continue;
        }
        /* compare the window with the whole read */
        uint64_t idx[H5RD_MAX_RANK] = {0}, n = 1;
        for (uint32_t k = 0; k < r; k++) {
            n *= count[k];
        }
        for (uint64_t e = 0; e < n; e++) {
            uint64_t lin = 0;
            for (uint32_t k = 0; k < r; k++) {
                lin = lin * j->sp.dims[k] + start[k] + idx[k];
            }
            if (memcmp(win + e * j->es, j->full + lin * j->es, j->es) != 0) {
                j->bad++;
                break;
            }
            for (int k = (int)r - 1; k >= 0; k--) {
                if (++idx[k] < count[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
    }
    free(buf);
    free(win);
    return NULL;
}

static int run_case(const char *file, const char *path, const struct h5rd_memtype *mt)
{
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    struct h5rd_error e;
    if (h5rd_file_open(file, NULL, &f, &e) != H5RD_OK ||
        h5rd_obj_open(f, path, &d, &e) != H5RD_OK) {
        fprintf(stderr, "FAIL: open %s %s: %s\n", file, path, e.what ? e.what : "");
        h5rd_file_close(f);
        return 1;
    }
    struct job j;
    memset(&j, 0, sizeof j);
    j.d = d;
    j.mt = mt;
    uint64_t np = 0;
    int bad = 0;
    if (h5rd_dataset_get_space(d, &j.sp, NULL) != H5RD_OK ||
        h5rd_dataset_get_elem_nbytes(d, mt, &j.es, NULL) != H5RD_OK ||
        h5rd_selection_get_npoints(d, NULL, &np, NULL) != H5RD_OK) {
        bad = 1;
        goto out;
    }
    j.nbytes = np * j.es;
    uint8_t *full = malloc(j.nbytes + 1);
    if (full == NULL || h5rd_dataset_read(d, NULL, mt, full, j.nbytes, NULL, &e) != H5RD_OK) {
        fprintf(stderr, "FAIL: read %s %s: %s\n", file, path, e.what ? e.what : "");
        free(full);
        bad = 1;
        goto out;
    }
    j.full = full;
    pthread_t th[NTHREADS];
    struct job js[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        js[i] = j;
        if (pthread_create(&th[i], NULL, worker, &js[i]) != 0) {
            fprintf(stderr, "FAIL: pthread_create\n");
            bad = 1;
            js[i].d = NULL;
        }
    }
    for (int i = 0; i < NTHREADS; i++) {
        if (js[i].d != NULL) {
            pthread_join(th[i], NULL);
            if (js[i].bad != 0) {
                fprintf(stderr, "FAIL: %s %s: thread %d saw %d differences\n", file, path, i,
                        js[i].bad);
                bad = 1;
            }
        }
    }
    free(full);
out:
    h5rd_obj_close(d);
    h5rd_file_close(f);
    return bad;
}

int main(void)
{
    /* resolution must not depend on the working directory */
    if (chdir("/") != 0) {
        fprintf(stderr, "FAIL: chdir\n");
        return 1;
    }
    static const struct h5rd_memtype f8 = {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE};
    static const struct h5rd_memtype i2be = {H5RD_MEMTYPE_INT, 2, 1, H5RD_ORDER_BE};
    const struct {
        const char *file, *path;
        const struct h5rd_memtype *mt;
    } cases[] = {
        {VDS_DIR "halves.h5", "/vol", NULL},
        {VDS_DIR "eiger_master.h5", "/entry/data/data", NULL},
        {VDS_DIR "nested.h5", "/outer", NULL},
        {VDS_DIR "printf.h5", "/frames", NULL},
        {VDS_DIR "gap.h5", "/concat", NULL},
        {VDS_DIR "samefile.h5", "/irregular", NULL},
        {VDS_DIR "convert.h5", "/sub", &i2be},
        {VDS_DIR "sidebyside.h5", "/wide", &f8},
    };
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (run_case(cases[i].file, cases[i].path, cases[i].mt) == 0) {
            passed++;
        } else {
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
