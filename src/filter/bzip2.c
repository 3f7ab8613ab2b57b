/*
 * bzip2.c - filter 307, bzip2 (PyTables' / hdf5plugin's H5Zbzip2.c). The chunk is one bzip2
 * stream; the block size in cd_values[0] only matters for compression. Decoding goes into the
 * known-size output; a stream that would produce more is CORRUPT, one that ends early is
 * CORRUPT. libbz2 allocates through the file's allocator.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_BZIP2
#include <bzlib.h>
#include <limits.h>
#include <string.h>

/* The libbz2 functions used, through pointers: linked directly, or loaded on first use in a
 * shared build (filter/lazylib.c explains why). */
struct bzip2_api {
    int (*decompress_init)(bz_stream *strm, int verbosity, int small);
    int (*decompress)(bz_stream *strm);
    int (*decompress_end)(bz_stream *strm);
};

#ifdef H5RD_DLOPEN_BZIP2
static const char *const bzip2_symbols[] = {"BZ2_bzDecompressInit", "BZ2_bzDecompress",
                                            "BZ2_bzDecompressEnd", NULL};
/* h5rd__lazylib_api fills the struct from the names in order: one name per pointer. */
_Static_assert(sizeof(struct bzip2_api) / sizeof(void (*)(void)) ==
                   sizeof bzip2_symbols / sizeof bzip2_symbols[0] - 1,
               "bzip2_api: a symbol name per function pointer");

static struct h5rd__lazylib bzip2_lib = {H5RD_DLOPEN_BZIP2, bzip2_symbols,
                                         "filter: bzip2 (307): libbz2 could not be loaded", NULL};
#endif

static h5rd_err bzip2_api_get(struct bzip2_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_BZIP2
    /* The prototypes above are checked against bzlib.h without referencing the symbols. */
    (void)sizeof(api->decompress_init = BZ2_bzDecompressInit);
    (void)sizeof(api->decompress = BZ2_bzDecompress);
    (void)sizeof(api->decompress_end = BZ2_bzDecompressEnd);
    return h5rd__lazylib_api(&bzip2_lib, api, sizeof *api, ec);
#else
    (void)ec;
    api->decompress_init = BZ2_bzDecompressInit;
    api->decompress = BZ2_bzDecompress;
    api->decompress_end = BZ2_bzDecompressEnd;
    return H5RD_OK;
#endif
}

struct bzalloc_ctx {
    const struct h5rd_file *f;
    struct h5rd_error *ec;
};

static void *bzalloc_hook(void *opaque, int items, int size)
{
    struct bzalloc_ctx *z = opaque;
    if (items < 0 || size < 0) {
        return NULL;
    }
    return h5rd__calloc_data(z->f, (uint64_t)items, (uint64_t)size, z->ec);
}

static void bzfree_hook(void *opaque, void *p)
{
    struct bzalloc_ctx *z = opaque;
    h5rd__free(z->f, p);
}

h5rd_err h5rd__filter_bzip2_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                   const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                   uint8_t *out, size_t out_cap, size_t *out_n,
                                   struct h5rd_error *ec)
{
    (void)flt;
    (void)type;
    struct bzip2_api api;
    H5RD_TRY(bzip2_api_get(&api, ec));
    struct bzalloc_ctx zc = {f, ec};
    bz_stream bz;
    memset(&bz, 0, sizeof(bz));
    bz.bzalloc = bzalloc_hook;
    bz.bzfree = bzfree_hook;
    bz.opaque = &zc;
    if (api.decompress_init(&bz, 0, 0) != BZ_OK) {
        return ec->code != H5RD_OK ? ec->code
                                   : H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF,
                                               "bzip2: cannot initialise libbz2");
    }
    h5rd_err err = H5RD_OK;
    size_t in_left = in_n, out_left = out_cap, produced = 0;
    bz.next_in = (char *)(uintptr_t)in;
    bz.next_out = (char *)out;
    char spare = 0;
    bool probing = false;
    for (;;) {
        if (bz.avail_in == 0 && in_left > 0) {
            bz.avail_in = in_left > UINT_MAX ? UINT_MAX : (unsigned)in_left;
            in_left -= bz.avail_in;
        }
        if (bz.avail_out == 0) {
            if (out_left > 0) {
                bz.avail_out = out_left > UINT_MAX ? UINT_MAX : (unsigned)out_left;
                out_left -= bz.avail_out;
            } else if (!probing) {
                probing = true;
                bz.next_out = &spare;
                bz.avail_out = 1;
            } else {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                   "bzip2: stream expands past the chunk size");
                goto out;
            }
        }
        unsigned before_in = bz.avail_in, before_out = bz.avail_out;
        int rc = api.decompress(&bz);
        if (!probing) {
            produced += before_out - bz.avail_out;
        } else if (bz.avail_out == 0) {
            err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bzip2: stream expands past the chunk size");
            goto out;
        }
        if (rc == BZ_STREAM_END) {
            break;
        }
        if (rc == BZ_MEM_ERROR) {
            err = ec->code != H5RD_OK ? ec->code
                                      : H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF,
                                                  "bzip2: out of memory");
            goto out;
        }
        if (rc != BZ_OK) {
            err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bzip2: invalid compressed data");
            goto out;
        }
        if (bz.avail_in == 0 && in_left == 0 && before_in == 0 &&
            before_out == bz.avail_out) {
            err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bzip2: stream is truncated");
            goto out;
        }
    }
    *out_n = produced;

out:
    api.decompress_end(&bz);
    return err;
}
#endif
