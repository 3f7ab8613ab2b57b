/*
 * test_cli_cat_h5py.c - `h5rd cat` where h5py's reading differs from the file type's bytes,
 * on corpus files (each test skips when ../shared/corpus or $H5RD_CORPUS is absent):
 *  - a scalar fixed-length string comes out as h5py's bytes object: trailing NULs dropped;
 *  - floats h5py widens (bfloat16 -> f4, x87 in 12 bytes -> 16-byte long double) come out
 *    widened, in binary and in --json;
 *  - a compound h5py reads through a conversion has its padding zeroed.
 * Expected hashes are what h5py 3.7 / libhdf5 1.10.8 reads (the corpus oracle's sha256).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oracle.h"
#include "sha256.h"

/* The corpus file 'rel', or skip the test. */
static const char *corpus_file(const char *rel, char *buf, size_t cap)
{
    const char *root = getenv("H5RD_CORPUS");
    if (root == NULL || root[0] == '\0') {
        root = H5RD_SOURCE_DIR "/../shared/corpus";
    }
    snprintf(buf, cap, "%s/%s", root, rel);
    struct stat st;
    if (stat(buf, &st) != 0) {
        cr_skip_test("corpus file %s is absent", buf);
    }
    return buf;
}

/* Runs `h5rd cat [--json] [--slice S] FILE PATH`; expects exit 0. The caller frees r. */
static void cat(struct orc_run *r, const char *file, const char *path, bool json,
                const char *slice)
{
    const char *cli = orc_cli_path();
    cr_assert(cli != NULL, "the h5rd CLI is not built");
    const char *argv[9];
    size_t n = 0;
    argv[n++] = cli;
    argv[n++] = "cat";
    if (json) {
        argv[n++] = "--json";
    }
    if (slice != NULL) {
        argv[n++] = "--slice";
        argv[n++] = slice;
    }
    argv[n++] = file;
    argv[n++] = path;
    argv[n] = NULL;
    cr_assert(orc_run(argv, 120, r) == 0);
    cr_assert(r->how == ORC_EXITED && r->code == 0, "h5rd cat %s %s: exit %d: %s", file, path,
              r->code, r->err);
}

static void expect_sha(const char *rel, const char *path, size_t nbytes, const char *sha)
{
    char f[4096];
    corpus_file(rel, f, sizeof f);
    struct orc_run r;
    cat(&r, f, path, false, NULL);
    char hex[65];
    sha256_hex((const unsigned char *)r.out, r.out_len, hex);
    cr_expect_eq(r.out_len, nbytes, "%s %s: %zu bytes, want %zu", rel, path, r.out_len, nbytes);
    cr_expect_str_eq(hex, sha, "%s %s", rel, path);
    orc_run_free(&r);
}

Test(cli_cat_h5py, scalar_fixed_string_drops_trailing_nuls)
{
    char f[4096];
    corpus_file("karlnicholas__Hdf5JavaLib/src/test/resources/all_types_separate.h5", f,
                sizeof f);
    struct orc_run r;
    cat(&r, f, "/string", false, NULL); /* 16-byte NULL-padded type */
    cr_expect_eq(r.out_len, 11);
    cr_expect(memcmp(r.out, "Hello HDF5!", 11) == 0);
    orc_run_free(&r);
    cat(&r, f, "/string", true, NULL);
    cr_expect_str_eq(r.out, "\"Hello HDF5!\"\n");
    orc_run_free(&r);
}

Test(cli_cat_h5py, scalar_fixed_string_without_nuls)
{
    char f[4096];
    corpus_file("scigolib__hdf5/testdata/hdf5_official/tscalarstring.h5", f, sizeof f);
    struct orc_run r;
    cat(&r, f, "/the_str", false, NULL); /* 64 bytes, no NUL: unchanged */
    cr_expect_eq(r.out_len, 64);
    orc_run_free(&r);
}

Test(cli_cat_h5py, bfloat16_as_f4)
{
    expect_sha("scigolib__hdf5/testdata/hdf5_official/tbfloat16.h5", "/DS16BITS", 512,
               "84f37f930df94baeac7b043ac7ede839c52f279530b37350f88a0acb1bb45db0");
    expect_sha("scigolib__hdf5/testdata/hdf5_official/tbfloat16_be.h5", "/DS16BITS", 512,
               "84f37f930df94baeac7b043ac7ede839c52f279530b37350f88a0acb1bb45db0");
    char f[4096];
    corpus_file("scigolib__hdf5/testdata/hdf5_official/tbfloat16_be.h5", f, sizeof f);
    struct orc_run r;
    cat(&r, f, "/DS16BITS", true, "1,2");
    cr_expect_str_eq(r.out, "1.0625\n");
    orc_run_free(&r);
    cat(&r, f, "/DS16BITS", false, "1,2");
    float v = 0;
    cr_assert_eq(r.out_len, 4);
    memcpy(&v, r.out, 4);
    cr_expect(v == 1.0625f);
    orc_run_free(&r);
}

Test(cli_cat_h5py, x87_in_12_bytes_as_long_double)
{
    const char *rel = "glennsong09__hdf5/tools/test/h5diff/testfiles/h5diff_basic1.h5";
    expect_sha(rel, "/g1/ld", 96,
               "d5f31e2dc4d33eb1b4f10791710f0742e04bc2948af611f677ec15683d849ed4");
    char f[4096];
    corpus_file(rel, f, sizeof f);
    struct orc_run r;
    cat(&r, f, "/g1/ld", true, NULL);
    cr_expect_str_eq(r.out, "[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]\n");
    orc_run_free(&r);
}

Test(cli_cat_h5py, converted_compound_padding_zeroed)
{
    expect_sha("glennsong09__hdf5/tools/test/h5dump/testfiles/tnestedcomp.h5",
               "/ArrayOfStructures", 320,
               "52bb0964aa6aa7338c63511d3e8260d0b60d848f39cd49cb642a97c32fa53d1a");
    expect_sha("glennsong09__hdf5/tools/test/h5dump/testfiles/tbitnopaque.h5",
               "/cmpdtypetests/compound_1", 512,
               "1c30869fe7688ffdd287c10b910eff732170f75e5f200b0dd217ce7be2541add");
}
