/*
 * msg.h - header message decoders (Spec v3.0 IV.A.2): each turns the body of
 * one message (a cursor over exactly its bytes) into a plain struct that owns
 * its memory (strings and buffers are copied). Higher layers never touch
 * message bytes.
 *
 * The datatype message is decoded by dtype/dtype.h.
 */
#ifndef H5RD_OBJECT_MSG_H
#define H5RD_OBJECT_MSG_H

#include "internal.h"
#include "io/cursor.h"
#include "object/ohdr.h"

struct h5rd_type; /* dtype/dtype.h */

/* IV.A.2.b Dataspace message, versions 1 and 2. Decodes into the public struct. */
h5rd_err h5rd__msg_dataspace_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                                    struct h5rd_space *out);

/* IV.A.2.c Link Info message. */
struct h5rd__linfo {
    bool track_corder, index_corder;
    int64_t max_corder;        /* -1 when not tracked */
    uint64_t fheap_addr;       /* H5RD_ADDR_UNDEF when links are compact */
    uint64_t name_bt2_addr;
    uint64_t corder_bt2_addr;  /* H5RD_ADDR_UNDEF when not indexed */
};
h5rd_err h5rd__msg_linfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__linfo *out);

/* IV.A.2.f Fill Value message (versions 1-3) and IV.A.2.e old Fill Value message. */
struct h5rd__fill {
    uint8_t version;           /* 0 for the old message */
    uint8_t alloc_time;        /* 1 early, 2 late, 3 incremental; 0 unknown */
    uint8_t fill_time;         /* 0 on alloc, 1 never, 2 if set */
    bool is_defined;           /* fill value defined (by user or library default) */
    uint64_t nbytes;           /* stored value size; 0 = no stored value */
    uint8_t *value;            /* owned; NULL when nbytes == 0 */
};
h5rd_err h5rd__msg_fill_decode(const struct h5rd_file *f, struct h5rd_cur *c, bool is_old,
                               struct h5rd__fill *out);
void h5rd__fill_free(const struct h5rd_file *f, struct h5rd__fill *fill);

/* IV.A.2.g Link message. */
struct h5rd__link {
    h5rd_link_type type;
    uint8_t cset;
    int64_t corder;            /* -1 when absent */
    char *name;                /* NUL-terminated; owned unless name_pooled */
    size_t name_nbytes;
    uint64_t addr;             /* hard */
    char *soft;                /* soft target, owned */
    char *ext_file;            /* external: file name, owned */
    char *ext_path;            /* external: object path, owned */
    uint8_t ltype;             /* the stored link type number (0 hard, 1 soft, 64 external, ...) */
    uint16_t value_nbytes;     /* soft, external, user-defined: size of the stored value */
    bool name_pooled;          /* name lives in a string pool (the links table's), not owned */
};
/* Decodes a Link message; the name is copied into 'names' when it is not NULL (the pool of
 * the links table the link goes to), else allocated on its own. */
h5rd_err h5rd__msg_link_decode(const struct h5rd_file *f, struct h5rd_cur *c,
                               struct h5rd__strpool *names, struct h5rd__link *out);
void h5rd__link_free(const struct h5rd_file *f, struct h5rd__link *l);

/* IV.A.2.h External Data Files message (the heap holds the names). */
struct h5rd__efl_entry {
    char *name;                /* owned */
    uint64_t file_offset;
    uint64_t nbytes;           /* H5RD_UNLIMITED for "unlimited" */
};
struct h5rd__efl {
    uint32_t n;
    struct h5rd__efl_entry *v;
};
h5rd_err h5rd__msg_efl_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__efl *out);
void h5rd__efl_free(const struct h5rd_file *f, struct h5rd__efl *efl);

/* IV.A.2.i Data Layout message, versions 1-4, every class. */
struct h5rd__layout {
    struct h5rd_layout pub;    /* cls, version, rank (dataset rank), chunk_dims (without the
                                  element-size dimension), chunk_index, chunk_flags, data_addr,
                                  data_nbytes */
    uint32_t elem_nbytes;      /* chunked: size of one element, the layout's last dimension */
    uint8_t *compact_data;     /* compact: owned copy of the raw data (data_nbytes bytes) */
    /* chunked, layout v4, per index type */
    uint8_t chunk_dim_nbytes;  /* bytes used to encode each chunk dimension (v4) */
    uint64_t single_filtered_nbytes;  /* single chunk, filtered: stored size */
    uint32_t single_filter_mask;
    uint8_t farray_max_dblk_page_nelmts_bits;
    uint8_t earray_max_nelmts_bits, earray_idx_blk_elmts, earray_data_blk_min_elmts,
        earray_sup_blk_min_data_ptrs, earray_max_dblk_page_nelmts_bits;
    uint32_t bt2_node_size;
    uint8_t bt2_split_percent, bt2_merge_percent;
    /* virtual */
    uint64_t vds_gheap_addr;
    uint32_t vds_gheap_index;
};
h5rd_err h5rd__msg_layout_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__layout *out);
void h5rd__layout_free(const struct h5rd_file *f, struct h5rd__layout *l);

/* IV.A.2.j Group Info message. */
struct h5rd__ginfo {
    uint16_t max_compact, min_dense;     /* 0 when not stored */
    uint16_t est_num_entries, est_name_len;
};
h5rd_err h5rd__msg_ginfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__ginfo *out);

/* IV.A.2.k Filter Pipeline message, versions 1 and 2. */
struct h5rd__filter {
    uint32_t id;
    uint32_t flags;
    char *name;                /* "" when absent; after 'values' */
    uint32_t n_values;
    uint32_t *values;          /* inside the pipeline's one block (struct h5rd__pline.v) */
};
struct h5rd__pline {
    uint32_t n;
    struct h5rd__filter *v;    /* one block holding the filters, then their values and names */
    bool owned;                /* v was allocated (not the caller's store): freed with the pipeline */
};
h5rd_err h5rd__msg_pline_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__pline *out);
/* The same, with the block in 'store' (8-aligned, store_nbytes long, outliving *out) when it
 * fits there: the common one- or two-filter pipeline then costs no allocation. */
h5rd_err h5rd__msg_pline_decode_in(const struct h5rd_file *f, struct h5rd_cur *c, void *store,
                                   size_t store_nbytes, struct h5rd__pline *out);
void h5rd__pline_free(const struct h5rd_file *f, struct h5rd__pline *p);

/* IV.A.2.m Attribute message, versions 1-3 (datatype may be shared). */
struct h5rd__attr {
    char *name;                /* owned */
    size_t name_nbytes;
    uint8_t cset;
    int64_t corder;            /* -1 when unknown */
    struct h5rd_type *type;    /* owned (dtype/dtype.h) */
    struct h5rd_space space;
    uint64_t data_nbytes;
    uint8_t *data;             /* owned raw value in file layout, NULL when empty */
};
h5rd_err h5rd__msg_attr_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__attr *out);
void h5rd__attr_free(const struct h5rd_file *f, struct h5rd__attr *a);

/* IV.A.2.n Object Comment message: owned NUL-terminated copy. */
h5rd_err h5rd__msg_comment_decode(const struct h5rd_file *f, struct h5rd_cur *c, char **out);

/* IV.A.2.p Object Header Continuation message. */
h5rd_err h5rd__msg_cont_decode(struct h5rd_cur *c, uint64_t *addr, uint64_t *nbytes);

/* IV.A.2.q Symbol Table message. */
struct h5rd__stab {
    uint64_t btree_addr;
    uint64_t heap_addr;
};
h5rd_err h5rd__msg_stab_decode(struct h5rd_cur *c, struct h5rd__stab *out);

/* IV.A.2.o / IV.A.2.r Modification time (old and new): seconds since the epoch. */
h5rd_err h5rd__msg_mtime_decode(struct h5rd_cur *c, bool is_old, int64_t *out);

/* IV.A.2.s B-tree 'K' Values message. */
h5rd_err h5rd__msg_btreek_decode(struct h5rd_cur *c, uint32_t *istore_k, uint32_t *sym_internal_k,
                                 uint32_t *sym_leaf_k);

/* IV.A.2.u Attribute Info message. */
struct h5rd__ainfo {
    bool track_corder, index_corder;
    int64_t max_corder;
    uint64_t fheap_addr;       /* H5RD_ADDR_UNDEF when attributes are compact */
    uint64_t name_bt2_addr;
    uint64_t corder_bt2_addr;
};
h5rd_err h5rd__msg_ainfo_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__ainfo *out);

/* IV.A.2.v Object Reference Count message. */
h5rd_err h5rd__msg_refcount_decode(struct h5rd_cur *c, uint32_t *out);

/* IV.A.2.l? Shared Message Table message (superblock extension): table address and count. */
h5rd_err h5rd__msg_sohm_table_decode(struct h5rd_cur *c, uint64_t *table_addr, uint32_t *n_indexes);

/* IV.A.2.w File Space Info message (superblock extension), versions 0 and 1 (libhdf5's
 * H5O__fsinfo_decode). Version 0 is mapped to version 1 as libhdf5 does; only what a reader
 * may need is kept. A body shorter than its fields is TRUNCATED, an unknown version 0
 * strategy CORRUPT; versions above 1 decode with the version 1 layout (the caller refuses them,
 * as libhdf5's version bounds check does). */
struct h5rd__fsinfo {
    uint8_t version;           /* as stored */
    uint8_t strategy;          /* version 1 numbering (0 FSM+aggregators, 1 paged, 2 aggr, 3 none) */
    bool persist;              /* free-space managers persist in the file */
    uint64_t threshold;
    uint64_t page_size;        /* version 1 only; 0 for version 0 */
    uint64_t eoa_pre_fsm_fsalloc;
};
h5rd_err h5rd__msg_fsinfo_decode(struct h5rd_cur *c, struct h5rd__fsinfo *out);

/* IV.A.2.t Driver Info message (superblock extension): version 0; the 8-byte driver
 * identification is copied to 'name' (not NUL-terminated), the info bytes are skipped but must
 * be present. */
h5rd_err h5rd__msg_drvinfo_decode(struct h5rd_cur *c, uint8_t name[8]);

/* Metadata cache image message (superblock extension, type 0x18; libhdf5's H5Ocache_image.c):
 * version 0, the image block's address and size. */
h5rd_err h5rd__msg_mdci_decode(struct h5rd_cur *c, uint64_t *addr, uint64_t *nbytes);

#endif
