/*
 * btree1.c - version 1 B-trees ("TREE"), Spec v3.0 III.A.1 "Disk Format: Level 1A1 - Version 1
 * B-trees".
 *
 * A node is: signature, node type (0 group, 1 raw data chunks), node level (0 = leaf),
 * entries used (2), left and right sibling addresses, then keys and child pointers
 * interleaved: key 0, child 0, key 1, ..., child N-1, key N (the last key only when N > 0).
 * Group keys are a heap offset (size of lengths); chunk keys are chunk size (4), filter mask
 * (4) and ndims 8-byte offsets.
 *
 * Invariants: a node is parsed from a view of exactly the bytes its entry count needs; the
 * entry count is bounded by 2K when the superblock gives K; each child of an internal node
 * must have level = parent level - 1, so recursion depth equals the root's level, which is
 * bounded by limits.max_btree_depth, and a node can never (directly or indirectly) contain
 * itself. Shared subtrees are bounded by charging every visited node's bytes against the file
 * size: distinct nodes cannot hold more bytes than the file.
 */
#include "btree/btree.h"

#include "io/source.h"

struct bt1_walk {
    const struct h5rd_file *f;
    uint8_t node_type;
    uint64_t key_nbytes;
    uint64_t two_k;        /* 0 when unknown */
    uint64_t budget;       /* node bytes that may still be visited */
    h5rd__bt1_cb cb;
    void *ud;
    uint64_t child_prefetch_nbytes; /* leaves' children prefetched this far (0: not at all) */
};

static h5rd_err visit(struct bt1_walk *w, uint64_t addr, int expect_level, struct h5rd_error *ec)
{
    const struct h5rd_file *f = w->f;
    const uint64_t so = f->sb.size_of_offsets;
    const uint64_t hdr_nbytes = 8 + 2 * so;
    struct h5rd_view hv = {0};
    struct h5rd_view nv = {0};
    h5rd_err e = H5RD_OK;

    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "v1 B-tree: undefined node address");
    }
    H5RD_TRY(h5rd__io_view(f, addr, hdr_nbytes, &hv, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &hv, ec);
    if ((e = h5rd__cur_sig(&c, "TREE", "v1 B-tree: bad node signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t type = h5rd__cur_u8(&c);
    uint8_t level = h5rd__cur_u8(&c);
    uint16_t nentries = h5rd__cur_u16(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (type != w->node_type) {
        e = H5RD_CORRUPT(ec, addr, "v1 B-tree: node type differs from the tree's");
        goto out;
    }
    if (expect_level < 0) {
        if (level > w->f->limits.max_btree_depth) {
            e = H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "v1 B-tree: depth exceeds max_btree_depth");
            goto out;
        }
    } else if (level != (unsigned)expect_level) {
        e = H5RD_CORRUPT(ec, addr, "v1 B-tree: child level is not its parent's level minus one");
        goto out;
    }
    if (w->two_k != 0 && nentries > w->two_k) {
        e = H5RD_CORRUPT(ec, addr, "v1 B-tree: more entries than 2K");
        goto out;
    }
    /* Header, N (key, child) pairs and the final key. All factors are small: no overflow. */
    uint64_t node_nbytes = hdr_nbytes + (uint64_t)nentries * (w->key_nbytes + so) +
                           (nentries > 0 ? w->key_nbytes : 0);
    if ((e = h5rd__io_view(f, addr, node_nbytes, &nv, ec)) != H5RD_OK) {
        goto out;
    }
    if (node_nbytes > w->budget) {
        e = H5RD_CORRUPT(ec, addr, "v1 B-tree: nodes visited exceed the file (shared subtrees?)");
        goto out;
    }
    w->budget -= node_nbytes;
    c = h5rd__view_cur(f, &nv, ec);
    (void)h5rd__cur_skip(&c, hdr_nbytes);
    if (level == 0 && w->child_prefetch_nbytes != 0) {
        /* A group's symbol table nodes: each is first touched by the callback, one after the
         * other, each a cache miss of its own; asked for together, the misses overlap (issue
         * 13). The view holds every entry: nothing here can fail. */
        struct h5rd_cur pc = c;
        for (uint32_t i = 0; i < nentries; i++) {
            (void)h5rd__cur_skip(&pc, w->key_nbytes);
            h5rd__io_prefetch(f, h5rd__cur_offset(&pc), w->child_prefetch_nbytes);
        }
    }
    for (uint32_t i = 0; i < nentries; i++) {
        const uint8_t *key = h5rd__cur_bytes(&c, w->key_nbytes);
        uint64_t child = h5rd__cur_offset(&c);
        if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
            goto out;
        }
        if (level == 0) {
            if ((e = w->cb(f, key, (size_t)w->key_nbytes, child, w->ud, ec)) != H5RD_OK) {
                goto out;
            }
        } else if ((e = visit(w, child, (int)level - 1, ec)) != H5RD_OK) {
            goto out;
        }
    }
out:
    h5rd__io_release(f, &nv);
    h5rd__io_release(f, &hv);
    return e;
}

h5rd_err h5rd__bt1_iterate(const struct h5rd_file *f, uint64_t addr, uint8_t node_type,
                           uint32_t ndims, h5rd__bt1_cb cb, void *ud, struct h5rd_error *ec)
{
    struct bt1_walk w = {f, node_type, 0, 0, f->nbytes, cb, ud, 0};
    if (node_type == 0) {
        w.key_nbytes = f->sb.size_of_lengths;
        w.two_k = 2 * (uint64_t)f->sb.btree_internal_k;
        /* A symbol table node: 8 bytes, then 2 * (group leaf node K) entries of a name offset,
         * an address and 24 bytes (Spec v3.0 III.B, III.C, as group/symtab.c reads them): 328
         * bytes for the default K of 4. */
        uint64_t snod = 8 + 2 * (uint64_t)f->sb.sym_leaf_k *
                                (f->sb.size_of_lengths + f->sb.size_of_offsets + 24);
        w.child_prefetch_nbytes = snod < 1024 ? snod : 1024;
    } else if (node_type == 1) {
        if (ndims == 0 || ndims > H5RD_MAX_RANK + 1) {
            return H5RD_CORRUPT(ec, addr, "v1 B-tree: chunk key dimensionality out of range");
        }
        w.key_nbytes = 8 + 8 * (uint64_t)ndims;
        w.two_k = 2 * (uint64_t)f->sb.istore_k;
    } else {
        return H5RD_CORRUPT(ec, addr, "v1 B-tree: unknown node type");
    }
    return visit(&w, addr, -1, ec);
}
