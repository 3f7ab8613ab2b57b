/*
 * read.c - the read engine: a selection of a dataset, read from its storage (compact,
 * contiguous, external files, chunked), unfiltered, normalised or converted, straight into the
 * caller's buffer. Spec v3.0 IV.A.2.i "The Data Layout Message", IV.A.2.f "The Fill Value
 * Message", IV.A.2.h "The External Data Files Message"; fill rules follow libhdf5 (H5Dio.c
 * H5D__read, H5Dchunk.c H5D__chunk_read / H5D__chunk_lock, H5Dfill.c).
 *
 * Shape of a read: the storage is cut into boxes (one per chunk; the whole dataspace for the
 * other layouts). For each box that the selection touches, the box's data is made available
 * (a chunk is decoded once into a per-worker buffer, or viewed in place when unfiltered and
 * mapped) and every selected element it holds is copied to its output position, computed
 * arithmetically from the hyperslab (read_int.h) - runs along the fastest dimension are copied
 * whole. Chunks are independent: with nthreads > 1 the list of chunks is shared out through an
 * atomic counter among threads created for this call, each with its own buffers and error
 * record; different chunks write disjoint parts of the output. The first error stops the
 * others and is the one reported.
 *
 * Fill values (libhdf5): storage never written reads as the fill value unless the fill time is
 * "never" (libhdf5 leaves the caller's buffer untouched; h5rd writes zeros, what h5py shows).
 * A defined fill value with a stored value gives that value (normalised like data); a default
 * or undefined one gives zero bytes. A stored value whose size differs from the element size
 * is CORRUPT, reported only when the fill value is actually needed.
 *
 * Invariants: every product of dimensions and sizes is checked; the caller's buffer size is
 * checked before anything is written; no allocation is sized by file data beyond
 * limits.max_chunk_nbytes / max_alloc_nbytes; no state is shared between calls.
 */
#include "read/read_int.h"

#include "dtype/convert.h"
#include "filter/filter.h"
#include "io/source.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define MAX_THREADS 256
#define CONV_PIECE_NBYTES ((uint64_t)1 << 16) /* staging for file -> memory type conversion */

enum src_kind { SRC_MEM, SRC_FILE, SRC_EFL, SRC_FILL };

/* Where the elements of one box come from. Element e of the box is at byte e * esize. */
struct src {
    enum src_kind kind;
    const uint8_t *mem; /* SRC_MEM */
    uint64_t addr;      /* SRC_FILE: relative address of element 0 */
};

struct ctx;

struct worker {
    struct ctx *c;
    uint32_t id;
    struct h5rd__chunk_cache *cache; /* held by this read (one worker only), or NULL */
    uint8_t *chunkbuf;   /* one decoded chunk */
    uint8_t *stage;      /* conversion staging (CONV_PIECE_NBYTES) */
    uint64_t stage_nelem;
    struct h5rd_error ec;
    h5rd_err err;
    pthread_t th;
    bool started;
};

struct ctx {
    const struct h5rd__dset *d;
    const struct h5rd_file *f;
    const struct h5rd_memtype *mt;  /* NULL: file layout, normalised */
    bool conv;                      /* elements go through convert(): mt, or a widened float */
    struct h5rd__sel sel;
    uint8_t *out;
    uint64_t esize, osize;
    const uint8_t *fill_out;        /* one element in output form; NULL: zeros */
    h5rd_err fill_err;              /* fill value unusable (recorded when needed) */
    const char *fill_what;
    /* chunked */
    uint32_t rank;
    uint64_t cdims[H5RD_MAX_RANK];
    uint64_t cdown[H5RD_MAX_RANK];  /* element strides inside a chunk */
    uint64_t chunk_nbytes;
    uint64_t *clist[H5RD_MAX_RANK]; /* hyperslab: chunk indexes touched along each dimension */
    uint64_t clist_small[8];        /* the first short lists (no allocation for small reads) */
    uint32_t clist_small_used;
    uint32_t clist_heap;            /* bit k: clist[k] was allocated (rank <= 32) */
    uint32_t nclist;                /* clist[0 .. nclist) allocated */
    uint64_t cn[H5RD_MAX_RANK];
    uint64_t *porder;               /* points: point indexes grouped by chunk */
    uint64_t *groups;               /* points: group g is porder[groups[g] .. groups[g+1]) */
    uint64_t nwork;
    uint64_t batch;                 /* work items taken per atomic step */
    bool one_block;                 /* hyperslab of one block per dimension, no conversion:
                                       stored chunks are copied by copy_block */
    bool norm_noop;                 /* normalize() changes nothing for this type */
    struct h5rd__chunk_cache *cache; /* the handle's cache, held for this read, or NULL */
    /* non-chunked: the whole dataspace as one box */
    struct src whole;
    uint64_t wdown[H5RD_MAX_RANK];
    /* work sharing */
    atomic_uint_fast64_t next;
    atomic_int stop;
    atomic_int winner;
};

/* ---- element conversion --------------------------------------------------------------------- */

/* Every number made native and normalised as libhdf5 converts it (dtype/convert.h). */
static void normalize(const struct h5rd_type *t, uint8_t *buf, uint64_t n)
{
    h5rd__conv_normalize(t, buf, n);
}

/* To 'mt', or (mt NULL) to the larger float h5py reads a float type as (dtype/convert.h). */
static h5rd_err convert(const struct h5rd_type *t, const struct h5rd_memtype *mt,
                        const uint8_t *in, uint8_t *out, uint64_t n, struct h5rd_error *ec)
{
    if (mt == NULL) {
        h5rd__conv_widen(t, in, out, n);
        return H5RD_OK;
    }
    return h5rd__conv_numeric(t, mt, in, out, n, ec);
}

static bool convert_ok(const struct h5rd_type *t, const struct h5rd_memtype *mt)
{
    return h5rd__conv_numeric_ok(t, mt);
}

/* ---- fill value ------------------------------------------------------------------------------ */

/* The fill value in file layout (esize bytes), or NULL for zeros; an error when unusable. */
static h5rd_err fill_value(const struct h5rd__dset *d, uint64_t esize, const uint8_t **val_ret,
                           const char **what_ret)
{
    const struct h5rd__fill *fl = d->fill;
    *val_ret = NULL;
    *what_ret = NULL;
    if (fl == NULL || fl->fill_time == 1 || !fl->is_defined || fl->nbytes == 0 ||
        fl->value == NULL) {
        return H5RD_OK;
    }
    if (fl->nbytes != esize) {
        *what_ret = "fill value: size differs from the datatype's size";
        return H5RD_E_CORRUPT;
    }
    *val_ret = fl->value;
    return H5RD_OK;
}

static void replicate(uint8_t *dst, const uint8_t *elem, uint64_t esize, uint64_t n)
{
    if (elem == NULL) {
        memset(dst, 0, (size_t)(n * esize));
        return;
    }
    if (n == 0) {
        return;
    }
    memcpy(dst, elem, (size_t)esize);
    /* Doubling copies: the filled prefix is the source of the next copy. */
    uint64_t have = 1;
    while (have < n) {
        uint64_t k = have <= n - have ? have : n - have;
        memcpy(dst + have * esize, dst, (size_t)(k * esize));
        have += k;
    }
}

void h5rd__fill_elements(const struct h5rd__dset *d, uint8_t *buf, uint64_t n)
{
    uint64_t esize = d->type->info.size;
    const uint8_t *val = NULL;
    const char *what = NULL;
    if (fill_value(d, esize, &val, &what) != H5RD_OK || val == NULL) {
        memset(buf, 0, (size_t)(n * esize));
        return;
    }
    replicate(buf, val, esize, n);
    normalize(d->type, buf, n);
}

/* ---- copying elements ------------------------------------------------------------------------ */

static h5rd_err fill_needed(struct worker *w)
{
    struct ctx *c = w->c;
    if (c->fill_err != H5RD_OK) {
        return H5RD_CORRUPT(&w->ec, H5RD_ADDR_UNDEF, c->fill_what);
    }
    return H5RD_OK;
}

/* Copies n elements starting at element 'se' of source 's' to output element 'oe'. */
static h5rd_err copy_elems(struct worker *w, const struct src *s, uint64_t se, uint64_t oe,
                           uint64_t n)
{
    struct ctx *c = w->c;
    uint8_t *dst = c->out + oe * c->osize;
    const struct h5rd_type *t = c->d->type;
    if (s->kind == SRC_FILL) {
        H5RD_TRY(fill_needed(w));
        replicate(dst, c->fill_out, c->osize, n);
        return H5RD_OK;
    }
    if (s->kind == SRC_MEM) {
        const uint8_t *p = s->mem + se * c->esize;
        if (!c->conv) {
            memcpy(dst, p, (size_t)(n * c->esize));
            normalize(t, dst, n);
            return H5RD_OK;
        }
        return convert(t, c->mt, p, dst, n, &w->ec);
    }
    /* File or external files: straight into the output, or staged for conversion. */
    while (n > 0) {
        uint64_t k = !c->conv ? n : (n < w->stage_nelem ? n : w->stage_nelem);
        uint8_t *to = !c->conv ? dst : w->stage;
        uint64_t off = se * c->esize;
        if (s->kind == SRC_FILE) {
            H5RD_TRY(h5rd__io_read(c->f, s->addr + off, k * c->esize, to, &w->ec));
        } else {
            H5RD_TRY(h5rd__efl_read(c->f, c->d->efl, off, k * c->esize, to, &w->ec));
        }
        if (!c->conv) {
            normalize(t, to, k);
        } else {
            H5RD_TRY(convert(t, c->mt, to, dst, k, &w->ec));
        }
        dst += k * c->osize;
        se += k;
        n -= k;
    }
    return H5RD_OK;
}

/* Copies the selected elements inside the box [lo, hi) whose elements are laid out row-major
 * with strides 'down' in source 's'. */
static h5rd_err walk_box(struct worker *w, const uint64_t *lo, const uint64_t *hi,
                         const uint64_t *down, const struct src *s)
{
    const struct h5rd__sel *sel = &w->c->sel;
    uint32_t r = sel->rank;
    uint64_t ilo[H5RD_MAX_RANK], ihi[H5RD_MAX_RANK];
    for (uint32_t d = 0; d < r; d++) {
        h5rd__sel_dim_blocks(sel, d, lo[d], hi[d], &ilo[d], &ihi[d]);
        if (ilo[d] >= ihi[d]) {
            return H5RD_OK;
        }
    }
    /* Odometer over dimensions 0..r-2: block i[d], coordinate x[d] inside run [.., end[d]),
     * output position p[d]. */
    uint64_t bi[H5RD_MAX_RANK], x[H5RD_MAX_RANK], end[H5RD_MAX_RANK], p[H5RD_MAX_RANK];
    for (uint32_t d = 0; d + 1 < r; d++) {
        uint64_t len;
        bi[d] = ilo[d];
        h5rd__sel_dim_run(sel, d, bi[d], lo[d], hi[d], &x[d], &len, &p[d]);
        end[d] = x[d] + len;
    }
    uint32_t last = r - 1;
    for (;;) {
        uint64_t sb = 0, ob = 0;
        for (uint32_t d = 0; d + 1 < r; d++) {
            sb += (x[d] - lo[d]) * down[d];
            ob += p[d] * sel->odown[d];
        }
        for (uint64_t i = ilo[last]; i < ihi[last]; i++) {
            uint64_t xl, len, pl;
            h5rd__sel_dim_run(sel, last, i, lo[last], hi[last], &xl, &len, &pl);
            H5RD_TRY(copy_elems(w, s, sb + (xl - lo[last]) * down[last], ob + pl, len));
        }
        /* Advance the odometer. */
        int32_t d = (int32_t)r - 2;
        for (; d >= 0; d--) {
            x[d]++;
            p[d]++;
            if (x[d] < end[d]) {
                break;
            }
            bi[d]++;
            if (bi[d] >= ihi[d]) {
                bi[d] = ilo[d];
            }
            uint64_t len;
            h5rd__sel_dim_run(sel, (uint32_t)d, bi[d], lo[d], hi[d], &x[d], &len, &p[d]);
            end[d] = x[d] + len;
            if (bi[d] != ilo[d]) {
                break;
            }
        }
        if (d < 0) {
            return H5RD_OK;
        }
    }
}

/* walk_box for a selection of one block per dimension (c->one_block) from memory: the box's
 * part of the block, row by row, with no per-run selection arithmetic (issue 13: tiny chunks,
 * where walk_box's set-up cost more than the copy). Output position of element x is
 * sum (x[d] - start[d]) * odown[d]. */
static void copy_block(const struct ctx *c, const uint64_t *lo, const uint64_t *hi,
                       const uint64_t *down, const uint8_t *mem)
{
    const struct h5rd__sel *sel = &c->sel;
    uint32_t r = sel->rank;
    uint64_t a[H5RD_MAX_RANK], b[H5RD_MAX_RANK], x[H5RD_MAX_RANK];
    for (uint32_t d = 0; d < r; d++) {
        uint64_t s0 = sel->start[d], s1 = s0 + sel->block[d]; /* <= dims: checked by sel_init */
        a[d] = lo[d] > s0 ? lo[d] : s0;
        b[d] = hi[d] < s1 ? hi[d] : s1;
        if (a[d] >= b[d]) {
            return;
        }
        x[d] = a[d];
    }
    uint32_t last = r - 1;
    uint64_t run = b[last] - a[last];
    for (;;) {
        uint64_t se = 0, oe = 0;
        for (uint32_t d = 0; d < r; d++) {
            se += (x[d] - lo[d]) * down[d];
            oe += (x[d] - sel->start[d]) * sel->odown[d];
        }
        uint8_t *dst = c->out + oe * c->esize;
        memcpy(dst, mem + se * c->esize, (size_t)(run * c->esize));
        if (!c->norm_noop) {
            normalize(c->d->type, dst, run);
        }
        int32_t d = (int32_t)r - 2;
        for (; d >= 0; d--) {
            if (++x[d] < b[d]) {
                break;
            }
            x[d] = a[d];
        }
        if (d < 0) {
            return;
        }
    }
}

/* Copies the points porder[from .. to) (all inside box [lo, hi)) from source 's'. */
static h5rd_err walk_points(struct worker *w, const uint64_t *lo, const uint64_t *down,
                            const struct src *s, const uint64_t *order, uint64_t from,
                            uint64_t to)
{
    const struct h5rd__sel *sel = &w->c->sel;
    for (uint64_t k = from; k < to; k++) {
        uint64_t pi = order != NULL ? order[k] : k;
        uint64_t se = 0;
        if (sel->points_rank > 0) {
            const uint64_t *pt = sel->points + pi * sel->points_rank;
            for (uint32_t d = 0; d < sel->rank; d++) {
                se += (pt[d] - lo[d]) * down[d];
            }
        }
        H5RD_TRY(copy_elems(w, s, se, pi, 1));
    }
    return H5RD_OK;
}

/* ---- chunks ---------------------------------------------------------------------------------- */

/* libhdf5 H5D__chunk_is_partial_edge_chunk: the chunk reaches past the current extent. */
static bool is_partial_edge(const struct h5rd__dset *d, const uint64_t *off)
{
    for (uint32_t k = 0; k < d->layout->pub.rank; k++) {
        uint64_t cd = d->layout->pub.chunk_dims[k];
        if (off[k] >= d->space->dims[k] || cd > d->space->dims[k] - off[k]) {
            return true;
        }
    }
    return false;
}

/* Makes the decoded bytes of the chunk at 'offset', stored at 'rec', available at *data_ret: a
 * view of the file (kept in *view, release it) when the chunk is stored unfiltered and 'buf' is
 * not required, else decoded into 'buf' (chunk_nbytes). */
static h5rd_err chunk_data(const struct h5rd__dset *d, const uint64_t *offset,
                           const struct h5rd__chunk_loc *rec,
                           uint64_t chunk_nbytes, uint8_t *buf, bool want_buf,
                           const uint8_t **data_ret, struct h5rd_view *view,
                           struct h5rd_error *ec)
{
    const struct h5rd_file *f = d->f;
    bool filtered = d->pline != NULL && d->pline->n > 0;
    /* Layout v4 flags bit 0 (0x01, libhdf5 H5O_LAYOUT_CHUNK_DONT_FILTER_PARTIAL_BOUND_CHUNKS):
     * partial edge chunks are stored unfiltered (H5D__chunk_lock skips the pipeline for a
     * chunk that reaches past the current extent). */
    if (filtered && (d->layout->pub.chunk_flags & 0x1u) != 0 && is_partial_edge(d, offset)) {
        filtered = false;
    }
    if (chunk_nbytes > f->limits.max_chunk_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, rec->addr, "chunk: size exceeds max_chunk_nbytes");
    }
    if (!filtered) {
        /* An unfiltered chunk is stored at its full size. Only version 1 B-tree keys record a
         * size for it; a different one means a damaged index (libhdf5 would read a short chunk
         * and leave the rest of its buffer undefined). */
        if (rec->nbytes != chunk_nbytes) {
            return H5RD_CORRUPT(ec, rec->addr,
                                "chunk: unfiltered stored size differs from the chunk size");
        }
        if (want_buf || f->map == NULL) {
            H5RD_TRY(h5rd__io_read(f, rec->addr, chunk_nbytes, buf, ec));
            *data_ret = buf;
            return H5RD_OK;
        }
        H5RD_TRY(h5rd__io_view(f, rec->addr, chunk_nbytes, view, ec));
        *data_ret = view->p;
        return H5RD_OK;
    }
    if (rec->nbytes > f->limits.max_chunk_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, rec->addr,
                         "chunk: stored size exceeds max_chunk_nbytes");
    }
    struct h5rd_view raw;
    H5RD_TRY(h5rd__io_view(f, rec->addr, rec->nbytes, &raw, ec));
    /* The pipeline consults the caller's filters (f->plugins) before the built-in ones. */
    h5rd_err e = h5rd__pipeline_decode(f, d->pline, rec->filter_mask, d->type, raw.p,
                                       raw.nbytes, buf, (size_t)chunk_nbytes, ec);
    h5rd__io_release(f, &raw);
    if (e != H5RD_OK) {
        if (ec->file_offset == H5RD_ADDR_UNDEF) {
            ec->file_offset = rec->addr; /* name the chunk */
        }
        return e;
    }
    *data_ret = buf;
    return H5RD_OK;
}

/* ---- the decoded-chunk cache (read.h) ---- */

void h5rd__chunk_cache_free_slots(const struct h5rd_file *f, struct h5rd__chunk_cache *cc)
{
    for (uint32_t k = 0; cc->buf != NULL && k < cc->nslots; k++) {
        h5rd__free(f, cc->buf[k]);
    }
    h5rd__free(f, cc->buf);
    h5rd__free(f, cc->key);
    h5rd__free(f, cc->ref);
    h5rd__free(f, cc->index);
    cc->buf = NULL;
    cc->key = NULL;
    cc->ref = NULL;
    cc->index = NULL;
    cc->nslots = 0;
    cc->hand = 0;
    cc->index_mask = 0;
    cc->slot_nbytes = 0;
}

/* ---- the cache's hash index: chunk-table index -> slot (linear probing) ---- */

static uint32_t cache_home(const struct h5rd__chunk_cache *cc, uint64_t key)
{
    return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & cc->index_mask;
}

/* The index position holding 'key', or -1. */
static int64_t cache_find(const struct h5rd__chunk_cache *cc, uint64_t key)
{
    for (uint32_t p = cache_home(cc, key);; p = (p + 1) & cc->index_mask) {
        uint32_t e = cc->index[p];
        if (e == 0) {
            return -1;
        }
        if (cc->key[e - 1] == key) {
            return p;
        }
    }
}

static void cache_index_put(struct h5rd__chunk_cache *cc, uint64_t key, uint32_t slot)
{
    uint32_t p = cache_home(cc, key);
    while (cc->index[p] != 0) {
        p = (p + 1) & cc->index_mask;
    }
    cc->index[p] = slot + 1;
}

/* Removes the entry at position p, moving later entries of the probe run back so every key
 * stays reachable from its home (deletion without tombstones, Knuth 6.4 Algorithm R). */
static void cache_index_del(struct h5rd__chunk_cache *cc, uint32_t p)
{
    uint32_t j = p;
    for (;;) {
        j = (j + 1) & cc->index_mask;
        uint32_t e = cc->index[j];
        if (e == 0) {
            break;
        }
        uint32_t home = cache_home(cc, cc->key[e - 1]);
        /* The entry at j may move to p unless its home lies cyclically in (p, j]. */
        bool stays = p <= j ? (p < home && home <= j) : (p < home || home <= j);
        if (!stays) {
            cc->index[p] = e;
            p = j;
        }
    }
    cc->index[p] = 0;
}

/* Records that 'slot' now holds the decoded chunk 'key' (after a successful decode). */
static void cache_fill(struct h5rd__chunk_cache *cc, uint32_t slot, uint64_t key)
{
    cc->key[slot] = key;
    cc->ref[slot] = 1;
    cache_index_put(cc, key, slot);
}

/* Takes one of the handle's caches for this read when they can be used: filtered chunks that
 * fit, one thread. The thread's own shard first (by a hash of its id), then the others; NULL
 * when every one is held (the read goes on without a cache). */
static struct h5rd__chunk_cache *cache_take(const struct h5rd__dset *d, uint64_t chunk_nbytes,
                                            uint32_t nthreads, uint64_t nwork)
{
    struct h5rd__chunk_cache *cc = d->cache;
    if (cc == NULL || chunk_nbytes == 0 || d->f->chunk_cache_nbytes / chunk_nbytes == 0 ||
        d->pline == NULL || d->pline->n == 0 || (nthreads > 1 && nwork > 1)) {
        return NULL; /* (the file's setting is immutable: no need to hold a shard to read it) */
    }
    /* pthread_t is opaque; its bytes still identify the thread for hashing (FNV-1a). */
    pthread_t self = pthread_self();
    const unsigned char *b = (const unsigned char *)&self;
    uint32_t h = 2166136261u;
    for (size_t k = 0; k < sizeof self; k++) {
        h = (h ^ b[k]) * 16777619u;
    }
    for (uint32_t k = 0; k < H5RD__CACHE_SHARDS; k++) {
        struct h5rd__chunk_cache *s = &cc[(h + k) % H5RD__CACHE_SHARDS];
        if (!atomic_exchange_explicit(&s->busy, true, memory_order_acquire)) {
            /* nbytes is read only while held: a failed allocation sets it to 0. */
            if (s->nbytes / chunk_nbytes == 0) {
                atomic_store_explicit(&s->busy, false, memory_order_release);
                return NULL; /* chunks larger than the cache, or caching off */
            }
            if (s->gen != d->gen) {
                /* filled under another state of a refreshed dataset: its keys index another
                 * chunk table, and the chunks may have been rewritten since */
                for (uint32_t j = 0; s->key != NULL && j < s->nslots; j++) {
                    s->key[j] = H5RD__CHUNK_NONE;
                }
                if (s->index != NULL) {
                    memset(s->index, 0, ((size_t)s->index_mask + 1) * sizeof(uint32_t));
                }
                s->gen = d->gen;
            }
            return s;
        }
    }
    return NULL; /* all held by other reads */
}

static void cache_give_back(struct h5rd__chunk_cache *cc)
{
    if (cc != NULL) {
        atomic_store_explicit(&cc->busy, false, memory_order_release);
    }
}

/* The slot of chunk 'i': *hit true when it holds the chunk's decoded bytes; else a slot
 * chosen by the clock (an empty one, or one not used since the hand last passed), emptied for
 * the caller to fill (cache_fill once decoded). Slot buffers are made when first filled, so a
 * cache holds only what it has cached. -1: no slot could be made (the chunk is read without
 * the cache). O(1) a chunk: the linear scan for the least recently used slot it replaces was
 * 15x slower than libhdf5's cache with 512 slots (issue 13, W3 with a 32 MiB cache). */
static int64_t cache_slot(const struct h5rd_file *f, struct h5rd__chunk_cache *cc, uint64_t i,
                          uint64_t chunk_nbytes, bool *hit)
{
    *hit = false;
    if (cc->slot_nbytes != chunk_nbytes) {
        h5rd__chunk_cache_free(f, cc);
        uint64_t n = cc->nbytes / chunk_nbytes; /* >= 1: checked by cache_take */
        if (n > H5RD__CACHE_MAX_SLOTS) {
            n = H5RD__CACHE_MAX_SLOTS;
        }
        uint64_t icap = 2;
        while (icap < 2 * n) {
            icap *= 2;
        }
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        cc->buf = h5rd__calloc_data(f, n, sizeof(uint8_t *), &ec);
        cc->key = h5rd__malloc_data(f, n * sizeof(uint64_t), &ec);
        cc->ref = h5rd__calloc_data(f, n, 1, &ec);
        cc->index = h5rd__calloc_data(f, icap, sizeof(uint32_t), &ec);
        if (cc->buf == NULL || cc->key == NULL || cc->ref == NULL || cc->index == NULL) {
            h5rd__chunk_cache_free(f, cc);
            cc->nbytes = 0; /* do not try again */
            return -1;
        }
        for (uint64_t k = 0; k < n; k++) {
            cc->key[k] = H5RD__CHUNK_NONE;
        }
        cc->nslots = (uint32_t)n;
        cc->index_mask = (uint32_t)(icap - 1);
        cc->hand = 0;
        cc->slot_nbytes = chunk_nbytes;
    }
    int64_t p = cache_find(cc, i);
    if (p >= 0) {
        uint32_t k = cc->index[p] - 1;
        cc->ref[k] = 1;
        *hit = true;
        return k;
    }
    /* The clock: at most two turns (the first clears every reference bit it passes). */
    uint32_t victim = cc->hand;
    for (uint32_t step = 0; step < 2 * cc->nslots; step++) {
        victim = cc->hand;
        cc->hand = cc->hand + 1 < cc->nslots ? cc->hand + 1 : 0;
        if (cc->key[victim] == H5RD__CHUNK_NONE || cc->ref[victim] == 0) {
            break;
        }
        cc->ref[victim] = 0;
    }
    if (cc->key[victim] != H5RD__CHUNK_NONE) {
        int64_t q = cache_find(cc, cc->key[victim]);
        if (q >= 0) {
            cache_index_del(cc, (uint32_t)q);
        }
        cc->key[victim] = H5RD__CHUNK_NONE;
    }
    if (cc->buf[victim] == NULL) {
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        cc->buf[victim] = h5rd__malloc_data(f, chunk_nbytes, &ec);
        if (cc->buf[victim] == NULL) {
            return -1;
        }
    }
    return victim;
}

/* Reads the part of the selection inside chunk 'scaled' (points: porder[from..to)). */
static h5rd_err do_chunk(struct worker *w, const uint64_t *scaled, uint64_t from, uint64_t to)
{
    struct ctx *c = w->c;
    const struct h5rd__dset *d = c->d;
    uint64_t lo[H5RD_MAX_RANK], hi[H5RD_MAX_RANK];
    for (uint32_t k = 0; k < c->rank; k++) {
        lo[k] = scaled[k] * c->cdims[k]; /* < dims: the chunk holds a selected element */
        uint64_t room = d->space->dims[k] - lo[k];
        hi[k] = lo[k] + (c->cdims[k] < room ? c->cdims[k] : room);
    }
    uint64_t i = h5rd__chunk_table_find(d->chunks, lo);
    struct src s = {SRC_FILL, NULL, 0};
    struct h5rd_view view = {NULL, 0, 0, NULL};
    if (i != H5RD__CHUNK_NONE && d->chunks->loc[i].addr != H5RD_ADDR_UNDEF) {
        const uint8_t *data = NULL;
        bool hit = false;
        int64_t slot = -1;
        if (w->cache != NULL) {
            slot = cache_slot(d->f, w->cache, i, c->chunk_nbytes, &hit);
        }
        if (slot < 0) {
            if (w->chunkbuf == NULL && ((d->pline != NULL && d->pline->n > 0) || d->f->map == NULL)) {
                /* Made on the first chunk that needs one: a read served from the mapping or
                 * from the cache (most small reads) allocates nothing. */
                w->chunkbuf = h5rd__malloc_data(c->f, c->chunk_nbytes, &w->ec);
                if (w->chunkbuf == NULL) {
                    return w->ec.code;
                }
            }
            H5RD_TRY(chunk_data(d, lo, &d->chunks->loc[i], c->chunk_nbytes, w->chunkbuf, false,
                                &data, &view, &w->ec));
        } else {
            uint8_t *sb = w->cache->buf[slot];
            if (!hit) {
                H5RD_TRY(chunk_data(d, lo, &d->chunks->loc[i], c->chunk_nbytes, sb, true, &data,
                                    &view, &w->ec));
                cache_fill(w->cache, (uint32_t)slot, i); /* only now: a failed decode leaves
                                                            the slot empty */
            }
            data = sb;
        }
        s.kind = SRC_MEM;
        s.mem = data;
    }
    h5rd_err e;
    if (c->sel.is_points) {
        e = walk_points(w, lo, c->cdown, &s, c->porder, from, to);
    } else if (c->one_block && s.kind == SRC_MEM) {
        copy_block(c, lo, hi, c->cdown, s.mem);
        e = H5RD_OK;
    } else {
        e = walk_box(w, lo, hi, c->cdown, &s);
    }
    h5rd__io_release(d->f, &view);
    return e;
}

static h5rd_err do_item(struct worker *w, uint64_t k)
{
    struct ctx *c = w->c;
    uint64_t scaled[H5RD_MAX_RANK];
    if (c->sel.is_points) {
        uint64_t from = c->groups[k], to = c->groups[k + 1];
        const uint64_t *pt = c->sel.points + c->porder[from] * c->rank;
        for (uint32_t d = 0; d < c->rank; d++) {
            scaled[d] = pt[d] / c->cdims[d];
        }
        return do_chunk(w, scaled, from, to);
    }
    for (int32_t d = (int32_t)c->rank - 1; d >= 0; d--) {
        scaled[d] = c->clist[d][k % c->cn[d]];
        k /= c->cn[d];
    }
    return do_chunk(w, scaled, 0, 0);
}

static void run_worker(struct worker *w)
{
    struct ctx *c = w->c;
    /* Items are taken c->batch at a time (next only grows: at most one overshoot of a batch
     * per thread past nwork, far from wrapping). */
    for (;;) {
        if (atomic_load_explicit(&c->stop, memory_order_relaxed)) {
            return;
        }
        uint64_t k0 = atomic_fetch_add_explicit(&c->next, c->batch, memory_order_relaxed);
        if (k0 >= c->nwork) {
            return;
        }
        uint64_t k1 = c->nwork - k0 < c->batch ? c->nwork : k0 + c->batch;
        for (uint64_t k = k0; k < k1; k++) {
            if (k != k0 && atomic_load_explicit(&c->stop, memory_order_relaxed)) {
                return;
            }
            h5rd_err e = do_item(w, k);
            if (e != H5RD_OK) {
                w->err = e;
                int expected = -1;
                atomic_compare_exchange_strong(&c->winner, &expected, (int)w->id);
                atomic_store(&c->stop, 1);
                return;
            }
        }
    }
}

static void *thread_main(void *arg)
{
    run_worker(arg);
    return NULL;
}

static h5rd_err worker_init(struct ctx *c, struct worker *w, uint32_t id, struct h5rd_error *ec)
{
    /* Field by field: the error record alone is 680 bytes, and this runs for every read. */
    w->c = c;
    w->id = id;
    w->cache = NULL;
    w->chunkbuf = NULL;
    w->stage = NULL;
    w->stage_nelem = 0;
    w->err = H5RD_OK;
    w->started = false;
    h5rd__err_clear(&w->ec);
    if (c->conv) {
        w->stage_nelem = CONV_PIECE_NBYTES / c->esize;
        if (w->stage_nelem == 0) {
            w->stage_nelem = 1;
        }
        w->stage = h5rd__malloc_data(c->f, w->stage_nelem * c->esize, ec);
        if (w->stage == NULL) {
            return ec->code;
        }
    }
    return H5RD_OK;
}

static void worker_free(struct ctx *c, struct worker *w)
{
    h5rd__free(c->f, w->chunkbuf);
    h5rd__free(c->f, w->stage);
}

/* Runs every work item with up to 'nthreads' threads (the caller is one of them). */
static h5rd_err run_items(struct ctx *c, uint32_t nthreads, struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    uint64_t nt = nthreads < 1 ? 1 : nthreads;
    if (nt > MAX_THREADS) {
        nt = MAX_THREADS;
    }
    if (nt > c->nwork) {
        nt = c->nwork == 0 ? 1 : c->nwork;
    }
    /* Batches: a few per thread for balance, at most 1,024 items (tiny chunks would otherwise
     * pay an atomic step each; one thread takes everything at once). */
    c->batch = c->nwork / (nt * 16);
    c->batch = c->batch < 1 ? 1 : (c->batch > 1024 ? 1024 : c->batch);
    if (nt == 1) {
        c->batch = c->nwork < 1 ? 1 : c->nwork;
    }
    atomic_init(&c->next, 0);
    atomic_init(&c->stop, 0);
    atomic_init(&c->winner, -1);
    /* One worker (small reads, single-threaded callers): on the stack, not allocated. */
    struct worker w1;
    struct worker *ws = nt == 1 ? &w1 : h5rd__calloc(c->f, nt, sizeof(*ws), ec);
    if (ws == NULL) {
        return ec->code;
    }
    uint64_t ninit = 0;
    for (; ninit < nt; ninit++) {
        e = worker_init(c, &ws[ninit], (uint32_t)ninit, ec);
        if (e != H5RD_OK) {
            if (ninit == 0) {
                worker_free(c, &ws[0]);
                goto out;
            }
            /* Fewer threads, not failure: forget this worker's error. */
            worker_free(c, &ws[ninit]);
            h5rd__err_clear(ec);
            e = H5RD_OK;
            break;
        }
    }
    if (ninit == 1) {
        ws[0].cache = c->cache; /* one worker: the read's cache (if it holds one) is its own */
    }
    for (uint64_t i = 1; i < ninit; i++) {
        ws[i].started = pthread_create(&ws[i].th, NULL, thread_main, &ws[i]) == 0;
    }
    run_worker(&ws[0]);
    for (uint64_t i = 1; i < ninit; i++) {
        if (ws[i].started) {
            pthread_join(ws[i].th, NULL);
        }
    }
    int win = atomic_load(&c->winner);
    if (win >= 0) {
        *ec = ws[win].ec;
        e = ws[win].err;
    }
out:
    for (uint64_t i = 0; i < ninit; i++) {
        worker_free(c, &ws[i]);
    }
    if (ws != &w1) {
        h5rd__free(c->f, ws);
    }
    return e;
}

/* ---- set-up ---------------------------------------------------------------------------------- */

struct pt_ctx {
    const uint64_t *points;
    const uint64_t *cdims;
    uint32_t rank;
};

static int cmp_point_chunk(uint64_t a, uint64_t b, const void *ctx)
{
    const struct pt_ctx *o = ctx;
    const uint64_t *pa = o->points + a * o->rank, *pb = o->points + b * o->rank;
    for (uint32_t d = 0; d < o->rank; d++) {
        uint64_t x = pa[d] / o->cdims[d], y = pb[d] / o->cdims[d];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

static bool same_chunk(const struct ctx *c, uint64_t a, uint64_t b)
{
    struct pt_ctx o = {c->sel.points, c->cdims, c->rank};
    return cmp_point_chunk(a, b, &o) == 0;
}

static h5rd_err setup_chunked(struct ctx *c, struct h5rd_error *ec)
{
    const struct h5rd__dset *d = c->d;
    const struct h5rd__layout *l = d->layout;
    if (d->chunks == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INTERNAL, H5RD_ADDR_UNDEF, "read: chunk table not built");
    }
    if (l->pub.rank != c->sel.rank || d->space->kind != H5RD_SPACE_SIMPLE) {
        return H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: rank differs from dataspace");
    }
    if (l->elem_nbytes != c->esize) {
        return H5RD_CORRUPT(ec, l->pub.data_addr,
                            "chunked layout: element size differs from the datatype's size");
    }
    c->rank = l->pub.rank;
    uint64_t n = c->esize;
    for (int32_t k = (int32_t)c->rank - 1; k >= 0; k--) {
        c->cdims[k] = l->pub.chunk_dims[k];
        if (c->cdims[k] == 0) {
            return H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: chunk dimension of 0");
        }
        c->cdown[k] = n / c->esize;
        if (!h5rd__mul_u64(n, c->cdims[k], &n)) {
            return H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: chunk size overflows");
        }
    }
    if (n > c->f->limits.max_chunk_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, l->pub.data_addr,
                         "chunked layout: chunk size exceeds max_chunk_nbytes");
    }
    c->chunk_nbytes = n;
    if (c->sel.is_points) {
        uint64_t np = c->sel.npoints;
        c->porder = h5rd__calloc_data(c->f, np, sizeof(uint64_t), ec);
        c->groups = h5rd__calloc_data(c->f, np + 1, sizeof(uint64_t), ec);
        uint64_t *tmp = h5rd__calloc_data(c->f, np, sizeof(uint64_t), ec);
        if (c->porder == NULL || c->groups == NULL || tmp == NULL) {
            h5rd__free(c->f, tmp);
            return ec->code;
        }
        for (uint64_t i = 0; i < np; i++) {
            c->porder[i] = i;
        }
        struct pt_ctx o = {c->sel.points, c->cdims, c->rank};
        h5rd__sort_idx(c->porder, tmp, np, cmp_point_chunk, &o);
        h5rd__free(c->f, tmp);
        uint64_t g = 0;
        for (uint64_t i = 0; i < np; i++) {
            if (i == 0 || !same_chunk(c, c->porder[i - 1], c->porder[i])) {
                c->groups[g++] = i;
            }
        }
        c->groups[g] = np;
        c->nwork = g;
        return H5RD_OK;
    }
    uint64_t total = 1;
    for (uint32_t k = 0; k < c->rank; k++) {
        uint64_t dims = c->sel.dims[k];
        uint64_t nch = dims / c->cdims[k] + (dims % c->cdims[k] != 0);
        uint64_t cap = c->sel.n[k] < nch ? c->sel.n[k] : nch;
        /* Each block touches at most block / cd + 2 chunks: a small read's list is short. */
        uint64_t per_block = c->sel.block[k] / c->cdims[k] + 2, bound;
        if (h5rd__mul_u64(c->sel.count[k], per_block, &bound) && bound < cap) {
            cap = bound;
        }
        if (cap <= 8 - c->clist_small_used) {
            /* A small read touches a few chunks: its lists fit the context itself. */
            c->clist[k] = c->clist_small + c->clist_small_used;
            c->clist_small_used += (uint32_t)cap;
        } else {
            c->clist[k] = h5rd__calloc_data(c->f, cap, sizeof(uint64_t), ec);
            if (c->clist[k] == NULL) {
                return ec->code;
            }
            c->clist_heap |= (uint32_t)1 << k;
        }
        c->nclist = k + 1;
        c->cn[k] = h5rd__sel_dim_chunks(&c->sel, k, c->cdims[k], c->clist[k], cap);
        total *= c->cn[k]; /* <= npoints */
    }
    c->nwork = total;
    c->one_block = !c->conv;
    for (uint32_t k = 0; k < c->rank && c->one_block; k++) {
        c->one_block = c->sel.count[k] == 1;
    }
    c->norm_noop = h5rd__conv_normalize_is_noop(d->type);
    return H5RD_OK;
}

/* Non-chunked layouts: trailing dimensions selected whole are merged into the one before, so
 * a contiguous read becomes few long runs. */
static void collapse(struct h5rd__sel *s)
{
    while (s->rank > 1) {
        uint32_t d = s->rank - 1;
        if (!(s->start[d] == 0 && s->count[d] == 1 && s->block[d] == s->dims[d])) {
            return;
        }
        uint64_t m = s->dims[d], p = s->dims[d - 1];
        uint64_t nd;
        if (!h5rd__mul_u64(p, m, &nd)) {
            return;
        }
        /* All products below are <= dims[d-1] * dims[d]. */
        s->dims[d - 1] = nd;
        s->start[d - 1] *= m;
        s->stride[d - 1] *= m;
        s->block[d - 1] *= m;
        s->n[d - 1] = s->count[d - 1] * s->block[d - 1];
        s->odown[d - 1] = 1;
        s->rank--;
        if (s->count[d - 1] == 1 || s->stride[d - 1] == s->block[d - 1]) {
            s->block[d - 1] *= s->count[d - 1];
            s->count[d - 1] = s->count[d - 1] == 0 ? 0 : 1;
            s->stride[d - 1] = s->block[d - 1] == 0 ? 1 : s->block[d - 1];
        }
    }
}

static h5rd_err setup_whole(struct ctx *c, uint64_t nelem, struct h5rd_error *ec)
{
    const struct h5rd__dset *d = c->d;
    const struct h5rd__layout *l = d->layout;
    uint64_t nbytes;
    if (!h5rd__mul_u64(nelem, c->esize, &nbytes)) {
        return H5RD_CORRUPT(ec, l->pub.data_addr, "dataset: size overflows");
    }
    if (l->pub.cls == H5RD_LAYOUT_COMPACT) {
        if (l->pub.data_nbytes < nbytes || (nbytes > 0 && l->compact_data == NULL)) {
            return H5RD_CORRUPT(ec, l->pub.data_addr,
                                "compact layout: stored data smaller than the dataset");
        }
        c->whole.kind = SRC_MEM;
        c->whole.mem = l->compact_data;
    } else if (d->efl != NULL && d->efl->n > 0) {
        c->whole.kind = SRC_EFL;
    } else if (l->pub.data_addr == H5RD_ADDR_UNDEF) {
        c->whole.kind = SRC_FILL; /* never written */
    } else {
        /* The size is elements x type size (v1/v2 layouts store 32-bit sizes); the range is
         * checked by each read. */
        uint64_t end;
        if (!h5rd__add_u64(l->pub.data_addr, nbytes, &end)) {
            return H5RD_CORRUPT(ec, l->pub.data_addr, "contiguous layout: data range overflows");
        }
        c->whole.kind = SRC_FILE;
        c->whole.addr = l->pub.data_addr;
    }
    if (!c->sel.is_points) {
        collapse(&c->sel);
    }
    uint64_t n = 1;
    for (int32_t k = (int32_t)c->sel.rank - 1; k >= 0; k--) {
        c->wdown[k] = n;
        n *= c->sel.dims[k]; /* <= nelem after collapsing */
    }
    return H5RD_OK;
}

static void ctx_free(struct ctx *c)
{
    for (uint32_t k = 0; k < c->nclist; k++) {
        if ((c->clist_heap >> k) & 1u) {
            h5rd__free(c->f, c->clist[k]);
        }
    }
    h5rd__free(c->f, c->porder);
    h5rd__free(c->f, c->groups);
}

h5rd_err h5rd__read(const struct h5rd__dset *d, const struct h5rd_selection *sel,
                    const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                    uint32_t nthreads, struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    uint8_t *fill_conv = NULL;
    _Alignas(max_align_t) uint8_t fill_small[64];
    /* The context lives on the stack and only its scalars are set here (issue 13, W3: a
     * calloc'd and zeroed ~4 KB context per small read cost more than the read). The arrays are
     * written before they are read: sel by h5rd__sel_init, cdims/cdown/clist/cn by
     * setup_chunked for k < rank (clist[0 .. nclist) owned), wdown by setup_whole. */
    struct ctx cs;
    struct ctx *c = &cs;
    c->d = d;
    c->f = d->f;
    c->conv = false;
    c->esize = c->osize = 0;
    c->fill_out = NULL;
    c->fill_what = NULL;
    c->rank = 0;
    c->chunk_nbytes = 0;
    c->nclist = 0;
    c->clist_small_used = 0;
    c->clist_heap = 0;
    c->porder = c->groups = NULL;
    c->nwork = 0;
    c->batch = 1;
    c->one_block = c->norm_noop = false;
    c->cache = NULL;
    c->whole.kind = SRC_FILL;
    c->whole.mem = NULL;
    c->whole.addr = 0;
    c->mt = (mt != NULL && mt->cls != H5RD_MEMTYPE_FILE) ? mt : NULL;
    c->out = buf;
    c->esize = d->type->info.size;
    c->fill_err = H5RD_OK;
    if (c->esize == 0) {
        e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "dataset: datatype of size 0");
        goto out;
    }
    if (d->layout->pub.cls == H5RD_LAYOUT_VIRTUAL) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                      "virtual datasets: not yet supported");
        goto out;
    }
    if (c->mt != NULL && !convert_ok(d->type, c->mt)) {
        e = H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                      "read: no conversion from the dataset's type to the memory type");
        goto out;
    }
    /* Without a memory type, a float h5py widens is converted like one (h5rd__conv_widen). */
    c->osize = c->mt != NULL ? c->mt->size : h5rd__conv_file_elem_size(d->type);
    c->conv = c->mt != NULL || c->osize != c->esize;
    e = h5rd__sel_init(d->space, sel, &c->sel, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    uint64_t need;
    if (!h5rd__mul_u64(c->sel.npoints, c->osize, &need)) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "read: selection size overflows");
        goto out;
    }
    if (need > buf_nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "read: buffer too small");
        goto out;
    }
    if (c->sel.npoints == 0) {
        goto out;
    }

    /* The fill value in output form (only an error if it is needed). */
    const uint8_t *fv = NULL;
    c->fill_err = fill_value(d, c->esize, &fv, &c->fill_what);
    if (fv != NULL) {
        /* Small elements (all but big compounds and arrays) on the stack: no allocation per
         * read. */
        fill_conv = c->esize + c->osize <= sizeof fill_small
                        ? fill_small
                        : h5rd__malloc(c->f, c->esize + c->osize, ec);
        if (fill_conv == NULL) {
            e = ec->code;
            goto out;
        }
        memcpy(fill_conv, fv, (size_t)c->esize);
        if (!c->conv) {
            normalize(d->type, fill_conv, 1);
            c->fill_out = fill_conv;
        } else {
            e = convert(d->type, c->mt, fill_conv, fill_conv + c->esize, 1, ec);
            if (e != H5RD_OK) {
                goto out;
            }
            c->fill_out = fill_conv + c->esize;
        }
    }

    if (d->layout->pub.cls == H5RD_LAYOUT_CHUNKED) {
        e = setup_chunked(c, ec);
        if (e == H5RD_OK) {
            c->cache = cache_take(d, c->chunk_nbytes, nthreads, c->nwork);
            e = run_items(c, nthreads, ec);
            cache_give_back(c->cache);
        }
        goto out;
    }
    if (d->layout->pub.cls != H5RD_LAYOUT_COMPACT && d->layout->pub.cls != H5RD_LAYOUT_CONTIGUOUS) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, d->layout->pub.data_addr, "read: unknown layout");
        goto out;
    }
    uint64_t nelem = 1;
    for (uint32_t k = 0; k < c->sel.rank; k++) {
        if (!h5rd__mul_u64(nelem, c->sel.dims[k], &nelem)) {
            e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "dataset: number of elements overflows");
            goto out;
        }
    }
    e = setup_whole(c, nelem, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    struct worker w;
    e = worker_init(c, &w, 0, ec);
    if (e == H5RD_OK) {
        uint64_t lo[H5RD_MAX_RANK] = {0};
        if (c->sel.is_points) {
            e = walk_points(&w, lo, c->wdown, &c->whole, NULL, 0, c->sel.npoints);
        } else {
            e = walk_box(&w, lo, c->sel.dims, c->wdown, &c->whole);
        }
        if (e != H5RD_OK) {
            *ec = w.ec;
        }
    }
    worker_free(c, &w);

out:
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, d->path);
    }
    if (fill_conv != fill_small) {
        h5rd__free(d->f, fill_conv);
    }
    ctx_free(c);
    return e;
}

h5rd_err h5rd__read_chunk(const struct h5rd__dset *d, const uint64_t *chunk_offset, uint8_t *buf,
                          uint64_t buf_nbytes, struct h5rd_error *ec)
{
    h5rd_err e = H5RD_OK;
    const struct h5rd__layout *l = d->layout;
    if (l->pub.cls != H5RD_LAYOUT_CHUNKED || d->chunks == NULL) {
        e = H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "chunk: dataset is not chunked");
        goto out;
    }
    uint64_t esize = d->type->info.size;
    if (l->elem_nbytes != esize || esize == 0) {
        e = H5RD_CORRUPT(ec, l->pub.data_addr,
                         "chunked layout: element size differs from the datatype's size");
        goto out;
    }
    uint64_t nelem = 1;
    for (uint32_t k = 0; k < l->pub.rank; k++) {
        if (!h5rd__mul_u64(nelem, l->pub.chunk_dims[k], &nelem)) {
            e = H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: chunk size overflows");
            goto out;
        }
    }
    uint64_t nbytes;
    if (!h5rd__mul_u64(nelem, esize, &nbytes)) {
        e = H5RD_CORRUPT(ec, l->pub.data_addr, "chunked layout: chunk size overflows");
        goto out;
    }
    if (nbytes > d->f->limits.max_chunk_nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, l->pub.data_addr,
                      "chunked layout: chunk size exceeds max_chunk_nbytes");
        goto out;
    }
    if (buf_nbytes < nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "chunk: buffer too small");
        goto out;
    }
    uint64_t i = h5rd__chunk_table_find(d->chunks, chunk_offset);
    if (i == H5RD__CHUNK_NONE || d->chunks->loc[i].addr == H5RD_ADDR_UNDEF) {
        const uint8_t *val = NULL;
        const char *what = NULL;
        if (fill_value(d, esize, &val, &what) != H5RD_OK) {
            e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, what);
            goto out;
        }
        h5rd__fill_elements(d, buf, nelem);
        goto out;
    }
    const uint8_t *data = NULL;
    struct h5rd_view view = {NULL, 0, 0, NULL};
    e = chunk_data(d, chunk_offset, &d->chunks->loc[i], nbytes, buf, true, &data, &view, ec);
    if (e == H5RD_OK) {
        normalize(d->type, buf, nelem);
    }
out:
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, d->path);
    }
    return e;
}
