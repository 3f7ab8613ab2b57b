/*
 * cidx_implicit.c - the implicit index (Spec v3.0 IV.A.2.i, layout version 4, index type 2;
 * libhdf5 H5Dnone.c): unfiltered datasets with fixed maximum dimensions and early allocation
 * store every chunk of the maximum chunk grid contiguously from the layout's address, chunk n
 * (row-major over the maximum grid) at address + n x chunk size. Iteration lists the chunks of
 * the current extent, row-major, as libhdf5 does.
 *
 * There is no index structure to validate, so the whole span the current chunks occupy must lie
 * inside the file: that bounds the iteration by the file size even for absurd dimensions.
 */
#include "chunk/cidx_int.h"

#include "io/source.h"

#include <string.h>

/* Checks the dataset's numbering and that chunks 0..last of the current grid fit in the file. */
static h5rd_err implicit_setup(const struct h5rd__cidx *cx, struct h5rd__cidx_grid *g,
                               bool *none, struct h5rd_error *ec)
{
    const uint64_t addr = cx->layout->pub.data_addr;
    if (cx->filtered) {
        return H5RD_CORRUPT(ec, addr, "implicit chunk index: dataset has filters");
    }
    for (unsigned i = 0; i < cx->rank; i++) {
        if (cx->max_chunks[i] == H5RD_UNLIMITED) {
            return H5RD_CORRUPT(ec, addr,
                                "implicit chunk index: dataset has an unlimited dimension");
        }
    }
    H5RD_TRY(h5rd__cidx_grid_init(cx, 0, g, ec));
    uint64_t last[H5RD_MAX_RANK];
    *none = false;
    for (unsigned i = 0; i < cx->rank; i++) {
        if (cx->cur_chunks[i] == 0) {
            *none = true;
            return H5RD_OK;
        }
        last[i] = cx->cur_chunks[i] - 1;
    }
    /* Number of the last current chunk; an overflow means the chunks cannot fit anyway. */
    uint64_t idx = 0;
    bool fits = true;
    for (unsigned i = 0; i < cx->rank && fits; i++) {
        uint64_t t;
        if (g->extent[i] != H5RD_UNLIMITED && last[i] >= g->extent[i]) {
            return H5RD_CORRUPT(ec, addr,
                                "implicit chunk index: current extent exceeds the maximum");
        }
        fits = h5rd__mul_u64(last[i], g->down[i], &t) && h5rd__add_u64(idx, t, &idx);
    }
    uint64_t span;
    uint64_t abs;
    H5RD_TRY(h5rd__io_abs(cx->f, addr, &abs, ec));
    if (!fits || !h5rd__mul_u64(idx + 1, cx->chunk_nbytes, &span) || abs > cx->f->nbytes ||
        span > cx->f->nbytes - abs) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, addr,
                         "implicit chunk index: chunks run past the end of the file");
    }
    return H5RD_OK;
}

h5rd_err h5rd__cidx_implicit_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                     struct h5rd_error *ec)
{
    struct h5rd__cidx_grid g;
    bool none;
    H5RD_TRY(implicit_setup(cx, &g, &none, ec));
    if (none) {
        return H5RD_OK;
    }
    uint64_t scaled[H5RD_MAX_RANK] = {0};
    struct h5rd__chunk_rec rec;
    memset(&rec, 0, sizeof(rec));
    rec.nbytes = cx->chunk_nbytes;
    /* Every step is a chunk inside the file span checked above, so the loop is bounded by it. */
    for (;;) {
        uint64_t idx = 0;
        for (unsigned i = 0; i < cx->rank; i++) {
            idx += scaled[i] * g.down[i]; /* <= the last chunk's index: no overflow */
        }
        H5RD_TRY(h5rd__cidx_scaled_to_offset(cx, scaled, cx->layout->pub.data_addr, &rec, ec));
        rec.addr = cx->layout->pub.data_addr + idx * cx->chunk_nbytes;
        H5RD_TRY(cb(&rec, ud, ec));
        unsigned d = cx->rank;
        while (d > 0) {
            d--;
            if (++scaled[d] < cx->cur_chunks[d]) {
                break;
            }
            scaled[d] = 0;
            if (d == 0) {
                return H5RD_OK;
            }
        }
    }
}

h5rd_err h5rd__cidx_implicit_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                    struct h5rd__chunk_rec *rec, struct h5rd_error *ec)
{
    struct h5rd__cidx_grid g;
    bool none;
    H5RD_TRY(implicit_setup(cx, &g, &none, ec));
    for (unsigned i = 0; i < cx->rank; i++) {
        if (none || scaled[i] >= cx->cur_chunks[i]) {
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF,
                             "chunk index: chunk not stored");
        }
    }
    uint64_t idx;
    H5RD_TRY(h5rd__cidx_grid_index(&g, scaled, &idx, ec));
    memset(rec, 0, sizeof(*rec));
    H5RD_TRY(h5rd__cidx_scaled_to_offset(cx, scaled, cx->layout->pub.data_addr, rec, ec));
    rec->addr = cx->layout->pub.data_addr + idx * cx->chunk_nbytes;
    rec->nbytes = cx->chunk_nbytes;
    return H5RD_OK;
}
