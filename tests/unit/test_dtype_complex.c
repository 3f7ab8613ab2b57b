/*
 * test_dtype_complex.c - the HDF5 2.0 complex-number datatype (class 11): decoding (src/dtype/dtype.c),
 * byte order and normalisation, and numeric conversion (src/dtype/convert.c) as libhdf5 2.0
 * does it (H5Odtype.c, H5Tconv_complex.c):
 *  - class bits: bit 0 homogeneous (required), bits 1-2 form (rectangular only), others zero;
 *    the base must be a float of half the complex's size;
 *  - parts made native / normalised as the base float (x87 padding zeroed, quad -> x87);
 *  - complex -> complex part by part; complex -> float/integer takes the real part;
 *    float/integer -> complex gets a zero imaginary part.
 * The messages are built byte by byte here, in the layout of the corpus files tcomplex*.h5
 * (tests/e2e/test_complex.c reads those files against libhdf5 2.0).
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "dtype/convert.h"
#include "dtype/dtype.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_IS_LE 0
#else
#define HOST_IS_LE 1
#endif

static struct h5rd_file F;

static void *t_malloc(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}

static void *t_realloc(void *u, void *p, size_t n)
{
    (void)u;
    return realloc(p, n);
}

static void t_free(void *u, void *p)
{
    (void)u;
    free(p);
}

static void setup(void)
{
    memset(&F, 0, sizeof F);
    F.alloc.malloc_fn = t_malloc;
    F.alloc.realloc_fn = t_realloc;
    F.alloc.free_fn = t_free;
    h5rd__limits_default(&F.limits);
    F.sb.size_of_offsets = 8;
    F.sb.size_of_lengths = 8;
}

/* Datatype header: class | version << 4, 24 class bits, size. */
static void hdr(struct bld *b, unsigned cls, unsigned version, uint32_t bits, uint32_t size)
{
    bld_u8(b, cls | (version << 4));
    bld_u8(b, bits & 0xff);
    bld_u8(b, (bits >> 8) & 0xff);
    bld_u8(b, (bits >> 16) & 0xff);
    bld_u32(b, size);
}

/* IEEE float of 4 or 8 bytes (big-endian when 'be'), version 1 as libhdf5 writes the base. */
static void ieee(struct bld *b, uint32_t size, int be)
{
    uint32_t sign = size * 8 - 1;
    hdr(b, 1, 1, (uint32_t)(be ? 1 : 0) | 0x20 | (sign << 8), size);
    bld_u16(b, 0);
    bld_u16(b, (uint16_t)(size * 8));
    bld_u8(b, size == 4 ? 23 : 52);
    bld_u8(b, size == 4 ? 8 : 11);
    bld_u8(b, 0);
    bld_u8(b, size == 4 ? 23 : 52);
    bld_u32(b, size == 4 ? 127 : 1023);
}

/* The 16-byte long double of tcomplex.h5: sign 127, 15-bit exponent at 112, 112-bit mantissa
 * with an explicit integer bit (normalization none). */
static void quad_none(struct bld *b, int be)
{
    hdr(b, 1, 1, (uint32_t)(be ? 1 : 0) | (127u << 8), 16);
    bld_u16(b, 0);
    bld_u16(b, 128);
    bld_u8(b, 112);
    bld_u8(b, 15);
    bld_u8(b, 0);
    bld_u8(b, 112);
    bld_u32(b, 16383);
}

static h5rd_err decode(struct bld *b, struct h5rd_type **t, struct h5rd_error *ec)
{
    h5rd__err_clear(ec);
    struct h5rd_cur c = h5rd__cur_make(b->p, b->n, 0x1000, 8, 8, ec);
    return h5rd__dtype_decode(&F, &c, t, ec);
}

static struct h5rd_type *complex_of(uint32_t base_size, int be)
{
    struct bld b;
    bld_init(&b);
    hdr(&b, 11, 5, 0x1, 2 * base_size);
    if (base_size == 16) {
        quad_none(&b, be);
    } else {
        ieee(&b, base_size, be);
    }
    struct h5rd_type *t = NULL;
    struct h5rd_error ec;
    cr_assert_eq(decode(&b, &t, &ec), H5RD_OK, "%s", ec.what);
    bld_free(&b);
    return t;
}

TestSuite(dtype_complex, .init = setup);

Test(dtype_complex, decode_info_and_super)
{
    struct h5rd_type *t = complex_of(4, 1);
    struct h5rd_type_info ti, bi;
    cr_assert_eq(h5rd_type_get_info(t, &ti, NULL), H5RD_OK);
    cr_assert_eq(ti.cls, H5RD_CLASS_COMPLEX);
    cr_assert_eq(ti.size, 8);
    cr_assert_eq(ti.order, H5RD_ORDER_BE);
    cr_assert_eq(ti.precision, 32);
    cr_assert_eq(ti.exp_nbits, 8);
    const h5rd_type *base = NULL;
    cr_assert_eq(h5rd_type_get_super(t, &base, NULL), H5RD_OK);
    cr_assert_eq(h5rd_type_get_info(base, &bi, NULL), H5RD_OK);
    cr_assert_eq(bi.cls, H5RD_CLASS_FLOAT);
    cr_assert_eq(bi.size, 4);
    cr_assert_eq(bi.order, H5RD_ORDER_BE);
    h5rd__dtype_free(&F, t);

    /* inside an array (v3) and a compound (v3), as in tcomplex.h5 */
    struct bld b;
    bld_init(&b);
    hdr(&b, 10, 5, 0, 800);
    bld_u8(&b, 2);
    bld_u32(&b, 10);
    bld_u32(&b, 10);
    hdr(&b, 11, 5, 0x1, 8);
    ieee(&b, 4, 0);
    struct h5rd_error ec;
    cr_assert_eq(decode(&b, &t, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(t->info.cls, H5RD_CLASS_ARRAY);
    cr_assert_eq(t->base->info.cls, H5RD_CLASS_COMPLEX);
    h5rd__dtype_free(&F, t);
    bld_free(&b);
}

Test(dtype_complex, decode_refusals)
{
    static const struct {
        uint32_t bits, size;
        unsigned base_cls;
        h5rd_err want;
    } cases[] = {
        {0x0, 8, 1, H5RD_E_UNSUPPORTED},  /* heterogeneous */
        {0x3, 8, 1, H5RD_E_UNSUPPORTED},  /* polar form */
        {0x5, 8, 1, H5RD_E_UNSUPPORTED},  /* exponential form */
        {0x9, 8, 1, H5RD_E_CORRUPT},      /* reserved bit */
        {0x1, 12, 1, H5RD_E_CORRUPT},     /* size is not twice the base */
        {0x1, 8, 0, H5RD_E_CORRUPT},      /* integer base */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bld b;
        bld_init(&b);
        hdr(&b, 11, 5, cases[i].bits, cases[i].size);
        if (cases[i].base_cls == 1) {
            ieee(&b, 4, 0);
        } else {
            hdr(&b, 0, 1, 0x8, 4);
            bld_u16(&b, 0);
            bld_u16(&b, 32);
        }
        struct h5rd_type *t = NULL;
        struct h5rd_error ec;
        cr_assert_eq(decode(&b, &t, &ec), cases[i].want, "case %zu: %s", i, ec.what);
        cr_assert_null(t);
        bld_free(&b);
    }
    /* truncated base */
    struct bld b;
    bld_init(&b);
    hdr(&b, 11, 5, 0x1, 8);
    struct h5rd_type *t = NULL;
    struct h5rd_error ec;
    cr_assert_eq(decode(&b, &t, &ec), H5RD_E_TRUNCATED, "%s", ec.what);
    bld_free(&b);
}

static void put_be32f(uint8_t *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    u = __builtin_bswap32(u);
    memcpy(p, &u, 4);
}

Test(dtype_complex, native_order_and_normalize, .disabled = !HOST_IS_LE)
{
    struct h5rd_type *t = complex_of(4, 1);
    uint8_t buf[16];
    put_be32f(buf, 1.5f);
    put_be32f(buf + 4, -2.25f);
    put_be32f(buf + 8, 10.0f);
    put_be32f(buf + 12, 0.0f);
    uint8_t copy[16];
    memcpy(copy, buf, 16);
    h5rd__dtype_to_native(t, buf, 2);
    float f[4];
    memcpy(f, buf, 16);
    cr_assert(f[0] == 1.5f && f[1] == -2.25f && f[2] == 10.0f && f[3] == 0.0f);
    cr_assert(!h5rd__conv_normalize_is_noop(t));
    h5rd__conv_normalize(t, copy, 2);
    cr_assert_arr_eq(copy, buf, 16);
    cr_assert_eq(h5rd__conv_file_elem_size(t), 8);
    h5rd__dtype_free(&F, t);

    /* a little-endian complex128 is read as stored */
    t = complex_of(8, 0);
    cr_assert(h5rd__conv_normalize_is_noop(t));
    h5rd__dtype_free(&F, t);
}

Test(dtype_complex, long_double_parts_become_x87, .disabled = !HOST_IS_LE)
{
    /* 10 + 1.1i in the tcomplex.h5 layout: mantissa with explicit integer bit at bit 111 */
    struct h5rd_type *t = complex_of(16, 0);
    uint8_t buf[32] = {0};
    /* 10 = 1.25 * 2^3: exponent 16386, mantissa 0xa000... (top byte 13) */
    buf[13] = 0xa0;
    buf[14] = 0x02;
    buf[15] = 0x40;
    /* 1.1: exponent 16383, mantissa round(1.1 * 2^111) = 0x8ccc...cd */
    uint8_t one_one[16] = {0xcd, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
                           0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0x8c, 0xff, 0x3f};
    memcpy(buf + 16, one_one, 16);
    h5rd__conv_normalize(t, buf, 1);
    if (sizeof(long double) == 16 && LDBL_MANT_DIG == 64) {
        long double re, im;
        memcpy(&re, buf, 16);
        memcpy(&im, buf + 16, 16);
        cr_assert(re == 10.0L, "re %.21Lg", re);
        cr_assert(im == 1.1L, "im %.21Lg", im);
    }
    for (int k = 10; k < 16; k++) {
        cr_assert_eq(buf[k], 0);
        cr_assert_eq(buf[16 + k], 0);
    }
    h5rd__dtype_free(&F, t);
}

Test(dtype_complex, numeric_conversion, .disabled = !HOST_IS_LE)
{
    struct h5rd_type *t = complex_of(4, 1);
    uint8_t in[16];
    put_be32f(in, 1.5f);
    put_be32f(in + 4, -2.25f);
    put_be32f(in + 8, 100000.0f);
    put_be32f(in + 12, 3.0f);
    struct h5rd_error ec;

    /* complex64 BE -> complex128 LE: part by part */
    struct h5rd_memtype c16 = {H5RD_MEMTYPE_COMPLEX, 16, 0, H5RD_ORDER_LE};
    cr_assert(h5rd__conv_numeric_ok(t, &c16));
    double d[4];
    cr_assert_eq(h5rd__conv_numeric(t, &c16, in, (uint8_t *)d, 2, &ec), H5RD_OK);
    cr_assert(d[0] == 1.5 && d[1] == -2.25 && d[2] == 100000.0 && d[3] == 3.0);

    /* complex -> float64: the real part */
    struct h5rd_memtype f8 = {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE};
    cr_assert_eq(h5rd__conv_numeric(t, &f8, in, (uint8_t *)d, 2, &ec), H5RD_OK);
    cr_assert(d[0] == 1.5 && d[1] == 100000.0);

    /* complex -> int16: the real part, truncated, saturated */
    struct h5rd_memtype i2 = {H5RD_MEMTYPE_INT, 2, 1, H5RD_ORDER_LE};
    int16_t s[2];
    cr_assert_eq(h5rd__conv_numeric(t, &i2, in, (uint8_t *)s, 2, &ec), H5RD_OK);
    cr_assert(s[0] == 1 && s[1] == 32767);

    /* complex -> complex64 BE: the stored bytes back */
    struct h5rd_memtype c8be = {H5RD_MEMTYPE_COMPLEX, 8, 0, H5RD_ORDER_BE};
    uint8_t back[16];
    cr_assert_eq(h5rd__conv_numeric(t, &c8be, in, back, 2, &ec), H5RD_OK);
    cr_assert_arr_eq(back, in, 16);
    h5rd__dtype_free(&F, t);

    /* float64 -> complex64: imaginary part zero */
    struct bld b;
    bld_init(&b);
    ieee(&b, 8, 0);
    struct h5rd_type *ft = NULL;
    cr_assert_eq(decode(&b, &ft, &ec), H5RD_OK);
    bld_free(&b);
    double src[3] = {0.5, -7.0, 1e300};
    float out[6];
    memset(out, 0xff, sizeof out);
    struct h5rd_memtype c8 = {H5RD_MEMTYPE_COMPLEX, 8, 0, H5RD_ORDER_LE};
    cr_assert(h5rd__conv_numeric_ok(ft, &c8));
    cr_assert_eq(h5rd__conv_numeric(ft, &c8, (const uint8_t *)src, (uint8_t *)out, 3, &ec),
                 H5RD_OK);
    cr_assert(out[0] == 0.5f && out[1] == 0.0f && out[2] == -7.0f && out[3] == 0.0f);
    cr_assert(out[4] == __builtin_inff() && out[5] == 0.0f);
    h5rd__dtype_free(&F, ft);

    /* an invalid complex memory size */
    t = complex_of(8, 0);
    struct h5rd_memtype bad = {H5RD_MEMTYPE_COMPLEX, 12, 0, H5RD_ORDER_LE};
    cr_assert(!h5rd__conv_numeric_ok(t, &bad));
    cr_assert_eq(h5rd__conv_numeric(t, &bad, in, back, 1, &ec), H5RD_E_TYPE);
    h5rd__dtype_free(&F, t);
}
