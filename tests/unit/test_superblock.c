/*
 * test_superblock.c - superblock versions 0-3 (src/format/superblock.c): signature search,
 * user blocks and the base address rule, sizes, K values, checksums, the superblock extension
 * (B-tree K values and the shared message table, src/object/sohm.c).
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "format/superblock.h"
#include "internal.h"
#include "io/source.h"
#include "object/ohdr.h"

#include <stdlib.h>
#include <string.h>

static void *t_malloc(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}
static void *t_realloc(void *u, void *p, size_t n)
{
    (void)u;
    return realloc(p, n);
}
static void t_free(void *u, void *p)
{
    (void)u;
    free(p);
}

static struct h5rd_file *mem_file(const struct bld *b, uint32_t flags)
{
    struct h5rd_file *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    f->alloc.malloc_fn = t_malloc;
    f->alloc.realloc_fn = t_realloc;
    f->alloc.free_fn = t_free;
    h5rd__limits_default(&f->limits);
    f->flags = flags;
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

    build_ext_file(&b, 1, true); /* metadata cache image */
    cr_assert_eq(read_sb(&b, 0, NULL, &ec), H5RD_E_UNSUPPORTED);
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
