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
    struct h5rd__pline pl = {3, flt};
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
    struct h5rd__pline pl = {2, flt};
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
    struct h5rd__pline pl = {2, flt};
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
    struct h5rd__pline pu = {2, unk};
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pu, 0x1, NULL, s, N, out, N, &ec), H5RD_OK);
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__pipeline_decode(&f, &pu, 0x0, NULL, s, N, out, N, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.what, "filter: unknown filter id (no decoder in h5rd)");
}

Test(pipeline, empty_and_limits, .init = data_init)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t out[N];
    struct h5rd_error ec;
    struct h5rd__pline none = {0, NULL};
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
    struct h5rd__pline pm = {33, many};
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
    struct h5rd__pline ps = {2, sh};
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
    struct h5rd__pline pl = {5, flt};
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
    struct h5rd__pline pl = {1, flt};
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
