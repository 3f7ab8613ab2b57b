/*
 * group_int.h - private interface between the files of the group module
 * (links.c: loading, ordering and lookup; symtab.c: old-style groups).
 * Not used outside src/group/.
 */
#ifndef H5RD_GROUP_GROUP_INT_H
#define H5RD_GROUP_GROUP_INT_H

#include "group/group.h"

/* A growing link list: 'links->v' has room for 'cap' entries. */
struct h5rd__linkvec {
    struct h5rd__links *links;
    uint64_t cap;
};

/* Appends *l (taking ownership of its strings in every case: on failure they are freed) after
 * checking limits.max_links and limits.max_name_nbytes. *l is zeroed afterwards. */
h5rd_err h5rd__linkvec_push(const struct h5rd_file *f, struct h5rd__linkvec *vec,
                            struct h5rd__link *l, uint64_t addr, struct h5rd_error *ec);

/* Appends every link of the old-style group described by 'stab' (v1 B-tree of symbol table
 * nodes, names in a local heap), in B-tree order. */
h5rd_err h5rd__symtab_load(const struct h5rd_file *f, const struct h5rd__stab *stab,
                           struct h5rd__linkvec *vec, struct h5rd_error *ec);

#endif
