/*
 * read_int.h - what the files of src/read share: the normalised selection and its arithmetic
 * (which chunks a hyperslab touches, where each selected element lands in the caller's
 * buffer), the merge sort used for chunk tables and point lists, and external file reads.
 * Private to src/read/ (and its unit tests).
 *
 * A regular hyperslab selects, along dimension d, the blocks
 *     [start + i*stride, start + i*stride + block)   for i < count,
 * and the output is the row-major order of the selected elements: element (x_0..x_{r-1}) lands
 * at sum_d p_d * odown[d], where p_d = i*block + j is its position among the selected
 * coordinates of dimension d. Everything is arithmetic: no per-element lists are built.
 */
#ifndef H5RD_READ_READ_INT_H
#define H5RD_READ_READ_INT_H

#include "read/read.h"

/* A selection normalised against a dataspace. Scalar dataspaces become rank 1, dims {1}.
 * Hyperslab dimensions with count 1 or stride == block are merged into one block. */
struct h5rd__sel {
    bool is_points;
    uint32_t rank;
    uint64_t dims[H5RD_MAX_RANK];
    uint64_t start[H5RD_MAX_RANK], stride[H5RD_MAX_RANK];
    uint64_t count[H5RD_MAX_RANK], block[H5RD_MAX_RANK];
    uint64_t n[H5RD_MAX_RANK];      /* count * block: selected coordinates along d */
    uint64_t odown[H5RD_MAX_RANK];  /* output stride of dimension d, in elements */
    uint64_t npoints;               /* elements selected (hyperslab: prod n; points: npoints) */
    const uint64_t *points;         /* points: npoints x rank (rank-0 spaces: NULL) */
    uint32_t points_rank;           /* rank of the caller's point coordinates (0 or rank) */
};

/* Validates 'sel' (NULL: all) against 'space' and normalises it. RANGE for coordinates outside
 * the dataspace or overlapping blocks, INVAL for malformed arguments, LIMIT on overflow. */
h5rd_err h5rd__sel_init(const struct h5rd_space *space, const struct h5rd_selection *sel,
                        struct h5rd__sel *s, struct h5rd_error *ec);

/* The blocks of dimension d that intersect [lo, hi) are i in [*ilo, *ihi). */
void h5rd__sel_dim_blocks(const struct h5rd__sel *s, uint32_t d, uint64_t lo, uint64_t hi,
                          uint64_t *ilo, uint64_t *ihi);

/* Block i of dimension d clipped to [lo, hi): the first selected coordinate *x, the run
 * length *len (0 when empty) and the output position *p of x along d. */
void h5rd__sel_dim_run(const struct h5rd__sel *s, uint32_t d, uint64_t i, uint64_t lo,
                       uint64_t hi, uint64_t *x, uint64_t *len, uint64_t *p);

/* The chunk indexes (along dimension d, chunks of 'cd' elements) that hold selected
 * coordinates, in increasing order, into 'out' (room for 'cap'); returns how many. A chunk
 * index appears once. cap >= min(n[d], ceil(dims[d] / cd)) always suffices. */
uint64_t h5rd__sel_dim_chunks(const struct h5rd__sel *s, uint32_t d, uint64_t cd, uint64_t *out,
                              uint64_t cap);

/* Stable merge sort of 'n' indexes with a caller's comparison; 'tmp' has room for n. */
typedef int (*h5rd__cmp_fn)(uint64_t a, uint64_t b, const void *ctx);
void h5rd__sort_idx(uint64_t *v, uint64_t *tmp, uint64_t n, h5rd__cmp_fn cmp, const void *ctx);

/* Reads 'nbytes' at byte 'addr' of the external files' address space into 'dst' (Spec v3.0
 * IV.A.2.h; libhdf5 H5Defl.c: bytes past the end of one file read as zeros, past the last
 * slot is an error). Each call opens and closes the files it needs. */
h5rd_err h5rd__efl_read(const struct h5rd_file *f, const struct h5rd__efl *efl, uint64_t addr,
                        uint64_t nbytes, uint8_t *dst, struct h5rd_error *ec);

#endif
