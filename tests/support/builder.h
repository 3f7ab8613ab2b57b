/*
 * builder.h - a little-endian byte builder for hand-made (often malformed)
 * HDF5 structures in tests: superblocks, object headers, B-tree nodes, heaps.
 * Checksums can be appended so a malformation sits behind a valid checksum.
 */
#ifndef H5RD_TEST_BUILDER_H
#define H5RD_TEST_BUILDER_H

#include <stddef.h>
#include <stdint.h>

struct bld {
    uint8_t *p;
    size_t n;
    size_t cap;
};

void bld_init(struct bld *b);
void bld_free(struct bld *b);
void bld_u8(struct bld *b, uint64_t v);
void bld_u16(struct bld *b, uint64_t v);
void bld_u32(struct bld *b, uint64_t v);
void bld_u64(struct bld *b, uint64_t v);
void bld_uvar(struct bld *b, uint64_t v, unsigned width);   /* little-endian, width bytes */
void bld_bytes(struct bld *b, const void *p, size_t n);
void bld_str(struct bld *b, const char *s);                /* without the NUL */
void bld_zeros(struct bld *b, size_t n);
void bld_pad_to(struct bld *b, size_t n);                   /* zero-fill up to length n */
/* Overwrites width bytes at position 'at' (little-endian). */
void bld_patch(struct bld *b, size_t at, uint64_t v, unsigned width);
/* Appends lookup3 (initval 0) of bytes [from, n). */
void bld_lookup3(struct bld *b, size_t from);

/* Writes a minimal superblock version 2 at offset 0 (48 bytes for 8-byte offsets/lengths) with
 * the given root object header address and end-of-file address, checksum included. */
void bld_superblock_v2(struct bld *b, uint64_t root_addr, uint64_t eof_addr);

#endif
