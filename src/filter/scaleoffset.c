/*
 * scaleoffset.c - filter 6, scale-offset (libhdf5 src/H5Zscaleoffset.c). cd_values (20 of
 * them, filled in by libhdf5 at dataset creation): [0] scale type (0 float D-scale, 1 float
 * E-scale (never implemented by libhdf5), 2 integer), [1] scale factor (integer: minimum bits,
 * 0 = automatic; float: decimal scale D), [2] elements per chunk, [3] class (0 integer,
 * 1 float), [4] size, [5] sign (0 unsigned, 1 two's complement), [6] byte order (0 LE, 1 BE),
 * [7] fill value defined, [8..] the fill value's bytes, least significant first, packed four
 * per value.
 *
 * Chunk layout: a 21-byte header - minbits (4 bytes LE), the size of minval (1 byte), minval
 * (up to 8 bytes LE; the rest of the 16-byte field is unused) - then the values, each stored
 * as 'minbits' bits, MSB first, in one continuous bit stream. Decoding:
 *   minbits == 8 * size: the values follow the header unpacked, in the WRITER's native byte
 *     order (libhdf5 converts before packing); h5rd assumes a little-endian writer.
 *   minbits == 0: every packed value is 0.
 *   minbits > 8 * size (corrupt, but libhdf5 reads it): every packed value is 0, no data byte
 *     is consumed, and the fill code is computed with the shift count reduced modulo 32 (types
 *     up to 4 bytes) or 64 - what libhdf5 1.10 does on x86-64.
 *   integer: value = packed + minval (wrapping in the type's width); with a fill value
 *     defined, the all-ones code (2^minbits - 1) stands for the fill value.
 *   float (D-scale): value = (float)(signed integer packed) / 10^D + min, with min the float
 *     stored in minval's low bytes, computed in the type's own precision like libhdf5 (powf
 *     for float, pow for double); the all-ones code again means the fill value.
 * An integer scale factor equal to 8 * size means libhdf5 did nothing (no header).
 * The result is written in the dataset's byte order.
 */
#include "filter/filter.h"

#include <math.h>
#include <string.h>

#define SO_FLOAT_DSCALE 0
#define SO_FLOAT_ESCALE 1
#define SO_INT 2
#define SO_HEADER 21

static uint64_t rd_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static void wr_elem(uint8_t *p, uint64_t v, unsigned size, bool be)
{
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));
        p[be ? size - 1 - i : i] = b;
    }
}

/* The fill value's bit pattern (cd_values[8..], four bytes per value, low first). */
static uint64_t fill_bits(const uint32_t *cd, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t w = cd[8 + i / 4];
        v |= (uint64_t)((w >> (8 * (i % 4))) & 0xffu) << (8 * i);
    }
    return v;
}

h5rd_err h5rd__filter_scaleoffset_decode(const struct h5rd_file *f,
                                         const struct h5rd__filter *flt,
                                         const struct h5rd_type *type, const uint8_t *in,
                                         size_t in_n, uint8_t *out, size_t out_cap,
                                         size_t *out_n, struct h5rd_error *ec)
{
    (void)f;
    (void)type;
    const uint32_t *cd = flt->values;
    if (flt->n_values != 20) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: not 20 parameters");
    }
    uint32_t scale_type = cd[0], cls = cd[3], size = cd[4], sign = cd[5], order = cd[6];
    int32_t scale_factor = (int32_t)cd[1];
    bool filavail = cd[7] == 1;
    if (order > 1 || cls > 1) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: invalid class or byte order");
    }
    if (cls == 0 && !((size == 1 || size == 2 || size == 4 || size == 8) && sign <= 1)) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: invalid integer type");
    }
    if (cls == 1 && size != 4 && size != 8) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: invalid float type");
    }
    if (cls == 1 && scale_type != SO_FLOAT_DSCALE) {
        if (scale_type == SO_FLOAT_ESCALE) {
            return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                             "scaleoffset: E-scaling is not supported (nor by libhdf5)");
        }
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: invalid scale type");
    }
    if (cls == 0 && scale_type != SO_INT) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: invalid scale type");
    }
    unsigned bits = size * 8;
    if (cls == 0) {
        if (scale_factor < 0) {
            scale_factor = 0;
        }
        if ((uint32_t)scale_factor > bits) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: minimum bits exceed the size");
        }
        if ((uint32_t)scale_factor == bits) {
            /* libhdf5 left the data alone. */
            if (in_n > out_cap) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: data larger than the chunk");
            }
            memcpy(out, in, in_n);
            *out_n = in_n;
            return H5RD_OK;
        }
    }
    uint64_t nelem = cd[2], total;
    if (!h5rd__mul_u64(nelem, size, &total) || total > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "scaleoffset: element count exceeds the chunk size");
    }
    if (in_n < SO_HEADER) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: chunk shorter than its header");
    }
    uint32_t minbits = (uint32_t)rd_le(in, 4);
    unsigned mv_size = in[4] < 8 ? in[4] : 8;
    uint64_t minval = rd_le(in + 5, mv_size);
    /* A stored minbits above the type's width is not rejected by libhdf5 (only an assertion,
     * compiled out in releases): its unpacking loop then runs zero times per element, so every
     * packed value is 0 and no data byte is consumed; the fill-code test shifts by minbits, which
     * x86 reduces modulo the operand width (32 bits for types up to 4 bytes - C promotes them to
     * int - and 64 for 8-byte ones). tmisc38a.h5 (libhdf5's test for this) has such a chunk. */
    bool over = minbits > bits;
    unsigned shift_width = bits <= 32 ? 32 : 64;
    const uint8_t *data = in + SO_HEADER;
    size_t data_n = in_n - SO_HEADER;
    bool be = order == 1;

    if (minbits == bits) {
        /* Stored unpacked in the writer's native order (assumed little-endian). */
        if (data_n < total) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: data is truncated");
        }
        for (uint64_t i = 0; i < nelem; i++) {
            wr_elem(out + i * size, rd_le(data + i * size, size), size, be);
        }
        *out_n = (size_t)total;
        return H5RD_OK;
    }
    uint64_t need_bits;
    if (!over && (!h5rd__mul_u64(nelem, minbits, &need_bits) || (need_bits + 7) / 8 > data_n)) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "scaleoffset: packed data is truncated");
    }
    uint64_t width_mask = bits == 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
    uint64_t code_fill;
    if (over) {
        unsigned sh = minbits % shift_width;
        code_fill = sh == 0 ? 0 : (((uint64_t)1 << sh) - 1); /* compared with packed 0 only */
    } else {
        code_fill = minbits == 0 ? 0 : (((uint64_t)1 << minbits) - 1);
    }
    uint32_t nbits = over ? 0 : minbits; /* bits actually unpacked per value */
    uint64_t fill = filavail ? fill_bits(cd, size) : 0;
    double dscale = (double)scale_factor;
    float min_f = 0;
    double min_d = 0;
    if (cls == 1) {
        if (size == 4) {
            uint32_t b32 = (uint32_t)minval;
            memcpy(&min_f, &b32, 4);
        } else {
            memcpy(&min_d, &minval, 8);
        }
    }
    float pow_f = powf(10.0f, (float)dscale);
    double pow_d = pow(10.0, dscale);

    size_t bitpos = 0;
    for (uint64_t i = 0; i < nelem; i++) {
        uint64_t v = 0;
        /* minbits bits, MSB first (H5Z__scaleoffset_decompress_one_byte per byte). */
        for (uint32_t got = 0; got < nbits;) {
            size_t byte = bitpos / 8;
            unsigned avail_bits = 8 - (unsigned)(bitpos % 8);
            unsigned take = nbits - got < avail_bits ? nbits - got : avail_bits;
            unsigned chunk = (data[byte] >> (avail_bits - take)) & ((1u << take) - 1u);
            v = (v << take) | chunk;
            got += take;
            bitpos += take;
        }
        uint64_t r;
        if (cls == 0) {
            if (filavail && v == code_fill) {
                r = fill;
            } else {
                r = (v + minval) & width_mask;
            }
        } else if (size == 4) {
            float x;
            if (filavail && v == code_fill) {
                uint32_t b32 = (uint32_t)fill;
                memcpy(&x, &b32, 4);
            } else {
                /* libhdf5 reads the packed value back as a C int (upper bits zero). */
                x = (float)(int32_t)(uint32_t)v / pow_f + min_f;
            }
            uint32_t b32;
            memcpy(&b32, &x, 4);
            r = b32;
        } else {
            double x;
            if (filavail && v == code_fill) {
                memcpy(&x, &fill, 8);
            } else {
                x = (double)(int64_t)v / pow_d + min_d;
            }
            memcpy(&r, &x, 8);
        }
        wr_elem(out + i * size, r, size, be);
    }
    *out_n = (size_t)total;
    return H5RD_OK;
}
