/*
 * select.c - dataset selections: validation, normalisation and the arithmetic that maps a
 * regular hyperslab onto chunks and output positions (libhdf5's H5Shyper.c semantics for
 * "regular" hyperslabs: start, stride, count and block per dimension; blocks may not overlap;
 * the selection is read in row-major order of the selected elements). Point selections keep
 * the caller's order.
 *
 * Invariants: after h5rd__sel_init every block lies inside the dataspace, so every coordinate
 * computed here is <= dims[d] and cannot overflow; output strides are bounded by npoints.
 */
#include "read/read_int.h"

#include <string.h>

static h5rd_err sel_fail(struct h5rd_error *ec, h5rd_err code, const char *what)
{
    return H5RD_FAIL(ec, code, H5RD_ADDR_UNDEF, what);
}

static h5rd_err finish_hyperslab(struct h5rd__sel *s, struct h5rd_error *ec)
{
    uint64_t total = 1;
    for (uint32_t d = 0; d < s->rank; d++) {
        /* One block, or blocks that touch: a single run along this dimension. */
        if (s->count[d] == 1 || s->stride[d] == s->block[d]) {
            s->block[d] *= s->count[d]; /* <= dims[d], checked by the caller */
            s->count[d] = s->count[d] == 0 ? 0 : 1;
            s->stride[d] = s->block[d] == 0 ? 1 : s->block[d];
        }
        s->n[d] = s->count[d] * s->block[d];
        if (!h5rd__mul_u64(total, s->n[d], &total)) {
            return sel_fail(ec, H5RD_E_LIMIT, "selection: number of elements overflows");
        }
    }
    s->npoints = total;
    if (s->rank > 0) {
        s->odown[s->rank - 1] = 1;
        for (uint32_t d = s->rank - 1; d > 0; d--) {
            /* Bounded by npoints when npoints > 0; otherwise nothing is written. */
            s->odown[d - 1] = total == 0 ? 0 : s->odown[d] * s->n[d];
        }
    }
    return H5RD_OK;
}

h5rd_err h5rd__sel_init(const struct h5rd_space *space, const struct h5rd_selection *sel,
                        struct h5rd__sel *s, struct h5rd_error *ec)
{
    /* The scalars here; the per-dimension arrays for d < rank below (nothing reads past the
     * rank, and zeroing all 32 dimensions of 8 arrays was 15% of a small read, issue 13). */
    s->is_points = false;
    s->rank = 0;
    s->npoints = 0;
    s->points = NULL;
    s->points_rank = 0;
    if (space->kind == H5RD_SPACE_NULL) {
        if (sel != NULL && sel->kind != H5RD_SEL_ALL) {
            return sel_fail(ec, H5RD_E_RANGE, "selection: dataspace is empty (null)");
        }
        s->rank = 0;
        s->npoints = 0;
        return H5RD_OK;
    }
    bool scalar = space->kind == H5RD_SPACE_SCALAR;
    uint32_t rank = scalar ? 0 : space->rank;
    if (!scalar && (rank == 0 || rank > H5RD_MAX_RANK)) {
        return sel_fail(ec, H5RD_E_CORRUPT, "selection: dataspace rank out of range");
    }
    /* A scalar dataspace is read as one element of a rank-1 space. */
    s->rank = scalar ? 1 : rank;
    for (uint32_t d = 0; d < s->rank; d++) {
        s->dims[d] = scalar ? 1 : space->dims[d];
        s->start[d] = s->stride[d] = s->count[d] = s->block[d] = s->n[d] = s->odown[d] = 0;
    }

    if (sel == NULL || sel->kind == H5RD_SEL_ALL) {
        for (uint32_t d = 0; d < s->rank; d++) {
            s->start[d] = 0;
            s->count[d] = 1;
            s->block[d] = s->dims[d];
            s->stride[d] = 1;
        }
        return finish_hyperslab(s, ec);
    }
    if (sel->rank != rank) {
        return sel_fail(ec, H5RD_E_INVAL, "selection: rank differs from the dataset's");
    }
    if (sel->kind == H5RD_SEL_HYPERSLAB) {
        if (scalar) {
            s->start[0] = 0;
            s->count[0] = 1;
            s->block[0] = 1;
            s->stride[0] = 1;
            return finish_hyperslab(s, ec);
        }
        if (sel->start == NULL || sel->count == NULL) {
            return sel_fail(ec, H5RD_E_INVAL, "selection: hyperslab without start or count");
        }
        for (uint32_t d = 0; d < rank; d++) {
            uint64_t st = sel->start[d], cnt = sel->count[d];
            uint64_t str = sel->stride != NULL ? sel->stride[d] : 1;
            uint64_t blk = sel->block != NULL ? sel->block[d] : 1;
            if (str == 0 || blk == 0) {
                return sel_fail(ec, H5RD_E_INVAL, "selection: hyperslab stride or block of 0");
            }
            if (cnt > 1 && blk > str) {
                return sel_fail(ec, H5RD_E_INVAL, "selection: hyperslab blocks overlap");
            }
            if (cnt > 0) {
                /* end = start + (count - 1) * stride + block, all checked, <= dims */
                uint64_t end;
                if (!h5rd__mul_u64(cnt - 1, str, &end) || !h5rd__add_u64(end, st, &end) ||
                    !h5rd__add_u64(end, blk, &end) || end > space->dims[d]) {
                    return sel_fail(ec, H5RD_E_RANGE, "selection: hyperslab outside the dataspace");
                }
            }
            s->start[d] = st;
            s->stride[d] = str;
            s->count[d] = cnt;
            s->block[d] = blk;
        }
        return finish_hyperslab(s, ec);
    }
    if (sel->kind == H5RD_SEL_POINTS) {
        s->is_points = true;
        s->npoints = sel->npoints;
        s->points_rank = rank;
        s->points = sel->points;
        if (sel->npoints > 0 && rank > 0 && sel->points == NULL) {
            return sel_fail(ec, H5RD_E_INVAL, "selection: point list is NULL");
        }
        uint64_t ncoords;
        if (!h5rd__mul_u64(sel->npoints, rank, &ncoords)) {
            return sel_fail(ec, H5RD_E_LIMIT, "selection: point list too long");
        }
        for (uint64_t i = 0; i < ncoords; i++) {
            if (sel->points[i] >= space->dims[i % rank]) {
                return sel_fail(ec, H5RD_E_RANGE, "selection: point outside the dataspace");
            }
        }
        return H5RD_OK;
    }
    return sel_fail(ec, H5RD_E_INVAL, "selection: unknown kind");
}

void h5rd__sel_dim_blocks(const struct h5rd__sel *s, uint32_t d, uint64_t lo, uint64_t hi,
                          uint64_t *ilo, uint64_t *ihi)
{
    uint64_t st = s->start[d], str = s->stride[d], blk = s->block[d], cnt = s->count[d];
    *ilo = 0;
    *ihi = 0;
    if (cnt == 0 || blk == 0 || hi <= lo) {
        return;
    }
    if (cnt == 1) {
        if (st < hi && st + blk > lo) {
            *ihi = 1;
        }
        return;
    }
    /* First block ending after lo: start + i*stride + block > lo. */
    uint64_t a = lo < st + blk ? 0 : (lo - st - blk) / str + 1;
    /* First block starting at or after hi: start + i*stride >= hi. */
    uint64_t b = hi <= st ? 0 : (hi - st - 1) / str + 1;
    if (a > cnt) {
        a = cnt;
    }
    if (b > cnt) {
        b = cnt;
    }
    if (b < a) {
        b = a;
    }
    *ilo = a;
    *ihi = b;
}

void h5rd__sel_dim_run(const struct h5rd__sel *s, uint32_t d, uint64_t i, uint64_t lo,
                       uint64_t hi, uint64_t *x, uint64_t *len, uint64_t *p)
{
    uint64_t a = s->start[d] + i * s->stride[d];
    uint64_t e = a + s->block[d];
    uint64_t b = a > lo ? a : lo;
    if (e > hi) {
        e = hi;
    }
    *x = b;
    *len = e > b ? e - b : 0;
    *p = i * s->block[d] + (b - a);
}

uint64_t h5rd__sel_dim_chunks(const struct h5rd__sel *s, uint32_t d, uint64_t cd, uint64_t *out,
                              uint64_t cap)
{
    uint64_t n = 0, lo = 0, hi = s->dims[d];
    while (n < cap && lo < hi) {
        uint64_t ilo, ihi;
        h5rd__sel_dim_blocks(s, d, lo, hi, &ilo, &ihi);
        if (ilo >= ihi) {
            break;
        }
        uint64_t x, len, p;
        h5rd__sel_dim_run(s, d, ilo, lo, hi, &x, &len, &p);
        uint64_t c = x / cd;
        out[n++] = c;
        /* Next chunk boundary; stop when it lies past the dataspace (or overflows). */
        if (c + 1 > hi / cd) {
            break;
        }
        lo = (c + 1) * cd;
    }
    return n;
}

void h5rd__sort_idx(uint64_t *v, uint64_t *tmp, uint64_t n, h5rd__cmp_fn cmp, const void *ctx)
{
    /* Bottom-up merge sort: O(n log n), stable, no recursion. */
    uint64_t *src = v, *dst = tmp;
    for (uint64_t w = 1; w < n; w *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * w) {
            uint64_t mid = w < n - lo ? lo + w : n;
            uint64_t hi = w < n - mid ? mid + w : n;
            uint64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                dst[k++] = cmp(src[j], src[i], ctx) < 0 ? src[j++] : src[i++];
            }
            while (i < mid) {
                dst[k++] = src[i++];
            }
            while (j < hi) {
                dst[k++] = src[j++];
            }
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) {
        memcpy(v, src, n * sizeof(*v));
    }
}
