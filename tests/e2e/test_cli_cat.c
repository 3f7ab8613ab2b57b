/*
 * test_cli_cat.c - `h5rd cat` and `h5rd chunks` end to end on the project fixtures:
 *  - cat's bytes hash to the fixture oracle's sha256 (fixtures/expected/NAME.json);
 *  - --slice (numpy basic slices, negative steps included) against bytes sliced here from
 *    the full output, with normal and with tiny slabs (H5RD_CAT_SLAB_NBYTES) so the slab
 *    odometer and the in-slab reversal are exercised on small files;
 *  - --json values against the oracle's values and against the bytes;
 *  - chunks --json against the oracle's chunks_sha256;
 *  - exit statuses: 2 for usage errors, 1 for objects that cannot be read; an unknown filter
 *    is exit 1 naming the filter id (a corpus file: no fixture has an unknown filter, so that
 *    case skips when ../shared/corpus is absent).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "oracle.h"
#include "sha256.h"

#define FIX H5RD_SOURCE_DIR "/fixtures"

static const char *cli(void)
{
    const char *p = orc_cli_path();
    cr_assert(p != NULL, "the h5rd CLI is not built (H5RD_CLI_PATH=\"%s\")", H5RD_CLI_PATH);
    return p;
}

/* Runs `h5rd ARGS...` (NULL-terminated, at most 10); the caller frees r. */
static void run_v(struct orc_run *r, const char *const *args)
{
    const char *argv[ORC_MAX_ARGS + 1];
    size_t n = 0;
    argv[n++] = cli();
    for (; args[n - 1] != NULL && n < ORC_MAX_ARGS; n++) {
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    cr_assert(orc_run(argv, 120, r) == 0, "could not start %s", argv[0]);
    cr_assert(r->how == ORC_EXITED, "h5rd %s %s did not exit normally (how %d, code %d): %s",
              args[0], args[1] ? args[1] : "", (int)r->how, r->code, r->err);
}

#define RUN(r, ...)                                                                            \
    do {                                                                                       \
        const char *const a_[] = {__VA_ARGS__, NULL};                                          \
        run_v((r), a_);                                                                        \
    } while (0)

/* The oracle entry of dataset 'path' in fixtures/expected/NAME.json (tree in *doc). */
static const tj_value *oracle_obj(const char *name, const char *path, tj_value **doc)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/expected/%s.json", FIX, name);
    char err[256];
    *doc = tj_parse_file(p, err, sizeof err);
    cr_assert(*doc != NULL, "%s: %s", p, err);
    const tj_value *objs = tj_get(*doc, "objects");
    cr_assert(objs != NULL && objs->kind == TJ_ARR, "%s: no objects", p);
    for (size_t i = 0; i < objs->n; i++) {
        const char *op = tj_get_str(&objs->items[i], "path");
        if (op != NULL && strcmp(op, path) == 0) {
            return &objs->items[i];
        }
    }
    cr_assert_fail("%s: no object %s", p, path);
    return NULL;
}

static void h5(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/h5/%s.h5", FIX, name);
}

/* ---- cat bytes against the oracle ------------------------------------------------------------ */

static void expect_cat_sha(const char *name, const char *path)
{
    tj_value *doc;
    const tj_value *o = oracle_obj(name, path, &doc);
    const char *want = tj_get_str(o, "sha256");
    cr_assert(want != NULL, "%s %s: the oracle has no sha256", name, path);
    char f[4096];
    h5(f, sizeof f, name);
    struct orc_run r;
    RUN(&r, "cat", f, path);
    cr_expect_eq(r.code, 0, "cat %s %s: exit %d: %s", name, path, r.code, r.err);
    char hex[65];
    sha256_hex(r.out, r.out_len, hex);
    cr_expect_str_eq(hex, want, "cat %s %s: %zu bytes hash differently", name, path, r.out_len);
    orc_run_free(&r);
    tj_free(doc);
}

Test(cli_cat, bytes_match_oracle_sha256)
{
    static const char *const cases[][2] = {
        {"filters_latest", "/gzip"},
        {"filters_latest", "/gzip_be"},
        {"filters_latest", "/gzip_2d"},
        {"filters_latest", "/shuffle_gzip_fletcher32"},
        {"filters_earliest", "/lzf"},
        {"chunkidx_latest", "/btree2_sparse"},
        {"chunkidx_latest", "/earray_2d"},
        {"chunkidx_latest", "/fixed_paged_gzip"},
        {"chunkidx_earliest", "/btree_2d"},
        {"layouts_latest", "/compact"},
        {"layouts_latest", "/contiguous"},
        {"layouts_latest", "/contig_empty"},
        {"dataspaces_latest", "/d4"},
        {"dataspaces_latest", "/scalar"},
        {"dataspaces_latest", "/zero_2d"},
        {"types_latest", "/ds/compound/nested"},
        {"types_latest", "/ds/compound/big_endian"},
        {"types_latest", "/ds/enum/bool"},
        {"types_latest", "/ds/float/be_f2"},
        {"types_latest", "/ds/int/int12_le_off2"},
        {"fillvalue_latest", "/defined_f8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tj_value *doc;
        char p[4096];
        snprintf(p, sizeof p, "%s/expected/%s.json", FIX, cases[i][0]);
        doc = tj_parse_file(p, NULL, 0);
        bool present = false;
        const tj_value *objs = tj_get(doc, "objects");
        for (size_t k = 0; objs != NULL && k < objs->n; k++) {
            const char *op = tj_get_str(&objs->items[k], "path");
            present |= op != NULL && strcmp(op, cases[i][1]) == 0;
        }
        tj_free(doc);
        if (!present) {
            cr_log_warn("fixture %s has no %s (regenerated?): not checked", cases[i][0],
                        cases[i][1]);
            continue;
        }
        expect_cat_sha(cases[i][0], cases[i][1]);
    }
}

Test(cli_cat, null_dataspace_and_threads)
{
    char f[4096];
    h5(f, sizeof f, "dataspaces_latest");
    struct orc_run r;
    RUN(&r, "cat", f, "/null");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect_eq(r.out_len, 0);
    orc_run_free(&r);
    RUN(&r, "cat", "--json", f, "/null");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "null\n");
    orc_run_free(&r);

    /* the same bytes whatever the thread count */
    h5(f, sizeof f, "filters_latest");
    struct orc_run one, many;
    RUN(&one, "cat", "--threads", "1", f, "/shuffle_gzip");
    RUN(&many, "cat", "--threads=7", f, "/shuffle_gzip");
    cr_expect_eq(one.code, 0, "%s", one.err);
    cr_expect_eq(many.code, 0, "%s", many.err);
    cr_expect(one.out_len == many.out_len && memcmp(one.out, many.out, one.out_len) == 0);
    orc_run_free(&one);
    orc_run_free(&many);
}

/* ---- --slice --------------------------------------------------------------------------------- */

struct dsel {
    int64_t first, step;
    uint64_t count;
};

/* numpy's slice rules, written independently of the CLI's: Python's slice.indices(). */
static bool np_slice(const char *spec, const uint64_t *dims, uint32_t rank, struct dsel *out)
{
    for (uint32_t d = 0; d < rank; d++) {
        out[d].first = 0;
        out[d].step = 1;
        out[d].count = dims[d];
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    uint32_t d = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (d >= rank) {
            return false;
        }
        int64_t n = (int64_t)dims[d];
        char *c1 = strchr(tok, ':');
        if (c1 == NULL) {
            int64_t i = strtoll(tok, NULL, 10);
            if (i < 0) {
                i += n;
            }
            out[d].first = i;
            out[d].step = 1;
            out[d].count = 1;
            d++;
            continue;
        }
        *c1 = '\0';
        char *s2 = c1 + 1;
        char *c2 = strchr(s2, ':');
        char *s3 = NULL;
        if (c2 != NULL) {
            *c2 = '\0';
            s3 = c2 + 1;
        }
        int64_t step = s3 != NULL && *s3 ? strtoll(s3, NULL, 10) : 1;
        int64_t lo = step < 0 ? -1 : 0, hi = step < 0 ? n - 1 : n;
        int64_t start, stop;
        if (*tok) {
            start = strtoll(tok, NULL, 10);
            if (start < 0) {
                start = start + n < lo ? lo : start + n;
            } else if (start > hi) {
                start = hi;
            }
        } else {
            start = step < 0 ? hi : lo;
        }
        if (*s2) {
            stop = strtoll(s2, NULL, 10);
            if (stop < 0) {
                stop = stop + n < lo ? lo : stop + n;
            } else if (stop > hi) {
                stop = hi;
            }
        } else {
            stop = step < 0 ? lo : hi;
        }
        uint64_t count = 0;
        if (step > 0 && stop > start) {
            count = (uint64_t)((stop - start + step - 1) / step);
        } else if (step < 0 && start > stop) {
            count = (uint64_t)((start - stop - step - 1) / -step);
        }
        out[d].first = start;
        out[d].step = step;
        out[d].count = count;
        d++;
    }
    return true;
}

/* The elements of 'full' (C order, dims, esize bytes each) picked by 'sel', in output order. */
static size_t slice_bytes(const unsigned char *full, const uint64_t *dims, uint32_t rank,
                          size_t esize, const struct dsel *sel, unsigned char *out)
{
    uint64_t total = 1;
    for (uint32_t d = 0; d < rank; d++) {
        total *= sel[d].count;
    }
    size_t o = 0;
    uint64_t idx[8] = {0};
    for (uint64_t e = 0; e < total; e++) {
        uint64_t lin = 0;
        for (uint32_t d = 0; d < rank; d++) {
            int64_t pos = sel[d].first + (int64_t)idx[d] * sel[d].step;
            lin = lin * dims[d] + (uint64_t)pos;
        }
        memcpy(out + o, full + lin * esize, esize);
        o += esize;
        for (uint32_t d = rank; d-- > 0;) {
            if (++idx[d] < sel[d].count) {
                break;
            }
            idx[d] = 0;
        }
    }
    return o;
}

static void check_slices(const char *name, const char *path, const uint64_t *dims, uint32_t rank,
                         size_t esize, const char *const *specs, size_t nspecs)
{
    char f[4096];
    h5(f, sizeof f, name);
    struct orc_run full;
    RUN(&full, "cat", f, path);
    cr_assert_eq(full.code, 0, "%s", full.err);
    uint64_t n = 1;
    for (uint32_t d = 0; d < rank; d++) {
        n *= dims[d];
    }
    cr_assert_eq(full.out_len, n * esize, "%s %s: %zu bytes", name, path, full.out_len);
    unsigned char *want = malloc(full.out_len + 1);
    cr_assert(want != NULL);
    /* normal slabs, then slabs of a few bytes (many reads, reversal inside and across) */
    static const char *const slabs[] = {NULL, "1", "7", "40"};
    for (size_t s = 0; s < sizeof slabs / sizeof slabs[0]; s++) {
        if (slabs[s]) {
            setenv("H5RD_CAT_SLAB_NBYTES", slabs[s], 1);
        } else {
            unsetenv("H5RD_CAT_SLAB_NBYTES");
        }
        for (size_t i = 0; i < nspecs; i++) {
            struct dsel sel[8];
            cr_assert(np_slice(specs[i], dims, rank, sel));
            size_t wn = slice_bytes((const unsigned char *)full.out, dims, rank, esize, sel, want);
            struct orc_run r;
            RUN(&r, "cat", "--slice", specs[i], f, path);
            cr_expect_eq(r.code, 0, "--slice %s: %s", specs[i], r.err);
            cr_expect(r.out_len == wn && memcmp(r.out, want, wn) == 0,
                      "%s %s --slice %s (slab %s): %zu bytes, want %zu", name, path, specs[i],
                      slabs[s] ? slabs[s] : "default", r.out_len, wn);
            orc_run_free(&r);
        }
    }
    unsetenv("H5RD_CAT_SLAB_NBYTES");
    free(want);
    orc_run_free(&full);
}

Test(cli_cat, slices_2d_chunked)
{
    static const char *const specs[] = {
        "0:10",       "::2",        "5",           "-1",          "::-1",
        "::-3,3:-2:4", "1:20:3,-1:-18:-2", "-5:,5", "5:2",     "30:",
        "0:0,:",      "::-1,::-1",  "3,-17",       "-100:100:7,::5", ":,2:3",
    };
    const uint64_t dims[] = {23, 17};
    check_slices("filters_latest", "/gzip_2d", dims, 2, 2, specs, sizeof specs / sizeof specs[0]);
}

Test(cli_cat, slices_3d_4d_contiguous)
{
    static const char *const specs3[] = {"1", "::-1,::2", ":,::-1,1:3", "0,1,2", "::-1,::-1,::-1",
                                         "1:,-2:,::3"};
    const uint64_t d3[] = {2, 3, 4};
    check_slices("dataspaces_latest", "/d3", d3, 3, 2, specs3, sizeof specs3 / sizeof specs3[0]);
    static const char *const specs4[] = {"::-1", "1,::-1,2,::-1", ":,:,::2,1", "0:1,1:2,1:3,0:2"};
    const uint64_t d4[] = {2, 2, 3, 2};
    check_slices("dataspaces_latest", "/d4", d4, 4, 1, specs4, sizeof specs4 / sizeof specs4[0]);
}

/* ---- --json ---------------------------------------------------------------------------------- */

static tj_value *parse_out(const struct orc_run *r)
{
    char err[256];
    tj_value *v = tj_parse(r->out, r->out_len, err, sizeof err);
    cr_assert(v != NULL, "output is not JSON (%s): %.300s", err, r->out);
    return v;
}

Test(cli_cat, json_matches_oracle_values)
{
    static const char *const cases[][2] = {
        {"types_latest", "/ds/vlen/vlen_i4"},     {"types_latest", "/ds/vlen/vlen_f8"},
        {"types_latest", "/ds/str/vlen_utf8"},    {"types_latest", "/ds/str/vlen_utf8_scalar"},
        {"types_latest", "/ds/ref/objref"},       {"types_latest", "/ds/ref/regionref"},
        {"types_earliest", "/ds/str/vlen_ascii"}, {"types_latest", "/ds/compound/with_vlen_str"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tj_value *doc;
        const tj_value *o = oracle_obj(cases[i][0], cases[i][1], &doc);
        const tj_value *want = tj_get(o, "value");
        cr_assert(want != NULL, "%s %s: the oracle has no value", cases[i][0], cases[i][1]);
        char f[4096];
        h5(f, sizeof f, cases[i][0]);
        struct orc_run r;
        RUN(&r, "cat", "--json", f, cases[i][1]);
        cr_expect_eq(r.code, 0, "%s %s: %s", cases[i][0], cases[i][1], r.err);
        if (r.code == 0) {
            tj_value *got = parse_out(&r);
            char diff[600];
            cr_expect(tj_equal(want, got, TJ_CMP_DEFAULT, cases[i][1], diff, sizeof diff), "%s",
                      diff);
            tj_free(got);
        }
        orc_run_free(&r);
        tj_free(doc);
    }
}

Test(cli_cat, json_numbers_match_bytes)
{
    char f[4096];
    h5(f, sizeof f, "filters_latest");
    struct orc_run raw, js;
    RUN(&raw, "cat", "--slice", "2:9,::-4", f, "/gzip_2d");
    RUN(&js, "cat", "--json", "--slice", "2:9,::-4", f, "/gzip_2d");
    cr_assert_eq(raw.code, 0, "%s", raw.err);
    cr_assert_eq(js.code, 0, "%s", js.err);
    tj_value *v = parse_out(&js);
    cr_assert(v->kind == TJ_ARR && v->n == 7, "shape: %.200s", js.out);
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        cr_assert(v->items[i].kind == TJ_ARR && v->items[i].n == 5, "row %zu", i);
        for (size_t j = 0; j < 5; j++, k++) {
            const tj_value *x = &v->items[i].items[j];
            uint16_t want = (uint16_t)((unsigned char)raw.out[2 * k] |
                                       (unsigned char)raw.out[2 * k + 1] << 8);
            cr_expect(x->is_int && x->mag == want, "[%zu][%zu]: want %u", i, j, want);
        }
    }
    tj_free(v);
    orc_run_free(&raw);
    orc_run_free(&js);

    /* a bare index drops the dimension in JSON, as numpy does; a scalar is a bare value */
    RUN(&js, "cat", "--json", "--slice", "4,3", f, "/gzip_2d");
    cr_expect_eq(js.code, 0, "%s", js.err);
    v = parse_out(&js);
    cr_expect(v->kind == TJ_NUM, "bare value expected: %s", js.out);
    tj_free(v);
    orc_run_free(&js);
    h5(f, sizeof f, "dataspaces_latest");
    RUN(&js, "cat", "--json", f, "/scalar");
    cr_expect_eq(js.code, 0, "%s", js.err);
    v = parse_out(&js);
    cr_expect(v->kind == TJ_NUM, "bare value expected: %s", js.out);
    tj_free(v);
    orc_run_free(&js);
    RUN(&js, "cat", "--json", f, "/zero_2d");
    cr_expect_eq(js.code, 0, "%s", js.err);
    cr_expect_str_eq(js.out, "[]\n");
    orc_run_free(&js);

    /* a 12-bit integer at bit offset 2: the read normalises it, JSON must not shift again
     * (values as h5py reads them) */
    h5(f, sizeof f, "types_latest");
    RUN(&js, "cat", "--json", f, "/ds/int/int12_le_off2");
    cr_expect_eq(js.code, 0, "%s", js.err);
    cr_expect_str_eq(js.out, "[0, 1, -1, 2047, -2048, 100, -100, 5]\n");
    orc_run_free(&js);
    h5(f, sizeof f, "dataspaces_latest");
    RUN(&js, "cat", "--json", f, "/zero_2d");
    cr_expect_eq(js.code, 0, "%s", js.err);
    cr_expect_str_eq(js.out, "[]\n");
    orc_run_free(&js);
}

/* ---- chunks ---------------------------------------------------------------------------------- */

struct crow {
    uint64_t off[8];
    uint32_t rank;
    uint64_t addr, size, mask;
};

static int cmp_crow(const void *pa, const void *pb)
{
    const struct crow *a = pa, *b = pb;
    for (uint32_t i = 0; i < a->rank && i < b->rank; i++) {
        if (a->off[i] != b->off[i]) {
            return a->off[i] < b->off[i] ? -1 : 1;
        }
    }
    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    if (a->size != b->size) {
        return a->size < b->size ? -1 : 1;
    }
    return a->mask < b->mask ? -1 : a->mask > b->mask;
}

/* sha256 of Python's json.dumps(sorted([[offset...], addr, size, mask] ...)) of the CLI's
 * `chunks --json` output. */
static void chunks_hash(const tj_value *list, char hex[65])
{
    cr_assert(list->kind == TJ_ARR);
    struct crow *rows = calloc(list->n + 1, sizeof *rows);
    cr_assert(rows != NULL);
    for (size_t i = 0; i < list->n; i++) {
        const tj_value *e = &list->items[i];
        const tj_value *off = tj_get(e, "offset");
        const tj_value *addr = tj_get(e, "addr"), *size = tj_get(e, "size"),
                       *mask = tj_get(e, "filter_mask");
        cr_assert(off != NULL && off->kind == TJ_ARR && off->n <= 8 && addr && size && mask,
                  "chunk entry %zu lacks a key", i);
        rows[i].rank = (uint32_t)off->n;
        for (size_t d = 0; d < off->n; d++) {
            rows[i].off[d] = off->items[d].mag;
        }
        rows[i].addr = addr->mag;
        rows[i].size = size->mag;
        rows[i].mask = mask->mag;
    }
    qsort(rows, list->n, sizeof *rows, cmp_crow);
    size_t cap = 64 + list->n * 200, len = 0;
    char *t = malloc(cap);
    cr_assert(t != NULL);
    len += (size_t)snprintf(t + len, cap - len, "[");
    for (size_t i = 0; i < list->n; i++) {
        len += (size_t)snprintf(t + len, cap - len, "%s[[", i ? ", " : "");
        for (uint32_t d = 0; d < rows[i].rank; d++) {
            len += (size_t)snprintf(t + len, cap - len, "%s%llu", d ? ", " : "",
                                    (unsigned long long)rows[i].off[d]);
        }
        len += (size_t)snprintf(t + len, cap - len, "], %llu, %llu, %llu]",
                                (unsigned long long)rows[i].addr,
                                (unsigned long long)rows[i].size,
                                (unsigned long long)rows[i].mask);
    }
    len += (size_t)snprintf(t + len, cap - len, "]");
    sha256_hex(t, len, hex);
    free(t);
    free(rows);
}

Test(cli_cat, chunks_json_matches_oracle)
{
    /* No user block and no extensible array with a non-first unlimited dimension: there
     * libhdf5 1.10.8 reports the same addresses and offsets as h5rd (see test_data.c). */
    static const char *const cases[][2] = {
        {"filters_latest", "/gzip_2d"},      {"filters_earliest", "/shuffle_gzip"},
        {"chunkidx_latest", "/btree2_sparse"}, {"chunkidx_latest", "/earray_sparse"},
        {"chunkidx_latest", "/fixed_paged"}, {"chunkidx_latest", "/single_gzip"},
        {"chunkidx_latest", "/implicit"},    {"chunkidx_btreek_earliest", "/btree_1d"},
        {"fillvalue_latest", "/defined_f8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/expected/%s.json", FIX, cases[i][0]);
        tj_value *doc = tj_parse_file(p, NULL, 0);
        const tj_value *objs = tj_get(doc, "objects");
        const tj_value *o = NULL;
        for (size_t k = 0; objs != NULL && k < objs->n; k++) {
            const char *op = tj_get_str(&objs->items[k], "path");
            if (op != NULL && strcmp(op, cases[i][1]) == 0) {
                o = &objs->items[k];
            }
        }
        const char *want = o ? tj_get_str(o, "chunks_sha256") : NULL;
        if (want == NULL) {
            cr_log_warn("fixture %s has no chunked %s (regenerated?): not checked", cases[i][0],
                        cases[i][1]);
            tj_free(doc);
            continue;
        }
        char f[4096];
        h5(f, sizeof f, cases[i][0]);
        struct orc_run r;
        RUN(&r, "chunks", "--json", f, cases[i][1]);
        cr_expect_eq(r.code, 0, "%s %s: %s", cases[i][0], cases[i][1], r.err);
        if (r.code == 0) {
            tj_value *got = parse_out(&r);
            char hex[65];
            chunks_hash(got, hex);
            cr_expect_str_eq(hex, want, "%s %s: chunk table differs: %.400s", cases[i][0],
                             cases[i][1], r.out);
            const tj_value *nc = tj_get(o, "n_chunks");
            cr_expect(nc != NULL && nc->mag == got->n, "%s %s: %zu chunks", cases[i][0],
                      cases[i][1], got->n);
            tj_free(got);
        }
        orc_run_free(&r);
        tj_free(doc);
    }
}

Test(cli_cat, chunks_text_and_unchunked)
{
    char f[4096];
    h5(f, sizeof f, "layouts_latest");
    struct orc_run r;
    RUN(&r, "chunks", "--json", f, "/contiguous");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "[]\n");
    orc_run_free(&r);
    RUN(&r, "chunks", f, "/contiguous");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "not chunked") != NULL, "%s", r.out);
    orc_run_free(&r);
    RUN(&r, "chunks", f, "/chunked");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "Chunks:") != NULL && strstr(r.out, "Storage:") != NULL, "%s",
              r.out);
    orc_run_free(&r);
}

/* ---- exit statuses --------------------------------------------------------------------------- */

Test(cli_cat, usage_errors_exit_2)
{
    char f[4096], t[4096];
    h5(f, sizeof f, "filters_latest");
    h5(t, sizeof t, "types_latest");
    const char *const cases[][6] = {
        {"cat", NULL},
        {"cat", f, NULL},
        {"cat", "--bogus", f, "/gzip", NULL},
        {"cat", f, "/gzip", "extra", NULL},
        {"cat", "--slice", NULL},
        {"cat", "--slice", "1,2", f, "/gzip", NULL},
        {"cat", "--slice", "::0", f, "/gzip", NULL},
        {"cat", "--slice", "600", f, "/gzip", NULL},
        {"cat", "--slice", "x:1", f, "/gzip", NULL},
        {"cat", "--slice", "1:2:3:4", f, "/gzip", NULL},
        {"cat", "--threads", "0", f, "/gzip", NULL},
        {"cat", "--threads", "many", f, "/gzip", NULL},
        {"cat", t, "/ds/vlen/vlen_i4", NULL},
        {"cat", t, "/ds/ref/objref", NULL},
        {"chunks", NULL},
        {"chunks", "--bogus", f, "/gzip", NULL},
        {"chunks", f, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct orc_run r;
        run_v(&r, cases[i]);
        cr_expect_eq(r.code, 2, "case %zu (%s %s %s): exit %d, stderr %s", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", cases[i][1] && cases[i][2] ? cases[i][2] : "",
                     r.code, r.err);
        cr_expect(r.out_len == 0, "case %zu printed to stdout: %.100s", i, r.out);
        orc_run_free(&r);
    }
}

Test(cli_cat, unreadable_objects_exit_1)
{
    char f[4096];
    h5(f, sizeof f, "filters_latest");
    struct orc_run r;
    RUN(&r, "cat", f, "/no/such/dataset");
    cr_expect_eq(r.code, 1, "%s", r.err);
    cr_expect(strstr(r.err, "/no") != NULL, "the path should be named: %s", r.err);
    orc_run_free(&r);
    RUN(&r, "cat", f, "/");
    cr_expect_eq(r.code, 1, "a group: %s", r.err);
    orc_run_free(&r);
    RUN(&r, "chunks", f, "/");
    cr_expect_eq(r.code, 1, "a group: %s", r.err);
    orc_run_free(&r);
    RUN(&r, "cat", H5RD_SOURCE_DIR "/no-such-file.h5", "/x");
    cr_expect_eq(r.code, 1, "%s", r.err);
    orc_run_free(&r);
}

Test(cli_cat, unknown_filter_exit_1_names_it)
{
    char f[4096];
    const char *root = getenv("H5RD_CORPUS");
    snprintf(f, sizeof f, "%s/scigolib__hdf5/testdata/reference/filter_error.h5",
             root != NULL && root[0] ? root : H5RD_SOURCE_DIR "/../shared/corpus");
    struct stat st;
    if (stat(f, &st) != 0) {
        cr_skip_test("no fixture has an unknown filter and the corpus file %s is absent", f);
    }
    struct orc_run r;
    RUN(&r, "cat", f, "/dataset_with_filter");
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "305") != NULL, "stderr should name filter 305: %s", r.err);
    cr_expect(strstr(r.err, "/dataset_with_filter") != NULL, "stderr should name the path: %s",
              r.err);
    orc_run_free(&r);
}
