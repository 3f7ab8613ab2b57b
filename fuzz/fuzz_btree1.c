/*
 * fuzz_btree1.c - libFuzzer harness: version 1 B-trees (Spec v3.0 III.A.1, "TREE"). Input: an
 * HDF5 file image (or a bare image). Iterates the tree rooted at every "TREE" found, as group
 * nodes (type 0) or chunk nodes (type 1, with 2 and 3 key dimensions), whatever the node claims.
 */
#include "fuzz_common.h"

#include "btree/btree.h"

#define MAX_TREES 16
#define MAX_RECORDS 100000

static h5rd_err count_cb(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                         uint64_t child_addr, void *ud, struct h5rd_error *ec)
{
    (void)f;
    (void)child_addr;
    uint64_t *n = ud;
    /* Touch the key bytes so ASan checks the range the iterator hands out. */
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < key_nbytes; i++) {
        sink ^= key[i];
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
    size_t n = fz_find_sig(&im, data, size, "TREE", at, MAX_TREES);
    for (size_t i = 0; i < n; i++) {
        uint64_t abs = at[i] + im.f->sb.base_addr;
        uint8_t type = abs + 4 < size ? data[abs + 4] : 0;
        struct h5rd_error ec;
        uint64_t cnt = 0;
        h5rd__err_clear(&ec);
        if (type == 0) {
            (void)h5rd__bt1_iterate(im.f, at[i], 0, 0, count_cb, &cnt, &ec);
        } else {
            for (uint32_t nd = 2; nd <= 3; nd++) {
                cnt = 0;
                h5rd__err_clear(&ec);
                (void)h5rd__bt1_iterate(im.f, at[i], 1, nd, count_cb, &cnt, &ec);
            }
        }
    }
    fz_image_close(&im);
    return 0;
}
