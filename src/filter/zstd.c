/*
 * zstd.c - filter 32015, Zstandard (the HDF5 zstd plugin, e.g. hdf5plugin's
 * src/zstd/zstd_h5plugin.c). The chunk is one zstd frame made by ZSTD_compress; cd_values[0]
 * is the compression level and does not matter for decoding. The frame's content size, when
 * recorded, is checked against the chunk size before anything is decoded; decoding then goes
 * into the known-size output, so the frame can never produce more.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_ZSTD
#include <stdint.h>
#include <zstd.h>
#include <zstd_errors.h>

/* The libzstd functions used (here and by bitshuffle.c), through pointers: linked directly, or
 * loaded on first use in a shared build (filter/lazylib.c explains why). */
struct zstd_api {
    unsigned long long (*getFrameContentSize)(const void *src, size_t srcSize);
    ZSTD_DCtx *(*createDCtx)(void);
    size_t (*decompressDCtx)(ZSTD_DCtx *dctx, void *dst, size_t dstCapacity, const void *src,
                             size_t srcSize);
    size_t (*freeDCtx)(ZSTD_DCtx *dctx);
    unsigned (*isError)(size_t code);
    ZSTD_ErrorCode (*getErrorCode)(size_t functionResult);
    size_t (*decompress)(void *dst, size_t dstCapacity, const void *src, size_t compressedSize);
};

#ifdef H5RD_DLOPEN_ZSTD
static const char *const zstd_symbols[] = {"ZSTD_getFrameContentSize", "ZSTD_createDCtx",
                                           "ZSTD_decompressDCtx", "ZSTD_freeDCtx",
                                           "ZSTD_isError", "ZSTD_getErrorCode",
                                           "ZSTD_decompress", NULL};
/* h5rd__lazylib_api fills the struct from the names in order: one name per pointer. */
_Static_assert(sizeof(struct zstd_api) / sizeof(void (*)(void)) ==
                   sizeof zstd_symbols / sizeof zstd_symbols[0] - 1,
               "zstd_api: a symbol name per function pointer");

static struct h5rd__lazylib zstd_lib = {H5RD_DLOPEN_ZSTD, zstd_symbols,
                                        "filter: zstd: libzstd could not be loaded", NULL};
#endif

static h5rd_err zstd_api_get(struct zstd_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_ZSTD
    /* The prototypes above are checked against zstd.h without referencing the symbols. */
    (void)sizeof(api->getFrameContentSize = ZSTD_getFrameContentSize);
    (void)sizeof(api->createDCtx = ZSTD_createDCtx);
    (void)sizeof(api->decompressDCtx = ZSTD_decompressDCtx);
    (void)sizeof(api->freeDCtx = ZSTD_freeDCtx);
    (void)sizeof(api->isError = ZSTD_isError);
    (void)sizeof(api->getErrorCode = ZSTD_getErrorCode);
    (void)sizeof(api->decompress = ZSTD_decompress);
    return h5rd__lazylib_api(&zstd_lib, api, sizeof *api, ec);
#else
    (void)ec;
    api->getFrameContentSize = ZSTD_getFrameContentSize;
    api->createDCtx = ZSTD_createDCtx;
    api->decompressDCtx = ZSTD_decompressDCtx;
    api->freeDCtx = ZSTD_freeDCtx;
    api->isError = ZSTD_isError;
    api->getErrorCode = ZSTD_getErrorCode;
    api->decompress = ZSTD_decompress;
    return H5RD_OK;
#endif
}

h5rd_err h5rd__zstd_frame_decode(const void *src, size_t src_n, void *dst, size_t dst_cap,
                                 size_t *got, struct h5rd_error *ec)
{
    struct zstd_api api;
    H5RD_TRY(zstd_api_get(&api, ec));
    size_t r = api.decompress(dst, dst_cap, src, src_n);
    *got = api.isError(r) ? SIZE_MAX : r;
    return H5RD_OK;
}

h5rd_err h5rd__filter_zstd_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    struct zstd_api api;
    H5RD_TRY(zstd_api_get(&api, ec));
    unsigned long long fcs = api.getFrameContentSize(in, in_n);
    if (fcs == ZSTD_CONTENTSIZE_ERROR) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: invalid frame header");
    }
    if (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: frame content size exceeds the chunk size");
    }
    ZSTD_DCtx *dctx = api.createDCtx();
    if (dctx == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "zstd: cannot create a context");
    }
    size_t r = api.decompressDCtx(dctx, out, out_cap, in, in_n);
    api.freeDCtx(dctx);
    if (api.isError(r)) {
        if (api.getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: stream expands past the chunk size");
        }
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: invalid compressed data");
    }
    *out_n = r;
    return H5RD_OK;
}
#endif
