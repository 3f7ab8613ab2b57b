/*
 * sha256.h - SHA-256 (FIPS 180-4) for the tests: hashes of dataset bytes and of canonical JSON,
 * compared with the sha256 / json_sha256 / chunks_sha256 fields of the corpus oracles and
 * fixtures/expected. Incremental (init, update any number of times, final), no global state.
 */
#ifndef H5RD_TEST_SHA256_H
#define H5RD_TEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
    uint32_t h[8];
    uint64_t nbytes;       /* total message bytes so far */
    unsigned char blk[64]; /* pending partial block */
    size_t blk_len;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
/* Writes the 32-byte digest; the context must be re-initialised before reuse. */
void sha256_final(struct sha256_ctx *c, unsigned char digest[32]);

/* One-shot: the lowercase hex digest (64 characters and a NUL) of data[0..n). */
void sha256_hex(const void *data, size_t n, char hex[65]);
/* The lowercase hex text of a 32-byte digest. */
void sha256_to_hex(const unsigned char digest[32], char hex[65]);

#endif
