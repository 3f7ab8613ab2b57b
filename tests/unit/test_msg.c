/*
 * test_msg.c - header message decoders (src/object/msg_*.c) on hand-built message bodies:
 * each decoder's good cases and malformed ones (truncated, absurd counts, bad flags/versions).
 */
#include <criterion/criterion.h>

#include "builder.h"
#include "rawfile.h"
#include "dtype/dtype.h"
#include "internal.h"
#include "io/source.h"
#include "object/msg.h"
#include "object/ohdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A memory-image file over 'b' (may be empty) with 8-byte offsets and lengths. */
static struct h5rd_file *mem_file(const struct bld *b)
{
    struct h5rd_file *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    rawfile_init(f, 0);
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    static const uint8_t empty[1] = {0};
    cr_assert_eq(h5rd__src_open_memory(f, b != NULL && b->n ? b->p : empty, b != NULL ? b->n : 0,
                                       &ec), H5RD_OK);
    f->sb.size_of_offsets = 8;
    f->sb.size_of_lengths = 8;
    return f;
}

static void mem_close(struct h5rd_file *f)
{
    h5rd__sohm_free(f, f->sohm);
    h5rd__src_close(f);
    free(f);
}

static struct h5rd_file *F;
static struct h5rd_error EC;
static struct bld B;

static void setup(void)
{
    F = mem_file(NULL);
    h5rd__err_clear(&EC);
    bld_init(&B);
}

static void teardown(void)
{
    mem_close(F);
    bld_free(&B);
}

static struct h5rd_cur cur(void)
{
    return h5rd__cur_make(B.p, B.n, 1000, 8, 8, &EC);
}

TestSuite(msg, .init = setup, .fini = teardown);

/* ---- dataspace ------------------------------------------------------------------------ */

Test(msg, dataspace_v1_simple_max_perm)
{
    bld_u8(&B, 1);
    bld_u8(&B, 2);
    bld_u8(&B, 3); /* max + permutation */
    bld_zeros(&B, 5);
    bld_u64(&B, 10);
    bld_u64(&B, 20);
    bld_u64(&B, UINT64_MAX);
    bld_u64(&B, 30);
    bld_u64(&B, 0);
    bld_u64(&B, 1);
    struct h5rd_cur c = cur();
    struct h5rd_space s;
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.kind, H5RD_SPACE_SIMPLE);
    cr_assert_eq(s.rank, 2);
    cr_assert_eq(s.dims[0], 10);
    cr_assert_eq(s.dims[1], 20);
    cr_assert_eq(s.maxdims[0], H5RD_UNLIMITED);
    cr_assert_eq(s.maxdims[1], 30);
}

Test(msg, dataspace_v1_rank0_is_scalar)
{
    bld_u8(&B, 1);
    bld_zeros(&B, 7);
    struct h5rd_cur c = cur();
    struct h5rd_space s;
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.kind, H5RD_SPACE_SCALAR);
    cr_assert_eq(s.rank, 0);
}

Test(msg, dataspace_v2_kinds)
{
    uint8_t scalar[] = {2, 0, 0, 0};
    uint8_t null[] = {2, 0, 0, 2};
    struct h5rd_space s;
    struct h5rd_cur c = h5rd__cur_make(scalar, sizeof(scalar), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.kind, H5RD_SPACE_SCALAR);
    c = h5rd__cur_make(null, sizeof(null), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.kind, H5RD_SPACE_NULL);

    bld_u8(&B, 2);
    bld_u8(&B, 1);
    bld_u8(&B, 0);
    bld_u8(&B, 1);
    bld_u64(&B, 7);
    c = cur();
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.kind, H5RD_SPACE_SIMPLE);
    cr_assert_eq(s.dims[0], 7);
    cr_assert_eq(s.maxdims[0], 7);
}

Test(msg, dataspace_4byte_lengths_unlimited)
{
    bld_u8(&B, 2);
    bld_u8(&B, 1);
    bld_u8(&B, 1);
    bld_u8(&B, 1);
    bld_u32(&B, 5);
    bld_u32(&B, 0xFFFFFFFFu);
    struct h5rd_cur c = h5rd__cur_make(B.p, B.n, 0, 4, 4, &EC);
    struct h5rd_space s;
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_OK);
    cr_assert_eq(s.maxdims[0], H5RD_UNLIMITED);
}

Test(msg, dataspace_malformed)
{
    uint8_t rank33[] = {2, 33, 0, 1};
    uint8_t badtype[] = {2, 0, 0, 3};
    uint8_t scalar_rank[] = {2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    uint8_t version3[] = {3, 0, 0, 0};
    uint8_t trunc[] = {2, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    struct h5rd_space s;
    struct h5rd_cur c = h5rd__cur_make(rank33, sizeof(rank33), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_CORRUPT);
    c = h5rd__cur_make(badtype, sizeof(badtype), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_CORRUPT);
    c = h5rd__cur_make(scalar_rank, sizeof(scalar_rank), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_CORRUPT);
    c = h5rd__cur_make(version3, sizeof(version3), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_UNSUPPORTED);
    c = h5rd__cur_make(trunc, sizeof(trunc), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_TRUNCATED);
    c = h5rd__cur_make(trunc, 2, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_dataspace_decode(F, &c, &s), H5RD_E_TRUNCATED);
}

/* ---- link info, group info, attribute info ----------------------------------------------- */

Test(msg, linfo)
{
    bld_u8(&B, 0);
    bld_u8(&B, 3);
    bld_u64(&B, 42);
    bld_u64(&B, 100);
    bld_u64(&B, 200);
    bld_u64(&B, UINT64_MAX);
    struct h5rd_cur c = cur();
    struct h5rd__linfo li;
    cr_assert_eq(h5rd__msg_linfo_decode(F, &c, &li), H5RD_OK);
    cr_assert(li.track_corder && li.index_corder);
    cr_assert_eq(li.max_corder, 42);
    cr_assert_eq(li.fheap_addr, 100);
    cr_assert_eq(li.name_bt2_addr, 200);
    cr_assert_eq(li.corder_bt2_addr, H5RD_ADDR_UNDEF);

    uint8_t plain[] = {0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    c = h5rd__cur_make(plain, sizeof(plain), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_linfo_decode(F, &c, &li), H5RD_OK);
    cr_assert_eq(li.max_corder, -1);
    cr_assert_eq(li.fheap_addr, H5RD_ADDR_UNDEF);
    plain[1] = 0x04;
    c = h5rd__cur_make(plain, sizeof(plain), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_linfo_decode(F, &c, &li), H5RD_E_CORRUPT);
    c = h5rd__cur_make(plain, 5, 0, 8, 8, &EC);
    plain[1] = 0;
    cr_assert_eq(h5rd__msg_linfo_decode(F, &c, &li), H5RD_E_TRUNCATED);
}

Test(msg, ginfo)
{
    uint8_t g[] = {0, 3, 10, 0, 5, 0, 7, 0, 9, 0};
    struct h5rd__ginfo gi;
    struct h5rd_cur c = h5rd__cur_make(g, sizeof(g), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_ginfo_decode(F, &c, &gi), H5RD_OK);
    cr_assert_eq(gi.max_compact, 10);
    cr_assert_eq(gi.min_dense, 5);
    cr_assert_eq(gi.est_num_entries, 7);
    cr_assert_eq(gi.est_name_len, 9);
    uint8_t none[] = {0, 0};
    c = h5rd__cur_make(none, sizeof(none), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_ginfo_decode(F, &c, &gi), H5RD_OK);
    cr_assert_eq(gi.max_compact, 0);
    c = h5rd__cur_make(g, 4, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_ginfo_decode(F, &c, &gi), H5RD_E_TRUNCATED);
    g[1] = 0x80;
    c = h5rd__cur_make(g, sizeof(g), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_ginfo_decode(F, &c, &gi), H5RD_E_CORRUPT);
}

Test(msg, ainfo)
{
    bld_u8(&B, 0);
    bld_u8(&B, 1);
    bld_u16(&B, 12);
    bld_u64(&B, 300);
    bld_u64(&B, 400);
    struct h5rd_cur c = cur();
    struct h5rd__ainfo ai;
    cr_assert_eq(h5rd__msg_ainfo_decode(F, &c, &ai), H5RD_OK);
    cr_assert(ai.track_corder);
    cr_assert(!ai.index_corder);
    cr_assert_eq(ai.max_corder, 12);
    cr_assert_eq(ai.fheap_addr, 300);
    cr_assert_eq(ai.corder_bt2_addr, H5RD_ADDR_UNDEF);
    B.p[0] = 1;
    c = cur();
    cr_assert_eq(h5rd__msg_ainfo_decode(F, &c, &ai), H5RD_E_UNSUPPORTED);
}

/* ---- fill value ------------------------------------------------------------------------------ */

Test(msg, fill_old)
{
    bld_u32(&B, 4);
    bld_u32(&B, 0xdeadbeef);
    struct h5rd_cur c = cur();
    struct h5rd__fill fl;
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, true, &fl), H5RD_OK);
    cr_assert(fl.is_defined);
    cr_assert_eq(fl.nbytes, 4);
    cr_assert_eq(memcmp(fl.value, "\xef\xbe\xad\xde", 4), 0);
    h5rd__fill_free(F, &fl);

    uint8_t zero[] = {0, 0, 0, 0};
    c = h5rd__cur_make(zero, 4, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, true, &fl), H5RD_OK);
    cr_assert(!fl.is_defined);
    cr_assert_null(fl.value);

    B.p[0] = 9; /* value runs past the message */
    c = cur();
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, true, &fl), H5RD_E_TRUNCATED);
}

Test(msg, fill_v1_v2)
{
    uint8_t undef[] = {2, 2, 2, 0};
    struct h5rd__fill fl;
    struct h5rd_cur c = h5rd__cur_make(undef, sizeof(undef), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(!fl.is_defined);
    cr_assert_eq(fl.alloc_time, 2);
    cr_assert_eq(fl.fill_time, 2);

    uint8_t def[] = {1, 1, 0, 1, 2, 0, 0, 0, 0xaa, 0xbb};
    c = h5rd__cur_make(def, sizeof(def), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(fl.is_defined);
    cr_assert_eq(fl.version, 1);
    cr_assert_eq(fl.nbytes, 2);
    cr_assert_eq(fl.value[1], 0xbb);
    h5rd__fill_free(F, &fl);

    uint8_t defzero[] = {2, 1, 0, 1, 0, 0, 0, 0};
    c = h5rd__cur_make(defzero, sizeof(defzero), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(fl.is_defined);
    cr_assert_eq(fl.nbytes, 0);

    def[4] = 200;
    c = h5rd__cur_make(def, sizeof(def), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_E_TRUNCATED);
}

Test(msg, fill_v3)
{
    struct h5rd__fill fl;
    uint8_t undef[] = {3, 0x10 | 0x08 | 0x02};
    struct h5rd_cur c = h5rd__cur_make(undef, sizeof(undef), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(!fl.is_defined);
    cr_assert_eq(fl.alloc_time, 2);
    cr_assert_eq(fl.fill_time, 2);

    uint8_t dflt[] = {3, 0x01};
    c = h5rd__cur_make(dflt, sizeof(dflt), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(fl.is_defined);
    cr_assert_eq(fl.nbytes, 0);
    cr_assert_eq(fl.alloc_time, 1);

    uint8_t val[] = {3, 0x20 | 0x03, 1, 0, 0, 0, 0x7f};
    c = h5rd__cur_make(val, sizeof(val), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_OK);
    cr_assert(fl.is_defined);
    cr_assert_eq(fl.nbytes, 1);
    cr_assert_eq(fl.value[0], 0x7f);
    cr_assert_eq(fl.alloc_time, 3);
    h5rd__fill_free(F, &fl);

    uint8_t both[] = {3, 0x30, 0, 0, 0, 0};
    c = h5rd__cur_make(both, sizeof(both), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_E_CORRUPT);
    uint8_t badflags[] = {3, 0x40};
    c = h5rd__cur_make(badflags, sizeof(badflags), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_E_CORRUPT);
    uint8_t v4[] = {4, 0};
    c = h5rd__cur_make(v4, sizeof(v4), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_E_UNSUPPORTED);
    c = h5rd__cur_make(val, sizeof(val) - 1, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_fill_decode(F, &c, false, &fl), H5RD_E_TRUNCATED);
}

/* ---- link ------------------------------------------------------------------------------------ */

Test(msg, link_hard_minimal)
{
    bld_u8(&B, 1);
    bld_u8(&B, 0);
    bld_u8(&B, 3);
    bld_str(&B, "abc");
    bld_u64(&B, 0x1234);
    struct h5rd_cur c = cur();
    struct h5rd__link l;
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_OK);
    cr_assert_eq(l.type, H5RD_LINK_HARD);
    cr_assert_str_eq(l.name, "abc");
    cr_assert_eq(l.name_nbytes, 3);
    cr_assert_eq(l.addr, 0x1234);
    cr_assert_eq(l.corder, -1);
    cr_assert_eq(l.cset, 0);
    h5rd__link_free(F, &l);
}

/* Names decoded into a links table's pool: many short ones across several pool blocks and one
 * longer than a block (which gets a block of its own), all intact until the pool is freed. */
Test(msg, link_names_in_pool)
{
    char long_name[5001];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct h5rd__strpool pool = {0};
    enum { N = 2000 };
    static struct h5rd__link links[N + 1];
    char want[N][16];
    for (int i = 0; i <= N; i++) {
        bld_free(&B);
        bld_init(&B);
        const char *name = long_name;
        if (i < N) {
            snprintf(want[i], sizeof want[i], "dataset_%d", i);
            name = want[i];
        }
        size_t n = strlen(name);
        bld_u8(&B, 1);
        bld_u8(&B, 0x01); /* 2-byte name length */
        bld_u16(&B, (uint16_t)n);
        bld_str(&B, name);
        bld_u64(&B, 0x1000 + (uint64_t)i);
        struct h5rd_cur c = cur();
        cr_assert_eq(h5rd__msg_link_decode(F, &c, &pool, &links[i]), H5RD_OK);
        cr_assert(links[i].name_pooled);
        cr_assert_eq(links[i].name_nbytes, n);
    }
    for (int i = 0; i < N; i++) {
        cr_assert_str_eq(links[i].name, want[i]);
        cr_assert_eq(links[i].addr, 0x1000 + (uint64_t)i);
        h5rd__link_free(F, &links[i]);
    }
    cr_assert_str_eq(links[N].name, long_name);
    h5rd__link_free(F, &links[N]);
    h5rd__strpool_free(F, &pool);
    cr_assert_null(pool.head);
}

Test(msg, link_soft_all_flags)
{
    bld_u8(&B, 1);
    bld_u8(&B, 0x08 | 0x04 | 0x10 | 0x01); /* type, corder, cset, 2-byte name length */
    bld_u8(&B, 1);
    bld_u64(&B, 77);
    bld_u8(&B, 1);
    bld_u16(&B, 4);
    bld_str(&B, "link");
    bld_u16(&B, 6);
    bld_str(&B, "/a/b/c");
    struct h5rd_cur c = cur();
    struct h5rd__link l;
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_OK);
    cr_assert_eq(l.type, H5RD_LINK_SOFT);
    cr_assert_eq(l.corder, 77);
    cr_assert_eq(l.cset, 1);
    cr_assert_str_eq(l.name, "link");
    cr_assert_str_eq(l.soft, "/a/b/c");
    h5rd__link_free(F, &l);
}

Test(msg, link_external_and_user)
{
    bld_u8(&B, 1);
    bld_u8(&B, 0x08 | 0x03); /* type present, 8-byte name length */
    bld_u8(&B, 64);
    bld_u64(&B, 1);
    bld_str(&B, "x");
    bld_u16(&B, 1 + 9 + 3);
    bld_u8(&B, 0);
    bld_bytes(&B, "other.h5", 9);
    bld_bytes(&B, "/y", 3);
    struct h5rd_cur c = cur();
    struct h5rd__link l;
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_OK);
    cr_assert_eq(l.type, H5RD_LINK_EXTERNAL);
    cr_assert_str_eq(l.ext_file, "other.h5");
    cr_assert_str_eq(l.ext_path, "/y");
    h5rd__link_free(F, &l);

    /* Path without its terminator. */
    B.p[B.n - 1] = 'z';
    c = cur();
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_CORRUPT);
    /* File name without terminator either. */
    B.p[B.n - 4] = 'q';
    c = cur();
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_CORRUPT);

    /* User-defined type 65: listed with its name. */
    B.p[2] = 65;
    c = cur();
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_OK);
    cr_assert_eq(l.type, H5RD_LINK_USER);
    cr_assert_str_eq(l.name, "x");
    h5rd__link_free(F, &l);

    /* Types 2..63 do not exist. */
    B.p[2] = 5;
    c = cur();
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_CORRUPT);
}

Test(msg, link_malformed)
{
    struct h5rd__link l;
    uint8_t past[] = {1, 0, 200, 'a', 'b'};
    struct h5rd_cur c = h5rd__cur_make(past, sizeof(past), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_TRUNCATED);
    uint8_t empty[] = {1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    c = h5rd__cur_make(empty, sizeof(empty), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_CORRUPT);
    uint8_t flags[] = {1, 0x20, 1, 'a', 1, 2, 3, 4, 5, 6, 7, 8};
    c = h5rd__cur_make(flags, sizeof(flags), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_CORRUPT);
    uint8_t version[] = {2, 0, 1, 'a', 1, 2, 3, 4, 5, 6, 7, 8};
    c = h5rd__cur_make(version, sizeof(version), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_UNSUPPORTED);
    uint8_t noaddr[] = {1, 0, 1, 'a', 1, 2, 3};
    c = h5rd__cur_make(noaddr, sizeof(noaddr), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_TRUNCATED);
    uint8_t softpast[] = {1, 0x08, 1, 1, 'a', 50, 0, '/', 'x'};
    c = h5rd__cur_make(softpast, sizeof(softpast), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_TRUNCATED);
    /* Name longer than limits.max_name_nbytes. */
    F->limits.max_name_nbytes = 2;
    uint8_t longname[] = {1, 0, 3, 'a', 'b', 'c', 1, 2, 3, 4, 5, 6, 7, 8};
    c = h5rd__cur_make(longname, sizeof(longname), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_link_decode(F, &c, NULL, &l), H5RD_E_LIMIT);
}

/* ---- layout ---------------------------------------------------------------------------------- */

Test(msg, layout_v1_v2)
{
    /* Chunked: 2-D chunks of 4x5 elements of 8 bytes (3 stored sizes). */
    bld_u8(&B, 1);
    bld_u8(&B, 3);
    bld_u8(&B, 2);
    bld_zeros(&B, 5);
    bld_u64(&B, 0x800);
    bld_u32(&B, 4);
    bld_u32(&B, 5);
    bld_u32(&B, 8);
    struct h5rd_cur c = cur();
    struct h5rd__layout l;
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_CHUNKED);
    cr_assert_eq(l.pub.version, 1);
    cr_assert_eq(l.pub.rank, 2);
    cr_assert_eq(l.pub.chunk_dims[0], 4);
    cr_assert_eq(l.pub.chunk_dims[1], 5);
    cr_assert_eq(l.elem_nbytes, 8);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_BTREE1);
    cr_assert_eq(l.pub.data_addr, 0x800);
    h5rd__layout_free(F, &l);

    /* Compact, version 2: no address, sizes skipped, then the data. */
    bld_free(&B);
    bld_u8(&B, 2);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_zeros(&B, 5);
    bld_u32(&B, 3);
    bld_u32(&B, 1);
    bld_u32(&B, 3);
    bld_bytes(&B, "xyz", 3);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_COMPACT);
    cr_assert_eq(l.pub.data_nbytes, 3);
    cr_assert_eq(memcmp(l.compact_data, "xyz", 3), 0);
    h5rd__layout_free(F, &l);

    /* Contiguous: size = product of the stored sizes. */
    bld_free(&B);
    bld_u8(&B, 1);
    bld_u8(&B, 2);
    bld_u8(&B, 1);
    bld_zeros(&B, 5);
    bld_u64(&B, 0x400);
    bld_u32(&B, 10);
    bld_u32(&B, 4);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_CONTIGUOUS);
    cr_assert_eq(l.pub.data_addr, 0x400);
    cr_assert_eq(l.pub.data_nbytes, 40);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_NONE);

    B.p[1] = 0; /* dimensionality 0 */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    B.p[1] = 34;
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    B.p[1] = 2;
    B.p[2] = 3; /* virtual before version 4 */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
}

Test(msg, layout_v3)
{
    uint8_t compact[] = {3, 0, 2, 0, 'h', 'i'};
    struct h5rd__layout l;
    struct h5rd_cur c = h5rd__cur_make(compact, sizeof(compact), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.data_nbytes, 2);
    cr_assert_eq(l.compact_data[1], 'i');
    h5rd__layout_free(F, &l);
    compact[2] = 3; /* data past the end */
    c = h5rd__cur_make(compact, sizeof(compact), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_TRUNCATED);

    bld_u8(&B, 3);
    bld_u8(&B, 1);
    bld_u64(&B, 0x999);
    bld_u64(&B, 4096);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_CONTIGUOUS);
    cr_assert_eq(l.pub.data_addr, 0x999);
    cr_assert_eq(l.pub.data_nbytes, 4096);

    bld_free(&B);
    bld_u8(&B, 3);
    bld_u8(&B, 2);
    bld_u8(&B, 2);
    bld_u64(&B, 0x500);
    bld_u32(&B, 16);
    bld_u32(&B, 4);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.rank, 1);
    cr_assert_eq(l.pub.chunk_dims[0], 16);
    cr_assert_eq(l.elem_nbytes, 4);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_BTREE1);
    B.p[B.n - 8] = 0; /* chunk dimension 0 */
    B.p[B.n - 7] = 0;
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    B.p[2] = 1; /* dimensionality 1: no element size */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    c = h5rd__cur_make(B.p, 5, 0, 8, 8, &EC);
    B.p[2] = 2;
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_TRUNCATED);

    uint8_t unknown[] = {3, 7};
    c = h5rd__cur_make(unknown, sizeof(unknown), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    uint8_t v6[] = {6, 1};
    c = h5rd__cur_make(v6, sizeof(v6), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_UNSUPPORTED);
}

/* Version 5 (libhdf5 2.0) encodes the message exactly as version 4; only the chunk index
 * records differ (src/chunk/cidx.c). */
Test(msg, layout_v5_as_v4)
{
    struct h5rd__layout l;
    struct h5rd_cur c;
    bld_free(&B);
    bld_u8(&B, 5);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u8(&B, 3);
    bld_u8(&B, 1);
    bld_uvar(&B, 10, 1);
    bld_uvar(&B, 20, 1);
    bld_uvar(&B, 4, 1);
    bld_u8(&B, 3); /* fixed array */
    bld_u8(&B, 10);
    bld_u64(&B, 0x720);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.version, 5);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_CHUNKED);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_FARRAY);
    cr_assert_eq(l.pub.chunk_dims[0], 10);
    cr_assert_eq(l.pub.chunk_dims[1], 20);
    cr_assert_eq(l.elem_nbytes, 4);
    cr_assert_eq(l.pub.data_addr, 0x720);
    uint8_t contig[] = {5, 1, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
    c = h5rd__cur_make(contig, sizeof(contig), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_CONTIGUOUS);
    cr_assert_eq(l.pub.data_nbytes, 8);
}

/* Version 4 chunked layout: 3 stored sizes (2-D chunk 10x20, element 4) of 'width' bytes. */
static void v4_chunked(struct bld *b, uint8_t flags, uint8_t width, uint8_t idx)
{
    bld_free(b);
    bld_u8(b, 4);
    bld_u8(b, 2);
    bld_u8(b, flags);
    bld_u8(b, 3);
    bld_u8(b, width);
    bld_uvar(b, 10, width);
    bld_uvar(b, 20, width);
    bld_uvar(b, 4, width);
    bld_u8(b, idx);
}

Test(msg, layout_v4_indexes)
{
    struct h5rd__layout l;
    struct h5rd_cur c;

    v4_chunked(&B, 0x02, 2, 1); /* single chunk, filtered */
    bld_u64(&B, 1234);
    bld_u32(&B, 0x5);
    bld_u64(&B, 0x700);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_SINGLE);
    cr_assert_eq(l.pub.chunk_flags, 2);
    cr_assert_eq(l.chunk_dim_nbytes, 2);
    cr_assert_eq(l.single_filtered_nbytes, 1234);
    cr_assert_eq(l.single_filter_mask, 5);
    cr_assert_eq(l.pub.data_addr, 0x700);
    cr_assert_eq(l.pub.rank, 2);
    cr_assert_eq(l.pub.chunk_dims[1], 20);
    cr_assert_eq(l.elem_nbytes, 4);

    v4_chunked(&B, 0, 1, 2); /* implicit */
    bld_u64(&B, 0x710);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_IMPLICIT);
    cr_assert_eq(l.pub.data_addr, 0x710);

    v4_chunked(&B, 1, 8, 3); /* fixed array */
    bld_u8(&B, 10);
    bld_u64(&B, 0x720);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_FARRAY);
    cr_assert_eq(l.farray_max_dblk_page_nelmts_bits, 10);
    cr_assert_eq(l.pub.chunk_flags, 1);

    v4_chunked(&B, 0, 4, 4); /* extensible array */
    bld_u8(&B, 32);
    bld_u8(&B, 4);
    bld_u8(&B, 4);
    bld_u8(&B, 16);
    bld_u8(&B, 10);
    bld_u64(&B, 0x730);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_EARRAY);
    cr_assert_eq(l.earray_max_nelmts_bits, 32);
    cr_assert_eq(l.earray_idx_blk_elmts, 4);
    cr_assert_eq(l.earray_sup_blk_min_data_ptrs, 4);
    cr_assert_eq(l.earray_data_blk_min_elmts, 16);
    cr_assert_eq(l.earray_max_dblk_page_nelmts_bits, 10);
    B.p[B.n - 8 - 3] = 0; /* a zero parameter */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);

    v4_chunked(&B, 0, 2, 5); /* version 2 B-tree */
    bld_u32(&B, 2048);
    bld_u8(&B, 100);
    bld_u8(&B, 40);
    bld_u64(&B, 0x740);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.chunk_index, H5RD_CHUNK_INDEX_BTREE2);
    cr_assert_eq(l.bt2_node_size, 2048);
    cr_assert_eq(l.bt2_split_percent, 100);
    cr_assert_eq(l.bt2_merge_percent, 40);
    cr_assert_eq(l.pub.data_addr, 0x740);

    v4_chunked(&B, 0, 2, 0); /* version 1 B-tree never in v4 */
    bld_u64(&B, 0x740);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    v4_chunked(&B, 0, 2, 6);
    bld_u64(&B, 0x740);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    v4_chunked(&B, 0x04, 2, 2); /* unknown flag */
    bld_u64(&B, 0x740);
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    v4_chunked(&B, 0, 9, 2); /* dimension width 9 */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
    v4_chunked(&B, 0, 2, 2); /* address missing */
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_TRUNCATED);
}

Test(msg, layout_v4_virtual)
{
    bld_u8(&B, 4);
    bld_u8(&B, 3);
    bld_u64(&B, 0x1000);
    bld_u32(&B, 7);
    struct h5rd_cur c = cur();
    struct h5rd__layout l;
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_OK);
    cr_assert_eq(l.pub.cls, H5RD_LAYOUT_VIRTUAL);
    cr_assert_eq(l.vds_gheap_addr, 0x1000);
    cr_assert_eq(l.vds_gheap_index, 7);
    B.p[0] = 3;
    c = cur();
    cr_assert_eq(h5rd__msg_layout_decode(F, &c, &l), H5RD_E_CORRUPT);
}

/* ---- filter pipeline ------------------------------------------------------------------------- */

Test(msg, pline_v1)
{
    bld_u8(&B, 1);
    bld_u8(&B, 2);
    bld_zeros(&B, 6);
    /* deflate, name "deflate" (8 with NUL), 1 value + 4 padding bytes */
    bld_u16(&B, 1);
    bld_u16(&B, 8);
    bld_u16(&B, 0);
    bld_u16(&B, 1);
    bld_bytes(&B, "deflate", 8);
    bld_u32(&B, 6);
    bld_u32(&B, 0);
    /* shuffle, no name, optional, 2 values */
    bld_u16(&B, 2);
    bld_u16(&B, 0);
    bld_u16(&B, 1);
    bld_u16(&B, 2);
    bld_u32(&B, 4);
    bld_u32(&B, 9);
    struct h5rd_cur c = cur();
    struct h5rd__pline p;
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_OK);
    cr_assert_eq(p.n, 2);
    cr_assert_eq(p.v[0].id, 1);
    cr_assert_str_eq(p.v[0].name, "deflate");
    cr_assert_eq(p.v[0].n_values, 1);
    cr_assert_eq(p.v[0].values[0], 6);
    cr_assert_eq(p.v[1].id, 2);
    cr_assert_str_eq(p.v[1].name, "");
    cr_assert_eq(p.v[1].flags, 1);
    cr_assert_eq(p.v[1].n_values, 2);
    cr_assert_eq(p.v[1].values[1], 9);
    h5rd__pline_free(F, &p);

    /* Odd value count without its padding. */
    c = h5rd__cur_make(B.p, 8 + 8 + 8 + 4, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_E_TRUNCATED);
    /* A name length that is not a multiple of 8. */
    B.p[10] = 7;
    c = cur();
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_E_CORRUPT);
}

Test(msg, pline_v2)
{
    bld_u8(&B, 2);
    bld_u8(&B, 2);
    bld_u16(&B, 1); /* deflate: no name length, no name */
    bld_u16(&B, 0);
    bld_u16(&B, 1);
    bld_u32(&B, 5);
    bld_u16(&B, 32000); /* LZF: name present */
    bld_u16(&B, 4);
    bld_u16(&B, 1);
    bld_u16(&B, 3);
    bld_bytes(&B, "lzf", 4);
    bld_u32(&B, 1);
    bld_u32(&B, 2);
    bld_u32(&B, 3);
    struct h5rd_cur c = cur();
    struct h5rd__pline p;
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_OK);
    cr_assert_eq(p.n, 2);
    cr_assert_str_eq(p.v[0].name, "");
    cr_assert_eq(p.v[0].values[0], 5);
    cr_assert_eq(p.v[1].id, 32000);
    cr_assert_str_eq(p.v[1].name, "lzf");
    cr_assert_eq(p.v[1].n_values, 3);
    cr_assert_eq(p.v[1].values[2], 3);
    h5rd__pline_free(F, &p);

    /* Value count far past the bytes present. */
    B.p[6] = 0xff;
    B.p[7] = 0xff;
    c = cur();
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_E_TRUNCATED);
    B.p[1] = 33;
    c = cur();
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_E_CORRUPT);
    B.p[0] = 3;
    c = cur();
    cr_assert_eq(h5rd__msg_pline_decode(F, &c, &p), H5RD_E_UNSUPPORTED);
}

/* ---- attribute ------------------------------------------------------------------------------- */

/* A datatype message for a little-endian signed 32-bit integer (version 1, class 0). */
static void int32_type(struct bld *b)
{
    bld_u8(b, 0x10);
    bld_u8(b, 0x08);
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u32(b, 4);
    bld_u16(b, 0);
    bld_u16(b, 32);
}

/* A version 1 dataspace of one dimension. */
static void space_1d(struct bld *b, uint64_t n)
{
    bld_u8(b, 1);
    bld_u8(b, 1);
    bld_u8(b, 0);
    bld_zeros(b, 5);
    bld_u64(b, n);
}

Test(msg, attr_v1_padded)
{
    bld_u8(&B, 1);
    bld_u8(&B, 0);
    bld_u16(&B, 5); /* "temp" + NUL */
    bld_u16(&B, 12);
    bld_u16(&B, 16);
    bld_bytes(&B, "temp", 5);
    bld_pad_to(&B, 8 + 8);
    int32_type(&B);
    bld_pad_to(&B, 8 + 8 + 16);
    space_1d(&B, 2);
    bld_u32(&B, 11);
    bld_u32(&B, 22);
    struct h5rd_cur c = cur();
    struct h5rd__attr a;
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_OK);
    cr_assert_str_eq(a.name, "temp");
    cr_assert_eq(a.name_nbytes, 4);
    cr_assert_eq(a.type->info.cls, H5RD_CLASS_INTEGER);
    cr_assert_eq(a.type->info.size, 4);
    cr_assert_eq(a.space.rank, 1);
    cr_assert_eq(a.data_nbytes, 8);
    cr_assert_eq(a.data[4], 22);
    cr_assert_eq(a.corder, -1);
    h5rd__attr_free(F, &a);

    /* Data shorter than 2 x 4 bytes. */
    c = h5rd__cur_make(B.p, B.n - 1, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_TRUNCATED);
    /* Dataspace runs past the message. */
    B.p[6] = 200;
    c = cur();
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_TRUNCATED);
    B.p[6] = 16;
    B.p[2] = 0; /* empty name */
    c = cur();
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_CORRUPT);
}

Test(msg, attr_v3_scalar_cset)
{
    bld_u8(&B, 3);
    bld_u8(&B, 0);
    bld_u16(&B, 2);
    bld_u16(&B, 12);
    bld_u16(&B, 4);
    bld_u8(&B, 1);
    bld_bytes(&B, "n", 2);
    int32_type(&B);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u8(&B, 0);
    bld_u8(&B, 0); /* scalar */
    bld_u32(&B, 0x01020304);
    struct h5rd_cur c = cur();
    struct h5rd__attr a;
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_OK);
    cr_assert_str_eq(a.name, "n");
    cr_assert_eq(a.cset, 1);
    cr_assert_eq(a.space.kind, H5RD_SPACE_SCALAR);
    cr_assert_eq(a.data_nbytes, 4);
    cr_assert_eq(a.data[0], 4);
    h5rd__attr_free(F, &a);

    B.p[1] = 0x04; /* unknown flag */
    c = cur();
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_CORRUPT);
    B.p[1] = 0;
    B.p[8] = 2; /* unknown character set */
    c = cur();
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_CORRUPT);
}

Test(msg, attr_v2_null_space_and_overflow)
{
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u16(&B, 2);
    bld_u16(&B, 12);
    bld_u16(&B, 4);
    bld_bytes(&B, "e", 2);
    int32_type(&B);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u8(&B, 0);
    bld_u8(&B, 2); /* null */
    struct h5rd_cur c = cur();
    struct h5rd__attr a;
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_OK);
    cr_assert_eq(a.space.kind, H5RD_SPACE_NULL);
    cr_assert_eq(a.data_nbytes, 0);
    cr_assert_null(a.data);
    h5rd__attr_free(F, &a);

    /* 2^62 x 2^3 elements of 4 bytes overflow. */
    bld_free(&B);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u16(&B, 2);
    bld_u16(&B, 12);
    bld_u16(&B, 20);
    bld_bytes(&B, "e", 2);
    int32_type(&B);
    bld_u8(&B, 2);
    bld_u8(&B, 2);
    bld_u8(&B, 0);
    bld_u8(&B, 1);
    bld_u64(&B, (uint64_t)1 << 62);
    bld_u64(&B, 8);
    c = cur();
    cr_assert_eq(h5rd__msg_attr_decode(F, &c, &a), H5RD_E_CORRUPT);
}

/* ---- small messages -------------------------------------------------------------------------- */

Test(msg, comment)
{
    uint8_t with_nul[] = {'h', 'i', 0, 'x'};
    char *s = NULL;
    struct h5rd_cur c = h5rd__cur_make(with_nul, sizeof(with_nul), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_comment_decode(F, &c, &s), H5RD_OK);
    cr_assert_str_eq(s, "hi");
    h5rd__free(F, s);
    c = h5rd__cur_make(with_nul, 2, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_comment_decode(F, &c, &s), H5RD_OK);
    cr_assert_str_eq(s, "hi");
    h5rd__free(F, s);
}

Test(msg, cont_stab_refcount_btreek_sohm)
{
    bld_u64(&B, 0x100);
    bld_u64(&B, 0x200);
    struct h5rd_cur c = cur();
    uint64_t a = 0, n = 0;
    cr_assert_eq(h5rd__msg_cont_decode(&c, &a, &n), H5RD_OK);
    cr_assert_eq(a, 0x100);
    cr_assert_eq(n, 0x200);
    c = cur();
    struct h5rd__stab st;
    cr_assert_eq(h5rd__msg_stab_decode(&c, &st), H5RD_OK);
    cr_assert_eq(st.btree_addr, 0x100);
    cr_assert_eq(st.heap_addr, 0x200);
    c = h5rd__cur_make(B.p, 15, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_cont_decode(&c, &a, &n), H5RD_E_TRUNCATED);

    uint8_t rc[] = {0, 3, 0, 0, 0};
    uint32_t r = 0;
    c = h5rd__cur_make(rc, sizeof(rc), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_refcount_decode(&c, &r), H5RD_OK);
    cr_assert_eq(r, 3);
    rc[0] = 1;
    c = h5rd__cur_make(rc, sizeof(rc), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_refcount_decode(&c, &r), H5RD_E_UNSUPPORTED);

    uint8_t bk[] = {0, 32, 0, 16, 0, 4, 0};
    uint32_t ik = 0, gk = 0, lk = 0;
    c = h5rd__cur_make(bk, sizeof(bk), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_btreek_decode(&c, &ik, &gk, &lk), H5RD_OK);
    cr_assert_eq(ik, 32);
    cr_assert_eq(gk, 16);
    cr_assert_eq(lk, 4);
    bk[5] = 0;
    c = h5rd__cur_make(bk, sizeof(bk), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_btreek_decode(&c, &ik, &gk, &lk), H5RD_E_CORRUPT);

    uint8_t sm[] = {0, 0x40, 0, 0, 0, 0, 0, 0, 0, 3};
    uint64_t ta = 0;
    uint32_t ni = 0;
    c = h5rd__cur_make(sm, sizeof(sm), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_sohm_table_decode(&c, &ta, &ni), H5RD_OK);
    cr_assert_eq(ta, 0x40);
    cr_assert_eq(ni, 3);
}

Test(msg, mtime)
{
    uint8_t newer[] = {1, 0, 0, 0, 0x10, 0x27, 0, 0};
    int64_t t = 0;
    struct h5rd_cur c = h5rd__cur_make(newer, sizeof(newer), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, false, &t), H5RD_OK);
    cr_assert_eq(t, 10000);
    newer[0] = 2;
    c = h5rd__cur_make(newer, sizeof(newer), 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, false, &t), H5RD_E_UNSUPPORTED);

    char old[] = "20000323093541\0\0"; /* 2000-03-23 09:35:41 UTC */
    c = h5rd__cur_make((const uint8_t *)old, 16, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, true, &t), H5RD_OK);
    cr_assert_eq(t, 953804141);
    char epoch[] = "19700101000000\0\0";
    c = h5rd__cur_make((const uint8_t *)epoch, 16, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, true, &t), H5RD_OK);
    cr_assert_eq(t, 0);
    char bad[] = "2000x323093541\0\0";
    c = h5rd__cur_make((const uint8_t *)bad, 16, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, true, &t), H5RD_E_CORRUPT);
    char month[] = "20001323093541\0\0";
    c = h5rd__cur_make((const uint8_t *)month, 16, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, true, &t), H5RD_E_CORRUPT);
    c = h5rd__cur_make((const uint8_t *)old, 10, 0, 8, 8, &EC);
    cr_assert_eq(h5rd__msg_mtime_decode(&c, true, &t), H5RD_E_TRUNCATED);
}

/* External files: the names live in a local heap ("HEAP") in the file image. */
Test(msg, efl_with_local_heap)
{
    struct bld img;
    bld_init(&img);
    /* Local heap at 0: signature, version, reserved, data size, free list offset, data addr. */
    bld_str(&img, "HEAP");
    bld_u8(&img, 0);
    bld_zeros(&img, 3);
    bld_u64(&img, 24);
    bld_u64(&img, UINT64_MAX);
    bld_u64(&img, 32);
    bld_pad_to(&img, 32);
    bld_zeros(&img, 8); /* offset 0: the empty string, as libhdf5 writes */
    bld_bytes(&img, "a.bin", 6);
    bld_pad_to(&img, 48);
    bld_bytes(&img, "b.bin", 6);
    bld_pad_to(&img, 56);
    struct h5rd_file *f = mem_file(&img);

    bld_u8(&B, 1);
    bld_zeros(&B, 3);
    bld_u16(&B, 4);
    bld_u16(&B, 2);
    bld_u64(&B, 0); /* heap address */
    bld_u64(&B, 8);
    bld_u64(&B, 100);
    bld_u64(&B, 40);
    bld_u64(&B, 16);
    bld_u64(&B, 0);
    bld_u64(&B, UINT64_MAX);
    struct h5rd_cur c = cur();
    struct h5rd__efl efl;
    cr_assert_eq(h5rd__msg_efl_decode(f, &c, &efl), H5RD_OK, "%s", EC.what);
    cr_assert_eq(efl.n, 2);
    cr_assert_str_eq(efl.v[0].name, "a.bin");
    cr_assert_eq(efl.v[0].file_offset, 100);
    cr_assert_eq(efl.v[0].nbytes, 40);
    cr_assert_str_eq(efl.v[1].name, "b.bin");
    cr_assert_eq(efl.v[1].nbytes, H5RD_UNLIMITED);
    h5rd__efl_free(f, &efl);

    /* A name offset outside the heap's data segment. */
    bld_patch(&B, 16, 5000, 8);
    c = cur();
    cr_assert_neq(h5rd__msg_efl_decode(f, &c, &efl), H5RD_OK);
    /* More used slots than allocated. */
    bld_patch(&B, 4, 1, 2);
    c = cur();
    cr_assert_eq(h5rd__msg_efl_decode(f, &c, &efl), H5RD_E_CORRUPT);
    /* Entries past the end of the message. */
    bld_patch(&B, 4, 9, 2);
    bld_patch(&B, 6, 9, 2);
    c = cur();
    cr_assert_eq(h5rd__msg_efl_decode(f, &c, &efl), H5RD_E_TRUNCATED);
    mem_close(f);
    bld_free(&img);
}
