/*
 * lz4.c - filter 32004, LZ4 (the HDF Group's H5Zlz4.c plugin). Framing, all integers
 * big-endian: an 8-byte original size, a 4-byte block size, then per block a 4-byte compressed
 * size followed by that many bytes. Every block decodes to the block size except the last,
 * which holds the remainder; the block size is clamped to the original size. A block whose
 * compressed size equals its decoded size was stored raw (compression did not help).
 * The plugin uses LZ4_decompress_fast and trusts the sizes; h5rd uses LZ4_decompress_safe and
 * requires each block to decode to exactly its size and consume exactly its bytes.
 */
#include "filter/filter.h"

#include <limits.h>
#include <lz4.h>
#include <string.h>

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

h5rd_err h5rd__lz4_block_decode(const uint8_t *in, size_t in_n, uint8_t *out, size_t out_n,
                                const char *what, struct h5rd_error *ec)
{
    if (in_n > INT_MAX || out_n > INT_MAX) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, what);
    }
    int got = LZ4_decompress_safe((const char *)in, (char *)out, (int)in_n, (int)out_n);
    if (got < 0 || (size_t)got != out_n) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, what);
    }
    return H5RD_OK;
}

h5rd_err h5rd__filter_lz4_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    if (in_n < 12) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lz4: chunk shorter than its header");
    }
    uint64_t orig = be64(in);
    uint64_t bsize = be32(in + 8);
    if (orig > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lz4: original size exceeds the chunk size");
    }
    if (bsize > orig) {
        bsize = orig;
    }
    if (bsize == 0 && orig > 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lz4: block size is 0");
    }
    size_t pos = 12, done = 0, total = (size_t)orig;
    while (done < total) {
        size_t blk = (size_t)bsize;
        if (total - done < blk) {
            blk = total - done;
        }
        if (in_n - pos < 4) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lz4: block header is truncated");
        }
        size_t csize = be32(in + pos);
        pos += 4;
        if (csize > in_n - pos) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lz4: block runs past the chunk");
        }
        if (csize == blk) {
            memcpy(out + done, in + pos, blk);
        } else {
            H5RD_TRY(h5rd__lz4_block_decode(in + pos, csize, out + done, blk,
                                            "lz4: invalid compressed block", ec));
        }
        pos += csize;
        done += blk;
    }
    *out_n = total;
    return H5RD_OK;
}
