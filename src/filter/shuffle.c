/*
 * shuffle.c - filter 2, byte shuffle (libhdf5 src/H5Zshuffle.c). On write, byte j of every
 * element is gathered into plane j; the bytes that do not fill a whole element (only possible
 * when the chunk size is not a multiple of the element size) are appended unchanged.
 * cd_values[0] is the element size (set by libhdf5 from the datatype); when absent the
 * dataset's type size is used.
 */
#include "filter/filter.h"

#include "dtype/dtype.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Unshuffling is a byte transpose: plane j (nelem bytes) holds byte j of every element. The
 * naive loop writes one byte at a time with stride esize; for the common sizes 2, 4 and 8 the
 * planes are interleaved 16 elements at a time with SSE2 unpacks (bytes, then 16-bit, then
 * 32-bit lanes), writing whole elements. Other sizes go through the byte loop in blocks of
 * elements, so each block's output stays in cache while every plane is visited. */
#if defined(__SSE2__)
#define LD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define ST(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))

static size_t unshuffle2_sse2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x0 = LD(in + i), x1 = LD(in + n + i);
        ST(out + 2 * i, _mm_unpacklo_epi8(x0, x1));
        ST(out + 2 * i + 16, _mm_unpackhi_epi8(x0, x1));
    }
    return i;
}

static size_t unshuffle4_sse2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x0 = LD(in + i), x1 = LD(in + n + i), x2 = LD(in + 2 * n + i),
                x3 = LD(in + 3 * n + i);
        __m128i a01l = _mm_unpacklo_epi8(x0, x1), a01h = _mm_unpackhi_epi8(x0, x1);
        __m128i a23l = _mm_unpacklo_epi8(x2, x3), a23h = _mm_unpackhi_epi8(x2, x3);
        uint8_t *o = out + 4 * i;
        ST(o, _mm_unpacklo_epi16(a01l, a23l));
        ST(o + 16, _mm_unpackhi_epi16(a01l, a23l));
        ST(o + 32, _mm_unpacklo_epi16(a01h, a23h));
        ST(o + 48, _mm_unpackhi_epi16(a01h, a23h));
    }
    return i;
}

static size_t unshuffle8_sse2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x[8];
        for (int j = 0; j < 8; j++) {
            x[j] = LD(in + (size_t)j * n + i);
        }
        /* bytes -> 2-byte pairs (elements 0-7 in .l, 8-15 in .h) */
        __m128i p01l = _mm_unpacklo_epi8(x[0], x[1]), p01h = _mm_unpackhi_epi8(x[0], x[1]);
        __m128i p23l = _mm_unpacklo_epi8(x[2], x[3]), p23h = _mm_unpackhi_epi8(x[2], x[3]);
        __m128i p45l = _mm_unpacklo_epi8(x[4], x[5]), p45h = _mm_unpackhi_epi8(x[4], x[5]);
        __m128i p67l = _mm_unpacklo_epi8(x[6], x[7]), p67h = _mm_unpackhi_epi8(x[6], x[7]);
        /* pairs -> 4-byte halves (elements 0-3, 4-7, 8-11, 12-15) */
        __m128i q[4] = {_mm_unpacklo_epi16(p01l, p23l), _mm_unpackhi_epi16(p01l, p23l),
                        _mm_unpacklo_epi16(p01h, p23h), _mm_unpackhi_epi16(p01h, p23h)};
        __m128i r[4] = {_mm_unpacklo_epi16(p45l, p67l), _mm_unpackhi_epi16(p45l, p67l),
                        _mm_unpacklo_epi16(p45h, p67h), _mm_unpackhi_epi16(p45h, p67h)};
        /* halves -> whole 8-byte elements, two per store */
        uint8_t *o = out + 8 * i;
        for (int k = 0; k < 4; k++) {
            ST(o + 32 * k, _mm_unpacklo_epi32(q[k], r[k]));
            ST(o + 32 * k + 16, _mm_unpackhi_epi32(q[k], r[k]));
        }
    }
    return i;
}
#endif

/* Elements [from, nelem) with the byte loop, in blocks that fit in L1. */
static void unshuffle_bytes(const uint8_t *in, uint8_t *out, size_t nelem, size_t es,
                            size_t from)
{
    const size_t block = 1024;
    for (size_t b0 = from; b0 < nelem; b0 += block) {
        size_t b1 = nelem - b0 < block ? nelem : b0 + block;
        for (size_t j = 0; j < es; j++) {
            const uint8_t *plane = in + j * nelem;
            uint8_t *dst = out + j;
            for (size_t i = b0; i < b1; i++) {
                dst[i * es] = plane[i];
            }
        }
    }
}

h5rd_err h5rd__filter_shuffle_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec)
{
    (void)f;
    uint64_t esize;
    if (flt->n_values >= 1) {
        esize = flt->values[0];
    } else if (type != NULL) {
        esize = type->info.size;
    } else {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: element size missing");
    }
    if (esize == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: element size is 0");
    }
    if (in_n > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "shuffle: data larger than the chunk size");
    }
    size_t nelem = in_n / esize;
    if (esize == 1 || nelem <= 1) {
        memcpy(out, in, in_n);
        *out_n = in_n;
        return H5RD_OK;
    }
    size_t es = (size_t)esize;
    size_t from = 0;
#if defined(__SSE2__)
    if (es == 2) {
        from = unshuffle2_sse2(in, out, nelem);
    } else if (es == 4) {
        from = unshuffle4_sse2(in, out, nelem);
    } else if (es == 8) {
        from = unshuffle8_sse2(in, out, nelem);
    }
#endif
    unshuffle_bytes(in, out, nelem, es, from);
    size_t done = nelem * es;
    memcpy(out + done, in + done, in_n - done);
    *out_n = in_n;
    return H5RD_OK;
}
