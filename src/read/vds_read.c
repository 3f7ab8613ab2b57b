/*
 * vds_read.c - reading a virtual dataset (Spec v3.0 IV.A.2.i "The Data Layout Message", layout
 * class 3; III.F "Global Heap Block for Virtual Datasets") the way libhdf5 does it (H5Dvirtual.c
 * H5D__virtual_read, H5D__virtual_pre_io, H5D__virtual_read_one):
 *
 *   1. every selected element gets the virtual dataset's fill value (libhdf5 fills the part of
 *      the selection no open source covers; filling everything first gives the same bytes) -
 *      unless the open sources' parts add up to at least the selection (overlapping mappings
 *      count twice): libhdf5 then skips the fill and the unmapped part keeps whatever the
 *      buffer held; h5rd writes zeros there, which is what h5py shows;
 *   2. for each mapping in stored order, and for a printf mapping each of its blocks, the
 *      elements of the virtual selection (clipped as libhdf5 clips it) that the caller selected
 *      are read from the paired elements of the source selection, through the engine's whole
 *      dataset read (h5rd__read_dview, read/dview.c) of the source opened with the dataset
 *      (src/file/vds_open.c): what h5rd_dataset_read on the source's handle does. Later
 *      mappings overwrite earlier ones, as libhdf5's reads do. A source that could not be opened keeps the fill value
 *      (or, with H5RD_READ_MISSING_SOURCE_ERROR, fails the read with NOT_FOUND).
 *
 * Pairing: libhdf5 pairs the virtual and the source selection element by element in their
 * iteration order (C order for hyperslabs and "all", list order for points). A regular
 * hyperslab (or "all") is a product of one sorted coordinate set per dimension ("product
 * form" below), so the k-th element is found arithmetically. When the virtual and the source
 * selection have the same per-dimension sizes once the dimensions of size 1 are dropped (frames
 * of a detector, halves, side-by-side tiles, strided interleaving...), the pairing is a product
 * of per-dimension maps: the read becomes a few source hyperslab reads, placed in the caller's
 * buffer directly when the placement is contiguous, else scattered by runs. Anything else
 * (points, irregular block lists, differently shaped selections, point selections of the
 * caller) pairs element ranks explicitly and reads the source with a point selection.
 *
 * Types: the output type is the caller's numeric memory type, or the virtual dataset's own type
 * normalised (H5RD_MEMTYPE_FILE). Sources are read converted straight to the output type (what
 * libhdf5 does: the source read uses the caller's memory type).
 *
 * Invariants: no state outside the call (the sources are shared read-only handles, so any
 * number of threads may read one virtual dataset at once); every allocation is bounded by the
 * caller's selection size or limits.max_alloc_nbytes; every loop is bounded by the selection
 * sizes or by the stored point/block lists.
 */
#include "read/read.h"
#include "vds/vds.h"

#include "dtype/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_CAP ((uint64_t)32 << 20) /* bytes staged per source read before scattering */
#define PAIR_BATCH ((uint64_t)1 << 20) /* point-selection reads: elements per read */

/* One dimension of a product-form selection: the first n coordinates of the sequence
 * start + i*stride + j (j < block) in increasing order. stride >= block >= 1 when n > 0. */
struct dim {
    uint64_t start, stride, block, n;
};

struct pform {
    uint32_t rank;
    struct dim d[H5RD_MAX_RANK];
};

/* A coordinate selected by both the virtual selection (its index k there) and the caller's
 * selection (its index p there), along one dimension. */
struct ent {
    uint64_t k, p;
};

/* A rank in the virtual selection and where that element goes in the output. */
struct pair {
    uint64_t r, o;
};

/* Runs of source coordinates along one dimension, grouped as a regular hyperslab: entries
 * [first, first + count*block) of that dimension's list. */
struct grp {
    uint64_t first, start, stride, count, block;
};

struct rd {
    const struct h5rd__dview *o;     /* the virtual dataset */
    const struct h5rd_file *f;
    uint32_t rank;
    const uint64_t *dims;            /* current extent */
    const struct h5rd_memtype *mt;   /* output memory type; NULL: the VDS type normalised */
    uint64_t osize;
    uint8_t *out;
    uint64_t np;
    uint32_t nthreads, flags;        /* passed to the source reads */
    /* the caller's selection */
    bool s_points;
    const uint64_t *pts;             /* points: np x rank */
    uint64_t *porder;                /* points sorted by coordinates (built on first use) */
    struct pform S;
    uint64_t odown[H5RD_MAX_RANK];   /* output stride of each dimension (hyperslab / all) */
    /* scratch, per call */
    struct ent *L[H5RD_MAX_RANK];
    uint64_t nL[H5RD_MAX_RANK];
    uint64_t *ce[H5RD_MAX_RANK], *oe[H5RD_MAX_RANK];
    uint64_t cap_c[H5RD_MAX_RANK], cap_o[H5RD_MAX_RANK];
    struct grp *g[H5RD_MAX_RANK];
    uint64_t ng[H5RD_MAX_RANK], cap_g[H5RD_MAX_RANK];
    uint8_t *stage;
    uint64_t stage_cap;
};

/* ---- product-form selections ---------------------------------------------------------------- */

static uint64_t dim_coord(const struct dim *a, uint64_t k)
{
    return a->start + (k / a->block) * a->stride + k % a->block;
}

/* Is coordinate c selected along a? Its index goes to *k. (i*block <= i*stride <= c - start.) */
static bool dim_has(const struct dim *a, uint64_t c, uint64_t *k)
{
    if (a->n == 0 || c < a->start) {
        return false;
    }
    uint64_t off = c - a->start;
    uint64_t i = off / a->stride, j = off % a->stride;
    if (j >= a->block) {
        return false;
    }
    uint64_t idx = i * a->block + j;
    if (idx >= a->n) {
        return false;
    }
    *k = idx;
    return true;
}

/* Number of selected coordinates below x. */
static uint64_t dim_below(const struct dim *a, uint64_t x)
{
    if (a->n == 0 || x <= a->start) {
        return 0;
    }
    uint64_t off = x - a->start;
    uint64_t i = off / a->stride, j = off % a->stride;
    uint64_t cnt = i * a->block + (j < a->block ? j : a->block);
    return cnt < a->n ? cnt : a->n;
}

/* A regular dimension with finite count and block, overlapping blocks merged (libhdf5 ORs
 * them). */
static h5rd_err dim_regular(uint64_t start, uint64_t stride, uint64_t count, uint64_t block,
                            struct dim *out, struct h5rd_error *ec)
{
    memset(out, 0, sizeof *out);
    out->start = start;
    out->stride = out->block = 1;
    if (count == 0 || block == 0) {
        return H5RD_OK;
    }
    uint64_t n;
    if (count == 1 || stride <= block) {
        /* one block, or blocks that touch or overlap: one run */
        uint64_t span = 0;
        if (count > 1 && !h5rd__mul_u64(count - 1, stride, &span)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "virtual dataset: selection size overflows");
        }
        if (!h5rd__add_u64(span, block, &n)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "virtual dataset: selection size overflows");
        }
        out->stride = out->block = n;
    } else {
        if (!h5rd__mul_u64(count, block, &n)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "virtual dataset: selection size overflows");
        }
        out->stride = stride;
        out->block = block;
    }
    uint64_t last;
    if (!h5rd__add_u64(start, n, &last)) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "virtual dataset: selection range overflows");
    }
    out->n = n;
    return H5RD_OK;
}

/* The product form of decoded selection s in a space of 'rank' dims 'dims'. An unlimited
 * dimension keeps the coordinates below 'clip'. *ok_ret is false for points and irregular
 * block lists (no product form). */
static h5rd_err pform_of(const struct h5rd__sel *s, uint32_t rank, const uint64_t *dims,
                         uint64_t clip, struct pform *p, bool *ok_ret, struct h5rd_error *ec)
{
    memset(p, 0, sizeof *p);
    p->rank = rank;
    *ok_ret = true;
    if (s->type == H5RD__SEL_ALL) {
        for (uint32_t d = 0; d < rank; d++) {
            H5RD_TRY(dim_regular(0, 1, 1, dims[d], &p->d[d], ec));
        }
        return H5RD_OK;
    }
    if (s->type == H5RD__SEL_NONE) {
        for (uint32_t d = 0; d < rank; d++) {
            p->d[d].stride = p->d[d].block = 1;
        }
        if (rank == 0) {
            *ok_ret = false; /* a scalar "none" selects nothing: walked, found empty */
        }
        return H5RD_OK;
    }
    if (s->rank != rank) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "virtual dataset: selection rank differs from its dataset");
    }
    if (s->type != H5RD__SEL_HYPER || !s->regular) {
        *ok_ret = false;
        return H5RD_OK;
    }
    for (uint32_t d = 0; d < rank; d++) {
        uint64_t st = s->start[d], sd = s->stride[d], ct = s->count[d], bk = s->block[d];
        if ((int)d == s->unlim_dim) {
            uint64_t n = h5rd__sel_unlim_slices(s, clip);
            if (bk == H5RD_UNLIMITED || sd <= bk) {
                H5RD_TRY(dim_regular(st, 1, 1, n, &p->d[d], ec));
            } else {
                p->d[d].start = st;
                p->d[d].stride = sd;
                p->d[d].block = bk;
                p->d[d].n = n;
            }
            continue;
        }
        H5RD_TRY(dim_regular(st, sd, ct, bk, &p->d[d], ec));
    }
    return H5RD_OK;
}

/* Number of elements of p (LIMIT on overflow). */
static h5rd_err pform_size(const struct pform *p, uint64_t *n_ret, struct h5rd_error *ec)
{
    uint64_t n = 1;
    for (uint32_t d = 0; d < p->rank; d++) {
        if (!h5rd__mul_u64(n, p->d[d].n, &n)) {
            return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF,
                             "virtual dataset: selection size overflows");
        }
    }
    *n_ret = n;
    return H5RD_OK;
}

/* ---- scratch --------------------------------------------------------------------------------- */

static h5rd_err grow(struct rd *r, void **arr, uint64_t *cap, uint64_t need, uint64_t size,
                     struct h5rd_error *ec)
{
    if (need <= *cap) {
        return H5RD_OK;
    }
    return h5rd__grow(r->f, arr, cap, need, size, ec);
}

static void rd_free(struct rd *r)
{
    for (uint32_t d = 0; d < H5RD_MAX_RANK; d++) {
        h5rd__free(r->f, r->L[d]);
        h5rd__free(r->f, r->ce[d]);
        h5rd__free(r->f, r->oe[d]);
        h5rd__free(r->f, r->g[d]);
    }
    h5rd__free(r->f, r->porder);
    h5rd__free(r->f, r->stage);
}

static h5rd_err stage_get(struct rd *r, uint64_t nbytes, struct h5rd_error *ec)
{
    if (nbytes <= r->stage_cap) {
        return H5RD_OK;
    }
    h5rd__free(r->f, r->stage);
    r->stage = NULL;
    r->stage_cap = 0;
    r->stage = h5rd__malloc_data(r->f, nbytes, ec);
    if (r->stage == NULL) {
        return ec->code;
    }
    r->stage_cap = nbytes;
    return H5RD_OK;
}

/* ---- types ----------------------------------------------------------------------------------- */

static bool host_le(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* The memory type whose values are the normalised form of a plain integer or float type. */
static bool derive_mt(const struct h5rd_type *t, struct h5rd_memtype *mt)
{
    memset(mt, 0, sizeof *mt);
    uint64_t sz = t->info.size;
    mt->order = host_le() ? H5RD_ORDER_LE : H5RD_ORDER_BE;
    mt->size = (uint32_t)sz;
    if (t->info.cls == H5RD_CLASS_INTEGER && (sz == 1 || sz == 2 || sz == 4 || sz == 8)) {
        mt->cls = H5RD_MEMTYPE_INT;
        mt->is_signed = t->info.is_signed;
        return true;
    }
    if (t->info.cls == H5RD_CLASS_FLOAT && (sz == 2 || sz == 4 || sz == 8)) {
        mt->cls = H5RD_MEMTYPE_FLOAT;
        return true;
    }
    return false;
}

/* Same stored description (a source of the virtual dataset's own type reads as is). */
static bool types_same(const struct h5rd_type *a, const struct h5rd_type *b)
{
    const struct h5rd_type_info *x = &a->info, *y = &b->info;
    if (a->class_bits != b->class_bits || x->cls != y->cls || x->size != y->size ||
        x->order != y->order || x->is_signed != y->is_signed || x->bit_offset != y->bit_offset ||
        x->precision != y->precision || x->lo_pad != y->lo_pad || x->hi_pad != y->hi_pad ||
        x->sign_pos != y->sign_pos || x->exp_pos != y->exp_pos ||
        x->exp_nbits != y->exp_nbits || x->mant_pos != y->mant_pos ||
        x->mant_nbits != y->mant_nbits || x->exp_bias != y->exp_bias ||
        x->mant_norm != y->mant_norm || x->str_pad != y->str_pad || x->cset != y->cset ||
        x->nmembers != y->nmembers || x->rank != y->rank) {
        return false;
    }
    for (uint32_t k = 0; k < x->rank && k < H5RD_MAX_RANK; k++) {
        if (x->dims[k] != y->dims[k]) {
            return false;
        }
    }
    if ((a->base == NULL) != (b->base == NULL)) {
        return false;
    }
    return a->base == NULL || types_same(a->base, b->base);
}

/* The memory type a source is read with: the caller's, none when the source has the virtual
 * dataset's own type, else the number type the virtual type normalises to. */
static h5rd_err src_memtype(const struct rd *r, const struct h5rd__dview *src, struct h5rd_memtype *tmp,
                            const struct h5rd_memtype **mt_ret, struct h5rd_error *ec)
{
    const struct h5rd_type *ts = src->type, *tv = r->o->type;
    if (ts == NULL) {
        return H5RD_CORRUPT(ec, src->addr, "virtual dataset: source has no datatype");
    }
    if (r->mt != NULL) {
        if (!h5rd__conv_numeric_ok(ts, r->mt)) {
            return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                             "read: no conversion from the dataset's type to the memory type");
        }
        *mt_ret = r->mt;
        return H5RD_OK;
    }
    if (types_same(ts, tv)) {
        *mt_ret = NULL;
        return H5RD_OK;
    }
    if (derive_mt(tv, tmp) && h5rd__conv_numeric_ok(ts, tmp)) {
        *mt_ret = tmp;
        return H5RD_OK;
    }
    return H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                     "virtual dataset: no conversion from a source's type to the virtual type");
}

/* ---- fill ------------------------------------------------------------------------------------ */

/* libhdf5 writes the fill value over the unmapped part unless it is undefined (then the buffer
 * is left as is; h5rd writes zeros). The fill time does not matter for virtual datasets. */
static h5rd_err fill_all(struct rd *r, bool zeros, struct h5rd_error *ec)
{
    const struct h5rd__dview *o = r->o;
    const struct h5rd_type *t = o->type;
    uint64_t esize = t->info.size;
    uint64_t total = r->np * r->osize; /* checked against the buffer by the caller */
    if (zeros || !o->fill->is_defined || o->fill->nbytes == 0 || o->fill->value == NULL) {
        memset(r->out, 0, (size_t)total);
        return H5RD_OK;
    }
    if (o->fill->nbytes != esize) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "fill value: size differs from the datatype's size");
    }
    uint8_t *tmp = h5rd__malloc(r->f, esize, ec);
    if (tmp == NULL) {
        return ec->code;
    }
    memcpy(tmp, o->fill->value, (size_t)esize);
    h5rd_err e = H5RD_OK;
    if (r->mt == NULL) {
        h5rd__conv_normalize(t, tmp, 1);
        memcpy(r->out, tmp, (size_t)esize);
    } else {
        e = h5rd__conv_numeric(t, r->mt, tmp, r->out, 1, ec);
    }
    h5rd__free(r->f, tmp);
    if (e != H5RD_OK) {
        return e;
    }
    /* doubling copies from the filled prefix */
    uint64_t have = 1;
    while (have < r->np) {
        uint64_t k = have <= r->np - have ? have : r->np - have;
        memcpy(r->out + have * r->osize, r->out, (size_t)(k * r->osize));
        have += k;
    }
    return H5RD_OK;
}

/* ---- the caller's selection ------------------------------------------------------------------ */

static h5rd_err caller_sel(struct rd *r, const struct h5rd_selection *sel, struct h5rd_error *ec)
{
    r->S.rank = r->rank;
    if (sel != NULL && sel->kind == H5RD_SEL_POINTS) {
        r->s_points = true;
        r->pts = sel->points;
        return H5RD_OK;
    }
    for (uint32_t d = 0; d < r->rank; d++) {
        if (sel == NULL || sel->kind == H5RD_SEL_ALL) {
            H5RD_TRY(dim_regular(0, 1, 1, r->dims[d], &r->S.d[d], ec));
        } else {
            uint64_t sd = sel->stride != NULL ? sel->stride[d] : 1;
            uint64_t bk = sel->block != NULL ? sel->block[d] : 1;
            H5RD_TRY(dim_regular(sel->start[d], sd, sel->count[d], bk, &r->S.d[d], ec));
        }
    }
    uint64_t n = 1;
    for (uint32_t d = r->rank; d-- > 0;) {
        r->odown[d] = n;
        n *= r->S.d[d].n; /* the product is np, validated */
    }
    return H5RD_OK;
}

static int cmp_coords(const uint64_t *a, const uint64_t *b, uint32_t rank)
{
    for (uint32_t d = 0; d < rank; d++) {
        if (a[d] != b[d]) {
            return a[d] < b[d] ? -1 : 1;
        }
    }
    return 0;
}

/* Merge sort of point indexes by coordinates (stable: equal points keep list order). */
static void sort_points(const struct rd *r, uint64_t *v, uint64_t *tmp, uint64_t n)
{
    if (n < 2) {
        return;
    }
    uint64_t h = n / 2;
    sort_points(r, v, tmp, h);
    sort_points(r, v + h, tmp, n - h);
    uint64_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp_coords(r->pts + v[j] * r->rank, r->pts + v[i] * r->rank, r->rank) < 0) {
            tmp[k++] = v[j++];
        } else {
            tmp[k++] = v[i++];
        }
    }
    while (i < h) {
        tmp[k++] = v[i++];
    }
    while (j < n) {
        tmp[k++] = v[j++];
    }
    memcpy(v, tmp, (size_t)(n * sizeof *v));
}

static h5rd_err points_sorted(struct rd *r, struct h5rd_error *ec)
{
    if (r->porder != NULL) {
        return H5RD_OK;
    }
    uint64_t *v = h5rd__calloc_data(r->f, r->np, 2 * sizeof *v, ec);
    if (v == NULL) {
        return ec->code;
    }
    for (uint64_t i = 0; i < r->np; i++) {
        v[i] = i;
    }
    sort_points(r, v, v + r->np, r->np);
    r->porder = v;
    return H5RD_OK;
}

/* ---- per-dimension intersection -------------------------------------------------------------- */

/* The coordinates selected both by v (the virtual selection) and s (the caller's) along one
 * dimension, in increasing order, into r->L[d]. Walks whichever has fewer coordinates in the
 * common range. */
static h5rd_err dim_meet(struct rd *r, uint32_t d, const struct dim *v, const struct dim *s,
                         struct h5rd_error *ec)
{
    r->nL[d] = 0;
    if (v->n == 0 || s->n == 0) {
        return H5RD_OK;
    }
    uint64_t vlast = dim_coord(v, v->n - 1), slast = dim_coord(s, s->n - 1);
    uint64_t lo = v->start > s->start ? v->start : s->start;
    uint64_t hi = vlast < slast ? vlast : slast;
    if (lo > hi) {
        return H5RD_OK;
    }
    uint64_t v0 = dim_below(v, lo), v1 = hi == UINT64_MAX ? v->n : dim_below(v, hi + 1);
    uint64_t s0 = dim_below(s, lo), s1 = hi == UINT64_MAX ? s->n : dim_below(s, hi + 1);
    bool walk_v = v1 - v0 <= s1 - s0;
    uint64_t m = walk_v ? v1 - v0 : s1 - s0;
    if (r->L[d] == NULL) {
        /* m <= s1 - s0 <= s->n: one array of the caller's size along d serves every mapping */
        r->L[d] = h5rd__calloc_data(r->f, s->n, sizeof(struct ent), ec);
        if (r->L[d] == NULL) {
            return ec->code;
        }
    }
    struct ent *L = r->L[d];
    uint64_t n = 0;
    for (uint64_t i = 0; i < m; i++) {
        uint64_t c, k, p;
        if (walk_v) {
            k = v0 + i;
            c = dim_coord(v, k);
            if (!dim_has(s, c, &p)) {
                continue;
            }
        } else {
            p = s0 + i;
            c = dim_coord(s, p);
            if (!dim_has(v, c, &k)) {
                continue;
            }
        }
        L[n].k = k;
        L[n].p = p;
        n++;
    }
    r->nL[d] = n;
    return H5RD_OK;
}

/* ---- reading one source ---------------------------------------------------------------------- */

struct job {
    const struct h5rd__vds_src *src;
    const struct h5rd_memtype *smt;  /* source read memory type */
    uint32_t srank;
    uint64_t sdims[H5RD_MAX_RANK];
};

static h5rd_err src_read(struct rd *r, const struct job *j, const struct h5rd_selection *sel,
                         uint8_t *dst, uint64_t nbytes, struct h5rd_error *ec)
{
    struct h5rd_error lec;
    h5rd__err_clear(&lec);
    h5rd_err e = h5rd__read_dview(j->src->view, sel, j->smt, dst, (size_t)nbytes, r->nthreads,
                                  r->flags, &lec);
    if (e != H5RD_OK) {
        *ec = lec;
        if (ec->code == H5RD_OK) {
            ec->code = e;
        }
        if (ec->path[0] == '\0') {
            h5rd__err_set_path(ec, j->src->view->path);
        }
    }
    return e;
}

/* Copies n elements from 'from' to the output by offsets; runs of consecutive offsets go as one
 * copy. */
static void scatter_row(struct rd *r, const uint8_t *from, uint64_t base, const uint64_t *off,
                        uint64_t n)
{
    uint64_t i = 0;
    while (i < n) {
        uint64_t k = i + 1;
        while (k < n && off[k] == off[k - 1] + 1) {
            k++;
        }
        memcpy(r->out + (base + off[i]) * r->osize, from + i * r->osize,
               (size_t)((k - i) * r->osize));
        i = k;
    }
}

/* Groups the coordinates ce[0..m) of one source dimension into regular hyperslab groups. */
static h5rd_err make_groups(struct rd *r, uint32_t e, uint64_t m, struct h5rd_error *ec)
{
    const uint64_t *c = r->ce[e];
    r->ng[e] = 0;
    uint64_t i = 0;
    while (i < m) {
        uint64_t b = 1;
        while (i + b < m && c[i + b] == c[i + b - 1] + 1) {
            b++;
        }
        uint64_t count = 1, stride = b;
        /* further runs of the same length at the same distance */
        while (i + (count + 1) * b <= m) {
            uint64_t s = i + count * b;
            uint64_t dist = c[s] - c[s - b];
            if (dist <= b || (count > 1 && dist != stride)) {
                break;
            }
            bool run = true;
            for (uint64_t t = 1; t < b && run; t++) {
                run = c[s + t] == c[s] + t;
            }
            if (!run || (s + b < m && c[s + b] == c[s + b - 1] + 1)) {
                break;
            }
            stride = dist;
            count++;
        }
        void *arr = r->g[e];
        H5RD_TRY(grow(r, &arr, &r->cap_g[e], r->ng[e] + 1, sizeof(struct grp), ec));
        r->g[e] = arr;
        struct grp *g = &r->g[e][r->ng[e]++];
        g->first = i;
        g->start = c[i];
        g->stride = count > 1 ? stride : b;
        g->count = count;
        g->block = b;
        i += count * b;
    }
    return H5RD_OK;
}

/* One source hyperslab read: groups gi[] per source dimension, dimension 0 narrowed to entries
 * [a0, a0 + n0) of its group (whole blocks, or part of one block). */
static h5rd_err read_piece(struct rd *r, const struct job *j, const struct grp *const *gs,
                           uint64_t a0, uint64_t n0, uint64_t base, struct h5rd_error *ec)
{
    uint32_t sr = j->srank;
    uint64_t start[H5RD_MAX_RANK], stride[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    uint64_t block[H5RD_MAX_RANK], first[H5RD_MAX_RANK], size[H5RD_MAX_RANK];
    for (uint32_t e = 0; e < sr; e++) {
        const struct grp *g = gs[e];
        if (e == 0) {
            /* a0 is an entry index relative to the group */
            uint64_t bi = a0 / g->block, o = a0 % g->block;
            start[0] = g->start + bi * g->stride + o;
            if (o == 0 && n0 % g->block == 0) {
                count[0] = n0 / g->block;
                block[0] = g->block;
                stride[0] = count[0] > 1 ? g->stride : g->block;
            } else {
                count[0] = 1;
                block[0] = n0;
                stride[0] = n0;
            }
            first[0] = g->first + a0;
            size[0] = n0;
        } else {
            start[e] = g->start;
            stride[e] = g->stride;
            count[e] = g->count;
            block[e] = g->block;
            first[e] = g->first;
            size[e] = g->count * g->block;
        }
    }
    uint64_t nelem = 1;
    for (uint32_t e = 0; e < sr; e++) {
        nelem *= size[e]; /* <= the caller's selection size */
    }
    uint64_t nbytes = nelem * r->osize;
    /* Contiguous placement in the output? Then read straight into it. */
    bool direct = true;
    uint64_t off0 = base, inner = 1;
    for (uint32_t e = sr; e-- > 0;) {
        const uint64_t *oe = r->oe[e] + first[e];
        off0 += oe[0];
        for (uint64_t i = 1; i < size[e] && direct; i++) {
            direct = oe[i] - oe[0] == i * inner;
        }
        inner *= size[e];
    }
    struct h5rd_selection hs;
    memset(&hs, 0, sizeof hs);
    hs.kind = H5RD_SEL_HYPERSLAB;
    hs.rank = sr;
    hs.start = start;
    hs.stride = stride;
    hs.count = count;
    hs.block = block;
    const struct h5rd_selection *sel = sr > 0 ? &hs : NULL;
    if (direct) {
        return src_read(r, j, sel, r->out + off0 * r->osize, nbytes, ec);
    }
    H5RD_TRY(stage_get(r, nbytes, ec));
    H5RD_TRY(src_read(r, j, sel, r->stage, nbytes, ec));
    /* scatter: odometer over the outer source dimensions, rows along the last one */
    uint64_t idx[H5RD_MAX_RANK] = {0};
    uint64_t rowlen = sr > 0 ? size[sr - 1] : 1;
    const uint8_t *from = r->stage;
    for (;;) {
        uint64_t b = base;
        for (uint32_t e = 0; e + 1 < sr; e++) {
            b += r->oe[e][first[e] + idx[e]];
        }
        if (sr > 0) {
            scatter_row(r, from, b, r->oe[sr - 1] + first[sr - 1], rowlen);
        } else {
            memcpy(r->out + b * r->osize, from, (size_t)r->osize);
        }
        from += rowlen * r->osize;
        int e = (int)sr - 2;
        while (e >= 0) {
            if (++idx[e] < size[e]) {
                break;
            }
            idx[e] = 0;
            e--;
        }
        if (e < 0) {
            break;
        }
    }
    return H5RD_OK;
}

/*
 * The structured path: V and Ssrc product forms whose dimensions of size > 1 pair up in order
 * with equal sizes. pair[e] is the virtual dimension paired with source dimension e, or -1.
 */
static h5rd_err read_structured(struct rd *r, const struct job *j, const struct pform *sp,
                                const int *pair, uint64_t base, struct h5rd_error *ec)
{
    uint32_t sr = j->srank;
    uint64_t m[H5RD_MAX_RANK];
    for (uint32_t e = 0; e < sr; e++) {
        int d = pair[e];
        m[e] = d >= 0 ? r->nL[d] : 1;
        void *ca = r->ce[e], *oa = r->oe[e];
        H5RD_TRY(grow(r, &ca, &r->cap_c[e], m[e], sizeof(uint64_t), ec));
        r->ce[e] = ca;
        H5RD_TRY(grow(r, &oa, &r->cap_o[e], m[e], sizeof(uint64_t), ec));
        r->oe[e] = oa;
        if (d >= 0) {
            for (uint64_t i = 0; i < m[e]; i++) {
                r->ce[e][i] = dim_coord(&sp->d[e], r->L[d][i].k);
                r->oe[e][i] = r->L[d][i].p * r->odown[d];
            }
        } else {
            r->ce[e][0] = sp->d[e].start;
            r->oe[e][0] = 0;
        }
        H5RD_TRY(make_groups(r, e, m[e], ec));
    }
    /* every combination of groups */
    uint64_t gi[H5RD_MAX_RANK] = {0};
    const struct grp *gs[H5RD_MAX_RANK] = {NULL};
    for (;;) {
        uint64_t row = r->osize;
        for (uint32_t e = 0; e < sr; e++) {
            gs[e] = &r->g[e][gi[e]];
            if (e > 0) {
                row *= gs[e]->count * gs[e]->block;
            }
        }
        if (sr == 0) {
            H5RD_TRY(read_piece(r, j, gs, 0, 1, base, ec));
            break;
        }
        /* split dimension 0 so that a staged piece stays near STAGE_CAP */
        const struct grp *g0 = gs[0];
        uint64_t tot = g0->count * g0->block;
        uint64_t allow = row >= STAGE_CAP ? 1 : STAGE_CAP / row;
        uint64_t a = 0;
        while (a < tot) {
            uint64_t n;
            if (allow >= g0->block) {
                uint64_t nb = allow / g0->block;
                uint64_t left = (tot - a) / g0->block;
                n = (nb < left ? nb : left) * g0->block;
            } else {
                uint64_t in_blk = g0->block - a % g0->block;
                n = allow < in_blk ? allow : in_blk;
            }
            H5RD_TRY(read_piece(r, j, gs, a, n, base, ec));
            a += n;
        }
        int e = (int)sr - 1;
        while (e >= 0) {
            if (++gi[e] < r->ng[e]) {
                break;
            }
            gi[e] = 0;
            e--;
        }
        if (e < 0) {
            break;
        }
    }
    return H5RD_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->r != y->r) {
        return x->r < y->r ? -1 : 1;
    }
    return x->o < y->o ? -1 : (x->o > y->o ? 1 : 0);
}

/* Reads the pairs (sorted by rank in the virtual selection) from source ranks through a point
 * selection of the source. 'sp' is the source's product form or NULL (walk ssel). */
static h5rd_err read_pairs(struct rd *r, const struct job *j, const struct h5rd__sel *ssel,
                           const struct pform *sp, const struct pair *pv, uint64_t npv,
                           struct h5rd_error *ec)
{
    uint32_t sr = j->srank;
    h5rd_err e = H5RD_OK;
    uint64_t *pts = NULL;
    uint64_t batch = npv < PAIR_BATCH ? npv : PAIR_BATCH;
    if (sr == 0) {
        /* a scalar source: one element for every pair */
        H5RD_TRY(stage_get(r, r->osize, ec));
        H5RD_TRY(src_read(r, j, NULL, r->stage, r->osize, ec));
        for (uint64_t i = 0; i < npv; i++) {
            memcpy(r->out + pv[i].o * r->osize, r->stage, (size_t)r->osize);
        }
        return H5RD_OK;
    }
    pts = h5rd__calloc_data(r->f, batch, (uint64_t)sr * sizeof(uint64_t), ec);
    if (pts == NULL) {
        return ec->code;
    }
    e = stage_get(r, batch * r->osize, ec);
    struct h5rd__sel_iter it;
    uint64_t run_c[H5RD_MAX_RANK], run_len = 0, run_r = 0; /* current source run */
    bool have_run = false;
    if (e == H5RD_OK && sp == NULL) {
        e = h5rd__sel_iter_init(&it, ssel, sr, j->sdims, ec);
    }
    for (uint64_t b0 = 0; e == H5RD_OK && b0 < npv; b0 += batch) {
        uint64_t nb = npv - b0 < batch ? npv - b0 : batch;
        for (uint64_t i = 0; i < nb && e == H5RD_OK; i++) {
            uint64_t rk = pv[b0 + i].r;
            uint64_t *c = pts + i * sr;
            if (sp != NULL) {
                uint64_t t = rk;
                for (uint32_t d = sr; d-- > 0;) {
                    c[d] = dim_coord(&sp->d[d], t % sp->d[d].n);
                    t /= sp->d[d].n;
                }
                continue;
            }
            /* walk the source selection forward to the run holding rank rk */
            while (!have_run || rk >= run_r + run_len) {
                if (have_run) {
                    run_r += run_len;
                }
                if (!h5rd__sel_iter_next(&it, run_c, &run_len)) {
                    e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                     "virtual dataset: source selection smaller than the "
                                     "virtual selection");
                    break;
                }
                have_run = true;
            }
            if (e == H5RD_OK) {
                memcpy(c, run_c, sr * sizeof(uint64_t));
                c[sr - 1] += rk - run_r;
            }
        }
        if (e != H5RD_OK) {
            break;
        }
        struct h5rd_selection ps;
        memset(&ps, 0, sizeof ps);
        ps.kind = H5RD_SEL_POINTS;
        ps.rank = sr;
        ps.npoints = nb;
        ps.points = pts;
        e = src_read(r, j, &ps, r->stage, nb * r->osize, ec);
        for (uint64_t i = 0; i < nb && e == H5RD_OK; i++) {
            memcpy(r->out + pv[b0 + i].o * r->osize, r->stage + i * r->osize, (size_t)r->osize);
        }
    }
    h5rd__free(r->f, pts);
    return e;
}

/* Appends a pair. */
static h5rd_err push_pair(struct rd *r, struct pair **pv, uint64_t *n, uint64_t *cap, uint64_t rk,
                          uint64_t o, struct h5rd_error *ec)
{
    void *arr = *pv;
    H5RD_TRY(grow(r, &arr, cap, *n + 1, sizeof(struct pair), ec));
    *pv = arr;
    (*pv)[*n].r = rk;
    (*pv)[*n].o = o;
    (*n)++;
    return H5RD_OK;
}

/* The elements of a virtual selection without product form (points, irregular blocks) that
 * the caller selected, as pairs (walks the stored list). */
static h5rd_err pairs_walk(struct rd *r, const struct h5rd__sel *vsel, struct pair **pv,
                           uint64_t *npv, uint64_t *cap, struct h5rd_error *ec)
{
    struct h5rd__sel_iter it;
    H5RD_TRY(h5rd__sel_iter_init(&it, vsel, r->rank, r->dims, ec));
    uint64_t c[H5RD_MAX_RANK], len, rb = 0;
    uint32_t R = r->rank;
    if (r->s_points) {
        H5RD_TRY(points_sorted(r, ec));
    }
    while (R > 0 && h5rd__sel_iter_next(&it, c, &len)) {
        if (r->s_points) {
            /* points with these leading coordinates and last coordinate in [c, c + len) */
            uint64_t lo = 0, hi = r->np;
            while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (cmp_coords(r->pts + r->porder[mid] * R, c, R) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (uint64_t i = lo; i < r->np; i++) {
                const uint64_t *q = r->pts + r->porder[i] * R;
                if (cmp_coords(q, c, R - 1) != 0 || q[R - 1] - c[R - 1] >= len) {
                    break;
                }
                H5RD_TRY(push_pair(r, pv, npv, cap, rb + (q[R - 1] - c[R - 1]), r->porder[i],
                                   ec));
            }
        } else {
            uint64_t o = 0, p;
            bool in = true;
            for (uint32_t d = 0; d + 1 < R && in; d++) {
                in = dim_has(&r->S.d[d], c[d], &p);
                o += p * r->odown[d];
            }
            const struct dim *sl = &r->S.d[R - 1];
            if (in && len > 0) {
                uint64_t hi = c[R - 1] + len; /* within the extent */
                uint64_t p0 = dim_below(sl, c[R - 1]), p1 = dim_below(sl, hi);
                for (uint64_t q = p0; q < p1; q++) {
                    uint64_t x = dim_coord(sl, q);
                    H5RD_TRY(push_pair(r, pv, npv, cap, rb + (x - c[R - 1]), o + q, ec));
                }
            }
        }
        rb += len;
    }
    return H5RD_OK;
}

static h5rd_err missing_error(const struct h5rd__vds_src *s, struct h5rd_error *ec)
{
    char where[H5RD_ERROR_PATH_MAX];
    snprintf(where, sizeof where, "%s:%s", s->tried != NULL ? s->tried : s->file_name,
             s->dset_name);
    h5rd_err e = H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF,
                           "virtual dataset: source file or dataset cannot be opened");
    h5rd__err_set_path(ec, where);
    return e;
}

/*
 * One source: virtual selection vp (product form) or vsel (walked when !v_ok), source
 * selection ssel with product form sp when s_ok.
 */
static h5rd_err read_source(struct rd *r, const struct h5rd__vds_map *m,
                            const struct h5rd__vds_src *src, const struct pform *vp, bool v_ok,
                            bool printf_block, uint64_t *count, struct h5rd_error *ec)
{
    uint32_t R = r->rank;
    struct pair *pv = NULL;
    uint64_t npv = 0, pcap = 0;
    h5rd_err e = H5RD_OK;
    bool any = false;
    uint64_t vn = 0;

    /* 1. what of the virtual selection the caller selected */
    if (v_ok) {
        H5RD_TRY(pform_size(vp, &vn, ec));
        if (vn == 0) {
            return H5RD_OK;
        }
        if (!r->s_points) {
            any = true;
            for (uint32_t d = 0; d < R; d++) {
                H5RD_TRY(dim_meet(r, d, &vp->d[d], &r->S.d[d], ec));
                any = any && r->nL[d] > 0;
            }
        } else {
            for (uint64_t i = 0; i < r->np; i++) {
                const uint64_t *q = r->pts + i * R;
                uint64_t rk = 0, k = 0;
                bool in = true;
                for (uint32_t d = 0; d < R && in; d++) {
                    in = dim_has(&vp->d[d], q[d], &k);
                    rk = rk * vp->d[d].n + k;
                }
                if (in) {
                    e = push_pair(r, &pv, &npv, &pcap, rk, i, ec);
                    if (e != H5RD_OK) {
                        goto out;
                    }
                }
            }
            any = npv > 0;
        }
    } else {
        e = h5rd__sel_npoints(&m->vsel, R, r->dims, &vn, ec);
        if (e == H5RD_OK) {
            e = pairs_walk(r, &m->vsel, &pv, &npv, &pcap, ec);
        }
        if (e != H5RD_OK) {
            goto out;
        }
        any = npv > 0;
    }
    if (!any) {
        goto out;
    }
    if (count != NULL) {
        /* counting pass: the elements an open source provides (libhdf5's tot_nelmts) */
        if (src->obj != NULL) {
            uint64_t n = npv;
            if (v_ok && !r->s_points) {
                n = 1;
                for (uint32_t d = 0; d < R; d++) {
                    n *= r->nL[d]; /* <= np */
                }
            }
            *count = n > UINT64_MAX - *count ? UINT64_MAX : *count + n;
        }
        goto out;
    }

    /* 2. the source */
    if (src->obj == NULL) {
        if (!printf_block && (r->flags & H5RD_READ_MISSING_SOURCE_ERROR)) {
            e = missing_error(src, ec);
        }
        goto out; /* fill stays */
    }
    struct job j;
    memset(&j, 0, sizeof j);
    j.src = src;
    struct h5rd_memtype tmt;
    e = src_memtype(r, src->view, &tmt, &j.smt, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    const struct h5rd_space *ss = src->view->space;
    j.srank = ss->rank;
    memcpy(j.sdims, ss->dims, sizeof j.sdims);
    if (m->ssel.type != H5RD__SEL_ALL && m->ssel.type != H5RD__SEL_NONE &&
        m->ssel.rank != j.srank) {
        e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                         "virtual dataset: source selection rank differs from the source");
        goto out;
    }
    struct pform sp;
    bool s_ok = false;
    uint64_t sclip = m->ssel.unlim_dim >= 0 ? j.sdims[m->ssel.unlim_dim] : 0;
    e = pform_of(&m->ssel, j.srank, j.sdims, sclip, &sp, &s_ok, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    uint64_t sn = 0;
    e = s_ok ? pform_size(&sp, &sn, ec) : h5rd__sel_npoints(&m->ssel, j.srank, j.sdims, &sn, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    if (sn != vn) {
        e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                         "virtual dataset: source and virtual selections differ in size");
        goto out;
    }

    /* 3. structured when the dimensions of size > 1 pair up */
    if (v_ok && s_ok && !r->s_points) {
        int pair[H5RD_MAX_RANK];
        uint32_t dv = 0;
        bool match = true;
        uint64_t base = 0;
        for (uint32_t e2 = 0; e2 < j.srank && match; e2++) {
            pair[e2] = -1;
            if (sp.d[e2].n <= 1) {
                continue;
            }
            while (dv < R && vp->d[dv].n <= 1) {
                dv++;
            }
            if (dv >= R || vp->d[dv].n != sp.d[e2].n) {
                match = false;
                break;
            }
            pair[e2] = (int)dv++;
        }
        while (match && dv < R && vp->d[dv].n <= 1) {
            dv++;
        }
        if (match && dv == R) {
            for (uint32_t d = 0; d < R; d++) {
                if (vp->d[d].n == 1) {
                    base += r->L[d][0].p * r->odown[d];
                }
            }
            e = read_structured(r, &j, &sp, pair, base, ec);
            goto out;
        }
        /* otherwise: every selected element as a pair, in rank order */
        uint64_t vdown[H5RD_MAX_RANK], idx[H5RD_MAX_RANK] = {0};
        uint64_t t = 1;
        for (uint32_t d = R; d-- > 0;) {
            vdown[d] = t;
            t *= vp->d[d].n;
        }
        for (;;) {
            uint64_t rk = 0, o = 0;
            for (uint32_t d = 0; d < R; d++) {
                rk += r->L[d][idx[d]].k * vdown[d];
                o += r->L[d][idx[d]].p * r->odown[d];
            }
            e = push_pair(r, &pv, &npv, &pcap, rk, o, ec);
            if (e != H5RD_OK) {
                goto out;
            }
            int d = (int)R - 1;
            while (d >= 0) {
                if (++idx[d] < r->nL[d]) {
                    break;
                }
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                break;
            }
        }
    } else if (v_ok && r->s_points && npv > 1) {
        qsort(pv, (size_t)npv, sizeof *pv, cmp_pair);
    }
    e = read_pairs(r, &j, &m->ssel, s_ok ? &sp : NULL, pv, npv, ec);
out:
    h5rd__free(r->f, pv);
    return e;
}

/* ---- mappings -------------------------------------------------------------------------------- */

static h5rd_err read_mapping(struct rd *r, const struct h5rd__vds_map *m, uint64_t *count,
                             struct h5rd_error *ec)
{
    uint32_t R = r->rank;
    if (m->vsel.type == H5RD__SEL_NONE || m->ssel.type == H5RD__SEL_NONE) {
        return H5RD_OK;
    }
    if (m->is_printf) {
        /* block b of the unlimited virtual selection <- source b (H5S_hyper_get_unlim_block);
         * the part past the extent is never selected by the caller */
        int u = m->vsel.unlim_dim;
        for (uint64_t b = 0; b < m->nsrc; b++) {
            const struct h5rd__vds_src *s = &m->src[b];
            struct pform vp;
            bool ok = false;
            H5RD_TRY(pform_of(&m->vsel, R, r->dims, 0, &vp, &ok, ec));
            uint64_t off, st;
            if (!h5rd__mul_u64(s->block, m->vsel.stride[u], &off) ||
                !h5rd__add_u64(m->vsel.start[u], off, &st)) {
                return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                    "virtual dataset: printf block position overflows");
            }
            H5RD_TRY(dim_regular(st, 1, 1, m->vsel.block[u], &vp.d[u], ec));
            H5RD_TRY(read_source(r, m, s, &vp, ok, true, count, ec));
        }
        return H5RD_OK;
    }
    if (m->nsrc < 1) {
        return H5RD_OK;
    }
    const struct h5rd__vds_src *s = &m->src[0];
    /* An unlimited mapping is clipped to what its source holds now (view "last available"):
     * the virtual selection to the matching extent, the source selection to its extent. */
    uint64_t vclip = 0;
    if (m->vsel.type == H5RD__SEL_HYPER && m->vsel.regular && m->vsel.unlim_dim >= 0) {
        int su = m->ssel.unlim_dim;
        if (s->obj == NULL || su < 0 || (uint32_t)su >= s->view->space->rank) {
            return H5RD_OK; /* no clip size: nothing of it is in the extent (fill) */
        }
        uint64_t slices = h5rd__sel_unlim_slices(&m->ssel, s->view->space->dims[su]);
        vclip = h5rd__sel_unlim_extent(&m->vsel, slices, false);
    }
    struct pform vp;
    bool ok = false;
    H5RD_TRY(pform_of(&m->vsel, R, r->dims, vclip, &vp, &ok, ec));
    return read_source(r, m, s, &vp, ok, false, count, ec);
}

h5rd_err h5rd__vds_read_view(const struct h5rd__dview *o, const struct h5rd_selection *sel,
                             const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                             uint32_t nthreads, uint32_t flags, struct h5rd_error *ec)
{
    struct rd r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.f = o->f;
    r.rank = o->space->rank;
    r.dims = o->space->dims;
    r.mt = (mt != NULL && mt->cls != H5RD_MEMTYPE_FILE) ? mt : NULL;
    r.nthreads = nthreads;
    r.flags = flags;
    h5rd_err e = H5RD_OK;
    const struct h5rd_type *t = o->type;
    if (t->info.size == 0) {
        e = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "dataset: datatype of size 0");
        goto out;
    }
    if (r.mt != NULL && !h5rd__conv_numeric_ok(t, r.mt)) {
        e = H5RD_FAIL(ec, H5RD_E_TYPE, H5RD_ADDR_UNDEF,
                      "read: no conversion from the dataset's type to the memory type");
        goto out;
    }
    if (r.mt == NULL && t->has_indirect) {
        /* variable-length and reference values live in each source's own file */
        e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                      "virtual dataset: variable-length or reference elements");
        goto out;
    }
    r.osize = r.mt != NULL ? r.mt->size : t->info.size;
    h5rd__err_clear(ec); /* as h5rd_selection_get_npoints starts */
    e = h5rd__dview_npoints(o, sel, &r.np, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    uint64_t need;
    if (!h5rd__mul_u64(r.np, r.osize, &need)) {
        e = H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "read: selection size overflows");
        goto out;
    }
    if (need > buf_nbytes) {
        e = H5RD_FAIL(ec, H5RD_E_BUFSIZE, H5RD_ADDR_UNDEF, "read: buffer too small");
        goto out;
    }
    if (r.np == 0) {
        goto out;
    }
    r.out = buf;
    if (o->vds == NULL) {
        /* no mappings: fill */
        e = fill_all(&r, false, ec);
        goto out;
    }
    e = caller_sel(&r, sel, ec);
    /* libhdf5 fills only when the open sources provide fewer elements than selected, counting
     * overlapping mappings twice; otherwise the unmapped part keeps what the buffer held (h5rd
     * writes zeros there, what h5py shows). */
    uint64_t mapped = 0;
    for (uint64_t i = 0; e == H5RD_OK && i < o->vds->n; i++) {
        e = read_mapping(&r, &o->vds->m[i], &mapped, ec);
    }
    if (e == H5RD_OK) {
        e = fill_all(&r, mapped >= r.np, ec);
    }
    for (uint64_t i = 0; e == H5RD_OK && i < o->vds->n; i++) {
        e = read_mapping(&r, &o->vds->m[i], NULL, ec);
    }
out:
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, o->path);
    }
    rd_free(&r);
    return e;
}
