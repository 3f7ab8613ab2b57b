/*
 * api_vlen.c - variable-length data (global heap) and references.
 *
 * Stored forms (Spec v3.0 IV.A.2.d, "Variable-length" and "Reference" classes):
 *   vlen element:        sequence length (4) | global heap collection address | object index (4)
 *   object reference:    object header address (size of offsets)
 *   region reference:    global heap collection address | object index (4); the heap object
 *                        starts with the dataset's object header address.
 *   revised reference (HDF5 1.12+ H5R_ref_t, datatype version 4): see decode_revised.
 *
 * A reference names an address; its path is found as libhdf5's H5Iget_name does for a
 * dereferenced object (the file's address -> path map, src/file/pathmap.c).
 */
#include "api/api.h"
#include "heap/heap.h"
#include "io/source.h"

#include <stdlib.h>
#include <string.h>

static uint64_t load_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static uint64_t undef_for(unsigned n)
{
    return n >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * n)) - 1);
}

h5rd_err h5rd_vlen_read(const h5rd_file *f, const h5rd_type *t, const void *elem, void *buf,
                        size_t buf_nbytes, uint64_t *count_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (f == NULL || t == NULL || elem == NULL || count_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "vlen: NULL argument");
    }
    if (t->info.cls != H5RD_CLASS_VLEN || t->base == NULL) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "vlen: type is not variable-length");
    }
    const uint8_t *p = elem;
    unsigned so = f->sb.size_of_offsets;
    /* The element is a length, a global heap collection address and an object index. The
     * caller's element holds the type's size; a hostile type can be smaller than that
     * (libhdf5 ignores the stored size of a vlen type on disk; docs/format-notes.md). */
    if (t->info.size < 8 + (uint64_t)so) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "vlen: datatype smaller than a global heap reference");
    }
    uint64_t count = load_le(p, 4);
    uint64_t coll = load_le(p + 4, so);
    uint32_t index = (uint32_t)load_le(p + 4 + so, 4);
    uint64_t base_size = t->base->info.size;
    uint64_t nbytes;
    if (!h5rd__mul_u64(count, base_size, &nbytes)) {
        return H5RD_CORRUPT(ec, coll, "vlen: element length overflows");
    }
    if (count == 0 || coll == 0 || coll == undef_for(so)) {
        /* An empty sequence or a null string. */
        *count_ret = 0;
        return H5RD_OK;
    }
    if (buf == NULL) {
        *count_ret = count;
        return H5RD_OK;
    }
    if (buf_nbytes < nbytes) {
        return H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "vlen: buffer too small");
    }
    struct h5rd_view v;
    H5RD_TRY(h5rd__gheap_get(f, coll, index, &v, ec));
    if (v.nbytes < nbytes) {
        h5rd__io_release(f, &v);
        return H5RD_CORRUPT(ec, coll, "vlen: global heap object shorter than the sequence");
    }
    if (nbytes > 0) {
        memcpy(buf, v.p, (size_t)nbytes);
    }
    h5rd__io_release(f, &v);
    if (!t->info.vlen_is_string) {
        h5rd__dtype_to_native(t->base, buf, count);
    }
    *count_ret = count;
    return H5RD_OK;
}

/* ---- references -------------------------------------------------------------------------- */

/* libhdf5's H5R_type_t values as the revised encoding stores them in an element's first byte. */
enum { RT_BADTYPE = 0, RT_OBJECT2 = 2, RT_REGION2 = 3, RT_ATTR = 4 };
/* Flag bit of the revised encoding (H5R_IS_EXTERNAL): the object lives in another file, whose
 * name follows the token in the heap object. */
#define RF_EXTERNAL 0x1u

/* One stored reference, decoded: what it points to, and for an attribute reference where its
 * name is (in 'held', a global heap object the caller releases). */
struct ref_dec {
    uint32_t kind;          /* H5RD_REF_OBJECT / REGION / ATTR */
    uint64_t addr;          /* object header address */
    const uint8_t *name;    /* attribute name (not NUL-terminated), name_len bytes */
    size_t name_len;
    struct h5rd_view held;
    bool holding;
};

static bool revised(const h5rd_type *t)
{
    return (t->class_bits & 0xf) >= 2;
}

/* The object header address a token of 'n' bytes names: the native connector's token is the
 * address in the file's size of offsets, little-endian, zero-padded (H5VL_native_addr_to_token). */
static h5rd_err token_addr(const uint8_t *p, unsigned n, uint64_t *addr_ret, struct h5rd_error *ec)
{
    if (n == 0 || n > 16) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: invalid object token size");
    }
    for (unsigned i = 8; i < n; i++) {
        if (p[i] != 0) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: object token beyond 64-bit addresses");
        }
    }
    *addr_ret = load_le(p, n < 8 ? n : 8);
    return H5RD_OK;
}

/* The revised encoding (HDF5 1.12+, H5T__ref_disk_* and H5R__encode in libhdf5): an element
 * of the type's size starts with the reference type and flags bytes. An object reference to
 * the same file is stored inline: token size (1) | token. Every other one stores the rest of
 * its encoding in a global heap object: blob size (4) | heap collection address | object
 * index (4); the heap object holds token size (1) | token | [file name: length (2) | bytes,
 * when external] | region: selection size (4), rank (4), serialized selection | attribute:
 * name length (2) | name. A type byte of 0 is a null reference (libhdf5's isnull then asks
 * whether the heap ID is nil). */
static h5rd_err decode_revised(const struct h5rd_file *f, const h5rd_type *t, const uint8_t *p,
                               struct ref_dec *r, struct h5rd_error *ec)
{
    unsigned so = f->sb.size_of_offsets;
    uint64_t size = t->info.size;
    if (size < 2) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: datatype smaller than its reference");
    }
    unsigned rt = p[0], flags = p[1];
    if (rt == RT_BADTYPE) {
        if (size >= 6 + (uint64_t)so) {
            uint64_t coll = load_le(p + 6, so);
            if (coll != 0 && coll != undef_for(so)) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: untyped reference with a heap object");
            }
        }
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "reference: null reference");
    }
    if (rt != RT_OBJECT2 && rt != RT_REGION2 && rt != RT_ATTR) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: invalid reference type");
    }
    r->kind = rt == RT_OBJECT2 ? H5RD_REF_OBJECT : rt == RT_REGION2 ? H5RD_REF_REGION : H5RD_REF_ATTR;
    if (flags & RF_EXTERNAL) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                         "reference: reference to an object in another file");
    }
    if (rt == RT_OBJECT2) {
        if (size < 3 || 3 + (uint64_t)p[2] > size) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: datatype smaller than its reference");
        }
        return token_addr(p + 3, p[2], &r->addr, ec);
    }
    if (size < 10 + (uint64_t)so) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: datatype smaller than its reference");
    }
    uint64_t blob = load_le(p + 2, 4);
    uint64_t coll = load_le(p + 6, so);
    uint32_t index = (uint32_t)load_le(p + 6 + so, 4);
    if (coll == 0 || coll == undef_for(so)) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "reference: null reference");
    }
    H5RD_TRY(h5rd__gheap_get(f, coll, index, &r->held, ec));
    r->holding = true;
    const uint8_t *q = r->held.p;
    /* The blob size stored beside the heap ID bounds what is read (H5T__ref_disk_getsize). */
    uint64_t n = r->held.nbytes < blob ? r->held.nbytes : blob;
    if (n < 1 || 1 + (uint64_t)q[0] > n) {
        return H5RD_CORRUPT(ec, coll, "reference: heap object shorter than its token");
    }
    H5RD_TRY(token_addr(q + 1, q[0], &r->addr, ec));
    uint64_t at = 1 + (uint64_t)q[0];
    if (rt == RT_REGION2) {
        /* The selection is not decoded (as for region references of the old encoding); its
         * stated size must fit the heap object. */
        if (n - at < 8 || load_le(q + at, 4) > n - at - 8) {
            return H5RD_CORRUPT(ec, coll, "reference: heap object shorter than its selection");
        }
        return H5RD_OK;
    }
    if (n - at < 2) {
        return H5RD_CORRUPT(ec, coll, "reference: heap object shorter than its attribute name");
    }
    uint64_t len = load_le(q + at, 2);
    if (len > n - at - 2) {
        return H5RD_CORRUPT(ec, coll, "reference: heap object shorter than its attribute name");
    }
    r->name = q + at + 2;
    r->name_len = (size_t)len;
    return H5RD_OK;
}

static void ref_release(const struct h5rd_file *f, struct ref_dec *r)
{
    if (r->holding) {
        h5rd__io_release(f, &r->held);
        r->holding = false;
    }
}

static h5rd_err ref_decode(const struct h5rd_file *f, const h5rd_type *t, const void *elem,
                           struct ref_dec *r, struct h5rd_error *ec)
{
    memset(r, 0, sizeof *r);
    if (t->info.cls != H5RD_CLASS_REFERENCE) {
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "reference: type is not a reference");
    }
    if (revised(t)) {
        h5rd_err e = decode_revised(f, t, elem, r, ec);
        if (e == H5RD_OK && (r->addr == 0 || r->addr == undef_for(f->sb.size_of_offsets))) {
            e = H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "reference: null reference");
        }
        if (e != H5RD_OK) {
            ref_release(f, r);
        }
        return e;
    }
    unsigned so = f->sb.size_of_offsets;
    const uint8_t *p = elem;
    /* An object reference is an address; a region reference a heap collection address and
     * an object index. A hostile type can be smaller than what it must hold. */
    if (t->info.size < (uint64_t)so + (t->info.ref_kind == 1 ? 4 : 0)) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "reference: datatype smaller than its reference");
    }
    if (t->info.ref_kind == 0) {
        r->kind = H5RD_REF_OBJECT;
        r->addr = load_le(p, so);
    } else if (t->info.ref_kind == 1) {
        r->kind = H5RD_REF_REGION;
        uint64_t coll = load_le(p, so);
        uint32_t index = (uint32_t)load_le(p + so, 4);
        if (coll == 0 || coll == undef_for(so)) {
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "reference: null region reference");
        }
        struct h5rd_view v;
        H5RD_TRY(h5rd__gheap_get(f, coll, index, &v, ec));
        if (v.nbytes < so) {
            h5rd__io_release(f, &v);
            return H5RD_CORRUPT(ec, coll, "reference: region reference heap object too short");
        }
        r->addr = load_le(v.p, so);
        h5rd__io_release(f, &v);
    } else {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, "reference: unsupported reference kind");
    }
    if (r->addr == 0 || r->addr == undef_for(so)) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "reference: null reference");
    }
    return H5RD_OK;
}

/* Copies 'n' bytes of 's' into the caller's buffer with the usual contract (*len_ret always;
 * a NUL-terminated prefix and BUFSIZE when the buffer is too small). */
static h5rd_err put_str(const char *s, size_t n, char *buf, size_t buf_nbytes, size_t *len_ret,
                        const char *what, struct h5rd_error *ec)
{
    *len_ret = n;
    if (buf == NULL || buf_nbytes == 0) {
        return buf == NULL && buf_nbytes == 0 ? H5RD_OK
                                              : H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, what);
    }
    if (n + 1 > buf_nbytes) {
        memcpy(buf, s, buf_nbytes - 1);
        buf[buf_nbytes - 1] = '\0';
        return H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, what);
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return H5RD_OK;
}

h5rd_err h5rd_ref_get_path(h5rd_file *f, const h5rd_type *t, const void *elem, char *buf,
                           size_t buf_nbytes, size_t *len_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (f == NULL || t == NULL || elem == NULL || len_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "reference: NULL argument");
    }
    struct ref_dec r;
    H5RD_TRY(ref_decode(f, t, elem, &r, ec));
    ref_release(f, &r);
    const char *hit = h5rd__file_addr_path(f, r.addr, ec);
    if (hit == NULL) {
        if (ec->code != H5RD_OK) {
            return ec->code;
        }
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, r.addr, "reference: no path reaches the referenced object");
    }
    return put_str(hit, strlen(hit), buf, buf_nbytes, len_ret,
                   "reference: buffer too small", ec);
}

h5rd_err h5rd_ref_get_kind(const h5rd_file *f, const h5rd_type *t, const void *elem,
                           uint32_t *kind_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (f == NULL || t == NULL || elem == NULL || kind_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "reference: NULL argument");
    }
    struct ref_dec r;
    H5RD_TRY(ref_decode(f, t, elem, &r, ec));
    ref_release(f, &r);
    *kind_ret = r.kind;
    return H5RD_OK;
}

h5rd_err h5rd_ref_get_attr_name(const h5rd_file *f, const h5rd_type *t, const void *elem,
                                char *buf, size_t buf_nbytes, size_t *len_ret,
                                struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (f == NULL || t == NULL || elem == NULL || len_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "reference: NULL argument");
    }
    struct ref_dec r;
    H5RD_TRY(ref_decode(f, t, elem, &r, ec));
    if (r.kind != H5RD_REF_ATTR) {
        ref_release(f, &r);
        return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "reference: not an attribute reference");
    }
    h5rd_err e = put_str((const char *)r.name, r.name_len, buf, buf_nbytes, len_ret,
                         "reference: buffer too small", ec);
    ref_release(f, &r);
    return e;
}
