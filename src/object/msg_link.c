/*
 * msg_link.c - group-related header messages of Spec v3.0 IV.A.2: Link Info (IV.A.2.c),
 * Link (IV.A.2.g) and Group Info (IV.A.2.j).
 *
 * Link message: version 1, flags (bits 0-1 width of the name length: 1, 2, 4 or 8 bytes; bit 2
 * creation order present; bit 3 link type present; bit 4 character set present), then the
 * optional fields, the name (no terminator), and the link information: hard = address; soft =
 * 2-byte length + path; external and user-defined = 2-byte length + blob. The external blob is a
 * version/flags byte, then the file name and the object path, each NUL-terminated.
 *
 * Invariants: names are bounded by limits.max_name_nbytes and by the bytes present; every
 * string is copied (owned, or the name into the caller's pool) and NUL-terminated; outputs are
 * written only on success.
 */
#include "object/msg.h"

#include <string.h>

#define LINK_FLAG_NAME_WIDTH 0x03u
#define LINK_FLAG_CORDER 0x04u
#define LINK_FLAG_TYPE 0x08u
#define LINK_FLAG_CSET 0x10u
#define LINK_FLAG_ALL 0x1Fu

#define LINK_TYPE_UD_MIN 64

void h5rd__link_free(const struct h5rd_file *f, struct h5rd__link *l)
{
    if (l == NULL) {
        return;
    }
    if (!l->name_pooled) {
        h5rd__free(f, l->name);
    }
    h5rd__free(f, l->soft);
    h5rd__free(f, l->ext_file);
    h5rd__free(f, l->ext_path);
    l->name = NULL;
    l->soft = NULL;
    l->ext_file = NULL;
    l->ext_path = NULL;
}

/* The external link blob: version (high nibble, 0) and flags (low nibble), then two
 * NUL-terminated strings that must both end inside the blob. */
static h5rd_err decode_external(const struct h5rd_file *f, const uint8_t *p, size_t n,
                                uint64_t at, struct h5rd__link *l, struct h5rd_error *ec)
{
    if (n < 1) {
        return H5RD_CORRUPT(ec, at, "link message: empty external link");
    }
    if ((p[0] >> 4) != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "link message: unknown external link version");
    }
    const uint8_t *file = p + 1;
    size_t rest = n - 1;
    const uint8_t *nul = memchr(file, 0, rest);
    if (nul == NULL) {
        return H5RD_CORRUPT(ec, at, "link message: external file name not terminated");
    }
    size_t file_len = (size_t)(nul - file);
    const uint8_t *path = nul + 1;
    rest -= file_len + 1;
    const uint8_t *nul2 = rest > 0 ? memchr(path, 0, rest) : NULL;
    if (nul2 == NULL) {
        return H5RD_CORRUPT(ec, at, "link message: external object path not terminated");
    }
    l->ext_file = h5rd__strndup(f, (const char *)file, file_len, ec);
    if (l->ext_file == NULL) {
        return ec->code;
    }
    l->ext_path = h5rd__strndup(f, (const char *)path, (size_t)(nul2 - path), ec);
    if (l->ext_path == NULL) {
        return ec->code;
    }
    return H5RD_OK;
}

h5rd_err h5rd__msg_link_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                               struct h5rd__strpool *names, struct h5rd__link *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    struct h5rd__link l;
    memset(&l, 0, sizeof(l));
    l.corder = -1;
    h5rd_err e;
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c);
    if (version != 1) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "link message: unknown version");
    }
    if ((flags & ~LINK_FLAG_ALL) != 0) {
        return H5RD_CORRUPT(c->ec, at, "link message: unknown flags");
    }
    uint8_t ltype = 0;
    if ((flags & LINK_FLAG_TYPE) != 0) {
        ltype = h5rd__cur_u8(c);
    }
    if ((flags & LINK_FLAG_CORDER) != 0) {
        l.corder = (int64_t)h5rd__cur_u64(c);
    }
    if ((flags & LINK_FLAG_CSET) != 0) {
        l.cset = h5rd__cur_u8(c);
    }
    uint64_t name_len = h5rd__cur_uvar(c, 1u << (flags & LINK_FLAG_NAME_WIDTH));
    H5RD_TRY(h5rd__cur_finish(c));
    if (l.cset > 1) {
        return H5RD_CORRUPT(c->ec, at, "link message: unknown character set");
    }
    if (name_len == 0) {
        return H5RD_CORRUPT(c->ec, at, "link message: empty name");
    }
    if (name_len > f->limits.max_name_nbytes) {
        return H5RD_FAIL(c->ec, H5RD_E_LIMIT, at, "link message: name longer than the limit");
    }
    const uint8_t *name = h5rd__cur_bytes(c, name_len);
    H5RD_TRY(h5rd__cur_finish(c));

    l.ltype = ltype;
    if (ltype == 0) {
        l.type = H5RD_LINK_HARD;
        l.addr = h5rd__cur_offset(c);
        H5RD_TRY(h5rd__cur_finish(c));
    } else if (ltype == 1 || ltype >= LINK_TYPE_UD_MIN) {
        uint16_t n = h5rd__cur_u16(c);
        const uint8_t *p = h5rd__cur_bytes(c, n);
        H5RD_TRY(h5rd__cur_finish(c));
        l.value_nbytes = n;
        if (ltype == 1) {
            l.type = H5RD_LINK_SOFT;
            l.soft = h5rd__strndup(f, (const char *)p, n, c->ec);
            if (l.soft == NULL) {
                return c->ec->code;
            }
        } else if (ltype == H5RD_LINK_EXTERNAL) {
            l.type = H5RD_LINK_EXTERNAL;
            e = decode_external(f, p, n, at, &l, c->ec);
            if (e != H5RD_OK) {
                h5rd__link_free(f, &l);
                return e;
            }
        } else {
            l.type = H5RD_LINK_USER; /* listed, never followed: the blob is not kept */
        }
    } else {
        return H5RD_CORRUPT(c->ec, at, "link message: unknown link type");
    }
    if (names != NULL) {
        l.name = h5rd__strpool_dup(f, names, (const char *)name, (size_t)name_len, c->ec);
        l.name_pooled = true;
    } else {
        l.name = h5rd__strndup(f, (const char *)name, (size_t)name_len, c->ec);
    }
    if (l.name == NULL) {
        h5rd__link_free(f, &l);
        return c->ec->code;
    }
    l.name_nbytes = (size_t)name_len;
    *out = l;
    return H5RD_OK;
}

h5rd_err h5rd__msg_linfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__linfo *out)
{
    (void)f;
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c);
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "link info: unknown version");
    }
    if ((flags & ~0x03u) != 0) {
        return H5RD_CORRUPT(c->ec, at, "link info: unknown flags");
    }
    struct h5rd__linfo li;
    li.track_corder = (flags & 0x01u) != 0;
    li.index_corder = (flags & 0x02u) != 0;
    li.max_corder = li.track_corder ? (int64_t)h5rd__cur_u64(c) : -1;
    li.fheap_addr = h5rd__cur_offset(c);
    li.name_bt2_addr = h5rd__cur_offset(c);
    li.corder_bt2_addr = li.index_corder ? h5rd__cur_offset(c) : H5RD_ADDR_UNDEF;
    H5RD_TRY(h5rd__cur_finish(c));
    *out = li;
    return H5RD_OK;
}

h5rd_err h5rd__msg_ginfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__ginfo *out)
{
    (void)f;
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c);
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "group info: unknown version");
    }
    if ((flags & ~0x03u) != 0) {
        return H5RD_CORRUPT(c->ec, at, "group info: unknown flags");
    }
    struct h5rd__ginfo g = {0, 0, 0, 0};
    if ((flags & 0x01u) != 0) {
        g.max_compact = h5rd__cur_u16(c);
        g.min_dense = h5rd__cur_u16(c);
    }
    if ((flags & 0x02u) != 0) {
        g.est_num_entries = h5rd__cur_u16(c);
        g.est_name_len = h5rd__cur_u16(c);
    }
    H5RD_TRY(h5rd__cur_finish(c));
    *out = g;
    return H5RD_OK;
}
