/*
 * test_convert.c - unit tests of datatype conversion on the read path (src/dtype/convert.c).
 *
 * Vectors: tests/data/convert/vectors.txt, made by tests/data/convert/gen.py with h5py 3.7 /
 * libhdf5 1.10.8 (the corpus oracle's versions): for each source type, its elements as stored,
 * what h5py's ds[()] returns for a dataset of that type (normalisation, made little-endian), and
 * libhdf5's conversion (H5Tconvert, the path H5Dread takes) to every integer and float memory
 * type in both byte orders. Hand-built types cover compounds, arrays, enums and safety cases.
 */
#include <criterion/criterion.h>

#include "dtype/convert.h"
#include "dtype/dtype.h"
#include "mktype.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_IS_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* ---- vector file ------------------------------------------------------------------------- */

static size_t unhex(const char *h, uint8_t **out)
{
    size_t n = strlen(h) / 2;
    uint8_t *p = malloc(n + 1);
    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        cr_assert_eq(sscanf(h + 2 * i, "%2x", &v), 1);
        p[i] = (uint8_t)v;
    }
    *out = p;
    return n;
}

static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = 0;
    fclose(fp);
    return s;
}

/* Parses a T line into a type (atomic classes only). */
static void parse_type(const char *line, struct h5rd_type *t, char *name, size_t name_n)
{
    char cls;
    unsigned size, order, sgn, off, prec, lo, hi, sp, ep, es, mp, ms, norm;
    unsigned long long bias;
    char nm[64];
    int k = sscanf(line, "T %63s %c %u %u %u %u %u %u %u %u %u %u %u %u %llu %u", nm, &cls, &size,
                   &order, &sgn, &off, &prec, &lo, &hi, &sp, &ep, &es, &mp, &ms, &bias, &norm);
    cr_assert_eq(k, 16, "bad line %s", line);
    snprintf(name, name_n, "%s", nm);
    memset(t, 0, sizeof *t);
    t->tag = (char *)"";
    t->info.tag = "";
    t->info.cls = cls == 'i' ? H5RD_CLASS_INTEGER : cls == 'b' ? H5RD_CLASS_BITFIELD
                                                                : H5RD_CLASS_FLOAT;
    t->info.size = size;
    t->info.order = (h5rd_byte_order)order;
    t->info.is_signed = sgn;
    t->info.bit_offset = off;
    t->info.precision = prec;
    t->info.lo_pad = lo;
    t->info.hi_pad = hi;
    t->info.sign_pos = sp;
    t->info.exp_pos = ep;
    t->info.exp_nbits = es;
    t->info.mant_pos = mp;
    t->info.mant_nbits = ms;
    t->info.exp_bias = bias;
    t->info.mant_norm = norm;
    t->native_noop = size == 1 || (h5rd_byte_order)order == H5RD_ORDER_LE;
}

static void parse_mt(const char *s, struct h5rd_memtype *mt)
{
    mt->order = s[0] == '>' ? H5RD_ORDER_BE : H5RD_ORDER_LE;
    mt->cls = s[1] == 'f' ? H5RD_MEMTYPE_FLOAT : H5RD_MEMTYPE_INT;
    mt->is_signed = s[1] == 'i';
    mt->size = (uint32_t)atoi(s + 2);
}

struct tally {
    unsigned checked, bad;
};

static void report(const char *what, const char *name, const char *dst, const uint8_t *in,
                   size_t isz, const uint8_t *got, const uint8_t *want, size_t osz, size_t n,
                   struct tally *ty)
{
    ty->checked++;
    unsigned shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(got + i * osz, want + i * osz, osz) == 0) {
            continue;
        }
        if (shown++ == 0) {
            ty->bad++;
        }
        if (shown > 3) {
            continue;
        }
        char a[80] = "", b[80] = "", c[80] = "";
        for (size_t j = 0; j < isz && j < 16; j++) {
            snprintf(a + 2 * j, 3, "%02x", in[i * isz + j]);
        }
        for (size_t j = 0; j < osz && j < 16; j++) {
            snprintf(b + 2 * j, 3, "%02x", got[i * osz + j]);
            snprintf(c + 2 * j, 3, "%02x", want[i * osz + j]);
        }
        cr_log_error("%s %s -> %s: element %zu (%s): got %s want %s", what, name, dst, i, a, b,
                     c);
    }
}

/* Runs every vector; returns the tally of (type, destination) pairs. */
static void run_vectors(const char *only_cls, struct tally *conv, struct tally *norm)
{
    char *text = read_all(H5RD_SOURCE_DIR "/tests/data/convert/vectors.txt");
    struct h5rd_type t;
    char name[64] = "";
    bool have = false, want_cls = false, had_n = false;
    uint8_t *in = NULL;
    size_t n = 0, isz = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == 'T') {
            parse_type(line, &t, name, sizeof name);
            char c = line[2 + strlen(name) + 1];
            want_cls = strchr(only_cls, c) != NULL;
            have = true;
            had_n = false;
        } else if (line[0] == 'I' && have && want_cls) {
            free(in);
            in = NULL;
            char hex[8];
            (void)hex;
            unsigned long long nn;
            cr_assert_eq(sscanf(line, "I %llu", &nn), 1);
            const char *h = strchr(line + 2, ' ') + 1;
            size_t nb = unhex(h, &in);
            n = (size_t)nn;
            isz = (size_t)t.info.size;
            cr_assert_eq(nb, n * isz, "%s: input size", name);
        } else if (line[0] == 'N' && have && want_cls && HOST_IS_LE) {
            had_n = true;
            uint8_t *want;
            size_t nb = unhex(line + 2, &want);
            cr_assert_eq(nb, n * isz);
            uint8_t *buf = malloc(nb + 1);
            memcpy(buf, in, nb);
            h5rd__conv_normalize(&t, buf, n);
            report("normalize", name, "native", in, isz, buf, want, isz, n, norm);
            if (h5rd__conv_normalize_is_noop(&t)) {
                cr_expect(memcmp(in, want, nb) == 0, "%s: is_noop but the oracle differs", name);
            }
            free(buf);
            free(want);
        } else if (line[0] == 'O' && have && want_cls) {
            char dst[8];
            cr_assert_eq(sscanf(line, "O %7s", dst), 1);
            const char *h = line + 3 + strlen(dst);
            if (strcmp(h, "-") == 0) {
                continue; /* libhdf5 has no conversion (bitfield to non-matching types) */
            }
            struct h5rd_memtype mt;
            parse_mt(dst, &mt);
            uint8_t *want;
            size_t nb = unhex(h, &want);
            cr_assert_eq(nb, n * mt.size, "%s -> %s: size", name, dst);
            if (!had_n && HOST_IS_LE && t.info.cls == H5RD_CLASS_FLOAT && dst[0] == '<' &&
                mt.cls == H5RD_MEMTYPE_FLOAT && mt.size == t.info.size) {
                /* h5py cannot read it in its own size (VAX order, a wider exponent): the
                 * normalisation is libhdf5's conversion to the native float of that size. */
                uint8_t *buf = malloc(nb + 1);
                memcpy(buf, in, nb);
                h5rd__conv_normalize(&t, buf, n);
                report("normalize", name, dst, in, isz, buf, want, isz, n, norm);
                free(buf);
            }
            if (!h5rd__conv_numeric_ok(&t, &mt)) {
                cr_log_error("%s -> %s: refused", name, dst);
                conv->checked++;
                conv->bad++;
                free(want);
                continue;
            }
            uint8_t *out = malloc(nb + 1);
            memset(out, 0xAB, nb);
            struct h5rd_error ec;
            h5rd__err_clear(&ec);
            h5rd_err rc = h5rd__conv_numeric(&t, &mt, in, out, n, &ec);
            cr_expect_eq(rc, H5RD_OK);
            report("convert", name, dst, in, isz, out, want, mt.size, n, conv);
            free(out);
            free(want);
        }
    }
    free(in);
    free(text);
}

Test(convert, int_vectors)
{
    struct tally c = {0, 0}, nm = {0, 0};
    run_vectors("ib", &c, &nm);
    cr_expect_geq(c.checked, 500);
    cr_expect_eq(c.bad, 0, "%u of %u integer conversions differ from libhdf5", c.bad, c.checked);
    cr_expect_geq(nm.checked, 20);
    cr_expect_eq(nm.bad, 0, "%u of %u integer normalisations differ", nm.bad, nm.checked);
}

Test(convert, float_vectors)
{
    struct tally c = {0, 0}, nm = {0, 0};
    run_vectors("f", &c, &nm);
    cr_expect_geq(c.checked, 300);
    cr_expect_eq(c.bad, 0, "%u of %u float conversions differ from libhdf5", c.bad, c.checked);
    cr_expect_geq(nm.checked, 8);
    cr_expect_eq(nm.bad, 0, "%u of %u float normalisations differ", nm.bad, nm.checked);
}

/* ---- hand-built types -------------------------------------------------------------------- */

static struct h5rd_type mk_int(uint64_t size, h5rd_byte_order order, bool sgn, uint32_t off,
                               uint32_t prec)
{
    struct h5rd_type t;
    memset(&t, 0, sizeof t);
    t.tag = (char *)"";
    t.info.tag = "";
    t.info.cls = H5RD_CLASS_INTEGER;
    t.info.size = size;
    t.info.order = order;
    t.info.is_signed = sgn;
    t.info.bit_offset = off;
    t.info.precision = prec;
    t.native_noop = size == 1 || order == H5RD_ORDER_LE;
    return t;
}

/* A float whose precision is its whole size (tests/support/mktype.c). */
static struct h5rd_type mk_float(uint64_t size, h5rd_byte_order order, uint32_t sp, uint32_t ep,
                                 uint32_t es, uint32_t mp, uint32_t ms, uint64_t bias,
                                 uint32_t norm)
{
    return mktype_float(size, order, (uint32_t)(8 * size), sp, ep, es, mp, ms, bias, norm);
}

static struct h5rd_type mk_plain(h5rd_type_class cls, uint64_t size)
{
    struct h5rd_type t;
    memset(&t, 0, sizeof t);
    t.tag = (char *)"";
    t.info.tag = "";
    t.info.cls = cls;
    t.info.size = size;
    t.native_noop = true;
    return t;
}

static const struct h5rd_memtype MT_I8LE = {H5RD_MEMTYPE_INT, 8, 1, H5RD_ORDER_LE};
static const struct h5rd_memtype MT_U2BE = {H5RD_MEMTYPE_INT, 2, 0, H5RD_ORDER_BE};
static const struct h5rd_memtype MT_F8LE = {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE};

Test(convert, compound_array_enum_normalize, .disabled = !HOST_IS_LE)
{
    /* compound { i12 BE at bit offset 2 @0; f8 BE @2; char[3] @10; u2 BE [2] @13;
     *            enum(i2 BE) @17 } */
    struct h5rd_type i12 = mk_int(2, H5RD_ORDER_BE, true, 2, 12);
    struct h5rd_type f8 = mk_float(8, H5RD_ORDER_BE, 63, 52, 11, 0, 52, 1023, 2);
    struct h5rd_type str = mk_plain(H5RD_CLASS_STRING, 3);
    str.info.str_pad = 1; /* null-padded: as stored */
    struct h5rd_type u2 = mk_int(2, H5RD_ORDER_BE, false, 0, 16);
    struct h5rd_type arr = mk_plain(H5RD_CLASS_ARRAY, 4);
    arr.base = &u2;
    arr.info.rank = 1;
    arr.info.dims[0] = 2;
    arr.native_noop = false;
    struct h5rd_type ebase = mk_int(2, H5RD_ORDER_BE, true, 0, 16);
    struct h5rd_type en = mk_plain(H5RD_CLASS_ENUM, 2);
    en.base = &ebase;
    en.info.order = H5RD_ORDER_BE;
    en.native_noop = false;
    struct h5rd__type_member mem[5] = {
        {(char *)"a", 0, &i12}, {(char *)"b", 2, &f8}, {(char *)"s", 10, &str},
        {(char *)"arr", 13, &arr}, {(char *)"e", 17, &en}};
    struct h5rd_type cmp = mk_plain(H5RD_CLASS_COMPOUND, 19);
    cmp.members = mem;
    cmp.info.nmembers = 5;
    cmp.native_noop = false;
    cr_assert(!h5rd__conv_normalize_is_noop(&cmp));

    uint8_t el[19];
    /* -3 in 12 bits at offset 2, BE, padding bits set: 0xfff4 | 0x3 | 0xc000 */
    uint16_t raw = (uint16_t)(((0x1000 - 3) << 2) | 0x3 | 0xc000);
    el[0] = (uint8_t)(raw >> 8);
    el[1] = (uint8_t)raw;
    const uint8_t one_be[8] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    memcpy(el + 2, one_be, 8);
    memcpy(el + 10, "xyz", 3);
    const uint8_t arr_be[4] = {0x12, 0x34, 0xab, 0xcd};
    memcpy(el + 13, arr_be, 4);
    el[17] = 0xff;
    el[18] = 0xfe;
    uint8_t buf[38];
    memcpy(buf, el, 19);
    memcpy(buf + 19, el, 19);
    h5rd__conv_normalize(&cmp, buf, 2);
    for (int k = 0; k < 2; k++) {
        const uint8_t *p = buf + 19 * k;
        int16_t a;
        memcpy(&a, p, 2);
        cr_expect_eq(a, -3);
        double d;
        memcpy(&d, p + 2, 8);
        cr_expect(d == 1.0);
        cr_expect(memcmp(p + 10, "xyz", 3) == 0);
        uint16_t u[2];
        memcpy(u, p + 13, 4);
        cr_expect_eq(u[0], 0x1234);
        cr_expect_eq(u[1], 0xabcd);
        int16_t e;
        memcpy(&e, p + 17, 2);
        cr_expect_eq(e, -2);
    }

    /* The enum converts as its base integer. */
    uint8_t out[8];
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert(h5rd__conv_numeric_ok(&en, &MT_I8LE));
    cr_assert_eq(h5rd__conv_numeric(&en, &MT_I8LE, el + 17, out, 1, &ec), H5RD_OK);
    int64_t v;
    memcpy(&v, out, 8);
    cr_expect_eq(v, -2);
    /* Members that need nothing: a no-op compound. */
    struct h5rd_type i4 = mk_int(4, H5RD_ORDER_LE, true, 0, 32);
    struct h5rd__type_member m2[2] = {{(char *)"x", 0, &i4}, {(char *)"s", 4, &str}};
    struct h5rd_type c2 = mk_plain(H5RD_CLASS_COMPOUND, 7);
    c2.members = m2;
    c2.info.nmembers = 2;
    cr_expect(h5rd__conv_normalize_is_noop(&c2));
}

Test(convert, noop_rules, .disabled = !HOST_IS_LE)
{
    struct h5rd_type t = mk_int(4, H5RD_ORDER_LE, true, 0, 32);
    cr_expect(h5rd__conv_normalize_is_noop(&t));
    t = mk_int(4, H5RD_ORDER_BE, true, 0, 32);
    cr_expect(!h5rd__conv_normalize_is_noop(&t));
    t = mk_int(2, H5RD_ORDER_LE, false, 0, 12);
    cr_expect(!h5rd__conv_normalize_is_noop(&t));
    t = mk_float(4, H5RD_ORDER_LE, 31, 23, 8, 0, 23, 127, 2);
    cr_expect(h5rd__conv_normalize_is_noop(&t));
    t = mk_float(16, H5RD_ORDER_LE, 79, 64, 15, 0, 64, 16383, 0);
    t.info.precision = 80;
    cr_expect(!h5rd__conv_normalize_is_noop(&t)); /* padding bytes are zeroed */
    struct h5rd_type s = mk_plain(H5RD_CLASS_STRING, 5);
    s.info.str_pad = 1;
    cr_expect(h5rd__conv_normalize_is_noop(&s));
    s.info.str_pad = 0;
    cr_expect(!h5rd__conv_normalize_is_noop(&s));
    s.info.str_pad = 2;
    cr_expect(!h5rd__conv_normalize_is_noop(&s));
    struct h5rd_type o = mk_plain(H5RD_CLASS_OPAQUE, 5);
    cr_expect(h5rd__conv_normalize_is_noop(&o));
    cr_expect(h5rd__conv_normalize_is_noop(NULL));
}

Test(convert, odd_sizes_are_safe)
{
    /* Each element sits alone in an exactly-sized heap block so ASan sees any overrun. */
    struct h5rd_error ec;
    uint8_t out[8];
    /* 3-byte integer, 20 bits at offset 3: normalised in place, converted. */
    struct h5rd_type t3 = mk_int(3, H5RD_ORDER_BE, true, 3, 20);
    uint8_t *p = malloc(3);
    p[0] = 0xff;
    p[1] = 0xff;
    p[2] = 0xff; /* all ones: -1 with padding set */
    h5rd__conv_normalize(&t3, p, 1);
    if (HOST_IS_LE) {
        cr_expect(p[0] == 0xff && p[1] == 0xff && p[2] == 0xff);
    }
    p[0] = 0x80;
    p[1] = 0x00;
    p[2] = 0x07; /* BE: bit 23 and bits 0-2 (padding) set, value bits 0 -> 0 */
    h5rd__err_clear(&ec);
    cr_assert(h5rd__conv_numeric_ok(&t3, &MT_U2BE));
    cr_expect_eq(h5rd__conv_numeric(&t3, &MT_U2BE, p, out, 1, &ec), H5RD_OK);
    cr_expect(out[0] == 0 && out[1] == 0);
    free(p);

    /* 16-byte integers: converted to integers (saturating), never to floats. */
    struct h5rd_type t16 = mk_int(16, H5RD_ORDER_LE, true, 0, 128);
    cr_expect(h5rd__conv_numeric_ok(&t16, &MT_I8LE));
    cr_expect(!h5rd__conv_numeric_ok(&t16, &MT_F8LE));
    p = malloc(16);
    memset(p, 0, 16);
    p[9] = 1; /* 2^72 */
    cr_expect_eq(h5rd__conv_numeric(&t16, &MT_I8LE, p, out, 1, &ec), H5RD_OK);
    int64_t v;
    memcpy(&v, out, 8);
    cr_expect_eq(v, INT64_MAX);
    memset(p, 0xff, 16); /* -1 */
    cr_expect_eq(h5rd__conv_numeric(&t16, &MT_I8LE, p, out, 1, &ec), H5RD_OK);
    memcpy(&v, out, 8);
    cr_expect_eq(v, -1);
    memset(p, 0, 16);
    p[15] = 0x80; /* -2^127 */
    cr_expect_eq(h5rd__conv_numeric(&t16, &MT_I8LE, p, out, 1, &ec), H5RD_OK);
    memcpy(&v, out, 8);
    cr_expect_eq(v, INT64_MIN);
    /* Normalising a 16-byte BE integer only swaps it. */
    struct h5rd_type t16b = mk_int(16, H5RD_ORDER_BE, false, 4, 100);
    for (int i = 0; i < 16; i++) {
        p[i] = (uint8_t)i;
    }
    h5rd__conv_normalize(&t16b, p, 1);
    if (HOST_IS_LE) {
        for (int i = 0; i < 16; i++) {
            cr_expect_eq(p[i], 15 - i);
        }
    }
    free(p);

    /* A 3-byte float and a 5-byte VAX float: no IEEE twin, left as stored (made host order);
     * an odd-size VAX float is not converted. */
    struct h5rd_type f3 = mk_float(3, H5RD_ORDER_BE, 23, 16, 7, 0, 16, 63, 2);
    p = malloc(3);
    p[0] = 1;
    p[1] = 2;
    p[2] = 3;
    h5rd__conv_normalize(&f3, p, 1);
    if (HOST_IS_LE) {
        cr_expect(p[0] == 3 && p[1] == 2 && p[2] == 1);
    }
    cr_expect(h5rd__conv_numeric_ok(&f3, &MT_F8LE));
    cr_expect_eq(h5rd__conv_numeric(&f3, &MT_F8LE, p, out, 1, &ec), H5RD_OK);
    free(p);
    struct h5rd_type v5 = mk_float(5, H5RD_ORDER_VAX, 39, 31, 8, 0, 31, 129, 2);
    cr_expect(!h5rd__conv_numeric_ok(&v5, &MT_F8LE));
    p = malloc(5);
    memset(p, 0x5a, 5);
    h5rd__conv_normalize(&v5, p, 1); /* must not touch outside the element */
    free(p);

    /* A big float (quad-like, 16 bytes, 15-bit exponent, 112-bit mantissa): float -> float
     * only; an 80-byte float is beyond the work buffers. */
    struct h5rd_type q = mk_float(16, H5RD_ORDER_LE, 127, 112, 15, 0, 112, 16383, 2);
    cr_expect(h5rd__conv_numeric_ok(&q, &MT_F8LE));
    cr_expect(!h5rd__conv_numeric_ok(&q, &MT_I8LE));
    p = calloc(1, 16);
    p[15] = 0x3f;
    p[14] = 0xff; /* 1.0 */
    cr_expect_eq(h5rd__conv_numeric(&q, &MT_F8LE, p, out, 1, &ec), H5RD_OK);
    double d;
    memcpy(&d, out, 8);
    cr_expect(d == 1.0, "got %g", d);
    h5rd__conv_normalize(&q, p, 1); /* quad in 16 bytes: converted to x87 as libhdf5 would */
    free(p);
    struct h5rd_type big = mk_float(80, H5RD_ORDER_LE, 639, 600, 39, 0, 600, 1000, 2);
    cr_expect(!h5rd__conv_numeric_ok(&big, &MT_F8LE));
    p = calloc(1, 80);
    h5rd__conv_normalize(&big, p, 1);
    free(p);
}

Test(convert, refusals)
{
    struct h5rd_error ec;
    uint8_t in[16] = {0}, out[16];
    struct h5rd_type s = mk_plain(H5RD_CLASS_STRING, 4);
    cr_expect(!h5rd__conv_numeric_ok(&s, &MT_I8LE));
    h5rd__err_clear(&ec);
    cr_expect_eq(h5rd__conv_numeric(&s, &MT_I8LE, in, out, 1, &ec), H5RD_E_TYPE);
    struct h5rd_type c = mk_plain(H5RD_CLASS_COMPOUND, 4);
    cr_expect(!h5rd__conv_numeric_ok(&c, &MT_I8LE));
    struct h5rd_type i4 = mk_int(4, H5RD_ORDER_LE, true, 0, 32);
    struct h5rd_memtype bad = {H5RD_MEMTYPE_INT, 3, 1, H5RD_ORDER_LE};
    cr_expect(!h5rd__conv_numeric_ok(&i4, &bad));
    bad = (struct h5rd_memtype){H5RD_MEMTYPE_FLOAT, 1, 0, H5RD_ORDER_LE};
    cr_expect(!h5rd__conv_numeric_ok(&i4, &bad));
    bad = (struct h5rd_memtype){H5RD_MEMTYPE_INT, 4, 1, H5RD_ORDER_VAX};
    cr_expect(!h5rd__conv_numeric_ok(&i4, &bad));
    bad = (struct h5rd_memtype){H5RD_MEMTYPE_FILE, 4, 1, H5RD_ORDER_LE};
    cr_expect(!h5rd__conv_numeric_ok(&i4, &bad));
    cr_expect(!h5rd__conv_numeric_ok(&i4, NULL));
    cr_expect(!h5rd__conv_numeric_ok(NULL, &MT_I8LE));
    /* Mantissa normalisation "msb set": libhdf5 has no conversion for it. */
    struct h5rd_type f = mk_float(4, H5RD_ORDER_LE, 31, 23, 8, 0, 23, 127, 1);
    cr_expect(!h5rd__conv_numeric_ok(&f, &MT_F8LE));
    /* Zero elements: nothing written, success. */
    cr_expect_eq(h5rd__conv_numeric(&i4, &MT_I8LE, in, out, 0, &ec), H5RD_OK);
}

Test(convert, fixed_strings_as_h5py_reads_them)
{
    /* h5py reads fixed strings into a null-padded memory type (H5T__conv_s_s). */
    struct h5rd_type s = mk_plain(H5RD_CLASS_STRING, 6);
    uint8_t buf[18];
    memcpy(buf, "ab\0cd\0" "ab  c " "abcdef", 18);
    s.info.str_pad = 0; /* null-terminated: cut at the first NUL */
    uint8_t b[18];
    memcpy(b, buf, 18);
    h5rd__conv_normalize(&s, b, 3);
    cr_expect(memcmp(b, "ab\0\0\0\0" "ab  c " "abcdef", 18) == 0);
    s.info.str_pad = 2; /* space-padded: trailing spaces become NULs */
    memcpy(b, buf, 18);
    h5rd__conv_normalize(&s, b, 3);
    cr_expect(memcmp(b, "ab\0cd\0" "ab  c\0" "abcdef", 18) == 0);
    s.info.str_pad = 1; /* null-padded: as stored */
    memcpy(b, buf, 18);
    h5rd__conv_normalize(&s, b, 3);
    cr_expect(memcmp(b, buf, 18) == 0);
}
