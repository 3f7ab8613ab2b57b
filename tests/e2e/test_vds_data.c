/*
 * test_vds_data.c - reading virtual datasets through the library, against what libhdf5 (h5py)
 * reads (fixtures/vds/expected.json, written by fixtures/vds/gen_vds.py):
 *  - every fixture virtual dataset's data sha256, read with the working directory changed to a
 *    fresh temporary directory (source resolution must not depend on it);
 *  - selections (hyperslab sub-blocks spanning several mappings, strided blocks, points)
 *    against the full read sliced here;
 *  - numeric memory types (int32 sources into float64 and back, big-endian sources);
 *  - a missing source: fill value by default, H5RD_E_NOT_FOUND naming the source with
 *    H5RD_READ_MISSING_SOURCE_ERROR (only when the selection touches it);
 *  - one handle read by 8 threads at once (tests/plain/tsan_vds_threads.c repeats this under
 *    ThreadSanitizer, where criterion cannot start);
 *  - external links: datasets behind them (fixtures/h5/links_*.h5 -> links_target.h5, the
 *    Eiger-style master), HDF5_EXT_PREFIX, and HDF5_VDS_PREFIX with ${ORIGIN}.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "h5rd.h"
#include "json.h"
#include "sha256.h"

#define VDS_DIR H5RD_SOURCE_DIR "/fixtures/vds/h5/"
#define H5_DIR H5RD_SOURCE_DIR "/fixtures/h5/"

/* Moves the test process to a fresh directory under the build tree's scratch directory
 * (criterion runs each test in its own process, so this does not leak into other tests). */
static void go_elsewhere(void)
{
    char tmpl[] = H5RD_TEST_SCRATCH_DIR "/vds_cwd_XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d, "mkdtemp failed");
    cr_assert_eq(chdir(d), 0, "chdir failed");
}

struct ds {
    h5rd_file *f;
    h5rd_obj *d;
    struct h5rd_space sp;
    uint64_t es;    /* file element size */
    uint64_t n;     /* elements */
};

static void ds_open(struct ds *x, const char *file, const char *path)
{
    struct h5rd_error e;
    memset(x, 0, sizeof *x);
    cr_assert_eq(h5rd_file_open(file, NULL, &x->f, &e), H5RD_OK, "open %s: %s", file,
                 e.what ? e.what : "");
    cr_assert_eq(h5rd_obj_open(x->f, path, &x->d, &e), H5RD_OK, "open %s %s: %s", file, path,
                 e.what ? e.what : "");
    cr_assert_eq(h5rd_dataset_get_space(x->d, &x->sp, NULL), H5RD_OK);
    cr_assert_eq(h5rd_dataset_get_elem_nbytes(x->d, NULL, &x->es, NULL), H5RD_OK);
    x->n = 1;
    for (uint32_t k = 0; k < x->sp.rank; k++) {
        x->n *= x->sp.dims[k];
    }
}

static void ds_close(struct ds *x)
{
    h5rd_obj_close(x->d);
    h5rd_file_close(x->f);
}

static uint8_t *read_sel(const struct ds *x, const struct h5rd_selection *sel,
                         const struct h5rd_memtype *mt, uint64_t *nbytes_ret)
{
    uint64_t np = 0, es = 0;
    cr_assert_eq(h5rd_selection_get_npoints(x->d, sel, &np, NULL), H5RD_OK);
    cr_assert_eq(h5rd_dataset_get_elem_nbytes(x->d, mt, &es, NULL), H5RD_OK);
    uint8_t *buf = malloc(np * es + 1);
    cr_assert_not_null(buf);
    memset(buf, 0xa5, np * es + 1);
    struct h5rd_error e;
    h5rd_err r = h5rd_dataset_read(x->d, sel, mt, buf, np * es, NULL, &e);
    cr_assert_eq(r, H5RD_OK, "read: %d %s (%s)", (int)r, e.what ? e.what : "", e.path);
    if (nbytes_ret != NULL) {
        *nbytes_ret = np * es;
    }
    return buf;
}

/* ---- every fixture's data ------------------------------------------------------------------ */

Test(vds_data, fixtures_sha256_from_elsewhere)
{
    char why[256];
    tj_value *root = tj_parse_file(H5RD_SOURCE_DIR "/fixtures/vds/expected.json", why, sizeof why);
    cr_assert_not_null(root, "expected.json: %s", why);
    go_elsewhere();
    const tj_value *list = tj_get(root, "datasets");
    cr_assert_not_null(list);
    size_t checked = 0;
    for (size_t i = 0; i < list->n; i++) {
        const tj_value *it = &list->items[i];
        char file[1024];
        snprintf(file, sizeof file, VDS_DIR "%s", tj_get_str(it, "file"));
        const char *path = tj_get_str(it, "path");
        struct ds x;
        ds_open(&x, file, path);
        uint64_t nb = 0;
        uint8_t *buf = read_sel(&x, NULL, NULL, &nb);
        char hex[65];
        sha256_hex(buf, (size_t)nb, hex);
        cr_expect_str_eq(hex, tj_get_str(it, "sha256"), "%s %s", file, path);
        /* the same bytes with 3 decoding threads per source read */
        struct h5rd_read_opts ro;
        h5rd_read_opts_init(&ro);
        ro.nthreads = 3;
        uint8_t *b2 = malloc(nb + 1);
        cr_assert_eq(h5rd_dataset_read(x.d, NULL, NULL, b2, nb, &ro, NULL), H5RD_OK);
        cr_expect_eq(memcmp(buf, b2, nb), 0, "%s %s with threads", file, path);
        free(b2);
        free(buf);
        ds_close(&x);
        checked++;
    }
    cr_expect_geq(checked, 20);
    tj_free(root);
}

/* ---- selections against the full read ----------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Checks one hyperslab read against the full data. */
static void check_hyperslab(const struct ds *x, const uint8_t *full, const uint64_t *start,
                            const uint64_t *stride, const uint64_t *count, const uint64_t *block,
                            const char *what)
{
    uint32_t r = x->sp.rank;
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, r, start, stride, count, block, 0, NULL};
    uint64_t nb = 0;
    uint8_t *got = read_sel(x, &sel, NULL, &nb);
    /* walk the selection in C order */
    uint64_t n[H5RD_MAX_RANK], idx[H5RD_MAX_RANK] = {0};
    uint64_t tot = 1;
    for (uint32_t k = 0; k < r; k++) {
        n[k] = count[k] * block[k];
        tot *= n[k];
    }
    cr_assert_eq(nb, tot * x->es);
    for (uint64_t e = 0; e < tot; e++) {
        uint64_t lin = 0;
        for (uint32_t k = 0; k < r; k++) {
            uint64_t c = start[k] + (idx[k] / block[k]) * stride[k] + idx[k] % block[k];
            lin = lin * x->sp.dims[k] + c;
        }
        if (memcmp(got + e * x->es, full + lin * x->es, x->es) != 0) {
            cr_assert_fail("%s: element %llu (linear %llu) differs", what, (unsigned long long)e,
                           (unsigned long long)lin);
        }
        for (int k = (int)r - 1; k >= 0; k--) {
            if (++idx[k] < n[k]) {
                break;
            }
            idx[k] = 0;
        }
    }
    free(got);
}

static void random_selections(const char *file, const char *path, int rounds)
{
    struct ds x;
    ds_open(&x, file, path);
    uint8_t *full = read_sel(&x, NULL, NULL, NULL);
    uint32_t r = x.sp.rank;
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)strlen(path);
    for (int it = 0; it < rounds; it++) {
        uint64_t start[H5RD_MAX_RANK], stride[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
        uint64_t block[H5RD_MAX_RANK];
        for (uint32_t k = 0; k < r; k++) {
            uint64_t dim = x.sp.dims[k];
            start[k] = rng_next(&seed) % dim;
            block[k] = 1 + rng_next(&seed) % 3;
            if (start[k] + block[k] > dim) {
                block[k] = dim - start[k];
            }
            stride[k] = block[k] + rng_next(&seed) % 3;
            uint64_t room = (dim - start[k] - block[k]) / stride[k] + 1;
            count[k] = 1 + rng_next(&seed) % room;
        }
        char what[256];
        snprintf(what, sizeof what, "%s %s round %d", file, path, it);
        check_hyperslab(&x, full, start, stride, count, block, what);
    }
    /* points, out of order and repeated */
    uint64_t np = 37;
    uint64_t *pts = malloc(np * r * sizeof(uint64_t));
    for (uint64_t i = 0; i < np; i++) {
        for (uint32_t k = 0; k < r; k++) {
            pts[i * r + k] = rng_next(&seed) % x.sp.dims[k];
        }
    }
    memcpy(pts + (np - 1) * r, pts, r * sizeof(uint64_t)); /* a repeated point */
    struct h5rd_selection ps = {H5RD_SEL_POINTS, r, NULL, NULL, NULL, NULL, np, pts};
    uint8_t *got = read_sel(&x, &ps, NULL, NULL);
    for (uint64_t i = 0; i < np; i++) {
        uint64_t lin = 0;
        for (uint32_t k = 0; k < r; k++) {
            lin = lin * x.sp.dims[k] + pts[i * r + k];
        }
        cr_expect_eq(memcmp(got + i * x.es, full + lin * x.es, x.es), 0, "%s %s point %llu",
                     file, path, (unsigned long long)i);
    }
    free(got);
    free(pts);
    free(full);
    ds_close(&x);
}

Test(vds_data, selections_against_full_read)
{
    go_elsewhere();
    static const char *const cases[][2] = {
        {VDS_DIR "halves.h5", "/vol"},          {VDS_DIR "sidebyside.h5", "/wide"},
        {VDS_DIR "stacked.h5", "/stack"},       {VDS_DIR "gap.h5", "/concat"},
        {VDS_DIR "strided.h5", "/interleave"},  {VDS_DIR "convert.h5", "/sub"},
        {VDS_DIR "samefile.h5", "/v"},          {VDS_DIR "samefile.h5", "/irregular"},
        {VDS_DIR "printf.h5", "/frames"},       {VDS_DIR "unlim.h5", "/grow"},
        {VDS_DIR "nested.h5", "/outer"},        {VDS_DIR "eiger_master.h5", "/entry/data/data"},
        {VDS_DIR "pairing.h5", "/reshape"},
    };
    /* (not pairing.h5 /overlap: its full read skips the fill - the overlapping mappings count
     * twice - but a smaller selection does not, in libhdf5 as here) */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        random_selections(cases[i][0], cases[i][1], 40);
    }
}

Test(vds_data, sub_block_spanning_mappings)
{
    go_elsewhere();
    struct ds x;
    ds_open(&x, VDS_DIR "halves.h5", "/vol");
    uint8_t *full = read_sel(&x, NULL, NULL, NULL);
    /* both halves, frames 244..255 of each, a 3x3 window with stride 2 along x */
    uint64_t start[4] = {0, 244, 2, 1}, stride[4] = {1, 1, 1, 2}, count[4] = {2, 12, 3, 3};
    uint64_t block[4] = {1, 1, 1, 1};
    check_hyperslab(&x, full, start, stride, count, block, "halves window");
    free(full);
    ds_close(&x);

    ds_open(&x, VDS_DIR "sidebyside.h5", "/wide");
    full = read_sel(&x, NULL, NULL, NULL);
    uint64_t s2[2] = {1, 3}, st2[2] = {2, 3}, c2[2] = {3, 3}, b2[2] = {1, 2};
    check_hyperslab(&x, full, s2, st2, c2, b2, "side by side across the seam");
    free(full);
    ds_close(&x);
}

/* ---- types --------------------------------------------------------------------------------- */

Test(vds_data, numeric_memory_types)
{
    go_elsewhere();
    struct ds x;
    ds_open(&x, VDS_DIR "convert.h5", "/sub");
    double *f8 = (double *)read_sel(&x, NULL, NULL, NULL); /* <f8 virtual type, int32 sources */
    cr_expect_eq(f8[0], 10.0);                            /* m[1,2] = 1*8+2 */
    cr_expect_eq(f8[5 * 2 + 0], 0.5);                     /* fill */
    struct h5rd_memtype i4 = {H5RD_MEMTYPE_INT, 4, 1, H5RD_ORDER_LE};
    int32_t *got = (int32_t *)read_sel(&x, NULL, &i4, NULL);
    for (uint64_t i = 0; i < x.n; i++) {
        cr_expect_eq(got[i], (int32_t)f8[i], "element %llu", (unsigned long long)i);
    }
    free(got);
    struct h5rd_memtype f4be = {H5RD_MEMTYPE_FLOAT, 4, 0, H5RD_ORDER_BE};
    uint8_t *be = read_sel(&x, NULL, &f4be, NULL);
    for (uint64_t i = 0; i < x.n; i++) {
        uint8_t le[4];
        for (int k = 0; k < 4; k++) {
            le[k] = be[i * 4 + 3 - k];
        }
        float v;
        memcpy(&v, le, 4);
        cr_expect_eq(v, (float)f8[i]);
    }
    free(be);
    free(f8);
    ds_close(&x);

    /* a big-endian int16 source inside an int32 virtual dataset, read as int64 */
    ds_open(&x, VDS_DIR "pairing.h5", "/overlap");
    int32_t *n4 = (int32_t *)read_sel(&x, NULL, NULL, NULL);
    static const int32_t want[18] = {0, 1, 2, 3, 0, 0, -6, -5, -4, -3, -2, -1,
                                     0, 1, 2, 3, 4, 5};
    cr_expect_eq(memcmp(n4, want, sizeof want), 0);
    struct h5rd_memtype i8 = {H5RD_MEMTYPE_INT, 8, 1, H5RD_ORDER_LE};
    int64_t *n8 = (int64_t *)read_sel(&x, NULL, &i8, NULL);
    for (int i = 0; i < 18; i++) {
        cr_expect_eq(n8[i], want[i]);
    }
    free(n8);
    free(n4);
    ds_close(&x);
}

/* ---- missing sources ----------------------------------------------------------------------- */

Test(vds_data, missing_source_fill_or_error)
{
    go_elsewhere();
    struct ds x;
    ds_open(&x, VDS_DIR "gap.h5", "/concat");
    int16_t *v = (int16_t *)read_sel(&x, NULL, NULL, NULL);
    for (int i = 0; i < 40; i++) {
        int16_t want = i < 10 ? (int16_t)i : (i >= 25 && i < 35) ? (int16_t)(100 + i - 25) : -7;
        cr_expect_eq(v[i], want, "element %d", i);
    }
    free(v);
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.flags = H5RD_READ_MISSING_SOURCE_ERROR;
    int16_t buf[40];
    struct h5rd_error e;
    h5rd_err r = h5rd_dataset_read(x.d, NULL, NULL, buf, sizeof buf, &ro, &e);
    cr_expect_eq(r, H5RD_E_NOT_FOUND);
    cr_expect_eq(e.code, H5RD_E_NOT_FOUND);
    cr_expect_not_null(strstr(e.path, "cat_1.h5"), "path: %s", e.path);
    /* a selection that does not touch the missing source reads fine with the flag */
    uint64_t start[1] = {0}, count[1] = {10};
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, 1, start, NULL, count, NULL, 0, NULL};
    cr_expect_eq(h5rd_dataset_read(x.d, &sel, NULL, buf, sizeof buf, &ro, NULL), H5RD_OK);
    start[0] = 15;
    count[0] = 1;
    cr_expect_eq(h5rd_dataset_read(x.d, &sel, NULL, buf, sizeof buf, &ro, NULL),
                 H5RD_E_NOT_FOUND);
    /* printf mappings end at their first missing block: never "missing" */
    ds_close(&x);
    ds_open(&x, VDS_DIR "printf.h5", "/frames");
    uint8_t *pb = malloc(x.n);
    cr_expect_eq(h5rd_dataset_read(x.d, NULL, NULL, pb, x.n, &ro, NULL), H5RD_OK);
    free(pb);
    ds_close(&x);
}

/* ---- threads ------------------------------------------------------------------------------- */

struct thr {
    const h5rd_obj *d;
    uint64_t nbytes;
    const uint8_t *want;
    int bad;
};

static void *thr_main(void *arg)
{
    struct thr *t = arg;
    uint8_t *buf = malloc(t->nbytes);
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    for (int i = 0; i < 20 && buf != NULL; i++) {
        ro.nthreads = (uint32_t)(i % 3);
        if (h5rd_dataset_read(t->d, NULL, NULL, buf, t->nbytes, &ro, NULL) != H5RD_OK ||
            memcmp(buf, t->want, t->nbytes) != 0) {
            t->bad++;
        }
    }
    free(buf);
    return NULL;
}

Test(vds_data, eight_threads_one_handle)
{
    go_elsewhere();
    static const char *const cases[][2] = {
        {VDS_DIR "halves.h5", "/vol"},
        {VDS_DIR "eiger_master.h5", "/entry/data/data"},
        {VDS_DIR "nested.h5", "/outer"},
    };
    for (size_t c = 0; c < 3; c++) {
        struct ds x;
        ds_open(&x, cases[c][0], cases[c][1]);
        uint64_t nb = 0;
        uint8_t *want = read_sel(&x, NULL, NULL, &nb);
        pthread_t th[8];
        struct thr t[8];
        for (int i = 0; i < 8; i++) {
            t[i] = (struct thr){x.d, nb, want, 0};
            cr_assert_eq(pthread_create(&th[i], NULL, thr_main, &t[i]), 0);
        }
        for (int i = 0; i < 8; i++) {
            pthread_join(th[i], NULL);
            cr_expect_eq(t[i].bad, 0, "%s thread %d", cases[c][1], i);
        }
        free(want);
        ds_close(&x);
    }
}

/* ---- external links ------------------------------------------------------------------------ */

static void sha_of(const char *file, const char *path, char hex[65])
{
    struct ds x;
    ds_open(&x, file, path);
    uint64_t nb = 0;
    uint8_t *buf = read_sel(&x, NULL, NULL, &nb);
    sha256_hex(buf, (size_t)nb, hex);
    free(buf);
    ds_close(&x);
}

Test(vds_data, external_links_followed)
{
    go_elsewhere();
    char want[65], got[65];
    sha_of(H5_DIR "links_target.h5", "/tgt/data", want);
    sha_of(H5_DIR "links_latest.h5", "/ext", got);
    cr_expect_str_eq(got, want);
    sha_of(H5_DIR "links_latest.h5", "/ext_group/data", got);
    cr_expect_str_eq(got, want);
    sha_of(H5_DIR "links_earliest.h5", "/ext_group/data", got);
    cr_expect_str_eq(got, want);
    /* the Eiger master: frames behind external links equal the VDS's frames */
    struct ds v, a;
    ds_open(&v, VDS_DIR "eiger_master.h5", "/entry/data/data");
    ds_open(&a, VDS_DIR "eiger_master.h5", "/entry/data/data_000002");
    uint64_t nv = 0, na = 0;
    uint8_t *bv = read_sel(&v, NULL, NULL, &nv);
    uint8_t *ba = read_sel(&a, NULL, NULL, &na);
    cr_assert_eq(na * 2, nv);
    cr_expect_eq(memcmp(bv + na, ba, na), 0);
    free(bv);
    free(ba);
    ds_close(&v);
    ds_close(&a);
    /* a missing target file is NOT_FOUND */
    h5rd_file *f = NULL;
    h5rd_obj *o = NULL;
    cr_assert_eq(h5rd_file_open(H5_DIR "links_latest.h5", NULL, &f, NULL), H5RD_OK);
    cr_expect_eq(h5rd_obj_open(f, "/ext_missing", &o, NULL), H5RD_E_NOT_FOUND);
    h5rd_file_close(f);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    cr_assert(in != NULL && out != NULL, "copy %s", from);
    char b[4096];
    size_t n;
    while ((n = fread(b, 1, sizeof b, in)) > 0) {
        cr_assert_eq(fwrite(b, 1, n, out), n);
    }
    fclose(in);
    fclose(out);
}

Test(vds_data, prefix_variables)
{
    go_elsewhere();
    char want[65], got[65];
    /* a copy of the linking file where its target is not: found through HDF5_EXT_PREFIX */
    sha_of(H5_DIR "links_target.h5", "/tgt/data", want);
    copy_file(H5_DIR "links_latest.h5", "ll.h5");
    h5rd_file *f = NULL;
    h5rd_obj *o = NULL;
    cr_assert_eq(h5rd_file_open("ll.h5", NULL, &f, NULL), H5RD_OK);
    cr_expect_eq(h5rd_obj_open(f, "/ext", &o, NULL), H5RD_E_NOT_FOUND);
    h5rd_file_close(f);
    setenv("HDF5_EXT_PREFIX", "/nonexistent:" H5_DIR, 1);
    sha_of("ll.h5", "/ext", got);
    cr_expect_str_eq(got, want);
    /* a copy of a VDS whose sources are not beside it: found through HDF5_VDS_PREFIX, the
     * first entry (relative to ${ORIGIN}) not existing */
    cr_assert_eq(mkdir("sub", 0700), 0);
    copy_file(VDS_DIR "gap.h5", "sub/gap.h5");
    setenv("HDF5_VDS_PREFIX", "${ORIGIN}/nothing:" VDS_DIR, 1);
    char hex[65];
    sha_of("sub/gap.h5", "/concat", hex);
    cr_expect_str_eq(hex, "b1ba201712cac94bbba2bc3a271e266949030747f710cd3eaa2380252dea0488");
}
