/*
 * pipeline.c - the built-in filter registry and the read-side filter pipeline (Spec v3.0
 * IV.A.2.k "Filter Pipeline Message": filters are applied in message order on write, so they
 * are undone in reverse order on read; bit i of a chunk's filter mask means filter i was
 * skipped for that chunk, e.g. an optional filter that failed at write time).
 *
 * Filters the caller supplied for this file (h5rd_open_opts.filters, f->plugins) are tried
 * before the built-in table; there is no global registration.
 *
 * Invariants: every stage writes into a buffer whose capacity is a bound computed from the
 * chunk's known logical size and the filters below that stage (never from a size stored in
 * the stream); the last stage writes straight into the caller's buffer with capacity equal to
 * the logical size, and the result must be exactly that size.
 */
#include "filter/filter.h"

#include <inttypes.h>
#include <string.h>

#define MAX_FILTERS 32 /* H5Z_MAX_NFILTERS: the filter mask has one bit per filter */

static const struct h5rd__filter_class builtin[] = {
    {H5RD_FILTER_DEFLATE, "deflate", h5rd__filter_deflate_decode, NULL},
    {H5RD_FILTER_SHUFFLE, "shuffle", h5rd__filter_shuffle_decode, NULL},
    {H5RD_FILTER_FLETCHER32, "fletcher32", h5rd__filter_fletcher32_decode, NULL},
#ifdef H5RD_HAVE_SZIP
    {H5RD_FILTER_SZIP, "szip", h5rd__filter_szip_decode, NULL},
#else
    {H5RD_FILTER_SZIP, "szip", NULL, "filter: szip (4) not available in this build"},
#endif
    {H5RD_FILTER_NBIT, "nbit", h5rd__filter_nbit_decode, NULL},
    {H5RD_FILTER_SCALEOFFSET, "scaleoffset", h5rd__filter_scaleoffset_decode, NULL},
#ifdef H5RD_HAVE_BZIP2
    {H5RD_FILTER_BZIP2, "bzip2", h5rd__filter_bzip2_decode, NULL},
#else
    {H5RD_FILTER_BZIP2, "bzip2", NULL, "filter: bzip2 (307) not available in this build"},
#endif
    {H5RD_FILTER_LZF, "lzf", h5rd__filter_lzf_decode, NULL},
#ifdef H5RD_HAVE_BLOSC
    {H5RD_FILTER_BLOSC, "blosc", h5rd__filter_blosc_decode, NULL},
#else
    {H5RD_FILTER_BLOSC, "blosc", NULL, "filter: blosc (32001) not available in this build"},
#endif
    {H5RD_FILTER_LZ4, "lz4", h5rd__filter_lz4_decode, NULL},
    {H5RD_FILTER_BITSHUFFLE, "bitshuffle", h5rd__filter_bitshuffle_decode, NULL},
#ifdef H5RD_HAVE_ZFP
    {H5RD__FILTER_ZFP, "zfp", h5rd__filter_zfp_decode, NULL},
#else
    {H5RD__FILTER_ZFP, "zfp", NULL, "filter: zfp (32013) not available in this build"},
#endif
#ifdef H5RD_HAVE_ZSTD
    {H5RD_FILTER_ZSTD, "zstd", h5rd__filter_zstd_decode, NULL},
#else
    {H5RD_FILTER_ZSTD, "zstd", NULL, "filter: zstd (32015) not available in this build"},
#endif
};

const struct h5rd__filter_class *h5rd__filter_find(uint32_t id)
{
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        if (builtin[i].id == id) {
            return &builtin[i];
        }
    }
    return NULL;
}

bool h5rd__filter_available(uint32_t id)
{
    const struct h5rd__filter_class *c = h5rd__filter_find(id);
    return c != NULL && c->decode != NULL;
}

void h5rd__filter_err_detail(struct h5rd_error *ec, const struct h5rd__filter *flt,
                             const char *fallback_name, const char *why)
{
    /* The stored name comes from the file: keep printable ASCII only (it ends up on
     * terminals) and at most 64 characters. */
    char name[65];
    size_t n = 0;
    const char *src = flt->name != NULL && flt->name[0] != '\0' ? flt->name : fallback_name;
    for (size_t i = 0; src != NULL && src[i] != '\0' && n < sizeof(name) - 1; i++) {
        unsigned char ch = (unsigned char)src[i];
        name[n++] = ch >= 0x20 && ch < 0x7f && ch != '"' ? (char)ch : '?';
    }
    name[n] = '\0';
    h5rd__err_set_detail(ec, "filter %" PRIu32 " \"%s\" (%s)", flt->id, name, why);
}

/* Worst-case size of 'n' bytes after filter 'id' was applied on write. Filters that keep the
 * size, or shrink it, keep it; Fletcher-32 appends 4 bytes; scaleoffset adds its 21-byte header
 * and one spare byte; a compressor may expand incompressible data a little (zlib: ~0.03% +
 * 11, LZ4 plugin: 12 + 4 per block, blosc: 16, bitshuffle+LZ4: 12 + 4 per block of >= 8
 * elements), so it gets a generous n/2 + 1024. Only used for stages that are not the last one,
 * i.e. when a filter sits below another one in the pipeline. */
static uint64_t grow_bound(uint32_t id, uint64_t n)
{
    uint64_t r;
    switch (id) {
    case H5RD_FILTER_SHUFFLE:
    case H5RD_FILTER_NBIT:
        return n;
    case H5RD_FILTER_FLETCHER32:
        return h5rd__add_u64(n, 4, &r) ? r : UINT64_MAX;
    case H5RD_FILTER_SCALEOFFSET:
        return h5rd__add_u64(n, 22, &r) ? r : UINT64_MAX;
    default:
        if (!h5rd__add_u64(n, n / 2, &r) || !h5rd__add_u64(r, 1024, &r)) {
            return UINT64_MAX;
        }
        return r;
    }
}

/* The caller's filter for 'id' (h5rd_open_opts.filters), tried before the built-in table. */
static const struct h5rd_filter_plugin *find_plugin(const struct h5rd_file *f, uint32_t id)
{
    for (size_t i = 0; i < f->n_plugins; i++) {
        if (f->plugins[i].id == id && f->plugins[i].decode != NULL) {
            return &f->plugins[i];
        }
    }
    return NULL;
}

static h5rd_err run_plugin(const struct h5rd_filter_plugin *pl, const struct h5rd__filter *flt,
                           const uint8_t *in, size_t in_n, uint8_t *out, size_t cap,
                           size_t *got, struct h5rd_error *ec)
{
    struct h5rd_filter params = {flt->id, flt->flags, flt->name != NULL ? flt->name : "",
                                 flt->n_values, flt->values};
    size_t n = 0;
    h5rd_err err = pl->decode(pl->user, &params, in, in_n, out, cap, &n);
    if (err != H5RD_OK) {
        return H5RD_FAIL(ec, err, H5RD_ADDR_UNDEF, "filter: the caller's filter failed");
    }
    if (n > cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "filter: the caller's filter reported more bytes than its buffer");
    }
    *got = n;
    return H5RD_OK;
}

h5rd_err h5rd__pipeline_decode(const struct h5rd_file *f, const struct h5rd__pline *pline,
                               uint32_t filter_mask, const struct h5rd_type *type,
                               const uint8_t *in, size_t in_nbytes, uint8_t *out,
                               size_t out_nbytes, struct h5rd_error *ec)
{
    h5rd_err err = H5RD_OK;
    uint8_t *scratch[2] = {NULL, NULL};
    uint64_t bound[MAX_FILTERS + 1];
    uint32_t n = pline != NULL ? pline->n : 0;

    if (n > MAX_FILTERS) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "filter pipeline: more than 32 filters");
    }
    if ((uint64_t)out_nbytes > f->limits.max_chunk_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF,
                         "filter pipeline: chunk size exceeds max_chunk_nbytes");
    }

    /* Check every active filter first so an unsupported one is reported before any work, and
     * compute bound[i]: the most bytes the data can have had before filter i was applied. */
    bound[0] = out_nbytes;
    int last_active = -1, first_active = -1;
    for (uint32_t i = 0; i < n; i++) {
        bool skip = (filter_mask >> i) & 1u;
        bound[i + 1] = skip ? bound[i] : grow_bound(pline->v[i].id, bound[i]);
        if (bound[i + 1] > f->limits.max_chunk_nbytes) {
            bound[i + 1] = f->limits.max_chunk_nbytes;
        }
        if (skip) {
            continue;
        }
        if (find_plugin(f, pline->v[i].id) == NULL) {
            const struct h5rd__filter_class *cls = h5rd__filter_find(pline->v[i].id);
            if (cls == NULL) {
                H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                          "filter: unknown filter id (no decoder in h5rd)");
                h5rd__filter_err_detail(ec, &pline->v[i], NULL, "unknown to h5rd");
                return H5RD_E_UNSUPPORTED;
            }
            if (cls->decode == NULL) {
                H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, cls->unavailable);
                h5rd__filter_err_detail(ec, &pline->v[i], cls->name,
                                        "not available in this build");
                return H5RD_E_UNSUPPORTED;
            }
        }
        if (first_active < 0) {
            first_active = (int)i;
        }
        last_active = (int)i;
    }

    if (first_active < 0) {
        /* Nothing to undo: the stored chunk is the data. */
        if (in_nbytes != out_nbytes) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                "filter pipeline: unfiltered chunk size differs from chunk size");
        }
        if (out_nbytes > 0) {
            memcpy(out, in, out_nbytes);
        }
        return H5RD_OK;
    }

    /* Scratch buffers for the stages before the last one (ping-pong). */
    uint64_t scratch_n = 0;
    unsigned nscratch = 0;
    for (int i = last_active; i > first_active; i--) {
        if (!((filter_mask >> i) & 1u)) {
            if (bound[i] > scratch_n) {
                scratch_n = bound[i];
            }
            if (nscratch < 2) {
                nscratch++;
            }
        }
    }
    for (unsigned s = 0; s < nscratch; s++) {
        scratch[s] = h5rd__malloc_data(f, scratch_n, ec);
        if (scratch[s] == NULL) {
            err = ec->code != H5RD_OK ? ec->code : H5RD_E_NOMEM;
            goto out;
        }
    }

    const uint8_t *cur = in;
    size_t cur_n = in_nbytes;
    unsigned which = 0;
    for (int i = last_active; i >= first_active; i--) {
        if ((filter_mask >> i) & 1u) {
            continue;
        }
        const struct h5rd__filter *flt = &pline->v[i];
        uint8_t *dst;
        size_t cap;
        if (i == first_active) {
            dst = out;
            cap = out_nbytes;
        } else {
            dst = scratch[which];
            which ^= 1u;
            if (!h5rd__u64_to_size(bound[i], &cap)) {
                err = H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF,
                                "filter pipeline: stage size exceeds address space");
                goto out;
            }
        }
        size_t got = 0;
        const struct h5rd_filter_plugin *plug = find_plugin(f, flt->id);
        if (plug != NULL) {
            err = run_plugin(plug, flt, cur, cur_n, dst, cap, &got, ec);
        } else {
            err = h5rd__filter_find(flt->id)->decode(f, flt, type, cur, cur_n, dst, cap, &got,
                                                     ec);
        }
        if (err != H5RD_OK) {
            goto out;
        }
        if (got > cap) {
            err = H5RD_FAIL(ec, H5RD_E_INTERNAL, H5RD_ADDR_UNDEF,
                            "filter pipeline: decoder overran its buffer");
            goto out;
        }
        cur = dst;
        cur_n = got;
    }
    if (cur_n != out_nbytes) {
        err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                           "filter pipeline: decoded chunk is shorter than the chunk size");
    }

out:
    h5rd__free(f, scratch[0]);
    h5rd__free(f, scratch[1]);
    return err;
}
