/*
 * msg_layout.c - Spec v3.0 IV.A.2.i "The Data Layout Message", versions 1-5, every class, and
 * Appendix C's chunk index parameters (single chunk, implicit, fixed array, extensible array,
 * version 2 B-tree).
 *
 * Version 5 (libhdf5 2.0, H5O_LAYOUT_VERSION_5, written with the H5F_LIBVER_V200 bounds; not yet
 * described in the format specification's text, whose "Changes for HDF5 2.0" lists only the
 * datatype message) has exactly version 4's encoding. What it changes is outside the message:
 * the stored size of a filtered chunk in fixed array, extensible array and v2 B-tree records
 * is a "Size of Lengths" field instead of version 4's width derived from the chunk size
 * (src/chunk/cidx.c), so that a filter may grow a chunk without overflowing it.
 * docs/format-notes.md "HDF5 2.0" has the bytes this was checked against.
 *
 * Versions 1 and 2: version, dimensionality, class, 5 reserved bytes, address (contiguous and
 * chunked), dimensionality 32-bit sizes, then for compact a 32-bit size and the data. As in
 * libhdf5 (H5Olayout.c), the sizes of a chunked layout are the chunk dimensions followed by the
 * element size, so "dimensionality" is the dataset rank + 1 in every version.
 *
 * Version 1/2 contiguous layouts do not store the data size; data_nbytes is set to the product
 * of the stored sizes (which include the element size) but may be truncated 32-bit values:
 * the dataset layer should compute the size from the dataspace and datatype instead (libhdf5
 * does). Invariants: chunk rank <= 32; chunk dimensions are non-zero; outputs on success only.
 */
#include "object/msg.h"

#include <string.h>

#define LAYOUT_MAX_NDIMS (H5RD_MAX_RANK + 1)
#define LAYOUT_V4_ALL_CHUNK_FLAGS 0x03u
#define LAYOUT_V4_SINGLE_FILTERED 0x02u

void h5rd__layout_free(const struct h5rd_file *f, struct h5rd__layout *l)
{
    if (l == NULL) {
        return;
    }
    h5rd__free(f, l->compact_data);
    l->compact_data = NULL;
}

/* Splits the stored chunk sizes (chunk dims + element size) into the public fields. */
static h5rd_err set_chunk_dims(struct h5rd__layout *l, const uint64_t *dims, unsigned ndims,
                               uint64_t at, struct h5rd_error *ec)
{
    if (ndims < 2 || ndims > LAYOUT_MAX_NDIMS) {
        return H5RD_CORRUPT(ec, at, "layout: bad chunk dimensionality");
    }
    for (unsigned i = 0; i < ndims; i++) {
        if (dims[i] == 0) {
            return H5RD_CORRUPT(ec, at, "layout: chunk dimension of zero");
        }
    }
    if (dims[ndims - 1] > UINT32_MAX) {
        return H5RD_CORRUPT(ec, at, "layout: element size too large");
    }
    l->pub.rank = ndims - 1;
    for (unsigned i = 0; i + 1 < ndims; i++) {
        l->pub.chunk_dims[i] = dims[i];
    }
    l->elem_nbytes = (uint32_t)dims[ndims - 1];
    return H5RD_OK;
}

static h5rd_err take_compact(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t n,
                             struct h5rd__layout *l)
{
    const uint8_t *p = h5rd__cur_bytes(c, n);
    H5RD_TRY(h5rd__cur_finish(c));
    l->compact_data = h5rd__malloc(f, n, c->ec);
    if (l->compact_data == NULL) {
        return c->ec->code;
    }
    if (n > 0) {
        memcpy(l->compact_data, p, (size_t)n);
    }
    l->pub.data_nbytes = n;
    return H5RD_OK;
}

static h5rd_err decode_v12(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__layout *l,
                           uint64_t at)
{
    H5RD_TRY(h5rd__cur_need(c, 7));
    unsigned ndims = h5rd__cur_u8(c);
    uint8_t cls = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_skip(c, 5));
    if (ndims == 0 || ndims > LAYOUT_MAX_NDIMS) {
        return H5RD_CORRUPT(c->ec, at, "layout: dimensionality out of range");
    }
    if (cls > H5RD_LAYOUT_CHUNKED) {
        return H5RD_CORRUPT(c->ec, at, "layout: bad class for version 1/2");
    }
    l->pub.cls = (h5rd_layout_class)cls;
    if (cls != H5RD_LAYOUT_COMPACT) {
        l->pub.data_addr = h5rd__cur_offset(c);
    }
    uint64_t dims[LAYOUT_MAX_NDIMS];
    for (unsigned i = 0; i < ndims; i++) {
        dims[i] = h5rd__cur_u32(c);
    }
    H5RD_TRY(h5rd__cur_finish(c));
    if (cls == H5RD_LAYOUT_CHUNKED) {
        l->pub.chunk_index = H5RD_CHUNK_INDEX_BTREE1;
        return set_chunk_dims(l, dims, ndims, at, c->ec);
    }
    if (cls == H5RD_LAYOUT_CONTIGUOUS) {
        uint64_t n = 0;
        l->pub.data_nbytes = h5rd__prod_u64(dims, ndims, &n) ? n : UINT64_MAX;
        return H5RD_OK;
    }
    uint32_t n = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    return take_compact(f, c, n, l);
}

static h5rd_err decode_v4_chunked(struct h5rd_cur *c, struct h5rd__layout *l, uint64_t at)
{
    H5RD_TRY(h5rd__cur_need(c, 3));
    uint8_t flags = h5rd__cur_u8(c);
    unsigned ndims = h5rd__cur_u8(c);
    uint8_t width = h5rd__cur_u8(c);
    if ((flags & ~LAYOUT_V4_ALL_CHUNK_FLAGS) != 0) {
        return H5RD_CORRUPT(c->ec, at, "layout: unknown chunk flags");
    }
    if (ndims < 2 || ndims > LAYOUT_MAX_NDIMS) {
        return H5RD_CORRUPT(c->ec, at, "layout: bad chunk dimensionality");
    }
    if (width == 0 || width > 8) {
        return H5RD_CORRUPT(c->ec, at, "layout: bad chunk dimension width");
    }
    l->pub.chunk_flags = flags;
    l->chunk_dim_nbytes = width;
    uint64_t dims[LAYOUT_MAX_NDIMS];
    for (unsigned i = 0; i < ndims; i++) {
        dims[i] = h5rd__cur_uvar(c, width);
    }
    uint8_t idx = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(set_chunk_dims(l, dims, ndims, at, c->ec));
    switch (idx) {
    case H5RD_CHUNK_INDEX_SINGLE:
        if ((flags & LAYOUT_V4_SINGLE_FILTERED) != 0) {
            l->single_filtered_nbytes = h5rd__cur_length(c);
            l->single_filter_mask = h5rd__cur_u32(c);
        }
        break;
    case H5RD_CHUNK_INDEX_IMPLICIT:
        break;
    case H5RD_CHUNK_INDEX_FARRAY:
        l->farray_max_dblk_page_nelmts_bits = h5rd__cur_u8(c);
        H5RD_TRY(h5rd__cur_finish(c));
        if (l->farray_max_dblk_page_nelmts_bits == 0) {
            return H5RD_CORRUPT(c->ec, at, "layout: bad fixed array parameter");
        }
        break;
    case H5RD_CHUNK_INDEX_EARRAY:
        H5RD_TRY(h5rd__cur_need(c, 5));
        l->earray_max_nelmts_bits = h5rd__cur_u8(c);
        l->earray_idx_blk_elmts = h5rd__cur_u8(c);
        l->earray_sup_blk_min_data_ptrs = h5rd__cur_u8(c);
        l->earray_data_blk_min_elmts = h5rd__cur_u8(c);
        l->earray_max_dblk_page_nelmts_bits = h5rd__cur_u8(c);
        if (l->earray_max_nelmts_bits == 0 || l->earray_idx_blk_elmts == 0 ||
            l->earray_sup_blk_min_data_ptrs == 0 || l->earray_data_blk_min_elmts == 0 ||
            l->earray_max_dblk_page_nelmts_bits == 0) {
            return H5RD_CORRUPT(c->ec, at, "layout: bad extensible array parameter");
        }
        break;
    case H5RD_CHUNK_INDEX_BTREE2:
        H5RD_TRY(h5rd__cur_need(c, 6));
        l->bt2_node_size = h5rd__cur_u32(c);
        l->bt2_split_percent = h5rd__cur_u8(c);
        l->bt2_merge_percent = h5rd__cur_u8(c);
        break;
    default:
        /* 0 (version 1 B-tree) never appears in a version 4 message. */
        return H5RD_CORRUPT(c->ec, at, "layout: bad chunk index type");
    }
    l->pub.chunk_index = (h5rd_chunk_index)idx;
    l->pub.data_addr = h5rd__cur_offset(c);
    return h5rd__cur_finish(c);
}

/* Decodes into 'l' itself, not a local copied out at the end (376 bytes zeroed and copied for
 * every dataset opened: 1.5-2% of a walk of 20,000 datasets, issue 13). On failure 'l' holds no
 * allocation, and the caller discards it. */
h5rd_err h5rd__msg_layout_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                                 struct h5rd__layout *l)
{
    uint64_t at = h5rd__cur_addr_here(c);
    memset(l, 0, sizeof(*l));
    l->pub.chunk_index = H5RD_CHUNK_INDEX_NONE;
    l->pub.data_addr = H5RD_ADDR_UNDEF;
    l->vds_gheap_addr = H5RD_ADDR_UNDEF;
    uint8_t version = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    l->pub.version = version;
    h5rd_err e;
    if (version == 1 || version == 2) {
        e = decode_v12(f, c, l, at);
    } else if (version >= 3 && version <= 5) {
        uint8_t cls = h5rd__cur_u8(c);
        e = h5rd__cur_finish(c);
        if (e == H5RD_OK) {
            switch (cls) {
            case H5RD_LAYOUT_COMPACT: {
                l->pub.cls = H5RD_LAYOUT_COMPACT;
                uint16_t n = h5rd__cur_u16(c);
                e = h5rd__cur_finish(c);
                if (e == H5RD_OK) {
                    e = take_compact(f, c, n, l);
                }
                break;
            }
            case H5RD_LAYOUT_CONTIGUOUS:
                l->pub.cls = H5RD_LAYOUT_CONTIGUOUS;
                l->pub.data_addr = h5rd__cur_offset(c);
                l->pub.data_nbytes = h5rd__cur_length(c);
                e = h5rd__cur_finish(c);
                break;
            case H5RD_LAYOUT_CHUNKED:
                l->pub.cls = H5RD_LAYOUT_CHUNKED;
                if (version == 3) {
                    unsigned ndims = h5rd__cur_u8(c);
                    l->pub.data_addr = h5rd__cur_offset(c);
                    e = h5rd__cur_finish(c);
                    if (e == H5RD_OK && (ndims < 2 || ndims > LAYOUT_MAX_NDIMS)) {
                        e = H5RD_CORRUPT(c->ec, at, "layout: bad chunk dimensionality");
                    }
                    if (e == H5RD_OK) {
                        uint64_t dims[LAYOUT_MAX_NDIMS];
                        for (unsigned i = 0; i < ndims; i++) {
                            dims[i] = h5rd__cur_u32(c);
                        }
                        e = h5rd__cur_finish(c);
                        if (e == H5RD_OK) {
                            l->pub.chunk_index = H5RD_CHUNK_INDEX_BTREE1;
                            e = set_chunk_dims(l, dims, ndims, at, c->ec);
                        }
                    }
                } else {
                    /* Version 5: same fields as version 4 (see the top of this file). */
                    e = decode_v4_chunked(c, l, at);
                }
                break;
            case H5RD_LAYOUT_VIRTUAL:
                if (version < 4) {
                    /* Versions 4 and 5 encode a virtual layout alike. */
                    e = H5RD_CORRUPT(c->ec, at, "layout: virtual layout before version 4");
                    break;
                }
                l->pub.cls = H5RD_LAYOUT_VIRTUAL;
                l->vds_gheap_addr = h5rd__cur_offset(c);
                l->vds_gheap_index = h5rd__cur_u32(c);
                e = h5rd__cur_finish(c);
                break;
            default:
                e = H5RD_CORRUPT(c->ec, at, "layout: unknown layout class");
                break;
            }
        }
    } else {
        e = H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "layout: unknown version");
    }
    if (e != H5RD_OK) {
        h5rd__layout_free(f, l);
        return e;
    }
    return H5RD_OK;
}
