/*
 * links.c - the links of a group: which storage the group uses, loading
 * compact (Link messages) and dense (fractal heap indexed by a v2 B-tree of
 * type 5) links, ordering them as libhdf5 iterates them for h5py, and lookup.
 *
 * Spec v3.0 IV.A.2.c "Link Info Message", IV.A.2.g "Link Message",
 * III.A.2 "Version 2 B-trees" (record type 5: link name index),
 * III.G "Fractal Heap"; old-style groups are in symtab.c.
 *
 * Storage choice follows libhdf5 (H5G__obj_iterate): a Link Info message wins over a Symbol Table
 * message; with a Link Info message the links are dense when its fractal heap address is defined,
 * else compact. A header with Link messages but no Link Info message is read as compact too
 * (lenient; libhdf5 would call it "not a group").
 *
 * Order (what h5py lists): by creation order when the Link Info message says it is tracked, else
 * by name in byte order (memcmp, a shorter prefix first; libhdf5 sorts with strcmp). Duplicate
 * names are CORRUPT. Invariants: the result array holds exactly n fully decoded links; limits
 * max_links and max_name_nbytes are checked as each link is appended.
 */
#include "group/group_int.h"

#include "btree/btree.h"
#include "heap/heap.h"
#include "io/cursor.h"
#include "io/source.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Link name index record (v2 B-tree type 5): hash of the name (4 bytes), then the heap ID. */
#define NAME_REC_HASH_NBYTES 4u

h5rd_err h5rd__linkvec_push(const struct h5rd_file *f, struct h5rd__linkvec *vec,
                            struct h5rd__link *l, uint64_t addr, struct h5rd_error *ec)
{
    h5rd_err rc = H5RD_OK;
    struct h5rd__links *links = vec->links;
    if (l->name_nbytes > f->limits.max_name_nbytes) {
        rc = H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "link: name exceeds max_name_nbytes");
        goto fail;
    }
    if (links->n >= f->limits.max_links) {
        rc = H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "group: more links than max_links");
        goto fail;
    }
    if (links->n >= vec->cap) {
        void *arr = links->v;
        rc = h5rd__grow(f, &arr, &vec->cap, links->n + 1, sizeof(struct h5rd__link), ec);
        links->v = arr;
        if (rc != H5RD_OK) {
            goto fail;
        }
    }
    links->v[links->n++] = *l;
    memset(l, 0, sizeof(*l));
    return H5RD_OK;
fail:
    h5rd__link_free(f, l);
    memset(l, 0, sizeof(*l));
    return rc;
}

/* ---- ordering ---- */

/* Sorts the links (by name, or stably by creation order: src/core/order.c). */
static h5rd_err order_links(const struct h5rd_file *f, struct h5rd__links *links, uint64_t addr,
                            struct h5rd_error *ec)
{
    static const struct h5rd__named_fields fields = {offsetof(struct h5rd__link, name),
                                                     offsetof(struct h5rd__link, name_nbytes),
                                                     offsetof(struct h5rd__link, corder)};
    void *v = links->v;
    h5rd_err rc = h5rd__order_named(f, &v, (size_t)links->n, sizeof(links->v[0]), &fields,
                                    links->by_corder, addr, "group: two links with the same name",
                                    ec);
    links->v = v;
    return rc;
}

/* ---- compact storage: Link messages in the header ---- */
static h5rd_err load_compact(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                             struct h5rd__linkvec *vec, struct h5rd_error *ec)
{
    for (uint32_t i = 0; i < oh->n_msgs; i++) {
        const struct h5rd__msg *m = &oh->msgs[i];
        if (m->type != H5RD__MSG_LINK) {
            continue;
        }
        struct h5rd_view body;
        H5RD_TRY(h5rd__msg_body(f, m, &body, ec));
        struct h5rd_cur c = h5rd__view_cur(f, &body, ec);
        struct h5rd__link l;
        memset(&l, 0, sizeof(l));
        h5rd_err rc = h5rd__msg_link_decode(f, &c, &vec->links->names, &l);
        h5rd__io_release(f, &body);
        if (rc != H5RD_OK) {
            return rc;
        }
        H5RD_TRY(h5rd__linkvec_push(f, vec, &l, m->addr, ec));
    }
    return H5RD_OK;
}

/* ---- dense storage: fractal heap of Link messages, name index v2 B-tree type 5 ---- */
struct dense_ud {
    const struct h5rd_file *f;
    const struct h5rd__fheap *fh;
    uint32_t id_nbytes;
    struct h5rd__linkvec *vec;
    uint64_t bt2_addr;
};

static h5rd_err dense_rec_cb(const uint8_t *rec, size_t rec_nbytes, void *ud,
                             struct h5rd_error *ec)
{
    struct dense_ud *u = ud;
    const struct h5rd_file *f = u->f;
    struct h5rd_cur rc_cur = h5rd__cur_make(rec, rec_nbytes, H5RD_ADDR_UNDEF,
                                            f->sb.size_of_offsets, f->sb.size_of_lengths, ec);
    (void)h5rd__cur_u32(&rc_cur); /* hash of the name: only the B-tree's sort key */
    const uint8_t *id = h5rd__cur_bytes(&rc_cur, u->id_nbytes);
    if (id == NULL) {
        return H5RD_CORRUPT(ec, u->bt2_addr, "link name index: record shorter than a heap ID");
    }

    struct h5rd_view obj;
    H5RD_TRY(h5rd__fheap_get(f, u->fh, id, u->id_nbytes, &obj, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &obj, ec);
    struct h5rd__link l;
    memset(&l, 0, sizeof(l));
    h5rd_err rc = h5rd__msg_link_decode(f, &c, &u->vec->links->names, &l);
    uint64_t at = obj.addr;
    h5rd__io_release(f, &obj);
    if (rc != H5RD_OK) {
        return rc;
    }
    return h5rd__linkvec_push(f, u->vec, &l, at, ec);
}

static h5rd_err load_dense(const struct h5rd_file *f, const struct h5rd__linfo *li,
                           struct h5rd__linkvec *vec, struct h5rd_error *ec)
{
    if (li->name_bt2_addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, li->fheap_addr, "link info: dense links without a name index");
    }
    struct h5rd__fheap *fh = NULL;
    H5RD_TRY(h5rd__fheap_open(f, li->fheap_addr, &fh, ec));
    struct dense_ud u = {f, fh, h5rd__fheap_id_nbytes(fh), vec, li->name_bt2_addr};
    h5rd_err rc = h5rd__bt2_iterate(f, li->name_bt2_addr, 5, dense_rec_cb, &u, ec);
    h5rd__fheap_close(f, fh);
    return rc;
}

/* ---- entry points ---- */
static h5rd_err decode_linfo(const struct h5rd_file *f, const struct h5rd__msg *m,
                             struct h5rd__linfo *out, struct h5rd_error *ec)
{
    struct h5rd_view body;
    H5RD_TRY(h5rd__msg_body(f, m, &body, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &body, ec);
    h5rd_err rc = h5rd__msg_linfo_decode(f, &c, out);
    h5rd__io_release(f, &body);
    return rc;
}

static h5rd_err decode_stab(const struct h5rd_file *f, const struct h5rd__msg *m,
                            struct h5rd__stab *out, struct h5rd_error *ec)
{
    struct h5rd_view body;
    H5RD_TRY(h5rd__msg_body(f, m, &body, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &body, ec);
    h5rd_err rc = h5rd__msg_stab_decode(&c, out);
    h5rd__io_release(f, &body);
    return rc;
}

h5rd_err h5rd__group_load_links(const struct h5rd_file *f, const struct h5rd__ohdr *oh,
                                struct h5rd__links *out, struct h5rd_error *ec)
{
    struct h5rd__links links = {0};
    struct h5rd__linkvec vec = {&links, 0};
    h5rd_err rc = H5RD_OK;

    const struct h5rd__msg *linfo_msg = h5rd__ohdr_find(oh, H5RD__MSG_LINK_INFO, 0);
    const struct h5rd__msg *stab_msg = h5rd__ohdr_find(oh, H5RD__MSG_SYMBOL_TABLE, 0);
    if (linfo_msg != NULL) {
        struct h5rd__linfo li;
        if ((rc = decode_linfo(f, linfo_msg, &li, ec)) != H5RD_OK) {
            goto out;
        }
        /* h5py lists the root group through its File object, whose creation property list
         * never reports link creation order: the root is listed by name even when tracked. */
        links.by_corder = li.track_corder && oh->addr != f->sb.root_addr;
        if (li.fheap_addr != H5RD_ADDR_UNDEF) {
            rc = load_dense(f, &li, &vec, ec);
        } else {
            rc = load_compact(f, oh, &vec, ec);
        }
    } else if (stab_msg != NULL) {
        struct h5rd__stab st;
        if ((rc = decode_stab(f, stab_msg, &st, ec)) != H5RD_OK) {
            goto out;
        }
        rc = h5rd__symtab_load(f, &st, &vec, ec);
    } else if (h5rd__ohdr_find(oh, H5RD__MSG_LINK, 0) != NULL) {
        rc = load_compact(f, oh, &vec, ec);
    } else {
        rc = H5RD_FAIL(ec, H5RD_E_TYPE, oh->addr, "group: object is not a group");
    }
    if (rc != H5RD_OK) {
        goto out;
    }
    rc = order_links(f, &links, oh->addr, ec);
out:
    if (rc != H5RD_OK) {
        h5rd__links_free(f, &links);
        return rc;
    }
    *out = links;
    return H5RD_OK;
}

void h5rd__links_free(const struct h5rd_file *f, struct h5rd__links *links)
{
    if (links == NULL) {
        return;
    }
    for (uint64_t i = 0; i < links->n; i++) {
        h5rd__link_free(f, &links->v[i]);
    }
    h5rd__free(f, links->v);
    h5rd__strpool_free(f, &links->names);
    links->v = NULL;
    links->n = 0;
}

const struct h5rd__link *h5rd__links_find(const struct h5rd__links *links, const char *name,
                                          size_t name_nbytes)
{
    if (links == NULL || links->n == 0) {
        return NULL;
    }
    if (links->by_corder) {
        for (uint64_t i = 0; i < links->n; i++) {
            const struct h5rd__link *l = &links->v[i];
            if (h5rd__name_cmp(l->name, l->name_nbytes, name, name_nbytes) == 0) {
                return l;
            }
        }
        return NULL;
    }
    uint64_t lo = 0, hi = links->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        const struct h5rd__link *l = &links->v[mid];
        int r = h5rd__name_cmp(l->name, l->name_nbytes, name, name_nbytes);
        if (r == 0) {
            return l;
        }
        if (r < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}
