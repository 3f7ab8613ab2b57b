/*
 * msg_dataspace.c - Spec v3.0 IV.A.2.b "The Dataspace Message", versions 1 and 2.
 *
 * Version 1: version, rank, flags, reserved (1), reserved (4), then sizes, maximum sizes (flag
 * bit 0) and permutation indexes (flag bit 1, never used by libhdf5; skipped). A rank of 0 is a
 * scalar. Version 2: version, rank, flags, type (0 scalar, 1 simple, 2 null), sizes, maximum
 * sizes. A maximum size of all bits set is "unlimited".
 *
 * Invariants: rank <= H5RD_MAX_RANK; the output is written only on success; every size is read
 * through the cursor, which is exactly the message body.
 */
#include "object/msg.h"

#include <string.h>

#define DS_FLAG_MAX 0x01u
#define DS_FLAG_PERM 0x02u

h5rd_err h5rd__msg_dataspace_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                                    struct h5rd_space *out)
{
    (void)f;
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 4));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t rank = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c);
    uint8_t type = h5rd__cur_u8(c); /* version 1: reserved */
    H5RD_TRY(h5rd__cur_finish(c));
    h5rd_space_kind kind;
    if (version == 1) {
        H5RD_TRY(h5rd__cur_skip(c, 4));
        kind = rank > 0 ? H5RD_SPACE_SIMPLE : H5RD_SPACE_SCALAR;
    } else if (version == 2) {
        if (type > 2) {
            return H5RD_CORRUPT(c->ec, at, "dataspace: unknown dataspace type");
        }
        kind = type == 0 ? H5RD_SPACE_SCALAR : (type == 1 ? H5RD_SPACE_SIMPLE : H5RD_SPACE_NULL);
        if (kind != H5RD_SPACE_SIMPLE && rank != 0) {
            return H5RD_CORRUPT(c->ec, at, "dataspace: scalar or null dataspace with a rank");
        }
    } else {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "dataspace: unknown version");
    }
    if (rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(c->ec, at, "dataspace: rank exceeds 32");
    }
    /* Every size present before any is read, so nothing below can fail and *out is written
     * only on success, straight from the message (a dataset opens one per object: a copy
     * through a zeroed local of 520 bytes each way was a visible share of a walk). */
    uint64_t nsizes = (uint64_t)rank * ((flags & DS_FLAG_MAX) != 0 ? 2 : 1);
    if (version == 1 && (flags & DS_FLAG_PERM) != 0) {
        nsizes += rank;
    }
    H5RD_TRY(h5rd__cur_need(c, nsizes * c->sl));
    uint64_t all_ones = c->sl >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * c->sl)) - 1);
    out->kind = kind;
    out->rank = rank;
    for (unsigned i = 0; i < rank; i++) {
        out->dims[i] = h5rd__cur_length(c);
    }
    if ((flags & DS_FLAG_MAX) != 0) {
        for (unsigned i = 0; i < rank; i++) {
            uint64_t m = h5rd__cur_length(c);
            out->maxdims[i] = m == all_ones ? H5RD_UNLIMITED : m;
        }
    } else {
        memcpy(out->maxdims, out->dims, rank * sizeof(out->dims[0]));
    }
    /* Sizes past the rank read as 0, as they did from a zeroed structure. */
    memset(out->dims + rank, 0, (H5RD_MAX_RANK - rank) * sizeof(out->dims[0]));
    memset(out->maxdims + rank, 0, (H5RD_MAX_RANK - rank) * sizeof(out->maxdims[0]));
    if (version == 1 && (flags & DS_FLAG_PERM) != 0) {
        h5rd__cur_skip(c, (uint64_t)rank * c->sl); /* present: checked above */
    }
    return h5rd__cur_finish(c);
}
