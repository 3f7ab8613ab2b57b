/*
 * test_complex.c - HDF5 2.0 complex numbers (datatype class 11) read as libhdf5 2.0 reads them.
 *
 * The expected values are libhdf5 2.0.0's reading of the corpus files tcomplex.h5,
 * tcomplex_be.h5 (complex in plain, array, compound and vlen types, little and big endian; float,
 * double and 16-byte long double parts) and tcompound_complex*.h5 (HDFView's "complex compound"
 * files: nested compounds, arrays and vlen strings, no complex class), written by
 * fixtures/gen/gen_complex_expected.mjs through h5wasm 0.10.3 into
 * fixtures/h5wasm/complex_corpus.json. libhdf5 1.10.8/h5py cannot open the complex class.
 *
 *  - library: every dataset (h5rd_dataset_read, memtype NULL) and attribute (h5rd_attr_read)
 *    element by element against the JSON; long double parts exactly (strtold of the expected
 *    hex float: x87 holds these values exactly);
 *  - CLI: `cat` bytes are numpy's complex64/complex128 (little-endian here), `cat --json` gives
 *    [re, im] pairs, `ls --json` dtype strings <c8/<c16/<c32 and the array/compound descr.
 * Skips when ../shared/corpus is absent.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "h5rd.h"
#include "json.h"
#include "oracle.h"

#define EXPECTED H5RD_SOURCE_DIR "/fixtures/h5wasm/complex_corpus.json"
#define CORPUS H5RD_SOURCE_DIR "/../shared/corpus"
#define DIR CORPUS "/scigolib__hdf5/testdata/hdf5_official/"

static void need_corpus(void)
{
    struct stat st;
    if (stat(CORPUS, &st) != 0) {
        cr_skip_test("../shared/corpus is absent");
    }
}

static tj_value *load_expected(void)
{
    char eb[256];
    tj_value *doc = tj_parse_file(EXPECTED, eb, sizeof eb);
    cr_assert(doc != NULL, "%s: %s", EXPECTED, eb);
    return doc;
}

struct cmp {
    h5rd_file *file;
    char where[512];
    unsigned nfail;
    uint64_t nvalues; /* leaf values compared */
};

static void fail(struct cmp *c, const char *what)
{
    if (c->nfail++ < 10) {
        cr_log_error("%s: %s", c->where, what);
    }
}

static double num(const tj_value *v)
{
    return v->kind == TJ_NUM ? v->d : NAN;
}

/* A float part as stored by a dataset read or attribute read (host order, IEEE or x87). */
static long double part_value(const struct h5rd_type_info *bi, const uint8_t *p)
{
    if (bi->size == 4) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    if (bi->size == 8) {
        double d;
        memcpy(&d, p, 8);
        return d;
    }
    long double x; /* x86-64: x87 in 16 bytes, what libhdf5 converts a long double to */
    memcpy(&x, p, sizeof x < 16 ? sizeof x : 16);
    return x;
}

static void cmp_part(struct cmp *c, const struct h5rd_type_info *bi, const uint8_t *p,
                     const tj_value *want)
{
    c->nvalues++;
    long double got = part_value(bi, p);
    long double w;
    if (want->kind == TJ_STR) {
        w = strtold(want->str, NULL);
    } else {
        w = num(want);
    }
    if (!(got == w || (isnan(got) && isnan(w)))) {
        char t[160];
        snprintf(t, sizeof t, "part: want %.21Lg, got %.21Lg", w, got);
        fail(c, t);
    }
}

static void cmp_elem(struct cmp *c, const h5rd_type *type, const uint8_t *p, const tj_value *want,
                     int normalized);

static void cmp_flat(struct cmp *c, const h5rd_type *base, uint64_t esize, const uint8_t *p,
                     uint64_t n, const tj_value *want, int normalized)
{
    if (want->kind != TJ_ARR || want->n != n) {
        fail(c, "list length differs");
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        cmp_elem(c, base, p + i * esize, &want->items[i], normalized);
    }
}

static void cmp_elem(struct cmp *c, const h5rd_type *type, const uint8_t *p, const tj_value *want,
                     int normalized)
{
    struct h5rd_type_info ti, bi;
    cr_assert_eq(h5rd_type_get_info(type, &ti, NULL), H5RD_OK);
    const h5rd_type *base = NULL;
    switch (ti.cls) {
    case H5RD_CLASS_COMPLEX:
        cr_assert_eq(h5rd_type_get_super(type, &base, NULL), H5RD_OK);
        cr_assert_eq(h5rd_type_get_info(base, &bi, NULL), H5RD_OK);
        cr_assert_eq(bi.cls, H5RD_CLASS_FLOAT);
        cr_assert_eq(ti.size, 2 * bi.size);
        if (want->kind != TJ_ARR || want->n != 2) {
            fail(c, "complex: want a [re, im] pair");
            return;
        }
        cmp_part(c, &bi, p, &want->items[0]);
        cmp_part(c, &bi, p + bi.size, &want->items[1]);
        return;
    case H5RD_CLASS_FLOAT:
        cmp_part(c, &ti, p, want);
        return;
    case H5RD_CLASS_INTEGER: {
        c->nvalues++;
        int64_t v = 0;
        if (ti.size == 1) {
            v = ti.is_signed ? (int8_t)p[0] : p[0];
        } else if (ti.size == 2) {
            int16_t s;
            uint16_t u;
            memcpy(&s, p, 2);
            memcpy(&u, p, 2);
            v = ti.is_signed ? (int64_t)s : (int64_t)u;
        } else if (ti.size == 4) {
            int32_t s;
            uint32_t u;
            memcpy(&s, p, 4);
            memcpy(&u, p, 4);
            v = ti.is_signed ? (int64_t)s : (int64_t)u;
        } else {
            memcpy(&v, p, 8);
        }
        if ((double)v != num(want)) {
            char t[128];
            snprintf(t, sizeof t, "integer: want %.17g, got %lld", num(want), (long long)v);
            fail(c, t);
        }
        return;
    }
    case H5RD_CLASS_STRING: {
        c->nvalues++;
        /* h5wasm cuts a fixed string at its first NUL; space padding is kept there and made
         * NULs by h5rd's read (as libhdf5 converts it for h5py): compare without it. */
        size_t n = strnlen((const char *)p, (size_t)ti.size);
        size_t wn = want->kind == TJ_STR ? want->len : 0;
        if (ti.str_pad == 2) {
            while (wn > 0 && want->str[wn - 1] == ' ') {
                wn--;
            }
            while (n > 0 && p[n - 1] == ' ') {
                n--;
            }
        }
        if (want->kind != TJ_STR || n != wn || memcmp(p, want->str, n) != 0) {
            fail(c, "fixed string differs");
        }
        return;
    }
    case H5RD_CLASS_VLEN: {
        cr_assert_eq(h5rd_type_get_super(type, &base, NULL), H5RD_OK);
        cr_assert_eq(h5rd_type_get_info(base, &bi, NULL), H5RD_OK);
        uint64_t count = 0;
        cr_assert_eq(h5rd_vlen_read(c->file, type, p, NULL, 0, &count, NULL), H5RD_OK);
        uint64_t nbytes = ti.vlen_is_string ? count : count * bi.size;
        uint8_t *buf = malloc(nbytes + 1);
        cr_assert(buf != NULL);
        cr_assert_eq(h5rd_vlen_read(c->file, type, p, buf, nbytes + 1, &count, NULL), H5RD_OK);
        if (ti.vlen_is_string) {
            c->nvalues++;
            if (want->kind != TJ_STR || want->len != count || memcmp(buf, want->str, count)) {
                fail(c, "vlen string differs");
            }
        } else {
            /* h5rd_vlen_read gives native order, not normalised: fine for IEEE parts. */
            cmp_flat(c, base, bi.size, buf, count, want, 0);
        }
        free(buf);
        return;
    }
    case H5RD_CLASS_ARRAY: {
        cr_assert_eq(h5rd_type_get_super(type, &base, NULL), H5RD_OK);
        cr_assert_eq(h5rd_type_get_info(base, &bi, NULL), H5RD_OK);
        cmp_flat(c, base, bi.size, p, ti.size / bi.size, want, normalized);
        return;
    }
    case H5RD_CLASS_COMPOUND: {
        if (want->kind != TJ_OBJ || want->n != ti.nmembers) {
            fail(c, "compound: member count differs");
            return;
        }
        size_t len = strlen(c->where);
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            cr_assert_eq(h5rd_type_get_member(type, k, &name, &off, &mt, NULL), H5RD_OK);
            const tj_value *w = tj_get(want, name);
            snprintf(c->where + len, sizeof c->where - len, ".%s", name);
            if (w == NULL) {
                fail(c, "member missing from the expected value");
            } else {
                cmp_elem(c, mt, p + off, w, normalized);
            }
            c->where[len] = '\0';
        }
        return;
    }
    default:
        fail(c, "unexpected datatype class");
        return;
    }
}

static void cmp_shape(struct cmp *c, const struct h5rd_space *sp, const tj_value *shape,
                      uint64_t *n_ret)
{
    uint64_t n = 1;
    if (shape == NULL || shape->kind != TJ_ARR || shape->n != sp->rank) {
        fail(c, "rank differs");
    }
    for (uint32_t i = 0; i < sp->rank; i++) {
        n *= sp->dims[i];
        if (shape != NULL && i < shape->n && (double)sp->dims[i] != num(&shape->items[i])) {
            fail(c, "dims differ");
        }
    }
    *n_ret = n;
}

static void cmp_attrs(struct cmp *c, h5rd_obj *obj, const char *path, const tj_value *attrs)
{
    uint64_t nattrs = 0;
    cr_assert_eq(h5rd_obj_get_nattrs(obj, &nattrs, NULL), H5RD_OK);
    size_t want_n = attrs != NULL && attrs->kind == TJ_OBJ ? attrs->n : 0;
    if (nattrs != want_n) {
        snprintf(c->where, sizeof c->where, "%s", path);
        fail(c, "attribute count differs");
    }
    for (size_t i = 0; i < want_n; i++) {
        snprintf(c->where, sizeof c->where, "%s@%s", path, attrs->keys[i]);
        h5rd_attr *a = NULL;
        struct h5rd_error err;
        if (h5rd_attr_open(obj, attrs->keys[i], &a, &err) != H5RD_OK) {
            fail(c, err.what);
            continue;
        }
        struct h5rd_space sp;
        uint64_t n, nbytes;
        cr_assert_eq(h5rd_attr_get_space(a, &sp, NULL), H5RD_OK);
        cmp_shape(c, &sp, tj_get(&attrs->items[i], "shape"), &n);
        cr_assert_eq(h5rd_attr_get_nbytes(a, &nbytes, NULL), H5RD_OK);
        uint8_t *buf = malloc(nbytes ? nbytes : 1);
        cr_assert(buf != NULL);
        cr_assert_eq(h5rd_attr_read(a, buf, nbytes, &err), H5RD_OK, "%s: %s", c->where, err.what);
        const h5rd_type *t = h5rd_attr_get_type(a);
        struct h5rd_type_info ti;
        cr_assert_eq(h5rd_type_get_info(t, &ti, NULL), H5RD_OK);
        cmp_flat(c, t, ti.size, buf, n, tj_get(&attrs->items[i], "values"), 0);
        free(buf);
        h5rd_attr_close(a);
    }
}

Test(complex, library_reads_as_libhdf5_2)
{
    need_corpus();
    tj_value *doc = load_expected();
    const tj_value *files = tj_get(doc, "files");
    cr_assert(files != NULL && files->kind == TJ_OBJ && files->n == 4);
    uint64_t nobj = 0, nattr = 0;
    struct cmp c = {0};
    for (size_t fi = 0; fi < files->n; fi++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CORPUS, files->keys[fi]);
        struct h5rd_error err;
        c.file = NULL;
        cr_assert_eq(h5rd_file_open(path, NULL, &c.file, &err), H5RD_OK, "%s: %s", path, err.what);
        const tj_value *objs = &files->items[fi];
        for (size_t oi = 0; oi < objs->n; oi++) {
            const char *opath = objs->keys[oi];
            const tj_value *o = &objs->items[oi];
            snprintf(c.where, sizeof c.where, "%s:%s", files->keys[fi], opath);
            h5rd_obj *obj = NULL;
            cr_assert_eq(h5rd_obj_open(c.file, opath, &obj, &err), H5RD_OK, "%s: %s", c.where,
                         err.what);
            const tj_value *attrs = tj_get(o, "attrs");
            nattr += attrs != NULL ? attrs->n : 0;
            if (strcmp(tj_get_str(o, "kind"), "dataset") == 0) {
                nobj++;
                struct h5rd_space sp;
                uint64_t n, esize;
                cr_assert_eq(h5rd_dataset_get_space(obj, &sp, NULL), H5RD_OK);
                cmp_shape(&c, &sp, tj_get(o, "shape"), &n);
                const h5rd_type *t = NULL;
                cr_assert_eq(h5rd_obj_get_type(obj, &t, NULL), H5RD_OK);
                cr_assert_eq(h5rd_dataset_get_elem_nbytes(obj, NULL, &esize, NULL), H5RD_OK);
                struct h5rd_type_info ti;
                cr_assert_eq(h5rd_type_get_info(t, &ti, NULL), H5RD_OK);
                cr_assert_eq(esize, ti.size, "%s: element size", c.where);
                uint8_t *buf = malloc(n * esize);
                cr_assert(buf != NULL);
                cr_assert_eq(h5rd_dataset_read(obj, NULL, NULL, buf, n * esize, NULL, &err),
                             H5RD_OK, "%s: %s", c.where, err.what);
                cmp_flat(&c, t, esize, buf, n, tj_get(o, "values"), 1);
                free(buf);
            }
            cmp_attrs(&c, obj, opath, attrs);
            h5rd_obj_close(obj);
        }
        h5rd_file_close(c.file);
    }
    cr_log_info("complex corpus: %llu datasets, %llu attributes, %llu values identical to h5wasm",
                (unsigned long long)nobj, (unsigned long long)nattr,
                (unsigned long long)c.nvalues);
    cr_assert_eq(c.nfail, 0, "%u differences from libhdf5 2.0 (h5wasm), see the log", c.nfail);
    cr_assert_geq(nobj, 14);
    tj_free(doc);
}

/* ---- CLI ---------------------------------------------------------------------------------- */

static void run_cli(struct orc_run *r, const char *a1, const char *a2, const char *a3,
                    const char *a4)
{
    const char *p = orc_cli_path();
    cr_assert(p != NULL, "the h5rd CLI is not built");
    const char *argv[] = {p, a1, a2, a3, a4, NULL};
    cr_assert(orc_run(argv, 120, r) == 0);
    cr_assert(r->how == ORC_EXITED && r->code == 0, "h5rd %s %s %s %s: exit %d: %s", a1, a2,
              a3 ? a3 : "", a4 ? a4 : "", r->code, r->err);
}

static const tj_value *expected_values(const tj_value *doc, const char *file, const char *dset)
{
    char key[256];
    snprintf(key, sizeof key, "scigolib__hdf5/testdata/hdf5_official/%s", file);
    const tj_value *o = tj_get(tj_get(tj_get(doc, "files"), key), dset);
    cr_assert(o != NULL, "%s %s not in %s", file, dset, EXPECTED);
    return tj_get(o, "values");
}

Test(complex, cat_bytes_are_numpy_complex)
{
    need_corpus();
    tj_value *doc = load_expected();
    static const char *const files[] = {"tcomplex.h5", "tcomplex_be.h5"};
    for (int fi = 0; fi < 2; fi++) {
        char path[1024];
        snprintf(path, sizeof path, DIR "%s", files[fi]);
        struct orc_run r;
        /* complex64: float32 real then imaginary, little-endian (the host's order) */
        run_cli(&r, "cat", path, "/DatasetFloatComplex", NULL);
        const tj_value *want = expected_values(doc, files[fi], "/DatasetFloatComplex");
        cr_assert_eq(r.out_len, want->n * 8);
        for (size_t i = 0; i < want->n; i++) {
            float re, im;
            memcpy(&re, r.out + i * 8, 4);
            memcpy(&im, r.out + i * 8 + 4, 4);
            cr_assert(re == (float)want->items[i].items[0].d &&
                      im == (float)want->items[i].items[1].d, "%s [%zu]", files[fi], i);
        }
        orc_run_free(&r);
        run_cli(&r, "cat", path, "/DatasetDoubleComplex", NULL);
        want = expected_values(doc, files[fi], "/DatasetDoubleComplex");
        cr_assert_eq(r.out_len, want->n * 16);
        for (size_t i = 0; i < want->n; i++) {
            double re, im;
            memcpy(&re, r.out + i * 16, 8);
            memcpy(&im, r.out + i * 16 + 8, 8);
            cr_assert(re == want->items[i].items[0].d && im == want->items[i].items[1].d,
                      "%s [%zu]", files[fi], i);
        }
        orc_run_free(&r);
        /* long double complex: numpy's clongdouble on x86-64 (x87 in 16 bytes, padding 0) */
        run_cli(&r, "cat", path, "/DatasetLongDoubleComplex", NULL);
        want = expected_values(doc, files[fi], "/DatasetLongDoubleComplex");
        cr_assert_eq(r.out_len, want->n * 32);
        for (size_t i = 0; i < want->n * 2; i++) {
            const unsigned char *q = (const unsigned char *)r.out + i * 16;
            for (int k = 10; k < 16; k++) {
                cr_assert_eq(q[k], 0, "%s: padding byte of part %zu", files[fi], i);
            }
            if (sizeof(long double) == 16 && LDBL_MANT_DIG == 64) {
                long double x;
                memcpy(&x, q, 16);
                cr_assert(x == strtold(want->items[i / 2].items[i % 2].str, NULL),
                          "%s part %zu: %.21Lg", files[fi], i, x);
            }
        }
        orc_run_free(&r);
    }
    tj_free(doc);
}

Test(complex, cat_json_pairs_and_dtype_strings)
{
    need_corpus();
    tj_value *doc = load_expected();
    char path[1024];
    snprintf(path, sizeof path, DIR "tcomplex_be.h5");
    static const char *const dsets[] = {"/DatasetFloatComplex", "/DatasetDoubleComplex",
                                        "/ArrayDatasetFloatComplex",
                                        "/VariableLengthDatasetFloatComplex"};
    for (int k = 0; k < 4; k++) {
        struct orc_run r;
        run_cli(&r, "cat", "--json", path, dsets[k]);
        char eb[256];
        tj_value *got = tj_parse(r.out, r.out_len, eb, sizeof eb);
        cr_assert(got != NULL, "%s: %s", dsets[k], eb);
        const tj_value *want = expected_values(doc, "tcomplex_be.h5", dsets[k]);
        /* cat --json nests by shape; the expected values are flat: flatten dataset dims */
        const tj_value *g = got;
        if (k < 2) {
            cr_assert(g->kind == TJ_ARR && g->n == 10);
            for (size_t i = 0; i < 100; i++) {
                const tj_value *e = &g->items[i / 10].items[i % 10];
                cr_assert(e->kind == TJ_ARR && e->n == 2);
                cr_assert(e->items[0].d == want->items[i].items[0].d &&
                              e->items[1].d == want->items[i].items[1].d,
                          "%s [%zu]", dsets[k], i);
            }
        } else if (k == 2) {
            /* [1][1] elements of a [10][10] array of complex */
            const tj_value *a = &g->items[0].items[0];
            cr_assert(a->kind == TJ_ARR && a->n == 10);
            for (size_t i = 0; i < 100; i++) {
                const tj_value *e = &a->items[i / 10].items[i % 10];
                cr_assert(e->items[0].d == want->items[0].items[i].items[0].d &&
                              e->items[1].d == want->items[0].items[i].items[1].d,
                          "%s [%zu]", dsets[k], i);
            }
        } else {
            cr_assert(g->kind == TJ_ARR && g->n == 10);
            for (size_t i = 0; i < 10; i++) {
                char diff[512];
                cr_assert(tj_equal(&want->items[i], &g->items[i], TJ_CMP_DEFAULT, dsets[k], diff,
                                   sizeof diff),
                          "%s", diff);
            }
        }
        tj_free(got);
        orc_run_free(&r);
    }
    /* dtype strings in the listing */
    struct orc_run r;
    run_cli(&r, "ls", "-r", "--json", path);
    cr_assert(strstr(r.out, "\"dtype\": \">c8\"") || strstr(r.out, "\"dtype\":\">c8\""),
              "ls: no >c8 dtype: %.2000s", r.out);
    cr_assert(strstr(r.out, ">c16"), "ls: no >c16 dtype");
    cr_assert(strstr(r.out, ">c32"), "ls: no >c32 dtype");
    cr_assert(strstr(r.out, "float_complex_mem"), "ls: no compound member");
    orc_run_free(&r);
    tj_free(doc);
}
