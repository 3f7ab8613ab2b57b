/*
 * test_refs_h5wasm.c - revised references (HDF5 1.12+ H5R_ref_t encoding: object, region and
 * attribute references in datasets, attributes, compounds and vlen) read through the public
 * API, against what h5wasm 0.10.3 (libhdf5 2.0.0) reads: fixtures/refs/refs_h5wasm.json, made by
 * fixtures/gen/h5wasm_refs.mjs. For every listed value: h5rd_ref_get_kind, h5rd_ref_get_path
 * and (attribute references) h5rd_ref_get_attr_name give what libhdf5 gives; null references
 * are H5RD_E_NOT_FOUND. References are counted in element order (compound members in stored
 * order, array elements, vlen sequences), as the generator counts them. Corpus files are
 * skipped when ../shared/corpus is absent; the fixture fixtures/refs/refs_attr_revised.h5
 * always runs. Also checks `h5rd attrs --json` prints an attribute reference as documented.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5rd.h"

#define MAX_RECS 512

struct rec {
    char *file, *obj, *attr, *kind, *path, *aname;
    long idx;
};

/* Parses one JSON string or null at *pp (the generator writes plain ASCII, escapes \" \\). */
static char *parse_str(const char **pp)
{
    const char *p = *pp;
    while (*p == ' ' || *p == ',') {
        p++;
    }
    if (strncmp(p, "null", 4) == 0) {
        *pp = p + 4;
        return NULL;
    }
    cr_assert_eq(*p, '"', "expected a string at: %.40s", p);
    p++;
    char *out = malloc(strlen(p) + 1), *q = out;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
        }
        *q++ = *p++;
    }
    *q = '\0';
    *pp = p + 1;
    return out;
}

static size_t load(struct rec *r)
{
    char path[4096], line[8192];
    snprintf(path, sizeof path, "%s/fixtures/refs/refs_h5wasm.json", H5RD_SOURCE_DIR);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "  [", 3) != 0) {
            continue;
        }
        cr_assert_lt(n, MAX_RECS);
        const char *p = line + 3;
        r[n].file = parse_str(&p);
        r[n].obj = parse_str(&p);
        r[n].attr = parse_str(&p);
        while (*p == ',' || *p == ' ') {
            p++;
        }
        r[n].idx = strtol(p, (char **)&p, 10);
        r[n].kind = parse_str(&p);
        r[n].path = parse_str(&p);
        r[n].aname = parse_str(&p);
        n++;
    }
    fclose(fp);
    return n;
}

struct coll {
    h5rd_file *file;
    const struct rec *r; /* the records of one (file, object, attribute) */
    size_t n, seen;
    int failures;
};

static void check_one(struct coll *c, const h5rd_type *t, const uint8_t *elem)
{
    if (c->seen >= c->n) {
        c->seen++;
        return;
    }
    const struct rec *r = &c->r[c->seen++];
    cr_assert_eq(r->idx, (long)(c->seen - 1));
    uint32_t kind = 99;
    h5rd_err e = h5rd_ref_get_kind(c->file, t, elem, &kind, NULL);
    if (strcmp(r->kind, "null") == 0) {
        cr_expect_eq(e, H5RD_E_NOT_FOUND, "%s %s %s #%ld: null reference, got %d", r->file, r->obj,
                     r->attr, r->idx, e);
        char buf[8];
        size_t len;
        cr_expect_eq(h5rd_ref_get_path(c->file, t, elem, buf, sizeof buf, &len, NULL),
                     H5RD_E_NOT_FOUND);
        return;
    }
    uint32_t want = strcmp(r->kind, "object") == 0   ? H5RD_REF_OBJECT
                    : strcmp(r->kind, "region") == 0 ? H5RD_REF_REGION
                                                     : H5RD_REF_ATTR;
    cr_expect_eq(e, H5RD_OK, "%s %s %s #%ld: kind: error %d", r->file, r->obj, r->attr, r->idx, e);
    cr_expect_eq(kind, want, "%s %s %s #%ld: kind %u, want %s", r->file, r->obj, r->attr, r->idx,
                 kind, r->kind);
    char buf[1024];
    size_t len = 0;
    e = h5rd_ref_get_path(c->file, t, elem, buf, sizeof buf, &len, NULL);
    cr_expect_eq(e, H5RD_OK, "%s %s %s #%ld: path: error %d", r->file, r->obj, r->attr, r->idx, e);
    if (e == H5RD_OK) {
        cr_expect_str_eq(buf, r->path, "%s %s %s #%ld", r->file, r->obj, r->attr, r->idx);
        cr_expect_eq(len, strlen(r->path));
    }
    e = h5rd_ref_get_attr_name(c->file, t, elem, buf, sizeof buf, &len, NULL);
    if (r->aname == NULL) {
        cr_expect_eq(e, H5RD_E_TYPE, "%s %s: not an attribute reference: %d", r->file, r->obj, e);
    } else {
        cr_expect_eq(e, H5RD_OK);
        if (e == H5RD_OK) {
            cr_expect_str_eq(buf, r->aname, "%s %s #%ld", r->file, r->obj, r->idx);
        }
        /* A buffer too small: the prefix, NUL-terminated, and the full length. */
        char small[2];
        cr_expect_eq(h5rd_ref_get_attr_name(c->file, t, elem, small, sizeof small, &len, NULL),
                     H5RD_E_BUFSIZE);
        cr_expect_eq(len, strlen(r->aname));
        cr_expect_eq(small[0], r->aname[0]);
        cr_expect_eq(small[1], '\0');
    }
}

/* Visits the references of one element of 't' in the generator's order. */
static void walk(struct coll *c, const h5rd_type *t, const uint8_t *p)
{
    struct h5rd_type_info ti;
    cr_assert_eq(h5rd_type_get_info(t, &ti, NULL), H5RD_OK);
    if (ti.cls == H5RD_CLASS_REFERENCE) {
        cr_expect_eq(ti.ref_kind, 2, "revised references report ref_kind 2");
        check_one(c, t, p);
    } else if (ti.cls == H5RD_CLASS_COMPOUND) {
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            cr_assert_eq(h5rd_type_get_member(t, k, &name, &off, &mt, NULL), H5RD_OK);
            walk(c, mt, p + off);
        }
    } else if (ti.cls == H5RD_CLASS_ARRAY) {
        const h5rd_type *bt;
        struct h5rd_type_info bi;
        cr_assert_eq(h5rd_type_get_super(t, &bt, NULL), H5RD_OK);
        cr_assert_eq(h5rd_type_get_info(bt, &bi, NULL), H5RD_OK);
        uint64_t n = 1;
        for (uint32_t d = 0; d < ti.rank; d++) {
            n *= ti.dims[d];
        }
        for (uint64_t i = 0; i < n; i++) {
            walk(c, bt, p + i * bi.size);
        }
    } else if (ti.cls == H5RD_CLASS_VLEN && !ti.vlen_is_string) {
        const h5rd_type *bt;
        struct h5rd_type_info bi;
        cr_assert_eq(h5rd_type_get_super(t, &bt, NULL), H5RD_OK);
        cr_assert_eq(h5rd_type_get_info(bt, &bi, NULL), H5RD_OK);
        uint64_t count = 0;
        cr_assert_eq(h5rd_vlen_read(c->file, t, p, NULL, 0, &count, NULL), H5RD_OK);
        uint8_t *buf = malloc(count * bi.size + 1);
        cr_assert_eq(h5rd_vlen_read(c->file, t, p, buf, count * bi.size, &count, NULL), H5RD_OK);
        for (uint64_t i = 0; i < count; i++) {
            walk(c, bt, buf + i * bi.size);
        }
        free(buf);
    }
}

static void check_group(const char *fpath, const struct rec *r, size_t n)
{
    h5rd_file *f = NULL;
    cr_assert_eq(h5rd_file_open(fpath, NULL, &f, NULL), H5RD_OK, "open %s", fpath);
    h5rd_obj *o = NULL;
    cr_assert_eq(h5rd_obj_open(f, r->obj, &o, NULL), H5RD_OK, "%s %s", fpath, r->obj);
    const h5rd_type *t = NULL;
    uint8_t *buf = NULL;
    uint64_t nelem = 0, nb = 0;
    h5rd_attr *a = NULL;
    if (r->attr[0] != '\0') {
        cr_assert_eq(h5rd_attr_open(o, r->attr, &a, NULL), H5RD_OK, "%s %s %s", fpath, r->obj, r->attr);
        t = h5rd_attr_get_type(a);
        cr_assert_eq(h5rd_attr_get_nbytes(a, &nb, NULL), H5RD_OK);
        buf = malloc(nb + 1);
        cr_assert_eq(h5rd_attr_read(a, buf, nb, NULL), H5RD_OK);
    } else {
        cr_assert_eq(h5rd_obj_get_type(o, &t, NULL), H5RD_OK);
        uint64_t np, esz;
        cr_assert_eq(h5rd_selection_get_npoints(o, NULL, &np, NULL), H5RD_OK);
        cr_assert_eq(h5rd_dataset_get_elem_nbytes(o, NULL, &esz, NULL), H5RD_OK);
        nb = np * esz;
        buf = malloc(nb + 1);
        cr_assert_eq(h5rd_dataset_read(o, NULL, NULL, buf, nb, NULL, NULL), H5RD_OK);
    }
    struct h5rd_type_info ti;
    cr_assert_eq(h5rd_type_get_info(t, &ti, NULL), H5RD_OK);
    nelem = nb / ti.size;
    struct coll c = {f, r, n, 0, 0};
    for (uint64_t i = 0; i < nelem; i++) {
        walk(&c, t, buf + i * ti.size);
    }
    cr_expect_eq(c.seen, n, "%s %s %s: %zu references, h5wasm read %zu", fpath, r->obj, r->attr,
                 c.seen, n);
    free(buf);
    if (a) {
        h5rd_attr_close(a);
    }
    h5rd_obj_close(o);
    h5rd_file_close(f);
}

Test(refs_h5wasm, api_agrees_with_h5wasm, .timeout = 300)
{
    static struct rec r[MAX_RECS];
    size_t n = load(r);
    cr_assert_gt(n, 0);
    size_t checked = 0, skipped = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(r[j].file, r[i].file) == 0 && strcmp(r[j].obj, r[i].obj) == 0 &&
               strcmp(r[j].attr, r[i].attr) == 0) {
            j++;
        }
        char fpath[4096];
        if (strncmp(r[i].file, "fixtures/", 9) == 0) {
            snprintf(fpath, sizeof fpath, "%s/%s", H5RD_SOURCE_DIR, r[i].file);
        } else {
            snprintf(fpath, sizeof fpath, "%s/../shared/corpus/%s", H5RD_SOURCE_DIR, r[i].file);
        }
        if (access(fpath, R_OK) != 0) {
            cr_assert_neq(strncmp(r[i].file, "fixtures/", 9), 0, "missing fixture %s", fpath);
            skipped += j - i;
        } else {
            check_group(fpath, &r[i], j - i);
            checked += j - i;
        }
        i = j;
    }
    cr_log_info("%zu references checked, %zu skipped (no corpus)", checked, skipped);
    cr_assert_gt(checked, 0);
}

/* The CLI's JSON for an attribute reference and a null one (docs/api.md, h5rd attrs). */
Test(refs_h5wasm, cli_attribute_reference_json, .timeout = 60)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' attrs --json '%s/fixtures/refs/refs_attr_revised.h5' /DS1",
             H5RD_CLI_PATH, H5RD_SOURCE_DIR);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char out[4096] = {0};
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    cr_assert_eq(pclose(p), 0, "%s", out);
    cr_expect_str_eq(out, "{\"A1\": {\"dtype\": \"ref\", \"shape\": [2], \"value\": "
                          "[{\"path\": \"/DS1\", \"attribute\": \"A1\"}, null]}}\n");
}
