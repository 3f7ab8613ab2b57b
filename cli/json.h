/*
 * json.h - the CLI's JSON output: a growable text buffer, JSON primitives written the way
 * Python's json.dumps writes them (ensure_ascii, ", " and ": " separators, floats as repr()),
 * and a value encoder driven by an h5rd_type.
 *
 * Everything is written into a struct jbuf first and copied to the output only when a whole
 * record succeeded, so an error in the middle of a value never leaves half a JSON document.
 * A jbuf that failed to grow remembers it (oom) and ignores further writes.
 */
#ifndef H5RD_CLI_JSON_H
#define H5RD_CLI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "h5rd.h"

struct jbuf {
    char *p;
    size_t len, cap;
    int oom;
    /* Set by the caller when the values come from h5rd_dataset_read with memtype NULL, which
     * normalises integers (shifted to bit 0 and extended); h5rd_attr_read and h5rd_vlen_read
     * do not, so their integers are decoded at the type's bit offset. jb_init clears it. */
    int normalized;
};

void jb_init(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_reset(struct jbuf *b);
void jb_write_grow(struct jbuf *b, const void *s, size_t n);
/* Inline: a listing appends a dozen pieces a line (issue 13). On failure to grow, the buffer
 * is marked out of memory (oom) and stays so. */
static inline void jb_write(struct jbuf *b, const void *s, size_t n)
{
    if (b->oom == 0 && n != 0 && n <= b->cap - b->len) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        return;
    }
    jb_write_grow(b, s, n);
}
static inline void jb_putc(struct jbuf *b, char c)
{
    jb_write(b, &c, 1);
}
void jb_puts(struct jbuf *b, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void jb_printf(struct jbuf *b, const char *fmt, ...);
/* Appends the buffer's text to 'fp'. Returns 0, or -1 when the buffer ran out of memory. */
int jb_flush_to(struct jbuf *b, FILE *fp);

/* A JSON string holding the bytes s[0..n): decoded as UTF-8 when they are valid UTF-8, else
 * one code point per byte (as the corpus oracle decodes), escaped with ensure_ascii. */
void json_string(struct jbuf *b, const char *s, size_t n);
void json_cstr(struct jbuf *b, const char *s);
void json_u64(struct jbuf *b, uint64_t v);
void json_i64(struct jbuf *b, int64_t v);
/* Shortest text that reads back as the same double, formatted like Python's repr();
 * NaN, Infinity and -Infinity as those bare tokens. */
void json_double(struct jbuf *b, double v);
/* Python's repr() of a float into buf (cap >= 40): add_dot0 gives "1.0" rather than "1";
 * non-finite values as "nan", "inf", "-inf". */
void repr_double(double v, int add_dot0, char *buf, size_t cap);
/* The same with 'single': the shortest digits that read back as the same float (numpy's
 * printing of float32 values). */
void repr_float(double v, int add_dot0, int single, char *buf, size_t cap);

/* Writes a dataspace's shape: [d0, d1, ...]; [] for scalar; null for a null dataspace. */
void json_shape(struct jbuf *b, const struct h5rd_space *space, int max);

/* Writes the value of a whole buffer of elements (as h5rd_attr_read leaves it) shaped by
 * 'space': nested arrays by dimension, a bare value for a scalar, null for a null space. */
h5rd_err json_data(struct jbuf *b, h5rd_file *file, const h5rd_type *type,
                   const struct h5rd_space *space, const void *buf, size_t nbytes,
                   struct h5rd_error *err);
/* Writes one element of 'type' stored at 'elem' (file layout, numbers native order). */
h5rd_err json_elem(struct jbuf *b, h5rd_file *file, const h5rd_type *type, const void *elem,
                   struct h5rd_error *err);

/* Numeric helpers shared with the text output: decode one integer / float element in the
 * type's layout (native byte order) as libhdf5 converts it to a native type. */
int decode_int(const struct h5rd_type_info *ti, const unsigned char *p, int64_t *sv,
               uint64_t *uv);
double decode_float(const struct h5rd_type_info *ti, const unsigned char *p);
/* Part 'k' (0 real, 1 imaginary) of a complex number (class H5RD_CLASS_COMPLEX, info 'ti') at
 * 'p', whose element is 'esize' bytes (h5rd_dataset_get_elem_nbytes: more than ti->size when
 * the parts were widened). 'normalized': the bytes come from h5rd_dataset_read (memtype NULL),
 * where parts of a non-IEEE layout were converted to the IEEE/x87 float of their size. */
double decode_complex_part(const struct h5rd_type_info *ti, const unsigned char *p,
                           uint64_t esize, int normalized, int k);

/* numpy's type string for 'type' as the corpus oracle writes it (dtype_str.c): raw text
 * (not JSON-quoted). */
/* Reads one stored variable-length element 'p' of 'type' (info 'ti') into a new buffer that
 * the caller frees (NULL when empty): a string's bytes, or *count_ret elements of *base_ret,
 * *esize_ret bytes each, as h5rd_vlen_read gives them. More than max_nbytes is H5RD_E_LIMIT. */
h5rd_err cli_vlen_fetch(h5rd_file *file, const h5rd_type *type, const struct h5rd_type_info *ti,
                        const unsigned char *p, uint64_t max_nbytes, unsigned char **buf_ret,
                        uint64_t *count_ret, const h5rd_type **base_ret, uint64_t *esize_ret,
                        struct h5rd_error *err);

h5rd_err dtype_str(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err);
/* h5ls-like one-line description of a type ("native int", "String, length = 9, ..."). */
h5rd_err type_text(struct jbuf *b, const h5rd_type *type, struct h5rd_error *err);
/* 1 when 'type' is a compound h5py reads as complex (members "r", "i" of one float type). */
int dtype_is_complex(const h5rd_type *type);

#endif /* H5RD_CLI_JSON_H */
