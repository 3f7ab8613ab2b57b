/*
 * read.h - the read engine: selection x layout -> gather -> unfilter -> convert, straight into
 * the caller's buffer. Each chunk is located, read and decoded independently (no shared
 * mutable state), so a read can be spread over threads.
 *
 * Spec v3.0 IV.A.2.i (Data Layout), IV.A.2.f (Fill Value), IV.A.2.h (External Data Files).
 */
#ifndef H5RD_READ_READ_H
#define H5RD_READ_READ_H

#include "internal.h"
#include "chunk/cidx.h"
#include "dtype/dtype.h"
#include "object/msg.h"

/* Everything the engine needs about one dataset (borrowed from the dataset handle). */
struct h5rd__dset {
    const struct h5rd_file *f;
    const char *path;                 /* for error messages */
    const struct h5rd_space *space;
    const struct h5rd_type *type;
    const struct h5rd__layout *layout;
    const struct h5rd__pline *pline;
    const struct h5rd__fill *fill;
    const struct h5rd__efl *efl;
    const struct h5rd__chunk_table *chunks;  /* chunked: the table (see below), else NULL */
    struct h5rd__chunk_cache *cache;         /* the handle's decoded-chunk caches
                                                (H5RD__CACHE_SHARDS of them), or NULL */
    uint64_t gen;                            /* the dataset state's generation (struct
                                                h5rd__dstate): cache keys are table indexes */
};

/* A dataset handle's cache of decoded chunks, for reads that come back to the chunks they
 * decoded (row-by-row iteration, small hyperslabs and points: libhdf5's chunk cache case).
 * Opportunistic and lock-free: a read that runs on one thread takes a whole cache with one
 * atomic exchange when no other read holds it, and otherwise reads without it - it never
 * waits. A handle has H5RD__CACHE_SHARDS caches; a thread tries first the one its id hashes
 * to, so a few threads iterating one handle at once mostly keep a cache each. Only filtered chunks are cached (unfiltered ones are views of the mapped file).
 * Slots are keyed by chunk-table index, found through a hash index and evicted by the clock
 * algorithm (second chance: an approximation of least recently used), both O(1) a chunk; each
 * slot's buffer is made when first filled (nbytes / chunk size slots, at most
 * H5RD__CACHE_MAX_SLOTS). */
#define H5RD__CACHE_MAX_SLOTS 65536
#define H5RD__CACHE_SHARDS 4
struct h5rd__chunk_cache {
    atomic_bool busy;        /* held by one read at a time */
    uint64_t nbytes;         /* capacity (h5rd_open_opts.chunk_cache_nbytes); 0: disabled */
    uint64_t slot_nbytes;    /* the dataset's chunk size, once slots exist */
    uint32_t nslots;
    uint32_t hand;           /* the clock hand: next slot considered for eviction */
    uint64_t gen;            /* state generation the keys belong to (emptied on a change) */
    uint8_t **buf;           /* per slot: slot_nbytes, made when first filled */
    uint64_t *key;           /* per slot: chunk-table index, H5RD__CHUNK_NONE: empty */
    uint8_t *ref;            /* per slot: used since the hand last passed */
    uint32_t *index;         /* open addressing on the key: slot + 1, 0 empty */
    uint32_t index_mask;     /* index capacity - 1 (a power of two >= 2 * nslots) */
};
void h5rd__chunk_cache_free_slots(const struct h5rd_file *f, struct h5rd__chunk_cache *cc);
/* Inline: every handle has H5RD__CACHE_SHARDS of these and almost none is ever used (a walk
 * of 20,000 objects made 80,000 calls each way). */
static inline void h5rd__chunk_cache_init_zeroed(struct h5rd__chunk_cache *cc, uint64_t nbytes)
{
    atomic_init(&cc->busy, false);
    cc->nbytes = nbytes;
}
static inline void h5rd__chunk_cache_free(const struct h5rd_file *f, struct h5rd__chunk_cache *cc)
{
    if (cc->buf != NULL || cc->key != NULL || cc->ref != NULL || cc->index != NULL) {
        h5rd__chunk_cache_free_slots(f, cc);
    }
}

/* Where one stored chunk is: what the table keeps per chunk besides its offset. */
struct h5rd__chunk_loc {
    uint64_t addr;                    /* relative file address (H5RD_ADDR_UNDEF where a B-tree
                                         record stores it so) */
    uint64_t nbytes;                  /* stored size */
    uint32_t filter_mask;             /* bit i set: filter i of the pipeline was skipped */
};

/* All allocated chunks of a chunked dataset, in chunk-index (iteration) order, with a
 * permutation sorted by chunk offset for O(log n) lookup. Built once per dataset handle
 * (published with compare-and-swap by the API layer). Compact on purpose: rank x 8 bytes of
 * offset + 24 bytes of location + 8 bytes of permutation per chunk (56 bytes at rank 3), so a
 * detector stack of millions of frame chunks stays well under max_alloc_nbytes. */
struct h5rd__chunk_table {
    uint64_t n;
    uint32_t rank;
    uint64_t *offset;                 /* n rows of 'rank' coordinates (chunk i at i x rank) */
    struct h5rd__chunk_loc *loc;      /* n locations */
    uint64_t *sorted;                 /* indexes, sorted by offset (row-major chunk order);
                                         NULL: the records are already in that order */
    uint64_t *dense;                  /* non-NULL: record i is chunk number i of the grid;
                                         rank chunk dims, then rank grid dims (chunktab.c) */
};
h5rd_err h5rd__chunk_table_build(const struct h5rd_file *f, const struct h5rd__layout *layout,
                                 const struct h5rd__pline *pline, const struct h5rd_space *space,
                                 struct h5rd__chunk_table *t, struct h5rd_error *ec);
void h5rd__chunk_table_free(const struct h5rd_file *f, struct h5rd__chunk_table *t);
/* The index (into offset rows and loc) of the chunk whose first element is 'chunk_offset', or
 * H5RD__CHUNK_NONE. */
#define H5RD__CHUNK_NONE UINT64_MAX
uint64_t h5rd__chunk_table_find(const struct h5rd__chunk_table *t, const uint64_t *chunk_offset);

/* A dataset's extent, layout and chunk table as one read of its object header gave them
 * (h5rd_dataset_refresh, src/file/refresh.c). Immutable once published, except the chunk table
 * slot (built on first use when not built by the refresh, published with compare-and-swap). */
struct h5rd__dstate {
    struct h5rd_space space;
    struct h5rd__layout layout;
    _Atomic(struct h5rd__chunk_table *) chunks;
    uint64_t gen;                    /* 1, 2, ...: decoded-chunk caches are tagged with it */
    struct h5rd__dstate *older;      /* on the handle's retired list: the next one */
};

/* What one call on a dataset uses: the snapshot current when it started (or the fields as
 * opened, gen 0). h5rd__dcur_enter_at / h5rd__dcur_leave bracket the use. */
struct h5rd__dcur {
    const struct h5rd_space *space;
    const struct h5rd__layout *layout;
    _Atomic(struct h5rd__chunk_table *) *chunks;
    uint64_t gen;
    atomic_uint *counted;            /* non-NULL: leave must drop this reader count */
};

/* Takes the state current now of a dataset whose snapshot slot is 'state' and reader count
 * 'readers' (src/file/refresh.c explains the protocol), or, never refreshed, its fields as
 * opened ('space0', 'layout0', 'chunks0'). */
void h5rd__dcur_enter_at(_Atomic(struct h5rd__dstate *) *state, atomic_uint *readers,
                         const struct h5rd_space *space0, const struct h5rd__layout *layout0,
                         _Atomic(struct h5rd__chunk_table *) *chunks0, struct h5rd__dcur *c);
void h5rd__dcur_leave(struct h5rd__dcur *c);

/* A whole dataset as the engine reads it on its own: a virtual dataset and each of its sources
 * (read/vds_read.c reads the sources through h5rd__read_dview, recursively for nested virtual
 * datasets). Everything is borrowed from the dataset handle (src/file), which fills it at open;
 * the slots are the handle's, written only as the handle's own reads write them. */
struct h5rd__vds; /* vds/vds.h */
struct h5rd__dview {
    const struct h5rd_file *f;
    const char *path;
    uint64_t addr;
    bool has_layout;
    const struct h5rd_space *space;         /* as opened */
    const struct h5rd_type *type;
    const struct h5rd__layout *layout;      /* as opened */
    const struct h5rd__pline *pline;
    const struct h5rd__fill *fill;
    const struct h5rd__efl *efl;
    const struct h5rd__vds *vds;            /* virtual: mappings and sources, else NULL */
    _Atomic(struct h5rd__chunk_table *) *chunks;   /* chunk table slot (as opened) */
    struct h5rd__chunk_cache *cache;        /* the H5RD__CACHE_SHARDS decoded-chunk caches */
    _Atomic(struct h5rd__dstate *) *state;  /* snapshot after a refresh, NULL if none */
    atomic_uint *readers;
};

/* The chunk table of a chunked dataset in state 'dc', built once per state and published in
 * dc->chunks with compare-and-swap (a live file's index may be mid-rewrite: bounded retries). */
h5rd_err h5rd__chunk_table_get(const struct h5rd_file *f, const char *path,
                               const struct h5rd__pline *pline, const struct h5rd__dcur *dc,
                               const struct h5rd__chunk_table **t_ret, struct h5rd_error *ec);

/* The number of elements selection 'sel' (NULL: all) selects in the state of 'v' a call would
 * use now (h5rd_selection_get_npoints). */
h5rd_err h5rd__dview_npoints(const struct h5rd__dview *v, const struct h5rd_selection *sel,
                             uint64_t *npoints_ret, struct h5rd_error *ec);

/* h5rd_dataset_read of the dataset 'v' past the argument checks: 'nthreads' and 'flags'
 * (H5RD_READ_*) as the read options give them. */
/* Checks a caller's memory type (NULL or H5RD_MEMTYPE_FILE: the file layout): H5RD_E_INVAL
 * for a class, size or byte order h5rd_dataset_read does not take. */
h5rd_err h5rd__read_check_memtype(const struct h5rd_memtype *mt, struct h5rd_error *ec);

h5rd_err h5rd__read_dview(const struct h5rd__dview *v, const struct h5rd_selection *sel,
                          const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                          uint32_t nthreads, uint32_t flags, struct h5rd_error *ec);

/* Reads selection 'sel' (NULL: all) of virtual dataset 'v' converted to 'mt' (NULL: the
 * virtual type normalised) into 'buf' (buf_nbytes), assembled from the sources as libhdf5 does
 * (H5Dvirtual.c; read/vds_read.c). Thread-safe: only reads the dataset and its sources. */
h5rd_err h5rd__vds_read_view(const struct h5rd__dview *v, const struct h5rd_selection *sel,
                             const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                             uint32_t nthreads, uint32_t flags, struct h5rd_error *ec);

/* Reads selection 'sel' (NULL: all) converted to 'mt' (NULL: file layout normalised) into
 * 'buf' (at least npoints x element size), with 'nthreads' threads (<= 1: caller only). */
h5rd_err h5rd__read(const struct h5rd__dset *d, const struct h5rd_selection *sel,
                    const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                    uint32_t nthreads, struct h5rd_error *ec);

/* Decodes one whole chunk (file layout, normalised) into 'buf' (chunk bytes); an unallocated
 * chunk gives the fill value. */
h5rd_err h5rd__read_chunk(const struct h5rd__dset *d, const uint64_t *chunk_offset, uint8_t *buf,
                          uint64_t buf_nbytes, struct h5rd_error *ec);

/* Fills 'n' elements at 'buf' with the dataset's fill value (file layout, normalised). */
void h5rd__fill_elements(const struct h5rd__dset *d, uint8_t *buf, uint64_t n);

#endif
