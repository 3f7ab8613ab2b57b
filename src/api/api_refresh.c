/*
 * api_refresh.c - h5rd_dataset_refresh (include/h5rd.h): the public face of the
 * dataset snapshots of src/file/refresh.c.
 */
#include "api/api.h"

h5rd_err h5rd_dataset_refresh(h5rd_obj *dset, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (dset == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "dataset: NULL argument");
    }
    return h5rd__obj_refresh(dset, ec);
}
