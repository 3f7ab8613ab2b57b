/*
 * cmd_check.c - `h5rd check FILE`: verifies a whole file the way h5check does, and is the
 * one-command reproducer for bug reports about untrusted files.
 *
 * Walks every object reachable from the root (each object header address once, so hard-link
 * cycles end), decodes every attribute (values, variable-length elements, references), reads
 * every dataset in bounded memory (chunked datasets chunk by chunk with
 * h5rd_dataset_read_chunk, others in hyperslabs of at most 16 MiB), which verifies the metadata
 * checksums on load and Fletcher-32 on every chunk. Only what is stored is read: allocated
 * chunks, and contiguous storage that exists (a contiguous dataset with none: its first
 * element, proving the fill value decodes), so the run time is bounded by the file's size,
 * never by the dataset's logical size (issue 12). Each problem is one stdout line
 * `PATH: REASON (at file offset 0x...)`; the walk continues past it. A summary line ends the
 * output. Valid data h5rd cannot decode (an unavailable filter) is noted, not counted as a
 * problem. External links are listed, not followed (they name other files).
 *
 * Exit status: 0 no problem, 1 problems found (or the file cannot be opened), 2 usage.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SLAB_NBYTES ((uint64_t)16 << 20)
#define MAX_DEPTH 1024
#define MAX_CHUNK_PROBLEMS 16

struct check {
    h5rd_file *file;
    uint64_t *seen;            /* open-addressing set of object header addresses */
    size_t seen_cap, seen_n;
    uint64_t objects, attrs, datasets, bytes, problems, unsupported;
};

static void problem(struct check *ck, const char *path, h5rd_err code, const struct h5rd_error *err)
{
    struct h5rd_error e = *err;
    if (e.code == H5RD_OK) {
        e.code = code;
        e.file_offset = H5RD_ADDR_UNDEF;
        e.what = NULL;
    }
    char reason[1024];
    cli_format_reason(&e, reason, sizeof reason);
    const char *where = path[0] ? path : "/";
    if (code == H5RD_E_UNSUPPORTED) {
        ck->unsupported++;
        printf("%s: note: not checked: %s\n", where, reason);
        return;
    }
    ck->problems++;
    printf("%s: %s\n", where, reason);
}

static void problem_text(struct check *ck, const char *path, const char *what)
{
    ck->problems++;
    printf("%s: %s\n", path[0] ? path : "/", what);
}

/* Inserts addr; false when it was already there (or the set cannot grow: then the walk stops
 * descending, which keeps memory bounded). */
static bool seen_insert(struct check *ck, uint64_t addr)
{
    if ((ck->seen_n + 1) * 2 > ck->seen_cap) {
        size_t ncap = ck->seen_cap ? ck->seen_cap * 2 : 1024;
        uint64_t *n = malloc(ncap * sizeof *n);
        if (n == NULL) {
            return false;
        }
        memset(n, 0xff, ncap * sizeof *n);
        for (size_t i = 0; i < ck->seen_cap; i++) {
            uint64_t a = ck->seen[i];
            if (a != UINT64_MAX) {
                size_t j = (size_t)((a * 0x9E3779B97F4A7C15ull) >> 20) & (ncap - 1);
                while (n[j] != UINT64_MAX) {
                    j = (j + 1) & (ncap - 1);
                }
                n[j] = a;
            }
        }
        free(ck->seen);
        ck->seen = n;
        ck->seen_cap = ncap;
    }
    size_t j = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 20) & (ck->seen_cap - 1);
    while (ck->seen[j] != UINT64_MAX) {
        if (ck->seen[j] == addr) {
            return false;
        }
        j = (j + 1) & (ck->seen_cap - 1);
    }
    ck->seen[j] = addr;
    ck->seen_n++;
    return true;
}

static char *join(const char *base, const char *name)
{
    size_t bn = strlen(base), nn = strlen(name);
    bool slash = bn > 0 && base[bn - 1] == '/';
    char *p = malloc(bn + nn + 2);
    if (p != NULL) {
        memcpy(p, base, bn);
        size_t k = bn;
        if (!slash) {
            p[k++] = '/';
        }
        memcpy(p + k, name, nn + 1);
    }
    return p;
}

/* Decodes the variable-length and reference elements among 'n' elements in 'buf' (top-level
 * type only). Returns false after reporting a problem. */
static bool check_indirect(struct check *ck, const char *path, const h5rd_type *t,
                           const uint8_t *buf, uint64_t n)
{
    struct h5rd_type_info ti;
    struct h5rd_error err;
    if (h5rd_type_get_info(t, &ti, &err) != H5RD_OK || ti.size == 0 ||
        (ti.cls != H5RD_CLASS_VLEN && ti.cls != H5RD_CLASS_REFERENCE)) {
        return true;
    }
    uint64_t esz = 1;
    if (ti.cls == H5RD_CLASS_VLEN && !ti.vlen_is_string) {
        const h5rd_type *base;
        struct h5rd_type_info bi;
        if (h5rd_type_get_super(t, &base, &err) != H5RD_OK ||
            h5rd_type_get_info(base, &bi, &err) != H5RD_OK) {
            problem(ck, path, err.code, &err);
            return false;
        }
        esz = bi.size;
    }
    uint8_t *tmp = NULL;
    size_t tmp_n = 0;
    bool ok = true;
    for (uint64_t i = 0; i < n && ok; i++) {
        const uint8_t *elem = buf + i * ti.size;
        h5rd_err e;
        if (ti.cls == H5RD_CLASS_VLEN) {
            uint64_t count, nb;
            e = h5rd_vlen_read(ck->file, t, elem, NULL, 0, &count, &err);
            if (e == H5RD_OK) {
                if (__builtin_mul_overflow(count, esz, &nb) || nb > SLAB_NBYTES * 4) {
                    problem_text(ck, path, "variable-length element too large to check");
                    ok = false;
                    break;
                }
                if (nb > tmp_n) {
                    uint8_t *nt = realloc(tmp, (size_t)nb);
                    if (nt == NULL) {
                        problem_text(ck, path, "out of memory");
                        ok = false;
                        break;
                    }
                    tmp = nt;
                    tmp_n = (size_t)nb;
                }
                e = h5rd_vlen_read(ck->file, t, elem, tmp, (size_t)nb, &count, &err);
                ck->bytes += nb;
            }
        } else {
            char p[64];
            size_t len;
            e = h5rd_ref_get_path(ck->file, t, elem, p, sizeof p, &len, &err);
            if (e == H5RD_E_NOT_FOUND || e == H5RD_E_BUFSIZE) {
                e = H5RD_OK; /* null or unreachable references are valid */
            }
        }
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
            ok = false;
        }
    }
    free(tmp);
    return ok;
}

static void check_attrs(struct check *ck, const char *path, const h5rd_obj *obj)
{
    struct h5rd_error err;
    uint64_t na;
    h5rd_err e = h5rd_obj_get_nattrs(obj, &na, &err);
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
        return;
    }
    for (uint64_t i = 0; i < na; i++) {
        h5rd_attr *a;
        e = h5rd_attr_open_idx(obj, i, &a, &err);
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
            continue;
        }
        ck->attrs++;
        char *apath = NULL;
        const char *aname = h5rd_attr_get_name(a);
        size_t an = strlen(path) + strlen(aname) + 8;
        apath = malloc(an);
        if (apath != NULL) {
            snprintf(apath, an, "%s@%s", path[0] ? path : "/", aname);
        }
        const char *ap = apath ? apath : path;
        uint64_t nb;
        struct h5rd_space sp;
        e = h5rd_attr_get_space(a, &sp, &err);
        if (e == H5RD_OK) {
            e = h5rd_attr_get_nbytes(a, &nb, &err);
        }
        if (e != H5RD_OK) {
            problem(ck, ap, e, &err);
        } else if (nb > SLAB_NBYTES * 16) {
            problem_text(ck, ap, "attribute value too large to check");
        } else {
            uint8_t *buf = malloc(nb ? (size_t)nb : 1);
            if (buf == NULL) {
                problem_text(ck, ap, "out of memory");
            } else {
                e = h5rd_attr_read(a, buf, (size_t)nb, &err);
                if (e != H5RD_OK) {
                    problem(ck, ap, e, &err);
                } else {
                    ck->bytes += nb;
                    const h5rd_type *t = h5rd_attr_get_type(a);
                    struct h5rd_type_info ti;
                    if (h5rd_type_get_info(t, &ti, &err) == H5RD_OK && ti.size > 0) {
                        check_indirect(ck, ap, t, buf, nb / ti.size);
                    }
                }
                free(buf);
            }
        }
        free(apath);
        h5rd_attr_close(a);
    }
}

static void check_chunked(struct check *ck, const char *path, const h5rd_obj *d,
                          const struct h5rd_layout *lay, uint64_t esz, const h5rd_type *t)
{
    struct h5rd_error err;
    uint64_t cnb = esz;
    for (uint32_t i = 0; i < lay->rank; i++) {
        if (__builtin_mul_overflow(cnb, lay->chunk_dims[i], &cnb)) {
            problem_text(ck, path, "chunk size overflows 64 bits");
            return;
        }
    }
    uint64_t nch;
    h5rd_err e = h5rd_dataset_get_nchunks(d, &nch, &err);
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
        return;
    }
    if (nch == 0) {
        return;
    }
    uint8_t *buf = cnb <= SIZE_MAX ? malloc(cnb ? (size_t)cnb : 1) : NULL;
    if (buf == NULL) {
        problem_text(ck, path, "chunk too large to check (out of memory)");
        return;
    }
    uint64_t bad = 0;
    for (uint64_t i = 0; i < nch; i++) {
        struct h5rd_chunk_info ci;
        e = h5rd_dataset_get_chunk(d, i, &ci, &err);
        if (e == H5RD_OK) {
            e = h5rd_dataset_read_chunk(d, ci.offset, buf, (size_t)cnb, &err);
        }
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
            if (e == H5RD_E_UNSUPPORTED || e == H5RD_E_LIMIT) {
                break; /* the same for every chunk */
            }
            /* A damaged index can list more chunks than the file could hold, each failing
             * alike: a bounded number of reports keeps the run time bounded by the file. */
            if (++bad >= MAX_CHUNK_PROBLEMS) {
                problem_text(ck, path, "too many damaged chunks: the rest not checked");
                break;
            }
            continue;
        }
        ck->bytes += cnb;
        if (!check_indirect(ck, path, t, buf, esz ? cnb / esz : 0)) {
            break;
        }
    }
    free(buf);
}

/* Reads the dataset in hyperslabs of at most SLAB_NBYTES: the dimensions after 'k' whole, dim
 * 'k' in blocks, the dimensions before it one index at a time. */
static void check_slabs(struct check *ck, const char *path, const h5rd_obj *d,
                        const struct h5rd_space *sp, uint64_t esz, const h5rd_type *t)
{
    struct h5rd_error err;
    uint32_t rank = sp->kind == H5RD_SPACE_SIMPLE ? sp->rank : 0;
    if (sp->kind == H5RD_SPACE_NULL) {
        return;
    }
    for (uint32_t i = 0; i < rank; i++) {
        if (sp->dims[i] == 0) {
            return;
        }
    }
    if (rank == 0) {
        uint8_t *buf = malloc(esz ? (size_t)esz : 1);
        if (buf == NULL) {
            problem_text(ck, path, "out of memory");
            return;
        }
        h5rd_err e = h5rd_dataset_read(d, NULL, NULL, buf, (size_t)esz, NULL, &err);
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
        } else {
            ck->bytes += esz;
            check_indirect(ck, path, t, buf, 1);
        }
        free(buf);
        return;
    }
    /* inner[k] = elements of dims k+1.. */
    uint32_t k = rank - 1;
    uint64_t inner = 1;
    for (;;) {
        uint64_t row;
        if (__builtin_mul_overflow(inner, esz, &row) || row > SLAB_NBYTES || k == 0) {
            break;
        }
        uint64_t next;
        if (__builtin_mul_overflow(inner, sp->dims[k], &next) ||
            __builtin_mul_overflow(next, esz, &row) || row > SLAB_NBYTES) {
            break;
        }
        inner = next;
        k--;
    }
    uint64_t row_nbytes;
    if (__builtin_mul_overflow(inner, esz, &row_nbytes) || row_nbytes > SLAB_NBYTES * 4) {
        problem_text(ck, path, "element too large to check");
        return;
    }
    uint64_t block = row_nbytes ? SLAB_NBYTES / row_nbytes : sp->dims[k];
    if (block == 0) {
        block = 1;
    }
    if (block > sp->dims[k]) {
        block = sp->dims[k];
    }
    uint64_t buf_nbytes = block * row_nbytes;
    uint8_t *buf = malloc(buf_nbytes > 0 ? (size_t)buf_nbytes : 1);
    if (buf == NULL) {
        problem_text(ck, path, "out of memory");
        return;
    }
    uint64_t start[H5RD_MAX_RANK] = {0}, count[H5RD_MAX_RANK];
    for (uint32_t i = 0; i < rank; i++) {
        count[i] = i < k ? 1 : sp->dims[i];
    }
    for (;;) {
        count[k] = sp->dims[k] - start[k] < block ? sp->dims[k] - start[k] : block;
        struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, rank, start, NULL, count, NULL, 0, NULL};
        uint64_t nb = count[k] * row_nbytes;
        h5rd_err e = h5rd_dataset_read(d, &sel, NULL, buf, (size_t)nb, NULL, &err);
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
            break; /* one report per dataset: the next slab would fail the same way */
        }
        ck->bytes += nb;
        if (!check_indirect(ck, path, t, buf, count[k] * inner)) {
            break;
        }
        /* odometer over dims 0..k */
        start[k] += count[k];
        int32_t i = (int32_t)k;
        while (i >= 0 && start[i] >= sp->dims[i]) {
            start[i] = 0;
            i--;
            if (i >= 0) {
                start[i]++;
            }
        }
        if (i < 0) {
            break;
        }
    }
    free(buf);
}

/* Reads the dataset's first element (none for a null or empty dataspace). */
static void check_first_element(struct check *ck, const char *path, const h5rd_obj *d,
                                const struct h5rd_space *sp, uint64_t esz, const h5rd_type *t)
{
    struct h5rd_error err;
    uint32_t rank = sp->kind == H5RD_SPACE_SIMPLE ? sp->rank : 0;
    if (sp->kind == H5RD_SPACE_NULL) {
        return;
    }
    uint64_t start[H5RD_MAX_RANK] = {0}, count[H5RD_MAX_RANK];
    for (uint32_t i = 0; i < rank; i++) {
        if (sp->dims[i] == 0) {
            return;
        }
        count[i] = 1;
    }
    uint8_t *buf = malloc(esz ? (size_t)esz : 1);
    if (buf == NULL) {
        problem_text(ck, path, "out of memory");
        return;
    }
    struct h5rd_selection sel = {H5RD_SEL_HYPERSLAB, rank, start, NULL, count, NULL, 0, NULL};
    h5rd_err e = h5rd_dataset_read(d, rank ? &sel : NULL, NULL, buf, (size_t)esz, NULL, &err);
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
    } else {
        ck->bytes += esz;
        check_indirect(ck, path, t, buf, 1);
    }
    free(buf);
}

static void check_dataset(struct check *ck, const char *path, const h5rd_obj *d)
{
    struct h5rd_error err;
    struct h5rd_space sp;
    struct h5rd_layout lay;
    const h5rd_type *t;
    uint64_t esz;
    h5rd_err e = h5rd_dataset_get_space(d, &sp, &err);
    if (e == H5RD_OK) {
        e = h5rd_obj_get_type(d, &t, &err);
    }
    if (e == H5RD_OK) {
        e = h5rd_dataset_get_layout(d, &lay, &err);
    }
    if (e == H5RD_OK) {
        e = h5rd_dataset_get_elem_nbytes(d, NULL, &esz, &err);
    }
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
        return;
    }
    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        check_chunked(ck, path, d, &lay, esz, t);
    } else if (lay.cls == H5RD_LAYOUT_CONTIGUOUS && lay.n_external_files == 0 &&
               lay.data_addr == H5RD_ADDR_UNDEF) {
        /* Nothing is stored (late allocation, never written): every element reads as the fill
         * value. Check what is stored, not what is implied: one element proves the fill value
         * decodes; reading the rest would take time in the logical size, which a few-KB file
         * can make 2^63 bytes (issue 12). */
        check_first_element(ck, path, d, &sp, esz, t);
    } else {
        check_slabs(ck, path, d, &sp, esz, t);
    }
}

static void check_object(struct check *ck, const char *path, h5rd_obj *obj, unsigned depth)
{
    ck->objects++;
    struct h5rd_error err;
    struct h5rd_obj_info info;
    h5rd_err e = h5rd_obj_get_info(obj, &info, &err);
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
    }
    check_attrs(ck, path, obj);
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    if (kind == H5RD_OBJ_DATASET) {
        ck->datasets++;
        check_dataset(ck, path, obj);
        return;
    }
    if (kind != H5RD_OBJ_GROUP) {
        return;
    }
    if (depth >= MAX_DEPTH) {
        problem_text(ck, path, "groups nested deeper than 1024 levels: not descended");
        return;
    }
    uint64_t nl;
    e = h5rd_group_get_nlinks(obj, &nl, &err);
    if (e != H5RD_OK) {
        problem(ck, path, e, &err);
        return;
    }
    for (uint64_t i = 0; i < nl; i++) {
        struct h5rd_link l;
        e = h5rd_group_get_link(obj, i, &l, &err);
        if (e != H5RD_OK) {
            problem(ck, path, e, &err);
            continue;
        }
        char *cpath = join(path, l.name);
        if (cpath == NULL) {
            problem_text(ck, path, "out of memory");
            return;
        }
        if (l.type == H5RD_LINK_HARD && !seen_insert(ck, l.addr)) {
            free(cpath);
            continue;
        }
        if (l.type == H5RD_LINK_HARD || l.type == H5RD_LINK_SOFT) {
            h5rd_obj *child;
            e = h5rd_group_open_link(obj, i, &child, &err);
            if (e == H5RD_OK) {
                if (l.type == H5RD_LINK_HARD || seen_insert(ck, h5rd_obj_get_addr(child))) {
                    check_object(ck, cpath, child, depth + 1);
                }
                h5rd_obj_close(child);
            } else if (!(l.type == H5RD_LINK_SOFT && e == H5RD_E_NOT_FOUND)) {
                problem(ck, cpath, e, &err); /* a dangling soft link is valid HDF5 */
            }
        }
        free(cpath);
    }
}

int cmd_check(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return cli_usage_error("check", "checks every object, attribute and dataset", NULL);
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("check", "unknown option", argv[i]);
        }
        if (file != NULL) {
            return cli_usage_error("check", "unexpected argument", argv[i]);
        }
        file = argv[i];
    }
    if (file == NULL) {
        return cli_usage_error("check", "missing FILE", NULL);
    }
    struct check ck;
    memset(&ck, 0, sizeof ck);
    struct h5rd_error err;
    h5rd_err e = h5rd_file_open(file, NULL, &ck.file, &err);
    if (e != H5RD_OK) {
        err.path[0] = '\0';
        problem(&ck, "/", e, &err);
        if (e == H5RD_E_UNSUPPORTED) {
            ck.problems++;
        }
    } else {
        h5rd_obj *root;
        e = h5rd_obj_open(ck.file, "/", &root, &err);
        if (e != H5RD_OK) {
            problem(&ck, "/", e, &err);
        } else {
            seen_insert(&ck, h5rd_obj_get_addr(root));
            check_object(&ck, "/", root, 0);
            h5rd_obj_close(root);
        }
        h5rd_file_close(ck.file);
    }
    free(ck.seen);
    printf("h5rd check: %" PRIu64 " objects, %" PRIu64 " attributes, %" PRIu64 " datasets, %" PRIu64
           " bytes read, %" PRIu64 " not checked (unsupported), %" PRIu64 " problems\n",
           ck.objects, ck.attrs, ck.datasets, ck.bytes, ck.unsupported, ck.problems);
    return ck.problems ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
