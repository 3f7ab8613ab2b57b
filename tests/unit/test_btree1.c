/*
 * test_btree1.c - version 1 B-trees (Spec v3.0 III.A.1): hand-built group (type 0) and chunk
 * (type 1) trees, good and malformed.
 */
#include <criterion/criterion.h>

#include "btree/btree.h"
#include "builder.h"
#include "rawfile.h"

#include <string.h>

/* Writes a type-0 node at 'at' (8-byte sizes): n children, keys k[0..n]. */
static void node0(struct bld *b, size_t at, uint8_t type, uint8_t level, uint16_t n,
                  const uint64_t *keys, const uint64_t *kids)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "TREE");
    bld_u8(b, type);
    bld_u8(b, level);
    bld_u16(b, n);
    bld_u64(b, UINT64_MAX);
    bld_u64(b, UINT64_MAX);
    for (unsigned i = 0; i < n; i++) {
        bld_u64(b, keys[i]);
        bld_u64(b, kids[i]);
    }
    if (n > 0) {
        bld_u64(b, keys[n]);
    }
}

struct seen {
    uint64_t n;
    uint64_t kids[64];
    uint64_t keys[64];
    uint64_t stop_at; /* stop with H5RD_E_RANGE after this many, 0 = never */
};

static h5rd_err cb(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                   uint64_t child, void *ud, struct h5rd_error *ec)
{
    (void)f;
    (void)ec;
    struct seen *s = ud;
    cr_assert_lt(s->n, 64);
    uint64_t k = 0;
    memcpy(&k, key, key_nbytes < 8 ? key_nbytes : 8);
    s->kids[s->n] = child;
    s->keys[s->n] = k;
    s->n++;
    if (s->stop_at != 0 && s->n == s->stop_at) {
        return H5RD_E_RANGE;
    }
    return H5RD_OK;
}

static h5rd_err iterate(struct bld *b, uint64_t addr, uint8_t type, uint32_t ndims,
                        uint32_t max_depth, struct seen *s)
{
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b->p, b->n, 8, 8, 4, 16, &ec), H5RD_OK);
    if (max_depth != 0) {
        f.limits.max_btree_depth = max_depth;
    }
    h5rd_err e = h5rd__bt1_iterate(&f, addr, type, ndims, cb, s, &ec);
    if (e != H5RD_OK && e != H5RD_E_RANGE) {
        cr_assert_eq(ec.code, e, "recorded %d returned %d", ec.code, e);
        cr_log_info("%s", ec.what);
    }
    rawfile_close(&f);
    return e;
}

static h5rd_err count_cb(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                         uint64_t child, void *ud, struct h5rd_error *ec)
{
    (void)f;
    (void)key;
    (void)key_nbytes;
    (void)child;
    (void)ec;
    (*(uint64_t *)ud)++;
    return H5RD_OK;
}

/* Root (level 1) at 0 with leaves at 200 and 400, each with two children. */
static void build_two_level(struct bld *b)
{
    bld_init(b);
    uint64_t rk[] = {0, 20, 40}, rc[] = {200, 400};
    node0(b, 0, 0, 1, 2, rk, rc);
    uint64_t k1[] = {0, 10, 20}, c1[] = {1000, 1100};
    node0(b, 200, 0, 0, 2, k1, c1);
    uint64_t k2[] = {20, 30, 40}, c2[] = {1200, 1300};
    node0(b, 400, 0, 0, 2, k2, c2);
}

Test(btree1, group_tree_in_order)
{
    struct bld b;
    build_two_level(&b);
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_OK);
    cr_assert_eq(s.n, 4);
    uint64_t want_kids[] = {1000, 1100, 1200, 1300}, want_keys[] = {0, 10, 20, 30};
    for (unsigned i = 0; i < 4; i++) {
        cr_assert_eq(s.kids[i], want_kids[i]);
        cr_assert_eq(s.keys[i], want_keys[i]);
    }
    bld_free(&b);
}

Test(btree1, callback_stops_iteration)
{
    struct bld b;
    build_two_level(&b);
    struct seen s = {0};
    s.stop_at = 3;
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_RANGE);
    cr_assert_eq(s.n, 3);
    bld_free(&b);
}

Test(btree1, empty_root)
{
    struct bld b;
    bld_init(&b);
    node0(&b, 0, 0, 0, 0, NULL, NULL);
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_OK);
    cr_assert_eq(s.n, 0);
    bld_free(&b);
}

Test(btree1, chunk_tree_keys)
{
    /* ndims 3: chunk size, filter mask, 3 offsets. */
    struct bld b;
    bld_init(&b);
    bld_str(&b, "TREE");
    bld_u8(&b, 1);
    bld_u8(&b, 0);
    bld_u16(&b, 2);
    bld_u64(&b, UINT64_MAX);
    bld_u64(&b, UINT64_MAX);
    for (unsigned i = 0; i < 3; i++) {
        bld_u32(&b, 100 + i); /* chunk size: read back as the low bytes of the key */
        bld_u32(&b, 0);
        bld_u64(&b, i * 10);
        bld_u64(&b, 0);
        bld_u64(&b, 0);
        if (i < 2) {
            bld_u64(&b, 5000 + i);
        }
    }
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 1, 3, 0, &s), H5RD_OK);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.kids[1], 5001);
    cr_assert_eq(s.keys[1], 101);
    /* Wrong dimensionality shifts the layout: the trailing bytes run out. */
    struct seen s2 = {0};
    h5rd_err e4 = iterate(&b, 0, 1, 4, 0, &s2);
    cr_assert_eq(e4, H5RD_E_TRUNCATED, "got %d", e4);
    struct seen s3 = {0};
    cr_assert_eq(iterate(&b, 0, 1, 0, 0, &s3), H5RD_E_CORRUPT);
    cr_assert_eq(iterate(&b, 0, 1, 40, 0, &s3), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, child_level_not_decreasing)
{
    struct bld b;
    bld_init(&b);
    uint64_t rk[] = {0, 20}, rc[] = {200};
    node0(&b, 0, 0, 2, 1, rk, rc);
    uint64_t k1[] = {0, 10}, c1[] = {1000};
    node0(&b, 200, 0, 2, 1, k1, c1); /* should be level 1 */
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, self_referencing_node)
{
    struct bld b;
    bld_init(&b);
    uint64_t rk[] = {0, 20}, rc[] = {0};
    node0(&b, 0, 0, 1, 1, rk, rc);
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, shared_subtrees_bounded)
{
    /* A level-3 chain where every internal node lists the same child 32 times: 32^3 leaf
     * visits would be legal per level, but the node-bytes budget stops it. */
    struct bld b;
    bld_init(&b);
    uint64_t keys[33], kids[32];
    for (unsigned i = 0; i < 33; i++) {
        keys[i] = i;
    }
    for (unsigned lvl = 3; lvl >= 1; lvl--) {
        for (unsigned i = 0; i < 32; i++) {
            kids[i] = (uint64_t)(4 - lvl) * 1024;
        }
        node0(&b, (size_t)(3 - lvl) * 1024, 0, (uint8_t)lvl, 32, keys, kids);
    }
    for (unsigned i = 0; i < 32; i++) {
        kids[i] = 9000 + i;
    }
    node0(&b, 3 * 1024, 0, 0, 32, keys, kids);
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open_memory(&f, b.p, b.n, 8, 8, 4, 16, &ec), H5RD_OK);
    uint64_t count = 0;
    cr_assert_eq(h5rd__bt1_iterate(&f, 0, 0, 0, count_cb, &count, &ec), H5RD_E_CORRUPT);
    cr_assert_lt(count, 32 * 8);
    rawfile_close(&f);
    bld_free(&b);
}

Test(btree1, node_type_mismatch)
{
    struct bld b;
    build_two_level(&b);
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 1, 1, 0, &s), H5RD_E_CORRUPT);
    b.p[200 + 4] = 1; /* leaf claims to be a chunk node */
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, more_entries_than_2k)
{
    struct bld b;
    bld_init(&b);
    uint64_t keys[34], kids[33];
    for (unsigned i = 0; i < 34; i++) {
        keys[i] = i;
    }
    for (unsigned i = 0; i < 33; i++) {
        kids[i] = 5000 + i;
    }
    node0(&b, 0, 0, 0, 33, keys, kids); /* K = 16 allows 32 */
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, truncated_node)
{
    struct bld b;
    build_two_level(&b);
    b.n = 400 + 30; /* second leaf cut short */
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_TRUNCATED);
    cr_assert_eq(s.n, 2);
    bld_free(&b);
}

Test(btree1, bad_signature)
{
    struct bld b;
    build_two_level(&b);
    b.p[200] = 'X';
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, undefined_child)
{
    struct bld b;
    build_two_level(&b);
    bld_patch(&b, 24 + 8, UINT64_MAX, 8); /* root's first child */
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 0, &s), H5RD_E_CORRUPT);
    bld_free(&b);
}

Test(btree1, depth_limit)
{
    struct bld b;
    build_two_level(&b);
    b.p[5] = 5; /* root claims level 5 */
    struct seen s = {0};
    cr_assert_eq(iterate(&b, 0, 0, 0, 3, &s), H5RD_E_LIMIT);
    bld_free(&b);
}
