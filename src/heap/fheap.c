/*
 * fheap.c - fractal heaps, Spec v3.0 III.G "Disk Format: Level 1G - Fractal Heap": the header
 * "FRHP", direct blocks "FHDB", indirect blocks "FHIB", and heap IDs for managed, tiny and
 * huge objects. Dense link and attribute storage keep their messages here.
 *
 * Managed objects live in direct blocks arranged in a "doubling table": 'width' blocks per
 * row, rows 0 and 1 of the starting block size, row r >= 2 of start * 2^(r-1). Rows whose
 * block size is at most the maximum direct block size hold direct blocks; larger rows hold
 * indirect blocks, each itself a doubling table whose row count follows from its size. A
 * managed heap ID holds an offset in the heap's linear address space (which includes every
 * block's header bytes) and a length; the offset selects row and column at each level.
 *
 * The field widths are derived as libhdf5 derives them (H5HFhdr.c, H5HFdtable.c):
 *   heap offset width   = ceil(max heap size bits / 8)
 *   heap length width   = min(bytes for an offset inside the largest direct block,
 *                             floor(log2(max managed object size)) / 8 + 1)
 *   tiny objects        : length - 1 in 4 bits, or in 12 bits when the ID is over 18 bytes
 *   huge objects        : address + length directly in the ID when it fits (plus filter mask
 *                         and memory size when the heap is filtered), otherwise a key into
 *                         the huge-object v2 B-tree (record types 1 and 2).
 *
 * Invariants: the header geometry is validated once (powers of two, row counts within what
 * the heap size allows) and the decoded struct is immutable. Every block is checksum-verified
 * before it is parsed; descent through indirect blocks strictly decreases the row count, so
 * it ends within the number of root rows (<= 65), with a hard cap besides. Filtered blocks
 * are inflated into an owned buffer of exactly the expected size.
 */
#include "heap/heap.h"

#include "btree/btree.h"
#include "core/checksum.h"

#include <limits.h>
#include <string.h>
#include <zlib.h>

#define FH_MAX_ROWS 66        /* max heap size bits (<= 64) - first row bits + 1, and slack */
#define FH_MAX_FILTERS 32     /* H5Z_MAX_NFILTERS */
#define FH_MAX_IBLOCK_DEPTH 66
#define FH_FILTER_DEFLATE 1

struct fh_filter {
    uint16_t id;
    uint16_t flags;
};

struct h5rd__fheap {
    uint64_t addr;
    uint16_t id_len;
    uint16_t filter_len;
    bool checksum_dblocks;
    uint32_t max_man_size;
    uint64_t huge_bt2_addr;
    uint64_t man_size;          /* managed space in the heap: bound for managed offsets */
    uint16_t width;
    uint64_t start_block_size;
    uint64_t max_dblock_size;
    uint16_t max_heap_bits;
    uint64_t root_addr;
    uint16_t curr_root_rows;
    /* filtered heaps */
    uint64_t root_filtered_nbytes;
    uint32_t root_filter_mask;
    uint32_t n_filters;
    struct fh_filter filters[FH_MAX_FILTERS];
    /* derived geometry */
    unsigned heap_off_size;     /* bytes of a heap offset */
    unsigned heap_len_size;     /* bytes of a managed object length */
    unsigned width_bits;
    unsigned start_bits;
    unsigned first_row_bits;
    unsigned max_root_rows;
    unsigned max_direct_rows;
    uint64_t row_block_size[FH_MAX_ROWS];
    uint64_t row_block_off[FH_MAX_ROWS];
    uint64_t dblock_overhead;   /* direct block header bytes */
    /* tiny and huge objects */
    unsigned tiny_max_len;
    bool tiny_extended;
    bool huge_direct;
    unsigned huge_id_size;
    /* Direct blocks whose checksum passed, by address (reached through a pointer: the decoded
     * header above stays immutable). A table build looks up every link or attribute in the
     * heap, in name-hash order across blocks: verifying the block per object was 8% of a W5
     * `ls -r` (issue 13). Only blocks read in place (a mapping or an image: the same bytes on
     * every lookup) are remembered; a copy read with pread() is verified each time, as it may
     * differ (a live file). One thread uses a heap handle: each table build opens its own. */
    struct fh_verified *verified;
    struct fh_verified {
        struct fh_vblock {
            uint64_t addr, size; /* a block is verified over its size: both are the key */
        } *e;                    /* open addressing, addr H5RD_ADDR_UNDEF = empty */
        uint32_t cap, n;        /* cap a power of two, or 0 */
    } verified_store;
};

static uint32_t verified_slot(uint64_t addr, uint32_t cap)
{
    return (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static bool verified_has(const struct fh_verified *vs, uint64_t addr, uint64_t size)
{
    if (vs->cap == 0) {
        return false;
    }
    for (uint32_t i = verified_slot(addr, vs->cap);; i = (i + 1) & (vs->cap - 1)) {
        if (vs->e[i].addr == addr && vs->e[i].size == size) {
            return true;
        }
        if (vs->e[i].addr == H5RD_ADDR_UNDEF) {
            return false;
        }
    }
}

/* Remembers 'addr' as verified; on allocation failure it is simply verified again next time. */
static void verified_add(const struct h5rd_file *f, struct fh_verified *vs, uint64_t addr,
                         uint64_t size)
{
    if ((uint64_t)(vs->n + 1) * 2 > vs->cap) {
        uint32_t cap = vs->cap == 0 ? 16 : vs->cap * 2;
        if (cap == 0 || cap > ((uint32_t)1 << 24)) {
            return;
        }
        struct h5rd_error scratch;
        h5rd__err_clear(&scratch);
        struct fh_vblock *a = h5rd__malloc(f, (uint64_t)cap * sizeof *a, &scratch);
        if (a == NULL) {
            return;
        }
        for (uint32_t i = 0; i < cap; i++) {
            a[i].addr = H5RD_ADDR_UNDEF;
        }
        for (uint32_t k = 0; k < vs->cap; k++) {
            if (vs->e[k].addr != H5RD_ADDR_UNDEF) {
                uint32_t i = verified_slot(vs->e[k].addr, cap);
                while (a[i].addr != H5RD_ADDR_UNDEF) {
                    i = (i + 1) & (cap - 1);
                }
                a[i] = vs->e[k];
            }
        }
        h5rd__free(f, vs->e);
        vs->e = a;
        vs->cap = cap;
    }
    uint32_t i = verified_slot(addr, vs->cap);
    while (vs->e[i].addr != H5RD_ADDR_UNDEF) {
        if (vs->e[i].addr == addr && vs->e[i].size == size) {
            return;
        }
        i = (i + 1) & (vs->cap - 1);
    }
    vs->e[i].addr = addr;
    vs->e[i].size = size;
    vs->n++;
}

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static unsigned log2_floor(uint64_t v)
{
    unsigned r = 0;
    while (v >> 1) {
        v >>= 1;
        r++;
    }
    return r;
}

/* Bytes needed for n as libhdf5's H5VM_limit_enc_size: floor(log2(n)) / 8 + 1. */
static unsigned limit_enc_size(uint64_t n)
{
    return log2_floor(n) / 8 + 1;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Checksum stored in the last 4 bytes of [p, p+n), covering the bytes before it. */
static h5rd_err check_trailing_sum(const struct h5rd_file *f, const uint8_t *p, size_t n,
                                   uint64_t addr, const char *what, struct h5rd_error *ec)
{
    return h5rd__checksum_verify_block(f, p, n, addr, what, ec);
}

/* ---- I/O filter pipeline (Spec v3.0 IV.A.2.l "Data Storage - Filter Pipeline Message") ---- */

/* Decodes only what is needed to undo the pipeline: each filter's ID and flags. */
static h5rd_err decode_pline(struct h5rd_cur *c, struct h5rd__fheap *fh, struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 2));
    uint8_t version = h5rd__cur_u8(c);
    uint8_t n = h5rd__cur_u8(c);
    if (version != 1 && version != 2) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at,
                         "fractal heap: unknown filter pipeline version");
    }
    if (n == 0 || n > FH_MAX_FILTERS) {
        return H5RD_CORRUPT(ec, at, "fractal heap: filter count out of range");
    }
    if (version == 1) {
        H5RD_TRY(h5rd__cur_skip(c, 6));
    }
    for (unsigned i = 0; i < n; i++) {
        H5RD_TRY(h5rd__cur_need(c, 2));
        uint16_t id = h5rd__cur_u16(c);
        uint16_t name_len = 0;
        if (version == 1 || id >= 256) {
            name_len = h5rd__cur_u16(c);
        }
        uint16_t flags = h5rd__cur_u16(c);
        uint16_t n_values = h5rd__cur_u16(c);
        H5RD_TRY(h5rd__cur_finish(c));
        uint64_t skip = name_len;
        if (version == 1) {
            skip = (skip + 7) & ~(uint64_t)7;
        }
        skip += 4 * (uint64_t)n_values;
        if (version == 1 && (n_values & 1) != 0) {
            skip += 4;
        }
        H5RD_TRY(h5rd__cur_skip(c, skip));
        fh->filters[i].id = id;
        fh->filters[i].flags = flags;
    }
    fh->n_filters = n;
    return H5RD_OK;
}

static const char *unsupported_filter_text(uint16_t id)
{
    switch (id) {
    case 2: return "fractal heap: unsupported filter in heap pipeline (shuffle)";
    case 3: return "fractal heap: unsupported filter in heap pipeline (fletcher32)";
    case 4: return "fractal heap: unsupported filter in heap pipeline (szip)";
    case 5: return "fractal heap: unsupported filter in heap pipeline (nbit)";
    case 6: return "fractal heap: unsupported filter in heap pipeline (scaleoffset)";
    case 32001: return "fractal heap: unsupported filter in heap pipeline (blosc)";
    case 32004: return "fractal heap: unsupported filter in heap pipeline (lz4)";
    case 32008: return "fractal heap: unsupported filter in heap pipeline (bitshuffle)";
    case 32015: return "fractal heap: unsupported filter in heap pipeline (zstd)";
    default: return "fractal heap: unsupported filter in heap pipeline (unknown filter id)";
    }
}

/* Undoes the pipeline for 'in' (the stored bytes) into a new owned buffer of exactly out_n
 * bytes. Only deflate is supported; filters whose mask bit is set were not applied. */
static h5rd_err unfilter(const struct h5rd_file *f, const struct h5rd__fheap *fh, uint32_t mask,
                         const uint8_t *in, uint64_t in_n, uint64_t out_n, uint64_t addr,
                         uint8_t **out_ret, struct h5rd_error *ec)
{
    int applied = -1;
    for (unsigned i = 0; i < fh->n_filters; i++) {
        if ((mask >> i) & 1u) {
            continue;
        }
        if (fh->filters[i].id != FH_FILTER_DEFLATE) {
            return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr,
                             unsupported_filter_text(fh->filters[i].id));
        }
        if (applied >= 0) {
            return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr,
                             "fractal heap: more than one deflate filter");
        }
        applied = (int)i;
    }
    uint8_t *out = h5rd__malloc(f, out_n, ec);
    if (out == NULL) {
        return ec->code;
    }
    if (applied < 0) {
        if (in_n != out_n) {
            h5rd__free(f, out);
            return H5RD_CORRUPT(ec, addr, "fractal heap: unfiltered block size mismatch");
        }
        if (out_n > 0) {
            memcpy(out, in, (size_t)out_n);
        }
        *out_ret = out;
        return H5RD_OK;
    }
    if (in_n > (uint64_t)ULONG_MAX || out_n > (uint64_t)ULONG_MAX) {
        h5rd__free(f, out);
        return H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "fractal heap: block too large for zlib");
    }
    uLongf dest_n = (uLongf)out_n;
    int zr = uncompress(out, &dest_n, in, (uLong)in_n);
    if (zr != Z_OK || dest_n != out_n) {
        h5rd__free(f, out);
        if (zr == Z_MEM_ERROR) {
            return H5RD_FAIL(ec, H5RD_E_NOMEM, addr, "fractal heap: zlib out of memory");
        }
        return H5RD_CORRUPT(ec, addr,
                            "fractal heap: deflate stream does not inflate to the block size");
    }
    *out_ret = out;
    return H5RD_OK;
}

/* ---- header ---- */

static h5rd_err init_geometry(struct h5rd__fheap *fh, const struct h5rd_file *f,
                              struct h5rd_error *ec)
{
    uint64_t a = fh->addr;
    if (!is_pow2(fh->width)) {
        return H5RD_CORRUPT(ec, a, "fractal heap: table width not a power of two");
    }
    if (!is_pow2(fh->start_block_size)) {
        return H5RD_CORRUPT(ec, a, "fractal heap: starting block size not a power of two");
    }
    if (!is_pow2(fh->max_dblock_size) || fh->max_dblock_size < fh->start_block_size) {
        return H5RD_CORRUPT(ec, a, "fractal heap: bad maximum direct block size");
    }
    if (fh->max_heap_bits == 0 || fh->max_heap_bits > 64) {
        return H5RD_CORRUPT(ec, a, "fractal heap: maximum heap size out of range");
    }
    fh->width_bits = log2_floor(fh->width);
    fh->start_bits = log2_floor(fh->start_block_size);
    fh->first_row_bits = fh->start_bits + fh->width_bits;
    unsigned max_dblock_bits = log2_floor(fh->max_dblock_size);
    if (fh->first_row_bits > fh->max_heap_bits || max_dblock_bits >= fh->max_heap_bits) {
        return H5RD_CORRUPT(ec, a, "fractal heap: block sizes exceed the heap size");
    }
    fh->max_root_rows = fh->max_heap_bits - fh->first_row_bits + 1;
    fh->max_direct_rows = max_dblock_bits - fh->start_bits + 2;
    if (fh->max_direct_rows > fh->max_root_rows) {
        fh->max_direct_rows = fh->max_root_rows;
    }
    if (fh->curr_root_rows > fh->max_root_rows) {
        return H5RD_CORRUPT(ec, a, "fractal heap: impossible row count in root indirect block");
    }
    /* Row r covers 2^(first_row_bits + r - 1) bytes of heap space from r = 1 on; with
     * r <= max_root_rows - 1 that exponent is at most max_heap_bits - 1 <= 63. */
    for (unsigned r = 0; r < fh->max_root_rows; r++) {
        fh->row_block_size[r] = r == 0 ? fh->start_block_size
                                       : fh->start_block_size << (r - 1);
        fh->row_block_off[r] = r == 0 ? 0 : (uint64_t)1 << (fh->first_row_bits + r - 1);
    }
    fh->heap_off_size = (fh->max_heap_bits + 7) / 8;
    unsigned dblk_off_size = (max_dblock_bits + 7) / 8;
    unsigned man_len_size = limit_enc_size(fh->max_man_size);
    fh->heap_len_size = dblk_off_size < man_len_size ? dblk_off_size : man_len_size;
    fh->dblock_overhead = 5 + (uint64_t)f->sb.size_of_offsets + fh->heap_off_size +
                          (fh->checksum_dblocks ? 4 : 0);
    if (fh->start_block_size < fh->dblock_overhead) {
        return H5RD_CORRUPT(ec, a, "fractal heap: starting block smaller than a block header");
    }
    if (fh->max_man_size == 0 || fh->max_man_size > fh->max_dblock_size) {
        return H5RD_CORRUPT(ec, a, "fractal heap: bad maximum managed object size");
    }
    if (fh->id_len == 0) {
        return H5RD_CORRUPT(ec, a, "fractal heap: zero heap ID length");
    }
    /* Tiny objects (H5HFtiny.c): one length byte while it suffices. */
    unsigned body = (unsigned)fh->id_len - 1;
    if (body <= 16) {
        fh->tiny_max_len = body;
        fh->tiny_extended = false;
    } else if (body == 17) {
        fh->tiny_max_len = 16;
        fh->tiny_extended = false;
    } else {
        fh->tiny_max_len = body - 1;
        fh->tiny_extended = true;
    }
    /* Huge objects (H5HFhuge.c): direct IDs when address and lengths fit in the ID. */
    unsigned so = f->sb.size_of_offsets, sl = f->sb.size_of_lengths;
    if (fh->filter_len > 0) {
        fh->huge_direct = body >= so + sl + 4 + sl;
    } else {
        fh->huge_direct = body >= so + sl;
    }
    fh->huge_id_size = body < 8 ? body : 8;
    return H5RD_OK;
}

h5rd_err h5rd__fheap_open(const struct h5rd_file *f, uint64_t addr, struct h5rd__fheap **fh_ret,
                          struct h5rd_error *ec)
{
    const uint64_t so = f->sb.size_of_offsets, sl = f->sb.size_of_lengths;
    /* Fixed part: signature, version, ID length, filter length, flags, max managed size, then
     * 3 offsets, 12 lengths, width, 2 more lengths... counted field by field below. */
    const uint64_t base_nbytes = 4 + 1 + 2 + 2 + 1 + 4 + sl + so + sl + so + 8 * sl + 2 + sl +
                                 sl + 2 + 2 + so + 2;
    struct h5rd_view v = {0};
    struct h5rd__fheap *fh = NULL;
    h5rd_err e = H5RD_OK;

    H5RD_TRY(h5rd__io_view(f, addr, base_nbytes, &v, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, "FRHP", "fractal heap: bad header signature")) != H5RD_OK) {
        goto out;
    }
    fh = h5rd__calloc(f, 1, sizeof *fh, ec);
    if (fh == NULL) {
        e = ec->code;
        goto out;
    }
    fh->addr = addr;
    fh->verified = &fh->verified_store;
    uint8_t version = h5rd__cur_u8(&c);
    fh->id_len = h5rd__cur_u16(&c);
    fh->filter_len = h5rd__cur_u16(&c);
    uint8_t flags = h5rd__cur_u8(&c);
    fh->checksum_dblocks = (flags & 0x02) != 0;
    fh->max_man_size = h5rd__cur_u32(&c);
    (void)h5rd__cur_length(&c);                 /* next huge object ID */
    fh->huge_bt2_addr = h5rd__cur_offset(&c);
    (void)h5rd__cur_length(&c);                 /* free space in managed blocks */
    (void)h5rd__cur_offset(&c);                 /* free-space manager address */
    fh->man_size = h5rd__cur_length(&c);
    (void)h5rd__cur_length(&c);                 /* allocated managed space */
    (void)h5rd__cur_length(&c);                 /* direct block allocation iterator offset */
    (void)h5rd__cur_length(&c);                 /* managed objects */
    (void)h5rd__cur_length(&c);                 /* size of huge objects */
    (void)h5rd__cur_length(&c);                 /* huge objects */
    (void)h5rd__cur_length(&c);                 /* size of tiny objects */
    (void)h5rd__cur_length(&c);                 /* tiny objects */
    fh->width = h5rd__cur_u16(&c);
    fh->start_block_size = h5rd__cur_length(&c);
    fh->max_dblock_size = h5rd__cur_length(&c);
    fh->max_heap_bits = h5rd__cur_u16(&c);
    (void)h5rd__cur_u16(&c);                    /* starting rows in root indirect block */
    fh->root_addr = h5rd__cur_offset(&c);
    fh->curr_root_rows = h5rd__cur_u16(&c);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "fractal heap: unknown header version");
        goto out;
    }
    /* The whole header: filter information (when present) and the checksum. */
    uint64_t total = base_nbytes + 4;
    if (fh->filter_len > 0) {
        total += sl + 4 + fh->filter_len;
    }
    h5rd__io_release(f, &v);
    if ((e = h5rd__io_view(f, addr, total, &v, ec)) != H5RD_OK) {
        goto out;
    }
    if ((e = check_trailing_sum(f, v.p, v.nbytes, addr, "fractal heap: header checksum mismatch",
                                ec)) != H5RD_OK) {
        goto out;
    }
    if (fh->filter_len > 0) {
        c = h5rd__view_cur(f, &v, ec);
        (void)h5rd__cur_skip(&c, base_nbytes);
        fh->root_filtered_nbytes = h5rd__cur_length(&c);
        fh->root_filter_mask = h5rd__cur_u32(&c);
        struct h5rd_cur pc;
        if ((e = h5rd__cur_sub(&c, fh->filter_len, &pc)) != H5RD_OK) {
            goto out;
        }
        if ((e = decode_pline(&pc, fh, ec)) != H5RD_OK) {
            goto out;
        }
    }
    if ((e = init_geometry(fh, f, ec)) != H5RD_OK) {
        goto out;
    }
    *fh_ret = fh;
    fh = NULL;
out:
    h5rd__free(f, fh);
    h5rd__io_release(f, &v);
    return e;
}

void h5rd__fheap_close(const struct h5rd_file *f, struct h5rd__fheap *fh)
{
    if (fh != NULL) {
        h5rd__free(f, fh->verified_store.e);
    }
    h5rd__free(f, fh);
}

uint32_t h5rd__fheap_id_nbytes(const struct h5rd__fheap *fh)
{
    return fh->id_len;
}

/* ---- managed objects ---- */

/* Row and column of heap-space offset 'off' within a doubling table (H5HF_dtable_lookup).
 * A row past the table's maximum comes back as UINT_MAX, which no block has. */
static void dtable_lookup(const struct h5rd__fheap *fh, uint64_t off, unsigned *row, uint64_t *col)
{
    /* Rows 0 and 1 span 2^first_row_bits bytes each; with first_row_bits = 64 only row 0. */
    if (fh->first_row_bits >= 64 || off < ((uint64_t)1 << fh->first_row_bits)) {
        *row = 0;
        *col = off >> fh->start_bits;
        return;
    }
    unsigned hb = log2_floor(off); /* >= first_row_bits here */
    unsigned r = hb - fh->first_row_bits + 1;
    if (r >= fh->max_root_rows) {
        *row = UINT_MAX;
        *col = 0;
        return;
    }
    *row = r;
    *col = (off - ((uint64_t)1 << hb)) / fh->row_block_size[r];
}

/* Reads indirect block 'addr' with 'nrows' rows at heap offset 'block_off', verifies it, and
 * returns the address (and, for filtered heaps, filtered size and mask) of entry 'entry'. */
static h5rd_err iblock_entry(const struct h5rd_file *f, const struct h5rd__fheap *fh,
                             uint64_t addr, unsigned nrows, uint64_t block_off, uint64_t entry,
                             uint64_t *child_ret, uint64_t *fsize_ret, uint32_t *fmask_ret,
                             struct h5rd_error *ec)
{
    const uint64_t so = f->sb.size_of_offsets, sl = f->sb.size_of_lengths;
    unsigned drows = nrows < fh->max_direct_rows ? nrows : fh->max_direct_rows;
    uint64_t n_direct = (uint64_t)drows * fh->width;
    uint64_t n_indirect = (uint64_t)(nrows - drows) * fh->width;
    uint64_t dent = so + (fh->filter_len > 0 ? sl + 4 : 0);
    uint64_t hdr = 5 + so + fh->heap_off_size;
    /* nrows <= 65 and width <= 32768: no overflow. */
    uint64_t nbytes = hdr + n_direct * dent + n_indirect * so + 4;
    struct h5rd_view v = {0};
    h5rd_err e = H5RD_OK;

    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "fractal heap: undefined indirect block address");
    }
    H5RD_TRY(h5rd__io_view(f, addr, nbytes, &v, ec));
    if ((e = check_trailing_sum(f, v.p, v.nbytes, addr,
                                "fractal heap: indirect block checksum mismatch", ec)) != H5RD_OK) {
        goto out;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    if ((e = h5rd__cur_sig(&c, "FHIB", "fractal heap: bad indirect block signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    uint64_t heap_addr = h5rd__cur_offset(&c);
    uint64_t off = h5rd__cur_uvar(&c, fh->heap_off_size);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "fractal heap: unknown indirect block version");
        goto out;
    }
    if (heap_addr != fh->addr) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: indirect block belongs to another heap");
        goto out;
    }
    if (off != block_off) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: indirect block offset differs from its position");
        goto out;
    }
    uint64_t pos = entry < n_direct ? hdr + entry * dent
                                    : hdr + n_direct * dent + (entry - n_direct) * so;
    (void)h5rd__cur_seek(&c, pos);
    *child_ret = h5rd__cur_offset(&c);
    *fsize_ret = 0;
    *fmask_ret = 0;
    if (entry < n_direct && fh->filter_len > 0) {
        *fsize_ret = h5rd__cur_length(&c);
        *fmask_ret = h5rd__cur_u32(&c);
    }
    e = h5rd__cur_finish(&c);
out:
    h5rd__io_release(f, &v);
    return e;
}

/* Loads direct block 'addr' of 'size' bytes at heap offset 'block_off' (unfiltering and
 * verifying it) and returns the object at [blk_off, blk_off + len) of the block. */
static h5rd_err dblock_object(const struct h5rd_file *f, const struct h5rd__fheap *fh,
                              uint64_t addr, uint64_t size, uint64_t block_off,
                              uint64_t fsize, uint32_t fmask, uint64_t blk_off, uint64_t len,
                              struct h5rd_view *obj_ret, struct h5rd_error *ec)
{
    struct h5rd_view v = {0};
    uint8_t *buf = NULL;
    const uint8_t *blk = NULL;
    h5rd_err e = H5RD_OK;

    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "fractal heap: object lies in an unallocated direct block");
    }
    if (fh->filter_len > 0) {
        if (fsize == 0 || fsize > f->limits.max_chunk_nbytes) {
            return H5RD_CORRUPT(ec, addr, "fractal heap: bad filtered direct block size");
        }
        H5RD_TRY(h5rd__io_view(f, addr, fsize, &v, ec));
        e = unfilter(f, fh, fmask, v.p, v.nbytes, size, addr, &buf, ec);
        h5rd__io_release(f, &v);
        H5RD_TRY(e);
        blk = buf;
    } else {
        H5RD_TRY(h5rd__io_view(f, addr, size, &v, ec));
        blk = v.p;
    }
    /* Bytes read in place are the same bytes on every lookup: verified once per heap handle. */
    bool in_place = buf == NULL && v.owned == NULL;
    if (fh->checksum_dblocks && (f->flags & H5RD_OPEN_SKIP_CHECKSUMS) == 0 &&
        !(in_place && verified_has(fh->verified, addr, size))) {
        /* The checksum covers the whole block with its own field zeroed. */
        uint64_t at = fh->dblock_overhead - 4;
        uint8_t *tmp = buf;
        if (tmp == NULL) {
            tmp = h5rd__malloc(f, size, ec);
            if (tmp == NULL) {
                e = ec->code;
                goto out;
            }
            memcpy(tmp, blk, (size_t)size);
        }
        uint32_t stored = le32(tmp + at);
        memset(tmp + at, 0, 4);
        uint32_t computed = h5rd__lookup3(tmp, (size_t)size, 0);
        if (tmp == buf) {
            for (unsigned i = 0; i < 4; i++) {
                tmp[at + i] = (uint8_t)(stored >> (8 * i));
            }
        } else {
            h5rd__free(f, tmp);
        }
        if ((e = h5rd__checksum_check(f, stored, computed, addr,
                           "fractal heap: direct block checksum mismatch", ec)) != H5RD_OK) {
            goto out;
        }
        if (in_place) {
            verified_add(f, fh->verified, addr, size);
        }
    }
    struct h5rd_cur c = h5rd__cur_make(blk, (size_t)size, buf != NULL ? H5RD_ADDR_UNDEF : addr,
                                       f->sb.size_of_offsets, f->sb.size_of_lengths, ec);
    if ((e = h5rd__cur_sig(&c, "FHDB", "fractal heap: bad direct block signature")) != H5RD_OK) {
        goto out;
    }
    uint8_t version = h5rd__cur_u8(&c);
    uint64_t heap_addr = h5rd__cur_offset(&c);
    uint64_t off = h5rd__cur_uvar(&c, fh->heap_off_size);
    if ((e = h5rd__cur_finish(&c)) != H5RD_OK) {
        goto out;
    }
    if (version != 0) {
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, addr, "fractal heap: unknown direct block version");
        goto out;
    }
    if (heap_addr != fh->addr) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: direct block belongs to another heap");
        goto out;
    }
    if (off != block_off) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: direct block offset differs from its position");
        goto out;
    }
    if (blk_off < fh->dblock_overhead) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: object lies in the direct block header");
        goto out;
    }
    if (blk_off > size || len > size - blk_off) {
        e = H5RD_CORRUPT(ec, addr, "fractal heap: object runs past its direct block");
        goto out;
    }
    if (buf != NULL) {
        struct h5rd_view r = {buf + blk_off, (size_t)len, H5RD_ADDR_UNDEF, buf};
        *obj_ret = r;
        buf = NULL;
    } else {
        struct h5rd_view r = {v.p + blk_off, (size_t)len, addr + blk_off, v.owned};
        *obj_ret = r;
        v.owned = NULL; /* a copied block now belongs to the caller's view */
    }
out:
    h5rd__free(f, buf);
    h5rd__io_release(f, &v);
    return e;
}

static h5rd_err get_managed(const struct h5rd_file *f, const struct h5rd__fheap *fh,
                            const uint8_t *id, size_t id_nbytes, struct h5rd_view *obj_ret,
                            struct h5rd_error *ec)
{
    /* No error record from the cursor: a short ID is reported as CORRUPT below. */
    struct h5rd_cur c = h5rd__cur_make(id, id_nbytes, H5RD_ADDR_UNDEF, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, NULL);
    (void)h5rd__cur_u8(&c);
    uint64_t obj_off = h5rd__cur_uvar(&c, fh->heap_off_size);
    uint64_t obj_len = h5rd__cur_uvar(&c, fh->heap_len_size);
    if (h5rd__cur_finish(&c) != H5RD_OK) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: managed heap ID too short");
    }
    if (obj_off == 0 || obj_off >= fh->man_size) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: heap ID offset past the heap");
    }
    if (obj_len == 0 || obj_len > fh->max_man_size || obj_len > fh->max_dblock_size) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: heap ID length out of range");
    }
    if (fh->max_heap_bits < 64 && (obj_off >> fh->max_heap_bits) != 0) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: heap ID offset past the heap");
    }
    if (fh->root_addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: heap ID in an empty heap");
    }
    if (fh->curr_root_rows == 0) {
        /* The root is a single direct block of the starting size. */
        if (obj_off >= fh->start_block_size) {
            return H5RD_CORRUPT(ec, fh->addr, "fractal heap: heap ID offset past the root block");
        }
        return dblock_object(f, fh, fh->root_addr, fh->start_block_size, 0,
                             fh->root_filtered_nbytes, fh->root_filter_mask, obj_off, obj_len,
                             obj_ret, ec);
    }
    uint64_t iaddr = fh->root_addr;
    unsigned nrows = fh->curr_root_rows;
    uint64_t iblock_off = 0;
    for (unsigned depth = 0;; depth++) {
        if (depth >= FH_MAX_IBLOCK_DEPTH) {
            return H5RD_CORRUPT(ec, iaddr, "fractal heap: indirect blocks nested too deeply");
        }
        unsigned row;
        uint64_t col;
        dtable_lookup(fh, obj_off - iblock_off, &row, &col);
        if (row >= nrows || col >= fh->width) {
            return H5RD_CORRUPT(ec, iaddr, "fractal heap: heap ID offset past its indirect block");
        }
        uint64_t entry = (uint64_t)row * fh->width + col;
        uint64_t child_off = iblock_off + fh->row_block_off[row] + col * fh->row_block_size[row];
        uint64_t child = H5RD_ADDR_UNDEF, fsize = 0;
        uint32_t fmask = 0;
        H5RD_TRY(iblock_entry(f, fh, iaddr, nrows, iblock_off, entry, &child, &fsize, &fmask, ec));
        if (row < fh->max_direct_rows) {
            return dblock_object(f, fh, child, fh->row_block_size[row], child_off, fsize, fmask,
                                 obj_off - child_off, obj_len, obj_ret, ec);
        }
        /* A child indirect block of row 'row' spans row_block_size[row] bytes of heap space:
         * its rows follow from that size (H5HF_dtable_size_to_rows) and are always fewer than
         * the parent's, so this descent ends. */
        unsigned span_bits = log2_floor(fh->row_block_size[row]);
        if (span_bits < fh->first_row_bits || span_bits + 1 - fh->first_row_bits >= nrows) {
            return H5RD_CORRUPT(ec, iaddr,
                                "fractal heap: impossible row count for child indirect block");
        }
        if (child == H5RD_ADDR_UNDEF) {
            return H5RD_CORRUPT(ec, iaddr,
                                "fractal heap: object lies in an unallocated indirect block");
        }
        iaddr = child;
        nrows = span_bits + 1 - fh->first_row_bits;
        iblock_off = child_off;
    }
}

/* ---- tiny and huge objects ---- */

static h5rd_err get_tiny(const struct h5rd_file *f, const struct h5rd__fheap *fh, const uint8_t *id,
                         size_t id_nbytes, struct h5rd_view *obj_ret, struct h5rd_error *ec)
{
    size_t hdr = fh->tiny_extended ? 2 : 1;
    if (id_nbytes < hdr) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: tiny heap ID too short");
    }
    uint64_t len = fh->tiny_extended ? ((uint64_t)(id[0] & 0x0f) << 8 | id[1]) + 1
                                     : (uint64_t)(id[0] & 0x0f) + 1;
    if (len > fh->tiny_max_len || len > id_nbytes - hdr) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: tiny object longer than its heap ID");
    }
    uint8_t *copy = h5rd__malloc(f, len, ec);
    if (copy == NULL) {
        return ec->code;
    }
    memcpy(copy, id + hdr, (size_t)len);
    /* The ID is the caller's memory: hand back an owned copy so the view outlives it. */
    struct h5rd_view v = {copy, (size_t)len, H5RD_ADDR_UNDEF, copy};
    *obj_ret = v;
    return H5RD_OK;
}

struct huge_find {
    const struct h5rd_file *f;
    bool filtered;
    uint64_t key;
    bool found;
    uint64_t addr, nbytes, mem_nbytes;
    uint32_t mask;
};

static h5rd_err huge_find_cb(const uint8_t *rec, size_t rec_nbytes, void *ud,
                             struct h5rd_error *ec)
{
    struct huge_find *h = ud;
    struct h5rd_cur c = h5rd__cur_make(rec, rec_nbytes, H5RD_ADDR_UNDEF, h->f->sb.size_of_offsets,
                                       h->f->sb.size_of_lengths, ec);
    uint64_t addr = h5rd__cur_offset(&c);
    uint64_t nbytes = h5rd__cur_length(&c);
    uint32_t mask = 0;
    uint64_t mem = nbytes;
    if (h->filtered) {
        mask = h5rd__cur_u32(&c);
        mem = h5rd__cur_length(&c);
    }
    uint64_t id = h5rd__cur_length(&c);
    H5RD_TRY(h5rd__cur_finish(&c));
    if (id == h->key && !h->found) {
        h->found = true;
        h->addr = addr;
        h->nbytes = nbytes;
        h->mask = mask;
        h->mem_nbytes = mem;
    }
    return H5RD_OK;
}

static h5rd_err get_huge(const struct h5rd_file *f, const struct h5rd__fheap *fh, const uint8_t *id,
                         size_t id_nbytes, struct h5rd_view *obj_ret, struct h5rd_error *ec)
{
    /* No error record from the cursor: a short ID is reported as CORRUPT below. */
    struct h5rd_cur c = h5rd__cur_make(id, id_nbytes, H5RD_ADDR_UNDEF, f->sb.size_of_offsets,
                                       f->sb.size_of_lengths, NULL);
    (void)h5rd__cur_u8(&c);
    uint64_t addr, nbytes, mem_nbytes;
    uint32_t mask = 0;
    if (fh->huge_direct) {
        addr = h5rd__cur_offset(&c);
        nbytes = h5rd__cur_length(&c);
        mem_nbytes = nbytes;
        if (fh->filter_len > 0) {
            mask = h5rd__cur_u32(&c);
            mem_nbytes = h5rd__cur_length(&c);
        }
        if (h5rd__cur_finish(&c) != H5RD_OK) {
            return H5RD_CORRUPT(ec, fh->addr, "fractal heap: huge heap ID too short");
        }
    } else {
        uint64_t key = h5rd__cur_uvar(&c, fh->huge_id_size);
        if (h5rd__cur_finish(&c) != H5RD_OK) {
            return H5RD_CORRUPT(ec, fh->addr, "fractal heap: huge heap ID too short");
        }
        if (fh->huge_bt2_addr == H5RD_ADDR_UNDEF) {
            return H5RD_CORRUPT(ec, fh->addr,
                                "fractal heap: huge object ID but no huge object B-tree");
        }
        struct huge_find h = {f, fh->filter_len > 0, key, false, 0, 0, 0, 0};
        uint8_t type = fh->filter_len > 0 ? 2 : 1;
        struct h5rd__bt2_info info;
        H5RD_TRY(h5rd__bt2_info(f, fh->huge_bt2_addr, &info, ec));
        uint64_t want = (uint64_t)f->sb.size_of_offsets + 2 * (uint64_t)f->sb.size_of_lengths +
                        (type == 2 ? 4 + (uint64_t)f->sb.size_of_lengths : 0);
        if (info.rec_nbytes != want) {
            return H5RD_CORRUPT(ec, fh->huge_bt2_addr,
                                "fractal heap: huge object record size is wrong");
        }
        H5RD_TRY(h5rd__bt2_iterate(f, fh->huge_bt2_addr, type, huge_find_cb, &h, ec));
        if (!h.found) {
            return H5RD_CORRUPT(ec, fh->huge_bt2_addr,
                                "fractal heap: huge object ID not in its B-tree");
        }
        addr = h.addr;
        nbytes = h.nbytes;
        mem_nbytes = h.mem_nbytes;
        mask = h.mask;
    }
    if (fh->filter_len == 0) {
        return h5rd__io_view(f, addr, nbytes, obj_ret, ec);
    }
    if (nbytes > f->limits.max_chunk_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, addr,
                         "fractal heap: filtered huge object exceeds limits");
    }
    struct h5rd_view v = {0};
    uint8_t *buf = NULL;
    H5RD_TRY(h5rd__io_view(f, addr, nbytes, &v, ec));
    h5rd_err e = unfilter(f, fh, mask, v.p, v.nbytes, mem_nbytes, addr, &buf, ec);
    h5rd__io_release(f, &v);
    H5RD_TRY(e);
    struct h5rd_view r = {buf, (size_t)mem_nbytes, H5RD_ADDR_UNDEF, buf};
    *obj_ret = r;
    return H5RD_OK;
}

h5rd_err h5rd__fheap_get(const struct h5rd_file *f, const struct h5rd__fheap *fh,
                         const uint8_t *id, size_t id_nbytes, struct h5rd_view *obj_ret,
                         struct h5rd_error *ec)
{
    if (id_nbytes == 0) {
        return H5RD_CORRUPT(ec, fh->addr, "fractal heap: empty heap ID");
    }
    /* Bits 6-7: ID version (0); bits 4-5: type. */
    if ((id[0] & 0xc0) != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, fh->addr, "fractal heap: unknown heap ID version");
    }
    /* Only the heap's own ID length is meaningful (tiny lengths depend on it). */
    if (id_nbytes > fh->id_len) {
        id_nbytes = fh->id_len;
    }
    switch ((id[0] >> 4) & 0x03) {
    case 0: return get_managed(f, fh, id, id_nbytes, obj_ret, ec);
    case 1: return get_huge(f, fh, id, id_nbytes, obj_ret, ec);
    case 2: return get_tiny(f, fh, id, id_nbytes, obj_ret, ec);
    default: return H5RD_CORRUPT(ec, fh->addr, "fractal heap: unknown heap ID type");
    }
}
