/*
 * test_gheap.c - global heap collections (Spec v3.0 III.E): hand-built good and malformed
 * collections.
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "heap/heap.h"
#include "rawfile.h"

#include <string.h>

static void coll_hdr(struct bld *b, const char *sig, uint64_t size)
{
    bld_bytes(b, sig, 4);
    bld_u8(b, 1);
    bld_zeros(b, 3);
    bld_u64(b, size);
}

static void obj(struct bld *b, uint16_t idx, const void *data, uint64_t n, uint64_t stated)
{
    bld_u16(b, idx);
    bld_u16(b, 1);
    bld_zeros(b, 4);
    bld_u64(b, stated);
    bld_bytes(b, data, (size_t)n);
    bld_zeros(b, (size_t)((8 - n % 8) % 8));
}

/* A collection of 'size' bytes at 16 with objects 1 "hello", 2 (8 bytes), 5 "x", free space. */
static void build_good(struct bld *b, uint64_t size)
{
    bld_init(b);
    bld_zeros(b, 16);
    coll_hdr(b, "GCOL", size);
    obj(b, 1, "hello", 5, 5);
    obj(b, 2, "12345678", 8, 8);
    obj(b, 5, "x", 1, 1);
    bld_u16(b, 0); /* free space object */
    bld_u16(b, 0);
    bld_zeros(b, 4);
    bld_u64(b, 16 + size - b->n);
    bld_pad_to(b, 16 + size);
}

static h5rd_err get(struct bld *b, uint32_t idx, char *out, size_t *n_out)
{
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b->p, b->n, 8, 8, 4, 16, &ec), H5RD_OK);
    struct h5rd_view v;
    h5rd_err e = h5rd__gheap_get(&f, 16, idx, &v, &ec);
    if (e == H5RD_OK) {
        cr_assert_leq(v.nbytes, 64);
        memcpy(out, v.p, v.nbytes);
        out[v.nbytes] = '\0';
        *n_out = v.nbytes;
        h5rd__io_release(&f, &v);
    } else {
        cr_assert_eq(ec.code, e);
    }
    rawfile_close(&f);
    return e;
}

Test(gheap, good_objects)
{
    struct bld b;
    build_good(&b, 4096);
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_OK);
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(get(&b, 2, s, &n), H5RD_OK);
    cr_assert_str_eq(s, "12345678");
    cr_assert_eq(get(&b, 5, s, &n), H5RD_OK);
    cr_assert_str_eq(s, "x");
    cr_assert_eq(get(&b, 3, s, &n), H5RD_E_NOT_FOUND);
    cr_assert_eq(get(&b, 0, s, &n), H5RD_E_NOT_FOUND);
    cr_assert_eq(get(&b, 65535, s, &n), H5RD_E_NOT_FOUND);
    bld_free(&b);
}

Test(gheap, collection_cut_short_by_eof)
{
    /* The stated size runs past the end of the file: the objects present are still found. */
    struct bld b;
    build_good(&b, 4096);
    b.n = 16 + 16 + 24 + 24; /* header, object 1 and 2 */
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 2, s, &n), H5RD_OK);
    cr_assert_str_eq(s, "12345678");
    cr_assert_eq(get(&b, 5, s, &n), H5RD_E_NOT_FOUND);
    bld_free(&b);
}

Test(gheap, object_past_collection)
{
    struct bld b;
    bld_init(&b);
    bld_zeros(&b, 16);
    coll_hdr(&b, "GCOL", 4096);
    obj(&b, 1, "hello", 5, 1000000);
    bld_pad_to(&b, 16 + 4096);
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_E_TRUNCATED);
    bld_free(&b);
}

Test(gheap, bad_signature)
{
    struct bld b;
    build_good(&b, 4096);
    b.p[16] = 'X';
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(gheap, collection_smaller_than_header)
{
    struct bld b;
    build_good(&b, 4096);
    bld_patch(&b, 24, 4, 8);
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(gheap, truncated_header)
{
    struct bld b;
    build_good(&b, 4096);
    b.n = 16 + 10;
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_E_TRUNCATED);
    bld_free(&b);
}

Test(gheap, bad_version)
{
    struct bld b;
    build_good(&b, 4096);
    b.p[20] = 2;
    char s[65];
    size_t n;
    cr_assert_eq(get(&b, 1, s, &n), H5RD_E_UNSUPPORTED);
    bld_free(&b);
}
