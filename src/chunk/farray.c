/*
 * farray.c - the fixed array chunk index (Spec v3.0 "Fixed Array" header "FAHD" and
 * data block "FADB"; layout version 4, index type 3; libhdf5 H5FA*.c and H5Dfarray.c). Used
 * for datasets without unlimited dimensions; element n is the chunk numbered n row-major over
 * the grid of chunks covering the maximum dimensions.
 *
 * Header: "FAHD", version 0, client id (0 unfiltered chunks, 1 filtered), element size,
 * log2 of the elements per data block page, number of elements (size of lengths), data block
 * address, checksum. Data block: "FADB", version 0, client id, header address, then either the
 * elements, or (more elements than one page holds) a page-initialised bitmap of
 * ceil(pages / 8) bytes (bit p, most significant first, says page p was written), then the
 * checksum. Pages follow the data block: page p at block + block size + p x (page elements x
 * element size + 4), each its elements and a checksum; the last page holds the remainder.
 * Elements: chunk address; filtered also the chunk size (cidx.c's width) and filter mask (4).
 *
 * Invariants: the element count is at most the chunk grid's size and the element size what
 * the dataset implies; each block and page is checksummed before it is parsed; a walk reads
 * only the blocks and pages overlapping the element range asked for; every loop runs over
 * bytes present in a view.
 */
#include "chunk/cidx_int.h"

#include "io/source.h"

#include <string.h>

#define FA_PREFIX 10u /* signature, version, client id, checksum */

struct fa_hdr {
    uint64_t addr;
    uint64_t nelmts;
    uint64_t dblk_addr;
    uint64_t page_nelmts;
    uint64_t esz;
};

struct fa_walk {
    const struct h5rd__cidx *cx;
    struct h5rd__cidx_grid g;
    uint64_t lo, hi; /* element range to visit */
    h5rd__chunk_cb cb;
    void *ud;
};

static h5rd_err fa_read_hdr(const struct h5rd__cidx *cx, struct fa_hdr *h, struct h5rd_error *ec)
{
    const struct h5rd_file *f = cx->f;
    const uint64_t addr = cx->layout->pub.data_addr;
    const uint64_t nbytes = 8 + (uint64_t)f->sb.size_of_lengths + f->sb.size_of_offsets + 4;
    struct h5rd_view v = {0};
    h5rd_err e;
    H5RD_TRY(h5rd__io_view(f, addr, nbytes, &v, ec));
    if ((e = h5rd__checksum_verify_block(f, v.p, v.nbytes, addr,
                                         "fixed array header: bad checksum", ec)) != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, "FAHD", "fixed array header: bad signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t client = h5rd__cur_u8(&c);
    uint8_t esz = h5rd__cur_u8(&c);
    uint8_t page_bits = h5rd__cur_u8(&c);
    h->nelmts = h5rd__cur_length(&c);
    h->dblk_addr = h5rd__cur_offset(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "fixed array header: unknown version");
    } else if (client != (cx->filtered ? 1 : 0)) {
        e = H5RD_CORRUPT(ec, addr, "fixed array header: client id does not match the filters");
    } else if (esz != h5rd__cidx_elem_nbytes(cx)) {
        e = H5RD_CORRUPT(ec, addr, "fixed array header: element size does not match the dataset");
    } else if (page_bits == 0 || page_bits > 63) {
        e = H5RD_CORRUPT(ec, addr, "fixed array header: bad page size");
    }
    h->addr = addr;
    h->esz = esz;
    h->page_nelmts = (uint64_t)1 << (page_bits & 63);
out:
    h5rd__io_release(f, &v);
    return e;
}

/* Visits elements [first, first + n) held in cursor 'c' (positioned at element 'first'). */
static h5rd_err fa_elems(struct fa_walk *w, struct h5rd_cur *c, uint64_t first, uint64_t n,
                         uint64_t esz, struct h5rd_error *ec)
{
    uint64_t k0 = w->lo > first ? w->lo - first : 0;
    uint64_t k1 = w->hi - first < n ? w->hi - first : n;
    if (k0 >= k1) {
        return H5RD_OK;
    }
    H5RD_TRY(h5rd__cur_skip(c, k0 * esz));
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

/* Parses the data block's prefix (signature .. header address) from c. */
static h5rd_err fa_dblk_prefix(const struct h5rd__cidx *cx, const struct fa_hdr *h,
                               struct h5rd_cur *c, struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__cur_sig(c, "FADB", "fixed array data block: bad signature"));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t client = h5rd__cur_u8(c);
    uint64_t owner = h5rd__cur_offset(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, h->dblk_addr,
                         "fixed array data block: unknown version");
    }
    if (client != (cx->filtered ? 1 : 0)) {
        return H5RD_CORRUPT(ec, h->dblk_addr, "fixed array data block: wrong client id");
    }
    if (owner != h->addr) {
        return H5RD_CORRUPT(ec, h->dblk_addr, "fixed array data block: wrong header address");
    }
    return H5RD_OK;
}

static h5rd_err fa_walk(struct fa_walk *w, struct h5rd_error *ec)
{
    const struct h5rd__cidx *cx = w->cx;
    const struct h5rd_file *f = cx->f;
    const uint64_t so = f->sb.size_of_offsets;
    struct fa_hdr h;
    struct h5rd_view dv = {0};
    struct h5rd_view pv = {0};
    h5rd_err e;

    for (unsigned i = 0; i < cx->rank; i++) {
        if (cx->max_chunks[i] == H5RD_UNLIMITED) {
            return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                                "fixed array chunk index: dataset has an unlimited dimension");
        }
    }
    H5RD_TRY(h5rd__cidx_grid_init(cx, 0, &w->g, ec));
    H5RD_TRY(fa_read_hdr(cx, &h, ec));
    uint64_t total;
    if (!h5rd__prod_u64(cx->max_chunks, cx->rank, &total)) {
        total = UINT64_MAX;
    }
    if (h.nelmts > total) {
        return H5RD_CORRUPT(ec, h.addr, "fixed array header: more elements than chunks");
    }
    if (w->hi > h.nelmts) {
        w->hi = h.nelmts;
    }
    if (h.dblk_addr == H5RD_ADDR_UNDEF || w->lo >= w->hi) {
        return H5RD_OK;
    }
    if (h.nelmts <= h.page_nelmts) {
        /* One block holding every element (nelmts <= page_nelmts <= 2^63: check the size). */
        uint64_t body;
        if (!h5rd__mul_u64(h.nelmts, h.esz, &body) || body > UINT64_MAX - FA_PREFIX - so) {
            return H5RD_CORRUPT(ec, h.dblk_addr, "fixed array data block: size overflows");
        }
        H5RD_TRY(h5rd__io_view(f, h.dblk_addr, FA_PREFIX + so + body, &dv, ec));
        if ((e = h5rd__checksum_verify_block(f, dv.p, dv.nbytes, h.dblk_addr,
                                             "fixed array data block: bad checksum", ec)) !=
            H5RD_OK) {
            goto out;
        }
        struct h5rd_cur c = h5rd__view_cur(f, &dv, ec);
        if ((e = fa_dblk_prefix(cx, &h, &c, ec)) != H5RD_OK) {
            goto out;
        }
        e = fa_elems(w, &c, 0, h.nelmts, h.esz, ec);
        goto out;
    }

    /* Paged. npages >= 2; the bitmap must be present in the file, which bounds npages. */
    uint64_t npages = h.nelmts / h.page_nelmts + (h.nelmts % h.page_nelmts != 0 ? 1 : 0);
    uint64_t bitmap_nbytes = (npages + 7) / 8;
    uint64_t prefix = FA_PREFIX + so + bitmap_nbytes;
    uint64_t page_nbytes; /* a full page: elements + checksum */
    if (!h5rd__mul_u64(h.page_nelmts, h.esz, &page_nbytes) || page_nbytes > UINT64_MAX - 4) {
        return H5RD_CORRUPT(ec, h.dblk_addr, "fixed array data block: page size overflows");
    }
    page_nbytes += 4;
    H5RD_TRY(h5rd__io_view(f, h.dblk_addr, prefix, &dv, ec));
    if ((e = h5rd__checksum_verify_block(f, dv.p, dv.nbytes, h.dblk_addr,
                                         "fixed array data block: bad checksum", ec)) != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &dv, ec);
    if ((e = fa_dblk_prefix(cx, &h, &c, ec)) != H5RD_OK) {
        goto out;
    }
    const uint8_t *bitmap = h5rd__cur_bytes(&c, bitmap_nbytes);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    for (uint64_t p = w->lo / h.page_nelmts; p < npages; p++) {
        uint64_t first = p * h.page_nelmts;
        if (first >= w->hi) {
            break;
        }
        if ((bitmap[p / 8] & (0x80u >> (p % 8))) == 0) {
            continue; /* never written: every element undefined */
        }
        uint64_t n = p + 1 == npages ? h.nelmts - first : h.page_nelmts;
        uint64_t off;
        uint64_t page_addr;
        if (!h5rd__mul_u64(p, page_nbytes, &off) || !h5rd__add_u64(off, prefix, &off) ||
            !h5rd__add_u64(h.dblk_addr, off, &page_addr)) {
            e = H5RD_CORRUPT(ec, h.dblk_addr, "fixed array data block: page address overflows");
            goto out;
        }
        if ((e = h5rd__io_view(f, page_addr, n * h.esz + 4, &pv, ec)) != H5RD_OK) {
            goto out;
        }
        if ((e = h5rd__checksum_verify_block(f, pv.p, pv.nbytes, page_addr,
                                             "fixed array data block page: bad checksum", ec)) !=
            H5RD_OK) {
            goto out;
        }
        struct h5rd_cur pc = h5rd__view_cur(f, &pv, ec);
        if ((e = fa_elems(w, &pc, first, n, h.esz, ec)) != H5RD_OK) {
            goto out;
        }
        h5rd__io_release(f, &pv);
    }
    e = H5RD_OK;
out:
    h5rd__io_release(f, &pv);
    h5rd__io_release(f, &dv);
    return e;
}

h5rd_err h5rd__cidx_farray_iterate(const struct h5rd__cidx *cx, h5rd__chunk_cb cb, void *ud,
                                   struct h5rd_error *ec)
{
    struct fa_walk w;
    memset(&w, 0, sizeof(w));
    w.cx = cx;
    w.lo = 0;
    w.hi = UINT64_MAX;
    w.cb = cb;
    w.ud = ud;
    return fa_walk(&w, ec);
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

h5rd_err h5rd__cidx_farray_lookup(const struct h5rd__cidx *cx, const uint64_t *scaled,
                                  struct h5rd__chunk_rec *rec, struct h5rd_error *ec)
{
    struct one o = {rec, false};
    struct fa_walk w;
    memset(&w, 0, sizeof(w));
    w.cx = cx;
    w.cb = one_cb;
    w.ud = &o;
    /* fa_walk builds the grid too; the element number is needed before the walk. */
    struct h5rd__cidx_grid g;
    for (unsigned i = 0; i < cx->rank; i++) {
        if (cx->max_chunks[i] == H5RD_UNLIMITED) {
            return H5RD_CORRUPT(ec, cx->layout->pub.data_addr,
                                "fixed array chunk index: dataset has an unlimited dimension");
        }
    }
    H5RD_TRY(h5rd__cidx_grid_init(cx, 0, &g, ec));
    H5RD_TRY(h5rd__cidx_grid_index(&g, scaled, &w.lo, ec));
    w.hi = w.lo + 1;
    H5RD_TRY(fa_walk(&w, ec));
    if (!o.found) {
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "chunk index: chunk not stored");
    }
    return H5RD_OK;
}
