/*
 * dtype_str.c - numpy type strings for HDF5 datatypes, exactly as the corpus oracle writes
 * them (the numpy dtype h5py maps each HDF5 type to):
 *
 *   integer            <i4 >u2 |i1      (by size; precision and bit offset do not show)
 *   bitfield           <u2              (h5py reads bitfields as unsigned integers)
 *   float              <f2 >f8 <f16     (by size)
 *   fixed string       |S9
 *   opaque             |V5; an opaque tagged "NUMPY:<dtype>" (h5py's datetime64) is <dtype>
 *   enum               its base integer; FALSE=0/TRUE=1 (h5py's bool, any size) is |b1
 *   compound           json.dumps(dtype.descr): [["a", "|i1"], ["", "|V7"], ["b", "<f8"]];
 *                      members "r", "i" of one float type (h5py's complex) are <c8 / <c16
 *   array              [["", "|V<total size>"]] (numpy's descr of a subarray dtype)
 *   vlen string        vlen-str
 *   vlen sequence      vlen-<base>
 *   reference          ref
 *   time               <i8 (h5py has no mapping; printed as the integer it stores)
 *
 * Inside a compound descr numpy also shows dtype metadata: ["|S6", {"h5py_encoding": "ascii"}]
 * for strings, ["<i4", {"enum": {"RED": 0, ...}}] for enums, and array members as
 * [name, base, [dims]] with nested arrays flattened into one shape. Gaps between members and
 * at the end become ["", "|V<n>"] as numpy's descr inserts them.
 *
 * Recursion follows the type's nesting, which the library bounds (limits.max_dtype_depth).
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static char order_char(const struct h5rd_type_info *ti)
{
    if (ti->size == 1 || ti->order == H5RD_ORDER_NONE) {
        return '|';
    }
    return ti->order == H5RD_ORDER_LE ? '<' : '>';
}

static int is_bool_enum(const h5rd_type *type, const struct h5rd_type_info *ti)
{
    if (ti->cls != H5RD_CLASS_ENUM || ti->nmembers != 2) {
        return 0;
    }
    const h5rd_type *base;
    struct h5rd_type_info bi;
    if (h5rd_type_get_super(type, &base, NULL) != H5RD_OK ||
        h5rd_type_get_info(base, &bi, NULL) != H5RD_OK || bi.cls != H5RD_CLASS_INTEGER) {
        return 0;
    }
    int seen_false = 0, seen_true = 0;
    for (uint32_t k = 0; k < 2; k++) {
        const char *name;
        const void *val;
        int64_t sv;
        uint64_t uv;
        if (h5rd_type_get_enum_member(type, k, &name, &val, NULL) != H5RD_OK) {
            return 0;
        }
        decode_int(&bi, val, &sv, &uv);
        if (strcmp(name, "FALSE") == 0 && uv == 0) {
            seen_false = 1;
        } else if (strcmp(name, "TRUE") == 0 && uv == 1) {
            seen_true = 1;
        }
    }
    return seen_false && seen_true;
}

/* The numpy float h5py picks for a float layout: the first of float16/32/64/longdouble (x87)
 * at least as large whose mantissa and exponent range hold it; 0 when none does. */
static uint64_t float_np_size(const struct h5rd_type_info *ti)
{
    static const struct {
        uint64_t size;
        uint32_t nmant;
        long long maxexp, minexp;
    } ftypes[] = {{2, 10, 16, -14}, {4, 23, 128, -126}, {8, 52, 1024, -1022},
                  {16, 64, 16384, -16382}};
    if (ti->exp_nbits >= 62 || ti->exp_bias > ((uint64_t)1 << 62)) {
        return 0;
    }
    long long top = ((long long)1 << ti->exp_nbits) - (long long)ti->exp_bias - 1;
    long long bottom = 1 - (long long)ti->exp_bias;
    for (size_t i = 0; i < sizeof ftypes / sizeof ftypes[0]; i++) {
        if (ftypes[i].size >= ti->size && ti->mant_nbits <= ftypes[i].nmant &&
            top <= ftypes[i].maxexp && bottom >= ftypes[i].minexp) {
            return ftypes[i].size;
        }
    }
    return 0;
}

int dtype_is_complex(const h5rd_type *type)
{
    struct h5rd_type_info ti;
    if (h5rd_type_get_info(type, &ti, NULL) != H5RD_OK || ti.cls != H5RD_CLASS_COMPOUND ||
        ti.nmembers != 2) {
        return 0;
    }
    struct h5rd_type_info mi[2];
    for (uint32_t k = 0; k < 2; k++) {
        const char *name;
        uint64_t off;
        const h5rd_type *mt;
        if (h5rd_type_get_member(type, k, &name, &off, &mt, NULL) != H5RD_OK ||
            h5rd_type_get_info(mt, &mi[k], NULL) != H5RD_OK) {
            return 0;
        }
        /* The value encoder reads both parts at their offsets: they must lie inside. */
        if (strcmp(name, k == 0 ? "r" : "i") != 0 || mi[k].cls != H5RD_CLASS_FLOAT ||
            off > ti.size || mi[k].size > ti.size - off) {
            return 0;
        }
    }
    uint64_t n0 = float_np_size(&mi[0]), n1 = float_np_size(&mi[1]);
    return n0 == n1 && order_char(&mi[0]) == order_char(&mi[1]) &&
           (n0 == 4 || n0 == 8 || n0 == 16);
}

/* numpy's itemsize of the dtype h5py maps 'type' to (vlen and references are objects). */
static uint64_t np_size(const h5rd_type *type, int depth)
{
    struct h5rd_type_info ti;
    if (depth > 64 || h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
        return 0;
    }
    const h5rd_type *base;
    uint64_t n;
    switch (ti.cls) {
    case H5RD_CLASS_FLOAT:
        n = float_np_size(&ti);
        return n ? n : ti.size;
    case H5RD_CLASS_COMPLEX:
        if (h5rd_type_get_super(type, &base, NULL) != H5RD_OK) {
            return 0;
        }
        n = np_size(base, depth + 1);
        return n ? 2 * n : ti.size;
    case H5RD_CLASS_VLEN:
    case H5RD_CLASS_REFERENCE:
        return 8;
    case H5RD_CLASS_ENUM:
        if (is_bool_enum(type, &ti)) {
            return 1;
        }
        return h5rd_type_get_super(type, &base, NULL) == H5RD_OK ? np_size(base, depth + 1) : 0;
    case H5RD_CLASS_COMPOUND:
        if (dtype_is_complex(type)) {
            const char *name;
            uint64_t off;
            struct h5rd_type_info mi;
            if (h5rd_type_get_member(type, 0, &name, &off, &base, NULL) == H5RD_OK &&
                h5rd_type_get_info(base, &mi, NULL) == H5RD_OK) {
                return 2 * float_np_size(&mi);
            }
        }
        return ti.size;
    case H5RD_CLASS_ARRAY:
        if (h5rd_type_get_super(type, &base, NULL) != H5RD_OK) {
            return 0;
        }
        n = np_size(base, depth + 1);
        for (uint32_t i = 0; i < ti.rank && i < H5RD_MAX_RANK; i++) {
            n = (ti.dims[i] && n > UINT64_MAX / ti.dims[i]) ? UINT64_MAX : n * ti.dims[i];
        }
        return n;
    default:
        return ti.size;
    }
}

static h5rd_err get_base(const h5rd_type *type, const h5rd_type **base,
                         struct h5rd_type_info *bi, struct h5rd_error *err)
{
    h5rd_err rc = h5rd_type_get_super(type, base, err);
    if (rc == H5RD_OK) {
        rc = h5rd_type_get_info(*base, bi, err);
    }
    return rc;
}

static h5rd_err descr_list(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err);

/* The element type of a compound member, as JSON (a quoted type string, a descr list, or a
 * [type, metadata] pair). Array members are handled by descr_field. */
static h5rd_err descr_type(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    const h5rd_type *base;
    struct h5rd_type_info bi;
    switch (ti.cls) {
    case H5RD_CLASS_COMPOUND:
        if (!dtype_is_complex(type)) {
            return descr_list(b, type, err);
        }
        break;
    case H5RD_CLASS_ENUM:
        if (is_bool_enum(type, &ti)) {
            break;
        }
        rc = get_base(type, &base, &bi, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "[\"");
        rc = dtype_str(b, base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "\", {\"enum\": {");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            const void *val;
            rc = h5rd_type_get_enum_member(type, k, &name, &val, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            if (k) {
                jb_puts(b, ", ");
            }
            json_cstr(b, name);
            jb_puts(b, ": ");
            int64_t sv;
            uint64_t uv;
            if (bi.cls == H5RD_CLASS_FLOAT) {
                json_double(b, decode_float(&bi, val));
            } else if (decode_int(&bi, val, &sv, &uv)) {
                json_i64(b, sv);
            } else {
                json_u64(b, uv);
            }
        }
        jb_puts(b, "}}]");
        return H5RD_OK;
    case H5RD_CLASS_STRING:
        jb_printf(b, "[\"|S%" PRIu64 "\", {\"h5py_encoding\": \"%s\"}]", ti.size,
                  ti.cset == 1 ? "utf-8" : "ascii");
        return H5RD_OK;
    case H5RD_CLASS_OPAQUE:
        if (ti.tag && strncmp(ti.tag, "NUMPY:", 6) == 0) {
            jb_putc(b, '[');
            json_cstr(b, ti.tag + 6);
            jb_puts(b, ", {\"h5py_opaque\": true}]");
            return H5RD_OK;
        }
        break;
    case H5RD_CLASS_VLEN:
        if (ti.vlen_is_string) {
            jb_printf(b, "[\"|O\", {\"vlen\": \"%s\"}]", ti.cset == 1 ? "str" : "bytes");
            return H5RD_OK;
        }
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "[\"|O\", {\"vlen\": ");
        rc = descr_type(b, base, err);
        jb_puts(b, "}]");
        return rc;
    case H5RD_CLASS_REFERENCE:
        jb_printf(b, "[\"|O\", {\"ref\": \"%s\"}]",
                  ti.ref_kind == 1 ? "region" : ti.ref_kind == 2 ? "revised" : "object");
        return H5RD_OK;
    case H5RD_CLASS_ARRAY:
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_putc(b, '[');
        rc = descr_type(b, base, err);
        jb_puts(b, ", [");
        for (uint32_t i = 0; i < ti.rank && i < H5RD_MAX_RANK; i++) {
            jb_printf(b, "%s%" PRIu64, i ? ", " : "", ti.dims[i]);
        }
        jb_puts(b, "]]");
        return rc;
    default:
        break;
    }
    /* Plain type string, quoted. */
    struct jbuf t;
    jb_init(&t);
    rc = dtype_str(&t, type, err);
    if (rc == H5RD_OK) {
        json_string(b, t.p ? t.p : "", t.len);
    }
    jb_free(&t);
    return rc;
}

/* One compound member: [name, type] or, for an array member, [name, base, [dims]] with
 * nested array types merged into one shape (as numpy merges subarrays of subarrays). */
static h5rd_err descr_field(struct jbuf *b, const char *name, const h5rd_type *type,
                            struct h5rd_error *err)
{
    jb_putc(b, '[');
    json_cstr(b, name);
    jb_puts(b, ", ");
    uint64_t dims[H5RD_MAX_RANK];
    uint32_t rank = 0;
    const h5rd_type *t = type;
    h5rd_err rc;
    for (;;) {
        struct h5rd_type_info ti;
        rc = h5rd_type_get_info(t, &ti, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        if (ti.cls != H5RD_CLASS_ARRAY) {
            break;
        }
        for (uint32_t i = 0; i < ti.rank && i < H5RD_MAX_RANK && rank < H5RD_MAX_RANK; i++) {
            dims[rank++] = ti.dims[i];
        }
        rc = h5rd_type_get_super(t, &t, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    rc = descr_type(b, t, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (t != type) {
        jb_puts(b, ", [");
        for (uint32_t i = 0; i < rank; i++) {
            jb_printf(b, "%s%" PRIu64, i ? ", " : "", dims[i]);
        }
        jb_putc(b, ']');
    }
    jb_putc(b, ']');
    return H5RD_OK;
}

/* numpy's descr of a structured dtype: members in order, gaps as ["", "|Vn"]. */
static h5rd_err descr_list(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    jb_putc(b, '[');
    uint64_t end = 0;
    int first = 1;
    for (uint32_t k = 0; k < ti.nmembers; k++) {
        const char *name;
        uint64_t off;
        const h5rd_type *mt;
        rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        if (off > end) {
            jb_printf(b, "%s[\"\", \"|V%" PRIu64 "\"]", first ? "" : ", ", off - end);
            first = 0;
        }
        if (!first) {
            jb_puts(b, ", ");
        }
        first = 0;
        rc = descr_field(b, name, mt, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        uint64_t msize = np_size(mt, 0);
        if (off + msize > end && off <= UINT64_MAX - msize) {
            end = off + msize;
        }
    }
    if (ti.size > end) {
        jb_printf(b, "%s[\"\", \"|V%" PRIu64 "\"]", first ? "" : ", ", ti.size - end);
    }
    jb_putc(b, ']');
    return H5RD_OK;
}

h5rd_err dtype_str(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    const h5rd_type *base;
    struct h5rd_type_info bi;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
        jb_printf(b, "%c%c%" PRIu64, order_char(&ti), ti.is_signed ? 'i' : 'u', ti.size);
        return H5RD_OK;
    case H5RD_CLASS_TIME:
        jb_printf(b, "%ci%" PRIu64, order_char(&ti), ti.size);
        return H5RD_OK;
    case H5RD_CLASS_BITFIELD:
        jb_printf(b, "%cu%" PRIu64, order_char(&ti), ti.size);
        return H5RD_OK;
    case H5RD_CLASS_FLOAT: {
        uint64_t n = float_np_size(&ti);
        jb_printf(b, "%cf%" PRIu64, order_char(&ti), n ? n : ti.size);
        return H5RD_OK;
    }
    case H5RD_CLASS_COMPLEX: {
        /* numpy's complex over the float its base maps to: <c8, <c16, <c32 (clongdouble). */
        rc = get_base(type, &base, &bi, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        uint64_t n = float_np_size(&bi);
        jb_printf(b, "%cc%" PRIu64, order_char(&bi), 2 * (n ? n : bi.size));
        return H5RD_OK;
    }
    case H5RD_CLASS_STRING:
        jb_printf(b, "|S%" PRIu64, ti.size);
        return H5RD_OK;
    case H5RD_CLASS_OPAQUE:
        if (ti.tag && strncmp(ti.tag, "NUMPY:", 6) == 0 && ti.tag[6]) {
            jb_puts(b, ti.tag + 6);
        } else {
            jb_printf(b, "|V%" PRIu64, ti.size);
        }
        return H5RD_OK;
    case H5RD_CLASS_ENUM:
        if (is_bool_enum(type, &ti)) {
            jb_puts(b, "|b1");
            return H5RD_OK;
        }
        rc = get_base(type, &base, &bi, err);
        return rc == H5RD_OK ? dtype_str(b, base, err) : rc;
    case H5RD_CLASS_COMPOUND:
        if (dtype_is_complex(type)) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            rc = h5rd_type_get_member(type, 0, &name, &off, &mt, err);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(mt, &bi, err);
            }
            if (rc == H5RD_OK) {
                jb_printf(b, "%cc%" PRIu64, order_char(&bi), 2 * float_np_size(&bi));
            }
            return rc;
        }
        return descr_list(b, type, err);
    case H5RD_CLASS_ARRAY:
        jb_printf(b, "[[\"\", \"|V%" PRIu64 "\"]]", np_size(type, 0));
        return H5RD_OK;
    case H5RD_CLASS_VLEN:
        if (ti.vlen_is_string) {
            jb_puts(b, "vlen-str");
            return H5RD_OK;
        }
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "vlen-");
        return dtype_str(b, base, err);
    case H5RD_CLASS_REFERENCE:
        jb_puts(b, "ref");
        return H5RD_OK;
    }
    return cli_set_error(err, H5RD_E_UNSUPPORTED, "datatype: unknown class");
}

/* ------------------------------------------------------------------------------------------ */
/* h5ls-like type text for the human-readable listings                                         */
/* ------------------------------------------------------------------------------------------ */

static const char *order_text(const struct h5rd_type_info *ti)
{
    switch (ti->order) {
    case H5RD_ORDER_LE:
        return "little-endian";
    case H5RD_ORDER_BE:
        return "big-endian";
    case H5RD_ORDER_VAX:
        return "mixed-endian";
    default:
        return "unknown-byte-order";
    }
}

static int host_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static int is_native_order(const struct h5rd_type_info *ti)
{
    return ti->size == 1 || ti->order == (host_le() ? H5RD_ORDER_LE : H5RD_ORDER_BE);
}

static void int_text(struct jbuf *b, const struct h5rd_type_info *ti)
{
    static const char *const signed_names[] = {"native signed char", "native short",
                                               "native int", "native long"};
    static const char *const unsigned_names[] = {"native unsigned char", "native unsigned short",
                                                 "native unsigned int", "native unsigned long"};
    int plain = ti->bit_offset == 0 && ti->precision == ti->size * 8;
    int idx = ti->size == 1 ? 0 : ti->size == 2 ? 1 : ti->size == 4 ? 2 : ti->size == 8 ? 3 : -1;
    if (plain && idx >= 0 && is_native_order(ti)) {
        jb_puts(b, ti->is_signed ? signed_names[idx] : unsigned_names[idx]);
        return;
    }
    jb_printf(b, "%" PRIu64 "-bit%s%s%s integer", ti->size * 8, ti->size > 1 ? " " : "",
              ti->size > 1 ? order_text(ti) : "", ti->is_signed ? "" : " unsigned");
    if (!plain) {
        jb_printf(b, " (%" PRIu32 " bits of precision beginning at bit %" PRIu32 ")",
                  ti->precision, ti->bit_offset);
    }
}

static void float_text(struct jbuf *b, const struct h5rd_type_info *ti)
{
    int ieee = ti->mant_norm == 2 && ti->sign_pos == ti->size * 8 - 1 && ti->mant_pos == 0 &&
               ti->exp_pos == ti->mant_nbits &&
               ((ti->size == 2 && ti->exp_nbits == 5 && ti->exp_bias == 15) ||
                (ti->size == 4 && ti->exp_nbits == 8 && ti->exp_bias == 127) ||
                (ti->size == 8 && ti->exp_nbits == 11 && ti->exp_bias == 1023));
    if (ieee && is_native_order(ti) && ti->size == 4) {
        jb_puts(b, "native float");
    } else if (ieee && is_native_order(ti) && ti->size == 8) {
        jb_puts(b, "native double");
    } else if (ieee) {
        jb_printf(b, "IEEE %" PRIu64 "-bit %s float", ti->size * 8, order_text(ti));
    } else if (ti->size == 16 && ti->exp_nbits == 15 && ti->mant_nbits == 64 &&
               ti->mant_norm == 1 && is_native_order(ti)) {
        jb_puts(b, "native long double");
    } else {
        jb_printf(b,
                  "%" PRIu64 "-bit %s floating-point (sign bit %" PRIu32 ", %" PRIu32
                  "-bit exponent at bit %" PRIu32 " bias %" PRIu64 ", %" PRIu32
                  "-bit mantissa at bit %" PRIu32 ")",
                  ti->size * 8, order_text(ti), ti->sign_pos, ti->exp_nbits, ti->exp_pos,
                  ti->exp_bias, ti->mant_nbits, ti->mant_pos);
    }
}

h5rd_err type_text(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err)
{
    static const char *const pads[] = {"null terminated", "null padded", "space padded"};
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    const h5rd_type *base;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
        int_text(b, &ti);
        return H5RD_OK;
    case H5RD_CLASS_FLOAT:
        float_text(b, &ti);
        return H5RD_OK;
    case H5RD_CLASS_COMPLEX:
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "complex of ");
        return type_text(b, base, err);
    case H5RD_CLASS_TIME:
        jb_printf(b, "%" PRIu64 "-bit %s time", ti.size * 8, order_text(&ti));
        return H5RD_OK;
    case H5RD_CLASS_BITFIELD:
        jb_printf(b, "%" PRIu64 "-bit %s bitfield", ti.size * 8, order_text(&ti));
        return H5RD_OK;
    case H5RD_CLASS_STRING:
        jb_printf(b, "String, length = %" PRIu64 ", padding = %s, cset = %s", ti.size,
                  ti.str_pad < 3 ? pads[ti.str_pad] : "unknown", ti.cset == 1 ? "UTF-8" : "ASCII");
        return H5RD_OK;
    case H5RD_CLASS_OPAQUE:
        jb_printf(b, "%" PRIu64 "-byte opaque type", ti.size);
        if (ti.tag && ti.tag[0]) {
            jb_puts(b, " (tag = ");
            json_cstr(b, ti.tag);
            jb_putc(b, ')');
        }
        return H5RD_OK;
    case H5RD_CLASS_COMPOUND:
        jb_puts(b, "struct {");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            jb_putc(b, ' ');
            json_cstr(b, name);
            jb_printf(b, " +%" PRIu64 " ", off);
            rc = type_text(b, mt, err);
            if (rc != H5RD_OK) {
                return rc;
            }
            jb_putc(b, ';');
        }
        jb_printf(b, " } %" PRIu64 " bytes", ti.size);
        return H5RD_OK;
    case H5RD_CLASS_REFERENCE:
        jb_puts(b, ti.ref_kind == 1   ? "dataset region reference"
                   : ti.ref_kind == 2 ? "reference" /* H5T_STD_REF: kind per element */
                                      : "object reference");
        return H5RD_OK;
    case H5RD_CLASS_ENUM:
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "enum ");
        rc = type_text(b, base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, " {");
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            const void *val;
            struct h5rd_type_info bi;
            rc = h5rd_type_get_enum_member(type, k, &name, &val, err);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(base, &bi, err);
            }
            if (rc != H5RD_OK) {
                return rc;
            }
            int64_t sv;
            uint64_t uv;
            jb_puts(b, k ? "; " : "");
            json_cstr(b, name);
            if (bi.cls == H5RD_CLASS_INTEGER && decode_int(&bi, val, &sv, &uv)) {
                jb_printf(b, " = %" PRId64, sv);
            } else if (bi.cls == H5RD_CLASS_INTEGER) {
                jb_printf(b, " = %" PRIu64, uv);
            }
        }
        jb_putc(b, '}');
        return H5RD_OK;
    case H5RD_CLASS_VLEN:
        if (ti.vlen_is_string) {
            jb_printf(b, "String, length = variable, padding = %s, cset = %s",
                      ti.str_pad < 3 ? pads[ti.str_pad] : "unknown",
                      ti.cset == 1 ? "UTF-8" : "ASCII");
            return H5RD_OK;
        }
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        jb_puts(b, "variable length of ");
        return type_text(b, base, err);
    case H5RD_CLASS_ARRAY:
        rc = h5rd_type_get_super(type, &base, err);
        if (rc != H5RD_OK) {
            return rc;
        }
        for (uint32_t i = 0; i < ti.rank && i < H5RD_MAX_RANK; i++) {
            jb_printf(b, "[%" PRIu64 "]", ti.dims[i]);
        }
        jb_putc(b, ' ');
        return type_text(b, base, err);
    }
    return cli_set_error(err, H5RD_E_UNSUPPORTED, "datatype: unknown class");
}
