/*
 * select.h - serialized dataspace selections (Spec v3.0 "Dataspace Selection" encodings, as
 * libhdf5's H5S_SELECT_SERIALIZE writes them into virtual dataset mappings and dataset region
 * references), decoded into an immutable struct, plus the few queries and the iterator that
 * virtual datasets need.
 *
 * Encodings (all little-endian):
 *   u32 type: 0 none, 1 points, 2 hyperslab, 3 all
 *   u32 version
 *   none/all (version 1): 4 reserved bytes, u32 length (0)
 *   points v1: 4 reserved, u32 length, u32 rank, u32 npoints, npoints x rank u32 coordinates
 *   points v2: u8 encoded size (2/4/8), u32 rank, npoints and coordinates of that size
 *   hyperslab v1: 4 reserved, u32 length, u32 rank, u32 nblocks, nblocks x (start[rank],
 *                 end[rank]) u32 (inclusive corners)
 *   hyperslab v2: u8 flags (bit 0 regular), u32 length, u32 rank, then 64-bit values
 *   hyperslab v3: u8 flags, u8 encoded size (2/4/8), u32 rank, then values of that size
 *     regular (flag bit 0, v2/v3): per dimension start, stride, count, block; a count or block of
 *       all ones (in the encoded size) means H5RD_UNLIMITED
 *     irregular: nblocks, then per block start[rank], end[rank]
 *
 * A block list that forms a regular pattern (the cartesian product of evenly spaced, equal
 * blocks per dimension) is also described in regular form, because libhdf5 rebuilds that form
 * when asked (H5S__hyper_rebuild; h5py's get_regular_hyperslab reports it): a count of 1 then
 * has stride 1. Block lists keep their stored order (libhdf5 writes them from its span tree,
 * which is also the order H5Sget_select_hyper_blocklist reports).
 *
 * Invariants after a successful decode: rank <= H5RD_MAX_RANK; every block has start <= end;
 * a regular selection has stride >= block (unless count is 1 or unlimited... see decode) and
 * at most one dimension with an unlimited count or block; every count of elements fits in 64
 * bits or is reported as H5RD_UNLIMITED.
 */
#ifndef H5RD_SELECT_SELECT_H
#define H5RD_SELECT_SELECT_H

#include "internal.h"
#include "io/cursor.h"

enum h5rd__sel_type {
    H5RD__SEL_NONE = 0,
    H5RD__SEL_POINTS = 1,
    H5RD__SEL_HYPER = 2,
    H5RD__SEL_ALL = 3
};

struct h5rd__sel {
    uint8_t type;            /* enum h5rd__sel_type */
    uint8_t version;         /* as stored */
    uint8_t enc_size;        /* bytes per value as stored (4 for version 1) */
    bool stored_regular;     /* hyperslab stored in regular form */
    bool regular;            /* hyperslab: start/stride/count/block below are valid */
    int unlim_dim;           /* regular: the dimension with an unlimited count or block, or -1 */
    uint32_t rank;           /* 0 for none/all selections */
    /* regular form, 'rank' entries each (NULL when !regular) */
    uint64_t *start, *stride, *count, *block;
    /* points: n x rank coordinates; irregular hyperslab: n x 2 x rank (start, end corners).
     * A hyperslab stored in regular form has n = 0 and coords NULL. */
    uint64_t n;
    uint64_t *coords;
};

/* Decodes one selection at the cursor (advancing past it). Counts are checked against the
 * bytes present; 'max_n' bounds points/blocks. CORRUPT for unknown types, versions, flags,
 * encoded sizes or inverted blocks; TRUNCATED when bytes are missing. */
h5rd_err h5rd__sel_decode(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t max_n,
                          struct h5rd__sel *out, struct h5rd_error *ec);
void h5rd__sel_free(const struct h5rd_file *f, struct h5rd__sel *s);

/* Number of elements selected in a dataspace of 'rank' dims 'dims' (used by all selections).
 * H5RD_UNLIMITED for an unlimited selection; LIMIT when the count overflows. */
h5rd_err h5rd__sel_npoints(const struct h5rd__sel *s, uint32_t rank, const uint64_t *dims,
                           uint64_t *n_ret, struct h5rd_error *ec);

/* Bounding box: start[i] .. end[i] inclusive. Returns false for an empty selection. An
 * unlimited dimension's end is H5RD_UNLIMITED. 'dims' is used by "all". */
bool h5rd__sel_bounds(const struct h5rd__sel *s, uint32_t rank, const uint64_t *dims,
                      uint64_t *start, uint64_t *end);

/* Regular unlimited selections (libhdf5 H5S_hyper_get_clip_extent_match and friends, used to
 * size virtual datasets with unlimited mappings). 'clip' is an extent in the unlimited
 * dimension. */
/* Slices (elements along the unlimited dimension) of 's' below extent 'clip'. */
uint64_t h5rd__sel_unlim_slices(const struct h5rd__sel *s, uint64_t clip);
/* The extent at which 's' holds exactly 'nslices' slices (incl_trail: include the unselected
 * gap after the last block). */
uint64_t h5rd__sel_unlim_extent(const struct h5rd__sel *s, uint64_t nslices, bool incl_trail);

/*
 * Element-run iterator: walks the selected elements in the order libhdf5 pairs them between
 * a virtual and a source selection (C order for hyperslabs and "all"; list order for points),
 * as runs of consecutive elements along the last dimension. Unlimited selections are clipped
 * to 'dims'. Irregular block lists are walked in C order too (sorted on first use).
 * The iterator state is caller-owned; the selection is only read (thread-safe).
 */
struct h5rd__sel_iter {
    const struct h5rd__sel *s;
    uint32_t rank;
    uint64_t dims[H5RD_MAX_RANK];
    /* regular / all: per-dimension effective start, stride, count, block and position */
    uint64_t st[H5RD_MAX_RANK], sd[H5RD_MAX_RANK], ct[H5RD_MAX_RANK], bk[H5RD_MAX_RANK];
    uint64_t bi[H5RD_MAX_RANK];   /* block index per dimension */
    uint64_t ei[H5RD_MAX_RANK];   /* element offset inside the block per dimension */
    uint64_t pos;                 /* points / irregular: next index */
    bool done;
};
h5rd_err h5rd__sel_iter_init(struct h5rd__sel_iter *it, const struct h5rd__sel *s, uint32_t rank,
                             const uint64_t *dims, struct h5rd_error *ec);
/* Next run: 'coords' (rank entries) of its first element and its length along the last
 * dimension. Returns false when the selection is exhausted. */
bool h5rd__sel_iter_next(struct h5rd__sel_iter *it, uint64_t *coords, uint64_t *len);

#endif
