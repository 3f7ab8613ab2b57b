/*
 * cidx_single.c - the single chunk index (Spec v3.0 IV.A.2.i, layout version 4, index type 1):
 * the dataset is one chunk at the layout's address. Filtered datasets keep the chunk's stored
 * size and filter mask in the layout message; unfiltered ones have the full chunk size and
 * mask 0 (as libhdf5's H5Dsingle.c, which decides "filtered" by the pipeline, not by the
 * layout flag: a filtered dataset without the flag reports size 0).
 */
#include "chunk/cidx_int.h"

#include <string.h>

static void single_rec(const struct h5rd__cidx *cx, struct h5rd__chunk_rec *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->addr = cx->layout->pub.data_addr;
    if (cx->filtered) {
        rec->nbytes = cx->layout->single_filtered_nbytes;
        rec->filter_mask = cx->layout->single_filter_mask;
    } else {
        rec->nbytes = cx->chunk_nbytes;
    }
}

h5rd_err h5rd__cidx_single_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec)
{
    struct h5rd__chunk_rec rec;
    single_rec(cx, &rec);
    return cb(&rec, ud, ec);
}

h5rd_err h5rd__cidx_single_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec)
{
    for (unsigned i = 0; i < cx->rank; i++) {
        if (scaled[i] != 0) {
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF,
                             "chunk index: chunk not stored");
        }
    }
    single_rec(cx, rec);
    return H5RD_OK;
}
