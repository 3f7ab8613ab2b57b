/*
 * select.c - decoding serialized dataspace selections (Spec v3.0 "Dataspace Selection"
 * encodings; libhdf5 H5Sselect.c, H5Shyper.c, H5Spoint.c, H5Sall.c, H5Snone.c) and the queries
 * virtual datasets need: element counts, bounds, unlimited-dimension clipping, and a run
 * iterator in libhdf5's element order. See select.h for the encodings.
 *
 * Invariants: every count read from the file is checked against the bytes actually present
 * before anything is allocated; decoded selections are immutable; nothing here keeps state
 * between calls.
 */
#include "select/select.h"

#include <string.h>

/* Reads one value of 'enc' bytes. */
static uint64_t get_val(struct h5rd_cur *c, unsigned enc)
{
    return h5rd__cur_uvar(c, enc);
}

/* An all-ones value of 'enc' bytes stands for "unlimited" in counts and blocks. */
static uint64_t unlim_of(uint64_t v, unsigned enc)
{
    uint64_t all = enc >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * enc)) - 1);
    return v == all ? H5RD_UNLIMITED : v;
}

static bool valid_enc(unsigned enc)
{
    return enc == 2 || enc == 4 || enc == 8;
}

/* Allocates the regular-form arrays (4 x rank) in one block. */
static h5rd_err alloc_regular(const struct h5rd_file *f, struct h5rd__sel *s, struct h5rd_error *ec)
{
    uint64_t *v = h5rd__calloc(f, (uint64_t)s->rank * 4, sizeof(uint64_t), ec);
    if (v == NULL) {
        return ec->code;
    }
    s->start = v;
    s->stride = v + s->rank;
    s->count = v + 2 * (size_t)s->rank;
    s->block = v + 3 * (size_t)s->rank;
    s->regular = true;
    return H5RD_OK;
}

/* Checks a regular description the way H5S_select_hyperslab does (libhdf5 rejects these
 * when deserializing): no zero stride where count > 1, block <= stride when count > 1, at most
 * one unlimited dimension, and no overflow of the covered range. */
static h5rd_err check_regular(struct h5rd__sel *s, uint64_t at, struct h5rd_error *ec)
{
    s->unlim_dim = -1;
    for (uint32_t i = 0; i < s->rank; i++) {
        bool uc = s->count[i] == H5RD_UNLIMITED, ub = s->block[i] == H5RD_UNLIMITED;
        if (uc || ub) {
            if ((uc && ub) || s->unlim_dim >= 0) {
                return H5RD_CORRUPT(ec, at, "selection: more than one unlimited count or block");
            }
            s->unlim_dim = (int)i;
            if (ub && s->count[i] != 1) {
                return H5RD_CORRUPT(ec, at, "selection: unlimited block with a count other than 1");
            }
            if (uc && (s->block[i] == 0 || s->stride[i] < s->block[i])) {
                return H5RD_CORRUPT(ec, at, "selection: unlimited count with overlapping blocks");
            }
            continue;
        }
        if (s->count[i] == 0 || s->block[i] == 0) {
            continue; /* selects nothing */
        }
        if (s->count[i] > 1 && s->stride[i] < s->block[i]) {
            return H5RD_CORRUPT(ec, at, "selection: hyperslab blocks overlap");
        }
        /* last element = start + stride*(count-1) + block-1 must fit */
        uint64_t t, e;
        if (!h5rd__mul_u64(s->stride[i], s->count[i] - 1, &t) || !h5rd__add_u64(t, s->start[i], &e) ||
            !h5rd__add_u64(e, s->block[i] - 1, &e) || e == H5RD_UNLIMITED) {
            return H5RD_CORRUPT(ec, at, "selection: hyperslab extends past 2^64");
        }
    }
    return H5RD_OK;
}

/* libhdf5 rebuilds a regular description from a block list when the list is the cartesian
 * product of one evenly spaced set of equal blocks per dimension (H5S__hyper_rebuild). With
 * blocks written from libhdf5's span tree, such a list holds exactly prod(count) blocks in C
 * order of their block indexes. */
static h5rd_err try_regular(const struct h5rd_file *f, struct h5rd__sel *s, struct h5rd_error *ec)
{
    uint32_t r = s->rank;
    if (s->n == 0 || r == 0) {
        return H5RD_OK;
    }
    const uint64_t *b0 = s->coords;
    uint64_t st[H5RD_MAX_RANK], sd[H5RD_MAX_RANK], ct[H5RD_MAX_RANK], bk[H5RD_MAX_RANK];
    /* Count per dimension: distinct starts along that dimension, in order, taken from the
     * blocks where all faster dimensions are at their first block. */
    uint64_t expect = 1;
    uint64_t span = 1; /* blocks per step of dimension i (product of faster counts) */
    for (uint32_t ii = r; ii-- > 0;) {
        st[ii] = b0[ii];
        bk[ii] = b0[r + ii] - b0[ii] + 1;
        uint64_t cnt = 1;
        uint64_t stride = 1;
        for (;;) {
            uint64_t idx;
            if (!h5rd__mul_u64(cnt, span, &idx) || idx >= s->n) {
                break;
            }
            const uint64_t *b = s->coords + idx * 2 * r;
            if (b[ii] <= b0[ii]) {
                break; /* wrapped to the next row of a slower dimension */
            }
            bool same_row = true;
            for (uint32_t k = 0; k < ii; k++) {
                if (b[k] != b0[k]) {
                    same_row = false;
                }
            }
            if (!same_row) {
                break;
            }
            uint64_t d = b[ii] - (b0[ii] + (cnt - 1) * stride);
            if (cnt == 1) {
                stride = d;
            } else if (d != stride) {
                return H5RD_OK;
            }
            cnt++;
        }
        ct[ii] = cnt;
        sd[ii] = cnt == 1 ? 1 : stride;
        if (!h5rd__mul_u64(expect, cnt, &expect) || !h5rd__mul_u64(span, cnt, &span)) {
            return H5RD_OK;
        }
    }
    if (expect != s->n) {
        return H5RD_OK;
    }
    /* Verify every block against the pattern (C order of block indexes). */
    uint64_t bi[H5RD_MAX_RANK] = {0};
    for (uint64_t k = 0; k < s->n; k++) {
        const uint64_t *b = s->coords + k * 2 * r;
        for (uint32_t i = 0; i < r; i++) {
            uint64_t lo = st[i] + bi[i] * sd[i];
            if (b[i] != lo || b[r + i] != lo + bk[i] - 1) {
                return H5RD_OK;
            }
        }
        for (uint32_t i = r; i-- > 0;) {
            if (++bi[i] < ct[i]) {
                break;
            }
            bi[i] = 0;
        }
    }
    /* Adjacent blocks (stride == block) are merged by libhdf5's span tree when it rebuilds the
     * selection from the list, so they describe one longer block. */
    for (uint32_t i = 0; i < r; i++) {
        if (ct[i] > 1 && sd[i] < bk[i]) {
            return H5RD_OK;
        }
        if (ct[i] > 1 && sd[i] == bk[i]) {
            bk[i] *= ct[i];
            ct[i] = 1;
            sd[i] = 1;
        }
    }
    H5RD_TRY(alloc_regular(f, s, ec));
    memcpy(s->start, st, r * sizeof(uint64_t));
    memcpy(s->stride, sd, r * sizeof(uint64_t));
    memcpy(s->count, ct, r * sizeof(uint64_t));
    memcpy(s->block, bk, r * sizeof(uint64_t));
    s->unlim_dim = -1;
    return H5RD_OK;
}

static h5rd_err decode_points(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t max_n,
                              struct h5rd__sel *s, struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    unsigned enc;
    if (s->version == 1) {
        H5RD_TRY(h5rd__cur_need(c, 16));
        h5rd__cur_u32(c); /* reserved */
        h5rd__cur_u32(c); /* length (recomputed below) */
        enc = 4;
    } else if (s->version == 2) {
        H5RD_TRY(h5rd__cur_need(c, 1));
        enc = h5rd__cur_u8(c);
        if (!valid_enc(enc)) {
            return H5RD_CORRUPT(ec, at, "selection: unknown encoded size of point coordinates");
        }
    } else {
        return H5RD_CORRUPT(ec, at, "selection: unknown point selection version");
    }
    H5RD_TRY(h5rd__cur_need(c, 4 + (uint64_t)enc));
    s->rank = h5rd__cur_u32(c);
    s->n = get_val(c, enc);
    H5RD_TRY(h5rd__cur_finish(c));
    if (s->rank == 0 || s->rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(ec, at, "selection: point selection rank out of range");
    }
    if (s->n > max_n) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, at, "selection: too many points");
    }
    uint64_t nvals, nbytes;
    if (!h5rd__mul_u64(s->n, s->rank, &nvals) || !h5rd__mul_u64(nvals, enc, &nbytes)) {
        return H5RD_CORRUPT(ec, at, "selection: point count overflows");
    }
    H5RD_TRY(h5rd__cur_need(c, nbytes));
    s->coords = h5rd__calloc(f, nvals, sizeof(uint64_t), ec);
    if (s->coords == NULL) {
        return ec->code;
    }
    for (uint64_t i = 0; i < nvals; i++) {
        s->coords[i] = get_val(c, enc);
    }
    return h5rd__cur_finish(c);
}

static h5rd_err decode_hyper(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t max_n,
                             struct h5rd__sel *s, struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    unsigned enc;
    uint8_t flags = 0;
    if (s->version == 1) {
        H5RD_TRY(h5rd__cur_need(c, 8));
        h5rd__cur_u32(c); /* reserved */
        h5rd__cur_u32(c); /* length */
        enc = 4;
    } else if (s->version == 2) {
        H5RD_TRY(h5rd__cur_need(c, 5));
        flags = h5rd__cur_u8(c);
        h5rd__cur_u32(c); /* length */
        enc = 8;
    } else if (s->version == 3) {
        H5RD_TRY(h5rd__cur_need(c, 2));
        flags = h5rd__cur_u8(c);
        enc = h5rd__cur_u8(c);
        if (!valid_enc(enc)) {
            return H5RD_CORRUPT(ec, at, "selection: unknown encoded size of hyperslab values");
        }
    } else {
        return H5RD_CORRUPT(ec, at, "selection: unknown hyperslab selection version");
    }
    if ((flags & ~1u) != 0) {
        return H5RD_CORRUPT(ec, at, "selection: unknown hyperslab flags");
    }
    s->enc_size = (uint8_t)enc;
    H5RD_TRY(h5rd__cur_need(c, 4));
    s->rank = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (s->rank == 0 || s->rank > H5RD_MAX_RANK) {
        return H5RD_CORRUPT(ec, at, "selection: hyperslab rank out of range");
    }
    if (flags & 1u) {
        s->stored_regular = true;
        H5RD_TRY(h5rd__cur_need(c, (uint64_t)s->rank * 4 * enc));
        H5RD_TRY(alloc_regular(f, s, ec));
        for (uint32_t i = 0; i < s->rank; i++) {
            s->start[i] = get_val(c, enc);
            s->stride[i] = get_val(c, enc);
            s->count[i] = unlim_of(get_val(c, enc), enc);
            s->block[i] = unlim_of(get_val(c, enc), enc);
        }
        H5RD_TRY(h5rd__cur_finish(c));
        return check_regular(s, at, ec);
    }
    H5RD_TRY(h5rd__cur_need(c, enc));
    s->n = get_val(c, enc);
    H5RD_TRY(h5rd__cur_finish(c));
    if (s->n > max_n) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, at, "selection: too many hyperslab blocks");
    }
    uint64_t nvals, nbytes;
    if (!h5rd__mul_u64(s->n, 2 * (uint64_t)s->rank, &nvals) || !h5rd__mul_u64(nvals, enc, &nbytes)) {
        return H5RD_CORRUPT(ec, at, "selection: block count overflows");
    }
    H5RD_TRY(h5rd__cur_need(c, nbytes));
    s->coords = h5rd__calloc(f, nvals, sizeof(uint64_t), ec);
    if (s->coords == NULL) {
        return ec->code;
    }
    for (uint64_t i = 0; i < nvals; i++) {
        s->coords[i] = get_val(c, enc);
    }
    H5RD_TRY(h5rd__cur_finish(c));
    for (uint64_t k = 0; k < s->n; k++) {
        const uint64_t *b = s->coords + k * 2 * s->rank;
        for (uint32_t i = 0; i < s->rank; i++) {
            if (b[i] > b[s->rank + i] || b[s->rank + i] == UINT64_MAX) {
                return H5RD_CORRUPT(ec, at, "selection: hyperslab block ends before it starts");
            }
        }
    }
    s->unlim_dim = -1;
    return try_regular(f, s, ec);
}

h5rd_err h5rd__sel_decode(const struct h5rd_file *f, struct h5rd_cur *c, uint64_t max_n,
                          struct h5rd__sel *out, struct h5rd_error *ec)
{
    struct h5rd__sel s;
    memset(&s, 0, sizeof s);
    s.unlim_dim = -1;
    uint64_t at = h5rd__cur_addr_here(c);
    h5rd_err e = h5rd__cur_need(c, 8);
    if (e != H5RD_OK) {
        return e;
    }
    uint32_t type = h5rd__cur_u32(c);
    uint32_t version = h5rd__cur_u32(c);
    if (version == 0 || version > 3) {
        return H5RD_CORRUPT(ec, at, "selection: unknown selection version");
    }
    s.type = (uint8_t)type;
    s.version = (uint8_t)version;
    s.enc_size = 4;
    switch (type) {
    case H5RD__SEL_NONE:
    case H5RD__SEL_ALL:
        /* Version 1 only: 4 reserved bytes and a zero length (H5S__all_deserialize skips 8). */
        if (version != 1) {
            e = H5RD_CORRUPT(ec, at, "selection: unknown none/all selection version");
            break;
        }
        e = h5rd__cur_skip(c, 8);
        break;
    case H5RD__SEL_POINTS:
        e = decode_points(f, c, max_n, &s, ec);
        break;
    case H5RD__SEL_HYPER:
        e = decode_hyper(f, c, max_n, &s, ec);
        break;
    default:
        e = H5RD_CORRUPT(ec, at, "selection: unknown selection type");
        break;
    }
    if (e != H5RD_OK) {
        h5rd__sel_free(f, &s);
        return e;
    }
    *out = s;
    return H5RD_OK;
}

void h5rd__sel_free(const struct h5rd_file *f, struct h5rd__sel *s)
{
    if (s == NULL) {
        return;
    }
    h5rd__free(f, s->start); /* start owns the four regular arrays */
    h5rd__free(f, s->coords);
    memset(s, 0, sizeof *s);
    s->unlim_dim = -1;
}

h5rd_err h5rd__sel_npoints(const struct h5rd__sel *s, uint32_t rank, const uint64_t *dims,
                           uint64_t *n_ret, struct h5rd_error *ec)
{
    uint64_t n = 0;
    switch (s->type) {
    case H5RD__SEL_NONE:
        n = 0;
        break;
    case H5RD__SEL_ALL:
        if (!h5rd__prod_u64(dims, rank, &n)) {
            return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "selection: element count overflows");
        }
        break;
    case H5RD__SEL_POINTS:
        n = s->n;
        break;
    default:
        if (s->regular) {
            if (s->unlim_dim >= 0) {
                n = H5RD_UNLIMITED;
                break;
            }
            n = 1;
            for (uint32_t i = 0; i < s->rank; i++) {
                if (!h5rd__mul_u64(n, s->count[i], &n) || !h5rd__mul_u64(n, s->block[i], &n)) {
                    return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "selection: element count overflows");
                }
            }
            break;
        }
        /* Block list: libhdf5's blocks never overlap (its span tree merges them). */
        for (uint64_t k = 0; k < s->n; k++) {
            const uint64_t *b = s->coords + k * 2 * s->rank;
            uint64_t m = 1;
            for (uint32_t i = 0; i < s->rank; i++) {
                if (!h5rd__mul_u64(m, b[s->rank + i] - b[i] + 1, &m)) {
                    return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "selection: element count overflows");
                }
            }
            if (!h5rd__add_u64(n, m, &n)) {
                return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "selection: element count overflows");
            }
        }
        break;
    }
    *n_ret = n;
    return H5RD_OK;
}

bool h5rd__sel_bounds(const struct h5rd__sel *s, uint32_t rank, const uint64_t *dims,
                      uint64_t *start, uint64_t *end)
{
    switch (s->type) {
    case H5RD__SEL_NONE:
        return false;
    case H5RD__SEL_ALL:
        for (uint32_t i = 0; i < rank; i++) {
            if (dims[i] == 0) {
                return false;
            }
            start[i] = 0;
            end[i] = dims[i] - 1;
        }
        return true;
    case H5RD__SEL_POINTS:
    default:
        if (s->regular) {
            for (uint32_t i = 0; i < s->rank; i++) {
                if (s->count[i] == 0 || s->block[i] == 0) {
                    return false;
                }
                start[i] = s->start[i];
                if ((int)i == s->unlim_dim) {
                    end[i] = H5RD_UNLIMITED;
                } else {
                    end[i] = s->start[i] + s->stride[i] * (s->count[i] - 1) + s->block[i] - 1;
                }
            }
            return true;
        }
        if (s->n == 0) {
            return false;
        }
        {
            uint32_t r = s->rank;
            bool is_pts = s->type == H5RD__SEL_POINTS;
            uint64_t step = is_pts ? r : 2 * (uint64_t)r;
            for (uint32_t i = 0; i < r; i++) {
                start[i] = UINT64_MAX;
                end[i] = 0;
            }
            for (uint64_t k = 0; k < s->n; k++) {
                const uint64_t *b = s->coords + k * step;
                for (uint32_t i = 0; i < r; i++) {
                    uint64_t lo = b[i], hi = is_pts ? b[i] : b[r + i];
                    start[i] = lo < start[i] ? lo : start[i];
                    end[i] = hi > end[i] ? hi : end[i];
                }
            }
        }
        return true;
    }
}

/* libhdf5 H5S__hyper_get_clip_diminfo + H5S_hyper_get_clip_extent_match's slice count. */
uint64_t h5rd__sel_unlim_slices(const struct h5rd__sel *s, uint64_t clip)
{
    if (!s->regular || s->unlim_dim < 0) {
        return 0;
    }
    int u = s->unlim_dim;
    uint64_t start = s->start[u], stride = s->stride[u];
    uint64_t count = s->count[u], block = s->block[u];
    if (start >= clip) {
        return 0;
    }
    if (block == H5RD_UNLIMITED || block == stride) {
        return clip - start; /* one block reaching the clip */
    }
    count = ((clip - start) + stride - 1) / stride;
    if (count == 1) {
        return block < clip - start ? block : clip - start;
    }
    uint64_t n = block * count;
    uint64_t reach = stride * (count - 1) + block;
    if (reach > clip - start) {
        n -= reach - (clip - start);
    }
    return n;
}

/* libhdf5 H5S__hyper_get_clip_extent_real. */
uint64_t h5rd__sel_unlim_extent(const struct h5rd__sel *s, uint64_t nslices, bool incl_trail)
{
    if (!s->regular || s->unlim_dim < 0) {
        return 0;
    }
    int u = s->unlim_dim;
    uint64_t start = s->start[u], stride = s->stride[u], block = s->block[u];
    if (nslices == 0) {
        return incl_trail ? start : 0;
    }
    if (block == H5RD_UNLIMITED || block == stride) {
        return start + nslices;
    }
    uint64_t count = nslices / block;
    uint64_t rem = nslices - count * block;
    if (rem > 0) {
        return start + count * stride + rem;
    }
    return incl_trail ? start + count * stride : start + (count - 1) * stride + block;
}

/* ---- iterator ---------------------------------------------------------------------------- */

/* Irregular block lists are walked in C order by treating them as libhdf5's span tree: blocks
 * that share their ranges in dimensions 0..d-1 are consecutive, and within such a group the
 * dimension-d ranges increase without overlapping. 'grp_lo/hi' delimit the group at depth d.
 * Checked once at init so iteration can trust it. */
static bool canonical_group(const struct h5rd__sel *s, uint64_t lo, uint64_t hi, uint32_t d)
{
    uint32_t r = s->rank;
    if (d + 1 >= r) {
        /* last dimension: each block a run, increasing and disjoint */
        for (uint64_t k = lo + 1; k < hi; k++) {
            const uint64_t *p = s->coords + (k - 1) * 2 * r, *q = s->coords + k * 2 * r;
            if (q[d] <= p[r + d]) {
                return false;
            }
        }
        return true;
    }
    uint64_t k = lo;
    uint64_t prev_end = 0;
    bool first = true;
    while (k < hi) {
        const uint64_t *b = s->coords + k * 2 * r;
        uint64_t j = k + 1;
        while (j < hi) {
            const uint64_t *q = s->coords + j * 2 * r;
            if (q[d] != b[d] || q[r + d] != b[r + d]) {
                break;
            }
            j++;
        }
        if (!first && b[d] <= prev_end) {
            return false;
        }
        first = false;
        prev_end = b[r + d];
        if (!canonical_group(s, k, j, d + 1)) {
            return false;
        }
        k = j;
    }
    return true;
}

h5rd_err h5rd__sel_iter_init(struct h5rd__sel_iter *it, const struct h5rd__sel *s, uint32_t rank,
                             const uint64_t *dims, struct h5rd_error *ec)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    it->rank = rank;
    if (rank > H5RD_MAX_RANK || (s->rank != 0 && s->rank != rank)) {
        return H5RD_FAIL(ec, H5RD_E_RANGE, H5RD_ADDR_UNDEF, "selection: rank differs from the dataspace");
    }
    memcpy(it->dims, dims, rank * sizeof(uint64_t));
    switch (s->type) {
    case H5RD__SEL_NONE:
        it->done = true;
        return H5RD_OK;
    case H5RD__SEL_ALL:
        for (uint32_t i = 0; i < rank; i++) {
            it->st[i] = 0;
            it->sd[i] = 1;
            it->ct[i] = 1;
            it->bk[i] = dims[i];
            if (dims[i] == 0) {
                it->done = true;
            }
        }
        return H5RD_OK;
    case H5RD__SEL_POINTS:
        it->done = s->n == 0;
        return H5RD_OK;
    default:
        break;
    }
    if (!s->regular) {
        if (s->n > 0 && !canonical_group(s, 0, s->n, 0)) {
            return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                             "selection: hyperslab block list not in libhdf5's order");
        }
        it->done = s->n == 0;
        return H5RD_OK;
    }
    for (uint32_t i = 0; i < rank; i++) {
        it->st[i] = s->start[i];
        it->sd[i] = s->stride[i];
        it->ct[i] = s->count[i];
        it->bk[i] = s->block[i];
        if ((int)i == s->unlim_dim) {
            /* Clip to the extent (H5S_hyper_clip_unlim): blocks wholly or partly inside. */
            uint64_t clip = dims[i];
            if (s->start[i] >= clip) {
                it->ct[i] = 0;
            } else if (s->block[i] == H5RD_UNLIMITED) {
                it->bk[i] = clip - s->start[i];
            } else {
                it->ct[i] = ((clip - s->start[i]) + s->stride[i] - 1) / s->stride[i];
            }
        }
        if (it->ct[i] == 0 || it->bk[i] == 0) {
            it->done = true;
        }
    }
    return H5RD_OK;
}

/* Length of block 'b' in dimension i, clipped to the extent for an unlimited dimension. */
static uint64_t blk_len(const struct h5rd__sel_iter *it, uint32_t i)
{
    uint64_t lo = it->st[i] + it->bi[i] * it->sd[i];
    uint64_t n = it->bk[i];
    if (it->s->type == H5RD__SEL_HYPER && (int)i == it->s->unlim_dim && lo + n > it->dims[i]) {
        n = it->dims[i] > lo ? it->dims[i] - lo : 0;
    }
    return n;
}

static bool next_irregular(struct h5rd__sel_iter *it, uint64_t *coords, uint64_t *len);

bool h5rd__sel_iter_next(struct h5rd__sel_iter *it, uint64_t *coords, uint64_t *len)
{
    if (it->done) {
        return false;
    }
    const struct h5rd__sel *s = it->s;
    uint32_t r = it->rank;
    if (s->type == H5RD__SEL_POINTS) {
        memcpy(coords, s->coords + it->pos * r, r * sizeof(uint64_t));
        *len = 1;
        if (++it->pos >= s->n) {
            it->done = true;
        }
        return true;
    }
    if (s->type == H5RD__SEL_HYPER && !s->regular) {
        return next_irregular(it, coords, len);
    }
    if (r == 0) {
        /* scalar "all": one element */
        *len = 1;
        it->done = true;
        return true;
    }
    for (uint32_t i = 0; i < r; i++) {
        coords[i] = it->st[i] + it->bi[i] * it->sd[i] + it->ei[i];
    }
    *len = blk_len(it, r - 1);
    /* Advance: the last dimension moves block by block; slower dimensions element by element
     * inside a block, then to the next block (C order of elements). */
    it->bi[r - 1]++;
    if (it->bi[r - 1] < it->ct[r - 1]) {
        return true;
    }
    it->bi[r - 1] = 0;
    for (uint32_t i = r - 1; i-- > 0;) {
        if (++it->ei[i] < blk_len(it, i)) {
            return true;
        }
        it->ei[i] = 0;
        if (++it->bi[i] < it->ct[i]) {
            return true;
        }
        it->bi[i] = 0;
    }
    it->done = true;
    return true;
}

/*
 * Irregular walk. State: for depth d < rank-1, it->bi[d]/it->ct[d] hold the block-index range
 * [lo, hi) of the current group (blocks sharing dims 0..d), it->ei[d] the current coordinate in
 * dimension d. At the last dimension it->pos is the next block of the innermost group.
 * it->st[d] holds the group's end index at depth d (reused storage).
 */
static void irr_enter(struct h5rd__sel_iter *it, uint32_t d, uint64_t lo, uint64_t parent_hi)
{
    const struct h5rd__sel *s = it->s;
    uint32_t r = s->rank;
    for (; d + 1 < r; d++) {
        const uint64_t *b = s->coords + lo * 2 * r;
        uint64_t j = lo + 1;
        while (j < parent_hi) {
            const uint64_t *q = s->coords + j * 2 * r;
            if (q[d] != b[d] || q[r + d] != b[r + d]) {
                break;
            }
            j++;
        }
        it->bi[d] = lo;
        it->ct[d] = j;
        it->sd[d] = parent_hi;
        it->ei[d] = b[d];
        parent_hi = j;
    }
    it->pos = lo;
}

static bool next_irregular(struct h5rd__sel_iter *it, uint64_t *coords, uint64_t *len)
{
    const struct h5rd__sel *s = it->s;
    uint32_t r = s->rank;
    if (!it->bk[0]) {
        /* first call: enter the first groups */
        it->bk[0] = 1;
        irr_enter(it, 0, 0, s->n);
    }
    const uint64_t *b = s->coords + it->pos * 2 * r;
    for (uint32_t d = 0; d + 1 < r; d++) {
        coords[d] = it->ei[d];
    }
    coords[r - 1] = b[r - 1];
    *len = b[2 * r - 1] - b[r - 1] + 1;
    /* advance */
    uint64_t inner_hi = r >= 2 ? it->ct[r - 2] : s->n;
    if (++it->pos < inner_hi) {
        return true;
    }
    for (uint32_t d = r - 1; d-- > 0;) {
        const uint64_t *g = s->coords + it->bi[d] * 2 * r;
        if (it->ei[d] < g[r + d]) {
            it->ei[d]++;
            /* restart the deeper groups inside this group at the new coordinate */
            uint64_t lo = it->bi[d], hi = it->ct[d];
            if (d + 2 < r) {
                irr_enter(it, d + 1, lo, hi);
            } else {
                it->pos = lo;
            }
            return true;
        }
        /* next group at depth d */
        uint64_t next = it->ct[d];
        if (next < it->sd[d]) {
            irr_enter(it, d, next, it->sd[d]);
            return true;
        }
    }
    it->done = true;
    return true;
}
