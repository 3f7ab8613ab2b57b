/*
 * test_udlink.c - user-defined links (link type >= 64 other than external): listed, not
 * followed, with their link type number and value size. fixtures/udlink/udlink.h5 is made by
 * fixtures/gen/gen_udlink.py (an external link's type byte patched to 187); h5ls 1.10 lists
 * it as `UD Link {cannot follow UD links}` and exits 0, h5dump shows LINKCLASS 187. The
 * corpus copy of libhdf5's tudlink.h5 (two class-187 links; value sizes read from its bytes:
 * 0 and 4) is checked when ../shared/corpus exists.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "h5rd.h"

#define FIXTURE H5RD_SOURCE_DIR "/fixtures/udlink/udlink.h5"

static int run(const char *args, const char *file, char *out, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' 2>/dev/null", H5RD_CLI_PATH, args, file);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(udlink, api_lists_type_and_value_size)
{
    h5rd_file *f = NULL;
    cr_assert_eq(h5rd_file_open(FIXTURE, NULL, &f, NULL), H5RD_OK);
    h5rd_obj *root = NULL;
    cr_assert_eq(h5rd_obj_open(f, "/", &root, NULL), H5RD_OK);
    struct h5rd_link l;
    cr_assert_eq(h5rd_group_find_link(root, "ud187", &l, NULL), H5RD_OK);
    cr_expect_eq(l.type, H5RD_LINK_USER);
    cr_expect_eq(l.type_number, 187);
    cr_expect_eq(l.value_nbytes, 23); /* flags byte + "somefile.h5\0" + "/somepath\0" */
    cr_assert_eq(h5rd_group_find_link(root, "soft", &l, NULL), H5RD_OK);
    cr_expect_eq(l.type_number, 1);
    cr_expect_eq(l.value_nbytes, 5); /* "/data" */
    cr_assert_eq(h5rd_group_find_link(root, "data", &l, NULL), H5RD_OK);
    cr_expect_eq(l.type_number, 0);
    cr_expect_eq(l.value_nbytes, 0);
    h5rd_obj *o = NULL;
    cr_expect_eq(h5rd_obj_open(f, "/ud187", &o, NULL), H5RD_E_UNSUPPORTED);
    h5rd_obj_close(root);
    h5rd_file_close(f);
}

Test(udlink, ls_text_and_json)
{
    char out[8192];
    cr_assert_eq(run("ls -r", FIXTURE, out, sizeof out), 0, "%s", out);
    cr_expect_str_eq(out, "/                        Group\n"
                          "/data                    Dataset {4}\n"
                          "/soft                    Soft Link {/data}\n"
                          "/ud187                   UD Link {cannot follow UD links}, link type "
                          "187, 23 bytes of value\n");
    cr_assert_eq(run("ls -r --json", FIXTURE, out, sizeof out), 0, "%s", out);
    cr_expect_neq(strstr(out, "{\"path\": \"/ud187\", \"kind\": \"user_defined\", \"link_type\": "
                              "187, \"value_nbytes\": 23}"),
                  NULL, "%s", out);
    cr_assert_eq(run("check", FIXTURE, out, sizeof out), 0, "%s", out);
}

Test(udlink, corpus_tudlink)
{
    const char *file = H5RD_SOURCE_DIR "/../shared/corpus/scigolib__hdf5/testdata/hdf5_official/tudlink.h5";
    if (access(file, R_OK) != 0) {
        cr_skip_test("no corpus");
    }
    char out[8192];
    cr_assert_eq(run("ls -r --json", file, out, sizeof out), 0, "%s", out);
    cr_expect_str_eq(out, "[\n{\"path\": \"/\", \"kind\": \"group\", \"attrs\": {}},\n"
                          "{\"path\": \"/udlink1\", \"kind\": \"user_defined\", \"link_type\": 187, "
                          "\"value_nbytes\": 0},\n"
                          "{\"path\": \"/udlink2\", \"kind\": \"user_defined\", \"link_type\": 187, "
                          "\"value_nbytes\": 4}\n]\n");
}
