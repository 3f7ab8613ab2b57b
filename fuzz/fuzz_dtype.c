/*
 * fuzz_dtype.c - libFuzzer harness: the Datatype message (Spec v3.0 IV.A.2.d, versions 1-5)
 * and the conversions of dtype/convert.h. Input: one datatype message (as h5py's
 * TypeID.encode() gives after its 2-byte prefix) followed by element bytes. Decodes the type,
 * then normalises the trailing bytes as elements of it and converts them to a few memory
 * types when the type is numeric.
 */
#include "fuzz_common.h"

#include "dtype/convert.h"
#include "dtype/dtype.h"

#include <stdlib.h>

#define MAX_ELEM_BYTES (1u << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_bare(&im, data, size)) {
        return 0;
    }
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_cur c = h5rd__cur_make(data, size, 0, 8, 8, &ec);
    struct h5rd_type *t = NULL;
    if (h5rd__dtype_decode(im.f, &c, &t, &ec) != H5RD_OK) {
        fz_image_close(&im);
        return 0;
    }
    struct h5rd_type_info info;
    (void)h5rd_type_get_info(t, &info, NULL);
    (void)h5rd__dtype_has_indirect(t);
    size_t left = size - c.pos;
    if (left > MAX_ELEM_BYTES) {
        left = MAX_ELEM_BYTES;
    }
    uint64_t esize = t->info.size;
    if (esize > 0 && esize <= left) {
        uint64_t nelem = left / esize;
        uint8_t *buf = malloc((size_t)(nelem * esize));
        if (buf != NULL) {
            memcpy(buf, data + c.pos, (size_t)(nelem * esize));
            h5rd__conv_normalize(t, buf, nelem);
            (void)h5rd__conv_normalize_is_noop(t);
            memcpy(buf, data + c.pos, (size_t)(nelem * esize));
            h5rd__dtype_to_native(t, buf, nelem);
            static const struct h5rd_memtype mts[] = {
                {H5RD_MEMTYPE_INT, 1, 0, H5RD_ORDER_LE},
                {H5RD_MEMTYPE_INT, 4, 1, H5RD_ORDER_BE},
                {H5RD_MEMTYPE_INT, 8, 1, H5RD_ORDER_LE},
                {H5RD_MEMTYPE_FLOAT, 2, 0, H5RD_ORDER_LE},
                {H5RD_MEMTYPE_FLOAT, 4, 0, H5RD_ORDER_BE},
                {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE},
            };
            for (size_t i = 0; i < sizeof mts / sizeof mts[0]; i++) {
                if (!h5rd__conv_numeric_ok(t, &mts[i])) {
                    continue;
                }
                uint8_t *out = malloc((size_t)(nelem * mts[i].size));
                if (out != NULL) {
                    h5rd__err_clear(&ec);
                    (void)h5rd__conv_numeric(t, &mts[i], data + c.pos, out, nelem, &ec);
                    free(out);
                }
            }
            free(buf);
        }
    }
    h5rd__dtype_free(im.f, t);
    fz_image_close(&im);
    return 0;
}
