/*
 * vds.c - virtual datasets, metadata side: the mapping blob (Spec v3.0 III.F "Disk Format:
 * Level 1F - Global Heap Block for Virtual Datasets", version 0: version byte, number of entries
 * (size of lengths), then per entry the source file name and source dataset name
 * (NUL-terminated), the source selection and the virtual selection (Spec v3.0 "Dataspace
 * Selection" encodings, src/select), and a lookup3 checksum of everything before it);
 * printf-style names; opening the sources in libhdf5's order; the extent of unlimited virtual
 * datasets (libhdf5 H5D__virtual_set_extent_unlim with its default view,
 * H5D_VDS_LAST_AVAILABLE, and printf gap 0).
 *
 * Invariants: the blob is parsed from a cursor over exactly the heap object, after its checksum
 * was verified; the number of mappings and of printf sources is bounded by
 * limits.max_vds_mappings; nested virtual sources are bounded by limits.max_vds_depth and a
 * cycle check; the finished struct is immutable.
 */
#include "vds/vds.h"

#include "api/api.h"
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
            h5rd_obj_close(s->obj);
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

/* Is 's' a regular hyperslab with an unlimited count or block? */
static bool sel_unlim(const struct h5rd__sel *s)
{
    return s->type == H5RD__SEL_HYPER && s->regular && s->unlim_dim >= 0;
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
        m->is_printf = sel_unlim(&m->vsel) && !sel_unlim(&m->ssel) && m->vsel.unlim_dim >= 0 &&
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

/* ---- opening sources ----------------------------------------------------------------------- */

/* Errors that end the open of the virtual dataset itself; any other failure to open a source
 * makes that source "missing" (libhdf5 clears the error and reads fill values there). */
static bool is_hard(h5rd_err e)
{
    return e == H5RD_E_LIMIT || e == H5RD_E_NOMEM || e == H5RD_E_INTERNAL;
}

/*
 * Opens 'path' in file f, starting at the root (absolute or, as libhdf5's H5D__open_name from
 * the root location, relative) or at group 'start' for a relative soft link. Every object is
 * opened with the ancestor chain 'ch' so that nested virtual datasets see their depth. Soft and
 * external links count against limits.max_link_hops.
 */
static h5rd_err open_path(struct h5rd_file *f, h5rd_obj *start, const char *path,
                          const struct h5rd__vds_chain *ch, uint32_t *hops, h5rd_obj **out,
                          struct h5rd_error *ec)
{
    h5rd_obj *cur = NULL;
    h5rd_err e;
    if (start == NULL || path[0] == '/') {
        e = h5rd__obj_open_addr_vds(f, f->sb.root_addr, "/", ch, &cur, ec);
        if (e != H5RD_OK) {
            return e;
        }
    } else {
        cur = start;
        atomic_fetch_add(&cur->refcount, 1);
    }
    const char *p = path;
    for (;;) {
        while (*p == '/') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        const char *end = strchr(p, '/');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            p += n;
            continue;
        }
        if (cur->kind != H5RD_OBJ_GROUP) {
            h5rd_obj_close(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: a component is not a group");
        }
        const struct h5rd__links *links = NULL;
        e = h5rd__group_links(cur, &links, ec);
        if (e != H5RD_OK) {
            h5rd_obj_close(cur);
            return e;
        }
        const struct h5rd__link *l = h5rd__links_find(links, p, n);
        if (l == NULL) {
            h5rd_obj_close(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: no such link");
        }
        struct h5rd_file *cf = cur->file;
        h5rd_obj *next = NULL;
        if (l->type == H5RD_LINK_HARD) {
            char *cp = h5rd__path_join(cf, cur->path, p, n, ec);
            if (cp == NULL) {
                h5rd_obj_close(cur);
                return ec->code;
            }
            e = h5rd__obj_open_addr_vds(cf, l->addr, cp, ch, &next, ec);
            h5rd__free(cf, cp);
        } else if (l->type == H5RD_LINK_SOFT || l->type == H5RD_LINK_EXTERNAL) {
            if (++*hops > cf->limits.max_link_hops) {
                e = H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "link: too many soft/external link hops");
            } else if (l->type == H5RD_LINK_SOFT) {
                e = open_path(cf, cur, l->soft, ch, hops, &next, ec);
            } else {
                struct h5rd_file *ext = NULL;
                e = h5rd__extfile_open(cf, l->ext_file, &ext, ec);
                if (e == H5RD_OK) {
                    e = open_path(ext, NULL, l->ext_path, ch, hops, &next, ec);
                }
            }
        } else {
            e = H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, "link: user-defined link type cannot be followed");
        }
        h5rd_obj_close(cur);
        if (e != H5RD_OK) {
            return e;
        }
        cur = next;
        p += n;
    }
    *out = cur;
    return H5RD_OK;
}

/* Opens source 's' (names already expanded) of the virtual dataset 'o' in file f. A failure
 * that libhdf5 would clear leaves the source missing with its reason; hard failures return. */
static h5rd_err open_source(struct h5rd_file *f, h5rd_obj *o, const struct h5rd__vds_chain *ch,
                            struct h5rd__vds_src *s, struct h5rd_error *ec)
{
    struct h5rd_error lec;
    h5rd__err_clear(&lec);
    struct h5rd_file *sf = NULL;
    h5rd_err e;
    (void)o;
    if (strcmp(s->file_name, ".") == 0) {
        sf = f;
        s->tried = h5rd__strndup(f, ".", 1, ec);
        if (s->tried == NULL) {
            return ec->code;
        }
        e = H5RD_OK;
    } else {
        e = h5rd__extfile_open_env(f, s->file_name, "HDF5_VDS_PREFIX", true, &sf, &s->tried, &lec);
    }
    if (e == H5RD_OK) {
        uint32_t hops = 0;
        h5rd_obj *obj = NULL;
        e = open_path(sf, NULL, s->dset_name, ch, &hops, &obj, &lec);
        if (e == H5RD_OK && obj->kind != H5RD_OBJ_DATASET) {
            h5rd_obj_close(obj);
            e = H5RD_FAIL(&lec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "virtual dataset: source is not a dataset");
        }
        if (e == H5RD_OK) {
            s->obj = obj;
        }
    }
    if (e != H5RD_OK) {
        if (is_hard(e)) {
            *ec = lec;
            return e;
        }
        s->reason = e;
        s->reason_what = lec.what != NULL ? lec.what : "";
    }
    return H5RD_OK;
}

/* Fills source 's' for block 'block' of mapping m and opens it. */
static h5rd_err make_source(struct h5rd_file *f, h5rd_obj *o, const struct h5rd__vds_chain *ch,
                            const struct h5rd__vds_map *m, uint64_t block, struct h5rd__vds_src *s,
                            struct h5rd_error *ec)
{
    size_t nsubs;
    memset(s, 0, sizeof *s);
    s->block = block;
    s->reason_what = "";
    H5RD_TRY(h5rd__vds_expand_name(f, m->file, block, &nsubs, &s->file_name, ec));
    H5RD_TRY(h5rd__vds_expand_name(f, m->dset, block, &nsubs, &s->dset_name, ec));
    return open_source(f, o, ch, s, ec);
}

/* The source's current dimensions, or false when it is missing or of another rank. */
static bool src_dims(const struct h5rd__vds_src *s, uint32_t rank, uint64_t *dims)
{
    if (s->obj == NULL || s->obj->space.rank != rank) {
        return false;
    }
    memcpy(dims, s->obj->space.dims, rank * sizeof(uint64_t));
    return true;
}

/* The extent along the unlimited dimension of mapping m that its sources support (libhdf5's
 * clip size, view "last available"), and whether m is unlimited at all. */
static h5rd_err mapping_clip(const struct h5rd__vds_map *m, uint64_t *clip, struct h5rd_error *ec)
{
    (void)ec;
    int vu = m->vsel.unlim_dim;
    if (m->is_printf) {
        /* Sources m->src[0..k) were found; the last found block's end bounds the extent. */
        uint64_t k = (m->nsrc > 0 && m->src[m->nsrc - 1].obj != NULL) ? m->nsrc : 0;
        if (k == 0) {
            *clip = 0;
            return H5RD_OK;
        }
        uint64_t b = k - 1;
        *clip = m->vsel.start[vu] + b * m->vsel.stride[vu] + m->vsel.block[vu];
        return H5RD_OK;
    }
    /* Ordinary unlimited mapping: the source's extent in its unlimited dimension, matched
     * slice for slice onto the virtual selection (H5S_hyper_get_clip_extent_match). */
    uint64_t sd[H5RD_MAX_RANK];
    int su = m->ssel.unlim_dim;
    if (su < 0 || !src_dims(&m->src[0], m->ssel.rank, sd)) {
        *clip = 0;
        return H5RD_OK;
    }
    uint64_t slices = h5rd__sel_unlim_slices(&m->ssel, sd[su]);
    *clip = h5rd__sel_unlim_extent(&m->vsel, slices, false);
    return H5RD_OK;
}

h5rd_err h5rd__vds_open(struct h5rd_file *f, h5rd_obj *o, const struct h5rd__vds_chain *up,
                        struct h5rd_error *ec)
{
    uint32_t depth = up != NULL ? up->depth : 0;
    if (depth > f->limits.max_vds_depth) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, o->addr, "virtual dataset: sources nested deeper than limits.max_vds_depth");
    }
    for (const struct h5rd__vds_chain *a = up; a != NULL; a = a->up) {
        if (a->f == f && a->addr == o->addr) {
            return H5RD_FAIL(ec, H5RD_E_LIMIT, o->addr, "virtual dataset: its sources lead back to itself");
        }
    }
    if (o->space.kind != H5RD_SPACE_SIMPLE && o->space.kind != H5RD_SPACE_SCALAR) {
        /* A null dataspace holds nothing to map. */
        return h5rd__vds_decode(f, &o->layout, 0, &o->vds, ec);
    }
    struct h5rd__vds *v = NULL;
    H5RD_TRY(h5rd__vds_decode(f, &o->layout, o->space.rank, &v, ec));
    struct h5rd__vds_chain ch = {f, o->addr, depth + 1, up};
    h5rd_err e = H5RD_OK;
    uint64_t total = 0;
    uint32_t rank = o->space.rank;
    for (uint64_t i = 0; i < v->n && e == H5RD_OK; i++) {
        struct h5rd__vds_map *m = &v->m[i];
        if (!m->is_printf) {
            m->src = h5rd__calloc(f, 1, sizeof *m->src, ec);
            if (m->src == NULL) {
                e = ec->code;
                break;
            }
            m->nsrc = 1;
            e = make_source(f, o, &ch, m, 0, &m->src[0], ec);
            continue;
        }
        /* printf mapping: blocks 0, 1, ... until the first missing source (printf gap 0). */
        uint64_t cap = 0;
        for (uint64_t b = 0;; b++) {
            if (++total > f->limits.max_vds_mappings) {
                e = H5RD_FAIL(ec, H5RD_E_LIMIT, o->addr, "virtual dataset: more printf sources than limits.max_vds_mappings");
                break;
            }
            void *arr = m->src;
            e = h5rd__grow(f, &arr, &cap, b + 1, sizeof *m->src, ec);
            m->src = arr;
            if (e != H5RD_OK) {
                break;
            }
            e = make_source(f, o, &ch, m, b, &m->src[b], ec);
            m->nsrc = b + 1;
            if (e != H5RD_OK) {
                break;
            }
            if (m->src[b].obj == NULL) {
                if (b > 0) {
                    /* the first missing block only ends the search */
                    struct h5rd__vds_src *s = &m->src[b];
                    h5rd__free(f, s->file_name);
                    h5rd__free(f, s->dset_name);
                    h5rd__free(f, s->tried);
                    m->nsrc = b;
                }
                break;
            }
        }
    }
    if (e != H5RD_OK) {
        h5rd__vds_free(f, v);
        return e;
    }
    /* Extent (H5D__virtual_set_extent_unlim): each dimension that some mapping's virtual
     * selection leaves unlimited becomes the largest clip size over those mappings, but at least
     * what the limited mappings need there (min_dims). */
    v->rank = rank;
    memcpy(v->dims, o->space.dims, rank * sizeof(uint64_t));
    uint64_t newd[H5RD_MAX_RANK], mind[H5RD_MAX_RANK];
    bool has[H5RD_MAX_RANK] = {false};
    memset(mind, 0, sizeof mind);
    for (uint64_t i = 0; i < v->n; i++) {
        const struct h5rd__vds_map *m = &v->m[i];
        uint64_t bs[H5RD_MAX_RANK], be[H5RD_MAX_RANK];
        if (m->vsel.type == H5RD__SEL_HYPER || m->vsel.type == H5RD__SEL_POINTS) {
            if (h5rd__sel_bounds(&m->vsel, rank, o->space.dims, bs, be)) {
                for (uint32_t d = 0; d < rank; d++) {
                    if ((int)d != m->vsel.unlim_dim && be[d] + 1 > mind[d]) {
                        mind[d] = be[d] + 1;
                    }
                }
            }
        }
        if (!sel_unlim(&m->vsel)) {
            continue;
        }
        uint64_t clip = 0;
        e = mapping_clip(m, &clip, ec);
        if (e != H5RD_OK) {
            h5rd__vds_free(f, v);
            return e;
        }
        int u = m->vsel.unlim_dim;
        if (!has[u] || clip > newd[u]) {
            newd[u] = clip;
            has[u] = true;
        }
    }
    for (uint32_t d = 0; d < rank; d++) {
        if (has[d]) {
            v->dims[d] = newd[d] < mind[d] ? mind[d] : newd[d];
        }
    }
    memcpy(o->space.dims, v->dims, rank * sizeof(uint64_t));
    o->vds = v;
    return H5RD_OK;
}
