/*
 * checked.h - overflow-checked arithmetic for every value derived from a file.
 * Each returns false on overflow and leaves *r unspecified.
 */
#ifndef H5RD_CORE_CHECKED_H
#define H5RD_CORE_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool h5rd__add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    return !__builtin_add_overflow(a, b, r);
}

static inline bool h5rd__mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    return !__builtin_mul_overflow(a, b, r);
}

static inline bool h5rd__u64_to_size(uint64_t v, size_t *r)
{
    if (v > (uint64_t)SIZE_MAX) {
        return false;
    }
    *r = (size_t)v;
    return true;
}

/* Product of 'n' values; false on overflow. The product of zero values is 1. */
static inline bool h5rd__prod_u64(const uint64_t *v, unsigned n, uint64_t *r)
{
    uint64_t p = 1;
    for (unsigned i = 0; i < n; i++) {
        if (!h5rd__mul_u64(p, v[i], &p)) {
            return false;
        }
    }
    *r = p;
    return true;
}

#endif
