/* Consumer of an installed h5rd built with a plain compiler command and pkg-config:
 *   cc main.c $(pkg-config --cflags --libs h5rd)          (shared install)
 *   cc main.c $(pkg-config --static --cflags --libs h5rd) (static install)
 * Reads /bitshuffle_lz4 of fixtures/h5/filters_latest.h5 (float64 (400,), bitshuffle + LZ4,
 * the required lz4 dependency) and compares elements with h5py:
 *   b = h5py.File('fixtures/h5/filters_latest.h5')['bitshuffle_lz4'][...]
 *   [repr(float(b[i])) for i in (0, 1, 7, 199, 399)]
 * Usage: consumer_pc SOURCE_DIR/fixtures/h5/filters_latest.h5 */
#include <h5rd.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    static const unsigned idx[5] = {0, 1, 7, 199, 399};
    static const double want[5] = {0.0, 9.983341664682817, 64.4217687237691, 86.76441006416673,
                                   80.79734036669852};
    static double vals[400];
    struct h5rd_error err;
    h5rd_file *file;
    h5rd_obj *dset;
    int bad = 0;
    unsigned i;

    if (argc != 2) {
        fprintf(stderr, "usage: consumer_pc filters_latest.h5\n");
        return 2;
    }
    if (h5rd_file_open(argv[1], NULL, &file, &err) != H5RD_OK ||
        h5rd_obj_open(file, "/bitshuffle_lz4", &dset, &err) != H5RD_OK ||
        h5rd_dataset_read(dset, NULL, NULL, vals, sizeof vals, NULL, &err) != H5RD_OK) {
        fprintf(stderr, "consumer_pc: %s (%s) path '%s'\n", h5rd_strerror(err.code),
                err.what ? err.what : "", err.path);
        return 1;
    }
    for (i = 0; i < 5; i++)
        if (vals[idx[i]] != want[i]) {
            fprintf(stderr, "consumer_pc: bitshuffle_lz4[%u] = %.17g, h5py %.17g\n", idx[i],
                    vals[idx[i]], want[i]);
            bad = 1;
        }
    printf("consumer_pc: /bitshuffle_lz4[0, 1, 7, 199, 399] = %.17g %.17g %.17g %.17g %.17g%s\n",
           vals[0], vals[1], vals[7], vals[199], vals[399], bad ? " MISMATCH" : " as h5py");
    h5rd_obj_close(dset);
    h5rd_file_close(file);
    return bad;
}
