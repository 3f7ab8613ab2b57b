/*
 * alloc.c - every allocation goes through the caller's hooks and the
 * max_alloc_nbytes limit, so a size read from a file can never ask for more.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

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
    if (!h5rd__u64_to_size(n == 0 ? 1 : n, sz)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: size exceeds address space");
    }
    return H5RD_OK;
}

void *h5rd__malloc(const struct h5rd_file *f, uint64_t n, struct h5rd_error *ec)
{
    size_t sz = 0;
    if (check_size(f, n, &sz, ec) != H5RD_OK) {
        return NULL;
    }
    void *p = f->alloc.malloc_fn(f->alloc.user, sz);
    if (p == NULL) {
        H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "allocation: out of memory");
    }
    return p;
}

void *h5rd__calloc(const struct h5rd_file *f, uint64_t count, uint64_t size, struct h5rd_error *ec)
{
    uint64_t n;
    if (!h5rd__mul_u64(count, size, &n)) {
        H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "allocation: size overflows");
        return NULL;
    }
    void *p = h5rd__malloc(f, n, ec);
    if (p != NULL) {
        memset(p, 0, (size_t)(n == 0 ? 1 : n));
    }
    return p;
}

void *h5rd__realloc(const struct h5rd_file *f, void *old, uint64_t n, struct h5rd_error *ec)
{
    size_t sz = 0;
    if (check_size(f, n, &sz, ec) != H5RD_OK) {
        return NULL;
    }
    void *p = f->alloc.realloc_fn(f->alloc.user, old, sz);
    if (p == NULL) {
        H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "allocation: out of memory");
    }
    return p;
}

void h5rd__free(const struct h5rd_file *f, void *p)
{
    if (p != NULL) {
        f->alloc.free_fn(f->alloc.user, p);
    }
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
