/*
 * nbit.c - filter 5, N-bit (libhdf5 src/H5Znbit.c). libhdf5 stores the whole datatype
 * description in cd_values at dataset creation ("set local"):
 *   [0] number of values, [1] 1 = nothing to do (the data is stored as is), [2] elements per
 *   chunk, then a type description starting at [3]: class, size, and per class
 *     1 atomic (integer/float): order (0 LE, 1 BE), precision, offset
 *     2 array: base class, then the base type's description (its size first)
 *     3 compound: number of members, then per member: offset, class, the member description
 *     4 no-op (any other class): nothing more; the bytes are packed whole.
 * Packed bits form one MSB-first bit stream: for each element, the bytes holding significant
 * bits are visited from the most significant one, and each contributes its significant bits.
 * Decoding writes the bits back at their precision/offset positions in a zeroed element, so
 * padding (and a signed value's high bits) stay zero, as libhdf5 leaves them.
 *
 * Quirk kept from libhdf5 (its encoder has it too, so data is consistent with it): after an
 * array or compound nested inside an array, the parameter index is rewound to the start of
 * the nested description instead of moving past it.
 *
 * Invariants beyond libhdf5's own checks: every nested array/compound must fit in its slot,
 * every write is bounds-checked, sizes are never 0, and recursion is limited by
 * limits.max_dtype_depth, so hostile parameters cost at most O(output x depth) work.
 */
#include "filter/filter.h"

#include <string.h>

#define NBIT_ATOMIC 1
#define NBIT_ARRAY 2
#define NBIT_COMPOUND 3
#define NBIT_NOOPTYPE 4

struct nb {
    const uint8_t *in;
    size_t in_n;
    size_t j;          /* current input byte */
    unsigned left;     /* bits not yet consumed in in[j] (8 .. 1) */
    uint8_t *out;
    size_t out_cap;
    const uint32_t *parms;
    size_t np;
    uint32_t max_depth;
    struct h5rd_error *ec;
};

struct atomic {
    uint32_t size, order, precision, offset;
};

static bool avail(const struct nb *s, size_t idx, size_t n)
{
    return s->np >= n && idx <= s->np - n;
}

/* Reads the next 'n' (1..8) bits of the MSB-first stream. */
static h5rd_err read_bits(struct nb *s, unsigned n, unsigned *v)
{
    unsigned val = 0;
    while (n > 0) {
        if (s->j >= s->in_n) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: packed data is truncated");
        }
        unsigned take = n < s->left ? n : s->left;
        unsigned bits = (s->in[s->j] >> (s->left - take)) & ((1u << take) - 1u);
        val = (val << take) | bits;
        n -= take;
        s->left -= take;
        if (s->left == 0) {
            s->j++;
            s->left = 8;
        }
    }
    *v = val;
    return H5RD_OK;
}

static h5rd_err check_atomic(struct nb *s, const struct atomic *p)
{
    if (p->size == 0 || p->precision == 0 || (uint64_t)p->precision > (uint64_t)p->size * 8 ||
        (uint64_t)p->precision + p->offset > (uint64_t)p->size * 8 || p->order > 1) {
        return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: invalid precision/offset parameters");
    }
    return H5RD_OK;
}

static h5rd_err fits(struct nb *s, size_t at, uint64_t n)
{
    if (at > s->out_cap || n > s->out_cap - at) {
        return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: type description exceeds the chunk");
    }
    return H5RD_OK;
}

/* One byte k of an atomic element (H5Z__nbit_decompress_one_byte). */
static h5rd_err one_byte(struct nb *s, size_t at, unsigned k, unsigned begin_i, unsigned end_i,
                         const struct atomic *p)
{
    unsigned len, shift = 0;
    uint64_t dlen = (uint64_t)p->size * 8;
    if (begin_i != end_i) {
        if (k == begin_i) {
            len = 8 - (unsigned)((dlen - p->precision - p->offset) % 8);
        } else if (k == end_i) {
            len = 8 - p->offset % 8;
            shift = 8 - len;
        } else {
            len = 8;
        }
    } else {
        shift = p->offset % 8;
        len = p->precision;
    }
    unsigned v = 0;
    H5RD_TRY(read_bits(s, len, &v));
    s->out[at + k] = (uint8_t)(v << shift);
    return H5RD_OK;
}

static h5rd_err one_atomic(struct nb *s, size_t at, const struct atomic *p)
{
    H5RD_TRY(fits(s, at, p->size));
    uint64_t dlen = (uint64_t)p->size * 8;
    unsigned begin_i, end_i;
    if (p->order == 0) {
        uint64_t top = (uint64_t)p->precision + p->offset;
        begin_i = (unsigned)(top % 8 != 0 ? top / 8 : top / 8 - 1);
        end_i = p->offset / 8;
        for (unsigned k = begin_i + 1; k-- > end_i;) {
            H5RD_TRY(one_byte(s, at, k, begin_i, end_i, p));
        }
    } else {
        begin_i = (unsigned)((dlen - p->precision - p->offset) / 8);
        uint64_t lo = (dlen - p->offset) / 8;
        end_i = (unsigned)(p->offset % 8 != 0 ? lo : lo - 1);
        for (unsigned k = begin_i; k <= end_i; k++) {
            H5RD_TRY(one_byte(s, at, k, begin_i, end_i, p));
        }
    }
    return H5RD_OK;
}

static h5rd_err one_nooptype(struct nb *s, size_t at, uint32_t size)
{
    H5RD_TRY(fits(s, at, size));
    for (uint32_t i = 0; i < size; i++) {
        unsigned v = 0;
        H5RD_TRY(read_bits(s, 8, &v));
        s->out[at + i] = (uint8_t)v;
    }
    return H5RD_OK;
}

static h5rd_err one_compound(struct nb *s, size_t at, size_t *idx, uint32_t depth);

static h5rd_err one_array(struct nb *s, size_t at, size_t *idx, uint32_t depth)
{
    if (depth > s->max_depth) {
        return H5RD_FAIL(s->ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "nbit: types nested too deeply");
    }
    if (!avail(s, *idx, 2)) {
        return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: parameters end inside an array type");
    }
    uint32_t total = s->parms[(*idx)++];
    uint32_t base_class = s->parms[(*idx)++];
    H5RD_TRY(fits(s, at, total));
    switch (base_class) {
    case NBIT_ATOMIC: {
        if (!avail(s, *idx, 4)) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                "nbit: parameters end inside an array type");
        }
        struct atomic p;
        p.size = s->parms[(*idx)++];
        p.order = s->parms[(*idx)++];
        p.precision = s->parms[(*idx)++];
        p.offset = s->parms[(*idx)++];
        H5RD_TRY(check_atomic(s, &p));
        uint32_t n = total / p.size;
        for (uint32_t i = 0; i < n; i++) {
            H5RD_TRY(one_atomic(s, at + (size_t)i * p.size, &p));
        }
        return H5RD_OK;
    }
    case NBIT_ARRAY:
    case NBIT_COMPOUND: {
        if (!avail(s, *idx, 1)) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                "nbit: parameters end inside an array type");
        }
        uint32_t base = s->parms[*idx]; /* the nested description starts with its size */
        if (base == 0) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: array base size is 0");
        }
        uint32_t n = total / base;
        size_t begin = *idx;
        for (uint32_t i = 0; i < n; i++) {
            size_t at_i = at + (size_t)i * base;
            H5RD_TRY(base_class == NBIT_ARRAY ? one_array(s, at_i, idx, depth + 1)
                                               : one_compound(s, at_i, idx, depth + 1));
            *idx = begin; /* libhdf5's rewind, see the file comment */
        }
        return H5RD_OK;
    }
    case NBIT_NOOPTYPE:
        if (!avail(s, *idx, 1)) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                "nbit: parameters end inside an array type");
        }
        (*idx)++;
        return one_nooptype(s, at, total);
    default:
        return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: invalid array base class");
    }
}

static h5rd_err one_compound(struct nb *s, size_t at, size_t *idx, uint32_t depth)
{
    if (depth > s->max_depth) {
        return H5RD_FAIL(s->ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "nbit: types nested too deeply");
    }
    if (!avail(s, *idx, 2)) {
        return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: parameters end inside a compound type");
    }
    uint32_t size = s->parms[(*idx)++];
    uint32_t nmembers = s->parms[(*idx)++];
    H5RD_TRY(fits(s, at, size));
    uint64_t used = 0;
    for (uint32_t i = 0; i < nmembers; i++) {
        if (!avail(s, *idx, 3)) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                "nbit: parameters end inside a compound type");
        }
        uint32_t moff = s->parms[(*idx)++];
        uint32_t mclass = s->parms[(*idx)++];
        uint32_t msize = s->parms[*idx];
        used += msize;
        if (msize == 0 || used > size || (uint64_t)moff + msize > size) {
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                "nbit: compound member exceeds the compound");
        }
        size_t mat = at + moff;
        switch (mclass) {
        case NBIT_ATOMIC: {
            if (!avail(s, *idx, 4)) {
                return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF,
                                    "nbit: parameters end inside a compound type");
            }
            struct atomic p;
            p.size = msize;
            (*idx)++;
            p.order = s->parms[(*idx)++];
            p.precision = s->parms[(*idx)++];
            p.offset = s->parms[(*idx)++];
            H5RD_TRY(check_atomic(s, &p));
            H5RD_TRY(one_atomic(s, mat, &p));
            break;
        }
        case NBIT_ARRAY:
            H5RD_TRY(one_array(s, mat, idx, depth + 1));
            break;
        case NBIT_COMPOUND:
            H5RD_TRY(one_compound(s, mat, idx, depth + 1));
            break;
        case NBIT_NOOPTYPE:
            (*idx)++;
            H5RD_TRY(one_nooptype(s, mat, msize));
            break;
        default:
            return H5RD_CORRUPT(s->ec, H5RD_ADDR_UNDEF, "nbit: invalid compound member class");
        }
    }
    return H5RD_OK;
}

h5rd_err h5rd__filter_nbit_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec)
{
    (void)type;
    const uint32_t *cd = flt->values;
    if (flt->n_values < 5 || cd[0] != flt->n_values) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: invalid parameter count");
    }
    if (cd[1] != 0) {
        /* The datatype had nothing to pack: libhdf5 stored the data unchanged. */
        if (in_n > out_cap) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: data larger than the chunk size");
        }
        memcpy(out, in, in_n);
        *out_n = in_n;
        return H5RD_OK;
    }
    uint64_t nelem = cd[2], size = cd[4], total;
    if (size == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: datatype size is 0");
    }
    if (!h5rd__mul_u64(nelem, size, &total) || total > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: element count exceeds the chunk size");
    }
    struct nb s = {in, in_n, 0, 8, out, out_cap, cd, flt->n_values,
                   f->limits.max_dtype_depth, ec};
    memset(out, 0, (size_t)total);
    switch (cd[3]) {
    case NBIT_ATOMIC: {
        if (!avail(&s, 0, 8)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: parameters end inside an atomic type");
        }
        struct atomic p = {cd[4], cd[5], cd[6], cd[7]};
        H5RD_TRY(check_atomic(&s, &p));
        for (uint64_t i = 0; i < nelem; i++) {
            H5RD_TRY(one_atomic(&s, (size_t)(i * size), &p));
        }
        break;
    }
    case NBIT_ARRAY:
    case NBIT_COMPOUND:
        for (uint64_t i = 0; i < nelem; i++) {
            size_t idx = 4;
            H5RD_TRY(cd[3] == NBIT_ARRAY ? one_array(&s, (size_t)(i * size), &idx, 1)
                                         : one_compound(&s, (size_t)(i * size), &idx, 1));
        }
        break;
    default:
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "nbit: invalid datatype class");
    }
    *out_n = (size_t)total;
    return H5RD_OK;
}
