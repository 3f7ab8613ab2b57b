/*
 * fuzz_select.c - libFuzzer harness: serialized dataspace selections (select/select.h: points,
 * hyperslabs v1-v3, all, none), as virtual dataset mappings and region references store them.
 * Input: one selection (h5py's SpaceID.encode() selection part). Decodes it, counts its
 * elements in a small extent, takes its bounds, and walks up to 20,000 runs of it.
 */
#include "fuzz_common.h"

#include "select/select.h"

#define MAX_RUNS 20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_bare(&im, data, size)) {
        return 0;
    }
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_cur c = h5rd__cur_make(data, size, 0, 8, 8, &ec);
    struct h5rd__sel s;
    memset(&s, 0, sizeof s);
    if (h5rd__sel_decode(im.f, &c, 4096, &s, &ec) != H5RD_OK) {
        fz_image_close(&im);
        return 0;
    }
    uint32_t rank = s.rank ? s.rank : 2;
    uint64_t dims[H5RD_MAX_RANK];
    for (uint32_t i = 0; i < H5RD_MAX_RANK; i++) {
        dims[i] = 16 + i;
    }
    uint64_t np = 0;
    h5rd__err_clear(&ec);
    (void)h5rd__sel_npoints(&s, rank, dims, &np, &ec);
    uint64_t lo[H5RD_MAX_RANK], hi[H5RD_MAX_RANK];
    (void)h5rd__sel_bounds(&s, rank, dims, lo, hi);
    if (s.regular && s.unlim_dim >= 0) {
        (void)h5rd__sel_unlim_slices(&s, 100);
        (void)h5rd__sel_unlim_extent(&s, 3, true);
        (void)h5rd__sel_unlim_extent(&s, 3, false);
    }
    struct h5rd__sel_iter it;
    h5rd__err_clear(&ec);
    if (h5rd__sel_iter_init(&it, &s, rank, dims, &ec) == H5RD_OK) {
        uint64_t coords[H5RD_MAX_RANK], len;
        for (unsigned i = 0; i < MAX_RUNS && h5rd__sel_iter_next(&it, coords, &len); i++) {
        }
    }
    h5rd__sel_free(im.f, &s);
    fz_image_close(&im);
    return 0;
}
