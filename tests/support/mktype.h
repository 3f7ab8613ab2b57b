/*
 * mktype.h - hand-built datatypes for unit tests of conversion and normalisation: what the
 * datatype decoder would produce, without a datatype message.
 */
#ifndef H5RD_TEST_MKTYPE_H
#define H5RD_TEST_MKTYPE_H

#include "dtype/dtype.h"

/* A floating-point type: size, byte order, precision, sign/exponent/mantissa positions and
 * widths, exponent bias and mantissa normalisation (Spec v3.0 IV.A.2.d class 1). */
struct h5rd_type mktype_float(uint64_t size, h5rd_byte_order order, uint32_t prec, uint32_t sp,
                              uint32_t ep, uint32_t es, uint32_t mp, uint32_t ms, uint64_t bias,
                              uint32_t norm);

#endif
