/*
 * msg_attr.c - Spec v3.0 IV.A.2.m "The Attribute Message" (versions 1-3) and IV.A.2.u "The
 * Attribute Info Message".
 *
 * Attribute message: version 1 = version, reserved, name size, datatype size, dataspace size
 * (2 bytes each), then name, datatype and dataspace each padded to a multiple of 8, then the
 * data. Version 2 replaces the reserved byte by flags (bit 0 datatype shared, bit 1 dataspace
 * shared) and drops the padding; version 3 adds the name's character set after the sizes. The
 * name size includes the NUL terminator. Shared datatypes/dataspaces hold a shared message
 * encoding, resolved through h5rd__shared_resolve. The data is (number of elements) x (type
 * size) bytes.
 *
 * Invariants: each part is decoded from a sub-cursor of exactly its declared size; the data
 * size is overflow-checked and checked against the bytes present before allocation; outputs
 * are written only on success and partial allocations are freed.
 */
#include "dtype/dtype.h"
#include "object/msg.h"

#include <string.h>

#define ATTR_FLAG_TYPE_SHARED 0x01u
#define ATTR_FLAG_SPACE_SHARED 0x02u

void h5rd__attr_free(const struct h5rd_file *f, struct h5rd__attr *a)
{
    if (a == NULL) {
        return;
    }
    h5rd__free(f, a->name);
    if (a->type != NULL) {
        h5rd__dtype_free(f, a->type);
    }
    h5rd__free(f, a->data);
    a->name = NULL;
    a->type = NULL;
    a->data = NULL;
}

static uint64_t pad8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* A cursor over the real bytes of a possibly shared part: 'part' itself, or the resolved body
 * held in 'view' (which the caller releases). */
static h5rd_err part_cursor(const struct h5rd_file *f, struct h5rd_cur *part, bool shared,
                            uint16_t type, struct h5rd_view *view, struct h5rd_cur *out)
{
    if (!shared) {
        *out = *part;
        return H5RD_OK;
    }
    H5RD_TRY(h5rd__shared_resolve(f, type, part->p, part->len, part->addr, view, part->ec));
    *out = h5rd__cur_make(view->p, view->nbytes, view->addr, part->so, part->sl, part->ec);
    return H5RD_OK;
}

h5rd_err h5rd__msg_attr_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__attr *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    struct h5rd__attr a;
    memset(&a, 0, sizeof(a));
    a.corder = -1;
    H5RD_TRY(h5rd__cur_need(c, 8));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c); /* version 1: reserved */
    uint16_t name_size = h5rd__cur_u16(c);
    uint16_t type_size = h5rd__cur_u16(c);
    uint16_t space_size = h5rd__cur_u16(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version < 1 || version > 3) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "attribute: unknown version");
    }
    if (version == 1) {
        flags = 0;
    } else if ((flags & ~(ATTR_FLAG_TYPE_SHARED | ATTR_FLAG_SPACE_SHARED)) != 0) {
        return H5RD_CORRUPT(c->ec, at, "attribute: unknown flags");
    }
    if (version == 3) {
        a.cset = h5rd__cur_u8(c);
        H5RD_TRY(h5rd__cur_finish(c));
        if (a.cset > 1) {
            return H5RD_CORRUPT(c->ec, at, "attribute: unknown character set");
        }
    }
    if (name_size == 0) {
        return H5RD_CORRUPT(c->ec, at, "attribute: empty name");
    }
    if (name_size > f->limits.max_name_nbytes) {
        return H5RD_FAIL(c->ec, H5RD_E_LIMIT, at, "attribute: name longer than the limit");
    }
    uint64_t name_field = version == 1 ? pad8(name_size) : name_size;
    uint64_t type_field = version == 1 ? pad8(type_size) : type_size;
    uint64_t space_field = version == 1 ? pad8(space_size) : space_size;

    struct h5rd_cur name_c, type_c, space_c;
    H5RD_TRY(h5rd__cur_sub(c, name_field, &name_c));
    H5RD_TRY(h5rd__cur_sub(c, type_field, &type_c));
    H5RD_TRY(h5rd__cur_sub(c, space_field, &space_c));
    /* The declared sizes, without version 1 padding. */
    name_c.len = name_size;
    type_c.len = type_size;
    space_c.len = space_size;

    /* Name: up to its first NUL within the declared size. */
    const uint8_t *name = h5rd__cur_bytes(&name_c, name_size);
    H5RD_TRY(h5rd__cur_finish(&name_c));
    const uint8_t *nul = memchr(name, 0, name_size);
    size_t name_len = nul != NULL ? (size_t)(nul - name) : name_size;

    h5rd_err e = H5RD_OK;
    struct h5rd_view tview = {0}, sview = {0};
    struct h5rd_cur tc, sc;
    a.name = h5rd__strndup(f, (const char *)name, name_len, c->ec);
    if (a.name == NULL) {
        e = c->ec->code;
        goto out;
    }
    a.name_nbytes = name_len;

    e = part_cursor(f, &type_c, (flags & ATTR_FLAG_TYPE_SHARED) != 0, H5RD__MSG_DATATYPE, &tview,
                    &tc);
    if (e == H5RD_OK) {
        e = h5rd__dtype_decode(f, &tc, &a.type, c->ec);
    }
    h5rd__io_release(f, &tview);
    if (e != H5RD_OK) {
        goto out;
    }
    e = part_cursor(f, &space_c, (flags & ATTR_FLAG_SPACE_SHARED) != 0, H5RD__MSG_DATASPACE,
                    &sview, &sc);
    if (e == H5RD_OK) {
        e = h5rd__msg_dataspace_decode(f, &sc, &a.space);
    }
    h5rd__io_release(f, &sview);
    if (e != H5RD_OK) {
        goto out;
    }

    uint64_t nelem = 0;
    if (a.space.kind == H5RD_SPACE_SCALAR) {
        nelem = 1;
    } else if (a.space.kind == H5RD_SPACE_SIMPLE &&
               !h5rd__prod_u64(a.space.dims, a.space.rank, &nelem)) {
        e = H5RD_CORRUPT(c->ec, at, "attribute: number of elements overflows");
        goto out;
    }
    if (!h5rd__mul_u64(nelem, a.type->info.size, &a.data_nbytes)) {
        e = H5RD_CORRUPT(c->ec, at, "attribute: data size overflows");
        goto out;
    }
    if (a.data_nbytes > 0) {
        const uint8_t *data = h5rd__cur_bytes(c, a.data_nbytes);
        e = h5rd__cur_finish(c);
        if (e != H5RD_OK) {
            goto out;
        }
        a.data = h5rd__malloc(f, a.data_nbytes, c->ec);
        if (a.data == NULL) {
            e = c->ec->code;
            goto out;
        }
        memcpy(a.data, data, (size_t)a.data_nbytes);
    }
    *out = a;
    return H5RD_OK;
out:
    h5rd__attr_free(f, &a);
    return e;
}

h5rd_err h5rd__msg_ainfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__ainfo *out)
{
    (void)f;
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t flags = h5rd__cur_u8(c);
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "attribute info: unknown version");
    }
    if ((flags & ~0x03u) != 0) {
        return H5RD_CORRUPT(c->ec, at, "attribute info: unknown flags");
    }
    struct h5rd__ainfo ai;
    ai.track_corder = (flags & 0x01u) != 0;
    ai.index_corder = (flags & 0x02u) != 0;
    ai.max_corder = ai.track_corder ? (int64_t)h5rd__cur_u16(c) : -1;
    ai.fheap_addr = h5rd__cur_offset(c);
    ai.name_bt2_addr = h5rd__cur_offset(c);
    ai.corder_bt2_addr = ai.index_corder ? h5rd__cur_offset(c) : H5RD_ADDR_UNDEF;
    H5RD_TRY(h5rd__cur_finish(c));
    *out = ai;
    return H5RD_OK;
}
