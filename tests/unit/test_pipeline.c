/*
 * test_pipeline.c - h5rd__pipeline_decode (src/filter/pipeline.c): reverse order, the filter
 * mask, exact output size, stage bounds (a filter below a compressor), limits, unknown and
 * unavailable filters, and the shortest pipelines (none, all skipped).
 */
#include "filter/filter.h"

#include "core/checksum.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void *p_malloc(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}

static void *p_realloc(void *u, void *p, size_t n)
{
    (void)u;
    return realloc(p, n);
}

static void p_free(void *u, void *p)
{
    (void)u;
    free(p);
}

static void file_init(struct h5rd_file *f)
{
    memset(f, 0, sizeof(*f));
    h5rd__limits_default(&f->limits);
    f->alloc.malloc_fn = p_malloc;
    f->alloc.realloc_fn = p_realloc;
    f->alloc.free_fn = p_free;
}

static size_t append_fletcher(uint8_t *buf, size_t n)
{
    uint32_t s = h5rd__fletcher32(buf, n);
    for (unsigned i = 0; i < 4; i++) {
        buf[n + i] = (uint8_t)(s >> (8 * i));
    }
    return n + 4;
}

static size_t shuffle(const uint8_t *in, size_t n, size_t es, uint8_t *out)
{
    size_t ne = n / es;
    for (size_t i = 0; i < ne; i++) {
        for (size_t j = 0; j < es; j++) {
            out[j * ne + i] = in[i * es + j];
        }
    }
    memcpy(out + ne * es, in + ne * es, n - ne * es);
    return n;
}

#define N 4096
static uint8_t g_data[N];

static void data_init(void)
{
    for (size_t i = 0; i < N; i++) {
        g_data[i] = (uint8_t)((i / 4) * 3 + (i % 4 == 0 ? i : 0));
    }
}

Test(pipeline, shuffle_deflate_fletcher, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    /* write order: shuffle(4), deflate, fletcher32 */
    uint8_t s[N], *c = malloc(N * 2);
    shuffle(g_data, N, 4, s);
    uLongf cn = N * 2 - 4;
    cr_assert_eq(compress2(c, &cn, s, N, 6), Z_OK);
    size_t n = append_fletcher(c, cn);
    uint32_t four = 4;
    struct h5rd__filter flt[3] = {{H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &four},
                                  {H5RD_FILTER_DEFLATE, 0, (char *)"", 0, NULL},
                                  {H5RD_FILTER_FLETCHER32, 0, (char *)"", 0, NULL}};
    struct h5rd__pline pl = {3, flt, false};
    uint8_t out[N];
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, c, n, out, N, &ec), H5RD_OK, "%s",
                 ec.what);
    cr_expect(memcmp(out, g_data, N) == 0);
    /* Expected size one byte smaller or larger: CORRUPT. */
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, c, n, out, N - 1, &ec), H5RD_E_CORRUPT);
    uint8_t *big = malloc(N + 1);
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, c, n, big, N + 1, &ec),
                 H5RD_E_CORRUPT);
    free(big);
    /* Flip a byte: the checksum (undone first) catches it. */
    c[10] ^= 0x40;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, c, n, out, N, &ec), H5RD_E_CHECKSUM);
    free(c);
}

/* Fletcher-32 BELOW deflate: the inflated stage is N + 4 bytes, more than the chunk. */
Test(pipeline, fletcher_below_deflate, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t withsum[N + 4];
    memcpy(withsum, g_data, N);
    size_t n1 = append_fletcher(withsum, N);
    uint8_t *c = malloc(N * 2);
    uLongf cn = N * 2;
    cr_assert_eq(compress2(c, &cn, withsum, n1, 6), Z_OK);
    struct h5rd__filter flt[2] = {{H5RD_FILTER_FLETCHER32, 0, (char *)"", 0, NULL},
                                  {H5RD_FILTER_DEFLATE, 0, (char *)"", 0, NULL}};
    struct h5rd__pline pl = {2, flt, false};
    uint8_t out[N];
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, c, cn, out, N, &ec), H5RD_OK, "%s",
                 ec.what);
    cr_expect(memcmp(out, g_data, N) == 0);
    free(c);
}

Test(pipeline, filter_mask, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t s[N];
    shuffle(g_data, N, 4, s);
    uint32_t four = 4;
    /* deflate (skipped for this chunk, e.g. it failed as an optional filter), then shuffle. */
    struct h5rd__filter flt[2] = {{H5RD_FILTER_DEFLATE, 1, (char *)"", 0, NULL},
                                  {H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &four}};
    struct h5rd__pline pl = {2, flt, false};
    uint8_t out[N];
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0x1, NULL, s, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    /* Everything skipped: the chunk is stored as is, and must have the chunk's size. */
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0x3, NULL, g_data, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pl, 0xffffffffu, NULL, g_data, N - 1, out, N, &ec),
                 H5RD_E_CORRUPT);
    /* A skipped unknown filter is fine; an unskipped one is not. */
    struct h5rd__filter unk[2] = {{40000, 1, (char *)"", 0, NULL},
                                  {H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &four}};
    struct h5rd__pline pu = {2, unk, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pu, 0x1, NULL, s, N, out, N, &ec), H5RD_OK);
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pu, 0x0, NULL, s, N, out, N, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.what, "filter: unknown filter id (no decoder in h5rd)");
    /* The detail names the id and the stored name ("" here). */
    cr_expect_str_eq(ec.detail, "filter 40000 \"\" (unknown to h5rd)");
}

/* ec->detail for unknown and unavailable filters: id, stored name (made printable, bounded),
 * reason; an existing detail is kept. */
Test(pipeline, unknown_filter_detail, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t out[N];
    struct h5rd_error ec;
    /* SZ (32017): a registered filter h5rd does not decode (32013, ZFP, is now built in). */
    struct h5rd__filter zfp[1] = {{32017, 0, (char *)"SZ", 0, NULL}};
    struct h5rd__pline pz = {1, zfp, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pz, 0, NULL, g_data, N, out, N, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.detail, "filter 32017 \"SZ\" (unknown to h5rd)");
    /* Hostile name: control characters and quotes replaced, length bounded. */
    char name[300];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    name[0] = '\033';
    name[1] = '"';
    zfp[0].name = name;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pz, 0, NULL, g_data, N, out, N, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect(strncmp(ec.detail, "filter 32017 \"??xxx", 19) == 0, "%s", ec.detail);
    cr_expect_lt(strlen(ec.detail), sizeof(ec.detail));
    cr_expect(strstr(ec.detail, "\033") == NULL);
    /* A detail already recorded is not replaced. */
    h5rd__err_clear(&ec);
    h5rd__err_set_detail(&ec, "first %d", 1);
    h5rd__err_set_detail(&ec, "second %d", 2);
    cr_expect_str_eq(ec.detail, "first 1");
#ifndef H5RD_HAVE_BZIP2
    struct h5rd__filter bz[1] = {{H5RD_FILTER_BZIP2, 0, (char *)"bzip2", 0, NULL}};
    struct h5rd__pline pb = {1, bz, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pb, 0, NULL, g_data, N, out, N, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.detail, "filter 307 \"bzip2\" (not available in this build)");
#endif
}

Test(pipeline, empty_and_limits, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t out[N];
    struct h5rd_error ec;
    struct h5rd__pline none = {0, NULL, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &none, 0, NULL, g_data, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, NULL, 0, NULL, g_data, N, out, N, &ec), H5RD_OK);
    /* Chunk larger than max_chunk_nbytes. */
    f.limits.max_chunk_nbytes = 100;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &none, 0, NULL, g_data, N, out, N, &ec),
                 H5RD_E_LIMIT);
    f.limits.max_chunk_nbytes = (uint64_t)1 << 30;
    /* More than 32 filters. */
    struct h5rd__filter many[33];
    memset(many, 0, sizeof(many));
    for (int i = 0; i < 33; i++) {
        many[i].id = H5RD_FILTER_FLETCHER32;
        many[i].name = (char *)"";
    }
    struct h5rd__pline pm = {33, many, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pm, 0, NULL, g_data, N, out, N, &ec),
                 H5RD_E_CORRUPT);
    /* An allocation limit smaller than an intermediate stage: LIMIT, not a crash. */
    uint8_t s[N], s2[N];
    shuffle(g_data, N, 4, s);
    shuffle(s, N, 2, s2);
    uint32_t four = 4, two = 2;
    struct h5rd__filter sh[2] = {{H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &four},
                                 {H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &two}};
    struct h5rd__pline ps = {2, sh, false};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &ps, 0, NULL, s2, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    f.limits.max_alloc_nbytes = 100;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &ps, 0, NULL, s2, N, out, N, &ec), H5RD_E_LIMIT);
}

Test(pipeline, many_stages_ping_pong, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    /* fletcher32 x 3 with shuffles between: 5 stages through two scratch buffers. */
    static uint8_t a[N + 64], b[N + 64];
    uint32_t four = 4, eight = 8;
    memcpy(a, g_data, N);
    size_t n = N;
    n = shuffle(a, n, 4, b);
    memcpy(a, b, n);
    n = append_fletcher(a, n);
    n = shuffle(a, n, 8, b);
    memcpy(a, b, n);
    n = append_fletcher(a, n);
    n = append_fletcher(a, n);
    struct h5rd__filter flt[5] = {{H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &four},
                                  {H5RD_FILTER_FLETCHER32, 0, (char *)"", 0, NULL},
                                  {H5RD_FILTER_SHUFFLE, 0, (char *)"", 1, &eight},
                                  {H5RD_FILTER_FLETCHER32, 0, (char *)"", 0, NULL},
                                  {H5RD_FILTER_FLETCHER32, 0, (char *)"", 0, NULL}};
    struct h5rd__pline pl = {5, flt, false};
    uint8_t out[N];
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, a, n, out, N, &ec), H5RD_OK, "%s",
                 ec.what);
    cr_expect(memcmp(out, g_data, N) == 0);
}

Test(pipeline, registry)
{
    const uint32_t ids[] = {1, 2, 3, 4, 5, 6, 307, 32000, 32001, 32004, 32008, 32015};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const struct h5rd__filter_class *c = h5rd__filter_find(ids[i]);
        cr_assert_not_null(c, "filter %u", ids[i]);
        cr_expect_eq(c->id, ids[i]);
        cr_expect(c->decode != NULL || c->unavailable != NULL);
        cr_expect_eq(h5rd__filter_available(ids[i]), c->decode != NULL);
    }
    cr_expect(h5rd__filter_available(H5RD_FILTER_DEFLATE));
    cr_expect(h5rd__filter_available(H5RD_FILTER_LZ4));
    cr_expect(!h5rd__filter_available(0));
}

/* ---- filters supplied by the caller (h5rd_open_opts.filters -> f->plugins) ---------------- */
static h5rd_err xor_decode(void *user, const struct h5rd_filter *params, const void *in,
                           size_t in_nbytes, void *out, size_t out_nbytes_avail,
                           size_t *out_nbytes_ret)
{
    unsigned *calls = user;
    (*calls)++;
    if (params->n_values < 1 || in_nbytes > out_nbytes_avail) {
        return H5RD_E_CORRUPT;
    }
    const uint8_t *i8 = in;
    uint8_t *o8 = out;
    for (size_t i = 0; i < in_nbytes; i++) {
        o8[i] = (uint8_t)(i8[i] ^ params->values[0]);
    }
    *out_nbytes_ret = in_nbytes;
    return H5RD_OK;
}

Test(pipeline, caller_filters, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    unsigned calls = 0;
    struct h5rd_filter_plugin plug[2] = {{40001, "xor", xor_decode, &calls},
                                         {H5RD_FILTER_SHUFFLE, "fake shuffle", xor_decode,
                                          &calls}};
    f.plugins = plug;
    f.n_plugins = 2;
    uint8_t x[N], out[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = g_data[i] ^ 0x5a;
    }
    uint32_t key = 0x5a;
    struct h5rd__filter flt[1] = {{40001, 0, (char *)"xor", 1, &key}};
    struct h5rd__pline pl = {1, flt, false};
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, x, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    cr_expect_eq(calls, 1);
    /* The caller's filter wins over the built-in one with the same id. */
    flt[0].id = H5RD_FILTER_SHUFFLE;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, x, N, out, N, &ec), H5RD_OK);
    cr_expect(memcmp(out, g_data, N) == 0);
    cr_expect_eq(calls, 2);
    /* Its failure is reported with its code. */
    flt[0].n_values = 0;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pl, 0, NULL, x, N, out, N, &ec), H5RD_E_CORRUPT);
    cr_expect_str_eq(ec.what, "filter: the caller's filter failed");
}

/* Every caller of the pipeline gets the caller's filters: here the public direct-chunk API
 * (h5rd_dataset_read_chunk), with a deflate replacement built on zlib that must give the
 * built-in decoder's bytes, then one that fails. */
struct zcount {
    unsigned calls;
    int fail;
};

static h5rd_err zlib_decode(void *user, const struct h5rd_filter *params, const void *in,
                            size_t in_nbytes, void *out, size_t out_nbytes_avail,
                            size_t *out_nbytes_ret)
{
    struct zcount *zc = user;
    (void)params;
    zc->calls++;
    if (zc->fail) {
        return H5RD_E_CORRUPT;
    }
    uLongf n = (uLongf)out_nbytes_avail;
    if (uncompress(out, &n, in, (uLong)in_nbytes) != Z_OK) {
        return H5RD_E_CORRUPT;
    }
    *out_nbytes_ret = n;
    return H5RD_OK;
}

Test(pipeline, caller_filters_direct_chunk_api)
{
    const char *path = H5RD_SOURCE_DIR "/tests/data/read/read_latest.h5";
    const char *dname = "/chunked_gzip_shuf_f32";
    h5rd_file *f0 = NULL, *f1 = NULL;
    h5rd_obj *d0 = NULL, *d1 = NULL;
    cr_assert_eq(h5rd_file_open(path, NULL, &f0, NULL), H5RD_OK);
    cr_assert_eq(h5rd_obj_open(f0, dname, &d0, NULL), H5RD_OK);
    struct zcount zc = {0, 0};
    struct h5rd_filter_plugin pl = {H5RD_FILTER_DEFLATE, "zlib", zlib_decode, &zc};
    struct h5rd_open_opts o;
    h5rd_open_opts_init(&o);
    o.filters = &pl;
    o.n_filters = 1;
    cr_assert_eq(h5rd_file_open(path, &o, &f1, NULL), H5RD_OK);
    cr_assert_eq(h5rd_obj_open(f1, dname, &d1, NULL), H5RD_OK);

    struct h5rd_chunk_info ci;
    cr_assert_eq(h5rd_dataset_get_chunk(d0, 0, &ci, NULL), H5RD_OK);
    size_t cap = 1 << 20;
    uint8_t *a = calloc(1, cap), *b = calloc(1, cap);
    struct h5rd_error e;
    /* The chunk's decoded size: try the built-in decoder into a big buffer first. */
    cr_assert_eq(h5rd_dataset_read_chunk(d0, ci.offset, a, cap, &e), H5RD_OK, "%s", e.what);
    cr_assert_eq(h5rd_dataset_read_chunk(d1, ci.offset, b, cap, &e), H5RD_OK, "%s", e.what);
    cr_expect_eq(zc.calls, 1);
    cr_expect(memcmp(a, b, cap) == 0);
    zc.fail = 1;
    cr_expect_eq(h5rd_dataset_read_chunk(d1, ci.offset, b, cap, &e), H5RD_E_CORRUPT);
    cr_expect_eq(zc.calls, 2);
    cr_expect_str_eq(e.what, "filter: the caller's filter failed");
    free(a);
    free(b);
    h5rd_obj_close(d0);
    h5rd_obj_close(d1);
    h5rd_file_close(f0);
    h5rd_file_close(f1);
}
