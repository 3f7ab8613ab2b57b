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
#ifdef H5RD_HAVE_ZSTD
#include <zstd.h>
#endif

#define BSHUF_TARGET_BLOCK_BYTES 8192
#define BSHUF_MIN_BLOCK 128
#define BSHUF_COMP_LZ4 2
#define BSHUF_COMP_ZSTD 3

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

void h5rd__bitunshuffle_block(const uint8_t *in, uint8_t *out, size_t nelem, size_t esize)
{
    size_t row = nelem / 8; /* bytes per bit row */
    for (size_t j = 0; j < esize; j++) {
        const uint8_t *r0 = in + j * 8 * row;
        const uint8_t *r1 = r0 + row, *r2 = r1 + row, *r3 = r2 + row;
        const uint8_t *r4 = r3 + row, *r5 = r4 + row, *r6 = r5 + row, *r7 = r6 + row;
        uint8_t *dst = out + j;
        size_t step = esize;
        for (size_t g = 0; g < row; g++) {
            /* Row b's byte g holds bit b of byte j of elements 8g .. 8g+7. */
            uint64_t x = (uint64_t)r0[g] | (uint64_t)r1[g] << 8 | (uint64_t)r2[g] << 16 |
                         (uint64_t)r3[g] << 24 | (uint64_t)r4[g] << 32 |
                         (uint64_t)r5[g] << 40 | (uint64_t)r6[g] << 48 | (uint64_t)r7[g] << 56;
            x = transpose8(x);
            uint8_t *d = dst + g * 8 * step;
            d[0] = (uint8_t)x;
            d[step] = (uint8_t)(x >> 8);
            d[2 * step] = (uint8_t)(x >> 16);
            d[3 * step] = (uint8_t)(x >> 24);
            d[4 * step] = (uint8_t)(x >> 32);
            d[5 * step] = (uint8_t)(x >> 40);
            d[6 * step] = (uint8_t)(x >> 48);
            d[7 * step] = (uint8_t)(x >> 56);
        }
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
    size_t got = ZSTD_decompress(tmp, nbytes, src, src_n);
    if (ZSTD_isError(got) || got != nbytes) {
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
        tmp = h5rd__malloc(f, (uint64_t)max_blk * esize, ec);
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
