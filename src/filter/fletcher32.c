/*
 * fletcher32.c - filter 3, Fletcher-32 checksum (libhdf5 src/H5Zfletcher32.c). The filter
 * appends the checksum of the data as a 4-byte little-endian value. Quirk: libhdf5 before
 * 1.6.3 computed the checksum with the bytes of each 16-bit half swapped on little-endian
 * machines, and libhdf5 still accepts that value, so h5rd accepts both. A mismatch is
 * H5RD_E_CHECKSUM, unless the file was opened with H5RD_OPEN_SKIP_CHECKSUMS (and fuzz builds
 * compute but never reject).
 */
#include "filter/filter.h"

#include "core/checksum.h"

#include <string.h>

h5rd_err h5rd__filter_fletcher32_decode(const struct h5rd_file *f,
                                        const struct h5rd__filter *flt,
                                        const struct h5rd_type *type, const uint8_t *in,
                                        size_t in_n, uint8_t *out, size_t out_cap,
                                        size_t *out_n, struct h5rd_error *ec)
{
    (void)flt;
    (void)type;
    if (in_n < 4) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "fletcher32: chunk shorter than its checksum");
    }
    size_t n = in_n - 4;
    if (n > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "fletcher32: data larger than the chunk size");
    }
    uint32_t stored = (uint32_t)in[n] | (uint32_t)in[n + 1] << 8 | (uint32_t)in[n + 2] << 16 |
                      (uint32_t)in[n + 3] << 24;
    uint32_t sum = h5rd__fletcher32(in, n);
    /* The pre-1.6.3 value: the two bytes of each 16-bit half exchanged. */
    uint32_t old = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
    /* The shared checksum policy (skip-checksums flag, fuzzing builds). */
    H5RD_TRY(h5rd__checksum_check(f, stored, stored == old ? old : sum, H5RD_ADDR_UNDEF,
                                  "fletcher32: chunk checksum mismatch", ec));
    memcpy(out, in, n);
    *out_n = n;
    return H5RD_OK;
}
