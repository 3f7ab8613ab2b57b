/*
 * file.h - the handle layer: the object handles behind the public opaque types, their life
 * cycle, and the file registry (files opened through external links and virtual dataset
 * sources). Above the read engine (src/read), below the public API (src/api), which is a thin
 * facade over it.
 *
 * Handles are immutable after open except for the reference counts and the
 * lazily built tables, which are published once with compare-and-swap: the
 * thread that loses the race frees its copy. No lock anywhere.
 */
#ifndef H5RD_FILE_FILE_H
#define H5RD_FILE_FILE_H

#include "internal.h"
#include "attr/attr.h"
#include "dtype/dtype.h"
#include "group/group.h"
#include "object/msg.h"
#include "object/ohdr.h"
#include "read/read.h"

/* struct h5rd__dstate and struct h5rd__dcur (a dataset's snapshots after a refresh, and what
 * one call uses) are the engine's: read/read.h. */

struct h5rd_obj {
    struct h5rd_file *file;          /* holds one reference */
    atomic_uint refcount;            /* caller + open attributes */
    uint64_t addr;
    h5rd_obj_kind kind;
    char *path;
    struct h5rd__ohdr oh;

    _Atomic(struct h5rd__links *) links;   /* groups: loaded on first use */

    struct h5rd_space space;         /* datasets */
    struct h5rd_type *type;          /* datasets, committed datatypes: &type_store */
    struct h5rd_type type_store;
    struct h5rd__layout layout;
    bool has_layout;
    struct h5rd__pline pline;
    struct h5rd__fill fill;
    struct h5rd__efl efl;
    char *comment;

    _Atomic(struct h5rd__attrs *) attrs;   /* loaded on first use */

    struct h5rd__vds *vds;           /* virtual datasets: mappings and opened sources (vds/vds.h),
                                        built at open, immutable, freed with the handle */

    _Atomic(struct h5rd__chunk_table *) chunks;  /* chunked datasets: built on first use */
    /* chunked datasets: decoded-chunk caches (read/read.h), each taken by one read at a time
     * with an atomic exchange */
    struct h5rd__chunk_cache cache[H5RD__CACHE_SHARDS];

    /* datasets after h5rd_dataset_refresh: the current snapshot (NULL: never refreshed, the
     * fields above are current), superseded ones not yet freed, and the calls in flight that
     * may use a snapshot (refresh.c explains why that makes freeing safe). */
    _Atomic(struct h5rd__dstate *) state;
    _Atomic(struct h5rd__dstate *) retired;
    atomic_uint readers;
    _Atomic uint64_t gens;           /* snapshots made so far (their generation numbers) */

    struct h5rd__dview view;         /* datasets: what the engine reads of this handle (a virtual
                                        dataset and its sources), pointing into the fields above;
                                        set once opened */
};

struct h5rd_attr {
    struct h5rd_obj *obj;            /* holds one reference */
    const struct h5rd__attr *a;      /* inside obj->attrs */
};

/* ---- the file registry (file.c) ---- */

/* Opens a file (h5rd_file_open, h5rd_file_open_memory past their argument checks). */
h5rd_err h5rd__file_open_path(const char *path, const struct h5rd_open_opts *opts,
                              struct h5rd_file **f_ret, struct h5rd_error *ec);
h5rd_err h5rd__file_open_memory(const void *buf, size_t nbytes, const struct h5rd_open_opts *opts,
                                struct h5rd_file **f_ret, struct h5rd_error *ec);
void h5rd__file_ref(struct h5rd_file *f);
void h5rd__file_unref(struct h5rd_file *f);

/* ---- object handles (obj.c, path.c) ---- */

/* Opens the object at 'addr' of file 'f' (taking a file reference). */
h5rd_err h5rd__obj_open_addr(struct h5rd_file *f, uint64_t addr, const char *path,
                             h5rd_obj **obj_ret, struct h5rd_error *ec);

/* Renames a handle not yet shared (the path a caller spelled, where a soft link led elsewhere).
 * On failure (out of memory) the handle keeps its old path. */
h5rd_err h5rd__obj_set_path(h5rd_obj *o, const char *path, struct h5rd_error *ec);

/* Opens (or reuses) the file an external link names, relative to 'f'. On success *ext_ret is
 * borrowed from f's list (valid while f lives). */
h5rd_err h5rd__extfile_open(struct h5rd_file *f, const char *name, struct h5rd_file **ext_ret,
                            struct h5rd_error *ec);

/* The same for any prefix variable (libhdf5's H5F_prefix_open_file): an absolute name as given,
 * else (and with only its last component when the absolute name was not found) each entry of
 * the colon-separated environment variable 'env_var' (with 'origin', an entry starting with
 * "${ORIGIN}" has it replaced by the directory of f), then f's directory, then the name as
 * given. When tried_ret is non-NULL it receives (owned by f's allocator) the path opened, or
 * when nothing was found the path relative to f's directory (H5RD_E_NOT_FOUND). */
h5rd_err h5rd__extfile_open_env(struct h5rd_file *f, const char *name, const char *env_var,
                                bool origin, struct h5rd_file **ext_ret, char **tried_ret,
                                struct h5rd_error *ec);

/* h5rd__obj_open_addr for an object opened as (part of the path to) a virtual dataset's
 * source: 'vds_up' carries the chain of virtual datasets above it (vds/vds.h), NULL otherwise. */
struct h5rd__vds_chain;
h5rd_err h5rd__obj_open_addr_vds(struct h5rd_file *f, uint64_t addr, const char *path,
                                 const struct h5rd__vds_chain *vds_up, h5rd_obj **obj_ret,
                                 struct h5rd_error *ec);

/* Drops one reference on 'obj' (h5rd_obj_close), freeing it with the last. NULL: nothing. */
void h5rd__obj_unref(h5rd_obj *obj);

/* Opens the object at 'path' of file 'f' (h5rd_obj_open: a relative path is taken from the
 * root), following soft and external links. */
h5rd_err h5rd__obj_open_path(struct h5rd_file *f, const char *path, h5rd_obj **obj_ret,
                             struct h5rd_error *ec);

/* Opens the target of link 'l' of group 'g', whose path is to be 'obj_path'. */
struct h5rd__link;
h5rd_err h5rd__obj_open_link(const h5rd_obj *g, const struct h5rd__link *l, const char *obj_path,
                             h5rd_obj **obj_ret, struct h5rd_error *ec);

/* The loaded link table of group 'g' (built on first use; TYPE if not a group). */
h5rd_err h5rd__group_links(const h5rd_obj *g, const struct h5rd__links **links_ret,
                           struct h5rd_error *ec);

/* "base/name" (one slash between them) as a new string owned by f's allocator. */
char *h5rd__path_join(const struct h5rd_file *f, const char *base, const char *name,
                      size_t name_n, struct h5rd_error *ec);

/* Frees the file's shared link-table cache (at file close). */
void h5rd__links_cache_free(struct h5rd_file *f);

/* Frees the chunk table of 'obj', if one was built (called by obj_free). */
void h5rd__obj_chunks_free(h5rd_obj *obj);

/* ---- visiting everything below a group (visit.c) ---- */

/* One link met by h5rd__obj_visit (the public struct h5rd_visit_info is built from it). */
struct h5rd__visit_rec {
    const char *path;              /* the link's path: the group's path, "/", the names below */
    const char *rel_path;          /* the part of 'path' below the visited group */
    uint32_t depth;                /* 1: a link of the visited group itself */
    const struct h5rd__link *link; /* NULL: an error record of the group at 'path' */
    h5rd_obj *obj;                 /* a hard link's object met for the first time (borrowed) */
    h5rd_obj_kind kind;            /* hard links: the object's kind (also for a repeat) */
    const char *same_as;           /* hard link to an object met before: its first path */
    const struct h5rd_error *err;  /* the object could not be opened, or the group's links
                                      could not be listed (link NULL) */
};
typedef h5rd_visit_ret (*h5rd__visit_cb)(const struct h5rd__visit_rec *r, void *udata);

/* Visits every link below group 'g' depth first (visit.c explains the order and bounds).
 * Failures of single objects go to the callback; the call fails only for a bad argument, out of
 * memory or a limit of the file's allocator. */
h5rd_err h5rd__obj_visit(const h5rd_obj *g, h5rd__visit_cb cb, void *udata, struct h5rd_error *ec);

/* ---- dataset state (refresh.c) ---- */

/* Takes the dataset state current now for one call (read/read.h struct h5rd__dcur);
 * h5rd__dcur_leave (read/read.h) ends it. */
void h5rd__dcur_enter(const h5rd_obj *o, struct h5rd__dcur *c);
/* Frees every snapshot of 'o' (at close: nothing else uses the handle). */
void h5rd__obj_dstate_free(h5rd_obj *o);
/* h5rd_dataset_refresh past its argument check. */
h5rd_err h5rd__obj_refresh(h5rd_obj *dset, struct h5rd_error *ec);

/* ---- virtual datasets (vds_open.c, dread.c) ---- */

/* Decodes, opens the sources and computes the extent of virtual dataset 'o' (being opened; its
 * dataspace and layout are decoded). Stores the result in o->vds and the computed extent in
 * o->space.dims. 'up' is NULL for a dataset the caller opened. */
h5rd_err h5rd__vds_open(struct h5rd_file *f, h5rd_obj *o, const struct h5rd__vds_chain *up,
                        struct h5rd_error *ec);
/* Closes the sources and frees the mappings. */
struct h5rd__vds;
void h5rd__obj_vds_free(const struct h5rd_file *f, struct h5rd__vds *v);

/* Reads selection 'sel' (NULL: all) of virtual dataset 'o' (vds/vds_read.h; the engine's
 * h5rd__vds_read_view on the handle's view). */
h5rd_err h5rd__vds_read(const h5rd_obj *o, const struct h5rd_selection *sel,
                        const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                        uint32_t nthreads, uint32_t flags, struct h5rd_error *ec);

/* ---- address -> path map for references (pathmap.c) ---- */

/* The first path (libhdf5's H5Iget_name order) that reaches the object at 'addr', built once
 * per file on first use; NULL with ec->code OK when none reaches it. */
const char *h5rd__file_addr_path(struct h5rd_file *f, uint64_t addr, struct h5rd_error *ec);
void h5rd__pathmap_free(const struct h5rd_file *f, struct h5rd__pathmap *pm);

/* The loaded attribute table of 'obj' (built on first use). */
h5rd_err h5rd__obj_attrs(const h5rd_obj *obj, const struct h5rd__attrs **attrs_ret,
                         struct h5rd_error *ec);

#endif
