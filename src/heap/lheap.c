/*
 * lheap.c - local heaps ("HEAP"), Spec v3.0 III.D "Disk Format: Level 1D - Local Heaps".
 *
 * A local heap is a small header (signature, version 0, data segment size, offset of the
 * first free block, data segment address) and a separate data segment that holds the
 * NUL-terminated link names of an old-style group (and external file names). The header is
 * parsed from a cursor over exactly its bytes; the data segment is kept as one view.
 *
 * Invariants: after h5rd__lheap_load succeeds, h->data covers exactly the data segment and
 * every string handed out lies entirely inside it, NUL included.
 */
#include "heap/heap.h"

#include <string.h>

/* "HEAP", version, 3 reserved bytes, then two lengths and one offset. */
static uint64_t lheap_hdr_nbytes(const struct h5rd_file *f)
{
    return 8u + 2u * (uint64_t)f->sb.size_of_lengths + (uint64_t)f->sb.size_of_offsets;
}

h5rd_err h5rd__lheap_load(const struct h5rd_file *f, uint64_t addr, struct h5rd__lheap *h,
                          struct h5rd_error *ec)
{
    struct h5rd_view hv = {0};
    H5RD_TRY(h5rd__io_view(f, addr, lheap_hdr_nbytes(f), &hv, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &hv, ec);
    h5rd_err e = H5RD_OK;
    if ((e = h5rd__cur_sig(&c, "HEAP", "local heap: bad signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    (void)h5rd__cur_skip(&c, 3);
    uint64_t data_nbytes = h5rd__cur_length(&c);
    uint64_t free_off = h5rd__cur_length(&c);
    uint64_t data_addr = h5rd__cur_offset(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "local heap: unknown version");
        goto out;
    }
    /* libhdf5 writes 1 (H5HL_FREE_NULL) for "no free block"; the spec says the undefined
     * value. Either, or an offset inside the segment, is acceptable. */
    uint64_t all_ones = f->sb.size_of_lengths >= 8
                            ? UINT64_MAX
                            : (((uint64_t)1 << (8 * f->sb.size_of_lengths)) - 1);
    if (free_off != 1 && free_off != all_ones && free_off >= data_nbytes) {
        e = H5RD_CORRUPT(ec, addr, "local heap: free list offset outside the data segment");
        goto out;
    }
    if (data_addr == H5RD_ADDR_UNDEF) {
        e = H5RD_CORRUPT(ec, addr, "local heap: undefined data segment address");
        goto out;
    }
    if (data_nbytes > f->limits.max_metadata_nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, addr,
                      "local heap: data segment exceeds max_metadata_nbytes");
        goto out;
    }
    struct h5rd_view dv = {0};
    if ((e = h5rd__io_view(f, data_addr, data_nbytes, &dv, ec)) != H5RD_OK) {
        goto out;
    }
    h->data_addr = data_addr;
    h->data = dv;
out:
    h5rd__io_release(f, &hv);
    return e;
}

void h5rd__lheap_free(const struct h5rd_file *f, struct h5rd__lheap *h)
{
    if (h == NULL) {
        return;
    }
    h5rd__io_release(f, &h->data);
}

h5rd_err h5rd__lheap_string(const struct h5rd__lheap *h, uint64_t off, const char **s_ret,
                            size_t *len_ret, struct h5rd_error *ec)
{
    if (off >= h->data.nbytes) {
        return H5RD_CORRUPT(ec, h->data_addr, "local heap: string offset past the data segment");
    }
    const uint8_t *start = h->data.p + off;
    size_t left = h->data.nbytes - (size_t)off;
    const uint8_t *nul = memchr(start, 0, left);
    if (nul == NULL) {
        return H5RD_CORRUPT(ec, h->data_addr + off, "local heap: string has no NUL in the segment");
    }
    *s_ret = (const char *)start;
    *len_ret = (size_t)(nul - start);
    return H5RD_OK;
}
