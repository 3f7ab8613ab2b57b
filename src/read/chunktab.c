/*
 * chunktab.c - the table of a chunked dataset's allocated chunks (Spec v3.0 IV.A.2.i "The Data
 * Layout Message", Appendix C "Types of Indexes for Dataset Chunks"): one pass over the chunk
 * index (h5rd__cidx_iterate, linear in the index size) collects every record in index order;
 * a sorted permutation gives O(log n) lookup by chunk offset, whatever the index type (v1 and
 * v2 B-trees would otherwise cost a scan per lookup).
 *
 * Order: chunks are sorted by their scaled coordinates (offset / chunk dims) lexicographically,
 * which is row-major order; linear[i] is v[i]'s row-major number over the current chunk grid
 * (UINT64_MAX for chunks outside the current extent or when the grid is too large to number).
 * Records whose offset is not a multiple of the chunk dimensions can never be looked up and
 * are kept only for listing. Duplicate offsets (a damaged B-tree) resolve to one of them.
 *
 * Invariants: the table is immutable once built (published by the API layer with
 * compare-and-swap); its size is bounded by max_alloc_nbytes through h5rd__grow.
 */
#include "read/read_int.h"

#include <string.h>

struct collect {
    const struct h5rd_file *f;
    struct h5rd__chunk_table *t;
    uint64_t cap;
};

static h5rd_err collect_cb(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    struct collect *c = ud;
    void *arr = c->t->v;
    H5RD_TRY(h5rd__grow(c->f, &arr, &c->cap, c->t->n + 1, sizeof(*c->t->v), ec));
    c->t->v = arr;
    c->t->v[c->t->n++] = *rec;
    return H5RD_OK;
}

struct order_ctx {
    const struct h5rd__chunk_rec *v;
    uint32_t rank;
};

static int cmp_offset(uint64_t a, uint64_t b, const void *ctx)
{
    const struct order_ctx *o = ctx;
    for (uint32_t d = 0; d < o->rank; d++) {
        uint64_t x = o->v[a].offset[d], y = o->v[b].offset[d];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

void h5rd__chunk_table_free(const struct h5rd_file *f, struct h5rd__chunk_table *t)
{
    if (t == NULL) {
        return;
    }
    h5rd__free(f, t->v);
    h5rd__free(f, t->sorted);
    h5rd__free(f, t->linear);
    memset(t, 0, sizeof(*t));
}

h5rd_err h5rd__chunk_table_build(const struct h5rd_file *f, const struct h5rd__layout *layout,
                                 const struct h5rd__pline *pline, const struct h5rd_space *space,
                                 struct h5rd__chunk_table *t, struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    uint64_t *tmp = NULL;
    memset(t, 0, sizeof(*t));
    struct collect c = {f, t, 0};
    e = h5rd__cidx_iterate(f, layout, pline, space, collect_cb, &c, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    uint32_t rank = layout->pub.rank;
    uint64_t n = t->n;
    t->sorted = h5rd__calloc(f, n, sizeof(uint64_t), ec);
    t->linear = h5rd__calloc(f, n, sizeof(uint64_t), ec);
    tmp = h5rd__calloc(f, n, sizeof(uint64_t), ec);
    if (t->sorted == NULL || t->linear == NULL || tmp == NULL) {
        e = ec->code != H5RD_OK ? ec->code : H5RD_E_NOMEM;
        goto out;
    }
    /* Row-major numbering over the current chunk grid, when it fits in 64 bits. */
    uint64_t grid[H5RD_MAX_RANK];
    bool numbered = true;
    uint64_t total = 1;
    for (uint32_t d = 0; d < rank; d++) {
        uint64_t cd = layout->pub.chunk_dims[d];
        grid[d] = cd == 0 ? 0 : space->dims[d] / cd + (space->dims[d] % cd != 0);
        if (!h5rd__mul_u64(total, grid[d], &total)) {
            numbered = false;
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        t->sorted[i] = i;
        uint64_t lin = 0;
        bool ok = numbered;
        for (uint32_t d = 0; d < rank && ok; d++) {
            uint64_t cd = layout->pub.chunk_dims[d];
            uint64_t off = t->v[i].offset[d];
            if (cd == 0 || off % cd != 0 || off / cd >= grid[d]) {
                ok = false;
            } else {
                lin = lin * grid[d] + off / cd; /* < total, no overflow */
            }
        }
        t->linear[i] = ok ? lin : UINT64_MAX;
    }
    struct order_ctx o = {t->v, rank};
    h5rd__sort_idx(t->sorted, tmp, n, cmp_offset, &o);
out:
    h5rd__free(f, tmp);
    if (e != H5RD_OK) {
        h5rd__chunk_table_free(f, t);
    }
    return e;
}

const struct h5rd__chunk_rec *h5rd__chunk_table_find(const struct h5rd__dset *d,
                                                     const uint64_t *chunk_offset)
{
    const struct h5rd__chunk_table *t = d->chunks;
    if (t == NULL) {
        return NULL;
    }
    uint32_t rank = d->layout->pub.rank;
    uint64_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        const struct h5rd__chunk_rec *r = &t->v[t->sorted[mid]];
        int c = 0;
        for (uint32_t k = 0; k < rank && c == 0; k++) {
            if (r->offset[k] != chunk_offset[k]) {
                c = r->offset[k] < chunk_offset[k] ? -1 : 1;
            }
        }
        if (c == 0) {
            return r;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}
