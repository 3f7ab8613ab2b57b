/*
 * gheap.c - global heap collections ("GCOL"), Spec v3.0 III.E "Disk Format: Level 1E - Global
 * Heap".
 *
 * A collection is a header (signature, version 1, 3 reserved bytes, collection size) followed
 * by objects: index (2), reference count (2), reserved (4), size (size of lengths), then the
 * data padded to a multiple of 8 bytes. Index 0 is the free space that ends the collection.
 *
 * Invariants: only bytes both inside the stated collection size and present in the file are
 * examined; the walk advances by at least one object header per step, so it ends within the
 * collection; the returned view lies inside the collection.
 */
#include "heap/heap.h"

h5rd_err h5rd__gheap_get(const struct h5rd_file *f, uint64_t coll_addr, uint32_t index,
                         struct h5rd_view *obj_ret, struct h5rd_error *ec)
{
    const uint64_t sl = f->sb.size_of_lengths;
    const uint64_t hdr_nbytes = 8 + sl;
    const uint64_t objhdr_nbytes = 8 + sl;
    struct h5rd_view hv = {0};
    struct h5rd_view cv = {0};
    h5rd_err e = H5RD_OK;

    if (index == 0) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, coll_addr,
                         "global heap: object index 0 is free space");
    }
    H5RD_TRY(h5rd__io_view(f, coll_addr, hdr_nbytes, &hv, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &hv, ec);
    if ((e = h5rd__cur_sig(&c, "GCOL", "global heap: bad signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    (void)h5rd__cur_skip(&c, 3);
    uint64_t coll_nbytes = h5rd__cur_length(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 1) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, coll_addr, "global heap: unknown collection version");
        goto out;
    }
    if (coll_nbytes < hdr_nbytes) {
        e = H5RD_CORRUPT(ec, coll_addr, "global heap: collection smaller than its header");
        goto out;
    }
    if (coll_nbytes > f->limits.max_metadata_nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, coll_addr,
                      "global heap: collection exceeds max_metadata_nbytes");
        goto out;
    }
    /* Collections are usually 4096 bytes or more, but the last one of a file may be cut short
     * by a writer that stopped: trust only the bytes present. */
    if ((e = h5rd__io_view_upto(f, coll_addr, hdr_nbytes, coll_nbytes, &cv, ec)) != H5RD_OK) {
        goto out;
    }
    c = h5rd__view_cur(f, &cv, ec);
    (void)h5rd__cur_skip(&c, hdr_nbytes);
    /* Each step consumes at least one object header, so the walk ends within the view. */
    while (h5rd__cur_left(&c) >= objhdr_nbytes) {
        uint64_t at = h5rd__cur_addr_here(&c);
        uint16_t idx = h5rd__cur_u16(&c);
        (void)h5rd__cur_u16(&c); /* reference count */
        (void)h5rd__cur_skip(&c, 4);
        uint64_t size = h5rd__cur_length(&c);
        if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
            goto out;
        }
        if (idx == 0) {
            break; /* free space: the rest of the collection holds no objects */
        }
        if (size > h5rd__cur_left(&c)) {
            e = H5RD_FAIL(ec, H5RD_E_TRUNCATED, at, "global heap: object runs past the collection");
            goto out;
        }
        if (idx == index) {
            struct h5rd_view v = {cv.p + c.pos, (size_t)size, h5rd__cur_addr_here(&c), cv.owned};
            cv.owned = NULL; /* ownership of a copied collection moves to the caller's view */
            *obj_ret = v;
            goto out;
        }
        /* Data is padded to a multiple of 8; the padding of the last object may be missing. */
        uint64_t padded = (size + 7) & ~(uint64_t)7;
        if (padded < size || padded > h5rd__cur_left(&c)) {
            break;
        }
        (void)h5rd__cur_skip(&c, padded);
    }
    e = H5RD_FAIL(ec, H5RD_E_NOT_FOUND, coll_addr, "global heap: no object with that index");
out:
    h5rd__io_release(f, &cv);
    h5rd__io_release(f, &hv);
    return e;
}
