/*
 * msg_pline.c - Spec v3.0 IV.A.2.k "The Data Storage - Filter Pipeline Message", versions 1
 * and 2.
 *
 * Version 1: version, filter count, 6 reserved bytes; per filter: id, name length, flags,
 * client data count (2 bytes each), the name (NUL-terminated, padded to a multiple of 8; the
 * length includes the padding), the client data (32-bit values) and 4 padding bytes when the
 * count is odd. Version 2: version, count; per filter: id, name length only when id >= 256,
 * flags, client data count, the name (only when id >= 256), the client data; no padding.
 *
 * Invariants: at most 32 filters (libhdf5's H5Z_MAX_NFILTERS); client data counts are checked
 * against the bytes present before allocation; outputs on success only.
 */
#include "object/msg.h"

#include <string.h>

#define PLINE_MAX_FILTERS 32
#define FILTER_RESERVED_MAX 256 /* ids below this have no stored name in version 2 */

void h5rd__pline_free(const struct h5rd_file *f, struct h5rd__pline *p)
{
    if (p == NULL) {
        return;
    }
    if (p->owned) {
        h5rd__free(f, p->v); /* the filters' values and names live in the same block */
    }
    p->v = NULL;
    p->owned = false;
    p->n = 0;
}

/* Decodes one filter description into flt, its client values and NUL-terminated name taken
 * from the block's free space at *space (at most *space_left bytes, which bound what the
 * message holds). */
static h5rd_err decode_filter(struct h5rd_cur *c, uint8_t version, struct h5rd__filter *flt,
                              uint8_t **space, size_t *space_left)
{
    uint64_t at = h5rd__cur_addr_here(c);
    flt->id = h5rd__cur_u16(c);
    uint16_t name_len = 0;
    if (version == 1 || flt->id >= FILTER_RESERVED_MAX) {
        name_len = h5rd__cur_u16(c);
    }
    flt->flags = h5rd__cur_u16(c);
    uint16_t n_values = h5rd__cur_u16(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version == 1 && name_len % 8 != 0) {
        return H5RD_CORRUPT(c->ec, at, "filter pipeline: name length not a multiple of 8");
    }
    const uint8_t *name = h5rd__cur_bytes(c, name_len);
    H5RD_TRY(h5rd__cur_finish(c));
    /* The stored name ends at its first NUL (or the field end). */
    const uint8_t *nul = name_len > 0 ? memchr(name, 0, name_len) : NULL;
    size_t len = nul != NULL ? (size_t)(nul - name) : name_len;
    H5RD_TRY(h5rd__cur_need(c, (uint64_t)n_values * 4));
    /* Values (4-aligned: the block and each filter's share start so), then the name. The
     * share fits: the stored values and name take at least as many message bytes, and the
     * block has 4 more per filter for the NUL and alignment. */
    size_t share = ((size_t)n_values * sizeof(uint32_t) + len + 1 + 3) & ~(size_t)3;
    if (share > *space_left) {
        return H5RD_CORRUPT(c->ec, at, "filter pipeline: filter larger than the message");
    }
    flt->values = (uint32_t *)(void *)*space;
    flt->name = (char *)*space + (size_t)n_values * sizeof(uint32_t);
    *space += share;
    *space_left -= share;
    if (len > 0) {
        memcpy(flt->name, name, len);
    }
    flt->name[len] = '\0';
    for (uint32_t i = 0; i < n_values; i++) {
        flt->values[i] = h5rd__cur_u32(c);
    }
    flt->n_values = n_values;
    if (version == 1 && n_values % 2 != 0) {
        H5RD_TRY(h5rd__cur_skip(c, 4));
    }
    return h5rd__cur_finish(c);
}

h5rd_err h5rd__msg_pline_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__pline *out)
{
    return h5rd__msg_pline_decode_in(f, c, NULL, 0, out);
}

h5rd_err h5rd__msg_pline_decode_in(const struct h5rd_file *f, struct h5rd_cur *c, void *store,
                                   size_t store_nbytes, struct h5rd__pline *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t n = h5rd__cur_u8(c);
    if (version != 1 && version != 2) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "filter pipeline: unknown version");
    }
    if (n > PLINE_MAX_FILTERS) {
        return H5RD_CORRUPT(c->ec, at, "filter pipeline: too many filters");
    }
    if (version == 1) {
        H5RD_TRY(h5rd__cur_skip(c, 6));
    }
    struct h5rd__pline p = {0, NULL, false};
    if (n == 0) {
        *out = p;
        return H5RD_OK;
    }
    /* One block for the whole pipeline (every dataset of a W5 listing has one, issue 13): the
     * filter array, then each filter's values and name. Their bytes come from the rest of the
     * message, so the rest's size (plus 4 a filter for NULs and alignment) bounds them. */
    size_t rest = h5rd__cur_left(c);
    size_t array_nbytes = (size_t)n * sizeof(*p.v); /* a multiple of 8: values stay aligned */
    uint64_t block_nbytes = (uint64_t)array_nbytes + rest + 4u * n;
    if (store != NULL && block_nbytes <= store_nbytes) {
        p.v = store; /* every byte used below is written first: no zeroing needed */
    } else {
        p.v = h5rd__calloc(f, 1, block_nbytes, c->ec);
        if (p.v == NULL) {
            return c->ec->code;
        }
        p.owned = true;
    }
    uint8_t *space = (uint8_t *)p.v + array_nbytes;
    size_t space_left = rest + 4u * (size_t)n;
    for (uint32_t i = 0; i < n; i++) {
        h5rd_err e = decode_filter(c, version, &p.v[i], &space, &space_left);
        if (e != H5RD_OK) {
            h5rd__pline_free(f, &p);
            return e;
        }
    }
    p.n = n;
    *out = p;
    return H5RD_OK;
}
