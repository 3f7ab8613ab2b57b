/*
 * test_superblock.c - superblock versions 0-3 (src/format/superblock.c): signature search,
 * user blocks and the base address rule, sizes, K values, checksums, the superblock extension
 * (B-tree K values and the shared message table, src/object/sohm.c), status flags, driver
 * information, file space info and the metadata cache image.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include "builder.h"
#include "rawfile.h"
#include "format/superblock.h"
#include "internal.h"
#include "io/source.h"
#include "object/ohdr.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct h5rd_file *mem_file(const struct bld *b, uint32_t flags)
{
    struct h5rd_file *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    rawfile_init(f, flags);
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    static const uint8_t empty[1] = {0};
    cr_assert_eq(h5rd__src_open_memory(f, b->n ? b->p : empty, b->n, &ec), H5RD_OK);
    return f;
}

static void mem_close(struct h5rd_file *f)
{
    h5rd__sohm_free(f, f->sohm);
    h5rd__src_close(f);
    free(f);
}

/* Reads the superblock of 'b'; returns the code and leaves the file in *fret (or closes it). */
static h5rd_err read_sb(const struct bld *b, uint32_t flags, struct h5rd_file **fret,
                        struct h5rd_error *ec)
{
    struct h5rd_file *f = mem_file(b, flags);
    h5rd__err_clear(ec);
    h5rd_err e = h5rd__sb_read(f, ec);
    if (fret != NULL) {
        *fret = f;
    } else {
        mem_close(f);
    }
    return e;
}

static const uint8_t SIG[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

/* Superblock version 0 or 1 with 8-byte offsets/lengths; the root entry caches the symbol
 * table addresses 0x111 / 0x222. */
static void sb_v01(struct bld *b, uint8_t version, uint64_t base, uint64_t root)
{
    bld_bytes(b, SIG, 8);
    bld_u8(b, version);
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u8(b, 8);
    bld_u8(b, 8);
    bld_u8(b, 0);
    bld_u16(b, 4);
    bld_u16(b, 16);
    bld_u32(b, 0);
    if (version == 1) {
        bld_u16(b, 64);
        bld_u16(b, 0);
    }
    bld_u64(b, base);
    bld_u64(b, UINT64_MAX);
    bld_u64(b, 4096);
    bld_u64(b, UINT64_MAX);
    bld_u64(b, 0);
    bld_u64(b, root);
    bld_u32(b, 1);
    bld_u32(b, 0);
    bld_u64(b, 0x111);
    bld_u64(b, 0x222);
}

static void sb_v23(struct bld *b, uint8_t version, uint64_t ext, uint64_t root)
{
    size_t start = b->n;
    bld_bytes(b, SIG, 8);
    bld_u8(b, version);
    bld_u8(b, 8);
    bld_u8(b, 8);
    bld_u8(b, 0);
    bld_u64(b, start);
    bld_u64(b, ext);
    bld_u64(b, 4096);
    bld_u64(b, root);
    bld_lookup3(b, start);
}

Test(superblock, v0)
{
    struct bld b;
    bld_init(&b);
    sb_v01(&b, 0, 0, 0x60);
    struct h5rd_file *f;
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.version, 0);
    cr_assert_eq(f->sb.size_of_offsets, 8);
    cr_assert_eq(f->sb.size_of_lengths, 8);
    cr_assert_eq(f->sb.sym_leaf_k, 4);
    cr_assert_eq(f->sb.btree_internal_k, 16);
    cr_assert_eq(f->sb.istore_k, 32);
    cr_assert_eq(f->sb.base_addr, 0);
    cr_assert_eq(f->sb.root_addr, 0x60);
    cr_assert_eq(f->sb.root_cache_type, 1);
    cr_assert_eq(f->sb.root_btree_addr, 0x111);
    cr_assert_eq(f->sb.root_heap_addr, 0x222);
    cr_assert_eq(f->sb.eof_addr, 4096);
    cr_assert_eq(f->sb.ext_addr, H5RD_ADDR_UNDEF);
    cr_assert_null(f->sohm);
    mem_close(f);
    bld_free(&b);
}

Test(superblock, v1_istore_k)
{
    struct bld b;
    bld_init(&b);
    sb_v01(&b, 1, 0, 0x60);
    struct h5rd_file *f;
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.version, 1);
    cr_assert_eq(f->sb.istore_k, 64);
    cr_assert_eq(f->sb.root_addr, 0x60);
    cr_assert_eq(f->sb.root_heap_addr, 0x222);
    mem_close(f);
    bld_free(&b);
}

/* As h5py writes with userblock_size=512: the stored base address is the signature's offset
 * and every address is relative to it. */
Test(superblock, user_block_512)
{
    struct bld b;
    bld_init(&b);
    bld_str(&b, "user block text");
    bld_pad_to(&b, 512);
    sb_v01(&b, 0, 512, 0x60);
    struct h5rd_file *f;
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.sb_abs_addr, 512);
    cr_assert_eq(f->sb.base_addr, 512);
    cr_assert_eq(f->sb.root_addr, 0x60);
    mem_close(f);

    /* A stored base address that differs from the signature's offset is replaced by it (and
     * the end-of-file address shifted by the difference), as libhdf5 does. */
    bld_patch(&b, 512 + 24, 0, 8);
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.base_addr, 512);
    cr_assert_eq(f->sb.eof_addr, 4096 + 512);
    mem_close(f);
    bld_free(&b);
}

Test(superblock, v2_and_v3)
{
    struct bld b;
    bld_init(&b);
    bld_superblock_v2(&b, 48, 4096);
    struct h5rd_file *f;
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.version, 2);
    cr_assert_eq(f->sb.root_addr, 48);
    cr_assert_eq(f->sb.ext_addr, H5RD_ADDR_UNDEF);
    cr_assert_eq(f->sb.sym_leaf_k, 4);
    cr_assert_eq(f->sb.btree_internal_k, 16);
    cr_assert_eq(f->sb.istore_k, 32);
    cr_assert_eq(f->sb.root_btree_addr, H5RD_ADDR_UNDEF);
    mem_close(f);

    b.p[29] ^= 1; /* inside the checksummed bytes (end-of-file address) */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CHECKSUM);
    cr_assert_eq(read_sb(&b, H5RD_OPEN_SKIP_CHECKSUMS, NULL, &ec), H5RD_OK);
    bld_free(&b);

    /* Version 3 behind a 1024-byte user block. */
    bld_init(&b);
    bld_pad_to(&b, 1024);
    sb_v23(&b, 3, UINT64_MAX, 48);
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.version, 3);
    cr_assert_eq(f->sb.base_addr, 1024);
    cr_assert_eq(f->sb.root_addr, 48);
    mem_close(f);
    bld_free(&b);
}

Test(superblock, no_signature)
{
    struct bld b;
    bld_init(&b);
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_NOT_HDF5);
    bld_str(&b, "not an hdf5 file at all");
    bld_pad_to(&b, 5000);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_NOT_HDF5);
    /* A signature at 100 is not at a searched offset. */
    memcpy(b.p + 100, SIG, 8);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_NOT_HDF5);
    /* ...but one at 2048 is. */
    bld_free(&b);
    bld_pad_to(&b, 2048);
    sb_v23(&b, 2, UINT64_MAX, 48);
    struct h5rd_file *f;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.base_addr, 2048);
    mem_close(f);
    bld_free(&b);
}

Test(superblock, malformed)
{
    struct bld b;
    bld_init(&b);
    struct h5rd_error ec;
    sb_v01(&b, 0, 0, 0x60);

    b.p[13] = 3; /* size of offsets 3 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    b.p[13] = 16;
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    b.p[13] = 8;
    b.p[14] = 0; /* size of lengths 0 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    b.p[14] = 8;
    b.p[16] = 0; /* group leaf K 0 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    b.p[16] = 4;
    b.p[9] = 1; /* free-space version 1 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    b.p[9] = 0;
    b.p[8] = 4; /* superblock version 4 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    b.p[8] = 0;
    bld_patch(&b, 24 + 40, UINT64_MAX, 8); /* root address undefined */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_patch(&b, 24 + 40, 0x60, 8);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_OK);

    /* Cut in the middle of the root symbol table entry. */
    b.n = 70;
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_TRUNCATED);
    b.n = 9;
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_TRUNCATED);
    bld_free(&b);

    /* Truncated version 2. */
    bld_superblock_v2(&b, 48, 4096);
    b.n = 30;
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_TRUNCATED);
    bld_free(&b);
}

/* ---- superblock extension -------------------------------------------------------------------- */

/* Version 2 object header at the current position with the given messages (type, body). */
static void ext_header(struct bld *b, const uint8_t *types, const struct bld *bodies, int n)
{
    size_t start = b->n;
    bld_str(b, "OHDR");
    bld_u8(b, 2);
    bld_u8(b, 0x02);
    size_t sz = b->n;
    bld_u32(b, 0);
    for (int i = 0; i < n; i++) {
        bld_u8(b, types[i]);
        bld_u16(b, bodies[i].n);
        bld_u8(b, 0);
        bld_bytes(b, bodies[i].p, bodies[i].n);
    }
    bld_patch(b, sz, b->n - (sz + 4), 4);
    bld_lookup3(b, start);
}

static void smtb(struct bld *b, uint32_t n)
{
    size_t start = b->n;
    bld_str(b, "SMTB");
    for (uint32_t i = 0; i < n; i++) {
        bld_u8(b, 0);
        bld_u8(b, 1);
        bld_u16(b, 0x0008 << i);
        bld_u32(b, 40);
        bld_u16(b, 50);
        bld_u16(b, 40);
        bld_u16(b, 3 + i);
        bld_u64(b, 0x1000 + i);
        bld_u64(b, 0x2000 + i);
    }
    bld_lookup3(b, start);
}

static void build_ext_file(struct bld *b, uint8_t n_indexes, bool mdci)
{
    bld_init(b);
    sb_v23(b, 2, 48, 400);
    bld_pad_to(b, 48);
    struct bld bodies[3];
    uint8_t types[3] = {0x13, 0x0F, 0x18};
    for (int i = 0; i < 3; i++) {
        bld_init(&bodies[i]);
    }
    bld_u8(&bodies[0], 0);
    bld_u16(&bodies[0], 64);
    bld_u16(&bodies[0], 32);
    bld_u16(&bodies[0], 8);
    bld_u8(&bodies[1], 0);
    bld_u64(&bodies[1], 200);
    bld_u8(&bodies[1], n_indexes);
    bld_u64(&bodies[2], 0x3000);
    bld_u64(&bodies[2], 100);
    ext_header(b, types, bodies, mdci ? 3 : 2);
    for (int i = 0; i < 3; i++) {
        bld_free(&bodies[i]);
    }
    bld_pad_to(b, 200);
    smtb(b, n_indexes == 0 ? 1 : n_indexes);
    bld_pad_to(b, 512);
}

Test(superblock, extension_sohm_and_k)
{
    struct bld b;
    build_ext_file(&b, 2, false);
    struct h5rd_file *f;
    struct h5rd_error ec;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_eq(f->sb.ext_addr, 48);
    cr_assert_eq(f->sb.istore_k, 64);
    cr_assert_eq(f->sb.btree_internal_k, 32);
    cr_assert_eq(f->sb.sym_leaf_k, 8);
    cr_assert_not_null(f->sohm);
    cr_assert_eq(f->sohm->n_indexes, 2);
    cr_assert_eq(f->sohm->idx[0].type, 1);
    cr_assert_eq(f->sohm->idx[0].msg_type_flags, 0x0008);
    cr_assert_eq(f->sohm->idx[1].msg_type_flags, 0x0010);
    cr_assert_eq(f->sohm->idx[0].min_msg_nbytes, 40);
    cr_assert_eq(f->sohm->idx[0].list_max, 50);
    cr_assert_eq(f->sohm->idx[0].btree_min, 40);
    cr_assert_eq(f->sohm->idx[1].n_messages, 4);
    cr_assert_eq(f->sohm->idx[1].index_addr, 0x1001);
    cr_assert_eq(f->sohm->idx[1].heap_addr, 0x2001);
    mem_close(f);

    /* Table checksum broken: the file fails and no table stays attached. */
    b.p[200 + 10] ^= 0xff;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_E_CHECKSUM);
    cr_assert_null(f->sohm);
    mem_close(f);
    cr_assert_eq(read_sb(&b, H5RD_OPEN_SKIP_CHECKSUMS, NULL, &ec), H5RD_OK);
    bld_free(&b);
}

Test(superblock, extension_malformed)
{
    struct bld b;
    struct h5rd_error ec;
    build_ext_file(&b, 0, false); /* zero indexes */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);

    build_ext_file(&b, 9, false); /* more indexes than libhdf5 allows */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);

    build_ext_file(&b, 1, true); /* metadata cache image block past the end of the file */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_TRUNCATED);
    bld_free(&b);

    build_ext_file(&b, 1, false);
    b.p[200 + 4] = 1; /* index version 1, checksum redone */
    b.n = 200 + 4 + 30;
    bld_lookup3(&b, 200);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    bld_free(&b);

    build_ext_file(&b, 1, false);
    b.p[60] ^= 0xff; /* inside the extension header, behind its checksum */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CHECKSUM);
    bld_free(&b);
}

/* ---- status flags, driver info, file space info, metadata cache image ------------------------ */

/* Superblock version 2/3 with the given status flags (checksum redone). */
static void sb_v23_flags(struct bld *b, uint8_t version, uint8_t flags)
{
    bld_init(b);
    sb_v23(b, version, UINT64_MAX, 48);
    b->p[11] = flags;
    b->n -= 4;
    bld_lookup3(b, 0);
    bld_pad_to(b, 64);
}

Test(superblock, status_flags)
{
    struct bld b;
    struct h5rd_error ec;
    /* Version 3 marked open for writing (bit 0) or SWMR writing (bit 2): libhdf5 refuses a
     * read-only open (h5clear_sec2_v3.h5 has 0x05, latest_h5clear_sec2_v3.h5 0x01). */
    static const uint8_t refused[] = {0x01, 0x04, 0x05, 0x07};
    for (size_t i = 0; i < sizeof refused; i++) {
        sb_v23_flags(&b, 3, refused[i]);
        cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
        cr_assert_str_eq(ec.what, "superblock: file is marked as open for writing (consistency "
                                  "flags set); clear them with h5clear");
        bld_free(&b);
    }
    sb_v23_flags(&b, 3, 0x02); /* "file OK" only */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_OK, "%s", ec.what);
    bld_free(&b);
    /* Version 2 has the same field, but libhdf5 checks it only for version 3. */
    sb_v23_flags(&b, 2, 0x05);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_OK, "%s", ec.what);
    bld_free(&b);
    /* Bits libhdf5 does not define are an error in every version. */
    sb_v23_flags(&b, 2, 0x08);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    bld_init(&b);
    sb_v01(&b, 0, 0, 96);
    bld_patch(&b, 20, 0x01, 4); /* version 0 "open for writing": not checked */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_OK, "%s", ec.what);
    bld_patch(&b, 20, 0x10, 4);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
}

/* Version 0 superblock whose driver information block at 200 names 'drv'. */
static void sb_drvinfo(struct bld *b, uint8_t version, const char *drv, uint32_t info_nbytes,
                       size_t present)
{
    bld_init(b);
    sb_v01(b, 0, 0, 96);
    bld_patch(b, 48, 200, 8); /* driver information block address */
    bld_pad_to(b, 200);
    bld_u8(b, version);
    bld_zeros(b, 3);
    bld_u32(b, info_nbytes);
    bld_str(b, drv);
    bld_zeros(b, present);
}

Test(superblock, driver_info_block)
{
    struct bld b;
    struct h5rd_error ec;
    sb_drvinfo(&b, 0, "NCSAmult", 32, 32); /* tsplit_file-m.h5 */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    cr_assert_str_eq(ec.what, "superblock: file uses the multi/split file driver");
    bld_free(&b);
    sb_drvinfo(&b, 0, "NCSAfami", 16, 16);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
    bld_free(&b);
    sb_drvinfo(&b, 0, "NCSAothr", 16, 16); /* other drivers' information is ignored */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_OK, "%s", ec.what);
    bld_free(&b);
    sb_drvinfo(&b, 1, "NCSAothr", 16, 16);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    sb_drvinfo(&b, 0, "NCSAothr", 16, 8); /* info bytes cut short */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_TRUNCATED);
    bld_free(&b);
}

/* Version 2 superblock with an extension at 48 holding one message (type, body). */
static void ext_one(struct bld *b, uint8_t type, const struct bld *body)
{
    bld_init(b);
    sb_v23(b, 2, 48, 400);
    bld_pad_to(b, 48);
    ext_header(b, &type, body, 1);
    bld_pad_to(b, 512);
}

static h5rd_err read_ext_one(uint8_t type, const struct bld *body, struct h5rd_error *ec)
{
    struct bld b;
    ext_one(&b, type, body);
    h5rd_err e = read_sb(&b, 0, NULL, ec);
    bld_free(&b);
    return e;
}

Test(superblock, file_space_info)
{
    struct h5rd_error ec;
    struct bld m;
    /* Version 0, "all persist" strategy: six manager addresses must follow the threshold
     * (cve-2020-10810.h5 stops after the threshold). */
    bld_init(&m);
    bld_u8(&m, 0);
    bld_u8(&m, 1);
    bld_u64(&m, 256);
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_E_TRUNCATED);
    for (int i = 0; i < 6; i++) {
        bld_u64(&m, UINT64_MAX);
    }
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_OK, "%s", ec.what);
    m.p[1] = 2; /* "all", no addresses needed */
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_OK, "%s", ec.what);
    m.p[1] = 5; /* no such strategy */
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_E_CORRUPT);
    bld_free(&m);

    /* Version 1: strategy, persist, threshold, page size, page end threshold, EOA. */
    bld_init(&m);
    bld_u8(&m, 1);
    bld_u8(&m, 1);
    bld_u8(&m, 0);
    bld_u64(&m, 1);
    bld_u64(&m, 4096);
    bld_u16(&m, 0);
    bld_u64(&m, 8192);
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_OK, "%s", ec.what);
    m.p[2] = 1; /* persisting: twelve manager addresses are missing */
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_E_TRUNCATED);
    for (int i = 0; i < 12; i++) {
        bld_u64(&m, UINT64_MAX);
    }
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_OK, "%s", ec.what);
    m.p[0] = 2; /* beyond libhdf5's version bound */
    cr_assert_eq(read_ext_one(0x17, &m, &ec), H5RD_E_UNSUPPORTED);
    bld_free(&m);

    /* Driver info message naming the multi driver. */
    bld_init(&m);
    bld_u8(&m, 0);
    bld_str(&m, "NCSAmult");
    bld_u16(&m, 8);
    bld_zeros(&m, 8);
    cr_assert_eq(read_ext_one(0x14, &m, &ec), H5RD_E_UNSUPPORTED);
    bld_free(&m);
}

/* Metadata cache image block at 'at' with entries (addr, size, fill byte) and its checksum. */
struct mdci_ent {
    uint64_t addr;
    uint64_t size;
    uint8_t fill;
    uint16_t n_parents;
};
static size_t mdci_block(struct bld *b, const struct mdci_ent *e, uint32_t n, uint32_t n_stored)
{
    size_t start = b->n;
    bld_str(b, "MDCI");
    bld_u8(b, 0);
    bld_u8(b, 0);
    size_t len_at = b->n;
    bld_u64(b, 0);
    bld_u32(b, n_stored);
    for (uint32_t i = 0; i < n; i++) {
        bld_u8(b, 5);
        bld_u8(b, 0);
        bld_u8(b, 1);
        bld_u8(b, 0);
        bld_u16(b, 0);
        bld_u16(b, 0);
        bld_u16(b, e[i].n_parents);
        bld_u32(b, 0xFFFFFFFFu);
        bld_u64(b, e[i].addr);
        bld_u64(b, e[i].size);
        for (uint16_t k = 0; k < e[i].n_parents; k++) {
            bld_u64(b, 0x100);
        }
        for (uint64_t k = 0; k < e[i].size; k++) {
            bld_u8(b, (uint64_t)(e[i].fill + k));
        }
    }
    bld_patch(b, len_at, b->n + 4 - start, 8);
    bld_lookup3(b, start);
    return b->n - start;
}

/* Version 2 superblock, extension with a cache image message, image block at 600. */
static void mdci_file(struct bld *b, const struct mdci_ent *e, uint32_t n, uint32_t n_stored)
{
    struct bld blk;
    bld_init(&blk);
    size_t len = mdci_block(&blk, e, n, n_stored);
    struct bld body;
    bld_init(&body);
    bld_u8(&body, 0);
    bld_u64(&body, 600);
    bld_u64(&body, len);
    ext_one(b, 0x18, &body);
    bld_pad_to(b, 600);
    bld_bytes(b, blk.p, blk.n);
    bld_free(&body);
    bld_free(&blk);
}

Test(superblock, metadata_cache_image)
{
    static const struct mdci_ent ents[] = {{0x5000, 16, 0x40, 1}, {0x4000, 8, 0x10, 0}};
    struct bld b;
    struct h5rd_error ec;
    mdci_file(&b, ents, 2, 2);
    {
        struct h5rd_file *f;
        cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_OK, "%s", ec.what);
        cr_assert_not_null(f->mdci);
        cr_assert_eq(f->mdci->n, 2);
        cr_assert_eq(f->mdci->e[0].addr, 0x4000); /* sorted */
        cr_assert_eq(f->mdci->e[1].nbytes, 16);
        /* A range inside one entry comes from the image. */
        struct h5rd_view v;
        cr_assert_eq(h5rd__io_view(f, 0x5004, 8, &v, &ec), H5RD_OK, "%s", ec.what);
        cr_assert_eq(v.nbytes, 8);
        cr_assert_eq(v.p[0], 0x44);
        cr_assert_eq(v.p[7], 0x4b);
        h5rd__io_release(f, &v);
        cr_assert_eq(h5rd__io_view_upto(f, 0x4002, 1, 100, &v, &ec), H5RD_OK, "%s", ec.what);
        cr_assert_eq(v.nbytes, 6);
        cr_assert_eq(v.p[0], 0x12);
        h5rd__io_release(f, &v);
        uint8_t buf[4];
        cr_assert_eq(h5rd__io_read(f, 0x400c - 8, 4, buf, &ec), H5RD_OK);
        cr_assert_eq(buf[3], 0x17);
        /* Straddling an entry's end, or outside every entry: the file (too short here). */
        cr_assert_eq(h5rd__io_view(f, 0x5008, 16, &v, &ec), H5RD_E_TRUNCATED);
        cr_assert_eq(h5rd__io_view(f, 0x3fff, 2, &v, &ec), H5RD_E_TRUNCATED);
        /* Ranges in the file are unaffected. */
        cr_assert_eq(h5rd__io_view(f, 0, 8, &v, &ec), H5RD_OK);
        h5rd__io_release(f, &v);
        mem_close(f);
    }
    /* Checksum. */
    b.p[b.n - 10] ^= 1;
    struct h5rd_file *f;
    cr_assert_eq(read_sb(&b, 0, &f, &ec), H5RD_E_CHECKSUM);
    cr_assert_null(f->mdci);
    mem_close(f);
    bld_free(&b);

    /* Entry count larger than the bytes present, zero entries, one address twice, an entry of
     * size zero. */
    mdci_file(&b, ents, 2, 1000);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    mdci_file(&b, ents, 0, 0);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    static const struct mdci_ent dup[] = {{0x5000, 8, 0, 0}, {0x5000, 8, 0, 0}};
    mdci_file(&b, dup, 2, 2);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    static const struct mdci_ent zero[] = {{0x5000, 0, 0, 0}};
    mdci_file(&b, zero, 1, 1);
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_CORRUPT);
    bld_free(&b);
    /* Entries running past the block: the count claims more than are there. */
    mdci_file(&b, ents, 1, 2);
    cr_assert_neq(read_sb(&b, 0, NULL, &ec), H5RD_OK);
    bld_free(&b);
}

/* The same through pread (H5RD_OPEN_NO_MMAP): the image block is an owned buffer. */
Test(superblock, metadata_cache_image_pread)
{
    static const struct mdci_ent ents[] = {{0x5000, 16, 0x40, 0}};
    struct bld b;
    mdci_file(&b, ents, 1, 1);
    char path[] = "/tmp/h5rd_test_sb_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, b.p, b.n), (ssize_t)b.n);
    close(fd);
    struct h5rd_file *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    rawfile_init(f, H5RD_OPEN_NO_MMAP);
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    cr_assert_eq(h5rd__src_open_path(f, path, &ec), H5RD_OK);
    unlink(path);
    cr_assert_eq(h5rd__sb_read(f, &ec), H5RD_OK, "%s", ec.what);
    cr_assert_not_null(f->mdci);
    cr_assert_not_null(f->mdci->block_owned);
    struct h5rd_view v;
    cr_assert_eq(h5rd__io_view(f, 0x5000, 16, &v, &ec), H5RD_OK);
    cr_assert_null(v.owned);
    cr_assert_eq(v.p[15], 0x4f);
    h5rd__io_release(f, &v);
    mem_close(f);
    bld_free(&b);
}
