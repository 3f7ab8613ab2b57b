/*
 * ohdr.c - object headers, Spec v3.0 IV.A.1 "Object Header" (version 1 prefix, version 2
 * "OHDR" prefix, "OCHK" continuation blocks) and the message iterator.
 *
 * Invariants:
 *  - Each chunk is one view of exactly its bytes; messages are parsed from a cursor over the
 *    chunk's message region only, so a message can never reach into the next chunk.
 *  - Version 2 chunks are checksum-verified before any field after the prefix is used.
 *  - Continuation chains are bounded by limits.max_ohdr_chunks; a continuation naming a chunk
 *    already seen is CORRUPT ("continuation cycle"). Messages are bounded by
 *    limits.max_messages.
 *  - NIL and continuation messages are consumed, never listed. Unknown types are listed unless
 *    flagged "fail if unknown" (0x80), which is UNSUPPORTED.
 *  - As in libhdf5 (H5O__chunk_deserialize), contradictory message flags, the "shareable" flag
 *    on a class libhdf5 never shares, and a reference count message in a version 1 header or
 *    one that does not decode are CORRUPT (the whole header fails).
 *  - msgs[].data points into chunks[], which the header keeps until h5rd__ohdr_free.
 */
#include "object/ohdr.h"

#include "core/checksum.h"
#include "object/msg.h"

#include <string.h>

/* Version 1 prefix: version, reserved, message count, reference count, chunk 0 size, and
 * padding up to 16 bytes (Spec v3.0 IV.A.1.a "Version 1 Data Object Header Prefix"). */
#define V1_PREFIX_NBYTES 16
#define V1_MSGHDR_NBYTES 8
/* Largest version 2 prefix: signature, version, flags, four times, two phase change values and
 * an 8-byte chunk 0 size. */
#define V2_PREFIX_MAX_NBYTES (4 + 1 + 1 + 16 + 4 + 8)

#define V2_FLAG_SIZE_MASK 0x03u
#define V2_FLAG_ATTR_CORDER_TRACKED 0x04u
#define V2_FLAG_ATTR_CORDER_INDEXED 0x08u
#define V2_FLAG_ATTR_PHASE 0x10u
#define V2_FLAG_TIMES 0x20u
#define V2_FLAG_ALL 0x3Fu

struct cont {
    uint64_t addr;
    uint64_t nbytes;
};

/* A third of the datasets of a walk have a continuation (issue 13): their header needs no
 * allocation for it (see also H5RD__OHDR_INLINE_CHUNKS). */
#define LOADER_INLINE_CONTS 2

struct loader {
    const struct h5rd_file *f;
    struct h5rd_error *ec;
    struct h5rd__ohdr *oh;   /* the caller's, filled in place (its inline arrays point into it) */
    uint64_t msg_cap;
    uint64_t chunk_cap;
    struct cont *conts;      /* every continuation target found, in discovery order */
    uint64_t n_conts;
    uint64_t cont_cap;
    struct cont cont_inline[LOADER_INLINE_CONTS]; /* conts' first block: no allocation for a
                                                     header with few continuations */
    bool have_header_mtime;  /* v2 times flag: the header's own mtime wins over messages */
};

static h5rd_err verify_checksum(const struct h5rd_file *f, const struct h5rd_view *v, size_t n,
                                const char *what, struct h5rd_error *ec)
{
    /* The checksum is the 4 bytes after the first n bytes of the view. */
    if (n > v->nbytes || v->nbytes - n < 4) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, v->addr, what);
    }
    return h5rd__checksum_verify_block(f, v->p, n + 4, v->addr, what, ec);
}

/* Makes room for element 'n' of an array that starts in the header's inline storage
 * ('inl', 'n_inl' elements) and moves to an allocation past it: a typical object (a dozen
 * messages in one chunk) then costs no allocation for either (issue 13). */
static h5rd_err grow_inline(struct loader *L, void **arr, void *inl, uint64_t n_inl,
                            uint64_t *cap, uint64_t n, size_t elem_nbytes)
{
    if (*arr == NULL) {
        *arr = inl;
        *cap = n_inl;
    }
    if (n < *cap) {
        return H5RD_OK;
    }
    if (*arr != inl) {
        return h5rd__grow(L->f, arr, cap, n + 1, elem_nbytes, L->ec);
    }
    void *heap = NULL;
    uint64_t hcap = 0;
    H5RD_TRY(h5rd__grow(L->f, &heap, &hcap, n + 1, elem_nbytes, L->ec));
    memcpy(heap, inl, (size_t)n * elem_nbytes);
    *arr = heap;
    *cap = hcap;
    return H5RD_OK;
}

static h5rd_err add_chunk(struct loader *L, const struct h5rd_view *v)
{
    if (L->oh->n_chunks >= L->f->limits.max_ohdr_chunks) {
        return H5RD_FAIL(L->ec, H5RD_E_LIMIT, v->addr, "object header: too many chunks");
    }
    H5RD_TRY(grow_inline(L, (void **)&L->oh->chunks, L->oh->chunk_inline,
                         H5RD__OHDR_INLINE_CHUNKS, &L->chunk_cap, L->oh->n_chunks,
                         sizeof(struct h5rd_view)));
    L->oh->chunks[L->oh->n_chunks++] = *v;
    return H5RD_OK;
}

static h5rd_err add_cont(struct loader *L, uint64_t addr, uint64_t nbytes, uint64_t at)
{
    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(L->ec, at, "object header: continuation to an undefined address");
    }
    /* Chunk 0 starts at the header address (v1 messages at +16, still inside chunk 0). */
    if (addr >= L->oh->addr && addr - L->oh->addr < (L->oh->version == 1 ? V1_PREFIX_NBYTES + 1 : 1)) {
        return H5RD_CORRUPT(L->ec, at, "object header: continuation cycle");
    }
    for (uint64_t i = 0; i < L->n_conts; i++) {
        if (L->conts[i].addr == addr) {
            return H5RD_CORRUPT(L->ec, at, "object header: continuation cycle");
        }
    }
    /* One more chunk than already queued: bounded before it is ever loaded. */
    if (L->n_conts + 1 >= L->f->limits.max_ohdr_chunks) {
        return H5RD_FAIL(L->ec, H5RD_E_LIMIT, at, "object header: too many continuation chunks");
    }
    H5RD_TRY(grow_inline(L, (void **)&L->conts, L->cont_inline, LOADER_INLINE_CONTS,
                         &L->cont_cap, L->n_conts, sizeof(struct cont)));
    L->conts[L->n_conts].addr = addr;
    L->conts[L->n_conts].nbytes = nbytes;
    L->n_conts++;
    return H5RD_OK;
}

/* libhdf5 also knows 0x0018, the metadata cache image message of the superblock extension
 * (format/superblock.c reads it). Type 0x0009 ("bogus", a libhdf5 testing aid) has no message
 * class in release builds of libhdf5, so it counts as unknown there too. */
#define MSG_MDC_IMAGE 0x0018

static bool type_is_known(uint16_t type)
{
    return type <= MSG_MDC_IMAGE && type != H5RD__MSG_BOGUS;
}

/* The message classes libhdf5 lets be shared (H5O_SHARE_IS_SHARABLE in H5O_msg_class_g):
 * dataspace, datatype, both fill value messages, filter pipeline and attribute. */
static bool type_is_shareable(uint16_t type)
{
    return type == H5RD__MSG_DATASPACE || type == H5RD__MSG_DATATYPE ||
           type == H5RD__MSG_FILL_OLD || type == H5RD__MSG_FILL ||
           type == H5RD__MSG_FILTER_PIPELINE || type == H5RD__MSG_ATTRIBUTE;
}

/* The checks libhdf5 makes on every message header as it loads a chunk (H5O__chunk_deserialize):
 * contradictory flag combinations, and the "shareable" flag on a class that cannot be shared. */
static h5rd_err check_msg_flags(struct loader *L, uint16_t type, uint8_t flags, uint64_t at)
{
    if ((flags & H5RD__MSGFLAG_SHARED) != 0 && (flags & H5RD__MSGFLAG_DONT_SHARE) != 0) {
        return H5RD_CORRUPT(L->ec, at, "object header: message both shared and not shareable");
    }
    if ((flags & H5RD__MSGFLAG_WAS_UNKNOWN) != 0 &&
        ((flags & H5RD__MSGFLAG_FAIL_IF_UNKNOWN_W) != 0 ||
         (flags & H5RD__MSGFLAG_MARK_IF_UNKNOWN) == 0)) {
        return H5RD_CORRUPT(L->ec, at, "object header: bad 'was unknown' flag combination");
    }
    if (type_is_known(type) && (flags & H5RD__MSGFLAG_SHAREABLE) != 0 &&
        !type_is_shareable(type)) {
        return H5RD_CORRUPT(L->ec, at,
                            "object header: message of unshareable class flagged as shareable");
    }
    return H5RD_OK;
}

/* The messages that take_msg hands to take_special: continuations, the reference count and
 * modification times (decoded as the header loads), and unknown ones marked "fail if unknown". */
static bool msg_is_special(uint16_t type, uint8_t flags)
{
    return type == H5RD__MSG_CONTINUATION || type == H5RD__MSG_REFCOUNT ||
           type == H5RD__MSG_MTIME || type == H5RD__MSG_MTIME_OLD ||
           (!type_is_known(type) && (flags & H5RD__MSGFLAG_FAIL_IF_UNKNOWN) != 0);
}

/* Appends the message to the header's list (and the index of first messages by type). */
static h5rd_err list_msg(struct loader *L, uint16_t type, uint8_t flags,
                         const struct h5rd_cur *body, int64_t corder)
{
    if (L->oh->n_msgs >= L->f->limits.max_messages) {
        return H5RD_FAIL(L->ec, H5RD_E_LIMIT, h5rd__cur_addr_here(body),
                         "object header: too many messages");
    }
    H5RD_TRY(grow_inline(L, (void **)&L->oh->msgs, L->oh->msg_inline, H5RD__OHDR_INLINE_MSGS,
                         &L->msg_cap, L->oh->n_msgs, sizeof(struct h5rd__msg)));
    if (type < H5RD__OHDR_INDEXED_TYPES && L->oh->first[type] == 0 && L->oh->n_msgs < 255) {
        L->oh->first[type] = (uint8_t)(L->oh->n_msgs + 1);
    }
    struct h5rd__msg *m = &L->oh->msgs[L->oh->n_msgs++];
    m->type = type;
    m->flags = flags;
    m->nbytes = (uint32_t)body->len;
    m->addr = body->addr;
    m->data = body->p;
    m->corder = corder;
    return H5RD_OK;
}

/* take_msg's rare cases (msg_is_special), out of line so that the common path stays small. */
static h5rd_err take_special(struct loader *L, uint16_t type, uint8_t flags,
                             struct h5rd_cur *body, int64_t corder)
{
    uint64_t at = h5rd__cur_addr_here(body);
    if (type == H5RD__MSG_CONTINUATION) {
        uint64_t caddr = 0, clen = 0;
        H5RD_TRY(h5rd__msg_cont_decode(body, &caddr, &clen));
        return add_cont(L, caddr, clen, at);
    }
    if (!type_is_known(type) && (flags & H5RD__MSGFLAG_FAIL_IF_UNKNOWN) != 0) {
        return H5RD_FAIL(L->ec, H5RD_E_UNSUPPORTED, at,
                         "object header: unknown message type marked 'fail if unknown'");
    }
    /* libhdf5 decodes the reference count message as it loads the header, failing the object
     * when the message sits in a version 1 header (whose prefix has the count) or does not
     * decode (H5O__chunk_deserialize). */
    if (type == H5RD__MSG_REFCOUNT) {
        if (L->oh->version == 1) {
            return H5RD_CORRUPT(L->ec, at,
                                "object header: version 1 header with a reference count message");
        }
        struct h5rd_cur c = *body;
        uint32_t rc = 0;
        H5RD_TRY(h5rd__msg_refcount_decode(&c, &rc));
        L->oh->refcount = rc;
    }
    /* The modification time is decoded leniently with a scratch error record (libhdf5 reads it
     * only when asked): a damaged one must not make the object unreadable, and must not leave a
     * stale failure in the caller's record. The record is cleared only for such a message, not
     * for every message (issue 13: it was 7% of a W5 `ls -r`). */
    bool is_mtime = type == H5RD__MSG_MTIME || type == H5RD__MSG_MTIME_OLD;
    if ((flags & H5RD__MSGFLAG_SHARED) == 0 && is_mtime && !L->have_header_mtime) {
        struct h5rd_error scratch;
        h5rd__err_clear(&scratch);
        struct h5rd_cur c = *body;
        c.ec = &scratch;
        int64_t t = -1;
        /* The new message wins over the old one (as libhdf5's H5Oget_info looks it up). */
        if (h5rd__msg_mtime_decode(&c, type == H5RD__MSG_MTIME_OLD, &t) == H5RD_OK &&
            (type == H5RD__MSG_MTIME || L->oh->mtime < 0)) {
            L->oh->mtime = t;
        }
    }
    return list_msg(L, type, flags, body, corder);
}

/* Handles one message: consumes NIL and continuations, records header-level facts, lists the
 * rest. 'body' is a cursor over exactly the message body. Runs for every message of every
 * object (~8 an object in a walk): the flag checks only when a flag is set, the rare types in
 * take_special (issue 13). */
static inline h5rd_err take_msg(struct loader *L, uint16_t type, uint8_t flags,
                                struct h5rd_cur *body, int64_t corder)
{
    if (flags != 0) {
        H5RD_TRY(check_msg_flags(L, type, flags, h5rd__cur_addr_here(body)));
    }
    if (type == H5RD__MSG_NIL) {
        return H5RD_OK;
    }
    if (msg_is_special(type, flags)) {
        return take_special(L, type, flags, body, corder);
    }
    return list_msg(L, type, flags, body, corder);
}

/* Parses the messages of one chunk; 'c' covers exactly the chunk's message region (for v2:
 * without signature/prefix and checksum). Space at the end too small for a message header is a
 * gap (Spec v3.0 IV.A.1.b: "gap" at the end of a version 2 chunk). */
static h5rd_err parse_msgs(struct loader *L, struct h5rd_cur *c)
{
    bool v1 = L->oh->version == 1;
    bool has_corder = !v1 && (L->oh->flags & V2_FLAG_ATTR_CORDER_TRACKED) != 0;
    size_t hdr_nbytes = v1 ? V1_MSGHDR_NBYTES : (has_corder ? 6 : 4);
    /* Each iteration consumes at least hdr_nbytes bytes, so the loop is bounded by the chunk. */
    while (h5rd__cur_left(c) >= hdr_nbytes) {
        uint16_t type;
        uint16_t size;
        uint8_t flags;
        int64_t corder = -1;
        /* The message header in one bounds-checked take (not a checked read per field: this
         * loop runs for every message of every object, issue 13). */
        const uint8_t *h = h5rd__cur_bytes(c, hdr_nbytes);
        if (h == NULL) {
            return h5rd__cur_finish(c);
        }
        if (v1) {
            /* type (2), size (2), flags (1), reserved (3) */
            type = (uint16_t)(h[0] | (h[1] << 8));
            size = (uint16_t)(h[2] | (h[3] << 8));
            flags = h[4];
        } else {
            /* type (1), size (2), flags (1)[, creation order (2)] */
            type = h[0];
            size = (uint16_t)(h[1] | (h[2] << 8));
            flags = h[3];
            if (has_corder) {
                corder = (int64_t)(h[4] | (h[5] << 8));
            }
        }
        if (size > h5rd__cur_left(c)) {
            return H5RD_FAIL(L->ec, H5RD_E_CORRUPT, h5rd__cur_addr_here(c),
                             "object header: message runs past the end of its chunk");
        }
        struct h5rd_cur body;
        H5RD_TRY(h5rd__cur_sub(c, size, &body));
        H5RD_TRY(take_msg(L, type, flags, &body, corder));
        if (v1) {
            /* Version 1 messages are aligned on 8-byte boundaries within the chunk (whose
             * message region itself starts 8-aligned). libhdf5 writes sizes that are already
             * multiples of 8; others are tolerated by aligning the next header. */
            size_t pad = (8 - (c->pos & 7u)) & 7u;
            if (pad > h5rd__cur_left(c)) {
                pad = h5rd__cur_left(c);
            }
            c->pos += pad;
        }
    }
    return H5RD_OK;
}

/* Bytes read past an object header's prefix with it: chunk 0 of most headers is shorter, so
 * one view serves the prefix and the chunk (issue 13: a view is a bounds and truncation check;
 * a walk opens 20,000 headers). */
#define OHDR_READ_AHEAD 1024u
/* How much of chunk 0 is prefetched once its size is known (h5rd__view_prefetch). */
#define OHDR_PREFETCH_NBYTES 1024u

/* The view of the first 'nbytes' of the header at pv's address: pv itself when it already
 * holds them (pv is then handed over), else a new view (pv released). */
static h5rd_err view_whole(const struct h5rd_file *f, struct h5rd_view *pv, uint64_t nbytes,
                           struct h5rd_view *v, struct h5rd_error *ec)
{
    if (nbytes <= pv->nbytes) {
        *v = *pv;
        v->nbytes = (size_t)nbytes;
        return H5RD_OK;
    }
    uint64_t addr = pv->addr;
    h5rd__io_release(f, pv);
    return h5rd__io_view(f, addr, nbytes, v, ec);
}

/* The view the prefix is read from: 'peek' (h5rd__ohdr_load's, handed over) when it holds
 * 'want' bytes, which it does but near the end of the file, else a new one. */
static h5rd_err prefix_view(struct loader *L, struct h5rd_view *peek, uint64_t min_nbytes,
                            uint64_t want, struct h5rd_view *pv)
{
    if (peek->nbytes >= want) {
        *pv = *peek;
        return H5RD_OK;
    }
    h5rd__io_release(L->f, peek);
    return h5rd__io_view_ahead(L->f, L->oh->addr, min_nbytes, want, OHDR_READ_AHEAD, pv, L->ec);
}

static h5rd_err load_v1(struct loader *L, struct h5rd_view *peek)
{
    const struct h5rd_file *f = L->f;
    struct h5rd_view pv = {0};
    H5RD_TRY(prefix_view(L, peek, V1_PREFIX_NBYTES, V1_PREFIX_NBYTES, &pv));
    struct h5rd_cur c = h5rd__view_cur(f, &pv, L->ec);
    uint8_t version = h5rd__cur_u8(&c);
    (void)h5rd__cur_u8(&c); /* reserved */
    (void)h5rd__cur_u16(&c); /* message count: not enforced, as libhdf5 only repairs it */
    uint32_t refcount = h5rd__cur_u32(&c);
    uint32_t size0 = h5rd__cur_u32(&c);
    h5rd_err e = h5rd__cur_finish(&c);
    if (e == H5RD_OK && version != 1) {
        e = H5RD_CORRUPT(L->ec, L->oh->addr, "object header: bad version");
    }
    if (e != H5RD_OK) {
        h5rd__io_release(f, &pv);
        return e;
    }
    L->oh->refcount = refcount;

    /* Chunk 0 is the prefix plus its message region. */
    struct h5rd_view v = {0};
    H5RD_TRY(view_whole(f, &pv, (uint64_t)V1_PREFIX_NBYTES + size0, &v, L->ec));
    h5rd__view_prefetch(&v, OHDR_PREFETCH_NBYTES);
    e = add_chunk(L, &v);
    if (e != H5RD_OK) {
        h5rd__io_release(f, &v);
        return e;
    }
    c = h5rd__view_cur(f, &v, L->ec);
    struct h5rd_cur region;
    H5RD_TRY(h5rd__cur_skip(&c, V1_PREFIX_NBYTES));
    H5RD_TRY(h5rd__cur_sub(&c, size0, &region));
    H5RD_TRY(parse_msgs(L, &region));

    /* Continuation chunks: bare message regions. */
    for (uint64_t i = 0; i < L->n_conts; i++) {
        struct h5rd_view cv = {0};
        H5RD_TRY(h5rd__io_view(f, L->conts[i].addr, L->conts[i].nbytes, &cv, L->ec));
        e = add_chunk(L, &cv);
        if (e != H5RD_OK) {
            h5rd__io_release(f, &cv);
            return e;
        }
        struct h5rd_cur cc = h5rd__view_cur(f, &cv, L->ec);
        H5RD_TRY(parse_msgs(L, &cc));
    }
    return H5RD_OK;
}

static h5rd_err load_v2(struct loader *L, struct h5rd_view *peek)
{
    const struct h5rd_file *f = L->f;
    struct h5rd_view pv = {0};
    H5RD_TRY(prefix_view(L, peek, 7, V2_PREFIX_MAX_NBYTES, &pv));
    struct h5rd_cur c = h5rd__view_cur(f, &pv, L->ec);
    h5rd_err e = h5rd__cur_sig(&c, "OHDR", "object header: bad signature");
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t flags = h5rd__cur_u8(&c);
    uint32_t times[4] = {0, 0, 0, 0};
    uint16_t max_compact = 0, min_dense = 0;
    uint64_t size0 = 0;
    if (e == H5RD_OK && version == 2 && (flags & ~V2_FLAG_ALL) == 0) {
        if ((flags & V2_FLAG_TIMES) != 0) {
            for (int i = 0; i < 4; i++) {
                times[i] = h5rd__cur_u32(&c);
            }
        }
        if ((flags & V2_FLAG_ATTR_PHASE) != 0) {
            max_compact = h5rd__cur_u16(&c);
            min_dense = h5rd__cur_u16(&c);
        }
        size0 = h5rd__cur_uvar(&c, 1u << (flags & V2_FLAG_SIZE_MASK));
    }
    size_t prefix_nbytes = c.pos;
    e = h5rd__cur_finish(&c);
    if (e == H5RD_OK && version != 2) {
        e = H5RD_FAIL(L->ec, H5RD_E_UNSUPPORTED, L->oh->addr, "object header: unsupported version");
    }
    if (e == H5RD_OK && (flags & ~V2_FLAG_ALL) != 0) {
        e = H5RD_CORRUPT(L->ec, L->oh->addr, "object header: unknown header flags");
    }
    if (e != H5RD_OK) {
        h5rd__io_release(f, &pv);
        return e;
    }
    L->oh->flags = flags;
    if ((flags & V2_FLAG_TIMES) != 0) {
        L->oh->mtime = times[1];
        L->have_header_mtime = true;
    }
    L->oh->max_compact = max_compact;
    L->oh->min_dense = min_dense;

    uint64_t total = 0;
    if (!h5rd__add_u64(prefix_nbytes, size0, &total) || !h5rd__add_u64(total, 4, &total)) {
        h5rd__io_release(f, &pv);
        return H5RD_CORRUPT(L->ec, L->oh->addr, "object header: chunk size overflows");
    }
    struct h5rd_view v = {0};
    H5RD_TRY(view_whole(f, &pv, total, &v, L->ec));
    h5rd__view_prefetch(&v, OHDR_PREFETCH_NBYTES);
    e = add_chunk(L, &v);
    if (e != H5RD_OK) {
        h5rd__io_release(f, &v);
        return e;
    }
    H5RD_TRY(verify_checksum(f, &v, v.nbytes - 4, "object header: checksum mismatch", L->ec));
    c = h5rd__view_cur(f, &v, L->ec);
    struct h5rd_cur region;
    H5RD_TRY(h5rd__cur_skip(&c, prefix_nbytes));
    H5RD_TRY(h5rd__cur_sub(&c, size0, &region));
    H5RD_TRY(parse_msgs(L, &region));

    for (uint64_t i = 0; i < L->n_conts; i++) {
        /* "OCHK", messages, checksum: the continuation length covers all of it. */
        if (L->conts[i].nbytes < 8) {
            return H5RD_CORRUPT(L->ec, L->conts[i].addr,
                                "object header: continuation block too small");
        }
        struct h5rd_view cv = {0};
        H5RD_TRY(h5rd__io_view(f, L->conts[i].addr, L->conts[i].nbytes, &cv, L->ec));
        e = add_chunk(L, &cv);
        if (e != H5RD_OK) {
            h5rd__io_release(f, &cv);
            return e;
        }
        H5RD_TRY(verify_checksum(f, &cv, cv.nbytes - 4,
                                 "object header continuation: checksum mismatch", L->ec));
        struct h5rd_cur cc = h5rd__view_cur(f, &cv, L->ec);
        H5RD_TRY(h5rd__cur_sig(&cc, "OCHK", "object header continuation: bad signature"));
        struct h5rd_cur creg;
        H5RD_TRY(h5rd__cur_sub(&cc, cv.nbytes - 8, &creg));
        H5RD_TRY(parse_msgs(L, &creg));
    }
    return H5RD_OK;
}

h5rd_err h5rd__ohdr_load(const struct h5rd_file *f, uint64_t addr, struct h5rd__ohdr *oh,
                         struct h5rd_error *ec)
{
    struct loader L;
    memset(&L, 0, sizeof(L));
    memset(oh, 0, sizeof(*oh));
    L.f = f;
    L.ec = ec;
    L.oh = oh;
    L.oh->indexed = true;
    L.oh->addr = addr;
    L.oh->refcount = 1;
    L.oh->mtime = -1;
    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "object header: undefined address");
    }

    /* The first bytes tell the version: "OHDR" for version 2, a version byte of 1 otherwise.
     * The view reads ahead, so that the prefix and (for most headers) chunk 0 come from it
     * too: one view a header, not three (issue 13). */
    struct h5rd_view pv = {0};
    h5rd_err e = h5rd__io_view_ahead(f, addr, 4, 4, OHDR_READ_AHEAD, &pv, ec);
    if (e != H5RD_OK) {
        return e;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &pv, ec);
    const uint8_t *b = h5rd__cur_bytes(&c, 4);
    if (b == NULL) {
        h5rd__io_release(f, &pv);
        return h5rd__cur_finish(&c);
    }
    if (memcmp(b, "OHDR", 4) == 0) {
        L.oh->version = 2;
        e = load_v2(&L, &pv);
    } else if (b[0] == 1) {
        L.oh->version = 1;
        e = load_v1(&L, &pv);
    } else {
        h5rd__io_release(f, &pv);
        e = H5RD_CORRUPT(ec, addr, "object header: neither version 1 nor an OHDR signature");
    }
    if (L.conts != L.cont_inline) {
        h5rd__free(f, L.conts);
    }
    if (e != H5RD_OK) {
        h5rd__ohdr_free(f, oh);
        return e;
    }
    return H5RD_OK;
}

void h5rd__ohdr_free(const struct h5rd_file *f, struct h5rd__ohdr *oh)
{
    if (oh == NULL) {
        return;
    }
    for (uint32_t i = 0; i < oh->n_chunks; i++) {
        h5rd__io_release(f, &oh->chunks[i]);
    }
    if (oh->chunks != oh->chunk_inline) {
        h5rd__free(f, oh->chunks);
    }
    if (oh->msgs != oh->msg_inline) {
        h5rd__free(f, oh->msgs);
    }
    oh->chunks = NULL;
    oh->msgs = NULL;
    oh->n_chunks = 0;
    oh->n_msgs = 0;
}

const struct h5rd__msg *h5rd__ohdr_find_scan(const struct h5rd__ohdr *oh, uint16_t type,
                                             uint32_t nth)
{
    uint32_t i = 0;
    if (oh->indexed && type < H5RD__OHDR_INDEXED_TYPES && oh->n_msgs < 255) {
        if (oh->first[type] == 0) {
            return NULL;
        }
        i = oh->first[type] - 1u;
    }
    for (; i < oh->n_msgs; i++) {
        if (oh->msgs[i].type == type) {
            if (nth == 0) {
                return &oh->msgs[i];
            }
            nth--;
        }
    }
    return NULL;
}

