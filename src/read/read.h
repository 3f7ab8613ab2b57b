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
    uint64_t gen;                            /* the dataset state's generation (api.h
                                                h5rd__dstate): cache keys are table indexes */
};

/* A dataset handle's cache of decoded chunks, for reads that come back to the chunks they
 * decoded (row-by-row iteration, small hyperslabs and points: libhdf5's chunk cache case).
 * Opportunistic and lock-free: a read that runs on one thread takes a whole cache with one
 * atomic exchange when no other read holds it, and otherwise reads without it - it never
 * waits. A handle has H5RD__CACHE_SHARDS caches; a thread tries first the one its id hashes
 * to, so a few threads iterating one handle at once mostly keep a cache each. Only filtered chunks are cached (unfiltered ones are views of the mapped file).
 * Slots are keyed by chunk-table index and evicted least recently used; each slot's buffer
 * is made when first filled (nbytes / chunk size slots, at most H5RD__CACHE_MAX_SLOTS). */
#define H5RD__CACHE_MAX_SLOTS 512
#define H5RD__CACHE_SHARDS 4
struct h5rd__chunk_cache {
    atomic_bool busy;        /* held by one read at a time */
    uint64_t nbytes;         /* capacity (h5rd_open_opts.chunk_cache_nbytes); 0: disabled */
    uint64_t slot_nbytes;    /* the dataset's chunk size, once slots exist */
    uint32_t nslots;
    uint64_t tick;
    uint64_t gen;            /* state generation the keys belong to (emptied on a change) */
    uint8_t **buf;           /* per slot: slot_nbytes, made when first filled */
    uint64_t *key;           /* per slot: chunk-table index, H5RD__CHUNK_NONE: empty */
    uint64_t *used;          /* per slot: tick of the last use */
};
void h5rd__chunk_cache_init(struct h5rd__chunk_cache *cc, uint64_t nbytes);
void h5rd__chunk_cache_free(const struct h5rd_file *f, struct h5rd__chunk_cache *cc);

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
