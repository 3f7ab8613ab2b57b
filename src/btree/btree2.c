/*
 * btree2.c - version 2 B-trees, Spec v3.0 III.A.2 "Disk Format: Level 1A2 - Version 2 B-trees":
 * header "BTHD", internal nodes "BTIN", leaf nodes "BTLF".
 *
 * Header: signature, version 0, type, node size (4), record size (2), depth (2), split and
 * merge percent, root node address, records in root (2), total records (size of lengths),
 * checksum. Leaf: signature, version 0, type, records, checksum. Internal node: signature,
 * version 0, type, records, then for each of nrec + 1 children: address, records in the
 * child node and, when the children are themselves internal (node depth > 1), the total
 * records in the child's subtree; then the checksum.
 *
 * The widths of the two counts are not stored: they follow from how many records fit in a
 * node, computed as libhdf5 does when it initialises a tree header (H5B2hdr.c): a leaf holds
 * (node size - 10) / record size records; the "records in child" field is wide enough for
 * that leaf maximum; an internal node at depth d holds
 * (node size - 10 - P(d)) / (record size + P(d)) records, P(d) being the child pointer size
 * at that depth; and the "total records" field at depth d is wide enough for the most records
 * a subtree at depth d - 1 can hold. A width is "bytes needed" = floor(log2(n)) / 8 + 1.
 *
 * Invariants: checksums are verified before a node is parsed; every node's record count is
 * at most its depth's capacity; children are one level shallower than their parent, so
 * recursion depth is the header's depth (<= limits.max_btree_depth) and no node can contain
 * itself; the bytes of all visited nodes are charged against the file size, bounding shared
 * subtrees.
 */
#include "btree/btree.h"

#include "core/checksum.h"
#include "io/source.h"

/* Largest depth whose capacities we tabulate (limits.max_btree_depth is checked first). */
#define BT2_MAX_DEPTH 256

struct bt2_geom {
    uint64_t max_nrec[BT2_MAX_DEPTH + 1];     /* records a node at depth d can hold */
    uint64_t cum_max_nrec[BT2_MAX_DEPTH + 1]; /* records a subtree rooted at depth d can hold */
    uint8_t cum_nbytes[BT2_MAX_DEPTH + 1];    /* width of the "total records" field for d */
    uint8_t nrec_nbytes;                      /* width of the "records in child" field */
};

struct bt2_walk {
    const struct h5rd_file *f;
    struct h5rd__bt2_info info;
    const struct bt2_geom *g;
    uint64_t budget; /* node bytes that may still be visited */
    h5rd__bt2_cb cb;
    void *ud;
};

/* Bytes needed to encode n, as libhdf5's H5VM_limit_enc_size: floor(log2(n)) / 8 + 1. */
static uint8_t enc_nbytes(uint64_t n)
{
    unsigned log2 = 0;
    while (n >> 1) {
        n >>= 1;
        log2++;
    }
    return (uint8_t)(log2 / 8 + 1);
}

static h5rd_err check_sum(const struct h5rd_file *f, const uint8_t *p, size_t n, uint64_t addr,
                          const char *what, struct h5rd_error *ec)
{
    return h5rd__checksum_verify_block(f, p, n, addr, what, ec);
}

h5rd_err h5rd__bt2_info(const struct h5rd_file *f, uint64_t hdr_addr,
                        struct h5rd__bt2_info *info_ret, struct h5rd_error *ec) {
    const uint64_t hdr_nbytes = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + (uint64_t)f->sb.size_of_offsets +
                                2 + (uint64_t)f->sb.size_of_lengths + 4;
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__io_view(f, hdr_addr, hdr_nbytes, &v, ec));
    h5rd_err e = check_sum(f, v.p, v.nbytes, hdr_addr, "v2 B-tree: header checksum mismatch", ec);
    if (e != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, "BTHD", "v2 B-tree: bad header signature")) != H5RD_OK) {
        goto out;
    }
    struct h5rd__bt2_info info;
    uint8_t version = h5rd__cur_u8(&c);
    info.type = h5rd__cur_u8(&c);
    info.node_nbytes = h5rd__cur_u32(&c);
    info.rec_nbytes = h5rd__cur_u16(&c);
    info.depth = h5rd__cur_u16(&c);
    (void)h5rd__cur_u8(&c); /* split percent */
    (void)h5rd__cur_u8(&c); /* merge percent */
    info.root_addr = h5rd__cur_offset(&c);
    info.root_nrecords = h5rd__cur_u16(&c);
    info.total_nrecords = h5rd__cur_length(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, hdr_addr, "v2 B-tree: unknown header version");
        goto out;
    }
    if (info.type == 0 || info.type > 11) {
        e = H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: unknown record type");
        goto out;
    }
    if (info.rec_nbytes == 0) {
        e = H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: zero record size");
        goto out;
    }
    /* A node must hold its 10-byte prefix and at least one record. */
    if (info.node_nbytes < 10 || (info.node_nbytes - 10) / info.rec_nbytes == 0) {
        e = H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: node size too small for one record");
        goto out;
    }
    if (info.depth > f->limits.max_btree_depth || info.depth > BT2_MAX_DEPTH) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, hdr_addr, "v2 B-tree: depth exceeds max_btree_depth");
        goto out;
    }
    *info_ret = info;
out:
    h5rd__io_release(f, &v);
    return e;
}

/* Node capacities per depth (see the file comment). */
static h5rd_err compute_geom(const struct h5rd_file *f, const struct h5rd__bt2_info *info,
                             uint64_t hdr_addr, struct bt2_geom *g, struct h5rd_error *ec)
{
    const uint64_t prefix = 10; /* signature, version, type, checksum */
    g->max_nrec[0] = (info->node_nbytes - prefix) / info->rec_nbytes;
    g->cum_max_nrec[0] = g->max_nrec[0];
    g->cum_nbytes[0] = 0;
    g->nrec_nbytes = enc_nbytes(g->max_nrec[0]);
    /* Node record counts are stored in 2 bytes (header root count, child counts). */
    if (g->max_nrec[0] > UINT16_MAX) {
        return H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: node size allows more than 65535 records");
    }
    for (unsigned d = 1; d <= info->depth; d++) {
        uint64_t ptr = (uint64_t)f->sb.size_of_offsets + g->nrec_nbytes +
                       (d > 1 ? g->cum_nbytes[d - 1] : 0);
        if (info->node_nbytes < prefix + ptr) {
            return H5RD_CORRUPT(ec, hdr_addr,
                                "v2 B-tree: node size too small for an internal node");
        }
        g->max_nrec[d] = (info->node_nbytes - prefix - ptr) / (info->rec_nbytes + ptr);
        if (g->max_nrec[d] == 0) {
            return H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: internal nodes cannot hold a record");
        }
        uint64_t cum;
        if (!h5rd__mul_u64(g->max_nrec[d] + 1, g->cum_max_nrec[d - 1], &cum) ||
            !h5rd__add_u64(cum, g->max_nrec[d], &cum)) {
            return H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: depth impossible for the node size");
        }
        g->cum_max_nrec[d] = cum;
        g->cum_nbytes[d] = enc_nbytes(cum);
    }
    return H5RD_OK;
}

static h5rd_err visit(struct bt2_walk *w, uint64_t addr, unsigned depth, uint64_t nrec,
                      struct h5rd_error *ec)
{
    const struct h5rd_file *f = w->f;
    const struct bt2_geom *g = w->g;
    const uint64_t rec = w->info.rec_nbytes;
    struct h5rd_view v = {0};
    h5rd_err e = H5RD_OK;

    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "v2 B-tree: undefined node address");
    }
    if (nrec > g->max_nrec[depth]) {
        return H5RD_CORRUPT(ec, addr, "v2 B-tree: record count exceeds node capacity");
    }
    uint64_t ptr = 0;
    if (depth > 0) {
        ptr = (uint64_t)f->sb.size_of_offsets + g->nrec_nbytes +
              (depth > 1 ? g->cum_nbytes[depth - 1] : 0);
    }
    /* nrec is bounded by the capacity, so this is at most the node size: no overflow. */
    uint64_t nbytes = 6 + nrec * rec + (depth > 0 ? (nrec + 1) * ptr : 0) + 4;
    H5RD_TRY(h5rd__io_view(f, addr, nbytes, &v, ec));
    if (nbytes > w->budget) {
        e = H5RD_CORRUPT(ec, addr, "v2 B-tree: nodes visited exceed the file (shared subtrees?)");
        goto out;
    }
    w->budget -= nbytes;
    if ((e = check_sum(f, v.p, v.nbytes, addr, "v2 B-tree: node checksum mismatch", ec)) !=
        H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, depth > 0 ? "BTIN" : "BTLF",
                           depth > 0 ? "v2 B-tree: bad internal node signature"
                                     : "v2 B-tree: bad leaf node signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t type = h5rd__cur_u8(&c);
    const uint8_t *recs = h5rd__cur_bytes(&c, nrec * rec);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "v2 B-tree: unknown node version");
        goto out;
    }
    if (type != w->info.type) {
        e = H5RD_CORRUPT(ec, addr, "v2 B-tree: node type differs from the header's");
        goto out;
    }
    if (depth == 0) {
        for (uint64_t i = 0; i < nrec; i++) {
            if ((e = w->cb(recs + i * rec, (size_t)rec, w->ud, ec)) != H5RD_OK) {
                goto out;
            }
        }
        goto out;
    }
    /* In order: child 0, record 0, child 1, ..., record nrec-1, child nrec. */
    for (uint64_t i = 0; i <= nrec; i++) {
        uint64_t child = h5rd__cur_offset(&c);
        uint64_t child_nrec = h5rd__cur_uvar(&c, g->nrec_nbytes);
        if (depth > 1) {
            (void)h5rd__cur_uvar(&c, g->cum_nbytes[depth - 1]); /* total records below */
        }
        if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
            goto out;
        }
        if ((e = visit(w, child, depth - 1, child_nrec, ec)) != H5RD_OK) {
            goto out;
        }
        if (i < nrec && (e = w->cb(recs + i * rec, (size_t)rec, w->ud, ec)) != H5RD_OK) {
            goto out;
        }
    }
out:
    h5rd__io_release(f, &v);
    return e;
}

h5rd_err h5rd__bt2_iterate(const struct h5rd_file *f, uint64_t hdr_addr, uint8_t expect_type,
                           h5rd__bt2_cb cb, void *ud, struct h5rd_error *ec)
{
    struct bt2_walk w = {f, {0}, NULL, f->nbytes, cb, ud};
    H5RD_TRY(h5rd__bt2_info(f, hdr_addr, &w.info, ec));
    if (expect_type != 0 && w.info.type != expect_type) {
        return H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: record type is not the expected one");
    }
    if (w.info.root_addr == H5RD_ADDR_UNDEF) {
        if (w.info.total_nrecords != 0 || w.info.root_nrecords != 0) {
            return H5RD_CORRUPT(ec, hdr_addr, "v2 B-tree: records counted but no root node");
        }
        return H5RD_OK;
    }
    struct bt2_geom *g = h5rd__malloc(f, sizeof *g, ec);
    if (g == NULL) {
        return ec->code;
    }
    h5rd_err e = compute_geom(f, &w.info, hdr_addr, g, ec);
    if (e == H5RD_OK) {
        w.g = g;
        e = visit(&w, w.info.root_addr, w.info.depth, w.info.root_nrecords, ec);
    }
    h5rd__free(f, g);
    return e;
}
