/*
 * read_dataset.c - the basic h5rd pattern: open a file, walk its groups, open one dataset,
 * look at its shape and type, read a hyperslab of it, and report failures with the detail
 * h5rd gives.
 *
 *   usage: read_dataset FILE [DATASET [start,count ...]]
 *
 * One "start,count" pair per dimension selects a block of the dataset (dimensions without a
 * pair: the first up to 5 elements). Without DATASET the first dataset the walk meets is read.
 *
 * What it shows, and why it is written this way:
 *  - Every call returns an h5rd_err and takes a `struct h5rd_error *` last. The struct holds
 *    the whole story of a failure (code, "structure: problem" text, object path, file offset,
 *    errno), so a program can say *where* a file is broken instead of just "read failed".
 *    Nothing about an error is kept in a handle, which is what lets threads share handles
 *    (see threads.c).
 *  - The walk lists links, not objects: a soft or external link is a name, and following it
 *    while walking can loop (a soft link to "/") or leave the file. Hard links are opened to
 *    learn what they point to; a group reached a second time by another hard link (HDF5
 *    allows hard links to an ancestor) is not walked again, as h5ls -r does.
 *  - Numbers are read converted to a memory type the program chose (int64, uint64 or double
 *    here), so the printing code does not care how the file stores them (size, byte order).
 *    Other types are read in the file type's own layout (memtype NULL).
 *  - Only the selected block is read: h5rd decodes just the chunks it touches.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h5rd.h>

#define DEFAULT_COUNT 5      /* elements per dimension when no start,count is given */
#define MAX_PRINT 1000000    /* refuse to print selections larger than this */
#define MAX_DEPTH 64         /* group nesting the walk follows */
#define MAX_SEEN 4096        /* groups remembered by the walk */

static const char *prog = "read_dataset";

/* Everything struct h5rd_error holds, one field a line: this is what makes a failure on a
 * corrupt or unsupported file diagnosable. 'doing' says which call failed. */
static void report(const char *filename, const char *doing, h5rd_err rc,
                   const struct h5rd_error *err)
{
    h5rd_err code = err->code != H5RD_OK ? err->code : rc;
    fprintf(stderr, "%s: %s: %s failed: %s (error %d)\n", prog, filename, doing,
            h5rd_strerror(code), (int)code);
    if (err->code == H5RD_OK) {
        return; /* the failure was not described (the err argument was not filled) */
    }
    if (err->what && err->what[0]) {
        fprintf(stderr, "  what:        %s\n", err->what);
    }
    if (err->path[0]) {
        fprintf(stderr, "  object:      %s\n", err->path);
    }
    if (err->detail[0]) {
        fprintf(stderr, "  detail:      %s\n", err->detail);
    }
    if (err->sys_errno != 0) {
        fprintf(stderr, "  errno:       %d (%s)\n", err->sys_errno, strerror(err->sys_errno));
    }
    if (err->file_offset != H5RD_ADDR_UNDEF) {
        fprintf(stderr, "  file offset: %" PRIu64 " (0x%" PRIx64 ")\n", err->file_offset,
                err->file_offset);
    }
}

static void type_name(const h5rd_type *type, char *buf, size_t cap)
{
    struct h5rd_type_info ti;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    if (h5rd_type_get_info(type, &ti, &err) != H5RD_OK) {
        snprintf(buf, cap, "(type unreadable: %s)", h5rd_strerror(err.code));
        return;
    }
    const char *order = ti.order == H5RD_ORDER_BE ? " big-endian" : "";
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
        snprintf(buf, cap, "%s%" PRIu64 "%s", ti.is_signed ? "int" : "uint", ti.size * 8, order);
        break;
    case H5RD_CLASS_FLOAT:
        snprintf(buf, cap, "float%" PRIu64 "%s", ti.size * 8, order);
        break;
    case H5RD_CLASS_STRING:
        snprintf(buf, cap, "string[%" PRIu64 "]", ti.size);
        break;
    case H5RD_CLASS_COMPOUND:
        snprintf(buf, cap, "compound (%" PRIu32 " members, %" PRIu64 " bytes)", ti.nmembers,
                 ti.size);
        break;
    case H5RD_CLASS_ENUM:
        snprintf(buf, cap, "enum (%" PRIu32 " members)", ti.nmembers);
        break;
    case H5RD_CLASS_ARRAY:
        snprintf(buf, cap, "array (rank %" PRIu32 ", %" PRIu64 " bytes)", ti.rank, ti.size);
        break;
    case H5RD_CLASS_VLEN:
        snprintf(buf, cap, "%s", ti.vlen_is_string ? "variable-length string" : "vlen sequence");
        break;
    case H5RD_CLASS_REFERENCE:
        snprintf(buf, cap, "%s reference", ti.ref_kind ? "region" : "object");
        break;
    case H5RD_CLASS_OPAQUE:
        snprintf(buf, cap, "opaque (%" PRIu64 " bytes)", ti.size);
        break;
    case H5RD_CLASS_BITFIELD:
        snprintf(buf, cap, "bitfield%" PRIu64, ti.size * 8);
        break;
    default:
        snprintf(buf, cap, "time (%" PRIu64 " bytes)", ti.size);
        break;
    }
}

static void shape_str(const struct h5rd_space *sp, char *buf, size_t cap)
{
    if (sp->kind == H5RD_SPACE_SCALAR) {
        snprintf(buf, cap, "scalar");
        return;
    }
    if (sp->kind == H5RD_SPACE_NULL) {
        snprintf(buf, cap, "null (no elements)");
        return;
    }
    size_t n = (size_t)snprintf(buf, cap, "{");
    for (uint32_t d = 0; d < sp->rank && n < cap; d++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRIu64, d ? ", " : "", sp->dims[d]);
    }
    if (n < cap) {
        snprintf(buf + n, cap - n, "}");
    }
}

/* ---- walk ---------------------------------------------------------------------------------- */

struct walk {
    const char *filename;
    uint64_t seen[MAX_SEEN]; /* object header addresses of the groups listed so far */
    size_t nseen;
    char *first_dataset;     /* path of the first dataset met (malloc'd), or NULL */
    int failures;
};

static int seen_before(struct walk *w, uint64_t addr)
{
    for (size_t i = 0; i < w->nseen; i++) {
        if (w->seen[i] == addr) {
            return 1;
        }
    }
    if (w->nseen < MAX_SEEN) {
        w->seen[w->nseen++] = addr;
    }
    return 0;
}

static char *join_path(const char *parent, const char *name)
{
    size_t np = strlen(parent), nn = strlen(name);
    char *p = malloc(np + nn + 2);
    if (p) {
        int root = np == 1 && parent[0] == '/';
        memcpy(p, parent, root ? 1 : np);
        size_t at = root ? 1 : np;
        if (!root) {
            p[at++] = '/';
        }
        memcpy(p + at, name, nn + 1);
    }
    return p;
}

static void walk_group(struct walk *w, const h5rd_obj *group, const char *path, int depth)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t nlinks;
    h5rd_err rc = h5rd_group_get_nlinks(group, &nlinks, &err);
    if (rc != H5RD_OK) {
        report(w->filename, "h5rd_group_get_nlinks", rc, &err);
        w->failures++;
        return;
    }
    for (uint64_t i = 0; i < nlinks; i++) {
        struct h5rd_link link;
        memset(&err, 0, sizeof err);
        rc = h5rd_group_get_link(group, i, &link, &err);
        if (rc != H5RD_OK) {
            report(w->filename, "h5rd_group_get_link", rc, &err);
            w->failures++;
            continue;
        }
        char *child = join_path(path, link.name);
        if (!child) {
            fprintf(stderr, "%s: out of memory\n", prog);
            w->failures++;
            return;
        }
        printf("%*s%s  ", 2 * depth, "", child);
        if (link.type == H5RD_LINK_SOFT) {
            printf("soft link -> %s\n", link.soft_target);
        } else if (link.type == H5RD_LINK_EXTERNAL) {
            printf("external link -> %s:%s\n", link.ext_file, link.ext_path);
        } else if (link.type != H5RD_LINK_HARD) {
            printf("user-defined link (type %d, not followed)\n", (int)link.type);
        } else {
            h5rd_obj *obj = NULL;
            memset(&err, 0, sizeof err);
            rc = h5rd_group_open_link(group, i, &obj, &err);
            if (rc != H5RD_OK) {
                printf("(cannot open)\n");
                report(w->filename, "h5rd_group_open_link", rc, &err);
                w->failures++;
            } else if (h5rd_obj_get_kind(obj) == H5RD_OBJ_GROUP) {
                if (seen_before(w, h5rd_obj_get_addr(obj))) {
                    printf("group (hard link to a group listed already)\n");
                } else if (depth + 1 >= MAX_DEPTH) {
                    printf("group (nested too deep, not walked)\n");
                } else {
                    printf("group\n");
                    walk_group(w, obj, child, depth + 1);
                }
            } else if (h5rd_obj_get_kind(obj) == H5RD_OBJ_DATASET) {
                struct h5rd_space sp;
                const h5rd_type *type;
                char shape[256] = "?", tname[128] = "?";
                memset(&err, 0, sizeof err);
                if (h5rd_dataset_get_space(obj, &sp, &err) == H5RD_OK) {
                    shape_str(&sp, shape, sizeof shape);
                }
                if (h5rd_obj_get_type(obj, &type, &err) == H5RD_OK) {
                    type_name(type, tname, sizeof tname);
                }
                printf("dataset %s %s\n", shape, tname);
                if (!w->first_dataset) {
                    w->first_dataset = child;
                    child = NULL;
                }
            } else {
                printf("named datatype\n");
            }
            h5rd_obj_close(obj);
        }
        free(child);
    }
}

/* ---- reading a block ----------------------------------------------------------------------- */

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/* Parses "start,count" (both unsigned decimal). */
static int parse_pair(const char *s, uint64_t *start, uint64_t *count)
{
    char *end;
    if (*s < '0' || *s > '9') {
        return -1;
    }
    unsigned long long a = strtoull(s, &end, 10);
    if (*end != ',' || end[1] < '0' || end[1] > '9') {
        return -1;
    }
    unsigned long long b = strtoull(end + 1, &end, 10);
    if (*end != '\0') {
        return -1;
    }
    *start = a;
    *count = b;
    return 0;
}

/* Prints the block in C order, one line per row of the last dimension, each prefixed with the
 * coordinates (in the dataset) of its first element, as h5dump does. */
static void print_values(const unsigned char *buf, uint64_t esize, const struct h5rd_type_info *ti,
                         int as_int, int as_float, uint32_t rank, const uint64_t *start,
                         const uint64_t *count, uint64_t npoints)
{
    uint64_t row = rank > 0 ? count[rank - 1] : 1;
    uint64_t idx[H5RD_MAX_RANK];
    memset(idx, 0, sizeof idx);
    for (uint64_t i = 0; i < npoints; i++) {
        if (i % row == 0) {
            if (i) {
                printf("\n");
            }
            printf("  (");
            for (uint32_t d = 0; d < rank; d++) {
                printf("%s%" PRIu64, d ? "," : "", start[d] + idx[d]);
            }
            printf("):");
        }
        const unsigned char *e = buf + i * esize;
        printf("%s", i % row ? ", " : " ");
        if (as_float) {
            double v;
            memcpy(&v, e, sizeof v);
            printf("%.17g", v);
        } else if (as_int && ti->is_signed) {
            int64_t v;
            memcpy(&v, e, sizeof v);
            printf("%" PRId64, v);
        } else if (as_int) {
            uint64_t v;
            memcpy(&v, e, sizeof v);
            printf("%" PRIu64, v);
        } else if (ti->cls == H5RD_CLASS_STRING) {
            /* Fixed strings come null-padded (memtype NULL): print up to the first NUL. */
            size_t n = strnlen((const char *)e, (size_t)esize);
            printf("\"%.*s\"", (int)n, (const char *)e);
        } else {
            printf("<%" PRIu64 "-byte element>", esize);
        }
        /* Advance the coordinates (odometer, last dimension fastest). */
        for (uint32_t d = rank; d-- > 0;) {
            if (++idx[d] < count[d]) {
                break;
            }
            idx[d] = 0;
        }
    }
    printf("\n");
}

static int read_block(const char *filename, h5rd_file *file, const char *dpath, int npairs,
                      char **pairs)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *dset = NULL;
    unsigned char *buf = NULL;
    int status = 1;
    h5rd_err rc = h5rd_obj_open(file, dpath, &dset, &err);
    if (rc != H5RD_OK) {
        report(filename, "h5rd_obj_open", rc, &err);
        return 1;
    }
    if (h5rd_obj_get_kind(dset) != H5RD_OBJ_DATASET) {
        fprintf(stderr, "%s: %s: %s is not a dataset\n", prog, filename, dpath);
        goto out;
    }
    struct h5rd_space sp;
    const h5rd_type *type;
    struct h5rd_type_info ti;
    struct h5rd_layout lay;
    if ((rc = h5rd_dataset_get_space(dset, &sp, &err)) != H5RD_OK ||
        (rc = h5rd_obj_get_type(dset, &type, &err)) != H5RD_OK ||
        (rc = h5rd_type_get_info(type, &ti, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_layout(dset, &lay, &err)) != H5RD_OK) {
        report(filename, "describing the dataset", rc, &err);
        goto out;
    }
    char shape[256], tname[128];
    shape_str(&sp, shape, sizeof shape);
    type_name(type, tname, sizeof tname);
    static const char *const layouts[] = {"compact", "contiguous", "chunked", "virtual"};
    printf("dataset %s: shape %s, type %s, layout %s", dpath, shape, tname,
           (unsigned)lay.cls < 4 ? layouts[lay.cls] : "?");
    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        printf(" (chunks {");
        for (uint32_t d = 0; d < lay.rank; d++) {
            printf("%s%" PRIu64, d ? ", " : "", lay.chunk_dims[d]);
        }
        printf("})");
    }
    printf("\n");
    if (sp.kind == H5RD_SPACE_NULL) {
        status = 0;
        goto out;
    }

    uint32_t rank = sp.kind == H5RD_SPACE_SIMPLE ? sp.rank : 0;
    if ((uint32_t)npairs > rank) {
        fprintf(stderr, "%s: %d start,count pairs given for a dataset of rank %" PRIu32 "\n", prog,
                npairs, rank);
        goto out;
    }
    uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    uint64_t npoints = 1;
    for (uint32_t d = 0; d < rank; d++) {
        start[d] = 0;
        count[d] = sp.dims[d] < DEFAULT_COUNT ? sp.dims[d] : DEFAULT_COUNT;
        if ((int)d < npairs && parse_pair(pairs[d], &start[d], &count[d]) != 0) {
            fprintf(stderr, "%s: bad start,count for dimension %" PRIu32 ": %s\n", prog, d,
                    pairs[d]);
            goto out;
        }
        if (count[d] > MAX_PRINT || (count[d] && npoints > MAX_PRINT / count[d])) {
            fprintf(stderr, "%s: selection larger than %d elements: not printing it\n", prog,
                    MAX_PRINT);
            goto out;
        }
        npoints *= count[d];
    }
    /* Numbers in a memory type of our choosing; everything else in the file type's layout. */
    struct h5rd_memtype mt;
    memset(&mt, 0, sizeof mt);
    mt.order = host_is_le() ? H5RD_ORDER_LE : H5RD_ORDER_BE;
    int as_int = ti.cls == H5RD_CLASS_INTEGER, as_float = ti.cls == H5RD_CLASS_FLOAT;
    if (as_int) {
        mt.cls = H5RD_MEMTYPE_INT;
        mt.size = 8;
        mt.is_signed = ti.is_signed;
    } else if (as_float) {
        mt.cls = H5RD_MEMTYPE_FLOAT;
        mt.size = 8;
    }
    const struct h5rd_memtype *mtp = as_int || as_float ? &mt : NULL;
    uint64_t esize;
    if ((rc = h5rd_dataset_get_elem_nbytes(dset, mtp, &esize, &err)) != H5RD_OK) {
        report(filename, "h5rd_dataset_get_elem_nbytes", rc, &err);
        goto out;
    }
    printf("reading");
    for (uint32_t d = 0; d < rank; d++) {
        printf(" [%" PRIu64 ":%" PRIu64 "]", start[d], start[d] + count[d]);
    }
    printf("%s (%" PRIu64 " elements)\n", rank ? "" : " the scalar", npoints);
    if (npoints == 0) {
        status = 0;
        goto out;
    }
    buf = malloc((size_t)(npoints * esize));
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = rank;
    sel.start = start;
    sel.count = count; /* stride and block NULL: 1 */
    rc = h5rd_dataset_read(dset, rank ? &sel : NULL, mtp, buf, (size_t)(npoints * esize), NULL,
                           &err);
    if (rc != H5RD_OK) {
        report(filename, "h5rd_dataset_read", rc, &err);
        goto out;
    }
    print_values(buf, esize, &ti, as_int, as_float, rank, start, count, npoints);
    status = 0;
out:
    free(buf);
    h5rd_obj_close(dset);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [DATASET [start,count ...]]\n", prog);
        return 2;
    }
    const char *filename = argv[1];
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_file *file = NULL;
    h5rd_err rc = h5rd_file_open(filename, NULL, &file, &err);
    if (rc != H5RD_OK) {
        report(filename, "h5rd_file_open", rc, &err);
        return 1;
    }
    int status = 0;
    struct walk w;
    memset(&w, 0, sizeof w);
    w.filename = filename;
    h5rd_obj *root = NULL;
    rc = h5rd_obj_open(file, "/", &root, &err);
    if (rc != H5RD_OK) {
        report(filename, "h5rd_obj_open", rc, &err);
        status = 1;
    } else {
        printf("%s:\n/  group\n", filename);
        seen_before(&w, h5rd_obj_get_addr(root));
        walk_group(&w, root, "/", 1);
        h5rd_obj_close(root);
        status = w.failures ? 1 : 0;
    }
    const char *dpath = argc > 2 ? argv[2] : w.first_dataset;
    if (dpath) {
        printf("\n");
        if (read_block(filename, file, dpath, argc > 3 ? argc - 3 : 0, argv + 3) != 0) {
            status = 1;
        }
    } else if (status == 0) {
        printf("(no dataset in this file)\n");
    }
    free(w.first_dataset);
    h5rd_file_close(file);
    return status;
}
