/*
 * earray.c - the extensible array chunk index (Spec v3.0 "Extensible Array": header
 * "EAHD", index block "EAIB", super blocks "EASB", data blocks "EADB"; layout version 4,
 * index type 4; libhdf5 H5EA*.c and H5Dearray.c). Used for datasets with exactly one unlimited
 * dimension. Element n is the chunk numbered n row-major over the maximum chunk grid with the
 * unlimited dimension moved to the slowest position ("swizzled", H5Dearray.c).
 *
 * Header: "EAHD", version 0, class id (0 unfiltered chunks, 1 filtered), element size, max
 * element-count bits, index block elements, data block minimum elements, super block minimum
 * data block pointers, data block page element bits, six statistics of "size of lengths" bytes
 * (super blocks, their bytes, data blocks, their bytes, max index set + 1, elements realised),
 * index block address, checksum.
 *
 * Element numbering (H5EAhdr.c H5EA__hdr_init): the first 'index block elements' live in the
 * index block. The rest are grouped in super blocks u = 0, 1, ..., nsblks - 1 with
 * nsblks = 1 + max bits - log2(min elements); super block u holds 2^(u/2) data blocks of
 * 2^((u+1)/2) x min elements each, following each other. The index block holds the data
 * block addresses of the first 2 x log2(min pointers) super blocks (2 x (min pointers - 1)
 * addresses) and super block addresses for the rest.
 *
 * Index block: "EAIB", version 0, class id, header address, elements, data block addresses,
 * super block addresses, checksum. Super block: "EASB", version 0, class id, header address,
 * block offset (ceil(max bits / 8) bytes), then when its data blocks are paged (more elements
 * than 2^page bits) one page-initialised bitmap per data block of ceil(pages / 8) bytes - read
 * as one bit string, bit (block x pages + page), most significant bit first, as libhdf5 indexes
 * it - then the data block addresses and the checksum. Data block: "EADB", version 0, class id,
 * header address, block offset, then the elements (unpaged) and the checksum; a paged data
 * block is only that prefix and checksum, its pages following it, each its elements and a
 * checksum.
 *
 * Invariants: parameters are checked as libhdf5 requires them at creation (powers of two,
 * bounds); every block is checksummed before it is parsed; only elements below the header's
 * "max index set" exist (libhdf5's H5EA_iterate bound); every loop runs over bytes present in a
 * view; the bytes of all blocks visited are charged against the file size, so blocks shared by
 * several pointers cannot multiply the work.
 */
#include "chunk/cidx_int.h"

#include "io/source.h"

#include <string.h>

#define EA_PREFIX 10u     /* signature, version, class id, checksum */
#define EA_MAX_SBLKS 65u  /* 1 + 64 - log2(1) */

struct ea_hdr {
    uint64_t addr;
    uint64_t esz;
    unsigned max_bits;
    uint64_t iblk_elmts;
    uint64_t page_nelmts;
    uint64_t max_idx_set;
    uint64_t iblk_addr;
    unsigned aos;          /* bytes of a block offset */
    unsigned nsblks;
    unsigned iblk_nsblks;  /* super blocks whose data blocks the index block points to */
    uint64_t ndblk_addrs;  /* data block addresses in the index block */
    uint64_t nsblk_addrs;  /* super block addresses in the index block */
    /* per super block: data blocks, elements per data block, first element, and whether all
     * its elements can be numbered in 64 bits */
    uint64_t ndblks[EA_MAX_SBLKS];
    uint64_t dblk_nelmts[EA_MAX_SBLKS];
    uint64_t start[EA_MAX_SBLKS];
    bool reachable[EA_MAX_SBLKS];
};

struct ea_walk {
    const struct h5rd__cidx *cx;
    struct ea_hdr h;
    struct h5rd__cidx_grid g;
    uint64_t lo, hi;
    uint64_t budget;  /* block bytes that may still be read */
    h5rd__chunk_cb cb;
    void *ud;
};

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static unsigned log2_pow2(uint64_t v)
{
    unsigned r = 0;
    while (v > 1) {
        v >>= 1;
        r++;
    }
    return r;
}

static h5rd_err ea_read_hdr(const struct h5rd__cidx *cx, struct ea_hdr *h, struct h5rd_error *ec)
{
    const struct h5rd_file *f = cx->f;
    const uint64_t addr = cx->layout->pub.data_addr;
    const uint64_t sl = f->sb.size_of_lengths;
    const uint64_t nbytes = 12 + 6 * sl + f->sb.size_of_offsets + 4;
    struct h5rd_view v = {0};
    h5rd_err e;
    memset(h, 0, sizeof(*h));
    H5RD_TRY(h5rd__io_view(f, addr, nbytes, &v, ec));
    if ((e = h5rd__checksum_verify_block(f, v.p, v.nbytes, addr,
                                         "extensible array header: bad checksum", ec)) != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, "EAHD", "extensible array header: bad signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t cls = h5rd__cur_u8(&c);
    uint8_t esz = h5rd__cur_u8(&c);
    uint8_t max_bits = h5rd__cur_u8(&c);
    uint8_t iblk_elmts = h5rd__cur_u8(&c);
    uint8_t dblk_min = h5rd__cur_u8(&c);
    uint8_t sblk_min_ptrs = h5rd__cur_u8(&c);
    uint8_t page_bits = h5rd__cur_u8(&c);
    (void)h5rd__cur_skip(&c, 4 * sl); /* super/data block counts and sizes */
    h->max_idx_set = h5rd__cur_length(&c);
    (void)h5rd__cur_length(&c);       /* elements realised */
    h->iblk_addr = h5rd__cur_offset(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    e = H5RD_OK;
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "extensible array header: unknown version");
    } else if (cls != (cx->filtered ? 1 : 0)) {
        e = H5RD_CORRUPT(ec, addr, "extensible array header: class id does not match the filters");
    } else if (esz != h5rd__cidx_elem_nbytes(cx)) {
        e = H5RD_CORRUPT(ec, addr,
                         "extensible array header: element size does not match the dataset");
    } else if (max_bits == 0 || max_bits > 64 || !is_pow2(dblk_min) ||
               log2_pow2(dblk_min) > max_bits || !is_pow2(sblk_min_ptrs) || sblk_min_ptrs < 2 ||
               page_bits == 0 || page_bits > 63) {
        e = H5RD_CORRUPT(ec, addr, "extensible array header: bad creation parameters");
    }
    if (e != H5RD_OK) {
        goto out;
    }
    h->addr = addr;
    h->esz = esz;
    h->max_bits = max_bits;
    h->iblk_elmts = iblk_elmts;
    h->page_nelmts = (uint64_t)1 << page_bits;
    h->aos = (max_bits + 7u) / 8u;
    h->nsblks = 1u + max_bits - log2_pow2(dblk_min);
    h->iblk_nsblks = 2u * log2_pow2(sblk_min_ptrs);
    if (h->iblk_nsblks > h->nsblks) {
        e = H5RD_CORRUPT(ec, addr, "extensible array header: more index block super blocks than "
                                   "super blocks");
        goto out;
    }
    h->ndblk_addrs = 2u * ((uint64_t)sblk_min_ptrs - 1u);
    h->nsblk_addrs = h->nsblks - h->iblk_nsblks;
    /* Absolute first element of each super block; a super block whose elements cannot all be
     * numbered in 64 bits is unreachable (no index can name its elements). */
    uint64_t start = h->iblk_elmts;
    bool ok = true;
    for (unsigned u = 0; u < h->nsblks; u++) {
        h->ndblks[u] = (uint64_t)1 << (u / 2);                         /* <= 2^32 */
        h->dblk_nelmts[u] = ((uint64_t)1 << ((u + 1) / 2)) * dblk_min; /* <= 2^39 */
        h->start[u] = start;
        uint64_t span;
        if (!ok || !h5rd__mul_u64(h->ndblks[u], h->dblk_nelmts[u], &span) ||
            !h5rd__add_u64(start, span, &start)) {
            ok = false;
        }
        h->reachable[u] = ok;
    }
out:
    h5rd__io_release(f, &v);
    return e;
}

/* Reads the block of 'nbytes' at 'addr', charging the budget and verifying its checksum. */
static h5rd_err ea_block(struct ea_walk *w, uint64_t addr, uint64_t nbytes, const char *what_sum,
                         struct h5rd_view *v, struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__io_view(w->cx->f, addr, nbytes, v, ec));
    if (nbytes > w->budget) {
        h5rd__io_release(w->cx->f, v);
        return H5RD_CORRUPT(ec, addr,
                            "extensible array: blocks read exceed the file (shared blocks?)");
    }
    w->budget -= nbytes;
    h5rd_err e = h5rd__checksum_verify_block(w->cx->f, v->p, v->nbytes, addr, what_sum, ec);
    if (e != H5RD_OK) {
        h5rd__io_release(w->cx->f, v);
    }
    return e;
}

/* Signature, version, class id and owner of an index, super or data block. */
static h5rd_err ea_prefix(struct ea_walk *w, struct h5rd_cur *c, const char sig[4], uint64_t at,
                          const char *what_sig, struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__cur_sig(c, sig, what_sig));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t cls = h5rd__cur_u8(c);
    uint64_t owner = h5rd__cur_offset(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "extensible array block: unknown version");
    }
    if (cls != (w->cx->filtered ? 1 : 0)) {
        return H5RD_CORRUPT(ec, at, "extensible array block: wrong class id");
    }
    if (owner != w->h.addr) {
        return H5RD_CORRUPT(ec, at, "extensible array block: wrong header address");
    }
    return H5RD_OK;
}

static bool overlaps(const struct ea_walk *w, uint64_t first, uint64_t n)
{
    return first < w->hi && (n > UINT64_MAX - first || first + n > w->lo);
}

/* Visits elements [first, first + n) held in cursor 'c' (positioned at element 'first'). */
static h5rd_err ea_elems(struct ea_walk *w, struct h5rd_cur *c, uint64_t first, uint64_t n,
                         struct h5rd_error *ec)
{
    if (!overlaps(w, first, n)) {
        return H5RD_OK;
    }
    uint64_t k0 = w->lo > first ? w->lo - first : 0;
    uint64_t k1 = w->hi - first < n ? w->hi - first : n;
    H5RD_TRY(h5rd__cur_skip(c, k0 * w->h.esz));
    for (uint64_t k = k0; k < k1; k++) {
        struct h5rd__chunk_rec rec;
        uint64_t at = h5rd__cur_addr_here(c);
        h5rd__cidx_elem_decode(w->cx, c, &rec);
        H5RD_TRY(h5rd__cur_finish(c));
        if (rec.addr == H5RD_ADDR_UNDEF) {
            continue;
        }
        H5RD_TRY(h5rd__cidx_grid_offset(w->cx, &w->g, first + k, at, &rec, ec));
        H5RD_TRY(w->cb(&rec, w->ud, ec));
    }
    return H5RD_OK;
}

/* A data block of 'n' elements starting at element 'first'. 'bitmap' (NULL for data blocks of
 * the index block) holds the page bits of its super block, this block's starting at 'bit0'. */
static h5rd_err ea_dblock(struct ea_walk *w, uint64_t addr, uint64_t first, uint64_t n,
                          const uint8_t *bitmap, uint64_t bit0, struct h5rd_error *ec)
{
    const struct h5rd_file *f = w->cx->f;
    const uint64_t esz = w->h.esz;
    const uint64_t prefix = EA_PREFIX + f->sb.size_of_offsets + w->h.aos;
    struct h5rd_view v = {0};
    h5rd_err e = H5RD_OK;
    if (addr == H5RD_ADDR_UNDEF || !overlaps(w, first, n)) {
        return H5RD_OK;
    }
    if (n <= w->h.page_nelmts) {
        /* n <= 2^39, esz <= 255: no overflow */
        H5RD_TRY(ea_block(w, addr, prefix + n * esz, "extensible array data block: bad checksum",
                          &v, ec));
        struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
        if ((e = ea_prefix(w, &c, "EADB", addr, "extensible array data block: bad signature",
                           ec)) == H5RD_OK &&
            (e = h5rd__cur_skip(&c, w->h.aos)) == H5RD_OK) {
            e = ea_elems(w, &c, first, n, ec);
        }
        h5rd__io_release(f, &v);
        return e;
    }
    if (bitmap == NULL) {
        /* libhdf5 never pages these (its lookup would not cope): reject. */
        return H5RD_CORRUPT(ec, addr, "extensible array: paged data block in the index block");
    }
    /* Paged: the pages follow the block's prefix; the prefix itself is not read (libhdf5 reads
     * only the pages of such blocks). n and page_nelmts are powers of two, n > page_nelmts. */
    const uint64_t npages = n / w->h.page_nelmts;
    const uint64_t page_nbytes = w->h.page_nelmts * esz + 4;
    for (uint64_t p = w->lo > first ? (w->lo - first) / w->h.page_nelmts : 0; p < npages; p++) {
        uint64_t pfirst = first + p * w->h.page_nelmts;
        if (pfirst >= w->hi) {
            break;
        }
        if (!overlaps(w, pfirst, w->h.page_nelmts)) {
            continue;
        }
        uint64_t bit = bit0 + p;
        if ((bitmap[bit / 8] & (0x80u >> (bit % 8))) == 0) {
            continue;
        }
        uint64_t off;
        uint64_t page_addr;
        if (!h5rd__mul_u64(p, page_nbytes, &off) || !h5rd__add_u64(off, prefix, &off) ||
            !h5rd__add_u64(addr, off, &page_addr)) {
            return H5RD_CORRUPT(ec, addr, "extensible array data block: page address overflows");
        }
        H5RD_TRY(ea_block(w, page_addr, page_nbytes,
                          "extensible array data block page: bad checksum", &v, ec));
        struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
        e = ea_elems(w, &c, pfirst, w->h.page_nelmts, ec);
        h5rd__io_release(f, &v);
        H5RD_TRY(e);
    }
    return H5RD_OK;
}

static h5rd_err ea_sblock(struct ea_walk *w, unsigned u, uint64_t addr, struct h5rd_error *ec)
{
    const struct h5rd_file *f = w->cx->f;
    const struct ea_hdr *h = &w->h;
    const uint64_t so = f->sb.size_of_offsets;
    struct h5rd_view v = {0};
    h5rd_err e;
    if (addr == H5RD_ADDR_UNDEF || !h->reachable[u]) {
        return H5RD_OK;
    }
    const uint64_t first = h->start[u];
    const uint64_t span = h->ndblks[u] * h->dblk_nelmts[u]; /* reachable: first + span fits */
    if (!overlaps(w, first, span)) {
        return H5RD_OK;
    }
    const uint64_t n = h->dblk_nelmts[u];
    const bool paged = n > h->page_nelmts;
    const uint64_t npages = paged ? n / h->page_nelmts : 0;
    const uint64_t bitmap_each = paged ? (npages + 7) / 8 : 0;
    uint64_t bitmap_nbytes;
    uint64_t nbytes;
    if (!h5rd__mul_u64(h->ndblks[u], bitmap_each, &bitmap_nbytes) ||
        !h5rd__mul_u64(h->ndblks[u], so, &nbytes) ||
        !h5rd__add_u64(nbytes, bitmap_nbytes, &nbytes) ||
        !h5rd__add_u64(nbytes, EA_PREFIX + so + h->aos, &nbytes)) {
        return H5RD_CORRUPT(ec, addr, "extensible array super block: size overflows");
    }
    H5RD_TRY(ea_block(w, addr, nbytes, "extensible array super block: bad checksum", &v, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = ea_prefix(w, &c, "EASB", addr, "extensible array super block: bad signature", ec)) !=
        H5RD_OK) {
        goto out;
    }
    (void)h5rd__cur_skip(&c, h->aos); /* block offset: libhdf5 does not check it either */
    const uint8_t *bitmap = h5rd__cur_bytes(&c, bitmap_nbytes);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    for (uint64_t j = 0; j < h->ndblks[u]; j++) {
        uint64_t dfirst = first + j * n; /* inside the super block's span */
        if (dfirst >= w->hi) {
            break;
        }
        uint64_t daddr = h5rd__cur_offset(&c);
        if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
            goto out;
        }
        if ((e = ea_dblock(w, daddr, dfirst, n, paged ? bitmap : NULL, j * npages, ec)) !=
            H5RD_OK) {
            goto out;
        }
    }
    e = H5RD_OK;
out:
    h5rd__io_release(f, &v);
    return e;
}

static h5rd_err ea_walk(struct ea_walk *w, struct h5rd_error *ec)
{
    const struct h5rd__cidx *cx = w->cx;
    const struct h5rd_file *f = cx->f;
    const uint64_t so = f->sb.size_of_offsets;
    struct ea_hdr *h = &w->h;
    struct h5rd_view v = {0};
    h5rd_err e;

    if (w->hi > h->max_idx_set) {
        w->hi = h->max_idx_set;
    }
    if (h->iblk_addr == H5RD_ADDR_UNDEF || w->lo >= w->hi) {
        return H5RD_OK;
    }
    /* iblk_elmts <= 255, esz <= 255, address counts <= 2 x 127 + 65: no overflow */
    uint64_t nbytes =
        EA_PREFIX + so + h->iblk_elmts * h->esz + (h->ndblk_addrs + h->nsblk_addrs) * so;
    H5RD_TRY(ea_block(w, h->iblk_addr, nbytes, "extensible array index block: bad checksum", &v,
                      ec));
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = ea_prefix(w, &c, "EAIB", h->iblk_addr, "extensible array index block: bad signature",
                       ec)) != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur ec_elems;
    if ((e = h5rd__cur_sub(&c, h->iblk_elmts * h->esz, &ec_elems)) != H5RD_OK ||
        (e = ea_elems(w, &ec_elems, 0, h->iblk_elmts, ec)) != H5RD_OK) {
        goto out;
    }
    /* Data blocks of the first super blocks, in order. */
    for (unsigned u = 0; u < h->iblk_nsblks; u++) {
        for (uint64_t j = 0; j < h->ndblks[u]; j++) {
            uint64_t daddr = h5rd__cur_offset(&c);
            if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
                goto out;
            }
            /* iblk_nsblks <= 14 (min pointers <= 128): starts are small */
            uint64_t dfirst = h->start[u] + j * h->dblk_nelmts[u];
            if ((e = ea_dblock(w, daddr, dfirst, h->dblk_nelmts[u], NULL, 0, ec)) != H5RD_OK) {
                goto out;
            }
        }
    }
    for (unsigned u = h->iblk_nsblks; u < h->nsblks; u++) {
        uint64_t saddr = h5rd__cur_offset(&c);
        if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
            goto out;
        }
        if ((e = ea_sblock(w, u, saddr, ec)) != H5RD_OK) {
            goto out;
        }
    }
    e = H5RD_OK;
out:
    h5rd__io_release(f, &v);
    return e;
}

/* Common set-up: the unlimited dimension, the swizzled numbering and the header. */
static h5rd_err ea_setup(const struct h5rd__cidx *cx, struct ea_walk *w, struct h5rd_error *ec)
{
    memset(w, 0, sizeof(*w));
    w->cx = cx;
    w->budget = cx->f->nbytes;
    int unlim = -1;
    for (unsigned i = 0; i < cx->rank; i++) {
        if (cx->max_chunks[i] == H5RD_UNLIMITED) {
            if (unlim >= 0) {
                return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                                    "extensible array chunk index: more than one unlimited "
                                    "dimension");
            }
            unlim = (int)i;
        }
    }
    if (unlim < 0) {
        return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                            "extensible array chunk index: no unlimited dimension");
    }
    H5RD_TRY(h5rd__cidx_grid_init(cx, (unsigned)unlim, &w->g, ec));
    return ea_read_hdr(cx, &w->h, ec);
}

h5rd_err h5rd__cidx_earray_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec)
{
    struct ea_walk w;
    H5RD_TRY(ea_setup(cx, &w, ec));
    w.lo = 0;
    w.hi = UINT64_MAX;
    w.cb = cb;
    w.ud = ud;
    return ea_walk(&w, ec);
}

struct one {
    struct h5rd__chunk_rec *rec;
    bool found;
};

static h5rd_err one_cb(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    (void)ec;
    struct one *o = ud;
    *o->rec = *rec;
    o->found = true;
    return H5RD_OK;
}

h5rd_err h5rd__cidx_earray_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec)
{
    struct ea_walk w;
    struct one o = {rec, false};
    H5RD_TRY(ea_setup(cx, &w, ec));
    H5RD_TRY(h5rd__cidx_grid_index(&w.g, scaled, &w.lo, ec));
    w.hi = w.lo + 1;
    w.cb = one_cb;
    w.ud = &o;
    H5RD_TRY(ea_walk(&w, ec));
    if (!o.found) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "chunk index: chunk not stored");
    }
    return H5RD_OK;
}
