/*
 * api_read.c - reading datasets: selections, memory types, the read call, and direct chunk
 * access (include/h5rd.h "Reading datasets"). The engine is src/read/.
 *
 * A chunked dataset's chunk table (every allocated chunk, read/read.h) is built on first use
 * and published on the handle with compare-and-swap: the thread that loses the race frees its
 * copy. Chunk addresses are reported absolute (the superblock's base address added), as h5py's
 * get_chunk_info reports them.
 */
#include "api/api.h"
#include "dtype/convert.h"
#include "read/read.h"
#include "io/source.h"
#include "read/read_int.h"
#include "vds/vds_read.h"

#include <stddef.h>
#include <string.h>

void h5rd_read_opts_init(struct h5rd_read_opts *opts)
{
    if (opts != NULL) {
        memset(opts, 0, sizeof(*opts));
        opts->struct_nbytes = sizeof(*opts);
    }
}

static h5rd_err need_dataset(const h5rd_obj *o, struct h5rd_error *ec)
{
    if (o == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    if (o->kind != H5RD_OBJ_DATASET) {
        h5rd__err_set_path(ec, o->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, o->addr, "dataset: object is not a dataset");
    }
    if (!o->has_layout || o->type == NULL) {
        h5rd__err_set_path(ec, o->path);
        return H5RD_CORRUPT(ec, o->addr, "dataset: no data layout message");
    }
    return H5RD_OK;
}

/* The chunk table of a chunked dataset in state 'dc', built once per state (a live file's
 * index may be mid-rewrite: bounded retries, api_refresh.c). */
static h5rd_err obj_chunks(const h5rd_obj *o, const struct h5rd__dcur *dc,
                           const struct h5rd__chunk_table **t_ret, struct h5rd_error *ec)
{
    struct h5rd__chunk_table *cur = atomic_load_explicit(dc->chunks, memory_order_acquire);
    if (cur != NULL) {
        *t_ret = cur;
        return H5RD_OK;
    }
    struct h5rd_file *f = o->file;
    struct h5rd__chunk_table *mine = h5rd__calloc(f, 1, sizeof(*mine), ec);
    if (mine == NULL) {
        return ec->code;
    }
    h5rd_err e;
    for (uint32_t attempt = 0;; attempt++) {
        e = h5rd__chunk_table_build(f, dc->layout, &o->pline, dc->space, mine, ec);
        if (e == H5RD_OK || !h5rd__live_retry(f, e, attempt)) {
            break;
        }
        h5rd__err_clear(ec);
    }
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, o->path);
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

/* Fills the engine's view of the dataset in state 'dc' (building the chunk table when
 * chunked). */
static h5rd_err dset_init(const h5rd_obj *o, const struct h5rd__dcur *dc, struct h5rd__dset *d,
                          struct h5rd_error *ec)
{
    memset(d, 0, sizeof(*d));
    d->f = o->file;
    d->path = o->path;
    d->space = dc->space;
    d->type = o->type;
    d->layout = dc->layout;
    d->pline = &o->pline;
    d->fill = &o->fill;
    d->efl = &o->efl;
    d->gen = dc->gen;
    if (dc->layout->pub.cls == H5RD_LAYOUT_CHUNKED) {
        H5RD_TRY(obj_chunks(o, dc, &d->chunks, ec));
        /* The cache is the handle's one mutable part besides the published tables; reads take
         * it with an atomic exchange (read.c cache_take). */
        d->cache = (struct h5rd__chunk_cache *)(uintptr_t)o->cache;
    }
    return H5RD_OK;
}

h5rd_err h5rd_selection_get_npoints(const h5rd_obj *dset, const struct h5rd_selection *sel,
                                    uint64_t *npoints_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, ec));
    if (npoints_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "selection: NULL argument");
    }
    struct h5rd__sel s;
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = h5rd__sel_init(dc.space, sel, &s, ec);
    h5rd__dcur_leave(&dc);
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, dset->path);
        return e;
    }
    *npoints_ret = s.npoints;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_elem_nbytes(const h5rd_obj *dset, const struct h5rd_memtype *mt,
                                      uint64_t *nbytes_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, ec));
    if (nbytes_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    H5RD_TRY(h5rd__read_check_memtype(mt, ec));
    if (mt != NULL && mt->cls != H5RD_MEMTYPE_FILE) {
        *nbytes_ret = mt->size;
    } else if (dset->layout.pub.cls == H5RD_LAYOUT_VIRTUAL) {
        *nbytes_ret = dset->type->info.size; /* VDS reads keep the file type's size */
    } else {
        /* h5py's element: a float no numpy float of its size holds is widened (convert.h). */
        *nbytes_ret = h5rd__conv_file_elem_size(dset->type);
    }
    return H5RD_OK;
}

h5rd_err h5rd_dataset_read(const h5rd_obj *dset, const struct h5rd_selection *sel,
                           const struct h5rd_memtype *mt, void *buf, size_t buf_nbytes,
                           const struct h5rd_read_opts *opts, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, ec));
    if (buf == NULL && buf_nbytes > 0) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "read: NULL buffer");
    }
    H5RD_TRY(h5rd__read_check_memtype(mt, ec));
    uint32_t nthreads = 1, flags = 0;
    if (opts != NULL) {
        if (opts->struct_nbytes < offsetof(struct h5rd_read_opts, nthreads) + sizeof(uint32_t)) {
            return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "read: bad options struct size");
        }
        nthreads = opts->nthreads;
        if (opts->struct_nbytes >= offsetof(struct h5rd_read_opts, flags) + sizeof(uint32_t)) {
            flags = opts->flags;
        }
    }
    if (dset->layout.pub.cls == H5RD_LAYOUT_VIRTUAL) {
        /* assembled from the sources (vds/vds.h, read/vds_read.c) */
        uint8_t vdummy = 0;
        return h5rd__vds_read(dset, sel, mt, buf != NULL ? buf : &vdummy, buf_nbytes, nthreads,
                              flags, ec);
    }
    struct h5rd__dset d;
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = dset_init(dset, &dc, &d, ec);
    if (e == H5RD_OK) {
        uint8_t dummy = 0;
        e = h5rd__read(&d, sel, mt, buf != NULL ? buf : &dummy, buf_nbytes, nthreads, ec);
    }
    h5rd__dcur_leave(&dc);
    return e;
}

/* ---- direct chunk access ---- */

/* 'dc' is entered by the caller (and left by it, whatever this returns). */
static h5rd_err need_chunked(const h5rd_obj *dset, const struct h5rd__dcur *dc,
                             struct h5rd__dset *d, struct h5rd_error *ec)
{
    H5RD_TRY(need_dataset(dset, ec));
    if (dc->layout->pub.cls != H5RD_LAYOUT_CHUNKED) {
        h5rd__err_set_path(ec, dset->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, dset->addr, "chunk: dataset is not chunked");
    }
    return dset_init(dset, dc, d, ec);
}

/* The public description of table entry 'i'. */
static h5rd_err chunk_info(const struct h5rd__dset *d, uint64_t i, struct h5rd_chunk_info *info,
                           struct h5rd_error *ec)
{
    const struct h5rd__chunk_table *t = d->chunks;
    const struct h5rd__chunk_loc *r = &t->loc[i];
    struct h5rd_chunk_info ci;
    memset(&ci, 0, sizeof(ci));
    memcpy(ci.offset, t->offset + i * t->rank, t->rank * sizeof(uint64_t)); /* rank <= 32 */
    ci.addr = H5RD_ADDR_UNDEF;
    if (r->addr != H5RD_ADDR_UNDEF && !h5rd__add_u64(r->addr, d->f->sb.base_addr, &ci.addr)) {
        return H5RD_CORRUPT(ec, r->addr, "chunk: address overflows with the base address");
    }
    ci.nbytes = r->nbytes;
    ci.filter_mask = r->filter_mask;
    *info = ci;
    return H5RD_OK;
}

/* The offset of the chunk holding element 'coords' (RANGE when outside the dataspace). */
static h5rd_err coords_to_chunk(const struct h5rd__dset *d, const uint64_t *coords,
                                uint64_t *off, struct h5rd_error *ec)
{
    if (coords == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk: NULL coordinates");
    }
    const struct h5rd__layout *l = d->layout;
    if (l->pub.rank == 0 || l->pub.rank > H5RD_MAX_RANK || d->space->rank != l->pub.rank) {
        return H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: rank differs from dataspace");
    }
    for (uint32_t k = 0; k < l->pub.rank; k++) {
        uint64_t cd = l->pub.chunk_dims[k];
        if (cd == 0) {
            return H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: chunk dimension of 0");
        }
        if (coords[k] >= d->space->dims[k]) {
            return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF,
                             "chunk: coordinates outside the dataspace");
        }
        off[k] = coords[k] / cd * cd;
    }
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_nchunks(const h5rd_obj *dset, uint64_t *nchunks_ret,
                                  struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (nchunks_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk: NULL argument");
    }
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    struct h5rd__dset d;
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = need_chunked(dset, &dc, &d, ec);
    if (e == H5RD_OK) {
        *nchunks_ret = d.chunks->n;
    }
    h5rd__dcur_leave(&dc);
    return e;
}

h5rd_err h5rd_dataset_get_chunk(const h5rd_obj *dset, uint64_t idx,
                                struct h5rd_chunk_info *info_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (info_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk: NULL argument");
    }
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    struct h5rd__dset d;
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = need_chunked(dset, &dc, &d, ec);
    if (e == H5RD_OK && idx >= d.chunks->n) {
        e = H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "chunk: index out of range");
    }
    if (e == H5RD_OK) {
        e = chunk_info(&d, idx, info_ret, ec);
    }
    h5rd__dcur_leave(&dc);
    return e;
}

/* The allocated chunk holding 'coords' (NOT_FOUND when not allocated). */
static h5rd_err find_rec(const h5rd_obj *dset, const struct h5rd__dcur *dc, struct h5rd__dset *d,
                         const uint64_t *coords, uint64_t *idx_ret, struct h5rd_error *ec)
{
    H5RD_TRY(need_chunked(dset, dc, d, ec));
    uint64_t off[H5RD_MAX_RANK];
    H5RD_TRY(coords_to_chunk(d, coords, off, ec));
    uint64_t i = h5rd__chunk_table_find(d->chunks, off);
    if (i == H5RD__CHUNK_NONE || d->chunks->loc[i].addr == H5RD_ADDR_UNDEF) {
        h5rd__err_set_path(ec, dset->path);
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "chunk: chunk not allocated");
    }
    *idx_ret = i;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_find_chunk(const h5rd_obj *dset, const uint64_t *coords,
                                 struct h5rd_chunk_info *info_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (info_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk: NULL argument");
    }
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    struct h5rd__dset d;
    uint64_t i = 0;
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = find_rec(dset, &dc, &d, coords, &i, ec);
    if (e == H5RD_OK) {
        e = chunk_info(&d, i, info_ret, ec);
    }
    h5rd__dcur_leave(&dc);
    return e;
}

static h5rd_err read_chunk_raw(const h5rd_obj *dset, const struct h5rd__dcur *dc,
                               const uint64_t *coords, void *buf, size_t buf_nbytes,
                               size_t *nbytes_ret, uint32_t *filter_mask_ret,
                               struct h5rd_error *ec)
{
    struct h5rd__dset d;
    uint64_t i = 0;
    H5RD_TRY(find_rec(dset, dc, &d, coords, &i, ec));
    const struct h5rd__chunk_loc *r = &d.chunks->loc[i];
    size_t n;
    if (!h5rd__u64_to_size(r->nbytes, &n)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, r->addr, "chunk: stored size exceeds address space");
    }
    if (nbytes_ret != NULL) {
        *nbytes_ret = n;
    }
    if (n > buf_nbytes || (buf == NULL && n > 0)) {
        return H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "chunk: buffer too small");
    }
    h5rd_err e = h5rd__io_read(d.f, r->addr, r->nbytes, buf, ec);
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, dset->path);
        return e;
    }
    if (filter_mask_ret != NULL) {
        *filter_mask_ret = r->filter_mask;
    }
    return H5RD_OK;
}

h5rd_err h5rd_dataset_read_chunk_raw(const h5rd_obj *dset, const uint64_t *coords, void *buf,
                                     size_t buf_nbytes, size_t *nbytes_ret,
                                     uint32_t *filter_mask_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = read_chunk_raw(dset, &dc, coords, buf, buf_nbytes, nbytes_ret, filter_mask_ret,
                                ec);
    h5rd__dcur_leave(&dc);
    return e;
}

static h5rd_err read_chunk(const h5rd_obj *dset, const struct h5rd__dcur *dc,
                           const uint64_t *coords, void *buf, size_t buf_nbytes,
                           struct h5rd_error *ec)
{
    struct h5rd__dset d;
    H5RD_TRY(need_chunked(dset, dc, &d, ec));
    uint64_t off[H5RD_MAX_RANK];
    H5RD_TRY(coords_to_chunk(&d, coords, off, ec));
    if (buf == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "chunk: NULL buffer");
    }
    return h5rd__read_chunk(&d, off, buf, buf_nbytes, ec);
}

h5rd_err h5rd_dataset_read_chunk(const h5rd_obj *dset, const uint64_t *coords, void *buf,
                                 size_t buf_nbytes, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    h5rd_err e = read_chunk(dset, &dc, coords, buf, buf_nbytes, ec);
    h5rd__dcur_leave(&dc);
    return e;
}
