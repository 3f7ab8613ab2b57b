/*
 * cidx_btree2.c - chunks indexed by a version 2 B-tree (Spec v3.0 III.A.2 "Disk Format: Level
 * 1A2 - Version 2 B-trees", record types 10 and 11; data layout message version 4, index
 * type 5, used by libhdf5 for datasets with two or more unlimited dimensions).
 *
 * Type 10 (unfiltered): chunk address, then rank 8-byte scaled offsets (chunk indices, not
 * element coordinates). Type 11 (filtered): address, chunk size in the width libhdf5 derives
 * from the unfiltered chunk size (H5Dbtree2.c chunk_size_len), filter mask (4), scaled
 * offsets. The tree's record type must match whether the dataset is filtered and its record
 * size must be exactly what these fields take; the tree walk is src/btree/btree2.c.
 */
#include "chunk/cidx_int.h"

#include "btree/btree.h"

struct bt2_ud {
    const struct h5rd__cidx *cx;
    h5rd__chunk_cb cb;
    void *ud;
};

static h5rd_err bt2_cb(const uint8_t *raw, size_t rec_nbytes, void *ud, struct h5rd_error *ec)
{
    struct bt2_ud *w = ud;
    const struct h5rd__cidx *cx = w->cx;
    const struct h5rd_file *f = cx->f;
    struct h5rd_cur c = h5rd__cur_make(raw, rec_nbytes, H5RD_ADDR_UNDEF, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, ec);
    struct h5rd__chunk_rec rec;
    uint64_t scaled[H5RD_MAX_RANK];
    h5rd__cidx_elem_decode(cx, &c, &rec);
    for (unsigned i = 0; i < cx->rank; i++) {
        scaled[i] = h5rd__cur_u64(&c);
    }
    H5RD_TRY(h5rd__cur_finish(&c));
    H5RD_TRY(h5rd__cidx_scaled_to_offset(cx, scaled, cx->layout->pub.data_addr, &rec, ec));
    return w->cb(&rec, w->ud, ec);
}

h5rd_err h5rd__cidx_btree2_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec)
{
    const uint64_t addr = cx->layout->pub.data_addr;
    const uint8_t type = cx->filtered ? 11 : 10;
    struct h5rd__bt2_info info;
    H5RD_TRY(h5rd__bt2_info(cx->f, addr, &info, ec));
    if (info.type != type) {
        return H5RD_CORRUPT(ec, addr, "chunk v2 B-tree: record type does not match the filters");
    }
    uint64_t want = h5rd__cidx_elem_nbytes(cx) + 8 * (uint64_t)cx->rank;
    if (info.rec_nbytes != want) {
        return H5RD_CORRUPT(ec, addr, "chunk v2 B-tree: record size does not match the dataset");
    }
    struct bt2_ud w = {cx, cb, ud};
    return h5rd__bt2_iterate(cx->f, addr, type, bt2_cb, &w, ec);
}
