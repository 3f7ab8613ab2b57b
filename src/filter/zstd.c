/*
 * zstd.c - filter 32015, Zstandard (the HDF5 zstd plugin, e.g. hdf5plugin's
 * src/zstd/zstd_h5plugin.c). The chunk is one zstd frame made by ZSTD_compress; cd_values[0]
 * is the compression level and does not matter for decoding. The frame's content size, when
 * recorded, is checked against the chunk size before anything is decoded; decoding then goes
 * into the known-size output, so the frame can never produce more.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>

h5rd_err h5rd__filter_zstd_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    unsigned long long fcs = ZSTD_getFrameContentSize(in, in_n);
    if (fcs == ZSTD_CONTENTSIZE_ERROR) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: invalid frame header");
    }
    if (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: frame content size exceeds the chunk size");
    }
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (dctx == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "zstd: cannot create a context");
    }
    size_t r = ZSTD_decompressDCtx(dctx, out, out_cap, in, in_n);
    ZSTD_freeDCtx(dctx);
    if (ZSTD_isError(r)) {
        if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: stream expands past the chunk size");
        }
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zstd: invalid compressed data");
    }
    *out_n = r;
    return H5RD_OK;
}
#endif
