/*
 * symtab.c - old-style groups: the Symbol Table message names a version 1
 * B-tree of node type 0 whose leaves point to symbol table nodes ("SNOD"),
 * and a local heap holding the link names (and soft link values).
 *
 * Spec v3.0 III.B "Disk Format: Level 1B - Group Symbol Table Nodes",
 * III.C "Symbol Table Entry", III.A.1 "Version 1 B-trees", III.D "Local Heaps".
 *
 * Invariants: each SNOD is parsed from a view bounded by 2 * (group leaf node K) entries and its
 * entry count is checked against both that capacity and the bytes present; an SNOD address met
 * twice in one traversal is CORRUPT (a B-tree whose children point back into it); every name is
 * copied out of the heap, so the links outlive the heap view.
 */
#include "group/group_int.h"

#include "btree/btree.h"
#include "heap/heap.h"
#include "io/cursor.h"
#include "io/source.h"

#include <string.h>

/* Symbol table entry cache types (Spec v3.0 III.C "Symbol Table Entry"). */
#define CACHE_NONE 0u
#define CACHE_STAB 1u
#define CACHE_SOFT 2u

#define SNOD_PREFIX_NBYTES 8u   /* signature, version, reserved, number of symbols */
#define SCRATCH_NBYTES 16u

/* ---- a set of visited SNOD addresses (open addressing; UINT64_MAX marks a free slot) ---- */
struct addrset {
    uint64_t *slot;
    uint64_t cap;   /* power of two, or 0 */
    uint64_t n;
};

static uint64_t addr_hash(uint64_t a)
{
    a ^= a >> 33;
    a *= UINT64_C(0xff51afd7ed558ccd);
    a ^= a >> 33;
    return a;
}

static h5rd_err addrset_rehash(const struct h5rd_file *f, struct addrset *s, uint64_t new_cap,
                               struct h5rd_error *ec)
{
    uint64_t *t = h5rd__calloc(f, new_cap, sizeof(uint64_t), ec);
    if (t == NULL) {
        return ec->code;
    }
    memset(t, 0xff, (size_t)(new_cap * sizeof(uint64_t)));
    for (uint64_t i = 0; i < s->cap; i++) {
        uint64_t a = s->slot[i];
        if (a == UINT64_MAX) {
            continue;
        }
        uint64_t j = addr_hash(a) & (new_cap - 1);
        while (t[j] != UINT64_MAX) {
            j = (j + 1) & (new_cap - 1);
        }
        t[j] = a;
    }
    h5rd__free(f, s->slot);
    s->slot = t;
    s->cap = new_cap;
    return H5RD_OK;
}

/* Adds 'a' (never UINT64_MAX); CORRUPT when it is already present. */
static h5rd_err addrset_add(const struct h5rd_file *f, struct addrset *s, uint64_t a,
                            struct h5rd_error *ec)
{
    if (2 * (s->n + 1) > s->cap) {
        H5RD_TRY(addrset_rehash(f, s, s->cap == 0 ? 64 : s->cap * 2, ec));
    }
    uint64_t j = addr_hash(a) & (s->cap - 1);
    while (s->slot[j] != UINT64_MAX) {
        if (s->slot[j] == a) {
            return H5RD_CORRUPT(ec, a, "group B-tree: symbol table node reached twice");
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = a;
    s->n++;
    return H5RD_OK;
}

/* ---- symbol table nodes ---- */
struct stab_ud {
    struct h5rd__lheap heap;
    struct h5rd__linkvec *vec;
    struct addrset seen;
};

/* Decodes one symbol table entry (the cursor is over exactly its bytes) into *l. */
static h5rd_err decode_entry(const struct h5rd_file *f, struct stab_ud *u, struct h5rd_cur *c,
                             struct h5rd__link *l, struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    uint64_t name_off = h5rd__cur_length(c);
    uint64_t oh_addr = h5rd__cur_offset(c);
    uint32_t cache_type = h5rd__cur_u32(c);
    (void)h5rd__cur_u32(c); /* reserved */
    struct h5rd_cur scratch;
    H5RD_TRY(h5rd__cur_sub(c, SCRATCH_NBYTES, &scratch));
    H5RD_TRY(h5rd__cur_finish(c));

    const char *name;
    size_t name_len;
    H5RD_TRY(h5rd__lheap_string(&u->heap, name_off, &name, &name_len, ec));
    if (name_len == 0) {
        return H5RD_CORRUPT(ec, at, "symbol table entry: empty link name");
    }
    if (name_len > f->limits.max_name_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, at, "symbol table entry: name exceeds max_name_nbytes");
    }

    memset(l, 0, sizeof(*l));
    l->corder = -1;
    l->cset = 0; /* symbol table entries carry no character set: ASCII */
    l->addr = oh_addr;
    if (cache_type == CACHE_SOFT) {
        /* The scratch pad holds the offset of the link value (the target path) in the local
         * heap (Spec v3.0 III.C, "Symbolic Link" scratch-pad format). */
        uint32_t value_off = h5rd__cur_u32(&scratch);
        H5RD_TRY(h5rd__cur_finish(&scratch));
        const char *target;
        size_t target_len;
        H5RD_TRY(h5rd__lheap_string(&u->heap, value_off, &target, &target_len, ec));
        l->type = H5RD_LINK_SOFT;
        l->addr = H5RD_ADDR_UNDEF;
        l->soft = h5rd__strndup(f, target, target_len, ec);
        if (l->soft == NULL) {
            return ec->code;
        }
    } else if (cache_type == CACHE_NONE || cache_type == CACHE_STAB) {
        /* Cache type 1 caches the child group's B-tree and heap addresses; the child's own
         * Symbol Table message is authoritative, so the cache is not used. */
        l->type = H5RD_LINK_HARD;
    } else {
        return H5RD_CORRUPT(ec, at, "symbol table entry: unknown cache type");
    }
    l->name = h5rd__strpool_dup(f, &u->vec->links->names, name, name_len, ec);
    l->name_pooled = true;
    if (l->name == NULL) {
        h5rd__free(f, l->soft);
        l->soft = NULL;
        return ec->code;
    }
    l->name_nbytes = name_len;
    return H5RD_OK;
}

static h5rd_err read_snod(const struct h5rd_file *f, struct stab_ud *u, uint64_t addr,
                          struct h5rd_error *ec)
{
    const uint64_t so = f->sb.size_of_offsets, sl = f->sb.size_of_lengths;
    const uint64_t entry_nbytes = sl + so + 4 + 4 + SCRATCH_NBYTES;
    const uint64_t max_syms = 2 * (uint64_t)f->sb.sym_leaf_k;
    uint64_t max_nbytes;
    if (!h5rd__mul_u64(max_syms, entry_nbytes, &max_nbytes) ||
        !h5rd__add_u64(max_nbytes, SNOD_PREFIX_NBYTES, &max_nbytes)) {
        return H5RD_CORRUPT(ec, addr, "symbol table node: size overflows");
    }

    struct h5rd_view v;
    H5RD_TRY(h5rd__io_view_upto(f, addr, SNOD_PREFIX_NBYTES, max_nbytes, &v, ec));
    h5rd_err rc = H5RD_OK;
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((rc = h5rd__cur_sig(&c, "SNOD", "symbol table node: bad signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    (void)h5rd__cur_u8(&c); /* reserved */
    uint16_t nsyms = h5rd__cur_u16(&c);
    if ((rc = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 1) {
        rc = H5RD_CORRUPT(ec, addr, "symbol table node: unknown version");
        goto out;
    }
    if (nsyms > max_syms) {
        rc = H5RD_CORRUPT(ec, addr, "symbol table node: more symbols than 2 * group leaf K");
        goto out;
    }
    /* Every entry must be present before any is decoded. */
    if ((rc = h5rd__cur_need(&c, (uint64_t)nsyms * entry_nbytes)) != H5RD_OK) {
        goto out;
    }
    for (uint32_t i = 0; i < nsyms; i++) {
        struct h5rd_cur ent;
        if ((rc = h5rd__cur_sub(&c, entry_nbytes, &ent)) != H5RD_OK) {
            goto out;
        }
        uint64_t at = h5rd__cur_addr_here(&ent);
        struct h5rd__link l;
        memset(&l, 0, sizeof(l));
        if ((rc = decode_entry(f, u, &ent, &l, ec)) != H5RD_OK) {
            goto out;
        }
        if ((rc = h5rd__linkvec_push(f, u->vec, &l, at, ec)) != H5RD_OK) {
            goto out;
        }
    }
out:
    h5rd__io_release(f, &v);
    return rc;
}

static h5rd_err snod_cb(const struct h5rd_file *f, const uint8_t *key, size_t key_nbytes,
                        uint64_t child_addr, void *ud, struct h5rd_error *ec)
{
    (void)key;
    (void)key_nbytes;
    struct stab_ud *u = ud;
    if (child_addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, child_addr, "group B-tree: undefined symbol table node address");
    }
    H5RD_TRY(addrset_add(f, &u->seen, child_addr, ec));
    return read_snod(f, u, child_addr, ec);
}

h5rd_err h5rd__symtab_load(const struct h5rd_file *f, const struct h5rd__stab *stab,
                           struct h5rd__linkvec *vec, struct h5rd_error *ec)
{
    struct stab_ud u;
    memset(&u, 0, sizeof(u));
    u.vec = vec;
    H5RD_TRY(h5rd__lheap_load(f, stab->heap_addr, &u.heap, ec));
    h5rd_err rc = h5rd__bt1_iterate(f, stab->btree_addr, 0, 0, snod_cb, &u, ec);
    h5rd__free(f, u.seen.slot);
    h5rd__lheap_free(f, &u.heap);
    return rc;
}
