/*
 * json.c - JSON output of the h5rd CLI: text buffer, primitives and the value encoder.
 *
 * The output is meant to compare equal, value for value, with the corpus oracle, which is
 * Python's json.dumps of what h5py reads: strings escaped with ensure_ascii, floats printed
 * as repr() prints them (the shortest digits that read back as the same double), integers
 * exact over all 64 bits. Where the oracle writes NaN as the string "NaN", we write the bare
 * token NaN (as json.dumps does by default); compare with that in mind.
 *
 * Element values come from h5rd_attr_read (or a dataset read): the file layout with every
 * number in native byte order. Integers and floats are decoded from the type's bit layout
 * (h5rd_type_info offset/precision and sign/exponent/mantissa fields) rather than assumed
 * to be native C types, so 12-bit integers, half floats, x87 long doubles and other layouts
 * convert as libhdf5 converts them to native types.
 *
 * Invariants: every element access stays inside the caller's buffer (sizes checked against
 * nbytes before any element is visited); recursion follows the type's nesting, which the
 * library bounds by limits.max_dtype_depth, and the dataspace rank (<= H5RD_MAX_RANK).
 */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Largest single allocation made while decoding a value (a vlen sequence or string). */
#define JSON_MAX_ALLOC ((uint64_t)1 << 30)

/* ------------------------------------------------------------------------------------------ */
/* Text buffer                                                                                 */
/* ------------------------------------------------------------------------------------------ */

void jb_init(struct jbuf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->oom = 0;
    b->normalized = 0;
}

void jb_free(struct jbuf *b)
{
    free(b->p);
    jb_init(b);
}

void jb_reset(struct jbuf *b)
{
    b->len = 0;
    b->oom = 0;
}

static int jb_reserve(struct jbuf *b, size_t extra)
{
    if (b->oom) {
        return -1;
    }
    if (extra <= b->cap - b->len) {
        return 0;
    }
    size_t need = b->len + extra;
    if (need < b->len) {
        b->oom = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* jb_write and jb_putc's path when the block must grow (json.h has the common case). */
void jb_write_grow(struct jbuf *b, const void *s, size_t n)
{
    if (n == 0 || jb_reserve(b, n) != 0) {
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void jb_puts(struct jbuf *b, const char *s)
{
    jb_write(b, s, strlen(s));
}

void jb_printf(struct jbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof small) {
        jb_write(b, small, (size_t)n);
        return;
    }
    if (jb_reserve(b, (size_t)n + 1) != 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int jb_flush_to(struct jbuf *b, FILE *fp)
{
    if (b->oom) {
        return -1;
    }
    if (b->len) {
        fwrite(b->p, 1, b->len, fp);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Primitives                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence starting at s[i] (strict, as Python decodes: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0) {
            lo = 0xA0;
        } else if (c == 0xED) {
            hi = 0x9F;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (len > n - i) {
        return 0;
    }
    for (size_t k = 1; k < len; k++) {
        unsigned cc = s[i + k];
        if (k == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xBF)) {
            return 0;
        }
        v = (v << 6) | (cc & 0x3F);
    }
    *cp = v;
    return len;
}

static void put_escaped_cp(struct jbuf *b, uint32_t cp)
{
    switch (cp) {
    case '"':
        jb_puts(b, "\\\"");
        return;
    case '\\':
        jb_puts(b, "\\\\");
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
    case '\b':
        jb_puts(b, "\\b");
        return;
    case '\f':
        jb_puts(b, "\\f");
        return;
    default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
        jb_putc(b, (char)cp);
    } else if (cp < 0x10000) {
        jb_printf(b, "\\u%04" PRIx32, cp);
    } else {
        uint32_t v = cp - 0x10000;
        jb_printf(b, "\\u%04" PRIx32 "\\u%04" PRIx32, 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    }
}

void json_string(struct jbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    int valid = 1;
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u, n, i, &cp);
        if (k == 0) {
            valid = 0;
            break;
        }
        i += k;
    }
    jb_putc(b, '"');
    for (size_t i = 0; i < n;) {
        if (valid) {
            i += utf8_seq(u, n, i, &cp);
        } else {
            cp = u[i++];
        }
        put_escaped_cp(b, cp);
    }
    jb_putc(b, '"');
}

void json_cstr(struct jbuf *b, const char *s)
{
    json_string(b, s, strlen(s));
}

void json_u64(struct jbuf *b, uint64_t v)
{
    jb_printf(b, "%" PRIu64, v);
}

void json_i64(struct jbuf *b, int64_t v)
{
    jb_printf(b, "%" PRId64, v);
}

void repr_double(double v, int add_dot0, char *buf, size_t cap)
{
    repr_float(v, add_dot0, 0, buf, cap);
}

/* 'sci' is "[-]d.ddde[+-]xx" that does not round-trip to 'v': replaces it with the string one
 * unit higher or lower in the last digit when that one does (keeping the digit count), and
 * returns 1; else leaves it and returns 0. */
static int try_neighbours(char *sci, double v, int single)
{
    char *e = strchr(sci, 'e');
    if (e == NULL) {
        return 0;
    }
    for (int dir = -1; dir <= 1; dir += 2) {
        char cand[48];
        snprintf(cand, sizeof cand, "%s", sci);
        char *last = cand + (e - sci) - 1;
        char *p = last;
        /* add dir to the digit string, propagating carries; give up if the length changes */
        int ok = 0;
        while (p >= cand && *p != '-') {
            if (*p == '.') {
                p--;
                continue;
            }
            if (dir > 0 && *p < '9') {
                (*p)++;
                ok = 1;
                break;
            }
            if (dir < 0 && *p > '0') {
                (*p)--;
                ok = 1;
                break;
            }
            *p = dir > 0 ? '0' : '9';
            p--;
        }
        const char *first = cand[0] == '-' ? cand + 1 : cand;
        if (!ok || *first == '0') {
            continue;
        }
        double back = strtod(cand, NULL);
        if (single ? (float)back == (float)v : back == v) {
            memcpy(sci, cand, strlen(cand) + 1);
            return 1;
        }
    }
    return 0;
}

void repr_float(double v, int add_dot0, int single, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v < 0 ? "-inf" : "inf");
        return;
    }
    /* Shortest digit string that round-trips, as Python's repr. At a given length the
     * correctly rounded string may not round-trip while a neighbour one unit away in the last
     * digit does (2^182 is 6.129982163463556e+54, not %.16g's ...555): try those too. */
    char sci[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, v);
        double back = strtod(sci, NULL);
        if (single ? (float)back == (float)v : back == v) {
            break;
        }
        if (prec >= 2 && prec < 17 && try_neighbours(sci, v, single)) {
            break;
        }
    }
    /* sci is [-]d[.ddd]e(+|-)xx: split into sign, digits and decimal exponent. */
    const char *q = sci;
    int neg = 0;
    if (*q == '-') {
        neg = 1;
        q++;
    }
    char digits[24];
    size_t nd = 0;
    while (*q && *q != 'e' && nd < sizeof digits - 1) {
        if (*q != '.') {
            digits[nd++] = *q;
        }
        q++;
    }
    while (nd > 1 && digits[nd - 1] == '0') {
        nd--;
    }
    digits[nd] = '\0';
    long exp10 = (*q == 'e') ? strtol(q + 1, NULL, 10) : 0;
    long decpt = exp10 + 1; /* value = 0.digits x 10^decpt */

    char out[64];
    size_t o = 0;
    if (neg) {
        out[o++] = '-';
    }
    if (decpt > 16 || decpt < -3) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "e%c%02ld", exp10 < 0 ? '-' : '+',
                              exp10 < 0 ? -exp10 : exp10);
    } else if (decpt <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long k = 0; k < -decpt; k++) {
            out[o++] = '0';
        }
        memcpy(out + o, digits, nd);
        o += nd;
    } else if ((size_t)decpt >= nd) {
        memcpy(out + o, digits, nd);
        o += nd;
        for (size_t k = nd; k < (size_t)decpt; k++) {
            out[o++] = '0';
        }
        if (add_dot0) {
            out[o++] = '.';
            out[o++] = '0';
        }
    } else {
        memcpy(out + o, digits, (size_t)decpt);
        o += (size_t)decpt;
        out[o++] = '.';
        memcpy(out + o, digits + decpt, nd - (size_t)decpt);
        o += nd - (size_t)decpt;
    }
    out[o] = '\0';
    snprintf(buf, cap, "%s", out);
}

void json_double(struct jbuf *b, double v)
{
    if (isnan(v)) {
        jb_puts(b, "NaN");
    } else if (isinf(v)) {
        jb_puts(b, v < 0 ? "-Infinity" : "Infinity");
    } else {
        char t[64];
        repr_double(v, 1, t, sizeof t);
        jb_puts(b, t);
    }
}

void json_shape(struct jbuf *b, const struct h5rd_space *space, int max)
{
    if (space->kind == H5RD_SPACE_NULL) {
        jb_puts(b, "null");
        return;
    }
    jb_putc(b, '[');
    for (uint32_t i = 0; i < space->rank && i < H5RD_MAX_RANK; i++) {
        if (i) {
            jb_puts(b, ", ");
        }
        uint64_t d = max ? space->maxdims[i] : space->dims[i];
        if (max && d == H5RD_UNLIMITED) {
            jb_puts(b, "null");
        } else {
            json_u64(b, d);
        }
    }
    jb_putc(b, ']');
}

/* ------------------------------------------------------------------------------------------ */
/* Numbers from a type's bit layout                                                            */
/* ------------------------------------------------------------------------------------------ */

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/* Bits [pos, pos+n) (n <= 64) of a native-order number of 'size' bytes; bit k is the k-th
 * least significant bit. Bits past the end read as zero. */
static uint64_t get_bits(const unsigned char *p, uint64_t size, uint64_t pos, unsigned n)
{
    int le = host_is_le();
    uint64_t v = 0;
    for (unsigned k = 0; k < n; k++) {
        uint64_t bit = pos + k;
        uint64_t byte = bit / 8;
        if (byte >= size) {
            break;
        }
        unsigned char c = p[le ? byte : size - 1 - byte];
        if ((c >> (bit % 8)) & 1u) {
            v |= (uint64_t)1 << k;
        }
    }
    return v;
}

int decode_int(const struct h5rd_type_info *ti, const unsigned char *p, int64_t *sv,
               uint64_t *uv)
{
    uint64_t nbits = ti->size * 8;
    uint64_t off = ti->bit_offset;
    uint64_t prec = ti->precision ? ti->precision : nbits;
    if (off > nbits) {
        off = nbits;
    }
    if (prec > nbits - off) {
        prec = nbits - off;
    }
    unsigned n = prec > 64 ? 64 : (unsigned)prec;
    uint64_t v = get_bits(p, ti->size, off, n);
    int is_signed = (ti->cls == H5RD_CLASS_INTEGER || ti->cls == H5RD_CLASS_TIME) &&
                    ti->is_signed;
    if (is_signed && n > 0 && n < 64 && ((v >> (n - 1)) & 1u)) {
        v |= ~(uint64_t)0 << n; /* sign-extend from the precision's top bit */
    }
    *uv = v;
    memcpy(sv, &v, sizeof v);
    return is_signed;
}

double decode_float(const struct h5rd_type_info *ti, const unsigned char *p)
{
    uint64_t nbits = ti->size * 8;
    if (ti->exp_nbits == 0 || ti->exp_nbits > 63 || ti->mant_nbits == 0 ||
        ti->exp_pos > nbits || ti->exp_nbits > nbits - ti->exp_pos ||
        ti->mant_pos > nbits || ti->mant_nbits > nbits - ti->mant_pos || ti->sign_pos >= nbits) {
        return NAN;
    }
    int neg = (int)get_bits(p, ti->size, ti->sign_pos, 1);
    uint64_t e = get_bits(p, ti->size, ti->exp_pos, ti->exp_nbits);
    uint64_t emax = ((uint64_t)1 << ti->exp_nbits) - 1;
    /* Keep the 64 most significant mantissa bits; 'mbits' is how many we kept. */
    unsigned mbits = ti->mant_nbits > 64 ? 64 : ti->mant_nbits;
    uint64_t m = get_bits(p, ti->size, ti->mant_pos + (ti->mant_nbits - mbits), mbits);
    /* Implied normalization (IEEE) hides the integer bit. Otherwise the mantissa's top bit is
     * the integer bit (x87 long double, which libhdf5 describes as normalization "none"), as
     * libhdf5's conversion treats it. */
    int explicit_bit = ti->mant_norm != 2;
    uint64_t frac = m;
    if (explicit_bit) {
        frac &= ~((uint64_t)1 << (mbits - 1));
    }
    double v;
    if (e == emax) {
        v = frac == 0 ? INFINITY : NAN;
    } else {
        /* Exponent arithmetic in long long, clamped far outside double's range. */
        long long bias = ti->exp_bias > (uint64_t)1 << 40 ? (long long)1 << 40
                                                           : (long long)ti->exp_bias;
        long long ex = (long long)e - bias;
        if (e == 0) {
            ex = 1 - bias; /* denormal */
        }
        if (ex > 100000) {
            ex = 100000;
        } else if (ex < -100000) {
            ex = -100000;
        }
        int shift = (int)mbits - (explicit_bit ? 1 : 0);
        v = ldexp((double)m, (int)ex - shift);
        if (ti->mant_norm == 2 && e != 0) {
            v += ldexp(1.0, (int)ex);
        }
    }
    return neg ? -v : v;
}

double decode_complex_part(const struct h5rd_type_info *ti, const unsigned char *p,
                           uint64_t esize, int normalized, int k)
{
    uint64_t half = esize / 2;
    if (esize != ti->size) {
        return cli_wide_float(p + k * half, half);
    }
    struct h5rd_type_info bi = *ti; /* the complex reports its base's float fields */
    bi.size = half;
    if (normalized && half == 16 && !(bi.exp_nbits == 15 && bi.mant_nbits == 64)) {
        /* A 16-byte base other than x87 (IEEE quad): the read converted it to x87, as libhdf5
         * converts it to the native long double. */
        return cli_wide_float(p + k * half, half);
    }
    return decode_float(&bi, p + k * half);
}

/* ------------------------------------------------------------------------------------------ */
/* Value encoder                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* The oracle lists numpy arrays of a structured dtype flat (h5py's x.flat), whatever their
 * shape, and array types expand into the array's shape. So when the innermost element of an
 * array chain is a compound (other than h5py's complex), all its elements go into one list. */
static int leaf_is_struct(const h5rd_type *type)
{
    struct h5rd_type_info ti;
    for (int guard = 0; guard < 64; guard++) {
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

static h5rd_err check_extent(const uint64_t *dims, uint32_t rank, uint64_t esize, uint64_t avail,
                             struct h5rd_error *err);

/* Writes the leaf elements of one element of 'type' (expanding array types) as list items. */
static h5rd_err write_flat(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                           const unsigned char *p, int *first, struct h5rd_error *err)
{
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (ti.cls != H5RD_CLASS_ARRAY) {
        if (!*first) {
            jb_puts(b, ", ");
        }
        *first = 0;
        return json_elem(b, file, type, p, err);
    }
    const h5rd_type *base;
    struct h5rd_type_info bi;
    rc = h5rd_type_get_super(type, &base, err);
    if (rc == H5RD_OK) {
        rc = h5rd_type_get_info(base, &bi, err);
    }
    if (rc == H5RD_OK && ti.rank > H5RD_MAX_RANK) {
        rc = cli_set_error(err, H5RD_E_CORRUPT, "array: rank too large");
    }
    if (rc == H5RD_OK) {
        rc = check_extent(ti.dims, ti.rank, bi.size, ti.size, err);
    }
    if (rc != H5RD_OK) {
        return rc;
    }
    uint64_t n = 1;
    for (uint32_t i = 0; i < ti.rank; i++) {
        n *= ti.dims[i];
    }
    for (uint64_t i = 0; i < n; i++) {
        rc = write_flat(b, file, base, p + i * bi.size, first, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    return H5RD_OK;
}

/* A list of the flattened leaves of 'n' consecutive elements of 'type' ('esize' bytes each;
 * the caller checked that they lie in its buffer). */
static h5rd_err write_flat_list(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                                uint64_t esize, uint64_t n, const unsigned char *p,
                                struct h5rd_error *err)
{
    int first = 1;
    jb_putc(b, '[');
    for (uint64_t i = 0; i < n; i++) {
        h5rd_err rc = write_flat(b, file, type, p + i * esize, &first, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    jb_putc(b, ']');
    return H5RD_OK;
}

static h5rd_err write_nd(struct jbuf *b, h5rd_file *file, const h5rd_type *type, uint64_t esize,
                         const uint64_t *dims, uint32_t rank, const unsigned char *p,
                         struct h5rd_error *err)
{
    if (rank == 0) {
        return json_elem(b, file, type, p, err);
    }
    uint64_t stride = esize;
    for (uint32_t i = 1; i < rank; i++) {
        stride *= dims[i]; /* the caller checked the whole product */
    }
    jb_putc(b, '[');
    for (uint64_t i = 0; i < dims[0]; i++) {
        if (i) {
            jb_puts(b, ", ");
        }
        h5rd_err rc = write_nd(b, file, type, esize, dims + 1, rank - 1, p + i * stride, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    jb_putc(b, ']');
    return H5RD_OK;
}

/* n x esize, and that the result fits 'avail' bytes. */
static h5rd_err check_extent(const uint64_t *dims, uint32_t rank, uint64_t esize, uint64_t avail,
                             struct h5rd_error *err)
{
    uint64_t total = esize;
    for (uint32_t i = 0; i < rank; i++) {
        if (dims[i] != 0 && total > UINT64_MAX / dims[i]) {
            return cli_set_error(err, H5RD_E_CORRUPT, "value: element count overflows");
        }
        total *= dims[i];
    }
    if (total > avail) {
        return cli_set_error(err, H5RD_E_CORRUPT, "value: data smaller than its shape");
    }
    return H5RD_OK;
}

h5rd_err json_data(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                   const struct h5rd_space *space, const void *buf, size_t nbytes,
                   struct h5rd_error *err)
{
    if (space->kind == H5RD_SPACE_NULL) {
        jb_puts(b, "null");
        return H5RD_OK;
    }
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    uint32_t rank = space->kind == H5RD_SPACE_SCALAR ? 0 : space->rank;
    if (rank > H5RD_MAX_RANK) {
        return cli_set_error(err, H5RD_E_CORRUPT, "value: rank too large");
    }
    rc = check_extent(space->dims, rank, ti.size, nbytes, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (leaf_is_struct(type) && (rank > 0 || ti.cls == H5RD_CLASS_ARRAY)) {
        uint64_t n = 1;
        for (uint32_t i = 0; i < rank; i++) {
            n *= space->dims[i]; /* check_extent bounded the product */
        }
        return write_flat_list(b, file, type, ti.size, n, buf, err);
    }
    return write_nd(b, file, type, ti.size, space->dims, rank, buf, err);
}

static void put_hex(struct jbuf *b, const unsigned char *p, uint64_t n)
{
    static const char hex[] = "0123456789abcdef";
    jb_putc(b, '"');
    for (uint64_t i = 0; i < n; i++) {
        char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
        jb_write(b, two, 2);
    }
    jb_putc(b, '"');
}

static h5rd_err put_int(struct jbuf *b, const struct h5rd_type_info *ti, const unsigned char *p)
{
    int64_t sv;
    uint64_t uv;
    struct h5rd_type_info at0;
    if (b->normalized && ti->bit_offset != 0) {
        at0 = *ti; /* already shifted to bit 0 by the dataset read */
        at0.bit_offset = 0;
        ti = &at0;
    }
    if (decode_int(ti, p, &sv, &uv)) {
        json_i64(b, sv);
    } else {
        json_u64(b, uv);
    }
    return H5RD_OK;
}

/* Python's repr() of a complex, which is what the oracle stores for h5py's complex types. */
static h5rd_err put_complex(struct jbuf *b, const h5rd_type *type, const unsigned char *p,
                            struct h5rd_error *err)
{
    double part[2];
    for (uint32_t k = 0; k < 2; k++) {
        const char *name;
        uint64_t off;
        const h5rd_type *mt;
        struct h5rd_type_info mi;
        h5rd_err rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(mt, &mi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        part[k] = decode_float(&mi, p + off); /* dtype_is_complex checked the offsets */
    }
    /* numpy prints complex64 parts with float32's shortest digits ("(4.3+0j)"). */
    struct h5rd_type_info mi;
    const char *name;
    uint64_t off;
    const h5rd_type *mt;
    int single = h5rd_type_get_member(type, 0, &name, &off, &mt, NULL) == H5RD_OK &&
                 h5rd_type_get_info(mt, &mi, NULL) == H5RD_OK && mi.size <= 4;
    char re[64], im[64];
    repr_float(part[0], 0, single, re, sizeof re);
    repr_float(part[1], 0, single, im, sizeof im);
    if (part[0] == 0.0 && !signbit(part[0])) {
        jb_printf(b, "\"%sj\"", im);
    } else {
        jb_printf(b, "\"(%s%s%sj)\"", re, (im[0] == '-') ? "" : "+", im);
    }
    return H5RD_OK;
}

static h5rd_err put_compound(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                             const struct h5rd_type_info *ti, const unsigned char *p,
                             struct h5rd_error *err)
{
    if (dtype_is_complex(type)) {
        return put_complex(b, type, p, err);
    }
    jb_putc(b, '{');
    for (uint32_t k = 0; k < ti->nmembers; k++) {
        const char *name;
        uint64_t off;
        const h5rd_type *mt;
        struct h5rd_type_info mi;
        h5rd_err rc = h5rd_type_get_member(type, k, &name, &off, &mt, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(mt, &mi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        if (off > ti->size || mi.size > ti->size - off) {
            return cli_set_error(err, H5RD_E_CORRUPT, "compound: member outside the element");
        }
        if (k) {
            jb_puts(b, ", ");
        }
        json_cstr(b, name);
        jb_puts(b, ": ");
        rc = json_elem(b, file, mt, p + off, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    jb_putc(b, '}');
    return H5RD_OK;
}

/* One string of a reference (its path, or an attribute reference's attribute name) as JSON. */
static h5rd_err put_ref_string(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                               const unsigned char *p, int attr_name, struct h5rd_error *err)
{
    char small[512];
    size_t len = 0;
    h5rd_err rc = attr_name ? h5rd_ref_get_attr_name(file, type, p, small, sizeof small, &len, err)
                            : h5rd_ref_get_path(file, type, p, small, sizeof small, &len, err);
    if (rc == H5RD_OK) {
        json_string(b, small, len);
        return H5RD_OK;
    }
    if (rc != H5RD_E_BUFSIZE || len >= SIZE_MAX) {
        return rc;
    }
    char *big = malloc(len + 1);
    if (!big) {
        return cli_set_error(err, H5RD_E_NOMEM, "reference: path too long for memory");
    }
    rc = attr_name ? h5rd_ref_get_attr_name(file, type, p, big, len + 1, &len, err)
                   : h5rd_ref_get_path(file, type, p, big, len + 1, &len, err);
    if (rc == H5RD_OK) {
        json_string(b, big, len);
    }
    free(big);
    return rc;
}

/* A reference is the referenced object's path (a region reference: its dataset's), null when
 * null or unreachable; an attribute reference (HDF5 1.12+) is {"path": ..., "attribute": ...}. */
static h5rd_err put_reference(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                              const unsigned char *p, struct h5rd_error *err)
{
    uint32_t kind = H5RD_REF_OBJECT;
    h5rd_err rc = h5rd_ref_get_kind(file, type, p, &kind, err);
    if (rc == H5RD_E_NOT_FOUND) {
        jb_puts(b, "null");
        return H5RD_OK;
    }
    if (rc != H5RD_OK) {
        return rc;
    }
    size_t mark = b->len;
    if (kind == H5RD_REF_ATTR) {
        jb_puts(b, "{\"path\": ");
    }
    rc = put_ref_string(b, file, type, p, 0, err);
    if (rc == H5RD_E_NOT_FOUND) {
        b->len = mark;
        jb_puts(b, "null");
        return H5RD_OK;
    }
    if (rc != H5RD_OK || kind != H5RD_REF_ATTR) {
        return rc;
    }
    jb_puts(b, ", \"attribute\": ");
    rc = put_ref_string(b, file, type, p, 1, err);
    jb_putc(b, '}');
    return rc;
}

h5rd_err cli_vlen_fetch(h5rd_file *file, const h5rd_type *type, const struct h5rd_type_info *ti,
                        const unsigned char *p, uint64_t max_nbytes, unsigned char **buf_ret,
                        uint64_t *count_ret, const h5rd_type **base_ret, uint64_t *esize_ret,
                        struct h5rd_error *err)
{
    *buf_ret = NULL;
    uint64_t count = 0;
    h5rd_err rc = h5rd_vlen_read(file, type, p, NULL, 0, &count, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    const h5rd_type *base = NULL;
    struct h5rd_type_info bi;
    uint64_t esize = 1;
    if (!ti->vlen_is_string) {
        rc = h5rd_type_get_super(type, &base, err);
        if (rc == H5RD_OK) {
            rc = h5rd_type_get_info(base, &bi, err);
        }
        if (rc != H5RD_OK) {
            return rc;
        }
        esize = bi.size;
    }
    /* The count comes from the file: bound the buffer before allocating it. */
    if (esize != 0 && count > max_nbytes / esize) {
        return cli_set_error(err, H5RD_E_LIMIT, "vlen: sequence too large to print");
    }
    uint64_t nbytes = count * esize;
    unsigned char *buf = NULL;
    if (nbytes > 0) {
        buf = malloc((size_t)nbytes);
        if (!buf) {
            return cli_set_error(err, H5RD_E_NOMEM, "vlen: out of memory");
        }
        uint64_t count2 = 0;
        rc = h5rd_vlen_read(file, type, p, buf, (size_t)nbytes, &count2, err);
        if (rc == H5RD_OK && count2 != count) {
            rc = cli_set_error(err, H5RD_E_INTERNAL, "vlen: element count changed");
        }
        if (rc != H5RD_OK) {
            free(buf);
            return rc;
        }
    }
    *buf_ret = buf;
    *count_ret = count;
    *base_ret = base;
    *esize_ret = esize;
    return H5RD_OK;
}

static h5rd_err put_vlen(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                         const struct h5rd_type_info *ti, const unsigned char *p,
                         struct h5rd_error *err)
{
    unsigned char *buf;
    uint64_t count, esize;
    const h5rd_type *base;
    h5rd_err rc = cli_vlen_fetch(file, type, ti, p, JSON_MAX_ALLOC, &buf, &count, &base, &esize,
                                 err);
    if (rc != H5RD_OK) {
        return rc;
    }
    uint64_t nbytes = count * esize;
    if (rc == H5RD_OK) {
        if (ti->vlen_is_string) {
            json_string(b, (const char *)buf, (size_t)nbytes);
        } else {
            /* h5rd_vlen_read does not normalise: decode at the type's bit offsets. */
            int saved = b->normalized;
            b->normalized = 0;
            rc = leaf_is_struct(base) ? write_flat_list(b, file, base, esize, count, buf, err)
                                      : write_nd(b, file, base, esize, &count, 1, buf, err);
            b->normalized = saved;
        }
    }
    free(buf);
    return rc;
}

static h5rd_err put_array(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                          const struct h5rd_type_info *ti, const unsigned char *p,
                          struct h5rd_error *err)
{
    const h5rd_type *base;
    struct h5rd_type_info bi;
    h5rd_err rc = h5rd_type_get_super(type, &base, err);
    if (rc == H5RD_OK) {
        rc = h5rd_type_get_info(base, &bi, err);
    }
    if (rc != H5RD_OK) {
        return rc;
    }
    if (ti->rank > H5RD_MAX_RANK) {
        return cli_set_error(err, H5RD_E_CORRUPT, "array: rank too large");
    }
    rc = check_extent(ti->dims, ti->rank, bi.size, ti->size, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (leaf_is_struct(type)) {
        return write_flat_list(b, file, type, ti->size, 1, p, err);
    }
    return write_nd(b, file, base, bi.size, ti->dims, ti->rank, p, err);
}

h5rd_err json_elem(struct jbuf *b, h5rd_file *file, const h5rd_type *type, const void *elem,
                   struct h5rd_error *err)
{
    const unsigned char *p = elem;
    struct h5rd_type_info ti;
    h5rd_err rc = h5rd_type_get_info(type, &ti, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_TIME:
        return put_int(b, &ti, p);
    case H5RD_CLASS_ENUM: {
        /* An enum prints as its integer value (the oracle prints h5py's bools as 0/1 too). */
        const h5rd_type *base;
        struct h5rd_type_info bi;
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
        if (bi.cls == H5RD_CLASS_FLOAT) {
            json_double(b, decode_float(&bi, p));
            return H5RD_OK;
        }
        return put_int(b, &bi, p);
    }
    case H5RD_CLASS_FLOAT:
        json_double(b, decode_float(&ti, p));
        return H5RD_OK;
    case H5RD_CLASS_COMPLEX:
        /* An HDF5 2.0 complex number: [real, imaginary]. */
        jb_putc(b, '[');
        json_double(b, decode_complex_part(&ti, p, ti.size, b->normalized, 0));
        jb_puts(b, ", ");
        json_double(b, decode_complex_part(&ti, p, ti.size, b->normalized, 1));
        jb_putc(b, ']');
        return H5RD_OK;
    case H5RD_CLASS_STRING: {
        /* What h5py shows: libhdf5 converts the string to a null-padded one (null-terminated:
         * up to the first NUL; space-padded: trailing spaces dropped; null-padded: as is),
         * then numpy's bytes_ drops trailing NULs. */
        size_t n = (size_t)ti.size;
        if (ti.str_pad == 0) {
            const void *nul = memchr(p, 0, n);
            if (nul) {
                n = (size_t)((const unsigned char *)nul - p);
            }
        } else if (ti.str_pad == 2) {
            while (n > 0 && p[n - 1] == ' ') {
                n--;
            }
        }
        while (n > 0 && p[n - 1] == 0) {
            n--;
        }
        json_string(b, (const char *)p, n);
        return H5RD_OK;
    }
    case H5RD_CLASS_OPAQUE:
        put_hex(b, p, ti.size);
        return H5RD_OK;
    case H5RD_CLASS_COMPOUND:
        return put_compound(b, file, type, &ti, p, err);
    case H5RD_CLASS_REFERENCE:
        return put_reference(b, file, type, p, err);
    case H5RD_CLASS_VLEN:
        return put_vlen(b, file, type, &ti, p, err);
    case H5RD_CLASS_ARRAY:
        return put_array(b, file, type, &ti, p, err);
    }
    return cli_set_error(err, H5RD_E_UNSUPPORTED, "value: unknown datatype class");
}
