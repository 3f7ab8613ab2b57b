/*
 * test_select.c - the selection arithmetic of src/read/ (read_int.h): validation and
 * normalisation of hyperslabs and point lists, the blocks of a dimension that meet a chunk,
 * their runs and output positions, the chunks a selection touches along a dimension (checked
 * against brute force over many shapes), and the index merge sort.
 */
#include "read/read_int.h"

#include <criterion/criterion.h>
#include <string.h>

static struct h5rd_space space2(uint64_t d0, uint64_t d1)
{
    struct h5rd_space s;
    memset(&s, 0, sizeof s);
    s.kind = H5RD_SPACE_SIMPLE;
    s.rank = 2;
    s.dims[0] = s.maxdims[0] = d0;
    s.dims[1] = s.maxdims[1] = d1;
    return s;
}

static struct h5rd_space space1(uint64_t d0)
{
    struct h5rd_space s;
    memset(&s, 0, sizeof s);
    s.kind = H5RD_SPACE_SIMPLE;
    s.rank = 1;
    s.dims[0] = s.maxdims[0] = d0;
    return s;
}

Test(select, all_and_scalar_and_null)
{
    struct h5rd__sel s;
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_space sp = space2(10, 7);
    cr_assert_eq(h5rd__sel_init(&sp, NULL, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 70);
    cr_expect_eq(s.odown[0], 7);
    cr_expect_eq(s.odown[1], 1);
    struct h5rd_space sc;
    memset(&sc, 0, sizeof sc);
    sc.kind = H5RD_SPACE_SCALAR;
    cr_assert_eq(h5rd__sel_init(&sc, NULL, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 1);
    cr_expect_eq(s.rank, 1);
    sc.kind = H5RD_SPACE_NULL;
    cr_assert_eq(h5rd__sel_init(&sc, NULL, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 0);
    struct h5rd_space z = space2(0, 5);
    cr_assert_eq(h5rd__sel_init(&z, NULL, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 0);
}

Test(select, hyperslab_validation)
{
    struct h5rd__sel s;
    struct h5rd_error ec;
    struct h5rd_space sp = space2(10, 7);
    uint64_t start[2] = {1, 2}, stride[2] = {3, 2}, count[2] = {3, 3}, block[2] = {2, 1};
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, 2, start, stride, count, block, 0, NULL};
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 6 * 3);
    cr_expect_eq(s.odown[0], 3);
    /* last block ends at 1 + 2*3 + 2 = 9 <= 10; one more count goes past */
    count[0] = 4;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_RANGE);
    count[0] = 3;
    block[1] = 3; /* block > stride with count > 1: overlap */
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_INVAL);
    block[1] = 1;
    stride[0] = 0;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_INVAL);
    /* huge values overflow, reported as out of range rather than wrapping */
    stride[0] = UINT64_MAX / 2;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_RANGE);
    /* count 0: empty selection */
    stride[0] = 3;
    count[0] = 0;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_OK);
    cr_expect_eq(s.npoints, 0);
    /* touching blocks merge into one */
    uint64_t st1[1] = {2}, str1[1] = {2}, cnt1[1] = {3}, blk1[1] = {2};
    struct h5rd_space sp1 = space1(9);
    struct h5rd_selection s1 = {H5RD_SEL_HYPERSLAB, 1, st1, str1, cnt1, blk1, 0, NULL};
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__sel_init(&sp1, &s1, &s, &ec), H5RD_OK);
    cr_expect_eq(s.count[0], 1);
    cr_expect_eq(s.block[0], 6);
    cr_expect_eq(s.npoints, 6);
    /* rank mismatch */
    s1.rank = 2;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp1, &s1, &s, &ec), H5RD_E_INVAL);
}

Test(select, points_validation)
{
    struct h5rd__sel s;
    struct h5rd_error ec;
    struct h5rd_space sp = space2(4, 5);
    uint64_t pts[6] = {0, 0, 3, 4, 2, 1};
    struct h5rd_selection sel = {H5RD_SEL_POINTS, 2, NULL, NULL, NULL, NULL, 3, pts};
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_OK);
    cr_expect(s.is_points);
    cr_expect_eq(s.npoints, 3);
    pts[3] = 5;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_RANGE);
    sel.points = NULL;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_INVAL);
    sel.npoints = UINT64_MAX;
    sel.points = pts;
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__sel_init(&sp, &sel, &s, &ec), H5RD_E_LIMIT);
}

/* Brute force: the selected coordinates of dimension 0 of a 1-D selection, with output
 * positions, and the chunks they fall in. */
static void brute(const uint64_t *st, const uint64_t *str, const uint64_t *cnt,
                  const uint64_t *blk, uint64_t dim, uint64_t cd)
{
    struct h5rd_space sp = space1(dim);
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, 1, st, str, cnt, blk, 0, NULL};
    struct h5rd__sel s;
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    if (h5rd__sel_init(&sp, &sel, &s, &ec) != H5RD_OK) {
        return;
    }
    /* expected: position of each coordinate in the output, or -1 */
    int64_t pos[64];
    for (uint64_t x = 0; x < dim; x++) {
        pos[x] = -1;
    }
    int64_t p = 0;
    for (uint64_t i = 0; i < cnt[0]; i++) {
        for (uint64_t j = 0; j < blk[0]; j++) {
            pos[st[0] + i * str[0] + j] = p++;
        }
    }
    cr_assert_eq((uint64_t)p, s.npoints);
    /* chunks */
    uint64_t want[64], nw = 0;
    for (uint64_t c = 0; c * cd < dim; c++) {
        bool any = false;
        for (uint64_t x = c * cd; x < dim && x < (c + 1) * cd; x++) {
            any = any || pos[x] >= 0;
        }
        if (any) {
            want[nw++] = c;
        }
    }
    uint64_t got[64];
    uint64_t ng = h5rd__sel_dim_chunks(&s, 0, cd, got, 64);
    cr_assert_eq(ng, nw, "dim %lu st %lu str %lu cnt %lu blk %lu cd %lu", dim, st[0], str[0],
                 cnt[0], blk[0], cd);
    for (uint64_t k = 0; k < ng; k++) {
        cr_assert_eq(got[k], want[k]);
    }
    /* every chunk box: runs cover exactly the selected coordinates, with their positions */
    for (uint64_t c = 0; c * cd < dim; c++) {
        uint64_t lo = c * cd, hi = (c + 1) * cd < dim ? (c + 1) * cd : dim;
        int64_t seen[64];
        for (uint64_t x = 0; x < dim; x++) {
            seen[x] = -1;
        }
        uint64_t ilo, ihi;
        h5rd__sel_dim_blocks(&s, 0, lo, hi, &ilo, &ihi);
        for (uint64_t i = ilo; i < ihi; i++) {
            uint64_t x, len, pp;
            h5rd__sel_dim_run(&s, 0, i, lo, hi, &x, &len, &pp);
            cr_assert_gt(len, 0);
            for (uint64_t k = 0; k < len; k++) {
                cr_assert(x + k >= lo && x + k < hi);
                seen[x + k] = (int64_t)(pp + k);
            }
        }
        for (uint64_t x = lo; x < hi; x++) {
            cr_assert_eq(seen[x], pos[x], "x %lu", x);
        }
    }
}

Test(select, dim_arithmetic_brute_force)
{
    for (uint64_t dim = 1; dim <= 20; dim++) {
        for (uint64_t cd = 1; cd <= 7; cd++) {
            for (uint64_t st = 0; st < dim; st++) {
                for (uint64_t str = 1; str <= 5; str++) {
                    for (uint64_t blk = 1; blk <= str; blk++) {
                        for (uint64_t cnt = 1; cnt <= 6; cnt++) {
                            uint64_t a[1] = {st}, b[1] = {str}, c[1] = {cnt}, d[1] = {blk};
                            brute(a, b, c, d, dim, cd);
                        }
                    }
                }
            }
        }
    }
}

static int cmp_mod(uint64_t a, uint64_t b, const void *ctx)
{
    uint64_t m = *(const uint64_t *)ctx;
    return a % m < b % m ? -1 : (a % m > b % m ? 1 : 0);
}

Test(select, merge_sort_is_stable)
{
    for (uint64_t n = 0; n < 100; n++) {
        uint64_t v[100], tmp[100];
        for (uint64_t i = 0; i < n; i++) {
            v[i] = (i * 37) % 101;
        }
        uint64_t m = 7;
        h5rd__sort_idx(v, tmp, n, cmp_mod, &m);
        for (uint64_t i = 1; i < n; i++) {
            cr_assert(v[i - 1] % m <= v[i] % m);
            if (v[i - 1] % m == v[i] % m) {
                /* stability: original order was by (i*37)%101 position */
                uint64_t pa = 0, pb = 0;
                for (uint64_t k = 0; k < n; k++) {
                    if ((k * 37) % 101 == v[i - 1]) {
                        pa = k;
                    }
                    if ((k * 37) % 101 == v[i]) {
                        pb = k;
                    }
                }
                cr_assert_lt(pa, pb);
            }
        }
    }
}
