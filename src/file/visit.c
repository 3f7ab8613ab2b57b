/*
 * visit.c - every link below a group, depth first, in one call (h5rd_obj_visit): what
 * `h5ls -r`, h5py's visititems and libhdf5's H5Lvisit do.
 *
 * Why a walk inside the library and not a loop of h5rd_group_open_link calls: each public call
 * starts a new I/O epoch, and the first view of a mapped file in an epoch re-reads the file size
 * (the truncation guard, io/source.c, docs/io.md). A walk of 20,000 objects made of public calls
 * paid 20,000 fstat() calls - a third of the time of `h5rd ls -r` (issue 13, docs/performance.md).
 * One visit is one call: the size is re-checked once and then every clock tick, as within one
 * long read. Public calls the callback makes are part of the visit and do not start epochs of
 * their own (h5rd__io_epoch_hold).
 *
 * Order: a group's links in h5rd__group_links order (creation order when tracked, else by
 * name), each hard link's object visited and, for a group, descended into before the next link
 * (pre-order: h5ls -r's order). Objects are identified by header address: a second hard link to
 * a group, or to an object whose header counts more than one hard link, already met in this
 * visit is reported with the path it was first met by and not descended into, which also keeps
 * cycles of hard links finite. Soft, external and
 * user-defined links are reported, never followed (as H5Lvisit and h5ls -r). Depth is bounded
 * by H5RD__VISIT_MAX_DEPTH; memory (the path, the set of objects met) by the file's allocator
 * limits.
 */
#include "file/file.h"
#include "io/source.h"

#include <string.h>

/* Deeper groups are reported as an error record and not descended into (a path of 1,024
 * components is already far past anything libhdf5 tools print). */
#define H5RD__VISIT_MAX_DEPTH 1024

/* Bytes of the next object's header fetched ahead while the current object is opened: its
 * first cache lines (prefix and first messages) were the first touch of the header and missed
 * every CPU cache. */
#define VISIT_PREFETCH_NBYTES 256

#define SEEN_FILTER_BITS 65536u

struct seen_slot {
    uint64_t addr;      /* 0: empty (no object header lives at address 0: the superblock does) */
    uint64_t path_off;  /* offset of the first path in visitor.names */
    h5rd_obj_kind kind;
};

struct visitor {
    struct h5rd_file *f;
    h5rd__visit_cb cb;
    void *udata;
    struct h5rd_error *ec;  /* the call's error: allocation failures stop the visit */
    bool stopped;

    char *path;             /* the current path, NUL-terminated */
    uint64_t path_len, path_cap;
    size_t rel_off;         /* where the part below the visited group starts in 'path' */

    struct seen_slot *seen; /* open addressing, capacity a power of two */
    uint64_t seen_n, seen_cap;
    char *names;            /* first paths of the objects met, NUL-terminated, back to back */
    uint64_t names_len, names_cap;
    /* One bit per hash of the addresses in 'seen' (a one-hash Bloom filter): most links lead
     * to objects not met before, and the filter answers for them from 8 KiB instead of a probe
     * into a table that outgrows the caches (issue 13). */
    uint64_t seen_bits[SEEN_FILTER_BITS / 64];
};

static size_t seen_hash(uint64_t addr, uint64_t cap)
{
    return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 17) & (size_t)(cap - 1);
}

static size_t seen_filter_bit(uint64_t addr)
{
    return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 40) & (SEEN_FILTER_BITS - 1);
}

static const struct seen_slot *seen_find(const struct visitor *v, uint64_t addr)
{
    size_t b = seen_filter_bit(addr);
    if (v->seen_cap == 0 || (v->seen_bits[b / 64] >> (b % 64) & 1u) == 0) {
        return NULL;
    }
    for (size_t i = seen_hash(addr, v->seen_cap);; i = (i + 1) & (size_t)(v->seen_cap - 1)) {
        if (v->seen[i].addr == addr) {
            return &v->seen[i];
        }
        if (v->seen[i].addr == 0) {
            return NULL;
        }
    }
}

static void seen_put(struct seen_slot *tab, uint64_t cap, const struct seen_slot *s)
{
    size_t i = seen_hash(s->addr, cap);
    while (tab[i].addr != 0) {
        i = (i + 1) & (size_t)(cap - 1);
    }
    tab[i] = *s;
}

/* Records the object at 'addr' as met at the current path. */
static h5rd_err seen_add(struct visitor *v, uint64_t addr, h5rd_obj_kind kind)
{
    struct h5rd_error *ec = v->ec;
    if ((v->seen_n + 1) * 2 > v->seen_cap) {
        uint64_t cap = v->seen_cap ? v->seen_cap * 2 : 1024;
        struct seen_slot *tab = h5rd__calloc(v->f, cap, sizeof *tab, ec);
        if (tab == NULL) {
            return ec->code;
        }
        for (uint64_t i = 0; i < v->seen_cap; i++) {
            if (v->seen[i].addr != 0) {
                seen_put(tab, cap, &v->seen[i]);
            }
        }
        h5rd__free(v->f, v->seen);
        v->seen = tab;
        v->seen_cap = cap;
    }
    H5RD_TRY(h5rd__grow(v->f, (void **)&v->names, &v->names_cap, v->names_len + v->path_len + 1,
                        1, ec));
    memcpy(v->names + v->names_len, v->path, v->path_len + 1);
    struct seen_slot s = {addr == 0 ? UINT64_MAX : addr, v->names_len, kind};
    size_t b = seen_filter_bit(s.addr);
    v->seen_bits[b / 64] |= (uint64_t)1 << (b % 64);
    v->names_len += v->path_len + 1;
    seen_put(v->seen, v->seen_cap, &s);
    v->seen_n++;
    return H5RD_OK;
}

/* Appends "/name" (no slash after a path ending in one) to the current path; returns the old
 * length for path_cut. */
static h5rd_err path_push(struct visitor *v, const char *name, size_t n, uint64_t *old_len)
{
    *old_len = v->path_len;
    bool slash = v->path_len == 0 || v->path[v->path_len - 1] != '/';
    H5RD_TRY(h5rd__grow(v->f, (void **)&v->path, &v->path_cap, v->path_len + slash + n + 1, 1,
                        v->ec));
    if (slash) {
        v->path[v->path_len++] = '/';
    }
    memcpy(v->path + v->path_len, name, n);
    v->path_len += n;
    v->path[v->path_len] = '\0';
    return H5RD_OK;
}

static void path_cut(struct visitor *v, uint64_t len)
{
    v->path_len = len;
    v->path[len] = '\0';
}

/* Gives one record to the callback; returns its answer. */
static h5rd_visit_ret report(struct visitor *v, struct h5rd__visit_rec *r)
{
    r->path = v->path;
    r->rel_path = v->path + (v->rel_off <= v->path_len ? v->rel_off : v->path_len);
    h5rd_visit_ret ret = v->cb(r, v->udata);
    if (ret == H5RD_VISIT_STOP) {
        v->stopped = true;
    }
    return ret;
}

static h5rd_err walk(struct visitor *v, const h5rd_obj *g, uint32_t depth);

/* One link of a group: report it; open, report and descend into a hard link's object met for
 * the first time. */
static h5rd_err visit_link(struct visitor *v, const h5rd_obj *g, const struct h5rd__link *l,
                           uint32_t depth)
{
    struct h5rd__visit_rec r = {.link = l, .depth = depth};
    if (l->type != H5RD_LINK_HARD) {
        report(v, &r);
        return H5RD_OK;
    }
    struct h5rd_error oe;
    h5rd__err_clear(&oe);
    h5rd_obj *obj = NULL;
    if (h5rd__obj_open_addr(g->file, l->addr, v->path, &obj, &oe) != H5RD_OK) {
        if (oe.code == H5RD_E_NOMEM) {
            *v->ec = oe;
            return oe.code;
        }
        r.err = &oe;
        report(v, &r);
        return H5RD_OK;
    }
    h5rd_err e = H5RD_OK;
    /* Only objects that can be met twice are remembered: groups (whatever their stored
     * reference count says: a lying count must not make a cycle endless) and objects with more
     * than one hard link. h5ls remembers exactly those with a count above one (h5trav.c), so a
     * dataset with a wrong count of 1 is listed twice by both. A 20,000-dataset walk then keeps
     * a table of its groups only, which stays in the CPU caches. */
    if (obj->kind == H5RD_OBJ_GROUP || obj->oh.refcount > 1) {
        const struct seen_slot *prev = seen_find(v, l->addr == 0 ? UINT64_MAX : l->addr);
        if (prev != NULL) {
            r.kind = prev->kind;
            r.same_as = v->names + prev->path_off;
            report(v, &r);
            h5rd__obj_unref(obj);
            return H5RD_OK;
        }
        e = seen_add(v, l->addr, obj->kind);
    }
    if (e == H5RD_OK) {
        r.obj = obj;
        r.kind = obj->kind;
        h5rd_visit_ret ret = report(v, &r);
        if (obj->kind == H5RD_OBJ_GROUP && ret == H5RD_VISIT_CONTINUE) {
            e = walk(v, obj, depth + 1);
        }
    }
    h5rd__obj_unref(obj);
    return e;
}

/* The links of group 'g', whose path is the current path. */
static h5rd_err walk(struct visitor *v, const h5rd_obj *g, uint32_t depth)
{
    if (depth > H5RD__VISIT_MAX_DEPTH) {
        struct h5rd_error le;
        h5rd__err_clear(&le);
        h5rd__err_set_path(&le, v->path);
        H5RD_FAIL(&le, H5RD_E_LIMIT, g->addr, "visit: groups nested too deeply");
        struct h5rd__visit_rec r = {.depth = depth, .err = &le};
        report(v, &r);
        return H5RD_OK;
    }
    struct h5rd_error le;
    h5rd__err_clear(&le);
    const struct h5rd__links *links = NULL;
    if (h5rd__group_links(g, &links, &le) != H5RD_OK) {
        if (le.code == H5RD_E_NOMEM) {
            *v->ec = le;
            return le.code;
        }
        struct h5rd__visit_rec r = {.depth = depth, .err = &le};
        report(v, &r);
        return H5RD_OK;
    }
    for (uint64_t i = 0; i < links->n && !v->stopped; i++) {
        const struct h5rd__link *l = &links->v[i];
        if (i + 1 < links->n && links->v[i + 1].type == H5RD_LINK_HARD) {
            h5rd__io_prefetch(v->f, links->v[i + 1].addr, VISIT_PREFETCH_NBYTES);
        }
        uint64_t old = 0;
        H5RD_TRY(path_push(v, l->name, l->name_nbytes, &old));
        h5rd_err e = visit_link(v, g, l, depth);
        path_cut(v, old);
        if (e != H5RD_OK) {
            return e;
        }
    }
    return H5RD_OK;
}

h5rd_err h5rd__obj_visit(const h5rd_obj *g, h5rd__visit_cb cb, void *udata, struct h5rd_error *ec)
{
    if (g->kind != H5RD_OBJ_GROUP) {
        h5rd__err_set_path(ec, g->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, g->addr, "visit: object is not a group");
    }
    struct visitor v = {.f = g->file, .cb = cb, .udata = udata, .ec = ec};
    size_t gl = strlen(g->path);
    h5rd_err e = h5rd__grow(v.f, (void **)&v.path, &v.path_cap, (uint64_t)gl + 1, 1, ec);
    if (e == H5RD_OK) {
        memcpy(v.path, g->path, gl + 1);
        v.path_len = gl;
        /* The part below the group starts after its path and the slash joining them. */
        v.rel_off = (size_t)v.path_len + (gl > 0 && g->path[gl - 1] == '/' ? 0 : 1);
        e = seen_add(&v, g->addr, g->kind);
    }
    if (e == H5RD_OK) {
        /* Public calls made by the callback belong to this call's epoch (see the top). */
        h5rd__io_epoch_hold++;
        e = walk(&v, g, 1);
        h5rd__io_epoch_hold--;
    }
    h5rd__free(v.f, v.path);
    h5rd__free(v.f, v.seen);
    h5rd__free(v.f, v.names);
    return e;
}
