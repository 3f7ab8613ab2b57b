/*
 * bitshuffle.c - filter 32008, bitshuffle (kiyo-masui/bitshuffle, src/bshuf_h5filter.c and
 * src/bitshuffle_core.c). cd_values: [2] element size, [3] block size in elements (0: the
 * library default, 8192 bytes' worth rounded down to a multiple of 8, at least 128), [4]
 * compression: 2 LZ4, 3 zstd, anything else none.
 *
 * The data is cut into blocks of 'block' elements; the last partial block is rounded down to
 * a multiple of 8 elements and the remaining (count % 8) elements are stored unchanged after
 * the blocks. Within a block of n elements, bit b of byte j of element i is stored at bit
 * (i % 8) of byte (j * 8 + b) * (n / 8) + i / 8: one "bit row" of n bits per bit of the
 * element. With compression the chunk starts with an 8-byte big-endian uncompressed size and
 * a 4-byte big-endian block size in BYTES (divided by the element size), and every block is a
 * 4-byte big-endian compressed size followed by an LZ4 block or a zstd frame that decodes to
 * the block's bytes; the unchanged tail follows the last block as is.
 */
#include "filter/filter.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define BSHUF_TARGET_BLOCK_BYTES 8192
#define BSHUF_MIN_BLOCK 128
#define BSHUF_COMP_LZ4 2
#define BSHUF_COMP_ZSTD 3

/* ---- the bit transposition ------------------------------------------------------------
 * In a block of n elements, bit row (8j + b) holds bit b of byte j of every element, n/8 bytes
 * long; byte g of that row covers elements 8g .. 8g+7 (element 8g+m at bit m). Undoing it is
 * done per byte j of the element in two steps:
 *   1. for 8 (or, with SSE2, 16) groups of 8 elements at once, the bytes g of the 8 bit rows
 *      of byte j form an 8x8 bit matrix per group; transposing it yields byte j of the group's
 *      8 elements, in element order ("T[j]", byte j of consecutive elements);
 *   2. the esize rows T[0..esize-1] are interleaved into whole elements (a byte unshuffle).
 * Both steps work on 64-bit words (portable) or 128-bit SSE2 vectors. All loads and stores go
 * through memcpy / unaligned intrinsics: the buffers have no alignment guarantee. */

/* Transposes an 8x8 bit matrix held in x: bit (8 * r + c) moves to bit (8 * c + r). */
static uint64_t transpose8(uint64_t x)
{
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
    x = x ^ t ^ (t << 28);
    return x;
}

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

static inline uint64_t ld64le(const uint8_t *p)
{
    uint64_t v = 0;
#if HOST_LE
    memcpy(&v, p, 8); /* one unaligned load */
#else
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
#endif
    return v;
}

static inline void st64le(uint8_t *p, uint64_t v)
{
#if HOST_LE
    memcpy(p, &v, 8);
#else
    for (unsigned i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
#endif
}

/* Swaps the (w)-bit fields selected by 'm' of x's upper halves with y's lower halves: one stage
 * of an 8x8 byte-matrix transpose held in eight words. */
#define SWAP_STAGE(x, y, sh, m)                                                                  \
    do {                                                                                         \
        uint64_t t_ = (((x) >> (sh)) ^ (y)) & (m);                                               \
        (y) ^= t_;                                                                               \
        (x) ^= t_ << (sh);                                                                       \
    } while (0)

/* Step 1, portable: T[j] for the 64 elements of groups g .. g+7 into t[0..63]. */
static void untrans_strip8(const uint8_t *rows, size_t row, size_t g, uint8_t *t)
{
    /* Byte k of wb: bit row b's byte for group g+k. */
    uint64_t w0 = ld64le(rows + g), w1 = ld64le(rows + row + g);
    uint64_t w2 = ld64le(rows + 2 * row + g), w3 = ld64le(rows + 3 * row + g);
    uint64_t w4 = ld64le(rows + 4 * row + g), w5 = ld64le(rows + 5 * row + g);
    uint64_t w6 = ld64le(rows + 6 * row + g), w7 = ld64le(rows + 7 * row + g);
    /* 8x8 byte transpose: afterwards byte b of wk is bit row b's byte for group g+k. */
    SWAP_STAGE(w0, w1, 8, 0x00FF00FF00FF00FFull);
    SWAP_STAGE(w2, w3, 8, 0x00FF00FF00FF00FFull);
    SWAP_STAGE(w4, w5, 8, 0x00FF00FF00FF00FFull);
    SWAP_STAGE(w6, w7, 8, 0x00FF00FF00FF00FFull);
    SWAP_STAGE(w0, w2, 16, 0x0000FFFF0000FFFFull);
    SWAP_STAGE(w1, w3, 16, 0x0000FFFF0000FFFFull);
    SWAP_STAGE(w4, w6, 16, 0x0000FFFF0000FFFFull);
    SWAP_STAGE(w5, w7, 16, 0x0000FFFF0000FFFFull);
    SWAP_STAGE(w0, w4, 32, 0x00000000FFFFFFFFull);
    SWAP_STAGE(w1, w5, 32, 0x00000000FFFFFFFFull);
    SWAP_STAGE(w2, w6, 32, 0x00000000FFFFFFFFull);
    SWAP_STAGE(w3, w7, 32, 0x00000000FFFFFFFFull);
    st64le(t, transpose8(w0));
    st64le(t + 8, transpose8(w1));
    st64le(t + 16, transpose8(w2));
    st64le(t + 24, transpose8(w3));
    st64le(t + 32, transpose8(w4));
    st64le(t + 40, transpose8(w5));
    st64le(t + 48, transpose8(w6));
    st64le(t + 56, transpose8(w7));
}

/* Step 2, portable: 64 elements of 'esize' bytes from T[0..esize-1] (64 bytes each in t). */
static void interleave8(const uint8_t *t, uint8_t *out, size_t esize)
{
    if (esize == 1) {
        memcpy(out, t, 64);
        return;
    }
    if (esize == 4 || esize == 8) {
        /* 8 elements at a time: word b holds byte b of elements e .. e+7; a byte-matrix
         * transpose (4x4 within each half for 4-byte elements, 8x8 for 8-byte ones) turns the
         * words into whole elements. */
        for (unsigned e = 0; e < 64; e += 8) {
            uint64_t w[8];
            for (size_t b = 0; b < esize; b++) {
                w[b] = ld64le(t + 64 * b + e);
            }
            SWAP_STAGE(w[0], w[1], 8, 0x00FF00FF00FF00FFull);
            SWAP_STAGE(w[2], w[3], 8, 0x00FF00FF00FF00FFull);
            SWAP_STAGE(w[0], w[2], 16, 0x0000FFFF0000FFFFull);
            SWAP_STAGE(w[1], w[3], 16, 0x0000FFFF0000FFFFull);
            uint8_t *d = out + e * esize;
            if (esize == 4) { /* low halves: elements e .. e+3, high halves: e+4 .. e+7 */
                st64le(d, (w[0] & 0xFFFFFFFFu) | w[1] << 32);
                st64le(d + 8, (w[2] & 0xFFFFFFFFu) | w[3] << 32);
                st64le(d + 16, (w[0] >> 32) | (w[1] & 0xFFFFFFFF00000000ull));
                st64le(d + 24, (w[2] >> 32) | (w[3] & 0xFFFFFFFF00000000ull));
                continue;
            }
            SWAP_STAGE(w[4], w[5], 8, 0x00FF00FF00FF00FFull);
            SWAP_STAGE(w[6], w[7], 8, 0x00FF00FF00FF00FFull);
            SWAP_STAGE(w[4], w[6], 16, 0x0000FFFF0000FFFFull);
            SWAP_STAGE(w[5], w[7], 16, 0x0000FFFF0000FFFFull);
            for (unsigned b = 0; b < 4; b++) {
                SWAP_STAGE(w[b], w[b + 4], 32, 0x00000000FFFFFFFFull);
            }
            for (unsigned k = 0; k < 8; k++) {
                st64le(d + 8 * k, w[k]);
            }
        }
        return;
    }
    if (esize == 2) {
        /* Spread the bytes of two words apart and merge: a0 b0 a1 b1 ... */
        for (unsigned e = 0; e < 64; e += 4) {
            uint64_t a = ld64le(t + e) & 0xFFFFFFFFu, b = ld64le(t + 64 + e) & 0xFFFFFFFFu;
            a = (a | a << 16) & 0x0000FFFF0000FFFFull;
            a = (a | a << 8) & 0x00FF00FF00FF00FFull;
            b = (b | b << 16) & 0x0000FFFF0000FFFFull;
            b = (b | b << 8) & 0x00FF00FF00FF00FFull;
            st64le(out + 2 * e, a | b << 8);
        }
        return;
    }
    for (size_t j = 0; j < esize; j++) {
        const uint8_t *tj = t + 64 * j;
        for (unsigned e = 0; e < 64; e++) {
            out[e * esize + j] = tj[e];
        }
    }
}

/* One group of 8 elements (the block's last groups when fewer than a strip remain). */
static void untrans_group(const uint8_t *in, uint8_t *out, size_t row, size_t g, size_t esize)
{
    for (size_t j = 0; j < esize; j++) {
        const uint8_t *r = in + j * 8 * row + g;
        uint64_t x = 0;
        for (unsigned b = 0; b < 8; b++) {
            x |= (uint64_t)r[b * row] << (8 * b);
        }
        x = transpose8(x);
        uint8_t *d = out + 8 * g * esize + j;
        for (unsigned m = 0; m < 8; m++) {
            d[m * esize] = (uint8_t)(x >> (8 * m));
        }
    }
}

#if defined(__SSE2__)
/* transpose8 on both 64-bit lanes. */
static __m128i transpose8_x2(__m128i x)
{
    __m128i t;
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 7)),
                      _mm_set1_epi64x((long long)0x00AA00AA00AA00AAull));
    x = _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 7)));
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 14)),
                      _mm_set1_epi64x((long long)0x0000CCCC0000CCCCull));
    x = _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 14)));
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 28)),
                      _mm_set1_epi64x((long long)0x00000000F0F0F0F0ull));
    x = _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 28)));
    return x;
}

/* Step 1, SSE2: T[j] for the 128 elements of groups g .. g+15 into t[0..127]. */
static inline void untrans_strip16(const uint8_t *rows, size_t row, size_t g, uint8_t *t)
{
    __m128i r[8], a[8], b[8];
    for (unsigned k = 0; k < 8; k++) {
        r[k] = _mm_loadu_si128((const __m128i *)(const void *)(rows + k * row + g));
    }
    /* Byte transpose 8 x 16 -> 16 lanes of 8 bytes (lane k: byte b from row b). */
    for (unsigned k = 0; k < 8; k += 2) {
        a[k] = _mm_unpacklo_epi8(r[k], r[k + 1]);
        a[k + 1] = _mm_unpackhi_epi8(r[k], r[k + 1]);
    }
    b[0] = _mm_unpacklo_epi16(a[0], a[2]);
    b[1] = _mm_unpackhi_epi16(a[0], a[2]);
    b[2] = _mm_unpacklo_epi16(a[1], a[3]);
    b[3] = _mm_unpackhi_epi16(a[1], a[3]);
    b[4] = _mm_unpacklo_epi16(a[4], a[6]);
    b[5] = _mm_unpackhi_epi16(a[4], a[6]);
    b[6] = _mm_unpacklo_epi16(a[5], a[7]);
    b[7] = _mm_unpackhi_epi16(a[5], a[7]);
    for (unsigned k = 0; k < 4; k++) {
        __m128i lo = _mm_unpacklo_epi32(b[k], b[k + 4]); /* groups 4k, 4k+1 */
        __m128i hi = _mm_unpackhi_epi32(b[k], b[k + 4]); /* groups 4k+2, 4k+3 */
        _mm_storeu_si128((__m128i *)(void *)(t + 32 * k), transpose8_x2(lo));
        _mm_storeu_si128((__m128i *)(void *)(t + 32 * k + 16), transpose8_x2(hi));
    }
}

/* Step 2, SSE2: interleaves T[0..esize-1] (each 128 bytes in t) into 128 whole elements. */
static inline void interleave16(const uint8_t (*t)[128], uint8_t *out, size_t esize)
{
    for (unsigned v = 0; v < 8; v++) { /* 16 elements per round */
        __m128i x[8];
        for (size_t j = 0; j < esize; j++) {
            x[j] = _mm_loadu_si128((const __m128i *)(const void *)(t[j] + 16 * v));
        }
        uint8_t *d = out + 16 * v * esize;
        if (esize == 1) {
            _mm_storeu_si128((__m128i *)(void *)d, x[0]);
        } else if (esize == 2) {
            _mm_storeu_si128((__m128i *)(void *)d, _mm_unpacklo_epi8(x[0], x[1]));
            _mm_storeu_si128((__m128i *)(void *)(d + 16), _mm_unpackhi_epi8(x[0], x[1]));
        } else {
            __m128i p[8], q[8];
            for (size_t j = 0; j < esize; j += 2) {
                p[j] = _mm_unpacklo_epi8(x[j], x[j + 1]);     /* elements 0-7, bytes j, j+1 */
                p[j + 1] = _mm_unpackhi_epi8(x[j], x[j + 1]); /* elements 8-15 */
            }
            for (size_t j = 0; j < esize; j += 4) {
                q[j] = _mm_unpacklo_epi16(p[j], p[j + 2]);     /* elements 0-3 */
                q[j + 1] = _mm_unpackhi_epi16(p[j], p[j + 2]); /* 4-7 */
                q[j + 2] = _mm_unpacklo_epi16(p[j + 1], p[j + 3]); /* 8-11 */
                q[j + 3] = _mm_unpackhi_epi16(p[j + 1], p[j + 3]); /* 12-15 */
            }
            if (esize == 4) {
                for (unsigned k = 0; k < 4; k++) {
                    _mm_storeu_si128((__m128i *)(void *)(d + 16 * k), q[k]);
                }
            } else { /* 8: elements 4k .. 4k+3 from q[k] (bytes 0-3) and q[4+k] (bytes 4-7) */
                for (unsigned k = 0; k < 4; k++) {
                    _mm_storeu_si128((__m128i *)(void *)(d + 32 * k),
                                     _mm_unpacklo_epi32(q[k], q[k + 4]));
                    _mm_storeu_si128((__m128i *)(void *)(d + 32 * k + 16),
                                     _mm_unpackhi_epi32(q[k], q[k + 4]));
                }
            }
        }
    }
}

/* The strips of 16 groups of a block whose element size is 1, 2, 4 or 8; returns the number
 * of groups done. Inlined with a constant 'esize' so the loops over bytes unroll. */
static inline size_t untrans_sse2(const uint8_t *in, uint8_t *out, size_t row, size_t esize)
{
    uint8_t t[8][128];
    size_t g = 0;
    for (; row - g >= 16; g += 16) {
        for (size_t j = 0; j < esize; j++) {
            untrans_strip16(in + j * 8 * row, row, g, t[j]);
        }
        interleave16((const uint8_t (*)[128])t, out + 8 * g * esize, esize);
    }
    return g;
}
#endif

void h5rd__bitunshuffle_block(const uint8_t *in, uint8_t *out, size_t nelem, size_t esize)
{
    size_t row = nelem / 8; /* bytes per bit row = groups of 8 elements */
    size_t g = 0;
#if defined(__SSE2__)
    switch (esize) {
    case 1: g = untrans_sse2(in, out, row, 1); break;
    case 2: g = untrans_sse2(in, out, row, 2); break;
    case 4: g = untrans_sse2(in, out, row, 4); break;
    case 8: g = untrans_sse2(in, out, row, 8); break;
    default: break;
    }
#endif
    /* Portable strips of 8 groups, 8 bytes of the element at a time (T rows in t). */
    for (; row - g >= 8; g += 8) {
        uint8_t t[8 * 64];
        for (size_t j0 = 0; j0 < esize; j0 += 8) {
            size_t nj = esize - j0 < 8 ? esize - j0 : 8;
            for (size_t j = 0; j < nj; j++) {
                untrans_strip8(in + (j0 + j) * 8 * row, row, g, t + 64 * j);
            }
            if (nj == esize) {
                interleave8(t, out + 8 * g * esize, esize);
            } else {
                for (size_t j = 0; j < nj; j++) {
                    for (unsigned e = 0; e < 64; e++) {
                        out[(8 * g + e) * esize + j0 + j] = t[64 * j + e];
                    }
                }
            }
        }
    }
    for (; g < row; g++) {
        untrans_group(in, out, row, g, esize);
    }
}

static size_t default_block(size_t esize)
{
    size_t b = BSHUF_TARGET_BLOCK_BYTES / esize;
    b = b / 8 * 8;
    return b < BSHUF_MIN_BLOCK ? BSHUF_MIN_BLOCK : b;
}

static uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decompresses one block of 'nbytes' into tmp. */
static h5rd_err block_decompress(unsigned comp, const uint8_t *src, size_t src_n, uint8_t *tmp,
                                 size_t nbytes, struct h5rd_error *ec)
{
    if (comp == BSHUF_COMP_LZ4) {
        return h5rd__lz4_block_decode(src, src_n, tmp, nbytes,
                                      "bitshuffle: invalid LZ4 block", ec);
    }
#ifdef H5RD_HAVE_ZSTD
    size_t got = 0; /* SIZE_MAX when the frame does not decode */
    H5RD_TRY(h5rd__zstd_frame_decode(src, src_n, tmp, nbytes, &got, ec));
    if (got != nbytes) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: invalid zstd block");
    }
    return H5RD_OK;
#else
    (void)src;
    (void)src_n;
    (void)tmp;
    (void)nbytes;
    return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                     "filter: bitshuffle with zstd (32008) not available in this build");
#endif
}

h5rd_err h5rd__filter_bitshuffle_decode(const struct h5rd_file *f,
                                        const struct h5rd__filter *flt,
                                        const struct h5rd_type *type, const uint8_t *in,
                                        size_t in_n, uint8_t *out, size_t out_cap,
                                        size_t *out_n, struct h5rd_error *ec)
{
    (void)type;
    if (flt->n_values < 3) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: fewer than 3 parameters");
    }
    size_t esize = flt->values[2];
    size_t block = flt->n_values > 3 ? flt->values[3] : 0;
    unsigned comp = flt->n_values > 4 ? flt->values[4] : 0;
    bool compressed = comp == BSHUF_COMP_LZ4 || comp == BSHUF_COMP_ZSTD;
    if (esize == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: element size is 0");
    }
#ifndef H5RD_HAVE_ZSTD
    if (comp == BSHUF_COMP_ZSTD) {
        H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                  "filter: bitshuffle with zstd (32008) not available in this build");
        h5rd__filter_err_detail(ec, flt, "bitshuffle", "its zstd mode is not in this build");
        return H5RD_E_UNSUPPORTED;
    }
#endif
    if (block == 0) {
        block = default_block(esize);
    }

    size_t total, pos = 0;
    if (compressed) {
        if (in_n < 12) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                "bitshuffle: chunk shorter than its header");
        }
        uint64_t t64 = 0;
        for (int i = 0; i < 8; i++) {
            t64 = t64 << 8 | in[i];
        }
        if (t64 > out_cap) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                "bitshuffle: uncompressed size exceeds the chunk size");
        }
        total = (size_t)t64;
        /* The header's block size overrides the parameter (0 after the division means the
         * default, as in bshuf_blocked_wrap_fun). */
        block = rd_be32(in + 8) / esize;
        if (block == 0) {
            block = default_block(esize);
        }
        pos = 12;
    } else {
        total = in_n;
        if (total > out_cap) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                "bitshuffle: data larger than the chunk size");
        }
    }
    if (total % esize != 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "bitshuffle: size is not a whole number of elements");
    }
    if (block % 8 != 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: block size not a multiple of 8");
    }
    size_t nelem = total / esize;
    size_t nfull = nelem / block;
    size_t last = nelem % block;
    last -= last % 8;
    size_t tail = (nelem % 8) * esize;
    size_t max_blk = nfull > 0 ? block : last; /* elements; max_blk * esize <= total */

    uint8_t *tmp = NULL;
    if (compressed && max_blk > 0) {
        tmp = h5rd__malloc_data(f, (uint64_t)max_blk * esize, ec);
        if (tmp == NULL) {
            return ec->code != H5RD_OK ? ec->code : H5RD_E_NOMEM;
        }
    }
    h5rd_err err = H5RD_OK;
    size_t done = 0; /* output bytes */
    for (size_t k = 0; k < nfull + (last > 0 ? 1 : 0); k++) {
        size_t n = k < nfull ? block : last;
        size_t nbytes = n * esize;
        if (compressed) {
            if (in_n - pos < 4) {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: block header is truncated");
                goto out;
            }
            size_t csize = rd_be32(in + pos);
            pos += 4;
            if (csize > in_n - pos) {
                err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: block runs past the chunk");
                goto out;
            }
            err = block_decompress(comp, in + pos, csize, tmp, nbytes, ec);
            if (err != H5RD_OK) {
                goto out;
            }
            pos += csize;
            h5rd__bitunshuffle_block(tmp, out + done, n, esize);
        } else {
            h5rd__bitunshuffle_block(in + pos, out + done, n, esize);
            pos += nbytes;
        }
        done += nbytes;
    }
    if (in_n - pos < tail) {
        err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "bitshuffle: unshuffled tail is truncated");
        goto out;
    }
    memcpy(out + done, in + pos, tail);
    done += tail;
    *out_n = done;

out:
    h5rd__free(f, tmp);
    return err;
}
