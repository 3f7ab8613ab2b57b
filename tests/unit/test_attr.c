/*
 * test_attr.c - attributes of an object (src/attr/): hand-built compact
 * Attribute messages (ordering by name and by creation order, duplicates,
 * limits) and real files from the shared corpus (compact, dense, creation
 * order, every type), skipped when the corpus is absent.
 */
#include "attr/attr.h"

#include "builder.h"
#include "group/group.h"
#include "io/source.h"
#include "object/ohdr.h"
#include "rawfile.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* ---- hand-built Attribute messages --------------------------------------------------------- */
/* Appends a version 1 Attribute message: scalar 32-bit little-endian signed integer 'value'. */
static size_t put_int_attr(struct bld *b, const char *name, int32_t value)
{
    size_t at = b->n;
    size_t name_n = strlen(name) + 1;
    bld_u8(b, 1);          /* version */
    bld_u8(b, 0);
    bld_u16(b, name_n);
    bld_u16(b, 12);        /* datatype size */
    bld_u16(b, 8);         /* dataspace size */
    bld_str(b, name);
    bld_u8(b, 0);
    bld_pad_to(b, at + 8 + ((name_n + 7) / 8) * 8);
    size_t dt = b->n;
    bld_u8(b, 0x10);       /* class 0 (fixed-point), version 1 */
    bld_u8(b, 0x08);       /* little-endian, signed */
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u32(b, 4);         /* size */
    bld_u16(b, 0);         /* bit offset */
    bld_u16(b, 32);        /* precision */
    bld_pad_to(b, dt + 16);
    bld_u8(b, 1);          /* dataspace version 1 */
    bld_u8(b, 0);          /* rank 0: scalar */
    bld_u8(b, 0);
    bld_zeros(b, 5);
    bld_u32(b, (uint32_t)value);
    return at;
}

struct acase {
    struct bld img;
    struct h5rd_file f;
    struct h5rd__ohdr oh;
    struct h5rd__msg msgs[16];
    struct h5rd__attrs attrs;
    struct h5rd_error ec;
};

struct aspec {
    const char *name;
    int32_t value;
    int64_t corder;
};

static void acase_build(struct acase *c, uint8_t version, uint8_t flags, const struct aspec *s,
                        unsigned n)
{
    bld_init(&c->img);
    size_t at[16], end[16];
    for (unsigned i = 0; i < n; i++) {
        at[i] = put_int_attr(&c->img, s[i].name, s[i].value);
        end[i] = c->img.n;
    }
    bld_zeros(&c->img, 64);
    cr_assert_eq(rawfile_open_memory(&c->f, c->img.p, c->img.n, 8, 8, 4, 16, &c->ec), H5RD_OK);
    memset(&c->oh, 0, sizeof(c->oh));
    c->oh.addr = 4096;
    c->oh.version = version;
    c->oh.flags = flags;
    c->oh.refcount = 1;
    c->oh.mtime = -1;
    c->oh.msgs = c->msgs;
    for (unsigned i = 0; i < n; i++) {
        struct h5rd__msg *m = &c->msgs[c->oh.n_msgs++];
        memset(m, 0, sizeof(*m));
        m->type = H5RD__MSG_ATTRIBUTE;
        m->nbytes = (uint32_t)(end[i] - at[i]);
        m->addr = at[i];
        m->data = c->img.p + at[i];
        m->corder = s[i].corder;
    }
    memset(&c->attrs, 0, sizeof(c->attrs));
    h5rd__err_clear(&c->ec);
}

static void acase_done(struct acase *c)
{
    h5rd__attrs_free(&c->f, &c->attrs);
    rawfile_close(&c->f);
    bld_free(&c->img);
}

static int32_t attr_int(const struct h5rd__attr *a)
{
    cr_assert_eq(a->data_nbytes, 4);
    return (int32_t)((uint32_t)a->data[0] | (uint32_t)a->data[1] << 8 |
                     (uint32_t)a->data[2] << 16 | (uint32_t)a->data[3] << 24);
}

Test(attr_compact, by_name)
{
    struct acase c;
    struct aspec s[4] = {{"units", 1, -1}, {"Axis", 2, -1}, {"a", 3, -1}, {"ab", 4, -1}};
    acase_build(&c, 1, 0, s, 4);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_OK, "%s",
                 c.ec.what ? c.ec.what : "");
    cr_assert_eq(c.attrs.n, 4);
    cr_assert_str_eq(c.attrs.v[0].name, "Axis");
    cr_assert_eq(attr_int(&c.attrs.v[0]), 2);
    cr_assert_str_eq(c.attrs.v[1].name, "a");
    cr_assert_str_eq(c.attrs.v[2].name, "ab");
    cr_assert_str_eq(c.attrs.v[3].name, "units");
    cr_assert_eq(attr_int(&c.attrs.v[3]), 1);
    acase_done(&c);
}

Test(attr_compact, by_creation_order)
{
    struct acase c;
    struct aspec s[3] = {{"z", 10, 2}, {"m", 11, 0}, {"a", 12, 1}};
    acase_build(&c, 2, 0x04, s, 3);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_OK);
    cr_assert_eq(c.attrs.n, 3);
    cr_assert_str_eq(c.attrs.v[0].name, "m");
    cr_assert_eq(c.attrs.v[0].corder, 0);
    cr_assert_str_eq(c.attrs.v[1].name, "a");
    cr_assert_str_eq(c.attrs.v[2].name, "z");
    cr_assert_eq(attr_int(&c.attrs.v[2]), 10);
    acase_done(&c);
}

/* Creation order stored but not flagged as tracked in the header: h5py asks for name order. */
Test(attr_compact, corder_not_tracked)
{
    struct acase c;
    struct aspec s[3] = {{"z", 10, 0}, {"m", 11, 1}, {"a", 12, 2}};
    acase_build(&c, 2, 0, s, 3);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_OK);
    cr_assert_str_eq(c.attrs.v[0].name, "a");
    cr_assert_str_eq(c.attrs.v[2].name, "z");
    acase_done(&c);
}

Test(attr_compact, none)
{
    struct acase c;
    acase_build(&c, 2, 0, NULL, 0);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_OK);
    cr_assert_eq(c.attrs.n, 0);
    acase_done(&c);
}

Test(attr_compact, duplicate_name)
{
    struct acase c;
    struct aspec s[3] = {{"x", 1, -1}, {"y", 2, -1}, {"x", 3, -1}};
    acase_build(&c, 1, 0, s, 3);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_E_CORRUPT);
    cr_assert_eq(c.attrs.n, 0);
    acase_done(&c);
}

Test(attr_compact, limits)
{
    struct acase c;
    struct aspec s[3] = {{"x", 1, -1}, {"yy", 2, -1}, {"zzz", 3, -1}};
    acase_build(&c, 1, 0, s, 3);
    c.f.limits.max_attrs = 2;
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_E_LIMIT);
    c.f.limits.max_attrs = 3;
    c.f.limits.max_name_nbytes = 2;
    h5rd__err_clear(&c.ec);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_E_LIMIT);
    c.f.limits.max_name_nbytes = 16;
    h5rd__err_clear(&c.ec);
    cr_assert_eq(h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec), H5RD_OK);
    cr_assert_eq(c.attrs.n, 3);
    acase_done(&c);
}

/* A truncated Attribute message fails cleanly. */
Test(attr_compact, truncated_message)
{
    struct acase c;
    struct aspec s[1] = {{"x", 1, -1}};
    acase_build(&c, 1, 0, s, 1);
    c.msgs[0].nbytes = 20;
    h5rd_err rc = h5rd__attrs_load(&c.f, &c.oh, &c.attrs, &c.ec);
    cr_assert(rc == H5RD_E_TRUNCATED || rc == H5RD_E_CORRUPT, "rc %d", rc);
    acase_done(&c);
}

/* ---- real files --------------------------------------------------------------------------- */
struct real {
    struct h5rd_file f;
    struct h5rd__ohdr oh;
    struct h5rd__attrs attrs;
    struct h5rd_error ec;
};

/* Opens corpus file 'rel', walks hard links to 'path' and loads that object's attributes. */
static void real_open(struct real *r, const char *rel, const char *path)
{
    char buf[1024];
    if (!rawfile_corpus_path(rel, buf, sizeof(buf))) {
        cr_skip_test("corpus file %s absent", rel);
    }
    memset(r, 0, sizeof(*r));
    cr_assert_eq(rawfile_open(&r->f, buf, 0, &r->ec), H5RD_OK, "open %s: %s", rel,
                 r->ec.what ? r->ec.what : "");
    uint64_t addr = r->f.sb.root_addr;
    const char *p = path;
    for (;;) {
        cr_assert_eq(h5rd__ohdr_load(&r->f, addr, &r->oh, &r->ec), H5RD_OK, "ohdr: %s",
                     r->ec.what ? r->ec.what : "");
        while (*p == '/') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        struct h5rd__links links;
        cr_assert_eq(h5rd__group_load_links(&r->f, &r->oh, &links, &r->ec), H5RD_OK);
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const struct h5rd__link *l = h5rd__links_find(&links, p, len);
        cr_assert_not_null(l);
        addr = l->addr;
        h5rd__links_free(&r->f, &links);
        h5rd__ohdr_free(&r->f, &r->oh);
        p += len;
    }
    cr_assert_eq(h5rd__attrs_load(&r->f, &r->oh, &r->attrs, &r->ec), H5RD_OK, "attrs %s: %s",
                 path, r->ec.what ? r->ec.what : "");
}

static void real_close(struct real *r)
{
    h5rd__attrs_free(&r->f, &r->attrs);
    h5rd__ohdr_free(&r->f, &r->oh);
    rawfile_close(&r->f);
}

Test(attr_real, dense_1000)
{
    struct real r;
    real_open(&r, "HDFGroup__hdf5-json/data/hdf5/attr1k.h5", "/");
    cr_assert_eq(r.attrs.n, 1000);
    for (uint64_t i = 0; i < r.attrs.n; i++) {
        char want[16];
        snprintf(want, sizeof(want), "a%04u", (unsigned)i);
        cr_assert_str_eq(r.attrs.v[i].name, want);
    }
    real_close(&r);
}

Test(attr_real, dense_50_doubles)
{
    struct real r;
    real_open(&r, "stephenberry__hdf5-pure/tests/fixtures/dense_attrs.h5", "/data");
    cr_assert_eq(r.attrs.n, 50);
    for (uint64_t i = 0; i < r.attrs.n; i++) {
        char want[16];
        snprintf(want, sizeof(want), "attr_%03u", (unsigned)i);
        cr_assert_str_eq(r.attrs.v[i].name, want);
        cr_assert_eq(r.attrs.v[i].data_nbytes, 8);
        double d;
        memcpy(&d, r.attrs.v[i].data, 8); /* little-endian host assumed by this check */
        cr_assert_float_eq(d, 1.5 * (double)i, 1e-12);
    }
    real_close(&r);
}

Test(attr_real, every_type)
{
    struct real r;
    real_open(&r, "NCAS-CMS__pyfive/tests/data/attr_datatypes.hdf5", "/");
    cr_assert_eq(r.attrs.n, 35);
    cr_assert_str_eq(r.attrs.v[0].name, "complex128_big");
    cr_assert_str_eq(r.attrs.v[9].name, "int08_big");
    cr_assert_eq(r.attrs.v[9].data_nbytes, 1);
    cr_assert_eq((int8_t)r.attrs.v[9].data[0], -123);
    cr_assert_str_eq(r.attrs.v[14].name, "int32_big");
    cr_assert_eq(r.attrs.v[14].data_nbytes, 4);
    cr_assert_eq(r.attrs.v[14].data[3], 0x85); /* -123 big-endian: ff ff ff 85 */
    cr_assert_str_eq(r.attrs.v[34].name, "vlen_unicode");
    real_close(&r);
}

/* h5netcdf tracks attribute creation order: listed as created, not by name. */
Test(attr_real, creation_order)
{
    struct real r;
    real_open(&r, "NCAS-CMS__pyfive/tests/data/h5netcdf_test.hdf5", "/");
    cr_assert_eq(r.attrs.n, 3);
    cr_assert_str_eq(r.attrs.v[0].name, "global");
    cr_assert_str_eq(r.attrs.v[1].name, "other_attr");
    cr_assert_str_eq(r.attrs.v[2].name, "_NCProperties");
    real_close(&r);
}
