/*
 * attr.h - attributes of an object: compact (Attribute messages in the header)
 * and dense (Attribute Info message: fractal heap of attribute messages indexed
 * by v2 B-trees of type 8 (name) and 9 (creation order)). Spec v3.0 IV.A.2
 * (Attribute, Attribute Info).
 */
#ifndef H5RD_ATTR_ATTR_H
#define H5RD_ATTR_ATTR_H

#include "internal.h"
#include "object/msg.h"
#include "object/ohdr.h"

struct h5rd__attrs {
    uint64_t n;
    struct h5rd__attr *v;     /* owned */
};

/* Loads every attribute of the object whose header is 'oh', ordered as h5py lists them: by
 * creation order when the header tracks attribute creation order, else by name (byte order).
 * Bounded by limits.max_attrs. */
h5rd_err h5rd__attrs_load(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                          struct h5rd__attrs *out, struct h5rd_error *ec);
void h5rd__attrs_free(const struct h5rd_file *f, struct h5rd__attrs *attrs);

#endif
