/*
 * cmd_dump.c - `h5rd dump [--all] [-A] FILE [PATH]`: objects, attributes and values printed
 * the way h5dump (1.10) prints them, so a person can look at a file without writing code.
 *
 * Layout follows h5dump: `HDF5 "FILE" {`, then `GROUP "/" {` with its attributes and then its
 * links, both sorted by name (h5dump's default H5_INDEX_NAME order), each level indented by 3
 * columns; `DATASET "name" {` holds DATATYPE, DATASPACE, DATA and then its attributes;
 * `ATTRIBUTE`, `SOFTLINK` (LINKTARGET), `EXTERNAL_LINK` (TARGETFILE, TARGETPATH, then the
 * target object, as h5dump follows it), and `HARDLINK "/first/path"` for an object met again.
 * Types are named as h5dump names them (H5T_STD_I32LE, H5T_IEEE_F64BE, H5T_STRING {...},
 * H5T_COMPOUND { TYPE "member"; ... }, H5T_ENUM, H5T_ARRAY { [2][3] T }, H5T_VLEN { T},
 * H5T_REFERENCE, H5T_OPAQUE; anything else "16-bit little-endian integer 12-bit precision").
 *
 * DATA rows are laid out by a copy of h5dump's renderer (tools/lib h5tools_render_element and
 * h5tools_dump_simple_data): each element is rendered to a string with its trailing ","; a new
 * line with the index prefix "(i,j): " starts at the beginning of each row of the last
 * dimension and whenever the element would pass column 80; compounds and arrays are rendered
 * with embedded newlines and indentation exactly as h5tools_str_sprint builds them, and their
 * length counts toward the column as it does there (so the next element starts a new line).
 * Strings are quoted with C escapes; bytes outside printable ASCII are written as h5dump
 * writes them (octal of the sign-extended char, "\37777777703" for 0xc3).
 *
 * Deliberate differences from h5dump:
 *  - Floats are printed as "%.Ng" with N = 6 (h5dump's "%g") when that reads back as the same
 *    value (as a float for 4-byte and smaller types, a double otherwise), else with the
 *    fewest digits from 7 to 17 that do. h5dump's 6 digits do not round-trip (3.14159 for pi,
 *    where we print 3.1415927 for a float and 3.141592653589793 for a double); wherever they
 *    do, the text is identical. The issue asks for values equal to libhdf5's.
 *  - Without --all a dataset or attribute prints its first DUMP_HEAD_ELEMS elements (fewer
 *    when they hold more than DUMP_HEAD_NBYTES, at least one) and then a line
 *    "... N more elements (--all prints them)".
 *  - A datatype committed in the file is printed in full (h5dump names it: DATATYPE "/t"):
 *    the public API does not say whether a type is shared. Object references print the
 *    referenced object's kind, address and path and then the referenced dataset's values (not
 *    expanding references found in those again); region references print the dataset path
 *    only (the API gives no region selection).
 *  - NaN is always "nan" (h5dump may print "-nan").
 *
 * Memory stays bounded: dataset values are read in slabs of at most DUMP_SLAB_NBYTES.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

#define DUMP_SLAB_NBYTES ((uint64_t)4 << 20)
/* Without --all, at most this much data per dataset or attribute (and DUMP_HEAD_ELEMS
 * elements): an element of a large array type counts for all its values. */
#define DUMP_HEAD_NBYTES ((uint64_t)64 << 10)
#define DUMP_MAX_ELEM_NBYTES ((uint64_t)1 << 30)
#define DUMP_MAX_DEPTH 1024
#define DUMP_NCOLS 80 /* h5dump's line width */
#define DUMP_MAX_TYPE_DEPTH 64

struct seen_obj {
    uint64_t addr;
    char *path; /* "FILE\0PATH": the file (as the external link names it; "" for the dumped
                   file itself) then the first path the object was printed under */
};

struct dump {
    const char *filename;
    int all, header_only;
    int failures;
    struct jbuf out; /* flushed to stdout after each line group */
    /* objects already printed (for HARDLINK), per file: a plain list (dumps are for people) */
    struct seen_obj *seen;
    size_t nseen, capseen;
    int in_ref;           /* printing the values of a referenced dataset */
    const char *cur_file; /* the file being walked ("": FILE itself; else an external one) */
};

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void indent(struct jbuf *b, int n)
{
    for (int i = 0; i < n; i++) {
        jb_putc(b, ' ');
    }
}

static void flush(struct dump *d)
{
    if (jb_flush_to(&d->out, stdout) != 0) {
        fprintf(stderr, "h5rd: out of memory while dumping\n");
        d->failures++;
    }
    jb_reset(&d->out);
}

static void report(struct dump *d, const char *path, struct h5rd_error *err, h5rd_err rc)
{
    if (err->code == H5RD_OK) {
        err->code = rc;
        err->file_offset = H5RD_ADDR_UNDEF;
    }
    flush(d);
    fflush(stdout);
    cli_report(d->filename, path, err);
    d->failures++;
}

static const char *seen_find(const struct dump *d, uint64_t addr)
{
    for (size_t i = 0; i < d->nseen; i++) {
        if (d->seen[i].addr == addr && strcmp(d->seen[i].path, d->cur_file) == 0) {
            return d->seen[i].path + strlen(d->seen[i].path) + 1;
        }
    }
    return NULL;
}

static void seen_add(struct dump *d, uint64_t addr, const char *path)
{
    if (d->nseen == d->capseen) {
        size_t ncap = d->capseen ? d->capseen * 2 : 64;
        struct seen_obj *ns = realloc(d->seen, ncap * sizeof *ns);
        if (!ns) {
            return; /* only HARDLINK detection is lost; the depth limit still bounds the walk */
        }
        d->seen = ns;
        d->capseen = ncap;
    }
    size_t nf = strlen(d->cur_file), n = strlen(path);
    char *copy = malloc(nf + n + 2);
    if (!copy) {
        return;
    }
    memcpy(copy, d->cur_file, nf + 1);
    memcpy(copy + nf + 1, path, n + 1);
    d->seen[d->nseen].addr = addr;
    d->seen[d->nseen].path = copy;
    d->nseen++;
}

static void seen_clear(struct dump *d)
{
    for (size_t i = 0; i < d->nseen; i++) {
        free(d->seen[i].path);
    }
    d->nseen = 0;
}

/* One character as h5tools_print_char writes it: C escapes, printable ASCII as is, anything
 * else as "\%03o" of the (signed) char promoted to int, which is what h5dump prints. */
static void put_char_escaped(struct jbuf *b, unsigned char c)
{
    switch (c) {
    case '"':
        jb_puts(b, "\\\"");
        return;
    case '\\':
        jb_puts(b, "\\\\");
        return;
    case '\b':
        jb_puts(b, "\\b");
        return;
    case '\f':
        jb_puts(b, "\\f");
        return;
    case '\n':
        jb_puts(b, "\\n");
        return;
    case '\r':
        jb_puts(b, "\\r");
        return;
    case '\t':
        jb_puts(b, "\\t");
        return;
    default:
        break;
    }
    if (c >= 0x20 && c < 0x7f) {
        jb_putc(b, (char)c);
    } else if (c >= 0x80) {
        jb_printf(b, "\\%03o", 0xFFFFFF00u | c);
    } else {
        jb_printf(b, "\\%03o", (unsigned)c);
    }
}

/* A name in double quotes (link, attribute and member names). h5dump escapes them the same
 * way as string data. */
static void put_quoted(struct jbuf *b, const char *s)
{
    jb_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        put_char_escaped(b, *p);
    }
    jb_putc(b, '"');
}

/* h5dump's "%g" (6 significant digits) when that reads back as the same value, else the
 * fewest digits beyond 6 that do (see the top comment). */
static void put_float(struct jbuf *b, double v, int single)
{
    if (isnan(v)) {
        jb_puts(b, "nan");
        return;
    }
    if (isinf(v)) {
        jb_puts(b, v < 0 ? "-inf" : "inf");
        return;
    }
    char t[64];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        double back = strtod(t, NULL);
        if (single ? (float)back == (float)v : back == v) {
            break;
        }
    }
    jb_puts(b, t);
}

/* ------------------------------------------------------------------------------------------ */
/* Datatypes                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static const char *order_word(h5rd_byte_order o)
{
    return o == H5RD_ORDER_LE ? " little-endian" : o == H5RD_ORDER_BE ? " big-endian" : "";
}

static int std_int(const struct h5rd_type_info *ti)
{
    return (ti->size == 1 || ti->size == 2 || ti->size == 4 || ti->size == 8) &&
           ti->bit_offset == 0 && ti->precision == ti->size * 8 &&
           (ti->order == H5RD_ORDER_LE || ti->order == H5RD_ORDER_BE);
}

static int ieee_float(const struct h5rd_type_info *ti)
{
    if (ti->bit_offset != 0 || ti->precision != ti->size * 8 || ti->mant_norm != 2 ||
        (ti->order != H5RD_ORDER_LE && ti->order != H5RD_ORDER_BE)) {
        return 0;
    }
    if (ti->size == 4) {
        return ti->exp_nbits == 8 && ti->mant_nbits == 23 && ti->exp_bias == 127 &&
               ti->sign_pos == 31 && ti->exp_pos == 23 && ti->mant_pos == 0;
    }
    if (ti->size == 8) {
        return ti->exp_nbits == 11 && ti->mant_nbits == 52 && ti->exp_bias == 1023 &&
               ti->sign_pos == 63 && ti->exp_pos == 52 && ti->mant_pos == 0;
    }
    return 0;
}

/* Appends the h5dump text of 'type'; lines inside blocks are indented by 'ind' + 3 and the
 * closing brace by 'ind' (the column of the line the type starts on). */
static h5rd_err put_type(struct jbuf *b, const h5rd_type *type, int ind, int depth,
                         struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    if (depth > DUMP_MAX_TYPE_DEPTH) {
        return cli_set_error(err, H5RD_E_LIMIT, "dump: datatype nested too deeply");
    }
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    const h5rd_type *base = NULL;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
        if (std_int(&ti)) {
            jb_printf(b, "H5T_STD_%c%" PRIu64 "%s", ti.is_signed ? 'I' : 'U', ti.size * 8,
                      ti.order == H5RD_ORDER_LE ? "LE" : "BE");
        } else {
            jb_printf(b, "%" PRIu64 "-bit%s%s integer %" PRIu32 "-bit precision", ti.size * 8,
                      order_word(ti.order), ti.is_signed ? "" : " unsigned", ti.precision);
        }
        return H5RD_OK;
    case H5RD_CLASS_FLOAT:
        if (ieee_float(&ti)) {
            jb_printf(b, "H5T_IEEE_F%" PRIu64 "%s", ti.size * 8,
                      ti.order == H5RD_ORDER_LE ? "LE" : "BE");
        } else {
            jb_printf(b, "%" PRIu64 "-bit%s floating-point %" PRIu32 "-bit precision",
                      ti.size * 8, order_word(ti.order), ti.precision);
        }
        return H5RD_OK;
    case H5RD_CLASS_COMPLEX: {
        /* h5dump 2.0 names the predefined complex types (H5T_COMPLEX_IEEE_F32LE, ...), and
         * writes others as H5T_COMPLEX { base }. */
        struct h5rd_type_info bi;
        rc = h5rd_type_get_super(type, &base, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(base, &bi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        if (ieee_float(&bi)) {
            jb_printf(b, "H5T_COMPLEX_IEEE_F%" PRIu64 "%s", bi.size * 8,
                      bi.order == H5RD_ORDER_LE ? "LE" : "BE");
            return H5RD_OK;
        }
        jb_puts(b, "H5T_COMPLEX { ");
        rc = put_type(b, base, ind, depth + 1, err);
        jb_puts(b, " }");
        return rc;
    }
    case H5RD_CLASS_BITFIELD:
        if (std_int(&ti)) {
            jb_printf(b, "H5T_STD_B%" PRIu64 "%s", ti.size * 8,
                      ti.order == H5RD_ORDER_LE ? "LE" : "BE");
        } else {
            jb_printf(b, "%" PRIu64 "-bit%s bitfield %" PRIu32 "-bit precision", ti.size * 8,
                      order_word(ti.order), ti.precision);
        }
        return H5RD_OK;
    case H5RD_CLASS_TIME:
        jb_puts(b, "H5T_TIME: not yet implemented");
        return H5RD_OK;
    case H5RD_CLASS_STRING:
    case H5RD_CLASS_VLEN:
        if (ti.cls == H5RD_CLASS_STRING || ti.vlen_is_string) {
            static const char *const pads[] = {"H5T_STR_NULLTERM", "H5T_STR_NULLPAD",
                                               "H5T_STR_SPACEPAD"};
            jb_puts(b, "H5T_STRING {\n");
            indent(b, ind + 3);
            if (ti.cls == H5RD_CLASS_STRING) {
                jb_printf(b, "STRSIZE %" PRIu64 ";\n", ti.size);
            } else {
                jb_puts(b, "STRSIZE H5T_VARIABLE;\n");
            }
            indent(b, ind + 3);
            jb_printf(b, "STRPAD %s;\n", ti.str_pad < 3 ? pads[ti.str_pad] : "H5T_STR_ERROR");
            indent(b, ind + 3);
            jb_printf(b, "CSET %s;\n", ti.cset == 1 ? "H5T_CSET_UTF8" : "H5T_CSET_ASCII");
            indent(b, ind + 3);
            jb_puts(b, "CTYPE H5T_C_S1;\n");
            indent(b, ind);
            jb_putc(b, '}');
            return H5RD_OK;
        }
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "H5T_VLEN { ");
        rc = put_type(b, base, ind, depth + 1, err);
        jb_putc(b, '}');
        return rc;
    case H5RD_CLASS_OPAQUE:
        jb_puts(b, "H5T_OPAQUE {\n");
        indent(b, ind + 3);
        jb_puts(b, "OPAQUE_TAG ");
        put_quoted(b, ti.tag ? ti.tag : "");
        jb_puts(b, ";\n");
        indent(b, ind);
        jb_putc(b, '}');
        return H5RD_OK;
    case H5RD_CLASS_REFERENCE:
        jb_printf(b, "H5T_REFERENCE { %s }",
                  ti.ref_kind == 1   ? "H5T_STD_REF_DSETREG"
                  : ti.ref_kind == 2 ? "H5T_STD_REF" /* h5dump 1.12+: the revised type */
                                     : "H5T_STD_REF_OBJECT");
        return H5RD_OK;
    case H5RD_CLASS_COMPOUND:
        jb_puts(b, "H5T_COMPOUND {\n");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            indent(b, ind + 3);
            rc = put_type(b, mt, ind + 3, depth + 1, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            jb_putc(b, ' ');
            put_quoted(b, name);
            jb_puts(b, ";\n");
        }
        indent(b, ind);
        jb_putc(b, '}');
        return H5RD_OK;
    case H5RD_CLASS_ENUM: {
        struct h5rd_type_info bi;
        rc = h5rd_type_get_super(type, &base, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(base, &bi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "H5T_ENUM {\n");
        indent(b, ind + 3);
        rc = put_type(b, base, ind + 3, depth + 1, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, ";\n");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            const void *val;
            rc = h5rd_type_get_enum_member(type, k, &name, &val, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            indent(b, ind + 3);
            size_t n0 = b->len;
            put_quoted(b, name);
            /* h5dump pads the quoted name to 16 columns of name, then one blank. */
            size_t nchars = b->len - n0 - 2;
            for (size_t c = nchars; c < 16; c++) {
                jb_putc(b, ' ');
            }
            jb_putc(b, ' ');
            int64_t sv;
            uint64_t uv;
            if (bi.size > ti.size) {
                return cli_set_error(err, H5RD_E_CORRUPT, "enum: base type larger than the enum");
            }
            if (decode_int(&bi, val, &sv, &uv)) {
                jb_printf(b, "%" PRId64 ";\n", sv);
            } else {
                jb_printf(b, "%" PRIu64 ";\n", uv);
            }
        }
        indent(b, ind);
        jb_putc(b, '}');
        return H5RD_OK;
    }
    case H5RD_CLASS_ARRAY:
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "H5T_ARRAY { ");
        for (uint32_t k = 0; k < ti.rank && k < H5RD_MAX_RANK; k++) {
            jb_printf(b, "[%" PRIu64 "]", ti.dims[k]);
        }
        jb_putc(b, ' ');
        rc = put_type(b, base, ind, depth + 1, err);
        jb_puts(b, " }");
        return rc;
    }
    return cli_set_error(err, H5RD_E_UNSUPPORTED, "dump: unknown datatype class");
}

static void put_space(struct jbuf *b, const struct h5rd_space *sp)
{
    if (sp->kind == H5RD_SPACE_SCALAR) {
        jb_puts(b, "SCALAR");
        return;
    }
    if (sp->kind == H5RD_SPACE_NULL) {
        jb_puts(b, "NULL");
        return;
    }
    jb_puts(b, "SIMPLE { ( ");
    for (uint32_t i = 0; i < sp->rank && i < H5RD_MAX_RANK; i++) {
        jb_printf(b, "%s%" PRIu64, i ? ", " : "", sp->dims[i]);
    }
    jb_puts(b, " ) / ( ");
    for (uint32_t i = 0; i < sp->rank && i < H5RD_MAX_RANK; i++) {
        if (sp->maxdims[i] == H5RD_UNLIMITED) {
            jb_printf(b, "%sH5S_UNLIMITED", i ? ", " : "");
        } else {
            jb_printf(b, "%s%" PRIu64, i ? ", " : "", sp->maxdims[i]);
        }
    }
    jb_puts(b, " ) }");
}

/* ------------------------------------------------------------------------------------------ */
/* Element text (h5tools_str_sprint)                                                           */
/* ------------------------------------------------------------------------------------------ */

struct elemctx {
    h5rd_file *file;   /* where vlen data and references live */
    int normalized;    /* integers already shifted to bit 0 (dataset reads) */
};

static h5rd_err put_elem(struct jbuf *b, const struct elemctx *ec, const h5rd_type *type,
                         const unsigned char *p, uint64_t avail, int level, int depth,
                         struct h5rd_error *err);

static void put_int_text(struct jbuf *b, const struct elemctx *ec, const struct h5rd_type_info *ti,
                         const unsigned char *p)
{
    struct h5rd_type_info at0;
    if (ec->normalized && ti->bit_offset != 0) {
        at0 = *ti;
        at0.bit_offset = 0;
        ti = &at0;
    }
    int64_t sv;
    uint64_t uv;
    if (decode_int(ti, p, &sv, &uv)) {
        jb_printf(b, "%" PRId64, sv);
    } else {
        jb_printf(b, "%" PRIu64, uv);
    }
}

static void put_string_text(struct jbuf *b, const unsigned char *s, size_t n, int nullterm)
{
    size_t i = 0;
    jb_putc(b, '"');
    for (; i < n && (s[i] || !nullterm); i++) {
        put_char_escaped(b, s[i]);
    }
    jb_putc(b, '"');
}

static h5rd_err put_vlen_text(struct jbuf *b, const struct elemctx *ec, const h5rd_type *type,
                              const struct h5rd_type_info *ti, const unsigned char *p, int level,
                              int depth, struct h5rd_error *err)
{
    unsigned char *buf;
    uint64_t count, esize;
    const h5rd_type *base;
    h5rd_err rc = cli_vlen_fetch(ec->file, type, ti, p, DUMP_MAX_ELEM_NBYTES, &buf, &count, &base,
                                 &esize, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    uint64_t nbytes = count * esize;
    if (rc == H5RD_OK && ti->vlen_is_string) {
        put_string_text(b, buf, (size_t)nbytes, 0);
    } else if (rc == H5RD_OK) {
        /* h5rd_vlen_read does not normalise: decode at the type's bit offsets. */
        struct elemctx sub = *ec;
        sub.normalized = 0;
        jb_putc(b, '(');
        for (uint64_t i = 0; i < count && rc == H5RD_OK; i++) {
            if (i) {
                jb_puts(b, ", ");
            }
            rc = put_elem(b, &sub, base, buf + i * esize, esize, level, depth + 1, err);
        }
        jb_putc(b, ')');
    }
    free(buf);
    return rc;
}

static h5rd_err put_ref_text(struct jbuf *b, const struct elemctx *ec, const h5rd_type *type,
                             const unsigned char *p, struct h5rd_error *err)
{
    char small[1024];
    size_t len = 0;
    h5rd_err rc = h5rd_ref_get_path(ec->file, type, p, small, sizeof small, &len, err);
    if (rc == H5RD_E_NOT_FOUND) {
        jb_puts(b, "NULL");
        return H5RD_OK;
    }
    if (rc == H5RD_E_BUFSIZE) {
        jb_puts(b, "\"");
        jb_write(b, small, strlen(small));
        jb_puts(b, "...\"");
        return H5RD_OK;
    }
    if (rc != H5RD_OK) {
        return rc;
    }
    put_quoted(b, small);
    return H5RD_OK;
}

/* One element as h5dump renders it; 'level' is h5dump's ctx->indent_level (DATA's column / 3)
 * and decides the indentation after embedded newlines (compounds, arrays). */
static h5rd_err put_elem(struct jbuf *b, const struct elemctx *ec, const h5rd_type *type,
                         const unsigned char *p, uint64_t avail, int level, int depth,
                         struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    if (depth > DUMP_MAX_TYPE_DEPTH) {
        return cli_set_error(err, H5RD_E_LIMIT, "dump: datatype nested too deeply");
    }
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (ti.size > avail) {
        return cli_set_error(err, H5RD_E_CORRUPT, "value: element larger than its data");
    }
    const h5rd_type *base;
    struct h5rd_type_info bi;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_TIME:
        put_int_text(b, ec, &ti, p);
        return H5RD_OK;
    case H5RD_CLASS_FLOAT:
        put_float(b, decode_float(&ti, p), ti.size <= 4);
        return H5RD_OK;
    case H5RD_CLASS_COMPLEX:
        /* h5dump 2.0 (tools/lib/h5tools_str.c): "%f%+fi", e.g. 10.000000+0.000000i. */
        jb_printf(b, "%f%+fi", decode_complex_part(&ti, p, ti.size, ec->normalized, 0),
                  decode_complex_part(&ti, p, ti.size, ec->normalized, 1));
        return H5RD_OK;
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_OPAQUE:
        /* h5dump: one byte as 0xNN for a 1-byte bitfield, else bytes xx:xx in memory order. */
        if (ti.cls == H5RD_CLASS_BITFIELD && ti.size == 1) {
            jb_printf(b, "0x%02x", (unsigned)p[0]);
            return H5RD_OK;
        }
        for (uint64_t i = 0; i < ti.size; i++) {
            jb_printf(b, "%s%02x", i ? ":" : "", (unsigned)p[i]);
        }
        return H5RD_OK;
    case H5RD_CLASS_STRING:
        if (ec->normalized && ti.str_pad == 2) {
            /* A dataset read made the trailing spaces of a space-padded string NULs (as
             * libhdf5 converts it for h5py); h5dump shows the stored spaces: put them back. */
            size_t n = (size_t)ti.size;
            while (n > 0 && p[n - 1] == 0) {
                n--;
            }
            jb_putc(b, '"');
            for (size_t i = 0; i < (size_t)ti.size; i++) {
                put_char_escaped(b, i < n ? p[i] : (unsigned char)' ');
            }
            jb_putc(b, '"');
            return H5RD_OK;
        }
        put_string_text(b, p, (size_t)ti.size, ti.str_pad == 0);
        return H5RD_OK;
    case H5RD_CLASS_VLEN:
        return put_vlen_text(b, ec, type, &ti, p, level, depth, err);
    case H5RD_CLASS_REFERENCE:
        return put_ref_text(b, ec, type, p, err);
    case H5RD_CLASS_ENUM: {
        rc = h5rd_type_get_super(type, &base, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(base, &bi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        if (bi.size > ti.size) {
            return cli_set_error(err, H5RD_E_CORRUPT, "enum: base type larger than the enum");
        }
        struct h5rd_type_info bn = bi;
        if (ec->normalized) {
            bn.bit_offset = 0;
        }
        int64_t sv;
        uint64_t uv;
        decode_int(&bn, p, &sv, &uv);
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            const void *val;
            int64_t msv;
            uint64_t muv;
            if (h5rd_type_get_enum_member(type, k, &name, &val, NULL) == H5RD_OK) {
                decode_int(&bi, val, &msv, &muv);
                if (muv == uv) {
                    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
                        put_char_escaped(b, *c);
                    }
                    return H5RD_OK;
                }
            }
        }
        put_int_text(b, ec, &bi, p); /* no member has this value: h5dump prints the number */
        return H5RD_OK;
    }
    case H5RD_CLASS_COMPOUND:
        /* h5dump: "{" cmpd_pre, members each on a line indented (level+2)*3, separated by
         * ",\n", then "\n", (level+1)*3 blanks and "}". */
        jb_puts(b, "{\n");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            struct h5rd_type_info mi;
            rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(mt, &mi, err);
            }
            if (rc != H5RD_OK) {
                return rc;
            }
            if (off > ti.size || mi.size > ti.size - off) {
                return cli_set_error(err, H5RD_E_CORRUPT, "compound: member outside the element");
            }
            if (k) {
                jb_puts(b, ",\n");
            }
            indent(b, (level + 2) * 3);
            rc = put_elem(b, ec, mt, p + off, ti.size - off, level + 1, depth + 1, err);
            if (rc != H5RD_OK) {
                return rc;
            }
        }
        jb_putc(b, '\n');
        indent(b, (level + 1) * 3);
        jb_putc(b, '}');
        return H5RD_OK;
    case H5RD_CLASS_ARRAY: {
        rc = h5rd_type_get_super(type, &base, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(base, &bi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        uint64_t n = 1;
        for (uint32_t k = 0; k < ti.rank && k < H5RD_MAX_RANK; k++) {
            if (ti.dims[k] != 0 && n > UINT64_MAX / ti.dims[k]) {
                return cli_set_error(err, H5RD_E_CORRUPT, "array: element count overflows");
            }
            n *= ti.dims[k];
        }
        if (bi.size != 0 && n > ti.size / bi.size) {
            return cli_set_error(err, H5RD_E_CORRUPT, "array: larger than its element");
        }
        uint64_t last = ti.rank > 0 && ti.rank <= H5RD_MAX_RANK ? ti.dims[ti.rank - 1] : 0;
        /* "[ " elements ", " (a new line indented (level+2)*3 at each row of the last
         * dimension) " ]" */
        jb_puts(b, "[ ");
        for (uint64_t x = 0; x < n; x++) {
            if (x) {
                jb_putc(b, ',');
                if (last && x % last == 0) {
                    jb_putc(b, '\n');
                    indent(b, (level + 2) * 3);
                } else {
                    jb_putc(b, ' ');
                }
            }
            rc = put_elem(b, ec, base, p + x * bi.size, ti.size - x * bi.size, level + 1,
                          depth + 1, err);
            if (rc != H5RD_OK) {
                return rc;
            }
        }
        jb_puts(b, " ]");
        return H5RD_OK;
    }
    }
    return cli_set_error(err, H5RD_E_UNSUPPORTED, "value: unknown datatype class");
}

/* ------------------------------------------------------------------------------------------ */
/* DATA rows (h5tools_render_element)                                                          */
/* ------------------------------------------------------------------------------------------ */

struct render {
    struct jbuf *b;
    int col0;                 /* column of "DATA {" and of the row prefixes */
    uint32_t rank;            /* 0: scalar */
    const uint64_t *dims;
    uint64_t size_last_dim;   /* 0 for a scalar */
    uint64_t cur_column, cur_elmt, elmt_counter;
    int need_prefix;
    struct jbuf el;           /* the element being rendered */
};

static void render_prefix(struct render *r, uint64_t pos)
{
    if (r->cur_column) {
        jb_putc(r->b, '\n');
    }
    size_t n0 = r->b->len;
    indent(r->b, r->col0);
    jb_putc(r->b, '(');
    if (r->rank == 0) {
        jb_putc(r->b, '0');
    } else {
        uint64_t idx[H5RD_MAX_RANK];
        for (uint32_t j = r->rank; j-- > 0;) {
            idx[j] = r->dims[j] ? pos % r->dims[j] : 0;
            pos = r->dims[j] ? pos / r->dims[j] : 0;
        }
        for (uint32_t j = 0; j < r->rank; j++) {
            jb_printf(r->b, "%s%" PRIu64, j ? "," : "", idx[j]);
        }
    }
    jb_puts(r->b, "): ");
    /* h5tools_simple_prefix counts one indentation level more than it prints (indent_level
     * levels of "   " against indent_level - 1 written before the prefix): the column that
     * decides wrapping is 3 more than the real one, and we wrap where h5dump wraps. */
    r->cur_column = r->b->len - n0 + 3;
    r->cur_elmt = 0;
    r->need_prefix = 0;
}

/* Writes element 'pos' (its text in r->el, trailing "," included unless it is the last). */
static void render_element(struct render *r, uint64_t pos)
{
    uint64_t len = r->el.len;
    /* Would pass the line width: start a new line. */
    if (r->cur_column + len + 1 > DUMP_NCOLS) {
        r->need_prefix = 1;
    }
    /* A new row of the last dimension starts a new line. */
    int dim_break = 0;
    if (r->cur_elmt) {
        if (r->size_last_dim && r->cur_elmt % r->size_last_dim == 0) {
            r->need_prefix = 1;
        }
        if (r->elmt_counter == r->size_last_dim) {
            r->need_prefix = 1;
            dim_break = 1;
        }
    }
    if (r->need_prefix) {
        render_prefix(r, pos);
    } else if (pos) {
        jb_putc(r->b, ' ');
        r->cur_column++;
    }
    jb_write(r->b, r->el.p, r->el.len);
    r->cur_column += len;
    if (dim_break) {
        r->elmt_counter = 0;
    }
    r->cur_elmt++;
    r->elmt_counter++;
}

/* ------------------------------------------------------------------------------------------ */
/* Values of a dataset or attribute                                                            */
/* ------------------------------------------------------------------------------------------ */

static void dataset_data(struct dump *d, h5rd_obj *dset, const char *path, const h5rd_type *type,
                         const struct h5rd_space *sp, int col);

/* Object references: h5dump lists each as `KIND ADDR "/path"` on its own line. */
static void ref_line(struct dump *d, struct render *r, const struct elemctx *ec,
                     const h5rd_type *type, const struct h5rd_type_info *ti,
                     const unsigned char *p)
{
    struct jbuf *b = &d->out;
    char path[1024];
    size_t len = 0;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    indent(b, r->col0 + 3);
    h5rd_err rc = h5rd_ref_get_path(ec->file, type, p, path, sizeof path, &len, &err);
    if (rc != H5RD_OK) {
        jb_puts(b, "NULL\n");
        return;
    }
    h5rd_obj *obj = NULL;
    uint32_t kind = ti->ref_kind == 1 ? H5RD_REF_REGION : H5RD_REF_OBJECT;
    if (ti->ref_kind == 2 && h5rd_ref_get_kind(ec->file, type, p, &kind, &err) != H5RD_OK) {
        kind = H5RD_REF_OBJECT;
    }
    if (kind == H5RD_REF_REGION) {
        jb_puts(b, "DATASET ");
        put_quoted(b, path);
        jb_putc(b, '\n');
        return;
    }
    if (kind == H5RD_REF_ATTR) {
        /* h5dump 1.12+ names an attribute reference by its object's path and the name. */
        char name[512];
        size_t nlen = 0;
        jb_puts(b, "ATTRIBUTE ");
        put_quoted(b, path);
        if (h5rd_ref_get_attr_name(ec->file, type, p, name, sizeof name, &nlen, &err) == H5RD_OK) {
            jb_putc(b, ' ');
            put_quoted(b, name);
        }
        jb_putc(b, '\n');
        return;
    }
    if (h5rd_obj_open(ec->file, path, &obj, &err) != H5RD_OK) {
        put_quoted(b, path);
        jb_putc(b, '\n');
        return;
    }
    h5rd_obj_kind k = h5rd_obj_get_kind(obj);
    jb_printf(b, "%s %" PRIu64 " ",
              k == H5RD_OBJ_GROUP ? "GROUP" : k == H5RD_OBJ_DATASET ? "DATASET" : "DATATYPE",
              h5rd_obj_get_addr(obj));
    put_quoted(b, path);
    jb_putc(b, '\n');
    /* Then, as h5dump, the referenced dataset's values (an empty DATA block for a group or
     * a datatype). References met while printing those are not expanded again, which keeps
     * a dataset of references to itself finite. */
    struct h5rd_space sp;
    const h5rd_type *rtype;
    if (k == H5RD_OBJ_DATASET && !d->in_ref && !d->header_only &&
        h5rd_dataset_get_space(obj, &sp, &err) == H5RD_OK &&
        h5rd_obj_get_type(obj, &rtype, &err) == H5RD_OK) {
        d->in_ref = 1;
        dataset_data(d, obj, path, rtype, &sp, r->col0 + 6);
        d->in_ref = 0;
    } else if (!d->header_only) {
        indent(b, r->col0 + 6);
        jb_puts(b, "DATA {\n");
        indent(b, r->col0 + 6);
        jb_puts(b, "}\n");
    }
    h5rd_obj_close(obj);
}

/* Renders 'n' elements (buf) starting at flat index 'pos0'; 'total' is how many are printed in
 * all (the last of them has no trailing comma). */
static h5rd_err render_elems(struct dump *d, struct render *r, const struct elemctx *ec,
                             const h5rd_type *type, const struct h5rd_type_info *ti,
                             const unsigned char *buf, uint64_t esize, uint64_t pos0, uint64_t n,
                             uint64_t total, struct h5rd_error *err)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pos = pos0 + i;
        const unsigned char *p = buf + i * esize;
        if (ti->cls == H5RD_CLASS_REFERENCE) {
            ref_line(d, r, ec, type, ti, p);
            continue;
        }
        jb_reset(&r->el);
        h5rd_err rc;
        if (ti->cls == H5RD_CLASS_FLOAT && esize != ti->size) {
            put_float(&r->el, cli_wide_float(p, esize), esize <= 4);
            rc = H5RD_OK;
        } else if (ti->cls == H5RD_CLASS_COMPLEX && esize != ti->size) {
            jb_printf(&r->el, "%f%+fi", decode_complex_part(ti, p, esize, 1, 0),
                      decode_complex_part(ti, p, esize, 1, 1));
            rc = H5RD_OK;
        } else {
            rc = put_elem(&r->el, ec, type, p, esize, r->col0 / 3, 0, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        if (pos + 1 < total) {
            jb_putc(&r->el, ',');
        }
        render_element(r, pos);
        if (d->out.len > ((size_t)1 << 16)) {
            flush(d);
        }
    }
    return H5RD_OK;
}

/* How many of 'total' elements of 'esize' bytes are printed. */
static uint64_t head_count(const struct dump *d, uint64_t total, uint64_t esize)
{
    if (d->all) {
        return total;
    }
    uint64_t n = esize ? DUMP_HEAD_NBYTES / esize : DUMP_HEAD_ELEMS;
    if (n > DUMP_HEAD_ELEMS) {
        n = DUMP_HEAD_ELEMS;
    }
    if (n == 0) {
        n = 1;
    }
    return total < n ? total : n;
}

static uint64_t space_nelems(const struct h5rd_space *sp)
{
    if (sp->kind == H5RD_SPACE_NULL) {
        return 0;
    }
    uint64_t n = 1;
    for (uint32_t i = 0; i < sp->rank && i < H5RD_MAX_RANK; i++) {
        n = (sp->dims[i] && n > UINT64_MAX / sp->dims[i]) ? UINT64_MAX : n * sp->dims[i];
    }
    return n;
}

static void render_init(struct render *r, struct jbuf *b, int col, const struct h5rd_space *sp)
{
    memset(r, 0, sizeof *r);
    r->b = b;
    r->col0 = col;
    r->rank = sp->kind == H5RD_SPACE_SIMPLE ? sp->rank : 0;
    r->dims = sp->dims;
    r->size_last_dim = r->rank ? sp->dims[r->rank - 1] : 0;
    r->need_prefix = 1;
    jb_init(&r->el);
}

/* "DATA {" ... "}" at column 'col'. 'total' elements exist, 'shown' are printed. */
static void data_end(struct dump *d, struct render *r, int col, uint64_t total, uint64_t shown,
                     int is_ref)
{
    struct jbuf *b = &d->out;
    if (r->cur_column) {
        jb_putc(b, '\n');
    }
    if (shown < total) {
        indent(b, col + (is_ref ? 3 : 0));
        jb_printf(b, "... %" PRIu64 " more elements (--all prints them)\n", total - shown);
    }
    indent(b, col);
    jb_puts(b, "}\n");
    jb_free(&r->el);
}

/* The DATA block of a dataset, read in slabs of whole rows of one dimension. */
static void dataset_data(struct dump *d, h5rd_obj *dset, const char *path, const h5rd_type *type,
                         const struct h5rd_space *sp, int col)
{
    struct jbuf *b = &d->out;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    indent(b, col);
    jb_puts(b, "DATA {\n");
    struct render r;
    render_init(&r, b, col, sp);
    uint64_t total = space_nelems(sp);
    struct h5rd_type_info ti;
    uint64_t esize = 0;
    h5rd_err rc = h5rd_type_get_info(type, &ti, &err);
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_elem_nbytes(dset, NULL, &esize, &err);
    }
    uint64_t shown = head_count(d, total, esize);
    if (rc == H5RD_OK && (esize == 0 || esize > DUMP_MAX_ELEM_NBYTES)) {
        rc = cli_set_error(&err, H5RD_E_LIMIT, "dump: element size zero or too large to print");
    }
    struct elemctx ec = {h5rd_obj_get_file(dset), 1};
    uint32_t rank = r.rank;
    if (rc == H5RD_OK && shown > 0) {
        /* Split dimension sd: the outermost whose rows fit a slab (as cmd_cat.c). */
        uint32_t sd = 0;
        uint64_t inner = 1;
        if (rank > 0) {
            sd = rank - 1;
            uint64_t in = 1;
            for (uint32_t j = rank; j-- > 0;) {
                if (j + 1 < rank && in > DUMP_SLAB_NBYTES / esize) {
                    break;
                }
                sd = j;
                inner = in;
                in *= sp->dims[j];
            }
        }
        uint64_t rows = rank > 0 ? DUMP_SLAB_NBYTES / (inner * esize) : 1;
        if (rows == 0) {
            rows = 1;
        }
        if (rank > 0 && rows > sp->dims[sd]) {
            rows = sp->dims[sd];
        }
        unsigned char *buf = malloc((size_t)(rows * inner * esize));
        if (!buf) {
            rc = cli_set_error(&err, H5RD_E_NOMEM, "dump: out of memory");
        }
        uint64_t o[H5RD_MAX_RANK];
        memset(o, 0, sizeof o);
        uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
        uint64_t pos = 0;
        while (rc == H5RD_OK && pos < shown) {
            uint64_t k = rank > 0 ? sp->dims[sd] - o[sd] : 1;
            if (k > rows) {
                k = rows;
            }
            /* Rows beyond what is shown are not read. */
            uint64_t need = (shown - pos + inner - 1) / inner;
            if (k > need) {
                k = need;
            }
            for (uint32_t j = 0; j < rank; j++) {
                start[j] = j <= sd ? o[j] : 0;
                count[j] = j < sd ? 1 : j == sd ? k : sp->dims[j];
            }
            struct h5rd_selection hs;
            memset(&hs, 0, sizeof hs);
            hs.kind = H5RD_SEL_HYPERSLAB;
            hs.rank = rank;
            hs.start = start;
            hs.count = count;
            uint64_t nel = k * inner;
            rc = h5rd_dataset_read(dset, rank > 0 ? &hs : NULL, NULL, buf, (size_t)(nel * esize),
                                   NULL, &err);
            if (rc != H5RD_OK) {
                break;
            }
            if (nel > shown - pos) {
                nel = shown - pos;
            }
            rc = render_elems(d, &r, &ec, type, &ti, buf, esize, pos, nel, shown, &err);
            pos += nel;
            if (rank == 0) {
                break;
            }
            o[sd] += k;
            if (o[sd] < sp->dims[sd]) {
                continue;
            }
            o[sd] = 0;
            for (uint32_t j = sd; j-- > 0;) {
                if (++o[j] < sp->dims[j]) {
                    break;
                }
                o[j] = 0;
            }
        }
        free(buf);
    }
    if (rc != H5RD_OK) {
        if (r.cur_column) {
            jb_putc(b, '\n');
            r.cur_column = 0;
        }
        report(d, path, &err, rc);
    }
    data_end(d, &r, col, total, shown, ti.cls == H5RD_CLASS_REFERENCE);
}

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void dump_attr(struct dump *d, h5rd_attr *attr, h5rd_obj *obj, const char *label,
                      const char *objpath, int col)
{
    struct jbuf *b = &d->out;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    const h5rd_type *type = h5rd_attr_get_type(attr);
    struct h5rd_space sp;
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_attr_get_space(attr, &sp, &err);
    if (rc == H5RD_OK) {
        rc = h5rd_type_get_info(type, &ti, &err);
    }
    char where[1024];
    snprintf(where, sizeof where, "%s@%s", objpath, h5rd_attr_get_name(attr));
    indent(b, col);
    jb_puts(b, "ATTRIBUTE ");
    put_quoted(b, label);
    jb_puts(b, " {\n");
    if (rc == H5RD_OK) {
        indent(b, col + 3);
        jb_puts(b, "DATATYPE  ");
        rc = put_type(b, type, col + 3, 0, &err);
        jb_putc(b, '\n');
    }
    if (rc == H5RD_OK) {
        indent(b, col + 3);
        jb_puts(b, "DATASPACE  ");
        put_space(b, &sp);
        jb_putc(b, '\n');
    }
    if (rc == H5RD_OK && !d->header_only) {
        uint64_t nbytes = 0;
        rc = h5rd_attr_get_nbytes(attr, &nbytes, &err);
        if (rc == H5RD_OK && nbytes > DUMP_MAX_ELEM_NBYTES) {
            rc = cli_set_error(&err, H5RD_E_LIMIT, "dump: attribute too large to print");
        }
        unsigned char *buf = NULL;
        if (rc == H5RD_OK) {
            buf = malloc(nbytes ? (size_t)nbytes : 1);
            if (!buf) {
                rc = cli_set_error(&err, H5RD_E_NOMEM, "dump: out of memory");
            }
        }
        if (rc == H5RD_OK) {
            rc = h5rd_attr_read(attr, buf, (size_t)nbytes, &err);
        }
        if (rc == H5RD_OK) {
            indent(b, col + 3);
            jb_puts(b, "DATA {\n");
            struct render r;
            render_init(&r, b, col + 3, &sp);
            uint64_t total = space_nelems(&sp);
            if (ti.size == 0 || total > nbytes / ti.size) {
                total = ti.size ? nbytes / ti.size : 0;
            }
            uint64_t shown = head_count(d, total, ti.size);
            struct elemctx ec = {h5rd_obj_get_file(obj), 0};
            rc = render_elems(d, &r, &ec, type, &ti, buf, ti.size, 0, shown, shown, &err);
            if (rc != H5RD_OK && r.cur_column) {
                jb_putc(b, '\n');
                r.cur_column = 0;
            }
            data_end(d, &r, col + 3, total, shown, ti.cls == H5RD_CLASS_REFERENCE);
        }
        free(buf);
    }
    if (rc != H5RD_OK) {
        report(d, where, &err, rc);
    }
    indent(b, col);
    jb_puts(b, "}\n");
    flush(d);
}

static int cmp_names(const void *a, const void *b)
{
    const char *const *x = a;
    const char *const *y = b;
    return strcmp(*x, *y);
}

/* The attributes of 'obj', sorted by name as h5dump lists them. */
static void dump_attrs(struct dump *d, h5rd_obj *obj, const char *path, int col)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t n = 0;
    h5rd_err rc = h5rd_obj_get_nattrs(obj, &n, &err);
    if (rc != H5RD_OK) {
        report(d, path, &err, rc);
        return;
    }
    if (n == 0) {
        return;
    }
    h5rd_attr **attrs = calloc((size_t)n, sizeof *attrs);
    if (!attrs || n > SIZE_MAX / sizeof *attrs) {
        free(attrs);
        report(d, path, &err, cli_set_error(&err, H5RD_E_NOMEM, "dump: out of memory"));
        return;
    }
    /* Sort (name, handle) pairs: the name is the first field of what we sort. */
    struct named {
        const char *name;
        h5rd_attr *attr;
    } *v = calloc((size_t)n, sizeof *v);
    size_t nv = 0;
    for (uint64_t i = 0; v && i < n; i++) {
        memset(&err, 0, sizeof err);
        rc = h5rd_attr_open_idx(obj, i, &attrs[i], &err);
        if (rc != H5RD_OK) {
            report(d, path, &err, rc);
            attrs[i] = NULL;
            continue;
        }
        v[nv].name = h5rd_attr_get_name(attrs[i]);
        v[nv].attr = attrs[i];
        nv++;
    }
    if (v) {
        qsort(v, nv, sizeof *v, cmp_names);
        for (size_t i = 0; i < nv; i++) {
            dump_attr(d, v[i].attr, obj, v[i].name, path, col);
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        h5rd_attr_close(attrs[i]);
    }
    free(v);
    free(attrs);
}

static void dump_group_members(struct dump *d, h5rd_obj *group, const char *path, int col,
                               int depth);

/* An object under the label h5dump gives it ("name" inside a group, the full path at the
 * top). */
static void dump_object(struct dump *d, h5rd_obj *obj, const char *label, const char *path,
                        int col, int depth)
{
    struct jbuf *b = &d->out;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    const char *word = kind == H5RD_OBJ_GROUP ? "GROUP" : kind == H5RD_OBJ_DATASET ? "DATASET"
                                                                                   : "DATATYPE";
    uint64_t addr = h5rd_obj_get_addr(obj);
    const char *prev = seen_find(d, addr);
    indent(b, col);
    jb_printf(b, "%s ", word);
    put_quoted(b, label);
    if (prev) {
        jb_puts(b, " {\n");
        indent(b, col + 3);
        jb_puts(b, "HARDLINK ");
        put_quoted(b, prev);
        jb_putc(b, '\n');
        indent(b, col);
        jb_puts(b, "}\n");
        flush(d);
        return;
    }
    seen_add(d, addr, path);
    if (kind == H5RD_OBJ_DATATYPE) {
        /* h5dump: DATATYPE "name" TYPE, its lines indented one level. */
        const h5rd_type *type;
        h5rd_err rc = h5rd_obj_get_type(obj, &type, &err);
        jb_putc(b, ' ');
        if (rc == H5RD_OK) {
            rc = put_type(b, type, col, 0, &err);
        }
        /* h5dump ends a committed type with ';', except a compound (its bare '}'). */
        struct h5rd_type_info cti;
        int cmpd = rc == H5RD_OK && h5rd_type_get_info(type, &cti, NULL) == H5RD_OK &&
                   cti.cls == H5RD_CLASS_COMPOUND;
        jb_puts(b, cmpd ? "\n" : ";\n");
        if (rc != H5RD_OK) {
            report(d, path, &err, rc);
        }
        dump_attrs(d, obj, path, col + 3);
        flush(d);
        return;
    }
    jb_puts(b, " {\n");
    if (kind == H5RD_OBJ_GROUP) {
        dump_attrs(d, obj, path, col + 3);
        if (depth > DUMP_MAX_DEPTH) {
            report(d, path, &err,
                   cli_set_error(&err, H5RD_E_LIMIT, "dump: groups nested too deeply"));
        } else {
            dump_group_members(d, obj, path, col + 3, depth + 1);
        }
    } else {
        const h5rd_type *type = NULL;
        struct h5rd_space sp;
        h5rd_err rc = h5rd_obj_get_type(obj, &type, &err);
        if (rc == H5RD_OK) {
            rc = h5rd_dataset_get_space(obj, &sp, &err);
        }
        if (rc == H5RD_OK) {
            indent(b, col + 3);
            jb_puts(b, "DATATYPE  ");
            rc = put_type(b, type, col + 3, 0, &err);
            jb_putc(b, '\n');
        }
        if (rc == H5RD_OK) {
            indent(b, col + 3);
            jb_puts(b, "DATASPACE  ");
            put_space(b, &sp);
            jb_putc(b, '\n');
            if (!d->header_only) {
                dataset_data(d, obj, path, type, &sp, col + 3);
            }
        } else {
            report(d, path, &err, rc);
        }
        flush(d);
        dump_attrs(d, obj, path, col + 3);
    }
    indent(b, col);
    jb_puts(b, "}\n");
    flush(d);
}

struct link_ref {
    const char *name;
    uint64_t idx;
};

static void dump_link(struct dump *d, h5rd_obj *group, uint64_t idx, const struct h5rd_link *lk,
                      const char *path, int col, int depth)
{
    struct jbuf *b = &d->out;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    if (lk->type == H5RD_LINK_SOFT) {
        indent(b, col);
        jb_puts(b, "SOFTLINK ");
        put_quoted(b, lk->name);
        jb_puts(b, " {\n");
        indent(b, col + 3);
        jb_puts(b, "LINKTARGET ");
        put_quoted(b, lk->soft_target ? lk->soft_target : "");
        jb_putc(b, '\n');
        indent(b, col);
        jb_puts(b, "}\n");
        flush(d);
        return;
    }
    if (lk->type == H5RD_LINK_EXTERNAL) {
        const char *tpath = lk->ext_path ? lk->ext_path : "";
        indent(b, col);
        jb_puts(b, "EXTERNAL_LINK ");
        put_quoted(b, lk->name);
        jb_puts(b, " {\n");
        indent(b, col + 3);
        jb_puts(b, "TARGETFILE ");
        put_quoted(b, lk->ext_file ? lk->ext_file : "");
        jb_putc(b, '\n');
        indent(b, col + 3);
        jb_puts(b, "TARGETPATH ");
        put_quoted(b, tpath);
        jb_putc(b, '\n');
        flush(d);
        /* h5dump follows the link and dumps the target (objects of that file are "seen" per
         * file: HARDLINK paths there are that file's); a target that cannot be opened is just
         * not shown, as there. */
        h5rd_obj *obj = NULL;
        if (depth <= DUMP_MAX_DEPTH && h5rd_group_open_link(group, idx, &obj, &err) == H5RD_OK) {
            const char *saved = d->cur_file;
            d->cur_file = lk->ext_file ? lk->ext_file : "?";
            dump_object(d, obj, tpath, tpath, col + 6, depth + 1);
            d->cur_file = saved;
            h5rd_obj_close(obj);
        }
        indent(b, col);
        jb_puts(b, "}\n");
        flush(d);
        return;
    }
    if (lk->type != H5RD_LINK_HARD) {
        indent(b, col);
        jb_puts(b, "USERDEFINED_LINK ");
        put_quoted(b, lk->name);
        jb_puts(b, " {\n");
        indent(b, col + 3);
        jb_printf(b, "USERDEFINED_LINK_TYPE %d\n", (int)lk->type);
        indent(b, col);
        jb_puts(b, "}\n");
        flush(d);
        return;
    }
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_group_open_link(group, idx, &obj, &err);
    if (rc != H5RD_OK) {
        report(d, path, &err, rc);
        return;
    }
    dump_object(d, obj, lk->name, path, col, depth);
    h5rd_obj_close(obj);
}

static int cmp_links(const void *a, const void *b)
{
    const struct link_ref *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static void dump_group_members(struct dump *d, h5rd_obj *group, const char *path, int col,
                               int depth)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t n = 0;
    h5rd_err rc = h5rd_group_get_nlinks(group, &n, &err);
    if (rc != H5RD_OK) {
        report(d, path, &err, rc);
        return;
    }
    if (n == 0) {
        return;
    }
    struct link_ref *v = n <= SIZE_MAX / sizeof *v ? calloc((size_t)n, sizeof *v) : NULL;
    if (!v) {
        report(d, path, &err, cli_set_error(&err, H5RD_E_NOMEM, "dump: out of memory"));
        return;
    }
    size_t nv = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link lk;
        memset(&err, 0, sizeof err);
        rc = h5rd_group_get_link(group, i, &lk, &err);
        if (rc != H5RD_OK) {
            report(d, path, &err, rc);
            if (rc == H5RD_E_NOMEM || rc == H5RD_E_LIMIT) {
                break;
            }
            continue;
        }
        v[nv].name = lk.name ? lk.name : "";
        v[nv].idx = i;
        nv++;
    }
    /* h5dump lists links by name (H5_INDEX_NAME), whatever order the group keeps. */
    qsort(v, nv, sizeof *v, cmp_links);
    for (size_t i = 0; i < nv; i++) {
        struct h5rd_link lk;
        memset(&err, 0, sizeof err);
        rc = h5rd_group_get_link(group, v[i].idx, &lk, &err);
        if (rc != H5RD_OK) {
            report(d, path, &err, rc);
            continue;
        }
        char *child = cli_join_path(path, lk.name ? lk.name : "");
        if (!child) {
            report(d, path, &err, cli_set_error(&err, H5RD_E_NOMEM, "dump: out of memory"));
            break;
        }
        dump_link(d, group, v[i].idx, &lk, child, col, depth);
        free(child);
    }
    free(v);
}

/* PATH that names no object: OBJECT/ATTRIBUTE, dumped as h5dump -a does. */
static int dump_attr_path(struct dump *d, h5rd_file *file, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || !slash[1]) {
        return -1;
    }
    size_t dl = (size_t)(slash - path);
    char *dir = malloc(dl + 2);
    if (!dir) {
        return -1;
    }
    memcpy(dir, path, dl);
    if (dl == 0) {
        dir[dl++] = '/';
    }
    dir[dl] = '\0';
    h5rd_obj *obj = NULL;
    h5rd_attr *attr = NULL;
    int ok = h5rd_obj_open(file, dir, &obj, NULL) == H5RD_OK &&
             h5rd_attr_open(obj, slash + 1, &attr, NULL) == H5RD_OK;
    if (ok) {
        dump_attr(d, attr, obj, slash + 1, dir, 0);
    }
    h5rd_attr_close(attr);
    h5rd_obj_close(obj);
    free(dir);
    return ok ? 0 : -1;
}

int cmd_dump(int argc, char **argv)
{
    struct dump d;
    memset(&d, 0, sizeof d);
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && (strcmp(a, "--all") == 0 || strcmp(a, "-a") == 0)) {
            d.all = 1;
        } else if (!opts_done && (strcmp(a, "--header") == 0 || strcmp(a, "-A") == 0 ||
                                  strcmp(a, "-H") == 0)) {
            d.header_only = 1;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("dump", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("dump", "too many arguments:", a);
        }
    }
    if (npos < 1) {
        return cli_usage_error("dump", "missing FILE", NULL);
    }
    d.filename = pos[0];
    d.cur_file = "";
    const char *start = pos[1] ? pos[1] : "/";
    h5rd_file *file = NULL;
    if (cli_open(d.filename, &file) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    jb_init(&d.out);
    jb_puts(&d.out, "HDF5 ");
    put_quoted(&d.out, d.filename);
    jb_puts(&d.out, " {\n");

    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_obj_open(file, start, &obj, &err);
    if (rc == H5RD_OK) {
        dump_object(&d, obj, start, start, 0, 0);
        h5rd_obj_close(obj);
    } else if (rc != H5RD_E_NOT_FOUND || dump_attr_path(&d, file, start) != 0) {
        report(&d, start, &err, rc);
    }
    jb_puts(&d.out, "}\n");
    flush(&d);
    jb_free(&d.out);
    seen_clear(&d);
    free(d.seen);
    h5rd_file_close(file);
    return d.failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
