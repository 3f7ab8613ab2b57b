/*
 * dtype.h - the Datatype message (Spec v3.0 IV.A.2.d, versions 1-5): every
 * class decoded into a type tree, depth-bounded by limits.max_dtype_depth,
 * member counts bounded by the message size.
 */
#ifndef H5RD_DTYPE_DTYPE_H
#define H5RD_DTYPE_DTYPE_H

#include "internal.h"
#include "io/cursor.h"

/* A byte range [off, off + len) of a compound element that no member covers. */
struct h5rd__pad_range {
    uint64_t off, len;
};

struct h5rd__type_member {
    char *name;                /* owned; compound and enum */
    uint64_t offset;           /* compound: byte offset within the element */
    struct h5rd_type *type;    /* compound: owned member type */
};

/* The public opaque h5rd_type. Owned by whoever decoded it; immutable after decoding. */
struct h5rd_type {
    struct h5rd_type_info info;    /* everything h5rd_type_get_info returns (info.tag -> tag) */
    uint8_t version;               /* datatype message version */
    uint32_t class_bits;           /* the 24 class bit fields as stored */
    char *tag;                     /* opaque tag, owned (NULL when none: info.tag is then "") */
    struct h5rd__type_member *members;  /* compound / enum: info.nmembers entries */
    uint8_t *enum_values;          /* enum: nmembers values of base->info.size bytes, native order */
    struct h5rd_type *base;        /* enum, vlen, array: owned base type */
    bool native_noop;              /* h5rd__dtype_to_native leaves every byte as stored */
    bool has_indirect;             /* this type or a member is vlen or reference */
    /* h5py's memory type for this type (the numpy dtype it builds from it) is not identical
     * to it, so libhdf5 converts when h5py reads it: bitfields, integers with padding bits or
     * non-default pad settings, 1-byte big-endian integers, non-IEEE floats, fixed strings
     * that are not NULL-padded, vlen and references, and compounds, arrays and enums holding
     * one. */
    bool h5py_conv;
    /* Compound with h5py_conv set: the bytes no member covers, sorted, merged (libhdf5's
     * H5T__conv_struct writes the members into h5py's zeroed buffer, so they read as zero). */
    struct h5rd__pad_range *pads;
    uint32_t npads;
};

/* Decodes one datatype starting at the cursor (consumes exactly its bytes). *type_ret is
 * owned by the caller: free with h5rd__dtype_free. */
h5rd_err h5rd__dtype_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                            struct h5rd_type **type_ret, struct h5rd_error *ec);
void h5rd__dtype_free(const struct h5rd_file *f, struct h5rd_type *t);

/* The same into storage the caller owns ('store', zeroed): an object handle holds its type so
 * (one allocation fewer for every dataset opened); on failure 'store' is left zeroed. Release
 * with h5rd__dtype_clear, which frees what the type owns, not 'store'. */
h5rd_err h5rd__dtype_decode_into(const struct h5rd_file *f, struct h5rd_cur *c,
                                 struct h5rd_type *store, struct h5rd_error *ec);
void h5rd__dtype_clear(const struct h5rd_file *f, struct h5rd_type *t);

/* Rewrites 'nelem' elements of type 't' in 'buf' (file layout) so that every number is in the
 * host's byte order, recursing into compound members and array elements. Variable-length and
 * reference elements are left as stored. Bits outside precision are kept as stored. */
void h5rd__dtype_to_native(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem);

/* Reverses the byte order of 'nelem' elements of 'size' bytes each, in place. */
void h5rd__bswap_elems(uint8_t *buf, uint64_t nelem, size_t size);

/* True when 't' (or any member) is a variable-length or reference type. */
bool h5rd__dtype_has_indirect(const struct h5rd_type *t);

#endif
