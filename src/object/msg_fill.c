/*
 * msg_fill.c - Spec v3.0 IV.A.2.e "The Fill Value (Old) Message" and IV.A.2.f "The Fill Value
 * Message" (versions 1, 2 and 3).
 *
 * Semantics follow libhdf5 (H5Ofill.c), which differs from a literal reading of the spec:
 *  - old message: a size of 0 means "no fill value" (undefined); otherwise the value is defined.
 *  - versions 1 and 2: the size and value are present only when the "defined" byte is non-zero
 *    (libhdf5 decodes both versions the same way); a size <= 0 means "defined, default zero".
 *  - version 3 flags: bits 0-1 allocation time, 2-3 fill time, bit 4 "undefined", bit 5 "value
 *    stored"; neither 4 nor 5 means "defined as the default" (zero bytes). Bits 6-7 must be 0.
 *
 * Invariants: the stored value is copied (owned); its size is checked against the bytes present
 * before allocation; outputs are written only on success.
 */
#include "object/msg.h"

#include <string.h>

#define FILL_V3_UNDEFINED 0x10u
#define FILL_V3_HAVE_VALUE 0x20u
#define FILL_V3_ALL 0x3Fu

void h5rd__fill_free(const struct h5rd_file *f, struct h5rd__fill *fill)
{
    if (fill == NULL) {
        return;
    }
    h5rd__free(f, fill->value);
    fill->value = NULL;
    fill->nbytes = 0;
}

static h5rd_err take_value(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t n,
                           struct h5rd__fill *fl)
{
    const uint8_t *p = h5rd__cur_bytes(c, n);
    H5RD_TRY(h5rd__cur_finish(c));
    fl->value = h5rd__malloc(f, n, c->ec);
    if (fl->value == NULL) {
        return c->ec->code;
    }
    memcpy(fl->value, p, (size_t)n);
    fl->nbytes = n;
    return H5RD_OK;
}

h5rd_err h5rd__msg_fill_decode(const struct h5rd_file *f, struct h5rd_cur *c, bool is_old,
                               struct h5rd__fill *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    struct h5rd__fill fl;
    memset(&fl, 0, sizeof(fl));
    if (is_old) {
        /* libhdf5 gives old messages allocation time "late" and fill time "if set". */
        fl.version = 0;
        fl.alloc_time = 2;
        fl.fill_time = 2;
        uint32_t n = h5rd__cur_u32(c);
        H5RD_TRY(h5rd__cur_finish(c));
        if (n > 0) {
            H5RD_TRY(take_value(f, c, n, &fl));
            fl.is_defined = true;
        }
        *out = fl;
        return H5RD_OK;
    }
    uint8_t version = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    fl.version = version;
    if (version == 1 || version == 2) {
        H5RD_TRY(h5rd__cur_need(c, 3));
        fl.alloc_time = h5rd__cur_u8(c);
        fl.fill_time = h5rd__cur_u8(c);
        uint8_t defined = h5rd__cur_u8(c);
        if (defined != 0) {
            fl.is_defined = true;
            /* A signed 32-bit size in libhdf5: zero or negative stores no value. */
            uint32_t n = h5rd__cur_u32(c);
            H5RD_TRY(h5rd__cur_finish(c));
            if (n > 0 && n <= INT32_MAX) {
                H5RD_TRY(take_value(f, c, n, &fl));
            }
        }
        H5RD_TRY(h5rd__cur_finish(c));  /* before any value was taken when it fails */
    } else if (version == 3) {
        uint8_t flags = h5rd__cur_u8(c);
        H5RD_TRY(h5rd__cur_finish(c));
        if ((flags & ~FILL_V3_ALL) != 0) {
            return H5RD_CORRUPT(c->ec, at, "fill value: unknown flags");
        }
        fl.alloc_time = flags & 0x03u;
        fl.fill_time = (flags >> 2) & 0x03u;
        if ((flags & FILL_V3_UNDEFINED) != 0) {
            if ((flags & FILL_V3_HAVE_VALUE) != 0) {
                return H5RD_CORRUPT(c->ec, at, "fill value: both 'undefined' and 'value stored'");
            }
            fl.is_defined = false;
        } else if ((flags & FILL_V3_HAVE_VALUE) != 0) {
            fl.is_defined = true;
            uint32_t n = h5rd__cur_u32(c);
            H5RD_TRY(h5rd__cur_finish(c));
            if (n > 0) {
                H5RD_TRY(take_value(f, c, n, &fl));
            }
        } else {
            fl.is_defined = true;
        }
    } else {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "fill value: unknown version");
    }
    *out = fl;
    return H5RD_OK;
}
