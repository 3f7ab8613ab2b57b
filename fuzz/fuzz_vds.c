/*
 * fuzz_vds.c - libFuzzer harness: virtual dataset mapping blocks (Spec v3.0 III.F, the global
 * heap object a virtual Data Layout message points to), decoded with vds/vds.h (no sources
 * opened). Input: an HDF5 file image (or a bare image). Every global heap collection found is
 * tried as the mapping block's home, objects 1..4, for datasets of rank 1, 2 and 3.
 */
#include "fuzz_common.h"

#include "vds/vds.h"

#define MAX_COLLS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_open(&im, data, size)) {
        return 0;
    }
    uint64_t at[MAX_COLLS];
    size_t n = fz_find_sig(&im, data, size, "GCOL", at, MAX_COLLS);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t idx = 1; idx <= 4; idx++) {
            for (uint32_t rank = 1; rank <= 3; rank++) {
                struct h5rd__layout l;
                memset(&l, 0, sizeof l);
                l.pub.cls = H5RD_LAYOUT_VIRTUAL;
                l.pub.rank = rank;
                l.vds_gheap_addr = at[i];
                l.vds_gheap_index = idx;
                struct h5rd_error ec;
                h5rd__err_clear(&ec);
                struct h5rd__vds *v = NULL;
                if (h5rd__vds_decode(im.f, &l, rank, &v, &ec) == H5RD_OK) {
                    for (uint64_t m = 0; m < v->n && m < 64; m++) {
                        size_t nsubs;
                        h5rd__err_clear(&ec);
                        (void)h5rd__vds_expand_name(im.f, v->m[m].file, 0, &nsubs, NULL, &ec);
                    }
                    h5rd__vds_free(im.f, v);
                }
            }
        }
    }
    fz_image_close(&im);
    return 0;
}
