/* mktype.c - hand-built datatypes for unit tests (mktype.h). */
#include "mktype.h"

#include <string.h>

struct h5rd_type mktype_float(uint64_t size, h5rd_byte_order order, uint32_t prec, uint32_t sp,
                              uint32_t ep, uint32_t es, uint32_t mp, uint32_t ms, uint64_t bias,
                              uint32_t norm)
{
    struct h5rd_type t;
    memset(&t, 0, sizeof t);
    t.tag = (char *)"";
    t.info.tag = "";
    t.info.cls = H5RD_CLASS_FLOAT;
    t.info.size = size;
    t.info.order = order;
    t.info.precision = prec;
    t.info.sign_pos = sp;
    t.info.exp_pos = ep;
    t.info.exp_nbits = es;
    t.info.mant_pos = mp;
    t.info.mant_nbits = ms;
    t.info.exp_bias = bias;
    t.info.mant_norm = norm;
    return t;
}
