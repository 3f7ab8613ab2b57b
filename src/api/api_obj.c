/*
 * api_obj.c - object handles, link listing and path resolution.
 *
 * An object handle decodes at open what every use needs (its header; the
 * dataspace, datatype, layout, filters and fill value of a dataset), so that
 * afterwards it is read-only and can be shared by threads. A group's links and
 * an object's attributes are loaded on first use and published with
 * compare-and-swap; as in libhdf5, a group whose link storage is damaged still
 * opens, and listing its links reports the damage.
 */
#include "api/api.h"
#include "io/source.h"
#include "vds/vds.h"

#include <stdio.h>
#include <string.h>

/* Decodes the message 'type' of 'oh' (resolving a shared one) with 'decode'. */
#define DECODE_MSG(f, oh, type, call_with_cursor)                                                  \
    do {                                                                                           \
        const struct h5rd__msg *m_ = h5rd__ohdr_find((oh), (type), 0);                             \
        if (m_ != NULL) {                                                                          \
            struct h5rd_view v_;                                                                   \
            e = h5rd__msg_body((f), m_, &v_, ec);                                                  \
            if (e == H5RD_OK) {                                                                    \
                struct h5rd_cur cur = h5rd__view_cur((f), &v_, ec);                                \
                e = (call_with_cursor);                                                            \
                h5rd__io_release((f), &v_);                                                        \
            }                                                                                      \
            if (e != H5RD_OK) {                                                                    \
                goto out;                                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static void obj_free(h5rd_obj *o)
{
    struct h5rd_file *f = o->file;
    h5rd__ohdr_free(f, &o->oh);
    struct h5rd__links *links = atomic_load(&o->links);
    if (links != NULL) {
        h5rd__links_free(f, links);
        h5rd__free(f, links);
    }
    if (o->type != NULL) {
        h5rd__dtype_free(f, o->type);
    }
    h5rd__layout_free(f, &o->layout);
    h5rd__pline_free(f, &o->pline);
    h5rd__fill_free(f, &o->fill);
    h5rd__efl_free(f, &o->efl);
    h5rd__free(f, o->comment);
    struct h5rd__attrs *attrs = atomic_load(&o->attrs);
    if (attrs != NULL) {
        h5rd__attrs_free(f, attrs);
        h5rd__free(f, attrs);
    }
    h5rd__obj_chunks_free(o);
    h5rd__obj_dstate_free(o);
    for (size_t k = 0; k < H5RD__CACHE_SHARDS; k++) {
        h5rd__chunk_cache_free(f, &o->cache[k]);
    }
    h5rd__vds_free(f, o->vds);
    h5rd__free(f, o->path);
    h5rd__free(f, o);
    h5rd__file_unref(f);
}

/* libhdf5 classifies an object by its messages (H5O__obj_class_real): a group has a Symbol
 * Table or Link Info message; a dataset a Datatype and a Dataspace; a committed datatype a
 * Datatype only. Old-style empty root groups may have neither (handled by the caller). */
static h5rd_err classify(const struct h5rd__ohdr *oh, h5rd_obj_kind *kind, struct h5rd_error *ec)
{
    if (h5rd__ohdr_find(oh, H5RD__MSG_SYMBOL_TABLE, 0) != NULL ||
        h5rd__ohdr_find(oh, H5RD__MSG_LINK_INFO, 0) != NULL) {
        *kind = H5RD_OBJ_GROUP;
    } else if (h5rd__ohdr_find(oh, H5RD__MSG_DATATYPE, 0) != NULL &&
               h5rd__ohdr_find(oh, H5RD__MSG_DATASPACE, 0) != NULL) {
        *kind = H5RD_OBJ_DATASET;
    } else if (h5rd__ohdr_find(oh, H5RD__MSG_DATATYPE, 0) != NULL) {
        *kind = H5RD_OBJ_DATATYPE;
    } else if (h5rd__ohdr_find(oh, H5RD__MSG_LINK, 0) != NULL) {
        *kind = H5RD_OBJ_GROUP;
    } else {
        return H5RD_FAIL(ec, H5RD_E_CORRUPT, oh->addr, "object header: not a group, dataset or datatype");
    }
    return H5RD_OK;
}

static h5rd_err decode_dtype_cb(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd_type **t,
                                struct h5rd_error *ec)
{
    return h5rd__dtype_decode(f, c, t, ec);
}

h5rd_err h5rd__obj_open_addr(struct h5rd_file *f, uint64_t addr, const char *path,
                             h5rd_obj **obj_ret, struct h5rd_error *ec)
{
    return h5rd__obj_open_addr_vds(f, addr, path, NULL, obj_ret, ec);
}

static h5rd_err obj_open_once(struct h5rd_file *f, uint64_t addr, const char *path,
                              const struct h5rd__vds_chain *vds_up, h5rd_obj **obj_ret,
                              struct h5rd_error *ec);

h5rd_err h5rd__obj_open_addr_vds(struct h5rd_file *f, uint64_t addr, const char *path,
                                 const struct h5rd__vds_chain *vds_up, h5rd_obj **obj_ret,
                                 struct h5rd_error *ec)
{
    /* A live file's header may be mid-rewrite by the writer: read it again (api.h). */
    for (uint32_t attempt = 0;; attempt++) {
        h5rd_err e = obj_open_once(f, addr, path, vds_up, obj_ret, ec);
        if (e == H5RD_OK || !h5rd__live_retry(f, e, attempt)) {
            return e;
        }
        h5rd__err_clear(ec);
    }
}

static h5rd_err obj_open_once(struct h5rd_file *f, uint64_t addr, const char *path,
                              const struct h5rd__vds_chain *vds_up, h5rd_obj **obj_ret,
                              struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    h5rd_obj *o = h5rd__calloc(f, 1, sizeof *o, ec);
    if (o == NULL) {
        return ec->code;
    }
    h5rd__file_ref(f);
    o->file = f;
    atomic_init(&o->refcount, 1);
    atomic_init(&o->attrs, NULL);
    atomic_init(&o->chunks, NULL);
    atomic_init(&o->links, NULL);
    atomic_init(&o->state, NULL);
    atomic_init(&o->retired, NULL);
    atomic_init(&o->readers, 0);
    atomic_init(&o->gens, 0);
    for (size_t k = 0; k < H5RD__CACHE_SHARDS; k++) {
        h5rd__chunk_cache_init(&o->cache[k], f->chunk_cache_nbytes);
    }
    o->addr = addr;
    o->path = h5rd__strndup(f, path, strlen(path), ec);
    if (o->path == NULL) {
        e = ec->code;
        goto out;
    }
    e = h5rd__ohdr_load(f, addr, &o->oh, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    e = classify(&o->oh, &o->kind, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    if (o->kind == H5RD_OBJ_DATASET || o->kind == H5RD_OBJ_DATATYPE) {
        DECODE_MSG(f, &o->oh, H5RD__MSG_DATATYPE, decode_dtype_cb(f, &cur, &o->type, ec));
    }
    if (o->kind == H5RD_OBJ_DATASET) {
        DECODE_MSG(f, &o->oh, H5RD__MSG_DATASPACE, h5rd__msg_dataspace_decode(f, &cur, &o->space));
        const struct h5rd__msg *lm = h5rd__ohdr_find(&o->oh, H5RD__MSG_LAYOUT, 0);
        if (lm == NULL) {
            e = H5RD_CORRUPT(ec, addr, "dataset: no Data Layout message");
            goto out;
        }
        o->has_layout = true;
        DECODE_MSG(f, &o->oh, H5RD__MSG_LAYOUT, h5rd__msg_layout_decode(f, &cur, &o->layout));
        DECODE_MSG(f, &o->oh, H5RD__MSG_FILTER_PIPELINE, h5rd__msg_pline_decode(f, &cur, &o->pline));
        if (h5rd__ohdr_find(&o->oh, H5RD__MSG_FILL, 0) != NULL) {
            DECODE_MSG(f, &o->oh, H5RD__MSG_FILL, h5rd__msg_fill_decode(f, &cur, false, &o->fill));
        } else {
            DECODE_MSG(f, &o->oh, H5RD__MSG_FILL_OLD, h5rd__msg_fill_decode(f, &cur, true, &o->fill));
        }
        DECODE_MSG(f, &o->oh, H5RD__MSG_EXTERNAL_FILES, h5rd__msg_efl_decode(f, &cur, &o->efl));
        if (o->layout.pub.cls == H5RD_LAYOUT_VIRTUAL) {
            /* mappings, sources and the computed extent (vds/vds.c) */
            if ((e = h5rd__vds_open(f, o, vds_up, ec)) != H5RD_OK) {
                goto out;
            }
        }
    }
    DECODE_MSG(f, &o->oh, H5RD__MSG_COMMENT, h5rd__msg_comment_decode(f, &cur, &o->comment));
out:
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, path);
        obj_free(o);
        return e;
    }
    *obj_ret = o;
    return H5RD_OK;
}

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
    if (obj != NULL && atomic_fetch_sub(&obj->refcount, 1) == 1) {
        obj_free(obj);
    }
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

/* ---- links ----------------------------------------------------------------------------- */

#define LINKS_CACHE_SLOTS (sizeof(((struct h5rd_file *)0)->links_cache) / \
                           sizeof(((struct h5rd_file *)0)->links_cache[0]))

/* The published link table of the group at 'addr' in f's shared cache, or NULL. */
static const struct h5rd__links *links_cache_get(struct h5rd_file *f, uint64_t addr)
{
    size_t h = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 58) % LINKS_CACHE_SLOTS;
    for (size_t i = 0; i < LINKS_CACHE_SLOTS; i++) {
        size_t k = (h + i) % LINKS_CACHE_SLOTS;
        uint64_t a = atomic_load_explicit(&f->links_cache[k].addr, memory_order_acquire);
        if (a == 0) {
            return NULL;
        }
        if (a == addr) {
            return atomic_load_explicit(&f->links_cache[k].links, memory_order_acquire);
        }
    }
    return NULL;
}

/* Publishes 'links' for the group at 'addr' if a slot can be claimed. Returns true when the
 * cache took ownership of 'links'. */
static bool links_cache_put(struct h5rd_file *f, uint64_t addr, struct h5rd__links *links)
{
    size_t h = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 58) % LINKS_CACHE_SLOTS;
    for (size_t i = 0; i < LINKS_CACHE_SLOTS; i++) {
        size_t k = (h + i) % LINKS_CACHE_SLOTS;
        uint64_t expected = 0;
        if (atomic_compare_exchange_strong_explicit(&f->links_cache[k].addr, &expected, addr,
                                                    memory_order_acq_rel, memory_order_acquire)) {
            atomic_store_explicit(&f->links_cache[k].links, links, memory_order_release);
            return true;
        }
        if (expected == addr) {
            return false; /* another thread claimed it and is publishing its own table */
        }
    }
    return false;
}

void h5rd__links_cache_free(struct h5rd_file *f)
{
    for (size_t k = 0; k < LINKS_CACHE_SLOTS; k++) {
        struct h5rd__links *l = atomic_load(&f->links_cache[k].links);
        if (l != NULL) {
            h5rd__links_free(f, l);
            h5rd__free(f, l);
        }
    }
}

h5rd_err h5rd__group_links(const h5rd_obj *g, const struct h5rd__links **links_ret,
                           struct h5rd_error *ec)
{
    if (g->kind != H5RD_OBJ_GROUP) {
        h5rd__err_set_path(ec, g->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, g->addr, "group: object is not a group");
    }
    h5rd_obj *o = (h5rd_obj *)(uintptr_t)g; /* only the atomic slot is written */
    struct h5rd__links *cur = atomic_load_explicit(&o->links, memory_order_acquire);
    if (cur != NULL) {
        *links_ret = cur;
        return H5RD_OK;
    }
    struct h5rd_file *f = o->file;
    /* A live file's groups may gain links: a table is kept by the handle that loaded it only,
     * so a group opened later reads its links again. */
    const bool live = (f->flags & H5RD_OPEN_LIVE) != 0;
    const struct h5rd__links *shared = live ? NULL : links_cache_get(f, o->addr);
    if (shared != NULL) {
        *links_ret = shared;
        return H5RD_OK;
    }
    struct h5rd__links *mine = h5rd__calloc(f, 1, sizeof *mine, ec);
    if (mine == NULL) {
        return ec->code;
    }
    h5rd_err e;
    for (uint32_t attempt = 0;; attempt++) {
        e = h5rd__group_load_links(f, &o->oh, mine, ec);
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
    if (!live && links_cache_put(f, o->addr, mine)) {
        *links_ret = mine;
        return H5RD_OK;
    }
    struct h5rd__links *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&o->links, &expected, mine, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        h5rd__links_free(f, mine);
        h5rd__free(f, mine);
        mine = expected;
    }
    *links_ret = mine;
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

/* ---- path resolution ------------------------------------------------------------------- */

struct resolver {
    uint32_t hops;             /* soft and external links followed so far */
    struct h5rd_error *ec;
};

static h5rd_err resolve(struct resolver *r, struct h5rd_file *f, uint64_t start_addr,
                        const char *start_path, const char *path, h5rd_obj **obj_ret);

char *h5rd__path_join(const struct h5rd_file *f, const char *base, const char *name,
                      size_t name_n, struct h5rd_error *ec)
{
    size_t bn = strlen(base);
    bool slash = bn > 0 && base[bn - 1] == '/';
    char *p = h5rd__malloc(f, (uint64_t)bn + name_n + 2, ec);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, base, bn);
    size_t k = bn;
    if (!slash) {
        p[k++] = '/';
    }
    memcpy(p + k, name, name_n);
    p[k + name_n] = '\0';
    return p;
}

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
            h5rd_obj_close(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: a component is not a group");
        }
        const struct h5rd__links *links = NULL;
        e = h5rd__group_links(cur, &links, ec);
        if (e != H5RD_OK) {
            h5rd_obj_close(cur);
            return e;
        }
        const struct h5rd__link *l = h5rd__links_find(links, p, n);
        char *child_path = h5rd__path_join(f, cur->path, p, n, ec);
        if (child_path == NULL) {
            h5rd_obj_close(cur);
            return ec->code;
        }
        if (l == NULL) {
            h5rd__err_set_path(ec, child_path);
            h5rd__free(f, child_path);
            h5rd_obj_close(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: no such link");
        }
        h5rd_obj *next = NULL;
        e = follow_link(r, cur, l, child_path, &next);
        if (e == H5RD_OK && next->file == f && strcmp(next->path, child_path) != 0) {
            /* Reached through a soft link: report the path as the caller spelled it. */
            char *np = h5rd__strndup(f, child_path, strlen(child_path), ec);
            if (np != NULL) {
                h5rd__free(f, next->path);
                next->path = np;
            }
        }
        h5rd__free(f, child_path);
        h5rd_obj_close(cur);
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

h5rd_err h5rd_obj_open(h5rd_file *file, const char *path, h5rd_obj **obj_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (file == NULL || path == NULL || obj_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "object: NULL argument");
    }
    struct resolver r = {0, ec};
    /* A relative path is taken from the root, as h5py's File does. */
    return resolve(&r, file, file->sb.root_addr, "/", path, obj_ret);
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
    struct resolver r = {0, ec};
    h5rd_err e = follow_link(&r, group, l, child_path, obj_ret);
    h5rd__free(group->file, child_path);
    return e;
}
