/*
 * alloc.c - every allocation goes through the caller's hooks and the max_alloc_nbytes limit,
 * so a size read from a file can never ask for more; and every allocation holding parsed
 * metadata is charged to the file's total (max_metadata_nbytes), so many small structures
 * cannot add up to more either.
 *
 * Each block starts with a prefix recording its size and whether it is charged, so frees and
 * reallocations adjust the total exactly. The data path (chunk buffers, filter scratch,
 * selection bookkeeping: sized by max_chunk_nbytes or by the caller's request, not by parsed
 * metadata) uses the _data variants, which are not charged.
 *
 * Thread-safety: the total is one atomic counter per file (relaxed adds: it bounds memory, it
 * orders nothing), so the read path stays lock-free.
 */
#include "internal.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The prefix: the requested size and whether it is charged. Padded to the strictest
 * fundamental alignment so the caller's part stays as aligned as malloc's. */
struct prefix {
    uint64_t nbytes;
    uint64_t counted;
};
#define PREFIX_NBYTES (sizeof(struct prefix) > alignof(max_align_t) ? sizeof(struct prefix) \
                                                                     : alignof(max_align_t))

void h5rd__limits_default(struct h5rd_limits *l)
{
    l->max_alloc_nbytes = (uint64_t)1 << 30;
    l->max_metadata_nbytes = (uint64_t)256 << 20;
    l->max_chunk_nbytes = (uint64_t)1 << 30;
    l->max_ohdr_chunks = 1024;
    l->max_messages = 65536;
    l->max_btree_depth = 64;
    l->max_link_hops = 40;
    l->max_dtype_depth = 32;
    l->max_vds_depth = 8;
    l->max_vds_mappings = 65536;
    l->max_name_nbytes = (uint32_t)1 << 20;
    l->max_links = (uint64_t)16 << 20;
    l->max_attrs = (uint64_t)1 << 20;
}

static h5rd_err check_size(const struct h5rd_file *f, uint64_t n, size_t *sz, struct h5rd_error *ec)
{
    if (n > f->limits.max_alloc_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: size exceeds max_alloc_nbytes");
    }
    /* The block is the prefix plus at least 1 byte (so NULL always means failure). */
    uint64_t total = (n == 0 ? 1 : n) + PREFIX_NBYTES; /* wraps only for n near 2^64: refused */
    if (n > UINT64_MAX - 1 - PREFIX_NBYTES || !h5rd__u64_to_size(total, sz)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: size exceeds address space");
    }
    return H5RD_OK;
}

/* Charges 'n' bytes to the file's metadata total (max_metadata_nbytes). Lock-free: one atomic
 * add; a charge that would pass the limit is undone and fails. (Two charges racing near the
 * limit may both fail where one after the other one would succeed: the total is a bound, not
 * an allocator.) */
static h5rd_err charge(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec)
{
    /* The file is allocated writable (file/file.c); only this counter is updated through a
     * const pointer, atomically. */
    _Atomic uint64_t *used = (_Atomic uint64_t *)&f->meta_nbytes;
    uint64_t before = atomic_fetch_add_explicit(used, n, memory_order_relaxed);
    if (before + n < before || before + n > f->limits.max_metadata_nbytes) {
        atomic_fetch_sub_explicit(used, n, memory_order_relaxed);
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF,
                         "allocation: parsed metadata of this file exceeds max_metadata_nbytes");
    }
    return H5RD_OK;
}

static void uncharge(const struct h5rd_file *f, uint64_t n)
{
    atomic_fetch_sub_explicit((_Atomic uint64_t *)&f->meta_nbytes, n, memory_order_relaxed);
}

static void *alloc_block(const struct h5rd_file *f, uint64_t n, bool counted,
                         struct h5rd_error *ec)
{
    size_t sz = 0;
    if (check_size(f, n, &sz, ec) != H5RD_OK) {
        return NULL;
    }
    if (counted && charge(f, n, ec) != H5RD_OK) {
        return NULL;
    }
    unsigned char *p = f->alloc.malloc_fn(f->alloc.user, sz);
    if (p == NULL) {
        if (counted) {
            uncharge(f, n);
        }
        H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "allocation: out of memory");
        return NULL;
    }
    struct prefix pre = {n, counted};
    memcpy(p, &pre, sizeof(pre));
    return p + PREFIX_NBYTES;
}

void *h5rd__malloc(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec)
{
    return alloc_block(f, n, true, ec);
}

void *h5rd__malloc_data(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec)
{
    return alloc_block(f, n, false, ec);
}

static void *calloc_block(const struct h5rd_file *f, uint64_t count, uint64_t size, bool counted,
                          struct h5rd_error *ec)
{
    uint64_t n;
    if (!h5rd__mul_u64(count, size, &n)) {
        H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: size overflows");
        return NULL;
    }
    void *p = alloc_block(f, n, counted, ec);
    if (p != NULL) {
        memset(p, 0, (size_t)(n == 0 ? 1 : n));
    }
    return p;
}

void *h5rd__calloc(const struct h5rd_file *f, uint64_t count, uint64_t size, struct h5rd_error *ec)
{
    return calloc_block(f, count, size, true, ec);
}

void *h5rd__calloc_data(const struct h5rd_file *f, uint64_t count, uint64_t size,
                        struct h5rd_error *ec)
{
    return calloc_block(f, count, size, false, ec);
}

void *h5rd__realloc(const struct h5rd_file *f, void *old, uint64_t n, struct h5rd_error *ec)
{
    if (old == NULL) {
        return alloc_block(f, n, true, ec);
    }
    size_t sz = 0;
    if (check_size(f, n, &sz, ec) != H5RD_OK) {
        return NULL;
    }
    unsigned char *base = (unsigned char *)old - PREFIX_NBYTES;
    struct prefix pre;
    memcpy(&pre, base, sizeof(pre));
    if (pre.counted && n > pre.nbytes && charge(f, n - pre.nbytes, ec) != H5RD_OK) {
        return NULL;
    }
    unsigned char *p = f->alloc.realloc_fn(f->alloc.user, base, sz);
    if (p == NULL) {
        if (pre.counted && n > pre.nbytes) {
            uncharge(f, n - pre.nbytes);
        }
        H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "allocation: out of memory");
        return NULL;
    }
    if (pre.counted && n < pre.nbytes) {
        uncharge(f, pre.nbytes - n);
    }
    pre.nbytes = n;
    memcpy(p, &pre, sizeof(pre));
    return p + PREFIX_NBYTES;
}

void h5rd__free_block(const struct h5rd_file *f, void *p)
{
    unsigned char *base = (unsigned char *)p - PREFIX_NBYTES;
    struct prefix pre;
    memcpy(&pre, base, sizeof(pre));
    if (pre.counted) {
        uncharge(f, pre.nbytes);
    }
    f->alloc.free_fn(f->alloc.user, base);
}

char *h5rd__strndup(const struct h5rd_file *f, const char *s, size_t n, struct h5rd_error *ec)
{
    char *d = h5rd__malloc(f, (uint64_t)n + 1, ec);
    if (d != NULL) {
        if (n > 0) {
            memcpy(d, s, n);
        }
        d[n] = '\0';
    }
    return d;
}

/* A pool block: strings back to back after the header. Blocks are STRBLOCK_NBYTES unless a
 * string needs more, which then gets a block of its own. */
struct h5rd__strblock {
    struct h5rd__strblock *next;
    size_t used, cap;
    char data[];
};
#define STRBLOCK_NBYTES 4096u

char *h5rd__strpool_dup(const struct h5rd_file *f, struct h5rd__strpool *pool, const char *s,
                        size_t n, struct h5rd_error *ec)
{
    struct h5rd__strblock *b = pool->head;
    if (n >= SIZE_MAX - sizeof *b - 1) {
        H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: string too long");
        return NULL;
    }
    if (b == NULL || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > STRBLOCK_NBYTES / 2 ? n + 1 : STRBLOCK_NBYTES - sizeof *b;
        struct h5rd__strblock *nb = h5rd__malloc(f, (uint64_t)sizeof *nb + cap, ec);
        if (nb == NULL) {
            return NULL;
        }
        nb->used = 0;
        nb->cap = cap;
        if (b != NULL && cap == n + 1) {
            /* A long string's own block goes behind the head, whose space stays in use. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            pool->head = nb;
        }
        b = nb;
    }
    char *d = b->data + b->used;
    if (n > 0) {
        memcpy(d, s, n);
    }
    d[n] = '\0';
    b->used += n + 1;
    return d;
}

void h5rd__strpool_free(const struct h5rd_file *f, struct h5rd__strpool *pool)
{
    struct h5rd__strblock *b = pool->head;
    while (b != NULL) {
        struct h5rd__strblock *next = b->next;
        h5rd__free(f, b);
        b = next;
    }
    pool->head = NULL;
}

h5rd_err h5rd__grow(const struct h5rd_file *f, void **arr, uint64_t *cap, uint64_t need,
                    size_t elem_nbytes, struct h5rd_error *ec)
{
    if (need <= *cap) {
        return H5RD_OK;
    }
    uint64_t ncap = *cap < 8 ? 8 : *cap;
    while (ncap < need) {
        if (!h5rd__mul_u64(ncap, 2, &ncap)) {
            return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: array too large");
        }
    }
    uint64_t nbytes;
    if (!h5rd__mul_u64(ncap, elem_nbytes, &nbytes)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: array too large");
    }
    void *p = h5rd__realloc(f, *arr, nbytes, ec);
    if (p == NULL) {
        return ec->code;
    }
    *arr = p;
    *cap = ncap;
    return H5RD_OK;
}
