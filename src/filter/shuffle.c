/*
 * shuffle.c - filter 2, byte shuffle (libhdf5 src/H5Zshuffle.c). On write, byte j of every
 * element is gathered into plane j; the bytes that do not fill a whole element (only possible
 * when the chunk size is not a multiple of the element size) are appended unchanged.
 * cd_values[0] is the element size (set by libhdf5 from the datatype); when absent the
 * dataset's type size is used.
 */
#include "filter/filter.h"

#include "dtype/dtype.h"

#include <string.h>

h5rd_err h5rd__filter_shuffle_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec)
{
    (void)f;
    uint64_t esize;
    if (flt->n_values >= 1) {
        esize = flt->values[0];
    } else if (type != NULL) {
        esize = type->info.size;
    } else {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: element size missing");
    }
    if (esize == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: element size is 0");
    }
    if (in_n > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: data larger than the chunk size");
    }
    size_t nelem = in_n / esize;
    if (esize == 1 || nelem <= 1) {
        memcpy(out, in, in_n);
        *out_n = in_n;
        return H5RD_OK;
    }
    size_t es = (size_t)esize;
    for (size_t j = 0; j < es; j++) {
        const uint8_t *plane = in + j * nelem;
        uint8_t *dst = out + j;
        for (size_t i = 0; i < nelem; i++) {
            dst[i * es] = plane[i];
        }
    }
    size_t done = nelem * es;
    memcpy(out + done, in + done, in_n - done);
    *out_n = in_n;
    return H5RD_OK;
}
