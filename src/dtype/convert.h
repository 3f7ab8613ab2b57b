/*
 * convert.h - datatype conversion on the read path.
 *
 *  - Normalisation ("file layout, native order", H5RD_MEMTYPE_FILE): every number of a file
 *    type made host byte order and normalised as libhdf5 converts it to the native type of
 *    the same size (precision narrower than the size or a non-zero bit offset: shifted down and
 *    zero/sign-extended; float padding bits cleared; x87 80-bit long doubles in 16 bytes with
 *    their 6 padding bytes zeroed), recursing into compound members and array elements; the
 *    padding of a compound h5py reads through a conversion zeroed (dtype.h, h5py_conv). Floats
 *    h5py widens to a larger numpy float are converted by h5rd__conv_widen instead.
 *  - Numeric conversion to a struct h5rd_memtype (integer/float of any size and byte order)
 *    with libhdf5's default conversion semantics (H5Tconv.c): saturation on overflow,
 *    truncation toward zero for float -> integer, NaN -> 0, round-to-nearest-even between
 *    floats, +/-Inf on float overflow.
 */
#ifndef H5RD_DTYPE_CONVERT_H
#define H5RD_DTYPE_CONVERT_H

#include "internal.h"
#include "dtype/dtype.h"

/* Normalises 'nelem' elements of 't' in 'buf' (file layout, file byte order) in place. */
void h5rd__conv_normalize(const struct h5rd_type *t, uint8_t *buf, uint64_t nelem);

/* True when h5rd__conv_normalize would change nothing (LE host, plain LE numbers...). */
bool h5rd__conv_normalize_is_noop(const struct h5rd_type *t);

/* True when 't' is a float h5py reads without conversion (IEEE half/single/double or x87 in 16
 * bytes, little- or big-endian). */
bool h5rd__conv_float_is_numpy(const struct h5rd_type *t);

/* Bytes of one element as h5py reads type 't' (H5RD_MEMTYPE_FILE): t->info.size, except for a
 * float no numpy float of its size holds, which h5py widens to the smallest one that does
 * (bfloat16 -> f4, 4 bytes with an 11-bit exponent -> f8, x87 in 12 bytes -> 16-byte long
 * double). */
uint64_t h5rd__conv_file_elem_size(const struct h5rd_type *t);

/* Converts 'nelem' elements of a float type that h5rd__conv_file_elem_size widens from 'in' (file
 * layout, file byte order) to the widened layout, host order, in 'out'
 * (nelem * h5rd__conv_file_elem_size(t) bytes; no overlap). Does nothing for other types. */
void h5rd__conv_widen(const struct h5rd_type *t, const uint8_t *in, uint8_t *out, uint64_t nelem);

/* True when elements of 't' can be converted to 'mt' (integer, float, enum (its integer
 * value), bitfield as unsigned, complex (libhdf5 2.0: part by part to a complex memory type,
 * the real part to an integer or float one; a real number to complex gets a zero imaginary
 * part); not strings, compounds, vlen, references, ...). */
bool h5rd__conv_numeric_ok(const struct h5rd_type *t, const struct h5rd_memtype *mt);

/* Converts 'nelem' elements of 't' from 'in' (file layout, file byte order) to 'mt' in 'out'
 * (nelem * mt->size bytes). 'in' and 'out' may not overlap. */
h5rd_err h5rd__conv_numeric(const struct h5rd_type *t, const struct h5rd_memtype *mt,
                            const uint8_t *in, uint8_t *out, uint64_t nelem,
                            struct h5rd_error *ec);

#endif
