/*
 * convert.c - datatype conversion on the read path: normalisation of file-layout elements
 * (H5RD_MEMTYPE_FILE) and numeric conversion to a struct h5rd_memtype.
 *
 * Spec v3.0 IV.A.2.d "The Datatype Message" defines the bit fields (byte order, padding, bit
 * offset and precision; float sign/exponent/mantissa positions, bias and normalisation). The
 * values must be exactly those libhdf5 1.10.8 produces through h5py (the corpus oracle), so this
 * file reproduces libhdf5's conversion semantics rather than ideal IEEE ones:
 *
 *  - libhdf5 picks a "hard" conversion (a C cast) when both types equal native C types and a
 *    "soft" bit-level routine otherwise (H5T_path_find). They differ for floats:
 *      * float -> float: hard = round to nearest even, |x| > DST_MAX -> +/-Inf. Soft
 *        (H5T__conv_f_f) rounds half away from zero, never rounds up an all-ones mantissa at
 *        exponent max-1, turns NaN into an all-ones mantissa, and keeps a "denormalized" flag
 *        that 1.10.8 never clears within one conversion call: after the first denormal element
 *        every later one rounds without carrying into the exponent (ff_soft's *sticky);
 *      * float -> integer: hard compares with (float)DST_MAX / (float)DST_MIN and otherwise
 *        casts, so NaN and a value equal to a rounded-up DST_MAX give what an x86-64 cast
 *        gives (emulated, never by an out-of-range C cast); soft truncates, saturates, NaN -> 0.
 *    float16 has no native type in libhdf5 1.10.8: every conversion from or to it is soft.
 *  - integer -> integer saturates, except that two integers of one size and opposite byte
 *    orders go through H5T__conv_order: a plain byte swap (no saturation, no sign change).
 *  - integer -> float rounds to nearest even both ways (soft: an exponent one past the maximum
 *    gives infinity, equal to it keeps the mantissa).
 *
 * Invariants relied on (checked by the decoder, dtype.c): info.size > 0, bit offset + precision
 * and every float field inside the element, compound members and array elements inside their
 * parent. Everything else (odd sizes, huge fields, VAX order with odd sizes) is handled here
 * without reading or writing outside an element. No allocation, no global state.
 */
#include "dtype/convert.h"

#include <float.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER H5RD_ORDER_BE
#else
#define HOST_ORDER H5RD_ORDER_LE
#endif

/* Largest element the bit-level paths work on (libhdf5's soft float paths have a similar cap);
 * the work buffers have slack so that libhdf5's 2-bit writes of the implied mantissa bit at the
 * top of the mantissa field stay inside them. */
#define MAXB 64
#define SLACK 8

enum { NORM_NONE = 0, NORM_MSBSET = 1, NORM_IMPLIED = 2 }; /* file encoding */

/* A float layout (all positions in bits from the least significant bit, little-endian). */
struct fl {
    uint32_t size, offset, prec;
    uint32_t spos, epos, esize, mpos, msize;
    uint64_t bias;
    uint32_t norm;
    uint32_t lo_pad, hi_pad;
};

static const struct fl FL_HALF = {2, 0, 16, 15, 10, 5, 0, 10, 15, NORM_IMPLIED, 0, 0};
static const struct fl FL_SINGLE = {4, 0, 32, 31, 23, 8, 0, 23, 127, NORM_IMPLIED, 0, 0};
static const struct fl FL_DOUBLE = {8, 0, 64, 63, 52, 11, 0, 52, 1023, NORM_IMPLIED, 0, 0};
static const struct fl FL_X87 = {16, 0, 80, 79, 64, 15, 0, 64, 16383, NORM_NONE, 0, 0};

/* ---- bit vectors (little-endian byte arrays) ------------------------------------------------- */

static inline bool bit_get(const uint8_t *p, size_t pos)
{
    return (p[pos >> 3] >> (pos & 7)) & 1;
}

static inline void bit_put(uint8_t *p, size_t pos, bool v)
{
    if (v) {
        p[pos >> 3] = (uint8_t)(p[pos >> 3] | (1u << (pos & 7)));
    } else {
        p[pos >> 3] = (uint8_t)(p[pos >> 3] & ~(1u << (pos & 7)));
    }
}

/* Up to 64 bits starting at pos. */
static uint64_t bits_get(const uint8_t *p, size_t pos, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        v |= (uint64_t)bit_get(p, pos + i) << i;
    }
    return v;
}

static void bits_put(uint8_t *p, size_t pos, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++) {
        bit_put(p, pos + i, i < 64 ? (v >> i) & 1 : 0);
    }
}

static void bits_fill(uint8_t *p, size_t pos, size_t n, bool v)
{
    for (size_t i = 0; i < n; i++) {
        bit_put(p, pos + i, v);
    }
}

static void bits_copy(uint8_t *d, size_t dpos, const uint8_t *s, size_t spos, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bit_put(d, dpos + i, bit_get(s, spos + i));
    }
}

/* Index (relative to pos) of the most significant bit equal to v in [pos, pos+n), or -1. */
static long bits_find_msb(const uint8_t *p, size_t pos, size_t n, bool v)
{
    for (size_t i = n; i > 0; i--) {
        if (bit_get(p, pos + i - 1) == v) {
            return (long)(i - 1);
        }
    }
    return -1;
}

static long bits_find_lsb(const uint8_t *p, size_t pos, size_t n, bool v)
{
    for (size_t i = 0; i < n; i++) {
        if (bit_get(p, pos + i) == v) {
            return (long)i;
        }
    }
    return -1;
}

/* Adds one to the n-bit field at pos; true on carry out. */
static bool bits_inc(uint8_t *p, size_t pos, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!bit_get(p, pos + i)) {
            bit_put(p, pos + i, 1);
            return false;
        }
        bit_put(p, pos + i, 0);
    }
    return n > 0;
}

static void reverse_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0, j = n - 1; n > 1 && i < j; i++, j--) {
        uint8_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

/* libhdf5's VAX -> little-endian rearrangement (pairs of bytes swapped end for end in steps of
 * four bytes; for 4 and 8 bytes a reversal of the 16-bit words). Callers ensure an even size. */
static void vax_swap(uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n && i + 2 <= n; i += 4) {
        size_t j = n - 2 - i;
        uint8_t a = p[i], b = p[i + 1];
        p[i] = p[j];
        p[i + 1] = p[j + 1];
        p[j] = a;
        p[j + 1] = b;
    }
}

/* Copies one element (n <= MAXB) into a little-endian work buffer. */
static void load_le(uint8_t *w, const uint8_t *src, size_t n, h5rd_byte_order order)
{
    memcpy(w, src, n);
    if (order == H5RD_ORDER_BE) {
        reverse_bytes(w, n);
    } else if (order == H5RD_ORDER_VAX) {
        vax_swap(w, n);
    }
}

/* Writes a little-endian value of n bytes in the given order. */
static void store_order(uint8_t *dst, const uint8_t *w, size_t n, h5rd_byte_order order)
{
    memcpy(dst, w, n);
    if (order == H5RD_ORDER_BE) {
        reverse_bytes(dst, n);
    }
}

static inline uint64_t load_u(const uint8_t *p, size_t n, bool swap)
{
    uint64_t v = 0;
    if (swap) {
        for (size_t i = 0; i < n; i++) {
            v = (v << 8) | p[i];
        }
    } else {
        for (size_t i = n; i > 0; i--) {
            v = (v << 8) | p[i - 1];
        }
    }
    return v;
}

static inline void store_u(uint8_t *p, size_t n, uint64_t v, bool be)
{
    for (size_t i = 0; i < n; i++) {
        p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
    }
}

/* ---- type classification --------------------------------------------------------------------- */

static void fl_from_info(const struct h5rd_type_info *in, struct fl *f)
{
    f->size = (uint32_t)in->size;
    f->offset = in->bit_offset;
    f->prec = in->precision;
    f->spos = in->sign_pos;
    f->epos = in->exp_pos;
    f->esize = in->exp_nbits;
    f->mpos = in->mant_pos;
    f->msize = in->mant_nbits;
    f->bias = in->exp_bias;
    f->norm = in->mant_norm;
    f->lo_pad = in->lo_pad;
    f->hi_pad = in->hi_pad;
}

static bool fl_same(const struct fl *a, const struct fl *b)
{
    return a->size == b->size && a->offset == b->offset && a->prec == b->prec &&
           a->spos == b->spos && a->epos == b->epos && a->esize == b->esize &&
           a->mpos == b->mpos && a->msize == b->msize && a->bias == b->bias &&
           a->norm == b->norm && a->lo_pad == b->lo_pad && a->hi_pad == b->hi_pad;
}

/* The IEEE (or x87) layout of a float's size, or NULL. */
static const struct fl *ieee_of_size(uint64_t size)
{
    switch (size) {
    case 2:
        return &FL_HALF;
    case 4:
        return &FL_SINGLE;
    case 8:
        return &FL_DOUBLE;
    case 16:
        return &FL_X87;
    default:
        return NULL;
    }
}

/* Which float layout a type has: its IEEE twin when identical to it (internal padding aside,
 * which libhdf5 compares too). */
static const struct fl *float_std(const struct h5rd_type *t)
{
    const struct fl *std = ieee_of_size(t->info.size);
    if (std == NULL || t->info.internal_pad != 0) {
        return NULL;
    }
    struct fl f;
    fl_from_info(&t->info, &f);
    return fl_same(&f, std) ? std : NULL;
}

/* The float layouts the soft routines accept (libhdf5: exponent < 64 bits; we also need the
 * element in a work buffer and, for float -> integer, the mantissa in 64 bits). */
static bool float_soft_ok(const struct h5rd_type *t)
{
    const struct h5rd_type_info *in = &t->info;
    if (in->size > MAXB || in->exp_nbits > 62 || in->exp_bias > ((uint64_t)1 << 62)) {
        return false;
    }
    if (in->mant_norm != NORM_NONE && in->mant_norm != NORM_IMPLIED) {
        return false; /* libhdf5: "normalization method not implemented yet" */
    }
    if (in->order == H5RD_ORDER_VAX && in->size % 2 != 0) {
        return false;
    }
    return in->order == H5RD_ORDER_LE || in->order == H5RD_ORDER_BE ||
           in->order == H5RD_ORDER_VAX;
}

/* The integer view of an integer, enum (its base) or bitfield (unsigned) type. */
static const struct h5rd_type *int_view(const struct h5rd_type *t)
{
    if (t->info.cls == H5RD_CLASS_ENUM) {
        t = t->base;
    }
    if (t == NULL) {
        return NULL;
    }
    if (t->info.cls == H5RD_CLASS_INTEGER || t->info.cls == H5RD_CLASS_BITFIELD) {
        return t;
    }
    return NULL;
}

static bool int_signed(const struct h5rd_type *t)
{
    return t->info.cls == H5RD_CLASS_INTEGER && t->info.is_signed;
}

static bool int_plain(const struct h5rd_type *t)
{
    uint64_t s = t->info.size;
    return (s == 1 || s == 2 || s == 4 || s == 8) && t->info.bit_offset == 0 &&
           t->info.precision == 8 * s;
}

/* ---- integer values ------------------------------------------------------------------------- */

/* An integer value clipped to what a 64-bit destination can tell apart. */
struct ival {
    bool neg;      /* value < 0 */
    bool huge;     /* |value| >= 2^64 */
    uint64_t mag;  /* |value| when !huge */
};

/* Reads the integer at 'w' (little-endian work buffer) of type t. */
static struct ival int_read(const uint8_t *w, const struct h5rd_type *t)
{
    struct ival v = {false, false, 0};
    size_t off = t->info.bit_offset, prec = t->info.precision;
    bool sgn = int_signed(t) && bit_get(w, off + prec - 1);
    if (prec <= 64) {
        uint64_t raw = bits_get(w, off, prec);
        if (sgn) {
            /* two's complement magnitude of a prec-bit negative number */
            uint64_t m = prec == 64 ? raw : raw | (~(uint64_t)0 << prec);
            v.neg = true;
            v.mag = ~m + 1; /* INT64_MIN -> 2^63 */
        } else {
            v.mag = raw;
        }
        return v;
    }
    /* Wider than 64 bits: the bits above 64 decide between exact and huge. */
    if (!sgn) {
        v.huge = bits_find_lsb(w, off + 64, prec - 64, true) >= 0;
        v.mag = v.huge ? 0 : bits_get(w, off, 64);
        return v;
    }
    v.neg = true;
    if (bits_find_lsb(w, off + 64, prec - 64, false) >= 0) {
        v.huge = true;
        return v;
    }
    uint64_t raw = bits_get(w, off, 64);
    if (raw == 0) {
        v.huge = true; /* -2^64 */
        return v;
    }
    v.mag = ~raw + 1;
    return v;
}

/* Saturating store of v into an integer of 'size' bytes (1..8), LE work value returned. */
static uint64_t int_saturate(struct ival v, uint32_t size, bool is_signed)
{
    uint32_t nb = 8 * size;
    if (is_signed) {
        uint64_t maxp = ((uint64_t)1 << (nb - 1)) - 1; /* nb <= 64 */
        if (v.neg) {
            if (v.huge || v.mag > maxp + 1) {
                return ~maxp; /* min, in two's complement (upper bits trimmed by store) */
            }
            return ~v.mag + 1;
        }
        return (v.huge || v.mag > maxp) ? maxp : v.mag;
    }
    if (v.neg) {
        return 0;
    }
    uint64_t maxu = nb == 64 ? ~(uint64_t)0 : ((uint64_t)1 << nb) - 1;
    return (v.huge || v.mag > maxu) ? maxu : v.mag;
}

/* ---- float decoding -------------------------------------------------------------------------- */

enum fclass { FC_ZERO, FC_INF, FC_NAN, FC_FINITE };

/* libhdf5's H5T__conv_float_find_special. */
static enum fclass float_special(const uint8_t *w, const struct fl *f)
{
    bool m0 = bits_find_lsb(w, f->mpos, f->msize, true) < 0;
    bool e0 = bits_find_lsb(w, f->epos, f->esize, true) < 0;
    bool e1 = bits_find_lsb(w, f->epos, f->esize, false) < 0;
    if (m0) {
        return e0 ? FC_ZERO : e1 ? FC_INF : FC_FINITE;
    }
    if (f->norm == NORM_NONE && e1 && bits_find_lsb(w, f->mpos, f->msize - 1, true) < 0) {
        return FC_INF;
    }
    return e1 ? FC_NAN : FC_FINITE;
}

/* A finite float as m * 2^e (m has at most 65 significant bits only for msize 64 implied
 * layouts, which float_mant_ok excludes). */
struct fval {
    enum fclass cls;
    bool neg;
    uint64_t m;
    int64_t e;
};

static bool float_mant_ok(const struct h5rd_type_info *in)
{
    return in->mant_nbits <= (in->mant_norm == NORM_IMPLIED ? 63u : 64u);
}

static struct fval float_read(const uint8_t *w, const struct fl *f)
{
    struct fval v;
    v.cls = float_special(w, f);
    v.neg = bit_get(w, f->spos);
    v.m = 0;
    v.e = 0;
    if (v.cls != FC_FINITE) {
        return v;
    }
    int64_t ex = (int64_t)bits_get(w, f->epos, f->esize);
    uint64_t mant = bits_get(w, f->mpos, f->msize);
    if (f->norm == NORM_IMPLIED && ex != 0) {
        v.m = mant | ((uint64_t)1 << f->msize);
        v.e = ex - (int64_t)f->bias - (int64_t)f->msize;
    } else {
        /* Denormal, or no implied bit: libhdf5 uses (exponent - (bias - 1)) for both. */
        v.m = mant;
        v.e = ex + 1 - (int64_t)f->bias - (int64_t)f->msize;
    }
    return v;
}

/* Rounds m * 2^e to nearest even into an IEEE-like layout 'df' (implied norm) with the hard
 * conversions' overflow rule: |x| > the largest finite value -> infinity. */
static void float_write_rne(uint8_t *d, const struct fl *df, bool neg, uint64_t m, int64_t e)
{
    int64_t emax = ((int64_t)1 << df->esize) - 1;
    bits_put(d, df->spos, 1, neg);
    if (m == 0) {
        return;
    }
    /* Normalise: top bit of m at position p; value = 1.xxx * 2^(e + p). */
    int p = 63 - __builtin_clzll(m);
    int64_t be = e + p + (int64_t)df->bias; /* biased exponent if normal */
    uint32_t ms = df->msize;
    /* Number of bits of m to drop: keep ms+1 bits for normal numbers, fewer for denormals. */
    int64_t drop = (int64_t)p - (int64_t)ms;
    if (be <= 0) {
        drop += 1 - be; /* denormal: exponent field 0 stands for 1 - bias */
        be = 0;
    }
    uint64_t q;
    if (drop <= 0) {
        q = (-drop >= 64) ? 0 : m << (-drop);
    } else if (drop > 64) {
        q = 0; /* far below the smallest denormal (and not a tie): rounds to zero */
    } else {
        uint64_t keep = drop == 64 ? 0 : m >> drop;
        uint64_t rem = drop == 64 ? m : m & (((uint64_t)1 << drop) - 1);
        uint64_t half = (uint64_t)1 << (drop - 1);
        q = keep;
        if (rem > half || (rem == half && (keep & 1))) {
            q++;
        }
    }
    /* q holds the significand with the implied bit at position ms (normal), or less. */
    if (be == 0) {
        if (q >> ms) {
            be = 1; /* rounded up into the normal range */
        }
    } else if (q >> (ms + 1)) {
        q >>= 1;
        be++;
    }
    if (be >= emax) {
        bits_put(d, df->epos, df->esize, (uint64_t)emax);
        bits_put(d, df->mpos, df->msize, 0);
        return;
    }
    bits_put(d, df->epos, df->esize, (uint64_t)be);
    bits_put(d, df->mpos, ms, q);
}

/* |m * 2^e| > the largest finite value of df? */
static bool float_exceeds(const struct fl *df, uint64_t m, int64_t e)
{
    if (m == 0) {
        return false;
    }
    int p = 63 - __builtin_clzll(m);
    int64_t top = e + p; /* value in [2^top, 2^(top+1)) */
    int64_t emax_unb = ((int64_t)1 << df->esize) - 2 - (int64_t)df->bias;
    if (top != emax_unb) {
        return top > emax_unb;
    }
    /* Same binade: exceeds only when the top ms+1 bits are all ones and a lower bit is set. */
    uint32_t ms = df->msize;
    if ((uint32_t)p <= ms) {
        return false;
    }
    uint32_t drop = (uint32_t)p - ms;
    uint64_t top_bits = m >> drop, ones = (((uint64_t)1 << ms) << 1) - 1;
    return top_bits == ones && (m & (((uint64_t)1 << drop) - 1)) != 0;
}

/* Writes the NaN a native (x86) cast produces from a NaN of layout sf into IEEE layout df:
 * sign kept, quiet bit set, payload aligned at the top of the mantissa. */
static void float_write_nan_hw(uint8_t *d, const struct fl *df, const uint8_t *s,
                               const struct fl *sf)
{
    bits_put(d, df->spos, 1, bit_get(s, sf->spos));
    bits_fill(d, df->epos, df->esize, 1);
    /* x87 keeps its explicit integer bit in the mantissa: the payload starts below it. */
    uint32_t smsize = sf->norm == NORM_NONE ? sf->msize - 1 : sf->msize;
    for (uint32_t i = 0; i < df->msize; i++) {
        bool b = i < smsize ? bit_get(s, sf->mpos + smsize - 1 - i) : 0;
        bit_put(d, df->mpos + df->msize - 1 - i, b);
    }
    bit_put(d, df->mpos + df->msize - 1, 1);
}

/* ---- the soft float -> float routine (H5T__conv_f_f) ----------------------------------------- */

/* s: source element, little-endian, modified (MAXB + SLACK bytes); d: zeroed destination.
 * *sticky is libhdf5 1.10.8's "denormalized" flag, which its loop sets and never clears: once an
 * element of one conversion call is (or becomes) denormal, every later element of that call
 * rounds without carrying into the exponent. Callers start it false per call. */
static void ff_soft(uint8_t *s, const struct fl *sf, uint8_t *d, const struct fl *df,
                    bool *sticky)
{
    int64_t expo_max = ((int64_t)1 << df->esize) - 1;
    enum fclass c = float_special(s, sf);
    if (c != FC_FINITE) {
        bit_put(d, df->spos, bit_get(s, sf->spos));
        if (c == FC_ZERO) {
            bits_fill(d, df->epos, df->esize, 0);
            bits_fill(d, df->mpos, df->msize, 0);
        } else {
            bits_fill(d, df->epos, df->esize, 1);
            bits_fill(d, df->mpos, df->msize, c == FC_NAN);
            if (c == FC_INF && df->norm == NORM_NONE) {
                bit_put(d, df->mpos + df->msize - 1, 1);
            }
        }
        goto padding;
    }
    int64_t expo = (int64_t)bits_get(s, sf->epos, sf->esize);
    if (expo == 0) {
        *sticky = true;
    }
    size_t implied = 1, mpos = sf->mpos, msize = 0, mrsh = 0;
    long bitno = 0;
    if (expo == 0 || sf->norm == NORM_NONE) {
        bitno = bits_find_msb(s, sf->mpos, sf->msize, true);
        if (bitno > 0) {
            msize = (size_t)bitno;
        } else if (bitno == 0) {
            msize = 1;
            bit_put(s, sf->mpos, 0);
        }
    } else {
        msize = sf->msize;
    }
    bit_put(d, df->spos, bit_get(s, sf->spos));
    if (expo == 0 || sf->norm == NORM_NONE) {
        /* bitno == -1 (no mantissa bit) counts as msize + 1, as libhdf5's unsigned wrap does */
        expo -= (int64_t)(sf->bias - 1) + ((int64_t)sf->msize - bitno);
    } else {
        expo -= (int64_t)sf->bias;
    }
    if (df->norm == NORM_NONE) {
        mrsh++;
    }
    expo += (int64_t)df->bias;
    if (expo < -(int64_t)df->msize) {
        expo = 0;
        bits_fill(d, df->mpos, df->msize, 0);
        msize = 0;
    } else if (expo <= 0) {
        mrsh += (size_t)(1 - expo);
        expo = 0;
        *sticky = true;
    } else if (expo >= expo_max) {
        expo = expo_max;
        bits_fill(d, df->mpos, df->msize, 0);
        msize = 0;
    }
    bool carry = false;
    if (msize > 0 && mrsh <= df->msize && mrsh + msize > df->msize) {
        size_t bn = mrsh + msize - df->msize; /* 1..msize */
        if (bit_get(s, mpos + bn - 1)) {
            if (!*sticky) {
                /* No rounding up of an all-ones mantissa at exponent max-1 (it would overflow) */
                if (bits_find_lsb(s, mpos + bn, msize - bn, false) >= 0 || expo < expo_max - 1) {
                    carry = bits_inc(s, mpos + bn - 1, 1 + msize - bn);
                    if (carry) {
                        implied = 2;
                    }
                }
            } else {
                (void)bits_inc(s, mpos + bn - 1, 1 + msize - bn); /* carry dropped */
            }
        }
    }
    if (mrsh > (size_t)df->msize + 1) {
        bits_fill(d, df->mpos, df->msize, 0);
    } else if (mrsh == (size_t)df->msize + 1) {
        bits_fill(d, df->mpos + 1, df->msize - 1, 0);
        bit_put(d, df->mpos, 1);
    } else if (mrsh == df->msize) {
        bits_fill(d, df->mpos, df->msize, 0);
        bits_put(d, df->mpos, df->msize < 2 ? df->msize : 2, implied);
    } else {
        if (mrsh > 0) {
            bits_fill(d, df->mpos + df->msize - mrsh, mrsh, 0);
            bits_put(d, df->mpos + df->msize - mrsh, 2, implied);
        }
        if (mrsh + msize >= df->msize) {
            bits_copy(d, df->mpos, s, mpos + msize + mrsh - df->msize, df->msize - mrsh);
        } else {
            bits_copy(d, df->mpos + df->msize - (mrsh + msize), s, mpos, msize);
            bits_fill(d, df->mpos, df->msize - (mrsh + msize), 0);
        }
    }
    if (carry) {
        expo++;
        if (expo >= expo_max) {
            expo = expo_max;
            bits_fill(d, df->mpos, df->msize, 0);
        }
    }
    bits_put(d, df->epos, df->esize, (uint64_t)expo);
padding:
    if (df->offset > 0) {
        bits_fill(d, 0, df->offset, df->lo_pad);
    }
    if (df->offset + df->prec < 8 * df->size) {
        bits_fill(d, df->offset + df->prec, 8 * df->size - (df->offset + df->prec), df->hi_pad);
    }
}

/* ---- float -> integer ------------------------------------------------------------------------ */

/* Truncation toward zero of a finite m * 2^e, as an ival. */
static struct ival float_trunc(const struct fval *v)
{
    struct ival r = {v->neg, false, 0};
    if (v->m == 0) {
        r.neg = false;
        return r;
    }
    int p = 63 - __builtin_clzll(v->m);
    if (v->e >= 0) {
        if (v->e + p >= 64) {
            r.huge = true;
        } else {
            r.mag = v->m << v->e;
        }
    } else {
        r.mag = v->e <= -64 ? 0 : v->m >> (-v->e);
    }
    if (r.mag == 0 && !r.huge) {
        r.neg = false;
    }
    return r;
}

/* The result of an x86-64 cast (as gcc compiles it) of a truncated value that is NaN or out of
 * the destination's range. cvttss2si-style conversions give the "integer indefinite" value
 * (0x80...0) of their width: 32 bits for 1..4-byte signed and 1..2-byte unsigned destinations,
 * 64 bits (then cut) for 4-byte unsigned and 8-byte signed ones; 8-byte unsigned goes through
 * x - 2^63 above 2^63. 'v' is NULL for NaN. */
static uint64_t x86_cast(const struct ival *v, uint32_t size, bool is_signed, bool x87)
{
    if (x87 && size == 2 && is_signed) {
        /* long double -> short goes through the x87 16-bit store: its indefinite is 0x8000 */
        if (v == NULL || v->huge || (!v->neg && v->mag > (uint64_t)INT16_MAX) ||
            (v->neg && v->mag > (uint64_t)1 << 15)) {
            return 0x8000u;
        }
        return v->neg ? ~v->mag + 1 : v->mag;
    }
    if (size == 8 && !is_signed) {
        if (v == NULL || v->neg) {
            return (uint64_t)1 << 63;
        }
        /* v >= 2^63 (in range is handled by the caller): (v - 2^63) ^ 2^63 */
        if (!v->huge && v->mag - ((uint64_t)1 << 63) < ((uint64_t)1 << 63)) {
            return v->mag;
        }
        return 0;
    }
    if (size == 8 || (size == 4 && !is_signed)) {
        /* 64-bit conversion, then cut to the destination. */
        if (v == NULL || v->huge || (!v->neg && v->mag > (uint64_t)INT64_MAX) ||
            (v->neg && v->mag > (uint64_t)1 << 63)) {
            return (uint64_t)1 << 63;
        }
        return v->neg ? ~v->mag + 1 : v->mag;
    }
    /* 32-bit conversion */
    if (v == NULL || v->huge || (!v->neg && v->mag > (uint64_t)INT32_MAX) ||
        (v->neg && v->mag > (uint64_t)1 << 31)) {
        return (uint64_t)0x80000000u;
    }
    return v->neg ? ~v->mag + 1 : v->mag;
}

/* Integer range of a destination as m * 2^0 values for the hard comparison. */
static void int_range(uint32_t size, bool is_signed, uint64_t *maxv, uint64_t *minmag)
{
    uint32_t nb = 8 * size;
    if (is_signed) {
        *maxv = ((uint64_t)1 << (nb - 1)) - 1;
        *minmag = (uint64_t)1 << (nb - 1);
    } else {
        *maxv = nb == 64 ? ~(uint64_t)0 : ((uint64_t)1 << nb) - 1;
        *minmag = 0;
    }
}

/* x rounded to the source float layout (nearest even), as m * 2^e with m < 2^64. */
static void round_to_float(uint64_t x, const struct fl *sf, uint64_t *m, int64_t *e)
{
    uint32_t digits = sf->norm == NORM_IMPLIED ? sf->msize + 1 : sf->msize;
    *e = 0;
    *m = x;
    if (x == 0) {
        return;
    }
    int p = 63 - __builtin_clzll(x);
    if ((uint32_t)p + 1 <= digits) {
        return;
    }
    uint32_t drop = (uint32_t)p + 1 - digits; /* 1..63 */
    uint64_t keep = x >> drop, rem = x & (((uint64_t)1 << drop) - 1);
    uint64_t half = (uint64_t)1 << (drop - 1);
    if (rem > half || (rem == half && (keep & 1))) {
        keep++;
    }
    *m = keep;
    *e = drop;
}

/* Compares |a| = am * 2^ae with bm * 2^be (both m < 2^64, nonnegative); -1, 0, 1. */
static int cmp_mag(uint64_t am, int64_t ae, uint64_t bm, int64_t be)
{
    if (am == 0 || bm == 0) {
        return am == bm ? 0 : am == 0 ? -1 : 1;
    }
    int64_t at = ae + (63 - __builtin_clzll(am)), bt = be + (63 - __builtin_clzll(bm));
    if (at != bt) {
        return at < bt ? -1 : 1;
    }
    /* Align both to the same top bit and compare. */
    int ash = __builtin_clzll(am), bsh = __builtin_clzll(bm);
    uint64_t a = am << ash, b = bm << bsh;
    if (a != b) {
        return a < b ? -1 : 1;
    }
    return 0;
}

/* One float (work buffer s, layout sf) to an integer of the memtype, LE value returned. */
static uint64_t f_to_i(const uint8_t *s, const struct fl *sf, bool hard, uint32_t size,
                       bool is_signed)
{
    struct fval v = float_read(s, sf);
    uint64_t maxv, minmag;
    int_range(size, is_signed, &maxv, &minmag);
    if (v.cls == FC_NAN) {
        return hard ? x86_cast(NULL, size, is_signed, sf->norm == NORM_NONE) : 0;
    }
    if (v.cls == FC_ZERO) {
        return 0;
    }
    if (v.cls == FC_INF) {
        if (!v.neg) {
            return maxv;
        }
        return is_signed ? ~(minmag - 1) : 0;
    }
    struct ival tv = float_trunc(&v);
    if (!hard) {
        uint64_t r = int_saturate(tv, size, is_signed);
        /* libhdf5 1.10.8 negates in a buffer of 2^esize / 8 + 1 bytes and copies precision - 1
         * bits out of it: for narrow exponents (float16: 40 bits) the bits above the buffer
         * come out zero, then the sign bit is set. */
        uint64_t nb = sf->esize >= 9 ? 64 : 8 * (((uint64_t)1 << sf->esize) / 8 + 1);
        uint32_t db = 8 * size;
        bool in_range = !(tv.huge || tv.mag > (uint64_t)1 << (db - 1));
        if (is_signed && tv.neg && r != 0 && db - 1 > nb && in_range) {
            uint64_t low = r & (((uint64_t)1 << nb) - 1);
            return low | ((uint64_t)1 << (db - 1));
        }
        return r;
    }
    /* Hard: if (S > (ST)MAX) MAX; else if (S < (ST)MIN) MIN; else (DT)S. */
    uint64_t rm;
    int64_t re;
    round_to_float(maxv, sf, &rm, &re);
    if (!v.neg && v.m != 0 && cmp_mag(v.m, v.e, rm, re) > 0) {
        return maxv;
    }
    if (v.neg) {
        round_to_float(minmag, sf, &rm, &re);
        if (cmp_mag(v.m, v.e, rm, re) > 0) {
            return is_signed ? ~(minmag - 1) : 0;
        }
    }
    /* In the compared range: an exact cast unless the truncated value still falls outside. */
    bool out = tv.huge || (!tv.neg && tv.mag > maxv) || (tv.neg && tv.mag > minmag);
    if (out) {
        return x86_cast(&tv, size, is_signed, sf->norm == NORM_NONE);
    }
    return tv.neg ? ~tv.mag + 1 : tv.mag;
}

/* ---- integer -> float ------------------------------------------------------------------------ */

/* libhdf5 rounds integers to nearest even in both routines; the soft one (every float16
 * destination) keeps the mantissa when the exponent lands exactly on the all-ones value. */
static void i_to_f(struct ival v, uint8_t *d, const struct fl *df)
{
    int64_t emax = ((int64_t)1 << df->esize) - 1;
    if (v.mag == 0 && !v.huge) {
        return; /* +0 */
    }
    bits_put(d, df->spos, 1, v.neg);
    if (v.huge) {
        bits_put(d, df->epos, df->esize, (uint64_t)emax);
        return;
    }
    uint64_t m = v.mag;
    int first = 63 - __builtin_clzll(m);
    int64_t expo = first + (int64_t)df->bias;
    uint32_t ms = df->msize;
    uint64_t q;
    if ((uint32_t)first > ms) {
        uint32_t drop = (uint32_t)first - ms;
        uint64_t keep = m >> drop, rem = m & (((uint64_t)1 << drop) - 1);
        uint64_t half = (uint64_t)1 << (drop - 1);
        if (rem > half || (rem == half && (keep & 1))) {
            keep++;
        }
        if (keep >> (ms + 1)) {
            keep >>= 1;
            expo++;
        }
        q = keep;
    } else {
        q = m << (ms - (uint32_t)first);
    }
    if (expo > emax) {
        bits_put(d, df->epos, df->esize, (uint64_t)emax);
        return;
    }
    bits_put(d, df->epos, df->esize, (uint64_t)expo);
    bits_put(d, df->mpos, ms, q); /* the implied bit (position ms) is not written */
}

/* ---- normalisation --------------------------------------------------------------------------- */

static bool order_swaps(h5rd_byte_order o, uint64_t size)
{
    return size > 1 && o != HOST_ORDER && o != H5RD_ORDER_NONE;
}

static bool int_norm_noop(const struct h5rd_type *t)
{
    /* Wider than 8 bytes: h5py cannot read them; they are left as stored (made host order). */
    bool reshape = t->info.size <= 8 && !int_plain(t) &&
                   !(t->info.bit_offset == 0 && t->info.precision == 8 * t->info.size);
    return !reshape && !order_swaps(t->info.order, t->info.size);
}

static bool float_norm_noop(const struct h5rd_type *t)
{
    const struct fl *std = float_std(t);
    if (std == &FL_X87 || t->info.order == H5RD_ORDER_VAX) {
        return false;
    }
    if (std == NULL && ieee_of_size(t->info.size) != NULL && float_soft_ok(t)) {
        return false;
    }
    return !order_swaps(t->info.order, t->info.size);
}

static bool string_norm_noop(const struct h5rd_type *t);

bool h5rd__conv_normalize_is_noop(const struct h5rd_type *t)
{
    if (t == NULL) {
        return true;
    }
    switch (t->info.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_BITFIELD:
        return int_norm_noop(t);
    case H5RD_CLASS_ENUM:
        return t->base == NULL || h5rd__conv_normalize_is_noop(t->base);
    case H5RD_CLASS_FLOAT:
        return float_norm_noop(t);
    case H5RD_CLASS_TIME:
        return !order_swaps(t->info.order, t->info.size);
    case H5RD_CLASS_STRING:
        return string_norm_noop(t);
    case H5RD_CLASS_ARRAY:
    case H5RD_CLASS_COMPLEX:
        return t->base == NULL || h5rd__conv_normalize_is_noop(t->base);
    case H5RD_CLASS_COMPOUND:
        if (t->npads > 0) {
            return false; /* padding zeroed */
        }
        for (uint32_t m = 0; m < t->info.nmembers; m++) {
            if (!h5rd__conv_normalize_is_noop(t->members[m].type)) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

static void norm_int(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem)
{
    size_t size = (size_t)t->info.size;
    bool swap = order_swaps(t->info.order, size);
    if (size > 8 || (t->info.bit_offset == 0 && t->info.precision == 8 * size)) {
        if (swap) {
            h5rd__bswap_elems(buf, nelem, size);
        }
        return;
    }
    /* H5T__conv_i_i to the native integer of the same size: the precision bits moved to bit 0
     * and sign- or zero-extended; padding bits never reach the result. */
    uint32_t off = t->info.bit_offset, prec = t->info.precision;
    bool sgn = int_signed(t);
    bool file_be = t->info.order == H5RD_ORDER_BE, host_be = HOST_ORDER == H5RD_ORDER_BE;
    uint64_t mask = prec >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << prec) - 1;
    for (uint64_t i = 0; i < nelem; i++) {
        uint8_t *p = buf + i * size;
        uint64_t raw = load_u(p, size, file_be);
        uint64_t v = (raw >> off) & mask;
        if (sgn && prec < 64 && ((v >> (prec - 1)) & 1)) {
            v |= ~mask;
        }
        store_u(p, size, v, host_be);
    }
}

static void norm_float(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem)
{
    size_t size = (size_t)t->info.size;
    const struct fl *std = float_std(t);
    if (std == &FL_X87) {
        /* x87 80-bit extended in 16 bytes: 10 value bytes, 6 padding bytes zeroed (numpy leaves
         * them undefined; the oracle zeroes them). */
        for (uint64_t i = 0; i < nelem; i++) {
            uint8_t *p = buf + i * size;
            if (t->info.order == H5RD_ORDER_BE) {
                reverse_bytes(p, size);
            }
            memset(p + 10, 0, 6);
            if (HOST_ORDER == H5RD_ORDER_BE) {
                reverse_bytes(p, size);
            }
        }
        return;
    }
    const struct fl *target = ieee_of_size(size);
    if (std == NULL && target != NULL && float_soft_ok(t)) {
        /* A non-IEEE layout (offset/precision, other field sizes, no implied bit, VAX order):
         * what H5T__conv_f_f gives converting to the native float of the same size. */
        struct fl sf;
        fl_from_info(&t->info, &sf);
        uint8_t s[MAXB + SLACK], d[MAXB + SLACK];
        bool sticky = false;
        for (uint64_t i = 0; i < nelem; i++) {
            uint8_t *p = buf + i * size;
            memset(s, 0, sizeof s);
            memset(d, 0, sizeof d);
            load_le(s, p, size, t->info.order);
            ff_soft(s, &sf, d, target, &sticky);
            store_order(p, d, size, HOST_ORDER);
        }
        return;
    }
    if (t->info.order == H5RD_ORDER_VAX) {
        for (uint64_t i = 0; i < nelem; i++) {
            uint8_t *p = buf + i * size;
            if (size % 2 == 0) {
                vax_swap(p, size);
            }
            if (HOST_ORDER == H5RD_ORDER_BE) {
                reverse_bytes(p, size);
            }
        }
        return;
    }
    if (order_swaps(t->info.order, size)) {
        h5rd__bswap_elems(buf, nelem, size);
    }
}

/* Fixed strings as h5py reads them: libhdf5's H5T__conv_s_s to a NULL-padded string of the same
 * size. A null-terminated string is cut at its first NUL, a space-padded one loses its trailing
 * spaces; the rest of the element becomes NULs. A null-padded string matches h5py's memory type
 * and is not converted at all (bytes after a NUL stay as stored). */
static void norm_string(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem)
{
    size_t size = (size_t)t->info.size;
    for (uint64_t i = 0; i < nelem; i++) {
        uint8_t *p = buf + i * size;
        size_t n;
        if (t->info.str_pad == 0) {
            const uint8_t *z = memchr(p, 0, size);
            n = z != NULL ? (size_t)(z - p) : size;
        } else {
            n = size;
            while (n > 0 && p[n - 1] == ' ') {
                n--;
            }
        }
        memset(p + n, 0, size - n);
    }
}

static bool string_norm_noop(const struct h5rd_type *t)
{
    return t->info.str_pad != 0 && t->info.str_pad != 2;
}

static void normalize_rec(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem, uint32_t depth)
{
    if (t == NULL || nelem == 0 || depth > 64) {
        return;
    }
    size_t size = (size_t)t->info.size;
    switch (t->info.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_BITFIELD:
        if (!int_norm_noop(t)) {
            norm_int(t, buf, nelem);
        }
        break;
    case H5RD_CLASS_ENUM:
        normalize_rec(t->base, buf, nelem, depth + 1);
        break;
    case H5RD_CLASS_FLOAT:
        if (!float_norm_noop(t)) {
            norm_float(t, buf, nelem);
        }
        break;
    case H5RD_CLASS_TIME:
        if (order_swaps(t->info.order, size)) {
            h5rd__bswap_elems(buf, nelem, size);
        }
        break;
    case H5RD_CLASS_COMPLEX:
        /* libhdf5 2.0 converts a complex number part by part as its base float (H5Tconv_complex.c,
         * to the native complex type of the same size); size == 2 * base size (dtype.c). */
        normalize_rec(t->base, buf, nelem * 2, depth + 1);
        break;
    case H5RD_CLASS_ARRAY:
        if (t->base != NULL && t->base->info.size > 0) {
            /* size == prod(dims) * base size (checked at decode) */
            normalize_rec(t->base, buf, nelem * (t->info.size / t->base->info.size), depth + 1);
        }
        break;
    case H5RD_CLASS_COMPOUND:
        /* libhdf5 converts such a compound member by member into h5py's zeroed buffer
         * (H5T__conv_struct): bytes outside every member come out zero, not as stored. */
        for (uint32_t k = 0; k < t->npads; k++) {
            const struct h5rd__pad_range *pr = &t->pads[k];
            for (uint64_t i = 0; i < nelem; i++) {
                memset(buf + i * size + pr->off, 0, (size_t)pr->len);
            }
        }
        for (uint32_t m = 0; m < t->info.nmembers; m++) {
            const struct h5rd__type_member *mb = &t->members[m];
            if (h5rd__conv_normalize_is_noop(mb->type)) {
                continue;
            }
            for (uint64_t i = 0; i < nelem; i++) {
                normalize_rec(mb->type, buf + i * size + mb->offset, 1, depth + 1);
            }
        }
        break;
    case H5RD_CLASS_STRING:
        if (!string_norm_noop(t)) {
            norm_string(t, buf, nelem);
        }
        break;
    default:
        break; /* opaque, vlen, references: as stored */
    }
}

void h5rd__conv_normalize(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem)
{
    normalize_rec(t, buf, nelem, 0);
}

/* ---- the float types h5py widens ------------------------------------------------------------- */

bool h5rd__conv_float_is_numpy(const struct h5rd_type *t)
{
    return t != NULL && t->info.cls == H5RD_CLASS_FLOAT &&
           (t->info.order == H5RD_ORDER_LE || t->info.order == H5RD_ORDER_BE) &&
           float_std(t) != NULL;
}

/* h5py 3.7 (h5t.pyx, TypeFloatID.py_dtype) reads a float as the first numpy float of
 * float16/32/64/longdouble (x87 here) at least as large as it whose mantissa and exponent range
 * hold it; 0 when none does (h5py cannot read it). cli/dtype_str.c prints the same choice. */
static uint64_t numpy_float_size(const struct h5rd_type_info *ti)
{
    static const struct {
        uint64_t size;
        uint32_t nmant;
        int64_t maxexp, minexp;
    } ftypes[] = {{2, 10, 16, -14}, {4, 23, 128, -126}, {8, 52, 1024, -1022},
                  {16, 64, 16384, -16382}};
    if (ti->exp_nbits >= 62 || ti->exp_bias > ((uint64_t)1 << 62)) {
        return 0;
    }
    int64_t top = ((int64_t)1 << ti->exp_nbits) - (int64_t)ti->exp_bias - 1;
    int64_t bottom = 1 - (int64_t)ti->exp_bias;
    for (size_t i = 0; i < sizeof ftypes / sizeof ftypes[0]; i++) {
        if (ftypes[i].size >= ti->size && ti->mant_nbits <= ftypes[i].nmant &&
            top <= ftypes[i].maxexp && bottom >= ftypes[i].minexp) {
            return ftypes[i].size;
        }
    }
    return 0;
}

/* The IEEE/x87 layout h5py widens a float type to, or NULL when it reads it at its own size. */
static const struct fl *widen_target(const struct h5rd_type *t)
{
    if (t == NULL || t->info.cls != H5RD_CLASS_FLOAT || !float_soft_ok(t)) {
        return NULL;
    }
    uint64_t n = numpy_float_size(&t->info);
    return n > t->info.size ? ieee_of_size(n) : NULL;
}

uint64_t h5rd__conv_file_elem_size(const struct h5rd_type *t)
{
    if (t != NULL && t->info.cls == H5RD_CLASS_COMPLEX && t->base != NULL) {
        /* Both parts widen alike: numpy has a complex type over each of its float types. */
        const struct fl *wb = widen_target(t->base);
        return wb != NULL ? 2 * (uint64_t)wb->size : t->info.size;
    }
    const struct fl *w = widen_target(t);
    return w != NULL ? w->size : (t != NULL ? t->info.size : 0);
}

void h5rd__conv_widen(const struct h5rd_type *t, const uint8_t *in, uint8_t *out, uint64_t nelem)
{
    if (t != NULL && t->info.cls == H5RD_CLASS_COMPLEX && t->base != NULL) {
        t = t->base; /* real and imaginary parts alternate: 2 * nelem base floats */
        nelem *= 2;
    }
    const struct fl *df = widen_target(t);
    if (df == NULL) {
        return;
    }
    /* libhdf5 has no hard path from a non-native float: H5T__conv_f_f (soft) to the native
     * type, which also zeroes an x87 destination's padding bytes. */
    size_t ss = (size_t)t->info.size, ds = df->size;
    struct fl sf;
    fl_from_info(&t->info, &sf);
    uint8_t s[MAXB + SLACK], d[MAXB + SLACK];
    bool sticky = false;
    for (uint64_t i = 0; i < nelem; i++) {
        memset(s, 0, sizeof s);
        memset(d, 0, sizeof d);
        load_le(s, in + i * ss, ss, t->info.order);
        ff_soft(s, &sf, d, df, &sticky);
        store_order(out + i * ds, d, ds, HOST_ORDER);
    }
}

/* ---- numeric conversion ---------------------------------------------------------------------- */

static bool mt_valid(const struct h5rd_memtype *mt)
{
    if (mt == NULL || (mt->order != H5RD_ORDER_LE && mt->order != H5RD_ORDER_BE)) {
        return false;
    }
    if (mt->cls == H5RD_MEMTYPE_INT) {
        return mt->size == 1 || mt->size == 2 || mt->size == 4 || mt->size == 8;
    }
    if (mt->cls == H5RD_MEMTYPE_FLOAT) {
        return mt->size == 2 || mt->size == 4 || mt->size == 8;
    }
    if (mt->cls == H5RD_MEMTYPE_COMPLEX) {
        return mt->size == 4 || mt->size == 8 || mt->size == 16;
    }
    return false;
}

/* The float memory type of one part of a complex memory type (or 'mt' itself). */
static struct h5rd_memtype part_mt(const struct h5rd_memtype *mt)
{
    struct h5rd_memtype p = *mt;
    if (mt->cls == H5RD_MEMTYPE_COMPLEX) {
        p.cls = H5RD_MEMTYPE_FLOAT;
        p.size = mt->size / 2;
    }
    return p;
}

bool h5rd__conv_numeric_ok(const struct h5rd_type *t, const struct h5rd_memtype *mt)
{
    if (t == NULL || !mt_valid(mt)) {
        return false;
    }
    if (t->info.cls == H5RD_CLASS_COMPLEX) {
        /* libhdf5 2.0 converts a complex number to another complex type part by part, and to an
         * integer or float type through its real part (H5T__conv_complex_i/_f). */
        struct h5rd_memtype p = part_mt(mt);
        return t->base != NULL && h5rd__conv_numeric_ok(t->base, &p);
    }
    if (mt->cls == H5RD_MEMTYPE_COMPLEX) {
        /* An integer or float to complex: the real part as to the part's float type
         * (H5T__conv_i_complex/_f_complex), the imaginary part zero. */
        struct h5rd_memtype p = part_mt(mt);
        return h5rd__conv_numeric_ok(t, &p);
    }
    const struct h5rd_type *it = int_view(t);
    if (it != NULL) {
        if (it->info.size > MAXB) {
            return false;
        }
        /* libhdf5 1.10.8 crashes converting integers wider than 64 bits to floats. */
        return mt->cls == H5RD_MEMTYPE_INT || it->info.precision <= 64;
    }
    if (t->info.cls == H5RD_CLASS_FLOAT) {
        if (!float_soft_ok(t)) {
            return false;
        }
        return mt->cls == H5RD_MEMTYPE_FLOAT || float_mant_ok(&t->info);
    }
    return false;
}

/* Does the pair go through one of libhdf5's hard (C cast) conversions? Both sides must equal
 * native types: host order, standard layout; float16 is never native in libhdf5 1.10.8. */
static bool hard_float_src(const struct h5rd_type *t, const struct fl **std)
{
    *std = float_std(t);
    return *std != NULL && *std != &FL_HALF && t->info.order == HOST_ORDER;
}

static const struct fl *mt_fl(const struct h5rd_memtype *mt)
{
    return mt->size == 2 ? &FL_HALF : mt->size == 4 ? &FL_SINGLE : &FL_DOUBLE;
}

/* Fast path: plain integers (1/2/4/8 bytes, full precision) to integers. */
static void conv_int_int_fast(const struct h5rd_type *it, const struct h5rd_memtype *mt,
                              const uint8_t *in, uint8_t *out, uint64_t nelem)
{
    size_t ss = (size_t)it->info.size, ds = mt->size;
    bool sswap = it->info.order == H5RD_ORDER_BE, dbe = mt->order == H5RD_ORDER_BE;
    bool ssgn = int_signed(it), dsgn = mt->is_signed != 0;
    if (ss == ds && ssgn == dsgn) {
        memcpy(out, in, (size_t)(nelem * ss));
        if (ss > 1 && sswap != dbe) {
            h5rd__bswap_elems(out, nelem, ss);
        }
        return;
    }
    uint32_t sb = 8 * (uint32_t)ss;
    for (uint64_t i = 0; i < nelem; i++) {
        uint64_t raw = load_u(in + i * ss, ss, sswap);
        struct ival v = {false, false, raw};
        if (ssgn && sb < 64 ? ((raw >> (sb - 1)) & 1) : (ssgn && (raw >> 63))) {
            uint64_t ext = sb == 64 ? raw : raw | (~(uint64_t)0 << sb);
            v.neg = true;
            v.mag = ~ext + 1;
        }
        store_u(out + i * ds, ds, int_saturate(v, (uint32_t)ds, dsgn), dbe);
    }
}

/* Fast path: native f4/f8 to native f4/f8 (the hard conversions). */
static bool conv_native_float(const struct fl *sf, const struct h5rd_memtype *mt,
                              const uint8_t *in, uint8_t *out, uint64_t nelem)
{
    if (HOST_ORDER != H5RD_ORDER_LE || mt->order != H5RD_ORDER_LE) {
        return false;
    }
    if (sf == &FL_SINGLE && mt->size == 8) {
        for (uint64_t i = 0; i < nelem; i++) {
            float f;
            memcpy(&f, in + i * 4, 4);
            if (f != f) {
                uint8_t d[8] = {0};
                float_write_nan_hw(d, &FL_DOUBLE, in + i * 4, &FL_SINGLE);
                memcpy(out + i * 8, d, 8);
                continue;
            }
            double d = (double)f;
            memcpy(out + i * 8, &d, 8);
        }
        return true;
    }
    if (sf == &FL_DOUBLE && mt->size == 4) {
        for (uint64_t i = 0; i < nelem; i++) {
            double d;
            memcpy(&d, in + i * 8, 8);
            float f;
            if (d != d) {
                uint8_t w[4] = {0};
                float_write_nan_hw(w, &FL_SINGLE, in + i * 8, &FL_DOUBLE);
                memcpy(out + i * 4, w, 4);
                continue;
            }
            if (d > (double)FLT_MAX) {
                f = __builtin_inff();
            } else if (d < -(double)FLT_MAX) {
                f = -__builtin_inff();
            } else {
                f = (float)d; /* in range: round to nearest even */
            }
            memcpy(out + i * 4, &f, 4);
        }
        return true;
    }
    return false;
}

/* Complex numbers on either side (h5rd__conv_numeric_ok has accepted the pair). */
static h5rd_err conv_complex(const struct h5rd_type *t, const struct h5rd_memtype *mt,
                             const uint8_t *in, uint8_t *out, uint64_t nelem,
                             struct h5rd_error *ec)
{
    struct h5rd_memtype p = part_mt(mt);
    if (t->info.cls == H5RD_CLASS_COMPLEX && mt->cls == H5RD_MEMTYPE_COMPLEX) {
        /* Parts alternate on both sides: 2 * nelem floats converted one to one. */
        return h5rd__conv_numeric(t->base, &p, in, out, nelem * 2, ec);
    }
    if (t->info.cls == H5RD_CLASS_COMPLEX) {
        /* The real part only; the imaginary part is discarded. */
        size_t ss = (size_t)t->info.size;
        for (uint64_t i = 0; i < nelem; i++) {
            H5RD_TRY(h5rd__conv_numeric(t->base, &p, in + i * ss, out + i * p.size, 1, ec));
        }
        return H5RD_OK;
    }
    /* Real to complex: convert into the first half of 'out', then spread each value to its
     * element from the last one down (never overwriting a value not yet moved) and zero the
     * imaginary part. */
    H5RD_TRY(h5rd__conv_numeric(t, &p, in, out, nelem, ec));
    size_t h = p.size;
    for (uint64_t i = nelem; i > 0; i--) {
        memmove(out + (i - 1) * 2 * h, out + (i - 1) * h, h);
        memset(out + (i - 1) * 2 * h + h, 0, h);
    }
    return H5RD_OK;
}

h5rd_err h5rd__conv_numeric(const struct h5rd_type *t, const struct h5rd_memtype *mt,
                            const uint8_t *in, uint8_t *out, uint64_t nelem,
                            struct h5rd_error *ec)
{
    if (!h5rd__conv_numeric_ok(t, mt)) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                         "conversion: no numeric conversion from this datatype");
    }
    if (t->info.cls == H5RD_CLASS_COMPLEX || mt->cls == H5RD_MEMTYPE_COMPLEX) {
        return conv_complex(t, mt, in, out, nelem, ec);
    }
    size_t ds = mt->size;
    bool dbe = mt->order == H5RD_ORDER_BE;
    /* A 1-byte memory type has no byte order: libhdf5 sees the native one. */
    h5rd_byte_order dord = ds == 1 ? HOST_ORDER : mt->order;
    uint8_t s[MAXB + SLACK], d[MAXB + SLACK];
    const struct h5rd_type *it = int_view(t);
    if (it != NULL) {
        size_t ss = (size_t)it->info.size;
        if (mt->cls == H5RD_MEMTYPE_INT && ss == ds && it->info.bit_offset == 0 &&
            (it->info.order == H5RD_ORDER_LE || it->info.order == H5RD_ORDER_BE) &&
            it->info.order != dord) {
            /* libhdf5's H5T__conv_order: same size, opposite byte orders: a plain byte swap,
             * whatever the signs and precisions (no saturation, no sign extension). */
            memcpy(out, in, (size_t)(nelem * ss));
            if (ss > 1) {
                h5rd__bswap_elems(out, nelem, ss);
            }
            return H5RD_OK;
        }
        if (mt->cls == H5RD_MEMTYPE_INT && int_plain(it) && it->info.order != H5RD_ORDER_NONE) {
            conv_int_int_fast(it, mt, in, out, nelem);
            return H5RD_OK;
        }
        const struct fl *df = mt->cls == H5RD_MEMTYPE_FLOAT ? mt_fl(mt) : NULL;
        for (uint64_t i = 0; i < nelem; i++) {
            memset(s, 0, ss + SLACK);
            load_le(s, in + i * ss, ss,
                    it->info.order == H5RD_ORDER_BE ? H5RD_ORDER_BE : H5RD_ORDER_LE);
            struct ival v = int_read(s, it);
            if (df == NULL) {
                store_u(out + i * ds, ds, int_saturate(v, mt->size, mt->is_signed != 0), dbe);
            } else {
                memset(d, 0, ds);
                i_to_f(v, d, df);
                store_order(out + i * ds, d, ds, mt->order);
            }
        }
        return H5RD_OK;
    }
    /* float source */
    size_t ss = (size_t)t->info.size;
    const struct fl *std = NULL;
    bool hard_src = hard_float_src(t, &std);
    bool hard_dst = dord == HOST_ORDER && !(mt->cls == H5RD_MEMTYPE_FLOAT && mt->size == 2);
    bool hard = hard_src && hard_dst;
    if (hard && mt->cls == H5RD_MEMTYPE_FLOAT && std != &FL_X87 && std == mt_fl(mt)) {
        memcpy(out, in, (size_t)(nelem * ss)); /* no conversion at all */
        return H5RD_OK;
    }
    if (hard && mt->cls == H5RD_MEMTYPE_FLOAT && conv_native_float(std, mt, in, out, nelem)) {
        return H5RD_OK;
    }
    struct fl sf;
    fl_from_info(&t->info, &sf);
    const struct fl *df = mt->cls == H5RD_MEMTYPE_FLOAT ? mt_fl(mt) : NULL;
    bool same_layout = df != NULL && std == df; /* only a byte-order difference */
    bool sticky = false;
    for (uint64_t i = 0; i < nelem; i++) {
        memset(s, 0, ss + SLACK);
        load_le(s, in + i * ss, ss, t->info.order);
        if (df == NULL) {
            store_u(out + i * ds, ds, f_to_i(s, &sf, hard, mt->size, mt->is_signed != 0), dbe);
            continue;
        }
        memset(d, 0, ds + SLACK);
        if (same_layout) {
            memcpy(d, s, ds);
        } else if (hard) {
            struct fval v = float_read(s, &sf);
            bits_put(d, df->spos, 1, v.neg);
            if (v.cls == FC_NAN) {
                float_write_nan_hw(d, df, s, &sf);
            } else if (v.cls == FC_INF || (v.cls == FC_FINITE && float_exceeds(df, v.m, v.e))) {
                bits_fill(d, df->epos, df->esize, 1);
            } else if (v.cls == FC_FINITE) {
                float_write_rne(d, df, v.neg, v.m, v.e);
            }
        } else {
            ff_soft(s, &sf, d, df, &sticky);
        }
        store_order(out + i * ds, d, ds, mt->order);
    }
    return H5RD_OK;
}
