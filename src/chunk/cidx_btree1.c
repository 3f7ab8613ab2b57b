/*
 * cidx_btree1.c - chunks indexed by a version 1 B-tree (Spec v3.0 III.A.1 "Disk Format: Level
 * 1A1 - Version 1 B-trees", node type 1; data layout message versions 1-3).
 *
 * The B-tree walk itself (levels, entry counts, shared subtrees) is src/btree/btree1.c; this
 * file turns each leaf child's left key into a chunk record. A key is the chunk's stored size
 * (4 bytes, present even for unfiltered datasets), its filter mask (4) and rank + 1 offsets of
 * 8 bytes: element coordinates of the chunk's first element, then the element-size dimension
 * (always 0, ignored). The child pointer is the chunk's address.
 *
 * As libhdf5 does (H5Dbtree.c converts key offsets to chunk indices by integer division), an
 * offset that is not a multiple of its chunk dimension is rounded down to one.
 */
#include "chunk/cidx_int.h"

#include "btree/btree.h"

struct bt1_ud {
    const struct h5rd__cidx *cx;
    h5rd__chunk_cb cb;
    void *ud;
};

static h5rd_err bt1_cb(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                       uint64_t child_addr, void *ud, struct h5rd_error *ec)
{
    struct bt1_ud *w = ud;
    const struct h5rd__cidx *cx = w->cx;
    struct h5rd_cur c = h5rd__cur_make(key, key_nbytes, H5RD_ADDR_UNDEF, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, ec);
    struct h5rd__chunk_rec rec;
    H5RD_TRY(h5rd__cur_need(&c, 8 + 8 * ((uint64_t)cx->rank + 1)));
    rec.nbytes = h5rd__cur_u32(&c);
    rec.filter_mask = h5rd__cur_u32(&c);
    for (unsigned i = 0; i < cx->rank; i++) {
        uint64_t off = h5rd__cur_u64(&c);
        rec.offset[i] = off - off % cx->chunk_dims[i];
    }
    for (unsigned i = cx->rank; i < H5RD_MAX_RANK; i++) {
        rec.offset[i] = 0;
    }
    uint64_t elem_off = h5rd__cur_u64(&c);
    H5RD_TRY(h5rd__cur_finish(&c));
    if (elem_off != 0) {
        /* libhdf5 compares all rank + 1 offsets when it looks a chunk up (H5D__btree_cmp3),
         * so it never finds such a chunk and reads fill values where the data is. */
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "v1 B-tree chunk key: element-size offset is not zero");
    }
    rec.addr = child_addr;
    return w->cb(&rec, w->ud, ec);
}

h5rd_err h5rd__cidx_btree1_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec)
{
    struct bt1_ud w = {cx, cb, ud};
    return h5rd__bt1_iterate(cx->f, cx->layout->pub.data_addr, 1, cx->rank + 1, bt1_cb, &w, ec);
}
