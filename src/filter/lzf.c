/*
 * lzf.c - filter 32000, LZF (h5py's lzf/lzf_filter.c around liblzf). The chunk is one raw LZF
 * stream. cd_values[2], when present, is the chunk size h5py expects; the output capacity the
 * pipeline gives is authoritative. Incompressible chunks are never stored as LZF: the optional
 * filter fails at write time and the chunk's filter mask records it.
 *
 * LZF format: a control byte c. c < 32: a literal run of c + 1 bytes follows. Otherwise a
 * back-reference: length L = c >> 5 (7 means "add the next byte"), plus 2; distance
 * ((c & 31) << 8) + next byte + 1 back from the current output position. Copies may overlap
 * their own output (run-length style), so they go byte by byte.
 */
#include "filter/filter.h"

#include <string.h>

h5rd_err h5rd__filter_lzf_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec)
{
    (void)f;
    (void)flt;
    (void)type;
    size_t ip = 0, op = 0;
    if (in_n == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: empty stream");
    }
    while (ip < in_n) {
        unsigned c = in[ip++];
        if (c < 32) {
            size_t len = (size_t)c + 1;
            if (len > in_n - ip) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: literal run is truncated");
            }
            if (len > out_cap - op) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: stream expands past the chunk size");
            }
            memcpy(out + op, in + ip, len);
            ip += len;
            op += len;
            continue;
        }
        size_t len = c >> 5;
        size_t dist = (size_t)(c & 31u) << 8;
        if (len == 7) {
            if (ip >= in_n) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: back-reference is truncated");
            }
            len += in[ip++];
        }
        if (ip >= in_n) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: back-reference is truncated");
        }
        dist += (size_t)in[ip++] + 1;
        len += 2;
        if (dist > op) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: back-reference before the start");
        }
        if (len > out_cap - op) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "lzf: stream expands past the chunk size");
        }
        const uint8_t *src = out + op - dist;
        if (dist >= len) {
            memcpy(out + op, src, len);
        } else {
            for (size_t k = 0; k < len; k++) {
                out[op + k] = src[k];
            }
        }
        op += len;
    }
    *out_n = op;
    return H5RD_OK;
}
