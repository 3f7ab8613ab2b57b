/*
 * test_vds.c - virtual dataset mappings (src/vds; Spec v3.0 III.F "Global Heap Block for
 * Virtual Datasets"): printf-style names, and hand-built mapping blocks in a global heap
 * collection - good, bad checksum, unknown version, truncated, trailing bytes, too many
 * mappings, rank mismatch, invalid format specifiers.
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "rawfile.h"
#include "vds/vds.h"

#include <stdlib.h>
#include <string.h>

static struct h5rd_file F;
static struct h5rd_error EC;
static const uint8_t DUMMY[64];

static void setup(void)
{
    cr_assert_eq(rawfile_open_memory(&F, DUMMY, sizeof DUMMY, 8, 8, 4, 16, &EC), H5RD_OK);
}
static void teardown(void)
{
    rawfile_close(&F);
}

TestSuite(vds, .init = setup, .fini = teardown);

static h5rd_err expand(const char *name, uint64_t block, size_t *nsubs, char **out)
{
    h5rd__err_clear(&EC);
    return h5rd__vds_expand_name(&F, name, block, nsubs, out, &EC);
}

Test(vds, printf_names)
{
    size_t n;
    char *s = NULL;
    cr_assert_eq(expand("f-%b.h5", 12, &n, &s), H5RD_OK);
    cr_assert_str_eq(s, "f-12.h5");
    cr_assert_eq(n, 1);
    h5rd__free(&F, s);
    cr_assert_eq(expand("%b/%b_%%.h5", 0, &n, &s), H5RD_OK);
    cr_assert_str_eq(s, "0/0_%.h5");
    cr_assert_eq(n, 2);
    h5rd__free(&F, s);
    cr_assert_eq(expand("plain", 3, &n, &s), H5RD_OK);
    cr_assert_str_eq(s, "plain");
    cr_assert_eq(n, 0);
    h5rd__free(&F, s);
    cr_assert_eq(expand("100%%", 3, &n, NULL), H5RD_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(expand("bad%d", 0, &n, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(expand("trailing%", 0, &n, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(expand("x%b", UINT64_MAX, &n, &s), H5RD_OK);
    cr_assert_str_eq(s, "x18446744073709551615");
    h5rd__free(&F, s);
}

/* "all" selection, 16 bytes */
static void sel_all(struct bld *b)
{
    bld_u32(b, 3);
    bld_u32(b, 1);
    bld_zeros(b, 8);
}

/* regular 1-D hyperslab, version 2 */
static void sel_reg1(struct bld *b, uint64_t start, uint64_t stride, uint64_t count, uint64_t block)
{
    bld_u32(b, 2);
    bld_u32(b, 2);
    bld_u8(b, 1);
    bld_u32(b, 36);
    bld_u32(b, 1);
    bld_u64(b, start);
    bld_u64(b, stride);
    bld_u64(b, count);
    bld_u64(b, block);
}

/* Builds a file image with a global heap collection at 16 whose object 1 is the mapping block
 * produced by 'body' (version byte, count and entries; the checksum is appended). */
struct image {
    struct bld b;
    size_t blob_at;
};

static void image_begin(struct image *im, uint8_t version, uint64_t nmaps)
{
    bld_init(&im->b);
    bld_zeros(&im->b, 16);
    bld_bytes(&im->b, "GCOL", 4);
    bld_u8(&im->b, 1);
    bld_zeros(&im->b, 3);
    bld_u64(&im->b, 4096);                /* collection size, patched below */
    bld_u16(&im->b, 1);                   /* object 1 */
    bld_u16(&im->b, 0);
    bld_zeros(&im->b, 4);
    bld_u64(&im->b, 0);                   /* object size, patched in image_end */
    im->blob_at = im->b.n;
    bld_u8(&im->b, version);
    bld_u64(&im->b, nmaps);
}

static void image_end(struct image *im, bool good_checksum)
{
    bld_lookup3(&im->b, im->blob_at);
    if (!good_checksum) {
        im->b.p[im->b.n - 1] ^= 0xff;
    }
    bld_patch(&im->b, im->blob_at - 8, im->b.n - im->blob_at, 8);
    while (im->b.n % 8) {
        bld_u8(&im->b, 0);
    }
    bld_pad_to(&im->b, 16 + 4096);
}

static h5rd_err decode(struct image *im, uint32_t rank, struct h5rd__vds **v)
{
    struct h5rd_file f;
    h5rd__err_clear(&EC);
    cr_assert_eq(rawfile_open_memory(&f, im->b.p, im->b.n, 8, 8, 4, 16, &EC), H5RD_OK);
    struct h5rd__layout l;
    memset(&l, 0, sizeof l);
    l.pub.cls = H5RD_LAYOUT_VIRTUAL;
    l.vds_gheap_addr = 16;
    l.vds_gheap_index = 1;
    h5rd_err e = h5rd__vds_decode(&f, &l, rank, v, &EC);
    if (e != H5RD_OK) {
        cr_assert_eq(EC.code, e);
    }
    rawfile_close(&f);
    return e;
}

Test(vds, mapping_block_good)
{
    struct image im;
    image_begin(&im, 0, 2);
    bld_str(&im.b, "src_%b.h5");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "/data");
    bld_u8(&im.b, 0);
    sel_all(&im.b);
    sel_reg1(&im.b, 0, 4, UINT64_MAX, 4);
    bld_str(&im.b, ".");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "x");
    bld_u8(&im.b, 0);
    sel_reg1(&im.b, 0, 1, 1, 3);
    sel_reg1(&im.b, 10, 1, 1, 3);
    image_end(&im, true);
    struct h5rd__vds *v = NULL;
    cr_assert_eq(decode(&im, 1, &v), H5RD_OK);
    cr_assert_eq(v->n, 2);
    cr_assert_str_eq(v->m[0].file, "src_%b.h5");
    cr_assert_str_eq(v->m[0].dset, "/data");
    cr_assert_eq(v->m[0].ssel.type, H5RD__SEL_ALL);
    cr_assert(v->m[0].vsel.regular && v->m[0].vsel.unlim_dim == 0);
    cr_assert(v->m[0].is_printf);
    cr_assert_str_eq(v->m[1].file, ".");
    cr_assert(!v->m[1].is_printf);
    cr_assert_eq(v->m[1].vsel.start[0], 10);
    h5rd__vds_free(&F, v);
    /* rank mismatch with the dataset */
    cr_assert_eq(decode(&im, 2, &v), H5RD_E_CORRUPT);
    bld_free(&im.b);
}

Test(vds, mapping_block_bad)
{
    struct image im;
    struct h5rd__vds *v = NULL;
    /* checksum mismatch */
    image_begin(&im, 0, 1);
    bld_str(&im.b, "a.h5");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "d");
    bld_u8(&im.b, 0);
    sel_all(&im.b);
    sel_all(&im.b);
    image_end(&im, false);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_CHECKSUM);
    bld_free(&im.b);
    /* unknown block version */
    image_begin(&im, 1, 0);
    image_end(&im, true);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_UNSUPPORTED);
    bld_free(&im.b);
    /* more mappings than bytes */
    image_begin(&im, 0, 1000);
    image_end(&im, true);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_TRUNCATED);
    bld_free(&im.b);
    /* more mappings than the limit */
    image_begin(&im, 0, UINT64_MAX);
    image_end(&im, true);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_LIMIT);
    bld_free(&im.b);
    /* name without its NUL */
    image_begin(&im, 0, 1);
    bld_str(&im.b, "abcdefghijklmnopqrstuvwxyz0123456789");
    image_end(&im, true);
    cr_assert_neq(decode(&im, 1, &v), H5RD_OK);
    bld_free(&im.b);
    /* trailing bytes after the mappings */
    image_begin(&im, 0, 1);
    bld_str(&im.b, "a.h5");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "d");
    bld_u8(&im.b, 0);
    sel_all(&im.b);
    sel_all(&im.b);
    bld_u32(&im.b, 0);
    image_end(&im, true);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_CORRUPT);
    bld_free(&im.b);
    /* invalid format specifier in a name */
    image_begin(&im, 0, 1);
    bld_str(&im.b, "a%s.h5");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "d");
    bld_u8(&im.b, 0);
    sel_all(&im.b);
    sel_all(&im.b);
    image_end(&im, true);
    cr_assert_eq(decode(&im, 1, &v), H5RD_E_CORRUPT);
    bld_free(&im.b);
}

Test(vds, mapping_block_truncations)
{
    struct image im;
    image_begin(&im, 0, 1);
    bld_str(&im.b, "a.h5");
    bld_u8(&im.b, 0);
    bld_str(&im.b, "d");
    bld_u8(&im.b, 0);
    sel_reg1(&im.b, 0, 1, 1, 3);
    sel_reg1(&im.b, 0, 1, 1, 3);
    size_t end = im.b.n;
    /* cut the blob at every length (checksum recomputed, so only the bounds catch it) */
    for (size_t cut = im.blob_at; cut < end; cut++) {
        struct image t;
        bld_init(&t.b);
        bld_bytes(&t.b, im.b.p, cut);
        t.blob_at = im.blob_at;
        image_end(&t, true);
        struct h5rd__vds *v = NULL;
        cr_assert_neq(decode(&t, 1, &v), H5RD_OK, "decoded a blob cut at %zu", cut - im.blob_at);
        bld_free(&t.b);
    }
    bld_free(&im.b);
}
