/*
 * cidx.h - chunk indexes: the structures that map a chunked dataset's chunks to their file
 * addresses (Spec v3.0 IV.A.2.i "The Data Layout Message" versions 1-4 and Appendix C, "Version
 * 1 B-trees" node type 1, "Fixed Array" FAHD/FADB, "Extensible Array" EAHD/EAIB/EASB/EADB and
 * "Version 2 B-trees" record types 10 and 11).
 *
 * Every index type is reduced to one record per stored chunk: its logical offset (element
 * coordinates of its first element, a multiple of the chunk dimensions), its relative file
 * address, its stored size and its filter mask. Unfiltered chunks report the full chunk size
 * (product of the chunk dimensions and the element size) and mask 0, except in version 1
 * B-trees, whose keys always store a size (reported as stored).
 *
 * What counts as "stored", as libhdf5 (H5D__chunk_iterate and the index iterate callbacks) sees
 * it: no chunk at all when the layout's index address is undefined; single chunk: the one
 * chunk; implicit: every chunk of the dataset's current extent; fixed and extensible arrays:
 * elements whose address is defined (extensible arrays only below the header's "max index
 * set"); B-trees: every record. Chunks are reported in index order: key order for B-trees,
 * element order for fixed/extensible arrays, row-major over the current chunk grid for
 * implicit.
 *
 * Linear element numbers (fixed array, extensible array, implicit) follow libhdf5: row-major
 * over the grid of chunks covering the dataspace's *maximum* dimensions; the extensible array
 * moves its one unlimited dimension to the slowest position first ("swizzling").
 *
 * All functions are pure readers: nothing is cached, so they are safe to call from any number
 * of threads at once on the same file.
 */
#ifndef H5RD_CHUNK_CIDX_H
#define H5RD_CHUNK_CIDX_H

#include "internal.h"
#include "object/msg.h"

struct h5rd__chunk_rec {
    uint64_t offset[H5RD_MAX_RANK]; /* logical coordinates of the chunk's first element (rank
                                       entries are set; the rest are 0) */
    uint64_t addr;                  /* relative file address (H5RD_ADDR_UNDEF only where a
                                       B-tree record stores it so) */
    uint64_t nbytes;                /* stored size */
    uint32_t filter_mask;           /* bit i set: filter i of the pipeline was skipped */
};

/* Called once per stored chunk. Returning non-OK stops the iteration; that value is returned
 * by h5rd__cidx_iterate. A callback that stops early without an error should return a code
 * and not record it in 'ec' (h5rd__cidx_lookup does so internally). */
typedef h5rd_err (*h5rd__chunk_cb)(const struct h5rd__chunk_rec *rec, void *ud,
                                   struct h5rd_error *ec);

/* Calls 'cb' for every stored chunk of the dataset described by 'layout' (class CHUNKED),
 * 'pline' (NULL or no filters: unfiltered) and 'space' (its dims and maxdims; rank must equal
 * the layout's). Total work is linear in the size of the index. Index structures are
 * validated as they are read: checksums first (unless H5RD_OPEN_SKIP_CHECKSUMS), signatures,
 * versions, class ids, element sizes and counts against what the dataset implies.
 * Errors: CORRUPT, TRUNCATED, CHECKSUM, UNSUPPORTED (unknown index type), LIMIT. */
h5rd_err h5rd__cidx_iterate(const struct h5rd_file *f, const struct h5rd__layout *layout,
                            const struct h5rd__pline *pline, const struct h5rd_space *space,
                            h5rd__chunk_cb cb, void *ud, struct h5rd_error *ec);

/* Finds the chunk whose first element is at 'chunk_offset' (layout rank entries, each a
 * multiple of the chunk dimension). H5RD_E_NOT_FOUND (recorded in 'ec') when the chunk is not
 * stored; H5RD_E_RANGE when the offset is not a chunk boundary or lies outside what the index
 * can address. Cost: O(1) block reads for single, implicit, fixed and extensible arrays;
 * O(number of chunks) for v1 and v2 B-trees (they are scanned; callers reading many chunks of a
 * B-tree-indexed dataset should iterate once and build their own table). */
h5rd_err h5rd__cidx_lookup(const struct h5rd_file *f, const struct h5rd__layout *layout,
                           const struct h5rd__pline *pline, const struct h5rd_space *space,
                           const uint64_t *chunk_offset, struct h5rd__chunk_rec *rec_ret,
                           struct h5rd_error *ec);

#endif
