/*
 * test_cidx.c - chunk indexes (src/chunk): every index type on real files written by h5py 3.7 /
 * libhdf5 1.10.8 (tests/data/cidx, made by gen.py there) against the chunk tables libhdf5
 * lists for them (expected.txt, in libhdf5's index order), lookups of every listed chunk and of
 * unstored ones, and hand-built malformed fixed and extensible arrays that must end in clean
 * errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include "builder.h"
#include "chunk/cidx.h"
#include "group/group.h"
#include "io/source.h"
#include "object/msg.h"
#include "object/ohdr.h"
#include "rawfile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR H5RD_SOURCE_DIR "/tests/data/cidx/"

/* ---- opening a dataset the internal way --------------------------------------------------- */

struct ds {
    struct h5rd__layout layout;
    struct h5rd__pline pline;
    struct h5rd_space space;
};

static h5rd_err decode_msg(struct h5rd_file *f, const struct h5rd__ohdr *oh, uint16_t type,
                           void *out, struct h5rd_error *ec)
{
    const struct h5rd__msg *m = h5rd__ohdr_find(oh, type, 0);
    if (m == NULL) {
        return H5RD_E_NOT_FOUND;
    }
    struct h5rd_view v = {0};
    H5RD_TRY(h5rd__msg_body(f, m, &v, ec));
    struct h5rd_cur c = h5rd__view_cur(f, &v, ec);
    h5rd_err e;
    if (type == H5RD__MSG_LAYOUT) {
        e = h5rd__msg_layout_decode(f, &c, out);
    } else if (type == H5RD__MSG_FILTER_PIPELINE) {
        e = h5rd__msg_pline_decode(f, &c, out);
    } else {
        e = h5rd__msg_dataspace_decode(f, &c, out);
    }
    h5rd__io_release(f, &v);
    return e;
}

/* Opens the dataset linked as 'name' from the root group. */
static void ds_open(struct h5rd_file *f, const char *name, struct ds *ds)
{
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    memset(ds, 0, sizeof(*ds));
    struct h5rd__ohdr oh;
    cr_assert_eq(h5rd__ohdr_load(f, f->sb.root_addr, &oh, &ec), H5RD_OK);
    struct h5rd__links links;
    cr_assert_eq(h5rd__group_load_links(f, &oh, &links, &ec), H5RD_OK);
    h5rd__ohdr_free(f, &oh);
    const struct h5rd__link *l = h5rd__links_find(&links, name, strlen(name));
    cr_assert_not_null(l, "no link %s", name);
    uint64_t addr = l->addr;
    h5rd__links_free(f, &links);
    cr_assert_eq(h5rd__ohdr_load(f, addr, &oh, &ec), H5RD_OK);
    cr_assert_eq(decode_msg(f, &oh, H5RD__MSG_LAYOUT, &ds->layout, &ec), H5RD_OK);
    cr_assert_eq(decode_msg(f, &oh, H5RD__MSG_DATASPACE, &ds->space, &ec), H5RD_OK);
    h5rd_err pe = decode_msg(f, &oh, H5RD__MSG_FILTER_PIPELINE, &ds->pline, &ec);
    cr_assert(pe == H5RD_OK || pe == H5RD_E_NOT_FOUND);
    h5rd__ohdr_free(f, &oh);
}

static void ds_close(struct h5rd_file *f, struct ds *ds)
{
    h5rd__layout_free(f, &ds->layout);
    h5rd__pline_free(f, &ds->pline);
}

/* ---- collecting records -------------------------------------------------------------------- */

struct table {
    uint64_t n, cap;
    struct h5rd__chunk_rec *v;
};

static h5rd_err collect(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    (void)ec;
    struct table *t = ud;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->v = realloc(t->v, t->cap * sizeof(*t->v));
        cr_assert_not_null(t->v);
    }
    t->v[t->n++] = *rec;
    return H5RD_OK;
}

/* ---- the real files ------------------------------------------------------------------------ */

struct expect {
    char file[64];
    char path[64];
    uint64_t n;
    struct h5rd__chunk_rec *v;
};

/* Reads expected.txt (see gen.py). Returns the number of datasets. */
static size_t load_expected(struct expect **out)
{
    FILE *fp = fopen(DATA_DIR "expected.txt", "r");
    cr_assert_not_null(fp, "cannot open expected.txt");
    size_t nd = 0, cap = 0;
    struct expect *e = NULL;
    char line[1024];
    uint64_t k = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (line[0] == 'D') {
            if (nd == cap) {
                cap = cap ? 2 * cap : 16;
                e = realloc(e, cap * sizeof(*e));
                cr_assert_not_null(e);
            }
            struct expect *x = &e[nd++];
            memset(x, 0, sizeof(*x));
            cr_assert_geq(sscanf(line, "D %63s %63s %" SCNu64, x->file, x->path, &x->n), 3);
            x->v = calloc(x->n ? x->n : 1, sizeof(*x->v));
            k = 0;
            continue;
        }
        struct expect *x = &e[nd - 1];
        cr_assert_lt(k, x->n);
        struct h5rd__chunk_rec *r = &x->v[k++];
        char *p = line;
        for (unsigned i = 0;; i++) {
            r->offset[i] = strtoull(p, &p, 10);
            if (*p != ',') {
                break;
            }
            p++;
        }
        r->addr = strtoull(p, &p, 10);
        r->nbytes = strtoull(p, &p, 10);
        r->filter_mask = (uint32_t)strtoul(p, &p, 10);
    }
    fclose(fp);
    *out = e;
    return nd;
}

static void check_file(const char *file)
{
    struct expect *e = NULL;
    size_t nd = load_expected(&e);
    struct h5rd_file f;
    struct h5rd_error ec;
    char path[512];
    snprintf(path, sizeof(path), DATA_DIR "%s", file);
    cr_assert_eq(rawfile_open(&f, path, 0, &ec), H5RD_OK, "%s: %s", path, ec.what);
    size_t checked = 0;
    for (size_t d = 0; d < nd; d++) {
        if (strcmp(e[d].file, file) != 0) {
            continue;
        }
        struct ds ds;
        ds_open(&f, e[d].path, &ds);
        unsigned rank = ds.layout.pub.rank;
        struct table t = {0};
        h5rd__err_clear(&ec);
        h5rd_err rc = h5rd__cidx_iterate(&f, &ds.layout, &ds.pline, &ds.space, collect, &t, &ec);
        cr_assert_eq(rc, H5RD_OK, "%s: %s", e[d].path, ec.what);
        cr_assert_eq(t.n, e[d].n, "%s: %" PRIu64 " chunks, want %" PRIu64, e[d].path, t.n,
                     e[d].n);
        for (uint64_t i = 0; i < t.n; i++) {
            const struct h5rd__chunk_rec *g = &t.v[i], *w = &e[d].v[i];
            for (unsigned k = 0; k < rank; k++) {
                cr_assert_eq(g->offset[k], w->offset[k], "%s: chunk %" PRIu64 " offset %u",
                             e[d].path, i, k);
            }
            cr_assert_eq(g->addr, w->addr, "%s: chunk %" PRIu64 " address", e[d].path, i);
            cr_assert_eq(g->nbytes, w->nbytes, "%s: chunk %" PRIu64 " size", e[d].path, i);
            cr_assert_eq(g->filter_mask, w->filter_mask, "%s: chunk %" PRIu64 " mask",
                         e[d].path, i);
            /* Lookup gives back the same record. */
            struct h5rd__chunk_rec r;
            h5rd__err_clear(&ec);
            rc = h5rd__cidx_lookup(&f, &ds.layout, &ds.pline, &ds.space, w->offset, &r, &ec);
            cr_assert_eq(rc, H5RD_OK, "%s: lookup of chunk %" PRIu64 ": %s", e[d].path, i,
                         ec.what);
            cr_assert_eq(r.addr, w->addr);
            cr_assert_eq(r.nbytes, w->nbytes);
            cr_assert_eq(r.filter_mask, w->filter_mask);
        }
        /* Every chunk of the current grid not listed is not stored; misaligned offsets are
         * RANGE. Grids here are small except ea_1d: probe its first 200 chunks only. */
        uint64_t grid[H5RD_MAX_RANK], total = 1;
        for (unsigned k = 0; k < rank; k++) {
            uint64_t cd = ds.layout.pub.chunk_dims[k];
            grid[k] = (ds.space.dims[k] + cd - 1) / cd;
            total *= grid[k];
        }
        for (uint64_t lin = 0; lin < total && lin < 3000; lin++) {
            uint64_t off[H5RD_MAX_RANK] = {0}, rest = lin;
            for (unsigned k = rank; k-- > 0;) {
                off[k] = (rest % grid[k]) * ds.layout.pub.chunk_dims[k];
                rest /= grid[k];
            }
            bool listed = false;
            for (uint64_t i = 0; i < t.n && !listed; i++) {
                listed = memcmp(t.v[i].offset, off, rank * sizeof(uint64_t)) == 0;
            }
            if (listed) {
                continue;
            }
            struct h5rd__chunk_rec r;
            h5rd__err_clear(&ec);
            rc = h5rd__cidx_lookup(&f, &ds.layout, &ds.pline, &ds.space, off, &r, &ec);
            cr_assert_eq(rc, H5RD_E_NOT_FOUND, "%s: chunk %" PRIu64 " should not be stored",
                         e[d].path, lin);
        }
        bool any_big = false;
        uint64_t off[H5RD_MAX_RANK] = {0};
        for (unsigned k = 0; k < rank; k++) {
            any_big = any_big || ds.layout.pub.chunk_dims[k] > 1;
        }
        if (any_big) {
            for (unsigned k = 0; k < rank; k++) {
                off[k] = ds.layout.pub.chunk_dims[k] > 1 ? 1 : 0;
            }
            struct h5rd__chunk_rec r;
            h5rd__err_clear(&ec);
            cr_assert_eq(h5rd__cidx_lookup(&f, &ds.layout, &ds.pline, &ds.space, off, &r, &ec),
                         H5RD_E_RANGE);
        }
        free(t.v);
        ds_close(&f, &ds);
        checked++;
    }
    cr_assert_gt(checked, 0);
    rawfile_close(&f);
    for (size_t d = 0; d < nd; d++) {
        free(e[d].v);
    }
    free(e);
}

Test(cidx, earliest_v1_btrees)
{
    check_file("earliest.h5");
}

Test(cidx, latest_v4_indexes)
{
    check_file("latest.h5");
}

/* A callback that stops after the first record: the code comes back unchanged. */
static h5rd_err stop_first(const struct h5rd__chunk_rec *rec, void *ud, struct h5rd_error *ec)
{
    (void)rec;
    (void)ec;
    (*(int *)ud)++;
    return H5RD_E_RANGE;
}

Test(cidx, callback_stops_iteration)
{
    static const char *names[] = {"fa_paged", "ea_1d", "bt2", "implicit"};
    struct h5rd_file f;
    struct h5rd_error ec;
    cr_assert_eq(rawfile_open(&f, DATA_DIR "latest.h5", 0, &ec), H5RD_OK);
    for (unsigned i = 0; i < 4; i++) {
        struct ds ds;
        ds_open(&f, names[i], &ds);
        int calls = 0;
        h5rd__err_clear(&ec);
        cr_assert_eq(h5rd__cidx_iterate(&f, &ds.layout, &ds.pline, &ds.space, stop_first, &calls,
                                        &ec),
                     H5RD_E_RANGE);
        cr_assert_eq(calls, 1, "%s", names[i]);
        ds_close(&f, &ds);
    }
    rawfile_close(&f);
}

/* ---- hand-built fixed and extensible arrays ------------------------------------------------ */

struct mem {
    struct bld b;
    struct h5rd_file f;
    struct h5rd_error ec;
    struct h5rd__layout layout;
    struct h5rd__pline pline;
    struct h5rd__filter filter;
    struct h5rd_space space;
};

/* A 2-D dataset of 1-byte elements, chunks 1 x 1, dims = maxdims = (rows, cols) (cols may be
 * H5RD_UNLIMITED for maxdims: the extensible array case). Index at address 'addr'. */
static void mem_dataset(struct mem *m, h5rd_chunk_index idx, uint64_t addr, uint64_t rows,
                        uint64_t cols, uint64_t max_rows, uint64_t max_cols, bool filtered)
{
    memset(&m->layout, 0, sizeof(m->layout));
    m->layout.pub.cls = H5RD_LAYOUT_CHUNKED;
    m->layout.pub.version = 4;
    m->layout.pub.rank = 2;
    m->layout.pub.chunk_dims[0] = 1;
    m->layout.pub.chunk_dims[1] = 1;
    m->layout.pub.chunk_index = idx;
    m->layout.pub.data_addr = addr;
    m->layout.elem_nbytes = 1;
    memset(&m->space, 0, sizeof(m->space));
    m->space.kind = H5RD_SPACE_SIMPLE;
    m->space.rank = 2;
    m->space.dims[0] = rows;
    m->space.dims[1] = cols;
    m->space.maxdims[0] = max_rows;
    m->space.maxdims[1] = max_cols;
    memset(&m->pline, 0, sizeof(m->pline));
    memset(&m->filter, 0, sizeof(m->filter));
    m->filter.id = 1;
    if (filtered) {
        m->pline.n = 1;
        m->pline.v = &m->filter;
    }
}

static h5rd_err mem_iterate(struct mem *m, uint32_t flags, struct table *t)
{
    cr_assert_eq(rawfile_open_memory(&m->f, m->b.p, m->b.n, 8, 8, 4, 16, &m->ec), H5RD_OK);
    m->f.flags = flags;
    h5rd__err_clear(&m->ec);
    memset(t, 0, sizeof(*t));
    h5rd_err e = h5rd__cidx_iterate(&m->f, &m->layout, &m->pline, &m->space, collect, t, &m->ec);
    rawfile_close(&m->f);
    if (e != H5RD_OK) {
        free(t->v); /* records collected before the failure */
        t->v = NULL;
    }
    return e;
}

static h5rd_err mem_lookup(struct mem *m, uint64_t r, uint64_t c, struct h5rd__chunk_rec *rec)
{
    cr_assert_eq(rawfile_open_memory(&m->f, m->b.p, m->b.n, 8, 8, 4, 16, &m->ec), H5RD_OK);
    h5rd__err_clear(&m->ec);
    uint64_t off[2] = {r, c};
    h5rd_err e = h5rd__cidx_lookup(&m->f, &m->layout, &m->pline, &m->space, off, rec, &m->ec);
    rawfile_close(&m->f);
    return e;
}

#define FA_HDR 0
#define FA_DBLK 64

/* FAHD at 0, FADB at 64 with unpaged elements addr[i] (unfiltered, 8-byte addresses). */
static void fa_build(struct bld *b, uint64_t nelmts, uint8_t esz, uint8_t page_bits,
                     uint8_t client, const uint64_t *addrs, uint64_t n_addrs)
{
    bld_init(b);
    bld_str(b, "FAHD");
    bld_u8(b, 0);
    bld_u8(b, client);
    bld_u8(b, esz);
    bld_u8(b, page_bits);
    bld_u64(b, nelmts);
    bld_u64(b, FA_DBLK);
    bld_lookup3(b, FA_HDR);
    bld_pad_to(b, FA_DBLK);
    bld_str(b, "FADB");
    bld_u8(b, 0);
    bld_u8(b, client);
    bld_u64(b, FA_HDR);
    for (uint64_t i = 0; i < n_addrs; i++) {
        bld_u64(b, addrs[i]);
    }
    bld_lookup3(b, FA_DBLK);
}

Test(cidx, farray_handmade_good)
{
    struct mem m;
    const uint64_t addrs[6] = {1000, UINT64_MAX, 1002, UINT64_MAX, UINT64_MAX, 1005};
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 2, 3, 2, 3, false);
    struct table t;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK, "%s", m.ec.what);
    cr_assert_eq(t.n, 3);
    cr_assert_eq(t.v[1].addr, 1002);
    cr_assert_eq(t.v[1].offset[0], 0);
    cr_assert_eq(t.v[1].offset[1], 2);
    cr_assert_eq(t.v[2].offset[0], 1);
    cr_assert_eq(t.v[2].offset[1], 2);
    cr_assert_eq(t.v[2].nbytes, 1);
    free(t.v);
    struct h5rd__chunk_rec r;
    cr_assert_eq(mem_lookup(&m, 1, 2, &r), H5RD_OK);
    cr_assert_eq(r.addr, 1005);
    cr_assert_eq(mem_lookup(&m, 1, 0, &r), H5RD_E_NOT_FOUND);
    cr_assert_eq(mem_lookup(&m, 2, 0, &r), H5RD_E_RANGE);
    bld_free(&m.b);
}

Test(cidx, farray_handmade_bad)
{
    struct mem m;
    struct table t;
    const uint64_t addrs[6] = {1000, 1001, 1002, 1003, 1004, 1005};

    /* More elements than the 2 x 3 chunk grid. */
    fa_build(&m.b, 7, 8, 10, 0, addrs, 6);
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 2, 3, 2, 3, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Absurd element count on a huge grid: the data block cannot be present. */
    fa_build(&m.b, (uint64_t)1 << 40, 8, 63, 0, addrs, 6);
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 1u << 20, 1u << 20, 1u << 20, 1u << 20,
                false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED);
    bld_free(&m.b);

    /* Paged (2^40 elements, 1024 per page): the page bitmap runs past the file. */
    fa_build(&m.b, (uint64_t)1 << 40, 8, 10, 0, addrs, 6);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED);
    bld_free(&m.b);

    /* Bad header checksum; accepted with H5RD_OPEN_SKIP_CHECKSUMS. */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    m.b.p[12] ^= 1; /* nelmts grows past the grid, but the checksum is checked first */
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 2, 3, 2, 3, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CHECKSUM);
    cr_assert_eq(m.ec.file_offset, FA_HDR);
    cr_assert_eq(mem_iterate(&m, H5RD_OPEN_SKIP_CHECKSUMS, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Bad data block checksum. */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    m.b.p[FA_DBLK + 20] ^= 0x40;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CHECKSUM);
    cr_assert_eq(m.ec.file_offset, FA_DBLK);
    bld_free(&m.b);

    /* Element size or client id not what the dataset implies. */
    fa_build(&m.b, 6, 16, 10, 0, addrs, 6);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);
    fa_build(&m.b, 6, 8, 10, 1, addrs, 6);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Data block owned by another header. */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    bld_patch(&m.b, FA_DBLK + 6, 8, 8);
    bld_patch(&m.b, m.b.n - 4, 0, 4);
    m.b.n -= 4;
    bld_lookup3(&m.b, FA_DBLK);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Truncated data block. */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    m.b.n -= 10;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED);
    bld_free(&m.b);

    /* Wrong signature (valid checksum). */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    m.b.p[0] = 'X';
    m.b.n = FA_HDR + 24;
    bld_lookup3(&m.b, FA_HDR);
    bld_pad_to(&m.b, 200);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* A fixed array on a dataset with an unlimited dimension. */
    fa_build(&m.b, 6, 8, 10, 0, addrs, 6);
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 2, 3, 2, H5RD_UNLIMITED, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);
}

Test(cidx, farray_handmade_paged)
{
    /* 6 elements, 2 per page (page bits 1): 3 pages; bitmap 0b101 (page 1 never written). */
    struct mem m;
    bld_init(&m.b);
    bld_str(&m.b, "FAHD");
    bld_u8(&m.b, 0);
    bld_u8(&m.b, 0);
    bld_u8(&m.b, 8);
    bld_u8(&m.b, 1);
    bld_u64(&m.b, 6);
    bld_u64(&m.b, FA_DBLK);
    bld_lookup3(&m.b, FA_HDR);
    bld_pad_to(&m.b, FA_DBLK);
    bld_str(&m.b, "FADB");
    bld_u8(&m.b, 0);
    bld_u8(&m.b, 0);
    bld_u64(&m.b, FA_HDR);
    bld_u8(&m.b, 0xA0);
    bld_lookup3(&m.b, FA_DBLK);
    for (unsigned p = 0; p < 3; p++) {
        size_t at = m.b.n;
        bld_u64(&m.b, 2000 + 2 * p);
        bld_u64(&m.b, p == 2 ? UINT64_MAX : 2001 + 2 * p);
        bld_lookup3(&m.b, at);
    }
    mem_dataset(&m, H5RD_CHUNK_INDEX_FARRAY, FA_HDR, 2, 3, 2, 3, false);
    struct table t;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK, "%s", m.ec.what);
    cr_assert_eq(t.n, 3);
    cr_assert_eq(t.v[0].addr, 2000);
    cr_assert_eq(t.v[1].addr, 2001);
    cr_assert_eq(t.v[2].addr, 2004);
    cr_assert_eq(t.v[2].offset[0], 1);
    cr_assert_eq(t.v[2].offset[1], 1);
    free(t.v);
    struct h5rd__chunk_rec r;
    cr_assert_eq(mem_lookup(&m, 0, 2, &r), H5RD_E_NOT_FOUND); /* page 1: not initialised */
    cr_assert_eq(mem_lookup(&m, 1, 1, &r), H5RD_OK);
    cr_assert_eq(r.addr, 2004);
    /* A damaged page checksum is reported at the page. */
    m.b.p[m.b.n - 5] ^= 1;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CHECKSUM);
    cr_assert_eq(m.ec.file_offset, m.b.n - 20);
    bld_free(&m.b);
}

#define EA_HDR 0
#define EA_IBLK 128

/* EAHD at 0 (8-byte sizes), parameters as given, max index set 'max_idx'. */
static void ea_hdr(struct bld *b, uint8_t esz, uint8_t max_bits, uint8_t iblk_elmts,
                   uint8_t dblk_min, uint8_t sblk_ptrs, uint8_t page_bits, uint64_t max_idx,
                   uint64_t iblk_addr)
{
    bld_init(b);
    bld_str(b, "EAHD");
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u8(b, esz);
    bld_u8(b, max_bits);
    bld_u8(b, iblk_elmts);
    bld_u8(b, dblk_min);
    bld_u8(b, sblk_ptrs);
    bld_u8(b, page_bits);
    for (unsigned i = 0; i < 4; i++) {
        bld_u64(b, 0);
    }
    bld_u64(b, max_idx);
    bld_u64(b, max_idx);
    bld_u64(b, iblk_addr);
    bld_lookup3(b, EA_HDR);
}

/* Index block for max_bits 8, iblk_elmts 2, dblk_min 2, sblk_ptrs 2: nsblks = 8, the index
 * block holds 2 data block addresses (super blocks 0 and 1) and 6 super block addresses. */
static void ea_iblk(struct bld *b, const uint64_t *elmts, const uint64_t *dblks,
                    const uint64_t *sblks)
{
    bld_pad_to(b, EA_IBLK);
    bld_str(b, "EAIB");
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u64(b, EA_HDR);
    for (unsigned i = 0; i < 2; i++) {
        bld_u64(b, elmts[i]);
    }
    for (unsigned i = 0; i < 2; i++) {
        bld_u64(b, dblks[i]);
    }
    for (unsigned i = 0; i < 6; i++) {
        bld_u64(b, sblks[i]);
    }
    bld_lookup3(b, EA_IBLK);
}

/* Data block at 'at' of n elements (block offset 1 byte for max_bits 8). */
static void ea_dblk(struct bld *b, size_t at, unsigned n, uint64_t first_addr)
{
    bld_pad_to(b, at);
    bld_str(b, "EADB");
    bld_u8(b, 0);
    bld_u8(b, 0);
    bld_u64(b, EA_HDR);
    bld_u8(b, 0);
    for (unsigned i = 0; i < n; i++) {
        bld_u64(b, first_addr + i);
    }
    bld_lookup3(b, at);
}

Test(cidx, earray_handmade)
{
    /* Dataset 1 x unlimited (current 1 x 20), chunks 1 x 1: element n is column n. */
    struct mem m;
    const uint64_t U = UINT64_MAX;
    const uint64_t elmts[2] = {500, U};
    const uint64_t dblks[2] = {512, U}; /* super block 0: one data block of 2 elements */
    uint64_t sblks[6] = {U, U, U, U, U, U};
    sblks[0] = 640; /* super block 2: 2 data blocks of 4 elements (elements 8..15) */
    ea_hdr(&m.b, 8, 8, 2, 2, 2, 10, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sblks);
    ea_dblk(&m.b, 512, 2, 700);
    bld_pad_to(&m.b, 640);
    bld_str(&m.b, "EASB");
    bld_u8(&m.b, 0);
    bld_u8(&m.b, 0);
    bld_u64(&m.b, EA_HDR);
    bld_u8(&m.b, 6);
    bld_u64(&m.b, U);
    bld_u64(&m.b, 768);
    bld_lookup3(&m.b, 640);
    ea_dblk(&m.b, 768, 4, 800);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, 1, H5RD_UNLIMITED, false);
    struct table t;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK, "%s", m.ec.what);
    /* elements 0 (500), 2, 3 (700, 701), 12..15 (800..803) */
    cr_assert_eq(t.n, 7);
    cr_assert_eq(t.v[0].addr, 500);
    cr_assert_eq(t.v[1].addr, 700);
    cr_assert_eq(t.v[1].offset[1], 2);
    cr_assert_eq(t.v[3].addr, 800);
    cr_assert_eq(t.v[3].offset[1], 12);
    cr_assert_eq(t.v[6].offset[1], 15);
    free(t.v);
    struct h5rd__chunk_rec r;
    cr_assert_eq(mem_lookup(&m, 0, 13, &r), H5RD_OK);
    cr_assert_eq(r.addr, 801);
    cr_assert_eq(mem_lookup(&m, 0, 9, &r), H5RD_E_NOT_FOUND);
    cr_assert_eq(mem_lookup(&m, 0, 1, &r), H5RD_E_NOT_FOUND);

    /* Only elements below the max index set (now 13) exist: rewrite the header in place. */
    struct bld h;
    ea_hdr(&h, 8, 8, 2, 2, 2, 10, 13, EA_IBLK);
    memcpy(m.b.p, h.p, h.n);
    bld_free(&h);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK, "%s", m.ec.what);
    cr_assert_eq(t.n, 4); /* 0, 2, 3, 12 */
    free(t.v);
    cr_assert_eq(mem_lookup(&m, 0, 13, &r), H5RD_E_NOT_FOUND);
    bld_free(&m.b);
}

Test(cidx, earray_handmade_bad)
{
    struct mem m;
    struct table t;
    const uint64_t U = UINT64_MAX;
    const uint64_t elmts[2] = {500, U};
    const uint64_t dblks[2] = {U, U};
    const uint64_t sblks[6] = {U, U, U, U, U, U};

    /* Non power-of-two minimum data block size. */
    ea_hdr(&m.b, 8, 8, 2, 3, 2, 10, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sblks);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, 1, H5RD_UNLIMITED, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Absurd max index set with a 64-bit element space: only what is present is read. */
    ea_hdr(&m.b, 8, 64, 2, 2, 2, 10, UINT64_MAX, EA_IBLK);
    bld_pad_to(&m.b, EA_IBLK);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED); /* index block absent */
    bld_free(&m.b);

    /* Bad index block checksum. */
    ea_hdr(&m.b, 8, 8, 2, 2, 2, 10, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sblks);
    m.b.p[EA_IBLK + 16] ^= 1;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CHECKSUM);
    cr_assert_eq(m.ec.file_offset, EA_IBLK);
    bld_free(&m.b);

    /* Element size not the dataset's. */
    ea_hdr(&m.b, 9, 8, 2, 2, 2, 10, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sblks);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* Two unlimited dimensions, or none. */
    ea_hdr(&m.b, 8, 8, 2, 2, 2, 10, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sblks);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, H5RD_UNLIMITED, H5RD_UNLIMITED,
                false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, 1, 20, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);

    /* A super block whose page bitmap would run past the file: super block 7 of a paged
     * array (page bits 1: data blocks of super block 7 hold 16 x 2 elements, 16 pages). */
    uint64_t sb[6] = {U, U, U, U, U, 1024};
    ea_hdr(&m.b, 8, 8, 2, 2, 2, 1, 400, EA_IBLK);
    ea_iblk(&m.b, elmts, dblks, sb);
    bld_pad_to(&m.b, 1024);
    bld_str(&m.b, "EASB");
    bld_zeros(&m.b, 8);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, 1, H5RD_UNLIMITED, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED);
    bld_free(&m.b);

    /* A paged data block directly under the index block (page bits 1, 2-element blocks of
     * super block 1 are 4 elements): libhdf5 cannot read it either. */
    const uint64_t db[2] = {U, 1024};
    ea_hdr(&m.b, 8, 8, 2, 2, 2, 1, 20, EA_IBLK);
    ea_iblk(&m.b, elmts, db, sblks);
    bld_pad_to(&m.b, 1100);
    mem_dataset(&m, H5RD_CHUNK_INDEX_EARRAY, EA_HDR, 1, 20, 1, H5RD_UNLIMITED, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);
}

Test(cidx, implicit_bounded_by_file)
{
    /* An implicit index whose chunks would run far past the file. */
    struct mem m;
    bld_init(&m.b);
    bld_zeros(&m.b, 256);
    mem_dataset(&m, H5RD_CHUNK_INDEX_IMPLICIT, 0, (uint64_t)1 << 40, (uint64_t)1 << 40,
                (uint64_t)1 << 40, (uint64_t)1 << 40, false);
    struct table t;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_TRUNCATED);
    /* 16 x 16 one-byte chunks fit in 256 bytes. */
    mem_dataset(&m, H5RD_CHUNK_INDEX_IMPLICIT, 0, 16, 16, 16, 16, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK);
    cr_assert_eq(t.n, 256);
    cr_assert_eq(t.v[255].addr, 255);
    free(t.v);
    /* Unlimited dimension or filters: not an implicit index. */
    mem_dataset(&m, H5RD_CHUNK_INDEX_IMPLICIT, 0, 16, 16, 16, H5RD_UNLIMITED, false);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    mem_dataset(&m, H5RD_CHUNK_INDEX_IMPLICIT, 0, 16, 16, 16, 16, true);
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);
}

Test(cidx, undefined_index_address_means_no_chunks)
{
    struct mem m;
    bld_init(&m.b);
    bld_zeros(&m.b, 64);
    static const h5rd_chunk_index kinds[] = {
        H5RD_CHUNK_INDEX_BTREE1, H5RD_CHUNK_INDEX_SINGLE, H5RD_CHUNK_INDEX_IMPLICIT,
        H5RD_CHUNK_INDEX_FARRAY, H5RD_CHUNK_INDEX_EARRAY, H5RD_CHUNK_INDEX_BTREE2};
    for (unsigned i = 0; i < 6; i++) {
        mem_dataset(&m, kinds[i], H5RD_ADDR_UNDEF, 4, 4, 4, 4, false);
        struct table t;
        cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_OK);
        cr_assert_eq(t.n, 0);
        free(t.v);
        struct h5rd__chunk_rec r;
        cr_assert_eq(mem_lookup(&m, 0, 0, &r), H5RD_E_NOT_FOUND);
    }
    /* Rank mismatch between layout and dataspace. */
    mem_dataset(&m, H5RD_CHUNK_INDEX_SINGLE, 0, 4, 4, 4, 4, false);
    m.space.rank = 3;
    struct table t;
    cr_assert_eq(mem_iterate(&m, 0, &t), H5RD_E_CORRUPT);
    bld_free(&m.b);
}
