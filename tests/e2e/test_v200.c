/*
 * test_v200.c - files written by libhdf5 2.0.0 (through h5wasm) with the 2.0 format bounds
 * (fixtures/v200/h5/v200_*.h5, fixtures/gen/gen_h5wasm.mjs), read by the public API and the CLI
 * and judged against what h5wasm read of them (fixtures/v200/expected/v200_*.json).
 *
 * libhdf5 2.0 writes data layout message version 5 for filtered chunked datasets (version 4 for
 * unfiltered ones): every index (single chunk, fixed array, extensible array, v2 B-tree) with
 * every filter h5wasm can set. Per dataset:
 *  - the layout version (5 exactly when filtered and chunked) and the chunk table;
 *  - h5rd_dataset_read in the file layout: sha256 of the bytes equals h5wasm's (its read uses
 *    the file type with little-endian byte order, C order), and integer and float values read
 *    through a numeric memory type equal h5wasm's values one by one;
 *  - `h5rd cat` writes the same bytes; references through `cat --json` name the same objects;
 *  - `h5rd ls -r -v` and `h5rd chunks --json` succeed; numeric attributes through
 *    `h5rd attrs --json` equal h5wasm's.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5rd.h"
#include "json.h"
#include "oracle.h"
#include "sha256.h"

#define TIMEOUT_S 60
#define EM(e) ((e).what != NULL ? (e).what : "")

static char *expected_dir(void)
{
    static char buf[4200];
    snprintf(buf, sizeof buf, "%s/fixtures/v200/expected", H5RD_SOURCE_DIR);
    return buf;
}

/* The HDF5 file of an expected JSON ("file" is relative to fixtures/v200). */
static void data_path(const tj_value *exp, char *buf, size_t cap)
{
    const char *file = tj_get_str(exp, "file");
    cr_assert(file != NULL, "expected JSON without \"file\"");
    snprintf(buf, cap, "%s/fixtures/v200/%s", H5RD_SOURCE_DIR, file);
}

static tj_value **load_all(size_t *n_ret, char ***names_ret)
{
    size_t n = 0;
    char **files = orc_find_files(expected_dir(), ".json", &n);
    cr_assert(n >= 4, "fixtures/v200/expected holds %zu files (the generator writes 4)", n);
    tj_value **v = calloc(n, sizeof *v);
    cr_assert(v != NULL);
    for (size_t i = 0; i < n; i++) {
        char p[8400];
        char err[256] = "";
        snprintf(p, sizeof p, "%s/%s", expected_dir(), files[i]);
        v[i] = tj_parse_file(p, err, sizeof err);
        cr_assert(v[i] != NULL, "%s: %s", p, err);
    }
    *n_ret = n;
    *names_ret = files;
    return v;
}

static void free_all(tj_value **v, char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tj_free(v[i]);
    }
    free(v);
    orc_free_list(names, n);
}

static bool is_dataset(const tj_value *o)
{
    const char *k = tj_get_str(o, "kind");
    return k != NULL && strcmp(k, "dataset") == 0;
}

static size_t arr_len(const tj_value *a)
{
    return a != NULL && a->kind == TJ_ARR ? a->n : 0;
}

/* h5wasm's dtype string for integers: "<i", "<I", "<q", ... (uppercase: unsigned). */
static bool dtype_unsigned(const tj_value *o)
{
    const char *d = tj_get_str(o, "dtype");
    size_t len = d != NULL ? strlen(d) : 0;
    return len > 0 && d[len - 1] >= 'A' && d[len - 1] <= 'Z';
}

static unsigned num_or(const tj_value *o, const char *key, unsigned dflt)
{
    const tj_value *v = tj_get(o, key);
    return v != NULL && v->kind == TJ_NUM ? (unsigned)v->d : dflt;
}

/* One expected number against a read value: integers exactly (64-bit included), floats by
 * their bits' value (NaN equals NaN; -0.0 equals 0.0 as in h5py's comparisons). */
static bool int_matches(const tj_value *e, bool is_unsigned, const void *p, unsigned size)
{
    if (e->kind != TJ_NUM || !e->is_int) {
        return false;
    }
    if (is_unsigned) {
        uint64_t u = 0;
        memcpy(&u, p, size); /* little-endian host, zero-extended */
        return !e->neg && e->mag == u;
    }
    int64_t s = 0;
    if (size == 1) {
        s = *(const int8_t *)p;
    } else if (size == 2) {
        int16_t t;
        memcpy(&t, p, 2);
        s = t;
    } else if (size == 4) {
        int32_t t;
        memcpy(&t, p, 4);
        s = t;
    } else {
        memcpy(&s, p, 8);
    }
    uint64_t mag = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
    return e->neg == (s < 0) && e->mag == mag;
}

static bool float_matches(const tj_value *e, double got)
{
    if (e->kind != TJ_NUM) {
        return false;
    }
    switch (e->numclass) {
    case TJ_NAN:
        return isnan(got);
    case TJ_POS_INF:
        return isinf(got) && got > 0;
    case TJ_NEG_INF:
        return isinf(got) && got < 0;
    default:
        return got == e->d;
    }
}

static void check_api_dataset(h5rd_file *file, const char *name, const tj_value *o)
{
    const char *path = tj_get_str(o, "path");
    struct h5rd_error err;
    h5rd_obj *d = NULL;
    cr_assert_eq(h5rd_obj_open(file, path, &d, &err), H5RD_OK, "%s %s: open: %s", name, path,
                 EM(err));
    struct h5rd_layout lay;
    cr_assert_eq(h5rd_dataset_get_layout(d, &lay, &err), H5RD_OK, "%s %s: %s", name, path, EM(err));
    uint32_t nf = 0;
    cr_assert_eq(h5rd_dataset_get_nfilters(d, &nf, &err), H5RD_OK);
    cr_expect_eq(nf, arr_len(tj_get(o, "filters")), "%s %s: %u filters, h5wasm %zu", name, path,
                 nf, arr_len(tj_get(o, "filters")));
    const tj_value *chunks = tj_get(o, "chunks");
    if (chunks != NULL && chunks->kind == TJ_ARR) {
        cr_expect_eq(lay.cls, H5RD_LAYOUT_CHUNKED, "%s %s: not chunked", name, path);
        /* libhdf5 2.0 with the V200 bounds: version 5 exactly for filtered chunked layouts. */
        cr_expect_eq(lay.version, nf > 0 ? 5u : 4u, "%s %s: layout version %u", name, path,
                     lay.version);
        for (size_t i = 0; i < chunks->n && i < lay.rank; i++) {
            cr_expect_eq(lay.chunk_dims[i], (uint64_t)chunks->items[i].d, "%s %s: chunk dim %zu",
                         name, path, i);
        }
        uint64_t nchunks = 0;
        cr_expect_eq(h5rd_dataset_get_nchunks(d, &nchunks, &err), H5RD_OK, "%s %s: chunks: %s",
                     name, path, EM(err));
        cr_expect(nchunks > 0, "%s %s: no chunks", name, path);
        for (uint64_t i = 0; i < nchunks; i++) {
            struct h5rd_chunk_info ci;
            cr_assert_eq(h5rd_dataset_get_chunk(d, i, &ci, &err), H5RD_OK);
            cr_expect(ci.nbytes > 0 && ci.filter_mask == 0, "%s %s: chunk %llu size %llu mask %u",
                      name, path, (unsigned long long)i, (unsigned long long)ci.nbytes,
                      ci.filter_mask);
        }
    }
    const tj_value *shape = tj_get(o, "shape");
    struct h5rd_space sp;
    cr_assert_eq(h5rd_dataset_get_space(d, &sp, &err), H5RD_OK);
    cr_expect_eq(sp.rank, arr_len(shape), "%s %s: rank", name, path);
    uint64_t n = 1;
    for (size_t i = 0; i < arr_len(shape) && i < sp.rank; i++) {
        cr_expect_eq(sp.dims[i], (uint64_t)shape->items[i].d, "%s %s: dim %zu", name, path, i);
        n *= sp.dims[i];
    }

    const char *want = tj_get_str(o, "sha256");
    uint64_t esize = 0;
    cr_assert_eq(h5rd_dataset_get_elem_nbytes(d, NULL, &esize, &err), H5RD_OK);
    size_t nbytes = (size_t)(n * esize);
    unsigned char *buf = malloc(nbytes > 0 ? nbytes : 1);
    cr_assert(buf != NULL);
    cr_assert_eq(h5rd_dataset_read(d, NULL, NULL, buf, nbytes, NULL, &err), H5RD_OK,
                 "%s %s: read: %s", name, path, EM(err));
    if (want != NULL) {
        char hex[65];
        sha256_hex(buf, nbytes, hex);
        cr_expect_str_eq(hex, want, "%s %s: h5rd_dataset_read's bytes differ from h5wasm's", name,
                         path);
    }
    free(buf);

    /* Numbers one by one, through a numeric memory type. */
    unsigned cls = num_or(o, "class", 99), size = num_or(o, "size", 0);
    const tj_value *vals = tj_get(o, "values");
    if ((cls == 0 || cls == 1) && vals != NULL && vals->kind == TJ_ARR && vals->n == n &&
        (size == 1 || size == 2 || size == 4 || size == 8)) {
        struct h5rd_memtype mt = {.cls = cls == 0 ? H5RD_MEMTYPE_INT : H5RD_MEMTYPE_FLOAT,
                                  .size = cls == 0 ? size : 8,
                                  .is_signed = !dtype_unsigned(o),
                                  .order = H5RD_ORDER_LE};
        unsigned char *v = malloc((size_t)n * mt.size + 1);
        cr_assert(v != NULL);
        cr_assert_eq(h5rd_dataset_read(d, NULL, &mt, v, (size_t)n * mt.size, NULL, &err), H5RD_OK,
                     "%s %s: numeric read: %s", name, path, EM(err));
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            bool ok;
            if (cls == 0) {
                ok = int_matches(&vals->items[i], !mt.is_signed, v + i * mt.size, mt.size);
            } else {
                double g;
                memcpy(&g, v + i * 8, 8);
                ok = float_matches(&vals->items[i], g);
            }
            if (!ok && bad++ < 3) {
                cr_expect(false, "%s %s: element %zu differs from h5wasm's", name, path, i);
            }
        }
        free(v);
    }
    h5rd_obj_close(d);
}

Test(v200, api_reads_as_h5wasm, .timeout = 300)
{
    size_t nf = 0;
    char **names = NULL;
    tj_value **exps = load_all(&nf, &names);
    size_t ndsets = 0;
    for (size_t i = 0; i < nf; i++) {
        char p[8400];
        data_path(exps[i], p, sizeof p);
        struct h5rd_error err;
        h5rd_file *file = NULL;
        cr_assert_eq(h5rd_file_open(p, NULL, &file, &err), H5RD_OK, "%s: %s", p, EM(err));
        const tj_value *objs = tj_get(exps[i], "objects");
        for (size_t k = 0; k < arr_len(objs); k++) {
            if (is_dataset(&objs->items[k])) {
                check_api_dataset(file, names[i], &objs->items[k]);
                ndsets++;
            }
        }
        h5rd_file_close(file);
    }
    /* 4 indexes x 7 filter cases, 3 sparse, 2 paged, 10 in v200_types */
    cr_expect_eq(ndsets, 43, "%zu datasets checked", ndsets);
    free_all(exps, names, nf);
}

static struct orc_run run_cli(const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *cli = orc_cli_path();
    cr_assert(cli != NULL, "the h5rd CLI is not built");
    const char *argv[] = {cli, a1, a2, a3, a4, NULL};
    struct orc_run r;
    orc_run(argv, TIMEOUT_S, &r);
    return r;
}

static void check_cli_dataset(const char *file, const char *name, const tj_value *o)
{
    const char *path = tj_get_str(o, "path");
    const char *want = tj_get_str(o, "sha256");
    if (want != NULL) {
        struct orc_run r = run_cli("cat", file, path, NULL);
        cr_expect(r.how == ORC_EXITED && r.code == 0, "%s: cat %s: %s", name, path, r.err);
        char hex[65];
        sha256_hex(r.out, r.out_len, hex);
        cr_expect_str_eq(hex, want, "%s: cat %s: bytes differ from h5wasm's", name, path);
        orc_run_free(&r);
    }
    const tj_value *vals = tj_get(o, "values");
    if (num_or(o, "class", 99) == 7 && vals != NULL) {
        struct orc_run r = run_cli("cat", "--json", file, path);
        cr_expect(r.how == ORC_EXITED && r.code == 0, "%s: cat --json %s: %s", name, path, r.err);
        tj_value *got = tj_parse(r.out, r.out_len, NULL, 0);
        cr_assert(got != NULL && got->kind == TJ_ARR && got->n == vals->n,
                  "%s: cat --json %s: %s", name, path, r.out);
        for (size_t i = 0; i < vals->n; i++) {
            const char *ref = tj_get_str(&vals->items[i], "ref");
            const tj_value *g = &got->items[i];
            /* A reference prints as its path, or an object whose "path" is it. */
            const char *gp = g->kind == TJ_STR ? g->str : tj_get_str(g, "path");
            cr_expect(ref != NULL && gp != NULL && strcmp(ref, gp) == 0,
                      "%s: %s[%zu]: h5rd %s, h5wasm %s", name, path, i, gp ? gp : "?",
                      ref ? ref : "?");
        }
        tj_free(got);
        orc_run_free(&r);
    }
    if (tj_get(o, "chunks") != NULL && tj_get(o, "chunks")->kind == TJ_ARR) {
        struct orc_run r = run_cli("chunks", "--json", file, path);
        cr_expect(r.how == ORC_EXITED && r.code == 0, "%s: chunks %s: %s", name, path, r.err);
        tj_value *got = tj_parse(r.out, r.out_len, NULL, 0);
        cr_expect(got != NULL && got->kind == TJ_ARR && got->n > 0, "%s: chunks %s: %s", name,
                  path, r.out);
        tj_free(got);
        orc_run_free(&r);
    }
}

/* Integer and float attributes (flat values) against `attrs --json` (nested per shape). */
static void flatten(const tj_value *v, const tj_value **out, size_t cap, size_t *n)
{
    if (v->kind == TJ_ARR) {
        for (size_t i = 0; i < v->n; i++) {
            flatten(&v->items[i], out, cap, n);
        }
    } else if (*n < cap) {
        out[(*n)++] = v;
    } else {
        (*n)++;
    }
}

static void check_cli_attrs(const char *file, const char *name, const tj_value *o)
{
    const tj_value *attrs = tj_get(o, "attrs");
    if (attrs == NULL || attrs->kind != TJ_OBJ || attrs->n == 0) {
        return;
    }
    const char *path = tj_get_str(o, "path");
    struct orc_run r = run_cli("attrs", "--json", file, path);
    cr_expect(r.how == ORC_EXITED && r.code == 0, "%s: attrs %s: %s", name, path, r.err);
    tj_value *got = tj_parse(r.out, r.out_len, NULL, 0);
    cr_assert(got != NULL && got->kind == TJ_OBJ, "%s: attrs --json %s: %s", name, path, r.out);
    for (size_t i = 0; i < attrs->n; i++) {
        const tj_value *a = &attrs->items[i];
        const tj_value *g = tj_get(tj_get(got, attrs->keys[i]), "value");
        cr_expect(g != NULL, "%s: %s: attribute %s missing", name, path, attrs->keys[i]);
        unsigned cls = num_or(a, "class", 99);
        const tj_value *vals = tj_get(a, "values");
        if (g == NULL || (cls != 0 && cls != 1) || vals == NULL) {
            continue;
        }
        const tj_value *flat[64];
        size_t n = 0;
        flatten(g, flat, 64, &n);
        cr_expect(n == vals->n && n <= 64, "%s: %s: attribute %s: %zu values, h5wasm %zu", name,
                  path, attrs->keys[i], n, vals->n);
        for (size_t k = 0; k < n && k < vals->n && k < 64; k++) {
            cr_expect(flat[k]->kind == TJ_NUM && flat[k]->d == vals->items[k].d,
                      "%s: %s: attribute %s[%zu]", name, path, attrs->keys[i], k);
        }
    }
    tj_free(got);
    orc_run_free(&r);
}

Test(v200, cli_agrees_with_h5wasm, .timeout = 600)
{
    size_t nf = 0;
    char **names = NULL;
    tj_value **exps = load_all(&nf, &names);
    for (size_t i = 0; i < nf; i++) {
        char p[8400];
        data_path(exps[i], p, sizeof p);
        struct orc_run r = run_cli("ls", "-r", "-v", p);
        cr_expect(r.how == ORC_EXITED && r.code == 0, "%s: ls -r -v: %s", names[i], r.err);
        orc_run_free(&r);
        const tj_value *objs = tj_get(exps[i], "objects");
        for (size_t k = 0; k < arr_len(objs); k++) {
            const tj_value *o = &objs->items[k];
            if (is_dataset(o)) {
                check_cli_dataset(p, names[i], o);
            }
            check_cli_attrs(p, names[i], o);
        }
    }
    free_all(exps, names, nf);
}
