#include "builder.h"

#include "core/checksum.h"

#include <stdlib.h>
#include <string.h>

void bld_init(struct bld *b)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
}

void bld_free(struct bld *b)
{
    free(b->p);
    bld_init(b);
}

static void reserve(struct bld *b, size_t more)
{
    if (b->n + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + more) {
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) {
        abort();
    }
    b->p = p;
    b->cap = cap;
}

void bld_uvar(struct bld *b, uint64_t v, unsigned width)
{
    reserve(b, width);
    for (unsigned i = 0; i < width; i++) {
        b->p[b->n++] = (uint8_t)(i < 8 ? v >> (8 * i) : 0);
    }
}

void bld_u8(struct bld *b, uint64_t v) { bld_uvar(b, v, 1); }
void bld_u16(struct bld *b, uint64_t v) { bld_uvar(b, v, 2); }
void bld_u32(struct bld *b, uint64_t v) { bld_uvar(b, v, 4); }
void bld_u64(struct bld *b, uint64_t v) { bld_uvar(b, v, 8); }

void bld_bytes(struct bld *b, const void *p, size_t n)
{
    reserve(b, n);
    if (n) {
        memcpy(b->p + b->n, p, n);
    }
    b->n += n;
}

void bld_str(struct bld *b, const char *s) { bld_bytes(b, s, strlen(s)); }

void bld_zeros(struct bld *b, size_t n)
{
    reserve(b, n);
    memset(b->p + b->n, 0, n);
    b->n += n;
}

void bld_pad_to(struct bld *b, size_t n)
{
    if (b->n < n) {
        bld_zeros(b, n - b->n);
    }
}

void bld_patch(struct bld *b, size_t at, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width && at + i < b->n; i++) {
        b->p[at + i] = (uint8_t)(v >> (8 * i));
    }
}

void bld_lookup3(struct bld *b, size_t from)
{
    uint32_t c = h5rd__lookup3(b->p + from, b->n - from, 0);
    bld_u32(b, c);
}

void bld_superblock_v2(struct bld *b, uint64_t root_addr, uint64_t eof_addr)
{
    size_t start = b->n;
    bld_bytes(b, "\x89HDF\r\n\x1a\n", 8);
    bld_u8(b, 2);            /* version */
    bld_u8(b, 8);            /* size of offsets */
    bld_u8(b, 8);            /* size of lengths */
    bld_u8(b, 0);            /* file consistency flags */
    bld_u64(b, 0);           /* base address */
    bld_u64(b, UINT64_MAX);  /* superblock extension address */
    bld_u64(b, eof_addr);
    bld_u64(b, root_addr);
    bld_lookup3(b, start);
}
