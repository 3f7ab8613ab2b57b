/*
 * order.c - the one ordering rule for named members: links of a group and attributes of an
 * object are listed by name in byte order (h5rd__name_cmp, libhdf5's strcmp order), or, when
 * creation order is tracked, by creation order with storage order breaking ties.
 *
 * Why storage order breaks ties: libhdf5 sorts with the C library's qsort, which in glibc is a
 * merge sort (stable), so members with equal creation orders keep the order they were stored
 * in. Ties are common: libhdf5 writes creation index 0 in the prefix of every compact
 * attribute. Duplicate names are CORRUPT (libhdf5 can never write them; a lookup by name
 * would be ambiguous).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* One member's sort keys; 'idx' is its position in storage (load) order. */
struct order_key {
    const char *name;
    size_t name_nbytes;
    int64_t corder;
    size_t idx;
};

static int cmp_name(const void *pa, const void *pb)
{
    const struct order_key *a = pa, *b = pb;
    return h5rd__name_cmp(a->name, a->name_nbytes, b->name, b->name_nbytes);
}

static int cmp_corder(const void *pa, const void *pb)
{
    const struct order_key *a = pa, *b = pb;
    if (a->corder != b->corder) {
        return a->corder < b->corder ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : (a->idx > b->idx ? 1 : 0);
}

/* Sorts the keys: insertion sort for the few members most groups and objects have (glibc's
 * qsort, a merge sort through a comparison callback, cost 5,000 instructions for a group of a
 * dozen links: 4% of a W5 `ls -r` of a latest-format file, issue 13), qsort past that. Both
 * comparisons are total orders on distinct keys (ties of names are rejected after the sort,
 * ties of creation order broken by 'idx'), so the two sorts give the same result. */
#define INSERTION_SORT_MAX 32
static void sort_keys(struct order_key *key, size_t n, int (*cmp)(const void *, const void *))
{
    if (n > INSERTION_SORT_MAX) {
        qsort(key, n, sizeof(key[0]), cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct order_key k = key[i];
        size_t j = i;
        while (j > 0 && cmp(&key[j - 1], &k) > 0) {
            key[j] = key[j - 1];
            j--;
        }
        key[j] = k;
    }
}

static struct order_key key_at(const unsigned char *src, size_t i, size_t elem_nbytes,
                               const struct h5rd__named_fields *fields)
{
    struct order_key k;
    const unsigned char *e = src + i * elem_nbytes;
    memcpy(&k.name, e + fields->name_off, sizeof(k.name));
    memcpy(&k.name_nbytes, e + fields->name_nbytes_off, sizeof(k.name_nbytes));
    memcpy(&k.corder, e + fields->corder_off, sizeof(k.corder));
    k.idx = i;
    return k;
}

/* True when the members are already in the order asked for: names strictly increasing (so no
 * duplicates either) and, by creation order, creation orders not decreasing. Symbol-table
 * groups (v1 B-tree, keyed by name) and creation-order indexes yield their members so; one pass
 * then replaces the sort and its copy (issue 13: 4% of a W5 `ls -r` of an earliest-format file). */
static bool already_ordered(const void *v, size_t n, size_t elem_nbytes,
                            const struct h5rd__named_fields *fields, bool by_corder)
{
    const unsigned char *src = v;
    struct order_key prev = key_at(src, 0, elem_nbytes, fields);
    for (size_t i = 1; i < n; i++) {
        struct order_key k = key_at(src, i, elem_nbytes, fields);
        if (cmp_name(&prev, &k) >= 0 || (by_corder && k.corder < prev.corder)) {
            return false;
        }
        prev = k;
    }
    return true;
}

h5rd_err h5rd__order_named(const struct h5rd_file *f, void **v, size_t n, size_t elem_nbytes,
                           const struct h5rd__named_fields *fields, bool by_corder,
                           uint64_t addr, const char *dup_what, struct h5rd_error *ec)
{
    if (n < 2) {
        return H5RD_OK;
    }
    if (already_ordered(*v, n, elem_nbytes, fields, by_corder)) {
        return H5RD_OK;
    }
    struct order_key *key = h5rd__calloc(f, n, sizeof(*key), ec);
    if (key == NULL) {
        return ec->code;
    }
    unsigned char *sorted = NULL;
    const unsigned char *src = *v;
    h5rd_err rc = H5RD_OK;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = src + i * elem_nbytes; /* fits: the array exists */
        memcpy(&key[i].name, e + fields->name_off, sizeof(key[i].name));
        memcpy(&key[i].name_nbytes, e + fields->name_nbytes_off, sizeof(key[i].name_nbytes));
        memcpy(&key[i].corder, e + fields->corder_off, sizeof(key[i].corder));
        key[i].idx = i;
    }
    sort_keys(key, n, cmp_name);
    for (size_t i = 1; i < n; i++) {
        if (cmp_name(&key[i - 1], &key[i]) == 0) {
            rc = H5RD_CORRUPT(ec, addr, dup_what);
            goto out;
        }
    }
    if (by_corder) {
        sort_keys(key, n, cmp_corder);
    }
    sorted = h5rd__calloc(f, n, elem_nbytes, ec);
    if (sorted == NULL) {
        rc = ec->code;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(sorted + i * elem_nbytes, src + key[i].idx * elem_nbytes, elem_nbytes);
    }
    h5rd__free(f, *v);
    *v = sorted;
out:
    h5rd__free(f, key);
    return rc;
}
