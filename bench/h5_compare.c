/*
 * h5_compare.c - h5rd against libhdf5 (the C library, through its own API) on the workloads
 * h5rd exists for. Every workload's bytes are compared between the two libraries before any
 * time is reported, so the bench is also an oracle check.
 *
 *   W1 contig   read a 128 MiB contiguous float32 array whole
 *   W2 gzip     read a 128 MiB shuffle+gzip chunked float32 array whole (1 MiB chunks)
 *   W3 bslz4    read 100 bitshuffle+LZ4 frames (uint16 1024x1024, one chunk each) whole
 *   W4 frames   the same, frame by frame: 100 hyperslab reads (a detector pipeline)
 *   W5 slices   500 reads of a 1x64x64 block at pseudo-random places of W2's array
 *   W6 small    open the file, open and read each of 5,000 small datasets (50 groups), close
 *   W7 rows     read 8 frames of a gzip float32 array (64 KiB chunks) row by row: 8,192 reads
 *               of 1x1x1024, each touching 8 chunks that the next 127 rows touch again
 *
 * libhdf5 runs with its defaults (1 MiB chunk cache, sec2 driver); h5rd with the defaults
 * (mmap). Times are wall-clock, best of --repeat runs, after one warm-up run (the files are in
 * the page cache: this measures the libraries, not the disk). h5rd runs on 1 thread and on N
 * (--threads, default: online CPUs): within one read for W1-W3, W5; N reader threads sharing
 * one handle for W4 and W6 (libhdf5 serialises every call, so it has no such column).
 *
 * Build: cmake -DH5RD_BUILD_BENCH=ON (needs libhdf5-dev; skipped with a message otherwise).
 * Run:   /usr/bin/python3 bench/gen_bench_files.py /tmp/h5rd-bench
 *        HDF5_PLUGIN_PATH=/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins \
 *            build/h5_compare /tmp/h5rd-bench [--repeat R] [--threads N] [--only NAME]
 */
#define _POSIX_C_SOURCE 200809L

#include "h5rd.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "h5_compare: %s\n", what);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static void check_h5rd(h5rd_err r, const struct h5rd_error *e, const char *what)
{
    if (r != H5RD_OK) {
        fprintf(stderr, "h5_compare: h5rd %s: %s: %s [%s]\n", what, h5rd_strerror(r),
                e->what != NULL ? e->what : "", e->path);
        exit(2);
    }
}

static char g_dir[4096];
static const char *g_only; /* --only NAME: run that workload alone */

static bool wanted(const char *name)
{
    return g_only == NULL || strcmp(g_only, name) == 0;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", g_dir, name);
}

/* ---- one dataset, whole or a box, by either library ---- */

struct box {
    uint32_t rank;
    uint64_t start[3], count[3];
};

static hid_t h5_type_of(hid_t d)
{
    hid_t ft = H5Dget_type(d);
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    H5Tclose(ft);
    return mt;
}

/* libhdf5: read 'b' (NULL: all) of open dataset 'd' into buf. */
static void h5_read_box(hid_t d, const struct box *b, void *buf)
{
    hid_t mt = h5_type_of(d);
    hid_t fs = H5S_ALL, ms = H5S_ALL;
    if (b != NULL) {
        hsize_t st[3], ct[3];
        for (uint32_t k = 0; k < b->rank; k++) {
            st[k] = b->start[k];
            ct[k] = b->count[k];
        }
        fs = H5Dget_space(d);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, ct, NULL);
        ms = H5Screate_simple((int)b->rank, ct, NULL);
    }
    if (H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) {
        die("libhdf5 H5Dread failed");
    }
    if (b != NULL) {
        H5Sclose(fs);
        H5Sclose(ms);
    }
    H5Tclose(mt);
}

static void rd_read_box(const h5rd_obj *d, const struct box *b, void *buf, size_t n,
                        uint32_t nthreads)
{
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    if (b != NULL) {
        sel.kind = H5RD_SEL_HYPERSLAB;
        sel.rank = b->rank;
        sel.start = b->start;
        sel.count = b->count;
    }
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = nthreads;
    struct h5rd_error e;
    check_h5rd(h5rd_dataset_read(d, b != NULL ? &sel : NULL, NULL, buf, n, &ro, &e), &e, "read");
}

/* ---- workloads: each runs once and returns its wall time ---- */

struct wl {
    const char *file;
    /* the box list (NULL, 1: whole) */
    struct box *boxes;
    size_t nboxes;
    size_t box_nbytes; /* bytes of one box (or of the whole dataset) */
};

struct rd_job {
    const h5rd_obj *d;
    const struct wl *w;
    uint8_t *out;
    size_t from, to;
    uint32_t nthreads;
};

static void *rd_boxes(void *arg)
{
    struct rd_job *j = arg;
    for (size_t i = j->from; i < j->to; i++) {
        rd_read_box(j->d, j->w->boxes ? &j->w->boxes[i] : NULL, j->out + i * j->w->box_nbytes,
                    j->w->box_nbytes, j->nthreads);
    }
    return NULL;
}

/* h5rd: the workload's boxes; 'readers' threads share them (each reading with 'nthreads'). */
static double run_rd(const h5rd_obj *d, const struct wl *w, uint8_t *out, uint32_t readers,
                     uint32_t nthreads)
{
    double t0 = now_s();
    if (readers <= 1) {
        struct rd_job j = {d, w, out, 0, w->nboxes, nthreads};
        rd_boxes(&j);
    } else {
        pthread_t th[64];
        struct rd_job jobs[64];
        for (uint32_t t = 0; t < readers; t++) {
            jobs[t] = (struct rd_job){d, w, out, w->nboxes * t / readers,
                                      w->nboxes * (t + 1) / readers, nthreads};
            pthread_create(&th[t], NULL, rd_boxes, &jobs[t]);
        }
        for (uint32_t t = 0; t < readers; t++) {
            pthread_join(th[t], NULL);
        }
    }
    return now_s() - t0;
}

static double run_h5(hid_t d, const struct wl *w, uint8_t *out)
{
    double t0 = now_s();
    for (size_t i = 0; i < w->nboxes; i++) {
        h5_read_box(d, w->boxes ? &w->boxes[i] : NULL, out + i * w->box_nbytes);
    }
    return now_s() - t0;
}

static double best(double a, double b)
{
    return a < b ? a : b;
}

static void report(const char *name, size_t nbytes, double h5, double rd1, double rdn,
                   uint32_t n)
{
    double mib = (double)nbytes / (1024.0 * 1024.0);
    printf("%-8s %9.1f MiB  libhdf5 %8.1f ms (%7.0f MiB/s)  h5rd x1 %8.1f ms (%7.0f MiB/s, "
           "%5.2fx)  h5rd x%u %8.1f ms (%7.0f MiB/s, %5.2fx)\n",
           name, mib, h5 * 1e3, mib / h5, rd1 * 1e3, mib / rd1, h5 / rd1, n, rdn * 1e3,
           mib / rdn, h5 / rdn);
    fflush(stdout);
}

static void dataset_workload(const char *name, const struct wl *w, int repeat, uint32_t nthr,
                             bool readers)
{
    if (!wanted(name)) {
        return;
    }
    char p[8192];
    path_of(p, sizeof p, w->file);
    size_t total = w->nboxes * w->box_nbytes;
    uint8_t *a = xmalloc(total), *b = xmalloc(total);

    hid_t hf = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (hf < 0) {
        die("libhdf5 cannot open a bench file (run bench/gen_bench_files.py)");
    }
    hid_t hd = H5Dopen2(hf, "/x", H5P_DEFAULT);
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    struct h5rd_error e;
    check_h5rd(h5rd_file_open(p, NULL, &f, &e), &e, "open");
    check_h5rd(h5rd_obj_open(f, "/x", &d, &e), &e, "open /x");

    /* Warm-up and equality check. */
    run_h5(hd, w, a);
    memset(b, 0xA5, total);
    run_rd(d, w, b, 1, 1);
    if (memcmp(a, b, total) != 0) {
        fprintf(stderr, "h5_compare: %s: h5rd and libhdf5 bytes differ\n", name);
        exit(1);
    }
    double h5 = 1e30, rd1 = 1e30, rdn = 1e30;
    for (int r = 0; r < repeat; r++) {
        h5 = best(h5, run_h5(hd, w, a));
        rd1 = best(rd1, run_rd(d, w, b, 1, 1));
        rdn = best(rdn, readers ? run_rd(d, w, b, nthr, 1) : run_rd(d, w, b, 1, nthr));
    }
    if (memcmp(a, b, total) != 0) {
        fprintf(stderr, "h5_compare: %s: threaded h5rd bytes differ\n", name);
        exit(1);
    }
    report(name, total, h5, rd1, rdn, nthr);
    h5rd_obj_close(d);
    h5rd_file_close(f);
    H5Dclose(hd);
    H5Fclose(hf);
    free(a);
    free(b);
}

/* ---- W6: many small datasets ---- */

#define SMALL_GROUPS 50
#define SMALL_PER 100
#define SMALL_N 100 /* int32 each */

static double small_h5(int32_t *out)
{
    char p[8192];
    path_of(p, sizeof p, "small.h5");
    double t0 = now_s();
    hid_t hf = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (hf < 0) {
        die("libhdf5 cannot open small.h5");
    }
    for (int g = 0; g < SMALL_GROUPS; g++) {
        for (int k = 0; k < SMALL_PER; k++) {
            char name[32];
            snprintf(name, sizeof name, "/g%02d/d%03d", g, k);
            hid_t d = H5Dopen2(hf, name, H5P_DEFAULT);
            if (d < 0 || H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                 out + (g * SMALL_PER + k) * SMALL_N) < 0) {
                die("libhdf5 small read failed");
            }
            H5Dclose(d);
        }
    }
    H5Fclose(hf);
    return now_s() - t0;
}

struct small_job {
    h5rd_file *f;
    int32_t *out;
    int g0, g1;
};

static void *small_rd_groups(void *arg)
{
    struct small_job *j = arg;
    struct h5rd_error e;
    for (int g = j->g0; g < j->g1; g++) {
        for (int k = 0; k < SMALL_PER; k++) {
            char name[32];
            snprintf(name, sizeof name, "/g%02d/d%03d", g, k);
            h5rd_obj *d = NULL;
            check_h5rd(h5rd_obj_open(j->f, name, &d, &e), &e, "open small");
            check_h5rd(h5rd_dataset_read(d, NULL, NULL, j->out + (g * SMALL_PER + k) * SMALL_N,
                                         SMALL_N * sizeof(int32_t), NULL, &e),
                       &e, "read small");
            h5rd_obj_close(d);
        }
    }
    return NULL;
}

static double small_rd(int32_t *out, uint32_t readers)
{
    char p[8192];
    path_of(p, sizeof p, "small.h5");
    double t0 = now_s();
    h5rd_file *f = NULL;
    struct h5rd_error e;
    check_h5rd(h5rd_file_open(p, NULL, &f, &e), &e, "open small.h5");
    if (readers <= 1) {
        struct small_job j = {f, out, 0, SMALL_GROUPS};
        small_rd_groups(&j);
    } else {
        pthread_t th[64];
        struct small_job jobs[64];
        for (uint32_t t = 0; t < readers; t++) {
            jobs[t] = (struct small_job){f, out, (int)(SMALL_GROUPS * t / readers),
                                         (int)(SMALL_GROUPS * (t + 1) / readers)};
            pthread_create(&th[t], NULL, small_rd_groups, &jobs[t]);
        }
        for (uint32_t t = 0; t < readers; t++) {
            pthread_join(th[t], NULL);
        }
    }
    h5rd_file_close(f);
    return now_s() - t0;
}

static void small_workload(int repeat, uint32_t nthr)
{
    if (!wanted("small")) {
        return;
    }
    size_t n = (size_t)SMALL_GROUPS * SMALL_PER * SMALL_N;
    int32_t *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
    small_h5(a);
    small_rd(b, 1);
    if (memcmp(a, b, n * sizeof *a) != 0) {
        die("small: h5rd and libhdf5 bytes differ");
    }
    double h5 = 1e30, rd1 = 1e30, rdn = 1e30;
    for (int r = 0; r < repeat; r++) {
        h5 = best(h5, small_h5(a));
        rd1 = best(rd1, small_rd(b, 1));
        rdn = best(rdn, small_rd(b, nthr));
    }
    if (memcmp(a, b, n * sizeof *a) != 0) {
        die("small: threaded h5rd bytes differ");
    }
    report("small", n * sizeof *a, h5, rd1, rdn, nthr);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    int repeat = 3;
    long nthr = sysconf(_SC_NPROCESSORS_ONLN);
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            g_only = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            nthr = atol(argv[++i]);
        } else {
            dir = argv[i];
        }
    }
    if (dir == NULL || repeat < 1 || nthr < 1 || nthr > 64) {
        fprintf(stderr, "usage: h5_compare DIR [--repeat R] [--threads N(1-64)] [--only NAME]\n");
        return 2;
    }
    snprintf(g_dir, sizeof g_dir, "%s", dir);
    uint32_t n = (uint32_t)nthr;
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    printf("h5_compare: libhdf5 %u.%u.%u vs h5rd %s, best of %d, %u threads\n", maj, min, rel,
           h5rd_version(), repeat, n);

    const size_t frame = (size_t)1024 * 1024 * 2;
    struct wl whole_f32 = {"contig.h5", NULL, 1, (size_t)32 * 1024 * 1024 * 4};
    dataset_workload("contig", &whole_f32, repeat, n, false);
    whole_f32.file = "gzip.h5";
    dataset_workload("gzip", &whole_f32, repeat, n, false);
    struct wl whole_u16 = {"bslz4.h5", NULL, 1, 100 * frame};
    dataset_workload("bslz4", &whole_u16, repeat, n, false);

    struct box frames[100];
    for (uint32_t i = 0; i < 100; i++) {
        frames[i] = (struct box){3, {i, 0, 0}, {1, 1024, 1024}};
    }
    struct wl per_frame = {"bslz4.h5", frames, 100, frame};
    dataset_workload("frames", &per_frame, repeat, n, true);

    static struct box slices[500];
    uint64_t s = 12345;
    for (uint32_t i = 0; i < 500; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        slices[i] = (struct box){3, {(s >> 33) % 32, (s >> 20) % (1024 - 64), (s >> 8) % (1024 - 64)},
                                 {1, 64, 64}};
    }
    struct wl sl = {"gzip.h5", slices, 500, (size_t)64 * 64 * 4};
    dataset_workload("slices", &sl, repeat, n, true);

    static struct box rows[8 * 1024];
    for (uint32_t i = 0; i < 8 * 1024; i++) {
        rows[i] = (struct box){3, {i / 1024, i % 1024, 0}, {1, 1, 1024}};
    }
    struct wl rw = {"rows.h5", rows, 8 * 1024, 1024 * 4};
    dataset_workload("rows", &rw, repeat, n, true);

    small_workload(repeat, n);
    return 0;
}
