/*
 * bitshuffle_bench.c - throughput of the bitshuffle decoder (src/filter/bitshuffle.c) on the
 * workload it matters for: Eiger detector frames (uint16/uint32 photon counts, mostly small,
 * bitshuffle + LZ4, 8192-element blocks).
 *
 * Measures (decoded bytes per second, best of several runs):
 *   - h5rd__bitunshuffle_block alone, over a whole frame cut into 8192-element blocks;
 *   - the whole filter (h5rd__filter_bitshuffle_decode: LZ4 blocks + unshuffle).
 * Every result is checked against the original frame. The shuffled and compressed input is
 * made here with a bit-by-bit reference encoder (the definition of the transposition), so the
 * bench also cross-checks the decoder against an independent encoder.
 *
 * Built only with -DH5RD_BUILD_BENCH=ON; run: bitshuffle_bench [frame_elements] [repeats].
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include "filter/filter.h"

#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 8192 /* elements per bitshuffle block */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the build machine is shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static void *b_malloc(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}

static void *b_realloc(void *u, void *p, size_t n)
{
    (void)u;
    return realloc(p, n);
}

static void b_free(void *u, void *p)
{
    (void)u;
    free(p);
}

/* Reference bitshuffle of one block: bit b of byte j of element i goes to bit i % 8 of byte
 * (j * 8 + b) * (n / 8) + i / 8. */
static void ref_shuffle_block(const uint8_t *in, uint8_t *out, size_t n, size_t es)
{
    memset(out, 0, n * es);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < es; j++) {
            uint8_t v = in[i * es + j];
            for (unsigned b = 0; b < 8; b++) {
                if ((v >> b) & 1u) {
                    out[(j * 8 + b) * (n / 8) + i / 8] |= (uint8_t)(1u << (i % 8));
                }
            }
        }
    }
}

/* The unshuffle as h5rd had it before the 8x8-matrix / SSE2 rewrite (one group of 8 elements
 * at a time, eight byte gathers and eight strided byte stores per 8x8 bit transpose), kept
 * here so that before and after are measured in the same run on the same (shared) machine. */
static uint64_t old_transpose8(uint64_t x)
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

static void old_unshuffle_block(const uint8_t *in, uint8_t *out, size_t nelem, size_t esize)
{
    size_t row = nelem / 8;
    for (size_t j = 0; j < esize; j++) {
        const uint8_t *r0 = in + j * 8 * row;
        uint8_t *dst = out + j;
        for (size_t g = 0; g < row; g++) {
            uint64_t x = 0;
            for (unsigned b = 0; b < 8; b++) {
                x |= (uint64_t)r0[b * row + g] << (8 * b);
            }
            x = old_transpose8(x);
            uint8_t *d = dst + g * 8 * esize;
            for (unsigned m = 0; m < 8; m++) {
                d[m * esize] = (uint8_t)(x >> (8 * m));
            }
        }
    }
}

typedef void (*unshuffle_fn)(const uint8_t *, uint8_t *, size_t, size_t);

/* Best time of 'reps' runs of 'fn' over the frame's blocks. */
static double time_unshuffle(unshuffle_fn fn, const uint8_t *shuf, uint8_t *out, size_t n,
                             size_t es, int reps)
{
    size_t nblk = n / BLOCK, rest = n % BLOCK;
    rest -= rest % 8;
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        for (size_t k = 0; k < nblk; k++) {
            fn(shuf + k * BLOCK * es, out + k * BLOCK * es, BLOCK, es);
        }
        if (rest > 0) {
            fn(shuf + nblk * BLOCK * es, out + nblk * BLOCK * es, rest, es);
        }
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    return best;
}

/* An Eiger-like frame: mostly 0-3 counts, a few bright pixels, a masked-pixel value. */
static void make_frame(uint8_t *buf, size_t n, size_t es, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t r = seed >> 8;
        uint32_t v = (r & 0xff) < 200 ? (r >> 8) & 3 : (r >> 8) & 0x3ff;
        if ((r & 0xffff) == 7) {
            v = es == 2 ? 0xffffu : 0xffffffffu;
        }
        for (size_t j = 0; j < es; j++) {
            buf[i * es + j] = (uint8_t)(v >> (8 * j));
        }
    }
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

static int bench(size_t es, size_t n, int reps)
{
    size_t nbytes = n * es;
    uint8_t *orig = xmalloc(nbytes), *shuf = xmalloc(nbytes), *out = xmalloc(nbytes);
    make_frame(orig, n, es, 12345u + (uint32_t)es);
    size_t nblk = n / BLOCK, rest = n % BLOCK;
    rest -= rest % 8;
    for (size_t k = 0; k < nblk; k++) {
        ref_shuffle_block(orig + k * BLOCK * es, shuf + k * BLOCK * es, BLOCK, es);
    }
    if (rest > 0) {
        ref_shuffle_block(orig + nblk * BLOCK * es, shuf + nblk * BLOCK * es, rest, es);
    }
    size_t tail = (n % 8) * es;
    memcpy(shuf + nbytes - tail, orig + nbytes - tail, tail);

    /* 0. memcpy of the same bytes, for scale (machine load, memory bandwidth) */
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        memcpy(out, shuf, nbytes);
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    printf("uint%-2zu memcpy (reference) : %7.3f GB/s\n", es * 8, (double)nbytes / best / 1e9);

    /* 1. the transposition alone: before (previous code) and now */
    double t_old = time_unshuffle(old_unshuffle_block, shuf, out, n, es, reps);
    memcpy(out + nbytes - tail, shuf + nbytes - tail, tail);
    if (memcmp(out, orig, nbytes) != 0) {
        fprintf(stderr, "MISMATCH: old unshuffle, element size %zu\n", es);
        return 1;
    }
    memset(out, 0, nbytes);
    best = time_unshuffle(h5rd__bitunshuffle_block, shuf, out, n, es, reps);
    memcpy(out + nbytes - tail, shuf + nbytes - tail, tail);
    if (memcmp(out, orig, nbytes) != 0) {
        fprintf(stderr, "MISMATCH: unshuffle, element size %zu\n", es);
        return 1;
    }
    printf("uint%-2zu unshuffle, before  : %7.3f GB/s  (%zu elements, %zu-element blocks)\n",
           es * 8, (double)nbytes / t_old / 1e9, n, (size_t)BLOCK);
    printf("uint%-2zu unshuffle, now     : %7.3f GB/s  (x%.1f)\n", es * 8,
           (double)nbytes / best / 1e9, t_old / best);

    /* 2. the whole filter: bitshuffle + LZ4 as the plugin writes it */
    size_t cap = 12 + (nblk + 1) * (4 + (size_t)LZ4_compressBound(BLOCK * (int)es)) + tail;
    uint8_t *comp = xmalloc(cap);
    put_be(comp, nbytes, 8);
    put_be(comp + 8, (uint64_t)BLOCK * es, 4);
    size_t pos = 12;
    for (size_t k = 0; k < nblk + (rest > 0); k++) {
        size_t bn = (k < nblk ? BLOCK : rest) * es;
        int c = LZ4_compress_default((const char *)shuf + k * BLOCK * es, (char *)comp + pos + 4,
                                     (int)bn, LZ4_compressBound((int)bn));
        put_be(comp + pos, (uint64_t)c, 4);
        pos += 4 + (size_t)c;
    }
    memcpy(comp + pos, shuf + nbytes - tail, tail);
    pos += tail;

    struct h5rd_file f;
    memset(&f, 0, sizeof f);
    h5rd__limits_default(&f.limits);
    f.alloc.malloc_fn = b_malloc;
    f.alloc.realloc_fn = b_realloc;
    f.alloc.free_fn = b_free;
    uint32_t vals[5] = {0, 3, (uint32_t)es, BLOCK, 2};
    struct h5rd__filter flt = {H5RD_FILTER_BITSHUFFLE, 0, (char *)"bitshuffle", 5, vals};
    best = 1e30;
    for (int r = 0; r < reps; r++) {
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        size_t got = 0;
        memset(out, 0, nbytes);
        double t0 = now_s();
        h5rd_err e = h5rd__filter_bitshuffle_decode(&f, &flt, NULL, comp, pos, out, nbytes, &got,
                                                    &ec);
        double t = now_s() - t0;
        if (e != H5RD_OK || got != nbytes || memcmp(out, orig, nbytes) != 0) {
            fprintf(stderr, "MISMATCH: bitshuffle+LZ4 decode, element size %zu (%s)\n", es,
                    ec.what);
            return 1;
        }
        best = t < best ? t : best;
    }
    printf("uint%-2zu bitshuffle+LZ4 all : %7.3f GB/s  (compression ratio %.2f)\n", es * 8,
           (double)nbytes / best / 1e9, (double)nbytes / (double)pos);
    free(comp);
    free(orig);
    free(shuf);
    free(out);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : (size_t)4150 * 4371 / 4;
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    if (reps < 1) {
        reps = 1;
    }
    int rc = 0;
    rc |= bench(2, n, reps);
    rc |= bench(4, n, reps);
    rc |= bench(1, n, reps);
    rc |= bench(8, n / 2, reps);
    return rc;
}
