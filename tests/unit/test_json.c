/*
 * test_json.c - unit tests for the e2e test support: the JSON reader and
 * comparator (tests/support/json.h) and the oracle judge and process runner
 * (tests/support/oracle.h).
 *
 * Besides hand-written cases, every corpus oracle (/work/shared/corpus/oracle,
 * found as H5RD_SOURCE_DIR/../shared/corpus; skipped when absent) is parsed,
 * round-tripped, compared with itself and with mutated copies, and turned into
 * the listing the CLI is meant to print, which the judge must accept.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json.h"
#include "oracle.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static tj_value *P(const char *s)
{
    char err[200];
    tj_value *v = tj_parse(s, strlen(s), err, sizeof err);
    cr_assert(v != NULL, "parse failed: %s: %s", s, err);
    return v;
}

static bool rejects(const char *s)
{
    char err[200];
    tj_value *v = tj_parse(s, strlen(s), err, sizeof err);
    bool rejected = v == NULL;
    tj_free(v);
    return rejected;
}

static bool same(const char *a, const char *b, char *diff, size_t cap)
{
    tj_value *x = P(a);
    tj_value *y = P(b);
    bool eq = tj_equal(x, y, TJ_CMP_DEFAULT, "", diff, cap);
    tj_free(x);
    tj_free(y);
    return eq;
}

/* Renders v completely (growing the buffer until nothing is cut). */
static char *render_alloc(const tj_value *v)
{
    size_t cap = 4096;
    while (true) {
        char *buf = malloc(cap);
        cr_assert(buf != NULL);
        tj_render(v, buf, cap);
        if (strlen(buf) + 8 < cap) {
            return buf;
        }
        free(buf);
        cap *= 4;
    }
}

static tj_value *deep_copy(const tj_value *v)
{
    char *txt = render_alloc(v);
    tj_value *c = P(txt);
    free(txt);
    return c;
}

static void obj_set(tj_value *o, const char *key, const char *json)
{
    cr_assert(o->kind == TJ_OBJ);
    tj_value *nv = P(json);
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->keys[i], key) == 0) {
            tj_value old = o->items[i];
            o->items[i] = *nv;
            free(nv);
            tj_value *tmp = malloc(sizeof *tmp);
            *tmp = old;
            tj_free(tmp);
            return;
        }
    }
    o->items = realloc(o->items, (o->n + 1) * sizeof *o->items);
    o->keys = realloc(o->keys, (o->n + 1) * sizeof *o->keys);
    cr_assert(o->items != NULL && o->keys != NULL);
    o->items[o->n] = *nv;
    o->keys[o->n] = strdup(key);
    o->n++;
    free(nv);
}

static void obj_del(tj_value *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->keys[i], key) == 0) {
            tj_value *tmp = malloc(sizeof *tmp);
            *tmp = o->items[i];
            tj_free(tmp);
            free(o->keys[i]);
            memmove(&o->items[i], &o->items[i + 1], (o->n - i - 1) * sizeof *o->items);
            memmove(&o->keys[i], &o->keys[i + 1], (o->n - i - 1) * sizeof *o->keys);
            o->n--;
            return;
        }
    }
}

/* Reverses the member order of every object (must not change equality). */
static void reverse_keys(tj_value *v)
{
    for (size_t i = 0; i < v->n; i++) {
        reverse_keys(&v->items[i]);
    }
    if (v->kind == TJ_OBJ && v->n > 1) {
        for (size_t i = 0, j = v->n - 1; i < j; i++, j--) {
            tj_value t = v->items[i];
            v->items[i] = v->items[j];
            v->items[j] = t;
            char *k = v->keys[i];
            v->keys[i] = v->keys[j];
            v->keys[j] = k;
        }
    }
}

/* Depth-first first leaf of a kind, or NULL. */
static tj_value *first_leaf(tj_value *v, enum tj_kind kind)
{
    if (v->kind == kind) {
        return v;
    }
    for (size_t i = 0; i < v->n; i++) {
        tj_value *r = first_leaf(&v->items[i], kind);
        if (r != NULL) {
            return r;
        }
    }
    return NULL;
}

/* Turns the oracle's "NaN"/"Infinity"/"-Infinity" strings into the CLI's bare tokens. */
static void nan_strings_to_numbers(tj_value *v)
{
    if (v->kind == TJ_STR) {
        enum tj_numclass cl = TJ_FINITE;
        if (strcmp(v->str, "NaN") == 0) {
            cl = TJ_NAN;
        } else if (strcmp(v->str, "Infinity") == 0) {
            cl = TJ_POS_INF;
        } else if (strcmp(v->str, "-Infinity") == 0) {
            cl = TJ_NEG_INF;
        }
        if (cl != TJ_FINITE) {
            free(v->str);
            v->str = NULL;
            v->len = 0;
            v->kind = TJ_NUM;
            v->numclass = cl;
            v->d = cl == TJ_NAN ? NAN : cl == TJ_POS_INF ? INFINITY : -INFINITY;
        }
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        nan_strings_to_numbers(&v->items[i]);
    }
}

/*
 * The listing a correct CLI prints for an oracle: its objects, hard_link_seen
 * as same_as, data hashes and Python-side diagnostics dropped, non-finite
 * numbers as bare tokens, members in another order.
 */
static tj_value *listing_from_oracle(const tj_value *oracle)
{
    tj_value *l = deep_copy(tj_get(oracle, "objects"));
    static const char *const drop[] = {"readable", "read_error", "sha256", "json_sha256",
                                       "value", "n_chunks", "chunks_sha256", "virtual", "vds",
                                       "meta_error"};
    for (size_t i = 0; i < l->n; i++) {
        tj_value *o = &l->items[i];
        for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++) {
            obj_del(o, drop[k]);
        }
        const char *kind = tj_get_str(o, "kind");
        if (kind != NULL && strcmp(kind, "hard_link_seen") == 0) {
            obj_set(o, "kind", "\"group\"");
            obj_set(o, "same_as", "\"/\"");
        }
        const tj_value *attrs = tj_get(o, "attrs");
        if (attrs != NULL && attrs->kind == TJ_NULL) {
            obj_del(o, "attrs");
        }
    }
    nan_strings_to_numbers(l);
    reverse_keys(l);
    return l;
}

static const char *corpus_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/../shared/corpus/oracle", H5RD_SOURCE_DIR);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return NULL;
    }
    return dir;
}

/* ---- parsing ------------------------------------------------------------------------------ */

Test(json, scalars)
{
    tj_value *v = P(" null ");
    cr_expect_eq(v->kind, TJ_NULL);
    tj_free(v);
    v = P("true");
    cr_expect(v->kind == TJ_BOOL && v->b);
    tj_free(v);
    v = P("\"a\\u00e9\\ud83d\\ude00\\n\\\"\"");
    cr_expect_eq(v->kind, TJ_STR);
    cr_expect_str_eq(v->str, "a\xc3\xa9\xf0\x9f\x98\x80\n\"");
    tj_free(v);
    v = P("\"a\\u0000b\"");
    cr_expect_eq(v->len, 3);
    tj_free(v);
    /* A lone surrogate (Python's surrogateescape) still parses. */
    v = P("\"\\udc80\"");
    cr_expect_eq(v->len, 3);
    tj_free(v);
}

Test(json, integers_exact)
{
    tj_value *v = P("18446744073709551615");
    cr_expect(v->is_int && !v->neg && v->mag == UINT64_MAX);
    tj_free(v);
    v = P("-9223372036854775808");
    cr_expect(v->is_int && v->neg && v->mag == (uint64_t)INT64_MAX + 1);
    tj_free(v);
    v = P("18446744073709551616"); /* too big: a double only */
    cr_expect(!v->is_int && v->d == 18446744073709551616.0);
    tj_free(v);
    v = P("-0");
    cr_expect(v->is_int && !v->neg && v->mag == 0);
    tj_free(v);
    v = P("1.5e3");
    cr_expect(!v->is_int && v->d == 1500.0);
    tj_free(v);
}

Test(json, nonfinite_tokens)
{
    tj_value *v = P("[NaN, Infinity, -Infinity, 1e400]");
    cr_assert_eq(v->n, 4);
    cr_expect_eq(v->items[0].numclass, TJ_NAN);
    cr_expect_eq(v->items[1].numclass, TJ_POS_INF);
    cr_expect_eq(v->items[2].numclass, TJ_NEG_INF);
    cr_expect_eq(v->items[3].numclass, TJ_POS_INF);
    tj_free(v);
}

Test(json, rejects_invalid)
{
    static const char *const bad[] = {
        "",        "[1,]",     "{\"a\":1,}", "01",           "1.",        ".5",
        "+1",      "-",        "nul",        "[1 2]",        "{\"a\" 1}", "{1:2}",
        "\"a",     "\"\x01\"", "\"\\x\"",    "\"\\u12\"",    "\"\xff\"",  "\"\xc0\x80\"",
        "[1] x",   "nan",      "-NaN",       "inf",          "1e",        "[",
        "{\"a\":}", "'a'",     "\"\xed\xa0\x80\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect(rejects(bad[i]), "accepted invalid JSON: %s", bad[i]);
    }
}

Test(json, depth_limit)
{
    size_t n = 100000;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    cr_expect(rejects(s));
    free(s);
    /* 500 levels are fine. */
    char ok[1001];
    memset(ok, '[', 500);
    memset(ok + 500, ']', 500);
    ok[1000] = '\0';
    cr_expect(!rejects(ok));
}

Test(json, error_message_has_offset)
{
    char err[200];
    tj_value *v = tj_parse("[1, 2, x]", 9, err, sizeof err);
    cr_assert_null(v);
    cr_expect(strstr(err, "offset 7") != NULL, "%s", err);
}

Test(json, render)
{
    tj_value *v =
        P("{\"a\": [1, -2, 0.5, NaN, \"x\\\"y\"], \"b\": null, \"c\": 18446744073709551615}");
    char buf[200];
    cr_expect_str_eq(tj_render(v, buf, sizeof buf),
                     "{\"a\":[1,-2,0.5,NaN,\"x\\\"y\"],\"b\":null,\"c\":18446744073709551615}");
    tj_render(v, buf, 10);
    cr_expect_eq(strlen(buf), 9);
    cr_expect(strstr(buf, "...") != NULL, "%s", buf);
    tj_free(v);
}

/* ---- comparison --------------------------------------------------------------------------- */

Test(json, compare_rules)
{
    char d[512];
    cr_expect(same("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", d, sizeof d), "%s", d);
    cr_expect(same("1", "1.0", d, sizeof d), "%s", d);
    cr_expect(same("0.1", "0.10000000000000001", d, sizeof d), "%s", d); /* repr vs %.17g */
    cr_expect(same("-144.3795928955078", "-144.37959289550781", d, sizeof d), "%s", d);
    cr_expect(same("1e+16", "10000000000000000", d, sizeof d), "%s", d);
    cr_expect(same("[\"NaN\",\"Infinity\",\"-Infinity\"]", "[NaN,Infinity,-Infinity]", d,
                   sizeof d), "%s", d);
    cr_expect(same("[NaN]", "[NaN]", d, sizeof d), "%s", d);
    cr_expect(!same("\"NaN\"", "Infinity", d, sizeof d));
    cr_expect(!same("18446744073709551615", "18446744073709551614", d, sizeof d));
    cr_expect(!same("-1", "1", d, sizeof d));
    cr_expect(!same("1", "\"1\"", d, sizeof d));
    cr_expect(!same("[1,2]", "[1,2,3]", d, sizeof d));
    cr_expect(!same("{\"a\":1}", "{\"a\":1,\"b\":2}", d, sizeof d));
    cr_expect(!same("{\"a\":1,\"b\":2}", "{\"a\":1}", d, sizeof d));
    cr_expect(!same("null", "0", d, sizeof d));
    cr_expect(!same("true", "false", d, sizeof d));
    cr_expect(!same("\"a\\u0000b\"", "\"a\\u0000c\"", d, sizeof d));
    /* NaN strings are only special when the flag is on. */
    tj_value *x = P("\"NaN\"");
    tj_value *y = P("NaN");
    cr_expect(!tj_equal(x, y, 0, "", NULL, 0));
    tj_free(x);
    tj_free(y);
}

Test(json, diff_path)
{
    char d[512];
    cr_assert(!same("{\"x\":[{\"a\":1},{\"b\":[1,2,3]}]}", "{\"x\":[{\"a\":1},{\"b\":[1,5,3]}]}",
                    d, sizeof d));
    cr_expect(strstr(d, "/x/1/b/1") != NULL, "%s", d);
    cr_expect(strstr(d, "want 2, got 5") != NULL, "%s", d);
    cr_assert(!same("{\"a\":{\"q\":1}}", "{\"a\":{}}", d, sizeof d));
    cr_expect(strstr(d, "/a/q") != NULL && strstr(d, "missing") != NULL, "%s", d);
    cr_assert(!same("[1,2]", "[1,2,3]", d, sizeof d));
    cr_expect(strstr(d, "length 2 vs 3") != NULL, "%s", d);
}

/* ---- the oracle judge ----------------------------------------------------------------------- */

static const char *const ORACLE_DOC =
    "{\"file\":\"x.h5\",\"opened\":true,\"objects\":["
    "{\"path\":\"/\",\"kind\":\"group\",\"attrs\":{\"f\":{\"dtype\":\"<f4\",\"shape\":[2],"
    "\"value\":[\"NaN\",0.1]},\"s\":{\"dtype\":\"|S3\",\"shape\":[],\"value\":\"abc\"}}},"
    "{\"path\":\"/d\",\"kind\":\"dataset\",\"shape\":[3],\"maxshape\":[null],\"dtype\":"
    "\"[[\\\"a\\\", \\\"<i4\\\"]]\",\"layout\":\"chunked\",\"chunks\":[2],\"filters\":[1],"
    "\"sha256\":\"00\",\"attrs\":{}},"
    "{\"path\":\"/g\",\"kind\":\"group\",\"attrs\":{}},"
    "{\"path\":\"/g/bad\",\"kind\":\"error\",\"error\":\"KeyError()\"},"
    "{\"path\":\"/g/d2\",\"kind\":\"hard_link_seen\"},"
    "{\"path\":\"/g/ext\",\"kind\":\"external_link\",\"file\":\"f.h5\",\"target\":\"/t\","
    "\"attrs\":null},"
    "{\"path\":\"/g/soft\",\"kind\":\"soft_link\",\"target\":\"/d\",\"attrs\":null}]}";

static const char *const GOOD_LISTING =
    "[{\"path\":\"/\",\"kind\":\"group\",\"attrs\":{\"s\":{\"value\":\"abc\",\"shape\":[],"
    "\"dtype\":\"|S3\"},\"f\":{\"dtype\":\"<f4\",\"shape\":[2],\"value\":[NaN,"
    "0.10000000000000001]}}},"
    "{\"path\":\"/d\",\"kind\":\"dataset\",\"shape\":[3],\"maxshape\":[null],\"dtype\":"
    "\"[[\\\"a\\\",\\\"<i4\\\"]]\",\"layout\":\"chunked\",\"chunks\":[2],\"filters\":[1],"
    "\"attrs\":{}},"
    "{\"path\":\"/g\",\"kind\":\"group\"},"
    "{\"path\":\"/g/bad\",\"kind\":\"group\",\"attrs\":{}},"
    "{\"path\":\"/g/bad/inner\",\"kind\":\"dataset\",\"shape\":[]},"
    "{\"path\":\"/g/d2\",\"kind\":\"dataset\",\"same_as\":\"/d\"},"
    "{\"path\":\"/g/ext\",\"kind\":\"external_link\",\"file\":\"f.h5\",\"target\":\"/t\"},"
    "{\"path\":\"/g/soft\",\"kind\":\"soft_link\",\"target\":\"/d\"}]";

static char *judge(const char *listing_text)
{
    tj_value *o = P(ORACLE_DOC);
    tj_value *l = P(listing_text);
    char *r = orc_compare_listing(o, l, 0, 5);
    tj_free(o);
    tj_free(l);
    return r;
}

/* GOOD_LISTING with the first occurrence of 'from' replaced by 'to'. */
static char *judge_edit(const char *from, const char *to)
{
    const char *at = strstr(GOOD_LISTING, from);
    cr_assert(at != NULL, "%s not in listing", from);
    size_t n = strlen(GOOD_LISTING) + strlen(to) + 1;
    char *s = malloc(n);
    size_t pre = (size_t)(at - GOOD_LISTING);
    memcpy(s, GOOD_LISTING, pre);
    strcpy(s + pre, to);
    strcat(s, at + strlen(from));
    char *r = judge(s);
    free(s);
    return r;
}

Test(oracle, listing_accepts_good)
{
    char *r = judge(GOOD_LISTING);
    cr_expect_null(r, "%s", r);
    free(r);
}

Test(oracle, listing_catches_mistakes)
{
    static const char *const edits[][3] = {
        /* from, to, expected fragment of the message */
        {"\"value\":\"abc\"", "\"value\":\"abd\"", "/: attribute \"s\": value"},
        {"[NaN,", "[1.5,", "attribute \"f\": value/0"},
        {"0.10000000000000001", "0.10000000000000002", "value/1"},
        {"\"dtype\":\"|S3\"", "\"dtype\":\"|S4\"", "attribute \"s\": dtype"},
        {"\"s\":{\"value\"", "\"t\":{\"value\"", "attribute \"t\" not in the oracle"},
        {"\"shape\":[3]", "\"shape\":[4]", "/d: shape/0"},
        {"\"maxshape\":[null]", "\"maxshape\":[3]", "/d: maxshape/0"},
        {"\\\"<i4\\\"", "\\\"<i8\\\"", "/d: dtype"},
        {"\"chunked\"", "\"contiguous\"", "/d: layout"},
        {"\"chunks\":[2]", "\"chunks\":[3]", "/d: chunks/0"},
        {"\"filters\":[1]", "\"filters\":[]", "/d: filters"},
        {"\"kind\":\"dataset\",\"same_as\":\"/d\"", "\"kind\":\"dataset\"", "/g/d2: want a"},
        {"\"file\":\"f.h5\"", "\"file\":\"g.h5\"", "/g/ext: file"},
        {"\"target\":\"/d\"}]", "\"target\":\"/e\"}]", "/g/soft: target"},
        {"{\"path\":\"/g\",\"kind\":\"group\"}", "{\"path\":\"/g\",\"kind\":\"dataset\"}",
         "/g: want kind group, got dataset"},
        {"{\"path\":\"/g\",\"kind\":\"group\"}",
         "{\"path\":\"/g\",\"kind\":\"error\",\"error\":\"boom\"}", "CLI reports an error"},
        {"{\"path\":\"/g\",\"kind\":\"group\"},", "", "want path /g, got /g/bad"},
        {",{\"path\":\"/g/soft\",\"kind\":\"soft_link\",\"target\":\"/d\"}", "",
         "/g/soft: missing in CLI output"},
        {"\"target\":\"/d\"}]", "\"target\":\"/d\"},{\"path\":\"/z\",\"kind\":\"group\"}]",
         "/z: extra element"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *r = judge_edit(edits[i][0], edits[i][1]);
        cr_expect(r != NULL, "edit %zu (%s) not caught", i, edits[i][1]);
        if (r != NULL) {
            cr_expect(strstr(r, edits[i][2]) != NULL, "edit %zu: want \"%s\" in: %s", i,
                      edits[i][2], r);
        }
        free(r);
    }
}

Test(oracle, max_diffs_caps_lines)
{
    char *r = judge_edit("\"layout\":\"chunked\",\"chunks\":[2],\"filters\":[1]",
                         "\"layout\":\"x\",\"chunks\":[9],\"filters\":[9]");
    cr_assert_not_null(r);
    size_t lines = 1;
    for (const char *p = r; *p; p++) {
        lines += *p == '\n';
    }
    cr_expect_eq(lines, 3, "%s", r);
    free(r);
    tj_value *o = P(ORACLE_DOC);
    tj_value *l = P("[{\"path\":\"/\",\"kind\":\"dataset\"}]");
    r = orc_compare_listing(o, l, 0, 1);
    cr_assert_not_null(r);
    cr_expect(strchr(r, '\n') == NULL, "%s", r);
    free(r);
    tj_free(o);
    tj_free(l);
}

static struct orc_run fake_run(enum orc_how how, int code, const char *out)
{
    struct orc_run r;
    memset(&r, 0, sizeof r);
    r.how = how;
    r.code = code;
    r.out = (char *)out;
    r.out_len = strlen(out);
    r.err = (char *)"h5rd: something went wrong\nmore";
    r.err_len = strlen(r.err);
    return r;
}

Test(oracle, verdict)
{
    tj_value *refused = P("{\"opened\":false,\"error\":\"OSError('bad')\",\"objects\":[]}");
    tj_value *ok = P(ORACLE_DOC);
    tj_value *walk = P("{\"opened\":true,\"walk_error\":\"x\",\"objects\":[]}");
    struct orc_run r;
    char *v;

    r = fake_run(ORC_EXITED, 1, "");
    cr_expect_null(v = orc_verdict(refused, &r, 0, 3), "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 0, "[]");
    cr_expect_not_null(v = orc_verdict(refused, &r, 0, 3));
    cr_expect(v != NULL && strstr(v, "want exit 1, got exit 0") != NULL, "%s", v);
    free(v);
    r = fake_run(ORC_SIGNALED, 11, "");
    cr_expect_not_null(v = orc_verdict(refused, &r, 0, 3));
    cr_expect(v != NULL && strstr(v, "SIGSEGV") != NULL, "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 134, "");
    cr_expect_not_null(v = orc_verdict(refused, &r, 0, 3));
    free(v);
    r = fake_run(ORC_TIMEOUT, 0, "");
    cr_expect_not_null(v = orc_verdict(ok, &r, 0, 3));
    cr_expect(v != NULL && strstr(v, "timed out") != NULL, "%s", v);
    free(v);

    r = fake_run(ORC_EXITED, 0, GOOD_LISTING);
    cr_expect_null(v = orc_verdict(ok, &r, 0, 3), "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 0, "[{\"path\":\"/\"");
    cr_expect_not_null(v = orc_verdict(ok, &r, 0, 3));
    cr_expect(v != NULL && strstr(v, "does not parse") != NULL, "%s", v);
    free(v);
    /* The oracle has an error object, so a non-zero exit with a listing is judged on it. */
    r = fake_run(ORC_EXITED, 2, GOOD_LISTING);
    cr_expect_null(v = orc_verdict(ok, &r, 0, 3), "%s", v);
    free(v);

    /* libhdf5 crashed on it: a read or a clean refusal both pass, a crash does not. */
    tj_value *died = P("{\"opened\":false,\"error\":\"oracle process died (exit -11): \\n"
                       "trace\",\"objects\":[]}");
    r = fake_run(ORC_EXITED, 0, "[{\"path\":\"/\",\"kind\":\"group\"}]");
    cr_expect_null(v = orc_verdict(died, &r, 0, 3), "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 1, "");
    cr_expect_null(v = orc_verdict(died, &r, 0, 3), "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 0, "garbage");
    cr_expect_not_null(v = orc_verdict(died, &r, 0, 3));
    free(v);
    r = fake_run(ORC_EXITED, 2, "");
    cr_expect_not_null(v = orc_verdict(died, &r, 0, 3));
    cr_expect(v != NULL && strchr(v, '\n') == NULL, "one line: %s", v);
    free(v);
    r = fake_run(ORC_SIGNALED, 6, "");
    cr_expect_not_null(v = orc_verdict(died, &r, 0, 3));
    free(v);
    tj_free(died);

    r = fake_run(ORC_EXITED, 1, "");
    cr_expect_null(v = orc_verdict(walk, &r, 0, 3), "%s", v);
    free(v);
    r = fake_run(ORC_EXITED, 0, "[{\"path\":\"/\",\"kind\":\"group\"}]");
    cr_expect_null(v = orc_verdict(walk, &r, 0, 3), "%s", v);
    free(v);

    tj_value *clean = P("{\"opened\":true,\"objects\":[{\"path\":\"/\",\"kind\":\"group\"}]}");
    r = fake_run(ORC_EXITED, 1, "");
    cr_expect_not_null(v = orc_verdict(clean, &r, 0, 3));
    cr_expect(v != NULL && strstr(v, "something went wrong") != NULL, "%s", v);
    free(v);
    tj_free(clean);
    tj_free(refused);
    tj_free(ok);
    tj_free(walk);
}

/* ---- the process runner ------------------------------------------------------------------- */

static size_t count_open_fds(void)
{
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) {
        return 0;
    }
    while (readdir(d) != NULL) {
        n++;
    }
    closedir(d);
    return n;
}

Test(oracle, run_captures_and_times_out)
{
    size_t fds_before = count_open_fds();
    struct orc_run r;
    const char *echo[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    cr_assert_eq(orc_run(echo, 10, &r), 0);
    cr_expect_eq(r.how, ORC_EXITED);
    cr_expect_eq(r.code, 3);
    cr_expect_str_eq(r.out, "out\n");
    cr_expect_str_eq(r.err, "err\n");
    orc_run_free(&r);

    const char *segv[] = {"/bin/sh", "-c", "kill -SEGV $$", NULL};
    cr_assert_eq(orc_run(segv, 10, &r), 0);
    cr_expect_eq(r.how, ORC_SIGNALED);
    cr_expect_eq(r.code, 11);
    orc_run_free(&r);

    const char *hang[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
    cr_assert_eq(orc_run(hang, 1, &r), 0);
    cr_expect_eq(r.how, ORC_TIMEOUT);
    cr_expect(r.seconds < 5, "%f", r.seconds);
    orc_run_free(&r);

    const char *missing[] = {"/nonexistent/h5rd", NULL};
    cr_expect_eq(orc_run(missing, 1, &r), -1);
    cr_expect_eq(r.how, ORC_SPAWN_FAILED);
    orc_run_free(&r);

    /* Large output is drained while the child runs (no pipe deadlock). */
    const char *big[] = {"/bin/sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x", NULL};
    cr_assert_eq(orc_run(big, 20, &r), 0);
    cr_expect_eq(r.out_len, 3000000);
    orc_run_free(&r);
    cr_expect_eq(count_open_fds(), fds_before, "file descriptors leaked");
}

struct many_ctx {
    int done[8];
    int count;
};

static void many_done(struct orc_job *job, void *ctx)
{
    struct many_ctx *c = ctx;
    size_t idx = (size_t)(uintptr_t)job->user;
    c->done[idx] = job->run.how == ORC_EXITED ? job->run.code + 100 : -1;
    c->count++;
}

Test(oracle, run_many_in_parallel)
{
    struct orc_job jobs[8];
    static char scripts[8][64];
    memset(jobs, 0, sizeof jobs);
    for (size_t i = 0; i < 8; i++) {
        snprintf(scripts[i], sizeof scripts[i], "sleep 0.3; exit %zu", i);
        jobs[i].argv[0] = "/bin/sh";
        jobs[i].argv[1] = "-c";
        jobs[i].argv[2] = scripts[i];
        jobs[i].user = (void *)(uintptr_t)i;
    }
    struct many_ctx c;
    memset(&c, 0, sizeof c);
    struct timespec t0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    orc_run_many(jobs, 8, 4, 10, many_done, &c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_eq(c.count, 8);
    for (int i = 0; i < 8; i++) {
        cr_expect_eq(c.done[i], 100 + i);
    }
    cr_expect(secs < 2.0, "8 x 0.3 s at 4 in parallel took %.2f s", secs);
}

/* ---- every corpus oracle -------------------------------------------------------------------- */

Test(corpus_oracles, parse_roundtrip_mutate, .timeout = 600)
{
    const char *dir = corpus_dir();
    if (dir == NULL) {
        cr_skip_test("no corpus at %s/../shared/corpus", H5RD_SOURCE_DIR);
    }
    size_t n;
    char **files = orc_find_files(dir, ".json", &n);
    cr_assert(n >= 2000, "only %zu oracle files under %s", n, dir);
    size_t listings = 0;
    size_t mutated = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        char err[300];
        char d[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        tj_value *v = tj_parse_file(path, err, sizeof err);
        cr_expect(v != NULL, "%s", err);
        if (v == NULL) {
            continue;
        }
        cr_expect(tj_get(v, "opened") != NULL && tj_get(v, "objects") != NULL, "%s", path);

        /* Round trip through the renderer (%.17g floats, NaN tokens) and key reversal. */
        tj_value *c = deep_copy(v);
        reverse_keys(c);
        cr_expect(tj_equal(v, c, TJ_CMP_DEFAULT, "", d, sizeof d), "%s: %s", files[i], d);

        /* Mutations must be seen, with a path. */
        tj_value *num = first_leaf(c, TJ_NUM);
        if (num != NULL) {
            if (num->is_int) {
                num->mag += 1;
                num->d = num->neg ? -(double)num->mag : (double)num->mag;
            } else {
                num->d = num->d == 0 ? 1.0 : num->d * 2; /* no libm here */
            }
            num->numclass = TJ_FINITE;
            cr_expect(!tj_equal(v, c, TJ_CMP_DEFAULT, "", d, sizeof d), "%s: number", files[i]);
            cr_expect(d[0] == '/', "%s: diff without a path: %s", files[i], d);
            mutated++;
        }
        tj_free(c);
        c = deep_copy(v);
        tj_value *str = first_leaf(c, TJ_STR);
        if (str != NULL) {
            str->str = realloc(str->str, str->len + 2);
            str->str[str->len++] = '~';
            str->str[str->len] = '\0';
            cr_expect(!tj_equal(v, c, TJ_CMP_DEFAULT, "", d, sizeof d), "%s: string", files[i]);
            mutated++;
        }
        obj_del(c, "opened");
        cr_expect(!tj_equal(v, c, TJ_CMP_DEFAULT, "", d, sizeof d), "%s: key", files[i]);
        tj_free(c);

        /* The listing a correct CLI prints is accepted; a changed one is not. */
        if (tj_get_bool(v, "opened", false)) {
            tj_value *l = listing_from_oracle(v);
            char *r = orc_compare_listing(v, l, 0, 3);
            cr_expect_null(r, "%s: %s", files[i], r);
            free(r);
            if (l->n > 1) {
                /* Drop the last element. */
                tj_value *tmp = malloc(sizeof *tmp);
                *tmp = l->items[l->n - 1];
                tj_free(tmp);
                l->n--;
                r = orc_compare_listing(v, l, 0, 3);
                cr_expect_not_null(r, "%s: dropped element not seen", files[i]);
                free(r);
            }
            /* Rename the first dataset's dtype. */
            for (size_t k = 0; k < l->n; k++) {
                const char *kind = tj_get_str(&l->items[k], "kind");
                const tj_value *dt = tj_get(&l->items[k], "dtype");
                const tj_value *orig = NULL;
                const tj_value *objs = tj_get(v, "objects");
                for (size_t q = 0; q < objs->n; q++) {
                    if (strcmp(tj_get_str(&objs->items[q], "path"),
                               tj_get_str(&l->items[k], "path")) == 0) {
                        orig = &objs->items[q];
                    }
                }
                if (kind != NULL && strcmp(kind, "dataset") == 0 && dt != NULL &&
                    dt->kind == TJ_STR && orig != NULL &&
                    strcmp(tj_get_str(orig, "kind"), "dataset") == 0) {
                    obj_set(&l->items[k], "dtype", "\"<x99\"");
                    r = orc_compare_listing(v, l, 0, 3);
                    cr_expect(r != NULL && strstr(r, "dtype") != NULL,
                              "%s: changed dtype not seen: %s", files[i], r);
                    free(r);
                    break;
                }
            }
            tj_free(l);
            listings++;
        }
        tj_free(v);
    }
    cr_log_info("%zu oracles parsed, %zu mutations, %zu listings judged", n, mutated, listings);
    orc_free_list(files, n);
}
