/*
 * test_cli_basic.c - runs the built h5rd CLI (H5RD_CLI_PATH, or $H5RD_CLI) on project
 * fixtures and checks exit statuses, the h5ls-style text, and the JSON of `ls -r --json` and
 * `attrs --json` against the fixtures' oracles (fixtures/expected/NAME.json, written by
 * libhdf5 through h5py).
 *
 * Exit statuses: 0 success, 1 unreadable file or object (message on stderr naming it),
 * 2 usage. The corpus case skips when ../shared is absent.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "oracle.h"

#define FIXTURES H5RD_SOURCE_DIR "/fixtures"

static const char *cli(void)
{
    const char *p = orc_cli_path();
    cr_assert(p != NULL, "the h5rd CLI is not built (H5RD_CLI_PATH=\"%s\")", H5RD_CLI_PATH);
    return p;
}

/* Runs the CLI with up to 5 arguments (NULL-terminated); the caller frees r. */
static void run(struct orc_run *r, const char *a1, const char *a2, const char *a3,
                const char *a4, const char *a5)
{
    const char *argv[] = {cli(), a1, a2, a3, a4, a5, NULL};
    cr_assert(orc_run(argv, 120, r) == 0, "could not start %s", argv[0]);
    cr_assert(r->how == ORC_EXITED, "h5rd %s %s did not exit normally (how %d, code %d): %s",
              a1 ? a1 : "", a2 ? a2 : "", (int)r->how, r->code, r->err);
}

static tj_value *parse_out(const struct orc_run *r)
{
    char err[256];
    tj_value *v = tj_parse(r->out, r->out_len, err, sizeof err);
    cr_assert(v != NULL, "output is not JSON (%s): %.300s", err, r->out);
    return v;
}

static const tj_value *find_path(const tj_value *list, const char *path)
{
    for (size_t i = 0; i < list->n; i++) {
        const char *p = tj_get_str(&list->items[i], "path");
        if (p && strcmp(p, path) == 0) {
            return &list->items[i];
        }
    }
    return NULL;
}

Test(cli_basic, version_and_help)
{
    struct orc_run r;
    run(&r, "--version", NULL, NULL, NULL, NULL);
    cr_expect_eq(r.code, 0);
    cr_expect(strncmp(r.out, "h5rd ", 5) == 0, "version output: %s", r.out);
    orc_run_free(&r);

    run(&r, "--help", NULL, NULL, NULL, NULL);
    cr_expect_eq(r.code, 0);
    cr_expect(strstr(r.out, "ls") != NULL && strstr(r.out, "attrs") != NULL, "%s", r.out);
    orc_run_free(&r);
}

Test(cli_basic, usage_errors_exit_2)
{
    struct orc_run r;
    const char *cases[][3] = {
        {NULL, NULL, NULL},        {"frobnicate", NULL, NULL}, {"ls", NULL, NULL},
        {"ls", "--bogus", "x.h5"}, {"ls", "-q", "x.h5"},       {"attrs", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run(&r, cases[i][0], cases[i][1], cases[i][2], NULL, NULL);
        cr_expect_eq(r.code, 2, "case %zu: exit %d, stderr %s", i, r.code, r.err);
        cr_expect(r.err_len > 0, "case %zu: no usage message", i);
        orc_run_free(&r);
    }
    run(&r, "ls", "a.h5", "/b", "/c", NULL);
    cr_expect_eq(r.code, 2, "too many arguments: exit %d", r.code);
    orc_run_free(&r);
}

Test(cli_basic, unreadable_files_exit_1)
{
    struct orc_run r;
    run(&r, "ls", FIXTURES "/no-such-file.h5", NULL, NULL, NULL);
    cr_expect_eq(r.code, 1);
    cr_expect(strncmp(r.err, "h5rd: ", 6) == 0, "stderr: %s", r.err);
    orc_run_free(&r);

    /* Not HDF5 at all. */
    run(&r, "ls", "-r", "--json", H5RD_SOURCE_DIR "/CMakeLists.txt", NULL);
    cr_expect_eq(r.code, 1);
    cr_expect(strstr(r.err, "CMakeLists.txt") != NULL, "stderr names the file: %s", r.err);
    orc_run_free(&r);

    /* A fixture cut short: a clean failure (or a partial listing), never a crash. */
    char tmp[] = "/tmp/h5rd_cli_truncXXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0);
    FILE *in = fopen(FIXTURES "/h5/groups_latest.h5", "rb");
    cr_assert(in != NULL);
    char buf[1500];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    cr_assert(write(fd, buf, n) == (ssize_t)n);
    close(fd);
    run(&r, "ls", "-r", "--json", tmp, NULL);
    cr_expect(r.code == 1, "truncated file: exit %d", r.code);
    cr_expect(strstr(r.err, "h5rd: ") != NULL, "stderr: %s", r.err);
    orc_run_free(&r);
    run(&r, "attrs", "--json", tmp, "/", NULL);
    cr_expect(r.code == 1, "truncated file, attrs: exit %d", r.code);
    orc_run_free(&r);
    unlink(tmp);

    /* A path that does not exist. */
    run(&r, "attrs", "--json", FIXTURES "/h5/types_latest.h5", "/no/such/object", NULL);
    cr_expect_eq(r.code, 1);
    cr_expect(strstr(r.err, "/no") != NULL, "stderr names the path: %s", r.err);
    orc_run_free(&r);
}

Test(cli_basic, ls_text_h5ls_style)
{
    struct orc_run r;
    run(&r, "ls", FIXTURES "/h5/links_latest.h5", NULL, NULL, NULL);
    cr_assert_eq(r.code, 0, "stderr: %s", r.err);
    /* "name" padded to column 25, then the kind. */
    cr_expect(strstr(r.out, "\na                        Group\n") != NULL ||
                  strncmp(r.out, "a                        Group\n", 31) == 0,
              "%s", r.out);
    cr_expect(strstr(r.out, "Soft Link {") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "External Link {") != NULL, "%s", r.out);
    orc_run_free(&r);

    run(&r, "ls", "-r", FIXTURES "/h5/links_latest.h5", NULL, NULL);
    cr_assert_eq(r.code, 0, "stderr: %s", r.err);
    cr_expect(strncmp(r.out, "/                        Group\n", 31) == 0, "%s", r.out);
    cr_expect(strstr(r.out, "/a/b/leaf") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, ", same as /") != NULL, "%s", r.out);
    orc_run_free(&r);

    run(&r, "ls", "-r", "-v", FIXTURES "/h5/filters_latest.h5", NULL);
    cr_assert_eq(r.code, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "Filter-0:  ") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "Chunks:    {") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "deflate-1") != NULL, "%s", r.out);
    orc_run_free(&r);

    run(&r, "ls", FIXTURES "/h5/dataspaces_latest.h5", NULL, NULL, NULL);
    cr_assert_eq(r.code, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "Dataset {SCALAR}") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "Dataset {NULL}") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "/Inf") != NULL, "%s", r.out);
    /* As h5ls: a maximum only where it differs from the size. */
    cr_expect(strstr(r.out, "\nd2                       Dataset {3, 4}\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "\nzero_2d                  Dataset {0/Inf, 5}\n") != NULL, "%s",
              r.out);
    cr_expect(strstr(r.out, "\npartial_max              Dataset {4/10, 3/Inf}\n") != NULL, "%s",
              r.out);
    orc_run_free(&r);

    /* h5ls's link wording: "file//path" with the path's leading slash dropped. */
    run(&r, "ls", FIXTURES "/h5/links_latest.h5", NULL, NULL, NULL);
    cr_expect(strstr(r.out, "External Link {links_target.h5//tgt/data}\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "Soft Link {/does/not/exist}\n") != NULL, "%s", r.out);
    orc_run_free(&r);
}

/* Names h5ls escapes, at every offset around the 8- and 16-byte steps the listing scans them
 * in: the text equals h5ls's byte for byte (expected/groups_names_earliest.h5ls is `h5ls -r`
 * of the fixture, libhdf5 1.10.8). */
Test(cli_basic, ls_escaped_names_equal_h5ls)
{
    FILE *fp = fopen(FIXTURES "/expected/groups_names_earliest.h5ls", "rb");
    cr_assert_not_null(fp);
    char want[16384];
    size_t n = fread(want, 1, sizeof want - 1, fp);
    fclose(fp);
    cr_assert(n > 0 && n < sizeof want - 1);
    want[n] = '\0';
    struct orc_run r;
    run(&r, "ls", "-r", FIXTURES "/h5/groups_names_earliest.h5", NULL, NULL);
    cr_assert_eq(r.code, 0, "stderr: %s", r.err);
    cr_expect_eq(r.out_len, n, "%zu bytes, h5ls %zu:\n%s", r.out_len, n, r.out);
    cr_expect(memcmp(r.out, want, n < r.out_len ? n : r.out_len) == 0, "%s", r.out);
    orc_run_free(&r);
}

/* Attributes equal the oracle's, except those libhdf5 itself could not read ({"error"}),
 * which h5rd may well read. */
static void check_attrs(const tj_value *want, const tj_value *got, const char *base)
{
    cr_assert(want && want->kind == TJ_OBJ, "%s: oracle attrs missing", base);
    cr_assert(got && got->kind == TJ_OBJ, "%s: attrs missing", base);
    cr_expect_eq(got->n, want->n, "%s: %zu attributes, oracle %zu", base, got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        const tj_value *w = &want->items[i];
        if (tj_get(w, "error")) {
            continue;
        }
        char b[700], diff[512];
        snprintf(b, sizeof b, "%s@%s", base, want->keys[i]);
        cr_expect(tj_equal(w, tj_get(got, want->keys[i]), TJ_CMP_DEFAULT, b, diff, sizeof diff),
                  "%s", diff);
    }
}

/* `ls -r --json` matches the oracle object for object: kinds, dataset properties, attrs. */
static void check_listing(const char *name)
{
    char h5[512], js[512], err[256];
    snprintf(h5, sizeof h5, FIXTURES "/h5/%s.h5", name);
    snprintf(js, sizeof js, FIXTURES "/expected/%s.json", name);
    tj_value *want = tj_parse_file(js, err, sizeof err);
    cr_assert(want != NULL, "%s: %s", js, err);
    const tj_value *wobjs = tj_get(want, "objects");
    cr_assert(wobjs && wobjs->kind == TJ_ARR);

    struct orc_run r;
    run(&r, "ls", "-r", "--json", h5, NULL);
    cr_expect_eq(r.code, 0, "%s: exit %d: %s", name, r.code, r.err);
    tj_value *got = parse_out(&r);
    cr_assert(got->kind == TJ_ARR && got->n > 0);
    cr_expect_eq(got->n, wobjs->n, "%s: %zu objects, oracle %zu", name, got->n, wobjs->n);
    cr_expect_str_eq(tj_get_str(&got->items[0], "path"), "/");
    cr_expect_str_eq(tj_get_str(&got->items[0], "kind"), "group");

    static const char *const keys[] = {"shape",   "maxshape", "dtype", "layout",
                                       "chunks",  "filters",  "target", "file"};
    for (size_t i = 0; i < wobjs->n; i++) {
        const tj_value *w = &wobjs->items[i];
        const char *path = tj_get_str(w, "path");
        const char *wkind = tj_get_str(w, "kind");
        const tj_value *g = i < got->n ? &got->items[i] : NULL;
        cr_assert(g != NULL, "%s: %s missing", name, path);
        cr_expect_str_eq(tj_get_str(g, "path"), path, "%s: object %zu", name, i);
        if (strcmp(wkind, "hard_link_seen") == 0) {
            cr_expect(tj_get(g, "same_as") != NULL, "%s: %s should be same_as", name, path);
            continue;
        }
        cr_expect_str_eq(tj_get_str(g, "kind"), wkind, "%s: %s", name, path);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const tj_value *wv = tj_get(w, keys[k]);
            if (!wv) {
                continue;
            }
            char diff[512];
            char base[600];
            snprintf(base, sizeof base, "%s:%s.%s", name, path, keys[k]);
            cr_expect(tj_equal(wv, tj_get(g, keys[k]), TJ_CMP_DEFAULT, base, diff, sizeof diff),
                      "%s", diff);
        }
        if (tj_get(w, "attrs")) {
            char base[600];
            snprintf(base, sizeof base, "%s:%s", name, path);
            check_attrs(tj_get(w, "attrs"), tj_get(g, "attrs"), base);
        }
    }
    tj_free(got);
    tj_free(want);
    orc_run_free(&r);
}

Test(cli_basic, ls_json_links)
{
    check_listing("links_latest");
}

Test(cli_basic, ls_json_types)
{
    check_listing("types_latest");
    check_listing("types_earliest");
}

Test(cli_basic, ls_json_layouts_filters)
{
    check_listing("layouts_latest");
    check_listing("filters_latest");
    check_listing("dataspaces_latest");
}

Test(cli_basic, attrs_json_matches_oracle)
{
    char err[256];
    tj_value *want = tj_parse_file(FIXTURES "/expected/types_latest.json", err, sizeof err);
    cr_assert(want != NULL, "%s", err);
    const tj_value *w = find_path(tj_get(want, "objects"), "/attrs");
    cr_assert(w != NULL);

    struct orc_run r;
    run(&r, "attrs", "--json", FIXTURES "/h5/types_latest.h5", "/attrs", NULL);
    cr_expect_eq(r.code, 0, "stderr: %s", r.err);
    tj_value *got = parse_out(&r);
    check_attrs(tj_get(w, "attrs"), got, "/attrs");
    tj_free(got);
    orc_run_free(&r);

    /* The text form prints one line per attribute. */
    run(&r, "attrs", FIXTURES "/h5/types_latest.h5", "/attrs", NULL, NULL);
    cr_expect_eq(r.code, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "bool_scalar") != NULL, "%s", r.out);
    orc_run_free(&r);
    tj_free(want);
}

Test(cli_basic, corpus_file_matches_oracle)
{
    const char *rel = "jamesmudd__jhdf/jhdf/src/test/resources/hdf5/test_file2.hdf5";
    char h5[512], js[512], err[256];
    snprintf(h5, sizeof h5, "%s/../shared/corpus/%s", H5RD_SOURCE_DIR, rel);
    snprintf(js, sizeof js, "%s/../shared/corpus/oracle/%s.json", H5RD_SOURCE_DIR, rel);
    if (access(h5, R_OK) != 0 || access(js, R_OK) != 0) {
        cr_skip_test("corpus not present (%s)", h5);
    }
    tj_value *want = tj_parse_file(js, err, sizeof err);
    cr_assert(want != NULL, "%s", err);
    struct orc_run r;
    run(&r, "ls", "-r", "--json", h5, NULL);
    cr_expect_eq(r.code, 0, "stderr: %s", r.err);
    tj_value *got = parse_out(&r);
    const tj_value *wobjs = tj_get(want, "objects");
    cr_assert_eq(got->n, wobjs->n);
    for (size_t i = 0; i < wobjs->n; i++) {
        const tj_value *w = &wobjs->items[i];
        const char *path = tj_get_str(w, "path");
        cr_expect_str_eq(tj_get_str(&got->items[i], "path"), path);
        if (strcmp(tj_get_str(w, "kind"), "hard_link_seen") == 0) {
            continue;
        }
        const char *keys[] = {"kind", "dtype", "shape", "attrs", "target"};
        for (size_t k = 0; k < 5; k++) {
            if (tj_get(w, keys[k])) {
                char diff[512];
                cr_expect(tj_equal(tj_get(w, keys[k]), tj_get(&got->items[i], keys[k]),
                                   TJ_CMP_DEFAULT, path, diff, sizeof diff),
                          "%s", diff);
            }
        }
    }
    tj_free(got);
    tj_free(want);
    orc_run_free(&r);
}
