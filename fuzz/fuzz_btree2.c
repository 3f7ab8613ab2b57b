/*
 * fuzz_btree2.c - libFuzzer harness: version 2 B-trees (Spec v3.0 III.A.2, "BTHD", "BTIN",
 * "BTLF"). Input: an HDF5 file image (or a bare image). Decodes every header found and
 * iterates all its records.
 */
#include "fuzz_common.h"

#include "btree/btree.h"

#define MAX_TREES 16
#define MAX_RECORDS 200000

static h5rd_err count_cb(const uint8_t *rec, size_t rec_nbytes, void *ud, struct h5rd_error *ec)
{
    uint64_t *n = ud;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < rec_nbytes; i++) {
        sink ^= rec[i];
    }
    (void)sink;
    if (++*n > MAX_RECORDS) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "fuzz: record budget");
    }
    return H5RD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_open(&im, data, size)) {
        return 0;
    }
    uint64_t at[MAX_TREES];
    size_t n = fz_find_sig(&im, data, size, "BTHD", at, MAX_TREES);
    for (size_t i = 0; i < n; i++) {
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        struct h5rd__bt2_info info;
        if (h5rd__bt2_info(im.f, at[i], &info, &ec) != H5RD_OK) {
            continue;
        }
        uint64_t cnt = 0;
        h5rd__err_clear(&ec);
        (void)h5rd__bt2_iterate(im.f, at[i], 0, count_cb, &cnt, &ec);
    }
    fz_image_close(&im);
    return 0;
}
