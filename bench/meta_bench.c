/*
 * meta_bench.c - the in-process half of issue 13's metadata benchmarks, h5rd against libhdf5
 * (its C API, default settings: sec2 driver, 1 MiB chunk cache) doing the same reads. Every
 * workload's bytes are compared between the two libraries before any time is reported.
 *
 *   w4       tiny chunks: w4_{farray,earray,btree2,btree1}.h5 /x, 25,000 x 4 int32 in (1, 3)
 *            chunks (50,000 chunks), read whole. "cold" = open the file and the dataset, read,
 *            close (the chunk index walked from the file); "warm" = a read on a handle that has
 *            read before (h5rd: chunk table built; libhdf5: its B-tree/array caches filled).
 *            Reported per chunk in ns.
 *   w3       small random reads: w3.h5 /contig, /chunked (4,096-element chunks), /gzip (the
 *            same, gzip 4): --reads (default 100,000) reads of 1-100 int32 at pseudo-random
 *            places (fixed seed). ns per read; h5rd on 1, 2, 4, ... N reader threads sharing
 *            one handle, with parallel efficiency t1 / (t * t_t).
 *   w1, w2   the thread table of the big reads (bench/gen_bench_files.py's contig.h5 and
 *            gzip.h5 /x, 32 x 1024 x 1024 float32): 1, 2, 4, ... N reader threads sharing one
 *            handle, each reading its share of the 32 planes, and one read with opts.nthreads
 *            = t; parallel efficiency of both. Skipped when those files are absent.
 *
 * Times are wall-clock, best of --repeat runs after one warm-up (page cache warm). libhdf5
 * (Debian's build is not thread-safe, and a thread-safe one serialises every call) runs on
 * the calling thread only.
 *
 * Build: cmake -DH5RD_BUILD_BENCH=ON (needs libhdf5-dev).
 * Run:   /usr/bin/python3 bench/gen_meta_files.py /tmp/h5rd-bench
 *        build-bench/meta_bench /tmp/h5rd-bench [--repeat R] [--threads N] [--reads K]
 *                               [--only w1|w2|w3|w4] [--dataset contig|chunked|gzip]
 *                               [--chunk-cache BYTES]
 *
 * --chunk-cache BYTES gives both libraries the same decoded-chunk cache for W3 (libhdf5:
 * H5Pset_chunk_cache on the dataset access list, 12,421 slots; h5rd: open option
 * chunk_cache_nbytes). Without it each keeps its default (libhdf5 1 MiB, h5rd 4 MiB), and a
 * random read of /gzip mostly inflates a whole 16 KiB chunk in both.
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
    fprintf(stderr, "meta_bench: %s\n", what);
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

static void check(h5rd_err r, const struct h5rd_error *e, const char *what)
{
    if (r != H5RD_OK) {
        fprintf(stderr, "meta_bench: h5rd %s: %s: %s [%s]\n", what, h5rd_strerror(r),
                e->what != NULL ? e->what : "", e->path);
        exit(2);
    }
}

static char g_dir[4096];
static const char *g_only;
static int g_repeat = 5;
static uint32_t g_threads = 1;
static size_t g_reads = 100000;
static const char *g_dataset; /* --dataset contig|chunked|gzip: W3 on that one alone */
static long long g_cache_nbytes = -1; /* --chunk-cache: W3's chunk cache for both; -1: defaults */

static bool wanted(const char *name)
{
    return g_only == NULL || strcmp(g_only, name) == 0;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", g_dir, name);
}

static bool exists(const char *name)
{
    char p[8192];
    path_of(p, sizeof p, name);
    return access(p, R_OK) == 0;
}

static double minf(double a, double b)
{
    return a < b ? a : b;
}

/* 1, 2, 4, ... up to g_threads, and g_threads itself when it is not a power of two. */
static uint32_t thread_counts(uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t t = 1; t <= g_threads; t *= 2) {
        out[n++] = t;
    }
    if (out[n - 1] != g_threads) {
        out[n++] = g_threads;
    }
    return n;
}

/* ---- W4: tiny chunks ---- */

#define W4_ROWS 25000
#define W4_COLS 4
#define W4_NCHUNKS (W4_ROWS * 2)
#define W4_NBYTES ((size_t)W4_ROWS * W4_COLS * 4)

static double w4_h5_cold(const char *p, void *buf)
{
    double t0 = now_s();
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f < 0 ? -1 : H5Dopen2(f, "/x", H5P_DEFAULT);
    if (d < 0 || H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        die("libhdf5 w4 read failed");
    }
    H5Dclose(d);
    H5Fclose(f);
    return now_s() - t0;
}

/* h5rd cold: open, first read, close; *t_open and *t_read split it. */
static double w4_rd_cold(const char *p, void *buf, double *t_open, double *t_read)
{
    struct h5rd_error e;
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    double t0 = now_s();
    check(h5rd_file_open(p, NULL, &f, &e), &e, "open");
    check(h5rd_obj_open(f, "/x", &d, &e), &e, "open /x");
    double t1 = now_s();
    check(h5rd_dataset_read(d, NULL, NULL, buf, W4_NBYTES, NULL, &e), &e, "read");
    double t2 = now_s();
    h5rd_obj_close(d);
    h5rd_file_close(f);
    double t3 = now_s();
    *t_open = t1 - t0;
    *t_read = t2 - t1;
    return t3 - t0;
}

static void w4_one(const char *file, const char *label)
{
    char p[8192];
    path_of(p, sizeof p, file);
    uint8_t *a = xmalloc(W4_NBYTES), *b = xmalloc(W4_NBYTES);
    double dummy1, dummy2;
    w4_h5_cold(p, a);
    memset(b, 0xA5, W4_NBYTES);
    w4_rd_cold(p, b, &dummy1, &dummy2);
    if (memcmp(a, b, W4_NBYTES) != 0) {
        fprintf(stderr, "meta_bench: w4 %s: h5rd and libhdf5 bytes differ\n", label);
        exit(1);
    }
    double h5c = 1e30, rdc = 1e30, rdo = 1e30, rdr = 1e30;
    for (int r = 0; r < g_repeat; r++) {
        h5c = minf(h5c, w4_h5_cold(p, a));
        double to, tr;
        rdc = minf(rdc, w4_rd_cold(p, b, &to, &tr));
        rdo = minf(rdo, to);
        rdr = minf(rdr, tr);
    }
    /* Warm: the same handle read again. */
    hid_t hf = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t hd = H5Dopen2(hf, "/x", H5P_DEFAULT);
    struct h5rd_error e;
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    check(h5rd_file_open(p, NULL, &f, &e), &e, "open");
    check(h5rd_obj_open(f, "/x", &d, &e), &e, "open /x");
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = g_threads;
    check(h5rd_dataset_read(d, NULL, NULL, b, W4_NBYTES, NULL, &e), &e, "read");
    H5Dread(hd, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, a);
    /* Each library's warm reads in a loop of their own: libhdf5's whole read (a 250 MiB
     * peak) between two of h5rd's would evict h5rd's chunk table from the CPU caches and time
     * that instead. */
    double h5w = 1e30, rdw = 1e30, rdwn = 1e30;
    for (int r = 0; r < g_repeat; r++) {
        double t0 = now_s();
        H5Dread(hd, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, a);
        h5w = minf(h5w, now_s() - t0);
    }
    for (int r = 0; r < g_repeat; r++) {
        double t0 = now_s();
        check(h5rd_dataset_read(d, NULL, NULL, b, W4_NBYTES, NULL, &e), &e, "read");
        rdw = minf(rdw, now_s() - t0);
    }
    for (int r = 0; r < g_repeat; r++) {
        double t0 = now_s();
        check(h5rd_dataset_read(d, NULL, NULL, b, W4_NBYTES, &ro, &e), &e, "read");
        rdwn = minf(rdwn, now_s() - t0);
    }
    if (memcmp(a, b, W4_NBYTES) != 0) {
        fprintf(stderr, "meta_bench: w4 %s: warm bytes differ\n", label);
        exit(1);
    }
    h5rd_obj_close(d);
    h5rd_file_close(f);
    H5Dclose(hd);
    H5Fclose(hf);
    const double k = 1e9 / W4_NCHUNKS;
    printf("| %-7s | %6.1f | %6.1f (%4.1fx) | %5.1f + %6.1f | %6.1f | %6.1f (%4.1fx) | %6.1f |\n",
           label, h5c * k, rdc * k, h5c / rdc, rdo * k, rdr * k, h5w * k, rdw * k, h5w / rdw,
           rdwn * k);
    fflush(stdout);
    free(a);
    free(b);
}

static void w4(void)
{
    if (!wanted("w4")) {
        return;
    }
    printf("\nW4 in-process: ns per chunk (50,000 chunks of 1x3 int32), best of %d\n", g_repeat);
    printf("| index | libhdf5 cold | h5rd cold | h5rd open + 1st read | libhdf5 warm | h5rd warm "
           "| h5rd warm x%u |\n|---|---|---|---|---|---|---|\n", g_threads);
    static const char *const files[4][2] = {{"w4_farray.h5", "farray"},
                                            {"w4_earray.h5", "earray"},
                                            {"w4_btree2.h5", "btree2"},
                                            {"w4_btree1.h5", "btree1"}};
    for (int i = 0; i < 4; i++) {
        if (!exists(files[i][0])) {
            printf("(%s missing: run bench/gen_meta_files.py)\n", files[i][0]);
            continue;
        }
        w4_one(files[i][0], files[i][1]);
    }
}

/* ---- W3: small random reads ---- */

#define W3_N ((uint64_t)1 << 22)
#define W3_MAXC 100

struct rd3 {
    uint64_t start, count;
};

static struct rd3 *g_w3;

static void w3_plan(void)
{
    g_w3 = xmalloc(g_reads * sizeof *g_w3);
    uint64_t s = 0x13u;
    for (size_t i = 0; i < g_reads; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t c = 1 + (s >> 33) % W3_MAXC;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        g_w3[i] = (struct rd3){(s >> 20) % (W3_N - c + 1), c};
    }
}

static double w3_h5(hid_t d, int32_t *out)
{
    hid_t fs = H5Dget_space(d);
    hsize_t mmax = W3_MAXC;
    hid_t ms = H5Screate_simple(1, &mmax, NULL);
    double t0 = now_s();
    for (size_t i = 0; i < g_reads; i++) {
        hsize_t st = g_w3[i].start, ct = g_w3[i].count, z = 0;
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &ct, NULL);
        H5Sselect_hyperslab(ms, H5S_SELECT_SET, &z, NULL, &ct, NULL);
        if (H5Dread(d, H5T_NATIVE_INT32, ms, fs, H5P_DEFAULT, out + i * W3_MAXC) < 0) {
            die("libhdf5 w3 read failed");
        }
    }
    double t = now_s() - t0;
    H5Sclose(ms);
    H5Sclose(fs);
    return t;
}

struct w3_job {
    const h5rd_obj *d;
    int32_t *out;
    size_t from, to;
};

static void *w3_rd_range(void *arg)
{
    struct w3_job *j = arg;
    struct h5rd_error e;
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = 1;
    for (size_t i = j->from; i < j->to; i++) {
        sel.start = &g_w3[i].start;
        sel.count = &g_w3[i].count;
        check(h5rd_dataset_read(j->d, &sel, NULL, j->out + i * W3_MAXC, g_w3[i].count * 4, NULL,
                                &e),
              &e, "w3 read");
    }
    return NULL;
}

static double w3_rd(const h5rd_obj *d, int32_t *out, uint32_t readers)
{
    pthread_t th[256];
    struct w3_job jobs[256];
    double t0 = now_s();
    for (uint32_t t = 0; t < readers; t++) {
        jobs[t] = (struct w3_job){d, out, g_reads * t / readers, g_reads * (t + 1) / readers};
        if (readers > 1) {
            pthread_create(&th[t], NULL, w3_rd_range, &jobs[t]);
        } else {
            w3_rd_range(&jobs[t]);
        }
    }
    for (uint32_t t = 0; readers > 1 && t < readers; t++) {
        pthread_join(th[t], NULL);
    }
    return now_s() - t0;
}

static void w3(void)
{
    if (!wanted("w3")) {
        return;
    }
    if (!exists("w3.h5")) {
        printf("(w3.h5 missing: run bench/gen_meta_files.py)\n");
        return;
    }
    w3_plan();
    uint32_t tc[32];
    uint32_t ntc = thread_counts(tc);
    printf("\nW3 in-process: %zu reads of 1-100 int32 at random places, ns per read, best of %d",
           g_reads, g_repeat);
    if (g_cache_nbytes >= 0) {
        printf(", chunk cache %lld bytes in both", g_cache_nbytes);
    } else {
        printf(", default chunk caches (libhdf5 1 MiB, h5rd 4 MiB)");
    }
    printf("\n");
    printf("| dataset | libhdf5 | h5rd x1 | ratio |");
    for (uint32_t k = 1; k < ntc; k++) {
        printf(" h5rd x%u (eff.) |", tc[k]);
    }
    printf("\n|---|---|---|---|");
    for (uint32_t k = 1; k < ntc; k++) {
        printf("---|");
    }
    printf("\n");
    char p[8192];
    path_of(p, sizeof p, "w3.h5");
    size_t nbytes = g_reads * W3_MAXC * sizeof(int32_t);
    int32_t *a = xmalloc(nbytes), *b = xmalloc(nbytes);
    hid_t hf = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    struct h5rd_open_opts oo;
    h5rd_open_opts_init(&oo);
    if (g_cache_nbytes >= 0) {
        H5Pset_chunk_cache(dapl, 12421, (size_t)g_cache_nbytes, 0.75);
        oo.chunk_cache_nbytes = (uint64_t)g_cache_nbytes;
    }
    h5rd_file *f = NULL;
    struct h5rd_error e;
    check(h5rd_file_open(p, &oo, &f, &e), &e, "open w3.h5");
    static const char *const names[3] = {"/contig", "/chunked", "/gzip"};
    for (int i = 0; i < 3; i++) {
        if (g_dataset != NULL && strcmp(g_dataset, names[i] + 1) != 0) {
            continue;
        }
        hid_t hd = H5Dopen2(hf, names[i], dapl);
        h5rd_obj *d = NULL;
        check(h5rd_obj_open(f, names[i], &d, &e), &e, "open w3 dataset");
        memset(a, 0, nbytes);
        memset(b, 0, nbytes);
        w3_h5(hd, a);
        w3_rd(d, b, 1);
        if (memcmp(a, b, nbytes) != 0) {
            fprintf(stderr, "meta_bench: w3 %s: h5rd and libhdf5 bytes differ\n", names[i]);
            exit(1);
        }
        double h5 = 1e30, rd[32];
        for (uint32_t k = 0; k < 32; k++) {
            rd[k] = 1e30;
        }
        for (int r = 0; r < g_repeat; r++) {
            h5 = minf(h5, w3_h5(hd, a));
            for (uint32_t k = 0; k < ntc; k++) {
                rd[k] = minf(rd[k], w3_rd(d, b, tc[k]));
            }
        }
        if (memcmp(a, b, nbytes) != 0) {
            fprintf(stderr, "meta_bench: w3 %s: threaded bytes differ\n", names[i]);
            exit(1);
        }
        double k1 = 1e9 / (double)g_reads;
        printf("| %-8s | %7.0f | %7.0f | %5.2fx |", names[i] + 1, h5 * k1, rd[0] * k1,
               h5 / rd[0]);
        for (uint32_t k = 1; k < ntc; k++) {
            printf(" %7.0f (%.2f) |", rd[k] * k1, rd[0] / (tc[k] * rd[k]));
        }
        printf("\n");
        fflush(stdout);
        h5rd_obj_close(d);
        H5Dclose(hd);
    }
    h5rd_file_close(f);
    H5Pclose(dapl);
    H5Fclose(hf);
    free(a);
    free(b);
    free(g_w3);
}

/* ---- W1, W2: thread table of the big reads ---- */

#define BIG_Z 32u
#define BIG_PLANE ((size_t)1024 * 1024 * 4)

struct big_job {
    const h5rd_obj *d;
    uint8_t *out;
    uint64_t z0, z1;
    uint32_t nthreads;
};

static void *big_range(void *arg)
{
    struct big_job *j = arg;
    struct h5rd_error e;
    uint64_t st[3] = {j->z0, 0, 0}, ct[3] = {j->z1 - j->z0, 1024, 1024};
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = 3;
    sel.start = st;
    sel.count = ct;
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = j->nthreads;
    if (ct[0] != 0) {
        check(h5rd_dataset_read(j->d, &sel, NULL, j->out + j->z0 * BIG_PLANE, ct[0] * BIG_PLANE,
                                &ro, &e),
              &e, "big read");
    }
    return NULL;
}

/* 'readers' threads each read their share of the planes (nthreads 1); or, with readers == 1,
 * one read of everything with opts.nthreads = 'nthreads'. */
static double big_rd(const h5rd_obj *d, uint8_t *out, uint32_t readers, uint32_t nthreads)
{
    pthread_t th[256];
    struct big_job jobs[256];
    double t0 = now_s();
    for (uint32_t t = 0; t < readers; t++) {
        jobs[t] = (struct big_job){d, out, (uint64_t)BIG_Z * t / readers,
                                   (uint64_t)BIG_Z * (t + 1) / readers, nthreads};
        if (readers > 1) {
            pthread_create(&th[t], NULL, big_range, &jobs[t]);
        } else {
            big_range(&jobs[t]);
        }
    }
    for (uint32_t t = 0; readers > 1 && t < readers; t++) {
        pthread_join(th[t], NULL);
    }
    return now_s() - t0;
}

static void big(const char *name, const char *file)
{
    if (!wanted(name)) {
        return;
    }
    if (!exists(file)) {
        printf("\n(%s: %s missing: run bench/gen_bench_files.py)\n", name, file);
        return;
    }
    char p[8192];
    path_of(p, sizeof p, file);
    size_t nbytes = BIG_Z * BIG_PLANE;
    uint8_t *a = xmalloc(nbytes), *b = xmalloc(nbytes);
    hid_t hf = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t hd = H5Dopen2(hf, "/x", H5P_DEFAULT);
    double h5 = 1e30;
    for (int r = 0; r <= g_repeat; r++) {
        double t0 = now_s();
        if (H5Dread(hd, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) {
            die("libhdf5 big read failed");
        }
        if (r > 0) {
            h5 = minf(h5, now_s() - t0);
        }
    }
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL;
    struct h5rd_error e;
    check(h5rd_file_open(p, NULL, &f, &e), &e, "open");
    check(h5rd_obj_open(f, "/x", &d, &e), &e, "open /x");
    memset(b, 0xA5, nbytes);
    big_rd(d, b, 1, 1);
    if (memcmp(a, b, nbytes) != 0) {
        fprintf(stderr, "meta_bench: %s: h5rd and libhdf5 bytes differ\n", name);
        exit(1);
    }
    uint32_t tc[32];
    uint32_t ntc = thread_counts(tc);
    double rdr[32], rdn[32];
    for (uint32_t k = 0; k < 32; k++) {
        rdr[k] = rdn[k] = 1e30;
    }
    for (int r = 0; r < g_repeat; r++) {
        for (uint32_t k = 0; k < ntc; k++) {
            rdr[k] = minf(rdr[k], big_rd(d, b, tc[k], 1));
            rdn[k] = minf(rdn[k], big_rd(d, b, 1, tc[k]));
        }
    }
    if (memcmp(a, b, nbytes) != 0) {
        fprintf(stderr, "meta_bench: %s: threaded bytes differ\n", name);
        exit(1);
    }
    printf("\n%s (%s, 128 MiB) in-process: ms, best of %d; libhdf5 %.1f ms\n", name, file,
           g_repeat, h5 * 1e3);
    printf("| threads | t readers, one handle | eff. | x libhdf5 | one read, nthreads t | eff. "
           "| x libhdf5 |\n|---|---|---|---|---|---|---|\n");
    for (uint32_t k = 0; k < ntc; k++) {
        printf("| %u | %.1f | %.2f | %.2fx | %.1f | %.2f | %.2fx |\n", tc[k], rdr[k] * 1e3,
               rdr[0] / (tc[k] * rdr[k]), h5 / rdr[k], rdn[k] * 1e3, rdn[0] / (tc[k] * rdn[k]),
               h5 / rdn[k]);
    }
    fflush(stdout);
    h5rd_obj_close(d);
    h5rd_file_close(f);
    H5Dclose(hd);
    H5Fclose(hf);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    long nthr = sysconf(_SC_NPROCESSORS_ONLN);
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            g_repeat = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            g_only = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            nthr = atol(argv[++i]);
        } else if (strcmp(argv[i], "--dataset") == 0 && i + 1 < argc) {
            g_dataset = argv[++i];
        } else if (strcmp(argv[i], "--chunk-cache") == 0 && i + 1 < argc) {
            g_cache_nbytes = atoll(argv[++i]);
        } else if (strcmp(argv[i], "--reads") == 0 && i + 1 < argc) {
            g_reads = (size_t)atol(argv[++i]);
        } else {
            dir = argv[i];
        }
    }
    if (dir == NULL || g_repeat < 1 || nthr < 1 || nthr > 256 || g_reads < 1) {
        fprintf(stderr, "usage: meta_bench DIR [--repeat R] [--threads N(1-256)] [--reads K] "
                        "[--only w1|w2|w3|w4] [--dataset contig|chunked|gzip] [--chunk-cache BYTES]\n");
        return 2;
    }
    snprintf(g_dir, sizeof g_dir, "%s", dir);
    g_threads = (uint32_t)nthr;
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    printf("meta_bench: libhdf5 %u.%u.%u vs h5rd %s, best of %d, up to %u threads\n", maj, min,
           rel, h5rd_version(), g_repeat, g_threads);
    w4();
    w3();
    big("w1", "contig.h5");
    big("w2", "gzip.h5");
    return 0;
}
