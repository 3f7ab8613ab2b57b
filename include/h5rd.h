/*
 * h5rd.h - the public interface of libh5rd, a reader for HDF5 files that does
 * not use libhdf5.
 *
 * Conventions (every function below follows them):
 *  - Functions return h5rd_err; results come back through out-parameters,
 *    which are written only on success.
 *  - The last parameter of every call that can fail is an optional
 *    `struct h5rd_error *err`. When non-NULL it receives the detail of the
 *    failure (what, which object path, which file offset). Nothing about an
 *    error is stored in a handle, so threads never race on error state.
 *  - Strings follow snprintf semantics: the full length (without the NUL) is
 *    returned through *len_ret, and H5RD_E_BUFSIZE when the buffer was too
 *    small (the buffer then holds a truncated, NUL-terminated prefix).
 *  - Borrowed pointers (const char *, const h5rd_type *) stay valid until the
 *    handle they came from is closed; each function says which handle.
 *  - close(NULL) is a no-op.
 *
 * Thread-safety: an open h5rd_file and every h5rd_obj / h5rd_attr opened from
 * it may be used by any number of threads at once for reading. No call locks.
 * Only the close of a handle must not race with other uses of that handle.
 * Object handles hold a reference on their file: closing the file while
 * objects are open only drops the caller's reference.
 */
#ifndef H5RD_H
#define H5RD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define H5RD_VERSION_MAJOR 0
#define H5RD_VERSION_MINOR 1
#define H5RD_VERSION_PATCH 0
#define H5RD_VERSION_STRING "0.1.0" /* CMake parses this line */

#if defined(_WIN32) && !defined(H5RD_STATIC)
#ifdef H5RD_BUILDING
#define H5RD_API __declspec(dllexport)
#else
#define H5RD_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define H5RD_API __attribute__((visibility("default")))
#else
#define H5RD_API
#endif

/* An undefined file address ("all bits set" in the file). */
#define H5RD_ADDR_UNDEF UINT64_MAX
/* HDF5's maximum dataspace rank. */
#define H5RD_MAX_RANK 32

typedef struct h5rd_file h5rd_file; /* an open HDF5 file */
typedef struct h5rd_obj h5rd_obj;   /* a group, dataset or committed datatype */
typedef struct h5rd_attr h5rd_attr; /* an attribute of an object */
typedef struct h5rd_type h5rd_type; /* a datatype (borrowed from its handle) */

/* Returns the library version, e.g. "0.1.0". Static string. */
H5RD_API const char *h5rd_version(void);

/* ------------------------------------------------------------------------ */
/* Errors. Values are pinned forever: append only, never renumber.          */
/* ------------------------------------------------------------------------ */
typedef enum h5rd_err {
    H5RD_OK = 0,
    H5RD_E_INVAL = 1,        /* the caller passed a bad argument */
    H5RD_E_NOMEM = 2,        /* an allocation failed */
    H5RD_E_IO = 3,           /* the operating system refused a read (sys_errno) */
    H5RD_E_TRUNCATED = 4,    /* a structure runs past the end of its file or block */
    H5RD_E_CORRUPT = 5,      /* bytes are present but inconsistent */
    H5RD_E_CHECKSUM = 6,     /* a stored checksum does not match */
    H5RD_E_UNSUPPORTED = 7,  /* valid HDF5 that h5rd cannot handle (e.g. a filter) */
    H5RD_E_LIMIT = 8,        /* a resource limit of struct h5rd_limits was reached */
    H5RD_E_NOT_FOUND = 9,    /* no such object, link, attribute or chunk */
    H5RD_E_TYPE = 10,        /* wrong kind of object, or no conversion between types */
    H5RD_E_RANGE = 11,       /* an index or selection is outside its bounds */
    H5RD_E_BUFSIZE = 12,     /* the caller's buffer is too small */
    H5RD_E_NOT_HDF5 = 13,    /* no HDF5 signature found */
    H5RD_E_INTERNAL = 14     /* a bug in h5rd: an invariant was violated */
} h5rd_err;

/* Returns a static description of 'code' (never NULL). */
H5RD_API const char *h5rd_strerror(h5rd_err code);

#define H5RD_ERROR_PATH_MAX 512
struct h5rd_error {
    h5rd_err code;
    uint64_t file_offset;            /* where the problem was detected, H5RD_ADDR_UNDEF if none */
    const char *what;                /* static text, "structure: problem" */
    char path[H5RD_ERROR_PATH_MAX];  /* object path involved, "" when none (truncated if long) */
    int sys_errno;                   /* errno from the operating system for H5RD_E_IO, else 0 */
    const char *src_file;            /* library source location, for bug reports */
    int src_line;
    char detail[128];                /* free-form detail of the failure, "" when none */
};

/* ------------------------------------------------------------------------ */
/* Opening files                                                             */
/* ------------------------------------------------------------------------ */
struct h5rd_alloc {
    void *(*malloc_fn)(void *user, size_t nbytes);
    void *(*realloc_fn)(void *user, void *p, size_t nbytes);
    void (*free_fn)(void *user, void *p);
    void *user;
};

/* Resource limits; every loop and allocation driven by file contents is bounded by one of them.
 * See docs/limits.md. h5rd_limits_init() fills in the defaults. */
struct h5rd_limits {
    uint64_t max_alloc_nbytes;    /* any single allocation (default 1 GiB) */
    uint64_t max_metadata_nbytes; /* parsed metadata one file holds at once: all library
                                     memory but chunk/filter/selection buffers (256 MiB) */
    uint64_t max_chunk_nbytes;    /* one decoded chunk (default 1 GiB) */
    uint32_t max_ohdr_chunks;     /* object header chunks incl. continuations (default 1024) */
    uint32_t max_messages;        /* messages in one object header (default 65536) */
    uint32_t max_btree_depth;     /* v1 B-tree levels / v2 B-tree depth (default 64) */
    uint32_t max_link_hops;       /* soft/external links followed in one lookup (default 40) */
    uint32_t max_dtype_depth;     /* nesting of compound/array/vlen/enum types (default 32) */
    uint32_t max_vds_depth;       /* virtual datasets whose sources are virtual (default 8) */
    uint32_t max_vds_mappings;    /* mappings of one virtual dataset (default 65536) */
    uint32_t max_name_nbytes;     /* link and attribute names (default 1 MiB) */
    uint64_t max_links;           /* links in one group (default 16 Mi) */
    uint64_t max_attrs;           /* attributes on one object (default 1 Mi) */
};

/* Open flags. */
#define H5RD_OPEN_SKIP_CHECKSUMS 0x1u /* salvage mode: do not reject metadata on checksum mismatch */
#define H5RD_OPEN_NO_MMAP 0x2u        /* read with pread() instead of mapping (see docs/io.md) */
/* The file is live: another process (a libhdf5 SWMR writer) appends to it while it is open.
 * The file is read with pread() (never mapped) and may grow; reads past the size seen so far
 * re-check it; the superblock's end-of-file address does not bound reads; group link tables
 * are not shared between handles (a group opened later sees links added since); and metadata
 * that fails its checksum (or parses as damaged) is read again, as libhdf5's SWMR readers do,
 * a bounded number of times (docs/limits.md) before the error is reported. Datasets follow
 * the writer through h5rd_dataset_refresh. Ignored by h5rd_file_open_memory. */
#define H5RD_OPEN_LIVE 0x4u

struct h5rd_filter;        /* below */
struct h5rd_filter_plugin; /* below */

struct h5rd_open_opts {
    size_t struct_nbytes;             /* = sizeof(struct h5rd_open_opts) */
    const struct h5rd_alloc *alloc;   /* NULL: malloc/realloc/free */
    const struct h5rd_limits *limits; /* NULL: defaults */
    uint32_t flags;                   /* H5RD_OPEN_* */
    /* Filters added for this file (and files reached from it through external links and
     * virtual datasets), consulted before the built-in ones. The array is borrowed: it must
     * outlive the file. There is no global registry. */
    const struct h5rd_filter_plugin *filters;
    size_t n_filters;
    /* Decoded-chunk cache of a dataset handle, in bytes (default 4 MiB; 0: none). Reads that
     * come back to chunks they decoded (row by row, small hyperslabs) take them from it, as
     * from libhdf5's chunk cache. It never makes a read wait: a handle has 4 such caches, a
     * read on one thread takes a free one (its thread's first), and a read decoding on
     * several threads, or finding all 4 held, goes without. A cache holds only the chunks it
     * has cached, so a handle read by one thread at a time holds at most one cache's worth. */
    uint64_t chunk_cache_nbytes;
};

H5RD_API void h5rd_open_opts_init(struct h5rd_open_opts *opts);
H5RD_API void h5rd_limits_init(struct h5rd_limits *limits);

/* Opens the HDF5 file at 'path' read-only. 'opts' may be NULL.
 * Returns H5RD_OK and a new handle in *file_ret (close with h5rd_file_close). */
H5RD_API h5rd_err h5rd_file_open(const char *path, const struct h5rd_open_opts *opts,
                                 h5rd_file **file_ret, struct h5rd_error *err);

/* Opens a file image held in memory. The buffer is borrowed: it must stay valid and
 * unchanged until the file and all its objects are closed. */
H5RD_API h5rd_err h5rd_file_open_memory(const void *buf, size_t nbytes,
                                        const struct h5rd_open_opts *opts, h5rd_file **file_ret,
                                        struct h5rd_error *err);

H5RD_API void h5rd_file_close(h5rd_file *file);

struct h5rd_file_info {
    uint32_t superblock_version;
    uint32_t size_of_offsets;
    uint32_t size_of_lengths;
    uint64_t base_address;   /* = user block size for files written by libhdf5 */
    uint64_t superblock_addr;
    uint64_t eof_addr;       /* end-of-file address stored in the superblock */
    uint64_t file_nbytes;    /* actual size of the file or image */
    uint64_t root_addr;      /* object header address of the root group */
    uint32_t sym_leaf_k, btree_internal_k, istore_k; /* B-tree 'K' values */
    uint32_t has_superblock_extension;
    uint32_t n_shared_message_indexes;
};
H5RD_API h5rd_err h5rd_file_get_info(const h5rd_file *file, struct h5rd_file_info *info_ret,
                                     struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Objects and links                                                         */
/* ------------------------------------------------------------------------ */
typedef enum h5rd_obj_kind {
    H5RD_OBJ_GROUP = 0,
    H5RD_OBJ_DATASET = 1,
    H5RD_OBJ_DATATYPE = 2 /* committed (named) datatype */
} h5rd_obj_kind;

/* Opens the object at 'path' (absolute, or "/" for the root). Soft links are followed with a
 * hop limit. External links are followed too (within limits.max_link_hops).
 * Returns H5RD_E_NOT_FOUND when a component does not exist. */
H5RD_API h5rd_err h5rd_obj_open(h5rd_file *file, const char *path, h5rd_obj **obj_ret,
                                struct h5rd_error *err);

/* Opens the object whose object header is at file address 'addr' (as in h5rd_link.addr). The
 * path given is only used for error messages and h5rd_obj_path. */
H5RD_API h5rd_err h5rd_obj_open_addr(h5rd_file *file, uint64_t addr, const char *path,
                                     h5rd_obj **obj_ret, struct h5rd_error *err);
H5RD_API void h5rd_obj_close(h5rd_obj *obj);

H5RD_API h5rd_obj_kind h5rd_obj_get_kind(const h5rd_obj *obj);
/* The object header address: two handles with the same address are the same object. */
H5RD_API uint64_t h5rd_obj_get_addr(const h5rd_obj *obj);
/* The path the object was opened by. Lifetime: the object handle. */
H5RD_API const char *h5rd_obj_get_path(const h5rd_obj *obj);
/* The file the object lives in (for an object reached through an external link, that other
 * file). Borrowed: lifetime of the object handle. */
H5RD_API h5rd_file *h5rd_obj_get_file(const h5rd_obj *obj);

struct h5rd_obj_info {
    uint32_t ohdr_version;     /* 1 or 2 */
    uint32_t n_messages;
    uint32_t n_chunks;         /* object header chunks (1 + continuations) */
    uint32_t refcount;         /* hard link count stored in the header */
    int64_t mtime;             /* modification time (seconds since the epoch), -1 if none */
    uint32_t has_comment;
};
H5RD_API h5rd_err h5rd_obj_get_info(const h5rd_obj *obj, struct h5rd_obj_info *info_ret,
                                    struct h5rd_error *err);
/* The object comment (Object Comment message); H5RD_E_NOT_FOUND when there is none. */
H5RD_API h5rd_err h5rd_obj_get_comment(const h5rd_obj *obj, const char **comment_ret,
                                       struct h5rd_error *err);

typedef enum h5rd_link_type {
    H5RD_LINK_HARD = 0,
    H5RD_LINK_SOFT = 1,
    H5RD_LINK_EXTERNAL = 64,
    H5RD_LINK_USER = 65 /* user-defined link type other than external (listed, not followed) */
} h5rd_link_type;

struct h5rd_link {
    const char *name;        /* link name (UTF-8 or ASCII as stored) */
    h5rd_link_type type;
    uint32_t cset;           /* 0 ASCII, 1 UTF-8 */
    int64_t corder;          /* creation order, -1 when not tracked */
    uint64_t addr;           /* hard: object header address */
    const char *soft_target; /* soft: the target path */
    const char *ext_file;    /* external: the file name */
    const char *ext_path;    /* external: the object path in that file */
    /* Appended (the struct grew: rebuild callers; docs/api.md): the link type number as stored
     * (0 hard, 1 soft, 64 external, 65-255 user-defined: 'type' is H5RD_LINK_USER for all of
     * those) and the size in bytes of the stored link value (soft, external, user-defined; 0
     * for hard links). */
    uint32_t type_number;
    uint64_t value_nbytes;
};

/* Links of a group, in the order h5py lists them: by creation order when the group tracks it,
 * else by name (byte order). The root group is always listed by name: h5py iterates it through
 * the file, whose creation property list does not report link creation order.
 * Strings are borrowed: lifetime of the group. */
H5RD_API h5rd_err h5rd_group_get_nlinks(const h5rd_obj *group, uint64_t *nlinks_ret,
                                        struct h5rd_error *err);
H5RD_API h5rd_err h5rd_group_get_link(const h5rd_obj *group, uint64_t idx,
                                      struct h5rd_link *link_ret, struct h5rd_error *err);
H5RD_API h5rd_err h5rd_group_find_link(const h5rd_obj *group, const char *name,
                                       struct h5rd_link *link_ret, struct h5rd_error *err);
/* Opens the object a link of this group points to (hard, soft or external). */
H5RD_API h5rd_err h5rd_group_open_link(const h5rd_obj *group, uint64_t idx, h5rd_obj **obj_ret,
                                       struct h5rd_error *err);

/* Visiting every link below a group in one call (h5ls -r, h5py's visititems, H5Lvisit).
 * Depth first: a group's links in h5rd_group_get_link order, each hard link's object reported
 * (and a group descended into) before the next link. A group, or an object whose header counts
 * more than one hard link, met again through another hard link is reported with 'same_as' and
 * not descended into (h5ls's rule; it keeps cycles finite); soft,
 * external and user-defined links are reported, never followed. Groups nested deeper than 1,024
 * levels are reported as error records. It is faster than a loop of h5rd_group_open_link: the
 * whole walk is one call (docs/api.md). */
typedef enum h5rd_visit_ret {
    H5RD_VISIT_CONTINUE = 0, /* go on (into this group's links, for a group) */
    H5RD_VISIT_SKIP = 1,     /* go on, but not into this group's links */
    H5RD_VISIT_STOP = 2      /* end the visit (h5rd_obj_visit returns H5RD_OK) */
} h5rd_visit_ret;

struct h5rd_visit_info {
    const char *path;             /* the group's path joined with the link names below it */
    const char *rel_path;         /* the part of 'path' below the group ("a/b"; h5py's name) */
    uint32_t depth;               /* 1 for the group's own links */
    const struct h5rd_link *link; /* the link; NULL in an error record for the group at 'path',
                                     whose links could not be listed */
    h5rd_obj *obj;                /* a hard link's object met for the first time, opened:
                                     borrowed, valid during the callback only; else NULL */
    h5rd_obj_kind kind;           /* hard links: the object's kind (for a repeat too) */
    const char *same_as;          /* a hard link to an object met before in this visit: the
                                     path it was first met by; else NULL */
    const struct h5rd_error *err; /* not NULL: the hard link's object could not be opened, or
                                     the group's links could not be listed (link NULL) */
};
typedef h5rd_visit_ret (*h5rd_visit_fn)(const struct h5rd_visit_info *info, void *udata);
/* Visits everything below 'group'. Errors of single objects go to 'fn' and the visit goes on;
 * the call itself fails only for a bad argument, H5RD_E_NOMEM or H5RD_E_LIMIT. Strings and
 * handles in 'info' are valid during the callback only. The callback may call any h5rd
 * function (those calls are part of the visit's call, see docs/io.md). */
H5RD_API h5rd_err h5rd_obj_visit(const h5rd_obj *group, h5rd_visit_fn fn, void *udata,
                                 struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Datatypes                                                                 */
/* ------------------------------------------------------------------------ */
typedef enum h5rd_type_class {
    H5RD_CLASS_INTEGER = 0,
    H5RD_CLASS_FLOAT = 1,
    H5RD_CLASS_TIME = 2,
    H5RD_CLASS_STRING = 3,
    H5RD_CLASS_BITFIELD = 4,
    H5RD_CLASS_OPAQUE = 5,
    H5RD_CLASS_COMPOUND = 6,
    H5RD_CLASS_REFERENCE = 7,
    H5RD_CLASS_ENUM = 8,
    H5RD_CLASS_VLEN = 9,
    H5RD_CLASS_ARRAY = 10,
    /* HDF5 2.0 complex number: real then imaginary part, both of the floating-point base type
     * (h5rd_type_get_super); h5rd_type_info reports the base's order and float fields and the
     * complex size (twice the base's). */
    H5RD_CLASS_COMPLEX = 11
} h5rd_type_class;

typedef enum h5rd_byte_order {
    H5RD_ORDER_LE = 0,
    H5RD_ORDER_BE = 1,
    H5RD_ORDER_VAX = 2, /* floating point, VAX (mixed) order */
    H5RD_ORDER_NONE = 3
} h5rd_byte_order;

struct h5rd_type_info {
    h5rd_type_class cls;
    uint64_t size;              /* bytes of one element in the file */
    h5rd_byte_order order;      /* integer, float, time, bitfield, enum (of its base) */
    uint32_t is_signed;         /* integer */
    uint32_t bit_offset;        /* integer, float, bitfield: first significant bit */
    uint32_t precision;         /* integer, float, bitfield: significant bits */
    uint32_t lo_pad, hi_pad;    /* padding bit values (0/1) */
    /* float */
    uint32_t sign_pos, exp_pos, exp_nbits, mant_pos, mant_nbits;
    uint64_t exp_bias;
    uint32_t mant_norm;         /* 0 none, 1 msb set, 2 msb implied */
    uint32_t internal_pad;
    /* string (fixed) and vlen string */
    uint32_t str_pad;           /* 0 null-terminated, 1 null-padded, 2 space-padded */
    uint32_t cset;              /* 0 ASCII, 1 UTF-8 */
    /* vlen */
    uint32_t vlen_is_string;    /* 1: variable-length string, 0: sequence */
    /* reference */
    uint32_t ref_kind;          /* 0 object, 1 dataset region, 2 revised (HDF5 1.12+ H5R_ref_t
                                 * encoding: each element says whether it is an object, region
                                 * or attribute reference; see h5rd_ref_get_kind) */
    /* compound, enum: number of members; array: rank */
    uint32_t nmembers;
    uint32_t rank;
    uint64_t dims[H5RD_MAX_RANK];
    const char *tag;            /* opaque tag ("" if none). Lifetime: the type. */
};

H5RD_API h5rd_err h5rd_type_get_info(const h5rd_type *type, struct h5rd_type_info *info_ret,
                                     struct h5rd_error *err);
/* Compound member 'idx': name, byte offset within the compound, and type. */
H5RD_API h5rd_err h5rd_type_get_member(const h5rd_type *type, uint32_t idx, const char **name_ret,
                                       uint64_t *offset_ret, const h5rd_type **member_type_ret,
                                       struct h5rd_error *err);
/* Enum member 'idx': name and value (the value's bytes in the base type's file layout,
 * h5rd_type_info.size bytes, made native byte order). */
H5RD_API h5rd_err h5rd_type_get_enum_member(const h5rd_type *type, uint32_t idx,
                                            const char **name_ret, const void **value_ret,
                                            struct h5rd_error *err);
/* The base type of an enum, vlen, array or complex type. */
H5RD_API h5rd_err h5rd_type_get_super(const h5rd_type *type, const h5rd_type **super_ret,
                                      struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Dataspaces and datasets                                                   */
/* ------------------------------------------------------------------------ */
typedef enum h5rd_space_kind {
    H5RD_SPACE_SCALAR = 0,
    H5RD_SPACE_SIMPLE = 1,
    H5RD_SPACE_NULL = 2
} h5rd_space_kind;

#define H5RD_UNLIMITED UINT64_MAX
struct h5rd_space {
    h5rd_space_kind kind;
    uint32_t rank; /* 0 for scalar and null */
    uint64_t dims[H5RD_MAX_RANK];
    uint64_t maxdims[H5RD_MAX_RANK]; /* H5RD_UNLIMITED for unlimited; = dims when not stored */
};

typedef enum h5rd_layout_class {
    H5RD_LAYOUT_COMPACT = 0,
    H5RD_LAYOUT_CONTIGUOUS = 1,
    H5RD_LAYOUT_CHUNKED = 2,
    H5RD_LAYOUT_VIRTUAL = 3
} h5rd_layout_class;

typedef enum h5rd_chunk_index {
    H5RD_CHUNK_INDEX_BTREE1 = 0, /* version 1 B-tree (layout message v1-v3) */
    H5RD_CHUNK_INDEX_SINGLE = 1,
    H5RD_CHUNK_INDEX_IMPLICIT = 2,
    H5RD_CHUNK_INDEX_FARRAY = 3,
    H5RD_CHUNK_INDEX_EARRAY = 4,
    H5RD_CHUNK_INDEX_BTREE2 = 5,
    H5RD_CHUNK_INDEX_NONE = 255  /* not chunked */
} h5rd_chunk_index;

struct h5rd_layout {
    h5rd_layout_class cls;
    uint32_t version;            /* data layout message version */
    uint32_t rank;               /* chunked: rank of the chunk (= dataset rank) */
    uint64_t chunk_dims[H5RD_MAX_RANK];
    h5rd_chunk_index chunk_index;
    uint32_t chunk_flags;        /* layout v4 flags (bit 1: don't filter partial edge chunks) */
    uint64_t data_addr;          /* contiguous: address; chunked: index address */
    uint64_t data_nbytes;        /* contiguous: size; compact: size */
    uint32_t n_external_files;   /* external raw storage entries (contiguous only) */
};

#define H5RD_FILTER_DEFLATE 1
#define H5RD_FILTER_SHUFFLE 2
#define H5RD_FILTER_FLETCHER32 3
#define H5RD_FILTER_SZIP 4
#define H5RD_FILTER_NBIT 5
#define H5RD_FILTER_SCALEOFFSET 6
#define H5RD_FILTER_BZIP2 307
#define H5RD_FILTER_LZF 32000
#define H5RD_FILTER_BLOSC 32001
#define H5RD_FILTER_LZ4 32004
#define H5RD_FILTER_BITSHUFFLE 32008
#define H5RD_FILTER_ZSTD 32015

struct h5rd_filter {
    uint32_t id;
    uint32_t flags;           /* bit 0: optional */
    const char *name;         /* as stored in the file, "" when absent. Lifetime: dataset. */
    uint32_t n_values;
    const uint32_t *values;   /* client data. Lifetime: dataset. */
};

H5RD_API h5rd_err h5rd_dataset_get_space(const h5rd_obj *dset, struct h5rd_space *space_ret,
                                         struct h5rd_error *err);
/* The dataset's (or committed datatype's) type. Lifetime: the object handle. */
H5RD_API h5rd_err h5rd_obj_get_type(const h5rd_obj *obj, const h5rd_type **type_ret,
                                    struct h5rd_error *err);
H5RD_API h5rd_err h5rd_dataset_get_layout(const h5rd_obj *dset, struct h5rd_layout *layout_ret,
                                          struct h5rd_error *err);
H5RD_API h5rd_err h5rd_dataset_get_nfilters(const h5rd_obj *dset, uint32_t *nfilters_ret,
                                            struct h5rd_error *err);
H5RD_API h5rd_err h5rd_dataset_get_filter(const h5rd_obj *dset, uint32_t idx,
                                          struct h5rd_filter *filter_ret, struct h5rd_error *err);

struct h5rd_fill {
    uint32_t alloc_time;   /* 1 early, 2 late, 3 incremental */
    uint32_t fill_time;    /* 0 on allocation, 1 never, 2 if set by user */
    uint32_t is_defined;   /* 0: undefined (libhdf5 leaves garbage); 1: value below or default 0 */
    uint64_t nbytes;       /* size of the stored value, 0 = default (all zero bytes) */
    const void *value;     /* stored fill value in file layout, NULL if none. Lifetime: dataset. */
};
H5RD_API h5rd_err h5rd_dataset_get_fill(const h5rd_obj *dset, struct h5rd_fill *fill_ret,
                                        struct h5rd_error *err);

/* Re-reads the dataset's object header (dataspace and layout) and its chunk index, so that the
 * extent, the chunk table and what reads return follow a writer that appends (libhdf5 SWMR:
 * the writer rewrites the dataspace message and the index in place, index first). Open the
 * file with H5RD_OPEN_LIVE for the file size, checksum retries and caches to follow as well.
 * Everything else the handle reports (datatype, filters, fill value, attributes, object info)
 * stays as read at open. H5RD_E_UNSUPPORTED for a virtual dataset. On failure the handle keeps
 * its previous state.
 * Thread-safety: may run while other threads use the same handle (and while other refreshes
 * run). The new extent, layout and chunk table are published together as one immutable
 * snapshot with an atomic pointer swap: each call on the handle (a read, a chunk query,
 * get_space) takes the snapshot current when it starts and uses only it, so a read that started
 * before a refresh sees the old state or the new one, never a mix; a call that starts after
 * the refresh returned sees the new one (or a later one). Superseded snapshots are freed by a
 * later refresh that finds no call of the handle in flight, else at close. Decoded chunks
 * cached by the handle are not reused across a refresh. */
H5RD_API h5rd_err h5rd_dataset_refresh(h5rd_obj *dset, struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Reading datasets                                                          */
/* ------------------------------------------------------------------------ */

/* A memory type for h5rd_dataset_read. NULL (or cls == H5RD_MEMTYPE_FILE) means what h5py
 * reads through libhdf5 into the numpy type matching the file type: the file type's own layout
 * with every number made native byte order and normalised as libhdf5 converts it to the native
 * type of the same size: integers narrower than their size (or at a bit offset) shifted and
 * zero- or sign-extended, floats with padding bits cleared (an x87 long double's 6 padding bytes
 * zeroed); compound members at their file offsets; fixed strings as libhdf5 converts them to
 * null-padded strings (a null-terminated string is cut at its first NUL, a space-padded one has
 * its trailing spaces made NULs); opaque data as stored; variable-length and reference elements
 * in their stored form. Two more of h5py's choices are followed: a float type that no numpy
 * type of its size holds is widened to the smallest one that does (bfloat16 -> 4 bytes, an x87
 * long double stored in 12 bytes -> 16), and a compound that libhdf5 must convert on the way
 * (a bitfield or narrow-precision member, a string that is not null-padded, ...) has its padding
 * bytes zeroed. h5rd_dataset_get_elem_nbytes(dset, NULL) gives the resulting element size.
 * See docs/format-notes.md for the details checked against h5py. */
typedef enum h5rd_memtype_class {
    H5RD_MEMTYPE_FILE = 0,
    H5RD_MEMTYPE_INT = 1,   /* signed or unsigned integer of 1, 2, 4 or 8 bytes */
    H5RD_MEMTYPE_FLOAT = 2, /* IEEE binary16, binary32 or binary64 */
    H5RD_MEMTYPE_COMPLEX = 3 /* two IEEE binary16/32/64 (size 4, 8 or 16), real part first */
} h5rd_memtype_class;

struct h5rd_memtype {
    h5rd_memtype_class cls;
    uint32_t size;          /* bytes: 1, 2, 4, 8 (FLOAT: 2, 4, 8; COMPLEX: 4, 8, 16) */
    uint32_t is_signed;     /* INT */
    h5rd_byte_order order;  /* H5RD_ORDER_LE or H5RD_ORDER_BE */
};

/* Numeric conversion follows libhdf5's default conversion: integer overflow saturates at the
 * destination's limits; float to integer truncates toward zero and saturates (NaN gives 0);
 * float to narrower float rounds to nearest-even, overflow gives infinity. Complex numbers
 * (libhdf5 2.0, H5Tconv_complex.c): to a complex memory type each part converts as a float;
 * to an integer or float only the real part converts (the imaginary part is dropped); an
 * integer or float read as complex gets a zero imaginary part. */

typedef enum h5rd_sel_kind {
    H5RD_SEL_ALL = 0,
    H5RD_SEL_HYPERSLAB = 1, /* regular hyperslab: start, stride, count, block per dimension */
    H5RD_SEL_POINTS = 2     /* a list of element coordinates */
} h5rd_sel_kind;

struct h5rd_selection {
    h5rd_sel_kind kind;
    uint32_t rank;           /* = dataset rank */
    const uint64_t *start;   /* hyperslab: rank entries each */
    const uint64_t *stride;  /* NULL: all 1 */
    const uint64_t *count;
    const uint64_t *block;   /* NULL: all 1 */
    uint64_t npoints;        /* points: number of points */
    const uint64_t *points;  /* points: npoints x rank coordinates */
};

struct h5rd_read_opts {
    size_t struct_nbytes;    /* = sizeof(struct h5rd_read_opts) */
    uint32_t nthreads;       /* decoding threads for this call; 0 or 1: the calling thread only */
    uint32_t flags;          /* H5RD_READ_* bits below, 0 for the defaults */
};
/* A virtual dataset's source that cannot be opened fails the read with H5RD_E_NOT_FOUND (the
 * error's path names the source file and dataset) instead of reading as the fill value, as
 * libhdf5 does. Only sources that the selection touches count; printf (%b) mappings end at
 * their first missing source and are never "missing". */
#define H5RD_READ_MISSING_SOURCE_ERROR 0x1u
H5RD_API void h5rd_read_opts_init(struct h5rd_read_opts *opts);

/* Number of elements a selection picks (NULL selection: the whole dataset). */
H5RD_API h5rd_err h5rd_selection_get_npoints(const h5rd_obj *dset, const struct h5rd_selection *sel,
                                             uint64_t *npoints_ret, struct h5rd_error *err);

/* Bytes one element occupies in memory type 'mt' (NULL: the file type's size). */
H5RD_API h5rd_err h5rd_dataset_get_elem_nbytes(const h5rd_obj *dset, const struct h5rd_memtype *mt,
                                               uint64_t *nbytes_ret, struct h5rd_error *err);

/* Reads the elements of 'sel' (NULL: all) in C order into 'buf' (npoints x element size
 * bytes), converted to 'mt' (NULL: file layout, see above). Only the chunks the selection
 * touches are read; unallocated storage reads as the fill value. 'opts' may be NULL.
 * Thread-safety: any number of concurrent reads of one dataset handle. */
H5RD_API h5rd_err h5rd_dataset_read(const h5rd_obj *dset, const struct h5rd_selection *sel,
                                    const struct h5rd_memtype *mt, void *buf, size_t buf_nbytes,
                                    const struct h5rd_read_opts *opts, struct h5rd_error *err);

/* ---- direct chunk access ---- */
struct h5rd_chunk_info {
    uint64_t offset[H5RD_MAX_RANK]; /* logical coordinates of the chunk's first element */
    uint64_t addr;                  /* absolute byte offset in the file (user block included) */
    uint64_t nbytes;                /* stored size */
    uint32_t filter_mask;           /* bit i set: filter i was not applied */
};
/* Number of allocated chunks. The chunk table is built once per dataset handle (O(n)). */
H5RD_API h5rd_err h5rd_dataset_get_nchunks(const h5rd_obj *dset, uint64_t *nchunks_ret,
                                           struct h5rd_error *err);
/* The idx-th allocated chunk, in chunk-index order. O(1) after the table is built. */
H5RD_API h5rd_err h5rd_dataset_get_chunk(const h5rd_obj *dset, uint64_t idx,
                                         struct h5rd_chunk_info *info_ret, struct h5rd_error *err);
/* The chunk containing element 'coords'; H5RD_E_NOT_FOUND when it is not allocated. */
H5RD_API h5rd_err h5rd_dataset_find_chunk(const h5rd_obj *dset, const uint64_t *coords,
                                          struct h5rd_chunk_info *info_ret, struct h5rd_error *err);
/* Copies the stored (still filtered) bytes of the chunk containing 'coords'. */
H5RD_API h5rd_err h5rd_dataset_read_chunk_raw(const h5rd_obj *dset, const uint64_t *coords,
                                              void *buf, size_t buf_nbytes, size_t *nbytes_ret,
                                              uint32_t *filter_mask_ret, struct h5rd_error *err);
/* Decodes the chunk containing 'coords' into 'buf' (chunk dims x element size bytes, file
 * layout as H5RD_MEMTYPE_FILE; an unallocated chunk gives the fill value). */
H5RD_API h5rd_err h5rd_dataset_read_chunk(const h5rd_obj *dset, const uint64_t *coords, void *buf,
                                          size_t buf_nbytes, struct h5rd_error *err);

/* ---- filters supplied by the caller ---- */
struct h5rd_filter_plugin {
    uint32_t id;
    const char *name;
    /* Undo the filter: 'in' (in_nbytes) into 'out' (out_nbytes_avail); report the bytes
     * written. 'params' holds the filter's client data from the file. Must be thread-safe. */
    h5rd_err (*decode)(void *user, const struct h5rd_filter *params, const void *in,
                       size_t in_nbytes, void *out, size_t out_nbytes_avail,
                       size_t *out_nbytes_ret);
    void *user;
};

/* ------------------------------------------------------------------------ */
/* Attributes                                                                */
/* ------------------------------------------------------------------------ */
/* Attributes are listed in libhdf5's default order (h5py's): by name, or by creation order
 * when the object tracks attribute creation order. */
H5RD_API h5rd_err h5rd_obj_get_nattrs(const h5rd_obj *obj, uint64_t *nattrs_ret,
                                      struct h5rd_error *err);
H5RD_API h5rd_err h5rd_attr_open_idx(const h5rd_obj *obj, uint64_t idx, h5rd_attr **attr_ret,
                                     struct h5rd_error *err);
H5RD_API h5rd_err h5rd_attr_open(const h5rd_obj *obj, const char *name, h5rd_attr **attr_ret,
                                 struct h5rd_error *err);
H5RD_API void h5rd_attr_close(h5rd_attr *attr);
/* Lifetime of the returned pointers: the attribute handle. */
H5RD_API const char *h5rd_attr_get_name(const h5rd_attr *attr);
H5RD_API const h5rd_type *h5rd_attr_get_type(const h5rd_attr *attr);
H5RD_API h5rd_err h5rd_attr_get_space(const h5rd_attr *attr, struct h5rd_space *space_ret,
                                      struct h5rd_error *err);
/* Bytes needed by h5rd_attr_read: number of elements x type size. */
H5RD_API h5rd_err h5rd_attr_get_nbytes(const h5rd_attr *attr, uint64_t *nbytes_ret,
                                       struct h5rd_error *err);
/* Copies the attribute's value into 'buf' in the file type's layout with every number made
 * native byte order (compound members at their file offsets). Variable-length and reference
 * elements are left in their stored form: decode them with h5rd_vlen_read / h5rd_ref_get_path. */
H5RD_API h5rd_err h5rd_attr_read(const h5rd_attr *attr, void *buf, size_t buf_nbytes,
                                 struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Variable-length data and references                                       */
/* ------------------------------------------------------------------------ */
/* 'elem' is one stored variable-length element (as left by h5rd_attr_read or a dataset read)
 * of 'vlen_type' (class VLEN). Copies its contents into 'buf': for a string, the bytes (no NUL
 * added); for a sequence, the base elements made native byte order. *count_ret receives the
 * number of base elements (bytes for strings). With buf == NULL only *count_ret is set. */
H5RD_API h5rd_err h5rd_vlen_read(const h5rd_file *file, const h5rd_type *vlen_type,
                                 const void *elem, void *buf, size_t buf_nbytes,
                                 uint64_t *count_ret, struct h5rd_error *err);

/* 'elem' is one stored reference of 'ref_type' (class REFERENCE). Writes the absolute path of
 * the referenced object (for a region reference, of its dataset). H5RD_E_NOT_FOUND for a null
 * reference or one no path reaches. */
H5RD_API h5rd_err h5rd_ref_get_path(h5rd_file *file, const h5rd_type *ref_type,
                                    const void *elem, char *buf, size_t buf_nbytes,
                                    size_t *len_ret, struct h5rd_error *err);

/* What one stored reference points to (h5rd_ref_get_kind). For the old encoding it follows
 * from the type (h5rd_type_info.ref_kind 0 or 1); the revised one (ref_kind 2) stores it in
 * each element. */
typedef enum h5rd_ref_kind {
    H5RD_REF_OBJECT = 0,
    H5RD_REF_REGION = 1, /* a dataset region: h5rd_ref_get_path gives the dataset */
    H5RD_REF_ATTR = 2    /* an attribute: h5rd_ref_get_path gives its object,
                          * h5rd_ref_get_attr_name its name */
} h5rd_ref_kind;

/* Writes the h5rd_ref_kind of the stored reference 'elem' to *kind_ret. H5RD_E_NOT_FOUND for a
 * null reference, H5RD_E_UNSUPPORTED for a revised reference to an object in another file. */
H5RD_API h5rd_err h5rd_ref_get_kind(const h5rd_file *file, const h5rd_type *ref_type,
                                    const void *elem, uint32_t *kind_ret,
                                    struct h5rd_error *err);
/* The attribute name of an attribute reference (buffer contract as h5rd_ref_get_path).
 * H5RD_E_TYPE when 'elem' is not an attribute reference, H5RD_E_NOT_FOUND when it is null. */
H5RD_API h5rd_err h5rd_ref_get_attr_name(const h5rd_file *file, const h5rd_type *ref_type,
                                         const void *elem, char *buf, size_t buf_nbytes,
                                         size_t *len_ret, struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* Virtual datasets                                                          */
/* ------------------------------------------------------------------------ */
/* A virtual dataset (layout class H5RD_LAYOUT_VIRTUAL) maps selections of source datasets,
 * possibly in other files, onto selections of itself. Its sources are opened when the dataset
 * is opened (and closed with it), so every call below is a read of immutable state: any number
 * of threads may use them at once. h5rd_dataset_get_space reports the extent libhdf5 computes
 * from the current sources for unlimited mappings.
 *
 * Source files are found as libhdf5 finds them: "." is the file holding the virtual dataset; an
 * absolute name as given; then (with only the last component of an absolute name that was not
 * found) each entry of the colon-separated environment variable HDF5_VDS_PREFIX, where a
 * leading "${ORIGIN}" stands for the directory of the file holding the virtual dataset; then
 * that directory; then the name as given (relative to the current directory). A source file or
 * dataset that cannot be opened is "missing": libhdf5 reads the fill value there. */

typedef enum h5rd_vds_sel_kind {
    H5RD_VDS_SEL_NONE = 0,
    H5RD_VDS_SEL_POINTS = 1,    /* n points of rank coordinates each */
    H5RD_VDS_SEL_HYPERSLAB = 2, /* regular hyperslab: start, stride, count, block */
    H5RD_VDS_SEL_ALL = 3,
    H5RD_VDS_SEL_BLOCKS = 4     /* irregular hyperslab: n blocks (start and end corners) */
} h5rd_vds_sel_kind;

/* A selection as stored in a mapping. Arrays are borrowed: lifetime of the dataset handle. */
struct h5rd_vds_sel {
    h5rd_vds_sel_kind kind;
    uint32_t rank;          /* 0 for NONE and ALL */
    /* HYPERSLAB: rank entries each; a count or block may be H5RD_UNLIMITED (at most one
     * dimension). A block list that forms a regular pattern is reported in this form, as
     * libhdf5 does (a count of 1 then has stride 1). */
    const uint64_t *start, *stride, *count, *block;
    /* POINTS: n x rank coordinates; BLOCKS: n x 2 x rank values, per block the start corner
     * then the end corner (inclusive), in libhdf5's order. */
    uint64_t n;
    const uint64_t *coords;
};

struct h5rd_vds_mapping {
    const char *file;           /* source file name as stored ("%b" and "%%" unexpanded) */
    const char *dataset;        /* source dataset name as stored */
    struct h5rd_vds_sel vspace; /* selection in the virtual dataset */
    struct h5rd_vds_sel srcspace; /* selection in the source dataset */
    uint32_t is_printf;         /* 1: "%b" names, one source per block of the unlimited
                                   virtual selection (blocks 0, 1, ... until one is missing) */
    uint64_t nsources;          /* sources behind this mapping (see h5rd_vds_get_source) */
};

/* One source dataset of a mapping. Strings are borrowed: lifetime of the dataset handle. */
struct h5rd_vds_source {
    const char *file;           /* the file name used ("%b" replaced, "%%" made "%") */
    const char *dataset;        /* the dataset name used */
    const char *path;           /* the file path opened, or when missing the path tried
                                   (relative to the virtual dataset's directory); "." */
    uint64_t block;             /* printf mappings: the block index; else 0 */
    uint32_t missing;           /* 1: the file or the dataset could not be opened */
    h5rd_err reason;            /* missing: why (H5RD_E_NOT_FOUND, ...); else H5RD_OK */
    const char *reason_what;    /* missing: static detail text; else "" */
};

/* Number of mappings. H5RD_E_TYPE when 'dset' is not a virtual dataset. */
H5RD_API h5rd_err h5rd_vds_get_nmappings(const h5rd_obj *dset, uint64_t *n_ret,
                                         struct h5rd_error *err);
/* Mapping 'idx' (in stored order). */
H5RD_API h5rd_err h5rd_vds_get_mapping(const h5rd_obj *dset, uint64_t idx,
                                       struct h5rd_vds_mapping *mapping_ret,
                                       struct h5rd_error *err);
/* Source 'src_idx' (< nsources) of mapping 'idx'. An ordinary mapping has one source. A printf
 * mapping has one per block found (blocks 0 .. nsources-1), or, when not even block 0 was
 * found, one missing source for block 0. */
H5RD_API h5rd_err h5rd_vds_get_source(const h5rd_obj *dset, uint64_t idx, uint64_t src_idx,
                                      struct h5rd_vds_source *source_ret, struct h5rd_error *err);
/* Opens (a new handle on) source 'src_idx' of mapping 'idx'; H5RD_E_NOT_FOUND when missing.
 * Close it with h5rd_obj_close. */
H5RD_API h5rd_err h5rd_vds_open_source(const h5rd_obj *dset, uint64_t idx, uint64_t src_idx,
                                       h5rd_obj **obj_ret, struct h5rd_error *err);

/* ------------------------------------------------------------------------ */
/* kerchunk references (docs/kerchunk.md)                                   */
/* ------------------------------------------------------------------------ */
/* Writes kerchunk version-1 references {"version": 1, "refs": {...}} for the groups and datasets
 * below a path: Zarr v2 metadata (.zgroup, .zattrs, .zarray as JSON strings) and, per allocated
 * chunk, "i.j" -> [url, offset, size], so fsspec's reference filesystem and Zarr read the
 * file's chunks directly. What cannot be expressed (a filter without a numcodecs codec of the
 * same bytes, variable-length or reference data, a virtual dataset, ...) is left out and passed
 * to 'report' with the dataset's path and the reason; a dataset is emitted whole or not at all. */
#define H5RD_KERCHUNK_STRICT 0x1u     /* return H5RD_E_UNSUPPORTED when anything was reported */
#define H5RD_KERCHUNK_FLETCHER32 0x2u /* the reader's numcodecs has "fletcher32" (>= 0.12) */
struct h5rd_kerchunk_opts {
    size_t struct_nbytes;          /* = sizeof(struct h5rd_kerchunk_opts) */
    const char *url;               /* the file's URL in every reference (required) */
    uint64_t inline_threshold;     /* chunks (stored) smaller than this are inlined (100) */
    uint64_t max_contiguous_chunk_nbytes; /* split contiguous data at whole rows; 0: never */
    uint32_t flags;                /* H5RD_KERCHUNK_* */
    void (*report)(void *user, const char *path, const char *reason); /* may be NULL */
    void *user;
};
H5RD_API void h5rd_kerchunk_opts_init(struct h5rd_kerchunk_opts *opts);
/* 'path' NULL or "" means "/". The JSON text goes through 'write' in pieces (it returns 0, or
 * non-zero to stop: H5RD_E_IO). *n_reported_ret (may be NULL) receives the number of reports.
 * H5RD_E_UNSUPPORTED with H5RD_KERCHUNK_STRICT when anything was reported (the output is then
 * complete but for those objects). Thread-safety: as reads of 'file'. */
H5RD_API h5rd_err h5rd_kerchunk_write(h5rd_file *file, const char *path,
                                      const struct h5rd_kerchunk_opts *opts,
                                      int (*write)(void *user, const void *buf, size_t nbytes),
                                      void *write_user, uint64_t *n_reported_ret,
                                      struct h5rd_error *err);

#ifdef __cplusplus
}
#endif
#endif /* H5RD_H */
