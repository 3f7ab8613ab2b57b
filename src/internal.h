/*
 * internal.h - the private umbrella header: the open-file structure shared by
 * every layer, allocation helpers and limits. Never installed.
 *
 * Thread-safety contract: after h5rd_file_open returns, every field of
 * struct h5rd_file is read-only except those marked _Atomic, which are
 * published once with compare-and-swap (lazily built tables) or counted
 * (reference count). Nothing on the read path takes a lock.
 */
#ifndef H5RD_INTERNAL_H
#define H5RD_INTERNAL_H

#include "h5rd.h"
#include "core/checked.h"
#include "core/err.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Superblock, decoded (Spec v3.0 II.A "Disk Format: Level 0A - Format Signature and
 * Superblock"). Addresses are relative to base_addr, as stored. */
struct h5rd__sb {
    uint32_t version;               /* 0..3 */
    uint8_t size_of_offsets;        /* 2, 4, 8 */
    uint8_t size_of_lengths;        /* 2, 4, 8 */
    uint32_t sym_leaf_k;            /* group leaf node K (v0/v1) */
    uint32_t btree_internal_k;      /* group internal node K (v0/v1) */
    uint32_t istore_k;              /* indexed storage internal node K (v1; v0: 32) */
    uint32_t file_consistency_flags;
    uint64_t sb_abs_addr;           /* absolute offset of the signature */
    uint64_t base_addr;             /* absolute offset that relative addresses start from */
    uint64_t ext_addr;              /* superblock extension object header, H5RD_ADDR_UNDEF if none */
    uint64_t eof_addr;              /* end of file address (relative) */
    uint64_t driver_info_addr;
    uint64_t root_addr;             /* root group object header */
    /* v0/v1: the root group's symbol table entry scratch pad (cache type 1) */
    uint32_t root_cache_type;
    uint64_t root_btree_addr;
    uint64_t root_heap_addr;
};

struct h5rd__sohm_table;  /* object/sohm.h */

/* Metadata cache image (libhdf5's H5Cimage.c; superblock extension message 0x18): metadata
 * entries that libhdf5 serves from the image block instead of from their file addresses (the
 * file may hold nothing there). Built by format/superblock.c during open, sorted by address
 * (no two entries share one), read by io/source.c, freed by h5rd__src_close. Immutable after
 * open. */
struct h5rd__mdci_entry {
    uint64_t addr;                  /* relative address the entry stands for */
    uint64_t nbytes;                /* > 0 */
    const uint8_t *p;               /* its bytes, inside block */
};
struct h5rd__mdci {
    const uint8_t *block;           /* the whole image block: in the mapping, or block_owned */
    size_t block_nbytes;
    void *block_owned;              /* non-NULL when read with pread (freed at close) */
    uint32_t n;
    struct h5rd__mdci_entry *e;
};
struct h5rd__pathmap;     /* api: address -> path map for references */
struct h5rd__extfile;     /* api: files opened through external links */
struct h5rd__links;       /* group/group.h */
struct h5rd_obj;          /* file/file.h */

struct h5rd_file {
    struct h5rd_alloc alloc;
    struct h5rd_limits limits;
    uint32_t flags;                 /* H5RD_OPEN_* */
    const struct h5rd_filter_plugin *plugins;  /* caller's filters (borrowed), tried first */
    size_t n_plugins;
    uint64_t chunk_cache_nbytes;    /* per dataset handle (h5rd_open_opts), 0: none */
    atomic_uint refcount;           /* caller's reference + one per open object */

    /* The source (io/source.c). */
    const uint8_t *map;             /* whole file (mmap or caller's image); NULL in pread mode */
    _Atomic uint64_t nbytes;        /* size of the file or image at open; a live file's
                                       (H5RD_OPEN_LIVE) only grows, as io/source.c sees it grow */
    uint64_t eoa_abs;               /* absolute end of the addressed space (base + stored end-of-file
                                       address); reads past it fail as in libhdf5. 0 until known */
    int fd;                         /* -1 for memory images */
    bool is_mapped;                 /* map came from mmap() and must be unmapped */
    char *path;                     /* as opened, NULL for memory images */
    char *dir;                      /* directory of path ("." if none) */

    struct h5rd__sb sb;
    struct h5rd__sohm_table *sohm;  /* shared object header message table, NULL if none */
    struct h5rd__mdci *mdci;        /* metadata cache image, NULL if none (see above) */

    _Atomic(struct h5rd__pathmap *) pathmap;   /* built on first reference lookup */
    /* Link tables of the first groups looked up, shared by every handle of this file so that
     * opening many objects of one big group decodes its links once. Each slot is claimed once
     * (compare-and-swap on addr) and its table published once; freed at close. */
    struct {
        _Atomic uint64_t addr;                 /* 0: free (no object header lives at 0) */
        _Atomic(struct h5rd__links *) links;   /* NULL until published */
    } links_cache[64];
    _Atomic(struct h5rd__extfile *) extfiles;  /* lock-free list, freed at close */
    _Atomic uint64_t meta_nbytes;   /* parsed metadata held now (src/core/alloc.c) */
    /* The block of the last object handle freed, kept for the next open (file/obj.c): a walk
     * opens and closes thousands of handles one after another. Taken and given back with an
     * atomic exchange; freed at close. */
    _Atomic(struct h5rd_obj *) spare_obj;
};

/* ---- allocation (src/core/alloc.c) -------------------------------------------------------- */
/* Each checks 'n' against limits.max_alloc_nbytes, charges it to the file's parsed-metadata
 * total (limits.max_metadata_nbytes, released by h5rd__free) and records H5RD_E_LIMIT /
 * H5RD_E_NOMEM in 'ec' on failure (returning NULL). n == 0 allocates 1 byte so NULL always
 * means failure. */
void *h5rd__malloc(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec);
void *h5rd__calloc(const struct h5rd_file *f, uint64_t count, uint64_t size, struct h5rd_error *ec);
void *h5rd__realloc(const struct h5rd_file *f, void *p, uint64_t n, struct h5rd_error *ec);
/* The same, not charged to max_metadata_nbytes: for the data path only (chunk buffers, filter
 * scratch, selection bookkeeping), whose sizes other limits or the caller bound. Blocks from
 * either family are freed with h5rd__free and keep their family through h5rd__realloc. */
void *h5rd__malloc_data(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec);
void *h5rd__calloc_data(const struct h5rd_file *f, uint64_t count, uint64_t size,
                        struct h5rd_error *ec);
void h5rd__free_block(const struct h5rd_file *f, void *p);
/* Frees a block of the functions above; NULL is nothing to free. Inline: most frees of a
 * handle's optional parts are of NULL (issue 13). */
static inline void h5rd__free(const struct h5rd_file *f, void *p)
{
    if (p != NULL) {
        h5rd__free_block(f, p);
    }
}
/* Copies n bytes and appends a NUL. */
char *h5rd__strndup(const struct h5rd_file *f, const char *s, size_t n, struct h5rd_error *ec);

/* Strings kept together: many short strings (the names of a group's links) copied into a few
 * blocks instead of one allocation each, freed all at once. Zero-initialised is empty. */
struct h5rd__strblock;
struct h5rd__strpool {
    struct h5rd__strblock *head;
};
/* h5rd__strndup into the pool. */
char *h5rd__strpool_dup(const struct h5rd_file *f, struct h5rd__strpool *pool, const char *s,
                        size_t n, struct h5rd_error *ec);
void h5rd__strpool_free(const struct h5rd_file *f, struct h5rd__strpool *pool);

/* Grows an array of 'elem_nbytes' elements so it holds at least 'need' elements
 * (doubling). '*cap' is the current capacity. */
h5rd_err h5rd__grow(const struct h5rd_file *f, void **arr, uint64_t *cap, uint64_t need,
                    size_t elem_nbytes, struct h5rd_error *ec);

/* ---- checksums (src/core/checksum.c) ---------------------------------------------------- */
/* The one policy for metadata checksums: OK when 'stored' equals 'computed', when the file was
 * opened with H5RD_OPEN_SKIP_CHECKSUMS, or in fuzzing builds (which compute but never reject,
 * so fuzzers reach past checksummed structures); else H5RD_E_CHECKSUM at 'addr' with 'what'. */
h5rd_err h5rd__checksum_check(const struct h5rd_file *f, uint32_t stored, uint32_t computed,
                              uint64_t addr, const char *what, struct h5rd_error *ec);
/* Verifies a block of 'nbytes' whose last 4 bytes are the lookup3 checksum (little-endian) of
 * the bytes before them. CORRUPT when nbytes < 4. */
h5rd_err h5rd__checksum_verify_block(const struct h5rd_file *f, const uint8_t *p, size_t nbytes,
                                     uint64_t addr, const char *what, struct h5rd_error *ec);

/* Compares two byte strings as libhdf5 orders names (memcmp order, a proper prefix first). */
static inline int h5rd__name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r = __builtin_memcmp(a, b, an < bn ? an : bn);
    if (r != 0) {
        return r;
    }
    return an < bn ? -1 : (an > bn ? 1 : 0);
}

/* ---- ordering of named members (src/core/order.c) ------------------------------------- */
/* Where an element keeps its name (const char *), the name's length (size_t) and its creation
 * order (int64_t): offsetof() of each field. */
struct h5rd__named_fields {
    size_t name_off, name_nbytes_off, corder_off;
};
/* Reorders the array *v of 'n' elements of 'elem_nbytes' bytes as libhdf5 lists links and
 * attributes: by name (byte order), or stably by creation order when 'by_corder'. Replaces *v
 * with a new array (the old one is freed). Two equal names: CORRUPT at 'addr' with 'dup_what'. */
h5rd_err h5rd__order_named(const struct h5rd_file *f, void **v, size_t n, size_t elem_nbytes,
                           const struct h5rd__named_fields *fields, bool by_corder,
                           uint64_t addr, const char *dup_what, struct h5rd_error *ec);

/* Default size of each dataset handle's decoded-chunk cache (h5rd_open_opts). */
#define H5RD__CHUNK_CACHE_DEFAULT ((uint64_t)4 << 20)

/* Default limits (docs/limits.md). */
void h5rd__limits_default(struct h5rd_limits *l);

#endif
