/*
 * kerchunk.c - kerchunk "version 1" references (fsspec ReferenceFileSystem + Zarr v2) for the
 * groups and datasets of an HDF5 file: h5rd_kerchunk_write.
 *
 * A layer on top of the public API only (include/h5rd.h), like the CLI: it walks the hard links
 * below a path (each object once, as h5py's visititems, which kerchunk uses), and for every
 * dataset writes the Zarr v2 metadata (.zarray, .zattrs) and one reference [url, offset, size]
 * per allocated chunk, taken from the chunk table h5rd builds once per dataset (O(n), no
 * per-chunk query as h5py's get_chunk_info). The semantics follow kerchunk's hdf.py
 * (SingleHdf5ToZarr); docs/kerchunk.md lists the codec mapping and what cannot be expressed.
 *
 * A dataset is emitted whole or not at all: anything that would make Zarr read different values
 * than libhdf5 (a filter without a numcodecs codec with the same bytes, a chunk whose filter
 * mask skips a filter, a type numpy/Zarr cannot describe over the stored bytes, ...) is reported
 * through opts->report with the dataset's path and the reason, and the dataset is left out.
 * Output is streamed through the caller's write callback in pieces of at most ~1 MiB, so memory
 * stays bounded for millions of chunks.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5rd.h"

#define KC_FLUSH_NBYTES ((size_t)1 << 20)
#define KC_MAX_DEPTH 512

/* ---- a growable text buffer ---------------------------------------------------------------- */
struct sb {
    char *p;
    size_t len, cap;
    int oom;
};

static void sb_write(struct sb *b, const void *s, size_t n)
{
    if (b->oom) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_write(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
    sb_write(b, &c, 1);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_write(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_write(b, big, (size_t)n);
    free(big);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    unsigned min;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        k = 2;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        k = 3;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        k = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (k > n) {
        return 0;
    }
    unsigned long cp = c & (0x7Fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return k;
}

static int is_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(u + i, n - i);
        if (!k) {
            return 0;
        }
        i += k;
    }
    return 1;
}

/* A JSON string of s[0..n), ASCII only: control characters and valid UTF-8 sequences as \u
 * escapes (an invalid byte as the code point of the same value, as Latin-1). */
static void js_str(struct sb *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    sb_putc(b, '"');
    size_t run = 0; /* start of the pending unescaped run */
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        const char *esc = NULL;
        char tmp[32];
        size_t k = 1;
        if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        } else if (c >= 0x80) {
            /* ensure_ascii, as Python's json.dumps: Zarr 2 reads its metadata as ASCII */
            k = utf8_len(u + i, n - i);
            if (!k) {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                k = 1;
            } else {
                unsigned long cp = c & (0x7Fu >> k);
                for (size_t j = 1; j < k; j++) {
                    cp = (cp << 6) | (u[i + j] & 0x3Fu);
                }
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    snprintf(tmp, sizeof tmp, "\\u%04lx\\u%04lx", 0xD800 + (cp >> 10),
                             0xDC00 + (cp & 0x3FF));
                } else {
                    snprintf(tmp, sizeof tmp, "\\u%04lx", cp);
                }
            }
            esc = tmp;
        }
        if (esc) {
            sb_write(b, s + run, i - run);
            sb_puts(b, esc);
            run = i + k;
        }
        i += k;
    }
    sb_write(b, s + run, n - run);
    sb_putc(b, '"');
}

static void js_cstr(struct sb *b, const char *s)
{
    js_str(b, s, strlen(s));
}

static void b64(struct sb *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) {
            v |= (unsigned)p[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= p[i + 2];
        }
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        sb_write(b, q, 4);
    }
}

/* A float as JSON: the fewest digits that read back as the same value (as Python's repr, so
 * Zarr and xarray see the value libhdf5 reads); non-finite values as Python's json writes them
 * (NaN, Infinity: valid for the Python JSON parser Zarr uses) unless 'quoted' (Zarr's
 * fill_value encoding: "NaN", "Infinity", "-Infinity"). */
static void js_double(struct sb *b, double v, int single, int quoted)
{
    if (isnan(v)) {
        sb_puts(b, quoted ? "\"NaN\"" : "NaN");
        return;
    }
    if (isinf(v)) {
        sb_puts(b, v > 0 ? (quoted ? "\"Infinity\"" : "Infinity")
                         : (quoted ? "\"-Infinity\"" : "-Infinity"));
        return;
    }
    char buf[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)v : back == v) {
            break;
        }
    }
    sb_puts(b, buf);
    if (!strpbrk(buf, ".eEn")) {
        sb_puts(b, ".0");
    }
}

/* ---- decoding numbers from element bytes ---------------------------------------------------- */
static int host_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static uint64_t load_uint(const unsigned char *p, uint64_t size, int big)
{
    uint64_t v = 0;
    for (uint64_t i = 0; i < size && i < 8; i++) {
        uint64_t byte = big ? p[i] : p[size - 1 - i];
        v = (v << 8) | byte;
    }
    return v;
}

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1F;
    int m = h & 0x3FF;
    double v;
    if (e == 0) {
        v = ldexp(m, -24);
    } else if (e == 31) {
        v = m ? NAN : INFINITY;
    } else {
        v = ldexp(m + 1024, e - 25);
    }
    return (h & 0x8000) ? -v : v;
}

/* ---- the traversal state -------------------------------------------------------------------- */
struct kc {
    h5rd_file *file;
    const struct h5rd_kerchunk_opts *o;
    int (*write)(void *user, const void *buf, size_t nbytes);
    void *wuser;
    struct sb out;
    int nkeys;
    int write_failed;
    uint64_t n_reported;
    uint64_t base_addr, file_nbytes;
    uint64_t *seen;
    size_t nseen, capseen;
    uint64_t phony_count; /* h5netcdf's _phony_dim_count */
    int64_t max_dim_id;   /* largest _Netcdf4Dimid seen so far, -1 */
    char reason[640];
};

/* The dimensions of a group as h5netcdf (phony_dims="sort") lists them: its dimension scales,
 * then the phony dimensions it creates for datasets without scales; names of the unscaled axes
 * of a dataset are looked up here by size. */
struct gdim {
    char name[64];
    uint64_t size;
    int phony;
};
struct gdims {
    struct gdim *d;
    size_t n, cap;
};

static int gdims_add(struct gdims *g, const char *name, uint64_t size, int phony)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        struct gdim *d = realloc(g->d, cap * sizeof *d);
        if (!d) {
            return -1;
        }
        g->d = d;
        g->cap = cap;
    }
    snprintf(g->d[g->n].name, sizeof g->d[g->n].name, "%s", name);
    g->d[g->n].size = size;
    g->d[g->n++].phony = phony;
    return 0;
}

static int kc_flush(struct kc *k)
{
    if (k->out.oom) {
        return -1;
    }
    if (k->out.len && !k->write_failed) {
        if (k->write(k->wuser, k->out.p, k->out.len) != 0) {
            k->write_failed = 1;
        }
    }
    k->out.len = 0;
    return k->write_failed ? -1 : 0;
}

static void kc_key(struct kc *k, const char *prefix, const char *name)
{
    sb_puts(&k->out, k->nkeys++ ? ",\n" : "\n");
    struct sb key = {0};
    sb_puts(&key, prefix);
    sb_puts(&key, name);
    if (key.oom) {
        k->out.oom = 1;
    } else {
        js_str(&k->out, key.p, key.len);
    }
    free(key.p);
    sb_puts(&k->out, ": ");
}

/* A metadata key whose value is the JSON text 'inner', as a JSON string. */
static void kc_meta(struct kc *k, const char *prefix, const char *name, const struct sb *inner)
{
    kc_key(k, prefix, name);
    if (inner->oom) {
        k->out.oom = 1;
        return;
    }
    js_str(&k->out, inner->p ? inner->p : "", inner->len);
}

/* Inline data, as kerchunk writes it: the text itself when it is ASCII, else "base64:...". */
static void kc_inline(struct kc *k, const unsigned char *p, size_t n)
{
    int ascii = !(n >= 7 && memcmp(p, "base64:", 7) == 0);
    for (size_t i = 0; ascii && i < n; i++) {
        ascii = p[i] < 0x80;
    }
    if (ascii) {
        js_str(&k->out, (const char *)p, n);
    } else {
        sb_puts(&k->out, "\"base64:");
        b64(&k->out, p, n);
        sb_putc(&k->out, '"');
    }
}

static void kc_report(struct kc *k, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void kc_report(struct kc *k, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->reason, sizeof k->reason, fmt, ap);
    va_end(ap);
    k->n_reported++;
    if (k->o->report) {
        k->o->report(k->o->user, path, k->reason);
    }
}

static void kc_report_err(struct kc *k, const char *path, const char *doing,
                          const struct h5rd_error *e, h5rd_err rc)
{
    kc_report(k, path, "%s: %s%s%s%s%s", doing, h5rd_strerror(rc), e->what && e->what[0] ? ": " : "",
              e->what ? e->what : "", e->detail[0] ? " " : "", e->detail);
}

/* 1 when addr was seen before; else records it. Linear probing on a power-of-two table. */
static int kc_seen(struct kc *k, uint64_t addr)
{
    if ((k->nseen + 1) * 2 > k->capseen) {
        size_t cap = k->capseen ? k->capseen * 2 : 64;
        uint64_t *t = malloc(cap * sizeof *t);
        if (!t) {
            k->out.oom = 1;
            return 1;
        }
        for (size_t i = 0; i < cap; i++) {
            t[i] = H5RD_ADDR_UNDEF;
        }
        for (size_t i = 0; i < k->capseen; i++) {
            if (k->seen[i] != H5RD_ADDR_UNDEF) {
                size_t h = (size_t)((k->seen[i] * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
                while (t[h] != H5RD_ADDR_UNDEF) {
                    h = (h + 1) & (cap - 1);
                }
                t[h] = k->seen[i];
            }
        }
        free(k->seen);
        k->seen = t;
        k->capseen = cap;
    }
    size_t h = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 17) & (k->capseen - 1);
    while (k->seen[h] != H5RD_ADDR_UNDEF) {
        if (k->seen[h] == addr) {
            return 1;
        }
        h = (h + 1) & (k->capseen - 1);
    }
    k->seen[h] = addr;
    k->nseen++;
    return 0;
}

/* ---- dtypes ----------------------------------------------------------------------------------- */
/* Why a type cannot be described to numpy/Zarr over the stored bytes; NULL when it can. */
static const char *order_char(const struct h5rd_type_info *ti, int native, char *c)
{
    if (native) {
        *c = host_le() ? '<' : '>';
    } else if (ti->order == H5RD_ORDER_LE) {
        *c = '<';
    } else if (ti->order == H5RD_ORDER_BE) {
        *c = '>';
    } else {
        return "VAX or mixed byte order";
    }
    if (ti->size == 1) {
        *c = '|';
    }
    return NULL;
}

static int is_bool_enum(const h5rd_type *t, const struct h5rd_type_info *ti)
{
    /* h5py reads an enum of a 1-byte integer with exactly FALSE=0, TRUE=1 as numpy bool. */
    if (ti->cls != H5RD_CLASS_ENUM || ti->size != 1 || ti->nmembers != 2) {
        return 0;
    }
    for (uint32_t i = 0; i < 2; i++) {
        const char *name;
        const void *val;
        if (h5rd_type_get_enum_member(t, i, &name, &val, NULL) != H5RD_OK) {
            return 0;
        }
        unsigned char v = *(const unsigned char *)val;
        if (!((strcmp(name, "FALSE") == 0 && v == 0) || (strcmp(name, "TRUE") == 0 && v == 1))) {
            return 0;
        }
    }
    return 1;
}

/* Kinds a dtype resolves to, for the fill value. */
enum kind { K_INT, K_UINT, K_FLOAT, K_BOOL, K_BYTES, K_COMPLEX };

struct dt {
    enum kind kind;
    uint64_t size;
    int big; /* numbers stored big-endian */
};

static const char *kc_dtype(struct sb *b, const h5rd_type *t, int native, int depth, struct dt *d)
{
    struct h5rd_type_info ti;
    if (h5rd_type_get_info(t, &ti, NULL) != H5RD_OK) {
        return "datatype cannot be read";
    }
    if (depth > 16) {
        return "datatype nested too deeply";
    }
    char oc = '<';
    const char *why;
    d->size = ti.size;
    d->big = 0;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_BITFIELD:
        if (ti.size != 1 && ti.size != 2 && ti.size != 4 && ti.size != 8) {
            return "integer of a size numpy has no type for";
        }
        if (ti.bit_offset != 0 || ti.precision != ti.size * 8) {
            return "integer with padding bits (libhdf5 converts it; the stored bytes differ)";
        }
        if ((why = order_char(&ti, native, &oc)) != NULL) {
            return why;
        }
        /* h5py reads a bitfield as the unsigned integer of its size. */
        d->kind = (ti.cls == H5RD_CLASS_INTEGER && ti.is_signed) ? K_INT : K_UINT;
        d->big = oc == '>';
        sb_printf(b, "\"%c%c%u\"", oc, d->kind == K_INT ? 'i' : 'u', (unsigned)ti.size);
        return NULL;
    case H5RD_CLASS_FLOAT: {
        int ieee = (ti.size == 2 && ti.exp_nbits == 5 && ti.mant_nbits == 10) ||
                   (ti.size == 4 && ti.exp_nbits == 8 && ti.mant_nbits == 23) ||
                   (ti.size == 8 && ti.exp_nbits == 11 && ti.mant_nbits == 52);
        if (!ieee || ti.bit_offset != 0 || ti.precision != ti.size * 8 ||
            ti.sign_pos != ti.size * 8 - 1 || ti.mant_pos != 0 || ti.mant_norm != 2 ||
            ti.exp_bias != (1ull << (ti.exp_nbits - 1)) - 1) {
            return "floating-point format that is not IEEE binary16/32/64";
        }
        if ((why = order_char(&ti, native, &oc)) != NULL) {
            return why;
        }
        d->kind = K_FLOAT;
        d->big = oc == '>';
        sb_printf(b, "\"%cf%u\"", oc, (unsigned)ti.size);
        return NULL;
    }
    case H5RD_CLASS_STRING:
        if (ti.str_pad == 2) {
            return "space-padded fixed string (libhdf5 converts the padding; the stored bytes "
                   "differ)";
        }
        d->kind = K_BYTES;
        sb_printf(b, "\"|S%llu\"", (unsigned long long)ti.size);
        return NULL;
    case H5RD_CLASS_OPAQUE:
        d->kind = K_BYTES;
        sb_printf(b, "\"|V%llu\"", (unsigned long long)ti.size);
        return NULL;
    case H5RD_CLASS_ENUM: {
        if (is_bool_enum(t, &ti)) {
            d->kind = K_BOOL;
            sb_puts(b, "\"|b1\"");
            return NULL;
        }
        const h5rd_type *base;
        if (h5rd_type_get_super(t, &base, NULL) != H5RD_OK) {
            return "enum base type cannot be read";
        }
        return kc_dtype(b, base, native, depth + 1, d);
    }
    case H5RD_CLASS_COMPOUND: {
        /* h5py reads a compound of two floats of one type named r and i as numpy complex */
        if (ti.nmembers == 2 && (ti.size == 8 || ti.size == 16)) {
            const char *n0, *n1;
            uint64_t o0, o1;
            const h5rd_type *t0, *t1;
            struct h5rd_type_info i0, i1;
            struct sb tmp = {0};
            struct dt d0;
            if (h5rd_type_get_member(t, 0, &n0, &o0, &t0, NULL) == H5RD_OK &&
                h5rd_type_get_member(t, 1, &n1, &o1, &t1, NULL) == H5RD_OK &&
                strcmp(n0, "r") == 0 && strcmp(n1, "i") == 0 && o0 == 0 && o1 == ti.size / 2 &&
                h5rd_type_get_info(t0, &i0, NULL) == H5RD_OK &&
                h5rd_type_get_info(t1, &i1, NULL) == H5RD_OK && i0.cls == H5RD_CLASS_FLOAT &&
                i1.cls == H5RD_CLASS_FLOAT && i0.size == ti.size / 2 && i1.size == i0.size &&
                i0.order == i1.order && i0.precision == i1.precision &&
                kc_dtype(&tmp, t0, native, depth + 1, &d0) == NULL) {
                free(tmp.p);
                d->kind = K_COMPLEX;
                d->size = i0.size;
                d->big = d0.big;
                sb_printf(b, "\"%cc%u\"", d0.big ? '>' : '<', (unsigned)ti.size);
                return NULL;
            }
            free(tmp.p);
        }
        /* Zarr v2 describes a structured type as a list of [name, dtype(, shape)] fields, packed
         * in list order: the members must tile the compound from offset 0 in member order. */
        uint64_t at = 0;
        sb_putc(b, '[');
        for (uint32_t i = 0; i < ti.nmembers; i++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            if (h5rd_type_get_member(t, i, &name, &off, &mt, NULL) != H5RD_OK) {
                return "compound member cannot be read";
            }
            if (off != at) {
                return "compound with padding or members out of offset order (Zarr v2's "
                       "structured dtype has no offsets)";
            }
            struct h5rd_type_info mi;
            if (h5rd_type_get_info(mt, &mi, NULL) != H5RD_OK) {
                return "compound member cannot be read";
            }
            sb_puts(b, i ? ", [" : "[");
            js_cstr(b, name);
            sb_puts(b, ", ");
            struct dt md;
            if (mi.cls == H5RD_CLASS_ARRAY) {
                const h5rd_type *base;
                if (h5rd_type_get_super(mt, &base, NULL) != H5RD_OK) {
                    return "array member base type cannot be read";
                }
                if ((why = kc_dtype(b, base, native, depth + 1, &md)) != NULL) {
                    return why;
                }
                sb_puts(b, ", [");
                for (uint32_t r = 0; r < mi.rank; r++) {
                    sb_printf(b, "%s%llu", r ? ", " : "", (unsigned long long)mi.dims[r]);
                }
                sb_putc(b, ']');
            } else if ((why = kc_dtype(b, mt, native, depth + 1, &md)) != NULL) {
                return why;
            }
            sb_putc(b, ']');
            at += mi.size;
        }
        if (at != ti.size) {
            return "compound with trailing padding (Zarr v2's structured dtype has no offsets)";
        }
        sb_putc(b, ']');
        d->kind = K_BYTES;
        d->size = ti.size;
        d->big = 0;
        return NULL;
    }
    case H5RD_CLASS_COMPLEX: { /* HDF5 2.0: real then imaginary part of a float base */
        const h5rd_type *base;
        struct sb tmp = {0};
        struct dt d0;
        if (h5rd_type_get_super(t, &base, NULL) != H5RD_OK) {
            return "complex base type cannot be read";
        }
        why = kc_dtype(&tmp, base, native, depth + 1, &d0);
        free(tmp.p);
        if (why) {
            return why;
        }
        if (d0.kind != K_FLOAT || d0.size == 2) {
            return "complex number of a base numpy has no complex type for";
        }
        d->kind = K_COMPLEX;
        d->size = d0.size;
        d->big = d0.big;
        sb_printf(b, "\"%cc%u\"", d0.big ? '>' : '<', (unsigned)(2 * d0.size));
        return NULL;
    }
    case H5RD_CLASS_TIME:
        return "time datatype (h5py cannot read it either)";
    case H5RD_CLASS_REFERENCE:
        return "reference data (file addresses; Zarr has no reference type)";
    case H5RD_CLASS_VLEN:
        return ti.vlen_is_string ? "variable-length strings (stored in the global heap, not in "
                                   "the chunks)"
                                 : "variable-length sequences (stored in the global heap, not in "
                                   "the chunks)";
    case H5RD_CLASS_ARRAY:
        return "array datatype as the dataset's element (h5py widens the shape; Zarr v2 cannot)";
    }
    return "unknown datatype class";
}

/* The fill value as Zarr v2's .zarray encodes it (numbers; "NaN"; base64 for bytes). 'v' holds
 * d->size bytes or is NULL for the default (zero). */
static void kc_fill(struct sb *b, const struct dt *d, const unsigned char *v)
{
    static const unsigned char zeros[16] = {0}; /* a complex128 */
    if (d->kind == K_BYTES) {
        if (!v) {
            unsigned char *z = calloc(1, d->size ? d->size : 1);
            if (!z) {
                b->oom = 1;
                return;
            }
            sb_putc(b, '"');
            b64(b, z, d->size);
            sb_putc(b, '"');
            free(z);
            return;
        }
        sb_putc(b, '"');
        b64(b, v, d->size);
        sb_putc(b, '"');
        return;
    }
    if (!v) {
        v = zeros;
    }
    if (d->kind == K_COMPLEX) { /* zarr: [real, imag]; d->size is one part's */
        struct dt part = {K_FLOAT, d->size, d->big};
        sb_putc(b, '[');
        kc_fill(b, &part, v);
        sb_puts(b, ", ");
        kc_fill(b, &part, v + d->size);
        sb_putc(b, ']');
        return;
    }
    uint64_t u = load_uint(v, d->size, d->big);
    switch (d->kind) {
    case K_BOOL:
        sb_puts(b, u ? "true" : "false");
        return;
    case K_UINT:
        sb_printf(b, "%llu", (unsigned long long)u);
        return;
    case K_INT: {
        int64_t s;
        if (d->size < 8 && (u >> (d->size * 8 - 1)) & 1) {
            u |= ~0ull << (d->size * 8);
        }
        memcpy(&s, &u, 8);
        sb_printf(b, "%lld", (long long)s);
        return;
    }
    case K_FLOAT: {
        double x;
        if (d->size == 2) {
            x = half_to_double((uint16_t)u);
        } else if (d->size == 4) {
            uint32_t w = (uint32_t)u;
            float f;
            memcpy(&f, &w, 4);
            x = f;
        } else {
            memcpy(&x, &u, 8);
        }
        js_double(b, x, d->size == 4, 1);
        return;
    }
    case K_BYTES:
    case K_COMPLEX:
        break;
    }
}

/* ---- attributes (as kerchunk's _transfer_attrs converts h5py's values) ---------------------- */
static const char *const hidden_attrs[] = {"REFERENCE_LIST", "CLASS", "DIMENSION_LIST", "NAME",
                                           "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict",
                                           "_NCProperties"};

static int is_hidden(const char *name)
{
    for (size_t i = 0; i < sizeof hidden_attrs / sizeof hidden_attrs[0]; i++) {
        if (strcmp(name, hidden_attrs[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One element of a number attribute (h5rd_attr_read: native byte order, not normalised). */
static int attr_number(struct sb *b, const struct h5rd_type_info *ti, int is_bool,
                       const unsigned char *p, int fillvalue)
{
    int le = host_le();
    if (ti->cls == H5RD_CLASS_FLOAT) {
        struct dt d = {K_FLOAT, ti->size, !le};
        if (!((ti->size == 4 && ti->mant_nbits == 23) || (ti->size == 8 && ti->mant_nbits == 52) ||
              (ti->size == 2 && ti->mant_nbits == 10))) {
            return -1;
        }
        if (fillvalue) {
            kc_fill(b, &d, p);
        } else {
            uint64_t u = load_uint(p, ti->size, !le);
            double x;
            if (ti->size == 2) {
                x = half_to_double((uint16_t)u);
            } else if (ti->size == 4) {
                uint32_t w = (uint32_t)u;
                float f;
                memcpy(&f, &w, 4);
                x = f;
            } else {
                memcpy(&x, &u, 8);
            }
            js_double(b, x, ti->size == 4, 0);
        }
        return 0;
    }
    if (ti->size > 8 || ti->size == 0) {
        return -1;
    }
    uint64_t u = load_uint(p, ti->size, !le) >> ti->bit_offset;
    uint32_t prec = ti->precision ? ti->precision : (uint32_t)ti->size * 8;
    if (prec < 64) {
        u &= (1ull << prec) - 1;
    }
    if (is_bool) {
        sb_puts(b, u ? "true" : "false");
    } else if (ti->cls == H5RD_CLASS_INTEGER && ti->is_signed) {
        if (prec < 64 && (u >> (prec - 1)) & 1) {
            u |= ~0ull << prec;
        }
        int64_t s;
        memcpy(&s, &u, 8);
        sb_printf(b, "%lld", (long long)s);
    } else {
        sb_printf(b, "%llu", (unsigned long long)u);
    }
    return 0;
}

/* A string element as h5py gives it (numpy 'S' drops trailing NULs; a null-terminated string
 * ends at its first NUL). -1 when it is not UTF-8 (kerchunk's decode would fail). */
static int attr_string(struct sb *b, const char *s, size_t n, uint32_t pad, int empty_as_space)
{
    if (pad == 0) {
        const char *z = memchr(s, 0, n);
        if (z) {
            n = (size_t)(z - s);
        }
    }
    while (n && s[n - 1] == '\0') {
        n--;
    }
    if (pad == 2) {
        while (n && s[n - 1] == ' ') {
            n--;
        }
    }
    if (!is_utf8(s, n)) {
        return -1;
    }
    if (n == 0 && empty_as_space) {
        sb_puts(b, "\" \"");
    } else {
        js_str(b, s, n);
    }
    return 0;
}

struct attr_ctx {
    h5rd_file *file;
    const h5rd_type *type;
    const h5rd_type *base; /* vlen string: its type */
    struct h5rd_type_info ti;
    int is_bool;
    int fillvalue;
    int scalar_bytes; /* scalar fixed string: h5py gives bytes, kerchunk "or ' '" */
};

static int attr_elem(struct sb *b, struct attr_ctx *c, const unsigned char *p)
{
    const struct h5rd_type_info *ti = &c->ti;
    if (ti->cls == H5RD_CLASS_STRING) {
        return attr_string(b, (const char *)p, ti->size, ti->str_pad, c->scalar_bytes);
    }
    if (ti->cls == H5RD_CLASS_VLEN) {
        uint64_t n = 0;
        if (h5rd_vlen_read(c->file, c->type, p, NULL, 0, &n, NULL) != H5RD_OK) {
            return -1;
        }
        char *s = malloc(n ? n : 1);
        if (!s) {
            return -1;
        }
        int rc = -1;
        if (h5rd_vlen_read(c->file, c->type, p, s, n, &n, NULL) == H5RD_OK) {
            rc = attr_string(b, s, n, 1, 0);
        }
        free(s);
        return rc;
    }
    return attr_number(b, ti, c->is_bool, p, c->fillvalue);
}

static int attr_nested(struct sb *b, struct attr_ctx *c, const unsigned char *p,
                       const struct h5rd_space *sp, uint32_t dim, uint64_t esize)
{
    uint64_t stride = esize;
    for (uint32_t d = dim + 1; d < sp->rank; d++) {
        stride *= sp->dims[d];
    }
    sb_putc(b, '[');
    for (uint64_t i = 0; i < sp->dims[dim]; i++) {
        if (i) {
            sb_puts(b, ", ");
        }
        int rc = dim + 1 == sp->rank ? attr_elem(b, c, p + i * stride)
                                     : attr_nested(b, c, p + i * stride, sp, dim + 1, esize);
        if (rc) {
            return rc;
        }
    }
    sb_putc(b, ']');
    return 0;
}

/* Writes `"name": value` for one attribute into b (preceded by ", " unless first); returns 1 when
 * written, 0 when the attribute is hidden or not convertible (kerchunk skips those too). */
static int attr_json(struct sb *b, h5rd_file *file, h5rd_attr *a, int first)
{
    const char *name = h5rd_attr_get_name(a);
    if (is_hidden(name)) {
        return 0;
    }
    struct attr_ctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    c.type = h5rd_attr_get_type(a);
    struct h5rd_space sp;
    if (h5rd_type_get_info(c.type, &c.ti, NULL) != H5RD_OK ||
        h5rd_attr_get_space(a, &sp, NULL) != H5RD_OK) {
        return 0;
    }
    c.fillvalue = strcmp(name, "_FillValue") == 0;
    c.is_bool = is_bool_enum(c.type, &c.ti);
    switch (c.ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_FLOAT:
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_STRING:
        break;
    case H5RD_CLASS_ENUM: {
        const h5rd_type *base;
        if (h5rd_type_get_super(c.type, &base, NULL) != H5RD_OK ||
            h5rd_type_get_info(base, &c.ti, NULL) != H5RD_OK) {
            return 0;
        }
        break;
    }
    case H5RD_CLASS_VLEN:
        if (!c.ti.vlen_is_string) {
            return 0;
        }
        break;
    default:
        return 0;
    }
    struct sb v = {0};
    int ok = 0;
    if (sp.kind == H5RD_SPACE_NULL) {
        sb_puts(&v, "\"\""); /* h5py's Empty: kerchunk writes "" */
        ok = 1;
    } else {
        uint64_t nbytes, npts = 1;
        for (uint32_t d = 0; d < sp.rank; d++) {
            npts *= sp.dims[d];
        }
        unsigned char *buf = NULL;
        if (h5rd_attr_get_nbytes(a, &nbytes, NULL) == H5RD_OK && nbytes < ((uint64_t)1 << 28) &&
            (buf = malloc(nbytes ? nbytes : 1)) != NULL &&
            h5rd_attr_read(a, buf, nbytes, NULL) == H5RD_OK && npts) {
            uint64_t esize = nbytes / npts;
            c.scalar_bytes = sp.kind == H5RD_SPACE_SCALAR && c.ti.cls == H5RD_CLASS_STRING;
            if (npts == 1) { /* kerchunk: size 1 -> the element itself */
                ok = attr_elem(&v, &c, buf) == 0;
            } else {
                ok = attr_nested(&v, &c, buf, &sp, 0, esize) == 0;
            }
        } else if (npts == 0 && buf) {
            sb_puts(&v, "[]");
            ok = 1;
        }
        free(buf);
    }
    if (ok && (c.ti.cls == H5RD_CLASS_STRING || c.ti.cls == H5RD_CLASS_VLEN) && v.p &&
        strcmp(v.p, "\"DIMENSION_SCALE\"") == 0) {
        ok = 0;
    }
    if (ok && !v.oom) {
        if (!first) {
            sb_puts(b, ", ");
        }
        js_cstr(b, name);
        sb_puts(b, ": ");
        sb_write(b, v.p, v.len);
    }
    free(v.p);
    return ok;
}

/* Reads a string attribute ('name' on obj) into buf; 0 when found. */
static int attr_text(h5rd_file *file, const h5rd_obj *obj, const char *name, char *out, size_t cap)
{
    h5rd_attr *a;
    if (h5rd_attr_open(obj, name, &a, NULL) != H5RD_OK) {
        return -1;
    }
    struct sb v = {0};
    int rc = -1;
    struct attr_ctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    c.type = h5rd_attr_get_type(a);
    uint64_t nbytes;
    unsigned char *buf = NULL;
    if (h5rd_type_get_info(c.type, &c.ti, NULL) == H5RD_OK &&
        (c.ti.cls == H5RD_CLASS_STRING ||
         (c.ti.cls == H5RD_CLASS_VLEN && c.ti.vlen_is_string)) &&
        h5rd_attr_get_nbytes(a, &nbytes, NULL) == H5RD_OK && nbytes && nbytes < (1u << 20) &&
        (buf = malloc(nbytes)) != NULL && h5rd_attr_read(a, buf, nbytes, NULL) == H5RD_OK &&
        attr_elem(&v, &c, buf) == 0 && !v.oom) {
        /* v holds a JSON string; only the plain-text prefix is needed by the callers */
        snprintf(out, cap, "%s", v.p);
        rc = 0;
    }
    free(buf);
    free(v.p);
    h5rd_attr_close(a);
    return rc;
}

/* .zattrs of an object: its attributes, plus _ARRAY_DIMENSIONS (dims != NULL) for a dataset. */
static void kc_attrs(struct kc *k, const h5rd_obj *obj, struct sb *z, const struct sb *dims)
{
    uint64_t n = 0;
    int first = 1;
    sb_putc(z, '{');
    if (h5rd_obj_get_nattrs(obj, &n, NULL) == H5RD_OK) {
        for (uint64_t i = 0; i < n; i++) {
            h5rd_attr *a;
            if (h5rd_attr_open_idx(obj, i, &a, NULL) != H5RD_OK) {
                continue;
            }
            if (attr_json(z, k->file, a, first)) {
                first = 0;
            }
            h5rd_attr_close(a);
        }
    }
    if (dims) {
        sb_puts(z, first ? "" : ", ");
        sb_puts(z, "\"_ARRAY_DIMENSIONS\": ");
        sb_write(z, dims->p ? dims->p : "[]", dims->p ? dims->len : 2);
    }
    sb_putc(z, '}');
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* _ARRAY_DIMENSIONS as kerchunk's _get_array_dims: per dimension the one dimension scale
 * attached (DIMENSION_LIST) by its name, the dataset's own name when it is itself a scale, else
 * phony_dim_<n>. kerchunk uses the scale's full path without the leading '/'; the last component
 * is used here, which is the name netCDF-4 (and h5netcdf, xarray) give the dimension, so that
 * variables in subgroups name their dimensions as when the file is opened directly. */
static void kc_dims(struct kc *k, const h5rd_obj *dset, const char *dname,
                    const struct h5rd_space *sp, int is_scale, const struct gdims *g,
                    struct sb *out)
{
    char **names = calloc(sp->rank ? sp->rank : 1, sizeof *names);
    if (!names) {
        out->oom = 1;
        return;
    }
    h5rd_attr *a;
    if (sp->rank && h5rd_attr_open(dset, "DIMENSION_LIST", &a, NULL) == H5RD_OK) {
        const h5rd_type *vt = h5rd_attr_get_type(a), *rt;
        struct h5rd_type_info vi, ri;
        struct h5rd_space as;
        uint64_t nbytes;
        unsigned char *buf = NULL;
        if (h5rd_type_get_info(vt, &vi, NULL) == H5RD_OK && vi.cls == H5RD_CLASS_VLEN &&
            h5rd_type_get_super(vt, &rt, NULL) == H5RD_OK &&
            h5rd_type_get_info(rt, &ri, NULL) == H5RD_OK && ri.cls == H5RD_CLASS_REFERENCE &&
            h5rd_attr_get_space(a, &as, NULL) == H5RD_OK && as.rank == 1 &&
            as.dims[0] == sp->rank && h5rd_attr_get_nbytes(a, &nbytes, NULL) == H5RD_OK &&
            nbytes % sp->rank == 0 && (buf = malloc(nbytes ? nbytes : 1)) != NULL &&
            h5rd_attr_read(a, buf, nbytes, NULL) == H5RD_OK) {
            uint64_t esize = nbytes / sp->rank;
            for (uint32_t d = 0; d < sp->rank; d++) {
                uint64_t cnt = 0;
                if (h5rd_vlen_read(k->file, vt, buf + d * esize, NULL, 0, &cnt, NULL) != H5RD_OK ||
                    cnt != 1) {
                    continue; /* no scale, or several: kerchunk raises for several */
                }
                unsigned char ref[64];
                if (ri.size > sizeof ref ||
                    h5rd_vlen_read(k->file, vt, buf + d * esize, ref, sizeof ref, &cnt, NULL) !=
                        H5RD_OK) {
                    continue;
                }
                char path[1024];
                size_t len;
                if (h5rd_ref_get_path(k->file, rt, ref, path, sizeof path, &len, NULL) == H5RD_OK) {
                    const char *bn = base_name(path);
                    names[d] = malloc(strlen(bn) + 1);
                    if (names[d]) {
                        memcpy(names[d], bn, strlen(bn) + 1);
                    }
                }
            }
        }
        free(buf);
        h5rd_attr_close(a);
    }
    sb_putc(out, '[');
    for (uint32_t d = 0; d < sp->rank; d++) {
        sb_puts(out, d ? ", " : "");
        if (names[d]) {
            js_cstr(out, names[d]);
        } else if (is_scale) {
            js_cstr(out, dname);
        } else {
            /* h5netcdf: the n-th dimension of the group with this size, n counting the
             * dataset's earlier axes of the same size */
            size_t nth = 0, found = 0;
            const char *name = NULL;
            for (uint32_t e = 0; e < d; e++) {
                nth += !names[e] && sp->dims[e] == sp->dims[d];
            }
            for (size_t j = 0; g && j < g->n && !name; j++) {
                if (g->d[j].size == sp->dims[d] && found++ == nth) {
                    name = g->d[j].name;
                }
            }
            if (name) {
                js_cstr(out, name);
            } else {
                sb_printf(out, "\"phony_dim_%u\"", (unsigned)d); /* kerchunk's fallback */
            }
        }
        free(names[d]);
    }
    sb_putc(out, ']');
    free(names);
}

/* ---- datasets --------------------------------------------------------------------------------- */
static void put_dims(struct sb *b, const uint64_t *v, uint32_t rank, int at_least_1)
{
    sb_putc(b, '[');
    for (uint32_t d = 0; d < rank; d++) {
        uint64_t x = v[d];
        if (at_least_1 && x == 0) {
            x = 1;
        }
        sb_printf(b, "%s%llu", d ? ", " : "", (unsigned long long)x);
    }
    sb_putc(b, ']');
}

/* A chunk key "i.j.k" ("0" for a scalar). */
static void chunk_key(char *key, size_t cap, const uint64_t *idx, uint32_t rank)
{
    size_t len = 0;
    key[0] = '\0';
    if (rank == 0) {
        snprintf(key, cap, "0");
        return;
    }
    for (uint32_t d = 0; d < rank && len < cap; d++) {
        int n = snprintf(key + len, cap - len, "%s%llu", d ? "." : "", (unsigned long long)idx[d]);
        len += n < 0 ? 0 : (size_t)n;
    }
}

static void kc_ref(struct kc *k, const char *prefix, const char *key, uint64_t off, uint64_t size)
{
    kc_key(k, prefix, key);
    sb_putc(&k->out, '[');
    js_cstr(&k->out, k->o->url);
    sb_printf(&k->out, ", %llu, %llu]", (unsigned long long)off, (unsigned long long)size);
}

/* Maps the filter pipeline to numcodecs filters (in pipeline order: Zarr decodes in reverse,
 * as libhdf5 does). Sets *trim to 4 when fletcher32 is the last filter and is dropped by
 * leaving its checksum out of every reference (kerchunk does the same). NULL or the reason. */
static const char *kc_filters(struct kc *k, const h5rd_obj *dset, uint32_t nf, uint64_t esize,
                              uint64_t chunk_nbytes, struct sb *f, uint64_t *trim)
{
    *trim = 0;
    int n = 0;
    sb_putc(f, '[');
    for (uint32_t i = 0; i < nf; i++) {
        struct h5rd_filter fi;
        if (h5rd_dataset_get_filter(dset, i, &fi, NULL) != H5RD_OK) {
            return "filter pipeline cannot be read";
        }
        const uint32_t *v = fi.values;
        const char *sep = n++ ? ", " : "";
        switch (fi.id) {
        case H5RD_FILTER_DEFLATE:
            /* numcodecs Zlib decodes with zlib.decompress: HDF5 deflate stores a zlib stream */
            sb_printf(f, "%s{\"id\": \"zlib\", \"level\": %u}", sep, fi.n_values ? v[0] : 1u);
            break;
        case H5RD_FILTER_SHUFFLE: {
            /* the same byte transposition (H5Zshuffle.c; numcodecs Shuffle), on whole elements:
             * numcodecs 0.11 refuses a buffer that is not, where libhdf5 keeps leftover bytes,
             * so shuffle must see the chunk itself (be first) and its size divide the chunk */
            uint64_t es = fi.n_values ? v[0] : esize;
            if (es > 1 && (i != 0 || es == 0 || chunk_nbytes % es != 0)) {
                return "shuffle over a buffer that is not whole elements of its element size "
                       "(numcodecs' Shuffle refuses it)";
            }
            if (es > 1) {
                sb_printf(f, "%s{\"id\": \"shuffle\", \"elementsize\": %llu}", sep,
                          (unsigned long long)es);
            } else {
                n--; /* an element size of 1 shuffles nothing */
            }
            break;
        }
        case H5RD_FILTER_BZIP2:
            sb_printf(f, "%s{\"id\": \"bz2\", \"level\": %u}", sep,
                      fi.n_values && v[0] >= 1 && v[0] <= 9 ? v[0] : 9u);
            break;
        case H5RD_FILTER_ZSTD:
            /* the HDF5 zstd filter stores one zstd frame with its content size (ZSTD_compress) */
            sb_printf(f, "%s{\"id\": \"zstd\", \"level\": %d}", sep, fi.n_values ? (int)v[0] : 0);
            break;
        case H5RD_FILTER_BLOSC: {
            /* hdf5-blosc stores blosc_compress's buffer, whose header names the codec: numcodecs
             * Blosc decodes it whatever the parameters below say */
            static const char *const cnames[] = {"blosclz", "lz4", "lz4hc", "snappy", "zlib",
                                                 "zstd"};
            const char *cname = fi.n_values > 6 && v[6] < 6 ? cnames[v[6]] : "blosclz";
            sb_printf(f,
                      "%s{\"id\": \"blosc\", \"cname\": \"%s\", \"clevel\": %u, \"shuffle\": %u, "
                      "\"blocksize\": 0}",
                      sep, cname, fi.n_values > 4 ? v[4] : 5u, fi.n_values > 5 ? v[5] : 1u);
            break;
        }
        case H5RD_FILTER_FLETCHER32:
            if (k->o->flags & H5RD_KERCHUNK_FLETCHER32) {
                sb_printf(f, "%s{\"id\": \"fletcher32\"}", sep);
            } else if (i + 1 == nf) {
                *trim = 4;
                n--;
            } else {
                return "fletcher32 before another filter and no numcodecs fletcher32 codec "
                       "(H5RD_KERCHUNK_FLETCHER32 / --fletcher32)";
            }
            break;
        case H5RD_FILTER_LZ4:
            return "HDF5 LZ4 filter (32004): its framing (big-endian total size, block size, "
                   "sized blocks) is not numcodecs' LZ4";
        case H5RD_FILTER_BITSHUFFLE:
            return "bitshuffle filter (32008): numcodecs has no codec for HDF5 bitshuffle's "
                   "framing";
        case H5RD_FILTER_LZF:
            return "LZF filter (32000): numcodecs has no LZF codec";
        case H5RD_FILTER_SZIP:
            return "szip filter (4): numcodecs has no szip codec";
        case H5RD_FILTER_NBIT:
            return "nbit filter (5): numcodecs has no equivalent";
        case H5RD_FILTER_SCALEOFFSET:
            return "scaleoffset filter (6): numcodecs' FixedScaleOffset is a different encoding";
        default:
            snprintf(k->reason, sizeof k->reason, "filter %u (%s) has no numcodecs codec", fi.id,
                     fi.name && fi.name[0] ? fi.name : "unnamed");
            return k->reason;
        }
    }
    sb_putc(f, ']');
    if (n == 0) {
        f->len = 0;
        sb_puts(f, "null");
    }
    return NULL;
}

static void kc_zarray(struct sb *z, const struct h5rd_space *sp, const uint64_t *chunks,
                      const struct sb *dtype, const struct sb *fill, const struct sb *filters)
{
    sb_puts(z, "{\"chunks\": ");
    put_dims(z, chunks, sp->rank, 1);
    sb_puts(z, ", \"compressor\": null, \"dimension_separator\": \".\", \"dtype\": ");
    sb_write(z, dtype->p, dtype->len);
    sb_puts(z, ", \"fill_value\": ");
    sb_write(z, fill->p, fill->len);
    sb_puts(z, ", \"filters\": ");
    sb_write(z, filters->p ? filters->p : "null", filters->p ? filters->len : 4);
    sb_puts(z, ", \"order\": \"C\", \"shape\": ");
    put_dims(z, sp->dims, sp->rank, 0);
    sb_puts(z, ", \"zarr_format\": 2}");
}

/* NULL when the dataset was emitted (or deliberately skipped); else the reason (reported). */
static const char *kc_dataset_inner(struct kc *k, h5rd_obj *dset, const char *path,
                                    const char *prefix, const struct gdims *g,
                                    struct h5rd_error *e, h5rd_err *rc_ret)
{
    struct h5rd_space sp;
    struct h5rd_layout lay;
    const h5rd_type *type;
    h5rd_err rc;
    *rc_ret = H5RD_OK;
    if ((rc = h5rd_dataset_get_space(dset, &sp, e)) != H5RD_OK ||
        (rc = h5rd_dataset_get_layout(dset, &lay, e)) != H5RD_OK ||
        (rc = h5rd_obj_get_type(dset, &type, e)) != H5RD_OK) {
        *rc_ret = rc;
        return "reading the dataset's metadata";
    }
    if (sp.kind == H5RD_SPACE_NULL) {
        return "null dataspace (no shape; Zarr has no empty array without a shape)";
    }
    if (lay.cls == H5RD_LAYOUT_VIRTUAL) {
        return "virtual dataset (its sources are not referenced)";
    }
    if (lay.cls == H5RD_LAYOUT_CONTIGUOUS && lay.n_external_files) {
        return "external raw storage (data in other files; h5rd's API does not list their "
               "offsets)";
    }
    /* netCDF-4's dimension without a variable: a scale with no data; h5netcdf and kerchunk
     * (is_scale and no storage) leave it out. */
    char cls[64] = "", nm[128] = "";
    int is_scale = attr_text(k->file, dset, "CLASS", cls, sizeof cls) == 0 &&
                   strcmp(cls, "\"DIMENSION_SCALE\"") == 0;
    if (is_scale && attr_text(k->file, dset, "NAME", nm, sizeof nm) == 0 &&
        strncmp(nm, "\"This is a netCDF dimension but not a netCDF variable",
                strlen("\"This is a netCDF dimension but not a netCDF variable")) == 0) {
        return NULL;
    }

    int compact = lay.cls == H5RD_LAYOUT_COMPACT;
    struct sb dtype = {0}, fill = {0}, filters = {0}, z = {0}, dims = {0};
    struct dt d;
    const char *why = kc_dtype(&dtype, type, compact, 0, &d);
    uint64_t esize = d.kind == K_COMPLEX ? 2 * d.size : d.size, trim = 0;
    uint64_t chunks[H5RD_MAX_RANK];
    unsigned char *buf = NULL;
    uint32_t nf = 0;
    if (why) {
        goto done;
    }
    struct h5rd_type_info ti;
    if ((rc = h5rd_type_get_info(type, &ti, e)) != H5RD_OK) {
        *rc_ret = rc;
        why = "reading the datatype";
        goto done;
    }
    int is_compound = ti.cls == H5RD_CLASS_COMPOUND;
    int file_big = ti.order == H5RD_ORDER_BE;
    uint64_t elem_nbytes;
    if ((rc = h5rd_dataset_get_elem_nbytes(dset, NULL, &elem_nbytes, e)) != H5RD_OK) {
        *rc_ret = rc;
        why = "reading the dataset's element size";
        goto done;
    }
    if (elem_nbytes != esize) {
        why = "h5py widens the element type (its bytes are not the stored bytes)";
        goto done;
    }
    struct h5rd_fill fv;
    if ((rc = h5rd_dataset_get_fill(dset, &fv, e)) != H5RD_OK) {
        *rc_ret = rc;
        why = "reading the fill value";
        goto done;
    }
    /* h5py's fillvalue: the stored value, else zero (undefined fill values read as zero too:
     * libhdf5 gives zeros for unallocated storage without a defined fill value) */
    const unsigned char *fvp = fv.value && fv.nbytes == esize ? fv.value : NULL;
    if (d.kind == K_COMPLEX) {
        is_compound = 0; /* numbers, in the byte order of its parts */
    }
    if (compact && fvp && esize > 1 && (is_compound || d.big != file_big)) {
        fvp = NULL; /* compact data is inlined whole (made native): the fill value is never read */
    }
    kc_fill(&fill, &d, fvp);

    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        if ((rc = h5rd_dataset_get_nfilters(dset, &nf, e)) != H5RD_OK) {
            *rc_ret = rc;
            why = "reading the filter pipeline";
            goto done;
        }
        uint64_t cnb = esize;
        for (uint32_t r = 0; r < sp.rank; r++) {
            cnb *= lay.chunk_dims[r];
        }
        if ((why = kc_filters(k, dset, nf, esize, cnb, &filters, &trim)) != NULL) {
            goto done;
        }
        for (uint32_t r = 0; r < sp.rank; r++) {
            chunks[r] = lay.chunk_dims[r];
        }
    } else {
        sb_puts(&filters, "null");
        for (uint32_t r = 0; r < sp.rank; r++) {
            chunks[r] = sp.dims[r];
        }
    }

    uint64_t total = esize; /* bytes of the whole dataset */
    for (uint32_t r = 0; r < sp.rank; r++) {
        total *= sp.dims[r];
    }
    /* contiguous: split along the first dimension at whole rows (a partial last chunk must
     * still have a full chunk's bytes in the file, as Zarr reads whole chunks) */
    uint64_t rows = 0, rowbytes = 0, addr = 0;
    if (lay.cls == H5RD_LAYOUT_CONTIGUOUS && lay.data_addr != H5RD_ADDR_UNDEF) {
        addr = lay.data_addr + k->base_addr;
        if (lay.data_nbytes < total || addr + total > k->file_nbytes) {
            why = "contiguous storage smaller than the dataset or past the end of the file";
            goto done;
        }
        uint64_t lim = k->o->max_contiguous_chunk_nbytes;
        if (lim && sp.rank && sp.dims[0] > 1 && total > lim) {
            rowbytes = total / sp.dims[0];
            rows = rowbytes ? lim / rowbytes : 0;
            if (rows == 0) {
                rows = 1;
            }
            uint64_t n = (sp.dims[0] + rows - 1) / rows;
            if (rows >= sp.dims[0] || addr + n * rows * rowbytes > k->file_nbytes) {
                rows = 0;
            } else {
                chunks[0] = rows;
            }
        }
    }

    /* chunked: every chunk must go through the same codecs */
    uint64_t nchunks = 0;
    if (lay.cls == H5RD_LAYOUT_CHUNKED) {
        if ((rc = h5rd_dataset_get_nchunks(dset, &nchunks, e)) != H5RD_OK) {
            *rc_ret = rc;
            why = "reading the chunk index";
            goto done;
        }
        int partial = 0;
        uint64_t chunk_nbytes = esize;
        for (uint32_t r = 0; r < sp.rank; r++) {
            chunk_nbytes *= lay.chunk_dims[r];
        }
        for (uint32_t r = 0; r < sp.rank; r++) {
            partial |= lay.chunk_dims[r] && sp.dims[r] % lay.chunk_dims[r] != 0;
        }
        if (nf && (lay.chunk_flags & 1u) && partial) {
            why = "partial edge chunks stored unfiltered (H5Pset_chunk_opts): Zarr applies the "
                  "same codecs to every chunk";
            goto done;
        }
        for (uint64_t i = 0; i < nchunks; i++) {
            struct h5rd_chunk_info ci;
            if ((rc = h5rd_dataset_get_chunk(dset, i, &ci, e)) != H5RD_OK) {
                *rc_ret = rc;
                why = "reading the chunk index";
                goto done;
            }
            if (ci.filter_mask & ((1u << (nf < 32 ? nf : 31)) - 1u)) {
                snprintf(k->reason, sizeof k->reason,
                         "chunk at file offset %llu skips filters (mask 0x%x): Zarr applies the "
                         "same codecs to every chunk",
                         (unsigned long long)ci.addr, ci.filter_mask);
                why = k->reason;
                goto done;
            }
            if (ci.nbytes < trim || ci.addr == H5RD_ADDR_UNDEF) {
                why = "chunk smaller than its checksum";
                goto done;
            }
            if (nf == 0 && ci.nbytes != chunk_nbytes) {
                /* libhdf5 reads an unfiltered chunk's full size whatever the index says */
                why = "unfiltered chunk whose stored size differs from the chunk's size";
                goto done;
            }
        }
    }

    /* compact data is read before anything is written: a dataset is emitted whole or not */
    uint64_t npts = 0;
    if (compact) {
        if ((rc = h5rd_selection_get_npoints(dset, NULL, &npts, e)) != H5RD_OK) {
            *rc_ret = rc;
            why = "reading the compact data";
            goto done;
        }
        if (npts) {
            buf = malloc((size_t)(npts * esize));
            if (!buf) {
                k->out.oom = 1;
                goto done;
            }
            rc = h5rd_dataset_read(dset, NULL, NULL, buf, (size_t)(npts * esize), NULL, e);
            if (rc != H5RD_OK) {
                *rc_ret = rc;
                why = "reading the compact data";
                goto done;
            }
        }
    }

    /* everything is expressible: write the metadata, then the chunks */
    kc_dims(k, dset, base_name(path), &sp, is_scale, g, &dims);
    kc_zarray(&z, &sp, chunks, &dtype, &fill, &filters);
    kc_meta(k, prefix, ".zarray", &z);
    z.len = 0;
    kc_attrs(k, dset, &z, &dims);
    kc_meta(k, prefix, ".zattrs", &z);

    char key[H5RD_MAX_RANK * 21 + 2];
    uint64_t idx[H5RD_MAX_RANK] = {0};
    if (compact) {
        if (npts) {
            chunk_key(key, sizeof key, idx, sp.rank);
            kc_key(k, prefix, key);
            kc_inline(k, buf, (size_t)(npts * esize));
        }
    } else if (lay.cls == H5RD_LAYOUT_CONTIGUOUS) {
        if (lay.data_addr != H5RD_ADDR_UNDEF && total) {
            uint64_t n = rows ? (sp.dims[0] + rows - 1) / rows : 1;
            uint64_t size = rows ? rows * rowbytes : total;
            for (uint64_t i = 0; i < n; i++) {
                idx[0] = i;
                chunk_key(key, sizeof key, idx, sp.rank);
                uint64_t off = addr + i * size;
                /* a small dataset inlined whole, through the selection API (file layout
                 * made native): only when that is the stored layout */
                if (n == 1 && size < k->o->inline_threshold && !is_compound &&
                    (esize == 1 || d.kind == K_BYTES || d.big == !host_le())) {
                    free(buf);
                    buf = malloc(size);
                    if (!buf) {
                        k->out.oom = 1;
                        goto done;
                    }
                    if (h5rd_dataset_read(dset, NULL, NULL, buf, size, NULL, NULL) == H5RD_OK) {
                        kc_key(k, prefix, key);
                        kc_inline(k, buf, size);
                        continue;
                    }
                }
                kc_ref(k, prefix, key, off, size);
                if (k->out.len >= KC_FLUSH_NBYTES && kc_flush(k)) {
                    goto done;
                }
            }
        }
    } else {
        for (uint64_t i = 0; i < nchunks; i++) {
            struct h5rd_chunk_info ci;
            if ((rc = h5rd_dataset_get_chunk(dset, i, &ci, e)) != H5RD_OK) {
                *rc_ret = rc;
                why = "reading the chunk index";
                goto done;
            }
            for (uint32_t r = 0; r < sp.rank; r++) {
                idx[r] = ci.offset[r] / lay.chunk_dims[r];
            }
            chunk_key(key, sizeof key, idx, sp.rank);
            uint64_t size = ci.nbytes - trim;
            if (size < k->o->inline_threshold) {
                unsigned char small[4096];
                size_t got = 0;
                uint32_t mask = 0;
                if (ci.nbytes <= sizeof small &&
                    h5rd_dataset_read_chunk_raw(dset, ci.offset, small, sizeof small, &got, &mask,
                                                NULL) == H5RD_OK &&
                    got == ci.nbytes) {
                    kc_key(k, prefix, key);
                    kc_inline(k, small, (size_t)size);
                    continue;
                }
            }
            kc_ref(k, prefix, key, ci.addr, size);
            if (k->out.len >= KC_FLUSH_NBYTES && kc_flush(k)) {
                goto done;
            }
        }
    }
done:
    free(buf);
    free(dtype.p);
    free(fill.p);
    free(filters.p);
    free(z.p);
    free(dims.p);
    if (dtype.oom || fill.oom || filters.oom || z.oom || dims.oom) {
        k->out.oom = 1;
    }
    return why;
}

static void kc_dataset(struct kc *k, h5rd_obj *dset, const char *path, const char *prefix,
                       const struct gdims *g)
{
    struct h5rd_error e;
    memset(&e, 0, sizeof e);
    h5rd_err rc;
    const char *why = kc_dataset_inner(k, dset, path, prefix, g, &e, &rc);
    char copy[sizeof k->reason];
    if (why == k->reason) { /* kc_report formats into k->reason */
        snprintf(copy, sizeof copy, "%s", why);
        why = copy;
    }
    if (why) {
        if (rc != H5RD_OK) {
            kc_report_err(k, path, why, &e, rc);
        } else {
            kc_report(k, path, "%s", why);
        }
    }
}

/* A scalar integer attribute; 0 when read. */
static int attr_int(const h5rd_obj *obj, const char *name, int64_t *v)
{
    h5rd_attr *a;
    if (h5rd_attr_open(obj, name, &a, NULL) != H5RD_OK) {
        return -1;
    }
    struct h5rd_type_info ti;
    unsigned char buf[8];
    uint64_t nbytes;
    int rc = -1;
    if (h5rd_type_get_info(h5rd_attr_get_type(a), &ti, NULL) == H5RD_OK &&
        ti.cls == H5RD_CLASS_INTEGER && h5rd_attr_get_nbytes(a, &nbytes, NULL) == H5RD_OK &&
        nbytes == ti.size && nbytes >= 1 && nbytes <= 8 &&
        h5rd_attr_read(a, buf, sizeof buf, NULL) == H5RD_OK) {
        uint64_t u = load_uint(buf, nbytes, !host_le());
        if (ti.is_signed && nbytes < 8 && (u >> (nbytes * 8 - 1)) & 1) {
            u |= ~0ull << (nbytes * 8);
        }
        memcpy(v, &u, 8);
        rc = 0;
    }
    h5rd_attr_close(a);
    return rc;
}

/* The group's dimensions as h5netcdf (phony_dims="sort") makes them when it opens the group
 * (core.py Group.__init__): dimension scales in link order, then for the datasets without
 * any scale, per size the most axes of that size one dataset has, less the scales of that
 * size, as phony_dim_<count + max _Netcdf4Dimid + 1>, numbered across the file in the order
 * groups are opened (parents first, then subgroups by name). The largest dimension id is the
 * largest seen so far (h5netcdf takes the whole file's). */
static void kc_group_dims(struct kc *k, h5rd_obj *grp, uint64_t n, struct gdims *g)
{
    struct sc {
        uint64_t size, cnt;
    } *ph = NULL;
    size_t nph = 0, cph = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link l;
        h5rd_obj *child;
        struct h5rd_space sp;
        if (h5rd_group_get_link(grp, i, &l, NULL) != H5RD_OK || l.type != H5RD_LINK_HARD ||
            h5rd_group_open_link(grp, i, &child, NULL) != H5RD_OK) {
            continue;
        }
        if (h5rd_obj_get_kind(child) == H5RD_OBJ_DATASET &&
            h5rd_dataset_get_space(child, &sp, NULL) == H5RD_OK &&
            sp.kind != H5RD_SPACE_NULL) {
            char cls[64] = "";
            h5rd_attr *a;
            int64_t id;
            if (attr_text(k->file, child, "CLASS", cls, sizeof cls) == 0 &&
                strcmp(cls, "\"DIMENSION_SCALE\"") == 0) {
                if (gdims_add(g, l.name, sp.rank ? sp.dims[0] : 0, 0) != 0) {
                    k->out.oom = 1;
                }
                if (attr_int(child, "_Netcdf4Dimid", &id) == 0 && id > k->max_dim_id) {
                    k->max_dim_id = id;
                }
            } else if (h5rd_attr_open(child, "DIMENSION_LIST", &a, NULL) == H5RD_OK) {
                h5rd_attr_close(a);
            } else {
                for (uint32_t d = 0; d < sp.rank; d++) {
                    uint64_t c = 0;
                    int first = 1;
                    for (uint32_t e = 0; e < sp.rank; e++) {
                        c += sp.dims[e] == sp.dims[d];
                        first &= !(e < d && sp.dims[e] == sp.dims[d]);
                    }
                    if (!first) {
                        continue;
                    }
                    size_t j = 0;
                    while (j < nph && ph[j].size != sp.dims[d]) {
                        j++;
                    }
                    if (j == nph) {
                        if (nph == cph) {
                            size_t cap = cph ? cph * 2 : 8;
                            struct sc *t = realloc(ph, cap * sizeof *t);
                            if (!t) {
                                k->out.oom = 1;
                                break;
                            }
                            ph = t;
                            cph = cap;
                        }
                        ph[nph].size = sp.dims[d];
                        ph[nph++].cnt = 0;
                    }
                    if (ph[j].cnt < c) {
                        ph[j].cnt = c;
                    }
                }
            }
        }
        h5rd_obj_close(child);
    }
    for (size_t j = 0; j < nph; j++) {
        uint64_t labeled = 0;
        for (size_t i = 0; i < g->n; i++) {
            labeled += !g->d[i].phony && g->d[i].size == ph[j].size;
        }
        for (uint64_t c = labeled; c < ph[j].cnt; c++) {
            char name[64];
            snprintf(name, sizeof name, "phony_dim_%lld",
                     (long long)(k->phony_count++ + (uint64_t)(k->max_dim_id + 1)));
            if (gdims_add(g, name, ph[j].size, 1) != 0) {
                k->out.oom = 1;
            }
        }
    }
    free(ph);
}

static int link_cmp(const void *a, const void *b)
{
    /* the first member of struct lk is the name */
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

static void kc_group(struct kc *k, h5rd_obj *grp, const char *path, const char *prefix,
                     int depth)
{
    struct sb z = {0};
    sb_puts(&z, "{\"zarr_format\": 2}");
    kc_meta(k, prefix, ".zgroup", &z);
    z.len = 0;
    kc_attrs(k, grp, &z, NULL);
    kc_meta(k, prefix, ".zattrs", &z);
    free(z.p);
    if (k->out.len >= KC_FLUSH_NBYTES && kc_flush(k)) {
        return;
    }
    if (depth > KC_MAX_DEPTH) {
        kc_report(k, path, "groups nested more than %d deep: not descended", KC_MAX_DEPTH);
        return;
    }
    uint64_t n;
    struct h5rd_error e;
    memset(&e, 0, sizeof e);
    h5rd_err rc = h5rd_group_get_nlinks(grp, &n, &e);
    if (rc != H5RD_OK) {
        kc_report_err(k, path, "listing the group", &e, rc);
        return;
    }
    struct gdims g = {0};
    kc_group_dims(k, grp, n, &g);
    /* in name order, as h5py's visititems (H5Ovisit by name): an object reached by several
     * hard links is emitted under the name h5py gives it */
    struct lk {
        const char *name;
        uint64_t idx;
    } *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        k->out.oom = 1;
        free(g.d);
        return;
    }
    uint64_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link l;
        if ((rc = h5rd_group_get_link(grp, i, &l, &e)) != H5RD_OK) {
            kc_report_err(k, path, "reading a link", &e, rc);
            continue;
        }
        order[m].name = l.name;
        order[m++].idx = i;
    }
    qsort(order, m, sizeof *order, link_cmp);
    for (uint64_t j = 0; j < m && !k->out.oom && !k->write_failed; j++) {
        struct h5rd_link l;
        uint64_t i = order[j].idx;
        if ((rc = h5rd_group_get_link(grp, i, &l, &e)) != H5RD_OK) {
            kc_report_err(k, path, "reading a link", &e, rc);
            continue;
        }
        if (l.type != H5RD_LINK_HARD) {
            continue; /* visititems follows hard links only */
        }
        struct sb cpath = {0}, cprefix = {0};
        sb_puts(&cpath, path);
        if (!(path[0] == '/' && path[1] == '\0')) {
            sb_putc(&cpath, '/');
        }
        sb_puts(&cpath, l.name);
        sb_puts(&cprefix, prefix);
        /* netCDF-4 stores a variable named like a dimension it does not use under this
         * prefix; netCDF and h5netcdf give it its own name (there is no clash: the dimension
         * itself has no data and is left out) */
        sb_puts(&cprefix, strncmp(l.name, "_nc4_non_coord_", 15) == 0 && l.name[15]
                              ? l.name + 15
                              : l.name);
        sb_putc(&cprefix, '/');
        if (cpath.oom || cprefix.oom) {
            k->out.oom = 1;
        } else if (strchr(l.name, '\\') || strcmp(l.name, ".") == 0 || strcmp(l.name, "..") == 0 ||
                   l.name[0] == '\0') {
            /* Zarr 2 normalises a backslash in a key to '/', and drops "." and ".." */
            if (!kc_seen(k, l.addr)) {
                kc_report(k, cpath.p, "a name Zarr keys cannot hold (backslash, \".\" or \"..\"): "
                                      "left out with everything below it");
            }
        } else if (!kc_seen(k, l.addr)) {
            h5rd_obj *child;
            if ((rc = h5rd_group_open_link(grp, i, &child, &e)) != H5RD_OK) {
                kc_report_err(k, cpath.p, "opening the object", &e, rc);
            } else {
                h5rd_obj_kind kind = h5rd_obj_get_kind(child);
                if (kind == H5RD_OBJ_GROUP) {
                    kc_group(k, child, cpath.p, cprefix.p, depth + 1);
                } else if (kind == H5RD_OBJ_DATASET) {
                    kc_dataset(k, child, cpath.p, cprefix.p, &g);
                }
                h5rd_obj_close(child);
            }
        }
        free(cpath.p);
        free(cprefix.p);
        if (k->out.len >= KC_FLUSH_NBYTES) {
            kc_flush(k);
        }
    }
    free(order);
    free(g.d);
}

void h5rd_kerchunk_opts_init(struct h5rd_kerchunk_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof *opts);
    opts->struct_nbytes = sizeof *opts;
    opts->inline_threshold = 100;
}

h5rd_err h5rd_kerchunk_write(h5rd_file *file, const char *path,
                             const struct h5rd_kerchunk_opts *opts,
                             int (*write)(void *user, const void *buf, size_t nbytes),
                             void *write_user, uint64_t *n_reported_ret, struct h5rd_error *err)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->file_offset = H5RD_ADDR_UNDEF;
    }
    if (!file || !opts || !write || !opts->url || opts->struct_nbytes != sizeof *opts) {
        if (err) {
            err->code = H5RD_E_INVAL;
            err->what = "kerchunk: file, opts (struct_nbytes set), opts->url and write required";
        }
        return H5RD_E_INVAL;
    }
    struct kc k;
    memset(&k, 0, sizeof k);
    k.file = file;
    k.o = opts;
    k.write = write;
    k.wuser = write_user;
    struct h5rd_file_info fi;
    h5rd_err rc = h5rd_file_get_info(file, &fi, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    k.base_addr = fi.base_address;
    k.file_nbytes = fi.file_nbytes;
    k.max_dim_id = -1;

    const char *root = path && path[0] ? path : "/";
    h5rd_obj *obj;
    if ((rc = h5rd_obj_open(file, root, &obj, err)) != H5RD_OK) {
        return rc;
    }
    sb_puts(&k.out, "{\"version\": 1, \"refs\": {");
    h5rd_obj_kind kind = h5rd_obj_get_kind(obj);
    kc_seen(&k, h5rd_obj_get_addr(obj));
    if (kind == H5RD_OBJ_GROUP) {
        kc_group(&k, obj, root, "", 0);
    } else if (kind == H5RD_OBJ_DATASET) {
        /* a dataset: a root group holding it under its own name */
        struct sb z = {0}, pre = {0};
        sb_puts(&z, "{\"zarr_format\": 2}");
        kc_meta(&k, "", ".zgroup", &z);
        sb_puts(&pre, base_name(root));
        sb_putc(&pre, '/');
        if (pre.oom) {
            k.out.oom = 1;
        } else {
            kc_dataset(&k, obj, root, pre.p, NULL);
        }
        free(z.p);
        free(pre.p);
    } else {
        h5rd_obj_close(obj);
        free(k.out.p);
        free(k.seen);
        if (err) {
            err->code = H5RD_E_TYPE;
            err->what = "kerchunk: the path is a committed datatype, not a group or dataset";
            snprintf(err->path, sizeof err->path, "%s", root);
        }
        return H5RD_E_TYPE;
    }
    h5rd_obj_close(obj);
    sb_puts(&k.out, "\n}}\n");
    int oom = k.out.oom;
    if (!oom) {
        kc_flush(&k);
    }
    free(k.out.p);
    free(k.seen);
    if (n_reported_ret) {
        *n_reported_ret = k.n_reported;
    }
    if (oom) {
        if (err) {
            err->code = H5RD_E_NOMEM;
            err->what = "kerchunk: out of memory";
        }
        return H5RD_E_NOMEM;
    }
    if (k.write_failed) {
        if (err) {
            err->code = H5RD_E_IO;
            err->what = "kerchunk: the write callback failed";
        }
        return H5RD_E_IO;
    }
    if (k.n_reported && (opts->flags & H5RD_KERCHUNK_STRICT)) {
        if (err) {
            err->code = H5RD_E_UNSUPPORTED;
            err->what = "kerchunk: some objects cannot be expressed as references (strict)";
        }
        return H5RD_E_UNSUPPORTED;
    }
    return H5RD_OK;
}
