/*
 * api_obj.c - object handles, link listing and path resolution: the public face of src/file
 * (obj.c, path.c).
 *
 * An object handle decodes at open what every use needs (its header; the
 * dataspace, datatype, layout, filters and fill value of a dataset), so that
 * afterwards it is read-only and can be shared by threads. A group's links and
 * an object's attributes are loaded on first use and published with
 * compare-and-swap; as in libhdf5, a group whose link storage is damaged still
 * opens, and listing its links reports the damage.
 */
#include "api/api.h"

#include <string.h>

h5rd_err h5rd_obj_open_addr(h5rd_file *file, uint64_t addr, const char *path, h5rd_obj **obj_ret,
                            struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (file == NULL || obj_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "object: NULL argument");
    }
    return h5rd__obj_open_addr(file, addr, path != NULL ? path : "", obj_ret, ec);
}

void h5rd_obj_close(h5rd_obj *obj)
{
    h5rd__obj_unref(obj);
}

h5rd_obj_kind h5rd_obj_get_kind(const h5rd_obj *obj) { return obj->kind; }
uint64_t h5rd_obj_get_addr(const h5rd_obj *obj) { return obj->addr; }
const char *h5rd_obj_get_path(const h5rd_obj *obj) { return obj->path; }
h5rd_file *h5rd_obj_get_file(const h5rd_obj *obj) { return obj->file; }

h5rd_err h5rd_obj_get_info(const h5rd_obj *obj, struct h5rd_obj_info *info_ret,
                           struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || info_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "object info: NULL argument");
    }
    struct h5rd_obj_info i;
    memset(&i, 0, sizeof i);
    i.ohdr_version = obj->oh.version;
    i.n_messages = obj->oh.n_msgs;
    i.n_chunks = obj->oh.n_chunks;
    i.refcount = obj->oh.refcount;
    i.mtime = obj->oh.mtime;
    i.has_comment = obj->comment != NULL;
    *info_ret = i;
    return H5RD_OK;
}

h5rd_err h5rd_obj_get_comment(const h5rd_obj *obj, const char **comment_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (obj == NULL || comment_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "comment: NULL argument");
    }
    if (obj->comment == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, obj->addr, "comment: object has none");
    }
    *comment_ret = obj->comment;
    return H5RD_OK;
}

static h5rd_err need_group(const h5rd_obj *g, struct h5rd_error *ec)
{
    if (g == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "group: NULL argument");
    }
    if (g->kind != H5RD_OBJ_GROUP) {
        h5rd__err_set_path(ec, g->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, g->addr, "group: object is not a group");
    }
    return H5RD_OK;
}

static void export_link(const struct h5rd__link *l, struct h5rd_link *out)
{
    out->name = l->name;
    out->type = l->type;
    out->cset = l->cset;
    out->corder = l->corder;
    out->addr = l->addr;
    out->soft_target = l->soft;
    out->ext_file = l->ext_file;
    out->ext_path = l->ext_path;
    /* Symbol table entries (old-style groups) carry no link type number: hard or soft. */
    out->type_number = l->type == H5RD_LINK_HARD ? 0u
                       : l->type == H5RD_LINK_SOFT ? 1u
                       : l->type == H5RD_LINK_EXTERNAL ? 64u
                                                       : l->ltype;
    out->value_nbytes = l->value_nbytes != 0 || l->type != H5RD_LINK_SOFT || l->soft == NULL
                            ? l->value_nbytes
                            : strlen(l->soft);
}

h5rd_err h5rd_group_get_nlinks(const h5rd_obj *group, uint64_t *nlinks_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_group(group, ec));
    if (nlinks_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "group: NULL argument");
    }
    const struct h5rd__links *links = NULL;
    H5RD_TRY(h5rd__group_links(group, &links, ec));
    *nlinks_ret = links->n;
    return H5RD_OK;
}

h5rd_err h5rd_group_get_link(const h5rd_obj *group, uint64_t idx, struct h5rd_link *link_ret,
                             struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_group(group, ec));
    if (link_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "group: NULL argument");
    }
    const struct h5rd__links *links = NULL;
    H5RD_TRY(h5rd__group_links(group, &links, ec));
    if (idx >= links->n) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "group: link index out of range");
    }
    export_link(&links->v[idx], link_ret);
    return H5RD_OK;
}

h5rd_err h5rd_group_find_link(const h5rd_obj *group, const char *name, struct h5rd_link *link_ret,
                              struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_group(group, ec));
    if (name == NULL || link_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "group: NULL argument");
    }
    const struct h5rd__links *links = NULL;
    H5RD_TRY(h5rd__group_links(group, &links, ec));
    const struct h5rd__link *l = h5rd__links_find(links, name, strlen(name));
    if (l == NULL) {
        h5rd__err_set_path(ec, group->path);
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "group: no link of that name");
    }
    export_link(l, link_ret);
    return H5RD_OK;
}

h5rd_err h5rd_obj_open(h5rd_file *file, const char *path, h5rd_obj **obj_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (file == NULL || path == NULL || obj_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "object: NULL argument");
    }
    return h5rd__obj_open_path(file, path, obj_ret, ec);
}

h5rd_err h5rd_group_open_link(const h5rd_obj *group, uint64_t idx, h5rd_obj **obj_ret,
                              struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_group(group, ec));
    if (obj_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "group: NULL argument");
    }
    const struct h5rd__links *links = NULL;
    H5RD_TRY(h5rd__group_links(group, &links, ec));
    if (idx >= links->n) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "group: link index out of range");
    }
    const struct h5rd__link *l = &links->v[idx];
    char *child_path = h5rd__path_join(group->file, group->path, l->name, strlen(l->name), ec);
    if (child_path == NULL) {
        return ec->code;
    }
    h5rd_err e = h5rd__obj_open_link(group, l, child_path, obj_ret, ec);
    h5rd__free(group->file, child_path);
    return e;
}

/* The public record of one internal visit record (src/file/visit.c). */
struct visit_adapter {
    h5rd_visit_fn fn;
    void *udata;
};

static h5rd_visit_ret visit_adapt(const struct h5rd__visit_rec *r, void *udata)
{
    const struct visit_adapter *a = udata;
    struct h5rd_link lk;
    if (r->link != NULL) {
        export_link(r->link, &lk);
    }
    struct h5rd_visit_info info = {
        .path = r->path,
        .rel_path = r->rel_path,
        .depth = r->depth,
        .link = r->link != NULL ? &lk : NULL,
        .obj = r->obj,
        .kind = r->kind,
        .same_as = r->same_as,
        .err = r->err,
    };
    return a->fn(&info, a->udata);
}

h5rd_err h5rd_obj_visit(const h5rd_obj *group, h5rd_visit_fn fn, void *udata,
                        struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    H5RD_TRY(need_group(group, ec));
    if (fn == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "visit: NULL callback");
    }
    struct visit_adapter a = {fn, udata};
    return h5rd__obj_visit(group, visit_adapt, &a, ec);
}
