/* Consumer of an installed h5rd (find_package): reads the chunked, gzip-compressed dataset
 * /measurements/temps of fixtures/h5/demo.h5 and compares it with what h5py reads:
 *   /usr/bin/python3 -c "import h5py; print(h5py.File('fixtures/h5/demo.h5')['/measurements/temps'][...])"
 * Usage: consumer_c SOURCE_DIR/fixtures/h5/demo.h5 */
#include <h5rd.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *call, const struct h5rd_error *err)
{
    fprintf(stderr, "consumer_c: %s: %s (%s) path '%s' offset %llu\n", call,
            h5rd_strerror(err->code), err->what ? err->what : "", err->path,
            (unsigned long long)err->file_offset);
    return 1;
}

int main(int argc, char **argv)
{
    /* h5py: float64 (3, 4), chunks (2, 2), gzip. */
    static const double expected[3][4] = {{273.15, 274.0, 275.5, 280.25},
                                          {290.0, 291.5, 293.0, 295.75},
                                          {300.0, 301.25, 302.5, 310.0}};
    struct h5rd_error err;
    h5rd_file *file;
    h5rd_obj *dset;
    struct h5rd_space space;
    double got[3][4];
    int bad = 0;
    unsigned i, j;

    if (argc != 2) {
        fprintf(stderr, "usage: consumer_c demo.h5\n");
        return 2;
    }
    if (strcmp(h5rd_version(), H5RD_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer_c: header %s, library %s\n", H5RD_VERSION_STRING, h5rd_version());
        return 1;
    }
    if (h5rd_file_open(argv[1], NULL, &file, &err) != H5RD_OK)
        return fail("h5rd_file_open", &err);
    if (h5rd_obj_open(file, "/measurements/temps", &dset, &err) != H5RD_OK)
        return fail("h5rd_obj_open", &err);
    if (h5rd_dataset_get_space(dset, &space, &err) != H5RD_OK)
        return fail("h5rd_dataset_get_space", &err);
    if (space.rank != 2 || space.dims[0] != 3 || space.dims[1] != 4) {
        fprintf(stderr, "consumer_c: shape rank %u, want (3, 4)\n", (unsigned)space.rank);
        return 1;
    }
    if (h5rd_dataset_read(dset, NULL, NULL, got, sizeof got, NULL, &err) != H5RD_OK)
        return fail("h5rd_dataset_read", &err);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 4; j++)
            if (got[i][j] != expected[i][j]) {
                fprintf(stderr, "consumer_c: temps[%u][%u] = %.17g, h5py %.17g\n", i, j, got[i][j],
                        expected[i][j]);
                bad = 1;
            }
    printf("consumer_c: h5rd %s, /measurements/temps = [%g %g %g %g | ... | %g]%s\n",
           h5rd_version(), got[0][0], got[0][1], got[0][2], got[0][3], got[2][3],
           bad ? " MISMATCH" : " as h5py");
    h5rd_obj_close(dset);
    h5rd_file_close(file);
    return bad;
}
