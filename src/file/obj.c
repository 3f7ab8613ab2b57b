/*
 * obj.c - object handles: opening by address, closing, and the tables loaded on first use.
 *
 * An object handle decodes at open what every use needs (its header; the
 * dataspace, datatype, layout, filters and fill value of a dataset), so that
 * afterwards it is read-only and can be shared by threads. A group's links and
 * an object's attributes are loaded on first use and published with
 * compare-and-swap; as in libhdf5, a group whose link storage is damaged still
 * opens, and listing its links reports the damage. src/api/api_obj.c is the public face.
 */
#include "file/file.h"
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

void h5rd__obj_chunks_free(h5rd_obj *obj)
{
    struct h5rd__chunk_table *t = atomic_load(&obj->chunks);
    if (t != NULL) {
        h5rd__chunk_table_free(obj->file, t);
        h5rd__free(obj->file, t);
        atomic_store(&obj->chunks, NULL);
    }
}

/* Paths shorter than this are stored in the handle's own block, after the struct. */
#define H5RD__OBJ_PATH_INLINE 200
/* Then a store for the filter pipeline's block: a gzip pipeline takes 52 bytes, shuffle and
 * gzip 108 (msg_pline.c); a longer one is allocated. A multiple of 8, as the path area is. */
#define H5RD__OBJ_PLINE_STORE 128

static char *obj_path_inline(h5rd_obj *o)
{
    return (char *)(o + 1);
}

static void *obj_pline_store(h5rd_obj *o)
{
    return (char *)(o + 1) + H5RD__OBJ_PATH_INLINE;
}

/* A zeroed handle block: the file's spare when there is one, else a new one. An `ls -r` of
 * 20,000 objects opened and freed one 2 KiB handle per object, a size past malloc's per-thread
 * caches: the allocation and free were a tenth of its time (issue 13). One atomic exchange
 * takes the spare, so any number of threads may open and close handles of one file. */
static h5rd_obj *obj_alloc(struct h5rd_file *f, struct h5rd_error *ec)
{
    h5rd_obj *o = atomic_exchange(&f->spare_obj, NULL);
    if (o != NULL) {
        memset(o, 0, sizeof *o);
        return o;
    }
    return h5rd__calloc(f, 1, sizeof *o + H5RD__OBJ_PATH_INLINE + H5RD__OBJ_PLINE_STORE, ec);
}

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
        h5rd__dtype_clear(f, o->type);
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
    h5rd__obj_vds_free(f, o->vds);
    if (o->path != obj_path_inline(o)) {
        h5rd__free(f, o->path);
    }
    /* The block becomes the file's spare (see obj_alloc); the one it replaces is freed. Before
     * the file reference goes: the last one frees the file, and the spare with it. */
    h5rd_obj *old = atomic_exchange(&f->spare_obj, o);
    h5rd__free(f, old);
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

/* The datatype into the handle's own storage. */
static h5rd_err decode_dtype_cb(const struct h5rd_file *f, struct h5rd_cur *c, h5rd_obj *o,
                                struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__dtype_decode_into(f, c, &o->type_store, ec));
    o->type = &o->type_store;
    return H5RD_OK;
}

/* The engine's view of a dataset handle (read/read.h struct h5rd__dview): pointers into the
 * handle, which outlives every read of it. */
static void obj_view_init(h5rd_obj *o)
{
    struct h5rd__dview *v = &o->view;
    v->f = o->file;
    v->path = o->path;
    v->addr = o->addr;
    v->has_layout = o->has_layout;
    v->space = &o->space;
    v->type = o->type;
    v->layout = &o->layout;
    v->pline = &o->pline;
    v->fill = &o->fill;
    v->efl = &o->efl;
    v->vds = o->vds;
    v->chunks = &o->chunks;
    v->cache = o->cache;
    v->state = &o->state;
    v->readers = &o->readers;
}

/* Also sets a new handle's first path (o->path NULL). */
h5rd_err h5rd__obj_set_path(h5rd_obj *o, const char *path, struct h5rd_error *ec)
{
    size_t n = strlen(path);
    char *old = o->path;
    char *np = NULL;
    if (n < H5RD__OBJ_PATH_INLINE) {
        np = memmove(obj_path_inline(o), path, n + 1);
    } else {
        np = h5rd__strndup(o->file, path, n, ec);
        if (np == NULL) {
            return ec->code;
        }
    }
    if (old != np && old != obj_path_inline(o)) {
        h5rd__free(o->file, old);
    }
    o->path = np;
    o->view.path = np; /* the engine's view names the object by the same string */
    return H5RD_OK;
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
    /* A live file's header may be mid-rewrite by the writer: read it again (h5rd__live_retry). */
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
    h5rd_obj *o = obj_alloc(f, ec);
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
        h5rd__chunk_cache_init_zeroed(&o->cache[k], f->chunk_cache_nbytes); /* o is zeroed */
    }
    o->addr = addr;
    if ((e = h5rd__obj_set_path(o, path, ec)) != H5RD_OK) {
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
        DECODE_MSG(f, &o->oh, H5RD__MSG_DATATYPE, decode_dtype_cb(f, &cur, o, ec));
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
        DECODE_MSG(f, &o->oh, H5RD__MSG_FILTER_PIPELINE,
                   h5rd__msg_pline_decode_in(f, &cur, obj_pline_store(o), H5RD__OBJ_PLINE_STORE,
                                             &o->pline));
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
    obj_view_init(o);
out:
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, path);
        obj_free(o);
        return e;
    }
    *obj_ret = o;
    return H5RD_OK;
}

void h5rd__obj_unref(h5rd_obj *obj)
{
    if (obj != NULL && atomic_fetch_sub(&obj->refcount, 1) == 1) {
        obj_free(obj);
    }
}

/* ---- links ----------------------------------------------------------------------------- */

#define LINKS_CACHE_SLOTS (sizeof(((struct h5rd_file *)0)->links_cache) / \
                           sizeof(((struct h5rd_file *)0)->links_cache[0]))
/* Slots looked at for one group (linear probing from its hash). Not all of them: once every
 * slot is taken (a file with more groups than slots), each later group scanned the whole table
 * twice, with a compare-and-swap per slot, ~1,300 cycles a group (issue 13). */
#define LINKS_CACHE_PROBES 8

/* The published link table of the group at 'addr' in f's shared cache, or NULL. */
static const struct h5rd__links *links_cache_get(struct h5rd_file *f, uint64_t addr)
{
    size_t h = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 58) % LINKS_CACHE_SLOTS;
    for (size_t i = 0; i < LINKS_CACHE_PROBES; i++) {
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
    for (size_t i = 0; i < LINKS_CACHE_PROBES; i++) {
        size_t k = (h + i) % LINKS_CACHE_SLOTS;
        uint64_t expected = atomic_load_explicit(&f->links_cache[k].addr, memory_order_acquire);
        if (expected == addr) {
            return false;
        }
        if (expected != 0) {
            continue; /* taken: no compare-and-swap (a locked instruction) to learn that */
        }
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

h5rd_err h5rd__obj_attrs(const h5rd_obj *obj, const struct h5rd__attrs **attrs_ret,
                         struct h5rd_error *ec)
{
    h5rd_obj *o = (h5rd_obj *)(uintptr_t)obj; /* only the atomic slot is written */
    struct h5rd__attrs *cur = atomic_load_explicit(&o->attrs, memory_order_acquire);
    if (cur != NULL) {
        *attrs_ret = cur;
        return H5RD_OK;
    }
    struct h5rd_file *f = o->file;
    struct h5rd__attrs *mine = h5rd__calloc(f, 1, sizeof *mine, ec);
    if (mine == NULL) {
        return ec->code;
    }
    h5rd_err e = h5rd__attrs_load(f, &o->oh, mine, ec);
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, o->path);
        h5rd__free(f, mine);
        return e;
    }
    struct h5rd__attrs *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&o->attrs, &expected, mine, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        h5rd__attrs_free(f, mine);
        h5rd__free(f, mine);
        mine = expected;
    }
    *attrs_ret = mine;
    return H5RD_OK;
}

