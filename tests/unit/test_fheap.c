/*
 * test_fheap.c - fractal heaps (Spec v3.0 III.G): hand-built heaps with a root direct block,
 * a root indirect block with a nested indirect block, tiny and huge objects, a deflated root
 * block, and malformed variants.
 *
 * Geometry used throughout: width 2, starting block 256, max direct block 512, max heap size
 * 16 bits: rows 0-1 hold 256-byte blocks, row 2 512-byte blocks, rows >= 3 indirect blocks;
 * heap offsets take 2 bytes, managed lengths 1 byte (max managed object 200); direct blocks
 * are checksummed, so their header is 19 bytes.
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "core/checksum.h"
#include "heap/heap.h"
#include "rawfile.h"

#include <string.h>
#include <zlib.h>

#define UNDEF UINT64_MAX
#define OVERHEAD 19

struct fhp {
    uint16_t id_len, filter_len;
    uint8_t flags;
    uint32_t max_man;
    uint64_t huge_bt2, man_size;
    uint16_t width;
    uint64_t start, max_dblock;
    uint16_t bits;
    uint64_t root;
    uint16_t rows;
    uint64_t root_fsize;
    uint32_t root_mask;
    const uint8_t *pline;
    size_t pline_n;
};

static struct fhp defaults(void)
{
    struct fhp p = {8, 0, 2, 200, UNDEF, 4096, 2, 256, 512, 16, UNDEF, 0, 0, 0, NULL, 0};
    return p;
}

static void put_hdr(struct bld *b, size_t at, const struct fhp *p)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "FRHP");
    bld_u8(b, 0);
    bld_u16(b, p->id_len);
    bld_u16(b, p->filter_len);
    bld_u8(b, p->flags);
    bld_u32(b, p->max_man);
    bld_u64(b, 1);            /* next huge ID */
    bld_u64(b, p->huge_bt2);
    bld_u64(b, 0);            /* free space */
    bld_u64(b, UNDEF);        /* free-space manager */
    bld_u64(b, p->man_size);
    bld_u64(b, p->man_size);  /* allocated */
    bld_u64(b, 0);            /* iterator */
    for (unsigned i = 0; i < 5; i++) {
        bld_u64(b, 0);        /* object counts and sizes */
    }
    bld_u16(b, p->width);
    bld_u64(b, p->start);
    bld_u64(b, p->max_dblock);
    bld_u16(b, p->bits);
    bld_u16(b, p->rows);      /* starting rows */
    bld_u64(b, p->root);
    bld_u16(b, p->rows);
    if (p->filter_len > 0) {
        bld_u64(b, p->root_fsize);
        bld_u32(b, p->root_mask);
        bld_bytes(b, p->pline, p->pline_n);
    }
    bld_lookup3(b, at);
}

struct obj {
    size_t off;
    const char *s;
};

/* A checksummed direct block image of 'size' bytes in blk. */
static void make_dblock(uint8_t *blk, size_t size, uint64_t heap_addr, uint64_t block_off,
                        const struct obj *objs, unsigned n)
{
    memset(blk, 0, size);
    memcpy(blk, "FHDB", 4);
    blk[4] = 0;
    for (unsigned i = 0; i < 8; i++) {
        blk[5 + i] = (uint8_t)(heap_addr >> (8 * i));
    }
    blk[13] = (uint8_t)block_off;
    blk[14] = (uint8_t)(block_off >> 8);
    for (unsigned i = 0; i < n; i++) {
        memcpy(blk + objs[i].off, objs[i].s, strlen(objs[i].s));
    }
    uint32_t c = h5rd__lookup3(blk, size, 0);
    for (unsigned i = 0; i < 4; i++) {
        blk[15 + i] = (uint8_t)(c >> (8 * i));
    }
}

static void put_dblock(struct bld *b, size_t at, size_t size, uint64_t heap_addr,
                       uint64_t block_off, const struct obj *objs, unsigned n)
{
    uint8_t blk[512];
    cr_assert_leq(size, sizeof blk);
    make_dblock(blk, size, heap_addr, block_off, objs, n);
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_bytes(b, blk, size);
}

/* Indirect block of 'nrows' rows (width 2, 3 direct rows), unfiltered. */
static void put_iblock(struct bld *b, size_t at, uint64_t heap_addr, uint64_t block_off,
                       unsigned nrows, const uint64_t *ents)
{
    bld_pad_to(b, at);
    cr_assert_eq(b->n, at);
    bld_str(b, "FHIB");
    bld_u8(b, 0);
    bld_u64(b, heap_addr);
    bld_u16(b, block_off);
    for (unsigned i = 0; i < nrows * 2; i++) {
        bld_u64(b, ents[i]);
    }
    bld_lookup3(b, at);
}

static void managed_id(uint8_t *id, uint64_t off, uint64_t len)
{
    memset(id, 0, 8);
    id[0] = 0x00;
    id[1] = (uint8_t)off;
    id[2] = (uint8_t)(off >> 8);
    id[3] = (uint8_t)len;
}

/* Heap at 0; root indirect block (4 rows) at 512; direct blocks at 1024 (row 0 col 0, heap
 * offset 0) and 2048 (row 2 col 1, heap offset 1536, 512 bytes); a child indirect block at
 * 3072 (row 3 col 0, heap offset 2048, 2 rows) whose row 1 col 0 is the direct block at 3584
 * (heap offset 2560). Objects: "alpha" at 19, "bravo" at 1555, "charlie" at 2579. */
static void build_indirect(struct bld *b, uint64_t child_block_off)
{
    bld_init(b);
    struct fhp p = defaults();
    p.root = 512;
    p.rows = 4;
    put_hdr(b, 0, &p);
    uint64_t root_ents[8] = {1024, UNDEF, UNDEF, UNDEF, UNDEF, 2048, 3072, UNDEF};
    put_iblock(b, 512, 0, 0, 4, root_ents);
    struct obj o0[] = {{OVERHEAD, "alpha"}};
    put_dblock(b, 1024, 256, 0, 0, o0, 1);
    struct obj o5[] = {{OVERHEAD, "bravo"}};
    put_dblock(b, 2048, 512, 0, 1536, o5, 1);
    uint64_t child_ents[4] = {UNDEF, UNDEF, 3584, UNDEF};
    put_iblock(b, 3072, 0, child_block_off, 2, child_ents);
    struct obj od[] = {{OVERHEAD, "charlie"}};
    put_dblock(b, 3584, 256, 0, 2560, od, 1);
}

struct ctx {
    struct h5rd_file f;
    struct h5rd__fheap *fh;
    struct h5rd_error ec;
};

static h5rd_err open_heap(struct ctx *c, struct bld *b, uint64_t addr, uint32_t flags)
{
    cr_assert_eq(rawfile_open_memory(&c->f, b->p, b->n, 8, 8, 4, 16, &c->ec), H5RD_OK);
    c->f.flags = flags;
    c->fh = NULL;
    h5rd_err e = h5rd__fheap_open(&c->f, addr, &c->fh, &c->ec);
    if (e != H5RD_OK) {
        cr_assert_eq(c->ec.code, e);
    }
    return e;
}

static void close_heap(struct ctx *c)
{
    h5rd__fheap_close(&c->f, c->fh);
    rawfile_close(&c->f);
}

/* Fetches the object named by 'id' and compares it with 'want' (NULL: expect failure). */
static h5rd_err get(struct ctx *c, const uint8_t *id, size_t id_n, const char *want)
{
    struct h5rd_view v;
    h5rd__err_clear(&c->ec);
    h5rd_err e = h5rd__fheap_get(&c->f, c->fh, id, id_n, &v, &c->ec);
    if (e == H5RD_OK) {
        cr_assert_not_null(want, "unexpected success");
        cr_assert_eq(v.nbytes, strlen(want));
        cr_assert_eq(memcmp(v.p, want, v.nbytes), 0);
        h5rd__io_release(&c->f, &v);
    } else {
        cr_assert_eq(c->ec.code, e);
    }
    return e;
}

static h5rd_err get_managed(struct ctx *c, uint64_t off, uint64_t len, const char *want)
{
    uint8_t id[8];
    managed_id(id, off, len);
    return get(c, id, 8, want);
}

Test(fheap, root_direct_block)
{
    struct bld b;
    bld_init(&b);
    struct fhp p = defaults();
    p.root = 512;
    p.rows = 0;
    p.man_size = 256;
    put_hdr(&b, 0, &p);
    struct obj o[] = {{OVERHEAD, "hello world"}, {100, "second"}};
    put_dblock(&b, 512, 256, 0, 0, o, 2);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(h5rd__fheap_id_nbytes(c.fh), 8);
    cr_assert_eq(get_managed(&c, OVERHEAD, 11, "hello world"), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(get_managed(&c, 100, 6, "second"), H5RD_OK);
    /* Past the heap, inside the block header, past the block, zero length. */
    cr_assert_eq(get_managed(&c, 256, 4, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 0, 4, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 10, 4, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 250, 10, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 100, 0, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 100, 201, NULL), H5RD_E_CORRUPT);
    /* A short ID. */
    uint8_t id[8];
    managed_id(id, 100, 6);
    cr_assert_eq(get(&c, id, 3, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, indirect_root_and_nested_block)
{
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(get_managed(&c, OVERHEAD, 5, "alpha"), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(get_managed(&c, 1536 + OVERHEAD, 5, "bravo"), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(get_managed(&c, 2560 + OVERHEAD, 7, "charlie"), H5RD_OK, "%s", c.ec.what);
    /* Unallocated blocks: row 0 col 1 of the root, row 0 of the child. */
    cr_assert_eq(get_managed(&c, 256 + OVERHEAD, 5, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 2048 + OVERHEAD, 5, NULL), H5RD_E_CORRUPT);
    /* Past the heap (managed space is 4096) and past the 16-bit heap. */
    cr_assert_eq(get_managed(&c, 4096, 5, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get_managed(&c, 65535, 5, NULL), H5RD_E_CORRUPT);
    /* Inside a block header. */
    cr_assert_eq(get_managed(&c, 1536 + 4, 5, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, no_mmap_views_are_owned)
{
    /* The same lookups through an in-memory image are views; check the objects stay valid
     * after the heap is closed only via their own buffers (owned copies for tiny objects). */
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[8] = {0x24, 'a', 'b', 'c', 'd', 'e', 0, 0};
    struct h5rd_view v;
    cr_assert_eq(h5rd__fheap_get(&c.f, c.fh, id, 8, &v, &c.ec), H5RD_OK);
    memset(id, 0, sizeof id);
    cr_assert_eq(memcmp(v.p, "abcde", 5), 0);
    h5rd__io_release(&c.f, &v);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, child_indirect_block_offset_mismatch)
{
    struct bld b;
    build_indirect(&b, 1024);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, 2560 + OVERHEAD, 7, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, direct_block_checksum)
{
    struct bld b;
    build_indirect(&b, 2048);
    b.p[2048 + OVERHEAD] = 'B';
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, 1536 + OVERHEAD, 5, NULL), H5RD_E_CHECKSUM);
    cr_assert_eq(get_managed(&c, OVERHEAD, 5, "alpha"), H5RD_OK);
    close_heap(&c);
    cr_assert_eq(open_heap(&c, &b, 0, H5RD_OPEN_SKIP_CHECKSUMS), H5RD_OK);
    cr_assert_eq(get_managed(&c, 1536 + OVERHEAD, 5, "Bravo"), H5RD_OK);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, indirect_block_checksum)
{
    struct bld b;
    build_indirect(&b, 2048);
    b.p[3072 + 5 + 8 + 2 + 8 * 4] ^= 0xff; /* child block's checksum */
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, 2560 + OVERHEAD, 7, NULL), H5RD_E_CHECKSUM);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, block_of_another_heap)
{
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    /* The root indirect block names a heap header at 7, behind a valid checksum. */
    bld_patch(&b, 512 + 5, 7, 8);
    uint32_t ck = h5rd__lookup3(b.p + 512, 5 + 8 + 2 + 8 * 8, 0);
    bld_patch(&b, 512 + 5 + 8 + 2 + 8 * 8, ck, 4);
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, OVERHEAD, 5, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, header_checksum_and_truncation)
{
    struct bld b;
    build_indirect(&b, 2048);
    b.p[20] ^= 1;
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_E_CHECKSUM);
    rawfile_close(&c.f);
    b.p[20] ^= 1;
    b.n = 100;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_E_TRUNCATED);
    rawfile_close(&c.f);
    b.p[0] = 'X';
    b.n = 4000;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_E_CORRUPT);
    rawfile_close(&c.f);
    bld_free(&b);
}

static h5rd_err open_with(const struct fhp *p)
{
    struct bld b;
    bld_init(&b);
    put_hdr(&b, 0, p);
    bld_zeros(&b, 64);
    struct ctx c;
    h5rd_err e = open_heap(&c, &b, 0, 0);
    close_heap(&c);
    bld_free(&b);
    return e;
}

Test(fheap, geometry_validation)
{
    struct fhp p = defaults();
    p.root = 512;
    p.rows = 8; /* 16 - (8 + 1) + 1 = 8 rows at most */
    cr_assert_eq(open_with(&p), H5RD_OK);
    p.rows = 9;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.rows = 65535;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.width = 3;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.width = 0;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.start = 300;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.start = 0;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.start = 8; /* smaller than a direct block header */
    p.max_dblock = 8;
    p.max_man = 8;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.max_dblock = 128;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.bits = 65;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.bits = 0;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.bits = 8; /* smaller than the first row */
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.max_man = 0;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p.max_man = 1000; /* larger than a direct block */
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    p = defaults();
    p.id_len = 0;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
    /* The largest geometry: 64-bit heap, width 32768. */
    p = defaults();
    p.bits = 64;
    p.width = 32768;
    p.start = 512;
    p.max_dblock = (uint64_t)1 << 31;
    p.max_man = 1u << 20;
    p.rows = 64 - 24 + 1;
    cr_assert_eq(open_with(&p), H5RD_OK);
    p.rows++;
    cr_assert_eq(open_with(&p), H5RD_E_CORRUPT);
}

Test(fheap, huge_root_iblock_is_bounded_by_file)
{
    /* A root indirect block of 41 rows x 32768 columns would be ~10 MB: the file is not. */
    struct bld b;
    bld_init(&b);
    struct fhp p = defaults();
    p.bits = 64;
    p.width = 32768;
    p.start = 512;
    p.max_dblock = (uint64_t)1 << 31;
    p.max_man = 1u << 20;
    p.rows = 41;
    p.id_len = 12; /* offset 8 bytes, length min(4, 3) bytes */
    p.root = 512;
    p.man_size = UINT64_MAX;
    put_hdr(&b, 0, &p);
    bld_pad_to(&b, 4096);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[16] = {0};
    id[1] = 100; /* offset 100 */
    id[9] = 1;   /* length 1 */
    h5rd__err_clear(&c.ec);
    struct h5rd_view v;
    cr_assert_eq(h5rd__fheap_get(&c.f, c.fh, id, 12, &v, &c.ec), H5RD_E_TRUNCATED, "%s", c.ec.what);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, heap_id_bits)
{
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[8];
    managed_id(id, OVERHEAD, 5);
    id[0] = 0x40; /* version 1 */
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_UNSUPPORTED);
    id[0] = 0x30; /* type 3 */
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_CORRUPT);
    cr_assert_eq(get(&c, id, 0, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, tiny_objects)
{
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[8] = {0x20 | 4, 'a', 'b', 'c', 'd', 'e', 0, 0};
    cr_assert_eq(get(&c, id, 8, "abcde"), H5RD_OK);
    id[0] = 0x20 | 6; /* 7 bytes: exactly fills the ID */
    memcpy(id + 1, "abcdefg", 7);
    cr_assert_eq(get(&c, id, 8, "abcdefg"), H5RD_OK);
    id[0] = 0x20 | 7; /* 8 bytes: longer than the ID */
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_CORRUPT);
    id[0] = 0x20 | 4;
    cr_assert_eq(get(&c, id, 4, NULL), H5RD_E_CORRUPT); /* caller's ID cut short */
    close_heap(&c);
    bld_free(&b);
}

/* A heap with 20-byte IDs: tiny lengths take 12 bits, huge IDs hold address and length. */
Test(fheap, long_ids_tiny_extended_and_huge_direct)
{
    struct bld b;
    bld_init(&b);
    struct fhp p = defaults();
    p.id_len = 20;
    p.root = 512;
    p.rows = 0;
    p.man_size = 256;
    put_hdr(&b, 0, &p);
    struct obj o[] = {{OVERHEAD, "x"}};
    put_dblock(&b, 512, 256, 0, 0, o, 1);
    bld_pad_to(&b, 1000);
    bld_str(&b, "a huge object, stored on its own");
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[20] = {0};
    id[0] = 0x20; /* tiny, extended: length - 1 = 0x00a */
    id[1] = 10;
    memcpy(id + 2, "0123456789a", 11);
    cr_assert_eq(get(&c, id, 20, "0123456789a"), H5RD_OK);
    id[0] = 0x21; /* length 0x10b: longer than the ID */
    cr_assert_eq(get(&c, id, 20, NULL), H5RD_E_CORRUPT);
    memset(id, 0, sizeof id);
    id[0] = 0x10;
    for (unsigned i = 0; i < 8; i++) {
        id[1 + i] = (uint8_t)((uint64_t)1000 >> (8 * i));
    }
    id[9] = 32;
    cr_assert_eq(get(&c, id, 20, "a huge object, stored on its own"), H5RD_OK, "%s", c.ec.what);
    id[9] = 200; /* past the end of the file */
    cr_assert_eq(get(&c, id, 20, NULL), H5RD_E_TRUNCATED);
    close_heap(&c);
    bld_free(&b);
}

/* A heap with 8-byte IDs whose huge objects are found through a v2 B-tree of type 1. */
static void build_huge_bt2(struct bld *b, uint8_t bt2_type, uint16_t rec_n)
{
    bld_init(b);
    struct fhp p = defaults();
    p.root = 512;
    p.rows = 0;
    p.man_size = 256;
    p.huge_bt2 = 1024;
    put_hdr(b, 0, &p);
    struct obj o[] = {{OVERHEAD, "x"}};
    put_dblock(b, 512, 256, 0, 0, o, 1);
    /* header */
    bld_pad_to(b, 1024);
    bld_str(b, "BTHD");
    bld_u8(b, 0);
    bld_u8(b, bt2_type);
    bld_u32(b, 512);
    bld_u16(b, rec_n);
    bld_u16(b, 0);
    bld_u8(b, 100);
    bld_u8(b, 40);
    bld_u64(b, 1200);
    bld_u16(b, 2);
    bld_u64(b, 2);
    bld_lookup3(b, 1024);
    bld_pad_to(b, 1200);
    bld_str(b, "BTLF");
    bld_u8(b, 0);
    bld_u8(b, bt2_type);
    bld_u64(b, 2000); /* id 1 */
    bld_u64(b, 5);
    bld_u64(b, 1);
    bld_u64(b, 2100); /* id 2 */
    bld_u64(b, 6);
    bld_u64(b, 2);
    bld_lookup3(b, 1200);
    bld_pad_to(b, 2000);
    bld_str(b, "first");
    bld_pad_to(b, 2100);
    bld_str(b, "second");
}

Test(fheap, huge_objects_through_btree)
{
    struct bld b;
    build_huge_bt2(&b, 1, 24);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[8] = {0x10, 2, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(get(&c, id, 8, "second"), H5RD_OK, "%s", c.ec.what);
    id[1] = 1;
    cr_assert_eq(get(&c, id, 8, "first"), H5RD_OK);
    id[1] = 3;
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
    /* The tree must have record type 1 for an unfiltered heap. */
    build_huge_bt2(&b, 3, 24);
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    id[1] = 1;
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, huge_object_without_btree)
{
    struct bld b;
    build_indirect(&b, 2048);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    uint8_t id[8] = {0x10, 1, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(get(&c, id, 8, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

/* Filter pipeline message v2 with one filter 'fid' (no name), one client value. */
static size_t make_pline(uint8_t *out, uint16_t fid)
{
    uint8_t p[] = {2, 1, (uint8_t)fid, (uint8_t)(fid >> 8), 0, 0, 1, 0, 6, 0, 0, 0};
    memcpy(out, p, sizeof p);
    return sizeof p;
}

static void build_filtered(struct bld *b, uint16_t fid, uint32_t mask, bool compress_it)
{
    uint8_t blk[256];
    struct obj o[] = {{OVERHEAD, "deflated hello"}};
    make_dblock(blk, 256, 0, 0, o, 1);
    uint8_t z[512];
    uLongf zn = sizeof z;
    if (compress_it) {
        cr_assert_eq(compress2(z, &zn, blk, sizeof blk, 6), Z_OK);
    } else {
        memcpy(z, blk, sizeof blk);
        zn = sizeof blk;
    }
    static uint8_t pl[16];
    struct fhp p = defaults();
    p.pline = pl;
    p.pline_n = make_pline(pl, fid);
    p.filter_len = (uint16_t)p.pline_n;
    p.root = 512;
    p.rows = 0;
    p.man_size = 256;
    p.root_fsize = zn;
    p.root_mask = mask;
    bld_init(b);
    put_hdr(b, 0, &p);
    bld_pad_to(b, 512);
    bld_bytes(b, z, zn);
}

Test(fheap, deflated_root_block)
{
    struct bld b;
    build_filtered(&b, 1, 0, true);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(get_managed(&c, OVERHEAD, 14, "deflated hello"), H5RD_OK, "%s", c.ec.what);
    close_heap(&c);
    bld_free(&b);
    /* Filter skipped for this block (mask bit 0): stored as is. */
    build_filtered(&b, 1, 1, false);
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, OVERHEAD, 14, "deflated hello"), H5RD_OK, "%s", c.ec.what);
    close_heap(&c);
    bld_free(&b);
    /* Not a deflate stream. */
    build_filtered(&b, 1, 0, false);
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, OVERHEAD, 14, NULL), H5RD_E_CORRUPT);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, unsupported_filter)
{
    struct bld b;
    build_filtered(&b, 2, 0, false);
    struct ctx c;
    cr_assert_eq(open_heap(&c, &b, 0, 0), H5RD_OK);
    cr_assert_eq(get_managed(&c, OVERHEAD, 14, NULL), H5RD_E_UNSUPPORTED);
    cr_assert(strstr(c.ec.what, "shuffle") != NULL, "%s", c.ec.what);
    close_heap(&c);
    bld_free(&b);
}

Test(fheap, real_filtered_heap_from_corpus)
{
    /* micahcc/hdf5-reader-rs's filtered_fheap.h5: a deflated link heap at 290 whose name
     * index is the v2 B-tree that follows it. */
    char path[4096];
    if (!rawfile_corpus_path("micahcc__hdf5-reader-rs/tests/fixtures/filtered_fheap.h5", path,
                             sizeof path)) {
        cr_skip_test("corpus not present");
    }
    struct ctx c;
    cr_assert_eq(rawfile_open(&c.f, path, 0, &c.ec), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(h5rd__fheap_open(&c.f, 290, &c.fh, &c.ec), H5RD_OK, "%s", c.ec.what);
    cr_assert_eq(h5rd__fheap_id_nbytes(c.fh), 7);
    close_heap(&c);
}
