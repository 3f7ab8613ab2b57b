/*
 * h5read_whole.c - the libhdf5 side of bench/run_meta.sh's whole-process W4 comparison: open
 * FILE, H5Dread dataset PATH whole in its native type (default settings: sec2 driver, 1 MiB
 * chunk cache) and write the bytes to stdout - what `h5rd cat FILE PATH` writes for a numeric
 * dataset, so the two outputs are compared byte for byte before they are timed.
 *
 *   h5read_whole FILE PATH > out
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: h5read_whole FILE PATH\n");
        return 2;
    }
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f < 0 ? -1 : H5Dopen2(f, argv[2], H5P_DEFAULT);
    if (d < 0) {
        fprintf(stderr, "h5read_whole: cannot open %s %s\n", argv[1], argv[2]);
        return 1;
    }
    hid_t ft = H5Dget_type(d);
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    size_t esz = H5Tget_size(mt);
    size_t nbytes = (size_t)(n > 0 ? n : 0) * esz;
    void *buf = malloc(nbytes != 0 ? nbytes : 1);
    if (buf == NULL || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        fprintf(stderr, "h5read_whole: read failed\n");
        return 1;
    }
    if (fwrite(buf, 1, nbytes, stdout) != nbytes) {
        return 1;
    }
    free(buf);
    H5Sclose(sp);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Dclose(d);
    H5Fclose(f);
    return 0;
}
