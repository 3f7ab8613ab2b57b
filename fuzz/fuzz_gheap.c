/*
 * fuzz_gheap.c - libFuzzer harness: global heap collections (Spec v3.0 III.E, "GCOL") and the
 * local heap (III.D, "HEAP"). Input: an HDF5 file image (or a bare image). Looks up objects
 * 0..40 and 65535 of every collection found, and strings at offsets 0, 8, 16, ... of every
 * local heap found.
 */
#include "fuzz_common.h"

#include "heap/heap.h"

#define MAX_COLLS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_open(&im, data, size)) {
        return 0;
    }
    uint64_t at[MAX_COLLS];
    size_t n = fz_find_sig(&im, data, size, "GCOL", at, MAX_COLLS);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t idx = 0; idx <= 41; idx++) {
            uint32_t k = idx == 41 ? 65535u : idx;
            struct h5rd_error ec;
            h5rd__err_clear(&ec);
            struct h5rd_view v = {0};
            if (h5rd__gheap_get(im.f, at[i], k, &v, &ec) == H5RD_OK) {
                volatile uint8_t sink = 0;
                for (size_t j = 0; j < v.nbytes; j++) {
                    sink ^= v.p[j];
                }
                (void)sink;
                h5rd__io_release(im.f, &v);
            }
        }
    }
    n = fz_find_sig(&im, data, size, "HEAP", at, MAX_COLLS);
    for (size_t i = 0; i < n; i++) {
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        struct h5rd__lheap h;
        memset(&h, 0, sizeof h);
        if (h5rd__lheap_load(im.f, at[i], &h, &ec) != H5RD_OK) {
            continue;
        }
        for (uint64_t off = 0; off < 1024; off += 8) {
            const char *s;
            size_t len;
            h5rd__err_clear(&ec);
            (void)h5rd__lheap_string(&h, off, &s, &len, &ec);
        }
        h5rd__lheap_free(im.f, &h);
    }
    fz_image_close(&im);
    return 0;
}
