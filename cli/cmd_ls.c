/*
 * cmd_ls.c - `h5rd ls [-r] [-v] [--json] FILE [PATH]`: list the links of a group.
 *
 * Text output follows h5ls: one line per link, the name padded to 24 columns, then
 * `Group`, `Dataset {10/Inf, 20}` (current size, then `/maximum` where that differs, as h5ls
 * does; {SCALAR}, {NULL}), `Type`,
 * `Soft Link {/target}`, `External Link {file//path}` or `UD Link {cannot follow UD links}`;
 * names escaped as h5ls escapes them. Without -r the members of PATH
 * (default "/") are listed by name; with -r everything below PATH by full path, PATH first.
 * A second hard link to an object already listed says ", same as /first/path" and is not
 * descended into. -v adds, per object, its type, layout, chunk shape, filters, storage size
 * and attributes.
 *
 * --json prints one JSON array: PATH itself first ({"path": "/", "kind": "group"}), then
 * every link depth-first in the library's link order (only PATH's members without -r), as
 * the corpus oracle lists them: kinds group, dataset, datatype, soft_link (target),
 * external_link (file, target); datasets with shape, maxshape, dtype, layout, chunks,
 * filters; objects with attrs; a repeated object with "same_as"; and
 * {"path", "kind": "error", "error"} for whatever could not be read. Links are listed, never
 * followed.
 *
 * A failing object does not stop the listing: it is reported on stderr, the walk goes on,
 * and the exit status is 1 at the end. Objects are identified by h5rd_obj_get_addr (one
 * file: external links are not followed), which also keeps cycles of hard links finite;
 * recursion depth is bounded by LS_MAX_DEPTH.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

#define LS_MAX_DEPTH 1024

/* Objects already listed: open addressing on the object header address. */
struct seen_entry {
    uint64_t addr;
    char *path; /* NULL: empty slot */
    h5rd_obj_kind kind;
};

struct seen {
    struct seen_entry *slots;
    size_t cap, n; /* cap is 0 or a power of two */
};

struct ls {
    const char *filename;
    h5rd_file *file;
    int recursive, verbose, json;
    int nrecords;
    int failures;
    struct seen seen;
    struct jbuf rec; /* the record being built */
};

static size_t seen_hash(uint64_t a)
{
    a ^= a >> 33;
    a *= UINT64_C(0xff51afd7ed558ccd);
    a ^= a >> 33;
    return (size_t)a;
}

static const struct seen_entry *seen_find(const struct seen *s, uint64_t addr)
{
    if (s->cap == 0) {
        return NULL;
    }
    for (size_t i = seen_hash(addr) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slots[i].path) {
            return NULL;
        }
        if (s->slots[i].addr == addr) {
            return &s->slots[i];
        }
    }
}

static int seen_add(struct seen *s, uint64_t addr, const char *path, h5rd_obj_kind kind)
{
    if (s->n + 1 > s->cap / 2) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        if (ncap < s->cap || ncap > SIZE_MAX / sizeof(struct seen_entry)) {
            return -1;
        }
        struct seen_entry *ns = calloc(ncap, sizeof *ns);
        if (!ns) {
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (s->slots[i].path) {
                size_t j = seen_hash(s->slots[i].addr) & (ncap - 1);
                while (ns[j].path) {
                    j = (j + 1) & (ncap - 1);
                }
                ns[j] = s->slots[i];
            }
        }
        free(s->slots);
        s->slots = ns;
        s->cap = ncap;
    }
    size_t len = strlen(path);
    char *copy = malloc(len + 1);
    if (!copy) {
        return -1;
    }
    memcpy(copy, path, len + 1);
    size_t i = seen_hash(addr) & (s->cap - 1);
    while (s->slots[i].path) {
        if (s->slots[i].addr == addr) {
            free(copy);
            return 0;
        }
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i].addr = addr;
    s->slots[i].path = copy;
    s->slots[i].kind = kind;
    s->n++;
    return 0;
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        free(s->slots[i].path);
    }
    free(s->slots);
    s->slots = NULL;
    s->cap = s->n = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A name as h5ls prints it (its display_string): blanks, backslashes, double quotes and C
 * control characters escaped, and every byte outside printable ASCII (UTF-8 included) as \ooo,
 * so the column stays aligned and the text stays 7-bit. */
static bool needs_escape(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || c == '\\' || c == '"';
}

static void put_name_escaped(struct jbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* Plain runs in one write: a byte at a time was 40% of `ls -r`'s own time (issue 13). */
        const unsigned char *run = p;
        while (*p && !needs_escape(*p)) {
            p++;
        }
        if (p > run) {
            jb_write(b, run, (size_t)(p - run));
        }
        if (*p == '\0') {
            break;
        }
        switch (*p) {
        case ' ':
            jb_puts(b, "\\ ");
            break;
        case '\\':
            jb_puts(b, "\\\\");
            break;
        case '"':
            jb_puts(b, "\\\"");
            break;
        case '\b':
            jb_puts(b, "\\b");
            break;
        case '\f':
            jb_puts(b, "\\f");
            break;
        case '\n':
            jb_puts(b, "\\n");
            break;
        case '\r':
            jb_puts(b, "\\r");
            break;
        case '\t':
            jb_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20 || *p >= 0x7f) {
                jb_printf(b, "\\%03o", (unsigned)*p);
            } else {
                jb_putc(b, (char)*p);
            }
        }
    }
}

/* Starts a record: in JSON `{"path": P, "kind": K`, in text the padded name column. */
static void rec_begin(struct ls *ls, const char *path, const char *name, const char *kind)
{
    struct jbuf *b = &ls->rec;
    jb_reset(b);
    if (ls->json) {
        jb_puts(b, "{\"path\": ");
        json_cstr(b, path);
        jb_puts(b, ", \"kind\": ");
        json_cstr(b, kind);
        return;
    }
    const char *col = ls->recursive ? path : name;
    size_t n0 = b->len;
    put_name_escaped(b, col);
    size_t n = b->len - n0;
    static const char blanks[26] = "                         ";
    jb_write(b, blanks, n < 24 ? 25 - n : 1);
}

/* Ends the record and writes it out. */
static void rec_end(struct ls *ls)
{
    struct jbuf *b = &ls->rec;
    if (ls->json) {
        jb_putc(b, '}');
        fputs(ls->nrecords ? ",\n" : "[\n", stdout);
    } else if (b->len == 0 || b->p[b->len - 1] != '\n') {
        jb_putc(b, '\n');
    }
    if (jb_flush_to(b, stdout) != 0) {
        fprintf(stderr, "h5rd: out of memory while listing\n");
        ls->failures++;
    }
    ls->nrecords++;
    jb_reset(b);
}

/* A failure on 'path': reported on stderr; in JSON also an error record. */
static void rec_error(struct ls *ls, const char *path, const struct h5rd_error *err)
{
    cli_report(ls->filename, path, err);
    ls->failures++;
    if (!ls->json) {
        return;
    }
    char reason[1024];
    cli_format_reason(err, reason, sizeof reason);
    rec_begin(ls, path, path, "error");
    jb_puts(&ls->rec, ", \"error\": ");
    json_cstr(&ls->rec, reason);
    rec_end(ls);
}

static const char *kind_json(h5rd_obj_kind k)
{
    return k == H5RD_OBJ_GROUP ? "group" : k == H5RD_OBJ_DATASET ? "dataset" : "datatype";
}

static const char *kind_text(h5rd_obj_kind k)
{
    return k == H5RD_OBJ_GROUP ? "Group" : k == H5RD_OBJ_DATASET ? "Dataset" : "Type";
}

static const char *layout_name(h5rd_layout_class c)
{
    switch (c) {
    case H5RD_LAYOUT_COMPACT:
        return "compact";
    case H5RD_LAYOUT_CONTIGUOUS:
        return "contiguous";
    case H5RD_LAYOUT_CHUNKED:
        return "chunked";
    case H5RD_LAYOUT_VIRTUAL:
        return "virtual";
    }
    return "unknown";
}

static const char *filter_default_name(uint32_t id)
{
    switch (id) {
    case H5RD_FILTER_DEFLATE:
        return "deflate";
    case H5RD_FILTER_SHUFFLE:
        return "shuffle";
    case H5RD_FILTER_FLETCHER32:
        return "fletcher32";
    case H5RD_FILTER_SZIP:
        return "szip";
    case H5RD_FILTER_NBIT:
        return "nbit";
    case H5RD_FILTER_SCALEOFFSET:
        return "scaleoffset";
    case H5RD_FILTER_BZIP2:
        return "bzip2";
    case H5RD_FILTER_LZF:
        return "lzf";
    case H5RD_FILTER_BLOSC:
        return "blosc";
    case H5RD_FILTER_LZ4:
        return "lz4";
    case H5RD_FILTER_BITSHUFFLE:
        return "bitshuffle";
    case H5RD_FILTER_ZSTD:
        return "zstd";
    default:
        return "unknown";
    }
}

/* A decimal number without vsnprintf (a dims column per record). */
static void put_u64(struct jbuf *b, uint64_t v)
{
    char d[20];
    size_t n = sizeof d;
    do {
        d[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    jb_write(b, d + n, sizeof d - n);
}

static void text_dims(struct jbuf *b, const struct h5rd_space *sp)
{
    if (sp->kind == H5RD_SPACE_NULL) {
        jb_puts(b, "{NULL}");
        return;
    }
    if (sp->kind == H5RD_SPACE_SCALAR) {
        jb_puts(b, "{SCALAR}");
        return;
    }
    jb_putc(b, '{');
    for (uint32_t i = 0; i < sp->rank && i < H5RD_MAX_RANK; i++) {
        if (i) {
            jb_write(b, ", ", 2);
        }
        put_u64(b, sp->dims[i]);
        /* h5ls prints "/max" only for a dimension whose maximum differs from its size. */
        if (sp->maxdims[i] == H5RD_UNLIMITED) {
            jb_puts(b, "/Inf");
        } else if (sp->maxdims[i] != sp->dims[i]) {
            jb_putc(b, '/');
            put_u64(b, sp->maxdims[i]);
        }
    }
    jb_putc(b, '}');
}

/* The dataset part of a record (JSON fields, or the text dims and -v details). Writes into a
 * scratch buffer so that a failure leaves the record untouched. */
static h5rd_err dataset_fields(struct ls *ls, h5rd_obj *obj, struct jbuf *b,
                               struct h5rd_error *err)
{
    struct h5rd_space sp;
    const h5rd_type *type;
    struct h5rd_layout lay;
    uint32_t nfilters = 0;
    h5rd_err rc = h5rd_dataset_get_space(obj, &sp, err);
    if (rc == H5RD_OK) {
        rc = h5rd_obj_get_type(obj, &type, err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_layout(obj, &lay, err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_nfilters(obj, &nfilters, err);
    }
    if (rc != H5RD_OK) {
        return rc;
    }
    uint32_t crank = lay.rank < H5RD_MAX_RANK ? lay.rank : H5RD_MAX_RANK;
    if (ls->json) {
        jb_puts(b, ", \"shape\": ");
        json_shape(b, &sp, 0);
        jb_puts(b, ", \"maxshape\": ");
        json_shape(b, &sp, 1);
        jb_puts(b, ", \"dtype\": ");
        struct jbuf dt;
        jb_init(&dt);
        rc = dtype_str(&dt, type, err);
        json_string(b, dt.p ? dt.p : "", dt.len);
        jb_free(&dt);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_printf(b, ", \"layout\": \"%s\", \"chunks\": ", layout_name(lay.cls));
        if (lay.cls == H5RD_LAYOUT_CHUNKED) {
            jb_putc(b, '[');
            for (uint32_t i = 0; i < crank; i++) {
                jb_printf(b, "%s%" PRIu64, i ? ", " : "", lay.chunk_dims[i]);
            }
            jb_putc(b, ']');
        } else {
            jb_puts(b, "null");
        }
        jb_puts(b, ", \"filters\": [");
        for (uint32_t i = 0; i < nfilters; i++) {
            struct h5rd_filter flt;
            rc = h5rd_dataset_get_filter(obj, i, &flt, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            jb_printf(b, "%s%" PRIu32, i ? ", " : "", flt.id);
        }
        jb_putc(b, ']');
        return H5RD_OK;
    }

    jb_puts(b, "Dataset ");
    text_dims(b, &sp);
    if (!ls->verbose) {
        return H5RD_OK;
    }
    struct h5rd_type_info ti;
    rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    jb_puts(b, "\n    Type:      ");
    rc = type_text(b, type, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    jb_printf(b, "\n    Layout:    %s", layout_name(lay.cls));
    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        uint64_t cbytes = ti.size;
        jb_puts(b, "\n    Chunks:    {");
        for (uint32_t i = 0; i < crank; i++) {
            jb_printf(b, "%s%" PRIu64, i ? ", " : "", lay.chunk_dims[i]);
            cbytes = (lay.chunk_dims[i] && cbytes > UINT64_MAX / lay.chunk_dims[i])
                         ? UINT64_MAX
                         : cbytes * lay.chunk_dims[i];
        }
        jb_printf(b, "} %" PRIu64 " bytes", cbytes);
    }
    for (uint32_t i = 0; i < nfilters; i++) {
        struct h5rd_filter flt;
        rc = h5rd_dataset_get_filter(obj, i, &flt, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        char label[32];
        snprintf(label, sizeof label, "Filter-%" PRIu32 ":", i);
        jb_printf(b, "\n    %-10s %s-%" PRIu32 " %s{", label,
                  flt.name && flt.name[0] ? flt.name : filter_default_name(flt.id), flt.id,
                  (flt.flags & 1u) ? "OPT " : "");
        for (uint32_t k = 0; k < flt.n_values; k++) {
            jb_printf(b, "%s%" PRIu32, k ? ", " : "", flt.values[k]);
        }
        jb_putc(b, '}');
    }
    uint64_t logical = ti.size;
    uint32_t rank = sp.kind == H5RD_SPACE_SIMPLE ? sp.rank : 0;
    for (uint32_t i = 0; i < rank && i < H5RD_MAX_RANK; i++) {
        logical = (sp.dims[i] && logical > UINT64_MAX / sp.dims[i]) ? UINT64_MAX
                                                                     : logical * sp.dims[i];
    }
    if (sp.kind == H5RD_SPACE_NULL) {
        logical = 0;
    }
    jb_printf(b, "\n    Storage:   %" PRIu64 " logical bytes", logical);
    if (lay.cls == H5RD_LAYOUT_CONTIGUOUS || lay.cls == H5RD_LAYOUT_COMPACT) {
        uint64_t alloc = (lay.cls == H5RD_LAYOUT_CONTIGUOUS && lay.data_addr == H5RD_ADDR_UNDEF)
                             ? 0
                             : lay.data_nbytes;
        jb_printf(b, ", %" PRIu64 " allocated bytes", alloc);
        if (lay.n_external_files) {
            jb_printf(b, " in %" PRIu32 " external file(s)", lay.n_external_files);
        }
    }
    return H5RD_OK;
}

/* The record of an opened object: group, dataset or committed datatype. */
static void object_record(struct ls *ls, h5rd_obj *obj, const char *path, const char *name)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    struct jbuf fields;
    jb_init(&fields);
    h5rd_err rc = H5RD_OK;
    if (kind == H5RD_OBJ_DATASET) {
        rc = dataset_fields(ls, obj, &fields, &err);
    } else if (kind == H5RD_OBJ_DATATYPE) {
        const h5rd_type *type;
        rc = h5rd_obj_get_type(obj, &type, &err);
        if (rc == H5RD_OK && ls->json) {
            jb_puts(&fields, ", \"dtype\": ");
            struct jbuf dt;
            jb_init(&dt);
            rc = dtype_str(&dt, type, &err);
            json_string(&fields, dt.p ? dt.p : "", dt.len);
            jb_free(&dt);
        } else if (rc == H5RD_OK) {
            jb_puts(&fields, "Type");
            if (ls->verbose) {
                jb_puts(&fields, "\n    Type:      ");
                rc = type_text(&fields, type, &err);
            }
        }
    } else if (!ls->json) {
        jb_puts(&fields, "Group");
    }
    if (rc != H5RD_OK) {
        jb_free(&fields);
        rec_error(ls, path, &err);
        return;
    }
    rec_begin(ls, path, name, kind_json(kind));
    jb_write(&ls->rec, fields.p, fields.len);
    jb_free(&fields);
    if (ls->json) {
        jb_puts(&ls->rec, ", \"attrs\": ");
        ls->failures += cli_attrs_json(&ls->rec, obj, ls->filename, path);
    } else if (ls->verbose) {
        jb_putc(&ls->rec, '\n');
        ls->failures += cli_attrs_text(&ls->rec, obj, ls->filename, path, "    Attribute: ");
    }
    rec_end(ls);
}

static void walk_group(struct ls *ls, h5rd_obj *group, const char *gpath, int depth);

static void link_record(struct ls *ls, h5rd_obj *group, uint64_t idx, const struct h5rd_link *lk,
                        const char *path, int depth)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    struct jbuf *b = &ls->rec;
    switch (lk->type) {
    case H5RD_LINK_SOFT:
        rec_begin(ls, path, lk->name, "soft_link");
        if (ls->json) {
            jb_puts(b, ", \"target\": ");
            json_cstr(b, lk->soft_target ? lk->soft_target : "");
        } else {
            jb_printf(b, "Soft Link {%s}", lk->soft_target ? lk->soft_target : "");
        }
        rec_end(ls);
        return;
    case H5RD_LINK_EXTERNAL:
        rec_begin(ls, path, lk->name, "external_link");
        if (ls->json) {
            jb_puts(b, ", \"file\": ");
            json_cstr(b, lk->ext_file ? lk->ext_file : "");
            jb_puts(b, ", \"target\": ");
            json_cstr(b, lk->ext_path ? lk->ext_path : "");
        } else {
            /* h5ls writes "file//path" with the path's leading slash dropped ("f//" for the
             * root, "f//x" for both "/x" and "x"). */
            const char *tp = lk->ext_path ? lk->ext_path : "";
            jb_printf(b, "External Link {%s//%s}", lk->ext_file ? lk->ext_file : "",
                      tp[0] == '/' ? tp + 1 : tp);
        }
        rec_end(ls);
        return;
    case H5RD_LINK_HARD:
        break;
    default:
        /* A user-defined link type (other than external) is listed, not followed: h5ls's
         * wording, then the link type number and the size of its value, which h5dump shows
         * as LINKCLASS; not a failure (h5ls exits 0). h5py raises "Unknown link type" for
         * these, which the corpus oracle records as an error (any answer is accepted there). */
        rec_begin(ls, path, lk->name, ls->json ? "user_defined" : "user_link");
        if (ls->json) {
            jb_printf(b, ", \"link_type\": %" PRIu32 ", \"value_nbytes\": %" PRIu64,
                      lk->type_number, lk->value_nbytes);
        } else {
            jb_printf(b, "UD Link {cannot follow UD links}, link type %" PRIu32 ", %" PRIu64
                         " bytes of value", lk->type_number, lk->value_nbytes);
        }
        rec_end(ls);
        return;
    }

    const struct seen_entry *prev = seen_find(&ls->seen, lk->addr);
    if (prev) {
        rec_begin(ls, path, lk->name, kind_json(prev->kind));
        if (ls->json) {
            jb_puts(b, ", \"same_as\": ");
            json_cstr(b, prev->path);
        } else {
            jb_printf(b, "%s, same as %s", kind_text(prev->kind), prev->path);
        }
        rec_end(ls);
        return;
    }
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_group_open_link(group, idx, &obj, &err);
    if (rc != H5RD_OK) {
        rec_error(ls, path, &err);
        return;
    }
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    if (seen_add(&ls->seen, h5rd_obj_get_addr(obj), path, kind) != 0) {
        rec_error(ls, path,
                  &(struct h5rd_error){.code = H5RD_E_NOMEM, .file_offset = H5RD_ADDR_UNDEF,
                                       .what = "listing: out of memory"});
        h5rd_obj_close(obj);
        return;
    }
    object_record(ls, obj, path, lk->name);
    if (kind == H5RD_OBJ_GROUP && ls->recursive) {
        walk_group(ls, obj, path, depth + 1);
    }
    h5rd_obj_close(obj);
}

static void walk_group(struct ls *ls, h5rd_obj *group, const char *gpath, int depth)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    if (depth > LS_MAX_DEPTH) {
        rec_error(ls, gpath,
                  &(struct h5rd_error){.code = H5RD_E_LIMIT, .file_offset = H5RD_ADDR_UNDEF,
                                       .what = "listing: groups nested too deeply"});
        return;
    }
    uint64_t n = 0;
    h5rd_err rc = h5rd_group_get_nlinks(group, &n, &err);
    if (rc != H5RD_OK) {
        rec_error(ls, gpath, &err);
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link lk;
        memset(&err, 0, sizeof err);
        rc = h5rd_group_get_link(group, i, &lk, &err);
        if (rc != H5RD_OK) {
            rec_error(ls, gpath, &err);
            if (rc == H5RD_E_NOMEM || rc == H5RD_E_LIMIT) {
                return;
            }
            continue;
        }
        char *path = cli_join_path(gpath, lk.name ? lk.name : "");
        if (!path) {
            rec_error(ls, gpath,
                      &(struct h5rd_error){.code = H5RD_E_NOMEM, .file_offset = H5RD_ADDR_UNDEF,
                                           .what = "listing: out of memory"});
            return;
        }
        link_record(ls, group, i, &lk, path, depth);
        free(path);
    }
}

int cmd_ls(int argc, char **argv)
{
    struct ls ls;
    memset(&ls, 0, sizeof ls);
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            ls.json = 1;
        } else if (!opts_done && strcmp(a, "--recursive") == 0) {
            ls.recursive = 1;
        } else if (!opts_done && strcmp(a, "--verbose") == 0) {
            ls.verbose = 1;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0' && a[1] != '-') {
            for (const char *c = a + 1; *c; c++) {
                if (*c == 'r') {
                    ls.recursive = 1;
                } else if (*c == 'v') {
                    ls.verbose = 1;
                } else {
                    return cli_usage_error("ls", "unknown option", a);
                }
            }
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("ls", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("ls", "too many arguments:", a);
        }
    }
    if (npos < 1) {
        return cli_usage_error("ls", "missing FILE", NULL);
    }
    ls.filename = pos[0];
    const char *start = pos[1] ? pos[1] : "/";
    if (cli_open(ls.filename, &ls.file) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    jb_init(&ls.rec);

    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_obj_open(ls.file, start, &obj, &err);
    if (rc != H5RD_OK) {
        rec_error(&ls, start, &err);
    } else {
        h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
        if (seen_add(&ls.seen, h5rd_obj_get_addr(obj), start, kind) != 0) {
            rec_error(&ls, start,
                      &(struct h5rd_error){.code = H5RD_E_NOMEM,
                                           .file_offset = H5RD_ADDR_UNDEF,
                                           .what = "listing: out of memory"});
        } else if (kind != H5RD_OBJ_GROUP) {
            /* Listing a dataset or datatype lists just that object. */
            const char *slash = strrchr(start, '/');
            object_record(&ls, obj, start, slash && slash[1] ? slash + 1 : start);
        } else {
            if (ls.json || ls.recursive) {
                object_record(&ls, obj, start, start);
            }
            walk_group(&ls, obj, start, 1);
        }
        h5rd_obj_close(obj);
    }
    if (ls.json) {
        fputs(ls.nrecords ? "\n]\n" : "[]\n", stdout);
    }
    jb_free(&ls.rec);
    seen_free(&ls.seen);
    h5rd_file_close(ls.file);
    return ls.failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
