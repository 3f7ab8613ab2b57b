/*
 * api_dataset.c - dataset metadata: dataspace, datatype, layout, filters, fill value.
 */
#include "api/api.h"

#include <string.h>

static h5rd_err need_dataset(const h5rd_obj *o, const void *out, struct h5rd_error *ec)
{
    if (o == NULL || out == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    if (o->kind != H5RD_OBJ_DATASET) {
        h5rd__err_set_path(ec, o->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, o->addr, "dataset: object is not a dataset");
    }
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_space(const h5rd_obj *dset, struct h5rd_space *space_ret,
                                struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, space_ret, ec));
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc); /* the current snapshot after h5rd_dataset_refresh */
    *space_ret = *dc.space;
    h5rd__dcur_leave(&dc);
    return H5RD_OK;
}

h5rd_err h5rd_obj_get_type(const h5rd_obj *obj, const h5rd_type **type_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || type_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "type: NULL argument");
    }
    if (obj->type == NULL) {
        h5rd__err_set_path(ec, obj->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, obj->addr, "type: object has no datatype");
    }
    *type_ret = obj->type;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_layout(const h5rd_obj *dset, struct h5rd_layout *layout_ret,
                                 struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, layout_ret, ec));
    struct h5rd__dcur dc;
    h5rd__dcur_enter(dset, &dc);
    *layout_ret = dc.layout->pub;
    h5rd__dcur_leave(&dc);
    layout_ret->n_external_files = dset->efl.n;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_nfilters(const h5rd_obj *dset, uint32_t *nfilters_ret,
                                   struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, nfilters_ret, ec));
    *nfilters_ret = dset->pline.n;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_filter(const h5rd_obj *dset, uint32_t idx, struct h5rd_filter *filter_ret,
                                 struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, filter_ret, ec));
    if (idx >= dset->pline.n) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "filter: index out of range");
    }
    const struct h5rd__filter *fl = &dset->pline.v[idx];
    filter_ret->id = fl->id;
    filter_ret->flags = fl->flags;
    filter_ret->name = fl->name != NULL ? fl->name : "";
    filter_ret->n_values = fl->n_values;
    filter_ret->values = fl->values;
    return H5RD_OK;
}

h5rd_err h5rd_dataset_get_fill(const h5rd_obj *dset, struct h5rd_fill *fill_ret,
                               struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_dataset(dset, fill_ret, ec));
    struct h5rd_fill fl;
    memset(&fl, 0, sizeof fl);
    fl.alloc_time = dset->fill.alloc_time;
    fl.fill_time = dset->fill.fill_time;
    fl.is_defined = dset->fill.is_defined;
    fl.nbytes = dset->fill.nbytes;
    fl.value = dset->fill.value;
    *fill_ret = fl;
    return H5RD_OK;
}
