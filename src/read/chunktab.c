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
    uint64_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint64_t i = t->sorted[mid];
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
