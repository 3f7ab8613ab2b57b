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

h5rd_err h5rd__filter_blosc_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                   const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                   uint8_t *out, size_t out_cap, size_t *out_n,
                                   struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    size_t nbytes = 0;
    if (in_n < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(in, in_n, &nbytes) < 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: invalid header");
    }
    if (nbytes > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: decoded size exceeds the chunk size");
    }
    if (nbytes == 0) {
        *out_n = 0;
        return H5RD_OK;
    }
    int r = blosc_decompress_ctx(in, out, out_cap, 1);
    if (r < 0 || (size_t)r != nbytes) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "blosc: invalid compressed data");
    }
    *out_n = nbytes;
    return H5RD_OK;
}
#endif
