/*
 * btree.h - version 1 B-trees (Spec v3.0 III.A.1, "TREE": node type 0 group
 * nodes, type 1 raw data chunk nodes) and version 2 B-trees (III.A.2, "BTHD",
 * "BTIN", "BTLF": record types 1-11). Both are iterated in key order with a
 * callback per record; depth is bounded (v1: each child's level must be its
 * parent's minus one; v2: the header's depth, <= limits.max_btree_depth) and
 * v2 record counts are checked against the capacity the node size allows.
 */
#ifndef H5RD_BTREE_BTREE_H
#define H5RD_BTREE_BTREE_H

#include "internal.h"

/* v1: called for each child pointer of each leaf (level 0) node, in order.
 *  node type 0 (group): 'key' is the child's left key (heap offset, size of lengths bytes);
 *                       'child_addr' a symbol table node ("SNOD").
 *  node type 1 (chunks): 'key' is the child's left key: chunk size (4), filter mask (4),
 *                       ndims offsets of 8 bytes each; 'child_addr' the chunk address.
 * Return non-OK from the callback to stop (that value is returned). */
typedef h5rd_err (*h5rd__bt1_cb)(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                                 uint64_t child_addr, void *ud, struct h5rd_error *ec);

/* 'ndims' is used for type 1 only: the number of dimensions in the key (dataset rank + 1). */
h5rd_err h5rd__bt1_iterate(const struct h5rd_file *f, uint64_t addr, uint8_t node_type,
                           uint32_t ndims, h5rd__bt1_cb cb, void *ud, struct h5rd_error *ec);

/* v2 B-tree header, decoded. */
struct h5rd__bt2_info {
    uint8_t type;
    uint32_t node_nbytes;
    uint16_t rec_nbytes;
    uint16_t depth;
    uint64_t root_addr;
    uint16_t root_nrecords;
    uint64_t total_nrecords;
};
h5rd_err h5rd__bt2_info(const struct h5rd_file *f, uint64_t hdr_addr, struct h5rd__bt2_info *info_ret,
                        struct h5rd_error *ec);

/* v2: called for each record in key order with its raw bytes (rec_nbytes). */
typedef h5rd_err (*h5rd__bt2_cb)(const uint8_t *rec, size_t rec_nbytes, void *ud,
                                 struct h5rd_error *ec);
/* Iterates every record of the tree whose header is at 'hdr_addr'. 'expect_type' (1-11) must
 * match the header's type (CORRUPT otherwise); pass 0 to accept any. */
h5rd_err h5rd__bt2_iterate(const struct h5rd_file *f, uint64_t hdr_addr, uint8_t expect_type,
                           h5rd__bt2_cb cb, void *ud, struct h5rd_error *ec);

#endif
