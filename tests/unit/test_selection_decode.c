/*
 * test_selection_decode.c - serialized dataspace selections (src/select; Spec v3.0 "Dataspace
 * Selection" encodings): every type and version, unlimited values, block lists rebuilt into
 * regular form as libhdf5 does, malformed and truncated input, counts, bounds, unlimited
 * clipping and the element-run iterator.
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "rawfile.h"
#include "select/select.h"

#include <string.h>

static struct h5rd_file F;
static struct h5rd_error EC;

static void setup(void)
{
    static const uint8_t dummy[64];
    cr_assert_eq(rawfile_open_memory(&F, dummy, sizeof dummy, 8, 8, 4, 16, &EC), H5RD_OK);
}
static void teardown(void)
{
    rawfile_close(&F);
}

TestSuite(sel, .init = setup, .fini = teardown);

/* Decodes the whole builder; checks that all bytes were consumed on success. */
static h5rd_err dec(struct bld *b, struct h5rd__sel *s)
{
    h5rd__err_clear(&EC);
    struct h5rd_cur c = h5rd__cur_make(b->p, b->n, 0, 8, 8, &EC);
    h5rd_err e = h5rd__sel_decode(&F, &c, 1000, s, &EC);
    if (e == H5RD_OK) {
        cr_assert_eq(c.pos, b->n, "decoder left %zu of %zu bytes", b->n - c.pos, b->n);
    } else {
        cr_assert_eq(EC.code, e);
    }
    return e;
}

Test(sel, all_and_none)
{
    struct bld b;
    struct h5rd__sel s;
    bld_init(&b);
    bld_u32(&b, 3);
    bld_u32(&b, 1);
    bld_zeros(&b, 8);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert_eq(s.type, H5RD__SEL_ALL);
    uint64_t dims[2] = {3, 4}, n;
    cr_assert_eq(h5rd__sel_npoints(&s, 2, dims, &n, &EC), H5RD_OK);
    cr_assert_eq(n, 12);
    h5rd__sel_free(&F, &s);
    b.p[0] = 0;
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert_eq(s.type, H5RD__SEL_NONE);
    cr_assert_eq(h5rd__sel_npoints(&s, 2, dims, &n, &EC), H5RD_OK);
    cr_assert_eq(n, 0);
    h5rd__sel_free(&F, &s);
    b.p[4] = 2; /* version 2 of "all" does not exist */
    b.p[0] = 3;
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    b.p[4] = 1;
    b.p[0] = 9; /* unknown type */
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    b.n = 12; /* truncated */
    b.p[0] = 3;
    cr_assert_eq(dec(&b, &s), H5RD_E_TRUNCATED);
    bld_free(&b);
}

Test(sel, points_v1_and_v2)
{
    struct bld b;
    struct h5rd__sel s;
    /* bytes h5py 1.10.8 wrote for points (3,4),(1,1),(3,4) */
    bld_init(&b);
    bld_u32(&b, 1);
    bld_u32(&b, 1);
    bld_u32(&b, 0);
    bld_u32(&b, 32);
    bld_u32(&b, 2);
    bld_u32(&b, 3);
    uint32_t pts[] = {3, 4, 1, 1, 3, 4};
    for (int i = 0; i < 6; i++) {
        bld_u32(&b, pts[i]);
    }
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert_eq(s.type, H5RD__SEL_POINTS);
    cr_assert_eq(s.rank, 2);
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.coords[2], 1);
    cr_assert_eq(s.coords[5], 4);
    uint64_t st[2], en[2];
    cr_assert(h5rd__sel_bounds(&s, 2, NULL, st, en));
    cr_assert(st[0] == 1 && st[1] == 1 && en[0] == 3 && en[1] == 4);
    /* iterator: list order, runs of one */
    struct h5rd__sel_iter it;
    uint64_t dims[2] = {10, 10}, co[2], len;
    cr_assert_eq(h5rd__sel_iter_init(&it, &s, 2, dims, &EC), H5RD_OK);
    cr_assert(h5rd__sel_iter_next(&it, co, &len));
    cr_assert(co[0] == 3 && co[1] == 4 && len == 1);
    cr_assert(h5rd__sel_iter_next(&it, co, &len));
    cr_assert(co[0] == 1 && co[1] == 1);
    cr_assert(h5rd__sel_iter_next(&it, co, &len));
    cr_assert(!h5rd__sel_iter_next(&it, co, &len));
    h5rd__sel_free(&F, &s);
    /* more points than bytes */
    bld_patch(&b, 20, 4, 4);
    cr_assert_eq(dec(&b, &s), H5RD_E_TRUNCATED);
    /* a count past the caller's bound */
    bld_patch(&b, 20, 2000, 4);
    cr_assert_eq(dec(&b, &s), H5RD_E_LIMIT);
    bld_free(&b);

    /* version 2, 2-byte values */
    bld_init(&b);
    bld_u32(&b, 1);
    bld_u32(&b, 2);
    bld_u8(&b, 2);
    bld_u32(&b, 1);
    bld_u16(&b, 2);
    bld_u16(&b, 7);
    bld_u16(&b, 65535);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.rank == 1 && s.n == 2 && s.coords[0] == 7 && s.coords[1] == 65535);
    h5rd__sel_free(&F, &s);
    b.p[8] = 3; /* no such encoded size */
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    b.p[8] = 2;
    b.p[9] = 0; /* rank 0 */
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

/* hyperslab v1 block list: nblocks blocks of rank 2 */
static void hyper_v1(struct bld *b, const uint32_t *blocks, uint32_t nblocks)
{
    bld_init(b);
    bld_u32(b, 2);
    bld_u32(b, 1);
    bld_u32(b, 0);
    bld_u32(b, 8 + nblocks * 16);
    bld_u32(b, 2);
    bld_u32(b, nblocks);
    for (uint32_t i = 0; i < nblocks * 4; i++) {
        bld_u32(b, blocks[i]);
    }
}

Test(sel, hyperslab_v1_regular_rebuilt)
{
    struct bld b;
    struct h5rd__sel s;
    /* h5py's encoding of start (2,2) stride (5,5) count (3,2) block (2,2): 6 blocks */
    uint32_t bl[] = {2, 2, 3, 3, 2, 7, 3, 8, 7, 2, 8, 3, 7, 7, 8, 8, 12, 2, 13, 3, 12, 7, 13, 8};
    hyper_v1(&b, bl, 6);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.regular && !s.stored_regular);
    cr_assert(s.start[0] == 2 && s.start[1] == 2);
    cr_assert(s.stride[0] == 5 && s.stride[1] == 5);
    cr_assert(s.count[0] == 3 && s.count[1] == 2);
    cr_assert(s.block[0] == 2 && s.block[1] == 2);
    uint64_t n;
    cr_assert_eq(h5rd__sel_npoints(&s, 2, NULL, &n, &EC), H5RD_OK);
    cr_assert_eq(n, 24);
    /* iterator in C order: row 2 has runs at 2 and 7, row 3 too, then row 7 ... */
    struct h5rd__sel_iter it;
    uint64_t dims[2] = {20, 20}, co[2], len, nrun = 0, nel = 0;
    cr_assert_eq(h5rd__sel_iter_init(&it, &s, 2, dims, &EC), H5RD_OK);
    uint64_t expect_rows[] = {2, 2, 3, 3, 7, 7, 8, 8, 12, 12, 13, 13};
    while (h5rd__sel_iter_next(&it, co, &len)) {
        cr_assert_lt(nrun, 12);
        cr_assert_eq(co[0], expect_rows[nrun]);
        cr_assert_eq(co[1], nrun % 2 ? 7 : 2);
        cr_assert_eq(len, 2);
        nrun++;
        nel += len;
    }
    cr_assert_eq(nel, 24);
    h5rd__sel_free(&F, &s);
    /* one block: count 1, stride 1 */
    uint32_t one[] = {1, 2, 1, 7};
    bld_free(&b);
    hyper_v1(&b, one, 1);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.regular && s.count[0] == 1 && s.stride[0] == 1 && s.block[1] == 6);
    h5rd__sel_free(&F, &s);
    bld_free(&b);
}

Test(sel, hyperslab_v1_irregular)
{
    struct bld b;
    struct h5rd__sel s;
    /* blocks (0,0)-(1,3) and (5,5)-(6,7): not a product pattern */
    uint32_t bl[] = {0, 0, 1, 3, 5, 5, 6, 7};
    hyper_v1(&b, bl, 2);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(!s.regular);
    cr_assert_eq(s.n, 2);
    uint64_t n, st[2], en[2];
    cr_assert_eq(h5rd__sel_npoints(&s, 2, NULL, &n, &EC), H5RD_OK);
    cr_assert_eq(n, 8 + 6);
    cr_assert(h5rd__sel_bounds(&s, 2, NULL, st, en));
    cr_assert(st[0] == 0 && st[1] == 0 && en[0] == 6 && en[1] == 7);
    struct h5rd__sel_iter it;
    uint64_t dims[2] = {10, 10}, co[2], len;
    cr_assert_eq(h5rd__sel_iter_init(&it, &s, 2, dims, &EC), H5RD_OK);
    uint64_t want[][3] = {{0, 0, 4}, {1, 0, 4}, {5, 5, 3}, {6, 5, 3}};
    for (int k = 0; k < 4; k++) {
        cr_assert(h5rd__sel_iter_next(&it, co, &len));
        cr_assert(co[0] == want[k][0] && co[1] == want[k][1] && len == want[k][2],
                  "run %d: (%lu,%lu)+%lu", k, (unsigned long)co[0], (unsigned long)co[1],
                  (unsigned long)len);
    }
    cr_assert(!h5rd__sel_iter_next(&it, co, &len));
    h5rd__sel_free(&F, &s);
    /* an inverted block */
    bld_patch(&b, 24, 9, 4);
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    bld_free(&b);
    /* span tree shape: rows 0-3 share two column ranges (C order interleaves the blocks) */
    uint32_t sp[] = {0, 0, 3, 1, 0, 5, 3, 6};
    hyper_v1(&b, sp, 2);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.regular, "two column blocks over the same rows form a regular pattern");
    h5rd__sel_free(&F, &s);
    bld_free(&b);
    uint32_t sp2[] = {0, 0, 3, 1, 0, 5, 3, 6, 5, 0, 5, 0};
    hyper_v1(&b, sp2, 3);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(!s.regular);
    cr_assert_eq(h5rd__sel_iter_init(&it, &s, 2, dims, &EC), H5RD_OK);
    uint64_t want2[][3] = {{0, 0, 2}, {0, 5, 2}, {1, 0, 2}, {1, 5, 2}, {2, 0, 2},
                           {2, 5, 2}, {3, 0, 2}, {3, 5, 2}, {5, 0, 1}};
    for (int k = 0; k < 9; k++) {
        cr_assert(h5rd__sel_iter_next(&it, co, &len));
        cr_assert(co[0] == want2[k][0] && co[1] == want2[k][1] && len == want2[k][2],
                  "run %d: (%lu,%lu)+%lu", k, (unsigned long)co[0], (unsigned long)co[1],
                  (unsigned long)len);
    }
    cr_assert(!h5rd__sel_iter_next(&it, co, &len));
    h5rd__sel_free(&F, &s);
    bld_free(&b);
}

Test(sel, hyperslab_v2_regular_unlimited)
{
    struct bld b;
    struct h5rd__sel s;
    /* h5py 1.10.8: start (0,0) stride (3,1) count (U,1) block (2,20) */
    bld_init(&b);
    bld_u32(&b, 2);
    bld_u32(&b, 2);
    bld_u8(&b, 1);
    bld_u32(&b, 68);
    bld_u32(&b, 2);
    uint64_t v[] = {0, 3, UINT64_MAX, 2, 0, 1, 1, 20};
    for (int i = 0; i < 8; i++) {
        bld_u64(&b, v[i]);
    }
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.regular && s.stored_regular);
    cr_assert_eq(s.unlim_dim, 0);
    cr_assert_eq(s.count[0], H5RD_UNLIMITED);
    uint64_t n;
    cr_assert_eq(h5rd__sel_npoints(&s, 2, NULL, &n, &EC), H5RD_OK);
    cr_assert_eq(n, H5RD_UNLIMITED);
    /* slices below extent 7: blocks at 0-1, 3-4, 6 (partial) = 5 */
    cr_assert_eq(h5rd__sel_unlim_slices(&s, 7), 5);
    cr_assert_eq(h5rd__sel_unlim_slices(&s, 0), 0);
    /* extent holding 5 slices: 2 full blocks + 1 -> 3*2+1 = 7 */
    cr_assert_eq(h5rd__sel_unlim_extent(&s, 5, false), 7);
    /* 4 slices end a block: without trailing gap 3+2 = 5, with it 6 */
    cr_assert_eq(h5rd__sel_unlim_extent(&s, 4, false), 5);
    cr_assert_eq(h5rd__sel_unlim_extent(&s, 4, true), 6);
    /* iterator clipped to extent 7 rows */
    struct h5rd__sel_iter it;
    uint64_t dims[2] = {7, 20}, co[2], len, rows = 0;
    cr_assert_eq(h5rd__sel_iter_init(&it, &s, 2, dims, &EC), H5RD_OK);
    while (h5rd__sel_iter_next(&it, co, &len)) {
        cr_assert_eq(len, 20);
        rows++;
    }
    cr_assert_eq(rows, 5);
    h5rd__sel_free(&F, &s);
    /* unknown flag */
    b.p[8] = 3;
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    b.p[8] = 1;
    /* two unlimited dimensions */
    bld_patch(&b, 17 + 6 * 8, UINT64_MAX, 8);
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(sel, hyperslab_v3_sizes)
{
    struct bld b;
    struct h5rd__sel s;
    /* regular, 4-byte values, unlimited block as 0xffffffff */
    bld_init(&b);
    bld_u32(&b, 2);
    bld_u32(&b, 3);
    bld_u8(&b, 1);
    bld_u8(&b, 4);
    bld_u32(&b, 1);
    bld_u32(&b, 5);
    bld_u32(&b, 1);
    bld_u32(&b, 1);
    bld_u32(&b, 0xffffffffu);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(s.regular && s.start[0] == 5 && s.block[0] == H5RD_UNLIMITED && s.unlim_dim == 0);
    cr_assert_eq(h5rd__sel_unlim_slices(&s, 9), 4);
    cr_assert_eq(h5rd__sel_unlim_extent(&s, 4, false), 9);
    h5rd__sel_free(&F, &s);
    bld_free(&b);
    /* irregular, 2-byte values */
    bld_init(&b);
    bld_u32(&b, 2);
    bld_u32(&b, 3);
    bld_u8(&b, 0);
    bld_u8(&b, 2);
    bld_u32(&b, 1);
    bld_u16(&b, 2);
    bld_u16(&b, 1);
    bld_u16(&b, 2);
    bld_u16(&b, 6);
    bld_u16(&b, 9);
    cr_assert_eq(dec(&b, &s), H5RD_OK);
    cr_assert(!s.regular && s.n == 2);
    h5rd__sel_free(&F, &s);
    b.n -= 1; /* truncated */
    cr_assert_eq(dec(&b, &s), H5RD_E_TRUNCATED);
    b.n += 1;
    b.p[9] = 5; /* bad encoded size */
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    b.p[9] = 2;
    b.p[4] = 4; /* version 4 */
    cr_assert_eq(dec(&b, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(sel, truncations_never_crash)
{
    struct bld b;
    uint32_t bl[] = {2, 2, 3, 3, 2, 7, 3, 8};
    hyper_v1(&b, bl, 2);
    size_t full = b.n;
    for (size_t n = 0; n < full; n++) {
        struct h5rd__sel s;
        b.n = n;
        cr_assert_neq(dec(&b, &s), H5RD_OK, "decoded from %zu of %zu bytes", n, full);
    }
    bld_free(&b);
}
