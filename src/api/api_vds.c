/*
 * api_vds.c - the public view of virtual datasets (include/h5rd.h "Virtual datasets"): the
 * mappings as stored and the sources opened at dataset open (src/vds). Every call reads the
 * immutable struct h5rd__vds of the handle; nothing is locked or built lazily.
 */
#include "api/api.h"
#include "vds/vds.h"

#include <string.h>

static h5rd_err need_vds(const h5rd_obj *o, const void *out, const struct h5rd__vds **v,
                         struct h5rd_error *ec)
{
    if (o == NULL || out == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "virtual dataset: NULL argument");
    }
    if (o->kind != H5RD_OBJ_DATASET || o->vds == NULL) {
        h5rd__err_set_path(ec, o->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, o->addr, "virtual dataset: object is not a virtual dataset");
    }
    *v = o->vds;
    return H5RD_OK;
}

static void export_sel(const struct h5rd__sel *s, struct h5rd_vds_sel *out)
{
    memset(out, 0, sizeof *out);
    switch (s->type) {
    case H5RD__SEL_NONE:
        out->kind = H5RD_VDS_SEL_NONE;
        return;
    case H5RD__SEL_ALL:
        out->kind = H5RD_VDS_SEL_ALL;
        return;
    case H5RD__SEL_POINTS:
        out->kind = H5RD_VDS_SEL_POINTS;
        out->rank = s->rank;
        out->n = s->n;
        out->coords = s->coords;
        return;
    default:
        out->rank = s->rank;
        if (s->regular) {
            out->kind = H5RD_VDS_SEL_HYPERSLAB;
            out->start = s->start;
            out->stride = s->stride;
            out->count = s->count;
            out->block = s->block;
        } else {
            out->kind = H5RD_VDS_SEL_BLOCKS;
            out->n = s->n;
            out->coords = s->coords;
        }
        return;
    }
}

h5rd_err h5rd_vds_get_nmappings(const h5rd_obj *dset, uint64_t *n_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    const struct h5rd__vds *v = NULL;
    H5RD_TRY(need_vds(dset, n_ret, &v, ec));
    *n_ret = v->n;
    return H5RD_OK;
}

static h5rd_err get_map(const h5rd_obj *dset, uint64_t idx, const void *out,
                        const struct h5rd__vds_map **m, struct h5rd_error *ec)
{
    const struct h5rd__vds *v = NULL;
    H5RD_TRY(need_vds(dset, out, &v, ec));
    if (idx >= v->n) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "virtual dataset: mapping index out of range");
    }
    *m = &v->m[idx];
    return H5RD_OK;
}

h5rd_err h5rd_vds_get_mapping(const h5rd_obj *dset, uint64_t idx,
                              struct h5rd_vds_mapping *mapping_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    const struct h5rd__vds_map *m = NULL;
    H5RD_TRY(get_map(dset, idx, mapping_ret, &m, ec));
    struct h5rd_vds_mapping r;
    memset(&r, 0, sizeof r);
    r.file = m->file;
    r.dataset = m->dset;
    export_sel(&m->vsel, &r.vspace);
    export_sel(&m->ssel, &r.srcspace);
    r.is_printf = m->is_printf;
    r.nsources = m->nsrc;
    *mapping_ret = r;
    return H5RD_OK;
}

h5rd_err h5rd_vds_get_source(const h5rd_obj *dset, uint64_t idx, uint64_t src_idx,
                             struct h5rd_vds_source *source_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    const struct h5rd__vds_map *m = NULL;
    H5RD_TRY(get_map(dset, idx, source_ret, &m, ec));
    if (src_idx >= m->nsrc) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "virtual dataset: source index out of range");
    }
    const struct h5rd__vds_src *s = &m->src[src_idx];
    struct h5rd_vds_source r;
    memset(&r, 0, sizeof r);
    r.file = s->file_name;
    r.dataset = s->dset_name;
    r.path = s->tried != NULL ? s->tried : "";
    r.block = s->block;
    r.missing = s->obj == NULL;
    r.reason = s->reason;
    r.reason_what = s->reason_what != NULL ? s->reason_what : "";
    *source_ret = r;
    return H5RD_OK;
}

h5rd_err h5rd_vds_open_source(const h5rd_obj *dset, uint64_t idx, uint64_t src_idx,
                              h5rd_obj **obj_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    const struct h5rd__vds_map *m = NULL;
    H5RD_TRY(get_map(dset, idx, obj_ret, &m, ec));
    if (src_idx >= m->nsrc) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "virtual dataset: source index out of range");
    }
    h5rd_obj *o = m->src[src_idx].obj;
    if (o == NULL) {
        h5rd__err_set_path(ec, dset->path);
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "virtual dataset: source is missing");
    }
    atomic_fetch_add(&o->refcount, 1);
    *obj_ret = o;
    return H5RD_OK;
}
