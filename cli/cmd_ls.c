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
 * and the exit status is 1 at the end. The walk is h5rd_obj_visit (one library call: it
 * identifies objects by header address, which keeps cycles of hard links finite, and bounds
 * the depth).
 */
#define _POSIX_C_SOURCE 200809L /* fileno, isatty */

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cli.h"
#include "json.h"


struct ls {
    const char *filename;
    h5rd_file *file;
    int recursive, verbose, json;
    int nrecords;
    int failures;
    const char *start;    /* PATH as given: printed paths begin with it */
    size_t root_len;      /* the length of the start group's own path (h5rd_obj_get_path) */
    bool root_is_start;   /* that path is 'start': the visit's paths are printed as they are */
    struct jbuf path, path2; /* scratch: visit paths re-based on 'start' */
    struct jbuf fields;      /* scratch: the fields of an object record */
    struct jbuf rec;      /* the record being built (batch: and the text records before it) */
    bool batch;           /* text records gathered in 'rec' and written BATCH_NBYTES at a time */
};

/* Text records to a file or pipe go out in blocks of this size, not one write call each (a
 * call per record was 2% of an `ls -r` of 20,000 objects, issue 13); to a terminal each goes
 * out as it is made, as before. The bytes written are the same either way. */
#define BATCH_NBYTES 32768u

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A name as h5ls prints it (its display_string): blanks, backslashes, double quotes and C
 * control characters escaped, and every byte outside printable ASCII (UTF-8 included) as \ooo,
 * so the column stays aligned and the text stays 7-bit. */
#define ESC_ROW(lo) [lo] = 1, [lo + 1] = 1, [lo + 2] = 1, [lo + 3] = 1, [lo + 4] = 1, \
    [lo + 5] = 1, [lo + 6] = 1, [lo + 7] = 1
/* The bytes needing an escape, looked up instead of compared: the test runs once per byte of
 * every path listed (issue 13). */
static const unsigned char esc_byte[256] = {
    ESC_ROW(0), ESC_ROW(8), ESC_ROW(16), ESC_ROW(24), [' '] = 1, ['"'] = 1, ['\\'] = 1,
    [0x7f] = 1, ESC_ROW(0x80), ESC_ROW(0x88), ESC_ROW(0x90), ESC_ROW(0x98), ESC_ROW(0xa0),
    ESC_ROW(0xa8), ESC_ROW(0xb0), ESC_ROW(0xb8), ESC_ROW(0xc0), ESC_ROW(0xc8), ESC_ROW(0xd0),
    ESC_ROW(0xd8), ESC_ROW(0xe0), ESC_ROW(0xe8), ESC_ROW(0xf0), ESC_ROW(0xf8)};
#undef ESC_ROW

static bool needs_escape(unsigned char c)
{
    return esc_byte[c] != 0;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
/* Whether any of the 8 bytes in x needs an escape (needs_escape), without a branch per byte:
 * a byte below 0x21, with the top bit set, or equal to 0x7f, '"' or '\\'. */
static bool any_escape8(uint64_t x)
{
#define HASZERO(v) (((v) - ONES) & ~(v) & HIGHS)
    uint64_t below = (x - ONES * 0x21) & ~x & HIGHS;
    return (below | (x & HIGHS) | HASZERO(x ^ (ONES * 0x7f)) | HASZERO(x ^ (ONES * '"')) |
            HASZERO(x ^ (ONES * '\\'))) != 0;
#undef HASZERO
}

/* Skips 16 bytes at a time while none needs an escape (SSE2, in every x86-64 CPU; elsewhere
 * the 8-byte test below does it): a byte is escaped when it is below 0x21 or above 0x7e (as
 * signed bytes, those above 0x7f are negative: below 0x21 too), or is 0x7f, '"' or '\\'. */
static const unsigned char *plain_run16(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    const __m128i lo = _mm_set1_epi8(0x21), del = _mm_set1_epi8(0x7f);
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, lo), _mm_cmpeq_epi8(x, del)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, quote),
                                                _mm_cmpeq_epi8(x, bslash)));
        if (_mm_movemask_epi8(bad) != 0) {
            break;
        }
        p += 16;
    }
#else
    (void)end;
#endif
    return p;
}

static void put_name_escaped(struct jbuf *b, const char *s)
{
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; p < end; p++) {
        /* Plain runs in one write (a byte at a time was 40% of `ls -r`'s own time, issue 13),
         * found 8 bytes at a time. */
        const unsigned char *run = p;
        p = plain_run16(p, end);
        uint64_t x;
        while (end - p >= 8 && (memcpy(&x, p, 8), !any_escape8(x))) {
            p += 8;
        }
        while (p < end && !needs_escape(*p)) {
            p++;
        }
        if (p > run) {
            jb_write(b, run, (size_t)(p - run));
        }
        if (p == end) {
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
    if (!ls->batch) {
        jb_reset(b);
    }
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

/* Writes out what 'rec' holds. */
static void rec_flush(struct ls *ls)
{
    if (jb_flush_to(&ls->rec, stdout) != 0) {
        fprintf(stderr, "h5rd: out of memory while listing\n");
        ls->failures++;
    }
    jb_reset(&ls->rec);
}

/* Ends the record and writes it out (batch: once BATCH_NBYTES have gathered). */
static void rec_end(struct ls *ls)
{
    struct jbuf *b = &ls->rec;
    if (ls->json) {
        jb_putc(b, '}');
        fputs(ls->nrecords ? ",\n" : "[\n", stdout);
    } else if (b->len == 0 || b->p[b->len - 1] != '\n') {
        jb_putc(b, '\n');
    }
    ls->nrecords++;
    if (!ls->batch || b->len >= BATCH_NBYTES) {
        rec_flush(ls);
    }
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
    if (rc == H5RD_OK && !ls->json && !ls->verbose) {
        /* h5ls's line: the dims are all it prints. */
        jb_puts(b, "Dataset ");
        text_dims(b, &sp);
        return H5RD_OK;
    }
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
    err.code = H5RD_OK; /* every failure below fills it in */
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    struct jbuf *fields = &ls->fields; /* one buffer for all records: no allocation each */
    jb_reset(fields);
    h5rd_err rc = H5RD_OK;
    if (kind == H5RD_OBJ_DATASET) {
        rc = dataset_fields(ls, obj, fields, &err);
    } else if (kind == H5RD_OBJ_DATATYPE) {
        const h5rd_type *type;
        rc = h5rd_obj_get_type(obj, &type, &err);
        if (rc == H5RD_OK && ls->json) {
            jb_puts(fields, ", \"dtype\": ");
            struct jbuf dt;
            jb_init(&dt);
            rc = dtype_str(&dt, type, &err);
            json_string(fields, dt.p ? dt.p : "", dt.len);
            jb_free(&dt);
        } else if (rc == H5RD_OK) {
            jb_puts(fields, "Type");
            if (ls->verbose) {
                jb_puts(fields, "\n    Type:      ");
                rc = type_text(fields, type, &err);
            }
        }
    } else if (!ls->json) {
        jb_puts(fields, "Group");
    }
    if (rc != H5RD_OK) {
        rec_error(ls, path, &err);
        return;
    }
    rec_begin(ls, path, name, kind_json(kind));
    jb_write(&ls->rec, fields->p, fields->len);
    if (ls->json) {
        jb_puts(&ls->rec, ", \"attrs\": ");
        ls->failures += cli_attrs_json(&ls->rec, obj, ls->filename, path);
    } else if (ls->verbose) {
        jb_putc(&ls->rec, '\n');
        ls->failures += cli_attrs_text(&ls->rec, obj, ls->filename, path, "    Attribute: ");
    }
    rec_end(ls);
}

/* The path to print for a path of the visit: the same with PATH as the user spelled it in
 * front ("grp/x" for `ls -r FILE grp`, as before the listing went through h5rd_obj_visit). */
static const char *print_path(struct ls *ls, struct jbuf *scratch, const char *vpath)
{
    if (ls->root_is_start || strlen(vpath) < ls->root_len) {
        return vpath;
    }
    const char *rest = vpath + ls->root_len;
    if (*rest == '\0') {
        return ls->start;
    }
    rest += *rest == '/';
    size_t sl = strlen(ls->start);
    jb_reset(scratch);
    jb_write(scratch, ls->start, sl);
    if (sl == 0 || ls->start[sl - 1] != '/') {
        jb_putc(scratch, '/');
    }
    jb_puts(scratch, rest);
    jb_putc(scratch, '\0');
    return scratch->p ? scratch->p : vpath;
}

/* One link met by the visit. */
static h5rd_visit_ret visit_cb(const struct h5rd_visit_info *vi, void *udata)
{
    struct ls *ls = udata;
    struct jbuf *b = &ls->rec;
    const struct h5rd_link *lk = vi->link;
    if (lk == NULL) {
        rec_error(ls, print_path(ls, &ls->path, vi->path), vi->err);
        return H5RD_VISIT_CONTINUE;
    }
    const char *path = print_path(ls, &ls->path, vi->path);
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
        return H5RD_VISIT_CONTINUE;
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
        return H5RD_VISIT_CONTINUE;
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
        return H5RD_VISIT_CONTINUE;
    }
    if (vi->err != NULL) {
        rec_error(ls, path, vi->err);
        return H5RD_VISIT_CONTINUE;
    }
    if (vi->same_as != NULL) {
        /* A second hard link to an object already listed (the visit does not descend). */
        rec_begin(ls, path, lk->name, kind_json(vi->kind));
        const char *first = print_path(ls, &ls->path2, vi->same_as);
        if (ls->json) {
            jb_puts(b, ", \"same_as\": ");
            json_cstr(b, first);
        } else {
            jb_printf(b, "%s, same as %s", kind_text(vi->kind), first);
        }
        rec_end(ls);
        return H5RD_VISIT_CONTINUE;
    }
    object_record(ls, vi->obj, path, lk->name);
    return ls->recursive ? H5RD_VISIT_CONTINUE : H5RD_VISIT_SKIP;
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
    ls.batch = !ls.json && !isatty(fileno(stdout));
    jb_init(&ls.path);
    jb_init(&ls.path2);
    jb_init(&ls.fields);

    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_obj_open(ls.file, start, &obj, &err);
    if (rc != H5RD_OK) {
        rec_error(&ls, start, &err);
    } else {
        if (h5rd_obj_get_kind(obj) != H5RD_OBJ_GROUP) {
            /* Listing a dataset or datatype lists just that object. */
            const char *slash = strrchr(start, '/');
            object_record(&ls, obj, start, slash && slash[1] ? slash + 1 : start);
        } else {
            if (ls.json || ls.recursive) {
                object_record(&ls, obj, start, start);
            }
            ls.start = start;
            ls.root_len = strlen(h5rd_obj_get_path(obj));
            ls.root_is_start = strcmp(start, h5rd_obj_get_path(obj)) == 0;
            rc = h5rd_obj_visit(obj, visit_cb, &ls, &err);
            if (rc != H5RD_OK) {
                rec_error(&ls, start, &err);
            }
        }
        h5rd_obj_close(obj);
    }
    if (ls.batch) {
        rec_flush(&ls);
    }
    if (ls.json) {
        fputs(ls.nrecords ? "\n]\n" : "[]\n", stdout);
    }
    jb_free(&ls.rec);
    jb_free(&ls.path);
    jb_free(&ls.path2);
    jb_free(&ls.fields);
    h5rd_file_close(ls.file);
    return ls.failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
