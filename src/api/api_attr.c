/*
 * api_attr.c - attributes. An object's attribute table is decoded on first
 * use and published once with compare-and-swap (the loser of a race frees its
 * copy; src/file/obj.c h5rd__obj_attrs), so attribute access stays lock-free.
 */
#include "api/api.h"

#include <string.h>

h5rd_err h5rd_obj_get_nattrs(const h5rd_obj *obj, uint64_t *nattrs_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || nattrs_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attributes: NULL argument");
    }
    const struct h5rd__attrs *attrs = NULL;
    H5RD_TRY(h5rd__obj_attrs(obj, &attrs, ec));
    *nattrs_ret = attrs->n;
    return H5RD_OK;
}

static h5rd_err attr_new(const h5rd_obj *obj, const struct h5rd__attr *a, h5rd_attr **attr_ret,
                         struct h5rd_error *ec)
{
    h5rd_attr *h = h5rd__malloc(obj->file, sizeof *h, ec);
    if (h == NULL) {
        return ec->code;
    }
    h5rd_obj *o = (h5rd_obj *)(uintptr_t)obj; /* the reference count is atomic */
    atomic_fetch_add(&o->refcount, 1);
    h->obj = o;
    h->a = a;
    *attr_ret = h;
    return H5RD_OK;
}

h5rd_err h5rd_attr_open_idx(const h5rd_obj *obj, uint64_t idx, h5rd_attr **attr_ret,
                            struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || attr_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attribute: NULL argument");
    }
    const struct h5rd__attrs *attrs = NULL;
    H5RD_TRY(h5rd__obj_attrs(obj, &attrs, ec));
    if (idx >= attrs->n) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "attribute: index out of range");
    }
    return attr_new(obj, &attrs->v[idx], attr_ret, ec);
}

h5rd_err h5rd_attr_open(const h5rd_obj *obj, const char *name, h5rd_attr **attr_ret,
                        struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || name == NULL || attr_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attribute: NULL argument");
    }
    const struct h5rd__attrs *attrs = NULL;
    H5RD_TRY(h5rd__obj_attrs(obj, &attrs, ec));
    for (uint64_t i = 0; i < attrs->n; i++) {
        if (strcmp(attrs->v[i].name, name) == 0) {
            return attr_new(obj, &attrs->v[i], attr_ret, ec);
        }
    }
    h5rd__err_set_path(ec, obj->path);
    return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, obj->addr, "attribute: no attribute of that name");
}

void h5rd_attr_close(h5rd_attr *attr)
{
    if (attr != NULL) {
        h5rd_obj *o = attr->obj;
        h5rd__free(o->file, attr);
        h5rd_obj_close(o);
    }
}

const char *h5rd_attr_get_name(const h5rd_attr *attr) { return attr->a->name; }
const h5rd_type *h5rd_attr_get_type(const h5rd_attr *attr) { return attr->a->type; }

h5rd_err h5rd_attr_get_space(const h5rd_attr *attr, struct h5rd_space *space_ret,
                             struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (attr == NULL || space_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attribute: NULL argument");
    }
    *space_ret = attr->a->space;
    return H5RD_OK;
}

h5rd_err h5rd_attr_get_nbytes(const h5rd_attr *attr, uint64_t *nbytes_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (attr == NULL || nbytes_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attribute: NULL argument");
    }
    *nbytes_ret = attr->a->data_nbytes;
    return H5RD_OK;
}

h5rd_err h5rd_attr_read(const h5rd_attr *attr, void *buf, size_t buf_nbytes, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (attr == NULL || (buf == NULL && attr->a->data_nbytes > 0)) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "attribute: NULL argument");
    }
    const struct h5rd__attr *a = attr->a;
    if (buf_nbytes < a->data_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "attribute: buffer too small");
    }
    if (a->data_nbytes == 0) {
        return H5RD_OK;
    }
    memcpy(buf, a->data, (size_t)a->data_nbytes);
    uint64_t esize = a->type->info.size;
    if (esize > 0) {
        h5rd__dtype_to_native(a->type, buf, a->data_nbytes / esize);
    }
    return H5RD_OK;
}
