/*
 * test_vds_cli.c - `h5rd vds --json FILE PATH` against what libhdf5 reports for the mappings of
 * virtual datasets (h5py's virtual_sources() / the dataset creation property list):
 *  - corpus: every oracle object with "virtual": true; its "vds" array must equal the CLI's
 *    output (H5RD_SOURCE_DIR/../shared/corpus or $H5RD_CORPUS; skipped when absent);
 *  - fixtures: fixtures/vds/expected.json (written by fixtures/vds/gen_vds.py): the mappings,
 *    the shape `ls -r --json` reports (the extent libhdf5 computes from the sources), and the
 *    sources `vds --missing --json` lists.
 * The CLI runs in the build directory, so source files resolve relative to the virtual
 * dataset's own directory, never the working directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "oracle.h"

#define TIMEOUT_S 60

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Runs the CLI with 'args' (NULL-terminated, without the program) and parses stdout as JSON.
 * Returns NULL (with a message in why) when it did not exit 0 or printed no JSON. */
static tj_value *run_json(const char *const *args, char *why, size_t why_cap)
{
    const char *argv[ORC_MAX_ARGS + 1];
    size_t n = 0;
    argv[n++] = orc_cli_path();
    for (size_t i = 0; args[i] != NULL && n < ORC_MAX_ARGS; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    struct orc_run r;
    if (orc_run(argv, TIMEOUT_S, &r) != 0) {
        snprintf(why, why_cap, "could not start the CLI");
        return NULL;
    }
    tj_value *v = NULL;
    if (r.how != ORC_EXITED || r.code != 0) {
        char end[128];
        orc_describe_end(&r, end, sizeof end);
        snprintf(why, why_cap, "%s: %.300s", end, r.err);
    } else {
        v = tj_parse(r.out, r.out_len, why, why_cap);
    }
    orc_run_free(&r);
    return v;
}

/* Compares the CLI's `vds --json` output for file/path with 'want'; returns false on a
 * difference (described in msg). */
static bool check_mappings(const char *file, const char *path, const tj_value *want, char *msg,
                           size_t cap)
{
    const char *args[] = {"vds", "--json", file, path, NULL};
    char why[1024] = "";
    tj_value *got = run_json(args, why, sizeof why);
    if (got == NULL) {
        snprintf(msg, cap, "%s %s: %s", file, path, why);
        return false;
    }
    char diff[1024] = "";
    bool ok = tj_equal(want, got, TJ_CMP_DEFAULT, "vds", diff, sizeof diff);
    if (!ok) {
        snprintf(msg, cap, "%s %s: %s", file, path, diff);
    }
    tj_free(got);
    return ok;
}

Test(vds_cli, corpus_mappings_agree_with_libhdf5, .timeout = 600)
{
    char root[4096];
    const char *env_root = getenv("H5RD_CORPUS");
    if (env_root != NULL && env_root[0] != '\0') {
        snprintf(root, sizeof root, "%s", env_root);
    } else {
        snprintf(root, sizeof root, "%s/../shared/corpus", H5RD_SOURCE_DIR);
    }
    char oracle_dir[4200];
    snprintf(oracle_dir, sizeof oracle_dir, "%s/oracle", root);
    if (!is_dir(oracle_dir)) {
        cr_skip_test("no corpus at %s (it lives outside the repository)", root);
    }
    cr_assert(orc_cli_path() != NULL, "the h5rd CLI is not built");
    size_t n = 0;
    char **files = orc_find_files(oracle_dir, ".json", &n);
    unsigned checked = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char op[8400];
        snprintf(op, sizeof op, "%s/%s", oracle_dir, files[i]);
        /* Cheap filter before parsing: only oracles with a virtual dataset. */
        FILE *fp = fopen(op, "rb");
        if (fp == NULL) {
            continue;
        }
        char *text = NULL;
        size_t len = 0;
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && st.st_size > 0) {
            text = malloc((size_t)st.st_size + 1);
            len = text != NULL ? fread(text, 1, (size_t)st.st_size, fp) : 0;
        }
        fclose(fp);
        if (text == NULL) {
            continue;
        }
        text[len] = '\0';
        bool has = strstr(text, "\"virtual\": true") != NULL;
        free(text);
        if (!has) {
            continue;
        }
        tj_value *o = tj_parse_file(op, NULL, 0);
        const tj_value *objs = tj_get(o, "objects");
        char data[8400];
        snprintf(data, sizeof data, "%s/%.*s", root, (int)(strlen(files[i]) - 5), files[i]);
        for (size_t k = 0; objs != NULL && k < objs->n; k++) {
            const tj_value *obj = &objs->items[k];
            const tj_value *want = tj_get(obj, "vds");
            if (!tj_get_bool(obj, "virtual", false) || want == NULL) {
                continue;
            }
            char msg[2048];
            checked++;
            if (!check_mappings(data, tj_get_str(obj, "path"), want, msg, sizeof msg)) {
                failed++;
                cr_log_error("%s", msg);
            }
        }
        tj_free(o);
    }
    orc_free_list(files, n);
    cr_log_info("vds corpus: %u virtual datasets checked, %u differ", checked, failed);
    cr_assert(checked > 0, "the corpus has oracles but none with a virtual dataset");
    cr_assert_eq(failed, 0, "%u of %u virtual datasets differ (see above)", failed, checked);
}

/* The listing entry of 'path' in `ls -r --json file`. */
static const tj_value *find_obj(const tj_value *listing, const char *path)
{
    for (size_t i = 0; listing != NULL && i < listing->n; i++) {
        const char *p = tj_get_str(&listing->items[i], "path");
        if (p != NULL && strcmp(p, path) == 0) {
            return &listing->items[i];
        }
    }
    return NULL;
}

Test(vds_cli, fixtures_agree_with_h5py, .timeout = 600)
{
    char exp[4200], dir[4200];
    snprintf(dir, sizeof dir, "%s/fixtures/vds/h5", H5RD_SOURCE_DIR);
    snprintf(exp, sizeof exp, "%s/fixtures/vds/expected.json", H5RD_SOURCE_DIR);
    char perr[256] = "";
    tj_value *e = tj_parse_file(exp, perr, sizeof perr);
    if (e == NULL) {
        cr_skip_test("no VDS fixtures (%s: %s)", exp, perr);
    }
    cr_assert(orc_cli_path() != NULL, "the h5rd CLI is not built");
    const tj_value *ds = tj_get(e, "datasets");
    cr_assert(ds != NULL && ds->kind == TJ_ARR && ds->n > 0, "expected.json has no datasets");
    unsigned failed = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const tj_value *d = &ds->items[i];
        const char *name = tj_get_str(d, "file");
        const char *path = tj_get_str(d, "path");
        char file[8400], msg[2048], why[1024] = "";
        snprintf(file, sizeof file, "%s/%s", dir, name);
        if (!check_mappings(file, path, tj_get(d, "vds"), msg, sizeof msg)) {
            failed++;
            cr_log_error("%s", msg);
        }
        /* the extent libhdf5 computes */
        const char *ls_args[] = {"ls", "-r", "--json", file, NULL};
        tj_value *ls = run_json(ls_args, why, sizeof why);
        const tj_value *o = find_obj(ls, path);
        char diff[1024] = "";
        if (o == NULL) {
            failed++;
            cr_log_error("%s %s: not listed by ls -r --json (%s)", name, path, why);
        } else if (!tj_equal(tj_get(d, "shape"), tj_get(o, "shape"), 0, "shape", diff, sizeof diff) ||
                   !tj_equal(tj_get(d, "maxshape"), tj_get(o, "maxshape"), 0, "maxshape", diff,
                             sizeof diff)) {
            failed++;
            cr_log_error("%s %s: %s", name, path, diff);
        }
        tj_free(ls);
        /* the missing sources */
        const char *m_args[] = {"vds", "--missing", "--json", file, path, NULL};
        tj_value *miss = run_json(m_args, why, sizeof why);
        const tj_value *want = tj_get(d, "missing");
        if (miss == NULL || miss->kind != TJ_ARR || want == NULL || miss->n != want->n) {
            failed++;
            cr_log_error("%s %s: vds --missing: want %zu entries, got %s", name, path,
                         want != NULL ? want->n : 0, miss != NULL ? "a different list" : why);
        } else {
            for (size_t k = 0; k < want->n; k++) {
                const tj_value *w = &want->items[k], *g = &miss->items[k];
                if (!tj_equal(tj_get(w, "mapping"), tj_get(g, "mapping"), 0, "mapping", diff,
                              sizeof diff) ||
                    !tj_equal(tj_get(w, "file"), tj_get(g, "file"), 0, "file", diff, sizeof diff)) {
                    failed++;
                    cr_log_error("%s %s: vds --missing: %s", name, path, diff);
                }
            }
        }
        tj_free(miss);
    }
    tj_free(e);
    cr_assert_eq(failed, 0, "%u VDS fixture checks failed (see above)", failed);
}
