/*
 * refresh.c - following a writer that appends (h5rd_dataset_refresh, H5RD_OPEN_LIVE): the
 * snapshots of a dataset handle. src/api/api_refresh.c is the public face; the engine takes a
 * call's snapshot (read/dview.c h5rd__dcur_enter_at).
 *
 * A libhdf5 SWMR writer extends a dataset by writing the new chunks, then the chunk index
 * (extensible array, v2 B-tree), then the dataspace message of the object header, each
 * in place and, with libver="latest", under a checksum (libhdf5's flush dependencies order
 * those writes for SWMR readers). A refresh reads the header and the index again and
 * publishes what it read as a new snapshot (read/read.h struct h5rd__dstate).
 *
 * Freeing superseded snapshots without a lock: every call that uses a snapshot increments the
 * handle's reader count BEFORE it loads the snapshot pointer, and decrements it when done. A
 * refresh swaps the pointer, pushes the old snapshot on the retired list, then takes the whole
 * list and reads the count. All of these are sequentially consistent, so if the count read is
 * 0, every call that could have loaded a snapshot of the list has finished, and any call that
 * starts later loads the current snapshot (which is never on the list: it was swapped out
 * before being pushed). A non-zero count puts the list back for a later refresh (or close).
 * A handle that was never refreshed costs its calls one atomic load (state == NULL: the fields
 * decoded at open, which live as long as the handle).
 */
#define _POSIX_C_SOURCE 200809L
#include "file/file.h"
#include "io/source.h"
#include "object/msg.h"

#include <string.h>
#include <time.h>

void h5rd__dcur_enter(const h5rd_obj *o, struct h5rd__dcur *c)
{
    if (o == NULL) {
        memset(c, 0, sizeof *c);
        return;
    }
    h5rd_obj *m = (h5rd_obj *)(uintptr_t)o; /* only the atomic fields are written */
    h5rd__dcur_enter_at(&m->state, &m->readers, &o->space, &o->layout, &m->chunks, c);
}

static void dstate_free(struct h5rd_file *f, struct h5rd__dstate *st)
{
    struct h5rd__chunk_table *t = atomic_load(&st->chunks);
    if (t != NULL) {
        h5rd__chunk_table_free(f, t);
        h5rd__free(f, t);
    }
    h5rd__layout_free(f, &st->layout);
    h5rd__free(f, st);
}

static void dstate_free_list(struct h5rd_file *f, struct h5rd__dstate *st)
{
    while (st != NULL) {
        struct h5rd__dstate *next = st->older;
        dstate_free(f, st);
        st = next;
    }
}

void h5rd__obj_dstate_free(h5rd_obj *o)
{
    /* Called as the handle is freed, when no other thread can reach it: plain loads tell the
     * common case (never refreshed) without two locked exchanges. */
    if (atomic_load_explicit(&o->retired, memory_order_relaxed) == NULL &&
        atomic_load_explicit(&o->state, memory_order_relaxed) == NULL) {
        return;
    }
    dstate_free_list(o->file, atomic_exchange(&o->retired, NULL));
    struct h5rd__dstate *cur = atomic_exchange(&o->state, NULL);
    if (cur != NULL) {
        cur->older = NULL;
        dstate_free(o->file, cur);
    }
}

/* Pushes the list head..tail onto the handle's retired list. */
static void retire(h5rd_obj *o, struct h5rd__dstate *head, struct h5rd__dstate *tail)
{
    struct h5rd__dstate *top = atomic_load(&o->retired);
    do {
        tail->older = top;
    } while (!atomic_compare_exchange_weak(&o->retired, &top, head));
}

/* Frees the retired snapshots when no call of the handle is in flight (see the top). */
static void reclaim(h5rd_obj *o)
{
    struct h5rd__dstate *list = atomic_exchange(&o->retired, NULL);
    if (list == NULL) {
        return;
    }
    if (atomic_load(&o->readers) == 0) {
        dstate_free_list(o->file, list);
        return;
    }
    struct h5rd__dstate *tail = list;
    while (tail->older != NULL) {
        tail = tail->older;
    }
    retire(o, list, tail);
}

/* Decodes message 'type' of 'oh' with 'decode' (which receives the body's cursor). */
#define DECODE(f, oh, type, what, call_with_cursor)                                                \
    do {                                                                                           \
        const struct h5rd__msg *m_ = h5rd__ohdr_find((oh), (type), 0);                             \
        if (m_ == NULL) {                                                                          \
            e = H5RD_CORRUPT(ec, o->addr, what);                                                   \
            goto out;                                                                              \
        }                                                                                          \
        struct h5rd_view v_;                                                                       \
        e = h5rd__msg_body((f), m_, &v_, ec);                                                      \
        if (e == H5RD_OK) {                                                                        \
            struct h5rd_cur cur = h5rd__view_cur((f), &v_, ec);                                    \
            e = (call_with_cursor);                                                                \
            h5rd__io_release((f), &v_);                                                            \
        }                                                                                          \
        if (e != H5RD_OK) {                                                                        \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* One read of the header and the index into 'st'. */
static h5rd_err load_state(h5rd_obj *o, struct h5rd__dstate *st, struct h5rd_error *ec)
{
    struct h5rd_file *f = o->file;
    h5rd_err e = H5RD_OK;
    struct h5rd__ohdr oh;
    memset(&oh, 0, sizeof oh);
    memset(&st->space, 0, sizeof st->space);
    h5rd__layout_free(f, &st->layout);
    memset(&st->layout, 0, sizeof st->layout);
    e = h5rd__ohdr_load(f, o->addr, &oh, ec);
    if (e != H5RD_OK) {
        return e;
    }
    DECODE(f, &oh, H5RD__MSG_DATASPACE, "dataset: no Dataspace message",
           h5rd__msg_dataspace_decode(f, &cur, &st->space));
    DECODE(f, &oh, H5RD__MSG_LAYOUT, "dataset: no Data Layout message",
           h5rd__msg_layout_decode(f, &cur, &st->layout));
    /* A writer can change the extent, not the kind of storage (or the type and filters this
     * handle keeps from open): anything else is another object now. */
    const struct h5rd_layout *a = &o->layout.pub, *b = &st->layout.pub;
    if (st->space.kind != o->space.kind || st->space.rank != o->space.rank || a->cls != b->cls ||
        a->rank != b->rank || a->chunk_index != b->chunk_index ||
        memcmp(a->chunk_dims, b->chunk_dims, sizeof a->chunk_dims) != 0) {
        e = H5RD_CORRUPT(ec, o->addr, "refresh: the dataset's rank or storage changed");
        goto out;
    }
    for (uint32_t k = 0; k < st->space.rank; k++) {
        if (st->space.dims[k] > st->space.maxdims[k]) {
            e = H5RD_CORRUPT(ec, o->addr, "refresh: extent beyond the maximum dimensions");
            goto out;
        }
    }
    if (b->cls == H5RD_LAYOUT_CHUNKED) {
        struct h5rd__chunk_table *t = h5rd__calloc(f, 1, sizeof *t, ec);
        if (t == NULL) {
            e = ec->code;
            goto out;
        }
        e = h5rd__chunk_table_build(f, &st->layout, &o->pline, &st->space, t, ec);
        if (e != H5RD_OK) {
            h5rd__free(f, t);
            goto out;
        }
        atomic_store(&st->chunks, t);
    }
out:
    h5rd__ohdr_free(f, &oh);
    return e;
}

h5rd_err h5rd__obj_refresh(h5rd_obj *dset, struct h5rd_error *ec)
{
    if (dset->kind != H5RD_OBJ_DATASET || !dset->has_layout) {
        h5rd__err_set_path(ec, dset->path);
        return H5RD_FAIL(ec, H5RD_E_TYPE, dset->addr, "dataset: object is not a dataset");
    }
    if (dset->layout.pub.cls == H5RD_LAYOUT_VIRTUAL) {
        h5rd__err_set_path(ec, dset->path);
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, dset->addr,
                         "refresh: virtual datasets are not refreshed");
    }
    struct h5rd_file *f = dset->file;
    h5rd__src_live_grow(f);
    struct h5rd__dstate *st = h5rd__calloc(f, 1, sizeof *st, ec);
    if (st == NULL) {
        return ec->code;
    }
    atomic_init(&st->chunks, NULL);
    h5rd_err e;
    for (uint32_t attempt = 0;; attempt++) {
        e = load_state(dset, st, ec);
        if (e == H5RD_OK || !h5rd__live_retry(f, e, attempt)) {
            break;
        }
        h5rd__err_clear(ec);
    }
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, dset->path);
        st->older = NULL;
        dstate_free(f, st);
        return e;
    }
    /* Published even when it reads as the current one: a chunk rewritten in place (a fixed
     * array's dataset) keeps its address and size, and only a new generation tells the
     * decoded-chunk caches that their copy may be stale. */
    st->gen = atomic_fetch_add(&dset->gens, 1) + 1; /* unique per handle, 0 is "as opened" */
    struct h5rd__dstate *old = atomic_exchange(&dset->state, st);
    if (old != NULL) {
        retire(dset, old, old);
    }
    reclaim(dset);
    return H5RD_OK;
}
