/*
 * vds.h - virtual datasets: the mappings stored in the global heap block a virtual Data Layout
 * message points to (Spec v3.0 III.F "Disk Format: Level 1F - Global Heap Block for Virtual
 * Datasets") and printf-style source names. Source resolution in libhdf5's order and the
 * extent libhdf5 computes for unlimited mappings belong to the handle layer
 * (src/file/vds_open.c), which fills these structs.
 *
 * Lock-free design: everything is done when the dataset is opened. h5rd__vds_open decodes the
 * mappings, opens every source file and dataset it can (each source dataset is an h5rd_obj
 * holding a reference on its file), records the sources it cannot open (libhdf5 reads fill
 * there), computes the extent, and stores the result as an immutable struct in the dataset
 * handle. Threads then only read it; the sources are closed with the dataset.
 */
#ifndef H5RD_VDS_VDS_H
#define H5RD_VDS_VDS_H

#include "internal.h"
#include "object/msg.h"
#include "select/select.h"

struct h5rd__dview; /* read/read.h */

/* One source dataset: the single source of an ordinary mapping, or one %b block of a printf
 * mapping. */
struct h5rd__vds_src {
    char *file_name;       /* as used to open: %b substituted, %% unescaped */
    char *dset_name;
    char *tried;           /* the file path opened, or tried when missing; "." same file */
    uint64_t block;        /* printf mappings: the block index; else 0 */
    h5rd_obj *obj;         /* the source dataset's handle (src/file); NULL when missing */
    const struct h5rd__dview *view; /* what the engine reads of it (read/read.h), or NULL */
    h5rd_err reason;       /* missing: why (NOT_FOUND, TYPE, CORRUPT...); else H5RD_OK */
    const char *reason_what; /* static text, "" when none */
};

struct h5rd__vds_map {
    char *file;            /* source file name as stored (%b unexpanded) */
    char *dset;            /* source dataset name as stored */
    struct h5rd__sel vsel; /* selection in the virtual dataset */
    struct h5rd__sel ssel; /* selection in the source dataset */
    bool is_printf;        /* unlimited virtual selection, limited source selection, %b names */
    uint64_t nsrc;         /* sources below: 1 for ordinary mappings; printf: blocks found,
                              or 1 (block 0, missing) when none was found */
    struct h5rd__vds_src *src;
};

struct h5rd__vds {
    uint64_t n;
    struct h5rd__vds_map *m;
    uint32_t rank;
    uint64_t dims[H5RD_MAX_RANK];   /* the extent libhdf5 computes (= stored when limited) */
};

/* Ancestors of a virtual dataset being opened as another's source (depth and cycle guard). */
struct h5rd__vds_chain {
    const struct h5rd_file *f;
    uint64_t addr;
    uint32_t depth;                 /* 1 for a source of a top-level virtual dataset */
    const struct h5rd__vds_chain *up;
};

/* Decodes the mapping blob of layout 'l' (Spec v3.0 III.F, version 0) for a dataset of rank
 * 'rank': no sources opened. The checksum is verified before parsing. */
h5rd_err h5rd__vds_decode(const struct h5rd_file *f, const struct h5rd__layout *l, uint32_t rank,
                          struct h5rd__vds **vds_ret, struct h5rd_error *ec);

/* Frees the mappings (the source handles are closed by their layer first: src/file
 * h5rd__obj_vds_free). */
void h5rd__vds_free(const struct h5rd_file *f, struct h5rd__vds *v);

/* Is 's' a regular hyperslab with an unlimited count or block? */
static inline bool h5rd__vds_sel_unlim(const struct h5rd__sel *s)
{
    return s->type == H5RD__SEL_HYPER && s->regular && s->unlim_dim >= 0;
}

/* printf-style source names (libhdf5 H5D_virtual_parse_source_name): "%b" is the block index,
 * "%%" a percent sign; any other '%' is CORRUPT. Counts the %b in 'name' (nsubs_ret) and, when
 * out_ret is non-NULL, writes the name with block index 'block' substituted (owned). */
h5rd_err h5rd__vds_expand_name(const struct h5rd_file *f, const char *name, uint64_t block,
                               size_t *nsubs_ret, char **out_ret, struct h5rd_error *ec);

#endif
