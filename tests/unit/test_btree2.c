/*
 * test_btree2.c - version 2 B-trees (Spec v3.0 III.A.2): hand-built trees of depth 0, 1 and 2
 * (node size 512, 11-byte records: leaf capacity 45, 1-byte child counts, 2-byte subtree
 * totals at depth 2), good and malformed.
 */
#include <criterion/criterion.h>

#include "btree/btree.h"
#include "builder.h"
#include "rawfile.h"

#include <string.h>

#define NODE 512
#define REC 11
#define TYPE 5

static void hdr(struct bld *b, size_t at, uint16_t depth, uint64_t root, uint16_t root_n,
                uint64_t total)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "BTHD");
    bld_u8(b, 0);
    bld_u8(b, TYPE);
    bld_u32(b, NODE);
    bld_u16(b, REC);
    bld_u16(b, depth);
    bld_u8(b, 100);
    bld_u8(b, 40);
    bld_u64(b, root);
    bld_u16(b, root_n);
    bld_u64(b, total);
    bld_lookup3(b, at);
}

static void rec(struct bld *b, uint64_t v)
{
    bld_u64(b, v);
    bld_zeros(b, REC - 8);
}

static void leaf(struct bld *b, size_t at, unsigned n, const uint64_t *vals)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "BTLF");
    bld_u8(b, 0);
    bld_u8(b, TYPE);
    for (unsigned i = 0; i < n; i++) {
        rec(b, vals[i]);
    }
    bld_lookup3(b, at);
}

/* Internal node at 'depth': n records, n+1 children with their record counts and (depth > 1)
 * subtree totals in 2 bytes. */
static void internal(struct bld *b, size_t at, unsigned depth, unsigned n, const uint64_t *vals,
                     const uint64_t *kids, const uint64_t *kid_n, const uint64_t *kid_total)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "BTIN");
    bld_u8(b, 0);
    bld_u8(b, TYPE);
    for (unsigned i = 0; i < n; i++) {
        rec(b, vals[i]);
    }
    for (unsigned i = 0; i <= n; i++) {
        bld_u64(b, kids[i]);
        bld_u8(b, kid_n[i]);
        if (depth > 1) {
            bld_u16(b, kid_total[i]);
        }
    }
    bld_lookup3(b, at);
}

struct seen {
    uint64_t n;
    uint64_t v[128];
};

static h5rd_err cb(const uint8_t *r, size_t rn, void *ud, struct h5rd_error *ec)
{
    (void)ec;
    struct seen *s = ud;
    cr_assert_eq(rn, REC);
    cr_assert_lt(s->n, 128);
    memcpy(&s->v[s->n++], r, 8);
    return H5RD_OK;
}

static h5rd_err iterate(struct bld *b, uint8_t expect, uint32_t flags, uint32_t max_depth,
                        struct seen *s)
{
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b->p, b->n, 8, 8, 4, 16, &ec), H5RD_OK);
    f.flags = flags;
    if (max_depth != 0) {
        f.limits.max_btree_depth = max_depth;
    }
    memset(s, 0, sizeof *s);
    h5rd_err e = h5rd__bt2_iterate(&f, 0, expect, cb, s, &ec);
    if (e != H5RD_OK) {
        cr_assert_eq(ec.code, e);
    }
    rawfile_close(&f);
    return e;
}

static void check_seq(const struct seen *s, const uint64_t *want, unsigned n)
{
    cr_assert_eq(s->n, n, "got %lu records", (unsigned long)s->n);
    for (unsigned i = 0; i < n; i++) {
        cr_assert_eq(s->v[i], want[i], "record %u: %lu", i, (unsigned long)s->v[i]);
    }
}

static void build_leaf_only(struct bld *b, uint16_t n)
{
    bld_init(b);
    hdr(b, 0, 0, 100, n, n);
    uint64_t vals[64];
    for (unsigned i = 0; i < 64; i++) {
        vals[i] = i + 1;
    }
    leaf(b, 100, n, vals);
}

Test(btree2, info_and_leaf_root)
{
    struct bld b;
    build_leaf_only(&b, 3);
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b.p, b.n, 8, 8, 4, 16, &ec), H5RD_OK);
    struct h5rd__bt2_info info;
    cr_assert_eq(h5rd__bt2_info(&f, 0, &info, &ec), H5RD_OK);
    cr_assert_eq(info.type, TYPE);
    cr_assert_eq(info.node_nbytes, NODE);
    cr_assert_eq(info.rec_nbytes, REC);
    cr_assert_eq(info.depth, 0);
    cr_assert_eq(info.root_addr, 100);
    cr_assert_eq(info.root_nrecords, 3);
    cr_assert_eq(info.total_nrecords, 3);
    rawfile_close(&f);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    uint64_t want[] = {1, 2, 3};
    check_seq(&s, want, 3);
    cr_assert_eq(iterate(&b, 0, 0, 0, &s), H5RD_OK);
    cr_assert_eq(iterate(&b, 6, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, empty_tree)
{
    struct bld b;
    bld_init(&b);
    hdr(&b, 0, 0, UINT64_MAX, 0, 0);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    cr_assert_eq(s.n, 0);
    bld_free(&b);
}

Test(btree2, depth1_in_order)
{
    struct bld b;
    bld_init(&b);
    hdr(&b, 0, 1, 100, 2, 8);
    uint64_t rv[] = {10, 20}, kids[] = {300, 500, 700}, kn[] = {3, 2, 1};
    internal(&b, 100, 1, 2, rv, kids, kn, NULL);
    uint64_t l0[] = {1, 2, 3}, l1[] = {11, 12}, l2[] = {21};
    leaf(&b, 300, 3, l0);
    leaf(&b, 500, 2, l1);
    leaf(&b, 700, 1, l2);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    uint64_t want[] = {1, 2, 3, 10, 11, 12, 20, 21};
    check_seq(&s, want, 8);
    bld_free(&b);
}

static void build_depth2(struct bld *b)
{
    bld_init(b);
    hdr(b, 0, 2, 100, 1, 7);
    uint64_t rv[] = {50}, kids[] = {1000, 2000}, kn[] = {1, 1}, kt[] = {3, 3};
    internal(b, 100, 2, 1, rv, kids, kn, kt);
    uint64_t r1[] = {20}, k1[] = {3000, 3200}, n1[] = {1, 1};
    internal(b, 1000, 1, 1, r1, k1, n1, NULL);
    uint64_t r2[] = {70}, k2[] = {3400, 3600}, n2[] = {1, 1};
    internal(b, 2000, 1, 1, r2, k2, n2, NULL);
    uint64_t a[] = {10}, c[] = {30}, d[] = {60}, e[] = {80};
    leaf(b, 3000, 1, a);
    leaf(b, 3200, 1, c);
    leaf(b, 3400, 1, d);
    leaf(b, 3600, 1, e);
}

Test(btree2, depth2_in_order)
{
    struct bld b;
    build_depth2(&b);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    uint64_t want[] = {10, 20, 30, 50, 60, 70, 80};
    check_seq(&s, want, 7);
    bld_free(&b);
}

Test(btree2, header_checksum)
{
    struct bld b;
    build_leaf_only(&b, 3);
    b.p[12] ^= 1; /* depth's low byte: still a plausible header */
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_CHECKSUM);
    bld_free(&b);
}

Test(btree2, node_checksum_and_skip_flag)
{
    struct bld b;
    build_leaf_only(&b, 3);
    b.p[100 + 6] = 99; /* first record's value */
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_CHECKSUM);
    cr_assert_eq(s.n, 0, "no record may be reported from an unverified node");
    cr_assert_eq(iterate(&b, TYPE, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_OK);
    cr_assert_eq(s.v[0], 99);
    bld_free(&b);
}

Test(btree2, bad_signatures)
{
    struct bld b;
    build_leaf_only(&b, 3);
    b.p[0] = 'X';
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
    build_leaf_only(&b, 3);
    b.p[100] = 'X';
    cr_assert_eq(iterate(&b, TYPE, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, depth_exceeds_limit)
{
    struct bld b;
    build_depth2(&b);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 1, &s), H5RD_E_LIMIT);
    bld_free(&b);
    bld_init(&b);
    hdr(&b, 0, 60000, 100, 1, 1);
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_LIMIT);
    bld_free(&b);
}

Test(btree2, impossible_depth_for_node_size)
{
    /* Depth 64 fits the limit but the subtree capacities overflow 64 bits. */
    struct bld b;
    bld_init(&b);
    hdr(&b, 0, 64, 100, 1, 1);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, root_record_count_over_capacity)
{
    struct bld b;
    build_leaf_only(&b, 46); /* (512 - 10) / 11 = 45 */
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
    build_leaf_only(&b, 45);
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    cr_assert_eq(s.n, 45);
    bld_free(&b);
}

Test(btree2, child_record_count_over_capacity)
{
    struct bld b;
    bld_init(&b);
    hdr(&b, 0, 1, 100, 1, 2);
    uint64_t rv[] = {10}, kids[] = {300, 500}, kn[] = {200, 1};
    internal(&b, 100, 1, 1, rv, kids, kn, NULL);
    uint64_t l0[] = {1}, l1[] = {11};
    leaf(&b, 300, 1, l0);
    leaf(&b, 500, 1, l1);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, node_type_mismatch)
{
    struct bld b;
    build_leaf_only(&b, 3);
    b.p[105] = 6;
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, truncated_node)
{
    struct bld b;
    build_leaf_only(&b, 3);
    b.n = 120;
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_E_TRUNCATED);
    bld_free(&b);
}

Test(btree2, bad_header_fields)
{
    struct bld b;
    struct seen s;
    bld_init(&b);
    hdr(&b, 0, 0, 100, 0, 0);
    b.p[5] = 0; /* record type 0 */
    cr_assert_eq(iterate(&b, 0, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
    bld_init(&b);
    hdr(&b, 0, 0, 100, 0, 0);
    bld_patch(&b, 6, 16, 4); /* node size 16: no room for an 11-byte record */
    cr_assert_eq(iterate(&b, 0, H5RD_OPEN_SKIP_CHECKSUMS, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree2, shared_children_bounded)
{
    /* Every child pointer of a depth-1 root names the same leaf: allowed once per slot, but
     * the total bytes visited may not exceed the file. Here it does not, and the walk ends. */
    struct bld b;
    bld_init(&b);
    hdr(&b, 0, 1, 100, 2, 3);
    uint64_t rv[] = {10, 20}, kids[] = {300, 300, 300}, kn[] = {1, 1, 1};
    internal(&b, 100, 1, 2, rv, kids, kn, NULL);
    uint64_t l0[] = {1};
    leaf(&b, 300, 1, l0);
    struct seen s;
    cr_assert_eq(iterate(&b, TYPE, 0, 0, &s), H5RD_OK);
    uint64_t want[] = {1, 10, 1, 20, 1};
    check_seq(&s, want, 5);
    bld_free(&b);
}
