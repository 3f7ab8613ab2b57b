/*
 * fuzz_common.h - shared set-up for the libFuzzer harnesses in fuzz/ (and their standalone
 * replayers): tight resource limits, a struct h5rd_file over the fuzz input as a file image,
 * and signature scanning so that one harness per decoder can drive that decoder on every
 * structure of its kind found in the image.
 *
 * Image harnesses take whole HDF5 files as input (the seed corpora are the fixtures), so a
 * mutated structure keeps pointing at real children. When the superblock does not parse, the
 * input is used as a bare image with 8-byte offsets and lengths and base address 0, so a
 * structure on its own (at address 0) can be fuzzed too.
 */
#ifndef H5RD_FUZZ_COMMON_H
#define H5RD_FUZZ_COMMON_H

#include "internal.h"
#include "io/source.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The entry point every harness defines (libFuzzer's interface). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harnesses' limits: small enough that a hostile size hits a limit quickly instead of
 * exhausting the fuzzer's memory (max_alloc 64 MiB, metadata 64 MiB, chunk 16 MiB, ...). */
void fz_limits(struct h5rd_limits *l);

/* Open options carrying fz_limits (the limits struct lives in *lim, which must outlive it). */
void fz_open_opts(struct h5rd_open_opts *o, struct h5rd_limits *lim, uint32_t flags);

/* A file over the fuzz input (borrowed). has_sb: the superblock parsed. */
struct fz_image {
    struct h5rd_file *f;
    bool has_sb;
    bool bare;          /* f was set up by hand (no superblock) */
};

/* Returns false only when even a bare image could not be set up (allocation failure). */
bool fz_image_open(struct fz_image *im, const uint8_t *data, size_t n);
/* The same without trying the superblock: a bare image of 'n' bytes (n may be 0), for the
 * harnesses that decode a structure from a cursor and only need allocation and limits. */
bool fz_image_bare(struct fz_image *im, const uint8_t *data, size_t n);
void fz_image_close(struct fz_image *im);

/* Up to 'max' relative addresses (absolute offset minus the base address) at which the 4-byte
 * signature 'sig' occurs in the image; returns how many were found. */
size_t fz_find_sig(const struct fz_image *im, const uint8_t *data, size_t n, const char *sig,
                   uint64_t *out, size_t max);

#endif
