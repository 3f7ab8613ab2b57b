/*
 * dview.c - a whole dataset read by the engine on its own (read.h struct h5rd__dview): the
 * dataset state a call uses, the chunk table built once per state, and the read itself. A
 * virtual dataset's source reads (vds_read.c) take the steps the public read
 * (src/api/api_read.c h5rd_dataset_read) takes past its argument checks, so a source read
 * behaves as h5rd_dataset_read on the source's handle.
 */
#include "read/read_int.h"
#include "io/source.h"

#include <string.h>

/* Every call that may use a snapshot counts itself BEFORE it loads the snapshot pointer, and
 * drops the count when done: a refresh frees superseded snapshots only when it reads a count of
 * 0 after taking them (src/file/refresh.c). A never refreshed dataset costs one atomic load. */
void h5rd__dcur_enter_at(_Atomic(struct h5rd__dstate *) *state, atomic_uint *readers,
                         const struct h5rd_space *space0, const struct h5rd__layout *layout0,
                         _Atomic(struct h5rd__chunk_table *) *chunks0, struct h5rd__dcur *c)
{
    memset(c, 0, sizeof *c);
    struct h5rd__dstate *st = atomic_load(state);
    if (st != NULL) {
        atomic_fetch_add(readers, 1);
        st = atomic_load(state); /* the one to use: loaded after counting ourselves */
        c->counted = readers;
        c->space = &st->space;
        c->layout = &st->layout;
        c->chunks = &st->chunks;
        c->gen = st->gen;
        return;
    }
    c->space = space0;
    c->layout = layout0;
    c->chunks = chunks0;
    c->gen = 0;
}

void h5rd__dcur_leave(struct h5rd__dcur *c)
{
    if (c->counted != NULL) {
        atomic_fetch_sub(c->counted, 1);
        c->counted = NULL;
    }
}

h5rd_err h5rd__chunk_table_get(const struct h5rd_file *f, const char *path,
                               const struct h5rd__pline *pline, const struct h5rd__dcur *dc,
                               const struct h5rd__chunk_table **t_ret, struct h5rd_error *ec)
{
    struct h5rd__chunk_table *cur = atomic_load_explicit(dc->chunks, memory_order_acquire);
    if (cur != NULL) {
        *t_ret = cur;
        return H5RD_OK;
    }
    struct h5rd__chunk_table *mine = h5rd__calloc(f, 1, sizeof(*mine), ec);
    if (mine == NULL) {
        return ec->code;
    }
    h5rd_err e;
    for (uint32_t attempt = 0;; attempt++) {
        e = h5rd__chunk_table_build(f, dc->layout, pline, dc->space, mine, ec);
        if (e == H5RD_OK || !h5rd__live_retry(f, e, attempt)) {
            break;
        }
        h5rd__err_clear(ec);
    }
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, path);
        h5rd__free(f, mine);
        return e;
    }
    struct h5rd__chunk_table *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(dc->chunks, &expected, mine,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        h5rd__chunk_table_free(f, mine);
        h5rd__free(f, mine);
        mine = expected;
    }
    *t_ret = mine;
    return H5RD_OK;
}

h5rd_err h5rd__dview_npoints(const struct h5rd__dview *v, const struct h5rd_selection *sel,
                             uint64_t *npoints_ret, struct h5rd_error *ec)
{
    struct h5rd__sel s;
    struct h5rd__dcur dc;
    h5rd__dcur_enter_at(v->state, v->readers, v->space, v->layout, v->chunks, &dc);
    h5rd_err e = h5rd__sel_init(dc.space, sel, &s, ec);
    h5rd__dcur_leave(&dc);
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, v->path);
        return e;
    }
    *npoints_ret = s.npoints;
    return H5RD_OK;
}

/* The memory types h5rd_dataset_read accepts (include/h5rd.h struct h5rd_memtype). */
h5rd_err h5rd__read_check_memtype(const struct h5rd_memtype *mt, struct h5rd_error *ec)
{
    if (mt == NULL || mt->cls == H5RD_MEMTYPE_FILE) {
        return H5RD_OK;
    }
    bool ok = false;
    if (mt->cls == H5RD_MEMTYPE_INT) {
        ok = mt->size == 1 || mt->size == 2 || mt->size == 4 || mt->size == 8;
    } else if (mt->cls == H5RD_MEMTYPE_FLOAT) {
        ok = mt->size == 2 || mt->size == 4 || mt->size == 8;
    } else if (mt->cls == H5RD_MEMTYPE_COMPLEX) {
        ok = mt->size == 4 || mt->size == 8 || mt->size == 16;
    }
    if (!ok || (mt->order != H5RD_ORDER_LE && mt->order != H5RD_ORDER_BE)) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF,
                         "memory type: invalid class, size or order");
    }
    return H5RD_OK;
}

h5rd_err h5rd__read_dview(const struct h5rd__dview *v, const struct h5rd_selection *sel,
                          const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                          uint32_t nthreads, uint32_t flags, struct h5rd_error *ec)
{
    if (!v->has_layout || v->type == NULL) {
        h5rd__err_set_path(ec, v->path);
        return H5RD_CORRUPT(ec, v->addr, "dataset: no data layout message");
    }
    if (buf == NULL && buf_nbytes > 0) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "read: NULL buffer");
    }
    H5RD_TRY(h5rd__read_check_memtype(mt, ec));
    uint8_t dummy = 0;
    if (v->layout->pub.cls == H5RD_LAYOUT_VIRTUAL) {
        return h5rd__vds_read_view(v, sel, mt, buf != NULL ? buf : &dummy, buf_nbytes, nthreads,
                                   flags, ec);
    }
    struct h5rd__dcur dc;
    h5rd__dcur_enter_at(v->state, v->readers, v->space, v->layout, v->chunks, &dc);
    struct h5rd__dset d;
    memset(&d, 0, sizeof(d));
    d.f = v->f;
    d.path = v->path;
    d.space = dc.space;
    d.type = v->type;
    d.layout = dc.layout;
    d.pline = v->pline;
    d.fill = v->fill;
    d.efl = v->efl;
    d.gen = dc.gen;
    h5rd_err e = H5RD_OK;
    if (dc.layout->pub.cls == H5RD_LAYOUT_CHUNKED) {
        e = h5rd__chunk_table_get(v->f, v->path, v->pline, &dc, &d.chunks, ec);
        /* The caches are the handle's one mutable part besides the published tables; reads
         * take one with an atomic exchange (read.c cache_take). */
        d.cache = v->cache;
    }
    if (e == H5RD_OK) {
        e = h5rd__read(&d, sel, mt, buf != NULL ? buf : &dummy, buf_nbytes, nthreads, ec);
    }
    h5rd__dcur_leave(&dc);
    return e;
}
