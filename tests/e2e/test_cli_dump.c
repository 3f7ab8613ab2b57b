/*
 * test_cli_dump.c - `h5rd dump` against what h5dump 1.10.8 prints for the same fixtures
 * (fixtures/expected/dump/, written by fixtures/gen/gen_dump_expected.sh; h5dump itself is not
 * needed here).
 *
 * Where h5rd matches h5dump exactly (integers, strings, groups, links, compounds, enums,
 * arrays, vlen, opaque, bitfields, and floats that h5dump's %g prints exactly) the whole text
 * must be equal but for the first line, which names the file as given on the command line.
 * Where the formatting deliberately differs - floats, which h5rd prints with enough digits to
 * round-trip while h5dump rounds them to 6 - the two are compared value by value: the same
 * sequence of tokens once the "(i,j):" index prefixes are dropped (rows wrap at other places
 * when numbers are longer), every number in h5rd's text equal to h5dump's once rounded to
 * h5dump's "%g", and it must read back as the value itself (at most 17 digits).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

#define FIXTURES H5RD_SOURCE_DIR "/fixtures"

static const char *cli(void)
{
    const char *p = orc_cli_path();
    cr_assert(p != NULL, "the h5rd CLI is not built (H5RD_CLI_PATH=\"%s\")", H5RD_CLI_PATH);
    return p;
}

static void run(struct orc_run *r, const char *a1, const char *a2, const char *a3,
                const char *a4, const char *a5)
{
    const char *argv[] = {cli(), a1, a2, a3, a4, a5, NULL};
    cr_assert(orc_run(argv, 120, r) == 0, "could not start %s", argv[0]);
    cr_assert(r->how == ORC_EXITED, "h5rd %s %s did not exit normally: %s", a1 ? a1 : "",
              a2 ? a2 : "", r->err);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            cr_assert(buf != NULL);
        }
        size_t k = fread(buf + n, 1, 4096, f);
        n += k;
        if (k == 0) {
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The text after the first line. */
static const char *after_first_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl ? nl + 1 : s + strlen(s);
}

/* Runs `h5rd dump [opt] FIXTURE [path]` and checks the first line names the file as given. */
static void run_dump(struct orc_run *r, const char *opt, const char *name, const char *path)
{
    char h5[512];
    snprintf(h5, sizeof h5, FIXTURES "/h5/%s.h5", name);
    if (opt) {
        run(r, "dump", opt, h5, path, NULL);
    } else {
        run(r, "dump", h5, path, NULL, NULL);
    }
    cr_assert_eq(r->code, 0, "%s: exit %d: %s", name, r->code, r->err);
    char first[600];
    snprintf(first, sizeof first, "HDF5 \"%s\" {\n", h5);
    cr_expect(strncmp(r->out, first, strlen(first)) == 0, "%s: first line: %.200s", name, r->out);
}

static void expect_exact(const char *expected_file, const char *opt, const char *name,
                         const char *path)
{
    char want_path[512];
    snprintf(want_path, sizeof want_path, FIXTURES "/expected/dump/%s.txt", expected_file);
    size_t wlen;
    char *want = slurp(want_path, &wlen);
    char first[300];
    snprintf(first, sizeof first, "HDF5 \"%s.h5\" {\n", name);
    cr_assert(strncmp(want, first, strlen(first)) == 0, "%s: %.100s", want_path, want);
    struct orc_run r;
    run_dump(&r, opt, name, path);
    const char *w = after_first_line(want), *g = after_first_line(r.out);
    if (strcmp(w, g) != 0) {
        /* Name the first differing line. */
        size_t line = 2;
        const char *a = w, *b = g;
        while (*a && *a == *b) {
            line += *a == '\n';
            a++;
            b++;
        }
        const char *as = a, *bs = b;
        while (as > w && as[-1] != '\n') {
            as--;
        }
        while (bs > g && bs[-1] != '\n') {
            bs--;
        }
        cr_expect(0, "%s: line %zu differs:\n  h5dump: %.*s\n  h5rd:   %.*s", expected_file, line,
                  (int)strcspn(as, "\n"), as, (int)strcspn(bs, "\n"), bs);
    }
    free(want);
    orc_run_free(&r);
}

Test(cli_dump, matches_h5dump_exactly)
{
    static const char *const names[] = {"demo",          "dataspaces_latest",
                                        "links_latest",  "attrs_latest",
                                        "groups_symtab_earliest", "layouts_latest",
                                        "chunkidx_latest", "fillvalue_latest"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        expect_exact(names[i], "--all", names[i], NULL);
    }
    static const char *const groups[][2] = {
        {"types_latest@ds_int", "/ds/int"},           {"types_latest@ds_compound", "/ds/compound"},
        {"types_latest@ds_enum", "/ds/enum"},         {"types_latest@ds_str", "/ds/str"},
        {"types_latest@ds_vlen", "/ds/vlen"},         {"types_latest@ds_misc", "/ds/misc"},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        expect_exact(groups[i][0], "--all", "types_latest", groups[i][1]);
    }
}

Test(cli_dump, dataset_attribute_and_header)
{
    expect_exact("demo-d", NULL, "demo", "/measurements/temps");
    expect_exact("demo-a", NULL, "demo", "/measurements/units");
    expect_exact("demo-H", "-A", "demo", NULL);
    expect_exact("demo-H", "--header", "demo", NULL);
}

/* Tokens of a dump: split at blanks and commas, index prefixes "(i,j):" dropped. */
struct toks {
    char **v;
    size_t n, cap;
};

static void tokenize(const char *s, struct toks *t)
{
    memset(t, 0, sizeof *t);
    while (*s) {
        while (*s && (isspace((unsigned char)*s) || *s == ',')) {
            s++;
        }
        if (!*s) {
            break;
        }
        const char *e = s;
        while (*e && !isspace((unsigned char)*e) && *e != ',') {
            e++;
        }
        size_t n = (size_t)(e - s);
        int is_index = n >= 4 && s[0] == '(' && s[n - 1] == ':' && s[n - 2] == ')';
        for (size_t k = 1; is_index && k + 2 < n; k++) {
            is_index = isdigit((unsigned char)s[k]) || s[k] == ',';
        }
        if (!is_index) {
            if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 256;
                t->v = realloc(t->v, t->cap * sizeof *t->v);
                cr_assert(t->v != NULL);
            }
            t->v[t->n++] = strndup(s, n);
        }
        s = e;
    }
}

static void toks_free(struct toks *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i]);
    }
    free(t->v);
}

/* h5rd's number 'got' against h5dump's 'want': equal after %g rounding, and 'got' itself
 * round-trips (it is what was read back). Brackets of array elements stay attached. */
static int same_number(const char *want, const char *got)
{
    size_t wl = strlen(want), gl = strlen(got);
    /* Peel matching punctuation ("[", "]", "(", ")", "{") off both ends. */
    size_t a = 0;
    while (a < wl && a < gl && want[a] == got[a] && strchr("[](){", want[a])) {
        a++;
    }
    while (wl > a && gl > a && want[wl - 1] == got[gl - 1] && strchr("[](){", want[wl - 1])) {
        wl--;
        gl--;
    }
    char w[64], g[64];
    if (wl - a >= sizeof w || gl - a >= sizeof g) {
        return 0;
    }
    memcpy(w, want + a, wl - a);
    w[wl - a] = '\0';
    memcpy(g, got + a, gl - a);
    g[gl - a] = '\0';
    char *end;
    double gv = strtod(g, &end);
    if (end == g || *end != '\0' || strlen(g) > 24) {
        return 0;
    }
    char rounded[64];
    snprintf(rounded, sizeof rounded, "%g", gv);
    return strcmp(rounded, w) == 0;
}

static void expect_values(const char *expected_file, const char *name, const char *path)
{
    char want_path[512];
    snprintf(want_path, sizeof want_path, FIXTURES "/expected/dump/%s.txt", expected_file);
    size_t wlen;
    char *want = slurp(want_path, &wlen);
    struct orc_run r;
    run_dump(&r, "--all", name, path);
    struct toks tw, tg;
    tokenize(after_first_line(want), &tw);
    tokenize(after_first_line(r.out), &tg);
    cr_expect_eq(tg.n, tw.n, "%s: %zu tokens, h5dump %zu", expected_file, tg.n, tw.n);
    size_t numbers = 0, differ = 0;
    for (size_t i = 0; i < tw.n && i < tg.n; i++) {
        if (strcmp(tw.v[i], tg.v[i]) == 0) {
            continue;
        }
        numbers++;
        if (!same_number(tw.v[i], tg.v[i])) {
            differ++;
            cr_expect(0, "%s: token %zu: h5dump %s, h5rd %s", expected_file, i, tw.v[i], tg.v[i]);
        }
    }
    cr_expect(numbers > 0, "%s: expected some floats printed with more digits", expected_file);
    cr_expect_eq(differ, 0);
    toks_free(&tw);
    toks_free(&tg);
    free(want);
    orc_run_free(&r);
}

Test(cli_dump, float_values_equal_h5dump)
{
    expect_values("sb0_earliest", "sb0_earliest", NULL);
    expect_values("types_latest@ds_float", "types_latest", "/ds/float");
    expect_values("types_latest@ds_array", "types_latest", "/ds/array");
}

/* The digits h5rd prints are the value: pi as a float and as a double. */
Test(cli_dump, floats_round_trip)
{
    struct orc_run r;
    run_dump(&r, NULL, "types_latest", "/ds/float/le_f4");
    cr_expect(strstr(r.out, "3.1415927\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "3.40282347e+38") != NULL || strstr(r.out, "3.4028235e+38") != NULL,
              "%s", r.out);
    orc_run_free(&r);
}

Test(cli_dump, head_of_large_datasets)
{
    struct orc_run all, head;
    run_dump(&all, "--all", "chunkidx_latest", NULL);
    run_dump(&head, NULL, "chunkidx_latest", NULL);
    cr_expect(strstr(all.out, "more elements") == NULL);
    const char *more = strstr(head.out, " more elements (--all prints them)\n");
    cr_assert(more != NULL, "no head note: %.500s", head.out);
    cr_expect(head.out_len < all.out_len);
    /* Everything before the line ending the head (its last element has no comma) is the
     * same text as the full dump. */
    const char *line = more;
    for (int k = 0; k < 2; k++) {
        if (line > head.out) {
            line--;
        }
        while (line > head.out && line[-1] != '\n') {
            line--;
        }
    }
    size_t same = (size_t)(line - head.out);
    cr_expect(strncmp(head.out, all.out, same) == 0);
    orc_run_free(&all);
    orc_run_free(&head);
}

Test(cli_dump, errors)
{
    struct orc_run r;
    run(&r, "dump", NULL, NULL, NULL, NULL);
    cr_expect_eq(r.code, 2);
    orc_run_free(&r);
    run(&r, "dump", "--frobnicate", FIXTURES "/h5/demo.h5", NULL, NULL);
    cr_expect_eq(r.code, 2);
    cr_expect(strstr(r.err, "--frobnicate") != NULL, "%s", r.err);
    orc_run_free(&r);
    run(&r, "dump", FIXTURES "/h5/demo.h5", "/no/such/thing", NULL, NULL);
    cr_expect_eq(r.code, 1);
    cr_expect(strstr(r.err, "/no") != NULL, "%s", r.err);
    orc_run_free(&r);
    run(&r, "dump", FIXTURES "/h5/no-such-file.h5", NULL, NULL, NULL);
    cr_expect_eq(r.code, 1);
    orc_run_free(&r);
}
