/*
 * api_type.c - the public h5rd_type_* functions: read-only views of a decoded datatype tree
 * (src/dtype/dtype.h). Types are immutable after decoding, so every call here is thread-safe
 * and every returned pointer borrows from the type (lifetime: the handle the type came from).
 */
#include "dtype/dtype.h"

/* Points 'ec' at the caller's error struct, or at 'local' when the caller passed NULL, and
 * clears it. */
static struct h5rd_error *err_begin(struct h5rd_error *err, struct h5rd_error *local)
{
    struct h5rd_error *ec = err != NULL ? err : local;
    h5rd__err_begin_call(ec);
    return ec;
}

H5RD_API h5rd_err h5rd_type_get_info(const h5rd_type *type, struct h5rd_type_info *info_ret,
                                     struct h5rd_error *err)
{
    struct h5rd_error local;
    struct h5rd_error *ec = err_begin(err, &local);
    if (type == NULL || info_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "h5rd_type_get_info: NULL argument");
    }
    *info_ret = type->info;
    return H5RD_OK;
}

H5RD_API h5rd_err h5rd_type_get_member(const h5rd_type *type, uint32_t idx, const char **name_ret,
                                       uint64_t *offset_ret, const h5rd_type **member_type_ret,
                                       struct h5rd_error *err)
{
    struct h5rd_error local;
    struct h5rd_error *ec = err_begin(err, &local);
    if (type == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "h5rd_type_get_member: NULL type");
    }
    if (type->info.cls != H5RD_CLASS_COMPOUND) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                         "h5rd_type_get_member: not a compound type");
    }
    if (idx >= type->info.nmembers) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF,
                         "h5rd_type_get_member: member index out of range");
    }
    const struct h5rd__type_member *m = &type->members[idx];
    if (name_ret != NULL) {
        *name_ret = m->name;
    }
    if (offset_ret != NULL) {
        *offset_ret = m->offset;
    }
    if (member_type_ret != NULL) {
        *member_type_ret = m->type;
    }
    return H5RD_OK;
}

H5RD_API h5rd_err h5rd_type_get_enum_member(const h5rd_type *type, uint32_t idx,
                                            const char **name_ret, const void **value_ret,
                                            struct h5rd_error *err)
{
    struct h5rd_error local;
    struct h5rd_error *ec = err_begin(err, &local);
    if (type == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "h5rd_type_get_enum_member: NULL type");
    }
    if (type->info.cls != H5RD_CLASS_ENUM) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                         "h5rd_type_get_enum_member: not an enum type");
    }
    if (idx >= type->info.nmembers) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF,
                         "h5rd_type_get_enum_member: member index out of range");
    }
    if (name_ret != NULL) {
        *name_ret = type->members[idx].name;
    }
    if (value_ret != NULL) {
        /* The enum's size equals its base's size (checked at decode). */
        *value_ret = type->enum_values + (size_t)idx * (size_t)type->info.size;
    }
    return H5RD_OK;
}

H5RD_API h5rd_err h5rd_type_get_super(const h5rd_type *type, const h5rd_type **super_ret,
                                      struct h5rd_error *err)
{
    struct h5rd_error local;
    struct h5rd_error *ec = err_begin(err, &local);
    if (type == NULL || super_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "h5rd_type_get_super: NULL argument");
    }
    if (type->base == NULL) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                         "h5rd_type_get_super: not an enum, vlen, array or complex type");
    }
    *super_ret = type->base;
    return H5RD_OK;
}
