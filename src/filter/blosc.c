/*
 * blosc.c - filter 32001, Blosc (blosc_filter.c of PyTables / hdf5plugin). The chunk is one
 * Blosc (v1) buffer with its 16-byte header; cd_values (filter revision, blosc version, type
 * size, chunk size, level, shuffle, compressor) only matter for compression. The header is
 * validated against the bytes present before decoding, and decoding uses the context API
 * (blosc_decompress_ctx), never libblosc's global state.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_BLOSC
#include <blosc.h>
#include <string.h>

/* The two libblosc functions used, called through pointers: linked directly, or loaded on first
 * use in a shared build (filter/lazylib.c explains why). */
struct blosc_api {
    int (*cbuffer_validate)(const void *cbuffer, size_t cbytes, size_t *nbytes);
    int (*decompress_ctx)(const void *src, void *dest, size_t destsize, int numinternalthreads);
};

#ifdef H5RD_DLOPEN_BLOSC
static const char *const blosc_symbols[] = {"blosc_cbuffer_validate", "blosc_decompress_ctx", NULL};
static struct h5rd__lazylib blosc_lib = {H5RD_DLOPEN_BLOSC, blosc_symbols,
                                         "filter: blosc (32001): libblosc could not be loaded", NULL};
#endif

static h5rd_err blosc_api_get(struct blosc_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_BLOSC
    /* The prototypes above are checked against blosc.h without referencing the symbols. */
    (void)sizeof(api->cbuffer_validate = blosc_cbuffer_validate);
    (void)sizeof(api->decompress_ctx = blosc_decompress_ctx);
    void *const *s = NULL;
    H5RD_TRY(h5rd__lazylib_get(&blosc_lib, &s, ec));
    /* POSIX: dlsym's object pointer holds the function's address. */
    memcpy(&api->cbuffer_validate, &s[0], sizeof api->cbuffer_validate);
    memcpy(&api->decompress_ctx, &s[1], sizeof api->decompress_ctx);
#else
    (void)ec;
    api->cbuffer_validate = blosc_cbuffer_validate;
    api->decompress_ctx = blosc_decompress_ctx;
#endif
    return H5RD_OK;
}

h5rd_err h5rd__filter_blosc_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                   const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                   uint8_t *out, size_t out_cap, size_t *out_n,
                                   struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    struct blosc_api api;
    H5RD_TRY(blosc_api_get(&api, ec));
    size_t nbytes = 0;
    if (in_n < BLOSC_MIN_HEADER_LENGTH || api.cbuffer_validate(in, in_n, &nbytes) < 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: invalid header");
    }
    if (nbytes > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: decoded size exceeds the chunk size");
    }
    if (nbytes == 0) {
        *out_n = 0;
        return H5RD_OK;
    }
    int r = api.decompress_ctx(in, out, out_cap, 1);
    if (r < 0 || (size_t)r != nbytes) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: invalid compressed data");
    }
    *out_n = nbytes;
    return H5RD_OK;
}
#endif
