/*
 * attr.c - the attributes of an object: compact (Attribute messages in the
 * object header, possibly shared) or dense (Attribute Info message: a fractal
 * heap of Attribute messages indexed by a v2 B-tree of type 8), in the order
 * h5py lists them.
 *
 * Spec v3.0 IV.A.2.m "Attribute Message", IV.A.2.u "Attribute Info Message",
 * III.A.2 "Version 2 B-trees" (record type 8: attribute name index), III.G "Fractal Heap",
 * IV.A.2 "Shared Message" (records flagged shared live in the shared message heap).
 *
 * Storage choice follows libhdf5 (H5O__attr_iterate): dense when an Attribute Info message has a
 * defined fractal heap address, else every Attribute message of the header.
 * Order: h5py asks for creation order when the object's creation property list says attribute
 * creation order is tracked, which libhdf5 derives from the version 2 header flag 0x04 (mirrored by
 * the Attribute Info message's flag bit 0); otherwise by name in byte order (memcmp, a shorter
 * prefix first). Duplicate names are CORRUPT. Bounded by limits.max_attrs / max_name_nbytes.
 */
#include "attr/attr.h"

#include "btree/btree.h"
#include "heap/heap.h"
#include "io/cursor.h"
#include "io/source.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Version 2 object header flag: attribute creation order tracked (Spec v3.0 IV.A.1.b). */
#define OHDR_ATTR_CORDER_TRACKED 0x04u

/* Attribute name index record (v2 B-tree type 8): heap ID (8), message flags (1),
 * creation order (4), hash of the name (4). */
#define ATTR_REC_ID_NBYTES 8u
#define ATTR_REC_NBYTES (ATTR_REC_ID_NBYTES + 1u + 4u + 4u)

/* Shared message encoding, version 3, "stored in the shared message heap" (Spec v3.0 IV.A.2
 * "Shared Message"): version (1), type (1), heap ID (8). */
#define SHARED_V3 3u
#define SHARED_TYPE_SOHM 1u

struct attrvec {
    struct h5rd__attrs *attrs;
    uint64_t cap;
};

/* Appends *a (ownership taken in every case), checking max_attrs and max_name_nbytes. */
static h5rd_err push_attr(const struct h5rd_file *f, struct attrvec *vec, struct h5rd__attr *a,
                          uint64_t addr, struct h5rd_error *ec)
{
    h5rd_err rc = H5RD_OK;
    struct h5rd__attrs *attrs = vec->attrs;
    if (a->name_nbytes > f->limits.max_name_nbytes) {
        rc = H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "attribute: name exceeds max_name_nbytes");
        goto fail;
    }
    if (attrs->n >= f->limits.max_attrs) {
        rc = H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "object: more attributes than max_attrs");
        goto fail;
    }
    if (attrs->n >= vec->cap) {
        void *arr = attrs->v;
        rc = h5rd__grow(f, &arr, &vec->cap, attrs->n + 1, sizeof(struct h5rd__attr), ec);
        attrs->v = arr;
        if (rc != H5RD_OK) {
            goto fail;
        }
    }
    attrs->v[attrs->n++] = *a;
    memset(a, 0, sizeof(*a));
    return H5RD_OK;
fail:
    h5rd__attr_free(f, a);
    memset(a, 0, sizeof(*a));
    return rc;
}

/* Decodes the Attribute message in 'body' and appends it; 'corder' is used when the message
 * itself carries none (it lives in the header message prefix or the index record). */
static h5rd_err decode_push(const struct h5rd_file *f, struct attrvec *vec,
                            const struct h5rd_view *body, int64_t corder, struct h5rd_error *ec)
{
    struct h5rd_cur c = h5rd__view_cur(f, body, ec);
    struct h5rd__attr a;
    memset(&a, 0, sizeof(a));
    H5RD_TRY(h5rd__msg_attr_decode(f, &c, &a));
    if (a.corder < 0) {
        a.corder = corder;
    }
    return push_attr(f, vec, &a, body->addr, ec);
}

/* ---- ordering ---- */

/* Sorts the attributes (by name, or stably by creation order: src/core/order.c). */
static h5rd_err order_attrs(const struct h5rd_file *f, struct h5rd__attrs *attrs, bool by_corder,
                            uint64_t addr, struct h5rd_error *ec)
{
    static const struct h5rd__named_fields fields = {offsetof(struct h5rd__attr, name),
                                                     offsetof(struct h5rd__attr, name_nbytes),
                                                     offsetof(struct h5rd__attr, corder)};
    void *v = attrs->v;
    h5rd_err rc = h5rd__order_named(f, &v, (size_t)attrs->n, sizeof(attrs->v[0]), &fields,
                                    by_corder, addr, "object: two attributes with the same name",
                                    ec);
    attrs->v = v;
    return rc;
}

/* ---- compact storage ---- */
static h5rd_err load_compact(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                             struct attrvec *vec, struct h5rd_error *ec)
{
    for (uint32_t i = 0; i < oh->n_msgs; i++) {
        const struct h5rd__msg *m = &oh->msgs[i];
        if (m->type != H5RD__MSG_ATTRIBUTE) {
            continue;
        }
        /* A shared Attribute message (flag bit 1) is resolved to its real body first. */
        struct h5rd_view body;
        H5RD_TRY(h5rd__msg_body(f, m, &body, ec));
        h5rd_err rc = decode_push(f, vec, &body, m->corder, ec);
        h5rd__io_release(f, &body);
        H5RD_TRY(rc);
    }
    return H5RD_OK;
}

/* ---- dense storage ---- */
struct dense_ud {
    const struct h5rd_file *f;
    const struct h5rd__fheap *fh;
    uint32_t id_nbytes;
    struct attrvec *vec;
    uint64_t bt2_addr;
};

static h5rd_err dense_rec_cb(const uint8_t *rec, size_t rec_nbytes, void *ud,
                             struct h5rd_error *ec)
{
    struct dense_ud *u = ud;
    const struct h5rd_file *f = u->f;
    if (rec_nbytes < ATTR_REC_NBYTES) {
        return H5RD_CORRUPT(ec, u->bt2_addr, "attribute name index: record too short");
    }
    struct h5rd_cur c = h5rd__cur_make(rec, rec_nbytes, H5RD_ADDR_UNDEF, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, ec);
    const uint8_t *id = h5rd__cur_bytes(&c, ATTR_REC_ID_NBYTES);
    uint8_t flags = h5rd__cur_u8(&c);
    uint32_t corder = h5rd__cur_u32(&c);
    (void)h5rd__cur_u32(&c); /* hash of the name: only the B-tree's sort key */
    H5RD_TRY(h5rd__cur_finish(&c));

    struct h5rd_view body;
    if ((flags & H5RD__MSGFLAG_SHARED) != 0) {
        /* The ID names the message in the shared message heap: resolve it as a version 3
         * shared message of type "in the SOHM heap" would be (libhdf5 reads it from the shared
         * heap with this very ID). */
        uint8_t enc[2 + ATTR_REC_ID_NBYTES];
        enc[0] = SHARED_V3;
        enc[1] = SHARED_TYPE_SOHM;
        memcpy(enc + 2, id, ATTR_REC_ID_NBYTES);
        H5RD_TRY(h5rd__shared_resolve(f, H5RD__MSG_ATTRIBUTE, enc, sizeof(enc), u->bt2_addr,
                                      &body, ec));
    } else {
        H5RD_TRY(h5rd__fheap_get(f, u->fh, id, u->id_nbytes, &body, ec));
    }
    h5rd_err rc = decode_push(f, u->vec, &body, (int64_t)corder, ec);
    h5rd__io_release(f, &body);
    return rc;
}

static h5rd_err load_dense(const struct h5rd_file *f, const struct h5rd__ainfo *ai,
                           struct attrvec *vec, struct h5rd_error *ec)
{
    if (ai->name_bt2_addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, ai->fheap_addr,
                            "attribute info: dense storage without a name index");
    }
    struct h5rd__fheap *fh = NULL;
    H5RD_TRY(h5rd__fheap_open(f, ai->fheap_addr, &fh, ec));
    h5rd_err rc = H5RD_OK;
    uint32_t id_nbytes = h5rd__fheap_id_nbytes(fh);
    if (id_nbytes == 0 || id_nbytes > ATTR_REC_ID_NBYTES) {
        rc = H5RD_CORRUPT(ec, ai->fheap_addr,
                          "attribute heap: heap IDs do not fit the index records");
        goto out;
    }
    struct dense_ud u = {f, fh, id_nbytes, vec, ai->name_bt2_addr};
    rc = h5rd__bt2_iterate(f, ai->name_bt2_addr, 8, dense_rec_cb, &u, ec);
out:
    h5rd__fheap_close(f, fh);
    return rc;
}

/* ---- entry points ---- */
h5rd_err h5rd__attrs_load(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                          struct h5rd__attrs *out, struct h5rd_error *ec)
{
    struct h5rd__attrs attrs = {0, NULL};
    struct attrvec vec = {&attrs, 0};
    h5rd_err rc = H5RD_OK;
    bool by_corder = oh->version >= 2 && (oh->flags & OHDR_ATTR_CORDER_TRACKED) != 0;

    /* libhdf5 only looks for an Attribute Info message in version 2 headers. */
    const struct h5rd__msg *ainfo_msg =
        oh->version >= 2 ? h5rd__ohdr_find(oh, H5RD__MSG_ATTRIBUTE_INFO, 0) : NULL;
    struct h5rd__ainfo ai;
    memset(&ai, 0, sizeof(ai));
    ai.fheap_addr = H5RD_ADDR_UNDEF;
    if (ainfo_msg != NULL) {
        struct h5rd_view body;
        if ((rc = h5rd__msg_body(f, ainfo_msg, &body, ec)) != H5RD_OK) {
            goto out;
        }
        struct h5rd_cur c = h5rd__view_cur(f, &body, ec);
        rc = h5rd__msg_ainfo_decode(f, &c, &ai);
        h5rd__io_release(f, &body);
        if (rc != H5RD_OK) {
            goto out;
        }
    }
    if (ai.fheap_addr != H5RD_ADDR_UNDEF) {
        rc = load_dense(f, &ai, &vec, ec);
    } else {
        rc = load_compact(f, oh, &vec, ec);
    }
    if (rc != H5RD_OK) {
        goto out;
    }
    rc = order_attrs(f, &attrs, by_corder, oh->addr, ec);
out:
    if (rc != H5RD_OK) {
        h5rd__attrs_free(f, &attrs);
        return rc;
    }
    *out = attrs;
    return H5RD_OK;
}

void h5rd__attrs_free(const struct h5rd_file *f, struct h5rd__attrs *attrs)
{
    if (attrs == NULL) {
        return;
    }
    for (uint64_t i = 0; i < attrs->n; i++) {
        h5rd__attr_free(f, &attrs->v[i]);
    }
    h5rd__free(f, attrs->v);
    attrs->v = NULL;
    attrs->n = 0;
}
