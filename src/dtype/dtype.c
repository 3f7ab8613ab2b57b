/*
 * dtype.c - the Datatype message (Spec v3.0 IV.A.2.d "The Datatype Message", versions 1-5)
 * decoded into an immutable type tree, and the byte-order fix-up of element buffers.
 *
 * Layout of every datatype: 4 bytes "class and version" (class in bits 0-3, version in bits
 * 4-7 of the first byte, 24 class bit fields after), 4 bytes size, then class properties.
 * Compound, enum, vlen and array types embed further datatypes: the recursion is bounded by
 * limits.max_dtype_depth, and every member count is checked against the bytes present
 * before anything is allocated for it.
 *
 * Invariants of a decoded type (relied on by h5rd__dtype_to_native and by the readers):
 *  - info.size > 0;
 *  - a compound member lies inside the compound (offset + member size <= size), members do
 *    not overlap and their names are distinct;
 *  - an array's size is exactly the product of its dims times its base size;
 *  - an enum's base has the enum's size; enum_values holds nmembers values in host order;
 *  - integer/bitfield/float bit fields lie inside the element.
 * Checks follow the ones libhdf5 (H5Odtype.c) applies when it decodes the message.
 */
#include "dtype/dtype.h"
#include "dtype/convert.h"

#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER H5RD_ORDER_BE
#else
#define HOST_ORDER H5RD_ORDER_LE
#endif

/* Class values of the datatype message (Spec v3.0 IV.A.2.d, "Class"). */
enum {
    CLS_INTEGER = 0,
    CLS_FLOAT = 1,
    CLS_TIME = 2,
    CLS_STRING = 3,
    CLS_BITFIELD = 4,
    CLS_OPAQUE = 5,
    CLS_COMPOUND = 6,
    CLS_REFERENCE = 7,
    CLS_ENUM = 8,
    CLS_VLEN = 9,
    CLS_ARRAY = 10,
    CLS_COMPLEX = 11
};

#define DTYPE_VERSION_MAX 5
/* String padding types (Spec v3.0 IV.A.2.d "String"): 0 null terminate, 1 null pad, 2 space pad */
#define STR_NULLPAD 1
#define V1_COMPOUND_MAX_DIMS 4
/* Reference encoding version of the revised (HDF5 1.12) reference types (H5R_ENCODE_VERSION). */
#define REF_ENCODE_VERSION 1

struct dec {
    const struct h5rd_file *f;
    struct h5rd_error *ec;
};

static h5rd_err decode_type(const struct dec *d, struct h5rd_cur *c, uint32_t depth,
                            struct h5rd_type **type_ret);

/* ---- allocation ---------------------------------------------------------------------------- */

/* A type's fields before decoding (in zeroed storage). */
static void type_init(struct h5rd_type *t)
{
    t->info.tag = ""; /* no tag: nothing allocated (t->tag stays NULL) */
    t->info.order = H5RD_ORDER_NONE;
    t->native_noop = true;
}

static struct h5rd_type *type_new(const struct h5rd_file *f, struct h5rd_error *ec)
{
    struct h5rd_type *t = h5rd__calloc(f, 1, sizeof *t, ec);
    if (t != NULL) {
        type_init(t);
    }
    return t;
}

void h5rd__dtype_free(const struct h5rd_file *f, struct h5rd_type *t)
{
    if (t == NULL) {
        return;
    }
    h5rd__dtype_clear(f, t);
    h5rd__free(f, t);
}

void h5rd__dtype_clear(const struct h5rd_file *f, struct h5rd_type *t)
{
    if (t->members != NULL) {
        for (uint32_t i = 0; i < t->info.nmembers; i++) {
            h5rd__free(f, t->members[i].name);
            h5rd__dtype_free(f, t->members[i].type);
        }
        h5rd__free(f, t->members);
    }
    h5rd__free(f, t->enum_values);
    h5rd__free(f, t->pads);
    h5rd__dtype_free(f, t->base);
    h5rd__free(f, t->tag);
}

/* ---- small readers ------------------------------------------------------------------------- */

/* Reads a NUL-terminated name at the cursor. Versions 1 and 2 pad the name (with its NUL) to a
 * multiple of 8 bytes; version 3 stores it unpadded (Spec v3.0 IV.A.2.d, compound and enum
 * properties). *name_ret is owned by the caller. */
static h5rd_err read_name(const struct dec *d, struct h5rd_cur *c, unsigned version,
                          char **name_ret, size_t *len_ret)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_finish(c));
    size_t left = h5rd__cur_left(c);
    const uint8_t *start = c->p + c->pos;
    const uint8_t *nul = left > 0 ? memchr(start, 0, left) : NULL;
    if (nul == NULL) {
        return H5RD_FAIL(d->ec, H5RD_E_TRUNCATED, at, "datatype: member name not NUL-terminated");
    }
    size_t len = (size_t)(nul - start);
    uint64_t adv = (uint64_t)len + 1;
    if (version < 3) {
        adv = (adv + 7) / 8 * 8;
    }
    const uint8_t *b = h5rd__cur_bytes(c, adv);
    if (b == NULL) {
        return c->err;
    }
    char *name = h5rd__strndup(d->f, (const char *)b, len, d->ec);
    if (name == NULL) {
        return d->ec->code != H5RD_OK ? d->ec->code : H5RD_E_NOMEM;
    }
    *name_ret = name;
    *len_ret = len;
    return H5RD_OK;
}

/* Bytes needed to encode 'v' (> 0): libhdf5's H5VM_limit_enc_size, used for the member offsets
 * of version 3 compound types. */
static unsigned enc_size(uint64_t v)
{
    unsigned log2 = 0;
    while (v > 1) {
        v >>= 1;
        log2++;
    }
    return log2 / 8 + 1;
}

/* Checks an integer/bitfield/float bit field: offset and precision inside the element. */
static h5rd_err check_bits(const struct dec *d, uint64_t at, uint64_t size, uint32_t offset,
                           uint32_t prec)
{
    uint64_t nbits = size * 8; /* size < 2^32: no overflow */
    if (prec == 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: precision is zero");
    }
    if (offset >= nbits || prec > nbits - offset) {
        return H5RD_CORRUPT(d->ec, at, "datatype: bit offset plus precision exceeds the size");
    }
    return H5RD_OK;
}

static bool ranges_overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
    return (uint64_t)a < (uint64_t)b + bn && (uint64_t)b < (uint64_t)a + an;
}

/* ---- atomic classes -------------------------------------------------------------------------- */

static h5rd_err decode_fixed(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                             uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Fixed-Point Bit Field Description" / "Bitfield". */
    uint32_t b = t->class_bits;
    t->info.order = (b & 0x1) ? H5RD_ORDER_BE : H5RD_ORDER_LE;
    t->info.lo_pad = (b >> 1) & 1;
    t->info.hi_pad = (b >> 2) & 1;
    if (t->info.cls == H5RD_CLASS_INTEGER) {
        t->info.is_signed = (b >> 3) & 1;
    }
    H5RD_TRY(h5rd__cur_need(c, 4));
    t->info.bit_offset = h5rd__cur_u16(c);
    t->info.precision = h5rd__cur_u16(c);
    H5RD_TRY(h5rd__cur_finish(c));
    return check_bits(d, at, t->info.size, t->info.bit_offset, t->info.precision);
}

static h5rd_err decode_float(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                             uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Floating-Point Bit Field Description". */
    uint32_t b = t->class_bits;
    struct h5rd_type_info *in = &t->info;
    in->order = (b & 0x1) ? H5RD_ORDER_BE : H5RD_ORDER_LE;
    if (t->version >= 3 && (b & 0x40)) {
        /* Bits 0 and 6 together mean VAX order; bit 6 alone is undefined. Versions 1 and 2
         * predate bit 6 (libhdf5 ignores it there). */
        if (!(b & 0x1)) {
            return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at, "datatype: unknown float byte order");
        }
        in->order = H5RD_ORDER_VAX;
    }
    in->lo_pad = (b >> 1) & 1;
    in->hi_pad = (b >> 2) & 1;
    in->internal_pad = (b >> 3) & 1;
    in->mant_norm = (b >> 4) & 3;
    if (in->mant_norm == 3) {
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at,
                         "datatype: unknown floating-point mantissa normalization");
    }
    in->sign_pos = (b >> 8) & 0xff;
    H5RD_TRY(h5rd__cur_need(c, 12));
    in->bit_offset = h5rd__cur_u16(c);
    in->precision = h5rd__cur_u16(c);
    in->exp_pos = h5rd__cur_u8(c);
    in->exp_nbits = h5rd__cur_u8(c);
    in->mant_pos = h5rd__cur_u8(c);
    in->mant_nbits = h5rd__cur_u8(c);
    in->exp_bias = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(check_bits(d, at, in->size, in->bit_offset, in->precision));
    /* Positions count from bit 0 of the element, not from the bit offset (libhdf5's own
     * test file be_data.h5 has offset 7, precision 20, sign at 26), so they are bounded by the
     * element's bits. */
    uint64_t nbits = in->size * 8;
    if (in->sign_pos >= nbits) {
        return H5RD_CORRUPT(d->ec, at, "datatype: float sign position out of bounds");
    }
    if (in->exp_nbits == 0 || in->exp_pos + (uint64_t)in->exp_nbits > nbits) {
        return H5RD_CORRUPT(d->ec, at, "datatype: float exponent out of bounds");
    }
    if (in->mant_nbits == 0 || in->mant_pos + (uint64_t)in->mant_nbits > nbits) {
        return H5RD_CORRUPT(d->ec, at, "datatype: float mantissa out of bounds");
    }
    if (ranges_overlap(in->sign_pos, 1, in->exp_pos, in->exp_nbits) ||
        ranges_overlap(in->sign_pos, 1, in->mant_pos, in->mant_nbits) ||
        ranges_overlap(in->exp_pos, in->exp_nbits, in->mant_pos, in->mant_nbits)) {
        return H5RD_CORRUPT(d->ec, at, "datatype: float sign, exponent and mantissa overlap");
    }
    return H5RD_OK;
}

static h5rd_err decode_opaque(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                              uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Opaque": the tag length is in bits 0-7, a multiple of 8 (the ASCII
     * tag is NUL-padded to it). */
    uint32_t z = t->class_bits & 0xff;
    if (z % 8 != 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: opaque tag length not a multiple of 8");
    }
    const uint8_t *b = h5rd__cur_bytes(c, z);
    if (b == NULL) {
        return c->err;
    }
    const uint8_t *nul = z > 0 ? memchr(b, 0, z) : NULL;
    size_t len = nul != NULL ? (size_t)(nul - b) : z;
    char *tag = h5rd__strndup(d->f, (const char *)b, len, d->ec);
    if (tag == NULL) {
        return d->ec->code;
    }
    h5rd__free(d->f, t->tag);
    t->tag = tag;
    t->info.tag = tag;
    return H5RD_OK;
}

static h5rd_err decode_reference(const struct dec *d, struct h5rd_type *t, uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Reference": bits 0-3 the type (0 object, 1 dataset region; from
     * version 4: 2 object, 3 region, 4 attribute in the revised encoding, whose encoding
     * version sits in bits 4-7). */
    uint32_t rtype = t->class_bits & 0xf;
    if (rtype > 4) {
        return H5RD_CORRUPT(d->ec, at, "datatype: invalid reference type");
    }
    if (rtype >= 2 && ((t->class_bits >> 4) & 0xf) != REF_ENCODE_VERSION) {
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at,
                         "datatype: unknown reference encoding version");
    }
    /* libhdf5 writes every revised reference type with the object type in these bits
     * (H5T_STD_REF): whether an element points to an object, a region or an attribute is in
     * the element itself, so the public kind only says "revised". */
    t->info.ref_kind = rtype >= 2 ? 2 : rtype;
    return H5RD_OK;
}

/* ---- compound ------------------------------------------------------------------------------ */

struct span {
    uint64_t lo, hi;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->lo < y->lo ? -1 : (x->lo > y->lo ? 1 : 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rejects overlapping members and duplicate names (libhdf5 refuses both), and records the padding
 * ranges of a compound h5py reads through a conversion. Sorting keeps this O(n log n) for the
 * largest member counts a message can hold. */
static h5rd_err check_members(const struct dec *d, struct h5rd_type *t, uint64_t at)
{
    uint32_t n = t->info.nmembers;
    h5rd_err rc = H5RD_OK;
    struct span *sp = h5rd__calloc(d->f, n, sizeof *sp, d->ec);
    const char **names = h5rd__calloc(d->f, n, sizeof *names, d->ec);
    if (sp == NULL || names == NULL) {
        rc = d->ec->code;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        sp[i].lo = t->members[i].offset;
        sp[i].hi = t->members[i].offset + t->members[i].type->info.size; /* checked earlier */
        names[i] = t->members[i].name;
    }
    qsort(sp, n, sizeof *sp, cmp_span);
    uint64_t max_hi = 0;
    uint32_t ngaps = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && sp[i].lo < max_hi) {
            rc = H5RD_CORRUPT(d->ec, at, "datatype: compound members overlap");
            goto out;
        }
        ngaps += sp[i].lo > max_hi;
        max_hi = sp[i].hi > max_hi ? sp[i].hi : max_hi;
    }
    ngaps += t->info.size > max_hi;
    if (t->h5py_conv && ngaps > 0) {
        /* The padding h5py sees zeroed (see dtype.h): at most one gap per member, plus the
         * tail. Zero-size members (a zero-size type cannot be decoded) do not occur. */
        t->pads = h5rd__calloc(d->f, ngaps, sizeof *t->pads, d->ec);
        if (t->pads == NULL) {
            rc = d->ec->code;
            goto out;
        }
        uint64_t end = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (sp[i].lo > end) {
                t->pads[t->npads++] = (struct h5rd__pad_range){end, sp[i].lo - end};
            }
            end = sp[i].hi > end ? sp[i].hi : end;
        }
        if (t->info.size > end) {
            t->pads[t->npads++] = (struct h5rd__pad_range){end, t->info.size - end};
        }
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (uint32_t i = 1; i < n; i++) {
        if (strcmp(names[i - 1], names[i]) == 0) {
            rc = H5RD_CORRUPT(d->ec, at, "datatype: duplicate compound member name");
            goto out;
        }
    }
out:
    h5rd__free(d->f, sp);
    h5rd__free(d->f, (void *)names);
    return rc;
}

/* Wraps 'base' in an array type: version 1 compound members carry their own dims (old-style
 * array fields), which libhdf5 turns into an array datatype. Takes ownership of 'base'. */
static h5rd_err make_v1_array(const struct dec *d, struct h5rd_type *base, unsigned ndims,
                              const uint64_t *dims, uint64_t at, struct h5rd_type **out)
{
    uint64_t nelem = 1, size = 0;
    bool ok = true;
    for (unsigned i = 0; i < ndims; i++) {
        if (dims[i] == 0) {
            h5rd__dtype_free(d->f, base);
            return H5RD_CORRUPT(d->ec, at, "datatype: zero-sized compound member dimension");
        }
        ok = ok && h5rd__mul_u64(nelem, dims[i], &nelem);
    }
    if (!ok || !h5rd__mul_u64(nelem, base->info.size, &size)) {
        h5rd__dtype_free(d->f, base);
        return H5RD_CORRUPT(d->ec, at, "datatype: compound member array size overflows");
    }
    struct h5rd_type *a = type_new(d->f, d->ec);
    if (a == NULL) {
        h5rd__dtype_free(d->f, base);
        return d->ec->code;
    }
    a->version = 2;
    a->info.cls = H5RD_CLASS_ARRAY;
    a->info.size = size;
    a->info.rank = ndims;
    for (unsigned i = 0; i < ndims; i++) {
        a->info.dims[i] = dims[i];
    }
    a->base = base;
    a->native_noop = base->native_noop;
    a->has_indirect = base->has_indirect;
    a->h5py_conv = base->h5py_conv;
    *out = a;
    return H5RD_OK;
}

static h5rd_err decode_compound(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                                uint32_t depth, uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Compound Properties Description" (versions 1-2 and 3). */
    uint32_t n = t->class_bits & 0xffff;
    unsigned v = t->version;
    if (n == 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: compound without members");
    }
    /* Every member takes at least a name byte, an offset byte and an 8-byte datatype header. */
    if (n > h5rd__cur_left(c) / 10) {
        return H5RD_FAIL(d->ec, H5RD_E_TRUNCATED, at,
                         "datatype: compound member count exceeds the message");
    }
    t->members = h5rd__calloc(d->f, n, sizeof *t->members, d->ec);
    if (t->members == NULL) {
        return d->ec->code;
    }
    unsigned off_width = enc_size(t->info.size);
    bool noop = true, indirect = false, conv = false;
    for (uint32_t i = 0; i < n; i++) {
        struct h5rd__type_member *m = &t->members[i];
        uint64_t mat = h5rd__cur_addr_here(c);
        size_t len;
        H5RD_TRY(read_name(d, c, v, &m->name, &len));
        t->info.nmembers = i + 1; /* from here on h5rd__dtype_free releases this member */
        unsigned ndims = 0;
        uint64_t dims[V1_COMPOUND_MAX_DIMS] = {0};
        if (v >= 3) {
            H5RD_TRY(h5rd__cur_need(c, off_width));
            m->offset = h5rd__cur_uvar(c, off_width);
        } else {
            H5RD_TRY(h5rd__cur_need(c, 4));
            m->offset = h5rd__cur_u32(c);
        }
        if (v == 1) {
            /* dimensionality, 3 reserved, permutation (unused), 4 reserved, 4 dim sizes */
            H5RD_TRY(h5rd__cur_need(c, 28));
            ndims = h5rd__cur_u8(c);
            (void)h5rd__cur_skip(c, 11);
            for (unsigned k = 0; k < V1_COMPOUND_MAX_DIMS; k++) {
                dims[k] = h5rd__cur_u32(c);
            }
            H5RD_TRY(h5rd__cur_finish(c));
            if (ndims > V1_COMPOUND_MAX_DIMS) {
                return H5RD_CORRUPT(d->ec, mat, "datatype: compound member has more than 4 dims");
            }
        }
        H5RD_TRY(h5rd__cur_finish(c));
        H5RD_TRY(decode_type(d, c, depth + 1, &m->type));
        if (ndims > 0) {
            struct h5rd_type *mt = m->type;
            m->type = NULL;
            H5RD_TRY(make_v1_array(d, mt, ndims, dims, mat, &m->type));
        }
        uint64_t end;
        if (!h5rd__add_u64(m->offset, m->type->info.size, &end) || end > t->info.size) {
            return H5RD_CORRUPT(d->ec, mat, "datatype: compound member extends past the compound");
        }
        noop = noop && m->type->native_noop;
        indirect = indirect || m->type->has_indirect;
        conv = conv || m->type->h5py_conv;
    }
    t->native_noop = noop;
    t->has_indirect = indirect;
    t->h5py_conv = conv;
    return check_members(d, t, at);
}

/* ---- enum, vlen, array --------------------------------------------------------------------- */

static h5rd_err decode_enum(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                            uint32_t depth, uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Enumeration Properties Description": base type, names, values. */
    uint32_t n = t->class_bits & 0xffff;
    unsigned v = t->version;
    H5RD_TRY(decode_type(d, c, depth + 1, &t->base));
    const struct h5rd_type_info *bi = &t->base->info;
    if (bi->size != t->info.size) {
        return H5RD_CORRUPT(d->ec, at, "datatype: enum size differs from its base type");
    }
    /* Each member needs a non-empty name (2 bytes, or 8 when padded) and a value. */
    uint64_t per = (v >= 3 ? 2 : 8) + bi->size, need;
    if (!h5rd__mul_u64(per, n, &need) || need > h5rd__cur_left(c)) {
        return H5RD_FAIL(d->ec, H5RD_E_TRUNCATED, at,
                         "datatype: enum member count exceeds the message");
    }
    t->members = h5rd__calloc(d->f, n, sizeof *t->members, d->ec);
    if (t->members == NULL) {
        return d->ec->code;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t mat = h5rd__cur_addr_here(c);
        size_t len;
        H5RD_TRY(read_name(d, c, v, &t->members[i].name, &len));
        t->info.nmembers = i + 1;
        if (len == 0) {
            return H5RD_CORRUPT(d->ec, mat, "datatype: empty enum member name");
        }
    }
    uint64_t nbytes = (uint64_t)n * bi->size; /* <= need: no overflow */
    const uint8_t *vals = h5rd__cur_bytes(c, nbytes);
    if (vals == NULL) {
        return c->err;
    }
    t->enum_values = h5rd__malloc(d->f, nbytes, d->ec);
    if (t->enum_values == NULL) {
        return d->ec->code;
    }
    if (nbytes > 0) {
        memcpy(t->enum_values, vals, (size_t)nbytes);
    }
    h5rd__dtype_to_native(t->base, t->enum_values, n);
    t->info.order = bi->order;
    t->info.is_signed = bi->is_signed;
    t->info.bit_offset = bi->bit_offset;
    t->info.precision = bi->precision;
    t->info.lo_pad = bi->lo_pad;
    t->info.hi_pad = bi->hi_pad;
    t->native_noop = t->base->native_noop;
    t->has_indirect = t->base->has_indirect;
    t->h5py_conv = t->base->h5py_conv; /* h5py's enum type has the same members over its base */
    return H5RD_OK;
}

static h5rd_err decode_vlen(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                            uint32_t depth, uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Variable-Length": bits 0-3 type (0 sequence, 1 string), 4-7
     * padding, 8-11 character set (strings only), then the base type. */
    uint32_t b = t->class_bits;
    uint32_t kind = b & 0xf;
    if (kind > 1) {
        return H5RD_CORRUPT(d->ec, at, "datatype: unknown variable-length type");
    }
    t->info.vlen_is_string = kind;
    if (kind == 1) {
        t->info.str_pad = (b >> 4) & 0xf;
        t->info.cset = (b >> 8) & 0xf;
    }
    H5RD_TRY(decode_type(d, c, depth + 1, &t->base));
    t->native_noop = true; /* the stored element is a heap reference: left as stored */
    t->has_indirect = true;
    t->h5py_conv = true; /* h5py reads it as Python objects */
    return H5RD_OK;
}

static h5rd_err decode_array(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                             uint32_t depth, uint64_t at)
{
    /* Spec v3.0 IV.A.2.d "Array Properties Description": rank, (v2: 3 reserved), dims,
     * (v2: permutation indices), base type. */
    H5RD_TRY(h5rd__cur_need(c, 1));
    unsigned rank = h5rd__cur_u8(c);
    if (rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(d->ec, at, "datatype: array rank above 32");
    }
    if (t->version < 3) {
        H5RD_TRY(h5rd__cur_skip(c, 3));
    }
    H5RD_TRY(h5rd__cur_need(c, (uint64_t)rank * 4));
    uint64_t nelem = 1;
    for (unsigned i = 0; i < rank; i++) {
        t->info.dims[i] = h5rd__cur_u32(c);
        if (t->info.dims[i] == 0) {
            return H5RD_CORRUPT(d->ec, at, "datatype: zero-sized array dimension");
        }
        if (!h5rd__mul_u64(nelem, t->info.dims[i], &nelem)) {
            return H5RD_CORRUPT(d->ec, at, "datatype: array element count overflows");
        }
    }
    t->info.rank = rank;
    if (t->version < 3) {
        H5RD_TRY(h5rd__cur_skip(c, (uint64_t)rank * 4));
    }
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(decode_type(d, c, depth + 1, &t->base));
    uint64_t size;
    if (!h5rd__mul_u64(nelem, t->base->info.size, &size) || size != t->info.size) {
        return H5RD_CORRUPT(d->ec, at, "datatype: array size differs from dims times base size");
    }
    t->native_noop = t->base->native_noop;
    t->has_indirect = t->base->has_indirect;
    t->h5py_conv = t->base->h5py_conv;
    return H5RD_OK;
}

static h5rd_err decode_complex(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                               uint32_t depth, uint64_t at)
{
    /* HDF5 2.0 file format, Datatype message class 11 "Complex" (datatype version 5): bit 0 of
     * the class bit fields says the real and imaginary parts share one type (homogeneous), bits
     * 1-2 give the form (0 rectangular, 1 polar, 2 exponential), the other bits are zero; the
     * properties are the datatype of the parts. libhdf5 2.0 (H5Odtype.c) decodes only
     * homogeneous rectangular complex numbers of a floating-point base, real part first. */
    uint32_t b = t->class_bits;
    if (!(b & 0x1)) {
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at,
                         "datatype: heterogeneous complex numbers not supported");
    }
    if (((b >> 1) & 0x3) != 0) {
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at,
                         "datatype: complex numbers in polar or exponential form not supported");
    }
    if ((b >> 3) != 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: invalid class bits of a complex type");
    }
    H5RD_TRY(decode_type(d, c, depth + 1, &t->base));
    const struct h5rd_type_info *bi = &t->base->info;
    if (bi->cls != H5RD_CLASS_FLOAT) {
        return H5RD_CORRUPT(d->ec, at, "datatype: complex base type is not floating-point");
    }
    if (bi->size > UINT64_MAX / 2 || t->info.size != 2 * bi->size) {
        return H5RD_CORRUPT(d->ec, at, "datatype: complex size is not twice its base size");
    }
    /* The float fields of the base are reported on the complex type too (as enum does with its
     * integer base), so that order, precision and layout read without h5rd_type_get_super. */
    struct h5rd_type_info *in = &t->info;
    in->order = bi->order;
    in->bit_offset = bi->bit_offset;
    in->precision = bi->precision;
    in->lo_pad = bi->lo_pad;
    in->hi_pad = bi->hi_pad;
    in->sign_pos = bi->sign_pos;
    in->exp_pos = bi->exp_pos;
    in->exp_nbits = bi->exp_nbits;
    in->mant_pos = bi->mant_pos;
    in->mant_nbits = bi->mant_nbits;
    in->exp_bias = bi->exp_bias;
    in->mant_norm = bi->mant_norm;
    in->internal_pad = bi->internal_pad;
    t->native_noop = t->base->native_noop;
    t->has_indirect = false;
    t->h5py_conv = t->base->h5py_conv;
    return H5RD_OK;
}

/* ---- the message --------------------------------------------------------------------------- */

/* Does h5py's memory type for an integer or bitfield differ from it (H5T_cmp != 0)? h5py reads
 * a bitfield as an unsigned integer (another class), and builds integers of 1, 2, 4 or 8 bytes
 * with full precision, no offset, zero padding and the file's byte order - except 1-byte ones,
 * which numpy gives no byte order and h5py creates little-endian (native). */
static bool int_h5py_conv(const struct h5rd_type *t)
{
    const struct h5rd_type_info *in = &t->info;
    uint64_t s = in->size;
    if (in->cls == H5RD_CLASS_BITFIELD || !(s == 1 || s == 2 || s == 4 || s == 8)) {
        return true;
    }
    if (in->bit_offset != 0 || in->precision != 8 * s || in->lo_pad != 0 || in->hi_pad != 0) {
        return true;
    }
    return s == 1 && in->order == H5RD_ORDER_BE;
}

static h5rd_err decode_body(const struct dec *d, struct h5rd_cur *c, struct h5rd_type *t,
                            unsigned cls, uint32_t depth, uint64_t at)
{
    switch (cls) {
    case CLS_INTEGER:
    case CLS_BITFIELD:
        t->info.cls = cls == CLS_INTEGER ? H5RD_CLASS_INTEGER : H5RD_CLASS_BITFIELD;
        H5RD_TRY(decode_fixed(d, c, t, at));
        t->native_noop = t->info.size == 1 || t->info.order == HOST_ORDER;
        t->h5py_conv = int_h5py_conv(t);
        return H5RD_OK;
    case CLS_FLOAT:
        t->info.cls = H5RD_CLASS_FLOAT;
        H5RD_TRY(decode_float(d, c, t, at));
        t->native_noop = t->info.size == 1 || t->info.order == HOST_ORDER;
        t->h5py_conv = !h5rd__conv_float_is_numpy(t);
        return H5RD_OK;
    case CLS_TIME:
        /* Spec v3.0 IV.A.2.d "Time": bit 0 byte order, then a 2-byte bit precision. */
        t->info.cls = H5RD_CLASS_TIME;
        t->info.order = (t->class_bits & 1) ? H5RD_ORDER_BE : H5RD_ORDER_LE;
        H5RD_TRY(h5rd__cur_need(c, 2));
        t->info.precision = h5rd__cur_u16(c);
        H5RD_TRY(h5rd__cur_finish(c));
        t->native_noop = t->info.size == 1 || t->info.order == HOST_ORDER;
        return H5RD_OK;
    case CLS_STRING:
        /* Spec v3.0 IV.A.2.d "String": bits 0-3 padding, bits 4-7 character set. */
        t->info.cls = H5RD_CLASS_STRING;
        t->info.str_pad = t->class_bits & 0xf;
        t->info.cset = (t->class_bits >> 4) & 0xf;
        t->h5py_conv = t->info.str_pad != STR_NULLPAD; /* h5py asks for NULL padding */
        return H5RD_OK;
    case CLS_OPAQUE:
        t->info.cls = H5RD_CLASS_OPAQUE;
        return decode_opaque(d, c, t, at);
    case CLS_COMPOUND:
        t->info.cls = H5RD_CLASS_COMPOUND;
        return decode_compound(d, c, t, depth, at);
    case CLS_REFERENCE:
        t->info.cls = H5RD_CLASS_REFERENCE;
        t->has_indirect = true;
        t->h5py_conv = true;
        return decode_reference(d, t, at);
    case CLS_ENUM:
        t->info.cls = H5RD_CLASS_ENUM;
        return decode_enum(d, c, t, depth, at);
    case CLS_VLEN:
        t->info.cls = H5RD_CLASS_VLEN;
        return decode_vlen(d, c, t, depth, at);
    case CLS_ARRAY:
        t->info.cls = H5RD_CLASS_ARRAY;
        return decode_array(d, c, t, depth, at);
    case CLS_COMPLEX:
        t->info.cls = H5RD_CLASS_COMPLEX;
        return decode_complex(d, c, t, depth, at);
    default:
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at, "datatype: unknown class");
    }
}

/* Decodes one datatype into 'store' (zeroed storage the caller owns) when it is not NULL, else
 * into a new allocation; *type_ret is where it went. On failure nothing is left allocated and
 * 'store' is zeroed again. */
static h5rd_err decode_type_in(const struct dec *d, struct h5rd_cur *c, uint32_t depth,
                               struct h5rd_type *store, struct h5rd_type **type_ret)
{
    uint64_t at = h5rd__cur_addr_here(c);
    if (depth > d->f->limits.max_dtype_depth) {
        return H5RD_FAIL(d->ec, H5RD_E_LIMIT, at, "datatype: nesting deeper than max_dtype_depth");
    }
    H5RD_TRY(h5rd__cur_need(c, 8));
    uint32_t word = h5rd__cur_u32(c);
    uint64_t size = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    unsigned cls = word & 0xf;
    unsigned version = (word >> 4) & 0xf;
    if (version == 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: version 0");
    }
    if (version > DTYPE_VERSION_MAX) {
        return H5RD_FAIL(d->ec, H5RD_E_UNSUPPORTED, at, "datatype: unknown message version");
    }
    if (size == 0) {
        return H5RD_CORRUPT(d->ec, at, "datatype: size is zero");
    }
    struct h5rd_type *t = store;
    if (t != NULL) {
        type_init(t);
    } else if ((t = type_new(d->f, d->ec)) == NULL) {
        return d->ec->code;
    }
    t->version = (uint8_t)version;
    t->class_bits = word >> 8;
    t->info.size = size;
    h5rd_err rc = decode_body(d, c, t, cls, depth, at);
    if (rc != H5RD_OK) {
        if (t == store) {
            h5rd__dtype_clear(d->f, t);
            memset(t, 0, sizeof *t);
        } else {
            h5rd__dtype_free(d->f, t);
        }
        return rc;
    }
    *type_ret = t;
    return H5RD_OK;
}

static h5rd_err decode_type(const struct dec *d, struct h5rd_cur *c, uint32_t depth,
                            struct h5rd_type **type_ret)
{
    return decode_type_in(d, c, depth, NULL, type_ret);
}

h5rd_err h5rd__dtype_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                            struct h5rd_type **type_ret, struct h5rd_error *ec)
{
    struct dec d = {f, ec};
    struct h5rd_type *t = NULL;
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(decode_type(&d, c, 0, &t));
    *type_ret = t;
    return H5RD_OK;
}

h5rd_err h5rd__dtype_decode_into(const struct h5rd_file *f, struct h5rd_cur *c,
                                 struct h5rd_type *store, struct h5rd_error *ec)
{
    struct dec d = {f, ec};
    struct h5rd_type *t = NULL;
    H5RD_TRY(h5rd__cur_finish(c));
    return decode_type_in(&d, c, 0, store, &t);
}

/* ---- byte order ---------------------------------------------------------------------------- */

static void reverse_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        uint8_t tmp = p[i];
        p[i] = p[j];
        p[j] = tmp;
    }
}

/* VAX order stores 16-bit little-endian words most significant word first: reversing the
 * word order gives little-endian (as libhdf5's float conversion does for H5T_ORDER_VAX). */
static void vax_to_le(uint8_t *p, size_t n)
{
    size_t nw = n / 2;
    for (size_t i = 0, j = nw - 1; nw > 0 && i < j; i++, j--) {
        uint8_t a0 = p[2 * i], a1 = p[2 * i + 1];
        p[2 * i] = p[2 * j];
        p[2 * i + 1] = p[2 * j + 1];
        p[2 * j] = a0;
        p[2 * j + 1] = a1;
    }
}

void h5rd__bswap_elems(uint8_t *buf, uint64_t nelem, size_t size)
{
    switch (size) {
    case 2:
        for (uint64_t i = 0; i < nelem; i++) {
            uint16_t v;
            memcpy(&v, buf + i * 2, 2);
            v = __builtin_bswap16(v);
            memcpy(buf + i * 2, &v, 2);
        }
        break;
    case 4:
        for (uint64_t i = 0; i < nelem; i++) {
            uint32_t v;
            memcpy(&v, buf + i * 4, 4);
            v = __builtin_bswap32(v);
            memcpy(buf + i * 4, &v, 4);
        }
        break;
    case 8:
        for (uint64_t i = 0; i < nelem; i++) {
            uint64_t v;
            memcpy(&v, buf + i * 8, 8);
            v = __builtin_bswap64(v);
            memcpy(buf + i * 8, &v, 8);
        }
        break;
    default:
        for (uint64_t i = 0; i < nelem; i++) {
            reverse_bytes(buf + i * size, size);
        }
        break;
    }
}

static void swap_elems(uint8_t *buf, uint64_t nelem, size_t size, h5rd_byte_order order)
{
    if (order == H5RD_ORDER_VAX) {
        for (uint64_t i = 0; i < nelem; i++) {
            vax_to_le(buf + i * size, size);
            if (HOST_ORDER == H5RD_ORDER_BE) {
                reverse_bytes(buf + i * size, size);
            }
        }
        return;
    }
    h5rd__bswap_elems(buf, nelem, size);
}

void h5rd__dtype_to_native(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem)
{
    if (t == NULL || t->native_noop || nelem == 0) {
        return;
    }
    /* The caller holds nelem * size bytes, so size fits size_t. */
    size_t size = (size_t)t->info.size;
    switch (t->info.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_FLOAT:
    case H5RD_CLASS_TIME:
    case H5RD_CLASS_BITFIELD:
        /* native_noop is only a shortcut: the order decides. */
        if (size > 1 && t->info.order != HOST_ORDER && t->info.order != H5RD_ORDER_NONE) {
            swap_elems(buf, nelem, size, t->info.order);
        }
        break;
    case H5RD_CLASS_ENUM:
        h5rd__dtype_to_native(t->base, buf, nelem);
        break;
    case H5RD_CLASS_COMPLEX:
        /* size == 2 * base size (checked at decode): real and imaginary parts alternate. */
        h5rd__dtype_to_native(t->base, buf, nelem * 2);
        break;
    case H5RD_CLASS_ARRAY: {
        /* size == prod(dims) * base size (checked at decode), so elements are contiguous. */
        uint64_t per = t->info.size / t->base->info.size;
        h5rd__dtype_to_native(t->base, buf, nelem * per);
        break;
    }
    case H5RD_CLASS_COMPOUND:
        for (uint32_t m = 0; m < t->info.nmembers; m++) {
            const struct h5rd__type_member *mb = &t->members[m];
            if (mb->type->native_noop) {
                continue;
            }
            for (uint64_t i = 0; i < nelem; i++) {
                h5rd__dtype_to_native(mb->type, buf + i * size + mb->offset, 1);
            }
        }
        break;
    default:
        break;
    }
}

bool h5rd__dtype_has_indirect(const struct h5rd_type *t)
{
    return t != NULL && t->has_indirect;
}
