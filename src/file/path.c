/*
 * path.c - path resolution: an object opened by path from the root, or as the target of a
 * link (hard, soft, external; hops bounded by limits.max_link_hops). src/api/api_obj.c is the
 * public face.
 */
#include "file/file.h"

#include <stdio.h>
#include <string.h>

/* ---- path resolution ------------------------------------------------------------------- */

struct resolver {
    uint32_t hops;             /* soft and external links followed so far */
    struct h5rd_error *ec;
};

static h5rd_err resolve(struct resolver *r, struct h5rd_file *f, uint64_t start_addr,
                        const char *start_path, const char *path, h5rd_obj **obj_ret);

/* Follows link 'l' found in group 'g' (whose path is g->path), opening its target. */
static h5rd_err follow_link(struct resolver *r, const h5rd_obj *g, const struct h5rd__link *l,
                            const char *obj_path, h5rd_obj **obj_ret)
{
    struct h5rd_error *ec = r->ec;
    struct h5rd_file *f = g->file;
    switch (l->type) {
    case H5RD_LINK_HARD:
        return h5rd__obj_open_addr(f, l->addr, obj_path, obj_ret, ec);
    case H5RD_LINK_SOFT:
        if (++r->hops > f->limits.max_link_hops) {
            h5rd__err_set_path(ec, obj_path);
            return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "link: too many soft/external link hops");
        }
        /* A relative soft link is resolved from the group holding it. */
        return resolve(r, f, g->addr, g->path, l->soft, obj_ret);
    case H5RD_LINK_EXTERNAL: {
        if (++r->hops > f->limits.max_link_hops) {
            h5rd__err_set_path(ec, obj_path);
            return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "link: too many soft/external link hops");
        }
        struct h5rd_file *ext = NULL;
        h5rd_err e = h5rd__extfile_open(f, l->ext_file, &ext, ec);
        if (e != H5RD_OK) {
            h5rd__err_set_path(ec, obj_path);
            return e;
        }
        return resolve(r, ext, ext->sb.root_addr, "/", l->ext_path, obj_ret);
    }
    default:
        h5rd__err_set_path(ec, obj_path);
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, "link: user-defined link type cannot be followed");
    }
}

static h5rd_err resolve(struct resolver *r, struct h5rd_file *f, uint64_t start_addr,
                        const char *start_path, const char *path, h5rd_obj **obj_ret)
{
    struct h5rd_error *ec = r->ec;
    h5rd_obj *cur = NULL;
    h5rd_err e;
    if (path[0] == '/') {
        e = h5rd__obj_open_addr(f, f->sb.root_addr, "/", &cur, ec);
    } else {
        e = h5rd__obj_open_addr(f, start_addr, start_path, &cur, ec);
    }
    if (e != H5RD_OK) {
        return e;
    }
    const char *p = path;
    for (;;) {
        while (*p == '/') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        const char *end = strchr(p, '/');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            p += n;
            continue;
        }
        if (cur->kind != H5RD_OBJ_GROUP) {
            h5rd__err_set_path(ec, cur->path);
            h5rd__obj_unref(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: a component is not a group");
        }
        const struct h5rd__links *links = NULL;
        e = h5rd__group_links(cur, &links, ec);
        if (e != H5RD_OK) {
            h5rd__obj_unref(cur);
            return e;
        }
        const struct h5rd__link *l = h5rd__links_find(links, p, n);
        char *child_path = h5rd__path_join(f, cur->path, p, n, ec);
        if (child_path == NULL) {
            h5rd__obj_unref(cur);
            return ec->code;
        }
        if (l == NULL) {
            h5rd__err_set_path(ec, child_path);
            h5rd__free(f, child_path);
            h5rd__obj_unref(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: no such link");
        }
        h5rd_obj *next = NULL;
        e = follow_link(r, cur, l, child_path, &next);
        if (e == H5RD_OK && next->file == f && strcmp(next->path, child_path) != 0) {
            /* Reached through a soft link: report the path as the caller spelled it. */
            (void)h5rd__obj_set_path(next, child_path, ec);
        }
        h5rd__free(f, child_path);
        h5rd__obj_unref(cur);
        if (e != H5RD_OK) {
            return e;
        }
        cur = next;
        f = cur->file;
        p += n;
    }
    *obj_ret = cur;
    return H5RD_OK;
}

h5rd_err h5rd__obj_open_path(struct h5rd_file *f, const char *path, h5rd_obj **obj_ret,
                             struct h5rd_error *ec)
{
    struct resolver r = {0, ec};
    /* A relative path is taken from the root, as h5py's File does. */
    return resolve(&r, f, f->sb.root_addr, "/", path, obj_ret);
}

h5rd_err h5rd__obj_open_link(const h5rd_obj *g, const struct h5rd__link *l, const char *obj_path,
                             h5rd_obj **obj_ret, struct h5rd_error *ec)
{
    struct resolver r = {0, ec};
    return follow_link(&r, g, l, obj_path, obj_ret);
}
