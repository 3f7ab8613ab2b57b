/*
 * test_conv_h5py.c - the parts of H5RD_MEMTYPE_FILE reads that follow what h5py asks libhdf5
 * for (src/dtype/dtype.c h5py_conv and pads, src/dtype/convert.c):
 *  - compound padding: zeroed when h5py's memory type differs from the file type anywhere
 *    (libhdf5's H5T__conv_struct writes the members into h5py's zeroed buffer), kept as stored
 *    when it is identical (no conversion); nested compounds follow the same rule each;
 *  - float widening: bfloat16 -> f4, a 4-byte float with an 11-bit exponent -> f8, an x87
 *    80-bit value in 12 bytes -> 16-byte long double, as h5py reads them.
 * Datatypes are decoded from hand-built Datatype messages (Spec v3.0 IV.A.2.d) so that the
 * decode-time flags are exercised; expected bytes were checked against h5py 3.7 / libhdf5
 * 1.10.8 (corpus files tnestedcomp.h5, tbitnopaque.h5, tbfloat16.h5, h5diff_basic1.h5).
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "mktype.h"
#include "rawfile.h"
#include "dtype/convert.h"
#include "dtype/dtype.h"

#include <stdlib.h>
#include <string.h>

#define HOST_IS_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static void file_init(struct h5rd_file *f)
{
    rawfile_init(f, 0);
    f->sb.size_of_offsets = 8;
    f->sb.size_of_lengths = 8;
}

static struct h5rd_type *decode(const struct h5rd_file *f, const struct bld *b)
{
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_cur c = h5rd__cur_make(b->p, b->n, 0x1000, 8, 8, &ec);
    struct h5rd_type *t = NULL;
    cr_assert_eq(h5rd__dtype_decode(f, &c, &t, &ec), H5RD_OK, "%s", ec.what ? ec.what : "");
    cr_assert_eq(c.pos, b->n);
    return t;
}

/* ---- Datatype message builders (version 1 atoms, version 3 compounds) --------------------- */

static void hdr(struct bld *b, unsigned cls, unsigned version, uint32_t bits, uint32_t size)
{
    bld_u8(b, cls | (version << 4));
    bld_u8(b, bits & 0xff);
    bld_u8(b, (bits >> 8) & 0xff);
    bld_u8(b, (bits >> 16) & 0xff);
    bld_u32(b, size);
}

/* class 0 integer / 4 bitfield */
static void fixed(struct bld *b, unsigned cls, uint32_t size, bool be, bool sgn, uint16_t off,
                  uint16_t prec)
{
    hdr(b, cls, 1, (be ? 1u : 0u) | (sgn ? 8u : 0u), size);
    bld_u16(b, off);
    bld_u16(b, prec);
}

static void ieee(struct bld *b, uint32_t size, bool be)
{
    unsigned sp = size * 8 - 1, es = size == 4 ? 8 : 11, ms = size == 4 ? 23 : 52;
    hdr(b, 1, 1, (be ? 1u : 0u) | (2u << 4) | (sp << 8), size);
    bld_u16(b, 0);
    bld_u16(b, (uint16_t)(size * 8));
    bld_u8(b, ms);
    bld_u8(b, es);
    bld_u8(b, 0);
    bld_u8(b, ms);
    bld_u32(b, size == 4 ? 127 : 1023);
}

static void string(struct bld *b, uint32_t size, unsigned pad)
{
    hdr(b, 3, 1, pad, size);
}

/* Compound v3 header; members follow with member(). */
static void compound(struct bld *b, uint32_t nmembers, uint32_t size)
{
    hdr(b, 6, 3, nmembers, size);
}

static void member(struct bld *b, const char *name, uint32_t off, uint32_t csize)
{
    bld_str(b, name);
    bld_u8(b, 0);
    unsigned w = 1;
    for (uint32_t v = csize; v > 255; v >>= 8) {
        w++;
    }
    bld_uvar(b, off, w);
}

/* ---- compound padding ------------------------------------------------------------------- */

/* { a @0: 1-byte (bitfield | int); b @4: i4 LE; c @8: u2 LE } of 12 bytes. */
static struct h5rd_type *cmp3(const struct h5rd_file *f, unsigned a_cls, bool a_be)
{
    struct bld b;
    bld_init(&b);
    compound(&b, 3, 12);
    member(&b, "a", 0, 12);
    fixed(&b, a_cls, 1, a_be, false, 0, 8);
    member(&b, "b", 4, 12);
    fixed(&b, 0, 4, false, true, 0, 32);
    member(&b, "c", 8, 12);
    fixed(&b, 0, 2, false, false, 0, 16);
    struct h5rd_type *t = decode(f, &b);
    bld_free(&b);
    return t;
}

static void fill_elems(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(0xa0 + i % 16);
    }
}

Test(conv_h5py, bitfield_member_zeroes_padding, .disabled = !HOST_IS_LE)
{
    struct h5rd_file f;
    file_init(&f);
    struct h5rd_type *t = cmp3(&f, 4, false);
    cr_expect(t->h5py_conv);
    cr_assert_eq(t->npads, 2);
    cr_expect_eq(t->pads[0].off, 1);
    cr_expect_eq(t->pads[0].len, 3);
    cr_expect_eq(t->pads[1].off, 10);
    cr_expect_eq(t->pads[1].len, 2);
    cr_expect(!h5rd__conv_normalize_is_noop(t));
    uint8_t buf[24], want[24];
    fill_elems(buf, sizeof buf);
    memcpy(want, buf, sizeof buf);
    for (int e = 0; e < 2; e++) {
        memset(want + 12 * e + 1, 0, 3);
        memset(want + 12 * e + 10, 0, 2);
    }
    h5rd__conv_normalize(t, buf, 2);
    cr_expect(memcmp(buf, want, sizeof buf) == 0);
    h5rd__dtype_free(&f, t);
}

Test(conv_h5py, identical_compound_keeps_padding, .disabled = !HOST_IS_LE)
{
    struct h5rd_file f;
    file_init(&f);
    struct h5rd_type *t = cmp3(&f, 0, false); /* a: plain little-endian u1 */
    cr_expect(!t->h5py_conv);
    cr_expect_eq(t->npads, 0);
    cr_expect(h5rd__conv_normalize_is_noop(t));
    uint8_t buf[24], want[24];
    fill_elems(buf, sizeof buf);
    memcpy(want, buf, sizeof buf);
    h5rd__conv_normalize(t, buf, 2);
    cr_expect(memcmp(buf, want, sizeof buf) == 0);
    h5rd__dtype_free(&f, t);
    /* A 1-byte integer stored big-endian: h5py asks for a little-endian one (a conversion). */
    t = cmp3(&f, 0, true);
    cr_expect(t->h5py_conv);
    cr_expect_eq(t->npads, 2);
    h5rd__dtype_free(&f, t);
}

/* outer (20 bytes) { x @0: i4 LE; in @4: inner; y @16: u1 } with
 * inner (12 bytes) { s @0: string(1, pad); v @4: f4 LE; w @8: f4 BE }. */
static struct h5rd_type *nested(const struct h5rd_file *f, unsigned pad)
{
    struct bld b;
    bld_init(&b);
    compound(&b, 3, 20);
    member(&b, "x", 0, 20);
    fixed(&b, 0, 4, false, true, 0, 32);
    member(&b, "in", 4, 20);
    compound(&b, 3, 12);
    member(&b, "s", 0, 12);
    string(&b, 1, pad);
    member(&b, "v", 4, 12);
    ieee(&b, 4, false);
    member(&b, "w", 8, 12);
    ieee(&b, 4, true);
    member(&b, "y", 16, 20);
    fixed(&b, 0, 1, false, false, 0, 8);
    struct h5rd_type *t = decode(f, &b);
    bld_free(&b);
    return t;
}

Test(conv_h5py, nested_compounds, .disabled = !HOST_IS_LE)
{
    struct h5rd_file f;
    file_init(&f);
    /* NULL-terminated string in the inner compound: both levels convert (tnestedcomp.h5). */
    struct h5rd_type *t = nested(&f, 0);
    cr_expect(t->h5py_conv);
    cr_expect(t->members[1].type->h5py_conv);
    uint8_t buf[20];
    fill_elems(buf, sizeof buf);
    buf[4] = 'A';
    const uint8_t w_be[4] = {0x3f, 0x80, 0, 0}; /* 1.0f big-endian */
    memcpy(buf + 12, w_be, 4);
    h5rd__conv_normalize(t, buf, 1);
    const uint8_t zero3[3] = {0, 0, 0};
    cr_expect(buf[4] == 'A');
    cr_expect(memcmp(buf + 5, zero3, 3) == 0, "inner padding zeroed");
    cr_expect(memcmp(buf + 17, zero3, 3) == 0, "outer tail padding zeroed");
    float w;
    memcpy(&w, buf + 12, 4);
    cr_expect(w == 1.0f);
    h5rd__dtype_free(&f, t);

    /* NULL-padded: the inner compound is identical to h5py's and so is the outer (the BE
     * float stays BE for h5py): nothing converts, padding as stored; numbers made LE. */
    t = nested(&f, 1);
    cr_expect(!t->h5py_conv);
    fill_elems(buf, sizeof buf);
    uint8_t want[20];
    memcpy(want, buf, sizeof buf);
    memcpy(buf + 12, w_be, 4);
    h5rd__conv_normalize(t, buf, 1);
    cr_expect(memcmp(buf + 5, want + 5, 3) == 0);
    cr_expect(memcmp(buf + 17, want + 17, 3) == 0);
    h5rd__dtype_free(&f, t);
}

Test(conv_h5py, identical_inner_in_converted_outer, .disabled = !HOST_IS_LE)
{
    /* outer { b @0: bitfield u1; in @4: inner (NULL-padded, identical) } of 20 bytes: the outer
     * converts, but the inner member is copied whole (its padding as stored). */
    struct h5rd_file f;
    file_init(&f);
    struct bld b;
    bld_init(&b);
    compound(&b, 2, 20);
    member(&b, "b", 0, 20);
    fixed(&b, 4, 1, false, false, 0, 8);
    member(&b, "in", 4, 20);
    compound(&b, 2, 12);
    member(&b, "s", 0, 12);
    string(&b, 1, 1);
    member(&b, "v", 4, 12);
    ieee(&b, 4, false);
    struct h5rd_type *t = decode(&f, &b);
    bld_free(&b);
    cr_expect(t->h5py_conv);
    cr_expect(!t->members[1].type->h5py_conv);
    cr_assert_eq(t->npads, 2); /* [1, 4) and [16, 20) */
    uint8_t buf[20], want[20];
    fill_elems(buf, sizeof buf);
    memcpy(want, buf, sizeof buf);
    memset(want + 1, 0, 3);
    memset(want + 16, 0, 4);
    h5rd__conv_normalize(t, buf, 1);
    cr_expect(memcmp(buf, want, sizeof buf) == 0);
    h5rd__dtype_free(&f, t);
}

/* ---- float widening --------------------------------------------------------------------- */

Test(conv_h5py, widened_sizes)
{
    struct h5rd_type f4 = mktype_float(4, H5RD_ORDER_LE, 32, 31, 23, 8, 0, 23, 127, 2);
    struct h5rd_type f2 = mktype_float(2, H5RD_ORDER_BE, 16, 15, 10, 5, 0, 10, 15, 2);
    struct h5rd_type bf16 = mktype_float(2, H5RD_ORDER_LE, 16, 15, 7, 8, 0, 7, 127, 2);
    struct h5rd_type x87_12 = mktype_float(12, H5RD_ORDER_LE, 80, 79, 64, 15, 0, 64, 16383, 0);
    struct h5rd_type x87_16 = mktype_float(16, H5RD_ORDER_LE, 80, 79, 64, 15, 0, 64, 16383, 0);
    struct h5rd_type f4e11 = mktype_float(4, H5RD_ORDER_LE, 32, 31, 20, 11, 0, 20, 1023, 2);
    struct h5rd_type f8b841 = mktype_float(8, H5RD_ORDER_LE, 64, 63, 52, 11, 0, 52, 841, 2);
    struct h5rd_type f3 = mktype_float(3, H5RD_ORDER_LE, 24, 23, 16, 7, 0, 16, 63, 2);
    cr_expect_eq(h5rd__conv_file_elem_size(&f4), 4);
    cr_expect_eq(h5rd__conv_file_elem_size(&f2), 2);
    cr_expect_eq(h5rd__conv_file_elem_size(&bf16), 4);
    cr_expect_eq(h5rd__conv_file_elem_size(&x87_12), 16);
    cr_expect_eq(h5rd__conv_file_elem_size(&x87_16), 16);
    cr_expect_eq(h5rd__conv_file_elem_size(&f4e11), 8);
    cr_expect_eq(h5rd__conv_file_elem_size(&f8b841), 16); /* cve-2025-44905.h5 /Array_le */
    cr_expect_eq(h5rd__conv_file_elem_size(&f3), 4);
    cr_expect(h5rd__conv_float_is_numpy(&f4));
    cr_expect(h5rd__conv_float_is_numpy(&x87_16));
    cr_expect(!h5rd__conv_float_is_numpy(&bf16));
    struct h5rd_type i2;
    memset(&i2, 0, sizeof i2);
    i2.info.cls = H5RD_CLASS_INTEGER;
    i2.info.size = 2;
    cr_expect_eq(h5rd__conv_file_elem_size(&i2), 2);
    /* Other types are never widened: h5rd__conv_widen leaves the output alone. */
    uint8_t in[2] = {1, 2}, out[2] = {7, 7};
    h5rd__conv_widen(&i2, in, out, 1);
    cr_expect(out[0] == 7 && out[1] == 7);
}

Test(conv_h5py, bfloat16_to_f4, .disabled = !HOST_IS_LE)
{
    struct h5rd_type le = mktype_float(2, H5RD_ORDER_LE, 16, 15, 7, 8, 0, 7, 127, 2);
    struct h5rd_type be = mktype_float(2, H5RD_ORDER_BE, 16, 15, 7, 8, 0, 7, 127, 2);
    /* bfloat16 is the top half of an IEEE single: exact. */
    const float vals[] = {1.0f, -2.5f, 0.0f, 3.0e38f, 1.0e-39f /* denormal */, -0.0f};
    size_t n = sizeof vals / sizeof vals[0];
    uint8_t in_le[12], in_be[12];
    float want[6];
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &vals[i], 4);
        u &= 0xffff0000u;
        memcpy(&want[i], &u, 4);
        in_le[2 * i] = (uint8_t)(u >> 16);
        in_le[2 * i + 1] = (uint8_t)(u >> 24);
        in_be[2 * i] = (uint8_t)(u >> 24);
        in_be[2 * i + 1] = (uint8_t)(u >> 16);
    }
    float out[6];
    h5rd__conv_widen(&le, in_le, (uint8_t *)out, n);
    cr_expect(memcmp(out, want, sizeof want) == 0);
    memset(out, 0, sizeof out);
    h5rd__conv_widen(&be, in_be, (uint8_t *)out, n);
    cr_expect(memcmp(out, want, sizeof want) == 0);
    /* Inf and NaN stay what they are. */
    const uint8_t inf[2] = {0x80, 0x7f}, nan[2] = {0xc0, 0x7f};
    h5rd__conv_widen(&le, inf, (uint8_t *)out, 1);
    cr_expect(out[0] > 3.4e38f && out[0] == out[0] * 2);
    h5rd__conv_widen(&le, nan, (uint8_t *)out, 1);
    cr_expect(out[0] != out[0]);
}

Test(conv_h5py, x87_in_12_bytes_to_16, .disabled = !HOST_IS_LE)
{
    struct h5rd_type t = mktype_float(12, H5RD_ORDER_LE, 80, 79, 64, 15, 0, 64, 16383, 0);
    /* 1.0 and -3.0 as x87: mantissa with the explicit integer bit, then sign|exponent, then two
     * padding bytes (set here: they must not reach the result). */
    uint8_t in[24];
    memset(in, 0xee, sizeof in);
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    const uint8_t m3[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0xc0};
    memcpy(in, one, 10);
    memcpy(in + 12, m3, 10);
    uint8_t out[32];
    memset(out, 0x55, sizeof out);
    h5rd__conv_widen(&t, in, out, 2);
    uint8_t want[32];
    memset(want, 0, sizeof want);
    memcpy(want, one, 10);
    memcpy(want + 16, m3, 10);
    cr_expect(memcmp(out, want, sizeof want) == 0);
}

Test(conv_h5py, f4_with_11_bit_exponent_to_f8, .disabled = !HOST_IS_LE)
{
    /* sign 31, exponent 20..30 (bias 1023), 20-bit mantissa: the top half of a double. */
    struct h5rd_type t = mktype_float(4, H5RD_ORDER_LE, 32, 31, 20, 11, 0, 20, 1023, 2);
    const double vals[] = {1.0, -1.5, 1.0e300, 0.0};
    uint8_t in[16];
    double want[4], out[4];
    for (size_t i = 0; i < 4; i++) {
        uint64_t u;
        memcpy(&u, &vals[i], 8);
        u &= 0xffffffff00000000u;
        memcpy(&want[i], &u, 8);
        uint32_t hi = (uint32_t)(u >> 32);
        memcpy(in + 4 * i, &hi, 4);
    }
    h5rd__conv_widen(&t, in, (uint8_t *)out, 4);
    cr_expect(memcmp(out, want, sizeof want) == 0);
}
