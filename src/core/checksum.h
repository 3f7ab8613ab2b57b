/*
 * checksum.h - Jenkins lookup3 (metadata checksums) and Fletcher-32 (filter 3).
 */
#ifndef H5RD_CORE_CHECKSUM_H
#define H5RD_CORE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Bob Jenkins' lookup3 hashlittle(), as HDF5 uses it (H5_checksum_lookup3). */
uint32_t h5rd__lookup3(const uint8_t *p, size_t n, uint32_t initval);

/* HDF5's Fletcher-32 over 16-bit big-endian words (odd trailing byte as the
 * high byte of a final word), as H5_checksum_fletcher32 computes it. */
uint32_t h5rd__fletcher32(const uint8_t *p, size_t n);

#endif
