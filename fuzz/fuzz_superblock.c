/*
 * fuzz_superblock.c - libFuzzer harness: the superblock (Spec v3.0 II.A, versions 0-3), its
 * extension, the shared message table and the metadata cache image, through the public
 * h5rd_file_open_memory and h5rd_file_get_info. Input: an HDF5 file image.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h5rd_limits lim;
    struct h5rd_open_opts o;
    for (uint32_t flags = 0; flags <= H5RD_OPEN_SKIP_CHECKSUMS; flags++) {
        fz_open_opts(&o, &lim, flags);
        h5rd_file *f = NULL;
        struct h5rd_error err;
        if (h5rd_file_open_memory(data, size, &o, &f, &err) != H5RD_OK) {
            continue;
        }
        struct h5rd_file_info info;
        (void)h5rd_file_get_info(f, &info, &err);
        h5rd_obj *root = NULL;
        if (h5rd_obj_open(f, "/", &root, &err) == H5RD_OK) {
            h5rd_obj_close(root);
        }
        h5rd_file_close(f);
    }
    return 0;
}
