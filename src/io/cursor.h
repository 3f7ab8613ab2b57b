/*
 * cursor.h - the bounds-checked reader: the only code that dereferences file
 * bytes. Every structure is parsed from a cursor over exactly its bytes
 * (a sub-cursor for each sized part: a header message, a B-tree node, a heap
 * block), so one structure can never read into the next.
 *
 * Invariant: pos <= len. Getters never read out of bounds: a getter past the
 * end sets the sticky error (TRUNCATED) and returns 0. Call h5rd__cur_need()
 * before a fixed-size group of reads, and never use a just-read value as an
 * allocation size, loop bound or address before checking it.
 */
#ifndef H5RD_IO_CURSOR_H
#define H5RD_IO_CURSOR_H

#include "internal.h"

#include <string.h>

struct h5rd_cur {
    const uint8_t *p;        /* first byte of the window */
    size_t len;              /* window length */
    size_t pos;              /* read index, <= len */
    uint64_t addr;           /* relative file address of p[0] (H5RD_ADDR_UNDEF if not in the file) */
    uint8_t so;              /* size of offsets */
    uint8_t sl;              /* size of lengths */
    h5rd_err err;            /* sticky: first failure */
    struct h5rd_error *ec;
};

static inline struct h5rd_cur h5rd__cur_make(const uint8_t *p, size_t len, uint64_t addr,
                                             uint8_t so, uint8_t sl, struct h5rd_error *ec)
{
    struct h5rd_cur c = {p, len, 0, addr, so, sl, H5RD_OK, ec};
    return c;
}

/* Relative file address of the current position (for error reports). */
static inline uint64_t h5rd__cur_addr_here(const struct h5rd_cur *c)
{
    return c->addr == H5RD_ADDR_UNDEF ? H5RD_ADDR_UNDEF : c->addr + c->pos;
}

static inline size_t h5rd__cur_left(const struct h5rd_cur *c)
{
    return c->len - c->pos;
}

static inline h5rd_err h5rd__cur_need(struct h5rd_cur *c, uint64_t n)
{
    if (c->err != H5RD_OK) {
        return c->err;
    }
    if (n > (uint64_t)(c->len - c->pos)) {
        c->err = H5RD_FAIL(c->ec, H5RD_E_TRUNCATED, h5rd__cur_addr_here(c),
                           "structure runs past the end of its block");
        return c->err;
    }
    return H5RD_OK;
}

static inline bool h5rd__cur_take(struct h5rd_cur *c, size_t n)
{
    if (c->err != H5RD_OK || n > c->len - c->pos) {
        if (c->err == H5RD_OK) {
            c->err = H5RD_FAIL(c->ec, H5RD_E_TRUNCATED, h5rd__cur_addr_here(c),
                               "structure runs past the end of its block");
        }
        return false;
    }
    return true;
}

static inline uint8_t h5rd__cur_u8(struct h5rd_cur *c)
{
    if (!h5rd__cur_take(c, 1)) {
        return 0;
    }
    return c->p[c->pos++];
}

/* Little-endian unsigned integer of 'width' bytes (0..8). */
static inline uint64_t h5rd__cur_uvar(struct h5rd_cur *c, unsigned width)
{
    if (width > 8 || !h5rd__cur_take(c, width)) {
        if (width > 8 && c->err == H5RD_OK) {
            c->err = H5RD_FAIL(c->ec, H5RD_E_CORRUPT, h5rd__cur_addr_here(c),
                               "integer field wider than 8 bytes");
        }
        return 0;
    }
    const uint8_t *q = c->p + c->pos;
    c->pos += width;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Widths come from the superblock (sizes of offsets and lengths: 8 in nearly every file),
     * so they are not constants where this is inlined; one load for the common widths
     * instead of a byte loop (the loop was ~5% of a walk's instructions, issue 13). */
    if (width == 8) {
        uint64_t v;
        memcpy(&v, q, 8);
        return v;
    }
    if (width == 4) {
        uint32_t v;
        memcpy(&v, q, 4);
        return v;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        v |= (uint64_t)q[i] << (8 * i);
    }
    return v;
}

static inline uint16_t h5rd__cur_u16(struct h5rd_cur *c) { return (uint16_t)h5rd__cur_uvar(c, 2); }
static inline uint32_t h5rd__cur_u32(struct h5rd_cur *c) { return (uint32_t)h5rd__cur_uvar(c, 4); }
static inline uint64_t h5rd__cur_u64(struct h5rd_cur *c) { return h5rd__cur_uvar(c, 8); }

/* An address of "size of offsets" bytes; all bits set reads as H5RD_ADDR_UNDEF. */
static inline uint64_t h5rd__cur_offset(struct h5rd_cur *c)
{
    unsigned w = c->so;
    uint64_t v = h5rd__cur_uvar(c, w);
    uint64_t all = w >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * w)) - 1);
    return v == all ? H5RD_ADDR_UNDEF : v;
}

/* A length of "size of lengths" bytes. */
static inline uint64_t h5rd__cur_length(struct h5rd_cur *c)
{
    return h5rd__cur_uvar(c, c->sl);
}

/* Pointer to the next n bytes (advancing), or NULL with the sticky error set. */
static inline const uint8_t *h5rd__cur_bytes(struct h5rd_cur *c, uint64_t n)
{
    if (h5rd__cur_need(c, n) != H5RD_OK) {
        return NULL;
    }
    const uint8_t *r = c->p + c->pos;
    c->pos += (size_t)n;
    return r;
}

static inline h5rd_err h5rd__cur_skip(struct h5rd_cur *c, uint64_t n)
{
    H5RD_TRY(h5rd__cur_need(c, n));
    c->pos += (size_t)n;
    return H5RD_OK;
}

/* Moves to absolute window position 'pos' (<= len). */
static inline h5rd_err h5rd__cur_seek(struct h5rd_cur *c, uint64_t pos)
{
    if (c->err != H5RD_OK) {
        return c->err;
    }
    if (pos > c->len) {
        c->err = H5RD_FAIL(c->ec, H5RD_E_TRUNCATED, h5rd__cur_addr_here(c),
                           "structure runs past the end of its block");
        return c->err;
    }
    c->pos = (size_t)pos;
    return H5RD_OK;
}

/* A sub-cursor over the next n bytes (advancing past them). */
static inline h5rd_err h5rd__cur_sub(struct h5rd_cur *c, uint64_t n, struct h5rd_cur *sub)
{
    H5RD_TRY(h5rd__cur_need(c, n));
    *sub = h5rd__cur_make(c->p + c->pos, (size_t)n, h5rd__cur_addr_here(c), c->so, c->sl, c->ec);
    c->pos += (size_t)n;
    return H5RD_OK;
}

/* Checks a 4-byte signature such as "OHDR". */
static inline h5rd_err h5rd__cur_sig(struct h5rd_cur *c, const char sig[4], const char *what)
{
    uint64_t at = h5rd__cur_addr_here(c);
    const uint8_t *b = h5rd__cur_bytes(c, 4);
    if (b == NULL) {
        return c->err;
    }
    if (memcmp(b, sig, 4) != 0) {
        c->err = H5RD_FAIL(c->ec, H5RD_E_CORRUPT, at, what);
        return c->err;
    }
    return H5RD_OK;
}

/* Returns the sticky error (H5RD_OK when every read was in bounds). */
static inline h5rd_err h5rd__cur_finish(const struct h5rd_cur *c)
{
    return c->err;
}

#endif
