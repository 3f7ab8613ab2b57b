/*
 * fuzz_open_walk_read.c - libFuzzer harness: the whole public API on an untrusted file image.
 * Opens the input from memory with tight limits (fuzz_common.c), walks every group (each
 * object header address once; links listed and opened, soft links followed, external links
 * listed only), reads every attribute (values, variable-length elements, references), reads
 * every dataset whole when it is at most 1 MiB in memory plus a one-element hyperslab and a
 * converted read, lists and decodes a few chunks, lists virtual dataset mappings, and closes
 * everything. This is what `h5rd check` does, with budgets instead of streaming.
 */
#include "fuzz_common.h"

#include <stdlib.h>

#define MAX_OBJECTS 256
#define MAX_LINKS 256
#define MAX_ATTRS 64
#define MAX_DEPTH 12
#define MAX_READ (1u << 20)
#define MAX_ELEMS_INDIRECT 16
#define MAX_CHUNKS 8

struct walk {
    h5rd_file *file;
    uint64_t seen[MAX_OBJECTS];
    size_t nseen;
};

static void touch(const void *p, size_t n)
{
    volatile uint8_t sink = 0;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        sink ^= b[i];
    }
    (void)sink;
}

/* Variable-length and reference elements of a value just read (top-level type only). */
static void read_indirect(h5rd_file *file, const h5rd_type *t, const uint8_t *buf, uint64_t n)
{
    struct h5rd_type_info ti;
    if (h5rd_type_get_info(t, &ti, NULL) != H5RD_OK || ti.size == 0) {
        return;
    }
    for (uint64_t i = 0; i < n && i < MAX_ELEMS_INDIRECT; i++) {
        const uint8_t *elem = buf + i * ti.size;
        if (ti.cls == H5RD_CLASS_VLEN) {
            uint64_t count = 0;
            if (h5rd_vlen_read(file, t, elem, NULL, 0, &count, NULL) != H5RD_OK) {
                continue;
            }
            const h5rd_type *base = NULL;
            struct h5rd_type_info bi;
            uint64_t esz = 1;
            if (!ti.vlen_is_string && h5rd_type_get_super(t, &base, NULL) == H5RD_OK &&
                h5rd_type_get_info(base, &bi, NULL) == H5RD_OK) {
                esz = bi.size;
            }
            uint64_t nb;
            if (!h5rd__mul_u64(count, esz, &nb) || nb > MAX_READ) {
                continue;
            }
            uint8_t *out = malloc(nb ? (size_t)nb : 1);
            if (out != NULL) {
                if (h5rd_vlen_read(file, t, elem, out, (size_t)nb, &count, NULL) == H5RD_OK) {
                    touch(out, (size_t)nb);
                }
                free(out);
            }
        } else if (ti.cls == H5RD_CLASS_REFERENCE) {
            char path[256];
            size_t len;
            (void)h5rd_ref_get_path(file, t, elem, path, sizeof path, &len, NULL);
        }
    }
}

static void read_attrs(struct walk *w, h5rd_obj *obj)
{
    uint64_t na = 0;
    if (h5rd_obj_get_nattrs(obj, &na, NULL) != H5RD_OK) {
        return;
    }
    for (uint64_t i = 0; i < na && i < MAX_ATTRS; i++) {
        h5rd_attr *a = NULL;
        if (h5rd_attr_open_idx(obj, i, &a, NULL) != H5RD_OK) {
            continue;
        }
        (void)h5rd_attr_get_name(a);
        const h5rd_type *t = h5rd_attr_get_type(a);
        struct h5rd_space sp;
        (void)h5rd_attr_get_space(a, &sp, NULL);
        uint64_t nb = 0;
        if (h5rd_attr_get_nbytes(a, &nb, NULL) == H5RD_OK && nb <= MAX_READ) {
            uint8_t *buf = malloc(nb ? (size_t)nb : 1);
            if (buf != NULL) {
                if (h5rd_attr_read(a, buf, (size_t)nb, NULL) == H5RD_OK && t != NULL) {
                    struct h5rd_type_info ti;
                    if (h5rd_type_get_info(t, &ti, NULL) == H5RD_OK && ti.size > 0) {
                        read_indirect(w->file, t, buf, nb / ti.size);
                    }
                }
                free(buf);
            }
        }
        h5rd_attr_close(a);
    }
}

static void read_dataset(struct walk *w, h5rd_obj *d)
{
    struct h5rd_space sp;
    const h5rd_type *t = NULL;
    struct h5rd_layout lay;
    if (h5rd_dataset_get_space(d, &sp, NULL) != H5RD_OK ||
        h5rd_obj_get_type(d, &t, NULL) != H5RD_OK ||
        h5rd_dataset_get_layout(d, &lay, NULL) != H5RD_OK) {
        return;
    }
    uint32_t nf = 0;
    if (h5rd_dataset_get_nfilters(d, &nf, NULL) == H5RD_OK) {
        for (uint32_t i = 0; i < nf; i++) {
            struct h5rd_filter flt;
            (void)h5rd_dataset_get_filter(d, i, &flt, NULL);
        }
    }
    struct h5rd_fill fill;
    (void)h5rd_dataset_get_fill(d, &fill, NULL);

    uint64_t np = 0, esz = 0, nb = 0;
    if (h5rd_selection_get_npoints(d, NULL, &np, NULL) == H5RD_OK &&
        h5rd_dataset_get_elem_nbytes(d, NULL, &esz, NULL) == H5RD_OK &&
        h5rd__mul_u64(np, esz, &nb) && nb <= MAX_READ) {
        uint8_t *buf = malloc(nb ? (size_t)nb : 1);
        if (buf != NULL) {
            if (h5rd_dataset_read(d, NULL, NULL, buf, (size_t)nb, NULL, NULL) == H5RD_OK) {
                read_indirect(w->file, t, buf, np);
            }
            free(buf);
        }
        /* A converted read: numeric types only (others are refused with TYPE). */
        struct h5rd_memtype mt = {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE};
        uint64_t cnb;
        if (h5rd__mul_u64(np, 8, &cnb) && cnb <= MAX_READ) {
            uint8_t *cbuf = malloc(cnb ? (size_t)cnb : 1);
            if (cbuf != NULL) {
                (void)h5rd_dataset_read(d, NULL, &mt, cbuf, (size_t)cnb, NULL, NULL);
                free(cbuf);
            }
        }
    }
    /* One element at the middle, as a hyperslab. */
    if (sp.kind == H5RD_SPACE_SIMPLE && sp.rank > 0 && sp.rank <= H5RD_MAX_RANK && esz > 0 &&
        esz <= MAX_READ) {
        uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
        bool empty = false;
        for (uint32_t i = 0; i < sp.rank; i++) {
            empty |= sp.dims[i] == 0;
            start[i] = sp.dims[i] / 2;
            count[i] = 1;
        }
        if (!empty) {
            struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, sp.rank, start, NULL, count, NULL,
                                         0, NULL};
            uint8_t *buf = malloc((size_t)esz);
            if (buf != NULL) {
                (void)h5rd_dataset_read(d, &sel, NULL, buf, (size_t)esz, NULL, NULL);
                free(buf);
            }
        }
    }
    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        uint64_t nch = 0;
        uint64_t cnb = esz;
        for (uint32_t i = 0; i < lay.rank && i < H5RD_MAX_RANK; i++) {
            if (!h5rd__mul_u64(cnb, lay.chunk_dims[i], &cnb)) {
                cnb = UINT64_MAX;
            }
        }
        if (h5rd_dataset_get_nchunks(d, &nch, NULL) == H5RD_OK) {
            for (uint64_t i = 0; i < nch && i < MAX_CHUNKS; i++) {
                struct h5rd_chunk_info ci;
                if (h5rd_dataset_get_chunk(d, i, &ci, NULL) != H5RD_OK) {
                    continue;
                }
                struct h5rd_chunk_info fi;
                (void)h5rd_dataset_find_chunk(d, ci.offset, &fi, NULL);
                if (cnb > 0 && cnb <= MAX_READ) {
                    uint8_t *buf = malloc((size_t)cnb);
                    if (buf != NULL) {
                        (void)h5rd_dataset_read_chunk(d, ci.offset, buf, (size_t)cnb, NULL);
                        free(buf);
                    }
                }
                if (ci.nbytes <= MAX_READ) {
                    uint8_t *raw = malloc(ci.nbytes ? (size_t)ci.nbytes : 1);
                    if (raw != NULL) {
                        size_t got;
                        uint32_t mask;
                        (void)h5rd_dataset_read_chunk_raw(d, ci.offset, raw, (size_t)ci.nbytes,
                                                          &got, &mask, NULL);
                        free(raw);
                    }
                }
            }
        }
    }
    if (lay.cls == H5RD_LAYOUT_VIRTUAL) {
        uint64_t nm = 0;
        if (h5rd_vds_get_nmappings(d, &nm, NULL) == H5RD_OK) {
            for (uint64_t i = 0; i < nm && i < 16; i++) {
                struct h5rd_vds_mapping m;
                if (h5rd_vds_get_mapping(d, i, &m, NULL) != H5RD_OK) {
                    continue;
                }
                for (uint64_t s = 0; s < m.nsources && s < 4; s++) {
                    struct h5rd_vds_source src;
                    (void)h5rd_vds_get_source(d, i, s, &src, NULL);
                }
            }
        }
    }
}

static bool seen_before(struct walk *w, uint64_t addr)
{
    for (size_t i = 0; i < w->nseen; i++) {
        if (w->seen[i] == addr) {
            return true;
        }
    }
    if (w->nseen == MAX_OBJECTS) {
        return true; /* budget spent: treat as seen */
    }
    w->seen[w->nseen++] = addr;
    return false;
}

static void visit(struct walk *w, h5rd_obj *obj, unsigned depth)
{
    if (seen_before(w, h5rd_obj_get_addr(obj))) {
        return;
    }
    struct h5rd_obj_info info;
    (void)h5rd_obj_get_info(obj, &info, NULL);
    const char *comment;
    (void)h5rd_obj_get_comment(obj, &comment, NULL);
    read_attrs(w, obj);
    switch (h5rd_obj_get_kind(obj)) {
    case H5RD_OBJ_DATASET:
        read_dataset(w, obj);
        return;
    case H5RD_OBJ_DATATYPE: {
        const h5rd_type *t;
        (void)h5rd_obj_get_type(obj, &t, NULL);
        return;
    }
    case H5RD_OBJ_GROUP:
        break;
    }
    uint64_t nl = 0;
    if (h5rd_group_get_nlinks(obj, &nl, NULL) != H5RD_OK) {
        return;
    }
    for (uint64_t i = 0; i < nl && i < MAX_LINKS; i++) {
        struct h5rd_link l;
        if (h5rd_group_get_link(obj, i, &l, NULL) != H5RD_OK) {
            continue;
        }
        struct h5rd_link l2;
        (void)h5rd_group_find_link(obj, l.name, &l2, NULL);
        if (l.type == H5RD_LINK_EXTERNAL || l.type == H5RD_LINK_USER || depth >= MAX_DEPTH) {
            continue; /* the harness never touches other files */
        }
        h5rd_obj *child = NULL;
        if (h5rd_group_open_link(obj, i, &child, NULL) == H5RD_OK) {
            visit(w, child, depth + 1);
            h5rd_obj_close(child);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h5rd_limits lim;
    struct h5rd_open_opts o;
    fz_open_opts(&o, &lim, 0);
    h5rd_file *f = NULL;
    if (h5rd_file_open_memory(data, size, &o, &f, NULL) != H5RD_OK) {
        return 0;
    }
    struct h5rd_file_info fi;
    (void)h5rd_file_get_info(f, &fi, NULL);
    struct walk *w = calloc(1, sizeof *w);
    h5rd_obj *root = NULL;
    if (w != NULL && h5rd_obj_open(f, "/", &root, NULL) == H5RD_OK) {
        w->file = f;
        /* Close the file first: objects keep it alive (reference counting is part of it). */
        h5rd_file_close(f);
        f = NULL;
        visit(w, root, 0);
        h5rd_obj_close(root);
    }
    free(w);
    h5rd_file_close(f);
    return 0;
}
