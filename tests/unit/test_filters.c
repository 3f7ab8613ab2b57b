/*
 * test_filters.c - the filter decoders (src/filter/) against chunks written by the real
 * encoders (libhdf5 through h5py, hdf5plugin; vectors in tests/data/filters/, made by
 * gen_vectors.py there), plus malformed streams: truncations, size fields that lie, zip bombs,
 * checksum mismatches and absurd filter parameters. Every vector is also truncated and
 * bit-flipped at many points to show the decoders never read or write out of bounds (run
 * under ASan/UBSan).
 */
#include "filter/filter.h"

#include "core/checksum.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- a file structure with counting allocation hooks ------------------------------------- */
struct counting {
    size_t max_alloc;
};

static void *c_malloc(void *u, size_t n)
{
    struct counting *c = u;
    if (n > c->max_alloc) {
        c->max_alloc = n;
    }
    return malloc(n);
}

static void *c_realloc(void *u, void *p, size_t n)
{
    struct counting *c = u;
    if (n > c->max_alloc) {
        c->max_alloc = n;
    }
    return realloc(p, n);
}

static void c_free(void *u, void *p)
{
    (void)u;
    free(p);
}

static struct counting g_count;

static void file_init(struct h5rd_file *f)
{
    memset(f, 0, sizeof(*f));
    h5rd__limits_default(&f->limits);
    f->alloc.malloc_fn = c_malloc;
    f->alloc.realloc_fn = c_realloc;
    f->alloc.free_fn = c_free;
    f->alloc.user = &g_count;
    g_count.max_alloc = 0;
}

/* ---- test vectors ------------------------------------------------------------------------ */
struct vec {
    char name[128];
    struct h5rd__pline pline;
    struct h5rd__filter flt[8];
    uint32_t vals[8][64];
    uint32_t mask;
    uint32_t esize;
    uint8_t *raw;
    size_t raw_n;
    uint8_t *exp;
    size_t exp_n;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void vec_load(struct vec *v, const char *dir, const char *fname)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, fname);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)sz);
    cr_assert_eq(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
    fclose(fp);

    memset(v, 0, sizeof(*v));
    snprintf(v->name, sizeof(v->name), "%s", fname);
    cr_assert(memcmp(buf, "H5RDFV01", 8) == 0);
    size_t p = 8;
    v->pline.n = le32(buf + p);
    p += 4;
    cr_assert_leq(v->pline.n, 8);
    v->pline.v = v->flt;
    for (uint32_t i = 0; i < v->pline.n; i++) {
        v->flt[i].id = le32(buf + p);
        v->flt[i].flags = le32(buf + p + 4);
        v->flt[i].n_values = le32(buf + p + 8);
        p += 12;
        cr_assert_leq(v->flt[i].n_values, 64);
        for (uint32_t k = 0; k < v->flt[i].n_values; k++) {
            v->vals[i][k] = le32(buf + p);
            p += 4;
        }
        v->flt[i].values = v->vals[i];
        v->flt[i].name = (char *)"";
    }
    v->mask = le32(buf + p);
    v->esize = le32(buf + p + 4);
    p += 8;
    v->raw_n = (size_t)le64(buf + p);
    p += 8;
    v->raw = malloc(v->raw_n + 1);
    memcpy(v->raw, buf + p, v->raw_n);
    p += v->raw_n;
    v->exp_n = (size_t)le64(buf + p);
    p += 8;
    v->exp = malloc(v->exp_n + 1);
    memcpy(v->exp, buf + p, v->exp_n);
    p += v->exp_n;
    cr_assert_eq(p, (size_t)sz, "%s: trailing bytes", fname);
    free(buf);
}

static void vec_free(struct vec *v)
{
    free(v->raw);
    free(v->exp);
}

static bool pipeline_available(const struct vec *v)
{
    for (uint32_t i = 0; i < v->pline.n; i++) {
        if (!((v->mask >> i) & 1u) && !h5rd__filter_available(v->flt[i].id)) {
            return false;
        }
#ifndef H5RD_HAVE_ZSTD
        /* bitshuffle itself is always built; its zstd mode needs libzstd. */
        if (v->flt[i].id == H5RD_FILTER_BITSHUFFLE && v->flt[i].n_values > 4 &&
            v->flt[i].values[4] == 3) {
            return false;
        }
#endif
    }
    return true;
}

/* Decodes every vector whose name starts with 'prefix'; returns how many were checked. */
static unsigned run_prefix(const char *prefix)
{
    const char *dir = H5RD_SOURCE_DIR "/tests/data/filters";
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no %s", dir);
    unsigned n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || len < 5 ||
            strcmp(de->d_name + len - 4, ".vec") != 0) {
            continue;
        }
        struct vec v;
        vec_load(&v, dir, de->d_name);
        if (!pipeline_available(&v)) {
            cr_log_warn("%s: a filter is not available in this build, skipped", v.name);
            vec_free(&v);
            continue;
        }
        struct h5rd_file f;
        file_init(&f);
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        uint8_t *out = malloc(v.exp_n + 1);
        h5rd_err err = h5rd__pipeline_decode(&f, &v.pline, v.mask, NULL, v.raw, v.raw_n, out,
                                             v.exp_n, &ec);
        cr_expect_eq(err, H5RD_OK, "%s: %s", v.name, ec.what ? ec.what : "?");
        if (err == H5RD_OK) {
            size_t bad = v.exp_n;
            for (size_t i = 0; i < v.exp_n; i++) {
                if (out[i] != v.exp[i]) {
                    bad = i;
                    break;
                }
            }
            cr_expect_eq(bad, v.exp_n, "%s: first difference at byte %zu (got %02x want %02x)",
                         v.name, bad, bad < v.exp_n ? out[bad] : 0, bad < v.exp_n ? v.exp[bad] : 0);
        }
        /* No allocation beyond the chunk size plus what codecs keep for their state (bzip2's
         * is the largest: 100 kB x block size x 4). */
        cr_expect_leq(g_count.max_alloc, v.exp_n + (size_t)(4 << 20), "%s", v.name);
        free(out);
        vec_free(&v);
        n++;
    }
    closedir(d);
    return n;
}

Test(filters, deflate) { cr_expect_geq(run_prefix("deflate_"), 4); }
Test(filters, shuffle) { cr_expect_geq(run_prefix("shuffle_"), 4); }
Test(filters, fletcher32) { cr_expect_geq(run_prefix("fletcher32_"), 3); }
Test(filters, lzf) { cr_expect_geq(run_prefix("lzf_"), 3); }
Test(filters, lz4) { cr_expect_geq(run_prefix("lz4_"), 3); }
Test(filters, bitshuffle) { cr_expect_geq(run_prefix("bitshuffle_"), 12); }
/* Chunks of bitshuffle's regression_0.4.0.h5 (bitshuffle 0.4.0 + zstd, strings of 1-10
 * bytes, 64-element blocks, a raw tail), expected = the file's own /original data. */
#ifdef H5RD_HAVE_ZSTD
Test(filters, bitshuffle_zstd_regression_040)
{
    cr_expect_geq(run_prefix("bitshuffle_zstd_regr040_"), 5);
}
#endif
Test(filters, zstd) { run_prefix("zstd_"); }
Test(filters, bzip2) { run_prefix("bzip2_"); }
Test(filters, blosc) { run_prefix("blosc_"); }
Test(filters, szip) { run_prefix("szip_"); }
Test(filters, nbit) { cr_expect_geq(run_prefix("nbit_"), 6); }
Test(filters, scaleoffset) { cr_expect_geq(run_prefix("scaleoffset_"), 14); }
/* Stored minbits wider than the type (tmisc38a.h5): libhdf5's results, see gen_vectors.py. */
Test(filters, scaleoffset_minbits_overwide)
{
    cr_expect_geq(run_prefix("scaleoffset_minbits_"), 11);
}

/* ---- robustness: every vector truncated and corrupted ------------------------------------ */
Test(filters, mutations_never_crash, .timeout = 600)
{
    const char *dir = H5RD_SOURCE_DIR "/tests/data/filters";
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *de;
    uint32_t seed = 12345;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".vec") != 0) {
            continue;
        }
        struct vec v;
        vec_load(&v, dir, de->d_name);
        if (!pipeline_available(&v)) {
            vec_free(&v);
            continue;
        }
        struct h5rd_file f;
        file_init(&f);
        uint8_t *out = malloc(v.exp_n + 1);
        uint8_t *mut = malloc(v.raw_n + 1);
        /* Truncations (exact-size heap copies so ASan sees any overread). */
        for (unsigned t = 0; t < 24; t++) {
            size_t cut = v.raw_n * t / 24;
            uint8_t *tr = malloc(cut + 1);
            memcpy(tr, v.raw, cut);
            struct h5rd_error ec;
            h5rd__err_clear(&ec);
            h5rd_err err = h5rd__pipeline_decode(&f, &v.pline, v.mask, NULL, tr, cut, out,
                                                 v.exp_n, &ec);
            /* libaec's SZ_BufftoBuffDecompress reports success on some truncated streams
             * (64-bit samples), so szip is exempt from "must fail" (not from ASan). */
            bool szip = v.pline.n == 1 && v.flt[0].id == H5RD_FILTER_SZIP;
            /* Scaleoffset chunks with an over-wide minbits use nothing past their header. */
            bool nodata = strncmp(v.name, "scaleoffset_minbits_", 20) == 0 && cut >= 21;
            if (v.raw_n > 0 && cut < v.raw_n && v.mask == 0 && !szip && !nodata) {
                cr_expect_neq(err, H5RD_OK, "%s: truncated to %zu decoded", v.name, cut);
            }
            free(tr);
        }
        /* Random byte flips, mostly near the start where the headers are. */
        for (unsigned t = 0; t < 64 && v.raw_n > 0; t++) {
            memcpy(mut, v.raw, v.raw_n);
            for (unsigned k = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t span = (t % 2) ? v.raw_n : (v.raw_n < 32 ? v.raw_n : 32);
                mut[(seed >> 8) % span] ^= (uint8_t)(1u << ((seed >> 4) % 8));
            }
            struct h5rd_error ec;
            h5rd__err_clear(&ec);
            (void)h5rd__pipeline_decode(&f, &v.pline, v.mask, NULL, mut, v.raw_n, out, v.exp_n,
                                        &ec);
        }
        cr_expect_leq(g_count.max_alloc, v.exp_n + (size_t)(4 << 20), "%s", v.name);
        free(out);
        free(mut);
        vec_free(&v);
    }
    closedir(d);
}

/* ---- hand-made malformed streams ---------------------------------------------------------- */
static h5rd_err decode1(struct h5rd_file *f, uint32_t id, const uint32_t *vals, uint32_t nvals,
                        const uint8_t *in, size_t in_n, uint8_t *out, size_t out_n,
                        struct h5rd_error *ec)
{
    struct h5rd__filter flt = {id, 0, (char *)"", nvals, (uint32_t *)(uintptr_t)vals};
    struct h5rd__pline pl = {1, &flt, false};
    h5rd__err_clear(ec);
    return h5rd__pipeline_decode(f, &pl, 0, NULL, in, in_n, out, out_n, ec);
}

Test(filters, deflate_truncated)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t src[4096], comp[8192], out[4096];
    for (size_t i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)(i * 7 + i / 13);
    }
    uLongf cn = sizeof(comp);
    cr_assert_eq(compress2(comp, &cn, src, sizeof(src), 6), Z_OK);
    struct h5rd_error ec;
    cr_assert_eq(decode1(&f, 1, NULL, 0, comp, cn, out, sizeof(out), &ec), H5RD_OK);
    cr_assert(memcmp(out, src, sizeof(src)) == 0);
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, cn / 2, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, cn - 1, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, 0, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Expected more than the stream holds: short output. */
    uint8_t big[5000];
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, cn, big, sizeof(big), &ec), H5RD_E_CORRUPT);
    /* Garbage. */
    memset(comp, 0xa5, 64);
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, 64, out, sizeof(out), &ec), H5RD_E_CORRUPT);
}

/* The two deflate decoders (libdeflate when built with it, zlib always) must agree: same
 * result code and bytes for whole streams, every truncation, trailing bytes, a bad Adler-32,
 * an output one byte short, and a capacity larger than the stream's content. */
static h5rd_err deflate_one(bool zlib, struct h5rd_file *f, const uint8_t *in, size_t in_n,
                            uint8_t *out, size_t cap, size_t *n)
{
    struct h5rd__filter flt = {1, 0, (char *)"", 0, NULL};
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    *n = 0;
    return zlib ? h5rd__filter_deflate_decode_zlib(f, &flt, NULL, in, in_n, out, cap, n, &ec)
                : h5rd__filter_deflate_decode(f, &flt, NULL, in, in_n, out, cap, n, &ec);
}

Test(filters, deflate_decoders_agree)
{
    struct h5rd_file f;
    file_init(&f);
    static uint8_t src[20000], comp[24000], a[20001], b[20001];
    for (size_t i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)((i * 2654435761u) >> (i % 7 == 0 ? 3 : 27));
    }
    const size_t sizes[] = {0, 1, 100, 4096, sizeof(src)};
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t len = sizes[si];
        uLongf cn = sizeof(comp) - 8;
        cr_assert_eq(compress2(comp, &cn, src, len, 6), Z_OK);
        memset(comp + cn, 0x5a, 8); /* trailing bytes after the stream are ignored */
        const size_t caps[] = {len, len + 1, len == 0 ? 0 : len - 1};
        for (size_t ci = 0; ci < 3; ci++) {
            for (size_t cut = 0; cut <= cn + 8; cut += (cut < 16 || cut + 16 > cn ? 1 : 97)) {
                size_t na = 0, nb = 0;
                h5rd_err ra = deflate_one(false, &f, comp, cut, a, caps[ci], &na);
                h5rd_err rb = deflate_one(true, &f, comp, cut, b, caps[ci], &nb);
                cr_assert_eq(ra, rb, "len %zu cap %zu cut %zu: %d vs zlib %d", len, caps[ci],
                             cut, ra, rb);
                if (ra == H5RD_OK) {
                    cr_assert_eq(na, nb);
                    cr_assert(memcmp(a, b, na) == 0);
                    cr_assert(na == len && memcmp(a, src, na) == 0);
                }
            }
        }
        /* A wrong Adler-32 trailer. */
        comp[cn - 1] ^= 0x40;
        size_t na = 0, nb = 0;
        cr_expect_eq(deflate_one(false, &f, comp, cn, a, len, &na), H5RD_E_CORRUPT);
        cr_expect_eq(deflate_one(true, &f, comp, cn, b, len, &nb), H5RD_E_CORRUPT);
    }
}

/* Unshuffle (SSE2 paths for element sizes 2, 4, 8; blocked byte loop otherwise) against the
 * definition, for sizes around every vector width and block boundary, with leftover bytes. */
Test(filters, shuffle_matches_definition)
{
    struct h5rd_file f;
    file_init(&f);
    static uint8_t in[3 * 2053 * 17 + 16], out[sizeof(in)], want[sizeof(in)];
    const size_t nelems[] = {0, 1, 2, 15, 16, 17, 31, 33, 1023, 1024, 1025, 2053};
    for (uint32_t es = 1; es <= 17; es++) {
        for (size_t k = 0; k < sizeof(nelems) / sizeof(nelems[0]); k++) {
            size_t ne = nelems[k];
            for (size_t extra = 0; extra < (es > 1 ? 2 : 1); extra++) {
                size_t len = ne * es + (extra ? es - 1 : 0);
                for (size_t i = 0; i < len; i++) {
                    in[i] = (uint8_t)(i * 131 + (i >> 8) * 7 + es);
                }
                for (size_t j = 0; j < es; j++) {
                    for (size_t i = 0; i < ne; i++) {
                        want[i * es + j] = in[j * ne + i];
                    }
                }
                memcpy(want + ne * es, in + ne * es, len - ne * es);
                struct h5rd__filter flt = {2, 0, (char *)"", 1, &es};
                struct h5rd_error ec;
                h5rd__err_clear(&ec);
                size_t n = 0;
                cr_assert_eq(h5rd__filter_shuffle_decode(&f, &flt, NULL, in, len, out, len, &n,
                                                         &ec),
                             H5RD_OK);
                cr_assert_eq(n, len);
                cr_assert(memcmp(out, want, len) == 0, "esize %u, %zu elements, %zu extra", es,
                          ne, extra);
            }
        }
    }
}

Test(filters, deflate_zip_bomb)
{
    struct h5rd_file f;
    file_init(&f);
    size_t big = 64u << 20; /* 64 MiB of zeros compress to ~64 KiB */
    uint8_t *zeros = calloc(1, big);
    uLongf cn = compressBound(big);
    uint8_t *comp = malloc(cn);
    cr_assert_eq(compress2(comp, &cn, zeros, big, 9), Z_OK);
    free(zeros);
    uint8_t out[1000];
    struct h5rd_error ec;
    g_count.max_alloc = 0;
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    cr_expect_str_eq(ec.what, "deflate: stream expands past the chunk size");
    cr_expect_lt(g_count.max_alloc, (size_t)(1 << 20), "allocated %zu", g_count.max_alloc);
    /* One byte too many is caught as well. */
    uint8_t small[1001];
    memset(small, 3, sizeof(small));
    cn = compressBound(sizeof(small));
    cr_assert_eq(compress2(comp, &cn, small, sizeof(small), 9), Z_OK);
    cr_expect_eq(decode1(&f, 1, NULL, 0, comp, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    free(comp);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

/* An LZ4 plugin chunk of 'n' bytes of 'src' in blocks of 'bs'. */
static size_t make_lz4(const uint8_t *src, size_t n, size_t bs, uint8_t *dst)
{
    put_be64(dst, n);
    put_be32(dst + 8, (uint32_t)bs);
    size_t p = 12;
    for (size_t done = 0; done < n; done += bs) {
        size_t blk = n - done < bs ? n - done : bs;
        int c = LZ4_compress_default((const char *)src + done, (char *)dst + p + 4, (int)blk,
                                     LZ4_compressBound((int)blk));
        if ((size_t)c >= blk) {
            memcpy(dst + p + 4, src + done, blk);
            c = (int)blk;
        }
        put_be32(dst + p, (uint32_t)c);
        p += 4 + (size_t)c;
    }
    return p;
}

Test(filters, lz4_lies)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t src[3000], comp[8000], out[3000];
    for (size_t i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)(i % 17 == 0 ? i : 0);
    }
    size_t cn = make_lz4(src, sizeof(src), 1024, comp);
    struct h5rd_error ec;
    cr_assert_eq(decode1(&f, 32004, NULL, 0, comp, cn, out, sizeof(out), &ec), H5RD_OK);
    cr_assert(memcmp(out, src, sizeof(src)) == 0);
    uint8_t bad[8000];
    /* Original size claims more than the chunk. */
    memcpy(bad, comp, cn);
    put_be64(bad, (uint64_t)1 << 40);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, bad, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Block's compressed size runs past the chunk. */
    memcpy(bad, comp, cn);
    put_be32(bad + 12, 0x7fffffff);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, bad, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Block size 0. */
    memcpy(bad, comp, cn);
    put_be32(bad + 8, 0);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, bad, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* A block that decodes to more than its share. */
    memcpy(bad, comp, cn);
    put_be32(bad + 8, 512);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, bad, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Output smaller than expected. */
    memcpy(bad, comp, cn);
    put_be64(bad, 2000);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, bad, cn, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32004, NULL, 0, comp, 11, out, sizeof(out), &ec), H5RD_E_CORRUPT);
}

Test(filters, bitshuffle_absurd)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t in[64] = {0}, out[256];
    struct h5rd_error ec;
    uint32_t lz4p[5] = {0, 3, 4, 0, 2};
    put_be64(in, (uint64_t)1 << 60);
    put_be32(in + 8, 4 * 64);
    cr_expect_eq(decode1(&f, 32008, lz4p, 5, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    /* Size not a multiple of the element size. */
    put_be64(in, 255);
    cr_expect_eq(decode1(&f, 32008, lz4p, 5, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    /* Block size not a multiple of 8 elements. */
    put_be64(in, 256);
    put_be32(in + 8, 4 * 12);
    cr_expect_eq(decode1(&f, 32008, lz4p, 5, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    /* Compressed block size past the end. */
    put_be32(in + 8, 4 * 64);
    put_be32(in + 12, 0xffffffffu);
    cr_expect_eq(decode1(&f, 32008, lz4p, 5, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    /* Element size 0, missing parameters. */
    uint32_t zero[5] = {0, 3, 0, 0, 2};
    cr_expect_eq(decode1(&f, 32008, zero, 5, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32008, zero, 2, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
    /* Header shorter than 12 bytes. */
    cr_expect_eq(decode1(&f, 32008, lz4p, 5, in, 11, out, sizeof(out), &ec), H5RD_E_CORRUPT);
}

/* The bit transposition against a direct bit-by-bit definition, at block sizes that exercise
 * every code path: strips of 16 groups (SSE2, element sizes 1/2/4/8), strips of 8 groups
 * (portable), single groups, and mixes of them; buffers at odd addresses. */
Test(filters, bitunshuffle_reference)
{
    const size_t esizes[] = {1, 2, 3, 4, 5, 8, 12, 16};
    const size_t counts[] = {8, 16, 56, 64, 72, 120, 128, 136, 184, 192, 256, 1032, 8192};
    const size_t ncounts = sizeof(counts) / sizeof(counts[0]);
    for (size_t e = 0; e < sizeof(esizes) / sizeof(esizes[0]) * ncounts; e++) {
        size_t es = esizes[e / ncounts], n = counts[e % ncounts];
        uint8_t *orig = malloc(n * es), *shuf = calloc(1, n * es + 1);
        uint8_t *back = malloc(n * es + 1);
        uint32_t seed = (uint32_t)(n * 31 + es);
        for (size_t i = 0; i < n * es; i++) {
            seed = seed * 1103515245u + 12345u;
            orig[i] = (uint8_t)(seed >> 16);
        }
        /* bit b of byte j of element i -> bit i%8 of byte (j*8+b)*(n/8) + i/8 */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < es; j++) {
                for (unsigned b = 0; b < 8; b++) {
                    if ((orig[i * es + j] >> b) & 1u) {
                        shuf[(j * 8 + b) * (n / 8) + i / 8] |= (uint8_t)(1u << (i % 8));
                    }
                }
            }
        }
        h5rd__bitunshuffle_block(shuf, back, n, es);
        cr_expect(memcmp(orig, back, n * es) == 0, "element size %zu, %zu elements", es, n);
        /* Unaligned input and output. */
        memmove(shuf + 1, shuf, n * es);
        memset(back, 0, n * es + 1);
        h5rd__bitunshuffle_block(shuf + 1, back + 1, n, es);
        cr_expect(memcmp(orig, back + 1, n * es) == 0, "unaligned: element size %zu, %zu", es, n);
        free(orig);
        free(shuf);
        free(back);
    }
}

Test(filters, fletcher32_mismatch)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t buf[1004], out[1000];
    for (size_t i = 0; i < 1000; i++) {
        buf[i] = (uint8_t)(i * 3);
    }
    uint32_t sum = h5rd__fletcher32(buf, 1000);
    buf[1000] = (uint8_t)sum;
    buf[1001] = (uint8_t)(sum >> 8);
    buf[1002] = (uint8_t)(sum >> 16);
    buf[1003] = (uint8_t)(sum >> 24);
    struct h5rd_error ec;
    cr_assert_eq(decode1(&f, 3, NULL, 0, buf, sizeof(buf), out, sizeof(out), &ec), H5RD_OK);
    cr_expect(memcmp(out, buf, 1000) == 0);
    /* The pre-1.6.3 value (bytes of each 16-bit half exchanged) is accepted too. */
    uint8_t old[4] = {buf[1001], buf[1000], buf[1003], buf[1002]};
    memcpy(buf + 1000, old, 4);
    cr_expect_eq(decode1(&f, 3, NULL, 0, buf, sizeof(buf), out, sizeof(out), &ec), H5RD_OK);
    buf[17] ^= 1;
    cr_expect_eq(decode1(&f, 3, NULL, 0, buf, sizeof(buf), out, sizeof(out), &ec),
                 H5RD_E_CHECKSUM);
    f.flags = H5RD_OPEN_SKIP_CHECKSUMS;
    cr_expect_eq(decode1(&f, 3, NULL, 0, buf, sizeof(buf), out, sizeof(out), &ec), H5RD_OK);
    f.flags = 0;
    cr_expect_eq(decode1(&f, 3, NULL, 0, buf, 3, out, sizeof(out), &ec), H5RD_E_CORRUPT);
}

Test(filters, nbit_absurd)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t in[64], out[64];
    memset(in, 0xff, sizeof(in));
    struct h5rd_error ec;
    /* atomic int32 LE, precision 12 offset 4, 16 elements: needs 24 bytes, 64 present. */
    uint32_t ok[8] = {8, 0, 16, 1, 4, 0, 12, 4};
    cr_expect_eq(decode1(&f, 5, ok, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_OK);
    cr_expect_eq(out[0], 0xf0);
    cr_expect_eq(out[1], 0xff);
    cr_expect_eq(out[2], 0x00);
    /* Packed data truncated. */
    cr_expect_eq(decode1(&f, 5, ok, 8, in, 10, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    uint32_t p[8];
    memcpy(p, ok, sizeof(p));
    p[6] = 33; /* precision > 32 */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[7] = 0xfffffff0u; /* offset overflows */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[0] = 9; /* count mismatch */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[2] = 0xffffffffu; /* more elements than the chunk */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[4] = 0; /* size 0 */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[3] = 9; /* class */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[6] = 0; /* precision 0 */
    cr_expect_eq(decode1(&f, 5, p, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Compound whose member lies past its end; compound parameters cut short. */
    uint32_t c1[13] = {13, 0, 4, 3, 16, 1, 14, 1, 4, 0, 32, 0, 0};
    cr_expect_eq(decode1(&f, 5, c1, 13, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    uint32_t c2[7] = {7, 0, 4, 3, 16, 2, 0};
    cr_expect_eq(decode1(&f, 5, c2, 7, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* Array of atomics of size 0; array of arrays with base size 0. */
    uint32_t a1[10] = {10, 0, 4, 2, 16, 1, 0, 0, 8, 0};
    cr_expect_eq(decode1(&f, 5, a1, 10, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    uint32_t a2[8] = {8, 0, 4, 2, 16, 2, 0, 0};
    cr_expect_eq(decode1(&f, 5, a2, 8, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* "Nothing to do" flag: data passes through. */
    uint32_t noop[5] = {5, 1, 16, 1, 4};
    cr_expect_eq(decode1(&f, 5, noop, 5, in, sizeof(in), out, sizeof(out), &ec), H5RD_OK);
}

Test(filters, scaleoffset_absurd)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t in[64] = {0}, out[64];
    struct h5rd_error ec;
    /* int32 LE unsigned, 16 elements, minbits 2 (in the header), minval 100. */
    uint32_t ok[20] = {2, 0, 16, 0, 4, 0, 0, 0};
    in[0] = 2;
    in[4] = 8;
    in[5] = 100;
    in[21] = 0x1b; /* 00 01 10 11 */
    cr_assert_eq(decode1(&f, 6, ok, 20, in, 21 + 4, out, sizeof(out), &ec), H5RD_OK);
    cr_expect_eq(out[0], 100);
    cr_expect_eq(out[4], 101);
    cr_expect_eq(out[8], 102);
    cr_expect_eq(out[12], 103);
    cr_expect_eq(decode1(&f, 6, ok, 20, in, 21 + 3, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 6, ok, 20, in, 20, out, sizeof(out), &ec), H5RD_E_CORRUPT);
    /* minbits > 32: libhdf5 unpacks nothing, every value is minval (and no data is needed). */
    in[0] = 33;
    cr_expect_eq(decode1(&f, 6, ok, 20, in, 21, out, sizeof(out), &ec), H5RD_OK);
    cr_expect_eq(out[12], 100);
    cr_expect_eq(out[60], 100);
    in[0] = 0xff;
    in[3] = 0xff;
    cr_expect_eq(decode1(&f, 6, ok, 20, in, sizeof(in), out, sizeof(out), &ec), H5RD_OK);
    cr_expect_eq(out[60], 100);
    in[0] = 2;
    in[3] = 0;
    uint32_t p[20];
    memcpy(p, ok, sizeof(p));
    p[2] = 0x40000000u; /* elements */
    cr_expect_eq(decode1(&f, 6, p, 20, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[4] = 3; /* size */
    cr_expect_eq(decode1(&f, 6, p, 20, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[0] = 0; /* float scale type on an integer */
    cr_expect_eq(decode1(&f, 6, p, 20, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[1] = 40; /* minimum bits beyond the size */
    cr_expect_eq(decode1(&f, 6, p, 20, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
    memcpy(p, ok, sizeof(p));
    p[3] = 1;
    p[0] = 1; /* E-scale */
    cr_expect_eq(decode1(&f, 6, p, 20, in, sizeof(in), out, sizeof(out), &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_eq(decode1(&f, 6, ok, 19, in, sizeof(in), out, sizeof(out), &ec), H5RD_E_CORRUPT);
}

Test(filters, lzf_bad)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t out[64];
    struct h5rd_error ec;
    const uint8_t good[] = {2, 'a', 'b', 'c', 0xe0, 3, 2}; /* abc + copy 7+3+2 from dist 3 */
    cr_assert_eq(decode1(&f, 32000, NULL, 0, good, sizeof(good), out, 15, &ec), H5RD_OK);
    cr_expect(memcmp(out, "abcabcabcabcabc", 15) == 0);
    const uint8_t before[] = {0, 'a', 0x20, 5};
    cr_expect_eq(decode1(&f, 32000, NULL, 0, before, sizeof(before), out, 4, &ec),
                 H5RD_E_CORRUPT);
    const uint8_t lit[] = {10, 'a'};
    cr_expect_eq(decode1(&f, 32000, NULL, 0, lit, sizeof(lit), out, 11, &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32000, NULL, 0, good, sizeof(good), out, 14, &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32000, NULL, 0, good, 5, out, 15, &ec), H5RD_E_CORRUPT);
}

Test(filters, unknown_and_unavailable)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t in[16] = {0}, out[16];
    struct h5rd_error ec;
    cr_expect_eq(decode1(&f, 31999, NULL, 0, in, 16, out, 16, &ec), H5RD_E_UNSUPPORTED);
    cr_expect_not_null(h5rd__filter_find(307));
    cr_expect_null(h5rd__filter_find(12345));
    const struct h5rd__filter_class *c = h5rd__filter_find(H5RD_FILTER_DEFLATE);
    cr_assert_not_null(c);
    cr_expect_str_eq(c->name, "deflate");
#ifndef H5RD_HAVE_BZIP2
    cr_expect_eq(decode1(&f, 307, NULL, 0, in, 16, out, 16, &ec), H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.what, "filter: bzip2 (307) not available in this build");
#endif
}

#ifdef H5RD_HAVE_ZSTD
#include <zstd.h>
Test(filters, zstd_lies)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t src[4000], comp[8000], out[4000];
    memset(src, 'z', sizeof(src));
    size_t cn = ZSTD_compress(comp, sizeof(comp), src, sizeof(src), 3);
    cr_assert(!ZSTD_isError(cn));
    struct h5rd_error ec;
    cr_assert_eq(decode1(&f, 32015, NULL, 0, comp, cn, out, sizeof(out), &ec), H5RD_OK);
    /* The frame says 4000 bytes, the chunk is 3999. */
    cr_expect_eq(decode1(&f, 32015, NULL, 0, comp, cn, out, 3999, &ec), H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32015, NULL, 0, comp, cn - 3, out, sizeof(out), &ec),
                 H5RD_E_CORRUPT);
}
#endif

/* ---- H5Z-ZFP (32013) ------------------------------------------------------------------------ */
/* Vectors written by libhdf5 with hdf5plugin's H5Z-ZFP 1.1.0 / zfp 1.0.0 (gen_vectors.py zfp):
 * rate, precision, accuracy, expert and reversible modes, float/double/int32/int64, ranks 1-4,
 * partial blocks and chunks with unity dimensions. */
Test(filters, zfp)
{
    unsigned n = run_prefix("zfp_");
#ifdef H5RD_HAVE_ZFP
    cr_expect_geq(n, 9);
#else
    (void)n;
#endif
}

#ifdef H5RD_HAVE_ZFP
Test(filters, zfp_lies)
{
    struct h5rd_file f;
    file_init(&f);
    struct vec v;
    vec_load(&v, H5RD_SOURCE_DIR "/tests/data/filters", "zfp_rate16_f64.vec");
    cr_assert_eq(v.flt[0].id, 32013);
    uint32_t nv = v.flt[0].n_values, vals[64];
    cr_assert_geq(nv, 3);
    memcpy(vals, v.flt[0].values, nv * sizeof(uint32_t));
    uint8_t *out = malloc(v.exp_n + 8);
    struct h5rd_error ec;
    cr_assert_eq(decode1(&f, 32013, vals, nv, v.raw, v.raw_n, out, v.exp_n, &ec), H5RD_OK);
    cr_expect(memcmp(out, v.exp, v.exp_n) == 0);

    /* Unaligned output buffer: decoded through an aligned copy. */
    cr_expect_eq(decode1(&f, 32013, vals, nv, v.raw, v.raw_n, out + 1, v.exp_n, &ec), H5RD_OK);
    cr_expect(memcmp(out + 1, v.exp, v.exp_n) == 0);

    /* The header's field is 1000 doubles; a chunk of any other size is CORRUPT. */
    cr_expect_eq(decode1(&f, 32013, vals, nv, v.raw, v.raw_n, out, v.exp_n - 8, &ec),
                 H5RD_E_CORRUPT);
    /* Truncated stream (fixed rate: every byte is needed). */
    cr_expect_eq(decode1(&f, 32013, vals, nv, v.raw, v.raw_n - 1, out, v.exp_n, &ec),
                 H5RD_E_CORRUPT);
    cr_expect_eq(decode1(&f, 32013, vals, nv, v.raw, 0, out, v.exp_n, &ec), H5RD_E_CORRUPT);
    /* No header at all, or only the version word. */
    cr_expect_eq(decode1(&f, 32013, vals, 1, v.raw, v.raw_n, out, v.exp_n, &ec),
                 H5RD_E_UNSUPPORTED);
    cr_expect_eq(decode1(&f, 32013, NULL, 0, v.raw, v.raw_n, out, v.exp_n, &ec),
                 H5RD_E_UNSUPPORTED);

    /* Another zfp codec version in the magic: unsupported, not corrupt. */
    uint32_t bad[64];
    memcpy(bad, vals, sizeof(bad[0]) * nv);
    bad[1] = (bad[1] & 0x00ffffffu) | 0x07000000u;
    cr_expect_eq(decode1(&f, 32013, bad, nv, v.raw, v.raw_n, out, v.exp_n, &ec),
                 H5RD_E_UNSUPPORTED);
    /* Not a zfp magic. */
    memcpy(bad, vals, sizeof(bad[0]) * nv);
    bad[1] ^= 0x00ff0000u;
    cr_expect_eq(decode1(&f, 32013, bad, nv, v.raw, v.raw_n, out, v.exp_n, &ec),
                 H5RD_E_UNSUPPORTED);
    /* Header cut after the magic: libzfp cannot read the metadata (zero bits give nx=1 of
     * int32, which is not this chunk either). */
    cr_expect_neq(decode1(&f, 32013, vals, 2, v.raw, v.raw_n, out, v.exp_n, &ec), H5RD_OK);

    /* A big-endian writer's cd_values (words byte-swapped): the same stream, the values come
     * back in big-endian order. */
    for (uint32_t i = 1; i < nv; i++) {
        uint32_t x = vals[i];
        bad[i] = (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
    }
    bad[0] = vals[0];
    cr_assert_eq(decode1(&f, 32013, bad, nv, v.raw, v.raw_n, out, v.exp_n, &ec), H5RD_OK);
    size_t diff = 0;
    for (size_t i = 0; i < v.exp_n; i++) {
        diff += out[i] != v.exp[(i / 8) * 8 + 7 - i % 8];
    }
    cr_expect_eq(diff, 0);

    /* Every header bit flipped in turn: a clean result or a clean error, never a crash. */
    for (uint32_t w = 1; w < nv; w++) {
        for (unsigned b = 0; b < 32; b++) {
            memcpy(bad, vals, sizeof(bad[0]) * nv);
            bad[w] ^= 1u << b;
            (void)decode1(&f, 32013, bad, nv, v.raw, v.raw_n, out, v.exp_n, &ec);
        }
    }
    cr_expect_leq(g_count.max_alloc, v.exp_n + (size_t)(4 << 20));
    free(out);
    vec_free(&v);
}
#else
Test(filters, zfp_unavailable)
{
    struct h5rd_file f;
    file_init(&f);
    uint8_t in[16] = {0}, out[16];
    struct h5rd_error ec;
    cr_expect_eq(decode1(&f, 32013, NULL, 0, in, 16, out, 16, &ec), H5RD_E_UNSUPPORTED);
    cr_expect_str_eq(ec.what, "filter: zfp (32013) not available in this build");
}
#endif
