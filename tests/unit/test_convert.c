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
    bool have = false, want_cls = false;
    uint8_t *in = NULL;
    size_t n = 0, isz = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == 'T') {
            parse_type(line, &t, name, sizeof name);
            char c = line[2 + strlen(name) + 1];
            want_cls = strchr(only_cls, c) != NULL;
            have = true;
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
