/*
 * cidx_int.h - what the chunk index readers (the .c files of src/chunk) share: the dataset geometry
 * resolved once per call (struct h5rd__cidx), the linear element numbering of fixed and
 * extensible arrays, element decoding and checksum verification. Private to src/chunk/.
 */
#ifndef H5RD_CHUNK_CIDX_INT_H
#define H5RD_CHUNK_CIDX_INT_H

#include "chunk/cidx.h"
#include "io/cursor.h"

/* The geometry every index type needs, derived from the layout, pipeline and dataspace. */
struct h5rd__cidx {
    const struct h5rd_file *f;
    const struct h5rd__layout *layout;
    unsigned rank;                        /* dataset rank (= layout rank), 1..32 */
    bool filtered;                        /* the pipeline has filters */
    const uint64_t *chunk_dims;           /* layout->pub.chunk_dims */
    uint64_t chunk_nbytes;                /* unfiltered chunk size: prod(chunk dims) x elem size */
    uint8_t size_width;                   /* bytes of a filtered chunk size in FA/EA/bt2 records */
    uint64_t cur_chunks[H5RD_MAX_RANK];   /* chunks covering the current dims */
    uint64_t max_chunks[H5RD_MAX_RANK];   /* chunks covering the max dims; H5RD_UNLIMITED */
};

/* A row-major numbering of chunks: position i of the numbering is dataset dimension perm[i];
 * down[i] is the stride of position i. Position 0's extent never enters a stride, so it may be
 * unlimited. 'empty' when some other position has extent 0 (no chunk can be numbered). */
struct h5rd__cidx_grid {
    unsigned rank;
    unsigned perm[H5RD_MAX_RANK];
    uint64_t extent[H5RD_MAX_RANK];       /* chunks along position i (H5RD_UNLIMITED at 0 only) */
    uint64_t down[H5RD_MAX_RANK];
    bool empty;
};

/* Builds the numbering over the max chunk grid with dimension 'first' moved to position 0
 * (pass 0 for plain row-major). CORRUPT when the strides overflow. */
h5rd_err h5rd__cidx_grid_init(const struct h5rd__cidx *cx, unsigned first,
                              struct h5rd__cidx_grid *g, struct h5rd_error *ec);
/* Element number -> chunk offsets (element coordinates) in rec->offset. CORRUPT when the
 * number lies outside the grid or an offset overflows. 'at' is the address for errors. */
h5rd_err h5rd__cidx_grid_offset(const struct h5rd__cidx *cx, const struct h5rd__cidx_grid *g,
                                uint64_t idx, uint64_t at, struct h5rd__chunk_rec *rec,
                                struct h5rd_error *ec);
/* Chunk scaled coordinates -> element number; RANGE when outside the grid. */
h5rd_err h5rd__cidx_grid_index(const struct h5rd__cidx_grid *g, const uint64_t *scaled,
                               uint64_t *idx_ret, struct h5rd_error *ec);

/* Scaled coordinates -> offsets (checked multiplication, CORRUPT on overflow). */
h5rd_err h5rd__cidx_scaled_to_offset(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                     uint64_t at, struct h5rd__chunk_rec *rec,
                                     struct h5rd_error *ec);

/* Bytes of one array element (FA/EA): an address, plus size and 4-byte mask when filtered. */
static inline uint64_t h5rd__cidx_elem_nbytes(const struct h5rd__cidx *cx)
{
    uint64_t n = cx->f->sb.size_of_offsets;
    return cx->filtered ? n + cx->size_width + 4 : n;
}

/* Decodes one array element (address [, size, mask]) from 'c' into rec. */
void h5rd__cidx_elem_decode(const struct h5rd__cidx *cx, struct h5rd_cur *c,
                            struct h5rd__chunk_rec *rec);

/* Per index type (cx prepared by cidx.c; layout data_addr is defined). Lookups take scaled
 * coordinates already checked to be < 2^64 / chunk dims, and report NOT_FOUND themselves. */
h5rd_err h5rd__cidx_btree1_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec);
h5rd_err h5rd__cidx_btree2_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec);
h5rd_err h5rd__cidx_single_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec);
h5rd_err h5rd__cidx_implicit_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                     struct h5rd_error *ec);
h5rd_err h5rd__cidx_farray_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec);
h5rd_err h5rd__cidx_earray_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec);

h5rd_err h5rd__cidx_single_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec);
h5rd_err h5rd__cidx_implicit_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                    struct h5rd__chunk_rec *rec, struct h5rd_error *ec);
h5rd_err h5rd__cidx_farray_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec);
h5rd_err h5rd__cidx_earray_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec);

#endif
