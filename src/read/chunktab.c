/*
 * chunktab.c - the table of a chunked dataset's allocated chunks (Spec v3.0 IV.A.2.i "The Data
 * Layout Message", Appendix C "Types of Indexes for Dataset Chunks"): one pass over the chunk
 * index (h5rd__cidx_iterate, linear in the index size) collects every record in index order;
 * a sorted permutation gives O(log n) lookup by chunk offset, whatever the index type (v1 and
 * v2 B-trees would otherwise cost a scan per lookup).
 *
 * Order: chunks are sorted by their offsets lexicographically, which for offsets on chunk
 * boundaries is row-major chunk order. Records whose offset is not a multiple of the chunk
 * dimensions can never be looked up and are kept only for listing. Duplicate offsets (a damaged
 * B-tree) resolve to one of them.
 *
 * Storage: offsets as rows of 'rank' coordinates and locations in a separate array, so a chunk
 * costs rank x 8 + 24 + 8 bytes, not the iteration record's fixed H5RD_MAX_RANK offsets.
 *
 * Fast paths (issue 13, tiny chunks): every index type yields its records in key order (fixed
 * and extensible arrays in row-major chunk order, B-trees in key order), so one pass checks
 * whether the records are already strictly ascending and, if so, keeps no permutation and does
 * no sort. When they are moreover exactly the dataset's whole chunk grid in row-major order (a
 * fully allocated dataset, the common case), the table is "dense": record i is chunk number i
 * and a lookup is a division per dimension. Anything else (unaligned offsets from a hostile
 * file, duplicates, holes) falls back to the sorted permutation and the binary search.
 *
 * Invariants: the table is immutable once built (published by the API layer with
 * compare-and-swap); its size is bounded by max_alloc_nbytes through h5rd__grow.
 */
#include "read/read_int.h"

#include <string.h>

struct collect {
    const struct h5rd_file *f;
    struct h5rd__chunk_table *t;
    uint64_t offset_cap; /* capacity of t->offset, in rows */
    uint64_t loc_cap;
};

static h5rd_err collect_cb(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    struct collect *c = ud;
    struct h5rd__chunk_table *t = c->t;
    uint32_t rank = t->rank;
    void *rows = t->offset;
    H5RD_TRY(h5rd__grow(c->f, &rows, &c->offset_cap, t->n + 1, rank * sizeof(uint64_t), ec));
    t->offset = rows;
    void *locs = t->loc;
    H5RD_TRY(h5rd__grow(c->f, &locs, &c->loc_cap, t->n + 1, sizeof(*t->loc), ec));
    t->loc = locs;
    memcpy(t->offset + t->n * rank, rec->offset, rank * sizeof(uint64_t)); /* fits: grown */
    t->loc[t->n].addr = rec->addr;
    t->loc[t->n].nbytes = rec->nbytes;
    t->loc[t->n].filter_mask = rec->filter_mask;
    t->n++;
    return H5RD_OK;
}

/* Lexicographic order of two offset rows. */
static int cmp_rows(const uint64_t *x, const uint64_t *y, uint32_t rank)
{
    for (uint32_t d = 0; d < rank; d++) {
        if (x[d] != y[d]) {
            return x[d] < y[d] ? -1 : 1;
        }
    }
    return 0;
}

static int cmp_offset(uint64_t a, uint64_t b, const void *ctx)
{
    const struct h5rd__chunk_table *t = ctx;
    return cmp_rows(t->offset + a * t->rank, t->offset + b * t->rank, t->rank);
}

void h5rd__chunk_table_free(const struct h5rd_file *f, struct h5rd__chunk_table *t)
{
    if (t == NULL) {
        return;
    }
    h5rd__free(f, t->offset);
    h5rd__free(f, t->loc);
    h5rd__free(f, t->sorted);
    h5rd__free(f, t->dense);
    memset(t, 0, sizeof(*t));
}

h5rd_err h5rd__chunk_table_build(const struct h5rd_file *f, const struct h5rd__layout *layout,
                                 const struct h5rd__pline *pline, const struct h5rd_space *space,
                                 struct h5rd__chunk_table *t, struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    uint64_t *tmp = NULL;
    memset(t, 0, sizeof(*t));
    if (layout->pub.rank == 0 || layout->pub.rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(ec, layout->pub.data_addr, "chunked layout: rank out of range");
    }
    t->rank = layout->pub.rank;
    struct collect c = {f, t, 0, 0};
    e = h5rd__cidx_iterate(f, layout, pline, space, collect_cb, &c, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    uint64_t n = t->n;
    uint32_t rank = t->rank;
    bool ascending = true;
    for (uint64_t i = 1; i < n && ascending; i++) {
        ascending = cmp_rows(t->offset + (i - 1) * rank, t->offset + i * rank, rank) < 0;
    }
    if (ascending) {
        /* Already in lookup order: no permutation. Dense when the records are exactly the
         * chunk grid of the current extent, in row-major order. */
        uint64_t grid[H5RD_MAX_RANK], total = 1;
        bool dense = n > 0 && space != NULL && space->rank == rank;
        for (uint32_t d = 0; dense && d < rank; d++) {
            uint64_t cd = layout->pub.chunk_dims[d];
            dense = cd > 0;
            if (dense) {
                grid[d] = space->dims[d] / cd + (space->dims[d] % cd != 0);
                dense = grid[d] > 0 && total <= UINT64_MAX / grid[d];
                total = dense ? total * grid[d] : total;
            }
        }
        dense = dense && total == n;
        if (dense) {
            uint64_t pos[H5RD_MAX_RANK] = {0}; /* expected offset of record i, in elements */
            for (uint64_t i = 0; i < n && dense; i++) {
                const uint64_t *row = t->offset + i * rank;
                for (uint32_t d = 0; d < rank; d++) {
                    if (row[d] != pos[d]) {
                        dense = false;
                        break;
                    }
                }
                for (uint32_t d = rank; d-- > 0;) { /* odometer, last dimension fastest */
                    /* pos < dims always; written so that huge hostile extents cannot wrap */
                    if (space->dims[d] - pos[d] > layout->pub.chunk_dims[d]) {
                        pos[d] += layout->pub.chunk_dims[d];
                        break;
                    }
                    pos[d] = 0;
                }
            }
        }
        if (dense) {
            t->dense = h5rd__calloc(f, 2 * (uint64_t)rank, sizeof(uint64_t), ec);
            if (t->dense == NULL) {
                e = ec->code != H5RD_OK ? ec->code : H5RD_E_NOMEM;
                goto out;
            }
            for (uint32_t d = 0; d < rank; d++) {
                t->dense[d] = layout->pub.chunk_dims[d];
                t->dense[rank + d] = grid[d];
            }
        }
        goto out;
    }
    t->sorted = h5rd__calloc(f, n, sizeof(uint64_t), ec);
    tmp = h5rd__calloc(f, n, sizeof(uint64_t), ec);
    if (t->sorted == NULL || tmp == NULL) {
        e = ec->code != H5RD_OK ? ec->code : H5RD_E_NOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < n; i++) {
        t->sorted[i] = i;
    }
    h5rd__sort_idx(t->sorted, tmp, n, cmp_offset, t);
out:
    h5rd__free(f, tmp);
    if (e != H5RD_OK) {
        h5rd__chunk_table_free(f, t);
    }
    return e;
}

uint64_t h5rd__chunk_table_find(const struct h5rd__chunk_table *t, const uint64_t *chunk_offset)
{
    if (t == NULL) {
        return H5RD__CHUNK_NONE;
    }
    if (t->dense != NULL) {
        /* Record i is chunk number i of the grid (checked when built). */
        uint64_t lin = 0;
        for (uint32_t d = 0; d < t->rank; d++) {
            uint64_t cd = t->dense[d], q = chunk_offset[d] / cd;
            if (chunk_offset[d] % cd != 0 || q >= t->dense[t->rank + d]) {
                return H5RD__CHUNK_NONE;
            }
            lin = lin * t->dense[t->rank + d] + q;
        }
        return lin;
    }
    uint64_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint64_t i = t->sorted != NULL ? t->sorted[mid] : mid;
        int c = cmp_rows(t->offset + i * t->rank, chunk_offset, t->rank);
        if (c == 0) {
            return i;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return H5RD__CHUNK_NONE;
}
