/*
 * sohm.c - shared messages: Spec v3.0 III.H "Shared Object Header Message Table" ("SMTB",
 * loaded from the superblock extension) and IV.A.2 "Shared Message" encodings (versions 1-3)
 * resolved to the real message body.
 *
 * Invariants:
 *  - The table is checksum-verified before any index entry is decoded.
 *  - Resolution goes one level only: the target of a shared message must itself be unshared
 *    (a shared message pointing at a shared message is CORRUPT), so hostile files cannot make
 *    resolution recurse or loop.
 *  - A resolved body that does not lie in the file mapping is returned as an owned view.
 */
#include "object/ohdr.h"

#include "core/checksum.h"
#include "heap/heap.h"

#include <string.h>

#define SOHM_MAX_INDEXES 8 /* libhdf5's H5O_SHMESG_MAX_NINDEXES */
#define SOHM_HEAP_ID_NBYTES 8

/* Shared message "type" values of encoding version 3 (Spec v3.0 IV.A.2 "Shared Message"). */
#define SHARE_TYPE_SOHM 1
#define SHARE_TYPE_COMMITTED 2

static h5rd_err verify_checksum(const struct h5rd_file *f, const struct h5rd_view *v, size_t n,
                                const char *what, struct h5rd_error *ec)
{
    /* The checksum is the 4 bytes after the first n bytes of the view. */
    if (n > v->nbytes || v->nbytes - n < 4) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, v->addr, what);
    }
    return h5rd__checksum_verify_block(f, v->p, n + 4, v->addr, what, ec);
}

h5rd_err h5rd__sohm_load(struct h5rd_file *f, uint64_t table_addr, uint32_t n_indexes,
                         struct h5rd_error *ec)
{
    if (n_indexes == 0 || n_indexes > SOHM_MAX_INDEXES) {
        return H5RD_CORRUPT(ec, table_addr, "shared message table: bad number of indexes");
    }
    /* Per index: version, type, message types (2), minimum size (4), list cutoff (2), B-tree
     * cutoff (2), message count (2), index address, heap address. */
    uint64_t entry_nbytes = 14 + 2u * (uint64_t)f->sb.size_of_offsets;
    uint64_t nbytes = 4 + entry_nbytes * n_indexes + 4;
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__io_view(f, table_addr, nbytes, &v, ec));
    struct h5rd__sohm_table *t = NULL;
    h5rd_err e = verify_checksum(f, &v, v.nbytes - 4, "shared message table: checksum mismatch",
                                 ec);
    if (e != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    e = h5rd__cur_sig(&c, "SMTB", "shared message table: bad signature");
    if (e != H5RD_OK) {
        goto out;
    }
    t = h5rd__calloc(f, 1, sizeof(*t), ec);
    if (t == NULL) {
        e = ec->code;
        goto out;
    }
    t->idx = h5rd__calloc(f, n_indexes, sizeof(*t->idx), ec);
    if (t->idx == NULL) {
        e = ec->code;
        goto out;
    }
    t->n_indexes = n_indexes;
    for (uint32_t i = 0; i < n_indexes; i++) {
        struct h5rd__sohm_index *x = &t->idx[i];
        uint64_t at = h5rd__cur_addr_here(&c);
        uint8_t version = h5rd__cur_u8(&c);
        x->type = h5rd__cur_u8(&c);
        x->msg_type_flags = h5rd__cur_u16(&c);
        x->min_msg_nbytes = h5rd__cur_u32(&c);
        x->list_max = h5rd__cur_u16(&c);
        x->btree_min = h5rd__cur_u16(&c);
        x->n_messages = h5rd__cur_u16(&c);
        x->index_addr = h5rd__cur_offset(&c);
        x->heap_addr = h5rd__cur_offset(&c);
        e = h5rd__cur_finish(&c);
        if (e != H5RD_OK) {
            goto out;
        }
        if (version != 0) {
            e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "shared message table: unknown index version");
            goto out;
        }
        if (x->type > 1) {
            e = H5RD_CORRUPT(ec, at, "shared message table: unknown index type");
            goto out;
        }
    }
    h5rd__io_release(f, &v);
    h5rd__sohm_free(f, f->sohm);
    f->sohm = t;
    return H5RD_OK;
out:
    h5rd__io_release(f, &v);
    h5rd__sohm_free(f, t);
    return e;
}

void h5rd__sohm_free(const struct h5rd_file *f, struct h5rd__sohm_table *t)
{
    if (t == NULL) {
        return;
    }
    h5rd__free(f, t->idx);
    h5rd__free(f, t);
}

/* Makes 'v' safe to outlive whatever produced it: a view that is not inside the file mapping
 * (or the caller's memory image) is copied into an owned buffer. */
static h5rd_err own_view(const struct h5rd_file *f, const uint8_t *p, size_t n, uint64_t addr,
                         struct h5rd_view *out, struct h5rd_error *ec)
{
    struct h5rd_view v = {p, n, addr, NULL};
    uintptr_t base = (uintptr_t)f->map;
    uintptr_t q = (uintptr_t)p;
    bool in_map = f->map != NULL && q >= base && (uint64_t)(q - base) <= f->nbytes &&
                  n <= f->nbytes - (uint64_t)(q - base);
    if (!in_map) {
        uint8_t *copy = h5rd__malloc(f, n, ec);
        if (copy == NULL) {
            return ec->code;
        }
        if (n > 0) {
            memcpy(copy, p, n);
        }
        v.p = copy;
        v.owned = copy;
    }
    *out = v;
    return H5RD_OK;
}

/* The message of 'type' in the committed object's header at 'oh_addr' (libhdf5 shares only
 * datatypes this way, but the lookup is by type). */
static h5rd_err resolve_committed(const struct h5rd_file *f, uint16_t type, uint64_t oh_addr,
                                  uint64_t at, struct h5rd_view *body_ret, struct h5rd_error *ec)
{
    struct h5rd__ohdr oh;
    H5RD_TRY(h5rd__ohdr_load(f, oh_addr, &oh, ec));
    h5rd_err e = H5RD_OK;
    const struct h5rd__msg *m = h5rd__ohdr_find(&oh, type, 0);
    if (m == NULL) {
        e = H5RD_CORRUPT(ec, at, "shared message: committed object lacks the message");
    } else if ((m->flags & H5RD__MSGFLAG_SHARED) != 0) {
        e = H5RD_CORRUPT(ec, m->addr, "shared message: target is itself shared");
    } else {
        e = own_view(f, m->data, m->nbytes, m->addr, body_ret, ec);
    }
    h5rd__ohdr_free(f, &oh);
    return e;
}

static h5rd_err resolve_sohm(const struct h5rd_file *f, uint16_t type, const uint8_t *heap_id,
                             uint64_t at, struct h5rd_view *body_ret, struct h5rd_error *ec)
{
    const struct h5rd__sohm_index *x = NULL;
    /* libhdf5 (H5SM__type_to_flag) files the old fill value message under the new one's flag. */
    uint16_t flag_type = type == H5RD__MSG_FILL_OLD ? H5RD__MSG_FILL : type;
    if (f->sohm != NULL && flag_type < 16) {
        for (uint32_t i = 0; i < f->sohm->n_indexes; i++) {
            if ((f->sohm->idx[i].msg_type_flags & (1u << flag_type)) != 0) {
                x = &f->sohm->idx[i];
                break;
            }
        }
    }
    if (x == NULL) {
        return H5RD_CORRUPT(ec, at, "shared message: no shared message index for this type");
    }
    struct h5rd__fheap *fh = NULL;
    H5RD_TRY(h5rd__fheap_open(f, x->heap_addr, &fh, ec));
    struct h5rd_view obj = {0};
    h5rd_err e = h5rd__fheap_get(f, fh, heap_id, SOHM_HEAP_ID_NBYTES, &obj, ec);
    if (e == H5RD_OK) {
        if (obj.owned != NULL) {
            *body_ret = obj; /* already independent of the heap */
        } else {
            e = own_view(f, obj.p, obj.nbytes, obj.addr, body_ret, ec);
            h5rd__io_release(f, &obj);
        }
    }
    h5rd__fheap_close(f, fh);
    return e;
}

h5rd_err h5rd__shared_resolve(const struct h5rd_file *f, uint16_t type, const uint8_t *p,
                              size_t nbytes, uint64_t addr, struct h5rd_view *body_ret,
                              struct h5rd_error *ec)
{
    struct h5rd_cur c = h5rd__cur_make(p, nbytes, addr, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, ec);
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t stype = h5rd__cur_u8(&c);
    H5RD_TRY(h5rd__cur_finish(&c));
    uint64_t oh_addr;
    switch (version) {
    case 1:
        /* Version 1: type (unused), 6 reserved bytes, then what was a symbol table entry: the
         * link name offset (a length-sized field, as libhdf5 skips it) and the committed
         * object's address. */
        H5RD_TRY(h5rd__cur_skip(&c, 6 + (uint64_t)c.sl));
        oh_addr = h5rd__cur_offset(&c);
        H5RD_TRY(h5rd__cur_finish(&c));
        return resolve_committed(f, type, oh_addr, addr, body_ret, ec);
    case 2:
        /* Version 2: always a committed object's address. */
        oh_addr = h5rd__cur_offset(&c);
        H5RD_TRY(h5rd__cur_finish(&c));
        return resolve_committed(f, type, oh_addr, addr, body_ret, ec);
    case 3:
        if (stype == SHARE_TYPE_SOHM) {
            const uint8_t *id = h5rd__cur_bytes(&c, SOHM_HEAP_ID_NBYTES);
            H5RD_TRY(h5rd__cur_finish(&c));
            return resolve_sohm(f, type, id, addr, body_ret, ec);
        }
        if (stype == SHARE_TYPE_COMMITTED) {
            oh_addr = h5rd__cur_offset(&c);
            H5RD_TRY(h5rd__cur_finish(&c));
            return resolve_committed(f, type, oh_addr, addr, body_ret, ec);
        }
        return H5RD_CORRUPT(ec, addr, "shared message: unknown sharing type");
    default:
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "shared message: unknown version");
    }
}
