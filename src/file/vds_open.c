/*
 * vds_open.c - a virtual dataset's sources opened with it, in libhdf5's order (H5Dvirtual.c
 * H5D__virtual_open_source_dset: the file by HDF5_VDS_PREFIX, then the dataset by path), and
 * the extent of unlimited virtual datasets (libhdf5 H5D__virtual_set_extent_unlim with its
 * default view, H5D_VDS_LAST_AVAILABLE, and printf gap 0). The mappings themselves are decoded
 * by src/vds/vds.c; each source is an object handle of this layer holding a reference on its
 * file, and what the engine reads of it is its view (read/read.h struct h5rd__dview).
 *
 * Invariants: nested virtual sources are bounded by limits.max_vds_depth and a cycle check;
 * printf sources by limits.max_vds_mappings; the finished struct is immutable.
 */
#include "file/file.h"
#include "vds/vds.h"

#include <string.h>

void h5rd__obj_vds_free(const struct h5rd_file *f, struct h5rd__vds *v)
{
    if (v == NULL) {
        return;
    }
    for (uint64_t i = 0; i < v->n; i++) {
        const struct h5rd__vds_map *m = &v->m[i];
        for (uint64_t j = 0; j < m->nsrc; j++) {
            h5rd__obj_unref(m->src[j].obj);
        }
    }
    h5rd__vds_free(f, v);
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
            h5rd__obj_unref(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: a component is not a group");
        }
        const struct h5rd__links *links = NULL;
        e = h5rd__group_links(cur, &links, ec);
        if (e != H5RD_OK) {
            h5rd__obj_unref(cur);
            return e;
        }
        const struct h5rd__link *l = h5rd__links_find(links, p, n);
        if (l == NULL) {
            h5rd__obj_unref(cur);
            return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF, "path: no such link");
        }
        struct h5rd_file *cf = cur->file;
        h5rd_obj *next = NULL;
        if (l->type == H5RD_LINK_HARD) {
            char *cp = h5rd__path_join(cf, cur->path, p, n, ec);
            if (cp == NULL) {
                h5rd__obj_unref(cur);
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
        h5rd__obj_unref(cur);
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
            h5rd__obj_unref(obj);
            e = H5RD_FAIL(&lec, H5RD_E_TYPE, H5RD_ADDR_UNDEF, "virtual dataset: source is not a dataset");
        }
        if (e == H5RD_OK) {
            s->obj = obj;
            s->view = &obj->view;
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
        h5rd__obj_vds_free(f, v);
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
        if (!h5rd__vds_sel_unlim(&m->vsel)) {
            continue;
        }
        uint64_t clip = 0;
        e = mapping_clip(m, &clip, ec);
        if (e != H5RD_OK) {
            h5rd__obj_vds_free(f, v);
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
