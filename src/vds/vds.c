/*
 * vds.c - virtual datasets, metadata side: the mapping blob (Spec v3.0 III.F "Disk Format:
 * Level 1F - Global Heap Block for Virtual Datasets", version 0: version byte, number of entries
 * (size of lengths), then per entry the source file name and source dataset name
 * (NUL-terminated), the source selection and the virtual selection (Spec v3.0 "Dataspace
 * Selection" encodings, src/select), and a lookup3 checksum of everything before it);
 * printf-style names. Opening the sources (handles, src/file/vds_open.c) and reading
 * (src/read/vds_read.c) are done above this layer.
 *
 * Invariants: the blob is parsed from a cursor over exactly the heap object, after its checksum
 * was verified; the number of mappings and of printf sources is bounded by
 * limits.max_vds_mappings; nested virtual sources are bounded by limits.max_vds_depth and a
 * cycle check; the finished struct is immutable.
 */
#include "vds/vds.h"

#include "core/checksum.h"
#include "heap/heap.h"
#include "io/source.h"

#include <stdio.h>
#include <string.h>

/* ---- names ----------------------------------------------------------------------------- */

h5rd_err h5rd__vds_expand_name(const struct h5rd_file *f, const char *name, uint64_t block,
                               size_t *nsubs_ret, char **out_ret, struct h5rd_error *ec)
{
    char num[24];
    int numlen = snprintf(num, sizeof num, "%llu", (unsigned long long)block);
    if (numlen < 0) {
        return H5RD_FAIL(ec, H5RD_E_INTERNAL, H5RD_ADDR_UNDEF, "virtual dataset: formatting a block number");
    }
    size_t nsubs = 0, outlen = 0;
    for (const char *p = name; *p != '\0'; p++) {
        if (*p != '%') {
            outlen++;
            continue;
        }
        if (p[1] == 'b') {
            nsubs++;
            outlen += (size_t)numlen;
        } else if (p[1] == '%') {
            outlen++;
        } else {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "virtual dataset: invalid format specifier in a source name");
        }
        p++;
    }
    if (out_ret != NULL) {
        char *o = h5rd__malloc(f, (uint64_t)outlen + 1, ec);
        if (o == NULL) {
            return ec->code;
        }
        size_t k = 0;
        for (const char *p = name; *p != '\0'; p++) {
            if (*p != '%') {
                o[k++] = *p;
            } else if (p[1] == 'b') {
                memcpy(o + k, num, (size_t)numlen);
                k += (size_t)numlen;
                p++;
            } else {
                o[k++] = '%';
                p++;
            }
        }
        o[k] = '\0';
        *out_ret = o;
    }
    *nsubs_ret = nsubs;
    return H5RD_OK;
}

/* ---- decoding ---------------------------------------------------------------------------- */

void h5rd__vds_free(const struct h5rd_file *f, struct h5rd__vds *v)
{
    if (v == NULL) {
        return;
    }
    for (uint64_t i = 0; i < v->n; i++) {
        struct h5rd__vds_map *m = &v->m[i];
        for (uint64_t j = 0; j < m->nsrc; j++) {
            struct h5rd__vds_src *s = &m->src[j];
            h5rd__free(f, s->file_name);
            h5rd__free(f, s->dset_name);
            h5rd__free(f, s->tried);
        }
        h5rd__free(f, m->src);
        h5rd__free(f, m->file);
        h5rd__free(f, m->dset);
        h5rd__sel_free(f, &m->vsel);
        h5rd__sel_free(f, &m->ssel);
    }
    h5rd__free(f, v->m);
    h5rd__free(f, v);
}

/* A NUL-terminated string at the cursor (owned copy). */
static h5rd_err get_cstr(const struct h5rd_file *f, struct h5rd_cur *c, char **out,
                         struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    size_t left = h5rd__cur_left(c);
    const uint8_t *p = c->p + c->pos;
    const uint8_t *nul = memchr(p, 0, left);
    if (nul == NULL) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, at, "virtual dataset: source name not terminated");
    }
    size_t n = (size_t)(nul - p);
    if (n > f->limits.max_name_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, at, "virtual dataset: source name too long");
    }
    *out = h5rd__strndup(f, (const char *)p, n, ec);
    if (*out == NULL) {
        return ec->code;
    }
    return h5rd__cur_skip(c, n + 1);
}

static h5rd_err decode_blob(const struct h5rd_file *f, struct h5rd_cur *c, uint32_t rank,
                            struct h5rd__vds *v, struct h5rd_error *ec)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 1 + (uint64_t)c->sl));
    uint8_t version = h5rd__cur_u8(c);
    uint64_t n = h5rd__cur_length(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, at, "virtual dataset: unknown mapping block version");
    }
    if (n > f->limits.max_vds_mappings) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, at, "virtual dataset: too many mappings");
    }
    /* Each entry takes at least 2 name bytes and 2 x 16 selection bytes. */
    if (n > h5rd__cur_left(c) / 34) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, at, "virtual dataset: more mappings than bytes");
    }
    v->m = h5rd__calloc(f, n == 0 ? 1 : n, sizeof *v->m, ec);
    if (v->m == NULL) {
        return ec->code;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd__vds_map *m = &v->m[i];
        m->vsel.unlim_dim = m->ssel.unlim_dim = -1;
        v->n = i + 1; /* so that a failure frees what this entry got */
        H5RD_TRY(get_cstr(f, c, &m->file, ec));
        H5RD_TRY(get_cstr(f, c, &m->dset, ec));
        uint64_t sat = h5rd__cur_addr_here(c);
        /* Points and blocks are bounded by the bytes present (checked in the decoder). */
        H5RD_TRY(h5rd__sel_decode(f, c, UINT64_MAX, &m->ssel, ec));
        uint64_t vat = h5rd__cur_addr_here(c);
        H5RD_TRY(h5rd__sel_decode(f, c, UINT64_MAX, &m->vsel, ec));
        if (m->vsel.rank != 0 && m->vsel.rank != rank) {
            return H5RD_CORRUPT(ec, vat, "virtual dataset: virtual selection rank differs from the dataset");
        }
        (void)sat;
        size_t fsubs = 0, dsubs = 0;
        H5RD_TRY(h5rd__vds_expand_name(f, m->file, 0, &fsubs, NULL, ec));
        H5RD_TRY(h5rd__vds_expand_name(f, m->dset, 0, &dsubs, NULL, ec));
        /* libhdf5's printf mapping: unlimited virtual selection, limited source selection
         * (H5D_virtual_check_mapping_post; H5D__virtual_set_extent_unlim). */
        m->is_printf = h5rd__vds_sel_unlim(&m->vsel) && !h5rd__vds_sel_unlim(&m->ssel) && m->vsel.unlim_dim >= 0 &&
                       m->vsel.count[m->vsel.unlim_dim] == H5RD_UNLIMITED && (fsubs + dsubs) > 0;
    }
    return H5RD_OK;
}

h5rd_err h5rd__vds_decode(const struct h5rd_file *f, const struct h5rd__layout *l, uint32_t rank,
                          struct h5rd__vds **vds_ret, struct h5rd_error *ec)
{
    struct h5rd__vds *v = h5rd__calloc(f, 1, sizeof *v, ec);
    if (v == NULL) {
        return ec->code;
    }
    v->rank = rank;
    struct h5rd_view hv = {0};
    h5rd_err e = H5RD_OK;
    if (l->vds_gheap_addr == H5RD_ADDR_UNDEF) {
        /* No mappings were ever stored (an empty virtual dataset). */
        *vds_ret = v;
        return H5RD_OK;
    }
    e = h5rd__gheap_get(f, l->vds_gheap_addr, l->vds_gheap_index, &hv, ec);
    if (e != H5RD_OK) {
        goto out;
    }
    if (hv.nbytes < 4) {
        e = H5RD_CORRUPT(ec, hv.addr, "virtual dataset: mapping block smaller than its checksum");
        goto out;
    }
    e = h5rd__checksum_verify_block(f, hv.p, hv.nbytes, hv.addr, "virtual dataset: mapping block checksum mismatch", ec);
    if (e != H5RD_OK) {
        goto out;
    }
    {
        struct h5rd_cur c = h5rd__view_cur(f, &hv, ec);
        c.len -= 4; /* the checksum */
        e = decode_blob(f, &c, rank, v, ec);
        if (e == H5RD_OK && h5rd__cur_left(&c) != 0) {
            e = H5RD_CORRUPT(ec, h5rd__cur_addr_here(&c), "virtual dataset: bytes left after the mappings");
        }
    }
out:
    if (hv.p != NULL) {
        h5rd__io_release(f, &hv);
    }
    if (e != H5RD_OK) {
        h5rd__vds_free(f, v);
        return e;
    }
    *vds_ret = v;
    return H5RD_OK;
}
