/*
 * cmd_cat.c - `h5rd cat [--json] [--slice SPEC] [--threads N] [-f] FILE PATH`: a dataset's
 * values.
 *
 * Binary form (default): the selected elements on stdout in C order, in the file type's own
 * layout with every number little-endian - exactly the bytes whose sha256 the corpus oracle
 * records. That is h5rd_dataset_read with memtype NULL (H5RD_MEMTYPE_FILE: numbers native,
 * narrow integers and x87 padding normalised as libhdf5 converts them, compound members at
 * their file offsets, fixed strings and opaque data as stored) on a little-endian host; on a
 * big-endian host each number is byte-swapped here before it is written.
 * Where h5py's reading differs from the stored bytes the library already follows h5py (padding
 * of compounds h5py reads through a conversion zeroed; floats no numpy float of their size holds
 * widened: bfloat16 -> f4, x87 in 12 bytes -> 16-byte long double). One rule is the CLI's own:
 * a fixed string in a scalar dataspace is written without its trailing NULs (h5py returns it
 * as a Python bytes object, which drops them; an empty one is one NUL byte, as numpy stores
 * b""), while the library returns the whole element.
 * Variable-length and reference elements have no byte form: those types need --json (else
 * exit 2).
 *
 * --json: the values as JSON, encoded by json.c exactly like attribute values (nested arrays
 * by dimension; a scalar as a bare value; a null dataspace as null; arrays of compounds flat,
 * as the corpus oracle lists them).
 *
 * --slice takes numpy basic slices, one per dimension, comma-separated: `start:stop:step`
 * with numpy's defaults, negative indices counting from the end and clamping of
 * out-of-range bounds; a bare integer selects one index (out of range: exit 2). Missing
 * trailing entries select the whole dimension. A slice maps to a regular hyperslab
 * (count = ceil((stop - start) / step), block 1). A negative step is read as the
 * equivalent positive hyperslab and reversed along that dimension in memory. A bare integer
 * keeps its dimension in the binary output (the bytes are the same either way); in --json
 * output it drops the dimension, as numpy does.
 *
 * Memory stays bounded for any dataset size: the selection is read in slabs of at most
 * CAT_SLAB_NBYTES (whole rows of the outermost dimension that fits, an odometer over the
 * dimensions outside it), each slab written out before the next is read. With --json the
 * document is streamed slab by slab too, so a read error in the middle leaves partial
 * output (exit status 1, the reason on stderr).
 *
 * --threads N: decoding threads per read (default: the online CPUs).
 * Raw bytes are not written to a terminal (isatty(stdout)): exit 2 with a one-line hint unless
 * -f/--force; --json and redirected or piped output are unaffected.
 * The environment variable H5RD_CAT_SLAB_NBYTES overrides the slab size (tests use it to
 * exercise the slab odometer on small files).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"

/* Bytes read and written per slab. */
#define CAT_SLAB_NBYTES ((uint64_t)64 << 20)
/* With --json, whose text is several times larger than the data. */
#define CAT_JSON_SLAB_NBYTES ((uint64_t)4 << 20)
/* Largest single element we are willing to hold (a huge fixed string or array type). */
#define CAT_MAX_ELEM_NBYTES ((uint64_t)1 << 30)
/* Nesting followed when inspecting a type (the library bounds it much lower). */
#define CAT_MAX_TYPE_DEPTH 64

/* One dimension of the selection: the positive hyperslab read from the file, and whether
 * the output runs through it backwards (negative step). */
struct dimsel {
    uint64_t first;  /* file index of the hyperslab's first element */
    uint64_t stride; /* >= 1 */
    uint64_t count;  /* elements selected along this dimension */
    int reverse;     /* the output lists them from the last to the first */
    int bare;        /* selected by a bare integer (dropped from the JSON shape) */
};

struct cat {
    const char *filename;
    const char *path;
    h5rd_file *file;
    h5rd_file *file_of_dset; /* where its vlen data and references live (external links) */
    h5rd_obj *dset;
    const h5rd_type *type;
    struct h5rd_space space;
    uint32_t rank;     /* 0 for scalar */
    uint64_t esize;    /* bytes of one element */
    struct dimsel sel[H5RD_MAX_RANK];
    int json;
    int flat;          /* JSON: one flat list of structs (see json.h) */
    int wide;          /* a float h5py widens: esize-byte host floats (f4, f8, x87 in 16) */
    int scalar_str;    /* a fixed string in a scalar dataspace (binary output strips NULs) */
    uint32_t nthreads;
    /* JSON streaming state */
    uint32_t kept_rank;              /* dims in the JSON shape */
    uint64_t kept[H5RD_MAX_RANK];    /* their counts */
    uint64_t units_done;             /* units written so far */
    int flat_first;                  /* flat: no element written yet */
    struct jbuf out;
};

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* 1 when 'type' holds a variable-length or reference element anywhere (no byte form). */
static int type_needs_json(const h5rd_type *type, int depth)
{
    struct h5rd_type_info ti;
    if (depth > CAT_MAX_TYPE_DEPTH || h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
        return 0;
    }
    switch (ti.cls) {
    case H5RD_CLASS_VLEN:
    case H5RD_CLASS_REFERENCE:
        return 1;
    case H5RD_CLASS_COMPOUND:
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            if (h5rd_type_get_member(type, k, &name, &off, &mt, NULL) == H5RD_OK &&
                type_needs_json(mt, depth + 1)) {
                return 1;
            }
        }
        return 0;
    case H5RD_CLASS_ARRAY:
    case H5RD_CLASS_ENUM: {
        const h5rd_type *base;
        return h5rd_type_get_super(type, &base, NULL) == H5RD_OK &&
               type_needs_json(base, depth + 1);
    }
    default:
        return 0;
    }
}

/* As json.c lists values: an array chain ending in a (non-complex) compound is one flat list. */
static int leaf_is_struct(const h5rd_type *type)
{
    struct h5rd_type_info ti;
    for (int guard = 0; guard < CAT_MAX_TYPE_DEPTH; guard++) {
        if (h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
            return 0;
        }
        if (ti.cls != H5RD_CLASS_ARRAY) {
            return ti.cls == H5RD_CLASS_COMPOUND && !dtype_is_complex(type);
        }
        if (h5rd_type_get_super(type, &type, NULL) != H5RD_OK) {
            return 0;
        }
    }
    return 0;
}

static void reverse_bytes(unsigned char *p, uint64_t n)
{
    for (uint64_t i = 0; i < n / 2; i++) {
        unsigned char t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

/* Big-endian hosts only: native-order numbers of one element of 'type' at p made
 * little-endian, walking compound members and array elements; strings, opaque data and
 * everything else stay as they are. */
static void swap_to_le(const h5rd_type *type, unsigned char *p, int depth)
{
    struct h5rd_type_info ti;
    if (depth > CAT_MAX_TYPE_DEPTH || h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
        return;
    }
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_FLOAT:
    case H5RD_CLASS_TIME:
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_ENUM:
        for (uint64_t i = 0; i < ti.size / 2; i++) {
            unsigned char t = p[i];
            p[i] = p[ti.size - 1 - i];
            p[ti.size - 1 - i] = t;
        }
        return;
    case H5RD_CLASS_COMPOUND:
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            struct h5rd_type_info mi;
            if (h5rd_type_get_member(type, k, &name, &off, &mt, NULL) == H5RD_OK &&
                h5rd_type_get_info(mt, &mi, NULL) == H5RD_OK && off <= ti.size &&
                mi.size <= ti.size - off) {
                swap_to_le(mt, p + off, depth + 1);
            }
        }
        return;
    case H5RD_CLASS_ARRAY: {
        const h5rd_type *base;
        struct h5rd_type_info bi;
        if (h5rd_type_get_super(type, &base, NULL) != H5RD_OK ||
            h5rd_type_get_info(base, &bi, NULL) != H5RD_OK || bi.size == 0) {
            return;
        }
        for (uint64_t off = 0; bi.size <= ti.size - off; off += bi.size) {
            swap_to_le(base, p + off, depth + 1);
        }
        return;
    }
    default:
        return;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* A whole decimal integer (optional sign, surrounding blanks allowed) in s[0..n). */
static int parse_i64(const char *s, size_t n, int64_t *v)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    if (n == 0 || n > 24) {
        return -1;
    }
    char tmp[32];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long long x = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || end == tmp) {
        return -1;
    }
    *v = (int64_t)x;
    return 0;
}

/* 1 when s[0..n) is empty or blank (an omitted slice bound). */
static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') {
            return 0;
        }
    }
    return 1;
}

/* One slice entry s[0..n) against a dimension of 'dim' elements, with numpy's rules
 * (PySlice_AdjustIndices). Returns NULL or a usage message. */
static const char *parse_entry(const char *s, size_t n, uint64_t dim, struct dimsel *ds)
{
    if (dim > (uint64_t)INT64_MAX) {
        return "dimension too large to slice";
    }
    int64_t len = (int64_t)dim;
    const char *c1 = memchr(s, ':', n);
    if (!c1) {
        int64_t i;
        if (parse_i64(s, n, &i) != 0) {
            return "bad index in --slice:";
        }
        if (i < 0) {
            i += len;
        }
        if (i < 0 || i >= len) {
            return "index out of range in --slice:";
        }
        ds->first = (uint64_t)i;
        ds->stride = 1;
        ds->count = 1;
        ds->reverse = 0;
        ds->bare = 1;
        return NULL;
    }
    size_t n1 = (size_t)(c1 - s);
    const char *rest = c1 + 1;
    size_t nrest = n - n1 - 1;
    const char *c2 = memchr(rest, ':', nrest);
    size_t n2 = c2 ? (size_t)(c2 - rest) : nrest;
    const char *s3 = c2 ? c2 + 1 : NULL;
    size_t n3 = c2 ? nrest - n2 - 1 : 0;
    if (s3 && memchr(s3, ':', n3)) {
        return "too many ':' in --slice entry:";
    }
    int64_t start = 0, stop = 0, step = 1;
    int has_start = !is_blank(s, n1), has_stop = !is_blank(rest, n2);
    if (has_start && parse_i64(s, n1, &start) != 0) {
        return "bad start in --slice:";
    }
    if (has_stop && parse_i64(rest, n2, &stop) != 0) {
        return "bad stop in --slice:";
    }
    if (s3 && !is_blank(s3, n3) && parse_i64(s3, n3, &step) != 0) {
        return "bad step in --slice:";
    }
    if (step == 0) {
        return "slice step cannot be zero:";
    }
    if (step == INT64_MIN) {
        return "slice step out of range:";
    }
    uint64_t count;
    ds->bare = 0;
    if (step > 0) {
        if (!has_start) {
            start = 0;
        } else if (start < 0) {
            start = start + len < 0 ? 0 : start + len;
        } else if (start > len) {
            start = len;
        }
        if (!has_stop) {
            stop = len;
        } else if (stop < 0) {
            stop = stop + len < 0 ? 0 : stop + len;
        } else if (stop > len) {
            stop = len;
        }
        count = stop > start ? (uint64_t)(stop - start - 1) / (uint64_t)step + 1 : 0;
        ds->first = count ? (uint64_t)start : 0;
        ds->reverse = 0;
    } else {
        /* Negative step: 'stop' -1 stands for "before index 0". */
        if (!has_start) {
            start = len - 1;
        } else if (start < 0) {
            start = start + len < 0 ? -1 : start + len;
        } else if (start >= len) {
            start = len - 1;
        }
        if (!has_stop) {
            stop = -1;
        } else if (stop < 0) {
            stop = stop + len < 0 ? -1 : stop + len;
        } else if (stop >= len) {
            stop = len - 1;
        }
        uint64_t st = (uint64_t)(-step);
        count = start > stop ? (uint64_t)(start - stop - 1) / st + 1 : 0;
        /* The same elements in increasing order: start - (count-1)*st, ..., start. */
        ds->first = count ? (uint64_t)start - (count - 1) * st : 0;
        ds->reverse = count > 1;
        step = -step;
    }
    ds->count = count;
    ds->stride = count > 1 ? (uint64_t)step : 1;
    return NULL;
}

/* Fills c->sel from SPEC (NULL: everything). Returns NULL or a usage message (*bad: the
 * offending text). */
static const char *parse_slice(struct cat *c, const char *spec, char *bad, size_t badcap)
{
    for (uint32_t d = 0; d < c->rank; d++) {
        c->sel[d].first = 0;
        c->sel[d].stride = 1;
        c->sel[d].count = c->space.dims[d];
        c->sel[d].reverse = 0;
        c->sel[d].bare = 0;
    }
    if (!spec) {
        return NULL;
    }
    snprintf(bad, badcap, "%s", spec);
    if (c->rank == 0) {
        return "--slice needs a dataset with dimensions; this one is";
    }
    const char *p = spec;
    uint32_t d = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (d >= c->rank) {
            snprintf(bad, badcap, "%s (dataset rank %" PRIu32 ")", spec, c->rank);
            return "too many --slice entries:";
        }
        const char *msg = parse_entry(p, n, c->space.dims[d], &c->sel[d]);
        if (msg) {
            snprintf(bad, badcap, "%.*s (dimension %" PRIu32 " of size %" PRIu64 ")", (int)n, p,
                     d, c->space.dims[d]);
            return msg;
        }
        d++;
        if (!comma) {
            break;
        }
        p = comma + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Output                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Reverses a buffer of dims[0] x ... x dims[rank-1] elements of 'esize' bytes along dimension
 * 'axis' in place. */
static void reverse_axis(unsigned char *buf, const uint64_t *dims, uint32_t rank, uint32_t axis,
                         uint64_t esize)
{
    uint64_t outer = 1, inner = esize;
    for (uint32_t j = 0; j < axis; j++) {
        outer *= dims[j];
    }
    for (uint32_t j = axis + 1; j < rank; j++) {
        inner *= dims[j];
    }
    uint64_t n = dims[axis];
    for (uint64_t o = 0; o < outer; o++) {
        unsigned char *base = buf + o * n * inner;
        for (uint64_t i = 0; i < n / 2; i++) {
            unsigned char *a = base + i * inner, *b = base + (n - 1 - i) * inner;
            for (uint64_t k = 0; k < inner; k++) {
                unsigned char t = a[k];
                a[k] = b[k];
                b[k] = t;
            }
        }
    }
}

static int flush_out(struct cat *c)
{
    if (jb_flush_to(&c->out, stdout) != 0) {
        fprintf(stderr, "h5rd: %s: out of memory formatting JSON\n", c->path);
        return -1;
    }
    jb_reset(&c->out);
    return 0;
}

/* One float h5py widened (h5rd_dataset_get_elem_nbytes larger than the type): 4 or 8 bytes are
 * host floats, 16 an x87 80-bit extended value (little-endian bytes on x86 hosts, the only ones
 * whose long double numpy has in 16 bytes), decoded without relying on the C long double and
 * rounded to double as Python's float() does. */
double cli_wide_float(const unsigned char *p, uint64_t esize)
{
    if (esize == 4) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    if (esize == 8) {
        double d;
        memcpy(&d, p, 8);
        return d;
    }
    uint64_t mant = 0;
    for (int i = 7; i >= 0; i--) {
        mant = (mant << 8) | p[i];
    }
    unsigned se = (unsigned)p[8] | ((unsigned)p[9] << 8);
    int neg = (se >> 15) & 1;
    int e = (int)(se & 0x7fff);
    double v;
    if (e == 0x7fff) {
        v = (mant << 1) == 0 ? INFINITY : NAN;
    } else {
        v = ldexp((double)mant, (e == 0 ? 1 : e) - 16383 - 63);
    }
    return neg ? -v : v;
}

/* Nested JSON lists of widened floats for 'us' (from dimension 'd'); *at counts elements. */
static void json_wide(struct jbuf *b, const unsigned char *buf, uint64_t esize,
                      const struct h5rd_space *us, uint32_t d, uint64_t *at)
{
    if (d >= us->rank) {
        json_double(b, cli_wide_float(buf + (*at)++ * esize, esize));
        return;
    }
    jb_putc(b, '[');
    for (uint64_t i = 0; i < us->dims[d]; i++) {
        if (i > 0) {
            jb_puts(b, ", ");
        }
        json_wide(b, buf, esize, us, d + 1, at);
    }
    jb_putc(b, ']');
}

/* JSON of 'nunits' consecutive sub-arrays of shape kept[depth..] (unit_elems elements each)
 * that continue the document: brackets and separators come from each unit's position in
 * the kept shape (see the top comment). */
static h5rd_err json_units(struct cat *c, const unsigned char *buf, uint64_t nunits,
                           uint32_t depth, uint64_t unit_elems, struct h5rd_error *err)
{
    struct h5rd_space us;
    memset(&us, 0, sizeof us);
    us.kind = depth == c->kept_rank ? H5RD_SPACE_SCALAR : H5RD_SPACE_SIMPLE;
    us.rank = c->kept_rank - depth;
    for (uint32_t j = 0; j < us.rank; j++) {
        us.dims[j] = us.maxdims[j] = c->kept[depth + j];
    }
    uint64_t unit_nbytes = unit_elems * c->esize;
    for (uint64_t u = 0; u < nunits; u++) {
        uint64_t g = c->units_done++;
        /* Position of unit g in kept[0..depth): trailing zeros open brackets, trailing
         * last indexes close them. */
        uint64_t idx[H5RD_MAX_RANK];
        uint64_t rem = g;
        for (uint32_t j = depth; j-- > 0;) {
            idx[j] = rem % c->kept[j];
            rem /= c->kept[j];
        }
        uint32_t open = 0, close = 0;
        for (uint32_t j = depth; j-- > 0 && idx[j] == 0;) {
            open++;
        }
        for (uint32_t j = depth; j-- > 0 && idx[j] == c->kept[j] - 1;) {
            close++;
        }
        if (g > 0) {
            jb_puts(&c->out, ", ");
        }
        for (uint32_t k = 0; k < open; k++) {
            jb_putc(&c->out, '[');
        }
        h5rd_err rc = H5RD_OK;
        if (c->wide) {
            uint64_t at = 0;
            json_wide(&c->out, buf + u * unit_nbytes, c->esize, &us, 0, &at);
        } else {
            rc = json_data(&c->out, c->file_of_dset, c->type, &us, buf + u * unit_nbytes,
                           (size_t)unit_nbytes, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        for (uint32_t k = 0; k < close; k++) {
            jb_putc(&c->out, ']');
        }
    }
    return H5RD_OK;
}

/* Flat JSON (arrays of structs): the slab's elements continue one list. */
static h5rd_err json_flat(struct cat *c, const unsigned char *buf, uint64_t nelem,
                          struct h5rd_error *err)
{
    struct h5rd_space s;
    memset(&s, 0, sizeof s);
    s.kind = H5RD_SPACE_SIMPLE;
    s.rank = 1;
    s.dims[0] = s.maxdims[0] = nelem;
    struct jbuf one;
    jb_init(&one);
    one.normalized = 1;
    h5rd_err rc =
        json_data(&one, c->file_of_dset, c->type, &s, buf, (size_t)(nelem * c->esize), err);
    if (rc == H5RD_OK && one.oom) {
        rc = cli_set_error(err, H5RD_E_NOMEM, "json: out of memory");
    }
    /* json_data wrote "[items]": keep the items. */
    if (rc == H5RD_OK && one.len > 2) {
        if (!c->flat_first) {
            jb_puts(&c->out, ", ");
        }
        jb_write(&c->out, one.p + 1, one.len - 2);
        c->flat_first = 0;
    }
    jb_free(&one);
    return rc;
}

/* Reports a read failure (an unknown or unavailable filter is named by the library's
 * err->detail: id and stored name). */
static void report_read_error(struct cat *c, const struct h5rd_error *err)
{
    char reason[1024];
    cli_format_reason(err, reason, sizeof reason);
    const char *where = err->path[0] ? err->path : c->path;
    fprintf(stderr, "h5rd: %s: %s: %s\n", c->filename, where, reason);
}

/* Writes one slab (nelem elements of rows along split dimension d). */
static int emit_slab(struct cat *c, unsigned char *buf, uint64_t nelem, uint64_t nunits,
                     uint32_t unit_depth, uint64_t unit_elems)
{
    if (!c->json) {
        if (!host_is_le()) {
            for (uint64_t i = 0; i < nelem; i++) {
                if (c->wide) {
                    reverse_bytes(buf + i * c->esize, c->esize);
                } else {
                    swap_to_le(c->type, buf + i * c->esize, 0);
                }
            }
        }
        size_t n = (size_t)(nelem * c->esize);
        if (c->scalar_str && n > 0) {
            /* h5py returns a scalar fixed string as a Python bytes object, which drops the
             * trailing NULs; numpy then gives b"" one NUL byte (dtype S1): the bytes the corpus
             * oracle hashes. Arrays of strings keep every element's full size. */
            while (n > 1 && buf[n - 1] == 0) {
                n--;
            }
        }
        if (n && fwrite(buf, 1, n, stdout) != n) {
            return -1; /* main reports the write error */
        }
        return 0;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_err rc = c->flat ? json_flat(c, buf, nelem, &err)
                          : json_units(c, buf, nunits, unit_depth, unit_elems, &err);
    if (rc != H5RD_OK) {
        report_read_error(c, &err);
        return -1;
    }
    return flush_out(c);
}

/* Reads the selection slab by slab and writes it. Returns an exit status. */
static int cat_run(struct cat *c)
{
    uint32_t r = c->rank;
    uint64_t total = 1;
    for (uint32_t d = 0; d < r; d++) {
        uint64_t n = c->sel[d].count;
        if (n != 0 && total > UINT64_MAX / n) {
            fprintf(stderr, "h5rd: %s: %s: selection too large\n", c->filename, c->path);
            return CLI_EXIT_FAIL;
        }
        total *= n;
    }
    c->kept_rank = 0;
    for (uint32_t d = 0; d < r; d++) {
        if (!c->sel[d].bare) {
            c->kept[c->kept_rank++] = c->sel[d].count;
        }
    }
    c->flat = c->json && c->kept_rank > 0 && leaf_is_struct(c->type);
    c->flat_first = 1;
    c->units_done = 0;

    if (total == 0) {
        if (c->json) {
            /* An empty shape: nested empty lists (json_data never touches the buffer). */
            struct h5rd_space s;
            memset(&s, 0, sizeof s);
            s.kind = H5RD_SPACE_SIMPLE;
            s.rank = c->kept_rank;
            memcpy(s.dims, c->kept, sizeof c->kept);
            unsigned char dummy = 0;
            struct h5rd_error err;
            memset(&err, 0, sizeof err);
            if (c->flat) {
                jb_puts(&c->out, "[]");
            } else if (json_data(&c->out, c->file_of_dset, c->type, &s, &dummy, 0, &err) !=
                       H5RD_OK) {
                report_read_error(c, &err);
                return CLI_EXIT_FAIL;
            }
            jb_putc(&c->out, '\n');
            return flush_out(c) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
        }
        return CLI_EXIT_OK;
    }

    /* The split dimension d: the outermost whose rows (everything inside it) fit a slab;
     * the innermost dimension always qualifies (its rows are single elements). */
    uint64_t slab = c->json ? CAT_JSON_SLAB_NBYTES : CAT_SLAB_NBYTES;
    const char *env = getenv("H5RD_CAT_SLAB_NBYTES"); /* tests: force many small slabs */
    int64_t forced;
    if (env && parse_i64(env, strlen(env), &forced) == 0 && forced > 0) {
        slab = (uint64_t)forced;
    }
    uint32_t d = 0;
    uint64_t inner_elems = 1;
    if (r > 0) {
        d = r - 1;
        uint64_t inner = 1; /* elements of one row of dimension j (bounded by total) */
        for (uint32_t j = r; j-- > 0;) {
            if (j + 1 < r && inner > slab / c->esize) {
                break;
            }
            d = j;
            inner_elems = inner;
            inner *= c->sel[j].count;
        }
    }
    uint64_t row_nbytes = inner_elems * c->esize;
    uint64_t rows = 1;
    if (r > 0) {
        rows = slab / row_nbytes;
        if (rows == 0) {
            rows = 1; /* one element larger than a slab (at most CAT_MAX_ELEM_NBYTES) */
        }
        if (rows > c->sel[d].count) {
            rows = c->sel[d].count;
        }
    }
    uint64_t buf_nbytes = rows * row_nbytes;
    unsigned char *buf = malloc(buf_nbytes ? (size_t)buf_nbytes : 1);
    if (!buf) {
        fprintf(stderr, "h5rd: %s: %s: out of memory\n", c->filename, c->path);
        return CLI_EXIT_FAIL;
    }
    /* JSON units are rows of dimension d: their depth in the kept shape is the number of kept
     * dimensions up to and including d. */
    uint32_t unit_depth = 0;
    for (uint32_t j = 0; j < r && j <= d; j++) {
        unit_depth += !c->sel[j].bare;
    }

    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = c->nthreads;

    uint64_t o[H5RD_MAX_RANK]; /* output position of the odometer over dims < d, and d */
    memset(o, 0, sizeof o);
    uint64_t start[H5RD_MAX_RANK], stride[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    uint64_t bdims[H5RD_MAX_RANK];
    int status = CLI_EXIT_OK;
    if (c->flat) {
        jb_putc(&c->out, '[');
    }
    for (;;) {
        uint64_t k = r > 0 ? c->sel[d].count - o[d] : 1;
        if (k > rows) {
            k = rows;
        }
        for (uint32_t j = 0; j < r; j++) {
            const struct dimsel *s = &c->sel[j];
            stride[j] = s->stride;
            if (j < d) {
                uint64_t pos = s->reverse ? s->count - 1 - o[j] : o[j];
                start[j] = s->first + pos * s->stride;
                count[j] = 1;
            } else if (j == d) {
                uint64_t pos = s->reverse ? s->count - o[j] - k : o[j];
                start[j] = s->first + pos * s->stride;
                count[j] = k;
            } else {
                start[j] = s->first;
                count[j] = s->count;
            }
        }
        struct h5rd_selection hs;
        memset(&hs, 0, sizeof hs);
        hs.kind = r > 0 ? H5RD_SEL_HYPERSLAB : H5RD_SEL_ALL;
        hs.rank = r;
        hs.start = start;
        hs.stride = stride;
        hs.count = count;
        uint64_t nbytes = k * row_nbytes;
        struct h5rd_error err;
        memset(&err, 0, sizeof err);
        h5rd_err rc = h5rd_dataset_read(c->dset, r > 0 ? &hs : NULL, NULL, buf, (size_t)nbytes,
                                        &ro, &err);
        if (rc != H5RD_OK) {
            if (err.code == H5RD_OK) {
                err.code = rc;
                err.file_offset = H5RD_ADDR_UNDEF;
            }
            report_read_error(c, &err);
            status = CLI_EXIT_FAIL;
            break;
        }
        /* Negative steps: reverse the slab along those dimensions. */
        if (r > 0) {
            uint32_t br = r - d;
            bdims[0] = k;
            for (uint32_t j = 1; j < br; j++) {
                bdims[j] = c->sel[d + j].count;
            }
            for (uint32_t j = 0; j < br; j++) {
                if (c->sel[d + j].reverse && bdims[j] > 1) {
                    reverse_axis(buf, bdims, br, j, c->esize);
                }
            }
        }
        if (emit_slab(c, buf, k * inner_elems, k, unit_depth, inner_elems) != 0) {
            status = CLI_EXIT_FAIL;
            break;
        }
        /* Advance: rows along d, then the odometer over the dimensions outside d. */
        if (r == 0) {
            break;
        }
        o[d] += k;
        if (o[d] < c->sel[d].count) {
            continue;
        }
        o[d] = 0;
        int done = 1;
        for (uint32_t j = d; j-- > 0;) {
            if (++o[j] < c->sel[j].count) {
                done = 0;
                break;
            }
            o[j] = 0;
        }
        if (done) {
            break;
        }
    }
    if (status == CLI_EXIT_OK && c->json) {
        if (c->flat) {
            jb_putc(&c->out, ']');
        }
        jb_putc(&c->out, '\n');
        if (flush_out(c) != 0) {
            status = CLI_EXIT_FAIL;
        }
    }
    free(buf);
    return status;
}

static uint32_t default_threads(void)
{
#ifdef _SC_NPROCESSORS_ONLN
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 0) {
        return n > 1024 ? 1024u : (uint32_t)n;
    }
#endif
    return 1;
}

int cmd_cat(int argc, char **argv)
{
    struct cat c;
    memset(&c, 0, sizeof c);
    jb_init(&c.out);
    const char *slice = NULL;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    int64_t threads = -1;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            c.json = 1;
        } else if (!opts_done && (strcmp(a, "--force") == 0 || strcmp(a, "-f") == 0)) {
            force = 1;
        } else if (!opts_done && (strcmp(a, "--slice") == 0 || strncmp(a, "--slice=", 8) == 0)) {
            val = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val) {
                return cli_usage_error("cat", "--slice needs a value", NULL);
            }
            slice = val;
        } else if (!opts_done &&
                   (strcmp(a, "--threads") == 0 || strncmp(a, "--threads=", 10) == 0)) {
            val = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val || parse_i64(val, strlen(val), &threads) != 0 || threads < 1 ||
                threads > 4096) {
                return cli_usage_error("cat", "--threads needs a number from 1 to 4096:", val);
            }
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("cat", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("cat", "too many arguments:", a);
        }
    }
    if (npos < 2) {
        return cli_usage_error("cat", npos == 0 ? "missing FILE and PATH" : "missing PATH",
                               NULL);
    }
    if (!c.json && !force && isatty(STDOUT_FILENO)) {
        /* Raw bytes on a terminal are never what was meant (and can leave it in a strange
         * state): refuse, as zstd and gzip do, before any work. */
        fprintf(stderr, "h5rd cat: refusing to write raw bytes to a terminal; use --json, "
                        "`h5rd dump`, or redirect to a file or pipe (-f/--force to insist)\n");
        jb_free(&c.out);
        return CLI_EXIT_USAGE;
    }
    c.filename = pos[0];
    c.path = pos[1];
    c.nthreads = threads > 0 ? (uint32_t)threads : default_threads();

    if (cli_open(c.filename, &c.file) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    int status = CLI_EXIT_FAIL;
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_err rc = h5rd_obj_open(c.file, c.path, &c.dset, &err);
    if (rc == H5RD_OK && h5rd_obj_get_kind(c.dset) != H5RD_OBJ_DATASET) {
        rc = cli_set_error(&err, H5RD_E_TYPE, "cat: not a dataset");
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_space(c.dset, &c.space, &err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_obj_get_type(c.dset, &c.type, &err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_elem_nbytes(c.dset, NULL, &c.esize, &err);
    }
    if (rc == H5RD_OK && c.space.rank > H5RD_MAX_RANK) {
        rc = cli_set_error(&err, H5RD_E_CORRUPT, "dataspace: rank too large");
    }
    if (rc == H5RD_OK && (c.esize == 0 || c.esize > CAT_MAX_ELEM_NBYTES)) {
        rc = cli_set_error(&err, H5RD_E_LIMIT, "cat: element size zero or too large to print");
    }
    if (rc != H5RD_OK) {
        if (err.code == H5RD_OK) {
            err.code = rc;
            err.file_offset = H5RD_ADDR_UNDEF;
        }
        cli_report(c.filename, c.path, &err);
        goto out;
    }
    c.file_of_dset = h5rd_obj_get_file(c.dset);
    struct h5rd_type_info cti;
    if (h5rd_type_get_info(c.type, &cti, NULL) == H5RD_OK) {
        /* The library reads a float h5py widens at the widened size (its memtype NULL). */
        c.wide = cti.cls == H5RD_CLASS_FLOAT && c.esize != cti.size &&
                 (c.esize == 4 || c.esize == 8 || c.esize == 16);
        c.scalar_str = cti.cls == H5RD_CLASS_STRING && c.space.kind == H5RD_SPACE_SCALAR;
    }
    c.out.normalized = 1; /* the values come from h5rd_dataset_read, memtype NULL */
    c.rank = c.space.kind == H5RD_SPACE_SIMPLE ? c.space.rank : 0;
    if (!c.json && type_needs_json(c.type, 0)) {
        status = cli_usage_error("cat", "variable-length and reference data need --json:",
                                 c.path);
        goto out;
    }
    if (c.space.kind == H5RD_SPACE_NULL) {
        if (slice) {
            status = cli_usage_error("cat", "--slice on a dataset with a null dataspace:",
                                     c.path);
            goto out;
        }
        if (c.json) {
            fputs("null\n", stdout);
        }
        status = CLI_EXIT_OK;
        goto out;
    }
    char bad[512];
    const char *msg = parse_slice(&c, slice, bad, sizeof bad);
    if (msg) {
        status = cli_usage_error("cat", msg, bad);
        goto out;
    }
    status = cat_run(&c);
out:
    jb_free(&c.out);
    h5rd_obj_close(c.dset);
    h5rd_file_close(c.file);
    return status;
}
