/*
 * group.h - groups and links: old-style groups (Symbol Table message, v1
 * B-tree type 0, "SNOD" symbol table nodes, local heap names), new-style
 * compact groups (Link messages) and dense groups (Link Info message: fractal
 * heap of links indexed by v2 B-trees of type 5 (name) and 6 (creation
 * order)). Spec v3.0 III.B, III.C, IV.A.2 (Link, Link Info, Group Info).
 */
#ifndef H5RD_GROUP_GROUP_H
#define H5RD_GROUP_GROUP_H

#include "internal.h"
#include "object/msg.h"
#include "object/ohdr.h"

struct h5rd__links {
    uint64_t n;
    struct h5rd__link *v;     /* owned */
    bool by_corder;           /* ordered by creation order (group tracks it) */
    struct h5rd__strpool names;  /* the links' names (one allocation a few hundred names, not
                                    one a name: issue 13) */
};

/* Loads every link of the group whose header is 'oh', sorted in libhdf5's default iteration
 * order as h5py uses it: by creation order when the group's Link Info message says creation
 * order is tracked, else by name (byte order). A header with neither a Symbol Table, Link Info
 * nor Link message is TYPE (not a group). Bounded by limits.max_links and max_name_nbytes. */
h5rd_err h5rd__group_load_links(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                                struct h5rd__links *out, struct h5rd_error *ec);
void h5rd__links_free(const struct h5rd_file *f, struct h5rd__links *links);

/* Binary or linear search by name in loaded links; NULL when absent. */
const struct h5rd__link *h5rd__links_find(const struct h5rd__links *links, const char *name,
                                          size_t name_nbytes);

#endif
