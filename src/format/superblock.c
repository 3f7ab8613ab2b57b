/*
 * superblock.c - Spec v3.0 II.A "Disk Format: Level 0A - Format Signature and Superblock"
 * (versions 0-3) and II.C "Superblock Extension" (its Shared Message Table and B-tree 'K'
 * Values messages, plus the File Space Info, Driver Info and metadata cache image messages),
 * II.B "Disk Format: Level 0B - File Driver Info" (only the driver's name is used: files of
 * libhdf5's multi/split and family drivers are refused, as libhdf5 refuses them without
 * those drivers), and the metadata cache image block (libhdf5's H5Cimage.c).
 *
 * Invariants:
 *  - The signature is searched only at 0, 512, 1024, ... (at most 64 probes).
 *  - Every relative address is relative to the signature's offset: libhdf5 replaces a stored
 *    base address that differs from where it found the signature (files with a user block).
 *  - Version 2/3 superblocks are checksum-verified before their fields are used.
 *  - Status flags: bits other than libhdf5's three (write access, file OK, SWMR write) are
 *    CORRUPT; a version 3 superblock marked open for (SWMR) writing is refused as libhdf5
 *    refuses it for a read-only, non-SWMR open (H5F_open).
 *  - Extension messages are consulted in libhdf5's order (H5F__super_read): driver info, shared
 *    message table, B-tree K values, file space info, metadata cache image.
 *  - On failure nothing allocated here stays attached to f (f->sohm and f->mdci are reset).
 */
#include "format/superblock.h"

#include "core/checksum.h"
#include "io/source.h"
#include "object/msg.h"
#include "object/ohdr.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t SIGNATURE[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

/* Default 'K' values (libhdf5's H5F_CRT_*_DEF): group leaf 4, group internal 16, chunk index 32. */
#define DEF_SYM_LEAF_K 4
#define DEF_BTREE_INTERNAL_K 16
#define DEF_ISTORE_K 32

/* Symbol table entry cache type 1: the scratch pad holds the B-tree and heap addresses. */
#define CACHE_TYPE_STAB 1

/* Metadata cache image message (libhdf5's H5O_MDCI_MSG_ID). */
#define MSG_MDC_IMAGE 0x0018

/* Superblock status flags (libhdf5's H5F_SUPER_*): write access, file OK, SWMR write access. */
#define SB_FLAG_WRITE 0x01u
#define SB_FLAG_SWMR_WRITE 0x04u
#define SB_FLAGS_ALL 0x07u

/* Driver information block: version, 3 reserved, info size, 8-byte driver identification. */
#define DRVINFO_HDR_NBYTES 16

/* Metadata cache image block (H5Cimage.c): "MDCI", version, flags, data length (a length),
 * entry count; each entry: type, flags, ring, age, child count, dirty child count, parent
 * count, LRU rank, address, size, parent addresses, then the entry's image. A checksum ends
 * the block. */
#define MDCI_FLAG_RESIZE_STATUS 0x01u
#define MDCI_ENTRY_FIXED_NBYTES 14u

static h5rd_err find_signature(struct h5rd_file *f, uint64_t *abs_ret, struct h5rd_error *ec)
{
    /* 0, then 512 doubling; 64 probes cover every 64-bit offset. */
    uint64_t at = 0;
    for (int probe = 0; probe < 64 && f->nbytes >= 8 && at <= f->nbytes - 8; probe++) {
        struct h5rd_view v = {0};
        H5RD_TRY(h5rd__io_view(f, at, 8, &v, ec));
        struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
        const uint8_t *b = h5rd__cur_bytes(&c, 8);
        bool match = b != NULL && memcmp(b, SIGNATURE, 8) == 0;
        h5rd__io_release(f, &v);
        H5RD_TRY(h5rd__cur_finish(&c));
        if (match) {
            *abs_ret = at;
            return H5RD_OK;
        }
        at = at == 0 ? 512 : at * 2;
    }
    return H5RD_FAIL(ec, H5RD_E_NOT_HDF5, H5RD_ADDR_UNDEF, "superblock: no HDF5 signature found");
}

static h5rd_err check_size(uint8_t n, uint64_t at, const char *what, struct h5rd_error *ec)
{
    if (n == 2 || n == 4 || n == 8) {
        return H5RD_OK;
    }
    /* libhdf5 also accepts 16 and 32 for offsets; valid format, but not 64-bit addressable. */
    if (n == 16 || n == 32) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, what);
    }
    return H5RD_CORRUPT(ec, at, what);
}

static h5rd_err verify_checksum(const struct h5rd_file *f, struct h5rd_cur *c, size_t n,
                                struct h5rd_error *ec)
{
    /* The checksum is the 4 bytes after the first n bytes of the cursor's window. */
    if (n > c->len || c->len - n < 4) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, c->addr, "superblock: checksum past the end");
    }
    return h5rd__checksum_verify_block(f, c->p, n + 4, c->addr, "superblock: checksum mismatch", ec);
}

/* Versions 0 and 1. 'c' is positioned after the version byte. */
static h5rd_err decode_v01(struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__sb *sb,
                           uint64_t *stored_base, struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__cur_need(c, 15));
    uint8_t fs_version = h5rd__cur_u8(c);
    uint8_t root_version = h5rd__cur_u8(c);
    (void)h5rd__cur_u8(c); /* reserved */
    uint8_t shmsg_version = h5rd__cur_u8(c);
    sb->size_of_offsets = h5rd__cur_u8(c);
    sb->size_of_lengths = h5rd__cur_u8(c);
    (void)h5rd__cur_u8(c); /* reserved */
    sb->sym_leaf_k = h5rd__cur_u16(c);
    sb->btree_internal_k = h5rd__cur_u16(c);
    sb->file_consistency_flags = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    /* libhdf5 keeps the low byte of the 32-bit field (H5F__cache_superblock_deserialize). */
    if ((sb->file_consistency_flags & 0xFFu & ~SB_FLAGS_ALL) != 0) {
        return H5RD_CORRUPT(ec, c->addr, "superblock: bad status flags");
    }
    if (fs_version != 0 || root_version != 0 || shmsg_version != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, c->addr,
                         "superblock: unknown free-space, root entry or shared header version");
    }
    H5RD_TRY(check_size(sb->size_of_offsets, c->addr, "superblock: bad size of offsets", ec));
    H5RD_TRY(check_size(sb->size_of_lengths, c->addr, "superblock: bad size of lengths", ec));
    c->so = sb->size_of_offsets;
    c->sl = sb->size_of_lengths;
    sb->istore_k = DEF_ISTORE_K;
    if (sb->version == 1) {
        H5RD_TRY(h5rd__cur_need(c, 4));
        sb->istore_k = h5rd__cur_u16(c);
        (void)h5rd__cur_u16(c); /* reserved */
    }
    /* Base, free-space info, end of file, driver info; then the root group's symbol table
     * entry: link name offset, object header address, cache type, reserved, 16-byte scratch. */
    H5RD_TRY(h5rd__cur_need(c, 6u * sb->size_of_offsets + 24));
    *stored_base = h5rd__cur_offset(c);
    (void)h5rd__cur_offset(c); /* free-space info: unused by readers */
    sb->eof_addr = h5rd__cur_offset(c);
    sb->driver_info_addr = h5rd__cur_offset(c);
    (void)h5rd__cur_offset(c); /* link name offset of the root entry */
    sb->root_addr = h5rd__cur_offset(c);
    sb->root_cache_type = h5rd__cur_u32(c);
    (void)h5rd__cur_u32(c); /* reserved */
    struct h5rd_cur scratch;
    H5RD_TRY(h5rd__cur_sub(c, 16, &scratch));
    sb->root_btree_addr = H5RD_ADDR_UNDEF;
    sb->root_heap_addr = H5RD_ADDR_UNDEF;
    if (sb->root_cache_type == CACHE_TYPE_STAB) {
        sb->root_btree_addr = h5rd__cur_offset(&scratch);
        sb->root_heap_addr = h5rd__cur_offset(&scratch);
        H5RD_TRY(h5rd__cur_finish(&scratch));
    }
    H5RD_TRY(h5rd__cur_finish(c));
    if (sb->sym_leaf_k == 0 || sb->btree_internal_k == 0 || sb->istore_k == 0) {
        return H5RD_CORRUPT(ec, c->addr, "superblock: B-tree 'K' value of zero");
    }
    sb->ext_addr = H5RD_ADDR_UNDEF;
    (void)f;
    return H5RD_OK;
}

/* Versions 2 and 3. 'c' is positioned after the version byte. */
static h5rd_err decode_v23(struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__sb *sb,
                           uint64_t *stored_base, struct h5rd_error *ec)
{
    H5RD_TRY(h5rd__cur_need(c, 3));
    sb->size_of_offsets = h5rd__cur_u8(c);
    sb->size_of_lengths = h5rd__cur_u8(c);
    sb->file_consistency_flags = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(check_size(sb->size_of_offsets, c->addr, "superblock: bad size of offsets", ec));
    H5RD_TRY(check_size(sb->size_of_lengths, c->addr, "superblock: bad size of lengths", ec));
    c->so = sb->size_of_offsets;
    c->sl = sb->size_of_lengths;
    size_t body = 12 + 4u * sb->size_of_offsets;
    H5RD_TRY(verify_checksum(f, c, body, ec));
    if ((sb->file_consistency_flags & ~SB_FLAGS_ALL) != 0) {
        return H5RD_CORRUPT(ec, c->addr, "superblock: bad status flags");
    }
    *stored_base = h5rd__cur_offset(c);
    sb->ext_addr = h5rd__cur_offset(c);
    sb->eof_addr = h5rd__cur_offset(c);
    sb->root_addr = h5rd__cur_offset(c);
    H5RD_TRY(h5rd__cur_finish(c));
    sb->sym_leaf_k = DEF_SYM_LEAF_K;
    sb->btree_internal_k = DEF_BTREE_INTERNAL_K;
    sb->istore_k = DEF_ISTORE_K;
    sb->driver_info_addr = H5RD_ADDR_UNDEF;
    sb->root_btree_addr = H5RD_ADDR_UNDEF;
    sb->root_heap_addr = H5RD_ADDR_UNDEF;
    return H5RD_OK;
}

/* libhdf5 (H5FD_sb_load) refuses a file whose driver information names the family or the
 * multi/split driver unless it is opened with that driver; h5rd reads single files only. */
static h5rd_err check_driver_name(const uint8_t name[8], uint64_t at, struct h5rd_error *ec)
{
    if (memcmp(name, "NCSAmult", 8) == 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at,
                         "superblock: file uses the multi/split file driver");
    }
    if (memcmp(name, "NCSAfami", 8) == 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "superblock: file uses the family file driver");
    }
    return H5RD_OK;
}

/* Version 0/1 driver information block (Spec v3.0 II.B). libhdf5 reads all of it at open. */
static h5rd_err read_driver_info(struct h5rd_file *f, struct h5rd_error *ec)
{
    uint64_t at = f->sb.driver_info_addr;
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__io_view(f, at, DRVINFO_HDR_NBYTES, &v, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    uint8_t version = h5rd__cur_u8(&c);
    (void)h5rd__cur_skip(&c, 3); /* reserved */
    uint32_t info_nbytes = h5rd__cur_u32(&c);
    uint8_t name[8] = {0};
    const uint8_t *id = h5rd__cur_bytes(&c, 8);
    h5rd_err e = h5rd__cur_finish(&c);
    if (e == H5RD_OK) {
        memcpy(name, id, 8);
    }
    h5rd__io_release(f, &v);
    H5RD_TRY(e);
    if (version != 0) {
        return H5RD_CORRUPT(ec, at, "driver information block: bad version");
    }
    H5RD_TRY(check_driver_name(name, at, ec));
    /* The driver-specific bytes must be present (libhdf5 reads them). */
    uint64_t info_addr = 0;
    if (!h5rd__add_u64(at, DRVINFO_HDR_NBYTES, &info_addr)) {
        return H5RD_CORRUPT(ec, at, "driver information block: address overflows");
    }
    H5RD_TRY(h5rd__io_view(f, info_addr, info_nbytes, &v, ec));
    h5rd__io_release(f, &v);
    return H5RD_OK;
}

static int cmp_mdci_entry(const void *a, const void *b)
{
    const struct h5rd__mdci_entry *x = a;
    const struct h5rd__mdci_entry *y = b;
    return x->addr < y->addr ? -1 : (x->addr > y->addr ? 1 : 0);
}

/* Parses the image block 'blk' (exactly 'len' bytes, checksum verified) into m->e. */
static h5rd_err parse_mdci(struct h5rd_file *f, const uint8_t *blk, size_t len, uint64_t at,
                           struct h5rd__mdci *m, struct h5rd_error *ec)
{
    uint8_t so = f->sb.size_of_offsets;
    uint8_t sl = f->sb.size_of_lengths;
    /* Entries end where the checksum starts (len >= 4 checked by the caller). */
    struct h5rd_cur c = h5rd__cur_make(blk, len - 4, at, so, sl, ec);
    H5RD_TRY(h5rd__cur_sig(&c, "MDCI", "metadata cache image: bad signature"));
    H5RD_TRY(h5rd__cur_need(&c, 2u + sl + 4u));
    uint8_t version = h5rd__cur_u8(&c);
    uint8_t flags = h5rd__cur_u8(&c);
    uint64_t data_len = h5rd__cur_length(&c);
    uint32_t n = h5rd__cur_u32(&c);
    H5RD_TRY(h5rd__cur_finish(&c));
    if (version != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "metadata cache image: unknown version");
    }
    if ((flags & MDCI_FLAG_RESIZE_STATUS) != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at,
                         "metadata cache image: saved resize status is not supported");
    }
    if (data_len != len) {
        return H5RD_CORRUPT(ec, at, "metadata cache image: data length differs from block size");
    }
    size_t ent_hdr = MDCI_ENTRY_FIXED_NBYTES + (size_t)so + sl;
    if (n == 0 || n > h5rd__cur_left(&c) / ent_hdr) {
        return H5RD_CORRUPT(ec, at, "metadata cache image: bad entry count");
    }
    m->e = h5rd__calloc(f, n, sizeof(*m->e), ec);
    if (m->e == NULL) {
        return ec->code;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t here = h5rd__cur_addr_here(&c);
        H5RD_TRY(h5rd__cur_need(&c, ent_hdr));
        (void)h5rd__cur_u8(&c); /* type id */
        (void)h5rd__cur_u8(&c); /* flags */
        (void)h5rd__cur_u8(&c); /* ring */
        (void)h5rd__cur_u8(&c); /* age */
        uint16_t n_children = h5rd__cur_u16(&c);
        uint16_t n_dirty_children = h5rd__cur_u16(&c);
        uint16_t n_parents = h5rd__cur_u16(&c);
        (void)h5rd__cur_u32(&c); /* LRU rank */
        uint64_t addr = h5rd__cur_offset(&c);
        uint64_t size = h5rd__cur_length(&c);
        H5RD_TRY(h5rd__cur_finish(&c));
        if (n_dirty_children > n_children) {
            return H5RD_CORRUPT(ec, here, "metadata cache image: bad dirty child count");
        }
        if (addr == H5RD_ADDR_UNDEF) {
            return H5RD_CORRUPT(ec, here, "metadata cache image: undefined entry address");
        }
        if (size == 0) {
            return H5RD_CORRUPT(ec, here, "metadata cache image: entry of size zero");
        }
        H5RD_TRY(h5rd__cur_need(&c, (uint64_t)n_parents * so));
        for (uint32_t k = 0; k < n_parents; k++) {
            if (h5rd__cur_offset(&c) == H5RD_ADDR_UNDEF) {
                return H5RD_CORRUPT(ec, here, "metadata cache image: undefined parent address");
            }
        }
        const uint8_t *img = h5rd__cur_bytes(&c, size);
        H5RD_TRY(h5rd__cur_finish(&c));
        m->e[i].addr = addr;
        m->e[i].nbytes = size;
        m->e[i].p = img;
        m->n = i + 1;
    }
    qsort(m->e, m->n, sizeof(*m->e), cmp_mdci_entry);
    for (uint32_t i = 1; i < m->n; i++) {
        if (m->e[i].addr == m->e[i - 1].addr) {
            return H5RD_CORRUPT(ec, at, "metadata cache image: two entries at one address");
        }
    }
    return H5RD_OK;
}

/* Loads the metadata cache image block into f->mdci (libhdf5 loads it at open and serves the
 * entries it holds from it). */
static h5rd_err load_mdci(struct h5rd_file *f, uint64_t addr, uint64_t len, struct h5rd_error *ec)
{
    if (len < 4) {
        return H5RD_CORRUPT(ec, addr, "metadata cache image: block too small");
    }
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__io_view(f, addr, len, &v, ec));
    struct h5rd__mdci *m = h5rd__calloc(f, 1, sizeof(*m), ec);
    if (m == NULL) {
        h5rd__io_release(f, &v);
        return ec->code;
    }
    /* The view stays alive as long as the file: in a mapping it is a pointer into it, with pread
     * its buffer becomes the table's. */
    m->block = v.p;
    m->block_nbytes = v.nbytes;
    m->block_owned = v.owned;
    f->mdci = m;
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    h5rd_err e = verify_checksum(f, &c, v.nbytes - 4, ec);
    if (e == H5RD_OK) {
        e = parse_mdci(f, v.p, v.nbytes, addr, m, ec);
    }
    if (e != H5RD_OK) {
        h5rd__mdci_free(f);
    }
    return e;
}

/* The message body of 'm' as a cursor (extension messages are never shared). */
static struct h5rd_cur msg_cur(const struct h5rd_file *f, const struct h5rd__msg *m,
                               struct h5rd_error *ec)
{
    return h5rd__cur_make(m->data, m->nbytes, m->addr, f->sb.size_of_offsets,
                          f->sb.size_of_lengths, ec);
}

/* Superblock extension: an object header holding superblock-level messages, consulted in the
 * order of libhdf5's H5F__super_read. */
static h5rd_err read_extension(struct h5rd_file *f, struct h5rd_error *ec)
{
    struct h5rd__ohdr oh;
    H5RD_TRY(h5rd__ohdr_load(f, f->sb.ext_addr, &oh, ec));
    h5rd_err e = H5RD_OK;
    const struct h5rd__msg *m = h5rd__ohdr_find(&oh, H5RD__MSG_DRIVER_INFO, 0);
    if (m != NULL) {
        struct h5rd_cur c = msg_cur(f, m, ec);
        uint8_t name[8];
        e = h5rd__msg_drvinfo_decode(&c, name);
        if (e == H5RD_OK) {
            e = check_driver_name(name, m->addr, ec);
        }
    }
    m = h5rd__ohdr_find(&oh, H5RD__MSG_SHARED_TABLE, 0);
    if (e == H5RD_OK && m != NULL) {
        struct h5rd_cur c = msg_cur(f, m, ec);
        uint64_t table_addr = 0;
        uint32_t n = 0;
        e = h5rd__msg_sohm_table_decode(&c, &table_addr, &n);
        if (e == H5RD_OK) {
            e = h5rd__sohm_load(f, table_addr, n, ec);
        }
    }
    m = h5rd__ohdr_find(&oh, H5RD__MSG_BTREE_K, 0);
    if (e == H5RD_OK && m != NULL) {
        struct h5rd_cur c = msg_cur(f, m, ec);
        uint32_t istore_k = 0, internal_k = 0, leaf_k = 0;
        e = h5rd__msg_btreek_decode(&c, &istore_k, &internal_k, &leaf_k);
        if (e == H5RD_OK) {
            f->sb.istore_k = istore_k;
            f->sb.btree_internal_k = internal_k;
            f->sb.sym_leaf_k = leaf_k;
        }
    }
    /* libhdf5 decodes the file space info at open unless the message was marked unknown; a
     * version above 1 fails its version bounds check. */
    m = h5rd__ohdr_find(&oh, H5RD__MSG_FSINFO, 0);
    if (e == H5RD_OK && m != NULL && (m->flags & H5RD__MSGFLAG_WAS_UNKNOWN) == 0) {
        struct h5rd_cur c = msg_cur(f, m, ec);
        struct h5rd__fsinfo fs;
        e = h5rd__msg_fsinfo_decode(&c, &fs);
        if (e == H5RD_OK && fs.version > 1) {
            e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, m->addr,
                          "superblock extension: unknown file space info message version");
        }
    }
    /* A metadata cache image holds metadata entries that may exist nowhere else in the file
     * (libhdf5 serves them from the image). */
    m = h5rd__ohdr_find(&oh, MSG_MDC_IMAGE, 0);
    if (e == H5RD_OK && m != NULL) {
        struct h5rd_cur c = msg_cur(f, m, ec);
        uint64_t addr = 0, len = 0;
        e = h5rd__msg_mdci_decode(&c, &addr, &len);
        if (e == H5RD_OK) {
            e = load_mdci(f, addr, len, ec);
        }
    }
    h5rd__ohdr_free(f, &oh);
    return e;
}

h5rd_err h5rd__sb_read(struct h5rd_file *f, struct h5rd_error *ec)
{
    struct h5rd__sb sb;
    memset(&sb, 0, sizeof(sb));
    /* Until the superblock is found, relative addresses are absolute. */
    f->sb = sb;
    f->sb.base_addr = 0;

    uint64_t sig_abs = 0;
    H5RD_TRY(find_signature(f, &sig_abs, ec));

    /* The largest superblock (version 1 with 8-byte offsets) is 8+16+4+4*8+(2*8+24) = 104
     * bytes; take what the file holds and let the cursor report truncation. */
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__io_view_upto(f, sig_abs, 9, 256, &v, ec));
    struct h5rd_cur c = h5rd__cur_make(v.p, v.nbytes, sig_abs, 8, 8, ec);
    uint64_t stored_base = 0;
    h5rd_err e = h5rd__cur_skip(&c, 8);
    sb.version = h5rd__cur_u8(&c);
    if (e == H5RD_OK) {
        e = h5rd__cur_finish(&c);
    }
    if (e == H5RD_OK) {
        if (sb.version <= 1) {
            e = decode_v01(f, &c, &sb, &stored_base, ec);
        } else if (sb.version <= 3) {
            e = decode_v23(f, &c, &sb, &stored_base, ec);
        } else {
            e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, sig_abs, "superblock: unknown version");
        }
    }
    h5rd__io_release(f, &v);
    H5RD_TRY(e);

    /* libhdf5 (H5F__super_read) takes the signature's offset as the base address whenever the
     * stored one differs, adjusting the end-of-file address by the same amount. */
    sb.sb_abs_addr = sig_abs;
    sb.base_addr = sig_abs;
    if (stored_base != sig_abs && sb.eof_addr != H5RD_ADDR_UNDEF) {
        if (stored_base > sig_abs) {
            uint64_t d = stored_base - sig_abs;
            sb.eof_addr = sb.eof_addr >= d ? sb.eof_addr - d : 0;
        } else {
            uint64_t d = sig_abs - stored_base;
            if (!h5rd__add_u64(sb.eof_addr, d, &sb.eof_addr)) {
                sb.eof_addr = H5RD_ADDR_UNDEF;
            }
        }
    }
    if (sb.root_addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, sig_abs, "superblock: root group address undefined");
    }
    f->sb = sb;

    if (sb.version <= 1 && sb.driver_info_addr != H5RD_ADDR_UNDEF) {
        H5RD_TRY(read_driver_info(f, ec));
    }
    if (sb.version >= 2 && sb.ext_addr != H5RD_ADDR_UNDEF) {
        e = read_extension(f, ec);
        if (e != H5RD_OK) {
            h5rd__sohm_free(f, f->sohm);
            f->sohm = NULL;
            h5rd__mdci_free(f);
            return e;
        }
    }
    /* libhdf5 (H5F_open) refuses a version 3 file marked open for writing or SWMR writing
     * unless it is opened for SWMR reading; h5rd opens like a plain read-only open, and a
     * live open (H5RD_OPEN_LIVE) like libhdf5's SWMR read: a file a SWMR writer holds is fine. */
    const bool swmr_ok = (f->flags & H5RD_OPEN_LIVE) != 0 &&
                         (sb.file_consistency_flags & SB_FLAG_SWMR_WRITE) != 0;
    if (sb.version >= 3 && !swmr_ok &&
        (sb.file_consistency_flags & (SB_FLAG_WRITE | SB_FLAG_SWMR_WRITE)) != 0) {
        h5rd__sohm_free(f, f->sohm);
        f->sohm = NULL;
        h5rd__mdci_free(f);
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, sig_abs,
                         "superblock: file is marked as open for writing (consistency flags set); "
                         "clear them with h5clear");
    }
    return H5RD_OK;
}
