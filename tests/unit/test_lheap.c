/*
 * test_lheap.c - local heaps (Spec v3.0 III.D): hand-built good and malformed heaps.
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "heap/heap.h"
#include "rawfile.h"

/* Header at 0 (32 bytes with 8-byte sizes), data segment at 'data_at'. */
static void build(struct bld *b, const char *sig, uint8_t version, uint64_t data_n,
                  uint64_t free_off, uint64_t data_at)
{
    bld_init(b);
    bld_bytes(b, sig, 4);
    bld_u8(b, version);
    bld_zeros(b, 3);
    bld_u64(b, data_n);
    bld_u64(b, free_off);
    bld_u64(b, data_at);
}

static const char DATA[] = "\0abc\0hello\0nonul";

Test(lheap, good_strings)
{
    struct bld b;
    build(&b, "HEAP", 0, sizeof DATA - 1, 1, 32);
    bld_bytes(&b, DATA, sizeof DATA - 1);
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b.p, b.n, 8, 8, 4, 16, &ec), H5RD_OK);
    struct h5rd__lheap h;
    cr_assert_eq(h5rd__lheap_load(&f, 0, &h, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(h.data_addr, 32);
    const char *s;
    size_t n;
    cr_assert_eq(h5rd__lheap_string(&h, 0, &s, &n, &ec), H5RD_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(h5rd__lheap_string(&h, 1, &s, &n, &ec), H5RD_OK);
    cr_assert_str_eq(s, "abc");
    cr_assert_eq(n, 3);
    cr_assert_eq(h5rd__lheap_string(&h, 5, &s, &n, &ec), H5RD_OK);
    cr_assert_str_eq(s, "hello");
    /* "nonul" runs to the end of the segment without a NUL. */
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__lheap_string(&h, 11, &s, &n, &ec), H5RD_E_CORRUPT);
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__lheap_string(&h, sizeof DATA - 1, &s, &n, &ec), H5RD_E_CORRUPT);
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__lheap_string(&h, UINT64_MAX, &s, &n, &ec), H5RD_E_CORRUPT);
    h5rd__lheap_free(&f, &h);
    rawfile_close(&f);
    bld_free(&b);
}

static h5rd_err load_code(struct bld *b)
{
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b->p, b->n, 8, 8, 4, 16, &ec), H5RD_OK);
    struct h5rd__lheap h;
    h5rd_err e = h5rd__lheap_load(&f, 0, &h, &ec);
    if (e == H5RD_OK) {
        h5rd__lheap_free(&f, &h);
    } else {
        cr_assert_eq(ec.code, e);
    }
    rawfile_close(&f);
    bld_free(b);
    return e;
}

Test(lheap, free_list_undefined_accepted)
{
    struct bld b;
    build(&b, "HEAP", 0, 8, UINT64_MAX, 32);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_OK);
}

Test(lheap, bad_signature)
{
    struct bld b;
    build(&b, "HEAQ", 0, 8, 1, 32);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_E_CORRUPT);
}

Test(lheap, bad_version)
{
    struct bld b;
    build(&b, "HEAP", 1, 8, 1, 32);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_E_UNSUPPORTED);
}

Test(lheap, truncated_header)
{
    struct bld b;
    build(&b, "HEAP", 0, 8, 1, 32);
    b.n = 20;
    cr_assert_eq(load_code(&b), H5RD_E_TRUNCATED);
}

Test(lheap, data_segment_past_eof)
{
    struct bld b;
    build(&b, "HEAP", 0, 4096, 1, 32);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_E_TRUNCATED);
}

Test(lheap, huge_data_segment_size)
{
    struct bld b;
    build(&b, "HEAP", 0, UINT64_MAX - 1, 1, 32);
    bld_zeros(&b, 8);
    h5rd_err e = load_code(&b);
    cr_assert(e == H5RD_E_LIMIT || e == H5RD_E_TRUNCATED);
}

Test(lheap, free_list_outside_segment)
{
    struct bld b;
    build(&b, "HEAP", 0, 8, 64, 32);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_E_CORRUPT);
}

Test(lheap, undefined_data_address)
{
    struct bld b;
    build(&b, "HEAP", 0, 8, 1, UINT64_MAX);
    bld_zeros(&b, 8);
    cr_assert_eq(load_code(&b), H5RD_E_CORRUPT);
}
