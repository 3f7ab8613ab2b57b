/*
 * deflate.c - filter 1, deflate (libhdf5 src/H5Zdeflate.c): the chunk is one zlib stream
 * (RFC 1950 wrapper around RFC 1951 data). libhdf5 inflates into a growing buffer; h5rd
 * inflates into the known-size output, so a stream that would expand past it (a zip bomb) is
 * CORRUPT after at most out_cap bytes were written. Bytes after the end of the zlib stream are
 * ignored, as libhdf5 does; the Adler-32 trailer is verified.
 *
 * Two decoders with the same contract: libdeflate when found at configure time (whole-buffer
 * decoding, 2-3 times zlib's speed: the output size is always known here, which is the one
 * thing libdeflate needs), else zlib's streaming inflate (which allocates its window through
 * the file's allocator; libdeflate's ~10 KiB decompressor state comes from malloc, since
 * libdeflate 1.14 only offers a process-wide allocator hook).
 */
#include "filter/filter.h"

#include <limits.h>
#include <string.h>
#include <zlib.h>
#ifdef H5RD_HAVE_LIBDEFLATE
#include <libdeflate.h>

/* The libdeflate functions used, through pointers: linked directly, or loaded on first use in
 * a shared build (filter/lazylib.c explains why; one atomic load a chunk once loaded). */
struct libdeflate_api {
    struct libdeflate_decompressor *(*alloc_decompressor)(void);
    enum libdeflate_result (*zlib_decompress_ex)(struct libdeflate_decompressor *decompressor,
                                                 const void *in, size_t in_nbytes, void *out,
                                                 size_t out_nbytes_avail,
                                                 size_t *actual_in_nbytes_ret,
                                                 size_t *actual_out_nbytes_ret);
    void (*free_decompressor)(struct libdeflate_decompressor *decompressor);
};

#ifdef H5RD_DLOPEN_LIBDEFLATE
static const char *const libdeflate_symbols[] = {"libdeflate_alloc_decompressor",
                                                 "libdeflate_zlib_decompress_ex",
                                                 "libdeflate_free_decompressor", NULL};
/* h5rd__lazylib_api fills the struct from the names in order: one name per pointer. */
_Static_assert(sizeof(struct libdeflate_api) / sizeof(void (*)(void)) ==
                   sizeof libdeflate_symbols / sizeof libdeflate_symbols[0] - 1,
               "libdeflate_api: a symbol name per function pointer");

static struct h5rd__lazylib libdeflate_lib = {
    H5RD_DLOPEN_LIBDEFLATE, libdeflate_symbols,
    "filter: deflate (1): libdeflate could not be loaded", NULL};
#endif

static h5rd_err libdeflate_api_get(struct libdeflate_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_LIBDEFLATE
    /* The prototypes above are checked against libdeflate.h without referencing the symbols. */
    (void)sizeof(api->alloc_decompressor = libdeflate_alloc_decompressor);
    (void)sizeof(api->zlib_decompress_ex = libdeflate_zlib_decompress_ex);
    (void)sizeof(api->free_decompressor = libdeflate_free_decompressor);
    return h5rd__lazylib_api(&libdeflate_lib, api, sizeof *api, ec);
#else
    (void)ec;
    api->alloc_decompressor = libdeflate_alloc_decompressor;
    api->zlib_decompress_ex = libdeflate_zlib_decompress_ex;
    api->free_decompressor = libdeflate_free_decompressor;
    return H5RD_OK;
#endif
}
#endif

struct zalloc_ctx {
    const struct h5rd_file *f;
    struct h5rd_error *ec;
};

static voidpf zalloc_hook(voidpf opaque, uInt items, uInt size)
{
    struct zalloc_ctx *z = opaque;
    return h5rd__calloc_data(z->f, items, size, z->ec);
}

static void zfree_hook(voidpf opaque, voidpf p)
{
    struct zalloc_ctx *z = opaque;
    h5rd__free(z->f, p);
}

h5rd_err h5rd__filter_deflate_decode_zlib(const struct h5rd_file *f,
                                          const struct h5rd__filter *flt,
                                          const struct h5rd_type *type, const uint8_t *in,
                                          size_t in_n, uint8_t *out, size_t out_cap,
                                          size_t *out_n, struct h5rd_error *ec)
{
    (void)flt;
    (void)type;
    struct zalloc_ctx zc = {f, ec};
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zalloc_hook;
    zs.zfree = zfree_hook;
    zs.opaque = &zc;
    if (inflateInit(&zs) != Z_OK) {
        if (ec->code != H5RD_OK) {
            return ec->code;
        }
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "deflate: cannot initialise zlib");
    }

    h5rd_err err = H5RD_OK;
    size_t in_left = in_n, out_left = out_cap;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.next_out = out;
    uint8_t spare = 0;
    bool probing = false; /* out is full: does the stream end without more output? */
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0) {
            if (out_left > 0) {
                zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
                out_left -= zs.avail_out;
            } else if (!probing) {
                probing = true;
                zs.next_out = &spare;
                zs.avail_out = 1;
            } else {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                   "deflate: stream expands past the chunk size");
                goto out;
            }
        }
        int rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (probing && zs.avail_out == 0) {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                   "deflate: stream expands past the chunk size");
                goto out;
            }
            break;
        }
        if (rc == Z_MEM_ERROR) {
            err = ec->code != H5RD_OK ? ec->code
                                      : H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF,
                                                  "deflate: out of memory");
            goto out;
        }
        if (rc == Z_OK) {
            if (probing && zs.avail_out == 0) {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                   "deflate: stream expands past the chunk size");
                goto out;
            }
            continue;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) {
            err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "deflate: stream is truncated");
            goto out;
        }
        if (rc == Z_BUF_ERROR) {
            continue; /* needs more output space: handled at the top of the loop */
        }
        err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "deflate: invalid zlib stream");
        goto out;
    }
    *out_n = out_cap - out_left - (probing ? 0 : zs.avail_out);

out:
    inflateEnd(&zs);
    return err;
}

h5rd_err h5rd__filter_deflate_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec)
{
#ifdef H5RD_HAVE_LIBDEFLATE
    struct libdeflate_api api;
    if (libdeflate_api_get(&api, ec) != H5RD_OK) {
        /* libdeflate is only the faster decoder: where it cannot be loaded, zlib decodes. */
        h5rd__err_clear(ec);
        return h5rd__filter_deflate_decode_zlib(f, flt, type, in, in_n, out, out_cap, out_n, ec);
    }
    struct libdeflate_decompressor *d = api.alloc_decompressor();
    if (d == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "deflate: out of memory");
    }
    size_t used_in = 0, n = 0;
    enum libdeflate_result r =
        api.zlib_decompress_ex(d, in, in_n, out, out_cap, &used_in, &n);
    api.free_decompressor(d);
    switch (r) {
    case LIBDEFLATE_SUCCESS:
        *out_n = n;
        return H5RD_OK;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "deflate: stream expands past the chunk size");
    default:
        /* BAD_DATA: invalid or truncated stream, or a wrong Adler-32 (zlib tells the two
         * apart; the chunk is unusable either way). */
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "deflate: invalid or truncated zlib stream");
    }
#else
    return h5rd__filter_deflate_decode_zlib(f, flt, type, in, in_n, out, out_cap, out_n, ec);
#endif
}
