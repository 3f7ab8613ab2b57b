/*
 * test_fixtures.c - `h5rd ls -r --json` on every project fixture, judged
 * against fixtures/expected/NAME.json (what libhdf5 read through h5py when the
 * fixture was generated; same format and rules as the corpus oracles, see
 * tests/support/oracle.c).
 *
 * The HDF5 file of an expected JSON is its "file" key taken relative to
 * fixtures/ (e.g. "h5/attrs_earliest.h5"), else fixtures/h5/NAME.h5.
 * One assertion per failing fixture lists up to 20 differences, so one run
 * shows every mismatch. Skips when fixtures/expected holds no JSON yet; fails
 * when fixtures exist but the CLI was not built.
 * H5RD_FIXTURE_FILTER=substring runs a subset.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "oracle.h"

#define MAX_DIFFS 20
#define TIMEOUT_S 60

/* The fixture's HDF5 path, malloc'd, or NULL when it cannot be found. */
static char *data_path_for(const char *fixdir, const char *expected_rel, const char *oracle_path)
{
    char buf[8192];
    tj_value *o = tj_parse_file(oracle_path, NULL, 0);
    const char *file = tj_get_str(o, "file");
    if (file != NULL && file[0] != '\0' && file[0] != '/') {
        snprintf(buf, sizeof buf, "%s/%s", fixdir, file);
        if (access(buf, R_OK) == 0) {
            tj_free(o);
            return strdup(buf);
        }
    }
    tj_free(o);
    size_t len = strlen(expected_rel);
    snprintf(buf, sizeof buf, "%s/h5/%.*s.h5", fixdir, (int)(len - 5), expected_rel);
    if (access(buf, R_OK) == 0) {
        return strdup(buf);
    }
    return NULL;
}

Test(fixtures, cli_agrees_with_expected, .timeout = 1100)
{
    char fixdir[4096];
    char expdir[4200];
    snprintf(fixdir, sizeof fixdir, "%s/fixtures", H5RD_SOURCE_DIR);
    snprintf(expdir, sizeof expdir, "%s/expected", fixdir);
    size_t nfiles = 0;
    char **files = orc_find_files(expdir, ".json", &nfiles);
    if (nfiles == 0) {
        orc_free_list(files, nfiles);
        cr_skip_test("no fixtures in %s yet", expdir);
    }
    const char *cli = orc_cli_path();
    cr_assert(cli != NULL, "the h5rd CLI is not built (H5RD_CLI_PATH=\"%s\")", H5RD_CLI_PATH);

    const char *filter = getenv("H5RD_FIXTURE_FILTER");
    struct orc_case *cases = calloc(nfiles, sizeof *cases);
    cr_assert(cases != NULL);
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (filter != NULL && filter[0] != '\0' && strstr(files[i], filter) == NULL) {
            continue;
        }
        char opath[8400];
        snprintf(opath, sizeof opath, "%s/%s", expdir, files[i]);
        char *data = data_path_for(fixdir, files[i], opath);
        cr_expect(data != NULL, "%s: no HDF5 file for it (\"file\" key or h5/NAME.h5)",
                  files[i]);
        if (data == NULL) {
            continue;
        }
        struct orc_case *c = &cases[n++];
        c->name = files[i];
        c->data_path = data;
        c->oracle_path = strdup(opath);
    }

    orc_check_cases(cases, n, cli, orc_default_parallel(), TIMEOUT_S, 0, MAX_DIFFS);
    size_t fail = 0;
    for (size_t i = 0; i < n; i++) {
        struct orc_case *c = &cases[i];
        const char *v = c->done ? c->verdict : "not run";
        if (v != NULL) {
            fail++;
            cr_expect(false, "fixture %s:\n%s", c->name, v);
        }
    }
    cr_log_info("fixtures: %zu checked, %zu pass, %zu fail", n, n - fail, fail);

    orc_free_case_results(cases, n);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].data_path);
        free(cases[i].oracle_path);
    }
    free(cases);
    orc_free_list(files, nfiles);
}
