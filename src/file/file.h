/*
 * api.h - the handles behind the public opaque types, shared by the files of src/api.
 *
 * Handles are immutable after open except for the reference counts and the
 * lazily built tables, which are published once with compare-and-swap: the
 * thread that loses the race frees its copy. No lock anywhere.
 */
#ifndef H5RD_API_API_H
#define H5RD_API_API_H

#include "internal.h"
#include "attr/attr.h"
#include "dtype/dtype.h"
#include "group/group.h"
#include "object/msg.h"
#include "object/ohdr.h"
#include "read/read.h"

/* A dataset's extent, layout and chunk table as one read of its object header gave them
 * (h5rd_dataset_refresh, api_refresh.c). Immutable once published, except the chunk table slot
 * (built on first use when not built by the refresh, published with compare-and-swap). */
struct h5rd__dstate {
    struct h5rd_space space;
    struct h5rd__layout layout;
    _Atomic(struct h5rd__chunk_table *) chunks;
    uint64_t gen;                    /* 1, 2, ...: decoded-chunk caches are tagged with it */
    struct h5rd__dstate *older;      /* on the handle's retired list: the next one */
};

/* What one call of a dataset handle uses: the snapshot current when it started (or the
 * handle's fields as opened, gen 0). h5rd__dcur_enter / h5rd__dcur_leave bracket the use. */
struct h5rd__dcur {
    const struct h5rd_space *space;
    const struct h5rd__layout *layout;
    _Atomic(struct h5rd__chunk_table *) *chunks;
    uint64_t gen;
    const struct h5rd_obj *counted;  /* non-NULL: leave must drop the handle's reader count */
};

struct h5rd_obj {
    struct h5rd_file *file;          /* holds one reference */
    atomic_uint refcount;            /* caller + open attributes */
    uint64_t addr;
    h5rd_obj_kind kind;
    char *path;
    struct h5rd__ohdr oh;

    _Atomic(struct h5rd__links *) links;   /* groups: loaded on first use */

    struct h5rd_space space;         /* datasets */
    struct h5rd_type *type;          /* datasets, committed datatypes */
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
     * may use a snapshot (api_refresh.c explains why that makes freeing safe). */
    _Atomic(struct h5rd__dstate *) state;
    _Atomic(struct h5rd__dstate *) retired;
    atomic_uint readers;
    _Atomic uint64_t gens;           /* snapshots made so far (their generation numbers) */
};

struct h5rd_attr {
    struct h5rd_obj *obj;            /* holds one reference */
    const struct h5rd__attr *a;      /* inside obj->attrs */
};

/* Starts a public call: clears the caller's error struct or points 'ec' at a local one. */
#define H5RD_API_BEGIN(err, local) \
    struct h5rd_error local;       \
    struct h5rd_error *ec = (err) != NULL ? (err) : &local; \
    h5rd__err_clear(ec)

void h5rd__file_ref(struct h5rd_file *f);
void h5rd__file_unref(struct h5rd_file *f);

/* Opens the object at 'addr' of file 'f' (taking a file reference). */
h5rd_err h5rd__obj_open_addr(struct h5rd_file *f, uint64_t addr, const char *path,
                             h5rd_obj **obj_ret, struct h5rd_error *ec);

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

/* The loaded link table of group 'g' (built on first use; TYPE if not a group). */
h5rd_err h5rd__group_links(const h5rd_obj *g, const struct h5rd__links **links_ret,
                           struct h5rd_error *ec);

/* "base/name" (one slash between them) as a new string owned by f's allocator. */
char *h5rd__path_join(const struct h5rd_file *f, const char *base, const char *name,
                      size_t name_n, struct h5rd_error *ec);

/* Frees the file's shared link-table cache (at file close). */
void h5rd__links_cache_free(struct h5rd_file *f);

/* The loaded attribute table of 'obj' (built on first use). */
struct h5rd__chunk_table; /* read/read.h */
/* Frees the chunk table of 'obj', if one was built (api_read.c; called by obj_free). */
void h5rd__obj_chunks_free(h5rd_obj *obj);

/* Takes the dataset state current now for one call (see struct h5rd__dcur). */
void h5rd__dcur_enter(const h5rd_obj *o, struct h5rd__dcur *c);
void h5rd__dcur_leave(struct h5rd__dcur *c);
/* Frees every snapshot of 'o' (at close: nothing else uses the handle). */
void h5rd__obj_dstate_free(h5rd_obj *o);

/* Live files (H5RD_OPEN_LIVE): libhdf5's SWMR reader reads metadata again when it fails its
 * checksum (H5C__load_entry, H5F_SWMR_METADATA_READ_ATTEMPTS = 100 tries, backing off up to
 * 10 ms). Call after a failed attempt 'attempt' (0, 1, ...): true (after sleeping) when the
 * failure 'e' may come from a writer rewriting the bytes and tries are left. */
#define H5RD__LIVE_READ_ATTEMPTS 100
bool h5rd__live_retry(const struct h5rd_file *f, h5rd_err e, uint32_t attempt);

h5rd_err h5rd__obj_attrs(const h5rd_obj *obj, const struct h5rd__attrs **attrs_ret,
                         struct h5rd_error *ec);

#endif
