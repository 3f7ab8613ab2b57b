/*
 * fuzz_common.c - see fuzz_common.h. Fuzzing support code only: never linked into libh5rd.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

void fz_limits(struct h5rd_limits *l)
{
    h5rd__limits_default(l);
    l->max_alloc_nbytes = (uint64_t)64 << 20;
    l->max_metadata_nbytes = (uint64_t)64 << 20;
    l->max_chunk_nbytes = (uint64_t)16 << 20;
    l->max_ohdr_chunks = 256;
    l->max_messages = 4096;
    l->max_btree_depth = 16;
    l->max_link_hops = 16;
    l->max_dtype_depth = 16;
    l->max_vds_depth = 4;
    l->max_vds_mappings = 1024;
    l->max_name_nbytes = 64u << 10;
    l->max_links = 1u << 16;
    l->max_attrs = 1u << 12;
}

void fz_open_opts(struct h5rd_open_opts *o, struct h5rd_limits *lim, uint32_t flags)
{
    h5rd_open_opts_init(o);
    fz_limits(lim);
    o->limits = lim;
    o->flags = flags;
}

static void *hook_malloc(void *user, size_t n)
{
    (void)user;
    return malloc(n);
}

static void *hook_realloc(void *user, void *p, size_t n)
{
    (void)user;
    return realloc(p, n);
}

static void hook_free(void *user, void *p)
{
    (void)user;
    free(p);
}

bool fz_image_open(struct fz_image *im, const uint8_t *data, size_t n)
{
    memset(im, 0, sizeof *im);
    struct h5rd_limits lim;
    struct h5rd_open_opts o;
    fz_open_opts(&o, &lim, 0);
    h5rd_file *pf = NULL;
    if (h5rd_file_open_memory(data, n, &o, &pf, NULL) == H5RD_OK) {
        im->f = pf;
        im->has_sb = true;
        return true;
    }
    return fz_image_bare(im, data, n);
}

bool fz_image_bare(struct fz_image *im, const uint8_t *data, size_t n)
{
    static const uint8_t empty[1] = {0};
    memset(im, 0, sizeof *im);
    if (n == 0) {
        data = empty;
    }
    /* A bare image: what rawfile_open_memory does for the unit tests. */
    struct h5rd_file *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return false;
    }
    f->alloc.malloc_fn = hook_malloc;
    f->alloc.realloc_fn = hook_realloc;
    f->alloc.free_fn = hook_free;
    fz_limits(&f->limits);
    f->fd = -1;
    atomic_init(&f->refcount, 1u);
    atomic_init(&f->pathmap, NULL);
    atomic_init(&f->extfiles, NULL);
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    if (h5rd__src_open_memory(f, data, n, &ec) != H5RD_OK) {
        free(f);
        return false;
    }
    f->sb.size_of_offsets = 8;
    f->sb.size_of_lengths = 8;
    f->sb.sym_leaf_k = 4;
    f->sb.btree_internal_k = 16;
    f->sb.istore_k = 32;
    f->sb.ext_addr = H5RD_ADDR_UNDEF;
    f->sb.eof_addr = n;
    f->sb.driver_info_addr = H5RD_ADDR_UNDEF;
    f->sb.root_addr = 0;
    f->sb.root_btree_addr = H5RD_ADDR_UNDEF;
    f->sb.root_heap_addr = H5RD_ADDR_UNDEF;
    im->f = f;
    im->bare = true;
    return true;
}

void fz_image_close(struct fz_image *im)
{
    if (im->f == NULL) {
        return;
    }
    if (im->bare) {
        h5rd__src_close(im->f);
        free(im->f);
    } else {
        h5rd_file_close(im->f);
    }
    im->f = NULL;
}

size_t fz_find_sig(const struct fz_image *im, const uint8_t *data, size_t n, const char *sig,
                   uint64_t *out, size_t max)
{
    size_t found = 0;
    uint64_t base = im->f->sb.base_addr;
    for (size_t i = 0; found < max && n >= 4 && i <= n - 4; i++) {
        if (data[i] == (uint8_t)sig[0] && memcmp(data + i, sig, 4) == 0 && i >= base) {
            out[found++] = (uint64_t)i - base;
        }
    }
    return found;
}
