/*
 * cidx.c - chunk index dispatch and the helpers the index readers share (Spec v3.0 IV.A.2.i
 * "The Data Layout Message" and Appendix C "Types of Indexes for Dataset Chunks").
 *
 * The geometry is resolved once per call from the layout, pipeline and dataspace: the chunk
 * size (prod(chunk dims) x element size, checked), the width libhdf5 gives a filtered chunk's
 * size in fixed/extensible array elements and v2 B-tree records (H5D*array.c, H5Dbtree2.c:
 * 1 + (floor(log2(chunk size)) + 8) / 8 bytes, at most 8; with layout version 5, libhdf5 2.0,
 * the file's "Size of Lengths"), and the current and maximum chunk
 * grids (ceil(dim / chunk dim), unlimited kept as H5RD_UNLIMITED).
 *
 * Invariants: nothing here reads file bytes except through the per-type readers; every product
 * and sum of file-derived values is checked; an undefined index address means "no chunks"
 * (libhdf5's is_space_alloc), never an error.
 */
#include "chunk/cidx_int.h"

#include <string.h>

static unsigned floor_log2(uint64_t n)
{
    unsigned r = 0;
    while (n >> 1) {
        n >>= 1;
        r++;
    }
    return r;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0 ? 1 : 0);
}

static h5rd_err cidx_init(const struct h5rd_file *f, const struct h5rd__layout *layout,
                          const struct h5rd__pline *pline, const struct h5rd_space *space,
                          struct h5rd__cidx *cx, struct h5rd_error *ec)
{
    memset(cx, 0, sizeof(*cx));
    if (layout == NULL || space == NULL || layout->pub.cls != H5RD_LAYOUT_CHUNKED) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk index: dataset is not chunked");
    }
    unsigned rank = layout->pub.rank;
    if (rank == 0 || rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "chunk index: chunk rank out of range");
    }
    if (space->kind != H5RD_SPACE_SIMPLE || space->rank != rank) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "chunk index: dataspace rank differs from the chunk rank");
    }
    cx->f = f;
    cx->layout = layout;
    cx->rank = rank;
    cx->filtered = pline != NULL && pline->n > 0;
    cx->chunk_dims = layout->pub.chunk_dims;
    uint64_t n = layout->elem_nbytes;
    for (unsigned i = 0; i < rank; i++) {
        uint64_t cd = layout->pub.chunk_dims[i];
        if (cd == 0) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "chunk index: chunk dimension of zero");
        }
        if (!h5rd__mul_u64(n, cd, &n)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "chunk index: chunk size overflows");
        }
        cx->cur_chunks[i] = ceil_div(space->dims[i], cd);
        cx->max_chunks[i] = space->maxdims[i] == H5RD_UNLIMITED ? H5RD_UNLIMITED
                                                                 : ceil_div(space->maxdims[i], cd);
    }
    if (n == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "chunk index: chunk size of zero");
    }
    cx->chunk_nbytes = n;
    if (layout->pub.version >= 5) {
        /* Layout version 5 (libhdf5 2.0): the filtered chunk size is a "Size of Lengths"
         * field in every array element and v2 B-tree record (seen as 20-byte FA/EA elements
         * and 36-byte rank-2 type 11 records with 8-byte addresses and lengths). */
        cx->size_width = f->sb.size_of_lengths;
    } else {
        unsigned w = 1 + (floor_log2(n) + 8) / 8;
        cx->size_width = (uint8_t)(w > 8 ? 8 : w);
    }
    return H5RD_OK;
}

h5rd_err h5rd__cidx_grid_init(const struct h5rd__cidx *cx, unsigned first,
                              struct h5rd__cidx_grid *g, struct h5rd_error *ec)
{
    memset(g, 0, sizeof(*g));
    g->rank = cx->rank;
    g->perm[0] = first;
    for (unsigned d = 0, i = 1; d < cx->rank; d++) {
        if (d != first) {
            g->perm[i++] = d;
        }
    }
    for (unsigned i = 0; i < cx->rank; i++) {
        g->extent[i] = cx->max_chunks[g->perm[i]];
    }
    g->down[cx->rank - 1] = 1;
    for (unsigned i = cx->rank - 1; i > 0; i--) {
        if (g->extent[i] == H5RD_UNLIMITED) {
            return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                                "chunk index: unlimited dimension this index cannot number");
        }
        if (g->extent[i] == 0) {
            g->empty = true;
        }
        if (!h5rd__mul_u64(g->down[i], g->extent[i], &g->down[i - 1])) {
            return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                                "chunk index: chunk grid too large to number");
        }
    }
    return H5RD_OK;
}

h5rd_err h5rd__cidx_scaled_to_offset(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                     uint64_t at, struct h5rd__chunk_rec *rec,
                                     struct h5rd_error *ec)
{
    for (unsigned i = 0; i < cx->rank; i++) {
        if (!h5rd__mul_u64(scaled[i], cx->chunk_dims[i], &rec->offset[i])) {
            return H5RD_CORRUPT(ec, at, "chunk index: chunk offset overflows");
        }
    }
    for (unsigned i = cx->rank; i < H5RD_MAX_RANK; i++) {
        rec->offset[i] = 0;
    }
    return H5RD_OK;
}

h5rd_err h5rd__cidx_grid_offset(const struct h5rd__cidx *cx, const struct h5rd__cidx_grid *g,
                                uint64_t idx, uint64_t at, struct h5rd__chunk_rec *rec,
                                struct h5rd_error *ec)
{
    if (g->empty) {
        return H5RD_CORRUPT(ec, at, "chunk index: element outside the chunk grid");
    }
    uint64_t scaled[H5RD_MAX_RANK];
    for (unsigned i = 0; i < g->rank; i++) {
        uint64_t s = idx / g->down[i];
        idx %= g->down[i];
        if (i == 0 && g->extent[0] != H5RD_UNLIMITED && s >= g->extent[0]) {
            return H5RD_CORRUPT(ec, at, "chunk index: element outside the chunk grid");
        }
        scaled[g->perm[i]] = s;
    }
    return h5rd__cidx_scaled_to_offset(cx, scaled, at, rec, ec);
}

h5rd_err h5rd__cidx_grid_index(const struct h5rd__cidx_grid *g, const uint64_t *scaled,
                               uint64_t *idx_ret, struct h5rd_error *ec)
{
    uint64_t idx = 0;
    for (unsigned i = 0; i < g->rank; i++) {
        uint64_t s = scaled[g->perm[i]];
        uint64_t t;
        if ((g->extent[i] != H5RD_UNLIMITED && s >= g->extent[i]) ||
            !h5rd__mul_u64(s, g->down[i], &t) || !h5rd__add_u64(idx, t, &idx)) {
            return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF,
                             "chunk index: chunk outside what the index can address");
        }
    }
    *idx_ret = idx;
    return H5RD_OK;
}

void h5rd__cidx_elem_decode(const struct h5rd__cidx *cx, struct h5rd_cur *c,
                            struct h5rd__chunk_rec *rec)
{
    rec->addr = h5rd__cur_offset(c);
    if (cx->filtered) {
        rec->nbytes = h5rd__cur_uvar(c, cx->size_width);
        rec->filter_mask = h5rd__cur_u32(c);
    } else {
        rec->nbytes = cx->chunk_nbytes;
        rec->filter_mask = 0;
    }
}

h5rd_err h5rd__cidx_iterate(const struct h5rd_file *f, const struct h5rd__layout *layout,
                            const struct h5rd__pline *pline, const struct h5rd_space *space,
                            h5rd__chunk_cb cb, void *ud, struct h5rd_error *ec)
{
    struct h5rd__cidx cx;
    H5RD_TRY(cidx_init(f, layout, pline, space, &cx, ec));
    if (layout->pub.data_addr == H5RD_ADDR_UNDEF) {
        return H5RD_OK;
    }
    switch (layout->pub.chunk_index) {
    case H5RD_CHUNK_INDEX_BTREE1:
        return h5rd__cidx_btree1_iterate(&cx, cb, ud, ec);
    case H5RD_CHUNK_INDEX_SINGLE:
        return h5rd__cidx_single_iterate(&cx, cb, ud, ec);
    case H5RD_CHUNK_INDEX_IMPLICIT:
        return h5rd__cidx_implicit_iterate(&cx, cb, ud, ec);
    case H5RD_CHUNK_INDEX_FARRAY:
        return h5rd__cidx_farray_iterate(&cx, cb, ud, ec);
    case H5RD_CHUNK_INDEX_EARRAY:
        return h5rd__cidx_earray_iterate(&cx, cb, ud, ec);
    case H5RD_CHUNK_INDEX_BTREE2:
        return h5rd__cidx_btree2_iterate(&cx, cb, ud, ec);
    default:
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, layout->pub.data_addr,
                         "chunk index: unknown index type");
    }
}

/* Lookup in B-trees: a scan that stops at the wanted chunk. */
struct scan_find {
    unsigned rank;
    const uint64_t *offset;
    struct h5rd__chunk_rec *rec;
    bool found;
};

static h5rd_err scan_cb(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    (void)ec;
    struct scan_find *s = ud;
    for (unsigned i = 0; i < s->rank; i++) {
        if (rec->offset[i] != s->offset[i]) {
            return H5RD_OK;
        }
    }
    *s->rec = *rec;
    s->found = true;
    /* Stop the scan: a code that is returned without being recorded; 'found' tells it from a
     * real failure. */
    return H5RD_E_RANGE;
}

h5rd_err h5rd__cidx_lookup(const struct h5rd_file *f, const struct h5rd__layout *layout,
                           const struct h5rd__pline *pline, const struct h5rd_space *space,
                           const uint64_t *chunk_offset, struct h5rd__chunk_rec *rec_ret,
                           struct h5rd_error *ec)
{
    struct h5rd__cidx cx;
    H5RD_TRY(cidx_init(f, layout, pline, space, &cx, ec));
    uint64_t scaled[H5RD_MAX_RANK] = {0};
    for (unsigned i = 0; i < cx.rank; i++) {
        if (chunk_offset[i] % cx.chunk_dims[i] != 0) {
            return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF,
                             "chunk index: offset is not a chunk boundary");
        }
        scaled[i] = chunk_offset[i] / cx.chunk_dims[i];
    }
    if (layout->pub.data_addr == H5RD_ADDR_UNDEF) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "chunk index: chunk not stored");
    }
    struct h5rd__chunk_rec rec;
    memset(&rec, 0, sizeof(rec));
    h5rd_err e;
    switch (layout->pub.chunk_index) {
    case H5RD_CHUNK_INDEX_SINGLE:
        e = h5rd__cidx_single_lookup(&cx, scaled, &rec, ec);
        break;
    case H5RD_CHUNK_INDEX_IMPLICIT:
        e = h5rd__cidx_implicit_lookup(&cx, scaled, &rec, ec);
        break;
    case H5RD_CHUNK_INDEX_FARRAY:
        e = h5rd__cidx_farray_lookup(&cx, scaled, &rec, ec);
        break;
    case H5RD_CHUNK_INDEX_EARRAY:
        e = h5rd__cidx_earray_lookup(&cx, scaled, &rec, ec);
        break;
    case H5RD_CHUNK_INDEX_BTREE1:
    case H5RD_CHUNK_INDEX_BTREE2: {
        struct scan_find s = {cx.rank, chunk_offset, &rec, false};
        e = layout->pub.chunk_index == H5RD_CHUNK_INDEX_BTREE1
                ? h5rd__cidx_btree1_iterate(&cx, scan_cb, &s, ec)
                : h5rd__cidx_btree2_iterate(&cx, scan_cb, &s, ec);
        if (s.found) {
            e = H5RD_OK;
        } else if (e == H5RD_OK) {
            e = H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "chunk index: chunk not stored");
        }
        break;
    }
    default:
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, layout->pub.data_addr,
                      "chunk index: unknown index type");
        break;
    }
    if (e == H5RD_OK) {
        *rec_ret = rec;
    }
    return e;
}
